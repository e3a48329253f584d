"""Deep linear networks ŷ = W_N⋯W_1 x on whitened inputs.

Loss (DL setup of THEORY.md): L(W) = ½‖T − W_N⋯W_1‖²_F with T = Σyx. The gradient flow
τ dW/dt = −∇L is obtained by automatic differentiation of this expression; the target
entries and τ are runtime parameters, so one compiled integrator serves every target of a
given architecture.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

import heyoka as hy
import numpy as np

from flowcert.numerics.flows import VectorField, gradient_flow, loss_gradient


def _matmul(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """Matrix product of two object arrays of heyoka expressions."""
    rows, inner = left.shape
    cols = right.shape[1]
    out = np.empty((rows, cols), dtype=object)
    for i in range(rows):
        for j in range(cols):
            out[i, j] = hy.sum([left[i, k] * right[k, j] for k in range(inner)])
    return out


class DeepLinearNetwork:
    """A product of ``len(layer_sizes) - 1`` weight matrices.

    ``layer_sizes = (n_in, n_1, …, n_out)``; W_j has shape (n_j, n_{j−1}). Weights are
    flattened layer by layer in row-major order.
    """

    def __init__(self, layer_sizes: Sequence[int]):
        sizes = tuple(int(n) for n in layer_sizes)
        if len(sizes) < 2 or any(n < 1 for n in sizes):
            raise ValueError(f"layer_sizes needs ≥ 2 positive sizes, got {tuple(layer_sizes)}")
        self.layer_sizes = sizes
        self.shapes = [(sizes[j + 1], sizes[j]) for j in range(len(sizes) - 1)]
        self.key = "deep_linear:" + "-".join(map(str, sizes))

    @property
    def depth(self) -> int:
        """Number of weight matrices N."""
        return len(self.shapes)

    @property
    def n_weights(self) -> int:
        return sum(r * c for r, c in self.shapes)

    @property
    def target_shape(self) -> tuple[int, int]:
        return self.layer_sizes[-1], self.layer_sizes[0]

    @cached_property
    def _symbols(self) -> tuple[list, hy.expression]:
        variables = [hy.expression(f"w{j}_{r}_{c}")
                     for j, (rows, cols) in enumerate(self.shapes, start=1)
                     for r in range(rows) for c in range(cols)]
        matrices = self.unpack(np.array(variables, dtype=object))
        product = self.end_to_end(matrices, matmul=_matmul)
        n_out, n_in = self.target_shape
        residuals = [hy.par[i * n_in + j] - product[i, j]
                     for i in range(n_out) for j in range(n_in)]
        loss = 0.5 * hy.sum([r * r for r in residuals])
        return variables, loss

    @cached_property
    def vector_field(self) -> VectorField:
        """τ dW/dt = −∇L(W); parameters: the target row-major, then τ."""
        variables, loss = self._symbols
        return gradient_flow(self.key, loss, variables, self.target_shape[0] *
                             self.target_shape[1])

    @cached_property
    def _gradient_function(self):
        variables, loss = self._symbols
        return hy.cfunc(loss_gradient(loss, variables), vars=variables)

    def flow_parameters(self, target: np.ndarray, tau=1) -> list:
        """Runtime parameters of :attr:`vector_field`: T row-major, then τ."""
        target = np.asarray(target, dtype=object)
        if target.shape != self.target_shape:
            raise ValueError(f"target must have shape {self.target_shape}, got {target.shape}")
        return list(target.ravel()) + [tau]

    def unpack(self, weights: np.ndarray) -> list[np.ndarray]:
        """Flat weight vector → [W_1, …, W_N]."""
        weights = np.asarray(weights)
        if weights.shape != (self.n_weights,):
            raise ValueError(f"expected {self.n_weights} weights, got shape {weights.shape}")
        out, start = [], 0
        for rows, cols in self.shapes:
            out.append(weights[start:start + rows * cols].reshape(rows, cols))
            start += rows * cols
        return out

    def pack(self, matrices: Sequence[np.ndarray]) -> np.ndarray:
        """[W_1, …, W_N] → flat weight vector (dtype of the inputs)."""
        if [np.shape(m) for m in matrices] != self.shapes:
            raise ValueError(f"expected matrices of shapes {self.shapes}")
        return np.concatenate([np.asarray(m).ravel() for m in matrices])

    @staticmethod
    def end_to_end(matrices: Sequence[np.ndarray], matmul=np.matmul) -> np.ndarray:
        """W_N⋯W_1 (works for float and mpf object arrays)."""
        product = matrices[0]
        for matrix in matrices[1:]:
            product = matmul(matrix, product)
        return product

    def loss(self, weights: np.ndarray, target: np.ndarray) -> float:
        """½‖T − W_N⋯W_1‖²_F in float64 (NumPy, independent of the compiled gradient)."""
        residual = np.asarray(target, dtype=float) - self.end_to_end(
            self.unpack(np.asarray(weights, dtype=float)))
        return 0.5 * float(np.sum(residual ** 2))

    def gradient(self, weights: np.ndarray, target: np.ndarray) -> np.ndarray:
        """∇L in float64 from the compiled automatic derivative of the loss."""
        target = np.asarray(target, dtype=float)
        if target.shape != self.target_shape:
            raise ValueError(f"target must have shape {self.target_shape}, got {target.shape}")
        return self._gradient_function(np.asarray(weights, dtype=float), pars=target.ravel())

    def gradient_descent(self, weights: np.ndarray, target: np.ndarray, step: float,
                         n_steps: int) -> np.ndarray:
        """Iterates W_{k+1} = W_k − η∇L(W_k), k = 0..n_steps; shape (n_steps + 1, n_weights)."""
        if not step > 0 or n_steps < 0:
            raise ValueError(f"need step > 0 and n_steps ≥ 0, got {step}, {n_steps}")
        iterates = np.empty((n_steps + 1, self.n_weights))
        iterates[0] = np.asarray(weights, dtype=float)
        for k in range(n_steps):
            iterates[k + 1] = iterates[k] - step * self.gradient(iterates[k], target)
            if not np.all(np.isfinite(iterates[k + 1])):
                raise FloatingPointError(f"gradient descent diverged at step {k + 1}")
        return iterates


def balancedness(matrices: Sequence[np.ndarray]) -> list[np.ndarray]:
    """W_{j+1}ᵀW_{j+1} − W_jW_jᵀ for j = 1..N−1 (the DL5 conserved quantities)."""
    return [matrices[j + 1].T @ matrices[j + 1] - matrices[j] @ matrices[j].T
            for j in range(len(matrices) - 1)]
