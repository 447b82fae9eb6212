"""The curated alias table (``marsad/data/names/aliases.tsv``): Arabic forms → one entity.

An alias fixes what spelling rules cannot: الناتو = حلف شمال الأطلسي, أمريكا = الولايات المتحدة,
أبو مازن = محمود عباس, and it gives the Latin name. Lookup is variant-tolerant (an unlisted
spelling such as زيلنسكي still finds Zelensky) but never ambiguous: when two entries match,
none is returned.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache

from marsad.link.names.variants import ParsedName, parse_person, parse_place, same_name
from marsad.resources import lines

TYPES = ("PER", "ORG", "LOC")


def group_of(entity_type: str) -> str:
    """Persons match person aliases; organisations and places match each other's (NER often
    tags الكرملين or واشنطن either way), and the alias decides the type."""
    return "PER" if entity_type == "PER" else "PLACE"


@lru_cache(maxsize=1 << 18)
def parse(text: str, entity_type: str) -> ParsedName:
    """Parsed name of a mention (cached: news repeats the same names endlessly)."""
    return parse_person(text) if entity_type == "PER" else parse_place(text)


@dataclass(frozen=True)
class Alias:
    type: str
    latin: str
    forms: tuple[str, ...]

    @property
    def id(self) -> str:
        return f"{self.type}:{self.latin}"


class AliasTable:
    def __init__(self, entries: list[Alias]):
        self.entries = entries
        self._index: dict[tuple, list[tuple[ParsedName, Alias]]] = defaultdict(list)
        self._memo: dict[tuple[str, str], Alias | None] = {}
        for alias in entries:
            for form in alias.forms:
                name = parse(form, alias.type)
                if name.units:
                    self._index[(group_of(alias.type),) + name.block].append((name, alias))

    def lookup(self, name: ParsedName, entity_type: str) -> Alias | None:
        """The one entry this name is a form of; exact spellings win over variant ones."""
        if not name.units:
            return None
        memo = (group_of(entity_type), name.surface)
        if memo not in self._memo:
            self._memo[memo] = self._lookup(name, entity_type)
        return self._memo[memo]

    def _lookup(self, name: ParsedName, entity_type: str) -> Alias | None:
        candidates = self._index.get((group_of(entity_type),) + name.block, ())
        exact = {a.id: a for n, a in candidates if n.key == name.key}
        if exact:
            return next(iter(exact.values())) if len(exact) == 1 else None
        close = {a.id: a for n, a in candidates if same_name(n, name)}
        return next(iter(close.values())) if len(close) == 1 else None


def read_aliases(rows: tuple[str, ...]) -> list[Alias]:
    out = []
    for row in rows:
        cols = row.split("\t")
        if len(cols) != 3 or cols[0] not in TYPES:
            raise ValueError(f"bad alias line: {row!r}")
        forms = tuple(dict.fromkeys(f.strip() for f in cols[2].split("|") if f.strip()))
        out.append(Alias(cols[0], cols[1].strip(), forms))
    return out


@lru_cache(maxsize=1)
def alias_table() -> AliasTable:
    return AliasTable(read_aliases(lines("names/aliases.tsv")))
