"""Certificates of claims DL1, DL2, DL4, DL5 and DL6 (issue 16): proofs at finitely many points.

Each ``certify_dlk(bits)`` encloses the gradient flow of the claim's deep linear network —
``DeepLinearNetwork(layers).vector_field``, the field the ladder integrates — in
``bits``-bit Arb ball arithmetic (:mod:`flowcert.numerics.validated`) and compares it with
the theory's SymPy closed forms (:mod:`flowcert.theory.deep_linear`, looked up when the
certifier runs) evaluated in the same arithmetic, by the helpers of
:mod:`flowcert.claims.certification`:

* DL1 — u = w₂w₁ of the 1-1-1 network on the ladder's 41-point grid against
  MODE_STRENGTH, and the crossings u = s/2 and u = u0 + 0.9(s − u0) against HALF_TIME and
  TRANSIT_TIME, for the ladder's five cases;
* DL2 — the ladder's crossing times of u0 + (s − u0)·{0.25, 0.5, 0.9} against
  τ(G(uf) − G(u0)), G = UNBALANCED_ANTIDERIVATIVE, for its three cases;
* DL4 — the same for balanced chains of depth 3, 4, 6 against (τ/m)(F(uf) − F(u0)),
  F = CHAIN_ANTIDERIVATIVE (Arb's ₂F₁);
* DL5 — a 1→2→2→1 network (8 weights; the ladder's 5→6→8→3 has 102) from a random init:
  every entry of W_{j+1}ᵀW_{j+1} − W_jW_jᵀ at 8 times against CONSERVED_BALANCE at its value
  at t = 0;
* DL6 — a 3-layer network of 2×2 matrices (12 weights; the ladder's 3-layer 3×3 has 27)
  from an *exactly* balanced rational init: dW_e/dt by the product rule from the network's
  own velocity against end_to_end_velocity_2x2 (fractional powers 1/3, 2/3) at the same
  enclosed state, at 5 times.

Enclosures depend on the numerics only, so each is computed once per process and
precision (a replaced theory expression is certified against the same enclosure).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence

import mpmath
import numpy as np
from flint import arb, fmpq

from flowcert.claims.certification import (
    crossing_pairs,
    enclose_until_crossed,
    evaluate,
    evaluate_many,
    rational_grid,
    state_pairs,
    velocity,
)
from flowcert.claims.deep_linear import (
    DL1_CASES,
    DL2_CASES,
    DL2_FRACTIONS,
    DL4_CASES,
    DL4_FRACTIONS,
    dl1_horizon,
    dl2_horizon,
    dl4_horizon,
)
from flowcert.numerics.ball_expressions import to_ball, to_rational, working_precision
from flowcert.numerics.certificate import Certificate, Pair, decide
from flowcert.numerics.deep_linear import DeepLinearNetwork, balancedness
from flowcert.numerics.flows import Crossing
from flowcert.numerics.validated import Enclosure, enclose
from flowcert.theory import deep_linear

#: The ladder's DL1 grid: 41 points from t = 0 to its horizon.
DL1_POINTS = 41
#: DL5's small network (depth 3 as the ladder's, two conserved matrices of size 2×2), its
#: Gaussian init (σ = 0.5, as the ladder's) and target, written as 4-decimal strings so the
#: initial state is exact; the ladder's horizon 2, at 8 times after t = 0.
DL5_LAYERS = (1, 2, 2, 1)
DL5_SEED = 5
DL5_TIMES = tuple(fmpq(k, 4) for k in range(1, 9))
#: DL6's small network: the ladder's depth 3 with 2×2 matrices, W_j = O_j diag(σ) O_{j−1}ᵀ
#: with rational rotations (Pythagorean triples 3-4-5, 5-12-13, 8-15-17, 7-24-25), so
#: W_{j+1}ᵀW_{j+1} = W_jW_jᵀ holds exactly and the flow keeps it (DL5): the identity holds
#: exactly on the true trajectory. σ are the ladder's two largest; the target is 4-decimal
#: Gaussian (seed 106); times as the ladder's.
DL6_DEPTH = 3
DL6_SIGMA = (fmpq(6, 5), fmpq(4, 5))
DL6_TRIPLES = ((3, 4, 5), (5, 12, 13), (8, 15, 17), (7, 24, 25))
DL6_SEED = 106
DL6_TIMES = tuple(fmpq(k, 4) for k in range(5))

SCALAR_NETWORK = DeepLinearNetwork((1, 1, 1))
_S, _U0, _UF, _TAU, _T, _U = (deep_linear.s, deep_linear.u0, deep_linear.uf, deep_linear.tau,
                               deep_linear.t, deep_linear.u)


def _float_horizon(horizon: Callable, *args) -> fmpq:
    """A ladder horizon formula of exact arguments (decimal strings, rationals, ints) at
    float precision, as the exact rational it rounds to."""
    with mpmath.workprec(53):
        values = [to_rational(a) for a in args]
        return to_rational(horizon(*[mpmath.mpf(int(v.p)) / int(v.q) for v in values]))


def _product(variables):
    product = variables[0]
    for variable in variables[1:]:
        product = product * variable
    return product


def _target(value: str) -> np.ndarray:
    return np.array([[value]], dtype=object)


def _label(case: Mapping) -> str:
    return "(" + ", ".join(f"{k} = {v}" for k, v in case.items()) + ")"


def _levels(u0: fmpq, s: fmpq, fractions: Sequence[str]) -> list[fmpq]:
    """The exact crossing levels u0 + (s − u0)·f of the ladder."""
    return [u0 + (s - u0) * to_rational(f) for f in fractions]


# ----------------------------------------------------------------------------- DL1


@functools.cache
def _dl1_enclosure(s: str, u0: str, tau: str, bits: int) -> Enclosure:
    """The 1-1-1 network from w₁ = w₂ = √u0 (a ball) on the ladder's grid and events."""
    s_, u0_ = to_rational(s), to_rational(u0)
    events = [Crossing("transit", _product, u0_ + (s_ - u0_) * fmpq(9, 10))]
    if u0_ < s_ / 2:
        events.append(Crossing("half", _product, s_ / 2))
    with working_precision(bits):
        root = to_ball(u0).sqrt()
    return enclose(SCALAR_NETWORK.vector_field, [root, root],
                   rational_grid(_float_horizon(dl1_horizon, s, u0, tau), DL1_POINTS),
                   SCALAR_NETWORK.flow_parameters(_target(s), tau), bits, events=events)


def certify_dl1(bits: int) -> Certificate:
    """DL1: u(t) = w₂w₁ against MODE_STRENGTH at every grid time, and the enclosed crossing
    times against TRANSIT_TIME (u = u0 + 0.9(s − u0)) and HALF_TIME (u = s/2, when
    u0 < s/2), for the ladder's five (s, u0, τ)."""
    pairs: list[Pair] = []
    missing: list[str] = []
    for case in DL1_CASES:
        enclosure = _dl1_enclosure(case["s"], case["u0"], case["tau"], bits)
        label = f"DL1 {_label(case)}"
        s, u0, tau = (to_rational(case[k]) for k in ("s", "u0", "tau"))
        with working_precision(bits):
            values = {_S: arb(s), _U0: arb(u0), _TAU: arb(tau),
                      _UF: arb(u0 + (s - u0) * fmpq(9, 10))}
            times = {"transit": evaluate(deep_linear.TRANSIT_TIME, values)}
            if "half" in enclosure.events:
                times["half"] = evaluate(deep_linear.HALF_TIME, values)

        def mode_strength(t: arb, _state, values=values) -> list[arb]:
            return [evaluate(deep_linear.MODE_STRENGTH, values | {_T: t})]

        pairs += state_pairs(enclosure, lambda state: [state[0] * state[1]], mode_strength,
                             label)
        found, lost = crossing_pairs(enclosure, times, label)
        pairs += found
        missing += lost
    return decide(pairs, bits, evidence=missing)


# ----------------------------------------------------------------------------- DL2 and DL4


def _crossing_certificate(label: str, enclosure: Enclosure, levels: Sequence[fmpq],
                          time: Callable[[arb], arb], bits: int) -> tuple[list[Pair], list[str]]:
    """Pairs of the enclosed crossing time of each level and its closed form ``time(uf)``."""
    with working_precision(bits):
        expected = {f"level{k}": time(arb(level)) for k, level in enumerate(levels)}
    return crossing_pairs(enclosure, expected, label)


@functools.cache
def _dl2_enclosure(s: str, a0: str, b0: str, tau: str, bits: int) -> Enclosure:
    """The 1-1-1 network from (w₁, w₂) = (a0, b0) until each DL2 level is crossed."""
    s_, u0 = to_rational(s), to_rational(a0) * to_rational(b0)
    events = [Crossing(f"level{k}", _product, level)
              for k, level in enumerate(_levels(u0, s_, DL2_FRACTIONS))]
    return enclose_until_crossed(SCALAR_NETWORK.vector_field, [a0, b0],
                                 SCALAR_NETWORK.flow_parameters(_target(s), tau), bits, events,
                                 _float_horizon(dl2_horizon, s, u0, tau))


def certify_dl2(bits: int) -> Certificate:
    """DL2: the enclosed times at which u = w₂w₁ crosses u0 + (s − u0)·{0.25, 0.5, 0.9}
    against τ(G(uf) − G(u0)), G = UNBALANCED_ANTIDERIVATIVE with c = a0² − b0², for the
    ladder's three unbalanced cases."""
    pairs: list[Pair] = []
    missing: list[str] = []
    for case in DL2_CASES:
        s, a0, b0, tau = (to_rational(case[k]) for k in ("s", "a0", "b0", "tau"))
        u0, c = a0 * b0, a0**2 - b0**2
        antiderivative = deep_linear.UNBALANCED_ANTIDERIVATIVE
        time = deep_linear.tau * (antiderivative.subs(_U, _UF) - antiderivative.subs(_U, _U0))
        with working_precision(bits):
            values = {_S: arb(s), _U0: arb(u0), deep_linear.c: arb(c), _TAU: arb(tau)}

        def closed_form(level: arb, time=time, values=values) -> arb:
            return evaluate(time, values | {_UF: level})

        found, lost = _crossing_certificate(
            f"DL2 {_label(case)}", _dl2_enclosure(case["s"], case["a0"], case["b0"],
                                                  case["tau"], bits),
            _levels(u0, s, DL2_FRACTIONS), closed_form, bits)
        pairs += found
        missing += lost
    return decide(pairs, bits, evidence=missing)


@functools.cache
def _dl4_enclosure(s: str, u0: str, depth: int, tau: str, bits: int) -> Enclosure:
    """The balanced scalar chain of ``depth`` weights u0^(1/m) until each level is crossed."""
    network = DeepLinearNetwork((1,) * (depth + 1))
    events = [Crossing(f"level{k}", _product, level)
              for k, level in enumerate(_levels(to_rational(u0), to_rational(s), DL4_FRACTIONS))]
    with working_precision(bits):
        start = to_ball(u0).root(depth)
    return enclose_until_crossed(network.vector_field, [start] * depth,
                                 network.flow_parameters(_target(s), tau), bits, events,
                                 _float_horizon(dl4_horizon, s, u0, tau, depth))


def certify_dl4(bits: int) -> Certificate:
    """DL4: the enclosed times at which the product of a balanced chain of m = 3, 4, 6
    weights crosses u0 + (s − u0)·{0.3, 0.6, 0.9} against (τ/m)(F(uf) − F(u0)),
    F = CHAIN_ANTIDERIVATIVE at m (₂F₁ in Arb), for the ladder's three cases."""
    pairs: list[Pair] = []
    missing: list[str] = []
    for case in DL4_CASES:
        depth = case["depth"]
        s, u0, tau = (to_rational(case[k]) for k in ("s", "u0", "tau"))
        antiderivative = deep_linear.CHAIN_ANTIDERIVATIVE.subs(deep_linear.m, depth)
        time = deep_linear.tau / depth * (antiderivative.subs(_U, _UF)
                                          - antiderivative.subs(_U, _U0))
        with working_precision(bits):
            values = {_S: arb(s), _U0: arb(u0), _TAU: arb(tau)}

        def closed_form(level: arb, time=time, values=values) -> arb:
            return evaluate(time, values | {_UF: level})

        found, lost = _crossing_certificate(
            f"DL4 {_label(case)}", _dl4_enclosure(case["s"], case["u0"], depth, case["tau"],
                                                  bits),
            _levels(u0, s, DL4_FRACTIONS), closed_form, bits)
        pairs += found
        missing += lost
    return decide(pairs, bits, evidence=missing)


# ----------------------------------------------------------------------------- DL5


def _decimal_gaussians(count: int, scale: float, seed: int) -> list[str]:
    """``count`` N(0, scale²) draws from ``seed``, written with 4 decimals (exact inputs)."""
    return [f"{x:.4f}" for x in np.random.default_rng(seed).standard_normal(count) * scale]


def _dl5_setup() -> tuple[DeepLinearNetwork, list[str], np.ndarray]:
    """DL5's small network, its random init (σ = 0.5) and random target (σ = 1)."""
    network = DeepLinearNetwork(DL5_LAYERS)
    weights = _decimal_gaussians(network.n_weights, 0.5, DL5_SEED)
    rows, cols = network.target_shape
    target = np.array(_decimal_gaussians(rows * cols, 1.0, DL5_SEED + 100),
                      dtype=object).reshape(rows, cols)
    return network, weights, target


def _balance_entries(network: DeepLinearNetwork, state: Sequence) -> list:
    """The upper-triangle entries of each (symmetric) W_{j+1}ᵀW_{j+1} − W_jW_jᵀ."""
    return [matrix[i, k] for matrix in balancedness(network.unpack(np.array(state,
                                                                            dtype=object)))
            for i in range(matrix.shape[0]) for k in range(i, matrix.shape[1])]


def _balance_names(network: DeepLinearNetwork) -> list[str]:
    return [f"Q{j}[{i},{k}]" for j, (_, cols) in enumerate(network.shapes[1:], start=1)
            for i in range(cols) for k in range(i, cols)]


@functools.cache
def _dl5_enclosure(bits: int) -> Enclosure:
    network, weights, target = _dl5_setup()
    return enclose(network.vector_field, weights, DL5_TIMES,
                   network.flow_parameters(target), bits)


def certify_dl5(bits: int) -> Certificate:
    """DL5: every entry q of W_{j+1}ᵀW_{j+1} − W_jW_jᵀ (j = 1, 2) of a 1→2→2→1 network
    from a random init, evaluated on the enclosed state at t = 1/4, …, 2, against
    CONSERVED_BALANCE at q0 = q(0) computed from the exact initial weights."""
    network, weights, _ = _dl5_setup()
    with working_precision(bits):
        start = _balance_entries(network, [to_ball(w) for w in weights])

    def conserved(_t: arb, _state) -> list[arb]:
        return [evaluate(deep_linear.CONSERVED_BALANCE, {deep_linear.q0: q}) for q in start]

    pairs = state_pairs(_dl5_enclosure(bits), lambda state: _balance_entries(network, state),
                        conserved,
                        f"DL5 {'→'.join(map(str, DL5_LAYERS))}", _balance_names(network))
    return decide(pairs, bits)


# ----------------------------------------------------------------------------- DL6


def _rotation(a: int, b: int, c: int) -> np.ndarray:
    """The rational rotation [[a, −b], [b, a]]/c of a Pythagorean triple a² + b² = c²."""
    return np.array([[fmpq(a, c), fmpq(-b, c)], [fmpq(b, c), fmpq(a, c)]], dtype=object)


def _dl6_setup() -> tuple[DeepLinearNetwork, list[fmpq], np.ndarray]:
    """DL6's small network, its exactly balanced rational init and its decimal target."""
    network = DeepLinearNetwork((2,) * (DL6_DEPTH + 1))
    bases = [_rotation(*triple) for triple in DL6_TRIPLES]
    sigma = np.array([[DL6_SIGMA[0], fmpq(0)], [fmpq(0), DL6_SIGMA[1]]], dtype=object)
    weights = [bases[j] @ sigma @ bases[j - 1].T for j in range(1, DL6_DEPTH + 1)]
    target = np.array(_decimal_gaussians(4, 1.0, DL6_SEED), dtype=object).reshape(2, 2)
    return network, list(network.pack(weights)), target


@functools.cache
def _dl6_enclosure(bits: int) -> Enclosure:
    network, weights, target = _dl6_setup()
    return enclose(network.vector_field, weights, DL6_TIMES, network.flow_parameters(target),
                   bits)


def certify_dl6(bits: int) -> Certificate:
    """DL6: at each enclosed state of the balanced 3-layer 2×2 network, dW_e/dt from the
    product rule and the network's own velocity (Σ_j W_N⋯Ẇ_j⋯W_1) against
    end_to_end_velocity_2x2 at W_e and ∇ℓ = W_e − T, both sides in balls, at t = 0, ¼, …, 1."""
    network, _, target = _dl6_setup()
    with working_precision(bits):
        params = [to_ball(p) for p in network.flow_parameters(target)]
        target_balls = np.array([[to_ball(x) for x in row] for row in target], dtype=object)
    closed_form = deep_linear.end_to_end_velocity_2x2(DL6_DEPTH)
    symbols = list(deep_linear.PRODUCT_2X2) + list(deep_linear.GRADIENT_2X2)

    def observed(state) -> list[arb]:
        matrices = network.unpack(np.array(state, dtype=object))
        rates = network.unpack(np.array(velocity(network.vector_field, state, params),
                                        dtype=object))
        return list(sum(network.end_to_end(matrices[:j] + [rates[j]] + matrices[j + 1:])
                        for j in range(network.depth)).ravel())

    def predicted(_t: arb, state) -> list[arb]:
        product = network.end_to_end(network.unpack(np.array(state, dtype=object)))
        inputs = list(product.ravel()) + list((product - target_balls).ravel())
        return evaluate_many(tuple(closed_form), dict(zip(symbols, inputs, strict=True)))

    pairs = state_pairs(_dl6_enclosure(bits), observed, predicted,
                        f"DL6 2×2, N = {DL6_DEPTH}",
                        [f"dW_e/dt[{i},{k}]" for i in range(2) for k in range(2)])
    return decide(pairs, bits)


#: The certifier of each claim id (claims.deep_linear declares them through this table).
CERTIFIERS: dict[str, Callable[[int], Certificate]] = {
    "DL1": certify_dl1, "DL2": certify_dl2, "DL4": certify_dl4, "DL5": certify_dl5,
    "DL6": certify_dl6,
}
