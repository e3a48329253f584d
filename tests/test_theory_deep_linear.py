"""theory.deep_linear: closed forms of DL1, DL2, DL4 against independent mpmath evaluations.

The references below are written from THEORY.md (section DL), not from the module under test:
DL1's u(t) and transit time as printed there, and the DL2/DL4 learning times as the integral
t = ∫ τ du / (τ u̇) of the stated ODEs, evaluated by mpmath.quad (tanh–sinh) at extra
precision. The quadrature is the independent check of the hypergeometric form of DL4.
"""

from __future__ import annotations

import math
import re

import mpmath
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from sweeps import sweep

from flowcert.theory import deep_linear

HIGH_BITS = 256
#: References are computed with 64 guard bits over the theory's working precision.
REFERENCE_GUARD_BITS = 64
#: Acceptance at 256 bits: the closed forms are evaluated at 256 bits (unit roundoff
#: 2^-255 ≈ 1.7e-77); the worst cancellation in the cases below (F(uf) − F(u0) for nearby
#: u0, uf, ln Q close to 0) costs at most ~10^4, so 1e-60 leaves > 10^12 of headroom and would
#: still catch any error in a formula or a float leaking into the evaluation (≥ 1e-17).
HIGH_TOLERANCE = 1e-60
#: Float inputs: the evaluator works at 53 + 40 bits and rounds once (≤ 2^-53 ≈ 1.1e-16
#: relative) plus 2^-93 × cancellation (≤ 1e4 here) ≈ 1e-24: 1e-14 is ~90 ulp, far below any
#: formula error but above every rounding effect.
FLOAT_TOLERANCE = 1e-14


def mpf(text) -> mpmath.mpf:
    return mpmath.mpf(text)


def relative_gap(value, reference) -> mpmath.mpf:
    """|value − reference| / |reference|, computed exactly enough (512 bits) not to round
    either operand."""
    with mpmath.workprec(512):
        return abs(value - reference) / abs(reference)


# ----------------------------------------------------------------------------- references
# Written from THEORY.md, evaluated at the precision current when they are called.


def ref_mode_strength(t, s, u0, tau):
    """DL1: u(t) = s / (1 + (s/u0 − 1) e^{−2st/τ})."""
    return s / (1 + (s / u0 - 1) * mpmath.exp(-2 * s * t / tau))


def ref_transit_time(u0, uf, s, tau):
    """DL1: t = τ/(2s) ln[uf(s−u0)/(u0(s−uf))]."""
    return tau / (2 * s) * mpmath.log(uf * (s - u0) / (u0 * (s - uf)))


def ref_half_time(s, u0, tau):
    """DL1: t½ = τ/(2s) ln((s−u0)/u0)."""
    return tau / (2 * s) * mpmath.log((s - u0) / u0)


def _breakpoints(u0, uf, s, pieces: int = 8) -> list:
    """Nodes splitting [u0, uf] geometrically towards both singular points u = 0 and u = s,
    so tanh–sinh sees no singularity close to the end of a sub-interval."""
    low, high = min(u0, uf), max(u0, uf)
    towards_zero = [low * (high / low) ** (mpmath.mpf(k) / pieces) for k in range(pieces + 1)]
    towards_s = [s - (s - low) * ((s - high) / (s - low)) ** (mpmath.mpf(k) / pieces)
                 for k in range(pieces + 1)]
    return sorted(set(towards_zero + towards_s))


def ref_time_by_quadrature(rate, u0, uf, s):
    """∫_{u0}^{uf} du / rate(u) with its error estimate (both as mpf)."""
    nodes = _breakpoints(u0, uf, s)
    value, error = mpmath.quad(lambda v: 1 / rate(v), nodes, error=True)
    return (value, error) if uf > u0 else (-value, error)


def ref_chain_time(u0, uf, s, m, tau):
    """DL4: t = ∫ τ du / (m u^(2−2/m) (s−u))."""
    p = 2 - mpmath.mpf(2) / m
    return ref_time_by_quadrature(lambda v: m * v**p * (s - v) / tau, u0, uf, s)


def ref_unbalanced_time(u0, uf, s, c, tau):
    """DL2: t = ∫ τ du / (√(c²+4u²)(s−u))."""
    return ref_time_by_quadrature(lambda v: mpmath.sqrt(c**2 + 4 * v**2) * (s - v) / tau,
                                  u0, uf, s)


def at_reference_precision(function, *args, bits: int = HIGH_BITS):
    """function(*args) with the args parsed as mpf at bits + guard bits."""
    with mpmath.workprec(bits + REFERENCE_GUARD_BITS):
        return function(*[a if isinstance(a, int) else mpmath.mpf(a) for a in args])


# ----------------------------------------------------------------------------- symbolic


def test_symbolic_self_checks_all_hold():
    checks = deep_linear.self_checks()
    assert len(checks) >= 10
    failing = [name for name, ok in checks.items() if ok is not True]
    assert failing == []


# ----------------------------------------------------------------------------- DL1 at 256 bits

DL1_CASES = [  # (t, s, u0, tau) as decimal strings
    ("0", "1", "0.01", "1"),
    ("2.5", "1", "0.01", "1"),
    ("0.7", "3", "0.001", "1"),
    ("1.3", "2", "0.5", "0.5"),
    ("4", "0.5", "0.45", "2"),
    ("0.9", "1", "1.5", "1"),     # u0 > s: decreasing towards s
    ("12", "1", "3", "0.25"),
]


@pytest.mark.parametrize(("t", "s", "u0", "tau"), DL1_CASES)
def test_mode_strength_matches_closed_form_at_256_bits(t, s, u0, tau):
    reference = at_reference_precision(ref_mode_strength, t, s, u0, tau)
    with mpmath.workprec(HIGH_BITS):
        value = deep_linear.mode_strength(mpf(t), mpf(s), mpf(u0), mpf(tau))
        assert isinstance(value, mpmath.mpf)
    assert relative_gap(value, reference) <= HIGH_TOLERANCE


@pytest.mark.parametrize(("t", "s", "u0", "tau"), DL1_CASES)
def test_mode_strength_float_inputs_give_correctly_rounded_floats(t, s, u0, tau):
    args = [float(x) for x in (t, s, u0, tau)]
    value = deep_linear.mode_strength(*args)
    assert isinstance(value, float)
    reference = at_reference_precision(ref_mode_strength, *args)
    assert relative_gap(value, reference) <= FLOAT_TOLERANCE


TRANSIT_CASES = [  # (u0, uf, s, tau)
    ("0.01", "0.5", "1", "1"),
    ("0.001", "2.7", "3", "1"),
    ("0.3", "0.31", "1", "0.5"),
    ("1.5", "1.05", "1", "2"),      # above s, decreasing
    ("0.45", "0.2", "0.5", "1"),    # backwards in time: negative transit time
]


@pytest.mark.parametrize(("u0", "uf", "s", "tau"), TRANSIT_CASES)
def test_transit_time_matches_closed_form_at_256_bits(u0, uf, s, tau):
    reference = at_reference_precision(ref_transit_time, u0, uf, s, tau)
    with mpmath.workprec(HIGH_BITS):
        value = deep_linear.transit_time(mpf(u0), mpf(uf), mpf(s), mpf(tau))
    assert relative_gap(value, reference) <= HIGH_TOLERANCE


@pytest.mark.parametrize(("u0", "uf", "s", "tau"), TRANSIT_CASES)
def test_transit_time_equals_quadrature_of_the_dl1_ode(u0, uf, s, tau):
    # ∫ τ du / (2u(s−u)): a second, quadrature-based reference for the logarithm.
    with mpmath.workprec(HIGH_BITS + REFERENCE_GUARD_BITS):
        args = [mpf(x) for x in (u0, uf, s, tau)]
        reference, error = ref_time_by_quadrature(
            lambda v: 2 * v * (args[2] - v) / args[3], args[0], args[1], args[2])
    # The quadrature's own error estimate is 1000× below the tolerance, so the reference
    # cannot cause a failure on its own.
    assert error <= HIGH_TOLERANCE * abs(reference) * 1e-3
    with mpmath.workprec(HIGH_BITS):
        value = deep_linear.transit_time(*args)
    assert relative_gap(value, reference) <= HIGH_TOLERANCE


@pytest.mark.parametrize(("u0", "uf", "s", "tau"), TRANSIT_CASES)
def test_transit_time_float_inputs(u0, uf, s, tau):
    args = [float(x) for x in (u0, uf, s, tau)]
    value = deep_linear.transit_time(*args)
    assert isinstance(value, float)
    assert relative_gap(value, at_reference_precision(ref_transit_time, *args)) \
        <= FLOAT_TOLERANCE


@pytest.mark.parametrize(("s", "u0", "tau"), [("1", "0.01", "1"), ("3", "0.001", "0.5"),
                                              ("0.5", "0.2", "2")])
def test_half_time_matches_closed_form_in_mpf_and_float(s, u0, tau):
    reference = at_reference_precision(ref_half_time, s, u0, tau)
    with mpmath.workprec(HIGH_BITS):
        value = deep_linear.half_time(mpf(s), mpf(u0), mpf(tau))
    assert relative_gap(value, reference) <= HIGH_TOLERANCE
    floats = [float(x) for x in (s, u0, tau)]
    value = deep_linear.half_time(*floats)
    assert isinstance(value, float)
    assert relative_gap(value, at_reference_precision(ref_half_time, *floats)) \
        <= FLOAT_TOLERANCE


def test_mode_strength_at_half_time_is_half_of_s():
    with mpmath.workprec(HIGH_BITS):
        s, u0 = mpf("2"), mpf("0.003")
        t_half = deep_linear.half_time(s, u0)
        assert relative_gap(deep_linear.mode_strength(t_half, s, u0), s / 2) <= HIGH_TOLERANCE


# ----------------------------------------------------------------------------- DL2, DL4

CHAIN_CASES = [  # (u0, uf, s, m, tau)
    ("0.01", "0.9", "1", 3, "1"),
    ("0.1", "1.8", "2", 4, "1.5"),
    ("0.2", "0.5", "1", 6, "1"),
    ("0.001", "0.99", "2", 12, "0.5"),
    ("0.3", "0.31", "1", 5, "1"),
    ("0.8", "0.2", "1", 7, "1"),    # backwards in time
]
#: The 256-bit quadratures of the default run: one forward and the backward case; the whole
#: list (several seconds of tanh-sinh at 320 bits each) is the slow sweep.
CHAIN_QUADRATURE_CASES = sweep(CHAIN_CASES, default=(0, 5))


@pytest.mark.parametrize(("u0", "uf", "s", "m", "tau"), CHAIN_QUADRATURE_CASES)
def test_chain_time_equals_quadrature_at_256_bits(u0, uf, s, m, tau):
    reference, error = at_reference_precision(ref_chain_time, u0, uf, s, m, tau)
    # The reference must itself be good to 1000× below the tolerance.
    assert error <= HIGH_TOLERANCE * abs(reference) * 1e-3
    with mpmath.workprec(HIGH_BITS):
        value = deep_linear.chain_time(mpf(u0), mpf(uf), mpf(s), m, mpf(tau))
        assert isinstance(value, mpmath.mpf)
    assert relative_gap(value, reference) <= HIGH_TOLERANCE


@pytest.mark.parametrize(("u0", "uf", "s", "m", "tau"), CHAIN_CASES)
def test_chain_time_float_inputs(u0, uf, s, m, tau):
    args = [float(u0), float(uf), float(s), m, float(tau)]
    value = deep_linear.chain_time(*args)
    assert isinstance(value, float)
    reference, _ = at_reference_precision(ref_chain_time, *args, bits=53)
    assert relative_gap(value, reference) <= FLOAT_TOLERANCE


UNBALANCED_CASES = [  # (u0, uf, s, c, tau)
    ("0.015", "0.3", "1", "0.0875", "1"),
    ("0.04", "1.9", "2", "-0.15", "1"),
    ("0.24", "1.2", "1.5", "0.55", "0.7"),
    ("0.01", "0.5", "1", "3", "2"),
    ("0.6", "0.1", "1", "-1", "1"),   # backwards in time
]
UNBALANCED_QUADRATURE_CASES = sweep(UNBALANCED_CASES, default=(0, 4))


@pytest.mark.parametrize(("u0", "uf", "s", "c", "tau"), UNBALANCED_QUADRATURE_CASES)
def test_unbalanced_time_equals_quadrature_at_256_bits(u0, uf, s, c, tau):
    reference, error = at_reference_precision(ref_unbalanced_time, u0, uf, s, c, tau)
    assert error <= HIGH_TOLERANCE * abs(reference) * 1e-3  # reference 1000× below tolerance
    with mpmath.workprec(HIGH_BITS):
        value = deep_linear.unbalanced_time(mpf(u0), mpf(uf), mpf(s), mpf(c), mpf(tau))
        assert isinstance(value, mpmath.mpf)
    assert relative_gap(value, reference) <= HIGH_TOLERANCE


@pytest.mark.parametrize(("u0", "uf", "s", "c", "tau"), UNBALANCED_CASES)
def test_unbalanced_time_float_inputs(u0, uf, s, c, tau):
    args = [float(x) for x in (u0, uf, s, c, tau)]
    value = deep_linear.unbalanced_time(*args)
    assert isinstance(value, float)
    reference, _ = at_reference_precision(ref_unbalanced_time, *args, bits=53)
    assert relative_gap(value, reference) <= FLOAT_TOLERANCE


def test_unbalanced_time_at_c_zero_is_the_dl1_transit_time():
    # THEORY.md DL2 at c = 0 is DL1's ODE τu̇ = 2u(s−u).
    with mpmath.workprec(HIGH_BITS):
        args = (mpf("0.02"), mpf("0.7"), mpf("1.2"))
        assert relative_gap(deep_linear.unbalanced_time(*args, 0),
                            deep_linear.transit_time(*args)) <= HIGH_TOLERANCE


@pytest.mark.parametrize("args", [(0.01, 0.5, 1.0), (0.3, 0.1, 2.0), (1.5, 1.1, 1.0)])
def test_chain_time_at_depth_two_is_transit_time(args):
    assert deep_linear.chain_time(*args, 2) == deep_linear.transit_time(*args)
    with mpmath.workprec(HIGH_BITS):
        mp_args = [mpmath.mpf(a) for a in args]
        assert deep_linear.chain_time(*mp_args, 2) == deep_linear.transit_time(*mp_args)


# ----------------------------------------------------------------------------- bad input

NAN, INF = float("nan"), float("inf")

BAD_INPUTS = [
    # (function, args, parameter that must be named)
    (deep_linear.mode_strength, (1.0, 0.0, 0.1), "s"),
    (deep_linear.mode_strength, (1.0, -1.0, 0.1), "s"),
    (deep_linear.mode_strength, (1.0, 1.0, 0.0), "u0"),
    (deep_linear.mode_strength, (1.0, 1.0, -0.2), "u0"),
    (deep_linear.mode_strength, (NAN, 1.0, 0.1), "t"),
    (deep_linear.mode_strength, (INF, 1.0, 0.1), "t"),
    (deep_linear.mode_strength, (1.0, NAN, 0.1), "s"),
    (deep_linear.mode_strength, (1.0, INF, 0.1), "s"),
    (deep_linear.mode_strength, (1.0, 1.0, mpmath.nan), "u0"),
    (deep_linear.mode_strength, (1.0, 1.0, 0.1, 0.0), "tau"),
    (deep_linear.mode_strength, (1.0, 1.0, 0.1, mpmath.inf), "tau"),
    (deep_linear.half_time, (0.0, 0.1), "s"),
    (deep_linear.half_time, (NAN, 0.1), "s"),
    (deep_linear.half_time, (1.0, NAN), "u0"),
    (deep_linear.half_time, (1.0, -0.1), "u0"),
    (deep_linear.transit_time, (0.0, 0.5, 1.0), "u0"),
    (deep_linear.transit_time, (0.1, NAN, 1.0), "uf"),
    (deep_linear.transit_time, (0.1, INF, 1.0), "uf"),
    (deep_linear.transit_time, (0.1, 0.5, -1.0), "s"),
    (deep_linear.transit_time, (0.1, 1.5, 1.0), "uf"),     # uf on the other side of s
    (deep_linear.transit_time, (1.5, 0.5, 1.0), "uf"),
    (deep_linear.transit_time, (0.1, 1.0, 1.0), "uf"),     # uf = s is never reached
    (deep_linear.chain_time, (0.1, 0.5, 1.0, 1), "depth"),
    (deep_linear.chain_time, (0.1, 0.5, 1.0, 0), "depth"),
    (deep_linear.chain_time, (0.1, 0.5, 1.0, 3.5), "depth"),
    (deep_linear.chain_time, (0.1, 0.5, 1.0, 3.0), "depth"),
    (deep_linear.chain_time, (0.1, 0.5, 1.0, "3"), "depth"),
    (deep_linear.chain_time, (0.1, 1.5, 1.0, 3), "uf"),
    (deep_linear.chain_time, (NAN, 0.5, 1.0, 3), "u0"),
    (deep_linear.chain_time, (0.1, 0.5, 0.0, 3), "s"),
    (deep_linear.unbalanced_time, (0.1, 0.5, 1.0, NAN), "c"),
    (deep_linear.unbalanced_time, (0.1, 0.5, 1.0, INF), "c"),
    (deep_linear.unbalanced_time, (0.1, 1.5, 1.0, 0.2), "uf"),
    (deep_linear.unbalanced_time, (0.0, 0.5, 1.0, 0.2), "u0"),
    (deep_linear.unbalanced_time, (0.1, 0.5, NAN, 0.2), "s"),
]


@pytest.mark.parametrize(("function", "args", "name"), BAD_INPUTS,
                         ids=[f"{f.__name__}-{name}-{k}" for k, (f, _, name)
                              in enumerate(BAD_INPUTS)])
def test_bad_input_raises_value_error_naming_the_parameter(function, args, name):
    with pytest.raises(ValueError) as raised:
        function(*args)
    assert re.search(rf"(?<![\w]){re.escape(name)}(?![\w])", str(raised.value)), \
        str(raised.value)


def test_chain_time_accepts_numpy_integer_depth():
    # _check_depth accepts np.integer depths, so the evaluator must handle them too.
    assert deep_linear.chain_time(0.1, 0.5, 1.0, np.int64(3)) == \
        deep_linear.chain_time(0.1, 0.5, 1.0, 3)


# ----------------------------------------------------------------------------- properties

positive_s = st.floats(0.1, 10.0)
below_ratio = st.floats(1e-3, 0.99)
above_ratio = st.floats(1.01, 10.0)
time_constant = st.floats(0.1, 10.0)
#: Dimensionless times x = 2st/τ, 0 or in [1e-3, 60]. Two distinct such x differ by ≥ 1 ulp
#: (≥ 2e-19), which moves ln u and ln(s − u) by ≥ min(1 − u/s, u/s)·2e-19 ≥ 1e-26·1e-3·2e-19
#: = 2e-48 ≫ the 256-bit unit roundoff 1.7e-77: distinct times must give strictly ordered
#: values at 256 bits.
scaled_times = st.lists(st.one_of(st.just(0.0), st.floats(1e-3, 60.0)), min_size=2,
                        max_size=8, unique=True)
#: u(t) at 256 bits is a few roundings (2^-255 ≈ 1.7e-77 each) away from the exact value,
#: which lies in [min(u0, s), max(u0, s)]; at t = 0 it may round just outside u0.
ROUNDING_SLACK_256 = 1e-70


@given(s=positive_s, ratio=st.one_of(below_ratio, above_ratio), tau=time_constant,
       xs=scaled_times)
def test_mode_strength_moves_monotonically_towards_s_and_stays_between_u0_and_s(
        s, ratio, tau, xs):
    u0 = s * ratio
    times = sorted({x * tau / (2 * s) for x in xs})
    assume(len(times) >= 2)
    low, high = min(u0, s), max(u0, s)
    # Floats: every value is one rounding of a 93-bit value inside [low, high]; rounding is
    # monotone and low, high are floats, so the bounds hold exactly.
    floats = [deep_linear.mode_strength(t, s, u0, tau) for t in times]
    assert all(low <= v <= high for v in floats)
    with mpmath.workprec(HIGH_BITS):
        values = [deep_linear.mode_strength(mpmath.mpf(t), s, u0, tau) for t in times]
        distances = [abs(mpmath.mpf(s) - v) for v in values]
        slack = mpmath.mpf(ROUNDING_SLACK_256)
        floor, ceiling = low * (1 - slack), high * (1 + slack)
    assert all(floor <= v <= ceiling for v in values)
    assert all(later < earlier for earlier, later in zip(distances, distances[1:], strict=False))
    if u0 < s:
        assert all(a < b for a, b in zip(values, values[1:], strict=False))
    else:
        assert all(a > b for a, b in zip(values, values[1:], strict=False))


ordered_fractions = st.tuples(st.floats(1e-3, 0.9), st.floats(0.05, 0.98)).filter(
    lambda pair: pair[1] > 1.5 * pair[0])
#: Scale factors k applied to (u0, uf, s [, c]) in mpmath at 256 bits.
scale_factors = st.floats(1e-3, 1e3)


@given(s=positive_s, fractions=ordered_fractions, tau=time_constant, k=scale_factors)
def test_transit_time_scales_as_one_over_s(s, fractions, tau, k):
    # t = τ/(2s) ln[uf(s−u0)/(u0(s−uf))]: the logarithm's argument is homogeneous of degree 0
    # in (u0, uf, s) and the prefactor of degree −1, so t(k·u0, k·uf, k·s) = t(u0, uf, s)/k.
    with mpmath.workprec(HIGH_BITS):
        s_, tau_, k_ = (mpmath.mpf(x) for x in (s, tau, k))
        u0, uf = s_ * fractions[0], s_ * fractions[1]
        scaled = deep_linear.transit_time(k_ * u0, k_ * uf, k_ * s_, tau_)
        expected = deep_linear.transit_time(u0, uf, s_, tau_) / k_
    # Inputs rounded at 256 bits (2^-256) × condition of ln Q (≤ 1/ln 1.5 · s/(s−uf) ≤ 1e3).
    assert relative_gap(scaled, expected) <= HIGH_TOLERANCE


@given(s=positive_s, fractions=ordered_fractions, tau=time_constant,
       exponent=st.integers(-20, 20))
def test_transit_time_scaling_is_exact_in_floats_for_powers_of_two(s, fractions, tau,
                                                                   exponent):
    # k = 2^j scales floats exactly, so both sides are roundings of the same real number:
    # each within ½ ulp (+2^-93 relative) of it, hence within 1 ulp of each other.
    u0, uf = s * fractions[0], s * fractions[1]
    k = math.ldexp(1.0, exponent)
    scaled = deep_linear.transit_time(k * u0, k * uf, k * s, tau)
    plain = deep_linear.transit_time(u0, uf, s, tau)
    assert abs(scaled - plain / k) <= math.ulp(plain / k)


@given(s=positive_s, fractions=ordered_fractions, depth=st.integers(3, 12), k=scale_factors)
def test_chain_time_scales_as_k_to_the_power_two_over_m_minus_two(s, fractions, depth, k):
    # u = k v, s = k σ in τu̇ = m u^(2−2/m)(s−u) gives τv̇ = k^(2−2/m) m v^(2−2/m)(σ−v):
    # the time scales by k^−(2−2/m).
    with mpmath.workprec(HIGH_BITS):
        s_, k_ = mpmath.mpf(s), mpmath.mpf(k)
        u0, uf = s_ * fractions[0], s_ * fractions[1]
        scaled = deep_linear.chain_time(k_ * u0, k_ * uf, k_ * s_, depth)
        plain = deep_linear.chain_time(u0, uf, s_, depth)
        expected = plain * k_ ** (-(2 - mpmath.mpf(2) / depth))
    # 256-bit input rounding × the cancellation in F(uf) − F(u0) (≤ 10 for uf ≥ 1.5 u0).
    assert relative_gap(scaled, expected) <= HIGH_TOLERANCE


@given(s=positive_s, fractions=ordered_fractions, c=st.floats(-3.0, 3.0), k=scale_factors)
def test_unbalanced_time_scales_as_one_over_k(s, fractions, c, k):
    # (u, s, c) → k(u, s, c) multiplies √(c²+4u²)(s−u) by k² and u̇'s left side by k.
    with mpmath.workprec(HIGH_BITS):
        s_, c_, k_ = (mpmath.mpf(x) for x in (s, c, k))
        u0, uf = s_ * fractions[0], s_ * fractions[1]
        scaled = deep_linear.unbalanced_time(k_ * u0, k_ * uf, k_ * s_, k_ * c_)
        expected = deep_linear.unbalanced_time(u0, uf, s_, c_) / k_
    # 256-bit input rounding × the conditioning of G(uf) − G(u0) (uf ≥ 1.5 u0, uf ≤ 0.98 s).
    assert relative_gap(scaled, expected) <= HIGH_TOLERANCE


@given(s=positive_s, ratio=st.one_of(below_ratio, above_ratio), x=st.floats(0.0, 30.0),
       k=scale_factors)
def test_mode_strength_scaling_u_of_ks_ku0_at_t_is_k_u_at_kt(s, ratio, x, k):
    # u(t; k s, k u0) = k · u(k t; s, u0) since 2(ks)t = 2s(kt).
    with mpmath.workprec(HIGH_BITS):
        s_, k_ = mpmath.mpf(s), mpmath.mpf(k)
        u0, t = s_ * ratio, mpmath.mpf(x) / (2 * s_)
        scaled = deep_linear.mode_strength(t, k_ * s_, k_ * u0)
        expected = k_ * deep_linear.mode_strength(k_ * t, s_, u0)
    assert relative_gap(scaled, expected) <= HIGH_TOLERANCE


@given(s=st.floats(0.5, 3.0), fractions=ordered_fractions, depth=st.integers(3, 12),
       tau=st.floats(0.25, 4.0))
def test_chain_time_equals_quadrature_for_random_depths(s, fractions, depth, tau):
    u0, uf = s * fractions[0], s * fractions[1]
    reference, error = at_reference_precision(ref_chain_time, u0, uf, s, depth, tau, bits=53)
    assert error <= 1e-25 * abs(reference)  # reference good to ≪ FLOAT_TOLERANCE
    value = deep_linear.chain_time(u0, uf, s, depth, tau)
    assert relative_gap(value, reference) <= FLOAT_TOLERANCE


@given(s=st.floats(0.5, 3.0), fractions=ordered_fractions, c=st.floats(-3.0, 3.0),
       tau=st.floats(0.25, 4.0))
def test_unbalanced_time_equals_quadrature_for_random_imbalance(s, fractions, c, tau):
    u0, uf = s * fractions[0], s * fractions[1]
    reference, error = at_reference_precision(ref_unbalanced_time, u0, uf, s, c, tau, bits=53)
    assert error <= 1e-25 * abs(reference)  # reference good to ≪ FLOAT_TOLERANCE
    value = deep_linear.unbalanced_time(u0, uf, s, c, tau)
    assert relative_gap(value, reference) <= FLOAT_TOLERANCE


@pytest.mark.slow
@given(s=st.floats(0.5, 3.0), fractions=ordered_fractions, depth=st.integers(3, 40))
def test_chain_time_equals_quadrature_at_256_bits_for_random_depths(s, fractions, depth):
    with mpmath.workprec(HIGH_BITS):
        s_ = mpmath.mpf(s)
        u0, uf = s_ * fractions[0], s_ * fractions[1]
        value = deep_linear.chain_time(u0, uf, s_, depth)
    reference, error = at_reference_precision(ref_chain_time, u0, uf, s_, depth, 1)
    assert error <= HIGH_TOLERANCE * abs(reference) * 1e-3  # reference 1000× below tolerance
    assert relative_gap(value, reference) <= HIGH_TOLERANCE
