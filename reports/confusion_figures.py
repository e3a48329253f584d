"""Theory-vs-numerics overlays for claims GC1–GC3 (from each outcome's ``series``)."""

from __future__ import annotations

import numpy as np
from scipy import stats

from flowcert.claims.base import Outcome
from flowcert.reports.figures import new_figure


def gc1(outcome: Outcome):
    """Histograms of ⟨x, y⟩ on S^{d−1} over the Beta((d−1)/2, (d−1)/2) density."""
    figure, (axis,) = new_figure()
    for index, (dimension, entry) in enumerate(outcome.series["dimensions"].items()):
        edges = np.asarray(entry["edges"])
        centres = (edges[:-1] + edges[1:]) / 2
        dense = np.linspace(-0.999, 0.999, 400)
        density = stats.beta.pdf((1 + dense) / 2, entry["a"], entry["b"]) / 2
        axis.plot(dense, density, "-", lw=1, color=f"C{index}", label=f"d = {dimension}")
        axis.plot(centres, entry["histogram"], "o", ms=2, color=f"C{index}")
    axis.set_ylim(0, 6)
    axis.set_xlabel("⟨x, y⟩")
    axis.set_ylabel("density")
    axis.set_title("GC1: sphere samples (dots) vs the Beta law (lines)")
    axis.legend(fontsize=6, ncols=2)
    return figure


def gc2(outcome: Outcome):
    """Exact E F(w_T), simulated means and the bound, for each case."""
    figure, (axis,) = new_figure()
    for index, run in enumerate(outcome.series["runs"]):
        colour = f"C{index}"
        label = f"tilt {run['tilt']}, α = {run['fraction']}·2/(NL)"
        axis.semilogy(run["bound"], "--", color=colour, lw=0.8)
        axis.semilogy(run["expected"], "-", color=colour, lw=1, label=label)
        axis.semilogy(np.arange(0, len(run["simulated_mean"]), 50),
                      run["simulated_mean"][::50], "o", ms=2, color=colour)
    axis.set_xlabel("SGD step T")
    axis.set_ylabel("F(w_T) − F*")
    axis.set_title("GC2: exact expectation (solid), simulation (dots), bound (dashed)")
    axis.legend(fontsize=6)
    return figure


def gc3(outcome: Outcome):
    """Distributions of the minimum pairwise gradient cosine vs width and depth."""
    settings = list(outcome.series)
    figure, axes = new_figure(2, size=(6.4, 2.6))
    for setting_index, setting in enumerate(settings):
        entry = outcome.series[setting]
        for axis, key, label in ((axes[0], "widths", "width"), (axes[1], "depths", "depth")):
            keys = sorted(entry[key], key=int)
            positions = np.arange(len(keys)) + 0.2 * (2 * setting_index - 1)
            axis.boxplot([entry[key][k] for k in keys], positions=positions, widths=0.3,
                         showfliers=False, patch_artist=True,
                         boxprops={"facecolor": f"C{setting_index}", "alpha": 0.5})
            axis.set_xticks(np.arange(len(keys)), keys)
            axis.set_xlabel(label)
    axes[0].set_ylabel("min cos(∇f_i, ∇f_j)")
    axes[0].set_title(f"GC3 vs width (blue: {settings[0]})", fontsize=7)
    axes[1].set_title(f"vs depth (orange: {settings[-1]})", fontsize=7)
    return figure


OVERLAYS = {"GC1": gc1, "GC2": gc2, "GC3": gc3}
