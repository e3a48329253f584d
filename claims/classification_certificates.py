"""Certificates of claims CL1, CL2, CL3 and CL8 (issue 16): proofs at finitely many points.

Each ``certify_clk(bits)`` encloses the gradient flow of the claim's ReLU network —
``ReluModeNetwork.vector_field(loss)``, the field the ladder integrates (automatic
differentiation of the loss, ReLU included: heyoka's relu/relup arrive as SymPy Piecewise,
which :mod:`flowcert.numerics.ball_expressions` evaluates only where the sign of the ReLU's
argument is proven on the whole a-priori box of a step) — in ``bits``-bit Arb balls
(:mod:`flowcert.numerics.validated`) and compares it with the theory's SymPy closed forms
(:mod:`flowcert.theory.classification`, looked up when the certifier runs), evaluated in the
same arithmetic by the helpers of :mod:`flowcert.claims.certification`. The margin u and
its rate u̇ = ∇u·θ̇ are the network's own: the heyoka margin expression and its Lie derivative
along the field, both in balls.

**The hinge.** The network's hinge flow is a branch field (loss Σ_active ω(1 − u)) up to the
stop u = 1 and at rest after it (no active point, zero gradient). Its enclosures run the
branch with the stop as event and ``until`` it — they end with the step in which u may reach
1, and report only output times before it — so every compared state is one of the network's
flow before the stop; the state at rest after the stop is not enclosed (it is the stop
state). The stop time itself is a certified crossing (interval Newton). g = 1[u < 1] is
evaluated as a Piecewise in balls, so a state at the kink could not pass unnoticed.

* CL1 — the ladder's 5 (r, a0, b0) cases (3 cross-entropy, 2 hinge) on its 13-point grid
  on [0, 6] (hinge: the grid times before the stop): a² − b² against its exact initial value
  c, and the network's u̇ against MARGIN_VELOCITY r g(u)√(r²c² + 4u²) at the enclosed u with
  g = σ(−u) (cross-entropy) or 1[u < 1] (hinge) — both sides in balls.
* CL2 — the ladder's 3 balanced cases (labels ±1, a0 = y·b0 = y√(u0/r) as balls): the
  enclosed times at which u crosses 0.5, 1, 3, 6 (those above u0) against
  CROSS_ENTROPY_CLOCK/(2r).
* CL3 — the ladder's 4 hinge cases (c = 0, c > 0, c < 0, u0 < 0) on its 9-point grid up to
  1.5× an upper bound of the stop: u(t) at the grid times before the stop against
  HINGE_MARGIN (its c → 0 limit, taken by SymPy, for c = 0), and the stop time against the
  root of HINGE_MARGIN = 1 (interval Newton on the closed form).
* CL8 — balanced chains of depth L = 2 and 3, the ladder's 256-bit depths (L = 3: the
  powers 2 − 2/L and 2/L are not integers; L = 5 certifies as well, at ~6 s more at 113
  bits), r = 1.3, u0 = 0.05: under
  cross-entropy the network's u̇ against the chain velocity L r^{2/L} u^{2−2/L} σ(−u) at the
  enclosed u at t = 0, ½, …, 4 (both sides in balls); under the hinge the stop time against
  the hinge clock at u = 1 (its L → 2 limit for L = 2).

Horizons come from bounds of the claims' module or derived here from u̇ inequalities, never
from the closed forms under test. Network enclosures depend on the numerics only and are
computed once per process and precision.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping

import mpmath
import sympy as sp
from flint import arb, fmpq

from flowcert.claims.certification import (
    closed_form_root,
    crossing_pairs,
    evaluate,
    rational_grid,
    state_pairs,
)
from flowcert.claims.classification import (
    CL1_CASES,
    CL1_HORIZON,
    CL1_POINTS,
    CL2_CASES,
    CL2_LEVELS,
    CL3_CASES,
    CL3_POINTS,
    CL8_DEPTHS_256,
    CL8_SETUP,
    SINGLE,
    SINGLE_NEGATIVE,
    classification_horizon,
    classification_stop_bound,
)
from flowcert.numerics.ball_expressions import (
    BallProgram,
    heyoka_program,
    to_ball,
    to_rational,
    working_precision,
)
from flowcert.numerics.certificate import Certificate, Pair, decide
from flowcert.numerics.flows import Crossing, VectorField
from flowcert.numerics.relu_modes import ReluModeNetwork, lie_derivative
from flowcert.numerics.validated import Enclosure, enclose
from flowcert.theory import classification

#: CL8: the cross-entropy states compared, t = 0, ½, …, 4 for every depth: u rises from
#: u0 = 0.05 to about the ladder's top level 2 by t = 4 at L = 2 and 3 (a fixed grid; the
#: velocity identity holds at any state, so the grid only chooses where it is tested).
CL8_TIMES = tuple(fmpq(k, 2) for k in range(9))
#: Margin over the hinge-stop bound of CL8 (as classification_stop_bound's 1.5), so that
#: the stop lies strictly inside the enclosed interval.
STOP_MARGIN = fmpq(3, 2)

_U, _C, _R, _T, _U0, _P = (classification.u, classification.c, classification.r,
                           classification.t, classification.u0, classification.p)
#: The hinge's g = −ℓ′(u) = 1[u < 1] (theory.classification's setup), as a Piecewise: in
#: balls it is 1 only where u < 1 is proven.
HINGE_WEIGHT = sp.Piecewise((1, _U < 1), (0, True))


# ----------------------------------------------------------------------------- helpers


def _float_bound(bound: Callable, *args) -> fmpq:
    """A horizon bound of the claims' module (mpmath) at float precision from exact
    arguments (decimal strings, rationals), as the exact rational it rounds to."""
    with mpmath.workprec(53):
        return to_rational(bound(*[_mpf(a) for a in args]))


def _mpf(value) -> mpmath.mpf:
    """An exact argument at the current mpmath precision."""
    exact = to_rational(value)
    return mpmath.mpf(int(exact.p)) / int(exact.q)


def _chain_network(depth: int) -> ReluModeNetwork:
    return ReluModeNetwork(1, ((0,),), (1,), depth=depth)


def _field(network: ReluModeNetwork, loss: str) -> VectorField:
    """The cross-entropy field, or the hinge branch with the single point active."""
    return network.vector_field(loss, None if loss == "cross_entropy" else frozenset({0}))


@functools.cache
def _margin_program(network: ReluModeNetwork, loss: str) -> BallProgram:
    """(u, u̇) of the network's point 0 from (state, parameters): its margin expression and
    that expression's Lie derivative along the field (autodiff), in balls."""
    field = _field(network, loss)
    margin = network.margin_expression(0)
    return heyoka_program([margin, lie_derivative(margin, field)], field.variables,
                          field.n_params)


def _parameters(network: ReluModeNetwork, r: fmpq, bits: int) -> list[arb]:
    with working_precision(bits):
        return [to_ball(p) for p in network.flow_parameters([r], [1])]


def _stop(network: ReluModeNetwork) -> Crossing:
    expression = network.margin_expression(0)
    return Crossing("stop", lambda _variables: expression, 1)


def _exact(case: Mapping, *keys: str) -> list[fmpq]:
    return [to_rational(case[k]) for k in keys]


def _label(claim_id: str, case: Mapping) -> str:
    return f"{claim_id} (" + ", ".join(f"{k} = {v}" for k, v in case.items()) + ")"


def _weighted(expression: sp.Expr, loss: str) -> sp.Expr:
    """MARGIN_VELOCITY with its g(u) = −ℓ′(u): σ(−u) (cross-entropy) or 1[u < 1] (hinge)."""
    weight = classification.sigmoid(-_U) if loss == "cross_entropy" else HINGE_WEIGHT
    return expression.subs(sp.Function("g")(_U), weight)


# ----------------------------------------------------------------------------- CL1


@functools.cache
def _cl1_enclosure(r: str, a0: str, b0: str, loss: str, bits: int) -> Enclosure:
    """The unit from (a0, b0) on the ladder's grid; the hinge's branch until its stop."""
    params = SINGLE.flow_parameters([to_rational(r)], [1])
    grid = rational_grid(CL1_HORIZON, CL1_POINTS)
    if loss == "cross_entropy":
        return enclose(_field(SINGLE, loss), [a0, b0], grid, params, bits)
    return enclose(_field(SINGLE, loss), [a0, b0], grid, params, bits,
                   events=[_stop(SINGLE)], until="stop")


def certify_cl1(bits: int) -> Certificate:
    """CL1: a² − b² against c = a0² − b0², and the network's u̇ = ∇u·θ̇ against
    r g(u)√(r²c² + 4u²) at the enclosed u, at every grid time (hinge: before the stop), for
    the ladder's five cases."""
    pairs: list[Pair] = []
    for case in CL1_CASES:
        r, a0, b0 = _exact(case, "r", "a0", "b0")
        loss = case["loss"]
        c0 = a0**2 - b0**2
        program = _margin_program(SINGLE, loss)
        params = _parameters(SINGLE, r, bits)
        law = _weighted(classification.MARGIN_VELOCITY, loss)

        def observed(state, program=program, params=params) -> list[arb]:
            return [state[0] ** 2 - state[1] ** 2, program(list(state) + params)[1]]

        def predicted(_t: arb, state, program=program, params=params, law=law, r=r,
                      c0=c0) -> list[arb]:
            margin = program(list(state) + params)[0]
            return [arb(c0), evaluate(law, {_U: margin, _C: arb(c0), _R: arb(r)})]

        pairs += state_pairs(_cl1_enclosure(case["r"], case["a0"], case["b0"], loss, bits),
                             observed, predicted, _label("CL1", case), ["a² − b²", "u̇"])
    return decide(pairs, bits)


# ----------------------------------------------------------------------------- CL2


@functools.cache
def _cl2_enclosure(r: str, u0: str, label: int, bits: int) -> Enclosure:
    """The balanced unit a0 = y√(u0/r), b0 = √(u0/r) (balls) under cross-entropy, until it
    crosses the highest level above u0; horizon classification_horizon (a bound from
    u̇ ≥ 2ru σ(−level), independent of the Ei clock)."""
    network = SINGLE if label == 1 else SINGLE_NEGATIVE
    levels = [level for level in CL2_LEVELS if to_rational(level) > to_rational(u0)]
    margin = network.margin_expression(0)
    events = [Crossing(f"u = {level}", lambda _v: margin, to_rational(level))
              for level in levels]
    with working_precision(bits):
        weight = (to_ball(u0) / to_ball(r)).sqrt()
        start = [label * weight, weight]
    horizon = _float_bound(classification_horizon, u0, r, levels[-1])
    return enclose(_field(network, "cross_entropy"), start, [horizon],
                   network.flow_parameters([to_rational(r)], [1]), bits, events=events,
                   until=events[-1].name)


def certify_cl2(bits: int) -> Certificate:
    """CL2: the enclosed times at which u crosses 0.5, 1, 3, 6 (above u0) against
    CROSS_ENTROPY_CLOCK/(2pr) at p = 1, for the ladder's three balanced cases."""
    pairs: list[Pair] = []
    missing: list[str] = []
    clock = classification.CROSS_ENTROPY_CLOCK / (2 * _P * _R)
    for case in CL2_CASES:
        r, u0 = _exact(case, "r", "u0")
        enclosure = _cl2_enclosure(case["r"], case["u0"], case["label"], bits)
        with working_precision(bits):
            expected = {name: evaluate(clock, {_U: arb(to_rational(name.split(" = ")[1])),
                                               _U0: arb(u0), _R: arb(r), _P: arb(1)})
                        for name in enclosure.events}
        found, lost = crossing_pairs(enclosure, expected, _label("CL2", case))
        pairs += found
        missing += lost
    return decide(pairs, bits, evidence=missing)


# ----------------------------------------------------------------------------- CL3


@functools.cache
def _cl3_enclosure(r: str, a0: str, b0: str, bits: int) -> Enclosure:
    """The hinge branch from (a0, b0) on the ladder's grid, until its stop."""
    grid = rational_grid(_cl3_end(r, a0, b0), CL3_POINTS)
    return enclose(_field(SINGLE, "hinge"), [a0, b0], grid,
                   SINGLE.flow_parameters([to_rational(r)], [1]), bits,
                   events=[_stop(SINGLE)], until="stop")


def _cl3_end(r: str, a0: str, b0: str) -> fmpq:
    """The ladder's grid end: classification_stop_bound (1.5× a bound on the stop from
    u̇ ≥ max(r²|c|, 2r|u|), independent of the sinh form)."""
    rv, av, bv = (to_rational(v) for v in (r, a0, b0))
    return _float_bound(classification_stop_bound, av * bv * rv, av**2 - bv**2, rv)


@functools.cache
def _balanced_limit(expression: sp.Expr) -> sp.Expr:
    """The c → 0⁺ limit of a closed form in c (SymPy), for the balanced hinge case."""
    k = sp.Symbol("k", positive=True)
    return sp.limit(expression.subs(_C, k), k, 0, "+")


def certify_cl3(bits: int) -> Certificate:
    """CL3: the hinge unit's u(t) at the grid times before its stop against HINGE_MARGIN
    (c → 0 limit for c = 0), and its stop time against the root of HINGE_MARGIN = 1 in
    [0, grid end], for the ladder's four cases."""
    pairs: list[Pair] = []
    missing: list[str] = []
    program = _margin_program(SINGLE, "hinge")
    for case in CL3_CASES:
        r, a0, b0 = _exact(case, "r", "a0", "b0")
        u0, c0 = a0 * b0 * r, a0**2 - b0**2
        form = classification.HINGE_MARGIN if c0 != 0 else \
            _balanced_limit(classification.HINGE_MARGIN)
        params = _parameters(SINGLE, r, bits)
        enclosure = _cl3_enclosure(case["r"], case["a0"], case["b0"], bits)
        label = _label("CL3", case)
        with working_precision(bits):
            values = {_U0: arb(u0), _C: arb(c0), _R: arb(r)}
            end = _cl3_end(case["r"], case["a0"], case["b0"])
            stop = closed_form_root(form - 1, _T, values, fmpq(0), end)

        def observed(state, params=params) -> list[arb]:
            return [program(list(state) + params)[0]]

        def predicted(t: arb, _state, form=form, values=values) -> list[arb]:
            return [evaluate(form, values | {_T: t})]

        pairs += state_pairs(enclosure, observed, predicted, f"{label}, u")
        if stop is None:
            missing.append(f"{label}: HINGE_MARGIN = 1 has no proven single root in "
                           f"[0, {float(end):.6g}]")
            continue
        found, lost = crossing_pairs(enclosure, {"stop": stop}, label)
        pairs += found
        missing += lost
    return decide(pairs, bits, evidence=missing)


# ----------------------------------------------------------------------------- CL8


def _chain_rate_floor(depth: int, r: fmpq, u0: fmpq) -> mpmath.mpf:
    """L r^{2/L} u0^{1−2/L}: for u ≥ u0, u^{2−2/L} ≥ u0^{1−2/L}·u, so a balanced chain's
    u̇ = L r^{2/L} u^{2−2/L} g(u) is at least this times g·u (exponential lower bound)."""
    return depth * _mpf(r) ** (mpmath.mpf(2) / depth) * _mpf(u0) ** (1 - mpmath.mpf(2) / depth)


def _hinge_horizon(depth: int) -> fmpq:
    """STOP_MARGIN × ln(1/u0)/floor: by the floor above (g = 1 before the stop) the hinge
    chain reaches u = 1 by ln(1/u0)/floor; at float precision, as an exact rational."""
    r, u0 = (to_rational(CL8_SETUP[k]) for k in ("r", "u0"))
    with mpmath.workprec(53):
        return to_rational(-mpmath.log(_mpf(u0)) / _chain_rate_floor(depth, r, u0)) \
            * STOP_MARGIN


def _chain_start(depth: int, bits: int) -> list[arb]:
    """The balanced chain's weights w = (u0/r)^(1/L) (a ball), all equal."""
    r, u0 = (CL8_SETUP[k] for k in ("r", "u0"))
    with working_precision(bits):
        return [(to_ball(u0) / to_ball(r)).root(depth)] * depth


@functools.cache
def _cl8_enclosures(depth: int, bits: int) -> tuple[Enclosure, Enclosure]:
    """(cross-entropy flow at CL8_TIMES, hinge branch until its stop) of the balanced chain
    of ``depth``."""
    network = _chain_network(depth)
    params = network.flow_parameters([to_rational(CL8_SETUP["r"])], [1])
    start = _chain_start(depth, bits)
    return (enclose(_field(network, "cross_entropy"), start, CL8_TIMES, params, bits),
            enclose(_field(network, "hinge"), start, [_hinge_horizon(depth)], params, bits,
                    events=[_stop(network)], until="stop"))


def _hinge_clock(depth: int) -> sp.Expr:
    """The theory's hinge chain clock at depth L (its L → 2 limit, by SymPy, at L = 2)."""
    clock = classification._chain_hinge_clock()
    if depth != 2:
        return clock.subs(classification.depth, depth)
    return _depth_two_limit(clock)


@functools.cache
def _depth_two_limit(clock: sp.Expr) -> sp.Expr:
    x = sp.Symbol("x", positive=True)
    return sp.limit(clock.subs(classification.depth, x), x, 2)


def certify_cl8(bits: int) -> Certificate:
    """CL8: for balanced chains of depth 2 and 3, the network's u̇ = ∇u·θ̇ under
    cross-entropy against L r^{2/L} u^{2−2/L} σ(−u) at the enclosed u (t = 0, ½, …, 4), and the
    enclosed hinge stop time against the hinge clock from u0 to u = 1."""
    pairs: list[Pair] = []
    missing: list[str] = []
    r, u0 = (to_rational(CL8_SETUP[k]) for k in ("r", "u0"))
    for depth in CL8_DEPTHS_256:
        network = _chain_network(depth)
        cross_entropy, hinge = _cl8_enclosures(depth, bits)
        program = _margin_program(network, "cross_entropy")
        params = _parameters(network, r, bits)
        law = classification._chain_velocity().subs(classification.depth, depth)
        label = f"CL8 L = {depth}"

        def observed(state, program=program, params=params) -> list[arb]:
            return [program(list(state) + params)[1]]

        def predicted(_t: arb, state, program=program, params=params, law=law) -> list[arb]:
            margin = program(list(state) + params)[0]
            return [evaluate(law, {_U: margin, _R: arb(r)})]

        pairs += state_pairs(cross_entropy, observed, predicted, f"{label}, cross-entropy u̇")
        with working_precision(bits):
            stop = evaluate(_hinge_clock(depth), {_U: arb(1), _U0: arb(u0), _R: arb(r)})
        found, lost = crossing_pairs(hinge, {"stop": stop}, f"{label}, hinge")
        pairs += found
        missing += lost
    return decide(pairs, bits, evidence=missing)


#: The certifier of each claim id (claims.classification declares them through this table).
CERTIFIERS: dict[str, Callable[[int], Certificate]] = {
    "CL1": certify_cl1, "CL2": certify_cl2, "CL3": certify_cl3, "CL8": certify_cl8,
}
