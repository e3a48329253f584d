"""The exact-trajectory builder: a loss, an initial state and a closed form, nothing else.

:func:`trajectory_claim` makes an EXACT claim from SymPy: the loss L(θ; p) of a network, the
initial state θ(0) and closed forms for observables of the state as functions of t and the
parameters. The builder turns the loss into the numerics' expression system (heyoka), takes
its gradient by automatic differentiation — the closed form is never used to make the
dynamics — integrates dθ/dt = −∇L on the precision ladder for every case, and compares each
observable on a time grid (and optional crossing times, located by event detection) with its
closed form evaluated at the working precision. The error budget is n·ε·A
(:mod:`flowcert.claims.tolerances`) with the amplification A the claim states.

Numbers in the loss that are not integers are lifted into runtime parameters evaluated at
the working precision, so a constant like 1/3 is never rounded to a double at 256 bits.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import mpmath
import sympy as sp

from flowcert.claims.base import Claim, PrecisionRun
from flowcert.claims.builders import ClaimDefinitionError, exact_claim
from flowcert.claims.comparison import Comparison
from flowcert.claims.tolerances import theory_precision, trajectory_tolerance
from flowcert.theory.derivations import Derivation

T = sp.Symbol("t")


@dataclass(frozen=True)
class CrossingTime:
    """The time at which ``observable`` first reaches ``level``, predicted by ``time``
    (SymPy expressions in the parameters; ``observable`` in the state)."""

    observable: sp.Expr
    level: sp.Expr
    time: sp.Expr


def trajectory_claim(*, id: str, title: str, provenance: str, source: str, statement: str,
                     loss: sp.Expr, state: Mapping[sp.Symbol, object],
                     closed_form: Mapping[sp.Expr, sp.Expr],
                     cases: Sequence[Mapping], horizon, amplification: float,
                     amplification_reason: str, points: int = 21,
                     crossings: Mapping[str, CrossingTime] | None = None,
                     domain: Mapping[sp.Symbol | str, tuple[float, float]] | None = None,
                     theory: str | None = None, experiment: str | None = None,
                     figures: Sequence[Callable] = ()) -> Claim:
    """An EXACT claim that gradient flow on ``loss`` follows ``closed_form``.

    ``state`` maps each state variable to its initial value (a number or an expression in
    the parameters); every other free symbol of the loss, the initial state and the closed
    forms except ``t`` is a parameter, given a value by each of ``cases`` (symbol or name →
    number or decimal string). ``closed_form`` maps an observable (a state variable or an
    expression in the state) to its value at time ``t``. ``horizon`` (a number or an
    expression in the parameters) ends the grid of ``points`` times. ``amplification`` is
    the A of the error budget n·ε·A and ``amplification_reason`` says why it bounds how the
    flow amplifies errors. ``domain`` gives parameter ranges for property tests.
    """
    problem = _Problem(id, loss, state, closed_form, cases, horizon, points,
                       dict(crossings or {}))

    def measure(bits: int, series: dict) -> PrecisionRun:
        comparison, steps = Comparison(bits), 0
        for index, case in enumerate(problem.cases):
            result = problem.compare(case, bits, comparison)
            steps = max(steps, result.pop("steps"))
            if bits == 53:
                series.setdefault("trajectory", {})[f"case {index}"] = result
        return comparison.run(trajectory_tolerance(bits, steps, amplification), steps)

    names = ", ".join(str(v) for v in problem.variables)
    return exact_claim(
        id=id, title=title, provenance=provenance, source=source, statement=statement,
        theory=theory or "closed forms " + "; ".join(
            f"{sp.sstr(k)}(t) = {sp.sstr(v)}" for k, v in problem.closed_form.items()),
        experiment=experiment or (
            f"gradient flow dθ/dt = −∇L of L = {sp.sstr(problem.loss)} in θ = ({names}), "
            f"gradient by automatic differentiation, for {len(problem.cases)} case(s), "
            f"{points} times up to t = {sp.sstr(problem.horizon)}"
            + (f"; crossings {', '.join(problem.crossings)} by event detection"
               if problem.crossings else "")),
        comparison=("max relative error of every observable on the grid"
                    + (" and every crossing time" if problem.crossings else "")
                    + f"; budget n·ε·A with n the steps taken, ε the engine's local tolerance "
                    f"and A = {amplification:g} ({amplification_reason}); must also shrink "
                    "with precision"),
        parameters={"cases": [{str(k): str(v) for k, v in case.items()}
                              for case in problem.cases], "points": points,
                    "horizon": str(problem.horizon)},
        measure=measure, domain=_strategy(domain) if domain else None,
        figures=figures, derivations=problem.derivations, certify=problem.certify)


class _Problem:
    """The symbolic problem of a trajectory claim, checked once at declaration."""

    def __init__(self, claim_id, loss, state, closed_form, cases, horizon, points, crossings):
        self.claim_id = claim_id
        self.loss = sp.sympify(loss)
        self.variables = tuple(state)
        if not self.variables or not all(isinstance(v, sp.Symbol) for v in self.variables):
            raise ClaimDefinitionError(f"{claim_id}: state must map SymPy symbols to their "
                                       "initial values")
        self.initial = [sp.sympify(state[v]) for v in self.variables]
        self.closed_form = {sp.sympify(k): sp.sympify(v) for k, v in closed_form.items()}
        if not self.closed_form:
            raise ClaimDefinitionError(f"{claim_id}: closed_form is empty")
        self.horizon = sp.sympify(horizon)
        self.crossings = crossings
        if points < 2:
            raise ClaimDefinitionError(f"{claim_id}: points must be ≥ 2, got {points}")
        self.points = points
        everything = [self.loss, self.horizon, *self.initial, *self.closed_form,
                      *self.closed_form.values()]
        everything += [e for c in crossings.values() for e in (c.observable, c.level, c.time)]
        free = set().union(*(e.free_symbols for e in everything)) - set(self.variables) - {T}
        self.parameters = tuple(sorted(free, key=lambda s: s.name))
        self.cases = [self._case(case) for case in cases]
        if not self.cases:
            raise ClaimDefinitionError(f"{claim_id}: give at least one case")
        self._lift_constants()

    def _case(self, case: Mapping) -> dict[sp.Symbol, str]:
        by_name = {str(k): v for k, v in case.items()}
        missing = [p.name for p in self.parameters if p.name not in by_name]
        unknown = sorted(set(by_name) - {p.name for p in self.parameters})
        if missing or unknown:
            raise ClaimDefinitionError(f"{self.claim_id}: case {dict(by_name)} "
                                       + (f"misses {missing}" if missing else "")
                                       + (f"names unknown parameters {unknown}"
                                          if unknown else ""))
        return {p: str(by_name[p.name]) for p in self.parameters}

    def _lift_constants(self) -> None:
        """Non-integer numbers of the loss become parameters (exact at every precision)."""
        numbers = sorted((a for a in self.loss.atoms(sp.Number) if not a.is_Integer),
                         key=sp.default_sort_key)
        self.constants = {sp.Dummy(f"c{k}"): value for k, value in enumerate(numbers)}
        self.lifted_loss = self.loss.xreplace({v: k for k, v in self.constants.items()})

    # -- numerics -------------------------------------------------------------------------

    def field(self):
        """The gradient flow of the loss (built once; heyoka and the integrators imported
        here, so declaring a claim stays cheap)."""
        if not hasattr(self, "_field"):
            import heyoka as hy

            from flowcert.numerics.flows import gradient_flow
            names = [v.name for v in self.variables]
            hy_vars = hy.make_vars(*names) if len(names) > 1 else [hy.make_vars(*names)]
            symbols = list(self.parameters) + list(self.constants)
            mapping = dict(zip(self.variables, hy_vars, strict=True))
            mapping |= {s: hy.par[i] for i, s in enumerate(symbols)}
            digest = hashlib.sha256(sp.srepr(self.lifted_loss).encode()).hexdigest()[:16]
            self._field = gradient_flow(f"claim {self.claim_id} {digest}",
                                        hy.from_sympy(self.lifted_loss, s_dict=mapping),
                                        hy_vars, len(symbols))
            self._mapping = mapping
        return self._field

    def compare(self, case: dict, bits: int, comparison: Comparison) -> dict:
        """Integrate one case at ``bits`` and add its observed/predicted pairs."""
        from flowcert.numerics.flows import Crossing
        from flowcert.numerics.integrate import integrate
        field = self.field()
        with theory_precision(bits):
            values = {p: mpmath.mpf(case[p]) for p in self.parameters}
            numbers = {s: _mp(c) for s, c in self.constants.items()}
            horizon = _evaluate(self.horizon, values)
            grid = [horizon * k / (self.points - 1) for k in range(self.points)]
            events = [Crossing(f"{self.claim_id}-{name}", self._hy_function(c.observable),
                               _evaluate(c.level, values))
                      for name, c in self.crossings.items()]
            trajectory = integrate(field, [_evaluate(e, values) for e in self.initial], grid,
                                   [*values.values(), *numbers.values(), 1], bits=bits,
                                   events=events)
            result = {"times": [float(t) for t in trajectory.times], "steps": trajectory.steps,
                      "case": {p.name: v for p, v in case.items()}, "observables": {}}
            for observable, form in self.closed_form.items():
                observed = [_evaluate(observable, dict(zip(self.variables, map(mpmath.mpf, row),
                                                           strict=True)))
                            for row in trajectory.states]
                predicted = [_evaluate(form, values | {T: mpmath.mpf(t)})
                             for t in trajectory.times]
                comparison.extend(observed, predicted)
                result["observables"][sp.sstr(observable)] = {
                    "numeric": [float(v) for v in observed],
                    "predicted": [float(v) for v in predicted]}
            for name, crossing in self.crossings.items():
                found = trajectory.events[f"{self.claim_id}-{name}"]
                if not found:
                    raise AssertionError(f"{name}: the observable never reached its level")
                predicted = _evaluate(crossing.time, values)
                comparison.add(mpmath.mpf(found[0]), predicted)
                result.setdefault("crossings", {})[name] = [float(found[0]), float(predicted)]
        return result

    def _hy_function(self, observable: sp.Expr) -> Callable:
        import heyoka as hy

        def function(variables):
            mapping = dict(zip(self.variables, variables, strict=True))
            return hy.from_sympy(observable, s_dict=mapping)
        return function

    # -- certificate ----------------------------------------------------------------------

    def certify(self, bits: int):
        """Every closed form (and crossing time) against a validated enclosure of the flow,
        in ``bits``-bit ball arithmetic, at the grid's times (a rational horizon within
        1e-12 of the claim's), for every case."""
        from fractions import Fraction

        from flowcert.numerics.ball_expressions import compile_expressions, working_precision
        from flowcert.numerics.certificate import certify, combine
        from flowcert.numerics.flows import Crossing
        from flowcert.numerics.validated import enclose
        field = self.field()
        names = [p.name for p in self.parameters]
        start = compile_expressions(self.initial, names)
        level_time = compile_expressions(
            [e for c in self.crossings.values() for e in (c.level, c.time)], names)
        forms = compile_expressions(list(self.closed_form.values()), ["t", *names])
        observables = compile_expressions(list(self.closed_form), self.variables)
        parts = []
        for case in self.cases:
            with working_precision(bits):
                values = [_ball(case[p]) for p in self.parameters]
                params = values + [_ball(c) for c in self.constants.values()] + [_ball(1)]
                initial = start(values)
                crossing_balls = level_time(values)
            with theory_precision(bits):
                horizon = Fraction(mpmath.nstr(_evaluate(
                    self.horizon, {p: mpmath.mpf(case[p]) for p in self.parameters}), 15))
            times = [horizon * k / (self.points - 1) for k in range(self.points)]
            events = [Crossing(name, self._hy_function(c.observable), crossing_balls[2 * i])
                      for i, (name, c) in enumerate(self.crossings.items())]
            enclosure = enclose(field, initial, times, params, bits, events=events)
            for index in range(len(self.closed_form)):
                def closed_form(t, index=index, values=values):
                    return forms([t, *values])[index]

                def observable(state, index=index):
                    return observables(list(state))[index]

                crossings = {name: crossing_balls[2 * i + 1]
                             for i, name in enumerate(self.crossings)} if index == 0 else None
                parts.append(certify(enclosure, closed_form, observable=observable,
                                     crossings=crossings))
        return combine(parts)

    # -- golden values --------------------------------------------------------------------

    def derivations(self) -> list[Derivation]:
        """Each closed form pinned at every case, half-way to the horizon."""
        pinned = []
        for observable, form in self.closed_form.items():
            points = []
            for case in self.cases:
                point = {p.name: str(sp.Rational(v)) for p, v in case.items()}
                half = sp.nsimplify(self.horizon.subs(
                    {p: sp.Rational(v) for p, v in case.items()})) / 2
                points.append(point | {"t": str(sp.Rational(half))})
            pinned.append(Derivation(f"{self.claim_id}: {sp.sstr(observable)}(t)",
                                     self.claim_id, form, tuple(points)))
        return pinned


def _ball(value):
    """An exact value (decimal string, int, SymPy number) as an Arb ball."""
    from flowcert.numerics.ball_expressions import to_ball
    return to_ball(str(sp.Rational(value)) if isinstance(value, sp.Number) else str(value))


def _mp(value: sp.Number) -> mpmath.mpf:
    return mpmath.mpf(sp.Rational(value).p) / sp.Rational(value).q


def _evaluate(expression: sp.Expr, values: Mapping[sp.Symbol, object]) -> mpmath.mpf:
    """``expression`` at ``values`` in mpmath at the current precision."""
    symbols, function = _compiled(expression)
    return mpmath.mpf(function(*[values[s] for s in symbols]))


@functools.lru_cache(maxsize=256)
def _compiled(expression: sp.Expr) -> tuple[tuple[sp.Symbol, ...], Callable]:
    symbols = tuple(sorted(expression.free_symbols, key=lambda s: s.name))
    return symbols, sp.lambdify(symbols, expression, modules="mpmath")


def _strategy(domain: Mapping[sp.Symbol | str, tuple[float, float]]) -> Callable[[], object]:
    def strategy():
        from hypothesis import strategies as st
        return st.fixed_dictionaries({str(k): st.floats(float(low), float(high))
                                      for k, (low, high) in domain.items()})
    return strategy
