"""Claims GS1–GS7 on the precision ladder, their sharpness, and negative controls that fail.

Default run: every claim once on (53, 113) bits (session cache; GS4 and GS7 fit at their own
fixed precision); the 256-bit rung is behind ``slow`` and runs in ``flowcert check``. The
controls replace a theory function by a perturbed one (a coefficient, a power of η, a sign),
or the logistic loss by its quadratic approximation, and check that the suite notices.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings

from flowcert.claims import starvation as gs_claims
from flowcert.claims.base import ClaimClass
from flowcert.claims.builders import EXPONENT_PERTURBATION
from flowcert.claims.tolerances import theory_precision
from flowcert.reports.typst_math import to_typst
from flowcert.theory import starvation

LADDER = (53, 113)
FULL_LADDER = (53, 113, 256)
CLAIMS = {claim.id: claim for claim in gs_claims.CLAIMS}
CLAIM_IDS = ("GS1", "GS2", "GS3", "GS4", "GS5", "GS6", "GS7")
EXACT_IDS = ("GS1", "GS2", "GS3", "GS5", "GS6")


@pytest.fixture(scope="module")
def ladder_outcome(claim_outcome):
    """ladder_outcome(claim_id): the claim's Outcome on LADDER, computed once per session."""
    return lambda claim_id: claim_outcome(claim_id, LADDER)


def test_catalogue_holds_gs1_to_gs7_with_the_classes_of_theory_md():
    assert tuple(CLAIMS) == CLAIM_IDS
    asymptotic = {i for i, c in CLAIMS.items() if c.claim_class == ClaimClass.ASYMPTOTIC}
    assert asymptotic == {"GS4", "GS7"}
    assert all(CLAIMS[i].claim_class == ClaimClass.EXACT for i in EXACT_IDS)


@pytest.mark.parametrize("claim_id", CLAIM_IDS)
def test_claim_passes_and_runs_its_symbolic_identities(ladder_outcome, claim_id):
    outcome = ladder_outcome(claim_id)
    assert outcome.passed, outcome.evidence
    assert any(line.startswith(f"{claim_id} ") and "symbolic identities hold" in line
               for line in outcome.evidence)


@pytest.mark.slow
@pytest.mark.parametrize("claim_id", EXACT_IDS)
def test_exact_claim_passes_on_the_full_ladder(claim_id):
    outcome = CLAIMS[claim_id].run(FULL_LADDER)
    assert outcome.passed, outcome.evidence


@pytest.mark.parametrize("claim_id", EXACT_IDS)
def test_exact_claim_is_within_budget_and_error_shrinks(ladder_outcome, claim_id):
    runs = ladder_outcome(claim_id).runs
    assert [r.precision_bits for r in runs] == list(LADDER)
    for run in runs:
        assert math.isfinite(run.max_rel_error) and run.max_rel_error <= run.tolerance
    # ε_113/ε_53 ≈ 2^-112/2.2e-16 ≈ 1e-18; a drop of 1e-15 still tells shrinking from a plateau
    assert runs[-1].max_rel_error <= 1e-15 * max(runs[0].max_rel_error, 1e-30)


@pytest.mark.parametrize("claim_id", EXACT_IDS)
def test_perturbed_closed_form_fails_every_exact_ladder(ladder_outcome, claim_id):
    """Sharpness: the ladder re-judged with every prediction × (1 + 1e-9) fails, and every
    run records the perturbation it detects."""
    outcome = ladder_outcome(claim_id)
    assert outcome.sharpness is not None and not outcome.sharpness.perturbed_passed
    assert all(run.detects is not None and run.detects > 0 for run in outcome.runs)
    assert outcome.runs[-1].detects < 1e-9


@pytest.mark.parametrize(("claim_id", "count"), [("GS4", 1), ("GS7", 4)])
def test_asymptotic_rates_contain_their_exponent_and_reject_it_off_by_a_quarter(
        ladder_outcome, claim_id, count):
    outcome = ladder_outcome(claim_id)
    assert len(outcome.fits) == count
    for fit in outcome.fits:
        assert fit.low <= fit.predicted <= fit.high
        assert fit.resolution < EXPONENT_PERTURBATION
        assert fit.fitted_points >= 7
    assert not outcome.sharpness.perturbed_passed
    # GS7 fits the exponents themselves (t⁴, ε^{1/3}) besides the next-order gaps
    assert {f.predicted for f in outcome.fits} == ({2.0} if claim_id == "GS4"
                                                   else {4.0, 1.0, 1 / 3})


def test_toy_starvation_under_weight_decay_and_none_under_sd(ladder_outcome):
    """The paper's toy from the integrated θ-flows: z₂* falls as s₁ grows (weight decay) and
    does not move under Spectral Decoupling (beyond the flows' 53-bit error, 1e-10)."""
    toy = ladder_outcome("GS3").series["toy"]
    decay = toy["weight_decay"]["flow"]
    assert all(b < a for a, b in zip(decay, decay[1:], strict=False))
    assert decay[0] - decay[-1] > 0.4
    decoupled = toy["spectral_decoupling"]["flow"]
    assert max(decoupled) - min(decoupled) <= 1e-10 * max(decoupled)


def test_gs3_derivations_fit_a_line():
    """The pinned GS3 steps (Δ = λ² det M and the numerators over Δ) are short enough to be
    typeset on one line at ≥ 8 pt (the report shrinks longer rows to fit)."""
    rows = [d for d in starvation.DERIVATIONS if d.claim_id == "GS3"]
    assert len(rows) == 3
    assert all(len(to_typst(d.expression)) <= 160 for d in rows)
    assert any(d.expression.has(starvation._DETERMINANT) for d in rows)


# ----------------------------------------------------------------------------- controls


@pytest.mark.parametrize("s1", [3, 6])
def test_quadratic_loss_shows_no_starvation(s1):
    """Negative control. With the quadratic approximation log 2 − m/2 + m²/8 of the per-sample
    loss, λz = S²Uᵀ(1/2 − Uz/4) gives z* = (λI + S²/4)⁻¹S²Uᵀ1/2: z₂* does not depend on s₁.
    The same measurement that finds dz₂*/d(s₁²) < 0 for the logistic loss must find 0 (within
    its rounding budget) here — gradient starvation is not an artefact of the check."""
    bits = 113
    with theory_precision(bits):
        case = gs_claims._toy_case(s1)
        budget = gs_claims._fixed_point_tolerance(case, "weight_decay", bits, power=2)
        logistic = gs_claims.numeric_starvation_derivative(case, bits)
        quadratic = gs_claims.numeric_starvation_derivative(case, bits, loss="quadratic")
    assert logistic[1, 0] < -budget * abs(logistic).max()
    assert abs(quadratic[1, 0]) <= budget * abs(quadratic).max()


def _perturbed(function, factor):
    def wrong(*args, **kwargs):
        return function(*args, **kwargs) * factor
    return wrong


@pytest.mark.parametrize("claim_id, name, factor", [
    ("GS2", "dual_fixed_point", 1 + 1e-9),
    ("GS3", "starvation_derivative", 1 + 1e-7),
    ("GS5", "spectral_decoupling_fixed_point", 1 + 1e-7),
    ("GS6", "single_mode_response", 1 + 1e-8),
    ("GS6", "single_mode_curvature_clock", 1 + 1e-8),
    ("GS3", "starvation_derivative", -1),
])
def test_perturbed_closed_form_fails_the_exact_claim(monkeypatch, claim_id, name, factor):
    """A relative perturbation above the claim's 53-bit budget (2.4e-12, 2.2e-9, 1.7e-8 and
    2.4e-11 for GS2, GS3, GS5, GS6), or a flipped sign, must fail at 53 bits already."""
    monkeypatch.setattr(starvation, name, _perturbed(getattr(starvation, name), factor))
    outcome = CLAIMS[claim_id].run((53,))
    assert not outcome.passed
    assert not outcome.runs[0].passed


def test_wrong_power_of_eta_fails_gs1(monkeypatch):
    """GS1 runs at η = 0.7: ż with η² in place of η is off by 30%."""
    original = starvation.response_velocity
    monkeypatch.setattr(starvation, "response_velocity",
                        lambda z, S, U, lam, regulariser, eta=1:
                        original(z, S, U, lam, regulariser, eta**2))
    assert not CLAIMS["GS1"].run((53,)).passed


def test_wrong_power_of_eta_fails_gs5(monkeypatch):
    original = starvation.spectral_decoupling_rates
    monkeypatch.setattr(starvation, "spectral_decoupling_rates",
                        lambda S, lam, eta=1: original(S, lam, eta**2))
    outcome = CLAIMS["GS5"].run((53,))
    assert not outcome.passed and not outcome.runs[0].passed


def test_perturbed_first_order_form_fails_gs4(monkeypatch):
    """Both components × (1 + 1e-9): a gap ≈ 1e-9·W ≈ 4e-8 that does not vanish with δ swamps
    the δ² ≤ 1e-6 … 1e-14 of the fit, whose slope then leaves 2."""
    original = starvation.first_order_fixed_point
    monkeypatch.setattr(starvation, "first_order_fixed_point",
                        lambda *args: tuple(type(v)(v * (1 + mpmath.mpf("1e-9")))
                                            for v in original(*args)))
    outcome = CLAIMS["GS4"].run(LADDER)
    assert not outcome.passed
    assert not outcome.fits[0].passed


def test_gs4_floor_bound_is_checked_for_tightness(monkeypatch):
    """A first-order form that absorbs half of the O(e^{−z}) term (W − g/2 with the derived
    g = We^{−W}/(1 + W)) still satisfies the one-sided bound |z* − approx| ≤ e^{−z*}; only
    the tightness check (ratio = W/(1 + W) within e^{−W}) rejects it."""
    original = starvation.first_order_fixed_point

    def half_absorbed(s1, s2, delta, lam):
        values = original(s1, s2, delta, lam)
        return tuple(v - v * mpmath.exp(-v) / (2 * (1 + v)) for v in values)

    monkeypatch.setattr(starvation, "first_order_fixed_point", half_absorbed)
    finding = gs_claims._gs4_floor({})
    assert not finding.passed
    assert "NO" in finding.evidence[0]


def test_wrong_quartic_coefficient_fails_gs7(monkeypatch):
    """K·(1 + 1e-3): the relative gap stops falling below 1e-3 (t ≲ 2e-3), the slope drops."""
    monkeypatch.setattr(starvation, "onset_quartic_coefficient",
                        _perturbed(starvation.onset_quartic_coefficient, 1 + 1e-3))
    assert not CLAIMS["GS7"].run(LADDER).passed


def test_wrong_power_of_eta_in_the_quartic_coefficient_fails_gs7(monkeypatch):
    """GS7 runs at η = 0.6: K ∝ η⁴; with η³ the coefficient is off by 1/0.6."""
    original = starvation.onset_quartic_coefficient
    monkeypatch.setattr(starvation, "onset_quartic_coefficient",
                        lambda S, S_ref, U, eta=1, index=1:
                        original(S, S_ref, U, eta, index) / eta)
    fit = gs_claims._gs7_quartic_fit("coefficient")
    assert not fit.passed


def test_failed_symbolic_identity_fails_the_claim(monkeypatch):
    monkeypatch.setattr(starvation, "claim_checks", lambda claim_id: {"a wrong identity": False})
    outcome = CLAIMS["GS6"].run((53,))
    assert not outcome.passed
    assert any("FAILED: a wrong identity" in line for line in outcome.evidence)


def test_detectable_perturbation_agrees_with_a_real_rerun(monkeypatch, ladder_outcome):
    """GS6 at 113 bits: closed forms off by 1.01 × the computed threshold (either sign) fail
    on a real rerun; off by half of it, at least one sign still passes."""
    threshold = {r.precision_bits: r for r in ladder_outcome("GS6").runs}[113].detects
    originals = {name: getattr(starvation, name)
                 for name in ("single_mode_response", "single_mode_curvature_clock")}

    def rerun(epsilon: float) -> bool:
        for name, original in originals.items():
            monkeypatch.setattr(starvation, name, lambda *a, f=original, **k:
                                f(*a, **k) * (1 + mpmath.mpf(epsilon)))
        return CLAIMS["GS6"].run((113,)).runs[0].passed

    assert not rerun(1.01 * threshold) and not rerun(-1.01 * threshold)
    assert rerun(0.5 * threshold) or rerun(-0.5 * threshold)


def test_domains_generate_valid_parameters():
    @settings(max_examples=20)
    @given(CLAIMS["GS3"].domain())
    def check(parameters):
        assert 0 < parameters["delta"] < 1 / np.sqrt(2)
        assert abs(parameters["s1"] - parameters["s2"]) > 1e-3

    check()
