"""Arabic normalisation for matching and search keys.

These functions build *keys*; they never alter an article's ``text``. Offsets found on a
normalised key are only valid in the key, so extractors match on ``text`` directly or use
:func:`normalize_with_map` to map back.
"""
from __future__ import annotations

import re
import unicodedata

DIACRITICS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]")
TATWEEL = "\u0640"
_CHAR_MAP = str.maketrans(
    {
        "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا",
        "ى": "ي", "ئ": "ي",
        "ؤ": "و",
        "ة": "ه",
        "ک": "ك", "ی": "ي", "ہ": "ه",
        # Arabic-Indic and Eastern Arabic-Indic digits to ASCII
        **{chr(0x0660 + i): str(i) for i in range(10)},
        **{chr(0x06F0 + i): str(i) for i in range(10)},
        "٫": ".", "٬": ",",
    }
)
# Diacritics and tatweel deleted and letters/digits unified in one pass (``normalize`` is called
# for every word by several stages): the same as strip_diacritics, then _CHAR_MAP.
_KEY_MAP = {
    **{cp: None for cp in [*range(0x0610, 0x061B), *range(0x064B, 0x0660), 0x0670, *range(0x06D6, 0x06EE)]},
    ord(TATWEEL): None,
    **_CHAR_MAP,
}
_SPACES = re.compile(r"\s+")
_DIGITS_ONLY = str.maketrans(
    {**{chr(0x0660 + i): str(i) for i in range(10)}, **{chr(0x06F0 + i): str(i) for i in range(10)}}
)


def strip_diacritics(s: str) -> str:
    return DIACRITICS.sub("", s).replace(TATWEEL, "")


def ascii_digits(s: str) -> str:
    """Arabic-Indic digits to ASCII; same length, so offsets are preserved."""
    return s.translate(_DIGITS_ONLY)


def normalize_char(c: str) -> str:
    """Normalise one character; '' when it is dropped (diacritic, tatweel)."""
    if c == TATWEEL or DIACRITICS.match(c):
        return ""
    return c.translate(_CHAR_MAP)


def normalize(s: str) -> str:
    """Search key: NFKC, no diacritics or tatweel, unified alef/hamza/ya/ta marbuta, ASCII digits,
    lower-cased Latin, collapsed whitespace."""
    s = unicodedata.normalize("NFKC", s).translate(_KEY_MAP).lower()
    return _SPACES.sub(" ", s).strip()


def normalize_with_map(s: str) -> tuple[str, list[int]]:
    """Normalise character by character (no NFKC, no whitespace collapsing) and return the key
    with, for each key character, its index in ``s`` — so a match in the key maps back exactly."""
    out, index = [], []
    for i, c in enumerate(s):
        n = normalize_char(c).lower()
        for ch in n:
            out.append(ch)
            index.append(i)
    return "".join(out), index
