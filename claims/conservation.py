"""Claims SF1, SF2, SF4, SF5: conservation of synaptic saliency (THEORY.md, SF; Tanaka et al.
2020; Du, Hu & Lee 2018).

Saliencies come from the hand-written backpropagation of numerics.relu_network, run in the
arithmetic of each precision (float64 at 53 bits, mpmath objects above). SF4 integrates the
network's own gradient flow (heyoka automatic differentiation of the loss expression) with
the integrate() facade. Theory (:mod:`theory.conservation`) is looked up at call time; SF1's
predicted imbalance evaluates the SymPy-derived homogeneity defect, and every claim runs
the symbolic identities it rests on (derived once, cached on disk).

SF1 carries what was once a separate negative control (tanh and softplus violate SF1) in two
places: its comparison includes tanh and softplus networks, whose measured imbalance must
equal the derived Σ_n (∂R/∂a)(φ′(z)z − φ(z)); and its null models judge those networks by
SF1's conclusion in = out, which must fail.
"""

from __future__ import annotations

from functools import partial

import mpmath
import numpy as np

from flowcert.claims.base import PrecisionRun
from flowcert.claims.builders import Finding, NullModel, exact_claim, symbolic_checks
from flowcert.claims.comparison import Comparison
from flowcert.claims.rates import fit_rate
from flowcert.claims.tolerances import theory_precision, trajectory_tolerance
from flowcert.numerics.flows import Crossing, gradient_flow
from flowcert.numerics.integrate import integrate
from flowcert.numerics.mlp_descent import compiled_loss_gradient, descent_endpoints
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


def _saliency_budget(network: MLP, bits: int) -> float:
    operations = sum(network.layer_sizes) + SAMPLES + 2
    return operations * unit_roundoff(bits) * SALIENCY_AMPLIFICATION


def _symbolic(claim_ids: tuple[str, ...]):
    """A check running the symbolic identities of ``claim_ids`` (derived once, cached)."""
    def check(_series: dict) -> Finding:
        return symbolic_checks({name: ok for claim_id in claim_ids
                                for name, ok in conservation.self_checks(claim_id).items()})
    return check


def neuron_saliencies(network: MLP, theta, inputs, weights) -> dict:
    """Per hidden neuron (layer by layer): incoming saliency (bias counted), outgoing
    saliency, and Σ|per-sample saliency terms| as their scale; also the pre-activations and
    ∂R/∂a of each hidden layer (rows: samples), for the predicted imbalance.

    Terms are per sample (δ_j^n h_i^n W_ji etc.) so the scale bounds every sum that forms
    the two saliencies.
    """
    state = network.forward(theta, inputs)
    deltas = network.backward(theta, state, _output_gradient(weights)(state.output))
    layers = network.unpack(theta)
    incoming_all, outgoing_all, scales, upstream = [], [], [], []
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
        following = layers[index + 1][0]
        outgoing_terms = deltas[index + 1][:, :, None] * state.inputs[index + 1][:, None, :] \
            * following[None, :, :]
        incoming_all += list(incoming)
        outgoing_all += list(outgoing_terms.sum(axis=(0, 1)))
        scales += list(scale + np.abs(outgoing_terms).sum(axis=(0, 1)))
        upstream.append(deltas[index + 1] @ following)
    return {"incoming": incoming_all, "outgoing": outgoing_all, "scales": scales,
            "pre_activations": state.pre_activations[:-1], "upstream": upstream}


# ----------------------------------------------------------------------------- SF1

#: Homogeneous cases (leaky ReLU, slope 0 = ReLU), then the non-homogeneous ones whose
#: imbalance must equal the derived Σ(∂R/∂a)D(z).
SF1_CASES = (
    {"layers": (3, 5, 4, 2), "activation": "leaky_relu", "slope": 0.0, "seed": SEED},
    {"layers": (2, 6, 6, 6, 1), "activation": "leaky_relu", "slope": 0.1, "seed": SEED + 1},
    {"layers": (4, 3, 5, 3), "activation": "leaky_relu", "slope": 0.3, "seed": SEED + 2},
    {"layers": (3, 4, 2), "activation": "leaky_relu", "slope": 0.0, "seed": SEED + 3},
    {"layers": (3, 5, 4, 2), "activation": "tanh", "slope": 0.0, "seed": SEED + 20},
    {"layers": (3, 5, 4, 2), "activation": "softplus", "slope": 0.0, "seed": SEED + 21},
    {"layers": (2, 6, 6, 1), "activation": "tanh", "slope": 0.0, "seed": SEED + 22},
)
#: The activation whose derived defect the null models use: SF1's conclusion in = out.
SF1_HOMOGENEOUS = "leaky_relu"


def _measure_sf1(bits: int, series: dict, cases=SF1_CASES, judged_as: str | None = None
                 ) -> PrecisionRun:
    """Incoming saliency of every hidden neuron against outgoing + Σ_n (∂R/∂a)D(z), D the
    derived defect of the case's activation (of ``judged_as`` in a null model)."""
    comparison, budget = Comparison(bits), 0.0
    for case in cases:
        network, theta, inputs, weights = _case(
            case["layers"], Activation(case["activation"], case["slope"]), True, case["seed"])
        with mpmath.workprec(bits):
            flows = neuron_saliencies(network, *(_as_precision(v, bits)
                                                 for v in (theta, inputs, weights)))
        with theory_precision(bits):
            imbalance = []
            for pre, upstream in zip(flows["pre_activations"], flows["upstream"], strict=True):
                imbalance += list(conservation.predicted_imbalance(
                    judged_as or case["activation"], pre, upstream, case["slope"]))
            predicted = [mpmath.mpf(out) + d for out, d in zip(flows["outgoing"], imbalance,
                                                               strict=True)]
        comparison.extend(flows["incoming"], predicted, flows["scales"])
        budget = max(budget, _saliency_budget(network, bits))
        if bits == FLOAT64_BITS and judged_as is None:
            series.setdefault("cases", []).append({
                "layers": list(case["layers"]), "activation": case["activation"],
                "slope": case["slope"],
                "measured": [float(i - o) for i, o in zip(flows["incoming"], flows["outgoing"],
                                                          strict=True)],
                "predicted": [float(d) for d in imbalance],
                "scales": [float(s) for s in flows["scales"]]})
    return comparison.run(budget)


def _sf1_null(activation: str) -> NullModel:
    cases = tuple(case for case in SF1_CASES if case["activation"] == activation)
    return NullModel(
        f"{activation} networks judged by in = out",
        f"the {activation} networks of the comparison, with SF1's conclusion in = out (the "
        "derived defect of the leaky ReLU, ≡ 0) in place of their own defect: a "
        "non-homogeneous activation must violate SF1",
        partial(_measure_sf1, cases=cases, judged_as=SF1_HOMOGENEOUS))


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
    """Every cut's saliency total against Σ_n ⟨∂R/∂y_n, y_n⟩, relative to the latter."""
    comparison, budget = Comparison(bits), 0.0
    for index, (layers, slope) in enumerate(SF2_CASES):
        network, theta, inputs, weights = _case(layers, Activation("leaky_relu", slope), False,
                                                SEED + 10 + index)
        with mpmath.workprec(bits):
            totals, euler = _cut_totals(network, _as_precision(theta, bits),
                                        _as_precision(inputs, bits),
                                        _as_precision(weights, bits),
                                        np.random.default_rng(SEED + index))
        comparison.extend(totals, [euler] * len(totals))
        budget = max(budget, _saliency_budget(network, bits) * network.n_params)
        if bits == FLOAT64_BITS:
            series.setdefault("cases", []).append({"layers": list(layers), "euler": float(euler),
                                                   "totals": [float(t) for t in totals]})
    return comparison.run(budget)


# ----------------------------------------------------------------------------- SF4

#: Seeds whose flows stay inside one linear region of every pre-activation over the horizon
#: (the integration verifies it with events and raises otherwise).
SF4_CASES = ({"layers": (2, 3, 3, 1), "activation": "leaky_relu", "slope": 0.2, "seed": 4,
              "horizon": 0.25},
             {"layers": (3, 4, 1), "activation": "leaky_relu", "slope": 0.0, "seed": 5,
              "horizon": 0.25})
#: Null model: a tanh network (no kinks), same samples and horizon.
SF4_NULL_CASE = {"layers": (2, 3, 1), "activation": "tanh", "slope": 0.0, "seed": 4,
                 "horizon": 0.25}
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
    network = MLP(case["layers"], Activation(case["activation"], case["slope"]))
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


def _sf4_flow(case: dict, key: str, bits: int):
    """The case's gradient flow at ``bits``; leaky-ReLU kinks watched by events (raises
    when a pre-activation crosses one)."""
    network, theta, inputs, targets = _sf4_problem(case)
    field = gradient_flow(key, network.loss_expression(inputs, targets), network.variables(), 0)
    kinks = ([Crossing(f"{key}-kink{k}", lambda _v, e=e: e, 0.0)
              for k, e in enumerate(network.hidden_pre_activation_expressions(inputs))]
             if case["activation"] == "leaky_relu" else [])
    times = [case["horizon"] * k / (SF4_POINTS - 1) for k in range(SF4_POINTS)]
    # mpf start: numerics.precision.to_real converts a float through its shortest repr,
    # which is not the float's exact binary value at more than 53 bits.
    trajectory = integrate(field, [mpmath.mpf(v) for v in theta], times, [1], bits=bits,
                           events=kinks)
    crossed = sum(len(v) for v in trajectory.events.values())
    if crossed:
        raise AssertionError(f"SF4 {key}: {crossed} pre-activations crossed a kink; the "
                             "horizon must stay inside one linear region")
    return network, theta, trajectory


def _measure_sf4(bits: int, series: dict, cases=SF4_CASES, key: str = "sf4") -> PrecisionRun:
    """‖in_j‖² − ‖out_j‖² at every output time against its value at t = 0, relative to
    max_j(‖in_j‖² + ‖out_j‖²) at t = 0."""
    comparison, budget, steps = Comparison(bits), 0.0, 0
    for index, case in enumerate(cases):
        network, theta, trajectory = _sf4_flow(case, f"{key}:{index}", bits)
        with theory_precision(bits):
            start = balance_quantities(network, np.array([mpmath.mpf(v) for v in theta],
                                                         dtype=object))
            scale = balance_scale(network, theta)
            drifts = []
            for state in trajectory.states:
                now = balance_quantities(network, np.array([mpmath.mpf(v) for v in state],
                                                           dtype=object))
                comparison.extend(now, start, [scale] * len(start))
                drifts.append(max(abs(mpmath.mpf(a) - b) for a, b in zip(now, start,
                                                                         strict=True)))
        steps = max(steps, trajectory.steps)
        budget = max(budget, trajectory_tolerance(bits, trajectory.steps, SF4_AMPLIFICATION))
        series.setdefault("flow", {}).setdefault(str(bits), []).append(
            {"times": [float(t) for t in trajectory.times],
             "drift": [float(d) / scale for d in drifts]})
    return comparison.run(budget, steps)


def _sf4_descent_fit():
    """Gradient descent drifts: per step Δ = η²(‖g_in‖² − ‖g_out‖²), so over a fixed horizon
    the drift is O(η) — even across kinks, which descent steps over freely."""
    network, theta, inputs, targets = _sf4_problem(SF4_CASES[0])
    start = np.array(balance_quantities(network, theta))
    endpoints = descent_endpoints(compiled_loss_gradient(network, inputs, targets), theta,
                                  SF4_DESCENT_STEPS, SF4_DESCENT_HORIZON)
    drifts = [float(np.max(np.abs(np.array(balance_quantities(network, end)) - start)))
              for end in endpoints]
    return fit_rate(f"balance drift of gradient descent over t ∈ [0, {SF4_DESCENT_HORIZON:g}]",
                    "η", SF4_DESCENT_STEPS, drifts, predicted=1.0, limit="zero")


def _sf4_checks(series: dict) -> Finding:
    finding = _symbolic(("SF1", "SF4"))(series)
    finding.evidence.append("no pre-activation crossed a kink over the horizons (event "
                            "detection on every hidden pre-activation of every sample)")
    return finding


# ----------------------------------------------------------------------------- SF5

SF5_LAYERS = (5, 6, 5, 4, 3)
SF5_COLLAPSE_SCALE = 0.05
#: SynFlow networks are ReLU networks as in the authors' code; with |θ| and the input 1
#: every pre-activation is positive, so the ReLU acts as the identity.
SF5_ACTIVATION = Activation("leaky_relu", 0.0)
#: (bias, seed) of the score-sum networks: bias-free, and with N(0, 0.5²) biases.
SF5_CASES = ((False, SEED + 50), (True, SEED + 52))


def synflow_scores(network: MLP, theta) -> list:
    """[(S(W_l), S(b_l) or None)]: S = |θ| ⊙ ∂R_SF/∂|θ| with R_SF = 1ᵀ f(1; |θ|), the sum of
    the network's outputs on the all-ones input with every parameter (biases included)
    replaced by its absolute value — the authors' SynFlow scores."""
    magnitudes = np.abs(np.asarray(theta))
    ones = np.broadcast_to(magnitudes[:1] * 0 + 1, (1, network.layer_sizes[0])).copy()
    return network.saliencies(magnitudes, ones, lambda output: output * 0 + 1)


def synflow_total(network: MLP, theta):
    """R_SF = 1ᵀ f(1; |θ|) (= 1ᵀ(∏|W_l|)1 for a bias-free network)."""
    magnitudes = np.abs(np.asarray(theta))
    ones = np.broadcast_to(magnitudes[:1] * 0 + 1, (1, network.layer_sizes[0])).copy()
    return network.output(magnitudes, ones).sum()


def _measure_sf5(bits: int, series: dict) -> PrecisionRun:
    """Each layer's weight-score sum against R_SF − Σ_{k≥l} ΣS(b_k), relative to R_SF."""
    comparison, budget = Comparison(bits), 0.0
    for bias, seed in SF5_CASES:
        network = MLP(SF5_LAYERS, SF5_ACTIVATION, bias=bias)
        theta = network.initialise(np.random.default_rng(seed), gain=1.0,
                                   bias_scale=0.5 if bias else 0.0)
        with mpmath.workprec(bits):
            parameters = _as_precision(theta, bits)
            scores = synflow_scores(network, parameters)
            total = synflow_total(network, parameters)
            weight_sums = [weights.sum() for weights, _ in scores]
            bias_sums = [0 if biases is None else biases.sum() for _, biases in scores]
        with theory_precision(bits):
            predicted = conservation.synflow_layer_sums(mpmath.mpf(total),
                                                        [mpmath.mpf(b) for b in bias_sums])
        comparison.extend(weight_sums, predicted, [total] * len(predicted))
        budget = max(budget, _saliency_budget(network, bits) * network.n_params)
        if bits == FLOAT64_BITS:
            series.setdefault("layer_sums", []).append({
                "bias": bias, "R": float(total), "sums": [float(s) for s in weight_sums],
                "predicted": [float(p) for p in predicted]})
    return comparison.run(budget)


def _sf5_sums(series: dict) -> Finding:
    """The layer sums behind the comparison, in words (the ladder judges them)."""
    sentences = []
    for case in series["layer_sums"]:
        sums = ", ".join(f"{v:.6g}" for v in case["sums"])
        sentences.append(
            f"{'with biases' if case['bias'] else 'bias-free'}: R_SF = {case['R']:.6g}, layer "
            f"weight-score sums {sums}" + (" ($R_\"SF\" - sum_(k >= l) sum S(b_k)$: " + ", ".join(
                f"{v:.6g}" for v in case["predicted"]) + ")" if case["bias"] else ""))
    return Finding(True, sentences)


def iterative_prune(network: MLP, theta: np.ndarray, score) -> tuple[list[int], np.ndarray]:
    """Remove the lowest-scoring remaining weight (zero-score ones first) and re-score,
    until one weight per layer is left; returns (weights left per layer, pruned θ).
    ``score(network, θ)`` returns one score array per layer's weights."""
    current = np.array(theta, dtype=float)
    alive = np.ones(len(current), dtype=bool)
    while alive.sum() > network.depth:
        flat = np.concatenate([s.ravel() for s in score(network, current)])
        flat = np.where(alive, flat, np.inf)
        victim = int(np.argmin(flat))
        alive[victim] = False
        current[victim] = 0.0
    return [int(np.count_nonzero(w)) for w, _ in network.unpack(current)], current


def synflow_weight_scores(network: MLP, theta) -> list:
    """The SynFlow scores of the weights (what the authors prune)."""
    return [weights for weights, _ in synflow_scores(network, theta)]


def magnitude_scores(network: MLP, theta) -> list:
    """|W| (the control: not conservative, so it can empty a whole layer)."""
    return [np.abs(w) for w, _ in network.unpack(np.asarray(theta))]


def _sf5_pruning(series: dict) -> Finding:
    """Iterative SynFlow pruning keeps one full path; the set-up must be one where magnitude
    pruning collapses a layer (else keeping a path would prove nothing)."""
    network = MLP(SF5_LAYERS, SF5_ACTIVATION, bias=False)
    theta = network.initialise(np.random.default_rng(SEED + 51), gain=1.0)
    layers = network.unpack(theta)
    layers[1][0][...] *= SF5_COLLAPSE_SCALE
    counts, pruned = iterative_prune(network, theta, synflow_weight_scores)
    path = float(synflow_total(network, pruned))
    kept = counts == [1] * network.depth and path > 0
    control, _ = iterative_prune(network, theta, magnitude_scores)
    collapses = 0 in control
    series["pruning"] = {"synflow": counts, "magnitude": control}
    return Finding(kept and collapses, [
        f"iterative SynFlow pruning of {network.n_params} weights (layer 2 scaled by "
        f"{SF5_COLLAPSE_SCALE}) down to {network.depth}: weights left per layer {counts}, R_SF "
        f"of the survivors {path:.3g} — {'one full path' if kept else 'LAYER COLLAPSE'}",
        f"control, iterative magnitude pruning of the same network: weights left per layer "
        f"{control} — " + ("collapses a layer, so the set-up does threaten collapse"
                           if collapses else "NO collapse: the set-up does not test SynFlow")])


# ----------------------------------------------------------------------------- claims


def _domain_network():
    from hypothesis import strategies as st
    return st.fixed_dictionaries({
        "layers": st.lists(st.integers(1, 6), min_size=3, max_size=5),
        "slope": st.one_of(st.just(0.0), st.floats(1e-3, 0.9)),
        "seed": st.integers(0, 2**32 - 1)})


_ROUNDING = ("every neuron's |incoming − predicted| / Σ|per-sample saliency terms| within "
             "K·u·A (K = Σ layer sizes + samples + 2 roundings per term, A = 10), shrinking "
             "with precision")

exact = partial(exact_claim, source=SOURCE, domain=_domain_network)

CLAIMS = (
    exact(
        id="SF1", title="Homogeneous activations: incoming saliency = outgoing",
        provenance="P",
        statement="sum_i theta_(i j) (partial R)/(partial theta_(i j)) + b_j (partial R)/"
                  "(partial b_j) - sum_k theta_(j k) (partial R)/(partial theta_(j k)) = "
                  "sum_n (partial R)/(partial a_j) (phi'(z_j) z_j - phi(z_j)) = 0 quad "
                  "(phi(z) = phi'(z) z)",
        theory="theory.conservation: $\"in\" - \"out\" = sum_n (partial R\\/partial a) D(z)$ "
               "with $D(z) = phi'(z) z - phi(z)$ "
               "derived by SymPy for each activation (cached) and evaluated in mpmath; D ≡ 0 "
               "for (leaky) ReLU and linear φ; symbolic checks of the identity for generic φ "
               "and R",
        experiment="leaky-ReLU MLPs (3,5,4,2), (2,6,6,6,1), (4,3,5,3), (3,4,2) with slopes "
                   "0, 0.1, 0.3, 0 and tanh/softplus MLPs (3,5,4,2), (2,6,6,1); He weights, "
                   f"N(0, 0.5²) biases, {SAMPLES} Gaussian inputs, $R = sum_n (c^T y_n + "
                   "1\\/2 norm(y_n)^2)$; backpropagation in each precision's arithmetic",
        comparison="incoming saliency against outgoing + "
                   "$sum_n (partial R\\/partial a) D(z)$; " + _ROUNDING
                   + "; null models: the tanh and softplus networks judged by in = out",
        parameters={"cases": SF1_CASES, "samples": SAMPLES, "seed": SEED},
        measure=_measure_sf1, checks=(_symbolic(("SF1",)),),
        null_models=(_sf1_null("tanh"), _sf1_null("softplus"))),
    exact(
        id="SF2", title="Every separating set carries saliency $chevron.l partial R\\/partial y, "
                        "y chevron.r$",
        provenance="P",
        statement="sum_(theta in C) theta (partial R)/(partial theta) = sum_n chevron.l "
                  "(partial R)/(partial y_n), y_n chevron.r quad forall \"cuts\" C",
        theory="Euler's theorem: y is 1-homogeneous in each layer of a bias-free "
               "piecewise-linear net (SymPy check on a 2-2-1 net, run by the claim)",
        experiment=f"bias-free leaky-ReLU MLPs {[c[0] for c in SF2_CASES]} (slopes "
                   f"{[c[1] for c in SF2_CASES]}): every layer, and {SF2_RANDOM_CUTS} random "
                   "mixed cuts (incoming edges of a random subset of one hidden layer + "
                   "outgoing edges of the rest)",
        comparison="|cut total − Σ⟨∂R/∂y, y⟩| / |Σ⟨∂R/∂y, y⟩| within K·u·A·P (P parameters "
                   "summed), shrinking with precision",
        parameters={"cases": SF2_CASES, "random_cuts": SF2_RANDOM_CUTS, "seed": SEED},
        measure=_measure_sf2, checks=(_symbolic(("SF2",)),)),
    exact(
        id="SF4", title="Gradient flow conserves $norm(\"in\"_j)^2 - norm(\"out\"_j)^2$ per ReLU "
                        "neuron",
        provenance="P",
        statement="d/(d t) (norm(w_(\"in\", j))^2 + b_j^2 - norm(w_(\"out\", j))^2) = "
                  "-2 sum_n (partial L)/(partial a_j) (phi'(z_j) z_j - phi(z_j)) = 0",
        theory="d/dt(‖in‖² − ‖out‖²) = −2(incoming − outgoing saliency of R = L) = "
               "−2Σ(∂L/∂a)D(z) (SymPy, generic φ and L) and D ≡ 0 for the leaky ReLU "
               "(derived); both run by the claim",
        experiment=f"leaky-ReLU MLPs {[c['layers'] for c in SF4_CASES]} (slopes "
                   f"{[c['slope'] for c in SF4_CASES]}), N(0, 0.5²) biases, {SF4_SAMPLES} "
                   "samples, mean squared error; gradient flow of the heyoka AD loss over "
                   "t ∈ [0, 0.25], kinks watched by events; gradient descent with η = "
                   "$2^(-6) … 2^(-12)$ over t ∈ [0, 4]",
        comparison="$norm(\"in\"_j)^2 - norm(\"out\"_j)^2$ at 6 times against t = 0, / $max_j "
                   "(norm(\"in\"_j)^2 + "
                   "norm(\"out\"_j)^2)$, within n·ε·A (A = 20), shrinking with precision; descent "
                   "drift slope in η with 99% interval containing 1; null model: a tanh "
                   "network's flow",
        parameters={"cases": SF4_CASES, "null_case": SF4_NULL_CASE, "samples": SF4_SAMPLES,
                    "descent_steps": SF4_DESCENT_STEPS},
        measure=_measure_sf4, fits=(_sf4_descent_fit,), checks=(_sf4_checks,),
        null_models=(NullModel(
            "tanh network", f"a {SF4_NULL_CASE['layers']} tanh network (φ′(z)z ≠ φ(z)) with "
            "the same samples and horizon: its balances drift",
            partial(_measure_sf4, cases=(SF4_NULL_CASE,), key="sf4-null")),)),
    exact(
        id="SF5", title="SynFlow: every layer sums to $R_\"SF\"$; no layer collapse",
        provenance="P",
        statement="R_(S F) = bb(1)^T (product_l |W_l|) bb(1), quad sum_(i j) |W_l|_(i j) "
                  "(partial R_(S F))/(partial |W_l|_(i j)) = R_(S F) - sum_(k >= l) sum_i "
                  "S(b_k)_i thick forall l",
        theory="theory.conservation.synflow_layer_sums ($R_\"SF\" - sum_(k >= l) sum S(b_k)$; "
               "$R_\"SF\"$ for a "
               "bias-free net); SymPy checks on 2×2 layers with and without biases, run by "
               "the claim",
        experiment=f"ReLU networks {SF5_LAYERS}, bias-free and with N(0, 0.5²) biases, "
                   "SynFlow scores as in the authors' code (|θ| for every parameter, input "
                   "1, R = Σ outputs); iterative SynFlow pruning (re-score after every "
                   f"removal) of the bias-free net with layer 2 scaled by {SF5_COLLAPSE_SCALE} "
                   "to one weight per layer; magnitude pruning of the same net as the control",
        comparison="layer weight-score sums vs $R_\"SF\" - sum_(k >= l) sum S(b_k)$, relative to "
                   "$R_\"SF\"$, "
                   "within K·u·A·P, shrinking with precision; the pruned network must keep "
                   "exactly one weight per layer with $R_\"SF\" > 0$, and magnitude pruning must "
                   "collapse a layer of it",
        parameters={"layers": SF5_LAYERS, "cases": SF5_CASES,
                    "collapse_scale": SF5_COLLAPSE_SCALE, "seed": SEED},
        measure=_measure_sf5, checks=(_sf5_sums, _symbolic(("SF5",)), _sf5_pruning)),
)
