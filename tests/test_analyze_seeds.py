"""`marsad analyze ../shared/corpus/seeds` end to end: the done-checks that need every stage."""
from pathlib import Path

import jsonschema
import pytest

import marsad


@pytest.fixture(scope="module")
def report(seeds_dir):
    return marsad.analyze([str(seeds_dir)])


@pytest.fixture(scope="module")
def by_seed(report):
    return {Path(a["source"]).name[:3]: a for a in report["articles"]}


def test_valid_against_the_contract(report, report_schema):
    jsonschema.validate(report, report_schema)


def test_two_stories_december_talks_and_the_august_meeting(report, by_seed):
    groups = sorted(sorted(k for k, a in by_seed.items() if a["id"] in s["articles"]) for s in report["stories"])
    assert groups == [["000", "001", "003", "004"], ["002"]]


def test_only_000_and_003_share_wire_copy(report, by_seed):
    pairs = [{p["a"], p["b"]} for p in report["reuse"]]
    assert pairs == [{by_seed["000"]["id"], by_seed["003"]["id"]}]
    assert report["reuse"][0]["kind"] == "syndicated" and report["reuse"][0]["shared_chars"] > 800


def test_publication_dates_from_the_story(by_seed):
    assert (by_seed["001"]["published"], by_seed["001"]["published_source"]) == ("2025-12-03", "text")
    for k in ("000", "003", "004"):
        assert (by_seed[k]["published"], by_seed[k]["published_source"]) == ("2025-12-03", "story"), k
    assert by_seed["002"]["published"] is None


def test_timeline_and_dates(report, by_seed):
    december = next(s for s in report["stories"] if by_seed["001"]["id"] in s["articles"])
    days = [t["date"] for t in december["timeline"]]
    assert days == sorted(days) and "2025-12-02" in days and "2025-12-03" in days
    august = [d for d in report["dates"] if d["article"] == by_seed["002"]["id"]]
    assert not any(d["date"].startswith("2025-12") for d in august)


def test_december_summary_claims_and_disagreement(report, by_seed):
    december = next(s for s in report["stories"] if by_seed["001"]["id"] in s["articles"])
    assert len(december["summary"]) >= 5
    assert len({a for s in december["summary"] for a in s["articles"]}) >= 3
    no_deal = [c for c in december["claims"] if by_seed["000"]["id"] in c["articles"] and by_seed["003"]["id"] in c["articles"]
               and "تسوية" in c["text"]]
    assert no_deal and all(c["independent_sources"] <= len(c["articles"]) - 1 for c in no_deal)
    war = [d for d in december["disagreements"]
           if {by_seed["000"]["id"], by_seed["004"]["id"]} <= {a for p in d["positions"] for a in p["articles"]}
           and any("سنة" == p.get("unit") for p in d["positions"])]
    assert war


def test_people_and_variants(report):
    people = [e for e in report["entities"] if e["type"] == "PER"]
    assert len(people) > 20
    variants = {frozenset(e["variants"]) for e in people}
    for a, b in (("ترمب", "ترامب"), ("فولوديمير زيلينسكي", "فولوديمير زيلنسكي"),
                 ("دميتري مدفيديف", "دميتري ميدفيديف"), ("ديمتري بيسكوف", "دميتري بيسكوف")):
        assert any(a in v and b in v for v in variants), (a, b)
    assert not any(e["name"] == "Ali Hussain" for e in people)  # the author bio is not content
    names = {e["name"] for e in people}
    # a capital run into a surname ("ويطالب بوتين كييف") and a region in a subhead are not people
    assert not any("كييف" in n or "لوغانسك" in n for n in names), sorted(names)
    roles = {e["name"]: e["roles"] for e in people}
    # "مساعد الرئيس الروسي فلاديمير بوتين": the aide's role is not Putin's
    assert "الرئيس الروسي" in roles["فلاديمير بوتين"]
    assert not any(r.startswith(("مساعد", "مستشار")) for r in roles["فلاديمير بوتين"])
    assert not any(r.startswith(("المبعوث", "صهر")) for r in roles["دونالد ترمب"])


def test_quotes_have_speakers(report):
    assert len(report["quotes"]) >= 40
    assert sum(1 for q in report["quotes"] if q["speaker"]) >= 0.8 * len(report["quotes"])
