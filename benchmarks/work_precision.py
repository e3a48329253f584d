"""Work–precision measurement: error against wall-clock time for every integration engine.

Two reference ODEs:

* ``dl1`` — the DL1 mode ODE τ u̇ = 2u(s − u), s = 1, τ = 1, u(0) = 0.01, to t = 5; the error
  is |u(5) − u_exact(5)| / |u_exact(5)| with the closed form s / (1 + (s/u0 − 1) e^{−2st/τ})
  evaluated by mpmath at 80 digits;
* ``network`` — DeepLinearNetwork((7, 9, 6)), 117 weights, seeded Gaussian weights (scale 0.3)
  and target, τ = 1, to t = 3; the error is max|θ(3) − θ_ref(3)| / max|θ_ref(3)| against
  heyoka's Taylor method at REFERENCE_BITS bits.

Engines and settings: heyoka Taylor in float64 at several tolerances and in MPFR at several
precisions (tolerance = the precision's epsilon, compact mode), SciPy DOP853 and LSODA at
several rtol (atol = rtol·1e-3), and ``mpmath.odefun`` at a few working precisions. Each
time is the best of up to REPEATS calls of the integration alone (compilation, done once per
integrator, is reported apart as ``setup_seconds``). Times are measurements of one machine,
not assertions: nothing here or in the tests checks them.

Run from the repository root:  python benchmarks/work_precision.py [--out FILE.json]
It prints the table and writes the JSON the report's appendix reads
(reports/work_precision.json by default, shipped with the package).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import heyoka as hy
import mpmath
import numpy as np
from scipy.integrate import solve_ivp

from flowcert.numerics.deep_linear import DeepLinearNetwork
from flowcert.numerics.precision import to_real

DEFAULT_OUT = Path(__file__).resolve().parents[1] / "reports" / "work_precision.json"
SCHEMA = "flowcert-work-precision/1"
REPEATS = 5
#: A run slower than this is not repeated.
REPEAT_BELOW_SECONDS = 5.0
REFERENCE_DPS = 80
REFERENCE_BITS = 256
TAYLOR_FLOAT_TOLERANCES = (1e-6, 1e-9, 1e-12, 2.0**-52)
SCIPY_RTOLS = {"DOP853": (1e-4, 1e-6, 1e-8, 1e-10, 1e-12, 2.5e-14),
               "LSODA": (1e-4, 1e-6, 1e-8, 1e-10, 1e-12)}
ATOL_PER_RTOL = 1e-3

DL1_S, DL1_TAU, DL1_U0, DL1_END = "1", "1", "0.01", "5"
NETWORK_LAYERS = (7, 9, 6)
NETWORK_SEED = 20240601
NETWORK_WEIGHT_SCALE = 0.3
NETWORK_END = 3.0


@dataclass
class Problem:
    """An ODE dθ/dt = rhs(θ; pars) from t = 0 to ``end`` and how to score a final state.

    Numbers are decimal strings or binary floats, converted exactly at every precision.
    ``variables``/``rhs`` are heyoka expressions (Taylor and the compiled SciPy field);
    ``mpmath_rhs`` is the same field for ``mpmath.odefun``; ``error`` maps a final state
    to its relative error.
    """

    name: str
    description: str
    variables: list
    rhs: list
    pars: list[str | float]
    initial: list[str | float]
    end: str | float
    mpmath_rhs: Callable[[Sequence], list]
    error: Callable[[Sequence], float]
    taylor_bits: tuple[int, ...]
    odefun_dps: tuple[int, ...]


# ----------------------------------------------------------------------------- problems


def dl1_problem() -> Problem:
    """τ u̇ = 2u(s − u) against its closed form."""
    u = hy.make_vars("u")
    s, tau = hy.par[0], hy.par[1]
    with mpmath.workdps(REFERENCE_DPS):
        ms, mtau, mu0, mend = (mpmath.mpf(v) for v in (DL1_S, DL1_TAU, DL1_U0, DL1_END))
        exact = ms / (1 + (ms / mu0 - 1) * mpmath.exp(-2 * ms * mend / mtau))

    def mpmath_rhs(_t, state):
        return [2 * state[0] * (ms - state[0]) / mtau]

    def error(state) -> float:
        with mpmath.workdps(REFERENCE_DPS):
            return float(abs(mpmath.mpf(state[0]) - exact) / exact)

    return Problem("dl1", f"DL1 mode ODE τu̇ = 2u(s − u), s = {DL1_S}, τ = {DL1_TAU}, "
                   f"u(0) = {DL1_U0}, t = 0…{DL1_END}; error of u({DL1_END}) relative to the "
                   "closed form", [u], [2 * u * (s - u) / tau], [DL1_S, DL1_TAU], [DL1_U0],
                   DL1_END, mpmath_rhs, error, taylor_bits=(113, 170, 256),
                   odefun_dps=(15, 20, 30, 50))


def network_problem() -> Problem:
    """DeepLinearNetwork((7, 9, 6)) against a Taylor run at REFERENCE_BITS bits."""
    network = DeepLinearNetwork(NETWORK_LAYERS)
    rng = np.random.default_rng(NETWORK_SEED)
    weights = NETWORK_WEIGHT_SCALE * rng.standard_normal(network.n_weights)
    target = rng.standard_normal(network.target_shape)
    field = network.vector_field
    pars = [float(p) for p in network.flow_parameters(target, 1.0)]
    initial = [float(w) for w in weights]
    problem = Problem("network", f"deep linear network {NETWORK_LAYERS}, "
                      f"{network.n_weights} weights (seed {NETWORK_SEED}), τ = 1, t = 0…"
                      f"{NETWORK_END:g}; error max|θ − θ_ref| / max|θ_ref| at the end, θ_ref "
                      f"from heyoka Taylor at {REFERENCE_BITS} bits",
                      list(field.variables), list(field.rhs), pars, initial,
                      NETWORK_END, _network_mpmath_rhs(network, target),
                      error=lambda state: math.nan, taylor_bits=(113, 170), odefun_dps=(15, 20))
    problem.error = _relative_deviation(_taylor_final(problem, REFERENCE_BITS, None)[1])
    return problem


def _relative_deviation(reference: Sequence) -> Callable[[Sequence], float]:
    """state ↦ max|θ − θ_ref| / max|θ_ref|, evaluated at REFERENCE_DPS digits."""
    def error(state: Sequence) -> float:
        with mpmath.workdps(REFERENCE_DPS):
            deviation = max(abs(mpmath.mpf(v) - r) for v, r in zip(state, reference, strict=True))
            return float(deviation / max(abs(r) for r in reference))
    return error


def _network_mpmath_rhs(network: DeepLinearNetwork, target: np.ndarray):
    """τθ̇ = −∇½‖T − W₂W₁‖² for two layers, in mpmath matrices (for mpmath.odefun)."""
    first, second = network.shapes
    split = first[0] * first[1]
    goal = mpmath.matrix(target.tolist())

    def rhs(_t, state):
        w1 = mpmath.matrix(first[0], first[1])
        w2 = mpmath.matrix(second[0], second[1])
        for index in range(split):
            w1[index // first[1], index % first[1]] = state[index]
        for index in range(len(state) - split):
            w2[index // second[1], index % second[1]] = state[split + index]
        residual = goal - w2 * w1
        d1, d2 = w2.T * residual, residual * w1.T
        return ([d1[i, j] for i in range(first[0]) for j in range(first[1])]
                + [d2[i, j] for i in range(second[0]) for j in range(second[1])])

    return rhs


# ----------------------------------------------------------------------------- engines


def best_time(run: Callable[[], object]) -> tuple[float, object]:
    """Best wall-clock seconds of up to REPEATS calls (one if the first is slow), and a result."""
    best, result = math.inf, None
    for _ in range(REPEATS):
        start = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - start)
        if best > REPEAT_BELOW_SECONDS:
            break
    return best, result


def _taylor_final(problem: Problem, bits: int | None, tolerance: float | None):
    """(setup seconds, final state) of heyoka's Taylor method: float64 when bits is None."""
    convert = (lambda v: float(v)) if bits is None else (lambda v: to_real(v, bits))
    options = {} if bits is None else {"fp_type": hy.real, "prec": bits}
    if tolerance is not None:
        options["tol"] = tolerance
    start = time.perf_counter()
    ta = hy.taylor_adaptive(list(zip(problem.variables, problem.rhs, strict=True)),
                            [convert(v) for v in problem.initial],
                            pars=[convert(p) for p in problem.pars],
                            compact_mode=bits is not None or len(problem.variables) > 20,
                            **options)
    setup = time.perf_counter() - start
    initial, end = [convert(v) for v in problem.initial], convert(problem.end)

    def run():
        ta.time = convert(0)
        ta.state[:] = initial
        ta.propagate_until(end)
        return ta.state.copy()

    seconds, state = best_time(run)
    if bits is None:
        return setup, list(state), seconds
    with mpmath.workdps(REFERENCE_DPS):
        return setup, [mpmath.mpf(str(v)) for v in state], seconds


def taylor_rows(problem: Problem) -> list[dict]:
    """heyoka Taylor: float64 at TAYLOR_FLOAT_TOLERANCES, MPFR at the problem's precisions."""
    rows = []
    for tolerance in TAYLOR_FLOAT_TOLERANCES:
        setup, state, seconds = _taylor_final(problem, None, tolerance)
        rows.append(_row("heyoka Taylor", f"float64, tol {tolerance:.1e}", tolerance, seconds,
                         problem.error(state), setup))
    for bits in problem.taylor_bits:
        setup, state, seconds = _taylor_final(problem, bits, None)
        rows.append(_row("heyoka Taylor", f"MPFR {bits} bits", 2.0 ** (1 - bits), seconds,
                         problem.error(state), setup))
    return rows


def scipy_rows(problem: Problem, method: str) -> list[dict]:
    """SciPy ``method`` at each rtol of SCIPY_RTOLS, on the compiled right-hand side."""
    start = time.perf_counter()
    field = hy.cfunc(problem.rhs, vars=problem.variables)
    setup = time.perf_counter() - start
    pars = np.array([float(p) for p in problem.pars])[:field.nparams]
    initial = np.array([float(v) for v in problem.initial])
    rows = []
    for rtol in SCIPY_RTOLS[method]:
        def run(rtol=rtol):
            return solve_ivp(lambda _t, y: field(y, pars=pars), (0.0, float(problem.end)),
                             initial, method=method, rtol=rtol, atol=rtol * ATOL_PER_RTOL)
        seconds, result = best_time(run)
        if result.status != 0:
            raise RuntimeError(f"{method} at rtol {rtol} failed: {result.message}")
        rows.append(_row(f"SciPy {method}", f"rtol {rtol:.1e}", rtol, seconds,
                         problem.error(result.y[:, -1]), setup))
    return rows


def odefun_rows(problem: Problem) -> list[dict]:
    """``mpmath.odefun`` at each working precision (a fresh solver per call)."""
    rows = []
    for dps in problem.odefun_dps:
        def run(dps=dps):
            with mpmath.workdps(dps):
                solution = mpmath.odefun(problem.mpmath_rhs, 0,
                                         [mpmath.mpf(v) for v in problem.initial])
                return solution(mpmath.mpf(problem.end))
        seconds, state = best_time(run)
        rows.append(_row("mpmath.odefun", f"dps {dps}", 10.0 ** -dps, seconds,
                         problem.error(state), 0.0))
    return rows


def _row(engine: str, setting: str, tolerance: float, seconds: float, error: float,
         setup: float) -> dict:
    return {"engine": engine, "setting": setting, "tolerance": tolerance,
            "seconds": seconds, "error": error, "setup_seconds": setup}


# ----------------------------------------------------------------------------- table


def measure(problem: Problem) -> list[dict]:
    """Rows {engine, setting, tolerance, seconds, error, setup_seconds} for one problem."""
    return (taylor_rows(problem) + scipy_rows(problem, "DOP853") + scipy_rows(problem, "LSODA")
            + odefun_rows(problem))


def machine() -> dict:
    """Where and when the table was measured."""
    cpu = platform.processor() or "unknown"
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            cpu = next((line.split(":", 1)[1].strip() for line in handle
                        if line.startswith("model name")), cpu)
    except OSError:
        pass
    packages = {name: metadata.version(name) for name in ("heyoka", "scipy", "mpmath", "numpy")}
    return {"platform": platform.platform(), "cpu": cpu, "cpus": os.cpu_count(),
            "python": platform.python_version(), "packages": packages,
            "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}


def work_precision_table() -> dict:
    """The whole measurement as the JSON document the report's appendix reads."""
    problems = (dl1_problem(), network_problem())
    return {"schema": SCHEMA, "machine": machine(),
            "timing": f"best of up to {REPEATS} calls of the integration alone (one if slower "
                      f"than {REPEAT_BELOW_SECONDS:g} s); compilation (heyoka's JIT caches "
                      "off) in setup_seconds",
            "problems": {p.name: {"description": p.description, "rows": measure(p)}
                         for p in problems}}


def format_table(document: dict) -> str:
    """Plain-text tables, one per problem."""
    lines = [f"measured {document['machine']['date']} on {document['machine']['cpu']}"]
    for name, problem in document["problems"].items():
        lines += ["", f"{name}: {problem['description']}",
                  f"{'engine':<16}{'setting':<24}{'seconds':>12}{'error':>12}{'setup s':>10}"]
        lines += [f"{r['engine']:<16}{r['setting']:<24}{r['seconds']:>12.4g}{r['error']:>12.3g}"
                  f"{r['setup_seconds']:>10.3g}" for r in problem["rows"]]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="JSON file to write")
    args = parser.parse_args(argv)
    hy.llvm_state.set_diskcache_enabled(False)  # setup_seconds are real compilations
    hy.llvm_state.clear_memcache()
    document = work_precision_table()
    args.out.write_text(json.dumps(document, indent=1) + "\n")
    print(format_table(document))
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
