"""Tutorial claim: gradient flow of one linear neuron on three data points relaxes
exponentially to the least-squares weight (flowcert check --claims examples/one_neuron.py)."""

import sympy as sp

from flowcert import trajectory_claim

w, w0, t = sp.symbols("w w0 t")
data = list(zip(sp.symbols("x1:4"), sp.symbols("y1:4"), strict=True))  # three (x, y)
loss = sum((w * x - y) ** 2 for x, y in data) / 6              # half the mean squared error
curvature = sum(x**2 for x, _ in data) / 3                     # λ = L''(w)
optimum = sum(x * y for x, y in data) / 3 / curvature          # the least-squares weight

CLAIMS = [trajectory_claim(
    id="ONE1", title="A linear neuron relaxes exponentially to least squares",
    provenance="D", source="flowcert tutorial",
    statement="w(t) = w^* + (w_0 - w^*) e^(-lambda t), quad "
              "lambda = 1/3 sum_i x_i^2, quad w^* = (sum_i x_i y_i)/(sum_i x_i^2)",
    loss=loss, state={w: w0},
    closed_form={w: optimum + (w0 - optimum) * sp.exp(-curvature * t)},
    cases=[{"x1": 1, "x2": "0.5", "x3": -2, "y1": "0.3", "y2": 1, "y3": -1, "w0": 2},
           {"x1": "0.1", "x2": 3, "x3": 1, "y1": 2, "y2": "-0.7", "y3": 0, "w0": "-0.4"}],
    horizon=8 / curvature, amplification=100,
    amplification_reason="the flow contracts errors like e^(−λt); heyoka's local error is "
                         "relative to the largest |w| seen, ≤ 5× the smallest |w(t)| here",
    domain={"x1": (0.5, 2), "y1": (-1, 1)},
)]
