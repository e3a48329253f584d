"""The PDF report: every claim statement typesets, pages carry ids and verdicts as text."""

import dataclasses
import json
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest
import typst
from pypdf import PdfReader
from scipy import stats

from flowcert.claims.base import NullModelResult, Outcome, PrecisionRun, RateFit
from flowcert.claims.registry import CLAIMS, get_claim
from flowcert.claims.statistics import DISTRIBUTION_POINTS, distribution_series
from flowcert.reports import figures
from flowcert.reports.pages import PREAMBLE, escape, sharpness_section
from flowcert.reports.pdf import WORK_PRECISION_PATH, write_report
from flowcert.reports.results import results_document


@pytest.mark.parametrize("claim_id", list(CLAIMS))
def test_statement_typesets_as_math(tmp_path: Path, claim_id: str):
    source = tmp_path / "statement.typ"
    source.write_text(f"$ {CLAIMS[claim_id].statement} $")
    assert typst.compile(str(source))[:4] == b"%PDF"


def test_escape_neutralises_markup(tmp_path: Path):
    hostile = "a_b *c* #let x = 1 $y$ [z] <w> @ref `code` \\ ~"
    source = tmp_path / "text.typ"
    source.write_text(escape(hostile))
    pdf = tmp_path / "text.pdf"
    pdf.write_bytes(typst.compile(str(source)))
    text = PdfReader(pdf).pages[0].extract_text()
    assert "#let" in text and "$y$" in text and "*c*" in text


def test_null_model_text_is_typeset_and_names_why_it_fails(tmp_path: Path):
    """A null model's description is claim prose ($…$ math typeset, not printed raw), and the
    line shown is the one saying why the null model fails, not merely its last."""
    null = NullModelResult("uniform weights", "$w_i$ uniform on $[-sqrt(3), sqrt(3)]$", False,
                           ["slope -0.45 (NOT contained)", "figure data written"])
    section = sharpness_section(get_claim("CV1"), Outcome("CV1", True, null_models=[null]))
    source = tmp_path / "sharpness.typ"
    source.write_text(PREAMBLE + section)
    pdf = tmp_path / "sharpness.pdf"
    pdf.write_bytes(typst.compile(str(source)))
    text = PdfReader(pdf).pages[0].extract_text()
    assert "$" not in text and "sqrt" not in text and "√" in text
    assert "NOT contained" in text and "figure data written" not in text


def test_summary_cell_of_a_passing_rate_claim_shows_its_slope():
    from flowcert.reports.pages import _result_cell
    fits = [RateFit("gap", "n", -0.4916, -0.5642, -0.4189, -0.5, [1, 2], [1, 1], 2, "m")] * 2
    assert _result_cell(Outcome("SP4", True, fits=fits)) == \
        "slope \\-0.4916 (predicted \\-0.5), 1 more fit"


def test_report_shows_ids_verdicts_and_failures(tmp_path: Path):
    passing = get_claim("DL1")
    failing = get_claim("DL2")
    underived = dataclasses.replace(get_claim("KR3"), id="XX1")  # no pinned derivation
    outcomes = [passing.run((53,)),
                Outcome("DL2", False, runs=[PrecisionRun(53, 1e-3, 2e-3, 1e-10, 12)],
                        evidence=["injected failure for the report test"]),
                Outcome("XX1", True, evidence=["stand-in outcome"])]
    claims = [passing, failing, underived]
    document = results_document(claims, outcomes, (53,))
    out = tmp_path / "report.pdf"
    write_report(out, claims, outcomes, document)
    reader = PdfReader(out)
    text = " ".join("\n".join(page.extract_text() for page in reader.pages).split())
    assert len(reader.pages) >= 4  # title, summary, at least a page per claim
    for claim_id in ("DL1", "DL2"):
        assert claim_id in text
    assert "PASS" in text and "FAIL" in text
    assert "injected failure for the report test" in text
    assert "DL1 mode strength u(t)" in text and "DL2 antiderivative G(u)" in text
    assert "No derived expression of this claim is pinned" in text  # XX1
    assert "Appendix: work–precision" in text and "mpmath.odefun" in text
    assert json.loads(json.dumps(document))["summary"] == {"claims": 3, "passed": 2,
                                                           "failed": 1}


def _statistical_outcome(passed: bool = True, claim_id: str = "CV3") -> Outcome:
    law = stats.gamma(3.0)
    samples = law.rvs(size=5000, random_state=np.random.default_rng(7))
    series = {"distribution": distribution_series(samples, "Gamma(3)", law.ppf, law.pdf)}
    return Outcome(claim_id, passed, series=series)


def test_distribution_series_is_small_and_matches_its_law():
    entry = _statistical_outcome().series["distribution"]
    assert len(entry["samples"]) == len(entry["quantiles"]) == DISTRIBUTION_POINTS
    assert entry["count"] == 5000 and entry["samples"] == sorted(entry["samples"])
    assert np.corrcoef(entry["samples"], entry["quantiles"])[0, 1] > 0.99


def test_distribution_figure_has_histogram_and_qq_panels():
    figure = figures.distribution_check(_statistical_outcome())
    assert len(figure.axes) == 2
    assert "Gamma(3)" in figure.texts[0].get_text()
    plt.close(figure)
    assert figures.distribution_check(Outcome("CV3", True)) is None


def test_statistical_page_shows_the_distribution_figure(tmp_path: Path):
    out = tmp_path / "report.pdf"
    # a stand-in id: the claim's own overlay would expect CV3's full series
    claims = [dataclasses.replace(get_claim("CV3"), id="XX2")]
    outcomes = [_statistical_outcome(claim_id="XX2")]
    write_report(out, claims, outcomes, results_document(claims, outcomes, (53,)),
                 work_precision=None)
    text = "\n".join(page.extract_text() for page in PdfReader(out).pages)
    assert "predicted quantile" in text and "Gamma(3)" in text
    assert "Appendix" not in text


def test_an_overlay_that_cannot_be_drawn_is_a_note_not_a_crash(tmp_path: Path):
    out = tmp_path / "report.pdf"
    claims = [get_claim("CV3")]
    outcomes = [_statistical_outcome(passed=False)]  # CV3's overlay needs series it lacks
    write_report(out, claims, outcomes, results_document(claims, outcomes, (53,)),
                 work_precision=None)
    text = " ".join("\n".join(page.extract_text() for page in PdfReader(out).pages).split())
    assert "figure not drawn" in text and "KeyError" in text
    assert "predicted quantile" in text  # the other figures of the page are still there


def test_rate_fit_title_states_no_fixed_level():
    fit = RateFit("error", "n", -2.01, -2.1, -1.9, -2.0, [1, 2, 4, 8], [1, .25, .06, .016], 4,
                  "power law")
    figure = figures.rate_fit(fit)
    title = figure.axes[0].get_title()
    plt.close(figure)
    assert "fitted interval" in title and "99%" not in title


def test_work_precision_table_schema_and_convergence():
    """The stored measurement: schema, provenance, and errors that fall as settings tighten
    (within a factor 10 of round-off noise per step); wall-clock times are not checked."""
    table = json.loads(WORK_PRECISION_PATH.read_text())
    assert table["schema"] == "flowcert-work-precision/1"
    assert {"date", "cpu", "cpus", "platform", "packages"} <= set(table["machine"])
    assert set(table["problems"]) == {"dl1", "network"}
    for problem in table["problems"].values():
        rows = problem["rows"]
        assert {r["engine"] for r in rows} == {"heyoka Taylor", "SciPy DOP853", "SciPy LSODA",
                                               "mpmath.odefun"}
        for row in rows:
            assert {"engine", "setting", "tolerance", "seconds", "error"} <= set(row)
            assert row["seconds"] > 0 and 0 <= row["error"] < 1e-3
        for engine in {r["engine"] for r in rows}:
            chosen = sorted((r for r in rows if r["engine"] == engine),
                            key=lambda r: -r["tolerance"])
            errors = [max(r["error"], 1e-300) for r in chosen]
            assert errors[-1] < errors[0], engine
            assert all(b <= 10 * a for a, b in zip(errors, errors[1:], strict=False)), engine


def test_a_long_quotient_is_split_into_numerator_and_denominator_rows():
    import sympy as sp

    from flowcert.reports.pages import _legible_parts
    from flowcert.theory.derivations import Derivation
    x, y = sp.symbols("x y")
    numerator = sp.Mul(x + 1, sum(x**k * y**(9 - k) for k in range(30)), evaluate=False)
    long_quotient = Derivation("q", "XX1", numerator / (x**2 + y**2 + 3), ())
    rows = _legible_parts(long_quotient)
    assert len(rows) == 3 and "numerator" in rows[1][0] and "denominator" in rows[2][0]
    assert sp.simplify(rows[1][1] / rows[2][1] - long_quotient.expression) == 0
    assert all(isinstance(expression, sp.Add) for _, expression in rows[1:])  # can wrap
    short = Derivation("s", "XX1", x / (y + 1), ())
    assert _legible_parts(short) == [("s", short.expression)]
