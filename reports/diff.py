"""Regression between two results files: verdict changes and errors that grew."""

from __future__ import annotations

import json
from pathlib import Path

from flowcert.reports.results import SCHEMA

DEFAULT_GROWTH_FACTOR = 10.0


def load_results(path: Path) -> dict:
    """A results document; ValueError if it is missing, not JSON or of another schema."""
    try:
        document = json.loads(Path(path).read_text())
    except FileNotFoundError:
        raise ValueError(f"no results file at {path}") from None
    except json.JSONDecodeError as error:
        raise ValueError(f"{path} is not JSON: {error}") from None
    if not isinstance(document, dict) or document.get("schema") != SCHEMA:
        raise ValueError(f"{path} is not a {SCHEMA} document")
    _require_claims(document, path)
    return document


def _require_claims(document: dict, path: Path) -> None:
    """ValueError naming the first entry that lacks what a comparison reads."""
    claims = document.get("claims")
    if not isinstance(claims, list):
        raise ValueError(f"{path}: no \"claims\" list")
    for number, claim in enumerate(claims, 1):
        where = f"{path}: claim {number}"
        if not isinstance(claim, dict) or not isinstance(claim.get("id"), str):
            raise ValueError(f"{where} has no \"id\"")
        where = f"{path}: claim {claim['id']}"
        if claim.get("verdict") not in ("pass", "fail"):
            raise ValueError(f"{where} has no verdict \"pass\" or \"fail\"")
        runs = claim.get("runs")
        if not isinstance(runs, list) or not all(
                isinstance(run, dict) and isinstance(run.get("precision_bits"), int)
                and isinstance(run.get("max_rel_error"), int | float) for run in runs):
            raise ValueError(f"{where}: \"runs\" must be a list of runs with "
                             "precision_bits and max_rel_error")


def diff_results(old: dict, new: dict, factor: float = DEFAULT_GROWTH_FACTOR) -> list[str]:
    """Lines describing regressions from ``old`` to ``new`` (empty: none).

    A regression is a claim that disappeared, a verdict that changed, or a run (matched by
    precision) whose max relative error grew by more than ``factor``.
    """
    if not factor >= 1:
        raise ValueError(f"the growth factor must be ≥ 1 (1: any growth), got {factor}")
    old_claims = {c["id"]: c for c in old["claims"]}
    new_claims = {c["id"]: c for c in new["claims"]}
    lines = [f"{i}: missing from the new results" for i in old_claims if i not in new_claims]
    for claim_id, claim in new_claims.items():
        before = old_claims.get(claim_id)
        if before is None:
            continue
        if before["verdict"] != claim["verdict"]:
            lines.append(f"{claim_id}: verdict {before['verdict']} → {claim['verdict']}")
        lines += _grown_errors(claim_id, before["runs"], claim["runs"], factor)
    return lines


def _grown_errors(claim_id: str, old_runs: list, new_runs: list, factor: float) -> list[str]:
    old_by_bits = {run["precision_bits"]: run for run in old_runs}
    lines = []
    for run in new_runs:
        before = old_by_bits.get(run["precision_bits"])
        if before is None:
            continue
        old_error, new_error = before["max_rel_error"], run["max_rel_error"]
        if new_error > factor * old_error:
            growth = "from 0" if old_error == 0 else f"×{new_error / old_error:.3g}"
            lines.append(f"{claim_id} at {run['precision_bits']} bits: max relative error "
                         f"{old_error:.3g} → {new_error:.3g} ({growth}, threshold ×{factor:g})")
    return lines
