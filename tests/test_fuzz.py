"""Fuzzing in the suite: small and deterministic (derandomized), so CI sees the same inputs
every run. scripts/fuzz.py runs the same properties for as many examples as you like."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from fuzzing import ROOT, check_source, mutated_fixture, valid_python

# hypothesmith compiles what it draws; a call on a literal only warns.
pytestmark = pytest.mark.filterwarnings("ignore::SyntaxWarning")


def fuzz(examples: int) -> settings:
    return settings(
        max_examples=examples,
        derandomize=True,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


@fuzz(100)
@given(valid_python())
def test_any_valid_python_is_checked_profiled_and_fixed_without_a_crash(code):
    check_source(code)


@fuzz(200)
@given(mutated_fixture())
def test_every_fixture_mutated_is_checked_profiled_and_fixed_without_a_crash(code):
    check_source(code)


def test_what_the_fuzzer_found_stays_fixed():
    # scripts/fuzz.py, example ~3,700 of its first long run: a 401-digit module constant
    # as a rate was an internal error (OverflowError) before rates became numbers.
    fixture = (ROOT / "fixtures" / "keras" / "sequential_add.py").read_text(encoding="utf-8")
    assert "HIDDEN_RATE = 0.4" in fixture
    check_source(fixture.replace("HIDDEN_RATE = 0.4", "HIDDEN_RATE = " + "1" * 401))
