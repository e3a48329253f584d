"""The JSON results document (schema ``flowcert-results/1``, documented in the README)."""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import subprocess
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path

from flowcert.claims.base import Claim, Outcome
from flowcert.claims.seeds import base_seed
from flowcert.reports.interrupts import replace_together
from flowcert.reports.markup import plain_text

SCHEMA = "flowcert-results/1"
PACKAGES = ("flowcert", "numpy", "scipy", "sympy", "mpmath", "heyoka", "matplotlib", "typst")


def environment() -> dict:
    """Versions, machine and commit, for the report's title page and the JSON."""
    versions = {}
    for package in PACKAGES:
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = "not installed"
    return {"python": platform.python_version(), "machine": platform.machine(),
            "platform": platform.platform(), "cpus": os.cpu_count(), "packages": versions,
            "commit": _commit()}


def _commit() -> str:
    try:
        result = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, cwd=Path(__file__).parent, timeout=5, check=False)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return result.stdout.strip() or "unknown"


def _plain(entry: dict) -> dict:
    """An outcome's JSON (without id and verdict) with every sentence in plain Unicode (the
    claim texts write their mathematics as ``$…$`` markup, which only the PDF typesets)."""
    entry = {k: v for k, v in entry.items() if k not in ("id", "verdict")}
    entry["evidence"] = [plain_text(line) for line in entry["evidence"]]
    for null in entry["null_models"]:
        null["description"] = plain_text(null["description"])
        null["evidence"] = [plain_text(line) for line in null["evidence"]]
    for fit in entry["fits"]:
        fit["name"] = plain_text(fit["name"])
    if entry["sharpness"] is not None:
        entry["sharpness"]["evidence"] = [plain_text(line)
                                          for line in entry["sharpness"]["evidence"]]
    return entry


def results_document(claims: Sequence[Claim], outcomes: Sequence[Outcome],
                     precisions: Sequence[int], executor: dict | None = None) -> dict:
    """One JSON-ready document for a run of ``claims`` (``executor``: how it ran)."""
    entries = []
    for claim, outcome in zip(claims, outcomes, strict=True):
        entries.append({"id": claim.id, "verdict": outcome.verdict,
                        "class": str(claim.claim_class), "family": claim.family,
                        "provenance": claim.provenance, "title": plain_text(claim.title)}
                       | _plain(outcome.to_json()))
    return {"schema": SCHEMA,
            "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "precisions": list(precisions), "seed": base_seed(),
            "environment": environment(),
            "executor": executor or {"scheduler": None, "workers": 1, "retried": []},
            "summary": {"claims": len(entries),
                        "passed": sum(e["verdict"] == "pass" for e in entries),
                        "failed": sum(e["verdict"] == "fail" for e in entries)},
            "claims": entries}


def write_atomically(path: Path, data: bytes) -> None:
    """Write ``data`` to a temporary file beside ``path``, then rename it into place."""
    replace_together({Path(path): data})


def write_results(path: Path, document: dict) -> None:
    """The results document as indented JSON, written atomically."""
    write_atomically(path, (json.dumps(document, indent=2) + "\n").encode())
