"""The precision ladder of EXACT claims.

An EXACT claim passes when, at every precision, the relative error is within its error
budget (:mod:`flowcert.claims.tolerances`) **and** the error shrinks as precision grows: the
error at the highest precision must be below the error at the lowest (or both exactly zero).
A gap that stops shrinking at a non-zero level is the signature of a wrong closed form.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flowcert.claims.base import PrecisionRun


def run_ladder(measure: Callable[[int], PrecisionRun],
               precisions: Sequence[int]) -> tuple[list[PrecisionRun], bool, list[str]]:
    """Measure at each precision; return (runs, passed, evidence sentences)."""
    runs = [measure(bits) for bits in sorted(set(precisions))]
    passed, evidence = judge_ladder(runs)
    return runs, passed, evidence


def judge_ladder(runs: Sequence[PrecisionRun]) -> tuple[bool, list[str]]:
    """(passed, evidence) of measured runs, in increasing precision: every run within its
    budget, and the error at the highest precision below the error at the lowest."""
    evidence = [f"{r.precision_bits} bits: max relative error {r.max_rel_error:.3g} "
                f"(tolerance {r.tolerance:.3g}, {'ok' if r.passed else 'EXCEEDED'})"
                for r in runs]
    passed = all(r.passed for r in runs)
    if len(runs) > 1:
        lowest, highest = runs[0].max_rel_error, runs[-1].max_rel_error
        shrinks = highest < lowest or (highest == 0 and lowest == 0)
        if not shrinks:
            evidence.append(f"error did not shrink with precision: {lowest:.3g} at "
                            f"{runs[0].precision_bits} bits, {highest:.3g} at "
                            f"{runs[-1].precision_bits} bits")
        passed = passed and shrinks
    return passed, evidence
