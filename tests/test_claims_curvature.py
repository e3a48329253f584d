"""Claims CV1–CV6: verdicts, the CV3 slope table, the Sharpness rule (precision ladders
against independent evaluations, null models), negative controls, seed repeatability.

Statistical claims draw from FLOWCERT_SEED (claims.statistics.base_seed); outcomes come from
the session cache (``claim_outcome``) at the default seed. The heavy Monte Carlo claims (CV3,
CV5) and the five-seed repetition are marked slow.
"""

from __future__ import annotations

import json
import math

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings

from flowcert.claims import curvature as cv_claims
from flowcert.claims import statistics
from flowcert.claims.base import ClaimClass
from flowcert.numerics import monte_carlo
from flowcert.theory import curvature

CLAIMS = {claim.id: claim for claim in cv_claims.CLAIMS}
LADDER = (53, 113)
LADDER_IDS = ("CV1", "CV3", "CV4", "CV5", "CV6")


@pytest.fixture(scope="module")
def outcome_of(claim_outcome):
    """outcome_of(claim_id): the claim on LADDER at the default seed, computed once."""
    return lambda claim_id: claim_outcome(claim_id, LADDER)


def test_catalogue_has_cv1_to_cv6_with_classes_and_json_parameters():
    assert tuple(CLAIMS) == ("CV1", "CV2", "CV3", "CV4", "CV5", "CV6")
    assert [CLAIMS[i].claim_class for i in CLAIMS] == [
        ClaimClass.STATISTICAL, ClaimClass.EXACT, ClaimClass.STATISTICAL,
        ClaimClass.STATISTICAL, ClaimClass.EXACT, ClaimClass.EXACT]
    for claim in CLAIMS.values():
        assert claim.family == "CV" and claim.provenance == "D"
        json.dumps(claim.parameters)
    for claim_id in ("CV1", "CV2", "CV3", "CV4", "CV5"):  # one per Monte Carlo part
        assert len(CLAIMS[claim_id].null_models) == 1


@pytest.mark.parametrize("claim_id", ["CV1", "CV2", "CV4", "CV6"])
def test_light_claims_pass_and_their_series_are_json(outcome_of, claim_id):
    outcome = outcome_of(claim_id)
    assert outcome.passed, outcome.evidence
    json.dumps(outcome.series)
    json.dumps(outcome.to_json())


@pytest.mark.parametrize("claim_id", ["CV1", "CV2", "CV4"])
def test_null_models_of_the_monte_carlo_parts_fail(outcome_of, claim_id):
    nulls = outcome_of(claim_id).null_models
    assert len(nulls) == 1 and not nulls[0].passed
    assert any("VIOLATED" in line or "NOT contained" in line for line in nulls[0].evidence)


def test_cv6_passes_on_the_ladder_with_shrinking_error(outcome_of):
    outcome = outcome_of("CV6")
    assert outcome.passed, outcome.evidence
    runs = outcome.runs
    assert [r.precision_bits for r in runs] == list(LADDER)
    # Budgets n·(d+2)·u·A fall by 2^-60 from 53 to 113 bits; 1e-15 is far looser.
    assert runs[-1].max_rel_error <= 1e-15 * runs[0].max_rel_error


@pytest.mark.parametrize("claim_id", ["CV1", "CV4", "CV6"])
def test_perturbed_closed_form_fails_the_ladder(outcome_of, claim_id):
    """Sharpness: every prediction × (1 + 1e-9) fails the ladder; 113 bits detect < 1e-20."""
    outcome = outcome_of(claim_id)
    assert outcome.sharpness is not None and not outcome.sharpness.perturbed_passed
    assert all(run.detects is not None and run.detects > 0 for run in outcome.runs)
    assert outcome.runs[-1].detects < 1e-20


def test_detectable_perturbation_agrees_with_a_real_rerun(monkeypatch, outcome_of):
    """CV4 at 113 bits: the three ReLU closed forms off by 1.01 × the computed threshold
    (either sign) fail a real rerun of the ladder's measurement; by half of it, one sign
    passes."""
    threshold = {r.precision_bits: r for r in outcome_of("CV4").runs}[113].detects
    names = ("relu_log_ratio_mean", "relu_log_ratio_variance", "relu_death_probability")
    originals = {name: getattr(curvature, name) for name in names}

    def rerun(epsilon: float) -> bool:
        for name, original in originals.items():
            monkeypatch.setattr(curvature, name, lambda width, f=original:
                                f(width) * (1 + mpmath.mpf(epsilon)))
        return cv_claims._measure_cv4(113, {}).passed

    assert not rerun(1.01 * threshold) and not rerun(-1.01 * threshold)
    assert rerun(0.5 * threshold) or rerun(-0.5 * threshold)


def test_cv4_states_the_approximation_as_leading_order_only(outcome_of):
    outcome = outcome_of("CV4")
    fits = {f.predicted: f for f in outcome.fits}
    assert fits[-2.0].passed and fits[-3.0].passed
    for fit in fits.values():
        assert fit.resolution < 0.25
    assert "49/(12d²)" in CLAIMS["CV4"].title and "49/(12 d^2)" in CLAIMS["CV4"].statement
    assert any("−5/(2d)" in line and "leading term" in line for line in outcome.evidence)


# ----------------------------------------------------------------------------- controls


def test_cv1_fails_with_a_wrong_log_mean_constant(monkeypatch):
    # γ/2 instead of (γ + ln 2)/2: off by ln 2/2 = 0.35 per layer.
    monkeypatch.setattr(curvature, "chain_log_mean",
                        lambda depth, scale: depth * (math.log(scale) - float(mpmath.euler) / 2))
    outcome = CLAIMS["CV1"].run((53,))
    assert not outcome.passed
    assert any("E log|∏w|" in line and "VIOLATED" in line for line in outcome.evidence)


def test_cv3_margin_with_the_wrong_sign_fails_the_ladder(monkeypatch):
    """The mutation −1/d − drift → 1/d − drift keeps both margins positive; compared with
    their independent values (mpmath ψ at each width) it fails at every precision."""
    def mutated(width):
        width = mpmath.mpf(width)
        drift = curvature.xavier_drift(width)
        return drift + 2 / width, 1 / width - drift

    monkeypatch.setattr(curvature, "drift_bound_margins", mutated)
    assert all(min(mutated(d)) > 0 for d in (1, 4, 64))
    assert not cv_claims._measure_cv3(53, {}).passed
    assert not cv_claims._measure_cv3(113, {}).passed


def test_cv3_ladder_detects_a_drift_off_by_a_small_term(monkeypatch):
    """A drift with a spurious 1e-15/d² term (far below float64 resolution of the margins
    and invisible to the Monte Carlo) passes at 53 bits and fails at 113 bits."""
    original = curvature.xavier_drift
    monkeypatch.setattr(curvature, "xavier_drift",
                        lambda width: original(width) + mpmath.mpf("1e-15") / width**2)
    assert cv_claims._measure_cv3(53, {}).passed
    assert not cv_claims._measure_cv3(113, {}).passed


def test_cv4_second_order_coefficient_is_pinned_by_its_rate(monkeypatch):
    """−4/d² instead of −49/(12d²): the remainder is then O(d⁻²), not O(d⁻³)."""
    monkeypatch.setattr(curvature, "relu_drift_second_order",
                        lambda width: mpmath.mpf(-4) / width**2)
    assert not cv_claims._cv4_rate_fit(False).passed


def test_cv5_closed_form_with_a_wrong_power_fails_the_ladder(monkeypatch):
    """(dσ²)^L instead of (dσ²)^{L−1}: invisible at Xavier σ² = 1/d, caught at σ = 0.6."""
    monkeypatch.setattr(curvature, "jacobian_trace_mean",
                        lambda width, depth, scale, input_norm_sq=1:
                        depth * width * (width * scale**2) ** depth * input_norm_sq)
    assert not cv_claims._measure_cv5(53, {}).passed


@pytest.mark.slow
def test_cv4_fails_with_a_five_percent_error_in_the_exact_sum(monkeypatch):
    original = curvature.relu_log_ratio_mean
    monkeypatch.setattr(curvature, "relu_log_ratio_mean", lambda width: original(width) * 1.05)
    outcome = CLAIMS["CV4"].run((53,))
    assert not outcome.passed
    # d = 8: 5 % of −0.399 is 0.020, ≈ 6 standard errors of the 10^5-ratio mean.
    assert any(line.startswith("d = 8: E log R") and "VIOLATED" in line
               for line in outcome.evidence)


def test_cv6_fails_with_a_perturbed_escape_time(monkeypatch):
    original = curvature.escape_time
    monkeypatch.setattr(curvature, "escape_time",
                        lambda *args: original(*args) * (1 + mpmath.mpf("1e-9")))
    assert not cv_claims._measure_cv6(113, {}).passed


def test_cv6_fails_with_a_wrong_bound_constant(monkeypatch):
    """λ_max ln(r/δ)/(3ε) is still a valid (looser) lower bound — only the equality at
    η = 2/λ_max catches it."""
    original = curvature.escape_time_lower_bound
    monkeypatch.setattr(curvature, "escape_time_lower_bound",
                        lambda *args: original(*args) * 2 / 3)
    assert not cv_claims._measure_cv6(53, {}).passed


def test_cv2_symbolic_comparison_detects_a_wrong_exponent(monkeypatch):
    stated = dict(curvature.CHAIN_DERIVATIVE_MOMENTS_STATED)
    stated["E H_ii"] = curvature.x**2 * curvature.sigma ** (2 * curvature.L)
    monkeypatch.setattr(curvature, "CHAIN_DERIVATIVE_MOMENTS_STATED", stated)
    assert any(value != 0 for value in curvature.chain_moment_residuals((3, 4)).values())


# ----------------------------------------------------------------------------- properties


@settings(max_examples=10, derandomize=True)
@given(parameters=CLAIMS["CV1"].domain())
def test_chain_log_moments_hold_across_the_domain(parameters):
    """E log|∏w| within 4.89 SE over random (depth, σ, seed): false alarm ≤ 1e-6 each."""
    logs = monte_carlo.scalar_chain_log_products(
        np.random.default_rng(parameters["seed"]), parameters["depth"], 20_000,
        parameters["sigma"])[:, -1]
    check = statistics.mean_check("E log", logs, curvature.chain_log_mean(
        parameters["depth"], parameters["sigma"]))
    assert check.passed, check.sentence()


@settings(max_examples=8, derandomize=True)
@given(parameters=CLAIMS["CV3"].domain())
def test_linear_layer_ratios_follow_the_chi_square_law(parameters):
    width = parameters["width"]
    depth = min(parameters["depth"], 16)
    samples = max(2, 40_000 // (width * depth))
    paths = monte_carlo.linear_network_paths(np.random.default_rng(parameters["seed"]), width,
                                             depth, samples, 1 / math.sqrt(width))
    ratios = paths.layer_log_ratios[:, 0, :].ravel()
    check = statistics.mean_check("E log ratio", ratios, curvature.xavier_drift(width))
    assert check.passed, check.sentence()


@settings(max_examples=8, derandomize=True)
@given(parameters=CLAIMS["CV4"].domain())
def test_relu_layer_ratios_follow_their_mean_across_widths(parameters):
    width = parameters["width"]
    logs = monte_carlo.relu_layer_log_ratios(np.random.default_rng(parameters["seed"]), width,
                                             parameters["depth"], 4000 // parameters["depth"],
                                             math.sqrt(2 / width))
    alive = logs[np.isfinite(logs)]
    with mpmath.workdps(20):
        predicted = float(curvature.relu_log_ratio_mean(width))
    check = statistics.mean_check("E log R", alive, predicted)
    assert check.passed, check.sentence()


# ----------------------------------------------------------------------------- slow


@pytest.mark.slow
def test_cv3_slope_table_contains_every_prediction(outcome_of):
    outcome = outcome_of("CV3")
    assert outcome.passed, outcome.evidence
    assert not outcome.null_models[0].passed
    table = [line for line in outcome.evidence if line.startswith("d = ")
             and "fitted slope" in line]
    assert len(table) == len(cv_claims.CV3_WIDTHS)
    assert all("contained" in line and "NOT" not in line for line in table)


@pytest.mark.slow
def test_cv3_fails_when_the_drift_is_the_approximation_minus_one_over_d(monkeypatch):
    monkeypatch.setattr(curvature, "xavier_drift", lambda width: -1 / width)
    outcome = CLAIMS["CV3"].run((53,))
    assert not outcome.passed  # d = 4: −0.25 lies outside [−0.283, −0.257]


@pytest.mark.slow
def test_cv5_passes_and_its_null_model_fails(outcome_of):
    outcome = outcome_of("CV5")
    assert outcome.passed, outcome.evidence
    assert not outcome.null_models[0].passed


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("claim_id", ["CV1", "CV3", "CV4", "CV5"])
def test_statistical_claims_pass_for_other_seeds(monkeypatch, claim_id, seed):
    """Each claim makes ≤ 30 checks at 1e-6: P(any false alarm over these 20 runs) ≤ 6e-4."""
    monkeypatch.setenv(statistics.SEED_VARIABLE, str(seed))
    outcome = CLAIMS[claim_id].run((53,))
    assert outcome.passed, [line for line in outcome.evidence if "VIOLATED" in line
                            or "NOT" in line]
