"""Claims EOS1–EOS4 and theory.stability; the network experiments (EOS2–EOS4) are slow."""

from __future__ import annotations

import json

import mpmath
import numpy as np
import pytest
from hypothesis import given

from flowcert.claims import stability as eos_claims
from flowcert.claims.base import ClaimClass
from flowcert.numerics.gradient_descent import full_batch_descent, quadratic_descent
from flowcert.numerics.relu_network import MLP, Activation
from flowcert.theory import stability

CLAIMS = {claim.id: claim for claim in eos_claims.CLAIMS}
LADDER = (53, 113, 256)


def test_catalogue_and_classes():
    assert tuple(CLAIMS) == ("EOS1", "EOS2", "EOS3", "EOS4")
    assert CLAIMS["EOS1"].claim_class == ClaimClass.EXACT
    assert all(CLAIMS[i].claim_class == ClaimClass.QUALITATIVE for i in ("EOS2", "EOS3", "EOS4"))
    for claim in CLAIMS.values():
        json.dumps(claim.parameters)


def test_theory_self_checks_hold():
    assert all(stability.self_checks().values())


@given(parameters=CLAIMS["EOS1"].domain())
def test_convergence_criterion_matches_direct_iteration_of_diagonal_quadratics(parameters):
    """On H = diag(λ), GD multiplies coordinate i by 1 − ηλ_i (float products): after 200
    steps a factor |q| ≤ 0.9 has shrunk below 1e-9 and |q| ≥ 1.1 grown beyond 1e8."""
    eigenvalues, step = parameters["eigenvalues"], parameters["step"]
    factors = np.abs(1 - step * np.array(eigenvalues))
    if np.any(np.abs(factors - 1) < 0.1):
        return  # too close to the boundary to decide in 400 steps
    iterates = quadratic_descent(np.diag(eigenvalues), np.ones(len(eigenvalues)), step, 200)
    assert stability.converges(eigenvalues, step) == bool(np.max(np.abs(iterates[-1])) < 1e-6)


def test_eos1_passes_on_the_ladder_with_shrinking_error():
    outcome = CLAIMS["EOS1"].run(LADDER)
    assert outcome.passed, outcome.evidence
    assert outcome.runs[-1].max_rel_error <= 1e-40 * outcome.runs[0].max_rel_error
    json.dumps(outcome.series)


def test_eos1_fails_with_a_perturbed_contraction_factor(monkeypatch):
    def perturbed(eigenvalues, coordinates, step, iteration):
        factors = [1 - step * v * (1 + mpmath.mpf("1e-9")) for v in eigenvalues]
        return mpmath.fsum(q ** (2 * iteration) * c**2 for q, c in zip(factors, coordinates,
                                                                        strict=True))

    monkeypatch.setattr(stability, "iterate_norm_squared", perturbed)
    outcome = CLAIMS["EOS1"].run((53, 113))
    assert not outcome.passed
    assert outcome.runs[-1].max_rel_error > outcome.runs[-1].tolerance


def test_training_checkpoints_report_the_dense_sharpness():
    network = MLP((1, 4, 1), Activation("tanh"))
    inputs = np.linspace(-1, 1, 6)[:, None]
    targets = np.sin(inputs)
    theta = network.initialise(np.random.default_rng(0), gain=1.0, bias_scale=0.5)

    def gradient(p):
        return network.loss_gradient(p, inputs, targets)

    record = full_batch_descent(lambda p: network.loss(p, inputs, targets), gradient, theta,
                                0.05, 20, 10, count=2)
    assert record.checkpoints == [0, 10, 20]
    assert len(record.losses) == 21
    final = record.final_parameters
    columns = [np.imag(gradient(final + 1e-20j * e)) / 1e-20 for e in np.eye(len(final))]
    dense = np.linalg.eigvalsh(np.column_stack(columns))
    assert record.top_eigenvalues[-1] == pytest.approx(sorted(dense)[::-1][:2], rel=1e-6)
    assert 0 <= record.top_fraction[-1] <= 1


def test_full_batch_descent_reports_divergence():
    with pytest.raises(FloatingPointError, match="diverged"), np.errstate(over="ignore"):
        full_batch_descent(lambda p: float(p @ p), lambda p: 2 * p, np.ones(3), 5.0, 400, 500)


@pytest.mark.slow
@pytest.mark.parametrize("claim_id", ["EOS2", "EOS4"])
def test_edge_of_stability_claims_pass(claim_id):
    outcome = CLAIMS[claim_id].run((53,))
    assert outcome.passed, outcome.evidence
    json.dumps(outcome.series)


@pytest.mark.slow
def test_eos3_is_reported_with_the_gradient_norm_per_size():
    """EOS3 fails in this set-up (a finding): the largest nearby gradient norm does not grow
    with N. The test pins that the experiment produced its numbers for every N."""
    outcome = CLAIMS["EOS3"].run((53,))
    rows = outcome.series["nearby"]["rows"]
    assert [row["samples"] for row in rows] == list(eos_claims.EOS3_SIZES)
    assert all(np.isfinite(row["largest"]) for row in rows)
    largest = [row["largest"] for row in rows]
    assert outcome.passed == all(b > a for a, b in zip(largest, largest[1:], strict=False))
