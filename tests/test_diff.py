"""flowcert diff: verdict changes and grown errors are flagged, identical runs are clean."""

import copy
import json

import pytest

from flowcert.reports.cli import main
from flowcert.reports.diff import diff_results, load_results
from flowcert.reports.results import SCHEMA


def _document(error=1e-30, verdict="pass"):
    return {"schema": SCHEMA, "claims": [
        {"id": "DL1", "verdict": verdict, "runs": [
            {"precision_bits": 113, "max_rel_error": error, "tolerance": 1e-28}]}]}


def test_identical_results_have_no_regression():
    assert diff_results(_document(), _document()) == []


def test_verdict_change_is_flagged():
    assert diff_results(_document(), _document(verdict="fail")) == ["DL1: verdict pass → fail"]


@pytest.mark.parametrize("growth, flagged", [(9.9, False), (10.1, True)])
def test_error_growth_threshold(growth, flagged):
    lines = diff_results(_document(1e-30), _document(1e-30 * growth), factor=10)
    assert bool(lines) is flagged


def test_missing_claim_is_flagged():
    new = copy.deepcopy(_document())
    new["claims"] = []
    assert diff_results(_document(), new) == ["DL1: missing from the new results"]


def test_cli_exit_codes(tmp_path, capsys):
    old, new, other = tmp_path / "old.json", tmp_path / "new.json", tmp_path / "x.json"
    old.write_text(json.dumps(_document()))
    new.write_text(json.dumps(_document(1e-20)))
    other.write_text(json.dumps({"schema": "something-else"}))
    assert main(["diff", str(old), str(old)]) == 0
    assert main(["diff", str(old), str(new)]) == 1
    assert "×1e+10" in capsys.readouterr().out
    assert main(["diff", str(old), str(other)]) == 2
    assert main(["diff", str(old), str(tmp_path / "absent.json")]) == 2


def test_load_rejects_non_json(tmp_path):
    path = tmp_path / "bad.json"
    path.write_text("{not json")
    with pytest.raises(ValueError, match="not JSON"):
        load_results(path)


def test_results_files_get_the_permissions_of_an_ordinary_file(tmp_path):
    import os

    from flowcert.reports.results import write_atomically
    path = tmp_path / "out.json"
    previous = os.umask(0o022)
    try:
        write_atomically(path, b"{}")
    finally:
        os.umask(previous)
    assert path.read_bytes() == b"{}"
    assert path.stat().st_mode & 0o777 == 0o644
