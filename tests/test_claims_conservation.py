"""Claims SF1, SF2, SF4, SF5 and theory.conservation: ladders, the perturbation test, null
models, mutated derivations, properties over random networks and leaky-ReLU slopes, and the
pruning control."""

from __future__ import annotations

import json

import matplotlib.pyplot as plt
import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st

from flowcert.claims import conservation as sf_claims
from flowcert.claims.base import ClaimClass
from flowcert.claims.builders import PERTURBATION
from flowcert.numerics.relu_network import MLP, Activation
from flowcert.reports import conservation_figures
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


@pytest.fixture
def fresh_defects():
    """Clear the compiled defect functions before and after a test that mutates the
    derivation (they are cached per activation)."""
    conservation._defect_function.cache_clear()
    yield
    conservation._defect_function.cache_clear()


def test_catalogue_and_theory_self_checks():
    assert tuple(CLAIMS) == ("SF1", "SF2", "SF4", "SF5")
    assert all(CLAIMS[i].claim_class == ClaimClass.EXACT for i in CLAIMS)
    checks = conservation.self_checks()
    assert all(checks.values()), checks
    assert {name.split()[0] for name in checks} == {"SF1", "SF2", "SF4", "SF5"}
    for claim in CLAIMS.values():
        json.dumps(claim.parameters)


def test_derived_defects_vanish_exactly_for_the_homogeneous_activations():
    for name in conservation.HOMOGENEOUS:
        assert conservation.homogeneity_defect(name) == 0
    # tanh: D(z) = z(1 − tanh²z) − tanh z, written here from φ′ = 1 − tanh²
    z = 0.7
    expected = z * (1 - np.tanh(z) ** 2) - np.tanh(z)
    assert float(conservation.defect_values("tanh", np.array([z]))[0]) == pytest.approx(
        expected, rel=1e-14)


@pytest.mark.parametrize("claim_id", ["SF1", "SF2", "SF5"])
def test_exact_claims_pass_on_the_ladder_and_the_error_shrinks(ladder_outcome, claim_id):
    outcome = ladder_outcome(claim_id)
    assert outcome.passed, outcome.evidence
    first, last = outcome.runs[0], outcome.runs[-1]
    assert last.max_rel_error <= 1e-40 * max(first.max_rel_error, 1e-300) or \
        last.max_rel_error == 0
    json.dumps(outcome.to_json())
    json.dumps(outcome.series)


@pytest.mark.parametrize("claim_id", ["SF1", "SF2", "SF5"])
def test_perturbed_closed_form_fails_at_every_precision(ladder_outcome, claim_id):
    outcome = ladder_outcome(claim_id)
    assert outcome.sharpness is not None and not outcome.sharpness.perturbed_passed
    for run in outcome.runs:
        assert run.detects is not None and run.detects < PERTURBATION
        assert not run.perturbed(PERTURBATION).passed


def test_sf1_non_homogeneous_violation_is_the_derived_one(ladder_outcome):
    outcome = ladder_outcome("SF1")
    cases = [c for c in outcome.series["cases"] if c["activation"] != "leaky_relu"]
    assert {c["activation"] for c in cases} == {"tanh", "softplus"}
    for case in cases:
        measured, predicted = np.array(case["measured"]), np.array(case["predicted"])
        scales = np.array(case["scales"])
        assert np.max(np.abs(measured) / scales) > 1e-2  # far above roundoff
        assert np.all(np.abs(measured - predicted) <= FLOAT_TOLERANCE * scales)


def test_sf1_null_models_tanh_and_softplus_fail_at_every_precision(ladder_outcome):
    nulls = ladder_outcome("SF1").null_models
    assert [n.name.split()[0] for n in nulls] == ["tanh", "softplus"]
    for null in nulls:
        assert not null.passed
        assert sum("EXCEEDED" in line for line in null.evidence) == len(LADDER)


def test_sf1_fails_when_the_derived_leaky_relu_defect_is_wrong(monkeypatch, fresh_defects):
    """A leaky ReLU whose negative side is not linear (φ = az + z³/100 for z < 0) has the
    derived defect 2z³/100: the comparison must notice on the negative pre-activations."""
    z, slope = conservation.z, conservation.slope
    original = conservation.activation_expression

    def mutated(name):
        if name == "leaky_relu":
            return sp.Piecewise((z, z > 0), (slope * z + z**3 / 100, True))
        return original(name)

    monkeypatch.setattr(conservation, "activation_expression", mutated)
    monkeypatch.setattr(conservation, "_homogeneity_defects",
                        conservation._homogeneity_defects.__wrapped__)
    outcome = CLAIMS["SF1"].run((53, 113))
    assert not outcome.passed
    assert "EXCEEDED" in outcome.evidence[0]


def test_sf1_fails_when_the_tanh_defect_loses_its_sign(monkeypatch, fresh_defects):
    derived = conservation._homogeneity_defects()
    flipped = dict(derived, tanh=-derived["tanh"])
    monkeypatch.setattr(conservation, "_homogeneity_defects", lambda: flipped)
    assert not CLAIMS["SF1"].run((53,)).passed


def test_sf5_fails_when_a_layers_own_bias_is_left_out(monkeypatch):
    """Σ_{k>l} instead of Σ_{k≥l}: the with-bias network must fail."""
    original = conservation.synflow_layer_sums

    def wrong(total, bias_sums):
        return original(total, list(bias_sums)[1:] + [0])

    monkeypatch.setattr(conservation, "synflow_layer_sums", wrong)
    assert not CLAIMS["SF5"].run((53,)).passed


def test_synflow_layer_sums_by_hand():
    assert conservation.synflow_layer_sums(10, [1, 2, 3]) == [4, 5, 7]
    assert conservation.synflow_layer_sums(10, [0, 0]) == [10, 10]


@given(parameters=CLAIMS["SF1"].domain(), bias=st.booleans())
def test_saliency_balance_holds_for_random_leaky_relu_networks(parameters, bias):
    network = MLP(parameters["layers"], Activation("leaky_relu", parameters["slope"]), bias)
    rng = np.random.default_rng(parameters["seed"])
    theta = network.initialise(rng, bias_scale=0.5 if bias else 0.0)
    inputs = rng.standard_normal((5, parameters["layers"][0]))
    weights = rng.standard_normal(parameters["layers"][-1])
    flows = sf_claims.neuron_saliencies(network, theta, inputs, weights)
    for incoming, outgoing, scale in zip(flows["incoming"], flows["outgoing"], flows["scales"],
                                         strict=True):
        assert abs(incoming - outgoing) <= FLOAT_TOLERANCE * scale


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
    network = MLP((4, 5, 3, 2), sf_claims.SF5_ACTIVATION, bias=False)
    theta = network.initialise(np.random.default_rng(seed), gain=1.0)
    counts, pruned = sf_claims.iterative_prune(network, theta, sf_claims.synflow_weight_scores)
    assert counts == [1] * network.depth
    assert sf_claims.synflow_total(network, pruned) > 0


def test_synflow_scores_with_biases_match_finite_differences_of_r_sf():
    """S(θ_i) = |θ_i| ∂R_SF/∂|θ_i|, biases included (the authors' linearised network)."""
    network = MLP((3, 4, 2), sf_claims.SF5_ACTIVATION, bias=True)
    theta = np.abs(network.initialise(np.random.default_rng(3), gain=1.0, bias_scale=0.5))
    scores = np.concatenate([np.concatenate([w.ravel(), b]) for w, b in
                             sf_claims.synflow_scores(network, theta)])
    step = 1e-6
    for i in range(len(theta)):
        up, down = theta.copy(), theta.copy()
        up[i] += step
        down[i] -= step
        # R_SF is linear in each parameter (all pre-activations positive): the central
        # difference is exact up to rounding, ≈ ε·R/step
        derivative = (sf_claims.synflow_total(network, up)
                      - sf_claims.synflow_total(network, down)) / (2 * step)
        assert scores[i] == pytest.approx(theta[i] * derivative, abs=1e-8)


def test_sf5_magnitude_control_collapses_and_synflow_keeps_a_path(ladder_outcome):
    pruning = ladder_outcome("SF5").series["pruning"]
    assert pruning["synflow"] == [1] * len(pruning["synflow"])
    assert 0 in pruning["magnitude"]


@pytest.mark.parametrize("claim_id", ["SF1", "SF2", "SF5"])
def test_overlay_figures_draw(ladder_outcome, claim_id):
    figure = conservation_figures.OVERLAYS[claim_id](ladder_outcome(claim_id))
    assert figure is not None
    plt.close(figure)


@pytest.mark.slow
def test_sf4_gradient_flow_conserves_the_balance_on_the_ladder(ladder_outcome):
    outcome = ladder_outcome("SF4")
    assert outcome.passed, outcome.evidence
    assert outcome.fits[0].low <= 1.0 <= outcome.fits[0].high
    assert not outcome.sharpness.perturbed_passed
    (null,) = outcome.null_models
    assert not null.passed and sum("EXCEEDED" in line for line in null.evidence) == len(LADDER)
    figure = conservation_figures.OVERLAYS["SF4"](outcome)
    plt.close(figure)


def test_sf4_null_model_tanh_drifts_far_beyond_the_budget():
    """The null model's flow at 53 bits (cheap): tanh balances move by O(10⁻²)."""
    run = sf_claims._measure_sf4(53, {}, cases=(sf_claims.SF4_NULL_CASE,), key="sf4-test")
    assert run.max_rel_error > 1e6 * run.tolerance


def test_sf4_symbolic_checks_fail_when_the_leaky_defect_is_not_zero(monkeypatch):
    checks = dict(conservation._identities())
    checks["SF1 D ≡ 0 for linear, ReLU and leaky ReLU (any slope a)"] = False
    monkeypatch.setattr(conservation, "_identities", lambda: checks)
    assert not sf_claims._sf4_checks({}).passed
