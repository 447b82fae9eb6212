"""Tokenise Arabic text with exact character offsets, ANERcorp style.

Words keep their attached clitics (``والكرملين`` is one token, as in ANERcorp); Arabic and
Latin punctuation (، ؛ ؟ « » “ ” ( ) - / …) are tokens of their own; numbers keep their
decimal and thousands separators; a hashtag mark before a word is skipped.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

# A word: letters/digits plus Arabic diacritics and tatweel (combining marks are not \w).
_WORD = r"[^\W_][\w\u0610-\u061a\u064b-\u065f\u0670\u0640]*"
_NUMBER = r"\d+(?:[.,٫٬]\d+)*"
_TOKEN = re.compile(rf"{_NUMBER}(?![^\W\d_])|{_WORD}|[^\s]")


@dataclass(frozen=True)
class Token:
    text: str
    start: int
    end: int


def tokenize(text: str, start: int = 0, end: int | None = None) -> list[Token]:
    """Tokens of ``text[start:end]`` with offsets into ``text``. A hashtag mark glued to a word
    is no token: news sites tag names inline ("الرئيس الأميركي دونالد #ترمب"), and the name
    must read as two adjacent words; the offsets still point into the text as it is."""
    end = len(text) if end is None else end
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text, start, end)
            if not (m.group() == "#" and m.end() < end and text[m.end()].isalpha())]


def is_punct(token: str) -> bool:
    return not any(c.isalnum() for c in token)
