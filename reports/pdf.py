"""The PDF verification report: typst markup + SVG figures, compiled by the typst package.

Layout: a title page (version, commit, date, machine, package versions, precision ladder),
a summary table of every claim, then one page per claim with its statement as typeset
math, how it was checked, the evidence with numbers, and its figures (the theory-vs-numerics
overlay, error vs precision for EXACT claims, fitted rates for ASYMPTOTIC parts).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Sequence
from pathlib import Path

import matplotlib.pyplot as plt
import typst

from claims.base import Claim, Outcome
from reports import deep_linear_figures, figures
from reports.results import write_atomically

OVERLAYS = dict(deep_linear_figures.OVERLAYS)
_TYPST_SPECIAL = "\\#$*_`<>@[]~=-+/"


def escape(text: str) -> str:
    """Text safe to place in typst markup."""
    return "".join("\\" + ch if ch in _TYPST_SPECIAL else ch for ch in str(text))


def write_report(path: Path, claims: Sequence[Claim], outcomes: Sequence[Outcome],
                 document: dict) -> None:
    """Render the report for ``claims``/``outcomes`` (and the results ``document``) to PDF."""
    with tempfile.TemporaryDirectory(prefix="flowcert-report-") as workdir:
        directory = Path(workdir)
        pages = [_title_page(document), _summary_table(claims, outcomes)]
        for claim, outcome in zip(claims, outcomes, strict=True):
            pages.append(_claim_page(claim, outcome, _figures(outcome, directory)))
        source = directory / "report.typ"
        source.write_text(_PREAMBLE + "\n#pagebreak()\n".join(pages))
        pdf = typst.compile(str(source), root=str(directory))
    write_atomically(Path(path), pdf)


def _figures(outcome: Outcome, directory: Path) -> tuple[str | None, list[str]]:
    """Draw the outcome's figures as SVG files in ``directory``.

    Returns the overlay's file name (or None) and the names of the small class figures
    (error vs precision, fitted rates).
    """
    overlay = OVERLAYS.get(outcome.claim_id)
    small = [figures.error_vs_precision(outcome)] + [figures.rate_fit(f) for f in outcome.fits]
    names = [_save(overlay(outcome) if overlay and outcome.series else None,
                   directory / f"{outcome.claim_id}-overlay.svg")]
    names += [_save(figure, directory / f"{outcome.claim_id}-{index}.svg")
              for index, figure in enumerate(small)]
    return names[0], [name for name in names[1:] if name is not None]


def _save(figure, path: Path) -> str | None:
    if figure is None:
        return None
    figure.savefig(path)
    plt.close(figure)
    return path.name


_PREAMBLE = """
#set document(title: "flowcert verification report")
#set page(paper: "a4", margin: (x: 1.8cm, y: 1.6cm), numbering: "1")
#set text(size: 9.5pt)
#set par(justify: true)
#let verdict(v) = if v == "pass" { text(fill: rgb("#1b7837"), weight: "bold")[PASS] } else {
  text(fill: rgb("#b2182b"), weight: "bold")[FAIL] }
"""


def _title_page(document: dict) -> str:
    env = document["environment"]
    packages = ", ".join(f"{escape(k)} {escape(v)}" for k, v in env["packages"].items())
    summary = document["summary"]
    return f"""
#align(center)[#v(4cm) #text(size: 22pt, weight: "bold")[flowcert verification report]
#v(0.5cm) #text(size: 12pt)[closed-form claims about learning dynamics, checked against
independent high-precision integrations of the networks' own gradient flows]]
#v(1.5cm)
#table(columns: (auto, 1fr), stroke: none, inset: 4pt,
  [*Result*], [{summary['passed']} of {summary['claims']} claims pass, {summary['failed']} fail],
  [*flowcert*], [{escape(env['packages'].get('flowcert', '?'))}, commit \
{escape(env['commit'])}],
  [*Date (UTC)*], [{escape(document['created'])}],
  [*Machine*], [{escape(env['platform'])}, {env['cpus']} CPUs, Python {escape(env['python'])}],
  [*Packages*], [{packages}],
  [*Precision ladder*], [{escape(', '.join(map(str, document['precisions'])))} bits (53:
SciPy DOP853, rtol 2.5e-14; above: heyoka Taylor, MPFR, tolerance = unit roundoff)],
  [*Seeds*], [fixed per claim, listed in each claim's parameters],
)
#v(1cm)
*How to read this report.* EXACT claims are compared at every precision of the ladder; the
relative error must stay within an error budget (steps × local tolerance × amplification,
stated per claim) and shrink as precision grows — a wrong closed form shows as an error
that stops shrinking. ASYMPTOTIC parts report a fitted slope with its 99% interval, which
must contain the predicted rate. QUALITATIVE claims list each property checked.
"""


def _worst(outcome: Outcome) -> str:
    if not outcome.runs:
        return "—"
    worst = max(outcome.runs, key=lambda r: r.max_rel_error / r.tolerance)
    return f"{worst.max_rel_error:.2g} / {worst.tolerance:.2g} ({worst.precision_bits} bits)"


def _summary_table(claims: Sequence[Claim], outcomes: Sequence[Outcome]) -> str:
    rows = []
    for claim, outcome in zip(claims, outcomes, strict=True):
        rows.append(f"[{claim.id}], [{escape(claim.family)}], [{escape(claim.claim_class)}], "
                    f"[{escape(claim.provenance)}], [{escape(claim.title)}], "
                    f"[#verdict(\"{outcome.verdict}\")], [{escape(_worst(outcome))}],")
    return f"""
= Summary
#table(columns: (auto, auto, auto, auto, 1fr, auto, auto), inset: 4pt,
  stroke: 0.4pt + gray,
  [*id*], [*family*], [*class*], [*prov.*], [*claim*], [*verdict*],
  [*worst rel. error / tolerance*],
  {chr(10).join(rows)}
)
Provenance: P stated in the paper; D derived for this project (a failing D claim is a
finding about the derivation, reported with its evidence).
"""


def _claim_page(claim: Claim, outcome: Outcome, figure_files: tuple) -> str:
    parameters = escape(json.dumps(claim.parameters, default=str))
    evidence = "\n".join(f"- {escape(line)}" for line in outcome.evidence)
    runs = "".join(f"[{r.precision_bits}], [{r.max_abs_error:.3g}], [{r.max_rel_error:.3g}], "
                   f"[{r.tolerance:.3g}], [{r.steps if r.steps is not None else '—'}], "
                   f"[{'ok' if r.passed else 'EXCEEDED'}],\n" for r in outcome.runs)
    run_table = "" if not outcome.runs else f"""
#table(columns: 6, inset: 3pt, stroke: 0.4pt + gray,
  [*bits*], [*max abs. error*], [*max rel. error*], [*tolerance*], [*steps*], [*status*],
  {runs})"""
    overlay, small = figure_files
    images = f'#align(center, image("{overlay}", width: 100%))' if overlay else ""
    if small:
        cells = ", ".join(f'image("{name}", width: 100%)' for name in small)
        images += f"\n#grid(columns: (1fr, 1fr), gutter: 8pt, {cells})"
    return f"""
= {claim.id} — {escape(claim.title)} #h(1fr) #verdict("{outcome.verdict}")
#text(size: 8pt)[{escape(claim.claim_class)} · provenance {escape(claim.provenance)} ·
{escape(claim.source)} · checked in {outcome.seconds:.1f} s]

$ {claim.statement} $

*Theory.* {escape(claim.theory)}

*Experiment.* {escape(claim.experiment)}

*Comparison and tolerance.* {escape(claim.comparison)}

*Parameters.* #text(size: 7.5pt)[{parameters}]

*Evidence.*
{evidence}
{run_table}
{images}
"""
