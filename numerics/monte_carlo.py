"""Monte Carlo sampling of random networks at initialisation (CV, GC families).

Every sampler takes a ``numpy.random.Generator``; :func:`generator` builds one from a base
seed and string/integer keys through ``numpy.random.SeedSequence``, so each (claim, width,
depth) stream is reproducible and independent of the others. Products of many random
factors are accumulated as sums of logarithms, and propagated vectors are renormalised at
every layer, so depths in the hundreds never underflow or overflow.

Nothing here uses the laws the theory predicts: the networks are multiplied out with their
actual Gaussian weight matrices.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

#: Paths propagated together: keeps a chunk's weight tensor near 2^19 numbers (4 MB).
_CHUNK_NUMBERS = 2**19


def generator(base_seed: int, *keys: str | int) -> np.random.Generator:
    """A Generator from SeedSequence(base_seed, spawn_key = keys); strings hashed by CRC-32."""
    if isinstance(base_seed, bool) or not isinstance(base_seed, int | np.integer) \
            or base_seed < 0:
        raise ValueError(f"base_seed must be a non-negative integer, got {base_seed!r}")
    return np.random.default_rng(np.random.SeedSequence(int(base_seed),
                                                        spawn_key=tuple(map(_key, keys))))


def _key(key) -> int:
    """A spawn key: strings by CRC-32, integers as they are; anything else (a float such as
    0.5, which int() would silently merge with 0) is refused — pass it as a string."""
    if isinstance(key, str):
        return zlib.crc32(key.encode())
    if isinstance(key, int | np.integer) and not isinstance(key, bool) and key >= 0:
        return int(key)
    raise ValueError(f"generator keys must be strings or non-negative integers, got {key!r}")


def _check_sizes(**sizes: int) -> None:
    for name, value in sizes.items():
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value < 1:
            raise ValueError(f"{name} must be a positive integer, got {value!r}")


def _check_scale(sigma: float) -> None:
    if not (np.isfinite(sigma) and sigma > 0):
        raise ValueError(f"sigma must be a finite number > 0, got {sigma!r}")


# ----------------------------------------------------------------------------- scalar chain


def scalar_chain_log_products(rng: np.random.Generator, depth: int, samples: int,
                              sigma: float) -> np.ndarray:
    """log|w_1⋯w_L| for L = 1..depth, w_i i.i.d. N(0, σ²); shape (samples, depth) (CV1)."""
    _check_sizes(depth=depth, samples=samples)
    _check_scale(sigma)
    weights = sigma * rng.standard_normal((samples, depth))
    return np.cumsum(np.log(np.abs(weights)), axis=1)


def scalar_chain_products(rng: np.random.Generator, depth: int, samples: int,
                          sigma: float) -> np.ndarray:
    """w_1⋯w_depth for i.i.d. N(0, σ²) weights, shape (samples,) (CV1 mean, small depth)."""
    _check_sizes(depth=depth, samples=samples)
    _check_scale(sigma)
    return np.prod(sigma * rng.standard_normal((samples, depth)), axis=1)


# ----------------------------------------------------------------------------- linear network


@dataclass
class LinearPaths:
    """Logarithms along random deep linear networks y = W_L⋯W_1 x (CV3, CV5).

    Each path is one draw of the d×d Gaussian weights W_1…W_depth, applied to ``columns``
    orthonormal inputs x_k = e_k. ``log_norm_sq[n, k, L]`` = log‖W_L⋯W_1 x_k‖² (L = 0 gives
    log‖x_k‖² = 0); ``layer_log_ratios[n, k, l−1]`` = log(‖h_l‖²/‖h_{l−1}‖²);
    ``log_trace[n, L]`` = log tr(J_LᵀJ_L) for the input x_1, J_L the output Jacobian of the
    depth-L network with respect to all its weights (None unless requested; L = 0 is −inf).
    Inputs of one path share its weights, so they are correlated: resample whole paths.
    """

    width: int
    sigma: float
    log_norm_sq: np.ndarray
    layer_log_ratios: np.ndarray
    log_trace: np.ndarray | None


def linear_network_paths(rng: np.random.Generator, width: int, depth: int, samples: int,
                         sigma: float, columns: int = 1, with_trace: bool = False) -> LinearPaths:
    """Propagate e_1…e_columns through ``depth`` d×d layers with N(0, σ²) entries.

    With ``with_trace``, also tr(JᵀJ) for every prefix depth by the forward recursion of
    :func:`jacobian_trace_step` (exact for the linear network; see its docstring).
    """
    _check_sizes(width=width, depth=depth, samples=samples, columns=columns)
    _check_scale(sigma)
    if columns > width:
        raise ValueError(f"columns must be ≤ width = {width}, got {columns}")
    log_norm = np.zeros((samples, columns, depth + 1))
    ratios = np.empty((samples, columns, depth))
    log_trace = np.full((samples, depth + 1), -np.inf) if with_trace else None
    chunk = max(1, _CHUNK_NUMBERS // (width * width))
    for start in range(0, samples, chunk):
        rows = slice(start, min(start + chunk, samples))
        _propagate(rng, width, sigma, log_norm[rows], ratios[rows],
                   None if log_trace is None else log_trace[rows])
    return LinearPaths(width, sigma, log_norm, ratios, log_trace)


def _propagate(rng, width, sigma, log_norm, ratios, log_trace) -> None:
    """Fill one chunk of paths in place (shapes as in :class:`LinearPaths`)."""
    count, columns, depth = ratios.shape
    state = np.broadcast_to(np.eye(width)[:, :columns], (count, width, columns)).copy()
    gram, gram_log_scale = np.zeros((count, width, width)), np.full(count, -np.inf)
    for layer in range(1, depth + 1):
        weights = sigma * rng.standard_normal((count, width, width))
        if log_trace is not None:
            gram, gram_log_scale = jacobian_trace_step(weights, gram, gram_log_scale,
                                                       log_norm[:, 0, layer - 1])
            log_trace[:, layer] = gram_log_scale
        state = np.matmul(weights, state)
        squared = np.einsum("nik,nik->nk", state, state)
        ratios[:, :, layer - 1] = np.log(squared)
        log_norm[:, :, layer] = log_norm[:, :, layer - 1] + ratios[:, :, layer - 1]
        state /= np.sqrt(squared)[:, None, :]


def jacobian_trace_step(weights: np.ndarray, gram: np.ndarray, gram_log_scale: np.ndarray,
                        input_log_norm_sq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One layer of G_l = W_l G_{l−1} W_lᵀ + ‖h_{l−1}‖² I, kept as e^{scale}·Ĝ (CV5 numerics).

    For y = W_L⋯W_1 x, ∂y/∂W_l = W_{>l} ⊗ h_{l−1}ᵀ, so tr(J_LᵀJ_L) = Σ_l ‖h_{l−1}‖²
    tr(W_{>l}W_{>l}ᵀ) = tr G_L (the recursion unrolls to that sum; numerics tests check it
    against the dense automatically differentiated Jacobian). Batched over the first axis;
    returns (Ĝ_l normalised to unit trace, log scale).
    """
    propagated = np.matmul(np.matmul(weights, gram), np.swapaxes(weights, 1, 2))
    top = np.maximum(gram_log_scale, input_log_norm_sq)
    gram_weight = np.exp(np.where(np.isfinite(gram_log_scale), gram_log_scale - top, -np.inf))
    identity = np.eye(weights.shape[1])
    combined = (gram_weight[:, None, None] * propagated
                + np.exp(input_log_norm_sq - top)[:, None, None] * identity)
    trace = np.trace(combined, axis1=1, axis2=2)
    return combined / trace[:, None, None], top + np.log(trace)


def linear_network_trace(weights: Sequence[np.ndarray], inputs: np.ndarray) -> float:
    """tr(JᵀJ) of y = W_L⋯W_1 x for given square layers, by :func:`jacobian_trace_step`."""
    width = len(inputs)
    gram, gram_log_scale = np.zeros((1, width, width)), np.full(1, -np.inf)
    hidden = np.asarray(inputs, dtype=float)
    for weight in weights:
        input_log_norm_sq = np.array([np.log(hidden @ hidden)])
        gram, gram_log_scale = jacobian_trace_step(np.asarray(weight, dtype=float)[None],
                                                   gram, gram_log_scale, input_log_norm_sq)
        hidden = weight @ hidden
    return float(np.exp(gram_log_scale[0]))


# ----------------------------------------------------------------------------- ReLU network


def relu_layer_log_ratios(rng: np.random.Generator, width: int, depth: int, samples: int,
                          sigma: float) -> np.ndarray:
    """log(‖h_l‖²/‖h_{l−1}‖²) of h_l = relu(W_l h_{l−1}), d×d Gaussian layers (CV4).

    Shape (samples, depth). A layer with no positive pre-activation kills the path: its
    ratio is −inf and later layers of that path are NaN (undefined).
    """
    _check_sizes(width=width, depth=depth, samples=samples)
    _check_scale(sigma)
    out = np.full((samples, depth), np.nan)
    chunk = max(1, _CHUNK_NUMBERS // (width * width))
    for start in range(0, samples, chunk):
        count = min(chunk, samples - start)
        state = np.full((count, width), 1 / np.sqrt(width))
        alive = np.ones(count, dtype=bool)
        for layer in range(depth):
            weights = sigma * rng.standard_normal((count, width, width))
            state = np.maximum(np.matmul(weights, state[:, :, None])[:, :, 0], 0.0)
            squared = np.einsum("ni,ni->n", state, state)
            with np.errstate(divide="ignore"):
                out[start:start + count, layer] = np.where(alive, np.log(squared), np.nan)
            alive &= squared > 0
            state = np.where(alive[:, None], state / np.sqrt(np.where(alive, squared, 1.0))
                             [:, None], 0.0)
    return out


# ----------------------------------------------------------------------------- sphere


def sphere_inner_products(rng: np.random.Generator, dimension: int,
                          samples: int) -> np.ndarray:
    """⟨x, y⟩ for independent x, y uniform on S^{d−1} (normalised Gaussian vectors) (GC1)."""
    _check_sizes(dimension=dimension, samples=samples)
    x = rng.standard_normal((samples, dimension))
    y = rng.standard_normal((samples, dimension))
    return np.einsum("ni,ni->n", x, y) / np.sqrt(np.einsum("ni,ni->n", x, x)
                                                 * np.einsum("ni,ni->n", y, y))
