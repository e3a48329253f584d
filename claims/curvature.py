"""Claims CV1–CV6: vanishing curvature at initialisation (THEORY.md, CV; Orvieto et al. 2021).

Monte Carlo checks draw their weights from ``FLOWCERT_SEED`` (claims.statistics.base_seed)
through numpy SeedSequence streams keyed by claim id and width; every tolerance is a
standard error at the false-alarm rate 1e-6 (claims.statistics). Each Monte Carlo part has a
null model — the same experiment with the claimed effect removed — that its check must fail.
The closed forms are also compared, on a precision ladder, with independent evaluations
(quadrature of the moments, direct summation, ψ from its definition), so a closed form off
by 1e-9 fails. Theory is looked up at call time (``curvature.xavier_drift(...)``), so a
replaced closed form is what gets checked.
"""

from __future__ import annotations

import math
from functools import partial

import mpmath
import numpy as np
import sympy as sp
from scipy import special, stats

from flowcert.claims.base import ClaimClass, PrecisionRun
from flowcert.claims.builders import (
    Finding,
    NullModel,
    PropertyCheck,
    exact_claim,
    symbolic_checks,
)
from flowcert.claims.comparison import Comparison
from flowcert.claims.rates import fit_rate
from flowcert.claims.statistics import (
    SlopeFit,
    base_seed,
    distribution_series,
    ks_check,
    mean_check,
    median_slope,
    proportion_check,
    variance_check,
)
from flowcert.claims.tolerances import theory_precision
from flowcert.numerics import monte_carlo
from flowcert.numerics.gradient_descent import adaptive_descent, quadratic_descent
from flowcert.numerics.hessian import ExpressionHessian, chain_derivatives
from flowcert.numerics.linalg import random_orthogonal
from flowcert.numerics.precision import FLOAT64_BITS, unit_roundoff
from flowcert.numerics.relu_network import MLP, Activation
from flowcert.theory import curvature

SOURCE = "Orvieto, Kohler, Pavllo, Hofmann & Lucchi (2021), Vanishing curvature and the power " \
         "of adaptive methods in randomly initialized deep networks; flowcert seed 001"

#: Budget of the ladders that compare a closed form with an independent mpmath evaluation
#: (quadrature or a sum) at the working precision: a handful of roundings of O(1) terms
#: relative to the stated scale; 2^8 units u = 2^(1−bits) leave a wide margin for rounding
#: only.
ROUNDING_ULPS = 2**8


def _rounding_budget(bits: int) -> float:
    return ROUNDING_ULPS * unit_roundoff(bits)


def _claim_checks(claim_id: str):
    """The claim's symbolic identities (theory.curvature.claim_checks, cached)."""
    def check(_series: dict) -> Finding:
        return symbolic_checks(curvature.claim_checks(claim_id))
    return check


def _fit_series(fit: SlopeFit) -> dict:
    return {"x": fit.x, "y": fit.y, "slope": fit.slope, "low": fit.low, "high": fit.high,
            "predicted": fit.predicted, "standard_error": fit.standard_error}


def _uniform_weights(rng: np.random.Generator, shape, scale: float) -> np.ndarray:
    """Entries uniform on [−√3σ, √3σ]: variance σ² as the Gaussian's, E log|w| = ln(√3σ) − 1
    instead of ln σ − (γ + ln 2)/2, and E w⁴ = 9σ⁴/5 instead of 3σ⁴."""
    return math.sqrt(3) * scale * rng.uniform(-1.0, 1.0, shape)


# ----------------------------------------------------------------------------- CV1

CV1_SCALE = 0.8
CV1_DEPTHS = (1, 4, 16, 64, 256)
CV1_PATHS = 20_000
CV1_SQUARE_DEPTHS = (1, 2, 3)
CV1_SQUARE_SAMPLES = 400_000
CV1_SLOPE_DEPTHS = tuple(range(32, 257, 32))
CV1_DISTRIBUTION_DEPTH = 64
#: (L, σ) of the ladder: σ ≠ 1 on both sides of 1, so log σ and σ^{2L} are exercised.
CV1_LADDER_CASES = ((1, "0.8"), (3, "0.7"), (16, "1.3"), (64, "0.5"))


def _log_abs_gaussian_moments() -> tuple:
    """(E log|z|, Var log|z|, E z²) of z ~ N(0, 1) by mpmath quadrature of the density at the
    current precision (log-moments split at 1, the variance as E log² − (E log)²)."""
    def density(z):
        return mpmath.exp(-z * z / 2) / mpmath.sqrt(2 * mpmath.pi)
    mean = 2 * mpmath.quad(lambda z: mpmath.log(z) * density(z), [0, 1, mpmath.inf])
    second = 2 * mpmath.quad(lambda z: mpmath.log(z) ** 2 * density(z), [0, 1, mpmath.inf])
    square = 2 * mpmath.quad(lambda z: z * z * density(z), [0, mpmath.inf])
    return mean, second - mean**2, square


def _measure_cv1(bits: int, series: dict) -> PrecisionRun:
    """E log|∏w| = L(log σ + E log|z|), Var = L Var log|z|, E(∏w)² = (σ²E z²)^L with the
    moments of z by quadrature at ``bits`` against the derived closed forms at bits + 32."""
    comparison = Comparison(bits)
    with mpmath.workprec(bits):
        mean, variance, square = _log_abs_gaussian_moments()
        cases = [(depth, mpmath.mpf(scale)) for depth, scale in CV1_LADDER_CASES]
        observed = [(depth * (mpmath.log(scale) + mean), depth * variance,
                     (scale**2 * square) ** depth) for depth, scale in cases]
    with theory_precision(bits):
        for (depth, scale), values in zip(cases, observed, strict=True):
            steps = mpmath.mpf(depth)
            comparison.extend(values, (curvature.chain_log_mean(steps, scale),
                                       curvature.chain_log_variance(steps),
                                       curvature.chain_square_mean(steps, scale)))
    return comparison.run(_rounding_budget(bits))


def _observe_cv1(law: str = "gaussian") -> dict:
    """log|∏w| of CV1_PATHS chains (depth 256, σ = 0.8), (∏w)² at L ≤ 3 and log|∏w| at σ = 1,
    with weights N(0, σ²) (monte_carlo) or, for the null model, uniform of variance σ²."""
    seed, key = base_seed(), "CV1" if law == "gaussian" else "CV1-null"

    def logs(stream, scale):
        rng = monte_carlo.generator(seed, key, stream)
        if law == "gaussian":
            return monte_carlo.scalar_chain_log_products(rng, max(CV1_DEPTHS), CV1_PATHS, scale)
        return np.cumsum(np.log(np.abs(_uniform_weights(rng, (CV1_PATHS, max(CV1_DEPTHS)),
                                                        scale))), axis=1)

    def squares(depth):
        rng = monte_carlo.generator(seed, key, "square", depth)
        if law == "gaussian":
            return monte_carlo.scalar_chain_products(rng, depth, CV1_SQUARE_SAMPLES,
                                                     CV1_SCALE) ** 2
        return np.prod(_uniform_weights(rng, (CV1_SQUARE_SAMPLES, depth), CV1_SCALE),
                       axis=1) ** 2

    return {"logs": logs("log", CV1_SCALE),
            "squares": {depth: squares(depth) for depth in CV1_SQUARE_DEPTHS},
            "unit_logs": logs("median", 1.0),
            "bootstrap": monte_carlo.generator(seed, key, "bootstrap")}


def _check_cv1(observed: dict) -> Finding:
    """z-checks of E log|∏w| and Var at each depth and of E(∏w)² at L ≤ 3 against the derived
    moments (σ = 0.8); slope of the median log|∏w| (σ = 1) against −(γ + ln 2)/2."""
    logs, checks = observed["logs"], []
    for depth in CV1_DEPTHS:
        column = logs[:, depth - 1]
        checks.append(mean_check(f"E log|∏w|, L = {depth}", column,
                                 float(curvature.chain_log_mean(depth, CV1_SCALE))))
        checks.append(variance_check(f"Var log|∏w|, L = {depth}", column,
                                     float(curvature.chain_log_variance(depth))))
    for depth, values in observed["squares"].items():
        checks.append(mean_check(f"E(∏w)², L = {depth}", values,
                                 float(curvature.chain_square_mean(depth, CV1_SCALE))))
    columns = [d - 1 for d in CV1_SLOPE_DEPTHS]
    fit = median_slope("slope of median log|∏w| vs L (σ = 1)", CV1_SLOPE_DEPTHS,
                       observed["unit_logs"][:, None, columns],
                       float(curvature.chain_log_mean(1, 1.0)), observed["bootstrap"])
    series = {"moments": {"depths": list(CV1_DEPTHS), "scale": CV1_SCALE,
                          "mean": [float(np.mean(logs[:, d - 1])) for d in CV1_DEPTHS],
                          "median": [float(np.median(logs[:, d - 1])) for d in CV1_DEPTHS]},
              "median_slope": _fit_series(fit),
              "distribution": _cv1_distribution(logs[:, CV1_DISTRIBUTION_DEPTH - 1])}
    return Finding(fit.passed and all(c.passed for c in checks),
                   [fit.sentence()] + [c.sentence() for c in checks], series)


def _cv1_distribution(column: np.ndarray) -> dict:
    """log|∏w| at CV1_DISTRIBUTION_DEPTH against the normal law with the derived moments."""
    law = stats.norm(float(curvature.chain_log_mean(CV1_DISTRIBUTION_DEPTH, CV1_SCALE)),
                     math.sqrt(float(curvature.chain_log_variance(CV1_DISTRIBUTION_DEPTH))))
    return distribution_series(column, f"normal with the derived mean and variance (CLT, "
                               f"L = {CV1_DISTRIBUTION_DEPTH})", law.ppf, law.pdf)


CV1_NULL = NullModel(
    "uniform weights of the same variance", "$w_i$ uniform on $[-sqrt(3) sigma, sqrt(3) sigma]$: "
                                            "$EE(product w)^2 = sigma^(2L)$ is "
    "kept but E log|w| = ln(√3σ) − 1 (a drift of −0.451 per factor instead of −0.635), so "
    "the mean, variance and median slope of log|∏w| must fail", partial(_observe_cv1,
                                                                        "uniform"))


# ----------------------------------------------------------------------------- CV2

CV2_SYMBOLIC_DEPTHS = tuple(range(3, 9))
CV2_CASE = {"depth": 3, "x": 1.3, "y": 0.7, "sigma": 0.9}
CV2_SAMPLES = 400_000


def _cv2_symbolic(_series: dict) -> Finding:
    """Derived (Gaussian-moment expansion) minus stated moments, exactly 0 at L = 3…8; at
    L = 2 the E H_ij residual must be −xy (the statement says L ≥ 3): by hand, H₁₂ =
    ∂²/∂w₁∂w₂ ½(y − xw₁w₂)² = −xy + 2x²w₁w₂ and E w₁w₂ = 0. This is the only moment that is
    odd in x and in y, so it alone fixes their signs in the derivation."""
    residuals = curvature.chain_moment_residuals(CV2_SYMBOLIC_DEPTHS)
    nonzero = {key: value for key, value in residuals.items() if value != 0}
    at_two = curvature.chain_moment_residuals((2,))[2, "E H_ij"]
    expected = -curvature.x * curvature.y
    return Finding(not nonzero and sp.expand(at_two - expected) == 0, [
        f"symbolic: derived − stated moment = 0 for all four moments at L = "
        f"{CV2_SYMBOLIC_DEPTHS[0]}…{CV2_SYMBOLIC_DEPTHS[-1]}" if not nonzero else
        f"symbolic: NONZERO residuals {nonzero}",
        f"L = 2 (outside the stated L ≥ 3): E H_12 − 0 = {at_two} (must be −xy, computed "
        f"by hand: the residual survives, as the restriction says)"])


def _observe_cv2(law: str = "gaussian") -> dict:
    """Gradients and Hessians (heyoka AD) of f at CV2_SAMPLES weight draws, N(0, σ²) or, for
    the null model, uniform of variance σ²."""
    depth, scale = CV2_CASE["depth"], CV2_CASE["sigma"]
    if law == "gaussian":
        weights = scale * monte_carlo.generator(base_seed(), "CV2").standard_normal(
            (CV2_SAMPLES, depth))
    else:
        weights = _uniform_weights(monte_carlo.generator(base_seed(), "CV2-null"),
                                   (CV2_SAMPLES, depth), scale)
    gradients, hessians = chain_derivatives(depth)(weights, CV2_CASE["x"], CV2_CASE["y"])
    return {"E g_i^2": gradients[:, 0] ** 2, "E H_ii": hessians[:, 0, 0],
            "E H_ij": hessians[:, 0, 1], "E H_ij^2": hessians[:, 0, 1] ** 2}


def _check_cv2(observed: dict) -> Finding:
    depth = CV2_CASE["depth"]
    derived = curvature.chain_derivative_moments(depth)
    point = {curvature.x: CV2_CASE["x"], curvature.y: CV2_CASE["y"],
             curvature.sigma: CV2_CASE["sigma"]}
    predicted = {name: float(derived[name].subs(point)) for name in observed}
    checks = [mean_check(f"Monte Carlo {name} (L = {depth}, AD derivatives)", values,
                         predicted[name]) for name, values in observed.items()]
    medians = {name: float(np.median(values)) for name, values in observed.items()}
    pairs = [f"{name} median {value:.3g} vs mean {predicted[name]:.3g}"
             for name, value in medians.items()]
    series = {"moments": {"names": list(observed),
                          "means": [float(np.mean(v)) for v in observed.values()],
                          "predicted": list(predicted.values()),
                          "medians": list(medians.values())}}
    return Finding(all(c.passed for c in checks), [f"at L = {depth}: " + "; ".join(pairs)]
                   + [c.sentence() for c in checks], series)


CV2_NULL = NullModel(
    "uniform weights of the same variance", "$w_i$ uniform on $[-sqrt(3) sigma, sqrt(3) sigma]$: "
                                            "the same variance "
    "but E w⁴ = 9σ⁴/5 instead of 3σ⁴, so E g_i² and E H_ij² (which carry the Gaussian "
    "moments (2k−1)!!) must fail", partial(_observe_cv2, "uniform"))


# ----------------------------------------------------------------------------- CV3

CV3_WIDTHS = (4, 8, 16, 32, 64)
CV3_DEPTH = 256
#: (paths, input columns per path): cost ∝ paths·d², the slope's SE ∝ √(d/paths).
CV3_SAMPLING = {4: (2000, 1), 8: (1000, 2), 16: (400, 4), 32: (200, 8), 64: (100, 16)}
CV3_SLOPE_DEPTHS = tuple(range(32, CV3_DEPTH + 1, 32))
CV3_MAX_DRIFT_WIDTH = 10**4
CV3_DISTRIBUTION_WIDTH = 4
#: Widths at which the derived margins are compared with ψ(d/2) − ln(d/2) from its definition
#: (every d ≤ 32, then up to 10⁴ where the upper margin is 3·10⁻⁹ of a term of size 9).
CV3_MARGIN_WIDTHS = (*range(1, 33), 48, 64, 100, 128, 256, 500, 1000, 1024, 4096, 10**4)
#: (d, σ) of the per-layer law's moments by quadrature (σ² ≠ 1/d exercises ln(2σ²)), and
#: (d, L, σ, ‖x‖²) of the network's E log and Var log.
CV3_LAYER_CASES = ((1, "0.9"), (6, "0.6"))
CV3_NETWORK_CASES = ((1, 5, "0.9", "2.5"), (6, 40, "0.6", "0.3"))
#: Float64 digamma (scipy/cephes) is accurate to a few ulps; 64 ulps of the magnitude of the
#: cancelled terms bound the error of each float margin in the all-widths confirmation.
CV3_FLOAT_ULPS = 64


def _chi_square_log_moments(width: int) -> tuple:
    """(E log χ²_d, Var log χ²_d) by mpmath quadrature of the χ²_d density at the current
    precision, written in v = √u (u^{d/2−1}du = 2v^{d−1}dv: no algebraic singularity at 0)."""
    k = mpmath.mpf(width) / 2
    norm = 2**k * mpmath.gamma(k)

    def density(v):
        return 2 * v ** (width - 1) * mpmath.exp(-v * v / 2) / norm
    cuts = [0, 1, mpmath.sqrt(width) + 1, mpmath.inf]
    mean = mpmath.quad(lambda v: 2 * mpmath.log(v) * density(v), cuts)
    second = mpmath.quad(lambda v: 4 * mpmath.log(v) ** 2 * density(v), cuts)
    return mean, second - mean**2


def _measure_cv3(bits: int, series: dict) -> PrecisionRun:
    """The derived drift ψ(d/2) − ln(d/2) and both margins (drift + 2/d, −1/d − drift) against
    the same quantities from mpmath's digamma at ``bits`` (relative to |ψ| + |ln| + 2/d, the
    size of the terms the margins cancel), and the per-layer and network log-moments against
    quadrature of the χ² density."""
    comparison = Comparison(bits)
    with mpmath.workprec(bits):
        margins = []
        for width in CV3_MARGIN_WIDTHS:
            size = mpmath.mpf(width)
            psi, log = mpmath.digamma(size / 2), mpmath.log(size / 2)
            drift = psi - log
            margins.append((drift, drift + 2 / size, -1 / size - drift,
                            abs(psi) + abs(log) + 2 / size))
        layers = {width: _chi_square_log_moments(width) for width, _ in CV3_LAYER_CASES}
        layer_cases = [(width, mpmath.mpf(scale)) for width, scale in CV3_LAYER_CASES]
        network_cases = [(width, depth, mpmath.mpf(scale), mpmath.mpf(norm))
                         for width, depth, scale, norm in CV3_NETWORK_CASES]
        layer_values = [(layers[w][0] + mpmath.log(s**2), layers[w][1]) for w, s in layer_cases]
        network_values = [(mpmath.log(n) + depth * (layers[w][0] + mpmath.log(s**2)),
                           depth * layers[w][1]) for w, depth, s, n in network_cases]
    with theory_precision(bits):
        for width, (drift, lower, upper, size) in zip(CV3_MARGIN_WIDTHS, margins, strict=True):
            theory_lower, theory_upper = curvature.drift_bound_margins(width)
            comparison.extend((drift, lower, upper),
                              (curvature.xavier_drift(mpmath.mpf(width)), theory_lower,
                               theory_upper), (size,) * 3)
        for (width, scale), values in zip(layer_cases, layer_values, strict=True):
            comparison.extend(values, (curvature.layer_log_mean(width, scale),
                                       curvature.layer_log_variance(mpmath.mpf(width))))
        for (width, depth, scale, norm), values in zip(network_cases, network_values,
                                                       strict=True):
            comparison.extend(values, (
                curvature.network_log_mean(width, mpmath.mpf(depth), scale, norm),
                curvature.network_log_variance(mpmath.mpf(width), mpmath.mpf(depth))))
    return comparison.run(_rounding_budget(bits))


def _cv3_bounds(_series: dict) -> Finding:
    """−2/d < ψ(d/2) − ln(d/2) < −1/d at every d ≤ 10⁴ from an independent float64 evaluation
    (scipy digamma), each margin above its rounding bound; the derived margins are positive
    at every width of the ladder; Binet's proof steps hold symbolically (claim_checks)."""
    widths = np.arange(1, CV3_MAX_DRIFT_WIDTH + 1, dtype=float)
    psi, log = special.digamma(widths / 2), np.log(widths / 2)
    drift = psi - log
    rounding = CV3_FLOAT_ULPS * np.finfo(float).eps * (np.abs(psi) + np.abs(log) + 2 / widths)
    lower, upper = drift + 2 / widths, -1 / widths - drift
    inside = bool(np.all(lower > rounding) and np.all(upper > rounding))
    with theory_precision(FLOAT64_BITS):
        derived = all(min(curvature.drift_bound_margins(width)) > 0
                      for width in CV3_MARGIN_WIDTHS)
    low_at, high_at = int(np.argmin(lower * widths)), int(np.argmin(upper * widths**2))
    return Finding(inside and derived, [
        f"drift bounds −2/d < ψ(d/2) − ln(d/2) < −1/d at all d = 1…{CV3_MAX_DRIFT_WIDTH} "
        f"(independent float64 ψ, every margin above {CV3_FLOAT_ULPS} ulps of its terms): "
        f"{'hold' if inside else 'FAIL'}; smallest scaled margins d·(drift + 2/d) = "
        f"{lower[low_at] * widths[low_at]:.4f} (d = {low_at + 1}), d²·(−1/d − drift) = "
        f"{upper[high_at] * widths[high_at] ** 2:.4f} (d = {high_at + 1}) (limits 1, 1/3)",
        f"derived margins positive at the {len(CV3_MARGIN_WIDTHS)} ladder widths: "
        f"{'yes' if derived else 'NO'}; all d > 0 by Binet's second formula (theory.curvature "
        "docstring; its symbolic steps are among the identities above)"],
        {"bounds": {"max_width": CV3_MAX_DRIFT_WIDTH, "all_strict": inside and derived}})


def _cv3_xavier(width: int) -> float:
    return 1 / math.sqrt(width)


def _cv3_median_kept(width: int) -> float:
    """σ² = (d + 1)/d²: ln(dσ²) = ln(1 + 1/d) cancels the drift ψ(d/2) − ln(d/2) to O(d⁻²)."""
    return math.sqrt(width + 1) / width


def _observe_linear(scale_of, key: str, widths: tuple = CV3_WIDTHS) -> dict:
    """Paths of d×d Gaussian networks of depth 256 for each width, σ = scale_of(d)."""
    seed, observed = base_seed(), {}
    for width in widths:
        paths, columns = CV3_SAMPLING[width]
        sample = monte_carlo.linear_network_paths(monte_carlo.generator(seed, key, width),
                                                  width, CV3_DEPTH, paths, scale_of(width),
                                                  columns)
        observed[width] = (sample, monte_carlo.generator(seed, key, "bootstrap", width))
    return observed


def _check_cv3(observed: dict) -> Finding:
    """Per width, the Xavier predictions (σ² = 1/d): slope of the log-median vs L against the
    drift, E log and Var log at L = 256, KS of the per-layer ratios against σ²χ²_d."""
    checks, fits, table, series = [], [], [], {"widths": {}}
    for width, (sample, rng) in observed.items():
        scale = _cv3_xavier(width)
        predicted = float(curvature.xavier_drift(width))
        fit = median_slope(f"d = {width}", CV3_SLOPE_DEPTHS,
                           sample.log_norm_sq[:, :, list(CV3_SLOPE_DEPTHS)], predicted, rng)
        fits.append(fit)
        table.append(f"d = {width:2d}: fitted slope {fit.slope:+.5f}, interval "
                     f"[{fit.low:+.5f}, {fit.high:+.5f}], predicted ψ(d/2) − ln(d/2) = "
                     f"{predicted:+.5f} ({'contained' if fit.passed else 'NOT contained'}); "
                     f"−2/d = {-2 / width:+.5f}, −1/d = {-1 / width:+.5f}")
        checks += _cv3_moment_checks(sample, width, scale)
        series["widths"][str(width)] = _cv3_series(sample, fit)
        if width == CV3_DISTRIBUTION_WIDTH:
            series["distribution"] = _cv3_distribution(sample, width, scale)
    evidence = ["curvature-decay slope table (log-median ‖W_L⋯W_1x‖² vs L, Xavier, fit "
                "a + bL + c/L on L = 32…256, interval ±4.89·SE·1.15 from 200 path bootstraps):",
                *table, *[c.sentence() for c in checks]]
    passed = all(f.passed for f in fits) and all(c.passed for c in checks)
    return Finding(passed, evidence, series)


def _cv3_moment_checks(sample, width: int, scale: float) -> list:
    final = sample.log_norm_sq[:, 0, CV3_DEPTH]
    degrees, variance = curvature.layer_ratio_law(width, scale)
    ratios = np.exp(sample.layer_log_ratios[:, 0, :]).ravel()
    return [
        mean_check(f"d = {width}: E log‖y‖² at L = {CV3_DEPTH}", final,
                   float(curvature.network_log_mean(width, CV3_DEPTH, scale))),
        variance_check(f"d = {width}: Var log‖y‖² at L = {CV3_DEPTH}", final,
                       float(curvature.network_log_variance(width, CV3_DEPTH))),
        ks_check(f"d = {width}: per-layer ratios ~ $sigma^2 chi^2_d$ (pooled over layers)", ratios,
                 lambda r: stats.chi2.cdf(r / float(variance), degrees)),
    ]


def _cv3_distribution(sample, width: int, scale: float) -> dict:
    """Per-layer ratios of the first input column (pooled over layers) against σ²χ²_d."""
    degrees, variance = curvature.layer_ratio_law(width, scale)
    law = stats.chi2(degrees, scale=float(variance))
    ratios = np.exp(sample.layer_log_ratios[:, 0, :]).ravel()
    return distribution_series(ratios, f"σ²χ²(d), d = {width}", law.ppf, law.pdf)


def _cv3_series(sample, fit: SlopeFit) -> dict:
    first = sample.log_norm_sq[:, 0, :]
    depths = list(range(0, CV3_DEPTH + 1, 8))
    log_mean = [float(np.log(np.mean(np.exp(first[:, d])))) for d in depths]
    return {"depths": depths, "log_median": [float(np.median(first[:, d])) for d in depths],
            "log_mean": log_mean, "fit": _fit_series(fit)}


#: The null models run on the cheap widths (d⁴·paths·L work grows like d³ across
#: CV3_SAMPLING); the check is the claim's own, and it fails at each of them.
CV3_NULL_WIDTHS = (4, 8, 16)
CV3_NULL = NullModel(
    "the median kept instead of the mean", "the same Gaussian networks with σ² = (d + 1)/d² "
    "instead of 1/d, at d = 4, 8, 16: ln(1 + 1/d) cancels the drift to O(d⁻²), so the median "
    "no longer decays (and the mean grows); the Xavier predictions must fail",
    partial(_observe_linear, _cv3_median_kept, "CV3-null", CV3_NULL_WIDTHS))


# ----------------------------------------------------------------------------- CV4

CV4_WIDTHS = (2, 4, 8, 16, 32)
CV4_DEPTH = 16
#: Layer ratios per width: 10^5, capped so that no width draws more than 2·10^7 normals.
CV4_RATIOS = 100_000
CV4_NORMALS = 20_000_000
CV4_RATE_WIDTHS = tuple(2**k for k in range(5, 13))
CV4_DISTRIBUTION_WIDTH = 4
#: Widths of the exact sum's ladder (d = 1 has a single term).
CV4_EXACT_WIDTHS = (1, 2, 3, 4, 7, 8, 16, 32, 100)


def _direct_relu_moments(width: int) -> tuple:
    """(E log R, Var log R, the size Σp_b(|ψ(b/2)| + |ln(4/d)|) of the cancelled terms) by
    direct summation over B ~ Bin(d, ½) | B ≥ 1 with exact binomial coefficients (math.comb)
    and mpmath's ψ, ψ′ at the current precision."""
    total = mpmath.mpf(2**width - 1)
    shift = mpmath.log(mpmath.mpf(4) / width)
    mean = second = size = mpmath.mpf(0)
    for b in range(1, width + 1):
        weight = math.comb(width, b) / total
        psi = mpmath.digamma(mpmath.mpf(b) / 2)
        mean += weight * (psi + shift)
        second += weight * (mpmath.psi(1, mpmath.mpf(b) / 2) + (psi + shift) ** 2)
        size += weight * (abs(psi) + abs(shift))
    return mean, second - mean**2, size


def _measure_cv4(bits: int, series: dict) -> PrecisionRun:
    """theory.curvature's E log R, Var log R and P(B = 0) against direct summation at
    ``bits`` (E log R relative to the size of the terms it cancels)."""
    comparison = Comparison(bits)
    with mpmath.workprec(bits):
        direct = {width: _direct_relu_moments(width) for width in CV4_EXACT_WIDTHS}
        deaths = {width: mpmath.mpf(2) ** -width for width in CV4_EXACT_WIDTHS}
    with theory_precision(bits):
        for width, (mean, variance, size) in direct.items():
            comparison.add(mean, curvature.relu_log_ratio_mean(width), size)
            comparison.add(variance, curvature.relu_log_ratio_variance(width))
            comparison.add(deaths[width], curvature.relu_death_probability(width))
    return comparison.run(_rounding_budget(bits))


def _observe_relu(gain: float, key: str, widths: tuple = CV4_WIDTHS) -> dict:
    """log layer ratios of d×d ReLU networks, depth 16, σ² = gain/d, for each width."""
    seed, observed = base_seed(), {}
    for width in widths:
        paths = max(min(CV4_RATIOS, CV4_NORMALS // width**2) // CV4_DEPTH, 1)
        observed[width] = monte_carlo.relu_layer_log_ratios(
            monte_carlo.generator(seed, key, width), width, CV4_DEPTH, paths,
            math.sqrt(gain / width))
    return observed


def _check_cv4(observed: dict) -> Finding:
    """Per width, against the He predictions: E log R, Var log R, KS of R against the
    (2/d)χ²_B mixture (B ≥ 1), binomial test of the dead-layer frequency 2^{−d}."""
    checks, series = [], {"widths": {}}
    for width, logs in observed.items():
        defined = logs[~np.isnan(logs)]
        alive = defined[np.isfinite(defined)]
        with theory_precision(FLOAT64_BITS):
            law = curvature.relu_ratio_law(width)
            mean = float(curvature.relu_log_ratio_mean(width))
            variance = float(curvature.relu_log_ratio_variance(width))
            death = float(curvature.relu_death_probability(width))
        checks += [
            mean_check(f"d = {width}: E log R (B ≥ 1)", alive, mean),
            variance_check(f"d = {width}: Var log R", alive, variance),
            ks_check(f"d = {width}: R ~ (2/d)χ²_B, B ~ Bin(d, ½) | B ≥ 1", np.exp(alive),
                     _mixture_cdf(law, width)),
            proportion_check(f"d = {width}: dead layers (B = 0)", int(np.sum(~np.isfinite(
                defined))), len(defined), death)]
        series["widths"][str(width)] = {"observed_mean": float(np.mean(alive)),
                                        "predicted_mean": mean,
                                        "approximation": float(
                                            curvature.relu_drift_approximation(width))}
        if width == CV4_DISTRIBUTION_WIDTH:
            series["distribution"] = _cv4_distribution(np.exp(alive), law, width)
    return Finding(all(c.passed for c in checks), [c.sentence() for c in checks], series)


def _cv4_distribution(ratios: np.ndarray, law, width: int) -> dict:
    """Layer ratios R against the mixture (2/d)χ²_B, B ~ Bin(d, ½) | B ≥ 1."""
    components = [2 / width * stats.make_distribution(stats.chi2)(df=b) for _, b in law]
    mixture = stats.Mixture(components, weights=[float(p) for p, _ in law])
    return distribution_series(ratios, f"(2/d)χ²_B mixture, d = {width}", mixture.icdf,
                               mixture.pdf)


def _mixture_cdf(law, width: int):
    weights = np.array([float(p) for p, _ in law])
    degrees = np.array([b for _, b in law])

    def cdf(values: np.ndarray) -> np.ndarray:
        scaled = np.asarray(values)[:, None] * width / 2
        return stats.chi2.cdf(scaled, degrees[None, :]) @ weights

    return cdf


def _cv4_gap(width: int, leading_only: bool) -> float:
    with mpmath.workdps(40):
        exact = curvature.relu_log_ratio_mean(width)
        approximation = curvature.relu_drift_approximation(width)
        if not leading_only:
            approximation += curvature.relu_drift_second_order(width)
        return float(abs(exact - approximation))


def _cv4_rate_fit(leading_only: bool):
    """The error of the expansion of E log R truncated after −5/(2d) (slope −2 in d) or after
    −49/(12d²) (slope −3), fitted on d = 32…4096."""
    gaps = [_cv4_gap(width, leading_only) for width in CV4_RATE_WIDTHS]
    if leading_only:
        return fit_rate("|E log R + 5/(2d)| (leading term only)", "d", CV4_RATE_WIDTHS, gaps,
                        predicted=-2.0, limit="infinity")
    return fit_rate("|E log R + 5/(2d) + 49/(12d²)| (with the second-order term)", "d",
                    CV4_RATE_WIDTHS, gaps, predicted=-3.0, limit="infinity")


def _cv4_approximation_table(_series: dict) -> Finding:
    parts = []
    with mpmath.workdps(30):
        for width in (1, 2, 4, 8, 16, 32, 64, 256, 4096):
            exact = curvature.relu_log_ratio_mean(width)
            leading = curvature.relu_drift_approximation(width)
            second = leading + curvature.relu_drift_second_order(width)
            parts.append(f"d={width}: {float(exact):.5g} vs {float(leading):.5g} "
                         f"({float((exact - leading) / abs(leading)):+.1%}), with −49/(12d²) "
                         f"{float(second):.5g} ({float((exact - second) / abs(second)):+.1%})")
    return Finding(True, ["exact E log R vs the leading term −5/(2d) and the second-order form "
                          "−5/(2d) − 49/(12d²): " + "; ".join(parts)])


#: The null model runs on the cheap widths (the work per width grows like d² up to d = 16).
CV4_NULL_WIDTHS = (2, 4, 8)
CV4_NULL = NullModel(
    "ReLU without the He factor 2", "the same ReLU networks with σ² = 1/d (Xavier) instead of "
    "2/d, at d = 2, 4, 8: E R = ½, every log-ratio shifted by −ln 2, so the He predictions "
    "must fail", partial(_observe_relu, 1.0, "CV4-null", CV4_NULL_WIDTHS))


# ----------------------------------------------------------------------------- CV5

CV5_IDENTITY_CASES = ((2, 1), (2, 3), (3, 4), (4, 6))
CV5_SYMBOLIC_CASES = ((1, 1), (1, 3), (2, 1), (2, 2), (2, 3), (3, 2))
#: Inputs and σ of the ladder: dσ² = 0.36, 0.72, 1.08 ≠ 1 exercises (dσ²)^{L−1}.
CV5_LADDER_INPUTS = ("0.3", "-1.1", "0.7")
CV5_LADDER_SCALE = "0.6"
CV5_MEAN_WIDTHS = (4, 8, 16)
#: L = 1 is deterministic (tr = d‖x‖²), so the Monte Carlo starts at L = 2.
CV5_MEAN_DEPTHS = (2, 4, 8)
CV5_MEAN_PATHS = 10_000
CV5_WIDTHS = (4, 8, 16, 32)
CV5_DEPTH = 256
CV5_PATHS = {4: 1000, 8: 500, 16: 250, 32: 120}
CV5_SLOPE_DEPTHS = tuple(range(32, CV5_DEPTH + 1, 32))


def _measure_cv5(bits: int, series: dict) -> PrecisionRun:
    """E tr(JᵀJ) derived symbolically from each small network's own Jacobian (theory's
    Gaussian-moment expansion, evaluated exactly at rational x, σ and rounded once at
    ``bits``) against the closed form L d (dσ²)^{L−1}‖x‖² at bits + 32."""
    comparison = Comparison(bits)
    scale = sp.Rational(CV5_LADDER_SCALE)
    for width, depth in CV5_SYMBOLIC_CASES:
        inputs = [sp.Rational(v) for v in CV5_LADDER_INPUTS[:width]]
        symbols = sp.symbols(f"x_1:{width + 1}", real=True)
        exact = curvature.derive_jacobian_trace_mean(width, depth).subs(
            {curvature.sigma: scale, **dict(zip(symbols, inputs, strict=True))})
        exact = sp.Rational(exact)
        with mpmath.workprec(bits):
            observed = mpmath.mpf(exact.p) / exact.q
        with theory_precision(bits):
            norm = mpmath.fsum(mpmath.mpf(v.p) / v.q for v in (i**2 for i in inputs))
            comparison.add(observed, curvature.jacobian_trace_mean(
                width, depth, mpmath.mpf(scale.p) / scale.q, norm))
    return comparison.run(_rounding_budget(bits))


def _cv5_identity(_series: dict) -> Finding:
    """tr(JᵀJ) by the numerics recursion vs the trace of the AD Hessian of ½‖y − t‖²
    (validates the Monte Carlo's recursion; numerics against numerics).

    For a linear network the loss is quadratic in each W_l separately, so the Hessian's
    diagonal blocks are the Gauss–Newton blocks and tr ∇² = tr(JᵀJ) exactly. Tolerance:
    matrix products of n = L·d terms have |fl − exact| ≤ γ_n·(|W|-product), so both sides
    agree to 2γ_{Ld+2}·κ with κ = (trace of the absolute-value network)/(trace).
    """
    lines, passed = [], True
    rng = monte_carlo.generator(base_seed(), "CV5", "identity")
    for width, depth in CV5_IDENTITY_CASES:
        network = MLP((width,) * (depth + 1), Activation("linear"), bias=False)
        theta = network.initialise(rng, gain=1.0)
        inputs, targets = rng.standard_normal((1, width)), rng.standard_normal((1, width))
        hessian = ExpressionHessian(network.loss_expression(inputs, targets),
                                    network.variables())(theta)
        weights = [w for w, _ in network.unpack(theta)]
        recursion = monte_carlo.linear_network_trace(weights, inputs[0])
        absolute = monte_carlo.linear_network_trace([np.abs(w) for w in weights],
                                                    np.abs(inputs[0]))
        error = abs(recursion - np.trace(hessian)) / abs(np.trace(hessian))
        n = depth * width + 2
        gamma = n * unit_roundoff(FLOAT64_BITS) / (1 - n * unit_roundoff(FLOAT64_BITS))
        budget = 2 * gamma * absolute / recursion
        passed &= bool(error <= budget)
        lines.append(f"d = {width}, L = {depth}: tr(JᵀJ) recursion {recursion:.10g} vs AD "
                     f"Hessian trace, relative error {error:.2g} (budget {budget:.2g})")
    return Finding(passed, lines)


def _cv5_symbolic(_series: dict) -> Finding:
    """The derived E tr(JᵀJ) minus the stated L d (dσ²)^{L−1}‖x‖², symbolically 0."""
    nonzero = []
    for width, depth in CV5_SYMBOLIC_CASES:
        inputs = sp.symbols(f"x_1:{width + 1}", real=True)
        residual = sp.simplify(curvature.derive_jacobian_trace_mean(width, depth)
                               - curvature.jacobian_trace_mean_stated(width, depth, inputs))
        if residual != 0:
            nonzero.append((width, depth))
    return Finding(not nonzero, [
        f"symbolic: E tr(JᵀJ) from the network's own Jacobian minus $L d (d sigma^2)^(L-1) "
        f"norm(x)^2$ = "
        f"{'0' if not nonzero else f'NONZERO at {nonzero}'} for (d, L) in "
        f"{list(CV5_SYMBOLIC_CASES)}"])


def _observe_traces(scale_of, key: str, widths: tuple = CV5_WIDTHS) -> dict:
    """tr(JᵀJ) along Gaussian networks with σ = scale_of(d): short ones for the mean, depth
    256 ones for the median slope (at ``widths``)."""
    seed, means, slopes = base_seed(), {}, {}
    for width in CV5_MEAN_WIDTHS:
        sample = monte_carlo.linear_network_paths(
            monte_carlo.generator(seed, key, "mean", width), width, max(CV5_MEAN_DEPTHS),
            CV5_MEAN_PATHS, scale_of(width), with_trace=True)
        means[width] = {depth: np.exp(sample.log_trace[:, depth]) for depth in CV5_MEAN_DEPTHS}
    for width in widths:
        sample = monte_carlo.linear_network_paths(
            monte_carlo.generator(seed, key, width), width, CV5_DEPTH, CV5_PATHS[width],
            scale_of(width), with_trace=True)
        slopes[width] = (sample, monte_carlo.generator(seed, key, "bootstrap", width))
    return {"means": means, "slopes": slopes}


def _check_cv5(observed: dict) -> Finding:
    """Against the Xavier predictions: E tr(JᵀJ) = L·d by z-checks; the slope of the
    log-median tr(JᵀJ) − ln L vs L against the drift ψ(d/2) − ln(d/2)."""
    checks = [mean_check(f"d = {width}, L = {depth}: E tr(JᵀJ)", values,
                         float(curvature.jacobian_trace_mean(width, depth,
                                                             _cv3_xavier(width))))
              for width, by_depth in observed["means"].items()
              for depth, values in by_depth.items()]
    fits, evidence, series = [], [], {"widths": {}}
    depths = np.array(CV5_SLOPE_DEPTHS)
    for width, (sample, rng) in observed["slopes"].items():
        values = sample.log_trace[:, None, depths] - np.log(depths)
        fit = median_slope(f"d = {width}", CV5_SLOPE_DEPTHS, values,
                           float(curvature.xavier_drift(width)), rng)
        fits.append(fit)
        evidence.append(f"median tr(JᵀJ): {fit.sentence()}")
        series["widths"][str(width)] = _cv5_series(sample, fit, width)
    evidence.insert(0, "typical curvature: log-median tr(JᵀJ) − ln L = a + bL + c/L fitted on "
                       "L = 32…256; b must match the Xavier drift ψ(d/2) − ln(d/2) ≈ −1/d "
                       "($op(\"tr\") approx e^(S_L) L O(1)$, $S_L$ a sum of $L$ layer logs)")
    passed = all(f.passed for f in fits) and all(c.passed for c in checks)
    return Finding(passed, evidence + [c.sentence() for c in checks], series)


def _cv5_series(sample, fit: SlopeFit, width: int) -> dict:
    depths = list(range(8, CV5_DEPTH + 1, 8))
    traces = sample.log_trace
    return {"depths": depths, "log_median": [float(np.median(traces[:, d])) for d in depths],
            "log_mean": [float(np.log(np.mean(np.exp(traces[:, d])))) for d in depths],
            "predicted_log_mean": [float(np.log(curvature.jacobian_trace_mean(
                width, d, 1 / math.sqrt(width)))) for d in depths],
            "fit": _fit_series(fit)}


CV5_NULL = NullModel(
    "the median kept instead of the mean", "the same networks with σ² = (d + 1)/d² (median "
    "slopes at d = 4, 8, 16): the median of tr(JᵀJ) no longer decays and its mean grows like "
    "$(1 + 1\\/d)^(L-1)$; the Xavier predictions must fail",
    partial(_observe_traces, _cv3_median_kept, "CV5-null", CV3_NULL_WIDTHS))


# ----------------------------------------------------------------------------- CV6

CV6_EIGENVALUES = ("-0.02", "0.3", "1", "2.5", "4")
CV6_CASES = ({"step_fraction": "1", "offset": "0.001", "radius": "1"},
             {"step_fraction": "0.5", "offset": "0.0001", "radius": "2"})
CV6_ADAM_SCALES = ("1", "3", "0.142857", "1000")
CV6_ADAM_STEPS = 60
CV6_SEED = 6
#: Error amplification A of the CV6 budgets: the escape coordinate's relative error grows by
#: at most the (d + 2) rounding errors of one step per step (stable coordinates shrink), and
#: the radius adds the orthogonal basis' own error; A = 10 covers both.
CV6_AMPLIFICATION = 10.0


def _mp_array(values) -> np.ndarray:
    return np.array([mpmath.mpf(v) for v in values], dtype=object)


def _cv6_problem(bits: int) -> tuple[np.ndarray, np.ndarray]:
    basis = random_orthogonal(len(CV6_EIGENVALUES), np.random.default_rng(CV6_SEED))
    eigenvalues = _mp_array(CV6_EIGENVALUES)
    matrix = (basis * eigenvalues) @ basis.T
    if bits == FLOAT64_BITS:
        return matrix.astype(float), basis.astype(float)
    return matrix, basis


def _number(value, bits: int):
    """A float at 53 bits, else an mpf rounded to the current (working) precision."""
    return float(value) if bits == FLOAT64_BITS else +mpmath.mpf(value)


def _measure_cv6(bits: int, series: dict) -> PrecisionRun:
    """GD on the saddle and the adaptive methods in arithmetic of ``bits`` bits; theory
    (and the norms of the iterates) at bits + 32.

    Recorded: ‖x_k‖ against δ(1 + ηε)^k at every step; the continuous escape time read off
    the last iterate K, t = K ln(r/δ)/ln(‖x_K‖/δ), against t* = ln(r/δ)/ln(1 + ηε); at
    η = 2/λ_max, t·ln(1 + ηε)/(ηε) against the bound λ_max ln(r/δ)/(2ε) (equal there: the
    bound's constants, not only its direction); Adam/RMSProp iterates on c·f against c = 1.
    The escape-time pairs inherit the norms' budget divided by ln(‖x_K‖/δ) > 1.
    """
    comparison, steps_total = Comparison(bits), 0
    with theory_precision(bits):
        eigenvalues = [mpmath.mpf(v) for v in CV6_EIGENVALUES]
        curvature_scale, top = -eigenvalues[0], max(eigenvalues)
    for case in CV6_CASES:
        with mpmath.workprec(bits):
            matrix, basis = _cv6_problem(bits)
            step = _number(mpmath.mpf(case["step_fraction"]) * 2 / top, bits)
            offset = _number(case["offset"], bits)
        with theory_precision(bits):
            radius = mpmath.mpf(case["radius"])
            predicted = curvature.escape_time(radius, mpmath.mpf(offset), mpmath.mpf(step),
                                              curvature_scale)
            count = int(mpmath.ceil(predicted)) + 1
        with mpmath.workprec(bits):
            iterates = quadratic_descent(matrix, basis[:, 0] * offset, step, count)
        with theory_precision(bits):
            norms = [mpmath.sqrt(mpmath.fsum(mpmath.mpf(v) ** 2 for v in row))
                     for row in iterates]
            rate = mpmath.mpf(step) * curvature_scale
            comparison.extend(norms, [mpmath.mpf(offset) * (1 + rate) ** k
                                      for k in range(len(norms))])
            escape = count * mpmath.log(radius / offset) / mpmath.log(norms[-1] / offset)
            comparison.add(escape, predicted)
            if case["step_fraction"] == "1":
                comparison.add(escape * mpmath.log(1 + rate) / rate,
                               curvature.escape_time_lower_bound(radius, mpmath.mpf(offset),
                                                                 top, curvature_scale))
            if bits == FLOAT64_BITS:
                series.setdefault("escapes", []).append(_cv6_case_series(
                    case, norms, predicted, radius, mpmath.mpf(offset), top, curvature_scale,
                    mpmath.mpf(step)))
        steps_total = max(steps_total, count)
    with mpmath.workprec(bits):
        matrix, basis = _cv6_problem(bits)
        runs = _adaptive_runs(bits, matrix, basis)
    with theory_precision(bits):
        for (beta1, _), run in runs.items():
            reference = runs[beta1, "1"]
            size = max(abs(mpmath.mpf(v)) for v in reference.ravel())
            comparison.extend([mpmath.mpf(v) for v in run.ravel()],
                              [mpmath.mpf(v) for v in reference.ravel()],
                              [size] * reference.size)
    size = len(CV6_EIGENVALUES)
    tolerance = max(steps_total, CV6_ADAM_STEPS) * (size + 2) * unit_roundoff(bits) \
        * CV6_AMPLIFICATION
    return comparison.run(tolerance, steps_total)


def _cv6_case_series(case, norms, predicted, radius, offset, top, curvature_scale, step):
    escaped = next(k for k, n in enumerate(norms) if n >= radius)
    bound = curvature.escape_time_lower_bound(radius, offset, top, curvature_scale)
    return {"case": case, "norms": [float(n) for n in norms], "predicted": float(predicted),
            "escape_step": escaped, "lower_bound": float(bound),
            "step_times_top": float(step * top)}


def _adaptive_runs(bits: int, matrix, basis) -> dict:
    """Adam (β₁ = 0.9) and RMSProp (β₁ = 0), ε = 0, on c·f for every c of CV6_ADAM_SCALES."""
    start = basis[:, 0] * _number("0.001", bits) + basis[:, 1] * _number("0.01", bits)
    runs = {}
    for beta1 in ("0.9", "0"):
        for scale in CV6_ADAM_SCALES:
            c = _number(scale, bits)
            runs[beta1, scale] = adaptive_descent(
                lambda v, c=c: c * (matrix @ v), start, _number("0.01", bits), CV6_ADAM_STEPS,
                _number(beta1, bits), _number("0.999", bits))
    return runs


def _cv6_escapes(series: dict) -> Finding:
    """The first step with ‖x_k‖ ≥ r is ⌈t*⌉, and it respects the lower bound (53 bits)."""
    if "escapes" not in series:
        _measure_cv6(FLOAT64_BITS, series)
    passed, evidence = True, []
    for entry in series["escapes"]:
        exact_step = math.ceil(entry["predicted"])
        consistent = entry["escape_step"] == exact_step
        bound_ok = entry["step_times_top"] > 2 or entry["escape_step"] >= entry["lower_bound"]
        passed &= consistent and bound_ok
        evidence.append(f"η·λ_max = {entry['step_times_top']:.3g}: escape at step "
                        f"{entry['escape_step']} = ⌈t*⌉ = ⌈{entry['predicted']:.6g}⌉ "
                        f"({'ok' if consistent else 'MISMATCH'}); lower bound "
                        f"λ_max ln(r/δ)/(2ε) = {entry['lower_bound']:.6g} "
                        f"({'holds' if bound_ok else 'VIOLATED'})")
    evidence.append("Adam (β₁ = 0.9) and RMSProp (β₁ = 0), ε = 0, on c·f for c ∈ "
                    f"{list(CV6_ADAM_SCALES)}: iterates identical to c = 1 up to the rounding "
                    "budget at every precision (included in the errors above)")
    return Finding(passed, evidence)


# ----------------------------------------------------------------------------- domains


def _domain_chain():
    from hypothesis import strategies as st
    return st.fixed_dictionaries({"depth": st.integers(1, 64),
                                  "sigma": st.floats(0.2, 2.0),
                                  "seed": st.integers(0, 2**32 - 1)})


def _domain_width_depth():
    from hypothesis import strategies as st
    return st.fixed_dictionaries({"width": st.integers(1, 64), "depth": st.integers(1, 64),
                                  "seed": st.integers(0, 2**32 - 1)})


def _domain_relu():
    from hypothesis import strategies as st
    return st.fixed_dictionaries({"width": st.integers(2, 32), "depth": st.integers(1, 16),
                                  "seed": st.integers(0, 2**32 - 1)})


def _domain_saddle():
    from hypothesis import strategies as st
    return st.fixed_dictionaries({"epsilon": st.floats(1e-3, 0.5),
                                  "top": st.floats(1.0, 10.0),
                                  "step_fraction": st.floats(0.05, 1.0),
                                  "offset": st.floats(1e-8, 1e-2)})


_STATISTICAL = ("STATISTICAL: every Monte Carlo check passes at false-alarm rate 1e-6 "
                "(z-bound 4.89 standard errors; KS and binomial p ≥ 1e-6); seeds from "
                "FLOWCERT_SEED")
_LADDER = ("closed forms vs an independent mpmath evaluation at each precision within "
           "$2^8 dot.c 2^(1-\"bits\")$, shrinking with precision")

exact = partial(exact_claim, source=SOURCE)

CLAIMS = (
    exact(
        id="CV1", title="Scalar chains: the mean of $(product w)^2$ is kept, the median vanishes",
        provenance="D", claim_class=ClaimClass.STATISTICAL,
        statement="EE[(product w_i)^2] = sigma^(2L), quad EE log|product w_i| = L(log sigma "
                  "- (gamma + ln 2)/2), quad op(\"Var\") log|product w_i| = L pi^2/8",
        theory="theory.curvature: cumulants of log|z| from the Mellin transform "
               "$EE|z|^s = 2^(s\\/2) Gamma((s+1)\\/2)\\/sqrt(pi)$ (SymPy integrate), compared "
               "symbolically with the "
               "statement",
        experiment=f"$w_i tilde.op N(0, {CV1_SCALE}^2)$: {CV1_PATHS} chains of depth 256 "
                   f"(log-space "
                   f"products) at L ∈ {list(CV1_DEPTHS)}; (∏w)² from {CV1_SQUARE_SAMPLES} "
                   f"draws at L ≤ 3 (finite fourth moment $3^L$); median slope with σ = 1 on "
                   f"L = 32…256; ladder: the moments of log|z| and z² by quadrature at "
                   f"(L, σ) = {list(CV1_LADDER_CASES)}",
        comparison="symbolic identity (exact); " + _LADDER + "; " + _STATISTICAL + "; slope "
                   "of the median log|∏w| (fit a + bL + c/L, bootstrap SE) must contain "
                   "−(γ+ln 2)/2; null model: uniform weights of the same variance must fail",
        parameters={"sigma": CV1_SCALE, "depths": CV1_DEPTHS, "paths": CV1_PATHS,
                    "square_depths": CV1_SQUARE_DEPTHS, "ladder_cases": CV1_LADDER_CASES,
                    "seed": "FLOWCERT_SEED"},
        measure=_measure_cv1,
        checks=(_claim_checks("CV1"), PropertyCheck(_observe_cv1, _check_cv1, (CV1_NULL,))),
        domain=_domain_chain),
    exact(
        id="CV2", title="Gradient and Hessian moments of the scalar chain",
        provenance="D",
        statement="EE g_i^2 = x^2 y^2 sigma^(2(L-1)) + 3^(L-1) x^4 sigma^(4L-2), quad "
                  "EE H_(i i) = x^2 sigma^(2(L-1)), quad EE H_(i j) = 0, quad EE H_(i j)^2 = "
                  "4 dot 3^(L-2) x^4 sigma^(4L-4) + x^2 y^2 sigma^(2(L-2))",
        theory="theory.curvature.chain_derivative_moments: f = ½(y − x∏w) differentiated in "
               "SymPy, expanded, and averaged with $EE w^(2k) = sigma^(2k) (2k-1)!!$",
        experiment=f"symbolic for L = 3…8; Monte Carlo cross-check at L = 3, x = 1.3, "
                   f"y = 0.7, σ = 0.9 with {CV2_SAMPLES} draws and heyoka AD derivatives",
        comparison="derived − stated must be exactly 0 (SymPy); Monte Carlo means within "
                   "4.89 standard errors of the derived moments; null model: uniform weights "
                   "of the same variance must fail",
        parameters={"symbolic_depths": CV2_SYMBOLIC_DEPTHS, "case": CV2_CASE,
                    "samples": CV2_SAMPLES, "seed": "FLOWCERT_SEED"},
        checks=(_cv2_symbolic, PropertyCheck(_observe_cv2, _check_cv2, (CV2_NULL,))),
        domain=_domain_chain),
    exact(
        id="CV3", title="Linear nets: $norm(y)^2$ is a product of $chi^2_d$; the median decays "
                        "like "
                        "$e^(-L\\/d)$",
        provenance="D", claim_class=ClaimClass.STATISTICAL,
        statement="norm(W_L dots.c W_1 x)^2 = norm(x)^2 sigma^(2L) product chi^2_d, quad "
                  "EE log = L(psi(d/2) + ln(2 sigma^2)), quad psi(d/2) - ln(d/2) in "
                  "(-2/d, -1/d)",
        theory="theory.curvature: $EE log chi^2_d$ and Var from the $chi^2$ Mellin transform; "
               "the drift "
               "bounds by Binet's formula (symbolic steps); margins from the derived drift",
        experiment="Xavier (σ² = 1/d) d×d Gaussian networks of depth 256 multiplied out "
                   "(log-space, renormalised per layer), d ∈ {4, 8, 16, 32, 64}, paths × "
                   f"inputs {CV3_SAMPLING}; ladder: ψ(d/2) − ln(d/2) from mpmath's digamma at "
                   f"{len(CV3_MARGIN_WIDTHS)} widths d = 1…10⁴ and the $chi^2_d$ log-moments by "
                   "quadrature; scipy's digamma at every d ≤ 10⁴",
        comparison="drift and both margins against their independent values (relative to "
                   "|ψ| + |ln| + 2/d) and the log-moments: " + _LADDER + "; slope of the "
                   "log-median vs L within its bootstrap interval (4.89·SE, widened ×1.15 for "
                   "the SE's own error); E log and Var log at L = 256 by z-checks; KS of the "
                   "per-layer ratios against $sigma^2 chi^2_d$; " + _STATISTICAL + "; null model: "
                   "σ² = (d+1)/d² must fail",
        parameters={"widths": CV3_WIDTHS, "depth": CV3_DEPTH, "sampling": CV3_SAMPLING,
                    "slope_depths": CV3_SLOPE_DEPTHS, "margin_widths": CV3_MARGIN_WIDTHS,
                    "seed": "FLOWCERT_SEED"},
        measure=_measure_cv3,
        checks=(_claim_checks("CV3"), _cv3_bounds,
                PropertyCheck(partial(_observe_linear, _cv3_xavier, "CV3"), _check_cv3,
                                  (CV3_NULL,))),
        domain=_domain_width_depth),
    exact(
        id="CV4", title="ReLU (He) layer ratios: $(2\\/d) chi^2_B$; $EE log R = -5\\/(2d) - "
                        "49\\/(12 d^2) + "
                        "O(d^(-3))$",
        provenance="D", claim_class=ClaimClass.STATISTICAL,
        statement="R = 2/d chi^2_B, quad B ~ op(\"Bin\")(d, 1/2) | B >= 1, quad EE log R = "
                  "sum_(b >= 1) p_b [psi(b/2) + ln 2 + ln(2/d)] = -5/(2d) - 49/(12 d^2) + "
                  "O(d^(-3))",
        theory="theory.curvature.relu_log_ratio_mean (finite sum, mpmath), relu_ratio_law, "
               "relu_drift_approximation (−5/(2d), the leading term only) and "
               "relu_drift_second_order (−49/(12d²), delta method)",
        experiment=f"He-initialised ReLU networks, d ∈ {list(CV4_WIDTHS)}, depth {CV4_DEPTH}, "
                   f"≈{CV4_RATIOS} layer ratios each; ladder: the sum, its variance and "
                   f"P(B = 0) by direct summation at d ∈ {list(CV4_EXACT_WIDTHS)}; the "
                   f"expansion's error for d = 32…4096",
        comparison=_LADDER + " (E log R relative to the size of the terms it cancels); "
                   + _STATISTICAL + "; the error of −5/(2d) must decay like $d^(-2)$ and that of "
                   "$-5\\/(2d) - 49\\/(12 d^2)$ like $d^(-3)$ (fitted rates, 99% intervals, each "
                   "rejecting its exponent ± 1/4); null model: ReLU with σ² = 1/d must fail",
        parameters={"widths": CV4_WIDTHS, "depth": CV4_DEPTH, "ratios": CV4_RATIOS,
                    "rate_widths": CV4_RATE_WIDTHS, "exact_widths": CV4_EXACT_WIDTHS,
                    "seed": "FLOWCERT_SEED"},
        measure=_measure_cv4,
        fits=(partial(_cv4_rate_fit, True), partial(_cv4_rate_fit, False)),
        checks=(_claim_checks("CV4"), _cv4_approximation_table,
                PropertyCheck(partial(_observe_relu, 2.0, "CV4"), _check_cv4,
                                  (CV4_NULL,))),
        domain=_domain_relu),
    exact(
        id="CV5", title="Hessian trace at init: mean $L d$, median decays like $e^(-L\\/d)$",
        provenance="D",
        statement="op(\"tr\")(J^T J) = sum_l norm(W_(>l))_F^2 norm(h_(l-1))^2, quad "
                  "EE op(\"tr\")(J^T J) = L d (d sigma^2)^(L-1) norm(x)^2",
        theory="theory.curvature.derive_jacobian_trace_mean (SymPy Jacobian of the network, "
               "Gaussian moments) and jacobian_trace_mean; median rate = Xavier drift",
        experiment="ladder: the derived mean at rational x and σ = 0.6 (dσ² ≠ 1) for (d, L) in "
                   f"{list(CV5_SYMBOLIC_CASES)}; identity: numerics recursion vs trace of the "
                   "heyoka AD Hessian of ½‖y − t‖² (4 random networks); mean: 10000 networks "
                   f"per (d, L ≤ 8); median: Xavier networks of depth {CV5_DEPTH}, d ∈ "
                   f"{list(CV5_WIDTHS)}",
        comparison="closed form vs the derived mean within $2^8 dot.c 2^(1-\"bits\")$, shrinking "
                   "with "
                   "precision; identity within $2 gamma_(L d+2) kappa$ (rounding of matrix "
                   "products, κ the "
                   "absolute-value condition); symbolic mean exactly 0; " + _STATISTICAL
                   + "; median slope interval must contain ψ(d/2) − ln(d/2); null model: "
                   "σ² = (d+1)/d² must fail",
        parameters={"identity_cases": CV5_IDENTITY_CASES, "symbolic_cases":
                    CV5_SYMBOLIC_CASES, "ladder_inputs": CV5_LADDER_INPUTS,
                    "ladder_sigma": CV5_LADDER_SCALE, "mean_widths": CV5_MEAN_WIDTHS,
                    "mean_depths": CV5_MEAN_DEPTHS, "widths": CV5_WIDTHS,
                    "paths": CV5_PATHS, "seed": "FLOWCERT_SEED"},
        measure=_measure_cv5,
        checks=(_cv5_identity, _cv5_symbolic,
                PropertyCheck(partial(_observe_traces, _cv3_xavier, "CV5"), _check_cv5,
                                  (CV5_NULL,))),
        domain=_domain_width_depth),
    exact(
        id="CV6", title="Escaping a saddle: GD needs $ln(r\\/delta)\\/ln(1 + eta epsilon)$ "
                        "steps; Adam is "
                        "scale-free",
        provenance="D",
        statement="t^* = ln(r/delta)/ln(1 + eta epsilon) >= (lambda_max ln(r/delta))/"
                  "(2 epsilon) quad (eta <= 2/lambda_max)",
        theory="theory.curvature.escape_time and escape_time_lower_bound; Adam's scale "
               "invariance checked symbolically",
        experiment=f"½xᵀHx with H = Q diag{CV6_EIGENVALUES}Qᵀ (Haar Q at working precision, "
                   f"seed {CV6_SEED}), GD from $delta v_min$ at $eta = 2\\/lambda_max$ and "
                   f"$1\\/lambda_max$; Adam and "
                   f"RMSProp (ε = 0) for {CV6_ADAM_STEPS} steps on c·f",
        comparison="relative errors of $norm(x_k)$ vs $delta (1 + eta epsilon)^k$, of the escape "
                   "time read off the "
                   "iterates vs $t^*$, of the bound vs $t^* ln(1 + eta epsilon)\\/(eta epsilon)$ "
                   "at $eta = 2\\/lambda_max$ (where they "
                   "are equal), and of c-scaled adaptive iterates vs c = 1, within "
                   "steps·(d+2)·u·A (A = 10) and shrinking with precision; escape step = ⌈t*⌉; "
                   "t* ≥ the lower bound",
        parameters={"eigenvalues": CV6_EIGENVALUES, "cases": CV6_CASES,
                    "adam_scales": CV6_ADAM_SCALES, "seed": CV6_SEED},
        measure=_measure_cv6, checks=(_claim_checks("CV6"), _cv6_escapes),
        domain=_domain_saddle),
)
