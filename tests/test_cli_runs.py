"""The installed `flowcert` command as a user meets it, in real processes: error paths are one
line with exit 2 before any claim runs, broken pipes are quiet, and SIGINT / SIGTERM to the
main process end the run and every worker within seconds, leaving the previous report pair.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

FLOWCERT = shutil.which("flowcert") or str(Path(sys.executable).with_name("flowcert"))


def _run(*args: str, cwd: Path | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([FLOWCERT, *args], capture_output=True, text=True, cwd=cwd,
                          timeout=timeout, check=False)


def _one_error_line(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("flowcert: error:")
    return lines[0]


def test_version_prints_one_line_and_exits_0():
    result = _run("--version")
    assert result.returncode == 0
    assert result.stdout.strip().startswith("flowcert ") and result.stderr == ""


@pytest.mark.parametrize("document", [
    {"schema": "flowcert-results/1"},
    {"schema": "flowcert-results/1", "claims": [{"id": "DL1", "runs": []}]},
    {"schema": "flowcert-results/1", "claims": [{"id": "DL1", "verdict": "pass",
                                                  "runs": [{"precision_bits": 53}]}]},
])
def test_diff_of_a_malformed_results_file_is_a_usage_error(tmp_path, document):
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    _one_error_line(_run("diff", str(path), str(path)))


def test_report_to_an_unwritable_place_fails_before_any_claim_runs(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    for out in ("/proc/flowcert-report.pdf", str(blocker / "report.pdf")):
        result = _run("report", "DL1", "--out", out)
        line = _one_error_line(result)
        assert "cannot write" in line
        assert "running" not in result.stderr     # no claim was started


def test_workers_zero_is_refused_before_anything_is_printed():
    line = _one_error_line(_run("check", "DL1", "--workers", "0"))
    assert "--workers" in line


def test_a_closed_pipe_is_quiet():
    with subprocess.Popen([FLOWCERT, "list"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE) as process:
        process.stdout.readline()
        process.stdout.close()        # like `| head -1`
        stderr = process.stderr.read().decode()
        process.wait(timeout=60)
    assert "Traceback" not in stderr and "BrokenPipe" not in stderr


@pytest.mark.e2e
def test_results_record_the_worker_count_actually_used(tmp_path):
    result = _run("check", "DL7", "SS2", "--precision", "53", "--json", "--quiet",
                  "--workers", "2", timeout=300)
    assert json.loads(result.stdout)["executor"]["workers"] == 2


def _children(pid: int) -> set[int]:
    """Processes whose parent is ``pid`` (read from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                status = (entry / "status").read_text()
            except OSError:
                continue
            if f"\nPPid:\t{pid}\n" in status:
                found.add(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in state


@pytest.mark.e2e
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find worker processes")
@pytest.mark.parametrize(("signum", "phase"), [(signal.SIGINT, "running"),
                                               (signal.SIGTERM, "report: drawing")])
def test_a_signal_to_the_main_process_ends_the_run_and_its_workers(tmp_path, signum, phase):
    out = tmp_path / "r.pdf"
    out.write_bytes(b"previous pdf")
    out.with_suffix(".json").write_bytes(b"previous json")
    process = subprocess.Popen([FLOWCERT, "report", "DL1", "DL2", "DL7", "--precision", "53",
                                "--workers", "2", "--out", str(out)],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    seen = []
    try:
        while not any(line.startswith(phase) for line in seen):
            line = process.stderr.readline()
            assert line, f"the run ended before {phase!r}: {''.join(seen)}"
            seen.append(line)
        deadline = time.monotonic() + 60
        while not _children(process.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        workers = _children(process.pid)
        assert workers, "no worker process was started"
        process.send_signal(signum)
        started = time.monotonic()
        code = process.wait(timeout=10)
        stderr = process.stderr.read()
    finally:
        if process.poll() is None:
            process.kill()
    assert time.monotonic() - started < 10
    assert code == 128 + signum
    assert "Traceback" not in stderr, stderr
    assert stderr.strip().splitlines()[-1].startswith("flowcert: stopped by")
    deadline = time.monotonic() + 5
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in workers), "a worker process outlived the run"
    assert out.read_bytes() == b"previous pdf"
    assert out.with_suffix(".json").read_bytes() == b"previous json"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.json", "r.pdf"]  # no temp files
