"""CRF features for a sentence of tokens (ANERcorp-style tokenisation).

Per token: the normalised word, its clitic-stripped stem and proclitics, affixes, shape,
word-frequency rarity (wordfreq), gazetteer membership (single words and BIO-style phrase
matches), trigger words (titles, nationality adjectives, organisation heads), distributional
word clusters learnt from unlabelled news, trigger words counted in the training annotations
(when a table is present; none is shipped), how a first-stage tagger labels the word across
unlabelled news (corpus-level labels); and a ±2 window of the main ones.
"""
from __future__ import annotations

import zlib
from functools import lru_cache

from marsad.ner import clitics
from marsad.ner.lexicon import nationality_stem, norm, phrases, words, zipf
from marsad.ner.tokenize import is_punct

GAZETTEERS = ("gaz_per", "gaz_loc", "gaz_org", "places", "first_names", "org_names")


def _shape(token: str) -> str:
    if token.isdigit() or token.replace(".", "").replace(",", "").isdigit():
        return "num"
    if is_punct(token):
        return "punct"
    if token.isascii():
        return "latin_cap" if token[:1].isupper() else "latin"
    return "ar"


@lru_cache(maxsize=300_000)
def token_features(token: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(own features, features shared with neighbours) of one token, context-free."""
    key = norm(token)
    pre, stem = clitics.split(key)
    shape = _shape(token)
    z_word, z_stem = zipf(token), zipf(stem) if stem != key else zipf(token)
    z = max(zipf(key), z_word)
    own = [
        "w=" + key,
        "stem=" + stem,
        "pre=" + pre,
        "shape=" + shape,
        "len=" + str(min(len(stem), 9)),
        "zipf=" + str(int(z)),
        "zstem=" + str(int(z_stem)),
        "p2=" + stem[:2],
        "p3=" + stem[:3],
        "s1=" + stem[-1:],
        "s2=" + stem[-2:],
        "s3=" + stem[-3:],
        "s4=" + stem[-4:],
        "p4=" + stem[:4],
        "ws2=" + key[-2:],
        "ws3=" + key[-3:],
    ]
    shared = ["w=" + key, "stem=" + stem, "shape=" + shape, "zipf=" + str(int(z))]
    if key.startswith("ال") or pre.endswith("ال") or pre.endswith("لل"):
        own.append("def")
        shared.append("def")
    for name in GAZETTEERS:
        if key in words(name) or stem in words(name) or (pre and key[len(pre) - 2 if pre.endswith("ال") else len(pre):] in words(name)):
            own.append("in_" + name)
            shared.append("in_" + name)
    title = _title(key)
    if title:
        own.append("title")
        shared.append("title")
    if nationality_stem(key):
        own.append("nat")
        shared.append("nat")
    if key in words("org_heads") or stem in _org_head_stems():
        own.append("orghead")
        shared.append("orghead")
    if key in words("stop_names"):
        own.append("stop")
    morph = _morph_frequency(token)
    own.extend(morph)
    shared.extend(f for f in morph if f.startswith("dg="))
    entry = _clusters().get(key) or _clusters().get(_article_stem(key)) or _clusters().get(stem)
    if entry:
        (coarse, mid, fine), dims = entry
        codes = ("c64=" + coarse, "c512=" + mid, "c2k=" + fine)
        own.extend(codes)
        own.extend("e" + d for d in dims)
        shared.extend(c for c in codes if c.partition("=")[0] in NEIGHBOUR_CLUSTERS)
    trig = _triggers().get(stem)
    if trig:
        own.extend(trig)
        shared.extend(trig)
    labels = _corpus_label_features(token, key)
    if labels and CORPUS_LABEL_DROPOUT and zlib.crc32(key.encode("utf-8")) % 1000 < CORPUS_LABEL_DROPOUT * 1000:
        labels = ()
    own.extend(labels)
    shared.extend(labels)
    return tuple(own), tuple(shared)


def _morph_frequency(token: str) -> list[str]:
    """Distributional morphology from word frequencies: proper names rarely take the article
    or inflect ("بيسكوف" is frequent, "البيسكوف" never seen; "موظف" has "الموظف", "موظفات")."""
    base = token[clitics.mention_skip(token):]
    if base.startswith("ال") and len(base) > 4:
        base = base[2:]
    if len(base) < 3 or is_punct(base) or base[:1].isdigit():
        return []
    zb, zd = zipf(base), zipf("ال" + base)
    out = ["dg=" + str(max(-3, min(2, round(zd - zb))))]
    if zb > 0 and zd == 0:
        out.append("never_def")
    if zipf(base + "ات") >= 1.5 or (not base.endswith("ة") and zipf(base + "ة") >= 1.5):
        out.append("inflects")
    return out


@lru_cache(maxsize=1)
def _org_head_stems() -> frozenset[str]:
    return frozenset(clitics.split(w)[1] for w in words("org_heads"))


@lru_cache(maxsize=1)
def _title_keys() -> frozenset[str]:
    return frozenset(words("titles")) | frozenset(clitics.split(w)[1] for w in words("titles"))


def _title(key: str) -> bool:
    return key in _title_keys() or clitics.split(key)[1] in _title_keys()


#: The cluster granularities a token's neighbours see (its own features have all three); all
#: three for the neighbours lost 1.1 F1 on dev (docs/models/ner.md, third pass).
DEFAULT_NEIGHBOUR_CLUSTERS = ("c512",)
NEIGHBOUR_CLUSTERS = DEFAULT_NEIGHBOUR_CLUSTERS
#: The cluster and trigger tables read (None: the shipped files under ``data/ner``).
CLUSTERS_PATH: str | None = None
TRIGGERS_PATH: str | None = None


def _read_table(path: str | None, name: str) -> str:
    from marsad.resources import data_path

    if path:
        with open(path, encoding="utf-8") as f:
            return f.read()
    return data_path(name).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def _clusters() -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """word → ((coarse, middle, fine) cluster ids, binarised embedding dimensions)."""
    out: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {}
    for word, code, *rest in _table_rows(CLUSTERS_PATH, "ner/clusters.tsv"):
        out[word] = (tuple(code.split("/")), tuple(rest[0].split()) if rest else ())
    return out


def _table_rows(path, name: str):
    """The tab-split rows of a data table (``_read_table``), comments and blank lines skipped;
    none when the table does not ship."""
    try:
        text = _read_table(path, name)
    except FileNotFoundError:
        return
    for line in text.splitlines():
        if line and not line.startswith("#"):
            yield line.split("\t")


#: Trigger share → feature level (``trg_PER<=2``): strong and weak triggers.
_TRIGGER_LEVELS = ((0.4, "2"), (0.0, "1"))


@lru_cache(maxsize=1)
def _triggers() -> dict[str, tuple[str, ...]]:
    """stem → trigger features (``trg_PER<=2`` …) counted in the training annotations
    (``marsad.ner.build_triggers``; ``data/ner/triggers.tsv``)."""
    out: dict[str, tuple[str, ...]] = {}
    for word, roles in _table_rows(TRIGGERS_PATH, "ner/triggers.tsv"):
        feats = []
        for item in roles.split():
            role, share = item.rsplit(":", 1)
            level = next(lv for lo, lv in _TRIGGER_LEVELS if float(share) >= lo)
            feats.append(f"trg_{role}={level}")
        out[word] = tuple(feats)
    return out


def set_tables(clusters: str | None = None, triggers: str | None = None,
               neighbour_clusters: tuple[str, ...] = DEFAULT_NEIGHBOUR_CLUSTERS) -> None:
    """Read the cluster / trigger tables from other files (comparisons; None: the shipped
    ones) and choose the neighbours' cluster granularities; the feature caches are emptied.
    No arguments: back to the shipped setting."""
    global CLUSTERS_PATH, TRIGGERS_PATH, NEIGHBOUR_CLUSTERS
    CLUSTERS_PATH, TRIGGERS_PATH, NEIGHBOUR_CLUSTERS = clusters, triggers, tuple(neighbour_clusters)
    for f in (_clusters, _triggers, token_features, _neighbour_features):
        f.cache_clear()


#: Off only to train the first-stage model that builds the corpus label table
#: (``marsad.ner.build_corpus_labels``; ``marsad train ner --no-corpus-labels``).
CORPUS_LABELS = True
#: The table read (None: the shipped ``data/ner/corpus_labels.tsv``).
CORPUS_LABELS_PATH: str | None = None
#: In training only, this share of word types (chosen by a hash of the word, so every run is the
#: same) can lose their corpus label features. Nearly every name in the training data is in the
#: table, so the CRF learns that a word without an entry is no name and misses names new since
#: the table was built ("إلسا هوغستروم"); 0.5 brought those back but cost 1.4 F1 on dev (model
#: card), which is why no table is shipped and this stays 0.
TRAIN_CORPUS_LABEL_DROPOUT = 0.0
CORPUS_LABEL_DROPOUT = 0.0
#: Share of a word's corpus occurrences inside a span of a type → feature level.
_SHARE_LEVELS = ((0.8, "4"), (0.5, "3"), (0.2, "2"), (0.05, "1"))


def _corpus_label_features(token: str, key: str) -> tuple[str, ...]:
    """The corpus label features of a word: of the word as written and the word without the
    clitics a mention would leave out (``clitics.mention_skip``: "لبوتين" → "بوتين"), the entry
    seen more often in the corpus. Not the feature stem: that takes "بوتين" for ب + "وتين"
    and "فكتور" for ف + ك + "تور"."""
    table = _corpus_labels()
    if not table:  # none shipped (docs/models/ner.md)
        return ()
    skip = clitics.mention_skip(token)
    whole, bare = table.get(key), table.get(norm(token[skip:])) if skip else None
    best = max((e for e in (whole, bare) if e), key=lambda e: e[0], default=None)
    return best[1] if best else ()


@lru_cache(maxsize=1)
def _corpus_labels() -> dict[str, tuple[int, tuple[str, ...]]]:
    """word → (occurrences, features ``lab_PER=4`` …): how the first-stage tagger labelled the
    word across unlabelled ANT news (``data/ner/corpus_labels.tsv``)."""
    from marsad.resources import data_path

    out: dict[str, tuple[int, tuple[str, ...]]] = {}
    if not CORPUS_LABELS:
        return out
    try:
        path = CORPUS_LABELS_PATH or data_path("ner/corpus_labels.tsv")
        with open(path, encoding="utf-8") as f:
            text = f.read()
    except FileNotFoundError:
        return out
    for line in text.splitlines():
        if line and not line.startswith("#"):
            word, count, shares = line.split("\t")
            feats = []
            for item in shares.split():
                kind, share = item.split(":")
                level = next(lv for lo, lv in _SHARE_LEVELS if float(share) >= lo)
                feats.append(f"lab_{kind}={level}")
            out[word] = (int(count), tuple(feats))
    return out


def set_corpus_labels(on: bool, path: str | None = None, dropout: float = 0.0) -> None:
    """Switch the corpus label features on or off, read them from another table, or drop them
    for a share of word types (training); the per-word feature caches are emptied."""
    global CORPUS_LABELS, CORPUS_LABELS_PATH, CORPUS_LABEL_DROPOUT
    CORPUS_LABELS, CORPUS_LABELS_PATH, CORPUS_LABEL_DROPOUT = on, path, dropout
    _corpus_labels.cache_clear()
    token_features.cache_clear()
    _neighbour_features.cache_clear()


def cluster(key: str) -> tuple[str, ...] | None:
    """(coarse, middle, fine) cluster ids of a normalised word, or None when unseen."""
    entry = _clusters().get(key)
    return entry[0] if entry else None


def _phrase_tags(keys: list[str], stems: list[str]) -> list[list[str]]:
    """BIO-style gazetteer phrase matches (longest first), e.g. ``gB_places`` on "جنوب" and
    ``gI_places`` on "افريقيا" of "جنوب افريقيا"."""
    out: list[list[str]] = [[] for _ in keys]
    for name in ("gaz_loc", "gaz_org", "gaz_per", "places", "org_names"):
        table = phrases(name)
        starts = table.starts
        i = 0
        while i < len(keys):
            matched = 0
            # only the lengths of phrases that start with this word (or its stem), longest first
            lengths = starts.get(keys[i], ())
            if stems[i] != keys[i] and stems[i] in starts:
                lengths = sorted(set(lengths) | set(starts[stems[i]]), reverse=True)
            for n in lengths:
                if not 2 <= n <= len(keys) - i:
                    continue
                first = (keys[i],) + tuple(keys[i + 1:i + n])
                first_stem = (stems[i],) + tuple(keys[i + 1:i + n])
                if first in table or first_stem in table:
                    matched = n
                    break
            if matched:
                out[i].append("gB_" + name)
                for j in range(i + 1, i + matched):
                    out[j].append("gI_" + name)
                i += matched
            else:
                i += 1
    return out


_OFFSETS = (-2, -1, 1, 2)


@lru_cache(maxsize=20_000)  # ~2 KB an entry: the frequent words, which are most of the tokens
def _neighbour_features(token: str) -> tuple[tuple[str, ...], ...]:
    """The token's shared features as its neighbours see them ("-1:w=…"), one tuple per offset
    in ``_OFFSETS``: a frequent word's strings are built once, not at every occurrence."""
    shared = token_features(token)[1]
    return tuple(tuple(f"{d}:{f}" for f in shared) for d in _OFFSETS)


def sentence_features(tokens: list[str]) -> list[list[str]]:
    """Feature strings for each token of a sentence."""
    per = [token_features(t) for t in tokens]
    as_neighbour = [_neighbour_features(t) for t in tokens]
    keys = [norm(t) for t in tokens]
    stems = [_article_stem(k) for k in keys]
    gaz = _phrase_tags(keys, stems)
    n = len(tokens)
    out = []
    for i in range(n):
        own, shared = per[i]
        feats = ["bias", *own, *gaz[i]]
        for k, d in enumerate(_OFFSETS):
            j = i + d
            if 0 <= j < n:
                feats.extend(as_neighbour[j][k])
                if d in (-1, 1) and gaz[j]:
                    feats.extend(f"{d}:{g}" for g in gaz[j])
            else:
                feats.append(f"{d}:" + ("BOS" if j < 0 else "EOS"))
        if i > 0:
            feats.append("w-1|w=" + keys[i - 1] + "|" + keys[i])
        if i + 1 < n:
            feats.append("w|w+1=" + keys[i] + "|" + keys[i + 1])
        out.append(feats)
    return out


@lru_cache(maxsize=100_000)
def _article_stem(key: str) -> str:
    """The word with conjunction/preposition clitics removed but the article kept
    ("والكرملين" → "الكرملين"), for matching gazetteer phrases that start with ال."""
    pre, stem = clitics.split(key)
    if pre.endswith("ال"):
        return "ال" + stem
    if pre.endswith("لل"):
        return "ال" + stem
    return stem if pre else key


# --- document context aggregation -----------------------------------------------------------

#: Consecutive BIO sentences grouped into one pseudo-document for training and evaluation
#: (ANERcorp marks no article boundaries); the EntityTagger uses the real article.
DOC_SIZE = 20
_AGG_MAX_ZIPF = 4.5  # only words rare enough to be names get aggregated context


def _aggregate(doc_keys: list[list[str]], doc_tokens: list[list[str]]) -> dict[str, set[str]]:
    """For each rare word seen twice or more in a document, what its other occurrences say
    (Ratinov & Roth 2009, context aggregation): a title before it, a given name before it,
    a rare word after it, and the clusters of its neighbours."""
    where: dict[str, list[tuple[int, int]]] = {}
    for si, keys in enumerate(doc_keys):
        for i, k in enumerate(keys):
            where.setdefault(k, []).append((si, i))
    out: dict[str, set[str]] = {}
    for k, places in where.items():
        if len(places) < 2 or len(k) < 3 or is_punct(k) or k[:1].isdigit():
            continue
        tok = doc_tokens[places[0][0]][places[0][1]]
        if zipf(tok) >= _AGG_MAX_ZIPF or k in words("stop_names"):
            continue
        feats = {"agg_n=" + ("2" if len(places) == 2 else "3+" if len(places) < 5 else "5+")}
        for si, i in places:
            keys = doc_keys[si]
            for j in (i - 1, i - 2):
                if j >= 0 and _title(keys[j]):
                    feats.add("agg_title")
            if i > 0 and keys[i - 1] in words("first_names"):
                feats.add("agg_after_first")
            if i + 1 < len(keys) and not is_punct(keys[i + 1]) and zipf(doc_tokens[si][i + 1]) < 3.0:
                feats.add("agg_before_rare")
            for j, tag in ((i - 1, "pc"), (i + 1, "nc")):
                if 0 <= j < len(keys):
                    cl = cluster(keys[j])
                    if cl:
                        feats.add(f"agg_{tag}={cl[0]}")
        out[k] = feats
    return out


def document_features(doc: list[list[str]]) -> list[list[list[str]]]:
    """Features for each sentence of a document: :func:`sentence_features` plus the context
    aggregated over the word's other occurrences in the document."""
    doc_keys = [[norm(t) for t in tokens] for tokens in doc]
    agg = _aggregate(doc_keys, doc)
    out = []
    for tokens, keys in zip(doc, doc_keys):
        feats = sentence_features(tokens)
        for f, k in zip(feats, keys):
            extra = agg.get(k)
            if extra:
                f.extend(sorted(extra))
        out.append(feats)
    return out
