"""How fast flowcert gives feedback: list, one claim, the catalogue, the tests, the engines.

Prints, for this checkout (and with ``--compare REV`` for another commit, side by side):

* ``flowcert list`` — best of 3 wall-clock seconds;
* ``flowcert check DL1 --workers 1`` — cold (empty derivation cache) and warm (best of 2 after a
  first run with the cache filled);
* ``flowcert check`` on the whole catalogue (default workers) — wall seconds, and each claim's
  seconds from the results file (the 12 slowest, and the sum);
* the README's test command (``python -m pytest``) — wall seconds and the test count;
* the integrator ratio of ``bench_integrators.py --quick`` (DL1 at 50 digits, heyoka Taylor
  against ``mpmath.odefun``, cached and including compilation).

Each figure is one run of the real command in a subprocess; with ``--compare`` the two trees
are measured alternately (A, B, A, B …) so that background load falls on both. The other
commit is checked out with ``git worktree`` into a temporary folder and installed into its own
virtual environment (editable, with the test extras), which takes a minute or two the first
time. Nothing is asserted: timings are quoted in notes, never tested.

Run from the repository root:  python benchmarks/bench_speed.py [--compare REV]
[--skip-tests] [--skip-catalogue]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RATIO = re.compile(r"speed-up mpmath\.odefun / taylor: cached ([\d.]+)x, taylor including "
                   r"compilation ([\d.]+)x")
PASSED = re.compile(r"(\d+) passed")


@dataclass
class Tree:
    """A checkout and the Python that has it installed."""

    name: str
    root: Path
    python: Path
    figures: dict[str, object] = field(default_factory=dict)

    @property
    def flowcert(self) -> Path:
        return self.python.with_name("flowcert")


def _timed(command: Sequence[str], cwd: Path, env: dict | None = None,
           timeout: float = 3600) -> tuple[float, subprocess.CompletedProcess]:
    started = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                            env={**os.environ, **(env or {})}, check=False)
    return time.perf_counter() - started, result


def measure_list(tree: Tree) -> None:
    tree.figures["list (s)"] = min(_timed([str(tree.flowcert), "list"], tree.root)[0]
                                   for _ in range(3))


def measure_one_claim(tree: Tree) -> None:
    with tempfile.TemporaryDirectory(prefix="flowcert-cache-") as cache:
        command = [str(tree.flowcert), "check", "DL1", "--workers", "1", "--quiet"]
        env = {"FLOWCERT_CACHE": cache}
        tree.figures["check DL1, cold (s)"] = _timed(command, tree.root, env)[0]
        tree.figures["check DL1, warm (s)"] = min(_timed(command, tree.root, env)[0]
                                                  for _ in range(2))


def measure_catalogue(tree: Tree) -> None:
    seconds, result = _timed([str(tree.flowcert), "check", "--json", "--quiet"], tree.root)
    tree.figures["catalogue wall (s)"] = seconds
    document = json.loads(result.stdout)
    claims = {c["id"]: c["seconds"] for c in document["claims"]}
    tree.figures["catalogue claim-seconds"] = sum(claims.values())
    tree.figures["claims (pass/fail)"] = (f"{document['summary']['passed']}/"
                                          f"{document['summary']['failed']}")
    tree.figures["per claim"] = claims


def measure_tests(tree: Tree) -> None:
    seconds, result = _timed([str(tree.python), "-m", "pytest", "-q"], tree.root,
                             {"CI": "true"})
    tree.figures["pytest wall (s)"] = seconds
    counts = PASSED.findall(result.stdout)
    tree.figures["pytest passed"] = int(counts[-1]) if counts else "?"


def measure_integrators(tree: Tree) -> None:
    script = tree.root / "benchmarks" / "bench_integrators.py"
    _, result = _timed([str(tree.python), str(script), "--quick"], tree.root)
    found = RATIO.search(result.stdout)
    tree.figures["DL1 50 digits: odefun/taylor cached"] = f"{found[1]}x" if found else "?"
    tree.figures["DL1 50 digits: odefun/taylor compiling"] = f"{found[2]}x" if found else "?"


def checkout(revision: str) -> Tree:
    """``revision`` in a worktree with its own editable install (reused if present)."""
    commit = subprocess.run(["git", "rev-parse", "--short", revision], cwd=ROOT, text=True,
                            capture_output=True, check=True).stdout.strip()
    folder = Path(tempfile.gettempdir()) / f"flowcert-bench-{commit}"
    if not folder.exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(folder), commit], cwd=ROOT,
                       check=True, capture_output=True)
    python = folder / ".venv" / "bin" / "python"
    if not python.exists():
        print(f"installing {commit} into {folder}/.venv …", file=sys.stderr, flush=True)
        subprocess.run([sys.executable, "-m", "venv", str(folder / ".venv")], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", "-e", ".[test]"],
                       cwd=folder, check=True, capture_output=True)
    return Tree(commit, folder, python)


def _cell(value) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    return str(value)


def print_table(trees: Sequence[Tree]) -> None:
    keys = [k for k in trees[0].figures if k != "per claim"]
    width = max(map(len, keys)) + 2
    print(f"{'':<{width}}" + "".join(f"{t.name:>14}" for t in trees))
    for key in keys:
        print(f"{key:<{width}}" + "".join(f"{_cell(t.figures.get(key, '—')):>14}"
                                          for t in trees))
    per_claim = [t.figures.get("per claim", {}) for t in trees]
    if any(per_claim):
        print("\nslowest claims (seconds, as the results file records them)")
        slowest = sorted(per_claim[-1] or per_claim[0], key=lambda c: -(per_claim[-1] or
                                                                        per_claim[0])[c])
        for claim_id in slowest[:12]:
            print(f"  {claim_id:<8}" + "".join(f"{_cell(p.get(claim_id, '—')):>14}"
                                               for p in per_claim))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", metavar="REV", help="also measure this commit")
    parser.add_argument("--skip-tests", action="store_true", help="do not time pytest")
    parser.add_argument("--skip-catalogue", action="store_true",
                        help="do not time the whole catalogue")
    args = parser.parse_args(argv)
    head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, text=True,
                          capture_output=True, check=False).stdout.strip() or "this tree"
    trees = [Tree(f"{head} (here)", ROOT, Path(sys.executable))]
    if args.compare:
        trees.insert(0, checkout(args.compare))
    steps = [measure_list, measure_one_claim, measure_integrators]
    steps += [] if args.skip_catalogue else [measure_catalogue]
    steps += [] if args.skip_tests else [measure_tests]
    print(f"flowcert speed benchmark · {os.cpu_count()} CPUs · load average "
          f"{os.getloadavg()[0]:.1f} at start", flush=True)
    for step in steps:
        for tree in trees:
            print(f"  {step.__name__.removeprefix('measure_')} on {tree.name} …",
                  file=sys.stderr, flush=True)
            step(tree)
    print(f"load average {os.getloadavg()[0]:.1f} at the end\n")
    print_table(trees)


if __name__ == "__main__":
    main()
