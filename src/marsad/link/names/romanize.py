"""Deterministic rule-based romanization of Arabic names ("كيريل دميترييف" → "Kirill Dmitriyev").

Arabic script omits short vowels, so this is a readable transcription, not a reconstruction:
known given names come from ``given_names.tsv``, letter sequences from ``romanize.tsv``
(longest match, word-start and word-end anchors), and the long-vowel letters و and ي read as
vowels between consonants and as consonants next to a vowel.
"""
from __future__ import annotations

import unicodedata
from functools import lru_cache

from marsad.link.names.variants import key, words
from marsad.text.normalize import strip_diacritics
from marsad.resources import lines

_VOWEL_LATIN = set("aeiou")


@lru_cache(maxsize=1)
def _given() -> dict[str, str]:
    out = {}
    for line in lines("names/given_names.tsv"):
        cols = line.split("\t")
        if len(cols) >= 2:
            out.setdefault(key(cols[0]), cols[1].strip())
    return out


@lru_cache(maxsize=1)
def _rules() -> tuple[dict[str, str], dict[str, str], dict[str, str], int]:
    start, end, anywhere = {}, {}, {}
    for line in lines("names/romanize.tsv"):
        pattern, _, latin = line.partition("\t")
        latin = latin.strip()
        if pattern.startswith("^"):
            start[pattern[1:]] = latin
        elif pattern.endswith("$") and len(pattern) > 1:
            end[pattern[:-1]] = latin
        else:
            anywhere[pattern] = latin
    longest = max(len(p) for table in (start, end, anywhere) for p in table)
    return start, end, anywhere, longest


def _medial_glide(w: str, i: int, before: str) -> str | None:
    """و/ي in mid-word: a vowel between consonants, a consonant beside a vowel (``before`` is
    the Latin written so far)."""
    c = w[i]
    nxt = w[i + 1] if i + 1 < len(w) else ""
    if c == "ي" and nxt == "ي":
        return "i"  # ييـ: the first is the vowel, the second the glide (دميترييف)
    if (before and before[-1] in "aeiou") or nxt in "اىةو":
        return "w" if c == "و" else "y"
    return "o" if c == "و" else "i"


def _word(w: str) -> str:
    start, end, anywhere, longest = _rules()
    out: list[str] = []
    i = 0
    while i < len(w):
        best = None
        for n in range(min(longest, len(w) - i), 0, -1):
            piece = w[i:i + n]
            if i == 0 and piece in start:
                best = (n, start[piece])
            elif i + n == len(w) and piece in end:
                best = (n, end[piece])
            elif 0 < i and piece in "وي" and n == 1:
                best = (1, _medial_glide(w, i, "".join(out)))
            elif piece in anywhere:
                best = (n, anywhere[piece])
            if best:
                break
        if best is None:  # a letter the table does not know: keep it out of the Latin form
            i += 1
            continue
        out.append(best[1])
        i += best[0]
    latin = "".join(out)
    if latin and latin[0] not in _VOWEL_LATIN and not any(c in _VOWEL_LATIN for c in latin[1:]):
        latin = latin[0] + "a" + latin[1:]  # no vowel letter at all (ترمب): give it one
    return latin


def _final_cluster(latin: str) -> str:
    """Break a word-final consonant + r/l/n/m cluster with e: "Koshnr" → "Koshner"."""
    if len(latin) >= 3 and latin[-1] in "rlnm" and latin[-2] not in "aeiouy" and latin[-2] != latin[-1]:
        return latin[:-1] + "e" + latin[-1]
    return latin


def _letters(word: str) -> str:
    """The word's letters without diacritics; ة is kept (it reads a, ه reads h)."""
    return strip_diacritics(unicodedata.normalize("NFKC", word))


def romanize_word(word: str) -> str:
    k = key(word)
    if k in _given():
        return _given()[k]
    w = _letters(word)
    if w.startswith("ال") and len(w) > 3:
        return "al-" + _capital(_final_cluster(_word(w[2:])))
    return _capital(_final_cluster(_word(w)))


def _capital(s: str) -> str:
    return s[:1].upper() + s[1:]


def romanize(text: str) -> str:
    """Latin transcription of an Arabic name, word by word; Latin words pass through."""
    out = []
    ws = words(text)
    i = 0
    while i < len(ws):
        pair = " ".join(ws[i:i + 2])
        if i + 1 < len(ws) and key(pair) in _given():  # عبد الله, عبد الفتاح
            out.append(_given()[key(pair)])
            i += 2
            continue
        w = ws[i]
        out.append(w if w.isascii() else romanize_word(w))
        i += 1
    result = " ".join(x for x in out if x)
    return result[:1].upper() + result[1:]
