"""ReLU networks of the CL claims: one ReLU path per input mode, mean loss over data points.

f(x) = Σ_k w_{k,L} ReLU(w_{k,L−1} ⋯ ReLU(w_{k,1} x_k)): mode k's path reads coordinate k of
the input (depth L = 2 is the unit a·ReLU(b x_k) of THEORY.md's CL setup; L > 2 is CL8's
chain). Data point i has input x_i = Σ_{k ∈ pattern_i} r_k e_k, label y_i = ±1, weight ω_i
(the fraction of the data it stands for), margin u_i = y_i f(x_i), and the loss is
Σ_i ω_i ℓ(u_i) with ℓ(u) = log(1 + e^{−u}) (cross-entropy) or max(0, 1 − u) (hinge).

The hinge is not smooth at u = 1. It is integrated as a sequence of smooth branches: the
branch loss is Σ_{i active} ω_i (1 − u_i); the integration runs up to the first event
u_i = 1 of an active point (located by the engine's event detection), that point becomes
inactive, and the integration continues from the state at the event with the next branch.
Gradients come from heyoka's automatic differentiation of the branch loss (d ReLU = relup).

State layout: for mode k, [w_{k,L}, …, w_{k,1}] (depth 2: [a_k, b_k]). Runtime parameters:
r_1..r_K, ω_1..ω_n, then τ.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache

import heyoka as hy
import mpmath
import numpy as np

from flowcert.numerics.flows import Crossing, VectorField, gradient_flow
from flowcert.numerics.integrate import integrate
from flowcert.numerics.precision import FLOAT64_BITS, unit_roundoff

LOSSES = ("cross_entropy", "hinge")
HINGE_MAX_SWITCHES = 64


@dataclass(frozen=True)
class ReluModeNetwork:
    """Architecture and data layout (not values): ``patterns[i]`` lists the modes present in
    point i, ``labels[i]`` its label; ``depth`` ReLU-path length L ≥ 2."""

    n_modes: int
    patterns: tuple[tuple[int, ...], ...]
    labels: tuple[int, ...]
    depth: int = 2

    def __post_init__(self):
        if self.n_modes < 1 or self.depth < 2:
            raise ValueError(f"need n_modes ≥ 1 and depth ≥ 2, got {self.n_modes}, {self.depth}")
        if len(self.patterns) != len(self.labels) or not self.patterns:
            raise ValueError("patterns and labels must be non-empty and of equal length")
        if any(not pattern or any(not 0 <= k < self.n_modes for k in pattern)
               for pattern in self.patterns):
            raise ValueError(f"every pattern must list modes in 0..{self.n_modes - 1}")
        if any(label not in (1, -1) for label in self.labels):
            raise ValueError(f"labels must be ±1, got {self.labels}")

    @property
    def key(self) -> str:
        return f"relu_modes:L{self.depth}:K{self.n_modes}:{self.patterns}:{self.labels}"

    @property
    def n_points(self) -> int:
        return len(self.patterns)

    @property
    def n_params(self) -> int:
        return self.n_modes + self.n_points

    @property
    def variables(self) -> list:
        return _variables(self.n_modes, self.depth)

    def mode_weights(self, values: Sequence, mode: int) -> Sequence:
        """The path of ``mode`` in ``values`` (state numbers or heyoka variables), output first."""
        return values[mode * self.depth:(mode + 1) * self.depth]

    def _path(self, values: Sequence, mode: int, scale, relu: Callable):
        weights = self.mode_weights(values, mode)
        hidden = relu(weights[-1] * scale)
        for weight in reversed(weights[1:-1]):
            hidden = relu(weight * hidden)
        return weights[0] * hidden

    def margin(self, values: Sequence, point: int, radii: Sequence, relu: Callable = hy.relu):
        """u_i = y_i Σ_{k ∈ pattern_i} path_k(r_k): a heyoka expression of the variables (with
        radii = parameters) or a number (with numeric radii and relu=numeric_relu)."""
        terms = [self._path(values, k, radii[k], relu) for k in self.patterns[point]]
        total = terms[0]
        for term in terms[1:]:
            total = total + term
        return total if self.labels[point] == 1 else -total

    def margins(self, state: Sequence, radii: Sequence) -> list:
        """All margins of a numeric state (floats or mpf)."""
        return [self.margin(list(state), i, radii, numeric_relu) for i in range(self.n_points)]

    def margin_expression(self, point: int) -> hy.expression:
        return self.margin(self.variables, point, [hy.par[k] for k in range(self.n_modes)])

    def vector_field(self, loss: str, active: frozenset | None = None) -> VectorField:
        """τ θ̇ = −∇(Σ_i ω_i ℓ(u_i)); for the hinge, the branch with ``active`` points."""
        return _vector_field(self, loss, None if active is None else frozenset(active))

    def flow_parameters(self, radii: Sequence, point_weights: Sequence, tau=1) -> list:
        """Runtime parameters: r_1..r_K, ω_1..ω_n, τ."""
        if len(radii) != self.n_modes or len(point_weights) != self.n_points:
            raise ValueError(f"need {self.n_modes} radii and {self.n_points} point weights")
        if any(not x > 0 for x in radii) or any(not w >= 0 for w in point_weights):
            raise ValueError("radii must be > 0 and point weights ≥ 0")
        return list(radii) + list(point_weights) + [tau]


def numeric_relu(value):
    """max(value, 0) for floats and mpf."""
    return value if value > 0 else value * 0


@cache
def _variables(n_modes: int, depth: int) -> list:
    return [hy.expression(f"w{k}_{j}") for k in range(n_modes) for j in range(depth, 0, -1)]


@cache
def _vector_field(network: ReluModeNetwork, loss: str, active: frozenset | None) -> VectorField:
    if loss not in LOSSES:
        raise ValueError(f"loss must be one of {LOSSES}, got {loss!r}")
    if (loss == "hinge") != (active is not None):
        raise ValueError("the hinge needs an active set of points; cross-entropy takes none")
    weights = [hy.par[network.n_modes + i] for i in range(network.n_points)]
    if loss == "cross_entropy":
        terms = [weights[i] * hy.log1p(hy.exp(-network.margin_expression(i)))
                 for i in range(network.n_points)]
        key = f"{network.key}:cross_entropy"
    else:
        terms = [weights[i] * (1.0 - network.margin_expression(i)) for i in sorted(active)]
        key = f"{network.key}:hinge{sorted(active)}"
    if not terms:
        raise ValueError("the hinge branch with no active point has no gradient; skip it")
    return gradient_flow(key, hy.sum(terms), network.variables, network.n_params)


def lie_derivative(expression: hy.expression, vector_field: VectorField) -> hy.expression:
    """d/dt of ``expression`` along the field: Σ_i ∂expression/∂θ_i · θ̇_i (autodiff)."""
    return hy.sum([hy.diff(expression, variable) * rate
                   for variable, rate in zip(vector_field.variables, vector_field.rhs,
                                             strict=True)])


@dataclass
class HingeRun:
    """A hinge integration: states at the requested times, branch switches, events."""

    times: list
    states: np.ndarray
    switches: list[tuple[object, int]]  # (absolute time, point that reached u = 1)
    events: dict[str, list] = field(default_factory=dict)
    steps: int = 0


def integrate_hinge(network: ReluModeNetwork, initial_state: Sequence, times: Sequence,
                    params: Sequence, *, bits: int = FLOAT64_BITS,
                    events: Sequence[Crossing] = ()) -> HingeRun:
    """Integrate the hinge loss's gradient flow branch by branch (module docstring).

    Points start active when u_i(0) < 1. The flow is advanced one interval of ``times`` at
    a time; an interval in which an active point reaches u_i = 1 (event) is integrated again
    up to exactly that time, the point becomes inactive and the next branch starts there.
    (Integrating a branch far past its own switch can meet a blow-up of the branch field,
    e.g. u̇ ∝ u^{2−2/L} for chains, so ``times`` should be fine enough that one interval does
    not reach it.) With no active point left the flow is at rest. ``events`` are located in
    every branch (absolute times). Raises ArithmeticError if an inactive point's margin falls
    back below 1 by more than rounding (a reactivation, which this driver does not model).
    """
    radii = params[:network.n_modes]
    state = list(initial_state)
    active = frozenset(i for i, m in enumerate(network.margins(state, radii)) if m < 1)
    start = times[0] * 0
    run = HingeRun(list(times), np.empty(0), [], {e.name: [] for e in events})
    rows: list = []
    while len(rows) < len(times):
        offset = times[len(rows)] - start
        if not active or offset == 0:
            rows.append(list(state))
            continue
        if len(run.switches) > HINGE_MAX_SWITCHES:
            raise ArithmeticError(f"more than {HINGE_MAX_SWITCHES} hinge switches")
        branch = network.vector_field("hinge", active)
        stops = [Crossing(f"hinge-stop-{i}", _margin_function(network, i), 1)
                 for i in sorted(active)]
        probe = integrate(branch, state, [0 * offset, offset], params, bits=bits,
                          events=[*stops, *events])
        run.steps += probe.steps
        first = _first_stop(probe.events, stops)
        branch_active = active
        if first is None:
            segment, elapsed = probe, offset
        else:
            elapsed, point = first
            segment = integrate(branch, state, [0 * elapsed, elapsed], params, bits=bits,
                                events=events)
            run.steps += segment.steps
            run.switches.append((start + elapsed, point))
            active = active - {point}
            for other in _at_hinge(network, segment.states[-1], radii, active, bits):
                run.switches.append((start + elapsed, other))  # simultaneous stop
                active = active - {other}
        for event in events:
            run.events[event.name] += [start + t for t in segment.events[event.name]]
        _check_inactive(network, segment.states, radii, branch_active, bits)
        state = list(segment.states[-1])
        start = start + elapsed
        if first is None:
            rows.append(list(state))
    run.states = _stack(rows)
    return run


def _margin_function(network: ReluModeNetwork, point: int) -> Callable:
    expression = network.margin_expression(point)
    return lambda _variables: expression


def _first_stop(events: dict, stops: Sequence[Crossing]):
    candidates = [(times[0], int(stop.name.rsplit("-", 1)[1]))
                  for stop in stops if (times := events[stop.name])]
    return min(candidates, key=lambda pair: pair[0]) if candidates else None


def _slack(bits: int):
    """10³ unit roundoffs: how far from 1 a margin at its hinge may be after a switch."""
    return 1000 * (unit_roundoff(bits) if bits == FLOAT64_BITS else mpmath.mpf(2) ** (1 - bits))


def _at_hinge(network, state, radii, active, bits) -> list[int]:
    """Active points whose margin already reached 1 (to rounding) in ``state``."""
    margins = network.margins(list(state), radii)
    return [i for i in sorted(active) if margins[i] >= 1 - _slack(bits)]


def _check_inactive(network, states, radii, active, bits) -> None:
    """Inactive margins must stay ≥ 1 up to the rounding of the switch."""
    slack = _slack(bits)
    for row in states:
        for i, margin in enumerate(network.margins(list(row), radii)):
            if i not in active and margin < 1 - slack:
                raise ArithmeticError(f"inactive point {i} fell back below the hinge "
                                      f"(u = {margin}); reactivation is not modelled")


def _stack(rows: list) -> np.ndarray:
    if all(isinstance(v, float | np.floating) for row in rows for v in row):
        return np.array(rows, dtype=float)
    return np.array(rows, dtype=object)
