"""Initialisation laws of (W, B), the curvature weight ζ by quadrature and Monte Carlo, the
output-layer kernel by quadrature, and a solver of the variational problem (family SP).

Nothing here uses the closed forms of theory.splines. ζ(x) = ∫|W|³ p(W, −Wx) dW is computed
from each law's own description: a density on ℝ² (integrated along the ray B = −Wx, split
where the ray leaves the support), atoms in W, or a parametrised curve (co-area formula
ζ(x) = Σ_θ W(θ)² p_θ(θ)/|C′(θ)| over the roots θ of C(θ) = x, C = −B/W the kink).

The variational problem (SP4/SP5) is  min ∫ g″²/ζ + (g′(+∞)+g′(−∞))²/E[W²]
+ (ĝ(+∞)+ĝ(−∞))²/E[B²],  ĝ = g − x g′,  subject to g(x_i) = y_i (the boundary terms are
dropped for a free affine part). It is solved by a Galerkin method: g″ = ζ·h with h
continuous and piecewise linear on a grid of knots containing the data (affine beyond the
end knots), g(x) = ĝ(−∞) + g′(−∞)x + ∫_{−∞}^x (x−s)ζ(s)h(s) ds. The integrals are
Gauss–Legendre on each element and adaptive quadrature on the tails; ζ comes from
:meth:`Law.penalty`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property

import mpmath
import numpy as np
from scipy import integrate as sci_integrate

from flowcert.numerics.precision import FLOAT64_BITS, check_bits

GUARD_BITS = 32
QUAD_RTOL = 1e-13
GAUSS_NODES = 24
#: mpmath.quad rule for integrands that are polynomials or trigonometric polynomials between
#: the split points (the high-precision kernels): Gauss–Legendre converges fastest there.
_SMOOTH = "gauss-legendre"
LAWS = ("gaussian", "uniform", "sign_uniform", "circle")


def _positive(name: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | np.floating):
        raise ValueError(f"{name} must be a number > 0, got {value!r}")
    if not (math.isfinite(value) and value > 0):
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return float(value)


@dataclass(frozen=True)
class Law:
    """A law of (W, B): ``kind`` in LAWS with its parameters (floats, exact at any precision).

    gaussian: W ~ N(0, sigma_w²), B ~ N(0, sigma_b²); uniform: U[−a_w, a_w] × U[−a_b, a_b];
    sign_uniform: W = ±1, B ~ U[−a_b, a_b]; circle: (cos θ, sin θ), θ ~ U[0, 2π).
    """

    kind: str
    params: dict = field(default_factory=dict)

    def __post_init__(self):
        expected = {"gaussian": ("sigma_w", "sigma_b"), "uniform": ("a_w", "a_b"),
                    "sign_uniform": ("a_b",), "circle": ()}
        if self.kind not in expected:
            raise ValueError(f"law must be one of {LAWS}, got {self.kind!r}")
        if set(self.params) != set(expected[self.kind]):
            raise ValueError(f"law {self.kind!r} takes parameters {expected[self.kind]}, "
                             f"got {sorted(self.params)}")
        for name, value in self.params.items():
            _positive(name, value)

    def __hash__(self):
        return hash((self.kind, tuple(sorted(self.params.items()))))

    # -------------------------------------------------------------------- sampling

    def sample(self, rng: np.random.Generator, count: int) -> tuple[np.ndarray, np.ndarray]:
        """``count`` i.i.d. draws (W, B)."""
        p = self.params
        if self.kind == "gaussian":
            return (p["sigma_w"] * rng.standard_normal(count),
                    p["sigma_b"] * rng.standard_normal(count))
        if self.kind == "uniform":
            return (rng.uniform(-p["a_w"], p["a_w"], count),
                    rng.uniform(-p["a_b"], p["a_b"], count))
        if self.kind == "sign_uniform":
            return rng.choice([-1.0, 1.0], count), rng.uniform(-p["a_b"], p["a_b"], count)
        angle = rng.uniform(0, 2 * np.pi, count)
        return np.cos(angle), np.sin(angle)

    # -------------------------------------------------------------------- moments

    def second_moments(self) -> tuple[float, float]:
        """(E[W²], E[B²]) by quadrature of the marginals (circle: of cos², sin² over θ)."""
        p = self.params
        if self.kind == "circle":
            return tuple(sci_integrate.quad(lambda t, f=f: f(t) ** 2 / (2 * np.pi), 0,
                                            2 * np.pi, epsrel=QUAD_RTOL)[0]
                         for f in (np.cos, np.sin))
        return self._marginal_moment("W", p), self._marginal_moment("B", p)

    def _marginal_moment(self, which: str, p: dict) -> float:
        if self.kind == "sign_uniform" and which == "W":
            return 1.0
        if self.kind == "gaussian":
            scale = p["sigma_w" if which == "W" else "sigma_b"]
            return sci_integrate.quad(lambda v: v * v * math.exp(-v * v / (2 * scale**2))
                                      / math.sqrt(2 * math.pi * scale**2),
                                      -np.inf, np.inf, epsrel=QUAD_RTOL)[0]
        half = p["a_w"] if which == "W" else p["a_b"]
        return sci_integrate.quad(lambda v: v * v / (2 * half), -half, half,
                                  epsrel=QUAD_RTOL)[0]

    # -------------------------------------------------------------------- ζ by quadrature

    def penalty(self, value, bits: int = FLOAT64_BITS):
        """ζ(x) = ∫|W|³ p(W, −Wx) dW: float (scipy quad, rtol 1e-13) at 53 bits, mpf
        (mpmath.quad at bits + 32) above."""
        bits = check_bits(bits)
        if bits == FLOAT64_BITS:
            return float(self._penalty_mp(float(value))) if self.kind == "circle" \
                else self._penalty_float(float(value))
        with mpmath.workprec(bits + GUARD_BITS):
            return +self._penalty_mp(mpmath.mpf(value))

    def _ray(self, value, p: dict, exp, pi) -> tuple:
        """The density along the ray B = −Wx of the density laws, p(w, −wx) = c·e^{−r w²}
        (Gaussian, r = 1/(2σw²) + x²/(2σb²)) or c on |w| ≤ end (uniform box): (c, r, end).
        Both densities are even in (W, B), so ∫ℝ|w|³p(w, −wx)dw = 2∫₀^end w³ c e^{−rw²} dw."""
        if self.kind == "gaussian":
            rate = 1 / (2 * p["sigma_w"] ** 2) + value * value / (2 * p["sigma_b"] ** 2)
            return 1 / (2 * pi * p["sigma_w"] * p["sigma_b"]), rate, None
        return 1 / (4 * p["a_w"] * p["a_b"]), 0, self._ray_support_end(value, p)

    @staticmethod
    def _ray_support_end(value, p: dict):
        """sup{w > 0: (±w, ∓w·x) in the box}: the ray leaves |W| ≤ a_w or |B| ≤ a_b."""
        ends = [p["a_w"]]
        if value != 0:
            ends.append(p["a_b"] / abs(value))
        return min(ends)

    def _penalty_float(self, value: float) -> float:
        p = self.params
        if self.kind == "sign_uniform":
            return sum(0.5 * (1 / (2 * p["a_b"]) if abs(-sign * value) <= p["a_b"] else 0.0)
                       for sign in (1.0, -1.0))
        constant, rate, end = self._ray(value, p, math.exp, math.pi)
        integral = sci_integrate.quad(lambda w: w**3 * math.exp(-rate * w * w), 0,
                                      np.inf if end is None else end, epsabs=0,
                                      epsrel=QUAD_RTOL, limit=200)[0]
        return 2 * constant * integral

    def _penalty_mp(self, value):
        p = {name: mpmath.mpf(v) for name, v in self.params.items()}
        if self.kind == "sign_uniform":
            return sum(mpmath.mpf(1) / 2 * (1 / (2 * p["a_b"]) if abs(value) <= p["a_b"] else 0)
                       for _ in (1, -1))
        if self.kind == "circle":
            return self._circle_coarea(value)
        constant, rate, end = self._ray(value, p, mpmath.exp, mpmath.pi)
        return 2 * constant * mpmath.quad(lambda w: w**3 * mpmath.exp(-rate * w * w),
                                          [0, mpmath.inf if end is None else end])

    @staticmethod
    def _circle_coarea(value):
        """ζ(x) = Σ_θ cos²θ (1/2π)/|C′(θ)| over θ with C(θ) = −tan θ = x (one per branch)."""
        with mpmath.extraprec(GUARD_BITS):
            value = mpmath.mpf(value)

            def kink(theta):
                return -mpmath.sin(theta) / mpmath.cos(theta)

            total = mpmath.mpf(0)
            for centre in (0, mpmath.pi):
                root = mpmath.findroot(lambda t: kink(t) - value, centre + mpmath.atan(-value))
                total += mpmath.cos(root) ** 2 / (2 * mpmath.pi
                                                  * abs(mpmath.diff(kink, root)))
        return +total

    def penalty_breakpoints(self) -> list[float]:
        """±x where the ray B = −Wx leaves the support through a different edge (uniform:
        a_b/a_w; ±1: a_b, where the atoms' B-density ends): ζ is not smooth there."""
        if self.kind == "uniform":
            edge = self.params["a_b"] / self.params["a_w"]
        elif self.kind == "sign_uniform":
            edge = self.params["a_b"]
        else:
            return []
        return [-edge, edge]

    # -------------------------------------------------------------------- kernel

    def kernel(self, first, second, bits: int = FLOAT64_BITS):
        """K(x, x′) = E[σ(Wx+B)σ(Wx′+B)]: float by nested adaptive quadrature at 53 bits;
        above, an mpf at bits + 32 (:meth:`_kernel_mp`)."""
        bits = check_bits(bits)
        if bits != FLOAT64_BITS:
            with mpmath.workprec(bits + GUARD_BITS):
                return +self._kernel_mp(mpmath.mpf(first), mpmath.mpf(second))
        first, second = float(first), float(second)
        if self.kind == "circle":
            return sci_integrate.quad(
                lambda t: max(math.cos(t) * first + math.sin(t), 0.0)
                * max(math.cos(t) * second + math.sin(t), 0.0) / (2 * math.pi),
                0, 2 * math.pi, epsabs=0, epsrel=QUAD_RTOL, limit=200,
                points=[math.atan2(-sign * v, sign) % (2 * math.pi) for v in (first, second)
                        for sign in (1.0, -1.0)])[0]
        weights = self._weight_law()
        return sum(probability * self._inner_kernel(w, first, second)
                   for w, probability in weights) if weights else sci_integrate.quad(
            lambda w: self._weight_density(w) * self._inner_kernel(w, first, second),
            *self._weight_range(), epsabs=0, epsrel=QUAD_RTOL, limit=200, points=[0.0])[0]

    def _kernel_mp(self, first, second):
        """K(x, x′) in mpmath by one adaptive quadrature, split at the integrand's kinks.

        Circle and Gaussian: (W, B) = (a R cos Θ, b R sin Θ) with Θ ~ U[0, 2π) independent of
        R (circle: R = 1, a = b = 1; Gaussian: a = σw, b = σb, R² ~ χ²₂, E R² = 2) and the
        integrand homogeneous of degree 2, so K = E[R²]·E_Θ[(a x cos Θ + b sin Θ)₊(a x′ cos Θ
        + b sin Θ)₊]. Box laws: E_B[(wx+B)₊(wx′+B)₊] = αβM₀(s) + (α+β)M₁(s) + M₂(s) with
        α = wx, β = wx′, s = max(−α, −β) and M_k(s) = E[B^k; B > s] (polynomials for
        uniform B), summed over the atoms w = ±1 or integrated over W ~ U[−a_w, a_w].
        """
        p = {name: mpmath.mpf(v) for name, v in self.params.items()}
        if self.kind in ("circle", "gaussian"):
            a, b = (p["sigma_w"], p["sigma_b"]) if self.kind == "gaussian" else (1, 1)
            radial = 2 if self.kind == "gaussian" else 1

            def integrand(theta):
                c, s = a * mpmath.cos(theta), b * mpmath.sin(theta)
                return max(c * first + s, 0) * max(c * second + s, 0)
            cuts = sorted({mpmath.mpf(0), 2 * mpmath.pi}
                          | {mpmath.atan2(-sign * a * v, sign * b) % (2 * mpmath.pi)
                             for v in (first, second) for sign in (1, -1)})
            return radial * mpmath.quad(integrand, cuts, method=_SMOOTH) / (2 * mpmath.pi)
        if self.kind == "sign_uniform":
            return (self._inner_kernel_mp(mpmath.mpf(1), first, second, p)
                    + self._inner_kernel_mp(mpmath.mpf(-1), first, second, p)) / 2
        edge, half = p["a_b"], p["a_w"]
        cuts = {mpmath.mpf(0)} | {sign * edge / v for v in (first, second) if v != 0
                                  for sign in (1, -1)}
        points = [-half, *sorted(c for c in cuts if -half < c < half), half]
        return mpmath.quad(lambda w: self._inner_kernel_mp(w, first, second, p), points,
                           method=_SMOOTH) / (2 * half)

    @staticmethod
    def _inner_kernel_mp(w, first, second, p: dict):
        """E_B[(w x + B)₊(w x′ + B)₊] for B ~ U[−a_b, a_b] (see :meth:`_kernel_mp`)."""
        alpha, beta, edge = w * first, w * second, p["a_b"]
        start = max(-alpha, -beta, -edge)
        if start >= edge:
            return mpmath.mpf(0)
        moments = [(edge ** (k + 1) - start ** (k + 1)) / ((k + 1) * 2 * edge) for k in range(3)]
        return alpha * beta * moments[0] + (alpha + beta) * moments[1] + moments[2]

    def _weight_law(self) -> list[tuple[float, float]]:
        return [(1.0, 0.5), (-1.0, 0.5)] if self.kind == "sign_uniform" else []

    def _weight_range(self) -> tuple[float, float]:
        if self.kind == "gaussian":
            span = 40 * self.params["sigma_w"]
            return -span, span
        return -self.params["a_w"], self.params["a_w"]

    def _weight_density(self, w: float) -> float:
        if self.kind == "gaussian":
            scale = self.params["sigma_w"]
            return math.exp(-w * w / (2 * scale**2)) / math.sqrt(2 * math.pi * scale**2)
        return 1 / (2 * self.params["a_w"])

    def _inner_kernel(self, w: float, first: float, second: float) -> float:
        """E_B[σ(w x + B)σ(w x′ + B)], split where either pre-activation changes sign."""
        if self.kind == "gaussian":
            scale = self.params["sigma_b"]
            low, high = -40 * scale, 40 * scale

            def density(b):
                return math.exp(-b * b / (2 * scale**2)) / math.sqrt(2 * math.pi * scale**2)
        else:
            low, high = -self.params["a_b"], self.params["a_b"]

            def density(_b):
                return 1 / (2 * self.params["a_b"])
        start = max(-w * first, -w * second, low)
        if start >= high:
            return 0.0
        return sci_integrate.quad(lambda b: (w * first + b) * (w * second + b) * density(b),
                                  start, high, epsabs=0, epsrel=QUAD_RTOL, limit=200)[0]


# ----------------------------------------------------------------------------- Monte Carlo


def kink_weight_samples(law: Law, rng: np.random.Generator, count: int,
                        centres: Sequence[float], half_width: float,
                        power: int = 2) -> np.ndarray:
    """|W|^power·1{|C − c| < h}/(2h) for ``count`` draws and each bin centre c, C = −B/W the
    kink (SP1, STATISTICAL); shape (len(centres), count), one sample of (W, B) shared by all
    bins.

    With power 2 each row's mean is (1/2h)∫_{c−h}^{c+h} p_C(s)E[W²|C=s] ds, the bin average
    of ζ; power 0 gives the bin average of the kink density p_C alone.
    """
    if not (math.isfinite(half_width) and half_width > 0):
        raise ValueError(f"half_width must be > 0, got {half_width!r}")
    weights, biases = law.sample(rng, count)
    with np.errstate(divide="ignore", invalid="ignore"):
        kinks = -biases / weights
    inside = np.abs(kinks[None, :] - np.asarray(centres, dtype=float)[:, None]) < half_width
    return np.where(inside, np.abs(weights) ** power, 0.0) / (2 * half_width)


# ----------------------------------------------------------------------------- variational


@dataclass
class VariationalSolution:
    """g* of the variational problem: g(x) = intercept + slope·x + Σ_m h_m I_m(x)."""

    law: Law
    knots: np.ndarray
    slope: float
    intercept: float
    h: np.ndarray
    free_affine: bool
    #: The solver's basis (its quadrature rules of ζ are reused when evaluating g).
    basis: _Basis | None = field(default=None, repr=False, compare=False)

    def _basis(self) -> _Basis:
        if self.basis is None:
            self.basis = _Basis(self.law, self.knots)
        return self.basis

    def __call__(self, points: Sequence[float]) -> np.ndarray:
        basis = self._basis()
        return np.array([self.intercept + self.slope * p + basis.interpolation_row(p) @ self.h
                         for p in np.asarray(points, dtype=float)])

    def second_derivative(self, points: Sequence[float]) -> np.ndarray:
        """g″ = ζ·h."""
        basis = self._basis()
        return np.array([self.law.penalty(p) * basis.hat_values(p) @ self.h
                         for p in np.asarray(points, dtype=float)])


class _Basis:
    """Hat functions on ``knots``, the two end ones continued linearly to ±∞."""

    def __init__(self, law: Law, knots: np.ndarray):
        self.law, self.knots = law, np.asarray(knots, dtype=float)
        self.nodes, self.weights = np.polynomial.legendre.leggauss(GAUSS_NODES)

    def hat_values(self, point: float) -> np.ndarray:
        """φ_m(point) for all m (linear extrapolation outside the knots)."""
        t = self.knots
        index = int(np.clip(np.searchsorted(t, point) - 1, 0, len(t) - 2))
        values = np.zeros(len(t))
        fraction = (point - t[index]) / (t[index + 1] - t[index])
        values[index], values[index + 1] = 1 - fraction, fraction
        return values

    @cached_property
    def element_rules(self) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
        """(points, weights·ζ, basis values) of Gauss–Legendre on each element."""
        rules = []
        for left, right in zip(self.knots[:-1], self.knots[1:], strict=True):
            points = (left + right) / 2 + (right - left) / 2 * self.nodes
            zeta = np.array([self.law.penalty(p) for p in points])
            hats = np.array([self.hat_values(p) for p in points])
            rules.append((points, self.weights * (right - left) / 2 * zeta, hats))
        return rules

    @cached_property
    def tail_moments(self) -> dict[str, np.ndarray]:
        """∫ζ s^k over (−∞, t₀) and (t_M, ∞), k = 0, 1, 2."""
        moments = {}
        for side, limits in (("left", (-np.inf, self.knots[0])),
                             ("right", (self.knots[-1], np.inf))):
            moments[side] = np.array([self._split_quad(
                lambda s, k=k: self.law.penalty(s) * s**k, *limits) for k in range(3)])
        return moments

    def _split_quad(self, function, low: float, high: float) -> float:
        """∫_low^high by adaptive quadrature, split at the law's penalty breakpoints."""
        cuts = [low, *[b for b in self.law.penalty_breakpoints() if low < b < high], high]
        return sum(sci_integrate.quad(function, a, b, epsabs=1e-15, epsrel=QUAD_RTOL,
                                      limit=200)[0]
                   for a, b in zip(cuts[:-1], cuts[1:], strict=True))

    def _tail_rule(self, side: str):
        """The tail integral of ζ·P(s) for a quadratic P, as a function of P's coefficients."""
        moments = self.tail_moments[side]
        return lambda c0, c1, c2: c0 * moments[0] + c1 * moments[1] + c2 * moments[2]

    def _tail_linear_hats(self, side: str) -> list[tuple[int, float, float]]:
        """(m, α, β) with φ_m(s) = α + β s on the tail for the two end hat functions."""
        t = self.knots
        i, j = (0, 1) if side == "left" else (len(t) - 2, len(t) - 1)
        width = t[j] - t[i]
        return [(i, t[j] / width, -1 / width), (j, -t[i] / width, 1 / width)]

    def gram(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(∫ζφ_mφ_n, ∫ζφ_m, ∫ζφ_m s) over ℝ."""
        size = len(self.knots)
        gram, mass, first = np.zeros((size, size)), np.zeros(size), np.zeros(size)
        for points, weights, hats in self.element_rules:
            gram += hats.T @ (weights[:, None] * hats)
            mass += hats.T @ weights
            first += hats.T @ (weights * points)
        for side in ("left", "right"):
            tail, linear = self._tail_rule(side), self._tail_linear_hats(side)
            for m, alpha_m, beta_m in linear:
                mass[m] += tail(alpha_m, beta_m, 0)
                first[m] += tail(0, alpha_m, beta_m)
                for n, alpha_n, beta_n in linear:
                    gram[m, n] += tail(alpha_m * alpha_n, alpha_m * beta_n + beta_m * alpha_n,
                                       beta_m * beta_n)
        return gram, mass, first

    def interpolation_row(self, point: float) -> np.ndarray:
        """I_m(x) = ∫_{−∞}^x (x − s) ζ(s) φ_m(s) ds for all m."""
        row = np.zeros(len(self.knots))
        tail = self._tail_rule("left")
        if point <= self.knots[0]:
            return row + self._partial_left_tail(point)
        for m, alpha, beta in self._tail_linear_hats("left"):
            row[m] += tail(point * alpha, point * beta - alpha, -beta)
        for (left, right), (points, weights, hats) in zip(
                zip(self.knots[:-1], self.knots[1:], strict=True), self.element_rules,
                strict=True):
            if point >= right:
                row += hats.T @ (weights * (point - points))
            elif point > left:
                row += self._partial_element(left, point)
                break
        if point > self.knots[-1]:
            row += self._partial_right_tail(point)
        return row

    def _partial_element(self, left: float, point: float) -> np.ndarray:
        points = (left + point) / 2 + (point - left) / 2 * self.nodes
        weights = self.weights * (point - left) / 2 * np.array([self.law.penalty(p)
                                                                for p in points])
        hats = np.array([self.hat_values(p) for p in points])
        return hats.T @ (weights * (point - points))

    def _partial_tail(self, side: str, low: float, high: float, point: float) -> np.ndarray:
        row = np.zeros(len(self.knots))
        for m, alpha, beta in self._tail_linear_hats(side):
            row[m] = self._split_quad(
                lambda s, a=alpha, b=beta: (point - s) * self.law.penalty(s) * (a + b * s),
                low, high)
        return row

    def _partial_left_tail(self, point: float) -> np.ndarray:
        return self._partial_tail("left", -np.inf, point, point)

    def _partial_right_tail(self, point: float) -> np.ndarray:
        return self._partial_tail("right", self.knots[-1], point, point)


def default_knots(data_x: Sequence[float], law: Law, spacing: float = 0.1) -> np.ndarray:
    """A uniform grid from min(x) − 1 to max(x) + 1 with the data points inserted, plus the
    law's :meth:`Law.penalty_breakpoints` inside it."""
    data = np.asarray(data_x, dtype=float)
    low, high = data.min() - 1, data.max() + 1
    grid = np.linspace(low, high, int(np.ceil((high - low) / spacing)) + 1)
    extra = [v for v in law.penalty_breakpoints() if low < v < high]
    knots = np.unique(np.concatenate([grid, data, extra]))
    gaps = np.diff(knots)
    return knots[np.concatenate([[True], gaps > 1e-9])]


def solve_variational(law: Law, data_x: Sequence[float], data_y: Sequence[float], *,
                      free_affine: bool = False, knots: Sequence[float] | None = None
                      ) -> VariationalSolution:
    """g* = argmin ∫g″²/ζ (+ the affine boundary terms unless ``free_affine``) subject to
    g(x_i) = y_i, by the Galerkin method of the module docstring (KKT system)."""
    data, targets = np.asarray(data_x, dtype=float), np.asarray(data_y, dtype=float)
    if data.ndim != 1 or data.shape != targets.shape or len(np.unique(data)) != len(data) \
            or len(data) < 2:
        raise ValueError("data_x and data_y must be equal-length 1-D arrays of ≥ 2 distinct x")
    knots = default_knots(data, law) if knots is None else np.asarray(knots, dtype=float)
    basis = _Basis(law, knots)
    gram, mass, first = basis.gram()
    size = len(knots) + 2  # unknowns: slope A = g′(−∞), intercept = ĝ(−∞), h
    quadratic = np.zeros((size, size))
    quadratic[2:, 2:] = gram
    if not free_affine:
        moment_w, moment_b = law.second_moments()
        slope_term = np.concatenate([[2.0, 0.0], mass])        # g′(+∞) + g′(−∞)
        intercept_term = np.concatenate([[0.0, 2.0], -first])  # ĝ(+∞) + ĝ(−∞)
        quadratic += np.outer(slope_term, slope_term) / moment_w
        quadratic += np.outer(intercept_term, intercept_term) / moment_b
    constraints = np.array([np.concatenate([[p, 1.0], basis.interpolation_row(p)])
                            for p in data])
    kkt = np.block([[2 * quadratic, constraints.T],
                    [constraints, np.zeros((len(data), len(data)))]])
    solution = np.linalg.lstsq(kkt, np.concatenate([np.zeros(size), targets]), rcond=None)[0]
    return VariationalSolution(law, knots, float(solution[0]), float(solution[1]),
                               solution[2:size], free_affine, basis)
