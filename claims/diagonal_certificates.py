"""Certificates of claims KR1 and KR6 (issue 16): proofs at finitely many points.

KR1 states β(t) = α^D h_D(Xᵀν(t)) with ν = −c_D R(t), R(t) = ∫₀ᵗ (Xβ − y) (c₂ = 4,
c_D = α^{D−2}D(D−2)), and computes R from the N-dimensional ODE
dR/dt = X α^D h_D(Xᵀν(R)) − y. :func:`certify_kr1` encloses the network's own flow —
``DiagonalNetwork(N, d, D).vector_field``, the field the ladder integrates (automatic
differentiation of ½‖Xβ − y‖², augmented by dR/dt = Xβ − y) — in ``bits``-bit Arb balls
(:mod:`flowcert.numerics.validated`) and checks, with the helpers of
:mod:`flowcert.claims.certification`:

* **the closed form at the network's own R** — β = w₊^D − w₋^D of the enclosed state
  against α^D h_D(Xᵀν(R)) evaluated in balls at the enclosed R (``h_expression`` and
  ``dual_scale`` of :mod:`flowcert.theory.diagonal`, looked up when the certifier runs);
* **the reduced ODE** — the theory's ``integrated_residual_ode`` itself enclosed from R = 0
  (:func:`~flowcert.claims.certification.reduced_field`, exact constants kept exact) against
  the network's R, component by component.

The ladder's 2×4 instance (seed 11; state 2·4 + 2 = 10) and its three cases (D, α) =
(2, 0.5), (3, 0.6), (4, 0.75) on its 11-point grid on [0, 2], without t = 0, where β = 0 and
R = 0 exactly (a zero has no relative radius; the start is exact anyway).

KR6 states that diagonal matrix sensing, W = UUᵀ − VVᵀ with U(0) = V(0) = αI and
⟨diag(x_n), W⟩ = y_n, follows the D = 2 network: W(t) = diag(β(t)), β = 2α² sinh(Xᵀν(t)).
:func:`certify_kr6` encloses the sensing flow — ``MatrixSensing(N, d).vector_field``
(autodiff of ½Σ(⟨A_n, W⟩ − y_n)² in the entries of U, V) — on a small instance, the
ladder's seed 6 with N × d = 2 × 3 (state 2d² = 18; the ladder's 2 × 4 has 32), α = 0.6, its
7 times on [0, 1.5] without t = 0, and checks W_ii against KR1's D = 2 closed form at R of the
reduced ODE (enclosed as for KR1) and against β_i of the D = 2 diagonal network (enclosed as
well). The off-diagonal W_ij are compared with 0 only for a refutation (an enclosure that
excludes 0); otherwise their absolute bound is reported, 0 having no relative radius.

Enclosures of the networks depend on the numerics only and are computed once per process and
precision; the reduced ODE's enclosure is computed per expression (its field key hashes it).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence

import numpy as np
import sympy as sp
from flint import arb, fmpq

from flowcert.claims.certification import (
    evaluate_many,
    rational_grid,
    reduced_field,
    state_pairs,
)
from flowcert.claims.diagonal import (
    KR1_CASES,
    KR1_INSTANCES,
    KR1_POINTS,
    KR6_ALPHA,
    KR6_HORIZON,
    KR6_INSTANCE,
    KR6_POINTS,
)
from flowcert.numerics.ball_expressions import to_rational, upper_float, working_precision
from flowcert.numerics.certificate import Certificate, Pair, decide
from flowcert.numerics.diagonal import (
    DiagonalNetwork,
    MatrixSensing,
    diagonal_measurements,
    random_instance,
)
from flowcert.numerics.validated import Enclosure, enclose
from flowcert.theory import diagonal

#: KR1's instance: the ladder's 2×4 one (seed 11), the one it runs at every precision.
KR1_INSTANCE = next(i for i in KR1_INSTANCES if i["max_bits"] is None)
#: KR6's small instance: the ladder's seed with N × d = 2 × 3 instead of 2 × 4 (state
#: 2d² = 18 instead of 32).
KR6_SHAPE = (2, 3)


# ----------------------------------------------------------------------------- helpers


@functools.cache
def _data(n_samples: int, dimension: int, seed: int) -> tuple[np.ndarray, list[fmpq]]:
    """X (N×d) and y of numerics.diagonal.random_instance as exact rationals (its floats)."""
    instance = random_instance(n_samples, dimension, seed)
    X = np.array([[to_rational(float(v)) for v in row] for row in instance.X], dtype=object)
    return X, [to_rational(float(v)) for v in instance.y]


def _times(horizon: str, points: int) -> list[fmpq]:
    """The ladder's grid without t = 0."""
    return rational_grid(horizon, points)[1:]


def _system(n_samples: int, dimension: int, depth: int) -> dict:
    """theory.diagonal.integrated_residual_ode (built at every call: a replaced theory
    expression is what gets certified)."""
    return diagonal.integrated_residual_ode(n_samples, dimension, depth)


def _closed_form(system: dict, depth: int) -> tuple[sp.Expr, ...]:
    """β_i = α^D h_D((Xᵀν)_i), ν = −c_D R, in the system's symbols R, X, α."""
    dual = -diagonal.dual_scale(depth, diagonal.alpha) * sp.Matrix(system["state"])
    correlations = system["X"].T * dual
    return tuple(diagonal.alpha**depth * diagonal.h_expression(depth, correlations[i])
                 for i in range(system["X"].cols))


def _values(X: np.ndarray, y: Sequence[fmpq], alpha: fmpq) -> list[fmpq]:
    """The reduced system's parameters in its order: X row-major, y, α."""
    return [*X.ravel(), *y, alpha]


def _parameter_balls(system: dict, X: np.ndarray, y: Sequence[fmpq],
                     alpha: fmpq) -> dict[sp.Symbol, arb]:
    symbols = [*system["X"], *system["y"], system["alpha"]]
    return {s: arb(v) for s, v in zip(symbols, _values(X, y, alpha), strict=True)}


@functools.cache
def _reduced_enclosure(n_samples: int, dimension: int, seed: int, depth: int, alpha: str,
                       rhs: tuple[sp.Expr, ...], times: tuple[fmpq, ...],
                       bits: int) -> Enclosure:
    """The theory's reduced ODE dR/dt = X α^D h_D(Xᵀν(R)) − y from R = 0 (cached per
    expression ``rhs``, which the system rebuilds identically from an unchanged theory)."""
    system = _system(n_samples, dimension, depth)
    X, y = _data(n_samples, dimension, seed)
    field, constants = reduced_field(
        f"KR-reduced:N={n_samples}:d={dimension}:D={depth}", rhs, system["state"],
        [*system["X"], *system["y"], system["alpha"]])
    return enclose(field, [0] * n_samples, times,
                   [*_values(X, y, to_rational(alpha)), *constants], bits)


def _diagonal_network(n_samples: int, dimension: int, seed: int, depth: int, alpha: str,
                      times: tuple[fmpq, ...], bits: int) -> tuple[DiagonalNetwork, Enclosure]:
    """The D-network and its enclosure (below)."""
    return DiagonalNetwork(n_samples, dimension, depth), _network_enclosure(
        n_samples, dimension, seed, depth, alpha, times, bits)


@functools.cache
def _network_enclosure(n_samples: int, dimension: int, seed: int, depth: int, alpha: str,
                       times: tuple[fmpq, ...], bits: int) -> Enclosure:
    """The diagonal network from w± = α·1, R = 0 (state (w₊, w₋, R); its initial_state
    takes numbers, α here is the exact decimal string)."""
    network = DiagonalNetwork(n_samples, dimension, depth)
    X, y = _data(n_samples, dimension, seed)
    start = [alpha] * network.n_weights + [0] * n_samples
    return enclose(network.vector_field, start, times,
                   network.flow_parameters(X, y), bits)


def _regressor(network: DiagonalNetwork, state) -> list[arb]:
    return list(network.regressor(np.array(state, dtype=object)))


# ----------------------------------------------------------------------------- KR1


def certify_kr1(bits: int, cases: Sequence[Mapping] = KR1_CASES) -> Certificate:
    """KR1: β = w₊^D − w₋^D of the enclosed network against α^D h_D(Xᵀν(R)) at its enclosed
    R, and that R against the enclosed reduced ODE, at the ladder's grid times t > 0, for
    ``cases`` (D, α, horizon; default the ladder's three) on its 2×4 instance."""
    n_samples, dimension, seed = (KR1_INSTANCE[k] for k in ("n_samples", "dimension", "seed"))
    X, y = _data(n_samples, dimension, seed)
    pairs: list[Pair] = []
    for case in cases:
        depth, alpha = case["depth"], case["alpha"]
        times = tuple(_times(case["horizon"], KR1_POINTS))
        system = _system(n_samples, dimension, depth)
        closed_form = _closed_form(system, depth)
        network, enclosure = _diagonal_network(n_samples, dimension, seed, depth, alpha, times,
                                               bits)
        reduced = _reduced_enclosure(n_samples, dimension, seed, depth, alpha,
                                     tuple(system["rhs"]), times, bits)
        label = f"KR1 (D = {depth}, alpha = {alpha})"
        with working_precision(bits):
            fixed = _parameter_balls(system, X, y, to_rational(alpha))

        def predicted(_t: arb, state, system=system, closed_form=closed_form,
                      fixed=fixed, network=network) -> list[arb]:
            residual = network.integrated_residual(np.array(state, dtype=object))
            return evaluate_many(closed_form,
                                 fixed | dict(zip(system["state"], residual, strict=True)))

        pairs += state_pairs(enclosure, lambda state, network=network: _regressor(network,
                                                                                  state),
                             predicted, f"{label}, β", [f"β_{i}" for i in range(dimension)])
        pairs += _residual_pairs(network, enclosure, reduced, f"{label}, R")
    return decide(pairs, bits)


def _residual_pairs(network: DiagonalNetwork, enclosure: Enclosure, reduced: Enclosure,
                    label: str) -> list[Pair]:
    """The network's R(t) against the reduced ODE's, at their common output times."""
    pairs: list[Pair] = []
    for t, state, expected in zip(enclosure.times, enclosure.states, reduced.states,
                                  strict=True):
        residual = network.integrated_residual(np.array(state, dtype=object))
        pairs += [(f"{label}, t = {float(t):.6g}, R_{n}", r, value)
                  for n, (r, value) in enumerate(zip(residual, expected, strict=True))]
    return pairs


# ----------------------------------------------------------------------------- KR6


@functools.cache
def _sensing_enclosure(shape: tuple[int, int], times: tuple[fmpq, ...],
                       bits: int) -> Enclosure:
    """The sensing flow from U = V = αI (row-major; α the exact decimal) on the N × d
    instance of KR6's seed, A_n = diag(x_n)."""
    n_samples, dimension = shape
    X, y = _data(n_samples, dimension, KR6_INSTANCE["seed"])
    sensing = MatrixSensing(n_samples, dimension)
    identity = [KR6_ALPHA if i == j else 0 for i in range(dimension) for j in range(dimension)]
    return enclose(sensing.vector_field, identity + identity, times,
                   sensing.flow_parameters(diagonal_measurements(X), y), bits)


def certify_kr6(bits: int, shape: tuple[int, int] = KR6_SHAPE) -> Certificate:
    """KR6: W = UUᵀ − VVᵀ of the enclosed sensing flow — W_ii against 2α² sinh((Xᵀν(R))_i)
    at the enclosed reduced ODE's R and against β_i of the enclosed D = 2 network; W_ij
    (i ≠ j) against 0 — at the ladder's 6 times t > 0 on [0, 1.5], on the N × d = ``shape``
    instance of the ladder's seed."""
    (n_samples, dimension), seed, depth = shape, KR6_INSTANCE["seed"], 2
    X, y = _data(n_samples, dimension, seed)
    times = tuple(_times(KR6_HORIZON, KR6_POINTS))
    sensing = MatrixSensing(n_samples, dimension)
    enclosure = _sensing_enclosure(shape, times, bits)
    system = _system(n_samples, dimension, depth)
    closed_form = _closed_form(system, depth)
    reduced = _reduced_enclosure(n_samples, dimension, seed, depth, KR6_ALPHA,
                                 tuple(system["rhs"]), times, bits)
    network, network_enclosure = _diagonal_network(n_samples, dimension, seed, depth,
                                                   KR6_ALPHA, times, bits)
    label = f"KR6 (N = {n_samples}, d = {dimension}, alpha = {KR6_ALPHA})"
    pairs: list[Pair] = []
    off_diagonal = 0.0
    with working_precision(bits):
        fixed = _parameter_balls(system, X, y, to_rational(KR6_ALPHA))
        for t, state, residual, weights in zip(times, enclosure.states, reduced.states,
                                               network_enclosure.states, strict=True):
            matrix = sensing.matrix(np.array(state, dtype=object))
            predicted = evaluate_many(closed_form,
                                      fixed | dict(zip(system["state"], residual, strict=True)))
            beta = _regressor(network, weights)
            where = f"{label}, t = {float(t):.6g}"
            for i in range(dimension):
                pairs += [(f"{where}, W_{i}{i} vs closed form", matrix[i, i], predicted[i]),
                          (f"{where}, W_{i}{i} vs network β_{i}", matrix[i, i], beta[i])]
            for i, j in ((i, j) for i in range(dimension) for j in range(dimension) if i != j):
                entry = matrix[i, j]
                if entry.contains(0):
                    off_diagonal = max(off_diagonal, upper_float(abs(entry).upper()))
                else:
                    pairs.append((f"{where}, W_{i}{j}", entry, arb(0)))
    certificate = decide(pairs, bits)
    if certificate.status == "certified":
        certificate.evidence.append(f"off-diagonal W_ij: every enclosure contains 0, "
                                    f"|W_ij| ≤ {off_diagonal:.3g} (absolute; 0 has no relative "
                                    "radius)")
    return certificate


#: The certifier of each claim id (claims.diagonal declares them through this table).
CERTIFIERS: dict[str, Callable[[int], Certificate]] = {"KR1": certify_kr1, "KR6": certify_kr6}
