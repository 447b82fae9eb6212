"""Find inputs and read them into raw documents.

Accepts files and folders (recursively): ``.txt`` page text, ``.html``/``.htm`` pages,
``.jsonl`` records, each optionally ``.gz``-compressed. Yields :class:`RawDoc` for every
readable document and :class:`IngestError` for every problem, so one bad input never stops
the others.

Every input is bounded (:mod:`marsad.ingest.limits`): a file over ``max_file_bytes``, a JSONL
line over ``max_line_bytes`` (skipped without being held in memory) or nested deeper than
``max_depth`` is reported and skipped. A folder that cannot be read, or holds no input Marsad
reads, is named.
"""
from __future__ import annotations

import codecs
import gzip
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from marsad.ingest import limits as _limits
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
    path: str | None = None  # the input file (for a JSONL record, the file; `source` is its URL)

    @property
    def where(self) -> str:
        """The file to name in a message (with :attr:`line`: ``file:line``)."""
        return self.path or self.source


@dataclass
class IngestError:
    source: str
    problem: str
    line: int | None = None

    warning: bool = False  # the document was still read (e.g. a metadata value was dropped)

    def __str__(self) -> str:
        where = f"{self.source}:{self.line}" if self.line else self.source
        return f"{where}: {self.problem}"


def too_big(what: str, limit: int, size: int | None = None, unit: str = "bytes") -> str:
    """The message for an input over a limit (``size`` None: not read to its end)."""
    measured = f"{size:,} {unit}; the limit is {limit:,}" if size is not None else f"over the limit of {limit:,} {unit}"
    return f"{what} too large ({measured}); skipped"


def _kind(path: str) -> tuple[str | None, bool]:
    """(extension without .gz, compressed?)"""
    name = path.lower()
    compressed = name.endswith(".gz")
    if compressed:
        name = name[:-3]
    return os.path.splitext(name)[1], compressed


def discover(paths: list[str]) -> Iterator[str | IngestError]:
    """Expand folders into their input files (sorted, recursive); report missing paths, folders
    that cannot be read and folders without any input file."""
    for given in paths:
        p = Path(given)
        if p.is_dir():
            found = 0
            problems: list[OSError] = []
            for root, dirs, files in os.walk(p, onerror=problems.append):
                yield from (_folder_error(e) for e in problems)
                problems.clear()
                dirs.sort()
                for f in sorted(files):
                    full = os.path.join(root, f)
                    if _kind(full)[0] in KNOWN_EXT and not f.startswith("."):
                        found += 1
                        yield full
            yield from (_folder_error(e) for e in problems)
            if not found and os.access(given, os.R_OK | os.X_OK):
                yield IngestError(given, "folder holds no readable input (.txt, .html, .jsonl, optionally .gz)")
        elif p.is_file():
            yield given
        elif os.path.lexists(given) and not p.exists():
            yield IngestError(given, "broken link")
        elif p.exists():
            yield IngestError(given, "not a regular file or folder")
        else:
            yield IngestError(given, "no such file or directory")


def _folder_error(e: OSError) -> IngestError:
    return IngestError(e.filename or "?", f"cannot read folder: {e.strerror or e}")


def read_path(path: str, limits: _limits.Limits | None = None) -> Iterator[RawDoc | IngestError]:
    """Read one input file into raw documents (several for JSONL, streamed line by line)."""
    lim = limits or _limits.current()
    ext, compressed = _kind(path)
    opener = gzip.open if compressed else open
    try:
        if ext in JSONL_EXT:
            with opener(path, "rb") as fh:
                yield from _read_jsonl(path, fh, lim)
            return
        with opener(path, "rb") as fh:
            data = fh.read(lim.max_file_bytes + 1) if lim.max_file_bytes else fh.read()
    except (OSError, EOFError, gzip.BadGzipFile) as e:
        yield IngestError(path, f"cannot read: {getattr(e, 'strerror', None) or e}")
        return
    if lim.max_file_bytes and len(data) > lim.max_file_bytes:
        yield IngestError(path, too_big("file (uncompressed)", lim.max_file_bytes) if compressed
                          else too_big("file", lim.max_file_bytes, os.path.getsize(path)))
        return
    try:
        text, _encoding = decode(data)
    except DecodeError as e:
        yield IngestError(path, str(e))
        return
    if ext in HTML_EXT or (ext not in TEXT_EXT and text.lstrip()[:1] == "<"):
        yield RawDoc(path, "html", text, path=path)
    else:
        yield RawDoc(path, "text", text, path=path)


def _jsonl_lines(path: str, fh, lim: _limits.Limits) -> Iterator[tuple[int, str] | IngestError]:
    """Decoded lines of a JSONL stream; JSON text is UTF-8 (RFC 8259), a UTF-16 file is decoded
    whole. A line over the limit is reported and skipped without being held in memory."""
    head = fh.peek(4)[:4] if hasattr(fh, "peek") else b""
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or (len(head) == 4 and 0 in head):
        data = fh.read(lim.max_file_bytes + 1) if lim.max_file_bytes else fh.read()
        if lim.max_file_bytes and len(data) > lim.max_file_bytes:
            yield IngestError(path, too_big("UTF-16 JSONL file", lim.max_file_bytes))
            return
        try:
            text, _ = decode(data)
        except DecodeError as e:
            yield IngestError(path, str(e))
            return
        for n, line in enumerate(text.splitlines(), 1):
            if lim.max_line_bytes and len(line) * 2 > lim.max_line_bytes:
                yield IngestError(path, too_big("line", lim.max_line_bytes, len(line) * 2), n)
            else:
                yield n, line
        return
    limit = lim.max_line_bytes or -1
    n = 0
    while True:
        raw = fh.readline(limit + 1 if limit > 0 else -1)
        if not raw:
            return
        n += 1
        if limit > 0 and len(raw) > limit and not raw.endswith(b"\n"):
            size = len(raw)
            while raw and not raw.endswith(b"\n"):  # skip the rest of the line, a block at a time
                raw = fh.readline(1 << 20)
                size += len(raw)
            yield IngestError(path, too_big("line", limit, size - raw.endswith(b"\n")), n)
            continue
        try:
            yield n, raw.decode("utf-8-sig" if n == 1 else "utf-8")
        except UnicodeDecodeError as e:
            yield IngestError(path, f"undecodable bytes at column {e.start + 1}: not UTF-8", n)


def _depth(value: Any, limit: int) -> bool:
    """True when ``value`` nests deeper than ``limit`` (iterative: no recursion)."""
    stack = [(value, 1)]
    while stack:
        v, d = stack.pop()
        if isinstance(v, dict):
            v = v.values()
        elif not isinstance(v, list):
            continue
        if d > limit:
            return True
        stack.extend((c, d + 1) for c in v if isinstance(c, (dict, list)))
    return False


def _read_jsonl(path: str, fh, lim: _limits.Limits) -> Iterator[RawDoc | IngestError]:
    empty = True
    for item in _jsonl_lines(path, fh, lim):
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
        except RecursionError:  # deeper than the interpreter can parse (~1,000 levels)
            yield IngestError(path, f"JSON nested too deeply (the limit is {lim.max_depth} levels); skipped", n)
            continue
        if lim.max_depth and _depth(rec, lim.max_depth):
            yield IngestError(path, f"JSON nested too deeply (the limit is {lim.max_depth} levels); skipped", n)
            continue
        if not isinstance(rec, dict):
            yield IngestError(path, "JSONL line is not an object", n)
            continue
        meta = {k: rec[k] for k in META_FIELDS if isinstance(rec.get(k), str) and rec[k].strip()}
        if isinstance(rec.get("id"), int) and not isinstance(rec["id"], bool):
            meta["id"] = str(rec["id"])  # numeric record ids are kept too
        if rec.get("published") is not None and not isinstance(rec["published"], str):
            meta["published"] = json.dumps(rec["published"])[:100]  # not a date: warned when built
        source = meta.get("url") or f"{path}#{n}"
        if isinstance(rec.get("text"), str) and rec["text"].strip():
            yield RawDoc(source, "text", rec["text"], meta, n, path)
        elif isinstance(rec.get("html"), str) and rec["html"].strip():
            yield RawDoc(source, "html", rec["html"], meta, n, path)
        else:
            yield IngestError(path, "record has no 'text' or 'html'", n)
    if empty:
        yield IngestError(path, "empty file")


def read_all(paths: list[str], limits: _limits.Limits | None = None) -> Iterator[RawDoc | IngestError]:
    for item in discover(paths):
        if isinstance(item, IngestError):
            yield item
        else:
            yield from read_path(item, limits)
