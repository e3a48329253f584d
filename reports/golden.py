"""Golden values of derivations: pin every derived expression by value, detect changes.

The file (``theory/golden.json``, installed as package data) maps each derivation name to
its claim id, a canonical form (``sympy.srepr``, informative only) and its values at fixed
rational points to ``DIGITS`` significant digits. :func:`compare_golden` recomputes the
values and flags any that moved by more than ``RELATIVE_TOLERANCE`` — 10 digits of slack
below the stored 50, far above evalf's own error and far below any real change of a
formula. Regenerate with ``flowcert golden --regenerate`` after an intended change of a
derivation.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import mpmath
import sympy as sp

import flowcert.theory as theory
from flowcert.claims.base import Claim
from flowcert.reports.results import write_atomically
from flowcert.theory.derivations import Derivation, all_derivations

DIGITS = 50
RELATIVE_TOLERANCE = mpmath.mpf("1e-40")
GOLDEN_PATH = Path(theory.__file__).resolve().with_name("golden.json")


def golden_entry(derivation: Derivation) -> dict:
    """The stored form of one derivation."""
    return {"claim": derivation.claim_id, "canonical": sp.srepr(derivation.expression),
            "points": [{"at": point, "value": str(derivation.value_at(point, DIGITS))}
                       for point in derivation.points]}


def regenerate_golden(path: Path = GOLDEN_PATH,
                      derivations: Sequence[Derivation] | None = None) -> int:
    """Write the golden file from the current derivations (default: every built-in theory
    module's); returns the number pinned."""
    entries = {d.name: golden_entry(d) for d in _chosen(derivations)}
    write_atomically(path, (json.dumps(entries, indent=2, ensure_ascii=False) + "\n").encode())
    return len(entries)


def compare_golden(path: Path = GOLDEN_PATH,
                   derivations: Sequence[Derivation] | None = None) -> list[str]:
    """Differences between the current derivations (default: every built-in theory module's)
    and the golden file (empty: none)."""
    if not path.exists():
        return [f"no golden file at {path}; create it with `flowcert golden --regenerate`"]
    stored = json.loads(path.read_text())
    problems = []
    current = {d.name: d for d in _chosen(derivations)}
    for name in sorted(set(stored) - set(current)):
        problems.append(f"{name}: pinned in {path.name} but no longer derived")
    for name, derivation in current.items():
        if name not in stored:
            problems.append(f"{name}: not pinned; run `flowcert golden --regenerate`")
            continue
        problems += _compare_points(name, derivation, stored[name]["points"])
    return problems


def _chosen(derivations: Sequence[Derivation] | None) -> list[Derivation]:
    return all_derivations() if derivations is None else list(derivations)


def claim_derivations(claims: Sequence[Claim]) -> list[Derivation]:
    """The derivations the given claims pin (their ``derivations()``), in order."""
    return [d for claim in claims if claim.derivations is not None
            for d in claim.derivations()]


def _compare_points(name: str, derivation: Derivation, points: list[dict]) -> list[str]:
    problems = []
    with mpmath.workdps(DIGITS + 10):
        for entry in points:
            expected = mpmath.mpf(entry["value"])
            actual = mpmath.mpf(str(derivation.value_at(entry["at"], DIGITS)))
            gap = abs(actual - expected) / max(abs(expected), mpmath.mpf("1e-300"))
            if gap > RELATIVE_TOLERANCE:
                problems.append(f"{name} at {entry['at']}: {mpmath.nstr(actual, 20)} now, "
                                f"{mpmath.nstr(expected, 20)} pinned (relative change "
                                f"{mpmath.nstr(gap, 3)})")
    return problems
