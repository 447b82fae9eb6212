"""Name keys and spelling-variant tests for Arabic renderings of names.

Outlets transliterate foreign names differently, mostly in the long vowels they write
(ترمب/ترامب, زيلينسكي/زيلنسكي, دميتري/ديمتري). A word's *skeleton* keeps its first letter, its
consonants, hamza (a consonant in Arabic: الأحمد is not الحمد) and its last letter (a final
vowel is meaningful: المالكي is not المالك), and drops the long vowels ا و ي in between. Two words
are variants when their skeletons are equal, the skeleton is long enough to carry evidence
(روبيو/روبو share the three-letter skeleton ربو and stay apart) and neither is a native Arabic
given name, whose vowels distinguish names (محمد/محمود, حسن/حسين; ``given_names.tsv``).

A parsed name is a tuple of *units*: words with their particles joined (عبد الله, بن سلمان,
أبو مازن, نصر الله), without opening titles (الرئيس, الشيخ), without patronymics
(فلاديميروفيتش) and with the generational suffix (الأب, الابن, الثاني) kept apart.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from functools import cached_property, lru_cache

from rapidfuzz.distance import Levenshtein

from marsad.resources import lines
from marsad.text.normalize import normalize, strip_diacritics

#: Shortest skeleton (without a leading ال) on which vowel-insensitive matching is allowed.
MIN_SKELETON = 4
#: Most character edits between two variant spellings of one word.
MAX_EDITS = 2

_LIGHT = str.maketrans({"ى": "ي", "ة": "ه", "ک": "ك", "ی": "ي", "ہ": "ه", "ٱ": "ا"})
_HAMZA = frozenset("أإآؤئء")
_LONG_VOWELS = frozenset("اوي")
# Letters used interchangeably for one foreign sound: g (غ ج گ), v (ڤ ف), p (پ ب), ch (چ ج).
_FOLD = str.maketrans({"غ": "ج", "گ": "ج", "ڤ": "ف", "پ": "ب", "چ": "ج"})
# A word: letters with their diacritics and tatweel (ويتكُف is one word); a one- or two-letter
# word keeps its abbreviation dot (د.).
_LETTER = r"(?:[^\W\d_]|[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640])"
_WORD = re.compile(rf"(?<!\w){_LETTER}{{1,2}}\.(?=\s|$)|{_LETTER}+|\d+")


def light(word: str) -> str:
    """NFKC, no diacritics or tatweel, ى→ي, ة→ه; hamza seats are kept (see module doc)."""
    return strip_diacritics(unicodedata.normalize("NFKC", word)).translate(_LIGHT)


def key(word: str) -> str:
    """Equality key of a word or unit (marsad's search normalisation, spaces removed)."""
    return normalize(word).replace(" ", "")


def split_article(word: str) -> tuple[str, str]:
    """('ال', rest) when the word carries the definite article, else ('', word)."""
    w = light(word)
    if w.startswith("ال") and len(w) > 3:
        return "ال", w[2:]
    return "", w


def skeleton(word: str) -> str:
    """First letter + consonants + hamza + last letter; see the module docstring."""
    prefix, w = split_article(word.replace(" ", ""))
    if not w:
        return prefix
    out = ["ا" if w[0] in "أإآا" else w[0].translate(_FOLD)]
    body = w[1:]
    for i, c in enumerate(body):
        if c in _HAMZA:
            c = "ء"
        elif c in _LONG_VOWELS and i < len(body) - 1:
            continue
        c = c.translate(_FOLD)
        if out[-1] != c:  # a doubled consonant written twice (كيللي) is one consonant
            out.append(c)
    return prefix + "".join(out)


@lru_cache(maxsize=1)
def _protected() -> frozenset[str]:
    out = set()
    for line in lines("names/given_names.tsv"):
        cols = line.split("\t")
        if len(cols) >= 3 and cols[2].strip() == "arabic":
            out.add(key(cols[0]))
    return frozenset(out)


@lru_cache(maxsize=1)
def _particles() -> tuple[frozenset[str], frozenset[str]]:
    before, after = set(), set()
    for line in lines("names/particles.tsv"):
        word, _, side = line.partition("\t")
        (before if side.strip() == "next" else after).add(key(word))
    return frozenset(before), frozenset(after)


@lru_cache(maxsize=1)
def _titles() -> tuple[tuple[str, ...], ...]:
    """Title word sequences (as keys), longest first so "الفريق أول" beats "الفريق"."""
    seqs = {tuple(key(w) for w in t.split()) for t in lines("names/titles.txt")}
    return tuple(sorted(seqs, key=lambda s: (-len(s), s)))


@lru_cache(maxsize=1)
def _generational() -> tuple[tuple[str, ...], ...]:
    seqs = {tuple(key(w) for w in t.split()) for t in lines("names/generational.txt")}
    return tuple(sorted(seqs, key=lambda s: (-len(s), s)))


@lru_cache(maxsize=1)
def _patronymic_endings() -> tuple[str, ...]:
    return tuple(sorted({key(e) for e in lines("names/patronymic_endings.txt")}, key=len, reverse=True))


@dataclass(frozen=True)
class Unit:
    """One name unit: a word, or a word with its particles (عبد الله, بن سلمان)."""

    surface: str
    key: str
    skeleton: str
    protected: bool

    @cached_property
    def core(self) -> str:
        """Skeleton without the definite article (its length is the evidence it carries)."""
        return self.skeleton[2:] if self.skeleton.startswith("ال") and len(self.skeleton) > 2 else self.skeleton

    @cached_property
    def block(self) -> str:
        """Blocking key: variants of a unit always share it (see :func:`same_unit`)."""
        if self.protected or len(self.core) < MIN_SKELETON:
            return "=" + self.key
        return "~" + self.skeleton


def make_unit(surface: str) -> Unit:
    k = key(surface)
    return Unit(surface, k, skeleton(surface), k in _protected())


def medial_vowels(word: str) -> Counter:
    """The long-vowel letters inside a word (not first, not last, article left out)."""
    _, w = split_article(word.replace(" ", ""))
    return Counter(c for c in w[1:-1] if c in _LONG_VOWELS)


def same_unit(a: Unit, b: Unit) -> bool:
    """Whether two units are one name spelt two ways (ترمب/ترامب), never two names.

    Equal skeletons, and one spelling's inner vowel letters are among the other's: a vowel
    letter may be added, dropped or moved (زيلنسكي/زيلينسكي, ديمتري/دميتري) but not replaced by
    another (بارما/بورما is Parma/Burma, فيرونا/فارنا is Verona/Varna)."""
    if a.key == b.key:
        return True
    if a.block != b.block or a.block.startswith("="):
        return False
    va, vb = medial_vowels(a.surface), medial_vowels(b.surface)
    if not (va <= vb or vb <= va):
        return False
    return Levenshtein.distance(a.key, b.key) <= MAX_EDITS


@dataclass(frozen=True)
class ParsedName:
    """A mention's name: units, generational suffix, and the titles stripped from its front."""

    units: tuple[Unit, ...]
    suffix: str = ""
    titles: tuple[str, ...] = ()
    surface: str = ""  # the name words as written (suffix included), titles left out

    @cached_property
    def key(self) -> str:
        return " ".join(u.key for u in self.units) + (" | " + self.suffix if self.suffix else "")

    @property
    def full(self) -> bool:
        """Two or more units: a given name and a surname at least."""
        return len(self.units) >= 2

    @cached_property
    def block(self) -> tuple:
        return (len(self.units), self.suffix) + tuple(u.block for u in self.units)


def words(text: str) -> list[str]:
    """Letter words of a mention; punctuation, hyphens and quotes separate words."""
    return [m.group() for m in _WORD.finditer(text)]


def _strip_seq(ws: list[str], keys: list[str], seqs, at_start: bool) -> tuple[list[str], list[str], list[str]]:
    """Remove word sequences from one end; return (words, keys, removed surfaces)."""
    removed: list[str] = []
    changed = True
    while changed and len(ws) > 1:
        changed = False
        for seq in seqs:
            n = len(seq)
            if n >= len(ws):
                continue
            part = keys[:n] if at_start else keys[-n:]
            if tuple(part) == seq:
                if at_start:
                    removed.append(" ".join(ws[:n]))
                    ws, keys = ws[n:], keys[n:]
                else:
                    removed.insert(0, " ".join(ws[-n:]))
                    ws, keys = ws[:-n], keys[:-n]
                changed = True
                break
    return ws, keys, removed


def _units(ws: list[str]) -> list[str]:
    """Join particles to their word: "عبد الله" → one unit, "حسن نصر الله" → حسن + نصر الله."""
    before, after = _particles()
    out: list[str] = []
    pending: list[str] = []
    for w in ws:
        k = key(w)
        if k in before:
            pending.append(w)
            continue
        if pending:
            out.append(" ".join(pending + [w]))
            pending = []
        elif k in after and out:
            out[-1] = out[-1] + " " + w
        else:
            out.append(w)
    if pending:
        out.append(" ".join(pending))
    return out


def parse_person(text: str) -> ParsedName:
    ws = words(text)
    keys = [key(w) for w in ws]
    ws, keys, titles = _strip_seq(ws, keys, _titles(), at_start=True)
    surface = " ".join(ws)
    ws, keys, suffix = _strip_seq(ws, keys, _generational(), at_start=False)
    units = _units(ws)
    if len(units) >= 3:  # drop middle patronymics (فلاديميروفيتش)
        ends = _patronymic_endings()
        middle = [u for u in units[1:-1] if not key(u).endswith(ends)]
        units = [units[0], *middle, units[-1]]
    suffix_key = " ".join(key(s) for s in suffix)
    return ParsedName(tuple(make_unit(u) for u in units), suffix_key, tuple(titles), surface)


def parse_place(text: str) -> ParsedName:
    """Organisation or place: words without the definite article (الناتو = ناتو)."""
    ws = words(text)
    units = []
    for w in ws:
        _, rest = split_article(w)
        units.append(make_unit(rest) if rest else make_unit(w))
    # protection concerns given names; places match on their own spelling rules
    units = [Unit(u.surface, u.key, u.skeleton, False) for u in units]
    return ParsedName(tuple(units), "", (), " ".join(ws))


def same_name(a: ParsedName, b: ParsedName) -> bool:
    """Unit-by-unit variants with the same suffix (جورج بوش ≠ جورج دبليو بوش ≠ جورج بوش الأب)."""
    if a.block != b.block:
        return False
    return all(same_unit(x, y) for x, y in zip(a.units, b.units))


def clitic_readings(text: str) -> list[str]:
    """The mention read without a leading proclitic: "وروسيا" → "روسيا", "والناتو" → "الناتو",
    "للأمم المتحدة" → "الأمم المتحدة". Only candidates: the caller keeps one when the corpus
    shows that form on its own (NER normally strips clitics already)."""
    t = text.lstrip()
    out = []
    if t.startswith("لل") and len(t) > 4:
        out.append("ال" + t[2:])
    for c in ("و", "ف", "ب", "ك", "ل"):
        if t.startswith(c) and len(t) > 3:
            out.append(t[1:])
    return out
