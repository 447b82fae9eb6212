"""Full-text search over the store: the FTS5 keys of an article and the ranked query on them.

Index side: :func:`search_columns` gives the strings the store writes into ``search_articles``
(rowid = ``articles.seq``), one per name in :data:`COLUMNS`, in that order:

- ``title``, ``body``: :func:`marsad.text.normalize.normalize` keys of the title and the text
  (hamza/alef, ya, ta marbuta, diacritics, digits unified), so هيئة finds هيئه and أمس finds امس.
- ``loose``: every word of title and body once more as its *loose key* (:func:`loose_word`:
  without the inner long vowels ا و ي when at least :data:`MIN_LOOSE` letters remain, so
  ترامب/ترمب → ترمب and زيلينسكي/زيلنسكي → زلنسكي; short native words keep them, رئيس is
  not رأس), plus the key of the word without its prefixes (وترامب, لترامب → ترمب; see
  :func:`loose_keys`). Transliterated names differ mostly in those vowels. The column is weighted
  lower in bm25 (:data:`WEIGHTS`), so exact spellings rank first.

Query side: :func:`search` normalises the query into words, quotes every word as an FTS5 phrase
(user input is never FTS syntax), ORs each word with its loose key and with the spellings the
entity table knows for it (``entity_keys`` 'n:' keys → ``entities.variants``), ANDs the words,
ranks by bm25 and cuts a snippet for each hit from the original ``articles.text``: the
highlight pattern is built from the same keys but matches the raw text (diacritics, tatweel and
every letter form allowed), so highlight offsets index ``articles.text`` exactly.
"""
from __future__ import annotations

import html
import json
import re
import sqlite3
from bisect import bisect_right
from functools import lru_cache
from itertools import chain
from typing import Any, Iterable

from marsad.text.normalize import normalize

#: The columns of the FTS5 table ``search_articles``, in the order :func:`search_columns` returns.
COLUMNS = ("title", "body", "loose")
#: bm25 weight of each column (same order): a title hit counts most, a loose-key hit least.
WEIGHTS = (10.0, 4.0, 1.0)
#: Shortest loose key (after the clitics) on which inner long vowels are dropped.
MIN_LOOSE = 4
MAX_TERMS = 12  # words of a query that are used
MAX_WORD = 64  # characters of a query word that are used
MAX_ENTITIES = 5  # entities a query is expanded through
MAX_VARIANTS = 16  # spellings taken from one entity
SNIPPET_CHARS = 220
#: Matches ranked per query: the most recently stored ones (bounded work for very common words:
#: bm25 is computed for every match ranked).
RANK_CAP = 1000
#: Characters of a result's text searched for highlights (a 1 MB article costs no more than a page).
HIGHLIGHT_SCAN = 20_000

_TOKEN = re.compile(r"\w+")
_LONG_VOWELS = frozenset("اوي")
# One foreign sound, several letters (as marsad.link.names.variants): g غ ج گ, v ڤ ف, p پ ب, ch چ ج.
_FOLD = str.maketrans({"غ": "ج", "گ": "ج", "ڤ": "ف", "پ": "ب", "چ": "ج"})
_ARTICLES = ("وال", "بال", "كال", "فال", "لل", "ال")  # longest first


def strip_clitics(word: str) -> str:
    """A normalised word without a leading conjunction (و ف) and definite article or one-letter
    preposition (ال، لل، ب، ل، ك): light stemming, prefixes only, at least 3 letters kept."""
    for p in _ARTICLES:
        if word.startswith(p) and len(word) - len(p) >= 3:
            return word[len(p):]
    if word[:1] in ("و", "ف") and len(word) >= 4:
        word = word[1:]
        for p in ("ال", "لل"):
            if word.startswith(p) and len(word) - len(p) >= 3:
                return word[len(p):]
    if word[:1] in ("ب", "ل", "ك") and len(word) >= 4:
        return word[1:]
    return word


def _split_article(word: str) -> tuple[str, str]:
    for p in _ARTICLES:
        if word.startswith(p) and len(word) - len(p) >= 3:
            return p, word[len(p):]
    return "", word


def _skeleton(core: str) -> str | None:
    """First letter, consonants, last letter; None when fewer than MIN_LOOSE letters remain."""
    if len(core) <= 2:
        return None
    skeleton = core[0] + "".join(c for c in core[1:-1] if c not in _LONG_VOWELS) + core[-1]
    return skeleton if len(skeleton) >= MIN_LOOSE else None


def loose_word(word: str) -> str:
    """The loose key of one normalised word: inner long vowels dropped when at least MIN_LOOSE
    letters remain besides a definite article (ترامب → ترمب; رييس, الرييس stay), foreign-sound
    letters folded (غ → ج)."""
    w = word.translate(_FOLD)
    article, core = _split_article(w)
    skeleton = _skeleton(core)
    return article + skeleton if skeleton else w


@lru_cache(maxsize=200_000)  # called for every word of every stored article: words repeat
def loose_keys(word: str) -> tuple[str, ...]:
    """What the loose column holds for a word: its loose key, and that of the word without its
    prefixes when it has some (وترامب → وترمب ترمب), so a bare query finds prefixed forms."""
    core = strip_clitics(word)
    return (loose_word(word),) if core == word else (loose_word(word), loose_word(core))


def search_columns(title: str | None, text: str) -> tuple[str, str, str]:
    """The values of :data:`COLUMNS` for one article (what the store writes into search_articles)."""
    title_key, body_key = normalize(title or ""), normalize(text or "")
    loose = " ".join(chain.from_iterable(map(loose_keys, _TOKEN.findall(title_key + " " + body_key))))
    return title_key, body_key, loose


# ---- query ----------------------------------------------------------------------------------

def query_words(q: str) -> list[str]:
    """The normalised words of a user query (at most MAX_TERMS, each at most MAX_WORD chars)."""
    return [w[:MAX_WORD] for w in _TOKEN.findall(normalize(q or ""))][:MAX_TERMS]


def _phrase(words: Iterable[str]) -> str:
    # A quoted FTS5 string is literal: operators, colons and stars inside it are plain text.
    return '"' + " ".join(w.replace('"', '""') for w in words) + '"'


def _alternative(alts: Iterable[tuple[str, ...]]) -> str:
    """FTS5 expression: any of the spellings in title/body, or its loose key in `loose`."""
    alts = list(dict.fromkeys(alts))
    looses = [tuple(loose_word(w) for w in a) for a in alts]
    looses += [(loose_word(_split_article(a[0])[1]),) for a in alts if len(a) == 1 and _split_article(a[0])[0]]
    looses = list(dict.fromkeys(looses))  # الرئيس also finds رئيس, والرئيس, للرئيس in `loose`
    # A spelling that is its own loose key is one phrase over all three columns: bm25 reads a
    # phrase's whole posting list once per phrase (document frequency), so fewer phrases, less work.
    both = [a for a in alts if a in looses]
    exact = [a for a in alts if a not in both]
    loose = [a for a in looses if a not in both]
    groups = _without_subsumed([(("title", "body", "loose"), both), (("title", "body"), exact), (("loose",), loose)])
    return "(" + " OR ".join(f"{{{' '.join(cols)}}} : ({' OR '.join(map(_phrase, phrases))})"
                             for cols, phrases in groups if phrases) + ")"


def _contains(phrase: tuple[str, ...], part: tuple[str, ...]) -> bool:
    n = len(part)
    return len(phrase) > n and any(phrase[i:i + n] == part for i in range(len(phrase) - n + 1))


def _without_subsumed(groups: list[tuple[tuple[str, ...], list[tuple[str, ...]]]]):
    """Drop a phrase that contains a shorter phrase searched in the same columns or more
    (الولايات المتحده الامريكيه beside الولايات المتحده): it matches nothing more, and each
    phrase costs bm25 a scan of its posting lists."""
    return [(cols, [p for p in phrases
                    if not any(set(cols) <= set(cols2) and _contains(p, q) for cols2, qs in groups for q in qs)])
            for cols, phrases in groups]


def _variants(db: sqlite3.Connection, keys: list[str]) -> tuple[list[str], list[tuple[str, ...]]]:
    """Entity ids with one of `keys` ('n:' keys) and their spellings as normalised word tuples."""
    if not keys:
        return [], []
    marks = ",".join("?" * len(keys))
    rows = db.execute(
        f"SELECT e.id, e.name, e.variants FROM entities e WHERE e.id IN "
        f"(SELECT entity FROM entity_keys WHERE key IN ({marks})) ORDER BY e.mentions DESC LIMIT ?",
        (*keys, MAX_ENTITIES),
    ).fetchall()
    ids, spellings = [], []
    for eid, name, variants in rows:
        ids.append(eid)
        try:
            forms = [name, *json.loads(variants or "[]")][:MAX_VARIANTS]
        except ValueError:
            forms = [name]
        for form in forms:
            words = tuple(w[:MAX_WORD] for w in _TOKEN.findall(normalize(str(form))))
            if words:
                spellings.append(words)
    return ids, spellings


def name_keys(words: list[str]) -> list[str]:
    """The entity_keys 'n:' key of a query: 'n:' + the normalised spelling of a variant."""
    return ["n:" + " ".join(words)] if words else []


def build_query(db: sqlite3.Connection, q: str) -> tuple[str | None, list[tuple[str, ...]], list[str]]:
    """(FTS5 MATCH expression or None, every spelling searched, ids of entities expanded through)."""
    words = query_words(q)
    if not words:
        return None, [], []
    entity_ids, whole = _variants(db, name_keys(words))  # the whole query is a name
    whole = list(dict.fromkeys(whole))
    searched = [tuple(words)] + whole if whole else [(w,) for w in words]
    # a name's spellings form one alternative: spellings that share a loose key (ترامب ترمب →
    # ترمب) search its posting list once, not once each
    if len(words) == 1 or whole:
        # a query that is a known name is searched as that name (its spellings as phrases): its
        # words scattered over an article (المملكة … المتحدة) are noise, and ANDing every word's
        # spellings costs a posting-list scan per word for bm25's document frequencies
        return _alternative([tuple(words), *whole]), list(dict.fromkeys(searched)), entity_ids
    parts = []
    for w in words:  # a name inside a longer query: its one-word spellings too
        ids, spellings = _variants(db, name_keys([w]))
        entity_ids += [i for i in ids if i not in entity_ids]
        alts = list(dict.fromkeys([(w,)] + [s for s in spellings if len(s) == 1]))
        searched += alts[1:]
        parts.append(_alternative(alts))
    return " AND ".join(parts), list(dict.fromkeys(searched)), entity_ids


# ---- highlighting in the original text --------------------------------------------------------

_MARKS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640"  # diacritics and tatweel
_MARK_RUN = re.compile(f"[{_MARKS}]+")
# Raw letters behind each normalised (and folded) letter.
_RAW = {
    "ا": "اأإآٱ", "ي": "يىئی", "و": "وؤ", "ه": "هةہ", "ك": "كک",
    "ج": "جغگچ", "ف": "فڤ", "ب": "بپ",
    **{str(i): str(i) + chr(0x0660 + i) + chr(0x06F0 + i) for i in range(10)},
}
_VOWELS = "".join(_RAW[c] for c in "اوي")


class _Unmarked:
    """A text without its diacritics and tatweel, and the way back to the raw text's offsets.

    The highlight patterns run on it: without "any marks here" after every letter they compile
    several times faster (a new query compiles one) and scan faster."""

    __slots__ = ("text", "_cuts", "_removed")

    def __init__(self, raw: str):
        runs = [m.span() for m in _MARK_RUN.finditer(raw)]
        if not runs:
            self.text, self._cuts, self._removed = raw, [], []
            return
        parts, prev, removed = [], 0, 0
        self._cuts, self._removed = [], []  # where a run was cut out (unmarked offset), marks cut so far
        for a, b in runs:
            parts.append(raw[prev:a])
            self._cuts.append(a - removed)
            removed += b - a
            self._removed.append(removed)
            prev = b
        parts.append(raw[prev:])
        self.text = "".join(parts)

    def raw(self, pos: int) -> int:
        """Raw offset of unmarked offset `pos`; marks cut out at `pos` (those right after a
        span's last letter, or before its first) count as before it."""
        i = bisect_right(self._cuts, pos)
        return pos + (self._removed[i - 1] if i else 0)

    def span(self, m: re.Match) -> tuple[int, int]:
        return self.raw(m.start()), self.raw(m.end())


def _cls(c: str) -> str:
    forms = _RAW.get(c, c)
    return re.escape(forms) if len(forms) == 1 else "[" + re.escape(forms) + "]"


def _word_pattern(word: str) -> str:
    """Pattern of a normalised word in unmarked raw text: its letters in any form, inner long
    vowels optional where its loose key drops them, after optional prefixes."""
    w = word.translate(_FOLD)
    article, core = _split_article(w)
    body = "".join(map(_cls, article))
    skeleton = _skeleton(core)
    if skeleton:  # vowel-insensitive: consonants, long vowels optional between
        inner = f"[{re.escape(_VOWELS)}]*"
        body += _cls(skeleton[0]) + "".join(inner + _cls(c) for c in skeleton[1:])
    else:
        body += "".join(map(_cls, core))
    prefix = f"[وف]?(?:[وبكف]?{_cls('ا')}ل|لل|[بلك])?"
    return prefix + body


def _phrase_pattern(phrase: str) -> str:
    return r"\s+".join(_word_pattern(w) for w in phrase.split())


@lru_cache(maxsize=256)
def _highlighter(words: tuple[str, ...]) -> re.Pattern | None:
    """One pattern for `words` (normalised; an entry with spaces is a phrase: its words in
    sequence), run on unmarked text."""
    pieces = sorted({_phrase_pattern(w) for w in words if w.strip()}, key=len, reverse=True)
    if not pieces:
        return None
    return re.compile(rf"(?<!\w)(?:{'|'.join(pieces)})(?!\w)", re.IGNORECASE)


def highlight_spans(text: str, words: Iterable[str], limit: int = 200) -> list[tuple[int, int]]:
    """(start, end) offsets in `text` of the words matching any of `words` (normalised words; one
    with spaces is a phrase)."""
    pattern = _highlighter(tuple(sorted(set(words))))
    if pattern is None or not text:
        return []
    plain = _Unmarked(text)
    return [plain.span(m) for m, _ in zip(pattern.finditer(plain.text), range(limit))]


def snippet(text: str, spans: list[tuple[int, int]], width: int = SNIPPET_CHARS) -> dict[str, Any]:
    """The window of `text` holding the most highlighted spans, cut at spaces.

    Returns {"text", "start", "end", "highlights": [[start, end], ...] relative to "text"}."""
    if not text:
        return {"text": "", "start": 0, "end": 0, "highlights": []}
    best, best_n = 0, 0
    for i, (s, _) in enumerate(spans):
        n = sum(1 for a, b in spans[i:] if b <= s + width)
        if n > best_n:
            best, best_n = max(0, s - width // 5), n
    start, end = best, min(len(text), best + width)
    if start > 0:
        cut = text.find(" ", start, start + 30)
        start = cut + 1 if cut != -1 else start
    if end < len(text):
        cut = text.rfind(" ", end - 30, end)
        end = cut if cut > start else end
    marks = [[a - start, b - start] for a, b in spans if a >= start and b <= end]
    return {"text": text[start:end], "start": start, "end": end, "highlights": marks}


def first_snippet(text: str, words: Iterable[str], width: int = SNIPPET_CHARS) -> dict[str, Any]:
    """:func:`snippet` around the first highlighted word of `text` (within HIGHLIGHT_SCAN
    characters), from the spans up to two widths past it: the pattern stops there (a search
    cuts 20 of these per page, and the first mention is usually early)."""
    pattern = _highlighter(tuple(sorted(set(words))))
    spans: list[tuple[int, int]] = []
    if pattern is not None and text:
        plain = _Unmarked(text[:HIGHLIGHT_SCAN])
        for m in pattern.finditer(plain.text):
            if spans and m.start() >= first + 2 * width:
                break
            if not spans:
                first = m.start()
            spans.append(plain.span(m))
    return snippet(text, spans, width)


def marked_html(text: str, highlights: list[list[int]]) -> str:
    """`text` HTML-escaped with <mark> around the highlights (safe to insert as HTML)."""
    out, pos = [], 0
    for a, b in highlights:
        if a < pos:
            continue
        out += [html.escape(text[pos:a]), "<mark>", html.escape(text[a:b]), "</mark>"]
        pos = b
    out.append(html.escape(text[pos:]))
    return "".join(out)


# ---- search -----------------------------------------------------------------------------------

def _filters(outlet=None, since=None, until=None, story=None) -> tuple[str, list]:
    sql, args = [], []
    if outlet:
        sql.append("a.outlet = ?")
        args.append(outlet)
    if since:
        sql.append("a.published >= ?")
        args.append(since)
    if until:
        sql.append("a.published <= ? || '~'")  # until 2025-10 includes 2025-10-31
        args.append(until)
    if story:
        sql.append("a.id IN (SELECT article FROM story_members WHERE story = ?)")
        args.append(story)
    return "".join(" AND " + s for s in sql), args


def search(db: sqlite3.Connection, q: str, limit: int = 20, offset: int = 0, *, outlet: str | None = None,
           since: str | None = None, until: str | None = None, story: str | None = None,
           with_total: bool = True) -> dict[str, Any]:
    """Articles matching `q`, best first: {"results": [...], "total", "total_exact", "searched",
    "entities"}. Of more than RANK_CAP matches, the RANK_CAP most recently stored are ranked
    (total = RANK_CAP, total_exact = False): the work per query stays bounded. A result is {"id", "title", "outlet", "published", "story", "score", "snippet",
    "snippet_start", "highlights", "snippet_html", "title_highlights"}."""
    expr, searched, entity_ids = build_query(db, q)
    out: dict[str, Any] = {"results": [], "total": 0, "total_exact": True,
                           "searched": [" ".join(s) for s in searched], "entities": entity_ids}
    if expr is None:
        return out
    where, args = _filters(outlet, since, until, story)
    weights = ", ".join(str(w) for w in WEIGHTS)
    join = " JOIN articles a ON a.seq = s.rowid" if where else ""
    # One pass over the matches: rank, page and count them (count(*) OVER () before the LIMIT).
    rows = db.execute(
        f"""WITH ranked AS MATERIALIZED (
              SELECT s.rowid AS seq, bm25(search_articles, {weights}) AS score
              FROM search_articles s{join} WHERE search_articles MATCH ?{where}
              ORDER BY s.rowid DESC LIMIT {RANK_CAP + 1}),
            hits AS (SELECT seq, score, count(*) OVER () AS n FROM ranked ORDER BY score LIMIT ? OFFSET ?)
            SELECT a.id, a.title, a.outlet, a.published, a.text, m.story, hits.score, hits.n
            FROM hits JOIN articles a ON a.seq = hits.seq
            LEFT JOIN story_members m ON m.article = a.id ORDER BY hits.score""",
        (expr, *args, limit, offset),
    ).fetchall()
    words = [" ".join(s) for s in searched]  # a name's spelling is highlighted as a whole
    for aid, title, outlet_, published, text, story_, score, _ in rows:
        cut = first_snippet(text, words)
        out["results"].append({
            "id": aid, "title": title, "outlet": outlet_, "published": published, "story": story_,
            "score": round(-score, 4),
            "snippet": cut["text"], "snippet_start": cut["start"], "highlights": cut["highlights"],
            "snippet_html": marked_html(cut["text"], cut["highlights"]),
            "title_highlights": [list(s) for s in highlight_spans(title or "", words)],
        })
    if rows:
        out["total"], out["total_exact"] = min(rows[0][-1], RANK_CAP), rows[0][-1] <= RANK_CAP
    elif offset and with_total:  # past the last page: count (bounded) without ranking
        n = db.execute(f"SELECT count(*) FROM (SELECT 1 FROM search_articles s{join} WHERE search_articles "
                       f"MATCH ?{where} LIMIT {RANK_CAP + 1})", (expr, *args)).fetchone()[0]
        out["total"], out["total_exact"] = min(n, RANK_CAP), n <= RANK_CAP
    return out


def prefix_bounds(prefix: str) -> tuple[str, str]:
    return prefix, prefix + "\U0010ffff"


def entity_key_prefix(q: str) -> str:
    """The entity_keys key text (after 'n:', the normalised spelling) a name prefix is looked up with."""
    return normalize(q or "")


def entity_filter(prefix: str | None, type_: str | None) -> tuple[str, list]:
    """SQL condition (on entities e) for a name/variant prefix and a type."""
    sql, args = [], []
    key = entity_key_prefix(prefix) if prefix else ""
    if prefix and not key:
        return " AND 0", []
    if key:
        sql.append("e.id IN (SELECT entity FROM entity_keys WHERE key >= ? AND key < ?)")
        args += [*prefix_bounds("n:" + key)]
    if type_:
        sql.append("e.type = ?")
        args.append(type_)
    return "".join(" AND " + s for s in sql), args


def search_entities(db: sqlite3.Connection, prefix: str, limit: int = 10, type_: str | None = None) -> list[dict]:
    """Entities with a name or spelling starting with `prefix`, most mentioned first."""
    where, args = entity_filter(prefix, type_)
    rows = db.execute(
        f"SELECT e.id, e.type, e.name, e.latin, e.variants, e.mentions, e.articles FROM entities e "
        f"WHERE 1{where} ORDER BY e.mentions DESC LIMIT ?", (*args, limit)).fetchall()
    return [{"id": r[0], "type": r[1], "name": r[2], "latin": r[3], "variants": json.loads(r[4] or "[]"),
             "mentions": r[5], "articles": r[6]} for r in rows]
