"""BIO files (one ``token TAG`` a line, blank line between sentences) and exact-span chunks."""
from __future__ import annotations

from typing import Iterable, Iterator

Sentence = tuple[list[str], list[str]]


def read_bio(path: str) -> list[Sentence]:
    """Sentences of a BIO file as (tokens, tags). A line whose token is blank (ANERcorp has a few
    with a stray space) is skipped rather than read as a sentence break."""
    sentences: list[Sentence] = []
    tokens: list[str] = []
    tags: list[str] = []
    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.rstrip("\n").rstrip("\r")
            if not line.strip():
                if tokens:
                    sentences.append((tokens, tags))
                    tokens, tags = [], []
                continue
            token, _, tag = line.rpartition(" ")
            token = token.strip()
            if not token:
                continue
            tokens.append(token)
            tags.append(tag.strip() or "O")
    if tokens:
        sentences.append((tokens, tags))
    return sentences


def chunks(tags: Iterable[str]) -> list[tuple[str, int, int]]:
    """Entity chunks ``(type, start, end)`` (token indices, end exclusive), conlleval style:
    a chunk starts at B-X, or at I-X that does not continue a chunk of type X."""
    out: list[tuple[str, int, int]] = []
    kind, start = None, 0
    tags = list(tags)
    for i, tag in enumerate(tags + ["O"]):
        prefix, _, t = tag.partition("-")
        continues = prefix == "I" and t == kind
        if kind is not None and not continues:
            out.append((kind, start, i))
            kind = None
        if prefix in ("B", "I") and not continues:
            kind, start = t, i
    return out


def iter_tokens(sentences: Iterable[Sentence]) -> Iterator[tuple[str, str]]:
    for tokens, tags in sentences:
        yield from zip(tokens, tags)
