"""Join per-file summaries into root models (inlining blocks), then place dropouts."""

from __future__ import annotations

from droplint.ir import FileSummary, Model


def link(summaries: list[FileSummary]) -> list[Model]:
    """Root models of the project, with every dropout placed by depth."""
    return []
