"""theory.soft_sets: symbolic identities SS1–SS4, H against an independent implementation
written here from THEORY.md's three-piece description, and negative controls."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import assume, example, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from flowcert.theory import soft_sets

EPS = np.finfo(float).eps
TAUS = st.floats(0.01, 0.99)
DELTAS = st.floats(0, 0.5, exclude_min=True, exclude_max=True)
UNIT = st.floats(0, 1)


def reference_h(p: float, tau: float, delta: float) -> float:
    """THEORY.md, SS: H = m₁p below τ − τ_m/2; m₂(p − τ) + ½ on the band; m₃p + (1 − δ −
    m₃(τ + τ_m/2)) above; m₁ = δ/(τ − τ_m/2), m₂ = (1 − 2δ)/τ_m, m₃ = δ/(1 − τ − τ_m/2)."""
    tau_m = min(tau, 1 - tau)
    lower, upper = tau - tau_m / 2, tau + tau_m / 2
    if p < lower:
        return delta / lower * p
    if p <= upper:
        return (1 - 2 * delta) / tau_m * (p - tau) + 0.5
    slope = delta / (1 - upper)
    return slope * p + (1 - delta - slope * upper)


def reference_max_slope(tau: float, delta: float) -> float:
    tau_m = min(tau, 1 - tau)
    return max(delta / (tau - tau_m / 2), (1 - 2 * delta) / tau_m,
               delta / (1 - tau - tau_m / 2))


def evaluation_tolerance(tau: float, delta: float) -> float:
    """Two float evaluations of H, each within 2(8 + L)·ε (≤ 8 roundings of O(1) terms plus
    the rounding of p − τ amplified by the slope L, doubled), may differ by twice that."""
    return 4 * (8 + reference_max_slope(tau, delta)) * EPS


# ----------------------------------------------------------------------------- symbolic


def test_every_symbolic_identity_holds():
    checks = soft_sets.self_checks()
    assert {name.split()[0] for name in checks} == {"SS1", "SS2", "SS3", "SS4"}
    assert all(checks.values()), [name for name, ok in checks.items() if not ok]


def _modified(piece_index: int, replacement) -> sp.Piecewise:
    """HEAVISIDE_GENERIC with one piece replaced (conditions kept)."""
    args = list(soft_sets.HEAVISIDE_GENERIC.args)
    expression, condition = args[piece_index]
    args[piece_index] = (replacement(expression), condition)
    return sp.Piecewise(*args)


def test_negative_control_discontinuous_band_is_caught():
    jumped = _modified(1, lambda e: e + sp.Rational(1, 100))
    assert soft_sets.continuity_jumps(jumped) == [sp.Rational(1, 100), -sp.Rational(1, 100)]
    checks = soft_sets.ss1_checks(jumped)
    assert not checks["SS1 H is continuous (no jump at either breakpoint)"]
    assert not checks["SS1 H(τ) = ½"]
    assert not checks["SS1 H(τ − τ_m/2) = δ"]
    # A vertical shift of the band adds c·τ_m/2 below τ and removes it above: the L1 gap
    # alone cannot see this defect, which is why continuity is checked separately.
    assert checks["SS1 the same gap by direct integration of |H − step| at rational (τ, δ)"]


@pytest.mark.parametrize(("piece", "change"), [(0, lambda e: 2 * e),
                                               (2, lambda e: e - soft_sets.delta / 3)])
def test_negative_control_wrong_outer_piece_shows_a_jump(piece, change):
    jumps = soft_sets.continuity_jumps(_modified(piece, change))
    assert any(jump != 0 for jump in jumps)


def test_continuity_jumps_are_zero_for_the_published_h():
    assert soft_sets.continuity_jumps(soft_sets.HEAVISIDE_GENERIC) == [0, 0]


def test_piecewise_parts_rejects_other_shapes():
    x = soft_sets.p
    with pytest.raises(ValueError, match="form"):
        soft_sets.piecewise_parts(sp.Piecewise((x, x > 1), (1, True)))


# ----------------------------------------------------------------------------- H numerics


@given(tau=TAUS, delta=DELTAS, scores=arrays(float, st.integers(1, 30), elements=UNIT))
def test_heaviside_approx_matches_independent_three_piece_implementation(tau, delta, scores):
    values = soft_sets.heaviside_approx(scores, tau, delta)
    expected = np.array([min(max(reference_h(x, tau, delta), 0.0), 1.0) for x in scores])
    assert values.shape == scores.shape
    np.testing.assert_allclose(values, expected, rtol=0, atol=evaluation_tolerance(tau, delta))


@given(tau=TAUS, delta=DELTAS)
def test_special_values_and_knots(tau, delta):
    knots = soft_sets.heaviside_knots(tau, delta)
    tolerance = evaluation_tolerance(tau, delta)
    for point, expected in ((0.0, 0.0), (1.0, 1.0), (tau, 0.5), (knots.lower, delta),
                            (knots.upper, 1 - delta)):
        assert abs(soft_sets.heaviside_approx(point, tau, delta) - expected) <= tolerance
    assert knots.slopes == pytest.approx((delta / knots.lower, (1 - 2 * delta)
                                          / (knots.upper - knots.lower),
                                          delta / (1 - knots.upper)), rel=1e-12)


@given(tau=TAUS, delta=DELTAS, point=UNIT)
def test_mirror_symmetry(tau, delta, point):
    mirrored = soft_sets.heaviside_approx(1 - point, 1 - tau, delta)
    direct = soft_sets.heaviside_approx(point, tau, delta)
    assert abs(mirrored - (1 - direct)) <= evaluation_tolerance(tau, delta) + 2 * EPS


#: δ bounded away from 0 and ½ so that float64 resolves the slopes m₁ ∝ δ and m₂ ∝ 1 − 2δ
#: on a grid of spacing 1/256 (at δ = 5e-324, δp/a underflows to 0).
RESOLVED_DELTAS = st.floats(1e-9, 0.5 - 1e-9)


@given(tau=TAUS, delta=RESOLVED_DELTAS)
def test_strictly_increasing_on_a_grid(tau, delta):
    values = soft_sets.heaviside_approx(np.linspace(0, 1, 257), tau, delta)
    assert np.all(np.diff(values) > 0)


@given(tau=TAUS, delta=DELTAS)
@example(tau=0.9899999999999999, delta=5e-324)  # found by hypothesis: rounding of the reference
def test_l1_gap_matches_exact_area_of_the_reference_implementation(tau, delta):
    # |H − step| is linear between 0, a, τ, b, 1, so the trapezoid rule on these knots is
    # exact; at τ the one-sided values are H(τ) − 0 = ½ and 1 − H(τ) = ½.
    tau_m = min(tau, 1 - tau)
    lower, upper = tau - tau_m / 2, tau + tau_m / 2
    left = [(0, 0.0), (lower, reference_h(lower, tau, delta)), (tau, 0.5)]
    right = [(tau, 0.5), (upper, 1 - reference_h(upper, tau, delta)),
             (1, 1 - reference_h(1, tau, delta))]
    area = sum((x1 - x0) * (y0 + y1) / 2 for side in (left, right)
               for (x0, y0), (x1, y1) in zip(side, side[1:], strict=False))
    # The reference's knot heights carry rounding amplified by the band slope (1 − 2δ)/τ_m
    # (e.g. H(τ − τ_m/2) computed as ½ + slope·(−τ_m/2) is off by ≤ slope·eps instead of
    # being δ), and each height multiplies a width ≤ 1: |area error| ≤ 2(1/τ_m + 2)·eps.
    budget = 2 * (1 / tau_m + 2) * EPS
    assert soft_sets.l1_gap(tau, delta) == pytest.approx(area, rel=1e-12, abs=budget)
    assert soft_sets.l1_gap_limit(tau) == pytest.approx(tau_m / 4, rel=1e-15)


@given(tau=TAUS, delta=DELTAS, point=st.floats(0.001, 0.999))
def test_slope_matches_difference_quotient_inside_a_piece(tau, delta, point):
    knots = soft_sets.heaviside_knots(tau, delta)
    step = 1e-7
    if min(abs(point - knots.lower), abs(point - knots.upper)) < 2 * step:
        return
    quotient = (soft_sets.heaviside_approx(point + step, tau, delta)
                - soft_sets.heaviside_approx(point - step, tau, delta)) / (2 * step)
    # H is linear within a piece: only rounding, ≤ 2·evaluation error/(2·step), remains
    assert quotient == pytest.approx(soft_sets.heaviside_slope(point, tau, delta), rel=0,
                                     abs=evaluation_tolerance(tau, delta) / step)


def test_float_in_float_out_and_shapes_preserved():
    assert isinstance(soft_sets.heaviside_approx(0.3), float)
    assert isinstance(soft_sets.heaviside_approx(np.float64(0.3)), float)
    grid = np.linspace(0, 1, 12).reshape(3, 4)
    assert soft_sets.heaviside_approx(grid, 0.4, 0.1).shape == (3, 4)
    assert soft_sets.heaviside_approx(0.5) == 0.5  # defaults τ = ½, δ = 0.2
    assert soft_sets.heaviside_approx(1.0, 0.3, 0.2) == 1.0  # clipped rounding excess


def test_mpmath_inputs_give_mpf_at_working_precision():
    with mpmath.workprec(200):
        tau, delta = mpmath.mpf("0.3"), mpmath.mpf("0.1")
        value = soft_sets.heaviside_approx(mpmath.mpf("0.2"), tau, delta)
        assert isinstance(value, mpmath.mpf)
        exact = mpmath.mpf(1) / 2 + (1 - 2 * delta) / tau * (mpmath.mpf("0.2") - tau)
        assert abs(value - exact) < mpmath.mpf(2) ** -190
        array = soft_sets.heaviside_approx(np.array([mpmath.mpf(0), mpmath.mpf(1)],
                                                    dtype=object), tau, delta)
        assert array.dtype == object and array[0] == 0 and array[1] == 1


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"delta": 0.0}, "delta"), ({"delta": 0.5}, "delta"), ({"delta": -0.1}, "delta"),
    ({"delta": math.nan}, "delta"), ({"tau": 0.0}, "tau"), ({"tau": 1.0}, "tau"),
    ({"tau": math.nan}, "tau"), ({"p": 1.5}, "p"), ({"p": -0.01}, "p"), ({"p": math.nan}, "p"),
    ({"p": np.array([0.2, math.nan])}, "p"), ({"p": np.array([0.2, 2.0])}, "p")])
def test_invalid_input_raises_value_error_naming_the_parameter(kwargs, name):
    arguments = {"p": 0.3, "tau": 0.5, "delta": 0.2} | kwargs
    with pytest.raises(ValueError, match=name):
        soft_sets.heaviside_approx(**arguments)


# ----------------------------------------------------------------------------- metrics


def labelled_samples(min_size: int = 1):
    return st.integers(min_size, 30).flatmap(lambda n: st.tuples(
        arrays(float, n, elements=UNIT), arrays(np.int64, n, elements=st.integers(0, 1))))


@given(tau=TAUS, delta=DELTAS, sample=labelled_samples())
def test_soft_f1_closed_form_equals_the_count_definition(tau, delta, sample):
    scores, labels = sample
    h = np.array([min(max(reference_h(x, tau, delta), 0.0), 1.0) for x in scores])
    tp, fp = np.sum(labels * h), np.sum((1 - labels) * h)
    fn = np.sum(labels * (1 - h))
    counts = soft_sets.soft_counts(scores, labels, tau, delta)
    tolerance = len(scores) * evaluation_tolerance(tau, delta) + len(scores) ** 2 * EPS
    assert counts.tp + counts.fn == pytest.approx(labels.sum(), abs=tolerance)
    assert counts.fp + counts.tn == pytest.approx(len(labels) - labels.sum(), abs=tolerance)
    if 2 * tp + fp + fn == 0:
        with pytest.raises(ValueError, match="undefined"):
            soft_sets.soft_f1(scores, labels, tau, delta)
        return
    if 2 * tp + fp + fn <= tolerance:
        # The denominator is within the count error of 0 (e.g. one negative with a subnormal
        # score, whose membership underflows to 0 in one evaluation order and not in the
        # other): F1 = 2A/D is then undetermined, and either answer is consistent.
        try:
            assert 0 <= soft_sets.soft_f1(scores, labels, tau, delta) <= 1
        except ValueError as error:
            assert "undefined" in str(error)
        return
    # F1 = 2A/D moves by ≤ 4·(count error)/D
    assert soft_sets.soft_f1(scores, labels, tau, delta) == pytest.approx(
        2 * tp / (2 * tp + fp + fn), abs=8 * tolerance / (2 * tp + fp + fn))


def _near_breakpoint(scores: np.ndarray, tau: float, delta: float, margin: float) -> bool:
    knots = soft_sets.heaviside_knots(tau, delta)
    return bool(np.any(np.minimum(abs(scores - knots.lower), abs(scores - knots.upper))
                       < margin))


@given(tau=st.floats(0.05, 0.95), delta=st.floats(0.01, 0.49),
       sample=st.integers(2, 30).flatmap(lambda n: st.tuples(
           arrays(float, n, elements=st.floats(0.01, 0.99)),
           arrays(np.int64, n, elements=st.integers(0, 1)))))
def test_gradient_signs_and_values_match_finite_differences(tau, delta, sample):
    scores, labels = sample
    step = 1e-6
    assume(labels.sum() > 0 and not _near_breakpoint(scores, tau, delta, 10 * step))
    gradient = soft_sets.soft_f1_gradient(scores, labels, tau, delta)
    assert np.all(gradient[labels == 1] > 0) and np.all(gradient[labels == 0] < 0)
    n = len(scores)
    denominator = np.sum(labels)  # D = P + A + B ≥ P
    # truncation: relative (H′ε/D)² (F1 is Möbius in p_i within a piece); rounding: two F1
    # values, each within 8(n·e_H + n²ε)/D (e_H the H evaluation budget), over 2ε
    slope = reference_max_slope(tau, delta)
    truncation = (slope * step / denominator) ** 2
    rounding = 8 * (n * evaluation_tolerance(tau, delta) + n * n * EPS) / denominator / step
    for i in range(n):
        up, down = scores.copy(), scores.copy()
        up[i] += step
        down[i] -= step
        difference = (soft_sets.soft_f1(up, labels, tau, delta)
                      - soft_sets.soft_f1(down, labels, tau, delta)) / (2 * step)
        assert abs(difference - gradient[i]) <= truncation * abs(gradient[i]) + rounding
        assert np.sign(difference) == np.sign(gradient[i])


def test_gradient_for_negatives_vanishes_exactly_when_a_is_zero():
    scores = np.array([0.0, 0.0, 0.3, 0.6, 0.9])
    labels = np.array([1, 1, 0, 0, 0])
    gradient = soft_sets.soft_f1_gradient(scores, labels, 0.5, 0.2)
    assert np.all(gradient[labels == 0] == 0) and np.all(gradient[labels == 1] > 0)


@given(tau=TAUS, delta=DELTAS, sample=labelled_samples(), side=st.data())
def test_band_error_bounds_hold_outside_the_band(tau, delta, sample, side):
    uniform, labels = sample
    knots = soft_sets.heaviside_knots(tau, delta)
    below = np.array(side.draw(st.lists(st.booleans(), min_size=len(uniform),
                                        max_size=len(uniform))))
    scores = np.where(below, knots.lower * uniform * 0.999,
                      1 - (1 - knots.upper) * uniform * 0.999)
    h = soft_sets.heaviside_approx(scores, tau, delta)
    step = (scores >= tau).astype(float)
    tp_bound, fp_bound = soft_sets.band_error_bounds(labels, delta)
    slack = len(scores) * evaluation_tolerance(tau, delta)
    assert abs(np.sum(labels * (h - step))) <= tp_bound + slack
    assert abs(np.sum((1 - labels) * (h - step))) <= fp_bound + slack


def test_soft_equals_hard_at_zero_and_one():
    scores = np.array([0.0, 1.0, 1.0, 0.0, 1.0])
    labels = np.array([1, 1, 0, 0, 1])
    counts = soft_sets.soft_counts(scores, labels, 0.37, 0.3)
    assert counts == (2.0, 1.0, 1.0, 1.0)


@pytest.mark.parametrize("labels", [[], [1, 0], [2, 0, 1]])
def test_metric_inputs_are_validated(labels):
    with pytest.raises(ValueError, match="labels"):
        soft_sets.soft_counts(np.array([0.1, 0.2, 0.3]), np.array(labels), 0.5, 0.2)


def test_tight_band_gaps_attain_the_bounds_up_to_one_minus_epsilon():
    labels = np.array([1, 0, 0, 1, 0])
    assert soft_sets.tight_band_gaps(labels, 0.2, 0.1) == pytest.approx((0.36, 0.54))
    # the scores just outside the band, with the reference H written from THEORY.md
    tau, delta, epsilon = 0.3, 0.1, 1e-3
    lower, upper = tau - tau / 2, tau + tau / 2
    assert reference_h(lower * (1 - epsilon), tau, delta) == pytest.approx(
        delta * (1 - epsilon), rel=1e-12)
    assert 1 - reference_h(upper + (1 - upper) * epsilon, tau, delta) == pytest.approx(
        delta * (1 - epsilon), rel=1e-9)


def test_negative_control_a_steeper_outer_piece_is_not_attained_at_the_band_edge():
    checks = soft_sets.ss4_checks(_modified(0, lambda e: e * (1 + soft_sets.p)))
    attained = [name for name in checks if "attained" in name]
    assert attained and not checks[attained[0]]
