"""Interfaces: command line, Python API, REST API and web UI."""
