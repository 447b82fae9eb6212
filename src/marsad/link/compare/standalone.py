"""Claims that stand on their own: a sentence lifted out of its article must say who.

"وأوضح أن «المحادثات كانت مفيدة»" names nobody: the subject of أوضح is the pronoun in the
verb, and the person is in an earlier sentence. :func:`needs_subject` recognises such a
sentence by its shape, not by a list of sentences:

* it opens (after و/ف) with a reporting cue from the quote extractor's lexicon
  (``quotes/speech_verbs.tsv``: verbs, present forms, participles such as مضيفاً) and the very
  next token opens the content (a complementizer أن/إن/بأن…, a preposition, an object pronoun,
  a colon or a quotation mark) — there is no noun between them that could be its subject;
* it opens with a subject or demonstrative pronoun (``compare/subject_pronouns.txt``: وهو، وهي،
  وهذا…);
* it is a quotation and nothing else (no attribution outside the quotation marks).

:func:`borrow_subject` finds who it is from the article's quotes layer: the speaker the quote
extractor gave a quotation inside that sentence (it already follows carry-over and pronouns),
else the speaker of a quotation in the sentence before. :func:`with_subject` writes the name
into the sentence in brackets, the usual editorial sign for words the source did not write.
"""
from __future__ import annotations

import re
from functools import lru_cache

from marsad.resources import lines
from marsad.text.normalize import normalize
from marsad.text.segment import sentences

QUOTE_OPEN = "«“\"'‘"
QUOTE_CLOSE = "»”\"'’"
_MARKS = "\u0610-\u061a\u064b-\u065f\u0670\u0640"  # diacritics and tatweel belong to the word
_WORD = re.compile(rf"[^\W\d_][^\W\d_{_MARKS}]*[{_MARKS}]*(?:[^\W\d_][{_MARKS}]*)*")
_FIRST = re.compile(rf"\s*({_WORD.pattern})")
PREVIOUS_SENTENCE_CHARS = 600  # how far back a speaker may be borrowed from


def _norm_set(name: str) -> frozenset[str]:
    return frozenset(normalize(w) for w in lines(name))


@lru_cache(maxsize=1)
def _cues() -> frozenset[str]:
    """Normalised reporting cues that take their subject from the verb (not passives or nouns)."""
    out = set()
    for row in lines("quotes/speech_verbs.tsv"):
        cols = row.split("\t")
        if len(cols) >= 3 and cols[2] in ("verb", "present", "participle"):
            out.add(normalize(cols[0]))
    return frozenset(out)


@lru_cache(maxsize=1)
def _openers() -> frozenset[str]:
    """Words that open the reported content right after the cue."""
    return (_norm_set("quotes/complementizers.txt") | _norm_set("quotes/prepositions.txt")
            | _norm_set("quotes/pronoun_objects.txt"))


@lru_cache(maxsize=1)
def _pronouns() -> frozenset[str]:
    return _norm_set("compare/subject_pronouns.txt")


def _bare(word: str) -> list[str]:
    """A normalised word, and without a leading conjunction و/ف."""
    return [word, word[1:]] if word[:1] in ("و", "ف") and len(word) > 2 else [word]


VERB, QUOTATION, PRONOUN = "verb", "quotation", "pronoun"


def needs_subject(text: str) -> str | None:
    """Why the sentence's subject is in an earlier sentence: VERB (a reporting cue with no
    subject after it), QUOTATION (a bare quotation), PRONOUN (opens with a pronoun); None when
    it names its own subject (see the module's description)."""
    s = text.strip()
    if not s:
        return None
    if s[0] in QUOTE_OPEN:
        return QUOTATION if _quotation_only(s) else None
    m = _FIRST.match(s)
    if m is None:
        return None
    forms = _bare(normalize(m.group(1)))
    if any(f in _pronouns() for f in forms):
        return PRONOUN
    if not any(f in _cues() for f in forms):
        return None
    rest = s[m.end():].lstrip()
    if not rest or rest[0] in QUOTE_OPEN or rest[0] in ":،,":
        return VERB
    nxt = _FIRST.match(rest)
    return VERB if nxt is not None and normalize(nxt.group(1)) in _openers() else None


def _quotation_only(s: str) -> bool:
    """Opens with a quotation mark and has at most a few stray characters outside the quotation."""
    depth, outside = 0, []
    for c in s:
        if c in "«“" or (c in "\"'‘" and depth == 0):
            depth += 1
        elif c in "»”" or (c in "\"'’" and depth > 0):
            depth = max(0, depth - 1)
        elif depth == 0:
            outside.append(c)
    return not _WORD.search("".join(outside))


def _speaker_in(article, start: int, end: int) -> str | None:
    for q in getattr(article, "quotes", None) or []:
        if q.get("start", -1) < end and q.get("end", -1) > start and q.get("speaker_text"):
            return str(q["speaker_text"]).strip() or None
    return None


def borrow_subject(article, start: int, end: int) -> str | None:
    """Who the sentence ``article.text[start:end]`` is about, from the quotes layer: the speaker
    of a quotation in it, else of one in the sentence before (within PREVIOUS_SENTENCE_CHARS)."""
    name = _speaker_in(article, start, end)
    if name:
        return name
    before = [s for s in sentences(article.text, max(0, start - PREVIOUS_SENTENCE_CHARS), start) if s.end <= start]
    if before:
        return _speaker_in(article, before[-1].start, before[-1].end)
    return None


def with_subject(text: str, subject: str) -> str:
    """The sentence with the borrowed subject written in brackets: after the opening verb
    ("وأوضح [ويتكوف] أن…"), or before a pronoun opening or a bare quotation ("[ويتكوف]: «…»")."""
    s = text.strip()
    m = _FIRST.match(s)
    if m and s[0] not in QUOTE_OPEN and any(f in _cues() for f in _bare(normalize(m.group(1)))):
        return f"{s[:m.end()]} [{subject}]{s[m.end():]}"
    return f"[{subject}]: {s}"
