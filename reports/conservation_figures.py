"""Theory-vs-numerics overlays for claims SF1, SF2, SF4, SF5 (from each outcome's ``series``)."""

from __future__ import annotations

import numpy as np

from flowcert.claims.base import Outcome
from flowcert.reports.figures import new_figure


def sf1(outcome: Outcome):
    """|in − out| / scale per hidden neuron of the homogeneous networks (roundoff level), and
    the measured imbalance of the tanh/softplus networks against the derived Σ(∂R/∂a)D(z)."""
    figure, (left, right) = new_figure(2, size=(7.2, 2.8))
    for index, case in enumerate(outcome.series["cases"]):
        label = f"{case['activation']} {case['layers']}"
        if case["activation"] == "leaky_relu":
            values = np.maximum(np.abs(case["measured"]) / np.maximum(case["scales"], 1e-300),
                                1e-20)
            left.semilogy(np.arange(len(values)), values, "o", ms=3, color=f"C{index}",
                          label=f"{case['layers']}, slope {case['slope']}")
        else:
            right.plot(case["predicted"], case["measured"], "o", ms=3, color=f"C{index}",
                       label=label)
    left.axhline(2.0**-52, color="k", ls=":", lw=0.8, label="unit roundoff")
    left.set_xlabel("hidden neuron")
    left.set_ylabel("relative imbalance")
    left.set_title("SF1: leaky ReLU, in − out (0 plotted at 1e-20)")
    left.legend(fontsize=6)
    limits = right.get_xlim()
    right.plot(limits, limits, "k-", lw=0.5)
    right.set_xlabel("derived Σ(∂R/∂a)(φ′(z)z − φ(z))")
    right.set_ylabel("measured in − out")
    right.set_title("non-homogeneous φ: the violation is the derived one")
    right.legend(fontsize=6)
    return figure


def sf2(outcome: Outcome):
    """Total saliency of every layer and random cut vs ⟨∂R/∂y, y⟩."""
    figure, (axis,) = new_figure()
    for index, case in enumerate(outcome.series["cases"]):
        totals = np.asarray(case["totals"])
        axis.plot(np.arange(len(totals)), totals, "o", ms=3, color=f"C{index}",
                  label=f"{case['layers']}")
        axis.axhline(case["euler"], color=f"C{index}", lw=0.8)
    axis.set_xlabel("layer cuts, then random mixed cuts")
    axis.set_ylabel("total saliency")
    axis.set_title("SF2: every separating set (dots) vs Σ⟨∂R/∂y, y⟩ (lines)")
    axis.legend(fontsize=6)
    return figure


def sf4(outcome: Outcome):
    """Conservation residuals along gradient flow (per precision) and descent drift vs η."""
    figure, (left, right) = new_figure(2, size=(6.4, 2.6))
    for index, (bits, cases) in enumerate(sorted(outcome.series.get("flow", {}).items(),
                                                 key=lambda item: int(item[0]))):
        for case in cases:
            drift = np.maximum(np.asarray(case["drift"]), 1e-300)
            left.semilogy(case["times"][1:], drift[1:], "o-", ms=2.5, color=f"C{index}",
                          label=f"{bits} bits")
    handles, labels = left.get_legend_handles_labels()
    unique = dict(zip(labels, handles, strict=True))
    left.legend(unique.values(), unique.keys(), fontsize=6)
    left.set_xlabel("t")
    left.set_ylabel("max |Δ(‖in‖² − ‖out‖²)| / scale")
    left.set_title("SF4: gradient flow")
    descent = outcome.series.get("descent")
    if descent:
        right.loglog(descent["steps"], descent["drift"], "o-", ms=3)
        right.set_xlabel("η")
        right.set_ylabel("drift over t ∈ [0, 4]")
        right.set_title("gradient descent: drift O(η)")
    return figure


def sf5(outcome: Outcome):
    """Each layer's SynFlow weight-score sum against R_SF − Σ_{k≥l}ΣS(b_k)."""
    figure, (axis,) = new_figure(size=(4.4, 2.8))
    width = 0.38
    for index, case in enumerate(outcome.series["layer_sums"]):
        layers = np.arange(1, len(case["sums"]) + 1) + (index - 0.5) * width
        label = "with biases" if case["bias"] else "bias-free"
        axis.bar(layers, case["sums"], width, color=f"C{index}", label=f"{label}: Σ S(W_l)")
        axis.plot(layers, case["predicted"], "k_", ms=12, mew=1.5)
        axis.axhline(case["R"], color=f"C{index}", ls="--", lw=0.8)
    axis.plot([], [], "k_", ms=12, label=r"$R_{SF} - \sum_{k \geq l} \sum S(b_k)$")
    axis.set_xlabel("layer")
    axis.set_ylabel("Σ SynFlow scores")
    axis.set_title(f"SF5 (dashed: R_SF); pruning keeps {outcome.series['pruning']['synflow']}")
    axis.legend(fontsize=6)
    return figure


OVERLAYS = {"SF1": sf1, "SF2": sf2, "SF4": sf4, "SF5": sf5}
