"""Bad input: one clear line naming the file (and line) and the problem; the rest goes on."""
import json

import pytest

from marsad.interfaces.cli import main
from marsad.store.sqlite import SQLiteStore

GOOD = (
    "افتتاح جسر جديد فوق النهر\n\n"
    "افتتح رئيس البلدية صباح اليوم الأحد جسراً جديداً يربط ضفتي النهر بطول 800 متر، بعد عامين من الأشغال.\n\n"
    "وقال المهندس المسؤول عن المشروع إن الجسر سيخفف الازدحام في وسط المدينة بنسبة كبيرة.\n"
)


@pytest.fixture
def inputs(tmp_path):
    (tmp_path / "good.txt").write_text(GOOD, encoding="utf-8")
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "blank.txt").write_bytes(b"  \n\n ")
    (tmp_path / "binary.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (tmp_path / "garbled.txt").write_bytes("نص عربي سليم ".encode("utf-8") * 20 + b"\xff\xfe\xfa" + "ثم نص".encode("utf-8"))
    (tmp_path / "nothing.html").write_text("<html><head><title>x</title></head><body><nav>menu</nav></body></html>", encoding="utf-8")
    rec = {"id": "1", "title": "خبر", "text": GOOD.split("\n\n", 1)[1]}
    (tmp_path / "records.jsonl").write_text(
        json.dumps(rec, ensure_ascii=False) + "\n{not json\n" + json.dumps({"id": "2"}) + "\n", encoding="utf-8"
    )
    return tmp_path


def test_each_bad_input_is_named_and_the_rest_is_processed(inputs, tmp_path, capsys):
    out = tmp_path / "r.json"
    code = main(["analyze", str(inputs), str(inputs / "missing.txt"), "--out", str(out), "--quiet"])
    assert code == 0
    err = capsys.readouterr().err
    expect = {
        "empty.txt": "empty file",
        "blank.txt": "empty file",
        "binary.txt": "binary file",
        "garbled.txt": "undecodable bytes",
        "nothing.html": "no article text",
        "records.jsonl:2": "malformed JSON",
        "records.jsonl:3": "no 'text' or 'html'",
        "missing.txt": "no such file or directory",
    }
    lines = err.strip().splitlines()
    for where, problem in expect.items():
        assert any(where in ln and problem in ln for ln in lines), (where, problem, err)
    assert "2 article(s) read" in err and "8 input(s) with errors" in err
    report = json.loads(out.read_text(encoding="utf-8"))
    assert len(report["articles"]) == 2


def test_exit_status_is_nonzero_only_when_nothing_was_ingested(tmp_path, capsys):
    (tmp_path / "empty.txt").write_bytes(b"")
    assert main(["ingest", str(tmp_path / "empty.txt"), "--db", str(tmp_path / "x.db"), "-q"]) == 1
    assert "empty.txt: empty file" in capsys.readouterr().err


def test_bad_input_never_loses_what_is_stored(inputs, tmp_path):
    db = str(tmp_path / "store.db")
    assert main(["ingest", str(inputs / "good.txt"), "--db", db, "-q"]) == 0
    assert main(["ingest", str(inputs / "binary.txt"), str(inputs / "empty.txt"), "--db", db, "-q"]) == 1
    with SQLiteStore(db) as store:
        assert store.count() == 1
        assert next(store.articles()).title == "افتتاح جسر جديد فوق النهر"


def test_unreadable_corpus_links_are_rebuilt_not_fatal(inputs, tmp_path, capsys):
    # index segments that no longer load (another version, a damaged file): rebuilt from the articles
    from marsad.interfaces.api import report_for

    db = tmp_path / "m.db"
    assert main(["ingest", str(inputs / "good.txt"), "--db", str(db), "--quiet"]) == 0
    with SQLiteStore(str(db)) as store:
        ids = store.ids()
        with store.db:
            store.db.execute("UPDATE index_segments SET data=?", (b"\x80\x05not an array archive",))
            store.db.execute("UPDATE articles SET linked=0")  # as if a run had stopped before linking
    capsys.readouterr()
    with SQLiteStore(str(db)) as store:
        report = report_for(store)
        assert store.ids() == ids  # the articles are untouched
        assert all(d != b"\x80\x05not an array archive" for _, d in store.segments("reuse"))
    assert [a["id"] for a in report["articles"]] == ids
    assert len(report["stories"]) == 1 and report["stories"][0]["articles"] == ids
    err = capsys.readouterr().err
    assert "m.db" in err and "rebuilding" in err
    # the next command reads the rebuilt links silently
    assert main(["report", "--db", str(db), "--out", str(tmp_path / "r.json"), "--quiet"]) == 0
    assert "rebuilding" not in capsys.readouterr().err
