"""Claims GC1–GC4 and theory.confusion: verdicts at a fixed seed, perturbed closed forms,
mutated expressions and null models that must fail.

GC1, GC2 and GC3 run once per session on (53, 113) bits (``claim_outcome``); GC4 runs in a
reduced configuration (width 16, counter-example at width 128) by default and in full behind
the ``slow`` marker.
"""

from __future__ import annotations

import json

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings

from flowcert.claims import confusion as gc_claims
from flowcert.claims import statistics
from flowcert.claims.base import ClaimClass
from flowcert.claims.builders import Finding, NullModel
from flowcert.claims.comparison import Comparison
from flowcert.numerics.gradient_descent import sgd_expected_loss, sgd_least_squares
from flowcert.numerics.least_squares_sgd import confusion_on_ball
from flowcert.theory import confusion

CLAIMS = {claim.id: claim for claim in gc_claims.CLAIMS}
LADDER = (53, 113)
FIXED_SEED = 777


@pytest.fixture(autouse=True)
def fixed_seed(monkeypatch):
    monkeypatch.setenv(statistics.SEED_VARIABLE, str(FIXED_SEED))


@pytest.fixture
def outcome(claim_outcome, fixed_seed):
    return lambda claim_id: claim_outcome(claim_id, LADDER)


@pytest.fixture
def mutated(monkeypatch):
    """mutated(name, expression): the theory module's expression replaced in memory, every
    compiled evaluator rebuilt from it (the cached symbolic self-checks still say True, so
    the numerics must catch the change)."""
    caches = (confusion._evaluators, confusion._curve, confusion._sphere_moment_evaluator,
              confusion._beta_moment_evaluator)

    def clear():
        for cache in caches:
            cache.cache_clear()

    # Computed (and cached, in memory and on disk) before any mutation, never after.
    assert all(confusion.self_checks().values())

    def mutate(name: str, expression: sp.Expr) -> None:
        monkeypatch.setattr(confusion, name, expression)
        clear()

    yield mutate
    monkeypatch.undo()
    clear()


def test_catalogue_and_theory_self_checks():
    assert tuple(CLAIMS) == ("GC1", "GC2", "GC3", "GC4")
    assert {c.family for c in CLAIMS.values()} == {"GC"}
    assert [CLAIMS[i].claim_class for i in CLAIMS] == [
        ClaimClass.STATISTICAL, ClaimClass.STATISTICAL, ClaimClass.QUALITATIVE,
        ClaimClass.QUALITATIVE]
    assert all(confusion.self_checks().values())
    for claim in CLAIMS.values():
        json.dumps(claim.parameters)
        assert claim.null_models


def _toy_two_part(exact_error: float, null_passes: bool):
    """A two-part claim on toy parts: one EXACT pair off by ``exact_error`` (budget 1e-12),
    and a statistical part whose null model passes when ``null_passes``."""
    def measure(bits, _series):
        comparison = Comparison(bits)
        comparison.add(1.0 + exact_error, 1.0)
        return comparison.run(1e-12)

    declaration = dict(id="ZZ1", family="ZZ", title="toy", provenance="D", source="toy",
                       statement="x", theory="toy", experiment="toy", comparison="toy",
                       parameters={})
    return gc_claims._two_part_claim(
        declaration, measure=measure, exact_checks=(), exact_nulls=(),
        observe=lambda: True, check=lambda ok: Finding(bool(ok), ["toy check"]),
        nulls=(NullModel("toy null", "toy", lambda: null_passes),))


@pytest.mark.parametrize(("exact_error", "null_passes", "passed"), [
    (0.0, False, True), (1e-6, False, False), (0.0, True, False)])
def test_two_part_claim_needs_both_parts_and_no_vacuous_null(exact_error, null_passes,
                                                             passed):
    result = _toy_two_part(exact_error, null_passes).run((53, 113))
    assert result.passed is passed
    assert len(result.runs) == 2 and result.sharpness is not None
    assert [n.name for n in result.null_models] == ["toy null"]


# ----------------------------------------------------------------------------- GC1, GC2 ladders


@pytest.mark.parametrize("claim_id", ["GC1", "GC2"])
def test_exact_parts_pass_shrink_and_reject_a_1e9_perturbation(outcome, claim_id):
    result = outcome(claim_id)
    assert result.passed, [line for line in result.evidence if "NO" in line
                           or "VIOLATED" in line or "EXCEEDED" in line]
    runs = result.runs
    assert [r.precision_bits for r in runs] == list(LADDER)
    assert all(r.max_rel_error <= r.tolerance for r in runs)
    # The budgets are c·u(bits); u(113)/u(53) = 2^-60 ≈ 9e-19. Demanding a drop by 1e-15
    # separates a shrinking error from a plateau with three orders to spare.
    assert runs[-1].max_rel_error <= 1e-15 * runs[0].max_rel_error
    assert not result.sharpness.perturbed_passed
    assert runs[0].detects < 1e-12 and runs[-1].detects < 1e-30
    assert all(not null.passed for null in result.null_models)
    json.dumps(result.series)


def test_gc1_detectable_perturbation_agrees_with_a_real_rerun(monkeypatch, outcome):
    """GC1 at 113 bits: every closed form off by 1.01 × the computed threshold (either sign)
    fails a real rerun; off by half of it, at least one sign still passes."""
    threshold = {r.precision_bits: r for r in outcome("GC1").runs}[113].detects
    originals = {name: getattr(confusion, name) for name in
                 ("sphere_moment", "beta_moment", "inner_product_second_moment")}

    def rerun(epsilon: float) -> bool:
        for name, original in originals.items():
            monkeypatch.setattr(confusion, name, lambda *a, f=original:
                                f(*a) * (1 + mpmath.mpf(epsilon)))
        return gc_claims._measure_gc1(113, {}).passed

    assert not rerun(1.01 * threshold) and not rerun(-1.01 * threshold)
    assert rerun(0.5 * threshold) or rerun(-0.5 * threshold)


def test_gc1_rejects_the_wrong_beta_law(mutated, monkeypatch):
    """Beta(d/2, d/2) in place of Beta((d−1)/2, (d−1)/2): the quadrature ladder and the KS
    tests at small d both fail (two dimensions keep the rerun cheap)."""
    monkeypatch.setattr(gc_claims, "GC1_DIMENSIONS", (3, 10))
    mutated("BETA_PARAMETER", confusion.d / 2)
    result = CLAIMS["GC1"].run((53,))
    assert not result.passed
    assert not result.runs[0].passed
    assert any(line.startswith("d = 3: (1+⟨x,y⟩)/2") and "VIOLATED" in line
               for line in result.evidence)


def test_gc1_null_models_fail_for_the_stated_reasons(outcome):
    nulls = {n.name: n for n in outcome("GC1").null_models}
    gaussian = nulls["Gaussian vectors, not normalised"]
    assert any("E⟨x,y⟩²" in line and "VIOLATED" in line for line in gaussian.evidence)
    cube = nulls["cube vertices"]
    # E⟨x,y⟩² = 1/d holds exactly for cube vertices: only the Beta-law test rejects them.
    assert all("VIOLATED" not in line for line in cube.evidence if "E⟨x,y⟩²" in line)
    assert any("Beta" in line and "VIOLATED" in line for line in cube.evidence)


# ----------------------------------------------------------------------------- GC2


@pytest.mark.parametrize(("name", "replacement", "symptom"), [
    ("RATE", 1 - (2 * confusion.mu / confusion.n)
     * (confusion.alpha - confusion.n * confusion.lipschitz * confusion.alpha**2 / 3),
     "ρ in (0, 1) in every tight case: NO"),
    ("BOUND_IN_RATE", confusion.rho**confusion.T * confusion.gap0
     + confusion.alpha * confusion.confusion * (1 - confusion.rho),
     "exact E F(w_T) ≤ bound at every T ≤ 400: NO"),
    ("BOUND_IN_RATE", confusion.rho**(-confusion.T) * confusion.gap0
     + confusion.alpha * confusion.confusion / (1 - confusion.rho),
     "EXCEEDED"),
])
def test_gc2_rejects_the_audited_mutations(mutated, name, replacement, symptom):
    """The three mutations an audit found passing a one-way check: ρ with NLα²/3, the floor
    αη(1 − ρ), and ρ^(−T). The tight one-sample instance (exact equality), the floor
    instance and the ladder catch them even with the symbolic self-checks cached as True."""
    mutated(name, replacement)
    result = CLAIMS["GC2"].run((53,))
    assert not result.passed
    assert any(symptom in line for line in result.evidence)


def test_gc2_rejects_a_wrong_first_order_constant(mutated):
    """2μ/N² in place of 2μ/N makes ρ looser (and leaves N = 1 unchanged), which no one-way
    bound can see: the first-order contraction of the orthogonal rows (exact) does."""
    alpha = confusion.alpha
    rate = 1 - (2 * confusion.mu / confusion.n**2) * (
        alpha - confusion.n * confusion.lipschitz * alpha**2 / 2)
    mutated("RATE", rate)
    mutated("RATE_SLOPE", -sp.diff(rate, alpha).subs(alpha, 0))
    result = CLAIMS["GC2"].run((53,))
    assert not result.passed and not result.runs[0].passed


def test_gc2_tight_instance_attains_the_bound_and_the_floor_is_used(outcome):
    result = outcome("GC2")
    for case in result.series["tight"]:
        assert np.allclose(case["losses"], case["bounds"], rtol=1e-12, atol=0)
    for entry in result.series["first_order"]:
        assert entry["observed"] == pytest.approx(entry["predicted"], rel=1e-14)
    floor = [run for run in result.series["runs"] if run["label"].startswith("N = d = 2")]
    for run in floor:
        expected, bound = np.array(run["expected"]), np.array(run["bound"])
        # Well after ρ^T has decayed the bound is mostly floor, and E F is a sizeable part
        # of it: a floor smaller by a factor (1 − ρ)² (the audited mutation) cannot hold.
        assert np.max(expected[50:] / bound[50:]) > 0.1
    contractions = result.series["contractions"]
    assert all(c["kappa"] <= c["rho"] for c in contractions)
    # At α = 0.1·2/(NL) the first-order term dominates: ρ is within 10 % of κ.
    assert max((1 - c["rho"]) / (1 - c["kappa"]) for c in contractions) > 0.9


def test_gc2_null_models(outcome):
    nulls = {n.name: n for n in outcome("GC2").null_models}
    assert set(nulls) == {"a wrong contraction factor", "no confusion floor",
                          "ρ from the largest row norm"}
    assert all(not n.passed for n in nulls.values())
    assert any("angle" in line and ": NO" in line for line in nulls["no confusion floor"].evidence)
    assert any("orthogonal rows" in line and ": NO" in line
               for line in nulls["ρ from the largest row norm"].evidence)


@settings(max_examples=10, derandomize=True)
@given(parameters=CLAIMS["GC2"].domain())
def test_exact_sgd_expectation_matches_simulation_and_respects_the_bound(parameters):
    rng = np.random.default_rng(parameters["seed"])
    samples, dimension = parameters["samples"], parameters["dimension"]
    features = rng.standard_normal((samples, dimension))
    solution = rng.standard_normal(dimension)
    start = solution + rng.standard_normal(dimension)
    norms = np.sum(features**2, axis=1)
    step = parameters["step_fraction"] * 2 / (samples * norms.max())
    expected = sgd_expected_loss(features, solution, start, step, 50)
    simulated = sgd_least_squares(features, features @ solution, start, step, 50, 4000, rng)
    check = statistics.mean_check("E F(w_50)", simulated[:, 50], float(expected[50]))
    assert check.passed, check.sentence()
    level = confusion_on_ball(features, float(np.linalg.norm(start - solution)))
    rate = confusion.confusion_rate(norms.min(), norms.max(), samples, step)
    bounds = confusion.confusion_bound_curve(50, expected[0], step, level, rate)
    assert np.all(expected <= bounds * (1 + 1e-12))
    assert bounds[7] == pytest.approx(confusion.confusion_bound(7, expected[0], step, level,
                                                                rate), rel=1e-14)


# ----------------------------------------------------------------------------- GC3


def test_gc3_width_ordering_in_both_settings(outcome):
    result = outcome("GC3")
    assert result.passed, result.evidence
    assert set(result.series) == set(gc_claims.NETWORK_SETTINGS)
    narrow, wide = (str(w) for w in (gc_claims.GC3_WIDTHS[0], gc_claims.GC3_WIDTHS[-1]))
    for setting, entry in result.series.items():
        assert np.median(entry["widths"][wide]) > np.median(entry["widths"][narrow]), setting
    assert [n.passed for n in result.null_models] == [False, False]


def test_gc3_check_fails_when_width_is_reversed():
    """The check reads the labels it is given: the measured samples with the width labels
    reversed must fail (the ordering is real, not an artefact of the test)."""
    samples = gc_claims._gc3_samples(statistics.base_seed())
    reversed_labels = {setting: dict(zip(groups, list(groups.values())[::-1], strict=True))
                       for setting, groups in samples.items()}
    assert not gc_claims._check_gc3(reversed_labels).passed


# ----------------------------------------------------------------------------- GC4


@pytest.fixture
def small_gc4(monkeypatch):
    """GC4 at width 16 (depths 1, 4, 16) with the counter-example at width 128, depth 16:
    the same checks on a configuration ~20× cheaper (the full one runs under ``slow``)."""
    monkeypatch.setattr(gc_claims, "GC4_WIDTHS", (16,))
    monkeypatch.setattr(gc_claims, "GC4_FINDING_WIDTH", 128)
    monkeypatch.setattr(gc_claims, "GC4_FINDING_DEPTHS", (1, 16))
    gc_claims._gc4_samples.cache_clear()
    yield CLAIMS["GC4"]
    gc_claims._gc4_samples.cache_clear()


def test_gc4_verdict_falls_with_depth_and_reports_the_counter_example(small_gc4):
    result = small_gc4.run((53,))
    assert result.passed, result.evidence
    assert [n.passed for n in result.null_models] == [False, False]
    verdict_lines = [line for line in result.evidence if "must be ≤" in line]
    assert len(verdict_lines) == 2 and all(": yes" in line for line in verdict_lines)
    finding = result.series["finding"]
    assert np.median(finding["output × 1"]["16"]) > np.median(finding["output × 1"]["1"])
    assert np.median(finding["output × 0.01"]["16"]) < np.median(finding["output × 0.01"]["1"])
    assert all("not judged" in line for line in result.evidence if "finding" in line)


def test_gc4_verdict_does_not_depend_on_the_counter_example(small_gc4):
    observation = gc_claims._gc4_samples(statistics.base_seed())
    with_finding = gc_claims._check_gc4(observation)
    without = gc_claims._check_gc4({"verdict": observation["verdict"]})
    assert with_finding.passed == without.passed
    flipped = {"verdict": observation["verdict"],
               "finding": {scale: dict(zip(groups, list(groups.values())[::-1], strict=True))
                           for scale, groups in observation["finding"].items()}}
    assert gc_claims._check_gc4(flipped).passed == without.passed


@pytest.mark.slow
def test_gc4_full_configuration_passes_with_the_audited_counter_example():
    """Width 32 and 64 (depth w/4 → w), and ReLU/He at width 512, depth 1 → 32: the minimum
    cosine rises (−0.75 → −0.45 in the audit) and falls with the output × 0.01."""
    gc_claims._gc4_samples.cache_clear()
    result = CLAIMS["GC4"].run((53,))
    assert result.passed, result.evidence
    finding = result.series["finding"]
    assert np.median(finding["output × 1"]["32"]) > -0.6 > np.median(finding["output × 1"]["1"])
    assert np.median(finding["output × 0.01"]["32"]) < -0.9
