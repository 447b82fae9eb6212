"""Word lists for quotation extraction, read once from ``marsad/data/quotes`` and matched on
normalisation keys (so أ/إ/ا, ة/ه and diacritics need not be listed twice)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from marsad.resources import lines
from marsad.text.normalize import normalize

_DIR = "quotes/"

# A word: letters/digits plus Arabic diacritics and tatweel (combining marks are not \w).
WORD = re.compile(r"[^\W_][\w\u0610-\u061a\u064b-\u065f\u0670\u0640]*")


@lru_cache(maxsize=200_000)
def key(word: str) -> str:
    """Normalisation key of a word (cached: news vocabulary repeats)."""
    return normalize(word)


@dataclass(frozen=True)
class Verb:
    lemma: str
    kind: str  # verb | present | participle | noun | relay
    needs: str  # any | quote


def _set(name: str) -> frozenset[str]:
    return frozenset(key(x) for x in lines(_DIR + name))


def _pairs(name: str) -> dict[str, str]:
    out = {}
    for line in lines(_DIR + name):
        a, b = line.split("\t")[:2]
        out[key(a)] = key(b)
    return out


@lru_cache(maxsize=1)
def speech_verbs() -> dict[str, Verb]:
    out = {}
    for line in lines(_DIR + "speech_verbs.tsv"):
        form, lemma, kind, needs = line.split("\t")
        out[key(form)] = Verb(key(lemma), kind, needs)
    return out


@lru_cache(maxsize=1)
def carry_over() -> frozenset[str]:
    return _set("carry_over.txt")


@lru_cache(maxsize=1)
def object_openers() -> dict[str, str]:
    return _pairs("object_openers.tsv")


@lru_cache(maxsize=1)
def complementizers() -> frozenset[str]:
    return _set("complementizers.txt")


@lru_cache(maxsize=1)
def not_openers() -> frozenset[str]:
    return _set("not_openers.txt")


@lru_cache(maxsize=1)
def role_words() -> dict[str, str]:
    return _pairs("role_words.tsv")


@lru_cache(maxsize=1)
def dependent_roles() -> frozenset[str]:
    return _set("dependent_roles.txt")


@lru_cache(maxsize=1)
def role_modifiers() -> frozenset[str]:
    return _set("role_modifiers.txt")


@lru_cache(maxsize=1)
def role_equivalents() -> dict[str, str]:
    return _pairs("role_equivalents.tsv")


@lru_cache(maxsize=1)
def name_contexts() -> frozenset[str]:
    return _set("name_contexts.txt")


@lru_cache(maxsize=1)
def known_names() -> frozenset[str]:
    return _set("known_names.txt")


@lru_cache(maxsize=1)
def source_markers() -> tuple[tuple[str, ...], ...]:
    """Multi-word markers as tuples of keys, longest first."""
    out = {tuple(key(x).split()) for x in lines(_DIR + "source_markers.txt")}
    return tuple(sorted(out, key=len, reverse=True))


@lru_cache(maxsize=1)
def after_content() -> frozenset[str]:
    return _set("after_content.txt")


@lru_cache(maxsize=1)
def adverbials() -> frozenset[str]:
    return _set("adverbials.txt")


_PREFIXES = ("و", "ف")


def strip_conj(k: str) -> str:
    """Drop one conjunction prefix (و / ف). Only for closed-class words and set look-ups that
    also try the word as written ("وزير" is not و + "زير")."""
    if len(k) > 2 and k[0] in _PREFIXES:
        return k[1:]
    return k


def strip_clitics(k: str) -> str:
    """Drop the article and the clitics attached before it: "وللرئيس" → "رئيس", "الأوكرانية"
    → "اوكرانيه". A word without the article keeps its first letter ("وزير" stays)."""
    if len(k) > 4 and k[0] in _PREFIXES and k[1:].startswith(("ال", "لل", "بال")):
        k = k[1:]
    if len(k) > 3 and k.startswith("لل"):
        return k[2:]
    if len(k) > 4 and k[0] in "لب" and k[1:3] == "ال":
        k = k[1:]
    if len(k) > 4 and k.startswith("ال"):
        k = k[2:]
    return k


def forms(k: str) -> tuple[str, ...]:
    """The word and what it may be under its clitics, most literal first, for look-ups in
    closed lists: "ومساعد" → (ومساعد, مساعد), "للسكرتيرة" → (للسكرتيره, سكرتيره, لسكرتيره …)."""
    out = [k]
    for f in (strip_conj(k), strip_clitics(k), strip_clitics(strip_conj(k))):
        if f not in out:
            out.append(f)
    for f in list(out):
        if len(f) > 3 and f[0] in "لب" and f[1:] not in out:
            out.append(f[1:])
    return tuple(out)


def in_set(k: str, words: frozenset[str] | dict) -> bool:
    return any(f in words for f in forms(k))


@lru_cache(maxsize=1)
def not_object() -> frozenset[str]:
    return _set("not_object.txt")


@lru_cache(maxsize=1)
def prepositions() -> frozenset[str]:
    return _set("prepositions.txt")


@lru_cache(maxsize=1)
def pronoun_objects() -> frozenset[str]:
    return _set("pronoun_objects.txt")


@lru_cache(maxsize=1)
def auxiliaries() -> frozenset[str]:
    return _set("auxiliaries.txt")


@lru_cache(maxsize=1)
def modal_particles() -> frozenset[str]:
    return _set("modal_particles.txt")


def outside(spans: list[tuple[int, int]], start: int, end: int):
    """A test ``pos -> bool``: is ``pos`` (in [start, end)) outside every span? Built once in
    linear time, so filtering many positions against many spans stays linear."""
    mask = bytearray(max(0, end - start) + 1)
    for a, b in spans:
        a, b = max(a, start), min(b, end)
        if b > a:
            mask[a - start:b - start] = b"\x01" * (b - a)
    return lambda pos: not (start <= pos < end and mask[pos - start])
