"""numerics.soft_sets: confusion counts, Bernoulli predictions, losses and their gradients,
and the training flow — with memberships written here, never theory's H."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
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
                                          np.random.SeedSequence(11))
    assert counts.tp.shape == (repeats,)
    assert np.all(counts.tp + counts.fn == 2) and np.all(counts.fp + counts.tn == 2)
    # TP is a sum of Bernoulli(0.2) and Bernoulli(0.7): mean 0.9, variance 0.16 + 0.21;
    # |z| ≤ 5 has a false-alarm rate of 6e-7
    z = (counts.tp.mean() - 0.9) / math.sqrt(0.37 / repeats)
    assert abs(z) <= 5


def test_blobs_are_reproducible_and_imbalanced():
    features, labels = counting.imbalanced_blobs(10, 90, 2.0, np.random.SeedSequence(1))
    again, _ = counting.imbalanced_blobs(10, 90, 2.0, np.random.SeedSequence(1))
    assert features.shape == (100, 2) and labels.sum() == 10
    assert np.array_equal(features, again)
    with pytest.raises(ValueError, match="at least one"):
        counting.imbalanced_blobs(0, 5, 1.0, np.random.SeedSequence(1))


def _central_gradient(loss, params: np.ndarray, step: float) -> np.ndarray:
    gradient = np.zeros_like(params)
    for i in range(params.size):
        up, down = params.copy(), params.copy()
        up[i] += step
        down[i] -= step
        gradient[i] = (loss(up)[0] - loss(down)[0]) / (2 * step)
    return gradient


def _smooth_memberships():
    """Smooth maps into [0, 1] with their derivatives (not theory's H)."""
    return [(squared, lambda s: 2 * np.asarray(s)),
            (lambda s: np.sin(np.pi * np.asarray(s) / 2) ** 2,
             lambda s: np.pi / 2 * np.sin(np.pi * np.asarray(s)))]


@given(seed=st.integers(0, 2**32 - 1))
def test_loss_gradients_match_central_differences(seed):
    rng = np.random.default_rng(seed)
    features = rng.standard_normal((30, 2))
    labels = np.r_[np.ones(5, dtype=int), np.zeros(25, dtype=int)]
    params = rng.standard_normal(3)
    for loss in (counting.cross_entropy_loss(features, labels),
                 counting.soft_f1_loss(features, labels, _smooth_memberships())):
        # step 1e-5: truncation ≈ h²·|L‴| ≲ 1e-10·C, rounding ≈ ε/h ≈ 2e-11; the bound
        # 1e-6 leaves a margin > 10³ for the third-derivative constant C
        np.testing.assert_allclose(loss(params)[1], _central_gradient(loss, params, 1e-5),
                                   rtol=0, atol=1e-6)


def test_gradient_flow_on_a_quadratic_follows_the_exponential():
    centre = np.array([1.0, -2.0, 0.5])

    def quadratic(theta):
        return 0.5 * float(np.sum((theta - centre) ** 2)), theta - centre

    times = [0.0, 0.5, 1.0, 3.0]
    run = counting.train_by_gradient_flow(quadratic, np.zeros(3), times)
    exact = centre * (1 - np.exp(-np.asarray(times)))[:, None]
    # RK23 at rtol 1e-4: the global error of this contracting flow stays of order rtol
    np.testing.assert_allclose(run.params, exact, rtol=0, atol=1e-3)
    assert run.losses[-1] < run.losses[0]
    with pytest.raises(ValueError, match="increasing"):
        counting.train_by_gradient_flow(quadratic, np.zeros(3), [0.0, 2.0, 1.0])


def test_logistic_scores_lie_in_the_unit_interval():
    features = np.array([[100.0, 0.0], [-100.0, 0.0], [0.0, 0.0]])
    scores = counting.logistic_scores(np.array([1.0, 0.0, 0.0]), features)
    assert np.all((scores >= 0) & (scores <= 1)) and scores[2] == 0.5
