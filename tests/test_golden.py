"""Golden values of derivations: the pinned file matches, and a perturbed derivation is caught."""

import dataclasses
import json

import sympy as sp

from flowcert.reports.golden import GOLDEN_PATH, compare_golden, regenerate_golden
from flowcert.theory import deep_linear


def test_every_derivation_matches_its_pinned_values():
    assert compare_golden(GOLDEN_PATH) == []


def test_a_derivation_perturbed_in_the_30th_digit_is_caught(monkeypatch):
    first, *rest = deep_linear.DERIVATIONS
    nudged = dataclasses.replace(first, expression=first.expression
                                 * (1 + sp.Rational(1, 10**30)))
    monkeypatch.setattr(deep_linear, "DERIVATIONS", (nudged, *rest))
    problems = compare_golden(GOLDEN_PATH)
    assert len(problems) == len(first.points)
    assert all(first.name in problem for problem in problems)


def test_unpinned_and_removed_derivations_are_reported(tmp_path, monkeypatch):
    path = tmp_path / "golden.json"
    regenerate_golden(path)
    stored = json.loads(path.read_text())
    stored["a derivation that no longer exists"] = stored.popitem()[1]
    path.write_text(json.dumps(stored))
    problems = compare_golden(path)
    assert any("no longer derived" in p for p in problems)
    assert any("not pinned" in p for p in problems)


def test_missing_golden_file_is_a_difference(tmp_path):
    assert "no golden file" in compare_golden(tmp_path / "absent.json")[0]
