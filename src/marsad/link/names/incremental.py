"""Entity links kept up to date in the store as articles arrive.

The batch linker (:func:`marsad.link.names.merge.link`) decides on evidence from every mention
it is given. Here it is given only what a new batch can change:

1. a new mention of a form the store already knows (the same name key, or a bare name listed in
   the alias table) joins that form's entity directly;
2. every other new mention is linked together with the entities it could join or bridge —
   those sharing a spelling-variant block, a surname block or an alias with it (looked up in
   ``entity_keys``) — and the clusters that come out replace those entities. An entity that
   disappears is recorded in ``entity_merges`` (old id → the id that took most of its
   mentions), so links to it can be followed.

An entity's id is the one its mentions imply (:func:`marsad.link.names._entity`: type and
canonical name), as a single run over the same corpus gives it; when more mentions change it,
the entity is renamed and the old id recorded in ``entity_merges`` too.

Entity rows (name, variants, roles, counts, dates) are recomputed from their mentions once per
run for the entities a run touched (``dirty``), not per mention.
"""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from types import SimpleNamespace
from typing import Iterable

from marsad.doc import Article
from marsad.link.names import _entity
from marsad.link.names.aliases import AliasTable, alias_table
from marsad.link.names.merge import TYPES, Cluster, Ref, collect, link
from marsad.store.rollups import fill_entity_stories
from marsad.text.normalize import normalize

_CHUNK = 500


def form_key(ref: Ref) -> str | None:
    """The key under which a mention joins a known entity directly, if any."""
    if ref.group != "PER" or ref.name.full:
        return f"f:{ref.group}:{ref.name.key}"
    if ref.alias is not None:
        return "a:" + ref.alias.id
    return None


def lookup_keys(ref: Ref) -> set[str]:
    """Keys of the entities a mention could join or bridge."""
    name = ref.name
    keys = {f"b:{ref.group}:" + "|".join(map(str, name.block))}
    if ref.alias is not None:
        keys.add("a:" + ref.alias.id)
    if ref.group == "PER":
        keys.add(f"l:{name.suffix}|{name.units[-1].block}")
    return keys


def entity_keys(refs: Iterable[Ref], alias) -> set[str]:
    """Every key an entity is found by (see ``entity_keys`` in schema.sql)."""
    out: set[str] = set()
    for r in refs:
        out |= lookup_keys(r)
        key = form_key(r)
        if key and key.startswith("f:"):
            out.add(key)
        out.add("n:" + normalize(r.name.surface))
    if alias is not None:
        out.add("a:" + alias.id)
    return out


class EntityLinker:
    def __init__(self, db, aliases: AliasTable | None = None):
        self.db = db
        self.aliases = alias_table() if aliases is None else aliases

    # ---- linking new articles ------------------------------------------------------------

    def link(self, articles: list[Article]) -> None:
        """Link the PER/ORG/LOC mentions of newly stored ``articles``."""
        refs = collect(articles, self.aliases)
        if not refs:
            return
        rest: list[Ref] = []
        known = self._entities_by_key({k for r in refs if (k := form_key(r))})
        assigned: list[tuple[str, Ref]] = []
        for r in refs:
            key = form_key(r)
            hits = known.get(key, ()) if key else ()
            if len(hits) == 1:
                assigned.append((next(iter(hits)), r))
            else:
                rest.append(r)
        self._set_entities(assigned)
        if rest:
            self._relink(rest)

    def _relink(self, new: list[Ref]) -> None:
        keys = set().union(*(lookup_keys(r) for r in new))
        affected = sorted(set().union(*self._entities_by_key(keys).values())) if keys else []
        old = self._refs_of(affected)
        old_entity = {(r.article, r.index): e for e, rs in old.items() for r in rs}
        refs = [r for rs in old.values() for r in rs] + new
        story_of = self._stories_of({r.article for r in refs})
        clusters = link(refs, story_of)
        taken: set[str] = set()
        assigned: list[tuple[str, Ref]] = []
        rows: list[tuple[str, Cluster]] = []
        for c in sorted(clusters, key=lambda c: -len(c.refs)):
            votes = Counter(old_entity.get((r.article, r.index)) for r in c.refs)
            votes.pop(None, None)
            keep = [e for e, _ in sorted(votes.items(), key=lambda kv: (-kv[1], kv[0])) if e not in taken]
            entity_id = keep[0] if keep else self._new_id(c, taken)
            taken.add(entity_id)
            rows.append((entity_id, c))
            assigned.extend((entity_id, r) for r in c.refs)
        gone = set(affected) - taken
        if gone:
            self._merge_away(gone, assigned, old_entity)
        # only mentions that changed entity are written: the stored rows and keys of the others
        # stand (rewriting them made each batch cost the size of every entity it touched)
        moved = [(e, r) for e, r in assigned if old_entity.get((r.article, r.index)) != e]
        self._set_entities(moved)
        left = sorted({old_entity[(r.article, r.index)] for _, r in moved
                       if (r.article, r.index) in old_entity} - gone)
        self.db.executemany("UPDATE entities SET dirty=1 WHERE id=?", [(e,) for e in left])  # lost mentions
        for entity_id, c in rows:
            new_refs = [r for r in c.refs if old_entity.get((r.article, r.index)) != entity_id]
            if new_refs:
                self._write_keys(entity_id, new_refs, c.alias)

    def _new_id(self, cluster: Cluster, taken: set[str]) -> str:
        base = _entity(cluster)["id"]
        entity_id, n = base, 0
        while entity_id in taken or self.db.execute("SELECT 1 FROM entities WHERE id=?", (entity_id,)).fetchone():
            n += 1
            entity_id = f"{base}-{n}"
        self.db.execute(
            "INSERT INTO entities (id, type, name, variants, roles, mentions, articles, dirty) "
            "VALUES (?, ?, ?, '[]', '[]', 0, 0, 1)", (entity_id, cluster.type, cluster.refs[0].name.surface))
        return entity_id

    def _merge_away(self, gone: set[str], assigned: list[tuple[str, Ref]], old_entity: dict) -> None:
        from marsad.store.sqlite import now

        went: dict[str, Counter] = defaultdict(Counter)
        for entity_id, r in assigned:
            before = old_entity.get((r.article, r.index))
            if before in gone:
                went[before][entity_id] += 1
        stamp = now()
        for old in sorted(gone):
            if went[old]:
                new = max(went[old], key=lambda e: (went[old][e], e))
                self.db.execute("INSERT OR REPLACE INTO entity_merges (old, new, at) VALUES (?,?,?)", (old, new, stamp))
                self.db.execute("UPDATE entity_merges SET new=? WHERE new=?", (new, old))  # follow chains
            self.db.execute("DELETE FROM entities WHERE id=?", (old,))
            self.db.execute("DELETE FROM entity_keys WHERE entity=?", (old,))

    def _set_entities(self, assigned: list[tuple[str, Ref]]) -> None:
        if not assigned:
            return
        self.db.executemany("UPDATE mentions SET entity=? WHERE article=? AND idx=?",
                            [(e, r.article, r.index) for e, r in assigned])
        self.db.executemany("UPDATE quotes SET speaker=? WHERE article=? AND speaker_mention=?",
                            [(e, r.article, r.index) for e, r in assigned])
        by_entity: dict[str, list[Ref]] = defaultdict(list)
        for e, r in assigned:
            by_entity[e].append(r)
        self.db.executemany("UPDATE entities SET dirty=1 WHERE id=?", [(e,) for e in sorted(by_entity)])
        for e, refs in by_entity.items():  # a directly joined form may bring a new spelling-variant block
            self._write_keys(e, refs, None)

    def _write_keys(self, entity_id: str, refs: Iterable[Ref], alias) -> None:
        self.db.executemany("INSERT OR IGNORE INTO entity_keys (key, entity) VALUES (?, ?)",
                            [(k, entity_id) for k in entity_keys(refs, alias)])

    # ---- reading the store -------------------------------------------------------------------

    def _entities_by_key(self, keys: set[str]) -> dict[str, set[str]]:
        out: dict[str, set[str]] = defaultdict(set)
        keys = sorted(keys)
        for i in range(0, len(keys), _CHUNK):
            part = keys[i:i + _CHUNK]
            for k, e in self.db.execute(
                    f"SELECT key, entity FROM entity_keys WHERE key IN ({','.join('?' * len(part))})", part):
                out[k].add(e)
        return out

    def _refs_of(self, entity_ids: list[str]) -> dict[str, list[Ref]]:
        """The stored mentions of entities as :class:`Ref` (read as the batch linker reads them)."""
        rows_of: dict[str, list[tuple]] = defaultdict(list)
        for i in range(0, len(entity_ids), _CHUNK):
            part = entity_ids[i:i + _CHUNK]
            for row in self.db.execute(
                    "SELECT entity, article, idx, start, end, type, text, extra FROM mentions "
                    f"WHERE entity IN ({','.join('?' * len(part))})", part):
                rows_of[row[1]].append(row)
        articles, owner = [], {}
        for article_id, rows in rows_of.items():
            mentions: list[dict] = [{} for _ in range(max(r[2] for r in rows) + 1)]
            for entity_id, _, idx, start, end, kind, text, extra in rows:
                mentions[idx] = {"start": start, "end": end, "type": kind, "text": text, **json.loads(extra or "{}")}
                owner[(article_id, idx)] = entity_id
            articles.append(SimpleNamespace(id=article_id, mentions=mentions))
        out: dict[str, list[Ref]] = defaultdict(list)
        for r in collect(articles, self.aliases):
            out[owner[(r.article, r.index)]].append(r)
        return out

    def _stories_of(self, article_ids: set[str]) -> dict[str, str]:
        ids, out = sorted(article_ids), {}
        for i in range(0, len(ids), _CHUNK):
            part = ids[i:i + _CHUNK]
            out.update(self.db.execute(
                f"SELECT article, story FROM story_members WHERE article IN ({','.join('?' * len(part))})", part))
        return out

    # ---- entity rows ------------------------------------------------------------------------

    def refresh(self) -> int:
        """Recompute the rows of entities whose mentions changed; returns how many."""
        dirty = [r[0] for r in self.db.execute("SELECT id FROM entities WHERE dirty=1 ORDER BY id")]
        done: list[str] = []  # their ids after renaming
        for i in range(0, len(dirty), _CHUNK):
            part = dirty[i:i + _CHUNK]
            refs = self._refs_of(part)
            for entity_id in part:
                rs = refs.get(entity_id)
                if not rs:
                    for table, column in (("entities", "id"), ("entity_keys", "entity"), ("entity_stories", "entity")):
                        self.db.execute(f"DELETE FROM {table} WHERE {column}=?", (entity_id,))
                    continue
                alias = next((r.alias for r in rs if r.alias), None)
                kind = self.db.execute("SELECT type FROM entities WHERE id=?", (entity_id,)).fetchone()[0]
                if kind not in TYPES or rs[0].group != "PER":
                    votes = Counter(r.type for r in rs)
                    kind = alias.type if alias else max(votes, key=lambda t: (votes[t], t == "ORG"))
                e = _entity(Cluster(rs, alias, kind))
                entity_id = self._rename(entity_id, e["id"])
                first, last = self.db.execute(
                    "SELECT MIN(a.published), MAX(a.published) FROM mentions m JOIN articles a ON a.id=m.article "
                    "WHERE m.entity=?", (entity_id,)).fetchone()
                self.db.execute(
                    "UPDATE entities SET type=?, name=?, latin=?, variants=?, roles=?, mentions=?, articles=?, "
                    "first_published=?, last_published=?, dirty=0 WHERE id=?",
                    (kind, e["name"], e["latin"], json.dumps(e["variants"], ensure_ascii=False),
                     json.dumps(e["roles"], ensure_ascii=False), len(rs), len({r.article for r in rs}),
                     first, last, entity_id))
                self._write_keys(entity_id, rs, alias)
                done.append(entity_id)
        fill_entity_stories(self.db, done)
        return len(dirty)

    def _rename(self, old: str, new: str) -> str:
        """Give an entity the id its mentions imply (the id a single run over the same corpus
        gives it); the old id is recorded as merged into the new one."""
        if new == old or self.db.execute("SELECT 1 FROM entities WHERE id=?", (new,)).fetchone():
            return old
        from marsad.store.sqlite import now

        for sql in ("UPDATE entities SET id=? WHERE id=?", "UPDATE mentions SET entity=? WHERE entity=?",
                    "UPDATE quotes SET speaker=? WHERE speaker=?", "UPDATE entity_keys SET entity=? WHERE entity=?",
                    "UPDATE entity_merges SET new=? WHERE new=?", "UPDATE entity_stories SET entity=? WHERE entity=?"):
            self.db.execute(sql, (new, old))
        self.db.execute("DELETE FROM entity_merges WHERE old=?", (new,))
        self.db.execute("INSERT OR REPLACE INTO entity_merges (old, new, at) VALUES (?,?,?)", (old, new, now()))
        return new
