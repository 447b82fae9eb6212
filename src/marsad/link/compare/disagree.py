"""Disagreements within one story: the same quantity given different values, and an outcome
asserted by some reports and denied by others.

Numbers (the ``numbers`` layer) are compared when they share a unit and measure the same
thing: the same topic read from the words next to them (``data/compare/quantity_topics.tsv``;
a time unit with no topic word measures a duration), the same dates in their clause (months,
years: "701 كم² في نوفمبر" is not "725 كم² في نوفمبر 2024"), and context words in common
("قرابة أربع سنوات من الحرب" / "الحرب المستمرة منذ ثلاث سنوات ونصف"). An article that gives
both values is describing two quantities, not disagreeing, so such pairs are dropped; vague
amounts ("عشرات", "آلاف") are not compared.

Outcomes come from :mod:`.frames`; within one story an assertion and a denial of the same
outcome disagree unless their sentences have nothing in common (embedding similarity below
RELATED). Embeddings barely relate "تم إحراز بعض التقدم" to "عدم إحراز أي تقدم يذكر" (their
similarity is near 0.1), so the sense check is the frames' own ("أكبر تقدم على الجبهة" is
not progress in talks, see ``outcome_other_senses.tsv``).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache


from marsad.link.compare.align import Alignment, is_vague
from marsad.link.compare.frames import bare_forms, concept_about, frames, tokens
from marsad.link.compare.lexical import bag, overlap
from marsad.resources import lines
from marsad.text.normalize import normalize

NEAR = 5  # words either side of a number that say what it measures
SAME_VALUE = 0.05  # relative difference below which two values agree
CONTEXT_OVERLAP = 0.2  # weighted word overlap of the two numbers' neighbourhoods
CONTEXT_COS = 0.6  # or embedding similarity of their clauses
RELATED = 0.1  # sentence or clause similarity below which an assertion and a denial are unrelated
YEAR = re.compile(r"\b(19\d\d|20\d\d)\b")


@lru_cache(maxsize=1)
def _topics() -> tuple[list[tuple[str, str, tuple[str, ...]]], frozenset[str]]:
    topics = []
    for line in lines("compare/quantity_topics.tsv"):
        topic, label, stems = line.split("\t")
        topics.append((topic, label, tuple(normalize(s) for s in stems.split("|"))))
    time_units = frozenset(lines("compare/time_units.txt"))
    return topics, time_units


@lru_cache(maxsize=1)
def _months() -> tuple[tuple[str, ...], ...]:
    return tuple(tuple(normalize(m).split()) for m in lines("compare/date_words.txt"))


def topic_label(topic: str | None) -> str:
    for t, label, _ in _topics()[0]:
        if t == topic:
            return label
    return "العدد"


@dataclass
class Quantity:
    article: str
    unit_index: int  # alignment unit (sentence) holding it
    clause_index: int | None
    start: int
    end: int
    text: str
    value: float
    value_max: float
    unit: str
    topic: str | None
    dates: frozenset
    near: object  # lexical bag of the neighbouring words
    near_text: str
    topic_from_words: bool = False  # the topic was read from the words next to the number


@lru_cache(maxsize=200_000)
def _key_topics(key: str) -> tuple[str, ...]:
    """The topics (in file order) that one word names: a bare form starts with a topic stem."""
    forms = bare_forms(key)
    return tuple(topic for topic, _, stems in _topics()[0] if any(f.startswith(s) for f in forms for s in stems))


def _word_topic(near_tokens) -> str | None:
    best = None
    for dist, t in near_tokens:
        for topic in _key_topics(t.key):
            if best is None or dist < best[0]:
                best = (dist, topic)
    return best[1] if best else None


def _topic(word_topic: str | None, unit: str) -> str | None:
    """What a number measures: the topic its neighbours name, else a duration for a time unit."""
    return word_topic or ("duration" if unit in _topics()[1] else None)


def _dates(article, text: str, start: int, end: int) -> frozenset:
    keys = [t.key for t in tokens(text, start, end) if not t.is_break]
    found = set(YEAR.findall(text[start:end]))
    present = set(keys)
    for month in _months():
        n = len(month)
        if month[0] in present and any(tuple(keys[i:i + n]) == month for i in range(len(keys) - n + 1)):
            found.add(" ".join(month))
    for d in article.dates or []:
        if start <= d.get("start", -1) and d.get("end", 1 << 30) <= end and d.get("date"):
            found.add(d["date"][:7] if d.get("granularity") != "year" else d["date"][:4])
    return frozenset(found)


def quantities(al: Alignment) -> list[Quantity]:
    out = []
    for ui, u in enumerate(al.units):
        a = al.unit_article(ui)
        toks = None
        for n in a.numbers or []:
            if not (u.start <= n["start"] and n["end"] <= u.end) or not n.get("unit") or is_vague(n):
                continue
            ci = next((k for k, c in enumerate(al.clauses) if c.unit == ui and c.start <= n["start"] < c.end), None)
            cs, ce = (al.clauses[ci].start, al.clauses[ci].end) if ci is not None else (u.start, u.end)
            if toks is None:
                toks = [t for t in tokens(a.text, u.start, u.end) if not t.is_break]
            before = [t for t in toks if t.end <= n["start"]][-NEAR:]
            after = [t for t in toks if t.start >= n["end"]][:NEAR]
            near = [(len(before) - k, t) for k, t in enumerate(before)] + [(k + 1, t) for k, t in enumerate(after)]
            near_text = " ".join(a.text[t.start:t.end] for _, t in sorted(near, key=lambda x: x[1].start))
            # "استمرت المحادثات التي عقدت في جنيف سبع ساعات": the verb saying what a duration
            # measures may stand further back in the clause than the NEAR window.
            said = near_topic = _word_topic(near)
            if said is None and n["unit"] in _topics()[1]:
                lead = [(0, t) for t in toks if cs <= t.start and t.end <= n["start"]]
                said = "duration" if _word_topic(lead) == "duration" else None
            value = float(n["value"])
            out.append(Quantity(a.id, ui, ci, n["start"], n["end"], n["text"], value,
                                float(n.get("value_max") or value), n["unit"], _topic(near_topic, n["unit"]),
                                _dates(a, a.text, cs, ce), bag(near_text), near_text, said is not None))
    return out


def _same_value(p: Quantity, q: Quantity) -> bool:
    if p.value_max >= q.value and q.value_max >= p.value:  # ranges overlap
        return True
    top = max(abs(p.value), abs(q.value), 1e-9)
    return abs(p.value - q.value) / top <= SAME_VALUE


def _same_measure(al: Alignment, p: Quantity, q: Quantity) -> bool:
    if p.unit != q.unit or p.topic != q.topic or p.dates != q.dates:
        return False
    # Within one story, a duration in the same unit introduced by a "lasted" word on the same
    # dates is how long the story's event lasted, however the sentences are worded.
    if p.topic == "duration" and p.topic_from_words and q.topic_from_words:
        return True
    if overlap(p.near, q.near) >= CONTEXT_OVERLAP:
        return True
    if p.clause_index is not None and q.clause_index is not None:
        return float(al.clause_vectors[p.clause_index] @ al.clause_vectors[q.clause_index]) >= CONTEXT_COS
    return False


def _shared_words(p: Quantity, q: Quantity, limit: int = 3) -> str:
    q_keys = q.near.all_keys()
    out = []
    for m in re.finditer(r"[^\W\d_]+", p.near_text):
        b = bag(m.group())
        if b.keys and b.keys[0] & q_keys and m.group() not in out:
            out.append(m.group())
    return " ".join(out[:limit])


def _sentence(al: Alignment, ui: int) -> dict:
    u = al.units[ui]
    return {"article": u.article, "start": u.start, "end": u.end}


def numeric_disagreements(al: Alignment) -> list[dict]:
    qs = quantities(al)
    by_article: dict[str, list[Quantity]] = {}
    for q in qs:
        by_article.setdefault(q.article, []).append(q)

    def reports(article: str, like: Quantity) -> bool:
        return any(o.unit == like.unit and _same_value(o, like) for o in by_article.get(article, []))

    edges = []
    for i, p in enumerate(qs):
        for q in qs[i + 1:]:
            if p.article == q.article or _same_value(p, q) or not _same_measure(al, p, q):
                continue
            if reports(p.article, q) or reports(q.article, p):
                continue
            edges.append((p, q))
    out = []
    used: set[int] = set()
    for p, q in edges:
        if id(p) in used and id(q) in used:
            continue
        group = [p, q] + [o for o in qs if o is not p and o is not q and o.article not in (p.article, q.article)
                          and (_same_measure(al, o, p) and _same_value(o, p) or _same_measure(al, o, q) and _same_value(o, q))]
        used.update(id(x) for x in group)
        positions: list[dict] = []
        for o in sorted(group, key=lambda x: -x.value):
            pos = next((x for x in positions if _same_value(x["_q"], o)), None)
            if pos is None:
                pos = {"_q": o, "text": al.units[o.unit_index].text, "articles": [], "value": o.value,
                       "unit": o.unit, "quantities": [], "sentences": []}
                positions.append(pos)
            if o.article not in pos["articles"]:
                pos["articles"].append(o.article)
            pos["quantities"].append({"article": o.article, "start": o.start, "end": o.end, "text": o.text})
            pos["sentences"].append(_sentence(al, o.unit_index))
        for pos in positions:
            del pos["_q"]
        shared = _shared_words(p, q)
        about = f"{topic_label(p.topic)} ({p.unit})" + (f": {shared}" if shared else "")
        out.append({"about": about, "kind": "number", "positions": positions})
    return out


def _speaker(article, offset: int) -> str | None:
    for q in article.quotes or []:
        if q.get("start", 0) <= offset < q.get("end", 0) and q.get("speaker_text"):
            return q["speaker_text"]
    return None


def quotes_two_speakers(article) -> bool:
    """Can one article disagree with itself? Only by quoting two different speakers (see
    :func:`_opposed_sources`)."""
    return len({q["speaker_text"] for q in article.quotes or [] if q.get("speaker_text")}) >= 2


def _opposed_sources(al: Alignment, cp, fp, cn, fn) -> bool:
    """Two clauses can disagree when different articles make them, or when one article quotes
    two different speakers; one article's quote against its own background narration ("Trump
    says progress was made" / "three rounds in Istanbul brought no breakthrough") is context,
    not sources in disagreement."""
    ap, an = al.unit_article(cp.unit), al.unit_article(cn.unit)
    if ap.id != an.id:
        return True
    sp, sn = _speaker(ap, fp.start), _speaker(an, fn.start)
    return bool(sp and sn and sp != sn)


def polarity_disagreements(al: Alignment) -> list[dict]:
    found = []  # (concept, polarity, clause index, frame)
    for ci, c in enumerate(al.clauses):
        if not c.frames:
            continue
        a = al.unit_article(c.unit)
        for f in frames(a.text, c.start, c.end):
            found.append((f.concept, f.polarity, ci, f))
    out = []
    for concept in sorted({x[0] for x in found}):
        pos = [x for x in found if x[0] == concept and x[1] > 0]
        neg = [x for x in found if x[0] == concept and x[1] < 0]
        keep: set[int] = set()
        for p in pos:
            for n in neg:
                cp, cn = al.clauses[p[2]], al.clauses[n[2]]
                if not _opposed_sources(al, cp, p[3], cn, n[3]):
                    continue
                sim = max(float(al.clause_vectors[p[2]] @ al.clause_vectors[n[2]]),
                          float(al.sentence_vectors[cp.unit] @ al.sentence_vectors[cn.unit]))
                if sim >= RELATED:
                    keep.update((id(p), id(n)))
        if not keep:
            continue
        positions = []
        for polarity, group in ((1, pos), (-1, neg)):
            members = [x for x in group if id(x) in keep]
            arts, speakers, sents = [], [], []
            for _, _, ci, f in members:
                c = al.clauses[ci]
                art = al.unit_article(c.unit)
                if art.id not in arts:
                    arts.append(art.id)
                who = _speaker(art, f.start)
                if who and who not in speakers:
                    speakers.append(who)
                sents.append(_sentence(al, c.unit))
            first = al.units[al.clauses[members[0][2]].unit]
            positions.append({"text": first.text, "articles": arts, "polarity": "asserted" if polarity > 0 else "denied",
                              "speakers": speakers, "sentences": sents})
        out.append({"about": concept_about(concept), "kind": "polarity", "positions": positions})
    return out


def disagreements(al: Alignment) -> list[dict]:
    return numeric_disagreements(al) + polarity_disagreements(al)
