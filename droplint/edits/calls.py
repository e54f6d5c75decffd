"""Edits of a call's arguments that keep the call's own layout."""

from __future__ import annotations

import libcst as cst


def add_keyword(call: cst.Call, keyword: str, value: cst.BaseExpression) -> cst.Call:
    """Append `keyword=value` to a call, keeping its layout (one per line stays so)."""
    args = list(call.args)
    new = cst.Arg(
        value=value,
        keyword=cst.Name(keyword),
        equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
    )
    if args and isinstance(args[-1].comma, cst.Comma):
        # A trailing comma: the new argument takes it over, and the old last argument
        # takes the separator the others use, so a one-per-line layout stays so.
        separator = (
            args[-2].comma
            if len(args) > 1 and isinstance(args[-2].comma, cst.Comma)
            else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        )
        new = new.with_changes(comma=args[-1].comma)
        args[-1] = args[-1].with_changes(comma=separator)
    args.append(new)
    return call.with_changes(args=args)
