"""Wall-clock benchmark of flowcert's integration engines (nothing is asserted on time).

Part 1 — DL1 mode ODE at 50 significant digits: the balanced 2-layer scalar linear network,
loss ½(s − w2·w1)², s = 1, w1(0) = w2(0) = 0.1, integrated to t = 5. The heyoka Taylor
engine at ceil(50·log2 10) + guard bits is timed against ``mpmath.odefun`` at mp.dps = 50
on the same 2-state ODE, and SciPy DOP853 (float64) is timed for reference. Errors are
relative to the exact u(5) = s / (1 + (s/u0 − 1) e^{−2st}), evaluated with mpmath at 80
digits (the benchmark's own reference).

Part 2 — a DL3-sized network DeepLinearNetwork((7, 9, 6)) (117 weights), random Gaussian
weights (scale 0.3) and target from a seeded generator, integrated to t = 3 with 5 output
times at 53 bits (both engines) and 256 bits (Taylor).

"First call" clears flowcert's module-level compile caches (``_TAYLOR_CACHE``,
``_CFUNC_CACHE``) and heyoka's in-memory JIT cache, and heyoka's on-disk JIT cache is
disabled for this process, so it includes compilation. "Cached" is the best of N further
calls (N = 3, or 1 with ``--quick``).

Run from the repository root:  python benchmarks/bench_integrators.py [--quick]
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata

import heyoka as hy
import mpmath
import numpy as np

from flowcert.numerics import integrate as integration
from flowcert.numerics.deep_linear import DeepLinearNetwork
from flowcert.numerics.flows import VectorField
from flowcert.numerics.integrate import Trajectory, integrate

REFERENCE_DPS = 80
DL1_DIGITS = 50
GUARD_BITS = 3
DL1_BITS = math.ceil(DL1_DIGITS * math.log2(10)) + GUARD_BITS  # 167 + 3 = 170
DL1_S, DL1_W0, DL1_END = "1", "0.1", "5"
DL3_LAYERS = (7, 9, 6)
DL3_SEED = 20240601
DL3_WEIGHT_SCALE = 0.3
DL3_END, DL3_OUTPUTS = 3.0, 5
DL3_RUNS = (("dop853", 53), ("taylor", 53), ("taylor", 256))


@dataclass
class Timing:
    """Wall-clock seconds of the first call and the best cached call, and the last result."""

    first: float
    cached: float
    result: object


# ----------------------------------------------------------------------------- timing


def timed(run: Callable[[], object]) -> tuple[float, object]:
    """(seconds, result) of one call, measured with time.perf_counter."""
    start = time.perf_counter()
    result = run()
    return time.perf_counter() - start, result


def clear_compile_caches() -> None:
    """Forget every compiled integrator and function (flowcert's and heyoka's in-memory)."""
    integration._TAYLOR_CACHE.clear()
    integration._CFUNC_CACHE.clear()
    hy.llvm_state.clear_memcache()


def first_and_cached(run: Callable[[], object], repeats: int) -> Timing:
    """Time ``run`` from a cold compile cache, then the best of ``repeats`` cached calls."""
    clear_compile_caches()
    first, result = timed(run)
    cached = math.inf
    for _ in range(repeats):
        seconds, result = timed(run)
        cached = min(cached, seconds)
    return Timing(first, cached, result)


def first_and_best(run: Callable[[], object], repeats: int) -> Timing:
    """The first of ``repeats`` calls and the best of them (for solvers without a cache)."""
    first, result = timed(run)
    best = first
    for _ in range(repeats - 1):
        seconds, result = timed(run)
        best = min(best, seconds)
    return Timing(first, best, result)


# ----------------------------------------------------------------------------- header


def cpu_model() -> str:
    """The CPU model name from /proc/cpuinfo, else platform.processor()."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as handle:
            for line in handle:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def print_header(repeats: int) -> None:
    """Machine, interpreter, package versions and the timing protocol."""
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    print("flowcert integrator benchmark")
    print(f"machine : {platform.platform()} ({platform.machine()}), CPU: {cpu_model()}")
    print(f"cpus    : os.cpu_count() = {os.cpu_count()}, usable = {usable}")
    print(f"python  : {sys.version.split()[0]}")
    versions = {name: metadata.version(name)
                for name in ("flowcert", "heyoka", "mpmath", "scipy", "numpy")}
    print("packages: " + ", ".join(f"{k} {v}" for k, v in versions.items()))
    print(f"timing  : time.perf_counter; cached = best of {repeats}; first call = cold "
          "compile caches (flowcert + heyoka in-memory, heyoka disk cache disabled)")
    print()


def print_table(headings: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
    """A left-aligned plain-text table."""
    widths = [max(len(str(row[i])) for row in [headings, *rows]) for i in range(len(headings))]
    for row in [headings, ["-" * w for w in widths], *rows]:
        cells = (str(cell).ljust(w) for cell, w in zip(row, widths, strict=True))
        print("  ".join(cells).rstrip())


def fmt_seconds(value: float) -> str:
    return f"{value:.4g}"


# ----------------------------------------------------------------------------- part 1: DL1


def dl1_exact() -> mpmath.mpf:
    """u(5) = s / (1 + (s/u0 − 1) e^{−2st}) at REFERENCE_DPS digits."""
    with mpmath.workdps(REFERENCE_DPS):
        s, w0, end = mpmath.mpf(DL1_S), mpmath.mpf(DL1_W0), mpmath.mpf(DL1_END)
        u0 = w0 * w0
        return s / (1 + (s / u0 - 1) * mpmath.exp(-2 * s * end))


def relative_error(value: object, exact: mpmath.mpf) -> mpmath.mpf:
    with mpmath.workdps(REFERENCE_DPS):
        return abs(mpmath.mpf(value) - exact) / abs(exact)


def dl1_flowcert(engine: str, bits: int) -> Callable[[], Trajectory]:
    """A call of the facade on the scalar network; output grid (0, 5)."""
    network = DeepLinearNetwork((1, 1, 1))
    field = network.vector_field
    with mpmath.workdps(REFERENCE_DPS):
        s, w0, end = mpmath.mpf(DL1_S), mpmath.mpf(DL1_W0), mpmath.mpf(DL1_END)
        params = network.flow_parameters(np.array([[s]]), mpmath.mpf(1))
    return lambda: integrate(field, [w0, w0], [0, end], params, bits=bits, engine=engine)


def dl1_odefun_at_end() -> list:
    """A fresh ``mpmath.odefun`` of dw1/dt = w2(s − w1w2), dw2/dt = w1(s − w1w2) at t = 5."""
    with mpmath.workdps(DL1_DIGITS):
        s, w0 = mpmath.mpf(DL1_S), mpmath.mpf(DL1_W0)

        def field(_t: mpmath.mpf, w: Sequence[mpmath.mpf]) -> list:
            residual = s - w[0] * w[1]
            return [w[1] * residual, w[0] * residual]

        solution = mpmath.odefun(field, 0, [w0, w0])
        return solution(mpmath.mpf(DL1_END))


def product_at_end(state: Sequence) -> mpmath.mpf:
    """u = w1·w2 at REFERENCE_DPS digits."""
    with mpmath.workdps(REFERENCE_DPS):
        return mpmath.mpf(state[0]) * mpmath.mpf(state[1])


def dl1_row(label: str, precision: str, timing: Timing, steps: object, u: mpmath.mpf,
            exact: mpmath.mpf) -> list[str]:
    return [label, precision, fmt_seconds(timing.first), fmt_seconds(timing.cached), str(steps),
            mpmath.nstr(u, 22), mpmath.nstr(relative_error(u, exact), 3)]


def bench_dl1(repeats: int) -> None:
    """Part 1: Taylor at 50 digits vs mpmath.odefun, DOP853 for reference."""
    exact = dl1_exact()
    print(f"1. DL1 mode ODE: s = {DL1_S}, w1(0) = w2(0) = {DL1_W0} (u0 = 0.01), t = 0 -> "
          f"{DL1_END}, output u(5) = w1*w2")
    print(f"   exact u(5) (mpmath, {REFERENCE_DPS} digits) = {mpmath.nstr(exact, 30)}")
    taylor = first_and_cached(dl1_flowcert("taylor", DL1_BITS), repeats)
    odefun = first_and_best(dl1_odefun_at_end, repeats)
    dop853 = first_and_cached(dl1_flowcert("dop853", 53), repeats)
    rows = [
        dl1_row("flowcert taylor (heyoka)", f"{DL1_BITS} bits", taylor, taylor.result.steps,
                product_at_end(taylor.result.states[-1]), exact),
        dl1_row("mpmath.odefun (fresh)", f"dps {DL1_DIGITS}", odefun, "-",
                product_at_end(odefun.result), exact),
        dl1_row("flowcert dop853 (scipy)", "53 bits", dop853, dop853.result.steps,
                product_at_end(dop853.result.states[-1]), exact),
    ]
    print_table(["engine", "precision", "first call [s]", "cached [s]", "steps", "u(5)",
                 "rel. error"], rows)
    print("   (mpmath.odefun has no compile step: 'first call' is its first run, 'cached' the "
          "best of all runs, each with a fresh odefun object)")
    print(f"   speed-up mpmath.odefun / taylor: cached {odefun.cached / taylor.cached:.0f}x, "
          f"taylor including compilation {odefun.cached / taylor.first:.1f}x")
    print()


# ----------------------------------------------------------------------------- part 2: DL3


@dataclass
class DL3Problem:
    """The vector field, initial weights, parameters and output times of part 2."""

    network: DeepLinearNetwork
    field: VectorField
    field_seconds: float
    weights: np.ndarray
    params: list
    times: list[float]


def dl3_problem() -> DL3Problem:
    """Seeded Gaussian weights (scale 0.3) and target (scale 1), τ = 1."""
    network = DeepLinearNetwork(DL3_LAYERS)
    rng = np.random.default_rng(DL3_SEED)
    weights = DL3_WEIGHT_SCALE * rng.standard_normal(network.n_weights)
    target = rng.standard_normal(network.target_shape)
    field_seconds, field = timed(lambda: network.vector_field)
    times = [float(t) for t in np.linspace(0.0, DL3_END, DL3_OUTPUTS)]
    return DL3Problem(network, field, field_seconds, weights,
                      network.flow_parameters(target, 1.0), times)


def exact_inputs(values: Sequence, bits: int) -> list:
    """float64 values as they are (53 bits) or as exact mpf (so MPFR starts from them)."""
    if bits == 53:
        return [float(v) for v in values]
    return [mpmath.mpf(float(v)) for v in values]


def dl3_call(problem: DL3Problem, engine: str, bits: int) -> Callable[[], Trajectory]:
    state = exact_inputs(problem.weights, bits)
    params = exact_inputs(problem.params, bits)
    return lambda: integrate(problem.field, state, problem.times, params, bits=bits,
                             engine=engine)


def taylor_order(field: VectorField, bits: int) -> str:
    """Order of the cached heyoka integrator for (field, no events, bits)."""
    compiled = integration._TAYLOR_CACHE.get((field.key, (), bits))
    return str(compiled.integrator.order) if compiled is not None else "?"


def final_state(trajectory: Trajectory) -> np.ndarray:
    return np.array([float(x) for x in trajectory.states[-1]])


def deviation(state: np.ndarray, reference: np.ndarray) -> str:
    """max |θ − θ_ref| / max |θ_ref| at the last output time."""
    return f"{np.max(np.abs(state - reference)) / np.max(np.abs(reference)):.2e}"


def bench_dl3(repeats: int) -> None:
    """Part 2: the 117-weight network at 53 bits (both engines) and 256 bits (Taylor)."""
    problem = dl3_problem()
    print(f"2. DeepLinearNetwork({DL3_LAYERS}): {problem.network.n_weights} weights, seed "
          f"{DL3_SEED}, weights ~ {DL3_WEIGHT_SCALE}*N(0,1), target ~ N(0,1), tau = 1")
    print(f"   outputs at t = {problem.times}; symbolic field (autodiff) built in "
          f"{problem.field_seconds:.3g} s, not included below")
    results = {}
    for engine, bits in DL3_RUNS:
        timing = first_and_cached(dl3_call(problem, engine, bits), repeats)
        order = taylor_order(problem.field, bits) if engine == "taylor" else "8(5,3)"
        results[engine, bits] = (timing, order)
    reference = final_state(results["taylor", 256][0].result)
    rows = [[engine, str(bits), fmt_seconds(timing.first), fmt_seconds(timing.cached),
             str(timing.result.steps), order, deviation(final_state(timing.result), reference)]
            for (engine, bits), (timing, order) in results.items()]
    print_table(["engine", "bits", "first call [s]", "cached [s]", "steps", "order",
                 "max|dθ(3)|/max|θ| vs taylor-256"], rows)
    print("   (dop853 steps = rhs evaluations / 12, accepted + rejected; taylor: steps taken)")
    print()


# ----------------------------------------------------------------------------- main


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true",
                        help="run every case but time cached calls (and mpmath) best-of-1")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> None:
    repeats = 1 if parse_arguments(argv).quick else 3
    hy.llvm_state.set_diskcache_enabled(False)  # process-local: first calls really compile
    print_header(repeats)
    bench_dl1(repeats)
    bench_dl3(repeats)


if __name__ == "__main__":
    main()
