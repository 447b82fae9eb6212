import json

import jsonschema
import pytest

import marsad
from marsad.doc import check_spans
from tests.conftest import SCHEMA


def test_packaged_schema_is_the_contract(report_schema):
    if not SCHEMA.exists():
        pytest.skip("../shared/contract is absent")
    assert json.loads(SCHEMA.read_text(encoding="utf-8")) == report_schema


def test_seed_report_is_valid_and_complete(seeds_dir, report_schema, tmp_path):
    report = marsad.analyze([str(seeds_dir)])
    jsonschema.validate(report, report_schema)
    for key in ("articles", "entities", "quotes", "numbers", "dates", "reuse", "stories"):
        assert isinstance(report[key], list)
    assert len(report["articles"]) == 5
    again = marsad.analyze([str(seeds_dir)])
    assert [a["id"] for a in again["articles"]] == [a["id"] for a in report["articles"]]
    path = tmp_path / "r.json"
    report.write(str(path))
    assert json.loads(path.read_text(encoding="utf-8"))["schema"] == "marsad.report/1"


def test_every_span_in_the_seed_report_indexes_its_article(seeds_dir):
    report = marsad.analyze([str(seeds_dir)])
    texts = {a["id"]: a["text"] for a in report["articles"]}
    for layer in ("quotes", "numbers", "dates"):
        for item in report[layer]:
            assert texts[item["article"]][item["start"]:item["end"]] == item["text"]
    for entity in report["entities"]:
        for m in entity["mentions"]:
            assert 0 <= m["start"] < m["end"] <= len(texts[m["article"]])
    for pair in report["reuse"]:
        for p in pair["passages"]:
            assert p["a_end"] <= len(texts[pair["a"]]) and p["b_end"] <= len(texts[pair["b"]])


def test_check_spans_catches_a_wrong_offset():
    a = marsad.Article(id="x", source="x", text="قال الوزير", numbers=[{"start": 0, "end": 3, "text": "قول"}])
    assert check_spans(a)
    a.numbers[0]["text"] = "قال"
    assert not check_spans(a)
