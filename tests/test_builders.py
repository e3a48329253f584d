"""The claim builders: Comparison arithmetic, the perturbation test, null models, and the
errors a malformed declaration gives."""

from __future__ import annotations

import math

import mpmath
import pytest

from flowcert.claims.base import RateFit
from flowcert.claims.builders import (
    EXPONENT_PERTURBATION,
    ClaimDefinitionError,
    Finding,
    NullModel,
    exact_claim,
    qualitative_claim,
    symbolic_checks,
)
from flowcert.claims.comparison import Comparison

TEXT = {"title": "t", "provenance": "D", "source": "s", "statement": "x = y", "theory": "t",
        "experiment": "e", "comparison": "c", "parameters": {}}


def _comparison(bits: int, pairs) -> Comparison:
    comparison = Comparison(bits)
    for observed, predicted in pairs:
        comparison.add(observed, predicted)
    return comparison


def test_errors_are_relative_to_the_prediction_and_nan_counts_as_infinite():
    comparison = _comparison(53, [(1.0 + 1e-12, 1.0), (2.0, 2.0 + 4e-12)])
    absolute, relative = comparison.errors()
    assert absolute == pytest.approx(4e-12, rel=1e-3)
    assert relative == pytest.approx(2e-12, rel=1e-3)
    comparison.add(math.nan, 1.0)
    assert comparison.errors() == (math.inf, math.inf)
    assert not comparison.run(1e-9).passed


def test_detectable_perturbation_is_exact_for_one_pair():
    """o = 1, p = 1 + d: with factor 1 + ε the error is |d + ε(1 + d)|; it crosses the
    tolerance t at ε = (t − d)/(1 + d) upward and (t + d)/(1 + d) downward."""
    with mpmath.workdps(40):
        d, t = mpmath.mpf("1e-15"), 1e-12
        comparison = _comparison(113, [(mpmath.mpf(1), 1 + d)])
        expected = float((t + d) / (1 + d))
        assert comparison.detectable_perturbation(t) == pytest.approx(expected, rel=1e-9)
        run = comparison.run(t)
        assert run.perturbed(1.01 * expected).max_rel_error > t
        assert run.perturbed(-1.01 * expected).max_rel_error > t
        assert run.perturbed(0.99 * float((t - d) / (1 + d))).max_rel_error <= t


def test_a_failing_comparison_detects_everything_and_zero_predictions_nothing():
    assert _comparison(53, [(1.1, 1.0)]).detectable_perturbation(1e-3) == 0.0
    zero = Comparison(53)
    zero.add(1e-20, 0.0, scale=1.0)
    assert zero.detectable_perturbation(1e-12) is None


def _measure(gap: dict[int, float]):
    """A fake experiment: observed = 1 + gap[bits] against a predicted 1."""
    def measure(bits, _series):
        comparison = Comparison(bits)
        comparison.add(1 + mpmath.mpf(gap[bits]), mpmath.mpf(1))
        return comparison.run(1e-10 if bits == 53 else 1e-30, steps=1)
    return measure


def test_exact_claim_passes_and_proves_it_can_fail():
    claim = exact_claim(id="XX1", measure=_measure({53: 1e-13, 113: 1e-33}), **TEXT)
    outcome = claim.run((53, 113))
    assert outcome.passed
    assert outcome.sharpness is not None and not outcome.sharpness.perturbed_passed
    assert [run.detects for run in outcome.runs][1] == pytest.approx(1e-30, rel=1e-2)


def test_a_closed_form_that_already_fails_is_said_to_fail_unperturbed():
    """Its detectable perturbation is 0; the evidence must not read "detects 0"."""
    outcome = exact_claim(id="XX5", measure=_measure({53: 1e-3}), **TEXT).run((53,))
    assert not outcome.passed
    assert "53 bits — (fails unperturbed)" in outcome.sharpness.evidence[0]


def test_a_check_too_loose_to_see_a_perturbation_is_vacuous():
    """Budgets of 1e-6 at every rung cannot see a 1e-9 error in the closed form."""
    def loose(bits, _series):
        comparison = Comparison(bits)
        comparison.add(mpmath.mpf(1), mpmath.mpf(1))
        return comparison.run(1e-6, steps=1)
    outcome = exact_claim(id="XX2", measure=loose, **TEXT).run((53,))
    assert not outcome.passed
    assert any("vacuous" in line for line in outcome.evidence)


def _fit(low: float, high: float) -> RateFit:
    return RateFit("gap", "n", (low + high) / 2, low, high, -0.5, [1, 2, 3, 4], [1, 1, 1, 1],
                   4, "log e = a + r log n")


def test_a_fit_too_wide_to_reject_a_wrong_exponent_is_vacuous():
    tight = exact_claim(id="XX3", fits=(lambda: _fit(-0.6, -0.4),), **TEXT).run(())
    wide = exact_claim(id="XX4", fits=(lambda: _fit(-0.5 - EXPONENT_PERTURBATION - 0.01,
                                                    -0.4),), **TEXT).run(())
    assert tight.passed and not wide.passed


def _qualitative(null_passes: bool):
    return qualitative_claim(
        id="XX5", observe=lambda: 3, check=lambda value: Finding(value > 2, [f"{value} > 2"]),
        null_models=(NullModel("no effect", "the value without the effect",
                               lambda: 3 if null_passes else 1),), **TEXT)


def test_a_null_model_must_fail_the_same_check():
    good = _qualitative(null_passes=False).run(())
    assert good.passed and [n.verdict for n in good.null_models] == ["fail"]
    assert good.null_models[0].evidence == ["1 > 2"]   # judged by the claim's own check
    vacuous = _qualitative(null_passes=True).run(())
    assert not vacuous.passed
    assert any("vacuous" in line for line in vacuous.evidence)


@pytest.mark.parametrize(("changes", "message"), [
    ({"id": "my1"}, "upper-case"),
    ({"title": " "}, "title must be a non-empty string"),
    ({"null_models": ()}, "null model"),
])
def test_malformed_declarations_are_one_line_errors(changes, message):
    declaration = TEXT | {"id": "XX6", "observe": lambda: 1,
                          "check": lambda _value: Finding(True),
                          "null_models": (NullModel("n", "d", lambda: 0),)} | changes
    with pytest.raises(ClaimDefinitionError, match=message):
        qualitative_claim(**declaration)


def test_an_exact_claim_needs_a_measure_or_a_fit():
    with pytest.raises(ClaimDefinitionError, match="needs a measure, a fit or a check"):
        exact_claim(id="XX7", **TEXT)


def test_symbolic_checks_fail_when_a_claim_finds_none_of_its_identities():
    assert symbolic_checks({"a": True, "b": True}).passed
    assert not symbolic_checks({"a": True, "b": False}).passed
    empty = symbolic_checks({})     # e.g. a claim id that matches no identity name
    assert not empty.passed and "vacuous" in empty.evidence[0]
