"""Validated (Arb ball) integration of DL1 against heyoka's 256-bit Taylor run.

For each of DL1's five cases (s, u0, τ) — the 1-1-1 deep linear network from
w1 = w2 = √u0 — on the claim's 41-point grid to the horizon τ(|ln(s/u0)| + 8)/(2s), with the
claim's crossing events (u = u0 + 0.9(s − u0), and u = s/2 when u0 < s/2):

* ``enclose`` at 256 bits (default order): wall and CPU seconds, steps, largest relative ball
  radius over all outputs (acceptance criterion: ≤ 1e-60), largest crossing-time radius, and
  the certificate status of the logistic closed form u(t) = s/(1 + (s/u0 − 1)e^{−2st/τ})
  (written here in ball arithmetic) with u = w1·w2;
* heyoka's Taylor integrator at 256 bits (flowcert.numerics.integrate) on the same grid and
  events: best wall-clock seconds of 3 calls after a first (compiling) call.

The machine is shared, so the header prints the load average; compare CPU seconds when it
is high. Nothing is asserted on time. Run from the repository root:

    python benchmarks/bench_certify.py
"""

from __future__ import annotations

import os
import platform
import time
from importlib import metadata

import mpmath
import numpy as np
from flint import arb

from flowcert.numerics.ball_expressions import to_ball, working_precision
from flowcert.numerics.certificate import certify
from flowcert.numerics.deep_linear import DeepLinearNetwork
from flowcert.numerics.flows import Crossing
from flowcert.numerics.integrate import integrate
from flowcert.numerics.validated import enclose

BITS = 256
POINTS = 41
HEYOKA_REPEATS = 3
CASES = (("1", "0.01", "1"), ("3", "0.001", "1"), ("2", "0.5", "0.5"), ("0.5", "0.45", "2"),
         ("1", "1.5", "1"))
NETWORK = DeepLinearNetwork((1, 1, 1))


def product(variables):
    return variables[0] * variables[1]


def setup(s: str, u0: str, tau: str) -> tuple[list, list[Crossing]]:
    """The grid (mpf at 300 bits, read exactly by both engines) and the crossing events."""
    with mpmath.workprec(300):
        s_, u0_, tau_ = (mpmath.mpf(v) for v in (s, u0, tau))
        horizon = tau_ * (abs(mpmath.log(s_ / u0_)) + 8) / (2 * s_)
        grid = [horizon * k / (POINTS - 1) for k in range(POINTS)]
        events = [Crossing("transit", product, u0_ + (s_ - u0_) * 9 / 10)]
        if u0_ < s_ / 2:
            events.append(Crossing("half", product, s_ / 2))
    return grid, events


def closed_form(s: str, u0: str, tau: str):
    def u(t: arb) -> arb:
        s_, u0_, tau_ = (to_ball(v) for v in (s, u0, tau))
        return s_ / (1 + (s_ / u0_ - 1) * (-2 * s_ * t / tau_).exp())
    return u


def certified_run(s: str, u0: str, tau: str) -> dict:
    grid, events = setup(s, u0, tau)
    with working_precision(BITS):
        root = to_ball(u0).sqrt()
    wall, cpu = time.perf_counter(), time.process_time()
    enclosure = enclose(NETWORK.vector_field, [root, root], grid,
                        NETWORK.flow_parameters(np.array([[s]]), tau), BITS, events=events)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    crossings = [c for found in enclosure.events.values() for c in found]
    certificate = certify(enclosure, closed_form(s, u0, tau), observable=product)
    return {"wall": wall, "cpu": cpu, "steps": enclosure.steps, "order": enclosure.order,
            "relative": enclosure.max_relative_radius,
            "event_radius": max(float(c.time.rad()) for c in crossings),
            "events_certified": all(c.certified for c in crossings) and len(crossings) == len(
                events), "status": certificate.status}


def heyoka_run(s: str, u0: str, tau: str) -> dict:
    grid, events = setup(s, u0, tau)
    with mpmath.workprec(300):
        root = mpmath.sqrt(mpmath.mpf(u0))
    params = NETWORK.flow_parameters(np.array([[s]]), tau)

    def run():
        return integrate(NETWORK.vector_field, [root, root], grid, params, bits=BITS,
                         events=events)

    run()  # compiles (cached afterwards)
    best = float("inf")
    for _ in range(HEYOKA_REPEATS):
        start = time.perf_counter()
        trajectory = run()
        best = min(best, time.perf_counter() - start)
    return {"wall": best, "steps": trajectory.steps}


def main() -> None:
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in ("python-flint", "heyoka"))
    print(f"{platform.platform()}, {os.cpu_count()} CPUs, load average "
          f"{', '.join(f'{v:.1f}' for v in os.getloadavg())}; {versions}")
    print(f"DL1 at {BITS} bits, {POINTS}-point grid with crossing events\n")
    header = (f"{'(s, u0, tau)':<18}{'cert wall s':>12}{'cert CPU s':>11}{'steps':>7}"
              f"{'order':>6}{'max rel radius':>16}{'event radius':>14}{'events':>8}"
              f"{'closed form':>13}{'heyoka s':>10}{'hy steps':>9}")
    print(header)
    print("-" * len(header))
    worst, total = 0.0, 0.0
    for case in CASES:
        cert, hey = certified_run(*case), heyoka_run(*case)
        worst, total = max(worst, cert["relative"]), total + cert["wall"]
        print(f"{'(' + ', '.join(case) + ')':<18}{cert['wall']:>12.2f}{cert['cpu']:>11.2f}"
              f"{cert['steps']:>7}{cert['order']:>6}{cert['relative']:>16.2e}"
              f"{cert['event_radius']:>14.2e}"
              f"{'proven' if cert['events_certified'] else 'NOT':>8}{cert['status']:>13}"
              f"{hey['wall']:>10.4f}{hey['steps']:>9}")
    print(f"\nlargest relative radius {worst:.2e} (criterion ≤ 1e-60: "
          f"{'met' if worst <= 1e-60 else 'NOT met'}); certified runs took {total:.1f} s")


if __name__ == "__main__":
    main()
