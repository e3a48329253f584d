"""Initial conditions and targets of the DL experiments, built at working precision.

These construct the *setup* of THEORY.md (targets Σyx = U S Vᵀ, decoupled or balanced
initialisations); they contain no result of the theory.
"""

from __future__ import annotations

from collections.abc import Sequence

import mpmath
import numpy as np

from flowcert.numerics.linalg import random_orthogonal, rectangular_diagonal


def decoupled_two_layer(singular_values: Sequence, a0: Sequence, b0: Sequence, n_in: int,
                        n_hidden: int, n_out: int, seed: int) -> dict:
    """Σyx = U S Vᵀ, W1(0) = R diag(a0) Vᵀ, W2(0) = U diag(b0) Rᵀ (DL setup), in mpf.

    U, V, R are Haar orthogonal matrices from ``seed``, orthogonal to the current precision.
    """
    rank = len(singular_values)
    if not (len(a0) == len(b0) == rank and rank <= min(n_in, n_out, n_hidden)):
        raise ValueError("need len(a0) = len(b0) = rank ≤ min(n_in, n_hidden, n_out)")
    rng = np.random.default_rng(seed)
    u_basis, v_basis, rotation = (random_orthogonal(n, rng) for n in (n_out, n_in, n_hidden))
    target = u_basis @ rectangular_diagonal(singular_values, n_out, n_in) @ v_basis.T
    w1 = rotation @ rectangular_diagonal(a0, n_hidden, n_in) @ v_basis.T
    w2 = u_basis @ rectangular_diagonal(b0, n_out, n_hidden) @ rotation.T
    return {"U": u_basis, "V": v_basis, "target": target, "weights": [w1, w2]}


def balanced_chain(singular_values: Sequence, width: int, depth: int, seed: int) -> list:
    """W_j = O_j diag(σ) O_{j−1}ᵀ (j = 1..N): W_{j+1}ᵀW_{j+1} = W_jW_jᵀ at t = 0 (DL6)."""
    rng = np.random.default_rng(seed)
    bases = [random_orthogonal(width, rng) for _ in range(depth + 1)]
    sigma = rectangular_diagonal(singular_values, width, width)
    return [bases[j] @ sigma @ bases[j - 1].T for j in range(1, depth + 1)]


def gaussian_matrix(rows: int, cols: int, scale: float, seed: int) -> np.ndarray:
    """A rows×cols object array of mpf Gaussian entries N(0, scale²) from ``seed``."""
    draws = np.random.default_rng(seed).standard_normal((rows, cols)) * scale
    return np.array([[mpmath.mpf(float(x)) for x in row] for row in draws], dtype=object)
