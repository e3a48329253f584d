"""Certificates of claims GS1 and GS6 (issue 16): response dynamics proven at finitely many
points.

GS1 predicts an ODE, ż = η(S²Uᵀσ(−Uz) − λz) (weight decay) or ηS²(Uᵀσ(−Uz) − λz) (Spectral
Decoupling) for the responses z = SVᵀθ of the linearised logistic model, whose own flow is
τθ̇ = −∇L(θ) in parameter space. :func:`certify_gs1` encloses that θ-flow —
``LogisticModel(n, d, regulariser).vector_field``, the field the ladder integrates (automatic
differentiation of the loss) — in ``bits``-bit Arb balls (:mod:`flowcert.numerics.validated`)
and checks the prediction two ways with the helpers of :mod:`flowcert.claims.certification`:

* **velocity identity, both sides in balls** — at every enclosed state, SVᵀθ̇ from the
  network's own velocity against the theory's ż (``_toy_response_velocity``, SymPy, looked up
  when the certifier runs) evaluated at the enclosed z = SVᵀθ. Intersecting balls of
  relative radius ≤ ρ prove that the two sides agree within that width at those states;
  disjoint balls prove that the stated ż is not the network's at that state.
* **trajectory** — the theory's ODE itself enclosed from z(0) = SVᵀθ(0) = 0 (the SymPy
  expression turned into a field by :func:`~flowcert.claims.certification.reduced_field`,
  exact constants kept exact) and compared with SVᵀθ(t) of the network at each output time.
  Both balls contain exact values — the network's z(t) and the reduced ODE's solution z̃(t)
  — so intersecting balls prove |z(t) − z̃(t)| ≤ the sum of their diameters (≈ 10⁻⁷⁰ at 256
  bits) at those times, and disjoint balls prove z(t) ≠ z̃(t). Both V share one z̃, so this
  also certifies the claim's V-independence of z(t).

Small instance (the ladder's is 3 samples × 5 features, a random U): the paper's
two-feature toy, U = [[c, −δ], [δ, c]] with δ = 3/5 so that c = 4/5 and Φ = YUSVᵀ is exact,
labels (1, −1), S = (3, 1.5), λ = 0.05, η = 0.7 as the ladder's, d = 3 features and two
rational V (columns of the orthogonal matrices (1/3)[[1, 2, 2], …] and (1/7)[[2, 3, 6], …]),
θ(0) = 0, the ladder's 7 times on [0, 12]; both regularisers.

GS6 states z(t) = τ − ω(τ), τ = z0 + e^{z0} + ηs²t (ω the Wright omega function, W(e^τ)) for
one sample and no regulariser. :func:`certify_gs6` encloses the network's θ-flow of that
set-up (``LogisticModel(1, 2, "weight_decay")`` with λ = 0, as the ladder's) from
θ0 = v z0/s, with an exactly rational unit direction v = (3/5, 4/5) in place of the ladder's
random one (seed 36, a float vector whose norm is 1 only to rounding), for the ladder's three
(s, z0, η) on its 9-point grid up to τ = 200 — without t = 0, where z = z0 = 0 in one case
has no relative radius — and compares z = s vᵀθ with SINGLE_MODE_RESPONSE (SymPy, Arb's
LambertW) at the statement's τ(t), written here in balls.

Enclosures of the network depend on the numerics only and are computed once per process and
precision; the reduced ODE's enclosure is computed per expression (its field key hashes it).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np
import sympy as sp
from flint import arb, fmpq

from flowcert.claims.certification import (
    evaluate,
    evaluate_many,
    rational_grid,
    reduced_field,
    state_pairs,
    velocity,
)
from flowcert.claims.starvation import (
    GS1_SETUP,
    GS6_CASES,
    GS6_CLOCK_END,
    GS6_POINTS,
    REGULARISERS,
)
from flowcert.numerics.ball_expressions import to_rational, working_precision
from flowcert.numerics.certificate import Certificate, Pair, decide
from flowcert.numerics.logistic import LogisticModel
from flowcert.numerics.validated import Enclosure, enclose
from flowcert.theory import starvation

#: The toy's δ = 3/5 (a Pythagorean angle: c = √(1 − δ²) = 4/5 exactly), below 1/√2 as the
#: theory requires; labels with one −1 so that Y enters.
GS1_DELTA, GS1_COSINE = fmpq(3, 5), fmpq(4, 5)
GS1_LABELS = (1, -1)
#: The ladder's two largest singular values, λ, η, horizon and number of output times.
GS1_S = tuple(to_rational(s) for s in GS1_SETUP["S"][:2])
GS1_LAMBDA, GS1_ETA = to_rational(GS1_SETUP["lam"]), to_rational(GS1_SETUP["eta"])
GS1_TIMES = tuple(rational_grid(GS1_SETUP["horizon"], GS1_SETUP["points"]))
#: Two d × n = 3 × 2 matrices with orthonormal columns, exactly rational: the first two
#: columns of symmetric orthogonal matrices (rows of norm 3 and 7 over 3 and 7).
GS1_V = (np.array([[1, 2], [2, 1], [2, -2]], dtype=object) * fmpq(1, 3),
         np.array([[2, 3], [3, -6], [6, 2]], dtype=object) * fmpq(1, 7))

_PARAMETERS = (starvation.s1, starvation.s2, starvation.lam, starvation.eta, starvation.delta)
_RESPONSES = tuple(sp.Symbol(f"z_{k}", real=True) for k in (1, 2))


def _rotation() -> np.ndarray:
    """U = [[c, −δ], [δ, c]] in exact rationals (the theory writes c = √(1 − δ²))."""
    return np.array([[GS1_COSINE, -GS1_DELTA], [GS1_DELTA, GS1_COSINE]], dtype=object)


@functools.cache
def _model(regulariser: str) -> LogisticModel:
    """One model per regulariser (its field is derived by heyoka once)."""
    return LogisticModel(len(GS1_LABELS), GS1_V[0].shape[0], regulariser)


def _setup(regulariser: str, v_index: int) -> tuple[LogisticModel, list]:
    """The model and its exact runtime parameters: Φ = YUSVᵀ, y, λ, readout U, τ = 1/η."""
    rotation = _rotation()
    phi = np.diag(np.array(GS1_LABELS, dtype=object)) @ rotation \
        @ np.diag(np.array(GS1_S, dtype=object)) @ GS1_V[v_index].T
    model = _model(regulariser)
    params = model.flow_parameters([{"phi": phi, "y": list(GS1_LABELS), "lam": GS1_LAMBDA,
                                     "readout": rotation}], tau=1 / GS1_ETA)
    return model, params


@functools.cache
def _network_enclosure(regulariser: str, v_index: int, bits: int) -> Enclosure:
    """The network's θ-flow from θ = 0 at the ladder's 7 times."""
    model, params = _setup(regulariser, v_index)
    return enclose(model.vector_field, [0] * model.dimension, GS1_TIMES, params, bits)


@functools.cache
def _reduced_enclosure(expressions: tuple[sp.Expr, ...], bits: int) -> Enclosure:
    """The theory's ż = f(z) from z = 0 at the same times (cached per expression)."""
    symbols = {s.name: s for e in expressions for s in e.free_symbols}
    states = [symbols.get(s.name, s) for s in _RESPONSES]
    field, constants = reduced_field("GS1-reduced", expressions, states, _PARAMETERS)
    values = [*GS1_S, GS1_LAMBDA, GS1_ETA, GS1_DELTA, *constants]
    return enclose(field, [0, 0], GS1_TIMES, values, bits)


def _responses(v_index: int, state) -> list[arb]:
    """z = SVᵀθ (exact rationals times balls)."""
    z = np.diag(np.array(GS1_S, dtype=object)) @ GS1_V[v_index].T @ np.array(state,
                                                                             dtype=object)
    return list(z)


def certify_gs1(bits: int) -> Certificate:
    """GS1: for both regularisers and both V, SVᵀθ̇ of the network's own velocity against the
    theory's ż at the enclosed z, and the enclosed z = SVᵀθ against the enclosure of the
    theory's ż-ODE from 0, at t = 0, 2, …, 12 (see the module doc)."""
    pairs: list[Pair] = []
    for regulariser in REGULARISERS:
        expressions = tuple(starvation._toy_response_velocity(regulariser))
        reduced = _reduced_enclosure(expressions, bits)
        for v_index in range(len(GS1_V)):
            network = _network_enclosure(regulariser, v_index, bits)
            label = f"GS1 {regulariser}, V{v_index + 1}"
            pairs += _velocity_pairs(network, regulariser, v_index, expressions,
                                     f"{label}, velocity")
            pairs += _trajectory_pairs(network, reduced, v_index, f"{label}, trajectory")
    return decide(pairs, bits)


def _velocity_pairs(network: Enclosure, regulariser: str, v_index: int,
                    expressions: tuple[sp.Expr, ...], label: str) -> list[Pair]:
    """SVᵀθ̇ (the network's velocity at the enclosed θ) against ż(SVᵀθ) in balls."""
    model, params = _setup(regulariser, v_index)
    symbols = {s.name: s for e in expressions for s in e.free_symbols}
    with working_precision(network.precision_bits):
        balls = [arb(to_rational(p)) for p in params]
        fixed = {symbols[s.name]: arb(v) for s, v in zip(
            _PARAMETERS, [*GS1_S, GS1_LAMBDA, GS1_ETA, GS1_DELTA], strict=True)
            if s.name in symbols}

    def observed(state) -> list[arb]:
        return _responses(v_index, velocity(model.vector_field, state, balls))

    def predicted(_t: arb, state) -> list[arb]:
        responses = {symbols[s.name]: z for s, z in zip(_RESPONSES, _responses(v_index, state),
                                                        strict=True)}
        return evaluate_many(expressions, fixed | responses)

    return state_pairs(network, observed, predicted, label, ["ż_1", "ż_2"])


def _trajectory_pairs(network: Enclosure, reduced: Enclosure, v_index: int,
                      label: str) -> list[Pair]:
    """SVᵀθ(t) of the network against the reduced ODE's z(t), component by component, at
    their common output times."""
    pairs: list[Pair] = []
    with working_precision(network.precision_bits):
        for t, state, expected in zip(network.times, network.states, reduced.states,
                                      strict=True):
            pairs += [(f"{label}, t = {float(t):.6g}, {tag}", z, value) for tag, z, value
                      in zip(("z_1", "z_2"), _responses(v_index, state), expected, strict=True)]
    return pairs


# ----------------------------------------------------------------------------- GS6

#: GS6's direction: a rational unit vector (3-4-5), so that Φ = s vᵀ and θ0 = v z0/s are exact.
GS6_DIRECTION = (fmpq(3, 5), fmpq(4, 5))


def _gs6_horizon(s: fmpq, z0: fmpq, eta: fmpq) -> fmpq:
    """The ladder's end time (τ_end − z0 − e^{z0})/(ηs²), τ_end = GS6_CLOCK_END, at float
    precision as the exact rational it rounds to (the grid needs exact times, not the
    ladder's rounded ones)."""
    return to_rational((GS6_CLOCK_END - float(z0) - math.exp(float(z0)))
                       / float(eta * s * s))


@functools.cache
def _gs6_enclosure(s: str, z0: str, eta: str, bits: int) -> Enclosure:
    """The one-sample network's θ-flow (λ = 0, τ = 1/η) from θ0 = v z0/s on the grid t > 0."""
    s_, z0_, eta_ = (to_rational(v) for v in (s, z0, eta))
    model = _model_single()
    phi = np.array([[s_ * v for v in GS6_DIRECTION]], dtype=object)
    params = model.flow_parameters([{"phi": phi, "y": [1], "lam": 0,
                                     "readout": np.array([[1]], dtype=object)}], tau=1 / eta_)
    times = rational_grid(_gs6_horizon(s_, z0_, eta_), GS6_POINTS)[1:]
    return enclose(model.vector_field, [v * z0_ / s_ for v in GS6_DIRECTION], times, params,
                   bits)


@functools.cache
def _model_single() -> LogisticModel:
    return LogisticModel(1, len(GS6_DIRECTION), "weight_decay")


def certify_gs6(bits: int) -> Certificate:
    """GS6: z = s vᵀθ of the enclosed network against SINGLE_MODE_RESPONSE at
    τ = z0 + e^{z0} + ηs²t (balls), at the ladder's grid times t > 0, for its three cases."""
    pairs: list[Pair] = []
    response = starvation.SINGLE_MODE_RESPONSE
    for case in GS6_CASES:
        s, z0, eta = (to_rational(case[k]) for k in ("s", "z0", "eta"))
        enclosure = _gs6_enclosure(case["s"], case["z0"], case["eta"], bits)
        with working_precision(bits):
            start = arb(z0) + arb(z0).exp()

        def observed(state, s=s) -> list[arb]:
            return [s * sum(v * x for v, x in zip(GS6_DIRECTION, state, strict=True))]

        def predicted(t: arb, _state, s=s, eta=eta, start=start) -> list[arb]:
            return [evaluate(response, {starvation.tau: start + eta * s * s * t})]

        label = "GS6 (" + ", ".join(f"{k} = {v}" for k, v in case.items()) + "), z"
        pairs += state_pairs(enclosure, observed, predicted, label)
    return decide(pairs, bits)


#: The certifier of each claim id (claims.starvation declares them through this table).
CERTIFIERS: dict[str, Callable[[int], Certificate]] = {"GS1": certify_gs1, "GS6": certify_gs6}
