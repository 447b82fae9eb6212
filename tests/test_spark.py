"""The Spark engine: the same stages, the same results as the local engine.

Run as a user runs it — the ``marsad`` command in a subprocess, no ``PYSPARK_*`` variable set —
on the first ANT articles (read from ../shared), and compared with the local engine."""
import gzip
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from marsad.engines.local import LocalExecutor

pyspark = pytest.importorskip("pyspark", reason="pyspark is not installed (pip install -e '.[spark]')")
if shutil.which("java") is None:
    pytest.skip("Spark needs a Java 17+ runtime (java is not on the PATH)", allow_module_level=True)

ROOT = Path(__file__).resolve().parents[1]
ANT = ROOT.parent / "shared" / "corpus" / "ant" / "ant-v2.1.jsonl.gz"
N_ANT = 120  # Feb.–Apr. 2018: several story blocks (merging across block edges is tested), 4 reuse pairs


def user_env() -> dict:
    """The environment a user's shell gives: ours, without any PYSPARK_* variable."""
    return {k: v for k, v in os.environ.items() if not k.startswith("PYSPARK")}


def marsad_command() -> list[str]:
    script = Path(sys.executable).with_name("marsad")
    return [str(script)] if script.exists() else [sys.executable, "-m", "marsad.interfaces.cli"]


@pytest.fixture
def spark():
    from marsad.engines.spark import spark_session

    session = spark_session("local[2]", conf={"spark.ui.enabled": "false"})
    yield session
    session.stop()


def test_spark_matches_local(spark, tmp_path):
    from marsad.engines.spark import SparkExecutor

    examples = str(ROOT / "examples" / "corpus")
    (tmp_path / "empty.txt").write_bytes(b"")
    paths = [examples, str(tmp_path / "empty.txt")]
    local = list(LocalExecutor().run(paths))
    distributed = list(SparkExecutor(spark, chunk=3).run(paths))
    key = lambda x: getattr(x, "id", "") or str(x)  # noqa: E731
    assert sorted(map(key, distributed)) == sorted(map(key, local))
    by_id = {a.id: a for a in local if hasattr(a, "id")}
    for a in distributed:
        if hasattr(a, "id"):
            assert a.to_dict() == by_id[a.id].to_dict()
    assert sum(1 for a in distributed if not hasattr(a, "id")) == 1


N_NEXT = 40  # ingested afterwards, incrementally, into the store the Spark engine built


@pytest.fixture(scope="module")
def ant_head(tmp_path_factory):
    if not ANT.exists():
        pytest.skip(f"{ANT} is absent")
    folder = tmp_path_factory.mktemp("ant")
    path, rest = folder / f"ant-head{N_ANT}.jsonl", folder / "ant-next.jsonl"
    with gzip.open(ANT, "rt", encoding="utf-8") as src:
        with open(path, "w", encoding="utf-8") as dst:
            dst.writelines(line for _, line in zip(range(N_ANT), src))
        with open(rest, "w", encoding="utf-8") as dst:
            dst.writelines(line for _, line in zip(range(N_NEXT), src))
    return path


def _stories(report: dict) -> dict[str, str]:
    return {a: s["id"] for s in report["stories"] for a in s["articles"]}


def test_cli_spark_engine_matches_local(ant_head, tmp_path):
    """`marsad analyze --engine spark --master local[2]` works as typed and gives the local
    engine's articles, entities and reuse pairs, and equivalent stories."""
    import json

    import marsad
    from marsad.link.stories.agreement import adjusted_rand_index
    from marsad.link.stories.blocks import BLOCK_DAYS, day_number

    out, db, local_db = tmp_path / "spark.json", tmp_path / "spark.db", tmp_path / "local.db"
    run = subprocess.run(
        marsad_command() + ["analyze", str(ant_head), "--engine", "spark", "--master", "local[2]",
                            "--out", str(out), "--db", str(db), "-q"],
        env=user_env(), capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    spark = json.loads(out.read_text(encoding="utf-8"))
    local = marsad.analyze([str(ant_head)], db=str(local_db))

    assert [a["id"] for a in spark["articles"]] == [a["id"] for a in local["articles"]]
    assert len({day_number(a["published"]) // BLOCK_DAYS for a in local["articles"] if a["published"]}) > 1
    entity = lambda e: json.dumps(e, sort_keys=True, ensure_ascii=False)  # noqa: E731
    assert sorted(map(entity, spark["entities"])) == sorted(map(entity, local["entities"]))
    pair = lambda p: (p["a"], p["b"], p["kind"], p["shared_chars"], p["agency"])  # noqa: E731
    assert {pair(p) for p in spark["reuse"]} == {pair(p) for p in local["reuse"]}
    assert local["reuse"], "no reuse pair to compare"
    assert adjusted_rand_index(_stories(spark), _stories(local)) >= 0.95

    # the store the Spark engine built holds the corpus indexes: the next articles link to it
    # as they link to the local engine's store
    from marsad.interfaces.api import ingest, report_for
    from marsad.store.sqlite import SQLiteStore

    reports = []
    for path in (db, local_db):
        with SQLiteStore(str(path)) as store:
            ingest([str(ant_head.with_name("ant-next.jsonl"))], store, workers=1)
            reports.append(json.loads(json.dumps(report_for(store))))
    for report in reports:
        report.pop("generated_at")
    assert len(reports[0]["articles"]) > N_ANT and reports[0] == reports[1]


def test_parquet_round_trip(spark, tmp_path):
    """A store's tables go to Parquet and back into a new store unchanged, full-text search
    included, so `marsad serve` serves a build written as Parquet."""
    import sqlite3

    import marsad
    from marsad.store.parquet import _has_rowid, export_parquet, load_parquet, tables
    from marsad.store.search import search
    from marsad.store.sqlite import SQLiteStore

    built, loaded = str(tmp_path / "built.db"), str(tmp_path / "loaded.db")
    marsad.analyze([str(ROOT / "examples" / "corpus")], db=built, workers=1)
    with SQLiteStore(built) as store:
        written = export_parquet(store, str(tmp_path / "pq"), spark)
    assert written["articles"] > 0 and written["story_views"] > 0
    with SQLiteStore(loaded) as store:
        assert load_parquet(str(tmp_path / "pq"), store, spark)["articles"] == written["articles"]
        with pytest.raises(ValueError, match="new store"):
            load_parquet(str(tmp_path / "pq"), store, spark)
    a, b = sqlite3.connect(built), sqlite3.connect(loaded)
    for table in tables(a):
        cols = "rowid, *" if _has_rowid(a, table) else "*"
        where = " WHERE key != 'schema_version'" if table == "meta" else ""
        rows = lambda db: db.execute(f"SELECT {cols} FROM {table}{where} ORDER BY 1, 2").fetchall()  # noqa: E731
        assert rows(a) == rows(b), table
    word = a.execute("SELECT title FROM articles WHERE title != '' LIMIT 1").fetchone()[0].split()[0]
    assert search(b, word)["results"] and search(b, word) == search(a, word)
