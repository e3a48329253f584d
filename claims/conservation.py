"""Claims SF1–SF5: conservation of synaptic saliency (THEORY.md, SF; Tanaka et al. 2020;
Du, Hu & Lee 2018).

Saliencies come from the hand-written backpropagation of numerics.relu_network, run in the
arithmetic of each precision (float64 at 53 bits, mpmath objects above). SF4 integrates the
network's own gradient flow (heyoka automatic differentiation of the loss expression) with
the integrate() facade. Theory (:mod:`theory.conservation`) is looked up at call time.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import mpmath
import numpy as np

from flowcert.claims.base import Claim, ClaimClass, Outcome, PrecisionRun
from flowcert.claims.ladder import run_ladder
from flowcert.claims.rates import fit_rate
from flowcert.claims.tolerances import theory_precision, trajectory_tolerance
from flowcert.numerics.flows import Crossing, gradient_flow
from flowcert.numerics.integrate import integrate
from flowcert.numerics.precision import FLOAT64_BITS, unit_roundoff
from flowcert.numerics.relu_network import MLP, Activation
from flowcert.theory import conservation

SOURCE = "Tanaka, Kunin, Yamins & Ganguli (2020), Pruning neural networks without any data by " \
         "iteratively conserving synaptic flow; Du, Hu & Lee (2018), Algorithmic " \
         "regularization in learning deep homogeneous models; flowcert seed 004"

#: Rounding amplification A of the saliency budgets: a saliency term W·∂R/∂W carries the
#: rounding of the forward and backward dot products that produce it (≤ K operations, K the
#: sum of the layer sizes plus the sample count, each relative to the absolute-value sum
#: used as scale); A = 10 covers the products of those relative errors and the final sums.
SALIENCY_AMPLIFICATION = 10.0
SAMPLES = 5
SEED = 2020


def _as_precision(values: np.ndarray, bits: int) -> np.ndarray:
    """float64 at 53 bits, else mpf at the current precision (exact copies of the floats)."""
    values = np.asarray(values, dtype=float)
    if bits == FLOAT64_BITS:
        return values
    return np.vectorize(lambda v: mpmath.mpf(float(v)), otypes=[object])(values)


def _case(layers, activation: Activation, bias: bool, seed: int):
    network = MLP(layers, activation, bias=bias)
    rng = np.random.default_rng(seed)
    theta = network.initialise(rng, bias_scale=0.5 if bias else 0.0)
    inputs = rng.standard_normal((SAMPLES, layers[0]))
    weights = rng.standard_normal(layers[-1])
    return network, theta, inputs, weights


def _output_gradient(weights):
    """∂R/∂y = c + y for R = Σ_n (cᵀy_n + ½‖y_n‖²) — a generic scalar of the output."""
    return lambda output: output + weights


def _relative(residual, scale) -> float:
    """|residual|/scale; a neuron dead on every sample has both exactly 0 (relative 0)."""
    if scale == 0:
        return 0.0 if residual == 0 else float("inf")
    return float(abs(mpmath.mpf(residual)) / mpmath.mpf(scale))


def _saliency_budget(network: MLP, bits: int) -> float:
    operations = sum(network.layer_sizes) + SAMPLES + 2
    return operations * unit_roundoff(bits) * SALIENCY_AMPLIFICATION


def neuron_balances(network: MLP, theta, inputs, weights) -> tuple[list, list]:
    """Per hidden neuron: (incoming − outgoing saliency, Σ|saliency terms| as its scale).

    Incoming counts the bias; terms are per sample (δ_j^n h_i^n W_ji etc.) so the scale
    bounds every sum that forms the two saliencies.
    """
    state = network.forward(theta, inputs)
    deltas = network.backward(theta, state, _output_gradient(weights)(state.output))
    layers = network.unpack(theta)
    balances, scales = [], []
    for index in range(network.depth - 1):
        weight, bias = layers[index]
        incoming_terms = deltas[index][:, :, None] * state.inputs[index][:, None, :] \
            * weight[None, :, :]
        incoming = incoming_terms.sum(axis=(0, 2))
        scale = np.abs(incoming_terms).sum(axis=(0, 2))
        if bias is not None:
            bias_terms = deltas[index] * bias[None, :]
            incoming = incoming + bias_terms.sum(axis=0)
            scale = scale + np.abs(bias_terms).sum(axis=0)
        outgoing_terms = deltas[index + 1][:, :, None] * state.inputs[index + 1][:, None, :] \
            * layers[index + 1][0][None, :, :]
        outgoing = outgoing_terms.sum(axis=(0, 1))
        balances += list(incoming - outgoing)
        scales += list(scale + np.abs(outgoing_terms).sum(axis=(0, 1)))
    return balances, scales


# ----------------------------------------------------------------------------- SF1

SF1_CASES = (((3, 5, 4, 2), 0.0), ((2, 6, 6, 6, 1), 0.1), ((4, 3, 5, 3), 0.3),
             ((3, 4, 2), 0.0))


def _measure_sf1(bits: int, series: dict) -> PrecisionRun:
    worst, budget = 0.0, 0.0
    for index, (layers, slope) in enumerate(SF1_CASES):
        network, theta, inputs, weights = _case(layers, Activation("leaky_relu", slope), True,
                                                SEED + index)
        with mpmath.workprec(bits):
            balances, scales = neuron_balances(network, _as_precision(theta, bits),
                                               _as_precision(inputs, bits),
                                               _as_precision(weights, bits))
        with theory_precision(bits):
            relative = [_relative(b, s) for b, s in zip(balances, scales, strict=True)]
        worst = max(worst, max(relative))
        budget = max(budget, _saliency_budget(network, bits))
        if bits == FLOAT64_BITS:
            series.setdefault("cases", []).append({"layers": list(layers), "slope": slope,
                                                   "relative": relative})
    return PrecisionRun(bits, worst, worst, budget)


# ----------------------------------------------------------------------------- SF2

SF2_CASES = (((3, 4, 4, 4, 2), 0.0), ((2, 5, 3, 1), 0.2))
SF2_RANDOM_CUTS = 6


def _cut_totals(network: MLP, theta, inputs, weights, rng) -> tuple[list, object]:
    """Saliency totals of every layer and of random mixed cuts; and Σ_n ⟨∂R/∂y_n, y_n⟩."""
    saliencies = network.saliencies(theta, inputs, _output_gradient(weights))
    output = network.output(theta, inputs)
    euler = (_output_gradient(weights)(output) * output).sum()
    totals = [layer.sum() for layer, _ in saliencies]
    for _ in range(SF2_RANDOM_CUTS):
        layer = int(rng.integers(0, network.depth - 1))
        chosen = rng.random(network.layer_sizes[layer + 1]) < 0.5
        incoming = saliencies[layer][0][chosen, :].sum()
        outgoing = saliencies[layer + 1][0][:, ~chosen].sum()
        totals.append(incoming + outgoing)
    return totals, euler


def _measure_sf2(bits: int, series: dict) -> PrecisionRun:
    worst, budget = 0.0, 0.0
    for index, (layers, slope) in enumerate(SF2_CASES):
        network, theta, inputs, weights = _case(layers, Activation("leaky_relu", slope), False,
                                                SEED + 10 + index)
        with mpmath.workprec(bits):
            totals, euler = _cut_totals(network, _as_precision(theta, bits),
                                        _as_precision(inputs, bits),
                                        _as_precision(weights, bits),
                                        np.random.default_rng(SEED + index))
        with theory_precision(bits):
            relative = [_relative(mpmath.mpf(total) - mpmath.mpf(euler), abs(mpmath.mpf(euler)))
                        for total in totals]
        worst = max(worst, max(relative))
        budget = max(budget, _saliency_budget(network, bits) * network.n_params)
        if bits == FLOAT64_BITS:
            series.setdefault("cases", []).append({"layers": list(layers), "euler": float(euler),
                                                   "totals": [float(t) for t in totals]})
    return PrecisionRun(bits, worst, worst, budget)


# ----------------------------------------------------------------------------- SF3

SF3_CASES = (((3, 5, 4, 2), "tanh"), ((3, 5, 4, 2), "softplus"), ((2, 6, 6, 1), "tanh"))
#: The violation must exceed the homogeneous networks' roundoff budget by this factor.
SF3_VIOLATION_FACTOR = 1e6


def _measure_sf3(bits: int, series: dict) -> PrecisionRun:
    """|measured imbalance − Σ_n (∂R/∂a)D(z)| / scale: the violation equals the prediction."""
    worst, budget = 0.0, 0.0
    for index, (layers, name) in enumerate(SF3_CASES):
        network, theta, inputs, weights = _case(layers, Activation(name), True, SEED + 20 + index)
        with mpmath.workprec(bits):
            args = [_as_precision(v, bits) for v in (theta, inputs, weights)]
            balances, scales = neuron_balances(network, *args)
            state = network.forward(args[0], args[1])
            deltas = network.backward(args[0], state, _output_gradient(args[2])(state.output))
            layers_ = network.unpack(args[0])
            upstream = [deltas[i + 1] @ layers_[i + 1][0] for i in range(network.depth - 1)]
        with theory_precision(bits):
            predicted = []
            for i in range(network.depth - 1):
                predicted += list(conservation.predicted_imbalance(
                    name, state.pre_activations[i], upstream[i]))
            errors = [_relative(mpmath.mpf(b) - p, s)
                      for b, p, s in zip(balances, predicted, scales, strict=True)]
        worst = max(worst, float(max(errors)))
        budget = max(budget, _saliency_budget(network, bits))
        if bits == FLOAT64_BITS:
            series.setdefault("cases", []).append({
                "layers": list(layers), "activation": name,
                "violation": [float(abs(b) / s) for b, s in zip(balances, scales, strict=True)],
                "predicted": [float(p) for p in predicted],
                "measured": [float(b) for b in balances]})
    return PrecisionRun(bits, worst, worst, budget)


def run_sf3(precisions: Sequence[int]) -> Outcome:
    started = time.perf_counter()
    series: dict = {}
    runs, matches, evidence = run_ladder(lambda bits: _measure_sf3(bits, series), precisions)
    if "cases" not in series:
        _measure_sf3(FLOAT64_BITS, series)
    threshold = SF3_VIOLATION_FACTOR * max(
        _saliency_budget(MLP(layers, Activation(name)), FLOAT64_BITS)
        for layers, name in SF3_CASES)
    violated = True
    for case in series["cases"]:
        largest = max(case["violation"])
        violated &= largest >= threshold
        evidence.append(f"{case['activation']} {case['layers']}: largest |in − out|/scale = "
                        f"{largest:.3g} (SF1 holds to ≤ {threshold / SF3_VIOLATION_FACTOR:.2g}; "
                        f"violation needs ≥ {threshold:.2g}): "
                        f"{'violates SF1' if largest >= threshold else 'does NOT violate'}")
    evidence.insert(0, "expected violation: the measured in − out must equal Σ_n (∂R/∂a)"
                       "(φ′(z)z − φ(z)) on the ladder, and be far above roundoff")
    return Outcome("SF3", bool(matches and violated), runs, [], evidence, series,
                   time.perf_counter() - started)


# ----------------------------------------------------------------------------- SF4

#: Seeds whose flows stay inside one linear region of every pre-activation over the horizon
#: (the integration verifies it with events and raises otherwise).
SF4_CASES = ({"layers": (2, 3, 3, 1), "slope": 0.2, "seed": 4, "horizon": 0.25},
             {"layers": (3, 4, 1), "slope": 0.0, "seed": 5, "horizon": 0.25})
SF4_SAMPLES = 3
SF4_POINTS = 6
#: A of the SF4 budget: the conserved differences are quadratic in the weights, so their
#: relative error is at most twice the state's, which the gradient flow of a bounded loss
#: does not amplify over these short horizons (margin 10 on the factor 2).
SF4_AMPLIFICATION = 20.0
#: η = 2^-6…2^-12 over t ∈ [0, 4]: the asymptotic tail (at η = 2^-4, 2^-5 the local slopes of
#: log drift vs log η are still 3.1 and 1.4).
SF4_DESCENT_STEPS = tuple(2.0**-k for k in range(6, 13))
SF4_DESCENT_HORIZON = 4.0


def _sf4_problem(case: dict):
    network = MLP(case["layers"], Activation("leaky_relu", case["slope"]))
    rng = np.random.default_rng(case["seed"])
    theta = network.initialise(rng, bias_scale=0.5)
    inputs = rng.standard_normal((SF4_SAMPLES, case["layers"][0]))
    targets = rng.standard_normal((SF4_SAMPLES, case["layers"][-1]))
    return network, theta, inputs, targets


def balance_quantities(network: MLP, theta) -> list:
    """‖incoming weights and bias of j‖² − ‖outgoing weights of j‖² for every hidden j."""
    layers = network.unpack(np.asarray(theta))
    out = []
    for index in range(network.depth - 1):
        weight, bias = layers[index]
        incoming = (weight * weight).sum(axis=1) + (bias * bias if bias is not None else 0)
        following = layers[index + 1][0]
        out += list(incoming - (following * following).sum(axis=0))
    return out


def balance_scale(network: MLP, theta) -> float:
    """max_j (‖in_j‖² + ‖out_j‖²), the size against which the SF4 drift is measured."""
    squared = network.unpack(np.asarray(theta, dtype=float) ** 2)
    return float(max(max(weight.sum(axis=1) + (bias if bias is not None else 0)
                          + squared[index + 1][0].sum(axis=0))
                      for index, (weight, bias) in enumerate(squared[:-1])))


def _measure_sf4(bits: int, series: dict) -> PrecisionRun:
    worst, budget, steps = 0.0, 0.0, 0
    for index, case in enumerate(SF4_CASES):
        network, theta, inputs, targets = _sf4_problem(case)
        field = gradient_flow(f"sf4:{index}", network.loss_expression(inputs, targets),
                              network.variables(), 0)
        kinks = [Crossing(f"sf4-kink{k}", lambda _v, e=e: e, 0.0)
                 for k, e in enumerate(network.hidden_pre_activation_expressions(inputs))]
        times = [case["horizon"] * k / (SF4_POINTS - 1) for k in range(SF4_POINTS)]
        # mpf start: numerics.precision.to_real converts a float through its shortest repr,
        # which is not the float's exact binary value at more than 53 bits.
        trajectory = integrate(field, [mpmath.mpf(v) for v in theta], times, [1],
                               bits=bits, events=kinks)
        crossed = sum(len(v) for v in trajectory.events.values())
        if crossed:
            raise AssertionError(f"SF4 case {index}: {crossed} pre-activations crossed a kink; "
                                 "the horizon must stay inside one linear region")
        with theory_precision(bits):
            start = balance_quantities(network, np.array([mpmath.mpf(v) for v in theta],
                                                         dtype=object))
            scale = balance_scale(network, theta)
            drifts = [max(abs(mpmath.mpf(a) - b) for a, b in zip(
                balance_quantities(network, np.array([mpmath.mpf(v) for v in state],
                                                     dtype=object)), start, strict=True))
                for state in trajectory.states]
        worst = max(worst, float(max(drifts)) / scale)
        steps = max(steps, trajectory.steps)
        budget = max(budget, trajectory_tolerance(bits, trajectory.steps, SF4_AMPLIFICATION))
        series.setdefault("flow", {}).setdefault(str(bits), []).append(
            {"times": [float(t) for t in trajectory.times],
             "drift": [float(d) / scale for d in drifts]})
    return PrecisionRun(bits, worst, worst, budget, steps)


def _sf4_descent_fit():
    """Gradient descent drifts: per step Δ = η²(‖g_in‖² − ‖g_out‖²), so over a fixed horizon
    the drift is O(η) — even across kinks, which descent steps over freely."""
    network, theta, inputs, targets = _sf4_problem(SF4_CASES[0])
    start = np.array(balance_quantities(network, theta))
    drifts = []
    for step in SF4_DESCENT_STEPS:
        current = np.array(theta, dtype=float)
        for _ in range(round(SF4_DESCENT_HORIZON / step)):
            current = current - step * network.loss_gradient(current, inputs, targets)
        drifts.append(float(np.max(np.abs(np.array(balance_quantities(network, current))
                                          - start))))
    return fit_rate(f"balance drift of gradient descent over t ∈ [0, {SF4_DESCENT_HORIZON:g}]",
                    "η",
                    SF4_DESCENT_STEPS, drifts, predicted=1.0, limit="zero")


def run_sf4(precisions: Sequence[int]) -> Outcome:
    started = time.perf_counter()
    series: dict = {}
    runs, passed, evidence = run_ladder(lambda bits: _measure_sf4(bits, series), precisions)
    evidence.append("no pre-activation crossed a kink over the horizons (event detection on "
                    "every hidden pre-activation of every sample)")
    fit = _sf4_descent_fit()
    evidence.append(f"{fit.name}: slope {fit.slope:.4f}, 99% interval [{fit.low:.4f}, "
                    f"{fit.high:.4f}], predicted 1 ({'contained' if fit.passed else 'NOT'})")
    series["descent"] = {"steps": fit.x, "drift": fit.y}
    return Outcome("SF4", bool(passed and fit.passed), runs, [fit], evidence, series,
                   time.perf_counter() - started)


# ----------------------------------------------------------------------------- SF5

SF5_LAYERS = (5, 6, 5, 4, 3)
SF5_COLLAPSE_SCALE = 0.05


def synflow_scores(network: MLP, theta) -> list:
    """S = |W| ⊙ ∂R/∂|W| for R_SF = 1ᵀ(∏|W_l|)1 (linear bias-free network, input 1)."""
    magnitudes = np.abs(np.asarray(theta))
    ones = magnitudes[:1] * 0 + 1
    inputs = np.broadcast_to(ones, (1, network.layer_sizes[0])).copy()
    return [w for w, _ in network.saliencies(magnitudes, inputs, lambda output: output * 0 + 1)]


def _measure_sf5(bits: int, series: dict) -> PrecisionRun:
    network = MLP(SF5_LAYERS, Activation("linear"), bias=False)
    theta = network.initialise(np.random.default_rng(SEED + 50), gain=1.0)
    with mpmath.workprec(bits):
        parameters = _as_precision(theta, bits)
        scores = synflow_scores(network, parameters)
        ones = np.broadcast_to(_as_precision(np.ones(1), bits), (1, SF5_LAYERS[0]))
        total = network.output(np.abs(parameters), ones).sum()
    with theory_precision(bits):
        relative = [_relative(mpmath.mpf(layer.sum()) - mpmath.mpf(total), total)
                    for layer in scores]
    if bits == FLOAT64_BITS:
        series["layer_sums"] = {"R": float(total), "sums": [float(s.sum()) for s in scores]}
    return PrecisionRun(bits, max(relative), max(relative),
                        _saliency_budget(network, bits) * network.n_params)


def iterative_prune(network: MLP, theta: np.ndarray, score) -> tuple[list[int], np.ndarray]:
    """Remove the lowest-scoring remaining weight (zero-score ones first) and re-score,
    until one weight per layer is left; returns (weights left per layer, pruned θ)."""
    current = np.array(theta, dtype=float)
    alive = np.ones(len(current), dtype=bool)
    while alive.sum() > network.depth:
        flat = np.concatenate([s.ravel() for s in score(network, current)])
        flat = np.where(alive, flat, np.inf)
        victim = int(np.argmin(flat))
        alive[victim] = False
        current[victim] = 0.0
    return [int(np.count_nonzero(w)) for w, _ in network.unpack(current)], current


def magnitude_scores(network: MLP, theta) -> list:
    """|W| (the control: not conservative, so it can empty a whole layer)."""
    return [np.abs(w) for w, _ in network.unpack(np.asarray(theta))]


def run_sf5(precisions: Sequence[int]) -> Outcome:
    started = time.perf_counter()
    series: dict = {}
    runs, exact, evidence = run_ladder(lambda bits: _measure_sf5(bits, series), precisions)
    if "layer_sums" not in series:
        _measure_sf5(FLOAT64_BITS, series)
    network = MLP(SF5_LAYERS, Activation("linear"), bias=False)
    theta = network.initialise(np.random.default_rng(SEED + 51), gain=1.0)
    layers = network.unpack(theta)
    layers[1][0][...] *= SF5_COLLAPSE_SCALE
    counts, pruned = iterative_prune(network, theta, synflow_scores)
    ones = np.ones((1, SF5_LAYERS[0]))
    path = float(network.output(np.abs(pruned), ones).sum())
    kept = counts == [1] * network.depth and path > 0
    control, _ = iterative_prune(network, theta, magnitude_scores)
    evidence += [f"every layer's SynFlow score sum equals R_SF = {series['layer_sums']['R']:.6g}",
                 f"iterative SynFlow pruning of {network.n_params} weights (layer 2 scaled by "
                 f"{SF5_COLLAPSE_SCALE}) down to {network.depth}: weights left per layer "
                 f"{counts}, R_SF of the survivors {path:.3g} — "
                 f"{'one full path' if kept else 'LAYER COLLAPSE'}",
                 f"control, iterative magnitude pruning: weights left per layer {control} "
                 f"({'collapses a layer' if 0 in control else 'no collapse'}; reported only)"]
    series["pruning"] = {"synflow": counts, "magnitude": control}
    return Outcome("SF5", bool(exact and kept), runs, [], evidence, series,
                   time.perf_counter() - started)


# ----------------------------------------------------------------------------- claims


def _exact_outcome(claim_id: str, measure, precisions: Sequence[int]) -> Outcome:
    started = time.perf_counter()
    series: dict = {}
    runs, passed, evidence = run_ladder(lambda bits: measure(bits, series), precisions)
    if not series:
        measure(FLOAT64_BITS, series)
    return Outcome(claim_id, bool(passed), runs, [], evidence, series,
                   time.perf_counter() - started)


def _domain_network():
    from hypothesis import strategies as st
    return st.fixed_dictionaries({
        "layers": st.lists(st.integers(1, 6), min_size=3, max_size=5),
        "slope": st.one_of(st.just(0.0), st.floats(1e-3, 0.9)),
        "seed": st.integers(0, 2**32 - 1)})


_ROUNDING = ("max over hidden neurons of |residual| / Σ|per-sample saliency terms| within "
             "K·u·A (K = Σ layer sizes + samples + 2 roundings per term, A = 10), shrinking "
             "with precision")

CLAIMS = (
    Claim(
        id="SF1", family="SF", title="Homogeneous activations: incoming saliency = outgoing",
        claim_class=ClaimClass.EXACT, provenance="P", source=SOURCE,
        statement="sum_i theta_(i j) (partial R)/(partial theta_(i j)) + b_j (partial R)/"
                  "(partial b_j) = sum_k theta_(j k) (partial R)/(partial theta_(j k)) quad "
                  "(phi(z) = phi'(z) z)",
        theory="theory.conservation: in − out = Σ_n (∂R/∂a)(φ′(z)z − φ(z)) (SymPy, generic φ "
               "and R) and φ′(z)z − φ(z) ≡ 0 for (leaky) ReLU and linear φ",
        experiment=f"leaky-ReLU MLPs {[c[0] for c in SF1_CASES]} with slopes "
                   f"{[c[1] for c in SF1_CASES]}, He weights, N(0, 0.5²) biases, {SAMPLES} "
                   "Gaussian inputs, R = Σ_n(cᵀy_n + ½‖y_n‖²); backpropagation in each "
                   "precision's arithmetic",
        comparison=_ROUNDING,
        parameters={"cases": SF1_CASES, "samples": SAMPLES, "seed": SEED},
        run=lambda p: _exact_outcome("SF1", _measure_sf1, p), domain=_domain_network),
    Claim(
        id="SF2", family="SF", title="Every separating set carries saliency ⟨∂R/∂y, y⟩",
        claim_class=ClaimClass.EXACT, provenance="P", source=SOURCE,
        statement="sum_(theta in C) theta (partial R)/(partial theta) = sum_n chevron.l "
                  "(partial R)/(partial y_n), y_n chevron.r quad forall \"cuts\" C",
        theory="Euler's theorem: y is 1-homogeneous in each layer of a bias-free "
               "piecewise-linear net (SymPy check on a 2-2-1 net)",
        experiment=f"bias-free leaky-ReLU MLPs {[c[0] for c in SF2_CASES]}: every layer, and "
                   f"{SF2_RANDOM_CUTS} random mixed cuts (incoming edges of a random subset of "
                   "one hidden layer + outgoing edges of the rest)",
        comparison="max |cut total − Σ⟨∂R/∂y, y⟩| / |Σ⟨∂R/∂y, y⟩| within K·u·A·P (P "
                   "parameters summed), shrinking with precision",
        parameters={"cases": SF2_CASES, "random_cuts": SF2_RANDOM_CUTS, "seed": SEED},
        run=lambda p: _exact_outcome("SF2", _measure_sf2, p), domain=_domain_network),
    Claim(
        id="SF3", family="SF", title="Negative control: tanh and softplus violate SF1",
        claim_class=ClaimClass.EXACT, provenance="P", source=SOURCE,
        statement="phi in {tanh, op(\"softplus\")} ==> \"in\" - \"out\" = sum_n (partial R)/"
                  "(partial a_j) (phi'(z_j) z_j - phi(z_j)) != 0",
        theory="theory.conservation.predicted_imbalance (the defect φ′(z)z − φ(z) in mpmath)",
        experiment=f"tanh/softplus MLPs {[c for c in SF3_CASES]} with the SF1 set-up",
        comparison="passes when the violation is what the theory predicts (relative error "
                   "within the SF1 budget, shrinking with precision) and its largest "
                   f"per-neuron size is ≥ {SF3_VIOLATION_FACTOR:g} × the SF1 roundoff budget",
        parameters={"cases": SF3_CASES, "violation_factor": SF3_VIOLATION_FACTOR,
                    "seed": SEED},
        run=run_sf3, domain=_domain_network),
    Claim(
        id="SF4", family="SF", title="Gradient flow conserves ‖in_j‖² − ‖out_j‖² per ReLU "
                                     "neuron",
        claim_class=ClaimClass.EXACT, provenance="P", source=SOURCE,
        statement="d/(d t) (norm(w_(\"in\", j))^2 + b_j^2 - norm(w_(\"out\", j))^2) = 0",
        theory="d/dt(‖in‖² − ‖out‖²) = −2(incoming − outgoing saliency of R = L) = 0 by SF1",
        experiment=f"leaky-ReLU MLPs {[c['layers'] for c in SF4_CASES]} (slopes "
                   f"{[c['slope'] for c in SF4_CASES]}), {SF4_SAMPLES} samples, mean squared "
                   "error; gradient flow of the heyoka AD loss over t ∈ [0, 0.25], kinks "
                   "watched by events; gradient descent with η = 2^-6…2^-12 over t ∈ [0, 4]",
        comparison="max drift / max_j(‖in_j‖² + ‖out_j‖²) within n·ε·A (A = 20), shrinking "
                   "with precision; descent drift slope in η with 99% interval containing 1",
        parameters={"cases": SF4_CASES, "samples": SF4_SAMPLES,
                    "descent_steps": SF4_DESCENT_STEPS},
        run=run_sf4, domain=_domain_network),
    Claim(
        id="SF5", family="SF", title="SynFlow: every layer sums to R_SF; no layer collapse",
        claim_class=ClaimClass.EXACT, provenance="P", source=SOURCE,
        statement="R_(S F) = bb(1)^T (product_l |W_l|) bb(1), quad sum_(i j) |W_l|_(i j) "
                  "(partial R_(S F))/(partial |W_l|_(i j)) = R_(S F) thick forall l",
        theory="R_SF is linear in each |W_l| (Euler; SymPy check on 2×2 layers)",
        experiment=f"bias-free network {SF5_LAYERS}; iterative SynFlow pruning (re-score after "
                   f"every removal) to one weight per layer with layer 2 scaled by "
                   f"{SF5_COLLAPSE_SCALE}; magnitude pruning as the control",
        comparison="layer sums vs R_SF within K·u·A·P, shrinking with precision; the pruned "
                   "network must keep exactly one weight per layer with R_SF > 0",
        parameters={"layers": SF5_LAYERS, "collapse_scale": SF5_COLLAPSE_SCALE, "seed": SEED},
        run=run_sf5, domain=_domain_network),
)
