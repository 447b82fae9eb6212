"""The Spark executor: the same per-article stages as the local executor, mapped over a cluster.

Raw documents are read on the driver (reading is cheap; a JSONL file is streamed) and shipped in
chunks; cleaning, metadata and every annotation component run on the executors through
:func:`marsad.pipeline.process`, unchanged. Components are named, not pickled, and built once per
partition, so heavy models load once per worker task.

    from marsad.engines.spark import SparkExecutor
    for item in SparkExecutor(spark).run(["corpus/"]): ...
"""
from __future__ import annotations

from itertools import islice
from typing import Iterable, Iterator

from marsad.doc import Article
from marsad.ingest.read import IngestError, read_all
from marsad.pipeline import ARTICLE_COMPONENTS, article_components, process


def _process_partition(component_names: tuple[str, ...]):
    def run(raws):
        components = article_components(component_names)
        for raw in raws:
            yield process(raw, components)

    return run


class SparkExecutor:
    def __init__(self, spark=None, components: tuple[str, ...] = ARTICLE_COMPONENTS, chunk: int = 5000):
        if spark is None:
            from pyspark.sql import SparkSession

            spark = SparkSession.builder.appName("marsad").getOrCreate()
        self.spark = spark
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
