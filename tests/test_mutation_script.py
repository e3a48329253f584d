"""The mutation script's own machinery (benchmarks/mutants.py, benchmarks/mutation.py):
enumeration, stable ids, seeded sampling, restoration and the equivalent-list filter.
No claim runs here."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import mutants  # noqa: E402
import mutation  # noqa: E402

SOURCE = '''import sympy as sp
from sympy import S


def f(x, y, *args, **kwargs):
    """Docstring 2 + 3 < 4."""
    # comment 5 * 6
    if x < y and y >= 0:
        return min(x, y) ** 2 + -x * 3.5 / y
    return max(x, y) ** y - sp.Rational(1, 2) + S.Half


DERIVATIONS = (_pinned(7),)


def _pinned(k):
    return k * 8
'''


def _by_operator(found: list[mutants.Mutant]) -> dict[str, list[tuple[str, str]]]:
    table: dict[str, list[tuple[str, str]]] = {}
    for m in found:
        table.setdefault(m.operator, []).append(m.diff(SOURCE))
    return table


@pytest.fixture(scope="module")
def found() -> list[mutants.Mutant]:
    return mutants.enumerate_mutants(SOURCE, "theory/toy.py")


@pytest.mark.parametrize(("operator", "before", "after"), [
    ("int_inc", "min(x, y) ** 2 +", "min(x, y) ** 3 +"),
    ("float_scale", "-x * 3.5 / y", "-x * 3.5035 / y"),
    ("plus_minus", "** 2 + -x", "** 2 - -x"),
    ("minus_plus", "** y - sp", "** y + sp"),
    ("mul_div", "-x * 3.5", "-x / 3.5"),
    ("div_mul", "3.5 / y", "3.5 * y"),
    ("pow_exp", "max(x, y) ** y", "max(x, y) ** (y + 1)"),
    ("neg_drop", "+ -x *", "+ x *"),
    ("neg_add", "3.5 / y", "3.5 / -y"),
    ("lt_le", "if x < y", "if x <= y"),
    ("lt_gt", "if x < y", "if x > y"),
    ("ge_gt", "y >= 0", "y > 0"),
    ("ge_le", "y >= 0", "y <= 0"),
    ("and_or", "x < y and y", "x < y or y"),
    ("min_max", "return min(x, y)", "return max(x, y)"),
    ("rational_num", "Rational(1, 2)", "Rational(2, 2)"),
    ("rational_den", "Rational(1, 2)", "Rational(1, 3)"),
    ("sympy_singleton", "+ S.Half", "+ Rational(1, 3)"),
])
def test_each_operator_changes_the_expected_token(found, operator, before, after):
    pairs = _by_operator(found)[operator]
    assert any(before in old and after in new and old.replace(before, after) == new
               for old, new in pairs), pairs


def test_mutants_compile_change_the_text_and_skip_strings_comments_and_stars(found):
    texts = {m.apply(SOURCE) for m in found}
    assert len(texts) == len(found) and SOURCE not in texts
    for text in texts:
        compile(text, "toy.py", "exec")
    assert not [m for m in found if m.line in (5, 6, 7)]  # *args/**kwargs, docstring, comment
    assert not [m for m in found if m.operator == "pow_exp" and m.original == "2"]


def test_ids_are_stable_and_unique(found):
    again = mutants.enumerate_mutants(SOURCE, "theory/toy.py")
    assert [m.id for m in again] == [m.id for m in found]
    assert len({m.id for m in found}) == len(found)
    first = next(m for m in found if m.operator == "lt_le")
    assert first.id == "theory/toy.py:8:9:lt_le"


def test_lines_filter(found):
    on_nine = mutants.enumerate_mutants(SOURCE, "theory/toy.py", lines=[9])
    assert on_nine == [m for m in found if m.line == 9]


def test_apply_refuses_a_stale_span(found):
    with pytest.raises(ValueError, match="expected"):
        found[0].apply(SOURCE.replace("x < y", "x == y"))


def test_golden_only_lines_cover_derivations_and_their_private_helpers():
    assert mutants.golden_only_lines(SOURCE) == {13, 16, 17}


def test_seeded_sampling_is_reproducible_and_proportional():
    pool = [mutants.Mutant("theory/toy.py", line, 0, line, 1, "int_inc", "1", "2")
            for line in range(1, 43)]
    groups = {"A": pool[:30], "B": pool[30:40], "C": pool[40:]}
    weights = {"A": 6, "B": 2, "C": 4}
    first = mutants.sample_mutants(groups, weights, 12, seed=1)
    assert first == mutants.sample_mutants(groups, weights, 12, seed=1)
    assert first != mutants.sample_mutants(groups, weights, 12, seed=2)
    quota = {name: sum(m in group for m in first) for name, group in groups.items()}
    assert quota == {"A": 8, "B": 2, "C": 2}  # C capped at its 2, its excess to A and B
    assert len(mutants.sample_mutants(groups, weights, 500, seed=1)) == 42


def test_file_is_restored_after_a_failure_and_an_interrupt(tmp_path, found):
    file = tmp_path / "toy.py"
    file.write_text(SOURCE)
    before = file.stat().st_mtime_ns
    same = lambda path, original: path.read_bytes() == original  # noqa: E731
    for error in (RuntimeError("claim crashed"), KeyboardInterrupt()):
        with pytest.raises(type(error)), mutants.mutated(file, found[0], same, 1_000_000_001):
            assert file.read_text() == found[0].apply(SOURCE)
            assert file.stat().st_mtime_ns == 1_000_000_001 * 10**9
            raise error
        assert file.read_text() == SOURCE and file.stat().st_mtime_ns == before
    with pytest.raises(RuntimeError, match="could not be restored"), \
            mutants.mutated(file, found[0], lambda *_: False, 1_000_000_002):
        pass


def test_equivalent_list_is_subtracted_from_the_denominator(tmp_path):
    listed = tmp_path / "equivalent.json"
    listed.write_text(json.dumps({"theory/toy.py:9:4:neg_add": "x*1 is x"}))
    equivalent = mutants.load_equivalent(listed)
    records = [{"id": "theory/toy.py:9:4:neg_add", "family": "DL", "status": "equivalent"},
               {"id": "theory/toy.py:9:6:int_inc", "family": "DL", "status": "killed"},
               {"id": "theory/toy.py:9:8:lt_le", "family": "DL", "status": "timeout"},
               {"id": "theory/toy.py:9:9:lt_gt", "family": "DL", "status": "survived"}]
    row = mutation.summarise(records, equivalent)["DL"]
    assert row == {"mutants": 4, "killed": 2, "timeouts": 1, "crashes": 0, "survived": 1,
                   "equivalent": 1, "kill_rate": round(2 / 3, 4)}
    to_run, skipped = mutants.split_equivalent(
        [mutants.Mutant("theory/toy.py", 9, col, 9, col, op, "", "-")
         for col, op in ((4, "neg_add"), (6, "neg_add"))], equivalent)
    assert [m.col for m in to_run] == [6] and [m.col for m in skipped] == [4]
    listed.write_text(json.dumps({"theory/toy.py:1:0:int_inc": ""}))
    with pytest.raises(ValueError, match="non-empty reason"):
        mutants.load_equivalent(listed)


def test_catalogue_maps_every_builtin_claim_and_theory_module():
    catalogue = mutation.Catalogue.load()
    from flowcert.claims.registry import builtin_index
    assert set(catalogue.claims) == set(builtin_index())
    assert catalogue.family_of("theory/deep_linear.py") == "DL"
    assert catalogue.family_of("theory/evaluation.py") == mutation.SHARED


def test_wanted_ids_reads_the_survivors_of_a_results_file(tmp_path):
    results = tmp_path / "results.json"
    results.write_text(json.dumps({"mutants": [
        {"id": "theory/toy.py:9:4:neg_add", "status": "survived"},
        {"id": "theory/toy.py:9:6:int_inc", "status": "killed"}]}))
    assert mutation._wanted_ids([str(results), "theory/toy.py:1:0:int_inc"]) == {
        "theory/toy.py:9:4:neg_add", "theory/toy.py:1:0:int_inc"}
