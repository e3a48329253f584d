"""Validated integration of a vector field in Arb ball arithmetic (Lohner's Taylor method).

:func:`enclose` returns, at each requested time, one ``flint.arb`` ball per state component
that is *guaranteed* to contain the exact solution of dθ/dt = rhs(θ; p) — the field's own
heyoka expressions, evaluated by :mod:`flowcert.numerics.ball_expressions`, never a reduced
ODE of a theory. Rounding, truncation of the Taylor series and the uncertainty of inputs
given as decimals are all inside the balls.

Method, per step [t, t + h] (Lohner 1987; Nedialkov, Jackson & Corliss 1999):

1. **A-priori enclosure.** With X the current box (hull of the enclosure and its midpoint
   x̂) and T = [0, h], find a box B with X + T·f(B) ⊆ B (start from X + T·f(X), inflate,
   retest; then iterate the Picard map inside B to tighten it). By the Picard–Lindelöf
   argument every solution starting in X exists on [0, h] and stays in B. If no such box is
   found, or a trial box reaches a ReLU kink where f's branch cannot be decided
   (:class:`~flowcert.numerics.ball_expressions.BranchError`), h is halved.
2. **Taylor coefficients** c_0..c_n of the solution from the point x̂, by Picard iteration on
   truncated series: x ← x̂ + ∫ f(x) gains one exact coefficient per pass (``arb_series``
   arithmetic, composition through exp/log/… included). Coefficient k is computed at
   ≈ bits·(1 − k/(n+1)) + 32 bits, the accuracy its term c_k h^k needs (see
   :meth:`_Integrator.taylor`).
3. **Remainder.** The Lagrange remainder of component j is c_{n+1,j}(x(ξ_j))·h^{n+1} with
   x(ξ_j) ∈ B, so it lies in c_{n+1}(B)·h^{n+1}: the same Picard series started from the box
   B. Then h is cut so that this bound stays below 2^-bits · ‖x̂‖∞ (the local tolerance).
4. **Wrapping-effect control (QR-Lohner / mean-value form).** The set of states is kept as
   x̂ + A·r with A a point matrix and r a box. The flow's Jacobian over X is enclosed by the
   variational equation V′ = Df(x)V, V(0) = I: its Taylor coefficients V_k(X) to order m,
   from the Jacobian Df (SymPy derivative of the field's expressions), plus the remainder
   V_{m+1}(B, W)·h^{m+1}, where W ⊇ V([0, h]) is the a-priori box I + T·Df(B)·W ⊆ W. Then
   x(t + h) ∈ z + (J A) r with z = Σ c_k h^k + remainder, and the new representation is
   x̂′ = mid z, A′ = Q of a column-pivoted QR of mid(J A) (float64 suffices: A′ is exact as
   stored and only needs to be well conditioned; its inverse is an Arb ball matrix), and
   r′ = (A′⁻¹ J A) r + A′⁻¹ (z − x̂′). The reported box is (x̂′ + A′r′) ∩ (z + (J A) r).
   Since J only multiplies r (radius ~2^-bits), its width matters only relative to 1: J,
   the a-priori boxes and c_{n+1}(B) are computed at AUXILIARY_BITS = 64 bits and J's order
   m makes its remainder ≈ 2^-JACOBIAN_BITS (m = 6 at 256 bits for n = 52).

Cost: each Picard pass re-evaluates the field on the whole truncated series, so a step costs
O(n) field evaluations on series of length ≤ n + 2 (three expansions: x̂ at full precision,
B and X at 64 bits), plus O(m²) ball-matrix products for J.

Output times are exact rationals (decimal strings are read exactly) and are hit exactly: the
step before each one is clipped to land on it. Events (:class:`~flowcert.numerics.flows.Crossing`)
are enclosed by interval Newton on G(τ) = g(x(t + τ)) − value, with x(t + τ) enclosed by the
step's Taylor polynomial, remainder and Jacobian term at the time ball τ (see
:func:`enclose`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import sympy
from flint import arb, arb_mat, arb_series, ctx, fmpq

from flowcert.numerics.ball_expressions import (
    BallProgram,
    BranchError,
    heyoka_to_sympy,
    jacobian,
    parameter_names,
    relative_radius,
    to_ball,
    to_rational,
    upper_float,
    working_precision,
)
from flowcert.numerics.flows import Crossing, VectorField
from flowcert.numerics.precision import check_bits

DEFAULT_MAX_STEPS = 100_000
#: Precision of everything that only has to be *contained*, not accurate: the a-priori boxes,
#: the remainder c_{n+1}(B) (a bound, wide anyway since B spans a whole step) and the flow's
#: Jacobian J, which only ever multiplies the coordinate box r (radius ~ 2^-bits). With J's
#: relative width ≈ 2^-64 ≈ 5e-20, r grows by that fraction per step at most: negligible for
#: any feasible number of steps. (At 53 bits everything runs at 53 bits.)
AUXILIARY_BITS = 64
#: Relative accuracy 2^-32 ≈ 2.3e-10 asked of J's Taylor series (its order m follows): the
#: width of J only inflates r, by that fraction per step, < 1e-5 relative over 1e4 steps.
JACOBIAN_BITS = 32
#: Default order ⌈bits/5⌉ within [12, 80]. Measured on DL1 case (1, 0.01, 1) at 256 bits, 41
#: outputs: orders 30/40/44/50/56/64/72 took 6.2/2.3/1.9/1.7/1.7/1.6/1.8 s, so ≈ 50 is on the
#: flat part; the order grows with the digits wanted (step ≈ ρ·2^(−bits/(n+1))).
MIN_ORDER, MAX_ORDER = 12, 80
#: Jorba & Zou (2005) safety factor e^{-0.7/(n-1)} on the step from the last coefficients.
_STEP_SAFETY_EXPONENT = 0.7
#: A-priori enclosure: inflate the trial box to twice its radius (the true range over the
#: step exceeds the first-order guess X + T·f(X) by the variation of f, a fraction h·L < 1 of
#: it), at most this many times, then halve h (at most _MAX_HALVINGS times in one step).
_INFLATION = 2
_APRIORI_ATTEMPTS = 6
_APRIORI_REFINEMENTS = 2
_MAX_HALVINGS = 60
#: Event location: bisect a step at most this deep when the crossing function is not
#: monotone over a piece; Newton stops once an iteration no longer halves the radius.
_EVENT_BISECTION_DEPTH = 6
_NEWTON_MAX_ITERATIONS = 100
_TAPER_GUARD = 32


class EnclosureError(RuntimeError):
    """The validated integration could not continue (no a-priori enclosure, step budget)."""


@dataclass(frozen=True)
class CrossingEnclosure:
    """Where g(state) = value may happen.

    ``certified``: exactly one crossing in the step is proven (strict sign change of
    g − value at the ends of ``time``, and d/dt g(x(t)) enclosed away from 0 over it), and
    ``time`` encloses it. Otherwise ``time`` is a stretch of the trajectory on which a
    crossing could not be excluded, and the event time is not certified. ``direction`` is
    +1 (upward), −1 (downward) or 0 (unknown).
    """

    time: arb
    certified: bool
    direction: int


@dataclass
class Enclosure:
    """Balls containing the exact solution at each requested time.

    ``states[i][j]`` contains component j at ``times[i]`` (exact rationals; only the times
    reached before an ``until`` event, see :func:`enclose`). ``events`` maps
    each event name to its crossings in time order. ``max_radius`` is the largest ball radius
    over all outputs and ``max_relative_radius`` the largest radius/|midpoint| (∞ where a
    midpoint is 0), both rounded up to float.
    """

    times: list[fmpq]
    states: list[list[arb]]
    events: dict[str, list[CrossingEnclosure]]
    precision_bits: int
    order: int
    steps: int
    max_radius: float
    max_relative_radius: float


def default_order(bits: int) -> int:
    """Taylor order for ``bits``-bit arithmetic: ⌈bits/5⌉ within [12, 80] (52 at 256 bits)."""
    return min(MAX_ORDER, max(MIN_ORDER, math.ceil(check_bits(bits) / 5)))


def enclose(field: VectorField, initial_state: Sequence, times: Sequence,
            params: Sequence = (), bits: int = 256, *, order: int | None = None,
            step=None, events: Sequence[Crossing] = (), until: str | None = None,
            max_steps: int = DEFAULT_MAX_STEPS) -> Enclosure:
    """Enclose the flow of ``field`` from t = 0 at ``times`` in ``bits``-bit ball arithmetic.

    ``initial_state``, ``params``, ``times``, ``step`` and event values may be ints, floats
    (exact binary values), decimal strings (exact decimals), Fractions, mpmath mpf or
    ``flint.arb`` balls (state, parameters and event values only). ``times`` must be
    non-negative and strictly increasing. ``order`` is the Taylor order (default
    :func:`default_order`); ``step`` fixes the step size (clipped at output times) instead of
    choosing it from the local tolerance 2^-bits·‖x̂‖∞ — with a fixed step the truncation
    remainder is whatever that step gives. ``until`` names one of ``events``: the
    integration ends after the first step in which that event may happen (a certified
    crossing or a stretch where one is not excluded), and only the output times reached
    before that step are reported, so ``Enclosure.times`` may be shorter than ``times`` and
    every reported time precedes the event — for a field that is the flow only up to the
    event (a hinge branch up to its stop; a chain's branch blows up soon after it). Raises
    ValueError on malformed input or an
    unsupported function in the field, :class:`EnclosureError` when no enclosure can be
    continued (e.g. a blow-up) or ``max_steps`` is exceeded.
    """
    bits = check_bits(bits)
    order = default_order(bits) if order is None else _check_order(order)
    programs = _field_programs(field)
    output_times = _check_times(times)
    event_programs = [_event_program(field, e) for e in _check_events(events)]
    if until is not None and until not in {e.name for e in events}:
        raise ValueError(f"until names no event: {until!r}")
    # series up to t^(order+1) (the remainder coefficient) must survive python-flint's cap
    with working_precision(bits, series_length=order + 2):
        state = _balls(initial_state, "initial state", field.dimension)
        pars = _balls(params, "parameters", field.n_params)
        values = _balls([e.value for e in events], "event values", len(events))
        fixed = None if step is None else _positive_rational(step, "step")
        integrator = _Integrator(programs, pars, order, fixed)
        flow = _Flow.start(state)
        outputs: list[list[arb]] = []
        found: dict[str, list[CrossingEnclosure]] = {e.name: [] for e in events}
        steps = 0
        for target in output_times:
            while flow.t < target and not (until is not None and found[until]):
                steps += 1
                if steps > max_steps:
                    raise EnclosureError(f"step budget exceeded ({max_steps} steps) at "
                                         f"t = {float(flow.t)!r}")
                taken = integrator.step(flow, target)
                for event, program, value in zip(events, event_programs, values, strict=True):
                    found[event.name] += taken.crossings(program, value)
                flow = taken.end
            if until is not None and found[until]:
                break
            outputs.append(list(flow.box))
        radius, relative = _radii(outputs)
    return Enclosure(times=output_times[:len(outputs)], states=outputs, events=found,
                     precision_bits=bits, order=order, steps=steps, max_radius=radius,
                     max_relative_radius=relative)


# ----------------------------------------------------------------------------- input checks


def _check_order(order) -> int:
    if isinstance(order, bool) or not isinstance(order, int) or order < 2:
        raise ValueError(f"order must be an integer ≥ 2, got {order!r}")
    return order


def _check_times(times: Sequence) -> list[fmpq]:
    if len(times) == 0:
        raise ValueError("times must not be empty")
    try:
        exact = [to_rational(t) for t in times]
    except ValueError as error:
        raise ValueError(f"times: {error}") from None
    if exact[0] < 0:
        raise ValueError(f"times must be non-negative, got {times[0]!r}")
    if any(b <= a for a, b in zip(exact, exact[1:], strict=False)):
        raise ValueError("times must be strictly increasing")
    return exact


def _check_events(events: Sequence[Crossing]) -> Sequence[Crossing]:
    names = [e.name for e in events]
    if len(set(names)) != len(names):
        raise ValueError(f"event names must be distinct, got {names}")
    return events


def _balls(values: Sequence, name: str, expected: int) -> list[arb]:
    if len(values) != expected:
        raise ValueError(f"{name} has {len(values)} entries, expected {expected}")
    try:
        return [to_ball(v) for v in values]
    except ValueError as error:
        raise ValueError(f"{name}: {error}") from None


def _positive_rational(value, name: str) -> fmpq:
    exact = to_rational(value)
    if not exact > 0:
        raise ValueError(f"{name} must be positive, got {value!r}")
    return exact


# ----------------------------------------------------------------------------- programs


@dataclass(frozen=True)
class _FieldPrograms:
    """The field f and its Jacobian Df (row-major) as ball programs of (state, params)."""

    dimension: int
    rhs: BallProgram
    jacobian: BallProgram
    inputs: tuple[str, ...]


_FIELD_CACHE: dict[str, _FieldPrograms] = {}
_EVENT_CACHE: dict[tuple[str, str, str], BallProgram] = {}


def _symbols(names: Sequence[str], expressions: Sequence[sympy.Expr]) -> list[sympy.Symbol]:
    """The symbols ``heyoka.to_sympy`` created for ``names`` (matched by name)."""
    present = {s.name: s for e in expressions for s in e.free_symbols}
    return [present.get(name, sympy.Symbol(name, real=True)) for name in names]


def _field_programs(field: VectorField) -> _FieldPrograms:
    """Compiled once per field key (the key names the expressions, see VectorField)."""
    if field.key not in _FIELD_CACHE:
        rhs = heyoka_to_sympy(field.rhs)
        names = [str(v) for v in field.variables]
        inputs = tuple(names + parameter_names(field.n_params))
        variables = _symbols(names, rhs)
        derivatives = jacobian(rhs, variables)
        programs = _FieldPrograms(field.dimension, BallProgram(rhs, inputs),
                                  BallProgram(derivatives, inputs), inputs)
        unsupported = programs.rhs.ball_only | programs.jacobian.ball_only
        if unsupported:
            raise ValueError(f"field {field.key!r} uses {sorted(unsupported)}, which have no "
                             "Taylor-series evaluation")
        _FIELD_CACHE[field.key] = programs
    return _FIELD_CACHE[field.key]


def _event_program(field: VectorField, event: Crossing) -> BallProgram:
    """g and dg/dt = ∇g·f for one crossing function, as one program of (state, params)."""
    expression = event.function(field.variables)
    key = (field.key, event.name, str(expression))
    if key not in _EVENT_CACHE:
        programs = _field_programs(field)
        (g,) = heyoka_to_sympy([expression])
        rhs = heyoka_to_sympy(field.rhs)
        variables = _symbols([str(v) for v in field.variables], [g, *rhs])
        rate = sum((sympy.diff(g, x) * f for x, f in zip(variables, rhs, strict=True)),
                   sympy.Integer(0))
        _EVENT_CACHE[key] = BallProgram([g, rate], programs.inputs)
    return _EVENT_CACHE[key]


# ----------------------------------------------------------------------------- ball helpers


def _hull(*values) -> arb:
    """The smallest ball containing all the given balls/rationals."""
    result = to_ball(values[0])
    for value in values[1:]:
        result = result.union(to_ball(value))
    return result


def _inflate(ball: arb) -> arb:
    """The ball with _INFLATION times the radius, plus 2^-prec·|mid| (never a point)."""
    extra = ball.rad() * (_INFLATION - 1) + abs(ball.mid()) * arb(2) ** -ctx.prec
    return ball + arb(0, 1) * extra


def _contains_zero(ball: arb) -> bool:
    return ball.contains(0)


def _log_max_abs(values: Sequence[arb]) -> float:
    """log max |v| (natural log, upper bound), −∞ when every value is 0."""
    largest = max((v.abs_upper() for v in values), default=arb(0))
    return -math.inf if largest == 0 else float(largest.log().upper())


def _coefficients(value, count: int) -> list[arb]:
    """The first ``count`` Taylor coefficients of a series (a ball is a constant series)."""
    return [_coefficient(value, k) for k in range(count)]


def _coefficient(value, k: int) -> arb:
    """The t^k coefficient of a series (of a ball: the ball itself for k = 0, else 0)."""
    if isinstance(value, arb):
        return value if k == 0 else arb(0)
    return value[k]


def _horner(coefficients: Sequence, h: arb):
    """Σ coefficients[k]·h^k for balls or ball matrices."""
    value = coefficients[-1]
    for coefficient in reversed(coefficients[:-1]):
        value = value * h + coefficient
    return value


def _column(values: Sequence[arb]) -> arb_mat:
    return arb_mat(len(values), 1, list(values))


def _radii(states: Sequence[Sequence[arb]]) -> tuple[float, float]:
    """(largest radius, largest radius/|midpoint|) over all balls, rounded up to float."""
    balls = [b for row in states for b in row]
    return (max((upper_float(b.rad()) for b in balls), default=0.0),
            max((relative_radius(b) for b in balls), default=0.0))


# ----------------------------------------------------------------------------- Lohner steps


@dataclass(frozen=True)
class _Flow:
    """The set of states at the exact time t: x̂ + A·r, and its box (ball per component)."""

    t: fmpq
    center: list[arb]
    basis: arb_mat
    coordinates: list[arb]
    box: list[arb]

    @classmethod
    def start(cls, state: list[arb]) -> _Flow:
        center = [b.mid() for b in state]
        n = len(state)
        return cls(fmpq(0), center, arb_mat(n, n, [int(i == j) for i in range(n)
                                                     for j in range(n)]),
                   [b - c for b, c in zip(state, center, strict=True)], list(state))


@dataclass(frozen=True)
class _Step:
    """One validated step from ``start`` over [0, h], enough to enclose x at any τ in it."""

    start: _Flow
    h: fmpq
    taylor: list[list[arb]]  # point Taylor coefficients c_0..c_n per component
    remainder: list[arb]     # c_{n+1}(B) per component
    variational: list[arb_mat]  # V_0..V_m over the box
    variational_remainder: arb_mat  # V_{m+1}(B, W)
    params: list[arb]
    end: _Flow

    def state_at(self, tau: arb) -> list[arb]:
        """Enclosure of x(t + τ) for every τ in the ball ``tau`` ⊆ [0, h]."""
        n = len(self.taylor[0]) - 1
        m = len(self.variational) - 1
        jacobian = _horner(self.variational, tau) + self.variational_remainder * tau ** (m + 1)
        spread = jacobian * self.start.basis * _column(self.start.coordinates)
        return [_horner(c, tau) + rem * tau ** (n + 1) + spread[j, 0]
                for j, (c, rem) in enumerate(zip(self.taylor, self.remainder, strict=True))]

    def crossings(self, program: BallProgram, value: arb) -> list[CrossingEnclosure]:
        """Crossings of g = value in this step (certified, or stretches not excluded)."""
        found = self._locate(program, value, fmpq(0), self.h, 0)
        return [CrossingEnclosure(arb(self.start.t) + tau, certified, direction)
                for tau, certified, direction in found]

    def _g(self, program: BallProgram, value: arb, tau: arb) -> tuple[arb, arb]:
        g, rate = program(self.state_at(tau) + self.params)
        return g - value, rate

    def _locate(self, program, value, lo: fmpq, hi: fmpq, depth: int) -> list[tuple]:
        """Bisection on [lo, hi]: exclude by range, then decide by monotone sign change."""
        whole = _hull(lo, hi)
        g, rate = self._g(program, value, whole)
        if not _contains_zero(g):
            return []
        if not _contains_zero(rate):
            g_lo, _ = self._g(program, value, arb(lo))
            g_hi, _ = self._g(program, value, arb(hi))
            if _contains_zero(g_lo) or _contains_zero(g_hi):
                return [(whole, False, 0)]
            if (g_lo > 0) == (g_hi > 0):
                return []
            return [(self._newton(program, value, whole), True, 1 if rate > 0 else -1)]
        if depth >= _EVENT_BISECTION_DEPTH:
            return [(whole, False, 0)]
        middle = (lo + hi) / 2
        return (self._locate(program, value, lo, middle, depth + 1)
                + self._locate(program, value, middle, hi, depth + 1))

    def _newton(self, program, value, interval: arb) -> arb:
        """Interval Newton N(T) = m − G(m)/G′(T), T ← T ∩ N(T): every root in T stays in T."""
        for _ in range(_NEWTON_MAX_ITERATIONS):
            middle = interval.mid()
            g_mid, _ = self._g(program, value, middle)
            _, rate = self._g(program, value, interval)
            newton = middle - g_mid / rate
            if _contains_zero(rate) or not newton.overlaps(interval):
                break  # (cannot happen for a root proven by a monotone sign change)
            narrowed = newton.intersection(interval)
            halved = narrowed.rad() <= interval.rad() / 2
            interval = narrowed
            if not halved:
                break
        return interval


class _Integrator:
    """Lohner steps of one field with fixed parameters, order and (optionally) step size."""

    def __init__(self, programs: _FieldPrograms, params: list[arb], order: int,
                 fixed_step: fmpq | None):
        self.programs = programs
        self.params = params
        self.order = order
        self.auxiliary_bits = min(ctx.prec, AUXILIARY_BITS)
        # J's remainder ≈ (h/ρ)^(m+1) with h/ρ ≈ 2^(-prec/(n+1)): make it ≈ 2^-JACOBIAN_BITS
        self.jacobian_order = min(order, max(2, math.ceil(
            (order + 1) * JACOBIAN_BITS / ctx.prec) - 1))
        self.fixed_step = fixed_step
        self.n = programs.dimension
        self.identity = arb_mat(self.n, self.n, [int(i == j) for i in range(self.n)
                                                  for j in range(self.n)])

    # -- evaluations

    def rhs(self, state: Sequence) -> list:
        return self.programs.rhs(list(state) + self.params)

    def jacobian_series(self, state: Sequence, count: int) -> list[arb_mat]:
        """Taylor coefficients D_0..D_{count-1} of Df(x(t)) as ball matrices."""
        entries = [_coefficients(e, count) for e in
                   self.programs.jacobian(list(state) + self.params)]
        n = self.n
        return [arb_mat(n, n, [entries[i][k] for i in range(n * n)]) for k in range(count)]

    def taylor(self, state: Sequence[arb], order: int,
               tapered: bool = False) -> list[list[arb]]:
        """Taylor coefficients c_0..c_order of x(t) for every start in the balls ``state``.

        Picard passes on truncated series: pass k evaluates f on c_0..c_{k-1} and yields
        c_k = [t^(k-1)] f(x) / k (each pass fixes one more coefficient). ``tapered``: pass k
        runs at ⌈prec·(1 − (k−1)/(order+1))⌉ + 32 bits (at least AUXILIARY_BITS), since
        c_k h^k ≈ ‖x‖·2^(−prec·k/(order+1)) at the tolerance-limited step and so needs fewer
        bits as k grows; 32 guard bits absorb cancellation. Lower precision only widens
        balls, never invalidates them.
        """
        coefficients = [[s] for s in state]
        bits = ctx.prec
        for k in range(1, order + 1):
            precision = bits if not tapered else min(bits, max(
                AUXILIARY_BITS, math.ceil(bits * (1 - (k - 1) / (order + 1))) + _TAPER_GUARD))
            with working_precision(precision):
                rates = self.rhs([arb_series(c, prec=k) for c in coefficients])
                for c, rate in zip(coefficients, rates, strict=True):
                    c.append(_coefficient(rate, k - 1) / k)
        return coefficients

    @staticmethod
    def variational(jacobian: list[arb_mat], start: arb_mat, count: int) -> list[arb_mat]:
        """V_0..V_{count-1} of V′ = D(t)V: V_{k+1} = Σ_{j≤k} D_j V_{k−j} / (k + 1)."""
        coefficients = [start]
        for k in range(count - 1):
            total = jacobian[0] * coefficients[k]
            for j in range(1, k + 1):
                total += jacobian[j] * coefficients[k - j]
            coefficients.append(total / (k + 1))
        return coefficients

    # -- a-priori enclosures

    @staticmethod
    def fixed_point_box(picard, seed: list[arb]) -> list[arb] | None:
        """A box Y with picard(Y) ⊆ Y (then picard iterates stay valid enclosures), or None."""
        box = [_inflate(b) for b in picard(seed)]
        for _ in range(_APRIORI_ATTEMPTS):
            image = picard(box)
            if all(b.contains(y) for b, y in zip(box, image, strict=True)):
                for _ in range(_APRIORI_REFINEMENTS):
                    image = picard(image)
                return image
            box = [_inflate(b.union(y)) for b, y in zip(box, image, strict=True)]
        return None

    def apriori(self, box: list[arb], window: arb) -> tuple[list[arb], arb_mat] | None:
        """(B, W): B ⊇ x([0,h]) from every start in ``box``; W ⊇ V([0,h]) for those paths."""
        def state_map(candidate):
            return [x + window * f for x, f in zip(box, self.rhs(candidate), strict=True)]

        states = self.fixed_point_box(state_map, box)
        if states is None:
            return None
        jacobian = self.jacobian_series(states, 1)[0]
        n = self.n

        def matrix_map(candidate):
            image = self.identity + window * (jacobian * arb_mat(n, n, candidate))
            return image.entries()

        matrices = self.fixed_point_box(matrix_map, self.identity.entries())
        if matrices is None:
            return None
        return states, arb_mat(n, n, matrices)

    # -- one step

    def proposed_step(self, taylor: list[list[arb]], center: list[arb]) -> float:
        """h with ‖c_k‖ h^k ≈ 2^-prec ‖x̂‖ for k = n−1, n (Jorba–Zou), ∞ for polynomials."""
        n = self.order
        log_scale = _log_max_abs(center)
        log_scale = 0.0 if log_scale == -math.inf else log_scale
        log_eps = -ctx.prec * math.log(2)
        radii = []
        for k in (n - 1, n):
            log_coefficient = _log_max_abs([c[k] for c in taylor])
            if log_coefficient > -math.inf:
                radii.append((log_scale - log_coefficient) / k)
        if not radii:
            return math.inf
        return math.exp(min(radii) + log_eps / (n + 1) - _STEP_SAFETY_EXPONENT / (n - 1))

    def step(self, flow: _Flow, target: fmpq) -> _Step:
        """One validated step from ``flow`` that ends at or before ``target``."""
        n, m = self.order, self.jacobian_order
        taylor = self.taylor(flow.center, n, tapered=True)
        remaining = target - flow.t
        if self.fixed_step is not None:
            h = min(self.fixed_step, remaining)
        else:
            h = _choose(_dyadic(self.proposed_step(taylor, flow.center)), remaining)
        if not h > 0:
            raise EnclosureError(f"step size underflow at t = {float(flow.t)!r} (non-finite "
                                 "Taylor coefficients?)")
        box = [b.union(c) for b, c in zip(flow.box, flow.center, strict=True)]
        kink: BranchError | None = None
        for _ in range(_MAX_HALVINGS):
            try:
                with working_precision(self.auxiliary_bits):
                    enclosures = self.apriori(box, _hull(0, h))
            except BranchError as error:  # a trial box reached a ReLU kink: try a shorter step
                kink, enclosures = error, None
            if enclosures is not None:
                break
            if self.fixed_step is not None:
                raise EnclosureError(f"no a-priori enclosure for the fixed step {h} at "
                                     f"t = {float(flow.t)!r}") from kink
            h /= 2
        else:
            raise EnclosureError(f"no a-priori enclosure at t = {float(flow.t)!r}: the step "
                                 "size collapsed (blow-up, non-finite field, or a state at a "
                                 "ReLU kink?)") from kink
        states, matrices = enclosures
        with working_precision(self.auxiliary_bits):
            box_series = self.taylor(states, n + 1)
            remainder = [c[n + 1] for c in box_series]
        if self.fixed_step is None:
            h = min(h, _dyadic(self.tolerated_step(remainder, flow.center)))
        if not h > 0:
            raise EnclosureError(f"step size underflow at t = {float(flow.t)!r}")
        with working_precision(self.auxiliary_bits):
            around = self.jacobian_series([arb_series(c[:m + 1], prec=m + 1)
                                           for c in box_series], m + 1)
            variational_remainder = self.variational(around, matrices, m + 2)[m + 1]
            local = self.jacobian_series([arb_series(c, prec=m + 1)
                                          for c in self.taylor(box, m)], m)
            variational = self.variational(local, self.identity, m + 1)
        end = self.advance(flow, h, taylor, remainder, variational, variational_remainder)
        return _Step(flow, h, taylor, remainder, variational, variational_remainder,
                     self.params, end)

    def tolerated_step(self, remainder: list[arb], center: list[arb]) -> float:
        """The largest h′ with |c_{n+1}(B)| h′^{n+1} ≤ 2^-prec ‖x̂‖∞ (B is valid for h′)."""
        log_remainder = _log_max_abs(remainder)
        if log_remainder == -math.inf:
            return math.inf
        log_scale = _log_max_abs(center)
        log_target = -ctx.prec * math.log(2) + (0.0 if log_scale == -math.inf else log_scale)
        return math.exp((log_target - log_remainder) / (self.order + 1))

    def advance(self, start: _Flow, step: fmpq, taylor: list[list[arb]],
                remainder: list[arb], variational: list[arb_mat],
                variational_remainder: arb_mat) -> _Flow:
        """QR-Lohner update of x̂ + A·r to the end of the step."""
        h = arb(step)
        n, m = self.order, self.jacobian_order
        z = [_horner(c, h) + rem * h ** (n + 1)
             for c, rem in zip(taylor, remainder, strict=True)]
        jacobian = _horner(variational, h) + variational_remainder * h ** (m + 1)
        propagated = jacobian * start.basis
        r = _column(start.coordinates)
        center = [v.mid() for v in z]
        basis = _orthogonal_basis(propagated, start.coordinates)
        inverse = basis.inv()
        offset = _column([a - b for a, b in zip(z, center, strict=True)])
        coordinates = (inverse * propagated) * r + inverse * offset
        through_basis = basis * coordinates
        direct = propagated * r
        box = [(c + through_basis[j, 0]).intersection(z[j] + direct[j, 0])
               for j, c in enumerate(center)]
        return _Flow(start.t + step, center, basis,
                     [coordinates[j, 0] for j in range(self.programs.dimension)], box)


def _choose(proposal: fmpq, remaining: fmpq) -> fmpq:
    """The step: ``remaining`` if the proposal reaches it, half of it if it nearly does
    (no sliver step before an output time), else the proposal."""
    if proposal >= remaining:
        return remaining
    if 2 * proposal >= remaining:
        return remaining / 2
    return proposal


def _dyadic(value: float) -> fmpq:
    """``value`` rounded down to 20 significant bits (exact, short binary step sizes); an
    infinite value (no limit) becomes 2^1000, a NaN or non-positive one 0."""
    if math.isinf(value):
        return fmpq(2) ** 1000
    if not value > 0:  # also NaN (a non-finite field): the caller reports the underflow
        return fmpq(0)
    mantissa, exponent = math.frexp(value)
    return fmpq(math.floor(mantissa * 2**20)) * fmpq(2) ** (exponent - 20)


def _orthogonal_basis(matrix: arb_mat, coordinates: Sequence[arb]) -> arb_mat:
    """Q of the QR factorisation of mid(matrix), columns ordered by decreasing ‖column‖·|r_j|.

    Lohner's column pivoting puts the widest direction first. Computed in float64 (Q is
    stored exactly; only its conditioning matters); the identity if float64 overflows.
    """
    n = matrix.nrows()
    middle = np.array([[float(matrix[i, j].mid()) for j in range(n)] for i in range(n)])
    if not np.all(np.isfinite(middle)):
        return arb_mat(n, n, [int(i == j) for i in range(n) for j in range(n)])
    widths = np.array([float(abs(r).upper()) for r in coordinates])
    order = np.argsort(-np.linalg.norm(middle, axis=0) * widths, kind="stable")
    q, _ = np.linalg.qr(middle[:, order])
    return arb_mat(q.tolist())
