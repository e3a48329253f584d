"""Theory-vs-numerics overlays for claims SF1–SF5 (from each outcome's ``series``)."""

from __future__ import annotations

import numpy as np

from flowcert.claims.base import Outcome
from flowcert.reports.figures import new_figure


def sf1(outcome: Outcome):
    """|incoming − outgoing| / scale per hidden neuron (float64): roundoff level."""
    figure, (axis,) = new_figure()
    for index, case in enumerate(outcome.series["cases"]):
        values = np.maximum(np.asarray(case["relative"]), 1e-20)
        axis.semilogy(np.arange(len(values)), values, "o", ms=3, color=f"C{index}",
                      label=f"{case['layers']}, slope {case['slope']}")
    axis.axhline(2.0**-52, color="k", ls=":", lw=0.8, label="unit roundoff")
    axis.set_xlabel("hidden neuron")
    axis.set_ylabel("relative imbalance")
    axis.set_title("SF1: saliency in − out of leaky-ReLU neurons (0 plotted at 1e-20)")
    axis.legend(fontsize=6)
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


def sf3(outcome: Outcome):
    """Measured saliency imbalance of tanh/softplus neurons vs Σ(∂R/∂a)(φ′(z)z − φ(z))."""
    figure, (axis,) = new_figure(size=(4.2, 3.0))
    for index, case in enumerate(outcome.series["cases"]):
        axis.plot(case["predicted"], case["measured"], "o", ms=3, color=f"C{index}",
                  label=f"{case['activation']} {case['layers']}")
    limits = axis.get_xlim()
    axis.plot(limits, limits, "k-", lw=0.5)
    axis.set_xlabel("predicted in − out")
    axis.set_ylabel("measured in − out")
    axis.set_title("SF3: the violation is the predicted one")
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
    """Each layer's SynFlow score sum against R_SF."""
    sums = outcome.series["layer_sums"]
    figure, (axis,) = new_figure(size=(4.0, 2.6))
    axis.bar(np.arange(1, len(sums["sums"]) + 1), sums["sums"], color="C0")
    axis.axhline(sums["R"], color="k", ls="--", lw=0.8, label="R_SF")
    axis.set_xlabel("layer")
    axis.set_ylabel("Σ SynFlow scores")
    axis.set_title(f"SF5: pruning keeps {outcome.series['pruning']['synflow']}")
    axis.legend(fontsize=6)
    return figure


OVERLAYS = {"SF1": sf1, "SF2": sf2, "SF3": sf3, "SF4": sf4, "SF5": sf5}
