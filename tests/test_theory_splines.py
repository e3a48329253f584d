"""theory.splines (claims SP1–SP3, SP6): ζ against independent closed forms and quadrature,
the K″ identity and its negative control, the RKHS identity, the linearised flow, bad input.

Independent values are written here from THEORY.md's SP1 formulas only.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given
from hypothesis import strategies as st
from scipy import integrate as sci_integrate

from flowcert.theory import splines

positive = st.floats(0.1, 5.0, allow_nan=False)
points = st.floats(-6.0, 6.0, allow_nan=False)


def _gaussian_closed_form(value, sigma_w, sigma_b):
    return 2 * sigma_w**3 * sigma_b**3 / (math.pi * (sigma_b**2 + sigma_w**2 * value**2) ** 2)


def _uniform_closed_form(value, a_w, a_b):
    reach = a_w if value == 0 else min(a_w, a_b / abs(value))
    return reach**4 / (8 * a_w * a_b)


def _evaluate(init: str, value: float, **params) -> float:
    return float(splines.curvature_penalty(init, **params).subs(splines.x, sp.Rational(value)))


@given(positive, positive, points)
def test_gaussian_penalty_equals_the_closed_form(sigma_w, sigma_b, value):
    assert _evaluate("gaussian", value, sigma_w=sigma_w, sigma_b=sigma_b) == pytest.approx(
        _gaussian_closed_form(value, sigma_w, sigma_b), rel=1e-12)


@given(positive, positive, points)
def test_uniform_penalty_equals_the_closed_form(a_w, a_b, value):
    assert _evaluate("uniform", value, a_w=a_w, a_b=a_b) == pytest.approx(
        _uniform_closed_form(value, a_w, a_b), rel=1e-12)


@given(positive, points)
def test_sign_uniform_and_circle(a_b, value):
    inside = 1 / (2 * a_b) if abs(value) < a_b else 0.0
    if abs(abs(value) - a_b) > 1e-12:
        assert _evaluate("sign_uniform", value, a_b=a_b) == pytest.approx(inside, rel=1e-12)
    assert _evaluate("circle", value) == pytest.approx(1 / (math.pi * (1 + value**2) ** 2),
                                                       rel=1e-12)


@pytest.mark.parametrize("init,params", [("gaussian", {"sigma_w": 0.8, "sigma_b": 1.7}),
                                         ("uniform", {"a_w": 1.3, "a_b": 0.6}),
                                         ("sign_uniform", {"a_b": 0.9}), ("circle", {})])
def test_penalty_is_even_positive_and_integrates_to_e_w2(init, params):
    """∫ζ dx = ∫∫|W|³ p(W, −Wx) dW dx = E[W²] (substitute B = −Wx, dB = |W| dx)."""
    zeta = splines.penalty_evaluator(init, **params)
    breaks = [float(v) for v in splines.penalty_breakpoints(init, **params)]
    for value in np.linspace(-4, 4, 17):
        assert zeta(value) == zeta(-value)
        assert zeta(value) >= 0
    assert zeta(0) > 0
    total = sum(sci_integrate.quad(lambda v: float(zeta(v)), a, b, epsrel=1e-12)[0]
                for a, b in zip([-np.inf, *breaks], [*breaks, np.inf], strict=True))
    moment_w, _ = splines.second_moments(init, **params)
    assert total == pytest.approx(float(moment_w), rel=1e-9)


@given(st.sampled_from([("gaussian", {"sigma_w": 1.1, "sigma_b": 0.7}),
                        ("uniform", {"a_w": 0.9, "a_b": 1.4}), ("circle", {})]),
       points)
def test_penalty_matches_independent_quadrature_of_the_density(case, value):
    init, params = case
    density = sp.lambdify((splines.W, splines.B), splines.density(init).subs(
        {splines.sigma_w: params.get("sigma_w", 1), splines.sigma_b: params.get("sigma_b", 1),
         splines.a_w: params.get("a_w", 1), splines.a_b: params.get("a_b", 1)}), "math")
    if init == "circle":  # W = cos θ, B = sin θ, θ uniform: E[W² δ(C − x)] by co-area
        expected = math.cos(math.atan(value)) ** 4 / math.pi
    else:
        edges = [e for e in (params.get("a_w"), params.get("a_b", 0) / max(abs(value), 1e-300))
                 if e is not None and e < 20]  # where the ray leaves the box
        expected = sum(sci_integrate.quad(lambda w: abs(w) ** 3 * density(w, -w * value),
                                          *limits, epsrel=1e-12, limit=200,
                                          points=[sign * e for e in edges] or None)[0]
                       for sign, limits in ((-1, (-20, 0)), (1, (0, 20))))
    assert float(splines.penalty_evaluator(init, **params)(value)) == pytest.approx(
        expected, rel=1e-9, abs=1e-14)


def test_self_checks_all_hold():
    checks = splines.self_checks()
    assert checks and all(checks.values()), [k for k, v in checks.items() if not v]


def test_kernel_identity_detects_a_wrong_exponent():
    """Negative control: ζ with |W|² fails the K″ identity (SP2's cached checks run
    kernel_identity_holds on both the right and the |W|² penalty)."""
    checks = splines.claim_checks("SP2")
    assert checks["SP2 negative control: ζ built with |W|² (not |W|³) violates the K″ "
                  "identity"]
    assert checks["SP2 Gaussian: ∂²K/∂x² = ζ(x)|x − x′|/2 for the arc-cosine kernel "
                  "(x′ = x ± d)"]


def test_user_density_laplace_times_gaussian():
    """A user density: W Laplace(1), B ~ N(0, 1): ζ(x) = ∫|W|³ e^{−|W|}/2 · φ(Wx) dW."""
    density = sp.exp(-sp.Abs(splines.W)) / 2 * sp.exp(-splines.B**2 / 2) / sp.sqrt(2 * sp.pi)
    zeta = sp.lambdify(splines.x, splines.penalty_from_density(density), "mpmath")
    for text in ("0.25", "0.6", "-1.7"):  # the derived form has removable 1/x terms at 0
        with mpmath.workprec(160):  # and cancels in erfc terms: evaluate with many digits
            value = mpmath.mpf(text)
            expected = 2 * mpmath.quad(lambda w, v=value: w**3 * mpmath.exp(-w) / 2
                                       * mpmath.npdf(w * v), [0, mpmath.inf])
            assert abs(zeta(value) / expected - 1) < mpmath.mpf(10) ** -30


def test_rkhs_identity_for_the_arc_cosine_kernel():
    kernel = splines.gaussian_kernel_evaluator(sigma_w=1, sigma_b=1)
    nodes, weights = [-0.7, 0.2, 1.4], [1.0, -0.5, 0.8]
    with mpmath.workprec(120):
        nodes, weights = [mpmath.mpf(v) for v in nodes], [mpmath.mpf(v) for v in weights]
        left = sum(a * b * kernel(p, q) for a, p in zip(weights, nodes, strict=True)
                   for b, q in zip(weights, nodes, strict=True))
        right = splines.rkhs_norm_from_penalty(weights, nodes, splines.penalty_evaluator(
            "gaussian", sigma_w=1, sigma_b=1), 1, 1)
        assert abs(left - right) < mpmath.mpf(2) ** -100


def test_linearised_flow_limits():
    gram = [[2, 1], [1, 3]]
    assert splines.linearised_flow(gram, gram, [1, -1], 0) == [0, 0]
    late = splines.linearised_flow(gram, gram, [1, -1], 200)
    assert [float(v) for v in late] == pytest.approx([1, -1], abs=1e-12)


@pytest.mark.parametrize("init,params,match", [
    ("normal", {}, "init must be one of"),
    ("gaussian", {"sigma_w": 1}, "missing"),
    ("gaussian", {"sigma_w": 1, "sigma_b": 1, "a_b": 1}, "unknown"),
    ("uniform", {"a_w": -1, "a_b": 1}, "a_w must be a finite number > 0"),
    ("uniform", {"a_w": float("nan"), "a_b": 1}, "a_w"),
    ("sign_uniform", {"a_b": "abc"}, "a_b"),
])
def test_bad_input_raises(init, params, match):
    with pytest.raises(ValueError, match=match):
        splines.curvature_penalty(init, **params)


def test_derivations_evaluate():
    for derivation in splines.DERIVATIONS:
        for point in derivation.points:
            assert derivation.value_at(point, 30).is_real


def test_claim_checks_split_the_self_checks_by_claim():
    union = {}
    for claim_id in ("SP1", "SP2", "SP3"):
        checks = splines.claim_checks(claim_id)
        assert checks and all(name.startswith(claim_id) for name in checks)
        union |= checks
    assert union == splines.self_checks()


def test_importing_the_family_runs_no_symbolic_derivation():
    """Issue 15: listing claims imports the claims modules; no SymPy integrate, simplify,
    solve, diff or lambdify may run then (each is made to raise in a fresh interpreter)."""
    import subprocess
    import sys
    script = ("import sympy\n"
              "def refuse(*args, **kwargs):\n"
              "    raise AssertionError('symbolic work at import')\n"
              "for name in ('integrate', 'simplify', 'solve', 'diff', 'lambdify', 'series'):\n"
              "    setattr(sympy, name, refuse)\n"
              "import flowcert.claims.splines, flowcert.claims.curvature\n"
              "from flowcert.theory import splines\n"
              "assert all(f.cache_info().currsize == 0 for f in splines._PENALTIES.values())\n")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            timeout=600)
    assert result.returncode == 0, result.stderr
