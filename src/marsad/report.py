"""The analysis report (contract ``marsad.report/1``, see ../shared/contract/report.schema.json)."""
from __future__ import annotations

import datetime as dt
import json
from typing import Any

from marsad.doc import Article
from marsad.link.corpus import CorpusLinks

SCHEMA_ID = "marsad.report/1"
ARTICLE_FIELDS = (
    "id", "source", "url", "title", "outlet", "author", "published", "published_source",
    "text", "removed", "language", "wire",
)


class Report(dict):
    """A report is a plain dict (JSON-ready) with a few conveniences."""

    def to_json(self, indent: int | None = 1) -> str:
        return json.dumps(self, ensure_ascii=False, indent=indent)

    def write(self, path: str) -> None:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(self.to_json())
            fh.write("\n")


def _layer(articles: list[Article], layer: str) -> list[dict[str, Any]]:
    return [{"article": a.id, **item} for a in articles for item in getattr(a, layer)]


def _quotes(articles: list[Article]) -> list[dict[str, Any]]:
    """Quotes with `speaker` = the entity id of the mention the speaker resolved to."""
    out = []
    for a in articles:
        for q in a.quotes:
            i = q.get("speaker_mention")
            entity = a.mentions[i].get("entity") if i is not None and i < len(a.mentions) else None
            out.append({"article": a.id, "speaker": entity, **q})
    return out


def build_report(articles: list[Article], links: CorpusLinks) -> Report:
    return Report(
        schema=SCHEMA_ID,
        generated_at=dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        articles=[{k: getattr(a, k) for k in ARTICLE_FIELDS} for a in articles],
        entities=links.entities,
        quotes=_quotes(articles),
        numbers=_layer(articles, "numbers"),
        dates=_layer(articles, "dates"),
        reuse=links.reuse,
        stories=links.stories,
    )
