"""Claims GC1–GC3 and theory.confusion: verdicts at a fixed seed and negative controls."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings

from flowcert.claims import confusion as gc_claims
from flowcert.claims import statistics
from flowcert.claims.base import ClaimClass
from flowcert.numerics.gradient_descent import sgd_expected_loss, sgd_least_squares
from flowcert.numerics.relu_network import MLP, Activation
from flowcert.theory import confusion

CLAIMS = {claim.id: claim for claim in gc_claims.CLAIMS}
FIXED_SEED = 777


@pytest.fixture(autouse=True)
def fixed_seed(monkeypatch):
    monkeypatch.setenv(statistics.SEED_VARIABLE, str(FIXED_SEED))


def test_catalogue_and_theory_self_checks():
    assert tuple(CLAIMS) == ("GC1", "GC2", "GC3")
    assert CLAIMS["GC3"].claim_class == ClaimClass.QUALITATIVE
    assert all(confusion.self_checks().values())
    for claim in CLAIMS.values():
        json.dumps(claim.parameters)


@pytest.mark.parametrize("claim_id", ["GC1", "GC2"])
def test_statistical_claims_pass_at_a_fixed_seed(claim_id):
    outcome = CLAIMS[claim_id].run((53,))
    assert outcome.passed, [line for line in outcome.evidence if "VIOLATED" in line
                            or "NO" in line]
    json.dumps(outcome.series)


def test_gc1_rejects_the_wrong_beta_parameters(monkeypatch):
    monkeypatch.setattr(gc_claims, "GC1_DIMENSIONS", (3, 10))
    monkeypatch.setattr(confusion, "beta_parameters", lambda d: (d / 2, d / 2))
    outcome = CLAIMS["GC1"].run((53,))
    assert not outcome.passed
    assert any(line.startswith("d = 3: (1+⟨x,y⟩)/2") and "VIOLATED" in line
               for line in outcome.evidence)


def test_gc2_detects_a_bound_with_a_too_fast_rate(monkeypatch):
    """ρ computed with L in place of μ promises a rate the slowest direction cannot reach."""
    original = confusion.confusion_rate
    monkeypatch.setattr(confusion, "confusion_rate",
                        lambda strong, smooth, count, step: original(smooth, smooth, count, step))
    assert not CLAIMS["GC2"].run((53,)).passed


@settings(max_examples=10, derandomize=True)
@given(parameters=CLAIMS["GC2"].domain())
def test_exact_sgd_expectation_matches_simulation_and_respects_the_bound(parameters):
    rng = np.random.default_rng(parameters["seed"])
    samples, dimension = parameters["samples"], parameters["dimension"]
    features = rng.standard_normal((samples, dimension))
    solution = rng.standard_normal(dimension)
    start = solution + rng.standard_normal(dimension)
    norms = np.sum(features**2, axis=1)
    step = parameters["step_fraction"] * 2 / (samples * norms.max())
    expected = sgd_expected_loss(features, solution, start, step, 50)
    simulated = sgd_least_squares(features, features @ solution, start, step, 50, 4000, rng)
    check = statistics.mean_check("E F(w_50)", simulated[:, 50], float(expected[50]))
    assert check.passed, check.sentence()
    radius = float(np.linalg.norm(start - solution))
    level = gc_claims.confusion_level(features, radius)
    rate = confusion.confusion_rate(norms.min(), norms.max(), samples, step)
    bounds = [confusion.confusion_bound(t, expected[0], step, level, rate) for t in range(51)]
    assert np.all(expected <= np.array(bounds) * (1 + 1e-12))


def test_minimum_gradient_cosine_of_identical_samples_is_one():
    network = MLP((3, 8, 1), Activation("tanh"))
    theta = network.initialise(np.random.default_rng(0), gain=1.0)
    inputs = np.tile([[0.3, -0.2, 0.9]], (4, 1))
    value = gc_claims.minimum_gradient_cosine(network, theta, inputs, np.ones((4, 1)))
    assert value == pytest.approx(1.0, abs=1e-12)


@pytest.mark.slow
def test_gc3_reports_both_settings_and_fails_on_the_relu_depth_ordering():
    """Finding: with ReLU/He the minimum cosine does not fall from depth 2 to 8 (it rises);
    the verdict is the conjunction of the per-setting orderings."""
    outcome = CLAIMS["GC3"].run((53,))
    assert set(outcome.series) == set(gc_claims.GC3_SETTINGS)
    orderings = [line for line in outcome.evidence if "Mann–Whitney" in line]
    assert len(orderings) == len(gc_claims.GC3_SETTINGS)
    assert outcome.passed == all(line.endswith("yes") for line in orderings)
    relu = outcome.series["ReLU, He init"]["depths"]
    assert np.median(relu["8"]) > np.median(relu["2"])
    assert not outcome.passed
