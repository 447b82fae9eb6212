"""Cluster name mentions across articles into entities, merging only on evidence.

Persons
  1. Full names (two or more units) are one entity when the alias table says so, or when
     they are unit-by-unit spelling variants (:func:`variants.same_name`) — unless evidence
     says they are two people: they resolve to different aliases, their roles name different
     countries (الرئيس الأميركي / الرئيس الروسي), or one article names both with different first
     names. Differing unit counts or suffixes never merge (جورج بوش ≠ جورج دبليو بوش ≠ جورج بوش الأب).
  2. A bare name (one unit: بوتين, روبيو) attaches, per article, to the one full-name entity
     whose surname is a variant of it. A bare name listed in the alias table goes to its entry;
     otherwise the full names of the same article are tried first, then those of the
     article's story, then the whole corpus.
     A bare first name (فلاديمير) is not linked by its first name: an NER that cut
     "دميتري مدفيديف" short would otherwise hand it to "دميتري بيسكوف". When
     two candidates remain (حافظ الأسد and بشار الأسد), it attaches to none and stays a
     separate entity. Native Arabic given names (محمد) attach only within the article or story.
Organisations and places
  Keys without the article (الناتو = ناتو), the alias table (الناتو = حلف شمال الأطلسي), and
  word-by-word spelling variants (الأمريكية/الأميركية). A city and its country are separate
  alias entries, so واشنطن never becomes الولايات المتحدة.
"""
from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Mapping

from marsad.link.names.aliases import Alias, AliasTable, group_of, parse
from marsad.link.names.variants import ParsedName, clitic_readings, key, same_name, same_unit, words
from marsad.resources import lines

TYPES = ("PER", "ORG", "LOC")


@dataclass
class Ref:
    """One mention, ready for linking."""

    article: str
    index: int
    mention: dict[str, Any]
    type: str
    name: ParsedName
    roles: tuple[str, ...]
    nations: frozenset[str]
    alias: Alias | None = None

    @property
    def group(self) -> str:
        return group_of(self.type)


@dataclass
class Cluster:
    refs: list[Ref]
    alias: Alias | None
    type: str


# --- evidence from roles ---------------------------------------------------------------

@lru_cache(maxsize=1)
def _nationalities() -> dict[tuple[str, ...], str]:
    out = {}
    for line in lines("names/nationalities.tsv"):
        code, _, forms = line.partition("\t")
        for form in forms.split("|"):
            out[tuple(_bare(w) for w in form.split())] = code.strip()
    return out


def _bare(word: str) -> str:
    k = key(word)
    for prefix in ("وال", "فال", "بال", "لل", "ال"):
        if k.startswith(prefix) and len(k) > len(prefix) + 2:
            return k[len(prefix):]
    return k


def nations(roles: Iterable[str]) -> frozenset[str]:
    """Countries named by nationality adjectives in a person's roles."""
    table = _nationalities()
    out = set()
    for role in roles:
        ws = [_bare(w) for w in words(role)]
        for n in (2, 1):
            for i in range(len(ws) - n + 1):
                code = table.get(tuple(ws[i:i + n]))
                if code:
                    out.add(code)
    return frozenset(out)


@lru_cache(maxsize=1)
def _dependent_heads() -> frozenset[str]:
    # the quotation source finder reads the same list: one word list for one fact of Arabic
    return frozenset(_bare(w) for w in lines("quotes/dependent_roles.txt"))


def _loose(words_: Iterable[str]) -> str:
    """Key of a phrase that bridges أميركي/أمريكي-style spellings (long vowels dropped)."""
    return " ".join(_bare(w).replace("ي", "").replace("ا", "") for w in words_)


def borrowed_roles(roles: Iterable[str]) -> set[str]:
    """Roles seen before a person's name that belong to someone else.

    A dependent role takes the name as its complement: in "مساعد الرئيس الروسي فلاديمير بوتين"
    or "مستشار السياسة الخارجية ومساعد بوتين" the aide is another person. Per mention this is
    ambiguous ("مساعد الرئيس الروسي يوري أوشاكوف" names the aide), so it is decided per entity:
    a role "<dependent> [الخاص] <title>" is borrowed when the same entity is also seen with
    <title> itself (Putin is "الرئيس الروسي"), and a role ending in a dependent noun is always
    borrowed ("... ومساعد" + name)."""
    heads = _dependent_heads()
    parsed = {r: words(r) for r in roles}
    plain = set()
    for r, ws in parsed.items():
        if ws and _bare(ws[0]) not in heads:
            plain.add(_loose(ws))
    out = set()
    for r, ws in parsed.items():
        if len(ws) < 2:
            continue
        last = ws[-1][1:] if ws[-1].startswith("و") and _bare(ws[-1][1:]) in heads else ws[-1]
        if _bare(last) in heads:
            out.add(r)
            continue
        if _bare(ws[0]) not in heads:
            continue
        rest = ws[1:]
        while rest and _bare(rest[0]) in ("خاص", "خاصة"):
            rest = rest[1:]
        if rest and rest[0].startswith("لل"):
            rest = ["ال" + rest[0][2:]] + rest[1:]
        complement = _loose(rest)
        if complement and any(p == complement or p.startswith(complement + " ") for p in plain):
            out.add(r)
    return out


def _conflict(a: frozenset[str], b: frozenset[str]) -> bool:
    return bool(a) and bool(b) and not (a & b)


# --- collecting mentions ---------------------------------------------------------------

def collect(articles, aliases: AliasTable) -> list[Ref]:
    """Every PER/ORG/LOC mention as a :class:`Ref`, with leading clitics read off when the
    corpus shows the bare form (وروسيا → روسيا) and its alias looked up."""
    refs: list[Ref] = []
    for article in articles:
        for i, m in enumerate(article.mentions):
            kind = m.get("type")
            if kind not in TYPES:
                continue
            text = m.get("text") or article.text[m["start"]:m["end"]]
            name = parse(text, kind)
            if not name.units:
                continue
            role = (m.get("role") or "").strip()
            roles = (role,) if role else tuple(name.titles)
            refs.append(Ref(article.id, i, m, kind, name, roles, nations(roles)))
    counts = Counter((r.group, r.name.key) for r in refs)
    for r in refs:
        r.alias = aliases.lookup(r.name, r.type)
        if r.alias:
            continue
        for reading in clitic_readings(r.name.surface):
            alt = parse(reading, r.type)
            alt_alias = aliases.lookup(alt, r.type)
            seen = counts[(r.group, alt.key)]
            if alt.units and seen and (seen >= counts[(r.group, r.name.key)] or alt_alias):
                r.name, r.alias = alt, alt_alias
                break
    return refs


# --- constrained union-find ------------------------------------------------------------

class _Clusters:
    """Union-find whose unions are refused when they would join conflicting evidence."""

    def __init__(self):
        self.parent: dict[str, str] = {}
        self.members: dict[str, set[str]] = {}
        self.cannot: dict[str, set[str]] = {}
        self.alias: dict[str, str | None] = {}
        self.nations: dict[str, frozenset[str]] = {}

    def add(self, node: str, alias: str | None = None, nations: frozenset[str] = frozenset()):
        if node not in self.parent:
            self.parent[node] = node
            self.members[node] = {node}
            self.cannot[node] = set()
            self.alias[node] = alias
            self.nations[node] = nations

    def find(self, x: str) -> str:
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def forbid(self, a: str, b: str):
        self.cannot[self.find(a)].add(b)
        self.cannot[self.find(b)].add(a)

    def allowed(self, a: str, b: str, by_alias: bool = False) -> bool:
        """Two aliases never merge; role and co-occurrence evidence yields to an alias."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if self.alias[ra] and self.alias[rb] and self.alias[ra] != self.alias[rb]:
            return False
        if by_alias:
            return True
        if _conflict(self.nations[ra], self.nations[rb]):
            return False
        return not (self.cannot[ra] & self.members[rb])

    def union(self, a: str, b: str, by_alias: bool = False) -> bool:
        if not self.allowed(a, b, by_alias):
            return False
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True
        if rb < ra:  # deterministic root, independent of input order
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.members[ra] |= self.members.pop(rb)
        self.cannot[ra] |= self.cannot.pop(rb)
        self.alias[ra] = self.alias[ra] or self.alias.pop(rb)
        self.nations[ra] = self.nations[ra] | self.nations.pop(rb)
        return True


@dataclass
class _Form:
    """All mentions that share one name key; ``node`` is its union-find node."""

    name: ParsedName
    prefix: str
    refs: list[Ref] = field(default_factory=list)

    @property
    def node(self) -> str:
        return self.prefix + self.name.key


def _forms(refs: list[Ref], prefix: str) -> dict[str, _Form]:
    forms: dict[str, _Form] = {}
    for r in refs:
        forms.setdefault(r.name.key, _Form(r.name, prefix)).refs.append(r)
    return forms


def _add_forms(uf: "_Clusters", forms: dict[str, _Form]):
    """Nodes for forms, each joined to its alias entry (alias evidence overrides roles)."""
    for f in forms.values():
        aliases = {r.alias.id for r in f.refs if r.alias}
        uf.add(f.node, min(aliases) if aliases else None, frozenset().union(*(r.nations for r in f.refs)))
        for r in f.refs:
            if r.alias:
                uf.add("a:" + r.alias.id, r.alias.id)
                uf.union(f.node, "a:" + r.alias.id, by_alias=True)


def _merge_variants(uf: _Clusters, forms: dict[str, _Form]):
    """Union forms that are spelling variants of each other, most frequent first."""
    blocks: dict[tuple, list[_Form]] = defaultdict(list)
    for f in forms.values():
        blocks[f.name.block].append(f)
    for block in blocks.values():
        if len(block) < 2:
            continue
        block.sort(key=lambda f: (-len(f.refs), f.name.key))
        for i, a in enumerate(block):
            for b in block[i + 1:]:
                if same_name(a.name, b.name):
                    uf.union(a.node, b.node)


# --- persons ---------------------------------------------------------------------------

def _link_people(refs: list[Ref], story_of: Mapping[str, str]) -> list[Cluster]:
    uf = _Clusters()
    full = _forms([r for r in refs if r.name.full], "f:")
    _add_forms(uf, full)
    # One article naming two people whose names differ in the first name: never one person.
    by_article: dict[str, set[str]] = defaultdict(set)
    for f in full.values():
        for r in f.refs:
            by_article[r.article].add(f.name.key)
    for keys in by_article.values():
        grouped: dict[tuple, list[_Form]] = defaultdict(list)
        for k in keys:
            grouped[full[k].name.block].append(full[k])
        for group in grouped.values():
            for i, a in enumerate(group):
                for b in group[i + 1:]:
                    if a.name.units[0].key != b.name.units[0].key:
                        uf.forbid(a.node, b.node)
    _merge_variants(uf, full)

    # Bare names: attach per (article, name) to exactly one full-name entity.
    surname_index: dict[tuple, list[_Form]] = defaultdict(list)
    for f in full.values():
        surname_index[(f.name.suffix, f.name.units[-1].block)].append(f)
    articles_of_root: dict[str, set[str]] = defaultdict(set)
    roles_of_root: dict[str, set[str]] = defaultdict(set)
    for f in full.values():
        root = uf.find(f.node)
        for r in f.refs:
            articles_of_root[root].add(r.article)
            roles_of_root[root].update(key(x) for x in r.roles)
    story_articles: dict[str, set[str]] = defaultdict(set)
    for a, s in story_of.items():
        story_articles[s].add(a)

    singles: dict[tuple[str, str], list[Ref]] = defaultdict(list)
    for r in refs:
        if not r.name.full:
            singles[(r.article, r.name.key)].append(r)
    attached: dict[tuple[str, str], str] = {}
    for (article, _), group in sorted(singles.items()):
        name = group[0].name
        unit = name.units[0]
        nat = frozenset().union(*(r.nations for r in group))
        roles = {key(x) for r in group for x in r.roles}
        candidates = sorted({
            uf.find(f.node)
            for f in surname_index.get((name.suffix, unit.block), ())
            if same_unit(f.name.units[-1], unit)
        })
        candidates = [c for c in candidates if not _conflict(nat, uf.nations[c])]

        alias = group[0].alias
        alias_root = None
        if alias is not None:
            uf.add("a:" + alias.id, alias.id)
            alias_root = uf.find("a:" + alias.id)

        def pick(pool: list[str]) -> str | None | bool:
            """The one candidate, None when there is none, False when ambiguous (a role
            shared with exactly one candidate settles a tie)."""
            if not pool:
                return None
            if len(pool) == 1:
                return pool[0]
            by_role = [c for c in pool if roles & roles_of_root[c]]
            return by_role[0] if len(by_role) == 1 else False

        # A bare name listed in the alias table (ترامب, بوتين) is the curated reading; the
        # table lists no bare name shared by two public figures (بوش, الأسد, كيم).
        choice = alias_root
        if choice is None:
            choice = pick([c for c in candidates if article in articles_of_root[c]])
        if choice is None and article in story_of:
            peers = story_articles[story_of[article]]
            choice = pick([c for c in candidates if articles_of_root[c] & peers])
        if choice is None and not unit.protected:
            choice = pick(candidates)
        if choice:
            attached[(article, name.key)] = choice

    # Unresolved bare names: one entity per spelling-variant group.
    loose = _forms([r for (a, k), group in singles.items() if (a, k) not in attached for r in group], "s:")
    for f in loose.values():
        uf.add(f.node)
    _merge_variants(uf, loose)

    members: dict[str, list[Ref]] = defaultdict(list)
    for f in full.values():
        members[uf.find(f.node)].extend(f.refs)
    for (article, k), group in singles.items():
        root = attached.get((article, k)) or uf.find("s:" + k)
        members[uf.find(root)].extend(group)
    out = []
    for root, rs in members.items():
        alias = next((r.alias for r in rs if r.alias and r.alias.id == uf.alias[root]), None)
        out.append(Cluster(rs, alias, "PER"))
    return out


# --- organisations and places ----------------------------------------------------------

def _link_places(refs: list[Ref]) -> list[Cluster]:
    uf = _Clusters()
    forms = _forms(refs, "p:")
    _add_forms(uf, forms)
    _merge_variants(uf, forms)
    members: dict[str, list[Ref]] = defaultdict(list)
    for f in forms.values():
        members[uf.find(f.node)].extend(f.refs)
    out = []
    for root, rs in members.items():
        alias = next((r.alias for r in rs if r.alias and r.alias.id == uf.alias[root]), None)
        if alias:
            kind = alias.type
        else:  # the type most mentions were given; ORG before LOC on a tie
            votes = Counter(r.type for r in rs)
            kind = max(votes, key=lambda t: (votes[t], t == "ORG"))
        out.append(Cluster(rs, alias, kind))
    return out


def link(refs: list[Ref], story_of: Mapping[str, str] | None = None) -> list[Cluster]:
    story_of = story_of or {}
    people = [r for r in refs if r.group == "PER"]
    places = [r for r in refs if r.group != "PER"]
    return _link_people(people, story_of) + _link_places(places)
