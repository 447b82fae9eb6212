"""Ingest: read files, folders and JSONL into raw documents, then clean them into articles."""
