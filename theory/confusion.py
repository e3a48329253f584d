"""Gradient confusion: closed forms of claims GC1 and GC2 (THEORY.md, GC; Sankararaman et al.
2020). GC3 and GC4 are orderings without a closed form.

GC1. For x, y independent and uniform on S^{d−1}, t = ⟨x, y⟩ has the law of x_1 (rotate y
to e_1). Writing x = g/‖g‖ with g ~ N(0, I_d), g/‖g‖ and ‖g‖ are independent, so
E g_1^{2m} = E‖g‖^{2m}·E t^{2m}, i.e. E t^{2m} = (2m−1)!! / E(χ²_d)^m =
(2m−1)!!Γ(d/2)/(2^mΓ(d/2 + m)) (odd moments vanish by symmetry). :func:`self_checks` shows
these equal the moments of 2u − 1 for u ~ Beta((d−1)/2, (d−1)/2), m = 1…4, for symbolic d;
a law on [−1, 1] is determined by its moments, so (1 + t)/2 ~ Beta((d−1)/2, (d−1)/2), and
m = 1 gives E t² = 1/d.

GC2. SGD w_{t+1} = w_t − α∇f_{i_t}(w_t), i_t uniform, on F = (1/N)Σ f_i with f_i L-smooth,
‖∇f_i‖² ≥ 2μ(f_i − f_i*) and ⟨∇f_i, ∇f_j⟩ ≥ −η (i ≠ j): the descent lemma and the confusion
bound give E[F_{t+1} − F*] ≤ ρ E[F_t − F*] + αη with ρ = 1 − (2μ/N)(α − NLα²/2) when
F* = Σ f_i*/N (consistent systems), and the recursion unrolls to
E[F(w_T) − F*] ≤ ρ^T(F(w₀) − F*) + αη/(1 − ρ) for α < 2/(NL). The first-order coefficient
of the contraction, −∂ρ/∂α at α = 0, is 2μ/N.

The numeric evaluators are compiled from these expressions (:func:`theory.evaluation.evaluator`)
on first use, so the formulas :func:`self_checks` verifies are the ones the claims evaluate.
"""

from __future__ import annotations

import functools

import mpmath
import numpy as np
import sympy as sp

from flowcert.theory.cache import derived
from flowcert.theory.derivations import Derivation
from flowcert.theory.evaluation import evaluator, require_finite, require_positive

d = sp.Symbol("d", positive=True)
mu, lipschitz, n, alpha, confusion = sp.symbols("mu L N alpha eta", positive=True)
rho = sp.Symbol("rho", positive=True)
T = sp.Symbol("T", integer=True, nonnegative=True)
gap0 = sp.Symbol("Delta_0", positive=True)

#: GC1 moments m = 1…MOMENT_ORDERS are checked symbolically and numerically.
MOMENT_ORDERS = 4


def sphere_inner_product_moment(order: int) -> sp.Expr:
    """GC1 derived: E⟨x, y⟩^{2m} = (2m−1)!!Γ(d/2)/(2^mΓ(d/2+m)) (m = ``order``)."""
    return (sp.factorial2(2 * order - 1) * sp.gamma(d / 2)
            / (2**order * sp.gamma(d / 2 + order)))


#: GC1 as stated: (1 + ⟨x,y⟩)/2 ~ Beta(a, a) with a = (d − 1)/2, and E⟨x,y⟩² = 1/d.
BETA_PARAMETER = (d - 1) / 2
SECOND_MOMENT_STATED = 1 / d


def beta_law_moment(order: int) -> sp.Expr:
    """E(2u − 1)^{2m} for u ~ Beta(a, a), a = (d−1)/2, from E u^j = ∏_{r<j}(a+r)/(2a+r)."""
    a = BETA_PARAMETER

    def raw(j: int) -> sp.Expr:
        return sp.Mul(*[(a + r) / (2 * a + r) for r in range(j)])

    power = 2 * order
    return sum(sp.binomial(power, j) * 2**j * (-1) ** (power - j) * raw(j)
               for j in range(power + 1))


#: GC2: ρ = 1 − (2μ/N)(α − NLα²/2).
RATE = 1 - (2 * mu / n) * (alpha - n * lipschitz * alpha**2 / 2)
#: GC2 in terms of ρ: E[F(w_T) − F*] ≤ ρ^T Δ₀ + αη/(1 − ρ).
BOUND_IN_RATE = rho**T * gap0 + alpha * confusion / (1 - rho)
#: GC2: the bound with ρ substituted.
BOUND = BOUND_IN_RATE.subs(rho, RATE)
#: GC2: the first-order coefficient of the contraction, −∂ρ/∂α at α = 0 (= 2μ/N).
RATE_SLOPE = -sp.diff(RATE, alpha).subs(alpha, 0)


@derived
def self_checks() -> dict[str, bool]:
    """Symbolic identities behind GC1 and GC2 (cached); every value must be True."""
    moments_agree = all(
        sp.simplify(sp.gammasimp(sphere_inner_product_moment(m) - beta_law_moment(m))) == 0
        for m in range(1, MOMENT_ORDERS + 1))
    e = sp.Function("e")
    t = sp.Symbol("t", integer=True, nonnegative=True)
    c = sp.Symbol("c", positive=True)
    unrolled = sp.rsolve(e(t + 1) - rho * e(t) - c, e(t), {e(0): gap0}).subs(t, T)
    unit_rate = sp.solve(sp.Eq(RATE, 1), alpha)  # positive roots (α is a positive symbol)
    return {
        f"GC1 E t^(2m) of the sphere equals that of 2·Beta((d−1)/2,(d−1)/2) − 1, m = 1…"
        f"{MOMENT_ORDERS}": moments_agree,
        "GC1 E⟨x,y⟩² = 1/d": sp.simplify(sp.gammasimp(sphere_inner_product_moment(1))
                                          - SECOND_MOMENT_STATED) == 0,
        "GC2 the stated bound minus the unrolled recursion e_{t+1} = ρe_t + αη, e_0 = Δ₀, "
        "is αηρ^T/(1 − ρ) ≥ 0":
            sp.simplify(BOUND_IN_RATE - unrolled.subs(c, alpha * confusion)
                        - alpha * confusion * rho**T / (1 - rho)) == 0,
        "GC2 ρ < 1 ⟺ α < 2/(NL) (for α > 0)":
            len(unit_rate) == 1 and sp.simplify(unit_rate[0] - 2 / (n * lipschitz)) == 0,
        "GC2 −∂ρ/∂α at α = 0 is 2μ/N": sp.simplify(RATE_SLOPE - 2 * mu / n) == 0,
    }


# ----------------------------------------------------------------------------- evaluators


@functools.cache
def _sphere_moment_evaluator(order: int):
    return evaluator(sphere_inner_product_moment(order), (d,))


@functools.cache
def _beta_moment_evaluator(order: int):
    return evaluator(beta_law_moment(order), (d,))


@functools.cache
def _evaluators() -> dict:
    return {"second": evaluator(SECOND_MOMENT_STATED, (d,)),
            "beta": evaluator(BETA_PARAMETER, (d,)),
            "rate": evaluator(RATE, (mu, lipschitz, n, alpha)),
            "bound": evaluator(BOUND_IN_RATE, (T, gap0, alpha, confusion, rho)),
            "slope": evaluator(RATE_SLOPE, (mu, lipschitz, n))}


def sphere_moment(dimension, order: int):
    """GC1: E⟨x, y⟩^{2m} on S^{d−1} from the Gaussian derivation (``dimension`` an int:
    float result; an integer-valued mpf: mpf at the current precision)."""
    _check_dimension(dimension)
    _check_order(order)
    return _sphere_moment_evaluator(order)(dimension)


def beta_moment(dimension, order: int):
    """GC1: E(2u − 1)^{2m} for u ~ Beta((d−1)/2, (d−1)/2), the law the claim states (types
    as :func:`sphere_moment`)."""
    _check_dimension(dimension)
    _check_order(order)
    return _beta_moment_evaluator(order)(dimension)


def inner_product_second_moment(dimension):
    """GC1: E⟨x, y⟩² = 1/d (types as :func:`sphere_moment`)."""
    _check_dimension(dimension)
    return _evaluators()["second"](dimension)


def beta_parameters(dimension: int) -> tuple[float, float]:
    """GC1: (a, b) of the Beta law of (1 + ⟨x, y⟩)/2: a = b = (d − 1)/2 (d ≥ 2)."""
    _check_dimension(dimension)
    a = _evaluators()["beta"](dimension)
    return a, a


def confusion_rate(strong, smooth, count: int, step):
    """GC2: ρ = 1 − (2μ/N)(α − NLα²/2); requires 0 < α < 2/(NL)."""
    require_positive(strong=strong, smooth=smooth, step=step)
    if not step < 2 / (count * smooth):
        raise ValueError(f"GC2 needs α < 2/(NL) = {2 / (count * smooth)}, got {step}")
    return _evaluators()["rate"](strong, smooth, count, step)


def confusion_bound(iteration: int, initial_gap, step, confusion_level, rate):
    """GC2: ρ^T(F(w₀) − F*) + αη/(1 − ρ)."""
    require_finite(initial_gap=initial_gap, confusion_level=confusion_level, rate=rate)
    if iteration < 0 or not 0 < rate < 1:
        raise ValueError(f"need T ≥ 0 and 0 < ρ < 1, got {iteration}, {rate}")
    return _evaluators()["bound"](iteration, initial_gap, step, confusion_level, rate)


def confusion_bound_curve(steps: int, initial_gap: float, step: float, confusion_level: float,
                          rate: float) -> np.ndarray:
    """GC2: the bound at T = 0..steps in float64 (the same expression, vectorised in T)."""
    confusion_bound(0, initial_gap, step, confusion_level, rate)  # validates the arguments
    return _curve()(np.arange(steps + 1), float(initial_gap), float(step),
                    float(confusion_level), float(rate))


@functools.cache
def _curve():
    return sp.lambdify((T, gap0, alpha, confusion, rho), BOUND_IN_RATE, modules="numpy")


def rate_slope(strong, smooth, count: int):
    """GC2: −∂ρ/∂α at α = 0, the first-order contraction per unit step (2μ/N)."""
    require_positive(strong=strong, smooth=smooth, count=count)
    return _evaluators()["slope"](strong, smooth, count)


def _check_dimension(dimension) -> None:
    """An int ≥ 2, or an mpf with such an integer value."""
    valid = (isinstance(dimension, int | mpmath.mpf) and not isinstance(dimension, bool)
             and dimension >= 2 and int(dimension) == dimension)
    if not valid:
        raise ValueError(f"dimension must be an integer ≥ 2, got {dimension!r}")


def _check_order(order) -> None:
    if isinstance(order, bool) or not isinstance(order, int) or order < 1:
        raise ValueError(f"order must be an integer ≥ 1, got {order!r}")


_SGD = {"mu": "1/2", "L": "2", "N": "10", "alpha": "1/100"}
#: Derived expressions pinned by value (theory.derivations, reports.golden).
DERIVATIONS = (
    Derivation("GC1 E⟨x,y⟩² = Γ(d/2)/(2Γ(d/2+1)) from Gaussian moments", "GC1",
               sphere_inner_product_moment(1), ({"d": "3"}, {"d": "100"})),
    Derivation("GC1 E⟨x,y⟩⁴ = 3Γ(d/2)/(4Γ(d/2+2))", "GC1", sphere_inner_product_moment(2),
               ({"d": "3"}, {"d": "100"})),
    Derivation("GC2 contraction ρ = 1 − (2μ/N)(α − NLα²/2)", "GC2", RATE,
               (_SGD, _SGD | {"alpha": "1/21", "mu": "1"})),
    Derivation("GC2 bound $rho^T Delta_0 + alpha eta\\/(1 - rho)$", "GC2", BOUND,
               (_SGD | {"T": "50", "Delta_0": "1", "eta": "1/1000"},
                _SGD | {"T": "3", "Delta_0": "5/2", "eta": "1/10", "alpha": "1/21", "mu": "1"})),
    Derivation("GC2 first-order contraction −∂ρ/∂α|₀ = 2μ/N", "GC2", RATE_SLOPE,
               (_SGD, _SGD | {"mu": "3/4", "N": "4"})),
)
