"""Claims EOS1–EOS4: stability of gradient descent and the edge of stability (THEORY.md, EOS;
Lowell 2022, with Cohen et al. 2021 for the edge of stability).

EOS1 compares gradient descent on quadratics, iterated in arithmetic of each precision, with
the spectral closed form of :mod:`theory.stability`. EOS2–EOS4 train a small tanh network by
full-batch gradient descent (hand-written backpropagation, complex-step Hessian-vector
products, Lanczos for the sharpness) from a fixed seed; their thresholds are stated in each
claim's comparison text before any number is seen by the verdict.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Sequence

import mpmath
import numpy as np

from flowcert.claims.base import Claim, ClaimClass, Outcome, PrecisionRun
from flowcert.claims.ladder import run_ladder
from flowcert.claims.tolerances import theory_precision
from flowcert.numerics.gradient_descent import TrainingRecord, full_batch_descent, quadratic_descent
from flowcert.numerics.hessian import complex_step_hvp, top_eigenpairs
from flowcert.numerics.linalg import random_orthogonal
from flowcert.numerics.precision import FLOAT64_BITS, unit_roundoff
from flowcert.numerics.relu_network import MLP, Activation
from flowcert.theory import stability

SOURCE = "Lowell (2022), There is a singularity in the loss landscape; Cohen, Kaur, Li, Kolter " \
         "& Talwalkar (2021), Gradient descent on neural networks typically occurs at the " \
         "edge of stability; flowcert seed 002"

# ----------------------------------------------------------------------------- EOS1

EOS1_SPECTRA = {"positive": ("0.5", "1", "2", "3", "5"), "saddle": ("-0.1", "1", "2", "3", "5")}
#: (spectrum, η as a multiple of 2/λ_max): both sides of the threshold and well inside.
EOS1_CASES = (("positive", "0.99"), ("positive", "1.01"), ("positive", "0.5"),
              ("saddle", "0.5"))
EOS1_STEPS = 200
EOS1_SEED = 11
EOS1_LONG_STEPS = 4000
EOS1_FINE_MARGIN = "0.002"


def _spectrum(name: str) -> list:
    return [mpmath.mpf(v) for v in EOS1_SPECTRA[name]]


def _number(value, bits: int):
    return float(value) if bits == FLOAT64_BITS else +mpmath.mpf(value)


def _quadratic(name: str, bits: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(H, Q, x0) at the working precision: H = Q diag(λ) Qᵀ with Haar Q (seed EOS1_SEED)."""
    rng = np.random.default_rng(EOS1_SEED)
    basis = random_orthogonal(len(EOS1_SPECTRA[name]), rng)
    matrix = (basis * np.array(_spectrum(name), dtype=object)) @ basis.T
    start = np.array([mpmath.mpf(v) for v in rng.standard_normal(len(basis))], dtype=object)
    if bits == FLOAT64_BITS:
        return matrix.astype(float), basis.astype(float), start.astype(float)
    return matrix, basis, start


def _measure_eos1(bits: int, series: dict) -> PrecisionRun:
    """GD in ``bits``-bit arithmetic; theory (and the norms) at bits + 32 from the same
    decimal eigenvalues, the step actually used and the start's eigen-coordinates."""
    worst, budget = 0.0, 0.0
    for name, fraction in EOS1_CASES:
        with mpmath.workprec(bits):
            matrix, basis, start = _quadratic(name, bits)
            step = _number(mpmath.mpf(fraction) * 2 / max(_spectrum(name)), bits)
            iterates = quadratic_descent(matrix, start, step, EOS1_STEPS)
        with theory_precision(bits):
            eigenvalues = _spectrum(name)
            coordinates = [mpmath.fsum(mpmath.mpf(b) * mpmath.mpf(x) for b, x in
                                       zip(basis[:, i], start, strict=True))
                           for i in range(len(basis))]
            observed = [mpmath.fsum(mpmath.mpf(v) ** 2 for v in row) for row in iterates]
            predicted = [stability.iterate_norm_squared(eigenvalues, coordinates,
                                                        mpmath.mpf(step), k)
                         for k in range(EOS1_STEPS + 1)]
            errors = [abs(a / b - 1) for a, b in zip(observed, predicted, strict=True)]
            amplification = 10 * mpmath.sqrt(mpmath.fsum(c**2 for c in coordinates)) \
                / min(abs(c) for c in coordinates)
        worst = max(worst, float(max(errors)))
        budget = max(budget, float(EOS1_STEPS * (len(basis) + 2) * unit_roundoff(bits)
                                   * amplification))
        if bits == FLOAT64_BITS:
            series.setdefault("quadratics", []).append(
                {"spectrum": name, "step_fraction": fraction,
                 "observed": [float(v) for v in observed],
                 "predicted": [float(v) for v in predicted]})
    return PrecisionRun(bits, worst, worst, budget, EOS1_STEPS)


def _eos1_classification() -> tuple[bool, list[str]]:
    """Long float64 runs at η = (1 ± margin)·2/λ_max: converge/diverge as predicted, and
    divergence along the top eigenvector (|cos| ≥ 0.99)."""
    lines, passed = [], True
    margin = float(EOS1_FINE_MARGIN)
    cases = [("positive", 1 - margin), ("positive", 1 + margin), ("saddle", 0.5)]
    for name, fraction in cases:
        matrix, basis, start = _quadratic(name, FLOAT64_BITS)
        eigenvalues = [float(v) for v in _spectrum(name)]
        step = fraction * 2 / max(eigenvalues)
        iterates = quadratic_descent(matrix, start, step, EOS1_LONG_STEPS)
        growth = np.linalg.norm(iterates[-1]) / np.linalg.norm(iterates[EOS1_LONG_STEPS // 2])
        observed_converges = bool(growth < 1)
        predicted_converges = stability.converges(eigenvalues, step)
        top_vector = np.linalg.eigh(matrix)[1][:, -1]
        alignment = abs(top_vector @ iterates[-1]) / np.linalg.norm(iterates[-1])
        along_top = bool(alignment >= 0.99)
        predicted_top = stability.diverges_along_top(eigenvalues, step)
        ok = observed_converges == predicted_converges and (along_top == predicted_top
                                                             or predicted_converges)
        passed &= ok
        lines.append(f"{name} spectrum, ηλ_max = {step * max(eigenvalues):.4f}: "
                     f"‖x_K‖/‖x_(K/2)‖ = {growth:.3g} over K = {EOS1_LONG_STEPS} steps "
                     f"({'converges' if observed_converges else 'diverges'}; predicted "
                     f"{'converges' if predicted_converges else 'diverges'}), |cos(x_K, "
                     f"v_top)| = {alignment:.6f} (predicted along top: {predicted_top}) "
                     f"({'ok' if ok else 'MISMATCH'})")
    return passed, lines


def run_eos1(precisions: Sequence[int]) -> Outcome:
    started = time.perf_counter()
    series: dict = {}
    runs, passed, evidence = run_ladder(lambda bits: _measure_eos1(bits, series), precisions)
    if "quadratics" not in series:
        _measure_eos1(FLOAT64_BITS, series)
    classified, lines = _eos1_classification()
    return Outcome("EOS1", bool(passed and classified), runs, [], evidence + lines, series,
                   time.perf_counter() - started)


# ----------------------------------------------------------------------------- training

EOS_LAYERS = (1, 24, 24, 1)
EOS_SAMPLES = 24
EOS_SEED = 0
EOS_STEPS = 1500
EOS_EVERY = 25
#: 2/η = 1.5 × the sharpness at initialisation, so the sharpness must rise to reach it.
EOS_THRESHOLD_OVER_INITIAL = 1.5
EOS_CONTROL_DIVISOR = 4
EOS_TOP_COUNT = 3


def _regression_data(samples: int) -> tuple[np.ndarray, np.ndarray]:
    inputs = np.linspace(-2, 2, samples)[:, None]
    return inputs, np.sin(2 * inputs)


def _network() -> MLP:
    return MLP(EOS_LAYERS, Activation("tanh"))


def _start() -> np.ndarray:
    return _network().initialise(np.random.default_rng(EOS_SEED), gain=1.0, bias_scale=0.5)


def _objective(samples: int):
    network = _network()
    inputs, targets = _regression_data(samples)
    return (lambda theta: network.loss(theta, inputs, targets),
            lambda theta: network.loss_gradient(theta, inputs, targets))


@functools.cache
def _initial_sharpness() -> float:
    _, gradient = _objective(EOS_SAMPLES)
    start = _start()
    values, _ = top_eigenpairs(complex_step_hvp(gradient, start), len(start), 1)
    return float(values[0])


def eos_step() -> float:
    """EOS2–EOS4: the step η with 2/η = 1.5 × the sharpness at initialisation."""
    return 2 / (EOS_THRESHOLD_OVER_INITIAL * _initial_sharpness())


@functools.cache
def _training(step: float, count: int) -> TrainingRecord:
    loss, gradient = _objective(EOS_SAMPLES)
    return full_batch_descent(loss, gradient, _start(), step, EOS_STEPS, EOS_EVERY, count)


# ----------------------------------------------------------------------------- EOS2


def _edge_properties(record: TrainingRecord) -> dict:
    threshold = stability.stability_threshold(record.step)
    sharpness = np.array([values[0] for values in record.top_eigenvalues])
    losses = np.array(record.losses)
    increases = np.diff(losses) > 0
    reached = np.nonzero(sharpness >= 0.95 * threshold)[0]
    first = int(record.checkpoints[reached[0]]) if len(reached) else None
    after = sharpness[reached[0]:] / threshold if len(reached) else np.array([])
    return {"threshold": threshold, "initial_ratio": float(sharpness[0] / threshold),
            "first_reach": first,
            "median_after": float(np.median(after)) if len(after) else None,
            "band_fraction": float(np.mean((after >= 0.85) & (after <= 1.25)))
            if len(after) else None,
            "increases_before": int(np.sum(increases[:first])) if first is not None
            else int(np.sum(increases)),
            "increases_after": int(np.sum(increases[first:])) if first is not None else 0,
            "loss_at_reach": float(losses[first]) if first is not None else None,
            "final_loss": float(losses[-1])}


def run_eos2(_precisions: Sequence[int]) -> Outcome:
    started = time.perf_counter()
    step = eos_step()
    record = _training(step, EOS_TOP_COUNT)
    control = _training(step / EOS_CONTROL_DIVISOR, 1)
    edge, calm = _edge_properties(record), _edge_properties(control)
    checks = {
        "progressive sharpening: initial λ_max ≤ 0.7·2/η and λ_max reaches 0.95·2/η":
            edge["initial_ratio"] <= 0.7 and edge["first_reach"] is not None,
        "hovers: median λ_maxη/2 after reaching in [0.95, 1.05] and ≥ 90% of checkpoints in "
        "[0.85, 1.25]": edge["first_reach"] is not None
            and 0.95 <= edge["median_after"] <= 1.05 and edge["band_fraction"] >= 0.9,
        "loss keeps decreasing: final loss ≤ 0.1 × loss when 2/η was reached":
            edge["first_reach"] is not None
            and edge["final_loss"] <= 0.1 * edge["loss_at_reach"],
        "non-monotone at the edge (≥ 10 increases) and monotone before it (0 increases)":
            edge["increases_after"] >= 10 and edge["increases_before"] == 0,
        f"control η/{EOS_CONTROL_DIVISOR}: λ_max never reaches 0.95·2/η, loss monotone":
            calm["first_reach"] is None and calm["increases_before"] == 0,
    }
    evidence = [f"η = {step:.5g}, 2/η = {edge['threshold']:.5g}; λ_max(0)·η/2 = "
                f"{edge['initial_ratio']:.3f}; first checkpoint with λ_max ≥ 0.95·2/η: step "
                f"{edge['first_reach']}; after it median λ_maxη/2 = {edge['median_after']:.4f}, "
                f"{edge['band_fraction']:.0%} in [0.85, 1.25]; loss {edge['loss_at_reach']:.3g} "
                f"→ {edge['final_loss']:.3g} with {edge['increases_after']} increases "
                f"({edge['increases_before']} before reaching)",
                f"control η = {step / EOS_CONTROL_DIVISOR:.5g}: max λ_maxη/2 = "
                f"{max(v[0] for v in control.top_eigenvalues) * control.step / 2:.3f}, "
                f"{calm['increases_before']} loss increases, final loss {calm['final_loss']:.3g}"]
    evidence += [f"{name}: {'yes' if ok else 'NO'}" for name, ok in checks.items()]
    series = {"edge": _training_series(record), "control": _training_series(control)}
    return Outcome("EOS2", all(checks.values()), [], [], evidence, series,
                   time.perf_counter() - started)


def _training_series(record: TrainingRecord) -> dict:
    return {"step": record.step, "losses": record.losses, "checkpoints": record.checkpoints,
            "sharpness": [values[0] for values in record.top_eigenvalues],
            "top_fraction": record.top_fraction,
            "top_step_decrease": record.top_step_decrease,
            "rest_step_decrease": record.rest_step_decrease}


# ----------------------------------------------------------------------------- EOS3

EOS3_SIZES = (12, 24, 48, 96, 192)
EOS3_RADIUS = 0.05
EOS3_DIRECTIONS = 32
EOS3_SEED = 3


def _largest_nearby_gradient(samples: int, step: float) -> dict:
    loss, gradient = _objective(samples)
    record = full_batch_descent(loss, gradient, _start(), step, EOS_STEPS, EOS_STEPS + 1)
    trained = record.final_parameters
    directions = np.random.default_rng(EOS3_SEED).standard_normal((EOS3_DIRECTIONS,
                                                                    len(trained)))
    directions /= np.linalg.norm(directions, axis=1)[:, None]
    nearby = [float(np.linalg.norm(gradient(trained + EOS3_RADIUS * u))) for u in directions]
    return {"samples": samples, "largest": max(nearby), "median": float(np.median(nearby)),
            "at_trained": float(np.linalg.norm(gradient(trained))),
            "final_loss": record.losses[-1]}


def run_eos3(_precisions: Sequence[int]) -> Outcome:
    started = time.perf_counter()
    step = eos_step()
    rows = [_largest_nearby_gradient(size, step) for size in EOS3_SIZES]
    largest = [row["largest"] for row in rows]
    increasing = all(b > a for a, b in zip(largest, largest[1:], strict=False))
    evidence = [f"N = {row['samples']}: max ‖∇L‖ over {EOS3_DIRECTIONS} points at distance "
                f"{EOS3_RADIUS} from the trained θ = {row['largest']:.4g} (median "
                f"{row['median']:.4g}, at θ {row['at_trained']:.3g}, final loss "
                f"{row['final_loss']:.3g})" for row in rows]
    evidence.append(f"largest gradient norm strictly increasing in N: "
                    f"{'yes' if increasing else 'NO'}")
    return Outcome("EOS3", increasing, [], [], evidence, {"nearby": {"rows": rows}},
                   time.perf_counter() - started)


# ----------------------------------------------------------------------------- EOS4


def run_eos4(_precisions: Sequence[int]) -> Outcome:
    started = time.perf_counter()
    record = _training(eos_step(), EOS_TOP_COUNT)
    increases = np.nonzero(np.diff(record.losses) > 0)[0]
    checkpoints = np.array(record.checkpoints)
    window = (checkpoints >= increases[0]) & (checkpoints <= increases[-1]) \
        if len(increases) else np.zeros(len(checkpoints), dtype=bool)
    fraction = np.array(record.top_fraction)[window]
    top = np.array(record.top_step_decrease)[window]
    rest = np.array(record.rest_step_decrease)[window]
    if not window.any():
        return Outcome("EOS4", False, [], [], ["no edge-of-stability phase (no loss increase)"],
                       {}, time.perf_counter() - started)
    concentrated = float(np.median(fraction)) >= 0.9
    far_less = float(np.median(rest)) > 0 and float(np.median(top)) <= 0.1 * float(
        np.median(rest))
    evidence = [f"{int(window.sum())} checkpoints in the edge-of-stability phase (steps "
                f"{increases[0]}…{increases[-1]}, where the loss still rises at times); P_k = "
                "eigenvectors with eigenvalue ≥ 1/η (half the stability threshold)",
                f"‖P_k g‖²/‖g‖²: median {np.median(fraction):.4f} (10% quantile "
                f"{np.quantile(fraction, 0.1):.3f}); close to 1 means median ≥ 0.9: "
                f"{'yes' if concentrated else 'NO'}",
                f"loss decrease of a step −ηP_k g: median {np.median(top):.3g}; of −η(I−P_k)g: "
                f"median {np.median(rest):.3g}; far less means ≤ 0.1×: "
                f"{'yes' if far_less else 'NO'}",
                f"summed over the phase: top {np.sum(top):.3g}, rest {np.sum(rest):.3g} "
                "(reported, not part of the verdict)"]
    return Outcome("EOS4", bool(concentrated and far_less), [], [], evidence,
                   {"edge": _training_series(record),
                    "window": [int(c) for c in checkpoints[window]]},
                   time.perf_counter() - started)


# ----------------------------------------------------------------------------- claims


def _domain_quadratic():
    from hypothesis import strategies as st
    return st.fixed_dictionaries({
        "eigenvalues": st.lists(st.floats(-1.0, 10.0), min_size=1, max_size=6),
        "step": st.floats(1e-3, 2.0), "seed": st.integers(0, 2**32 - 1)})


def _domain_training():
    from hypothesis import strategies as st
    return st.fixed_dictionaries({"samples": st.integers(4, 64),
                                  "threshold_over_initial": st.floats(1.2, 3.0)})


_NETWORK = (f"tanh MLP {EOS_LAYERS} (LeCun weights, N(0, 0.5²) biases, seed {EOS_SEED}) on "
            f"y = sin 2x at {EOS_SAMPLES} points of [−2, 2], mean squared error, full-batch GD "
            f"for {EOS_STEPS} steps with 2/η = {EOS_THRESHOLD_OVER_INITIAL} × the initial "
            f"sharpness; Lanczos (eigsh) on complex-step Hessian-vector products every "
            f"{EOS_EVERY} steps")

CLAIMS = (
    Claim(
        id="EOS1", family="EOS", title="GD on a quadratic converges iff 0 < ηλ_i < 2",
        claim_class=ClaimClass.EXACT, provenance="P", source=SOURCE,
        statement="x_(k+1) = (I - eta H) x_k, quad x_k -> 0 <==> 0 < eta lambda_i < 2 "
                  "thick forall i, quad eta lambda_max > 2 ==> \"divergence along\" v_max",
        theory="theory.stability: ‖x_k‖² = Σ(1 − ηλ_i)^{2k}c_i², converges, "
               "diverges_along_top (equivalence |1 − u| < 1 ⟺ 0 < u < 2 by SymPy)",
        experiment=f"GD with the full matrix H = Q diag(λ) Qᵀ (Haar Q at working precision, "
                   f"seed {EOS1_SEED}) for {EOS1_STEPS} steps, spectra {EOS1_SPECTRA}, "
                   f"η/(2/λ_max) ∈ {{0.99, 1.01, 0.5}}; float64 runs of {EOS1_LONG_STEPS} "
                   f"steps at (1 ± {EOS1_FINE_MARGIN})·2/λ_max",
        comparison="max relative error of ‖x_k‖² within K·(d+2)·u·A, A = 10‖x₀‖/min|c_i| "
                   "(rounding injected into the slowest direction), shrinking with "
                   "precision; the long runs must converge/diverge as predicted and diverge "
                   "along v_max (|cos| ≥ 0.99) when predicted",
        parameters={"spectra": EOS1_SPECTRA, "cases": EOS1_CASES, "steps": EOS1_STEPS,
                    "seed": EOS1_SEED},
        run=run_eos1, domain=_domain_quadratic),
    Claim(
        id="EOS2", family="EOS", title="Full-batch GD: the sharpness rises to 2/η and hovers "
                                       "there",
        claim_class=ClaimClass.QUALITATIVE, provenance="P", source=SOURCE,
        statement="lambda_max (nabla^2 L(theta_t)) arrow.tr 2/eta, quad "
                  "lambda_max approx 2/eta \"while\" L(theta_t) arrow.br "
                  "\"non-monotonically\"",
        theory="theory.stability.stability_threshold (2/η, from EOS1)",
        experiment=_NETWORK + f"; control run at η/{EOS_CONTROL_DIVISOR}",
        comparison="five stated properties: initial λ_maxη/2 ≤ 0.7 and reaching 0.95; median "
                   "λ_maxη/2 after reaching in [0.95, 1.05] with ≥ 90% of checkpoints in "
                   "[0.85, 1.25]; final loss ≤ 0.1 × loss at reaching; ≥ 10 loss increases "
                   "after and none before; the control never reaches its 0.95·2/η and is "
                   "monotone",
        parameters={"layers": EOS_LAYERS, "samples": EOS_SAMPLES, "seed": EOS_SEED,
                    "steps": EOS_STEPS, "every": EOS_EVERY,
                    "threshold_over_initial": EOS_THRESHOLD_OVER_INITIAL},
        run=run_eos2, domain=_domain_training),
    Claim(
        id="EOS3", family="EOS", title="Near the trained parameters the largest gradient grows "
                                       "with N",
        claim_class=ClaimClass.QUALITATIVE, provenance="P", source=SOURCE,
        statement="max_(norm(theta - hat(theta)) = rho) norm(nabla L_N (theta)) "
                  "arrow.tr \"with\" N",
        theory="the singularity picture of Lowell (2022): no formula, an ordering",
        experiment=f"the EOS2 network and η trained on N ∈ {list(EOS3_SIZES)} points of the "
                   f"same target for {EOS_STEPS} steps; ‖∇L_N‖ at {EOS3_DIRECTIONS} random "
                   f"points at distance ρ = {EOS3_RADIUS} from the trained θ̂ (seed "
                   f"{EOS3_SEED})",
        comparison="the largest of those gradient norms must increase strictly with N",
        parameters={"sizes": EOS3_SIZES, "radius": EOS3_RADIUS,
                    "directions": EOS3_DIRECTIONS, "seed": EOS3_SEED},
        run=run_eos3, domain=_domain_training),
    Claim(
        id="EOS4", family="EOS", title="The gradient lives in the top Hessian subspace, which "
                                       "barely reduces the loss",
        claim_class=ClaimClass.QUALITATIVE, provenance="P", source=SOURCE,
        statement="norm(P_k g)^2 / norm(g)^2 approx 1, quad L(theta) - L(theta - eta P_k g) "
                  "<< L(theta) - L(theta - eta (I - P_k) g)",
        theory="at ηλ ≈ 2 a step along a top eigenvector overshoots to the other side of "
               "the valley (EOS1), so it cannot lower the loss",
        experiment=_NETWORK + "; at the checkpoints of the edge-of-stability phase (between "
                   "the first and the last loss increase), P_k = top eigenvectors with "
                   "eigenvalue ≥ 1/η",
        comparison="median ‖P_k g‖²/‖g‖² ≥ 0.9 and median loss decrease of the P_k step ≤ "
                   "0.1 × that of the (I − P_k) step (which must be positive)",
        parameters={"layers": EOS_LAYERS, "samples": EOS_SAMPLES, "seed": EOS_SEED,
                    "top_count": EOS_TOP_COUNT},
        run=run_eos4, domain=_domain_training),
)
