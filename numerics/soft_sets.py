"""Confusion counts, Bernoulli predictions and logistic training by gradient flow (SS2–SS6).

Nothing here knows a Heaviside approximation: soft counts take the map h from scores to
memberships as a callable (the claims pass theory's H), and the soft-F1 loss takes
piecewise-linear memberships by their knots and values (:class:`PiecewiseLinear`; the claims
give theory's). Training runs many independent draws as one vectorised flow. Counts follow
the confusion-matrix definitions
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
#: points qualitatively; its hard F1 curves at rtol 1e-4 and 1e-6 were identical. Many draws
#: integrated together share one error norm (an RMS over all of them); on the SS6 set-up the
#: end points of 12 draws moved by ≤ 1.7e-3 (relative) from single-draw runs at rtol 1e-7,
#: and their held-out F1 by ≤ 8e-4, a sixth of SS6's standard error (a slow test checks it).
TRAINING_METHOD, TRAINING_RTOL, TRAINING_ATOL = "RK23", 1e-4, 1e-8
#: Repetitions drawn at once by :func:`bernoulli_confusion` (bounds memory to ~chunk × n).
BERNOULLI_CHUNK = 256

Membership = Callable[[np.ndarray], np.ndarray]
Loss = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


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
                        rng: np.random.Generator) -> ConfusionCounts:
    """Counts of ``repeats`` independent Bernoulli prediction vectors (arrays of length
    ``repeats``), drawn in chunks from ``rng`` (SS5)."""
    values, positive = _validated(probabilities, labels)
    chunks = []
    for start in range(0, repeats, BERNOULLI_CHUNK):
        predictions = bernoulli_predictions(values, min(BERNOULLI_CHUNK, repeats - start), rng)
        chunks.append(_counts(predictions.astype(np.int64), positive))
    return ConfusionCounts(*(np.concatenate([c[k] for c in chunks]) for k in range(4)))


# ----------------------------------------------------------------------------- SS6


def imbalanced_blobs(n_positive: int, n_negative: int, separation: float,
                     rng: np.random.Generator, draws: int = 1
                     ) -> tuple[np.ndarray, np.ndarray]:
    """``draws`` independent samples of two 2-d unit-variance Gaussian blobs, negatives at 0
    and positives at (separation, separation)/√2, each shuffled; returns (features
    (draws, n, 2), labels (draws, n)), n = n_positive + n_negative."""
    if n_positive < 1 or n_negative < 1 or draws < 1:
        raise ValueError("both blobs need at least one point, and draws ≥ 1")
    centre = np.full(2, separation / np.sqrt(2))
    labels = np.concatenate([np.ones(n_positive, dtype=int), np.zeros(n_negative, dtype=int)])
    features = np.empty((draws, labels.size, 2))
    ordered = np.empty((draws, labels.size), dtype=int)
    for draw in range(draws):
        points = np.vstack([rng.standard_normal((n_positive, 2)) + centre,
                            rng.standard_normal((n_negative, 2))])
        order = rng.permutation(labels.size)
        features[draw], ordered[draw] = points[order], labels[order]
    return features, ordered


def logistic_scores(params: np.ndarray, features: np.ndarray) -> np.ndarray:
    """p = σ(Xw + b) with params = (w, b): params (…, 3) and features (…, n, 2) → (…, n)."""
    return expit(_logits(params, features))


def _logits(params, features) -> np.ndarray:
    return np.einsum("...ni,...i->...n", features, params[..., :-1]) + params[..., -1:]


def _backpropagate(features, scores: np.ndarray, score_gradient: np.ndarray) -> np.ndarray:
    """∇_(w, b) of a loss (one per draw) from its gradient with respect to the scores."""
    logit_gradient = score_gradient * scores * (1 - scores)
    return np.concatenate([np.einsum("...ni,...n->...i", features, logit_gradient),
                           logit_gradient.sum(axis=-1, keepdims=True)], axis=-1)


def cross_entropy_loss(features: np.ndarray, labels: np.ndarray) -> Loss:
    """L(w, b) = mean_i [log(1 + e^{z_i}) − y_i z_i], z = Xw + b, per draw, and its gradient
    Xᵀ(p − y)/n (SS6 baseline). Shapes: features (D, n, 2), labels (D, n), params (D, 3)."""
    targets = np.asarray(labels, dtype=float)

    def loss(params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        logits = _logits(params, features)
        values = np.mean(np.logaddexp(0, logits) - targets * logits, axis=-1)
        residual = (expit(logits) - targets) / targets.shape[-1]
        return values, np.concatenate([np.einsum("...ni,...n->...i", features, residual),
                                       residual.sum(axis=-1, keepdims=True)], axis=-1)

    return loss


@dataclass(frozen=True)
class PiecewiseLinear:
    """K memberships h_k into [0, 1], each linear between its knots 0 = x_k0 < … < x_km = 1
    with values v_kj there (rows of ``knots`` and ``values``, shape (K, m + 1)).

    Calling it on scores of any shape returns (h, h′), each of shape (K, *scores.shape):
    the value by linear interpolation and the slope of the piece containing the score (at
    an interior knot, the piece on its left).
    """

    knots: np.ndarray
    values: np.ndarray

    def __post_init__(self):
        knots, values = np.asarray(self.knots, dtype=float), np.asarray(self.values, dtype=float)
        if knots.ndim != 2 or knots.shape != values.shape or knots.shape[1] < 2:
            raise ValueError("knots and values must have the same shape (K, m + 1), m ≥ 1")
        if not (np.all(np.diff(knots, axis=1) > 0) and np.all(knots[:, 0] == 0)
                and np.all(knots[:, -1] == 1)):
            raise ValueError("each row of knots must increase strictly from 0 to 1")

    def __call__(self, scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(h, h′) by the hinge form h = v_0 + s_0 p + Σ_j (s_j − s_{j−1})·max(p − x_j, 0)
        over the interior knots x_j (s_j the slope of piece j)."""
        knots, values = np.asarray(self.knots, dtype=float), np.asarray(self.values, dtype=float)
        slopes = np.diff(values, axis=1) / np.diff(knots, axis=1)
        scores = np.asarray(scores, dtype=float)[None]
        column = (slice(None),) + (None,) * (scores.ndim - 1)
        value = values[:, 0][column] + slopes[:, 0][column] * scores
        slope = np.broadcast_to(slopes[:, 0][column], value.shape)
        for j in range(1, knots.shape[1] - 1):
            change = (slopes[:, j] - slopes[:, j - 1])[column]
            beyond = scores - knots[:, j][column]
            value = value + change * np.maximum(beyond, 0)
            slope = slope + change * (beyond > 0)
        return value, slope

    def intervals(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(edges, α, β): the interior knots of all K memberships, sorted and merged
        (shape (J − 1,)), and per membership and interval between them h_k(p) = α_kj + β_kj p
        (shapes (K, J)), read off h and h′ at the interval midpoints."""
        edges = np.unique(np.asarray(self.knots, dtype=float)[:, 1:-1])
        bounds = np.concatenate([[0.0], edges, [1.0]])
        middles = (bounds[:-1] + bounds[1:]) / 2
        value, slope = self(middles)
        return edges, value - slope * middles, slope


def soft_f1_loss(features: np.ndarray, labels: np.ndarray,
                 memberships: PiecewiseLinear) -> Loss:
    """L(w, b) = 1 − mean_k F1_k per draw, F1_k the F1 of the soft counts with ŷ_i = h_k(p_i)
    (SS6). Shapes: features (D, n, 2), labels (D, n), params (D, 3).

    The memberships are linear on each interval j between their merged knots, h_k = α_kj +
    β_kj p, so each draw needs only the count and the score sum of its positives and of all
    its points per interval: TP_k = Σ_j α_kj c⁺_j + β_kj m⁺_j, ΣH_k likewise — O(n) per
    draw whatever K. The gradient is the chain rule through the counts: ∂F1/∂TP = 2(FP +
    FN)/D², ∂F1/∂FP = ∂F1/∂FN = −2TP/D² (D = 2TP + FP + FN), ∂TP/∂h_i = y_i,
    ∂FN/∂h_i = −y_i, ∂FP/∂h_i = 1 − y_i, and ∂h_k/∂p = β_kj on interval j.
    """
    positive = np.asarray(labels) == 1
    draws = positive.shape[0]
    positives = positive.sum(axis=-1).astype(float)
    edges, alpha, beta = memberships.intervals()
    width = len(edges) + 1
    offsets = width * np.arange(draws)[:, None]

    def per_interval(keys: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        return np.bincount(keys, weights, minlength=draws * width).reshape(draws, width)

    def loss(params: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        scores = logistic_scores(params, features)
        interval = np.searchsorted(edges, scores, side="left")  # a knot: its left interval
        keys = interval + offsets
        positive_keys, positive_scores = keys[positive], scores[positive]
        tp = per_interval(positive_keys) @ alpha.T \
            + per_interval(positive_keys, positive_scores) @ beta.T
        total = per_interval(keys.ravel()) @ alpha.T \
            + per_interval(keys.ravel(), scores.ravel()) @ beta.T
        fp, fn = total - tp, positives[:, None] - tp
        denominator = 2 * tp + fp + fn
        d_tp = 2 * (fp + fn) / denominator**2
        d_fp = d_fn = -2 * tp / denominator**2
        count = len(alpha)
        weight_positive = ((d_tp - d_fn) @ beta) / count
        weight_negative = (d_fp @ beta) / count
        score_gradient = -np.where(positive,
                                   np.take_along_axis(weight_positive, interval, axis=1),
                                   np.take_along_axis(weight_negative, interval, axis=1))
        f1 = 2 * tp / denominator
        return 1 - np.mean(f1, axis=1), _backpropagate(features, scores, score_gradient)

    return loss


@dataclass
class TrainingRun:
    """Parameters (times, D, 3) and losses (times, D) along the gradient flows
    dθ_d/dt = −∇L_d(θ_d) of D independent problems, at the requested times."""

    times: np.ndarray
    params: np.ndarray
    losses: np.ndarray
    rhs_evaluations: int


def train_by_gradient_flow(loss: Loss, initial: np.ndarray, times: Sequence[float],
                           rtol: float = TRAINING_RTOL,
                           atol: float = TRAINING_ATOL) -> TrainingRun:
    """Integrate dθ/dt = −∇L(θ) for every row of ``initial`` (D, 3) at once, with SciPy's
    RK23 on the stacked state (SS6): one vectorised loss evaluation per stage.

    RuntimeError carrying the solver's message when it does not reach the last time.
    """
    grid = np.asarray(times, dtype=float)
    if grid.ndim != 1 or grid[0] < 0 or np.any(np.diff(grid) <= 0):
        raise ValueError("times must be non-negative and strictly increasing")
    start = np.asarray(initial, dtype=float)
    shape = start.shape
    result = solve_ivp(lambda _t, theta: -loss(theta.reshape(shape))[1].ravel(),
                       (0.0, grid[-1]), start.ravel(), method=TRAINING_METHOD, t_eval=grid,
                       rtol=rtol, atol=atol)
    if result.status != 0 or not np.all(np.isfinite(result.y)):
        raise RuntimeError(f"gradient flow failed: {result.message} (t reached "
                           f"{result.t[-1] if result.t.size else 0.0}, nfev {result.nfev})")
    params = result.y.T.reshape(len(grid), *shape)
    losses = np.array([loss(theta)[0] for theta in params])
    return TrainingRun(grid, params, losses, int(result.nfev))
