"""The Spark executor: the same per-article stages as the local executor, mapped over a cluster.

Raw documents are read on the driver (reading is cheap; a JSONL file is streamed) and shipped in
chunks; cleaning, metadata and every annotation component run on the executors through
:func:`marsad.pipeline.process`, unchanged. Components are named, not pickled, and built once per
partition, so heavy models load once per worker task.

    from marsad.engines.spark import SparkExecutor, spark_session
    for item in SparkExecutor(spark_session("local[2]")).run(["corpus/"]): ...

The corpus links (reuse, stories, story views) of a bulk build run on the cluster too: see
:mod:`marsad.engines.spark_links`.
"""
from __future__ import annotations

import os
import sys
from itertools import islice
from pathlib import Path
from typing import Iterable, Iterator

from marsad.doc import Article
from marsad.ingest.read import IngestError, read_all
from marsad.pipeline import ARTICLE_COMPONENTS, article_components, process

#: The master when none is given and none is configured (``spark.master``, ``MASTER``).
DEFAULT_MASTER = "local[*]"


def _package_root() -> str:
    """The folder the running ``marsad`` package was imported from (``src`` of a checkout, or
    site-packages)."""
    import marsad

    return str(Path(marsad.__file__).resolve().parent.parent)


def spark_session(master: str | None = None, app_name: str = "marsad", conf: dict[str, str] | None = None):
    """A SparkSession whose Python workers run this interpreter and import this ``marsad``.

    Spark starts its Python workers with ``spark.pyspark.python`` (else ``PYSPARK_PYTHON``,
    else ``python3`` from the PATH): the system Python, which has neither Marsad nor its
    dependencies. So unless the user set one of them, the workers get ``sys.executable`` — the
    interpreter that runs the driver. On a local master the workers also get this package's
    folder on ``PYTHONPATH`` (a checkout run with ``PYTHONPATH=src`` imports the same code on
    both sides). On a cluster the executors' machines need Marsad installed (or a packed
    environment shipped with ``--archives``): see docs/spark.md. Under ``spark-submit``
    (and no ``master`` given) nothing is changed: the session is the one it configured.
    """
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app_name)
    if submitted() and not master:
        return builder.getOrCreate()  # spark-submit configured the session: its settings stand
    master = master or os.environ.get("MASTER")
    if master:
        builder = builder.master(master)
    settings = python_settings(master or DEFAULT_MASTER)
    if "spark.pyspark.python" in settings:
        # PySpark reads the workers' interpreter from this variable when it makes the context
        # (only spark-submit turns the setting into it); this process's own workers only
        os.environ["PYSPARK_PYTHON"] = settings["spark.pyspark.python"]
    settings.update(conf or {})
    for key, value in settings.items():
        builder = builder.config(key, value)
    if not master:
        builder = builder.config("spark.master", DEFAULT_MASTER)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")  # Marsad reports problems itself; Spark's warnings are noise to a user
    return session


def submitted() -> bool:
    """Whether this driver was started by ``spark-submit`` (or ``pyspark``), which passes the
    JVM it started to Python in this variable."""
    return "PYSPARK_GATEWAY_PORT" in os.environ


def python_settings(master: str) -> dict[str, str]:
    """The Spark settings that make the Python workers run this Marsad (see :func:`spark_session`)."""
    from marsad.runtime import _THREAD_ENV, thread_count

    out: dict[str, str] = {
        "spark.ui.showConsoleProgress": "false",
        # PySpark spills a worker's group-by to disk once the worker's *resident size* passes
        # this (default 512m); the models alone take ~800 MB, so every group-by would spill
        "spark.python.worker.memory": "2g",
    }
    # each Python worker is one core's process: its numeric libraries get --threads threads,
    # not one per core each (see marsad.runtime)
    out.update({f"spark.executorEnv.{var}": str(thread_count()) for var in _THREAD_ENV})
    if not os.environ.get("PYSPARK_PYTHON"):
        out["spark.pyspark.python"] = sys.executable
    if master.startswith("local"):
        path = [_package_root()] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p]
        out["spark.executorEnv.PYTHONPATH"] = os.pathsep.join(os.path.abspath(p) for p in path)
    return out


_components: dict[tuple[str, ...], list] = {}


def worker_components(names: tuple[str, ...]) -> list:
    """The components, built once per Python worker: Spark reuses its workers across tasks
    (``spark.python.worker.reuse``), so the models load once per worker, not once per task."""
    if names not in _components:
        _components[names] = article_components(names)
    return _components[names]


def _process_partition(component_names: tuple[str, ...]):
    def run(raws):
        components = worker_components(component_names)
        for raw in raws:
            yield process(raw, components)

    return run


class SparkExecutor:
    """``spark``: a SparkSession (default: :func:`spark_session` with ``master``)."""

    def __init__(self, spark=None, components: tuple[str, ...] = ARTICLE_COMPONENTS, chunk: int = 5000,
                 master: str | None = None):
        self.spark = spark if spark is not None else spark_session(master)
        self.components = tuple(components)
        self.chunk = chunk

    def run(self, paths: Iterable[str]) -> Iterator[Article | IngestError]:
        sc = self.spark.sparkContext
        slices = max(2, sc.defaultParallelism)
        raws = read_all(list(paths))
        while True:
            batch = list(islice(raws, self.chunk))
            if not batch:
                return
            docs = [r for r in batch if not isinstance(r, IngestError)]
            yield from (r for r in batch if isinstance(r, IngestError))
            if docs:
                rdd = sc.parallelize(docs, min(slices, len(docs)))
                yield from rdd.mapPartitions(_process_partition(self.components)).collect()
