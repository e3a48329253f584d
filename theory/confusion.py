"""Gradient confusion: claims GC1 and GC2 (THEORY.md, GC; Sankararaman et al. 2020).

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
E[F(w_T) − F*] ≤ ρ^T(F(w₀) − F*) + αη/(1 − ρ) for α < 2/(NL).
"""

from __future__ import annotations

import sympy as sp

from flowcert.theory.derivations import Derivation
from flowcert.theory.evaluation import require_finite, require_positive

d = sp.Symbol("d", positive=True)
mu, lipschitz, n, alpha, confusion = sp.symbols("mu L N alpha eta", positive=True)
T = sp.Symbol("T", integer=True, nonnegative=True)
gap0 = sp.Symbol("Delta_0", positive=True)


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
#: GC2: E[F(w_T) − F*] ≤ ρ^T Δ₀ + αη/(1 − ρ).
BOUND = RATE**T * gap0 + alpha * confusion / (1 - RATE)


def self_checks() -> dict[str, bool]:
    """Symbolic identities behind GC1 and GC2; every value must be True."""
    moments_agree = all(
        sp.simplify(sp.gammasimp(sphere_inner_product_moment(m) - beta_law_moment(m))) == 0
        for m in range(1, 5))
    e = sp.Function("e")
    t = sp.Symbol("t", integer=True, nonnegative=True)
    rho, c = sp.symbols("rho c", positive=True)
    unrolled = sp.rsolve(e(t + 1) - rho * e(t) - c, e(t), {e(0): gap0})
    return {
        "GC1 E t^{2m} of the sphere equals that of 2·Beta((d−1)/2,(d−1)/2) − 1, m = 1…4":
            moments_agree,
        "GC1 E⟨x,y⟩² = 1/d": sp.simplify(sp.gammasimp(sphere_inner_product_moment(1))
                                          - SECOND_MOMENT_STATED) == 0,
        "GC2 e_{t+1} = ρe_t + c unrolls to ρ^T e_0 + c(1 − ρ^T)/(1 − ρ) ≤ ρ^T e_0 + c/(1−ρ)":
            sp.simplify(unrolled.subs(t, T) - (rho**T * gap0 + c * (1 - rho**T) / (1 - rho)))
            == 0,
        "GC2 ρ < 1 ⟺ α < 2/(NL) (for α > 0)":
            sp.simplify(sp.solve(sp.Eq(RATE, 1), alpha)[-1] - 2 / (n * lipschitz)) == 0,
    }


def inner_product_second_moment(dimension: int):
    """GC1: E⟨x, y⟩² = 1/d."""
    _check_dimension(dimension)
    return 1 / dimension


def beta_parameters(dimension: int) -> tuple[float, float]:
    """GC1: (a, b) of the Beta law of (1 + ⟨x, y⟩)/2: a = b = (d − 1)/2 (d ≥ 2)."""
    _check_dimension(dimension)
    return (dimension - 1) / 2, (dimension - 1) / 2


def confusion_rate(strong, smooth, count: int, step):
    """GC2: ρ = 1 − (2μ/N)(α − NLα²/2); requires 0 < α < 2/(NL)."""
    require_positive(strong=strong, smooth=smooth, step=step)
    if not step < 2 / (count * smooth):
        raise ValueError(f"GC2 needs α < 2/(NL) = {2 / (count * smooth)}, got {step}")
    return 1 - (2 * strong / count) * (step - count * smooth * step**2 / 2)


def confusion_bound(iteration: int, initial_gap, step, confusion_level, rate):
    """GC2: ρ^T(F(w₀) − F*) + αη/(1 − ρ)."""
    require_finite(initial_gap=initial_gap, confusion_level=confusion_level, rate=rate)
    if iteration < 0 or not 0 < rate < 1:
        raise ValueError(f"need T ≥ 0 and 0 < ρ < 1, got {iteration}, {rate}")
    return rate**iteration * initial_gap + step * confusion_level / (1 - rate)


def _check_dimension(dimension) -> None:
    if isinstance(dimension, bool) or not isinstance(dimension, int) or dimension < 2:
        raise ValueError(f"dimension must be an integer ≥ 2, got {dimension!r}")


_SGD = {"mu": "1/2", "L": "2", "N": "10", "alpha": "1/100"}
#: Derived expressions pinned by value (theory.derivations, reports.golden).
DERIVATIONS = (
    Derivation("GC1 E⟨x,y⟩² = Γ(d/2)/(2Γ(d/2+1)) from Gaussian moments", "GC1",
               sphere_inner_product_moment(1), ({"d": "3"}, {"d": "100"})),
    Derivation("GC1 E⟨x,y⟩⁴ = 3Γ(d/2)/(4Γ(d/2+2))", "GC1", sphere_inner_product_moment(2),
               ({"d": "3"}, {"d": "100"})),
    Derivation("GC2 contraction ρ = 1 − (2μ/N)(α − NLα²/2)", "GC2", RATE,
               (_SGD, _SGD | {"alpha": "1/21", "mu": "1"})),
    Derivation("GC2 bound ρ^T Δ₀ + αη/(1 − ρ)", "GC2", BOUND,
               (_SGD | {"T": "50", "Delta_0": "1", "eta": "1/1000"},
                _SGD | {"T": "3", "Delta_0": "5/2", "eta": "1/10", "alpha": "1/21", "mu": "1"})),
)
