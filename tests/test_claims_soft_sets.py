"""Claims SS1–SS6: each passes at its canonical parameters, and negative controls (a wrong
theory substituted at call time) make them fail."""

from __future__ import annotations

import json
import math

import matplotlib.pyplot as plt
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flowcert.claims import soft_sets as ss_claims
from flowcert.claims.base import ClaimClass
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
    assert CLAIMS["SS5"].claim_class == ClaimClass.STATISTICAL
    assert CLAIMS["SS6"].claim_class == ClaimClass.QUALITATIVE


@pytest.mark.parametrize("claim_id", tuple(c for c in CLAIMS if c != "SS6"))
def test_claim_passes_and_its_results_are_json(outcome, claim_id):
    result = outcome(claim_id)
    assert result.claim_id == claim_id
    assert result.passed, result.evidence
    json.dumps(result.to_json())
    json.dumps(result.series)


@pytest.mark.parametrize("claim_id", EXACT_IDS)
def test_exact_claim_within_budget_and_error_shrinks(outcome, claim_id):
    runs = outcome(claim_id).runs
    assert [r.precision_bits for r in runs] == list(LADDER)
    assert all(r.passed for r in runs)
    assert runs[-1].max_rel_error < runs[0].max_rel_error or runs[0].max_rel_error == 0


def test_ss1_gap_tends_to_a_quarter_of_tau_m_not_zero(outcome):
    limit = outcome("SS1").series["limit"]
    gaps, deltas = np.asarray(limit["gap"]), np.asarray(limit["delta"])
    tau_m = min(limit["tau"], 1 - limit["tau"])
    assert limit["tau_m_over_4"] == pytest.approx(tau_m / 4)
    assert np.all(np.diff(gaps) < 0)  # decreasing as δ decreases …
    assert gaps[-1] - tau_m / 4 == pytest.approx(deltas[-1] / 2, rel=1e-5)  # … to τ_m/4 > 0


def test_ss4_bound_is_attained_by_the_tight_case_and_rate_is_one(outcome):
    result = outcome("SS4")
    ratios = result.series["bound_ratio"].values()
    assert all(1 - 1e-6 < ratio <= 1 for ratio in ratios)
    (fit,) = result.fits
    assert fit.predicted == 1 and fit.low <= 1 <= fit.high


def test_ss5_monte_carlo_checks_use_the_stated_false_alarm_rate(outcome):
    result = outcome("SS5")
    data = result.series["sd"]
    # two-sided, 1e-6 split over 9 mean checks and 2 slope checks
    assert data["z_bound"] == pytest.approx(5.3, abs=0.1)
    assert all(abs(z) <= data["z_bound"] for z in data["z_scores"])
    assert all(fit.low <= -0.5 <= fit.high for fit in result.fits)
    assert all(fit.high - fit.low < 0.1 for fit in result.fits)  # informative, not vacuous


def test_ss6_fails_because_the_ordering_holds_on_only_some_draws(outcome):
    """A finding: soft-F1 training beats cross-entropy in hard F1 on some draws of the setup
    (the first one, 2022, among them) and loses on others, so the general ordering fails.
    This test fails if a change makes the ordering hold on every draw (then SS6 passes and
    this finding must be revisited) or on none."""
    result = outcome("SS6")
    finals = result.series["finals"]
    holds = [seed for seed, f in finals.items() if f["soft F1"] >= f["cross-entropy"]]
    assert len(finals) == len(ss_claims.SS6_SEEDS) == 8
    assert 0 < len(holds) < len(finals) and not result.passed
    assert str(ss_claims.SS6_SETUP["seed"]) in holds
    assert f"on {len(holds)} of 8 draws" in result.evidence[-1]
    json.dumps(result.to_json())
    json.dumps(result.series)


def test_ss6_soft_f1_gradient_with_theorys_h_matches_central_differences():
    features, labels = ss_claims._blobs(ss_claims.SS6_SETUP["seed"])
    loss = ss_claims._ss6_losses(features, labels)["soft F1"]
    params = np.array([0.8, 0.6, -1.0])
    step = 1e-6
    gradient = loss(params)[1]
    for i in range(3):
        up, down = params.copy(), params.copy()
        up[i] += step
        down[i] -= step
        difference = (loss(up)[0] - loss(down)[0]) / (2 * step)
        # a kink crossed inside ±step changes the quotient by ≤ (jump in H′)·step·|x|/n per
        # crossing; rounding ≈ n·ε/step ≈ 1e-7: 1e-5 covers both with a margin
        assert difference == pytest.approx(gradient[i], abs=1e-5)


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
    assert "WRONG" in result.evidence[-1]


def test_negative_control_ss4_halved_bound_fails(monkeypatch):
    original = soft_sets.band_error_bounds
    _wrong(monkeypatch, "band_error_bounds",
           lambda labels, delta: tuple(b / 2 for b in original(labels, delta)))
    assert not CLAIMS["SS4"].run((53,)).passed


def test_negative_control_ss5_biased_soft_tp_fails(monkeypatch):
    original = soft_sets.soft_counts
    _wrong(monkeypatch, "soft_counts",
           lambda *a: original(*a)._replace(tp=original(*a).tp * 1.01))
    assert not CLAIMS["SS5"].run((53,)).passed


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
