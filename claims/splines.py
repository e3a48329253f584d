"""Claims SP1–SP6: spline implicit bias of wide ReLU networks (Jin & Montúfar 2020/2023;
THEORY.md, SP).

The numerical side is :mod:`numerics.splines` (ζ and K by quadrature of each law, Monte Carlo
of the kink, the variational solver) and :mod:`numerics.wide_relu` (the networks and their
training); the theory side is :mod:`theory.splines`, looked up at call time, so a replaced
theory function is what gets checked. Every EXACT comparison records observed (numerics) and
predicted (theory) values in a :class:`~flowcert.claims.comparison.Comparison`.
"""

from __future__ import annotations

import functools
from functools import partial

import mpmath
import numpy as np
from scipy.interpolate import CubicSpline

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
from flowcert.claims.statistics import Check, base_seed, z_check
from flowcert.claims.tolerances import theory_precision, trajectory_tolerance
from flowcert.numerics.integrate import integrate
from flowcert.numerics.monte_carlo import generator
from flowcert.numerics.precision import FLOAT64_BITS, unit_roundoff
from flowcert.numerics.splines import QUAD_RTOL, Law, kink_weight_samples, solve_variational
from flowcert.numerics.wide_relu import antisymmetric_network, min_norm_fit, output_layer_flow
from flowcert.theory import splines

SOURCE = ("Jin & Montúfar (2020/2023), Implicit bias of gradient descent for mean squared "
          "error regression with two-layer wide neural networks; flowcert seed 004")

#: Relative budget of a float64 adaptive quadrature requested at rtol 1e-13 (QUAD_RTOL):
#: ten times the request covers the rounding of the integrand's evaluations; the issue asks
#: for 1e-12.
FLOAT_QUADRATURE_BUDGET = 10 * QUAD_RTOL
#: Nested (two-level) float64 quadrature, and quantities assembled from several quadratures
#: (quadratic forms, the Galerkin solution): ten times the single-quadrature budget.
NESTED_QUADRATURE_BUDGET = 10 * FLOAT_QUADRATURE_BUDGET
#: Relative budget above 53 bits, in units u = 2^(1−bits): mpmath.quad and the theory
#: evaluators both run with 32 guard bits, so 2^8 u is a wide margin for rounding only.
ROUNDING_ULPS = 2**8

LAWS = (
    Law("gaussian", {"sigma_w": 1.0, "sigma_b": 1.0}),
    Law("gaussian", {"sigma_w": 0.75, "sigma_b": 1.5}),
    Law("uniform", {"a_w": 1.5, "a_b": 0.75}),
    Law("sign_uniform", {"a_b": 1.25}),
    Law("circle", {}),
)


def _label(law: Law) -> str:
    values = ", ".join(f"{k}={v:g}" for k, v in law.params.items())
    return f"{law.kind}({values})"


def _theory_penalty(law: Law):
    return splines.penalty_evaluator(law.kind, **law.params)


def _rounding_budget(bits: int, float_budget: float) -> float:
    return float_budget if bits == FLOAT64_BITS else ROUNDING_ULPS * unit_roundoff(bits)


def _claim_checks(claim_id: str):
    """The claim's symbolic identities (theory.splines.claim_checks, cached derivations)."""
    def check(_series: dict) -> Finding:
        return symbolic_checks(splines.claim_checks(claim_id))
    return check


# ----------------------------------------------------------------------------- SP1

SP1_POINTS = (-2.5, -0.7, 0.0, 0.4, 1.9)
#: Monte Carlo of p_C(x)·E[W²|C = x]: bin centres, half width h and draws per law.
SP1_BINS = (-1.5, 0.0, 0.7)
SP1_HALF_WIDTH = 0.05
SP1_SAMPLES = 2_000_000


def _measure_sp1(bits: int, series: dict) -> PrecisionRun:
    """ζ by quadrature of each law's density (numerics) against the derived ζ (theory), at
    every point and law; where ζ = 0 the gap is relative to the law's ζ(0)."""
    comparison = Comparison(bits)
    with theory_precision(bits):
        for law in LAWS:
            predicted = _theory_penalty(law)
            at_zero = predicted(0)
            for point in SP1_POINTS:
                expected = predicted(point)
                comparison.add(mpmath.mpf(law.penalty(point, bits)), expected,
                               expected if expected != 0 else at_zero)
    if bits == FLOAT64_BITS:
        series["curves"] = _penalty_curves()
    return comparison.run(_rounding_budget(bits, FLOAT_QUADRATURE_BUDGET))


def _penalty_curves() -> dict:
    points = np.linspace(-3, 3, 121)
    curves = {"x": points.tolist()}
    for law in LAWS:
        predicted = _theory_penalty(law)
        curves[_label(law)] = {"theory": [float(predicted(p)) for p in points],
                               "quadrature": [law.penalty(p) for p in points[::6]]}
    curves["x_quadrature"] = points[::6].tolist()
    return curves


def _observe_kinks(power: int, key: tuple) -> list[dict]:
    """Per law and bin: mean and standard error of |W|^power·1{C ∈ bin}/(2h) over
    SP1_SAMPLES draws (numerics.splines.kink_weight_samples) from the stream
    generator(base_seed(), *key, law index), and the hit count."""
    observed = []
    for index, law in enumerate(LAWS):
        rng = generator(base_seed(), *key, index)
        bins = kink_weight_samples(law, rng, SP1_SAMPLES, SP1_BINS, SP1_HALF_WIDTH, power)
        for centre, samples in zip(SP1_BINS, bins, strict=True):
            observed.append({"law": law, "centre": centre, "mean": float(np.mean(samples)),
                             "error": float(np.std(samples, ddof=1) / np.sqrt(len(samples))),
                             "hits": int(np.count_nonzero(samples)), "count": len(samples)})
    return observed


def _check_kinks(observed: list[dict]) -> Finding:
    """Each bin mean against (1/2h)∫_bin ζ (theory ζ, mpmath.quad at 80 bits): z-checks at the
    false-alarm rate 1e-6; a bin where ζ = 0 must receive no kink at all."""
    checks = []
    for entry in observed:
        centre = entry["centre"]
        predicted = _theory_penalty(entry["law"])
        with mpmath.workprec(80):
            average = float(mpmath.quad(predicted, [centre - SP1_HALF_WIDTH, centre,
                                                    centre + SP1_HALF_WIDTH])
                            / (2 * SP1_HALF_WIDTH))
        checks.append(_bin_check(f"{_label(entry['law'])}, bin {centre:+.2f} ± "
                                 f"{SP1_HALF_WIDTH}", entry, average))
    series = {"monte_carlo": [{"name": c.name, "observed": c.observed,
                               "predicted": c.predicted, "allowed": c.allowed} for c in checks]}
    return Finding(all(c.passed for c in checks), [c.sentence() for c in checks], series)


def _bin_check(name: str, entry: dict, predicted: float) -> Check:
    if predicted == 0:
        return Check(name, entry["hits"] == 0, entry["mean"], 0.0, 0.0,
                     f"ζ = 0 on the bin: {entry['hits']} of {entry['count']} kinks fell in it")
    return z_check(name, entry["mean"], entry["error"], predicted)


SP1_NULL = NullModel(
    "kink density without E[W²|C]", "the same draws weighted by 1 instead of W²: the bin "
    "averages of the kink density p_C alone (the |W|³ of ζ = ∫|W|³p(W, −Wx)dW reduced to "
    "the Jacobian |W|); the same z-checks against the bin averages of ζ must fail",
    partial(_observe_kinks, 0, ("SP1", "null")))




# ----------------------------------------------------------------------------- SP2

SP2_GAUSSIANS = ({"sigma_w": 1.0, "sigma_b": 1.0}, {"sigma_w": 0.75, "sigma_b": 1.5})
SP2_PAIRS = ((0.3, -1.2), (-0.9, 0.6), (1.7, 2.4), (0.0, -2.0))


def _measure_sp2(bits: int, series: dict) -> PrecisionRun:
    """Theory's ∂²K/∂x² (SymPy derivative of the arc-cosine kernel) against ζ|x − x′|/2 with
    ζ from numerics' quadrature of ∫|W|³p(W, −Wx)dW, and the arc-cosine kernel against
    numerics' quadrature kernel E[σ(Wx+B)σ(Wx′+B)], at ``bits``."""
    comparison = Comparison(bits)
    with theory_precision(bits):
        for params in SP2_GAUSSIANS:
            curvature = splines.kernel_curvature_evaluator(**params)
            kernel = splines.gaussian_kernel_evaluator(**params)
            law = Law("gaussian", params)
            for first, second in SP2_PAIRS:
                first, second = mpmath.mpf(first), mpmath.mpf(second)
                penalty = mpmath.mpf(law.penalty(first, bits))
                comparison.add(penalty * abs(first - second) / 2, curvature(first, second))
                comparison.add(mpmath.mpf(law.kernel(first, second, bits)),
                               kernel(first, second))
    if bits == FLOAT64_BITS:
        series["curvature"] = _curvature_curves()
    return comparison.run(_rounding_budget(bits, NESTED_QUADRATURE_BUDGET))


def _curvature_curves() -> dict:
    """∂²K/∂x²(x, x′ = 0.5) and ζ(x)|x − 0.5|/2 for σw = σb = 1 (overlay)."""
    points = [p for p in np.linspace(-3, 3, 61) if abs(p - 0.5) > 1e-9]
    curvature = splines.kernel_curvature_evaluator(**SP2_GAUSSIANS[0])
    penalty = splines.penalty_evaluator("gaussian", **SP2_GAUSSIANS[0])
    with mpmath.workprec(80):
        return {"x": list(map(float, points)), "x_prime": 0.5,
                "left": [float(curvature(mpmath.mpf(p), mpmath.mpf(0.5))) for p in points],
                "right": [float(penalty(p) * abs(p - 0.5) / 2) for p in points]}


# ----------------------------------------------------------------------------- SP3

SP3_POINTS = (-1.1, -0.3, 0.4, 1.3)
SP3_COEFFICIENTS = (0.7, -1.2, 0.5, 0.9)


def _quadratic_form(kernel, points, coefficients):
    """cᵀKc from the upper triangle of K (K(x, x′) = K(x′, x) by definition)."""
    total = 0
    for i, (ci, xi) in enumerate(zip(coefficients, points, strict=True)):
        total += ci * ci * kernel(xi, xi)
        for cj, xj in zip(coefficients[i + 1:], points[i + 1:], strict=True):
            total += 2 * ci * cj * kernel(xi, xj)
    return total


def _penalty_form(law: Law):
    moment_w, moment_b = splines.second_moments(law.kind, **law.params)
    return splines.rkhs_norm_from_penalty(
        SP3_COEFFICIENTS, SP3_POINTS, _theory_penalty(law), splines.rational_to_mpf(moment_w),
        splines.rational_to_mpf(moment_b),
        splines.penalty_breakpoints(law.kind, **law.params))


def _measure_sp3(bits: int, series: dict) -> PrecisionRun:
    """cᵀKc with numerics' quadrature kernel of every law (float nested quadrature at 53 bits,
    one mpmath quadrature at bits + 32 above) against theory's ¼∫ζ(Σc|x−x_j|)² +
    ¼E[W²](Σcx)² + ¼E[B²](Σc)² (derived ζ and moments)."""
    comparison, rows = Comparison(bits), []
    with theory_precision(bits):
        coefficients = [mpmath.mpf(c) for c in SP3_COEFFICIENTS]
        for law in LAWS:
            right = _penalty_form(law)
            left = _quadratic_form(lambda a, b, law=law: mpmath.mpf(law.kernel(a, b, bits)),
                                   SP3_POINTS, coefficients)
            comparison.add(left, right)
            rows.append({"law": _label(law), "bits": bits, "kernel": "quadrature (numerics)",
                         "left": float(left), "right": float(right)})
    series.setdefault("rows", []).extend(rows)
    return comparison.run(_rounding_budget(bits, NESTED_QUADRATURE_BUDGET))


def _sp3_rows(series: dict) -> Finding:
    return Finding(True, [f"{r['bits']} bits, {r['law']}: cᵀKc = {r['left']:.15g}, penalty "
                          f"form {r['right']:.15g}" for r in series.get("rows", [])
                          if r["bits"] == FLOAT64_BITS])


# ----------------------------------------------------------------------------- SP4

SP4_LAW = Law("gaussian", {"sigma_w": 1.0, "sigma_b": 1.0})
SP4_X = (-1.5, -0.8, -0.2, 0.4, 1.0, 1.7)
SP4_Y = (0.5, -0.3, 0.2, 0.8, -0.4, 0.3)
SP4_GRID = tuple(np.linspace(-2.5, 2.5, 101).tolist())
#: Widths 10² … 10⁵ (3 decades, quarter-decade steps), SP4_SEEDS networks each. With half
#: decades and 8 seeds the 99% interval of the slope was ±0.05…±0.42 over eight base seeds
#: and accepted −1/2 ± 1/4 for three of them; quarter decades and 16 seeds give ±0.055…±0.10
#: and reject −1/2 ± 1/4 by ≥ 0.12 for all eight (the Sharpness rule's exponent test).
SP4_WIDTHS = tuple(int(round(10 ** (k / 4))) // 2 * 2 for k in range(8, 21))
SP4_SEEDS = 16
SP4_OVERLAY_WIDTHS = (100, 1000, 10000, 100000)


def _sup_errors(law: Law, x, y, target: np.ndarray, grid, widths, seeds: int, key: tuple,
                free_affine: bool = False, curves: dict | None = None) -> np.ndarray:
    """sup over ``grid`` of |f_n − target| for each width n and seed (shape widths × seeds);
    networks drawn from generator(base_seed(), *key, width, seed)."""
    errors = np.empty((len(widths), seeds))
    for i, width in enumerate(widths):
        for seed in range(seeds):
            network = antisymmetric_network(law, width, generator(base_seed(), *key, width,
                                                                  seed))
            values = min_norm_fit(network, x, y, free_affine)(grid)
            errors[i, seed] = float(np.max(np.abs(values - target)))
            if curves is not None and seed == 0 and width in SP4_OVERLAY_WIDTHS:
                curves[str(width)] = values.tolist()
    return errors


@functools.cache
def _sp4_sweep(seed: int, widths: tuple, seeds: int) -> dict:
    """g* (numerics' Galerkin solver) on the grid and the trained networks' sup errors to it
    (numerics only, so it is computed once per seed and sweep)."""
    grid = np.asarray(SP4_GRID)
    target = solve_variational(SP4_LAW, SP4_X, SP4_Y)(grid)
    curves: dict = {}
    errors = _sup_errors(SP4_LAW, SP4_X, SP4_Y, target, grid, widths, seeds, ("SP4",),
                         curves=curves)
    return {"target": target, "errors": errors, "curves": curves}


def _sp4_current_sweep() -> dict:
    return _sp4_sweep(base_seed(), SP4_WIDTHS, SP4_SEEDS)


def _sp4_fit():
    errors = _sp4_current_sweep()["errors"]
    return fit_rate("sup|f_n − g*| (mean over seeds)", "n", SP4_WIDTHS, errors.mean(axis=1),
                    -0.5, "infinity")


def _kernel_interpolant(law: Law, x, y, grid) -> list:
    """K(·,X)K⁻¹y with theory's arc-cosine kernel (the minimum-RKHS-norm interpolant), at
    80 bits."""
    kernel = splines.gaussian_kernel_evaluator(**law.params)
    with mpmath.workprec(80):
        gram = mpmath.matrix([[kernel(a, b) for b in x] for a in x])
        weights = mpmath.lu_solve(gram, mpmath.matrix(list(y)))
        return [sum(weights[j] * kernel(p, x[j]) for j in range(len(x))) for p in grid]


def _sp4_target(series: dict) -> Finding:
    """g* from the Galerkin solver (numerics) against theory's K(·,X)K⁻¹y: by SP2/SP3 the
    exact g* has g″ = ζ·Σc_j|x − x_j|/2, ζ times a function that is linear between the data
    (knots of the solver) and beyond them, so the Galerkin space contains it and the gap is
    quadrature and solve rounding: budget NESTED_QUADRATURE_BUDGET relative to max|g*|."""
    sweep = _sp4_current_sweep()
    grid = np.asarray(SP4_GRID)
    predicted = _kernel_interpolant(SP4_LAW, SP4_X, SP4_Y, grid)
    scale = max(abs(v) for v in predicted)
    comparison = Comparison(FLOAT64_BITS)
    comparison.extend([float(v) for v in sweep["target"]], predicted, [scale] * len(grid))
    run = comparison.run(NESTED_QUADRATURE_BUDGET)
    errors = sweep["errors"]
    series.update({"grid": grid.tolist(), "target": sweep["target"].tolist(),
                   "networks": sweep["curves"], "x": list(SP4_X), "y": list(SP4_Y),
                   "kernel_gap": run.max_abs_error})
    return Finding(run.passed, [
        "sup errors: " + ", ".join(f"n={w}: {e:.3g} (±{s:.2g})" for w, e, s in zip(
            SP4_WIDTHS, errors.mean(axis=1),
            errors.std(axis=1, ddof=1) / np.sqrt(errors.shape[1]), strict=True)),
        f"g* (numerics: Galerkin solution of min ∫g″²/ζ + boundary terms, ζ by quadrature) vs "
        f"theory's K(·,X)K⁻¹y (arc-cosine kernel): max gap / max|g*| = {run.max_rel_error:.2g}"
        f" on [−2.5, 2.5] (budget {run.tolerance:g}, {'ok' if run.passed else 'EXCEEDED'}; "
        f"detects a relative change of {run.detects:.1g} in the kernel interpolant)",
        "trained network = limit of output-layer gradient flow from the antisymmetric init "
        "(minimum-‖a − a₀‖ interpolant, numerics.wide_relu.min_norm_fit)"])


# ----------------------------------------------------------------------------- SP5

SP5_LAW = Law("sign_uniform", {"a_b": 1.25})
SP5_NULL_LAW = Law("gaussian", {"sigma_w": 1.0, "sigma_b": 1.0})
SP5_X = (-1.0, -0.55, -0.1, 0.3, 0.65, 1.0)
SP5_Y = (0.2, -0.4, 0.6, 0.1, -0.3, 0.5)
SP5_GRID = tuple(np.linspace(-1.0, 1.0, 81).tolist())
#: Widths 10² … 10⁵ in half-decade steps, 8 seeds: enough to see convergence (the rate is
#: only reported).
SP5_WIDTHS = tuple(int(round(10 ** (k / 2))) // 2 * 2 for k in range(4, 11))
SP5_SEEDS = 8
#: The Galerkin solver with free affine part against scipy's natural cubic spline: both
#: solve the same problem exactly up to quadrature (rtol 1e-13) and the KKT solve; 1e-9.
SP5_SOLVER_TOLERANCE = 1e-9


def _observe_sp5(law: Law, key: str) -> dict:
    """The natural cubic spline (scipy), the Galerkin solver's limit for ``law`` with a free
    affine part, and trained networks of ``law`` with free u + v·x (sup errors to the
    spline)."""
    grid = np.asarray(SP5_GRID)
    natural = CubicSpline(SP5_X, SP5_Y, bc_type="natural")(grid)
    solver = solve_variational(law, SP5_X, SP5_Y, free_affine=True)(grid)
    curves: dict = {}
    errors = _sup_errors(law, SP5_X, SP5_Y, natural, grid, SP5_WIDTHS, SP5_SEEDS, (key,),
                         free_affine=True, curves=curves)
    return {"law": law, "grid": grid, "natural": natural, "solver": solver, "errors": errors,
            "curves": curves}


def _check_sp5(observed: dict) -> Finding:
    """Solver = natural spline within 1e-9, and the fitted slope's 99% interval below 0."""
    solver_gap = float(np.max(np.abs(observed["solver"] - observed["natural"])))
    errors = observed["errors"].mean(axis=1)
    fit = fit_rate("sup|f_n − natural spline| (mean over seeds)", "n", SP5_WIDTHS, errors,
                   -0.5, "infinity")
    converges = fit.high < 0
    evidence = [
        f"Galerkin solver (ζ by quadrature, free affine part, {_label(observed['law'])}) vs "
        f"scipy CubicSpline(natural): sup gap {solver_gap:.3g} (tolerance "
        f"{SP5_SOLVER_TOLERANCE:g}, {'ok' if solver_gap <= SP5_SOLVER_TOLERANCE else 'EXCEEDED'})",
        f"wide networks with free u + v·x vs the natural spline: slope {fit.slope:.4f}, 99% "
        f"interval [{fit.low:.4f}, {fit.high:.4f}] "
        f"({'converging' if converges else 'NOT converging'}; −1/2 "
        f"{'inside' if fit.passed else 'outside'} the interval, reported not required)",
        "sup errors: " + ", ".join(f"n={w}: {e:.3g}" for w, e in zip(SP5_WIDTHS, errors,
                                                                     strict=True)),
        f"law {_label(observed['law'])}: ζ(x) at x = −1, 0, 1: "
        + ", ".join(f"{float(_theory_penalty(observed['law'])(v)):.4g}" for v in (-1, 0, 1))
        + " (SP5's premise: constant on the data interval [−1, 1])"]
    series = {"grid": observed["grid"].tolist(), "natural": observed["natural"].tolist(),
              "solver": observed["solver"].tolist(), "networks": observed["curves"],
              "x": list(SP5_X), "y": list(SP5_Y), "rate": fit.to_json()}
    # The rate is reported, not claimed (SP5 states the limit only), so the fit is not one of
    # the claim's fitted rates: convergence is what is checked, and the null model shows the
    # check fails without SP5's premise.
    return Finding(solver_gap <= SP5_SOLVER_TOLERANCE and converges, evidence, series)


SP5_NULL = NullModel(
    "ζ not constant on the data", "the same networks and solver with W, B ~ N(0, 1): "
    "ζ = 2/(π(1+x²)²) falls by a factor 4 over [−1, 1], so the limit minimises ∫g″²/ζ, not "
    "∫g″², and is not the natural spline", partial(_observe_sp5, SP5_NULL_LAW, "SP5-null"))




# ----------------------------------------------------------------------------- SP6

SP6_UNITS = 12
SP6_X = (-1.2, -0.4, 0.3, 1.1)
SP6_Y = (0.4, -0.6, 0.2, 0.7)
SP6_EVAL = (-1.6, -0.8, 0.0, 0.7, 1.5)
SP6_POINTS = 6
#: Error amplification A of the SP6 budget: the flow is linear and contracting in the
#: directions it moves (eigenvalues of −ΦᵀΦ/τ ≤ 0), and |f_t − f₀| sums ≤ 2·12 terms a_kφ_k;
#: A = 100 covers that sum with margin.
SP6_AMPLIFICATION = 100.0


def _sp6_problem(bits: int):
    law = Law("gaussian", {"sigma_w": 1.0, "sigma_b": 1.0})
    network = antisymmetric_network(law, SP6_UNITS, generator(base_seed(), "SP6"))
    to_mp = np.vectorize(lambda v: mpmath.mpf(float(v)), otypes=[object])
    weights, biases = to_mp(network.w), to_mp(network.b)
    with mpmath.workprec(bits + 32):
        features = np.array([[max(w * p + b, 0) for w, b in zip(weights, biases, strict=True)]
                             for p in SP6_X + SP6_EVAL], dtype=object)
    return network, features


def _measure_sp6(bits: int, series: dict) -> PrecisionRun:
    """f_t − f₀ of the integrated output-layer flow at the data and other points against the
    linearised-flow formula, relative to the largest |f_t − f₀| predicted."""
    network, features = _sp6_problem(bits)
    samples = len(SP6_X)
    data_features, eval_features = features[:samples], features
    with theory_precision(bits):
        gram = data_features @ data_features.T
        tau = max(abs(v) for v in gram.ravel())
        horizon = 4 * tau / min(mpmath.eigsy(mpmath.matrix(gram.tolist()))[0])
        times = [horizon * k / (SP6_POINTS - 1) for k in range(SP6_POINTS)]
    field = output_layer_flow(SP6_UNITS, samples)
    params = list(data_features.ravel()) + [mpmath.mpf(v) for v in SP6_Y] + [tau]
    trajectory = integrate(field, [mpmath.mpf(float(v)) for v in network.a], times, params,
                           bits=bits)
    observed, predicted, record = [], [], []
    with theory_precision(bits):
        start = np.array([mpmath.mpf(float(v)) for v in network.a], dtype=object)
        residual = [mpmath.mpf(v) for v in SP6_Y]  # f₀ = 0 (antisymmetric init)
        kernel_eval = (eval_features @ data_features.T).tolist()
        for moment, state in zip(times, trajectory.states, strict=True):
            moved = np.array([mpmath.mpf(v) for v in state], dtype=object) - start
            now = list(eval_features @ moved)
            expected = splines.linearised_flow(kernel_eval, gram.tolist(), residual,
                                               mpmath.mpf(moment) / tau)
            observed += now
            predicted += expected
            record.append({"t": float(moment), "observed": [float(v) for v in now],
                           "predicted": [float(v) for v in expected]})
        scale = max(abs(v) for v in predicted)
    comparison = Comparison(bits)
    comparison.extend(observed, predicted, [scale] * len(predicted))
    if bits == FLOAT64_BITS:
        series["trajectory"] = {"points": list(SP6_X + SP6_EVAL), "x": list(SP6_X),
                                "y": list(SP6_Y), "record": record}
    return comparison.run(trajectory_tolerance(bits, trajectory.steps, SP6_AMPLIFICATION),
                          trajectory.steps)


# ----------------------------------------------------------------------------- domains


def _domain_law():
    from hypothesis import strategies as st
    return st.fixed_dictionaries({"sigma_w": st.floats(0.2, 3.0), "sigma_b": st.floats(0.2, 3.0),
                                  "x": st.floats(-5.0, 5.0)})


def _domain_data():
    from hypothesis import strategies as st
    return st.lists(st.floats(-2.0, 2.0), min_size=3, max_size=6, unique=True).filter(
        lambda v: min(np.diff(sorted(v))) > 0.1)


_QUADRATURE = ("float64: scipy quad at rtol 1e-13, budget 1e-12 relative (10× the request); "
               "above 53 bits: mpmath.quad with 32 guard bits, budget 2^8·2^(1−bits)")
_NESTED = ("float64 budget 1e-11 (nested quadrature, 100× the request), 2^8·2^(1−bits) above "
           "(one mpmath quadrature at bits + 32)")

exact = partial(exact_claim, source=SOURCE)

CLAIMS = (
    exact(
        id="SP1", title="Curvature penalty ζ(x) = ∫|W|³ p(W, −Wx) dW per init",
        provenance="P",
        statement="zeta(x) = integral |W|^3 p_(W,B)(W, -W x) dif W = p_C (x) "
                  "EE[W^2 | C = x], quad C = -B/W, quad zeta_(\"Gauss\") = "
                  "(2 sigma_w^3 sigma_b^3)/(pi (sigma_b^2 + sigma_w^2 x^2)^2)",
        theory="theory.splines.curvature_penalty: ζ derived by SymPy from each density "
               "(Gaussian, uniform box, ±1 × uniform, circle) and checked against SP1's closed "
               "forms symbolically",
        experiment="numerics.splines.Law.penalty: quadrature of |W|³p(W, −Wx) along the ray "
                   "(atoms for ±1; co-area over the angle for the circle) at x = −2.5, −0.7, 0, "
                   "0.4, 1.9 for five laws (σw ≠ σb, both branches of the box law, inside and "
                   "outside the ±1 law's support); Monte Carlo of W²·1{C ∈ bin}/(2h), 2·10⁶ "
                   "draws, bins of half-width 0.05 at −1.5, 0, 0.7",
        comparison="relative gap (relative to ζ(0) where ζ = 0); " + _QUADRATURE + "; must "
                   "shrink with precision; Monte Carlo bin means within 4.89 standard errors "
                   "of the bin average of ζ (false-alarm 1e-6 per bin); null model: the kink "
                   "density alone must fail those z-checks",
        parameters={"laws": [_label(law) for law in LAWS], "points": SP1_POINTS,
                    "bins": SP1_BINS, "half_width": SP1_HALF_WIDTH, "samples": SP1_SAMPLES,
                    "seed": "FLOWCERT_SEED"},
        measure=_measure_sp1,
        checks=(_claim_checks("SP1"),
                PropertyCheck(partial(_observe_kinks, 2, ("SP1",)), _check_kinks,
                              (SP1_NULL,))),
        domain=_domain_law),
    exact(
        id="SP2", title="K″ identity: ∂²K/∂x² = ζ(x)|x − x′|/2",
        provenance="D",
        statement="(partial^2 K)/(partial x^2) (x, x') = zeta(x) |x - x'| / 2, quad "
                  "K(x, x') = EE[sigma(W x + B) sigma(W x' + B)]",
        theory="SymPy: second derivative of the arc-cosine kernel (Gaussian init) simplified "
               "against ζ|x − x′|/2 on both sides x′ = x ± d; evaluated at 4 pairs for "
               "(σw, σb) = (1, 1), (0.75, 1.5)",
        experiment="numerics.splines.Law.penalty: ζ(x) by quadrature of ∫|W|³p(W, −Wx)dW, and "
                   "numerics.splines.Law.kernel: E[σ(Wx+B)σ(Wx′+B)] by quadrature (nested SciPy "
                   "at 53 bits; one mpmath quadrature over the angle of (W, B) at bits + 32 "
                   "above), against theory's ∂²K/∂x² and arc-cosine kernel",
        comparison="relative gaps; " + _NESTED + "; must shrink with precision; negative "
                   "control: ζ with |W|² must fail the symbolic identity",
        parameters={"gaussians": SP2_GAUSSIANS, "pairs": SP2_PAIRS},
        measure=_measure_sp2, checks=(_claim_checks("SP2"),), domain=_domain_law),
    exact(
        id="SP3", title="RKHS norm = ∫g″²/ζ + affine boundary terms",
        provenance="D",
        statement="c^T K c = 1/4 integral zeta (sum_j c_j |x - x_j|)^2 dif x + 1/4 EE[W^2] "
                  "(sum_j c_j x_j)^2 + 1/4 EE[B^2] (sum_j c_j)^2",
        theory="the right side with theory's derived ζ and moments (mpmath.quad split at the "
               "x_j and at ζ's breakpoints)",
        experiment="the left side with numerics' quadrature kernel for all five laws at every "
                   "precision (Σc_j = 0.9 and Σc_jx_j = 0.96 both non-zero, E[W²] ≠ E[B²] for "
                   "three laws, so every term of the right side is exercised)",
        comparison="relative gap; " + _NESTED + "; must shrink with precision",
        parameters={"points": SP3_POINTS, "coefficients": SP3_COEFFICIENTS},
        measure=_measure_sp3, checks=(_claim_checks("SP3"), _sp3_rows), domain=_domain_data),
    exact(
        id="SP4", title="Trained wide networks → g* = argmin ∫g″²/ζ at rate n^−1/2",
        provenance="P", claim_class=ClaimClass.ASYMPTOTIC,
        statement="sup_x |f_n (x) - g^*(x)| prop n^(-1/2), quad g^* = op(\"argmin\")_(g(x_i) "
                  "= y_i) integral g''^2 / zeta dif x + \"boundary terms\"",
        theory="predicted slope −1/2; g* cross-checked against theory's kernel interpolant "
               "K(·,X)K⁻¹y (arc-cosine kernel)",
        experiment="antisymmetric wide ReLU networks (W, B ~ N(0, 1)), output layer trained to "
                   "convergence (its gradient flow's limit, the minimum-‖a − a₀‖ "
                   "interpolant) on 6 points; widths 10² … 10⁵ in quarter decades, 16 seeds "
                   "each; g* from the numerics' Galerkin solver",
        comparison="least-squares slope of log mean sup error on [−2.5, 2.5] vs log n with a 1/n "
                   "correction; its 99% Student-t interval must contain −1/2 and exclude "
                   "−1/2 ± 1/4; Galerkin g* vs K(·,X)K⁻¹y within 1e-11 of max|g*|",
        parameters={"widths": SP4_WIDTHS, "seeds": SP4_SEEDS, "x": SP4_X, "y": SP4_Y,
                    "seed": "FLOWCERT_SEED"},
        fits=(_sp4_fit,), checks=(_sp4_target,), domain=_domain_data),
    exact(
        id="SP5", title="Constant ζ + free affine part: the natural cubic spline",
        provenance="P", claim_class=ClaimClass.ASYMPTOTIC,
        statement="zeta = \"const\" \"on\" [x_1, x_N] => lim_(n -> infinity) f_n = "
                  "op(\"argmin\")_(g(x_i) = y_i) integral g''^2 dif x = \"natural cubic spline\"",
        theory="the natural cubic spline, scipy CubicSpline(bc_type='natural')",
        experiment="networks with W = ±1, B ~ U[−1.25, 1.25] and a free affine part u + v·x, "
                   "output layer trained to convergence, widths 10² … 10⁵, 8 seeds; the "
                   "numerics' Galerkin solver with free affine part",
        comparison="solver vs CubicSpline within 1e-9; the fitted slope's 99% interval must lie "
                   "below 0 (convergence; the rate is reported, not claimed); null model: "
                   "Gaussian init (ζ not constant) must fail both",
        parameters={"widths": SP5_WIDTHS, "seeds": SP5_SEEDS, "x": SP5_X, "y": SP5_Y,
                    "seed": "FLOWCERT_SEED"},
        checks=(PropertyCheck(partial(_observe_sp5, SP5_LAW, "SP5"), _check_sp5, (SP5_NULL,)),),
        domain=_domain_data),
    exact(
        id="SP6", title="Linearised flow: f_t − f₀ = K(·,X)K⁻¹(I − e^{−ηtK})(y − f₀)",
        provenance="P+D",
        statement="f_t - f_0 = K(dot, X) K^(-1) (I - e^(-eta t K)) (y - f_0 (X))",
        theory="theory.splines.linearised_flow (mpmath expm and LU) with the network's kernel "
               "K = ΦΦᵀ",
        experiment="gradient flow of the output layer of a 12-unit antisymmetric ReLU network "
                   "(heyoka autodiff of ½Σ(f(x_i) − y_i)²), 4 data points, 6 times up to "
                   "4τ/λ_min, evaluated at the data and 5 other points",
        comparison="max |Δ| over times and points / max|f_t − f₀|; budget n·ε·A with n the "
                   "steps, ε the engine's local tolerance (DOP853 rtol 2.5e-14 at 53 bits, "
                   "2^(1−bits) above) and A = 100; must shrink with precision",
        parameters={"units": SP6_UNITS, "x": SP6_X, "y": SP6_Y, "eval": SP6_EVAL},
        measure=_measure_sp6, domain=_domain_data),
)

