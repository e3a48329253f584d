"""Claims EOS1–EOS4 and theory.stability.

EOS1 runs on the full ladder (about a second); EOS2 and EOS4 share one training run and its
η/4 null model (a few seconds, session-cached); EOS3 trains 8 seeds × 6 data sets (about
ten seconds) and sits behind the ``slow`` marker, as do the checkpoint-offset sweeps. The
checks of EOS2–EOS4 are also exercised on small hand-made observations, so their failure
modes are tested without training anything.
"""

from __future__ import annotations

import itertools
import json
import math

import mpmath
import numpy as np
import pytest
from hypothesis import given

from flowcert.claims import stability as eos_claims
from flowcert.claims.base import ClaimClass
from flowcert.claims.builders import PERTURBATION
from flowcert.numerics.gradient_descent import quadratic_descent
from flowcert.theory import stability

CLAIMS = {claim.id: claim for claim in eos_claims.CLAIMS}
LADDER = (53, 113, 256)


@pytest.fixture(scope="module")
def outcome(claim_outcome):
    """outcome(claim_id): the claim's Outcome on LADDER, computed once per session."""
    return lambda claim_id: claim_outcome(claim_id, LADDER)


def test_catalogue_and_classes():
    assert tuple(CLAIMS) == ("EOS1", "EOS2", "EOS3", "EOS4")
    assert CLAIMS["EOS1"].claim_class == ClaimClass.EXACT
    assert all(CLAIMS[i].claim_class == ClaimClass.QUALITATIVE for i in ("EOS2", "EOS3", "EOS4"))
    assert CLAIMS["EOS3"].provenance == "P, setting not stated in the source"
    assert all(CLAIMS[i].null_models for i in ("EOS2", "EOS3", "EOS4"))
    for claim in CLAIMS.values():
        json.dumps(claim.parameters)


# ----------------------------------------------------------------------------- EOS1


def test_theory_self_checks_hold():
    checks = stability.self_checks()
    assert len(checks) == 8 and all(checks.values()), checks


def test_iterate_norm_rejects_negative_iterations_and_mismatched_coordinates():
    with pytest.raises(ValueError, match="iteration"):
        stability.iterate_norm_squared([1.0], [1.0], 0.1, -1)
    with pytest.raises(ValueError, match="coordinate"):
        stability.iterate_norm_squared([1.0, 2.0], [1.0], 0.1, 3)


@given(parameters=CLAIMS["EOS1"].domain())
def test_convergence_criterion_matches_direct_iteration_of_diagonal_quadratics(parameters):
    """On H = diag(λ), GD multiplies coordinate i by 1 − ηλ_i (float products): after 200
    steps a factor |q| ≤ 0.9 has shrunk below 1e-9 and |q| ≥ 1.1 grown beyond 1e8."""
    eigenvalues, step = parameters["eigenvalues"], parameters["step"]
    factors = np.abs(1 - step * np.array(eigenvalues))
    if np.any(np.abs(factors - 1) < 0.1):
        return  # too close to the boundary to decide in 200 steps
    iterates = quadratic_descent(np.diag(eigenvalues), np.ones(len(eigenvalues)), step, 200)
    assert stability.converges(eigenvalues, step) == bool(np.max(np.abs(iterates[-1])) < 1e-6)


def test_eos1_passes_on_the_ladder_with_shrinking_error(outcome):
    result = outcome("EOS1")
    assert result.passed, result.evidence
    assert result.runs[-1].max_rel_error <= 1e-40 * result.runs[0].max_rel_error
    assert any("8/8 symbolic identities hold" in line for line in result.evidence)
    json.dumps(result.series)


def test_eos1_records_every_iterate_and_detects_a_perturbed_closed_form(outcome):
    """Sharpness: observed/predicted pairs recorded (4 cases × 201 iterates), the ladder
    re-judged with predictions × (1 + 1e-9) fails, and every rung detects < 1e-9."""
    result = outcome("EOS1")
    assert all(len(run.comparison) == len(eos_claims.EOS1_CASES) * (eos_claims.EOS1_STEPS + 1)
               for run in result.runs)
    assert result.sharpness is not None and not result.sharpness.perturbed_passed
    assert all(0 < run.detects < PERTURBATION for run in result.runs)


def test_eos1_detectable_perturbation_agrees_with_a_real_rerun(monkeypatch, outcome):
    """113 bits: a closed form off by 1.01 × the computed threshold (either sign) fails a
    real rerun; off by half of it, at least one sign still passes."""
    threshold = {r.precision_bits: r for r in outcome("EOS1").runs}[113].detects
    original = stability.iterate_norm_squared

    def rerun(epsilon: float) -> bool:
        monkeypatch.setattr(stability, "iterate_norm_squared",
                            lambda *a: original(*a) * (1 + mpmath.mpf(epsilon)))
        return eos_claims._measure_eos1(113, {}).passed

    assert not rerun(1.01 * threshold) and not rerun(-1.01 * threshold)
    assert rerun(0.5 * threshold) or rerun(-0.5 * threshold)


def test_eos1_fails_with_a_perturbed_contraction_factor(monkeypatch):
    def perturbed(eigenvalues, step):
        return [1 - step * v * (1 + mpmath.mpf("1e-9")) for v in eigenvalues]

    monkeypatch.setattr(stability, "contraction_factors", perturbed)
    result = CLAIMS["EOS1"].run((53, 113))
    assert not result.passed
    assert result.runs[-1].max_rel_error > result.runs[-1].tolerance


@pytest.mark.parametrize(("name", "mutant"), [
    # threshold 2 → 1.999: no long run sits between 1.999 and 2, the derivation's edge does
    ("converges", lambda values, step: all(0 < step * v < 1.999 for v in values)),
    ("converges", lambda values, step: all(step * v < 2 for v in values)),       # no 0 <
    ("converges", lambda values, step: all(0 <= step * v < 2 for v in values)),  # λ = 0
    ("diverges_along_top", lambda values, step: max(abs(1 - step * v) for v in values) >= 1),
    ("stability_threshold", lambda step: 2.0001 / step),
    ("contraction_factors", lambda values, step: [1 - 2 * step * v for v in values]),
    ("iterate_norm_squared",
     lambda values, coords, step, k: mpmath.fsum((1 - step * v) ** k * c**2
                                                 for v, c in zip(values, coords, strict=True))),
])
def test_evaluators_that_drift_from_the_derivation_fail_the_symbolic_check(monkeypatch, name,
                                                                           mutant):
    monkeypatch.setattr(stability, name, mutant)
    assert not all(stability.self_checks().values())
    assert not eos_claims._eos1_symbolic({}).passed


def test_wrong_stable_set_fails_the_long_runs(monkeypatch):
    """converges with 2 → 2.01 predicts convergence at ηλ_max = 2.004, which diverges."""
    monkeypatch.setattr(stability, "converges",
                        lambda values, step: all(0 < step * v < 2.01 for v in values))
    finding = eos_claims._eos1_classification({"quadratics": []})
    assert not finding.passed
    assert any("MISMATCH" in line for line in finding.evidence)


# ----------------------------------------------------------------------------- EOS2


def _record(step: float, sharpness, losses, every: int = 25) -> dict:
    return {"step": step, "losses": list(losses), "sharpness": list(sharpness),
            "checkpoints": list(range(0, every * len(sharpness), every))}


def test_eos2_check_reports_a_run_that_never_reaches_the_edge():
    """The former TypeError: a run whose λ_max never reaches 0.95·2/η (a tiny step)."""
    record = _record(0.01, [1.0, 1.2, 1.3], np.linspace(1, 0.5, 51))
    finding = eos_claims._check_eos2({"run": record})
    assert not finding.passed
    assert "step —" in finding.evidence[0] and "median λ_maxη/2 = —" in finding.evidence[0]


def test_eos2_passes_with_its_null_model_failing(outcome):
    result = outcome("EOS2")
    assert result.passed, result.evidence
    (null,) = result.null_models
    assert not null.passed and "step —" in null.evidence[0]
    assert set(result.series) == {"edge", "control"}


# ----------------------------------------------------------------------------- EOS3


def page_statistic_by_enumeration(values: np.ndarray) -> float:
    """P(L' ≥ L) by enumerating every combination of within-block orders (small cases)."""
    blocks, count = values.shape
    weights = np.arange(1, count + 1)
    observed = sum(weights @ np.argsort(np.argsort(row)) + weights.sum() for row in values)
    orders = list(itertools.permutations(weights))
    hits = sum(sum(weights @ np.array(order) for order in choice) >= observed
               for choice in itertools.product(orders, repeat=blocks))
    return hits / len(orders) ** blocks


def test_page_trend_test_is_exact():
    rng = np.random.default_rng(3)
    for shape in ((2, 4), (3, 3), (2, 5)):
        values = rng.standard_normal(shape)
        assert eos_claims.page_trend_test(values)[1] == pytest.approx(
            page_statistic_by_enumeration(values), rel=1e-12)
    ordered = np.tile(np.arange(6.0), (8, 1))
    assert eos_claims.page_trend_test(ordered)[1] == pytest.approx(720.0**-8, rel=1e-9)
    statistic, p_value = eos_claims.page_trend_test(np.ones((8, 6)))
    assert statistic == 8 * 3.5 * 21 and 0.4 < p_value < 0.6


def _eos3_observation(ratio: np.ndarray, bound: float = 0.4, gap: float = 1e-15) -> dict:
    initial = np.full_like(ratio, 2.0)
    return {"sizes": list(eos_claims.EOS3_SIZES), "trained": ratio * initial,
            "initial": initial, "bound_ratio": np.full_like(ratio, bound),
            "repeated_gap": np.full_like(ratio, gap), "losses": np.full_like(ratio, 1e-4)}


def test_eos3_check_detects_a_growing_ratio_and_rejects_the_rest():
    """Positive control: r_N ∝ N^0.3 with 20% noise in every seed passes; r ≡ 1, a weak
    trend (N^0.05: Page's p ≈ 1e-2, far above 1e-6), a violated bound or a bound that is not
    attained on repeated data fail."""
    sizes = np.array(eos_claims.EOS3_SIZES, dtype=float)
    noise = np.exp(0.2 * np.random.default_rng(5).standard_normal((8, len(sizes))))
    growing = 0.05 * sizes**0.3 * noise
    assert eos_claims._check_eos3(_eos3_observation(growing)).passed
    assert not eos_claims._check_eos3(_eos3_observation(np.ones_like(growing))).passed
    weak = 0.05 * sizes**0.05 * noise
    assert 1e-6 < eos_claims.page_trend_test(np.log(weak))[1] < 0.05
    assert not eos_claims._check_eos3(_eos3_observation(weak)).passed
    assert not eos_claims._check_eos3(_eos3_observation(growing, bound=1 + 1e-9)).passed
    assert not eos_claims._check_eos3(_eos3_observation(growing, gap=1e-6)).passed


@pytest.mark.slow
def test_eos3_fails_as_a_finding_with_the_bound_holding(outcome):
    """The audit's finding, reproduced: r_N does not grow with N (Page's test far from
    significant), the bound (a) holds and is tight; the θ₀ null model fails too."""
    result = outcome("EOS3")
    assert not result.passed
    data = result.series["nearby"]
    assert data["sizes"] == list(eos_claims.EOS3_SIZES)
    assert np.array(data["ratio"]).shape == (eos_claims.EOS3_SEEDS, len(eos_claims.EOS3_SIZES))
    assert data["p_value"] > 1e-3
    assert any("(a)" in line and "holds" in line and "(ok)" in line for line in result.evidence)
    (null,) = result.null_models
    assert not null.passed


# ----------------------------------------------------------------------------- EOS4


def _eos4_rows(top: np.ndarray, fraction: float = 0.999) -> dict:
    rows = [{"eigenvalues": [10.0, 9.9, 1.5], "fraction": fraction, "top_decrease": 0.0,
             "rest_decrease": 1e-5, "top_efficiency": float(value), "rest_efficiency": 0.99}
            for value in top]
    return {"run": {"step": 0.2, "checkpoints": list(range(100, 100 + 5 * len(rows), 5)),
                    "rows": rows}}


def test_eos4_check_on_hand_made_checkpoints():
    """Efficiency of the P_k step ≈ 0 ± 0.05 passes; ≈ 0.68 (the η/4 run) fails, as do an
    efficiency just below 0.1·e_rest that the batch means cannot tell from it, a gradient
    outside P_k and too few checkpoints for the batch means."""
    noise = 0.05 * np.random.default_rng(1).standard_normal(160)
    assert eos_claims._check_eos4(_eos4_rows(noise)).passed
    assert not eos_claims._check_eos4(_eos4_rows(0.099 - noise.mean() - 0.001 + noise)).passed
    assert not eos_claims._check_eos4(_eos4_rows(0.68 + noise)).passed
    assert not eos_claims._check_eos4(_eos4_rows(noise, fraction=3e-9)).passed
    assert not eos_claims._check_eos4(_eos4_rows(noise[:20])).passed


def test_eos4_passes_with_its_null_model_failing_both_criteria(outcome):
    result = outcome("EOS4")
    assert result.passed, result.evidence
    (null,) = result.null_models
    assert not null.passed
    assert sum("NO" in line for line in null.evidence) == 2
    edge, control = result.series["edge"], result.series["control"]
    assert edge["checkpoints"] == control["checkpoints"]
    assert len(edge["checkpoints"]) >= 2 * eos_claims.EOS4_BATCHES


@pytest.mark.slow
@pytest.mark.parametrize("offset", [1, 2, 3, 4])
def test_eos4_verdict_does_not_depend_on_the_checkpoint_offset(monkeypatch, offset):
    """The audit's objection to the former criterion 2: its sign flipped between checkpoint
    grids. Shifting the grid by 1…4 steps keeps both verdicts."""
    window = eos_claims._eos4_window()
    monkeypatch.setattr(eos_claims, "_eos4_window", lambda: [k + offset for k in window])
    monkeypatch.setattr(eos_claims, "_subspace_record", eos_claims._subspace_record.__wrapped__)
    assert eos_claims._check_eos4(eos_claims._observe_eos4()).passed
    assert not eos_claims._check_eos4(eos_claims._observe_eos4(
        eos_claims.EOS_CONTROL_DIVISOR)).passed


def test_eos_step_puts_the_initial_sharpness_at_two_thirds_of_the_threshold():
    ratio = eos_claims._initial_sharpness() * eos_claims.eos_step() / 2
    assert math.isclose(ratio, 1 / eos_claims.EOS_THRESHOLD_OVER_INITIAL, rel_tol=1e-12)
