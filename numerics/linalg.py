"""Exact-to-working-precision linear algebra for setting up experiments.

Orthogonal matrices built in float64 are orthogonal only to 1e-16, which would put a floor
under every high-precision comparison; these helpers build them in mpmath at the
requested precision from seeded Gaussian draws.
"""

from __future__ import annotations

import mpmath
import numpy as np


def to_mp_matrix(array) -> mpmath.matrix:
    """A NumPy array (float or mpf) as an mpmath matrix at the current precision."""
    rows, cols = np.shape(array)
    return mpmath.matrix([[mpmath.mpf(array[i][j]) for j in range(cols)] for i in range(rows)])


def to_object_array(matrix: mpmath.matrix) -> np.ndarray:
    """An mpmath matrix as a NumPy object array of mpf."""
    return np.array([[matrix[i, j] for j in range(matrix.cols)] for i in range(matrix.rows)],
                    dtype=object)


def random_orthogonal(n: int, rng: np.random.Generator) -> np.ndarray:
    """A Haar-distributed orthogonal n×n matrix, orthogonal to the current mpmath precision.

    QR of a Gaussian matrix with the signs of R's diagonal moved into Q (Mezzadri 2007).
    """
    if n < 1:
        raise ValueError(f"matrix size must be positive, got {n}")
    gaussian = to_mp_matrix(rng.standard_normal((n, n)))
    q, r = mpmath.qr(gaussian)
    signs = [mpmath.sign(r[i, i]) or 1 for i in range(n)]
    return np.array([[q[i, j] * signs[j] for j in range(n)] for i in range(n)], dtype=object)


def rectangular_diagonal(values, rows: int, cols: int) -> np.ndarray:
    """A rows×cols object array with ``values`` on its main diagonal, mpf zeros elsewhere."""
    out = np.full((rows, cols), mpmath.mpf(0), dtype=object)
    for k, value in enumerate(values):
        out[k, k] = mpmath.mpf(value)
    return out

