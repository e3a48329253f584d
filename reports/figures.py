"""Figures shared by every claim class (SVG): error vs precision (EXACT), fitted rates
(ASYMPTOTIC), samples against their predicted law (STATISTICAL), and the work–precision
diagram of the appendix."""

from __future__ import annotations

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from flowcert.claims.base import Outcome, RateFit  # noqa: E402
from flowcert.reports.markup import plain_text  # noqa: E402

plt.rcParams.update({"font.size": 8, "axes.titlesize": 9, "figure.dpi": 100,
                     "svg.fonttype": "none", "axes.grid": True, "grid.alpha": 0.3})
FIGURE_SIZE = (6.2, 2.4)
PASS_COLOUR, FAIL_COLOUR = "#1b7837", "#b2182b"


def new_figure(columns: int = 1, size: tuple[float, float] = FIGURE_SIZE):
    """A figure with ``columns`` axes side by side."""
    figure, axes = plt.subplots(1, columns, figsize=size, constrained_layout=True)
    return figure, np.atleast_1d(axes)


def error_vs_precision(outcome: Outcome):
    """Relative error and tolerance against precision (EXACT claims); None without runs."""
    if not outcome.runs:
        return None
    figure, (axis,) = new_figure(size=(3.6, 2.5))
    bits = [r.precision_bits for r in outcome.runs]
    errors = [max(r.max_rel_error, 1e-300) for r in outcome.runs]
    axis.semilogy(bits, [r.tolerance for r in outcome.runs], "k--", label="tolerance (budget)")
    colours = [PASS_COLOUR if r.passed else FAIL_COLOUR for r in outcome.runs]
    axis.semilogy(bits, errors, "-", color="0.5")
    axis.scatter(bits, errors, c=colours, zorder=3, label="max relative error")
    axis.set_xlabel("precision (bits)")
    axis.set_ylabel("relative error")
    axis.set_title(f"{outcome.claim_id}: error vs precision")
    axis.legend(fontsize=7)
    return figure


def rate_fit(fit: RateFit):
    """Log-log data, the fitted slope and its interval against the predicted slope."""
    figure, (axis,) = new_figure(size=(3.6, 2.5))
    x, y = np.asarray(fit.x), np.asarray(fit.y)
    axis.loglog(x, y, "o", color=PASS_COLOUR if fit.passed else FAIL_COLOUR, label="measured")
    anchor = len(x) // 2
    for slope, style, label in ((fit.slope, "-", f"fitted slope {fit.slope:.4f}"),
                                (fit.predicted, ":", f"predicted {fit.predicted:g}")):
        axis.loglog(x, y[anchor] * (x / x[anchor]) ** slope, style, color="k", label=label)
    axis.set_xlabel(fit.parameter)
    axis.set_ylabel(plain_text(fit.name), fontsize=6)
    axis.set_title(f"slope {fit.slope:.4f}, fitted interval [{fit.low:.4f}, {fit.high:.4f}]")
    axis.legend(fontsize=7)
    return figure


def distribution_check(outcome: Outcome):
    """Histogram against the predicted density, and a QQ plot (STATISTICAL claims).

    Draws ``outcome.series["distribution"]`` (see :func:`claims.statistics.distribution_series`);
    None when the outcome has no such entry.
    """
    entry = outcome.series.get("distribution")
    if not entry:
        return None
    samples, predicted = np.asarray(entry["samples"]), np.asarray(entry["quantiles"])
    colour = PASS_COLOUR if outcome.passed else FAIL_COLOUR
    figure, (histogram, qq) = new_figure(columns=2, size=(6.2, 2.5))
    heights, _, _ = histogram.hist(samples, bins="auto", density=True, color=colour, alpha=0.45,
                                   label=f"samples (n = {entry.get('count', len(samples))})")
    histogram.plot(entry["density_x"], entry["density_y"], "k-", label="predicted density")
    histogram.set_ylim(0, 1.3 * heights.max())  # a density may be unbounded at an endpoint
    histogram.set_xlabel("value")
    histogram.set_ylabel("density")
    histogram.legend(fontsize=6)
    limits = [min(predicted.min(), samples.min()), max(predicted.max(), samples.max())]
    qq.plot(limits, limits, "-", color="0.4", linewidth=0.8, label="y = x")
    qq.plot(predicted, samples, ".", color=colour, markersize=2.5, label="samples")
    qq.set_xlabel("predicted quantile")
    qq.set_ylabel("sample quantile")
    qq.legend(fontsize=6)
    figure.suptitle(f"{outcome.claim_id}: samples vs {entry['law']}", fontsize=8)
    return figure


def work_precision(problems: dict):
    """Error against wall-clock seconds (log-log), one panel per problem, one marker series
    per engine (``problems``: name → {"description", "rows"} of reports/work_precision.json).
    """
    figure, axes = new_figure(columns=len(problems), size=(6.2, 2.8))
    markers = dict(zip(("heyoka Taylor", "SciPy DOP853", "SciPy LSODA", "mpmath.odefun"),
                       "osD^", strict=True))
    for axis, (name, problem) in zip(axes, problems.items(), strict=True):
        rows = problem["rows"]
        floor = min((r["error"] for r in rows if r["error"] > 0), default=1e-300) / 10
        for engine in dict.fromkeys(r["engine"] for r in rows):
            chosen = [r for r in rows if r["engine"] == engine]
            axis.loglog([r["seconds"] for r in chosen], [max(r["error"], floor) for r in chosen],
                        marker=markers.get(engine, "x"), linestyle="-", linewidth=0.8,
                        markersize=4, label=engine)
        axis.set_xlabel("wall-clock seconds (integration only)")
        axis.set_ylabel("relative error")
        axis.set_title(name)
    axes[0].legend(fontsize=6)
    return figure


def not_drawn(reason: str):
    """A small figure that states why the intended figure could not be drawn."""
    figure, axes = plt.subplots(figsize=(6.4, 1.2))
    axes.axis("off")
    axes.text(0.5, 0.5, f"figure not drawn — {reason}", ha="center", va="center", wrap=True,
              fontsize=8, color="#b2182b")
    return figure


def trajectory_overlay(outcome: Outcome):
    """Closed form (line) against the integrated network (dots) for every observable and case
    of a trajectory claim (``series["trajectory"]``, see :mod:`flowcert.claims.trajectory`),
    with the relative gap at 53 bits beside it; None without such a series."""
    cases = outcome.series.get("trajectory")
    if not cases:
        return None
    figure, (values, gaps) = new_figure(columns=2)
    for index, (name, case) in enumerate(cases.items()):
        for observable, data in case["observables"].items():
            colour = f"C{index % 10}"
            values.plot(case["times"], data["predicted"], "-", color=colour, linewidth=1,
                        label=f"{observable}, {name}")
            values.plot(case["times"], data["numeric"], ".", color=colour, markersize=3)
            gap = [abs(n - p) / abs(p) if p else abs(n - p)
                   for n, p in zip(data["numeric"], data["predicted"], strict=True)]
            gaps.semilogy(case["times"], [max(g, 1e-18) for g in gap], ".-", color=colour,
                          linewidth=0.6, markersize=2)
    values.set_xlabel("t")
    values.set_ylabel("value")
    values.set_title(f"{outcome.claim_id}: closed form (lines), integrated network (dots)")
    values.legend(fontsize=6)
    gaps.set_xlabel("t")
    gaps.set_ylabel("relative gap at 53 bits")
    gaps.set_title("float64 error, floored at 1e-18", fontsize=8)
    return figure
