"""Cross-article linkers: entity names, text reuse, stories, cross-source comparison."""
