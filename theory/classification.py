"""Learning dynamics of classification: claims CL1–CL8 (THEORY.md, CL).

Setup (D reconstruction): one ReLU unit per mode, input x = r·e of norm r, signed output
u = y·a·ReLU(b r), g = −ℓ′(u): g = σ(−u) for cross-entropy ("cross_entropy"), g = 1[u<1]
for the hinge ("hinge"); ȧ = g r b, ḃ = g r a (b > 0). A mode present in a fraction p of
the data under a mean loss has its gradient scaled by p. c = a² − b².

Symbolic derivations are checked by :func:`self_checks`. Evaluators take floats or mpmath
numbers (mpmath in → current precision; floats in → 93-bit evaluation rounded to float64).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import mpmath
import numpy as np
import sympy as sp

from flowcert.theory.cache import derived
from flowcert.theory.derivations import Derivation
from flowcert.theory.evaluation import (
    FLOAT_GUARD_BITS,
    require_finite,
    require_positive,
    uses_mpmath,
)

LOSSES = ("cross_entropy", "hinge")
NEWTON_MAX_ITERATIONS = 200

t, r, p = sp.symbols("t r p", positive=True)
u, c = sp.symbols("u c", real=True)
u0 = sp.Symbol("u_0", positive=True)
depth = sp.Symbol("L", integer=True, positive=True)


def sigmoid(x: sp.Expr) -> sp.Expr:
    return 1 / (1 + sp.exp(-x))


#: CL1: u̇ = r g(u) √(r²c² + 4u²).
MARGIN_VELOCITY = r * sp.Function("g")(u) * sp.sqrt(r**2 * c**2 + 4 * u**2)
#: CL2 (c = 0, mode fraction p): 2prt = ln(u/u0) + Ei(u) − Ei(u0).
CROSS_ENTROPY_CLOCK = sp.log(u / u0) + sp.Ei(u) - sp.Ei(u0)
#: CL3: hinge, c ≠ 0: u(t) = (r|c|/2) sinh(2rt + asinh(2u0/(r|c|))).
HINGE_MARGIN = r * sp.Abs(c) / 2 * sp.sinh(2 * r * t + sp.asinh(2 * u0 / (r * sp.Abs(c))))
#: CL3 (c = 0): 2r·(CE time to u = 1) − 2·2r·(hinge stop time) = E(u0); so the CE/hinge
#: ratio is 2 + E(u0)/ln(1/u0), and E(u0) → Ei(1) − γ ≈ 1.3179 as u0 → 0.
RATIO_EXCESS = sp.Ei(1) - sp.Ei(u0) + sp.log(u0)
#: CL7: onset of B's freeze, u_A + u_B = ln 3, where σ(−u) has fallen from 1/2 to 1/4.
ONSET_MARGIN = sp.log(3)


# ----------------------------------------------------------------------------- symbolic


def _unit_flow_checks() -> dict[str, bool]:
    """CL1 from ȧ = g r b, ḃ = g r a (b > 0): c is conserved and u̇² = r²g²(r²c² + 4u²)."""
    a, b, g = sp.symbols("a b g", real=True)
    a_dot, b_dot = g * r * b, g * r * a
    margin = a * b * r
    margin_dot = r * (a_dot * b + a * b_dot)
    stated = (r * g) ** 2 * (r**2 * (a**2 - b**2) ** 2 + 4 * margin**2)
    return {
        "CL1 d(a² − b²)/dt = 0": sp.expand(2 * a * a_dot - 2 * b * b_dot) == 0,
        "CL1 u̇² = r²g²(r²c² + 4u²) (and u̇ has the sign of g: a² + b² > 0)":
            sp.expand(margin_dot**2 - stated) == 0
            and sp.expand(margin_dot - r**2 * g * (a**2 + b**2)) == 0,
    }


def _cross_entropy_clock_checks() -> dict[str, bool]:
    """CL2, CL5: the Ei clock solves the balanced cross-entropy ODE with gradient fraction p."""
    balanced_ce = 2 * p * r * u * sigmoid(-u)  # CL1 at c = 0, u > 0, gradient scaled by p
    return {
        "CL2/CL5 d/du[ln(u/u0) + Ei(u) − Ei(u0)] = 2pr/u̇ (u̇ = 2pru σ(−u))":
            sp.simplify(CROSS_ENTROPY_CLOCK.diff(u) - 2 * p * r / balanced_ce) == 0,
        "CL2 the clock vanishes at u = u0": CROSS_ENTROPY_CLOCK.subs(u, u0) == 0,
    }


def _hinge_checks() -> dict[str, bool]:
    """CL3: the sinh form solves the hinge ODE; its c → 0 limit; the CE/hinge time ratio."""
    hinge_rate = r * sp.sqrt(r**2 * c**2 + 4 * HINGE_MARGIN**2)
    return {
        "CL3 u̇ = r√(r²c² + 4u²) for the sinh form (hinge, u < 1)":
            sp.simplify(sp.expand_trig((HINGE_MARGIN.diff(t) ** 2 - hinge_rate**2)
                                       .rewrite(sp.exp))) == 0
            and sp.simplify(HINGE_MARGIN.subs(t, 0) - u0) == 0,
        "CL3 c → 0 limit of the sinh form is u0 e^{2rt}":
            sp.simplify(sp.limit(HINGE_MARGIN.subs(c, sp.Symbol("k", positive=True)),
                                 sp.Symbol("k", positive=True), 0)
                        - u0 * sp.exp(2 * r * t)) == 0,
        "CL3 (c = 0) CE/hinge time to u = 1 is 2 + E(u0)/ln(1/u0) with E(u0) = "
        "Ei(1) − Ei(u0) + ln u0 → Ei(1) − γ as u0 → 0 (twice as long only logarithmically)":
            sp.limit(RATIO_EXCESS, u0, 0, "+") == sp.Ei(1) - sp.EulerGamma
            and sp.simplify(sp.expand_log(CROSS_ENTROPY_CLOCK.subs(u, 1) - 2 * sp.log(1 / u0)
                                          - RATIO_EXCESS, force=True)) == 0,
    }


@functools.cache
def inflection_condition() -> sp.Expr:
    """CL4: ë for e = σ(−u) under u̇ = 2ru σ(−u), divided by its non-vanishing factors.

    ë = (d/du)(de/du · u̇) · u̇; with u̇ > 0 the sign of ë is that of
    (d/du)(−σ(u)σ(−u)·2ru σ(−u)) = −2r e^u (1 + u + e^u − 2u e^u)/(1 + e^u)⁴. Returns
    1 + u + e^u − 2u e^u, obtained by factoring (not assumed).
    """
    error = sigmoid(-u)
    velocity = 2 * r * u * sigmoid(-u)
    numerator = sp.numer(sp.factor(sp.together(sp.diff(error.diff(u) * velocity, u))))
    factors = [f for f in sp.Mul.make_args(numerator) if f.has(u) and not _never_zero(f)]
    if len(factors) != 1:
        raise ArithmeticError(f"unexpected factorisation of ë: {numerator}")
    return sp.expand(factors[0] * sp.sign(factors[0].subs(u, 0)))


def loss_inflection_condition() -> sp.Expr:
    """CL4: the same for the loss ℓ = log(1 + e^{−u}): returns 2u σ(u) − 1 up to sign."""
    loss = sp.log(1 + sp.exp(-u))
    velocity = 2 * r * u * sigmoid(-u)
    numerator = sp.numer(sp.factor(sp.together(sp.diff(loss.diff(u) * velocity, u))))
    factors = [f for f in sp.Mul.make_args(numerator) if f.has(u) and not _never_zero(f)]
    if len(factors) != 1:
        raise ArithmeticError(f"unexpected factorisation of the loss acceleration: {numerator}")
    return sp.expand(factors[0] * sp.sign(factors[0].subs(u, 0)))


def _never_zero(factor: sp.Expr) -> bool:
    """Factors like e^u, (1 + e^u)^k, r that cannot vanish for real u."""
    base = factor.base if isinstance(factor, sp.Pow) else factor
    return base.is_positive is True or bool(base.func == sp.exp) \
        or sp.simplify(base - (1 + sp.exp(u))) == 0


def _inflection_checks() -> dict[str, bool]:
    stated = 1 + u + sp.exp(u) - 2 * u * sp.exp(u)
    loss_condition = loss_inflection_condition()
    return {
        "CL4 ë = 0 ⇔ 1 + u + e^u = 2u e^u (derived by factoring ë)":
            sp.simplify(inflection_condition() - stated) == 0,
        "CL4 ℓ̈ = 0 ⇔ u σ(u) = 1/2 (the factor is (1 + e^u)(1 − 2uσ(u)))":
            sp.simplify(loss_condition - (1 + sp.exp(u)) * (1 - 2 * u * sigmoid(u))) == 0,
    }


def _failure_checks() -> dict[str, bool]:
    """CL6: hyperbolic parametrisations of the unit's flow, ψ̇ = g r (c < 0), φ̇ = −g r (c > 0).

    c < 0: a = √|c| sinh ψ, b = √|c| cosh ψ; c > 0, a < 0: a = −√c cosh φ, b = √c sinh φ.
    """
    k, g = sp.symbols("k g", positive=True)
    psi, phi = sp.Function("psi")(t), sp.Function("phi")(t)
    grow = {psi.diff(t): g * r}
    shrink = {phi.diff(t): -g * r}
    a1, b1 = k * sp.sinh(psi), k * sp.cosh(psi)
    a2, b2 = -k * sp.cosh(phi), k * sp.sinh(phi)
    return {
        "CL6 c < 0: (√|c| sinh ψ, √|c| cosh ψ) with ψ̇ = gr solves ȧ = grb, ḃ = gra":
            sp.simplify(a1.diff(t).subs(grow) - g * r * b1) == 0
            and sp.simplify(b1.diff(t).subs(grow) - g * r * a1) == 0,
        "CL6 c > 0: (−√c cosh φ, √c sinh φ) with φ̇ = −gr solves the same flow":
            sp.simplify(a2.diff(t).subs(shrink) - g * r * b2) == 0
            and sp.simplify(b2.diff(t).subs(shrink) - g * r * a2) == 0,
        "CL6 u = abr = (r|c|/2) sinh 2ψ and −(rc/2) sinh 2φ":
            sp.simplify(a1 * b1 * r - r * k**2 / 2 * sp.sinh(2 * psi)) == 0
            and sp.simplify(a2 * b2 * r + r * k**2 / 2 * sp.sinh(2 * phi)) == 0,
    }


def _two_mode_checks() -> dict[str, bool]:
    """CL7: balanced units, points AB (weight p) and A (weight 1 − p), all labels +1."""
    a, b, e, f, r_a, r_b, g_ab, g_a = sp.symbols("a b e f r_A r_B g_AB g_A", positive=True)
    weight = sp.Symbol("p", positive=True)
    # unit A = (a, b) reads the A coordinate, unit B = (e, f) the B coordinate.
    drive_a = weight * g_ab + (1 - weight) * g_a
    a_dot, b_dot = drive_a * r_a * b, drive_a * r_a * a
    e_dot, f_dot = weight * g_ab * r_b * f, weight * g_ab * r_b * e
    u_a, u_b = a * b * r_a, e * f * r_b
    balanced = {a: b, e: f}
    stated_a = 2 * r_a * u_a * drive_a
    stated_b = 2 * r_b * weight * u_b * g_ab
    return {
        "CL7 u̇_A = 2r_A u_A[p g(u_A+u_B) + (1−p) g(u_A)] on balanced units":
            sp.expand((r_a * (a_dot * b + a * b_dot) - stated_a).subs(balanced)) == 0,
        "CL7 u̇_B = 2r_B p u_B g(u_A+u_B)":
            sp.expand((r_b * (e_dot * f + e * f_dot) - stated_b).subs(balanced)) == 0,
        "CL7 σ(−ln 3) = σ(0)/2": sp.simplify(sigmoid(-ONSET_MARGIN) - sigmoid(0) / 2) == 0,
    }


def _chain_hinge_clock() -> sp.Expr:
    """CL8 (hinge, u ≤ 1, L ≥ 3): time from u0 to u, (u0^{2/L−1} − u^{2/L−1})/((L−2) r^{2/L})."""
    return (u0 ** (2 / depth - 1) - u ** (2 / depth - 1)) / ((depth - 2) * r ** (2 / depth))


def _chain_checks() -> dict[str, bool]:
    """CL8: balanced chain w_j = w, u = r w^L: u̇ = Σ_j (∂u/∂w_j)² g = L r^{2/L} u^{2−2/L} g."""
    w, g = sp.symbols("w g", positive=True)
    margin = r * w**depth
    velocity = depth * (margin / w) ** 2 * g  # L equal terms (∂u/∂w_j = u/w_j), ẇ_j = g ∂u/∂w_j
    stated = depth * r ** (2 / depth) * margin ** (2 - 2 / depth) * g
    hinge_clock = {L: _chain_hinge_clock().subs(depth, L) for L in (3, 4, 6)}
    return {
        "CL8 balanced chain velocity": sp.simplify(
            sp.powsimp(sp.expand_power_base(stated, force=True), force=True) - velocity) == 0,
        "CL8 hinge clock dT/du = 1/(L r^{2/L} u^{2−2/L}) for L = 3, 4, 6": all(
            sp.simplify(clock.diff(u) - 1 / (L * r ** sp.Rational(2, L)
                                               * u ** (2 - sp.Rational(2, L)))) == 0
            for L, clock in hinge_clock.items()),
    }


#: CL7: mode margins u_A, u_B, input norms r_A, r_B.
_u_a, _u_b = sp.symbols("u_A u_B", real=True)
_r_a, _r_b = sp.symbols("r_A r_B", positive=True)


def _two_mode_velocities() -> tuple[sp.Expr, sp.Expr]:
    """CL7, cross-entropy (g = σ(−·)): u̇_A = 2r_A u_A[p σ(−u_A−u_B) + (1−p) σ(−u_A)],
    u̇_B = 2r_B p u_B σ(−u_A−u_B)."""
    shared = sigmoid(-(_u_a + _u_b))
    return (2 * _r_a * _u_a * (p * shared + (1 - p) * sigmoid(-_u_a)),
            2 * _r_b * p * _u_b * shared)


def _chain_velocity() -> sp.Expr:
    """CL8, cross-entropy: u̇ = L r^{2/L} u^{2−2/L} σ(−u)."""
    return depth * r ** (2 / depth) * u ** (2 - 2 / depth) * sigmoid(-u)


def _agrees_at_random_points(agrees: Callable, digits: int = 30) -> bool:
    """``agrees(rng, digits)`` (a numeric evaluator against its symbolic expression) at 4
    random points, at mpmath precision ``digits`` (agreement to ``digits`` − 5 digits)."""
    rng = np.random.default_rng(8)
    with mpmath.workdps(digits):
        return all(agrees(rng, digits) for _ in range(4))


def _velocity_agrees(rng: np.random.Generator, digits: int) -> bool:
    """CL1: margin_velocity against MARGIN_VELOCITY with g = σ(−u) and g = 1 (u < 1)."""
    margin, k, x = (mpmath.mpf(v) for v in rng.uniform(-2, 0.9, 3))
    at = {u: margin, c: k, r: abs(x) + mpmath.mpf("0.1")}
    weight = sp.Function("g")(u)
    return all(_close(margin_velocity(margin, k, at[r], loss),
                      MARGIN_VELOCITY.subs(weight, g).subs(at), digits)
               for loss, g in (("cross_entropy", sigmoid(-u)), ("hinge", sp.S.One)))


def _clock_agrees(rng: np.random.Generator, digits: int) -> bool:
    """CL2/CL5: cross_entropy_time against CROSS_ENTROPY_CLOCK/(2pr)."""
    start, x, q = (mpmath.mpf(v) for v in rng.uniform(0.05, 3, 3))
    margin = start * (1 + mpmath.mpf(rng.uniform(0.1, 3)))
    at = {u: margin, u0: start, r: x, p: q / 3}
    return _close(cross_entropy_time(margin, start, x, q / 3),
                  (CROSS_ENTROPY_CLOCK / (2 * p * r)).subs(at), digits)


def _hinge_agrees(rng: np.random.Generator, digits: int) -> bool:
    """CL3: hinge_margin against HINGE_MARGIN, and HINGE_MARGIN at hinge_stop_time is 1."""
    start, k = (mpmath.mpf(v) for v in rng.uniform(-0.5, 0.9, 2))
    time, x = (mpmath.mpf(v) for v in rng.uniform(0.05, 2, 2))
    at = {u0: start, c: k, r: x}
    stop = hinge_stop_time(start, k, x)
    return _close(hinge_margin(time, start, k, x), HINGE_MARGIN.subs(at | {t: time}), digits) \
        and _close(mpmath.mpf(1), HINGE_MARGIN.subs(at | {t: stop}), digits)


def _two_mode_agrees(rng: np.random.Generator, digits: int) -> bool:
    """CL7: two_mode_velocity against the σ(−·) form of (u̇_A, u̇_B)."""
    ua, ub, ra, rb, q = (mpmath.mpf(v) for v in rng.uniform(0.05, 3, 5))
    values = {_u_a: ua, _u_b: ub, _r_a: ra, _r_b: rb, p: q / 4}
    return all(_close(numeric, symbolic.subs(values), digits) for numeric, symbolic
               in zip(two_mode_velocity(ua, ub, ra, rb, q / 4), _two_mode_velocities(),
                      strict=True))


def _chain_agrees(rng: np.random.Generator, digits: int) -> bool:
    """CL8: chain_velocity and the hinge chain_time against their closed forms, and the
    cross-entropy chain_time (₁F₁ form) against the quadrature of 1/u̇ (L = 2 … 6)."""
    ua, r_value = (mpmath.mpf(v) for v in rng.uniform(0.05, 3, 2))
    start, margin, chain_depth = ua / 4, ua / 3, int(rng.integers(3, 7))
    chain = {u: margin, u0: start, r: r_value, depth: chain_depth}
    quadrature = [mpmath.quad(lambda v, k=k: 1 / chain_velocity(v, r_value, k), [start, ua])
                  for k in (2, chain_depth)]
    return _close(chain_velocity(margin, r_value, chain_depth),
                  _chain_velocity().subs(chain), digits) and _close(
        chain_time(margin, start, r_value, chain_depth, "hinge"),
        _chain_hinge_clock().subs(chain), digits) and all(
        _close(chain_time(ua, start, r_value, k), sp.Float(q, digits), digits)
        for k, q in zip((2, chain_depth), quadrature, strict=True))


def _close(numeric, symbolic: sp.Expr, digits: int) -> bool:
    value = mpmath.mpf(str(sp.N(symbolic, digits)))
    return abs(numeric - value) <= mpmath.mpf(10) ** (5 - digits) * (1 + abs(value))


def _inflection_roots() -> dict[str, bool]:
    """CL4: inflection_margin and loss_inflection_margin are roots of the derived factors."""
    with mpmath.workdps(40):
        error_root, loss_root = inflection_margin(), loss_inflection_margin()
        residuals = (sp.lambdify(u, inflection_condition(), "mpmath")(error_root),
                     sp.lambdify(u, loss_inflection_condition(), "mpmath")(loss_root))
    return {"CL4 inflection_margin() and loss_inflection_margin() are roots of the derived "
            "factors of ë and ℓ̈": all(abs(v) <= mpmath.mpf(10) ** -35 for v in residuals)}


@derived
def _cl1_checks() -> dict[str, bool]:
    return _unit_flow_checks() | {
        "CL1 margin_velocity equals r g(u)√(r²c² + 4u²) (both losses) at random points":
            _agrees_at_random_points(_velocity_agrees)}


@derived
def _cl2_checks() -> dict[str, bool]:
    return _cross_entropy_clock_checks() | {
        "CL2 cross_entropy_time equals the Ei clock /(2pr) at random points":
            _agrees_at_random_points(_clock_agrees)}


@derived
def _cl3_checks() -> dict[str, bool]:
    return _hinge_checks() | {
        "CL3 hinge_margin equals the sinh form and reaches 1 at hinge_stop_time":
            _agrees_at_random_points(_hinge_agrees)}


@derived
def _cl4_checks() -> dict[str, bool]:
    return _inflection_checks() | _inflection_roots()


@derived
def _cl6_checks() -> dict[str, bool]:
    return _failure_checks()


@derived
def _cl7_checks() -> dict[str, bool]:
    return _two_mode_checks() | {
        "CL7 two_mode_velocity equals the σ(−·) form of u̇_A, u̇_B at random points":
            _agrees_at_random_points(_two_mode_agrees)}


@derived
def _cl8_checks() -> dict[str, bool]:
    return _chain_checks() | {
        "CL8 chain_velocity and the hinge chain_time equal their closed forms; the "
        "cross-entropy chain_time equals the quadrature of 1/u̇":
            _agrees_at_random_points(_chain_agrees)}


#: CL5 is CL2's clock with the fraction p: the same identities.
_CLAIM_CHECKS: dict[str, Callable[[], dict[str, bool]]] = {
    "CL1": _cl1_checks, "CL2": _cl2_checks, "CL3": _cl3_checks, "CL4": _cl4_checks,
    "CL5": _cl2_checks, "CL6": _cl6_checks, "CL7": _cl7_checks, "CL8": _cl8_checks}


def claim_checks(claim_id: str) -> dict[str, bool]:
    """The symbolic identities (and evaluator-vs-expression agreements) behind one claim,
    derived on first use and cached (theory.cache); every value must be True."""
    return dict(_CLAIM_CHECKS[claim_id]())


def self_checks() -> dict[str, bool]:
    """Symbolic identities behind CL1–CL8; every value must be True."""
    return {name: ok for claim_id in _CLAIM_CHECKS for name, ok in claim_checks(claim_id).items()}


# ----------------------------------------------------------------------------- numerics


def _evaluate(compute: Callable, *values):
    """compute(*mpf values) at the working precision (see the module docstring)."""
    floats = not uses_mpmath(*values)
    with mpmath.workprec(53 + FLOAT_GUARD_BITS if floats else mpmath.mp.prec):
        result = compute(*(mpmath.mpf(v) for v in values))
    return float(result) if floats else result


def _check_loss(loss: str) -> None:
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")


def _weight(margin, loss: str):
    """g(u) = σ(−u) (cross-entropy) or 1[u < 1] (hinge)."""
    if loss == "cross_entropy":
        return 1 / (1 + mpmath.exp(margin))
    return mpmath.mpf(1) if margin < 1 else mpmath.mpf(0)


def margin_velocity(margin, c_value, r_value, loss: str = "cross_entropy"):
    """CL1: u̇ = r g(u) √(r²c² + 4u²)."""
    _check_loss(loss)
    require_finite(u=margin, c=c_value)
    require_positive(r=r_value)
    return _evaluate(lambda m, k, x: x * _weight(m, loss) * mpmath.sqrt(x * x * k * k + 4 * m * m),
                     margin, c_value, r_value)


def cross_entropy_time(margin, margin0, r_value, fraction=1):
    """CL2/CL5: time for a balanced unit (c = 0) under cross-entropy to go from u0 to u:
    t = s[ln(u/u0) + Ei(u) − Ei(u0)]/(2pr), s = sign(u0) (u0 < 0 is CL6's stalled unit,
    whose |u| shrinks: u̇ = 2r|u|σ(−u)). u and u0 must have the same sign."""
    require_finite(u=margin, u0=margin0)
    require_positive(r=r_value, fraction=fraction)
    if not margin * margin0 > 0:
        raise ValueError(f"u and u0 must be non-zero with the same sign, got {margin}, {margin0}")

    def clock(m, m0, x, q):
        return mpmath.sign(m0) * (mpmath.log(m / m0) + mpmath.ei(m) - mpmath.ei(m0)) / (2 * q * x)

    return _evaluate(clock, margin, margin0, r_value, fraction)


def hinge_margin(t_value, margin0, c_value, r_value):
    """CL3: u(t) = (r|c|/2) sinh(2rt + asinh(2u0/(r|c|))) (c ≠ 0), u0 e^{2rt} (c = 0),
    valid while u < 1 (and u0 > 0 when c = 0)."""
    require_finite(t=t_value, u0=margin0, c=c_value)
    require_positive(r=r_value)

    def margin(time, m0, k, x):
        if k == 0:
            return m0 * mpmath.exp(2 * x * time)
        half_width = x * abs(k) / 2
        return half_width * mpmath.sinh(2 * x * time + mpmath.asinh(m0 / half_width))

    return _evaluate(margin, t_value, margin0, c_value, r_value)


def hinge_stop_time(margin0, c_value, r_value, fraction=1):
    """CL3/CL5: the time at which the hinge unit reaches u = 1 and stops:
    [asinh(2/(r|c|)) − asinh(2u0/(r|c|))]/(2pr), or ln(1/u0)/(2pr) when c = 0."""
    require_finite(u0=margin0, c=c_value)
    require_positive(r=r_value, fraction=fraction)
    if not margin0 < 1:
        raise ValueError(f"u0 must be below 1, got {margin0}")

    def stop(m0, k, x, q):
        if k == 0:
            return -mpmath.log(m0) / (2 * q * x)
        half_width = x * abs(k) / 2
        return (mpmath.asinh(1 / half_width) - mpmath.asinh(m0 / half_width)) / (2 * q * x)

    return _evaluate(stop, margin0, c_value, r_value, fraction)


def _newton_root(function: Callable, derivative: Callable, start):
    x = start
    for _ in range(NEWTON_MAX_ITERATIONS):
        step = function(x) / derivative(x)
        x -= step
        if abs(step) <= 4 * mpmath.eps * max(1, abs(x)):
            return x
    raise ArithmeticError("Newton iteration did not converge")


def inflection_margin() -> mpmath.mpf:
    """CL4: the root u* = 0.888367907619766… of 1 + u + e^u = 2u e^u, at the current
    mpmath precision (Newton from 0.9; the residual is decreasing and concave on [0.5, 2])."""
    return _newton_root(lambda x: 1 + x + mpmath.exp(x) - 2 * x * mpmath.exp(x),
                        lambda x: 1 - mpmath.exp(x) - 2 * x * mpmath.exp(x),
                        mpmath.mpf("0.9"))


def loss_inflection_margin() -> mpmath.mpf:
    """CL4: the root u = 0.738835031131607… of u σ(u) = 1/2 (inflection of the loss)."""
    return _newton_root(lambda x: x / (1 + mpmath.exp(-x)) - mpmath.mpf(1) / 2,
                        lambda x: (1 + mpmath.exp(-x) + x * mpmath.exp(-x))
                        / (1 + mpmath.exp(-x)) ** 2, mpmath.mpf("0.75"))


def failure_region(a0, b0) -> str:
    """CL6: "dead" (b0 ≤ 0: ReLU(b r) = 0, no gradient), "succeeds" (b0 > 0 and a0 > −b0),
    "dies" (a0 < −b0 < 0: b reaches 0 in finite time), "stalls" (a0 = −b0 < 0: the flow
    creeps into the saddle a = b = 0)."""
    require_finite(a0=a0, b0=b0)
    if b0 <= 0:
        return "dead"
    if a0 + b0 > 0:
        return "succeeds"
    return "stalls" if a0 + b0 == 0 else "dies"


def _hyperbolic_time(start, end, half_rc, sign, x, loss):
    """(1/r)∫ (1/g) over the hyperbolic angle, u = sign·(r|c|/2) sinh 2ψ."""
    if loss == "hinge":
        return (end - start) / x
    integrand = lambda angle: 1 + mpmath.exp(sign * half_rc * mpmath.sinh(2 * angle))  # noqa: E731
    return mpmath.quad(integrand, [start, end]) / x


def death_time(a0, b0, r_value, loss: str = "cross_entropy"):
    """CL6 (a0 < −b0 < 0): time at which b reaches 0,
    (1/r)∫_0^{φ0} (1 + e^{−(rc/2) sinh 2φ}) dφ (cross-entropy; quadrature) or φ0/r (hinge),
    φ0 = asinh(b0/√c), c = a0² − b0²."""
    _check_loss(loss)
    require_positive(r=r_value)
    if failure_region(a0, b0) != "dies":
        raise ValueError(f"(a0, b0) = ({a0}, {b0}) is not in the region a0 < −b0 < 0")

    def time(a, b, x):
        k = a * a - b * b
        return _hyperbolic_time(0, mpmath.asinh(b / mpmath.sqrt(k)), x * k / 2, -1, x, loss)

    return _evaluate(time, a0, b0, r_value)


def sign_change_time(a0, b0, r_value, loss: str = "cross_entropy"):
    """CL6 (−b0 < a0 < 0 < b0): time at which a (and u) crosses 0,
    (1/r)∫_{ψ0}^0 (1 + e^{(r|c|/2) sinh 2ψ}) dψ (cross-entropy) or −ψ0/r (hinge),
    ψ0 = −asinh(|a0|/√|c|)."""
    _check_loss(loss)
    require_positive(r=r_value)
    if not (failure_region(a0, b0) == "succeeds" and a0 < 0):
        raise ValueError(f"need −b0 < a0 < 0 < b0, got ({a0}, {b0})")

    def time(a, b, x):
        k = b * b - a * a
        return _hyperbolic_time(-mpmath.asinh(-a / mpmath.sqrt(k)), 0, x * k / 2, 1, x, loss)

    return _evaluate(time, a0, b0, r_value)


def two_mode_velocity(margin_a, margin_b, r_a, r_b, fraction, loss: str = "cross_entropy"):
    """CL7: (u̇_A, u̇_B) = (2r_A u_A[p g(u_A+u_B) + (1−p) g(u_A)], 2r_B p u_B g(u_A+u_B))."""
    _check_loss(loss)
    require_positive(r_a=r_a, r_b=r_b, fraction=fraction)
    values = (margin_a, margin_b, r_a, r_b, fraction)

    def component(index):
        def compute(ua, ub, ra, rb, q):
            shared = _weight(ua + ub, loss)
            if index == 0:
                return 2 * ra * ua * (q * shared + (1 - q) * _weight(ua, loss))
            return 2 * rb * q * ub * shared
        return _evaluate(compute, *values)

    return component(0), component(1)


def two_mode_freeze_time(margin_a0, margin_b0, r_a, r_b, fraction):
    """CL7 (hinge): t₁ solving u_A0 e^{2r_A t₁} + u_B0 e^{2r_B p t₁} = 1 (the shared point
    reaches the hinge; u_A0 + u_B0 < 1). The left side increases and is convex in t."""
    require_positive(u_a0=margin_a0, u_b0=margin_b0, r_a=r_a, r_b=r_b, fraction=fraction)
    if not margin_a0 + margin_b0 < 1:
        raise ValueError("need u_A0 + u_B0 < 1")

    def root(ua, ub, ra, rb, q):
        rates = (2 * ra, 2 * rb * q)
        # start right of the root, where either term alone reaches 1: on a convex increasing
        # function Newton then descends monotonically (from 0 it overshoots by e^{rate·s})
        start = min(-mpmath.log(ua) / rates[0], -mpmath.log(ub) / rates[1])
        return _newton_root(
            lambda s: ua * mpmath.exp(rates[0] * s) + ub * mpmath.exp(rates[1] * s) - 1,
            lambda s: ua * rates[0] * mpmath.exp(rates[0] * s)
            + ub * rates[1] * mpmath.exp(rates[1] * s), start)

    return _evaluate(root, margin_a0, margin_b0, r_a, r_b, fraction)


def two_mode_freeze_value(margin_a0, margin_b0, r_a, r_b, fraction):
    """CL7 (hinge): B freezes at u_B(t₁) = u_B0 e^{2r_B p t₁}."""
    t1 = two_mode_freeze_time(margin_a0, margin_b0, r_a, r_b, fraction)
    return _evaluate(lambda ub, rb, q, s: ub * mpmath.exp(2 * rb * q * s),
                     margin_b0, r_b, fraction, t1)


def two_mode_stop_time(margin_a0, margin_b0, r_a, r_b, fraction):
    """CL7 (hinge, derived here): after t₁ only the A-only points drive A,
    u̇_A = 2r_A(1−p)u_A, so A stops at t₂ = t₁ + ln(1/u_A(t₁))/(2r_A(1−p)) (needs p < 1)."""
    if not fraction < 1:
        raise ValueError(f"fraction must be below 1 for A-only points to exist, got {fraction}")
    t1 = two_mode_freeze_time(margin_a0, margin_b0, r_a, r_b, fraction)
    return _evaluate(lambda ua, ra, q, s: s + (-mpmath.log(ua) - 2 * ra * s)
                     / (2 * ra * (1 - q)), margin_a0, r_a, fraction, t1)


def chain_velocity(margin, r_value, chain_depth: int, loss: str = "cross_entropy"):
    """CL8: u̇ = L r^{2/L} u^{2−2/L} g(u) for a balanced depth-L chain."""
    _check_loss(loss)
    _check_depth(chain_depth)
    require_positive(u=margin, r=r_value)
    return _evaluate(lambda m, x, k: k * x ** (2 / k) * m ** (2 - 2 / k) * _weight(m, loss),
                     margin, r_value, chain_depth)


def chain_time(margin, margin0, r_value, chain_depth: int, loss: str = "cross_entropy"):
    """CL8: time from u0 to u (0 < u0 < u) of the balanced depth-L chain:
    hinge (u ≤ 1): (u0^{2/L−1} − u^{2/L−1})/((L−2) r^{2/L}), ln(u/u0)/(2r) at L = 2;
    cross-entropy: ∫_{u0}^{u} (1 + e^v) v^{2/L−2} dv / (L r^{2/L}) = [F(u) − F(u0)]/(L r^{2/L})
    with F(v) = (v^b/b)(1 + ₁F₁(b; b+1; v)), b = 2/L − 1 (termwise, v^b ₁F₁(b; b+1; v)/b =
    Σ_k v^{b+k}/((b+k)k!), whose derivative is v^{b−1}e^v), and F = ln v + Ei(v) at L = 2."""
    _check_loss(loss)
    _check_depth(chain_depth)
    require_positive(u=margin, u0=margin0, r=r_value)
    if not margin0 < margin:
        raise ValueError(f"need u0 < u, got {margin0}, {margin}")
    if loss == "hinge" and margin > 1:
        raise ValueError(f"the hinge chain stops at u = 1, got u = {margin}")

    def time(m, m0, x, k):
        scale = k * x ** (2 / k)
        if loss == "cross_entropy":
            return (_chain_clock(m, k) - _chain_clock(m0, k)) / scale
        if k == 2:
            return mpmath.log(m / m0) / (2 * x)
        return (m0 ** (2 / k - 1) - m ** (2 / k - 1)) / ((k - 2) * x ** (2 / k))

    return _evaluate(time, margin, margin0, r_value, chain_depth)


def _chain_clock(v, chain_depth):
    """CL8 (cross-entropy): an antiderivative F of (1 + e^v) v^{2/L−2} (see chain_time)."""
    if chain_depth == 2:
        return mpmath.log(v) + mpmath.ei(v)
    b = 2 / chain_depth - 1
    return v**b / b * (1 + mpmath.hyp1f1(b, b + 1, v))


def _check_depth(chain_depth) -> None:
    if isinstance(chain_depth, bool) or not isinstance(chain_depth, int) or chain_depth < 2:
        raise ValueError(f"chain_depth must be an integer ≥ 2, got {chain_depth!r}")


#: Public evaluators by claim id.
EVALUATORS: dict[str, tuple[Callable, ...]] = {
    "CL1": (margin_velocity,),
    "CL2": (cross_entropy_time,),
    "CL3": (hinge_margin, hinge_stop_time),
    "CL4": (inflection_margin, loss_inflection_margin, cross_entropy_time),
    "CL5": (cross_entropy_time, hinge_stop_time),
    "CL6": (failure_region, death_time, sign_change_time),
    "CL7": (two_mode_velocity, two_mode_freeze_time, two_mode_freeze_value,
            two_mode_stop_time),
    "CL8": (chain_velocity, chain_time),
}


def _points(*assignments: str) -> tuple[dict, ...]:
    """Points written as "name=value name=value" strings of exact rationals."""
    return tuple(dict(pair.split("=") for pair in text.split()) for text in assignments)


def __getattr__(name: str):
    """``DERIVATIONS``, built on first access (CL4's factor is derived by SymPy)."""
    if name == "DERIVATIONS":
        return _derivations()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def _derivations() -> tuple[Derivation, ...]:
    """Derived expressions pinned by value (theory.derivations, reports.golden); module
    attribute ``DERIVATIONS``."""
    two_mode_points = _points("u_A=1/2 u_B=1/10 r_A=1 r_B=2 p=1/4",
                              "u_A=3 u_B=1 r_A=2 r_B=1/2 p=9/10")
    return (
        Derivation("CL1 margin velocity u̇ = r σ(−u)√(r²c² + 4u²) (cross-entropy)", "CL1",
                   MARGIN_VELOCITY.subs(sp.Function("g")(u), sigmoid(-u)),
                   _points("u=1/2 c=1/3 r=2", "u=-1 c=-2 r=1/2")),
        Derivation("CL2 cross-entropy clock ln(u/u0) + Ei(u) − Ei(u0)", "CL2", CROSS_ENTROPY_CLOCK,
                   _points("u=1 u_0=1/100", "u=6 u_0=1/5")),
        Derivation("CL3 hinge margin (sinh form)", "CL3", HINGE_MARGIN,
                   _points("t=1/4 u_0=1/10 c=3/10 r=3/2", "t=1/2 u_0=-1/5 c=-1/2 r=2")),
        Derivation("CL4 inflection condition (factor of ë)", "CL4", inflection_condition(),
                   _points("u=1/2", "u=2")),
        Derivation("CL5 cross-entropy time t = [ln(u/u0) + Ei(u) − Ei(u0)]/(2pr)", "CL5",
                   CROSS_ENTROPY_CLOCK / (2 * p * r),
                   _points("u=1 u_0=1/100 p=1 r=1", "u=6 u_0=1/5 p=1/4 r=3")),
        Derivation("CL7 two-mode velocity $dot(u)_A$ (cross-entropy)",
                   "CL7", _two_mode_velocities()[0],
                   two_mode_points),
        Derivation("CL7 two-mode velocity $dot(u)_B$ (cross-entropy)",
                   "CL7", _two_mode_velocities()[1],
                   two_mode_points),
        Derivation("CL7 onset margin $u_A + u_B = ln 3$", "CL7", ONSET_MARGIN, _points("")),
        Derivation("CL8 chain velocity $L r^(2\\/L) u^(2-2\\/L) sigma(-u)$",
                   "CL8", _chain_velocity(),
                   _points("u=1/2 r=2 L=3", "u=3 r=1/2 L=6")),
        Derivation("CL8 hinge chain time from u0 to u", "CL8", _chain_hinge_clock(),
                   _points("u=1/2 u_0=1/100 r=2 L=3", "u=1 u_0=1/5 r=1/2 L=6")),
    )
