"""Stability of gradient descent on quadratics: claim EOS1 (THEORY.md, EOS; Lowell 2022).

GD on f(x) = ½xᵀHx with H = Σ λ_i v_iv_iᵀ moves each eigen-coordinate c_i = v_iᵀx by the
factor q_i = 1 − ηλ_i per step: c_i(k) = q_i^k c_i(0), so ‖x_k‖² = Σ_i q_i^{2k} c_i(0)².
Hence x_k → 0 from every start iff max_i |q_i| < 1 iff 0 < ηλ_i < 2 for all i, and a start
with c_top ≠ 0 grows along the top eigenvector when ηλ_max > 2 (there |q_top| is the largest
factor as soon as ηλ_max − 1 > |1 − ηλ_min|). The stability threshold of the sharpness
λ_max is therefore 2/η (the level EOS2 compares the sharpness with).

:func:`derivation` derives q, c_i(k) and the stable set of ηλ with SymPy (computed on first
use and cached, see :mod:`theory.cache`); :func:`self_checks` compares it with the stated
forms and with the numeric evaluators below at exact points, so an evaluator that drifts
from the derivation fails EOS1.
"""

from __future__ import annotations

from collections.abc import Sequence

import mpmath
import sympy as sp

from flowcert.theory.cache import derived
from flowcert.theory.derivations import Derivation
from flowcert.theory.evaluation import require_finite, require_positive

eta, lam, k = sp.symbols("eta lambda k", real=True)
#: EOS1: per-step factor of an eigen-coordinate (stated form; derived by :func:`derivation`).
CONTRACTION_FACTOR = 1 - eta * lam


@derived
def derivation() -> dict:
    """EOS1 from the GD step on one eigen-coordinate, f(c) = ½λc²:

    q = (c − η f′(c))/c, the coordinate c(k) solving c(k+1) = q c(k), c(0) = c₀ (rsolve),
    and the set of u = ηλ with |q| < 1.
    """
    c, c0, u = sp.symbols("c c_0 u", real=True)
    coordinate = sp.Function("c")
    factor = sp.simplify((c - eta * sp.diff(lam * c**2 / 2, c)) / c)
    solution = sp.rsolve(coordinate(k + 1) - factor * coordinate(k), coordinate(k),
                         {coordinate(0): c0})
    stable = sp.solve_univariate_inequality(sp.Abs(factor.subs(eta, u / lam)) < 1, u,
                                            relational=False)
    return {"factor": factor, "coordinate": solution, "start": c0, "stable": stable}


#: Exact points (λ, η) at which the evaluators are compared with the derivation; the
#: coordinates c(0) of the two-mode quadratic (λ, 1) used for ‖x_k‖².
_PROBES = (("3", "1/10"), ("5", "1/2"), ("-1/10", "1/5"), ("7/2", "4/7"))
_PROBE_COORDINATES = ("2", "-3")
_PROBE_ITERATIONS = (0, 1, 7)
#: Working precision of the evaluator comparisons and the relative gap they allow.
_PROBE_BITS = 200
_PROBE_GAP = mpmath.mpf(2) ** -180


def self_checks() -> dict[str, bool]:
    """Symbolic identities behind EOS1, and the evaluators against them; all must be True."""
    forms = derivation()
    factor, stable, solution = forms["factor"], forms["stable"], forms["coordinate"]
    probes = [(sp.Rational(a), sp.Rational(b)) for a, b in _PROBES]
    coordinates = [sp.Rational(c) for c in _PROBE_COORDINATES]
    nudge = sp.Rational(1, 10**9)
    # u = ηλ with λ = 1 just inside and just outside both ends of the derived stable set
    edges = [(stable.sup * (1 - nudge), True), (stable.sup, False),
             (stable.sup * (1 + nudge), False), (stable.inf + nudge, True)]
    with mpmath.workprec(_PROBE_BITS):
        factors_ok = all(_close(contraction_factors([_mp(a)], _mp(b))[0],
                                factor.subs({lam: a, eta: b})) for a, b in probes)
        norms_ok = all(
            _close(iterate_norm_squared([_mp(a), _mp(1)], [_mp(c) for c in coordinates],
                                        _mp(b), steps),
                   sum(solution.subs({lam: value, eta: b, k: steps, forms["start"]: c}) ** 2
                       for value, c in zip((a, 1), coordinates, strict=True)))
            for a, b in probes for steps in _PROBE_ITERATIONS)
        edges_ok = all(converges([_mp(1)], _mp(u)) == inside for u, inside in edges)
        edges_ok &= not converges([_mp(-1)], _mp(stable.inf + nudge))   # λ < 0: u < inf
        edges_ok &= not converges([_mp(stable.inf)], _mp(1))             # λ = 0: u = inf
        # growth needs |q_top| > 1: none at the end u = sup (|q| = 1), some just beyond
        growth_ok = not diverges_along_top([_mp(1)], _mp(stable.sup)) \
            and diverges_along_top([_mp(1)], _mp(stable.sup * (1 + nudge)))
        threshold_ok = all(_close(stability_threshold(_mp(b)) * _mp(b), stable.sup)
                           for _, b in probes)
    return {
        "EOS1 GD on ½λc² multiplies c by q = 1 − ηλ":
            sp.simplify(factor - CONTRACTION_FACTOR) == 0,
        "EOS1 c(k+1) = q c(k) ⟹ c(k) = q^k c₀ (rsolve)":
            sp.simplify(solution - CONTRACTION_FACTOR**k * forms["start"]) == 0,
        "EOS1 |1 − u| < 1 ⟺ 0 < u < 2": stable == sp.Interval.open(0, 2),
        "EOS1 contraction_factors = derived q at exact points": factors_ok,
        "EOS1 iterate_norm_squared = Σ c_i(k)² of the derived c(k) at exact points": norms_ok,
        "EOS1 converges ⟺ ηλ in the derived stable set (at and ± 1e-9 around its ends)":
            edges_ok,
        "EOS1 stability_threshold·η = sup of the derived stable set": threshold_ok,
        "EOS1 diverges_along_top: no growth at ηλ = sup (|q| = 1), growth just beyond":
            growth_ok,
    }


def _mp(value) -> mpmath.mpf:
    """An exact SymPy rational (or a decimal string) as mpf at the current precision."""
    rational = sp.Rational(value)
    return mpmath.mpf(rational.p) / rational.q


def _close(value, exact) -> bool:
    """|value − exact| ≤ 2^-180 (1 + |exact|), exact a SymPy rational."""
    target = _mp(exact)
    return abs(value - target) <= _PROBE_GAP * (1 + abs(target))


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
