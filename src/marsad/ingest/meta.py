"""Article metadata from a cleaned page: outlet, publication date, author, credited agencies,
language. Title and author boxes come from the cleaner; this module interprets header and
signature lines and the body."""
from __future__ import annotations

import datetime as dt
import re
from functools import lru_cache

from marsad.resources import lines
from marsad.text.normalize import ascii_digits

_BULLET = re.compile(r"^[-–—•·*]\s*")
_ARABIC_LETTER = re.compile("[\u0621-\u064a]")
_LATIN_LETTER = re.compile("[A-Za-z]")
_DATE_PREFIX = re.compile(r"^(?:نشر(?: في| بتاريخ)?|تاريخ النشر|آخر تحديث|تم النشر|published|updated)\s*:?\s*", re.I)
_WEEKDAY_PREFIX = re.compile(r"^(?:ال)?(?:أحد|إثنين|اثنين|ثلاثاء|أربعاء|اربعاء|خميس|جمعة|سبت)\s*[،,]?\s*")


@lru_cache(maxsize=1)
def _month_names() -> dict[str, int]:
    names = {}
    for line in lines("dates/months.tsv"):
        num, forms = line.split("\t")
        for form in forms.split("|"):
            names[form.lower()] = int(num)
    return names


def _date(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def parse_date_line(line: str) -> dt.date | None:
    """A line that is only a date ("3 ديسمبر 2025", "٣ ديسمبر ٢٠٢٥", "2025/12/03", "03/12/2025",
    ISO with time), optionally prefixed by "نشر في:" or a weekday. None otherwise."""
    s = ascii_digits(_WEEKDAY_PREFIX.sub("", _DATE_PREFIX.sub("", line.strip()))).strip(" -–|،,")
    m = re.fullmatch(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[T ][\d:.]+(?:Z|[+-]\d\d:?\d\d)?)?", s)
    if m:
        return _date(int(m[1]), int(m[2]), int(m[3]))
    m = re.fullmatch(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:\s+[\d:]+(?:\s*[صمAaPp][Mm]?)?)?", s)
    if m:  # day first, as Arabic sites write it
        return _date(int(m[3]), int(m[2]), int(m[1]))
    m = re.fullmatch(r"(\d{1,2})\s+(?:من\s+)?(\D+?)\s*[،,]?\s*(\d{4})(?:\s*م)?(?:[\s,،-]+[\d:]+(?:\s*[صمAaPp][Mm]?)?)?", s)
    if m:
        month = _month_names().get(m[2].strip().lower()) or _month_names().get(m[2].split("/")[0].strip().lower())
        if month:
            return _date(int(m[3]), month, int(m[1]))
    return None


def date_from_metadata(value: str | None) -> str | None:
    """ISO date (YYYY-MM-DD) from a metadata value such as 2018-02-18T21:35:43+04:00 or an
    e-mail style date (Sun, 07 Dec 2025 10:00:00 GMT)."""
    if not value:
        return None
    d = parse_date_line(value[:200])
    if d is None and re.search(r"[A-Za-z]{3},? \d", value[:200]):
        from email.utils import parsedate_to_datetime

        try:
            d = parsedate_to_datetime(value[:200]).date()
        except (TypeError, ValueError, IndexError, OverflowError):
            d = None
    return d.isoformat() if d else None


EARLIEST = dt.date(1900, 1, 1)


def implausible_date(d: dt.date, today: dt.date | None = None) -> str | None:
    """Why ``d`` cannot be a publication date (more than a day in the future, or before 1900),
    or None when it can."""
    today = today or dt.datetime.now(dt.timezone.utc).date()
    if d > today + dt.timedelta(days=1):
        return "in the future"
    if d < EARLIEST:
        return "before 1900"
    return None


# ---- credited agencies -------------------------------------------------------------------

@lru_cache(maxsize=1)
def _agency_patterns() -> list[tuple[str, re.Pattern, str, tuple[str, ...]]]:
    """(canonical name, pattern, context, surface forms) per agency; a text without any of the
    forms cannot match, so the pattern is not run on it (a substring test is much cheaper)."""
    out = []
    for line in lines("boilerplate/agencies.tsv"):
        canonical, forms, context = line.split("\t")
        alts = "|".join(re.escape(f) for f in sorted(forms.split("|"), key=len, reverse=True))
        # Arabic clitics (و ل ب ف) may stick to the name; no letter may follow it.
        pattern = re.compile(rf"(?<![\w])(?:[وفلب]{{0,2}})(?:{alts})(?![\w])")
        out.append((canonical, pattern, context, tuple(forms.split("|"))))
    return out


_STRICT_CONTEXT = re.compile(r"(?:وكالة|وكالتي|لوكالة|بوكالة|ووكالة)(?:\s+(?:الأنباء|أنباء))?(?:\s+\S+){0,4}\s*[\"«“]?\s*$")


def credited_agencies(body: str, credit_lines: list[str]) -> list[str]:
    """Agencies named in credit lines (signature, byline, author field) or in the body.
    Short names that are ordinary words (تاس، واس، وام) count in the body only after وكالة or
    inside brackets; the generic "وكالات" only in credit lines."""
    found: list[str] = []
    credits = "\n".join(credit_lines)
    for canonical, pattern, context, forms in _agency_patterns():
        hit = any(f in credits for f in forms) and bool(pattern.search(credits))
        if not hit and context != "credit" and any(f in body for f in forms):
            for m in pattern.finditer(body):
                before = body[max(0, m.start() - 40):m.start()]
                after = body[m.end():m.end() + 2]
                if context == "any" or _STRICT_CONTEXT.search(before) or (
                    before.rstrip().endswith(("(", "-", "–")) and after.lstrip()[:1] in (")", "", "\n")
                ):
                    hit = True
                    break
        if hit:
            found.append(canonical)
    return found


# ---- outlet ------------------------------------------------------------------------------

def outlet_from_lines(header: list[str], signature: list[str]) -> str | None:
    """A masthead line ("- Next News") or a trailing site signature ("syriahomenews أخبار
    سورية الوطن"); the Arabic name is preferred when a signature gives both scripts."""
    for ln in header:
        name = _BULLET.sub("", ln).strip()
        if name and parse_date_line(name) is None and not re.search(r"\d", name) and len(name.split()) <= 6:
            return name
    for ln in reversed(signature):
        parts = [p.strip() for p in re.split(r"[\d٠-٩]+|\s[-–|]\s|[-–|]", ln) if p.strip()]
        for part in parts:
            arabic = " ".join(w for w in part.split() if _ARABIC_LETTER.search(w))
            if 1 <= len(arabic.split()) <= 5 and not credited_agencies("", [arabic]):
                return arabic
    return None


def language_of(text: str) -> str:
    arabic = len(_ARABIC_LETTER.findall(text))
    latin = len(_LATIN_LETTER.findall(text))
    if arabic == 0 and latin == 0:
        return "und"
    return "ar" if arabic >= latin else "en"
