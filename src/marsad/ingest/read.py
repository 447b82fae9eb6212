"""Find inputs and read them into raw documents.

Accepts files and folders (recursively): ``.txt`` page text, ``.html``/``.htm`` pages,
``.jsonl`` records, each optionally ``.gz``-compressed. Yields :class:`RawDoc` for every
readable document and :class:`IngestError` for every problem, so one bad input never stops
the others.
"""
from __future__ import annotations

import codecs
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
    """Read one input file into raw documents (several for JSONL, streamed line by line)."""
    ext, compressed = _kind(path)
    opener = gzip.open if compressed else open
    try:
        if ext in JSONL_EXT:
            with opener(path, "rb") as fh:
                yield from _read_jsonl(path, fh)
            return
        with opener(path, "rb") as fh:
            data = fh.read()
    except (OSError, EOFError) as e:
        yield IngestError(path, f"cannot read: {getattr(e, 'strerror', None) or e}")
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


def _jsonl_lines(path: str, fh) -> Iterator[tuple[int, str] | IngestError]:
    """Decoded lines of a JSONL stream; JSON text is UTF-8 (RFC 8259), a UTF-16 file is decoded whole."""
    head = fh.peek(4)[:4] if hasattr(fh, "peek") else b""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (len(head) == 4 and 0 in head):
        try:
            text, _ = decode(fh.read())
        except DecodeError as e:
            yield IngestError(path, str(e))
            return
        yield from enumerate(text.splitlines(), 1)
        return
    for n, raw in enumerate(fh, 1):
        try:
            yield n, raw.decode("utf-8-sig" if n == 1 else "utf-8")
        except UnicodeDecodeError as e:
            yield IngestError(path, f"undecodable bytes at column {e.start + 1}: not UTF-8", n)


def _read_jsonl(path: str, fh) -> Iterator[RawDoc | IngestError]:
    empty = True
    for item in _jsonl_lines(path, fh):
        if isinstance(item, IngestError):
            empty = False
            yield item
            continue
        n, line = item
        if not line.strip():
            continue
        empty = False
        try:
            rec = json.loads(line)
        except json.JSONDecodeError as e:
            yield IngestError(path, f"malformed JSON line ({e.msg}, column {e.colno})", n)
            continue
        if not isinstance(rec, dict):
            yield IngestError(path, "JSONL line is not an object", n)
            continue
        meta = {k: rec[k] for k in META_FIELDS if isinstance(rec.get(k), str) and rec[k].strip()}
        if isinstance(rec.get("id"), int) and not isinstance(rec["id"], bool):
            meta["id"] = str(rec["id"])  # numeric record ids are kept too
        source = meta.get("url") or f"{path}#{n}"
        if isinstance(rec.get("text"), str) and rec["text"].strip():
            yield RawDoc(source, "text", rec["text"], meta, n)
        elif isinstance(rec.get("html"), str) and rec["html"].strip():
            yield RawDoc(source, "html", rec["html"], meta, n)
        else:
            yield IngestError(path, "record has no 'text' or 'html'", n)
    if empty:
        yield IngestError(path, "empty file")


def read_all(paths: list[str]) -> Iterator[RawDoc | IngestError]:
    for item in discover(paths):
        if isinstance(item, IngestError):
            yield item
        else:
            yield from read_path(item)
