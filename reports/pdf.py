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
from flowcert.reports.pages import (
    PREAMBLE,
    claim_page,
    escape,
    prose,
    summary_table,
    title_page,
)
from flowcert.reports.results import write_atomically
from flowcert.theory.derivations import Derivation, all_derivations

OVERLAYS = {claim_id: draw
            for module in (deep_linear_figures, diagonal_figures, starvation_figures,
                           classification_figures, splines_figures, curvature_figures,
                           stability_figures, confusion_figures, conservation_figures,
                           soft_sets_figures)
            for claim_id, draw in module.OVERLAYS.items()}
#: The measured work–precision table (benchmarks/work_precision.py) the appendix shows.
WORK_PRECISION_PATH = Path(__file__).resolve().with_name("work_precision.json")
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
        pages = [title_page(document), summary_table(claims, outcomes)]
        derivations = _derivations_by_claim(claims)
        drawn = _draw_all(outcomes, directory, workers, progress)
        drawn = [(wide + _own_figures(claim, outcome, directory), small)
                 for claim, outcome, (wide, small) in zip(claims, outcomes, drawn, strict=True)]
        for claim, outcome, figure_files in zip(claims, outcomes, drawn, strict=True):
            pages.append(claim_page(claim, outcome, figure_files,
                                    derivations.get(claim.id, [])))
        if work_precision is not None and Path(work_precision).exists():
            pages.append(_work_precision_appendix(json.loads(Path(work_precision).read_text()),
                                                  directory))
        source = directory / "report.typ"
        source.write_text(PREAMBLE + "\n#pagebreak()\n".join(pages))
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
            _drawn(figures.trajectory_overlay, outcome),
            _drawn(figures.distribution_check, outcome)]
    small = [_drawn(figures.error_vs_precision, outcome)] + [
        _drawn(figures.rate_fit, fit) for fit in outcome.fits]
    return (_save_all(wide, directory, f"{outcome.claim_id}-wide"),
            _save_all(small, directory, f"{outcome.claim_id}-small"))


def _own_figures(claim: Claim, outcome: Outcome, directory: Path) -> list[str]:
    """The figures a claim declares itself (``Claim.figures``), drawn in this process (a
    user's figure functions need not be importable by the drawing workers)."""
    return _save_all([_drawn(draw, outcome) for draw in claim.figures], directory,
                     f"{claim.id}-own")


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


def _derivations_by_claim(claims: Sequence[Claim]) -> dict[str, list[Derivation]]:
    """The pinned derivations of every built-in theory module and of the claims themselves
    (a user claim's ``derivations()``), grouped by claim id."""
    grouped: dict[str, list[Derivation]] = {}
    for derivation in all_derivations():
        grouped.setdefault(derivation.claim_id, []).append(derivation)
    for claim in claims:
        if claim.derivations is not None:
            grouped.setdefault(claim.id, []).extend(claim.derivations())
    return grouped


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
        tables.append(f"""[*{escape(name)}*: {prose(problem['description'])}
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
