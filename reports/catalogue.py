"""The catalogue, generated from the claim registry: ``claims/index.json`` and ``CATALOGUE.md``.

The index lets ``flowcert list`` (and the registry's lookup by id) work without importing any
family; the Markdown catalogue is the document a reader browses (statement, class,
provenance, experiment, comparison, null models, source). Both are checked in and a test
regenerates them in memory and compares, so neither can drift from the code.

``python -m flowcert.reports.catalogue --write`` rewrites both files.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from flowcert.claims.base import Claim
from flowcert.claims.registry import BUILTIN_SOURCES, INDEX_PATH, Source, load_source
from flowcert.reports.markup import math_to_unicode, plain_text

CATALOGUE_PATH = Path(__file__).resolve().parents[1] / "CATALOGUE.md"
INDEX_SCHEMA = "flowcert-index/1"


def builtin_claims() -> list[tuple[str, Claim]]:
    """(source module, claim) of every built-in claim, in catalogue order."""
    return [(name, claim) for name in BUILTIN_SOURCES
            for claim in load_source(Source(name))]


def index_document(claims: Sequence[tuple[str, Claim]]) -> dict:
    """The index: id → source module, family, class, provenance and title."""
    return {"schema": INDEX_SCHEMA, "claims": {
        claim.id: {"source": source, "family": claim.family,
                   "class": str(claim.claim_class), "provenance": claim.provenance,
                   "title": claim.title} for source, claim in claims}}


def index_text(claims: Sequence[tuple[str, Claim]]) -> str:
    return json.dumps(index_document(claims), indent=1, ensure_ascii=False) + "\n"


def catalogue_text(claims: Sequence[tuple[str, Claim]]) -> str:
    """CATALOGUE.md: one section per family, one entry per claim."""
    lines = ["# The flowcert catalogue", "",
             "Generated from the claim registry by `python -m flowcert.reports.catalogue "
             "--write`; do not edit by hand (a test checks that this file is current).", "",
             "Classes: **EXACT** — the gap between the closed form and an independent "
             "high-precision integration must stay within an error budget and shrink with "
             "precision; **ASYMPTOTIC** — a fitted rate whose 99% interval must contain the "
             "predicted one; **STATISTICAL** — Monte Carlo checks with tolerances from "
             "standard errors (false-alarm rate ≤ 1e-6 per check); **QUALITATIVE** — signs, "
             "orderings, counts. Provenance: P stated in the source, D derived for this "
             "project from the source's setup.", "",
             "Sharpness: every EXACT comparison is re-judged with the closed form × (1 + 1e-9) "
             "and must then fail; every fitted rate must reject its exponent ± 1/4; every "
             "QUALITATIVE and STATISTICAL claim names null models (the experiment with the "
             "effect removed) that its check must fail.", ""]
    family = None
    for source, claim in claims:
        if claim.family != family:
            family = claim.family
            lines += [f"## {family}", "", _where(source, family), ""]
        lines += [f"### {claim.id} — {plain_text(claim.title)}", "",
                  f"- **Class** {claim.claim_class} · **provenance** {claim.provenance}",
                  f"- **Statement**: {math_to_unicode(claim.statement)}",
                  f"- **Theory**: {plain_text(claim.theory)}",
                  f"- **Experiment**: {plain_text(claim.experiment)}",
                  f"- **Comparison**: {plain_text(claim.comparison)}"]
        if claim.null_models:
            lines.append(f"- **Null models**: {'; '.join(claim.null_models)}")
        if claim.certify is not None:
            lines.append("- **Certificate**: available (`flowcert check "
                         f"{claim.id} --certify`)")
        lines += [f"- **Source**: {claim.source}", ""]
    return "\n".join(lines)


def _where(source: str, family: str) -> str:
    """Where a newcomer finds the family's pieces in the repository (files that exist)."""
    module = source.rsplit(".", 1)[-1]
    root = CATALOGUE_PATH.parent
    tests = [f"`{path}`" for path in (f"tests/test_claims_{module}.py",
                                      f"tests/test_theory_{module}.py")
             if (root / path).exists()]
    return (f"Theory `theory/{module}.py` · claims `claims/{module}.py` · report figures "
            f"`reports/{module}_figures.py` · tests {' and '.join(tests) or '—'} · numerics: "
            f"the `numerics/` modules that `claims/{module}.py` imports · report: the page "
            f"titled with the id (`flowcert report {family}1 …`)")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--write", action="store_true", help="rewrite the index and catalogue")
    args = parser.parse_args(argv)
    claims = builtin_claims()
    expected = {INDEX_PATH: index_text(claims), CATALOGUE_PATH: catalogue_text(claims)}
    stale = [path for path, text in expected.items()
             if not path.exists() or path.read_text() != text]
    if args.write:
        for path in stale:
            path.write_text(expected[path])
            print(f"wrote {path}")
        return 0
    for path in stale:
        print(f"{path} is out of date; run python -m flowcert.reports.catalogue --write")
    return 1 if stale else 0


if __name__ == "__main__":
    raise SystemExit(main())
