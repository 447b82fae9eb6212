"""The pieces the Spark engine runs on a cluster, checked against the local engine's stages
without Spark: a band join on LSH keys finds the index's pairs and builds the same index;
count-min sketches summed over partitions are the sketch of the whole; story blocks merge
across their edges; the adjusted Rand index."""
import gzip
from itertools import combinations
from pathlib import Path

import numpy as np
import pytest

from marsad.link.reuse import ReuseIndex
from marsad.link.reuse.candidates import bucket_members
from marsad.link.reuse.frequency import CountMinSketch
from marsad.link.stories.agreement import adjusted_rand_index
from marsad.link.stories.blocks import block_keys, merge_blocks

ANT = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "ant" / "ant-v2.1.jsonl.gz"


def test_adjusted_rand_index():
    a = {"1": 0, "2": 0, "3": 1, "4": 1, "5": 2, "6": 2}
    assert adjusted_rand_index(a, a) == 1.0
    assert adjusted_rand_index(a, {k: v + 10 for k, v in a.items()}) == 1.0  # labels are names only
    b = {"1": 0, "2": 0, "3": 1, "4": 2, "5": 2, "6": 2}
    assert adjusted_rand_index(a, b) == pytest.approx(4 / 9)  # sklearn's adjusted_rand_score
    assert adjusted_rand_index({k: k for k in a}, {k: 0 for k in a}) == 0.0


def test_block_keys_give_the_halo_to_the_next_block():
    assert block_keys(5, last_block=3, block_days=10, halo_days=3) == [(0, True)]
    assert block_keys(8, last_block=3, block_days=10, halo_days=3) == [(0, True), (1, False)]
    assert block_keys(38, last_block=3, block_days=10, halo_days=3) == [(3, True)]  # no block after the last
    assert block_keys(None, last_block=3) == [(3, True)]  # undated: last, as arrival order puts them


def test_merge_blocks_joins_stories_through_halo_articles():
    order = {x: i for i, x in enumerate("abcdef")}
    assigned = [
        (0, "a", "sa", True), (0, "b", "sa", True), (0, "c", "sc", True),
        (1, "b", "sb", False), (1, "d", "sb", True),   # b (halo) carries its story on to d
        (1, "e", "se", True), (2, "f", "sf", True),
    ]
    story = merge_blocks(assigned, order)
    assert story == {"a": "sa", "b": "sa", "c": "sc", "d": "sa", "e": "se", "f": "sf"}


def test_count_min_sketches_merge_to_the_sketch_of_all():
    rng = np.random.default_rng(1)
    docs = [np.unique(rng.integers(0, 2**40, 50, dtype=np.uint64)) for _ in range(40)]
    whole, left, right = (CountMinSketch(12) for _ in range(3))
    for i, d in enumerate(docs):
        whole.add(d)
        (left if i % 2 else right).add(d)
    assert np.array_equal(left.merge(right)._table, whole._table)


def test_band_join_finds_the_index_pairs_and_builds_the_same_index(tmp_path):
    """What the Spark engine does per partition and per band key, done here in one process."""
    if not ANT.exists():
        pytest.skip(f"{ANT} is absent")
    from marsad.ingest.build import build_articles
    from marsad.link.reuse.shingling import TokenStream

    path = tmp_path / "ant-head.jsonl"
    with gzip.open(ANT, "rt", encoding="utf-8") as src, open(path, "w", encoding="utf-8") as dst:
        dst.writelines(line for _, line in zip(range(200), src))
    articles = [a for a in build_articles([str(path)]) if hasattr(a, "text")]
    local = ReuseIndex()
    expected = local.add_many(articles)
    assert expected, "no reuse pair in the sample"

    index = ReuseIndex()
    entries = [index.entry(a) for a in articles]
    df = CountMinSketch(index.params.df_width_bits)
    for part in (entries[::2], entries[1::2]):  # two "partitions", summed
        sketch = CountMinSketch(index.params.df_width_bits)
        for e in part:
            sketch.add(index.doc_grams(e))
        df.merge(sketch)
    buckets: dict[tuple, list[int]] = {}
    for n, (a, e) in enumerate(zip(articles, entries)):
        doc, unit = index.band_keys(a.text, TokenStream(e.hashes, *e.offsets()))
        for table, keys in ((0, doc), (1, unit)):
            for k in set(keys.ravel().tolist()):
                buckets.setdefault((table, k), []).append(n)
    buckets = {k: bucket_members(v, index.params.bucket_cap) for k, v in buckets.items()}
    cands: dict[int, set[int]] = {}
    for members in buckets.values():
        for i, j in combinations(members, 2):
            cands.setdefault(j, set()).add(i)
    judge = ReuseIndex.judging_by(df)  # what each Spark task aligns with: the summed frequencies
    found = [p for j in sorted(cands) for p in judge.pairs_with(articles[j], entries[j], [entries[i] for i in sorted(cands[j])])]
    assert found == expected

    tables = [(np.array([k for (t, k), vs in buckets.items() if t == table for _ in vs], np.uint64),
               np.array([v for (t, _), vs in buckets.items() if t == table for v in vs], np.uint32))
              for table in (0, 1)]
    built = ReuseIndex.assemble(entries, tables[0], tables[1], df)
    mine, theirs = built.take_segment(), local.take_segment()
    for key in ("ids", "hashes", "gaps", "lengths", "counts"):
        assert np.array_equal(mine[key], theirs[key]), key
    for keys, vals in (("doc_keys", "doc_vals"), ("unit_keys", "unit_vals")):
        assert sorted(zip(mine[keys].tolist(), mine[vals].tolist())) == sorted(zip(theirs[keys].tolist(), theirs[vals].tolist()))
    assert np.array_equal(built.df_snapshot()["table"], local.df_snapshot()["table"])


def test_arrival_ranks_follow_the_local_engines_batches():
    from types import SimpleNamespace as A

    from marsad.link.stories.blocks import arrival_ranks

    arts = [A(id="a", published="2018-03-02"), A(id="b", published=None), A(id="c", published="2018-03-01"),
            A(id="d", published="2018-01-01")]
    assert arrival_ranks(arts, batch=10) == {"d": 0, "c": 1, "a": 2, "b": 3}
    assert arrival_ranks(arts, batch=2) == {"a": 0, "b": 1, "d": 2, "c": 3}  # batch by batch, each by date


def test_band_join_on_arrays_is_the_band_tables_join():
    """marsad.engines.bands (the Spark engine's band join) keeps what bucket_members keeps and
    gives every two members of a bucket, however the rows are split into shares."""
    from marsad.engines import bands

    rng = np.random.default_rng(3)
    articles = [(n, rng.integers(0, 40, (1, 3)).astype(np.uint64), rng.integers(30, 90, (rng.integers(0, 4), 2)).astype(np.uint64))
                for n in range(300)]
    cap = 5
    expected_buckets: dict[tuple, list[int]] = {}
    for n, doc, unit in articles:
        for table, keys in ((0, doc), (1, unit)):
            for k in set(keys.ravel().tolist()):
                expected_buckets.setdefault((table, k), []).append(n)
    expected_buckets = {k: bucket_members(v, cap) for k, v in expected_buckets.items()}
    expected_pairs = {p for members in expected_buckets.values() for p in combinations(members, 2)}

    rows = bands.band_rows(reversed(articles))  # arrival order of rows does not matter
    kept, found = [], set()
    for _, share in bands.split(rows, 3):
        k = bands.buckets(share, cap)
        kept.append(k)
        found |= set(bands.decode(bands.pairs(k)))
    got: dict[tuple, list[int]] = {}
    for tables, keys, numbers in kept:
        for t, k, n in zip(tables.tolist(), keys.tolist(), numbers.tolist()):
            got.setdefault((t, k), []).append(n)
    assert got == expected_buckets
    assert found == expected_pairs and any(len(v) == cap for v in got.values())
