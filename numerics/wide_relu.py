"""Wide shallow ReLU networks f(x) = Σ_k a_k[w_k x + b_k]₊ + u + v·x on 1-D data (family SP).

* Antisymmetric initialisation: n/2 units (w, b) drawn from a law, a ~ N(0, 1/n), each unit
  duplicated with its output weight negated, so f(·, θ₀) = 0.
* Training on L = ½Σ_i (f(x_i) − y_i)²: gradient descent with hand-written gradients of all
  layers or of the output layer only (:func:`gradient_descent`), the output layer's gradient
  flow as a heyoka vector field (:func:`output_layer_flow`, autodiff of the loss), and the
  limit of output-layer training, the minimum-norm interpolant a* = argmin ‖a − a₀‖ subject
  to interpolation (:func:`min_norm_fit`; with a free affine part u + v·x, unpenalised).

Nothing here uses theory.splines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import heyoka as hy
import numpy as np

from flowcert.numerics.flows import VectorField, gradient_flow
from flowcert.numerics.splines import Law


@dataclass(frozen=True)
class WideReLU:
    """Weights of f(x) = Σ_k a_k[w_k x + b_k]₊ + u + v·x (float64 arrays of length n)."""

    w: np.ndarray
    b: np.ndarray
    a: np.ndarray
    u: float = 0.0
    v: float = 0.0

    @property
    def units(self) -> int:
        return len(self.a)

    def features(self, points: Sequence[float]) -> np.ndarray:
        """[w_k x_i + b_k]₊, shape (len(points), n)."""
        points = np.asarray(points, dtype=float)
        return np.maximum(np.outer(points, self.w) + self.b, 0.0)

    def __call__(self, points: Sequence[float]) -> np.ndarray:
        """f at ``points`` from the kinks c_k = −b_k/w_k: f(x) = x·S₁(x) + S₀(x) + u + v·x with
        S₁, S₀ the sums of a_kw_k, a_kb_k over the units active at x (w_k > 0 and c_k < x, or
        w_k < 0 and c_k > x, or w_k = 0 and b_k > 0), read off cumulative sums over the
        sorted kinks: O((n + m) log n) instead of the n·m features."""
        points = np.asarray(points, dtype=float)
        slope = np.zeros(len(points)) + self.v
        offset = np.zeros(len(points)) + self.u
        flat = self.w == 0
        offset += float(np.sum(self.a[flat] * np.maximum(self.b[flat], 0.0)))
        for rising in (True, False):
            units = self.w > 0 if rising else self.w < 0
            kinks = -self.b[units] / self.w[units]
            order = np.argsort(kinks, kind="stable")
            kinks = kinks[order]
            sums = [np.concatenate([[0.0], np.cumsum((self.a[units] * c[units])[order])])
                    for c in (self.w, self.b)]
            if rising:  # active: kink < x
                count = np.searchsorted(kinks, points, side="left")
                slope += sums[0][count]
                offset += sums[1][count]
            else:  # active: kink > x
                count = np.searchsorted(kinks, points, side="right")
                slope += sums[0][-1] - sums[0][count]
                offset += sums[1][-1] - sums[1][count]
        return slope * points + offset


def antisymmetric_network(law: Law, units: int, rng: np.random.Generator) -> WideReLU:
    """n = ``units`` (even) units: n/2 draws (w, b) from ``law`` and a ~ N(0, 1/n), each
    repeated with −a, so that f(·, θ₀) = 0."""
    if isinstance(units, bool) or not isinstance(units, int | np.integer) or units < 2 \
            or units % 2:
        raise ValueError(f"units must be an even integer ≥ 2, got {units!r}")
    half = units // 2
    w, b = law.sample(rng, half)
    a = rng.standard_normal(half) / np.sqrt(units)
    return WideReLU(np.concatenate([w, w]), np.concatenate([b, b]), np.concatenate([a, -a]))


def min_norm_fit(network: WideReLU, x: Sequence[float], y: Sequence[float],
                 free_affine: bool = False) -> WideReLU:
    """The limit of output-layer gradient flow: a* = a₀ + Φᵀλ minimising ‖a − a₀‖ subject to
    f(x_i) = y_i (Φ the N×n features at the data); with ``free_affine`` also u, v, unpenalised
    (KKT system [[ΦΦᵀ, P], [Pᵀ, 0]], P = [1, x])."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    features = network.features(x)
    residual = y - network(x)
    gram = features @ features.T
    if not free_affine:
        multipliers = np.linalg.solve(gram, residual)
        return replace(network, a=network.a + features.T @ multipliers)
    affine = np.column_stack([np.ones_like(x), x])
    kkt = np.block([[gram, affine], [affine.T, np.zeros((2, 2))]])
    solution = np.linalg.solve(kkt, np.concatenate([residual, np.zeros(2)]))
    multipliers, (du, dv) = solution[:len(x)], solution[len(x):]
    return replace(network, a=network.a + features.T @ multipliers, u=network.u + du,
                   v=network.v + dv)


def loss(network: WideReLU, x: Sequence[float], y: Sequence[float]) -> float:
    """½Σ_i (f(x_i) − y_i)²."""
    return 0.5 * float(np.sum((network(x) - np.asarray(y, dtype=float)) ** 2))


def loss_gradient(network: WideReLU, x: Sequence[float], y: Sequence[float]
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(∂L/∂w, ∂L/∂b, ∂L/∂a) by hand-written backpropagation (σ′(0) taken as 0)."""
    x = np.asarray(x, dtype=float)
    pre = np.outer(x, network.w) + network.b
    active = (pre > 0).astype(float)
    residual = network(x) - np.asarray(y, dtype=float)
    grad_a = np.maximum(pre, 0.0).T @ residual
    back = (residual[:, None] * active) * network.a
    return back.T @ x, back.sum(axis=0), grad_a


def gradient_descent(network: WideReLU, x: Sequence[float], y: Sequence[float], rate: float,
                     steps: int, train: str = "all") -> WideReLU:
    """``steps`` steps θ ← θ − rate·∇L of all layers (``train="all"``) or of the output layer
    only (``"output"``)."""
    if train not in ("all", "output"):
        raise ValueError(f"train must be 'all' or 'output', got {train!r}")
    if not (np.isfinite(rate) and rate > 0):
        raise ValueError(f"rate must be a finite number > 0, got {rate!r}")
    for _ in range(int(steps)):
        grad_w, grad_b, grad_a = loss_gradient(network, x, y)
        if train == "all":
            network = replace(network, w=network.w - rate * grad_w,
                              b=network.b - rate * grad_b, a=network.a - rate * grad_a)
        else:
            network = replace(network, a=network.a - rate * grad_a)
    return network


def output_layer_flow(units: int, samples: int) -> VectorField:
    """τ da/dt = −∇_a ½Σ_i(Σ_k a_k Φ_ik − y_i)² by heyoka autodiff of the loss.

    Runtime parameters: Φ (samples × units, row-major; the features at the data), y, τ.
    """
    outputs = [hy.expression(f"a{k}") for k in range(units)]
    residuals = [hy.sum([hy.par[i * units + k] * outputs[k] for k in range(units)])
                 - hy.par[samples * units + i] for i in range(samples)]
    objective = 0.5 * hy.sum([r * r for r in residuals])
    return gradient_flow(f"sp-output-layer:n={units}:N={samples}", objective, outputs,
                         samples * units + samples)
