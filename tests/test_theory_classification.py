"""theory.classification (CL1–CL8): symbolic self-checks and the evaluators against references
written here from THEORY.md (section CL): quadratures of t = ∫ du/u̇ of the stated ODEs,
defining equations, and the constants printed in THEORY.md.
"""

from __future__ import annotations

import math

import mpmath
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from flowcert.theory import classification

#: High-precision references: 200-bit evaluation; tanh–sinh quadrature of smooth integrands
#: converges to ~the working precision, and 1e-40 relative leaves > 10^10 of headroom.
HIGH_BITS, HIGH_TOLERANCE = 200, mpmath.mpf("1e-40")


def sigma(x):
    return 1 / (1 + mpmath.exp(-x))


def test_self_checks_all_hold():
    checks = classification.self_checks()
    assert len(checks) >= 14
    assert all(checks.values()), [name for name, ok in checks.items() if not ok]


def test_inflection_condition_is_derived_not_assumed():
    """The factor SymPy extracts from ë is the one THEORY.md states."""
    u = classification.u
    assert sp.simplify(classification.inflection_condition()
                       - (1 + u + sp.exp(u) - 2 * u * sp.exp(u))) == 0


def test_inflection_values_match_theory_md_and_their_equations():
    assert float(classification.inflection_margin()) == pytest.approx(0.888367907619766,
                                                                      abs=1e-15)
    assert float(classification.loss_inflection_margin()) == pytest.approx(0.738835031131607,
                                                                           abs=1e-15)
    with mpmath.workprec(256):
        u = classification.inflection_margin()
        assert abs(1 + u + mpmath.exp(u) - 2 * u * mpmath.exp(u)) < mpmath.mpf(2) ** -250
        v = classification.loss_inflection_margin()
        assert abs(v * sigma(v) - mpmath.mpf(1) / 2) < mpmath.mpf(2) ** -250


@settings(max_examples=10)
@given(u0=st.floats(1e-4, 0.9), ratio=st.floats(1.1, 20.0), r=st.floats(0.2, 5.0),
       p=st.floats(0.05, 1.0))
def test_cross_entropy_time_is_the_integral_of_one_over_the_velocity(u0, ratio, r, p):
    """t = ∫_{u0}^{u} du / (2pr u σ(−u)) (CL1 at c = 0 with the fraction p), integrated in
    s = ln u (a smooth integrand (1 + e^u)/(2pr)) at 128 bits; 1e-30 relative acceptance."""
    with mpmath.workprec(128):
        a, b = mpmath.mpf(u0), mpmath.mpf(u0) * mpmath.mpf(ratio)
        rate = 2 * mpmath.mpf(p) * mpmath.mpf(r)
        reference = mpmath.quad(lambda s: (1 + mpmath.exp(mpmath.exp(s))) / rate,
                                [mpmath.log(a), mpmath.log(b)])
        value = classification.cross_entropy_time(b, a, mpmath.mpf(r), mpmath.mpf(p))
        assert abs(value - reference) <= mpmath.mpf("1e-30") * reference


def test_cross_entropy_time_runs_backwards_for_the_stalled_unit():
    """u < 0 on a balanced unit: u̇ = −2ru σ(−u) > 0 shrinks |u|."""
    with mpmath.workprec(HIGH_BITS):
        start, end = mpmath.mpf("-0.4"), mpmath.mpf("-0.1")
        reference = mpmath.quad(lambda v: 1 / (-2 * v * sigma(-v)), [start, end])
        value = classification.cross_entropy_time(end, start, 1)
        assert abs(value - reference) <= HIGH_TOLERANCE * reference


@given(t=st.floats(0.0, 2.0), u0=st.floats(-0.5, 0.9), c=st.floats(-2.0, 2.0),
       r=st.floats(0.2, 3.0))
def test_hinge_margin_solves_its_ode(t, u0, c, r):
    """d/dt u = r√(r²c² + 4u²) by a 200-bit central difference, h = 1e-20: truncation
    h²|u‴|/6 (about 1e-38) and rounding 2^-200/h (about 1e-40) are below 1e-35 relative."""
    if c == 0 and u0 <= 0:
        return
    with mpmath.workprec(HIGH_BITS):
        h = mpmath.mpf("1e-20")
        args = [mpmath.mpf(u0), mpmath.mpf(c), mpmath.mpf(r)]
        slope = (classification.hinge_margin(t + h, *args)
                 - classification.hinge_margin(t - h, *args)) / (2 * h)
        u = classification.hinge_margin(mpmath.mpf(t), *args)
        rate = args[2] * mpmath.sqrt(args[2] ** 2 * args[1] ** 2 + 4 * u * u)
        assert abs(slope - rate) <= mpmath.mpf("1e-35") * max(rate, 1)


@pytest.mark.parametrize("u0, c, r", [(0.01, 0, 1.0), (0.1, 0.3, 1.5), (-0.2, -0.5, 2.0)])
def test_hinge_stop_time_reaches_exactly_one(u0, c, r):
    with mpmath.workprec(HIGH_BITS):
        args = (mpmath.mpf(u0), mpmath.mpf(c), mpmath.mpf(r))
        stop = classification.hinge_stop_time(*args)
        assert abs(classification.hinge_margin(stop, *args) - 1) < HIGH_TOLERANCE


@pytest.mark.parametrize("a0, b0, expected", [
    (0.3, -0.1, "dead"), (-0.3, 0.0, "dead"), (0.4, 0.5, "succeeds"), (0.0, 0.5, "succeeds"),
    (-0.3, 0.5, "succeeds"), (-0.9, 0.5, "dies"), (-0.5, 0.5, "stalls")])
def test_failure_regions(a0, b0, expected):
    assert classification.failure_region(a0, b0) == expected


@pytest.mark.parametrize("loss", ["cross_entropy", "hinge"])
def test_death_time_is_the_integral_along_the_hyperbola(loss):
    """a = −√(b² + c): t = ∫_0^{b0} db / (g(u) r √(b² + c)), u = −b√(b² + c) r (a quadrature in
    b, not in the hyperbolic angle the theory uses)."""
    a0, b0, r = mpmath.mpf("-0.9"), mpmath.mpf("0.5"), mpmath.mpf("1.5")
    with mpmath.workprec(HIGH_BITS):
        c = a0**2 - b0**2

        def weight(b):
            u = -b * mpmath.sqrt(b * b + c) * r
            return sigma(-u) if loss == "cross_entropy" else 1

        reference = mpmath.quad(lambda b: 1 / (weight(b) * r * mpmath.sqrt(b * b + c)),
                                [0, b0])
        assert abs(classification.death_time(a0, b0, r, loss) - reference) \
            <= HIGH_TOLERANCE * reference


@pytest.mark.parametrize("loss", ["cross_entropy", "hinge"])
def test_sign_change_time_is_the_integral_along_the_hyperbola(loss):
    """b = √(a² + |c|): t = ∫_{a0}^0 da / (g(u) r √(a² + |c|)), u = a√(a² + |c|) r."""
    a0, b0, r = mpmath.mpf("-0.3"), mpmath.mpf("0.5"), mpmath.mpf("1.5")
    with mpmath.workprec(HIGH_BITS):
        k = b0**2 - a0**2

        def weight(a):
            u = a * mpmath.sqrt(a * a + k) * r
            return sigma(-u) if loss == "cross_entropy" else 1

        reference = mpmath.quad(lambda a: 1 / (weight(a) * r * mpmath.sqrt(a * a + k)),
                                [a0, 0])
        assert abs(classification.sign_change_time(a0, b0, r, loss) - reference) \
            <= HIGH_TOLERANCE * reference


def test_two_mode_freeze_time_solves_its_equation():
    with mpmath.workprec(HIGH_BITS):
        ua, ub, ra, rb, p = (mpmath.mpf(v) for v in ("0.01", "0.02", "1", "1.5", "0.5"))
        t1 = classification.two_mode_freeze_time(ua, ub, ra, rb, p)
        assert abs(ua * mpmath.exp(2 * ra * t1) + ub * mpmath.exp(2 * rb * p * t1) - 1) \
            < HIGH_TOLERANCE
        frozen = classification.two_mode_freeze_value(ua, ub, ra, rb, p)
        assert abs(frozen - ub * mpmath.exp(2 * rb * p * t1)) < HIGH_TOLERANCE


@pytest.mark.parametrize("depth", [2, 3, 5])
@pytest.mark.parametrize("loss", ["cross_entropy", "hinge"])
def test_chain_time_is_the_integral_of_one_over_the_stated_velocity(depth, loss):
    """t = ∫ du / (L r^{2/L} u^{2−2/L} g(u)) written from THEORY.md's CL8."""
    with mpmath.workprec(HIGH_BITS):
        u0, u1, r = mpmath.mpf("0.05"), mpmath.mpf("0.9"), mpmath.mpf("1.3")

        def velocity(u):
            g = sigma(-u) if loss == "cross_entropy" else 1
            return depth * r ** (mpmath.mpf(2) / depth) * u ** (2 - mpmath.mpf(2) / depth) * g

        reference = mpmath.quad(lambda u: 1 / velocity(u), [u0, u1])
        assert abs(classification.chain_time(u1, u0, r, depth, loss) - reference) \
            <= HIGH_TOLERANCE * reference


def test_float_inputs_give_floats():
    value = classification.cross_entropy_time(1.0, 0.01, 1.0)
    assert isinstance(value, float) and math.isfinite(value)


@pytest.mark.parametrize("call, match", [
    (lambda: classification.cross_entropy_time(1.0, -0.1, 1.0), "same sign"),
    (lambda: classification.margin_velocity(1.0, 0.0, 1.0, "mse"), "loss"),
    (lambda: classification.death_time(-0.3, 0.5, 1.0), "region"),
    (lambda: classification.chain_time(0.5, 0.1, 1.0, 1), "chain_depth"),
])
def test_bad_input_is_rejected(call, match):
    with pytest.raises(ValueError, match=match):
        call()
