"""Claims DL1–DL7: deep linear networks (Saxe, McClelland & Ganguli 2014; THEORY.md, DL).

Each ``_measure_dlk(bits)`` integrates the network's own gradient flow (numerics) and
compares it with the closed form of :mod:`theory.deep_linear`, looked up at call time
(``deep_linear.mode_strength``), so a replaced theory function is what gets checked.
DL1, DL2, DL4, DL5 and DL6 also certify themselves (``--certify``): see
:mod:`flowcert.claims.deep_linear_certificates`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import mpmath
import numpy as np

from flowcert.claims.base import PrecisionRun
from flowcert.claims.builders import (
    Finding,
    NullModel,
    exact_claim,
    qualitative_claim,
    symbolic_checks,
)
from flowcert.claims.comparison import Comparison
from flowcert.claims.rates import fit_rate
from flowcert.claims.setups import balanced_chain, decoupled_two_layer, gaussian_matrix
from flowcert.claims.tolerances import theory_precision, trajectory_tolerance
from flowcert.numerics.certificate import Certificate
from flowcert.numerics.deep_linear import DeepLinearNetwork, balancedness
from flowcert.numerics.flows import Crossing
from flowcert.numerics.integrate import evaluate_field, integrate
from flowcert.theory import deep_linear

SOURCE = "Saxe, McClelland & Ganguli (2014), Exact solutions to the nonlinear dynamics of " \
         "learning in deep linear neural networks; flowcert seed 003"
SCALAR_NETWORK = DeepLinearNetwork((1, 1, 1))

#: Error amplification A of the DL trajectory budgets (see claims.tolerances). The logistic
#: flow does not amplify relative state errors (|∂ln u(t)/∂ln u0| = 1 − u/s ≤ 1); a product
#: of two or three weights adds their relative errors, and an event time's error is the state
#: error divided by the relative speed, ≥ 0.1 at every crossing used here: A = 10 · 10.
TRAJECTORY_AMPLIFICATION = 100.0


def _mp(value) -> mpmath.mpf:
    """An exact decimal parameter as mpf at the current precision."""
    return mpmath.mpf(str(value))


def _grid(end, points: int) -> list:
    return [end * k / (points - 1) for k in range(points)]


def _product(state) -> object:
    return state[0] * state[1]


def _scalar_product(variables):
    return variables[0] * variables[1]


# ----------------------------------------------------------------------------- DL1

DL1_CASES = (
    {"s": "1", "u0": "0.01", "tau": "1"},
    {"s": "3", "u0": "0.001", "tau": "1"},
    {"s": "2", "u0": "0.5", "tau": "0.5"},
    {"s": "0.5", "u0": "0.45", "tau": "2"},
    {"s": "1", "u0": "1.5", "tau": "1"},
)


def dl1_horizon(s, u0, tau):
    """DL1's last time τ(|ln(s/u0)| + 8)/(2s): 4τ/s past the half time, u within e^-8 of s."""
    return tau * (abs(mpmath.log(s / u0)) + 8) / (2 * s)


def _dl1_case(case: dict, bits: int, comparison: Comparison) -> dict:
    s, u0, tau = (_mp(case[k]) for k in ("s", "u0", "tau"))
    horizon = dl1_horizon(s, u0, tau)
    uf = u0 + (s - u0) * mpmath.mpf(9) / 10
    events = [Crossing("DL1-transit", _scalar_product, uf)]
    if u0 < s / 2:
        events.append(Crossing("DL1-half", _scalar_product, s / 2))
    root = mpmath.sqrt(u0)
    trajectory = integrate(SCALAR_NETWORK.vector_field, [root, root], _grid(horizon, 41),
                           SCALAR_NETWORK.flow_parameters(np.array([[s]]), tau), bits=bits,
                           events=events)
    numeric = [_product([mpmath.mpf(x) for x in row]) for row in trajectory.states]
    predicted = [deep_linear.mode_strength(mpmath.mpf(t), s, u0, tau) for t in trajectory.times]
    comparison.extend(numeric, predicted)
    event_times = {"transit": (trajectory.events["DL1-transit"],
                               deep_linear.transit_time(u0, uf, s, tau))}
    if "DL1-half" in trajectory.events:
        event_times["half"] = (trajectory.events["DL1-half"], deep_linear.half_time(s, u0, tau))
    for found, expected in event_times.values():
        if len(found) != 1:
            raise AssertionError(f"expected one crossing, found {len(found)}")
        comparison.add(mpmath.mpf(found[0]), expected)
    return {"steps": trajectory.steps,
            "times": [float(t) for t in trajectory.times], "numeric": list(map(float, numeric)),
            "predicted": list(map(float, predicted)),
            "half_time": float(event_times["half"][0][0]) if "half" in event_times else None}


def _measure_dl1(bits: int, series: dict) -> PrecisionRun:
    comparison, steps = Comparison(bits), 0
    with theory_precision(bits):
        for index, case in enumerate(DL1_CASES):
            result = _dl1_case(case, bits, comparison)
            steps = max(steps, result["steps"])
            if bits == 53:
                series[f"case{index}"] = case | result
    return comparison.run(trajectory_tolerance(bits, steps, TRAJECTORY_AMPLIFICATION), steps)


# ----------------------------------------------------------------------------- DL2

DL2_CASES = (
    {"s": "1", "a0": "0.3", "b0": "0.05", "tau": "1"},
    {"s": "2", "a0": "0.1", "b0": "0.4", "tau": "1"},
    {"s": "1.5", "a0": "0.8", "b0": "0.3", "tau": "0.7"},
)
DL2_FRACTIONS = ("0.25", "0.5", "0.9")


def dl2_horizon(s, u0, tau):
    """DL2's last time τ(|ln(s/u0)| + 8)/s, past the crossing of u0 + 0.9(s − u0)."""
    return tau * (abs(mpmath.log(s / u0)) + 8) / s


def _measure_dl2(bits: int, series: dict) -> PrecisionRun:
    comparison, steps = Comparison(bits), 0
    with theory_precision(bits):
        for index, case in enumerate(DL2_CASES):
            s, a0, b0, tau = (_mp(case[k]) for k in ("s", "a0", "b0", "tau"))
            u0, c = a0 * b0, a0**2 - b0**2
            levels = [u0 + (s - u0) * _mp(f) for f in DL2_FRACTIONS]
            events = [Crossing(f"DL2-level{k}", _scalar_product, level)
                      for k, level in enumerate(levels)]
            horizon = dl2_horizon(s, u0, tau)
            trajectory = integrate(SCALAR_NETWORK.vector_field, [a0, b0], _grid(horizon, 3),
                                   SCALAR_NETWORK.flow_parameters(np.array([[s]]), tau),
                                   bits=bits, events=events)
            steps = max(steps, trajectory.steps)
            found = [mpmath.mpf(trajectory.events[e.name][0]) for e in events]
            expected = [deep_linear.unbalanced_time(u0, level, s, c, tau) for level in levels]
            comparison.extend(found, expected)
            if bits == 53:
                series[f"case{index}"] = case | {"levels": list(map(float, levels)),
                                                 "numeric": list(map(float, found)),
                                                 "predicted": list(map(float, expected))}
    return comparison.run(trajectory_tolerance(bits, steps, TRAJECTORY_AMPLIFICATION), steps)


# ----------------------------------------------------------------------------- DL3

DL3_SHAPE = {"n_in": 7, "n_hidden": 9, "n_out": 6}
DL3_SINGULAR_VALUES = ("3", "2", "1.5", "1", "0.7", "0.4")
DL3_INITIAL_STRENGTHS = ("0.001", "0.01", "0.05", "0.2", "0.5", "0.6")
#: Above 113 bits a 4→5→3 instance (35 weights, 3 modes, one starting above s, still
#: non-square) tests the same identity: the 117-weight MPFR integration took ~30 s at 256 bits.
DL3_SMALL = {"shape": {"n_in": 4, "n_hidden": 5, "n_out": 3}, "s": ("2", "1", "0.4"),
             "u0": ("0.01", "0.2", "0.6")}
DL3_SEED = 2014
DL3_HORIZON = 6


def _measure_dl3(bits: int, series: dict) -> PrecisionRun:
    """The 117-weight instance at ≤ 113 bits, the 35-weight one at every precision."""
    comparison, steps = Comparison(bits), 0
    instances = [DL3_SMALL] + ([{"shape": DL3_SHAPE, "s": DL3_SINGULAR_VALUES,
                                 "u0": DL3_INITIAL_STRENGTHS}] if bits <= 113 else [])
    with theory_precision(bits):
        for instance in instances:
            steps = max(steps, _dl3_instance(instance, bits, comparison, series))
    return comparison.run(trajectory_tolerance(bits, steps, TRAJECTORY_AMPLIFICATION), steps)


def _dl3_instance(instance: dict, bits: int, comparison: Comparison, series: dict) -> int:
    """Every entry of UᵀW₂W₁V against diag(u_α(t)), relative to max_α u_α(t); the steps."""
    shape = instance["shape"]
    network = DeepLinearNetwork((shape["n_in"], shape["n_hidden"], shape["n_out"]))
    s = [_mp(v) for v in instance["s"]]
    u0 = [_mp(v) for v in instance["u0"]]
    roots = [mpmath.sqrt(v) for v in u0]
    setup = decoupled_two_layer(s, roots, roots, seed=DL3_SEED, **shape)
    trajectory = integrate(network.vector_field, network.pack(setup["weights"]),
                           _grid(mpmath.mpf(DL3_HORIZON), 7),
                           network.flow_parameters(setup["target"]), bits=bits)
    modes = []
    for t, state in zip(trajectory.times, trajectory.states, strict=True):
        weights = network.unpack(np.array([mpmath.mpf(x) for x in state], dtype=object))
        rotated = setup["U"].T @ network.end_to_end(weights) @ setup["V"]
        predicted = [deep_linear.mode_strength(mpmath.mpf(t), s[a], u0[a])
                     for a in range(len(s))]
        scale = max(predicted)
        for (i, j), value in np.ndenumerate(rotated):
            comparison.add(value, predicted[i] if i == j else 0, scale)
        modes.append([float(rotated[a, a]) for a in range(len(s))])
    if bits == 53 and shape == DL3_SHAPE:
        series["modes"] = {"times": [float(t) for t in trajectory.times], "numeric": modes,
                           "s": list(map(float, s)), "u0": list(map(float, u0))}
    return trajectory.steps


# ----------------------------------------------------------------------------- DL4

DL4_CASES = (
    {"s": "1", "u0": "0.05", "depth": 3, "tau": "1"},
    {"s": "2", "u0": "0.1", "depth": 4, "tau": "1.5"},
    {"s": "1", "u0": "0.2", "depth": 6, "tau": "1"},
)
#: m = 2, the lower end of the statement's range (chain_time takes DL1's logistic branch
#: there); every rung, not in the certificate (its ₂F₁ form has 1/(1 − p) with p = 1).
DL4_TWO_FACTOR_CASES = ({"s": "1.5", "u0": "0.1", "depth": 2, "tau": "0.5"},)
#: Deep chains integrated at 53 bits only (a 64-factor product at 256 bits adds nothing new).
DL4_DEEP_CASES = ({"s": "1", "u0": "0.01", "depth": 16, "tau": "1"},
                  {"s": "1", "u0": "0.01", "depth": 64, "tau": "1"})
DL4_FRACTIONS = ("0.3", "0.6", "0.9")
DL4_RATE_DEPTHS = tuple(2**k for k in range(3, 14))
#: Two rate cases: at s ≠ 1 every power of s in the m → ∞ form matters (at s = 1 a wrong
#: power of s would go unnoticed).
DL4_RATE_CASES = ({"s": "1", "u0": "0.01", "uf": "0.5"}, {"s": "2.5", "u0": "0.02", "uf": "1.5"})


def dl4_horizon(s, u0, tau, depth: int):
    """DL4's last time 3τ(1/(s u0) + 10)/m, past the crossing of u0 + 0.9(s − u0)."""
    return tau * (1 / (s * u0) + 10) * 3 / depth


def _chain_product(variables):
    product = variables[0]
    for variable in variables[1:]:
        product = product * variable
    return product


def _measure_dl4(bits: int, series: dict) -> PrecisionRun:
    cases = DL4_TWO_FACTOR_CASES + DL4_CASES + (DL4_DEEP_CASES if bits == 53 else ())
    comparison, steps = Comparison(bits), 0
    with theory_precision(bits):
        for case in cases:
            s, u0, tau = (_mp(case[k]) for k in ("s", "u0", "tau"))
            depth = case["depth"]
            network = DeepLinearNetwork((1,) * (depth + 1))
            levels = [u0 + (s - u0) * _mp(f) for f in DL4_FRACTIONS]
            events = [Crossing(f"DL4-level{k}", _chain_product, level)
                      for k, level in enumerate(levels)]
            horizon = dl4_horizon(s, u0, tau, depth)
            start = mpmath.root(u0, depth)
            trajectory = integrate(network.vector_field, [start] * depth, _grid(horizon, 3),
                                   network.flow_parameters(np.array([[s]]), tau), bits=bits,
                                   events=events)
            steps = max(steps, trajectory.steps)
            found = [mpmath.mpf(trajectory.events[e.name][0]) for e in events]
            expected = [deep_linear.chain_time(u0, level, s, depth, tau) for level in levels]
            comparison.extend(found, expected)
            if bits == 53:
                series.setdefault("events", []).append(
                    {"depth": depth, "numeric": list(map(float, found)),
                     "predicted": list(map(float, expected))})
    return comparison.run(trajectory_tolerance(bits, steps, TRAJECTORY_AMPLIFICATION), steps)


def _dl4_rate_fit(case: dict):
    """Relative gap between the exact chain time and its m → ∞ form, fitted against m."""
    s, u0, uf = (float(case[k]) for k in ("s", "u0", "uf"))
    gaps = []
    for depth in DL4_RATE_DEPTHS:
        exact = deep_linear.chain_time(u0, uf, s, depth)
        gaps.append(abs(deep_linear.chain_time_asymptotic(u0, uf, s, depth) - exact) / exact)
    return fit_rate(f"relative gap of the m → ∞ chain time (s = {case['s']})", "m",
                    DL4_RATE_DEPTHS, gaps, predicted=-1.0, limit="infinity")


# ----------------------------------------------------------------------------- DL5

DL5_LAYERS = (5, 6, 8, 3)
DL5_NETWORK = DeepLinearNetwork(DL5_LAYERS)
#: Above 113 bits a 2→3→3→2 network (21 weights, three layers as above) tests the same
#: conservation: the 102-weight MPFR integration took ~30 s at 256 bits.
DL5_SMALL_NETWORK = DeepLinearNetwork((2, 3, 3, 2))
DL5_SEED = 5
DL5_HORIZON = 2
#: η = 2^-k over a horizon of 1, on the asymptotic tail: at η ≥ 2^-5 the local slopes of
#: log drift vs log η are still 1.88, 1.49, 1.18 (curvature beyond the fitted correction).
DL5_STEP_EXPONENTS = tuple(range(6, 16))


def _dl5_setup(network: DeepLinearNetwork = DL5_NETWORK) -> tuple[np.ndarray, np.ndarray]:
    weights = network.pack([gaussian_matrix(r, c, 0.5, DL5_SEED + j)
                            for j, (r, c) in enumerate(network.shapes)])
    target = gaussian_matrix(*network.target_shape, 1.0, DL5_SEED + 100)
    return weights, target


def _balance_entries(weights, network: DeepLinearNetwork = DL5_NETWORK) -> list:
    """The entries of every W_{j+1}ᵀW_{j+1} − W_jW_jᵀ (DL5's conserved quantities)."""
    return [x for matrix in balancedness(network.unpack(weights)) for x in matrix.ravel()]


def _balance_drift(weights_now, weights_start):
    return max(abs(a - b) for a, b in zip(_balance_entries(weights_now),
                                          _balance_entries(weights_start), strict=True))


def _measure_dl5(bits: int, series: dict) -> PrecisionRun:
    """Every entry of every W_{j+1}ᵀW_{j+1} − W_jW_jᵀ at each time against its value at
    t = 0 (conservation), relative to the largest entry of W_jW_jᵀ at t = 0: the 102-weight
    network at ≤ 113 bits, the 21-weight one at every precision."""
    comparison, steps = Comparison(bits), 0
    networks = [DL5_SMALL_NETWORK] + ([DL5_NETWORK] if bits <= 113 else [])
    with theory_precision(bits):
        for network in networks:
            weights, target = _dl5_setup(network)
            trajectory = integrate(network.vector_field, weights,
                                   _grid(mpmath.mpf(DL5_HORIZON), 9),
                                   network.flow_parameters(target), bits=bits)
            steps = max(steps, trajectory.steps)
            scale = max(abs(x) for matrix in network.unpack(weights)
                        for x in (matrix @ matrix.T).ravel())
            start = _balance_entries(weights, network)
            drifts = []
            for state in trajectory.states:
                now = _balance_entries(np.array([mpmath.mpf(x) for x in state], dtype=object),
                                       network)
                comparison.extend(now, start, [scale] * len(start))
                drifts.append(max(abs(a - b) for a, b in zip(now, start, strict=True)))
            series.setdefault("flow", {})[_dl5_label(network, bits)] = {
                "times": [float(t) for t in trajectory.times],
                "drift": [float(d) for d in drifts]}
    return comparison.run(trajectory_tolerance(bits, steps, TRAJECTORY_AMPLIFICATION), steps)


def _dl5_label(network: DeepLinearNetwork, bits: int) -> str:
    return f"{'→'.join(map(str, network.layer_sizes))}, {bits} bits"


def _dl5_descent_fit():
    """Drift of the DL5 quantities under gradient descent over a horizon of 1, vs η."""
    weights, target = _dl5_setup()
    start = np.array(weights, dtype=float)
    target = np.array(target, dtype=float)
    steps = [2.0**-k for k in DL5_STEP_EXPONENTS]
    drifts = []
    for step in steps:
        iterates = DL5_NETWORK.gradient_descent(start, target, step, round(1 / step))
        drifts.append(float(_balance_drift(iterates[-1], start)))
    return fit_rate("balancedness drift of gradient descent over t ∈ [0, 1]", "η", steps,
                    drifts, predicted=1.0, limit="zero")


# ----------------------------------------------------------------------------- DL6

DL6_WIDTH, DL6_DEPTH, DL6_SEED = 3, 3, 6
DL6_SINGULAR_VALUES = ("1.2", "0.8", "0.5")
DL6_NETWORK = DeepLinearNetwork((DL6_WIDTH,) * (DL6_DEPTH + 1))
#: DL6's identity holds for exactly balanced weights; the integrated weights are balanced up
#: to the trajectory error, which the fractional powers amplify by at most the condition
#: number of W_eW_eᵀ (below 10 along this run) per factor: A = TRAJECTORY × 10.
DL6_AMPLIFICATION = TRAJECTORY_AMPLIFICATION * 10


def _measure_dl6(bits: int, series: dict) -> PrecisionRun:
    comparison = Comparison(bits)
    with theory_precision(bits):
        weights = balanced_chain([_mp(v) for v in DL6_SINGULAR_VALUES], DL6_WIDTH, DL6_DEPTH,
                                 DL6_SEED)
        target = gaussian_matrix(DL6_WIDTH, DL6_WIDTH, 1.0, DL6_SEED + 100)
        params = DL6_NETWORK.flow_parameters(target)
        trajectory = integrate(DL6_NETWORK.vector_field, DL6_NETWORK.pack(weights),
                               _grid(mpmath.mpf(1), 5), params, bits=bits)
        norms = []
        for state in trajectory.states:
            state = np.array([mpmath.mpf(x) for x in state], dtype=object)
            velocity = DL6_NETWORK.unpack(evaluate_field(DL6_NETWORK.vector_field, state,
                                                         params, bits))
            matrices = DL6_NETWORK.unpack(state)
            observed = sum(DL6_NETWORK.end_to_end(matrices[:j] + [velocity[j]]
                                                  + matrices[j + 1:])
                           for j in range(DL6_DEPTH))
            product = DL6_NETWORK.end_to_end(matrices)
            predicted = deep_linear.end_to_end_velocity(product, product - target, DL6_DEPTH)
            scale = max(abs(x) for x in predicted.ravel())
            comparison.extend(observed.ravel(), predicted.ravel(), [scale] * predicted.size)
            norms.append(float(scale))
    if bits == 53:
        series["velocity_scale"] = {"times": [float(t) for t in trajectory.times],
                                    "max_entry": norms}
    return comparison.run(trajectory_tolerance(bits, trajectory.steps, DL6_AMPLIFICATION),
                          trajectory.steps)


# ----------------------------------------------------------------------------- DL7

DL7_SINGULAR_VALUES = (3.0, 2.0, 1.2, 0.6)
DL7_LAYERS = (4, 8, 4)
DL7_INIT_SCALE = 0.01
DL7_SEED = 7
DL7_NETWORK = DeepLinearNetwork(DL7_LAYERS)


def _mode_crossing(mode: int, u_vector, v_vector):
    """Event on the mode strength u_αᵀ W2 W1 v_α of DL7's network."""
    def strength(variables):
        w1, w2 = DL7_NETWORK.unpack(np.array(variables, dtype=object))
        n_hidden = w1.shape[0]
        left = [sum(float(u_vector[i]) * w2[i, h] for i in range(len(u_vector)))
                for h in range(n_hidden)]
        right = [sum(w1[h, j] * float(v_vector[j]) for j in range(len(v_vector)))
                 for h in range(n_hidden)]
        return sum(a * b for a, b in zip(left, right, strict=True))
    return strength


def _observe_dl7(target_order: tuple[int, ...] = (0, 1, 2, 3)) -> dict:
    """Train DL7's network; mode a of the target has singular value s[target_order[a]] while
    the check reads it as s[a] (the identity order is the real experiment)."""
    rng = np.random.default_rng(DL7_SEED)
    n_out, n_in = DL7_NETWORK.target_shape
    u_basis, _ = np.linalg.qr(rng.standard_normal((n_out, n_out)))
    v_basis, _ = np.linalg.qr(rng.standard_normal((n_in, n_in)))
    trained = [DL7_SINGULAR_VALUES[k] for k in target_order]
    target = u_basis @ np.diag(trained) @ v_basis.T
    weights = DL7_INIT_SCALE * rng.standard_normal(DL7_NETWORK.n_weights)
    events = [Crossing(f"DL7-seed{DL7_SEED}-mode{a}",
                       _mode_crossing(a, u_basis[:, a], v_basis[:, a]), s / 2)
              for a, s in enumerate(trained)]
    horizon = 2 * np.log(1 / DL7_INIT_SCALE**2) / min(DL7_SINGULAR_VALUES)
    times = np.linspace(0, horizon, 801)
    trajectory = integrate(DL7_NETWORK.vector_field, weights, times,
                           DL7_NETWORK.flow_parameters(target), events=events)
    strengths = np.array([np.diag(u_basis.T @ DL7_NETWORK.end_to_end(DL7_NETWORK.unpack(w))
                                  @ v_basis) for w in trajectory.states])
    return {"times": trajectory.times, "strengths": strengths, "trained": trained,
            "crossings": [trajectory.events[e.name] for e in events]}


def _check_dl7(observed: dict) -> Finding:
    """Crossings of s_a/2 ordered by the singular values s_a the check is told, one
    inflection per mode, and log t½ against log s of slope ≈ −1."""
    crossings = observed["crossings"]
    if any(len(c) != 1 for c in crossings):
        counts = [len(c) for c in crossings]
        return Finding(False, [f"each mode must cross s/2 exactly once; crossing counts "
                               f"{counts}"])
    learning_times = [c[0] for c in crossings]
    ordered = all(a < b for a, b in zip(learning_times, learning_times[1:], strict=False))
    evidence = [f"half-way times {np.round(learning_times, 4).tolist()} for s = "
                f"{list(DL7_SINGULAR_VALUES)}: {'increasing' if ordered else 'NOT ordered'}"]
    passed = ordered
    for a, s in enumerate(observed["trained"]):
        inflections = _sigmoid_inflections(observed["strengths"][:, a], s)
        passed &= inflections == 1
        evidence.append(f"mode {a}: {inflections} inflection(s) of u(t) between 5% and 95% "
                        f"of s (sigmoid: exactly 1)")
    slope = np.polyfit(np.log(DL7_SINGULAR_VALUES), np.log(learning_times), 1)[0]
    # t_α ≈ ln(s_α/u0)/(2 s_α): the log factor bends the slope of log t vs log s from −1 by
    # at most 1/ln(s_min/u0) with u0 ≈ init_scale² × hidden width.
    bend = 1 / np.log(min(DL7_SINGULAR_VALUES) / (DL7_INIT_SCALE**2 * DL7_LAYERS[1]))
    scaling = -1 - 0.5 * bend <= slope <= -1 + 2 * bend
    passed &= scaling
    evidence.append(f"slope of log t½ vs log s: {slope:.4f}, accepted [{-1 - 0.5 * bend:.3f}, "
                    f"{-1 + 2 * bend:.3f}] (1/s law up to the ln(s/u0) factor)")
    series = {"modes": {"times": list(map(float, observed["times"])),
                        "strengths": observed["strengths"].T.tolist(),
                        "s": list(DL7_SINGULAR_VALUES),
                        "half_times": list(map(float, learning_times))}}
    return Finding(bool(passed), evidence, series)


def _sigmoid_inflections(strength: np.ndarray, s: float) -> int:
    """Sign changes of the second difference of u where 0.05 s < u < 0.95 s."""
    inside = (strength > 0.05 * s) & (strength < 0.95 * s)
    if not np.any(np.diff(strength[inside]) > 0):
        return 0
    curvature = np.diff(strength, 2)[inside[1:-1]]
    signs = np.sign(curvature[np.abs(curvature) > 0])
    return int(np.sum(signs[1:] != signs[:-1]))


# ----------------------------------------------------------------------------- claims


def _domain_dl1():
    from hypothesis import strategies as st
    return st.fixed_dictionaries({"s": st.floats(0.2, 5.0), "ratio": st.floats(1e-3, 0.45),
                                  "tau": st.floats(0.25, 4.0)})


def _domain_chain():
    from hypothesis import strategies as st
    return st.fixed_dictionaries({"s": st.floats(0.5, 3.0), "ratio": st.floats(0.02, 0.4),
                                  "depth": st.integers(3, 8)})


def _domain_network():
    from hypothesis import strategies as st
    return st.fixed_dictionaries({
        "layers": st.lists(st.integers(1, 4), min_size=3, max_size=5),
        "seed": st.integers(0, 2**32 - 1), "scale": st.floats(0.1, 1.0)})


_TRAJECTORY_BUDGET = (
    "relative error ≤ n·ε·A with n the steps taken, ε the engine's local tolerance (DOP853 "
    "rtol 2.5e-14 at 53 bits, unit roundoff $2^(1-\"bits\")$ above) and A = 100 (weight products "
    "and event times; the flow does not amplify relative errors); must also shrink with "
    "precision")

def _certifier(claim_id: str) -> Callable[[int], Certificate]:
    """DLk's ``certify(bits)`` from :mod:`flowcert.claims.deep_linear_certificates`, imported
    when it first runs (that module imports this one's cases and horizons)."""
    def certify(bits: int) -> Certificate:
        from flowcert.claims.deep_linear_certificates import CERTIFIERS
        return CERTIFIERS[claim_id](bits)
    return certify


exact = partial(exact_claim, source=SOURCE)


def _identities(name: str):
    """The claim's symbolic identities (``theory.deep_linear.<name>()``, cached by the
    theory's source hash) as a check: a changed derivation fails the claim."""
    return lambda _series: symbolic_checks(getattr(deep_linear, name)())

CLAIMS = (
    exact(
        id="DL1", title="Balanced modes learn along a sigmoid",
        provenance="P",
        statement="tau dot(u) = 2u(s-u), quad u(t) = s / (1 + (s/u_0 - 1) e^(-2 s t / tau)), "
                  "quad t_(1/2) = tau/(2s) ln((s-u_0)/u_0)",
        theory="theory.deep_linear.mode_strength, half_time and transit_time; dsolve of the "
               "mode ODE with symbolic self-checks",
        experiment="the 1-1-1 network (loss ½(s − w₂w₁)², autodiff gradient) from w₁ = w₂ = "
                   "√u0, for 5 (s, u0, τ) cases including u0 > s; u = w₂w₁ on a 41-point "
                   "grid; the crossings u = s/2 and u = u0 + 0.9(s − u0) by event detection. "
                   "Certificate: the same cases, grid and crossings in Arb balls (validated "
                   "Taylor enclosure of the network's flow from the ball √u0) against "
                   "MODE_STRENGTH, HALF_TIME and TRANSIT_TIME evaluated in balls",
        comparison="max over grid and events of |numeric − closed form|/|closed form|; "
                   + _TRAJECTORY_BUDGET,
        parameters={"cases": DL1_CASES}, measure=_measure_dl1,
        checks=(_identities("dl1_identities"),), certify=_certifier("DL1"),
        domain=_domain_dl1),
    exact(
        id="DL2", title="Unbalanced modes: $tau dot(u) = sqrt(c^2 + 4u^2)(s - u)$",
        provenance="D",
        statement="tau dot(u) = sqrt(c^2 + 4u^2)(s-u), quad c = a_0^2 - b_0^2, quad "
                  "t(u_0 -> u_f) = tau [G(u_f) - G(u_0)], quad G(u) = frac(1, sqrt(c^2+4s^2)) "
                  "ln frac(c^2 + 4 s u + sqrt(c^2+4s^2) sqrt(c^2+4u^2), s-u)",
        theory="theory.deep_linear.unbalanced_time (antiderivative checked by differentiation)",
        experiment="the 1-1-1 network from (w₁, w₂) = (a0, b0), 3 unbalanced cases; times at "
                   "which u = w₂w₁ crosses u0 + (s − u0)·{0.25, 0.5, 0.9} by event detection. "
                   "Certificate: the same crossing times enclosed in Arb balls (interval "
                   "Newton on the validated enclosure) against τ(G(uf) − G(u0)) in balls",
        comparison="max relative error of the crossing times; " + _TRAJECTORY_BUDGET,
        parameters={"cases": DL2_CASES, "fractions": DL2_FRACTIONS},
        measure=_measure_dl2, checks=(_identities("dl2_identities"),),
        certify=_certifier("DL2"), domain=_domain_dl1),
    exact(
        id="DL3", title="The full matrix flow stays decoupled",
        provenance="P",
        statement="U^T W_2(t) W_1(t) V = op(\"diag\")(u_alpha (t)), quad "
                  "W_1(0) = R op(\"diag\")(a_0) V^T, quad W_2(0) = U op(\"diag\")(b_0) R^T",
        theory="theory.deep_linear.mode_strength for each mode",
        experiment="a 7→9→6 network (117 weights, non-square), Σyx = U S Vᵀ with 6 modes, "
                   "Haar-random U, V, R built at working precision (seed 2014), balanced "
                   "a0 = b0 = √u0 (one mode starts above s); 7 output times on [0, 6]; at 53 "
                   "and 113 bits only — every rung also runs a 4→5→3 network (35 weights, 3 "
                   "modes, one above s)",
        comparison="max over times and entries of $|U^T W_2 W_1 V - op(\"diag\")(u(t))| \\/ "
                   "max_alpha u_alpha (t)$; "
                   + _TRAJECTORY_BUDGET,
        parameters={**DL3_SHAPE, "s": DL3_SINGULAR_VALUES, "u0": DL3_INITIAL_STRENGTHS,
                    "seed": DL3_SEED, "every rung": DL3_SMALL},
        measure=_measure_dl3, domain=_domain_network),
    exact(
        id="DL4", title="Depth-$m$ chains: exact learning time and its $m -> infinity$ form",
        provenance="P+D",
        statement="tau dot(u) = m u^(2-2/m)(s-u), quad t = tau/m [F(u_f) - F(u_0)], quad "
                  "F(u) = frac(u^(1-p), (1-p) s) thin attach(F, bl: 2, br: 1) "
                  "lr((1, 1-p \";\" 2-p \";\" u/s)), quad p = 2 - 2/m",
        theory="theory.deep_linear.chain_time (hyperexpanded derivative checked for m = 3, 4, "
               "6) and chain_time_asymptotic",
        experiment="balanced scalar chains of m = 2, 3, 4, 6 weights (and 16, 64 at 53 bits); "
                   "times at which the product crosses u0 + (s − u0)·{0.3, 0.6, 0.9}; the "
                   "asymptotic form's relative gap for m = 8 … 8192. Certificate: the crossing "
                   "times of the m = 3, 4, 6 chains enclosed in Arb balls against "
                   "(τ/m)(F(uf) − F(u0)) in balls (₂F₁ by Arb's hypgeom_2f1)",
        comparison="crossing times: " + _TRAJECTORY_BUDGET + "; asymptotic gap: fitted slope "
                   "in m (with a 1/m correction term), 99% interval must contain −1",
        parameters={"cases": DL4_TWO_FACTOR_CASES + DL4_CASES, "deep_cases": DL4_DEEP_CASES,
                    "rate_depths": DL4_RATE_DEPTHS, "rate_cases": DL4_RATE_CASES},
        measure=_measure_dl4, checks=(_identities("dl4_identities"),),
        certify=_certifier("DL4"),
        fits=tuple(partial(_dl4_rate_fit, case) for case in DL4_RATE_CASES),
        domain=_domain_chain),
    exact(
        id="DL5", title="Gradient flow conserves balancedness; descent drifts $O(eta)$",
        provenance="P",
        statement="d/(d t) (W_(j+1)^T W_(j+1) - W_j W_j^T) = 0, quad "
                  "\"gradient descent:\" thick Delta(W_(j+1)^T W_(j+1) - W_j W_j^T) = O(eta)",
        theory="the identity itself (zero drift); rate 1 in η for descent",
        experiment="a 5→6→8→3 network (102 weights; at 53 and 113 bits — every rung also "
                   "runs a 2→3→3→2 network, 21 weights) from Gaussian init (σ = 0.5, seed 5), "
                   "random target; drift of every $W_(j+1)^T W_(j+1) - W_j W_j^T$ over $t in [0, "
                   "2]$; "
                   "gradient descent with $eta = 2^(-6) … 2^(-15)$ over t ∈ [0, 1]. Certificate: a "
                   "1→2→2→1 network (8 weights) from a random 4-decimal init, every entry of "
                   "both conserved 2×2 matrices on its Arb enclosure at t = 1/4 … 2 against "
                   "its exact value at t = 0",
        comparison="max drift / max entry of $W_j W_j^T$ at $t = 0$; " + _TRAJECTORY_BUDGET
                   + "; descent drift: fitted slope in η (with an η correction term), 99% "
                   "interval must contain 1",
        parameters={"layers": DL5_LAYERS, "seed": DL5_SEED, "horizon": DL5_HORIZON},
        measure=_measure_dl5, checks=(_identities("dl5_identities"),),
        certify=_certifier("DL5"), fits=(_dl5_descent_fit,),
        domain=_domain_network),
    exact(
        id="DL6", title="End-to-end dynamics of balanced deep linear networks",
        provenance="P",
        statement="(d W_e)/(d t) = -sum_(j=1)^N (W_e W_e^T)^((j-1)/N) nabla ell(W_e) "
                  "(W_e^T W_e)^((N-j)/N)",
        theory="theory.deep_linear.end_to_end_velocity (fractional powers by mpmath eigsy); "
               "scalar case checked symbolically against DL4",
        experiment="a 3-layer 3×3 network from a balanced init $W_j = O_j Sigma O_(j-1)^T$ (seed "
                   "6), "
                   "random target; $dif W_e \\/ dif t$ from the product rule and the network's own "
                   "gradient at 5 times on [0, 1]. Certificate: a 3-layer 2×2 network from an "
                   "exactly balanced rational init (Pythagorean rotations), both sides of the "
                   "identity in Arb balls at its enclosed states at the same 5 times (the "
                   "fractional powers of 2×2 Gram matrices by spectral interpolation)",
        comparison="max |observed − predicted| / max |predicted|; budget as DL1 with A = 1000 "
                   "(fractional powers amplify the imbalance by ≤ $op(\"cond\")(W_e W_e^T) <= 10$)",
        parameters={"width": DL6_WIDTH, "depth": DL6_DEPTH, "sigma": DL6_SINGULAR_VALUES,
                    "seed": DL6_SEED},
        measure=_measure_dl6, checks=(_identities("dl6_identities"),),
        certify=_certifier("DL6"), domain=_domain_network),
    qualitative_claim(
        id="DL7", title="From small random init, modes are learned in order of $s$",
        provenance="P", source=SOURCE,
        statement="t_alpha prop 1/s_alpha, quad s_1 > s_2 > ... arrow.r.double "
                  "t_1 < t_2 < ...",
        theory="ordering and 1/s scaling (up to the ln(s/u0) factor of DL1's t½)",
        experiment="a 4→8→4 network from i.i.d. N(0, 0.01²) weights (seed 7), target with "
                   "s = (3, 2, 1.2, 0.6); mode strengths $u_alpha^T W_2 W_1 v_alpha$; their s/2 "
                   "crossings by "
                   "event detection",
        comparison="crossing times strictly increasing; exactly one inflection per mode curve; "
                   "slope of log t½ vs log s within [−1 − b/2, −1 + 2b], $b = 1\\/ln(s_min \\/ "
                   "u_0)$",
        parameters={"layers": DL7_LAYERS, "s": DL7_SINGULAR_VALUES,
                    "init_scale": DL7_INIT_SCALE, "seed": DL7_SEED},
        observe=_observe_dl7, check=_check_dl7,
        null_models=(NullModel(
            "singular values reversed", "the target's modes carry s in reverse order (0.6, "
            "1.2, 2, 3) while the check reads them as (3, 2, 1.2, 0.6): s no longer decides "
            "the order the check expects", partial(_observe_dl7, (3, 2, 1, 0))),),
        domain=_domain_network),
)
