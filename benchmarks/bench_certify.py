"""Validated (Arb ball) integration against heyoka's 256-bit Taylor run: DL1 in detail, and
every certified claim's certificate against its 256-bit ladder rung.

For each of DL1's five cases (s, u0, τ) — the 1-1-1 deep linear network from
w1 = w2 = √u0 — on the claim's 41-point grid to the horizon τ(|ln(s/u0)| + 8)/(2s), with the
claim's crossing events (u = u0 + 0.9(s − u0), and u = s/2 when u0 < s/2):

* ``enclose`` at 256 bits (default order): wall and CPU seconds, steps, largest relative ball
  radius over all outputs (acceptance criterion: ≤ 1e-60), largest crossing-time radius, and
  the certificate status of the logistic closed form u(t) = s/(1 + (s/u0 − 1)e^{−2st/τ})
  (written here in ball arithmetic) with u = w1·w2;
* heyoka's Taylor integrator at 256 bits (flowcert.numerics.integrate) on the same grid and
  events: best wall-clock seconds of 3 calls after a first (compiling) call.

With ``claims`` (or claim ids) on the command line, instead: for each certified claim (all
of CERTIFIED_CLAIMS by default), ``claim.run((256,))`` — the ladder's 256-bit rung, heyoka's
Taylor method and the claim's comparisons — and ``claim.certify(256)``, each timed (wall and
CPU seconds) in a fresh process (the enclosures are cached per process), with the
certificate's status, points and largest relative radius.

The machine is shared, so the header prints the load average; compare CPU seconds when it
is high. Nothing is asserted on time. Run from the repository root:

    python benchmarks/bench_certify.py                 # DL1's cases
    python benchmarks/bench_certify.py claims          # every certified claim (minutes)
    python benchmarks/bench_certify.py GS1 KR6         # some of them
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
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
#: The claims whose certify(BITS) the claims table times.
CERTIFIED_CLAIMS = ("DL1", "DL2", "DL4", "DL5", "DL6", "GS1", "GS6", "CL1", "CL2", "CL3", "CL8",
                    "KR1", "KR6")
#: Run in a fresh interpreter per claim: the rung, then the certificate, as JSON.
_CLAIM_TIMING = """
import json, sys, time
from flowcert.claims.registry import get_claim
claim, bits = get_claim(sys.argv[1]), int(sys.argv[2])
rows = {}
for name, call in (("rung", lambda: claim.run((bits,))), ("certify", lambda: claim.certify(bits))):
    wall, cpu = time.perf_counter(), time.process_time()
    result = call()
    rows[name] = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}
rows["certificate"] = result.to_json()
print(json.dumps(rows))
"""


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


def claims_table(ids: tuple[str, ...]) -> None:
    """Per claim: the 256-bit rung and the certificate, timed in a fresh process."""
    header = (f"{'claim':<7}{'rung wall s':>12}{'rung CPU s':>11}{'cert wall s':>12}"
              f"{'cert CPU s':>11}{'status':>13}{'points':>8}{'max rel radius':>16}")
    print(header)
    print("-" * len(header))
    for claim_id in ids:
        done = subprocess.run([sys.executable, "-c", _CLAIM_TIMING, claim_id, str(BITS)],
                              capture_output=True, text=True, check=True)
        rows = json.loads(done.stdout.strip().splitlines()[-1])
        rung, cert, certificate = rows["rung"], rows["certify"], rows["certificate"]
        print(f"{claim_id:<7}{rung['wall']:>12.2f}{rung['cpu']:>11.2f}{cert['wall']:>12.2f}"
              f"{cert['cpu']:>11.2f}{certificate['status']:>13}{certificate['points']:>8}"
              f"{float(certificate['max_relative_radius']):>16.2e}")


def main() -> None:
    versions = ", ".join(f"{p} {metadata.version(p)}" for p in ("python-flint", "heyoka"))
    print(f"{platform.platform()}, {os.cpu_count()} CPUs, load average "
          f"{', '.join(f'{v:.1f}' for v in os.getloadavg())}; {versions}")
    if sys.argv[1:]:
        ids = CERTIFIED_CLAIMS if sys.argv[1:] == ["claims"] else tuple(sys.argv[1:])
        print(f"{BITS}-bit rung (claim.run) and certificate (claim.certify) per claim\n")
        claims_table(ids)
        return
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
