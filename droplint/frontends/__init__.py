"""Frontends read one file's syntax tree into framework-neutral summaries."""
