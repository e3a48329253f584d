"""numerics.diagonal: autodiff gradients, training to interpolation, ℓ1/ℓ2 interpolants,
matrix sensing (and its non-diagonal negative control), bad input."""

from __future__ import annotations

import itertools
import math

import mpmath
import numpy as np
import pytest

from flowcert.numerics.diagonal import (
    DiagonalNetwork,
    MatrixSensing,
    NotConvergedError,
    diagonal_measurements,
    exact,
    min_l1_interpolant,
    min_l2_interpolant,
    random_instance,
    residual_norm,
    train_to_interpolation,
)
from flowcert.numerics.integrate import evaluate_field, integrate


def _loss(weights: np.ndarray, X: np.ndarray, y: np.ndarray, depth: int) -> float:
    d = X.shape[1]
    beta = weights[:d] ** depth - weights[d:] ** depth
    return 0.5 * float(np.sum((X @ beta - y) ** 2))


@pytest.mark.parametrize("depth", [2, 3, 4])
def test_autodiff_field_is_minus_the_loss_gradient(depth: int):
    instance = random_instance(2, 4, seed=3)
    network = DiagonalNetwork(2, 4, depth)
    rng = np.random.default_rng(0)
    weights = rng.uniform(0.3, 1.2, network.n_weights)
    state = np.concatenate([weights, np.zeros(2)])
    field = evaluate_field(network.vector_field, state,
                           network.flow_parameters(instance.X, instance.y), 53)
    step = 1e-6
    central = [(_loss(weights + step * e, instance.X, instance.y, depth)
                - _loss(weights - step * e, instance.X, instance.y, depth)) / (2 * step)
               for e in np.eye(network.n_weights)]
    # central differences: truncation O(step²·|L‴|) ≲ 1e-10, rounding ≲ 1e-16/step = 1e-10
    assert np.allclose(field[:network.n_weights], -np.array(central), rtol=0, atol=1e-8)
    residual = instance.X @ (weights[:4] ** depth - weights[4:] ** depth) - instance.y
    assert np.allclose(field[network.n_weights:], residual, rtol=1e-14, atol=1e-14)


def test_training_reaches_the_threshold_and_interpolates():
    instance = random_instance(3, 6, seed=1)
    network = DiagonalNetwork(3, 6, 2)
    flow = train_to_interpolation(network, instance.X, instance.y, 0.5)
    assert flow.residual_norm <= flow.threshold
    assert residual_norm(flow.beta, instance.X, instance.y) == pytest.approx(flow.residual_norm,
                                                                            rel=1e-6)
    assert flow.horizons > 1 and flow.steps > 0
    assert math.isfinite(flow.convergence_gain) and flow.weight_amplification >= 2


def test_training_raises_when_the_time_budget_is_too_short():
    instance = random_instance(3, 6, seed=1)
    with pytest.raises(NotConvergedError, match="did not fall below"):
        train_to_interpolation(DiagonalNetwork(3, 6, 3), instance.X, instance.y, 0.01,
                               max_time=4.0)


def test_high_precision_training_uses_the_exact_data():
    """At 113 bits the residual falls to ~1e-32: data enter the engine with their exact
    float values (a decimal repr of the floats would leave a 1e-17 residual)."""
    instance = random_instance(3, 6, seed=1)
    flow = train_to_interpolation(DiagonalNetwork(3, 6, 2), instance.X, instance.y, 1.0,
                                  bits=113)
    assert flow.residual_norm <= 1e-30


def test_exact_keeps_the_float_value():
    with mpmath.workprec(200):
        value = exact(0.1)
        assert value == mpmath.mpf(0.1) and value != mpmath.mpf("0.1")
        assert value.man.bit_length() <= 53  # the float's own significand, unchanged


def test_random_instances_are_reproducible_and_seeded():
    first, again, other = (random_instance(3, 7, seed) for seed in (5, 5, 6))
    assert np.array_equal(first.X, again.X) and np.array_equal(first.y, again.y)
    assert not np.array_equal(first.X, other.X)
    assert np.count_nonzero(first.beta_star) == 3


def test_min_l2_interpolant_is_the_pseudoinverse_solution():
    instance = random_instance(3, 6, seed=2)
    expected = np.linalg.pinv(instance.X) @ instance.y
    assert np.allclose(min_l2_interpolant(instance.X, instance.y), expected, rtol=1e-12,
                       atol=1e-14)
    high = min_l2_interpolant(instance.X, instance.y, bits=200)
    assert np.allclose(np.array(high, dtype=float), expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_min_l1_interpolant_beats_every_vertex(seed: int):
    """Brute force over all N-column supports: the ℓ1 minimum over interpolants is attained
    at a basic solution, so the polished LP answer must match the best one."""
    instance = random_instance(3, 6, seed)
    solution = min_l1_interpolant(instance.X, instance.y)
    best = math.inf
    for support in itertools.combinations(range(6), 3):
        columns = instance.X[:, support]
        if abs(np.linalg.det(columns)) < 1e-12:
            continue
        best = min(best, float(np.abs(np.linalg.solve(columns, instance.y)).sum()))
    assert np.allclose(instance.X @ solution.beta, instance.y, atol=1e-14)
    assert float(np.abs(solution.beta).sum()) == pytest.approx(best, rel=1e-12)
    assert 0 <= solution.margin < 1


def test_degenerate_l1_problems_are_rejected():
    X = np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])  # two equal columns: no unique vertex
    with pytest.raises(ValueError):
        min_l1_interpolant(X, np.array([1.0, 1.0]))


def _sensing_run(measurements, y, alpha=0.6):
    sensing = MatrixSensing(2, 3)
    trajectory = integrate(sensing.vector_field, sensing.initial_state(alpha), [0.5, 2.0],
                           sensing.flow_parameters(measurements, y))
    return [sensing.matrix(state) for state in trajectory.states]


def test_diagonal_sensing_stays_diagonal():
    instance = random_instance(2, 3, seed=9)
    for matrix in _sensing_run(diagonal_measurements(instance.X), instance.y):
        off = matrix - np.diag(np.diag(matrix))
        assert np.max(np.abs(off.astype(float))) == 0


def test_non_diagonal_sensing_leaves_the_diagonal():
    """Negative control for KR6: a symmetric off-diagonal part in one measurement makes W
    acquire off-diagonal entries, so KR6's diagonal check can fail."""
    instance = random_instance(2, 3, seed=9)
    measurements = diagonal_measurements(instance.X)
    measurements[0, 0, 1] = measurements[0, 1, 0] = 0.3
    matrix = _sensing_run(measurements, instance.y)[-1].astype(float)
    assert np.max(np.abs(matrix - np.diag(np.diag(matrix)))) > 1e-3


@pytest.mark.parametrize(("n_samples", "dimension"), [(3, 3), (0, 2), (4, 2)])
def test_bad_shapes_are_rejected(n_samples, dimension):
    with pytest.raises(ValueError, match="n_samples"):
        DiagonalNetwork(n_samples, dimension, 2)


@pytest.mark.parametrize("depth", [1, 2.0, True])
def test_bad_depth_is_rejected(depth):
    with pytest.raises(ValueError, match="depth"):
        DiagonalNetwork(2, 4, depth)


@pytest.mark.parametrize("alpha", [0.0, -0.5, math.inf])
def test_bad_alpha_is_rejected(alpha):
    instance = random_instance(2, 4, seed=0)
    with pytest.raises(ValueError, match="alpha"):
        train_to_interpolation(DiagonalNetwork(2, 4, 2), instance.X, instance.y, alpha)


def test_bad_data_shapes_are_rejected():
    instance = random_instance(2, 4, seed=0)
    with pytest.raises(ValueError, match="X must be"):
        DiagonalNetwork(2, 4, 2).flow_parameters(instance.X.T, instance.y)
