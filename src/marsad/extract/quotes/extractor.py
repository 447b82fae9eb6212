"""Quotation extraction: cues (:mod:`cue`), what was said (:mod:`content`), who said it
(:mod:`source`, :mod:`roles`), after BBC citron's split. One sentence at a time, carrying the
last speaker through the article.

A reported clause that *opens* with a quotation is emitted as direct quote(s); a reported clause
with a quotation further in (قال إنهم أحرزوا "بعض التقدم" في ...) is emitted once, as reported
content that contains the quoted words. A cue with no content after it takes a quotation right
before it ("«...»، قال بيسكوف") or, after حسبما/كما/بحسب ما, the clause before it. A quotation no
cue claims takes its speaker from a source phrase in the sentence (وفقاً لـ، بحسب). Other
quotation marks (names, scare quotes) are not quotes.
"""
from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

from marsad.doc import Article
from marsad.extract.quotes.content import Quotation, opener, quotations, skip_space, speech_like, trim
from marsad.extract.quotes.context import Context, Speaker
from marsad.extract.quotes.cue import Cue, find_cues
from marsad.extract.quotes.lexicon import WORD, key, pronoun_objects, strip_conj
from marsad.extract.quotes.source import clause_subject, source_phrase, subject_after, subject_before
from marsad.text.segment import Segment, paragraphs, sentences

_CLAUSE_MARKS = "،,؛;:.؟!"  # (. when the segmenter kept two sentences together)
_MAX_LEAD_CLAUSE = 3  # "وفي وقت سابق، ..." is not part of the content before حسبما
_NEAR_BEFORE = 3  # "كان بوتين قد اتهم ...": a name this close before the verb beats a plain phrase


@dataclass
class _Item:
    start: int
    end: int
    direct: bool
    speaker: Speaker | None
    cue: str | None

    def to_dict(self, text: str) -> dict:
        sp = self.speaker
        return {
            "start": self.start,
            "end": self.end,
            "text": text[self.start:self.end],
            "direct": self.direct,
            "speaker_text": sp.text if sp else None,
            "speaker_start": sp.start if sp else None,
            "speaker_end": sp.end if sp else None,
            "speaker_mention": sp.mention if sp else None,
            "cue": self.cue,
            "attribution": sp.how if sp else None,
        }


@dataclass
class _State:
    """What carries across sentences: the items, the quotations used, the speakers so far."""

    items: list[_Item] = field(default_factory=list)
    claimed: set[int] = field(default_factory=set)  # starts of quotations already emitted
    last: Speaker | None = None
    speakers: list[Speaker] = field(default_factory=list)
    spans: set[tuple[int, int]] = field(default_factory=set)  # (start, end) of the items


@dataclass
class _Sentence:
    """One sentence being read: its span, quotation marks, and the items made from it."""

    seg: Segment
    marks: list[Quotation]  # all quotation marks starting in the sentence, names included
    real: list[Quotation]  # those that are quotations
    made: list[_Item] = field(default_factory=list)
    pending: Speaker | None = None  # subject of a cue with no content ("وكتب شميهال ... يقول إن")

    def __post_init__(self) -> None:
        # per-cue lookups bisect these (scanning every quotation per cue was quadratic)
        self.real_starts = [q.start for q in self.real]

    @property
    def start(self) -> int:
        return self.seg.start

    @property
    def end(self) -> int:
        return self.seg.end


class QuoteExtractor:
    """Adds the ``quotes`` layer: direct and reported speech with their speakers.

    Each item: ``start``/``end``/``text`` (the quoted words, or the reported content),
    ``direct``, ``speaker_text``/``speaker_start``/``speaker_end`` (the words naming the speaker;
    for a carried-over speaker, the words that named it last), ``speaker_mention`` (index into
    ``article.mentions`` of the PER/ORG — or LOC used for its government — the speaker is),
    ``cue`` (the speech word) and ``attribution`` (how the speaker was found).
    """

    layer = "quotes"

    def __call__(self, article: Article) -> Article:
        article.quotes = extract_quotes(article.text, article.mentions or [])
        return article


def extract_quotes(text: str, mentions: list[dict]) -> list[dict]:
    """The quotes layer for ``text`` given its entity mentions."""
    marks = quotations(text)
    starts = [q.start for q in marks]
    ctx = Context(text, mentions, [(q.start, q.end) for q in marks])
    state = _State()
    for para in paragraphs(text):
        for seg in sentences(text, para.start, para.end):
            lo = bisect_left(starts, seg.start)
            in_sent = marks[lo:bisect_left(starts, seg.end, lo)]
            _read(ctx, marks, _Sentence(seg, in_sent, [q for q in in_sent if not q.name]), state)
    items = sorted(state.items, key=lambda it: it.start)
    return [it.to_dict(text) for it in items if it.end > it.start]


def _read(ctx: Context, marks: list[Quotation], sent: _Sentence, st: _State) -> None:
    text = ctx.text
    cues = find_cues(text, sent.start, sent.end, sent.marks, ctx.tokens(sent.start, sent.end))
    for n, cue in enumerate(cues):
        nxt = cues[n + 1].start if n + 1 < len(cues) else sent.end
        host = next((it for it in sent.made if not it.direct and it.start <= cue.start < it.end), None)
        if host is not None and not _clause_initial(text, sent.start, cue.start):
            continue  # a speech word inside someone's reported words ("القول إن")
        new = [] if cue.kind == "passive" else _from_cue(ctx, marks, sent, cue, nxt, st)
        if not new:
            if cue.kind in ("verb", "present") and sent.pending is None:
                sent.pending = subject_after(ctx, cue.end, nxt, st.speakers)
            continue
        if host is not None:  # "..., مشيراً إلى أن ...": the earlier content ends at the comma
            cut = max(text.rfind(c, host.start, cue.start) for c in _CLAUSE_MARKS)
            host.end = trim(text, host.start, cut if cut > host.start else cue.start)[1]
        for it in new:
            _add(it, sent, st)
    _unclaimed(ctx, sent, st)


def _unclaimed(ctx: Context, sent: _Sentence, st: _State) -> None:
    """Quotations no cue claimed take their speaker from a source phrase in the sentence."""
    source: list[Speaker | None] = []  # looked up once, on the first unclaimed quotation
    for q in sent.real:
        if q.start in st.claimed or any(it.start <= q.start < it.end for it in sent.made):
            continue
        if not source:
            inside = [(m.start, m.end) for m in sent.marks]
            source.append(source_phrase(ctx, sent.start, sent.end, inside, st.speakers))
        if source[0] is not None:
            _add(_Item(q.inner_start, q.inner_end, True, source[0], None), sent, st)
            st.claimed.add(q.start)


def _add(it: _Item, sent: _Sentence, st: _State) -> None:
    if (it.start, it.end) in st.spans:
        return
    sent.made.append(it)
    st.items.append(it)
    st.spans.add((it.start, it.end))
    if it.speaker is not None and it.speaker.text is not None:
        st.last = it.speaker
        st.speakers.append(it.speaker)


def _clause_initial(text: str, sent_start: int, pos: int) -> bool:
    before = text[sent_start:pos].rstrip()
    return not before or before[-1] in _CLAUSE_MARKS


def _from_cue(ctx: Context, marks: list[Quotation], sent: _Sentence, cue: Cue, nxt: int,
              st: _State) -> list[_Item]:
    text = ctx.text
    op = opener(text, cue.verb, cue.end, nxt, sent.marks)
    if op is None:
        return _without_opener(ctx, sent, cue, nxt, st)
    window_start = cue.end
    if cue.kind == "relay":  # نقلت وكالة تاس عن رئيس الخدمات الصحية قوله ...
        an = next((t for t in ctx.tokens(cue.end, op.window_end) if strip_conj(t[2]) == "عن"), None)
        if an is not None:
            window_start = an[1]
    speaker = _speaker(ctx, cue, window_start, op.window_end, sent, st)
    start = op.content if op.kind == "quote" else skip_space(text, op.content, sent.end)
    k = bisect_left(sent.real_starts, start)
    first = sent.real[k] if k < len(sent.real) and sent.real_starts[k] == start and start not in st.claimed else None
    if op.kind == "colon" and first is None and start >= sent.end:
        # "وقال أوشاكوف:" ending the sentence, the quotation on the next line
        first = next((q for q in marks if not q.name and q.start >= start
                      and not text[sent.end:q.start].strip()), None)
        if first is not None:
            st.claimed.add(first.start)
            return [_Item(first.inner_start, first.inner_end, True, speaker, cue.text)]
    if first is not None:
        lo = bisect_left(sent.real_starts, first.end)
        quotes = [first] + [q for q in sent.real[lo:bisect_left(sent.real_starts, nxt, lo)]
                            if q.start not in st.claimed and speech_like(text, q)]
        st.claimed.update(q.start for q in quotes)
        return [_Item(q.inner_start, q.inner_end, True, speaker, cue.text) for q in quotes]
    s, e = trim(text, start, sent.end)
    if e <= s or not WORD.search(text, s, e):
        return []
    return [_Item(s, e, False, speaker, cue.text)]


def _speaker(ctx: Context, cue: Cue, start: int, end: int, sent: _Sentence, st: _State) -> Speaker | None:
    """The speaker of ``cue``, whose subject window after the verb is ``text[start:end]``."""
    toks = ctx.tokens(start, end)
    while toks and strip_conj(toks[0][2]) in pronoun_objects():  # "أفاد به مصدر"
        start = toks[0][1]
        toks = toks[1:]
    earlier_end = max([sent.start] + [it.end for it in sent.made])
    sp = None
    # A participle has no subject of its own ("مؤكداً استمرار «...»"): the words after it are
    # its object.
    if end > start and cue.kind not in ("participle", "noun"):
        sp = subject_after(ctx, start, end, st.speakers)
    if sp is not None and sp.how == "phrase":
        near = subject_before(ctx, earlier_end, cue.start, _NEAR_BEFORE)
        if near is not None:
            return near
    if sp is not None:
        return sp
    if cue.kind in ("participle", "noun"):
        if sent.made and sent.made[-1].speaker is not None:
            return sent.made[-1].speaker.carried("clause")
        sp = clause_subject(ctx, sent.start, cue.start) or (sent.pending and sent.pending.carried("clause"))
        return sp or (st.last.carried("carry") if st.last else None)
    if cue.carry:
        return st.last.carried("carry") if st.last else None
    sp = subject_before(ctx, earlier_end, cue.start) or (sent.pending and sent.pending.carried("clause"))
    return sp or (st.last.carried("pronoun") if st.last else None)


def _without_opener(ctx: Context, sent: _Sentence, cue: Cue, nxt: int, st: _State) -> list[_Item]:
    """A cue with nothing said after it: the quotation or clause before it is its content."""
    text = ctx.text
    if cue.kind not in ("verb", "present"):
        return []
    before = [q for q in sent.real if q.end <= cue.start and q.start not in st.claimed
              and not any(it.start <= q.start < it.end for it in sent.made)]
    lead = _marker_start(text, sent.start, cue)
    if before and not text[before[-1].end:lead].strip(" \t،,"):
        q = before[-1]  # "«...»، قال بيسكوف"
        sp = _speaker(ctx, cue, cue.end, nxt, sent, st)
        st.claimed.add(q.start)
        return [_Item(q.inner_start, q.inner_end, True, sp, cue.text)]
    if not cue.after:
        return []
    cut = max(text.rfind(c, sent.start, lead) for c in "،,")
    s = max([sent.start] + [it.end for it in sent.made])
    if cut > s:  # "... الغداء في أحد مطاعم موسكو، حسبما قال مدير المطعم، مكسيم رومانتسيف"
        s, e = trim(text, _skip_lead_clause(text, s, cut), cut)
        window_end = nxt
    else:  # "بحسب ما أفاد مصدر أوكراني وكالة فرانس برس، قد يلتقي ..."
        comma = min([i for i in (text.find(c, cue.end, nxt) for c in "،,") if i >= 0], default=-1)
        if comma < 0:
            return []
        s, e = trim(text, comma + 1, sent.end)
        window_end = comma
    if e <= s or not WORD.search(text, s, e):
        return []
    sp = _speaker(ctx, cue, cue.end, window_end, sent, st)
    whole = next((q for q in sent.real if q.start == s and q.end >= e), None)
    if whole is not None:
        st.claimed.add(whole.start)
        return [_Item(whole.inner_start, whole.inner_end, True, sp, cue.text)]
    return [_Item(s, e, False, sp, cue.text)]


def _marker_start(text: str, sent_start: int, cue: Cue) -> int:
    """Start of the words before a cue that belong to it (حسبما / بحسب ما)."""
    if not cue.after:
        return cue.start
    toks = list(WORD.finditer(text, max(sent_start, cue.start - 30), cue.start))
    if len(toks) >= 2 and key(toks[-1].group()) == "ما":
        return toks[-2].start()
    return toks[-1].start() if toks else cue.start


def _skip_lead_clause(text: str, start: int, end: int) -> int:
    comma = min([i for i in (text.find(c, start, end) for c in "،,") if i >= 0], default=-1)
    if comma > 0 and len(WORD.findall(text, start, comma)) <= _MAX_LEAD_CLAUSE:
        return comma + 1
    return start
