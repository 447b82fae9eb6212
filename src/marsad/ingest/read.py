"""Find inputs and read them into raw documents.

Accepts files and folders (recursively): ``.txt`` page text, ``.html``/``.htm`` pages,
``.jsonl`` records, each optionally ``.gz``-compressed. Yields :class:`RawDoc` for every
readable document and :class:`IngestError` for every problem, so one bad input never stops
the others.
"""
from __future__ import annotations

import gzip
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from marsad.ingest.decode import DecodeError, decode

TEXT_EXT = {".txt", ".text"}
HTML_EXT = {".html", ".htm", ".xhtml"}
JSONL_EXT = {".jsonl", ".ndjson"}
KNOWN_EXT = TEXT_EXT | HTML_EXT | JSONL_EXT
# Metadata fields a JSONL record may carry (as in the ANT corpus).
META_FIELDS = ("id", "url", "outlet", "published", "title", "author", "section")


@dataclass
class RawDoc:
    source: str  # input path (or the record's URL) exactly as given
    format: str  # "text" | "html"
    content: str
    meta: dict[str, Any] = field(default_factory=dict)
    line: int | None = None  # JSONL line number


@dataclass
class IngestError:
    source: str
    problem: str
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.problem}"


def _kind(path: str) -> tuple[str | None, bool]:
    """(extension without .gz, compressed?)"""
    name = path.lower()
    compressed = name.endswith(".gz")
    if compressed:
        name = name[:-3]
    return os.path.splitext(name)[1], compressed


def discover(paths: list[str]) -> Iterator[str | IngestError]:
    """Expand folders into their input files (sorted, recursive); report missing paths."""
    for given in paths:
        p = Path(given)
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs.sort()
                for f in sorted(files):
                    full = os.path.join(root, f)
                    if _kind(full)[0] in KNOWN_EXT and not f.startswith("."):
                        yield full
        elif p.is_file():
            yield given
        else:
            yield IngestError(given, "no such file or directory")


def read_path(path: str) -> Iterator[RawDoc | IngestError]:
    """Read one input file into raw documents (several for JSONL)."""
    ext, compressed = _kind(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read()
        if compressed:
            data = gzip.decompress(data)
    except (OSError, EOFError) as e:
        yield IngestError(path, f"cannot read: {getattr(e, 'strerror', None) or e}")
        return
    if ext in JSONL_EXT:
        yield from _read_jsonl(path, data)
        return
    try:
        text, _encoding = decode(data)
    except DecodeError as e:
        yield IngestError(path, str(e))
        return
    if ext in HTML_EXT or (ext not in TEXT_EXT and text.lstrip()[:1] == "<"):
        yield RawDoc(path, "html", text)
    else:
        yield RawDoc(path, "text", text)


def _read_jsonl(path: str, data: bytes) -> Iterator[RawDoc | IngestError]:
    try:
        text, _ = decode(data)
    except DecodeError as e:
        yield IngestError(path, str(e))
        return
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            yield IngestError(path, f"malformed JSON line ({e.msg}, column {e.colno})", n)
            continue
        if not isinstance(rec, dict):
            yield IngestError(path, "JSONL line is not an object", n)
            continue
        meta = {k: rec[k] for k in META_FIELDS if isinstance(rec.get(k), str) and rec[k].strip()}
        source = meta.get("url") or f"{path}#{n}"
        if isinstance(rec.get("text"), str) and rec["text"].strip():
            yield RawDoc(source, "text", rec["text"], meta, n)
        elif isinstance(rec.get("html"), str) and rec["html"].strip():
            yield RawDoc(source, "html", rec["html"], meta, n)
        else:
            yield IngestError(path, "record has no 'text' or 'html'", n)


def read_all(paths: list[str]) -> Iterator[RawDoc | IngestError]:
    for item in discover(paths):
        if isinstance(item, IngestError):
            yield item
        else:
            yield from read_path(item)
