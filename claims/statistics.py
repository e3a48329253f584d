"""Checks of STATISTICAL claims: tolerances from standard errors, never hand-tuned.

Every check has a false-alarm rate of at most ``FALSE_ALARM`` = 1e-6 when the claim is true:

* z-checks: |estimate − predicted| ≤ z·SE with z = Φ⁻¹(1 − 1e-6/2) = 4.8916 (two-sided);
* Kolmogorov–Smirnov tests (``scipy.stats.kstest``) against the predicted law pass when the
  p-value is ≥ 1e-6;
* medians get distribution-free order-statistic intervals: [x_(k), x_(n+1−k)] with k the
  largest index such that P(Bin(n, ½) ≤ k − 1) ≤ 1e-6/2 (coverage ≥ 1 − 1e-6);
* slopes of a log quantity that is linear in depth (``median_slope``) are least-squares slopes
  whose standard error comes from a bootstrap over independent Monte Carlo paths.

A claim that makes m such checks has a family-wise false-alarm rate ≤ m·1e-6. Seeds derive
from one base seed, ``FLOWCERT_SEED`` in the environment (default :data:`DEFAULT_SEED`), so a
run is reproducible and a different seed gives an independent repetition.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats

from flowcert.claims.seeds import DEFAULT_SEED, SEED_VARIABLE, base_seed  # noqa: F401 (re-export)

FALSE_ALARM = 1e-6
Z_BOUND = float(stats.norm.isf(FALSE_ALARM / 2))
Z_ONE_SIDED = float(stats.norm.isf(FALSE_ALARM))
#: Bootstrap resamples of a slope's standard error. The SE estimate itself has relative
#: standard deviation ≈ 1/√(2B) = 5 %; the bound is widened by (1 + 3/√(2B)) so that an SE
#: underestimated by three of its own standard errors still keeps the false-alarm rate ≤ 1e-6.
BOOTSTRAP_RESAMPLES = 200
BOOTSTRAP_WIDENING = 1 + 3 / math.sqrt(2 * BOOTSTRAP_RESAMPLES)


@dataclass
class Check:
    """One statistical comparison: ``passed`` when |observed − predicted| ≤ allowed.

    For a KS test ``observed`` is the p-value, ``predicted`` the threshold and ``allowed`` is
    not used (NaN).
    """

    name: str
    passed: bool
    observed: float
    predicted: float
    allowed: float
    detail: str

    def sentence(self) -> str:
        verdict = "ok" if self.passed else "VIOLATED"
        return f"{self.name}: {self.detail} ({verdict})"


def z_check(name: str, observed: float, standard_error: float, predicted: float) -> Check:
    """|observed − predicted| ≤ Z_BOUND·SE (SE ≥ 0 and finite).

    SE = 0 (every sample equal) allows no gap at all: the check passes only if the observed
    value is exactly the predicted one.
    """
    if not (math.isfinite(standard_error) and standard_error >= 0 and math.isfinite(observed)):
        return Check(name, False, observed, predicted, math.nan,
                     f"no finite estimate/standard error ({observed}, {standard_error})")
    allowed = Z_BOUND * standard_error
    gap = observed - predicted
    if standard_error == 0:
        return Check(name, gap == 0, observed, predicted, 0.0,
                     f"observed {observed:.6g}, predicted {predicted:.6g}, SE = 0 (all samples "
                     "equal: no gap allowed)")
    return Check(name, abs(gap) <= allowed, observed, predicted, allowed,
                 f"observed {observed:.6g}, predicted {predicted:.6g}, z = "
                 f"{gap / standard_error:+.2f} (bound ±{Z_BOUND:.2f})")


def mean_check(name: str, samples: np.ndarray, predicted: float) -> Check:
    """Sample mean against ``predicted`` with SE = s/√n."""
    values = _finite_samples(samples)
    return z_check(name, float(np.mean(values)),
                   float(np.std(values, ddof=1) / math.sqrt(len(values))), predicted)


def below_bound_check(name: str, samples: np.ndarray, bound: float) -> Check:
    """One-sided: an upper bound on E X holds unless mean − z·SE > bound, z = Φ⁻¹(1 − 1e-6)."""
    values = _finite_samples(samples)
    mean = float(np.mean(values))
    standard_error = float(np.std(values, ddof=1) / math.sqrt(len(values)))
    allowed = Z_ONE_SIDED * standard_error
    return Check(name, mean - allowed <= bound, mean, bound, allowed,
                 f"mean {mean:.6g} (SE {standard_error:.2g}) vs bound {bound:.6g}")


def variance_check(name: str, samples: np.ndarray, predicted: float) -> Check:
    """Sample variance against ``predicted`` with SE = √((m₄ − m₂²)/n) (central moments)."""
    values = _finite_samples(samples)
    centred = values - np.mean(values)
    second, fourth = float(np.mean(centred**2)), float(np.mean(centred**4))
    variance = float(np.var(values, ddof=1))
    return z_check(name, variance, math.sqrt(max(fourth - second**2, 0.0) / len(values)),
                   predicted)


def proportion_check(name: str, successes: int, trials: int, probability: float) -> Check:
    """Exact two-sided binomial test of a frequency: passes when its p-value ≥ FALSE_ALARM."""
    p_value = float(stats.binomtest(successes, trials, probability).pvalue)
    return Check(name, p_value >= FALSE_ALARM, successes / trials, probability, math.nan,
                 f"{successes}/{trials} = {successes / trials:.4g}, predicted "
                 f"{probability:.4g}, binomial p = {p_value:.3g} (threshold {FALSE_ALARM:g})")


def ks_check(name: str, samples: np.ndarray, cdf: Callable[[np.ndarray], np.ndarray]) -> Check:
    """One-sample Kolmogorov–Smirnov test of ``samples`` against the predicted ``cdf``."""
    values = _finite_samples(samples)
    result = stats.kstest(values, cdf)
    p_value = float(result.pvalue)
    return Check(name, p_value >= FALSE_ALARM, p_value, FALSE_ALARM, math.nan,
                 f"KS statistic {result.statistic:.4g} on n = {len(values)}, p = "
                 f"{p_value:.3g} (threshold {FALSE_ALARM:g})")


def median_interval(samples: np.ndarray, false_alarm: float = FALSE_ALARM) -> tuple[float,
                                                                                    float]:
    """Distribution-free interval [x_(k), x_(n+1−k)] covering the median w.p. ≥ 1 − α."""
    values = np.sort(_finite_samples(samples))
    n = len(values)
    k = int(stats.binom.ppf(false_alarm / 2, n, 0.5))
    while k >= 1 and stats.binom.cdf(k - 1, n, 0.5) > false_alarm / 2:
        k -= 1
    if k < 1:
        raise ValueError(f"{n} samples cannot give a {1 - false_alarm:g} median interval")
    return float(values[k - 1]), float(values[n - k])


def _finite_samples(samples) -> np.ndarray:
    values = np.asarray(samples, dtype=float).ravel()
    if len(values) < 2 or not np.all(np.isfinite(values)):
        raise ValueError("need ≥ 2 finite samples")
    return values


# ----------------------------------------------------------------------------- slopes


@dataclass
class SlopeFit:
    """Slope b of y = a + b·x + c/x fitted to medians, with its bootstrap interval."""

    name: str
    slope: float
    standard_error: float
    low: float
    high: float
    predicted: float
    x: list[float]
    y: list[float]

    @property
    def passed(self) -> bool:
        return math.isfinite(self.slope) and self.low <= self.predicted <= self.high

    def sentence(self) -> str:
        return (f"{self.name}: slope {self.slope:.5f} ± {self.high - self.slope:.5f} "
                f"(SE {self.standard_error:.2g}), predicted {self.predicted:.5f} "
                f"({'contained' if self.passed else 'NOT contained'})")


def least_squares_slope(x: Sequence[float], y: np.ndarray) -> np.ndarray:
    """Slope b of y = a + b·x + c/x for each column of ``y`` (shape (len(x),) or (len(x), m)).

    The c/x term absorbs the O(1/x) finite-depth correction of a median of a sum of x
    independent terms (Cornish–Fisher), leaving the slope unbiased to O(1/x²).
    """
    x_values = np.asarray(x, dtype=float)
    if len(x_values) < 4 or np.any(x_values <= 0):
        raise ValueError("a slope fit needs ≥ 4 positive abscissae")
    design = np.column_stack([np.ones_like(x_values), x_values, 1 / x_values])
    coefficients, *_ = np.linalg.lstsq(design, np.asarray(y, dtype=float), rcond=None)
    return coefficients[1]


def median_slope(name: str, x: Sequence[float], values: np.ndarray, predicted: float,
                 rng: np.random.Generator) -> SlopeFit:
    """Slope of the pooled median of ``values[n, k, j]`` (path n, member k, abscissa x_j).

    Members of one path may be correlated, paths are independent: the bootstrap resamples
    whole paths. Interval: slope ± Z_BOUND·BOOTSTRAP_WIDENING·SE.
    """
    data = np.asarray(values, dtype=float)
    if data.ndim != 3 or data.shape[2] != len(x):
        raise ValueError("values must have shape (paths, members, len(x))")
    slope = float(least_squares_slope(x, _pooled_medians(data)))
    paths = data.shape[0]
    resampled = np.array([_pooled_medians(data[rng.integers(0, paths, paths)])
                          for _ in range(BOOTSTRAP_RESAMPLES)])
    standard_error = float(np.std(least_squares_slope(x, resampled.T), ddof=1))
    half_width = Z_BOUND * BOOTSTRAP_WIDENING * standard_error
    return SlopeFit(name, slope, standard_error, slope - half_width, slope + half_width,
                    predicted, [float(v) for v in x], _pooled_medians(data).tolist())


def _pooled_medians(data: np.ndarray) -> np.ndarray:
    return np.median(data.reshape(-1, data.shape[2]), axis=0)


# ----------------------------------------------------------------------------- figures

#: Most points a distribution figure's series keeps (order statistics, evenly spaced).
DISTRIBUTION_POINTS = 2000
DENSITY_POINTS = 200


def distribution_series(samples: np.ndarray, law: str,
                        quantile: Callable[[np.ndarray], np.ndarray],
                        density: Callable[[np.ndarray], np.ndarray]) -> dict:
    """The standard ``series["distribution"]`` entry of a STATISTICAL outcome.

    Keeps at most DISTRIBUTION_POINTS evenly spaced order statistics of ``samples`` (no random
    thinning, so no generator stream is consumed), the predicted ``quantile`` function at
    their plotting positions (i + ½)/n, and the predicted ``density`` on a grid spanning
    the samples — what :func:`reports.figures.distribution_check` draws as a histogram
    and a QQ plot.
    """
    ordered = np.sort(_finite_samples(samples))
    count = len(ordered)
    kept = np.unique(np.linspace(0, count - 1, min(count, DISTRIBUTION_POINTS)).round()
                     .astype(int))
    grid = np.linspace(ordered[0], ordered[-1], DENSITY_POINTS)
    return {"samples": ordered[kept].tolist(), "law": law, "count": count,
            "quantiles": np.asarray(quantile((kept + 0.5) / count), dtype=float).tolist(),
            "density_x": grid.tolist(),
            "density_y": np.asarray(density(grid), dtype=float).tolist()}
