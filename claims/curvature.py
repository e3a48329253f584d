"""Claims CV1–CV6: vanishing curvature at initialisation (THEORY.md, CV; Orvieto et al. 2021).

Monte Carlo checks draw their weights from ``FLOWCERT_SEED`` (claims.statistics.base_seed)
through numpy SeedSequence streams keyed by claim id and width; every tolerance is a
standard error at the false-alarm rate 1e-6 (claims.statistics). Theory is looked up at
call time (``curvature.xavier_drift(...)``), so a replaced closed form is what gets checked.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence

import mpmath
import numpy as np
import sympy as sp
from scipy import stats

from flowcert.claims.base import Claim, ClaimClass, Outcome, PrecisionRun
from flowcert.claims.ladder import run_ladder
from flowcert.claims.rates import fit_rate
from flowcert.claims.statistics import (
    Check,
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


def _outcome(claim_id: str, started: float, checks: Sequence[Check], evidence: list[str],
             series: dict, extra_passed: bool = True, runs=(), fits=()) -> Outcome:
    lines = evidence + [c.sentence() for c in checks]
    passed = extra_passed and all(c.passed for c in checks)
    return Outcome(claim_id, bool(passed), list(runs), list(fits), lines, series,
                   time.perf_counter() - started)


def _is_zero(expression: sp.Expr) -> bool:
    return sp.simplify(expression) == 0


# ----------------------------------------------------------------------------- CV1

CV1_SCALE = 0.8
CV1_DEPTHS = (1, 4, 16, 64, 256)
CV1_PATHS = 20_000
CV1_SQUARE_DEPTHS = (1, 2, 3)
CV1_SQUARE_SAMPLES = 400_000
CV1_SLOPE_DEPTHS = tuple(range(32, 257, 32))
CV1_DISTRIBUTION_DEPTH = 64


def _cv1_identities() -> tuple[bool, list[str]]:
    derived = curvature.derived()
    pairs = (("E log|∏w|", derived["CHAIN_LOG_MEAN"], curvature.CHAIN_LOG_MEAN_STATED),
             ("Var log|∏w|", derived["CHAIN_LOG_VARIANCE"], curvature.CHAIN_LOG_VARIANCE_STATED),
             ("E(∏w)²", derived["CHAIN_SQUARE_MEAN"], curvature.CHAIN_SQUARE_MEAN_STATED))
    results = [(name, _is_zero(a - b)) for name, a, b in pairs]
    lines = [f"symbolic: derived {name} − stated = {'0' if ok else 'NONZERO'}"
             for name, ok in results]
    return all(ok for _, ok in results), lines


def run_cv1(_precisions: Sequence[int]) -> Outcome:
    started = time.perf_counter()
    seed = base_seed()
    exact, evidence = _cv1_identities()
    logs = monte_carlo.scalar_chain_log_products(monte_carlo.generator(seed, "CV1", "log"),
                                                 max(CV1_DEPTHS), CV1_PATHS, CV1_SCALE)
    checks = []
    for depth in CV1_DEPTHS:
        column = logs[:, depth - 1]
        checks.append(mean_check(f"E log|∏w|, L = {depth}", column,
                                 float(curvature.chain_log_mean(depth, CV1_SCALE))))
        checks.append(variance_check(f"Var log|∏w|, L = {depth}", column,
                                     float(curvature.chain_log_variance(depth))))
    for depth in CV1_SQUARE_DEPTHS:
        products = monte_carlo.scalar_chain_products(
            monte_carlo.generator(seed, "CV1", "square", depth), depth, CV1_SQUARE_SAMPLES,
            CV1_SCALE)
        checks.append(mean_check(f"E(∏w)², L = {depth}", products**2,
                                 float(curvature.chain_square_mean(depth, CV1_SCALE))))
    unit_logs = monte_carlo.scalar_chain_log_products(
        monte_carlo.generator(seed, "CV1", "median"), max(CV1_SLOPE_DEPTHS), CV1_PATHS, 1.0)
    columns = [d - 1 for d in CV1_SLOPE_DEPTHS]
    fit = median_slope("slope of median log|∏w| vs L (σ = 1)", CV1_SLOPE_DEPTHS,
                       unit_logs[:, None, columns], float(curvature.chain_log_mean(1, 1.0)),
                       monte_carlo.generator(seed, "CV1", "bootstrap"))
    evidence.append(fit.sentence())
    series = {"moments": {"depths": list(CV1_DEPTHS), "scale": CV1_SCALE,
                          "mean": [float(np.mean(logs[:, d - 1])) for d in CV1_DEPTHS],
                          "median": [float(np.median(logs[:, d - 1])) for d in CV1_DEPTHS]},
              "median_slope": _fit_series(fit),
              "distribution": _cv1_distribution(logs[:, CV1_DISTRIBUTION_DEPTH - 1])}
    return _outcome("CV1", started, checks, evidence, series, exact and fit.passed)


def _cv1_distribution(column: np.ndarray) -> dict:
    """log|∏w| at CV1_DISTRIBUTION_DEPTH against the normal law with the derived moments."""
    law = stats.norm(float(curvature.chain_log_mean(CV1_DISTRIBUTION_DEPTH, CV1_SCALE)),
                     math.sqrt(float(curvature.chain_log_variance(CV1_DISTRIBUTION_DEPTH))))
    return distribution_series(column, f"normal with the derived mean and variance (CLT, "
                               f"L = {CV1_DISTRIBUTION_DEPTH})", law.ppf, law.pdf)


def _fit_series(fit: SlopeFit) -> dict:
    return {"x": fit.x, "y": fit.y, "slope": fit.slope, "low": fit.low, "high": fit.high,
            "predicted": fit.predicted, "standard_error": fit.standard_error}


# ----------------------------------------------------------------------------- CV2

CV2_SYMBOLIC_DEPTHS = tuple(range(3, 9))
CV2_CASE = {"depth": 3, "x": 1.3, "y": 0.7, "sigma": 0.9}
CV2_SAMPLES = 400_000


def run_cv2(_precisions: Sequence[int]) -> Outcome:
    started = time.perf_counter()
    residuals = curvature.chain_moment_residuals(CV2_SYMBOLIC_DEPTHS)
    nonzero = {key: value for key, value in residuals.items() if value != 0}
    evidence = [f"symbolic: derived − stated moment = 0 for all four moments at L = "
                f"{CV2_SYMBOLIC_DEPTHS[0]}…{CV2_SYMBOLIC_DEPTHS[-1]}" if not nonzero else
                f"symbolic: NONZERO residuals {nonzero}"]
    at_two = curvature.chain_moment_residuals((2,))[2, "E H_ij"]
    evidence.append(f"L = 2 (outside the stated L ≥ 3): E H_12 − 0 = {at_two} (the term "
                    f"−xy of the residual survives, as the restriction says)")
    depth, x, y, scale = (CV2_CASE[k] for k in ("depth", "x", "y", "sigma"))
    weights = scale * monte_carlo.generator(base_seed(), "CV2").standard_normal(
        (CV2_SAMPLES, depth))
    gradients, hessians = chain_derivatives(depth)(weights, x, y)
    derived = curvature.chain_derivative_moments(depth)
    point = {curvature.x: x, curvature.y: y, curvature.sigma: scale}
    observed = {"E g_i^2": gradients[:, 0] ** 2, "E H_ii": hessians[:, 0, 0],
                "E H_ij": hessians[:, 0, 1], "E H_ij^2": hessians[:, 0, 1] ** 2}
    checks = [mean_check(f"Monte Carlo {name} (L = {depth}, AD derivatives)", values,
                         float(derived[name].subs(point)))
              for name, values in observed.items()]
    medians = {name: float(np.median(values)) for name, values in observed.items()}
    pairs = [f"{name} median {value:.3g} vs mean {float(derived[name].subs(point)):.3g}"
             for name, value in medians.items()]
    evidence.append(f"at L = {depth}: " + "; ".join(pairs))
    series = {"moments": {"names": list(observed), "means": [float(np.mean(v)) for v in
                                                             observed.values()],
                          "predicted": [float(derived[k].subs(point)) for k in observed],
                          "medians": list(medians.values())}}
    return _outcome("CV2", started, checks, evidence, series, not nonzero)


# ----------------------------------------------------------------------------- CV3

CV3_WIDTHS = (4, 8, 16, 32, 64)
CV3_DEPTH = 256
#: (paths, input columns per path): cost ∝ paths·d², the slope's SE ∝ √(d/paths).
CV3_SAMPLING = {4: (2000, 1), 8: (1000, 2), 16: (400, 4), 32: (200, 8), 64: (100, 16)}
CV3_SLOPE_DEPTHS = tuple(range(32, CV3_DEPTH + 1, 32))
CV3_MAX_DRIFT_WIDTH = 10**4
CV3_DISTRIBUTION_WIDTH = 4


def run_cv3(_precisions: Sequence[int]) -> Outcome:
    started = time.perf_counter()
    seed = base_seed()
    checks, fits, table, series = [], [], [], {"widths": {}}
    for width in CV3_WIDTHS:
        paths, columns = CV3_SAMPLING[width]
        scale = 1 / math.sqrt(width)
        sample = monte_carlo.linear_network_paths(monte_carlo.generator(seed, "CV3", width),
                                                  width, CV3_DEPTH, paths, scale, columns)
        predicted = float(curvature.xavier_drift(width))
        fit = median_slope(f"d = {width}", CV3_SLOPE_DEPTHS,
                           sample.log_norm_sq[:, :, list(CV3_SLOPE_DEPTHS)], predicted,
                           monte_carlo.generator(seed, "CV3", "bootstrap", width))
        fits.append(fit)
        table.append(f"d = {width:2d}: fitted slope {fit.slope:+.5f}, interval "
                     f"[{fit.low:+.5f}, {fit.high:+.5f}], predicted ψ(d/2) − ln(d/2) = "
                     f"{predicted:+.5f} ({'contained' if fit.passed else 'NOT contained'}); "
                     f"−2/d = {-2 / width:+.5f}, −1/d = {-1 / width:+.5f}")
        checks += _cv3_moment_checks(sample, width, scale)
        series["widths"][str(width)] = _cv3_series(sample, fit)
        if width == CV3_DISTRIBUTION_WIDTH:
            series["distribution"] = _cv3_distribution(sample, width, scale)
    bounds = curvature.verify_drift_bounds(CV3_MAX_DRIFT_WIDTH)
    proof = curvature.drift_bound_proof_checks()
    evidence = ["curvature-decay slope table (log-median ‖W_L⋯W_1x‖² vs L, Xavier, fit "
                "a + bL + c/L on L = 32…256, interval ±4.89·SE·1.15 from 200 path bootstraps):",
                *table,
                f"drift bounds −2/d < ψ(d/2) − ln(d/2) < −1/d at all d = 1…{CV3_MAX_DRIFT_WIDTH}"
                f" (mpmath, 40 digits): {'hold' if bounds['all_strict'] else 'FAIL'}; smallest "
                f"scaled margins d·(drift + 2/d) = {bounds['min_scaled_lower_margin']:.4f}, "
                f"d²·(−1/d − drift) = {bounds['min_scaled_upper_margin']:.4f} (limits 1, 1/3)",
                "all d > 0 by Binet's second formula (theory.curvature docstring); symbolic "
                f"steps: {'all verified' if all(proof.values()) else proof}"]
    series["bounds"] = bounds
    passed = all(f.passed for f in fits) and bounds["all_strict"] and all(proof.values())
    return _outcome("CV3", started, checks, evidence, series, passed)


def _cv3_moment_checks(sample, width: int, scale: float) -> list[Check]:
    final = sample.log_norm_sq[:, 0, CV3_DEPTH]
    degrees, variance = curvature.layer_ratio_law(width, scale)
    ratios = np.exp(sample.layer_log_ratios[:, 0, :]).ravel()
    return [
        mean_check(f"d = {width}: E log‖y‖² at L = {CV3_DEPTH}", final,
                   float(curvature.network_log_mean(width, CV3_DEPTH, scale))),
        variance_check(f"d = {width}: Var log‖y‖² at L = {CV3_DEPTH}", final,
                       float(curvature.network_log_variance(width, CV3_DEPTH))),
        ks_check(f"d = {width}: per-layer ratios ~ σ²χ²_d (pooled over layers)", ratios,
                 lambda r: stats.chi2.cdf(r / float(variance), degrees)),
    ]


def _cv3_distribution(sample, width: int, scale: float) -> dict:
    """Per-layer ratios of the first input column (pooled over layers) against σ²χ²_d."""
    degrees, variance = curvature.layer_ratio_law(width, scale)
    law = stats.chi2(degrees, scale=float(variance))
    ratios = np.exp(sample.layer_log_ratios[:, 0, :]).ravel()
    return distribution_series(ratios, f"σ²χ²_d, d = {width}", law.ppf, law.pdf)


def _cv3_series(sample, fit: SlopeFit) -> dict:
    first = sample.log_norm_sq[:, 0, :]
    depths = list(range(0, CV3_DEPTH + 1, 8))
    log_mean = [float(np.log(np.mean(np.exp(first[:, d])))) for d in depths]
    return {"depths": depths, "log_median": [float(np.median(first[:, d])) for d in depths],
            "log_mean": log_mean, "fit": _fit_series(fit)}


# ----------------------------------------------------------------------------- CV4

CV4_WIDTHS = (2, 4, 8, 16, 32)
CV4_DEPTH = 16
#: Layer ratios per width: 10^5, capped so that no width draws more than 2·10^7 normals.
CV4_RATIOS = 100_000
CV4_NORMALS = 20_000_000
CV4_RATE_WIDTHS = tuple(2**k for k in range(5, 13))
CV4_DISTRIBUTION_WIDTH = 4


def run_cv4(_precisions: Sequence[int]) -> Outcome:
    started = time.perf_counter()
    seed = base_seed()
    checks, series = [], {"widths": {}}
    for width in CV4_WIDTHS:
        paths = max(min(CV4_RATIOS, CV4_NORMALS // width**2) // CV4_DEPTH, 1)
        logs = monte_carlo.relu_layer_log_ratios(monte_carlo.generator(seed, "CV4", width),
                                                 width, CV4_DEPTH, paths, math.sqrt(2 / width))
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
    fits = [_cv4_rate_fit(leading_only=True), _cv4_rate_fit(leading_only=False)]
    evidence = [_cv4_approximation_table()]
    evidence += [f"{f.name}: slope {f.slope:.4f}, 99% interval [{f.low:.4f}, {f.high:.4f}], "
                 f"predicted {f.predicted:g} ({'contained' if f.passed else 'NOT contained'})"
                 for f in fits]
    return _outcome("CV4", started, checks, evidence, series, all(f.passed for f in fits),
                    fits=fits)


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
    gaps = [_cv4_gap(width, leading_only) for width in CV4_RATE_WIDTHS]
    if leading_only:
        return fit_rate("|E log R + 5/(2d)| (stated approximation's error)", "d",
                        CV4_RATE_WIDTHS, gaps, predicted=-2.0, limit="infinity")
    return fit_rate("|E log R + 5/(2d) + 49/(12d²)| (with the second-order term)", "d",
                    CV4_RATE_WIDTHS, gaps, predicted=-3.0, limit="infinity")


def _cv4_approximation_table() -> str:
    parts = []
    with mpmath.workdps(30):
        for width in (1, 2, 4, 8, 16, 32, 64, 256, 4096):
            exact = curvature.relu_log_ratio_mean(width)
            approximation = curvature.relu_drift_approximation(width)
            parts.append(f"d={width}: {float(exact):.5g} vs {float(approximation):.5g} "
                         f"({float((exact - approximation) / abs(approximation)):+.1%})")
    return "exact E log R vs the stated −5/(2d): " + "; ".join(parts)


# ----------------------------------------------------------------------------- CV5

CV5_IDENTITY_CASES = ((2, 1), (2, 3), (3, 4), (4, 6))
CV5_SYMBOLIC_CASES = ((1, 1), (1, 3), (2, 1), (2, 2), (2, 3), (3, 2))
CV5_MEAN_WIDTHS = (4, 8, 16)
#: L = 1 is deterministic (tr = d‖x‖²), so the Monte Carlo starts at L = 2.
CV5_MEAN_DEPTHS = (2, 4, 8)
CV5_MEAN_PATHS = 10_000
CV5_WIDTHS = (4, 8, 16, 32)
CV5_DEPTH = 256
CV5_PATHS = {4: 1000, 8: 500, 16: 250, 32: 120}
CV5_SLOPE_DEPTHS = tuple(range(32, CV5_DEPTH + 1, 32))


def _cv5_identity_run(seed: int) -> tuple[PrecisionRun, list[str], bool]:
    """tr(JᵀJ) by the numerics recursion vs the trace of the AD Hessian of ½‖y − t‖².

    For a linear network the loss is quadratic in each W_l separately, so the Hessian's
    diagonal blocks are the Gauss–Newton blocks and tr ∇² = tr(JᵀJ) exactly. Tolerance:
    matrix products of n = L·d terms have |fl − exact| ≤ γ_n·(|W|-product), so both sides
    agree to 2γ_{Ld+2}·κ with κ = (trace of the absolute-value network)/(trace).
    """
    worst, worst_budget, lines = 0.0, 0.0, []
    rng = monte_carlo.generator(seed, "CV5", "identity")
    passed_all = True
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
        passed_all &= error <= budget
        worst, worst_budget = max(worst, error), max(worst_budget, budget)
        lines.append(f"d = {width}, L = {depth}: tr(JᵀJ) recursion {recursion:.10g} vs AD "
                     f"Hessian trace, relative error {error:.2g} (budget {budget:.2g})")
    return PrecisionRun(FLOAT64_BITS, worst, worst, worst_budget), lines, bool(passed_all)


def run_cv5(_precisions: Sequence[int]) -> Outcome:
    started = time.perf_counter()
    seed = base_seed()
    run, evidence, identity_ok = _cv5_identity_run(seed)
    symbolic_ok = True
    for width, depth in CV5_SYMBOLIC_CASES:
        inputs = sp.symbols(f"x_1:{width + 1}", real=True)
        residual = sp.simplify(curvature.derive_jacobian_trace_mean(width, depth)
                               - curvature.jacobian_trace_mean_stated(width, depth, inputs))
        symbolic_ok &= residual == 0
    evidence.append(f"symbolic: E tr(JᵀJ) from the network's own Jacobian minus "
                    f"L d (dσ²)^(L−1)‖x‖² = {'0' if symbolic_ok else 'NONZERO'} for (d, L) in "
                    f"{list(CV5_SYMBOLIC_CASES)}")
    checks = _cv5_mean_checks(seed)
    fits, series = [], {"widths": {}}
    for width in CV5_WIDTHS:
        sample = monte_carlo.linear_network_paths(
            monte_carlo.generator(seed, "CV5", width), width, CV5_DEPTH, CV5_PATHS[width],
            1 / math.sqrt(width), with_trace=True)
        depths = np.array(CV5_SLOPE_DEPTHS)
        values = sample.log_trace[:, None, depths] - np.log(depths)
        fit = median_slope(f"d = {width}", CV5_SLOPE_DEPTHS, values,
                           float(curvature.xavier_drift(width)),
                           monte_carlo.generator(seed, "CV5", "bootstrap", width))
        fits.append(fit)
        evidence.append(f"median tr(JᵀJ): {fit.sentence()}")
        series["widths"][str(width)] = _cv5_series(sample, fit, width)
    evidence.insert(len(CV5_IDENTITY_CASES) + 1, "typical curvature: log-median tr(JᵀJ) − "
                    "ln L = a + bL + c/L fitted on L = 32…256; b must match the Xavier drift "
                    "ψ(d/2) − ln(d/2) ≈ −1/d (tr ≈ e^{S_L}·L·O(1), S_L a sum of L layer logs)")
    passed = identity_ok and symbolic_ok and all(f.passed for f in fits)
    return _outcome("CV5", started, checks, evidence, series, passed, runs=[run])


def _cv5_mean_checks(seed: int) -> list[Check]:
    checks = []
    for width in CV5_MEAN_WIDTHS:
        scale = 1 / math.sqrt(width)
        sample = monte_carlo.linear_network_paths(
            monte_carlo.generator(seed, "CV5", "mean", width), width, max(CV5_MEAN_DEPTHS),
            CV5_MEAN_PATHS, scale, with_trace=True)
        for depth in CV5_MEAN_DEPTHS:
            checks.append(mean_check(
                f"d = {width}, L = {depth}: E tr(JᵀJ)", np.exp(sample.log_trace[:, depth]),
                float(curvature.jacobian_trace_mean(width, depth, scale))))
    return checks


def _cv5_series(sample, fit: SlopeFit, width: int) -> dict:
    depths = list(range(8, CV5_DEPTH + 1, 8))
    traces = sample.log_trace
    return {"depths": depths, "log_median": [float(np.median(traces[:, d])) for d in depths],
            "log_mean": [float(np.log(np.mean(np.exp(traces[:, d])))) for d in depths],
            "predicted_log_mean": [float(np.log(curvature.jacobian_trace_mean(
                width, d, 1 / math.sqrt(width)))) for d in depths],
            "fit": _fit_series(fit)}


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
    (and the norms of the iterates) at bits + 32."""
    errors, steps_total = [], 0
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
            factor = 1 + mpmath.mpf(step) * curvature_scale
            errors += [abs(n / (mpmath.mpf(offset) * factor**k) - 1)
                       for k, n in enumerate(norms)]
            if bits == FLOAT64_BITS:
                series.setdefault("escapes", []).append(_cv6_case_series(
                    case, norms, predicted, radius, mpmath.mpf(offset), top, curvature_scale,
                    mpmath.mpf(step)))
        steps_total = max(steps_total, count)
    with mpmath.workprec(bits):
        matrix, basis = _cv6_problem(bits)
        iterates = _adaptive_runs(bits, matrix, basis)
    with theory_precision(bits):
        errors += _scale_differences(iterates)
    worst = float(max(errors))
    size = len(CV6_EIGENVALUES)
    tolerance = max(steps_total, CV6_ADAM_STEPS) * (size + 2) * unit_roundoff(bits) \
        * CV6_AMPLIFICATION
    return PrecisionRun(bits, worst, worst, tolerance, steps_total)


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


def _scale_differences(runs: dict) -> list:
    """max |iterates(c) − iterates(1)| / max |iterates(1)| for each (method, c)."""
    errors = []
    for (beta1, _), run in runs.items():
        reference = runs[beta1, "1"]
        size = max(abs(mpmath.mpf(v)) for v in reference.ravel())
        errors.append(max(abs(mpmath.mpf(a) - mpmath.mpf(b))
                          for a, b in zip(run.ravel(), reference.ravel(), strict=True)) / size)
    return errors


def run_cv6(precisions: Sequence[int]) -> Outcome:
    started = time.perf_counter()
    series: dict = {}
    runs, passed, evidence = run_ladder(lambda bits: _measure_cv6(bits, series), precisions)
    if FLOAT64_BITS not in {r.precision_bits for r in runs}:
        _measure_cv6(FLOAT64_BITS, series)
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
    return Outcome("CV6", bool(passed), runs, [], evidence, series,
                   time.perf_counter() - started)


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

CLAIMS = (
    Claim(
        id="CV1", family="CV", title="Scalar chains: the mean of (∏w)² is kept, the median "
                                     "vanishes",
        claim_class=ClaimClass.STATISTICAL, provenance="D", source=SOURCE,
        statement="EE[(product w_i)^2] = sigma^(2L), quad EE log|product w_i| = L(log sigma "
                  "- (gamma + ln 2)/2), quad op(\"Var\") log|product w_i| = L pi^2/8",
        theory="theory.curvature: cumulants of log|z| from the Mellin transform E|z|^s = "
               "2^{s/2}Γ((s+1)/2)/√π (SymPy integrate), compared symbolically with the "
               "statement",
        experiment=f"w_i ~ N(0, {CV1_SCALE}²): {CV1_PATHS} chains of depth 256 (log-space "
                   f"products) at L ∈ {list(CV1_DEPTHS)}; (∏w)² from {CV1_SQUARE_SAMPLES} "
                   f"draws at L ≤ 3 (finite fourth moment 3^L); median slope with σ = 1 on "
                   f"L = 32…256",
        comparison="symbolic identity (exact); " + _STATISTICAL + "; slope of the median "
                   "log|∏w| (fit a + bL + c/L, bootstrap SE) must contain −(γ+ln 2)/2",
        parameters={"sigma": CV1_SCALE, "depths": CV1_DEPTHS, "paths": CV1_PATHS,
                    "square_depths": CV1_SQUARE_DEPTHS, "seed": "FLOWCERT_SEED"},
        run=run_cv1, domain=_domain_chain),
    Claim(
        id="CV2", family="CV", title="Gradient and Hessian moments of the scalar chain",
        claim_class=ClaimClass.EXACT, provenance="D", source=SOURCE,
        statement="EE g_i^2 = x^2 y^2 sigma^(2(L-1)) + 3^(L-1) x^4 sigma^(4L-2), quad "
                  "EE H_(i i) = x^2 sigma^(2(L-1)), quad EE H_(i j) = 0, quad EE H_(i j)^2 = "
                  "4 dot 3^(L-2) x^4 sigma^(4L-4) + x^2 y^2 sigma^(2(L-2))",
        theory="theory.curvature.chain_derivative_moments: f = ½(y − x∏w) differentiated in "
               "SymPy, expanded, and averaged with E w^{2k} = σ^{2k}(2k−1)!!",
        experiment=f"symbolic for L = 3…8; Monte Carlo cross-check at L = 3, x = 1.3, "
                   f"y = 0.7, σ = 0.9 with {CV2_SAMPLES} draws and heyoka AD derivatives",
        comparison="derived − stated must be exactly 0 (SymPy); Monte Carlo means within "
                   "4.89 standard errors of the derived moments",
        parameters={"symbolic_depths": CV2_SYMBOLIC_DEPTHS, "case": CV2_CASE,
                    "samples": CV2_SAMPLES, "seed": "FLOWCERT_SEED"},
        run=run_cv2, domain=_domain_chain),
    Claim(
        id="CV3", family="CV", title="Linear nets: ‖y‖² is a product of χ²_d; the median "
                                     "decays like e^(−L/d)",
        claim_class=ClaimClass.STATISTICAL, provenance="D", source=SOURCE,
        statement="norm(W_L dots.c W_1 x)^2 = norm(x)^2 sigma^(2L) product chi^2_d, quad "
                  "EE log = L(psi(d/2) + ln(2 sigma^2)), quad psi(d/2) - ln(d/2) in "
                  "(-2/d, -1/d)",
        theory="theory.curvature: E log χ²_d and Var from the χ² Mellin transform; the drift "
               "bounds by Binet's formula (symbolic steps) and mpmath for d = 1…10⁴",
        experiment="Xavier (σ² = 1/d) d×d Gaussian networks of depth 256 multiplied out "
                   "(log-space, renormalised per layer), d ∈ {4, 8, 16, 32, 64}, paths × "
                   f"inputs {CV3_SAMPLING}",
        comparison="slope of the log-median vs L within its bootstrap interval (4.89·SE, "
                   "widened ×1.15 for the SE's own error); E log and Var log at L = 256 by "
                   "z-checks; KS of the per-layer ratios against σ²χ²_d; " + _STATISTICAL,
        parameters={"widths": CV3_WIDTHS, "depth": CV3_DEPTH, "sampling": CV3_SAMPLING,
                    "slope_depths": CV3_SLOPE_DEPTHS, "seed": "FLOWCERT_SEED"},
        run=run_cv3, domain=_domain_width_depth),
    Claim(
        id="CV4", family="CV", title="ReLU (He) layer ratios: (2/d)χ²_B and E log R ≈ −5/(2d)",
        claim_class=ClaimClass.STATISTICAL, provenance="D", source=SOURCE,
        statement="R = 2/d chi^2_B, quad B ~ op(\"Bin\")(d, 1/2) | B >= 1, quad EE log R = "
                  "sum_(b >= 1) p_b [psi(b/2) + ln 2 + ln(2/d)] approx -5/(2d)",
        theory="theory.curvature.relu_log_ratio_mean (finite sum, mpmath), "
               "relu_ratio_law, relu_drift_approximation and the second-order term −49/(12d²)",
        experiment=f"He-initialised ReLU networks, d ∈ {list(CV4_WIDTHS)}, depth {CV4_DEPTH}, "
                   f"≈{CV4_RATIOS} layer ratios each; the approximation's error for "
                   f"d = 32…4096",
        comparison=_STATISTICAL + "; the stated approximation's error must decay like d^-2 "
                   "(fitted rate, 99% interval) — it is the leading term only",
        parameters={"widths": CV4_WIDTHS, "depth": CV4_DEPTH, "ratios": CV4_RATIOS,
                    "rate_widths": CV4_RATE_WIDTHS, "seed": "FLOWCERT_SEED"},
        run=run_cv4, domain=_domain_relu),
    Claim(
        id="CV5", family="CV", title="Hessian trace at init: mean L·d, median decays like "
                                     "e^(−L/d)",
        claim_class=ClaimClass.EXACT, provenance="D", source=SOURCE,
        statement="op(\"tr\")(J^T J) = sum_l norm(W_(>l))_F^2 norm(h_(l-1))^2, quad "
                  "EE op(\"tr\")(J^T J) = L d (d sigma^2)^(L-1) norm(x)^2",
        theory="theory.curvature.derive_jacobian_trace_mean (SymPy Jacobian of the network, "
               "Gaussian moments) and jacobian_trace_mean; median rate = Xavier drift",
        experiment="identity: numerics recursion vs trace of the heyoka AD Hessian of "
                   "½‖y − t‖² (4 random networks); mean: 10000 networks per (d, L ≤ 8); "
                   f"median: Xavier networks of depth {CV5_DEPTH}, d ∈ {list(CV5_WIDTHS)}",
        comparison="identity within 2γ_{Ld+2}·κ (rounding of matrix products, κ the "
                   "absolute-value condition); symbolic mean exactly 0; " + _STATISTICAL
                   + "; median slope interval must contain ψ(d/2) − ln(d/2)",
        parameters={"identity_cases": CV5_IDENTITY_CASES, "symbolic_cases":
                    CV5_SYMBOLIC_CASES, "mean_widths": CV5_MEAN_WIDTHS,
                    "mean_depths": CV5_MEAN_DEPTHS, "widths": CV5_WIDTHS,
                    "paths": CV5_PATHS, "seed": "FLOWCERT_SEED"},
        run=run_cv5, domain=_domain_width_depth),
    Claim(
        id="CV6", family="CV", title="Escaping a saddle: GD needs ln(r/δ)/ln(1+ηε) steps; "
                                     "Adam is scale-free",
        claim_class=ClaimClass.EXACT, provenance="D", source=SOURCE,
        statement="t^* = ln(r/delta)/ln(1 + eta epsilon) >= (lambda_max ln(r/delta))/"
                  "(2 epsilon) quad (eta <= 2/lambda_max)",
        theory="theory.curvature.escape_time and escape_time_lower_bound; Adam's scale "
               "invariance checked symbolically in self_checks",
        experiment=f"½xᵀHx with H = Q diag{CV6_EIGENVALUES}Qᵀ (Haar Q at working precision, "
                   f"seed {CV6_SEED}), GD from δ·v_min at η = 2/λ_max and 1/λ_max; Adam and "
                   f"RMSProp (ε = 0) for {CV6_ADAM_STEPS} steps on c·f",
        comparison="max relative error of ‖x_k‖ vs δ(1+ηε)^k and of c-scaled adaptive "
                   "iterates vs c = 1, within steps·(d+2)·u·A (A = 10) and shrinking with "
                   "precision; escape step = ⌈t*⌉; t* ≥ the lower bound",
        parameters={"eigenvalues": CV6_EIGENVALUES, "cases": CV6_CASES,
                    "adam_scales": CV6_ADAM_SCALES, "seed": CV6_SEED},
        run=run_cv6, domain=_domain_saddle),
)
