"""Running claims with progress output; an experiment that raises becomes a failing verdict."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import TextIO

from flowcert.claims.base import Claim, Outcome
from flowcert.claims.registry import Source, load_source, registry
from flowcert.claims.seeds import base_seed
from flowcert.numerics.precision import check_bits
from flowcert.reports.executors import Execution, Task, resolve_workers, run_claim, run_tasks

__all__ = ["resolve_claims", "resolve_precisions", "run_claim", "run_claims"]

DEFAULT_PRECISIONS = (53, 113, 256)


def resolve_claims(ids: Sequence[str], sources: Sequence[Source] = ()) -> list[Claim]:
    """Claims for ``ids``, in the order given, without duplicates, from the built-in,
    installed and given claim sources; without ids, every claim of the given ``sources``
    (or, with no sources, every built-in and installed claim)."""
    known = registry(tuple(sources))
    if not ids and sources:
        ids = [claim.id for source in sources for claim in load_source(source)]
    return known.claims(ids)


def resolve_precisions(precisions: Sequence[int] | None) -> tuple[int, ...]:
    """Validated, sorted, distinct precisions (the default ladder when None)."""
    if not precisions:
        return DEFAULT_PRECISIONS
    return tuple(sorted({check_bits(bits) for bits in precisions}))


def run_claims(claims: Sequence[Claim], precisions: Sequence[int],
               progress: TextIO | None = sys.stderr, workers: int | None = 1,
               scheduler: str | None = None, sources: Sequence[Source] = (),
               certify: bool = False) -> Execution:
    """Run each claim through :func:`reports.executors.run_tasks`, reporting progress.

    ``sources`` are the claim sources the claims came from beyond the built-in ones; every
    worker loads them before looking a claim up. ``certify`` adds each certifiable claim's
    certificate at the highest precision.

    A progress line "[k/n] ████░░ ID VERDICT (seconds)" is printed to ``progress`` as each
    claim finishes; claims that had to run twice on a cluster are listed at the end.
    """
    seed = base_seed()
    tasks = [Task(claim.id, tuple(precisions), seed, tuple(sources), certify)
             for claim in claims]
    finished = []

    def report(task: Task, outcome: Outcome) -> None:
        finished.append(task.claim_id)
        if progress is not None:
            done, total = len(finished), len(tasks)
            bar = "█" * round(20 * done / total) + "░" * (20 - round(20 * done / total))
            print(f"[{done}/{total}] {bar} {task.claim_id} {outcome.verdict.upper()} "
                  f"({outcome.seconds:.1f} s)", file=progress, flush=True)

    if progress is not None:
        where = f"Dask scheduler {scheduler}" if scheduler else \
            f"{min(resolve_workers(workers), len(tasks))} local worker(s)"
        print(f"running {len(tasks)} claim(s) on {where}", file=progress, flush=True)
    execution = run_tasks(tasks, workers=workers, scheduler=scheduler, on_done=report)
    if progress is not None and execution.retried:
        print(f"retried after a lost worker or an error: {', '.join(execution.retried)}",
              file=progress, flush=True)
    return execution
