"""Hessians of small networks: exact dense matrices, Hessian-vector products, top eigenpairs.

* :class:`ExpressionHessian` — the exact Hessian of a heyoka loss expression by automatic
  differentiation to order 2 (``heyoka.diff_tensors``), compiled once; for small models.
* :func:`complex_step_hvp` — Hv = Im ∇L(θ + i h v)/h with h = 1e-20: the directional
  derivative of a complex-analytic gradient code, exact to rounding (no subtraction, so no
  cancellation), at the cost of one complex gradient evaluation.
* :func:`top_eigenpairs` (Lanczos, ``scipy.sparse.linalg.eigsh`` on a LinearOperator) and
  :func:`power_iteration` for the largest eigenvalues from Hessian-vector products only; the
  tests match them against ``numpy.linalg.eigvalsh`` of the dense Hessian.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence

import heyoka as hy
import numpy as np
from scipy.sparse.linalg import LinearOperator, eigsh

COMPLEX_STEP = 1e-20
HessianVectorProduct = Callable[[np.ndarray], np.ndarray]


class ExpressionHessian:
    """Dense ∇²L of a heyoka expression ``loss`` in ``variables`` (compiled on construction)."""

    def __init__(self, loss: hy.expression, variables: Sequence[hy.expression]):
        self.size = len(variables)
        tensors = hy.diff_tensors([loss], diff_args=list(variables), diff_order=2)
        self._indices = [tuple(i for i, k in enumerate(multi[1:]) for _ in range(k))
                         for multi, _ in tensors.get_derivatives(2)]
        second = [expression for _, expression in tensors.get_derivatives(2)]
        # compact mode: a 57-parameter network's 1653 second derivatives compiled in 6 s
        # instead of 54–110 s.
        self._function = hy.cfunc(second, vars=list(variables), compact_mode=True)
        self._gradient = hy.cfunc(list(tensors.gradient), vars=list(variables),
                                  compact_mode=True)

    def __call__(self, theta: np.ndarray) -> np.ndarray:
        values = self._function(np.asarray(theta, dtype=float))
        hessian = np.zeros((self.size, self.size))
        for (i, j), value in zip(self._indices, values, strict=True):
            hessian[i, j] = hessian[j, i] = value
        return hessian

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        """∇L by the same automatic differentiation (order 1)."""
        return np.asarray(self._gradient(np.asarray(theta, dtype=float)))


def complex_step_hvp(gradient: Callable[[np.ndarray], np.ndarray],
                     theta: np.ndarray) -> HessianVectorProduct:
    """v ↦ Hv at θ from a gradient code that accepts complex parameters (complex step)."""
    base = np.asarray(theta, dtype=float)

    def product(vector: np.ndarray) -> np.ndarray:
        shifted = base + 1j * COMPLEX_STEP * np.asarray(vector, dtype=float)
        return np.imag(gradient(shifted)) / COMPLEX_STEP

    return product


def dense_from_products(product: HessianVectorProduct, size: int) -> np.ndarray:
    """The matrix whose columns are H e_k (not symmetrised, so asymmetry shows errors)."""
    return np.column_stack([product(column) for column in np.eye(size)])


def top_eigenpairs(product: HessianVectorProduct, size: int, count: int = 1,
                   seed: int = 0, tolerance: float = 1e-10,
                   start: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """The ``count`` algebraically largest eigenvalues (descending) and eigenvectors (columns).

    Lanczos (ARPACK via eigsh, which='LA') on the symmetric operator v ↦ Hv from ``start``
    (default: a Gaussian vector from ``seed``); dense eigh when the problem is too small for
    ARPACK (count ≥ size − 1).
    """
    if not 1 <= count <= size:
        raise ValueError(f"count must be in 1..{size}, got {count}")
    if count >= size - 1:
        values, vectors = np.linalg.eigh(dense_from_products(product, size))
        order = np.argsort(values)[::-1][:count]
        return values[order], vectors[:, order]
    operator = LinearOperator((size, size), matvec=product, dtype=float)
    if start is None:
        start = np.random.default_rng(seed).standard_normal(size)
    values, vectors = eigsh(operator, k=count, which="LA", v0=start, tol=tolerance)
    order = np.argsort(values)[::-1]
    return values[order], vectors[:, order]


def power_iteration(product: HessianVectorProduct, size: int, iterations: int = 1000,
                    seed: int = 0, tolerance: float = 1e-12) -> tuple[float, np.ndarray]:
    """Eigenpair of largest |λ| by power iteration; stops when the Rayleigh quotient settles.

    Converges at the rate |λ₂/λ₁| per step; raises RuntimeError if it has not settled.
    """
    vector = np.random.default_rng(seed).standard_normal(size)
    vector /= np.linalg.norm(vector)
    estimate = np.inf
    for _ in range(iterations):
        image = product(vector)
        rayleigh = float(vector @ image)
        vector = image / np.linalg.norm(image)
        if abs(rayleigh - estimate) <= tolerance * abs(rayleigh):
            return rayleigh, vector
        estimate = rayleigh
    raise RuntimeError(f"power iteration did not settle in {iterations} iterations "
                       f"(last estimate {estimate})")


# ----------------------------------------------------------------------------- scalar chain


class ChainDerivatives:
    """∇f and ∇²f of f = ½(y − x w_1⋯w_L)² by heyoka automatic differentiation (CV2).

    Compiled once per depth; evaluated in batch over many weight draws. x and y are
    runtime parameters.
    """

    def __init__(self, depth: int):
        if depth < 1:
            raise ValueError(f"depth must be ≥ 1, got {depth}")
        self.depth = depth
        weights = [hy.expression(f"w{k}") for k in range(1, depth + 1)]
        product = weights[0]
        for weight in weights[1:]:
            product = product * weight
        residual = hy.par[1] - hy.par[0] * product
        tensors = hy.diff_tensors([0.5 * residual * residual], diff_args=weights,
                                  diff_order=2)
        self._pairs = [tuple(i for i, k in enumerate(multi[1:]) for _ in range(k))
                       for multi, _ in tensors.get_derivatives(2)]
        outputs = list(tensors.gradient) + [e for _, e in tensors.get_derivatives(2)]
        self._function = hy.cfunc(outputs, vars=weights)

    def __call__(self, weights: np.ndarray, x: float, y: float) -> tuple[np.ndarray,
                                                                         np.ndarray]:
        """(gradients (N, L), Hessians (N, L, L)) at the rows of ``weights`` (N, L)."""
        draws = np.ascontiguousarray(np.asarray(weights, dtype=float).T)
        if draws.shape[0] != self.depth:
            raise ValueError(f"weights must have {self.depth} columns")
        count = draws.shape[1]
        pars = np.ascontiguousarray(np.tile([[float(x)], [float(y)]], (1, count)))
        values = self._function(draws, pars=pars)
        gradients = values[:self.depth].T
        hessians = np.zeros((count, self.depth, self.depth))
        for (i, j), row in zip(self._pairs, values[self.depth:], strict=True):
            hessians[:, i, j] = hessians[:, j, i] = row
        return gradients, hessians


@functools.cache
def chain_derivatives(depth: int) -> ChainDerivatives:
    """The compiled :class:`ChainDerivatives` of a depth, built once per process."""
    return ChainDerivatives(depth)
