"""Gradient starvation in the linearised logistic model: claims GS1–GS7 (THEORY.md, GS).

Setup: logits ŷ = Φθ, Y = diag(y), YΦ = U S Vᵀ (U square orthogonal), responses
z = SVᵀθ, margins m = Uz, α = σ(−m), D = diag(α(1−α)), learning rate η.

The symbolic derivations are checked by :func:`self_checks`; the numeric evaluators take
floats or mpmath numbers (see :mod:`theory.evaluation` for the precision convention:
mpmath in → current precision out; floats in → 93-bit evaluation rounded once to float64).
Fixed points are found by damped Newton iterations with the Jacobians stated in THEORY.md,
iterated until the step is at the working precision. Products of an mpf and a NumPy array
are written array first: ``mpf * ndarray`` makes mpmath format the whole array (in a
conversion error message) before NumPy takes over, ~1 ms per product.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import mpmath
import numpy as np
import sympy as sp

from flowcert.theory.cache import derived
from flowcert.theory.derivations import Derivation
from flowcert.theory.evaluation import (
    FLOAT_GUARD_BITS,
    evaluator,
    require_finite,
    require_positive,
    uses_mpmath,
)

REGULARISERS = ("weight_decay", "spectral_decoupling")
NEWTON_MAX_ITERATIONS = 200

lam, eta, delta, q, tau, t = sp.symbols("lambda eta delta q tau t", positive=True)
s1, s2 = sp.symbols("s_1 s_2", positive=True)
u, alpha = sp.symbols("u alpha", real=True)


def sigmoid(x: sp.Expr) -> sp.Expr:
    """σ(x) = 1/(1 + e^{−x})."""
    return 1 / (1 + sp.exp(-x))


def binary_entropy(a: sp.Expr) -> sp.Expr:
    """H(α) = −α ln α − (1−α) ln(1−α) (GS2)."""
    return -a * sp.log(a) - (1 - a) * sp.log(1 - a)


#: GS3/GS4 toy geometry: U = [[c, −δ], [δ, c]], c = √(1 − δ²).
TOY_U = sp.Matrix([[sp.sqrt(1 - delta**2), -delta], [delta, sp.sqrt(1 - delta**2)]])
#: GS6: z(t) = τ − ω(τ) with τ = z0 + e^{z0} + ηs²t; as an expression of τ, ω = W(e^τ).
SINGLE_MODE_RESPONSE = tau - sp.LambertW(sp.exp(tau))


#: GS4: (z₁*, z₂*) to first order in δ, W_j = W(s_j²/λ).
_W1, _W2 = sp.LambertW(s1**2 / lam), sp.LambertW(s2**2 / lam)
FIRST_ORDER_FIXED_POINT = (_W1 + delta * _W2 * (_W1 + s1**2 / s2**2) / (1 + _W1),
                           _W2 - delta * _W1 * (_W2 + s2**2 / s1**2) / (1 + _W2))


# ----------------------------------------------------------------------------- symbolic


def _response_dynamics_residuals() -> list[sp.Expr]:
    """GS1: S Vᵀ(−η∇L) minus the stated ż, for both regularisers, with a generic loss ℓ.

    Two samples with labels (1, −1), U and V rotations parametrised by δ and q. ℓ is an
    undefined function of the margin, and α_i = −ℓ′(m_i) (= σ(−m_i) for the logistic loss).
    """
    theta = sp.Matrix(sp.symbols("theta_1:3", real=True))
    rotation_v = sp.Matrix([[sp.sqrt(1 - q**2), -q], [q, sp.sqrt(1 - q**2)]])
    signs, scales = sp.diag(1, -1), sp.diag(s1, s2)
    features = signs * TOY_U * scales * rotation_v.T
    loss = sp.Function("ell")
    x = sp.Symbol("x")
    margins = signs * features * theta
    z = scales * rotation_v.T * theta
    weights = sp.Matrix([-sp.Subs(sp.Derivative(loss(x), x), x, m) for m in TOY_U * z])
    residuals = []
    for penalty, stated in (((theta.T * theta)[0], eta * (scales**2 * TOY_U.T * weights
                                                           - lam * z)),
                            (((features * theta).T * (features * theta))[0],
                             eta * scales**2 * (TOY_U.T * weights - lam * z))):
        total = sum(loss(m) for m in margins) + lam / 2 * penalty
        velocity = scales * rotation_v.T * (-eta * sp.Matrix([total.diff(v) for v in theta]))
        residuals += list((velocity - stated).doit())
    return residuals


def _legendre_checks() -> dict[str, bool]:
    """GS2: log(1+e^{−u}) = max_α H(α) − αu, attained at α = σ(−u)."""
    objective = binary_entropy(alpha) - alpha * u
    maximiser = sigmoid(-u)
    stationary = sp.simplify(objective.diff(alpha).subs(alpha, maximiser))
    value = sp.simplify(sp.expand_log(_legendre_value() - sp.log(1 + sp.exp(-u)), force=True))
    return {
        "GS2 the Legendre objective H(α) − αu is stationary at α = σ(−u)": stationary == 0,
        "GS2 its value there is log(1 + e^{−u})": value == 0,
        "GS2 H(α) − αu is strictly concave (second derivative −1/(α(1−α)))":
            sp.simplify(objective.diff(alpha, 2) + 1 / (alpha * (1 - alpha))) == 0,
    }


def _dual_checks() -> dict[str, bool]:
    """GS2: the dual gradient vanishes at α = σ(−Uz*) exactly when z* = S²Uᵀα/λ."""
    a = sp.Matrix(sp.symbols("a_1:3", positive=True))
    scales = sp.diag(s1, s2) ** 2
    objective = sum(binary_entropy(v) for v in a) - (a.T * TOY_U * scales * TOY_U.T * a)[0] \
        / (2 * lam)
    gradient = sp.Matrix([objective.diff(v) for v in a])
    z = scales * TOY_U.T * a / lam
    # −logit(α_i) at the dual point, expressed with m = Uz: α_i = σ(−m_i) ⇔ −logit(α_i) = m_i.
    primal_weights = {sp.log(1 - v) - sp.log(v): m for v, m in zip(a, TOY_U * z, strict=True)}
    gradient = gradient.applyfunc(lambda e: sp.expand_log(e, force=True))
    gradient = gradient.applyfunc(lambda e: e.subs(primal_weights))
    return {"GS2 dual stationarity ⇔ primal fixed point z* = S²Uᵀα*/λ with α* = σ(−Uz*)":
            all(sp.simplify(e) == 0 for e in gradient)}


def _implicit_derivative_residual() -> sp.Matrix:
    """GS3: implicit differentiation of F(z) = λz − S²Uᵀα(Uz) = 0 in p_k = s_k².

    dz*/dp_k = −(∂F/∂z)⁻¹ ∂F/∂p_k, so the stated M·dz*/dp_k = (1/λ)(Uᵀα)_k e_k holds iff
    ∂F/∂z = λM and ∂F/∂p_k = −(Uᵀα)_k e_k; the residuals of both are returned.
    α(m) = σ(−m) is an undefined function; at the fixed point its values are symbols α_i
    and its derivatives dα/dm = −α(1 − α) = −D_i. The identity needs no orthogonality, so U
    is a generic 2×2 matrix (which keeps every entry polynomial).
    """
    generic_u = sp.Matrix(2, 2, sp.symbols("u_1:5", real=True))
    z = sp.Matrix(sp.symbols("z_1:3", real=True))
    squares = sp.symbols("p_1:3", positive=True)
    weights = sp.symbols("alpha_1:3", positive=True)
    weight = sp.Function("sigma_minus")
    margins = generic_u * z
    residual = lam * z - sp.diag(*squares) * generic_u.T * margins.applyfunc(weight)
    values = {weight(m): a for m, a in zip(margins, weights, strict=True)}
    slopes = {m: -a * (1 - a) for m, a in zip(margins, weights, strict=True)}
    jacobian = residual.jacobian(z).replace(
        lambda e: isinstance(e, sp.Subs), lambda e: slopes[e.point[0]]).subs(values)
    curvature = sp.diag(*[a * (1 - a) for a in weights])
    stated_m = sp.eye(2) + sp.diag(*squares) * generic_u.T * curvature * generic_u / lam
    out = list(jacobian - lam * stated_m)
    for k in range(2):
        drive = sp.zeros(2, 1)
        drive[k] = (generic_u.T * sp.Matrix(weights))[k]
        out += list(residual.diff(squares[k]).subs(values) + drive)
    return sp.Matrix(out)


def _first_order_residuals() -> list[sp.Expr]:
    """GS4: the exact δ-coefficient of z* minus the stated one, to leading order in e^{−z}.

    Differentiating λz = S²U(δ)ᵀσ(−U(δ)z) in δ at δ = 0 (U(0) = I, z(0) = z⁰) gives a
    linear system for z¹ = dz*/dδ in α_j = σ(−z_j⁰) and D_j = σ′(−z_j⁰). With the zeroth-order
    fixed point α_j = λz_j⁰/s_j² and D_j = α_j(1 − α_j) → α_j (dropping O(e^{−z})), its
    solution must be the stated one with W_j in place of z_j⁰.
    """
    z0 = sp.symbols("w_1:3", positive=True)
    z1 = sp.Matrix(sp.symbols("y_1:3", real=True))
    weight = sp.Function("sigma_minus")  # σ(−m) as an undefined function of m
    z = sp.Matrix(z0) + delta * z1
    equation = (lam * z - sp.diag(s1, s2) ** 2 * TOY_U.T
                * (TOY_U * z).applyfunc(weight)).diff(delta).subs(delta, 0).doit()
    fixed = {weight(w): lam * w / s**2 for w, s in zip(z0, (s1, s2), strict=True)}
    slopes = {sp.Derivative(weight(w), w): -fixed[weight(w)] for w in z0}
    equation = equation.subs(slopes).subs(fixed)
    solution = sp.solve(list(equation), list(z1), dict=True)[0]
    stated = (z0[1] * (z0[0] + s1**2 / s2**2) / (1 + z0[0]),
              -z0[0] * (z0[1] + s2**2 / s1**2) / (1 + z0[1]))
    return [sp.simplify(solution[z1[j]] - stated[j]) for j in range(2)]


def _spectral_decoupling_checks() -> dict[str, bool]:
    """GS5: z* = m*Uᵀ1 is the SD fixed point; the Jacobian there is −ηS²(λ + d)I."""
    m_star, d_star = sp.symbols("m_star d_star", positive=True)
    z = m_star * TOY_U.T * sp.ones(2, 1)
    margins = sp.simplify(TOY_U * z)
    weights = sp.Matrix([lam * m_star] * 2)  # σ(−m*) = λm* on every sample
    velocity = eta * sp.diag(s1, s2) ** 2 * (TOY_U.T * weights - lam * z)
    jacobian = -eta * sp.diag(s1, s2) ** 2 * (TOY_U.T * d_star * sp.eye(2) * TOY_U
                                               + lam * sp.eye(2))
    return {
        "GS5 every margin of z* = m*Uᵀ1 equals m*": margins == sp.Matrix([m_star] * 2),
        "GS5 ż vanishes at z* = m*Uᵀ1 when σ(−m*) = λm*":
            sp.simplify(velocity) == sp.zeros(2, 1),
        "GS5 the SD Jacobian at z* is diagonal, −ηs_j²(λ + σσ′)":
            sp.simplify(jacobian + eta * sp.diag(s1, s2) ** 2 * (d_star + lam)) == sp.zeros(2),
    }


def _single_mode_checks() -> dict[str, bool]:
    """GS6: z = τ − W(e^τ) solves ż = ηs²σ(−z) when τ̇ = ηs², with z(0) = z0.

    Parametrise τ by ω > 0 as τ = ω + ln ω (so e^τ = ωe^ω and W(e^τ) = ω, using
    W(ωe^ω) = ω for ω > 0: W is SymPy's solution of y e^y = x): then z = ln ω, dz/dτ = 1/(1+ω)
    and σ(−z) = 1/(1+ω); at t = 0, ω = e^{z0} gives τ(0) = z0 + e^{z0}.
    """
    omega, x = sp.symbols("omega x", positive=True)
    clock = omega + sp.log(omega)
    inverse = {sp.LambertW(omega * sp.exp(omega)): omega}  # W(ωe^ω) = ω, ω > 0
    response = sp.simplify(SINGLE_MODE_RESPONSE.subs(tau, clock).subs(inverse))
    slope = sp.simplify(SINGLE_MODE_RESPONSE.diff(tau).subs(tau, clock).subs(inverse))
    curvature = 1 / ((1 + sp.exp(response)) * (1 + sp.exp(-response)))
    return {
        "GS6 W(x) is the solution y of y·e^y = x (so W(ωe^ω) = ω)":
            sp.solve(omega * sp.exp(omega) - x, omega) == [sp.LambertW(x)],
        "GS6 z = ln ω along τ = ω + ln ω": sp.simplify(response - sp.log(omega)) == 0,
        "GS6 dz/dt − ηs²σ(−z) = ηs²(dz/dτ − σ(−z)) = 0":
            sp.simplify(slope - 1 / (1 + sp.exp(response))) == 0,
        "GS6 z(0) = z0: τ(0) = z0 + e^{z0} is ω + ln ω at ω = e^{z0}":
            sp.simplify(clock.subs(omega, sp.exp(x)) - (x + sp.exp(x))) == 0,
        "GS6 D = σ(z)σ(−z) = ω/(1+ω)² at z = ln ω":
            sp.simplify(curvature - omega / (1 + omega) ** 2) == 0,
        "GS6 D·τ → 1 as ω → ∞": sp.limit(curvature * clock, omega, sp.oo) == 1,
    }


@functools.cache
def _onset_series(order: int = 4) -> list[sp.Matrix]:
    """GS7: Taylor coefficients a_0..a_order of z(t) from z(0) = 0.

    ż = η(S²Uᵀσ(−Uz) − λz) with σ(−m) = 1/2 − m/4 + m³/48 + O(m⁵) (exact to t⁴ since
    m = O(t)); (k+1)a_{k+1} = [t^k] of the right-hand side. c = √(1−δ²) is kept as a symbol
    and substituted at the end.
    """
    c = sp.Symbol("c", positive=True)
    rotation = sp.Matrix([[c, -delta], [delta, c]])
    squares = sp.diag(s1, s2) ** 2
    coefficients = [sp.zeros(2, 1)]
    for k in range(order):
        margins = [rotation * a for a in coefficients]
        cubic = sp.Matrix([sum(margins[i][r] * margins[j][r] * margins[k - i - j][r]
                               for i in range(k + 1) for j in range(k + 1 - i))
                           for r in range(2)])
        constant = sp.Rational(1, 2) if k == 0 else 0
        weights = constant * sp.ones(2, 1) - margins[k] / 4 + cubic / 48
        rhs = eta * (squares * rotation.T * weights - lam * coefficients[k])
        coefficients.append((rhs / (k + 1)).applyfunc(sp.expand))
    return [a.subs(c, sp.sqrt(1 - delta**2)).applyfunc(sp.expand) for a in coefficients]


def _onset_checks() -> dict[str, bool]:
    coefficients = _onset_series()
    first = sp.Symbol("s_a", positive=True)
    gap = _onset_gap(coefficients)
    stated = sp.expand(eta * s2**2 / 192 * sum(
        TOY_U[i, 1] * (_quartic_driver(s1)[i] ** 3 - _quartic_driver(s2)[i] ** 3)
        for i in range(2)))
    lower = [sp.expand(coefficients[k][1] - coefficients[k][1].subs(s1, first))
             for k in range(1, 4)]
    return {
        "GS7 z₂'s coefficients of t, t², t³ do not depend on s₁": all(e == 0 for e in lower),
        "GS7 Δz₂'s t⁴ coefficient is (ηs₂²/192) Σ_i U_i2 [c_i(s₁)³ − c_i(s₂)³]":
            sp.expand(gap - stated) == 0,
    }


def _quartic_driver(first: sp.Expr) -> sp.Matrix:
    """c(s₁) = (η/2) U diag(s₁², s₂²) Uᵀ 1 (GS7)."""
    return eta / 2 * TOY_U * sp.diag(first, s2) ** 2 * TOY_U.T * sp.ones(2, 1)


def _onset_gap(coefficients: list[sp.Matrix]) -> sp.Expr:
    """GS7: the t⁴ coefficient of Δz₂ = z₂(t; s₁) − z₂(t; s₁ = s₂), from :func:`_onset_series`."""
    quartic = coefficients[4][1]
    return sp.expand(quartic - quartic.subs(s1, s2))


#: Toy responses z = (z₁, z₂) (GS1) and fixed-point weights α* = σ(−Uz*) (GS3).
_RESPONSES = sp.Matrix(sp.symbols("z_1:3", real=True))
_FIXED_WEIGHTS = sp.Matrix(sp.symbols("alpha_1:3", positive=True))
#: GS5: the SD margin m*.
_SD_MARGIN = sp.Symbol("m_star", positive=True)


def _toy_response_velocity(regulariser: str) -> sp.Matrix:
    """GS1 in the two-feature toy U(δ), S = diag(s₁, s₂), logistic weights σ(−Uz):
    ż = η(S²Uᵀσ(−Uz) − λz) (weight decay), ż = ηS²(Uᵀσ(−Uz) − λz) (Spectral Decoupling)."""
    weights = (TOY_U * _RESPONSES).applyfunc(lambda margin: sigmoid(-margin))
    squares = sp.diag(s1, s2) ** 2
    if regulariser == "weight_decay":
        return eta * (squares * TOY_U.T * weights - lam * _RESPONSES)
    return eta * squares * (TOY_U.T * weights - lam * _RESPONSES)


def _legendre_value() -> sp.Expr:
    """GS2: H(α) − αu at its maximiser α = σ(−u) (equals log(1 + e^{−u}))."""
    return (binary_entropy(alpha) - alpha * u).subs(alpha, sigmoid(-u))


#: GS3's named quantities: c = √(1 − δ²), D_i = α_i*(1 − α_i*) and Δ = λ² det M.
_COSINE = sp.Symbol("c", positive=True)
_CURVATURES = sp.Matrix(sp.symbols("D_1:3", positive=True))
_DETERMINANT = sp.Symbol("Delta", positive=True)


@functools.cache
def _toy_starvation_steps() -> dict[str, sp.Expr]:
    """GS3 in the toy, in named steps: M = I + (1/λ)S²UᵀDU with U = [[c, −δ], [δ, c]] and
    D = diag(D₁, D₂); Δ = det(λM) = λ² det M (reduced with c² + δ² = 1); and
    [dz_j*/d(s_k²)] = M⁻¹ (1/λ) diag(Uᵀα*) = N_jk/Δ with N = adj(λM) diag(Uᵀα*) (factored;
    c, D_i and the fixed-point weights α_i* as symbols). Keys "Delta", "N11", "N12", "N21",
    "N22"."""
    rotation = sp.Matrix([[_COSINE, -delta], [delta, _COSINE]])
    scaled_m = lam * sp.eye(2) + sp.diag(s1, s2) ** 2 * rotation.T * sp.diag(*_CURVATURES) \
        * rotation  # λM
    # M⁻¹(1/λ)diag(Uᵀα*) = adj(λM) diag(Uᵀα*) / det(λM), and det(λM) = λ² det M = Δ
    numerators = scaled_m.adjugate() * sp.diag(*(rotation.T * _FIXED_WEIGHTS))
    steps = {"Delta": _on_the_unit_circle(sp.expand(scaled_m.det()))}
    for j in range(2):
        for k in range(2):
            steps[f"N{j + 1}{k + 1}"] = sp.factor(sp.expand(numerators[j, k]))
    return steps


def _on_the_unit_circle(determinant: sp.Expr) -> sp.Expr:
    """Δ = λ² det M reduced with c² + δ² = 1 (which removes its D₁D₂(c² + δ²)² factor) and
    written as λ² + λ Σ_i D_i(·) + D₁D₂s₁²s₂², the (·) in c² and δ²."""
    reduced = sp.expand(determinant.subs(_COSINE, sp.sqrt(1 - delta**2)))
    powers = sp.collect(reduced, lam, evaluate=False)
    if set(powers) != {lam**2, lam, sp.S.One}:
        raise ArithmeticError(f"λ² det M is not quadratic in λ: {reduced}")
    linear = sp.collect(powers[lam], list(_CURVATURES), evaluate=False)
    if set(linear) != set(_CURVATURES):
        raise ArithmeticError(f"the λ term of λ² det M is not linear in D: {powers[lam]}")
    weights = [sp.collect(linear[d], [s1**2, s2**2]).subs(1 - delta**2, _COSINE**2)
               for d in _CURVATURES]
    return powers[lam**2] * lam**2 + lam * sum(d * w for d, w in zip(_CURVATURES, weights,
                                                                       strict=True)) \
        + powers[sp.S.One]


def _spectral_decoupling_rate() -> sp.Expr:
    """GS5: relaxation rate of z₁ at the SD fixed point, ηs₁²(λ + σ(m*)σ(−m*))."""
    return eta * s1**2 * (lam + sigmoid(_SD_MARGIN) * sigmoid(-_SD_MARGIN))


@derived
def _gs1_checks() -> dict[str, bool]:
    return {"GS1 ż = S Vᵀ θ̇ equals the stated response dynamics (weight decay and SD)":
            all(sp.simplify(sp.expand(e)) == 0 for e in _response_dynamics_residuals()),
            "GS1 response_velocity equals the toy ż (both regularisers) at random points":
            _agrees_at_random_points(_velocity_agrees)}


@derived
def _gs2_checks() -> dict[str, bool]:
    return _legendre_checks() | _dual_checks()


@derived
def _gs3_checks() -> dict[str, bool]:
    return {"GS3 implicit differentiation: M·dz*/d(s_k²) = (1/λ)(Uᵀα*)_k e_k": all(
                sp.expand(e) == 0 for e in _implicit_derivative_residual()),
            "GS3 starvation_derivative equals the toy's N_jk/Δ at the fixed point":
                _agrees_at_random_points(_starvation_derivative_agrees)}


@derived
def _gs4_checks() -> dict[str, bool]:
    return {"GS4 first-order δ-coefficients (to O(e^{−z}))": all(
        e == 0 for e in _first_order_residuals())}


@derived
def _gs5_checks() -> dict[str, bool]:
    return _spectral_decoupling_checks() | {
        "GS5 spectral_decoupling_rates equals ηs₁²(λ + σ(m*)σ(−m*))":
            _agrees_at_random_points(_rate_agrees)}


@derived
def _gs6_checks() -> dict[str, bool]:
    return _single_mode_checks()


@derived
def _gs7_checks() -> dict[str, bool]:
    return _onset_checks() | {
        "GS7 onset_quartic_coefficient and onset_initial_slope equal the Taylor coefficients "
        "at random points": _agrees_at_random_points(_onset_agrees)}


_CLAIM_CHECKS: dict[str, Callable[[], dict[str, bool]]] = {
    "GS1": _gs1_checks, "GS2": _gs2_checks, "GS3": _gs3_checks, "GS4": _gs4_checks,
    "GS5": _gs5_checks, "GS6": _gs6_checks, "GS7": _gs7_checks}


def claim_checks(claim_id: str) -> dict[str, bool]:
    """The symbolic identities (and evaluator-vs-expression agreements) behind one claim,
    derived on first use and cached (theory.cache); every value must be True."""
    return dict(_CLAIM_CHECKS[claim_id]())


def self_checks() -> dict[str, bool]:
    """Symbolic identities behind GS1–GS7; every value must be True."""
    return {name: ok for claim_id in _CLAIM_CHECKS for name, ok in claim_checks(claim_id).items()}


# ----------------------------------------------------------------------------- numerics


def _inputs(S, U, scalars: dict) -> tuple[np.ndarray, np.ndarray, bool]:
    """Validated S (> 0), U (square, matching S) and positive scalars; True if all floats."""
    S_values = np.asarray(S, dtype=object).ravel()
    U_values = np.asarray(U, dtype=object)
    n = len(S_values)
    if U_values.shape != (n, n):
        raise ValueError(f"U must be a square {n}×{n} matrix matching S, got {U_values.shape}")
    require_positive(**scalars)
    for k, value in enumerate(S_values):
        require_positive(**{f"S[{k}]": value})
    for value in U_values.ravel():
        require_finite(U=value)
    return S_values, U_values, not uses_mpmath(*scalars.values(), *S_values, *U_values.ravel())


def _working_bits(floats: bool) -> int:
    return 53 + FLOAT_GUARD_BITS if floats else mpmath.mp.prec


def _at_precision(compute: Callable, S, U, scalars: dict, **options):
    """compute(S, U, *scalars, **options) in mpmath at the working precision.

    Float inputs are evaluated at 93 bits and the result is returned as float64 (array or
    scalar); mpmath inputs at the current precision, returned as mpf (object arrays).
    """
    S_values, U_values, floats = _inputs(S, U, scalars)
    with mpmath.workprec(_working_bits(floats)):
        result = compute(np.array([_mpf(v) for v in S_values], dtype=object),
                         _mp_matrix(U_values), *(_mpf(v) for v in scalars.values()),
                         **options)
    if not floats:
        return result
    return float(result) if isinstance(result, mpmath.mpf) else np.asarray(result, dtype=float)


def _mpf(value) -> mpmath.mpf:
    """An mpf at the working precision from a float, int, NumPy scalar or mpf."""
    return mpmath.mpf(int(value) if isinstance(value, np.integer) else value)


def _mp_matrix(values: np.ndarray) -> np.ndarray:
    return np.array([[_mpf(v) for v in row] for row in values], dtype=object)


def _sigma(values):
    """σ(−x) elementwise for an array of mpf."""
    return np.array([1 / (1 + mpmath.exp(x)) for x in values], dtype=object)


def _solve(matrix: np.ndarray, vector: np.ndarray) -> np.ndarray:
    solution = mpmath.lu_solve(mpmath.matrix(matrix.tolist()), mpmath.matrix(list(vector)))
    return np.array([solution[i] for i in range(len(vector))], dtype=object)


def _newton(residual: Callable, jacobian: Callable, start: np.ndarray, what: str) -> np.ndarray:
    """Damped Newton: x ← x − θ J⁻¹F, θ halved until max|F| decreases; stops when the full
    step is below 16 units in the last place of max(1, |x|)."""
    x = start
    tolerance = 16 * mpmath.eps
    for _ in range(NEWTON_MAX_ITERATIONS):
        value = residual(x)
        step = _solve(jacobian(x), -value)
        if max(abs(v) for v in step) <= tolerance * max(1, max(abs(v) for v in x)):
            return x + step
        size, fraction = max(abs(v) for v in value), _mpf(1)
        while fraction > _mpf(2) ** -60 and \
                max(abs(v) for v in residual(x + fraction * step)) >= size:
            fraction /= 2
        x = x + fraction * step
    raise ArithmeticError(f"Newton iteration for {what} did not converge")


def _curvature(weights: np.ndarray) -> np.ndarray:
    return np.diag([w * (1 - w) for w in weights])


def _fixed_point(S, U, lam_value, regulariser):
    squares = np.diag(S * S)
    identity = np.diag([_mpf(1)] * len(S))
    if regulariser == "weight_decay":
        def residual(z):
            return z * lam_value - squares @ U.T @ _sigma(U @ z)

        def jacobian(z):
            return identity * lam_value + squares @ U.T @ _curvature(_sigma(U @ z)) @ U
    else:
        def residual(z):
            return squares @ (z * lam_value - U.T @ _sigma(U @ z))

        def jacobian(z):
            return squares @ (identity * lam_value + U.T @ _curvature(_sigma(U @ z)) @ U)
    start = np.array([_mpf(0)] * len(S), dtype=object)
    return _newton(residual, jacobian, start, f"the {regulariser} fixed point")


def fixed_point(S: Sequence, U, lam, regulariser: str = "weight_decay") -> np.ndarray:
    """GS2/GS5: the fixed point z* of the response dynamics of GS1.

    weight decay:          λz* = S²Uᵀσ(−Uz*)         (Newton Jacobian λM = λI + S²UᵀDU)
    Spectral Decoupling:   S²(λz* − Uᵀσ(−Uz*)) = 0   (Jacobian S²(λI + UᵀDU))
    ``S`` is the vector of singular values, ``U`` square orthogonal, λ > 0.
    """
    if regulariser not in REGULARISERS:
        raise ValueError(f"regulariser must be one of {REGULARISERS}, got {regulariser!r}")
    return _at_precision(_fixed_point, S, U, {"lam": lam}, regulariser=regulariser)


def _dual_fixed_point(S, U, lam_value):
    """Maximiser α* of Σ H(α_i) − αᵀUS²Uᵀα/(2λ), through β = logit(α):
    the stationarity condition −β − Aσ(β)/λ = 0, A = US²Uᵀ, solved by Newton."""
    coupling = U @ np.diag(S * S) @ U.T
    identity = np.diag([_mpf(1)] * len(S))

    def residual(beta):
        return beta + coupling @ _sigma(-beta) / lam_value

    def jacobian(beta):
        return identity + coupling @ _curvature(_sigma(-beta)) / lam_value

    beta = _newton(residual, jacobian, np.array([_mpf(0)] * len(S), dtype=object),
                   "the dual maximiser")
    return np.diag(S * S) @ U.T @ _sigma(-beta) / lam_value


def dual_fixed_point(S: Sequence, U, lam) -> np.ndarray:
    """GS2: z* = (1/λ)S²Uᵀα* with α* = argmax_α Σ_i H(α_i) − (1/2λ) αᵀUS²Uᵀα."""
    return _at_precision(_dual_fixed_point, S, U, {"lam": lam})


def legendre_value(margin):
    """GS2: max_α H(α) − α u evaluated at the maximiser α = σ(−u) (equals log(1 + e^{−u}))."""
    require_finite(u=margin)
    floats = not uses_mpmath(margin)
    with mpmath.workprec(_working_bits(floats)):
        x = _mpf(margin)
        a = 1 / (1 + mpmath.exp(x))
        value = -a * mpmath.log(a) - (1 - a) * mpmath.log1p(-a) - a * x
    return float(value) if floats else value


def _response_velocity(S, U, lam_value, eta_value, z, regulariser):
    z = np.array([_mpf(v) for v in z], dtype=object)
    weights = U.T @ _sigma(U @ z)
    squares = np.diag(S * S)
    if regulariser == "weight_decay":
        return (squares @ weights - z * lam_value) * eta_value
    return (squares @ (weights - z * lam_value)) * eta_value


def response_velocity(z: Sequence, S: Sequence, U, lam, regulariser: str = "weight_decay",
                      eta=1) -> np.ndarray:
    """GS1: ż = η(S²Uᵀσ(−Uz) − λz) (weight decay) or ηS²(Uᵀσ(−Uz) − λz) (SD)."""
    if regulariser not in REGULARISERS:
        raise ValueError(f"regulariser must be one of {REGULARISERS}, got {regulariser!r}")
    return _at_precision(_response_velocity, S, U, {"lam": lam, "eta": eta}, z=z,
                         regulariser=regulariser)


def _starvation_derivative(S, U, lam_value):
    z = _fixed_point(S, U, lam_value, "weight_decay")
    weights = _sigma(U @ z)
    n = len(S)
    identity = np.diag([_mpf(1)] * n)
    m_matrix = identity + np.diag(S * S) @ U.T @ _curvature(weights) @ U / lam_value
    drive = U.T @ weights / lam_value
    columns = [_solve(m_matrix, np.array([drive[k] if j == k else _mpf(0)
                                          for j in range(n)], dtype=object))
               for k in range(n)]
    return np.array([[columns[k][j] for k in range(n)] for j in range(n)], dtype=object)


def starvation_derivative(S: Sequence, U, lam) -> np.ndarray:
    """GS3: the matrix dz_j*/d(s_k²) at the weight-decay fixed point, by implicit
    differentiation: M·dz*/d(s_k²) = (1/λ)(Uᵀα*)_k e_k, M = I + (1/λ)S²UᵀDU.

    Entry [j, k] is dz_j*/d(s_k²). Gradient starvation of feature 2 by feature 1 is
    entry [1, 0] < 0.
    """
    return _at_precision(_starvation_derivative, S, U, {"lam": lam})


def toy_rotation(delta_value) -> np.ndarray:
    """The two-feature toy's U = [[c, −δ], [δ, c]], c = √(1 − δ²), at the working precision
    (mpf for mpf input, float64 otherwise); 0 < δ < 1/√2 (GS3)."""
    require_positive(delta=delta_value)
    if not delta_value < 1 / mpmath.sqrt(2):
        raise ValueError(f"delta must be below 1/√2, got {delta_value}")
    if uses_mpmath(delta_value):
        d = _mpf(delta_value)
        c = mpmath.sqrt(1 - d * d)
        return np.array([[c, -d], [d, c]], dtype=object)
    c = float(mpmath.sqrt(1 - _mpf(delta_value) ** 2))
    return np.array([[c, -delta_value], [delta_value, c]], dtype=float)


@functools.cache
def _first_order() -> tuple[Callable, Callable]:
    """Evaluators of FIRST_ORDER_FIXED_POINT, lambdified on first use (not at import)."""
    return tuple(evaluator(e, (s1, s2, delta, lam)) for e in FIRST_ORDER_FIXED_POINT)


def first_order_fixed_point(s_first, s_second, delta_value, lam) -> tuple:
    """GS4: z₁* ≈ W₁ + δW₂(W₁ + s₁²/s₂²)/(1+W₁), z₂* ≈ W₂ − δW₁(W₂ + s₂²/s₁²)/(1+W₂),
    W_j = W(s_j²/λ) (principal Lambert W); error O(δ²) + O(e^{−z})."""
    require_positive(s_first=s_first, s_second=s_second, delta=delta_value, lam=lam)
    values = (f(s_first, s_second, delta_value, lam) for f in _first_order())
    return tuple(mpmath.re(v) if isinstance(v, mpmath.mpc) else v for v in values)


def spectral_decoupling_margin(lam):
    """GS5: m* solving σ(−m*) = λm* (unique: λm − σ(−m) increases in m); m* ≈ W(1/λ)."""
    require_positive(lam=lam)
    floats = not uses_mpmath(lam)
    with mpmath.workprec(_working_bits(floats)):
        reg = _mpf(lam)
        root = _newton(lambda m: np.array([reg * m[0] - 1 / (1 + mpmath.exp(m[0]))]),
                       lambda m: np.array([[reg + _curvature(_sigma(m))[0, 0]]]),
                       np.array([mpmath.re(mpmath.lambertw(1 / reg))], dtype=object),
                       "the SD margin")[0]
    return float(root) if floats else root


def spectral_decoupling_fixed_point(U, lam) -> np.ndarray:
    """GS5: z* = m*Uᵀ1 for square orthogonal U, independent of S."""
    U_values = np.asarray(U, dtype=object)
    margin = spectral_decoupling_margin(lam)
    ones = np.ones(U_values.shape[0], dtype=object)
    result = (U_values.T @ ones) * margin
    return np.asarray(result, dtype=float) if isinstance(margin, float) else result


def spectral_decoupling_rates(S: Sequence, lam, eta=1) -> np.ndarray:
    """GS5: near the SD fixed point z_j relaxes at rate η s_j²(λ + σ(m*)σ(−m*))."""
    require_positive(eta=eta)
    margin = spectral_decoupling_margin(lam)
    floats = isinstance(margin, float)
    with mpmath.workprec(_working_bits(floats)):
        m = _mpf(margin)
        curvature = 1 / ((1 + mpmath.exp(m)) * (1 + mpmath.exp(-m)))
        rates = [_mpf(eta) * _mpf(s) ** 2 * (_mpf(lam) + curvature)
                 for s in np.ravel(S)]
    return np.array(rates, dtype=float) if floats else np.array(rates, dtype=object)


def _log_wright_omega(x):
    """v = ln ω(x), the root of e^v + v = x (Newton from the right, where the convex
    increasing residual makes the iteration monotone and quadratically convergent)."""
    v = mpmath.log(x) if x > 1 else x
    for _ in range(NEWTON_MAX_ITERATIONS):
        step = (mpmath.exp(v) + v - x) / (mpmath.exp(v) + 1)
        v -= step
        if abs(step) <= 4 * mpmath.eps * max(1, abs(v)):
            return v
    raise ArithmeticError(f"Wright omega did not converge at {x}")


def wright_omega(x):
    """ω(x), the root of ω + ln ω = x (real branch); never via lambertw(exp(x))."""
    require_finite(x=x)
    floats = not uses_mpmath(x)
    with mpmath.workprec(_working_bits(floats)):
        value = mpmath.exp(_log_wright_omega(_mpf(x)))
    return float(value) if floats else value


def single_mode_response(t_value, s, z0, eta=1):
    """GS6: z(t) = τ − ω(τ), τ = z0 + e^{z0} + ηs²t, for ż = ηs²σ(−z) (no regulariser).

    Evaluated as z = ln ω(τ) (the same number, since ω + ln ω = τ), which avoids the
    cancellation of τ − ω at large τ.
    """
    require_finite(t=t_value, z0=z0)
    require_positive(s=s, eta=eta)
    floats = not uses_mpmath(t_value, s, z0, eta)
    with mpmath.workprec(_working_bits(floats)):
        start = _mpf(z0)
        clock = start + mpmath.exp(start) + _mpf(eta) * _mpf(s) ** 2 \
            * _mpf(t_value)
        value = _log_wright_omega(clock)
    return float(value) if floats else value


def single_mode_curvature_clock(t_value, s, z0, eta=1):
    """GS6: D(t)·τ(t) = ω(ω + ln ω)/(1 + ω)² with ω = ω(τ(t)); tends to 1."""
    z = single_mode_response(t_value, s, z0, eta)
    floats = isinstance(z, float)
    with mpmath.workprec(_working_bits(floats)):
        omega = mpmath.exp(_mpf(z))
        value = omega * (omega + _mpf(z)) / (1 + omega) ** 2
    return float(value) if floats else value


def _quartic_gap(S, U, eta_value, S_reference, index):
    ones = np.array([_mpf(1)] * len(S), dtype=object)
    reference = np.array([_mpf(v) for v in np.ravel(S_reference)], dtype=object)
    if reference[index] != S[index]:
        raise ValueError("S and S_reference must share the singular value s_index")

    def drive(values):
        return U @ np.diag(values * values) @ U.T @ ones * (eta_value / 2)

    cubes = [a**3 - b**3 for a, b in zip(drive(S), drive(reference), strict=True)]
    return eta_value * S[index] ** 2 / 192 * sum(
        U[i, index] * cubes[i] for i in range(len(S)))


def onset_quartic_coefficient(S: Sequence, S_reference: Sequence, U, eta=1, index: int = 1):
    """GS7: K with Δz_j(t) = z_j(t; S) − z_j(t; S_ref) ≈ K t⁴ as t → 0, from θ = 0:
    K = (η s_j²/192) Σ_i U_ij [c_i(S)³ − c_i(S_ref)³], c(S) = (η/2)US²Uᵀ1 (j = ``index``).

    S and S_ref differ only away from s_j (for j = 2: S = (s₁, s₂), S_ref = (s₂, s₂)).
    λ does not enter at this order.
    """
    return _at_precision(_quartic_gap, S, U, {"eta": eta}, S_reference=S_reference,
                         index=index)


def onset_initial_slope(S: Sequence, U, eta=1, index: int = 1):
    """GS7: ż_j(0) = (η/2) s_j² (Uᵀ1)_j, the leading term of z_j(t) from θ = 0."""
    def slope(S_, U_, eta_value, j):
        ones = np.array([_mpf(1)] * len(S_), dtype=object)
        return eta_value / 2 * S_[j] ** 2 * (U_.T @ ones)[j]

    return _at_precision(slope, S, U, {"eta": eta}, j=index)


def onset_time(epsilon, S: Sequence, S_reference: Sequence, U, eta=1, index: int = 1):
    """GS7, leading order as ε → 0: z_j(t; S) < (1 − ε) z_j(t; S_ref) first at
    t_GS ≈ (ε ż_j(0) / (−K))^{1/3} (needs K < 0, i.e. starvation)."""
    require_positive(epsilon=epsilon)
    coefficient = onset_quartic_coefficient(S, S_reference, U, eta, index)
    if not coefficient < 0:
        raise ValueError(f"no starvation onset: the quartic coefficient is {coefficient} ≥ 0")
    slope = onset_initial_slope(S_reference, U, eta, index)
    if isinstance(coefficient, float):
        return float((epsilon * slope / -coefficient) ** (1 / 3))
    return mpmath.cbrt(_mpf(epsilon) * slope / -coefficient)


#: Public evaluators by claim id.
EVALUATORS: dict[str, tuple[Callable, ...]] = {
    "GS1": (response_velocity,),
    "GS2": (legendre_value, dual_fixed_point, fixed_point),
    "GS3": (starvation_derivative, fixed_point, toy_rotation),
    "GS4": (first_order_fixed_point,),
    "GS5": (spectral_decoupling_margin, spectral_decoupling_fixed_point,
            spectral_decoupling_rates),
    "GS6": (single_mode_response, single_mode_curvature_clock, wright_omega),
    "GS7": (onset_quartic_coefficient, onset_initial_slope, onset_time),
}


def _agrees_at_random_points(agrees: Callable, digits: int = 30) -> bool:
    """``agrees(values, rng, digits)`` at 3 random toy problems (s₁, s₂, λ, δ, η), at mpmath
    precision ``digits``: a numeric evaluator against the symbolic toy expression (agreement
    to ``digits`` − 8 digits)."""
    rng = np.random.default_rng(3)
    with mpmath.workdps(digits):
        for _ in range(3):
            values = {s1: rng.uniform(0.5, 4), s2: rng.uniform(0.5, 4), lam: rng.uniform(0.01, 1),
                      delta: rng.uniform(0.05, 0.7), eta: rng.uniform(0.1, 2)}
            if not agrees({k: mpmath.mpf(v) for k, v in values.items()}, rng, digits):
                return False
    return True


def _close(numeric, symbolic: sp.Expr, digits: int) -> bool:
    value = mpmath.mpf(str(sp.N(symbolic, digits)))
    return abs(numeric - value) <= mpmath.mpf(10) ** (8 - digits) * (1 + abs(value))


def _velocity_agrees(values: dict, rng: np.random.Generator, digits: int) -> bool:
    z = [mpmath.mpf(v) for v in rng.uniform(-3, 3, 2)]
    at = values | dict(zip(_RESPONSES, z, strict=True))
    S, U = [values[s1], values[s2]], toy_rotation(values[delta])
    return all(
        _close(numeric, symbolic.subs(at), digits)
        for regulariser in REGULARISERS
        for numeric, symbolic in zip(
            response_velocity(z, S, U, values[lam], regulariser, values[eta]),
            _toy_response_velocity(regulariser), strict=True))


def _starvation_derivative_agrees(values: dict, _rng, digits: int) -> bool:
    """starvation_derivative against the toy's N_jk/Δ (:func:`_toy_starvation_steps`) with
    c = √(1 − δ²), the evaluator's own fixed-point weights α* and D_i = α_i*(1 − α_i*)."""
    S, U = [values[s1], values[s2]], toy_rotation(values[delta])
    weights = _sigma(U @ fixed_point(S, U, values[lam]))
    at = values | {_COSINE: mpmath.sqrt(1 - values[delta] ** 2)} | {
        symbol: value for symbols, numbers in ((_FIXED_WEIGHTS, weights),
                                               (_CURVATURES, [a * (1 - a) for a in weights]))
        for symbol, value in zip(symbols, numbers, strict=True)}
    steps = _toy_starvation_steps()
    determinant = steps["Delta"].subs(at)
    numeric = starvation_derivative(S, U, values[lam])
    return all(_close(numeric[j, k], steps[f"N{j + 1}{k + 1}"].subs(at) / determinant, digits)
               for j in range(2) for k in range(2))


def _rate_agrees(values: dict, _rng, digits: int) -> bool:
    numeric = spectral_decoupling_rates([values[s1]], values[lam], values[eta])[0]
    at = values | {_SD_MARGIN: spectral_decoupling_margin(values[lam])}
    return _close(numeric, _spectral_decoupling_rate().subs(at), digits)


def _onset_agrees(values: dict, _rng, digits: int) -> bool:
    """GS7's evaluators against the t⁴ coefficient of Δz₂ and the t coefficient of z₂."""
    coefficients = _onset_series()
    U = toy_rotation(values[delta])
    S, reference = [values[s1], values[s2]], [values[s2], values[s2]]
    quartic = onset_quartic_coefficient(S, reference, U, values[eta])
    slope = onset_initial_slope(reference, U, values[eta])
    return _close(quartic, _onset_gap(coefficients).subs(values), digits) \
        and _close(slope, coefficients[1][1].subs(values), digits)


def _points(*assignments: str) -> tuple[dict, ...]:
    """Points written as "name=value name=value" strings of exact rationals."""
    return tuple(dict(pair.split("=") for pair in text.split()) for text in assignments)


def _gs3_point(text: str, determinant: sp.Expr) -> dict:
    """A GS3 point (c² + δ² = 1 rational) completed with D_i = α_i(1 − α_i) and Δ there."""
    point = _points(text)[0]
    for d, a in zip(_CURVATURES, _FIXED_WEIGHTS, strict=True):
        weight = sp.Rational(point[a.name])
        point[d.name] = str(weight * (1 - weight))
    values = {symbol: sp.Rational(point[symbol.name]) for symbol in determinant.free_symbols}
    point[_DETERMINANT.name] = str(determinant.subs(values))
    return point


def __getattr__(name: str):
    """``DERIVATIONS``, built on first access (the GS3 and GS7 expressions take a moment)."""
    if name == "DERIVATIONS":
        return _derivations()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def _derivations() -> tuple[Derivation, ...]:
    """Derived expressions pinned by value (theory.derivations, reports.golden); module
    attribute ``DERIVATIONS``."""
    toy, other = "s_1=3 s_2=2 delta=1/10 lambda=1/100", "s_1=1/2 s_2=4 delta=1/2 lambda=1"
    wd, sd = _toy_response_velocity("weight_decay"), _toy_response_velocity("spectral_decoupling")
    steps = _toy_starvation_steps()
    gs3_points = tuple(_gs3_point(text, steps["Delta"]) for text in (
        "s_1=3 s_2=2 delta=3/5 c=4/5 lambda=1/100 alpha_1=1/50 alpha_2=1/20",
        "s_1=1/2 s_2=4 delta=5/13 c=12/13 lambda=1 alpha_1=1/3 alpha_2=1/4"))
    onset = _onset_series()
    return (
        Derivation("GS1 response velocity ż₂, weight decay (toy U(δ))", "GS1", wd[1],
                   _points(f"{toy} eta=1 z_1=2 z_2=1/2", f"{other} eta=1/3 z_1=-1 z_2=3")),
        Derivation("GS1 response velocity ż₂, Spectral Decoupling (toy U(δ))", "GS1", sd[1],
                   _points(f"{toy} eta=1 z_1=2 z_2=1/2", f"{other} eta=1/3 z_1=-1 z_2=3")),
        Derivation("GS2 Legendre value H(α) − αu at α = σ(−u)", "GS2", _legendre_value(),
                   _points("u=-2", "u=1/2", "u=5")),
        Derivation("GS3 Δ = λ² det M, M = I + S²UᵀDU/λ (toy U = [[c, −δ], [δ, c]], "
                   "D = diag(D₁, D₂), c² + δ² = 1)", "GS3", steps["Delta"], gs3_points),
        Derivation("GS3 implicit derivative dz₁*/d(s₁²) = N₁₁/Δ (weights α*)", "GS3",
                   steps["N11"] / _DETERMINANT, gs3_points),
        Derivation("GS3 implicit derivative dz₂*/d(s₁²) = N₂₁/Δ (weights α*; its sign is "
                   "that of D₁ − D₂)", "GS3", steps["N21"] / _DETERMINANT, gs3_points),
        Derivation("GS4 first-order z₁*", "GS4", FIRST_ORDER_FIXED_POINT[0], _points(toy, other)),
        Derivation("GS4 first-order z₂*", "GS4", FIRST_ORDER_FIXED_POINT[1], _points(toy, other)),
        Derivation("GS5 SD relaxation rate of z₁, ηs₁²(λ + σ(m*)σ(−m*))", "GS5",
                   _spectral_decoupling_rate(), _points("eta=1 s_1=2 lambda=1/10 m_star=2",
                                                        "eta=1/2 s_1=1/3 lambda=1 m_star=1/2")),
        Derivation("GS6 single-mode response $tau - W(e^tau)$", "GS6", SINGLE_MODE_RESPONSE,
                   _points("tau=1/2", "tau=7")),
        Derivation("GS7 initial slope ż₂(0) (Taylor series from θ = 0)", "GS7", onset[1][1],
                   _points("eta=1 s_2=2 delta=1/10", "eta=1/2 s_2=1/3 delta=1/2")),
        Derivation("GS7 quartic coefficient of Δz₂(t)", "GS7", _onset_gap(onset),
                   _points("eta=1 s_1=3 s_2=2 delta=1/10", "eta=1/2 s_1=1/2 s_2=4 delta=1/2")),
    )
