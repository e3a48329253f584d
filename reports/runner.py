"""Running claims with progress output; an experiment that raises becomes a failing verdict."""

from __future__ import annotations

import sys
import time
import traceback
from collections.abc import Sequence
from typing import TextIO

from claims.base import Claim, Outcome
from claims.registry import CLAIMS, get_claim
from numerics.precision import check_bits

DEFAULT_PRECISIONS = (53, 113, 256)


def resolve_claims(ids: Sequence[str]) -> list[Claim]:
    """Claims for ``ids`` (all when empty), in the order given, without duplicates."""
    if not ids:
        return list(CLAIMS.values())
    chosen: dict[str, Claim] = {}
    for claim_id in ids:
        claim = get_claim(claim_id)
        chosen.setdefault(claim.id, claim)
    return list(chosen.values())


def resolve_precisions(precisions: Sequence[int] | None) -> tuple[int, ...]:
    """Validated, sorted, distinct precisions (the default ladder when None)."""
    if not precisions:
        return DEFAULT_PRECISIONS
    return tuple(sorted({check_bits(bits) for bits in precisions}))


def run_claim(claim: Claim, precisions: Sequence[int]) -> Outcome:
    """``claim.run`` with any exception turned into a failing outcome carrying the error."""
    started = time.perf_counter()
    try:
        return claim.run(tuple(precisions))
    except Exception as error:  # noqa: BLE001 - an experiment that crashes is a failed check
        frame = traceback.extract_tb(error.__traceback__)[-1]
        return Outcome(claim.id, False, evidence=[
            f"the experiment raised {type(error).__name__}: {error} "
            f"(at {frame.filename.rsplit('/', 1)[-1]}:{frame.lineno})"],
            seconds=time.perf_counter() - started)


def run_claims(claims: Sequence[Claim], precisions: Sequence[int],
               progress: TextIO | None = sys.stderr) -> list[Outcome]:
    """Run each claim, printing "[k/n] ID … verdict (seconds)" lines to ``progress``."""
    outcomes = []
    for index, claim in enumerate(claims, start=1):
        if progress is not None:
            print(f"[{index}/{len(claims)}] {claim.id} {claim.title} …", end="", file=progress,
                  flush=True)
        outcome = run_claim(claim, precisions)
        outcomes.append(outcome)
        if progress is not None:
            print(f" {outcome.verdict.upper()} ({outcome.seconds:.1f} s)", file=progress,
                  flush=True)
    return outcomes
