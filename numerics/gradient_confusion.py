"""Per-sample gradient Gram matrices of random fully connected networks at initialisation
(claims GC3, GC4), sampled exactly in law with O(N·width) random numbers per layer.

Network: y = W_L φ(⋯φ(W_1 x)⋯) with zero biases at initialisation (biases are parameters:
their gradients count), W_l entries i.i.d. N(0, gain/n_{l−1}), the output layer times
``output_scale``. For N samples with per-sample losses f_n = ½‖y_n − t_n‖², backpropagation
gives ∇_{W_l} f_n = δ_l^n (h_{l−1}^n)ᵀ, ∇_{b_l} f_n = δ_l^n, so the Gram matrix of the
per-sample gradients is G = Σ_l (Δ_lΔ_lᵀ) ⊙ (H_{l−1}H_{l−1}ᵀ + 1) (as
:meth:`numerics.relu_network.MLP.per_sample_gradient_gram`).

A weight matrix W (n_out × n_in) enters the forward pass only through H Wᵀ and the backward
pass only through Δ W. With Q an orthonormal basis (n_in × k) of the row space of H and
P = I − QQᵀ, W = (WQ)Qᵀ + WP, where WQ and WP are independent Gaussian matrices (rotation
invariance of i.i.d. Gaussian entries): H Wᵀ = (HQ)(WQ)ᵀ, and
Δ W = Δ(WQ)Qᵀ + (Δ W̃)P with W̃ an independent copy of W. Writing Δᵀ = Q_Δ R_Δ (QR),
Δ W̃ = R_Δᵀ(Q_ΔᵀW̃) and Q_ΔᵀW̃ is again an i.i.d. Gaussian (k′ × n_in) matrix. So each layer
needs the Gaussian blocks WQ (n_out × k) and Q_ΔᵀW̃ (k′ × n_in), k, k′ ≤ N, instead of the
full n_out × n_in matrix — exact in law, not an approximation. Layers with fan-in at most
:data:`FULL_FAN_IN_FACTOR`·N are drawn in full (cheaper there than two blocks and their QR
factorisations). :func:`gram_from_weights` runs the same computation with the blocks taken
from given full matrices (W̃ = W), which reproduces the explicit network exactly (tests).

Arrays carry a leading batch axis: ``draws`` independent initialisations are propagated
together.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from flowcert.numerics.relu_network import Activation

#: A source of Gaussian blocks: block(layer, kind, basis, shape) for kind "forward" (WQ with
#: Q = basis) or "backward" (Q_ΔᵀW̃ with Q_Δ = basis); basis has shape (draws, n, k).
BlockSource = Callable[[int, str, np.ndarray, tuple[int, ...]], np.ndarray]
#: Layers with fan-in ≤ FULL_FAN_IN_FACTOR·N draw their full weight matrix (timed: the blocks
#: win from fan-in ≈ 8N on).
FULL_FAN_IN_FACTOR = 4


def layer_sizes(input_dimension: int, width: int, hidden: int) -> tuple[int, ...]:
    """(n_in, width × hidden, 1): ``hidden`` hidden layers of ``width`` units, scalar output."""
    for name, value in (("input_dimension", input_dimension), ("width", width),
                        ("hidden", hidden)):
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return (int(input_dimension),) + (int(width),) * int(hidden) + (1,)


def gradient_grams(rng: np.random.Generator, inputs: np.ndarray, targets: np.ndarray,
                   width: int, hidden: int, activation: Activation, gain: float,
                   draws: int, output_scale: float = 1.0) -> np.ndarray:
    """Per-sample gradient Gram matrices of ``draws`` random initialisations, (draws, N, N).

    Weights N(0, gain/n_{l−1}) (gain 1: LeCun, 2: He), output layer × ``output_scale``.
    """
    if isinstance(draws, bool) or not isinstance(draws, int | np.integer) or draws < 1:
        raise ValueError(f"draws must be a positive integer, got {draws!r}")
    if not (np.isfinite(gain) and gain > 0 and np.isfinite(output_scale) and output_scale > 0):
        raise ValueError(f"gain and output_scale must be finite and > 0, got {gain}, "
                         f"{output_scale}")
    sizes = layer_sizes(np.shape(inputs)[1], width, hidden)
    scales = [np.sqrt(gain / n_in) for n_in in sizes[:-1]]
    scales[-1] *= output_scale

    def block(layer: int, _kind: str, basis: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        return scales[layer] * rng.standard_normal((draws,) + shape)

    return _grams(np.asarray(inputs, dtype=float), np.asarray(targets, dtype=float), sizes,
                  activation, block, draws)


def gram_from_weights(weights: Sequence[np.ndarray], inputs: np.ndarray,
                      targets: np.ndarray, activation: Activation) -> np.ndarray:
    """The same computation with the blocks cut from given full matrices W_l (one draw):
    WQ and Q_ΔᵀW; equals the explicit network's Gram matrix up to rounding."""
    sizes = (weights[0].shape[1],) + tuple(w.shape[0] for w in weights)

    def block(layer: int, kind: str, basis: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
        matrix = np.asarray(weights[layer], dtype=float)
        if kind == "forward":
            return matrix @ basis if basis is not None else matrix[None]
        return np.swapaxes(basis, -1, -2) @ matrix

    return _grams(np.asarray(inputs, dtype=float), np.asarray(targets, dtype=float), sizes,
                  activation, block, 1)[0]


def _grams(inputs: np.ndarray, targets: np.ndarray, sizes: tuple[int, ...],
           activation: Activation, block: BlockSource, draws: int) -> np.ndarray:
    count = len(inputs)
    if inputs.ndim != 2 or targets.shape != (count, sizes[-1]):
        raise ValueError(f"inputs must be (N, n_in) and targets (N, {sizes[-1]}), got "
                         f"{inputs.shape}, {targets.shape}")
    depth = len(sizes) - 1
    hidden = np.broadcast_to(inputs, (draws,) + inputs.shape)
    layer_inputs, pre_activations, forward = [], [], []
    for layer in range(depth):
        n_in, n_out = sizes[layer], sizes[layer + 1]
        layer_inputs.append(hidden)
        if n_in <= FULL_FAN_IN_FACTOR * count:  # drawn in full: W is (n_out, n_in)
            weight = block(layer, "forward", None, (n_out, n_in))
            z = hidden @ np.swapaxes(weight, -1, -2)
            forward.append((None, weight))
        else:
            basis, triangle = np.linalg.qr(np.swapaxes(hidden, -1, -2))  # Hᵀ = QR
            projected = block(layer, "forward", basis, (n_out, basis.shape[-1]))  # WQ
            z = np.swapaxes(triangle, -1, -2) @ np.swapaxes(projected, -1, -2)  # HQ(WQ)ᵀ
            forward.append((basis, projected))
        pre_activations.append(z)
        hidden = z if layer == depth - 1 else activation(z)
    delta = hidden - targets
    gram = np.zeros((draws, count, count))
    for layer in range(depth - 1, -1, -1):
        previous = layer_inputs[layer]
        gram += (delta @ np.swapaxes(delta, -1, -2)) * (previous @ np.swapaxes(previous, -1,
                                                                                 -2) + 1)
        if layer == 0:
            break
        basis, matrix = forward[layer]
        if basis is None:
            upstream = delta @ matrix
        else:
            delta_basis, delta_triangle = np.linalg.qr(np.swapaxes(delta, -1, -2))
            fresh = block(layer, "backward", delta_basis,
                          (delta_basis.shape[-1], sizes[layer]))  # Q_ΔᵀW̃
            outside = np.swapaxes(delta_triangle, -1, -2) @ fresh  # ΔW̃
            outside = outside - (outside @ basis) @ np.swapaxes(basis, -1, -2)  # ΔW̃P
            upstream = (delta @ matrix) @ np.swapaxes(basis, -1, -2) + outside
        delta = upstream * activation.derivative(pre_activations[layer - 1],
                                                 layer_inputs[layer])
    return gram


def minimum_cosines(grams: np.ndarray) -> np.ndarray:
    """min_{i≠j} G_ij/√(G_ii G_jj) of each Gram matrix in a (draws, N, N) stack."""
    grams = np.asarray(grams, dtype=float)
    norms = np.sqrt(np.einsum("bii->bi", grams))
    cosines = grams / (norms[:, :, None] * norms[:, None, :])
    off_diagonal = ~np.eye(grams.shape[-1], dtype=bool)
    return cosines[:, off_diagonal].min(axis=1)
