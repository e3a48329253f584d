"""numerics.hessian: exact AD Hessians, complex-step Hessian-vector products, Lanczos.

The references are independent: central finite differences of the gradient, dense
numpy.linalg.eigvalsh, and hand-derived derivatives of the scalar chain.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from flowcert.numerics.hessian import (
    ExpressionHessian,
    chain_derivatives,
    complex_step_hvp,
    dense_from_products,
    power_iteration,
    top_eigenpairs,
)
from flowcert.numerics.relu_network import MLP, Activation

#: Central differences of a gradient with step h have error ≈ h²‖∇³L‖/6 + ε‖∇L‖/h; at
#: h = 1e-5 and O(1) derivatives both are ≤ 1e-10, so 1e-7 (relative to the largest entry)
#: leaves three orders of margin while catching any wrong second derivative.
FD_STEP, FD_TOLERANCE = 1e-5, 1e-7


def _finite_difference_hessian(gradient, theta):
    columns = [(gradient(theta + FD_STEP * e) - gradient(theta - FD_STEP * e)) / (2 * FD_STEP)
               for e in np.eye(len(theta))]
    return np.column_stack(columns)


@pytest.fixture(scope="module")
def tanh_problem():
    network = MLP((2, 3, 1), Activation("tanh"))
    rng = np.random.default_rng(5)
    theta = network.initialise(rng, gain=1.0, bias_scale=0.5)
    inputs, targets = rng.standard_normal((4, 2)), rng.standard_normal((4, 1))
    hessian = ExpressionHessian(network.loss_expression(inputs, targets), network.variables())
    return network, theta, inputs, targets, hessian


def test_expression_hessian_matches_finite_differences_and_is_symmetric(tanh_problem):
    network, theta, inputs, targets, hessian = tanh_problem
    exact = hessian(theta)
    reference = _finite_difference_hessian(
        lambda p: network.loss_gradient(p, inputs, targets), theta)
    assert np.array_equal(exact, exact.T)
    assert np.max(np.abs(exact - reference)) <= FD_TOLERANCE * np.max(np.abs(exact))


def test_complex_step_hessian_equals_the_ad_hessian_to_rounding(tanh_problem):
    network, theta, inputs, targets, hessian = tanh_problem
    product = complex_step_hvp(lambda p: network.loss_gradient(p, inputs, targets), theta)
    dense = dense_from_products(product, network.n_params)
    # Both are exact derivatives evaluated in float64: agreement to ~100 ulp.
    assert np.max(np.abs(dense - hessian(theta))) <= 1e-13 * np.max(np.abs(dense))
    assert np.allclose(hessian.gradient(theta), network.loss_gradient(theta, inputs, targets),
                       rtol=0, atol=1e-14)


@given(slope=st.one_of(st.just(0.0), st.floats(1e-3, 0.9)), seed=st.integers(0, 2**32 - 1))
def test_complex_step_hvp_of_leaky_relu_networks_matches_finite_differences(slope, seed):
    network = MLP((3, 4, 2), Activation("leaky_relu", slope))
    rng = np.random.default_rng(seed)
    theta = network.initialise(rng, bias_scale=0.3)
    inputs, targets = rng.standard_normal((5, 3)), rng.standard_normal((5, 2))
    vector = rng.standard_normal(network.n_params)

    def gradient(p):
        return network.loss_gradient(p, inputs, targets)

    exact = complex_step_hvp(gradient, theta)(vector)
    # Piecewise-linear network: the loss is piecewise quadratic, so the central difference
    # is exact unless a kink lies within FD_STEP (probability ~1e-4 here): compare where
    # no pre-activation is that close to 0.
    state = network.forward(theta, inputs)
    if min(np.min(np.abs(z)) for z in state.pre_activations[:-1]) < 1e-3:
        return
    reference = (gradient(theta + FD_STEP * vector) - gradient(theta - FD_STEP * vector)) \
        / (2 * FD_STEP)
    assert np.max(np.abs(exact - reference)) <= FD_TOLERANCE * max(1.0, np.max(np.abs(exact)))


@given(size=st.integers(3, 40), count=st.integers(1, 3), seed=st.integers(0, 2**32 - 1))
def test_lanczos_top_eigenpairs_match_dense_eigvalsh(size, count, seed):
    rng = np.random.default_rng(seed)
    matrix = rng.standard_normal((size, size))
    matrix = matrix + matrix.T
    values, vectors = top_eigenpairs(lambda v: matrix @ v, size, min(count, size), seed=seed)
    reference = np.sort(np.linalg.eigvalsh(matrix))[::-1][:len(values)]
    scale = np.max(np.abs(reference))
    assert np.allclose(values, reference, rtol=0, atol=1e-8 * scale)
    residual = matrix @ vectors - vectors * values
    assert np.max(np.abs(residual)) <= 1e-6 * scale


def test_power_iteration_finds_the_largest_magnitude_eigenvalue():
    rng = np.random.default_rng(7)
    basis = np.linalg.qr(rng.standard_normal((20, 20)))[0]
    spectrum = np.concatenate([[-9.0, 4.0], rng.uniform(-3, 3, 18)])
    matrix = (basis * spectrum) @ basis.T
    value, vector = power_iteration(lambda v: matrix @ v, 20, iterations=5000)
    assert value == pytest.approx(-9.0, rel=1e-9)
    assert abs(vector @ basis[:, 0]) == pytest.approx(1.0, abs=1e-6)
    with pytest.raises(RuntimeError, match="did not settle"):
        power_iteration(lambda v: matrix @ v, 20, iterations=3)


@given(depth=st.integers(2, 5), x=st.floats(-2, 2), y=st.floats(-2, 2),
       seed=st.integers(0, 2**32 - 1))
def test_chain_derivatives_match_the_hand_derived_formulas(depth, x, y, seed):
    weights = np.random.default_rng(seed).standard_normal((7, depth))
    gradients, hessians = chain_derivatives(depth)(weights, x, y)
    product = np.prod(weights, axis=1)
    residual = y - x * product
    for i in range(depth):
        others = np.prod(np.delete(weights, i, axis=1), axis=1)
        assert np.allclose(gradients[:, i], -x * residual * others, rtol=1e-12, atol=1e-12)
        assert np.allclose(hessians[:, i, i], x**2 * others**2, rtol=1e-12, atol=1e-12)
    rest = np.prod(weights[:, 2:], axis=1)
    expected = 2 * x**2 * weights[:, 0] * weights[:, 1] * rest**2 - x * y * rest
    assert np.allclose(hessians[:, 0, 1], expected, rtol=1e-12, atol=1e-12)
