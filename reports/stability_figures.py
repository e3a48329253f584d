"""Theory-vs-numerics overlays for claims EOS1–EOS4 (from each outcome's ``series``)."""

from __future__ import annotations

import numpy as np
from matplotlib.ticker import NullFormatter

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
    """Sharpness against 2/η and the loss, for the edge run and its η/4 null model."""
    figure, (left, right) = new_figure(2, size=(6.4, 2.6))
    for index, (label, run) in enumerate((("edge", outcome.series["edge"]),
                                          ("null model η/4", outcome.series["control"]))):
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
    """r_N per seed against N, and the ball maxima of ‖∇L_N‖ (mean loss) and of ‖∇S_N‖ =
    N‖∇L_N‖ (sum loss) near the trained and the initial parameters."""
    data = outcome.series["nearby"]
    sizes = np.array(data["sizes"], dtype=float)
    figure, (left, right) = new_figure(2, size=(6.4, 2.6))
    for row in data["ratio"]:
        left.loglog(sizes, row, "-", color="0.6", lw=0.7)
    left.loglog(sizes, np.median(data["ratio"], axis=0), "o-", color="C0", label="seed median")
    left.set_ylabel(r"$r_N$ (trained / initial)")
    left.set_title(f"EOS3 (b): Page's trend test p = {data['p_value']:.2g}")
    left.legend(fontsize=6)
    for key, label, colour in (("trained", r"near $\hat\theta_N$", "C1"),
                                 ("initial", r"near $\theta_0$", "C2")):
        largest = np.median(data[key], axis=0)
        right.loglog(sizes, largest, "o-", color=colour, label=f"mean loss, {label}")
        right.loglog(sizes, sizes * largest, "s--", color=colour, label=f"sum loss, {label}")
    right.set_ylabel(r"max $\|\nabla L\|$ within $\rho$ (seed median)")
    right.set_title("EOS3 (a): mean vs sum loss")
    right.legend(fontsize=5)
    for axis in (left, right):
        axis.set_xlabel("training-set size N")
        axis.set_xticks(sizes, [f"{size:.0f}" for size in sizes])
        axis.xaxis.set_minor_formatter(NullFormatter())
        axis.yaxis.set_minor_formatter(NullFormatter())  # log minor labels collide
    return figure


def eos4(outcome: Outcome):
    """Gradient fraction in the top subspace and the efficiency of each partial step, for
    the edge run and its η/4 null model, at the same checkpoints."""
    figure, (left, right) = new_figure(2, size=(6.4, 2.6))
    for index, (key, run) in enumerate(outcome.series.items()):
        colour, name = f"C{index}", {"control": "null η/4"}.get(key, key)
        left.semilogy(run["checkpoints"], run["fraction"], "o", ms=2, color=colour,
                      label=name)
        right.plot(run["checkpoints"], run["top_efficiency"], "o", ms=2, color=colour,
                   label=f"P_k step ({name})")
        right.plot(run["checkpoints"], run["rest_efficiency"], "s", ms=2, color=colour,
                   mfc="none", label=f"(I − P_k) step ({name})")
    left.set_xlabel("step")
    left.set_ylabel("‖P_k g‖²/‖g‖²")
    left.set_title("EOS4: gradient in the top subspace")
    left.legend(fontsize=6)
    right.axhline(0, color="k", lw=0.5)
    right.set_xlabel("step")
    right.set_ylabel("loss decrease / (η‖v‖²)")
    right.set_title("efficiency of each partial step")
    right.legend(fontsize=5)
    return figure


OVERLAYS = {"EOS1": eos1, "EOS2": eos2, "EOS3": eos3, "EOS4": eos4}
