import json

from marsad.interfaces.cli import main
from marsad.store.sqlite import SQLiteStore

PAGE = (
    "ارتفاع أسعار الوقود للمرة الثانية هذا العام\n\n"
    "رفعت الحكومة أسعار الوقود بنسبة 7 في المئة اعتباراً من منتصف ليل الجمعة، في خطوة هي الثانية منذ بداية العام.\n\n"
    "وقالت وزارة الطاقة في بيان إن القرار يهدف إلى تقليص العجز في الموازنة العامة.\n"
)


def test_reingest_is_a_noop_and_ids_are_stable(tmp_path, capsys):
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "fuel.txt").write_text(PAGE, encoding="utf-8")
    (tmp_path / "copy.txt").write_text(PAGE, encoding="utf-8")
    db = str(tmp_path / "m.db")
    assert main(["ingest", str(tmp_path / "in"), "--db", db]) == 0
    assert "1 new" in capsys.readouterr().err
    assert main(["ingest", str(tmp_path / "in"), str(tmp_path / "copy.txt"), "--db", db]) == 0
    assert "0 new, 1 already stored" in capsys.readouterr().err
    with SQLiteStore(db) as store:
        assert store.count() == 1
    main(["report", "--db", db, "--out", str(tmp_path / "r1.json"), "-q"])
    main(["analyze", str(tmp_path / "copy.txt"), "--out", str(tmp_path / "r2.json"), "-q"])
    r1 = json.loads((tmp_path / "r1.json").read_text(encoding="utf-8"))
    r2 = json.loads((tmp_path / "r2.json").read_text(encoding="utf-8"))
    assert r1["articles"][0]["id"] == r2["articles"][0]["id"]


def test_store_uses_wal_and_keeps_index_segments(tmp_path):
    with SQLiteStore(str(tmp_path / "s.db")) as store:
        assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        store.add_segment("k", 1, b"v1")
        store.add_segment("k", 1, b"v2")
        assert [d for _, d in store.segments("k")] == [b"v1", b"v2"] and not list(store.segments("missing"))
        store.replace_segments("k", 1, b"v3")
        assert [d for _, d in store.segments("k")] == [b"v3"]


def test_analyze_loads_the_corpus_index_once(tmp_path, monkeypatch):
    # the indexes are read from the store at the start of the ingest; the report is a query
    import marsad.link.corpus as corpus

    calls = []
    real = corpus.CorpusIndex.load
    monkeypatch.setattr(corpus.CorpusIndex, "load", classmethod(lambda cls, store: calls.append(1) or real(store)))
    (tmp_path / "a.txt").write_text(
        "افتتاح جسر جديد\n\nافتتح رئيس البلدية صباح اليوم جسراً جديداً بطول 800 متر فوق النهر بعد عامين من الأشغال.\n",
        encoding="utf-8")
    import marsad.interfaces.api as api

    report = api.analyze([str(tmp_path / "a.txt")], db=str(tmp_path / "m.db"))
    assert len(report["articles"]) == 1 and len(report["stories"]) == 1
    assert len(calls) == 1
