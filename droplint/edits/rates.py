"""Setting a dropout's rate where the model's source writes it."""

from __future__ import annotations

from droplint.ir import Edit, Layer
from droplint.model_view import View, rate_text


def rate_edit(view: View, layer: Layer, value: float) -> Edit | None:
    """An edit that sets `layer`'s rate to `value` where it is written as a literal, in the
    file the finding is reported in; None when no such edit is safe."""
    rate = layer.rate
    if rate is None or rate.span is None or rate.path != layer.path or view.shares_rate_site(layer):
        return None
    return Edit(rate.span, rate_text(value))
