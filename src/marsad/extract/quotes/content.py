"""What was said: quotation-mark spans, names in quotation marks, and where a cue's content
opens.

A quotation is a pair of marks on one line: «…», “…”, ‘…’, „…“ or straight "…" (paired in
order). A short quotation right after a name word (منصة، موقع، عملية، أنظمة …, data file
``name_contexts.txt``), or equal to a known name (``known_names.txt``: تيليغرام، إكس …), is a
*name* in quotation marks, never a quotation.

:func:`opener` finds where a cue's content starts, looking no further than the next cue: a
complementizer (أن، إن، بأن، أنه …), a quotation, a colon, or على after شدد/أكد.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from marsad.extract.quotes.lexicon import (
    WORD,
    Verb,
    complementizers,
    in_set,
    key,
    known_names,
    name_contexts,
    not_object,
    not_openers,
    object_openers,
    speech_verbs,
    strip_clitics,
    strip_conj,
)

_PAIRS = {"«": "»", "“": "”", "‘": "’", "„": "“"}
_SYMMETRIC = {'"', "”"}  # straight quotes, and ” used on both sides by some sites
_MARK = re.compile("[" + re.escape("".join(_PAIRS) + "".join(_SYMMETRIC)) + "]")
_STRAY_START = ".،,:؛;"
_MAX_LEN = 1500  # a mark left open longer than this on one line is stray
_NAME_WORDS = 4  # a quoted name has at most this many words
_TRAIL = " \t\n.؟?!:؛;،,…-–—"


@dataclass(frozen=True)
class Quotation:
    start: int  # the opening mark
    end: int  # just past the closing mark
    inner_start: int  # the quoted words, trimmed
    inner_end: int
    name: bool  # a name in quotation marks (platform, outlet, operation), not a quotation


def quotations(text: str) -> list[Quotation]:
    """Every pair of quotation marks in ``text``, in order, classified as quotation or name."""
    spans = []
    i = 0
    while True:
        m = _MARK.search(text, i)
        if m is None:
            break
        i = m.start()
        c = text[i]
        close = _PAIRS.get(c)
        j = -1
        if close is not None:
            j = _find_close(text, i, close)
        if j < 0 and c in _SYMMETRIC:
            j = _find_close(text, i, c)
        if j < 0:
            i += 1
            continue
        s, e = i + 1, j
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s and text[s] in _STRAY_START:
            # '... «أ». وأضاف: «ب»' read with straight quotes as '". وأضاف: "': the second mark
            # opens a quotation rather than closing one
            i = j
            continue
        if e > s:
            spans.append((i, j + 1, s, e))
        i = j + 1
    return [Quotation(a, b, s, e, _is_name(text, a, s, e)) for a, b, s, e in spans]


def _find_close(text: str, i: int, close: str) -> int:
    line_end = text.find("\n", i)
    limit = min(len(text) if line_end < 0 else line_end, i + _MAX_LEN)
    return text.find(close, i + 1, limit)


def _words_before(text: str, pos: int, n: int) -> list[str]:
    """Keys of up to ``n`` words right before ``pos`` (nearest last), stopping at a line break."""
    line_start = text.rfind("\n", 0, pos) + 1
    return [key(m.group()) for m in WORD.finditer(text, max(line_start, pos - 80), pos)][-n:]


def _is_name(text: str, mark: int, s: int, e: int) -> bool:
    inner = text[s:e]
    words = WORD.findall(inner)
    if not words or len(words) > _NAME_WORDS:
        return False
    k = key(inner).strip(" .،,")
    if k in known_names() or strip_clitics(k) in known_names():
        return True
    before = _words_before(text, mark, 2)
    if not before:
        return False
    prev = before[-1]
    if in_set(prev, name_contexts()):
        return True
    # على "تيليغرام" / عبر "إكس": a one- or two-word name after on/via, unless على belongs to a
    # verb that takes it ("شدد على «...»").
    if strip_conj(prev) in ("على", "عبر") and len(words) <= 2:
        verb = speech_verbs().get(strip_conj(before[0])) if len(before) == 2 else None
        return not (verb and verb.lemma in object_openers())
    return False


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop surrounding spaces and trailing punctuation (keeping closing quotation marks)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1] in _TRAIL:
        end -= 1
    return start, end


_LEADING = re.compile(r"[\s،,:؛;]*")


def skip_space(text: str, pos: int, end: int) -> int:
    m = _LEADING.match(text, pos, end)
    return m.end() if m else pos


_MAX_WINDOW_WORDS = 25  # words between a cue and the start of its content
# A quotation that follows a cue with no أن or colon must have this many words, unless it follows
# the cue directly or after a comma: shorter ones are mostly titles or scare quotes
# ("كتب التراث «خزانة الأدب»"), while "على تيليغرام، «قُتل شخصان»" is speech.
MIN_BARE_QUOTE = 3


@dataclass(frozen=True)
class Opener:
    kind: str  # comp | quote | colon | object
    window_end: int  # where the speaker window after the cue ends
    content: int  # where the content starts


def speech_like(text: str, q: Quotation) -> bool:
    """A quotation not introduced by أن or a colon counts when it is long enough or set off by
    a comma or colon; "بشأن «اختفاء» الصحفي" is a scare quote."""
    return len(WORD.findall(text, q.inner_start, q.inner_end)) >= MIN_BARE_QUOTE \
        or bool(re.search(r"[،,:]\s*$", text[max(0, q.start - 5):q.start]))


_last_index: tuple[list, dict] = ([], {})


def _by_start(quotes: list[Quotation]) -> dict[int, Quotation]:
    """``{start: quotation}``, built once per list (a sentence's cues all pass the same one)."""
    global _last_index
    cached = _last_index  # one read: safe if threads interleave
    if cached[0] is not quotes:
        cached = _last_index = (quotes, {q.start: q for q in quotes})
    return cached[1]


def opener(text: str, verb: Verb, start: int, limit: int, quotes: list[Quotation]) -> Opener | None:
    """Where the content of a cue ending at ``start`` opens, before ``limit`` (the next cue)."""
    quote_at = _by_start(quotes)
    obj = object_openers().get(verb.lemma)
    pos, words, prev = start, 0, ""
    while pos < limit and words <= _MAX_WINDOW_WORDS:
        q = quote_at.get(pos)
        if q is not None:
            if not q.name and (words == 0 or speech_like(text, q)):
                return Opener("quote", pos, pos)
            pos, words = q.end, words + 1
            continue
        if text[pos] == ":" and verb.needs == "any":
            return Opener("colon", pos, pos + 1)
        m = WORD.match(text, pos)
        if m is None:
            pos += 1
            continue
        k = key(m.group())
        if verb.needs == "any":
            if k in complementizers() and strip_conj(prev) not in not_openers() and prev not in not_openers():
                return Opener("comp", m.start(), m.end())
            if obj is not None and (k == obj or strip_conj(k) == obj):
                nxt = WORD.search(text, m.end(), limit)
                if nxt and strip_clitics(key(nxt.group())) not in not_object() \
                        and key(nxt.group()) not in complementizers():
                    return Opener("object", m.start(), m.end())
        prev, words, pos = k, words + 1, m.end()
    return None
