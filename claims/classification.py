"""Claims CL1–CL8: learning dynamics of classification (Tachet des Combes et al. 2018;
THEORY.md, CL).

The numerics side is :class:`numerics.relu_modes.ReluModeNetwork`: real ReLU units (one path
per input mode) trained on a mean cross-entropy or hinge loss, gradients by automatic
differentiation; the hinge's kink at u = 1 is handled by event detection and a change of
branch. Theory functions are looked up at call time (``classification.inflection_margin``).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from functools import cache

import heyoka as hy
import mpmath
import numpy as np

from flowcert.claims.base import Claim, ClaimClass, Outcome, PrecisionRun
from flowcert.claims.ladder import run_ladder
from flowcert.claims.tolerances import theory_precision, trajectory_tolerance
from flowcert.numerics.flows import Crossing
from flowcert.numerics.integrate import evaluate_field, integrate
from flowcert.numerics.relu_modes import ReluModeNetwork, integrate_hinge, lie_derivative
from flowcert.theory import classification

SOURCE = "Tachet des Combes et al. (2018), On the Learning Dynamics of Deep Neural Networks; " \
         "flowcert seed 003"
LOSSES = ("cross_entropy", "hinge")

#: Error amplification A of the CL trajectory budgets (claims.tolerances): along a balanced
#: unit ∂ln u(t)/∂ln u0 = g(u(t))/g(u0) ≤ 2 (CE; 1 for the hinge), unbalanced units move on
#: the hyperbola a² − b² = c, where (a, b) and its perturbations grow at the same rate gr;
#: an event time converts a relative state error by u/(t·u̇) ≤ 10 at every level used here,
#: and a margin is a product of two (or L) weights: A = 10 · 10.
AMPLIFICATION = 100.0

SINGLE = ReluModeNetwork(1, ((0,),), (1,))
SINGLE_NEGATIVE = ReluModeNetwork(1, ((0,),), (-1,))


def _mp(value) -> mpmath.mpf:
    return mpmath.mpf(str(value))


def _numbers(values, bits: int) -> list:
    """Decimal strings/numbers as floats (53 bits) or mpf at the working precision."""
    return [float(_mp(v)) if bits == 53 else _mp(v) for v in values]


def _relative(errors: Sequence, scales: Sequence) -> tuple[float, float]:
    absolute = max((abs(mpmath.mpf(e)) for e in errors), default=mpmath.mpf(0))
    relative = max((abs(mpmath.mpf(e)) / abs(mpmath.mpf(s))
                    for e, s in zip(errors, scales, strict=True)), default=mpmath.mpf(0))
    return float(absolute), float(relative)


def _margin_event(network: ReluModeNetwork, name: str, level, point: int = 0) -> Crossing:
    expression = network.margin_expression(point)
    return Crossing(name, lambda _v: expression, level)


def _weight_event(network: ReluModeNetwork, name: str, index: int) -> Crossing:
    return Crossing(name, lambda variables: variables[index], 0)


def _balanced(margin0, r_value, label: int = 1) -> list:
    """(a0, b0) = (y√(u0/r), √(u0/r)) so that u0 = y·a0·b0·r and c = 0."""
    root = mpmath.sqrt(mpmath.mpf(margin0) / mpmath.mpf(r_value))
    root = float(root) if isinstance(margin0, float) else root
    return [label * root, root]


def _single_run(network, loss: str, state, radius, times, bits, events=()):
    """Integrate one unit: cross-entropy directly, the hinge branch by branch."""
    params = network.flow_parameters([radius], [1])
    if loss == "cross_entropy":
        return integrate(network.vector_field(loss), state, times, params, bits=bits,
                         events=events)
    return integrate_hinge(network, state, times, params, bits=bits, events=events)


def _one(found: dict, name: str) -> object:
    times = found[name]
    if len(times) != 1:
        raise AssertionError(f"expected exactly one event {name}, found {len(times)}")
    return times[0]


# ----------------------------------------------------------------------------- CL1

CL1_CASES = (
    {"r": "1.3", "a0": "0.9", "b0": "0.2", "loss": "cross_entropy"},
    {"r": "0.7", "a0": "0.1", "b0": "0.6", "loss": "cross_entropy"},
    {"r": "2", "a0": "-0.3", "b0": "0.5", "loss": "cross_entropy"},
    {"r": "1.3", "a0": "0.5", "b0": "0.2", "loss": "hinge"},
    {"r": "0.9", "a0": "-0.2", "b0": "0.7", "loss": "hinge"},
)
CL1_HORIZON, CL1_POINTS = 6, 13


def _measure_cl1(bits: int, series: dict) -> PrecisionRun:
    errors, scales, steps = [], [], 0
    with theory_precision(bits):
        for index, case in enumerate(CL1_CASES):
            r, a0, b0 = _numbers((case["r"], case["a0"], case["b0"]), bits)
            loss = case["loss"]
            times = [_numbers([CL1_HORIZON], bits)[0] * k / (CL1_POINTS - 1)
                     for k in range(CL1_POINTS)]
            run = _single_run(SINGLE, loss, [a0, b0], r, times, bits)
            steps = max(steps, run.steps)
            c0 = mpmath.mpf(a0) ** 2 - mpmath.mpf(b0) ** 2
            stop = run.switches[0][0] if loss == "hinge" and run.switches else None
            drift, margins = [], []
            for t, state in zip(run.times, run.states, strict=True):
                a, b = (mpmath.mpf(v) for v in state)
                drift.append(float(a * a - b * b - c0))
                errors.append(a * a - b * b - c0)
                scales.append(a * a + b * b)
                margin = SINGLE.margins(list(state), [r])[0]
                margins.append(float(margin))
                if stop is not None and t >= stop:
                    continue
                observed = _margin_rate(SINGLE, loss, state, r, bits)
                predicted = classification.margin_velocity(mpmath.mpf(margin), c0,
                                                           mpmath.mpf(r), loss)
                errors.append(observed - predicted)
                scales.append(abs(predicted))
            if bits == 53:
                series[f"case{index}"] = case | {"times": [float(t) for t in run.times],
                                                 "c_drift": drift, "u": margins}
    absolute, relative = _relative(errors, scales)
    return PrecisionRun(bits, absolute, relative,
                        trajectory_tolerance(bits, steps, AMPLIFICATION), steps)


def _margin_rate(network, loss: str, state, r, bits: int, active=frozenset({0})):
    """u̇ = r(ȧ b + a ḃ) from the network's own θ̇ (autodiff field)."""
    field = network.vector_field(loss, None if loss == "cross_entropy" else active)
    weights = [1] * network.n_points
    velocity = evaluate_field(field, list(state), network.flow_parameters([r], weights), bits)
    a, b = (mpmath.mpf(v) for v in state[:2])
    return mpmath.mpf(r) * (mpmath.mpf(velocity[0]) * b + a * mpmath.mpf(velocity[1]))


# ----------------------------------------------------------------------------- CL2

CL2_CASES = (
    {"r": "1", "u0": "0.01", "label": 1},
    {"r": "2.5", "u0": "0.2", "label": 1},
    {"r": "0.4", "u0": "0.001", "label": -1},
)
CL2_LEVELS = ("0.5", "1", "3", "6")


def _measure_cl2(bits: int, series: dict) -> PrecisionRun:
    errors, scales, steps = [], [], 0
    with theory_precision(bits):
        for index, case in enumerate(CL2_CASES):
            r, u0 = _numbers((case["r"], case["u0"]), bits)
            network = SINGLE if case["label"] == 1 else SINGLE_NEGATIVE
            levels = [v for v in _numbers(CL2_LEVELS, bits) if v > u0]
            events = [_margin_event(network, f"CL2-level{k}", level)
                      for k, level in enumerate(levels)]
            horizon = classification_horizon(u0, r, max(levels))
            run = _single_run(network, "cross_entropy", _balanced(u0, r, case["label"]), r,
                              [0, horizon], bits, events)
            steps = max(steps, run.steps)
            found = [_one(run.events, e.name) for e in events]
            expected = [classification.cross_entropy_time(level, u0, r) for level in levels]
            errors += [mpmath.mpf(a) - b for a, b in zip(found, expected, strict=True)]
            scales += expected
            if bits == 53:
                series[f"case{index}"] = case | {"levels": [float(v) for v in levels],
                                                 "numeric": [float(t) for t in found],
                                                 "predicted": [float(t) for t in expected]}
    absolute, relative = _relative(errors, scales)
    return PrecisionRun(bits, absolute, relative,
                        trajectory_tolerance(bits, steps, AMPLIFICATION), steps)


def classification_horizon(margin0, r_value, level, fraction=1):
    """A horizon by which a balanced cross-entropy unit surely passed ``level`` (> u0 > 0):
    u̇ = 2pru σ(−u) ≥ 2pr u σ(−level) below the level, so t ≤ ln(level/u0)(1 + e^level)/(2pr);
    doubled. Independent of the closed forms under test."""
    bound = mpmath.log(mpmath.mpf(level) / mpmath.mpf(margin0)) * (1 + mpmath.exp(level)) \
        / (2 * mpmath.mpf(fraction) * mpmath.mpf(r_value))
    return 2 * (float(bound) if isinstance(margin0, float) else bound)


# ----------------------------------------------------------------------------- CL3

CL3_CASES = (
    {"r": "1", "a0": "0.1", "b0": "0.1"},
    {"r": "1.5", "a0": "0.5", "b0": "0.1"},
    {"r": "0.8", "a0": "0.2", "b0": "0.6"},
    {"r": "2", "a0": "-0.2", "b0": "0.5"},
)
CL3_POINTS = 9
CL3_RATIO_U0 = ("1e-2", "1e-4", "1e-8", "1e-16", "1e-32")


def _measure_cl3(bits: int, series: dict) -> PrecisionRun:
    errors, scales, steps = [], [], 0
    with theory_precision(bits):
        for index, case in enumerate(CL3_CASES):
            r, a0, b0 = _numbers((case["r"], case["a0"], case["b0"]), bits)
            u0, c = a0 * b0 * r, a0 * a0 - b0 * b0
            stop = classification_stop_bound(u0, c, r)
            times = [stop * k / (CL3_POINTS - 1) for k in range(CL3_POINTS)]
            run = _single_run(SINGLE, "hinge", [a0, b0], r, times, bits)
            steps = max(steps, run.steps)
            if len(run.switches) != 1:
                raise AssertionError(f"expected one hinge stop, found {run.switches}")
            found = run.switches[0][0]
            expected = classification.hinge_stop_time(u0, c, r)
            errors.append(mpmath.mpf(found) - expected)
            scales.append(expected)
            margins = [SINGLE.margins(list(state), [r])[0] for state in run.states]
            for t, margin in zip(run.times, margins, strict=True):
                predicted = classification.hinge_margin(t, u0, c, r) if t < found else 1
                errors.append(mpmath.mpf(margin) - predicted)
                scales.append(1)
            if bits == 53:
                series[f"case{index}"] = case | {"times": [float(t) for t in run.times],
                                                 "u": [float(m) for m in margins],
                                                 "stop": float(found)}
    absolute, relative = _relative(errors, scales)
    return PrecisionRun(bits, absolute, relative,
                        trajectory_tolerance(bits, steps, AMPLIFICATION), steps)


def classification_stop_bound(margin0, c_value, r_value):
    """1.5 × an upper bound of the hinge stop time (independent of the closed form):
    u̇ = r√(r²c² + 4u²) ≥ max(r²|c|, 2r|u|), so u ≤ 0 reaches 0 within |u0|/(r²|c|), then
    r|c|/2 within 1/(2r), then 1 within ln(1/start)/(2r), start = max(u0, r|c|/2)."""
    u0, c, r = (mpmath.mpf(v) for v in (margin0, c_value, r_value))
    floor = r * abs(c) / 2
    start = max(u0, floor)
    if not start > 0:
        raise ValueError("a balanced unit (c = 0) needs u0 > 0")
    bound = (max(-u0, 0) / (r * r * abs(c)) if u0 < 0 else 0) \
        + (1 / (2 * r) if u0 < floor else 0) + max(-mpmath.log(start), 0) / (2 * r)
    return float(1.5 * bound) if isinstance(margin0, float) else 1.5 * bound


def _cl3_ratio(series: dict) -> tuple[bool, list[str]]:
    """Cross-entropy to u = 1 vs the hinge stop (c = 0): the network's ratio at u0 = 0.01
    and the exact ratio 2 + (Ei(1) − γ − Σ…)/ln(1/u0) → 2 as u0 → 0."""
    r = 1.0
    u0 = 0.01
    run = _single_run(SINGLE, "cross_entropy", _balanced(u0, r), r,
                      [0, classification_horizon(u0, r, 1)], 53,
                      [_margin_event(SINGLE, "CL3-ce-one", 1.0)])
    hinge = _single_run(SINGLE, "hinge", _balanced(u0, r), r, [0, 10.0], 53)
    ratio = _one(run.events, "CL3-ce-one") / hinge.switches[0][0]
    exact = [classification.cross_entropy_time(_mp(1), _mp(v), _mp(r))
             / classification.hinge_stop_time(_mp(v), 0, _mp(r)) for v in CL3_RATIO_U0]
    decreasing = all(b < a for a, b in zip(exact, exact[1:], strict=False)) and exact[-1] > 2
    series["ratio"] = {"u0": [float(v) for v in CL3_RATIO_U0], "exact": [float(v) for v in exact],
                       "network_u0_0.01": float(ratio)}
    return decreasing, [f"cross-entropy/hinge time to u = 1 (c = 0): network {ratio:.4f} at "
                        f"u0 = 0.01; exact {', '.join(f'{float(v):.4f}' for v in exact)} for "
                        f"u0 = 1e-2 … 1e-32, decreasing towards 2 "
                        f"({'yes' if decreasing else 'NO'})"]


# ----------------------------------------------------------------------------- CL4

#: Three cases: each 256-bit run with the two acceleration events costs ~3 s (MPFR root
#: isolation on order-90 Taylor polynomials); the hypothesis test covers (r, u0) at 53 bits.
CL4_CASES = (
    {"r": "1", "u0": "0.01"},
    {"r": "3", "u0": "0.00001"},
    {"r": "0.5", "u0": "0.3"},
)


@cache
def _acceleration_events() -> tuple[Crossing, Crossing]:
    """ë = 0 for e = σ(−u) and ℓ̈ = 0 for ℓ = log(1 + e^{−u}), along the CE field (autodiff)."""
    field = SINGLE.vector_field("cross_entropy")
    margin = SINGLE.margin_expression(0)
    error = 1.0 / (1.0 + hy.exp(margin))
    loss = hy.log1p(hy.exp(-margin))
    error_acceleration = lie_derivative(lie_derivative(error, field), field)
    loss_acceleration = lie_derivative(lie_derivative(loss, field), field)
    return (Crossing("CL4-error-inflection", lambda _v: error_acceleration, 0),
            Crossing("CL4-loss-inflection", lambda _v: loss_acceleration, 0))


def inflection_events(r_value, margin0, bits: int = 53) -> dict:
    """Integrate the CE unit from a balanced start; return the inflection times of e(t) and
    ℓ(t) (event detection; each must occur exactly once), the margins there (the state is
    re-integrated up to each event time) and the steps taken."""
    events = _acceleration_events()
    state0 = _balanced(margin0, r_value)
    horizon = classification_horizon(margin0, r_value, 1)  # both inflections lie below u = 1
    run = _single_run(SINGLE, "cross_entropy", state0, r_value, [0, horizon], bits, events)
    out = {"steps": run.steps}
    for key, event in zip(("error", "loss"), events, strict=True):
        when = _one(run.events, event.name)
        at = _single_run(SINGLE, "cross_entropy", state0, r_value, [0, when], bits)
        out[key] = (when, SINGLE.margins(list(at.states[-1]), [r_value])[0])
        out["steps"] = max(out["steps"], at.steps)
    return out


def _measure_cl4(bits: int, series: dict) -> PrecisionRun:
    errors, scales, steps = [], [], 0
    with theory_precision(bits):
        targets = {"error": classification.inflection_margin(),
                   "loss": classification.loss_inflection_margin()}
        for case in CL4_CASES:
            r, u0 = _numbers((case["r"], case["u0"]), bits)
            found = inflection_events(r, u0, bits)
            steps = max(steps, found["steps"])
            for key, target in targets.items():
                when, margin = found[key]
                expected = classification.cross_entropy_time(target, u0, r)
                errors += [mpmath.mpf(when) - expected, mpmath.mpf(margin) - target]
                scales += [expected, target]
            if bits == 53:
                series.setdefault("inflections", []).append(
                    case | {"error": list(map(float, found["error"])),
                            "loss": list(map(float, found["loss"]))})
    absolute, relative = _relative(errors, scales)
    return PrecisionRun(bits, absolute, relative,
                        trajectory_tolerance(bits, steps, AMPLIFICATION), steps)


def _cl4_curves(series: dict) -> tuple[bool, list[str]]:
    """Error curves e(t) = σ(−u(t)) of the CE and hinge networks (r = 1, u0 = 0.01)."""
    r, u0 = 1.0, 0.01
    horizon = 8.0
    times = [horizon * k / 160 for k in range(161)]
    curves = {}
    for loss in LOSSES:
        run = _single_run(SINGLE, loss, _balanced(u0, r), r, times, 53)
        margins = [SINGLE.margins(list(state), [r])[0] for state in run.states]
        curves[loss] = [float(1 / (1 + np.exp(m))) for m in margins]
        if loss == "hinge":
            curves["hinge_stop"] = float(run.switches[0][0])
    when, _ = inflection_events(r, u0)["error"]
    series["curves"] = {"times": times, **curves, "inflection_time": float(when),
                        "inflection_error": float(1 / (1 + mpmath.exp(
                            classification.inflection_margin())))}
    return True, [f"error curves (r = 1, u0 = 0.01): cross-entropy inflection at t = "
                  f"{float(when):.6f} (event), hinge frozen from t = "
                  f"{curves['hinge_stop']:.6f} at e = σ(−1)"]


# ----------------------------------------------------------------------------- CL5

CL5_CASES = (("1", "1"), ("0.5", "1"), ("0.25", "2"), ("0.1", "3"), ("0.7", "0.5"))
CL5_U0, CL5_LEVEL, CL5_OTHER_RADIUS = "0.01", "1", "1"
#: Mode B (weight p) and an unrelated mode C (weight 1 − p), each in its own points.
CL5_NETWORK = ReluModeNetwork(2, ((0,), (1,)), (1, 1))


def mode_level_time(fraction, r_value, margin0, level, loss: str, bits: int = 53) -> tuple:
    """Time at which mode B, present in a fraction p of the data (mean loss), reaches
    ``level`` (cross-entropy, event) or stops (hinge, level 1); and the steps taken."""
    other = _numbers([CL5_OTHER_RADIUS], bits)[0]
    params = CL5_NETWORK.flow_parameters([r_value, other], [fraction, 1 - fraction])
    state = _balanced(margin0, r_value) + _balanced(margin0, other)
    if loss == "cross_entropy":
        event = _margin_event(CL5_NETWORK, "CL5-level", level)
        horizon = classification_horizon(margin0, r_value, level, fraction)
        run = integrate(CL5_NETWORK.vector_field(loss), state, [0, horizon], params, bits=bits,
                        events=[event])
        return _one(run.events, event.name), run.steps
    horizon = 2 * classification_stop_bound(margin0, 0, r_value) / fraction
    # a grid, so that no branch is probed far past its switch (mode C's hinge branch keeps
    # growing like e^{2r(1−p)t} once C has passed u = 1; see integrate_hinge)
    grid = [horizon * k / 40 for k in range(41)]
    run = integrate_hinge(CL5_NETWORK, state, grid, params, bits=bits)
    stops = [t for t, point in run.switches if point == 0]
    if len(stops) != 1:
        raise AssertionError(f"expected one hinge stop of mode B, found {run.switches}")
    return stops[0], run.steps


def _measure_cl5(bits: int, series: dict) -> PrecisionRun:
    errors, scales, steps = [], [], 0
    with theory_precision(bits):
        u0, level = _numbers((CL5_U0, CL5_LEVEL), bits)
        for p_text, r_text in CL5_CASES:
            p, r = _numbers((p_text, r_text), bits)
            for loss in LOSSES:
                found, taken = mode_level_time(p, r, u0, level, loss, bits)
                steps = max(steps, taken)
                expected = (classification.cross_entropy_time(level, u0, r, p)
                            if loss == "cross_entropy"
                            else classification.hinge_stop_time(u0, 0, r, p))
                errors.append(mpmath.mpf(found) - expected)
                scales.append(expected)
                if bits == 53:
                    series.setdefault(loss, []).append(
                        {"p": float(p), "r": float(r), "time": float(found),
                         "scaled": float(found) * float(p) * float(r)})
    absolute, relative = _relative(errors, scales)
    return PrecisionRun(bits, absolute, relative,
                        trajectory_tolerance(bits, steps, AMPLIFICATION), steps)


# ----------------------------------------------------------------------------- CL6

CL6_R = "1.5"
CL6_A0 = ("0.4", "0", "-0.3", "-0.5", "-0.9")
CL6_B0 = ("-0.2", "0", "0.5")
#: Horizon 12/r: every death or sign change of the grid and of the test domain
#: (||a0| − b0| > 0.05, |a0|, b0 ≤ 2) happens before it (hinge times asinh(·)/r ≤ 2.2/r, CE
#: slower by 1/g ≤ 2 while u < 0), and a stalled run stays on the saddle's stable manifold:
#: rounding puts ~1e-16 off it, which grows like e^{grt} ≤ e^{12} while b shrinks like
#: e^{−grt} — still 1e-6 apart at 12/r, whereas at 40/r they would meet.
CL6_HORIZON = 12


def observed_region(a0, b0, r_value, loss: str, bits: int = 53) -> tuple[str, dict]:
    """Classify the network's run from its own dynamics: "dead" if θ̇ = 0 at the start;
    "succeeds" if a ≥ 0 < b with ȧ > 0 at the start or the event a = 0 comes first (from
    a, b > 0 both only grow: ȧ = grb, ḃ = gra); "dies" at the event b = 0; else "stalls"
    within the horizon. Returns the region and the event times found."""
    params = SINGLE.flow_parameters([r_value], [1])
    field = SINGLE.vector_field(loss, None if loss == "cross_entropy" else frozenset({0}))
    velocity = evaluate_field(field, [a0, b0], params, bits)
    if all(v == 0 for v in velocity):
        return "dead", {}
    if a0 >= 0 and b0 > 0 and velocity[0] > 0:
        return "succeeds", {}
    events = [_weight_event(SINGLE, "CL6-b-zero", 1), _weight_event(SINGLE, "CL6-a-zero", 0)]
    run = _single_run(SINGLE, loss, [a0, b0], r_value, [0, CL6_HORIZON / r_value], bits,
                      events)
    found = dict(run.events) | {"steps": run.steps}
    first = {name: times[0] for name, times in run.events.items() if times}
    if not first:
        return "stalls", found
    return ("dies" if min(first, key=first.get) == "CL6-b-zero" else "succeeds"), found


def _measure_cl6(bits: int, series: dict) -> PrecisionRun:
    errors, scales, steps, mismatches = [], [], 0, []
    with theory_precision(bits):
        r = _numbers([CL6_R], bits)[0]
        for loss in LOSSES:
            for a_text in CL6_A0:
                for b_text in CL6_B0 + ((str(-_mp(a_text)),) if _mp(a_text) < 0 else ()):
                    a0, b0 = _numbers((a_text, b_text), bits)
                    region, found = observed_region(a0, b0, r, loss, bits)
                    steps = max(steps, found.get("steps", 0))
                    expected_region = classification.failure_region(a0, b0)
                    if bits == 53:
                        series.setdefault(loss, []).append(
                            {"a0": float(a0), "b0": float(b0), "observed": region,
                             "theory": expected_region})
                    if region != expected_region:
                        mismatches.append(f"{loss} ({a_text}, {b_text}): network {region}, "
                                          f"theory {expected_region}")
                        continue
                    for numeric, predicted in _cl6_times(region, a0, b0, r, loss, found):
                        errors.append(mpmath.mpf(numeric) - predicted)
                        scales.append(predicted)
    series.setdefault("mismatches", {})[bits] = mismatches
    absolute, relative = _relative(errors, scales)
    return PrecisionRun(bits, absolute, relative,
                        trajectory_tolerance(bits, steps, AMPLIFICATION), steps)


def _cl6_times(region: str, a0, b0, r, loss: str, found: dict) -> list[tuple]:
    """(event time, closed form) pairs: death time, zero crossing of a (and u)."""
    if region == "dies":
        return [(_one(found, "CL6-b-zero"), classification.death_time(a0, b0, r, loss))]
    if region == "succeeds" and a0 < 0:
        return [(_one(found, "CL6-a-zero"), classification.sign_change_time(a0, b0, r, loss))]
    return []


def _cl6_stall(series: dict) -> tuple[bool, list[str]]:
    """|a0| = b0: the unit creeps into the saddle; exact for both losses at 53 bits."""
    r, b0 = 1.5, 0.5
    lines, passed = [], True
    for loss in LOSSES:
        u0 = -b0 * b0 * r
        levels = [u0 / 2, u0 / 8]
        events = [_margin_event(SINGLE, f"CL6-stall{k}", v) for k, v in enumerate(levels)]
        run = _single_run(SINGLE, loss, [-b0, b0], r, [0, 20.0], 53, events)
        found = [_one(run.events, e.name) for e in events]
        expected = [classification.cross_entropy_time(v, u0, r) if loss == "cross_entropy"
                    else np.log(u0 / v) / (2 * r) for v in levels]
        gap = max(abs(a - b) / b for a, b in zip(found, expected, strict=True))
        budget = trajectory_tolerance(53, run.steps, AMPLIFICATION)
        passed &= gap <= budget and float(run.states[-1][1]) > 0
        lines.append(f"{loss} stall at |a0| = b0: |u| halves/eighths at t = "
                     f"{', '.join(f'{t:.6f}' for t in found)} (closed form, relative gap "
                     f"{gap:.2g}, budget {budget:.2g}); b(T) = {float(run.states[-1][1]):.3g} > 0")
    series["stall"] = lines
    return passed, lines


# ----------------------------------------------------------------------------- CL7

CL7_CASES = (
    {"r_a": "1", "r_b": "1.5", "p": "0.5", "u_a0": "0.01", "u_b0": "0.02"},
    {"r_a": "2", "r_b": "1", "p": "0.3", "u_a0": "0.001", "u_b0": "0.05"},
)
#: Points: AB (modes A and B, weight p) and A only (weight 1 − p); all labels +1.
CL7_NETWORK = ReluModeNetwork(2, ((0, 1), (0,)), (1, 1))
CL7_POINTS = 9


def _cl7_setup(case: dict, bits: int):
    r_a, r_b, p, ua0, ub0 = _numbers([case[k] for k in ("r_a", "r_b", "p", "u_a0", "u_b0")],
                                     bits)
    params = CL7_NETWORK.flow_parameters([r_a, r_b], [p, 1 - p])
    return (r_a, r_b, p, ua0, ub0), params, _balanced(ua0, r_a) + _balanced(ub0, r_b)


def _mode_margins(state, radii) -> tuple:
    a_a, b_a, a_b, b_b = (mpmath.mpf(v) for v in state)
    return a_a * b_a * mpmath.mpf(radii[0]), a_b * b_b * mpmath.mpf(radii[1])


def _measure_cl7(bits: int, series: dict) -> PrecisionRun:
    errors, scales, steps = [], [], 0
    with theory_precision(bits):
        for index, case in enumerate(CL7_CASES):
            values, params, state = _cl7_setup(case, bits)
            r_a, r_b, p, ua0, ub0 = values
            t1 = classification.two_mode_freeze_time(ua0, ub0, r_a, r_b, p)
            t2 = classification.two_mode_stop_time(ua0, ub0, r_a, r_b, p)
            horizon = _numbers([2], bits)[0] * t2  # twice the prediction (else: missing)
            run = integrate_hinge(CL7_NETWORK, state, [0, horizon], params, bits=bits)
            steps = max(steps, run.steps)
            if [point for _, point in run.switches] != [0, 1]:
                raise AssertionError(f"expected the AB point then the A point to stop, got "
                                     f"{run.switches}")
            frozen = _mode_margins(run.states[-1], (r_a, r_b))[1]
            expected_value = classification.two_mode_freeze_value(ua0, ub0, r_a, r_b, p)
            for numeric, predicted in ((run.switches[0][0], t1), (run.switches[1][0], t2),
                                       (frozen, expected_value)):
                errors.append(mpmath.mpf(numeric) - predicted)
                scales.append(predicted)
            ce = _cl7_cross_entropy(values, params, state, bits, t2)
            errors += ce["errors"]
            scales += ce["scales"]
            steps = max(steps, ce["steps"])
            if bits == 53:
                until = max(1.5 * float(t2), 3 * float(ce["onset"]))
                series[f"case{index}"] = case | _cl7_series(values, params, state, until) | {
                    "t1": float(t1), "t2": float(t2), "freeze": float(expected_value),
                    "onset": float(ce["onset"]), "rate_decreasing": ce["decreasing"]}
                series.setdefault("decreasing", []).append(ce["decreasing"])
    absolute, relative = _relative(errors, scales)
    return PrecisionRun(bits, absolute, relative,
                        trajectory_tolerance(bits, steps, AMPLIFICATION), steps)


def _cl7_cross_entropy(values, params, state, bits, horizon) -> dict:
    """The reduced two-mode ODE against the network's own velocities along a CE run, and B's
    per-capita rate u̇_B/u_B at the onset u_A + u_B = ln 3 (where it must be r_B p/2).

    The run lasts at least until u_A alone could reach ln 3: u̇_A ≥ 2r_A u_A σ(−ln 3) while
    u_A + u_B < ln 3 (:func:`classification_horizon`)."""
    r_a, r_b, p, _, _ = values
    field = CL7_NETWORK.vector_field("cross_entropy")
    onset_level = mpmath.log(3) if bits > 53 else float(np.log(3))
    event = _margin_event(CL7_NETWORK, "CL7-onset", onset_level, point=0)
    horizon = max(horizon, classification_horizon(values[3], r_a, onset_level))
    times = [horizon * k / (CL7_POINTS - 1) for k in range(CL7_POINTS)]
    run = integrate(field, state, times, params, bits=bits, events=[event])
    onset = _one(run.events, event.name)
    at_onset = integrate(field, state, [0, onset], params, bits=bits)
    errors, scales, rates = [], [], []
    for row in list(run.states) + [at_onset.states[-1]]:
        velocity = evaluate_field(field, list(row), params, bits)
        observed = _margin_velocities(row, velocity, (r_a, r_b))
        u_a, u_b = _mode_margins(row, (r_a, r_b))
        predicted = classification.two_mode_velocity(u_a, u_b, r_a, r_b, p)
        errors += [o - e for o, e in zip(observed, predicted, strict=True)]
        scales += [max(abs(e) for e in predicted)] * 2
        rates.append(observed[1] / u_b)
    errors.append(rates[-1] - mpmath.mpf(r_b) * mpmath.mpf(p) / 2)
    scales.append(mpmath.mpf(r_b) * mpmath.mpf(p) / 2)
    after = [rate for t, rate in zip(run.times, rates[:-1], strict=True) if t > onset]
    decreasing = all(b < a for a, b in zip(after, after[1:], strict=False))
    return {"errors": errors, "scales": scales, "steps": max(run.steps, at_onset.steps),
            "onset": onset, "decreasing": decreasing}


def _margin_velocities(state, velocity, radii) -> tuple:
    """(u̇_A, u̇_B) from θ̇ by the product rule, u_k = a_k b_k r_k."""
    a_a, b_a, a_b, b_b = (mpmath.mpf(v) for v in state)
    da_a, db_a, da_b, db_b = (mpmath.mpf(v) for v in velocity)
    return (mpmath.mpf(radii[0]) * (da_a * b_a + a_a * db_a),
            mpmath.mpf(radii[1]) * (da_b * b_b + a_b * db_b))


def _cl7_series(values, params, state, until: float) -> dict:
    r_a, r_b = values[0], values[1]
    times = [until * k / 120 for k in range(121)]
    out = {"times": times}
    hinge = integrate_hinge(CL7_NETWORK, state, times, params)
    ce = integrate(CL7_NETWORK.vector_field("cross_entropy"), state, times, params)
    for name, run in (("hinge", hinge), ("cross_entropy", ce)):
        margins = [_mode_margins(row, (r_a, r_b)) for row in run.states]
        out[name] = {"u_a": [float(m[0]) for m in margins],
                     "u_b": [float(m[1]) for m in margins]}
    return out


def _cl7_after(series: dict) -> tuple[bool, list[str]]:
    decreasing = series.pop("decreasing", [])
    ok = bool(decreasing) and all(decreasing)
    lines = [f"case {k}: hinge t₁ = {series[f'case{k}']['t1']:.6f}, B frozen at "
             f"{series[f'case{k}']['freeze']:.6f}; CE onset (u_A + u_B = ln 3) at "
             f"{series[f'case{k}']['onset']:.6f}" for k in range(len(CL7_CASES))]
    lines.append("cross-entropy: B's per-capita rate u̇_B/u_B decreases after the onset in "
                 f"every case: {'yes' if ok else 'NO'} (B effectively freezes)")
    return ok, lines


# ----------------------------------------------------------------------------- CL8

CL8_DEPTHS = (2, 3, 5)
CL8_SETUP = {"r": "1.3", "u0": "0.05", "levels": ("0.5", "1", "2")}


@cache
def _chain(depth: int) -> ReluModeNetwork:
    return ReluModeNetwork(1, ((0,),), (1,), depth=depth)


def _measure_cl8(bits: int, series: dict) -> PrecisionRun:
    errors, scales, steps = [], [], 0
    with theory_precision(bits):
        r, u0 = _numbers((CL8_SETUP["r"], CL8_SETUP["u0"]), bits)
        levels = _numbers(CL8_SETUP["levels"], bits)
        for depth in CL8_DEPTHS:
            network = _chain(depth)
            weight = (mpmath.mpf(u0) / mpmath.mpf(r)) ** (mpmath.mpf(1) / depth)
            state = [float(weight) if bits == 53 else weight] * depth
            params = network.flow_parameters([r], [1])
            events = [_margin_event(network, f"CL8-level{k}", v) for k, v in enumerate(levels)]
            expected_ce = [classification.chain_time(v, u0, r, depth) for v in levels]
            # horizons: twice the predicted times (an event beyond them counts as missing)
            run = integrate(network.vector_field("cross_entropy"), state,
                            [0, 2 * expected_ce[-1]], params, bits=bits, events=events)
            found = [_one(run.events, e.name) for e in events]
            # a fine grid: the hinge branch of a chain (u̇ ∝ u^{2−2/L}) blows up soon after
            # its stop at u = 1, and the driver probes one grid interval at a time
            grid = [2 * expected_ce[1] * k / 40 for k in range(41)]
            hinge = integrate_hinge(network, state, grid, params, bits=bits)
            if len(hinge.switches) != 1:
                raise AssertionError(f"expected one hinge stop, found {hinge.switches}")
            found.append(hinge.switches[0][0])
            expected = expected_ce + [classification.chain_time(1, u0, r, depth, "hinge")]
            steps = max(steps, run.steps, hinge.steps)
            errors += [mpmath.mpf(a) - b for a, b in zip(found, expected, strict=True)]
            scales += expected
            if bits == 53:
                series.setdefault("chains", []).append(
                    {"depth": depth, "levels": [float(v) for v in levels] + [1.0],
                     "numeric": [float(t) for t in found],
                     "predicted": [float(t) for t in expected]})
    absolute, relative = _relative(errors, scales)
    return PrecisionRun(bits, absolute, relative,
                        trajectory_tolerance(bits, steps, AMPLIFICATION), steps)


# ----------------------------------------------------------------------------- outcomes


def _exact_outcome(claim_id: str, measure, precisions: Sequence[int],
                   after: Callable[[dict], tuple[bool, list[str]]] | None = None) -> Outcome:
    started = time.perf_counter()
    series: dict = {}
    runs, passed, evidence = run_ladder(lambda bits: measure(bits, series), precisions)
    for bits, mismatches in series.pop("mismatches", {}).items():
        evidence += [f"{bits} bits: region mismatch {m}" for m in mismatches]
        passed = passed and not mismatches
    if after is not None:
        ok, lines = after(series)
        passed = passed and ok
        evidence += lines
    return Outcome(claim_id, bool(passed), runs, [], evidence, series,
                   time.perf_counter() - started)


def _domain_unit():
    from hypothesis import strategies as st
    return st.fixed_dictionaries({"r": st.floats(0.2, 5.0), "u0": st.floats(1e-4, 0.5)})


def _domain_fraction():
    from hypothesis import strategies as st
    return st.fixed_dictionaries({"p": st.floats(0.05, 1.0), "r": st.floats(0.2, 5.0)})


def _domain_regions():
    from hypothesis import strategies as st
    return st.fixed_dictionaries({"a0": st.floats(-2.0, 2.0), "b0": st.floats(-1.0, 2.0)}).filter(
        lambda d: abs(abs(d["a0"]) - d["b0"]) > 0.05)


def _domain_two_mode():
    from hypothesis import strategies as st
    return st.fixed_dictionaries({"r_a": st.floats(0.3, 3.0), "r_b": st.floats(0.3, 3.0),
                                  "p": st.floats(0.05, 0.95), "u_a0": st.floats(1e-4, 0.3),
                                  "u_b0": st.floats(1e-4, 0.3)})


def _domain_chain():
    from hypothesis import strategies as st
    return st.fixed_dictionaries({"depth": st.integers(2, 8), "r": st.floats(0.3, 3.0),
                                  "u0": st.floats(1e-3, 0.5)})


_BUDGET = ("relative error ≤ n·ε·A with n the steps taken, ε the engine's local tolerance "
           "(DOP853 rtol 2.5e-14 at 53 bits, unit roundoff above) and A = 100 (see "
           "claims.classification.AMPLIFICATION); must also shrink with precision")

CLAIMS = (
    Claim(
        id="CL1", family="CL", title="Conserved a² − b² and the margin ODE of a ReLU unit",
        claim_class=ClaimClass.EXACT, provenance="D", source=SOURCE,
        statement="c = a^2 - b^2 = \"const\", quad dot(u) = r g(u) sqrt(r^2 c^2 + 4 u^2)",
        theory="theory.classification.margin_velocity; conservation and u̇² derived "
               "symbolically from ȧ = grb, ḃ = gra",
        experiment="the unit a·ReLU(b r) (autodiff of its loss) from 5 unbalanced (a0, b0), "
                   "cross-entropy and hinge (branch by branch), 13 states on t ∈ [0, 6]: "
                   "drift of a² − b², and u̇ = r(ȧb + aḃ) from the network's θ̇",
        comparison="|Δ(a² − b²)|/(a² + b²) and |u̇_network − u̇|/|u̇| (hinge: before the "
                   "stop); " + _BUDGET,
        parameters={"cases": CL1_CASES},
        run=lambda p: _exact_outcome("CL1", _measure_cl1, p), domain=_domain_unit),
    Claim(
        id="CL2", family="CL", title="Cross-entropy: the implicit Ei solution",
        claim_class=ClaimClass.EXACT, provenance="D", source=SOURCE,
        statement="2 r t = ln(u \\/ u_0) + op(\"Ei\")(u) - op(\"Ei\")(u_0)",
        theory="theory.classification.cross_entropy_time (mpmath.ei); derivative checked "
               "symbolically",
        experiment="balanced units (c = 0), labels +1 and −1, 3 (r, u0) cases; times at "
                   "which u crosses 0.5, 1, 3, 6 by event detection",
        comparison="max relative error of the crossing times; " + _BUDGET,
        parameters={"cases": CL2_CASES, "levels": CL2_LEVELS},
        run=lambda p: _exact_outcome("CL2", _measure_cl2, p), domain=_domain_unit),
    Claim(
        id="CL3", family="CL", title="Hinge: sinh closed form and an exact stop at u = 1",
        claim_class=ClaimClass.EXACT, provenance="D", source=SOURCE,
        statement="u(t) = (r|c|)/2 sinh(2 r t + op(\"asinh\")((2 u_0)/(r|c|))), quad "
                  "u_0 e^(2 r t) \" if \" c = 0, quad T_h = ln(1\\/u_0)/(2r)",
        theory="theory.classification.hinge_margin and hinge_stop_time (ODE residual checked "
               "symbolically)",
        experiment="the hinge unit integrated branch by branch (event u = 1, then the "
                   "zero-gradient branch) for c = 0, c > 0, c < 0 and u0 < 0; u on a 9-point "
                   "grid past the stop; cross-entropy to u = 1 for the time ratio",
        comparison="stop time (relative) and |u − closed form| (u ≤ 1, so absolute = "
                   "relative scale 1), with u = 1 after the stop; " + _BUDGET + "; the CE/hinge "
                   "ratio must decrease towards 2 as u0 → 0",
        parameters={"cases": CL3_CASES, "ratio_u0": CL3_RATIO_U0},
        run=lambda p: _exact_outcome("CL3", _measure_cl3, p, _cl3_ratio),
        domain=_domain_unit),
    Claim(
        id="CL4", family="CL", title="The error curve's inflection is at a universal margin",
        claim_class=ClaimClass.EXACT, provenance="P+D", source=SOURCE,
        statement="e = sigma(-u), quad dot.double(e) = 0 <=> 1 + u + e^u = 2 u e^u, quad "
                  "u^* = 0.888367907619766..., quad \"loss:\" u sigma(u) = 1/2",
        theory="theory.classification.inflection_margin (root of the factor of ë derived by "
               "SymPy) and loss_inflection_margin; times from cross_entropy_time",
        experiment="balanced cross-entropy units for 4 (r, u0) cases; the zero of ë (and of "
                   "ℓ̈), the second Lie derivative along the network's autodiff field, by event "
                   "detection (exactly one each); u there by re-integrating to the event",
        comparison="relative errors of the event times against the CL2 time of u* and of u "
                   "at the event against u*; " + _BUDGET,
        parameters={"cases": CL4_CASES},
        run=lambda p: _exact_outcome("CL4", _measure_cl4, p, _cl4_curves),
        domain=_domain_unit),
    Claim(
        id="CL5", family="CL", title="Times scale as 1/(p r)",
        claim_class=ClaimClass.EXACT, provenance="P", source=SOURCE,
        statement="t prop 1/(p r), quad 2 p r t = ln(u \\/ u_0) + op(\"Ei\")(u) - "
                  "op(\"Ei\")(u_0), quad T_h = ln(1\\/u_0)/(2 p r)",
        theory="theory.classification.cross_entropy_time and hinge_stop_time with the "
               "fraction p",
        experiment="a two-mode network: mode B in a fraction p of the points, an unrelated "
                   "mode C in the rest, mean loss; u0 = 0.01, 5 (p, r) cases; the time B "
                   "reaches u = 1 (CE, event) and its hinge stop",
        comparison="max relative error of the times; " + _BUDGET,
        parameters={"cases": CL5_CASES, "u0": CL5_U0},
        run=lambda p: _exact_outcome("CL5", _measure_cl5, p), domain=_domain_fraction),
    Claim(
        id="CL6", family="CL", title="Failure regions of a ReLU unit",
        claim_class=ClaimClass.EXACT, provenance="P+D", source=SOURCE,
        statement="b_0 <= 0: \"dead\", quad a_0 < 0 < b_0: \"succeeds\" <=> |a_0| < b_0, "
                  "quad |a_0| > b_0: b -> 0, quad |a_0| = b_0: \"saddle\"",
        theory="theory.classification.failure_region, death_time and sign_change_time "
               "(hyperbolic parametrisations checked symbolically; CE by quadrature)",
        experiment=f"the unit with r = {CL6_R} on a grid a0 ∈ {CL6_A0} × b0 ∈ {CL6_B0} plus "
                   "|a0| = b0, both losses: dead if θ̇(0) = 0, dies at the event b = 0, "
                   "succeeds at the event u = 1 (hinge stop), stalls otherwise",
        comparison="every region must match; death and sign-change event times against the "
                   "closed forms, relative; " + _BUDGET + "; stalled runs against the CL2 "
                   "clock run backwards (|u| shrinking)",
        parameters={"r": CL6_R, "a0": CL6_A0, "b0": CL6_B0},
        run=lambda p: _exact_outcome("CL6", _measure_cl6, p, _cl6_stall),
        domain=_domain_regions),
    Claim(
        id="CL7", family="CL", title="Two modes: the shared mode freezes the rarer one",
        claim_class=ClaimClass.EXACT, provenance="P+D", source=SOURCE,
        statement="dot(u)_A = 2 r_A u_A [p g(u_A + u_B) + (1-p) g(u_A)], quad "
                  "dot(u)_B = 2 r_B p u_B g(u_A + u_B), quad u_(A 0) e^(2 r_A t_1) + "
                  "u_(B 0) e^(2 r_B p t_1) = 1",
        theory="theory.classification.two_mode_velocity, two_mode_freeze_time, "
               "two_mode_freeze_value, two_mode_stop_time",
        experiment="units A and B; points AB (fraction p) and A only; 2 cases. Hinge: branch "
                   "switches by event (AB at t₁, then A at t₂) and u_B at the end. CE: the "
                   "network's (u̇_A, u̇_B) on 9 states and at the onset u_A + u_B = ln 3 (event)",
        comparison="t₁, t₂, the frozen u_B and the CE velocities, relative (velocities scaled "
                   "by the larger); B's CE per-capita rate at the onset must be r_B p/2; "
                   + _BUDGET + "; CE per-capita rate of B decreasing after the onset",
        parameters={"cases": CL7_CASES},
        run=lambda p: _exact_outcome("CL7", _measure_cl7, p, _cl7_after),
        domain=_domain_two_mode),
    Claim(
        id="CL8", family="CL", title="Depth-L chains: u̇ = L r^{2/L} u^{2−2/L} g(u)",
        claim_class=ClaimClass.EXACT, provenance="D", source=SOURCE,
        statement="dot(u) = L r^(2\\/L) u^(2 - 2\\/L) g(u)",
        theory="theory.classification.chain_time (hinge closed form, CE by quadrature)",
        experiment=f"balanced ReLU chains of depth L ∈ {CL8_DEPTHS} (r = 1.3, u0 = 0.05): CE "
                   "crossings of u = 0.5, 1, 2 and the hinge stop, by event detection",
        comparison="max relative error of the times; " + _BUDGET,
        parameters={"depths": CL8_DEPTHS, **CL8_SETUP},
        run=lambda p: _exact_outcome("CL8", _measure_cl8, p), domain=_domain_chain),
)
