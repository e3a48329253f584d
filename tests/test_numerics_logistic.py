"""numerics.logistic: the automatic derivatives of the GS network's loss against finite
differences and hand-written formulas, and its Newton solver and sensitivities."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flowcert.numerics.integrate import evaluate_field
from flowcert.numerics.logistic import LogisticModel

N, D = 3, 4


def problem(seed: int, lam: float = 0.1):
    rng = np.random.default_rng(seed)
    phi = rng.standard_normal((N, D))
    labels = rng.choice([-1.0, 1.0], N)
    return phi, labels, lam, rng.standard_normal(D)


def numpy_loss(theta, phi, labels, lam, regulariser, loss="logistic"):
    margins = labels * (phi @ theta)
    per_sample = np.log1p(np.exp(-margins)) if loss == "logistic" else \
        np.log(2) - margins / 2 + margins**2 / 8
    penalised = theta if regulariser == "weight_decay" else phi @ theta
    return per_sample.sum() + lam / 2 * penalised @ penalised


@settings(max_examples=10)
@given(seed=st.integers(0, 2**32 - 1),
       regulariser=st.sampled_from(["weight_decay", "spectral_decoupling"]),
       loss=st.sampled_from(["logistic", "quadratic"]))
def test_gradient_matches_central_differences(seed, regulariser, loss):
    """Central differences with h = 1e-6: truncation h²·|L'''| ≲ 1e-11, rounding ε/h ≈ 1e-10;
    2e-8 (relative to max(1, |∇L|)) is well above both."""
    phi, labels, lam, theta = problem(seed)
    model = LogisticModel(N, D, regulariser, loss=loss)
    params = model.flow_parameters([{"phi": phi, "y": labels, "lam": lam}])
    gradient = model.gradient(theta, params)
    h = 1e-6
    reference = np.array([(numpy_loss(theta + h * e, phi, labels, lam, regulariser, loss)
                           - numpy_loss(theta - h * e, phi, labels, lam, regulariser, loss))
                          / (2 * h) for e in np.eye(D)])
    assert np.max(np.abs(gradient - reference)) <= 2e-8 * max(1, np.max(np.abs(reference)))


@pytest.mark.parametrize("regulariser", ["weight_decay", "spectral_decoupling"])
def test_hessian_matches_the_written_formula(regulariser):
    """∇²L = ΦᵀDΦ + λI (weight decay) or + λΦᵀΦ (SD), D = diag(σ(m)σ(−m)); float64 rounding."""
    phi, labels, lam, theta = problem(3)
    model = LogisticModel(N, D, regulariser)
    params = model.flow_parameters([{"phi": phi, "y": labels, "lam": lam}])
    weights = 1 / (1 + np.exp(labels * (phi @ theta)))
    reference = phi.T @ np.diag(weights * (1 - weights)) @ phi
    reference += lam * (np.eye(D) if regulariser == "weight_decay" else phi.T @ phi)
    assert np.allclose(model.hessian(theta, params), reference, rtol=1e-13, atol=1e-14)


def test_stationary_point_zeroes_the_gradient_and_flow_field_is_minus_gradient():
    phi, labels, lam, _ = problem(5)
    model = LogisticModel(N, D, "weight_decay")
    params = model.flow_parameters([{"phi": phi, "y": labels, "lam": lam}], tau=0.5)
    theta = model.stationary_point(np.zeros(D), params)
    # ‖∇L‖ at the Newton limit: rounding of the gradient sums, ~ (N + D)·ε·max|Φ|
    assert np.max(np.abs(model.gradient(theta, params))) <= 1e-13
    velocity = evaluate_field(model.vector_field, theta + 0.1, params)
    assert np.allclose(velocity, -model.gradient(theta + 0.1, params) / 0.5, rtol=1e-14)


def test_sensitivity_matches_finite_differences_of_stationary_points():
    """dθ*/dh along a data direction vs central differences (h = 1e-5, error ~1e-10)."""
    phi, labels, lam, _ = problem(7)
    model = LogisticModel(N, D, "weight_decay")
    direction_phi = np.random.default_rng(8).standard_normal((N, D))

    def params_at(h):
        return model.flow_parameters([{"phi": phi + h * direction_phi, "y": labels,
                                       "lam": lam}])

    base = params_at(0)
    theta = model.stationary_point(np.zeros(D), base)
    sensitivity = model.stationary_sensitivity(theta, base, list(direction_phi.ravel()))
    h = 1e-5
    difference = (model.stationary_point(theta, params_at(h))
                  - model.stationary_point(theta, params_at(-h))) / (2 * h)
    assert np.max(np.abs(sensitivity - difference)) <= 1e-8 * np.max(np.abs(difference))


def test_bad_configurations_are_rejected():
    with pytest.raises(ValueError, match="regulariser"):
        LogisticModel(2, 2, "lasso")
    with pytest.raises(ValueError, match="n_samples"):
        LogisticModel(3, 2, "weight_decay")
    model = LogisticModel(2, 3, "spectral_decoupling")
    params = model.flow_parameters([{"phi": np.ones((2, 3)), "y": [1, -1], "lam": 0.1}])
    with pytest.raises(ValueError, match="n_features = n_samples"):
        model.stationary_point(np.zeros(3), params)
    with pytest.raises(ValueError, match="labels"):
        model.flow_parameters([{"phi": np.ones((2, 3)), "y": [1, 0.5], "lam": 0.1}])
