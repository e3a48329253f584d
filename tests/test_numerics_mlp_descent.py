"""numerics.mlp_descent: the compiled batched gradient against the hand-written
backpropagation, and lockstep descent against plain per-run loops."""

from __future__ import annotations

import numpy as np
import pytest

from flowcert.numerics.mlp_descent import compiled_loss_gradient, descent_endpoints
from flowcert.numerics.relu_network import MLP, Activation


@pytest.fixture(scope="module")
def problem():
    network = MLP((2, 3, 2), Activation("leaky_relu", 0.2))
    rng = np.random.default_rng(12)
    theta = network.initialise(rng, bias_scale=0.5)
    inputs, targets = rng.standard_normal((4, 2)), rng.standard_normal((4, 2))
    return network, theta, inputs, targets, compiled_loss_gradient(network, inputs, targets)


def test_compiled_gradient_matches_backpropagation_for_a_batch(problem):
    network, theta, inputs, targets, gradient = problem
    rng = np.random.default_rng(1)
    batch = theta + 0.1 * rng.standard_normal((5, theta.size))
    expected = np.array([network.loss_gradient(row, inputs, targets) for row in batch])
    # both are sums of a few dozen O(1) products: agreement to a few hundred ulp
    np.testing.assert_allclose(gradient(batch), expected, rtol=0, atol=1e-13)


def test_lockstep_descent_equals_separate_loops(problem):
    network, theta, inputs, targets, gradient = problem
    steps, horizon = (0.25, 0.125, 0.0625), 1.0
    endpoints = descent_endpoints(gradient, theta, steps, horizon)
    for eta, end in zip(steps, endpoints, strict=True):
        current = np.array(theta)
        for _ in range(round(horizon / eta)):
            current = current - eta * network.loss_gradient(current, inputs, targets)
        np.testing.assert_allclose(end, current, rtol=0, atol=1e-12)


def test_descent_rejects_bad_steps(problem):
    *_, gradient = problem
    with pytest.raises(ValueError, match="positive"):
        descent_endpoints(gradient, np.zeros(17), (0.1, -0.1), 1.0)
