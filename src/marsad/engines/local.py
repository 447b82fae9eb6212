"""The local executor: stages run in this process, one document at a time (bounded memory)."""
from __future__ import annotations

from typing import Iterable, Iterator

from marsad.doc import Article
from marsad.ingest.read import IngestError, read_all
from marsad.pipeline import Component, article_components, process


class LocalExecutor:
    def __init__(self, components: list[Component] | None = None):
        self.components = article_components() if components is None else components

    def run(self, paths: Iterable[str]) -> Iterator[Article | IngestError]:
        for raw in read_all(list(paths)):
            yield raw if isinstance(raw, IngestError) else process(raw, self.components)
