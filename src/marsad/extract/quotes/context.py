"""An article's words and mentions as speaker resolution sees them, and the Speaker record.

Mentions come from the NER (``article.mentions``). They are completed with *echoes*: where the
NER tagged "دينيس شميهال" once and missed a later bare "شميهال" (or a repeat of a tagged name),
the later words count as the same entity. Internally every mention carries ``ref``, its index in
the article's own list, and a Speaker always reports that index.
"""
from __future__ import annotations

from bisect import bisect_left, bisect_right
from itertools import accumulate
from dataclasses import dataclass, replace
from typing import Any

from marsad.extract.quotes.lexicon import WORD, key, prepositions, strip_conj

_ECHO_MIN_LETTERS = 4


@dataclass(frozen=True)
class Speaker:
    text: str | None
    start: int | None
    end: int | None
    mention: int | None  # index into article.mentions
    how: str  # name | organisation | place | role | phrase | before | clause | carry | pronoun | source
    role: Any = None  # the RolePhrase that named it, if a role did

    def carried(self, how: str) -> "Speaker":
        return replace(self, how=how)


class Context:
    """Text, word tokens (start, end, key) and mentions of one article, with the lookups the
    cue, role and source modules share."""

    def __init__(self, text: str, mentions: list[dict], quoted: list[tuple[int, int]] = ()):
        self.text = text
        self.tokens_all = [(*m.span(), key(m[0])) for m in WORD.finditer(text)]
        self._tok_starts = [t[0] for t in self.tokens_all]
        self.mentions = [dict(m, ref=i) for i, m in enumerate(mentions)] + _echoes(text, mentions, list(quoted))
        self.order = sorted(range(len(self.mentions)), key=lambda i: self.mentions[i]["start"])
        # Lookups by position bisect these (linear scans made long articles quadratic).
        self._starts = [self.mentions[i]["start"] for i in self.order]
        self._max_end = list(accumulate((self.mentions[i]["end"] for i in self.order), max))
        self.cache: dict[str, Any] = {}  # per-article results of other modules (role holders)

    def ref(self, i: int | None) -> int | None:
        """The article's own index for internal mention ``i``."""
        return None if i is None else self.mentions[i]["ref"]

    def tokens(self, start: int, end: int) -> list[tuple[int, int, str]]:
        """Words starting in [start, end) as (start, end, key)."""
        i = bisect_left(self._tok_starts, start)
        return self.tokens_all[i:bisect_left(self._tok_starts, end, i)]

    def words_between(self, start: int, end: int) -> int:
        return len(self.tokens(start, end))

    def in_span(self, start: int, end: int, types=("PER", "ORG", "LOC")) -> list[int]:
        lo, hi = bisect_left(self._starts, start), bisect_right(self._starts, end)
        return [
            i for i in self.order[lo:hi]
            if self.mentions[i]["end"] <= end and self.mentions[i]["type"] in types
        ]

    def at_token(self, start: int, end: int) -> int | None:
        """The mention that starts inside the token [start, end) (a clitic may precede it)."""
        k = bisect_left(self._starts, start)
        return self.order[k] if k < len(self._starts) and self._starts[k] < end else None

    def covering(self, pos: int) -> int | None:
        """The first mention (by start) with start <= pos < end."""
        k = bisect_right(self._max_end, pos)  # the first whose end (a running maximum) passes pos
        return self.order[k] if k < len(self._starts) and self._starts[k] <= pos else None

    def is_object(self, i: int) -> bool:
        """A mention after a preposition (or with ل/ب attached) is not a subject."""
        s = self.mentions[i]["start"]
        toks = self.tokens(max(0, s - 40), s + 1)
        own = [t for t in toks if t[0] <= s < t[1]]
        if own and own[0][0] < s:
            prefix = key(self.text[own[0][0]:s])
            if prefix.lstrip("و") in ("ل", "ب", "لل", "ك", "بال", "لـ", "بـ"):
                return True
        before = [t for t in toks if t[1] <= s]
        if before:
            gap = self.text[before[-1][1]:s]
            k = before[-1][2]
            if gap.strip(" \t\"«»“”‘’") == "" and (k in prepositions() or strip_conj(k) in prepositions()):
                return True
        return key(self.mentions[i]["text"]).startswith("لل")

    def speaker_from_mention(self, i: int, how: str) -> Speaker:
        m = self.mentions[i]
        return Speaker(m["text"], m["start"], m["end"], m["ref"], how)


def _echoes(text: str, mentions: list[dict], quoted: list[tuple[int, int]]) -> list[dict]:
    """Untagged repeats of tagged names. Each echo points ("ref") at the nearest earlier mention
    of that name, else the first one. Not echoed: a one-word person tagged after a title (likely
    a first name cut from its surname: "دميتري"), and anything inside quotation marks."""
    taken = bytearray(len(text) + 1)  # 1 where a mention or a quotation is: overlap tests in C
    for a, b in [(m["start"], m["end"]) for m in mentions] + list(quoted):
        taken[a:b] = b"\x01" * (b - a)
    in_quote = bytearray(len(text) + 1)
    for a, b in quoted:
        in_quote[a:b] = b"\x01" * (b - a)
    names: dict[str, list[int]] = {}
    for i, m in enumerate(mentions):
        if m["type"] not in ("PER", "ORG") or in_quote[m["start"]]:
            continue
        words = m["text"].split()
        surfaces = set()
        if len(words) > 1 or m["type"] == "ORG" or not m.get("role"):
            surfaces.add(m["text"])
        if m["type"] == "PER" and len(words) > 1:
            surfaces.add(words[-1])
        for f in surfaces:
            if len(f.replace(" ", "")) >= _ECHO_MIN_LETTERS:
                names.setdefault(f, []).append(i)
    out: list[dict] = []
    if not names:
        return out
    ref_starts = {n: sorted(mentions[i]["start"] for i in refs) for n, refs in names.items()}
    sorted_refs = {n: [mentions[i]["start"] for i in refs] == ref_starts[n] for n, refs in names.items()}
    by_first: dict[str, list[str]] = {}
    for name in sorted(names, key=len, reverse=True):  # longest name first
        by_first.setdefault(name.split()[0], []).append(name)
    words = [(m.start(), m.end()) for m in WORD.finditer(text)]
    for n, (s, e) in enumerate(words):
        raw = text[s:e]
        for cut in (0, 1, 2):  # an attached و، ف، ل، ب before the name
            if cut and (len(raw) - cut < 3 or raw[cut - 1] not in "وفلب"):
                break
            for name in by_first.get(raw[cut:], ()):
                parts = name.split()
                span = words[n:n + len(parts)]
                if len(span) < len(parts) or [text[a:b] for a, b in span[1:]] != parts[1:]:
                    continue
                a, b = s + cut, span[-1][1]
                if taken.find(1, a, b) >= 0:
                    continue
                refs = names[name]
                if sorted_refs[name]:  # the usual case: bisect for the nearest earlier mention
                    k = bisect_left(ref_starts[name], a)
                    ref = refs[k - 1] if k else refs[0]
                else:
                    before = [i for i in refs if mentions[i]["start"] < a]
                    ref = before[-1] if before else refs[0]
                out.append({"start": a, "end": b, "type": mentions[ref]["type"], "text": text[a:b], "ref": ref})
                taken[a:b] = b"\x01" * (b - a)
                break
    return out
