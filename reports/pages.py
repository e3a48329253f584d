"""The report's pages as typst markup: title page, summary table, one page per claim.

Every text of a claim goes through :func:`~flowcert.reports.markup.typst_markup`, so inline
mathematics (``$…$``) is typeset as mathematics and everything else is escaped. Each claim
page carries the label ``<claim-ID>``; the summary table links every id to it and prints its
page number.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sympy as sp

from flowcert.claims.base import Claim, ClaimClass, Outcome, failing_line
from flowcert.reports.markup import typst_markup
from flowcert.reports.typst_math import to_typst
from flowcert.theory.derivations import Derivation

_TYPST_SPECIAL = "\\#$*_`<>@[]~=-+/"
#: Typst markup longer than this does not fit one line of the page at a legible size.
LONG_MARKUP = 300
#: Characters of a failing claim's reason shown in the summary table.
REASON_CHARACTERS = 140

PREAMBLE = """
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
#let badge(status) = {
  let colour = if status == "certified" { rgb("#1b7837") } else if status == "refuted" {
    rgb("#b2182b") } else { luma(110) }
  box(inset: (x: 2pt, y: 1pt), radius: 2pt, stroke: 0.5pt + colour,
      text(size: 7pt, fill: colour, status))
}
#let pageof(label) = context { let found = query(label)
  if found.len() > 0 { link(label, str(found.first().location().page())) } }
"""


def escape(text: str) -> str:
    """Text safe to place in typst markup."""
    return "".join("\\" + ch if ch in _TYPST_SPECIAL else ch for ch in str(text))


def prose(text: str) -> str:
    """Claim text: inline ``$…$`` math typeset, the rest escaped."""
    return typst_markup(str(text), escape)


def title_page(document: dict) -> str:
    env = document["environment"]
    packages = ", ".join(f"{escape(k)} {escape(v)}" for k, v in env["packages"].items())
    summary = document["summary"]
    executor = document.get("executor") or {}
    where = (f"Dask scheduler {escape(executor['scheduler'])}" if executor.get("scheduler")
             else f"{executor.get('workers', '?')} local worker process(es)")
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
  [*Machine*], [{escape(env['platform'])}, {env['cpus']} CPUs, Python {escape(env['python'])};
run on {where}],
  [*Packages*], [{packages}],
  [*Precision ladder*], [{escape(', '.join(map(str, document['precisions'])))} bits (53:
SciPy DOP853, rtol 2.5e-14; above: heyoka Taylor, MPFR, tolerance = unit roundoff)],
  [*Seeds*], [Monte Carlo base seed {document.get('seed', '?')} (environment variable
FLOWCERT\\_SEED); every randomised claim derives its draws from it],
)
#v(1cm)
*How to read this report.* EXACT claims are compared at every precision of the ladder; the
relative error must stay within an error budget (steps × local tolerance × amplification,
stated per claim) and shrink as precision grows — a wrong closed form shows as an error
that stops shrinking. Each EXACT check also proves it can fail: re-judged with the closed form
multiplied by 1 + 10#super[−9] it must fail, and its page lists the smallest relative
perturbation each precision detects. ASYMPTOTIC parts report a fitted slope with its 99%
interval, which must contain the predicted rate and exclude the predicted rate ± 1/4.
STATISTICAL claims compare samples with the predicted law (tolerances from standard errors,
false-alarm rate ≤ 10#super[−6] per check); QUALITATIVE claims list each property checked.
Both run the same check on null models — the experiment with the effect removed — which must
fail. A certificate (when requested) encloses the network's flow in ball arithmetic: the closed
form inside every ball proves it at those points, outside one refutes it.
"""


# ----------------------------------------------------------------------------- summary


def _label(claim_id: str) -> str:
    return f"<claim-{claim_id}>"


def worst_error(outcome: Outcome) -> str:
    """The largest relative error across the ladder and its precision (—: no ladder)."""
    if not outcome.runs:
        return "—"
    worst = max(outcome.runs, key=lambda run: run.max_rel_error)
    return f"{worst.max_rel_error:.2g} ({worst.precision_bits} bits)"


def failing_reason(outcome: Outcome) -> str:
    """The evidence line that says why a claim failed, shortened for a table cell."""
    reason = failing_line(outcome.evidence)
    return reason if len(reason) <= REASON_CHARACTERS else reason[:REASON_CHARACTERS - 1] + "…"


def _result_cell(outcome: Outcome) -> str:
    if not outcome.passed:
        return prose(failing_reason(outcome))
    if outcome.runs:
        return escape(worst_error(outcome))
    if outcome.null_models:
        return escape(f"{sum(not n.passed for n in outcome.null_models)}/"
                      f"{len(outcome.null_models)} null models fail")
    if outcome.fits:
        fit, more = outcome.fits[0], len(outcome.fits) - 1
        return escape(f"slope {fit.slope:.4f} (predicted {fit.predicted:g})"
                      + (f", {more} more fit{'s' if more > 1 else ''}" if more else ""))
    return "—"


def _provenance_cell(provenance: str) -> str:
    """"P" or "D" in the table's size, a qualifier ("P, direction only") below it, smaller:
    a long qualifier must not widen the column at the expense of the claim's title."""
    letter, _, qualifier = provenance.partition(",")
    return escape(letter) + (f" \\ #text(size: 7pt)[{escape(qualifier.strip())}]"
                             if qualifier else "")


def summary_table(claims: Sequence[Claim], outcomes: Sequence[Outcome]) -> str:
    rows, family = [], None
    for claim, outcome in zip(claims, outcomes, strict=True):
        if claim.family != family:
            family = claim.family
            rows.append(f"table.cell(colspan: 7, fill: luma(240))[*{escape(family)}* — "
                        f"#text(size: 7.5pt)[{escape(claim.source)}]],")
        certificate = (f" #badge(\"{outcome.certificate['status']}\")"
                       if outcome.certificate else "")
        rows.append(f"[#link({_label(claim.id)})[{claim.id}]], [{escape(claim.claim_class)}], "
                    f"[{_provenance_cell(claim.provenance)}], [{prose(claim.title)}], "
                    f"[#verdict(\"{outcome.verdict}\"){certificate}], "
                    f"[#text(size: 7.5pt)[{_result_cell(outcome)}]], "
                    f"[#pageof({_label(claim.id)})],")
    body = "\n".join(rows)
    return f"""
= Summary
#[#set par(justify: false)
#table(columns: (auto, auto, 10%, 1fr, auto, 27%, auto), inset: 3.5pt,
  stroke: 0.4pt + gray,
  table.header([*id*], [*class*], [*prov.*], [*claim*], [*verdict*],
               [*result: worst rel. error (ladder), null models or fitted slope · why it
                 fails*], [*page*]),
  {body}
)]
Provenance: P stated in the source; D derived for this project (a failing D claim is a
finding about the derivation, reported with its evidence). Click an id for its page.
"""


# ----------------------------------------------------------------------------- claim page


def derivation_section(derivations: Sequence[Derivation]) -> str:
    """The claim's pinned derived expressions, typeset, or a one-line note when none are."""
    if not derivations:
        return ("== Derivation\n#text(size: 8pt)[No derived expression of this claim is pinned "
                "in its theory module.]")
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


def _legible_parts(derivation: Derivation) -> list[tuple[str, sp.Basic]]:
    """(label markup, expression) rows for one derivation.

    A long quotient cannot wrap (typst breaks lines only after +, −, =), so it is shown as
    N/D with the expanded numerator and the denominator on rows of their own.
    """
    name = prose(derivation.name)
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


def parameters_table(parameters: Mapping) -> str:
    """The claim's parameters as a two-column table (lists of cases one per line)."""
    if not parameters:
        return ""
    rows = "".join(f"[{escape(key)}], [{_value(value)}],\n" for key, value in parameters.items())
    return (f"*Parameters.*\n#text(size: 7.5pt)[#table(columns: (auto, 1fr), inset: 2.5pt, "
            f"stroke: 0.3pt + gray,\n{rows})]")


def _value(value) -> str:
    if isinstance(value, Mapping):
        return escape(", ".join(f"{k} = {_scalar(v)}" for k, v in value.items()))
    if isinstance(value, list | tuple):
        if value and all(isinstance(item, Mapping) for item in value):
            return " \\\n".join(_value(item) for item in value)
        return escape(", ".join(_scalar(item) for item in value))
    return escape(_scalar(value))


def _scalar(value) -> str:
    if isinstance(value, Mapping | list | tuple):
        inner = ", ".join(f"{k} = {_scalar(v)}" for k, v in value.items()) \
            if isinstance(value, Mapping) else ", ".join(_scalar(v) for v in value)
        return f"({inner})"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _run_table(outcome: Outcome) -> str:
    if not outcome.runs:
        return ""
    cells = "".join(
        f"[{r.precision_bits}], [{r.max_abs_error:.3g}], [{r.max_rel_error:.3g}], "
        f"[{r.tolerance:.3g}], [{r.steps if r.steps is not None else '—'}], "
        f"[{'ok' if r.passed else 'EXCEEDED'}], "
        f"[{'—' if not r.detects else f'{r.detects:.1g}'}],\n" for r in outcome.runs)
    return f"""
#table(columns: 7, inset: 3pt, stroke: 0.4pt + gray,
  table.header([*bits*], [*max abs. error*], [*max rel. error*], [*tolerance*], [*steps*],
               [*status*], [*detects a relative error in the closed form of*]),
  {cells})"""


def sharpness_section(claim: Claim, outcome: Outcome) -> str:
    """Why the check could have failed: null models and the perturbation test."""
    parts = []
    if outcome.sharpness is not None:
        parts += [f"- {prose(line)}" for line in outcome.sharpness.evidence]
    for null in outcome.null_models:
        detail = prose(failing_line(null.evidence)) if null.evidence else ""
        parts.append(f"- null model “{prose(null.name)}” ({prose(null.description)}): "
                     f"#verdict(\"{null.verdict}\") — {detail}")
    if not parts:
        kind = "null model" if claim.claim_class in (ClaimClass.QUALITATIVE,
                                                     ClaimClass.STATISTICAL) else \
            "perturbation test"
        parts = [f"- no {kind} recorded"]
    return "*Sharpness* (the check must be able to fail)\n" + "\n".join(parts)


def certificate_section(outcome: Outcome) -> str:
    certificate = outcome.certificate
    if not certificate:
        return ""
    lines = "\n".join(f"- {escape(line)}" for line in certificate.get("evidence", [])[:6])
    radius = certificate["max_relative_radius"]
    radius = radius if isinstance(radius, str) else f"{radius:.2g}"
    return (f"*Certificate* #badge(\"{certificate['status']}\") at "
            f"{certificate['precision_bits']} bits: {certificate['points']} points, largest "
            f"relative enclosure radius {escape(radius)}"
            f"{', ' + str(certificate['seconds']) + ' s' if 'seconds' in certificate else ''}"
            f"\n{lines}")


def claim_page(claim: Claim, outcome: Outcome, figure_files: tuple,
               derivations: Sequence[Derivation] = ()) -> str:
    evidence = "\n".join(f"- {prose(line)}" for line in outcome.evidence
                         if outcome.sharpness is None or line not in outcome.sharpness.evidence)
    wide, small = figure_files
    images = "\n".join(f'#align(center, image("{name}", width: 100%))' for name in wide)
    if len(small) == 1:  # a lone small figure at a readable size, not in half a grid
        images += f'\n#align(center, image("{small[0]}", width: 70%))'
    elif small:
        cells = ", ".join(f'image("{name}", width: 100%)' for name in small)
        images += f"\n#grid(columns: (1fr, 1fr), gutter: 8pt, {cells})"
    return f"""
= {claim.id} — {prose(claim.title)} #h(1fr) #verdict("{outcome.verdict}") {_label(claim.id)}
#text(size: 8pt)[{escape(claim.claim_class)} · provenance {escape(claim.provenance)} ·
{escape(claim.source)} · checked in {outcome.seconds:.1f} s]

$ {claim.statement} $

*Theory.* {prose(claim.theory)}

{derivation_section(derivations)}

*Experiment.* {prose(claim.experiment)}

*Comparison and tolerance.* {prose(claim.comparison)}

{parameters_table(claim.parameters)}

*Evidence.*
{evidence}
{_run_table(outcome)}

{sharpness_section(claim, outcome)}

{certificate_section(outcome)}
{images}
"""
