"""theory.starvation (GS1–GS7): symbolic self-checks, the GS3 sign law over its whole domain,
and the evaluators against references written here from THEORY.md (section GS).

References are independent of the module under test: the toy's fixed points from
scipy.optimize.fsolve on the stationarity condition of the loss in θ (written below), finite
differences of the fixed point, scipy.special.wrightomega, and the defining equations.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from scipy.optimize import fsolve
from scipy.special import wrightomega

from flowcert.theory import starvation

#: Float inputs are evaluated at 93 bits and rounded once: each entry is within
#: 2^-53 ≈ 1.1e-16 of the exact value relative to the largest entry (Newton stops at the
#: 93-bit level, 2^-89 · κ ≤ 1e-23 for κ ≤ 1e4). Comparing two such results: ≤ 2.2e-16;
#: 1e-14 (≈ 45 ulp) also absorbs the few roundings of m*·(Uᵀ1) in float64.
FLOAT_TOLERANCE = 1e-14


def rotation(angle: float) -> np.ndarray:
    return np.array([[math.cos(angle), -math.sin(angle)], [math.sin(angle), math.cos(angle)]])


def random_orthogonal(n: int, seed: int) -> np.ndarray:
    q, r = np.linalg.qr(np.random.default_rng(seed).standard_normal((n, n)))
    return q * np.sign(np.diag(r))


def test_self_checks_all_hold():
    checks = starvation.self_checks()
    assert len(checks) >= 15
    assert all(checks.values()), [name for name, ok in checks.items() if not ok]


# ----------------------------------------------------------------------------- GS3


@settings(max_examples=200)
@given(delta=st.floats(0, 0.7, exclude_min=True, exclude_max=True), lam=st.floats(1e-4, 1.0),
       s1=st.floats(0.5, 10.0), s2=st.floats(0.5, 10.0))
def test_gs3_sign_law_over_the_whole_domain(delta, lam, s1, s2):
    """sign(dz₂*/d(s₁²)) = −sign(s₁ − s₂) for δ ∈ (0, 0.7), λ ∈ [1e-4, 1], s ∈ [0.5, 10].

    Evaluated with mpf inputs at 93 bits, so that tiny δ (the derivative is ∝ δ) cannot
    underflow to a zero of float64.
    """
    assume(abs(s1 - s2) > 1e-3)
    with mpmath.workprec(93):
        derivative = starvation.starvation_derivative(
            [mpmath.mpf(s1), mpmath.mpf(s2)], starvation.toy_rotation(mpmath.mpf(delta)),
            mpmath.mpf(lam))
    assert mpmath.sign(derivative[1, 0]) == -mpmath.sign(s1 - s2)


def test_sign_law_is_exactly_zero_for_equal_singular_values():
    derivative = starvation.starvation_derivative([2.0, 2.0], starvation.toy_rotation(0.5),
                                                  0.01)
    # the exact value is 0 (D₁ = D₂ by symmetry); float rounding of the 93-bit result only
    assert abs(derivative[1, 0]) <= FLOAT_TOLERANCE * np.max(np.abs(derivative))


@settings(max_examples=10)
@given(delta=st.floats(0.05, 0.7), lam=st.floats(1e-3, 1.0), s1=st.floats(0.5, 6.0),
       s2=st.floats(0.5, 6.0))
def test_implicit_derivative_equals_central_finite_differences(delta, lam, s1, s2):
    """Central differences in s_k² at 160 bits with h = 1e-20·s_k²: truncation h²·|z'''|
    (~1e-40 relative) and rounding 2^-160/h (~1e-28) are far below the 1e-20 acceptance."""
    with mpmath.workprec(160):
        U = starvation.toy_rotation(mpmath.mpf(delta))
        S = [mpmath.mpf(s1), mpmath.mpf(s2)]
        lam_mp = mpmath.mpf(lam)
        implicit = starvation.starvation_derivative(S, U, lam_mp)
        for k in range(2):
            h = mpmath.mpf("1e-20") * S[k] ** 2
            up, down = list(S), list(S)
            up[k] = mpmath.sqrt(S[k] ** 2 + h)
            down[k] = mpmath.sqrt(S[k] ** 2 - h)
            difference = (starvation.fixed_point(up, U, lam_mp)
                          - starvation.fixed_point(down, U, lam_mp)) / (2 * h)
            scale = max(abs(v) for v in implicit.ravel())
            assert max(abs(a - b) for a, b in zip(difference, implicit[:, k],
                                                  strict=True)) <= mpmath.mpf("1e-20") * scale


# ----------------------------------------------------------------------------- GS2


def _stationary_toy(s1: float, lam: float) -> np.ndarray:
    """fsolve on ∇L(θ) = −Φᵀσ(−Φθ) + λθ = 0 for the toy (y = (1, 1), V = I, Φ = U S), with
    its Jacobian Φᵀ diag(σ(m)σ(−m)) Φ + λI; returns z = Sθ."""
    features = starvation.toy_rotation(0.5) @ np.diag([s1, 2.0])

    def gradient(theta):
        return -features.T @ (1 / (1 + np.exp(features @ theta))) + lam * theta

    def hessian(theta):
        weights = 1 / (1 + np.exp(features @ theta))
        return features.T @ np.diag(weights * (1 - weights)) @ features + lam * np.eye(2)

    theta, _, status, message = fsolve(gradient, np.zeros(2), fprime=hessian, xtol=1e-13,
                                       full_output=True)
    assert status == 1, message
    return np.diag([s1, 2.0]) @ theta


@pytest.mark.parametrize("s1", [2, 3, 4, 5, 6])
def test_toy_fixed_point_matches_fsolve_on_the_loss(s1):
    """fsolve stops at a relative step below xtol = 1e-13 (its error is of that order, times
    cond(∇²L) ≤ 1e3 at most); 1e-9 is the required level."""
    independent = _stationary_toy(float(s1), 0.01)
    theory = starvation.fixed_point([float(s1), 2.0], starvation.toy_rotation(0.5), 0.01)
    assert np.max(np.abs(theory - independent) / np.abs(independent)) <= 1e-9


@settings(max_examples=25)
@given(n=st.integers(2, 4), seed=st.integers(0, 2**32 - 1), lam=st.floats(1e-3, 1.0),
       scales=st.lists(st.floats(0.3, 5.0), min_size=4, max_size=4))
def test_dual_maximiser_gives_the_primal_fixed_point(n, seed, lam, scales):
    U, S = random_orthogonal(n, seed), scales[:n]
    primal = starvation.fixed_point(S, U, lam)
    dual = starvation.dual_fixed_point(S, U, lam)
    assert np.max(np.abs(primal - dual)) <= FLOAT_TOLERANCE * np.max(np.abs(primal))


@given(u=st.floats(-30.0, 30.0))
def test_legendre_value_is_the_softplus(u):
    # both sides are evaluated at 93 bits and rounded: ≤ 1 ulp apart each
    assert math.isclose(starvation.legendre_value(u), math.log1p(math.exp(-u)), rel_tol=4e-16)


# ----------------------------------------------------------------------------- GS5


@settings(max_examples=25)
@given(n=st.integers(2, 4), seed=st.integers(0, 2**32 - 1), lam=st.floats(1e-3, 1.0),
       scales=st.lists(st.floats(0.3, 5.0), min_size=8, max_size=8))
def test_spectral_decoupling_fixed_point_does_not_depend_on_S(n, seed, lam, scales):
    U = random_orthogonal(n, seed)
    first = starvation.fixed_point(scales[:n], U, lam, "spectral_decoupling")
    second = starvation.fixed_point(scales[4:4 + n], U, lam, "spectral_decoupling")
    closed = starvation.spectral_decoupling_fixed_point(U, lam)
    scale = np.max(np.abs(closed))
    assert np.max(np.abs(first - second)) <= FLOAT_TOLERANCE * scale
    assert np.max(np.abs(first - closed)) <= FLOAT_TOLERANCE * scale
    margin = starvation.spectral_decoupling_margin(lam)
    assert math.isclose(1 / (1 + math.exp(margin)), lam * margin, rel_tol=1e-14)


def test_weight_decay_fixed_point_does_depend_on_S():
    """Control for the SD invariance test: under weight decay S moves z*."""
    U = random_orthogonal(3, 1)
    first = starvation.fixed_point([1.0, 2.0, 3.0], U, 0.1)
    second = starvation.fixed_point([3.0, 2.0, 1.0], U, 0.1)
    assert np.max(np.abs(first - second)) > 0.1


# ----------------------------------------------------------------------------- GS6


@given(x=st.floats(-50.0, 700.0))
def test_wright_omega_matches_scipy(x):
    assert math.isclose(starvation.wright_omega(x), float(wrightomega(x)), rel_tol=1e-14)


@given(t=st.floats(0.0, 100.0), s=st.floats(0.2, 5.0), z0=st.floats(-3.0, 3.0),
       eta=st.floats(0.1, 2.0))
def test_single_mode_response_solves_z_plus_exp_z_equals_tau(t, s, z0, eta):
    """z + e^z = z0 + e^{z0} + ηs²t (the integrated form of ż = ηs²/(1 + e^z)), 128 bits;
    the Newton iteration stops within 4 ulp, so the residual is ≤ 2^-118 of max(|τ|, e^z)."""
    with mpmath.workprec(128):
        z = starvation.single_mode_response(mpmath.mpf(t), mpmath.mpf(s), mpmath.mpf(z0),
                                            mpmath.mpf(eta))
        clock = mpmath.mpf(z0) + mpmath.exp(z0) + mpmath.mpf(eta) * mpmath.mpf(s) ** 2 * t
        assert abs(z + mpmath.exp(z) - clock) <= mpmath.mpf(2) ** -118 * max(
            abs(clock), mpmath.exp(z), abs(z))


# ----------------------------------------------------------------------------- input checks


@pytest.mark.parametrize("arguments, match", [
    (([1.0, 2.0], np.eye(2), 0.1, "lasso"), "regulariser"),
    (([1.0, -2.0], np.eye(2), 0.1), "S\\[1\\]"),
    (([1.0, 2.0], np.eye(3), 0.1), "U must be"),
    (([1.0, 2.0], np.eye(2), 0.0), "lam"),
])
def test_fixed_point_rejects_bad_input(arguments, match):
    with pytest.raises(ValueError, match=match):
        starvation.fixed_point(*arguments)


def test_toy_rotation_rejects_delta_beyond_the_sign_law_domain():
    with pytest.raises(ValueError, match="delta"):
        starvation.toy_rotation(0.8)
