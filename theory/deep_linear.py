"""Deep linear networks: closed forms of claims DL1, DL2, DL4, DL5 and DL6 (THEORY.md, DL).

Symbols: t time, s singular value, u mode strength, u0 = u(0), uf a target strength,
τ time constant, c = a0² − b0² (DL2), m number of weight matrices (DL4), q0 the value of a
conserved entry at t = 0 (DL5), e_ij and g_ij the entries of a 2×2 product W_e and of
∇ℓ(W_e) (DL6).

Each closed form is checked symbolically by :func:`self_checks` (ODE residual, initial
condition, inverse relations). The numeric evaluators accept floats or mpmath numbers and
are accurate to the working precision (see :mod:`theory.evaluation`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import mpmath
import numpy as np
import sympy as sp

from flowcert.theory.cache import derived
from flowcert.theory.derivations import Derivation
from flowcert.theory.evaluation import evaluator, require_finite, require_positive

t, s, u0, uf, tau, u, w = sp.symbols("t s u_0 u_f tau u w", positive=True)
c = sp.Symbol("c", real=True)
m = sp.Symbol("m", integer=True, positive=True)

# ----------------------------------------------------------------------------- DL1
#: DL1: τ u̇ = 2u(s − u), u(0) = u0.
MODE_ODE_RHS = 2 * u * (s - u) / tau
#: DL1: u(t) = s / (1 + (s/u0 − 1) e^{−2st/τ}).
MODE_STRENGTH = s / (1 + (s / u0 - 1) * sp.exp(-2 * s * t / tau))
#: DL1: time from u0 to uf, t = τ/(2s) ln[uf(s − u0)/(u0(s − uf))].
TRANSIT_TIME = tau / (2 * s) * sp.log(uf * (s - u0) / (u0 * (s - uf)))
#: DL1: half-way time t½ = τ/(2s) ln((s − u0)/u0) (the transit time to s/2).
HALF_TIME = sp.simplify(TRANSIT_TIME.subs(uf, s / 2))

# ----------------------------------------------------------------------------- DL2
#: DL2: unbalanced mode, τ u̇ = √(c² + 4u²)(s − u).
UNBALANCED_ODE_RHS = sp.sqrt(c**2 + 4 * u**2) * (s - u) / tau
_coupling = sp.sqrt(c**2 + 4 * s**2)
#: DL2: an antiderivative G(u) of 1/(√(c² + 4u²)(s − u)) for u < s, so t = τ(G(uf) − G(u0)).
UNBALANCED_ANTIDERIVATIVE = sp.log(
    (c**2 + 4 * s * u + _coupling * sp.sqrt(c**2 + 4 * u**2)) / (s - u)) / _coupling

# ----------------------------------------------------------------------------- DL4
#: DL4: depth-m balanced chain, τ u̇ = m u^{2−2/m}(s − u).
CHAIN_ODE_RHS = m * u ** (2 - 2 / m) * (s - u) / tau
_p = 2 - 2 / m
#: DL4: F(u) = u^{1−p} ₂F₁(1, 1−p; 2−p; u/s) / ((1−p)s), p = 2 − 2/m; t = (τ/m)(F(uf) − F(u0)).
CHAIN_ANTIDERIVATIVE = (u ** (1 - _p) * sp.hyper([1, 1 - _p], [2 - _p], u / s)
                        / ((1 - _p) * s))
#: DL4 (m → ∞, rate 1): m t/τ → 1/(s u0) − 1/(s uf) + s^{−2} ln(uf(s − u0)/(u0(s − uf))).
CHAIN_TIME_LIMIT = (1 / (s * u0) - 1 / (s * uf)
                    + sp.log(uf * (s - u0) / (u0 * (s - uf))) / s**2)

# ----------------------------------------------------------------------------- DL5
q0 = sp.Symbol("q_0", real=True)
#: DL5: every entry q of W_{j+1}ᵀW_{j+1} − W_jW_jᵀ is conserved by gradient flow: q(t) = q0.
CONSERVED_BALANCE = q0

# ----------------------------------------------------------------------------- DL6
#: DL6 for 2×2 matrices: the entries of the product W_e and of the loss gradient ∇ℓ(W_e).
PRODUCT_2X2 = sp.ImmutableMatrix(2, 2, sp.symbols("e_00 e_01 e_10 e_11", real=True))
GRADIENT_2X2 = sp.ImmutableMatrix(2, 2, sp.symbols("g_00 g_01 g_10 g_11", real=True))
_j = sp.Symbol("j", integer=True, positive=True)
#: DL6 for a 1×1 product W_e = u > 0 with ℓ = ½(s − u)² (∇ℓ = u − s), m factors:
#: dW_e/dt = −Σ_{j=1..m} (u²)^{(j−1)/m} (u − s) (u²)^{(m−j)/m}.
_SCALAR_END_TO_END_VELOCITY = -sp.Sum(
    (u**2) ** ((_j - 1) / m) * (u - s) * (u**2) ** ((m - _j) / m), (_j, 1, m))


def symmetric_power_2x2(matrix: sp.Matrix, exponent: sp.Rational) -> sp.ImmutableMatrix:
    """DL6: M^p of a symmetric positive definite 2×2 M with distinct eigenvalues λ₊ > λ₋ > 0.

    Spectral (Lagrange) interpolation: M^p = [λ₊^p (M − λ₋I) − λ₋^p (M − λ₊I)] / (λ₊ − λ₋),
    λ± = (a + d)/2 ± √(((a − d)/2)² + b²) for M = [[a, b], [b, d]]; M^0 = I.
    """
    if exponent == 0:
        return sp.ImmutableMatrix(sp.eye(2))
    a, b, d = matrix[0, 0], matrix[0, 1], matrix[1, 1]
    half_gap = sp.sqrt(((a - d) / 2) ** 2 + b**2)
    upper, lower = (a + d) / 2 + half_gap, (a + d) / 2 - half_gap
    identity = sp.eye(2)
    return sp.ImmutableMatrix((upper**exponent * (matrix - lower * identity)
                               - lower**exponent * (matrix - upper * identity)) / (2 * half_gap))


@functools.lru_cache(maxsize=8)
def end_to_end_velocity_2x2(depth: int) -> sp.ImmutableMatrix:
    """DL6 for a 2×2 product W_e = PRODUCT_2X2 with ∇ℓ(W_e) = GRADIENT_2X2, as SymPy:
    dW_e/dt = −Σ_{j=1..N} (W_eW_eᵀ)^{(j−1)/N} ∇ℓ (W_eᵀW_e)^{(N−j)/N} (N = ``depth``), the
    fractional powers by :func:`symmetric_power_2x2` (needs W_e invertible with distinct
    singular values)."""
    _check_depth(depth, minimum=1)
    left_gram = PRODUCT_2X2 * PRODUCT_2X2.T
    right_gram = PRODUCT_2X2.T * PRODUCT_2X2
    total = sp.zeros(2, 2)
    for j in range(1, depth + 1):
        total -= (symmetric_power_2x2(left_gram, sp.Rational(j - 1, depth)) * GRADIENT_2X2
                  * symmetric_power_2x2(right_gram, sp.Rational(depth - j, depth)))
    return sp.ImmutableMatrix(total)


def derive_mode_strength() -> sp.Expr:
    """Solve DL1's ODE with SymPy's dsolve as the Bernoulli equation it is (τu̇ = 2su − 2u²),
    with the initial condition u(0) = u0 (the default hint order spends ~30 s in simplify)."""
    function = sp.Function("u")
    solution = sp.dsolve(sp.Eq(tau * function(t).diff(t), 2 * function(t) * (s - function(t))),
                         function(t), ics={function(0): u0}, hint="Bernoulli")
    return solution.rhs


def _is_zero(expression: sp.Expr) -> bool:
    return sp.simplify(expression) == 0


@derived
def dl1_identities() -> dict[str, bool]:
    """DL1: the closed form solves the mode ODE (dsolve agrees), its times invert it."""
    return {
        "DL1 dsolve solution equals the stated closed form":
            _is_zero(derive_mode_strength() - MODE_STRENGTH),
        "DL1 ODE residual τu̇ − 2u(s−u) vanishes":
            _is_zero(tau * sp.diff(MODE_STRENGTH, t) - 2 * MODE_STRENGTH * (s - MODE_STRENGTH)),
        "DL1 initial condition u(0) = u0": _is_zero(MODE_STRENGTH.subs(t, 0) - u0),
        "DL1 transit time inverts u(t): t(u(t)) = t":
            _is_zero(sp.expand_log(sp.simplify(TRANSIT_TIME.subs(uf, MODE_STRENGTH)),
                                   force=True) - t),
        "DL1 u(t½) = s/2": _is_zero(MODE_STRENGTH.subs(t, HALF_TIME) - s / 2),
        "DL1 ü = (∂u̇/∂u)u̇ vanishes only at u = s/2 and at the fixed point u = s":
            set(sp.solve(sp.diff(MODE_ODE_RHS, u) * MODE_ODE_RHS, u)) == {s / 2, s},
    }


@derived
def dl2_identities() -> dict[str, bool]:
    """DL2: G is an antiderivative of τ/u̇ for the unbalanced ODE, which is DL1's at c = 0."""
    return {
        "DL2 dt/du = τ dG/du = 1/u̇ for τu̇ = √(c²+4u²)(s−u)":
            _is_zero(tau * sp.diff(UNBALANCED_ANTIDERIVATIVE, u) - 1 / UNBALANCED_ODE_RHS),
        "DL2 at c = 0 reduces to DL1's ODE":
            _is_zero(UNBALANCED_ODE_RHS.subs(c, 0) - MODE_ODE_RHS),
    }


@derived
def dl4_identities() -> dict[str, bool]:
    """DL4: F is an antiderivative of 1/(u^p (s−u)) (m = 3, 4, 6), m = 2 is DL1, and the
    m → ∞ form integrates the limit of the integrand."""
    z = sp.Symbol("z", positive=True)
    chain_derivative = [
        sp.simplify(sp.hyperexpand(sp.diff(CHAIN_ANTIDERIVATIVE.subs(m, depth), u))
                    - 1 / (u ** (2 - sp.Rational(2, depth)) * (s - u))) for depth in (3, 4, 6)]
    return {
        "DL4 dF/du = 1/(u^p (s−u)) for m = 3, 4, 6": all(v == 0 for v in chain_derivative),
        "DL4 at m = 2 is DL1's ODE": _is_zero(CHAIN_ODE_RHS.subs(m, 2) - MODE_ODE_RHS),
        "DL4 limit m → ∞ of the integrand m/(τu̇) of m·t/τ is 1/(u²(s−u))":
            _is_zero(sp.limit((m / (tau * CHAIN_ODE_RHS)).subs(u, z), m, sp.oo)
                     - 1 / (z**2 * (s - z))),
        "DL4 the m → ∞ limit integrates to CHAIN_TIME_LIMIT":
            _is_zero(sp.diff(CHAIN_TIME_LIMIT, uf) - 1 / (uf**2 * (s - uf))),
    }


@derived
def dl6_identities() -> dict[str, bool]:
    """DL6 on scalar chains: the preconditioned sum is DL4's chain ODE."""
    scalar_chain = m * w ** (m - 1) * (w ** (m - 1) * (s - w**m))  # d(w^m)/dt, ẇ = −∂ℓ/∂w
    return {
        "DL6 scalar balanced chain: d(w^m)/dt = m u^{2−2/m}(s−u)":
            _is_zero(sp.powsimp(scalar_chain.subs(w, u ** (1 / m)), force=True)
                     - CHAIN_ODE_RHS.subs(tau, 1)),
        "DL6 the preconditioned sum for W_e = u is DL4's m u^{2−2/m}(s−u)":
            _is_zero(_SCALAR_END_TO_END_VELOCITY.doit() - CHAIN_ODE_RHS.subs(tau, 1)),
        "DL6 end_to_end_velocity on 1×1 matrices equals the symbolic sum at random points":
            _scalar_velocity_matches(),
        "DL6 end_to_end_velocity_2x2 equals end_to_end_velocity at random points, N = 2, 3":
            _matrix_velocity_matches(),
    }


@derived
def dl5_identities() -> dict[str, bool]:
    """DL5 for 2×2 weights: the conserved matrix the certificate reads is conserved."""
    return {"DL5 d/dt (W₂ᵀW₂ − W₁W₁ᵀ) = 0 under the gradient flow of ½‖T − W₂W₁‖² "
            "(2×2 weights)": _balance_is_conserved()}


def self_checks() -> dict[str, bool]:
    """Symbolic identities behind DL1, DL2, DL4, DL5, DL6; every value must be True."""
    return (dl1_identities() | dl2_identities() | dl4_identities() | dl5_identities()
            | dl6_identities())


def _scalar_velocity_matches(cases: int = 5, digits: int = 30) -> bool:
    """DL6: :func:`end_to_end_velocity` of [[u]] with gradient [[u − s]] at random (u, s, m)
    agrees with :data:`_SCALAR_END_TO_END_VELOCITY` to ``digits`` − 5 digits."""
    rng = np.random.default_rng(6)
    with mpmath.workdps(digits):
        for _ in range(cases):
            point = {u: sp.Rational(int(rng.integers(1, 200)), 100),
                     s: sp.Rational(int(rng.integers(1, 300)), 100), m: int(rng.integers(1, 7))}
            numeric = end_to_end_velocity(np.array([[mpmath.mpf(point[u])]]),
                                          np.array([[mpmath.mpf(point[u] - point[s])]]),
                                          point[m])[0, 0]
            symbolic = mpmath.mpf(str(sp.N(_SCALAR_END_TO_END_VELOCITY.subs(point), digits)))
            if abs(numeric - symbolic) > mpmath.mpf(10) ** (5 - digits) * (1 + abs(symbolic)):
                return False
    return True


def _balance_is_conserved() -> bool:
    """DL5: with symbolic 2×2 W₁, W₂, T and Ẇ = −∂L/∂W, L = ½‖T − W₂W₁‖²_F, the time
    derivative of W₂ᵀW₂ − W₁W₁ᵀ (chain rule over all eight weights) expands to zero."""
    first, second, target = (sp.Matrix(2, 2, sp.symbols(f"{name}:2:2", real=True))
                             for name in ("a", "b", "T"))
    loss = sum((target - second * first).applyfunc(lambda x: x**2)) / 2
    weights = list(first) + list(second)
    velocity = {w: -sp.diff(loss, w) for w in weights}
    balance = second.T * second - first * first.T
    drift = balance.applyfunc(lambda q: sum(sp.diff(q, w) * velocity[w] for w in weights))
    return drift.applyfunc(sp.expand) == sp.zeros(2, 2)


def _matrix_velocity_matches(cases: int = 3, digits: int = 30) -> bool:
    """DL6: :func:`end_to_end_velocity_2x2` at random (W_e, ∇ℓ) agrees with the eigsy-based
    :func:`end_to_end_velocity` to ``digits`` − 5 digits for N = 2 and 3."""
    rng = np.random.default_rng(62)
    with mpmath.workdps(digits):
        for depth in (2, 3):
            symbolic = sp.lambdify(list(PRODUCT_2X2) + list(GRADIENT_2X2),
                                   end_to_end_velocity_2x2(depth), "mpmath")
            for _ in range(cases):
                values = [mpmath.mpf(int(v)) / 100 for v in rng.integers(-200, 200, 8)]
                product = np.array(values[:4], dtype=object).reshape(2, 2)
                gradient = np.array(values[4:], dtype=object).reshape(2, 2)
                expected = end_to_end_velocity(product, gradient, depth)
                got = np.array(symbolic(*values).tolist(), dtype=object)
                scale = max(abs(x) for x in expected.ravel())
                if max(abs(x) for x in (got - expected).ravel()) > \
                        mpmath.mpf(10) ** (5 - digits) * scale:
                    return False
    return True


# ----------------------------------------------------------------------------- evaluators

_mode_strength = evaluator(MODE_STRENGTH, (t, s, u0, tau))
_transit_time = evaluator(TRANSIT_TIME, (u0, uf, s, tau))
_unbalanced_antiderivative = evaluator(UNBALANCED_ANTIDERIVATIVE, (u, s, c))
_chain_antiderivative = evaluator(CHAIN_ANTIDERIVATIVE, (u, s, m))
_chain_time_limit = evaluator(CHAIN_TIME_LIMIT, (u0, uf, s))


def mode_strength(t, s, u0, tau=1):
    """DL1: u(t) = s / (1 + (s/u0 − 1) e^{−2st/τ}) for a balanced mode (u0 > 0, s > 0, τ > 0)."""
    require_finite(t=t)
    require_positive(s=s, u0=u0, tau=tau)
    return _mode_strength(t, s, u0, tau)


def half_time(s, u0, tau=1):
    """DL1: t½ = τ/(2s) ln((s − u0)/u0), the time u takes to reach s/2 (needs 0 < u0 < s)."""
    require_positive(s=s, u0=u0, tau=tau)
    return transit_time(u0, s / 2, s, tau)


def transit_time(u0, uf, s, tau=1):
    """DL1: t = τ/(2s) ln[uf(s − u0)/(u0(s − uf))], time from u0 to uf (same side of s)."""
    _check_transit(u0, uf, s, tau)
    return _transit_time(u0, uf, s, tau)


def unbalanced_time(u0, uf, s, c, tau=1):
    """DL2: time for τu̇ = √(c² + 4u²)(s − u) to go from u0 to uf, τ(G(uf) − G(u0)).

    Needs 0 < u0, uf < s (the antiderivative G is written for u < s); c = a0² − b0².
    """
    require_finite(c=c)
    _check_transit(u0, uf, s, tau, below_only=True)
    return tau * (_unbalanced_antiderivative(uf, s, c) - _unbalanced_antiderivative(u0, s, c))


def chain_time(u0, uf, s, depth, tau=1):
    """DL4: time for τu̇ = m u^{2−2/m}(s − u) to go from u0 to uf, (τ/m)(F(uf) − F(u0)).

    ``depth`` = m ≥ 2 weight matrices (m = 2 is DL1's transit time); 0 < u0, uf < s.
    """
    _check_depth(depth)
    depth = int(depth)
    if depth == 2:
        return transit_time(u0, uf, s, tau)
    _check_transit(u0, uf, s, tau, below_only=True)
    difference = (_chain_antiderivative(uf, s, depth) - _chain_antiderivative(u0, s, depth))
    return tau * difference / depth


def chain_time_asymptotic(u0, uf, s, depth, tau=1):
    """DL4, m → ∞: t ≈ (τ/m)[1/(s u0) − 1/(s uf) + s^{−2} ln(uf(s − u0)/(u0(s − uf)))]."""
    _check_depth(depth)
    _check_transit(u0, uf, s, tau, below_only=True)
    return tau * _chain_time_limit(u0, uf, s) / int(depth)


def end_to_end_velocity(product: np.ndarray, loss_gradient: np.ndarray, depth: int) -> np.ndarray:
    """DL6: dW_e/dt = −Σ_{j=1..N} (W_eW_eᵀ)^{(j−1)/N} ∇ℓ(W_e) (W_eᵀW_e)^{(N−j)/N}.

    ``product`` (W_e) and ``loss_gradient`` (∇ℓ at W_e) are arrays of floats or mpf;
    evaluated in mpmath at the current precision; returns an object array of mpf.
    """
    _check_depth(depth, minimum=1)
    product = np.asarray(product, dtype=object)
    gradient = np.asarray(loss_gradient, dtype=object)
    if product.shape != gradient.shape or product.ndim != 2:
        raise ValueError("product and loss_gradient must be matrices of the same shape")
    left_gram, right_gram = product @ product.T, product.T @ product
    total = np.zeros(product.shape, dtype=object)
    for j in range(1, depth + 1):
        left = symmetric_power(left_gram, mpmath.mpf(j - 1) / depth)
        right = symmetric_power(right_gram, mpmath.mpf(depth - j) / depth)
        total = total - left @ gradient @ right
    return total


def symmetric_power(matrix: np.ndarray, exponent) -> np.ndarray:
    """M^exponent for symmetric positive semi-definite M (object array), exponent ≥ 0.

    Eigen-decomposition in mpmath at the current precision; eigenvalues that rounding
    pushed below zero are clamped to zero. M^0 = I.
    """
    size = matrix.shape[0]
    if exponent == 0:
        return np.array([[mpmath.mpf(i == j) for j in range(size)] for i in range(size)],
                        dtype=object)
    eigenvalues, vectors = mpmath.eigsy(mpmath.matrix(matrix.tolist()))
    powered = np.array([mpmath.power(max(eigenvalues[k], 0), exponent) for k in range(size)],
                       dtype=object)
    basis = np.array(vectors.tolist(), dtype=object)
    return (basis * powered) @ basis.T


def _check_depth(depth, minimum: int = 2) -> None:
    if isinstance(depth, bool) or not isinstance(depth, int | np.integer) or depth < minimum:
        raise ValueError(f"depth must be an integer ≥ {minimum}, got {depth!r}")


def _check_transit(u0, uf, s, tau, below_only: bool = False) -> None:
    require_positive(u0=u0, uf=uf, s=s, tau=tau)
    if below_only and not (u0 < s and uf < s):
        raise ValueError(f"need 0 < u0, uf < s, got u0={u0}, uf={uf}, s={s}")
    if u0 == s or uf == s or (u0 < s) != (uf < s):
        raise ValueError(f"u0 and uf must lie on the same side of s (u never crosses s), "
                         f"got u0={u0}, uf={uf}, s={s}")


#: Public evaluators by claim id, for readers looking for "the theory side of DLk".
EVALUATORS: dict[str, tuple[Callable, ...]] = {
    "DL1": (mode_strength, half_time, transit_time),
    "DL2": (unbalanced_time,),
    "DL4": (chain_time, chain_time_asymptotic),
    "DL6": (end_to_end_velocity,),
}


def _points(*assignments: str) -> tuple[dict, ...]:
    """Points written as "name=value name=value" strings of exact rationals."""
    return tuple(dict(pair.split("=") for pair in text.split()) for text in assignments)


#: Derived expressions pinned by value (theory.derivations, reports.golden).
DERIVATIONS = (
    Derivation("DL1 mode strength u(t)", "DL1", MODE_STRENGTH,
               _points("t=3/4 s=2 u_0=1/10 tau=1", "t=2 s=1/2 u_0=3/4 tau=3/2")),
    Derivation("DL1 transit time", "DL1", TRANSIT_TIME,
               _points("u_0=1/100 u_f=1/2 s=1 tau=1", "u_0=3/2 u_f=11/10 s=1 tau=2")),
    Derivation("DL1 half time", "DL1", HALF_TIME, _points("u_0=1/100 s=1 tau=1",
                                                          "u_0=1/7 s=3 tau=1/2")),
    Derivation("DL2 antiderivative G(u)", "DL2", UNBALANCED_ANTIDERIVATIVE,
               _points("u=1/3 s=1 c=1/5", "u=1/10 s=2 c=-3/2")),
    Derivation("DL4 antiderivative F(u), m = 3", "DL4", CHAIN_ANTIDERIVATIVE.subs(m, 3),
               _points("u=1/3 s=1", "u=1/20 s=2")),
    Derivation("DL4 antiderivative F(u), m = 7", "DL4", CHAIN_ANTIDERIVATIVE.subs(m, 7),
               _points("u=1/3 s=1", "u=1/20 s=2")),
    Derivation("DL4 m → ∞ time limit", "DL4", CHAIN_TIME_LIMIT,
               _points("u_0=1/100 u_f=1/2 s=1", "u_0=1/5 u_f=9/10 s=3")),
    Derivation("DL6 end-to-end velocity for $W_e = u$ (preconditioned sum)", "DL6",
               _SCALAR_END_TO_END_VELOCITY, _points("u=1/2 s=1 m=3", "u=3/2 s=1 m=5")),
)
