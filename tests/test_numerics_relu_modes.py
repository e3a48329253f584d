"""numerics.relu_modes: the ReLU mode network's autodiff field against finite differences of
its loss, and the branch-by-branch hinge integration (switches, rest, simultaneous stops)."""

from __future__ import annotations

import numpy as np
import pytest

from flowcert.numerics.flows import VectorField
from flowcert.numerics.integrate import evaluate_field
from flowcert.numerics.relu_modes import ReluModeNetwork, integrate_hinge, lie_derivative

TWO_MODES = ReluModeNetwork(2, ((0, 1), (0,), (1,)), (1, 1, -1))


def numpy_loss(state, radii, weights, network: ReluModeNetwork):
    margins = np.array(network.margins(list(state), radii))
    return float(np.sum(np.asarray(weights) * np.log1p(np.exp(-margins))))


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_cross_entropy_field_is_minus_the_gradient(seed):
    """Central differences (h = 1e-6) of the loss evaluated with the network's own numeric
    forward pass; states with all ReLU inputs away from 0, so the loss is smooth there."""
    rng = np.random.default_rng(seed)
    state = np.abs(rng.standard_normal(4)) + 0.1
    state[2] *= -1  # a negative output weight
    radii, weights = [1.3, 0.7], [0.5, 0.3, 0.2]
    params = TWO_MODES.flow_parameters(radii, weights, tau=2.0)
    velocity = evaluate_field(TWO_MODES.vector_field("cross_entropy"), state, params)
    h = 1e-6
    gradient = np.array([(numpy_loss(state + h * e, radii, weights, TWO_MODES)
                          - numpy_loss(state - h * e, radii, weights, TWO_MODES)) / (2 * h)
                         for e in np.eye(4)])
    assert np.allclose(velocity, -gradient / 2.0, rtol=1e-8, atol=1e-10)


def test_dead_relu_has_no_gradient():
    params = TWO_MODES.flow_parameters([1.0, 1.0], [1, 1, 1])
    for b in (0.0, -0.3):
        velocity = evaluate_field(TWO_MODES.vector_field("cross_entropy"), [0.4, b, 0.2, b],
                                  params)
        assert np.all(velocity == 0)


def test_lie_derivative_of_the_margin_is_the_product_rule():
    network = ReluModeNetwork(1, ((0,),), (1,))
    field = network.vector_field("cross_entropy")
    rate = lie_derivative(network.margin_expression(0), field)
    probe = VectorField("test:margin-rate", field.variables, (rate,), field.n_params)
    state, r = [0.3, 0.5], 1.7
    params = network.flow_parameters([r], [1])
    velocity = evaluate_field(field, state, params)
    expected = r * (velocity[0] * state[1] + state[0] * velocity[1])
    assert evaluate_field(probe, state, params)[0] == pytest.approx(expected, rel=1e-14)


def test_hinge_unit_stops_at_one_and_rests():
    network = ReluModeNetwork(1, ((0,),), (1,))
    r, root = 1.0, 0.1  # u0 = 0.01, balanced: u = u0 e^{2rt} until u = 1
    run = integrate_hinge(network, [root, root], [0.0, 1.0, 3.0, 5.0],
                          network.flow_parameters([r], [1]))
    assert len(run.switches) == 1 and run.switches[0][1] == 0
    # u0 e^{2rt} = 1 at t = ln(100)/2: DOP853 event location to ~1e-13
    assert run.switches[0][0] == pytest.approx(np.log(100) / 2, rel=1e-12)
    margins = [network.margins(list(s), [r])[0] for s in run.states]
    assert margins[1] == pytest.approx(0.01 * np.exp(2.0), rel=1e-12)
    assert margins[2] == pytest.approx(1, abs=1e-12) and margins[3] == margins[2]


def test_simultaneous_hinge_stops_are_both_recorded():
    """Two identical modes in separate points reach u = 1 at the same time."""
    network = ReluModeNetwork(2, ((0,), (1,)), (1, 1))
    run = integrate_hinge(network, [0.1, 0.1, 0.1, 0.1], [0.0, 5.0],
                          network.flow_parameters([1.0, 1.0], [0.5, 0.5]))
    assert sorted(point for _, point in run.switches) == [0, 1]
    times = [t for t, _ in run.switches]
    assert times[1] - times[0] <= 1e-12 * times[0]


def test_network_rejects_bad_layouts():
    with pytest.raises(ValueError, match="labels"):
        ReluModeNetwork(1, ((0,),), (2,))
    with pytest.raises(ValueError, match="pattern"):
        ReluModeNetwork(1, ((1,),), (1,))
    with pytest.raises(ValueError, match="active set"):
        ReluModeNetwork(1, ((0,),), (1,)).vector_field("hinge")
