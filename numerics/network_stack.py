"""Many parameter vectors of one small network at once, on shared data (EOS2–EOS4).

A :class:`NetworkStack` evaluates the network of :class:`~numerics.relu_network.MLP` (same
layer sizes, activation and flat parameter layout: W_l row-major, then b_l) for a stack Θ of
shape (B, P) — B parameter vectors, e.g. one per seed — with batched matrix products
instead of a Python loop over the rows:

* :meth:`NetworkStack.loss` — L_N(θ) = (1/2N) Σ_n ‖y_n(θ) − t_n‖² (the mean loss);
* :meth:`NetworkStack.gradient` — ∇L_N by backpropagation;
* :meth:`NetworkStack.hessian_products` — ∇²L_N v for a block of directions, exactly, by
  differentiating the backpropagation forward along v (Pearlmutter's R-operator);
* :meth:`NetworkStack.sample_gradient_norms` — ‖∇ℓ_n‖ for ℓ_n = ½‖y_n − t_n‖², from
  ∇_{W_l}ℓ_n = δ_l^n (h_{l−1}^n)ᵀ and ∇_{b_l}ℓ_n = δ_l^n:
  ‖∇ℓ_n‖² = Σ_l ‖δ_l^n‖² (‖h_{l−1}^n‖² + 1), without forming the per-sample gradients.

:func:`descent_path` iterates θ ← θ − η∇L(θ) with any gradient code, keeping the
parameters at chosen steps, and :func:`stacked_descent` runs GD for every row of a stack at
once. The tests match everything against :class:`~numerics.relu_network.MLP`
(backpropagation) and its complex-step Hessian-vector products.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from flowcert.numerics.relu_network import MLP


class NetworkStack:
    """The network of ``network`` (an :class:`MLP`) evaluated on stacks Θ of shape (B, P)."""

    def __init__(self, network: MLP):
        if not network.bias:
            raise ValueError("NetworkStack needs a network with biases")
        self.network = network
        self.size = network.n_params
        offsets, start = [], 0
        for rows, cols in network.shapes:
            offsets.append((start, start + rows * cols, start + rows * cols + rows))
            start += rows * cols + rows
        self._offsets = offsets
        self._scratch: dict = {}

    def unpack(self, stack: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Θ (B, P) → [(W_l (B, n_l, n_{l−1}), b_l (B, n_l))] (views)."""
        stack = np.asarray(stack)
        if stack.ndim != 2 or stack.shape[1] != self.size:
            raise ValueError(f"expected a stack of shape (B, {self.size}), got {stack.shape}")
        return [(stack[:, a:b].reshape(len(stack), rows, cols), stack[:, b:c])
                for (a, b, c), (rows, cols) in zip(self._offsets, self.network.shapes,
                                                   strict=True)]

    def _forward(self, layers, inputs: np.ndarray):
        """Layer inputs h_{l−1} (h_0 = X, (N, n_in), shared), pre-activations z_l and the
        output, each (B, N, ·)."""
        hidden = np.asarray(inputs)
        layer_inputs, pre_activations = [], []
        for index, (weight, bias) in enumerate(layers):
            layer_inputs.append(hidden)
            z = np.matmul(hidden, weight.transpose(0, 2, 1)) + bias[:, None, :]
            pre_activations.append(z)
            hidden = z if index == len(layers) - 1 else self.network.activation(z)
        return layer_inputs, pre_activations, hidden

    def _deltas(self, layers, layer_inputs, pre_activations,
                output_gradient: np.ndarray) -> list[np.ndarray]:
        """δ_l = ∂R/∂z_l per sample, (B, N, n_l), from ∂R/∂y = ``output_gradient``."""
        delta = output_gradient
        deltas = [delta]
        for index in range(len(layers) - 1, 0, -1):
            upstream = np.matmul(delta, layers[index][0])
            delta = upstream * self.network.activation.derivative(pre_activations[index - 1],
                                                                  layer_inputs[index])
            deltas.append(delta)
        return deltas[::-1]

    def outputs(self, stack: np.ndarray, inputs: np.ndarray) -> np.ndarray:
        """y(θ) for every row θ of the stack: (B, N, n_out)."""
        return self._forward(self.unpack(stack), inputs)[2]

    def loss(self, stack: np.ndarray, inputs: np.ndarray, targets: np.ndarray) -> np.ndarray:
        """L_N(θ) = (1/2N) Σ_n ‖y_n − t_n‖² for every row: (B,)."""
        residual = self.outputs(stack, inputs) - targets
        return (residual * residual).sum(axis=(1, 2)) / (2 * len(inputs))

    def gradient(self, stack: np.ndarray, inputs: np.ndarray,
                 targets: np.ndarray) -> np.ndarray:
        """∇L_N for every row (backpropagation): (B, P).

        The hot loop of :func:`stacked_descent`: every (B, N, n_l) intermediate lives in a
        buffer reused from call to call (allocating them afresh costs more than the
        arithmetic at these sizes), and products with a unit inner dimension are broadcast
        multiplications.
        """
        layers = self.unpack(stack)
        inputs = np.asarray(inputs)
        count = len(inputs)
        buffers = self._buffers(len(stack), count, np.result_type(stack, inputs))
        hidden, layer_inputs, slopes = inputs, [], []
        for index, (weight, bias) in enumerate(layers):
            layer_inputs.append(hidden)
            z = buffers[index]
            _product(hidden, weight.transpose(0, 2, 1), z)
            z += bias[:, None, :]
            if index < len(layers) - 1:
                hidden, slope = self._activate(z, buffers[len(layers) + index])
                slopes.append(slope)
        delta = z
        delta -= targets
        delta /= count
        parts: list = []
        for index in range(len(layers) - 1, -1, -1):
            parts[:0] = [np.matmul(delta.transpose(0, 2, 1), layer_inputs[index]).reshape(
                len(delta), -1), delta.sum(axis=1)]
            if index:
                upstream = buffers[2 * len(layers) + index - 2]
                _product(delta, layers[index][0], upstream)
                upstream *= slopes[index - 1]
                delta = upstream
        return np.concatenate(parts, axis=1)

    def _buffers(self, rows: int, count: int, dtype) -> list[np.ndarray]:
        """Scratch arrays of one (B, N, dtype): z_l, then h_l and φ′(z_l) pairs, then δ_l."""
        key = (rows, count, np.dtype(dtype))
        if key not in self._scratch:
            widths = self.network.layer_sizes[1:]
            hidden = widths[:-1]
            self._scratch = {key: [np.empty((rows, count, n), dtype) for n in widths]
                             + [np.empty((2, rows, count, n), dtype) for n in hidden]
                             + [np.empty((rows, count, n), dtype) for n in hidden]}
        return self._scratch[key]

    def _activate(self, z: np.ndarray, pair: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(φ(z), φ′(z)) written into ``pair`` (tanh in place; other activations copied)."""
        value, slope = pair
        if self.network.activation.name == "tanh":
            np.tanh(z, out=value)
            np.multiply(value, value, out=slope)
            np.subtract(1, slope, out=slope)
        else:
            value[...] = self.network.activation(z)
            slope[...] = self.network.activation.derivative(z, value)
        return value, slope

    def sample_gradient_norms(self, stack: np.ndarray, inputs: np.ndarray,
                              targets: np.ndarray) -> np.ndarray:
        """‖∇ℓ_n(θ)‖ for ℓ_n = ½‖y_n − t_n‖², every row and sample: (B, N) (real θ)."""
        layers = self.unpack(np.asarray(stack, dtype=float))
        layer_inputs, pre_activations, output = self._forward(layers, inputs)
        deltas = self._deltas(layers, layer_inputs, pre_activations, output - targets)
        squared = sum((delta * delta).sum(axis=-1) * ((hidden * hidden).sum(axis=-1) + 1)
                      for delta, hidden in zip(deltas, layer_inputs, strict=True))
        return np.sqrt(squared)

    def hessian_products(self, theta: np.ndarray, vectors: np.ndarray, inputs: np.ndarray,
                         targets: np.ndarray) -> np.ndarray:
        """∇²L_N(θ) v for the columns v of ``vectors`` (P, m): (P, m), exact to rounding.

        Forward-over-reverse differentiation (Pearlmutter's R-operator) of the
        backpropagation above along each direction v = (dW_l, db_l), in real arithmetic:
        ż_l = ḣ_{l−1}W_lᵀ + h_{l−1}dW_lᵀ + db_l (ḣ_0 = 0), ḣ_l = φ′(z_l)ż_l;
        δ̇_L = ż_L/N, δ̇_l = (δ̇_{l+1}W_{l+1} + δ_{l+1}dW_{l+1})φ′(z_l) + (δ_{l+1}W_{l+1})φ″(z_l)ż_l;
        (Hv)_{W_l} = δ̇_lᵀh_{l−1} + δ_lᵀḣ_{l−1}, (Hv)_{b_l} = Σ_n δ̇_l.
        """
        name = self.network.activation.name
        if name not in _SECOND_DERIVATIVES:
            raise ValueError(f"no φ″ for activation {name!r}")
        activation = self.network.activation
        layers = self.unpack(np.asarray(theta, dtype=float)[None, :])
        directions = self.unpack(np.asarray(vectors, dtype=float).T)
        layer_inputs, pre_activations, output = self._forward(layers, inputs)
        last = len(layers) - 1
        hidden_dots: list = [None]          # ḣ_0 = 0
        z_dots = []
        for index, ((weight, _), (d_weight, d_bias)) in enumerate(zip(layers, directions,
                                                                      strict=True)):
            z_dot = np.matmul(layer_inputs[index], d_weight.transpose(0, 2, 1)) \
                + d_bias[:, None, :]
            if hidden_dots[index] is not None:
                z_dot = z_dot + np.matmul(hidden_dots[index], weight.transpose(0, 2, 1))
            z_dots.append(z_dot)
            if index < last:
                hidden_dots.append(activation.derivative(pre_activations[index],
                                                         layer_inputs[index + 1]) * z_dot)
        count = len(inputs)
        delta, delta_dot = (output - targets) / count, z_dots[last] / count
        parts: list = []
        for index in range(last, -1, -1):
            hidden, hidden_dot = layer_inputs[index], hidden_dots[index]
            weight_part = np.matmul(delta_dot.transpose(0, 2, 1), hidden)
            if hidden_dot is not None:
                weight_part = weight_part + np.matmul(delta.transpose(0, 2, 1), hidden_dot)
            parts[:0] = [weight_part.reshape(len(weight_part), -1), delta_dot.sum(axis=1)]
            if index == 0:
                break
            weight, d_weight = layers[index][0], directions[index][0]
            upstream = np.matmul(delta, weight)
            upstream_dot = np.matmul(delta_dot, weight) + np.matmul(delta, d_weight)
            slope = activation.derivative(pre_activations[index - 1], hidden)
            curvature = _SECOND_DERIVATIVES[name](hidden)
            delta_dot = upstream_dot * slope + upstream * curvature * z_dots[index - 1]
            delta = upstream * slope
        return np.concatenate(parts, axis=1).T


def _product(left: np.ndarray, right: np.ndarray, out: np.ndarray) -> None:
    """out = left @ right (batched), as a broadcast product when the inner size is 1."""
    if left.shape[-1] == 1:
        np.multiply(left, right, out=out)
    else:
        np.matmul(left, right, out=out)


#: φ″ as a function of the activation's value h = φ(z) (tanh: φ″ = −2h(1 − h²)).
_SECOND_DERIVATIVES = {"tanh": lambda h: -2 * h * (1 - h * h)}


@dataclass
class DescentPath:
    """Gradient descent θ_{k+1} = θ_k − η∇L(θ_k): the loss at every step and the
    parameters at the kept steps (``kept[k]`` = θ_k)."""

    step: float
    losses: list[float]
    kept: dict[int, np.ndarray]
    final_parameters: np.ndarray


def descent_path(loss: Callable[[np.ndarray], float],
                 gradient: Callable[[np.ndarray], np.ndarray], start: np.ndarray,
                 step: float, steps: int, keep: Sequence[int] = ()) -> DescentPath:
    """Full-batch GD for ``steps`` steps keeping θ_k for k in ``keep``.

    The iteration is θ ← θ − η·gradient(θ) in float64, exactly as
    :func:`numerics.gradient_descent.full_batch_descent` performs it (same operations, so
    the same iterates). Raises FloatingPointError if the loss stops being finite.
    """
    if not step > 0 or steps < 0:
        raise ValueError(f"need step > 0 and steps ≥ 0, got {step}, {steps}")
    wanted = set(int(k) for k in keep)
    theta = np.asarray(start, dtype=float)
    losses, kept = [], {}
    for k in range(steps + 1):
        value = float(loss(theta))
        if not np.isfinite(value):
            raise FloatingPointError(f"gradient descent diverged at step {k}")
        losses.append(value)
        if k in wanted:
            kept[k] = theta
        if k < steps:
            theta = theta - step * gradient(theta)
    return DescentPath(step, losses, kept, theta)


def stacked_descent(stack: NetworkStack, starts: np.ndarray, rates: np.ndarray,
                    inputs: np.ndarray, targets: np.ndarray, steps: int) -> np.ndarray:
    """Full-batch GD of every row of ``starts`` (B, P) with its own step η_b, together:
    the final parameters (B, P). Raises FloatingPointError if any row stops being finite."""
    theta = np.array(starts, dtype=float)
    rates = np.asarray(rates, dtype=float)[:, None]
    for _ in range(steps):
        theta = theta - rates * stack.gradient(theta, inputs, targets)
    if not np.all(np.isfinite(theta)):
        raise FloatingPointError("stacked gradient descent diverged")
    return theta
