"""Mutation check of ``theory/``: would the claims notice a one-token change of a closed form?

1. **Coverage** — each claim runs in its own interpreter under coverage.py (dynamic context =
   the claim id, after its family's modules are imported), giving for every executed line of
   ``theory/*.py`` the claims that execute it. A line executed while the modules are imported
   belongs to every claim whose interpreter imported that module (its family, and any claim
   of another family that imports it). The map is cached in ``--coverage-file``, keyed by a
   hash of the sources of ``theory/`` and ``claims/`` and the precision ladder.
2. **Mutants** — :func:`mutants.enumerate_mutants` on the covered lines, minus the
   golden-pinning statements (``DERIVATIONS``), which checks never read.
3. **Runs** — a seeded sample, spread over families in proportion to their covered lines.
   Each mutant is written into the file, the claims covering its line that pass on the
   unmutated code run in a fresh interpreter (fastest first, stopping at the first failure),
   and the file is restored (verified with ``git diff --quiet`` in place).
4. **Report** — a table per family and the surviving mutants; equivalent mutants listed in
   ``benchmarks/mutation_equivalent.json`` are left out of the denominator.

Run ``python benchmarks/mutation.py --help`` from the repository root; see
``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import hashlib
import itertools
import json
import os
import queue
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from mutants import (
    Mutant,
    enumerate_mutants,
    golden_only_lines,
    load_equivalent,
    mutated,
    sample_mutants,
    split_equivalent,
)

ROOT = Path(__file__).resolve().parents[1]
THEORY = ROOT / "theory"
DEFAULT_COVERAGE = ROOT / "benchmarks" / "mutation_coverage.json"
DEFAULT_EQUIVALENT = ROOT / "benchmarks" / "mutation_equivalent.json"
DEFAULT_PRECISIONS = (53, 113, 256)
SHARED = "SHARED"  # theory modules of no family (evaluation.py, derivations.py)
SCHEMA = "flowcert-mutation/1"

#: Run in a fresh interpreter per claim: the claim's family module is imported (static
#: context ""), then the claim runs under dynamic context = its id.
COVERAGE_SCRIPT = r"""
import importlib, json, sys, time
import coverage
module, claim_id, include = sys.argv[1], sys.argv[2], sys.argv[4]
precisions = json.loads(sys.argv[3])
cov = coverage.Coverage(data_file=None, include=[include])
cov.start()
claims = importlib.import_module(module).CLAIMS
cov.switch_context(claim_id)
started = time.perf_counter()
try:
    passed = bool(next(c for c in claims if c.id == claim_id).run(tuple(precisions)).passed)
except Exception:
    passed = False
seconds = time.perf_counter() - started
cov.stop()
data = cov.get_data()
lines = {path: {str(line): sorted(contexts) for line, contexts in
                data.contexts_by_lineno(path).items()} for path in data.measured_files()}
print(json.dumps({"passed": passed, "seconds": seconds, "lines": lines}))
"""

#: Run in a fresh interpreter per mutant. Exit 0: every claim passed; 1: a claim failed (an
#: experiment that raises fails, as in ``flowcert check``); 3: the interpreter crashed
#: before or between claims (a mutant that breaks the import).
MUTANT_SCRIPT = r"""
import importlib, json, sys, time
try:
    claims, precisions = json.loads(sys.argv[1]), tuple(json.loads(sys.argv[2]))
    for module, claim_id in claims:
        claim = next(c for c in importlib.import_module(module).CLAIMS if c.id == claim_id)
        started = time.perf_counter()
        try:
            outcome = claim.run(precisions)
            passed, evidence = bool(outcome.passed), " | ".join(outcome.evidence[-1:])
        except Exception as error:
            passed, evidence = False, f"the experiment raised {type(error).__name__}: {error}"
        print(json.dumps({"id": claim_id, "passed": passed, "evidence": evidence[:400],
                          "seconds": round(time.perf_counter() - started, 2)}), flush=True)
        if not passed:
            sys.exit(1)
except Exception as error:
    print(json.dumps({"crash": f"{type(error).__name__}: {error}"[:400]}), flush=True)
    sys.exit(3)
"""


# ----------------------------------------------------------------------------- catalogue

@dataclass(frozen=True)
class Catalogue:
    """Claim id → (claims module, family), and theory module name → family."""

    claims: dict[str, tuple[str, str]]
    families: dict[str, str]

    @classmethod
    def load(cls) -> Catalogue:
        import importlib

        from flowcert.claims.registry import BUILTIN_SOURCES
        claims, families = {}, {}
        for module in map(importlib.import_module, BUILTIN_SOURCES):
            for claim in module.CLAIMS:
                claims[claim.id] = (module.__name__, claim.family)
                families[module.__name__.rsplit(".", 1)[1]] = claim.family
        return cls(claims, families)

    def family_of(self, path: str) -> str:
        """The family of ``theory/<module>.py`` (SHARED for modules of no family)."""
        return self.families.get(Path(path).stem, SHARED)


def theory_files() -> list[Path]:
    return sorted(THEORY.glob("*.py"))


def sources_key(precisions: Sequence[int]) -> str:
    """Hash of the theory and claims sources and the precision ladder."""
    digest = hashlib.sha256(json.dumps(list(precisions)).encode())
    for path in sorted([*theory_files(), *(ROOT / "claims").glob("*.py")]):
        digest.update(path.relative_to(ROOT).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


# ----------------------------------------------------------------------------- coverage

def _cold_derivations(scratch: Path) -> dict[str, str]:
    """Environment with a cache root in ``scratch`` that links every entry of flowcert's disk
    cache except the SymPy derivations: a claim then derives them afresh and its coverage
    includes the derivation code (from a warm cache those lines would never run, and so
    never be mutated), while compiled integrators are still reused."""
    from flowcert.cache import CACHE_VARIABLE, cache_root
    root = cache_root()
    if root is None:
        return {}
    cold = scratch / "cache"
    cold.mkdir()
    if root.is_dir():
        for entry in root.iterdir():
            if not entry.name.startswith("derivations-"):
                (cold / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    return {CACHE_VARIABLE: str(cold)}


def _coverage_of(catalogue: Catalogue, claim_id: str, precisions: Sequence[int]) -> dict:
    module = catalogue.claims[claim_id][0]
    with tempfile.TemporaryDirectory() as scratch:
        done = subprocess.run(
            [sys.executable, "-P", "-c", COVERAGE_SCRIPT, module, claim_id,
             json.dumps(list(precisions)), str(THEORY / "*.py")],
            cwd=scratch, capture_output=True, text=True, check=False,
            env=os.environ | _cold_derivations(Path(scratch)))
    if done.returncode != 0:
        raise RuntimeError(f"coverage run of {claim_id} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def build_coverage(catalogue: Catalogue, precisions: Sequence[int], jobs: int) -> dict:
    """Run every claim under coverage; the line → claims map, verdicts and times, and the
    mutants of the covered lines (see the module doc for the import-time rule)."""
    started = time.perf_counter()
    runs: dict[str, dict] = {}
    with concurrent.futures.ThreadPoolExecutor(jobs) as pool:
        futures = {pool.submit(_coverage_of, catalogue, claim_id, precisions): claim_id
                   for claim_id in catalogue.claims}
        for future in concurrent.futures.as_completed(futures):
            claim_id = futures[future]
            runs[claim_id] = future.result()
            print(f"coverage [{len(runs)}/{len(futures)}] {claim_id} "
                  f"{'PASS' if runs[claim_id]['passed'] else 'FAIL'} "
                  f"({runs[claim_id]['seconds']:.1f} s)", file=sys.stderr, flush=True)
    runtime: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    import_lines: dict[str, set[int]] = defaultdict(set)
    importers: dict[str, set[str]] = defaultdict(set)
    for claim_id, run in runs.items():
        for absolute, lines in run["lines"].items():
            path = Path(absolute).resolve().relative_to(ROOT).as_posix()
            for line, contexts in lines.items():
                if "" in contexts:
                    import_lines[path].add(int(line))
                    importers[path].add(claim_id)
                runtime[path][int(line)].update(c for c in contexts if c)
    lines_map: dict[str, dict[str, list[str]]] = {}
    for path in sorted(set(runtime) | set(import_lines)):
        family = catalogue.family_of(path)
        at_import = importers[path] | {c for c, (_, f) in catalogue.claims.items()
                                       if f == family}
        covered = {line: set(claims) for line, claims in runtime[path].items()}
        for line in import_lines[path]:
            covered.setdefault(line, set()).update(at_import)
        golden = golden_only_lines((ROOT / path).read_text())
        lines_map[path] = {str(line): sorted(claims) for line, claims in sorted(covered.items())
                           if claims and (line not in golden or runtime[path].get(line))}
    mutants = {path: [m.to_json() for m in enumerate_mutants(
        (ROOT / path).read_text(), path, [int(line) for line in lines])]
        for path, lines in lines_map.items()}
    return {"key": sources_key(precisions), "precisions": list(precisions),
            "cold_derivations": True,
            "seconds": round(time.perf_counter() - started, 1),
            "claims": {c: {"passed": runs[c]["passed"], "seconds": round(runs[c]["seconds"], 2)}
                       for c in catalogue.claims},
            "lines": lines_map, "mutants": mutants}


def load_coverage(path: Path, catalogue: Catalogue, jobs: int, rebuild: bool,
                  reuse: bool = False) -> dict:
    """The cached coverage map if its key matches the current sources, else a new one.
    With ``reuse``, a map made before ``claims/`` changed is kept as long as ``theory/``
    gives the same mutants on the same lines (the ids stay valid)."""
    key = sources_key(DEFAULT_PRECISIONS)
    if path.exists() and not rebuild:
        cached = json.loads(path.read_text())
        if not cached.get("cold_derivations"):
            print(f"{path.name}: made with a warm derivation cache (derivation lines "
                  f"missing); re-running it", file=sys.stderr)
        elif cached.get("key") == key:
            return cached
        elif reuse:
            current = {p: [m.to_json() for m in enumerate_mutants(
                (ROOT / p).read_text(), p, [int(line) for line in lines])]
                for p, lines in cached["lines"].items()}
            if current != cached["mutants"]:
                raise SystemExit(f"{path.name}: theory/ changed since the coverage pass; "
                                 f"--reuse-coverage cannot keep it")
            print(f"{path.name}: claims/ changed since the coverage pass; reusing it "
                  f"(--reuse-coverage: theory/ gives the same mutants)", file=sys.stderr)
            return cached
        else:
            print(f"{path.name}: sources changed since the coverage pass; re-running it",
                  file=sys.stderr)
    data = build_coverage(catalogue, DEFAULT_PRECISIONS, jobs)
    path.write_text(json.dumps(data, indent=1) + "\n")
    return data


# ----------------------------------------------------------------------------- selection

@dataclass(frozen=True)
class Candidate:
    """A mutant with its family and the passing claims that cover its line."""

    mutant: Mutant
    family: str
    claims: tuple[str, ...]


def candidates(coverage: dict, catalogue: Catalogue, families: set[str] | None,
               files: set[str] | None) -> tuple[dict[str, list[Candidate]], dict[str, int]]:
    """Candidates by family, and covered lines by family (lines that some claim passing on
    the unmutated code covers; lines covered only by failing claims cannot be judged)."""
    passing = {c for c, run in coverage["claims"].items() if run["passed"]}
    speed = {c: run["seconds"] for c, run in coverage["claims"].items()}
    groups: dict[str, list[Candidate]] = defaultdict(list)
    weights: dict[str, int] = defaultdict(int)
    for path, lines in coverage["lines"].items():
        family = catalogue.family_of(path)
        if (families and family not in families) or (files and path not in files):
            continue
        judged = {int(line): sorted(set(claims) & passing, key=lambda c: (speed[c], c))
                  for line, claims in lines.items()}
        weights[family] += sum(bool(claims) for claims in judged.values())
        for entry in coverage["mutants"].get(path, []):
            mutant = Mutant(**{k: v for k, v in entry.items() if k != "id"})
            if judged.get(mutant.line):
                groups[family].append(Candidate(mutant, family, tuple(judged[mutant.line])))
    return dict(groups), dict(weights)


def select(groups: dict[str, list[Candidate]], weights: dict[str, int], count: int | None,
           seed: int) -> list[Candidate]:
    """All candidates (count None) or a seeded sample spread by covered lines."""
    by_id = {c.mutant.id: c for group in groups.values() for c in group}
    if count is None:
        return sorted(by_id.values(), key=lambda c: c.mutant.id)
    chosen = sample_mutants({f: [c.mutant for c in g] for f, g in groups.items()}, weights,
                            count, seed)
    return [by_id[m.id] for m in chosen]


def interleave(chosen: list[Candidate]) -> list[Candidate]:
    """The run order: one mutant of each family in turn, so a partial run covers them all."""
    by_family: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in chosen:
        by_family[candidate.family].append(candidate)
    keyed = [((index, c.family), c) for group in by_family.values()
             for index, c in enumerate(group)]
    return [c for _, c in sorted(keyed, key=lambda pair: pair[0])]


# ----------------------------------------------------------------------------- running

@dataclass
class Slot:
    """Where one mutant runs: the repository itself (in place, verified with git) or a copy
    of ``theory/`` under a ``flowcert`` package whose other layers link to the repository."""

    theory: Path
    workdir: Path
    env: dict[str, str]
    in_place: bool

    def verify(self, file: Path, original: bytes) -> bool:
        if self.in_place:
            return subprocess.run(["git", "diff", "--quiet", "--", str(file)], cwd=ROOT,
                                  check=False).returncode == 0 and file.read_bytes() == original
        return file.read_bytes() == original


def make_slots(jobs: int, scratch: Path) -> list[Slot]:
    """Slot 0 is the repository (its editable install); slots 1… are package copies."""
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env.pop("PYTHONPATH", None)
    (scratch / "slot0").mkdir()
    slots = [Slot(THEORY, scratch / "slot0", env, True)]
    for index in range(1, jobs):
        package = scratch / f"slot{index}" / "flowcert"
        package.mkdir(parents=True)
        shutil.copy2(ROOT / "flowcert" / "__init__.py", package / "__init__.py")
        shutil.copytree(THEORY, package / "theory", ignore=shutil.ignore_patterns("__pycache__"))
        for layer in ("numerics", "claims", "reports"):
            (package / layer).symlink_to(ROOT / layer, target_is_directory=True)
        slots.append(Slot(package / "theory", package.parent,
                          env | {"PYTHONPATH": str(package.parent)}, False))
    return slots


class Runner:
    """Runs candidates on slots in threads; restores every file, also on Ctrl-C/SIGTERM."""

    def __init__(self, catalogue: Catalogue, precisions: dict[str, tuple[int, ...]],
                 timeouts: dict[str, float]) -> None:
        self.catalogue, self.precisions, self.timeouts = catalogue, precisions, timeouts
        self.stop = threading.Event()
        self.live: dict[int, subprocess.Popen] = {}
        self.stamps = itertools.count(1_000_000_000 + secrets.randbelow(2**28))
        self.lock = threading.Lock()

    def run_one(self, slot: Slot, candidate: Candidate) -> dict:
        """Apply, run, restore; the result record of one mutant."""
        mutant = candidate.mutant
        file = slot.theory / Path(mutant.path).name
        claims = [[self.catalogue.claims[c][0], c] for c in candidate.claims]
        bits = self.precisions[candidate.family]
        timeout = self.timeouts[mutant.id]
        with self.lock:
            stamp = next(self.stamps)
        started = time.perf_counter()
        with mutated(file, mutant, slot.verify, stamp):
            process = subprocess.Popen(
                [sys.executable, "-P", "-c", MUTANT_SCRIPT, json.dumps(claims),
                 json.dumps(list(bits))], cwd=slot.workdir, env=slot.env, text=True,
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
            self.live[id(slot)] = process
            if self.stop.is_set():  # interrupted while starting: do not wait for the run
                os.killpg(process.pid, signal.SIGKILL)
            try:
                stdout, stderr = process.communicate(timeout=timeout)
                status = {0: "survived", 1: "killed"}.get(process.returncode, "crash")
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                stdout, stderr = process.communicate()
                status = "timeout"
            finally:
                self.live.pop(id(slot), None)
        records = [json.loads(line) for line in stdout.splitlines() if line.startswith("{")]
        failed = [r for r in records if r.get("passed") is False or "crash" in r]
        return {"status": status, "exit": process.returncode, "precisions": list(bits),
                "seconds": round(time.perf_counter() - started, 1), "timeout": timeout,
                "claims_run": [r["id"] for r in records if "id" in r],
                "killed_by": failed[0].get("id") if failed else None,
                "evidence": (failed[0].get("evidence") or failed[0].get("crash")) if failed
                else (stderr.strip().splitlines() or [""])[-1][:400] if status == "crash"
                else None}

    def run_all(self, slots: list[Slot], chosen: list[Candidate],
                on_done: Callable[[Candidate, dict, int], None]) -> None:
        """Run ``chosen``, handing each result to ``on_done(candidate, result, done)``; on
        KeyboardInterrupt kill the children, let every thread restore its file, re-raise."""
        work: queue.Queue[Candidate] = queue.Queue()
        for candidate in chosen:
            work.put(candidate)
        done = itertools.count(1)
        errors: list[BaseException] = []

        def worker(slot: Slot) -> None:
            while not self.stop.is_set():
                try:
                    candidate = work.get_nowait()
                except queue.Empty:
                    return
                try:
                    result = self.run_one(slot, candidate)
                except BaseException as error:  # noqa: BLE001 - handed to the main thread
                    errors.append(error)
                    self.stop.set()
                    return
                if not self.stop.is_set():
                    with self.lock:
                        on_done(candidate, result, next(done))

        threads = [threading.Thread(target=worker, args=(slot,)) for slot in slots]
        for thread in threads:
            thread.start()
        try:
            while any(thread.is_alive() for thread in threads):
                for thread in threads:
                    thread.join(0.2)
        except KeyboardInterrupt:
            self.stop.set()
            for process in list(self.live.values()):
                os.killpg(process.pid, signal.SIGKILL)
            for thread in threads:
                thread.join()
            raise
        if errors:
            raise errors[0]


# ----------------------------------------------------------------------------- report

def summarise(records: list[dict], equivalent: dict[str, str]) -> dict[str, dict]:
    """Per family and in total: mutants, killed (timeouts and crashes included), timeouts,
    crashes, survived, equivalent, kill rate = killed / (mutants − equivalent)."""
    table: dict[str, dict] = {}
    for family in sorted({r["family"] for r in records}) + ["all"]:
        rows = [r for r in records if family in ("all", r["family"])]
        is_equivalent = [r["id"] in equivalent for r in rows]
        status = [r["status"] for r, eq in zip(rows, is_equivalent, strict=True) if not eq]
        killed = sum(s in ("killed", "timeout", "crash") for s in status)
        judged = len(status)
        table[family] = {"mutants": len(rows), "killed": killed,
                         "timeouts": status.count("timeout"), "crashes": status.count("crash"),
                         "survived": status.count("survived"), "equivalent": sum(is_equivalent),
                         "kill_rate": round(killed / judged, 4) if judged else None}
    return table


def format_table(table: dict[str, dict]) -> str:
    header = (f"{'family':<8}{'mutants':>8}{'killed':>8}{'timeout':>9}{'crash':>7}"
              f"{'survived':>10}{'equiv.':>8}{'kill rate':>11}")
    lines = [header, "-" * len(header)]
    for family, row in table.items():
        rate = "-" if row["kill_rate"] is None else f"{100 * row['kill_rate']:.1f}%"
        if family == "all":
            lines.append("-" * len(header))
        lines.append(f"{family:<8}{row['mutants']:>8}{row['killed']:>8}{row['timeouts']:>9}"
                     f"{row['crashes']:>7}{row['survived']:>10}{row['equivalent']:>8}"
                     f"{rate:>11}")
    return "\n".join(lines)


def format_survivors(records: list[dict], equivalent: dict[str, str]) -> str:
    survivors = [r for r in records if r["status"] == "survived" and r["id"] not in equivalent]
    lines = [f"{len(survivors)} surviving non-equivalent mutant(s):"]
    for r in survivors:
        lines += [f"  {r['id']}  [{', '.join(r['claims'])}]",
                  f"    - {r['diff'][0]}", f"    + {r['diff'][1]}"]
    stale = [r["id"] for r in records if r["id"] in equivalent and r["status"] != "equivalent"
             and r["status"] != "survived"]
    if stale:
        lines.append("listed as equivalent but killed (fix the list): " + ", ".join(stale))
    return "\n".join(lines)


def render(document: dict, equivalent: dict[str, str]) -> str:
    """The per-family table and the survivors, against the current equivalent list."""
    records = document["mutants"]
    return "\n".join([format_table(summarise(records, equivalent)), "",
                      format_survivors(records, equivalent)])


# ----------------------------------------------------------------------------- command line

def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    how_many = parser.add_mutually_exclusive_group()
    how_many.add_argument("--count", type=int, default=150, metavar="K",
                          help="sample K mutants (default 150)")
    how_many.add_argument("--all", action="store_true", help="every mutant")
    parser.add_argument("--seed", type=int, default=1, help="sampling seed (default 1)")
    parser.add_argument("--families", type=lambda text: set(text.upper().split(",")),
                        help="comma-separated families, e.g. DL,KR (shared = theory modules "
                        "of no family)")
    parser.add_argument("--files", nargs="+", metavar="theory/X.py",
                        help="only mutants of these files")
    parser.add_argument("--jobs", type=int, default=1, metavar="N",
                        help="mutants run at once (slot 0 in place, others in copies)")
    parser.add_argument("--timeout", type=float, default=None, metavar="SECONDS",
                        help="per-mutant timeout (default: 3 × the claims' time in the "
                        "coverage pass + 60 s)")
    parser.add_argument("--precision", nargs="+", type=int, default=list(DEFAULT_PRECISIONS),
                        metavar="BITS", help="precision ladder of the mutant runs")
    parser.add_argument("--family-precision", action="append", default=[],
                        metavar="FAMILY=BITS,BITS",
                        help="another ladder for one family, e.g. SP=53,113 (repeatable)")
    parser.add_argument("--ids", nargs="+", metavar="ID",
                        help="only these mutant ids; an argument ending in .json stands for "
                        "the survivors of that earlier --out file")
    parser.add_argument("--reuse-coverage", action="store_true",
                        help="keep a coverage map made before claims/ changed if theory/ is "
                        "unchanged (to re-run survivors after a check was strengthened; a "
                        "claim that newly covers a line is not seen)")
    parser.add_argument("--dry-run", action="store_true", help="list the mutants only")
    parser.add_argument("--out", type=Path, default=Path("mutation-results.json"),
                        help="results JSON (default mutation-results.json)")
    parser.add_argument("--coverage-file", type=Path, default=DEFAULT_COVERAGE)
    parser.add_argument("--rebuild-coverage", action="store_true",
                        help="re-run the coverage pass even if the cache is current")
    parser.add_argument("--equivalent", type=Path, default=DEFAULT_EQUIVALENT,
                        help="equivalent-mutant list (id → reason)")
    parser.add_argument("--from-results", type=Path, metavar="JSON",
                        help="re-print the table of an earlier --out file against the "
                        "current equivalent list (runs nothing)")
    return parser


def _ladders(args: argparse.Namespace, families: Sequence[str]) -> dict[str, tuple[int, ...]]:
    ladders = dict.fromkeys(families, tuple(sorted(set(args.precision))))
    for item in args.family_precision:
        family, _, bits = item.partition("=")
        ladders[family.upper()] = tuple(sorted({int(b) for b in bits.split(",")}))
    return ladders


def _wanted_ids(items: Sequence[str]) -> set[str]:
    """Mutant ids; an item ending in .json gives the survivors of that results file."""
    wanted: set[str] = set()
    for item in items:
        if item.endswith(".json"):
            records = json.loads(Path(item).read_text())["mutants"]
            wanted.update(r["id"] for r in records if r["status"] == "survived")
        else:
            wanted.add(item)
    return wanted


def _interrupt(_signum: int, _frame: object) -> None:
    """SIGTERM handler: stop like Ctrl-C, so every mutated file is restored."""
    raise KeyboardInterrupt


def _check_clean() -> None:
    dirty = subprocess.run(["git", "status", "--porcelain", "--", "theory"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout.strip()
    if dirty:
        raise SystemExit(f"theory/ has uncommitted changes; commit or restore them first "
                         f"(a left-over mutant?):\n{dirty}")


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    equivalent = load_equivalent(args.equivalent)
    if args.from_results:
        print(render(json.loads(args.from_results.read_text()), equivalent))
        return 0
    _check_clean()
    catalogue = Catalogue.load()
    coverage = load_coverage(args.coverage_file, catalogue, max(args.jobs, 1),
                             args.rebuild_coverage, args.reuse_coverage)
    files = {Path(f).as_posix() for f in args.files} if args.files else None
    groups, weights = candidates(coverage, catalogue, args.families, files)
    if args.ids:
        wanted = _wanted_ids(args.ids)
        chosen = [c for group in groups.values() for c in group if c.mutant.id in wanted]
        missing = wanted - {c.mutant.id for c in chosen}
        if missing:
            raise SystemExit(f"not mutants of covered lines: {', '.join(sorted(missing))}")
    else:
        chosen = select(groups, weights, None if args.all else args.count, args.seed)
    ladders = _ladders(args, sorted(groups))
    sources = {path: (ROOT / path).read_text() for path in coverage["lines"]}
    to_run, listed = split_equivalent([c.mutant for c in chosen], equivalent)
    by_id = {c.mutant.id: c for c in chosen}
    timeouts = {m.id: args.timeout or 60 + 3 * sum(coverage["claims"][c]["seconds"]
                                                   for c in by_id[m.id].claims) for m in to_run}
    print(f"{len(chosen)} mutant(s) of {sum(map(len, groups.values()))} on covered lines "
          f"({len(listed)} listed as equivalent, not run); per family: "
          + ", ".join(f"{f} {sum(c.family == f for c in chosen)}/{len(groups[f])}"
                      for f in sorted(groups)), file=sys.stderr)
    if args.dry_run:
        for candidate in chosen:
            before, after = candidate.mutant.diff(sources[candidate.mutant.path])
            mark = " (equivalent)" if candidate.mutant.id in equivalent else ""
            print(f"{candidate.mutant.id}{mark}  [{','.join(candidate.claims)}]\n"
                  f"    - {before}\n    + {after}")
        return 0

    def record(candidate: Candidate, result: dict | None) -> dict:
        mutant = candidate.mutant
        return {"id": mutant.id, "family": candidate.family, "path": mutant.path,
                "line": mutant.line, "operator": mutant.operator,
                "diff": list(mutant.diff(sources[mutant.path])), "claims": list(candidate.claims),
                **(result or {"status": "equivalent", "reason": equivalent[mutant.id]})}

    started = time.perf_counter()
    results: dict[str, dict] = {}

    def write(interrupted: bool) -> dict:
        records = sorted([record(c, results[c.mutant.id]) for c in chosen
                          if c.mutant.id in results]
                         + [record(c, None) for c in chosen if c.mutant.id in equivalent],
                         key=lambda r: r["id"])
        document = {
            "schema": SCHEMA, "commit": subprocess.run(
                ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                check=False).stdout.strip(), "seed": args.seed,
            "count": None if args.all or args.ids else args.count,
            "ids": bool(args.ids),
            "families": sorted(args.families) if args.families else None, "jobs": args.jobs,
            "precisions": {f: list(b) for f, b in ladders.items()},
            "coverage_key": coverage["key"], "complete": len(results) == len(to_run),
            "interrupted": interrupted, "seconds": round(time.perf_counter() - started, 1),
            "summary": summarise(records, equivalent), "mutants": records}
        args.out.write_text(json.dumps(document, indent=1) + "\n")
        return document

    def progress(candidate: Candidate, result: dict, done: int) -> None:
        results[candidate.mutant.id] = result
        write(False)  # after every mutant, so an interrupted run keeps what it measured
        by = f", {result['killed_by']}" if result["killed_by"] else ""
        print(f"[{done}/{len(to_run)}] {candidate.mutant.id} {result['status'].upper()} "
              f"({result['seconds']:.0f} s{by})", file=sys.stderr, flush=True)

    runner = Runner(catalogue, ladders, timeouts)
    previous = signal.signal(signal.SIGTERM, _interrupt)
    interrupted = False
    with tempfile.TemporaryDirectory(prefix="flowcert-mutation-") as scratch:
        try:
            runner.run_all(make_slots(max(args.jobs, 1), Path(scratch)),
                           interleave([by_id[m.id] for m in to_run]), progress)
        except KeyboardInterrupt:
            interrupted = True
        finally:
            signal.signal(signal.SIGTERM, previous)
    _check_clean()
    document = write(interrupted)
    print(render(document, equivalent))
    print(f"{len(results)} mutant(s) run in {document['seconds']:.0f} s; wrote {args.out}"
          + (" (interrupted: partial results)" if interrupted else ""))
    return 130 if interrupted else 0


if __name__ == "__main__":
    sys.exit(main())
