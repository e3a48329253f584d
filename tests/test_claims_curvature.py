"""Claims CV1–CV6: verdicts, the CV3 slope table, negative controls, seed repeatability.

Statistical claims draw from FLOWCERT_SEED (claims.statistics.base_seed); the tests pin it
with monkeypatch so every run is reproducible. Heavy Monte Carlo claims (CV3, CV5) and the
five-seed repetition are marked slow.
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
LADDER = (53, 113, 256)
FIXED_SEED = 12345


@pytest.fixture(autouse=True)
def fixed_seed(monkeypatch):
    monkeypatch.setenv(statistics.SEED_VARIABLE, str(FIXED_SEED))


@pytest.fixture(scope="module")
def outcome_of():
    """outcome_of(claim_id): the claim at FIXED_SEED (ladder for CV6), computed once."""
    cache = {}

    def run(claim_id):
        if claim_id not in cache:
            with pytest.MonkeyPatch.context() as patch:
                patch.setenv(statistics.SEED_VARIABLE, str(FIXED_SEED))
                cache[claim_id] = CLAIMS[claim_id].run(LADDER if claim_id == "CV6" else (53,))
        return cache[claim_id]

    return run


def test_catalogue_has_cv1_to_cv6_with_classes_and_json_parameters():
    assert tuple(CLAIMS) == ("CV1", "CV2", "CV3", "CV4", "CV5", "CV6")
    assert CLAIMS["CV1"].claim_class == ClaimClass.STATISTICAL
    assert CLAIMS["CV6"].claim_class == ClaimClass.EXACT
    for claim in CLAIMS.values():
        assert claim.family == "CV" and claim.provenance == "D"
        json.dumps(claim.parameters)


@pytest.mark.parametrize("claim_id", ["CV1", "CV2", "CV4"])
def test_light_claims_pass_and_their_series_are_json(outcome_of, claim_id):
    outcome = outcome_of(claim_id)
    assert outcome.passed, outcome.evidence
    json.dumps(outcome.series)
    json.dumps(outcome.to_json())


def test_cv6_passes_on_the_ladder_with_shrinking_error(outcome_of):
    outcome = outcome_of("CV6")
    assert outcome.passed, outcome.evidence
    runs = outcome.runs
    assert [r.precision_bits for r in runs] == list(LADDER)
    # Budgets n·(d+2)·u·A fall by 2^-203 from 53 to 256 bits; 1e-40 is far looser.
    assert runs[-1].max_rel_error <= 1e-40 * runs[0].max_rel_error


def test_cv4_reports_the_approximation_as_leading_order_only(outcome_of):
    outcome = outcome_of("CV4")
    fits = {f.predicted: f for f in outcome.fits}
    assert fits[-2.0].passed and fits[-3.0].passed
    assert any("−5/(2d)" in line for line in outcome.evidence)


# ----------------------------------------------------------------------------- controls


def test_cv1_fails_with_a_wrong_log_mean_constant(monkeypatch):
    # γ/2 instead of (γ + ln 2)/2: off by ln 2/2 = 0.35 per layer.
    monkeypatch.setattr(curvature, "chain_log_mean",
                        lambda depth, scale: depth * (math.log(scale) - float(mpmath.euler) / 2))
    outcome = CLAIMS["CV1"].run((53,))
    assert not outcome.passed
    assert any("E log|∏w|" in line and "VIOLATED" in line for line in outcome.evidence)


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
                        lambda *args: original(*args) * (1 + mpmath.mpf("1e-3")))
    outcome = CLAIMS["CV6"].run((53,))
    assert not outcome.passed


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
def test_cv3_slope_table_contains_every_prediction():
    outcome = CLAIMS["CV3"].run((53,))
    assert outcome.passed, outcome.evidence
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
def test_cv5_passes():
    outcome = CLAIMS["CV5"].run((53,))
    assert outcome.passed, outcome.evidence


@pytest.mark.slow
@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("claim_id", ["CV1", "CV3", "CV4", "CV5"])
def test_statistical_claims_pass_for_other_seeds(monkeypatch, claim_id, seed):
    """Each claim makes ≤ 30 checks at 1e-6: P(any false alarm over these 20 runs) ≤ 6e-4."""
    monkeypatch.setenv(statistics.SEED_VARIABLE, str(seed))
    outcome = CLAIMS[claim_id].run((53,))
    assert outcome.passed, [line for line in outcome.evidence if "VIOLATED" in line
                            or "NOT" in line]
