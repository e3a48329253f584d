"""Soft-set confusion-matrix metrics: closed forms of claims SS1–SS4 (THEORY.md, family SS).

Tsoi et al. (2022) replace the step 1[p ≥ τ] by a piecewise-linear Heaviside approximation
H(p; τ, δ) with τ_m = min(τ, 1 − τ), breakpoints τ ∓ τ_m/2 and three linear pieces

    H = m₁p                                  for p < τ − τ_m/2,        m₁ = δ/(τ − τ_m/2),
    H = m₂(p − τ) + ½                        for p ≤ τ + τ_m/2,        m₂ = (1 − 2δ)/τ_m,
    H = m₃p + (1 − δ − m₃(τ + τ_m/2))        above,                    m₃ = δ/(1 − τ − τ_m/2),

and count soft set memberships h_i = H(p_i): TP = Σy_ih_i, FN = Σy_i(1 − h_i),
FP = Σ(1 − y_i)h_i, TN = Σ(1 − y_i)(1 − h_i).

:data:`HEAVISIDE` is the single source of truth: the NumPy and mpmath evaluators are
lambdified from it. :func:`ss1_checks` takes the Piecewise under test as an argument, so a
modified approximation (a negative control) runs through the same symbolic battery.
Symbols: p score, tau threshold τ, delta δ, tau_m τ_m (kept as a symbol in
:data:`HEAVISIDE_GENERIC`; the identities hold for any 0 < τ − τ_m/2, τ + τ_m/2 < 1).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import NamedTuple

import mpmath
import numpy as np
import sympy as sp
from numpy.typing import ArrayLike

from flowcert.theory.cache import derived
from flowcert.theory.derivations import Derivation

#: A real parameter: float, or mpf for evaluation at the current mpmath precision.
Real = float | mpmath.mpf
#: Scores p: a float or mpf, or an array of them (float64 or object dtype).
Scores = float | mpmath.mpf | np.ndarray

p = sp.Symbol("p", real=True)
tau, delta, tau_m = sp.symbols("tau delta tau_m", positive=True)

# ----------------------------------------------------------------------------- SS1: H

#: SS1: lower and upper breakpoints τ ∓ τ_m/2 (H = δ and 1 − δ there).
LOWER_BREAK = tau - tau_m / 2
UPPER_BREAK = tau + tau_m / 2
#: SS1: slopes m₁ = δ/(τ − τ_m/2), m₂ = (1 − 2δ)/τ_m, m₃ = δ/(1 − τ − τ_m/2).
SLOPES = (delta / LOWER_BREAK, (1 - 2 * delta) / tau_m, delta / (1 - UPPER_BREAK))
#: SS1: H(p; τ, δ) with τ_m a free symbol, three linear pieces (authors' code).
HEAVISIDE_GENERIC = sp.Piecewise(
    (SLOPES[0] * p, p < LOWER_BREAK),
    (SLOPES[1] * (p - tau) + sp.S.Half, p <= UPPER_BREAK),
    (SLOPES[2] * p + (1 - delta - SLOPES[2] * UPPER_BREAK), True))
#: SS1: τ_m = min(τ, 1 − τ).
TAU_M = sp.Min(tau, 1 - tau)
#: SS1: ∫₀¹ |H − 1[p ≥ τ]| dp = τ_m/4 + δ/2 (verified by integration in :func:`ss1_checks`).
L1_GAP = tau_m / 4 + delta / 2


@derived
def _derived_forms() -> dict[str, sp.Expr]:
    """HEAVISIDE = H(p; τ, δ) as published (τ_m = min(τ, 1 − τ)); HEAVISIDE_SLOPE = H′,
    the slope of the piece containing p (SS1/SS3); L1_GAP_LIMIT = lim_{δ→0} L1_GAP = τ_m/4
    > 0: H does not tend to the step (SS1). Module attributes, derived on first access."""
    heaviside = HEAVISIDE_GENERIC.subs(tau_m, TAU_M)
    return {"HEAVISIDE": heaviside, "HEAVISIDE_SLOPE": sp.diff(heaviside, p),
            "L1_GAP_LIMIT": sp.limit(L1_GAP, delta, 0)}


def __getattr__(name: str):
    """HEAVISIDE, HEAVISIDE_SLOPE, L1_GAP_LIMIT and DERIVATIONS, built on first access."""
    if name in ("HEAVISIDE", "HEAVISIDE_SLOPE", "L1_GAP_LIMIT"):
        return _derived_forms()[name]
    if name == "DERIVATIONS":
        return _derivations()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

#: SS4: the relative offset ε of the tight scores from the band edges.
_epsilon = sp.Symbol("epsilon", positive=True)
#: Parametrisations of τ ∈ (0, ½] and τ ∈ [½, 1) by r ≥ 0, with τ_m = min(τ, 1 − τ).
_r = sp.Symbol("r", nonnegative=True)
_REGIMES = ({tau: 1 / (2 * (1 + _r)), tau_m: 1 / (2 * (1 + _r))},
            {tau: 1 - 1 / (2 * (1 + _r)), tau_m: 1 / (2 * (1 + _r))})
#: Rational (τ, δ) points at which SymPy integrates |H − step| directly (no sign argument).
_RATIONAL_CASES = ((sp.Rational(3, 10), sp.Rational(1, 5)),
                   (sp.Rational(7, 10), sp.Rational(1, 20)))


def _is_zero(expression: sp.Expr) -> bool:
    return sp.simplify(expression) == 0


def piecewise_parts(piecewise: sp.Piecewise,
                    variable: sp.Symbol = p) -> tuple[list[sp.Expr], list[sp.Expr]]:
    """(pieces, breakpoints) of a Piecewise whose conditions are ``variable < b`` / ``≤ b``.

    The last condition must be True; ValueError for any other shape.
    """
    pieces, breakpoints = [], []
    for index, (expression, condition) in enumerate(piecewise.args):
        pieces.append(expression)
        if condition is sp.true:
            if index != len(piecewise.args) - 1:
                raise ValueError("only the last piece may have the condition True")
            continue
        if not (isinstance(condition, sp.StrictLessThan | sp.LessThan)
                and condition.lhs == variable):
            raise ValueError(f"condition {condition} is not of the form {variable} < b")
        breakpoints.append(condition.rhs)
    if len(breakpoints) != len(pieces) - 1:
        raise ValueError("the last piece of the Piecewise must have the condition True")
    return pieces, breakpoints


def continuity_jumps(piecewise: sp.Piecewise, variable: sp.Symbol = p) -> list[sp.Expr]:
    """SS1: the jump piece_{k+1}(b_k) − piece_k(b_k) at each breakpoint b_k (simplified)."""
    pieces, breakpoints = piecewise_parts(piecewise, variable)
    return [sp.simplify(right.subs(variable, b) - left.subs(variable, b))
            for left, right, b in zip(pieces, pieces[1:], breakpoints, strict=False)]


def _increasing_set(pieces: list[sp.Expr]) -> sp.Set:
    """The δ ∈ ℝ for which every piece has a positive slope, for every τ ∈ (0, 1)."""
    real_delta = sp.Symbol("delta_real", real=True)
    admissible = sp.S.Reals
    for regime in _REGIMES:
        for piece in pieces:
            slope = sp.simplify(sp.diff(piece, p).subs(regime).subs(delta, real_delta))
            admissible &= sp.solveset(slope > 0, real_delta, sp.S.Reals)
    return admissible


def _mirror_holds(pieces: list[sp.Expr], breakpoints: list[sp.Expr]) -> bool:
    """SS1: H(1 − p; 1 − τ) = 1 − H(p; τ), piece by piece and breakpoint by breakpoint."""
    def mirrored(expression):
        return expression.subs({p: 1 - p, tau: 1 - tau}, simultaneous=True)

    pieces_match = all(_is_zero(1 - piece - mirrored(other))
                       for piece, other in zip(pieces, reversed(pieces), strict=True))
    breaks_match = all(_is_zero(1 - b - mirrored(other))
                       for b, other in zip(breakpoints, reversed(breakpoints), strict=True))
    return pieces_match and breaks_match


def _l1_gap_by_integration(pieces: list[sp.Expr], breakpoints: list[sp.Expr]) -> sp.Expr | None:
    """∫₀¹ |H − 1[p ≥ τ]| dp, integrating each linear piece on its side of τ.

    The absolute value is resolved by a sign certificate: H − step is linear on each
    sub-interval, so it keeps one sign there when its values at both ends do. None when
    the certificate cannot be established.
    """
    if len(pieces) != 3:
        return None
    lower, upper = breakpoints
    signed = ((pieces[0], 0, lower), (pieces[1], lower, tau),
              (1 - pieces[1], tau, upper), (1 - pieces[2], upper, 1))
    total = sp.S.Zero
    for integrand, start, end in signed:
        ends = [sp.simplify(integrand.subs(p, x)) for x in (start, end)]
        if not all(value.is_nonnegative for value in ends):
            return None
        total += sp.integrate(integrand, (p, start, end))
    return sp.simplify(total)


def _l1_gap_at_rationals(piecewise: sp.Piecewise) -> bool:
    """SymPy integrates |H − step| directly at rational (τ, δ) and matches τ_m/4 + δ/2."""
    for tau_value, delta_value in _RATIONAL_CASES:
        values = {tau: tau_value, delta: delta_value,
                  tau_m: min(tau_value, 1 - tau_value)}
        step = sp.Piecewise((0, p < tau_value), (1, True))
        integral = sp.integrate(sp.Abs(piecewise.subs(values) - step), (p, 0, 1))
        if integral != L1_GAP.subs(values):
            return False
    return True


def ss1_checks(piecewise: sp.Piecewise = HEAVISIDE_GENERIC) -> dict[str, bool]:
    """SS1's symbolic identities for a three-piece H(p; τ, τ_m, δ) (default: the paper's).

    A check whose premise cannot be established (wrong number of pieces, no sign
    certificate) reports False.
    """
    pieces, breakpoints = piecewise_parts(piecewise)
    if len(pieces) != 3:
        return {"SS1 H has three linear pieces": False}
    lower, upper = breakpoints
    gap = _l1_gap_by_integration(pieces, breakpoints)
    return {
        "SS1 H has three linear pieces": all(sp.diff(e, p, 2) == 0 for e in pieces),
        "SS1 breakpoints are τ ∓ τ_m/2":
            _is_zero(lower - LOWER_BREAK) and _is_zero(upper - UPPER_BREAK),
        "SS1 τ_m = min(τ, 1 − τ) keeps both breakpoints inside (0, 1)": _breaks_inside(),
        "SS1 H(0) = 0": _is_zero(pieces[0].subs(p, 0)),
        "SS1 H(1) = 1": _is_zero(pieces[2].subs(p, 1) - 1),
        "SS1 H(τ) = ½": _is_zero(pieces[1].subs(p, tau) - sp.S.Half),
        "SS1 H(τ − τ_m/2) = δ": _is_zero(pieces[1].subs(p, lower) - delta),
        "SS1 H(τ + τ_m/2) = 1 − δ": _is_zero(pieces[1].subs(p, upper) - (1 - delta)),
        "SS1 H is continuous (no jump at either breakpoint)":
            all(jump == 0 for jump in continuity_jumps(piecewise)),
        "SS1 H strictly increasing for every τ ∈ (0, 1) iff 0 < δ < ½":
            _increasing_set(pieces) == sp.Interval.open(0, sp.S.Half),
        "SS1 H(1 − p; 1 − τ) = 1 − H(p; τ)": _mirror_holds(pieces, breakpoints),
        "SS1 ∫₀¹|H − 1[p ≥ τ]| dp = τ_m/4 + δ/2 (piecewise integration)":
            gap is not None and _is_zero(gap - L1_GAP),
        "SS1 the same gap by direct integration of |H − step| at rational (τ, δ)":
            _l1_gap_at_rationals(piecewise),
        "SS1 the gap tends to τ_m/4 ≠ 0 as δ → 0":
            gap is not None and _is_zero(sp.limit(gap, delta, 0) - tau_m / 4),
    }


@cache
def _breaks_inside() -> bool:
    """0 < τ − τ_m/2 and τ + τ_m/2 < 1 for every τ ∈ (0, 1) when τ_m = min(τ, 1 − τ)."""
    t = sp.Symbol("t", real=True)
    regimes = ((sp.Interval.Lopen(0, sp.S.Half), t), (sp.Interval.Ropen(sp.S.Half, 1), 1 - t))
    for interval, minimum in regimes:
        lower = LOWER_BREAK.subs({tau: t, tau_m: minimum})
        upper = UPPER_BREAK.subs({tau: t, tau_m: minimum})
        outside = (sp.solveset(lower <= 0, t, interval) | sp.solveset(upper >= 1, t, interval))
        if outside != sp.S.EmptySet:
            return False
    return True


# ----------------------------------------------------------------------------- SS2–SS4

#: SS2: soft F1 = 2A/(P + A + B), A = Σ_{y=1} h, B = Σ_{y=0} h, P = #positives.
A, B, P = sp.symbols("A B P", nonnegative=True)
SOFT_F1 = 2 * A / (P + A + B)
#: SS3: ∂F1/∂h for a positive (∂A = ∂D = dh) and for a negative (∂B = ∂D = dh).
F1_DERIVATIVE_POSITIVE = 2 * (P + B) / (P + A + B) ** 2
F1_DERIVATIVE_NEGATIVE = -2 * A / (P + A + B) ** 2

#: Size of the symbolic sample in the SS2/SS3 identities (any n works the same way).
_SYMBOLIC_SAMPLE = 5


def _symbolic_sample() -> tuple[list[sp.Symbol], list[sp.Symbol]]:
    labels = list(sp.symbols(f"y1:{_SYMBOLIC_SAMPLE + 1}", real=True))
    memberships = list(sp.symbols(f"h1:{_SYMBOLIC_SAMPLE + 1}", nonnegative=True))
    return labels, memberships


def _soft_confusion(labels, memberships) -> dict[str, sp.Expr]:
    """TP, FN, FP, TN as THEORY.md defines them, for symbolic y_i and h_i."""
    pairs = list(zip(labels, memberships, strict=True))
    return {"TP": sum(y * h for y, h in pairs), "FN": sum(y * (1 - h) for y, h in pairs),
            "FP": sum((1 - y) * h for y, h in pairs),
            "TN": sum((1 - y) * (1 - h) for y, h in pairs)}


def _sums(labels, memberships) -> dict[sp.Symbol, sp.Expr]:
    """A = Σ y_i h_i, B = Σ (1 − y_i) h_i, P = Σ y_i."""
    pairs = list(zip(labels, memberships, strict=True))
    return {A: sum(y * h for y, h in pairs), B: sum((1 - y) * h for y, h in pairs),
            P: sum(labels)}


def ss2_checks() -> dict[str, bool]:
    """SS2: TP + FN = P, FP + TN = N and 2TP/(2TP + FP + FN) = 2A/(P + A + B), any y_i, h_i."""
    labels, memberships = _symbolic_sample()
    counts = _soft_confusion(labels, memberships)
    positives = sum(labels)
    f1_from_counts = 2 * counts["TP"] / (2 * counts["TP"] + counts["FP"] + counts["FN"])
    return {
        "SS2 TP + FN = #positives": _is_zero(counts["TP"] + counts["FN"] - positives),
        "SS2 FP + TN = #negatives":
            _is_zero(counts["FP"] + counts["TN"] - (_SYMBOLIC_SAMPLE - positives)),
        "SS2 soft F1 = 2A/(P + A + B)": _rational_identity(
            f1_from_counts - SOFT_F1.subs(_sums(labels, memberships), simultaneous=True)),
    }


def _rational_identity(expression: sp.Expr) -> bool:
    """True when a rational expression vanishes identically (its expanded numerator is 0)."""
    return sp.expand(sp.numer(sp.together(expression))) == 0


def ss3_checks() -> dict[str, bool]:
    """SS3: ∂F1/∂p_i by the chain rule through H, and the signs of both cases."""
    labels, memberships = _symbolic_sample()
    scores = list(sp.symbols(f"p1:{_SYMBOLIC_SAMPLE + 1}", real=True))
    membership, h_slope = sp.Function("H"), sp.Symbol("h_slope", positive=True)
    counts = _soft_confusion(labels, [membership(x) for x in scores])
    f1 = 2 * counts["TP"] / (2 * counts["TP"] + counts["FP"] + counts["FN"])
    derivative = (sp.diff(f1, scores[0])
                  .subs(sp.Derivative(membership(scores[0]), scores[0]), h_slope)
                  .subs({membership(x): h for x, h in zip(scores, memberships, strict=True)}))
    sums = _sums(labels, memberships)
    checks = {}
    for label, closed_form, name in ((1, F1_DERIVATIVE_POSITIVE, "positive"),
                                     (0, F1_DERIVATIVE_NEGATIVE, "negative")):
        predicted = (h_slope * closed_form).subs(sums, simultaneous=True)
        checks[f"SS3 ∂F1/∂p_i for a {name} = H′(p_i)·(closed form)"] = _rational_identity(
            (derivative - predicted).subs(labels[0], label))
    positives = sp.Symbol("P", positive=True)  # P ≥ 1 when p_i is a positive
    checks["SS3 positive: 2(P + B)H′/D² > 0 when H′ > 0"] = bool(
        (h_slope * F1_DERIVATIVE_POSITIVE.subs(P, positives)).is_positive)
    negative = h_slope * F1_DERIVATIVE_NEGATIVE.subs(P, positives)
    checks["SS3 negative: −2A·H′/D² ≤ 0, zero iff A = 0"] = bool(
        negative.is_nonpositive and sp.solve(negative, A) == [0])
    return checks


def ss4_checks(piecewise: sp.Piecewise = HEAVISIDE_GENERIC) -> dict[str, bool]:
    """SS4: H = step at p ∈ {0, 1}; |H − step| ≤ δ outside the band, linear in δ."""
    pieces, breakpoints = piecewise_parts(piecewise)
    lower, upper = breakpoints
    outer = ((pieces[0], 0, lower, 0), (pieces[2], upper, 1, 1))
    error_ends = [sp.simplify(piece.subs(p, x) - step) for piece, start, end, step in outer
                  for x in (start, end)]
    return {
        "SS4 H(0) = 1[0 ≥ τ] = 0 and H(1) = 1[1 ≥ τ] = 1":
            _is_zero(pieces[0].subs(p, 0)) and _is_zero(pieces[2].subs(p, 1) - 1),
        "SS4 outside the band |H − step| ≤ δ (linear pieces: extremes at the ends)":
            all(sp.simplify(delta - abs(value)).is_nonnegative for value in error_ends),
        "SS4 just outside the band the bound is attained: H(a(1 − ε)) = δ(1 − ε), "
        "1 − H(b + (1 − b)ε) = δ(1 − ε)":
            _is_zero(pieces[0].subs(p, lower * (1 - _epsilon)) - delta * (1 - _epsilon))
            and _is_zero(1 - pieces[2].subs(p, upper + (1 - upper) * _epsilon)
                         - delta * (1 - _epsilon)),
        "SS4 outside the band H − step = δ·g(p) with g independent of δ":
            all(sp.diff(sp.simplify((piece - step) / delta), delta) == 0
                for piece, _, _, step in outer),
    }


@derived
def _ss1_identities() -> dict[str, bool]:
    return ss1_checks()


@derived
def _ss2_identities() -> dict[str, bool]:
    return ss2_checks()


@derived
def _ss3_identities() -> dict[str, bool]:
    return ss3_checks()


@derived
def _ss4_identities() -> dict[str, bool]:
    return ss4_checks()


_IDENTITIES = {"SS1": _ss1_identities, "SS2": _ss2_identities, "SS3": _ss3_identities,
               "SS4": _ss4_identities}


def self_checks(claim_id: str | None = None) -> dict[str, bool]:
    """Symbolic identities behind SS1–SS4 (of one claim, e.g. "SS2", or all); every value
    must be True. Each claim's identities are derived once and cached (theory.cache)."""
    ids = _IDENTITIES if claim_id is None else (claim_id,)
    return {name: ok for key in ids for name, ok in _IDENTITIES[key]().items()}


# ----------------------------------------------------------------------------- evaluators


def _numpy_piecewise(piecewise: sp.Piecewise) -> Callable:
    """Vectorised evaluator f(p_array, τ, δ) of a Piecewise in p, lambdified part by part.

    Breakpoints become scalar functions of (τ, δ) and pieces functions of p; as in the
    Piecewise, the first piece whose condition holds wins. (One ``numpy.select`` over the
    whole Piecewise gives the same values about four times slower, which matters inside
    the SS6 training flow.)
    """
    pieces, breakpoints = piecewise_parts(piecewise)
    piece_forms = [sp.lambdify((p, tau, delta), e, modules="numpy") for e in pieces]
    break_forms = sp.lambdify((tau, delta), breakpoints, modules="math")
    strict = [isinstance(condition, sp.StrictLessThan) for _, condition in piecewise.args[:-1]]

    def evaluate(scores: np.ndarray, tau_value: float, delta_value: float) -> np.ndarray:
        result = piece_forms[-1](scores, tau_value, delta_value) + np.zeros_like(scores)
        parts = zip(piece_forms[:-1], break_forms(tau_value, delta_value), strict, strict=True)
        for form, breakpoint, is_strict in reversed(list(parts)):
            inside = scores < breakpoint if is_strict else scores <= breakpoint
            result = np.where(inside, form(scores, tau_value, delta_value), result)
        return result

    return evaluate


@cache
def _evaluators() -> dict[str, Callable]:
    """The numeric forms of the derived expressions, lambdified on first use."""
    forms = _derived_forms()
    knots = [e.subs(tau_m, TAU_M) for e in (LOWER_BREAK, UPPER_BREAK, *SLOPES)]
    return {
        "H_NUMPY": _numpy_piecewise(forms["HEAVISIDE"]),
        "H_MPMATH": sp.lambdify((p, tau, delta), forms["HEAVISIDE"], modules="mpmath"),
        "SLOPE_NUMPY": _numpy_piecewise(forms["HEAVISIDE_SLOPE"]),
        "SLOPE_MPMATH": sp.lambdify((p, tau, delta), forms["HEAVISIDE_SLOPE"],
                                    modules="mpmath"),
        "KNOTS": sp.lambdify((tau, delta), knots, modules="mpmath"),
        "L1_GAP": sp.lambdify((tau, delta), L1_GAP.subs(tau_m, TAU_M), modules="mpmath"),
        "L1_GAP_LIMIT": sp.lambdify((tau,), forms["L1_GAP_LIMIT"].subs(tau_m, TAU_M),
                                    modules="mpmath"),
    }


class Knots(NamedTuple):
    """SS1: breakpoints τ ∓ τ_m/2 and slopes (m₁, m₂, m₃) of H."""

    lower: float
    upper: float
    slopes: tuple[float, float, float]


def _uses_mpmath(*values) -> bool:
    return any(isinstance(v, mpmath.mpf) or (isinstance(v, np.ndarray) and v.dtype == object)
               for v in values)


def _check_tau(tau_value) -> None:
    if not 0 < tau_value < 1:  # NaN fails too
        raise ValueError(f"tau must satisfy 0 < tau < 1, got {tau_value!r}")


def _check_parameters(tau_value, delta_value) -> None:
    """ValueError unless 0 < τ < 1 and 0 < δ < ½ (NaN fails both)."""
    _check_tau(tau_value)
    if not 0 < delta_value < 0.5:
        raise ValueError(f"delta must satisfy 0 < delta < 1/2, got {delta_value!r}")


def _check_scores(scores) -> np.ndarray:
    """The scores as an array; ValueError if any is outside [0, 1] or NaN."""
    values = np.asarray(scores)
    # NaN compares False, so it is flagged too; object arrays of mpf give Python bools.
    inside = np.asarray((values >= 0) & (values <= 1), dtype=bool)
    if not np.all(inside):
        bad = values[~inside] if values.ndim else values
        raise ValueError(f"p must lie in [0, 1] with no NaN, got {np.ravel(bad)[:3]!r}")
    return values


def _evaluate(numpy_form, mpmath_form, scores, tau_value, delta_value):
    _check_parameters(tau_value, delta_value)
    values = _check_scores(scores)
    if _uses_mpmath(scores, tau_value, delta_value):
        if values.ndim == 0:
            return mpmath_form(mpmath.mpf(values.item()), mpmath.mpf(tau_value),
                               mpmath.mpf(delta_value))
        elementwise = np.frompyfunc(lambda x: mpmath_form(mpmath.mpf(x), mpmath.mpf(tau_value),
                                                          mpmath.mpf(delta_value)), 1, 1)
        return elementwise(values)
    result = numpy_form(values.astype(float), float(tau_value), float(delta_value))
    return float(result) if values.ndim == 0 else np.asarray(result, dtype=float)


def heaviside_approx(p: Scores, tau: Real = 0.5, delta: Real = 0.2) -> Scores:
    """SS1: H(p; τ, δ), the three-piece approximation of the step 1[p ≥ τ].

    ``p`` is a float or array in [0, 1]: a float gives a float, an array an array of the
    same shape. mpmath numbers (or object arrays of them) are evaluated at the current
    mpmath precision. ValueError unless 0 < τ < 1, 0 < δ < ½ and every p ∈ [0, 1].
    Values are clipped to [0, 1], H's exact range: the expanded upper piece evaluates
    H(1) = m₃ + 1 − δ − m₃(τ + τ_m/2) can round to 1 + 2⁻⁵², which clipping removes.
    """
    forms = _evaluators()
    return _clip_to_unit(_evaluate(forms["H_NUMPY"], forms["H_MPMATH"], p, tau, delta))


def _clip_to_unit(values):
    if isinstance(values, float):
        return min(max(values, 0.0), 1.0)
    if isinstance(values, mpmath.mpf):
        return min(max(values, mpmath.mpf(0)), mpmath.mpf(1))
    if values.dtype == object:
        return np.frompyfunc(_clip_to_unit, 1, 1)(values)
    return np.clip(values, 0.0, 1.0)


def heaviside_slope(p: Scores, tau: Real = 0.5, delta: Real = 0.2) -> Scores:
    """SS1/SS3: H′(p; τ, δ) = m₁, m₂ or m₃ by piece (at either breakpoint, the band slope m₂).

    Same input conventions as :func:`heaviside_approx`.
    """
    forms = _evaluators()
    return _evaluate(forms["SLOPE_NUMPY"], forms["SLOPE_MPMATH"], p, tau, delta)


def heaviside_knots(tau_value: Real, delta_value: Real) -> Knots:
    """SS1: breakpoints τ ∓ τ_m/2 and slopes m₁, m₂, m₃ (floats, or mpf for mpf input)."""
    _check_parameters(tau_value, delta_value)
    return _convert(Knots(*_split_knots(_evaluators()["KNOTS"](*_mp(tau_value, delta_value)))),
                    _uses_mpmath(tau_value, delta_value))


def _split_knots(values: list) -> tuple:
    return values[0], values[1], tuple(values[2:])


def _mp(*values) -> list:
    return [mpmath.mpf(v) for v in values]


def _convert(knots: Knots, keep_mpmath: bool) -> Knots:
    if keep_mpmath:
        return knots
    return Knots(float(knots.lower), float(knots.upper), tuple(float(m) for m in knots.slopes))


def l1_gap(tau_value: Real, delta_value: Real) -> Real:
    """SS1: ∫₀¹ |H − 1[p ≥ τ]| dp = τ_m/4 + δ/2."""
    _check_parameters(tau_value, delta_value)
    value = _evaluators()["L1_GAP"](*_mp(tau_value, delta_value))
    return value if _uses_mpmath(tau_value, delta_value) else float(value)


def l1_gap_limit(tau_value: Real) -> Real:
    """SS1: lim_{δ→0} ∫₀¹ |H − 1[p ≥ τ]| dp = τ_m/4 = min(τ, 1 − τ)/4."""
    _check_tau(tau_value)
    value = _evaluators()["L1_GAP_LIMIT"](mpmath.mpf(tau_value))
    return value if _uses_mpmath(tau_value) else float(value)


class SoftCounts(NamedTuple):
    """Soft confusion counts TP = Σyh, FN = Σy(1 − h), FP = Σ(1 − y)h, TN = Σ(1 − y)(1 − h)."""

    tp: float
    fn: float
    fp: float
    tn: float


def _check_labels(labels, scores: np.ndarray) -> np.ndarray:
    values = np.asarray(labels)
    if values.shape != scores.shape or values.ndim != 1 or values.size == 0:
        raise ValueError(f"labels must be a non-empty 1-d array shaped like the scores "
                         f"{scores.shape}, got shape {values.shape}")
    if not np.all((values == 0) | (values == 1)):
        raise ValueError("labels must be 0 or 1")
    return values.astype(bool)


def _memberships(scores, labels, tau_value, delta_value) -> tuple[np.ndarray, np.ndarray]:
    """(h_i = H(p_i; τ, δ), boolean mask of the positives), inputs validated."""
    positive = _check_labels(labels, _check_scores(scores))
    return heaviside_approx(np.asarray(scores), tau_value, delta_value), positive


def soft_counts(scores: Scores, labels: ArrayLike, tau_value: Real = 0.5,
                delta_value: Real = 0.2) -> SoftCounts:
    """SS2/SS5: the soft counts with h_i = H(p_i; τ, δ)."""
    memberships, positive = _memberships(scores, labels, tau_value, delta_value)
    tp, fp = np.sum(memberships[positive]), np.sum(memberships[~positive])
    return SoftCounts(tp, np.sum(positive) - tp, fp, np.sum(~positive) - fp)


def _membership_sums(scores, labels, tau_value, delta_value):
    """(positive mask, A = Σ_{y=1} h, B = Σ_{y=0} h, P)."""
    memberships, positive = _memberships(scores, labels, tau_value, delta_value)
    return (positive, np.sum(memberships[positive]), np.sum(memberships[~positive]),
            int(np.sum(positive)))


def soft_f1(scores: Scores, labels: ArrayLike, tau_value: Real = 0.5,
            delta_value: Real = 0.2) -> Real:
    """SS2: soft F1 = 2A/(P + A + B); ValueError when P + A + B = 0 (F1 undefined)."""
    _, a, b, positives = _membership_sums(scores, labels, tau_value, delta_value)
    denominator = positives + a + b
    if denominator == 0:
        raise ValueError("soft F1 is undefined: no positives and every membership is 0")
    return 2 * a / denominator


def soft_f1_gradient(scores: Scores, labels: ArrayLike, tau_value: Real = 0.5,
                     delta_value: Real = 0.2) -> np.ndarray:
    """SS3: ∂F1/∂p_i = 2(P + B)H′(p_i)/D² for a positive, −2A·H′(p_i)/D² for a negative."""
    positive, a, b, positives = _membership_sums(scores, labels, tau_value, delta_value)
    denominator_squared = (positives + a + b) ** 2
    if denominator_squared == 0:
        raise ValueError("soft F1 is undefined: no positives and every membership is 0")
    slopes = heaviside_slope(np.asarray(scores), tau_value, delta_value)
    factor = np.where(positive, 2 * (positives + b), -2 * a)
    return factor * slopes / denominator_squared


def band_error_bounds(labels: ArrayLike, delta_value: Real) -> tuple[Real, Real]:
    """SS4: (δP, δN), bounds on |TP_s − TP| and |FP_s − FP| when no p_i lies in the band."""
    values = np.asarray(labels)
    positives = int(np.sum(values == 1))
    return delta_value * positives, delta_value * (values.size - positives)


def tight_band_gaps(labels: ArrayLike, delta_value: Real, offset: Real) -> tuple[Real, Real]:
    """SS4: |TP_s − TP| = δP(1 − ε) and |FP_s − FP| = δN(1 − ε) when every positive scores
    (τ − τ_m/2)(1 − ε) and every negative (τ + τ_m/2) + (1 − τ − τ_m/2)ε, just outside the
    band: the bounds δP, δN are attained as ε → 0 (ss4_checks derives both values of H)."""
    tp_bound, fp_bound = band_error_bounds(labels, delta_value)
    return tp_bound * (1 - offset), fp_bound * (1 - offset)


#: Public evaluators by claim id.
EVALUATORS = {
    "SS1": (heaviside_approx, heaviside_slope, heaviside_knots, l1_gap, l1_gap_limit),
    "SS2": (soft_counts, soft_f1),
    "SS3": (soft_f1_gradient,),
    "SS4": (band_error_bounds, tight_band_gaps),
    "SS5": (soft_counts, soft_f1),
}


_COUNTS = ({"A": "3", "B": "1", "P": "5"}, {"A": "1/2", "B": "7/2", "P": "2"})
@cache
def _derivations() -> tuple[Derivation, ...]:
    """Derived expressions pinned by value (theory.derivations, reports.golden); module
    attribute ``DERIVATIONS``. The points of H cover its three pieces, for τ below, at and
    above ½."""
    return (
        Derivation("SS1 Heaviside approximation H(p; τ, δ)", "SS1",
                   _derived_forms()["HEAVISIDE"],
                   ({"p": "1/10", "tau": "1/2", "delta": "1/5"},
                    {"p": "2/5", "tau": "3/10", "delta": "1/10"},
                    {"p": "19/20", "tau": "7/10", "delta": "1/20"})),
        Derivation("SS1 L1 gap "
                   "$integral_0^1 |H - bold(1)[p >= tau]| dif p = tau_m\\/4 + delta\\/2$", "SS1",
                   L1_GAP.subs(tau_m, TAU_M), ({"tau": "3/10", "delta": "1/5"},
                                               {"tau": "7/10", "delta": "1/20"})),
        Derivation("SS2 soft F1 = 2A/(P + A + B)", "SS2", SOFT_F1, _COUNTS),
        Derivation("SS3 $partial \"F1\"\\/partial h_i$ for a positive, $2(P + B)\\/D^2$", "SS3",
                   F1_DERIVATIVE_POSITIVE,
                   _COUNTS),
        Derivation("SS3 $partial \"F1\"\\/partial h_i$ for a negative, $-2A\\/D^2$", "SS3",
                   F1_DERIVATIVE_NEGATIVE,
                   _COUNTS),
    )
