"""The edits that turn a hand-rolled dropout into inverted dropout, in the user's names.

Each returns the libcst edits of one fix, or None when the code is not in a shape the
rewrite is sure of. The target is `droplint.reference.inverted_dropout`: keep each unit
with probability `q = 1 - p`, divide kept units by `q` in training, and pass the input
through unchanged at inference.
"""

from __future__ import annotations

import libcst as cst

from droplint import reference
from droplint.frontends.handrolled import HandrolledDropout

# Comparison flips that keep a uniform draw's complement: u < p keeps with p, u >= p with 1 - p.
_FLIPPED = {
    cst.LessThan: cst.GreaterThanEqual,
    cst.LessThanEqual: cst.GreaterThan,
    cst.GreaterThan: cst.LessThanEqual,
    cst.GreaterThanEqual: cst.LessThan,
}
# A normal draw's uniform counterpart, where the arguments mean the same (a shape).
_UNIFORM_OF = {"randn": "rand", "randn_like": "rand_like", "standard_normal": "random"}


def _expression(text: str) -> cst.BaseExpression | None:
    try:
        return cst.parse_expression(text)
    except cst.ParserSyntaxError:
        return None


def _operand(node: cst.BaseExpression) -> cst.BaseExpression:
    """`node` as the left operand of `/`: parenthesised unless it binds at least as tight."""
    if node.lpar:
        return node
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, (cst.Multiply, cst.Divide)):
        return node
    if isinstance(node, (cst.Name, cst.Attribute, cst.Call, cst.Subscript)):
        return node
    return node.with_changes(lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def divided(node: cst.BaseExpression, divisor: cst.BaseExpression) -> cst.BinaryOperation:
    return cst.BinaryOperation(
        left=_operand(node),
        operator=cst.Divide(whitespace_before=cst.SimpleWhitespace(" "), whitespace_after=cst.SimpleWhitespace(" ")),
        right=divisor,
    )


def add_scale(ctx, dropout: HandrolledDropout) -> list | None:
    """`x * mask` → `x * mask / keep`, at every application of the mask."""
    keep = _expression(dropout.keep_text(divisor=True))
    if keep is None:
        return None
    return [ctx.replacement(app.value, divided(app.value, keep)) for app in dropout.applications]


def replace_scale(ctx, dropout: HandrolledDropout) -> list | None:
    """A wrong training scale → `/ keep`: the divisor itself, or the whole product."""
    keep = _expression(dropout.keep_text(divisor=True))
    if keep is None:
        return None
    scale = [(f, p) for f, p in dropout.scale if not (p is not None and p.value == 1.0)]
    if len(scale) == 1 and scale[0][0].power == -1:
        node = scale[0][0].node
        return [ctx.replacement(node, keep.with_changes(lpar=node.lpar, rpar=node.rpar) if node.lpar else keep)]
    if dropout.mask.scale:
        return None  # the scale sits in the mask's own definition: no single place to edit
    edits = []
    for app in dropout.applications:
        x = ctx.code(app.input)
        mask = ctx.code(app.mask_factor)
        template = reference.TRAINING_IN_PLACE if app.augmented else reference.TRAINING
        new = _expression(template.format(x=x, mask=mask, keep=dropout.keep_text(divisor=True)))
        if new is None:
            return None
        edits.append(ctx.replacement(app.value, new))
    return edits


def remove_compensation(ctx, dropout: HandrolledDropout) -> list | None:
    """The inference side `x * keep` → `x`: inverted dropout needs nothing at inference."""
    inference = dropout.inference
    if inference.kind != "compensation" or inference.node is None or inference.input is None:
        return None
    return [ctx.replacement(inference.node, inference.input)]


def flip_mask(ctx, dropout: HandrolledDropout) -> list | None:
    """Keep units with the keep probability: flip `u < p` to `u >= p`, or `binomial(1, p)`
    to `binomial(1, 1 - p)`."""
    mask = dropout.mask
    if mask.comparison is not None:
        target = mask.comparison.comparisons[0]
        flipped = _FLIPPED.get(type(target.operator))
        if flipped is None:
            return None
        operator = flipped(
            whitespace_before=target.operator.whitespace_before,
            whitespace_after=target.operator.whitespace_after,
        )
        new = mask.comparison.with_changes(comparisons=[target.with_changes(operator=operator)])
        return [ctx.replacement(mask.comparison, new)]
    complement = _expression(_complement_text(ctx, mask.keep_node))
    if complement is None:
        return None
    return [ctx.replacement(mask.keep_node, complement)]


def _complement_text(ctx, node: cst.BaseExpression) -> str:
    if (
        isinstance(node, cst.BinaryOperation)
        and isinstance(node.operator, cst.Subtract)
        and isinstance(node.left, (cst.Integer, cst.Float))
        and node.left.value in ("1", "1.", "1.0")
        and not node.lpar
    ):
        return ctx.code(node.right)
    text = ctx.code(node)
    if isinstance(node, (cst.Name, cst.Attribute, cst.Integer, cst.Float, cst.Subscript, cst.Call)) or node.lpar:
        return f"1 - {text}"
    return f"1 - ({text})"


def uniform_draw(ctx, dropout: HandrolledDropout) -> list | None:
    """`np.random.randn(*s)` → `np.random.rand(*s)`, `torch.randn_like(x)` → `torch.rand_like(x)`."""
    draw = dropout.mask.draw
    if draw is None:
        return None
    func = draw.func
    name = func.attr if isinstance(func, cst.Attribute) else func if isinstance(func, cst.Name) else None
    if name is None or name.value not in _UNIFORM_OF:
        return None
    new_name = name.with_changes(value=_UNIFORM_OF[name.value])
    new_func = func.with_changes(attr=new_name) if isinstance(func, cst.Attribute) else new_name
    return [ctx.replacement(draw, draw.with_changes(func=new_func))]


# Where each array library keeps `floor`, from its top-level module.
_FLOOR_OF = {"torch": "floor", "numpy": "floor", "tensorflow": "floor", "keras": "ops.floor", "jax": "numpy.floor"}


def floor_noise(ctx, dropout: HandrolledDropout) -> list | None:
    """`keep + torch.rand(s)` → `torch.floor(keep + torch.rand(s))`: the floor trick, with
    the floor of the library the draw came from, named as the file imports it."""
    mask = dropout.mask
    draw = mask.draw
    if draw is None:
        return None
    head = draw.func
    while isinstance(head, cst.Attribute):
        head = head.value
    if not isinstance(head, cst.Name):
        return None
    library = ctx.qualify(head)
    if library not in _FLOOR_OF:
        return None
    floored = _expression(f"{head.value}.{_FLOOR_OF[library]}({ctx.code(mask.node).strip()})")
    if floored is None:
        return None
    return [ctx.replacement(mask.node, floored)]
