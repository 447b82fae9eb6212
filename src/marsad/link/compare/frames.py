"""Outcome statements and their polarity: "تم إحراز بعض التقدم" (progress, asserted) against
"دون تحقيق أي تقدم" / "لم تسفر عن انفراجة" (progress, denied).

An outcome word (``data/compare/outcomes.tsv``) is a statement only when a verb asserting it
(``assertion_verbs.txt``) or a negation cue (``negation.txt``) stands a few words before it in
the same clause; a goal or hope word there ("جهود للتوصل إلى اتفاق", "متفائلة بالتوصل",
``goal_markers.txt``) makes it no statement at all, and so does a word next to it that gives it
another sense (``outcome_other_senses.tsv``: "أكبر تقدم على الجبهة" is a military advance).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from marsad.link.compare.lexical import ARTICLE_PREFIXES, BARE_PREFIXES
from marsad.resources import lines
from marsad.text.normalize import normalize, strip_diacritics

_MARKS = "\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640"  # diacritics, tatweel
TOKEN = re.compile(rf"(?:[^\W\d_]|[{_MARKS}])+|\d+(?:[.,]\d+)*|[،؛;:.!?؟…]")
CLAUSE_BREAKS = frozenset("،؛;:.!?؟…")
BUT = frozenset({"لكن", "ولكن", "لكنه", "لكنها", "بينما", "غير ان"})
WINDOW = 6  # words looked at before an outcome word


@dataclass(frozen=True)
class Frame:
    concept: str
    polarity: int  # +1 asserted, -1 denied
    start: int  # offsets of the outcome word in the text
    end: int


class Token(NamedTuple):  # a tuple: clauses are tokenised by the thousand
    start: int
    end: int
    key: str  # normalised
    is_break: bool


@lru_cache(maxsize=200_000)
def token_key(word: str) -> str:
    """The normalised key of one word token (a word recurs: normalise it once)."""
    return normalize(strip_diacritics(word))


def tokens(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    end = len(text) if end is None else end
    out = []
    for m in TOKEN.finditer(text, start, end):
        w = m.group()
        brk = w in CLAUSE_BREAKS
        out.append(Token(m.start(), m.end(), w if brk else token_key(w), brk))
    return out


@lru_cache(maxsize=200_000)
def bare_forms(key: str) -> frozenset[str]:
    """The word and the word without article/conjunction/preposition prefixes."""
    forms = {key}
    for p in ARTICLE_PREFIXES:
        if key.startswith(p) and len(key) - len(p) >= 2:
            forms.add(key[len(p):])
    for p in BARE_PREFIXES:
        if key.startswith(p) and len(key) - 1 >= 2:
            rest = key[1:]
            forms.add(rest)
            for q in ARTICLE_PREFIXES:
                if rest.startswith(q) and len(rest) - len(q) >= 2:
                    forms.add(rest[len(q):])
    return frozenset(forms)


def _set(name: str) -> frozenset[str]:
    return frozenset(normalize(w) for w in lines(f"compare/{name}"))


@lru_cache(maxsize=1)
def lexicon():
    concepts: dict[tuple[str, ...], str] = {}
    about: dict[str, str] = {}
    for line in lines("compare/outcomes.tsv"):
        concept, label, forms = line.split("\t")
        about[concept] = label
        for form in forms.split("|"):
            concepts[tuple(normalize(form).split())] = concept
    return concepts, about, _set("negation.txt"), _set("assertion_verbs.txt"), _set("goal_markers.txt")


@lru_cache(maxsize=1)
def _heads() -> frozenset[str]:
    """First words of the outcome phrases: a token none of whose bare forms is one starts none."""
    return frozenset(k[0] for k in lexicon()[0] if k)


@lru_cache(maxsize=1)
def other_senses() -> dict[str, frozenset[str]]:
    out = {}
    for line in lines("compare/outcome_other_senses.tsv"):
        concept, words = line.split("\t")
        out[concept] = frozenset(normalize(w) for w in words.split("|"))
    return out


def other_sense(toks: list[Token], i: int, n: int, concept: str) -> bool:
    """Does a word near the outcome word give it another sense (an advance at the front)?"""
    words = other_senses().get(concept, frozenset())
    near = toks[max(0, i - WINDOW):i] + toks[i + n:i + n + WINDOW]
    return any(bare_forms(t.key) & words for t in near if not t.is_break)


def concept_about(concept: str) -> str:
    return lexicon()[1][concept]


def frames(text: str, start: int = 0, end: int | None = None, toks: list[Token] | None = None) -> list[Frame]:
    """Asserted or denied outcomes in ``text[start:end]`` (``toks``: its tokens, if at hand)."""
    concepts, _, negation, assertion, goal = lexicon()
    toks = tokens(text, start, end) if toks is None else toks
    out: list[Frame] = []
    longest = max((len(k) for k in concepts), default=1)
    heads = _heads()
    i = 0
    while i < len(toks):
        hit = None
        firsts = bare_forms(toks[i].key)
        if toks[i].is_break or not firsts & heads:
            i += 1
            continue
        for n in range(longest, 0, -1):
            window = toks[i:i + n]
            if len(window) < n or any(t.is_break for t in window):
                continue
            rest = tuple(t.key for t in window[1:])
            for f in firsts:
                c = concepts.get((f,) + rest)
                if c:
                    hit = (c, n)
                    break
            if hit:
                break
        if not hit:
            i += 1
            continue
        concept, n = hit
        polarity = _polarity(toks, i, negation, assertion, goal, concepts)
        if polarity and not other_sense(toks, i, n, concept):
            out.append(Frame(concept, polarity, toks[i].start, toks[i + n - 1].end))
        i += n
    return out


def _polarity(toks: list[Token], i: int, negation, assertion, goal, concepts) -> int:
    asserted = False
    for t in reversed(toks[max(0, i - WINDOW):i]):
        if t.is_break or t.key in BUT:
            break
        forms = bare_forms(t.key)
        if any((f,) in concepts for f in forms):
            break  # a nearer outcome word owns what stands before it
        if forms & goal and t.key not in assertion:
            return 0
        if _conj_forms(t.key) & negation:
            return -1
        if _asserts(t.key, assertion):
            asserted = True
    return 1 if asserted else 0


def _conj_forms(key: str) -> set[str]:
    return {key, key[1:]} if key[:1] in ("و", "ف") and len(key) > 2 else {key}


def _asserts(key: str, assertion) -> bool:
    for k in _conj_forms(key):
        if k in assertion or any(k.startswith(s) for s in assertion if len(s) >= 3):
            return True
    return False
