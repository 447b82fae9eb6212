"""Who said it: the speaker around a cue.

After the verb (Arabic news is verb-first: "وقال أوشاكوف"), :func:`subject_after` takes a person
(not one inside a prepositional phrase, not the complement of a dependent role: "مساعد الرئيس
الروسي فلاديمير بوتين ... يوري أوشاكوف" → Ushakov), else a role phrase ("الزعيم الأوكراني"),
else an organisation, else a place right after the verb ("قالت كييف"), else the plain words
there ("البيان", an untagged "شميهال"). :func:`subject_before` finds a subject before the verb
("زيلينسكي قال", "وكان أوليه كيبر ... قال", "لكن السلطات أكدت"), :func:`clause_subject` the
subject a participle hangs on, :func:`source_phrase` the source after وفقاً لـ / بحسب.
"""
from __future__ import annotations

from dataclasses import replace

from marsad.extract.quotes.context import Context, Speaker
from marsad.extract.quotes.lexicon import (
    adverbials,
    auxiliaries,
    complementizers,
    dependent_roles,
    in_set,
    key,
    name_contexts,
    outside,
    prepositions,
    role_modifiers,
    role_words,
    source_markers,
    strip_conj,
)
from marsad.extract.quotes.roles import head_of, resolve_role, role_at

_MAX_PHRASE_WORDS = 3
_SUBJECT_TYPES = ("PER", "ORG")
_MAX_BEFORE_WORDS = 8  # a name this close before the verb is its subject ("زيلينسكي قال")
_MAX_AUX_DISTANCE = 8  # words between كان and the verb
_MAX_SOURCE_DISTANCE = 4  # words between وفقاً لـ and the name


def subject_after(ctx: Context, start: int, end: int, prior: list[Speaker]) -> Speaker | None:
    """The speaker named in the words right after a cue, ``text[start:end]``."""
    cands = [i for i in ctx.in_span(start, end) if not ctx.is_object(i) and not _in_pp(ctx, start, i)]
    people = [i for i in cands if ctx.mentions[i]["type"] == "PER"]
    toks = ctx.tokens(start, end)
    lead = toks[0] if toks and not ctx.text[start:toks[0][0]].strip(" ،,") else None
    # A name completing a dependent role is not the speaker when another name follows
    # ("مساعد الرئيس الروسي فلاديمير بوتين ... يوري أوشاكوف"), nor when the window opens with
    # plain words the NER did not tag ("خديجة جنكيز، خطيبة الصحفي ... جمال خاشقجي").
    plain_lead = lead is not None and ctx.covering(lead[0]) is None and head_of(lead[2]) is None \
        and not in_set(lead[2], adverbials())
    heads = [i for n, i in enumerate(people)
             if not ((n + 1 < len(people) or plain_lead) and _dependent(ctx, start, i))]
    if heads:
        return ctx.speaker_from_mention(heads[0], "name")
    rp = role_at(ctx, lead[0], end) if lead else None
    if rp is not None:  # "مساعد في الكرملين", "الزعيم الأوكراني", "الوزارة"
        return resolve_role(ctx, rp, prior)
    orgs = [i for i in cands if ctx.mentions[i]["type"] == "ORG"]
    if orgs:
        return ctx.speaker_from_mention(orgs[0], "organisation")
    if lead is not None:
        mi = ctx.at_token(lead[0], lead[1])
        if mi is not None and ctx.mentions[mi]["type"] == "LOC" and ctx.mentions[mi]["start"] == lead[0]:
            return ctx.speaker_from_mention(mi, "place")
        sp = _phrase(ctx, toks)
        if sp is not None:
            return link(ctx, sp)
    return ctx.speaker_from_mention(people[0], "name") if people else None


def _dependent(ctx: Context, window_start: int, i: int) -> bool:
    """A name that completes a dependent role: "مساعد الرئيس الروسي فلاديمير بوتين", "خطيبة
    الصحفي السعودي المفقود جمال خاشقجي" (walking back over the role's words)."""
    s = ctx.mentions[i]["start"]
    end = s
    for ts, te, k in reversed(ctx.tokens(window_start, s)):
        if ctx.text[te:end].strip():
            return False  # punctuation: "ومساعد بوتين، يوري أوشاكوف" holds its own role
        if in_set(k, dependent_roles()):
            return True
        sk = k[1:] if k[:1] in "وف" and k[1:3] == "ال" else k
        if not (sk.startswith("ال") or in_set(k, role_modifiers()) or head_of(k) is not None):
            return False
        end = ts
    return False


def _in_pp(ctx: Context, window_start: int, i: int) -> bool:
    """A name after a free-standing preposition in the window is inside a prepositional phrase
    ("وقال ترامب عن مشاركة منشن", "في مؤتمر صحفي مع رئيس وزراء المجر، فيكتور أوربان"). "في" +
    organisation belongs to a role ("كبير المساعدين في الكرملين")."""
    toks = ctx.tokens(window_start, ctx.mentions[i]["start"])
    for n, (_, _, k) in enumerate(toks):
        if len(k) < 2 or (k not in prepositions() and strip_conj(k) not in prepositions()):
            continue
        nxt = toks[n + 1] if n + 1 < len(toks) else None
        mi = ctx.at_token(nxt[0], nxt[1]) if nxt else None
        if k == "في" and mi is not None and ctx.mentions[mi]["type"] in ("ORG", "LOC"):
            continue
        return True
    return False


def prepositional(word: str) -> bool:
    """"للصحفيين", "لأحلام", "بالأمس", "لنظيره", "لوكالة": a word with ل/ب attached is not a
    subject (names that start with ل, such as لافروف, are left alone)."""
    w = word[1:] if word[:1] in "وف" and len(word) > 3 else word
    if w.startswith(("لل", "لأ", "لإ", "لآ", "بال", "لـ", "بـ")):
        return True
    if w[:1] in "لب" and len(w) > 3:
        rest = key(w[1:])
        return rest.endswith(("ه", "ها", "هم")) or rest in role_words() or rest in name_contexts()
    return False


def _phrase(ctx: Context, toks) -> Speaker | None:
    """A plain noun phrase after the verb when no entity or role is there ("البيان")."""
    words = []
    prev_end = toks[0][0]
    for s, e, k in toks[:_MAX_PHRASE_WORDS]:
        if ctx.text[prev_end:s].strip() or in_set(k, adverbials()) or k in complementizers() \
                or ctx.covering(s) is not None or prepositional(ctx.text[s:e]):
            break
        words.append((s, e))
        prev_end = e
    if not words:
        return None
    s, e = words[0][0], words[-1][1]
    return Speaker(ctx.text[s:e], s, e, None, "phrase")


def link(ctx: Context, sp: Speaker) -> Speaker:
    """A speaker named by plain words ("شميهال") takes the PER mention elsewhere in the article
    that ends with the same word ("دينيس شميهال"), nearest before it first."""
    if sp.mention is not None or not sp.text:
        return sp
    words = key(sp.text).split()
    if not words:  # a phrase of no letters (punctuation, a tatweel) names nobody
        return sp
    last = words[-1]
    cands = [i for i in ctx.order if ctx.mentions[i]["type"] == "PER"
             and key(ctx.mentions[i]["text"]).split()[-1:] == [last]]
    if not cands:
        return sp
    before = [i for i in cands if ctx.mentions[i]["start"] < (sp.start or 0)]
    return replace(sp, mention=ctx.ref(before[-1] if before else cands[0]))


def subject_before(ctx: Context, start: int, cue: int, within: int = _MAX_BEFORE_WORDS) -> Speaker | None:
    """SVO order: a name ending shortly before the verb, in the same clause unless it opens the
    sentence or follows كان ("وكان رود روزنشتاين، نائب وزير العدل، قال"); else the words after
    كان, or a role phrase right before the verb."""
    text = ctx.text
    clause = max([start] + [text.rfind(c, start, cue) + 1 for c in "،,؛;"])
    cands = [
        i for i in ctx.in_span(start, cue, _SUBJECT_TYPES)
        if not ctx.is_object(i) and ctx.words_between(ctx.mentions[i]["end"], cue) <= within
        and (ctx.mentions[i]["start"] >= clause or _opens(ctx, start, i))
    ]
    people = [i for i in cands if ctx.mentions[i]["type"] == "PER"]
    pick = people[-1] if people else (cands[-1] if cands else None)
    if pick is not None:
        return ctx.speaker_from_mention(pick, "before")
    return _after_auxiliary(ctx, start, cue) or _role_before(ctx, start, cue)


def _opens(ctx: Context, start: int, i: int) -> bool:
    before = ctx.tokens(start, ctx.mentions[i]["start"])
    return not before or (len(before) == 1 and in_set(before[0][2], auxiliaries()))


def _role_before(ctx: Context, start: int, cue: int) -> Speaker | None:
    """"لكن السلطات أكدت أنه": a role phrase that ends right before the verb."""
    for s, _, k in reversed(ctx.tokens(start, cue)[-4:]):
        if head_of(k) is None:
            continue
        rp = role_at(ctx, s, cue)
        if rp is not None and not ctx.text[rp.end:cue].strip():
            return resolve_role(ctx, rp, []).carried("before")
    return None


def _after_auxiliary(ctx: Context, start: int, cue: int) -> Speaker | None:
    """"وكان أوليه كيبر حاكم منطقة أوديسا قال": the words after كان, when no name was tagged."""
    start = max([start] + [ctx.text.rfind(c, start, cue) + 1 for c in "،,؛;:"])  # same clause
    toks = ctx.tokens(start, cue)
    for n in range(len(toks) - 1, max(0, len(toks) - _MAX_AUX_DISTANCE) - 1, -1):
        if not in_set(toks[n][2], auxiliaries()):
            continue
        rest = toks[n + 1:]
        if not rest:
            return None
        rp = role_at(ctx, rest[0][0], cue)
        if rp is not None:
            return resolve_role(ctx, rp, []).carried("before")
        words = []
        for s, e, k in rest[:_MAX_PHRASE_WORDS]:
            if head_of(k) is not None or k == "قد" or in_set(k, adverbials()):
                break
            words.append((s, e))
        if words:
            a, b = words[0][0], words[-1][1]
            return link(ctx, Speaker(ctx.text[a:b], a, b, None, "before"))
        return None
    return None


def clause_subject(ctx: Context, start: int, cue: int) -> Speaker | None:
    """The subject of the clause a participle or noun cue hangs on ("وانتقد ... مدفيديف، الموقف
    الأوروبي، قائلا"): the first person, else organisation, not after a preposition."""
    cands = [i for i in ctx.in_span(start, cue, _SUBJECT_TYPES) if not ctx.is_object(i)]
    people = [i for i in cands if ctx.mentions[i]["type"] == "PER"]
    for n, i in enumerate(people):
        if n + 1 < len(people) and _dependent(ctx, start, i):
            continue
        return ctx.speaker_from_mention(i, "clause")
    return ctx.speaker_from_mention(cands[0], "clause") if cands else None


def source_phrase(ctx: Context, start: int, end: int, inside: list[tuple[int, int]],
                  prior: list[Speaker]) -> Speaker | None:
    """The source named after وفقاً لـ / بحسب / نقلاً عن in ``text[start:end]`` (outside the
    ``inside`` quotation spans), if it is a person, an organisation or a role."""
    free = outside(inside, start, end)
    toks = [t for t in ctx.tokens(start, end) if free(t[0])]
    keys = [t[2] for t in toks]
    bare = [strip_conj(k) for k in keys]
    for i in range(len(toks)):
        for marker in source_markers():
            n = len(marker)
            if tuple(keys[i:i + n]) != marker and tuple(bare[i:i + n]) != marker:
                continue
            after = toks[i + n - 1][1]
            if i + n < len(toks) and toks[i + n][2] in ("ل", "لـ"):  # "وفقاً لـ بيسكوف"
                after = toks[i + n][1]
            named = ctx.in_span(after, end, _SUBJECT_TYPES)
            if named:
                per = [j for j in named if ctx.mentions[j]["type"] == "PER"]
                j = per[0] if per else named[0]
                if ctx.words_between(after, ctx.mentions[j]["start"]) <= _MAX_SOURCE_DISTANCE:
                    return ctx.speaker_from_mention(j, "source")
            first = ctx.tokens(after, end)
            rp = role_at(ctx, first[0][0], end) if first else None
            if rp is not None and rp.cls != "org":
                return resolve_role(ctx, rp, prior).carried("source")
    return None
