"""Claims DL1–DL7 on the precision ladder, and negative controls that must fail.

Each claim runs once on (53, 113) bits in the default run (module-scoped cache); the
256-bit rung of the two expensive claims (DL3, DL5: ~25 s each) is behind the ``slow``
marker, and `flowcert report` runs every claim on the full ladder. The negative controls
run the cheap claims again with a deliberately wrong theory.
"""

from __future__ import annotations

import math

import mpmath
import pytest

from flowcert.claims import deep_linear as dl_claims
from flowcert.claims.base import ClaimClass, PrecisionRun
from flowcert.claims.ladder import run_ladder
from flowcert.claims.registry import CLAIMS, get_claim
from flowcert.reports import cli
from flowcert.reports.runner import run_claim
from flowcert.theory import deep_linear

LADDER = (53, 113)
FULL_LADDER = (53, 113, 256)
CLAIM_IDS = ("DL1", "DL2", "DL3", "DL4", "DL5", "DL6", "DL7")
EXACT_IDS = tuple(i for i in CLAIM_IDS if CLAIMS[i].claim_class == ClaimClass.EXACT)


@pytest.fixture(scope="module")
def ladder_outcome(claim_outcome):
    """ladder_outcome(claim_id): the claim's Outcome on LADDER, computed once per session."""
    return lambda claim_id: claim_outcome(claim_id, LADDER)


def test_catalogue_holds_dl1_to_dl7_with_their_classes():
    assert tuple(CLAIMS)[:len(CLAIM_IDS)] == CLAIM_IDS
    assert [c.id for c in CLAIMS.values() if c.family == "DL"] == list(CLAIM_IDS)
    assert EXACT_IDS == ("DL1", "DL2", "DL3", "DL4", "DL5", "DL6")
    assert CLAIMS["DL7"].claim_class == ClaimClass.QUALITATIVE


@pytest.mark.parametrize("claim_id", CLAIM_IDS)
def test_claim_passes_at_canonical_parameters(ladder_outcome, claim_id):
    outcome = ladder_outcome(claim_id)
    assert outcome.claim_id == claim_id
    assert outcome.passed, outcome.evidence
    assert outcome.verdict == "pass"


@pytest.mark.slow
@pytest.mark.parametrize("claim_id", ("DL3", "DL5"))
def test_expensive_claims_pass_on_the_full_ladder(claim_id):
    outcome = get_claim(claim_id).run(FULL_LADDER)
    assert outcome.passed, outcome.evidence
    assert [r.precision_bits for r in outcome.runs] == list(FULL_LADDER)


@pytest.mark.parametrize("claim_id", EXACT_IDS)
def test_exact_claim_is_within_budget_at_every_precision_and_error_shrinks(ladder_outcome,
                                                                           claim_id):
    runs = ladder_outcome(claim_id).runs
    assert [r.precision_bits for r in runs] == list(LADDER)
    for run in runs:
        assert math.isfinite(run.max_rel_error) and math.isfinite(run.max_abs_error)
        assert run.max_rel_error <= run.tolerance
        assert run.steps is not None and run.steps > 0
    # The budgets n·ε·A of the two ends differ by ε_113/ε_53 = 2^-112/2.5e-14 ≈ 8e-21 (the
    # step counts are within a factor 10); demanding only a 1e-15 drop is ~5 orders looser
    # and still tells a shrinking error from a plateau.
    assert runs[-1].max_rel_error <= 1e-15 * runs[0].max_rel_error


@pytest.mark.parametrize("claim_id", ["DL1", "DL3"])
def test_dl1_and_dl3_reach_float64_and_113_bit_accuracy(ladder_outcome, claim_id):
    runs = {r.precision_bits: r for r in ladder_outcome(claim_id).runs}
    # 53 bits: 1e-12 = 40 × DOP853's rtol 2.5e-14. The modes' flows do not amplify relative
    # errors, so the global error is the accumulated local error, which the step-size
    # controller keeps at a small multiple of rtol (numerics.integrate records 17×rtol for
    # DL1 at rtol 1e-13).
    assert runs[53].max_rel_error <= 1e-12
    # 113 bits: the n·ε·A budget is ~35·2^-112·100 ≈ 7e-31; 1e-25 is the acceptance level
    # that proves the error left float64 territory by > 10 orders of magnitude.
    assert runs[113].max_rel_error <= 1e-25


@pytest.mark.parametrize(("claim_id", "count"), [("DL4", 2), ("DL5", 1)])
def test_rate_fits_contain_their_predicted_rate(ladder_outcome, claim_id, count):
    fits = ladder_outcome(claim_id).fits
    assert len(fits) == count
    for fit in fits:
        assert fit.low <= fit.predicted <= fit.high
        assert fit.fitted_points >= 4


def test_dl4_rate_is_checked_at_s_not_one_so_a_wrong_power_of_s_fails(monkeypatch):
    """The m → ∞ form with s^{−3} instead of s^{−2} on its log term agrees at s = 1 only."""
    def wrong_power(u0, uf, s, depth, tau=1):
        exact_inputs = any(isinstance(x, mpmath.mpf) for x in (u0, uf, s, tau))
        u0, uf, s = (mpmath.mpf(x) for x in (u0, uf, s))
        value = tau * (1 / (s * u0) - 1 / (s * uf)
                       + mpmath.log(uf * (s - u0) / (u0 * (s - uf))) / s**3) / depth
        return value if exact_inputs else float(value)

    monkeypatch.setattr(deep_linear, "chain_time_asymptotic", wrong_power)
    fits = [dl_claims._dl4_rate_fit(case) for case in dl_claims.DL4_RATE_CASES]
    assert fits[0].passed          # s = 1: the wrong power is invisible …
    assert not fits[1].passed      # … s = 2.5 exposes it


def test_dl7_orders_the_modes_by_singular_value(ladder_outcome):
    outcome = ladder_outcome("DL7")
    half_times = outcome.series["modes"]["half_times"]
    singular_values = outcome.series["modes"]["s"]
    assert singular_values == sorted(singular_values, reverse=True)
    assert half_times == sorted(half_times) and len(set(half_times)) == len(half_times)


def test_dl7_null_model_with_reversed_singular_values_fails(ladder_outcome):
    nulls = ladder_outcome("DL7").null_models
    assert [n.name for n in nulls] == ["singular values reversed"]
    assert not nulls[0].passed
    assert any("NOT ordered" in line for line in nulls[0].evidence)


@pytest.mark.parametrize("claim_id", EXACT_IDS)
def test_perturbed_closed_form_fails_every_exact_claim(ladder_outcome, claim_id):
    """Sharpness: the ladder re-judged with every prediction × (1 + 1e-9) fails."""
    outcome = ladder_outcome(claim_id)
    assert outcome.sharpness is not None and not outcome.sharpness.perturbed_passed
    assert all(run.detects is not None and run.detects > 0 for run in outcome.runs)
    assert outcome.runs[-1].detects < 1e-9


def test_detectable_perturbation_agrees_with_a_real_rerun(monkeypatch, ladder_outcome):
    """DL1 at 113 bits: a closed form off by 1.01 × the computed threshold (either sign)
    fails on a real rerun; off by half of it, at least one sign still passes."""
    threshold = {r.precision_bits: r for r in ladder_outcome("DL1").runs}[113].detects
    originals = {name: getattr(deep_linear, name)
                 for name in ("mode_strength", "half_time", "transit_time")}

    def rerun(epsilon: float) -> bool:
        for name, original in originals.items():
            monkeypatch.setattr(deep_linear, name, lambda *a, f=original, **k:
                                f(*a, **k) * (1 + mpmath.mpf(epsilon)))
        return get_claim("DL1").run((113,)).runs[0].passed

    assert not rerun(1.01 * threshold) and not rerun(-1.01 * threshold)
    assert rerun(0.5 * threshold) or rerun(-0.5 * threshold)


# ----------------------------------------------------------------------------- negative controls


def test_perturbed_dl1_closed_form_fails_the_claim_and_the_cli(monkeypatch, capsys):
    original = deep_linear.mode_strength

    def perturbed(t, s, u0, tau=1):
        return original(t, s, u0, tau) * (1 + mpmath.mpf("1e-9"))

    monkeypatch.setattr(deep_linear, "mode_strength", perturbed)
    outcome = get_claim("DL1").run(LADDER)
    assert not outcome.passed
    # A relative error of 1e-9 exceeds every rung's budget (≤ 2.5e-10 at 53 bits).
    assert all(not run.passed for run in outcome.runs)
    assert cli.main(["check", "DL1", "--quiet"]) == 1
    assert "FAIL" in capsys.readouterr().out


def wrong_exponent_chain_time(u0, uf, s, depth, tau=1):
    """The DL4 time for τu̇ = m u^(2−1/m)(s−u) (wrong exponent), by quadrature."""
    exponent = 2 - mpmath.mpf(1) / depth
    value = tau * mpmath.quad(lambda v: 1 / (v**exponent * (s - v)), [u0, uf]) / depth
    exact_inputs = any(isinstance(x, mpmath.mpf) for x in (u0, uf, s, tau))
    return value if exact_inputs else float(value)


def test_wrong_exponent_in_the_chain_ode_fails_dl4(monkeypatch):
    monkeypatch.setattr(deep_linear, "chain_time", wrong_exponent_chain_time)
    outcome = get_claim("DL4").run((53, 113))
    assert not outcome.passed
    assert all(not run.passed for run in outcome.runs)


def test_gradient_descent_breaks_conservation_at_rate_one(ladder_outcome):
    fit = dl_claims._dl5_descent_fit()
    assert fit.low <= 1.0 <= fit.high
    assert fit.low > 0.5   # the drift really grows with η, not a flat noise floor
    flow = {r.precision_bits: r for r in ladder_outcome("DL5").runs}[53]
    # The flow's drift is bounded by its error budget (tolerance × the claim's scale, the
    # max entry of W_jW_jᵀ at t = 0); every descent drift must exceed that budget, i.e. be
    # inexplicable by integration error.
    scale = flow.max_abs_error / flow.max_rel_error
    assert min(fit.y) > flow.tolerance * scale


def nan_theory(*_args, **_kwargs):
    return mpmath.nan


@pytest.mark.parametrize(("claim_id", "function"), [
    ("DL1", "mode_strength"),     # NaN everywhere on the trajectory
    ("DL1", "transit_time"),      # NaN in the event-time comparison only
    ("DL1", "half_time"),
    ("DL2", "unbalanced_time"),
    ("DL4", "chain_time"),
])
def test_nan_from_the_theory_fails_the_claim_without_crashing(monkeypatch, claim_id,
                                                              function):
    monkeypatch.setattr(deep_linear, function, nan_theory)
    outcome = run_claim(get_claim(claim_id), (53, 113))
    assert not outcome.passed
    assert outcome.verdict == "fail"


def test_nan_at_a_single_time_fails_dl1(monkeypatch):
    original = deep_linear.mode_strength

    def nan_late(t, s, u0, tau=1):
        return mpmath.nan if t > 1 else original(t, s, u0, tau)

    monkeypatch.setattr(deep_linear, "mode_strength", nan_late)
    outcome = run_claim(get_claim("DL1"), (53, 113))
    assert not outcome.passed


def test_theory_that_raises_becomes_a_failing_outcome(monkeypatch):
    def broken(*_args, **_kwargs):
        raise ZeroDivisionError("broken theory")

    monkeypatch.setattr(deep_linear, "mode_strength", broken)
    outcome = run_claim(get_claim("DL1"), (53,))
    assert not outcome.passed
    assert any("ZeroDivisionError" in line for line in outcome.evidence)


# ----------------------------------------------------------------------------- the ladder


def fake_measure(errors: dict, tolerance=1e-10):
    def measure(bits):
        return PrecisionRun(bits, errors[bits], errors[bits], tolerance, steps=10)
    return measure


def test_ladder_rejects_an_error_that_plateaus_within_tolerance():
    plateau = {53: 1e-12, 113: 1e-12, 256: 1e-12}
    runs, passed, evidence = run_ladder(fake_measure(plateau), FULL_LADDER)
    assert all(run.passed for run in runs)   # each rung is within its tolerance …
    assert not passed                        # … but the error did not shrink
    assert any("did not shrink" in line for line in evidence)


def test_ladder_rejects_an_error_that_grows_with_precision():
    growing = {53: 1e-14, 113: 1e-13, 256: 1e-12}
    assert not run_ladder(fake_measure(growing), FULL_LADDER)[1]


def test_ladder_accepts_an_error_that_shrinks():
    shrinking = {53: 1e-13, 113: 1e-31, 256: 1e-75}
    runs, passed, _ = run_ladder(fake_measure(shrinking), (256, 53, 113, 53))
    assert passed
    assert [r.precision_bits for r in runs] == [53, 113, 256]


def test_ladder_rejects_nan_and_out_of_tolerance_errors():
    assert not run_ladder(fake_measure({53: math.nan, 113: 1e-31}), (53, 113))[1]
    assert not run_ladder(fake_measure({53: 1e-13, 113: math.nan}), (53, 113))[1]
    assert not run_ladder(fake_measure({53: 1e-9, 113: 1e-31}), (53, 113))[1]
