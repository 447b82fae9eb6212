"""The stages of Marsad, independent of where they run.

Data flows one way: raw document -> Article (ingest) -> per-article annotation layers
(extractors) -> corpus links (linkers) -> report. Per-article stages are pure functions of one
document, so an executor (local, Spark) only decides how to map them over the input.
"""
from __future__ import annotations

from importlib import import_module
from typing import Callable

from marsad.doc import Article
from marsad.ingest import limits
from marsad.ingest.build import build_article
from marsad.ingest.read import IngestError, RawDoc

#: Per-article components, in order ("module:Class"); each adds one annotation layer.
ARTICLE_COMPONENTS: tuple[str, ...] = (
    "marsad.extract.entities:EntityTagger",
    "marsad.extract.quotes:QuoteExtractor",  # needs the mentions layer for speakers
    "marsad.extract.dates:DateExtractor",
    "marsad.extract.numbers:NumberExtractor",
)

Component = Callable[[Article], Article]


def article_components(names: tuple[str, ...] = ARTICLE_COMPONENTS) -> list[Component]:
    out = []
    for name in names:
        module, cls = name.split(":")
        out.append(getattr(import_module(module), cls)())
    return out


def process(raw: RawDoc, components: list[Component]) -> Article | IngestError:
    """Ingest and annotate one document; errors come back as values, never raised.

    A document that takes longer than the time budget (:mod:`marsad.ingest.limits`) is
    stopped and reported, so one pathological input cannot hold up the run."""
    budget = limits.current().time_budget
    try:
        with limits.time_budget(budget):
            item = build_article(raw)
            if isinstance(item, IngestError):
                return item
            for component in components:
                item = component(item)
            return item
    except limits.OverBudget as e:
        return IngestError(raw.where, f"{e}; skipped", raw.line)
    except RecursionError:
        return IngestError(raw.where, "could not be processed: nested too deeply; skipped", raw.line)
    except Exception as e:  # one broken page must not stop the run
        return IngestError(raw.where, f"could not be processed: {type(e).__name__}: {e}", raw.line)
