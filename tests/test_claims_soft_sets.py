"""Claims SS1–SS6: each passes at its canonical parameters; the perturbation test, null
models, seeds, and negative controls (a wrong theory substituted at call time) make them
fail."""

from __future__ import annotations

import json
import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from flowcert.claims import soft_sets as ss_claims
from flowcert.claims.base import ClaimClass
from flowcert.claims.builders import PERTURBATION
from flowcert.claims.statistics import SEED_VARIABLE
from flowcert.numerics import soft_sets as counting
from flowcert.numerics.precision import unit_roundoff
from flowcert.reports import soft_sets_figures
from flowcert.theory import soft_sets

LADDER = (53, 113, 256)
CLAIMS = {claim.id: claim for claim in ss_claims.CLAIMS}
EXACT_IDS = ("SS1", "SS2", "SS3", "SS4")


@pytest.fixture(scope="module")
def outcome(claim_outcome):
    """outcome(claim_id): the claim's Outcome on LADDER, computed once per session."""
    return lambda claim_id: claim_outcome(claim_id, LADDER)


def test_catalogue_holds_ss1_to_ss6_with_their_classes():
    assert tuple(CLAIMS) == ("SS1", "SS2", "SS3", "SS4", "SS5", "SS6")
    assert tuple(i for i, c in CLAIMS.items() if c.claim_class == ClaimClass.EXACT) == EXACT_IDS
    assert CLAIMS["SS5"].claim_class == CLAIMS["SS6"].claim_class == ClaimClass.STATISTICAL
    assert CLAIMS["SS5"].null_models and CLAIMS["SS6"].null_models


@pytest.mark.parametrize("claim_id", tuple(CLAIMS))
def test_claim_passes_and_its_results_are_json(outcome, claim_id):
    result = outcome(claim_id)
    assert result.claim_id == claim_id
    assert result.passed, result.evidence
    json.dumps(result.to_json())
    json.dumps(result.series)


@pytest.mark.parametrize("claim_id", EXACT_IDS)
def test_exact_claim_within_budget_error_shrinks_and_perturbation_fails(outcome, claim_id):
    result = outcome(claim_id)
    runs = result.runs
    assert [r.precision_bits for r in runs] == list(LADDER)
    for run in runs:  # tolerance u: every error within its own budget
        assert run.passed and run.tolerance == unit_roundoff(run.precision_bits)
    assert runs[-1].max_rel_error < runs[0].max_rel_error or runs[0].max_rel_error == 0
    assert not result.sharpness.perturbed_passed
    # at 113 and 256 bits every claim resolves 1e-9 (SS3's 53-bit central differences
    # cannot: their truncation budget is ~1e-6 relative)
    assert all(run.detects < PERTURBATION for run in runs[1:])


def test_ss1_gap_tends_to_a_quarter_of_tau_m_not_zero(outcome):
    limit = outcome("SS1").series["limit"]
    gaps, deltas = np.asarray(limit["gap"]), np.asarray(limit["delta"])
    tau_m = min(limit["tau"], 1 - limit["tau"])
    assert limit["tau_m_over_4"] == pytest.approx(tau_m / 4)
    assert np.all(np.diff(gaps) < 0)  # decreasing as δ decreases …
    assert gaps[-1] - tau_m / 4 == pytest.approx(deltas[-1] / 2, rel=1e-5)  # … to τ_m/4 > 0


def test_ss4_bounds_hold_and_rate_is_one(outcome):
    result = outcome("SS4")
    for entries in result.series["bounds"].values():
        assert all(gap <= bound + slack for gap, bound, slack in entries)
    (fit,) = result.fits
    assert fit.predicted == 1 and fit.low <= 1 <= fit.high


def test_ss5_monte_carlo_checks_use_the_stated_false_alarm_rate(outcome):
    result = outcome("SS5")
    data = result.series["sd"]
    # two-sided, 1e-6 split over 9 mean checks and 2 slope checks
    assert data["z_bound"] == pytest.approx(stats.norm.isf(1e-6 / 22))
    assert all(abs(z) <= data["z_bound"] for z in data["z_scores"])
    assert all(fit.low <= -0.5 <= fit.high for fit in result.fits)
    assert all(fit.high - fit.low < 0.1 for fit in result.fits)  # informative, not vacuous


def test_ss5_null_models_fail_each_for_its_own_reason(outcome):
    nulls = {null.name: null for null in outcome("SS5").null_models}
    wrong = nulls["Bernoulli(p) predictions"]
    assert not wrong.passed and "OUTSIDE the bound" in wrong.evidence[0]
    shared = nulls["predictions shared by the copies"]
    assert not shared.passed and "all within" in shared.evidence[0]  # E[TP] still right …
    assert any("NOT contained" in line for line in shared.evidence[1:])  # … no concentration


def test_ss5_and_ss6_draws_follow_the_base_seed(monkeypatch):
    monkeypatch.setenv(SEED_VARIABLE, "11")
    first = ss_claims._ss5_base()[1], ss_claims._blobs("train")[0][0]
    monkeypatch.setenv(SEED_VARIABLE, "22")
    second = ss_claims._ss5_base()[1], ss_claims._blobs("train")[0][0]
    assert not np.array_equal(first[0], second[0])
    assert not np.array_equal(first[1], second[1])


def test_ss6_paired_test_reports_gap_error_and_win_fraction(outcome):
    result = outcome("SS6")
    held = result.series["held_out"]
    gaps = np.asarray(held["a"]) - np.asarray(held["b"])
    draws = ss_claims.SS6_SETUP["draws"]
    assert gaps.size == draws >= 30
    standard_error = np.std(gaps, ddof=1) / math.sqrt(draws)
    critical = stats.t.isf(1e-6, draws - 1)
    assert np.mean(gaps) / standard_error > critical
    assert f"mean gap {np.mean(gaps):+.4f}, standard error {standard_error:.4f}" \
        in result.evidence[0]
    assert f"on {int(np.sum(gaps > 0))} of {draws} draws" in result.evidence[1]
    (null,) = result.null_models
    assert not null.passed and "NO evidence" in null.evidence[0]


def test_ss6_check_fails_when_the_gap_is_zero_on_average():
    rng = np.random.default_rng(5)
    noise = 0.03 * rng.standard_normal(60)
    assert not ss_claims._check_ss6({"names": ("a", "b"), "a": noise, "b": 0 * noise,
                                     "curves": {}}).passed
    assert ss_claims._check_ss6({"names": ("a", "b"), "a": noise + 0.04, "b": 0 * noise,
                                 "curves": {}}).passed


def test_ss6_memberships_are_theorys_h_and_slope():
    memberships = ss_claims._ss6_memberships()
    scores = np.random.default_rng(3).random(500)
    values, slopes = memberships(scores)
    for k, tau in enumerate(ss_claims.SS6_THRESHOLDS):
        delta = ss_claims.SS6_SETUP["delta"]
        np.testing.assert_allclose(values[k], soft_sets.heaviside_approx(scores, tau, delta),
                                   rtol=0, atol=1e-14)
        np.testing.assert_allclose(slopes[k], soft_sets.heaviside_slope(scores, tau, delta),
                                   rtol=1e-12)


def test_ss6_soft_f1_gradient_with_theorys_h_matches_central_differences():
    features, labels = counting.imbalanced_blobs(40, 360, 2.0, np.random.default_rng(1), 2)
    loss = counting.soft_f1_loss(features, labels, ss_claims._ss6_memberships())
    params = np.array([[0.8, 0.6, -1.0], [0.3, 1.1, -2.0]])
    step = 1e-6
    gradient = loss(params)[1]
    for i in range(3):
        up, down = params.copy(), params.copy()
        up[:, i] += step
        down[:, i] -= step
        difference = (loss(up)[0] - loss(down)[0]) / (2 * step)
        # a kink crossed inside ±step changes the quotient by ≤ (jump in H′)·step·|x|/n per
        # crossing; rounding ≈ n·ε/step ≈ 1e-7: 1e-5 covers both with a margin
        np.testing.assert_allclose(difference, gradient[:, i], rtol=0, atol=1e-5)


@pytest.mark.parametrize("claim_id", tuple(soft_sets_figures.OVERLAYS))
def test_overlay_figures_draw(outcome, claim_id):
    figure = soft_sets_figures.OVERLAYS[claim_id](outcome(claim_id))
    assert figure is not None
    plt.close(figure)


# ----------------------------------------------------------------------------- negative controls


def _wrong(monkeypatch, name, replacement):
    monkeypatch.setattr(soft_sets, name, replacement)


def test_negative_control_ss1_perturbed_h_fails(monkeypatch):
    original = soft_sets.heaviside_approx
    _wrong(monkeypatch, "heaviside_approx",
           lambda p, tau=0.5, delta=0.2: original(p, tau, delta) * (1 + 1e-9))
    assert not CLAIMS["SS1"].run((53,)).passed


def test_negative_control_ss1_wrong_gap_fails(monkeypatch):
    original = soft_sets.l1_gap
    _wrong(monkeypatch, "l1_gap", lambda tau, delta: original(tau, delta) + delta / 100)
    result = CLAIMS["SS1"].run((53, 113))
    assert not result.passed
    assert "EXCEEDED" in " ".join(result.evidence)


def test_negative_control_ss2_perturbed_closed_form_fails(monkeypatch):
    original = soft_sets.soft_f1
    _wrong(monkeypatch, "soft_f1", lambda *a: original(*a) * (1 + 1e-9))
    assert not CLAIMS["SS2"].run((53, 113)).passed


def test_negative_control_ss3_flipped_sign_fails(monkeypatch):
    original = soft_sets.soft_f1_gradient
    _wrong(monkeypatch, "soft_f1_gradient", lambda *a: -original(*a))
    result = CLAIMS["SS3"].run((53,))
    assert not result.passed
    assert any("WRONG" in line for line in result.evidence)


def test_negative_control_ss4_halved_bound_fails(monkeypatch):
    original = soft_sets.band_error_bounds
    _wrong(monkeypatch, "band_error_bounds",
           lambda labels, delta: tuple(b / 2 for b in original(labels, delta)))
    assert not CLAIMS["SS4"].run((53,)).passed


def test_negative_control_ss4_doubled_bound_fails_the_tightness_comparison(monkeypatch):
    """A looser bound passes the one-sided check; the attained value catches it."""
    original = soft_sets.band_error_bounds
    _wrong(monkeypatch, "band_error_bounds",
           lambda labels, delta: tuple(2 * b for b in original(labels, delta)))
    result = CLAIMS["SS4"].run((53,))
    assert not result.passed and "EXCEEDED" in result.evidence[0]


def test_negative_control_ss5_biased_soft_tp_fails(monkeypatch):
    original = soft_sets.soft_counts
    _wrong(monkeypatch, "soft_counts",
           lambda *a: original(*a)._replace(tp=original(*a).tp * 1.01))
    assert not ss_claims._check_ss5(ss_claims._observe_ss5()).passed


# ----------------------------------------------------------------------------- domains


@settings(max_examples=10)
@given(data=st.data())
def test_domains_generate_valid_parameters(data):
    heaviside = data.draw(CLAIMS["SS1"].domain())
    assert 0 < heaviside["tau"] < 1 and 0 < heaviside["delta"] < 0.5
    soft_sets.heaviside_approx(0.5, heaviside["tau"], heaviside["delta"])
    sample = data.draw(CLAIMS["SS2"].domain())
    assert len(sample["scores"]) == len(sample["labels"]) >= 1
    counts = soft_sets.soft_counts(np.array(sample["scores"]), np.array(sample["labels"]),
                                   sample["tau"], sample["delta"])
    assert math.isclose(counts.tp + counts.fn, sum(sample["labels"]), abs_tol=1e-9)
    assert 0 <= data.draw(CLAIMS["SS6"].domain())["seed"] < 2**32


@pytest.mark.slow
def test_ss6_batched_integration_moves_held_out_f1_far_less_than_the_test_resolves():
    """Single-draw flows at rtol 1e-7 against the claim's batched flows at rtol 1e-4: the
    t-test resolves mean gaps ≳ 5·SE ≈ 0.02; integration must stay an order below (2e-3)."""
    runs = ss_claims._ss6_runs(ss_claims.base_seed())
    (features, labels), test = runs["train"], runs["test"]
    memberships = ss_claims._ss6_memberships()
    for draw in range(3):
        one = slice(draw, draw + 1)
        for name in ("soft F1", "cross-entropy"):
            loss = (counting.soft_f1_loss(features[one], labels[one], memberships)
                    if name == "soft F1" else
                    counting.cross_entropy_loss(features[one], labels[one]))
            fine = counting.train_by_gradient_flow(loss, np.zeros((1, 3)), ss_claims.SS6_TIMES,
                                                   rtol=1e-7, atol=1e-10).params[-1]
            coarse = runs[name].params[-1][one]
            f1 = [ss_claims._hard_f1(p, test[0][one], test[1][one])[0] for p in (fine, coarse)]
            assert abs(f1[0] - f1[1]) <= 2e-3
