"""Speech cues: the verbs, participles and nouns that introduce what someone said.

Forms come from ``data/quotes/speech_verbs.tsv`` (قال، قالت، يقول، قائلاً، مفاده …) and are
found with an optional و/ف prefix (وقالت، فأضاف). Words inside quotation marks are the
speaker's, not the narrator's, and are never cues.
"""
from __future__ import annotations

from dataclasses import dataclass

from marsad.extract.quotes.content import Quotation
from marsad.extract.quotes.lexicon import (
    WORD,
    Verb,
    after_content,
    carry_over,
    key,
    modal_particles,
    outside,
    source_markers,
    speech_verbs,
    strip_conj,
)


@dataclass(frozen=True)
class Cue:
    start: int
    end: int
    text: str
    verb: Verb
    carry: bool  # وأضاف، وتابع، وختم …: continues the previous speaker
    after: bool  # preceded by حسبما/كما: the content comes before the verb

    @property
    def kind(self) -> str:
        return self.verb.kind


def _after(prev: str, prev2: str) -> bool:
    """حسبما قال / كما قال / بحسب ما أفاد: the content is not after the verb."""
    if prev in after_content() or strip_conj(prev) in after_content():
        return True
    single = {m[0] for m in source_markers() if len(m) == 1}
    return prev == "ما" and (prev2 in single or strip_conj(prev2) in single)


def lookup(k: str) -> Verb | None:
    """The speech verb a word key is (with or without a و/ف prefix), if any."""
    verbs = speech_verbs()
    return verbs.get(k) or verbs.get(strip_conj(k))


def find_cues(
    text: str,
    start: int,
    end: int,
    quotes: list[Quotation],
    tokens: list[tuple[int, int, str]] | None = None,
) -> list[Cue]:
    """Speech cues in ``text[start:end]`` outside quotation marks, in order. ``tokens`` are the
    words of that span as (start, end, key) when the caller has them already."""
    if tokens is None:
        tokens = [(m.start(), m.end(), key(m.group())) for m in WORD.finditer(text, start, end)]
    inside = [(q.start, q.end) for q in quotes if q.end > start and q.start < end]
    free = outside(inside, min([start] + [a for a, _ in inside]), max([end] + [b for _, b in inside]))
    out: list[Cue] = []
    prev_key = prev2_key = ""
    for s, e, k in tokens:
        verb = lookup(k)
        if verb is not None and free(s):
            if not (verb.kind == "present" and strip_conj(prev_key) in modal_particles()):
                out.append(Cue(s, e, text[s:e], verb, carry=verb.lemma in carry_over(),
                               after=_after(prev_key, prev2_key)))
        prev2_key, prev_key = prev_key, k
    return out
