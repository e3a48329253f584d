"""Theory-vs-numerics overlays for claims GS1–GS7 (from each outcome's ``series``)."""

from __future__ import annotations

import numpy as np

from flowcert.claims.base import Outcome
from flowcert.reports.figures import new_figure
from flowcert.theory import starvation

REGULARISER_LABELS = {"weight_decay": "weight decay", "spectral_decoupling": "Spectral Decoupling"}


def gs1(outcome: Outcome):
    """z(t) of the θ-flow for two random V (lines, dots), both regularisers."""
    figure, axes = new_figure(2)
    for axis, (key, label) in zip(axes, REGULARISER_LABELS.items(), strict=True):
        run = outcome.series.get(key)
        if run is None:
            return None
        for j, (curve, dots) in enumerate(zip(np.transpose(run["z_first_v"]),
                                              np.transpose(run["z_second_v"]), strict=True)):
            axis.plot(run["times"], curve, color=f"C{j}", lw=1, label=f"z{j + 1}")
            axis.plot(run["times"], dots, "o", ms=3, color=f"C{j}")
        axis.set_xlabel("t")
        axis.set_title(f"GS1 {label}: two random V (lines, dots)", fontsize=7)
        axis.legend(fontsize=6)
    axes[0].set_ylabel("z = S Vᵀ θ")
    return figure


def gs2(outcome: Outcome):
    """Toy: z* from the dual maximiser (lines) and the 53-bit θ-flow at T (markers)."""
    toy = outcome.series.get("toy")
    if toy is None:
        return None
    figure, (axis,) = new_figure()
    dual, flow = np.asarray(toy["dual"]), np.asarray(toy["flow"])
    for j in range(dual.shape[1]):
        axis.plot(toy["s1"], dual[:, j], "-", color=f"C{j}", label=f"z{j + 1}* (dual)")
        axis.plot(toy["s1"], flow[:, j], "o", color=f"C{j}", ms=4, label=f"z{j + 1}(T) (flow)")
    axis.set_xlabel("s₁")
    axis.set_ylabel("z*")
    axis.set_title("GS2: the dual maximiser's S²Uᵀα*/λ is the flow's limit (toy, λ = 0.01)")
    axis.legend(fontsize=6, ncols=2)
    return figure


def gs3(outcome: Outcome):
    """The toy's z₂* against s₁: falling under weight decay, flat under SD (theory curve
    computed here; markers: the θ-flows of the claim)."""
    toy = outcome.series.get("toy")
    if toy is None:
        return None
    figure, (axis,) = new_figure()
    dense = np.linspace(min(toy["s1"]), max(toy["s1"]), 21)
    rotation = starvation.toy_rotation(toy["delta"])
    for index, (key, label) in enumerate(REGULARISER_LABELS.items()):
        entry = toy[key]
        curve = [starvation.fixed_point([s, toy["s2"]], rotation, entry["lam"], key)[1]
                 for s in dense]
        axis.plot(dense, curve, "-", color=f"C{index}",
                  label=f"{label} (λ = {entry['lam']:g}): theory fixed point")
        axis.plot(toy["s1"], entry["flow"], "o", color=f"C{index}", ms=4,
                  label=f"{label}: θ-flow at T")
    axis.set_xlabel(f"s₁ (strength of feature 1; s₂ = {toy['s2']:g}, δ = {toy['delta']:g})")
    axis.set_ylabel("z₂*")
    axis.set_title("GS3: feature 1 starves feature 2 under weight decay, not under SD")
    axis.legend(fontsize=6)
    return figure


def gs4(outcome: Outcome):
    """The δ → 0 gap |z* − W(s²/λ)| in units of e^{−z*}: bounded by 1, tending to 1."""
    floor = outcome.series.get("floor")
    if floor is None:
        return None
    figure, (axis,) = new_figure()
    axis.semilogx(floor["lam"], floor["ratio"], "o-", ms=4, label=r"$|z^* - W| / e^{-z^*}$")
    axis.axhline(1, color="k", ls=":", lw=0.8, label="bound 1")
    axis.set_xlabel("λ")
    axis.set_ylabel(r"gap / $e^{-z^*}$")
    axis.set_title(r"GS4: the $\delta$-independent error of the Lambert-W form is $O(e^{-z})$")
    axis.legend(fontsize=7)
    return figure


def gs5(outcome: Outcome):
    """Toy under SD: z* of the flow for every s₁ (flat) against m*Uᵀ1; weight decay for contrast."""
    toy = outcome.series.get("toy")
    if toy is None:
        return None
    figure, (axis,) = new_figure()
    theory, flow = np.asarray(toy["theory"]), np.asarray(toy["flow"])
    decay = np.asarray(toy["weight_decay_flow"])
    for j in range(theory.shape[1]):
        axis.plot(toy["s1"], theory[:, j], "-", color=f"C{j}", label=f"$z_{j + 1}^* = m^*(U^T "
                                                                     f"1)_{j + 1}$")
        axis.plot(toy["s1"], flow[:, j], "o", color=f"C{j}", ms=4, label=f"SD flow z{j + 1}(T)")
        axis.plot(toy["s1"], decay[:, j], "x--", color=f"C{j}", ms=4, lw=0.7,
                  label=f"weight-decay flow z{j + 1}(T)")
    axis.set_xlabel("s₁")
    axis.set_ylabel("z*")
    axis.set_title("GS5: Spectral Decoupling's fixed point does not depend on S")
    axis.legend(fontsize=6, ncols=3)
    return figure


def gs6(outcome: Outcome):
    """z(t) = τ − ω(τ) (lines) over the network (dots); D·τ on the right axis."""
    cases = [v for k, v in sorted(outcome.series.items()) if k.startswith("case")]
    if not cases:
        return None
    figure, (axis,) = new_figure()
    right = axis.twinx()
    for index, case in enumerate(cases):
        s, z0, eta = (float(case[k]) for k in ("s", "z0", "eta"))
        dense = np.linspace(0, case["times"][-1], 200)
        axis.plot(dense, [starvation.single_mode_response(t, s, z0, eta) for t in dense],
                  color=f"C{index}", lw=1, label=f"s={s:g}, z0={z0:g}, η={eta:g}")
        axis.plot(case["times"], case["numeric"], "o", ms=3, color=f"C{index}")
        right.plot(case["times"], case["curvature_clock_numeric"], ":", color=f"C{index}")
    right.axhline(1, color="k", lw=0.5)
    right.set_ylabel("D·τ (dotted) → 1")
    axis.set_xlabel("t")
    axis.set_ylabel("z")
    axis.set_title("GS6: Wright-omega solution (lines) vs the network (dots)")
    axis.legend(fontsize=6)
    return figure


def gs7(outcome: Outcome):
    """z₂(t) with s₁ = 4 and s₁ = s₂, the ε = 0.01 onset (event); onset times vs ε."""
    runs, onset = outcome.series.get("trajectories"), outcome.series.get("onset")
    if runs is None or onset is None:
        return None
    figure, (left, right) = new_figure(2)
    left.plot(runs["times"], runs["reference"], label="z₂(t; s₁ = s₂ = 2)")
    left.plot(runs["times"], runs["starved"], label="z₂(t; s₁ = 4)")
    left.axvline(runs["onset"], color="k", ls=":", lw=0.8,
                 label=f"onset ε = {runs['epsilon']:g} (event)")
    left.set_xlabel("t")
    left.set_ylabel("z₂")
    left.legend(fontsize=6)
    left.set_title("GS7: starvation of feature 2", fontsize=8)
    right.loglog(onset["epsilon"], onset["predicted"], "-", label=r"$(\varepsilon \dot z_2(0) / "
                                                                   "|K|)^{1/3}$")
    right.loglog(onset["epsilon"], onset["event"], "o", ms=3, label="event times")
    right.set_xlabel("ε")
    right.set_ylabel("t_GS(ε)")
    right.legend(fontsize=6)
    right.set_title("onset times follow the t⁴ law", fontsize=8)
    return figure


OVERLAYS = {"GS1": gs1, "GS2": gs2, "GS3": gs3, "GS4": gs4, "GS5": gs5, "GS6": gs6, "GS7": gs7}
