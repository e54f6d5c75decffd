"""Reference dropout in NumPy: what "correct" means for every hand-rolled dropout fix.

droplint never runs the code it lints. This module is the other way round: our own,
executable definition of dropout, used by droplint's tests to check that the rewrites
of the DL4xx fixes behave like the real thing.

Notation: `p` is the drop probability, `q = 1 - p` the keep probability, and
`m_i ~ Bernoulli(q)` the mask, independently per element.

- Inverted dropout (what `nn.Dropout`, `F.dropout`, `keras.layers.Dropout` do):
  training  `y_i = m_i * x_i / q`, so `E[y_i] = q * x_i / q = x_i`;
  inference `y_i = x_i` (nothing to undo).
- Classic dropout (Srivastava et al. 2014, section 2):
  training  `y_i = m_i * x_i`, so `E[y_i] = q * x_i`;
  inference `y_i = q * x_i`, the same expectation as in training.

Both keep the expectation the same in training and inference; inverted dropout does so
without touching the inference path, which is why every framework uses it.
"""

from __future__ import annotations

# The inverted-dropout rewrite that the DL4xx fixes write, in the user's own names: `x`
# the input, `mask` the 0/1 mask that keeps a unit with probability `keep`, and `keep`
# the keep probability 1 - p (parenthesised where it is an expression). One home for
# the form: the rules format it, `droplint rule DL401` shows it beside inverted_dropout,
# and tests/test_handrolled_reference.py evaluates it against inverted_dropout.
TRAINING = "{x} * {mask} / {keep}"
TRAINING_IN_PLACE = "{mask} / {keep}"  # the right-hand side of `x *= ...`
INFERENCE = "{x}"

# How to call it; `droplint reference` prints this, and a test runs it.
USAGE = """\
import numpy as np
from droplint.reference import inverted_dropout

x = np.ones(100_000)
y, mask = inverted_dropout(x, 0.2, rng=0)    # training: drop a fifth, scale the rest by 1/0.8
print(f"mean {y.mean():.2f}, dropped {1 - mask.mean():.2f}")    # mean 1.00, dropped 0.20
y, _ = inverted_dropout(x, 0.2, training=False)                 # inference: x unchanged
print(np.array_equal(y, x))                                     # True
"""


def form(x: str, mask: str, keep: str) -> str:
    """The inverted-dropout rewrite, in words, for a finding's message."""
    training = TRAINING.format(x=x, mask=mask, keep=keep)
    return f"`{training}` in training and `{INFERENCE.format(x=x)}` at inference"


def _generator(rng):
    import numpy as np  # numpy only when dropout runs: the linter imports this module for its forms

    if isinstance(rng, np.random.Generator):
        return rng
    if rng is None or isinstance(rng, (int, np.integer)):
        return np.random.default_rng(rng)
    raise TypeError(f"rng must be a numpy Generator, an int seed or None, not {type(rng).__name__}")


def _check_rate(p, training: bool) -> float:
    import numpy as np

    if isinstance(p, bool) or not isinstance(p, (int, float, np.integer, np.floating)):
        raise TypeError(f"dropout probability must be a number in [0, 1), got {p!r}")
    p = float(p)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"dropout probability must be in [0, 1), got {p}")
    if p == 1.0 and training:
        # Every unit dropped: the inverted scale 1 / (1 - p) is a division by zero.
        raise ValueError("dropout probability 1 drops every unit; the scale 1 / (1 - p) is undefined")
    return p


def _mask(x, p: float, rng):
    """`m_i ~ Bernoulli(1 - p)`: a uniform draw `u_i` in [0, 1) is kept when `u_i >= p`."""
    return _generator(rng).random(x.shape) >= p


def inverted_dropout(x, p, *, training=True, rng=None):
    """Inverted dropout: `y = m * x / (1 - p)` in training, `y = x` at inference.

    Each element is kept with probability `1 - p` (`m_i ~ Bernoulli(1 - p)`) and a kept
    element is scaled by `1 / (1 - p)`, so `E[y_i] = x_i`; the fraction of zeros is `p`
    in expectation (for nonzero `x`). At inference, or with `p == 0`, the output is `x`
    and the mask is all ones.

    Returns `(y, mask)`: `y` has `x`'s shape and dtype, `mask` is boolean.
    `rng` is a `numpy.random.Generator` or a seed (None: fresh entropy).
    Raises ValueError for `p` outside [0, 1) (NaN included) and for `p == 1` in training,
    TypeError for a `p` that is not a number (a bool or a string).
    """
    import numpy as np

    x = np.asarray(x)
    p = _check_rate(p, training)
    if not training or p == 0.0:
        return x.copy(), np.ones(x.shape, dtype=bool)
    mask = _mask(x, p, rng)
    # Scale in the input's dtype so float32 stays float32; integers cannot hold 1/(1-p).
    scale = np.asarray(1.0 / (1.0 - p), dtype=x.dtype if x.dtype.kind == "f" else None)
    y = np.where(mask, x * scale, np.zeros((), dtype=x.dtype)).astype(x.dtype, copy=False)
    return y, mask


def classic_dropout(x, p, *, training=True, rng=None):
    """Classic (non-inverted) dropout: `y = m * x` in training, `y = (1 - p) * x` at inference.

    The training output is not rescaled, so `E[y_i] = (1 - p) * x_i`; inference multiplies
    by the keep probability `1 - p` to match that expectation. Returns `(y, mask)` like
    `inverted_dropout`, with an all-ones mask at inference. Same errors as `inverted_dropout`.
    """
    import numpy as np

    x = np.asarray(x)
    p = _check_rate(p, training)
    if not training:
        keep = np.asarray(1.0 - p, dtype=x.dtype if x.dtype.kind == "f" else None)
        return (x * keep).astype(x.dtype, copy=False), np.ones(x.shape, dtype=bool)
    if p == 0.0:
        return x.copy(), np.ones(x.shape, dtype=bool)
    mask = _mask(x, p, rng)
    y = np.where(mask, x, np.zeros((), dtype=x.dtype)).astype(x.dtype, copy=False)
    return y, mask
