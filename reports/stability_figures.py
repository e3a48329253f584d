"""Theory-vs-numerics overlays for claims EOS1–EOS4 (from each outcome's ``series``)."""

from __future__ import annotations

import numpy as np

from flowcert.claims.base import Outcome
from flowcert.reports.figures import new_figure
from flowcert.theory import stability


def eos1(outcome: Outcome):
    """‖x_k‖² of GD on quadratics (markers) over Σ(1 − ηλ_i)^{2k}c_i² (lines)."""
    figure, (axis,) = new_figure()
    for index, entry in enumerate(outcome.series.get("quadratics", [])):
        steps = np.arange(len(entry["observed"]))
        axis.semilogy(steps, entry["predicted"], "-", lw=1, color=f"C{index}",
                      label=f"{entry['spectrum']}, η = {entry['step_fraction']}·2/λ_max")
        axis.semilogy(steps[::10], entry["observed"][::10], "o", ms=2.5, color=f"C{index}")
    axis.set_xlabel("step k")
    axis.set_ylabel("‖x_k‖²")
    axis.set_title("EOS1: GD on ½xᵀHx (dots) vs the spectral closed form (lines)")
    axis.legend(fontsize=6)
    return figure


def eos2(outcome: Outcome):
    """Sharpness against 2/η and the loss, for the edge run and the η/4 control."""
    figure, (left, right) = new_figure(2, size=(6.4, 2.6))
    for index, (label, run) in enumerate((("edge", outcome.series["edge"]),
                                          ("control η/4", outcome.series["control"]))):
        colour = f"C{index}"
        left.plot(run["checkpoints"], run["sharpness"], "-", color=colour, lw=1,
                  label=f"λ_max ({label})")
        left.axhline(stability.stability_threshold(run["step"]), color=colour, ls="--", lw=0.8)
        right.semilogy(run["losses"], color=colour, lw=0.8, label=label)
    left.set_xlabel("step")
    left.set_ylabel("sharpness λ_max")
    left.set_title("EOS2: sharpness vs 2/η (dashed)")
    left.legend(fontsize=6)
    right.set_xlabel("step")
    right.set_ylabel("training loss")
    right.set_title("loss")
    right.legend(fontsize=6)
    return figure


def eos3(outcome: Outcome):
    """Largest and median gradient norm near the trained parameters vs N."""
    rows = outcome.series["nearby"]["rows"]
    figure, (axis,) = new_figure(size=(4.0, 2.6))
    sizes = [row["samples"] for row in rows]
    axis.loglog(sizes, [row["largest"] for row in rows], "o-", label="largest")
    axis.loglog(sizes, [row["median"] for row in rows], "s--", label="median")
    axis.set_xlabel("training-set size N")
    axis.set_ylabel("‖∇L_N‖ at distance ρ")
    axis.set_title("EOS3: gradient norms near the trained θ")
    axis.legend(fontsize=6)
    return figure


def eos4(outcome: Outcome):
    """Gradient fraction in the top subspace and the loss decrease of each partial step."""
    run, window = outcome.series["edge"], set(outcome.series["window"])
    figure, (left, right) = new_figure(2, size=(6.4, 2.6))
    chosen = [i for i, k in enumerate(run["checkpoints"]) if k in window]
    steps = [run["checkpoints"][i] for i in chosen]
    left.plot(steps, [run["top_fraction"][i] for i in chosen], "o", ms=3)
    left.set_ylim(0, 1.05)
    left.set_xlabel("step")
    left.set_ylabel("‖P_k g‖²/‖g‖²")
    left.set_title("EOS4: gradient in the top subspace")
    top = np.array([run["top_step_decrease"][i] for i in chosen])
    rest = np.array([run["rest_step_decrease"][i] for i in chosen])
    right.plot(steps, np.sign(top) * np.abs(top) ** 0.5, "o", ms=3, label="step along P_k g")
    right.plot(steps, np.sign(rest) * np.abs(rest) ** 0.5, "s", ms=3,
               label="step along (I − P_k)g")
    right.axhline(0, color="k", lw=0.5)
    right.set_xlabel("step")
    right.set_ylabel("sign·√|loss decrease|")
    right.set_title("loss decrease of each partial step")
    right.legend(fontsize=6)
    return figure


OVERLAYS = {"EOS1": eos1, "EOS2": eos2, "EOS3": eos3, "EOS4": eos4}
