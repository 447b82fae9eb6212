"""Align the sentences of a story's articles into claims: one claim, the sentences that report it.

Two sentences from different articles report the same thing when their best pair of clauses
(or the sentences as wholes) score high on

    cosine of sentence embeddings + LEX_WEIGHT × weighted word overlap
    + FRAME_BONUS when both assert (or both deny) the same outcome ("لم نتوصل إلى تسوية" /
      "عدم التوصل إلى صيغة توافقية")
    + NUMBER_BONUS when both give the same quantity ("خمس ساعات")
    - NEGATION_MISMATCH when one is negated ("نفى الجيش سيطرة روسيا") and the other not
    - PERSON_MISMATCH when both sentences name people but not the same ones (names are those the
      ``mentions`` layer tagged anywhere in the story; no layer, no penalty).

Embeddings see paraphrase; word overlap (rare words weigh most) keeps topical look-alikes
apart; clauses let a long sentence that states several facts match on one of them. Clauses
that only attribute ("قال مساعد في الكرملين") are not compared.

Claims are grown by average-linkage agglomeration over cross-article pairs: the strongest pair
first, two groups merge when some pair links them (>= LINK) and their cross-article pairs
average >= MERGE_MEAN, and no article puts more than MAX_PER_ARTICLE sentences in one claim.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Callable

import numpy as np

from marsad.doc import Article
from marsad.link.compare.embed import Embedder, default_embedder
from marsad.link.compare.frames import Token, frames, tokens
from marsad.link.compare.lexical import overlap, word_keys
from marsad.link.compare.units import Unit, article_units
from marsad.link.compare.vectors import TITLE, SentenceVectors
from marsad.resources import lines
from marsad.text.normalize import normalize

LEX_WEIGHT = 0.5
FRAME_BONUS = 0.3
NUMBER_BONUS = 0.2
NEGATION_MISMATCH = 0.15  # one clause denies, the other does not: they do not say the same
PERSON_MISMATCH = 0.15  # both sentences name people (NER layer) and none in common
LINK = 0.85  # a pair at least this similar reports the same thing (set on 122 labelled ANT pairs,
# docs/evaluation.md "Summaries: ANT sample")
MERGE_MEAN = 0.8
MAX_PER_ARTICLE = 2
PREFILTER_COS = 0.3  # sentence or clause pairs below this cosine are not scored further
ATTRIBUTION_MAX_WORDS = 8
COMPLEMENTIZERS = frozenset({"ان", "انه", "انها", "انهم", "بان", "بانه", "بانها", "انما"})
QUOTE_MARKS = "«»“”\"‘’"


@lru_cache(maxsize=1)
def speech_verbs() -> frozenset[str]:
    return frozenset(normalize(w) for w in lines("compare/speech_verbs.txt"))


def is_attribution(text: str, toks: list[Token] | None = None) -> bool:
    """A clause that names who speaks but states nothing ("وأكد المتحدث باسم الكرملين").
    ``toks``: the tokens of ``text``, if at hand."""
    if any(q in text for q in QUOTE_MARKS):
        return False
    words = [t.key for t in (tokens(text) if toks is None else toks) if not t.is_break]
    if not words or len(words) > ATTRIBUTION_MAX_WORDS:
        return False
    verbs = speech_verbs()
    head = [w[1:] if w[:1] in ("و", "ف") and len(w) > 3 else w for w in words[:3]]
    if not any(w in verbs for w in head):
        return False
    return not any(w in COMPLEMENTIZERS for w in words)


@dataclass
class Clause:
    unit: int
    start: int
    end: int
    text: str
    attribution: bool
    frames: frozenset = frozenset()  # (concept, polarity)
    quantities: frozenset = frozenset()  # (value, unit)
    negated: bool = False


@dataclass
class Claim:
    members: list[int]  # unit indices, in story order
    representative: int


class Alignment:
    """Units, clause features, pair scores and claims of one story.

    ``sentence_vectors`` / ``clause_vectors``: given, or computed on first use by
    ``vectors_of()`` (a one-article story needs them only for a rare polarity check).
    """

    def __init__(self, articles: list[Article], units: list[Unit], clauses: list[Clause],
                 sentence_vectors: np.ndarray | None = None, clause_vectors: np.ndarray | None = None,
                 scores: np.ndarray | None = None, title_vectors: np.ndarray | None = None,
                 vectors_of: Callable[[], tuple[np.ndarray, np.ndarray, np.ndarray]] | None = None):
        self.articles, self.units, self.clauses = articles, units, clauses
        self._vectors = None if sentence_vectors is None else (sentence_vectors, clause_vectors, title_vectors)
        self._vectors_of = vectors_of
        n = len(units)
        self.scores = np.zeros((n, n), dtype=np.float32) if scores is None else scores  # 0 within an article
        self.claims: list[Claim] = []
        self.claim_of: dict[int, int] = {}  # unit -> claim index
        self._by_id = {a.id: a for a in articles}

    def _load(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        if self._vectors is None:
            self._vectors = self._vectors_of()
        return self._vectors

    @property
    def sentence_vectors(self) -> np.ndarray:
        return self._load()[0]

    @property
    def clause_vectors(self) -> np.ndarray:
        return self._load()[1]

    @property
    def title_vectors(self) -> np.ndarray:
        return self._load()[2]

    def unit_article(self, i: int) -> Article:
        return self._by_id[self.units[i].article]


@lru_cache(maxsize=1)
def vague_words() -> frozenset[str]:
    """Words that stand for a vague amount ("عشرات", "آلاف"), from the numbers component's own
    data file; such a quantity ("آلاف المهاجرين" = 1000?) is no evidence of the same fact."""
    try:
        rows = lines("numbers/vague.tsv")
    except (FileNotFoundError, OSError):
        return frozenset()
    return frozenset(f for row in rows if "\t" in row for f in row.split("\t", 1)[1].split("|"))


def is_vague(number: dict) -> bool:
    return (number.get("qualifier") or "") in vague_words()


def _quantities(article: Article, start: int, end: int) -> frozenset:
    return frozenset((float(n["value"]), n.get("unit")) for n in article.numbers or []
                     if start <= n["start"] and n["end"] <= end and n.get("unit") and not is_vague(n))


@lru_cache(maxsize=1)
def negation_cues() -> frozenset[str]:
    return frozenset(normalize(w) for w in lines("compare/negation.txt"))


def is_negated(text: str, toks: list[Token] | None = None) -> bool:
    cues = negation_cues()
    for t in tokens(text) if toks is None else toks:
        if not t.is_break and (t.key in cues or (t.key[:1] in ("و", "ف") and t.key[1:] in cues)):
            return True
    return False


def article_clauses(article: Article, units: list[Unit], first: int = 0) -> list[Clause]:
    """The clauses of ``article``'s units, numbered from unit ``first``."""
    out = []
    for i, u in enumerate(units, first):
        for c in u.clauses:
            toks = tokens(article.text, c.start, c.end)  # the clause's tokens, read once
            fr = frozenset((f.concept, f.polarity) for f in frames(article.text, c.start, c.end, toks))
            out.append(Clause(i, c.start, c.end, c.text, is_attribution(c.text, toks), fr,
                              _quantities(article, c.start, c.end), is_negated(c.text, toks)))
    return out


@dataclass
class ArticleParts:
    """What one article brings to any story it is in: its units and their clauses (``unit``
    numbered within the article), computed once however many stories are compared."""

    units: list[Unit]
    clauses: list[Clause]

    def own_clauses(self) -> list[int]:
        """Clauses embedded on their own: the others (a sentence of one clause, an attribution
        clause) borrow their sentence's vector."""
        return [k for k, c in enumerate(self.clauses)
                if not c.attribution and len(self.units[c.unit].clauses) > 1]

    def spans(self, article: Article) -> list[tuple[tuple[int, int], str]]:
        """Every span the comparison embeds, with its text: units, own clauses, the title."""
        out = [((u.start, u.end), u.text) for u in self.units]
        out += [((self.clauses[k].start, self.clauses[k].end), self.clauses[k].text) for k in self.own_clauses()]
        if article.title and article.title.strip():
            out.append((TITLE, article.title))
        return out


def article_parts(article: Article) -> ArticleParts:
    units = article_units(article)
    return ArticleParts(units, article_clauses(article, units))


def story_parts(articles: list[Article], parts: dict[str, ArticleParts]
                ) -> tuple[list[Unit], list[Clause], list[int]]:
    """The story's units and clauses (numbered across the story) and its own clauses;
    ``parts`` is filled in for the articles it lacks."""
    units: list[Unit] = []
    clauses: list[Clause] = []
    own: list[int] = []
    for a in articles:
        p = parts.get(a.id)
        if p is None:
            p = parts[a.id] = article_parts(a)
        own += [len(clauses) + k for k in p.own_clauses()]
        clauses += [replace(c, unit=c.unit + len(units)) for c in p.clauses] if units else p.clauses
        units += p.units
    return units, clauses, own


def story_vectors(articles: list[Article], parts: dict[str, ArticleParts], units: list[Unit],
                  clauses: list[Clause], own: list[int], vectors: SentenceVectors
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sentence, clause and title vectors of a story, embedding what ``vectors`` lacks."""
    vectors.ensure([(a.id, span, text) for a in articles for span, text in parts[a.id].spans(a)])
    if units:
        sv = vectors.rows([(u.article, (u.start, u.end)) for u in units])
    else:
        sv = np.zeros((0, 1), dtype=np.float32)
    # a sentence of one clause, or an attribution clause, borrows the sentence's vector
    cv = sv[[c.unit for c in clauses]] if clauses else np.zeros((0, sv.shape[1]), dtype=np.float32)
    if own:
        cv[own] = vectors.rows([(units[clauses[k].unit].article, (clauses[k].start, clauses[k].end)) for k in own])
    titled = [a for a in articles if a.title and a.title.strip()]
    tv = vectors.rows([(a.id, TITLE) for a in titled]) if titled else np.zeros((0, sv.shape[1]))
    return sv, cv, tv


def person_lexicon(articles: list[Article]) -> frozenset[str]:
    """Word keys of every person the NER layer found anywhere in the story: a name tagged in
    one sentence is recognised in all the others ("بوتين" tagged once, missed elsewhere)."""
    out: set[str] = set()
    for a in articles:
        for m in a.mentions or []:
            if m.get("type") == "PER":
                for w in a.text[m["start"]:m["end"]].split():
                    out |= word_keys(normalize(w))
    return frozenset(out)


def persons(text: str, lexicon: frozenset[str]) -> frozenset[str]:
    """The story's person-name words that ``text`` contains (as key sets, merged)."""
    out: set[str] = set()
    if lexicon:
        for t in tokens(text):
            keys = word_keys(t.key) if not t.is_break else frozenset()
            if keys & lexicon:
                out |= keys & lexicon
    return frozenset(out)


def score_pairs(units: list[Unit], clauses: list[Clause], sv: np.ndarray, cv: np.ndarray,
                people: list[frozenset[str]] | None = None) -> np.ndarray:
    n = len(units)
    art = np.array([hash(u.article) for u in units])
    cross = art[:, None] != art[None, :]
    scores = np.zeros((n, n), dtype=np.float32)
    if n == 0:
        return scores
    sent_cos = sv @ sv.T
    frames_of: dict[int, frozenset] = {}
    quantities_of: dict[int, frozenset] = {}
    negated = [False] * n
    for c in clauses:
        frames_of[c.unit] = frames_of.get(c.unit, frozenset()) | c.frames
        quantities_of[c.unit] = quantities_of.get(c.unit, frozenset()) | c.quantities
        negated[c.unit] = negated[c.unit] or c.negated
    for i, j in zip(*np.nonzero(np.triu(cross & (sent_cos >= PREFILTER_COS), 1))):
        s = sent_cos[i, j] + LEX_WEIGHT * overlap(units[i].bag, units[j].bag)
        if frames_of.get(i, frozenset()) & frames_of.get(j, frozenset()):
            s += FRAME_BONUS
        if quantities_of.get(i, frozenset()) & quantities_of.get(j, frozenset()):
            s += NUMBER_BONUS
        if negated[i] != negated[j]:
            s -= NEGATION_MISMATCH
        scores[i, j] = scores[j, i] = s
    if clauses:
        bags = [b for u in units for b in u.clause_bags]
        cu = np.array([c.unit for c in clauses])
        ok = np.array([not c.attribution for c in clauses])
        ccos = cv @ cv.T
        mask = (art[cu][:, None] != art[cu][None, :]) & ok[:, None] & ok[None, :] & (ccos >= PREFILTER_COS)
        for a, b in zip(*np.nonzero(np.triu(mask, 1))):
            ca, cb = clauses[a], clauses[b]
            s = ccos[a, b] + LEX_WEIGHT * overlap(bags[a], bags[b])
            if ca.frames & cb.frames:
                s += FRAME_BONUS
            if ca.quantities & cb.quantities:
                s += NUMBER_BONUS
            if ca.negated != cb.negated:
                s -= NEGATION_MISMATCH
            i, j = ca.unit, cb.unit
            if s > scores[i, j]:
                scores[i, j] = scores[j, i] = s
    if people:
        for i, j in zip(*np.nonzero(np.triu(scores > 0, 1))):
            if people[i] and people[j] and not people[i] & people[j]:
                scores[i, j] -= PERSON_MISMATCH
                scores[j, i] -= PERSON_MISMATCH
    return scores


def cluster(units: list[Unit], scores: np.ndarray) -> list[Claim]:
    n = len(units)
    group = list(range(n))
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    iu, ju = np.nonzero(np.triu(scores >= LINK, 1))
    order = np.argsort(-scores[iu, ju], kind="stable")
    for k in order:
        gi, gj = group[iu[k]], group[ju[k]]
        if gi == gj:
            continue
        a, b = members[gi], members[gj]
        counts: dict[str, int] = {}
        for m in a + b:
            counts[units[m].article] = counts.get(units[m].article, 0) + 1
        if max(counts.values()) > MAX_PER_ARTICLE:
            continue
        cross = [scores[x, y] for x in a for y in b if units[x].article != units[y].article]
        if not cross or float(np.mean(cross)) < MERGE_MEAN:
            continue
        members[gi] = sorted(a + b)
        for m in b:
            group[m] = gi
        del members[gj]
    claims = []
    for ms in members.values():
        if len({units[m].article for m in ms}) < 2:
            continue
        rep = max(ms, key=lambda m: (float(np.mean([scores[m, o] for o in ms if units[o].article != units[m].article])), -units[m].index))
        claims.append(Claim(ms, rep))
    return claims


def align(articles: list[Article], embedder: Embedder | None = None, vectors: SentenceVectors | None = None,
          parts: dict[str, ArticleParts] | None = None) -> Alignment:
    """Units, clause features, pair scores and claims of one story. ``vectors``: a cache of
    sentence vectors (else one for this call, with ``embedder``); ``parts``: the articles'
    units and clauses when already computed (filled in for the others)."""
    if vectors is None:
        vectors = SentenceVectors(embedder or default_embedder())
    parts = {} if parts is None else parts
    units, clauses, own = story_parts(articles, parts)
    sv, cv, tv = story_vectors(articles, parts, units, clauses, own, vectors)
    lexicon = person_lexicon(articles)
    people = [persons(u.text, lexicon) for u in units]
    scores = score_pairs(units, clauses, sv, cv, people)
    result = Alignment(articles, units, clauses, sv, cv, scores, tv)
    result.claims = cluster(units, scores)
    result.claim_of = {m: k for k, c in enumerate(result.claims) for m in c.members}
    return result


def unaligned(article: Article, vectors: SentenceVectors, parts: ArticleParts | None = None) -> Alignment:
    """A one-article story: its units and clauses, no pair scores and no claims (a claim needs
    two articles); vectors are embedded only if something asks for them."""
    known = {article.id: parts} if parts else {}
    units, clauses, own = story_parts([article], known)
    return Alignment([article], units, clauses,
                     vectors_of=lambda: story_vectors([article], known, units, clauses, own, vectors))
