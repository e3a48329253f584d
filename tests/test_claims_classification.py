"""Claims CL1–CL8, properties over their domains (on the integrated ReLU networks), their
sharpness, and negative controls.

Default run: every claim on (53, 113) bits (the 256-bit rung adds MPFR compilation and event
root finding; it runs under ``-m slow`` and in ``flowcert check``).
"""

from __future__ import annotations

import math
from functools import cache

import mpmath
import pytest
from hypothesis import given, settings

from flowcert.claims import classification as cl_claims
from flowcert.claims.base import ClaimClass
from flowcert.claims.tolerances import trajectory_tolerance
from flowcert.theory import classification

DEFAULT_LADDER = (53, 113)
FULL_LADDER = (53, 113, 256)
CLAIMS = {claim.id: claim for claim in cl_claims.CLAIMS}
CLAIM_IDS = tuple(f"CL{k}" for k in range(1, 9))


@pytest.fixture(scope="module")
def outcome(claim_outcome):
    """outcome(claim_id): the claim's Outcome on DEFAULT_LADDER, computed once per session."""
    return lambda claim_id: claim_outcome(claim_id, DEFAULT_LADDER)


def test_catalogue_holds_cl1_to_cl8_all_exact():
    assert tuple(CLAIMS) == CLAIM_IDS
    assert all(c.claim_class == ClaimClass.EXACT for c in CLAIMS.values())


@pytest.mark.parametrize("claim_id", CLAIM_IDS)
def test_claim_passes_and_error_shrinks(outcome, claim_id):
    result = outcome(claim_id)
    assert result.passed, result.evidence
    low, high = result.runs
    assert high.max_rel_error <= high.tolerance
    # ε_113/ε_53 = 2^-112/2.5e-14 ≈ 8e-21: a drop of 1e-15 separates shrinking from a plateau
    assert high.max_rel_error <= 1e-15 * max(low.max_rel_error, 1e-30)
    assert any(line.startswith(f"{claim_id} ") and "symbolic identities hold" in line
               for line in result.evidence)


@pytest.mark.parametrize("claim_id", CLAIM_IDS)
def test_perturbed_closed_form_fails_every_ladder(outcome, claim_id):
    """Sharpness: the ladder re-judged with every prediction × (1 + 1e-9) fails."""
    result = outcome(claim_id)
    assert result.sharpness is not None and not result.sharpness.perturbed_passed
    assert all(run.detects is not None and run.detects > 0 for run in result.runs)
    assert result.runs[-1].detects < 1e-9


@pytest.mark.slow
@pytest.mark.parametrize("claim_id", CLAIM_IDS)
def test_claim_passes_on_the_full_ladder(claim_id):
    result = CLAIMS[claim_id].run(FULL_LADDER)
    assert result.passed, result.evidence


def test_cl6_regions_all_match(outcome):
    series = outcome("CL6").series
    for loss in ("cross_entropy", "hinge"):
        assert all(e["observed"] == e["theory"] for e in series[loss])
        assert {e["observed"] for e in series[loss]} == {"dead", "dies", "stalls", "succeeds"}


def test_cl4_null_model_unbalanced_unit_fails(outcome):
    """The universal margin is a law of balanced units: on an unbalanced one (c = 0.32) the
    same measurement fails at every precision."""
    nulls = outcome("CL4").null_models
    assert [n.name for n in nulls] == ["unbalanced unit"]
    assert not nulls[0].passed
    assert all("EXCEEDED" in line for line in nulls[0].evidence if "bits:" in line)


def test_cl3_ratio_is_twice_only_logarithmically(outcome):
    ratio = outcome("CL3").series["ratio"]
    assert ratio["exact"] == sorted(ratio["exact"], reverse=True)
    assert ratio["exact"][0] > 2.25 and 2 < ratio["exact"][-1] < 2.02
    assert ratio["network_u0_0.01"] == pytest.approx(ratio["exact"][0], rel=1e-9)


# ----------------------------------------------------------------------------- properties


@settings(max_examples=25)
@given(CLAIMS["CL4"].domain())
def test_cl4_inflection_at_the_universal_margin_for_all_r_and_u0(parameters):
    """The zero of ë on the integrated network (event detection, 53 bits) sits at u*; the
    margin there carries the trajectory budget n·ε·A of the two integrations."""
    r, u0 = parameters["r"], parameters["u0"]
    found = cl_claims.inflection_events(r, u0)
    _, margin = found["error"]
    target = float(classification.inflection_margin())
    budget = 2 * trajectory_tolerance(53, found["steps"], cl_claims.AMPLIFICATION)
    assert abs(margin - target) <= budget * target


@cache
def _unit_time(loss: str) -> tuple:
    """The network's time to u = 1 at p = r = 1 (u0 = 0.01)."""
    return cl_claims.mode_level_time(1.0, 1.0, 0.01, 1.0, loss)


@settings(max_examples=25)
@given(CLAIMS["CL5"].domain())
def test_cl5_times_scale_as_one_over_p_r(parameters):
    """t(p, r)·p·r is the same for every (p, r) — checked on the network alone, no theory."""
    p, r = parameters["p"], parameters["r"]
    for loss in ("cross_entropy", "hinge"):
        scaled, steps = cl_claims.mode_level_time(p, r, 0.01, 1.0, loss)
        reference, reference_steps = _unit_time(loss)
        budget = trajectory_tolerance(53, steps + reference_steps, cl_claims.AMPLIFICATION)
        assert math.isclose(scaled * p * r, reference, rel_tol=budget)


@settings(max_examples=25)
@given(CLAIMS["CL6"].domain())
def test_cl6_regions_follow_the_sign_of_abs_a0_minus_b0(parameters):
    a0, b0 = parameters["a0"], parameters["b0"]
    expected = "dead" if b0 <= 0 else ("succeeds" if abs(a0) < b0 or a0 >= 0 else "dies")
    for loss in ("cross_entropy", "hinge"):
        region, _ = cl_claims.observed_region(a0, b0, 1.5, loss)
        assert region == expected


# ----------------------------------------------------------------------------- controls


def test_perturbed_inflection_value_fails(monkeypatch):
    original = classification.inflection_margin
    monkeypatch.setattr(classification, "inflection_margin",
                        lambda: original() * (1 + mpmath.mpf("1e-6")))
    result = CLAIMS["CL4"].run(DEFAULT_LADDER)
    assert not result.passed
    assert not any(run.passed for run in result.runs)


def test_wrong_clock_coefficient_fails_cl2(monkeypatch):
    """2rt → 2.000002 rt: a relative error 1e-6 in every time."""
    original = classification.cross_entropy_time
    monkeypatch.setattr(classification, "cross_entropy_time",
                        lambda *args: original(*args) / (1 + mpmath.mpf("1e-6")))
    assert not CLAIMS["CL2"].run((53,)).passed


def test_wrong_region_rule_fails_cl6(monkeypatch):
    """The boundary a0 < b0 instead of |a0| < b0 misclassifies every dying unit."""
    monkeypatch.setattr(classification, "failure_region",
                        lambda a0, b0: "dead" if b0 <= 0 else ("succeeds" if a0 < b0 else "dies"))
    result = CLAIMS["CL6"].run((53,))
    assert not result.passed
    assert any("region mismatch" in line for line in result.evidence)


def test_wrong_chain_depth_fails_cl8(monkeypatch):
    """Times of a chain twice as deep (exponent 2 − 1/L, prefactor 2L): O(1) changes."""
    original = classification.chain_time
    monkeypatch.setattr(classification, "chain_time",
                        lambda u, u0, r, depth, loss="cross_entropy":
                        original(u, u0, r, 2 * depth, loss) if depth > 2 else
                        original(u, u0, r, depth, loss))
    assert not CLAIMS["CL8"].run((53,)).passed


def test_wrong_power_of_the_fraction_fails_cl5(monkeypatch):
    """t ∝ 1/(p² r) instead of 1/(p r): the cases with p ≠ 1 expose it."""
    original = classification.cross_entropy_time
    monkeypatch.setattr(classification, "cross_entropy_time",
                        lambda u, u0, r, fraction=1: original(u, u0, r, fraction**2))
    assert not CLAIMS["CL5"].run((53,)).passed


def test_wrong_power_of_the_input_norm_fails_cl8(monkeypatch):
    """Chain times with r^{1/L} in place of r^{2/L} (r = 1.3 ≠ 1)."""
    original = classification.chain_time
    monkeypatch.setattr(classification, "chain_time",
                        lambda u, u0, r, depth, loss="cross_entropy":
                        original(u, u0, r, depth, loss) * r ** (type(r)(1) / depth))
    assert not CLAIMS["CL8"].run((53,)).passed


def test_cl3_ratio_check_sees_a_wrong_constant(monkeypatch):
    """The CE clock off by 1e-3 in its Ei(1) term leaves the ratio near 2.28 but breaks
    E(u0) → Ei(1) − γ (and the network's ratio)."""
    original = classification.cross_entropy_time
    monkeypatch.setattr(classification, "cross_entropy_time",
                        lambda *args: original(*args) * (1 + mpmath.mpf("1e-3")))
    assert not cl_claims._cl3_ratio({}).passed


def test_failed_symbolic_identity_fails_the_claim(monkeypatch):
    monkeypatch.setattr(classification, "claim_checks",
                        lambda claim_id: {"a wrong identity": False})
    result = CLAIMS["CL2"].run((53,))
    assert not result.passed
    assert any("FAILED: a wrong identity" in line for line in result.evidence)


def test_detectable_perturbation_agrees_with_a_real_rerun(monkeypatch, outcome):
    """CL2 at 113 bits: a clock off by 1.01 × the computed threshold (either sign) fails on a
    real rerun; off by half of it, at least one sign still passes."""
    threshold = {r.precision_bits: r for r in outcome("CL2").runs}[113].detects
    original = classification.cross_entropy_time

    def rerun(epsilon: float) -> bool:
        monkeypatch.setattr(classification, "cross_entropy_time",
                            lambda *a: original(*a) * (1 + mpmath.mpf(epsilon)))
        return CLAIMS["CL2"].run((113,)).runs[0].passed

    assert not rerun(1.01 * threshold) and not rerun(-1.01 * threshold)
    assert rerun(0.5 * threshold) or rerun(-0.5 * threshold)
