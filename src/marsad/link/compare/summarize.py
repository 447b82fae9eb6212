"""Extractive story summary: whole sentences copied from the articles, each citing the articles
that carry it or a paraphrase of it, main facts first, no repeats.

A sentence's salience mixes

* centrality: mean embedding similarity to the story's other sentences (what many sentences
  talk about);
* lead position: news puts the main fact first (exp(-index / LEAD_DECAY));
* corroboration: independent sources of the claim the sentence belongs to;
* headline similarity: mean similarity to the articles' titles;

minus a penalty for sentences that lean on the one before ("وأضاف أن…", see
:mod:`.standalone`) and for very short or very long ones. Sentences are then
picked by maximal marginal relevance (MMR): salience against similarity to what is already
picked, until the target length or until what is left falls below RELATIVE_FLOOR of the best
salience (a short story padded with its off-topic lines reads worse than a short summary).
A sentence of an already covered claim, one close to a picked one by pair score (>=
REDUNDANT_PAIR), wording or embedding, is skipped.

A one-article story is summarised by its lead (:func:`lead_summary`): nothing to corroborate,
and no embeddings needed.
"""
from __future__ import annotations

import math

import numpy as np

from marsad.link.compare.align import LINK, Alignment
from marsad.link.compare.lexical import overlap
from marsad.link.compare.standalone import needs_subject
from marsad.link.compare.units import Unit

W_CENTRAL, W_LEAD, W_CORROB, W_TITLE = 0.3, 0.25, 0.25, 0.2
LEAD_DECAY = 3.0
DANGLING_PENALTY = 0.15
LENGTH_PENALTY = 0.1
SHORT_WORDS, LONG_WORDS = 8, 70
MMR_LAMBDA = 0.7
NEAR_DUPLICATE_COS = 0.7
REDUNDANT_PAIR = 0.75  # pair score (see align) at which two sentences repeat each other here;
# lower than align.LINK: dropping a near-repeat from a summary costs less than a false claim
NEAR_DUPLICATE_WORDS = 0.6
MAX_SENTENCES = 8
MIN_SENTENCES = 5
SINGLE_ARTICLE_SENTENCES = 3
RELATIVE_FLOOR = 0.35  # sentences below this share of the best salience are not worth adding
MIN_KEEP = 3  # ... unless the summary would be shorter than this


def dangling(text: str) -> bool:
    """Leans on the sentence before for its subject ("وأضاف أن…", a bare quotation, "وهو ما…"):
    :func:`marsad.link.compare.standalone.needs_subject`."""
    return needs_subject(text) is not None


def target_length(n_articles: int, n_candidates: int) -> int:
    if n_articles <= 1:
        return min(SINGLE_ARTICLE_SENTENCES, n_candidates)
    return min(MAX_SENTENCES, max(MIN_SENTENCES, 3 + n_articles), n_candidates)


def salience(al: Alignment, independent: dict[int, int], title_vectors: np.ndarray) -> np.ndarray:
    n = len(al.units)
    if n == 0:
        return np.zeros(0)
    sv = al.sentence_vectors
    sim = sv @ sv.T
    central = (sim.sum(axis=1) - 1.0) / max(1, n - 1)
    central = central / max(float(central.max()), 1e-9)
    lead = np.array([math.exp(-u.index / LEAD_DECAY) for u in al.units])
    top = max(independent.values(), default=1)
    corrob = np.array([(independent.get(i, 1) - 1) / (top - 1) if top > 1 else 0.0 for i in range(n)])
    if len(title_vectors):
        title = np.clip((sv @ title_vectors.T).mean(axis=1), 0, None)
        title = title / max(float(title.max()), 1e-9)
    else:
        title = np.zeros(n)
    score = W_CENTRAL * central + W_LEAD * lead + W_CORROB * corrob + W_TITLE * title
    for i, u in enumerate(al.units):
        score[i] -= penalty(u)
    return score


def penalty(u: Unit) -> float:
    """A sentence that leans on the one before, or a very short or very long one."""
    out = 0.0
    if dangling(u.text):
        out += DANGLING_PENALTY
    if u.words < SHORT_WORDS or u.words > LONG_WORDS:
        out += LENGTH_PENALTY
    return out


def citations(al: Alignment, i: int) -> list[str]:
    """The sentence's own article and every article with a sentence aligned to it directly
    (pair score >= LINK). Not the whole claim: a claim grown by average linkage may hold a
    looser neighbour ("Witkoff left Moscow after the talks") that does not carry this
    sentence's fact ("the talks brought no breakthrough")."""
    cited = {al.units[i].article}
    cited.update(al.units[j].article for j in np.nonzero(al.scores[i] >= LINK)[0])
    order = {a.id: n for n, a in enumerate(al.articles)}
    return sorted(cited, key=order.get)


def _item(u: Unit, articles: list[str]) -> dict:
    return {"text": u.text, "articles": articles, "sentence": {"article": u.article, "start": u.start, "end": u.end}}


def lead_summary(units: list[Unit]) -> list[dict]:
    """One article: its lead, without embeddings. The SINGLE_ARTICLE_SENTENCES best sentences
    by lead position less the penalties above (a sentence leaning on the one before, or very
    short or long, gives way to the next), no near-repeat by wording, in article order."""
    score = [W_LEAD * math.exp(-u.index / LEAD_DECAY) - penalty(u) for u in units]
    chosen: list[int] = []
    for i in sorted(range(len(units)), key=lambda i: (-score[i], i)):
        if len(chosen) >= target_length(1, len(units)):
            break
        if not any(overlap(units[i].bag, units[j].bag) >= NEAR_DUPLICATE_WORDS for j in chosen):
            chosen.append(i)
    return [_item(units[i], [units[i].article]) for i in sorted(chosen)]


def summarize(al: Alignment, independent: dict[int, int]) -> list[dict]:
    """``independent``: unit index -> independent sources of its claim (1 when none)."""
    n = len(al.units)
    if n == 0:
        return []
    if len(al.articles) == 1:
        return lead_summary(al.units)
    score = salience(al, independent, al.title_vectors)
    sim = al.sentence_vectors @ al.sentence_vectors.T
    want = target_length(len(al.articles), n)
    chosen: list[int] = []
    covered_claims: set[int] = set()
    candidates = set(range(n))
    top = float(score.max())
    while len(chosen) < want and candidates:
        if len(chosen) >= MIN_KEEP:
            candidates = {i for i in candidates if score[i] >= RELATIVE_FLOOR * top}
            if not candidates:
                break
        best, best_value = None, -1e9
        for i in sorted(candidates):
            redundancy = max((float(sim[i, j]) for j in chosen), default=0.0)
            value = MMR_LAMBDA * score[i] - (1 - MMR_LAMBDA) * redundancy
            if value > best_value:
                best, best_value = i, value
        candidates.discard(best)
        k = al.claim_of.get(best)
        if k is not None and k in covered_claims:
            continue
        if any(sim[best, j] >= NEAR_DUPLICATE_COS or al.scores[best, j] >= REDUNDANT_PAIR
               or overlap(al.units[best].bag, al.units[j].bag) >= NEAR_DUPLICATE_WORDS for j in chosen):
            continue
        chosen.append(best)
        if k is not None:
            covered_claims.add(k)
    return [_item(al.units[i], citations(al, i)) for i in chosen]
