"""Claims GC1–GC3: gradient confusion (THEORY.md, GC; Sankararaman et al. 2020).

GC1 compares sphere samples with the Beta law, GC2 checks the SGD bound against the exact
expected loss of least-squares SGD (second-moment recursion, confirmed by simulation), GC3
measures minimum pairwise cosines of per-sample gradients at initialisation (hand-written
backpropagation, Gram form). Monte Carlo seeds derive from FLOWCERT_SEED.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np
import sympy as sp
from scipy import stats

from flowcert.claims.base import Claim, ClaimClass, Outcome
from flowcert.claims.statistics import (
    FALSE_ALARM,
    Check,
    base_seed,
    below_bound_check,
    distribution_series,
    ks_check,
    mean_check,
    median_interval,
)
from flowcert.numerics import monte_carlo
from flowcert.numerics.gradient_descent import (
    least_squares_loss,
    sgd_expected_loss,
    sgd_least_squares,
)
from flowcert.numerics.relu_network import MLP, Activation
from flowcert.theory import confusion

SOURCE = "Sankararaman, De, Xu, Huang & Goldstein (2020), The impact of neural network " \
         "overparameterization on gradient confusion and stochastic gradient descent; " \
         "flowcert seed 004"


def _outcome(claim_id: str, started: float, checks: Sequence[Check], evidence: list[str],
             series: dict, extra_passed: bool = True) -> Outcome:
    return Outcome(claim_id, bool(extra_passed and all(c.passed for c in checks)), [], [],
                   evidence + [c.sentence() for c in checks], series,
                   time.perf_counter() - started)


# ----------------------------------------------------------------------------- GC1

GC1_DIMENSIONS = (2, 3, 5, 10, 50, 200)
GC1_SAMPLES = 100_000
GC1_MOMENTS = 4
GC1_DISTRIBUTION_DIMENSION = 5


def run_gc1(_precisions: Sequence[int]) -> Outcome:
    started = time.perf_counter()
    residuals = [sp.simplify(sp.gammasimp(confusion.sphere_inner_product_moment(m)
                                          - confusion.beta_law_moment(m)))
                 for m in range(1, GC1_MOMENTS + 1)]
    second = sp.simplify(sp.gammasimp(confusion.sphere_inner_product_moment(1))
                         - confusion.SECOND_MOMENT_STATED)
    exact = all(r == 0 for r in residuals) and second == 0
    evidence = [f"symbolic: E t^(2m) on the sphere − E(2u−1)^(2m), u ~ Beta((d−1)/2, (d−1)/2), "
                f"for m = 1…{GC1_MOMENTS}: {residuals}; E t² − 1/d = {second}"]
    checks, series = [], {"dimensions": {}}
    for dimension in GC1_DIMENSIONS:
        products = monte_carlo.sphere_inner_products(
            monte_carlo.generator(base_seed(), "GC1", dimension), dimension, GC1_SAMPLES)
        a, b = confusion.beta_parameters(dimension)
        checks.append(mean_check(f"d = {dimension}: E⟨x,y⟩²", products**2,
                                 float(confusion.inner_product_second_moment(dimension))))
        checks.append(ks_check(f"d = {dimension}: (1+⟨x,y⟩)/2 ~ Beta({a:g}, {b:g})",
                               (1 + products) / 2, lambda u, a=a, b=b: stats.beta.cdf(u, a, b)))
        wrong = stats.kstest((1 + products) / 2, lambda u, d=dimension: stats.beta.cdf(
            u, d / 2, d / 2))
        evidence.append(f"d = {dimension}: power control, KS against the wrong law "
                        f"Beta(d/2, d/2): p = {wrong.pvalue:.3g}")
        histogram, edges = np.histogram(products, bins=40, range=(-1, 1), density=True)
        series["dimensions"][str(dimension)] = {"histogram": histogram.tolist(),
                                                "edges": edges.tolist(), "a": a, "b": b}
        if dimension == GC1_DISTRIBUTION_DIMENSION:
            law = stats.beta(a, b)
            series["distribution"] = distribution_series(
                (1 + products) / 2, f"Beta({a:g}, {b:g}) of (1 + ⟨x,y⟩)/2, d = {dimension}",
                law.ppf, law.pdf)
    return _outcome("GC1", started, checks, evidence, series, exact)


# ----------------------------------------------------------------------------- GC2

GC2_SAMPLES = GC2_DIMENSION = 8
#: Rows = (orthonormal + tilt·Gaussian) × norms in [0.6, 1.4]: tilt 0 has no confusion (η = 0),
#: a small tilt a small η, so the bound's additive term does not swamp the comparison.
GC2_TILTS = (0.0, 0.02)
GC2_STEP_FRACTIONS = (0.5, 0.9)
GC2_STEPS = 1000
GC2_RUNS = 1000
GC2_CHECK_TIMES = (100, 400, 1000)
GC2_SEED = 21


def _gc2_problem(tilt: float) -> dict:
    """Consistent least squares b = A w*, nearly orthogonal rows with norms 0.6…1.4."""
    rng = np.random.default_rng(GC2_SEED)
    basis = np.linalg.qr(rng.standard_normal((GC2_DIMENSION, GC2_DIMENSION)))[0]
    directions = basis[:GC2_SAMPLES] + tilt * rng.standard_normal((GC2_SAMPLES, GC2_DIMENSION))
    directions /= np.linalg.norm(directions, axis=1)[:, None]
    features = directions * np.linspace(0.6, 1.4, GC2_SAMPLES)[:, None]
    solution = rng.standard_normal(GC2_DIMENSION)
    return {"features": features, "solution": solution, "targets": features @ solution,
            "start": solution + rng.standard_normal(GC2_DIMENSION)}


def confusion_level(features: np.ndarray, radius: float) -> float:
    """η valid on the ball ‖w − w*‖ ≤ radius, which every SGD path with α‖a_i‖² < 2 stays in:
    ⟨∇f_i, ∇f_j⟩ = (a_iᵀe)(a_jᵀe)a_iᵀa_j ≥ −‖a_i‖‖a_j‖|a_iᵀa_j|·radius²."""
    norms = np.linalg.norm(features, axis=1)
    products = np.abs(features @ features.T) * np.outer(norms, norms)
    np.fill_diagonal(products, 0.0)
    return float(products.max() * radius**2)


def run_gc2(_precisions: Sequence[int]) -> Outcome:
    started = time.perf_counter()
    checks, evidence, series, holds = [], [], {"runs": []}, True
    for tilt in GC2_TILTS:
        for fraction in GC2_STEP_FRACTIONS:
            ok, lines, case_checks, entry = _gc2_case(tilt, fraction)
            holds &= ok
            evidence += lines
            checks += case_checks
            series["runs"].append(entry)
    return _outcome("GC2", started, checks, evidence, series, holds)


def _gc2_case(tilt: float, fraction: float) -> tuple[bool, list[str], list[Check], dict]:
    problem = _gc2_problem(tilt)
    features, targets, start = problem["features"], problem["targets"], problem["start"]
    squared_norms = np.sum(features**2, axis=1)
    strong, smooth = float(squared_norms.min()), float(squared_norms.max())
    level = confusion_level(features, float(np.linalg.norm(start - problem["solution"])))
    initial = float(least_squares_loss(features, targets, start)[0])
    step = fraction * 2 / (GC2_SAMPLES * smooth)
    rate = float(confusion.confusion_rate(strong, smooth, GC2_SAMPLES, step))
    expected = sgd_expected_loss(features, problem["solution"], start, step, GC2_STEPS)
    bound = np.array([float(confusion.confusion_bound(t, initial, step, level, rate))
                      for t in range(GC2_STEPS + 1)])
    simulated = sgd_least_squares(features, targets, start, step, GC2_STEPS, GC2_RUNS,
                                  monte_carlo.generator(base_seed(), "GC2", tilt, fraction))
    label = f"tilt {tilt}, α = {fraction}·2/(NL)"
    checks = []
    for t in GC2_CHECK_TIMES:
        checks.append(mean_check(f"{label}, T = {t}: simulated E F(w_T) vs the exact "
                                 "second-moment recursion", simulated[:, t], float(expected[t])))
        checks.append(below_bound_check(f"{label}, T = {t}: simulated E F(w_T) ≤ bound "
                                        "(one-sided)", simulated[:, t], float(bound[t])))
    holds = bool(np.all(expected <= bound))
    slack = bound / expected
    lines = [f"{label}: μ = {strong:.3g}, L = {smooth:.3g}, η = {level:.3g} (valid on the ball "
             f"‖w − w*‖ ≤ ‖w₀ − w*‖ that SGD never leaves), α = {step:.4g}, ρ = {rate:.6f}; "
             f"exact E F(w_T) ≤ bound at every T ≤ {GC2_STEPS}: {'yes' if holds else 'NO'}; "
             f"bound/E F from {slack.min():.3g} to {slack.max():.3g}"]
    entry = {"tilt": tilt, "fraction": fraction, "expected": expected.tolist(),
             "bound": bound.tolist(), "simulated_mean": simulated.mean(axis=0).tolist()}
    return holds, lines, checks, entry


# ----------------------------------------------------------------------------- GC3

GC3_INPUT_DIMENSION, GC3_SAMPLES = 10, 16
GC3_INITS = 120
GC3_WIDTHS = (16, 64, 256)
GC3_BASE_DEPTH = 2
GC3_DEPTHS = (2, 8, 32)
GC3_BASE_WIDTH = 64
GC3_SETTINGS = {"tanh, LeCun init": (Activation("tanh"), 1.0),
                "ReLU, He init": (Activation("leaky_relu", 0.0), 2.0)}


def minimum_gradient_cosine(network: MLP, theta: np.ndarray, inputs: np.ndarray,
                            targets: np.ndarray) -> float:
    """min_{i≠j} cos(∇f_i, ∇f_j) of the per-sample losses f_i = ½‖y_i − t_i‖²."""
    gram = network.per_sample_gradient_gram(theta, inputs, targets)
    norms = np.sqrt(np.diag(gram))
    cosines = gram / np.outer(norms, norms)
    return float(cosines[~np.eye(len(gram), dtype=bool)].min())


def _gc3_sample(setting: str, width: int, hidden: int, data) -> np.ndarray:
    activation, gain = GC3_SETTINGS[setting]
    network = MLP((GC3_INPUT_DIMENSION,) + (width,) * hidden + (1,), activation)
    rng = monte_carlo.generator(base_seed(), "GC3", setting, width, hidden)
    return np.array([minimum_gradient_cosine(network, network.initialise(rng, gain=gain),
                                             *data) for _ in range(GC3_INITS)])


def _ordered(lower: np.ndarray, higher: np.ndarray) -> float:
    """One-sided Mann–Whitney p-value for 'higher' tending to exceed 'lower'."""
    return float(stats.mannwhitneyu(higher, lower, alternative="greater").pvalue)


def run_gc3(_precisions: Sequence[int]) -> Outcome:
    started = time.perf_counter()
    rng = monte_carlo.generator(base_seed(), "GC3", "data")
    inputs = rng.standard_normal((GC3_SAMPLES, GC3_INPUT_DIMENSION))
    inputs /= np.linalg.norm(inputs, axis=1)[:, None]
    data = (inputs, rng.choice([-1.0, 1.0], size=(GC3_SAMPLES, 1)))
    evidence, passed, series = [], True, {}
    for setting in GC3_SETTINGS:
        widths = {w: _gc3_sample(setting, w, GC3_BASE_DEPTH, data) for w in GC3_WIDTHS}
        depths = {d: widths[GC3_BASE_WIDTH] if d == GC3_BASE_DEPTH else
                  _gc3_sample(setting, GC3_BASE_WIDTH, d, data) for d in GC3_DEPTHS}
        rises = [_ordered(widths[a], widths[b]) for a, b in zip(GC3_WIDTHS, GC3_WIDTHS[1:],
                                                                 strict=False)]
        falls = [_ordered(depths[b], depths[a]) for a, b in zip(GC3_DEPTHS, GC3_DEPTHS[1:],
                                                                 strict=False)]
        ok = all(p <= FALSE_ALARM for p in rises + falls)
        passed &= ok
        evidence.append(f"{setting}: " + "; ".join(_describe(label, sample) for label, sample in
                                                   [(f"width {w}", widths[w]) for w in
                                                    GC3_WIDTHS]
                                                   + [(f"depth {d}", depths[d]) for d in
                                                      GC3_DEPTHS if d != GC3_BASE_DEPTH]))
        evidence.append(f"{setting}: rises with width, one-sided Mann–Whitney p = "
                        f"{', '.join(f'{p:.2g}' for p in rises)}; falls with depth, p = "
                        f"{', '.join(f'{p:.2g}' for p in falls)} (each must be ≤ "
                        f"{FALSE_ALARM:g}): {'yes' if ok else 'NO'}")
        series[setting] = {"widths": {str(w): v.tolist() for w, v in widths.items()},
                           "depths": {str(d): v.tolist() for d, v in depths.items()}}
    return Outcome("GC3", bool(passed), [], [], evidence, series, time.perf_counter() - started)


def _describe(label: str, sample: np.ndarray) -> str:
    low, high = median_interval(sample)
    return f"{label} median {np.median(sample):.3f} [{low:.3f}, {high:.3f}]"


# ----------------------------------------------------------------------------- claims


def _domain_sphere():
    from hypothesis import strategies as st
    return st.fixed_dictionaries({"dimension": st.integers(2, 500),
                                  "seed": st.integers(0, 2**32 - 1)})


def _domain_least_squares():
    from hypothesis import strategies as st
    return st.fixed_dictionaries({"samples": st.integers(2, 20), "dimension": st.integers(1, 8),
                                  "step_fraction": st.floats(0.05, 0.95),
                                  "seed": st.integers(0, 2**32 - 1)})


def _domain_network():
    from hypothesis import strategies as st
    return st.fixed_dictionaries({"width": st.integers(2, 64), "depth": st.integers(1, 6),
                                  "slope": st.one_of(st.just(0.0), st.floats(1e-3, 0.5)),
                                  "seed": st.integers(0, 2**32 - 1)})


CLAIMS = (
    Claim(
        id="GC1", family="GC", title="Random unit vectors: E⟨x,y⟩² = 1/d and a Beta law",
        claim_class=ClaimClass.STATISTICAL, provenance="D", source=SOURCE,
        statement="EE chevron.l x, y chevron.r^2 = 1/d, quad (1 + chevron.l x, y chevron.r)/2 ~ "
                  "op(\"Beta\")((d-1)/2, (d-1)/2)",
        theory="theory.confusion: sphere moments (2m−1)!!Γ(d/2)/(2^mΓ(d/2+m)) equal the Beta "
               "moments for m = 1…4 with symbolic d (SymPy)",
        experiment=f"{GC1_SAMPLES} pairs of normalised Gaussian vectors for d ∈ "
                   f"{list(GC1_DIMENSIONS)}",
        comparison="symbolic identities exact; z-check of the mean of ⟨x,y⟩² (4.89 SE) and "
                   "KS test against the Beta law (p ≥ 1e-6)",
        parameters={"dimensions": GC1_DIMENSIONS, "samples": GC1_SAMPLES,
                    "seed": "FLOWCERT_SEED"},
        run=run_gc1, domain=_domain_sphere),
    Claim(
        id="GC2", family="GC", title="SGD under gradient confusion: linear rate plus αη/(1−ρ)",
        claim_class=ClaimClass.STATISTICAL, provenance="P", source=SOURCE,
        statement="EE[F(w_T) - F^*] <= rho^T (F(w_0) - F^*) + (alpha eta)/(1-rho), quad "
                  "rho = 1 - (2 mu)/N (alpha - (N L alpha^2)/2), quad alpha < 2/(N L)",
        theory="theory.confusion.confusion_rate and confusion_bound (recursion unrolled by "
               "SymPy rsolve)",
        experiment=f"consistent least squares, N = d = {GC2_SAMPLES}, rows orthonormal + tilt "
                   f"× Gaussian (tilt ∈ {list(GC2_TILTS)}), norms 0.6…1.4 (seed {GC2_SEED}); "
                   f"exact E F(w_T) by the second-moment recursion for T ≤ {GC2_STEPS}, "
                   f"α/(2/(NL)) ∈ {list(GC2_STEP_FRACTIONS)}; {GC2_RUNS} simulated SGD runs; η "
                   "bounded on the ball that contains every SGD path",
        comparison="the exact expectation must not exceed the bound at any T; simulated means "
                   f"within 4.89 SE of the exact expectation, and not above the bound by more "
                   f"than 4.75 SE (one-sided), at T ∈ {list(GC2_CHECK_TIMES)}",
        parameters={"samples": GC2_SAMPLES, "dimension": GC2_DIMENSION, "tilts": GC2_TILTS,
                    "step_fractions": GC2_STEP_FRACTIONS, "steps": GC2_STEPS,
                    "runs": GC2_RUNS, "seed": GC2_SEED},
        run=run_gc2, domain=_domain_least_squares),
    Claim(
        id="GC3", family="GC", title="Minimum gradient cosine rises with width, falls with "
                                     "depth",
        claim_class=ClaimClass.QUALITATIVE, provenance="P", source=SOURCE,
        statement="min_(i != j) cos(nabla f_i, nabla f_j) arrow.tr \"with width\", quad "
                  "arrow.br \"with depth\"",
        theory="ordering only (the paper's confusion bounds tighten with width and loosen "
               "with depth)",
        experiment=f"{GC3_SAMPLES} unit inputs in R^{GC3_INPUT_DIMENSION}, ±1 targets, squared "
                   f"loss; {GC3_INITS} initialisations per network; widths {list(GC3_WIDTHS)} "
                   f"at {GC3_BASE_DEPTH} hidden layers, depths {list(GC3_DEPTHS)} at width "
                   f"{GC3_BASE_WIDTH}; settings {list(GC3_SETTINGS)}",
        comparison="for every consecutive pair, a one-sided Mann–Whitney test of the ordering "
                   "at p ≤ 1e-6, in both settings; medians with distribution-free 1 − 1e-6 "
                   "intervals reported",
        parameters={"inits": GC3_INITS, "widths": GC3_WIDTHS, "depths": GC3_DEPTHS,
                    "settings": list(GC3_SETTINGS), "seed": "FLOWCERT_SEED"},
        run=run_gc3, domain=_domain_network),
)
