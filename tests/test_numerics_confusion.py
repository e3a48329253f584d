"""The GC family's numerics: exact-in-law gradient Gram sampling (GC3, GC4), exact one-step
maps of least-squares SGD (GC2), sphere moments and the null-model vectors (GC1)."""

from __future__ import annotations

import itertools

import mpmath
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from scipy import stats

from flowcert.numerics import gradient_confusion, least_squares_sgd, random_vectors
from flowcert.numerics.relu_network import MLP, Activation

ACTIVATIONS = {"tanh": (Activation("tanh"), 1.0), "relu": (Activation("leaky_relu", 0.0), 2.0)}


def _data(rng: np.random.Generator, count: int = 6, dimension: int = 5):
    inputs = rng.standard_normal((count, dimension))
    return inputs / np.linalg.norm(inputs, axis=1)[:, None], rng.choice([-1.0, 1.0],
                                                                        (count, 1))


# ----------------------------------------------------------------------------- gradient Grams


@settings(max_examples=12, derandomize=True)
@given(width=st.integers(2, 40), hidden=st.integers(1, 4), name=st.sampled_from(["tanh", "relu"]),
       seed=st.integers(0, 2**32 - 1))
@example(width=40, hidden=3, name="relu", seed=1)
@example(width=25, hidden=2, name="tanh", seed=2)
def test_block_computation_reproduces_the_explicit_network(width, hidden, name, seed):
    """With the blocks cut from the network's own weights (W̃ = W), the reduced forward and
    backward passes give the explicit backpropagation Gram matrix. With six samples, layers
    of fan-in > 4·6 = 24 use the blocks (the examples), smaller ones the full matrix."""
    rng = np.random.default_rng(seed)
    inputs, targets = _data(rng)
    activation, gain = ACTIVATIONS[name]
    network = MLP(gradient_confusion.layer_sizes(inputs.shape[1], width, hidden), activation)
    theta = network.initialise(rng, gain=gain)
    explicit = network.per_sample_gradient_gram(theta, inputs, targets)
    blocks = gradient_confusion.gram_from_weights([w for w, _ in network.unpack(theta)],
                                                  inputs, targets, activation)
    assert np.allclose(blocks, explicit, rtol=1e-12, atol=1e-12 * np.abs(explicit).max())


@pytest.mark.parametrize("output_scale", [1.0, 0.01])
def test_sampled_grams_have_the_law_of_explicit_initialisations(output_scale):
    """Minimum cosines from the block sampler and from explicit MLP initialisations (last
    layer × output_scale): a two-sample KS test must not reject (p ≥ 1e-6; width 40 > 24
    uses the blocks)."""
    rng = np.random.default_rng(5)
    inputs, targets = _data(rng)
    activation, gain = ACTIVATIONS["relu"]
    network = MLP(gradient_confusion.layer_sizes(inputs.shape[1], 40, 3), activation)

    def explicit_draw() -> float:
        layers = network.unpack(network.initialise(rng, gain=gain))
        layers[-1][0][...] *= output_scale
        gram = network.per_sample_gradient_gram(network.pack(layers), inputs, targets)
        return gradient_confusion.minimum_cosines(gram[None])[0]

    explicit = np.array([explicit_draw() for _ in range(400)])
    sampled = gradient_confusion.minimum_cosines(gradient_confusion.gradient_grams(
        rng, inputs, targets, 40, 3, activation, gain, 400, output_scale))
    assert stats.ks_2samp(explicit, sampled).pvalue >= 1e-6


def test_minimum_cosine_ignores_the_diagonal():
    gram = np.array([[[4.0, -2.0, 0.0], [-2.0, 1.0, 0.5], [0.0, 0.5, 1.0]]])
    assert gradient_confusion.minimum_cosines(gram)[0] == pytest.approx(-1.0)


@pytest.mark.parametrize("bad", [{"width": 0}, {"hidden": 0}, {"draws": 0}, {"gain": -1.0},
                                 {"output_scale": 0.0}])
def test_sampler_rejects_bad_parameters(bad):
    rng = np.random.default_rng(0)
    inputs, targets = _data(rng)
    arguments = {"width": 4, "hidden": 1, "draws": 2, "gain": 1.0, "output_scale": 1.0} | bad
    with pytest.raises(ValueError):
        gradient_confusion.gradient_grams(rng, inputs, targets, arguments["width"],
                                          arguments["hidden"], ACTIVATIONS["tanh"][0],
                                          arguments["gain"], arguments["draws"],
                                          arguments["output_scale"])


# ----------------------------------------------------------------------------- least squares


def _features(seed: int, count: int = 5, dimension: int = 4) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal((count, dimension))


def test_moment_maps_give_the_expected_loss_after_one_step():
    """½eᵀPe equals the average over the N possible SGD steps of F(w′) (consistent data)."""
    features = _features(1)
    step = 0.05
    gram, expected = least_squares_sgd.moment_maps(features, step)
    for e in np.random.default_rng(2).standard_normal((5, features.shape[1])):
        after = [e - step * row * (row @ e) for row in features]
        average = np.mean([0.5 * np.mean((features @ w) ** 2) for w in after])
        assert 0.5 * e @ expected @ e == pytest.approx(average, rel=1e-12)
        assert 0.5 * e @ gram @ e == pytest.approx(0.5 * np.mean((features @ e) ** 2), rel=1e-12)


def test_worst_contraction_of_orthogonal_rows_is_set_by_the_worst_row():
    """Orthogonal rows: E F(w′)/F(w) is a mixture of the per-row factors
    1 − (2αλ_i − α²λ_i²)/N, so κ = 1 − min_i(2αλ_i − α²λ_i²)/N."""
    norms = np.array([0.5, 1.0, 1.5, 2.0])
    rows = np.diag(norms) @ np.linalg.qr(np.random.default_rng(3).standard_normal((4, 4)))[0]
    for step in (0.01, 0.1, 0.2):
        squared = norms**2
        expected = 1 - np.min(2 * step * squared - step**2 * squared**2) / 4
        with mpmath.workprec(80):
            kappa = least_squares_sgd.worst_contraction(rows, step)
        assert float(kappa) == pytest.approx(expected, rel=1e-13)


def test_first_order_contraction_is_the_slope_of_kappa_at_zero():
    """−dκ/dα at 0 against a central difference of κ(α) = 1 − α·c + O(α²) (random rows)."""
    features = _features(4, count=6, dimension=3)
    with mpmath.workprec(120):
        slope = least_squares_sgd.first_order_contraction(features)
        h = mpmath.mpf("1e-12")
        difference = (least_squares_sgd.worst_contraction(features, h) - 1) / h
    assert float(-difference) == pytest.approx(float(slope), rel=1e-9)


def test_sgd_path_losses_follow_the_sample_order():
    features, targets = _features(5, 3, 2), np.array([0.3, -1.0, 2.0])
    losses = least_squares_sgd.sgd_path_losses(features, targets, np.zeros(2), 0.1, [2, 0])
    w = np.zeros(2)
    for index in (2, 0):
        w = w - 0.1 * (features[index] @ w - targets[index]) * features[index]
    assert losses[-1] == pytest.approx(0.5 * np.mean((features @ w - targets) ** 2), rel=1e-14)
    assert len(losses) == 3


def test_confusion_on_ball_is_the_supremum():
    """No point of the ball gives a more negative gradient inner product, and the value is
    attained (brute force over the unit circle in d = 2, radius 1.5)."""
    features = np.array([[1.0, 0.2], [-0.4, 1.1], [0.9, -0.8]])
    level = least_squares_sgd.confusion_on_ball(features, 1.5)
    angles = np.linspace(0, 2 * np.pi, 20001)
    errors = 1.5 * np.stack([np.cos(angles), np.sin(angles)], axis=1)
    residuals = errors @ features.T
    worst = max(float(np.max(-(features[i] @ features[j]) * residuals[:, i] * residuals[:, j]))
                for i, j in itertools.combinations(range(3), 2))
    assert worst <= level * (1 + 1e-12)
    assert worst == pytest.approx(level, rel=1e-6)


# ----------------------------------------------------------------------------- sphere


@pytest.mark.parametrize("bits", [53, 113])
def test_sphere_moments_in_three_dimensions_are_archimedes(bits):
    """d = 3: x₁ is uniform on [−1, 1] (Archimedes), so E x₁^{2m} = 1/(2m + 1)."""
    with mpmath.workprec(bits):
        moments, estimate = random_vectors.sphere_moments((3,), (1, 2, 3))
        for m in (1, 2, 3):
            assert abs(moments[3, m] * (2 * m + 1) - 1) <= 4 * mpmath.eps
    assert estimate <= 2.0 ** -bits


def test_null_vectors_have_the_stated_second_moments():
    rng = np.random.default_rng(6)
    cube = random_vectors.cube_vertex_inner_products(rng, 7, 20000)
    assert set(np.round(cube * 7).astype(int)) <= set(range(-7, 8, 2))
    assert np.mean(cube**2) == pytest.approx(1 / 7, rel=0.05)
    gaussian = random_vectors.gaussian_inner_products(rng, 7, 20000)
    assert np.mean(gaussian**2) == pytest.approx(7, rel=0.05)
    with pytest.raises(ValueError):
        random_vectors.cube_vertex_inner_products(rng, 0, 10)
