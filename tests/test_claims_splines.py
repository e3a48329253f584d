"""Claims SP1–SP6: verdicts, statements, overlays, and negative controls (a wrong ζ, a wrong
linearised-flow formula, a wrong rate must be reported as failing)."""

from __future__ import annotations

import json

import matplotlib.pyplot as plt
import mpmath
import pytest

import flowcert.claims.splines as sp_claims
from flowcert.claims.base import ClaimClass
from flowcert.reports.splines_figures import OVERLAYS
from flowcert.theory import splines

CLAIMS = {claim.id: claim for claim in sp_claims.CLAIMS}
FAST_LADDER = (53, 113)


@pytest.fixture(scope="module")
def outcomes(claim_outcome) -> dict:
    return {claim_id: claim_outcome(claim_id, FAST_LADDER) for claim_id in CLAIMS}


@pytest.mark.parametrize("claim_id", list(CLAIMS))
def test_claim_passes(outcomes, claim_id: str):
    outcome = outcomes[claim_id]
    assert outcome.passed, outcome.evidence
    if CLAIMS[claim_id].claim_class == ClaimClass.EXACT:
        assert [run.precision_bits for run in outcome.runs] == list(FAST_LADDER)
        assert outcome.runs[-1].max_rel_error < 1e-6 * outcome.runs[0].max_rel_error


@pytest.mark.parametrize("claim_id", list(CLAIMS))
def test_series_are_json_and_overlays_render(outcomes, claim_id: str):
    outcome = outcomes[claim_id]
    json.dumps(outcome.series)
    json.dumps(outcome.to_json())
    figure = OVERLAYS[claim_id](outcome)
    assert figure is not None
    plt.close(figure)


def test_sp4_reports_slope_and_interval(outcomes):
    fit = outcomes["SP4"].fits[0]
    assert fit.low <= -0.5 <= fit.high
    assert max(fit.x) / min(fit.x) >= 1e3
    assert any("99% interval" in line for line in outcomes["SP4"].evidence)


def test_claims_are_registered_in_catalogue_order():
    from flowcert.claims.registry import CLAIMS as REGISTRY
    ids = list(REGISTRY)
    assert [i for i in ids if i.startswith("SP")] == [f"SP{k}" for k in range(1, 7)]


# ----------------------------------------------------------------------------- negative controls


def test_wrong_penalty_exponent_fails_sp1(monkeypatch):
    """ζ with |W|² in place of |W|³: the quadrature ladder of SP1 must fail."""
    original = splines.penalty_evaluator

    def squared(init, **params):
        wrong = splines.penalty_from_density(splines.density(init), power=2) if \
            init == "gaussian" else None
        if wrong is None:
            return original(init, **params)
        values = {splines.sigma_w: params["sigma_w"], splines.sigma_b: params["sigma_b"]}
        compiled = splines.sp.lambdify(splines.x, wrong.subs(values), "mpmath")
        return lambda value: mpmath.mpf(compiled(mpmath.mpf(value)))

    monkeypatch.setattr(splines, "penalty_evaluator", squared)
    assert not sp_claims._measure_sp1(53, {}).passed


def test_sp2_negative_control_is_detected(outcomes):
    assert any("(detected)" in line for line in outcomes["SP2"].evidence)


def test_wrong_linearised_flow_fails_sp6(monkeypatch):
    original = splines.linearised_flow
    monkeypatch.setattr(splines, "linearised_flow",
                        lambda k_eval, k_data, residual, rate_time: original(
                            k_eval, k_data, residual, rate_time * (1 + mpmath.mpf("1e-6"))))
    outcome = CLAIMS["SP6"].run(FAST_LADDER)
    assert not outcome.passed


def test_sp4_interval_excludes_wrong_rates(outcomes):
    """The measured sweep refitted with predicted slopes −1 and −1/4 must not pass."""
    fit = outcomes["SP4"].fits[0]
    for wrong in (-1.0, -0.25):
        assert not sp_claims.fit_rate("wrong", "n", fit.x, fit.y, wrong, "infinity").passed


@pytest.mark.slow
@pytest.mark.parametrize("claim_id", ["SP1", "SP2", "SP3", "SP6"])
def test_exact_claims_pass_the_full_ladder(claim_id: str):
    assert CLAIMS[claim_id].run((53, 113, 256)).passed


@pytest.mark.slow
def test_sp4_rate_over_four_decades_and_more_seeds(monkeypatch):
    monkeypatch.setattr(sp_claims, "SP4_WIDTHS",
                        tuple(int(round(10 ** (k / 2))) // 2 * 2 for k in range(4, 13)))
    monkeypatch.setattr(sp_claims, "SP4_SEEDS", 24)
    outcome = CLAIMS["SP4"].run(())
    assert outcome.passed, outcome.evidence
