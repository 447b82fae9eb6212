"""The v2 store: migration, round trips, incremental = one run, hostile files, versions,
report filters, crash resume and concurrent ingests."""
from __future__ import annotations

import json
import multiprocessing
import pickle
import shutil
import sqlite3
from pathlib import Path

import pytest

from marsad.doc import Article
from marsad.engines.local import LocalExecutor
from marsad.interfaces.api import analyze, ingest, report_for
from marsad.interfaces.cli import main
from marsad.report import Selection, stream_report
from marsad.store.sqlite import SCHEMA_VERSION, SQLiteStore, StoreVersionError

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples" / "corpus"


def _without_time(report: dict) -> dict:
    return {k: v for k, v in json.loads(json.dumps(report)).items() if k != "generated_at"}


def _stories(report: dict) -> dict[str, list[str]]:
    return {s["id"]: sorted(s["articles"]) for s in report["stories"]}


def _entities(report: dict) -> set:
    return {(e["id"], e["type"], e["name"], tuple(sorted((m["article"], m["start"]) for m in e["mentions"])))
            for e in report["entities"]}


@pytest.fixture(scope="module")
def example_report():
    return _without_time(analyze([str(EXAMPLES)]))


@pytest.fixture(scope="module")
def example_articles() -> list[Article]:
    return [a for a in LocalExecutor().run([str(EXAMPLES)]) if isinstance(a, Article)]


# ---- schema and versions ------------------------------------------------------------------

def test_a_new_store_has_the_current_schema(tmp_path):
    with SQLiteStore(str(tmp_path / "s.db")) as store:
        assert store.meta("schema_version") == str(SCHEMA_VERSION)
        tables = {r[0] for r in store.db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    for table in ("articles", "mentions", "quotes", "numbers", "dates", "entities", "entity_keys", "reuse_pairs",
                  "stories", "story_members", "story_views", "index_segments", "search_articles"):
        assert table in tables


def test_a_store_from_a_newer_version_is_refused(tmp_path, capsys):
    db = str(tmp_path / "s.db")
    with SQLiteStore(db) as store, store.db:
        store.db.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    with pytest.raises(StoreVersionError, match="newer"):
        SQLiteStore(db)
    assert main(["report", "--db", db, "--out", str(tmp_path / "r.json")]) == 2
    assert "newer" in capsys.readouterr().err


def test_a_foreign_sqlite_file_is_refused(tmp_path):
    db = str(tmp_path / "other.db")
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE customers (name TEXT)")
    with pytest.raises(StoreVersionError, match="not a Marsad store"):
        SQLiteStore(db)


class _Payload:
    """Unpickling this runs code: it writes a marker file."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (Path(self.marker), "pwned"))


def _v1_store(path: Path, articles: list[Article], marker: Path) -> None:
    """A store as the first Marsad wrote it: JSON documents and a pickled blob of links."""
    with sqlite3.connect(path) as conn:
        conn.executescript("""
            CREATE TABLE articles (seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE,
                source TEXT NOT NULL, outlet TEXT, published TEXT, added_at TEXT NOT NULL, doc TEXT NOT NULL);
            CREATE TABLE state (key TEXT PRIMARY KEY, value BLOB NOT NULL);""")
        for a in articles:
            doc = {k: v for k, v in a.to_dict().items() if k != "source_id"}
            conn.execute("INSERT INTO articles (id, source, outlet, published, added_at, doc) VALUES (?,?,?,?,?,?)",
                         (a.id, a.source, a.outlet, a.published, "2026-01-01T00:00:00+00:00",
                          json.dumps(doc, ensure_ascii=False)))
        conn.execute("INSERT INTO state VALUES ('corpus/v1', ?)", (pickle.dumps(_Payload(str(marker))),))


def test_a_v1_store_migrates_forward_without_unpickling(tmp_path, example_articles, example_report, capsys):
    db, marker = tmp_path / "old.db", tmp_path / "pwned"
    _v1_store(db, example_articles, marker)
    assert main(["report", "--db", str(db), "--out", str(tmp_path / "r.json"), "-q"]) == 0
    assert "migrating the store from schema version 1" in capsys.readouterr().err
    assert not marker.exists()
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert _stories(report) == _stories(example_report)
    assert _entities(report) == _entities(example_report)
    assert [a["id"] for a in report["articles"]] == [a["id"] for a in example_report["articles"]]
    with SQLiteStore(str(db)) as store:
        assert store.meta("schema_version") == str(SCHEMA_VERSION)
    assert main(["migrate", "--db", str(db)]) == 0
    assert "migrating" not in capsys.readouterr().err  # once only


def _rollups(conn) -> tuple[list, list]:
    return (conn.execute("SELECT outlet, story, articles, size, first_published, last_published FROM story_outlets "
                         "ORDER BY outlet, story").fetchall(),
            conn.execute("SELECT entity, story, articles FROM entity_stories ORDER BY entity, story").fetchall())


def _rollups_recomputed(conn) -> tuple[list, list]:
    """The roll-up tables as their definition computes them from the links."""
    return (conn.execute("SELECT a.outlet, m.story, count(*), s.size, s.first_published, s.last_published "
                         "FROM story_members m JOIN articles a ON a.id = m.article JOIN stories s ON s.id = m.story "
                         "WHERE a.outlet IS NOT NULL GROUP BY a.outlet, m.story ORDER BY 1, 2").fetchall(),
            conn.execute("SELECT m.entity, s.story, count(DISTINCT m.article) FROM mentions m JOIN story_members s "
                         "ON s.article = m.article WHERE m.entity IS NOT NULL GROUP BY 1, 2 ORDER BY 1, 2").fetchall())


def test_a_v2_store_gains_the_rollup_tables(tmp_path, capsys):
    db = tmp_path / "v2.db"
    assert main(["ingest", str(EXAMPLES), "--db", str(db), "-q"]) == 0
    with sqlite3.connect(db) as conn:
        expected = _rollups_recomputed(conn)
        assert _rollups(conn) == expected and all(expected)
        conn.execute("DROP TABLE story_outlets")
        conn.execute("DROP TABLE entity_stories")
        conn.execute("UPDATE meta SET value='2' WHERE key='schema_version'")
    assert main(["migrate", "--db", str(db)]) == 0
    assert "from schema version 2 to" in capsys.readouterr().err
    with sqlite3.connect(db) as conn:
        assert _rollups(conn) == expected
        assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == str(SCHEMA_VERSION)


def test_a_hostile_store_file_runs_nothing(tmp_path, capsys):
    # a pickle payload in every blob and JSON column a store has: opening, reporting, ingesting
    # more and serving reads never execute it
    db, marker = tmp_path / "s.db", tmp_path / "pwned"
    assert main(["ingest", str(EXAMPLES / "a1_almadar_afp.txt"), "--db", str(db), "-q"]) == 0
    payload = pickle.dumps(_Payload(str(marker)))
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE index_segments SET data=?", (payload,))
        conn.execute("UPDATE articles SET removed=?, wire=?", (payload, payload))
        conn.execute("UPDATE story_views SET claims=?", (payload,))
        conn.execute("INSERT INTO index_segments (name, seq, format, data) VALUES ('stories', 99, 3, ?)", (payload,))
    for argv in (["report", "--db", str(db), "--out", str(tmp_path / "r.json"), "-q"],
                 ["ingest", str(EXAMPLES / "a2_sada_afp_boilerplate.txt"), "--db", str(db), "-q"]):
        assert main(argv) in (0, 2)  # read as data: damaged JSON is an error naming the store
        assert not marker.exists()
    assert "s.db: the store is damaged" in capsys.readouterr().err


# ---- round trips ------------------------------------------------------------------------

def test_articles_and_layers_round_trip_exactly(tmp_path, example_articles):
    with SQLiteStore(str(tmp_path / "s.db")) as store:
        assert store.add_many(example_articles) == len(example_articles)
        assert store.add_many(example_articles) == 0
        for a in example_articles:
            back = store.get(a.id)
            assert back.to_dict() == a.to_dict()


def test_the_same_report_before_and_after_a_store_round_trip(tmp_path, example_report):
    db = tmp_path / "s.db"
    assert main(["ingest", str(EXAMPLES), "--db", str(db), "-q"]) == 0
    copy = tmp_path / "copy.db"
    with SQLiteStore(str(db)) as store:
        store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    shutil.copy(db, copy)
    assert main(["report", "--db", str(copy), "--out", str(tmp_path / "r.json"), "-q"]) == 0
    streamed = _without_time(json.loads((tmp_path / "r.json").read_text(encoding="utf-8")))
    with SQLiteStore(str(copy)) as store:
        built = _without_time(report_for(store))
    with SQLiteStore(str(copy), readonly=True) as store:  # as the server reads it: no write at all
        served = _without_time(json.loads("".join(stream_report(store.db, Selection()))))
        assert store.db.execute("PRAGMA query_only").fetchone()[0] == 1
    assert streamed == built == served == example_report


# ---- incremental --------------------------------------------------------------------------

def test_incremental_ingest_equals_one_run(tmp_path, example_report):
    files = sorted(EXAMPLES.iterdir())
    db = str(tmp_path / "inc.db")
    for part in (files[:3], files[3:6], files[6:]):
        with SQLiteStore(db) as store:
            result = ingest([str(p) for p in part], store)
            assert result.ok
    with SQLiteStore(db) as store:
        incremental = _without_time(report_for(store))
        assert store.db.execute("SELECT COUNT(*) FROM stories WHERE dirty=1").fetchone()[0] == 0
        assert _rollups(store.db) == _rollups_recomputed(store.db)  # kept up to date batch by batch
    assert _stories(incremental) == _stories(example_report)
    assert _entities(incremental) == _entities(example_report)
    assert incremental["reuse"] == example_report["reuse"]
    assert {s["id"]: s["claims"] for s in incremental["stories"]} == {s["id"]: s["claims"] for s in example_report["stories"]}


def test_a_second_run_recomputes_only_the_stories_it_touches(tmp_path):
    files = sorted(EXAMPLES.iterdir())
    db = str(tmp_path / "s.db")
    with SQLiteStore(db) as store:
        ingest([str(p) for p in files], store)
        before = dict(store.db.execute("SELECT story, computed_at FROM story_views"))
        store.db.execute("UPDATE story_views SET computed_at='untouched'")
        store.db.commit()
        extra = tmp_path / "extra.txt"
        page = (EXAMPLES / "a3_alofuq_geneva.txt").read_text(encoding="utf-8")
        cut = page.index("\n\n", len(page) // 2)  # one more paragraph inside the body
        extra.write_text(page[:cut] + "\n\nوأكد مصدر دبلوماسي أن جولة جديدة من المحادثات ستعقد الشهر المقبل."
                         + page[cut:], encoding="utf-8")
        result = ingest([str(extra)], store)
        assert result.new == 1 and result.derived["stories"] == 1
        after = dict(store.db.execute("SELECT story, computed_at FROM story_views"))
    assert set(after) == set(before)
    assert sorted(after.values()).count("untouched") == len(before) - 1


def test_a_killed_run_resumes_where_it_stopped(tmp_path, monkeypatch, example_report):
    import marsad.interfaces.api as api

    db = str(tmp_path / "s.db")
    real, calls = api.link_batch, []

    def dies_on_the_third_batch(store, index, articles):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt  # as a kill would stop it
        return real(store, index, articles)

    monkeypatch.setattr(api, "link_batch", dies_on_the_third_batch)
    with SQLiteStore(db) as store, pytest.raises(KeyboardInterrupt):
        ingest([str(EXAMPLES)], store, batch=2)
    with SQLiteStore(db) as store:
        assert store.count() == 4  # two batches stored with their links, the third not at all
        assert not store.unlinked_ids()
    monkeypatch.setattr(api, "link_batch", real)
    with SQLiteStore(db) as store:
        result = ingest([str(EXAMPLES)], store, batch=2)
        assert result.new == 4
        report = _without_time(report_for(store))
    assert _stories(report) == _stories(example_report)
    assert _entities(report) == _entities(example_report)


def _ingest_part(db: str, paths: list[str]) -> None:
    with SQLiteStore(db) as store:
        ingest(paths, store, batch=1)


def test_two_concurrent_ingests_lose_nothing(tmp_path, example_report):
    files = [str(p) for p in sorted(EXAMPLES.iterdir())]
    db = str(tmp_path / "s.db")
    SQLiteStore(db).close()
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_ingest_part, args=(db, part)) for part in (files[0::2], files[1::2])]
    for p in procs:
        p.start()
    for p in procs:
        p.join(300)
        assert p.exitcode == 0
    with SQLiteStore(db) as store:
        assert store.count() == len(example_report["articles"])
        assert not store.unlinked_ids()
        report = _without_time(report_for(store))
        members = [a for s in report["stories"] for a in s["articles"]]
    assert sorted(members) == sorted(a["id"] for a in example_report["articles"])  # each in one story
    assert {(p["a"], p["b"]) for p in report["reuse"]} == {(p["a"], p["b"]) for p in example_report["reuse"]}
    mentioned = {(m["article"], m["start"]) for e in report["entities"] for m in e["mentions"]}
    assert mentioned == {(m["article"], m["start"]) for e in example_report["entities"] for m in e["mentions"]}


# ---- report filters and source ids ----------------------------------------------------------

def test_a_selection_s_entities_are_the_whole_report_s_restricted_to_it(tmp_path, example_report):
    db = str(tmp_path / "s.db")
    assert main(["ingest", str(EXAMPLES), "--db", db, "-q"]) == 0
    chosen = {a["id"] for a in example_report["articles"][1::2]}
    expected = []
    for e in example_report["entities"]:
        mentions = [m for m in e["mentions"] if m["article"] in chosen]
        if mentions:
            expected.append({**e, "mentions": mentions})
    expected.sort(key=lambda e: (-len(e["mentions"]), e["type"], e["id"]))
    with SQLiteStore(db) as store:
        assert report_for(store, ids=sorted(chosen))["entities"] == expected
        by_story = report_for(store, selection=Selection(story=example_report["stories"][0]["id"]))
    assert {m["article"] for e in by_story["entities"] for m in e["mentions"]} <= set(example_report["stories"][0]["articles"])



def test_report_filters(tmp_path, example_report):
    db = str(tmp_path / "s.db")
    assert main(["ingest", str(EXAMPLES), "--db", db, "-q"]) == 0
    story = max(example_report["stories"], key=lambda s: len(s["articles"]))
    out = tmp_path / "story.json"
    assert main(["report", "--db", db, "--out", str(out), "--story", story["id"], "-q"]) == 0
    one = json.loads(out.read_text(encoding="utf-8"))
    assert [s["id"] for s in one["stories"]] == [story["id"]]
    assert sorted(a["id"] for a in one["articles"]) == sorted(story["articles"])
    assert all(q["article"] in story["articles"] for q in one["quotes"])
    dated = sorted(a["published"] for a in example_report["articles"] if a["published"])
    day = dated[len(dated) // 2]
    with SQLiteStore(db) as store:
        since = report_for(store, selection=Selection(since=day))
        until = report_for(store, selection=Selection(until=day))
        outlet = example_report["articles"][0]["outlet"]
        by_outlet = report_for(store, selection=Selection(outlet=outlet))
    assert all(a["published"] >= day for a in since["articles"]) and since["articles"]
    assert all(a["published"] <= day for a in until["articles"]) and until["articles"]
    assert {a["outlet"] for a in by_outlet["articles"]} == {outlet}
    with pytest.raises(SystemExit):
        main(["report", "--db", db, "--out", str(out), "--since", "not-a-date"])


def test_jsonl_record_ids_are_kept(tmp_path):
    page = (EXAMPLES / "a1_almadar_afp.txt").read_text(encoding="utf-8")
    path = tmp_path / "records.jsonl"
    path.write_text(json.dumps({"id": "rec-42", "outlet": "Test", "text": page}, ensure_ascii=False) + "\n"
                    + json.dumps({"id": 7, "text": page + "\n\nوأضاف مصدر آخر تفاصيل جديدة."}, ensure_ascii=False) + "\n",
                    encoding="utf-8")
    report = analyze([str(path)])
    assert [a["source_id"] for a in report["articles"]] == ["rec-42", "7"]
    with SQLiteStore(str(tmp_path / "s.db")) as store:
        ingest([str(path)], store)
        assert store.db.execute("SELECT COUNT(*) FROM articles WHERE source_id='rec-42'").fetchone()[0] == 1


def test_resetting_the_links_empties_every_link_table(tmp_path):
    from marsad.link.corpus import reset_links

    db = str(tmp_path / "r.db")
    with SQLiteStore(db) as store:
        assert ingest([str(EXAMPLES)], store).ok
        reset_links(store)
        links = ("index_segments", "reuse_pairs", "stories", "story_members", "story_views", "story_merges",
                 "story_outlets", "entities", "entity_keys", "entity_merges", "entity_stories")
        assert {t: store.db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in links} == dict.fromkeys(links, 0)
        assert store.db.execute("SELECT count(*) FROM mentions WHERE entity IS NOT NULL").fetchone()[0] == 0
