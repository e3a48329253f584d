"""Confusion counts, Bernoulli predictions and logistic training by gradient flow (SS2–SS6).

Nothing here knows a Heaviside approximation: soft counts take the map h from scores to
memberships as a callable (the claims pass theory's H), and the soft-F1 loss takes one
(h, h′) pair per threshold. Counts follow the confusion-matrix definitions
TP = Σy·ŷ, FP = Σ(1 − y)·ŷ, FN = Σy·(1 − ŷ), TN = Σ(1 − y)(1 − ŷ), with ŷ = 1[p ≥ τ]
(hard), ŷ = h(p) (soft) or ŷ ~ Bernoulli(h(p)) (random predictions).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
from numpy.typing import ArrayLike
from scipy.integrate import solve_ivp
from scipy.special import expit

#: Integrator of the training flows. The soft-F1 gradient jumps whenever a score crosses a
#: breakpoint of h, so the flow's right-hand side is only piecewise smooth and high order
#: does not pay: on the SS6 toy (200 points, t ≤ 5) DOP853 at rtol 1e-6 took 11 618
#: evaluations, SciPy's RK23 (Bogacki–Shampine) at rtol 1e-5 took 1 478. SS6 compares end
#: points qualitatively; its hard F1 curves at rtol 1e-4 and 1e-6 were identical.
TRAINING_METHOD, TRAINING_RTOL, TRAINING_ATOL = "RK23", 1e-4, 1e-8
#: Repetitions drawn at once by :func:`bernoulli_confusion` (bounds memory to ~chunk × n).
BERNOULLI_CHUNK = 256

Membership = Callable[[np.ndarray], np.ndarray]
Loss = Callable[[np.ndarray], tuple[float, np.ndarray]]


class ConfusionCounts(NamedTuple):
    """TP, FP, FN, TN: numbers (one sample) or arrays (one entry per repetition)."""

    tp: object
    fp: object
    fn: object
    tn: object


def _validated(scores, labels) -> tuple[np.ndarray, np.ndarray]:
    """(scores, boolean mask of the positives); ValueError for empty or malformed input."""
    values, marks = np.asarray(scores), np.asarray(labels)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"scores must be a non-empty 1-d array, got shape {values.shape}")
    if marks.shape != values.shape:
        raise ValueError(f"labels must have the shape of the scores {values.shape}, "
                         f"got {marks.shape}")
    if not np.all((marks == 0) | (marks == 1)):
        raise ValueError("labels must be 0 or 1")
    if not np.all(np.asarray(values == values, dtype=bool)):  # NaN ≠ NaN, also for mpf
        raise ValueError("scores must not contain NaN")
    return values, marks.astype(bool)


def _counts(predicted, positive: np.ndarray) -> ConfusionCounts:
    """Counts from predictions ŷ (0/1 or memberships in [0, 1]) along the last axis."""
    tp = np.sum(predicted * positive, axis=-1)
    fp = np.sum(predicted * ~positive, axis=-1)
    positives, negatives = int(np.sum(positive)), int(np.sum(~positive))
    return ConfusionCounts(tp, fp, positives - tp, negatives - fp)


def hard_counts(scores: ArrayLike, labels: ArrayLike, threshold: float) -> ConfusionCounts:
    """Confusion counts of the hard predictions ŷ_i = 1[p_i ≥ threshold] (SS4, SS6)."""
    values, positive = _validated(scores, labels)
    return _counts(np.asarray(values >= threshold, dtype=int), positive)


def soft_counts(scores: ArrayLike, labels: ArrayLike, membership: Membership) -> ConfusionCounts:
    """Soft counts with ŷ_i = h(p_i) for a given map h into [0, 1] (SS2–SS5)."""
    values, positive = _validated(scores, labels)
    memberships = np.asarray(membership(values))
    if memberships.shape != values.shape:
        raise ValueError(f"membership returned shape {memberships.shape}, "
                         f"expected {values.shape}")
    if not np.all(np.asarray((memberships >= 0) & (memberships <= 1), dtype=bool)):
        raise ValueError("memberships must lie in [0, 1]")
    return _counts(memberships, positive)


def f1_score(counts: ConfusionCounts) -> float | np.ndarray:
    """F1 = 2TP/(2TP + FP + FN) (elementwise for arrays); ValueError when undefined (0/0)."""
    denominator = 2 * counts.tp + counts.fp + counts.fn
    if np.any(np.asarray(denominator == 0, dtype=bool)):
        raise ValueError("F1 is undefined when TP + FP + FN = 0 (no positives, none predicted)")
    return 2 * counts.tp / denominator


def bernoulli_predictions(probabilities: ArrayLike, repeats: int,
                          rng: np.random.Generator) -> np.ndarray:
    """(repeats, n) boolean predictions ŷ_ri ~ Bernoulli(probabilities_i), independent (SS5)."""
    values = np.asarray(probabilities, dtype=float)
    if not np.all((values >= 0) & (values <= 1)):
        raise ValueError("probabilities must lie in [0, 1]")
    if repeats < 1:
        raise ValueError(f"repeats must be ≥ 1, got {repeats}")
    return rng.random((repeats, values.size)) < values


def bernoulli_confusion(probabilities: ArrayLike, labels: ArrayLike, repeats: int,
                        seed: np.random.SeedSequence) -> ConfusionCounts:
    """Counts of ``repeats`` independent Bernoulli prediction vectors (arrays of length
    ``repeats``), drawn in chunks with a PCG64 generator seeded by ``seed`` (SS5)."""
    values, positive = _validated(probabilities, labels)
    rng = np.random.Generator(np.random.PCG64(seed))
    chunks = []
    for start in range(0, repeats, BERNOULLI_CHUNK):
        predictions = bernoulli_predictions(values, min(BERNOULLI_CHUNK, repeats - start), rng)
        chunks.append(_counts(predictions.astype(np.int64), positive))
    return ConfusionCounts(*(np.concatenate([c[k] for c in chunks]) for k in range(4)))


# ----------------------------------------------------------------------------- SS6


def imbalanced_blobs(n_positive: int, n_negative: int, separation: float,
                     seed: np.random.SeedSequence) -> tuple[np.ndarray, np.ndarray]:
    """Two 2-d unit-variance Gaussian blobs, negatives at 0 and positives at
    (separation, separation)/√2, shuffled; returns (features (n, 2), labels (n,))."""
    if n_positive < 1 or n_negative < 1:
        raise ValueError("both blobs need at least one point")
    rng = np.random.Generator(np.random.PCG64(seed))
    centre = np.full(2, separation / np.sqrt(2))
    features = np.vstack([rng.standard_normal((n_positive, 2)) + centre,
                          rng.standard_normal((n_negative, 2))])
    labels = np.concatenate([np.ones(n_positive, dtype=int), np.zeros(n_negative, dtype=int)])
    order = rng.permutation(labels.size)
    return features[order], labels[order]


def logistic_scores(params: np.ndarray, features: np.ndarray) -> np.ndarray:
    """p = σ(Xw + b) with params = (w, b)."""
    return expit(features @ params[:-1] + params[-1])


def _backpropagate(params, features, score_gradient: np.ndarray) -> np.ndarray:
    """∇_(w, b) of a loss from its gradient with respect to the scores p = σ(Xw + b)."""
    scores = logistic_scores(params, features)
    logit_gradient = score_gradient * scores * (1 - scores)
    return np.append(features.T @ logit_gradient, np.sum(logit_gradient))


def cross_entropy_loss(features: np.ndarray, labels: np.ndarray) -> Loss:
    """L(w, b) = mean_i [log(1 + e^{z_i}) − y_i z_i], z = Xw + b, and its gradient
    Xᵀ(p − y)/n (SS6 baseline)."""
    targets = np.asarray(labels, dtype=float)

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        logits = features @ params[:-1] + params[-1]
        value = float(np.mean(np.logaddexp(0, logits) - targets * logits))
        residual = (expit(logits) - targets) / targets.size
        return value, np.append(features.T @ residual, np.sum(residual))

    return loss


def soft_f1_loss(features: np.ndarray, labels: np.ndarray,
                 memberships: Sequence[tuple[Membership, Membership]]) -> Loss:
    """L(w, b) = 1 − mean_k F1_k, F1_k the F1 of the soft counts with ŷ_i = h_k(p_i) (SS6).

    ``memberships`` holds one (h_k, h_k′) pair per threshold. The gradient is the chain rule
    through the counts: ∂F1/∂TP = 2(FP + FN)/D², ∂F1/∂FP = ∂F1/∂FN = −2TP/D²
    (D = 2TP + FP + FN), ∂TP/∂h_i = y_i, ∂FN/∂h_i = −y_i, ∂FP/∂h_i = 1 − y_i.
    """
    positive = np.asarray(labels) == 1

    def loss(params: np.ndarray) -> tuple[float, np.ndarray]:
        scores = logistic_scores(params, features)
        total, score_gradient = 0.0, np.zeros_like(scores)
        for membership, slope in memberships:
            counts = soft_counts(scores, labels, membership)
            denominator = 2 * counts.tp + counts.fp + counts.fn
            total += f1_score(counts)
            d_tp = 2 * (counts.fp + counts.fn) / denominator**2
            d_fp = d_fn = -2 * counts.tp / denominator**2
            d_membership = np.where(positive, d_tp - d_fn, d_fp)
            score_gradient -= d_membership * slope(scores)
        count = len(memberships)
        return 1 - total / count, _backpropagate(params, features, score_gradient / count)

    return loss


@dataclass
class TrainingRun:
    """Parameters and loss along a gradient flow dθ/dt = −∇L(θ), at the requested times."""

    times: np.ndarray
    params: np.ndarray
    losses: np.ndarray
    rhs_evaluations: int


def train_by_gradient_flow(loss: Loss, initial: np.ndarray, times: Sequence[float],
                           rtol: float = TRAINING_RTOL,
                           atol: float = TRAINING_ATOL) -> TrainingRun:
    """Integrate dθ/dt = −∇L(θ) from θ(0) = ``initial`` with SciPy's RK23 (SS6).

    RuntimeError carrying the solver's message when it does not reach the last time.
    """
    grid = np.asarray(times, dtype=float)
    if grid.ndim != 1 or grid[0] < 0 or np.any(np.diff(grid) <= 0):
        raise ValueError("times must be non-negative and strictly increasing")
    result = solve_ivp(lambda _t, theta: -loss(theta)[1], (0.0, grid[-1]),
                       np.asarray(initial, dtype=float), method=TRAINING_METHOD, t_eval=grid,
                       rtol=rtol, atol=atol)
    if result.status != 0 or not np.all(np.isfinite(result.y)):
        raise RuntimeError(f"gradient flow failed: {result.message} (t reached "
                           f"{result.t[-1] if result.t.size else 0.0}, nfev {result.nfev})")
    params = result.y.T.copy()
    losses = np.array([loss(theta)[0] for theta in params])
    return TrainingRun(grid, params, losses, int(result.nfev))
