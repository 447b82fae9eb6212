"""Quotation extraction and speaker attribution ("who said what").

Modules: :mod:`lexicon` (the word lists in ``data/quotes``), :mod:`cue` (speech verbs,
participles and nouns), :mod:`content` (quotation marks, names in quotation marks, where a cue's
content opens), :mod:`context` (an article's words and mentions, untagged name repeats),
:mod:`roles` (role phrases and the entity each refers to), :mod:`source` (the speaker around a
cue), :mod:`extractor` (the per-article component). See docs/quotes.md.
"""
from marsad.extract.quotes.extractor import QuoteExtractor, extract_quotes

__all__ = ["QuoteExtractor", "extract_quotes"]
