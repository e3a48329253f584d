"""numerics.monte_carlo: reproducible streams, log-space products and the trace recursion
against explicitly multiplied matrices and dense Jacobians."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from flowcert.numerics import monte_carlo

SEEDS = st.integers(0, 2**32 - 1)


def test_generators_are_reproducible_and_keyed():
    first = monte_carlo.generator(3, "CV3", 8).standard_normal(5)
    assert np.array_equal(first, monte_carlo.generator(3, "CV3", 8).standard_normal(5))
    assert not np.array_equal(first, monte_carlo.generator(3, "CV3", 16).standard_normal(5))
    assert not np.array_equal(first, monte_carlo.generator(4, "CV3", 8).standard_normal(5))
    with pytest.raises(ValueError, match="base_seed"):
        monte_carlo.generator(-1)


@given(depth=st.integers(1, 12), sigma=st.floats(0.1, 3.0), seed=SEEDS)
def test_chain_log_products_are_cumulative_logs_of_the_weights(depth, sigma, seed):
    logs = monte_carlo.scalar_chain_log_products(np.random.default_rng(seed), depth, 6, sigma)
    weights = sigma * np.random.default_rng(seed).standard_normal((6, depth))
    expected = np.log(np.abs(np.cumprod(weights, axis=1)))
    assert np.allclose(logs, expected, rtol=1e-12, atol=1e-12)


def _explicit_layers(seed, samples, width, depth, sigma):
    """The weights linear_network_paths draws (one chunk: layer by layer, all paths)."""
    rng = np.random.default_rng(seed)
    return [sigma * rng.standard_normal((samples, width, width)) for _ in range(depth)]


@given(width=st.integers(1, 6), depth=st.integers(1, 8), columns=st.integers(1, 3),
       seed=SEEDS)
def test_linear_paths_equal_explicit_matrix_products(width, depth, columns, seed):
    columns = min(columns, width)
    sigma = 1 / np.sqrt(width)
    paths = monte_carlo.linear_network_paths(np.random.default_rng(seed), width, depth, 3,
                                             sigma, columns, with_trace=True)
    layers = _explicit_layers(seed, 3, width, depth, sigma)
    for n in range(3):
        product = np.eye(width)
        for layer in range(depth):
            product = layers[layer][n] @ product
            norms = np.sum(product[:, :columns] ** 2, axis=0)
            assert np.allclose(paths.log_norm_sq[n, :, layer + 1], np.log(norms), atol=1e-10)
            trace = monte_carlo.linear_network_trace(
                [layers[k][n] for k in range(layer + 1)], np.eye(width)[0])
            assert paths.log_trace[n, layer + 1] == pytest.approx(np.log(trace), abs=1e-10)


@given(width=st.integers(1, 4), depth=st.integers(1, 4), seed=SEEDS)
def test_trace_recursion_equals_the_dense_jacobian(width, depth, seed):
    """tr(JᵀJ) with J built column by column: ∂y/∂(W_l)_{ij} = W_{>l} e_i (h_{l−1})_j."""
    rng = np.random.default_rng(seed)
    layers = [rng.standard_normal((width, width)) for _ in range(depth)]
    inputs = rng.standard_normal(width)
    columns = []
    for index in range(depth):
        hidden = inputs
        for layer in layers[:index]:
            hidden = layer @ hidden
        above = np.eye(width)
        for layer in layers[index + 1:]:
            above = layer @ above
        columns += [above[:, i] * hidden[j] for i in range(width) for j in range(width)]
    jacobian = np.column_stack(columns)
    assert monte_carlo.linear_network_trace(layers, inputs) == pytest.approx(
        np.sum(jacobian**2), rel=1e-12)


def test_relu_ratios_mark_dead_paths():
    # Width 1: a layer dies with probability ½, so 400 paths of depth 6 contain deaths.
    logs = monte_carlo.relu_layer_log_ratios(np.random.default_rng(0), 1, 6, 400, 1.4)
    dead = np.isneginf(logs)
    assert dead.any()
    for row in range(len(logs)):
        died = np.nonzero(dead[row])[0]
        if len(died):
            assert np.all(np.isnan(logs[row, died[0] + 1:]))
            assert np.all(np.isfinite(logs[row, :died[0]]))


def test_sphere_inner_products_are_cosines():
    values = monte_carlo.sphere_inner_products(np.random.default_rng(1), 7, 1000)
    assert np.all(np.abs(values) <= 1.0)
    with pytest.raises(ValueError, match="dimension"):
        monte_carlo.sphere_inner_products(np.random.default_rng(1), 0, 10)
