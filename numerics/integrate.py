"""One integration facade, two engines.

* ``"dop853"`` — SciPy's explicit Runge–Kutta 8(5,3), float64 only, at rtol = 2.5e-14 (just
  above the 100·eps floor SciPy accepts; at rtol = 1e-13 DL1's global error reached 1.7e-12).
  The right-hand side is the same automatically differentiated field, compiled by heyoka's
  ``cfunc``.
* ``"taylor"`` — heyoka's adaptive Taylor method at any precision: float64 for 53 bits,
  MPFR ``real`` of ``bits`` bits otherwise; its tolerance is the unit roundoff.

Events (a state function crossing a value) are located by each engine's own root
finder on its dense output: SciPy's Brent iteration (float64) and heyoka's polynomial
root isolation on the Taylor expansion (full working precision). Compiled integrators are
cached per (field key, event names, engine, bits) in memory, and pickled — object code
included — in flowcert's disk cache (:mod:`flowcert.cache`) under a hash of their
expressions, precision and options, so a later process loads in ~0.1 s what took seconds to
compile. MPFR integrators are always built in heyoka's compact mode: without it, code
generation for the high Taylor orders used at 113+ bits took 130 s for a 2-state system
(0.2 s in compact mode). Parameters, initial state and event values are set at run time, so
a new example never recompiles.
"""

from __future__ import annotations

import platform
from collections.abc import Sequence
from dataclasses import dataclass, field

import heyoka as hy
import numpy as np
from scipy.integrate import solve_ivp

from flowcert import cache
from flowcert.numerics.flows import Crossing, VectorField
from flowcert.numerics.precision import FLOAT64_BITS, check_bits, is_finite, mpf_array, to_real

DOP853_RTOL = 2.5e-14
DOP853_ATOL = 1e-16
DEFAULT_MAX_STEPS = 1_000_000
#: A state component beyond this magnitude counts as a blow-up (see :func:`_blown_up`).
BLOW_UP = 1e300
_DOP853_EVALUATIONS_PER_STEP = 12
ENGINES = ("dop853", "taylor")


class IntegrationError(RuntimeError):
    """An integration that did not reach its final time; ``diagnostics`` says why."""

    def __init__(self, message: str, **diagnostics):
        details = ", ".join(f"{k}={v}" for k, v in diagnostics.items())
        super().__init__(f"{message} ({details})" if details else message)
        self.diagnostics = diagnostics


@dataclass
class Trajectory:
    """States at the requested times, event times, and the work spent.

    ``states`` is a float64 array (53 bits) or an object array of ``mpmath.mpf``,
    shape (len(times), dimension). ``events`` maps each event name to the times at which
    it fired, in increasing order.
    """

    times: list
    states: np.ndarray
    events: dict[str, list]
    bits: int
    engine: str
    steps: int  # Taylor: steps taken; DOP853: rhs evaluations / 12 (accepted + rejected)
    rhs_evaluations: int | None = None
    extra: dict = field(default_factory=dict)


def default_engine(bits: int) -> str:
    """float64 runs use the independent Runge–Kutta engine; more bits need Taylor."""
    return "dop853" if bits == FLOAT64_BITS else "taylor"


def integrate(vector_field: VectorField, initial_state: Sequence, times: Sequence,
              params: Sequence = (), *, bits: int = FLOAT64_BITS, engine: str | None = None,
              events: Sequence[Crossing] = (), max_steps: int = DEFAULT_MAX_STEPS) -> Trajectory:
    """Integrate dθ/dt = rhs(θ; params) from t = 0 and report θ at ``times``.

    ``times`` must be non-negative and increasing. Raises ValueError on malformed input and
    :class:`IntegrationError` when the engine cannot reach the last time.
    """
    bits = check_bits(bits)
    engine = default_engine(bits) if engine is None else engine
    if engine not in ENGINES:
        raise ValueError(f"engine must be one of {ENGINES}, got {engine!r}")
    if engine == "dop853" and bits != FLOAT64_BITS:
        raise ValueError(f"engine 'dop853' is float64 only (53 bits), got {bits} bits")
    _check_inputs(vector_field, initial_state, times, params, events)
    run = _run_dop853 if engine == "dop853" else _run_taylor
    return run(vector_field, initial_state, times, params, bits, tuple(events), max_steps)


def _check_inputs(vector_field, initial_state, times, params, events) -> None:
    if len(initial_state) != vector_field.dimension:
        raise ValueError(f"initial state has {len(initial_state)} entries, "
                         f"the field {vector_field.key!r} has {vector_field.dimension}")
    if len(params) != vector_field.n_params:
        raise ValueError(f"{vector_field.key!r} takes {vector_field.n_params} parameters, "
                         f"got {len(params)}")
    if len(times) == 0:
        raise ValueError("times must not be empty")
    for name, values in (("initial state", initial_state), ("parameters", params),
                         ("times", times), ("event values", [e.value for e in events])):
        if not all(is_finite(v) for v in values):
            raise ValueError(f"{name} must be finite numbers")
    if times[0] < 0 or any(b <= a for a, b in zip(times, times[1:], strict=False)):
        raise ValueError("times must be non-negative and strictly increasing")
    names = [e.name for e in events]
    if len(set(names)) != len(names):
        raise ValueError(f"event names must be distinct, got {names}")


# ----------------------------------------------------------------------------- DOP853

_CFUNC_CACHE: dict[tuple, object] = {}
#: Compiled code is specific to the heyoka version and the machine.
_CACHE_FOLDER = f"integrators-heyoka{hy.__version__}-{platform.machine()}"


def _cfunc(key: tuple, expressions: list, variables: Sequence,
           bits: int = FLOAT64_BITS) -> object:
    """A compiled evaluator of ``expressions``, cached under (key, bits) in memory and under a
    hash of the expressions on disk."""
    if (key, bits) not in _CFUNC_CACHE:
        name = cache.digest("cfunc", bits, *map(str, expressions), *map(str, variables))
        compiled = cache.load(_CACHE_FOLDER, name)
        if compiled is None:
            compiled = hy.cfunc(expressions, vars=list(variables), **_fp_options(bits))
            cache.store(_CACHE_FOLDER, name, compiled)
        _CFUNC_CACHE[key, bits] = compiled
    return _CFUNC_CACHE[key, bits]


def _run_dop853(vector_field, initial_state, times, params, bits, events, max_steps):
    variables = vector_field.variables
    rhs = _cfunc((vector_field.key, "rhs"), list(vector_field.rhs), variables)
    pars = np.array([float(p) for p in params])
    rhs_pars = pars[:rhs.nparams]
    scipy_events = [_scipy_event(vector_field, e, pars) for e in events]
    t_eval = np.array([float(t) for t in times])
    state = np.array([float(v) for v in initial_state])
    if t_eval[-1] == 0.0:
        return Trajectory(times=[0.0], states=state[np.newaxis, :], bits=bits,
                          events={e.name: [] for e in events}, engine="dop853", steps=0,
                          rhs_evaluations=0)
    evaluations = {"count": 0}

    def fun(_t, y):
        evaluations["count"] += 1
        # + 2: the evaluations solve_ivp spends choosing the first step
        if evaluations["count"] > _DOP853_EVALUATIONS_PER_STEP * max_steps + 2:
            raise _BudgetExceededError
        return rhs(y, pars=rhs_pars)

    try:
        result = solve_ivp(fun, (0.0, float(t_eval[-1])), state, method="DOP853", t_eval=t_eval,
                           rtol=DOP853_RTOL, atol=DOP853_ATOL, events=scipy_events or None)
    except _BudgetExceededError:
        raise IntegrationError("step budget exceeded", engine="dop853",
                               max_steps=max_steps) from None
    if result.status != 0 or not np.all(np.isfinite(result.y)):
        raise IntegrationError("DOP853 integration failed", engine="dop853",
                               reason=result.message, t_reached=result.t[-1] if
                               len(result.t) else 0.0, rhs_evaluations=result.nfev)
    steps = _dop853_steps(result.nfev)
    found = {e.name: [float(t) for t in ts] for e, ts in
             zip(events, result.t_events or [], strict=False)}
    return Trajectory(times=[float(t) for t in t_eval], states=result.y.T.copy(), events=found,
                      bits=bits, engine="dop853", steps=steps, rhs_evaluations=result.nfev)


class _BudgetExceededError(Exception):
    """Raised inside the DOP853 right-hand side once the step budget is spent."""


def _dop853_steps(rhs_evaluations: int) -> int:
    """Upper bound on DOP853 steps (accepted + rejected): 12 evaluations per step."""
    return max(rhs_evaluations // _DOP853_EVALUATIONS_PER_STEP, 1)


def _scipy_event(vector_field, event: Crossing, pars):
    expression = event.function(vector_field.variables)
    compiled = _cfunc((vector_field.key, "event", event.name), [expression],
                      vector_field.variables)
    event_pars = pars[:compiled.nparams]
    value = float(event.value)

    def crossing(_t, y):
        return compiled(y, pars=event_pars)[0] - value

    return crossing


# ----------------------------------------------------------------------------- Taylor


@dataclass
class _CompiledTaylor:
    integrator: object
    records: dict[str, list]


class _Recorder:
    """An event callback that appends the crossing time (picklable, so the integrator is)."""

    def __init__(self) -> None:
        self.times: list = []

    def __call__(self, _ta, time, _direction) -> None:
        self.times.append(time)


_TAYLOR_CACHE: dict[tuple, _CompiledTaylor] = {}


def _fp_options(bits: int) -> dict:
    return {} if bits == FLOAT64_BITS else {"fp_type": hy.real, "prec": bits}


def _convert(values, bits):
    if bits == FLOAT64_BITS:
        return np.array([float(v) for v in values])
    return np.array([to_real(v, bits) for v in values])


def _compiled_taylor(vector_field: VectorField, events: tuple[Crossing, ...],
                     bits: int) -> _CompiledTaylor:
    key = (vector_field.key, tuple(e.name for e in events), bits)
    if key in _TAYLOR_CACHE:
        return _TAYLOR_CACHE[key]
    options = _fp_options(bits)
    n = vector_field.n_params
    functions = [e.function(vector_field.variables) - hy.par[n + i]
                 for i, e in enumerate(events)]
    compact = vector_field.dimension > 20 or bits > FLOAT64_BITS
    system = list(zip(vector_field.variables, vector_field.rhs, strict=True))
    name = cache.digest("taylor", bits, compact, n, *map(str, system), *map(str, functions))
    integrator = cache.load(_CACHE_FOLDER, name)
    if integrator is None:
        nt_events = [hy.nt_event(function, _Recorder(), fp_type=options.get("fp_type", float))
                     for function in functions]
        integrator = hy.taylor_adaptive(
            system, _convert([0] * vector_field.dimension, bits),
            pars=_convert([0] * (n + len(events)), bits), nt_events=nt_events,
            compact_mode=compact, **options)
        cache.store(_CACHE_FOLDER, name, integrator)
    # the integrator holds its own recorders (copies, when it was loaded from disk)
    records = {e.name: event.callback.times for e, event in
               zip(events, integrator.nt_events if events else (), strict=True)}
    _TAYLOR_CACHE[key] = _CompiledTaylor(integrator, records)
    return _TAYLOR_CACHE[key]


def _run_taylor(vector_field, initial_state, times, params, bits, events, max_steps):
    compiled = _compiled_taylor(vector_field, events, bits)
    ta = compiled.integrator
    ta.time = 0.0 if bits == FLOAT64_BITS else to_real(0, bits)
    ta.state[:] = _convert(initial_state, bits)
    ta.pars[:] = _convert(list(params) + [e.value for e in events], bits)
    if events:
        ta.reset_cooldowns()
    for record in compiled.records.values():
        record.clear()
    budget = {"steps": 0}
    # float64 states overflow to inf, which heyoka reports itself; only MPFR needs the check
    watch_blow_up = bits > FLOAT64_BITS

    def within_budget(integrator):
        budget["steps"] += 1
        return budget["steps"] <= max_steps and not (watch_blow_up
                                                      and _blown_up(integrator.state))

    starts_at_zero = times[0] == 0
    grid = _convert(times if starts_at_zero else [0, *times], bits)
    outcome, min_h, max_h, steps, _, states = ta.propagate_grid(grid, callback=within_budget)
    if not starts_at_zero:
        grid, states = grid[1:], states[1:]
    if outcome != hy.taylor_outcome.time_limit:
        raise IntegrationError("Taylor integration did not reach the final time",
                               engine="taylor", bits=bits, outcome=outcome,
                               t_reached=str(ta.time), steps=steps, max_steps=max_steps,
                               min_step=str(min_h), max_step=str(max_h))
    if bits == FLOAT64_BITS:
        found = {name: [float(t) for t in ts] for name, ts in compiled.records.items()}
        out_times = [float(t) for t in times]
        out_states = np.asarray(states, dtype=float)
    else:
        found = {name: list(mpf_array(ts, bits)) for name, ts in compiled.records.items()}
        out_times = list(mpf_array(grid, bits))
        out_states = np.array([mpf_array(row, bits) for row in states], dtype=object)
    return Trajectory(times=out_times, states=out_states, events=found, bits=bits,
                      engine="taylor", steps=int(steps))



def _blown_up(state) -> bool:
    """True once some |θ_i| exceeds BLOW_UP (float64's range is the output format).

    MPFR's exponent range is so wide that a diverging flow at > 53 bits would otherwise
    take its whole step budget before heyoka reports a non-finite state.
    """
    return any(not abs(float(value)) <= BLOW_UP for value in state)


def evaluate_field(vector_field: VectorField, state: Sequence, params: Sequence,
                   bits: int = FLOAT64_BITS) -> np.ndarray:
    """rhs(θ; p) at one state, in float64 (53 bits) or MPFR of ``bits`` bits (mpf out)."""
    bits = check_bits(bits)
    compiled = _cfunc((vector_field.key, "rhs"), list(vector_field.rhs),
                      vector_field.variables, bits)
    values = compiled(_convert(state, bits), pars=_convert(params, bits)[:compiled.nparams])
    return np.asarray(values, dtype=float) if bits == FLOAT64_BITS else mpf_array(values, bits)
