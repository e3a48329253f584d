"""Least-squares SGD computed exactly: paths, one-step moment maps, contraction factors and
confusion levels (claim GC2).

F(w) = (1/N)Σ_i f_i(w), f_i = ½(a_iᵀw − b_i)², for a consistent system b = A w* (F* = 0).
One SGD step with sample i maps the error e = w − w* to M_i e, M_i = I − α a_ia_iᵀ, so with
Q = AᵀA/N (F = ½eᵀQe) the expected loss after one step is E_i F(w′) = ½eᵀPe with
P = (1/N)Σ_i M_iᵀ Q M_i, exactly. The worst-case one-step contraction of the expected loss is
κ(α) = max_e eᵀPe/eᵀQe, the largest generalised eigenvalue of (P, Q). Expanding
P = Q − αP₁ + α²P₂ with P₁ = (1/N)Σ_i (a_ia_iᵀQ + Qa_ia_iᵀ), the top eigenvalue of the
degenerate pencil at α = 0 moves as κ(α) = 1 − α·λ_min(P₁, Q) + O(α²).

Everything works on float arrays and on object arrays of ``mpmath.mpf`` (the arithmetic is
what the arrays carry; eigenproblems use mpmath at the current precision). Nothing here uses
the bound the theory states.
"""

from __future__ import annotations

from collections.abc import Sequence

import mpmath
import numpy as np


def _matrix(values) -> mpmath.matrix:
    return mpmath.matrix([[mpmath.mpf(x) for x in row] for row in np.asarray(values)])


def sgd_path_losses(features: np.ndarray, targets: np.ndarray, start: np.ndarray,
                    step, order: Sequence[int]) -> list:
    """F(w_t), t = 0..len(order), along SGD taking sample ``order[t]`` at step t (the
    arrays' own arithmetic: pass object arrays of mpf for a multiprecision path)."""
    features, targets = np.asarray(features), np.asarray(targets)
    weights = np.asarray(start)
    losses = [_loss(features, targets, weights)]
    for index in order:
        row = features[index]
        residual = row @ weights - targets[index]
        weights = weights - step * residual * row
        losses.append(_loss(features, targets, weights))
    return losses


def _loss(features: np.ndarray, targets: np.ndarray, weights: np.ndarray):
    residuals = features @ weights - targets
    return (residuals @ residuals) / (2 * len(features))


def moment_maps(features: np.ndarray, step) -> tuple[np.ndarray, np.ndarray]:
    """(Q, P) with F = ½eᵀQe and E_i F(w′) = ½eᵀPe after one SGD step (see module doc)."""
    features = np.asarray(features)
    count, dimension = features.shape
    identity = np.eye(dimension, dtype=features.dtype)
    if features.dtype == object:
        identity = np.array([[mpmath.mpf(x) for x in row] for row in identity], dtype=object)
    gram = features.T @ features / count
    expected = 0 * gram
    for row in features:
        maps = identity - step * np.outer(row, row)
        expected = expected + maps.T @ gram @ maps
    return gram, expected / count


def first_order_map(features: np.ndarray) -> np.ndarray:
    """P₁ = (1/N)Σ_i (a_ia_iᵀQ + Qa_ia_iᵀ), the α-coefficient of Q − P (see module doc)."""
    features = np.asarray(features)
    count = len(features)
    gram = features.T @ features / count
    total = 0 * gram
    for row in features:
        outer = np.outer(row, row)
        total = total + outer @ gram + gram @ outer
    return total / count


def generalised_eigenvalues(matrix: np.ndarray, metric: np.ndarray) -> list:
    """Eigenvalues of the symmetric pencil (matrix, metric), metric positive definite, in
    increasing order, at the current mpmath precision (Cholesky metric = LLᵀ, then the
    symmetric eigenproblem of L⁻¹ matrix L⁻ᵀ)."""
    lower = mpmath.cholesky(_matrix(metric))
    inverse = mpmath.inverse(lower)
    reduced = inverse * _matrix(matrix) * inverse.T
    reduced = (reduced + reduced.T) / 2
    values = mpmath.eigsy(reduced, eigvals_only=True)
    return sorted(values[i] for i in range(len(values)))


def worst_contraction(features: np.ndarray, step) -> mpmath.mpf:
    """κ(α) = max_e E_i F(w′)/F(w) over all errors e (requires AᵀA non-singular)."""
    gram, expected = moment_maps(features, step)
    return generalised_eigenvalues(expected, gram)[-1]


def first_order_contraction(features: np.ndarray) -> mpmath.mpf:
    """−dκ/dα at α = 0: the smallest generalised eigenvalue of (P₁, Q)."""
    features = np.asarray(features)
    gram = features.T @ features / len(features)
    return generalised_eigenvalues(first_order_map(features), gram)[0]


def confusion_on_ball(features: np.ndarray, radius: float) -> float:
    """η = sup over ‖w − w*‖ ≤ radius of max_{i≠j} −⟨∇f_i, ∇f_j⟩ (float).

    ⟨∇f_i, ∇f_j⟩ = (a_iᵀa_j)(a_iᵀe)(a_jᵀe) is a quadratic form in e = w − w*; its most
    negative value on the ball is radius²·λ_min of (a_iᵀa_j)(a_ia_jᵀ + a_ja_iᵀ)/2.
    SGD with α‖a_i‖² ≤ 2 never leaves the ball of radius ‖w₀ − w*‖ around w* (each step is a
    relaxed projection onto a hyperplane through w*).
    """
    features = np.asarray(features, dtype=float)
    worst = 0.0
    for i in range(len(features)):
        for j in range(i + 1, len(features)):
            product = features[i] @ features[j]
            symmetric = product * (np.outer(features[i], features[j])
                                   + np.outer(features[j], features[i])) / 2
            worst = max(worst, -float(np.linalg.eigvalsh(symmetric)[0]))
    return worst * float(radius) ** 2
