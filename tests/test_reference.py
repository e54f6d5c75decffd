"""Properties of droplint.reference, the definition every hand-rolled dropout fix must meet.

Statistical bounds: with `n` elements and keep probability `q = 1 - p`, each output of
inverted dropout is `y_i = m_i x_i / q` with `m_i ~ Bernoulli(q)`, so
`Var(y_i) = x_i^2 (1/q - 1) = x_i^2 p / q` and the standard error of `mean(y)` around
`mean(x)` is `sqrt(sum(x_i^2) p / q) / n`. The count of zeros is Binomial(n, p), so the
zero fraction has standard error `sqrt(p (1 - p) / n)`. A check passes within
`SIGMAS` standard errors: a false failure has probability below 1e-6 for a fresh seed,
and the seeds are fixed, so the suite is deterministic.
"""

from __future__ import annotations

import numpy as np
import pytest

from droplint.reference import classic_dropout, inverted_dropout

SIGMAS = 5.0
N = 100_000


def mean_bound(x: np.ndarray, p: float) -> float:
    """SIGMAS standard errors of mean(y) for inverted dropout of x at drop probability p."""
    x = x.astype(np.float64).ravel()
    return SIGMAS * np.sqrt(np.sum(x**2) * p / (1 - p)) / x.size


def zero_fraction_bound(n: int, p: float) -> float:
    return SIGMAS * np.sqrt(p * (1 - p) / n)


@pytest.fixture
def x():
    # Strictly positive, so a zero in the output can only come from the mask.
    return np.random.default_rng(0).uniform(0.5, 1.5, size=N)


@pytest.mark.parametrize("p", [0.1, 0.3, 0.5, 0.8])
def test_training_preserves_the_mean(x, p):
    y, _ = inverted_dropout(x, p, rng=1)
    assert abs(y.mean() - x.mean()) < mean_bound(x, p)


@pytest.mark.parametrize("p", [0.1, 0.3, 0.5, 0.8])
def test_zero_fraction_is_p(x, p):
    y, mask = inverted_dropout(x, p, rng=2)
    assert abs(np.mean(y == 0) - p) < zero_fraction_bound(x.size, p)
    # Zeros are exactly the dropped units, and kept units are scaled by 1 / (1 - p).
    assert np.array_equal(y == 0, ~mask)
    assert np.allclose(y[mask], x[mask] / (1 - p))


def test_bounds_catch_an_unscaled_mask(x):
    # The statistical bound is tight enough to tell inverted dropout from a mask
    # applied without 1 / (1 - p): the oracle tests of the fixes rely on it.
    p = 0.3
    unscaled = x * (np.random.default_rng(3).random(x.shape) >= p)
    assert abs(unscaled.mean() - x.mean()) > mean_bound(x, p)


@pytest.mark.parametrize("p", [0.0, 0.5])
def test_inference_is_the_identity(x, p):
    y, mask = inverted_dropout(x, p, training=False, rng=4)
    assert np.array_equal(y, x)
    assert mask.all()


def test_zero_rate_in_training_is_the_identity(x):
    y, mask = inverted_dropout(x, 0.0, training=True, rng=5)
    assert np.array_equal(y, x) and mask.all()


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("training", [True, False])
def test_dtype_and_shape_are_kept(dtype, training):
    x = np.random.default_rng(6).normal(size=(4, 3, 5)).astype(dtype)
    for function in (inverted_dropout, classic_dropout):
        y, mask = function(x, 0.25, training=training, rng=7)
        assert y.dtype == dtype and y.shape == x.shape and mask.shape == x.shape


def test_a_seed_or_a_generator_is_reproducible(x):
    first, mask1 = inverted_dropout(x, 0.4, rng=123)
    second, mask2 = inverted_dropout(x, 0.4, rng=np.random.default_rng(123))
    assert np.array_equal(first, second) and np.array_equal(mask1, mask2)
    other, _ = inverted_dropout(x, 0.4, rng=124)
    assert not np.array_equal(first, other)


def test_input_is_not_modified(x):
    before = x.copy()
    inverted_dropout(x, 0.5, rng=8)
    inverted_dropout(x, 0.5, training=False)
    assert np.array_equal(x, before)


@pytest.mark.parametrize("p", [-0.1, 1.5, float("nan")])
def test_rates_outside_the_unit_interval_are_errors(p):
    for function in (inverted_dropout, classic_dropout):
        with pytest.raises(ValueError, match=r"dropout probability must be in \[0, 1\)"):
            function(np.ones(3), p)


@pytest.mark.parametrize("p", [True, "0.5", None])
def test_rates_that_are_not_numbers_are_errors(p):
    with pytest.raises(TypeError, match="dropout probability must be a number"):
        inverted_dropout(np.ones(3), p)


def test_rate_one_is_an_error_in_training_only():
    with pytest.raises(ValueError, match="drops every unit"):
        inverted_dropout(np.ones(3), 1.0)
    y, _ = inverted_dropout(np.ones(3), 1.0, training=False)
    assert np.array_equal(y, np.ones(3))


def test_bad_rng_is_an_error():
    with pytest.raises(TypeError, match="rng"):
        inverted_dropout(np.ones(3), 0.5, rng="seed")


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_classic_dropout_matches_expectations_across_modes(x, p):
    trained, mask = classic_dropout(x, p, rng=9)
    inferred, _ = classic_dropout(x, p, training=False)
    # Training is unscaled: E[y] = (1 - p) x; inference multiplies by 1 - p to match.
    assert np.array_equal(trained[mask], x[mask])
    assert abs(trained.mean() - (1 - p) * x.mean()) < mean_bound(x, p) * (1 - p)
    assert np.allclose(inferred, (1 - p) * x)
    assert abs(np.mean(trained == 0) - p) < zero_fraction_bound(x.size, p)
