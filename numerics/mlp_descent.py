"""Gradient descent on a small MLP's mean squared error for many step sizes at once (SF4).

θ_{k+1} = θ_k − η ∇L(θ_k), L(θ) = (1/2N) Σ_n ‖y_n − t_n‖², run for round(T/η) steps for
each η of a list. The runs advance in lockstep: every iteration updates the runs that still
have steps to take with one batched evaluation of ∇L, compiled once by heyoka from the
network's loss expression (reverse-mode automatic differentiation,
:func:`flowcert.numerics.flows.loss_gradient`) — a few microseconds per evaluation instead of
a Python-level backpropagation per run and step. The tests check the compiled gradient
against the hand-written backpropagation of ``MLP.loss_gradient``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import heyoka as hy
import numpy as np

from flowcert.numerics.flows import loss_gradient
from flowcert.numerics.relu_network import MLP

#: ∇L for a batch of parameter vectors: (B, n_params) → (B, n_params).
BatchGradient = Callable[[np.ndarray], np.ndarray]


def compiled_loss_gradient(network: MLP, inputs: np.ndarray,
                           targets: np.ndarray) -> BatchGradient:
    """∇L of ``network``'s mean squared error on (inputs, targets), compiled (float64)."""
    variables = network.variables()
    function = hy.cfunc(loss_gradient(network.loss_expression(inputs, targets), variables),
                        vars=variables)

    def gradient(thetas: np.ndarray) -> np.ndarray:
        return function(np.ascontiguousarray(np.asarray(thetas, dtype=float).T)).T

    return gradient


def descent_endpoints(gradient: BatchGradient, start: np.ndarray,
                      step_sizes: Sequence[float], horizon: float) -> np.ndarray:
    """θ after round(horizon/η) descent steps from ``start``, one row per η of ``step_sizes``."""
    steps = np.asarray(step_sizes, dtype=float)
    if steps.ndim != 1 or not np.all(steps > 0) or not horizon > 0:
        raise ValueError("need positive step sizes and a positive horizon")
    counts = np.array([round(horizon / eta) for eta in steps])
    order = np.argsort(-counts, kind="stable")  # runs with the most steps first
    current = np.tile(np.asarray(start, dtype=float), (len(steps), 1))
    sorted_counts, sorted_steps = counts[order], steps[order][:, None]
    for iteration in range(int(sorted_counts[0])):
        active = int(np.sum(sorted_counts > iteration))  # a prefix, as counts are sorted
        current[:active] -= sorted_steps[:active] * gradient(current[:active])
    endpoints = np.empty_like(current)
    endpoints[order] = current
    return endpoints
