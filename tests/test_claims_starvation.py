"""Claims GS1–GS7 on the precision ladder, and negative controls that must fail.

Each claim runs once on (53, 113, 256) bits (module-scoped cache, ~12 s for the family);
the controls replace a theory function by a perturbed one, or the logistic loss by its
quadratic approximation, and check that the suite notices.
"""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings

from flowcert.claims import starvation as gs_claims
from flowcert.claims.base import ClaimClass
from flowcert.claims.tolerances import theory_precision
from flowcert.theory import starvation

LADDER = (53, 113, 256)
CLAIMS = {claim.id: claim for claim in gs_claims.CLAIMS}
CLAIM_IDS = ("GS1", "GS2", "GS3", "GS4", "GS5", "GS6", "GS7")


@pytest.fixture(scope="module")
def ladder_outcome(claim_outcome):
    """ladder_outcome(claim_id): the claim's Outcome on LADDER, computed once per session."""
    return lambda claim_id: claim_outcome(claim_id, LADDER)


def test_catalogue_holds_gs1_to_gs7_with_the_classes_of_theory_md():
    assert tuple(CLAIMS) == CLAIM_IDS
    asymptotic = {i for i, c in CLAIMS.items() if c.claim_class == ClaimClass.ASYMPTOTIC}
    assert asymptotic == {"GS4", "GS7"}
    assert all(CLAIMS[i].claim_class == ClaimClass.EXACT for i in set(CLAIM_IDS) - asymptotic)


@pytest.mark.parametrize("claim_id", CLAIM_IDS)
def test_claim_passes(ladder_outcome, claim_id):
    outcome = ladder_outcome(claim_id)
    assert outcome.passed, outcome.evidence


@pytest.mark.parametrize("claim_id", ["GS1", "GS2", "GS3", "GS5", "GS6"])
def test_exact_claim_is_within_budget_and_error_shrinks(ladder_outcome, claim_id):
    runs = ladder_outcome(claim_id).runs
    assert [r.precision_bits for r in runs] == list(LADDER)
    for run in runs:
        assert math.isfinite(run.max_rel_error) and run.max_rel_error <= run.tolerance
    # ε_256/ε_53 ≈ 2^-255/2.2e-16 ≈ 2e-61; a drop of 1e-40 still tells shrinking from a plateau
    assert runs[-1].max_rel_error <= 1e-40 * max(runs[0].max_rel_error, 1e-30)


@pytest.mark.parametrize("claim_id", ["GS4", "GS7"])
def test_asymptotic_rates_contain_the_predicted_slope(ladder_outcome, claim_id):
    fits = ladder_outcome(claim_id).fits
    assert fits and all(f.low <= f.predicted <= f.high for f in fits)
    assert all(f.fitted_points >= 9 for f in fits)


def test_toy_starvation_under_weight_decay_and_none_under_sd(ladder_outcome):
    """The paper's toy from the integrated θ-flows: z₂* falls as s₁ grows (weight decay) and
    does not move under Spectral Decoupling (beyond the flows' 53-bit error, 1e-10)."""
    toy = ladder_outcome("GS3").series["toy"]
    decay = toy["weight_decay"]["flow"]
    assert all(b < a for a, b in zip(decay, decay[1:], strict=False))
    assert decay[0] - decay[-1] > 0.4
    decoupled = toy["spectral_decoupling"]["flow"]
    assert max(decoupled) - min(decoupled) <= 1e-10 * max(decoupled)


# ----------------------------------------------------------------------------- controls


@pytest.mark.parametrize("s1", [3, 4, 6])
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
    ("GS3", "starvation_derivative", -1),
])
def test_perturbed_closed_form_fails_the_exact_claim(monkeypatch, claim_id, name, factor):
    """A relative perturbation above the claim's 53-bit budget (2.4e-12, 2.2e-9, 1.7e-8 and
    2.4e-11 for GS2, GS3, GS5, GS6), or a flipped sign, must fail at 53 bits already."""
    monkeypatch.setattr(starvation, name, _perturbed(getattr(starvation, name), factor))
    outcome = CLAIMS[claim_id].run((53,))
    assert not outcome.passed
    assert not outcome.runs[0].passed


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


def test_wrong_quartic_coefficient_fails_gs7(monkeypatch):
    """K·(1 + 1e-3): the relative gap stops falling below 1e-3 (t ≲ 2e-3), the slope drops."""
    monkeypatch.setattr(starvation, "onset_quartic_coefficient",
                        _perturbed(starvation.onset_quartic_coefficient, 1 + 1e-3))
    outcome = CLAIMS["GS7"].run(LADDER)
    assert not outcome.passed


def test_domains_generate_valid_parameters():
    @settings(max_examples=20)
    @given(CLAIMS["GS3"].domain())
    def check(parameters):
        assert 0 < parameters["delta"] < 1 / np.sqrt(2)
        assert abs(parameters["s1"] - parameters["s2"]) > 1e-3

    check()
