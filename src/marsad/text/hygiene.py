"""Control characters: removed from what is stored, made visible in what is printed.

:func:`clean_controls` runs on every input document at ingest, before anything else reads it,
so all offsets are into the cleaned text. It removes NUL and the other C0/C1 control
characters (ESC, BEL, DEL, ...), the bidi embedding/override/isolate controls (LRE, RLE, PDF,
LRO, RLO, LRI, RLI, FSI, PDI: a page uses them to reorder what a reader sees) and
non-characters; form feed, vertical tab, the separator controls and U+2028/U+2029 become line
breaks; a lone surrogate (from a JSON ``\\ud800`` escape) becomes U+FFFD. Tab, line feed and
carriage return are kept (the cleaner handles them). Arabic letter and direction marks
(ALM, LRM, RLM) are left to the cleaner.

:func:`printable` is for a terminal: it shows every control and bidi character as an escape
(``\\x1b``, ``\\u202e``), so a title or a file name cannot rewrite the user's screen.
"""
from __future__ import annotations

import re

_BREAKS = "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"


def _removed() -> list[int]:
    out = [c for c in range(0x20) if chr(c) not in "\t\n\r" + _BREAKS]
    out += [0x7f] + [c for c in range(0x80, 0xa0) if chr(c) not in _BREAKS]
    out += [ord(c) for c in _BIDI] + list(range(0xfdd0, 0xfdf0)) + [0xfffe, 0xffff]
    return out


_CLEAN = str.maketrans(
    {**{c: None for c in _removed()}, **{ord(c): "\n" for c in _BREAKS},
     **{c: "\ufffd" for c in range(0xd800, 0xe000)}}
)
_PRINT = str.maketrans(
    {**{c: f"\\x{c:02x}" for c in list(range(0x20)) + list(range(0x7f, 0xa0))},
     **{ord(c): f"\\u{ord(c):04x}" for c in _BIDI + "\u2028\u2029\u200e\u200f\u061c"},
     **{c: f"\\u{c:04x}" for c in range(0xd800, 0xe000)}}
)


_ANY = re.compile("[" + "".join(re.escape(chr(c)) for c in sorted(_CLEAN)) + "]")


def clean_controls(s: str) -> str:
    """``s`` without control characters (see the module text); linear in ``len(s)``. Text
    without any (nearly all) is returned as it is after one regex scan."""
    return s.translate(_CLEAN) if _ANY.search(s) else s


def printable(s: str) -> str:
    """``s`` with every control, line break and bidi control shown as an escape (one line)."""
    return s.translate(_PRINT)
