"""Discrete optimisers: gradient descent, Adam/RMSProp, SGD (EOS, CV6, GC2 experiments).

Plain iterations x_{k+1} = x_k − η·direction(x_k); no ODE is integrated here. The quadratic
and adaptive iterations work on float arrays and on object arrays of ``mpmath.mpf`` (the
arithmetic is whatever the arrays carry), so the same code runs at any precision.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import mpmath
import numpy as np

from flowcert.numerics.hessian import complex_step_hvp, top_eigenpairs

Gradient = Callable[[np.ndarray], np.ndarray]


def _check_step(step, steps: int) -> None:
    if not step > 0 or steps < 0:
        raise ValueError(f"need step > 0 and steps ≥ 0, got {step}, {steps}")


def quadratic_descent(matrix: np.ndarray, start: np.ndarray, step, steps: int) -> np.ndarray:
    """Iterates of GD on f(x) = ½xᵀHx: x_{k+1} = x_k − ηHx_k; shape (steps + 1, n)."""
    _check_step(step, steps)
    iterates = [np.asarray(start)]
    for _ in range(steps):
        current = iterates[-1]
        iterates.append(current - step * (matrix @ current))
    return np.array(iterates)


def adaptive_descent(gradient: Gradient, start: np.ndarray, step, steps: int, beta1,
                     beta2) -> np.ndarray:
    """Adam with ε = 0 (RMSProp when beta1 = 0, no bias correction then); (steps + 1, n).

    m_k = β₁m_{k−1} + (1−β₁)g_k, v_k = β₂v_{k−1} + (1−β₂)g_k², x_{k+1} = x_k − η m̂_k/√v̂_k
    with the bias corrections m̂ = m/(1−β₁^k), v̂ = v/(1−β₂^k) (none for β₁ = 0).
    Square roots are taken elementwise with the arrays' own arithmetic.
    """
    _check_step(step, steps)
    current = np.asarray(start)
    first = current * 0
    second = current * 0
    iterates = [current]
    for k in range(1, steps + 1):
        g = gradient(current)
        first = beta1 * first + (1 - beta1) * g
        second = beta2 * second + (1 - beta2) * g * g
        first_hat = first / (1 - beta1**k) if beta1 else first
        second_hat = second / (1 - beta2**k) if beta1 else second
        current = current - step * first_hat / _sqrt(second_hat)
        iterates.append(current)
    return np.array(iterates)


def _sqrt(values: np.ndarray) -> np.ndarray:
    """Elementwise √ for float arrays and object arrays of mpf."""
    if values.dtype == object:
        return np.vectorize(mpmath.sqrt, otypes=[object])(values)
    return np.sqrt(values)


# ----------------------------------------------------------------------------- networks


@dataclass
class TrainingRecord:
    """Full-batch GD on a loss: losses every step; Hessian data at checkpoints.

    At each checkpoint k: ``top_eigenvalues[i]`` (descending, ``count`` of them, Lanczos on
    complex-step Hessian-vector products), the gradient's squared norm and, for the
    subspace P spanned by the eigenvectors with eigenvalue ≥ 1/η, ‖Pg‖²/‖g‖² and the loss
    decreases L(θ) − L(θ − ηPg) and L(θ) − L(θ − η(I−P)g).
    """

    step: float
    losses: list[float] = field(default_factory=list)
    checkpoints: list[int] = field(default_factory=list)
    top_eigenvalues: list[list[float]] = field(default_factory=list)
    top_fraction: list[float] = field(default_factory=list)
    top_step_decrease: list[float] = field(default_factory=list)
    rest_step_decrease: list[float] = field(default_factory=list)
    final_parameters: np.ndarray | None = None
    warm_start: np.ndarray | None = None


def full_batch_descent(loss: Callable[[np.ndarray], float], gradient: Gradient,
                       start: np.ndarray, step: float, steps: int, every: int,
                       count: int = 1, seed: int = 0) -> TrainingRecord:
    """GD θ_{k+1} = θ_k − η∇L(θ_k) with Hessian diagnostics every ``every`` steps.

    ``gradient`` must accept complex parameters (complex-step Hessian-vector products).
    Raises FloatingPointError if the iterates stop being finite.
    """
    _check_step(step, steps)
    record = TrainingRecord(step=step)
    theta = np.asarray(start, dtype=float)
    for k in range(steps + 1):
        value = float(loss(theta))
        if not np.isfinite(value):
            raise FloatingPointError(f"gradient descent diverged at step {k}")
        record.losses.append(value)
        g = gradient(theta)
        if k % every == 0:
            _checkpoint(record, k, loss, gradient, theta, g, count, seed)
        if k < steps:
            theta = theta - step * g
    record.final_parameters = theta
    return record


def _checkpoint(record, k, loss, gradient, theta, g, count, seed) -> None:
    """Record the Hessian data at θ; the sum of the top eigenvectors warm-starts the next
    Lanczos run (they move little between checkpoints)."""
    values, vectors = top_eigenpairs(complex_step_hvp(gradient, theta), len(theta), count,
                                     seed=seed, tolerance=1e-8, start=record.warm_start)
    basis = vectors[:, values >= 1 / record.step]
    projected = basis @ (basis.T @ g)
    start_loss = float(loss(theta))
    record.checkpoints.append(k)
    record.top_eigenvalues.append([float(v) for v in values])
    record.top_fraction.append(float(projected @ projected / (g @ g)))
    record.top_step_decrease.append(start_loss - float(loss(theta - record.step * projected)))
    record.rest_step_decrease.append(start_loss
                                     - float(loss(theta - record.step * (g - projected))))
    record.warm_start = vectors.sum(axis=1)


# ----------------------------------------------------------------------------- least squares


def sgd_least_squares(features: np.ndarray, targets: np.ndarray, start: np.ndarray,
                      step: float, steps: int, runs: int,
                      rng: np.random.Generator) -> np.ndarray:
    """SGD on F(w) = (1/N)Σ_i ½(a_iᵀw − b_i)², one uniformly drawn sample per step (GC2).

    Returns F(w_t) for t = 0..steps of ``runs`` independent runs, shape (runs, steps + 1);
    the runs are advanced together (vectorised).
    """
    _check_step(step, steps)
    count = len(features)
    weights = np.tile(np.asarray(start, dtype=float), (runs, 1))
    out = np.empty((runs, steps + 1))
    out[:, 0] = least_squares_loss(features, targets, weights)
    for t in range(1, steps + 1):
        chosen = rng.integers(0, count, runs)
        rows = features[chosen]
        residual = np.einsum("ri,ri->r", rows, weights) - targets[chosen]
        weights = weights - step * residual[:, None] * rows
        out[:, t] = least_squares_loss(features, targets, weights)
    return out


def least_squares_loss(features: np.ndarray, targets: np.ndarray,
                       weights: np.ndarray) -> np.ndarray:
    """F(w) = (1/N)Σ_i ½(a_iᵀw − b_i)² for each row of ``weights``."""
    residuals = np.atleast_2d(weights) @ features.T - targets
    return 0.5 * np.mean(residuals**2, axis=1)


def sgd_expected_loss(features: np.ndarray, solution: np.ndarray, start: np.ndarray,
                      step: float, steps: int) -> np.ndarray:
    """E F(w_t), t = 0..steps, exactly, for a consistent system b = A w* (GC2).

    e = w − w* evolves as e_{t+1} = (I − α a_i a_iᵀ)e_t with i uniform, so the second moment
    S_t = E e_t e_tᵀ obeys S_{t+1} = (1/N)Σ_i M_i S_t M_iᵀ and E F = tr(AᵀA S_t)/(2N).
    """
    _check_step(step, steps)
    count, dimension = features.shape
    maps = np.eye(dimension) - step * np.einsum("ni,nj->nij", features, features)
    error = np.asarray(start, dtype=float) - np.asarray(solution, dtype=float)
    moment = np.outer(error, error)
    gram = features.T @ features
    out = np.empty(steps + 1)
    for t in range(steps + 1):
        out[t] = np.trace(gram @ moment) / (2 * count)
        moment = np.einsum("nij,jk,nlk->il", maps, moment, maps) / count
    return out
