"""Theory-vs-numerics overlays for claims GC1–GC4 (from each outcome's ``series``)."""

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
    """Left: exact E F(w_T), simulated means and the bound for every trajectory case.
    Right: the tight one-sample instance, F(w_T) on the bound."""
    figure, (left, right) = new_figure(2, size=(6.4, 2.6))
    for index, run in enumerate(outcome.series["runs"]):
        colour = f"C{index}"
        steps = np.arange(len(run["expected"]))
        every = max(1, len(steps) // 20)
        left.semilogy(steps, run["bound"], "--", color=colour, lw=0.8)
        left.semilogy(steps, run["expected"], "-", color=colour, lw=1, label=run["label"])
        left.semilogy(steps[::every], run["simulated_mean"][::every], "o", ms=2, color=colour)
    left.set_xlabel("SGD step T")
    left.set_ylabel("F(w_T) − F*")
    left.set_title("exact (solid), simulated (dots), bound (dashed)", fontsize=7)
    left.legend(fontsize=4)
    for index, case in enumerate(outcome.series.get("tight", [])):
        colour = f"C{index}"
        right.semilogy(case["bounds"], "-", color=colour, lw=1,
                       label=f"a = {case['a']}, α = {case['fraction']}·2/a²")
        right.semilogy(case["losses"], "o", ms=2, color=colour)
    right.set_xlabel("SGD step T")
    right.set_title("tight instance N = 1: F(w_T) (dots) = bound (lines)", fontsize=7)
    right.legend(fontsize=5)
    return figure


def _boxes(axis, groups: dict, offset: float, colour: str) -> list[str]:
    """Box plots of ``groups`` (label → samples) at integer positions shifted by offset."""
    labels = list(groups)
    axis.boxplot([groups[label] for label in labels],
                 positions=np.arange(len(labels)) + offset, widths=0.25, showfliers=False,
                 patch_artist=True, boxprops={"facecolor": colour, "alpha": 0.5})
    return labels


def gc3(outcome: Outcome):
    """Distributions of the minimum pairwise gradient cosine against width."""
    figure, (axis,) = new_figure(size=(3.6, 2.6))
    settings = list(outcome.series)
    for index, setting in enumerate(settings):
        labels = _boxes(axis, outcome.series[setting]["widths"], 0.15 * (2 * index - 1),
                        f"C{index}")
        axis.set_xticks(np.arange(len(labels)), labels)
    axis.set_xlabel("width")
    axis.set_ylabel("min cos(∇f_i, ∇f_j)")
    axis.set_title(f"GC3 (blue: {settings[0]}; orange: {settings[-1]})", fontsize=7)
    return figure


def gc4(outcome: Outcome):
    """Minimum cosine against depth at each width (left) and the width-512 ReLU/He
    counter-example with both output scales (right)."""
    figure, (left, right) = new_figure(2, size=(6.4, 2.6))
    verdict = outcome.series["verdict"]
    for index, (label, groups) in enumerate(verdict.items()):
        ticks = _boxes(left, groups, 0.8 * index / len(verdict) - 0.3, f"C{index}")
        left.plot([], [], "s", color=f"C{index}", alpha=0.5, label=label)
    left.set_xticks(np.arange(len(ticks)), ["1", "w/4", "w"])
    left.set_xlabel("depth (hidden layers)")
    left.set_ylabel("min cos(∇f_i, ∇f_j)")
    left.set_title("GC4: falls from depth w/4 to w", fontsize=7)
    left.legend(fontsize=4)
    for index, (label, groups) in enumerate(outcome.series.get("finding", {}).items()):
        ticks = _boxes(right, groups, 0.15 * (2 * index - 1), f"C{index + 4}")
        right.set_xticks(np.arange(len(ticks)), ticks)
        right.plot([], [], "s", color=f"C{index + 4}", alpha=0.5, label=label)
    right.set_xlabel(f"depth at width {outcome.series.get('finding_width')} (ReLU, He)")
    right.set_title("finding: rises with depth; falls with output × 0.01", fontsize=7)
    right.legend(fontsize=5)
    return figure


OVERLAYS = {"GC1": gc1, "GC2": gc2, "GC3": gc3, "GC4": gc4}
