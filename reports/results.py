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


def results_document(claims: Sequence[Claim], outcomes: Sequence[Outcome],
                     precisions: Sequence[int], executor: dict | None = None) -> dict:
    """One JSON-ready document for a run of ``claims`` (``executor``: how it ran)."""
    entries = []
    for claim, outcome in zip(claims, outcomes, strict=True):
        entries.append({"id": claim.id, "verdict": outcome.verdict,
                        "class": str(claim.claim_class), "family": claim.family,
                        "provenance": claim.provenance, "title": claim.title}
                       | {k: v for k, v in outcome.to_json().items() if k not in ("id",
                                                                                 "verdict")})
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
