"""Certificates of claims: the network's own flow in Arb balls against SymPy closed forms.

A claim's ``certify(bits)`` (issue 16) proves or refutes its closed form at finitely many
points, in three moves that every family shares:

1. **Enclose** the gradient flow of the network — the same
   :class:`~flowcert.numerics.flows.VectorField` the precision ladder integrates (automatic
   differentiation of the loss, never the theory's reduced ODE) — from an exact initial
   state (decimal strings, rationals, or balls such as √u0) with
   :func:`flowcert.numerics.validated.enclose`, at fixed output times, or with
   :func:`enclose_until_crossed` when only crossing times are compared.
2. **Evaluate** the theory's SymPy expressions in the same ball arithmetic
   (:func:`evaluate`, :func:`evaluate_many`: compiled once per expression into a
   :class:`~flowcert.numerics.ball_expressions.BallProgram`), never its mpmath evaluators,
   whose rounding is not enclosed. Expressions are passed in at call time, so a replaced
   theory expression is what gets certified.
3. **Pair** an enclosed quantity with its closed form at each point — :func:`state_pairs`
   (a function of the enclosed state against a function of the time and that state:
   trajectories, conserved quantities, identities between two sides evaluated at the
   enclosed state), :func:`crossing_pairs` (an enclosed crossing time, located by interval
   Newton, against a closed-form time) — and decide all pairs of a claim at once with
   :func:`flowcert.numerics.certificate.decide`: refuted if any closed-form ball misses its
   enclosure, inconclusive if a ball is too wide to decide (relative radius above
   INCONCLUSIVE_RELATIVE_RADIUS) or a crossing was not certified, certified otherwise.

Each pair's label names the case, the time and the quantity, so a refutation says where.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Mapping, Sequence

import heyoka as hy
import sympy as sp
from flint import arb, ctx, fmpq

from flowcert.numerics.ball_expressions import (
    BallProgram,
    heyoka_program,
    to_rational,
    working_precision,
)
from flowcert.numerics.certificate import Pair
from flowcert.numerics.flows import Crossing, VectorField
from flowcert.numerics.validated import Enclosure, enclose

State = Sequence[arb]
#: The horizon of :func:`enclose_until_crossed` starts at horizon / 2^HALVINGS and doubles.
#: The DL ladder horizons are 4.2–5.3 (DL2) and 7.5–12.6 (DL4) times the last crossing time,
#: so the first or second try suffices; all tries together cost less than twice the last.
HALVINGS = 3


# ----------------------------------------------------------------------------- inputs


def rational_grid(horizon, points: int) -> list[fmpq]:
    """``points`` exact times k·H/(points − 1), k = 0 … points − 1, with H the exact
    rational value of ``horizon`` (a float or mpf is its binary value, a string its
    decimal): output times need only be exact, not equal to the ladder's rounded grid."""
    if points < 2:
        raise ValueError(f"points must be ≥ 2, got {points}")
    end = to_rational(horizon)
    return [end * k / (points - 1) for k in range(points)]


# ----------------------------------------------------------------------------- closed forms


@functools.lru_cache(maxsize=512)
def _program(expressions: tuple[sp.Expr, ...]) -> tuple[tuple[sp.Symbol, ...], BallProgram]:
    symbols = tuple(sorted(set().union(*(sp.sympify(e).free_symbols for e in expressions)),
                           key=lambda symbol: symbol.name))
    return symbols, BallProgram(expressions, [symbol.name for symbol in symbols])


def evaluate_many(expressions: Sequence[sp.Expr],
                  values: Mapping[sp.Symbol, arb]) -> list[arb]:
    """Balls containing the exact values of SymPy ``expressions`` for every input in the
    balls ``values`` (symbol → ball; every free symbol needs one), at the current
    precision. Compiled once per tuple of expressions."""
    symbols, program = _program(tuple(expressions))
    missing = [s.name for s in symbols if s not in values]
    if missing:
        raise ValueError(f"no value for {missing}")
    return program([values[s] for s in symbols])


def evaluate(expression: sp.Expr, values: Mapping[sp.Symbol, arb]) -> arb:
    """One SymPy expression in ball arithmetic (see :func:`evaluate_many`)."""
    return evaluate_many((expression,), values)[0]


#: Interval Newton / bisection steps of :func:`closed_form_root`: each halves the interval at
#: least (bisection) or converges quadratically (Newton), so 4·bits steps reach any ball the
#: precision allows from an interval of width ≤ 2^(3·bits)·2^-bits.
ROOT_STEPS_PER_BIT = 4


def closed_form_root(expression: sp.Expr, variable: sp.Symbol, values: Mapping[sp.Symbol, arb],
                     lo: fmpq, hi: fmpq) -> arb | None:
    """The root of a closed form f(variable) = ``expression`` in [lo, hi] (the other symbols
    given as balls), where f changes sign strictly between lo and hi and f′ (SymPy
    derivative) is enclosed away from 0 on all of [lo, hi] — so there is exactly one; None
    when either cannot be proven. Narrowed by interval Newton N(X) = m − f(m)/f′(X),
    X ← X ∩ N(X) (every root in X stays in X), bisecting by the sign of f(m) whenever a
    Newton step does not halve X; stops when neither narrows X. At the current precision."""
    derivative = sp.diff(expression, variable)

    def f(x: arb, with_slope: bool = False):
        found = evaluate_many((expression, derivative), values | {variable: x})
        return found if with_slope else found[0]

    low, high = f(arb(lo)), f(arb(hi))
    _, slope = f(arb(lo).union(arb(hi)), True)
    if slope.contains(0) or low.contains(0) or high.contains(0) or (low > 0) == (high > 0):
        return None
    rising = high > 0
    interval = arb(lo).union(arb(hi))
    for _ in range(ROOT_STEPS_PER_BIT * ctx.prec):
        middle = interval.mid()
        at_middle, slope = f(middle), f(interval, True)[1]
        newton = middle - at_middle / slope
        if newton.overlaps(interval) and newton.intersection(interval).rad() <= interval.rad() / 2:
            interval = newton.intersection(interval)
        elif not at_middle.contains(0):
            lower, upper = interval.lower(), interval.upper()
            interval = lower.union(middle) if (at_middle > 0) == rising else middle.union(upper)
        else:
            break
    return interval


_VELOCITY: dict[str, BallProgram] = {}


def velocity(field: VectorField, state: State, params: Sequence[arb]) -> list[arb]:
    """The field's right-hand side dθ/dt at the balls ``state`` (its heyoka expressions in
    ball arithmetic, compiled once per field key), e.g. to evaluate one side of an identity
    between velocities at an enclosed state."""
    if field.key not in _VELOCITY:
        _VELOCITY[field.key] = heyoka_program(field.rhs, field.variables, field.n_params)
    return _VELOCITY[field.key](list(state) + list(params))


def reduced_field(name: str, expressions: Sequence[sp.Expr], states: Sequence[sp.Symbol],
                  parameters: Sequence[sp.Symbol]) -> tuple[VectorField, list[fmpq]]:
    """A theory's reduced ODE d(states)/dt = ``expressions`` (SymPy) as a VectorField for
    :func:`~flowcert.numerics.validated.enclose`, with ``parameters`` as par[0], par[1], ….

    heyoka's ``from_sympy`` rounds numbers to doubles, so every number that is not exactly a
    double (1/3, 1 + 10⁻⁹) is lifted to one more runtime parameter; their exact values are
    returned, to be appended to the parameter values. Such a number in an exponent raises
    ValueError (½ of a square root is a double). The key hashes the expressions, so a
    replaced theory expression gets programs of its own.
    """
    exprs = [sp.sympify(e) for e in expressions]
    exponents = {p.exp for e in exprs for p in e.atoms(sp.Pow) if p.exp.is_number}
    inexact = sorted({n for e in exprs for n in e.atoms(sp.Number) if not _is_double(n)},
                     key=sp.default_sort_key)
    if any(n in exponents for n in inexact):
        raise ValueError(f"{name}: an exponent is not exactly a double")
    lifted = {n: sp.Dummy(f"c{k}") for k, n in enumerate(inexact)}
    exprs = [e.xreplace(lifted) for e in exprs]
    names = {symbol: hy.par[k] for k, symbol in enumerate([*parameters, *lifted.values()])}
    variables = [hy.expression(f"x{k}") for k in range(len(states))]
    names |= dict(zip(states, variables, strict=True))
    digest = hashlib.sha256("|".join(sp.srepr(e) for e in expressions).encode()).hexdigest()
    field = VectorField(f"{name}:{digest[:16]}", tuple(variables),
                        tuple(hy.from_sympy(e, names) for e in exprs),
                        len(parameters) + len(inexact))
    return field, [to_rational(n) for n in inexact]


def _is_double(number: sp.Number) -> bool:
    """Whether a SymPy number is exactly an IEEE double (dyadic, 53-bit mantissa, in range)."""
    value = to_rational(number)
    q, p = int(value.q), abs(int(value.p))
    while p and p % 2 == 0:
        p //= 2
    return q & (q - 1) == 0 and p < 2**53 and q < 2**1000 and abs(value) < 2**1000


# ----------------------------------------------------------------------------- enclosures


def enclose_until_crossed(field: VectorField, initial_state: Sequence, params: Sequence,
                          bits: int, events: Sequence[Crossing], horizon) -> Enclosure:
    """The validated enclosure to the first of H/2^HALVINGS, H/2^(HALVINGS−1), …, H (H the
    exact ``horizon``) by which every event has been found, else the one to H (whose missing
    crossings then leave the certificate inconclusive). The horizon never comes from the
    closed form being certified, so a wrong closed-form time cannot hide a crossing."""
    end = to_rational(horizon)
    for halving in range(HALVINGS, -1, -1):
        enclosure = enclose(field, initial_state, [end / 2**halving], params, bits,
                            events=events)
        if all(enclosure.events[event.name] for event in events):
            break
    return enclosure


# ----------------------------------------------------------------------------- pairs


def state_pairs(enclosure: Enclosure, observed: Callable[[State], Sequence[arb]],
                predicted: Callable[[arb, State], Sequence[arb]], label: str,
                names: Sequence[str] | None = None) -> list[Pair]:
    """At every output time t: ``observed(state)`` (quantities of the enclosed state)
    against ``predicted(t, state)`` (their closed forms; t is the exact time as a ball, the
    state is there for identities whose other side is evaluated at the enclosed state),
    computed at the enclosure's precision. ``names`` labels the quantities (default their
    indices)."""
    pairs: list[Pair] = []
    with working_precision(enclosure.precision_bits):
        for t, state in zip(enclosure.times, enclosure.states, strict=True):
            left, right = list(observed(state)), list(predicted(arb(t), state))
            if len(left) != len(right):
                raise ValueError(f"{label}: {len(left)} observed, {len(right)} predicted")
            tags = names if names is not None else [str(k) for k in range(len(left))]
            pairs += [(f"{label}, t = {float(t):.6g}"
                       + (f", {tag}" if len(left) > 1 else ""), a, b)
                      for tag, a, b in zip(tags, left, right, strict=True)]
    return pairs


def crossing_pairs(enclosure: Enclosure, expected: Mapping[str, arb],
                   label: str) -> tuple[list[Pair], list[str]]:
    """Each named event's enclosed crossing time against its closed-form time (a ball), and
    one evidence line per event without exactly one certified crossing (inconclusive)."""
    pairs: list[Pair] = []
    missing: list[str] = []
    for name, time in expected.items():
        found = enclosure.events.get(name)
        if found is None:
            raise ValueError(f"the enclosure has no event named {name!r}")
        if len(found) == 1 and found[0].certified:
            pairs.append((f"{label}, crossing {name}", found[0].time, time))
        else:
            missing.append(f"{label}, crossing {name}: {len(found)} enclosed, "
                           f"{sum(c.certified for c in found)} certified (need exactly one)")
    return pairs, missing

