"""numerics.deep_linear: packing, the autodiff gradient, its flow, conservation (DL5), descent.

Rounding budgets use the standard bound for evaluating a polynomial by sums and products:
|fl(p) − p| ≤ γ·p_abs with γ = k·2^-53 for k operations on the longest chain and p_abs the
same expression evaluated with absolute values (Higham, ASNA §3.1). For the loss
½‖T − W_N⋯W_1‖²_F the longest chain has k ≤ depth·width (the product) + 1 (residual) + 1
(square) + n_out·n_in (sum); we take k = 2·(depth·width + n_out·n_in + 4).
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from flowcert.numerics.deep_linear import DeepLinearNetwork, balancedness
from flowcert.numerics.integrate import DOP853_ATOL, DOP853_RTOL, evaluate_field, integrate

EPS = 2.0**-53
SAFETY = 10


@functools.cache
def network(sizes: tuple[int, ...]) -> DeepLinearNetwork:
    """One network object per architecture, so its compiled functions are built only once."""
    return DeepLinearNetwork(sizes)


layer_sizes = st.lists(st.integers(1, 4), min_size=2, max_size=5).map(tuple)  # depth 1..4
seeds = st.integers(0, 2**32 - 1)


def draw_problem(sizes, seed, scale=0.7):
    """Weights on the dyadic grid 2^-20 (so w ± 2^-6 is exact) and a Gaussian target."""
    net = network(sizes)
    rng = np.random.default_rng(seed)
    weights = np.round(scale * rng.standard_normal(net.n_weights) * 2**20) / 2**20
    target = rng.standard_normal(net.target_shape)
    return net, weights, target


def rounding_factor(net: DeepLinearNetwork) -> float:
    n_out, n_in = net.target_shape
    return 2 * (net.depth * max(net.layer_sizes) + n_out * n_in + 4) * EPS


def absolute_loss(net, weights, target) -> float:
    """½‖|T| + |W_N|⋯|W_1|‖²: the loss evaluated with absolute values (bounds rounding)."""
    product = net.end_to_end([np.abs(m) for m in net.unpack(np.abs(weights))])
    return 0.5 * float(np.sum((np.abs(target) + product) ** 2))


def absolute_gradient(net, weights, target) -> np.ndarray:
    """|W_N|ᵀ⋯(|T| + |W_N|⋯|W_1|)⋯|W_1|ᵀ per layer: the gradient formula in absolute values."""
    matrices = [np.abs(m) for m in net.unpack(weights)]
    residual = np.abs(target) + net.end_to_end(matrices)
    blocks = []
    for j in range(net.depth):
        above = (net.end_to_end(matrices[j + 1:]) if j + 1 < net.depth
                 else np.eye(net.layer_sizes[-1]))
        below = net.end_to_end(matrices[:j]) if j > 0 else np.eye(net.layer_sizes[0])
        blocks.append(above.T @ residual @ below.T)
    return net.pack(blocks)


# ----------------------------------------------------------------------------- packing


@given(sizes=layer_sizes, seed=seeds)
def test_pack_unpack_round_trip(sizes, seed):
    net = network(sizes)
    flat = np.random.default_rng(seed).standard_normal(net.n_weights)
    matrices = net.unpack(flat)
    assert [m.shape for m in matrices] == net.shapes
    assert net.n_weights == sum(r * c for r, c in net.shapes)
    assert np.array_equal(net.pack(matrices), flat)
    again = net.unpack(net.pack(matrices))
    assert all(np.array_equal(a, b) for a, b in zip(again, matrices, strict=True))


def test_layout_is_layer_by_layer_row_major():
    net = network((2, 3, 1))
    matrices = net.unpack(np.arange(9.0))
    assert matrices[0].tolist() == [[0, 1], [2, 3], [4, 5]]     # W1: 3×2
    assert matrices[1].tolist() == [[6, 7, 8]]                  # W2: 1×3
    assert net.end_to_end(matrices).tolist() == [[6 * 0 + 7 * 2 + 8 * 4, 6 * 1 + 7 * 3 + 8 * 5]]


# ----------------------------------------------------------------------------- gradient

STEP = 2.0**-6


@given(sizes=layer_sizes, seed=seeds, scale=st.floats(0.1, 1.0))
def test_autodiff_gradient_equals_central_differences_of_the_numpy_loss(sizes, seed, scale):
    # L is a quadratic polynomial in each single weight (the product is linear in every
    # entry), so the O(h²·∂³L) truncation term of the central difference vanishes exactly and
    # only rounding remains. The weights lie on the 2^-20 grid, so w ± h is exact; the
    # difference quotient then errs by ≤ 2·γ·L_abs/(2h), the autodiff gradient by ≤ γ·g_abs.
    net, weights, target = draw_problem(sizes, seed, scale)
    gradient = net.gradient(weights, target)
    assert gradient.shape == (net.n_weights,)
    gamma = rounding_factor(net)
    g_abs = absolute_gradient(net, weights, target)
    for k in range(net.n_weights):
        plus, minus = weights.copy(), weights.copy()
        plus[k] += STEP
        minus[k] -= STEP
        central = (net.loss(plus, target) - net.loss(minus, target)) / (2 * STEP)
        loss_scale = max(absolute_loss(net, plus, target), absolute_loss(net, minus, target))
        budget = gamma * loss_scale / STEP + gamma * g_abs[k]
        assert abs(central - gradient[k]) <= budget, (k, central, gradient[k], budget)


def test_gradient_matches_the_hand_written_formula_on_a_fixed_example():
    # ∇_{W_j} L = −(W_N⋯W_{j+1})ᵀ (T − W_N⋯W_1) (W_{j−1}⋯W_1)ᵀ.
    net, weights, target = draw_problem((3, 2, 4, 2), seed=11)
    matrices = net.unpack(weights)
    residual = target - net.end_to_end(matrices)
    blocks = [-(net.end_to_end(matrices[j + 1:]).T if j + 1 < net.depth else np.eye(2))
              @ residual @ (net.end_to_end(matrices[:j]).T if j > 0 else np.eye(3))
              for j in range(net.depth)]
    budget = 2 * rounding_factor(net) * absolute_gradient(net, weights, target)
    assert np.all(np.abs(net.gradient(weights, target) - net.pack(blocks)) <= budget)


@given(sizes=layer_sizes, seed=seeds, tau=st.floats(0.1, 10.0))
def test_vector_field_is_minus_gradient_over_tau(sizes, seed, tau):
    net, weights, target = draw_problem(sizes, seed)
    field = evaluate_field(net.vector_field, weights, net.flow_parameters(target, tau))
    expected = -net.gradient(weights, target) / tau
    # Two separately compiled evaluations of the same polynomial (γ·g_abs each) and one
    # division by τ (one rounding).
    budget = (2 * rounding_factor(net) * absolute_gradient(net, weights, target) / tau
              + EPS * np.abs(expected))
    assert np.all(np.abs(field - expected) <= budget)


# ----------------------------------------------------------------------------- DL5


def balance_drift(net, now, start) -> float:
    pairs = zip(balancedness(net.unpack(now)), balancedness(net.unpack(start)), strict=True)
    return max((float(np.max(np.abs(a - b))) for a, b in pairs), default=0.0)


@given(sizes=layer_sizes, seed=seeds, scale=st.floats(0.1, 1.0))
def test_gradient_flow_conserves_balancedness(sizes, seed, scale):
    # Budget: the exact flow conserves Q_j = W_{j+1}ᵀW_{j+1} − W_jW_jᵀ, so a local error e_k
    # shifts Q by ≤ 4·width·‖W‖max·‖e_k‖max and the shift is carried on unchanged (no
    # amplification). DOP853 keeps ‖e_k‖ ≲ rtol·‖W‖max + atol per step (×SAFETY for the
    # estimator); the dense output adds one more local error; computing Q twice in float64
    # costs 2·2·width·2^-53·‖W‖max².
    net, weights, target = draw_problem(sizes, seed, scale)
    trajectory = integrate(net.vector_field, weights, [0.0, 0.25, 0.5, 0.75, 1.0],
                           net.flow_parameters(target))
    states = np.asarray(trajectory.states, dtype=float)
    largest = float(np.max(np.abs(states)))
    width = max(net.layer_sizes)
    budget = (SAFETY * (trajectory.steps + 1) * 4 * width * largest
              * (DOP853_RTOL * largest + DOP853_ATOL) + 4 * width * EPS * largest**2)
    for state in states:
        assert balance_drift(net, state, weights) <= budget


def test_conservation_check_detects_a_non_gradient_flow():
    # Negative control of the test above: with W1's velocity doubled the flow is no longer
    # the gradient flow of a function of the product (dQ/dt = G1W1ᵀ + W1G1ᵀ ≠ 0), and the
    # same budget must be exceeded.
    net, weights, target = draw_problem((2, 3, 2), seed=3)
    field = net.vector_field
    skewed = type(field)(key=field.key + ":skewed", variables=field.variables,
                         rhs=tuple(r * (2 if k < 6 else 1) for k, r in enumerate(field.rhs)),
                         n_params=field.n_params)
    trajectory = integrate(skewed, weights, [0.0, 1.0], net.flow_parameters(target))
    largest = float(np.max(np.abs(trajectory.states)))
    budget = (SAFETY * (trajectory.steps + 1) * 4 * 3 * largest
              * (DOP853_RTOL * largest + DOP853_ATOL) + 4 * 3 * EPS * largest**2)
    assert balance_drift(net, trajectory.states[-1], weights) > budget


# ----------------------------------------------------------------------------- descent


@given(sizes=layer_sizes, seed=seeds, step=st.floats(1e-3, 0.2))
def test_one_descent_step_changes_balancedness_by_exactly_eta_squared_gradient_terms(
        sizes, seed, step):
    # W' = W − ηG: the first-order change G_{j+1}ᵀW_{j+1} + W_{j+1}ᵀG_{j+1} − G_jW_jᵀ − W_jG_jᵀ
    # vanishes (that is DL5's identity), leaving Q_j' − Q_j = η²(G_{j+1}ᵀG_{j+1} − G_jG_jᵀ).
    net, weights, target = draw_problem(sizes, seed)
    iterates = net.gradient_descent(weights, target, step, 1)
    assert iterates.shape == (2, net.n_weights)
    gradients = net.unpack(net.gradient(weights, target))
    predicted = [step**2 * (gradients[j + 1].T @ gradients[j + 1] - gradients[j] @ gradients[j].T)
                 for j in range(net.depth - 1)]
    before = balancedness(net.unpack(iterates[0]))
    after = balancedness(net.unpack(iterates[1]))
    width = max(net.layer_sizes)
    largest = float(np.max(np.abs(iterates)))
    g_abs = absolute_gradient(net, weights, target)
    # Rounding: Q computed twice (2·2·width·2^-53·‖W‖²), the update rounded (‖δW‖ ≤ 2^-53‖W‖
    # → 4·width·‖W‖·δW) and the gradient's own error (γ·g_abs → 4·width·‖W‖·η·γ·g_abs).
    budget = 4 * width * largest * (2 * EPS * largest + EPS * largest
                                    + step * rounding_factor(net) * float(np.max(g_abs))) \
        + 2 * width * EPS * step**2 * float(np.max(g_abs)) ** 2
    for old, new, expected in zip(before, after, predicted, strict=True):
        assert np.all(np.abs((new - old) - expected) <= budget)


def test_descent_drift_is_nonzero_and_grows_with_the_step():
    # Over a fixed horizon the drift is η·∫(G_{j+1}ᵀG_{j+1} − G_jG_jᵀ)dt + O(η²): for this
    # draw it grows with η and is far above float64 rounding (≲ 1e-13 here).
    net, weights, target = draw_problem((3, 4, 4, 2), seed=21)
    drifts = []
    for exponent in (4, 5, 6, 7):
        step = 2.0**-exponent
        iterates = net.gradient_descent(weights, target, step, round(0.5 / step))
        drifts.append(balance_drift(net, iterates[-1], weights))
    assert drifts[-1] > 1e-6
    assert all(a > b for a, b in zip(drifts, drifts[1:], strict=False))


def test_gradient_descent_reports_divergence():
    net, weights, target = draw_problem((2, 2, 2), seed=4, scale=1.0)
    with pytest.raises(FloatingPointError):
        net.gradient_descent(weights, 100 * target, 10.0, 200)


# ----------------------------------------------------------------------------- bad input


@pytest.mark.parametrize("sizes", [(2, 0, 3), (0, 1), (3,), (), (2, -1)])
def test_layer_sizes_must_be_at_least_two_positive_integers(sizes):
    with pytest.raises(ValueError):
        DeepLinearNetwork(sizes)


def test_wrong_target_shape_is_rejected():
    net = network((2, 3))
    weights = np.zeros(net.n_weights)
    with pytest.raises(ValueError, match="target"):
        net.flow_parameters(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="target"):
        net.gradient(weights, np.zeros((2, 3)))
    with pytest.raises(ValueError, match="target"):
        net.gradient(weights, np.zeros(6))


@pytest.mark.parametrize("count", [0, 5, 7])
def test_wrong_weight_count_is_rejected(count):
    net = network((2, 3))
    target = np.zeros(net.target_shape)
    with pytest.raises(ValueError):
        net.unpack(np.zeros(count))
    with pytest.raises(ValueError):
        net.loss(np.zeros(count), target)
    with pytest.raises(ValueError):
        net.gradient(np.zeros(count), target)
    with pytest.raises(ValueError):
        net.gradient_descent(np.zeros(count), target, 0.1, 2)


def test_pack_rejects_wrong_shapes_and_descent_rejects_bad_steps():
    net = network((2, 3))
    with pytest.raises(ValueError):
        net.pack([np.zeros((2, 3))])
    with pytest.raises(ValueError):
        net.pack([np.zeros((3, 2)), np.zeros((1, 1))])
    for step, n_steps in ((0.0, 3), (-0.1, 3), (float("nan"), 3), (0.1, -1)):
        with pytest.raises(ValueError):
            net.gradient_descent(np.zeros(6), np.zeros((3, 2)), step, n_steps)
