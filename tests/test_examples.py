"""The bundled example corpus (examples/) against its written expectations (expected.json)."""
import json
from pathlib import Path

import pytest

from marsad.ingest.build import build_articles

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
EXPECTED = json.loads((EXAMPLES / "expected.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def articles():
    """Articles keyed as expected.json keys them: file name, or `file.jsonl#record-id`."""
    out = {}
    for a in build_articles([str(EXAMPLES / "corpus")]):
        assert hasattr(a, "text"), str(a)
        if a.source.startswith("https://"):
            for line in (EXAMPLES / "corpus" / "sahel_feed_c2_b3.jsonl").read_text(encoding="utf-8").splitlines():
                rec = json.loads(line)
                if rec["url"] == a.source:
                    out[f"sahel_feed_c2_b3.jsonl#{rec['id']}"] = a
        else:
            out[Path(a.source).name] = a
    return out


def test_every_expected_article_is_ingested(articles):
    assert set(articles) == set(EXPECTED["articles"])


@pytest.mark.parametrize("key", sorted(EXPECTED["articles"]))
def test_article_metadata_and_paragraphs(articles, key):
    a, e = articles[key], EXPECTED["articles"][key]
    for field in ("title", "outlet", "published", "author", "wire"):
        assert getattr(a, field) == e[field], field
    paragraphs = a.text.split("\n\n")
    assert len(paragraphs) == e["paragraphs"] == len(set(paragraphs))


def test_boilerplate_page(articles):
    bp = EXPECTED["boilerplate"]["a2_sada_afp_boilerplate.txt"]
    a2 = articles["a2_sada_afp_boilerplate.txt"]
    for line in bp["removed_lines"]:
        assert line in a2.removed
    for s in bp["clean_text_must_not_contain"]:
        assert s not in a2.text
    for key, lines in EXPECTED["boilerplate"]["masthead_lines_removed"].items():
        for line in lines:
            assert line in articles[key].removed and line not in articles[key].text
    for s in EXPECTED["boilerplate"]["b1_marfa_sokhna.html"]["clean_text_must_not_contain"]:
        assert s not in articles["b1_marfa_sokhna.html"].text


def test_syndicated_pair_keeps_its_paragraphs(articles):
    pair = EXPECTED["syndication"]["pairs"][0]
    a = articles[pair["articles"][0]].text.split("\n\n")
    b = articles[pair["articles"][1]].text.split("\n\n")
    for i, j in pair["identical_paragraphs"]:
        assert a[i - 1] == b[j - 1]


@pytest.fixture(scope="module")
def report():
    import marsad

    return marsad.analyze([str(EXAMPLES / "corpus")])


def _key_of(report, articles):
    ids = {a.id: k for k, a in articles.items()}
    return lambda article_id: ids[article_id]


def test_demo_stories_reuse_disagreement_and_variants(report, articles):
    key = _key_of(report, articles)
    got = sorted(sorted(key(i) for i in s["articles"]) for s in report["stories"])
    assert got == sorted(sorted(s["members"]) for s in EXPECTED["stories"].values())
    pair = EXPECTED["syndication"]["pairs"][0]["articles"]
    assert [sorted(key(i) for i in (p["a"], p["b"])) for p in report["reuse"]] == [sorted(pair)]
    assert report["reuse"][0]["agency"] == "فرانس برس"
    hours = [d for s in report["stories"] for d in s["disagreements"]
             if {p.get("unit") for p in d["positions"]} == {"ساعة"}]
    assert len(hours) == 1 and sorted(p["value"] for p in hours[0]["positions"]) == [7, 9]
    for v in EXPECTED["spelling_variants"]:
        forms = list(v["forms"])
        assert any(all(any(f in x for x in e["variants"]) for f in forms) for e in report["entities"]), forms
