"""Story merges, and the guard that keeps events of different days apart.

A story is decided one article at a time, so two reports of one event in different words can
open two stories before a third report, close to both, arrives. When an article is the same
event as its chosen story *and* as another candidate (second-stage probability at least
``merge_threshold`` for both), the two stories merge: the older story (the one created first)
keeps its id and takes the other's members; the merge is recorded (``StoryIndex.take_merges``,
the store's ``story_merges`` table) so that a link to the old id still leads to the story.

The guard: no merge makes a story whose members' event days (from their leads,
:mod:`.event`) lie more than ``merge_guard_days`` apart — a bridge between a strike and the
next one a week later is a wrong bridge, however similar the words.
"""
from __future__ import annotations

from marsad.link.stories.features import UNKNOWN_DAY
from marsad.link.stories.index import Rows, Story


def event_spread(rows: Rows, members: list[int]) -> int:
    """Days between the earliest and the latest known event day of ``members`` (0 when < 2 known)."""
    days = [rows.feats[r].lead_day for r in members if rows.feats[r].lead_day != UNKNOWN_DAY]
    return max(days) - min(days) if len(days) > 1 else 0


def merge_candidates(rows: Rows, chosen: Story, scored: list[tuple[Story, float, object]], params: dict) -> list[Story]:
    """Candidates other than ``chosen`` that the article joins too, in order of probability."""
    limit = params.get("merge_threshold", 1.1)
    guard = params.get("merge_guard_days", 3)
    out = []
    for story, p, _ in sorted(scored, key=lambda t: -t[1]):
        if story is chosen or p < limit or not story.rows or not chosen.rows:
            continue
        if event_spread(rows, chosen.rows + story.rows) > guard:
            continue
        out.append(story)
    return out


def merge_stories(rows: Rows, a: Story, b: Story) -> tuple[Story, Story]:
    """Move the members of the younger story into the older one; (kept, emptied)."""
    keep, gone = (a, b) if a.number < b.number else (b, a)
    for r in gone.rows:
        rows.story[r] = keep.number
    merged = sorted(keep.rows + gone.rows)  # arrival order
    keep.rows = []
    keep.lo = keep.hi = UNKNOWN_DAY
    for r in merged:
        keep.add(r, int(rows.day[r]))
    gone.rows = []
    gone.lo = gone.hi = UNKNOWN_DAY
    return keep, gone


def apply_merges(db, merges: list[tuple[str, str]], touched: dict[str, None], stamp: str) -> dict[str, None]:
    """Carry index merges into the store (inside the caller's transaction): the old story's
    members move to the surviving one after its own, its row and view go, ``story_merges``
    records old -> new (earlier merges into the old id are re-pointed, so every old id leads to
    a live story in one step). Returns ``touched`` with merged-away ids replaced by survivors."""
    for old, new in merges:
        offset = db.execute("SELECT COALESCE(MAX(pos) + 1, 0) FROM story_members WHERE story=?", (new,)).fetchone()[0]
        db.execute("UPDATE story_members SET story=?, pos=pos+? WHERE story=?", (new, offset, old))
        db.execute("DELETE FROM stories WHERE id=?", (old,))
        db.execute("DELETE FROM story_views WHERE story=?", (old,))
        # roll-ups: the survivor's outlets are rewritten with it (touched); the entities of the
        # old story are recomputed with their rows (dirty), its stories included
        db.execute("DELETE FROM story_outlets WHERE story=?", (old,))
        db.execute("UPDATE entities SET dirty=1 WHERE id IN (SELECT entity FROM entity_stories WHERE story=?)", (old,))
        db.execute("DELETE FROM entity_stories WHERE story=?", (old,))
        db.execute("UPDATE story_merges SET new=? WHERE new=?", (new, old))
        db.execute("INSERT OR REPLACE INTO story_merges (old, new, at) VALUES (?,?,?)", (old, new, stamp))
        if old in touched:
            del touched[old]
        touched[new] = None
    return touched
