"""Where claims run: in this process, a local process pool, or a Dask cluster.

One interface, :func:`run_tasks`: each task is (claim id, precision ladder), the unit of work
(seconds to minutes, so per-task scheduling overhead of milliseconds is negligible and no
further chunking is needed). Results come back in task order and do not depend on the
executor: every claim seeds its own randomness. On Dask, a task whose worker is lost is
rescheduled by the scheduler (and a task that raised is retried up to ``DASK_RETRIES``
times); the tasks that ran more than once are reported. A result is released on the
cluster as soon as the client holds it, so a worker lost afterwards costs nothing.

An interrupt (SIGINT or SIGTERM, see :func:`~flowcert.reports.interrupts.signals_raise`)
stops the run at once: the local pool's workers are terminated, Dask futures cancelled.
"""

from __future__ import annotations

import os
import time
import traceback
from collections.abc import Callable, Sequence
from concurrent.futures import as_completed
from dataclasses import dataclass, field

from flowcert.claims.base import Claim, Outcome
from flowcert.claims.registry import Source, get_claim
from flowcert.claims.seeds import DEFAULT_SEED, SEED_VARIABLE
from flowcert.reports.interrupts import submit_all, worker_pool

DASK_RETRIES = 2
#: How long to try reaching a Dask scheduler before giving up (dask.distributed time string).
DASK_CONNECT_TIMEOUT = "5s"


@dataclass(frozen=True)
class Task:
    """Run claim ``claim_id`` on ``precisions`` with Monte Carlo base seed ``seed``.

    The seed travels with the task (rather than being read from each worker's environment),
    so a claim draws the same numbers on every executor; so do the claim ``sources`` beyond
    the built-in ones (a file source carries its text), so every worker loads the same claims.
    """

    claim_id: str
    precisions: tuple[int, ...]
    seed: int = DEFAULT_SEED
    sources: tuple[Source, ...] = ()
    certify: bool = False


@dataclass
class Execution:
    """Outcomes in task order, the claim ids whose task had to run again, and where it ran
    (``workers``: local processes used; ``scheduler``: the Dask address, or None)."""

    outcomes: list[Outcome]
    retried: list[str] = field(default_factory=list)
    workers: int | None = 1
    scheduler: str | None = None


def run_claim(claim: Claim, precisions: Sequence[int], certify: bool = False) -> Outcome:
    """``claim.run`` with any exception turned into a failing outcome carrying the error;
    with ``certify``, also the claim's certificate at the highest precision (a refuted
    certificate fails the claim)."""
    started = time.perf_counter()
    try:
        outcome = claim.run(tuple(precisions))
    except Exception as error:  # noqa: BLE001 - an experiment that crashes is a failed check
        return Outcome(claim.id, False, evidence=[f"the experiment raised {_raised(error)}"],
                       seconds=time.perf_counter() - started)
    if certify and claim.certify is not None:
        _attach_certificate(claim, outcome, max(precisions))
    return outcome


def _raised(error: Exception) -> str:
    frame = traceback.extract_tb(error.__traceback__)[-1]
    return (f"{type(error).__name__}: {error} "
            f"(at {frame.filename.rsplit('/', 1)[-1]}:{frame.lineno})")


def _attach_certificate(claim: Claim, outcome: Outcome, bits: int) -> None:
    """Run ``claim.certify(bits)``; record it (a certifier that raises is inconclusive)."""
    started = time.perf_counter()
    try:
        certificate = claim.certify(bits).to_json()
    except Exception as error:  # noqa: BLE001 - no proof either way, said as such
        certificate = {"status": "inconclusive", "precision_bits": bits,
                       "max_radius": "inf", "max_relative_radius": "inf", "points": 0,
                       "evidence": [f"the certifier raised {_raised(error)}"]}
    certificate["seconds"] = round(time.perf_counter() - started, 3)
    outcome.certificate = certificate
    outcome.seconds += certificate["seconds"]
    outcome.evidence.append(
        f"certificate at {bits} bits: {certificate['status'].upper()} "
        f"({certificate['points']} points, largest relative enclosure radius "
        f"{_radius(certificate['max_relative_radius'])}, {certificate['seconds']:.1f} s)"
        + ("" if certificate["status"] == "certified" else
           f": {certificate['evidence'][0] if certificate['evidence'] else ''}"))
    if certificate["status"] == "refuted":
        outcome.passed = False


def _radius(value) -> str:
    return value if isinstance(value, str) else f"{value:.2g}"


def run_task(task: Task) -> Outcome:
    """Worker entry point: look the claim up by id and run it with the task's seed (never
    raises)."""
    previous = os.environ.get(SEED_VARIABLE)
    os.environ[SEED_VARIABLE] = str(task.seed)
    try:
        try:
            claim = get_claim(task.claim_id, task.sources)
        except ValueError as error:  # a source this worker cannot load, an unknown id
            return Outcome(task.claim_id, False, evidence=[f"the worker could not load the "
                                                           f"claim: {error}"])
        return run_claim(claim, task.precisions, task.certify)
    finally:
        if previous is None:
            del os.environ[SEED_VARIABLE]
        else:
            os.environ[SEED_VARIABLE] = previous


def default_workers() -> int:
    """One worker per core."""
    return max(os.cpu_count() or 1, 1)


def run_tasks(tasks: Sequence[Task], workers: int | None = None, scheduler: str | None = None,
              on_done: Callable[[Task, Outcome], None] | None = None) -> Execution:
    """Run ``tasks`` serially (workers = 1), on a process pool, or on a Dask cluster."""
    notify = on_done or (lambda _task, _outcome: None)
    if scheduler:
        return _run_dask(tasks, scheduler, notify)
    workers = resolve_workers(workers)
    if workers == 1 or len(tasks) <= 1:
        outcomes = []
        for task in tasks:
            outcomes.append(run_task(task))
            notify(task, outcomes[-1])
        return Execution(outcomes, workers=1)
    return _run_pool(tasks, min(workers, len(tasks)), notify)


def resolve_workers(workers: int | None) -> int:
    """The local worker count: ``workers``, or one per core when None (ValueError if < 1)."""
    workers = default_workers() if workers is None else workers
    if workers < 1:
        raise ValueError(f"workers must be ≥ 1, got {workers}")
    return workers


def _run_pool(tasks, workers, notify) -> Execution:
    results: dict[int, Outcome] = {}
    with worker_pool(workers) as pool:
        futures = submit_all(pool, run_task, [(task,) for task in tasks])
        for future in as_completed(futures):
            index = futures[future]
            results[index] = future.result()
            notify(tasks[index], results[index])
    return Execution([results[i] for i in range(len(tasks))], workers=workers)


def _run_dask(tasks, scheduler, notify) -> Execution:
    try:
        from distributed import Client
        from distributed import as_completed as dask_completed
    except ImportError:
        raise ValueError("--scheduler needs dask.distributed: pip install "
                         "'flowcert[dask]'") from None
    try:
        client = Client(scheduler, timeout=DASK_CONNECT_TIMEOUT)
    except OSError as error:
        raise ValueError(f"cannot reach the Dask scheduler at {scheduler}: {error}") from None
    with client:
        futures = client.map(run_task, list(tasks), pure=False, retries=DASK_RETRIES)
        keys = [future.key for future in futures]
        index_of = {key: index for index, key in enumerate(keys)}
        results: dict[int, Outcome] = {}
        try:
            for future in dask_completed(futures):
                index = index_of[future.key]
                results[index] = future.result()
                # Once held here, the result must not keep the task alive on the cluster: a
                # worker lost later would make the scheduler compute it again.
                future.release()
                notify(tasks[index], results[index])
        except BaseException:
            client.cancel([f for f in futures if index_of[f.key] not in results])
            raise
        retried = [tasks[index_of[key]].claim_id for key in _keys_run_twice(client, keys)]
        workers = len(client.scheduler_info().get("workers", {}))
    return Execution([results[i] for i in range(len(tasks))], retried, workers=workers,
                     scheduler=scheduler)


def _keys_run_twice(client, keys: Sequence) -> list:
    """Keys the scheduler moved to "processing" more than once (lost worker or retry).

    Scheduler entries of ``Client.story`` read ("scheduler", key, start, finish, …).
    """
    starts: dict = {}
    for event in client.story(*keys):
        if event[0] == "scheduler" and event[3] == "processing":
            starts[event[1]] = starts.get(event[1], 0) + 1
    return [key for key in keys if starts.get(key, 0) > 1]
