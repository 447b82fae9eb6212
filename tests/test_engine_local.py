"""The local engine: a pool of worker processes gives what one process gives, in input order,
with bad inputs in their places, reading no further ahead than a few chunks."""
import json
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

import marsad
from marsad.engines import local
from marsad.engines.local import LocalExecutor
from marsad.runtime import _THREAD_ENV, limit_threads

from .conftest import SEEDS

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "corpus"


@pytest.fixture(scope="module")
def paths(tmp_path_factory):
    """The examples, the seeds when present, and two bad inputs among them."""
    tmp = tmp_path_factory.mktemp("engine")
    (tmp / "empty.txt").write_bytes(b"")
    good = (EXAMPLES / "sahel_feed_c2_b3.jsonl").read_text(encoding="utf-8").splitlines()
    (tmp / "mixed.jsonl").write_text("\n".join([good[0], "{not json", *good[1:]]) + "\n", encoding="utf-8")
    return [str(EXAMPLES), str(tmp / "empty.txt"), str(tmp / "mixed.jsonl")] + ([str(SEEDS)] if SEEDS.is_dir() else [])


def _plain(item):
    return ("error", str(item)) if hasattr(item, "problem") else ("article", item.to_dict())


def test_two_workers_give_the_same_report_as_one(paths):
    one = marsad.analyze(paths, workers=1)
    two = marsad.analyze(paths, workers=2)
    assert len(one["articles"]) >= 10 and one["stories"]
    strip = lambda r: json.dumps({k: v for k, v in r.items() if k != "generated_at"}, ensure_ascii=False)  # noqa: E731
    assert strip(two) == strip(one)
    assert [str(e) for e in two.errors] == [str(e) for e in one.errors]
    assert len(one.errors) == 2


@pytest.fixture
def pulled(monkeypatch):
    """The raw documents the executor has read so far (chunks of 2, one chunk per worker queued)."""
    seen = []
    read_all = local.read_all

    def counting_read_all(p):
        for item in read_all(p):
            seen.append(item)
            yield item

    monkeypatch.setattr(local, "read_all", counting_read_all)
    monkeypatch.setattr(local, "CHUNK", 2)
    monkeypatch.setattr(local, "IN_FLIGHT", 1)
    return seen


def test_the_workers_prepare_what_the_story_index_would_compute(paths):
    import dataclasses

    import numpy as np

    from marsad.link.compare import HashingEmbedder
    from marsad.link.stories import StoryIndex
    from marsad.link.stories.features import article_features

    one = [x for x in LocalExecutor(workers=1, prepare_links=True).run(paths) if hasattr(x, "id")]
    two = [x for x in LocalExecutor(workers=2, prepare_links=True).run(paths) if hasattr(x, "id")]
    index = StoryIndex()
    for a, b in zip(one, two, strict=True):
        (f, vec), (g, vec2) = index.prepared(a), index.prepared(b)
        assert np.array_equal(vec, vec2)  # the same chunks with one worker or two: the same vectors
        assert np.allclose(vec, index.embed([a])[0], atol=1e-5)
        for field in dataclasses.fields(f):
            mine, theirs = getattr(f, field.name), getattr(article_features(a), field.name)
            assert np.array_equal(mine, theirs) if isinstance(mine, np.ndarray) else mine == theirs
        assert "story_inputs" not in a.to_dict()  # never stored or written out
    # an index that embeds with another model computes its own
    assert StoryIndex(embedder=HashingEmbedder()).prepared(one[0]) is None


def test_pool_streams_in_input_order_and_reads_only_a_few_chunks_ahead(paths, pulled):
    expected = [_plain(x) for x in LocalExecutor(workers=1).run(paths)]
    pulled.clear()
    run = LocalExecutor(workers=2).run(paths)
    first = next(run)
    assert len(pulled) <= 2 * 1 * 2 + 2 < len(expected)  # workers * IN_FLIGHT chunks, + the one being cut
    got = [_plain(first)] + [_plain(x) for x in run]
    assert got == expected
    assert [kind for kind, _ in got].count("error") == 2


def test_a_consumer_that_works_in_batches_lets_the_workers_read_ahead(paths, pulled):
    expected = [_plain(x) for x in LocalExecutor(workers=1).run(paths)]
    assert len(expected) > 10
    for ahead, most in ((0, 2 * 1 * 2 + 2), (8, 8 + 2)):
        pulled.clear()
        run = LocalExecutor(workers=2, ahead=ahead).run(paths)
        first = next(run)
        assert most - 2 <= len(pulled) <= most  # queued: `ahead` documents (at least a few chunks)
        assert [_plain(first)] + [_plain(x) for x in run] == expected


def test_stopping_early_ends_the_workers(paths):
    run = LocalExecutor(workers=2).run(paths)
    next(run)
    run.close()  # returns: queued chunks are cancelled, the pool shut down


def test_small_input_runs_in_this_process_by_default(monkeypatch):
    def no_pool(self, items, workers):
        raise AssertionError("a pool was started for a small input")

    monkeypatch.setattr(local, "default_workers", lambda: 2)
    monkeypatch.setattr(LocalExecutor, "_pooled", no_pool)
    assert all(hasattr(x, "id") for x in LocalExecutor().run([str(EXAMPLES)]))


def _blas_threads():
    import numpy  # noqa: F401  (loads BLAS)
    from threadpoolctl import threadpool_info

    return {i["internal_api"]: i["num_threads"] for i in threadpool_info()}


def test_threads_are_pinned_here_and_in_the_workers(monkeypatch):
    for var in _THREAD_ENV:
        monkeypatch.setenv(var, "2")  # what a worker would inherit; the engine overrides it
    ctx = multiprocessing.get_context("forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn")
    with ProcessPoolExecutor(1, mp_context=ctx, initializer=local._init_worker, initargs=([], 1)) as pool:
        in_worker = pool.submit(_blas_threads).result()
    assert in_worker and set(in_worker.values()) == {1}
    limit_threads(1)
    assert set(_blas_threads().values()) == {1}
    assert all(os.environ[var] == "1" for var in _THREAD_ENV)


def test_timings_prints_seconds_per_stage(tmp_path, monkeypatch, capsys):
    from marsad.interfaces.cli import main

    monkeypatch.setenv("MARSAD_TIMINGS", "")  # restored after the test; --timings sets it
    out = tmp_path / "report.json"
    assert main(["analyze", str(EXAMPLES / "a1_almadar_afp.txt"), "--out", str(out), "-q", "--timings",
                 "--workers", "1", "--threads", "1"]) == 0
    lines = [ln.split()[2] for ln in capsys.readouterr().err.splitlines() if ln.startswith("marsad: time: ")]
    assert lines == ["articles", "link", "derive", "report"]
    assert json.loads(out.read_text(encoding="utf-8"))["articles"]
