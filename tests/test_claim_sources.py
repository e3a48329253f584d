"""Claims from outside the catalogue: files, modules and entry points arrive through one
discovery path; every problem with a source is one line and exit 2 before anything runs; the
README tutorial (examples/one_neuron.py) works through the CLI, the report, golden values and
the pytest plugin, on the default process pool."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from flowcert.claims import registry
from flowcert.claims.registry import ClaimSourceError, Registry, Source

FLOWCERT = shutil.which("flowcert") or str(Path(sys.executable).with_name("flowcert"))
TUTORIAL = Path(__file__).resolve().parents[1] / "examples" / "one_neuron.py"


def _flowcert(*args: str, cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([FLOWCERT, *args], capture_output=True, text=True, cwd=cwd,
                          timeout=timeout, check=False)


def _perturbed_tutorial(folder: Path) -> Path:
    """The tutorial with its closed form multiplied by 1 + 1e-9."""
    text = TUTORIAL.read_text()
    exact = "(w0 - optimum) * sp.exp(-curvature * t)}"
    assert exact in text
    wrong = folder / "wrong.py"
    wrong.write_text(text.replace(exact, "(w0 - optimum) * sp.exp(-curvature * t)"
                                         " * (1 + sp.Rational(1, 10**9))}"))
    return wrong


BROKEN_SOURCES = {
    "raises on import": ("raise RuntimeError('broken on purpose')\n", "raised on import"),
    "defines no claim": ("X = 1\n", "defines no claim"),
    "duplicate id": ("from flowcert.claims.deep_linear import CLAIMS\n", "duplicate claim id"),
    "not a claim": ("CLAIMS = [1]\n", "is not a Claim"),
    "missing a part": ("from flowcert import Finding, qualitative_claim\n"
                       "CLAIMS = [qualitative_claim(id='MY9', title='t', provenance='D',\n"
                       "    source='s', statement='x', theory='t', experiment='e',\n"
                       "    comparison='c', parameters={}, observe=lambda: 1,\n"
                       "    check=lambda v: Finding(True), null_models=())]\n", "null model"),
}


@pytest.mark.parametrize("name", list(BROKEN_SOURCES))
def test_a_broken_claim_source_is_one_line_and_exit_2(tmp_path, name):
    text, message = BROKEN_SOURCES[name]
    (tmp_path / "mine.py").write_text(text)
    result = _flowcert("check", "--claims", "mine.py", cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert message in result.stderr and result.stdout == ""


def test_a_missing_file_or_module_is_one_line_and_exit_2(tmp_path):
    for spec in ("absent.py", "no_such_package.claims"):
        result = _flowcert("list", "--claims", spec, cwd=tmp_path)
        assert result.returncode == 2 and result.stderr.count("\n") == 1, result.stderr


def test_module_sources_and_entry_points_use_the_same_path(tmp_path, monkeypatch):
    shutil.copy(TUTORIAL, tmp_path / "tutorial_claims.py")
    monkeypatch.syspath_prepend(str(tmp_path))
    by_module = Registry((Source.parse("tutorial_claims"),), entry_points=False)
    assert by_module.get("one1").id == "ONE1" and "ONE1" in by_module.ids()
    monkeypatch.setattr(registry, "entry_point_sources",
                        lambda: (Source("tutorial_claims"),))
    assert Registry().get("ONE1").title == by_module.get("ONE1").title
    with pytest.raises(ClaimSourceError, match="duplicate claim id ONE1"):
        Registry((Source.parse(str(TUTORIAL)),))


@pytest.mark.e2e
def test_tutorial_is_checked_on_the_default_workers_and_a_wrong_closed_form_fails(tmp_path):
    listed = _flowcert("list", "--claims", str(TUTORIAL), cwd=tmp_path)
    assert listed.stdout.splitlines()[-1].startswith("ONE1")
    good = _flowcert("check", "--claims", str(TUTORIAL), "ONE1", "--precision", "53", "113",
                     cwd=tmp_path)
    assert good.returncode == 0, good.stdout + good.stderr
    assert "local worker" in good.stderr and "ONE1 PASS" in good.stderr
    wrong = _flowcert("check", "--claims", str(_perturbed_tutorial(tmp_path)), "--precision",
                      "53", "113", cwd=tmp_path)
    assert wrong.returncode == 1
    assert "error did not shrink with precision" in wrong.stdout


@pytest.mark.e2e
def test_tutorial_report_and_golden_values(tmp_path):
    out = tmp_path / "r.pdf"
    report = _flowcert("report", "--claims", str(TUTORIAL), "--precision", "53", "113",
                       "--quiet", "--out", str(out), cwd=tmp_path)
    assert report.returncode == 0, report.stderr
    from pypdf import PdfReader
    text = "".join(page.extract_text() for page in PdfReader(out).pages)
    assert "ONE1" in text and "A linear neuron relaxes exponentially" in text
    golden = tmp_path / "golden.json"
    pinned = _flowcert("golden", "--claims", str(TUTORIAL), "--file", str(golden),
                       "--regenerate", cwd=tmp_path)
    assert pinned.returncode == 0 and golden.exists(), pinned.stderr
    assert _flowcert("golden", "--claims", str(TUTORIAL), "--file", str(golden),
                     cwd=tmp_path).returncode == 0
    changed = _flowcert("golden", "--claims", str(_perturbed_tutorial(tmp_path)), "--file",
                        str(golden), cwd=tmp_path)
    assert changed.returncode == 1 and "ONE1: w(t)" in changed.stdout


@pytest.mark.e2e
def test_tutorial_through_the_pytest_plugin(tmp_path):
    def run(claims: Path) -> subprocess.CompletedProcess:
        test = tmp_path / "test_user.py"
        test.write_text("from flowcert.testing import assert_claim\n\n"
                        "def test_claim():\n"
                        f"    assert_claim('ONE1', claims={str(claims)!r})\n")
        return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                               "-o", "addopts=", str(test)], capture_output=True, text=True,
                              cwd=tmp_path, timeout=600, check=False)
    assert run(TUTORIAL).returncode == 0
    failing = run(_perturbed_tutorial(tmp_path))
    assert failing.returncode == 1
    assert "claim ONE1 fails" in failing.stdout and "did not shrink" in failing.stdout
