"""Who acts on whom: the direction of the act a report leads with.

Two reports of one act name its parties in the same roles; the other party's reply names them the
other way round. "Britain expels 23 Russian diplomats" and, the next day, "Moscow will expel
British diplomats in reply"; "Kuwait expels the Philippine ambassador" and "the Philippines bans
its workers from Kuwait": same actors, same place, adjacent days, often the same act word — only
the direction differs.

The first sentence (its dateline left out) is read around its **pivot**, the first word that names
an act one party does to another (``data/stories/acts.tsv``: expel, ban, summon, strike, hand over
…): the parties named before it are the **agents** (the subject, the speaker, "قرار بريطانيا طرد"),
those named in the few words after it the **patients** ("طرد 23 دبلوماسيا روسيا", "تطرد السفير
الفلبيني"); a party after "في" is a place ("في لندن"), not a party to the act. A party is a country, its
capital or its adjective, or a few armed or political movements (``data/stories/parties.tsv``).

**Polarity**: the act refused or denied in its own clause ("لم يسلم نفسه", "يرفض تسليم نفسه") is
another event than the act done ("سلم نفسه إلى الشرطة" the next day); two reports of the same act
clash when one denies it and the other does not (``data/stories/negators.txt``).

Two reports clash when the roles are swapped — each one's agents include a patient of the other —
and they share no agent: a reaction that names both sides ("the Russian embassy in London calls
Britain's expulsion of 23 Russian diplomats hostile") has agents on both sides and never clashes.
Used by :mod:`.slots` as a required match.
"""
from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from marsad.resources import lines
from marsad.text.normalize import normalize, strip_diacritics

PATIENT_WORDS = 6  # the object of the act: "طرد 23 دبلوماسيا روسيا", "حظرا دائما على سفر العمالة إلى الكويت"
SUFFIXES = ("ه", "ا", "ين", "ون", "يه")  # feminine, accusative, plurals: بريطانية، روسيا، بريطانيين
_WORD = re.compile(r"[^\W\d_]{2,}")
_VERB_SUFFIXES = ("ت", "وا", "ون", "ان", "ين", "ات", "ه")  # as event.event_kind tries them
_CLAUSE = re.compile(r"[،,;؛:()\"«»]")
# a dateline before the lead proper: "جنيف (أ ف ب) -", "القاهرة -", "لندن، المملكة المتحدة (CNN)--"
_DATELINE = re.compile(r"^\s*[^\n.!?؟]{0,60}?\s?[-–—]{1,2}\s*")
LOCATIVE = "في"  # "في جنيف", "في لندن": where, not who


@lru_cache(maxsize=1)
def _parties() -> dict[str, int]:
    """Normalised form -> party number (a form listed twice keeps its first party)."""
    from marsad.link.stories.features import word_key

    out: dict[str, int] = {}
    for n, line in enumerate(lines("stories/parties.tsv"), 1):
        _, forms = line.split("\t", 1)
        for w in forms.split():
            out.setdefault(word_key(normalize(strip_diacritics(w)))[0], n)
    return out


@lru_cache(maxsize=1)
def _pivots() -> dict[str, int]:
    """Normalised form -> act number (1.. in acts.tsv). Only acts one party does to another: an
    event word (a meeting "between Lebanon and Cyprus", a quake) has no direction, and "لم تنجح
    المفاوضات" says the talks failed, not that they were refused."""
    from marsad.link.stories.features import word_key

    forms: dict[str, int] = {}
    for n, line in enumerate(lines("stories/acts.tsv"), 1):
        for w in line.split("\t", 1)[1].split():
            forms.setdefault(word_key(strip_diacritics(w))[0], n)
    return forms


@lru_cache(maxsize=1)
def _negators() -> frozenset[str]:
    from marsad.link.stories.features import word_key

    return frozenset(word_key(strip_diacritics(w))[0] for w in lines("stories/negators.txt"))


def party_of(key: str) -> int:
    """The party a story key names (0: none), trying the adjective's endings off it."""
    return _lookup(key, _parties(), SUFFIXES)


def _lookup(key: str, table: dict[str, int], suffixes) -> int:
    """``table``'s value for ``key``, or for ``key`` less one of ``suffixes`` (a stem of 3+ letters left); 0: none."""
    if key in table:
        return table[key]
    for s in suffixes:
        if key.endswith(s) and len(key) - len(s) >= 3 and key[: -len(s)] in table:
            return table[key[: -len(s)]]
    return 0


def _act_of(key: str, pivots: dict[str, int]) -> int:
    """The act a story key names (0: none); a conjunction the key kept ("وسلم") is tried off too,
    and the verb endings event.event_kind tries."""
    for k in (key, key[1:]) if key[:1] in "وف" and len(key) >= 4 else (key,):
        found = _lookup(k, pivots, _VERB_SUFFIXES)
        if found:
            return found
    return 0


def lead_act(sentence: str) -> tuple[np.ndarray, np.ndarray]:
    """(roles, act) of ``sentence``'s first act. roles: the parties, agents as positive party
    numbers and patients as negative ones, sorted (empty when the sentence names no act or no
    party on either side); act: ``[2 * act number + negated]`` (empty when it names no act)."""
    from marsad.link.stories.features import word_key

    text = strip_diacritics(sentence)
    dateline = _DATELINE.match(text)
    if dateline and len(_WORD.findall(dateline.group())) <= 6:
        text = text[dateline.end():]
    keys, clause, place = [], [], []
    for i, part in enumerate(_CLAUSE.split(text)):
        for m in _WORD.finditer(part):
            place.append(bool(keys) and keys[-1] == LOCATIVE)
            keys.append(word_key(m.group())[0])
            clause.append(i)
    pivots = _pivots()
    at, act = next(((i, a) for i, a in ((i, _act_of(k, pivots)) for i, k in enumerate(keys)) if a), (None, 0))
    if at is None:
        return np.zeros(0, np.int16), np.zeros(0, np.int16)
    negators = _negators()
    negated = any(keys[j] in negators for j in range(at) if clause[j] == clause[at])
    acts = np.array([2 * act + negated], np.int16)
    parties = [0 if place[j] else party_of(k) for j, k in enumerate(keys)]
    agents = {p for p in parties[:at] if p}
    patients = {p for p in parties[at + 1: at + 1 + PATIENT_WORDS] if p}
    if not agents or not patients:
        return np.zeros(0, np.int16), acts
    return np.array(sorted(agents | {-p for p in patients}), np.int16), acts


def _split(packed: np.ndarray) -> tuple[set[int], set[int]]:
    values = packed.tolist()
    return {v for v in values if v > 0}, {-v for v in values if v < 0}


def reversed_roles(a: np.ndarray, b: np.ndarray) -> bool | None:
    """None when either report has no roles; else whether ``b`` is the other party's act on
    ``a``'s agent: each one's agents include a patient of the other, and no agent is shared."""
    if not len(a) or not len(b):
        return None
    agents_a, patients_a = _split(a)
    agents_b, patients_b = _split(b)
    return bool(agents_a & patients_b) and bool(agents_b & patients_a) and not agents_a & agents_b


def denied_act(a: np.ndarray, b: np.ndarray) -> bool | None:
    """None unless both reports lead with the same act; else whether one denies or refuses it
    and the other does not."""
    if not len(a) or not len(b) or int(a[0]) // 2 != int(b[0]) // 2:
        return None
    return int(a[0]) != int(b[0])
