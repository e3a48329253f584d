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
from concurrent.futures import as_completed
from pathlib import Path
from typing import TextIO

import matplotlib.pyplot as plt
import sympy as sp
import typst

from flowcert.claims.base import Claim, Outcome
from flowcert.reports import (
    classification_figures,
    confusion_figures,
    conservation_figures,
    curvature_figures,
    deep_linear_figures,
    diagonal_figures,
    figures,
    soft_sets_figures,
    splines_figures,
    stability_figures,
    starvation_figures,
)
from flowcert.reports.interrupts import submit_all, worker_pool
from flowcert.reports.results import write_atomically
from flowcert.reports.typst_math import to_typst
from flowcert.theory.derivations import Derivation, all_derivations

OVERLAYS = {claim_id: draw
            for module in (deep_linear_figures, diagonal_figures, starvation_figures,
                           classification_figures, splines_figures, curvature_figures,
                           stability_figures, confusion_figures, conservation_figures,
                           soft_sets_figures)
            for claim_id, draw in module.OVERLAYS.items()}
#: The measured work–precision table (benchmarks/work_precision.py) the appendix shows.
WORK_PRECISION_PATH = Path(__file__).resolve().with_name("work_precision.json")
_TYPST_SPECIAL = "\\#$*_`<>@[]~=-+/"


def escape(text: str) -> str:
    """Text safe to place in typst markup."""
    return "".join("\\" + ch if ch in _TYPST_SPECIAL else ch for ch in str(text))


def write_report(path: Path, claims: Sequence[Claim], outcomes: Sequence[Outcome],
                 document: dict, work_precision: Path | None = WORK_PRECISION_PATH,
                 workers: int = 1, progress: TextIO | None = None) -> None:
    """Render the report (:func:`render_report`) and write it to ``path`` atomically."""
    write_atomically(Path(path), render_report(claims, outcomes, document, work_precision,
                                               workers, progress))


def render_report(claims: Sequence[Claim], outcomes: Sequence[Outcome], document: dict,
                  work_precision: Path | None = WORK_PRECISION_PATH, workers: int = 1,
                  progress: TextIO | None = None) -> bytes:
    """The PDF of the report for ``claims``/``outcomes`` (and the results ``document``).

    The appendix shows the work–precision table stored at ``work_precision`` (measured
    beforehand by benchmarks/work_precision.py, never re-run here); it is left out when the
    path is None or the file is missing. Figures are drawn on ``workers`` local processes
    (drawing ~120 SVG figures is most of the time spent here); a line per claim's figures
    and one for the typesetting go to ``progress``.
    """
    with tempfile.TemporaryDirectory(prefix="flowcert-report-") as workdir:
        directory = Path(workdir)
        pages = [_title_page(document), _summary_table(claims, outcomes)]
        derivations = _derivations_by_claim()
        drawn = _draw_all(outcomes, directory, workers, progress)
        for claim, outcome, figure_files in zip(claims, outcomes, drawn, strict=True):
            pages.append(_claim_page(claim, outcome, figure_files,
                                     derivations.get(claim.id, [])))
        if work_precision is not None and Path(work_precision).exists():
            pages.append(_work_precision_appendix(json.loads(Path(work_precision).read_text()),
                                                  directory))
        source = directory / "report.typ"
        source.write_text(_PREAMBLE + "\n#pagebreak()\n".join(pages))
        _say(progress, f"report: typesetting {len(pages)} sections with typst")
        return typst.compile(str(source), root=str(directory))


def _say(progress: TextIO | None, line: str) -> None:
    if progress is not None:
        print(line, file=progress, flush=True)


def _draw_all(outcomes: Sequence[Outcome], directory: Path, workers: int,
              progress: TextIO | None = None) -> list[tuple[list[str], list[str]]]:
    """:func:`_figures` of every outcome, in order, on ``workers`` spawned processes."""
    total = len(outcomes)
    _say(progress, f"report: drawing the figures of {total} claim(s)")
    if workers <= 1 or total <= 1:
        drawn = []
        for done, outcome in enumerate(outcomes, 1):
            drawn.append(_figures(outcome, directory))
            _say(progress, f"[{done}/{total}] figures {outcome.claim_id}")
        return drawn
    results: dict[int, tuple[list[str], list[str]]] = {}
    with worker_pool(min(workers, total)) as pool:
        futures = submit_all(pool, _figures, [(outcome, directory) for outcome in outcomes])
        for future in as_completed(futures):
            results[futures[future]] = future.result()
            _say(progress, f"[{len(results)}/{total}] figures "
                           f"{outcomes[futures[future]].claim_id}")
    return [results[index] for index in range(total)]


def _figures(outcome: Outcome, directory: Path) -> tuple[list[str], list[str]]:
    """Draw the outcome's figures as SVG files in ``directory``.

    Returns the names of the full-width figures (theory-vs-numerics overlay, samples vs the
    predicted law) and of the small class figures (error vs precision, fitted rates).
    """
    overlay = OVERLAYS.get(outcome.claim_id)
    wide = [_drawn(overlay, outcome) if overlay and outcome.series else None,
            _drawn(figures.distribution_check, outcome)]
    small = [_drawn(figures.error_vs_precision, outcome)] + [
        _drawn(figures.rate_fit, fit) for fit in outcome.fits]
    return (_save_all(wide, directory, f"{outcome.claim_id}-wide"),
            _save_all(small, directory, f"{outcome.claim_id}-small"))


def _drawn(draw, data):
    """``draw(data)``, or a figure saying why it could not be drawn.

    A claim whose experiment failed part-way may leave its series incomplete; its page must
    still be built (showing the failure), and the rest of the report with it.
    """
    try:
        return draw(data)
    except Exception as error:  # noqa: BLE001 - any drawing error becomes a visible note
        return figures.not_drawn(f"{getattr(draw, '__name__', 'figure')}: "
                                 f"{type(error).__name__}: {error}")


def _save_all(drawn: Sequence, directory: Path, stem: str) -> list[str]:
    """Save the figures that were drawn (skipping None) as ``stem-index.svg``; their names."""
    names = [_save(figure, directory / f"{stem}-{index}.svg")
             for index, figure in enumerate(drawn)]
    return [name for name in names if name is not None]


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
#show heading.where(level: 2): set text(size: 10pt)
// Display math at its natural size when it fits, else shrunk to the width available; below
// `minimum` a sum or relation (which typst can break after +, −, =) is set as line-breaking
// inline math (display-sized fractions, widened leading) at that size instead.
// A term wider than the line cannot be broken, so the size is also capped to fit the widest
// top-level term (`terms`) on one line.
#let fit(display, inline, breakable: false, minimum: 0.6, terms: ()) = layout(size => {
  let natural = measure(display).width
  let factor = size.width / natural
  if factor >= 1 { display } else if factor >= minimum or not breakable {
    text(size: factor * 1em, display)
  } else {
    let widest = calc.max(1pt, ..terms.map(term => measure(term).width))
    let scale = calc.min(minimum, size.width / widest)
    block(inset: (y: 0.4em), { set par(leading: 2.6em, justify: false)
      text(size: scale * 1em, inline) }) }
})
#let derivation(name, display, inline, breakable, terms) = {
  show math.equation.where(block: true): set align(left)
  grid(columns: (30%, 1fr), column-gutter: 8pt, align: horizon,
    text(size: 8pt, name), fit(display, inline, breakable: breakable, terms: terms))
}
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
  [*Seeds*], [Monte Carlo base seed {document.get('seed', '?')} (environment variable
FLOWCERT\\_SEED; the statistical claims derive theirs from it with SeedSequence); every other
seed is fixed per claim and listed in its parameters],
)
#v(1cm)
*How to read this report.* EXACT claims are compared at every precision of the ladder; the
relative error must stay within an error budget (steps × local tolerance × amplification,
stated per claim) and shrink as precision grows — a wrong closed form shows as an error
that stops shrinking. ASYMPTOTIC parts report a fitted slope with its confidence interval
(level stated in the claim's comparison), which must contain the predicted rate. STATISTICAL
claims compare samples with the predicted law (tolerances from standard errors; histogram and
QQ plot). QUALITATIVE claims list each property checked.
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


def _derivations_by_claim() -> dict[str, list[Derivation]]:
    """The pinned derivations of every theory module, grouped by claim id."""
    grouped: dict[str, list[Derivation]] = {}
    for derivation in all_derivations():
        grouped.setdefault(derivation.claim_id, []).append(derivation)
    return grouped


def _derivation_section(derivations: Sequence[Derivation]) -> str:
    """The claim's pinned derived expressions, typeset, or a one-line note when none are."""
    if not derivations:
        return ("== Derivation\n#text(size: 8pt)[No derived expression of this claim is pinned "
                "in its theory module yet.]")
    rows = []
    for derivation in derivations:
        for name, expression in _legible_parts(derivation):
            math = to_typst(expression)
            breakable = _breaks_at_top_level(expression)
            terms = "".join(f"$display({to_typst(term)})$, " for term in
                            (expression.args if breakable else ()))
            rows.append(f"#derivation([{name}], $ {math} $, $display({math})$, "
                        f"{'true' if breakable else 'false'}, ({terms}))")
    return ("== Derivation\n#text(size: 8pt)[Key derived expressions (SymPy), pinned as "
            "golden values in the regression test:]\n" + "\n".join(rows))


#: Typst markup longer than this does not fit one line of the page at a legible size.
LONG_MARKUP = 300


def _legible_parts(derivation: Derivation) -> list[tuple[str, sp.Basic]]:
    """(label markup, expression) rows for one derivation.

    A long quotient cannot wrap (typst breaks lines only after +, −, =), so it is shown as
    N/D with the expanded numerator and the denominator on rows of their own.
    """
    name = escape(derivation.name)
    expression = derivation.expression
    if len(to_typst(expression)) <= LONG_MARKUP or _breaks_at_top_level(expression):
        return [(name, expression)]
    numerator, denominator = sp.fraction(expression)
    if denominator == 1:
        return [(name, expression)]
    return [(name + " $= N \\/ D$", sp.Symbol("N") / sp.Symbol("D")),
            ("#h(1em) numerator $N$", sp.expand(numerator)),
            ("#h(1em) denominator $D$", denominator)]


def _breaks_at_top_level(expression: sp.Basic) -> bool:
    """Whether typst can break the typeset expression across lines (after +, −, =)."""
    return isinstance(expression, sp.Add | sp.core.relational.Relational)


def _claim_page(claim: Claim, outcome: Outcome, figure_files: tuple,
                derivations: Sequence[Derivation] = ()) -> str:
    parameters = escape(json.dumps(claim.parameters, default=str))
    evidence = "\n".join(f"- {escape(line)}" for line in outcome.evidence)
    runs = "".join(f"[{r.precision_bits}], [{r.max_abs_error:.3g}], [{r.max_rel_error:.3g}], "
                   f"[{r.tolerance:.3g}], [{r.steps if r.steps is not None else '—'}], "
                   f"[{'ok' if r.passed else 'EXCEEDED'}],\n" for r in outcome.runs)
    run_table = "" if not outcome.runs else f"""
#table(columns: 6, inset: 3pt, stroke: 0.4pt + gray,
  [*bits*], [*max abs. error*], [*max rel. error*], [*tolerance*], [*steps*], [*status*],
  {runs})"""
    wide, small = figure_files
    images = "\n".join(f'#align(center, image("{name}", width: 100%))' for name in wide)
    if small:
        cells = ", ".join(f'image("{name}", width: 100%)' for name in small)
        images += f"\n#grid(columns: (1fr, 1fr), gutter: 8pt, {cells})"
    return f"""
= {claim.id} — {escape(claim.title)} #h(1fr) #verdict("{outcome.verdict}")
#text(size: 8pt)[{escape(claim.claim_class)} · provenance {escape(claim.provenance)} ·
{escape(claim.source)} · checked in {outcome.seconds:.1f} s]

$ {claim.statement} $

*Theory.* {escape(claim.theory)}

{_derivation_section(derivations)}

*Experiment.* {escape(claim.experiment)}

*Comparison and tolerance.* {escape(claim.comparison)}

*Parameters.* #text(size: 7.5pt)[{parameters}]

*Evidence.*
{evidence}
{run_table}
{images}
"""


def _work_precision_appendix(table: dict, directory: Path) -> str:
    """Appendix: error vs time of every engine on the two reference ODEs, figure and tables."""
    figure = _save(figures.work_precision(table["problems"]), directory / "work-precision.svg")
    machine = table["machine"]
    packages = ", ".join(f"{name} {version}" for name, version in machine["packages"].items())
    tables = []
    for name, problem in table["problems"].items():
        cells = "".join(f"[{escape(r['engine'])}], [{escape(r['setting'])}], "
                        f"[{r['seconds']:.3g}], [{r['error']:.3g}], [{r['setup_seconds']:.2g}],\n"
                        for r in problem["rows"])
        tables.append(f"""[*{escape(name)}*: {escape(problem['description'])}
#table(columns: 5, inset: 2.5pt, stroke: 0.4pt + gray,
  [*engine*], [*setting*], [*seconds*], [*rel. error*], [*setup s*],
  {cells})]""")
    return f"""
= Appendix: work–precision of the integration engines
Error against wall-clock time on two reference ODEs, for heyoka's Taylor method (float64 at
several tolerances, MPFR at several precisions), SciPy's DOP853 and LSODA (several rtol,
atol = 10#super[−3]·rtol) and mpmath.odefun (several working precisions). Measured by
`benchmarks/work_precision.py` on {escape(machine['date'])}: {escape(machine['cpu'])},
{machine['cpus']} CPUs, {escape(machine['platform'])}, Python {escape(machine['python'])},
{escape(packages)}. Seconds: {escape(table['timing'])}. These are one machine's timings,
stored with the report's sources and not re-measured when the report is built.

#align(center, image("{figure}", width: 100%))
#text(size: 7pt)[#grid(columns: (1fr, 1fr), gutter: 8pt, {", ".join(tables)})]
"""
