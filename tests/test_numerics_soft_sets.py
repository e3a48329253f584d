"""numerics.soft_sets: confusion counts, Bernoulli predictions, losses and their gradients,
and the training flow — with memberships written here, never theory's H."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from flowcert.numerics import soft_sets as counting

UNIT = st.floats(0, 1)


def samples(min_size: int = 1, max_size: int = 40):
    return st.integers(min_size, max_size).flatmap(lambda n: st.tuples(
        arrays(float, n, elements=UNIT), arrays(np.int64, n, elements=st.integers(0, 1))))


def squared(scores):
    return np.asarray(scores) ** 2


@given(sample=samples(), threshold=UNIT)
def test_counts_partition_positives_and_negatives(sample, threshold):
    scores, labels = sample
    positives, negatives = int(labels.sum()), int(len(labels) - labels.sum())
    for counts in (counting.hard_counts(scores, labels, threshold),
                   counting.soft_counts(scores, labels, squared)):
        # sums of n terms in [0, 1]: rounding ≤ n²ε
        assert counts.tp + counts.fn == pytest.approx(positives, abs=len(labels) ** 2 * 1e-16)
        assert counts.fp + counts.tn == pytest.approx(negatives, abs=len(labels) ** 2 * 1e-16)


@given(sample=samples(), threshold=UNIT)
def test_soft_counts_of_the_step_are_the_hard_counts(sample, threshold):
    scores, labels = sample
    step = lambda s: (np.asarray(s) >= threshold).astype(float)  # noqa: E731
    assert counting.soft_counts(scores, labels, step) == counting.hard_counts(scores, labels,
                                                                              threshold)


def test_hard_counts_by_hand_including_all_positives_and_all_negatives():
    counts = counting.hard_counts([0.9, 0.2, 0.7, 0.4, 0.5], [1, 1, 0, 0, 1], 0.5)
    assert counts == (2, 1, 1, 1)
    assert counting.f1_score(counts) == pytest.approx(2 * 2 / (2 * 2 + 1 + 1))
    assert counting.hard_counts([0.1, 0.8], [1, 1], 0.5) == (1, 0, 1, 0)
    assert counting.hard_counts([0.1, 0.8], [0, 0], 0.5) == (0, 1, 0, 1)
    assert counting.f1_score(counting.hard_counts([0.1, 0.8], [0, 0], 0.5)) == 0


@pytest.mark.parametrize(("scores", "labels", "match"), [
    ([], [], "non-empty"), ([0.1, 0.2], [1], "shape"), ([0.1, 0.2], [1, 2], "0 or 1"),
    ([0.1, math.nan], [1, 0], "NaN"), ([[0.1]], [[1]], "1-d")])
def test_count_functions_reject_bad_input(scores, labels, match):
    with pytest.raises(ValueError, match=match):
        counting.hard_counts(scores, labels, 0.5)
    with pytest.raises(ValueError, match=match):
        counting.soft_counts(scores, labels, squared)


def test_soft_counts_reject_memberships_outside_the_unit_interval_or_misshaped():
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        counting.soft_counts([0.2, 0.4], [1, 0], lambda s: 2 * np.asarray(s) + 0.5)
    with pytest.raises(ValueError, match="shape"):
        counting.soft_counts([0.2, 0.4], [1, 0], lambda s: np.zeros(3))


def test_f1_is_undefined_without_positives_or_predictions():
    with pytest.raises(ValueError, match="undefined"):
        counting.f1_score(counting.hard_counts([0.1, 0.2], [0, 0], 0.5))


def test_bernoulli_predictions_are_reproducible_and_respect_certain_outcomes():
    probabilities = np.array([0.0, 1.0, 0.3])
    first = counting.bernoulli_predictions(probabilities, 500, np.random.default_rng(7))
    second = counting.bernoulli_predictions(probabilities, 500, np.random.default_rng(7))
    assert np.array_equal(first, second) and first.shape == (500, 3)
    assert not first[:, 0].any() and first[:, 1].all()
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        counting.bernoulli_predictions([1.2], 3, np.random.default_rng(0))
    with pytest.raises(ValueError, match="repeats"):
        counting.bernoulli_predictions([0.5], 0, np.random.default_rng(0))


def test_bernoulli_confusion_frequency_matches_probability_within_five_standard_errors():
    probabilities = np.array([0.2, 0.7, 0.5, 0.9])
    labels = np.array([1, 1, 0, 0])
    repeats = 3 * counting.BERNOULLI_CHUNK + 17  # several chunks and a partial one
    counts = counting.bernoulli_confusion(probabilities, labels, repeats,
                                          np.random.default_rng(11))
    assert counts.tp.shape == (repeats,)
    assert np.all(counts.tp + counts.fn == 2) and np.all(counts.fp + counts.tn == 2)
    # TP is a sum of Bernoulli(0.2) and Bernoulli(0.7): mean 0.9, variance 0.16 + 0.21;
    # |z| ≤ 5 has a false-alarm rate of 6e-7
    z = (counts.tp.mean() - 0.9) / math.sqrt(0.37 / repeats)
    assert abs(z) <= 5


def test_blobs_are_reproducible_imbalanced_and_independent_across_draws():
    features, labels = counting.imbalanced_blobs(10, 90, 2.0, np.random.default_rng(1), 3)
    again, _ = counting.imbalanced_blobs(10, 90, 2.0, np.random.default_rng(1), 3)
    assert features.shape == (3, 100, 2) and np.all(labels.sum(axis=1) == 10)
    assert np.array_equal(features, again)
    assert not np.array_equal(features[0], features[1])
    # positives centred at (√2, √2): their mean is within 5 standard errors (1/√10 each)
    centre = np.mean([f[y == 1].mean(axis=0) for f, y in zip(features, labels, strict=True)],
                     axis=0)
    assert np.all(np.abs(centre - np.sqrt(2)) < 5 / np.sqrt(30))
    with pytest.raises(ValueError, match="at least one"):
        counting.imbalanced_blobs(0, 5, 1.0, np.random.default_rng(1))


def _central_gradient(loss, params: np.ndarray, step: float) -> np.ndarray:
    """Central differences of a batched loss (one value per row of params)."""
    gradient = np.zeros_like(params)
    for i in range(params.shape[1]):
        up, down = params.copy(), params.copy()
        up[:, i] += step
        down[:, i] -= step
        gradient[:, i] = (loss(up)[0] - loss(down)[0]) / (2 * step)
    return gradient


def _memberships() -> counting.PiecewiseLinear:
    """Two piecewise-linear maps into [0, 1] written here (not theory's H)."""
    return counting.PiecewiseLinear(np.array([[0, 0.3, 0.6, 1], [0, 0.1, 0.5, 1]]),
                                    np.array([[0, 0.1, 0.8, 1], [0, 0.4, 0.45, 1]]))


def test_piecewise_linear_interpolates_and_takes_the_left_slope_at_knots():
    memberships = _memberships()
    scores = np.array([[0.0, 0.15, 0.3, 0.45], [0.6, 0.8, 1.0, 0.5]])
    values, slopes = memberships(scores)
    assert values.shape == slopes.shape == (2, 2, 4)
    expected = np.interp(scores, [0, 0.3, 0.6, 1], [0, 0.1, 0.8, 1])
    np.testing.assert_allclose(values[0], expected, rtol=0, atol=1e-15)
    np.testing.assert_allclose(slopes[0], [[1 / 3, 1 / 3, 1 / 3, 7 / 3],
                                           [7 / 3, 0.5, 0.5, 7 / 3]], rtol=1e-14)
    edges, alpha, beta = memberships.intervals()
    np.testing.assert_array_equal(edges, [0.1, 0.3, 0.5, 0.6])
    middle = 0.2  # in (0.1, 0.3): membership 0 on its first piece, membership 1 on its second
    np.testing.assert_allclose(alpha[:, 1] + beta[:, 1] * middle, memberships(middle)[0],
                               rtol=1e-14)
    with pytest.raises(ValueError, match="increase"):
        counting.PiecewiseLinear(np.array([[0, 0.5, 0.4, 1]]), np.zeros((1, 4)))


def test_soft_f1_loss_equals_the_count_definition():
    rng = np.random.default_rng(4)
    features = rng.standard_normal((3, 30, 2))
    labels = (rng.random((3, 30)) < 0.3).astype(int)
    params = rng.standard_normal((3, 3))
    values, _ = counting.soft_f1_loss(features, labels, _memberships())(params)
    scores = counting.logistic_scores(params, features)
    for draw in range(3):
        f1 = [counting.f1_score(counting.soft_counts(
            scores[draw], labels[draw],
            lambda s, k=k: np.interp(s, _memberships().knots[k], _memberships().values[k])))
            for k in range(2)]
        assert values[draw] == pytest.approx(1 - np.mean(f1), abs=1e-14)


@given(seed=st.integers(0, 2**32 - 1))
def test_loss_gradients_match_central_differences(seed):
    rng = np.random.default_rng(seed)
    features = rng.standard_normal((2, 30, 2))
    labels = np.tile(np.r_[np.ones(5, dtype=int), np.zeros(25, dtype=int)], (2, 1))
    params = rng.standard_normal((2, 3))
    cross_entropy = counting.cross_entropy_loss(features, labels)
    # step 1e-5: truncation ≈ h²·|L‴| ≲ 1e-10·C, rounding ≈ ε/h ≈ 2e-11; the bound
    # 1e-6 leaves a margin > 10³ for the third-derivative constant C
    np.testing.assert_allclose(cross_entropy(params)[1],
                               _central_gradient(cross_entropy, params, 1e-5), rtol=0,
                               atol=1e-6)
    soft = counting.soft_f1_loss(features, labels, _memberships())
    # piecewise-linear memberships: the loss is smooth while no score crosses a knot, which
    # a step of 1e-7 cannot do from 1e-4 away (|∂p/∂θ| ≤ |x|/4 ≲ 1); then truncation
    # ≈ h²·C and rounding ≈ ε/h ≈ 2e-9, far below 1e-6
    scores = counting.logistic_scores(params, features)
    edges = _memberships().intervals()[0]
    assume(np.min(np.abs(scores[..., None] - edges)) > 1e-4)
    np.testing.assert_allclose(soft(params)[1], _central_gradient(soft, params, 1e-7),
                               rtol=0, atol=1e-6)


def test_gradient_flow_on_quadratics_follows_the_exponential_for_every_row():
    centres = np.array([[1.0, -2.0, 0.5], [0.0, 3.0, -1.0]])

    def quadratic(theta):
        return 0.5 * np.sum((theta - centres) ** 2, axis=1), theta - centres

    times = [0.0, 0.5, 1.0, 3.0]
    run = counting.train_by_gradient_flow(quadratic, np.zeros((2, 3)), times)
    exact = centres[None] * (1 - np.exp(-np.asarray(times)))[:, None, None]
    assert run.params.shape == (4, 2, 3) and run.losses.shape == (4, 2)
    # RK23 at rtol 1e-4: the global error of this contracting flow stays of order rtol
    np.testing.assert_allclose(run.params, exact, rtol=0, atol=1e-3)
    assert np.all(run.losses[-1] < run.losses[0])
    with pytest.raises(ValueError, match="increasing"):
        counting.train_by_gradient_flow(quadratic, np.zeros((2, 3)), [0.0, 2.0, 1.0])


def test_logistic_scores_lie_in_the_unit_interval_for_one_or_many_draws():
    features = np.array([[100.0, 0.0], [-100.0, 0.0], [0.0, 0.0]])
    scores = counting.logistic_scores(np.array([1.0, 0.0, 0.0]), features)
    assert np.all((scores >= 0) & (scores <= 1)) and scores[2] == 0.5
    batch = counting.logistic_scores(np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 2.0]]),
                                     np.stack([features, features]))
    assert batch.shape == (2, 3) and np.array_equal(batch[0], scores)
