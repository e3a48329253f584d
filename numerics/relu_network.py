"""Small fully connected networks: forward pass, hand-written backpropagation, saliencies.

y = W_L φ(⋯φ(W_1 x + b_1)⋯) + b_L with φ one of :data:`ACTIVATIONS` (leaky ReLU with any
slope a ∈ [0, 1): a = 0 is ReLU, a = 1 would be linear). Samples are rows: X has shape
(N, n_in). The code is written for three number types, chosen by the parameter array:

* float64 — the everyday case;
* complex128 — complex-step differentiation (numerics.hessian): every operation is complex
  analytic (no conjugation or absolute values; piecewise activations branch on the real part);
* object arrays of ``mpmath.mpf`` — the same computation at any working precision.

Backpropagation is hand-written; the tests check it against finite differences and against
heyoka's automatic derivative of :meth:`MLP.loss_expression` (the same network as a heyoka
expression).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import heyoka as hy
import mpmath
import numpy as np

ACTIVATIONS = ("linear", "leaky_relu", "tanh", "softplus")


def _is_object(values: np.ndarray) -> bool:
    return values.dtype == object


def _real_part(values: np.ndarray) -> np.ndarray:
    return values if _is_object(values) else np.real(values)


def _elementwise(function, values: np.ndarray) -> np.ndarray:
    return np.vectorize(function, otypes=[object])(values)


@dataclass(frozen=True)
class Activation:
    """φ and φ′ for float, complex and mpf arrays, and φ as a heyoka expression."""

    name: str
    slope: float = 0.0

    def __post_init__(self):
        if self.name not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS}, got {self.name!r}")
        if not 0 <= self.slope < 1:
            raise ValueError(f"leaky ReLU slope must be in [0, 1), got {self.slope!r}")

    def __call__(self, z: np.ndarray) -> np.ndarray:
        if self.name == "linear":
            return z
        if self.name == "leaky_relu":
            return np.where(_real_part(z) > 0, z, self.slope * z)
        if self.name == "tanh":
            return _elementwise(mpmath.tanh, z) if _is_object(z) else np.tanh(z)
        if _is_object(z):
            return _elementwise(lambda v: mpmath.log1p(mpmath.exp(v)), z)
        if np.iscomplexobj(z):
            return np.log1p(np.exp(z))
        return np.logaddexp(0.0, z)

    def derivative(self, z: np.ndarray, value: np.ndarray | None = None) -> np.ndarray:
        """φ′(z) (leaky ReLU: 1 for z > 0, the slope otherwise); ``value`` = φ(z) if known."""
        if self.name == "linear":
            return np.ones_like(z)
        if self.name == "leaky_relu":
            one = mpmath.mpf(1) if _is_object(z) else 1.0
            return np.where(_real_part(z) > 0, one, self.slope * one)
        if self.name == "tanh":
            value = self(z) if value is None else value
            return 1 - value * value
        if _is_object(z):
            return _elementwise(lambda v: 1 / (1 + mpmath.exp(-v)), z)
        return 1 / (1 + np.exp(-z))

    def expression(self, z: hy.expression) -> hy.expression:
        """φ(z) for heyoka (automatic differentiation and ODE right-hand sides)."""
        if self.name == "linear":
            return z
        if self.name == "leaky_relu":
            return hy.leaky_relu(self.slope)(z) if self.slope else hy.relu(z)
        if self.name == "tanh":
            return hy.tanh(z)
        return hy.log(1.0 + hy.exp(z))


@dataclass
class ForwardPass:
    """Pre-activations z_l and layer inputs h_{l−1} (h_0 = X) of one pass; output y."""

    inputs: list[np.ndarray]
    pre_activations: list[np.ndarray]
    output: np.ndarray


class MLP:
    """Fully connected network with layer sizes (n_in, n_1, …, n_out).

    Parameters are flattened layer by layer: W_l row-major (shape (n_l, n_{l−1})), then b_l
    when ``bias``. The activation acts on every hidden layer; the output layer is linear.
    """

    def __init__(self, layer_sizes: Sequence[int], activation: Activation, bias: bool = True):
        sizes = tuple(int(n) for n in layer_sizes)
        if len(sizes) < 2 or any(n < 1 for n in sizes):
            raise ValueError(f"layer_sizes needs ≥ 2 positive sizes, got {tuple(layer_sizes)}")
        self.layer_sizes = sizes
        self.activation = activation
        self.bias = bias
        self.shapes = [(sizes[j + 1], sizes[j]) for j in range(len(sizes) - 1)]

    @property
    def depth(self) -> int:
        return len(self.shapes)

    @property
    def n_params(self) -> int:
        return sum(r * c + (r if self.bias else 0) for r, c in self.shapes)

    def unpack(self, theta: np.ndarray) -> list[tuple[np.ndarray, np.ndarray | None]]:
        """Flat parameters → [(W_l, b_l or None)] (views, same dtype)."""
        theta = np.asarray(theta)
        if theta.shape != (self.n_params,):
            raise ValueError(f"expected {self.n_params} parameters, got shape {theta.shape}")
        layers, start = [], 0
        for rows, cols in self.shapes:
            weight = theta[start:start + rows * cols].reshape(rows, cols)
            start += rows * cols
            bias = None
            if self.bias:
                bias = theta[start:start + rows]
                start += rows
            layers.append((weight, bias))
        return layers

    def pack(self, layers: Sequence[tuple[np.ndarray, np.ndarray | None]]) -> np.ndarray:
        """[(W_l, b_l)] → flat parameter vector."""
        parts = []
        for (weight, bias), shape in zip(layers, self.shapes, strict=True):
            if np.shape(weight) != shape:
                raise ValueError(f"expected a weight of shape {shape}, got {np.shape(weight)}")
            parts.append(np.asarray(weight).ravel())
            if self.bias:
                parts.append(np.asarray(bias).ravel())
        return np.concatenate(parts)

    def initialise(self, rng: np.random.Generator, gain: float = 2.0,
                   bias_scale: float = 0.0) -> np.ndarray:
        """W_l entries N(0, gain/n_{l−1}) (gain 2: He, 1: LeCun/Xavier), biases N(0, scale²)."""
        layers = [(rng.standard_normal(shape) * np.sqrt(gain / shape[1]),
                   rng.standard_normal(shape[0]) * bias_scale if self.bias else None)
                  for shape in self.shapes]
        return self.pack(layers)

    # ------------------------------------------------------------------------- passes

    def forward(self, theta: np.ndarray, inputs: np.ndarray) -> ForwardPass:
        """z_l = h_{l−1}W_lᵀ + b_l, h_l = φ(z_l) for hidden layers, y = z_L."""
        hidden = np.asarray(inputs)
        if hidden.ndim != 2 or hidden.shape[1] != self.layer_sizes[0]:
            raise ValueError(f"inputs must have shape (N, {self.layer_sizes[0]})")
        layer_inputs, pre_activations = [], []
        for index, (weight, bias) in enumerate(self.unpack(theta)):
            layer_inputs.append(hidden)
            z = hidden @ weight.T
            if bias is not None:
                z = z + bias
            pre_activations.append(z)
            hidden = z if index == self.depth - 1 else self.activation(z)
        return ForwardPass(layer_inputs, pre_activations, hidden)

    def output(self, theta: np.ndarray, inputs: np.ndarray) -> np.ndarray:
        return self.forward(theta, inputs).output

    def backward(self, theta: np.ndarray, state: ForwardPass,
                 output_gradient: np.ndarray) -> list[np.ndarray]:
        """Per-sample δ_l = ∂R/∂z_l for R with ∂R/∂y = ``output_gradient`` (rows: samples)."""
        layers = self.unpack(theta)
        delta = np.asarray(output_gradient)
        deltas = [delta]
        for index in range(self.depth - 1, 0, -1):
            upstream = delta @ layers[index][0]
            delta = upstream * self.activation.derivative(state.pre_activations[index - 1],
                                                          state.inputs[index])
            deltas.append(delta)
        return deltas[::-1]

    def parameter_gradient(self, theta: np.ndarray, state: ForwardPass,
                           deltas: list[np.ndarray]) -> np.ndarray:
        """∂R/∂θ = Σ_samples (δ_l h_{l−1}ᵀ, δ_l) flattened like θ."""
        parts = []
        for delta, layer_input in zip(deltas, state.inputs, strict=True):
            parts.append((delta.T @ layer_input).ravel())
            if self.bias:
                parts.append(delta.sum(axis=0))
        return np.concatenate(parts)

    def gradient_of(self, theta: np.ndarray, inputs: np.ndarray,
                    output_gradient) -> np.ndarray:
        """∂R/∂θ for R(y) with ∂R/∂y given as a function of the output (rows: samples)."""
        state = self.forward(theta, inputs)
        deltas = self.backward(theta, state, output_gradient(state.output))
        return self.parameter_gradient(theta, state, deltas)

    # ------------------------------------------------------------------------- loss

    def loss(self, theta: np.ndarray, inputs: np.ndarray, targets: np.ndarray):
        """L(θ) = (1/2N) Σ_n ‖y_n − t_n‖² (mean squared error; analytic for complex θ)."""
        residual = self.output(theta, inputs) - targets
        return (residual * residual).sum() / (2 * len(inputs))

    def loss_gradient(self, theta: np.ndarray, inputs: np.ndarray,
                      targets: np.ndarray) -> np.ndarray:
        """∇L by backpropagation."""
        count = len(inputs)
        return self.gradient_of(theta, inputs, lambda output: (output - targets) / count)

    def per_sample_gradient_gram(self, theta: np.ndarray, inputs: np.ndarray,
                                 targets: np.ndarray) -> np.ndarray:
        """G_nm = ⟨∇f_n, ∇f_m⟩ for f_n = ½‖y_n − t_n‖² (GC3).

        ∇_{W_l} f_n = δ_l^n (h_{l−1}^n)ᵀ and ∇_{b_l} f_n = δ_l^n, so
        G = Σ_l (Δ_lΔ_lᵀ) ⊙ (H_{l−1}H_{l−1}ᵀ + 1), without forming per-sample gradients.
        """
        state = self.forward(theta, inputs)
        deltas = self.backward(theta, state, state.output - targets)
        gram = 0
        for delta, layer_input in zip(deltas, state.inputs, strict=True):
            gram = gram + (delta @ delta.T) * (layer_input @ layer_input.T + float(self.bias))
        return gram

    def per_sample_gradients(self, theta: np.ndarray, inputs: np.ndarray,
                             targets: np.ndarray) -> np.ndarray:
        """∇f_n for every sample (rows), f_n = ½‖y_n − t_n‖² (explicit; small networks)."""
        return np.array([self.gradient_of(theta, inputs[n:n + 1],
                                          lambda output, n=n: output - targets[n:n + 1])
                         for n in range(len(inputs))])

    # ------------------------------------------------------------------------- saliency

    def saliencies(self, theta: np.ndarray, inputs: np.ndarray,
                   output_gradient) -> list[tuple[np.ndarray, np.ndarray | None]]:
        """S = (∂R/∂θ) ⊙ θ per layer as [(S_W, S_b)] (SF1, SF2)."""
        gradient = self.gradient_of(theta, inputs, output_gradient)
        return self.unpack(gradient * np.asarray(theta))

    # ------------------------------------------------------------------------- heyoka

    def variables(self) -> list[hy.expression]:
        """heyoka variables named like the flat parameters (w{l}_{i}_{j}, b{l}_{i})."""
        names = []
        for layer, (rows, cols) in enumerate(self.shapes, start=1):
            names += [f"w{layer}_{i}_{j}" for i in range(rows) for j in range(cols)]
            if self.bias:
                names += [f"b{layer}_{i}" for i in range(rows)]
        return [hy.expression(name) for name in names]

    def loss_expression(self, inputs: np.ndarray, targets: np.ndarray) -> hy.expression:
        """L(θ) = (1/2N) Σ‖y_n − t_n‖² as a heyoka expression of :meth:`variables`.

        The data enter as numeric constants (exact binary floats, so the same problem at
        every precision).
        """
        layers = self.unpack(np.array(self.variables(), dtype=object))
        inputs, targets = np.asarray(inputs, dtype=float), np.asarray(targets, dtype=float)
        terms = []
        for sample, target in zip(inputs, targets, strict=True):
            hidden = [hy.expression(float(v)) for v in sample]
            for index, (weight, bias) in enumerate(layers):
                z = [hy.sum([weight[i, j] * hidden[j] for j in range(len(hidden))])
                     + (bias[i] if bias is not None else 0.0) for i in range(weight.shape[0])]
                hidden = z if index == self.depth - 1 else [self.activation.expression(v)
                                                            for v in z]
            terms += [(out - float(t)) * (out - float(t)) for out, t in zip(hidden, target,
                                                                            strict=True)]
        return hy.sum(terms) / (2.0 * len(inputs))

    def hidden_pre_activation_expressions(self, inputs: np.ndarray) -> list[hy.expression]:
        """z_l[j] of every hidden neuron for every sample, as heyoka expressions of
        :meth:`variables` (event functions: a leaky-ReLU kink is z = 0)."""
        layers = self.unpack(np.array(self.variables(), dtype=object))
        out = []
        for sample in np.asarray(inputs, dtype=float):
            hidden = [hy.expression(float(v)) for v in sample]
            for weight, bias in layers[:-1]:
                z = [hy.sum([weight[i, j] * hidden[j] for j in range(len(hidden))])
                     + (bias[i] if bias is not None else 0.0) for i in range(weight.shape[0])]
                out += z
                hidden = [self.activation.expression(v) for v in z]
        return out
