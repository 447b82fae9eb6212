"""Sentence vectors kept per article in the store: a story that grows embeds only its new
member, the same views whether a story was derived in one run or grown over several, plain
bytes that never unpickle, and the v3 → v4 migration."""
from __future__ import annotations

import pickle
import sqlite3
from pathlib import Path

import numpy as np
import pytest

from marsad.interfaces.api import ingest
from marsad.interfaces.cli import main
from marsad.link import corpus
from marsad.link.compare import HashingEmbedder
from marsad.link.compare import vectors as vectors_module
from marsad.link.compare.align import article_parts
from marsad.store.sqlite import SCHEMA_VERSION, SQLiteStore
from marsad.store.vectors import load_vectors, save_vectors

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "corpus"
GENEVA = EXAMPLES / "a3_alofuq_geneva.txt"


class Counting(HashingEmbedder):
    """The hashing embedder, recording every text it is asked to embed."""

    def __init__(self):
        super().__init__(dim=64)
        self.texts: list[str] = []

    def __call__(self, texts):
        self.texts.extend(texts)
        return super().__call__(texts)


@pytest.fixture
def counting(monkeypatch) -> Counting:
    emb = Counting()
    monkeypatch.setattr(corpus, "default_embedder", lambda: emb)
    monkeypatch.setattr(vectors_module, "default_embedder", lambda: emb)
    return emb


def _one_more_paragraph(tmp_path: Path) -> Path:
    """A rewrite of the Geneva article (one paragraph more): it joins that article's story."""
    page = GENEVA.read_text(encoding="utf-8")
    cut = page.index("\n\n", len(page) // 2)
    out = tmp_path / "extra.txt"
    out.write_text(page[:cut] + "\n\nوأكد مصدر دبلوماسي أن جولة جديدة من المحادثات ستعقد الشهر المقبل."
                   + page[cut:], encoding="utf-8")
    return out


def _views(db) -> dict:
    return {r[0]: r[1:] for r in db.execute("SELECT story, summary, claims, disagreements FROM story_views")}


def test_a_growing_story_embeds_only_its_new_article(tmp_path, counting):
    db = str(tmp_path / "s.db")
    with SQLiteStore(db) as store:
        ingest([str(p) for p in sorted(EXAMPLES.iterdir())], store, workers=1)
        stored = store.db.execute("SELECT COUNT(*), MIN(embedder) FROM article_vectors").fetchone()
        compared = store.db.execute("SELECT COUNT(*) FROM story_members m JOIN stories s ON s.id=m.story "
                                    "WHERE s.size > 1").fetchone()[0]
        assert stored == (compared, "hashing-64") and compared > 1
        counting.texts.clear()
        result = ingest([str(_one_more_paragraph(tmp_path))], store, workers=1)
        assert result.new == 1 and result.derived["stories"] == 1
        new = store.get(result.ids[0])
        story = store.db.execute("SELECT story FROM story_members WHERE article=?", (new.id,)).fetchone()[0]
        assert store.db.execute("SELECT size FROM stories WHERE id=?", (story,)).fetchone()[0] > 1
        # the story's other members were read back from the store: only the new article's texts
        assert set(counting.texts) == {text for _, text in article_parts(new).spans(new)}
        assert store.db.execute("SELECT COUNT(*) FROM article_vectors").fetchone()[0] == compared + 1


def test_stored_vectors_give_the_views_a_fresh_derivation_gives(tmp_path, counting):
    files = sorted(EXAMPLES.iterdir())
    with SQLiteStore(str(tmp_path / "grown.db")) as store:
        ingest([str(p) for p in files[:4]], store, workers=1)
        ingest([str(p) for p in files[4:]] + [str(_one_more_paragraph(tmp_path))], store, workers=1)
        grown = _views(store.db)  # the second run read the first run's vectors
        assert store.db.execute("SELECT MAX(size) FROM stories").fetchone()[0] > 2
        store.db.execute("DELETE FROM article_vectors")  # every story derived again from nothing
        store.db.execute("UPDATE stories SET dirty=1")
        store.db.commit()
        counting.texts.clear()
        corpus.refresh(store, workers=1)
        assert counting.texts and _views(store.db) == grown


def test_vectors_round_trip_as_plain_bytes_and_damage_is_skipped(tmp_path):
    with SQLiteStore(str(tmp_path / "s.db")) as store:
        rng = np.random.default_rng(0)
        vecs = rng.standard_normal((5, 8)).astype(np.float16)
        ids = ["a", "a", "a", "b", "b"]
        offsets = np.array([[0, 5], [6, 9], [-1, -1], [0, 3], [4, 8]], np.int32)
        assert save_vectors(store.db, "m", ids, offsets, vecs) == 2
        got_ids, got_offsets, got = load_vectors(store.db, ["b", "a", "c"], "m")
        order = np.lexsort((got_offsets[:, 1], got_offsets[:, 0], got_ids))
        assert [got_ids[i] for i in order] == ["a", "a", "a", "b", "b"]
        assert got.dtype == np.float16 and np.array_equal(got[order], vecs[[2, 0, 1, 3, 4]])
        assert load_vectors(store.db, ["a"], "another model")[0] == []
        store.db.execute("UPDATE article_vectors SET vectors=? WHERE article='a'", (pickle.dumps(object()) + b"x",))
        assert load_vectors(store.db, ["a", "b"], "m")[0] == ["b", "b"]  # a damaged row is embedded again


def test_a_v3_store_gains_the_vector_table(tmp_path, capsys):
    db = tmp_path / "v3.db"
    assert main(["ingest", str(EXAMPLES), "--db", str(db), "-q"]) == 0
    with sqlite3.connect(db) as conn:
        conn.execute("DROP TABLE article_vectors")
        conn.execute("UPDATE meta SET value='3' WHERE key='schema_version'")
    assert main(["migrate", "--db", str(db)]) == 0
    assert f"from schema version 3 to {SCHEMA_VERSION}" in capsys.readouterr().err
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == str(SCHEMA_VERSION)
        assert conn.execute("SELECT COUNT(*) FROM article_vectors").fetchone()[0] == 0
    # the next run that derives a story fills it
    assert main(["ingest", str(_one_more_paragraph(tmp_path)), "--db", str(db), "-q"]) == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM article_vectors").fetchone()[0] > 1
