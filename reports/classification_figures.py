"""Theory-vs-numerics overlays for claims CL1–CL8 (from each outcome's ``series``)."""

from __future__ import annotations

import numpy as np

from flowcert.claims.base import Outcome
from flowcert.reports.figures import new_figure
from flowcert.theory import classification

REGION_COLOURS = {"dead": "0.5", "dies": "#b2182b", "stalls": "#ef8a62", "succeeds": "#1b7837"}


def _cases(outcome: Outcome) -> list[dict]:
    return [v for k, v in sorted(outcome.series.items()) if k.startswith("case")]


def cl1(outcome: Outcome):
    """Drift of a² − b² along each run (53 bits) and the margins u(t)."""
    cases = _cases(outcome)
    if not cases:
        return None
    figure, (left, right) = new_figure(2)
    for index, case in enumerate(cases):
        label = f"{case['loss']}, a0={case['a0']}, b0={case['b0']}"
        left.plot(case["times"], np.abs(case["c_drift"]) + 1e-300, "o-", ms=2, lw=0.8,
                  color=f"C{index}", label=label)
        right.plot(case["times"], case["u"], color=f"C{index}", lw=1)
    left.set_yscale("log")
    left.set_ylim(1e-18, 1e-10)
    left.set_xlabel("t")
    left.set_ylabel("|a² − b² − c0|")
    left.legend(fontsize=5)
    left.set_title("CL1: c is conserved (53 bits)", fontsize=8)
    right.set_xlabel("t")
    right.set_ylabel("u")
    right.set_title("margins of the same runs", fontsize=8)
    return figure


def _crossings(entries: list[dict], label: str, title: str):
    figure, (axis,) = new_figure()
    for index, entry in enumerate(entries):
        axis.plot(entry["levels"], entry["predicted"], "-", color=f"C{index}",
                  label=label.format(**entry))
        axis.plot(entry["levels"], entry["numeric"], "o", ms=3, color=f"C{index}")
    axis.set_xlabel("level u")
    axis.set_ylabel("crossing time")
    axis.set_title(title)
    axis.legend(fontsize=6)
    return figure


def cl2(outcome: Outcome):
    cases = _cases(outcome)
    return _crossings(cases, "r={r}, u0={u0}, y={label}",
                      "CL2: Ei closed form (lines) vs event times of the network (dots)") \
        if cases else None


def cl3(outcome: Outcome):
    """Hinge margins (dots) over the sinh closed form (lines), stop at u = 1 marked."""
    cases = _cases(outcome)
    if not cases:
        return None
    figure, (axis,) = new_figure()
    for index, case in enumerate(cases):
        r, a0, b0 = (float(case[k]) for k in ("r", "a0", "b0"))
        u0, c = a0 * b0 * r, a0 * a0 - b0 * b0
        dense = np.linspace(0, case["stop"], 200)
        axis.plot(dense, [classification.hinge_margin(t, u0, c, r) for t in dense],
                  color=f"C{index}", lw=1, label=f"r={r:g}, c={c:.2g}, u0={u0:.2g}")
        axis.plot(case["times"], case["u"], "o", ms=3, color=f"C{index}")
        axis.axvline(case["stop"], color=f"C{index}", ls=":", lw=0.8)
    axis.axhline(1, color="k", lw=0.5)
    axis.set_xlabel("t")
    axis.set_ylabel("u")
    axis.set_title("CL3: hinge dynamics stop exactly at u = 1 (dotted: stop events)")
    axis.legend(fontsize=6)
    return figure


def cl4(outcome: Outcome):
    """Error curves σ(−u(t)) of the cross-entropy and hinge networks, inflection marked."""
    curves = outcome.series.get("curves")
    if curves is None:
        return None
    figure, (axis,) = new_figure()
    axis.plot(curves["times"], curves["cross_entropy"], label="cross-entropy")
    axis.plot(curves["times"], curves["hinge"], label="hinge")
    axis.plot([curves["inflection_time"]], [curves["inflection_error"]], "ko", ms=4,
              label="ë = 0 (event), e = σ(−0.8884)")
    axis.axvline(curves["hinge_stop"], color="C1", ls=":", lw=0.8, label="hinge stop")
    axis.set_xlabel("t (r = 1, u0 = 0.01)")
    axis.set_ylabel("error e = σ(−u)")
    axis.set_title("CL4: sigmoidal error curves; the CE inflection sits at u* = 0.888…")
    axis.legend(fontsize=6)
    return figure


def cl5(outcome: Outcome):
    """Times against p·r for both losses: every point on t = T(1, 1)/(p r)."""
    if "cross_entropy" not in outcome.series:
        return None
    figure, (axis,) = new_figure()
    for index, loss in enumerate(("cross_entropy", "hinge")):
        entries = outcome.series[loss]
        rates = np.array([e["p"] * e["r"] for e in entries])
        times = np.array([e["time"] for e in entries])
        dense = np.geomspace(rates.min() / 1.5, rates.max() * 1.5, 50)
        scaled = np.mean([e["scaled"] for e in entries])
        axis.loglog(dense, scaled / dense, "-", color=f"C{index}", lw=0.8)
        axis.loglog(rates, times, "o", color=f"C{index}", ms=4, label=f"{loss} (events)")
    axis.set_xlabel("p · r")
    axis.set_ylabel("time to u = 1")
    axis.set_title("CL5: learning times scale as 1/(p r) (lines: slope −1)")
    axis.legend(fontsize=7)
    return figure


def cl6(outcome: Outcome):
    """Observed regions of the (a0, b0) grid, with the boundaries b0 = 0 and |a0| = b0."""
    if "cross_entropy" not in outcome.series:
        return None
    figure, axes = new_figure(2)
    for axis, loss in zip(axes, ("cross_entropy", "hinge"), strict=True):
        for entry in outcome.series[loss]:
            axis.scatter(entry["a0"], entry["b0"], color=REGION_COLOURS[entry["observed"]],
                         marker="o" if entry["observed"] == entry["theory"] else "x", s=18)
        line = np.linspace(-1, 0, 10)
        axis.plot(line, -line, "k:", lw=0.8)
        axis.axhline(0, color="k", lw=0.5)
        axis.set_xlabel("a0")
        axis.set_title(f"CL6 {loss}", fontsize=8)
    axes[0].set_ylabel("b0")
    for region, colour in REGION_COLOURS.items():
        axes[1].scatter([], [], color=colour, label=region, s=18)
    axes[1].legend(fontsize=6)
    return figure


def cl7(outcome: Outcome):
    """u_A, u_B under hinge and cross-entropy (case 0): B freezes at t₁ (hinge)."""
    cases = _cases(outcome)
    if not cases or "hinge" not in cases[0]:
        return None
    case = cases[0]
    figure, (axis,) = new_figure()
    for style, loss in (("-", "hinge"), ("--", "cross_entropy")):
        axis.plot(case["times"], case[loss]["u_a"], style, color="C0", label=f"u_A {loss}")
        axis.plot(case["times"], case[loss]["u_b"], style, color="C1", label=f"u_B {loss}")
    axis.axvline(case["t1"], color="k", ls=":", lw=0.8, label="t₁ (hinge freeze)")
    axis.axvline(case["onset"], color="0.5", ls=":", lw=0.8, label="CE onset u_A+u_B = ln 3")
    axis.axhline(case["freeze"], color="C1", lw=0.5)
    axis.set_xlabel("t")
    axis.set_ylabel("margin")
    axis.set_title(f"CL7: the shared mode freezes the rarer one (p = {case['p']})")
    axis.legend(fontsize=6, ncols=2)
    return figure


def cl8(outcome: Outcome):
    entries = outcome.series.get("chains")
    return _crossings(entries, "L = {depth}",
                      "CL8: chain times (lines; last point hinge stop) vs events (dots)") \
        if entries else None


OVERLAYS = {"CL1": cl1, "CL2": cl2, "CL3": cl3, "CL4": cl4, "CL5": cl5, "CL6": cl6, "CL7": cl7,
            "CL8": cl8}
