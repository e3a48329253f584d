"""Claims SP1–SP6: spline implicit bias of wide ReLU networks (Jin & Montúfar 2020/2023;
THEORY.md, SP).

The numerical side is :mod:`numerics.splines` (ζ and K by quadrature of each law, Monte Carlo
of the kink, the variational solver) and :mod:`numerics.wide_relu` (the networks and their
training); the theory side is :mod:`theory.splines`, looked up at call time.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import mpmath
import numpy as np
from scipy.interpolate import CubicSpline

from flowcert.claims.base import Claim, ClaimClass, Outcome, PrecisionRun
from flowcert.claims.ladder import run_ladder
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


# ----------------------------------------------------------------------------- SP1

SP1_POINTS = (-2.5, -0.7, 0.0, 0.4, 1.9)
#: Monte Carlo of p_C(x)·E[W²|C = x]: bin centres, half width h and draws per law.
SP1_BINS = (-1.5, 0.0, 0.7)
SP1_HALF_WIDTH = 0.05
SP1_SAMPLES = 2_000_000


def _measure_sp1(bits: int, series: dict) -> PrecisionRun:
    errors, worst_abs = [], 0.0
    with theory_precision(bits):
        for law in LAWS:
            predicted = _theory_penalty(law)
            for point in SP1_POINTS:
                expected = predicted(point)
                observed = mpmath.mpf(law.penalty(point, bits))
                gap = abs(observed - expected)
                worst_abs = max(worst_abs, float(gap))
                errors.append(float(gap / expected) if expected != 0 else float(gap))
    if bits == FLOAT64_BITS:
        series["curves"] = _penalty_curves()
    return PrecisionRun(bits, worst_abs, max(errors),
                        _rounding_budget(bits, FLOAT_QUADRATURE_BUDGET), None)


def _penalty_curves() -> dict:
    points = np.linspace(-3, 3, 121)
    curves = {"x": points.tolist()}
    for law in LAWS:
        predicted = _theory_penalty(law)
        curves[_label(law)] = {"theory": [float(predicted(p)) for p in points],
                               "quadrature": [law.penalty(p) for p in points[::6]]}
    curves["x_quadrature"] = points[::6].tolist()
    return curves


def _sp1_monte_carlo(series: dict) -> list:
    """Bin averages of W²·1{C ∈ bin}/(2h) against (1/2h)∫_bin ζ (theory, mpmath.quad)."""
    checks = []
    for index, law in enumerate(LAWS):
        rng = generator(base_seed(), "SP1", index)
        predicted = _theory_penalty(law)
        bins = kink_weight_samples(law, rng, SP1_SAMPLES, SP1_BINS, SP1_HALF_WIDTH)
        for centre, samples in zip(SP1_BINS, bins, strict=True):
            with mpmath.workprec(80):
                average = float(mpmath.quad(predicted, [centre - SP1_HALF_WIDTH, centre,
                                                        centre + SP1_HALF_WIDTH])
                                / (2 * SP1_HALF_WIDTH))
            checks.append(_bin_check(f"{_label(law)}, bin {centre:+.2f} ± {SP1_HALF_WIDTH}",
                                     samples, average))
    series["monte_carlo"] = [{"name": c.name, "observed": c.observed, "predicted": c.predicted,
                              "allowed": c.allowed} for c in checks]
    return checks


def _bin_check(name: str, samples: np.ndarray, predicted: float) -> Check:
    """z-check of the bin mean; a bin where ζ = 0 must receive no kink at all."""
    if predicted == 0:
        hits = int(np.count_nonzero(samples))
        return Check(name, hits == 0, float(np.mean(samples)), 0.0, 0.0,
                     f"ζ = 0 on the bin: {hits} of {len(samples)} kinks fell in it")
    error = float(np.std(samples, ddof=1) / np.sqrt(len(samples)))
    return z_check(name, float(np.mean(samples)), error, predicted)


def run_sp1(precisions: Sequence[int]) -> Outcome:
    started = time.perf_counter()
    series: dict = {}
    checks = {k: v for k, v in splines.self_checks().items() if k.startswith("SP1")}
    evidence = [f"{'ok' if v else 'FAILED'}: {k}" for k, v in checks.items()]
    runs, ladder_passed, ladder_evidence = run_ladder(lambda bits: _measure_sp1(bits, series),
                                                      precisions)
    statistical = _sp1_monte_carlo(series)
    evidence += ladder_evidence + [c.sentence() for c in statistical]
    passed = all(checks.values()) and ladder_passed and all(c.passed for c in statistical)
    return Outcome("SP1", bool(passed), runs, [], evidence, series,
                   time.perf_counter() - started)


# ----------------------------------------------------------------------------- SP2

SP2_GAUSSIANS = ({"sigma_w": 1.0, "sigma_b": 1.0}, {"sigma_w": 0.75, "sigma_b": 1.5})
SP2_PAIRS = ((0.3, -1.2), (-0.9, 0.6), (1.7, 2.4), (0.0, -2.0))


def _measure_sp2(bits: int, series: dict) -> PrecisionRun:
    """Theory's ∂²K/∂x² (SymPy derivative of the arc-cosine kernel) against ζ|x − x′|/2 with
    ζ from numerics' quadrature of ∫|W|³p(W, −Wx)dW at ``bits``; at 53 bits also the kernel
    itself against numerics' nested quadrature of E[σ(Wx+B)σ(Wx′+B)]."""
    errors, worst_abs = [], 0.0
    with theory_precision(bits):
        for params in SP2_GAUSSIANS:
            curvature = splines.kernel_curvature_evaluator(**params)
            kernel = splines.gaussian_kernel_evaluator(**params)
            law = Law("gaussian", params)
            for first, second in SP2_PAIRS:
                first, second = mpmath.mpf(first), mpmath.mpf(second)
                left = curvature(first, second)
                penalty = mpmath.mpf(law.penalty(first, bits))
                gap = abs(left - penalty * abs(first - second) / 2)
                errors.append(float(gap / abs(left)))
                worst_abs = max(worst_abs, float(gap))
                if bits == FLOAT64_BITS:
                    expected = kernel(first, second)
                    observed = law.kernel(float(first), float(second))
                    errors.append(float(abs(observed - expected) / expected))
    if bits == FLOAT64_BITS:
        series["curvature"] = _curvature_curves()
    return PrecisionRun(bits, worst_abs, max(errors),
                        _rounding_budget(bits, 10 * FLOAT_QUADRATURE_BUDGET), None)


def _curvature_curves() -> dict:
    """∂²K/∂x²(x, x′ = 0.5) and ζ(x)|x − 0.5|/2 for σw = σb = 1 (overlay)."""
    points = [p for p in np.linspace(-3, 3, 61) if abs(p - 0.5) > 1e-9]
    curvature = splines.kernel_curvature_evaluator(**SP2_GAUSSIANS[0])
    penalty = splines.penalty_evaluator("gaussian", **SP2_GAUSSIANS[0])
    with mpmath.workprec(80):
        return {"x": list(map(float, points)), "x_prime": 0.5,
                "left": [float(curvature(mpmath.mpf(p), mpmath.mpf(0.5))) for p in points],
                "right": [float(penalty(p) * abs(p - 0.5) / 2) for p in points]}


def sp2_negative_control() -> tuple[bool, str]:
    """ζ built with |W|² instead of |W|³ must fail the K″ identity."""
    wrong = splines.penalty_from_density(splines.density("gaussian"), power=2)
    detected = not splines.kernel_identity_holds(splines.arc_cosine_kernel(), wrong)
    return detected, ("negative control: ζ with |W|² (not |W|³) "
                      + ("violates the K″ identity (detected)" if detected
                         else "PASSES the K″ identity (the check cannot fail)"))


def run_sp2(precisions: Sequence[int]) -> Outcome:
    started = time.perf_counter()
    series: dict = {}
    checks = {k: v for k, v in splines.self_checks().items() if k.startswith("SP2")}
    evidence = [f"{'ok' if v else 'FAILED'}: {k}" for k, v in checks.items()]
    runs, ladder_passed, ladder_evidence = run_ladder(lambda bits: _measure_sp2(bits, series),
                                                      precisions)
    detected, sentence = sp2_negative_control()
    evidence += ladder_evidence + [sentence]
    return Outcome("SP2", bool(all(checks.values()) and ladder_passed and detected), runs, [],
                   evidence, series, time.perf_counter() - started)


# ----------------------------------------------------------------------------- SP3

SP3_POINTS = (-1.1, -0.3, 0.4, 1.3)
SP3_COEFFICIENTS = (0.7, -1.2, 0.5, 0.9)


def _quadratic_form(kernel, points, coefficients):
    return sum(ci * cj * kernel(xi, xj) for ci, xi in zip(coefficients, points, strict=True)
               for cj, xj in zip(coefficients, points, strict=True))


def _penalty_form(law: Law):
    moment_w, moment_b = splines.second_moments(law.kind, **law.params)
    return splines.rkhs_norm_from_penalty(
        SP3_COEFFICIENTS, SP3_POINTS, _theory_penalty(law), splines.rational_to_mpf(moment_w),
        splines.rational_to_mpf(moment_b),
        splines.penalty_breakpoints(law.kind, **law.params))


def _measure_sp3(bits: int, series: dict) -> PrecisionRun:
    """cᵀKc from the arc-cosine kernel (theory) and, at 53 bits, from numerics' quadrature
    kernel of every law, against ¼∫ζ(Σc|x−x_j|)² + ¼E[W²](Σcx)² + ¼E[B²](Σc)²."""
    errors, rows = [], []
    points = [mpmath.mpf(p) for p in SP3_POINTS]
    with theory_precision(bits):
        for law in LAWS:
            right = _penalty_form(law)
            if law.kind == "gaussian":
                left = _quadratic_form(splines.gaussian_kernel_evaluator(**law.params), points,
                                       [mpmath.mpf(c) for c in SP3_COEFFICIENTS])
                errors.append(float(abs(left - right) / right))
                rows.append({"law": _label(law), "bits": bits, "kernel": "arc-cosine (theory)",
                             "left": float(left), "right": float(right)})
            if bits == FLOAT64_BITS:
                left = _quadratic_form(law.kernel, SP3_POINTS, SP3_COEFFICIENTS)
                errors.append(float(abs(left - right) / right))
                rows.append({"law": _label(law), "bits": bits, "kernel": "quadrature (numerics)",
                             "left": float(left), "right": float(right)})
    series.setdefault("rows", []).extend(rows)
    worst = max(errors)
    return PrecisionRun(bits, worst * max(r["right"] for r in rows), worst,
                        _rounding_budget(bits, 10 * FLOAT_QUADRATURE_BUDGET), None)


def run_sp3(precisions: Sequence[int]) -> Outcome:
    started = time.perf_counter()
    series: dict = {}
    checks = {k: v for k, v in splines.self_checks().items() if k.startswith("SP3")}
    evidence = [f"{'ok' if v else 'FAILED'}: {k}" for k, v in checks.items()]
    runs, ladder_passed, ladder_evidence = run_ladder(lambda bits: _measure_sp3(bits, series),
                                                      precisions)
    evidence += ladder_evidence + [
        f"{r['bits']} bits, {r['law']}, {r['kernel']}: cᵀKc = {r['left']:.15g}, "
        f"penalty form {r['right']:.15g}" for r in series["rows"] if r["bits"] in (53, 113)]
    return Outcome("SP3", bool(all(checks.values()) and ladder_passed), runs, [], evidence,
                   series, time.perf_counter() - started)


# ----------------------------------------------------------------------------- SP4

SP4_LAW = Law("gaussian", {"sigma_w": 1.0, "sigma_b": 1.0})
SP4_X = (-1.5, -0.8, -0.2, 0.4, 1.0, 1.7)
SP4_Y = (0.5, -0.3, 0.2, 0.8, -0.4, 0.3)
SP4_GRID = tuple(np.linspace(-2.5, 2.5, 101).tolist())
#: Widths 10² … 10⁵ (3 decades, half-decade steps), SP4_SEEDS networks each.
SP4_WIDTHS = tuple(int(round(10 ** (k / 2))) // 2 * 2 for k in range(4, 11))
SP4_SEEDS = 8
SP4_OVERLAY_WIDTHS = (100, 1000, 10000, 100000)


def _sup_errors(law: Law, x, y, target: np.ndarray, grid, widths, seeds: int, claim_id: str,
                free_affine: bool = False, curves: dict | None = None) -> np.ndarray:
    """sup over ``grid`` of |f_n − target| for each width n and seed (shape widths × seeds)."""
    errors = np.empty((len(widths), seeds))
    for i, width in enumerate(widths):
        for seed in range(seeds):
            network = antisymmetric_network(law, width, generator(base_seed(), claim_id,
                                                                  width, seed))
            values = min_norm_fit(network, x, y, free_affine)(grid)
            errors[i, seed] = float(np.max(np.abs(values - target)))
            if curves is not None and seed == 0 and width in SP4_OVERLAY_WIDTHS:
                curves[str(width)] = values.tolist()
    return errors


def _kernel_interpolant(law: Law, x, y, grid) -> np.ndarray:
    """K(·,X)K⁻¹y with theory's arc-cosine kernel (the minimum-RKHS-norm interpolant)."""
    kernel = splines.gaussian_kernel_evaluator(**law.params)
    with mpmath.workprec(80):
        gram = mpmath.matrix([[kernel(a, b) for b in x] for a in x])
        weights = mpmath.lu_solve(gram, mpmath.matrix(list(y)))
        return np.array([float(sum(weights[j] * kernel(p, x[j]) for j in range(len(x))))
                         for p in grid])


def run_sp4(_precisions: Sequence[int]) -> Outcome:
    started = time.perf_counter()
    grid = np.asarray(SP4_GRID)
    solution = solve_variational(SP4_LAW, SP4_X, SP4_Y)
    target = solution(grid)
    kernel_target = _kernel_interpolant(SP4_LAW, SP4_X, SP4_Y, grid)
    curves: dict = {}
    errors = _sup_errors(SP4_LAW, SP4_X, SP4_Y, target, grid, SP4_WIDTHS, SP4_SEEDS, "SP4",
                         curves=curves)
    fit = fit_rate("sup|f_n − g*| (mean over seeds)", "n", SP4_WIDTHS, errors.mean(axis=1),
                   -0.5, "infinity")
    agreement = float(np.max(np.abs(target - kernel_target)))
    evidence = [
        f"slope {fit.slope:.4f}, 99% interval [{fit.low:.4f}, {fit.high:.4f}] over n = "
        f"{SP4_WIDTHS[0]}…{SP4_WIDTHS[-1]} ({SP4_SEEDS} seeds per width), predicted −0.5 "
        f"({'contained' if fit.passed else 'NOT contained'})",
        "sup errors: " + ", ".join(f"n={w}: {e:.3g} (±{s:.2g})" for w, e, s in zip(
            SP4_WIDTHS, errors.mean(axis=1), errors.std(axis=1, ddof=1) / np.sqrt(SP4_SEEDS),
            strict=True)),
        f"g* (numerics: Galerkin solution of min ∫g″²/ζ + boundary terms, ζ by quadrature) vs "
        f"theory's K(·,X)K⁻¹y (arc-cosine kernel): sup gap {agreement:.2g} on [−2.5, 2.5]",
        "trained network = limit of output-layer gradient flow from the antisymmetric init "
        "(minimum-‖a − a₀‖ interpolant, numerics.wide_relu.min_norm_fit)"]
    series = {"grid": grid.tolist(), "target": target.tolist(), "networks": curves,
              "x": list(SP4_X), "y": list(SP4_Y), "kernel_gap": agreement}
    passed = fit.passed and agreement < 1e-3 * float(errors.mean(axis=1).min())
    if agreement >= 1e-3 * float(errors.mean(axis=1).min()):
        evidence.append("variational solution and kernel interpolant disagree by more than "
                        "1e-3 of the smallest measured error: the target is not resolved")
    return Outcome("SP4", bool(passed), [], [fit], evidence, series,
                   time.perf_counter() - started)


# ----------------------------------------------------------------------------- SP5

SP5_LAW = Law("sign_uniform", {"a_b": 1.25})
SP5_X = (-1.0, -0.55, -0.1, 0.3, 0.65, 1.0)
SP5_Y = (0.2, -0.4, 0.6, 0.1, -0.3, 0.5)
SP5_GRID = tuple(np.linspace(-1.0, 1.0, 81).tolist())
SP5_WIDTHS = SP4_WIDTHS
SP5_SEEDS = 8
#: The Galerkin solver with free affine part against scipy's natural cubic spline: both
#: solve the same problem exactly up to quadrature (rtol 1e-13) and the KKT solve; 1e-9.
SP5_SOLVER_TOLERANCE = 1e-9


def run_sp5(_precisions: Sequence[int]) -> Outcome:
    started = time.perf_counter()
    grid = np.asarray(SP5_GRID)
    natural = CubicSpline(SP5_X, SP5_Y, bc_type="natural")(grid)
    solver = solve_variational(SP5_LAW, SP5_X, SP5_Y, free_affine=True)(grid)
    solver_gap = float(np.max(np.abs(solver - natural)))
    curves: dict = {}
    errors = _sup_errors(SP5_LAW, SP5_X, SP5_Y, natural, grid, SP5_WIDTHS, SP5_SEEDS, "SP5",
                         free_affine=True, curves=curves)
    fit = fit_rate("sup|f_n − natural spline| (mean over seeds)", "n", SP5_WIDTHS,
                   errors.mean(axis=1), -0.5, "infinity")
    converges = fit.high < 0
    evidence = [
        f"Galerkin solver (ζ by quadrature, free affine part) vs scipy CubicSpline(natural): "
        f"sup gap {solver_gap:.3g} (tolerance {SP5_SOLVER_TOLERANCE:g})",
        f"wide networks with free u + v·x vs the natural spline: slope {fit.slope:.4f}, 99% "
        f"interval [{fit.low:.4f}, {fit.high:.4f}] "
        f"({'converging' if converges else 'NOT converging'}; −1/2 "
        f"{'inside' if fit.passed else 'outside'} the interval, reported not required)",
        "sup errors: " + ", ".join(f"n={w}: {e:.3g}" for w, e in zip(
            SP5_WIDTHS, errors.mean(axis=1), strict=True)),
        "law ±1 × U[−1.25, 1.25]: ζ = 1/2.5 constant on the data interval [−1, 1]"]
    series = {"grid": grid.tolist(), "natural": natural.tolist(), "solver": solver.tolist(),
              "networks": curves, "x": list(SP5_X), "y": list(SP5_Y)}
    passed = solver_gap <= SP5_SOLVER_TOLERANCE and converges
    return Outcome("SP5", bool(passed), [], [fit], evidence, series,
                   time.perf_counter() - started)


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
    gaps, scale, record = [], mpmath.mpf(0), []
    with theory_precision(bits):
        start = np.array([mpmath.mpf(float(v)) for v in network.a], dtype=object)
        residual = [mpmath.mpf(v) for v in SP6_Y]  # f₀ = 0 (antisymmetric init)
        kernel_eval = (eval_features @ data_features.T).tolist()
        for moment, state in zip(times, trajectory.states, strict=True):
            moved = np.array([mpmath.mpf(v) for v in state], dtype=object) - start
            observed = list(eval_features @ moved)
            predicted = splines.linearised_flow(kernel_eval, gram.tolist(), residual,
                                                mpmath.mpf(moment) / tau)
            gaps += [abs(a - b) for a, b in zip(observed, predicted, strict=True)]
            scale = max(scale, max(abs(v) for v in predicted))
            record.append({"t": float(moment), "observed": [float(v) for v in observed],
                           "predicted": [float(v) for v in predicted]})
    if bits == FLOAT64_BITS:
        series["trajectory"] = {"points": list(SP6_X + SP6_EVAL), "x": list(SP6_X),
                                "y": list(SP6_Y), "record": record}
    worst = max(gaps)
    return PrecisionRun(bits, float(worst), float(worst / scale),
                        trajectory_tolerance(bits, trajectory.steps, SP6_AMPLIFICATION),
                        trajectory.steps)


def run_sp6(precisions: Sequence[int]) -> Outcome:
    started = time.perf_counter()
    series: dict = {}
    runs, passed, evidence = run_ladder(lambda bits: _measure_sp6(bits, series), precisions)
    return Outcome("SP6", bool(passed), runs, [], evidence, series,
                   time.perf_counter() - started)


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

CLAIMS = (
    Claim(
        id="SP1", family="SP", title="Curvature penalty ζ(x) = ∫|W|³ p(W, −Wx) dW per init",
        claim_class=ClaimClass.EXACT, provenance="P", source=SOURCE,
        statement="zeta(x) = integral |W|^3 p_(W,B)(W, -W x) dif W = p_C (x) "
                  "EE[W^2 | C = x], quad C = -B/W, quad zeta_(\"Gauss\") = "
                  "(2 sigma_w^3 sigma_b^3)/(pi (sigma_b^2 + sigma_w^2 x^2)^2)",
        theory="theory.splines.curvature_penalty: ζ derived by SymPy from each density "
               "(Gaussian, uniform box, ±1 × uniform, circle) and checked against SP1's closed "
               "forms symbolically",
        experiment="numerics.splines.Law.penalty: quadrature of |W|³p(W, −Wx) along the ray "
                   "(atoms for ±1; co-area over the angle for the circle) at x = −2.5, −0.7, 0, "
                   "0.4, 1.9 for five laws; Monte Carlo of W²·1{C ∈ bin}/(2h), 2·10⁶ draws, bins "
                   "of half-width 0.05 at −1.5, 0, 0.7",
        comparison="max relative gap (absolute where ζ = 0); " + _QUADRATURE + "; must shrink "
                   "with precision; Monte Carlo bin means within 4.89 standard errors of the "
                   "bin average of ζ (false-alarm 1e-6 per bin)",
        parameters={"laws": [_label(law) for law in LAWS], "points": SP1_POINTS,
                    "bins": SP1_BINS, "half_width": SP1_HALF_WIDTH, "samples": SP1_SAMPLES},
        run=run_sp1, domain=_domain_law),
    Claim(
        id="SP2", family="SP", title="K″ identity: ∂²K/∂x² = ζ(x)|x − x′|/2",
        claim_class=ClaimClass.EXACT, provenance="D", source=SOURCE,
        statement="(partial^2 K)/(partial x^2) (x, x') = zeta(x) |x - x'| / 2, quad "
                  "K(x, x') = EE[sigma(W x + B) sigma(W x' + B)]",
        theory="SymPy: second derivative of the arc-cosine kernel (Gaussian init) simplified "
               "against ζ|x − x′|/2 on both sides x′ = x ± d; evaluated at 4 pairs for "
               "(σw, σb) = (1, 1), (0.75, 1.5)",
        experiment="numerics.splines.Law.penalty: ζ(x) by quadrature of ∫|W|³p(W, −Wx)dW at "
                   "every precision (SciPy at 53 bits, mpmath.quad at bits + 32 above), "
                   "against theory's ∂²K/∂x²; at 53 bits also numerics.splines.Law.kernel "
                   "(nested quadrature of E[σ(Wx+B)σ(Wx′+B)]) against the arc-cosine kernel",
        comparison="relative gaps; float64 budget 1e-11 (nested quadrature, 100× the request), "
                   "2^8·2^(1−bits) above; must shrink with precision; negative control: ζ with "
                   "|W|² must fail the symbolic identity",
        parameters={"gaussians": SP2_GAUSSIANS, "pairs": SP2_PAIRS},
        run=run_sp2, domain=_domain_law),
    Claim(
        id="SP3", family="SP", title="RKHS norm = ∫g″²/ζ + affine boundary terms",
        claim_class=ClaimClass.EXACT, provenance="D", source=SOURCE,
        statement="c^T K c = 1/4 integral zeta (sum_j c_j |x - x_j|)^2 dif x + 1/4 EE[W^2] "
                  "(sum_j c_j x_j)^2 + 1/4 EE[B^2] (sum_j c_j)^2",
        theory="the right side with theory's ζ and moments (mpmath.quad split at the x_j); the "
               "left side with the arc-cosine kernel for Gaussian init",
        experiment="the left side with numerics' quadrature kernel for all five laws (float64)",
        comparison="relative gap; float64 budget 1e-11, 2^8·2^(1−bits) above; must shrink "
                   "with precision",
        parameters={"points": SP3_POINTS, "coefficients": SP3_COEFFICIENTS},
        run=run_sp3, domain=_domain_data),
    Claim(
        id="SP4", family="SP", title="Trained wide networks → g* = argmin ∫g″²/ζ at rate n^−1/2",
        claim_class=ClaimClass.ASYMPTOTIC, provenance="P", source=SOURCE,
        statement="sup_x |f_n (x) - g^*(x)| prop n^(-1/2), quad g^* = op(\"argmin\")_(g(x_i) "
                  "= y_i) integral g''^2 / zeta dif x + \"boundary terms\"",
        theory="predicted slope −1/2; g* cross-checked against theory's kernel interpolant "
               "K(·,X)K⁻¹y (arc-cosine kernel)",
        experiment="antisymmetric wide ReLU networks (W, B ~ N(0, 1)), output layer trained to "
                   "convergence (its gradient flow's limit, the minimum-‖a − a₀‖ "
                   "interpolant) on 6 points; widths 10² … 10⁵, 8 seeds each; g* from the "
                   "numerics' Galerkin solver",
        comparison="least-squares slope of log mean sup error on [−2.5, 2.5] vs log n with a 1/n "
                   "correction; its 99% Student-t interval must contain −1/2",
        parameters={"widths": SP4_WIDTHS, "seeds": SP4_SEEDS, "x": SP4_X, "y": SP4_Y},
        run=run_sp4, domain=_domain_data),
    Claim(
        id="SP5", family="SP", title="Constant ζ + free affine part: the natural cubic spline",
        claim_class=ClaimClass.ASYMPTOTIC, provenance="P", source=SOURCE,
        statement="zeta = \"const\" \"on\" [x_1, x_N] => lim_(n -> infinity) f_n = "
                  "op(\"argmin\")_(g(x_i) = y_i) integral g''^2 dif x = \"natural cubic spline\"",
        theory="the natural cubic spline, scipy CubicSpline(bc_type='natural')",
        experiment="networks with W = ±1, B ~ U[−1.25, 1.25] and a free affine part u + v·x, "
                   "output layer trained to convergence, widths 10² … 10⁵, 8 seeds; the "
                   "numerics' Galerkin solver with free affine part",
        comparison="solver vs CubicSpline within 1e-9; the fitted slope's 99% interval must lie "
                   "below 0 (convergence; the −1/2 rate is reported)",
        parameters={"widths": SP5_WIDTHS, "seeds": SP5_SEEDS, "x": SP5_X, "y": SP5_Y},
        run=run_sp5, domain=_domain_data),
    Claim(
        id="SP6", family="SP", title="Linearised flow: f_t − f₀ = K(·,X)K⁻¹(I − e^{−ηtK})(y − f₀)",
        claim_class=ClaimClass.EXACT, provenance="P+D", source=SOURCE,
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
        run=run_sp6, domain=_domain_data),
)
