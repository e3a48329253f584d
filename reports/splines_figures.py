"""Theory-vs-numerics overlays for claims SP1–SP6 (from each outcome's ``series``)."""

from __future__ import annotations

import numpy as np

from flowcert.claims.base import Outcome
from flowcert.reports.figures import new_figure

WIDE = (6.4, 2.6)


def sp1(outcome: Outcome):
    """ζ(x) for each initialisation: derived closed form (lines), quadrature (dots)."""
    curves = outcome.series.get("curves")
    if curves is None:
        return None
    figure, (axis,) = new_figure(size=(4.4, 2.8))
    for index, label in enumerate(k for k in curves if k not in ("x", "x_quadrature")):
        axis.plot(curves["x"], curves[label]["theory"], "-", lw=1, color=f"C{index}",
                  label=label)
        axis.plot(curves["x_quadrature"], curves[label]["quadrature"], "o", ms=2.5,
                  color=f"C{index}")
    axis.set_xlabel("x")
    axis.set_ylabel("ζ(x)")
    axis.set_title("SP1: ζ derived (lines) vs quadrature of the density (dots)", fontsize=8)
    axis.legend(fontsize=5)
    return figure


def sp2(outcome: Outcome):
    """∂²K/∂x²(x, x′) of the arc-cosine kernel (line) over ζ(x)|x − x′|/2 (dots)."""
    data = outcome.series.get("curvature")
    if data is None:
        return None
    figure, (axis,) = new_figure(size=(3.8, 2.6))
    axis.plot(data["x"], data["left"], "-", lw=1, label="∂²K/∂x² (SymPy)")
    axis.plot(data["x"][::3], data["right"][::3], "o", ms=3, label="ζ(x)|x − x′|/2")
    axis.axvline(data["x_prime"], color="k", lw=0.5, ls=":")
    axis.set_xlabel("x")
    axis.set_title(f"SP2: Gaussian init, x′ = {data['x_prime']}", fontsize=8)
    axis.legend(fontsize=6)
    return figure


def sp3(outcome: Outcome):
    """cᵀKc against the penalty form for every law and kernel (float64 rows)."""
    rows = [r for r in outcome.series.get("rows", []) if r["bits"] == 53]
    if not rows:
        return None
    figure, (axis,) = new_figure(size=(4.4, 2.6))
    gaps = [max(abs(r["left"] - r["right"]) / r["right"], 1e-18) for r in rows]
    axis.barh(range(len(rows)), gaps, color="C0")
    axis.set_xscale("log")
    axis.set_yticks(range(len(rows)), [f"{r['law']} ({r['kernel'].split()[0]})" for r in rows],
                    fontsize=5)
    axis.set_xlabel("|cᵀKc − penalty form| / penalty form")
    axis.set_title("SP3: cᵀKc vs the penalty form (53 bits)", fontsize=8)
    return figure


def _convergence_panel(axis, series: dict, target_key: str, title: str) -> None:
    axis.plot(series["grid"], series[target_key], "k-", lw=1.4, label="limit")
    for index, (width, values) in enumerate(sorted(series["networks"].items(),
                                                   key=lambda item: int(item[0]))):
        axis.plot(series["grid"], values, "-", lw=0.7, color=f"C{index}", label=f"n = {width}")
    axis.plot(series["x"], series["y"], "ko", ms=3)
    axis.set_xlabel("x")
    axis.set_title(title, fontsize=8)
    axis.legend(fontsize=5)


def _rate_panel(axis, fit: dict) -> None:
    """Mean sup errors vs width with the fitted slope (``fit``: RateFit.to_json())."""
    x, y = np.asarray(fit["x"]), np.asarray(fit["y"])
    axis.loglog(x, y, "o", ms=3)
    reference = y[-1] * (x / x[-1]) ** fit["slope"]
    axis.loglog(x, reference, "-", lw=0.8,
                label=f"slope {fit['slope']:.3f} [{fit['low']:.3f}, {fit['high']:.3f}]")
    axis.loglog(x, y[-1] * (x / x[-1]) ** -0.5, "k:", lw=0.8, label="n^(−1/2)")
    axis.set_xlabel("width n")
    axis.set_ylabel("mean sup error")
    axis.legend(fontsize=6)


def sp4(outcome: Outcome):
    """Networks of growing width over g*, and the sup error vs width with its fitted slope."""
    if "networks" not in outcome.series or not outcome.fits:
        return None
    figure, axes = new_figure(2, WIDE)
    _convergence_panel(axes[0], outcome.series, "target", "SP4: f_n → g* (Gaussian init)")
    _rate_panel(axes[1], outcome.fits[0].to_json())
    axes[1].set_title("sup |f_n − g*| vs width", fontsize=8)
    return figure


def sp5(outcome: Outcome):
    """Networks with a free affine part over the natural cubic spline, and their (reported)
    rate."""
    if "networks" not in outcome.series or "rate" not in outcome.series:
        return None
    figure, axes = new_figure(2, WIDE)
    _convergence_panel(axes[0], outcome.series, "natural", "SP5: f_n → natural cubic spline")
    _rate_panel(axes[1], outcome.series["rate"])
    axes[1].set_title("sup |f_n − spline| vs width", fontsize=8)
    return figure


def sp6(outcome: Outcome):
    """f_t − f₀ of the integrated flow (dots) over the linearised-flow formula (lines)."""
    trajectory = outcome.series.get("trajectory")
    if trajectory is None:
        return None
    figure, (axis,) = new_figure(size=(3.8, 2.6))
    order = np.argsort(trajectory["points"])
    points = np.asarray(trajectory["points"])[order]
    for index, moment in enumerate(trajectory["record"]):
        axis.plot(points, np.asarray(moment["predicted"])[order], "-", lw=0.8,
                  color=f"C{index}", label=f"t = {moment['t']:.3g}")
        axis.plot(points, np.asarray(moment["observed"])[order], "o", ms=2.5,
                  color=f"C{index}")
    axis.plot(trajectory["x"], trajectory["y"], "k*", ms=5)
    axis.set_xlabel("x")
    axis.set_title("SP6: flow (dots) vs K(·,X)K⁻¹(I − e^(−ηtK))y (lines)", fontsize=7)
    axis.legend(fontsize=5)
    return figure


OVERLAYS = {"SP1": sp1, "SP2": sp2, "SP3": sp3, "SP4": sp4, "SP5": sp5, "SP6": sp6}
