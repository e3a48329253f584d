"""Claims SF1–SF5 and theory.conservation: ladders, properties over random networks and
leaky-ReLU slopes, and the negative controls (tanh/softplus, perturbed predictions,
magnitude pruning)."""

from __future__ import annotations

import json

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from flowcert.claims import conservation as sf_claims
from flowcert.claims.base import ClaimClass
from flowcert.numerics.relu_network import MLP, Activation
from flowcert.theory import conservation

CLAIMS = {claim.id: claim for claim in sf_claims.CLAIMS}
LADDER = (53, 113, 256)
#: Float64 residuals of the saliency identities on these O(1) networks: a few ulp of the
#: absolute-value scale; 1e-12 = 4500 ulp covers the K·u·A budgets (K ≤ 30, A = 10).
FLOAT_TOLERANCE = 1e-12


@pytest.fixture(scope="module")
def ladder_outcome(claim_outcome):
    """ladder_outcome(claim_id): the claim's Outcome on LADDER, computed once per session."""
    return lambda claim_id: claim_outcome(claim_id, LADDER)


def test_catalogue_and_theory_self_checks():
    assert tuple(CLAIMS) == ("SF1", "SF2", "SF3", "SF4", "SF5")
    assert all(CLAIMS[i].claim_class == ClaimClass.EXACT for i in CLAIMS)
    assert all(conservation.self_checks().values())
    for claim in CLAIMS.values():
        json.dumps(claim.parameters)


@pytest.mark.parametrize("claim_id", ["SF1", "SF2", "SF3", "SF5"])
def test_exact_claims_pass_on_the_ladder_and_the_error_shrinks(ladder_outcome, claim_id):
    outcome = ladder_outcome(claim_id)
    assert outcome.passed, outcome.evidence
    first, last = outcome.runs[0], outcome.runs[-1]
    assert last.max_rel_error <= 1e-40 * max(first.max_rel_error, 1e-300) or \
        last.max_rel_error == 0
    json.dumps(outcome.series)


def test_sf3_is_the_expected_violation(ladder_outcome):
    outcome = ladder_outcome("SF3")
    for case in outcome.series["cases"]:
        assert max(case["violation"]) > 1e-3  # orders of magnitude above roundoff
    assert sum("violates SF1" in line for line in outcome.evidence) == len(sf_claims.SF3_CASES)


def test_sf3_fails_when_the_predicted_violation_is_perturbed(monkeypatch):
    original = conservation.predicted_imbalance
    monkeypatch.setattr(conservation, "predicted_imbalance",
                        lambda *args: original(*args) * (1 + mpmath.mpf("1e-8")))
    assert not CLAIMS["SF3"].run((53, 113)).passed


def test_sf1_measurement_fails_for_tanh_networks(monkeypatch):
    """The SF1 comparison itself can fail: on tanh networks the imbalance is O(1)."""
    monkeypatch.setattr(sf_claims, "SF1_CASES", (((3, 4, 2), 0.0),))
    monkeypatch.setattr(sf_claims, "Activation", lambda name, slope=0.0: Activation("tanh"))
    assert not CLAIMS["SF1"].run((53,)).passed


@given(parameters=CLAIMS["SF1"].domain(), bias=st.booleans())
def test_saliency_balance_holds_for_random_leaky_relu_networks(parameters, bias):
    network = MLP(parameters["layers"], Activation("leaky_relu", parameters["slope"]), bias)
    rng = np.random.default_rng(parameters["seed"])
    theta = network.initialise(rng, bias_scale=0.5 if bias else 0.0)
    inputs = rng.standard_normal((5, parameters["layers"][0]))
    weights = rng.standard_normal(parameters["layers"][-1])
    balances, scales = sf_claims.neuron_balances(network, theta, inputs, weights)
    for balance, scale in zip(balances, scales, strict=True):
        assert abs(balance) <= FLOAT_TOLERANCE * scale


@given(parameters=CLAIMS["SF2"].domain())
def test_layer_saliency_equals_the_euler_sum_for_bias_free_networks(parameters):
    network = MLP(parameters["layers"], Activation("leaky_relu", parameters["slope"]), False)
    rng = np.random.default_rng(parameters["seed"])
    theta = network.initialise(rng)
    inputs = rng.standard_normal((5, parameters["layers"][0]))
    weights = rng.standard_normal(parameters["layers"][-1])
    totals, euler = sf_claims._cut_totals(network, theta, inputs, weights, rng)
    scale = max(abs(euler), np.sum(np.abs(theta * network.gradient_of(
        theta, inputs, lambda y: y + weights))))
    assert all(abs(total - euler) <= FLOAT_TOLERANCE * max(scale, 1e-300) for total in totals)


@given(seed=st.integers(0, 2**32 - 1))
def test_synflow_pruning_never_collapses_a_layer(seed):
    network = MLP((4, 5, 3, 2), Activation("linear"), bias=False)
    theta = network.initialise(np.random.default_rng(seed), gain=1.0)
    counts, pruned = sf_claims.iterative_prune(network, theta, sf_claims.synflow_scores)
    assert counts == [1] * network.depth
    assert network.output(np.abs(pruned), np.ones((1, 4))).sum() > 0


def test_magnitude_pruning_control_does_collapse_the_scaled_layer():
    network = MLP(sf_claims.SF5_LAYERS, Activation("linear"), bias=False)
    theta = network.initialise(np.random.default_rng(1), gain=1.0)
    network.unpack(theta)[1][0][...] *= sf_claims.SF5_COLLAPSE_SCALE
    counts, _ = sf_claims.iterative_prune(network, theta, sf_claims.magnitude_scores)
    assert 0 in counts


@pytest.mark.slow
def test_sf4_gradient_flow_conserves_the_balance_on_the_ladder(ladder_outcome):
    outcome = ladder_outcome("SF4")
    assert outcome.passed, outcome.evidence
    assert outcome.fits[0].low <= 1.0 <= outcome.fits[0].high
