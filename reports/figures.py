"""Figures shared by every claim class: error vs precision and fitted rates (SVG)."""

from __future__ import annotations

import matplotlib

matplotlib.use("svg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

from claims.base import Outcome, RateFit  # noqa: E402

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
    axis.set_ylabel(fit.name, fontsize=6)
    axis.set_title(f"slope {fit.slope:.4f}, 99% interval [{fit.low:.4f}, {fit.high:.4f}]")
    axis.legend(fontsize=7)
    return figure
