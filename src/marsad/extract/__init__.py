"""Per-article extractors: each component adds one annotation layer to an Article."""
