"""Dates in the text, resolved to the calendar.

Explicit dates ("3 ديسمبر 2025", "نوفمبر/تشرين الثاني عام 2024", "2025/12/03", "5 رمضان 1446 هـ")
resolve on their own (``resolved_from="explicit"``). Relative ones ("مساء الثلاثاء",
"اليوم الأربعاء", "الشهر الماضي", "قبل ثلاثة أيام", a month without a year) need an anchor:
the article's publication date (``"published"``) or, later, a date inferred from its story
(``"story"``, see :meth:`DateExtractor.reresolve` and :func:`resolve_relative`).

Matching runs on the normalised key of the text (:class:`marsad.extract.numbers.Keyed`),
so hamza/ta-marbuta spellings and Arabic-Indic digits need no special cases; names and
phrases come from ``data/dates/``. Detection (:func:`find_mentions`) and resolution
(:func:`resolve`) are separate so that a mention can be re-resolved against another anchor.

An item is ``{"start", "end", "text", "date": "YYYY-MM-DD", "resolved_from",
"granularity": "day"|"week"|"month"|"year", "how"}``.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from marsad.doc import Article
from marsad.extract.numbers import Keyed, keyed, number_words, split_forms, unit_at, word_value
from marsad.resources import lines
from marsad.text.normalize import normalize

Date = dt.date

# ---------------------------------------------------------------------------
# Lexicons
# ---------------------------------------------------------------------------


def _numbered(name: str) -> dict[str, int]:
    """"n<TAB>a|b" lines -> {normalised form: n}."""
    out: dict[str, int] = {}
    for line in lines(name):
        n, forms = line.split("\t")
        for form in split_forms(forms):
            out.setdefault(normalize(form), int(n))
    return out


def _named(name: str) -> dict[str, list[str]]:
    """"label<TAB>a|b" lines -> {label: [normalised forms]}."""
    out: dict[str, list[str]] = {}
    for line in lines(name):
        label, forms = line.split("\t")
        out.setdefault(label, []).extend(normalize(f) for f in split_forms(forms))
    return out


def _alt(forms) -> str:
    """Regex alternation of key forms, factored as a trie (Python's re is slow on long flat
    alternations); longer forms are tried first; a space matches any run of spaces."""
    trie: dict = {}
    for form in set(forms):
        node = trie
        for ch in form:
            node = node.setdefault(ch, {})
        node[""] = {}

    def build(node: dict) -> str:
        ends = "" in node
        alts = [(r"\s+" if ch == " " else re.escape(ch)) + build(node[ch]) for ch in sorted(c for c in node if c)]
        if not alts:
            return ""
        body = alts[0] if len(alts) == 1 and (not ends or len(alts[0]) == 1) else "(?:" + "|".join(alts) + ")"
        return f"(?:{body})?" if ends and len(alts[0]) > 1 else body + "?" if ends else body

    return build(trie) or "(?!)"


def _k(s: str) -> str:
    """Normalised lookup key of matched key text (spaces collapsed)."""
    return normalize(s)


@dataclass(frozen=True)
class Lexicon:
    months: dict[str, int]
    ordinal_days: dict[str, int]
    ambiguous_months: frozenset[str]
    hijri_months: dict[str, int]
    weekdays: dict[str, int]
    modifiers: dict[str, str]  # form -> past | next | current
    relative: dict[str, tuple[str, int]]  # form -> (unit, offset)
    relative_units: dict[str, tuple[str, str]]  # form -> (unit, number: sg | pl | dual)
    not_today_before: frozenset[str]
    not_today_after: frozenset[str]


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    modifiers = {f: label for label, forms in _named("dates/modifiers.tsv").items() for f in forms}
    relative = {}
    for line in lines("dates/relative.tsv"):
        forms, unit, offset = line.split("\t")
        for f in split_forms(forms):
            relative.setdefault(normalize(f), (unit, int(offset)))
    relative_units = {}
    for line in lines("dates/relative_units.tsv"):
        unit, sg, pl, dual = line.split("\t")
        for number, forms in (("sg", sg), ("pl", pl), ("dual", dual)):
            for f in split_forms(forms):
                key = normalize(f)
                relative_units.setdefault(key, (unit, number))
                if number == "sg" and not key.endswith(("ه", "ا")):
                    relative_units.setdefault(key + "ا", (unit, "pl"))  # 15 يوما
    not_today = _named("dates/not_today.tsv")
    return Lexicon(
        months=_numbered("dates/months.tsv"),
        ordinal_days=_numbered("dates/ordinal_days.tsv"),
        ambiguous_months=frozenset(normalize(w) for w in lines("dates/months_ambiguous.txt")),
        hijri_months=_numbered("dates/hijri_months.tsv"),
        weekdays=_numbered("dates/weekdays.tsv"),
        modifiers=modifiers,
        relative=relative,
        relative_units=relative_units,
        not_today_before=frozenset(not_today.get("before", ())),
        not_today_after=frozenset(not_today.get("after", ())),
    )


# ---------------------------------------------------------------------------
# Patterns (built from the lexicons; run on the normalised key)
# ---------------------------------------------------------------------------

_START = r"(?<!\w)(?:[وفبل](?=\w))?"  # a word boundary, then an optional proclitic (وفي، والإثنين)
_END = r"(?!\w)"


@lru_cache(maxsize=1)
def patterns() -> dict[str, re.Pattern]:
    lex = lexicon()
    months = _alt(lex.months)
    latin_months = _alt(f for f in lex.months if f.isascii())
    weekdays = _alt(lex.weekdays)
    mods = _alt(lex.modifiers)
    hijri = _alt(lex.hijri_months)
    markers = _alt(normalize(m) for m in lines("dates/hijri_markers.txt"))
    parts = _alt(normalize(p) for p in lines("dates/parts_of_day.txt"))
    relative = _alt(lex.relative)
    ordinals = _alt(lex.ordinal_days)
    relyears = _alt(f for f, (unit, _) in lex.relative.items() if unit == "year")
    cues = _named("dates/year_cues.tsv")
    num_words = _alt(w for w, v in number_words().items() if v.kind in ("unit", "ten", "tens", "hundred"))
    rel_units = _alt(u for u, (_, number) in lex.relative_units.items() if number != "dual")
    rel_duals = _alt(u for u, (_, number) in lex.relative_units.items() if number == "dual")
    rel_sg = _alt(u for u, (_, number) in lex.relative_units.items() if number == "sg")
    year = r"(?P<year>(?:19|20)\d\d)(?:\s*م(?!\w))?"
    out = {
        # [weekday،] [day[-day2] | الأول من] [شهر] month[/month] [[،] [عام] year] [الماضي]
        "explicit": rf"""{_START}(?P<body>
            (?:(?:يوم\s+)?(?P<wd>{weekdays})\s*[،,]?\s*)?
            (?:(?P<day>\d{{1,2}})(?:\s*(?:-|–|و)\s*(?P<day2>\d{{1,2}}))?\s*(?:من\s+)?
              |(?P<first>{ordinals})\s+من\s+)?
            (?P<shahr>شهر\s+)?
            (?P<m1>{months})(?:(?:\s*(?:/|\(|-|–)\s*|\s+)(?P<m2>{months})\s*\)?)?
            (?:\s*[،,]?\s*(?:(?:من\s+)?(?:عام|العام|سنة)\s+)?{year})?
            (?:\s+(?P<mod>{mods})|\s+(?:من\s+)?(?P<relyear>{relyears}))?
        ){_END}""",
        # December 3, 2025 (Latin metadata lines)
        "mdy": rf"(?<!\w)(?P<body>(?P<m1>{latin_months})\.?\s+(?P<day>\d{{1,2}}),?\s+{year}){_END}",
        "hijri": rf"""{_START}(?P<body>
            (?:(?P<day>\d{{1,2}})\s+(?:من\s+)?)?(?:شهر\s+)?
            (?P<hm>{hijri})\s*[،,]?\s+(?:(?:عام|سنة)\s+)?(?P<year>1[345]\d\d)(?:\s*(?:{markers}))?
        ){_END}""",
        "hijri_year": rf"{_START}(?P<body>(?:(?:عام|العام|سنة)\s+)?(?P<year>1[345]\d\d)\s*(?:{markers})){_END}",
        # 2025/12/03, 2025-12-03; 3/12/2025 and "26/ 4/ 1433" (day first; a year 1343-1500 is Hijri)
        "ymd": r"(?<![\w.,/:-])(?P<body>(?P<year>\d{4})(?P<s>[/.-])(?P<month>\d{1,2})(?P=s)(?P<day>\d{1,2}))(?![\d/]|\.\d)",
        "dmy": rf"""(?<![\w.,/:-])(?P<body>(?P<day>\d{{1,2}})\s?(?P<s>[/.-])\s?(?P<month>\d{{1,2}})\s?(?P=s)\s?(?P<year>\d{{4}})
            (?:\s*(?:{markers})(?!\w))?)(?![\w/]|\.\d)""",
        "year_span": rf"{_START}(?P<body>(?:{_alt(cues['span'])})\s+{year}){_END}",
        "year_before": rf"{_START}(?:{_alt(cues['before'])})\s+(?P<body>{year}){_END}",
        # [part] [اليوم|أمس|غدا|يوم] weekday[-weekday] [المقبل]
        "weekday": rf"""{_START}(?P<body>
            (?:(?P<part>{parts})\s+)?
            (?:(?P<rel>اليوم|امس|غدا|غد|يوم)\s+)?
            (?P<wd>{weekdays})
            (?:\s*[-–/]\s*(?P<wd2>{weekdays})|\s+(?:الي|علي)\s+(?P<wd3>{weekdays}))?
            (?:\s+(?P<mod>{mods}))?
        ){_END}""",
        "relative": rf"{_START}(?P<body>(?:(?P<part>{parts})\s+)?(?P<rel>{relative})){_END}",
        # قبل ثلاثة أيام، منذ يومين، بعد 15 يوما, but not "قبل يومين من انتهاء المهلة"
        "ago": rf"""{_START}(?P<body>(?P<dir>قبل|منذ|بعد)\s+
            (?:(?P<n>\d{{1,3}}|{num_words})\s+(?P<unit>{rel_units})|(?P<dual>{rel_duals})|(?P<sg>{rel_sg}))
        ){_END}(?!\s+(?:من|و?نصف)(?!\w))""",
    }
    return {name: re.compile(p, re.VERBOSE) for name, p in out.items()}


EXPLICIT_FAMILIES = ("explicit", "mdy", "hijri", "hijri_year", "ymd", "dmy", "year_span", "year_before")


# ---------------------------------------------------------------------------
# Mentions
# ---------------------------------------------------------------------------


@dataclass
class DateMention:
    """A date expression found in a text, not yet resolved."""

    start: int
    end: int
    text: str
    family: str  # one of the pattern names
    fields: dict[str, Any] = field(default_factory=dict)

    @property
    def explicit(self) -> bool:
        return self.family in EXPLICIT_FAMILIES


def _fields(m: re.Match) -> dict[str, Any]:
    return {k: v for k, v in m.groupdict().items() if v is not None and k != "body"}


# Regexes run only in windows around trigger words (a month name, a weekday, "قبل", a
# four-digit number): scanning whole articles with them is several times slower.
_WINDOW_BEFORE, _WINDOW_AFTER = 80, 100
_WORD = re.compile(r"[^\W\d_]+")
_SPACE = re.compile(r"\s")
_FOUR_DIGITS = re.compile(r"(?<!\d)\d{4}(?!\d)")
_DIGIT_FAMILIES = ("mdy", "hijri", "hijri_year", "ymd", "dmy", "year_span", "year_before")


@lru_cache(maxsize=1)
def _triggers() -> dict[str, tuple[str, ...]]:
    """Key word -> the pattern families that may match around it."""
    lex = lexicon()
    words: dict[str, set[str]] = {}

    def add(forms, family):
        for form in forms:
            for w in form.split():
                words.setdefault(w, set()).add(family)

    add(lex.months, "explicit")
    add(lex.weekdays, "weekday")
    add(lex.relative, "relative")
    add(("قبل", "منذ", "بعد"), "ago")
    return {w: tuple(sorted(f)) for w, f in words.items()}


def _windows(key: str) -> dict[str, list[tuple[int, int]]]:
    """Family -> merged (start, end) windows of the key worth scanning."""
    triggers = _triggers()
    hits: dict[str, list[int]] = {}
    for m in _WORD.finditer(key):
        w = m.group()
        families = triggers.get(w) or (w[0] in "وفبل" and triggers.get(w[1:]))
        if families:
            for family in families:
                hits.setdefault(family, []).append(m.start())
    digits = [m.start() for m in _FOUR_DIGITS.finditer(key)]
    if digits:
        for family in _DIGIT_FAMILIES:
            hits.setdefault(family, []).extend(digits)
    out = {}
    for family, positions in hits.items():
        merged: list[list[int]] = []
        for p in sorted(positions):
            s, e = max(0, p - _WINDOW_BEFORE), p + _WINDOW_AFTER
            if merged and s <= merged[-1][1]:
                merged[-1][1] = e
            else:
                merged.append([s, e])
        for w in merged:  # end windows at a space, so that (?!\w) is not fooled by endpos
            space = _SPACE.search(key, min(w[1], len(key)))
            w[1] = space.start() if space else len(key)
        out[family] = [(s, e) for s, e in merged]
    return out


def _matches(key: str):
    """(family, match) for every pattern match in the key."""
    compiled = patterns()
    for family, windows in _windows(key).items():
        for ws, we in windows:
            for m in compiled[family].finditer(key, ws, we):
                yield family, m


def _candidates(kt: Keyed) -> list[DateMention]:
    key = kt.key
    lex = lexicon()
    out = []
    for family, m in _matches(key):
        f = _fields(m)
        ks, ke = m.start("body"), m.end("body")
        if family == "explicit":
            # a weekday or a bare "من" only belongs to the date when a day number follows
            if "wd" in f and "day" not in f and "first" not in f:
                ks = min(m.start(g) for g in ("shahr", "m1") if m.group(g) is not None)
                del f["wd"]
            m1 = _k(f["m1"])
            if "m2" in f and lex.months[_k(f["m2"])] != lex.months[m1]:
                ke = m.end("m1")  # "يونيو تموز": two months, not one month's two names
                for g in ("m2", "year", "mod"):
                    f.pop(g, None)
            context = any(g in f for g in ("day", "first", "year", "mod", "relyear", "shahr", "m2"))
            if m1 in lex.ambiguous_months and not context:
                continue
        if family == "year_before":
            rest = re.match(r"\s*", key[ke:])
            if unit_at(key, ke + rest.end()):
                continue  # "في 2000 منزل": a count, not a year
        if family == "relative" and _k(f["rel"]) in ("اليوم", "هذا اليوم") and not _is_today(key, m.start("rel"), m.end("rel")):
            continue
        if family == "ago" and "sg" in f and _k(f["dir"]) == "منذ":
            continue  # "منذ عام": "in a year", rarely a date
        start, end = kt.span(ks, ke)
        out.append(DateMention(start, end, kt.text[start:end], family, f))
    return out


def _is_today(key: str, s: int, e: int) -> bool:
    lex = lexicon()
    before = key[max(0, s - 12):s].split()
    after = key[e:e + 16].split()
    if before and before[-1] in lex.not_today_before:
        return False
    if after and after[0].strip("،,.") in lex.not_today_after:
        return False
    return True


def _select(cands: list[DateMention]) -> list[DateMention]:
    """Longest first, then leftmost; no two mentions overlap."""
    chosen: list[DateMention] = []
    taken = bytearray(max((c.end for c in cands), default=0) + 1)  # overlap tests in C: linear time
    for c in sorted(cands, key=lambda c: (-(c.end - c.start), c.start, not c.explicit)):
        if c.end > c.start and taken.find(1, c.start, c.end) < 0:
            chosen.append(c)
            taken[c.start:c.end] = b"\x01" * (c.end - c.start)
    return sorted(chosen, key=lambda c: c.start)


def find_mentions(text: str) -> list[DateMention]:
    """Date expressions in ``text`` (explicit and relative), non-overlapping, in order."""
    return list(_mentions(text))


@lru_cache(maxsize=4)  # the numbers module asks for the same text's dates
def _mentions(text: str) -> tuple[DateMention, ...]:
    mentions = _select(_candidates(keyed(text)))
    for m in mentions:  # "حتى الجمعة": a deadline, so the coming Friday
        if m.family == "weekday":
            m.fields["until"] = bool(re.search(r"(?<!\w)حتي\s+$", _k(text[max(0, m.start - 8):m.start]) + " "))
    return tuple(mentions)


def calendar_spans(text: str) -> list[tuple[int, int]]:
    """Spans of explicit calendar dates, for the numbers module to leave alone."""
    return [(m.start, m.end) for m in find_mentions(text) if m.explicit]


# ---------------------------------------------------------------------------
# Resolution
# ---------------------------------------------------------------------------


def _add_months(d: Date, n: int) -> Date:
    y, m = divmod(d.year * 12 + d.month - 1 + n, 12)
    return Date(y, m + 1, 1)


def _safe_date(y: int, m: int, d: int) -> Date | None:
    try:
        return Date(y, m, d)
    except ValueError:
        return None


# A month named without a year is read as the latest one on or before the anchor, unless
# the next one is at most this many months ahead: news mostly reports what happened, but
# "يناير" in a December article is the coming January.
FUTURE_MONTHS = 3


def _year_for(month: int, day: int | None, anchor: Date, mod: str | None) -> int | None:
    """Year of a month (and day) written without one, seen from ``anchor``."""
    y = anchor.year
    if mod == "current":
        return y
    if day is None:
        if mod == "past":
            return y if month < anchor.month else y - 1
        if mod == "next":
            return y if month > anchor.month else y + 1
        ahead = (month - anchor.month) % 12
        return y + (month < anchor.month) if 0 < ahead <= FUTURE_MONTHS else y - (month > anchor.month)
    options = [(c, _safe_date(c, month, day)) for c in (y - 1, y, y + 1)]
    options = [(c, d) for c, d in options if d]
    if not options:
        return None
    if mod == "past":
        return max((c for c, d in options if d < anchor), default=None)
    if mod == "next":
        return min((c for c, d in options if d > anchor), default=None)
    past = max((cd for cd in options if cd[1] <= anchor), key=lambda cd: cd[1], default=None)
    future = min((cd for cd in options if cd[1] > anchor), key=lambda cd: cd[1], default=None)
    if future and (past is None or (future[1] - anchor).days <= FUTURE_MONTHS * 31):
        return future[0]
    return past[0] if past else None


HIJRI_YEARS = (1343, 1500)  # the years hijridate's Umm al-Qura tables cover


def _hijri(year: int, month: int, day: int) -> Date | None:
    from hijridate import Hijri

    try:
        return Hijri(year, month, day).to_gregorian()
    except (ValueError, OverflowError):
        return None


_WEEKDAY_NAMES = ("الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد")


def _resolve_fields(m: DateMention, anchor: Date | None) -> tuple[Date, str, str, bool] | None:
    """(date, granularity, how, needed the anchor) or None when it cannot be resolved."""
    lex = lexicon()
    f = m.fields
    fam = m.family
    if fam in ("explicit", "mdy"):
        month = lex.months[_k(f["m1"])]
        day = lex.ordinal_days[_k(f["first"])] if "first" in f else int(f["day"]) if "day" in f else None
        mod = lex.modifiers.get(_k(f["mod"])) if "mod" in f else None
        if "year" in f:
            d = _safe_date(int(f["year"]), month, day or 1)
            return (d, "day" if day else "month", "explicit date", False) if d else None
        if anchor is None:
            return None
        if "relyear" in f:  # "ديسمبر (كانون الأول) العام الماضي"
            y = anchor.year + lex.relative[_k(f["relyear"])][1]
            d = _safe_date(y, month, day or 1)
            return (d, "day" if day else "month", f"{m.text}: year from {anchor}", True) if d else None
        y = _year_for(month, day, anchor, mod)
        d = _safe_date(y, month, day or 1) if y else None
        if d is None:
            return None
        rule = {"past": "latest before", "next": "first after", "current": "in the year of"}.get(mod, "closest (past-leaning) to")
        return d, "day" if day else "month", f"{'day and month' if day else 'month'} without year, {rule} {anchor}", True
    if fam in ("hijri", "hijri_year"):
        year = int(f["year"])
        month = lex.hijri_months[_k(f["hm"])] if "hm" in f else 1
        day = int(f["day"]) if "day" in f else None
        d = _hijri(year, month, day or 1)
        if d is None:
            return None
        gran = "day" if day else "month" if "hm" in f else "year"
        return d, gran, f"Hijri {day or 1}/{month}/{year} (Umm al-Qura)", False
    if fam in ("ymd", "dmy"):
        y, mo, dd = int(f["year"]), int(f["month"]), int(f["day"])
        if HIJRI_YEARS[0] <= y <= HIJRI_YEARS[1]:
            d = _hijri(y, mo, dd)
            return (d, "day", f"numeric Hijri date {dd}/{mo}/{y} (Umm al-Qura)", False) if d else None
        d = _safe_date(y, mo, dd)
        return (d, "day", "numeric date" + (" (day first)" if fam == "dmy" else ""), False) if d else None
    if fam in ("year_span", "year_before"):
        return Date(int(f["year"]), 1, 1), "year", "year", False
    if anchor is None:
        return None
    if fam == "weekday":
        wd = lex.weekdays[_k(f["wd"])]
        name = _WEEKDAY_NAMES[wd]
        rel = _k(f["rel"]) if "rel" in f else None
        if rel in ("اليوم", "امس", "غدا", "غد"):
            d = anchor + dt.timedelta(days={"اليوم": 0, "امس": -1, "غدا": 1, "غد": 1}[rel])
            if d.weekday() != wd:
                return None  # "اليوم الأربعاء" on a Tuesday: the text or the anchor is wrong
            return d, "day", f"{m.text} = {d}, agrees with anchor {anchor}", True
        mod = lex.modifiers.get(_k(f["mod"])) if "mod" in f else None
        if mod == "next":
            delta = (wd - anchor.weekday() - 1) % 7 + 1
            return anchor + dt.timedelta(days=delta), "day", f"weekday {name} after {anchor}", True
        if f.get("until"):
            delta = (wd - anchor.weekday()) % 7
            return anchor + dt.timedelta(days=delta), "day", f"weekday {name} (deadline) on or after {anchor}", True
        if mod == "past":
            delta = (anchor.weekday() - wd - 1) % 7 + 1
            return anchor - dt.timedelta(days=delta), "day", f"weekday {name} before {anchor}", True
        delta = (anchor.weekday() - wd) % 7
        return anchor - dt.timedelta(days=delta), "day", f"weekday {name} on or before {anchor}", True
    if fam == "relative":
        unit, offset = lex.relative[_k(f["rel"])]
        return (*_shift(anchor, unit, offset), f"{m.text} from {anchor}", True)
    if fam == "ago":
        direction = -1 if _k(f["dir"]) in ("قبل", "منذ") else 1
        if "dual" in f:
            unit, n = lex.relative_units[_k(f["dual"])][0], 2
        elif "sg" in f:
            unit, n = lex.relative_units[_k(f["sg"])][0], 1
        else:
            unit = lex.relative_units[_k(f["unit"])][0]
            raw = _k(f["n"])
            n = int(raw) if raw.isdigit() else word_value(raw)
        if not n:
            return None
        d, gran = _shift(anchor, unit, direction * n, step=True)
        return d, gran, f"{m.text}: {n} {unit}(s) from {anchor}", True
    return None


def _shift(anchor: Date, unit: str, n: int, step: bool = False) -> tuple[Date, str]:
    """Move ``anchor`` by ``n`` units. Months and years land on the 1st (granularity month/
    year); weeks keep the day (granularity week)."""
    if unit == "day":
        return anchor + dt.timedelta(days=n), "day"
    if unit == "week":
        return anchor + dt.timedelta(days=7 * n), "week"
    if unit == "month":
        return _add_months(anchor, n), "month"
    return Date(anchor.year + n, 1, 1), "year"


def resolve(mention: DateMention, anchor: Date | None, relative_source: str = "published") -> dict[str, Any] | None:
    """The date item for ``mention``; relative mentions need ``anchor`` and are marked
    ``resolved_from=relative_source``. None when it cannot be resolved."""
    got = _resolve_fields(mention, anchor)
    if got is None:
        return None
    d, gran, how, used_anchor = got
    return {
        "start": mention.start,
        "end": mention.end,
        "text": mention.text,
        "date": d.isoformat(),
        "resolved_from": relative_source if used_anchor else "explicit",
        "granularity": gran,
        "how": how,
    }


def extract_dates(text: str, anchor: Date | None = None, relative_source: str = "published") -> list[dict[str, Any]]:
    """Date items of ``text``: explicit ones always, relative ones when ``anchor`` is given."""
    out = []
    for m in find_mentions(text):
        item = resolve(m, anchor, relative_source)
        if item:
            out.append(item)
    return out


def resolve_relative(text: str, start: int, end: int, anchor: Date, resolved_from: str = "story") -> dict[str, Any] | None:
    """Resolve the date expression at ``text[start:end]`` (a span :func:`find_mentions` gives)
    against ``anchor``; its context in ``text`` matters ("حتى الجمعة")."""
    for m in find_mentions(text):
        if m.start == start and m.end == end:
            return resolve(m, anchor, resolved_from)
    return None


def weekday_of(mention: DateMention) -> int | None:
    """The weekday a mention names (0 = Monday), resolved or not: "الثلاثاء" says Tuesday even
    when no anchor tells which Tuesday."""
    wd = mention.fields.get("wd") if mention.family == "weekday" else None
    return lexicon().weekdays.get(_k(wd)) if wd else None


def anchor_of(published: str | None) -> Date | None:
    if not published:
        return None
    try:
        return Date.fromisoformat(published[:10])
    except ValueError:
        return None


def parse_date(s: str) -> Date | None:
    """A publication-date string -> date: "3 ديسمبر 2025", "٣ ديسمبر ٢٠٢٥", "2025/12/03",
    "2025-12-03T10:00:00+03:00", "الأربعاء 3 ديسمبر 2025 - 10:30", "5 رمضان 1446 هـ".
    Only day-precise explicit dates count; the first one in ``s`` wins."""
    if not s:
        return None
    iso = re.match(r"\s*(\d{4})-(\d{2})-(\d{2})(?:[T\s]|$)", s)
    if iso:
        return _safe_date(*map(int, iso.groups()))
    for m in find_mentions(s):
        if m.explicit:
            got = _resolve_fields(m, None)
            if got and got[1] == "day":
                return got[0]
    return None


class DateExtractor:
    """Per-article component: sets ``article.dates`` (relative dates against ``published``)."""

    def __call__(self, article: Article) -> Article:
        article.dates = extract_dates(article.text, anchor_of(article.published), "published")
        return article

    @staticmethod
    def reresolve(article: Article, anchor: Date, resolved_from: str = "story") -> Article:
        """Redo ``article.dates`` with relative dates resolved against ``anchor`` (e.g. the
        date of the story an undated article belongs to)."""
        article.dates = extract_dates(article.text, anchor, resolved_from)
        return article
