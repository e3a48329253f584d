"""Diagonal linear networks and diagonal matrix sensing (catalogue family KR).

Diagonal network of depth D: β = w₊^D − w₋^D (elementwise), loss L = ½‖Xβ − y‖², gradient
flow τ dw/dt = −∇L from w₊ = w₋ = α·1. The gradient is heyoka's automatic derivative of this
loss; X (row-major) and y are runtime parameters, so one compiled integrator serves every
data set of a given shape (N samples, d features, depth D). The state is augmented by
R(t) = ∫₀ᵗ (Xβ − y) dt — a numerical quantity of the run, used to read off the flow's
integrated residual; it does not feed back into the weights.

Matrix sensing: W = UUᵀ − VVᵀ (U, V of shape d×d), measurements ⟨A_n, W⟩, loss
½Σ_n(⟨A_n, W⟩ − y_n)², from U = V = αI; the d×d measurement matrices are runtime parameters
(diagonal A_n = diag(x_n) for claim KR6, anything else for controls).

Also here: random instances from a numpy ``SeedSequence``, the minimum-ℓ2 (X⁺y) and
minimum-ℓ1 (``scipy.optimize.linprog``, polished on its support at working precision)
interpolants, and :func:`train_to_interpolation`, which integrates until the residual
‖Xβ − y‖ is below a stated threshold, choosing the end time adaptively.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import heyoka as hy
import mpmath
import numpy as np
from scipy.optimize import linprog

from flowcert.numerics.flows import VectorField, gradient_flow
from flowcert.numerics.integrate import integrate
from flowcert.numerics.precision import FLOAT64_BITS, check_bits, unit_roundoff

#: Extra bits for residual norms and the ℓ1/ℓ2 interpolants above the run's precision.
GUARD_BITS = 16


class NotConvergedError(RuntimeError):
    """Gradient flow did not bring ‖Xβ − y‖ below the threshold within the time budget."""

    def __init__(self, message: str, **diagnostics):
        details = ", ".join(f"{k}={v}" for k, v in diagnostics.items())
        super().__init__(f"{message} ({details})")
        self.diagnostics = diagnostics


def _check_depth(depth) -> int:
    if isinstance(depth, bool) or not isinstance(depth, int | np.integer) or depth < 2:
        raise ValueError(f"depth must be an integer ≥ 2, got {depth!r}")
    return int(depth)


def _check_shape(n_samples, dimension) -> tuple[int, int]:
    if not (isinstance(n_samples, int | np.integer) and isinstance(dimension, int | np.integer)
            and 1 <= n_samples < dimension):
        raise ValueError(f"need integers 1 ≤ n_samples < dimension (overparametrised), got "
                         f"n_samples={n_samples!r}, dimension={dimension!r}")
    return int(n_samples), int(dimension)


def _check_alpha(alpha) -> None:
    if not (mpmath.isfinite(mpmath.mpf(alpha)) and alpha > 0):
        raise ValueError(f"alpha (initial scale) must be a finite number > 0, got {alpha!r}")


def exact(value):
    """A float as the mpf of the same (dyadic) value; mpf and ints unchanged.

    The integrate facade turns a float into an MPFR number through its shortest decimal
    repr, which is not the float's exact value beyond 53 bits; data handed to the engines
    as mpf keep the same value at every precision.
    """
    return mpmath.mpf(float(value)) if isinstance(value, float | np.floating) else value


def _as_data(X, y, n_samples: int, dimension: int) -> tuple[np.ndarray, np.ndarray]:
    X = np.vectorize(exact, otypes=[object])(np.asarray(X, dtype=object))
    y = np.vectorize(exact, otypes=[object])(np.asarray(y, dtype=object).ravel())
    if X.shape != (n_samples, dimension) or y.shape != (n_samples,):
        raise ValueError(f"X must be {n_samples}×{dimension} and y of length {n_samples}, got "
                         f"X {X.shape}, y {y.shape}")
    return X, y


# ----------------------------------------------------------------------------- network


class DiagonalNetwork:
    """β = w₊^D − w₋^D with data X (N×d), y (N); state (w₊, w₋, R), 2d + N entries.

    Runtime parameters of :attr:`vector_field`: X row-major, y, then τ.
    """

    def __init__(self, n_samples: int, dimension: int, depth: int):
        self.n_samples, self.dimension = _check_shape(n_samples, dimension)
        self.depth = _check_depth(depth)
        self.key = f"diagonal:N={self.n_samples}:d={self.dimension}:D={self.depth}:with-R"

    @property
    def n_weights(self) -> int:
        return 2 * self.dimension

    @cached_property
    def _symbols(self) -> tuple[list, list, list]:
        d, n = self.dimension, self.n_samples
        plus = [hy.expression(f"wp{i}") for i in range(d)]
        minus = [hy.expression(f"wm{i}") for i in range(d)]
        beta = [plus[i] ** self.depth - minus[i] ** self.depth for i in range(d)]
        residuals = [hy.sum([hy.par[k * d + i] * beta[i] for i in range(d)]) - hy.par[n * d + k]
                     for k in range(n)]
        return plus + minus, residuals, [hy.expression(f"R{k}") for k in range(n)]

    @cached_property
    def vector_field(self) -> VectorField:
        """τ dw/dt = −∇L(w) (autodiff), augmented by dR/dt = Xβ − y."""
        weights, residuals, integrated = self._symbols
        loss = 0.5 * hy.sum([r * r for r in residuals])
        n_data = self.n_samples * (self.dimension + 1)
        flow = gradient_flow(self.key, loss, weights, n_data)
        return VectorField(key=self.key, variables=flow.variables + tuple(integrated),
                           rhs=flow.rhs + tuple(residuals), n_params=flow.n_params)

    def flow_parameters(self, X, y, tau=1) -> list:
        """Runtime parameters: X row-major, y, τ."""
        X, y = _as_data(X, y, self.n_samples, self.dimension)
        return list(X.ravel()) + list(y) + [exact(tau)]

    def initial_state(self, alpha) -> list:
        """w₊ = w₋ = α·1, R = 0."""
        _check_alpha(alpha)
        return [exact(alpha)] * self.n_weights + [0] * self.n_samples

    def regressor(self, state) -> np.ndarray:
        """β = w₊^D − w₋^D from a state (float or mpf entries)."""
        state = np.asarray(state)
        d = self.dimension
        return state[:d] ** self.depth - state[d:2 * d] ** self.depth

    def integrated_residual(self, state) -> np.ndarray:
        """R = ∫₀ᵗ (Xβ − y) dt, the last N entries of a state."""
        return np.asarray(state)[self.n_weights:]

    def weights(self, state) -> np.ndarray:
        """(w₊, w₋) from a state."""
        return np.asarray(state)[:self.n_weights]


class LogWeightNetwork(DiagonalNetwork):
    """The same network and flow in the coordinates u± = ln w± (state (u₊, u₋, R)).

    w± stay positive along the flow from w± = α > 0 (w = 0 is a fixed point of
    ẇ = −D w^{D−1}(Xᵀr)_i), so u = ln w is a change of variables: u̇ = ẇ/w =
    −(∂L/∂u)·e^{−2u}/τ, with ∂L/∂u taken by automatic differentiation of L(e^u). An engine's
    absolute error in u is a relative error in w: the weights far below 1 that a small α
    makes (w ~ α^{1+|s|} … α^{1−|s|}) keep their relative accuracy, which an absolute
    tolerance on w itself loses once w ≪ 1e-16.
    """

    def __init__(self, n_samples: int, dimension: int, depth: int):
        super().__init__(n_samples, dimension, depth)
        self.key += ":log-weights"

    @cached_property
    def _symbols(self) -> tuple[list, list, list]:
        d, n = self.dimension, self.n_samples
        plus = [hy.expression(f"up{i}") for i in range(d)]
        minus = [hy.expression(f"um{i}") for i in range(d)]
        beta = [hy.exp(self.depth * plus[i]) - hy.exp(self.depth * minus[i]) for i in range(d)]
        residuals = [hy.sum([hy.par[k * d + i] * beta[i] for i in range(d)]) - hy.par[n * d + k]
                     for k in range(n)]
        return plus + minus, residuals, [hy.expression(f"R{k}") for k in range(n)]

    @cached_property
    def vector_field(self) -> VectorField:
        """τ du/dt = −e^{−2u} ∂L/∂u (autodiff), augmented by dR/dt = Xβ − y."""
        logs, residuals, integrated = self._symbols
        loss = 0.5 * hy.sum([r * r for r in residuals])
        n_data = self.n_samples * (self.dimension + 1)
        flow = gradient_flow(self.key, loss, logs, n_data)
        rhs = tuple(term * hy.exp(-2.0 * u) for term, u in zip(flow.rhs, logs, strict=True))
        return VectorField(key=self.key, variables=flow.variables + tuple(integrated),
                           rhs=rhs + tuple(residuals), n_params=flow.n_params)

    def initial_state(self, alpha) -> list:
        """u₊ = u₋ = ln α·1, R = 0."""
        _check_alpha(alpha)
        value = exact(alpha)
        log = mpmath.log(value) if isinstance(value, mpmath.mpf) else float(np.log(value))
        return [log] * self.n_weights + [0] * self.n_samples

    def regressor(self, state) -> np.ndarray:
        """β = e^{D u₊} − e^{D u₋} from a state (float or mpf entries)."""
        weights = self.weights(state)
        d = self.dimension
        return weights[:d] ** self.depth - weights[d:] ** self.depth

    def weights(self, state) -> np.ndarray:
        """(w₊, w₋) = exp(u₊, u₋)."""
        logs = np.asarray(state)[:self.n_weights]
        if logs.dtype == object:
            return np.array([mpmath.exp(v) for v in logs], dtype=object)
        return np.exp(logs.astype(float))


# ----------------------------------------------------------------------------- training


#: Default stopping rule: ‖Xβ − y‖ ≤ 2^8 · 2^(1−bits) · residual_scale (see FlowLimit).
RESIDUAL_RTOL_ULPS = 2**8


@dataclass
class FlowLimit:
    """The end of a run of :func:`train_to_interpolation`.

    ``state`` (w₊, w₋, R) at ``time``; ``residual_norm`` = ‖Xβ − y‖ there, at most
    ``threshold`` = rtol · ``residual_scale``, where residual_scale = ‖y‖ + ‖X‖_F ‖w₊^D + w₋^D‖
    (|w| entrywise) is the size of the terms whose difference is the residual: rounding alone
    leaves a residual of a few units of 2^(1−bits) times it. ``steps`` are summed over all
    horizons. ``convergence_gain`` is √(k_max/λ_min(XKXᵀ)), K = diag(D²(w₊^{2D−2} + w₋^{2D−2}))
    the tangent kernel: to first order in the residual, the flow moves β by at most
    convergence_gain · ‖Xβ − y‖ after ``time``. ``weight_amplification`` is
    max_i D(|w₊ᵢ|^D + |w₋ᵢ|^D)/‖β‖∞: a relative error ε of the weights is an error of at most
    that times ε·‖β‖∞ in β (the cancellation in w₊^D − w₋^D when α^D ≫ |β|).
    """

    state: np.ndarray
    beta: np.ndarray
    time: float
    residual_norm: float
    residual_scale: float
    threshold: float
    steps: int
    horizons: int
    convergence_gain: float
    weight_amplification: float


def train_to_interpolation(network: DiagonalNetwork, X, y, alpha, *,
                           bits: int = FLOAT64_BITS, rtol: float | None = None, tau=None,
                           first_horizon: float = 1.0, max_time: float = 1e12,
                           engine: str | None = None) -> FlowLimit:
    """Integrate the network's gradient flow until ‖Xβ − y‖₂ ≤ rtol · residual_scale.

    ``rtol`` defaults to 2^8 units of 2^(1−bits). τ only rescales time (the limit does not
    depend on it); by default τ = max(1, α)^{2D−2}, the scale of the tangent kernel at
    initialisation, so a large-α (kernel-regime) flow converges in a time of order one.
    The end time is found adaptively: the horizon doubles (restarting from the last state;
    the flow is autonomous) until the residual is small enough, or extrapolates an
    exponential decay once one is seen. :class:`NotConvergedError` if the total time
    exceeds ``max_time``; engine failures propagate as ``numerics.integrate.IntegrationError``.
    ``engine`` as in :func:`numerics.integrate.integrate` (default: DOP853 at 53 bits; the
    compiled float64 Taylor engine crosses the long plateaus of small-α flows, thousands of
    DOP853 steps, in a fraction of the time).
    """
    bits = check_bits(bits)
    rtol = RESIDUAL_RTOL_ULPS * unit_roundoff(bits) if rtol is None else rtol
    if not rtol > 0:
        raise ValueError(f"rtol must be > 0, got {rtol!r}")
    if tau is None:
        tau = max(mpmath.mpf(1), exact(alpha)) ** (2 * network.depth - 2)
    with mpmath.workprec(bits + GUARD_BITS):
        return _train(network, X, y, alpha, rtol, bits, tau, float(first_horizon), max_time,
                      engine)


def _train(network, X, y, alpha, rtol, bits, tau, first_horizon, max_time,
           engine) -> FlowLimit:
    state = network.initial_state(alpha)
    params = network.flow_parameters(X, y, tau)
    elapsed, steps, horizon, rounds = 0.0, 0, first_horizon, 0
    residual = residual_norm(network.regressor(state), X, y, bits)
    while True:
        trajectory = integrate(network.vector_field, state, [horizon], params, bits=bits,
                               engine=engine)
        state, elapsed = trajectory.states[-1], elapsed + horizon
        steps, rounds = steps + trajectory.steps, rounds + 1
        previous, residual = residual, residual_norm(network.regressor(state), X, y, bits)
        threshold = rtol * residual_scale(network, state, X, y)
        if residual <= threshold:
            break
        if elapsed >= max_time:
            raise NotConvergedError("the residual did not fall below the threshold",
                                    residual=f"{residual:.3g}", threshold=f"{threshold:.3g}",
                                    time=f"{elapsed:.3g}", alpha=alpha,
                                    depth=network.depth, bits=bits)
        horizon = _next_horizon(elapsed, horizon, previous, residual, threshold)
    beta = network.regressor(state)
    return FlowLimit(state=state, beta=beta, time=elapsed, residual_norm=residual,
                     residual_scale=residual_scale(network, state, X, y), threshold=threshold,
                     steps=steps, horizons=rounds,
                     convergence_gain=convergence_gain(network, state, X),
                     weight_amplification=weight_amplification(network, state))


def _next_horizon(elapsed: float, horizon: float, previous: float, residual: float,
                  threshold: float) -> float:
    """Double the total time, unless the residual is decaying exponentially (it fell by at
    least 10× over the last horizon): then extrapolate that decay to the threshold, with 25 %
    to spare. Integrating far past convergence is wasted work: the converged flow is stiff
    (its fastest rate is the largest tangent-kernel eigenvalue), so explicit steps stay short.
    """
    if residual < previous / 10:
        rate = np.log(previous / residual) / horizon
        needed = 1.25 * np.log(residual / threshold) / rate
        return min(elapsed, max(needed, horizon / 8))
    return elapsed


def _powers(network: DiagonalNetwork, state) -> np.ndarray:
    """|w₊ᵢ|^D + |w₋ᵢ|^D as floats."""
    d = network.dimension
    weights = np.abs(np.array([float(v) for v in network.weights(state)]))
    return weights[:d] ** network.depth + weights[d:] ** network.depth


def residual_scale(network: DiagonalNetwork, state, X, y) -> float:
    """‖y‖ + ‖X‖_F ‖(|w₊|^D + |w₋|^D)‖₂ (see :class:`FlowLimit`)."""
    data, target = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    return float(np.linalg.norm(target) + np.linalg.norm(data)
                 * np.linalg.norm(_powers(network, state)))


def weight_amplification(network: DiagonalNetwork, state) -> float:
    """max_i D(|w₊ᵢ|^D + |w₋ᵢ|^D) / ‖β‖∞ (see :class:`FlowLimit`)."""
    beta = np.abs(np.array([float(b) for b in network.regressor(state)]))
    return float(network.depth * _powers(network, state).max() / beta.max())


def residual_norm(beta, X, y, bits: int = FLOAT64_BITS) -> float:
    """‖Xβ − y‖₂ evaluated in mpmath with ``bits`` + 16 bits, as a float."""
    with mpmath.workprec(bits + GUARD_BITS):
        residual = _mp_matrix(X) * _mp_vector(beta) - _mp_vector(y)
        return float(mpmath.norm(residual))


def convergence_gain(network: DiagonalNetwork, state, X) -> float:
    """√(k_max/λ_min(X K Xᵀ)), K_ii = D²(w₊ᵢ^{2D−2} + w₋ᵢ^{2D−2}) (see :class:`FlowLimit`)."""
    d, depth = network.dimension, network.depth
    weights = np.array([float(v) for v in network.weights(state)])
    kernel = depth**2 * (weights[:d] ** (2 * depth - 2) + weights[d:] ** (2 * depth - 2))
    data = np.array(X, dtype=float)
    smallest = float(np.linalg.eigvalsh(data @ (kernel[:, None] * data.T))[0])
    return float(np.sqrt(kernel.max() / smallest)) if smallest > 0 else float("inf")


# ----------------------------------------------------------------------------- sensing


class MatrixSensing:
    """W = UUᵀ − VVᵀ (d×d factors), loss ½Σ_n(⟨A_n, W⟩ − y_n)², N measurements.

    State: U then V, row-major (2d² entries). Runtime parameters: A_1..A_N row-major, y, τ.
    """

    def __init__(self, n_measurements: int, dimension: int):
        self.n_measurements, self.dimension = _check_shape(n_measurements, dimension)
        self.key = f"matrix-sensing:N={self.n_measurements}:d={self.dimension}:UU-VV"

    @cached_property
    def vector_field(self) -> VectorField:
        """τ d(U, V)/dt = −∇L(U, V) by automatic differentiation."""
        d, n = self.dimension, self.n_measurements
        u = np.array([[hy.expression(f"u{i}_{j}") for j in range(d)] for i in range(d)])
        v = np.array([[hy.expression(f"v{i}_{j}") for j in range(d)] for i in range(d)])
        w = self.end_to_end(u, v)
        residuals = [hy.sum([hy.par[k * d * d + i * d + j] * w[i, j]
                             for i in range(d) for j in range(d)]) - hy.par[n * d * d + k]
                     for k in range(n)]
        loss = 0.5 * hy.sum([r * r for r in residuals])
        variables = list(u.ravel()) + list(v.ravel())
        return gradient_flow(self.key, loss, variables, n * (d * d + 1))

    @staticmethod
    def end_to_end(u: np.ndarray, v: np.ndarray) -> np.ndarray:
        """W = UUᵀ − VVᵀ for object arrays (heyoka expressions, floats or mpf)."""
        d = u.shape[0]
        return np.array([[sum((u[i, k] * u[j, k] - v[i, k] * v[j, k] for k in range(d)),
                              start=0 * u[0, 0]) for j in range(d)] for i in range(d)],
                        dtype=object)

    def flow_parameters(self, measurements, y, tau=1) -> list:
        """Runtime parameters: the N matrices A_n row-major, y, τ."""
        measurements = np.vectorize(exact, otypes=[object])(np.asarray(measurements,
                                                                       dtype=object))
        y = np.vectorize(exact, otypes=[object])(np.asarray(y, dtype=object).ravel())
        shape = (self.n_measurements, self.dimension, self.dimension)
        if measurements.shape != shape or y.shape != (self.n_measurements,):
            raise ValueError(f"measurements must have shape {shape} and y length "
                             f"{self.n_measurements}, got {measurements.shape}, {y.shape}")
        return list(measurements.ravel()) + list(y) + [exact(tau)]

    def initial_state(self, alpha) -> list:
        """U = V = αI, row-major."""
        _check_alpha(alpha)
        identity = [exact(alpha) if i == j else 0 for i in range(self.dimension)
                    for j in range(self.dimension)]
        return identity + identity

    def matrix(self, state) -> np.ndarray:
        """W = UUᵀ − VVᵀ from a state (float or mpf entries)."""
        d = self.dimension
        state = np.asarray(state, dtype=object)
        u, v = state[:d * d].reshape(d, d), state[d * d:].reshape(d, d)
        return u @ u.T - v @ v.T


def diagonal_measurements(X) -> np.ndarray:
    """A_n = diag(x_n) for each row x_n of X, shape (N, d, d), object array."""
    X = np.asarray(X, dtype=object)
    out = np.zeros((X.shape[0], X.shape[1], X.shape[1]), dtype=object)
    for n in range(X.shape[0]):
        for i in range(X.shape[1]):
            out[n, i, i] = X[n, i]
    return out


# ----------------------------------------------------------------------------- data


@dataclass(frozen=True)
class Instance:
    """A regression problem y = Xβ*: X (N×d) Gaussian, β* with ``support`` non-zeros.

    Entries are float64 numbers, hence exact at every precision (y is Xβ* rounded once).
    """

    X: np.ndarray
    y: np.ndarray
    beta_star: np.ndarray
    seed: int


def random_instance(n_samples: int, dimension: int, seed: int,
                    support: int | None = None) -> Instance:
    """X with i.i.d. N(0, 1/N) entries, β* with ``support`` (default N) non-zero entries
    ±(0.5 + |N(0,1)|) at random positions, y = Xβ*; all drawn from SeedSequence(seed)."""
    n_samples, dimension = _check_shape(n_samples, dimension)
    support = n_samples if support is None else support
    if not 1 <= support <= dimension:
        raise ValueError(f"support must be in [1, {dimension}], got {support}")
    rng = np.random.default_rng(np.random.SeedSequence(seed))
    X = rng.standard_normal((n_samples, dimension)) / np.sqrt(n_samples)
    beta_star = np.zeros(dimension)
    positions = rng.choice(dimension, size=support, replace=False)
    beta_star[positions] = rng.choice([-1.0, 1.0], size=support) * (
        0.5 + np.abs(rng.standard_normal(support)))
    return Instance(X=X, y=X @ beta_star, beta_star=beta_star, seed=int(seed))


def min_l2_interpolant(X, y, bits: int = FLOAT64_BITS) -> np.ndarray:
    """X⁺y = Xᵀ(XXᵀ)⁻¹y: numpy lstsq at 53 bits, mpmath (bits + 16) above (mpf out)."""
    if check_bits(bits) == FLOAT64_BITS:
        return np.linalg.lstsq(np.asarray(X, dtype=float), np.asarray(y, dtype=float),
                               rcond=None)[0]
    with mpmath.workprec(bits + GUARD_BITS):
        matrix = _mp_matrix(X)
        dual = mpmath.lu_solve(matrix * matrix.T, _mp_vector(y))
        return np.array(list(matrix.T * dual), dtype=object)


@dataclass(frozen=True)
class L1Interpolant:
    """The minimum-ℓ1 interpolant, its support S and its dual certificate.

    λ = X_S⁻ᵀ sign(β_S); the solution is unique when ``margin`` = max_{i∉S} |(Xᵀλ)_i| < 1.
    """

    beta: np.ndarray
    support: tuple[int, ...]
    certificate: np.ndarray
    margin: float


def min_l1_interpolant(X, y, bits: int = FLOAT64_BITS) -> L1Interpolant:
    """argmin ‖β‖₁ s.t. Xβ = y by linprog (HiGHS) on β = u − v, u, v ≥ 0, then polished:
    β_S = X_S⁻¹y on the support S found, in mpmath at ``bits`` + 16 bits (floats at 53).

    ValueError if the linear programme fails or the solution is not a non-degenerate vertex
    (|S| ≠ N, or margin ≥ 1: not unique).
    """
    bits = check_bits(bits)
    data, target = np.asarray(X, dtype=float), np.asarray(y, dtype=float)
    n, d = data.shape
    result = linprog(np.ones(2 * d), A_eq=np.hstack([data, -data]), b_eq=target,
                     bounds=(0, None), method="highs")
    if result.status != 0:
        raise ValueError(f"min-ℓ1 linear programme failed: {result.message}")
    rough = result.x[:d] - result.x[d:]
    support = tuple(int(i) for i in np.flatnonzero(np.abs(rough) > 1e-9 * np.abs(rough).max()))
    if len(support) != n:
        raise ValueError(f"the min-ℓ1 solution is a degenerate vertex (support {support}, "
                         f"N = {n}); choose another instance")
    with mpmath.workprec(bits + GUARD_BITS):
        matrix = _mp_matrix(X)
        columns = mpmath.matrix([[matrix[k, i] for i in support] for k in range(n)])
        on_support = mpmath.lu_solve(columns, _mp_vector(y))
        certificate = mpmath.lu_solve(columns.T, mpmath.matrix(
            [mpmath.sign(v) for v in on_support]))
        correlations = matrix.T * certificate
        off_support = [abs(correlations[i]) for i in range(d) if i not in support]
        beta = np.array([mpmath.mpf(0)] * d, dtype=object)
        for index, value in zip(support, on_support, strict=True):
            beta[index] = value
        margin = float(max(off_support, default=mpmath.mpf(0)))
        certificate = np.array(list(certificate), dtype=object)
    if margin >= 1:
        raise ValueError(f"the min-ℓ1 interpolant is not unique (certificate margin "
                         f"{margin:.6f} ≥ 1)")
    if bits == FLOAT64_BITS:
        beta, certificate = beta.astype(float), certificate.astype(float)
    return L1Interpolant(beta=beta, support=support, certificate=certificate, margin=margin)


def _mp_matrix(values) -> mpmath.matrix:
    rows = np.asarray(values, dtype=object)
    return mpmath.matrix([[mpmath.mpf(x) for x in row] for row in rows])


def _mp_vector(values) -> mpmath.matrix:
    return mpmath.matrix([mpmath.mpf(x) for x in np.asarray(values, dtype=object).ravel()])
