"""Stability of gradient descent on quadratics: claim EOS1 (THEORY.md, EOS; Lowell 2022).

GD on f(x) = ½xᵀHx with H = Σ λ_i v_iv_iᵀ moves each eigen-coordinate c_i = v_iᵀx by the
factor q_i = 1 − ηλ_i per step: c_i(k) = q_i^k c_i(0), so ‖x_k‖² = Σ_i q_i^{2k} c_i(0)².
Hence x_k → 0 from every start iff max_i |q_i| < 1 iff 0 < ηλ_i < 2 for all i, and a start
with c_top ≠ 0 grows along the top eigenvector when ηλ_max > 2 (there |q_top| is the largest
factor as soon as ηλ_max − 1 > |1 − ηλ_min|). The stability threshold of the sharpness
λ_max is therefore 2/η (the level EOS2 compares the sharpness with).
"""

from __future__ import annotations

from collections.abc import Sequence

import mpmath
import sympy as sp

from flowcert.theory.derivations import Derivation
from flowcert.theory.evaluation import require_finite, require_positive

eta, lam, k = sp.symbols("eta lambda k", real=True)
#: EOS1: per-step factor of an eigen-coordinate.
CONTRACTION_FACTOR = 1 - eta * lam


def self_checks() -> dict[str, bool]:
    """Symbolic identities behind EOS1; every value must be True."""
    u = sp.Symbol("u", real=True)
    coordinate = sp.Function("c")
    step = sp.simplify(coordinate(k) - eta * lam * coordinate(k)
                       - CONTRACTION_FACTOR * coordinate(k))
    stable = sp.solve_univariate_inequality(sp.Abs(1 - u) < 1, u, relational=False)
    return {
        "EOS1 GD step c − ηλc = (1 − ηλ)c": step == 0,
        "EOS1 |1 − u| < 1 ⟺ 0 < u < 2": stable == sp.Interval.open(0, 2),
    }


def contraction_factors(eigenvalues: Sequence, step) -> list:
    """EOS1: q_i = 1 − ηλ_i for each eigenvalue (floats or mpf)."""
    require_positive(step=step)
    for value in eigenvalues:
        require_finite(eigenvalue=value)
    return [1 - step * value for value in eigenvalues]


def converges(eigenvalues: Sequence, step) -> bool:
    """EOS1: GD on ½xᵀHx converges to 0 from every start iff 0 < ηλ_i < 2 for all i."""
    contraction_factors(eigenvalues, step)
    return len(eigenvalues) > 0 and all(0 < step * value < 2 for value in eigenvalues)


def diverges_along_top(eigenvalues: Sequence, step) -> bool:
    """EOS1: the top eigen-coordinate is the fastest growing one and grows iff ηλ_max > 2."""
    factors = [abs(q) for q in contraction_factors(eigenvalues, step)]
    top = max(range(len(factors)), key=lambda i: eigenvalues[i])
    return factors[top] > 1 and factors[top] == max(factors)


def iterate_norm_squared(eigenvalues: Sequence, coordinates: Sequence, step, iteration: int):
    """EOS1: ‖x_k‖² = Σ_i (1 − ηλ_i)^{2k} c_i(0)² (mpf when any input is mpf)."""
    if iteration < 0:
        raise ValueError(f"iteration must be ≥ 0, got {iteration}")
    factors = contraction_factors(eigenvalues, step)
    if len(factors) != len(coordinates):
        raise ValueError("need one coordinate per eigenvalue")
    return mpmath.fsum(q ** (2 * iteration) * c**2 for q, c in zip(factors, coordinates,
                                                                    strict=True))


def stability_threshold(step):
    """EOS1/EOS2: the sharpness at which GD with step η becomes unstable, 2/η."""
    require_positive(step=step)
    return 2 / step


#: Derived expressions pinned by value (theory.derivations, reports.golden).
DERIVATIONS = (
    Derivation("EOS1 per-step factor of an eigen-coordinate, q = 1 − ηλ", "EOS1",
               CONTRACTION_FACTOR, ({"eta": "1/10", "lambda": "3"}, {"eta": "1/2", "lambda": "5"})),
)
