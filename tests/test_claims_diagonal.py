"""Claims KR1–KR6: verdicts, negative controls, and properties of the flow's limit over
random (X, β*, α, D)."""

from __future__ import annotations

import json

import matplotlib.pyplot as plt
import mpmath
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

import flowcert.claims.diagonal as kr
from flowcert.claims.base import ClaimClass
from flowcert.claims.tolerances import trajectory_tolerance
from flowcert.numerics.diagonal import DiagonalNetwork, random_instance, train_to_interpolation
from flowcert.reports.diagonal_figures import OVERLAYS
from flowcert.theory import diagonal

CLAIMS = {claim.id: claim for claim in kr.CLAIMS}
#: KR4 fits slopes over six decades of α with 113-bit flows (≈ 25 s): slow marker.
FAST_IDS = ("KR1", "KR2", "KR3", "KR5", "KR6")
FAST_LADDER = (53, 113)


@pytest.fixture(scope="module")
def outcomes(claim_outcome) -> dict:
    return {claim_id: claim_outcome(claim_id, FAST_LADDER) for claim_id in FAST_IDS}


@pytest.mark.parametrize("claim_id", FAST_IDS)
def test_claim_passes(outcomes, claim_id: str):
    outcome = outcomes[claim_id]
    assert outcome.passed, outcome.evidence
    if CLAIMS[claim_id].claim_class == ClaimClass.EXACT:
        assert [run.precision_bits for run in outcome.runs] == list(FAST_LADDER)
        assert outcome.runs[-1].max_rel_error < 1e-6 * outcome.runs[0].max_rel_error


@pytest.mark.parametrize("claim_id", FAST_IDS)
def test_series_are_json_and_overlays_render(outcomes, claim_id: str):
    outcome = outcomes[claim_id]
    json.dumps(outcome.series)
    json.dumps(outcome.to_json())
    figure = OVERLAYS[claim_id](outcome)
    assert figure is not None
    plt.close(figure)


@pytest.mark.slow
def test_kr4_passes_with_the_predicted_kernel_rates():
    outcome = CLAIMS["KR4"].run(FAST_LADDER)
    assert outcome.passed, outcome.evidence
    kernel = [fit for fit in outcome.fits if "X⁺y" in fit.name]
    assert len(kernel) == 5 and all(fit.passed for fit in kernel)
    plt.close(OVERLAYS["KR4"](outcome))


@pytest.mark.slow
@pytest.mark.parametrize("claim_id", ["KR1", "KR2", "KR3", "KR6"])
def test_exact_claims_pass_the_full_ladder(claim_id: str):
    outcome = CLAIMS[claim_id].run((53, 113, 256))
    assert outcome.passed, outcome.evidence


# ----------------------------------------------------------------------------- negative controls


def _q_with_a_wrong_constant(original):
    """q₂ with arcsinh(z/2) replaced by arcsinh(z/2.000002); other depths unchanged."""
    def wrong(value, depth=2):
        if depth != 2:
            return original(value, depth)
        z = mpmath.mpf(value)
        result = 2 - mpmath.sqrt(4 + z**2) + z * mpmath.asinh(z / mpmath.mpf("2.000002"))
        return result if isinstance(value, mpmath.mpf) else float(result)
    return wrong


def test_a_wrong_q_fails_kr2_and_kr3(monkeypatch):
    monkeypatch.setattr(diagonal, "q", _q_with_a_wrong_constant(diagonal.q))
    assert not CLAIMS["KR2"].run((53,)).passed
    assert not CLAIMS["KR3"].run((53,)).passed


def test_a_wrong_near_zero_constant_fails_kr3(monkeypatch):
    wrong = diagonal.k / (2 * (diagonal.k + 2))  # (D−2)/(2D) instead of (D−2)/(4D)
    monkeypatch.setattr(diagonal, "STATED_NEAR_ZERO_COEFFICIENT", wrong)
    outcome = CLAIMS["KR3"].run((53,))
    assert not outcome.passed
    assert outcome.runs[0].max_rel_error >= 0.49  # |c − 2c|/2c = 1/2: the factor-2 error


def test_a_wrong_dual_scale_fails_kr1(monkeypatch):
    original = diagonal.dual_scale

    def perturbed(depth, scale=diagonal.alpha):
        return original(depth, scale) * (1 + mpmath.mpf("1e-6") if depth == 2 else 1)

    monkeypatch.setattr(diagonal, "dual_scale", perturbed)
    assert not CLAIMS["KR1"].run((53,)).passed


def test_a_wrong_kernel_threshold_fails_kr5(monkeypatch):
    monkeypatch.setattr(kr, "kr5_alpha_l2", lambda epsilon, norm: 0.3)
    assert not CLAIMS["KR5"].run((53,)).passed


# ----------------------------------------------------------------------------- properties

NETWORKS = {depth: DiagonalNetwork(2, 4, depth) for depth in (2, 3, 4)}
LIMIT_CASES = st.tuples(st.integers(2, 4), st.floats(-0.5, 0.5), st.integers(0, 2**32 - 1))


def _limit(depth: int, log_alpha: float, seed: int):
    instance = random_instance(2, 4, seed)
    alpha = 10.0**log_alpha
    flow = train_to_interpolation(NETWORKS[depth], instance.X, instance.y, alpha)
    term_scale = flow.weight_amplification * np.max(np.abs(flow.beta))
    # |δβ_i| ≤ (n·ε·A + unfinished convergence) in weight-term units (claim KR2's budget)
    beta_error = (trajectory_tolerance(53, flow.steps, kr.TRAJECTORY_AMPLIFICATION)
                  * term_scale + flow.convergence_gain * flow.residual_norm)
    return instance, alpha, flow.beta, beta_error


def _null_projector(X: np.ndarray) -> np.ndarray:
    return np.eye(X.shape[1]) - np.linalg.pinv(X) @ X


@given(LIMIT_CASES)
def test_inverse_link_of_the_limit_lies_in_the_row_space(case):
    """KR2's optimality condition: s = h_D⁻¹(β∞/α^D) ∈ range(Xᵀ).

    Tolerance: δs_i = δβ_i/(α^D h_D′(s_i)), so ‖P_null δs‖ ≤ √d max_i |δβ_i|/(α^D h_D′(s_i)).
    """
    depth, log_alpha, seed = case
    instance, alpha, beta, beta_error = _limit(depth, log_alpha, seed)
    scale = alpha**depth
    link = np.array([diagonal.h_inverse(b / scale, depth) for b in beta])
    slopes = np.array([diagonal.h_derivative(s, depth) for s in link])
    tolerance = np.sqrt(4) * beta_error / (scale * slopes.min())
    assert np.linalg.norm(_null_projector(instance.X) @ link) <= tolerance + 1e-15


@given(LIMIT_CASES, st.integers(0, 2**32 - 1), st.floats(-3, 0))
def test_feasible_perturbations_increase_the_regulariser(case, direction_seed, log_size):
    """β∞ minimises Q_α^D on {Xβ = y}: Q(β∞ + δ) ≥ Q(β∞) − slack for δ ∈ null(X).

    slack = ‖δ‖·‖P_null ∇Q(β∞)‖ bound (first order: √d max q″/α^D · |δβ|) + rounding
    (1e-14 |Q|); the second-order term is ≥ 0 since Q is convex.
    """
    depth, log_alpha, seed = case
    instance, alpha, beta, beta_error = _limit(depth, log_alpha, seed)
    # a stream of its own: default_rng(seed) would replay the instance's X (same seed)
    draw = np.random.default_rng(np.random.SeedSequence(direction_seed, spawn_key=(7,)))
    raw = draw.normal(size=4)
    direction = _null_projector(instance.X) @ raw
    assume(np.linalg.norm(direction) >= 1e-3 * np.linalg.norm(raw))
    delta = direction / np.linalg.norm(direction) * 10.0**log_size * np.linalg.norm(beta)
    scale = alpha**depth
    curvature = max(1 / (scale * diagonal.h_derivative(diagonal.h_inverse(b / scale, depth),
                                                       depth)) for b in beta)
    base = diagonal.regularizer(beta, alpha, depth)
    slack = np.linalg.norm(delta) * 2 * curvature * beta_error + 1e-14 * abs(base)
    assert diagonal.regularizer(beta + delta, alpha, depth) >= base - slack


@pytest.mark.parametrize("claim_id", list(CLAIMS))
def test_domains_are_hypothesis_strategies(claim_id: str):
    strategy = CLAIMS[claim_id].domain()

    @given(strategy)
    def draws_parameters(parameters):
        assert isinstance(parameters, dict) and parameters

    draws_parameters()
