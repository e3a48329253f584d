"""Theory-vs-numerics overlays for claims KR1–KR6 (from each outcome's ``series``)."""

from __future__ import annotations

import numpy as np

from flowcert.claims.base import Outcome
from flowcert.reports.figures import new_figure

WIDE = (6.2, 2.6)


def kr1(outcome: Outcome):
    """β(t) of the integrated network (dots) over α^D h_D(Xᵀν(t)) with R from the ODE (lines)."""
    cases = [outcome.series[key] for key in sorted(outcome.series) if key.startswith("D")]
    if not cases:
        return None
    figure, axes = new_figure(len(cases), WIDE)
    for axis, case in zip(axes, cases, strict=True):
        times = np.asarray(case["times"])
        predicted, numeric = np.asarray(case["predicted"]), np.asarray(case["numeric"])
        for i in range(predicted.shape[1]):
            axis.plot(times, predicted[:, i], "-", color=f"C{i}", lw=1)
            axis.plot(times, numeric[:, i], "o", color=f"C{i}", ms=2.5)
        axis.set_title(f"D = {case['depth']}, α = {case['alpha']}")
        axis.set_xlabel("t")
    axes[0].set_ylabel("β_i(t)")
    figure.suptitle("KR1: network (dots) vs closed form on the reduced R-ODE (lines)",
                    fontsize=9)
    return figure


def kr2(outcome: Outcome):
    """Flow limit against the dual solution, coordinate by coordinate (float64 run)."""
    cases = outcome.series.get("cases", {}).get(53)
    if not cases:
        return None
    figure, (axis,) = new_figure(size=(3.8, 3.0))
    for index, case in enumerate(cases):
        axis.plot(case["dual"], case["flow"], "o", ms=3, color=f"C{index}",
                  label=f"D={case['depth']}, α={case['alpha']}")
    values = [v for case in cases for v in case["dual"]]
    span = [min(values), max(values)]
    axis.plot(span, span, "k-", lw=0.6)
    axis.set_xlabel("argmin Q_α^D (dual Newton)")
    axis.set_ylabel("flow limit β∞")
    axis.set_title("KR2: flow limit vs implicit-bias solution")
    axis.legend(fontsize=6)
    return figure


def kr3(outcome: Outcome):
    """q_D for D = 2, 3, 4 with |z| (the ℓ1 shape) for reference."""
    curves = outcome.series.get("curves")
    if curves is None:
        return None
    figure, (axis,) = new_figure(size=(3.8, 2.6))
    z = np.asarray(curves["z"])
    for depth in (2, 3, 4):
        axis.plot(z, curves[f"D{depth}"], label=f"q_{depth}(z)")
    axis.plot(z, np.abs(z), "k:", lw=0.8, label="|z|")
    axis.set_xlabel("z")
    axis.set_title("KR3: the potentials q_D")
    axis.legend(fontsize=7)
    return figure


def kr4(outcome: Outcome):
    """Paths of β_α from ℓ1 (α → 0) to ℓ2 (α → ∞) for D = 2, 3, and the fitted errors to
    each limit (kernel side; rich side), labelled with their fitted slopes."""
    path, limits = outcome.series.get("path"), outcome.series.get("limits")
    if path is None or limits is None:
        return None
    figure, axes = new_figure(4, (8.8, 2.6))
    for axis, depth in zip(axes[:2], (2, 3), strict=True):
        data = path[f"D{depth}"]
        alphas, betas = np.asarray(data["alpha"]), np.asarray(data["beta"])
        for i in range(betas.shape[1]):
            axis.semilogx(alphas, betas[:, i], color=f"C{i}", lw=1)
            axis.plot(alphas[0], limits["l1"][i], "<", color=f"C{i}", ms=4)
            axis.plot(alphas[-1], limits["l2"][i], ">", color=f"C{i}", ms=4)
        axis.set_title(f"D = {depth}: β_α (◁ ℓ1, ▷ ℓ2)", fontsize=8)
        axis.set_xlabel("α")
    axes[0].set_ylabel("β_α,i")
    sides = ((True, axes[2], "α → ∞: ‖β_α − X⁺y‖/‖X⁺y‖"),
             (False, axes[3], "α → 0: |β_α,i| (D = 2), error (D ≥ 3)"))
    for kernel, axis, title in sides:
        fits = [fit for fit in outcome.fits if ("X⁺y" in fit.name) == kernel]
        for index, fit in enumerate(fits):
            label = fit.name.replace("‖β_α − X⁺y‖/‖X⁺y‖ ", "").replace(
                "‖β_α − β_ℓ1‖/‖β_ℓ1‖ ", "").replace("(KR2 dual)", "dual")
            axis.loglog(fit.x, fit.y, "o-" if "flow" in fit.name else "-", ms=2, lw=0.8,
                        color=f"C{index % 10}", label=f"{label}: {fit.slope:.3f}")
        axis.set_title(title, fontsize=7)
        axis.set_xlabel("α")
        axis.legend(fontsize=4.5)
    return figure


def kr5(outcome: Outcome):
    """Left: achieved fraction of the allowed error at each stated threshold (1 would be
    tight). Right: how far each stated α is from the true threshold α* (KR2 dual)."""
    rows = outcome.series.get("rows")
    if not rows:
        return None
    figure, (left, right) = new_figure(2, WIDE)
    epsilons = [row["epsilon"] for row in rows]
    for key, marker, label in (("l2_ratio", "o", "kernel side"), ("l1_ratio", "s", "rich side")):
        values = [max(abs(row[key]), 1e-20) for row in rows]
        left.semilogy(epsilons, values, marker, label=label)
    left.axhline(1, color="k", lw=0.8)
    left.set_xlabel("ε")
    left.set_ylabel("achieved / allowed")
    left.set_title("at the stated α", fontsize=8)
    left.legend(fontsize=7)
    kernel = [row["alpha_l2"] / row["alpha_l2_tight"] if row["alpha_l2_tight"] > 0 else np.nan
              for row in rows]
    rich = [row["alpha_l1_tight"] / row["alpha_l1"] for row in rows]
    right.semilogy(epsilons, kernel, "o", label="kernel: α_stated / α*")
    right.semilogy(epsilons, rich, "s", label="rich: α* / α_stated")
    right.axhline(1, color="k", lw=0.8)
    right.set_xlabel("ε")
    right.set_title("distance to the true threshold", fontsize=8)
    right.legend(fontsize=7)
    figure.suptitle("KR5: slack of the sufficient conditions", fontsize=9)
    return figure


def kr6(outcome: Outcome):
    """diag(W(t)) of matrix sensing (dots) over the D = 2 closed form (lines)."""
    trajectory = outcome.series.get("trajectory")
    if trajectory is None:
        return None
    figure, (axis,) = new_figure(size=(3.8, 2.6))
    times = trajectory["times"]
    diagonal = np.asarray([point["diag"] for point in trajectory["points"]])
    closed = np.asarray([point["closed"] for point in trajectory["points"]])
    for i in range(diagonal.shape[1]):
        axis.plot(times, closed[:, i], "-", color=f"C{i}", lw=1)
        axis.plot(times, diagonal[:, i], "o", color=f"C{i}", ms=3)
    axis.set_xlabel("t")
    axis.set_ylabel("W_ii(t)")
    axis.set_title("KR6: W_ii of sensing (dots), 2α² sinh(Xᵀν) (lines)", fontsize=8)
    return figure


OVERLAYS = {"KR1": kr1, "KR2": kr2, "KR3": kr3, "KR4": kr4, "KR5": kr5, "KR6": kr6}
