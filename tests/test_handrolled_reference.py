"""Oracle tests: droplint's fixes of hand-rolled dropout behave like droplint.reference.

Each fixture in fixtures/handrolled/ is our own code and defines
`dropout(x, p, training, rng)`. The test runs it (NumPy, or PyTorch for `torch_*`
fixtures) on a seeded random array before and after `droplint check --unsafe-fixes`
(through `droplint.testing.fix_snippet`), and checks the runtime facts of inverted
dropout that `droplint.reference.inverted_dropout` defines:

- training preserves the mean: |mean(y) - mean(x)| within SIGMAS standard errors;
- the fraction of zeros is p, within SIGMAS standard errors;
- inference is the identity.

The defect fixtures fail at least one of these before the fix and pass all after it;
the correct ones pass without any change. Bounds are derived in tests/test_reference.py.
"""

from __future__ import annotations

import pathlib

import numpy as np
import pytest

from droplint.reference import inverted_dropout
from droplint.testing import fix_snippet, lint_snippet

FIXTURES = pathlib.Path(__file__).resolve().parent.parent / "fixtures" / "handrolled"
N = 100_000
SIGMAS = 5.0
RATES = (0.2, 0.6)  # two rates, so p and 1 - p are never the same number

# fixture -> the DL4 codes droplint reports on it
EXPECTED = {
    "numpy_inverted.py": set(),
    "numpy_where_inverted.py": set(),
    "torch_inverted.py": set(),
    "torch_drop_path.py": set(),
    "torch_scale_before_mask.py": set(),
    "torch_scale_after_mask.py": set(),
    "torch_continuous_noise.py": {"DL402"},
    "numpy_unscaled.py": {"DL401"},
    "torch_unscaled.py": {"DL401"},
    "numpy_floor_unscaled.py": {"DL401"},
    "numpy_keeps_with_drop.py": {"DL402"},
    "numpy_normal_mask.py": {"DL402"},
    "torch_bernoulli_drop.py": {"DL402"},
    "numpy_wrong_scale.py": {"DL403"},
    "torch_shrinking_scale.py": {"DL403"},
    "numpy_wrong_compensation.py": {"DL403"},
    "numpy_double_scaling.py": {"DL404"},
    "torch_double_scaling.py": {"DL404"},
    "numpy_classic.py": {"DL405"},
    "numpy_always_on.py": {"DL406"},
}
FIXABLE = {"DL401", "DL402", "DL403", "DL404"}
CORRECT = sorted(name for name, codes in EXPECTED.items() if not codes)
DEFECTS = sorted(name for name, codes in EXPECTED.items() if codes & FIXABLE)


def source(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def load(text: str, name: str):
    """The fixture's `dropout` function (our own fixture code, run on purpose)."""
    namespace: dict = {"__name__": f"fixture_{name[:-3]}"}
    exec(compile(text, name, "exec"), namespace)  # noqa: S102 - our own fixture
    return namespace["dropout"]


def run(function, name: str, x: np.ndarray, p: float, training: bool, seed: int) -> np.ndarray:
    if name.startswith("torch_"):
        import torch

        generator = torch.Generator().manual_seed(seed)
        return function(torch.from_numpy(x.copy()), p, training, generator).numpy()
    return np.asarray(function(x.copy(), p, training, np.random.default_rng(seed)))


def statistics_problems(function, name: str) -> list[str]:
    """Where a dropout function differs from inverted dropout (empty: it matches)."""
    x = np.random.default_rng(0).uniform(0.5, 1.5, size=N)  # nonzero: zeros come from the mask
    problems = []
    for p in RATES:
        trained = run(function, name, x, p, True, seed=1)
        reference, _ = inverted_dropout(x, p, rng=1)
        mean_error = SIGMAS * np.sqrt(np.sum(x**2) * p / (1 - p)) / N
        zero_error = SIGMAS * np.sqrt(p * (1 - p) / N)
        # The reference itself meets the bounds (so they are the right ones).
        assert abs(reference.mean() - x.mean()) < mean_error
        assert abs(np.mean(reference == 0) - p) < zero_error
        if trained.shape != x.shape:
            problems.append(f"p={p}: shape {trained.shape}")
            continue
        if not abs(trained.mean() - x.mean()) < mean_error:
            problems.append(f"p={p}: training mean {trained.mean():.4f}, input mean {x.mean():.4f}")
        if not abs(np.mean(trained == 0) - p) < zero_error:
            problems.append(f"p={p}: zero fraction {np.mean(trained == 0):.4f}")
        inferred = run(function, name, x, p, False, seed=2)
        if not np.allclose(inferred, x):
            problems.append(f"p={p}: inference is not the identity")
    return problems


def test_every_fixture_has_an_expectation():
    assert sorted(p.name for p in FIXTURES.glob("*.py")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_fixture_findings(name):
    result = lint_snippet(source(name), select=("DL4",))
    assert result.errors == []
    assert {d.code for d in result.diagnostics} == EXPECTED[name]


@pytest.mark.parametrize("name", CORRECT)
def test_correct_fixture_matches_the_reference(name):
    assert statistics_problems(load(source(name), name), name) == []
    assert fix_snippet(source(name), select=("DL4",), unsafe=True) == source(name)


@pytest.mark.parametrize("name", DEFECTS)
def test_fix_turns_the_defect_into_the_reference(name):
    before = source(name)
    assert statistics_problems(load(before, name), name) != [], "the defect should show at runtime"
    after = fix_snippet(before, select=("DL4",), unsafe=True)
    assert after != before
    assert statistics_problems(load(after, name), name) == [], after
    # Fixed code is clean for every hand-rolled rule, and the docstring and comments survive.
    assert [d.code for d in lint_snippet(after, select=("DL4",)).diagnostics] == []
    assert after.splitlines()[0] == before.splitlines()[0]


def test_classic_fixture_matches_classic_dropout_and_gets_no_fix():
    # DL405 is information: classic dropout is consistent, only not inverted.
    from droplint.reference import classic_dropout

    name = "numpy_classic.py"
    function = load(source(name), name)
    x = np.random.default_rng(0).uniform(0.5, 1.5, size=N)
    p = 0.3
    trained = run(function, name, x, p, True, seed=1)
    expected, _ = classic_dropout(x, p, rng=1)
    assert np.array_equal(trained, expected)  # the same draw: u >= p
    assert np.allclose(run(function, name, x, p, False, seed=2), classic_dropout(x, p, training=False)[0])
    assert statistics_problems(function, name) != []
    assert fix_snippet(source(name), select=("DL4",), unsafe=True) == source(name)


def test_always_on_fixture_is_random_at_inference_and_gets_no_fix():
    name = "numpy_always_on.py"
    function = load(source(name), name)
    x = np.random.default_rng(0).uniform(0.5, 1.5, size=N)
    assert np.mean(run(function, name, x, 0.5, False, seed=3) == 0) > 0.45
    assert fix_snippet(source(name), select=("DL4",), unsafe=True) == source(name)


def test_rewrite_templates_are_the_reference_inverted_dropout():
    # The DL4xx fixes write droplint.reference.TRAINING / TRAINING_IN_PLACE / INFERENCE in
    # the user's names; evaluated with NumPy, they must be inverted_dropout itself.
    from droplint import reference

    x = np.random.default_rng(0).uniform(0.5, 1.5, size=N)
    p = 0.3
    expected, mask = inverted_dropout(x, p, rng=7)
    names = {"x": x.copy(), "mask": mask, "p": p}
    training = reference.TRAINING.format(x="x", mask="mask", keep="(1 - p)")
    # Equal up to rounding: the reference multiplies by 1 / (1 - p), the template divides.
    assert np.allclose(eval(training, {}, names), expected, rtol=1e-12, atol=0)  # noqa: S307 - our own template
    exec(f"x *= {reference.TRAINING_IN_PLACE.format(mask='mask', keep='(1 - p)')}", {}, names)  # noqa: S102
    assert np.allclose(names["x"], expected, rtol=1e-12, atol=0)
    inference = reference.INFERENCE.format(x="x")
    assert np.array_equal(eval(inference, {}, {"x": x}), inverted_dropout(x, p, training=False)[0])  # noqa: S307


@pytest.mark.parametrize("name", ["numpy_wrong_scale.py", "numpy_unscaled.py"])
def test_fixes_write_the_reference_template(name):
    # The fixed text holds the template's shape, `... / (1 - p)`, and the message names
    # the same form the rule page shows beside the reference source.
    from droplint import reference

    after = fix_snippet(source(name), select=("DL4",), unsafe=True)
    keep = "(1 - p)"
    assert reference.TRAINING.split("{mask}")[1].format(keep=keep) in after
    message = lint_snippet(source(name), select=("DL4",)).diagnostics[0].message
    assert "`droplint reference` prints it" in message
    assert "in training and `x` at inference" in message


def test_reference_usage_example_runs_as_printed(capsys):
    from droplint import reference

    exec(compile(reference.USAGE, "USAGE", "exec"), {})  # noqa: S102 - our own example
    assert capsys.readouterr().out == "mean 1.00, dropped 0.20\nTrue\n"
