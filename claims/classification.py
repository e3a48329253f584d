"""Claims CL1–CL8: learning dynamics of classification (Tachet des Combes et al. 2018;
THEORY.md, CL).

The numerics side is :class:`numerics.relu_modes.ReluModeNetwork`: real ReLU units (one path
per input mode) trained on a mean cross-entropy or hinge loss, gradients by automatic
differentiation; the hinge's kink at u = 1 is handled by event detection and a change of
branch. Theory functions are looked up at call time (``classification.inflection_margin``).

CL1, CL2, CL3 and CL8 also certify themselves (``--certify``): see
:mod:`flowcert.claims.classification_certificates`.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache, partial

import heyoka as hy
import mpmath
import numpy as np

from flowcert.claims.base import PrecisionRun
from flowcert.claims.builders import Finding, NullModel, exact_claim, symbolic_checks
from flowcert.claims.comparison import Comparison
from flowcert.claims.tolerances import theory_precision, trajectory_tolerance
from flowcert.numerics.certificate import Certificate
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


def _symbolic(claim_id: str) -> Callable[[dict], Finding]:
    """The claim's symbolic identities as a check (looked up at call time, cached)."""
    def check(_series: dict) -> Finding:
        finding = symbolic_checks(classification.claim_checks(claim_id))
        return Finding(finding.passed, [f"{claim_id} {line}" for line in finding.evidence])
    return check


def _budget(bits: int, steps: int) -> float:
    return trajectory_tolerance(bits, steps, AMPLIFICATION)


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
    """a² − b² along each run against its initial value (scale a² + b²), and u̇ = r(ȧb + aḃ)
    from the network's θ̇ against r g(u)√(r²c² + 4u²) (hinge: before the stop)."""
    comparison, steps = Comparison(bits), 0
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
                comparison.add(a * a - b * b, c0, a * a + b * b)
                margin = SINGLE.margins(list(state), [r])[0]
                margins.append(float(margin))
                if stop is not None and t >= stop:
                    continue
                observed = _margin_rate(SINGLE, loss, state, r, bits)
                predicted = classification.margin_velocity(mpmath.mpf(margin), c0,
                                                           mpmath.mpf(r), loss)
                comparison.add(observed, predicted)
            if bits == 53:
                series[f"case{index}"] = case | {"times": [float(t) for t in run.times],
                                                 "c_drift": drift, "u": margins}
    return comparison.run(_budget(bits, steps), steps)


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
    """Event times of the levels against the Ei clock, relative."""
    comparison, steps = Comparison(bits), 0
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
            comparison.extend(found, expected)
            if bits == 53:
                series[f"case{index}"] = case | {"levels": [float(v) for v in levels],
                                                 "numeric": [float(t) for t in found],
                                                 "predicted": [float(t) for t in expected]}
    return comparison.run(_budget(bits, steps), steps)


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
    """The hinge stop time (relative) and u(t) on the grid (absolute: u ≤ 1), u = 1 after
    the stop."""
    comparison, steps = Comparison(bits), 0
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
            comparison.add(found, classification.hinge_stop_time(u0, c, r))
            margins = [SINGLE.margins(list(state), [r])[0] for state in run.states]
            for t, margin in zip(run.times, margins, strict=True):
                predicted = classification.hinge_margin(t, u0, c, r) if t < found else 1
                comparison.add(margin, predicted, 1)
            if bits == 53:
                series[f"case{index}"] = case | {"times": [float(t) for t in run.times],
                                                 "u": [float(m) for m in margins],
                                                 "stop": float(found)}
    return comparison.run(_budget(bits, steps), steps)


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


def _cl3_ratio(series: dict) -> Finding:
    """"Cross-entropy needs about twice as long" (c = 0, time to u = 1), made precise: the
    exact ratio is 2 + E(u0)/ln(1/u0) with E(u0) = Ei(1) − Ei(u0) + ln u0 = Ei(1) − γ −
    Σ_k u0^k/(k·k!) (so |E(u0) − (Ei(1) − γ)| ≤ u0 e^{u0}): twice as long only as
    u0 → 0, and only logarithmically (2.28 at u0 = 1e-2, 2.02 at 1e-32). Checked: the
    network's ratio at u0 = 0.01 equals the closed forms' (two 53-bit runs: twice the budget),
    and E(u0) computed from the closed forms approaches Ei(1) − γ within u0 e^{u0}."""
    r, u0 = 1.0, 0.01
    run = _single_run(SINGLE, "cross_entropy", _balanced(u0, r), r,
                      [0, classification_horizon(u0, r, 1)], 53,
                      [_margin_event(SINGLE, "CL3-ce-one", 1.0)])
    hinge = _single_run(SINGLE, "hinge", _balanced(u0, r), r, [0, 10.0], 53)
    ratio = _one(run.events, "CL3-ce-one") / hinge.switches[0][0]
    budget = 2 * _budget(53, run.steps + hinge.steps)
    with mpmath.workdps(80):  # (ratio − 2)·ln(1/u0) cancels ~2 of them; |E − limit| ≥ 1e-32
        limit = mpmath.ei(1) - mpmath.euler
        exact = [classification.cross_entropy_time(_mp(1), _mp(v), _mp(r))
                 / classification.hinge_stop_time(_mp(v), 0, _mp(r)) for v in CL3_RATIO_U0]
        excess = [(x - 2) * mpmath.log(1 / _mp(v)) for x, v in zip(exact, CL3_RATIO_U0,
                                                                   strict=True)]
        converges = all(abs(e - limit) <= _mp(v) * mpmath.exp(_mp(v))
                        for e, v in zip(excess, CL3_RATIO_U0, strict=True))
    network_ok = abs(ratio / float(exact[0]) - 1) <= budget
    series["ratio"] = {"u0": [float(v) for v in CL3_RATIO_U0],
                       "exact": [float(v) for v in exact], "network_u0_0.01": float(ratio)}
    return Finding(network_ok and converges, [
        f"cross-entropy/hinge time to u = 1 (c = 0): network {ratio:.6f} at u0 = 0.01, closed "
        f"forms {float(exact[0]):.6f} (relative gap {abs(ratio / float(exact[0]) - 1):.2g}, "
        f"budget {budget:.2g})",
        f"ratio = 2 + E(u0)/ln(1/u0): {', '.join(f'{float(v):.4f}' for v in exact)} for u0 = "
        f"1e-2 … 1e-32 — about twice as long only logarithmically slowly; E(u0) = "
        f"{', '.join(f'{float(e):.6f}' for e in excess)} → Ei(1) − γ = {float(limit):.6f} "
        f"within u0·e^u0: {'yes' if converges else 'NO'}"])


# ----------------------------------------------------------------------------- CL4

#: Balanced units only (c = 0): for c ≠ 0 the inflection moves (see the null model). Three
#: cases at 53 and 113 bits; at 256 bits only the last (r ≠ 1): a 256-bit run with the two
#: acceleration events costs ~1 s (MPFR root isolation on order-90 Taylor polynomials) and
#: tests the same identity. The hypothesis test covers (r, u0) at 53 bits.
CL4_CASES = (
    {"r": "1", "u0": "0.01"},
    {"r": "3", "u0": "0.00001"},
    {"r": "0.5", "u0": "0.3"},
)
CL4_CASES_256 = CL4_CASES[2:]
#: The null model's unbalanced unit: c = a0² − b0² = 0.32, u0 = 0.12 (r = 1); its error
#: curve's inflection sits at u ≈ 0.869, not u* (more unbalanced units, e.g. c = 0.95, even
#: have two).
CL4_UNBALANCED = {"r": "1", "a0": "0.6", "b0": "0.2"}


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


def inflection_events(r_value, margin0, bits: int = 53, state0=None) -> dict:
    """Integrate the CE unit from a balanced start (or ``state0``); return the inflection
    times of e(t) and ℓ(t) (event detection; each must occur exactly once), the margins there
    (one re-integration to both event times) and the steps taken."""
    events = _acceleration_events()
    state0 = _balanced(margin0, r_value) if state0 is None else state0
    horizon = classification_horizon(margin0, r_value, 1)  # both inflections lie below u = 1
    run = _single_run(SINGLE, "cross_entropy", state0, r_value, [0, horizon], bits, events)
    when = {key: _one(run.events, event.name)
            for key, event in zip(("error", "loss"), events, strict=True)}
    order = sorted(when, key=when.get)
    at = _single_run(SINGLE, "cross_entropy", state0, r_value, [0] + [when[k] for k in order],
                     bits)
    out = {"steps": max(run.steps, at.steps)}
    for key, state in zip(order, at.states[1:], strict=True):
        out[key] = (when[key], SINGLE.margins(list(state), [r_value])[0])
    return out


def _measure_cl4(bits: int, series: dict, unbalanced: bool = False) -> PrecisionRun:
    """The zeros of ë and ℓ̈ on the network: their times against the CL2 clock at u* (and at
    the loss's root), relative, and u there against u*, relative. ``unbalanced``: the null
    model's unit (c ≠ 0) in place of the balanced cases."""
    comparison, steps = Comparison(bits), 0
    with theory_precision(bits):
        targets = {"error": classification.inflection_margin(),
                   "loss": classification.loss_inflection_margin()}
        cases = CL4_CASES_256 if bits == 256 else CL4_CASES
        for case in [CL4_UNBALANCED] if unbalanced else cases:
            if unbalanced:
                r, a0, b0 = _numbers((case["r"], case["a0"], case["b0"]), bits)
                u0, state0 = a0 * b0 * r, [a0, b0]
            else:
                (r, u0), state0 = _numbers((case["r"], case["u0"]), bits), None
            found = inflection_events(r, u0, bits, state0)
            steps = max(steps, found["steps"])
            for key, target in targets.items():
                when, margin = found[key]
                comparison.extend([when, margin],
                                  [classification.cross_entropy_time(target, u0, r), target])
            if bits == 53 and not unbalanced:
                series.setdefault("inflections", []).append(
                    case | {"error": list(map(float, found["error"])),
                            "loss": list(map(float, found["loss"]))})
    return comparison.run(_budget(bits, steps), steps)


def _cl4_curves(series: dict) -> Finding:
    """e(t) = σ(−u(t)) is a sigmoid with one inflection: on a 161-point grid of the CE
    network's error curve (r = 1, u0 = 0.01) the second differences change sign exactly once,
    within one grid step of the ë = 0 event; the hinge network's error freezes at σ(−1)."""
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
    second = np.diff(curves["cross_entropy"], 2)
    changes = np.flatnonzero(np.sign(second[1:]) != np.sign(second[:-1]))
    # a sign change between second differences k and k+1 puts the inflection in
    # [t_k, t_{k+3}] (differences k, k+1 span grid points k … k+3)
    located = len(changes) == 1 and times[changes[0]] <= when <= times[changes[0] + 3]
    frozen = [e for t, e in zip(times, curves["hinge"], strict=True) if t > curves["hinge_stop"]]
    at_rest = bool(frozen) and max(abs(e - float(1 / (1 + np.exp(1.0)))) for e in frozen) <= 1e-12
    series["curves"] = {"times": times, **curves, "inflection_time": float(when),
                        "inflection_error": float(1 / (1 + mpmath.exp(
                            classification.inflection_margin())))}
    return Finding(located and at_rest, [
        f"error curves (r = 1, u0 = 0.01): the CE curve's second differences change sign "
        f"{len(changes)} time(s) (sigmoid: 1), around the ë = 0 event at t = {float(when):.6f}: "
        f"{'yes' if located else 'NO'}; the hinge error stays at σ(−1) after its stop at t = "
        f"{curves['hinge_stop']:.6f}: {'yes' if at_rest else 'NO'}"])


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
    """Mode B's time to u = 1 (CE, event) and its hinge stop against the CL2/CL3 times with
    the fraction p, relative."""
    comparison, steps = Comparison(bits), 0
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
                comparison.add(found, expected)
                if bits == 53:
                    series.setdefault(loss, []).append(
                        {"p": float(p), "r": float(r), "time": float(found),
                         "scaled": float(found) * float(p) * float(r)})
    return comparison.run(_budget(bits, steps), steps)


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
    """Regions observed on the network against failure_region (mismatches are checked by
    :func:`_cl6_regions`), and death / sign-change event times against the closed forms."""
    comparison, steps, mismatches = Comparison(bits), 0, []
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
                        comparison.add(numeric, predicted)
    series.setdefault("mismatches", {})[bits] = mismatches
    return comparison.run(_budget(bits, steps), steps)


def _cl6_regions(series: dict) -> Finding:
    """Every region of the grid, at every precision, must be the predicted one."""
    rows = sorted(series.get("mismatches", {}).items())
    return Finding(bool(rows) and not any(m for _, m in rows),
                   [f"{bits} bits: region mismatch {m}" for bits, found in rows for m in found]
                   or [f"regions of all {len(series.get('hinge', []))} grid points match for "
                       f"both losses at {', '.join(str(b) for b, _ in rows)} bits"])


def _cl6_times(region: str, a0, b0, r, loss: str, found: dict) -> list[tuple]:
    """(event time, closed form) pairs: death time, zero crossing of a (and u)."""
    if region == "dies":
        return [(_one(found, "CL6-b-zero"), classification.death_time(a0, b0, r, loss))]
    if region == "succeeds" and a0 < 0:
        return [(_one(found, "CL6-a-zero"), classification.sign_change_time(a0, b0, r, loss))]
    return []


def _cl6_stall(series: dict) -> Finding:
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
    return Finding(bool(passed), lines)


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
    """Hinge: t₁, t₂ and the frozen u_B, relative; CE: the network's (u̇_A, u̇_B) against the
    reduced ODE (scaled by the larger) and B's per-capita rate at the onset against r_B p/2."""
    comparison, steps = Comparison(bits), 0
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
            comparison.extend([run.switches[0][0], run.switches[1][0], frozen],
                              [t1, t2, expected_value])
            ce = _cl7_cross_entropy(values, params, state, bits, t2, comparison)
            steps = max(steps, ce["steps"])
            if bits == 53:
                until = max(1.5 * float(t2), 3 * float(ce["onset"]))
                series[f"case{index}"] = case | _cl7_series(values, params, state, until) | {
                    "t1": float(t1), "t2": float(t2), "freeze": float(expected_value),
                    "onset": float(ce["onset"]), "rate_decreasing": ce["decreasing"]}
                series.setdefault("decreasing", []).append(ce["decreasing"])
    return comparison.run(_budget(bits, steps), steps)


def _cl7_cross_entropy(values, params, state, bits, horizon, comparison: Comparison) -> dict:
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
    rates = []
    for row in list(run.states) + [at_onset.states[-1]]:
        velocity = evaluate_field(field, list(row), params, bits)
        observed = _margin_velocities(row, velocity, (r_a, r_b))
        u_a, u_b = _mode_margins(row, (r_a, r_b))
        predicted = classification.two_mode_velocity(u_a, u_b, r_a, r_b, p)
        comparison.extend(observed, predicted, [max(abs(e) for e in predicted)] * 2)
        rates.append(observed[1] / u_b)
    comparison.add(rates[-1], mpmath.mpf(r_b) * mpmath.mpf(p) / 2)
    after = [rate for t, rate in zip(run.times, rates[:-1], strict=True) if t > onset]
    decreasing = all(b < a for a, b in zip(after, after[1:], strict=False))
    return {"steps": max(run.steps, at_onset.steps),
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


def _cl7_freeze(series: dict) -> Finding:
    """Cross-entropy: B effectively freezes — its per-capita rate u̇_B/u_B decreases after the
    onset (53-bit runs of every case)."""
    decreasing = series.pop("decreasing", [])
    ok = bool(decreasing) and all(decreasing)
    lines = [f"case {k}: hinge t₁ = {series[f'case{k}']['t1']:.6f}, B frozen at "
             f"{series[f'case{k}']['freeze']:.6f}; CE onset (u_A + u_B = ln 3) at "
             f"{series[f'case{k}']['onset']:.6f}" for k in range(len(CL7_CASES))]
    lines.append("cross-entropy: B's per-capita rate u̇_B/u_B decreases after the onset in "
                 f"every case: {'yes' if ok else 'NO'} (B effectively freezes)")
    return Finding(ok, lines)


# ----------------------------------------------------------------------------- CL8

CL8_DEPTHS = (2, 3, 5)
#: At 256 bits depths 2 (the small instance) and 3 (L ≥ 3: the power 2 − 2/L ≠ 1 and the
#: factor r^{2/L} ≠ r); depth 5 runs at 53 and 113 bits (each depth costs two MPFR
#: integrator compilations, ~1 s, and tests the same law).
CL8_DEPTHS_256 = (2, 3)
CL8_SETUP = {"r": "1.3", "u0": "0.05", "levels": ("0.5", "1", "2")}


@cache
def _chain(depth: int) -> ReluModeNetwork:
    return ReluModeNetwork(1, ((0,),), (1,), depth=depth)


def _measure_cl8(bits: int, series: dict) -> PrecisionRun:
    """CE crossing times of the levels and the hinge stop against chain_time, relative."""
    comparison, steps = Comparison(bits), 0
    with theory_precision(bits):
        r, u0 = _numbers((CL8_SETUP["r"], CL8_SETUP["u0"]), bits)
        levels = _numbers(CL8_SETUP["levels"], bits)
        for depth in CL8_DEPTHS_256 if bits == 256 else CL8_DEPTHS:
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
            comparison.extend(found, expected)
            if bits == 53:
                series.setdefault("chains", []).append(
                    {"depth": depth, "levels": [float(v) for v in levels] + [1.0],
                     "numeric": [float(t) for t in found],
                     "predicted": [float(t) for t in expected]})
    return comparison.run(_budget(bits, steps), steps)


# ----------------------------------------------------------------------------- outcomes


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


CL4_NULL = NullModel(
    "unbalanced unit", "the same measurement on an unbalanced unit, (a0, b0) = (0.6, 0.2), "
    "c = 0.32: the law is for balanced units (c = 0); here ë = 0 sits at u ≈ 0.869",
    partial(_measure_cl4, unbalanced=True))

_BUDGET = ("relative error ≤ n·ε·A with n the steps taken, ε the engine's local tolerance "
           "(DOP853 rtol 2.5e-14 at 53 bits, unit roundoff above) and A = 100 (see "
           "claims.classification.AMPLIFICATION); must also shrink with precision")

exact = partial(exact_claim, source=SOURCE)


def _certifier(claim_id: str) -> Callable[[int], Certificate]:
    """CLk's ``certify(bits)`` from :mod:`flowcert.claims.classification_certificates`,
    imported when it first runs (that module imports this one's cases)."""
    def certify(bits: int) -> Certificate:
        from flowcert.claims.classification_certificates import CERTIFIERS
        return CERTIFIERS[claim_id](bits)
    return certify


CLAIMS = (
    exact(
        id="CL1", title="Conserved $a^2 - b^2$ and the margin ODE of a ReLU unit",
        provenance="D",
        statement="c = a^2 - b^2 = \"const\", quad dot(u) = r g(u) sqrt(r^2 c^2 + 4 u^2)",
        theory="theory.classification.margin_velocity; conservation and u̇² derived "
               "symbolically from ȧ = grb, ḃ = gra",
        experiment="the unit a·ReLU(b r) (autodiff of its loss) from 5 unbalanced (a0, b0), "
                   "cross-entropy and hinge (branch by branch), 13 states on t ∈ [0, 6]: "
                   "drift of a² − b², and u̇ = r(ȧb + aḃ) from the network's θ̇. Certificate: "
                   "the same cases and grid in Arb balls (validated Taylor enclosure of the "
                   "network's flow; hinge: its branch up to the stop, grid times before it): "
                   "a² − b² against c, and $dot(u) = nabla u dot dot(theta)$ against "
                   "$r g(u) sqrt(r^2 c^2 + 4 u^2)$ at the enclosed u, $g = sigma(-u)$ or "
                   "$bb(1)[u < 1]$ in balls",
        comparison="|Δ(a² − b²)|/(a² + b²) and $|dot(u)_\"network\" - dot(u)|\\/|dot(u)|$ "
                   "(hinge: before the "
                   "stop); " + _BUDGET,
        parameters={"cases": CL1_CASES},
        measure=_measure_cl1, checks=(_symbolic("CL1"),), certify=_certifier("CL1"),
        domain=_domain_unit),
    exact(
        id="CL2", title="Cross-entropy: the implicit Ei solution",
        provenance="D",
        statement="2 r t = ln(u \\/ u_0) + op(\"Ei\")(u) - op(\"Ei\")(u_0)",
        theory="theory.classification.cross_entropy_time (mpmath.ei); derivative checked "
               "symbolically",
        experiment="balanced units (c = 0), labels +1 and −1, 3 (r, u0) cases; times at "
                   "which u crosses 0.5, 1, 3, 6 by event detection. Certificate: the same "
                   "crossing times enclosed in Arb balls (interval Newton on the validated "
                   "enclosure from the balls a0 = y√(u0/r), b0 = √(u0/r)) against the Ei clock "
                   "/(2r) in balls",
        comparison="max relative error of the crossing times; " + _BUDGET,
        parameters={"cases": CL2_CASES, "levels": CL2_LEVELS},
        measure=_measure_cl2, checks=(_symbolic("CL2"),), certify=_certifier("CL2"),
        domain=_domain_unit),
    exact(
        id="CL3", title="Hinge: $sinh$ closed form and an exact stop at $u = 1$",
        provenance="D",
        statement="u(t) = (r|c|)/2 sinh(2 r t + op(\"asinh\")((2 u_0)/(r|c|))), quad "
                  "u_0 e^(2 r t) \" if \" c = 0, quad T_h = ln(1\\/u_0)/(2r), quad "
                  "T_(\"CE\")/T_h = 2 + (op(\"Ei\")(1) - gamma + O(u_0))/ln(1\\/u_0)",
        theory="theory.classification.hinge_margin and hinge_stop_time (ODE residual checked "
               "symbolically); the CE/hinge time ratio 2 + E(u0)/ln(1/u0) with its limit "
               "E → Ei(1) − γ derived symbolically",
        experiment="the hinge unit integrated branch by branch (event u = 1, then the "
                   "zero-gradient branch) for c = 0, c > 0, c < 0 and u0 < 0; u on a 9-point "
                   "grid past the stop; a balanced unit under cross-entropy to u = 1 (u0 = "
                   "0.01) for the time ratio. Certificate: the same cases in Arb balls, the "
                   "branch enclosed until its stop: u at the grid times before it against the "
                   "sinh form (its c → 0 limit for c = 0), and the stop time (interval Newton) "
                   "against the root of the sinh form = 1; not the ratio",
        comparison="stop time (relative) and |u − closed form| (u ≤ 1, so absolute = "
                   "relative scale 1), with u = 1 after the stop; " + _BUDGET + ". \"Cross-"
                   "entropy needs about twice as long\" holds only logarithmically: what is "
                   "checked is the network's CE/hinge ratio at u0 = 0.01 (2.28) against the "
                   "closed forms, and E(u0) = (ratio − 2) ln(1/u0) → Ei(1) − γ within $u_0 "
                   "e^(u_0)$ "
                   "for u0 = 1e-2 … 1e-32 (ratio 2.28 … 2.02)",
        parameters={"cases": CL3_CASES, "ratio_u0": CL3_RATIO_U0},
        measure=_measure_cl3, checks=(_cl3_ratio, _symbolic("CL3")),
        certify=_certifier("CL3"), domain=_domain_unit),
    exact(
        id="CL4", title="The error curve's inflection is at a universal margin",
        provenance="P+D",
        statement="e = sigma(-u), quad dot.double(e) = 0 <=> 1 + u + e^u = 2 u e^u, quad "
                  "u^* = 0.888367907619766..., quad \"loss:\" u sigma(u) = 1/2",
        theory="theory.classification.inflection_margin (root of the factor of ë derived by "
               "SymPy) and loss_inflection_margin; times from cross_entropy_time",
        experiment="balanced cross-entropy units only (c = 0: the law is theirs; an "
                   "unbalanced unit is the null model) for 3 (r, u0) cases (one at 256 bits); "
                   "the zero of ë (and of ℓ̈), the second Lie derivative along the network's "
                   "autodiff field, by event detection (exactly one each); u there by "
                   "re-integrating to the events; the error curve e(t) on a 161-point grid",
        comparison="relative errors of the event times against the CL2 time of u* and of u "
                   "at the event against u*; " + _BUDGET + "; e(t)'s second differences change "
                   "sign once, next to the event",
        parameters={"cases": CL4_CASES, "cases_256_bits": CL4_CASES_256,
                    "null_unbalanced": CL4_UNBALANCED},
        measure=_measure_cl4, checks=(_cl4_curves, _symbolic("CL4")),
        null_models=(CL4_NULL,),
        domain=_domain_unit),
    exact(
        id="CL5", title="Times scale as $1\\/(p r)$",
        provenance="P",
        statement="t prop 1/(p r), quad 2 p r t = ln(u \\/ u_0) + op(\"Ei\")(u) - "
                  "op(\"Ei\")(u_0), quad T_h = ln(1\\/u_0)/(2 p r)",
        theory="theory.classification.cross_entropy_time and hinge_stop_time with the "
               "fraction p",
        experiment="a two-mode network: mode B in a fraction p of the points, an unrelated "
                   "mode C in the rest, mean loss; u0 = 0.01, 5 (p, r) cases; the time B "
                   "reaches u = 1 (CE, event) and its hinge stop",
        comparison="max relative error of the times; " + _BUDGET,
        parameters={"cases": CL5_CASES, "u0": CL5_U0},
        measure=_measure_cl5, checks=(_symbolic("CL5"),), domain=_domain_fraction),
    exact(
        id="CL6", title="Failure regions of a ReLU unit",
        provenance="P+D",
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
        measure=_measure_cl6, checks=(_cl6_regions, _cl6_stall, _symbolic("CL6")),
        domain=_domain_regions),
    exact(
        id="CL7", title="Two modes: the shared mode freezes the rarer one",
        provenance="P+D",
        statement="dot(u)_A = 2 r_A u_A [p g(u_A + u_B) + (1-p) g(u_A)], quad "
                  "dot(u)_B = 2 r_B p u_B g(u_A + u_B), quad u_(A 0) e^(2 r_A t_1) + "
                  "u_(B 0) e^(2 r_B p t_1) = 1",
        theory="theory.classification.two_mode_velocity, two_mode_freeze_time, "
               "two_mode_freeze_value, two_mode_stop_time",
        experiment="units A and B; points AB (fraction p) and A only; 2 cases. Hinge: branch "
                   "switches by event (AB at $t_1$, then A at $t_2$) and $u_B$ at the end. CE: the "
                   "network's $(dot(u)_A, dot(u)_B)$ on 9 states and at the onset $u_A + u_B = "
                   "ln 3$ (event)",
        comparison="$t_1$, $t_2$, the frozen $u_B$ and the CE velocities, relative (velocities "
                   "scaled "
                   "by the larger); B's CE per-capita rate at the onset must be $r_B p\\/2$; "
                   + _BUDGET + "; CE per-capita rate of B decreasing after the onset",
        parameters={"cases": CL7_CASES},
        measure=_measure_cl7, checks=(_cl7_freeze, _symbolic("CL7")),
        domain=_domain_two_mode),
    exact(
        id="CL8", title="Depth-$L$ chains: $dot(u) = L r^(2\\/L) u^(2 - 2\\/L) g(u)$",
        provenance="D",
        statement="dot(u) = L r^(2\\/L) u^(2 - 2\\/L) g(u)",
        theory="theory.classification.chain_time (hinge closed form; CE through ₁F₁, checked "
               "against the quadrature of 1/u̇) and chain_velocity (checked symbolically)",
        experiment=f"balanced ReLU chains of depth L ∈ {CL8_DEPTHS} ({CL8_DEPTHS_256} at 256 "
                   "bits), r = 1.3, u0 = 0.05: CE crossings of u = 0.5, 1, 2 and the hinge "
                   "stop, by event detection. Certificate: L = 2, 3 in Arb balls: the "
                   "network's $dot(u) = nabla u dot dot(theta)$ under CE against "
                   "$L r^(2\\/L) u^(2 - 2\\/L) sigma(-u)$ at the "
                   "enclosed u for t = 0, ½, …, 4, and the hinge stop time (interval Newton) "
                   "against the hinge clock at u = 1; the CE times for L ≥ 3 have no SymPy "
                   "closed form (₁F₁ in mpmath only) and are not certified",
        comparison="max relative error of the times; " + _BUDGET,
        parameters={"depths": CL8_DEPTHS, "depths_256_bits": CL8_DEPTHS_256, **CL8_SETUP},
        measure=_measure_cl8, checks=(_symbolic("CL8"),), certify=_certifier("CL8"),
        domain=_domain_chain),
)
