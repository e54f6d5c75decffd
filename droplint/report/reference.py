"""`droplint reference` and the DL4xx rule pages: droplint.reference, as users see it.

The hand-rolled dropout rules (DL4xx) point to inverted dropout as droplint.reference
defines it; this makes that definition visible where the rules are read.
"""

from __future__ import annotations

import inspect
import textwrap

from droplint import reference


def rewrite_form() -> str:
    """The form the DL4xx fixes write, from the templates in droplint.reference."""
    training = reference.TRAINING.format(x="x", mask="mask", keep="keep")
    in_place = reference.TRAINING_IN_PLACE.format(mask="mask", keep="keep")
    return (
        f"training:  {training}   (in place: x *= {in_place})\n"
        f"inference: {reference.INFERENCE.format(x='x')}\n"
        "where mask keeps a unit with probability keep = 1 - p."
    )


def rule_section() -> str:
    """The section of a DL4xx rule page: the fix's form beside the reference source."""
    source = inspect.getsource(reference.inverted_dropout)
    return (
        "The fix rewrites into inverted dropout, in your names:\n\n"
        f"```\n{rewrite_form()}\n```\n\n"
        "It is checked in droplint's tests against `droplint.reference.inverted_dropout` "
        "(`droplint reference` prints the module):\n\n"
        f"```python\n{source.rstrip()}\n```"
    )


def render() -> str:
    return "\n".join(
        [
            "droplint.reference: the NumPy dropout that the DL4xx fixes rewrite into.",
            f"Module file: {reference.__file__}",
            "",
            "Usage:",
            textwrap.indent(reference.USAGE.rstrip(), "    "),
            "",
            "The DL4xx fixes write this form, in your names:",
            textwrap.indent(rewrite_form(), "    "),
            "",
            "Source:",
            "",
            inspect.getsource(reference).rstrip(),
        ]
    )
