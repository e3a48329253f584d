"""numerics.integrate: the integration facade, both engines, at 53/113/256 bits.

The test problem is the gradient flow of L = ½(s − w₂w₁)² (the 1-1-1 deep linear network,
autodiff gradient) from the balanced start w₁ = w₂ = √u0, whose product u = w₂w₁ obeys
τu̇ = 2u(s − u). Its solution, the logistic curve, is written here from scratch:
u(t) = s / (1 + (s/u0 − 1) e^{−2st/τ}), and the time at which u reaches uf is
t = τ/(2s) ln[uf(s − u0)/(u0(s − uf))].

Error budget of a trajectory (relative error of u = w₂w₁), used throughout:
* each step commits a local error ≤ ε·max(1, ‖w‖∞) per component (heyoka's Taylor
  tolerance ε = 2^(1−bits) is both absolute and relative; DOP853 uses rtol = 2.5e-14 and
  atol = 1e-16 < rtol), i.e. ≤ ε·max(1, ‖w‖∞)/min|w| relative to each weight;
* the logistic flow does not amplify relative errors: ∂ln u(t)/∂ln u0 = u(t)e^{−2st/τ}/u0 ≤ 1
  for every u0 > 0, and an imbalance w₁ ≠ w₂ changes u only at second order (DL2);
* so after n steps the relative error of each weight is ≤ n·ε·max(1, ‖w‖∞)/min|w| and that of
  the product twice that;
* a safety factor 10 covers that error estimators estimate rather than bound the local error,
  and the rounding of the ~10 operations per stage.
An event time's error is the state error at the crossing divided by the speed |u̇|, plus the
root finder's tolerance (SciPy: brentq with xtol = rtol = 4·2^-52; heyoka: polished to the
working precision).
"""

from __future__ import annotations

import heyoka as hy
import mpmath
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from flowcert.numerics import integrate as integration
from flowcert.numerics.deep_linear import DeepLinearNetwork
from flowcert.numerics.flows import Crossing, VectorField
from flowcert.numerics.integrate import DOP853_RTOL, IntegrationError, evaluate_field, integrate

NETWORK = DeepLinearNetwork((1, 1, 1))
FIELD = NETWORK.vector_field
ENGINE_BITS = [("dop853", 53), ("taylor", 53), ("taylor", 113), ("taylor", 256)]
SAFETY = 10
#: Guard bits of the references and of the parameters handed to the integrator.
GUARD_BITS = 32
#: SciPy's event root finder: brentq(xtol=4·EPS, rtol=4·EPS), EPS = 2^-52.
SCIPY_ROOT_TOLERANCE = 4 * 2.0**-52


def product(variables):
    return variables[0] * variables[1]


def local_tolerance(engine: str, bits: int) -> float:
    return DOP853_RTOL if engine == "dop853" else 2.0 ** (1 - bits)


def root_tolerance(engine: str, bits: int) -> float:
    return SCIPY_ROOT_TOLERANCE if engine == "dop853" else 4 * 2.0 ** (1 - bits)


def logistic(t, s, u0, tau):
    """The exact solution of τu̇ = 2u(s − u), u(0) = u0."""
    return s / (1 + (s / u0 - 1) * mpmath.exp(-2 * s * t / tau))


def logistic_time(u0, uf, s, tau):
    """Time at which the logistic solution from u0 reaches uf."""
    return tau / (2 * s) * mpmath.log(uf * (s - u0) / (u0 * (s - uf)))


def trajectory_budget(engine, bits, steps, weights) -> float:
    """Relative error budget of u = w₂w₁ (module docstring)."""
    magnitudes = np.abs(np.asarray(weights, dtype=float))
    scale = max(1.0, float(magnitudes.max())) / float(magnitudes.min())
    return SAFETY * 2 * steps * local_tolerance(engine, bits) * scale


def run_logistic(s, u0, tau, engine, bits, points=5, fraction="0.9"):
    """Integrate the 1-1-1 network; return (trajectory, mpf s, u0, tau, uf)."""
    with mpmath.workprec(bits + GUARD_BITS):
        s, u0, tau = (mpmath.mpf(x) for x in (s, u0, tau))
        uf = u0 + (s - u0) * mpmath.mpf(fraction)
        horizon = tau * (abs(mpmath.log(s / u0)) + 8) / (2 * s)
        grid = [horizon * k / (points - 1) for k in range(points)]
        root = mpmath.sqrt(u0)
        trajectory = integrate(FIELD, [root, root], grid,
                               NETWORK.flow_parameters(np.array([[s]]), tau), bits=bits,
                               engine=engine, events=[Crossing("reach", product, uf)])
    return trajectory, s, u0, tau, uf


def relative_errors(trajectory, s, u0, tau, bits):
    with mpmath.workprec(bits + 2 * GUARD_BITS):
        errors = []
        for t, state in zip(trajectory.times, trajectory.states, strict=True):
            exact = logistic(mpmath.mpf(t), s, u0, tau)
            numeric = mpmath.mpf(state[0]) * mpmath.mpf(state[1])
            errors.append(abs(numeric - exact) / exact)
    return errors


def event_budget(trajectory, engine, bits, s, uf, tau, t_exact) -> float:
    """|δt| ≤ (relative state budget)·uf/|u̇(uf)| + root tolerance·(1 + t)."""
    weights = np.array(trajectory.states, dtype=float)
    state_budget = trajectory_budget(engine, bits, trajectory.steps, weights)
    speed = 2 * uf * abs(s - uf) / tau
    return float(state_budget * uf / speed + root_tolerance(engine, bits) * (1 + t_exact))


LOGISTIC_CASES = [  # (s, u0, tau)
    ("1", "0.01", "1"),
    ("3", "0.001", "1"),
    ("2", "0.5", "0.5"),
    ("0.5", "0.45", "2"),
    ("1", "1.5", "1"),   # starts above s, decreases
]


@pytest.mark.parametrize(("engine", "bits"), ENGINE_BITS)
@pytest.mark.parametrize(("s", "u0", "tau"), LOGISTIC_CASES)
def test_logistic_trajectory_matches_exact_solution_within_budget(engine, bits, s, u0, tau):
    trajectory, s_, u0_, tau_, _ = run_logistic(s, u0, tau, engine, bits)
    assert trajectory.engine == engine and trajectory.bits == bits
    assert trajectory.states.shape == (5, 2)
    errors = relative_errors(trajectory, s_, u0_, tau_, bits)
    budget = trajectory_budget(engine, bits, trajectory.steps, trajectory.states)
    assert max(errors) <= budget


@pytest.mark.parametrize(("engine", "bits"), ENGINE_BITS)
@pytest.mark.parametrize(("s", "u0", "tau"), LOGISTIC_CASES)
def test_event_time_matches_exact_crossing_time_within_budget(engine, bits, s, u0, tau):
    trajectory, s_, u0_, tau_, uf = run_logistic(s, u0, tau, engine, bits)
    found = trajectory.events["reach"]
    assert len(found) == 1
    with mpmath.workprec(bits + 2 * GUARD_BITS):
        t_exact = logistic_time(u0_, uf, s_, tau_)
        gap = abs(mpmath.mpf(found[0]) - t_exact)
    assert gap <= event_budget(trajectory, engine, bits, s_, uf, tau_, t_exact)


@pytest.mark.parametrize("bits", [113, 256])
def test_high_precision_results_carry_more_than_float64_digits(bits):
    # The states of a ≥113-bit run must not have passed through float64: a float64 detour
    # would leave errors ≥ 1e-17 (float64 roundoff), while the 113-bit budget above is
    # 20·~20 steps·2^-112·10 ≈ 1e-30; 1e-25 separates the two.
    trajectory, s, u0, tau, _ = run_logistic("1", "0.01", "1", "taylor", bits)
    assert all(isinstance(x, mpmath.mpf) for x in trajectory.states.ravel())
    assert max(relative_errors(trajectory, s, u0, tau, bits)) < 1e-25


@pytest.mark.slow
@pytest.mark.parametrize("bits", [512, 1024])
@pytest.mark.parametrize(("s", "u0", "tau"), LOGISTIC_CASES)
def test_logistic_trajectory_and_event_at_very_high_precision(bits, s, u0, tau):
    trajectory, s_, u0_, tau_, uf = run_logistic(s, u0, tau, "taylor", bits)
    errors = relative_errors(trajectory, s_, u0_, tau_, bits)
    assert max(errors) <= trajectory_budget("taylor", bits, trajectory.steps,
                                            trajectory.states)
    with mpmath.workprec(bits + 2 * GUARD_BITS):
        t_exact = logistic_time(u0_, uf, s_, tau_)
        gap = abs(mpmath.mpf(trajectory.events["reach"][0]) - t_exact)
    assert gap <= event_budget(trajectory, "taylor", bits, s_, uf, tau_, t_exact)


def test_work_budget_of_the_dl1_mode():
    # Regression bounds on the work of DL1's first case (s = 1, u0 = 0.01, τ = 1) over its
    # horizon (ln 100 + 8)/2: a Taylor method of order ~bits/3 takes a few dozen steps; DOP853
    # at rtol 2.5e-14 about a hundred.
    taylor, *_ = run_logistic("1", "0.01", "1", "taylor", 256)
    assert taylor.steps < 100
    dop853, *_ = run_logistic("1", "0.01", "1", "dop853", 53)
    assert dop853.steps < 200
    assert dop853.rhs_evaluations is not None and dop853.rhs_evaluations < 200 * 12


def test_trajectory_reports_requested_times_and_initial_state():
    for engine, bits in ENGINE_BITS:
        trajectory, _, u0, _, _ = run_logistic("1", "0.04", "1", engine, bits, points=3)
        assert len(trajectory.times) == 3
        assert float(trajectory.times[0]) == 0.0
        # u0 = 0.04, w = 0.2: the state at t = 0 is the initial state up to its conversion.
        assert abs(float(trajectory.states[0][0]) - 0.2) <= 2.0**-52


def test_output_grid_may_start_after_zero():
    # integrate() documents "from t = 0 … θ at times (non-negative, increasing)": a grid that
    # does not contain 0 is valid input, and both engines must agree on it.
    results = {}
    for engine in ("dop853", "taylor"):
        trajectory = integrate(FIELD, [0.1, 0.1], [0.5, 1.0], [1.0, 1.0], engine=engine)
        results[engine] = np.asarray(trajectory.states, dtype=float)
    exact = [float(logistic(mpmath.mpf(t), 1, mpmath.mpf(0.1) ** 2, 1)) for t in (0.5, 1.0)]
    for states in results.values():
        products = states[:, 0] * states[:, 1]
        # 53-bit budget: ≤ 20 steps × 2.5e-14 × 2 × 10 × (1/0.1) ≈ 1e-10.
        assert np.allclose(products, exact, rtol=1e-10, atol=0)


def test_single_output_time_zero_returns_the_initial_state():
    for engine in ("dop853", "taylor"):
        trajectory = integrate(FIELD, [0.3, 0.2], [0.0], [1.0, 1.0], engine=engine)
        assert np.asarray(trajectory.states, dtype=float).tolist() == [[0.3, 0.2]]


# ----------------------------------------------------------------------------- reuse


@pytest.fixture(scope="module")
def warmed_up():
    """Compile each engine's integrator for FIELD with the event "reach" once."""
    for engine, bits in ENGINE_BITS[:3]:
        run_logistic("1", "0.1", "1", engine, bits)
    return {"taylor": len(integration._TAYLOR_CACHE), "cfunc": len(integration._CFUNC_CACHE)}


@given(s=st.floats(0.2, 5.0), ratio=st.one_of(st.floats(1e-3, 0.9), st.floats(1.1, 4.0)),
       tau=st.floats(0.25, 4.0), fraction=st.floats(0.1, 0.95),
       engine_bits=st.sampled_from(ENGINE_BITS[:3]))
def test_reused_integrator_gives_new_correct_answers_without_recompiling(
        warmed_up, s, ratio, tau, fraction, engine_bits):
    engine, bits = engine_bits
    taylor_entries = dict(integration._TAYLOR_CACHE)
    cfunc_entries = dict(integration._CFUNC_CACHE)
    trajectory, s_, u0_, tau_, uf = run_logistic(repr(s), repr(s * ratio), repr(tau), engine,
                                                 bits, fraction=repr(fraction))
    # No new compiled object, and the cached ones are the very same objects.
    assert integration._TAYLOR_CACHE.keys() == taylor_entries.keys()
    assert integration._CFUNC_CACHE.keys() == cfunc_entries.keys()
    assert all(integration._TAYLOR_CACHE[k] is v for k, v in taylor_entries.items())
    assert all(integration._CFUNC_CACHE[k] is v for k, v in cfunc_entries.items())
    errors = relative_errors(trajectory, s_, u0_, tau_, bits)
    assert max(errors) <= trajectory_budget(engine, bits, trajectory.steps, trajectory.states)
    found = trajectory.events["reach"]
    assert len(found) == 1
    with mpmath.workprec(bits + 2 * GUARD_BITS):
        t_exact = logistic_time(u0_, uf, s_, tau_)
        gap = abs(mpmath.mpf(found[0]) - t_exact)
    assert gap <= event_budget(trajectory, engine, bits, s_, uf, tau_, t_exact)


def test_cache_sizes_stay_constant_after_warm_up(warmed_up):
    for engine, bits in ENGINE_BITS[:3]:
        run_logistic("2", "0.3", "0.5", engine, bits, fraction="0.5")
    assert len(integration._TAYLOR_CACHE) == warmed_up["taylor"]
    assert len(integration._CFUNC_CACHE) == warmed_up["cfunc"]


# ----------------------------------------------------------------------------- bad input

GOOD = {"vector_field": FIELD, "initial_state": [0.1, 0.1], "times": [0.0, 1.0],
        "params": [1.0, 1.0]}

BAD_CALLS = {
    "state too short": {"initial_state": [0.1]},
    "state too long": {"initial_state": [0.1, 0.1, 0.1]},
    "too few parameters": {"params": [1.0]},
    "too many parameters": {"params": [1.0, 1.0, 1.0]},
    "NaN state": {"initial_state": [0.1, float("nan")]},
    "infinite state": {"initial_state": [float("inf"), 0.1]},
    "NaN parameter": {"params": [float("nan"), 1.0]},
    "infinite parameter": {"params": [1.0, float("-inf")]},
    "mpf NaN parameter": {"params": [mpmath.nan, 1.0]},
    "NaN time": {"times": [0.0, float("nan")]},
    "infinite time": {"times": [0.0, float("inf")]},
    "decreasing times": {"times": [0.0, 2.0, 1.0]},
    "repeated time": {"times": [0.0, 1.0, 1.0]},
    "negative time": {"times": [-1.0, 1.0]},
    "no times": {"times": []},
    "unknown engine": {"engine": "rk45"},
    "dop853 at 113 bits": {"engine": "dop853", "bits": 113},
    "dop853 at 256 bits": {"engine": "dop853", "bits": 256},
    "precision below float64": {"bits": 52},
    "precision above maximum": {"bits": 100_000},
    "non-integer precision": {"bits": 113.0},
    "boolean precision": {"bits": True},
    "NaN event value": {"events": [Crossing("reach", product, float("nan"))]},
    "duplicate event names": {"events": [Crossing("e", product, 0.5),
                                         Crossing("e", product, 0.7)]},
}


@pytest.mark.parametrize("name", list(BAD_CALLS))
def test_malformed_input_raises_value_error(name):
    arguments = GOOD | BAD_CALLS[name]
    with pytest.raises(ValueError):
        integrate(**arguments)


# ----------------------------------------------------------------------------- failures

X = hy.make_vars("x")
#: dx/dt = x² from x = 1: x(t) = 1/(1 − t) blows up at t = 1.
BLOW_UP = VectorField(key="tests:blow-up", variables=(X,), rhs=(X * X,), n_params=0)


@pytest.mark.parametrize("engine", ["dop853", "taylor"])
def test_blow_up_at_float64_raises_integration_error_naming_the_engine(engine):
    with pytest.raises(IntegrationError) as raised:
        integrate(BLOW_UP, [1.0], [0.0, 2.0], engine=engine)
    diagnostics = raised.value.diagnostics
    assert diagnostics["engine"] == engine
    assert engine in str(raised.value)
    # The failure happens at the singularity t = 1, never beyond it.
    assert float(diagnostics["t_reached"]) <= 1.0


def test_blow_up_at_113_bits_raises_integration_error_once_the_step_budget_is_spent():
    # MPFR's exponent range never overflows, so the step size just shrinks towards zero near
    # t = 1; the step budget is what ends the run.
    with pytest.raises(IntegrationError) as raised:
        integrate(BLOW_UP, [1], [0, 2], bits=113, max_steps=2000)
    assert raised.value.diagnostics["engine"] == "taylor"
    assert float(mpmath.mpf(raised.value.diagnostics["t_reached"])) <= 1.0


@pytest.mark.parametrize(("engine", "bits"), ENGINE_BITS[:3])
def test_too_small_step_budget_raises_integration_error(engine, bits):
    with pytest.raises(IntegrationError) as raised:
        integrate(FIELD, [0.1, 0.1], [0.0, 10.0], [1.0, 1.0], bits=bits, engine=engine,
                  max_steps=3)
    assert raised.value.diagnostics["engine"] == engine
    assert raised.value.diagnostics["max_steps"] == 3


def test_field_can_be_evaluated_at_any_precision():
    # ẇ₁ = w₂(s − w₂w₁)/τ, ẇ₂ = w₁(s − w₂w₁)/τ for L = ½(s − w₂w₁)², written by hand.
    with mpmath.workprec(113 + 2 * GUARD_BITS):
        w1, w2 = (mpmath.mpf(x) for x in ("0.3", "0.7"))
        residual = 2 - w2 * w1
        expected = [w2 * residual / 3, w1 * residual / 3]
    # ≤ 8 roundings of the working precision: 2 input conversions and ≤ 6 operations, none
    # of them cancelling (s − w₂w₁ = 1.79).
    for bits in (53, 113):
        budget = 8 * 2.0**-bits
        with mpmath.workprec(bits + GUARD_BITS):
            state = [mpmath.mpf("0.3"), mpmath.mpf("0.7")]
            values = evaluate_field(FIELD, state, [2, 3], bits)
            gaps = [abs(mpmath.mpf(v) - e) / abs(e) for v, e in zip(values, expected,
                                                                       strict=True)]
        assert max(gaps) <= budget
