"""numerics.relu_network: hand-written backpropagation against finite differences and
heyoka's automatic derivative; the same code in float, complex and mpmath arithmetic."""

from __future__ import annotations

import heyoka as hy
import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from flowcert.numerics.flows import loss_gradient
from flowcert.numerics.relu_network import MLP, Activation

#: Leaky slopes 0 or ≥ 1e-3 (subnormal slopes only test underflow, not the network).
SLOPES = st.one_of(st.just(0.0), st.floats(1e-3, 0.9))
ACTIVATIONS = st.one_of(st.builds(Activation, st.just("leaky_relu"), SLOPES),
                        st.sampled_from([Activation("tanh"), Activation("softplus"),
                                         Activation("linear")]))
LAYERS = st.lists(st.integers(1, 5), min_size=2, max_size=4)
#: Central differences at h = 1e-6: truncation ≈ h²‖∇³L‖ and rounding ≈ ε‖L‖/h, both ≤ 1e-9
#: for these O(1) networks; 1e-6 relative to max(1, |g|) is a margin of 10³.
FD_STEP, FD_TOLERANCE = 1e-6, 1e-6


def _problem(layers, activation, seed, bias=True):
    network = MLP(layers, activation, bias=bias)
    rng = np.random.default_rng(seed)
    theta = network.initialise(rng, bias_scale=0.4 if bias else 0.0)
    inputs = rng.standard_normal((4, layers[0]))
    targets = rng.standard_normal((4, layers[-1]))
    return network, theta, inputs, targets


@given(layers=LAYERS, activation=ACTIVATIONS, seed=st.integers(0, 2**32 - 1),
       bias=st.booleans())
def test_backpropagation_matches_central_finite_differences(layers, activation, seed, bias):
    network, theta, inputs, targets = _problem(layers, activation, seed, bias)
    state = network.forward(theta, inputs)
    if activation.name == "leaky_relu" and network.depth > 1 and min(
            np.min(np.abs(z)) for z in state.pre_activations[:-1]) < 1e-4:
        return  # a kink within the difference step
    gradient = network.loss_gradient(theta, inputs, targets)
    for index in range(network.n_params):
        step = np.zeros(network.n_params)
        step[index] = FD_STEP
        difference = (network.loss(theta + step, inputs, targets)
                      - network.loss(theta - step, inputs, targets)) / (2 * FD_STEP)
        assert difference == pytest.approx(gradient[index], abs=FD_TOLERANCE * max(
            1.0, abs(gradient[index])))


@pytest.mark.parametrize("activation", [Activation("leaky_relu", 0.2), Activation("tanh"),
                                        Activation("softplus")])
def test_backpropagation_equals_heyoka_automatic_differentiation(activation):
    network, theta, inputs, targets = _problem((2, 3, 2), activation, 3)
    variables = network.variables()
    compiled = hy.cfunc(loss_gradient(network.loss_expression(inputs, targets), variables),
                        vars=variables)
    assert np.allclose(compiled(theta), network.loss_gradient(theta, inputs, targets),
                       rtol=0, atol=1e-14)
    value = hy.cfunc([network.loss_expression(inputs, targets)], vars=variables)(theta)[0]
    assert value == pytest.approx(network.loss(theta, inputs, targets), rel=1e-14)


@given(layers=LAYERS, activation=ACTIVATIONS, seed=st.integers(0, 2**32 - 1))
def test_per_sample_gram_equals_explicit_per_sample_gradients(layers, activation, seed):
    network, theta, inputs, targets = _problem(layers, activation, seed)
    explicit = network.per_sample_gradients(theta, inputs, targets)
    gram = network.per_sample_gradient_gram(theta, inputs, targets)
    assert np.allclose(gram, explicit @ explicit.T, rtol=1e-12, atol=1e-12)
    # Σ_n ∇f_n / N is the mean-squared-error gradient.
    assert np.allclose(explicit.mean(axis=0), network.loss_gradient(theta, inputs, targets),
                       rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("activation", [Activation("leaky_relu", 0.1), Activation("tanh"),
                                        Activation("softplus")])
def test_mpmath_arithmetic_reproduces_float_and_refines_it(activation):
    network, theta, inputs, targets = _problem((3, 4, 2), activation, 9)
    with mpmath.workprec(200):
        exact = network.loss_gradient(*(np.vectorize(mpmath.mpf, otypes=[object])(v)
                                        for v in (theta, inputs, targets)))
        assert all(isinstance(v, mpmath.mpf) for v in exact)
        gap = max(abs(mpmath.mpf(a) - b) for a, b in zip(network.loss_gradient(
            theta, inputs, targets), exact, strict=True))
    assert float(gap) <= 1e-14


def test_hidden_pre_activation_expressions_evaluate_to_the_forward_pass():
    network, theta, inputs, _ = _problem((2, 3, 2, 1), Activation("leaky_relu", 0.3), 11)
    compiled = hy.cfunc(network.hidden_pre_activation_expressions(inputs),
                        vars=network.variables())
    state = network.forward(theta, inputs)
    expected = np.concatenate([np.concatenate([z[n] for z in state.pre_activations[:-1]])
                               for n in range(len(inputs))])
    assert np.allclose(compiled(theta), expected, rtol=0, atol=1e-14)


def test_invalid_configurations_are_rejected():
    with pytest.raises(ValueError, match="activation"):
        Activation("sigmoid")
    with pytest.raises(ValueError, match="slope"):
        Activation("leaky_relu", 1.5)
    with pytest.raises(ValueError, match="layer_sizes"):
        MLP((3,), Activation("tanh"))
    network = MLP((2, 2), Activation("tanh"))
    with pytest.raises(ValueError, match="parameters"):
        network.unpack(np.zeros(3))
    with pytest.raises(ValueError, match="inputs"):
        network.forward(np.zeros(network.n_params), np.zeros((3, 5)))
