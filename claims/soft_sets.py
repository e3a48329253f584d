"""Claims SS1–SS6: soft-set confusion-matrix metrics (Tsoi et al. 2022; THEORY.md, SS).

Theory (:mod:`theory.soft_sets`, looked up at call time) supplies H, its knots and the
closed forms of soft F1, its gradient and the band bounds. Numerics
(:mod:`numerics.soft_sets`) counts confusion matrices of given predictions, draws Bernoulli
predictions and trains logistic models by gradient flow; it receives H as a callable (or,
for training, as the piecewise-linear map through theory's knots).

EXACT claims (SS1–SS4) run at every rung of the precision ladder: float64/NumPy at 53 bits,
mpmath at exactly ``bits`` bits above (both sides). Every observed/predicted pair has its
own rounding budget b (stated where it is computed, in multiples of the unit roundoff
u = 2^(1−bits)); it enters the Comparison with the scale b/u and the run's tolerance is u,
so a run passes exactly when every error is within its own budget, and the perturbation
test re-judges every pair against its own budget. Each claim also runs its symbolic
identities (derived once, cached).
"""

from __future__ import annotations

import contextlib
import functools
import math
from collections.abc import Callable, Sequence
from functools import partial

import mpmath
import numpy as np
from scipy import stats

from flowcert.claims.base import PrecisionRun, RateFit
from flowcert.claims.builders import (
    Finding,
    NullModel,
    exact_claim,
    statistical_claim,
    symbolic_checks,
)
from flowcert.claims.comparison import Comparison
from flowcert.claims.rates import fit_rate
from flowcert.claims.statistics import FALSE_ALARM, base_seed
from flowcert.numerics import soft_sets as counting
from flowcert.numerics.monte_carlo import generator
from flowcert.numerics.precision import FLOAT64_BITS, unit_roundoff
from flowcert.theory import soft_sets

SOURCE = ("Tsoi, Candon, Li, Milkessa & Vázquez (2022), Bridging the gap: unifying the "
          "training and evaluation of neural network binary classifiers; flowcert seed 004")


# ----------------------------------------------------------------------------- helpers


def _working_precision(bits: int):
    """mpmath at exactly ``bits`` bits above float64; nothing to set at 53 bits."""
    return contextlib.nullcontext() if bits == FLOAT64_BITS else mpmath.workprec(bits)


def _number(text: str, bits: int):
    """A decimal parameter as float (53 bits) or as mpf at the current precision."""
    return float(text) if bits == FLOAT64_BITS else mpmath.mpf(text)


def _array(values: np.ndarray, bits: int) -> np.ndarray:
    """Float data as float64 (53 bits) or as an object array of exact mpf copies."""
    if bits == FLOAT64_BITS:
        return np.asarray(values, dtype=float)
    return np.array([mpmath.mpf(float(v)) for v in np.ravel(values)], dtype=object)


def _membership(tau_value, delta_value) -> Callable:
    """theory's H(·; τ, δ), looked up now, as the callable numerics expects."""
    return partial(soft_sets.heaviside_approx, tau=tau_value, delta=delta_value)


def _membership_error(bits: int, max_slope) -> float:
    """Budget for |computed H − exact H|: ≤ 8 roundings of quantities of size ≤ 1, plus the
    rounding of p − τ (≤ u) amplified by the slope (≤ max slope); doubled for safety."""
    return 2 * (8 + float(max_slope)) * unit_roundoff(bits)


def _sum_error(bits: int, n: int, term_error: float) -> float:
    """Budget for a sum of n terms of size ≤ 1 each within ``term_error``: n·term_error for
    the terms plus n²·u for sequential summation (the worst order; object arrays)."""
    return n * term_error + n * n * unit_roundoff(bits)


def _add(comparison: Comparison, observed, predicted, budget: float) -> None:
    """One pair with its own absolute error budget b, recorded with the scale b/u: at the
    run's tolerance u (:func:`_run`) it passes exactly when |observed − predicted| ≤ b.
    NumPy scalars (e.g. integer counts) are recorded as Python numbers."""
    observed, predicted = (v.item() if isinstance(v, np.generic) else v
                           for v in (observed, predicted))
    comparison.add(observed, predicted, float(budget) / unit_roundoff(comparison.bits))


def _run(comparison: Comparison) -> PrecisionRun:
    """The run at tolerance u = 2^(1−bits): every error within its own budget."""
    return comparison.run(unit_roundoff(comparison.bits))


def _symbolic(claim_id: str) -> Callable[[dict], Finding]:
    """A check running the claim's symbolic identities (derived once, cached)."""
    return lambda _series: symbolic_checks(soft_sets.self_checks(claim_id))


def _rng(seed: int, index: int = 0) -> np.random.Generator:
    """Child ``index`` of SeedSequence(seed): the fixed samples of the EXACT claims."""
    child = np.random.SeedSequence(seed).spawn(index + 1)[index]
    return np.random.Generator(np.random.PCG64(child))


def _scores_outside_band(rng: np.random.Generator, n: int, lower: float,
                         upper: float) -> np.ndarray:
    """n scores uniform on [0, lower) ∪ (upper, 1], each side with probability ½."""
    below = rng.random(n) < 0.5
    uniform = rng.random(n)
    return np.where(below, lower * uniform, 1 - (1 - upper) * uniform)


# ----------------------------------------------------------------------------- SS1

SS1_CASES = (("0.5", "0.2"), ("0.3", "0.1"), ("0.8", "0.05"), ("0.1", "0.45"),
             ("0.65", "0.001"))
#: Chord-slope grid: spacing 1/256, so every piece (length ≥ τ_m/2 ≥ 0.05 here) holds chords.
SS1_GRID = 256
#: Symmetry is checked on p = k/64.
SS1_SYMMETRY_GRID = 64
SS1_LIMIT_TAU = "0.3"
SS1_LIMIT_DELTAS = tuple(f"1e-{k}" for k in range(1, 9))


def _l1_gap_by_quadrature(tau_value, delta_value, bits: int):
    """∫₀¹ |H − 1[p ≥ τ]| dp by 3-point Gauss–Legendre on [0, a], [a, τ], [τ, b], [b, 1].

    The rule is exact for polynomials of degree ≤ 5, so it is exact up to rounding exactly
    when H is linear between the knots; a kink inside a sub-interval shows as an O(1) error.
    """
    knots = soft_sets.heaviside_knots(tau_value, delta_value)
    membership = _membership(tau_value, delta_value)
    root = mpmath.sqrt(mpmath.mpf(3) / 5) if bits > FLOAT64_BITS else np.sqrt(0.6)
    nodes, weights = (-root, 0, root), (_number("5", bits) / 9, _number("8", bits) / 9,
                                       _number("5", bits) / 9)
    points = [0, knots.lower, tau_value, knots.upper, 1]
    total = 0
    for start, end in zip(points, points[1:], strict=False):
        middle, half = (start + end) / 2, (end - start) / 2
        step = 0 if end <= tau_value else 1  # 1[p ≥ τ] on this sub-interval
        total += half * sum(w * abs(membership(middle + half * x) - step)
                            for x, w in zip(nodes, weights, strict=True))
    return total


def _gap_budget(bits: int, knots) -> float:
    """Absolute budget of the quadrature: the rule is exact on linear pieces but for
    rounding; the integrand is within the H budget, and nodes, weights and the 12-term sum
    add ≤ 64u over [0, 1]."""
    return _membership_error(bits, max(knots.slopes)) + 64 * unit_roundoff(bits)


def _ss1_case(tau_text: str, delta_text: str, bits: int, comparison: Comparison) -> None:
    tau_value, delta_value = _number(tau_text, bits), _number(delta_text, bits)
    knots = soft_sets.heaviside_knots(tau_value, delta_value)
    membership = _membership(tau_value, delta_value)
    h_error = _membership_error(bits, max(knots.slopes))
    special = ((0, 0), (1, 1), (tau_value, 0.5), (knots.lower, delta_value),
               (knots.upper, 1 - delta_value))
    for point, expected in special:  # expected values are exact up to one rounding
        _add(comparison, membership(point), expected, 2 * h_error)
    grid = _array(np.arange(SS1_SYMMETRY_GRID + 1) / SS1_SYMMETRY_GRID, bits)
    mirrored = soft_sets.heaviside_approx(1 - grid, 1 - tau_value, delta_value)
    for observed, predicted in zip(np.ravel(mirrored), np.ravel(1 - membership(grid)),
                                   strict=True):
        _add(comparison, observed, predicted, 2 * h_error + 2 * unit_roundoff(bits))
    chords = _array(np.arange(SS1_GRID + 1) / SS1_GRID, bits)
    lipschitz = max(np.abs(np.diff(membership(chords)))) * SS1_GRID
    expected_lipschitz = max(knots.slopes)
    # chord (H(x+h) − H(x))/h: two H errors over h, plus 4u relative to L
    _add(comparison, lipschitz, expected_lipschitz,
         2 * h_error * SS1_GRID + 4 * unit_roundoff(bits) * float(expected_lipschitz))
    _add(comparison, _l1_gap_by_quadrature(tau_value, delta_value, bits),
         soft_sets.l1_gap(tau_value, delta_value), _gap_budget(bits, knots))


def _measure_ss1(bits: int, series: dict) -> PrecisionRun:
    comparison = Comparison(bits)
    with _working_precision(bits):
        for tau_text, delta_text in SS1_CASES:
            _ss1_case(tau_text, delta_text, bits, comparison)
        tau_value = _number(SS1_LIMIT_TAU, bits)
        gaps = []
        for delta_text in SS1_LIMIT_DELTAS:
            delta_value = _number(delta_text, bits)
            knots = soft_sets.heaviside_knots(tau_value, delta_value)
            gaps.append(_l1_gap_by_quadrature(tau_value, delta_value, bits))
            _add(comparison, gaps[-1], soft_sets.l1_gap(tau_value, delta_value),
                 _gap_budget(bits, knots))
        if bits == FLOAT64_BITS:
            series["limit"] = {"tau": float(tau_value), "delta": list(map(float,
                               SS1_LIMIT_DELTAS)), "gap": list(map(float, gaps)),
                               "tau_m_over_4": soft_sets.l1_gap_limit(float(tau_value))}
    return _run(comparison)


def _ss1_limit(series: dict) -> Finding:
    """The δ → 0 sequence must decrease towards τ_m/4 and stay above it (not tend to 0);
    also the series of H for several δ for the figure."""
    limit = series["limit"]
    deltas, gaps = limit["delta"], limit["gap"]
    grid = np.linspace(0, 1, 401)
    series["curves"] = {"tau": limit["tau"], "p": grid.tolist(), "delta": [0.3, 0.1, 0.01],
                        "H": [soft_sets.heaviside_approx(grid, limit["tau"], d).tolist()
                              for d in (0.3, 0.1, 0.01)]}
    floor = limit["tau_m_over_4"]
    approaches = all(a > b > floor for a, b in zip(gaps, gaps[1:], strict=False))
    sentence = ("L1 gap to the step by quadrature at τ = {tau:g}: ".format(**limit)
                + ", ".join(f"δ={d:g}: {g:.10f}" for d, g in zip(deltas, gaps, strict=True))
                + f" → decreasing to τ_m/4 = {floor:g} and staying above it "
                + ("(H does not converge to the step in L1 as δ → 0)" if approaches
                   else "— NOT the predicted approach to τ_m/4"))
    return Finding(approaches, [sentence])


# ----------------------------------------------------------------------------- SS2

#: (kind, n, τ, δ): uniform scores with ~30 % positives, all positives, all negatives,
#: scores exactly 0 or 1.
SS2_CASES = (("mixed", 200, "0.5", "0.2"), ("all positive", 50, "0.3", "0.1"),
             ("all negative", 50, "0.7", "0.05"), ("scores in {0, 1}", 100, "0.4", "0.3"))
SS2_SEED = 2


def _ss2_sample(kind: str, n: int, index: int) -> tuple[np.ndarray, np.ndarray]:
    rng = _rng(SS2_SEED, index)
    scores = rng.integers(0, 2, n).astype(float) if kind == "scores in {0, 1}" else rng.random(n)
    labels = {"all positive": np.ones(n, dtype=int),
              "all negative": np.zeros(n, dtype=int)}.get(kind, (rng.random(n) < 0.3) * 1)
    return scores, labels


def _measure_ss2(bits: int, series: dict) -> PrecisionRun:
    comparison = Comparison(bits)
    with _working_precision(bits):
        for index, (kind, n, tau_text, delta_text) in enumerate(SS2_CASES):
            tau_value, delta_value = _number(tau_text, bits), _number(delta_text, bits)
            scores, labels = _ss2_sample(kind, n, index)
            scores = _array(scores, bits)
            counts = counting.soft_counts(scores, labels, _membership(tau_value, delta_value))
            positives = int(labels.sum())
            knots = soft_sets.heaviside_knots(tau_value, delta_value)
            count_error = _sum_error(bits, n, _membership_error(bits, max(knots.slopes)))
            _add(comparison, counts.tp + counts.fn, positives, 2 * count_error)
            _add(comparison, counts.fp + counts.tn, n - positives, 2 * count_error)
            observed = counting.f1_score(counts)
            predicted = soft_sets.soft_f1(scores, labels, tau_value, delta_value)
            denominator = 2 * counts.tp + counts.fp + counts.fn
            # F1 = 2A/D: |ΔF1| ≤ 2|ΔA|/D + 2A|ΔD|/D² ≤ 4·(2 × count error)/D (A ≤ D), each side
            _add(comparison, observed, predicted, 16 * count_error / float(denominator))
            if bits == FLOAT64_BITS:
                series[f"case{index}"] = {"kind": kind, "n": n, "tau": float(tau_value),
                                          "delta": float(delta_value),
                                          "f1_counts": float(observed),
                                          "f1_closed_form": float(predicted)}
    return _run(comparison)


# ----------------------------------------------------------------------------- SS3

#: (τ, δ) cases, n = 12 scores (4 positives) kept ≥ 0.01 away from both breakpoints.
SS3_CASES = (("0.5", "0.2"), ("0.3", "0.1"), ("0.75", "0.35"), ("0.1", "0.02"))
SS3_SIZE, SS3_POSITIVES, SS3_MARGIN, SS3_SEED = 12, 4, 0.01, 3


def _ss3_sample(tau_value: float, delta_value: float, index: int,
                zero_positives: bool) -> tuple[np.ndarray, np.ndarray]:
    """Scores away from the breakpoints (H′ constant within ±ε); with ``zero_positives``
    every positive scores 0, so A = 0."""
    knots = soft_sets.heaviside_knots(tau_value, delta_value)
    rng = _rng(SS3_SEED, index)
    scores = []
    while len(scores) < SS3_SIZE:
        x = 0.02 + 0.96 * rng.random()
        if min(abs(x - knots.lower), abs(x - knots.upper)) >= SS3_MARGIN:
            scores.append(x)
    labels = rng.permutation([1] * SS3_POSITIVES + [0] * (SS3_SIZE - SS3_POSITIVES))
    scores = np.array(scores)
    if zero_positives:
        scores[labels == 1] = 0.0
    return scores, labels


def _soft_f1_numeric(scores, labels, tau_value, delta_value):
    """F1 of numerics' soft counts with theory's H."""
    return counting.f1_score(counting.soft_counts(scores, labels,
                                                  _membership(tau_value, delta_value)))


def _central_differences(scores, labels, tau_value, delta_value, indices, step):
    result = []
    for i in indices:
        up, down = scores.copy(), scores.copy()
        up[i], down[i] = scores[i] + step, scores[i] - step
        result.append((_soft_f1_numeric(up, labels, tau_value, delta_value)
                       - _soft_f1_numeric(down, labels, tau_value, delta_value)) / (2 * step))
    return result


def _ss3_case(case: tuple[str, str], index: int, zero_positives: bool, bits: int,
              comparison: Comparison) -> dict:
    tau_value, delta_value = _number(case[0], bits), _number(case[1], bits)
    scores, labels = _ss3_sample(float(tau_value), float(delta_value), index, zero_positives)
    scores = _array(scores, bits)
    u = unit_roundoff(bits)
    step = _number(repr(u ** (1 / 3)), bits)
    indices = [i for i in range(SS3_SIZE) if not (zero_positives and labels[i] == 1)]
    finite = _central_differences(scores, labels, tau_value, delta_value, indices, step)
    predicted = soft_sets.soft_f1_gradient(scores, labels, tau_value, delta_value)[indices]
    expected_signs = [(1 if labels[i] == 1 else (0 if zero_positives else -1)) for i in indices]
    signs_ok = all(np.sign(float(f)) == np.sign(float(g)) == s
                   for f, g, s in zip(finite, predicted, expected_signs, strict=True))
    knots = soft_sets.heaviside_knots(tau_value, delta_value)
    slope = float(max(knots.slopes))
    counts = counting.soft_counts(scores, labels, _membership(tau_value, delta_value))
    denominator = float(2 * counts.tp + counts.fp + counts.fn)
    scale = max(abs(float(g)) for g in predicted)
    f1_error = 16 * _sum_error(bits, SS3_SIZE, _membership_error(bits, slope)) / denominator
    if scale == 0:  # A = 0: F1 ≡ 0 under every perturbation, so both sides are exactly 0
        for f, g in zip(finite, predicted, strict=True):
            _add(comparison, f, g, f1_error / float(step))
    else:
        # F1 is a Möbius function of p_i within a piece: (f(x+ε) − f(x−ε))/2ε = f′·D²/(D² −
        # (H′ε)²) exactly, so truncation ≤ q/(1 − q), q = (H′ε/D)²; rounding ≤ F1 error/ε.
        q = (slope * float(step) / denominator) ** 2
        allowed = q / (1 - q) + f1_error / (float(step) * scale) + f1_error
        for f, g in zip(finite, predicted, strict=True):
            _add(comparison, f, g, allowed * scale)
    return {"tau": float(tau_value), "delta": float(delta_value), "signs_ok": signs_ok,
            "labels": labels[indices].tolist(), "finite": list(map(float, finite)),
            "predicted": list(map(float, predicted))}


def _measure_ss3(bits: int, series: dict) -> PrecisionRun:
    comparison = Comparison(bits)
    with _working_precision(bits):
        cases = [(case, index, False) for index, case in enumerate(SS3_CASES)]
        cases.append((SS3_CASES[0], len(SS3_CASES), True))
        for case, index, zero_positives in cases:
            result = _ss3_case(case, index, zero_positives, bits, comparison)
            series.setdefault("signs", {})[f"{bits}/case{index}"] = result["signs_ok"]
            if bits == FLOAT64_BITS:
                series[f"case{index}"] = result | {"zero_positives": zero_positives}
    return _run(comparison)


def _ss3_signs(series: dict) -> Finding:
    signs = series["signs"]
    bad = [key for key, ok in signs.items() if not ok]
    sentence = (f"signs of the central differences agree with the closed form and with "
                f"(+ positive, − negative, 0 when A = 0) in {len(signs) - len(bad)}/"
                f"{len(signs)} (precision, case) pairs" + (f"; WRONG in {bad}" if bad else ""))
    return Finding(not bad, [sentence])


# ----------------------------------------------------------------------------- SS4

SS4_CASES = (("0.5", "0.2"), ("0.3", "0.1"), ("0.85", "0.4"))
SS4_SIZE, SS4_SEED = 200, 4
#: Offset of the tight case: positives at a(1 − ε), negatives at b + (1 − b)ε, ε = 1e-9.
SS4_TIGHT_OFFSET = "1e-9"
SS4_RATE_TAU = "0.5"
SS4_RATE_DELTAS = tuple(10 ** (-k / 2) for k in range(2, 13))


def _ss4_counts(scores, labels, tau_value, delta_value):
    soft = counting.soft_counts(scores, labels, _membership(tau_value, delta_value))
    return soft, counting.hard_counts(scores, labels, tau_value)


def _ss4_case(case: tuple[str, str], index: int, bits: int, comparison: Comparison,
              bounds: list) -> None:
    tau_value, delta_value = _number(case[0], bits), _number(case[1], bits)
    knots = soft_sets.heaviside_knots(tau_value, delta_value)
    count_error = _sum_error(bits, SS4_SIZE, _membership_error(bits, max(knots.slopes)))
    rng = _rng(SS4_SEED, index)
    labels = (rng.random(SS4_SIZE) < 0.3) * 1
    extremes = _array(rng.integers(0, 2, SS4_SIZE).astype(float), bits)
    soft, hard = _ss4_counts(extremes, labels, tau_value, delta_value)
    for soft_count, hard_count in zip(soft, hard, strict=True):  # p ∈ {0, 1}: soft = hard
        _add(comparison, soft_count, hard_count, 2 * count_error)
    offset = _number(SS4_TIGHT_OFFSET, bits)
    tight = np.where(labels == 1, knots.lower * (1 - offset), knots.upper
                     + (1 - knots.upper) * offset).astype(extremes.dtype)
    soft, hard = _ss4_counts(tight, labels, tau_value, delta_value)
    attained = soft_sets.tight_band_gaps(labels, delta_value, offset)
    for gap, predicted in zip((soft.tp - hard.tp, soft.fp - hard.fp), attained, strict=True):
        # the scores' own rounding moves each membership by ≤ the H budget: in count_error
        _add(comparison, abs(gap), predicted, count_error)
    outside = _array(_scores_outside_band(rng, SS4_SIZE, float(knots.lower),
                                          float(knots.upper)), bits)
    soft, hard = _ss4_counts(outside, labels, tau_value, delta_value)
    for gap, bound in zip((soft.tp - hard.tp, soft.fp - hard.fp),
                          soft_sets.band_error_bounds(labels, delta_value), strict=True):
        bounds.append((float(abs(gap)), float(bound), count_error))


def _measure_ss4(bits: int, series: dict) -> PrecisionRun:
    comparison, bounds = Comparison(bits), []
    with _working_precision(bits):
        for index, case in enumerate(SS4_CASES):
            _ss4_case(case, index, bits, comparison, bounds)
    series.setdefault("bounds", {})[str(bits)] = bounds
    return _run(comparison)


def _ss4_bounds(series: dict) -> Finding:
    """Scores uniform outside the band: |TP_s − TP| ≤ δP and |FP_s − FP| ≤ δN (one-sided;
    the comparison's tight case shows they are attained), each up to its count budget."""
    excess = [(gap - bound) / bound for entries in series["bounds"].values()
              for gap, bound, _ in entries]
    holds = all(gap <= bound + slack for entries in series["bounds"].values()
                for gap, bound, slack in entries)
    ratios = [gap / bound for entries in series["bounds"].values() for gap, bound, _ in entries]
    return Finding(holds, [f"scores uniform outside the band: largest |TP_s − TP|/(δP) or "
                           f"|FP_s − FP|/(δN) {max(ratios):.6f} (bound 1; largest excess "
                           f"{max(excess):.3g}) — " + ("within the bounds" if holds else
                                                      "a bound is VIOLATED")])


def _ss4_rate() -> RateFit:
    """|F1_s − F1| against δ for fixed scores outside the band (τ = ½), float64."""
    tau_value = float(SS4_RATE_TAU)
    rng = _rng(SS4_SEED, len(SS4_CASES))
    labels = (rng.random(SS4_SIZE) < 0.3) * 1
    knots = soft_sets.heaviside_knots(tau_value, 0.25)  # the band does not depend on δ
    scores = _scores_outside_band(rng, SS4_SIZE, knots.lower, knots.upper)
    gaps = []
    for delta_value in SS4_RATE_DELTAS:
        soft, hard = _ss4_counts(scores, labels, tau_value, delta_value)
        gaps.append(abs(counting.f1_score(soft) - counting.f1_score(hard)))
    return fit_rate("|soft F1 − hard F1|, scores outside the band", "δ", SS4_RATE_DELTAS, gaps,
                    predicted=1.0, limit="zero")


def _ss4_rate_series(series: dict) -> Finding:
    """The rate's data for the figure (the fit itself is judged by the builder)."""
    fit = _ss4_rate()
    series["rate"] = {"delta": list(SS4_RATE_DELTAS), "gap": list(map(float, fit.y)),
                      "tau": float(SS4_RATE_TAU)}
    return Finding(True)


# ----------------------------------------------------------------------------- SS5

SS5_TAU, SS5_DELTA = 0.5, 0.2
#: Base sample of 40 (score, label) pairs, replicated k times: n = 40k, k = 1, 2, …, 256.
#: Replication keeps the design fixed, so sd(F1) varies with n alone.
SS5_BASE, SS5_REPLICATIONS = 40, tuple(2**k for k in range(9))
SS5_REPEATS = 4000
#: False-alarm rate of the whole claim; split (Bonferroni) over its z-tests.
SS5_FALSE_ALARM = FALSE_ALARM
SS5_TESTS = len(SS5_REPLICATIONS) + 2


def _ss5_base() -> tuple[np.ndarray, np.ndarray]:
    """Scores (i + ½)/40 and labels y_i ~ Bernoulli(p_i) (stream "SS5/labels" of the base
    seed)."""
    scores = (np.arange(SS5_BASE) + 0.5) / SS5_BASE
    labels = (generator(base_seed(), "SS5", "labels").random(SS5_BASE) < scores) * 1
    return scores, labels


def _z_bound(tests: int) -> float:
    """Two-sided normal bound with false-alarm rate SS5_FALSE_ALARM over ``tests`` tests."""
    return float(stats.norm.isf(SS5_FALSE_ALARM / (2 * tests)))


def _log_root_mean(values: np.ndarray) -> tuple[float, float]:
    """log √mean(v) and its standard error ½·sd(v)/(√R·mean(v)) (delta method)."""
    mean = float(np.mean(values))
    return 0.5 * np.log(mean), 0.5 * float(np.std(values, ddof=1)) / (np.sqrt(values.size)
                                                                      * mean)


def _weighted_slope(name: str, sizes: Sequence[int], logs: Sequence[float],
                    errors: Sequence[float], z: float) -> RateFit:
    """Weighted least squares log e = a + r log n + c/n with Monte Carlo standard errors;
    the interval is r ± z·se(r)."""
    n = np.asarray(sizes, dtype=float)
    design = np.column_stack([np.ones_like(n), np.log(n), 1 / n])
    weights = 1 / np.asarray(errors) ** 2
    covariance = np.linalg.inv(design.T @ (weights[:, None] * design))
    coefficients = covariance @ design.T @ (weights * np.asarray(logs))
    slope, half_width = float(coefficients[1]), z * float(np.sqrt(covariance[1, 1]))
    return RateFit(name=name, parameter="n", slope=slope, low=slope - half_width,
                   high=slope + half_width, predicted=-0.5, x=n.tolist(),
                   y=np.exp(logs).tolist(), fitted_points=n.size,
                   model="log e = a + r log n + c/n, weighted by Monte Carlo standard errors")


def _observe_ss5(probabilities: str = "H", shared: bool = False) -> dict:
    """Monte Carlo of the F1 of random predictions for every n = 40k.

    ``probabilities``: "H" draws ŷ_i ~ Bernoulli(H(p_i)) (the claim), "p" draws them with the
    raw scores instead (a null model). ``shared``: draw the 40 base predictions once per
    repetition and replicate them k times (a null model: no averaging over n). Streams
    "SS5/predictions/k" of the base seed.
    """
    base_scores, base_labels = _ss5_base()
    rows = []
    for k in SS5_REPLICATIONS:
        scores, labels = np.tile(base_scores, k), np.tile(base_labels, k)
        memberships = soft_sets.heaviside_approx(scores, SS5_TAU, SS5_DELTA)
        drawn = memberships if probabilities == "H" else scores
        rng = generator(base_seed(), "SS5", "predictions", k)
        if shared:
            counts = counting.bernoulli_confusion(drawn[:SS5_BASE], base_labels, SS5_REPEATS,
                                                  rng)
            counts = counting.ConfusionCounts(*(k * c for c in counts))
        else:
            counts = counting.bernoulli_confusion(drawn, labels, SS5_REPEATS, rng)
        f1 = counting.f1_score(counts)
        rows.append({"n": scores.size, "tp": counts.tp, "f1": f1,
                     "soft_tp": soft_sets.soft_counts(scores, labels, SS5_TAU, SS5_DELTA).tp,
                     "soft_f1": soft_sets.soft_f1(scores, labels, SS5_TAU, SS5_DELTA)})
    return {"rows": rows}


def _check_ss5(observation: dict) -> Finding:
    """E[TP] = TP_s by a z-test at every n; log sd(F1) and log RMS(F1 − F1_s) against
    log n with slope −½ (weighted fits, intervals ± z standard errors)."""
    z = _z_bound(SS5_TESTS)
    z_scores, sd_logs, rms_logs, sizes, soft_f1s = [], [], [], [], []
    for row in observation["rows"]:
        tp = row["tp"]
        standard_error = np.std(tp, ddof=1) / np.sqrt(tp.size)
        z_scores.append(float((np.mean(tp) - row["soft_tp"]) / standard_error))
        sd_logs.append(_log_root_mean((row["f1"] - np.mean(row["f1"])) ** 2))
        rms_logs.append(_log_root_mean((row["f1"] - row["soft_f1"]) ** 2))
        sizes.append(row["n"])
        soft_f1s.append(float(row["soft_f1"]))
    fits = [_weighted_slope("sd of F1 of Bernoulli(h) predictions", sizes,
                            *zip(*sd_logs, strict=True), z),
            _weighted_slope("RMS distance of that F1 from soft F1", sizes,
                            *zip(*rms_logs, strict=True), z)]
    means_ok = all(abs(value) <= z for value in z_scores)
    evidence = [f"E[TP] = TP_s: z-scores of the Monte Carlo mean TP ({SS5_REPEATS} draws) for "
                f"n = {sizes[0]} … {sizes[-1]}: {np.round(z_scores, 2).tolist()} (bound ±{z:.2f}"
                f", false-alarm rate {SS5_FALSE_ALARM:g} over {SS5_TESTS} tests): "
                + ("all within" if means_ok else "OUTSIDE the bound")]
    evidence += [f"{fit.name}: slope {fit.slope:.4f}, interval [{fit.low:.4f}, {fit.high:.4f}] "
                 f"(±{z:.2f} standard errors), predicted −0.5 "
                 f"({'contained' if fit.passed else 'NOT contained'}); at n = {sizes[-1]}: "
                 f"{fit.y[-1]:.3g}" for fit in fits]
    series = {"sd": {"n": sizes, "sd": fits[0].y, "rms": fits[1].y, "soft_f1": soft_f1s,
                     "z_scores": z_scores, "z_bound": z}}
    return Finding(means_ok and all(f.passed for f in fits), evidence, series, fits)


# ----------------------------------------------------------------------------- SS6

#: Held-out sets are ``held_out_scale`` times the training size (400 → 4000 points): their
#: sampling noise would otherwise dominate the per-draw F1 differences (sd 0.058 → 0.033).
SS6_SETUP = {"n_positive": 40, "n_negative": 360, "separation": 2.0, "delta": 0.2,
             "horizon": 300.0, "draws": 60, "held_out_scale": 10}
SS6_THRESHOLDS = tuple(k / 10 for k in range(1, 10))
SS6_TIMES = tuple([0.0] + np.geomspace(0.1, SS6_SETUP["horizon"], 30).tolist())
#: False-alarm rate of the one-sided paired test (Student t with draws − 1 degrees of
#: freedom: at 60 draws its critical value 5.27 exceeds the normal 4.75).
SS6_FALSE_ALARM = FALSE_ALARM


def _ss6_memberships() -> counting.PiecewiseLinear:
    """H(·; τ, δ) for every τ of SS6_THRESHOLDS as the piecewise-linear map through theory's
    knots 0, τ − τ_m/2, τ + τ_m/2, 1 and theory's values there — H itself, since its pieces
    are linear (SS1 proves it symbolically); numerics evaluates all nine in one pass."""
    delta_value = SS6_SETUP["delta"]
    knots, values = [], []
    for tau_value in SS6_THRESHOLDS:
        h_knots = soft_sets.heaviside_knots(tau_value, delta_value)
        row = np.array([0.0, h_knots.lower, h_knots.upper, 1.0])
        knots.append(row)
        values.append(soft_sets.heaviside_approx(row, tau_value, delta_value))
    return counting.PiecewiseLinear(np.array(knots), np.array(values))


def _blobs(key: str, scale: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """SS6_SETUP["draws"] samples of the imbalanced blobs (``scale`` times the training
    size), stream "SS6/key" of the base seed."""
    return counting.imbalanced_blobs(scale * SS6_SETUP["n_positive"],
                                     scale * SS6_SETUP["n_negative"], SS6_SETUP["separation"],
                                     generator(base_seed(), "SS6", key), SS6_SETUP["draws"])


def _train(loss_name: str, features: np.ndarray, labels: np.ndarray) -> counting.TrainingRun:
    """Gradient flow from θ = 0 of every draw at once, on 1 − mean soft F1 or on the mean
    cross-entropy."""
    loss = (counting.soft_f1_loss(features, labels, _ss6_memberships())
            if loss_name == "soft F1" else counting.cross_entropy_loss(features, labels))
    return counting.train_by_gradient_flow(loss, np.zeros((len(features), 3)), SS6_TIMES)


def _hard_f1(params: np.ndarray, features: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Hard F1 at τ = ½ of each draw's model on that draw's (features, labels)."""
    scores = counting.logistic_scores(params, features)
    return np.array([counting.f1_score(counting.hard_counts(s, y, 0.5))
                     for s, y in zip(scores, labels, strict=True)])


@functools.cache
def _ss6_runs(seed: int) -> dict:
    """Training and held-out sets of every draw and the trainings on them, shared by the
    claim and its null model (keyed by the base seed they were drawn from)."""
    train, second = _blobs("train"), _blobs("second train")
    test = _blobs("held out", SS6_SETUP["held_out_scale"])
    return {"train": train, "test": test,
            "soft F1": _train("soft F1", *train),
            "cross-entropy": _train("cross-entropy", *train),
            "cross-entropy, second sample": _train("cross-entropy", *second)}


def _observe_ss6() -> dict:
    """Held-out hard F1 at τ = ½ after soft-F1 and after cross-entropy training, per draw."""
    runs = _ss6_runs(base_seed())
    test = runs["test"]
    first = {name: {"times": list(SS6_TIMES), "loss": runs[name].losses[:, 0].tolist(),
                    "held_out_f1": [float(_hard_f1(theta[:1], test[0][:1], test[1][:1])[0])
                                    for theta in runs[name].params],
                    "rhs_evaluations": runs[name].rhs_evaluations}
             for name in ("soft F1", "cross-entropy")}
    return {"names": ("soft-F1 training", "cross-entropy training"),
            "a": _hard_f1(runs["soft F1"].params[-1], *test),
            "b": _hard_f1(runs["cross-entropy"].params[-1], *test), "curves": first}


def _observe_ss6_null() -> dict:
    """Null model: cross-entropy on the draw's training set against cross-entropy on an
    independent training set of the same blobs (same held-out set): no effect to find."""
    runs = _ss6_runs(base_seed())
    test = runs["test"]
    return {"names": ("cross-entropy, second sample", "cross-entropy training"),
            "a": _hard_f1(runs["cross-entropy, second sample"].params[-1], *test),
            "b": _hard_f1(runs["cross-entropy"].params[-1], *test), "curves": {}}


def _check_ss6(observation: dict) -> Finding:
    """One-sided paired t-test of mean(a − b) > 0 at false-alarm SS6_FALSE_ALARM; the mean
    gap, its standard error and the win fraction are reported."""
    gaps = np.asarray(observation["a"]) - np.asarray(observation["b"])
    draws = gaps.size
    mean, standard_error = float(np.mean(gaps)), float(np.std(gaps, ddof=1) / math.sqrt(draws))
    critical = float(stats.t.isf(SS6_FALSE_ALARM, draws - 1))
    statistic = mean / standard_error if standard_error > 0 else (
        math.inf if mean > 0 else -math.inf if mean < 0 else 0.0)
    passed = statistic > critical
    first, second = observation["names"]
    wins = int(np.sum(gaps > 0))
    evidence = [f"held-out hard F1 at τ = ½, {first} − {second}, over {draws} independent draws "
                f"(training and held-out sets from each): mean gap {mean:+.4f}, standard error "
                f"{standard_error:.4f}, t = {statistic:.2f} vs one-sided critical value "
                f"{critical:.2f} (false-alarm {SS6_FALSE_ALARM:g}, {draws - 1} d.o.f.): "
                + ("mean gap > 0" if passed else "NO evidence of a positive mean gap"),
                f"{first} higher on {wins} of {draws} draws ({wins / draws:.0%}; reported, not "
                "the verdict)",
                f"mean held-out F1: {first} {np.mean(observation['a']):.4f}, {second} "
                f"{np.mean(observation['b']):.4f}"]
    series = {"training": observation["curves"],
              "held_out": {"a": np.asarray(observation["a"]).tolist(),
                           "b": np.asarray(observation["b"]).tolist(),
                           "names": list(observation["names"])}}
    return Finding(passed, evidence, series)


# ----------------------------------------------------------------------------- domains


def _domain_heaviside():
    from hypothesis import strategies as st
    return st.fixed_dictionaries({
        "tau": st.floats(0.01, 0.99),
        "delta": st.floats(0, 0.5, exclude_min=True, exclude_max=True)})


def _domain_sample():
    from hypothesis import strategies as st
    return st.integers(1, 40).flatmap(lambda n: st.fixed_dictionaries({
        "tau": st.floats(0.01, 0.99),
        "delta": st.floats(0, 0.5, exclude_min=True, exclude_max=True),
        "scores": st.lists(st.floats(0, 1), min_size=n, max_size=n),
        "labels": st.lists(st.integers(0, 1), min_size=n, max_size=n)}))


def _domain_seed():
    from hypothesis import strategies as st
    return st.fixed_dictionaries({"seed": st.integers(0, 2**32 - 1)})


_ROUNDING = ("every pair has its own rounding budget b in units of $u = 2^(1-\"bits\")$ (one "
             "evaluation of H within 2(8 + max slope)·u; a sum of n such terms within "
             "n·(that) + n²·u; propagated to each compared quantity as stated in "
             "claims/soft_sets.py), entered as scale b/u at tolerance u: a run passes when "
             "every error is within its own budget, and the largest scaled error must shrink "
             "with precision")

exact = partial(exact_claim, source=SOURCE)

CLAIMS = (
    exact(
        id="SS1", title="The soft-set Heaviside approximation $H(p; tau, delta)$",
        provenance="P+D",
        statement="H(0) = 0, quad H(1) = 1, quad H(tau) = 1/2, quad "
                  "H(tau minus.plus tau_m/2) = delta, 1 - delta, quad "
                  "H(1-p; 1-tau) = 1 - H(p; tau), \\ "
                  "integral_0^1 |H - bb(1)[p >= tau]| dif p = tau_m/4 + delta/2 "
                  "arrow.r tau_m/4 eq.not 0 quad (delta -> 0)",
        theory="theory.soft_sets.HEAVISIDE (SymPy Piecewise; NumPy and mpmath evaluators "
               "lambdified from it) and ss1_checks, run by the claim: values, continuity, "
               "monotonicity iff 0 < δ < ½ (solveset over both τ regimes), mirror symmetry, "
               "the L1 gap by piecewise integration with a sign certificate and by direct "
               "integration of |H − step| at rational (τ, δ)",
        experiment="H at 0, 1, τ and both breakpoints; H(1 − p; 1 − τ) against 1 − H(p; τ) on "
                   "p = k/64; the Lipschitz constant as the largest chord slope on p = k/256; "
                   "the L1 gap by 3-point Gauss–Legendre quadrature between the knots (exact "
                   "for linear pieces), for 5 (τ, δ) cases (τ below, at and above ½; δ from "
                   "0.001 to 0.45) and for τ = 0.3, δ = 10⁻¹ … 10⁻⁸",
        comparison="H values: budget twice one H evaluation; chord slope: two H errors over "
                   "the spacing 1/256 plus 4u·L; L1 gap: H budget + 64u; " + _ROUNDING,
        parameters={"cases": SS1_CASES, "limit_tau": SS1_LIMIT_TAU,
                    "limit_deltas": SS1_LIMIT_DELTAS},
        measure=_measure_ss1, checks=(_symbolic("SS1"), _ss1_limit),
        domain=_domain_heaviside),
    exact(
        id="SS2", title="Soft counts partition the labels; soft $\"F1\" = 2A\\/(P + A + B)$",
        provenance="D",
        statement="\"TP\" + \"FN\" = P, quad \"FP\" + \"TN\" = N, quad "
                  "F_1 = frac(2 \"TP\", 2 \"TP\" + \"FP\" + \"FN\") = frac(2A, P + A + B), "
                  "quad A = sum_(y_i = 1) H(p_i), quad B = sum_(y_i = 0) H(p_i)",
        theory="theory.soft_sets.soft_f1 (closed form 2A/(P + A + B)); ss2_checks, run by the "
               "claim, proves the identities for symbolic $y_i$, $h_i$",
        experiment="numerics' confusion counts of the memberships h = H(p) (H passed in as a "
                   "callable) and F1 = 2TP/(2TP + FP + FN) from them; 4 samples: mixed "
                   "(n = 200), all positives, all negatives, every score 0 or 1",
        comparison="counts: budget twice the sum budget; F1: budget 16 × sum budget/D; "
                   + _ROUNDING,
        parameters={"cases": SS2_CASES, "seed": SS2_SEED},
        measure=_measure_ss2, checks=(_symbolic("SS2"),), domain=_domain_sample),
    exact(
        id="SS3", title="Gradient signs of soft F1",
        provenance="D",
        statement="frac(partial F_1, partial p_i) = cases("
                  "2(P + B) H'(p_i) \\/ D^2 > 0 & \"if\" y_i = 1, "
                  "-2 A H'(p_i) \\/ D^2 <= 0 & \"if\" y_i = 0 \" (zero iff \" A = 0 \")\"), "
                  "quad D = P + A + B",
        theory="theory.soft_sets.soft_f1_gradient; ss3_checks, run by the claim, "
               "differentiates the count definition symbolically through an undefined H and "
               "checks the signs",
        experiment="central differences (step $u^(1\\/3)$) of numerics' soft F1 with respect to "
                   "each score, 4 (τ, δ) cases with 12 scores ≥ 0.01 from the breakpoints, "
                   "plus a case with every positive at p = 0 (A = 0)",
        comparison="signs must agree (+ positive, − negative, 0 when A = 0); values: budget "
                   "(q/(1 − q) + F1 rounding/(ε·scale) + F1 rounding)·scale with q = "
                   "(H′ε/D)² (exact truncation for a Möbius function), scale = max |closed "
                   "form|; " + _ROUNDING,
        parameters={"cases": SS3_CASES, "size": SS3_SIZE, "positives": SS3_POSITIVES,
                    "margin": SS3_MARGIN, "seed": SS3_SEED},
        measure=_measure_ss3, checks=(_symbolic("SS3"), _ss3_signs), domain=_domain_sample),
    exact(
        id="SS4", title="Soft = hard at 0/1; band bounds $delta P$, $delta N$; gap linear in "
                        "$delta$",
        provenance="D",
        statement="p_i in {0, 1} arrow.r.double \"soft\" = \"hard\", quad "
                  "p_i in.not [tau - tau_m/2, tau + tau_m/2] arrow.r.double "
                  "|\"TP\"_s - \"TP\"| <= delta P, quad |\"FP\"_s - \"FP\"| <= delta N, quad "
                  "|F_(1,s) - F_1| = O(delta)",
        theory="theory.soft_sets.band_error_bounds and tight_band_gaps (the bounds attained "
               "up to 1 − ε just outside the band); ss4_checks, run by the claim: H = step at "
               "0 and 1, |H − step| ≤ δ on the outer pieces, H − step = δ·g(p), the "
               "attained values",
        experiment="numerics' soft counts (H as callable) and hard counts 1[p ≥ τ] of 200 "
                   "labelled scores for 3 (τ, δ) cases: all in {0, 1}; tight (positives at "
                   "a(1 − 10⁻⁹), negatives at b + (1 − b)10⁻⁹); uniform outside the band; "
                   "|soft F1 − hard F1| for $delta = 10^(-1) … 10^(-6)$",
        comparison="soft vs hard counts at {0, 1} and tight gaps vs δP(1 − ε), δN(1 − ε): "
                   "budget (twice) the sum budget; uniform case: |gap| ≤ bound + sum budget; "
                   "rate: slope of log gap vs log δ (with a δ correction term), 99% interval "
                   "must contain 1; " + _ROUNDING,
        parameters={"cases": SS4_CASES, "size": SS4_SIZE, "seed": SS4_SEED,
                    "tight_offset": SS4_TIGHT_OFFSET, "rate_deltas": SS4_RATE_DELTAS},
        measure=_measure_ss4, fits=(_ss4_rate,),
        checks=(_symbolic("SS4"), _ss4_bounds, _ss4_rate_series), domain=_domain_sample),
    statistical_claim(
        id="SS5", title="Bernoulli($h$) predictions: $EE[\"TP\"] = \"TP\"_s$, $\"sd\"(\"F1\") "
                        "prop n^(-1\\/2)$",
        provenance="D", source=SOURCE,
        statement="hat(y)_i tilde \"Bernoulli\"(H(p_i)) arrow.r.double "
                  "EE[\"TP\"] = \"TP\"_s, quad F_1(hat(y)) arrow.r F_(1,s) "
                  "\" in probability,\" quad \"sd\"(F_1(hat(y))) prop n^(-1/2)",
        theory="theory.soft_sets.soft_counts and soft_f1 ($\"TP\"_s$ and $\"F1\"_s$)",
        experiment=f"a base sample of {SS5_BASE} scores (i + ½)/{SS5_BASE} with labels "
                   f"Bernoulli($p_i$), replicated k = 1 … 256 times (n = 40 … 10 240); "
                   f"{SS5_REPEATS} independent Bernoulli($H(p_i)$) prediction vectors per n; "
                   "τ = ½, δ = 0.2; every stream keyed under the base seed (FLOWCERT_SEED)",
        comparison="mean TP within ±z Monte Carlo standard errors of $\"TP\"_s$ at every n; "
                   "log sd(F1) and log RMS(F1 − $\"F1\"_s$) fitted against log n with a 1/n term, "
                   "weighted by their standard errors ½·sd(v)/(√R·mean v); the slope interval "
                   "±z·se must contain −½; z from a false-alarm rate 1e-6 split over the 11 "
                   "tests (Bonferroni, normal approximation of the Monte Carlo means); null "
                   "models: predictions drawn as Bernoulli($p_i$), and base predictions shared "
                   "by all k copies",
        parameters={"base": SS5_BASE, "replications": SS5_REPLICATIONS,
                    "repeats": SS5_REPEATS, "tau": SS5_TAU, "delta": SS5_DELTA,
                    "false_alarm": SS5_FALSE_ALARM},
        observe=_observe_ss5, check=_check_ss5,
        null_models=(
            NullModel("Bernoulli(p) predictions",
                      "the predictions drawn with the raw scores $p_i$ as probabilities instead "
                      "of the memberships $H(p_i)$: $EE[\"TP\"] = sum_i y_i p_i != \"TP\"_s$",
                      partial(_observe_ss5, probabilities="p")),
            NullModel("predictions shared by the copies",
                      "one Bernoulli($H(p_i)$) draw of the 40 base predictions per repetition, "
                      "replicated k times: $EE[\"TP\"] = \"TP\"_s$ still, but F1 does not "
                      "concentrate",
                      partial(_observe_ss5, shared=True))),
        domain=_domain_seed),
    statistical_claim(
        id="SS6", title="Soft-F1 training beats cross-entropy in held-out hard F1 (on average)",
        provenance="P, direction only", source=SOURCE,
        statement="EE[F_1^(tau = 1/2)(theta_(\"soft\")) - F_1^(tau = 1/2)(theta_(\"CE\"))] > 0 "
                  "\" (held out)\", quad dot(theta) = -nabla (1 - 1/9 sum_(tau in {0.1, ..., "
                  "0.9}) F_(1,s)^tau)",
        theory="direction only: on average over draws of the data, soft-F1 training reaches a "
               "higher held-out hard F1 at τ = ½ than cross-entropy training",
        experiment=f"{SS6_SETUP['draws']} independent draws (streams of the base seed) of 2-d "
                   "Gaussian blobs: 40 positives at distance 2 from 360 negatives for "
                   "training, and a held-out set of the same law and 10 times the size; "
                   "logistic model p = σ(Xw + b) from w = b = 0; gradient flow to t = 300 "
                   "of 1 − mean soft F1 over τ = 0.1 … 0.9 (δ = 0.2; H as the "
                   "piecewise-linear map through theory's knots and values) and of the mean "
                   "cross-entropy, all draws integrated together (SciPy RK23, rtol 1e-4)",
        comparison="paired held-out hard-F1 differences soft − CE: one-sided t-test of mean "
                   "> 0 at false-alarm 1e-6 (Student t, draws − 1 d.o.f.); mean gap, its "
                   "standard error and the win fraction reported (the win fraction is not the "
                   "verdict); null model: cross-entropy vs cross-entropy on an independent "
                   "training sample",
        parameters=SS6_SETUP | {"thresholds": SS6_THRESHOLDS, "false_alarm": SS6_FALSE_ALARM},
        observe=_observe_ss6, check=_check_ss6,
        null_models=(NullModel(
            "cross-entropy vs cross-entropy",
            "cross-entropy training on an independent training sample of the same blobs "
            "against cross-entropy training on the draw's own: two identical procedures, "
            "evaluated on the same held-out sets", _observe_ss6_null),),
        domain=_domain_seed),
)
