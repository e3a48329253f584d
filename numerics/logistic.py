"""The linearised logistic model of the GS claims, integrated in parameter space θ.

Logits ŷ = Φθ on n samples with labels y ∈ {±1}ⁿ and d ≥ n features;
L(θ) = Σ_i log(1 + exp(−y_i ŷ_i)) + (λ/2)‖θ‖² (weight decay) or + (λ/2)‖ŷ‖² (Spectral
Decoupling); optionally the quadratic Taylor polynomial of the per-sample loss instead.
The loss is a heyoka expression and the flow τ θ̇ = −∇L, its Hessian and its derivative
with respect to the data come from automatic differentiation of that expression;
nothing here knows the reduced response dynamics of the theory.

Runtime parameters, per copy: Φ row-major (n·d), y (n), λ, and a readout matrix R (n×n,
row-major) used only by :meth:`LogisticModel.response_expression` (z = RᵀYΦθ; the GS claims
put U there). Several independent copies can share one vector field (the flow of a sum of
losses in disjoint variables is the pair of flows), so that events can compare them.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

import heyoka as hy
import mpmath
import numpy as np

from flowcert.numerics.flows import VectorField, gradient_flow, loss_gradient
from flowcert.numerics.integrate import evaluate_field
from flowcert.numerics.precision import FLOAT64_BITS, check_bits, unit_roundoff

REGULARISERS = ("weight_decay", "spectral_decoupling")
#: "logistic": log(1 + e^{−m}); "quadratic": its second-order Taylor polynomial at m = 0,
#: log 2 − m/2 + m²/8 (a negative control: a quadratic loss couples no features).
LOSSES = ("logistic", "quadratic")
NEWTON_MAX_ITERATIONS = 200


class LogisticModel:
    """``copies`` independent linear logistic models with n samples and d features each."""

    def __init__(self, n_samples: int, n_features: int, regulariser: str, copies: int = 1,
                 loss: str = "logistic"):
        if regulariser not in REGULARISERS:
            raise ValueError(f"regulariser must be one of {REGULARISERS}, got {regulariser!r}")
        if loss not in LOSSES:
            raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
        if not (1 <= n_samples <= n_features) or copies < 1:
            raise ValueError(f"need 1 ≤ n_samples ≤ n_features and copies ≥ 1, got "
                             f"{n_samples}, {n_features}, {copies}")
        self.n, self.d, self.copies = int(n_samples), int(n_features), int(copies)
        self.regulariser, self.loss_kind = regulariser, loss
        self.key = f"{loss}:{regulariser}:{self.n}x{self.d}x{self.copies}"

    @property
    def block(self) -> int:
        """Number of runtime parameters of one copy: Φ, y, λ, readout."""
        return self.n * self.d + self.n + 1 + self.n * self.n

    @property
    def n_params(self) -> int:
        """Runtime parameters before τ."""
        return self.copies * self.block

    @property
    def dimension(self) -> int:
        return self.copies * self.d

    @cached_property
    def variables(self) -> list:
        return [hy.expression(f"theta{c}_{j}") for c in range(self.copies)
                for j in range(self.d)]

    def _copy_symbols(self, copy: int) -> tuple[np.ndarray, list, hy.expression, np.ndarray]:
        base = copy * self.block
        phi = np.array([[hy.par[base + i * self.d + j] for j in range(self.d)]
                        for i in range(self.n)], dtype=object)
        labels = [hy.par[base + self.n * self.d + i] for i in range(self.n)]
        lam = hy.par[base + self.n * self.d + self.n]
        start = base + self.n * self.d + self.n + 1
        readout = np.array([[hy.par[start + i * self.n + j] for j in range(self.n)]
                            for i in range(self.n)], dtype=object)
        return phi, labels, lam, readout

    def _logits(self, copy: int) -> list:
        phi = self._copy_symbols(copy)[0]
        theta = self.variables[copy * self.d:(copy + 1) * self.d]
        return [hy.sum([phi[i, j] * theta[j] for j in range(self.d)]) for i in range(self.n)]

    def _sample_loss(self, margin: hy.expression) -> hy.expression:
        if self.loss_kind == "logistic":
            return hy.log1p(hy.exp(-margin))
        return 0.125 * margin * margin - 0.5 * margin  # + log 2, which no gradient sees

    @cached_property
    def loss(self) -> hy.expression:
        """Σ over copies of Σ_i ℓ(y_i ŷ_i) + (λ/2)·penalty."""
        terms = []
        for copy in range(self.copies):
            _, labels, lam, _ = self._copy_symbols(copy)
            logits = self._logits(copy)
            terms += [self._sample_loss(labels[i] * logits[i]) for i in range(self.n)]
            penalised = (self.variables[copy * self.d:(copy + 1) * self.d]
                         if self.regulariser == "weight_decay" else logits)
            terms.append(0.5 * lam * hy.sum([v * v for v in penalised]))
        return hy.sum(terms)

    @cached_property
    def vector_field(self) -> VectorField:
        """τ θ̇ = −∇L(θ) (automatic differentiation); parameters: the copies' blocks, then τ."""
        return gradient_flow(self.key, self.loss, self.variables, self.n_params)

    def flow_parameters(self, copies: Sequence[dict], tau=1) -> list:
        """Runtime parameters from one dict per copy with keys phi (n×d), y (n), lam, readout.

        ``readout`` (n×n) defaults to the identity. Entries may be floats or mpf.
        """
        if len(copies) != self.copies:
            raise ValueError(f"expected {self.copies} parameter blocks, got {len(copies)}")
        params: list = []
        for block in copies:
            phi = np.asarray(block["phi"], dtype=object)
            labels = list(block["y"])
            readout = np.asarray(block.get("readout", np.eye(self.n)), dtype=object)
            if phi.shape != (self.n, self.d) or len(labels) != self.n \
                    or readout.shape != (self.n, self.n):
                raise ValueError(f"phi must be {self.n}×{self.d}, y of length {self.n}, "
                                 f"readout {self.n}×{self.n}")
            if any(abs(v) != 1 for v in labels):
                raise ValueError(f"labels must be ±1, got {labels}")
            if not block["lam"] >= 0:
                raise ValueError(f"lam must be ≥ 0, got {block['lam']}")
            params += list(phi.ravel()) + labels + [block["lam"]] + list(readout.ravel())
        return params + [tau]

    def response_expression(self, copy: int, index: int) -> hy.expression:
        """z_index = (RᵀYΦθ)_index of one copy as a heyoka expression (for events)."""
        _, labels, _, readout = self._copy_symbols(copy)
        logits = self._logits(copy)
        return hy.sum([readout[i, index] * labels[i] * logits[i] for i in range(self.n)])

    def responses(self, state: Sequence, params: Sequence, copy: int = 0) -> np.ndarray:
        """z = RᵀYΦθ of one copy from a numeric state (floats or mpf, same type out)."""
        base = copy * self.block
        phi = np.array(params[base:base + self.n * self.d], dtype=object).reshape(self.n,
                                                                                  self.d)
        labels = np.array(params[base + self.n * self.d:base + self.n * self.d + self.n],
                          dtype=object)
        start = base + self.n * self.d + self.n + 1
        readout = np.array(params[start:start + self.n * self.n], dtype=object).reshape(
            self.n, self.n)
        theta = np.array(state[copy * self.d:(copy + 1) * self.d], dtype=object)
        values = readout.T @ (labels * (phi @ theta))
        return values.astype(float) if _is_float(state) else values

    # --------------------------------------------------------------- derivatives of L

    @cached_property
    def _gradient_field(self) -> VectorField:
        return VectorField(self.key + ":gradient", tuple(self.variables),
                           tuple(loss_gradient(self.loss, self.variables)), self.n_params)

    @cached_property
    def _hessian_field(self) -> VectorField:
        hessian = hy.diff_tensors([self.loss], diff_args=self.variables,
                                  diff_order=2).hessian(0)
        entries = list(hessian.ravel())
        return VectorField(self.key + ":hessian", tuple(self.variables), tuple(entries),
                           self.n_params)

    @property
    def data_parameters(self) -> list[int]:
        """Indices of the runtime parameters holding Φ, copy by copy (row-major)."""
        return [copy * self.block + k for copy in range(self.copies)
                for k in range(self.n * self.d)]

    @cached_property
    def _mixed_field(self) -> VectorField:
        """∂²L/∂θ_i∂Φ_k for every θ_i and every data entry Φ_k (row-major). Only Φ: the
        compilation of an MPFR evaluator grows with its operations (~3 s at 113 bits for all
        runtime parameters of the 2×2 model, half that for Φ alone)."""
        arguments = list(self.variables) + [hy.par[k] for k in self.data_parameters]
        hessian = hy.diff_tensors([self.loss], diff_args=arguments, diff_order=2).hessian(0)
        entries = list(hessian[:self.dimension, self.dimension:].ravel())
        return VectorField(self.key + ":mixed", tuple(self.variables), tuple(entries),
                           self.n_params)

    def gradient(self, state: Sequence, params: Sequence, bits: int = FLOAT64_BITS):
        """∇L(θ) at ``bits`` (float64 array or mpf object array)."""
        return evaluate_field(self._gradient_field, state, params[:self.n_params], bits)

    def hessian(self, state: Sequence, params: Sequence, bits: int = FLOAT64_BITS):
        """∇²L(θ) as a dimension×dimension array at ``bits``."""
        values = evaluate_field(self._hessian_field, state, params[:self.n_params], bits)
        return values.reshape(self.dimension, self.dimension)

    def stationary_point(self, start: Sequence, params: Sequence,
                         bits: int = FLOAT64_BITS) -> np.ndarray:
        """The zero of ∇L, by damped Newton on the autodiff gradient and Hessian.

        Every step solves ∇²L·Δ = −∇L at ``bits``; a step is halved until ‖∇L‖ decreases
        (∇²L Δ = −∇L makes Δ a descent direction of ‖∇L‖²). Converged when the full step is
        below 16 unit roundoffs of max(1, ‖θ‖∞). For weight decay L is λ-strongly convex, so
        the zero is the flow's unique limit. Spectral Decoupling needs d = n (otherwise ∇²L is
        singular on the null space of Φ).
        """
        if self.regulariser == "spectral_decoupling" and self.d != self.n:
            raise ValueError("spectral_decoupling stationary points need n_features = n_samples")
        bits = check_bits(bits)
        theta = _as_precision(start, bits)
        tolerance = 16 * unit_roundoff(bits)
        for _ in range(NEWTON_MAX_ITERATIONS):
            gradient = self.gradient(theta, params, bits)
            step = _solve(self.hessian(theta, params, bits), -gradient, bits)
            if _norm(step) <= tolerance * max(1, _norm(theta)):
                return theta + step
            theta = self._damped(theta, step, _norm(gradient), params, bits)
        raise ArithmeticError(f"Newton on ∇L did not converge in {NEWTON_MAX_ITERATIONS} steps")

    def _damped(self, theta, step, residual, params, bits):
        fraction = 1
        for _ in range(60):
            trial = theta + step * fraction
            if _norm(self.gradient(trial, params, bits)) < residual:
                return trial
            fraction = fraction / 2
        return theta + step * fraction

    def stationary_sensitivity(self, theta: Sequence, params: Sequence, direction: Sequence,
                               bits: int = FLOAT64_BITS) -> np.ndarray:
        """dθ*/dh when the data move as Φ + h·direction (implicit function theorem).

        ∇L(θ*(h); Φ + h·V) = 0 gives dθ*/dh = −(∇²L)⁻¹ (∂∇L/∂Φ)·V, with both derivative
        tensors from automatic differentiation of the loss. ``direction`` holds V for every
        copy (n·d entries per copy, row-major, as :attr:`data_parameters`).
        """
        size = len(self.data_parameters)
        if len(direction) != size:
            raise ValueError(f"direction needs {size} entries (Φ of every copy), got "
                             f"{len(direction)}")
        mixed = evaluate_field(self._mixed_field, theta, params[:self.n_params], bits)
        mixed = mixed.reshape(self.dimension, size)
        return _solve(self.hessian(theta, params, bits), -(mixed @ _as_precision(direction,
                                                                                 bits)), bits)


def _is_float(values: Sequence) -> bool:
    return not any(isinstance(v, mpmath.mpf) for v in values)


def _as_precision(values: Sequence, bits: int) -> np.ndarray:
    if bits == FLOAT64_BITS:
        return np.array([float(v) for v in values])
    return np.array([mpmath.mpf(v) for v in values], dtype=object)


def _norm(values) -> object:
    return max(abs(v) for v in values)


def _solve(matrix: np.ndarray, vector: np.ndarray, bits: int) -> np.ndarray:
    """matrix⁻¹·vector in float64 (53 bits) or by mpmath LU at ``bits`` (+ 16 guard bits)."""
    if bits == FLOAT64_BITS:
        return np.linalg.solve(np.asarray(matrix, dtype=float), np.asarray(vector, dtype=float))
    with mpmath.workprec(bits + 16):
        solution = mpmath.lu_solve(mpmath.matrix(matrix.tolist()),
                                   mpmath.matrix(list(vector)))
    return np.array([solution[i] for i in range(len(vector))], dtype=object)
