"""The in-domain NER set: PER/ORG/LOC spans on ANT (2018) and SaudiNewsNet (2015) articles.

The repository holds no article text, only where the entities are
(`data/ner/indomain/annotations.jsonl`, one record per article)::

    {"corpus": "ant", "id": "AL-culture-1-20180218", "n": 17, "split": "train",
     "region_end": 987, "text_sha1": "…", "title_sha1": "…",
     "spans": [["title", 0, 5, "PER"], ["text", 102, 110, "ORG"], …]}

Offsets are code-point indices into the record's ``title`` / ``text`` field exactly as
``json.loads`` returns it from ``../shared/corpus`` (no normalisation). Only the title and
``text[:region_end]`` are annotated (:func:`region_end`); the hashes prove the corpus file is
the one the offsets were made on. Guidelines: docs/models/annotation.md.
"""
from __future__ import annotations

import bisect
import gzip
import hashlib
import json
import os
import re
from dataclasses import dataclass, field
from typing import Iterable, Iterator

from marsad.resources import data_path

CORPORA = {
    "ant": os.path.join("ant", "ant-v2.1.jsonl.gz"),
    "snn": os.path.join("saudinewsnet", "saudinewsnet.jsonl.gz"),
}
DEFAULT_CORPUS_DIR = os.path.join("..", "shared", "corpus")
TYPES = ("PER", "ORG", "LOC")
FIELDS = ("title", "text")
#: The annotated part of an article's text: about this many characters, cut at a sentence end.
REGION_CHARS = 1000
#: A first sentence longer than REGION_CHARS is kept whole up to this length.
REGION_MAX = 1600
_ID = re.compile(r'\{"id": "([^"\\]*)"')


def annotations_path() -> str:
    return str(data_path("ner/indomain/annotations.jsonl"))


def sha1(s: str) -> str:
    return hashlib.sha1(s.encode("utf-8")).hexdigest()


def region_end(text: str) -> int:
    """End of the annotated region of ``text``: the last sentence end at or before REGION_CHARS;
    when that leaves less than half of REGION_CHARS (a long sentence follows), the first
    sentence end up to REGION_MAX; else the last space before REGION_CHARS (a page without
    sentence marks)."""
    from marsad.text.segment import sentences

    if len(text) <= REGION_CHARS:
        return len(text.rstrip())
    ends = [s.end for s in sentences(text, 0, min(len(text), REGION_MAX + 1))]
    before = [e for e in ends if e <= REGION_CHARS]
    if before and before[-1] >= REGION_CHARS // 2:
        return before[-1]
    after = [e for e in ends if REGION_CHARS < e <= REGION_MAX]
    if after:
        return after[0]
    if before:
        return before[-1]
    cut = text.rfind(" ", 0, REGION_CHARS)
    return len(text[:cut if cut > 0 else REGION_CHARS].rstrip())


@dataclass
class Doc:
    """One annotated article: its corpus record and its gold spans."""
    corpus: str
    id: str
    split: str
    title: str
    text: str
    region_end: int
    spans: list[tuple[str, int, int, str]] = field(default_factory=list)  # (field, start, end, type)

    def field_text(self, name: str) -> str:
        return self.title if name == "title" else self.text[: self.region_end]


def read_records(path: str, ids: Iterable[str] | None = None) -> Iterator[dict]:
    """Records of a corpus JSONL(.gz) file (only those in ``ids`` when given), as ``json.loads``
    returns them."""
    wanted = set(ids) if ids is not None else None
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rt", encoding="utf-8") as f:
        for line in f:
            if wanted is not None:
                # cheap pre-filter: the id is the first field of every record
                m = _ID.match(line)
                if m and m.group(1) not in wanted:
                    continue
            rec = json.loads(line)
            if wanted is None or rec.get("id") in wanted:
                yield rec


def read_annotations(path: str | None = None) -> list[dict]:
    with open(path or annotations_path(), encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def load(
    corpus_dir: str = DEFAULT_CORPUS_DIR, splits: Iterable[str] | None = None, path: str | None = None,
) -> list[Doc]:
    """The annotated articles of ``splits`` (all when None) joined with their corpus text.

    Raises FileNotFoundError when a corpus file is absent and ValueError when a record's text
    is not the annotated one (hash mismatch) or a span is out of its region."""
    anns = [a for a in read_annotations(path) if splits is None or a["split"] in set(splits)]
    by_corpus: dict[str, dict[str, dict]] = {}
    for a in anns:
        by_corpus.setdefault(a["corpus"], {})[a["id"]] = a
    records: dict[tuple[str, str], dict] = {}
    for name, ids in by_corpus.items():
        for rec in read_records(os.path.join(corpus_dir, CORPORA[name]), ids):
            records[(name, rec["id"])] = rec
    docs = []
    for a in anns:
        rec = records.get((a["corpus"], a["id"]))
        if rec is None:
            raise ValueError(f"{a['corpus']} record {a['id']} not found in {corpus_dir}")
        doc = Doc(a["corpus"], a["id"], a["split"], rec.get("title") or "", rec["text"], a["region_end"],
                  [tuple(s) for s in a["spans"]])
        if sha1(doc.field_text("text")) != a["text_sha1"] or sha1(doc.title) != a["title_sha1"]:
            raise ValueError(f"{a['id']}: corpus text differs from the annotated one")
        for f_, s, e, t in doc.spans:
            if f_ not in FIELDS or t not in TYPES or not 0 <= s < e <= len(doc.field_text(f_)):
                raise ValueError(f"{a['id']}: bad span {(f_, s, e, t)}")
        docs.append(doc)
    return docs


def bio_sentences(doc: Doc) -> list[tuple[list[str], list[str]]]:
    """(tokens, BIO tags) for each sentence of the title and the text region, ANERcorp style:
    a token carrying a proclitic before the span ("والكرملين") gets the span's tag, as in
    ANERcorp; types PER/ORG/LOC are written PERS/ORG/LOC to match ANERcorp's tag set."""
    from marsad.ner.tokenize import tokenize
    from marsad.text.segment import sentences

    out = []
    for name in FIELDS:
        text = doc.field_text(name)
        spans = sorted((s, e, t) for f_, s, e, t in doc.spans if f_ == name)
        for sent in sentences(text):
            toks = tokenize(text, sent.start, sent.end)
            if not toks:
                continue
            tags = ["O"] * len(toks)
            for s, e, t in spans:
                idx = [i for i, tok in enumerate(toks) if tok.start < e and s < tok.end]
                kind = "PERS" if t == "PER" else t
                for j, i in enumerate(idx):
                    tags[i] = ("B-" if j == 0 else "I-") + kind
            out.append(([t.text for t in toks], tags))
    return out


# ---------------------------------------------------------------- evaluation

#: Between the title and the text when an article is tagged as one document.
_TITLE_JOIN = "\n\n"


def predicted_spans(doc: Doc, tagger) -> set[tuple[str, int, int, str]]:
    """The tagger's mentions as (field, start, end, type) within the annotated region. Title
    and text are tagged as one document, the title as its first paragraph (the whole text, so
    document propagation sees the whole article, as a reader does)."""
    joined = doc.title + _TITLE_JOIN + doc.text
    body = len(doc.title) + len(_TITLE_JOIN)
    out = set()
    for m in tagger.mentions(joined):
        if m["type"] not in TYPES:
            continue
        if m["end"] <= len(doc.title):
            out.add(("title", m["start"], m["end"], m["type"]))
        elif m["start"] >= body and m["end"] - body <= doc.region_end:
            out.add(("text", m["start"] - body, m["end"] - body, m["type"]))
    return out


def score_docs(docs: list[Doc], predictions: list[set]) -> dict:
    """Exact character-span P/R/F1 per type and micro-averaged (a mention counts only when its
    start, end and type all match a gold span)."""
    from marsad.ner.evaluate import prf_table

    gold = [{(f, s, e, t) for f, s, e, t in d.spans} for d in docs]
    return prf_table(
        ((i, *g) for i, spans in enumerate(gold) for g in spans),
        ((i, *p) for i, spans in enumerate(predictions) for p in spans),
        type_of=lambda span: span[-1],
    )


ERROR_KINDS = ("missed", "boundary", "wrong type", "spurious")


def error_kinds(gold: set, pred: set) -> list[tuple[str, str, tuple]]:
    """(type, kind, span) for each gold span not predicted exactly and each predicted span
    that overlaps no gold span (spans are (field, start, end, type)). A gold span is
    "wrong type" when a prediction has its exact extent, "boundary" when one overlaps it
    otherwise, and "missed" when none does. Linear in the spans: overlap is tested per
    field by bisection, not pairwise."""
    out = []
    for mine, other, unmatched_kind in ((gold, pred, None), (pred, gold, "spurious")):
        by_field: dict[str, list[tuple]] = {}
        for sp in other:
            by_field.setdefault(sp[0], []).append(sp)
        for spans in by_field.values():
            spans.sort(key=lambda x: (x[1], x[2]))
        for sp in sorted(mine - other):
            field, s, e, t = sp
            cands = by_field.get(field, [])
            # the spans of one side do not overlap, so sorted by start they are sorted by end
            i = bisect.bisect_right(cands, s, key=lambda x: x[2])  # the first one ending after s
            hits = []
            while i < len(cands) and cands[i][1] < e:
                if cands[i][2] > s:
                    hits.append(cands[i])
                i += 1
            if unmatched_kind:
                if not hits:
                    out.append((t, unmatched_kind, sp))
            elif not hits:
                out.append((t, "missed", sp))
            else:
                out.append((t, "wrong type" if any(h[1:3] == (s, e) for h in hits) else "boundary", sp))
    return out


def evaluate(split: str = "test", corpus_dir: str = DEFAULT_CORPUS_DIR, model_path: str | None = None,
             use_rules: bool = True, model: str = "crf", annotations: str | None = None) -> dict:
    """Score the EntityTagger on the in-domain ``split`` (exact character spans)."""
    import time

    from marsad.extract.entities import EntityTagger

    docs = load(corpus_dir, [split], annotations)
    tagger = EntityTagger(model_path=model_path, use_rules=use_rules, model=model)
    t0 = time.time()
    preds = [predicted_spans(d, tagger) for d in docs]
    result = score_docs(docs, preds)
    errors: dict[str, dict[str, int]] = {t: dict.fromkeys(ERROR_KINDS, 0) for t in TYPES}
    for d, p in zip(docs, preds):
        for t, kind, _ in error_kinds(set(d.spans), p):
            errors[t][kind] += 1
    result["errors"] = errors
    result.update(split=split, documents=len(docs), seconds=round(time.time() - t0, 2))
    return result


def second_pass_path() -> str:
    return str(data_path("ner/indomain/second_pass.jsonl"))


def agreement(first: str | None = None, second: str | None = None) -> dict:
    """Span-level agreement between two annotation passes over the same articles: exact-span
    P/R/F1 of the second pass against the first, per type and micro (F1 is symmetric)."""
    from marsad.ner.evaluate import prf_table

    b = {(a["corpus"], a["id"]): a for a in read_annotations(second or second_pass_path())}
    a = [x for x in read_annotations(first) if (x["corpus"], x["id"]) in b]
    if len(a) != len(b):
        raise ValueError("the second pass covers articles the first pass lacks")
    spans = lambda recs: [((r["corpus"], r["id"]), *s) for r in recs for s in map(tuple, r["spans"])]
    result = prf_table(spans(a), spans(b.values()), type_of=lambda x: x[-1])
    result["documents"] = len(a)
    return result
