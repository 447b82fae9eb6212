"""Executors: run the same pipeline stages on one machine or on a cluster."""
