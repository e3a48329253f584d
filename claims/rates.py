"""Fitted convergence rates with confidence intervals (ASYMPTOTIC claims).

The observed error e(p) of an asymptotic claim with rate r behaves like
log e = a + r·log p + c·q(p) + …, where q(p) is the next-order correction, vanishing in
the limit (q = 1/p as p → ∞, q = p as p → 0). Fitting the correction term keeps the slope
estimate unbiased at first order on a finite tail; the interval is the two-sided Student-t
interval of the least-squares slope at confidence 99 %.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import special

from flowcert.claims.base import RateFit

CONFIDENCE = 0.99


def fit_rate(name: str, parameter: str, x: Sequence[float], y: Sequence[float],
             predicted: float, limit: str) -> RateFit:
    """Fit log y = a + slope·log x + c·q(x) and return the slope's 99 % interval.

    ``limit`` is "infinity" (q = 1/x) or "zero" (q = x). Needs ≥ 4 points, all y > 0.
    """
    x_values, y_values = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(x_values) != len(y_values) or len(x_values) < 4:
        raise ValueError("a rate fit needs ≥ 4 (x, y) pairs of equal length")
    if np.any(x_values <= 0) or np.any(y_values <= 0) or not np.all(np.isfinite(y_values)):
        raise ValueError(f"{name}: rate fits need positive finite errors, got {y_values}")
    if limit not in ("infinity", "zero"):
        raise ValueError(f"limit must be 'infinity' or 'zero', got {limit!r}")
    correction = 1 / x_values if limit == "infinity" else x_values
    design = np.column_stack([np.ones_like(x_values), np.log(x_values), correction])
    coefficients, _, _, _ = np.linalg.lstsq(design, np.log(y_values), rcond=None)
    residuals = np.log(y_values) - design @ coefficients
    dof = len(x_values) - design.shape[1]
    variance = float(residuals @ residuals) / dof
    covariance = variance * np.linalg.inv(design.T @ design)
    half_width = float(special.stdtrit(dof, 0.5 + CONFIDENCE / 2) * np.sqrt(covariance[1, 1]))
    slope = float(coefficients[1])
    q = "1/" + parameter if limit == "infinity" else parameter
    return RateFit(name=name, parameter=parameter, slope=slope, low=slope - half_width,
                   high=slope + half_width, predicted=predicted, x=list(map(float, x_values)),
                   y=list(map(float, y_values)), fitted_points=len(x_values),
                   model=f"log e = a + r log {parameter} + c·{q}")
