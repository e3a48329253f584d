"""The PDF report: every claim statement typesets, pages carry ids and verdicts as text."""

import json
from pathlib import Path

import pytest
import typst
from pypdf import PdfReader

from claims.base import Outcome, PrecisionRun
from claims.registry import CLAIMS, get_claim
from reports.pdf import escape, write_report
from reports.results import results_document


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


def test_report_shows_ids_verdicts_and_failures(tmp_path: Path):
    passing = get_claim("DL1")
    failing = get_claim("DL2")
    outcomes = [passing.run((53,)),
                Outcome("DL2", False, runs=[PrecisionRun(53, 1e-3, 2e-3, 1e-10, 12)],
                        evidence=["injected failure for the report test"])]
    claims = [passing, failing]
    document = results_document(claims, outcomes, (53,))
    out = tmp_path / "report.pdf"
    write_report(out, claims, outcomes, document)
    reader = PdfReader(out)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert len(reader.pages) >= 4  # title, summary, at least a page per claim
    for claim_id in ("DL1", "DL2"):
        assert claim_id in text
    assert "PASS" in text and "FAIL" in text
    assert "injected failure for the report test" in text
    assert json.loads(json.dumps(document))["summary"] == {"claims": 2, "passed": 1,
                                                           "failed": 1}
