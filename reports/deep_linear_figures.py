"""Theory-vs-numerics overlays for claims DL1–DL7 (from each outcome's ``series``)."""

from __future__ import annotations

import numpy as np

from flowcert.claims.base import Outcome
from flowcert.reports.figures import new_figure
from flowcert.theory import deep_linear


def dl1(outcome: Outcome):
    """Closed-form u(t) (lines) over the integrated network's w₂w₁ (markers), t½ marked."""
    figure, (axis,) = new_figure()
    for index, case in enumerate(outcome.series.values()):
        colour = f"C{index}"
        times = np.asarray(case["times"])
        dense = np.linspace(times[0], times[-1], 400)
        s, u0, tau = (float(case[k]) for k in ("s", "u0", "tau"))
        axis.plot(dense, [deep_linear.mode_strength(t, s, u0, tau) for t in dense],
                  color=colour, lw=1, label=f"s={s:g}, u0={u0:g}, τ={tau:g}")
        axis.plot(times, case["numeric"], "o", ms=2.5, color=colour)
        if case["half_time"] is not None:
            axis.axvline(case["half_time"], color=colour, ls=":", lw=0.8)
    axis.set_xlabel("t")
    axis.set_ylabel("u = w₂w₁")
    axis.set_title("DL1: closed form (lines), integrated network (dots), t½ by event (dotted)")
    axis.legend(fontsize=6, ncols=2)
    return figure


def crossing_times(entries: list[dict], label: str, title: str, xlabel: str):
    """Predicted crossing times (lines) against event-detected ones (markers)."""
    figure, (axis,) = new_figure()
    for index, entry in enumerate(entries):
        levels = entry.get("levels", list(range(1, len(entry["predicted"]) + 1)))
        axis.plot(levels, entry["predicted"], "-", color=f"C{index}",
                  label=label.format(**entry))
        axis.plot(levels, entry["numeric"], "o", ms=3, color=f"C{index}")
    axis.set_xlabel(xlabel)
    axis.set_ylabel("crossing time")
    axis.set_title(title)
    axis.legend(fontsize=6)
    return figure


def dl2(outcome: Outcome):
    return crossing_times(list(outcome.series.values()), "s={s}, a0={a0}, b0={b0}",
                          "DL2: τ[G(u_f) − G(u0)] (lines) vs event times of the network (dots)",
                          "crossing level u_f")


def dl3(outcome: Outcome):
    """Diagonal of UᵀW₂W₁V from the 117-weight network over the DL1 closed forms."""
    modes = outcome.series["modes"]
    figure, (axis,) = new_figure()
    times = np.asarray(modes["times"])
    dense = np.linspace(0, times[-1], 300)
    numeric = np.asarray(modes["numeric"])
    for alpha, (s, u0) in enumerate(zip(modes["s"], modes["u0"], strict=True)):
        axis.plot(dense, [deep_linear.mode_strength(t, s, u0) for t in dense], color=f"C{alpha}",
                  lw=1, label=f"s={s:g}, u0={u0:g}")
        axis.plot(times, numeric[:, alpha], "o", ms=3, color=f"C{alpha}")
    axis.set_xlabel("t")
    axis.set_ylabel("(UᵀW₂W₁V)_αα")
    axis.set_title("DL3: mode strengths of the full 7→9→6 network (dots) vs DL1 (lines)")
    axis.legend(fontsize=6, ncols=2)
    return figure


def dl4(outcome: Outcome):
    return crossing_times(outcome.series.get("events", []), "m = {depth}",
                          "DL4: (τ/m)[F(u_f) − F(u0)] (lines) vs chain event times (dots)",
                          "crossing k: u_f = u0 + (s − u0)·{0.3, 0.6, 0.9}")


def dl5(outcome: Outcome):
    """Balancedness drift along the flow at each precision (log scale)."""
    figure, (axis,) = new_figure()
    for label, run in outcome.series.get("flow", {}).items():
        drift = np.maximum(np.asarray(run["drift"]), 1e-300)
        axis.semilogy(run["times"][1:], drift[1:], "o-", ms=3, label=label)
    axis.set_xlabel("t")
    axis.set_ylabel("max |ΔW_{j+1}ᵀW_{j+1} − ΔW_jW_jᵀ|")
    axis.set_title("DL5: drift of the conserved quantities under gradient flow")
    axis.legend(fontsize=7)
    return figure


def dl7(outcome: Outcome):
    """Mode strengths from small random init, with their half-way crossings."""
    modes = outcome.series.get("modes")
    if modes is None:
        return None
    figure, (axis,) = new_figure()
    for alpha, (s, curve) in enumerate(zip(modes["s"], modes["strengths"], strict=True)):
        axis.plot(modes["times"], curve, color=f"C{alpha}", lw=1.2, label=f"s = {s:g}")
        axis.axvline(modes["half_times"][alpha], color=f"C{alpha}", ls=":", lw=0.8)
        axis.axhline(s, color=f"C{alpha}", ls="--", lw=0.5)
    axis.set_xlabel("t")
    axis.set_ylabel("u_αᵀ W₂W₁ v_α")
    axis.set_title("DL7: modes learned in order of s (dotted: s/2 crossing by event)")
    axis.legend(fontsize=7)
    return figure


OVERLAYS = {"DL1": dl1, "DL2": dl2, "DL3": dl3, "DL4": dl4, "DL5": dl5, "DL7": dl7}
