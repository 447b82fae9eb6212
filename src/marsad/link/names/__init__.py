"""Cross-article entity linking: one entity per real person, organisation or place.

    from marsad.link.names import link_entities
    entities = link_entities(articles)            # report "entities" list
    articles[0].mentions[3]["entity"]             # the id of the entity that mention belongs to

``link_entities`` reads each article's ``mentions`` layer (``{"start", "end", "type", "text",
optional "role"}``), merges spelling variants and short forms (:mod:`.merge`), and returns the
entities in the report contract's shape. It also writes ``mention["entity"] = entity id`` on
every PER/ORG/LOC mention dict in place; that is the (article, mention index) → entity map.
Ids are ``"e" + sha1(type + "|" + canonical key)[:12]``, where the canonical key is the alias
entry when there is one, else the key of the entity's fullest name: the same corpus gives the
same ids on every run and in any input order.
"""
from __future__ import annotations

import hashlib
from collections import Counter
from typing import Any, Iterable, Mapping

from marsad.doc import Article
from marsad.link.names.aliases import AliasTable, alias_table
from marsad.link.names.merge import Cluster, borrowed_roles, collect, link
from marsad.link.names.romanize import romanize
from marsad.link.names.variants import key

__all__ = ["AliasTable", "link_entities", "romanize"]


def link_entities(
    articles: Iterable[Article],
    story_of: Mapping[str, str] | None = None,
    aliases: AliasTable | None = None,
) -> list[dict[str, Any]]:
    """Entities of a corpus, most mentioned first; sets ``mention["entity"]`` in place.

    ``story_of`` (article id → story id), when known, lets a bare surname find its full name
    in the same story before the whole corpus is searched. ``aliases`` replaces the shipped
    alias table (tests use an empty one to exercise the spelling rules alone).
    """
    articles = list(articles)
    refs = collect(articles, alias_table() if aliases is None else aliases)
    entities = [_entity(c) for c in link(refs, story_of)]
    seen: dict[str, int] = {}
    for e in sorted(entities, key=lambda e: e["_key"]):
        # clusters have distinct canonical keys by construction; should two ever share one,
        # they still get distinct ids, suffixed in an order independent of the input
        n = seen.get(e["id"], 0)
        seen[e["id"]] = n + 1
        if n:
            e["id"] = f"{e['id']}-{n}"
    for e in entities:
        for ref in e.pop("_refs"):
            ref.mention["entity"] = e["id"]
        e.pop("_key")
    entities.sort(key=lambda e: (-len(e["mentions"]), e["type"], e["id"]))
    return entities


def _entity(cluster: Cluster) -> dict[str, Any]:
    refs = cluster.refs
    # the fullest form: most name units, then most mentions, then the plainest spelling
    surfaces = Counter(r.name.surface for r in refs)
    units = {r.name.surface: len(r.name.units) for r in refs}
    name = min(surfaces, key=lambda s: (-units[s], -surfaces[s], len(s), s))
    keys = Counter(r.name.key for r in refs)
    key_units = {r.name.key: len(r.name.units) for r in refs}
    canonical = (
        "@" + cluster.alias.latin
        if cluster.alias
        else min(keys, key=lambda k: (-key_units[k], -keys[k], k))
    )
    roles: Counter[str] = Counter()
    role_surface: dict[str, str] = {}
    for r in refs:
        for role in r.roles:
            k, text = key(role), " ".join(role.split())
            roles[k] += 1
            role_surface[k] = min(role_surface.get(k, text), text)  # order-independent choice
    borrowed = borrowed_roles(role_surface.values())
    for k in [k for k, text in role_surface.items() if text in borrowed]:
        del roles[k]
    digest = hashlib.sha1(f"{cluster.type}|{canonical}".encode("utf-8")).hexdigest()
    return {
        "id": "e" + digest[:12],
        "type": cluster.type,
        "name": name,
        "latin": cluster.alias.latin if cluster.alias else romanize(name),
        "variants": sorted(surfaces, key=lambda s: (-surfaces[s], s)),
        "roles": [role_surface[k] for k in sorted(roles, key=lambda k: (-roles[k], k))],
        "mentions": [
            {"article": r.article, "start": r.mention["start"], "end": r.mention["end"]}
            for r in sorted(refs, key=lambda r: (r.article, r.mention["start"], r.mention["end"]))
        ],
        "_refs": refs,
        "_key": (cluster.type, canonical, tuple(sorted((r.article, r.mention["start"]) for r in refs))),
    }
