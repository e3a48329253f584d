"""numerics.splines and numerics.wide_relu (family SP): laws and their ζ, the kernel by
quadrature, the variational solver (natural spline, interpolation, g″ = 0 outside the data),
network gradients against finite differences, training limits, bad input."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy.interpolate import CubicSpline

from flowcert.numerics.integrate import evaluate_field, integrate
from flowcert.numerics.monte_carlo import generator
from flowcert.numerics.splines import Law, kink_weight_samples, solve_variational
from flowcert.numerics.wide_relu import (
    WideReLU,
    antisymmetric_network,
    gradient_descent,
    loss,
    loss_gradient,
    min_norm_fit,
    output_layer_flow,
)

GAUSSIAN = Law("gaussian", {"sigma_w": 1.0, "sigma_b": 1.0})
CONSTANT = Law("sign_uniform", {"a_b": 3.0})


def _data():
    return st.lists(st.floats(-2.0, 2.0), min_size=3, max_size=6, unique=True).filter(
        lambda v: min(np.diff(sorted(v))) > 0.15).map(sorted)


@given(_data(), st.data())
def test_free_affine_solution_is_the_natural_spline(x, data):
    y = data.draw(st.lists(st.floats(-1, 1), min_size=len(x), max_size=len(x)))
    solution = solve_variational(CONSTANT, x, y, free_affine=True)
    grid = np.linspace(x[0] - 0.8, x[-1] + 0.8, 23)
    inside = (grid >= x[0]) & (grid <= x[-1])
    assert np.max(np.abs(solution(x) - y)) < 1e-10
    assert np.max(np.abs(solution(grid[inside]) - CubicSpline(x, y, bc_type="natural")(
        grid[inside]))) < 1e-9
    outside = grid[~inside]
    assert np.max(np.abs(solution.second_derivative(outside))) < 1e-9


def test_penalty_of_each_law_is_even_positive_and_agrees_across_precisions():
    laws = (GAUSSIAN, Law("uniform", {"a_w": 1.2, "a_b": 0.7}), CONSTANT, Law("circle"))
    for law in laws:
        for value in (0.0, 0.45, 1.3, 2.9):
            low = law.penalty(value)
            assert low == pytest.approx(law.penalty(-value), rel=1e-12)
            assert low > 0
            assert float(law.penalty(value, 113)) == pytest.approx(low, rel=1e-12)


def test_kernel_quadrature_is_symmetric_with_the_right_diagonal():
    """K(x, x) = E[σ(Wx+B)²] = E[(Wx+B)²]/2 by the symmetry (W, B) → (−W, −B)."""
    for law in (GAUSSIAN, Law("uniform", {"a_w": 1.2, "a_b": 0.7}), CONSTANT, Law("circle")):
        moment_w, moment_b = law.second_moments()
        assert law.kernel(0.3, -0.8) == pytest.approx(law.kernel(-0.8, 0.3), rel=1e-11)
        assert law.kernel(0.6, 0.6) == pytest.approx((moment_w * 0.36 + moment_b) / 2,
                                                     rel=1e-11)


@pytest.mark.parametrize("law", [GAUSSIAN, Law("gaussian", {"sigma_w": 0.7, "sigma_b": 1.6}),
                                 Law("uniform", {"a_w": 1.2, "a_b": 0.7}), CONSTANT,
                                 Law("circle")])
def test_high_precision_kernel_agrees_with_the_nested_float_quadrature(law):
    """The one-dimensional mpmath kernel (angle of (W, B), or partial moments of B) and the
    nested SciPy quadrature are independent computations of E[σ(Wx+B)σ(Wx′+B)]."""
    for first, second in ((0.3, -0.8), (-1.1, -1.1), (2.2, 0.5)):
        low = law.kernel(first, second)
        high = law.kernel(first, second, 113)
        assert isinstance(high, mpmath.mpf)
        assert float(high) == pytest.approx(low, rel=1e-12)
        assert abs(law.kernel(first, second, 256) / high - 1) < 1e-30


def test_kernel_diagonal_is_half_the_second_moment_at_high_precision():
    """K(x, x) = E[(Wx + B)²]/2 = (E[W²]x² + E[B²])/2 for laws symmetric under (W, B) → −."""
    with mpmath.workprec(150):
        for law, moments in ((GAUSSIAN, (1, 1)), (CONSTANT, (1, 3)), (Law("circle"),
                                                                     ("0.5", "0.5"))):
            moment_w, moment_b = (mpmath.mpf(m) for m in moments)
            expected = (moment_w * mpmath.mpf("0.36") + moment_b) / 2
            assert abs(law.kernel("0.6", "0.6", 113) / expected - 1) < 1e-30


def test_kink_weights_with_power_zero_average_to_the_kink_density():
    """power 0: the bin mean of 1{C ∈ bin}/(2h) is the bin average of p_C; for W, B ~ N(0, 1)
    the kink C = −B/W is standard Cauchy, p_C(0) = 1/π (ζ(0) = 2/π is twice that)."""
    samples = kink_weight_samples(GAUSSIAN, generator(8, "test-kink-density"), 400_000,
                                  [0.0], 0.05, power=0)[0]
    standard_error = np.std(samples, ddof=1) / math.sqrt(len(samples))
    cauchy = math.atan(0.05) / (math.pi * 0.05)
    assert abs(np.mean(samples) - cauchy) < 5 * standard_error


def test_monte_carlo_kink_weights_average_to_the_quadrature_penalty():
    rng = generator(7, "test-kink")
    samples = kink_weight_samples(GAUSSIAN, rng, 400_000, [0.0], 0.05)[0]
    bin_average = np.mean([GAUSSIAN.penalty(v) for v in np.linspace(-0.05, 0.05, 201)])
    standard_error = np.std(samples, ddof=1) / math.sqrt(len(samples))
    assert abs(np.mean(samples) - bin_average) < 5 * standard_error


def test_network_evaluation_from_sorted_kinks_equals_the_dense_features():
    """f(x) = x·S₁(x) + S₀(x) from cumulative sums over sorted kinks is Σ a_k[w_k x + b_k]₊
    + u + v·x, including units with w = 0 and points exactly at a kink."""
    rng = generator(9, "test-kinks")
    w = np.concatenate([rng.standard_normal(300), [0.0, 0.0, 1.0, -1.0]])
    b = np.concatenate([rng.standard_normal(300), [0.4, -0.4, -0.5, 0.5]])
    network = WideReLU(w, b, rng.standard_normal(len(w)), 0.3, -0.7)
    points = np.concatenate([np.linspace(-4, 4, 57), [0.5]])
    dense = network.features(points) @ network.a + 0.3 - 0.7 * points
    assert np.max(np.abs(network(points) - dense)) < 1e-12 * np.max(np.abs(dense))


def test_antisymmetric_network_starts_at_zero():
    network = antisymmetric_network(GAUSSIAN, 40, generator(1, "test"))
    assert np.max(np.abs(network(np.linspace(-3, 3, 13)))) < 1e-15


def test_gradient_matches_finite_differences():
    rng = generator(2, "test-gradient")
    network = WideReLU(rng.standard_normal(6), rng.standard_normal(6), rng.standard_normal(6))
    x, y = np.array([-0.9, 0.2, 1.3]), np.array([0.3, -0.2, 0.5])
    analytic = np.concatenate(loss_gradient(network, x, y))
    step, numeric = 1e-6, []
    for name in ("w", "b", "a"):
        for k in range(6):
            values = []
            for sign in (1, -1):
                shifted = getattr(network, name).copy()
                shifted[k] += sign * step
                values.append(loss(WideReLU(**{**network.__dict__, name: shifted}), x, y))
            numeric.append((values[0] - values[1]) / (2 * step))
    assert np.allclose(analytic, numeric, rtol=1e-6, atol=1e-8)


def test_output_layer_descent_converges_to_the_minimum_norm_fit():
    network = antisymmetric_network(GAUSSIAN, 30, generator(3, "test-descent"))
    x, y = np.array([-1.0, -0.2, 0.5, 1.2]), np.array([0.4, -0.3, 0.1, 0.6])
    features = network.features(x)
    rate = 1 / np.linalg.eigvalsh(features @ features.T).max()
    trained = gradient_descent(network, x, y, rate, 20_000, train="output")
    limit = min_norm_fit(network, x, y)
    assert np.max(np.abs(trained.a - limit.a)) < 1e-8
    assert np.max(np.abs(limit(x) - y)) < 1e-12


def test_all_layer_descent_reduces_the_loss():
    network = antisymmetric_network(GAUSSIAN, 200, generator(4, "test-all"))
    x, y = np.array([-1.0, 0.0, 1.1]), np.array([0.5, -0.4, 0.3])
    trained = gradient_descent(network, x, y, 0.002, 300, train="all")
    assert loss(trained, x, y) < 1e-3 * loss(network, x, y)
    assert not np.array_equal(trained.w, network.w)


def test_output_layer_flow_is_minus_the_gradient_and_keeps_the_interpolant():
    network = antisymmetric_network(GAUSSIAN, 8, generator(5, "test-flow"))
    x, y = np.array([-0.8, 0.1, 0.9]), np.array([0.2, -0.5, 0.4])
    features = network.features(x)
    field = output_layer_flow(8, 3)
    params = list(features.ravel()) + list(y) + [1.0]
    expected = -loss_gradient(network, x, y)[2]
    assert np.allclose(evaluate_field(field, network.a, params), expected, atol=1e-14)
    slowest = np.linalg.eigvalsh(features @ features.T).min()
    late = integrate(field, list(network.a), [40 / slowest], params).states[-1]
    assert np.allclose(late, min_norm_fit(network, x, y).a, atol=1e-9)
    with mpmath.workprec(113):
        assert evaluate_field(field, network.a, params, bits=113)[0] == pytest.approx(
            expected[0], rel=1e-13)


@pytest.mark.parametrize("kind,params,match", [
    ("normal", {}, "law must be one of"),
    ("gaussian", {"sigma_w": 1.0}, "takes parameters"),
    ("uniform", {"a_w": 0.0, "a_b": 1.0}, "a_w must be a finite number > 0"),
    ("sign_uniform", {"a_b": float("inf")}, "a_b"),
])
def test_bad_laws_raise(kind, params, match):
    with pytest.raises(ValueError, match=match):
        Law(kind, params)


def test_bad_training_input_raises():
    with pytest.raises(ValueError, match="even integer"):
        antisymmetric_network(GAUSSIAN, 7, generator(1))
    network = antisymmetric_network(GAUSSIAN, 4, generator(1))
    with pytest.raises(ValueError, match="train must be"):
        gradient_descent(network, [0.0], [1.0], 0.1, 1, train="hidden")
    with pytest.raises(ValueError, match="distinct"):
        solve_variational(CONSTANT, [0.0, 0.0], [1.0, 2.0])
