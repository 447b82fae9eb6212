"""Role phrases ("الزعيم الأوكراني", "مساعد في الكرملين", "المتحدث باسم الكرملين", "الوزارة")
and the named entity each refers to.

A role phrase is a head from ``role_words.tsv`` followed by nisba adjectives, modifiers
(``role_modifiers.txt``), one genitive (only after an indefinite head: "وزير الخارجية",
"رئيس الخدمات الصحية", "مساعد بوتين"), "باسم X" or "في" + organisation. A person's role
phrases are the ones the article attaches to the name: just before it ("الرئيس الروسي فلاديمير
بوتين"), just before it with a dependent head and a second name following ("مساعد الرئيس الروسي
فلاديمير بوتين ... يوري أوشاكوف" → Ushakov), in apposition after it ("أوليه كيبر حاكم منطقة
أوديسا"), coordinated ("مستشار ... ومساعد بوتين، يوري أوشاكوف"), or the NER's ``role`` field.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

from marsad.extract.quotes.context import Context, Speaker
from marsad.extract.quotes.lexicon import (
    WORD,
    adverbials,
    complementizers,
    dependent_roles,
    forms,
    in_set,
    key,
    role_equivalents,
    role_modifiers,
    role_words,
    strip_clitics,
    strip_conj,
)

_NISBA = ("ي", "يه", "يين", "يون", "يان")
_MAX_ROLE_WORDS = 7
_PERSON_CLASSES = ("person", "source")


@dataclass(frozen=True)
class RolePhrase:
    start: int
    end: int
    head: str  # canonical key of the head word (رييس، مساعد، وزار …)
    cls: str  # person | org | source | group
    definite: bool
    adjectives: frozenset[str] = field(default_factory=frozenset)

    def matches(self, other: "RolePhrase") -> bool:
        return self.head == other.head and self.adjectives <= other.adjectives


def canon(k: str) -> str:
    """Canonical key of a role or adjective word: no article, no final ة, equivalents unified."""
    k = strip_clitics(k)
    eq = role_equivalents()
    if k in eq:
        return eq[k]
    if k.endswith("ه") and len(k) > 3:
        k = k[:-1]
    return eq.get(k, k)


def is_nisba(k: str) -> bool:
    return k.startswith("ال") and k.endswith(_NISBA) and len(k) > 4


def head_of(k: str) -> tuple[str, str] | None:
    """(head, class) when the word is a role head, with or without its clitics."""
    roles = role_words()
    for cand in forms(k):
        if cand in roles:
            return cand, roles[cand]
    return None


def _without_conj(k: str) -> str:
    return k[1:] if k[:1] in "وف" and k[1:3] == "ال" else k  # "والأوكرانية"


def role_at(ctx: Context, pos: int, limit: int) -> RolePhrase | None:
    """The role phrase that starts at the first word at or after ``pos`` (before ``limit``)."""
    text = ctx.text
    toks = ctx.tokens(pos, limit)
    if not toks or text[pos:toks[0][0]].strip():
        return None
    s0, e0, k0 = toks[0]
    if ctx.at_token(s0, e0) is not None:
        return None
    found = head_of(k0)
    if found is None:
        return None
    head, cls = found
    bare = strip_conj(k0)
    definite = bare.startswith("ال") or bare.startswith("لل") or bare[1:3] == "ال"
    end = e0
    adjectives: set[str] = set()
    genitive_ok = not definite  # only an indefinite head takes a genitive: "وزير الخارجية"
    expect_complement = False
    i = 1
    while i < len(toks) and i < _MAX_ROLE_WORDS:
        s, e, k = toks[i]
        if text[end:s].strip():  # punctuation ends the phrase
            break
        mi = ctx.at_token(s, e)
        if mi is not None:
            if ctx.mentions[mi]["type"] == "PER":
                break  # the name holding the role, or a separate name: not part of the role
            end = ctx.mentions[mi]["end"]
            while i < len(toks) and toks[i][0] < end:
                i += 1
            genitive_ok = expect_complement = False
            continue
        sk = _without_conj(k)
        nxt = ctx.at_token(*toks[i + 1][:2]) if i + 1 < len(toks) else None
        if expect_complement:
            end, genitive_ok, expect_complement = e, False, False
        elif sk == "باسم":
            end, expect_complement = e, True
        elif is_nisba(sk) or in_set(k, role_modifiers()):
            end = e
            if is_nisba(sk):
                adjectives.add(canon(sk))
        elif sk == "في" and nxt is not None and ctx.mentions[nxt]["type"] != "PER":
            end = e  # "مساعد في الكرملين"
        elif genitive_ok and not in_set(k, adverbials()) and k not in complementizers() \
                and head_of(k) is None and text[s] not in "لبك":
            end, genitive_ok = e, False
        else:
            break
        i += 1
    return RolePhrase(s0, end, canon(head), cls, definite, frozenset(adjectives))


def holders(ctx: Context) -> dict[int, list[RolePhrase]]:
    """For each PER mention (internal index), the role phrases the article gives it."""
    if "holders" in ctx.cache:
        return ctx.cache["holders"]
    out: dict[int, list[RolePhrase]] = {}
    pending: list[RolePhrase] = []  # "مستشار ... ومساعد بوتين، يوري أوشاكوف": both roles
    for s, e, k in ctx.tokens_all:
        found = head_of(k)
        if found is None or found[1] not in _PERSON_CLASSES:
            continue
        rp = role_at(ctx, s, min(len(ctx.text), s + 300))
        if rp is None:
            continue
        if pending and ctx.text[pending[-1].end:rp.start].strip():
            pending = []  # not coordinated with the phrase before
        holder = _holder_after(ctx, rp)
        if holder is None and _coordinated_role_follows(ctx, rp):
            pending.append(rp)
            continue
        if holder is None:
            holder = _holder_before(ctx, rp)
        if holder is not None:
            out.setdefault(holder, []).extend(pending + [rp])
        pending = []
    for i, m in enumerate(ctx.mentions):
        if m["type"] == "PER" and m.get("role"):
            rp = _phrase_from_string(m["role"])
            if rp is not None:
                out.setdefault(i, []).append(rp)
    ctx.cache["holders"] = out
    return out


def _coordinated_role_follows(ctx: Context, rp: RolePhrase) -> bool:
    nxt = ctx.tokens(rp.end, rp.end + 40)
    if not nxt or ctx.text[rp.end:nxt[0][0]].strip():
        return False
    k = nxt[0][2]
    if k[:1] != "و" or k in role_words():
        return False
    found = head_of(k[1:])
    return found is not None and found[1] in _PERSON_CLASSES


def _holder_after(ctx: Context, rp: RolePhrase) -> int | None:
    text = ctx.text
    gap_end = rp.end
    while gap_end < len(text) and text[gap_end] in " ،,":
        gap_end += 1
    first = ctx.covering(gap_end) if gap_end < len(text) else None
    if first is None or ctx.mentions[first]["type"] != "PER" or ctx.mentions[first]["start"] != gap_end:
        return None
    if in_set(rp.head, dependent_roles()):
        # "مساعد الرئيس الروسي فلاديمير بوتين لشؤون السياسة الخارجية يوري أوشاكوف"
        after = ctx.mentions[first]["end"]
        later = [
            i for i in ctx.in_span(after, after + 80, ("PER",))
            if ctx.words_between(after, ctx.mentions[i]["start"]) <= 5
            and not re.search(r"[.؟!:]", text[after:ctx.mentions[i]["start"]])
            and not any(t[2] in complementizers() for t in ctx.tokens(after, ctx.mentions[i]["start"]))
        ]
        if later:
            return later[0]
    return first


def _holder_before(ctx: Context, rp: RolePhrase) -> int | None:
    """Apposition: "أوليه كيبر حاكم منطقة أوديسا"، "ستيف ويتكوف، الموفد الخاص"."""
    j = rp.start
    while j > 0 and ctx.text[j - 1] in " ،,":
        j -= 1
    i = ctx.covering(j - 1) if j > 0 else None
    if i is not None and ctx.mentions[i]["type"] == "PER" and ctx.mentions[i]["end"] == j:
        return i
    return None


def _phrase_from_string(role: str) -> RolePhrase | None:
    ks = [key(w) for w in WORD.findall(role)]
    for n, k in enumerate(ks):
        found = head_of(k)
        if found:
            adjs = frozenset(canon(_without_conj(x)) for x in ks[n + 1:] if is_nisba(_without_conj(x)))
            return RolePhrase(-1, -1, canon(found[0]), found[1], True, adjs)
    return None


def resolve_role(ctx: Context, rp: RolePhrase, prior: list[Speaker]) -> Speaker:
    """The entity a role phrase refers to: the latest earlier holder of a matching role (for a
    definite phrase), or the only one in the article (for an indefinite one). ``prior`` are the
    article's earlier speakers ("المسؤول" → the earlier "مسؤول كبير في حلف شمال الأطلسي")."""
    base = Speaker(ctx.text[rp.start:rp.end], rp.start, rp.end, None, "role", rp)
    if rp.cls == "group":
        return base
    if rp.cls == "org":
        cands = []
        for i in ctx.order:
            if ctx.mentions[i]["type"] != "ORG":
                continue
            words = {canon(w) for w in key(ctx.mentions[i]["text"]).split()}
            if rp.head in words and rp.adjectives <= words:
                cands.append(i)
        before = [i for i in cands if ctx.mentions[i]["start"] < rp.start]
        pick = before[-1] if before else (cands[0] if cands else None)
        return replace(base, mention=ctx.ref(pick))
    matches: list[tuple[int, int | None, Speaker | None]] = []  # (position, article index, speaker)
    for i, phrases in holders(ctx).items():
        if any(rp.matches(p) for p in phrases):
            matches.append((ctx.mentions[i]["start"], ctx.ref(i), None))
    for sp in prior:
        if isinstance(sp.role, RolePhrase) and rp.matches(sp.role) and sp.start is not None:
            matches.append((sp.start, sp.mention, sp))
    if not matches:
        return base
    matches.sort(key=lambda x: x[0])
    if rp.definite:
        before = [m for m in matches if m[0] < rp.start]
        chosen = before[-1] if before else matches[0]
    else:
        if len({_identity(ctx, m) for m in matches}) != 1:
            return base
        chosen = next((m for m in matches if m[1] is not None), matches[0])
    if chosen[1] is None and chosen[2] is not None:
        return replace(base, role=chosen[2].role or rp)
    return replace(base, mention=chosen[1])


def _identity(ctx: Context, match) -> str:
    _, i, sp = match
    if i is not None:  # an index in the article's own list
        return key(next(m for m in ctx.mentions if m["ref"] == i)["text"]).split()[-1]
    return key(sp.text or "")
