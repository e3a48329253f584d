"""claims.statistics: the z-bound, order-statistic intervals, KS checks and slope fits.

Every random sample here comes from a fixed seed, so the tests are reproducible; the
acceptance levels are the helpers' own (false-alarm 1e-6), so a correct helper fails with
probability ≤ 1e-6 per seed.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from flowcert.claims import statistics


def test_z_bound_is_the_two_sided_normal_quantile_at_one_in_a_million():
    # Φ(−4.8916) = 5e-7, so a two-sided z-check has false-alarm rate 1e-6.
    assert pytest.approx(4.891638, abs=1e-6) == statistics.Z_BOUND
    assert 2 * stats.norm.sf(statistics.Z_BOUND) == pytest.approx(1e-6, rel=1e-9)
    assert stats.norm.sf(statistics.Z_ONE_SIDED) == pytest.approx(1e-6, rel=1e-9)


@given(n=st.integers(25, 5000))
def test_median_interval_has_the_binomial_coverage_it_claims(n):
    values = np.arange(n, dtype=float)  # order statistics are the values themselves
    low, high = statistics.median_interval(values)
    k = int(low) + 1  # x_(k) = k − 1
    assert high == n - k  # symmetric: x_(n+1−k)
    # Miss probability 2·P(Bin(n, ½) ≤ k − 1) is at most 1e-6 and k is the largest such.
    assert 2 * stats.binom.cdf(k - 1, n, 0.5) <= 1e-6
    assert 2 * stats.binom.cdf(k, n, 0.5) > 1e-6


def test_median_interval_refuses_samples_too_small_for_the_level():
    # n = 20: even [min, max] misses the median with probability 2^-19 ≈ 1.9e-6 > 1e-6.
    with pytest.raises(ValueError, match="cannot give"):
        statistics.median_interval(np.arange(20.0))


def test_mean_check_accepts_the_true_mean_and_rejects_a_shift_of_ten_standard_errors():
    sample = np.random.default_rng(1).normal(2.0, 3.0, 100_000)
    assert statistics.mean_check("true", sample, 2.0).passed
    shifted = statistics.mean_check("shifted", sample, 2.0 + 10 * 3.0 / math.sqrt(1e5))
    assert not shifted.passed and "VIOLATED" in shifted.sentence()


def test_variance_check_uses_the_fourth_moment_standard_error():
    sample = np.random.default_rng(2).normal(0.0, 2.0, 200_000)
    assert statistics.variance_check("true", sample, 4.0).passed
    # SE of s² for a normal is σ²√(2/n) = 0.0126; 4.1 is 8 SE away.
    assert not statistics.variance_check("wrong", sample, 4.1).passed


def test_ks_check_detects_a_wrong_law_and_accepts_the_right_one():
    sample = np.random.default_rng(3).chisquare(4, 50_000)
    assert statistics.ks_check("right", sample, lambda x: stats.chi2.cdf(x, 4)).passed
    assert not statistics.ks_check("wrong", sample, lambda x: stats.chi2.cdf(x, 4.2)).passed


def test_proportion_and_one_sided_checks():
    assert statistics.proportion_check("fair", 5030, 10_000, 0.5).passed
    assert not statistics.proportion_check("biased", 5400, 10_000, 0.5).passed
    sample = np.random.default_rng(4).normal(1.0, 1.0, 10_000)
    assert statistics.below_bound_check("holds", sample, 1.0).passed
    assert not statistics.below_bound_check("violated", sample, 0.9).passed


@given(a=st.floats(-5, 5), b=st.floats(-1, 1), c=st.floats(-3, 3))
def test_least_squares_slope_is_exact_on_its_model(a, b, c):
    x = np.arange(32.0, 257.0, 32.0)
    assert statistics.least_squares_slope(x, a + b * x + c / x) == pytest.approx(b, abs=1e-9)


@settings(max_examples=5, derandomize=True)
@given(seed=st.integers(0, 2**32 - 1), slope=st.floats(-0.5, 0.5))
def test_median_slope_interval_contains_the_slope_of_random_walks(seed, slope):
    """Paths of a Gaussian random walk with drift b: median(S_L) = bL exactly."""
    rng = np.random.default_rng(seed)
    depths = np.arange(16, 129, 16)
    steps = slope + rng.standard_normal((2000, 1, 128))
    paths = np.cumsum(steps, axis=2)[:, :, depths - 1]
    fit = statistics.median_slope("walk", depths, paths, slope, rng)
    assert fit.passed, fit.sentence()
    assert fit.standard_error < 0.01


def test_base_seed_reads_the_environment(monkeypatch):
    monkeypatch.delenv(statistics.SEED_VARIABLE, raising=False)
    assert statistics.base_seed() == statistics.DEFAULT_SEED
    monkeypatch.setenv(statistics.SEED_VARIABLE, "17")
    assert statistics.base_seed() == 17
    monkeypatch.setenv(statistics.SEED_VARIABLE, "-3")
    with pytest.raises(ValueError, match="FLOWCERT_SEED"):
        statistics.base_seed()


def test_z_check_with_zero_standard_error_allows_no_gap():
    assert statistics.z_check("equal", 0.0, 0.0, 0.0).passed
    assert not statistics.z_check("different", 0.0, 0.0, 1e-300).passed
    assert not statistics.z_check("nan", math.nan, 0.1, 0.0).passed
    assert not statistics.z_check("negative se", 0.0, -1.0, 0.0).passed
