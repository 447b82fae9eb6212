"""Required matches: what two reports of one event state alike whenever both state it.

Template news of one actor (the agency copy of an audience, a relief flight, a soldier's death)
reads almost the same from one event to the next: the embedding, the rare keys and the day are
all close, and only a slot of the first sentence differs. When both articles fill the slot, the
slot must agree:

* **ordinal** — the ordinals of the headline and first sentence ("الطائرة الإغاثية الرابعة" /
  "الخامسة", "للمرة الثالثة", "جولة ثانية"), read with ``data/stories/ordinals.tsv``, leaving
  out those that belong to a name, a month or a rank (``ordinal_context.tsv``: "عبدالله الثاني",
  "تشرين الأول", "الرقيب أول", "ثاني أكبر"). Two reports whose ordinals are disjoint tell two
  events.
* **counterpart** — the persons named in the first sentence: the guest of an audience, the
  soldier who died, the host. Two reports clash when each names there a person the other does
  not mention at all in its first paragraphs (:func:`same_person`: "عنان" is "كوفي عنان";
  "محمد بن نايف" is not "محمد بن سلمان"). One outlet naming a spokesman the other leaves out
  is not enough: both must lead with someone the other never names.
* **kind** — kinds of event that are never one event (``kind_clashes.tsv``: a funeral and the
  killing it follows), even when the day is the same.
* **direction** — the other party's act on the first one's agent ("Britain expels Russian
  diplomats", "Moscow will expel British diplomats"), and the act refused against the act done
  ("لم يسلم نفسه", "سلم نفسه"): :mod:`.roles`.

A candidate story is vetoed when at least ``slot_veto_share`` (params.json: half) of its compared
members that fill a slot clash with the article; members that fill none say nothing. Measured
on the hand-labelled set: docs/evaluation.md, "Second round".
"""
from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from marsad.doc import Article
from marsad.link.stories.roles import denied_act, reversed_roles
from marsad.resources import lines
from marsad.text.normalize import strip_diacritics

SLOT_CHARS = 250  # the first sentence, where template news puts its slots
PERSON_CHARS = 2000  # "mentioned at all": the part story keys are read from (features.BODY_CHARS)
MAX_PERSON_WORDS = 96  # words of the first paragraphs' person names, with separators
SEPARATOR = 0  # between the names of ``lead_persons`` and ``persons`` (a hash is never 0: see _hash)

_WORD = re.compile(r"[^\W\d_]{2,}")
_SENTENCE_END = re.compile(r"[.!؟?\n]")
_PARTICLES = frozenset(("بن", "ابن", "بنت", "آل", "ولد"))  # son of, daughter of, family of
_COMPOUND = re.compile(r"\b(عبد|أبو|ابو)\s+(?=ال)")  # "عبد العزيز" is written "عبدالعزيز" too


@lru_cache(maxsize=1)
def _ordinals() -> tuple[dict[str, int], frozenset[str], frozenset[str]]:
    from marsad.link.stories.features import word_key

    forms: dict[str, int] = {}
    for line in lines("stories/ordinals.tsv"):
        value, words = line.split("\t", 1)
        for w in words.split():
            forms.setdefault(word_key(strip_diacritics(w))[0], int(value))
    before, after = set(), set()
    for line in lines("stories/ordinal_context.tsv"):
        where, word = line.split("\t")
        (before if where == "before" else after).add(word_key(strip_diacritics(word))[0])
    return forms, frozenset(before), frozenset(after)


def first_sentence(text: str) -> str:
    head = text[:SLOT_CHARS]
    m = _SENTENCE_END.search(head, 20)
    return head[: m.start()] if m else head


def ordinals(text: str) -> np.ndarray:
    """Sorted distinct ordinal values of ``text`` that count events (not names, months, ranks)."""
    from marsad.link.stories.features import word_key

    forms, before, after = _ordinals()
    words = [word_key(m.group())[0] for m in _WORD.finditer(strip_diacritics(text))]
    out = set()
    for i, w in enumerate(words):
        value = forms.get(w)
        if value is None:
            continue
        if (i and words[i - 1] in before) or (i + 1 < len(words) and words[i + 1] in after):
            continue
        out.add(value)
    return np.array(sorted(out), dtype=np.uint8)


def article_ordinals(article: Article) -> np.ndarray:
    head = ((article.title or "") + "\n") + first_sentence(article.text)
    return ordinals(head)


def _hash(word: str) -> int:
    from marsad.link.stories.features import key_hash

    return key_hash("P|" + word) or 1


def _person_words(text: str) -> list[int]:
    """The words of a person's name in order, without the particles ("سلمان بن عبدالعزيز آل
    سعود" → سلمان, عبدالعزيز, سعود), each as its consonant skeleton (the names linker's
    :func:`~marsad.link.names.variants.skeleton`), so that spellings of one transliterated name
    meet ("ترامب"/"ترمب", "مانجيرا"/"مانغيرا", "عنان"/"أنان": an initial ع or alef both write
    a foreign vowel); "عبد العزيز" is one word, as "عبدالعزيز" is."""
    out = []
    for m in _WORD.finditer(_COMPOUND.sub(r"\1", strip_diacritics(text))):
        if m.group() not in _PARTICLES:
            h = _person_key(m.group())
            if h:
                out.append(h)
    return out


@lru_cache(maxsize=100_000)
def _person_key(word: str) -> int:
    from marsad.link.names.variants import skeleton

    key = skeleton(word)
    if key.startswith("ع"):
        key = "ا" + key[1:]
    return _hash(key) if len(key) >= 2 else 0


def persons(article: Article, mentions: list[dict]) -> tuple[np.ndarray, np.ndarray]:
    """(the person mentions of the first sentence, those of the first paragraphs): each the
    hashed words of one name in order, names separated by 0, repeated names kept once. A person
    the first sentence quotes is its source, not a slot of the event ("قال المتحدث باسم الدفاع
    المدني ... إن"), and is left out of the first sentence's."""
    slot_end = len(first_sentence(article.text))
    # speaking in the first sentence, that is: the guest who "conveyed the greetings" later on
    # is still the guest
    speakers = {q.get("speaker_mention") for q in article.quotes or ()
                if q.get("speaker_mention") is not None and (q.get("speaker_start") or 0) < slot_end}
    lead: list[int] = []
    every: list[int] = []
    seen: set[tuple[int, ...]] = set()
    seen_lead: set[tuple[int, ...]] = set()
    for i, m in enumerate(mentions):
        if m.get("type") not in ("PER", "PERS") or m.get("start", 0) >= PERSON_CHARS:
            continue
        words = tuple(_person_words(m.get("text") or ""))
        if not words:
            continue
        if m.get("start", 0) < slot_end and i not in speakers and words not in seen_lead:
            seen_lead.add(words)
            lead.extend(words + (SEPARATOR,))
        if words not in seen and len(every) + len(words) < MAX_PERSON_WORDS:
            seen.add(words)
            every.extend(words + (SEPARATOR,))
    return np.array(lead, dtype=np.uint32), np.array(every, dtype=np.uint32)


def _names(packed: np.ndarray) -> tuple[tuple[int, ...], ...]:
    return _decode(packed.tobytes())


@lru_cache(maxsize=65_536)  # members are compared again with every later candidate article
def _decode(raw: bytes) -> tuple[tuple[int, ...], ...]:
    out, cur = [], []
    for h in np.frombuffer(raw, dtype=np.uint32).tolist():
        if h == SEPARATOR:
            out.append(tuple(cur))
            cur = []
        else:
            cur.append(h)
    return tuple(out)


def same_person(p: tuple[int, ...], q: tuple[int, ...]) -> bool:
    """Whether two mentions can name one person: one name is a single word of the other
    ("عنان", "كوفي عنان"), or both start with the same given name and agree on the next or the
    last word. Sharing a father's or a grandfather's name is not enough ("محمد بن سلمان" is not
    "سلمان بن عبدالعزيز"; "محمد بن نايف" is not "محمد بن سلمان")."""
    if len(p) == 1 or len(q) == 1:
        return p[0] in q if len(p) == 1 else q[0] in p
    return p[0] == q[0] and (p[1] == q[1] or p[-1] == q[-1])


def _leads_with_someone_unknown_to(lead: tuple, theirs: tuple) -> bool:
    return any(not any(same_person(p, q) for q in theirs) for p in lead)


def counterpart_clash(a, b) -> bool | None:
    """None when either article names no person in its first sentence; else whether each leads
    with a person the other never mentions (the same host with another guest, another host)."""
    if not len(a.lead_persons) or not len(b.lead_persons):
        return None
    return (_leads_with_someone_unknown_to(_names(a.lead_persons), _names(b.persons))
            and _leads_with_someone_unknown_to(_names(b.lead_persons), _names(a.persons)))


def ordinal_clash(a, b) -> bool | None:
    """None when either states no ordinal; else whether they state no ordinal in common."""
    if not len(a.ordinals) or not len(b.ordinals):
        return None
    return set(a.ordinals.tolist()).isdisjoint(b.ordinals.tolist())


@lru_cache(maxsize=1)
def _kind_clashes() -> frozenset[tuple[int, int]]:
    from marsad.link.stories.event import kinds

    index = {name: i for i, name in enumerate(kinds()[0])}
    out = set()
    for line in lines("stories/kind_clashes.tsv"):
        a, b = (index[k] for k in line.split("\t"))
        out.update({(a, b), (b, a)})
    return frozenset(out)


def kind_clash(a, b) -> bool | None:
    """None when either article's kind is unknown or not in ``kind_clashes.tsv``; True for a pair
    listed there (a funeral and the killing)."""
    if a.kind < 0 or b.kind < 0:
        return None
    return True if (a.kind, b.kind) in _kind_clashes() else None


def slot_clash_share(f, members: list) -> float:
    """Share of the members that fill a slot the article fills too and clash on it (0 when none
    fills one)."""
    if not len(f.ordinals) and not len(f.lead_persons) and f.kind < 0 and not len(f.act):
        return 0.0
    judged = clashes = 0
    for m in members:
        verdicts = [v for v in (ordinal_clash(f, m), counterpart_clash(f, m), kind_clash(f, m),
                                reversed_roles(f.roles, m.roles), denied_act(f.act, m.act)) if v is not None]
        if verdicts:
            judged += 1
            clashes += any(verdicts)
    return clashes / judged if judged else 0.0
