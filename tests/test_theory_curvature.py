"""theory.curvature (CV1–CV6) against independent evaluations written from THEORY.md.

References: mpmath quadrature of the Gaussian and χ² log-moments, exact Gauss–Hermite
quadrature of polynomial moments (numpy's hermegauss, exact for degree ≤ 2n − 1), direct
summation of the ReLU mixture with math.comb, and direct iteration of the escape map.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from numpy.polynomial.hermite_e import hermegauss
from scipy import integrate

from flowcert.theory import curvature

#: Quadrature references at 40 digits; the closed forms evaluated at 40 digits agree to
#: rounding (≤ 1e-38), so 1e-30 catches any formula error ≥ 1e-30 with margin.
DIGITS, TOLERANCE = 40, 1e-30


def test_self_checks_hold():
    failed = [name for name, ok in curvature.self_checks().items() if not ok]
    assert not failed


def test_log_abs_gaussian_moments_match_quadrature():
    with mpmath.workdps(DIGITS):
        density = lambda z: mpmath.exp(-z**2 / 2) / mpmath.sqrt(2 * mpmath.pi)  # noqa: E731
        mean = 2 * mpmath.quad(lambda z: mpmath.log(z) * density(z), [0, 1, mpmath.inf])
        second = 2 * mpmath.quad(lambda z: mpmath.log(z) ** 2 * density(z), [0, 1, mpmath.inf])
        assert abs(curvature.chain_log_mean(1, mpmath.mpf(1)) - mean) < TOLERANCE
        variance = sp.N(curvature.derived()["CHAIN_LOG_VARIANCE"].subs(curvature.L, 1), DIGITS)
        assert abs(mpmath.mpf(str(variance)) - (second - mean**2)) < TOLERANCE
    # Integer-only arguments evaluate in float (53 + 40 bits, rounded once).
    assert curvature.chain_log_variance(3) == pytest.approx(3 * float(second - mean**2),
                                                            rel=1e-15)
    # The numbers of the statement: (γ + ln 2)/2 = 0.6352…, π²/8 = 1.2337…
    assert float(-mean) == pytest.approx(0.635181422730739, rel=1e-14)
    assert float(second - mean**2) == pytest.approx(1.233700550136170, rel=1e-14)


@given(width=st.integers(1, 300), scale=st.floats(0.05, 3.0))
def test_layer_log_moments_match_chi_square_quadrature(width, scale):
    """E log χ²_d and Var by scipy quad over v = log u (density e^{kv − e^v/2}/(2^kΓ(k)))."""
    k = width / 2

    def density(v):
        return math.exp(k * v - math.exp(v) / 2 - k * math.log(2) - math.lgamma(k))

    centre = math.log(width)
    mean = integrate.quad(lambda v: v * density(v), centre - 60, centre + 5, epsabs=0,
                          epsrel=1e-13, limit=200)[0]
    second = integrate.quad(lambda v: (v - mean) ** 2 * density(v), centre - 60, centre + 5,
                            epsabs=0, epsrel=1e-13, limit=200)[0]
    # quad to 1e-13 relative on [ln d − 60, ln d + 5]; the neglected tails contribute
    # < 1e-11 (worst case d = 1: ∫_{−∞}^{−60}|v|e^{v/2}dv ≈ 120e^{−30}), so 1e-10 holds with
    # margin and still catches any formula error.
    assert curvature.layer_log_mean(width, scale) == pytest.approx(
        mean + math.log(scale**2), rel=1e-10, abs=1e-10)
    assert curvature.layer_log_variance(width) == pytest.approx(second, rel=1e-10)


@given(width=st.floats(1e-3, 1e9))
def test_xavier_drift_lies_strictly_between_minus_two_over_d_and_minus_one_over_d(width):
    with mpmath.workdps(60):
        low, high = curvature.drift_bound_margins(width)
        assert low > 0 and high > 0
        drift = curvature.xavier_drift(mpmath.mpf(width))
        assert -2 / mpmath.mpf(width) < drift < -1 / mpmath.mpf(width)


def test_drift_series_is_the_large_width_behaviour():
    with mpmath.workdps(50):
        for width in (10**3, 10**5):
            d = mpmath.mpf(width)
            series = -1 / d - 1 / (3 * d**2) + mpmath.mpf(2) / (15 * d**4)
            # next term of ψ(x) − ln x is −1/(252x⁶) = −(64/252)/d⁶
            assert abs(curvature.xavier_drift(d) - series) < 0.3 / d**6


def _gauss_hermite_mean(function, variables: int, nodes: int = 8) -> float:
    """E f(z) for z ~ N(0, I) by tensor Gauss–Hermite quadrature (exact for polynomials of
    degree ≤ 2·nodes − 1 in each variable)."""
    points, weights = hermegauss(nodes)
    weights = weights / weights.sum()
    grids = np.meshgrid(*([points] * variables), indexing="ij")
    mass = np.ones_like(grids[0])
    for grid_weights in np.meshgrid(*([weights] * variables), indexing="ij"):
        mass = mass * grid_weights
    return float(np.sum(function(*grids) * mass))


@given(depth=st.integers(2, 4), x=st.floats(0.2, 2.0), y=st.floats(-2.0, 2.0),
       sigma=st.floats(0.3, 1.5))
def test_chain_moments_match_exact_quadrature(depth, x, y, sigma):
    derived = curvature.chain_derivative_moments(depth)
    point = {curvature.x: x, curvature.y: y, curvature.sigma: sigma}

    def derivatives(*z):
        w = [sigma * v for v in z]
        product = np.prod(w, axis=0)
        others = np.prod(w[1:], axis=0)
        rest = np.prod(w[2:], axis=0) if depth > 2 else 1.0
        residual = y - x * product
        return {"E g_i^2": (x * residual * others) ** 2, "E H_ii": x**2 * others**2,
                "E H_ij": 2 * x**2 * w[0] * w[1] * rest**2 - x * y * rest,
                "E H_ij^2": (2 * x**2 * w[0] * w[1] * rest**2 - x * y * rest) ** 2}

    for name, expression in derived.items():
        reference = _gauss_hermite_mean(lambda *z, n=name: derivatives(*z)[n], depth)
        value = float(expression.subs(point))
        assert value == pytest.approx(reference, rel=1e-10, abs=1e-10)


def test_jacobian_trace_mean_matches_exact_quadrature_for_a_two_layer_net():
    mean = curvature.derive_jacobian_trace_mean(2, 2)
    x1, x2 = sp.symbols("x_1:3", real=True)
    value = float(mean.subs({x1: 0.3, x2: -1.1, curvature.sigma: 0.7}))

    def trace(*z):
        w1 = np.array([[z[0], z[1]], [z[2], z[3]]]) * 0.7
        w2 = np.array([[z[4], z[5]], [z[6], z[7]]]) * 0.7
        inputs = np.array([0.3, -1.1])
        hidden = np.einsum("ij...,j->i...", w1, inputs)
        # tr(JᵀJ) = ‖W_2‖²_F‖x‖² + d‖h‖² for y = W_2W_1x (d = 2)
        return np.sum(w2**2, axis=(0, 1)) * (inputs @ inputs) + 2 * np.sum(hidden**2, axis=0)

    assert value == pytest.approx(_gauss_hermite_mean(trace, 8, nodes=3), rel=1e-12)
    assert value == pytest.approx(2 * 2 * (2 * 0.49) * (0.09 + 1.21), rel=1e-12)


@given(width=st.integers(1, 40))
def test_relu_log_ratio_mean_equals_direct_summation(width):
    with mpmath.workdps(30):
        total = mpmath.fsum(
            mpmath.mpf(math.comb(width, b)) / (2**width - 1)
            * (mpmath.digamma(mpmath.mpf(b) / 2) + mpmath.log(4 / mpmath.mpf(width)))
            for b in range(1, width + 1))
        assert abs(curvature.relu_log_ratio_mean(width) - total) < 1e-25
        weights = [p for p, _ in curvature.relu_ratio_law(width)]
        assert abs(mpmath.fsum(weights) - 1) < 1e-25


def test_relu_approximation_is_the_leading_term_and_the_second_order_term_is_next():
    with mpmath.workdps(40):
        width = 4096
        gap = curvature.relu_log_ratio_mean(width) - curvature.relu_drift_approximation(width)
        assert float(gap * width**2) == pytest.approx(-49 / 12, abs=0.01)
        rest = gap - curvature.relu_drift_second_order(width)
        # the remainder is O(d⁻³) (coefficient ≈ −12 from the next delta-method terms)
        assert -13 < float(rest * width**3) < -11


@given(epsilon=st.floats(1e-3, 0.5), top=st.floats(1.0, 10.0), fraction=st.floats(0.05, 1.0),
       offset=st.floats(1e-8, 1e-2))
def test_escape_time_inverts_the_growth_and_respects_its_lower_bound(epsilon, top, fraction,
                                                                     offset):
    with mpmath.workdps(40):
        step = mpmath.mpf(fraction) * 2 / top
        time = curvature.escape_time(1, mpmath.mpf(offset), step, mpmath.mpf(epsilon))
        assert abs(offset * (1 + step * epsilon) ** time - 1) < 1e-30
        assert time >= curvature.escape_time_lower_bound(1, mpmath.mpf(offset), mpmath.mpf(top),
                                                         mpmath.mpf(epsilon))


def test_invalid_arguments_raise():
    with pytest.raises(ValueError, match="depth"):
        curvature.chain_log_mean(0, 1.0)
    with pytest.raises(ValueError, match="width"):
        curvature.relu_ratio_law(0)
    for count in (2.5, mpmath.mpf("2.5"), True):  # an integer count only (not 2.5, not a bool)
        with pytest.raises(ValueError, match="depth"):
            curvature.chain_log_variance(count)
        with pytest.raises(ValueError, match="width"):
            curvature.layer_log_variance(count)
    # an integral mpf is a count (Lπ²/8 at L = 3; a few units of rounding at 53 bits)
    assert abs(curvature.chain_log_variance(mpmath.mpf(3)) - 3 * mpmath.pi ** 2 / 8) < 1e-14
    with pytest.raises(ValueError, match="scale"):
        curvature.layer_log_mean(4, -1.0)
    with pytest.raises(ValueError, match="offset"):
        curvature.escape_time(1.0, 0.0, 0.1, 0.1)
