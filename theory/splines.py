"""Spline implicit bias of wide ReLU networks: claims SP1–SP3 and SP6 (THEORY.md, family SP).

Setup: f(x) = Σ_k a_k[w_k x + b_k]₊ with (w_k, b_k) i.i.d. from p_{W,B}; the wide limit of the
output layer is the kernel K(x, x′) = E[σ(Wx+B)σ(Wx′+B)].

* SP1: ζ(x) = ∫|W|³ p_{W,B}(W, −Wx) dW, derived here from a density written in SymPy
  (:func:`penalty_from_density`): the integral is split into W = ±w, w > 0, and x = ±ξ, ξ > 0,
  so that the support indicators Heaviside(c − q·w) become upper limits of the w-integral
  (min(l₁, l₂) = 1/max(1/l₁, 1/l₂), finite at x = 0) and SymPy integrates the rest (Dirac
  deltas included). Closed forms (SP1): Gaussian 2σw³σb³/(π(σb²+σw²x²)²); uniform
  min(aw, ab/|x|)⁴/(8 aw ab); ±1 × uniform 1/(2ab) on |x| ≤ ab; circle 1/(π(1+x²)²).
* SP2: ∂²K/∂x²(x, x′) = ζ(x)|x − x′|/2 for p(W,B) = p(−W,−B); for Gaussian init K is the
  arc-cosine kernel (|u||v|/2π)(sin θ + (π − θ)cos θ), u = (σw x, σb), v = (σw x′, σb).
* SP3: cᵀKc = ¼∫ζ(Σc_j|x−x_j|)² + ¼E[W²](Σc_jx_j)² + ¼E[B²](Σc_j)².
* SP6: for the linear (output-layer) model, f_t − f₀ = K(·,X)K⁻¹(I − e^{−ηtK})(y − f₀(X)).

Nothing symbolic runs at import: every derivation (ζ and the moments per initialisation, the
kernel's second derivative, the symbolic checks of each claim) is a
:func:`~flowcert.theory.cache.derived` function, computed on first use and cached in memory
and on disk; ``DERIVATIONS`` is built when first accessed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import TypeVar

import mpmath
import sympy as sp

from flowcert.theory.cache import derived
from flowcert.theory.derivations import Derivation

T = TypeVar("T")

W, B = sp.symbols("W B", real=True)
x, x_prime = sp.symbols("x x_prime", real=True)
sigma_w, sigma_b, a_w, a_b = sp.symbols("sigma_w sigma_b a_w a_b", positive=True)
#: Integration variables: |W| = w on each half line, |x| = ξ on each side of 0.
_w, _xi = sp.symbols("w xi", positive=True)
_r, _phi = sp.symbols("r phi", positive=True)

#: Initialisations of SP1 and the names of their (positive) parameters.
INIT_PARAMETERS: dict[str, tuple[str, ...]] = {
    "gaussian": ("sigma_w", "sigma_b"),
    "uniform": ("a_w", "a_b"),
    "sign_uniform": ("a_b",),
    "circle": (),
}
_SYMBOLS = {"sigma_w": sigma_w, "sigma_b": sigma_b, "a_w": a_w, "a_b": a_b}


def _derivation(name: str, compute: Callable[[], T]) -> Callable[[], T]:
    """``compute`` as a :func:`derived` derivation named ``name`` (memory and disk cache)."""
    compute.__module__, compute.__qualname__ = __name__, name
    return derived(compute)


def _indicator(argument: sp.Expr) -> sp.Expr:
    """1 where ``argument`` > 0 (Heaviside; its value on the boundary is immaterial)."""
    return sp.Heaviside(argument)


def density(init: str) -> sp.Expr:
    """p_{W,B}(W, B) of an initialisation as a SymPy expression with symbolic parameters.

    gaussian: N(0, σw²) × N(0, σb²); uniform: U[−aw, aw] × U[−ab, ab]; sign_uniform:
    W = ±1 (½ each) × U[−ab, ab]; circle: (W, B) uniform on the unit circle,
    δ(√(W²+B²) − 1)/(2π√(W²+B²)).
    """
    _check_init(init)
    radius = sp.sqrt(W**2 + B**2)
    return {
        "gaussian": sp.exp(-W**2 / (2 * sigma_w**2) - B**2 / (2 * sigma_b**2))
        / (2 * sp.pi * sigma_w * sigma_b),
        "uniform": _indicator(a_w - sp.Abs(W)) * _indicator(a_b - sp.Abs(B)) / (4 * a_w * a_b),
        "sign_uniform": (sp.DiracDelta(W - 1) + sp.DiracDelta(W + 1)) / 2
        * _indicator(a_b - sp.Abs(B)) / (2 * a_b),
        "circle": sp.DiracDelta(radius - 1) / (2 * sp.pi * radius),
    }[init]


# ----------------------------------------------------------------------------- SP1


def _upper_limit_form(integrand: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """Split Heaviside(c − q·w) factors (decreasing in w) off as an upper limit of ∫dw.

    Returns (remaining integrand, upper limit); the limit is 1/max(1/l_i) = min(l_i), written
    so that l = c/(qξ) → ∞ at ξ = 0 stays finite.
    """
    factors, reciprocals = [], []
    for factor in sp.Mul.make_args(sp.expand_power_base(integrand)):
        if isinstance(factor, sp.Heaviside):
            argument = factor.args[0]
            roots = sp.solve(argument, _w)
            if sp.diff(argument, _w).is_negative and len(roots) == 1:
                reciprocals.append(sp.simplify(1 / roots[0]))
                continue
        factors.append(factor)
    if not reciprocals:
        return sp.Mul(*factors), sp.oo
    return sp.Mul(*factors), 1 / sp.Max(*reciprocals)


def _half_line_integral(dens: sp.Expr, w_sign: int, x_sign: int, power: int) -> sp.Expr:
    """∫₀^∞ w^power p(±w, ∓w·(±ξ)) dw for one sign of W and one sign of x."""
    integrand = _w**power * dens.subs({W: w_sign * _w, B: -w_sign * _w * x_sign * _xi},
                                      simultaneous=True)
    remaining, upper = _upper_limit_form(integrand)
    return sp.integrate(remaining, (_w, 0, upper))


def _indicators_as_piecewise(expression: sp.Expr) -> sp.Expr:
    """Heaviside(n/d) → Piecewise((1, n ≥ 0), (0, True)) when d > 0 (d is a power of ξ)."""
    def indicator(argument, *_):
        numerator, denominator = sp.fraction(sp.together(argument))
        condition = numerator if denominator.is_positive else argument
        return sp.Piecewise((1, condition >= 0), (0, True))

    return expression.replace(sp.Heaviside, indicator)


def penalty_from_density(dens: sp.Expr, power: int = 3) -> sp.Expr:
    """ζ(x) = ∫|W|^power p(W, −Wx) dW (SP1 with power = 3) for a SymPy density in W, B.

    Any density SymPy can integrate along the rays B = −Wx works (products of Gaussians,
    box indicators written as Heaviside, Dirac deltas). Returns an expression in ``x``: in
    |x| when both signs of x give the same function of ξ = |x|, else a Piecewise in x.
    ``power`` other than 3 is only for negative controls.
    """
    if not isinstance(power, int) or power < 0:
        raise ValueError(f"power must be a non-negative integer, got {power!r}")
    sides = [_indicators_as_piecewise(sp.simplify(sum(
        _half_line_integral(dens, w_sign, x_sign, power) for w_sign in (1, -1))))
        for x_sign in (1, -1)]
    if any(side.has(sp.Integral) for side in sides):
        raise ValueError(f"SymPy could not integrate the density {dens} along B = −Wx")
    if sp.simplify(sides[0] - sides[1]) == 0:
        result = sides[0].subs(_xi, sp.Abs(x))
    else:
        result = sp.Piecewise((sides[0].subs(_xi, x), x >= 0), (sides[1].subs(_xi, -x), True))
    return result


_PENALTIES = {init: _derivation(f"penalty_{init}",
                                lambda init=init: penalty_from_density(density(init)))
              for init in INIT_PARAMETERS}


def derived_penalty(init: str) -> sp.Expr:
    """SP1: ζ of ``init`` derived from its density with symbolic parameters (cached)."""
    _check_init(init)
    return _PENALTIES[init]()


def _parameter_values(init: str, params: dict) -> dict:
    """Validated {symbol: exact positive number} for ``init``; ValueError names the problem."""
    _check_init(init)
    expected = INIT_PARAMETERS[init]
    unknown, missing = set(params) - set(expected), set(expected) - set(params)
    if unknown or missing:
        raise ValueError(f"init {init!r} takes parameters {expected or 'none'}; "
                         f"unknown {sorted(unknown)}, missing {sorted(missing)}")
    values = {}
    for name, value in params.items():
        number = _exact(value, name)
        if not (number.is_positive and number.is_finite):
            raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
        values[_SYMBOLS[name]] = number
    return values


def _exact(value, name: str) -> sp.Expr:
    """An int/float/str/Rational/mpf as an exact SymPy number (floats exactly as stored)."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a number, got {value!r}")
    if isinstance(value, float | mpmath.mpf):
        if not mpmath.isfinite(value):
            raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
        mantissa, exponent = mpmath.mpf(value).man_exp
        return sp.Integer(mantissa) * sp.Integer(2) ** exponent
    try:
        number = sp.sympify(value, rational=True)
    except (sp.SympifyError, TypeError) as error:
        raise ValueError(f"{name} must be a number, got {value!r}") from error
    if not number.is_number or not number.is_real:
        raise ValueError(f"{name} must be a real number, got {value!r}")
    return number


def curvature_penalty(init: str, **params) -> sp.Expr:
    """ζ(x) (SP1) for ``init`` ∈ {"gaussian" (sigma_w, sigma_b), "uniform" (a_w, a_b),
    "sign_uniform" (a_b), "circle"}, derived from the density and simplified, as a SymPy
    expression in :data:`x` with the parameter values substituted exactly."""
    values = _parameter_values(init, params)
    return derived_penalty(init).subs(values)


def stated_penalty(init: str) -> sp.Expr:
    """SP1's closed forms as written in THEORY.md (symbolic parameters; uniform for x ≠ 0)."""
    _check_init(init)
    return {
        "gaussian": 2 * sigma_w**3 * sigma_b**3 / (sp.pi * (sigma_b**2 + sigma_w**2 * x**2)**2),
        "uniform": sp.Min(a_w, a_b / sp.Abs(x))**4 / (8 * a_w * a_b),
        "sign_uniform": sp.Piecewise((1 / (2 * a_b), sp.Abs(x) <= a_b), (0, True)),
        "circle": 1 / (sp.pi * (1 + x**2)**2),
    }[init]


def _moment_polar(dens: sp.Expr, weight: sp.Expr) -> sp.Expr:
    polar = {W: _r * sp.cos(_phi), B: _r * sp.sin(_phi)}
    inner = sp.integrate(sp.simplify((weight * dens).subs(polar, simultaneous=True) * _r),
                         (_r, 0, sp.oo))
    return sp.integrate(inner, (_phi, 0, 2 * sp.pi))


def _integrate_moments(init: str) -> tuple[sp.Expr, sp.Expr]:
    """(E[W²], E[B²]) integrated from the density (polar coordinates when SymPy cannot do
    the Cartesian double integral, e.g. for the circle's delta)."""
    dens = density(init)
    moments = []
    for weight in (W**2, B**2):
        value = sp.integrate(weight * dens, (W, -sp.oo, sp.oo), (B, -sp.oo, sp.oo))
        if value.has(sp.Integral):
            value = _moment_polar(dens, weight)
        moments.append(sp.simplify(value))
    return moments[0], moments[1]


_MOMENTS = {init: _derivation(f"moments_{init}", lambda init=init: _integrate_moments(init))
            for init in INIT_PARAMETERS}


def derived_moments(init: str) -> tuple[sp.Expr, sp.Expr]:
    """SP3: (E[W²], E[B²]) of ``init`` with symbolic parameters (cached)."""
    _check_init(init)
    return _MOMENTS[init]()


def second_moments(init: str, **params) -> tuple[sp.Expr, sp.Expr]:
    """(E[W²], E[B²]) of the initialisation, integrated from its density (SP3)."""
    values = _parameter_values(init, params)
    first, second = derived_moments(init)
    return first.subs(values), second.subs(values)


def rational_to_mpf(value) -> mpmath.mpf:
    """An exact SymPy rational as an mpf rounded once at the current precision."""
    number = sp.Rational(value)
    return mpmath.mpf(number.p) / number.q


def penalty_breakpoints(init: str, **params) -> list:
    """The points ±x where ζ is not smooth (a Max switches branch or a Piecewise condition
    changes), found from the derived expression; quadratures of ζ split there."""
    roots = _breakpoint_roots(init, tuple(sorted(params.items())))
    return sorted(sign * rational_to_mpf(root) for root in roots for sign in (1, -1))


@functools.cache
def _breakpoint_roots(init: str, items: tuple) -> tuple:
    expression = curvature_penalty(init, **dict(items)).subs(sp.Abs(x), _xi)
    equations = [sp.Eq(*m.args[:2]) for m in expression.atoms(sp.Max)]
    equations += [sp.Eq(r.lhs, r.rhs) for r in expression.atoms(sp.Rel)]
    return tuple({root for equation in equations for root in sp.solve(equation, _xi)})


def penalty_evaluator(init: str, **params) -> Callable:
    """ζ as a function of an mpmath number, evaluated at the current mpmath precision."""
    compiled = _compiled_penalty(init, tuple(sorted(params.items())))
    return lambda value: mpmath.mpf(compiled(mpmath.mpf(value)))


@functools.cache
def _compiled_penalty(init: str, items: tuple) -> Callable:
    """The lambdified ζ of ``init`` at the parameters ``items`` (compiled once)."""
    return sp.lambdify(x, curvature_penalty(init, **dict(items)), modules="mpmath")


# ----------------------------------------------------------------------------- SP2


def arc_cosine_kernel() -> sp.Expr:
    """K(x, x′) = E[σ(Wx+B)σ(Wx′+B)] for W ~ N(0, σw²), B ~ N(0, σb²) (Cho & Saul, order 1):
    (|u||v|/2π)(sin θ + (π − θ) cos θ), u = (σw x, σb), v = (σw x′, σb), cos θ = u·v/|u||v|."""
    norm_u = sp.sqrt(sigma_w**2 * x**2 + sigma_b**2)
    norm_v = sp.sqrt(sigma_w**2 * x_prime**2 + sigma_b**2)
    cosine = (sigma_w**2 * x * x_prime + sigma_b**2) / (norm_u * norm_v)
    angle = sp.acos(cosine)
    return norm_u * norm_v * (sp.sqrt(1 - cosine**2) + (sp.pi - angle) * cosine) / (2 * sp.pi)


def gaussian_kernel_evaluator(**params) -> Callable:
    """K(x, x′) of :func:`arc_cosine_kernel` in the cancellation-free form
    (σwσb|x − x′| + (π − θ)(σw²xx′ + σb²))/(2π), θ = atan2(σwσb|x − x′|, σw²xx′ + σb²)
    (|u||v| sin θ = |u × v| = σwσb|x − x′|), as a function of two mpmath numbers."""
    values = _parameter_values("gaussian", params)
    scale_w, scale_b = (rational_to_mpf(values[s]) for s in (sigma_w, sigma_b))

    def kernel(first, second):
        cross = scale_w * scale_b * abs(mpmath.mpf(first) - second)
        dot = scale_w**2 * first * second + scale_b**2
        return (cross + (mpmath.pi - mpmath.atan2(cross, dot)) * dot) / (2 * mpmath.pi)

    return kernel


def kernel_curvature_evaluator(**params) -> Callable:
    """∂²K/∂x² of the arc-cosine kernel (SymPy derivative), a function of two mpmath numbers
    with x ≠ x′."""
    return _compiled_kernel_curvature(tuple(sorted(params.items())))


_KERNEL_CURVATURE = _derivation("kernel_curvature",
                                lambda: kernel_curvature(arc_cosine_kernel()))


@functools.cache
def _compiled_kernel_curvature(items: tuple) -> Callable:
    values = _parameter_values("gaussian", dict(items))
    return sp.lambdify((x, x_prime), _KERNEL_CURVATURE().subs(values), modules="mpmath")


def kernel_identity_holds(kernel: sp.Expr, penalty: sp.Expr) -> bool:
    """SP2 symbolically: ∂²K/∂x² − ζ(x)|x − x′|/2 simplifies to 0 on both sides x′ = x ± d."""
    gap = sp.diff(kernel, x, 2) - penalty * sp.Abs(x - x_prime) / 2
    distance = sp.Symbol("d", positive=True)
    return all(sp.simplify(gap.subs(x_prime, x + side * distance)) == 0 for side in (1, -1))


def kernel_curvature(kernel: sp.Expr) -> sp.Expr:
    """∂²K/∂x² (x, x′) of a kernel expression (SP2's left side)."""
    return sp.diff(kernel, x, 2)


# ----------------------------------------------------------------------------- SP3


def rkhs_norm_from_penalty(coefficients: Sequence, points: Sequence, penalty: Callable,
                           moment_w, moment_b, breakpoints: Sequence = ()):
    """¼∫ζ(Σc_j|x−x_j|)² + ¼E[W²](Σc_jx_j)² + ¼E[B²](Σc_j)² (SP3), mpmath.quad at the
    current precision, split at the points x_j (where the square has kinks) and at the
    ``breakpoints`` of ζ."""
    c = [mpmath.mpf(v) for v in coefficients]
    nodes = [mpmath.mpf(v) for v in points]

    def integrand(value):
        return penalty(value) * sum(cj * abs(value - xj) for cj, xj in zip(c, nodes,
                                                                            strict=True))**2

    breaks = [-mpmath.inf, *sorted(set(nodes) | {mpmath.mpf(b) for b in breakpoints}),
              mpmath.inf]
    integral = mpmath.quad(integrand, breaks)
    linear = sum(cj * xj for cj, xj in zip(c, nodes, strict=True))
    return (integral + mpmath.mpf(moment_w) * linear**2 + mpmath.mpf(moment_b) * sum(c)**2) / 4


# ----------------------------------------------------------------------------- SP6


def linearised_flow(kernel_eval, kernel_data, residual, rate_time) -> list:
    """f_t − f₀ = K(·,X)K⁻¹(I − e^{−ηtK})(y − f₀(X)) (SP6), in mpmath at the current precision.

    ``kernel_eval`` is K(x_e, X) (E×N), ``kernel_data`` K(X, X) (N×N), ``residual`` y − f₀(X),
    ``rate_time`` the product η·t.
    """
    gram = mpmath.matrix(kernel_data)
    decay = mpmath.expm(-mpmath.mpf(rate_time) * gram)
    remaining = (mpmath.eye(gram.rows) - decay) * mpmath.matrix(list(residual))
    weights = mpmath.lu_solve(gram, remaining)
    values = mpmath.matrix(kernel_eval) * weights
    return [values[i] for i in range(values.rows)]


# ----------------------------------------------------------------------------- checks


def _check_init(init) -> None:
    if init not in INIT_PARAMETERS:
        raise ValueError(f"init must be one of {tuple(INIT_PARAMETERS)}, got {init!r}")


def _equal_off_boundaries(derived: sp.Expr, stated: sp.Expr, boundaries: Sequence) -> bool:
    """derived = stated at rational points on every piece between ±boundaries (and tails)."""
    cut = sorted({sp.nsimplify(v) for b in boundaries for v in (b, -b)} | {sp.Integer(0)})
    probes = [cut[0] - 1, cut[-1] + 1] + [(p + q) / 2 for p, q in zip(cut, cut[1:],
                                                                       strict=False)]
    probes += [v + sp.Rational(1, 7) for v in cut if v != 0]
    return all(sp.simplify(derived.subs(x, p) - stated.subs(x, p)) == 0 for p in probes)


def _sp1_checks() -> dict[str, bool]:
    values = {a_w: sp.Rational(3, 2), a_b: sp.Rational(4, 5)}
    zeta = derived_penalty
    return {
        "SP1 Gaussian: derived ζ = 2σw³σb³/(π(σb²+σw²x²)²)":
            sp.simplify(zeta("gaussian") - stated_penalty("gaussian")) == 0,
        "SP1 uniform: derived ζ = min(aw, ab/|x|)⁴/(8 aw ab) (both pieces, aw = 3/2, ab = 4/5)":
            _equal_off_boundaries(zeta("uniform").subs(values),
                                  stated_penalty("uniform").subs(values), [values[a_b]
                                                                           / values[a_w]]),
        "SP1 uniform: derived ζ(0) = aw³/(8ab) (the x → 0 limit of the stated form)":
            sp.simplify(zeta("uniform").subs(x, 0) - a_w**3 / (8 * a_b)) == 0,
        "SP1 ±1 × uniform: derived ζ = 1/(2ab) on |x| < ab, 0 outside (ab = 4/5)":
            _equal_off_boundaries(zeta("sign_uniform").subs(values),
                                  stated_penalty("sign_uniform").subs(values), [values[a_b]]),
        "SP1 circle: derived ζ = 1/(π(1+x²)²)":
            sp.simplify(zeta("circle") - stated_penalty("circle")) == 0,
        "SP1 ζ even in x (all four initialisations)":
            all(sp.simplify(zeta(i).subs(x, -x) - zeta(i)) == 0
                for i in ("gaussian", "uniform", "circle")) and _equal_off_boundaries(
                zeta("sign_uniform").subs(x, -x).subs(values),
                zeta("sign_uniform").subs(values), [values[a_b]]),
        "SP1 radial scaling: ζ_gaussian(σw = σb = 1) = E[R²]·ζ_circle = 2ζ_circle":
            sp.simplify(zeta("gaussian").subs({sigma_w: 1, sigma_b: 1})
                        - 2 * zeta("circle")) == 0,
    }


def _sp2_checks() -> dict[str, bool]:
    kernel = arc_cosine_kernel()
    wrong = penalty_from_density(density("gaussian"), power=2)
    return {
        "SP2 Gaussian: ∂²K/∂x² = ζ(x)|x − x′|/2 for the arc-cosine kernel (x′ = x ± d)":
            kernel_identity_holds(kernel, derived_penalty("gaussian")),
        "SP2 Gaussian: K(x, x) = E[σ(Wx+B)²] = (σw²x² + σb²)/2":
            sp.simplify(kernel.subs(x_prime, x) - (sigma_w**2 * x**2 + sigma_b**2) / 2) == 0,
        "SP2 negative control: ζ built with |W|² (not |W|³) violates the K″ identity":
            not kernel_identity_holds(kernel, wrong),
    }


def _sp3_checks() -> dict[str, bool]:
    return {
        "SP3 moments: Gaussian E[W²] = σw², E[B²] = σb²; uniform aw²/3, ab²/3; ±1: 1, ab²/3; "
        "circle ½, ½":
            derived_moments("gaussian") == (sigma_w**2, sigma_b**2)
            and derived_moments("uniform") == (a_w**2 / 3, a_b**2 / 3)
            and derived_moments("sign_uniform") == (1, a_b**2 / 3)
            and derived_moments("circle") == (sp.Rational(1, 2), sp.Rational(1, 2)),
    }


#: The symbolic checks of each claim (each computed once, cached with @derived).
CLAIM_CHECKS: dict[str, Callable[[], dict[str, bool]]] = {
    claim_id: _derivation(f"checks_{claim_id}", function)
    for claim_id, function in (("SP1", _sp1_checks), ("SP2", _sp2_checks),
                               ("SP3", _sp3_checks))}


def claim_checks(claim_id: str) -> dict[str, bool]:
    """The symbolic identities behind claim ``claim_id`` (SP1–SP3); every value must be
    True (a negative control is True when it is detected)."""
    return dict(CLAIM_CHECKS[claim_id]())


def self_checks() -> dict[str, bool]:
    """Every symbolic identity behind SP1–SP3 (see :func:`claim_checks`)."""
    return {name: ok for claim_id in CLAIM_CHECKS for name, ok in claim_checks(claim_id).items()}


def __getattr__(name: str):
    """``DERIVATIONS`` (the pinned derivations, theory.derivations), built on first access."""
    if name == "DERIVATIONS":
        return _derivations()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@functools.cache
def _derivations() -> tuple[Derivation, ...]:
    return (
        Derivation("SP1 ζ Gaussian", "SP1", derived_penalty("gaussian"),
                   ({"x": "1/3", "sigma_w": "1", "sigma_b": "1"},
                    {"x": "-7/4", "sigma_w": "3/4", "sigma_b": "5/2"})),
        Derivation("SP1 ζ uniform", "SP1", derived_penalty("uniform"),
                   ({"x": "1/3", "a_w": "1", "a_b": "1"},
                    {"x": "-9/4", "a_w": "3/2", "a_b": "4/5"})),
        Derivation("SP1 ζ circle", "SP1", derived_penalty("circle"),
                   ({"x": "1/3"}, {"x": "-5/2"})),
        Derivation("SP2 arc-cosine kernel", "SP2", arc_cosine_kernel(),
                   ({"x": "1/3", "x_prime": "-6/5", "sigma_w": "1", "sigma_b": "1"},
                    {"x": "2", "x_prime": "1/2", "sigma_w": "3/4", "sigma_b": "5/2"})),
    )
