import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SEEDS = SHARED / "corpus" / "seeds"
SCHEMA = SHARED / "contract" / "report.schema.json"


@pytest.fixture(scope="session")
def seeds_dir():
    if not SEEDS.is_dir():
        pytest.skip("../shared/corpus/seeds is absent")
    return SEEDS


@pytest.fixture(scope="session")
def report_schema():
    from marsad.resources import data_path

    return json.loads(data_path("report.schema.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def seed_articles(seeds_dir):
    """The five seeds as cleaned articles, keyed by their file-name prefix (000 … 004)."""
    from marsad.ingest.build import build_articles

    out = {}
    for a in build_articles([str(seeds_dir)]):
        assert not hasattr(a, "problem"), str(a)
        out[Path(a.source).name[:3]] = a
    return out
