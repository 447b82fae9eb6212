"""Named entities (PER, ORG, LOC) with roles: the per-article ``mentions`` layer.

The shipped CRF (:mod:`marsad.ner.model`, trained on ANERcorp) tags each sentence; a
BiLSTM-CNN-CRF (:mod:`marsad.ner.neural`) becomes the default only where its weights have been
trained into ``data/ner/neural.npz`` (not shipped: see docs/models/ner.md).
News-register rules
(:mod:`marsad.ner.rules`) add fixed organisation names, organisation patterns, persons named
after a title with their role, and gazetteer places. Mentions leave out attached conjunction
and preposition clitics ("لبوتين" → "بوتين", "والكرملين" → "الكرملين").
"""
from __future__ import annotations

import os
from typing import Any, Collection

from marsad.doc import Article
from marsad.ner import clitics, rules
from marsad.ner.bio import chunks
from marsad.ner.lexicon import norm
from marsad.ner.rules import Span
from marsad.ner.tokenize import Token, tokenize
from marsad.text.segment import sentences

_TYPES = {"PERS": "PER", "PER": "PER", "LOC": "LOC", "ORG": "ORG", "MISC": "MISC"}
#: A "sentence" longer than this (a page without sentence marks) is tagged in pieces: the rules
#: compare spans within a sentence, so one huge sentence made tagging quadratic. News sentences
#: are far shorter (a test keeps the seeds' mentions unchanged).
MAX_SENTENCE_TOKENS = 200
_CLAUSE_MARKS = {"،", ",", "؛", ";", ":"}


def _pieces(toks: list[Token]) -> list[list[Token]]:
    """``toks`` cut into runs of at most MAX_SENTENCE_TOKENS, after a clause mark where one is
    in the second half of the run."""
    out = []
    while len(toks) > MAX_SENTENCE_TOKENS:
        cut = MAX_SENTENCE_TOKENS
        for i in range(MAX_SENTENCE_TOKENS - 1, MAX_SENTENCE_TOKENS // 2, -1):
            if toks[i].text in _CLAUSE_MARKS:
                cut = i + 1
                break
        out.append(toks[:cut])
        toks = toks[cut:]
    return out + [toks] if toks else out


class EntityTagger:
    """Adds ``article.mentions``: dicts ``{start, end, type, text}`` plus ``role``,
    ``role_start``, ``role_end`` when a title/role precedes a person.

    ``model`` is ``"crf"`` (the shipped default) or ``"neural"`` (when trained); ``model_path``
    defaults to that model's shipped file; ``use_rules=False`` gives the bare model.
    """

    def __init__(self, model_path: str | None = None, use_rules: bool = True, model: str | None = None):
        self.model_path = model_path
        self.use_rules = use_rules
        self.model = model or default_model()

    def __call__(self, article: Article) -> Article:
        article.mentions = self.mentions(article.text)
        return article

    def mentions(self, text: str) -> list[dict[str, Any]]:
        doc = [piece for sent in sentences(text) for piece in _pieces(tokenize(text, sent.start, sent.end))]
        doc_spans = tag_document(
            [[t.text for t in toks] for toks in doc], self.model_path, self.use_rules, self.model
        )
        known = {norm(t.text) for toks in doc for t in toks}  # "وزابوريجيا" beside "زابوريجيا"
        return [
            _to_mention(text, toks, s, known)
            for toks, spans in zip(doc, doc_spans)
            for s in spans
            if s.type in ("PER", "LOC", "ORG")
        ]


def default_model() -> str:
    """``"neural"`` when its weights are shipped, else ``"crf"``."""
    from marsad.ner.neural import default_model_path

    return "neural" if os.path.exists(default_model_path()) else "crf"


def _model_tags(doc: list[list[str]], model_path: str | None, model: str, with_probs: bool):
    """(tags, P(person) per token or []) for each sentence of a document."""
    if model == "neural":
        from marsad.ner import neural

        result = neural.load(model_path).tag_document(doc, with_probs=with_probs)
        yield from zip(*result) if with_probs else ((t, []) for t in result)
        return
    if model != "crf":
        raise ValueError(f"unknown NER model {model!r}")
    from marsad.ner.features import document_features
    from marsad.ner.model import tag, tag_with_person_probs

    for words, feats in zip(doc, document_features(doc)):
        if with_probs:
            yield tag_with_person_probs(words, model_path, feats)
        else:
            yield tag(words, model_path, feats), []


def tag_document(
    doc: list[list[str]], model_path: str | None = None, use_rules: bool = True, model: str | None = None
) -> list[list[Span]]:
    """Entity spans (token indices; types PER, LOC, ORG, MISC) for each sentence of a document."""
    out = []
    for words, (tags, probs) in zip(doc, _model_tags(doc, model_path, model or default_model(), use_rules)):
        spans = [Span(s, e, _TYPES.get(k, k)) for k, s, e in chunks(tags)]
        if use_rules:
            spans = apply_rules(words, tags, probs, spans)
        out.append(spans)
    if use_rules:
        rules.propagate(doc, out)
    return out


def _overlaps(a: Span, b: Span) -> bool:
    return a.start < b.end and b.start < a.end


def _within(a: Span, b: Span) -> bool:
    return b.start <= a.start and a.end <= b.end


def apply_rules(words: list[str], tags: list[str], probs: list[float], spans: list[Span]) -> list[Span]:
    """Merge rule spans into the model's spans for one sentence (token indices)."""
    keys = [rules.article_key(w) for w in words]
    spans = [part for s in spans for part in (rules.split_person(words, s) if s.type == "PER" else [s])]
    # Fixed organisation names are precise: they replace what they overlap unless a longer
    # ORG from the model already covers them ("وكالة فرانس برس").
    for r in rules.org_name_spans(keys):
        longer = [s for s in spans if s.type == "ORG" and _within(r, s)]
        if longer and not rules.place_tail(keys, longer[0], r):
            continue
        # a fixed name the model ran into a place ("مطالبة الكرملين أوكرانيا بالتخلي"):
        # the name, then the place
        spans = [s for s in spans if not _overlaps(s, r)] + [r]
        if longer:
            spans.append(Span(r.end, longer[0].end, "LOC", "places"))
    for r in rules.org_pattern_spans(words):
        hit = [s for s in spans if _overlaps(s, r)]
        if not hit:
            spans.append(r)
        elif all(s.type in ("ORG", "LOC") and s.start >= r.start for s in hit):
            merged = Span(r.start, max([r.end] + [s.end for s in hit]), "ORG", "org_pattern")
            spans = [s for s in spans if s not in hit] + [merged]
    covered = {i for s in spans if s.type in ("ORG", "LOC", "MISC") for i in range(s.start, s.end)}
    for r in rules.title_person_spans(words, tags, probs, covered):
        hit = [s for s in spans if _overlaps(s, r)]
        if all(_within(s, r) for s in hit) or all(s.type == "PER" and s.start == r.start for s in hit):
            # new person, or the model's is extended ("ستيف" → "ستيف ويتكوف")
            r.end = max([r.end] + [s.end for s in hit])
            spans = [s for s in spans if s not in hit] + [r]
    # An adverb in -اً ("روسياً", "أوكرانياً") is not a name.
    spans = [s for s in spans if not rules.is_adverb(words[s.end - 1])]
    for r in rules.first_name_spans(words, tags, probs):
        hit = sorted((s for s in spans if _overlaps(s, r)), key=lambda s: s.start)
        if not hit:
            spans.append(r)
        elif all(s.type == "PER" for s in hit) and all(_within(s, r) for s in hit[1:]):
            keep = hit[0]  # extend the person already found, keeping its role
            keep.start, keep.end = min(keep.start, r.start), max([r.end] + [s.end for s in hit])
            spans = [s for s in spans if s not in hit[1:]]
    spans = [part for s in spans for part in (rules.split_person(words, s) if s.type == "PER" else [s])]
    spans = [rules.trim_person(words, probs, s) if s.type == "PER" else s for s in spans]
    for r in rules.place_spans(keys, words):
        if not any(_overlaps(s, r) for s in spans):
            spans.append(r)
    spans = rules.place_org_spans(words, spans)
    spans.sort(key=lambda s: s.start)
    spans = rules.join_name_tail(words, spans)
    covered = {i for s in spans if s.type in ("ORG", "LOC", "MISC") for i in range(s.start, s.end)}
    for s in spans:
        if s.type == "PER" and s.role is None:
            s.role = rules.role_before(words, tags, s, covered)
    return spans


def _to_mention(text: str, tokens: list[Token], span: Span, known: Collection[str] = ()) -> dict[str, Any]:
    first = tokens[span.start]
    start = first.start + clitics.mention_skip(first.text, known)
    end = tokens[span.end - 1].end
    item: dict[str, Any] = {"start": start, "end": end, "type": span.type, "text": text[start:end]}
    if span.role:
        head = tokens[span.role[0]]
        r_start = head.start + clitics.mention_skip(head.text)
        r_end = tokens[span.role[1] - 1].end
        item.update(role=text[r_start:r_end], role_start=r_start, role_end=r_end)
    return item
