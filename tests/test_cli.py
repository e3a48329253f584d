"""The flowcert command line: list, check (table and JSON), and its usage errors."""

from __future__ import annotations

import json

import pytest

from flowcert.claims.registry import CLAIMS
from flowcert.reports.cli import main


def test_list_prints_one_line_per_claim(capsys):
    assert main(["list"]) == 0
    captured = capsys.readouterr()
    lines = captured.out.splitlines()
    assert [line.split()[0] for line in lines] == list(CLAIMS)
    assert captured.err == ""


def test_check_json_prints_exactly_one_document(capsys):
    code = main(["check", "DL1", "DL2", "--precision", "53", "113", "--json", "--quiet"])
    captured = capsys.readouterr()
    document = json.loads(captured.out)  # raises on any text before or after the document
    assert code == 0
    assert captured.err == ""            # --quiet: no progress lines
    assert [claim["id"] for claim in document["claims"]] == ["DL1", "DL2"]
    for claim in document["claims"]:
        assert claim["verdict"] == "pass"
        assert claim["class"] == "EXACT"
        assert [run["precision_bits"] for run in claim["runs"]] == [53, 113]
        for run in claim["runs"]:
            for key in ("max_abs_error", "max_rel_error", "tolerance"):
                assert isinstance(run[key], float)
            assert run["max_rel_error"] <= run["tolerance"]
    assert document["summary"] == {"claims": 2, "passed": 2, "failed": 0}


def test_check_prints_progress_unless_quiet(capsys):
    assert main(["check", "dl7"]) == 0
    captured = capsys.readouterr()
    assert "DL7" in captured.err and "PASS" in captured.err   # a progress line
    assert "DL7" in captured.out and "PASS" in captured.out   # the verdict table


USAGE_ERRORS = {
    "unknown claim id": ["check", "DL9"],
    "unknown claim id among known": ["check", "DL1", "XX1"],
    "precision below float64": ["check", "DL1", "--precision", "7"],
    "precision above maximum": ["check", "DL1", "--precision", "10000"],
    "precision not a number": ["check", "DL1", "--precision", "abc"],
    "precision without value": ["check", "DL1", "--precision"],
    "no subcommand": [],
    "unknown subcommand": ["verify"],
    "unknown option": ["check", "--fast"],
    "report to a non-pdf file": ["report", "--out", "x.txt"],
    "report with bad precision": ["report", "--precision", "7"],
}


@pytest.mark.parametrize("name", list(USAGE_ERRORS))
def test_usage_errors_exit_2_with_one_line_and_no_traceback(name, capsys, tmp_path,
                                                            monkeypatch):
    monkeypatch.chdir(tmp_path)
    code = main(USAGE_ERRORS[name])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("flowcert: error:")
    assert "Traceback" not in captured.err
    assert list(tmp_path.iterdir()) == []   # nothing written on a usage error


def test_report_summary_fits_one_screen_and_names_each_failure(capsys, tmp_path):
    out = tmp_path / "r.pdf"
    code = main(["report", "DL1", "SF2", "--precision", "53", "113", "--quiet",
                 "--workers", "1", "--out", str(out)])
    lines = capsys.readouterr().out.splitlines()
    assert code == 0 and out.exists() and out.with_suffix(".json").exists()
    assert lines[0].split() == ["family", "claims", "pass", "fail"]
    assert lines[1].split() == ["DL", "1", "1", "0"] and lines[2].split() == ["SF", "1", "1", "0"]
    assert lines[-2] == "2 passed, 0 failed" and lines[-1].startswith("wrote ")


def test_report_summary_names_the_line_that_says_why_a_claim_failed():
    from flowcert.reports.cli import _summary_screen
    document = {"summary": {"claims": 3, "passed": 1, "failed": 2}, "executor": {"retried": []},
                "claims": [{"id": "A1", "family": "A", "verdict": "pass", "evidence": []},
                           {"id": "B1", "family": "B", "verdict": "fail",
                            "evidence": ["first", "error 1e-3 exceeds 1e-9"]},
                           # as EOS3: the failing criterion, then a null-model line after it
                           {"id": "B2", "family": "B", "verdict": "fail",
                            "evidence": ["(a) bound: holds", "(b) trend: NO significant increase",
                                         "null model “θ₀”: fails, as it must"]}]}
    lines = _summary_screen(document).splitlines()
    assert "FAIL B1: error 1e-3 exceeds 1e-9" in lines   # no alarm word: the last line
    assert "FAIL B2: (b) trend: NO significant increase" in lines
    assert lines[-1] == "1 passed, 2 failed"
