"""Numbers with their units: "800 ألف جندي" -> 800000 جندي, "نحو ثلاث ساعات" -> 3 ساعة (نحو).

Matching runs on the normalised key of the text (:func:`normalize_with_map`: no diacritics,
unified hamza and ta marbuta, ASCII digits), token by token, so "مسيّرة", "مسيرة" and "٥٦٠٠"
need no special cases; offsets are mapped back so that ``text[start:end]`` is exactly what
the article says. Word lists (number words, scales, units, approximation words) live in
``data/numbers/``.

An item is ``{"start", "end", "text", "value", "unit", "qualifier"}`` plus ``"value_max"``
for ranges ("بين 10 و20 ألفا"). Numbers that belong to a calendar date ("3 ديسمبر 2025",
"عام 2024") are left to :mod:`marsad.extract.dates`; ordinals are not numbers.
"""
from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any, NamedTuple

from marsad.doc import Article
from marsad.resources import lines
from marsad.text.normalize import normalize, normalize_char, normalize_with_map

# Digits (with thousands/decimal separators), runs of letters, percent signs, other marks.
TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+|[%٪]|\S")
# Proclitics that may be written attached to a number word or a qualifier (وثلاثة، بنحو).
CLITICS = ("وب", "ول", "فب", "فل", "وك", "و", "ف", "ب", "ل", "ك")
CLITIC_LETTERS = frozenset("وفبلك")
MIN_STEM = 3  # shortest word a proclitic is stripped from ("لست" is not ل + ست)
# Letters that may be written attached to digits without making them part of a word (بـ500، الـ28).
DIGIT_PREFIXES = frozenset({"ب", "ل", "و", "ف", "ك", "ال", "بال", "وال", "لل", "فال", "وب", "ول", "وبال"})
RANGE_MARKS = frozenset({"-", "–", "—", "الي", "حتي"})
YEAR_LIKE = range(1900, 2101)
MAX_PLAIN_DIGITS = 9  # longer unseparated digit runs are ids and phone numbers, not counts


# ---------------------------------------------------------------------------
# Keyed text: match on the normalised key, report offsets in the original.
# ---------------------------------------------------------------------------

@lru_cache(maxsize=1)
def _arabic_table() -> tuple[dict[int, str | None], frozenset[str]]:
    """normalize_char as a str.translate table: every character it changes lies in the
    Arabic block; also the set of characters it drops (diacritics, tatweel)."""
    table, dropped = {}, set()
    for cp in range(0x0600, 0x0700):
        c = chr(cp)
        n = normalize_char(c)
        if n != c:
            table[cp] = n or None
            if not n:
                dropped.add(c)
    return table, frozenset(dropped)


@lru_cache(maxsize=1)
def _dropped_re(dropped: frozenset[str]) -> re.Pattern:
    return re.compile("[" + "".join(re.escape(c) for c in sorted(dropped)) + "]")


class Keyed:
    """The matching key of ``text`` with the way back to offsets in ``text``; the same as
    :func:`normalize_with_map`, computed with ``str.translate`` (this runs on every article)."""

    def __init__(self, text: str):
        self.text = text
        table, dropped = _arabic_table()
        key = text.translate(table)
        lowered = key.lower()
        self._index: list[int] | None = None
        self._dropped: list[int] = []
        if len(lowered) != len(key):  # a rare letter whose lower case is longer (İ)
            self.key, self._index = normalize_with_map(text)
            return
        self.key = lowered
        if len(key) != len(text):  # positions of the dropped marks, found in C
            self._dropped = [m.start() for m in _dropped_re(dropped).finditer(text)]

    def original(self, k: int) -> int:
        """Offset in ``text`` of key character ``k``: k plus the marks dropped before it."""
        if self._index is not None:
            return self._index[k]
        j = 0
        while True:  # least fixpoint of j = #dropped positions <= k + j
            j2 = bisect_right(self._dropped, k + j)
            if j2 == j:
                return k + j
            j = j2

    def span(self, kstart: int, kend: int) -> tuple[int, int]:
        """Original (start, end) for key[kstart:kend]; trailing marks of the last letter
        (tanween in "كيلومتراً", tatweel) stay with it."""
        start = self.original(kstart)
        end = self.original(kend - 1) + 1
        while end < len(self.text) and normalize_char(self.text[end]) == "":
            end += 1
        return start, end


@lru_cache(maxsize=2)
def keyed(text: str) -> Keyed:
    """Shared :class:`Keyed` of a text: the dates and numbers extractors key the same article."""
    return Keyed(text)


class Tok(NamedTuple):  # a tuple: articles have thousands of tokens
    text: str
    start: int  # offsets in the key
    end: int

    @property
    def is_digits(self) -> bool:
        return self.text[0].isdigit()

    @property
    def is_word(self) -> bool:
        return self.text[0].isalpha()


def tokenize(key: str) -> list[Tok]:
    return [Tok(m.group(), m.start(), m.end()) for m in TOKEN.finditer(key)]


def _key_tokens(phrase: str) -> tuple[str, ...]:
    return tuple(m.group() for m in TOKEN.finditer(normalize(phrase)))


def expand_braces(form: str) -> list[str]:
    """"{a|b} {c|d}" -> ["a c", "a d", "b c", "b d"] (alternatives in data files)."""
    m = re.search(r"\{([^{}]*)\}", form)
    if not m:
        return [form]
    out = []
    for alt in m.group(1).split("|"):
        out.extend(expand_braces(form[: m.start()] + alt + form[m.end():]))
    return out


def split_forms(field: str) -> list[str]:
    """Split on | outside braces, then expand braces."""
    parts, depth, cur = [], 0, ""
    for c in field:
        if c == "|" and depth == 0:
            parts.append(cur)
            cur = ""
            continue
        depth += c == "{"
        depth -= c == "}"
        cur += c
    parts.append(cur)
    return [f for p in parts if p.strip() for f in expand_braces(p.strip())]


class PhraseTable:
    """Multi-token phrases (as key tokens) -> value, matched longest first."""

    def __init__(self) -> None:
        self.table: dict[tuple[str, ...], Any] = {}
        self.max_len = 1
        self.firsts: set[str] = set()  # first tokens, to give up early

    def add(self, phrase: str, value: Any) -> None:
        toks = _key_tokens(phrase)
        if toks:
            self.table.setdefault(toks, value)
            self.max_len = max(self.max_len, len(toks))
            self.firsts.add(toks[0])

    def remove(self, toks: tuple[str, ...]) -> None:
        del self.table[toks]
        self.firsts = {t[0] for t in self.table}

    def match(self, tokens: list[Tok], i: int, first: str | None = None, glued: bool = False):
        """(value, end index) of the longest phrase starting at token ``i``; ``first``
        replaces the first token's text (a clitic stripped); with ``glued`` false the phrase's
        tokens must be separated by space (so "الـ28" is not "ال" + "28")."""
        best = None
        if i >= len(tokens):
            return None
        words = [first if first is not None else tokens[i].text]
        if words[0] not in self.firsts:
            return None
        for j in range(i + 1, min(len(tokens), i + self.max_len)):
            words.append(tokens[j].text)
        for n in range(len(words), 0, -1):
            value = self.table.get(tuple(words[:n]))
            if value is not None:
                best = (value, i + n)
                break
        return best

    def match_clitic(self, tokens: list[Tok], i: int):
        """Like :meth:`match`, also trying the first token without a proclitic.
        Returns (value, end index, clitic length) or None."""
        hit = self.match(tokens, i)
        if hit:
            return hit[0], hit[1], 0
        w = tokens[i].text
        if w[0] not in CLITIC_LETTERS:
            return None
        for c in CLITICS:
            if w.startswith(c) and len(w) - len(c) >= MIN_STEM:
                hit = self.match(tokens, i, first=w[len(c):])
                if hit:
                    return hit[0], hit[1], len(c)
        return None


# ---------------------------------------------------------------------------
# Lexicons from data/numbers/
# ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Word:
    value: Decimal
    kind: str  # one, unit, ten, tens, hundred, scale, dualscale, fraction
    # The key merges ئ into ي, so "مئة" and "كمية", "مئتين" and "ميتين" (dead) share a key:
    # such words count only when the text itself has the ئ.
    needs: str | None = None


@lru_cache(maxsize=1)
def number_words() -> dict[str, Word]:
    out = {}
    for line in lines("numbers/words.tsv"):
        value, kind, forms = line.split("\t")
        for form in split_forms(forms):
            out.setdefault(normalize(form), Word(Decimal(value), kind, "ئ" if "ئ" in form else None))
    return out


def word_value(key_word: str) -> int | None:
    """Value of a single (normalised) cardinal word 1-999 or a dual scale; for the dates
    module's "قبل ثلاثة أيام"."""
    w = number_words().get(key_word)
    if w is None or w.kind in ("scale", "fraction"):
        return None
    return int(w.value)


def _table(name: str, value_is_first_form: bool = False) -> PhraseTable:
    table = PhraseTable()
    for line in lines(name):
        value, forms = line.split("\t")
        forms_list = split_forms(forms)
        canonical = forms_list[0] if value_is_first_form else value
        for form in forms_list:
            table.add(form, canonical)
    return table


@lru_cache(maxsize=1)
def qualifiers() -> PhraseTable:
    return _table("numbers/qualifiers.tsv")


@lru_cache(maxsize=1)
def post_qualifiers() -> PhraseTable:
    return _table("numbers/post_qualifiers.tsv")


@lru_cache(maxsize=1)
def vague() -> PhraseTable:
    """Vague quantities -> (value, qualifier)."""
    table = PhraseTable()
    for line in lines("numbers/vague.tsv"):
        value, forms = line.split("\t")
        forms_list = split_forms(forms)
        for form in forms_list:
            table.add(form, (Decimal(value), forms_list[0]))
    return table


@lru_cache(maxsize=1)
def labels() -> frozenset[str]:
    return frozenset(normalize(w) for w in lines("numbers/labels.txt"))


def _dual_and_accusative(form: str) -> tuple[list[str], list[str]]:
    key = normalize(form)
    if " " in key or not key.isalpha() or len(key) < 2:
        return [], []
    if key.endswith("ه"):  # ta marbuta: ساعة -> ساعتان / ساعتين
        return [key[:-1] + "تان", key[:-1] + "تين"], []
    acc = [] if key.endswith(("ا", "ي")) else [key + "ا"]
    if key.endswith("ي"):  # nisba: dual and plural are spelled alike (مدنيين)
        return [], [key + "ا"]
    return [key + "ان", key + "ين"], acc


@lru_cache(maxsize=1)
def units() -> tuple[PhraseTable, PhraseTable]:
    """(units: form -> canonical, duals: dual form -> canonical)."""
    table, duals = PhraseTable(), PhraseTable()
    for line in lines("numbers/units.tsv"):
        canonical, forms = line.split("\t")
        forms_list = split_forms(forms)
        for form in forms_list:
            table.add(form, canonical)
        dual, acc = _dual_and_accusative(forms_list[0])
        for form in acc:
            table.add(form, canonical)
        for form in dual:
            duals.add(form, canonical)
    for key in list(duals.table):
        if key in table.table:  # a listed form is never read as a dual
            duals.remove(key)
    return table, duals


def unit_at(key: str, pos: int) -> str | None:
    """Canonical unit written at key offset ``pos`` (used by the dates module to tell
    "في 2000 منزل" from "في 2022")."""
    toks = tokenize(key[pos:pos + 60])
    if not toks:
        return None
    hit = units()[0].match(toks, 0)
    return hit[0] if hit else None


# ---------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------

def parse_digits(s: str) -> Decimal | None:
    """"3,500" 3500; "3.5" 3.5; "1,5" 1.5; "1.000.000" 1000000 (key digits are ASCII and
    ٫ ٬ are already . and ,)."""
    try:
        if "," in s and "." in s:
            whole, _, frac = s.rpartition(".")
            groups = whole.split(",")
            if all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3:
                return Decimal("".join(groups) + "." + frac)
            return None
        for sep in (",", "."):
            if sep in s:
                groups = s.split(sep)
                if len(groups) > 2 or (sep == "," and len(groups[1]) == 3):
                    if all(len(g) == 3 for g in groups[1:]) and 1 <= len(groups[0]) <= 3:
                        return Decimal("".join(groups))
                    return None
                return Decimal(groups[0] + "." + groups[1])
        return Decimal(s)
    except InvalidOperation:
        return None


@dataclass
class Core:
    """The number itself, before range, unit and qualifier."""
    value: Decimal
    i: int  # first token
    j: int  # index after the last token
    clitic: int = 0  # characters of a proclitic on the first token, left out of the span
    scaled: bool = False  # a scale word was applied (800 ألف)
    unscaled: Decimal | None = None
    scale: Decimal | None = None
    qualifier: str | None = None  # from a vague quantity (عشرات)
    unit: str | None = None  # from a dual (شخصان)
    vague: bool = False
    bare_scale: bool = False  # just "ألف"/"مليون": a number only with a unit or qualifier
    digits: bool = False


_JOINS = {  # which number word may follow which after "و" (units precede tens in Arabic)
    "one": {"tens"},
    "unit": {"tens"},
    "hundred": {"one", "unit", "ten", "tens"},
    "scale": {"one", "unit", "ten", "tens", "hundred", "dualscale"},
}


class _Parser:
    def __init__(self, tokens: list[Tok], keyed: Keyed):
        self.tokens = tokens
        self.keyed = keyed
        self.all_words = number_words()

    def lookup(self, j: int, skip: int = 0) -> Word | None:
        """The number word of token ``j`` without its first ``skip`` letters."""
        tok = self.tokens[j]
        w = self.all_words.get(tok.text[skip:] if skip else tok.text)
        if w is not None and w.needs:
            start, end = self.keyed.span(tok.start, tok.end)
            if w.needs not in self.keyed.text[start:end]:
                return None
        return w

    def _word(self, i: int, allow_clitic: bool) -> tuple[Word, int] | None:
        w = self.lookup(i)
        if w:
            return w, 0
        text = self.tokens[i].text
        if allow_clitic and text[0] in CLITIC_LETTERS:
            for c in CLITICS:
                if text.startswith(c) and len(text) - len(c) >= MIN_STEM:
                    w = self.lookup(i, len(c))
                    if w:
                        return w, len(c)
        return None

    def core(self, i: int) -> Core | None:
        tok = self.tokens[i]
        if tok.is_digits:
            return self._digits(i)
        if not tok.is_word:
            return None
        hit = vague().match_clitic(self.tokens, i)
        if hit:
            (value, qual), j, clitic = hit
            return Core(value, i, j, clitic, qualifier=qual, vague=True)
        hit = units()[1].match_clitic(self.tokens, i)
        if hit:
            unit, j, clitic = hit
            return Core(Decimal(2), i, j, clitic, unit=unit)
        return self._words(i)

    def _digits(self, i: int) -> Core | None:
        tok = self.tokens[i]
        value = parse_digits(tok.text)
        if value is None:
            return None
        core = Core(value, i, i + 1, digits=True)
        if i + 1 < len(self.tokens):
            w = self.lookup(i + 1)
            if w and w.kind == "scale":  # 800 ألف، بـ150مليار
                core.unscaled, core.scale = value, w.value
                core.value, core.j, core.scaled = value * w.value, i + 2, True
                self._more_digits(core, w.value)
        return core

    def _more_digits(self, core: Core, last_scale: Decimal) -> None:
        """"3 ملايين و888 ألفا": a smaller group in digits after "و" adds to the number."""
        toks, j = self.tokens, core.j
        if j + 1 < len(toks) and toks[j].text == "و" and toks[j].end == toks[j + 1].start and toks[j + 1].is_digits:
            value = parse_digits(toks[j + 1].text)
            if value is None:
                return
            k = j + 2
            w = self.lookup(k) if k < len(toks) else None
            if w and w.kind == "scale":
                value, k = value * w.value, k + 1
            if 0 < value < last_scale:
                core.value += value
                core.j = k
                core.unscaled = None

    def _words(self, i: int) -> Core | None:
        first = self._word(i, allow_clitic=True)
        if not first:
            return None
        word, clitic = first
        total, current = Decimal(0), Decimal(0)
        last, last_scale = None, None
        groups: list[Decimal] = []  # what each scale word multiplied
        scaled, bare_scale = False, False
        j = i
        n = len(self.tokens)
        if word.kind == "fraction":  # نصف مليون
            nxt = self._word(i + 1, False) if i + 1 < n else None
            if not nxt or nxt[0].kind != "scale":
                return None
            total = word.value * nxt[0].value
            last, last_scale, scaled, j = "scale", nxt[0].value, True, i + 2
        elif word.kind == "scale":
            total, last, last_scale, scaled, bare_scale, j = word.value, "scale", word.value, True, True, i + 1
        elif word.kind == "dualscale":
            total, last, last_scale, scaled, j = word.value, "scale", word.value / 2, True, i + 1
        else:
            current, last, j = word.value, word.kind, i + 1
        while j < n:
            joined = self.tokens[j].text.startswith("و") and self.lookup(j, 1) is not None
            entry = self.lookup(j, 1) if joined else self.lookup(j)
            if entry is None:
                break
            kind = entry.kind
            if not joined:
                if kind == "ten" and last in ("one", "unit") and current < 10:
                    current, last = current + 10, "teen"  # ثلاثة عشر
                elif kind == "hundred" and entry.value == 100 and last == "unit":
                    current, last = current * 100, "hundred"  # ثلاث مئة
                elif kind == "scale" and last in ("one", "unit", "ten", "teen", "tens", "hundred") and (
                    last_scale is None or entry.value < last_scale
                ):
                    total += current * entry.value
                    groups.append(current)
                    current, last, last_scale, scaled, bare_scale = Decimal(0), "scale", entry.value, True, False
                else:
                    break
            else:
                if kind == "fraction" and last == "scale":
                    total += entry.value * last_scale
                    j += 1
                    break
                if kind not in _JOINS.get(last, ()):
                    break
                if last == "scale" and entry.value >= last_scale:
                    break
                if kind == "dualscale":
                    total += entry.value
                    last_scale = entry.value / 2
                else:
                    current += entry.value
                    last = kind
                bare_scale = False
            j += 1
        value = total + current
        if value == 0 or (j == i + 1 and word.kind == "one"):
            return None  # "واحد"/"أحد" alone: an adjective or "one of", not a count
        core = Core(value, i, j, clitic, scaled=scaled, bare_scale=bare_scale)
        if len(groups) == 1 and value == groups[0] * last_scale:  # "عشرين ألفا" = 20 x 1000
            core.unscaled, core.scale = groups[0], last_scale
        if last == "scale" and current == 0:
            self._more_digits(core, last_scale)
        return core


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


@lru_cache(maxsize=1)
def _starters() -> frozenset[str]:
    """Words an item can begin with (besides digits)."""
    return frozenset(number_words()) | qualifiers().firsts | vague().firsts | units()[1].firsts


@lru_cache(maxsize=1)
def _number_starters() -> frozenset[str]:
    """Words that are themselves (the start of) a number; a qualifier always comes just
    before one of these, so it need not open a window of its own."""
    return frozenset(number_words()) | vague().firsts | units()[1].firsts


def _starts(word: str, starters: frozenset[str]) -> bool:
    """May an item begin with this word (perhaps after a proclitic)? A cheap pre-filter."""
    if word in starters:
        return True
    if word[0] not in CLITIC_LETTERS:
        return False
    return word[1:] in starters or (word[:2] in CLITICS and word[2:] in starters)


_WORD = re.compile(r"[^\W\d_]+|[\d%٪]")
_SPACE = re.compile(r"\s")
_BEFORE, _AFTER = 40, 100  # context kept around a possible number (qualifier; range, unit)


def _tokens_near_candidates(key: str) -> list[Tok]:
    """Tokens of the parts of ``key`` around digits and number words only: most of an
    article has no numbers, and tokenizing it all is the slowest step."""
    starters = _number_starters()
    windows: list[list[int]] = []
    for m in _WORD.finditer(key):
        w = m.group()
        if w[0].isalpha() and not _starts(w, starters):
            continue
        s, e = max(0, m.start() - _BEFORE), m.end() + _AFTER
        if windows and s <= windows[-1][1]:
            windows[-1][1] = e
        else:
            windows.append([s, e])
    tokens: list[Tok] = []
    for s, e in windows:  # cut at spaces so that no word is split
        before = key.rfind(" ", 0, s) + 1 if s else 0
        space = _SPACE.search(key, min(e, len(key)))
        end = space.start() if space else len(key)
        tokens.extend(Tok(m.group(), m.start(), m.end()) for m in TOKEN.finditer(key, before, end))
    return tokens


class NumberFinder:
    """Finds number items in one text."""

    def __init__(self, text: str, blocked: list[tuple[int, int]] | None = None):
        self.keyed = keyed(text)
        self.tokens = _tokens_near_candidates(self.keyed.key)
        self.parser = _Parser(self.tokens, self.keyed)
        self.blocked = sorted(blocked or [])
        self._blocked_at = bytearray(len(text) + 1)  # blocked characters: overlap tests in C
        for s, e in self.blocked:
            self._blocked_at[max(0, s):max(0, e)] = b"\x01" * max(0, e - max(0, s))

    def find(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        starters = _starters()
        i = 0
        while i < len(self.tokens):
            tok = self.tokens[i]
            if not (tok.is_digits or tok.text in "%٪" or _starts(tok.text, starters)):
                i += 1
                continue
            item, j = self._at(i)
            if item:
                out.append(item)
                i = j
            else:
                i += 1
        return out

    # -- helpers --------------------------------------------------------------

    def _glued(self, a: int, b: int) -> bool:
        """Tokens a and b touch (no space between them)."""
        return 0 <= a and b < len(self.tokens) and self.tokens[a].end == self.tokens[b].start

    def _digits_inside_word(self, i: int) -> bool:
        """"الوطن١"، "إف-16"، "10:30"، "3/4"، ids: digits that are not a count."""
        toks = self.tokens
        tok = toks[i]
        if "," not in tok.text and "." not in tok.text and len(tok.text) >= MAX_PLAIN_DIGITS:
            return True
        if self._glued(i - 1, i):
            prev = toks[i - 1].text
            if prev.isalpha() and prev not in DIGIT_PREFIXES:
                return True
            if prev in ":/" or (prev in "-–" and self._glued(i - 2, i - 1) and toks[i - 2].is_word):
                return True
            if prev == "-" and self._glued(i - 2, i - 1) and toks[i - 2].is_digits:
                return True  # 2025-12 (a numeric date left to the dates module)
        if self._glued(i, i + 1) and toks[i + 1].text in ":/+":
            return True
        if (self._glued(i, i + 1) and toks[i + 1].text in "-)" and i + 2 < len(toks)
                and not self._glued(i + 1, i + 2) and not toks[i + 2].is_digits
                and not (i > 0 and toks[i - 1].text == "(")):
            return True  # a list item: "4- وزيادة نسبة", "2) تعزيز"
        if self._glued(i - 1, i) and toks[i - 1].text == "+" and self._glued(i - 2, i - 1):
            return True  # "5+1"
        return False

    def _overlaps_blocked(self, start: int, end: int) -> bool:
        if end <= start:  # empty: the scan keeps the exact interval semantics
            return any(s < end and start < e for s, e in self.blocked)
        return self._blocked_at.find(1, start, end) >= 0

    def _after_label(self, i: int) -> bool:
        if i > 1 and self.tokens[i - 1].text == "(":  # المادة (5)
            i -= 1
        if i == 0:
            return False
        w = self.tokens[i - 1].text
        return w in labels() or any(w.startswith(c) and w[len(c):] in labels() for c in CLITICS)

    def _after_bayn(self, i: int) -> bool:
        return i > 0 and self.tokens[i - 1].text in ("بين", "وبين", "فبين")

    def _range(self, core: Core, start_index: int) -> Core | None:
        """A second number after "-", "إلى", "أو", or "و" after بين: "بين 10 و20 ألفا"."""
        toks, j = self.tokens, core.j
        if j >= len(toks):
            return None
        mark = toks[j].text
        nxt = None
        if mark in RANGE_MARKS or mark == "او" or (mark == "و" and self._after_bayn(start_index)):
            if j + 1 < len(toks):
                if mark in "-–—" and not (toks[j + 1].is_digits and core.digits):
                    return None
                nxt = self.parser.core(j + 1)
        elif mark.startswith("و") and len(mark) > 1 and self._after_bayn(start_index):
            nxt = self.parser._words(j)  # "وعشرين": the و is the range's "and"
            if nxt and nxt.clitic == 0:
                nxt.clitic = 1
        if nxt is None or nxt.vague or nxt.unit:
            return None
        if nxt.digits and self._digits_inside_word(nxt.i) and mark not in "-–—":
            return None
        low = core.value
        if not core.scaled and nxt.scaled and nxt.unscaled is not None and core.value < nxt.unscaled:
            low = core.value * nxt.scale  # بين 10 و20 ألفا: the scale belongs to both
        if nxt.value <= low:
            return None
        core.value = low
        return nxt

    # -- one item -------------------------------------------------------------

    def _at(self, i: int) -> tuple[dict[str, Any] | None, int]:
        toks = self.tokens
        qual = None
        qstart = None
        hit = qualifiers().match_clitic(toks, i)
        k = i
        if hit:
            qual, k, clitic = hit
            qstart = toks[i].start + clitic
            if k >= len(toks):
                return None, i
        pct_first = None  # "%90", typed in the other direction
        if toks[k].text in "%٪" and k + 1 < len(toks) and self._glued(k, k + 1) and toks[k + 1].is_digits:
            pct_first, k = k, k + 1
        core = self.parser.core(k)
        if core is None:
            return None, i
        if core.digits and self._digits_inside_word(k):
            return None, i
        if self._after_label(i):
            return None, core.j
        high = self._range(core, i)
        j = high.j if high else core.j
        # unit
        unit = core.unit
        paren = None  # "(600) ساعة": the number in brackets, the unit after them
        if (unit is None and high is None and j + 1 < len(toks) and toks[j].text == ")"
                and core.i > 0 and toks[core.i - 1].text == "(" and qual is None):
            hit_p = units()[0].match(toks, j + 1)
            if hit_p:
                paren, unit, j = core.i - 1, hit_p[0], hit_p[1]
        if unit is None and j < len(toks):
            table = units()[0]
            hit_u = table.match(toks, j)
            if hit_u is None and core.vague:  # عشرات الجنود، آلاف من الجنود
                w = toks[j].text
                if w.startswith("ال"):
                    hit_u = table.match(toks, j, first=w[2:])
                elif w == "من" and j + 1 < len(toks) and toks[j + 1].text.startswith("ال"):
                    hit_u = table.match(toks, j + 1, first=toks[j + 1].text[2:])
            if hit_u:
                unit, j = hit_u
        # digits glued to letters that are not a unit: "2025م", "5G"
        last_num = (high or core)
        if last_num.digits and self._glued(last_num.j - 1, last_num.j) and last_num.j < len(toks):
            if toks[last_num.j].is_word and (unit is None or j == last_num.j):
                return None, i
        value = core.value
        # "ثلاث سنوات ونصف"
        if unit and unit != "%" and j < len(toks) and toks[j].text in ("ونصف", "وربع") and not core.scaled:
            value += Decimal("0.5") if toks[j].text == "ونصف" else Decimal("0.25")
            j += 1
        if qual is None and j < len(toks):
            hit_p = post_qualifiers().match(toks, j)
            if hit_p:
                qual, j = hit_p
        if qual is None:
            qual = core.qualifier
        if core.bare_scale and unit is None and qual is None:
            return None, i
        if core.digits and unit is None and self._glued(k - 1, k) and toks[k - 1].text.endswith(("ال", "لل")):
            return None, i  # "الدورة الـ13": an ordinal
        if (
            core.digits and not high and unit is None and qual is None and not core.scaled
            and "," not in toks[k].text and "." not in toks[k].text
            and int(core.value) in YEAR_LIKE and len(toks[k].text) == 4
        ):
            return None, j  # a bare year ("أولمبياد 2024") is not a count
        core_start, core_end = self.keyed.span(toks[core.i].start + core.clitic, toks[last_num.j - 1].end)
        if self._overlaps_blocked(core_start, core_end):
            return None, i
        kstart = qstart if qstart is not None else toks[core.i].start + core.clitic
        if paren is not None:
            kstart = toks[paren].start
        if pct_first is not None and unit is None:
            unit = "%"
            kstart = qstart if qstart is not None else toks[pct_first].start
        start, end = self.keyed.span(kstart, toks[j - 1].end)
        item: dict[str, Any] = {
            "start": start,
            "end": end,
            "text": self.keyed.text[start:end],
            "value": _number(value),
            "unit": unit,
            "qualifier": qual,
        }
        if high:
            item["value_max"] = _number(high.value)
        return item, j


def find_numbers(text: str, blocked: list[tuple[int, int]] | None = None) -> list[dict[str, Any]]:
    """Number items in ``text``; spans in ``blocked`` (calendar dates) are skipped. With
    ``blocked`` None the dates module is asked for the date spans."""
    if blocked is None:
        from marsad.extract.dates import calendar_spans  # dates imports this module

        blocked = calendar_spans(text)
    return NumberFinder(text, blocked).find()


class NumberExtractor:
    """Per-article component: sets ``article.numbers``."""

    def __call__(self, article: Article) -> Article:
        article.numbers = find_numbers(article.text)
        return article
