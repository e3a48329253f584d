"""Theory-vs-numerics overlays for claims CV1–CV6 (from each outcome's ``series``)."""

from __future__ import annotations

import math

import numpy as np

from flowcert.claims.base import Outcome
from flowcert.reports.figures import new_figure
from flowcert.theory import curvature


def _anchored_line(fit: dict, x: np.ndarray) -> np.ndarray:
    """The predicted slope drawn through the centre of the fitted medians."""
    fitted_x, fitted_y = np.asarray(fit["x"]), np.asarray(fit["y"])
    offset = float(np.mean(fitted_y - fit["predicted"] * fitted_x))
    return offset + fit["predicted"] * x


def cv1(outcome: Outcome):
    """Mean and median of log|∏w| vs depth (σ = 0.8) over L(log σ − (γ+ln 2)/2)."""
    moments, slope = outcome.series["moments"], outcome.series["median_slope"]
    figure, (left, right) = new_figure(2)
    depths = np.asarray(moments["depths"])
    dense = np.linspace(1, depths[-1], 200)
    left.plot(dense, [curvature.chain_log_mean(int(round(v)), moments["scale"]) for v in dense],
              "k-", lw=1, label="L(log σ − (γ+ln 2)/2)")
    left.plot(depths, moments["mean"], "o", ms=4, label="Monte Carlo mean")
    left.plot(depths, moments["median"], "s", ms=3, label="Monte Carlo median")
    left.set_xlabel("depth L")
    left.set_ylabel("log|w₁⋯w_L|")
    left.set_title(f"CV1: σ = {moments['scale']}")
    left.legend(fontsize=6)
    x = np.asarray(slope["x"])
    right.plot(x, slope["y"], "o", ms=4, label="median log|∏w| (σ = 1)")
    right.plot(x, _anchored_line(slope, x), "k-", lw=1,
               label=f"slope −(γ+ln 2)/2 = {slope['predicted']:.4f}")
    right.set_xlabel("depth L")
    right.set_title(f"fitted {slope['slope']:.4f} ∈ [{slope['low']:.4f}, {slope['high']:.4f}]")
    right.legend(fontsize=6)
    return figure


def cv2(outcome: Outcome):
    """Monte Carlo means (AD derivatives) vs the derived moments, and the medians."""
    moments = outcome.series["moments"]
    figure, (axis,) = new_figure()
    positions = np.arange(len(moments["names"]))
    axis.bar(positions - 0.25, np.abs(moments["predicted"]), 0.25, label="|derived mean|")
    axis.bar(positions, np.abs(moments["means"]), 0.25, label="|Monte Carlo mean|")
    axis.bar(positions + 0.25, np.abs(moments["medians"]), 0.25, label="|median|")
    axis.set_yscale("log")
    axis.set_xticks(positions, moments["names"])
    axis.set_title("CV2 at L = 3: means are large, medians small (E H_ij = 0: bars show noise)")
    axis.legend(fontsize=6)
    return figure


def _depth_panels(outcome: Outcome, title: str, mean_predicted, line_shift=np.zeros_like):
    """Log-median (with the predicted slope) and log-mean (with the predicted mean) vs L.

    ``line_shift(depths)`` is added to the slope line (ln L for the trace, whose fit is of
    log-median − ln L)."""
    figure, (left, right) = new_figure(2, size=(6.4, 2.8))
    for index, (width, entry) in enumerate(sorted(outcome.series["widths"].items(),
                                                  key=lambda item: int(item[0]))):
        colour, depths = f"C{index}", np.asarray(entry["depths"])
        left.plot(depths, entry["log_median"], "o", ms=2.5, color=colour, label=f"d = {width}")
        left.plot(depths, _anchored_line(entry["fit"], depths) + line_shift(depths), "-",
                  lw=0.8, color=colour)
        right.plot(depths, entry["log_mean"], "o", ms=2.5, color=colour)
        right.plot(depths, mean_predicted(int(width), depths, entry), "-", lw=0.8,
                   color=colour)
    left.set_xlabel("depth L")
    left.set_ylabel("log-median")
    left.set_title(f"{title}: median (lines: ψ(d/2) − ln(d/2))")
    left.legend(fontsize=6, ncols=2)
    right.set_xlabel("depth L")
    right.set_ylabel("log of the sample mean")
    right.set_title("sample mean (lines: exact mean)")
    return figure


def cv3(outcome: Outcome):
    """‖y‖²: medians decay at ψ(d/2) − ln(d/2) per layer, the Xavier mean stays 1."""
    return _depth_panels(outcome, "CV3 ‖W_L⋯W_1x‖²",
                         lambda _w, depths, _e: np.zeros_like(depths, dtype=float))


def cv5(outcome: Outcome):
    """tr(JᵀJ): median ≈ L·e^{L(ψ(d/2) − ln(d/2))}, mean L·d (Xavier)."""
    return _depth_panels(outcome, "CV5 tr(JᵀJ)",
                         lambda _w, _depths, entry: np.asarray(entry["predicted_log_mean"]),
                         line_shift=np.log)


def cv4(outcome: Outcome):
    """Observed mean log-ratio of ReLU layers vs the exact sum, its leading term −5/(2d) and
    the second-order form −5/(2d) − 49/(12d²)."""
    entries = outcome.series["widths"]
    widths = np.array(sorted(int(w) for w in entries))
    figure, (axis,) = new_figure()
    dense = np.unique(np.geomspace(1, widths[-1] * 2, 60).astype(int))
    axis.plot(dense, [-float(curvature.relu_log_ratio_mean(int(w))) for w in dense], "k-",
              lw=1, label="exact Σ p_b[ψ(b/2) + ln 2 + ln(2/d)]")
    axis.plot(dense, [5 / (2 * w) for w in dense], "k:", lw=1, label="leading term 5/(2d)")
    axis.plot(dense, [5 / (2 * w) + 49 / (12 * w**2) for w in dense], "k--", lw=0.8,
              label="5/(2d) + 49/(12d²)")
    axis.plot(widths, [-entries[str(w)]["observed_mean"] for w in widths], "o", ms=4,
              label="Monte Carlo (ReLU, He)")
    axis.set_xscale("log")
    axis.set_yscale("log")
    axis.set_xlabel("width d")
    axis.set_ylabel("−E log R per layer")
    axis.set_title("CV4: exact sum vs −5/(2d) (leading order) and −5/(2d) − 49/(12d²)")
    axis.legend(fontsize=6)
    return figure


def cv6(outcome: Outcome):
    """‖x_k‖ of GD from the saddle against δ(1 + ηε)^k, with the escape radius."""
    figure, (axis,) = new_figure()
    for index, entry in enumerate(outcome.series.get("escapes", [])):
        norms = np.asarray(entry["norms"])
        steps = np.arange(len(norms))
        case = entry["case"]
        growth = (math.exp(math.log(float(case["radius"]) / float(case["offset"]))
                           / entry["predicted"]))
        axis.semilogy(steps[::25], norms[::25], "o", ms=2.5, color=f"C{index}",
                      label=f"GD, ηλ_max = {entry['step_times_top']:.3g}")
        axis.semilogy(steps, float(case["offset"]) * growth**steps, "-", lw=0.8,
                      color=f"C{index}")
        axis.axvline(entry["predicted"], color=f"C{index}", ls=":", lw=0.8)
        axis.axhline(float(case["radius"]), color=f"C{index}", ls="--", lw=0.5)
    axis.set_xlabel("step k")
    axis.set_ylabel("‖x_k‖")
    axis.set_title("CV6: escape from the saddle (dotted: t* = ln(r/δ)/ln(1+ηε))")
    axis.legend(fontsize=6)
    return figure


OVERLAYS = {"CV1": cv1, "CV2": cv2, "CV3": cv3, "CV4": cv4, "CV5": cv5, "CV6": cv6}
