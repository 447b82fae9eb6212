"""What a set of shared passages means: no reuse, syndicated copy, or a duplicate; and which
news agency the shared copy comes from."""
from __future__ import annotations

from marsad.ingest.meta import credited_agencies


def kind_of(rare_words: int, best_passage_rare: int, shared_chars: int, coverage_a: float, coverage_b: float,
            *, strong_words: int, min_chars: int, duplicate_coverage: float, min_words: int) -> str | None:
    """``duplicate`` when the passages cover nearly all of both texts; ``syndicated`` when at
    least one passage has ``strong_words`` shared words outside stock formulas and the shared
    text is long enough; otherwise None (no link). ``rare_words`` counts the shared words that
    are not template text (see :mod:`.frequency`)."""
    if min(coverage_a, coverage_b) >= duplicate_coverage and rare_words >= min_words:
        return "duplicate"
    if best_passage_rare >= strong_words and shared_chars >= min_chars:
        return "syndicated"
    return None


def agency_of(wire_a: list[str], wire_b: list[str], passage_texts: list[str]) -> str | None:
    """The agency both articles credit; else one named inside the shared passages that either
    credits; else the first credited by either; else one named inside the shared passages."""
    common = [w for w in wire_a if w in wire_b]
    if common:
        return common[0]
    named = credited_agencies("\n\n".join(passage_texts), []) if passage_texts else []
    credited = list(wire_a) + [w for w in wire_b if w not in wire_a]
    for name in named:
        if name in credited:
            return name
    if credited:
        return credited[0]
    return named[0] if named else None
