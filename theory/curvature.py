"""Vanishing curvature at initialisation: claims CV1–CV6 (THEORY.md, CV; Orvieto et al. 2021).

Setup: scalar chain ŷ = x∏w_i with w_i ~ N(0, σ²); width-d linear net y = W_L⋯W_1x with
N(0, σ²) entries (Xavier σ² = 1/d, He σ² = 2/d); ReLU nets with He init (CV4).

Derivations (SymPy), each checked by :func:`self_checks`:

* CV1/CV3 — log-moments from Mellin transforms: E|z|^s = 2^{s/2}Γ((s+1)/2)/√π for
  z ~ N(0, 1) and E(χ²_d)^s = 2^sΓ(d/2+s)/Γ(d/2), both obtained by ``sympy.integrate``; the
  cumulants of log|z| and log χ²_d are the derivatives of their logarithms at s = 0.
* CV2/CV5 — exact moments of polynomials in independent Gaussians by expanding and replacing
  every monomial ∏w_i^{k_i} with ∏E w^{k_i}, E w^{2k} = σ^{2k}(2k−1)!!, E w^{2k+1} = 0.
* CV3 drift bounds — for x = d/2 > 0, −1/x < ψ(x) − ln x < −1/(2x), i.e. the Xavier drift
  ψ(d/2) − ln(d/2) lies in (−2/d, −1/d) for every d > 0. Proof (Binet's second formula,
  DLMF 5.9.13): ψ(x) = ln x − 1/(2x) − I(x), I(x) = 2∫₀^∞ t dt/((t² + x²)(e^{2πt} − 1)),
  and 0 < I(x) < 2∫₀^∞ t dt/(x²(e^{2πt} − 1)) = 1/(12x²). Upper bound: I > 0. Lower bound:
  ψ(x) + 1/x − ln x = ψ(x+1) − ln x ≥ ln(1+u) − u/(2(1+u)) − u²/(12(1+u)²) with u = 1/x,
  and ln(1+u) ≥ 2u/(2+u) reduces this to 12 + 28u + 17u² > 0. Asymptotically the drift is
  −1/d − 1/(3d²) + 2/(15d⁴) + O(d⁻⁶). :func:`drift_bound_margins` evaluates both margins
  from the derived drift (claim CV3 compares them with an independent evaluation).
* CV4 — E log R for R = (2/d)χ²_B, B ~ Bin(d, ½) conditioned on B ≥ 1, as the finite sum
  Σ_b p_b[ψ(b/2) + ln 2 + ln(2/d)].
* CV6 — gradient descent on ½xᵀHx along the eigenvector of λ_min = −ε multiplies that
  coordinate by (1 + ηε) per step.

Nothing symbolic runs at import: the derivations, the symbolic checks of each claim and the
compiled evaluators are built on first use (:func:`~flowcert.theory.cache.derived`, cached in
memory and on disk); ``DERIVATIONS`` and the derived expressions are module attributes built
when first accessed.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import TypeVar

import mpmath
import sympy as sp

from flowcert.theory import cache
from flowcert.theory.derivations import Derivation
from flowcert.theory.evaluation import evaluator, require_positive, uses_mpmath

T = TypeVar("T")

s = sp.Symbol("s", real=True)
sigma, x, y, d = sp.symbols("sigma x y d", positive=True)
L = sp.Symbol("L", integer=True, positive=True)
eta, eps, r, delta, lam_max = sp.symbols("eta epsilon r delta lambda_max", positive=True)
_z, _u, _t = sp.symbols("z u t", positive=True)


def _derivation(name: str, compute: Callable[[], T]) -> Callable[[], T]:
    """``compute`` as a cached derivation named ``name`` (theory.cache: memory and disk)."""
    compute.__module__, compute.__qualname__ = __name__, name
    return cache.derived(compute)

# ----------------------------------------------------------------------------- CV1


def derive_abs_gaussian_mellin() -> sp.Expr:
    """E|z|^s for z ~ N(0, 1), by integrating 2 z^s φ(z) over (0, ∞) (valid for s > −1)."""
    density = sp.exp(-_z**2 / 2) / sp.sqrt(2 * sp.pi)
    return sp.simplify(sp.integrate(2 * _z**s * density, (_z, 0, sp.oo), conds="none"))


def _cumulants(mellin: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """(mean, variance) of log X from E X^s: derivatives of log E X^s at s = 0."""
    generating = sp.log(mellin)
    first = sp.expand_func(sp.diff(generating, s).subs(s, 0))
    second = sp.expand_func(sp.diff(generating, s, 2).subs(s, 0))
    return sp.simplify(first), sp.simplify(second)


#: CV1: E|z|^s = 2^{s/2}Γ((s+1)/2)/√π (what :func:`derive_abs_gaussian_mellin` returns;
#: self_checks re-derives it, so import stays fast).
ABS_GAUSSIAN_MELLIN = 2 ** (s / 2) * sp.gamma((s + 1) / 2) / sp.sqrt(sp.pi)
#: CV1 as stated: E log|∏w| = L(log σ − (γ + ln 2)/2), Var log|∏w| = Lπ²/8, E(∏w)² = σ^{2L}.
CHAIN_LOG_MEAN_STATED = L * (sp.log(sigma) - (sp.EulerGamma + sp.log(2)) / 2)
CHAIN_LOG_VARIANCE_STATED = L * sp.pi**2 / 8
CHAIN_SQUARE_MEAN_STATED = sigma ** (2 * L)


@cache.derived
def derived() -> dict[str, sp.Expr]:
    """The derived CV1/CV3 expressions (computed once, on first use; also module attributes).

    CV1: log|∏w| = Σ(log σ + log|z_i|) with independent z_i, E(∏w)² = (σ²E z²)^L.
    CV3: ‖h_l‖²/‖h_{l−1}‖² = σ²χ²_d, so E log = ψ(d/2) + ln(2σ²) per layer.
    """
    abs_mean, abs_variance = _cumulants(ABS_GAUSSIAN_MELLIN)
    chi_mean, chi_variance = _cumulants(CHI_SQUARE_MELLIN)
    layer_mean = chi_mean + sp.log(sigma**2)
    return {
        "LOG_ABS_GAUSSIAN_MEAN": abs_mean, "LOG_ABS_GAUSSIAN_VARIANCE": abs_variance,
        "CHAIN_LOG_MEAN": L * (sp.log(sigma) + abs_mean),
        "CHAIN_LOG_VARIANCE": L * abs_variance,
        "CHAIN_SQUARE_MEAN": (sigma**2 * ABS_GAUSSIAN_MELLIN.subs(s, 2)) ** L,
        "LOG_CHI_SQUARE_MEAN": chi_mean, "LOG_CHI_SQUARE_VARIANCE": chi_variance,
        "LAYER_LOG_MEAN": layer_mean, "LAYER_LOG_VARIANCE": chi_variance,
        "XAVIER_DRIFT": sp.simplify(sp.expand_log(layer_mean.subs(sigma, 1 / sp.sqrt(d)),
                                                  force=True)),
    }


def __getattr__(name: str):
    """Derived expressions (see :func:`derived`) and DERIVATIONS, built on first access."""
    if name == "DERIVATIONS":
        return _derivations()
    if name in _DERIVED_NAMES:
        return derived()[name]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


_DERIVED_NAMES = frozenset({
    "LOG_ABS_GAUSSIAN_MEAN", "LOG_ABS_GAUSSIAN_VARIANCE", "CHAIN_LOG_MEAN",
    "CHAIN_LOG_VARIANCE", "CHAIN_SQUARE_MEAN", "LOG_CHI_SQUARE_MEAN",
    "LOG_CHI_SQUARE_VARIANCE", "LAYER_LOG_MEAN", "LAYER_LOG_VARIANCE", "XAVIER_DRIFT"})

# ----------------------------------------------------------------------------- CV2


def gaussian_moment(power: int, scale: sp.Expr = sigma) -> sp.Expr:
    """E w^k for w ~ N(0, scale²): scale^k (k−1)!! for even k, 0 for odd k."""
    if power % 2:
        return sp.Integer(0)
    return scale**power * sp.factorial2(power - 1)


def gaussian_expectation(expression: sp.Expr, weights: Sequence[sp.Symbol],
                         scale: sp.Expr = sigma) -> sp.Expr:
    """E over independent weights ~ N(0, scale²) of a polynomial in them (exact)."""
    polynomial = sp.Poly(sp.expand(expression), *weights)
    total = sp.Integer(0)
    for powers, coefficient in polynomial.terms():
        term = coefficient
        for power in powers:
            term *= gaussian_moment(power, scale)
        total += term
    return sp.expand(total)


def chain_weights(depth: int) -> list[sp.Symbol]:
    """w_1…w_depth as real symbols."""
    return list(sp.symbols(f"w_1:{depth + 1}", real=True))


def chain_derivative_moments(depth: int) -> dict[str, sp.Expr]:
    """CV2 derived for one depth: E g_1², E H_11, E H_12, E H_12² of f = ½(y − x∏w)²
    (cached per depth)."""
    if depth not in _CHAIN_MOMENTS:
        _CHAIN_MOMENTS[depth] = _derivation(f"chain_derivative_moments_{depth}",
                                            lambda: _derive_chain_moments(depth))
    return dict(_CHAIN_MOMENTS[depth]())


_CHAIN_MOMENTS: dict[int, Callable[[], dict]] = {}


def _derive_chain_moments(depth: int) -> dict[str, sp.Expr]:
    weights = chain_weights(depth)
    loss = (y - x * sp.Mul(*weights)) ** 2 / 2
    gradient = sp.diff(loss, weights[0])
    hessian_11 = sp.diff(loss, weights[0], 2)
    hessian_12 = sp.diff(loss, weights[0], weights[1])
    return {name: sp.factor(gaussian_expectation(value, weights))
            for name, value in (("E g_i^2", gradient**2), ("E H_ii", hessian_11),
                                ("E H_ij", hessian_12), ("E H_ij^2", hessian_12**2))}


#: CV2 as stated (E H_ij = 0 is stated for L ≥ 3).
CHAIN_DERIVATIVE_MOMENTS_STATED = {
    "E g_i^2": x**2 * y**2 * sigma ** (2 * (L - 1)) + 3 ** (L - 1) * x**4 * sigma ** (4 * L - 2),
    "E H_ii": x**2 * sigma ** (2 * (L - 1)),
    "E H_ij": sp.Integer(0),
    "E H_ij^2": 4 * 3 ** (L - 2) * x**4 * sigma ** (4 * L - 4)
    + x**2 * y**2 * sigma ** (2 * (L - 2)),
}


def chain_moment_residuals(depths: Sequence[int]) -> dict[tuple[int, str], sp.Expr]:
    """Derived minus stated CV2 moments for each depth (exactly 0 when the claim holds)."""
    residuals = {}
    for depth in depths:
        for name, derived in chain_derivative_moments(depth).items():
            stated = CHAIN_DERIVATIVE_MOMENTS_STATED[name].subs(L, depth)
            residuals[depth, name] = sp.simplify(derived - stated)
    return residuals


# ----------------------------------------------------------------------------- CV3


def derive_chi_square_mellin() -> sp.Expr:
    """E(χ²_d)^s by integrating u^s against the χ²_d density (valid for s > −d/2)."""
    density = _u ** (d / 2 - 1) * sp.exp(-_u / 2) / (2 ** (d / 2) * sp.gamma(d / 2))
    return sp.simplify(sp.integrate(_u**s * density, (_u, 0, sp.oo), conds="none"))


#: CV3: E(χ²_d)^s = 2^sΓ(d/2 + s)/Γ(d/2) (re-derived by self_checks).
CHI_SQUARE_MELLIN = 2**s * sp.gamma(d / 2 + s) / sp.gamma(d / 2)
#: CV3 as stated: E log‖y‖²/‖x‖² = L(ψ(d/2) + ln(2σ²)), Var = Lψ′(d/2).
NETWORK_LOG_MEAN_STATED = L * (sp.polygamma(0, d / 2) + sp.log(2 * sigma**2))
NETWORK_LOG_VARIANCE_STATED = L * sp.polygamma(1, d / 2)
XAVIER_DRIFT_SERIES = -1 / d - 1 / (3 * d**2) + sp.Rational(2, 15) / d**4


def drift_bound_proof_checks() -> dict[str, bool]:
    """CV3: the symbolic steps of the drift-bound proof in the module docstring."""
    k = sp.Symbol("k", integer=True, positive=True)
    # ∫₀^∞ t/(e^{2πt} − 1) dt = Σ_k ∫₀^∞ t e^{−2πkt} dt = Σ_k 1/(2πk)²
    binet_integral = sp.summation(sp.integrate(_t * sp.exp(-2 * sp.pi * k * _t),
                                               (_t, 0, sp.oo)), (k, 1, sp.oo))
    log_gap = sp.log(1 + _u) - 2 * _u / (2 + _u)
    lower = 2 * _u / (2 + _u) - _u / (2 * (1 + _u)) - _u**2 / (12 * (1 + _u) ** 2)
    numerator = sp.cancel(lower * 12 * (2 + _u) * (1 + _u) ** 2 / _u)
    return {
        "CV3 ∫₀^∞ t/(e^{2πt}−1) dt = 1/24, so I(x) < 1/(12x²)":
            sp.simplify(binet_integral - sp.Rational(1, 24)) == 0,
        "CV3 d/du[ln(1+u) − 2u/(2+u)] = u²/((1+u)(2+u)²) ≥ 0, zero at u = 0":
            sp.simplify(sp.diff(log_gap, _u) - _u**2 / ((1 + _u) * (2 + _u) ** 2)) == 0
            and log_gap.subs(_u, 0) == 0,
        "CV3 lower-bound remainder ∝ 12 + 28u + 17u² (positive coefficients)":
            sp.expand(numerator - (12 + 28 * _u + 17 * _u**2)) == 0,
        "CV3 series of ψ(d/2) − ln(d/2) is −1/d − 1/(3d²) + 2/(15d⁴) + O(d⁻⁶)":
            sp.simplify(sp.series(derived()["XAVIER_DRIFT"], d, sp.oo, 6).removeO()
                        - XAVIER_DRIFT_SERIES) == 0,
    }


# ----------------------------------------------------------------------------- CV4


def relu_ratio_law(width: int) -> list[tuple]:
    """CV4: [(p_b, b)] with R = (2/d)χ²_b w.p. p_b = C(d,b)2^{−d}/(1 − 2^{−d}), b = 1…d."""
    _check_width(width)
    normaliser = 1 - mpmath.mpf(2) ** -width
    weights, weight = [], mpmath.mpf(2) ** -width
    for b in range(1, width + 1):
        weight = weight * (width - b + 1) / b  # C(d, b) 2^{−d}, relative error ≤ b units
        weights.append((weight / normaliser, b))
    return weights


def relu_log_ratio_mean(width: int):
    """CV4: E log R = Σ_{b≥1} p_b[ψ(b/2) + ln 2 + ln(2/d)] (mpf at the current precision)."""
    scale = mpmath.log(mpmath.mpf(2) / width)
    return mpmath.fsum(p * (mpmath.digamma(mpmath.mpf(b) / 2) + mpmath.log(2) + scale)
                       for p, b in relu_ratio_law(width))


def _relu_log_ratio_mean_expression() -> sp.Expr:
    """CV4 as a SymPy sum over the active count b (width d a symbol, integer at evaluation):
    Σ_{b=1..d} C(d,b)2^{−d}/(1 − 2^{−d}) [ψ(b/2) + ln 2 + ln(2/d)]."""
    b = sp.Symbol("b", integer=True, positive=True)
    weight = sp.binomial(d, b) * 2**-d / (1 - 2**-d)
    return sp.Sum(weight * (sp.polygamma(0, b / 2) + sp.log(2) + sp.log(2 / d)), (b, 1, d))


def _relu_sum_matches(digits: int = 30) -> bool:
    """CV4: :func:`relu_log_ratio_mean` equals the symbolic sum for d = 1, 2, 7, 20."""
    expression = _relu_log_ratio_mean_expression()
    with mpmath.workdps(digits):
        return all(abs(relu_log_ratio_mean(width)
                       - mpmath.mpf(str(sp.N(expression.subs(d, width), digits))))
                   <= mpmath.mpf(10) ** (5 - digits) for width in (1, 2, 7, 20))


def relu_log_ratio_variance(width: int):
    """CV4: Var log R = Σ p_b[ψ′(b/2) + m_b²] − (E log R)², m_b = ψ(b/2) + ln 2 + ln(2/d)."""
    scale = mpmath.log(mpmath.mpf(2) / width)
    mean = relu_log_ratio_mean(width)
    second = mpmath.fsum(p * (mpmath.psi(1, mpmath.mpf(b) / 2)
                              + (mpmath.digamma(mpmath.mpf(b) / 2) + mpmath.log(2) + scale) ** 2)
                         for p, b in relu_ratio_law(width))
    return second - mean**2


def relu_death_probability(width: int):
    """CV4: P(B = 0) = 2^{−d}, a layer with no positive pre-activation."""
    _check_width(width)
    return mpmath.mpf(2) ** -width


def relu_drift_approximation(width: int):
    """CV4 as stated: E log R ≈ −5/(2d)."""
    _check_width(width)
    return mpmath.mpf(-5) / (2 * width)


def relu_drift_second_order(width: int):
    """CV4, next term: E log R = −5/(2d) − 49/(12d²) + O(d⁻³).

    Delta method around m = d/2 (conditioning on B ≥ 1 changes moments by O(2^{−d})):
    ψ(b/2) = ln(b/2) − 1/b − 1/(3b²) + O(b⁻⁴); with the central moments of Bin(d, ½)
    (μ₂ = d/4, μ₃ = 0, μ₄ = 3d²/16 − d/8), E ln(B/m) = −1/(2d) − 3/(4d²) + O(d⁻³),
    E 1/B = 2/d + 2/d² + O(d⁻³) and E 1/(3B²) = 4/(3d²) + O(d⁻³); the sum is
    −5/(2d) − (3/4 + 2 + 4/3)/d² = −5/(2d) − 49/(12d²).
    """
    _check_width(width)
    return mpmath.mpf(-49) / (12 * width**2)


# ----------------------------------------------------------------------------- CV5


def derive_jacobian_trace_mean(width: int, depth: int) -> sp.Expr:
    """E tr(JᵀJ) of y = W_L⋯W_1x (d×d layers) from the network itself, for small (d, L).

    J = ∂y/∂(all weights) is formed symbolically and tr(JᵀJ) = Σ (∂y_i/∂w)² is averaged
    with the Gaussian moment rule; x stays symbolic. Cached per (d, L).
    """
    key = (width, depth)
    if key not in _JACOBIAN_TRACES:
        _JACOBIAN_TRACES[key] = _derivation(f"jacobian_trace_mean_{width}_{depth}",
                                            lambda: _derive_jacobian_trace(width, depth))
    return _JACOBIAN_TRACES[key]()


_JACOBIAN_TRACES: dict[tuple[int, int], Callable[[], sp.Expr]] = {}


def _derive_jacobian_trace(width: int, depth: int) -> sp.Expr:
    inputs = sp.Matrix(sp.symbols(f"x_1:{width + 1}", real=True))
    layers = [sp.Matrix(width, width, lambda i, j, k=k: sp.Symbol(f"w{k}_{i}{j}", real=True))
              for k in range(1, depth + 1)]
    output = inputs
    for layer in layers:
        output = layer * output
    weights = [w for layer in layers for w in layer]
    trace = sum(sp.diff(component, w) ** 2 for component in output for w in weights)
    return gaussian_expectation(trace, weights)


def jacobian_trace_mean_stated(width: int, depth: int, inputs: Sequence) -> sp.Expr:
    """CV5 as stated: E tr(JᵀJ) = L d (dσ²)^{L−1} ‖x‖²."""
    norm_sq = sum(sp.sympify(v) ** 2 for v in inputs)
    return depth * width * (width * sigma**2) ** (depth - 1) * norm_sq


# ----------------------------------------------------------------------------- CV6

#: CV6: GD on ½xᵀHx multiplies the λ_min = −ε coordinate by (1 + ηε): radius r at t*.
ESCAPE_TIME = sp.log(r / delta) / sp.log(1 + eta * eps)
#: CV6: with η ≤ 2/λ_max, ln(1 + ηε) ≤ ηε gives t* ≥ λ_max ln(r/δ)/(2ε).
ESCAPE_TIME_LOWER_BOUND = lam_max * sp.log(r / delta) / (2 * eps)


def _escape_checks() -> dict[str, bool]:
    k = sp.Symbol("k", positive=True)
    coordinate = delta * (1 + eta * eps) ** k
    gradient_step = coordinate - eta * (-eps) * coordinate
    c, g, m_prev, v_prev = sp.symbols("c g m v", positive=True)
    beta1, beta2 = sp.symbols("beta_1 beta_2", positive=True)

    def adam_direction(scale):
        """m'/√v' after one step with gradient scale·g from moments (scale·m, scale²·v)."""
        first = beta1 * scale * m_prev + (1 - beta1) * scale * g
        second = beta2 * scale**2 * v_prev + (1 - beta2) * (scale * g) ** 2
        return first / sp.sqrt(second)
    return {
        "CV6 GD step on ½xᵀHx along λ = −ε: x_{k+1} = (1 + ηε)x_k":
            sp.simplify(gradient_step - coordinate.subs(k, k + 1)) == 0,
        "CV6 δ(1 + ηε)^{t*} = r": sp.simplify(
            sp.expand_log(sp.log(coordinate.subs(k, ESCAPE_TIME)) - sp.log(r),
                          force=True)) == 0,
        "CV6 ln(1+u) ≤ u (derivative of u − ln(1+u) is u/(1+u) ≥ 0, zero at 0)":
            sp.simplify(sp.diff(_u - sp.log(1 + _u), _u) - _u / (1 + _u)) == 0,
        "CV6 Adam/RMSProp (eps = 0) moments scale as (c m, c² v): update invariant in c":
            sp.simplify(adam_direction(c) - adam_direction(1)) == 0,
    }


# ----------------------------------------------------------------------------- self-checks


def _is_zero(expression: sp.Expr) -> bool:
    return sp.simplify(expression) == 0


def _cv1_checks() -> dict[str, bool]:
    e = derived()
    return {
        "CV1 integrating 2z^sφ(z) over (0, ∞) gives E|z|^s = 2^{s/2}Γ((s+1)/2)/√π":
            _is_zero(derive_abs_gaussian_mellin() - ABS_GAUSSIAN_MELLIN),
        "CV1 derived E log|∏w| equals the stated L(log σ − (γ+ln 2)/2)":
            _is_zero(e["CHAIN_LOG_MEAN"] - CHAIN_LOG_MEAN_STATED),
        "CV1 derived Var log|∏w| equals the stated Lπ²/8":
            _is_zero(e["CHAIN_LOG_VARIANCE"] - CHAIN_LOG_VARIANCE_STATED),
        "CV1 derived E(∏w)² equals the stated σ^{2L}":
            _is_zero(e["CHAIN_SQUARE_MEAN"] - CHAIN_SQUARE_MEAN_STATED),
    }


def _cv3_checks() -> dict[str, bool]:
    e = derived()
    return {
        "CV3 integrating u^s against the χ²_d density gives 2^sΓ(d/2+s)/Γ(d/2)":
            _is_zero(derive_chi_square_mellin() - CHI_SQUARE_MELLIN),
        "CV3 derived E log χ²_d = ψ(d/2) + ln 2 gives the stated per-layer mean":
            _is_zero(L * e["LAYER_LOG_MEAN"] - sp.expand_log(NETWORK_LOG_MEAN_STATED, force=True)),
        "CV3 derived Var log χ²_d = ψ′(d/2)":
            _is_zero(L * e["LAYER_LOG_VARIANCE"] - NETWORK_LOG_VARIANCE_STATED),
        "CV3 Xavier drift is ψ(d/2) − ln(d/2)":
            _is_zero(e["XAVIER_DRIFT"] - (sp.polygamma(0, d / 2) - sp.log(d / 2))),
        **drift_bound_proof_checks(),
    }


def _cv4_checks() -> dict[str, bool]:
    return {"CV4 relu_log_ratio_mean equals the SymPy sum Σ_b p_b[ψ(b/2) + ln 2 + ln(2/d)] "
            "(d = 1, 2, 7, 20)": _relu_sum_matches()}


#: The symbolic checks of each claim (each computed once, cached with theory.cache).
CLAIM_CHECKS: dict[str, Callable[[], dict[str, bool]]] = {
    claim_id: _derivation(f"checks_{claim_id}", function)
    for claim_id, function in (("CV1", _cv1_checks), ("CV3", _cv3_checks),
                               ("CV4", _cv4_checks), ("CV6", _escape_checks))}


def claim_checks(claim_id: str) -> dict[str, bool]:
    """The symbolic identities behind claim ``claim_id`` (CV1, CV3, CV4, CV6; CV2 and CV5
    compare derived and stated moments directly); every value must be True."""
    return dict(CLAIM_CHECKS[claim_id]())


def self_checks() -> dict[str, bool]:
    """Every symbolic identity of :func:`claim_checks`."""
    return {name: ok for claim_id in CLAIM_CHECKS for name, ok in claim_checks(claim_id).items()}


# ----------------------------------------------------------------------------- evaluators

@functools.cache
def _evaluators() -> dict[str, Callable]:
    e = derived()
    return {
        "chain_log_mean": evaluator(e["CHAIN_LOG_MEAN"], (L, sigma)),
        "chain_log_variance": evaluator(e["CHAIN_LOG_VARIANCE"], (L,)),
        "chain_square_mean": evaluator(e["CHAIN_SQUARE_MEAN"], (L, sigma)),
        "layer_log_mean": evaluator(e["LAYER_LOG_MEAN"], (d, sigma)),
        "layer_log_variance": evaluator(e["LAYER_LOG_VARIANCE"], (d,)),
        "xavier_drift": evaluator(e["XAVIER_DRIFT"], (d,)),
    }


@functools.cache
def _escape_evaluators() -> tuple[Callable, Callable]:
    return (evaluator(ESCAPE_TIME, (r, delta, eta, eps)),
            evaluator(ESCAPE_TIME_LOWER_BOUND, (r, delta, lam_max, eps)))


def chain_log_mean(depth, scale):
    """CV1: E log|w_1⋯w_L| = L(log σ + E log|z|), E log|z| = −(γ + ln 2)/2 (derived)."""
    _check_count("depth", depth)
    require_positive(scale=scale)
    return _evaluators()["chain_log_mean"](depth, scale)


def chain_log_variance(depth):
    """CV1: Var log|w_1⋯w_L| = L Var log|z| = Lπ²/8 (derived), independent of σ."""
    _check_count("depth", depth)
    return _evaluators()["chain_log_variance"](depth)


def chain_square_mean(depth, scale):
    """CV1: E(w_1⋯w_L)² = σ^{2L}."""
    _check_count("depth", depth)
    require_positive(scale=scale)
    return _evaluators()["chain_square_mean"](depth, scale)


def layer_log_mean(width, scale):
    """CV3: E log(‖W h‖²/‖h‖²) = ψ(d/2) + ln(2σ²) (σ²χ²_d law)."""
    _check_count("width", width)
    require_positive(scale=scale)
    return _evaluators()["layer_log_mean"](width, scale)


def layer_log_variance(width):
    """CV3: Var log(‖W h‖²/‖h‖²) = ψ′(d/2)."""
    _check_count("width", width)
    return _evaluators()["layer_log_variance"](width)


def layer_ratio_law(width: int, scale) -> tuple[int, float]:
    """CV3: ‖W h‖²/‖h‖² = σ²χ²_d; returns (degrees of freedom d, scale σ²)."""
    _check_width(width)
    require_positive(scale=scale)
    return width, scale**2


def xavier_drift(width):
    """CV3: ψ(d/2) − ln(d/2), the per-layer drift of E log‖y‖² (and of its median) at σ² = 1/d.

    Accepts any real d > 0 (the bounds are proved for all of them)."""
    require_positive(width=width)
    return _evaluators()["xavier_drift"](width)


def drift_bound_margins(width) -> tuple:
    """CV3: (drift + 2/d, −1/d − drift) with the derived drift (:func:`xavier_drift`), in
    mpmath at the current precision; both > 0 is the claim (−2/d, −1/d)."""
    require_positive(width=width)
    width = mpmath.mpf(width)
    drift = xavier_drift(width)
    return drift + 2 / width, -1 / width - drift


def network_log_mean(width, depth, scale, input_norm_sq=1):
    """CV3: E log‖W_L⋯W_1x‖² = log‖x‖² + L(ψ(d/2) + ln(2σ²))."""
    _check_count("depth", depth)
    mean = layer_log_mean(width, scale)
    return mpmath.log(input_norm_sq) + depth * mean if uses_mpmath(mean) \
        else math.log(input_norm_sq) + depth * mean


def network_log_variance(width, depth):
    """CV3: Var log‖W_L⋯W_1x‖² = Lψ′(d/2)."""
    _check_count("depth", depth)
    return depth * layer_log_variance(width)


def jacobian_trace_mean(width: int, depth: int, scale, input_norm_sq=1):
    """CV5: E tr(JᵀJ) = L d (dσ²)^{L−1} ‖x‖²."""
    _check_width(width)
    _check_depth(depth)
    require_positive(scale=scale)
    return depth * width * (width * scale**2) ** (depth - 1) * input_norm_sq


def escape_time(radius, offset, step, curvature):
    """CV6: t* = ln(r/δ)/ln(1 + ηε), steps for GD to grow an offset δ along λ = −ε to r."""
    require_positive(radius=radius, offset=offset, step=step, curvature=curvature)
    return _escape_evaluators()[0](radius, offset, step, curvature)


def escape_time_lower_bound(radius, offset, top_eigenvalue, curvature):
    """CV6: t* ≥ λ_max ln(r/δ)/(2ε) whenever η ≤ 2/λ_max."""
    require_positive(radius=radius, offset=offset, top_eigenvalue=top_eigenvalue,
                     curvature=curvature)
    return _escape_evaluators()[1](radius, offset, top_eigenvalue, curvature)


def _check_width(width) -> None:
    if isinstance(width, bool) or not isinstance(width, int) or width < 1:
        raise ValueError(f"width must be an integer ≥ 1, got {width!r}")


def _check_depth(depth) -> None:
    if isinstance(depth, bool) or not isinstance(depth, int) or depth < 1:
        raise ValueError(f"depth must be an integer ≥ 1, got {depth!r}")


def _check_count(name: str, value) -> None:
    """An integer ≥ 1, given as int or as an integral mpf (which makes the evaluators return
    an mpf at the current precision)."""
    integral = isinstance(value, int) and not isinstance(value, bool) or (
        isinstance(value, mpmath.mpf) and mpmath.isint(value))
    if not integral or value < 1:
        raise ValueError(f"{name} must be an integer ≥ 1, got {value!r}")


#: Public evaluators by claim id.
EVALUATORS: dict[str, tuple[Callable, ...]] = {
    "CV1": (chain_log_mean, chain_log_variance, chain_square_mean),
    "CV2": (chain_derivative_moments, chain_moment_residuals),
    "CV3": (layer_log_mean, layer_log_variance, layer_ratio_law, xavier_drift,
            drift_bound_margins, network_log_mean, network_log_variance),
    "CV4": (relu_ratio_law, relu_log_ratio_mean, relu_log_ratio_variance,
            relu_death_probability, relu_drift_approximation, relu_drift_second_order),
    "CV5": (derive_jacobian_trace_mean, jacobian_trace_mean),
    "CV6": (escape_time, escape_time_lower_bound),
}

@functools.cache
def _derivations() -> tuple[Derivation, ...]:
    """Derived expressions pinned by value (theory.derivations); module attribute
    ``DERIVATIONS``."""
    e = derived()
    return (
        Derivation("CV1 E log|∏w|", "CV1", e["CHAIN_LOG_MEAN"],
                   ({"L": "3", "sigma": "7/10"},)),
        Derivation("CV1 Var log|∏w|", "CV1", e["CHAIN_LOG_VARIANCE"], ({"L": "5"},)),
        *_chain_moment_derivations(),
        Derivation("CV3 per-layer E log ratio", "CV3", e["LAYER_LOG_MEAN"],
                   ({"d": "4", "sigma": "1/2"}, {"d": "7", "sigma": "3/5"})),
        Derivation("CV3 Xavier drift", "CV3", e["XAVIER_DRIFT"], ({"d": "1"}, {"d": "64"})),
        Derivation("CV4 ReLU E log R = Σ_b p_b[ψ(b/2) + ln 2 + ln(2/d)]", "CV4",
                   _relu_log_ratio_mean_expression(), ({"d": "1"}, {"d": "8"}, {"d": "30"})),
        Derivation("CV5 E tr(JᵀJ) derived from the network, d = 2, L = 3", "CV5",
                   derive_jacobian_trace_mean(2, 3),
                   ({"x_1": "1", "x_2": "-1/2", "sigma": "7/10"},
                    {"x_1": "3", "x_2": "2", "sigma": "1/2"})),
        Derivation("CV6 escape time", "CV6", ESCAPE_TIME,
                   ({"r": "1", "delta": "1/1000", "eta": "1/10", "epsilon": "1/100"},)),
    )


def _chain_moment_derivations() -> tuple[Derivation, ...]:
    """CV2: the Gaussian-moment derivations of E g_i², E H_ii, E H_ij² at depth L = 4."""
    moments = chain_derivative_moments(4)
    points = ({"x": "1", "y": "1", "sigma": "1/2"}, {"x": "2", "y": "1/3", "sigma": "6/5"})
    labels = {"E g_i^2": "E g_i²", "E H_ii": "E H_ii", "E H_ij^2": "E H_ij²"}
    derivations = []
    for key, label in labels.items():
        used = {symbol.name for symbol in moments[key].free_symbols}
        derivations.append(Derivation(
            f"CV2 {label} derived by Gaussian moments, L = 4", "CV2", moments[key],
            tuple({name: value for name, value in point.items() if name in used}
                  for point in points)))
    return tuple(derivations)
