"""numerics.network_stack: batched backpropagation, per-sample gradient norms, exact
Hessian-vector products and gradient descent, against numerics.relu_network.MLP (its own
backpropagation and complex-step Hessian-vector products) and full_batch_descent."""

from __future__ import annotations

import numpy as np
import pytest

from flowcert.numerics.gradient_descent import full_batch_descent
from flowcert.numerics.hessian import complex_step_hvp, dense_from_products
from flowcert.numerics.network_stack import NetworkStack, descent_path, stacked_descent
from flowcert.numerics.relu_network import MLP, Activation

NETWORK = MLP((1, 5, 4, 1), Activation("tanh"))
INPUTS = np.linspace(-1.5, 1.5, 7)[:, None]
TARGETS = np.sin(2 * INPUTS)


def _stack_of(count: int, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    return np.array([NETWORK.initialise(rng, gain=1.0, bias_scale=0.5) for _ in range(count)])


@pytest.mark.parametrize("activation", [Activation("tanh"), Activation("softplus"),
                                        Activation("leaky_relu", 0.1)])
def test_network_stack_matches_the_mlp_backpropagation(activation):
    network = MLP(NETWORK.layer_sizes, activation)
    stack, thetas = NetworkStack(network), _stack_of(3)
    assert np.allclose(stack.loss(thetas, INPUTS, TARGETS),
                       [network.loss(t, INPUTS, TARGETS) for t in thetas], rtol=1e-14, atol=0)
    expected = np.array([network.loss_gradient(t, INPUTS, TARGETS) for t in thetas])
    for _ in range(2):      # the second call reuses the scratch buffers of the first
        assert np.allclose(stack.gradient(thetas, INPUTS, TARGETS), expected, rtol=1e-13,
                           atol=1e-16)
    samples = np.array([np.linalg.norm(network.per_sample_gradients(t, INPUTS, TARGETS), axis=1)
                        for t in thetas])
    assert np.allclose(stack.sample_gradient_norms(thetas, INPUTS, TARGETS), samples,
                       rtol=1e-13, atol=0)


def test_hessian_products_match_complex_step_products_of_the_mlp():
    stack, theta = NetworkStack(NETWORK), _stack_of(1, seed=4)[0]
    hessian = dense_from_products(
        complex_step_hvp(lambda p: NETWORK.loss_gradient(p, INPUTS, TARGETS), theta),
        NETWORK.n_params)
    identity = np.eye(NETWORK.n_params)
    exact = stack.hessian_products(theta, identity, INPUTS, TARGETS)
    assert np.allclose(exact, hessian, rtol=1e-12, atol=1e-13 * np.abs(hessian).max())
    assert np.allclose(exact, exact.T, atol=1e-13 * np.abs(hessian).max())


def test_descent_path_reproduces_full_batch_descent_exactly():
    theta = _stack_of(1)[0]

    def loss(p):
        return NETWORK.loss(p, INPUTS, TARGETS)

    def gradient(p):
        return NETWORK.loss_gradient(p, INPUTS, TARGETS)

    reference = full_batch_descent(loss, gradient, theta, 0.3, 40, 100)
    path = descent_path(loss, gradient, theta, 0.3, 40, keep=(0, 17))
    assert path.losses == reference.losses
    assert np.array_equal(path.final_parameters, reference.final_parameters)
    assert sorted(path.kept) == [0, 17] and np.array_equal(path.kept[0], theta)


def test_stacked_descent_is_row_by_row_descent():
    stack, thetas = NetworkStack(NETWORK), _stack_of(3, seed=2)
    rates = np.array([0.1, 0.2, 0.3])
    together = stacked_descent(stack, thetas, rates, INPUTS, TARGETS, 25)
    for row, rate, final in zip(thetas, rates, together, strict=True):
        alone = descent_path(lambda p: NETWORK.loss(p, INPUTS, TARGETS),
                             lambda p: NETWORK.loss_gradient(p, INPUTS, TARGETS), row, rate, 25)
        assert np.allclose(final, alone.final_parameters, rtol=1e-12, atol=1e-14)


def test_descent_reports_divergence():
    with pytest.raises(FloatingPointError, match="diverged"), np.errstate(over="ignore"):
        descent_path(lambda p: float(p @ p), lambda p: 2 * p, np.ones(3), 5.0, 400)


def test_hessian_products_need_the_second_derivative_of_the_activation():
    stack = NetworkStack(MLP(NETWORK.layer_sizes, Activation("softplus")))
    with pytest.raises(ValueError, match="φ″"):
        stack.hessian_products(_stack_of(1)[0], np.eye(NETWORK.n_params)[:, :2], INPUTS,
                               TARGETS)
