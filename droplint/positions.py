"""Source positions of syntax nodes, computed once per file and only when asked for.

libcst's MetadataWrapper deep-copies the tree and resolves providers generically;
droplint needs nothing but syntactic positions, so it runs the position-recording
code generator directly on the parsed module, without the copy.
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata.position_provider import PositionProvidingCodegenState

from droplint.ir import Span


class _Recorder:
    """Stands in for the provider object that the codegen state writes into."""

    def __init__(self) -> None:
        self._computed: dict = {}


class Positions:
    def __init__(self, module: cst.Module):
        self._module = module
        self._computed: dict | None = None

    def span(self, node: cst.CSTNode) -> Span:
        if self._computed is None:
            recorder = _Recorder()
            state = PositionProvidingCodegenState(
                default_indent=self._module.default_indent,
                default_newline=self._module.default_newline,
                provider=recorder,
            )
            self._module._codegen(state)
            self._computed = recorder._computed
        code_range = self._computed[node]
        # libcst columns are 0-based; the contract's are 1-based.
        return Span(
            code_range.start.line,
            code_range.start.column + 1,
            code_range.end.line,
            code_range.end.column + 1,
        )
