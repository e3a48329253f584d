"""Observed against predicted values at one precision: errors, and the perturbation they detect.

An EXACT check compares numbers the numerics observed with numbers the theory predicted,
each relative to a scale (the prediction itself unless stated). Keeping the pairs, rather
than only the largest error, lets the same check be re-judged with every prediction
multiplied by 1 + ε — the perturbation test of the Sharpness rule — and gives the smallest
ε the check rejects, exactly:

with d_i = o_i − p_i and t_i = tolerance·|s_i|, the perturbed error |d_i − ε p_i| first
exceeds t_i at ε = (t_i + sgn(p_i)·d_i)/|p_i| (factor 1 + ε) or (t_i − sgn(p_i)·d_i)/|p_i|
(factor 1 − ε); the run detects ε when some i does, in both directions.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING

import mpmath

if TYPE_CHECKING:  # pragma: no cover - typing only
    from flowcert.claims.base import PrecisionRun

#: Guard bits of every error computation (as the theory's own evaluation, see tolerances).
GUARD_BITS = 32


class Comparison:
    """Pairs (observed, predicted, scale) collected at ``bits`` bits of precision.

    Values are floats or mpmath numbers; errors are computed in mpmath at ``bits`` + 32 bits
    when any value of a pair is an mpmath number, else in float arithmetic.
    """

    def __init__(self, bits: int):
        self.bits = int(bits)
        self.observed: list = []
        self.predicted: list = []
        self.scales: list = []

    def __len__(self) -> int:
        return len(self.observed)

    def add(self, observed, predicted, scale=None) -> None:
        """One pair; ``scale`` defaults to |predicted| (give it when predicted may be 0)."""
        self.observed.append(observed)
        self.predicted.append(predicted)
        self.scales.append(abs(predicted) if scale is None else abs(scale))

    def extend(self, observed: Iterable, predicted: Iterable, scales: Iterable | None = None
               ) -> None:
        """Many pairs, zipped strictly; ``scales`` default to |predicted| each."""
        observed, predicted = list(observed), list(predicted)
        scales = [None] * len(predicted) if scales is None else list(scales)
        if not len(observed) == len(predicted) == len(scales):
            raise ValueError(f"{len(observed)} observed, {len(predicted)} predicted and "
                             f"{len(scales)} scales: the lengths must agree")
        for o, p, s in zip(observed, predicted, scales, strict=True):
            self.add(o, p, s)

    def errors(self, perturbation: float = 0.0) -> tuple[float, float]:
        """(max |o − (1+ε)p|, max |o − (1+ε)p|/s) as floats; a non-finite error (or 0/0)
        counts as infinite, so it can never pass."""
        absolute = relative = 0.0
        with mpmath.workprec(self.bits + GUARD_BITS):
            factor = 1 + mpmath.mpf(perturbation) if perturbation else 1
            for o, p, s in zip(self.observed, self.predicted, self.scales, strict=True):
                gap = abs(o - p * factor) if perturbation else abs(o - p)
                absolute = max(absolute, _finite_or_inf(gap))
                relative = max(relative, _ratio(gap, s))
        return absolute, relative

    def detectable_perturbation(self, tolerance: float) -> float | None:
        """Smallest ε > 0 such that predictions × (1 + ε) and × (1 − ε) both exceed
        ``tolerance`` somewhere (see the module doc); 0.0 when the unperturbed comparison
        already fails, None when every prediction is zero."""
        up = down = math.inf
        with mpmath.workprec(self.bits + GUARD_BITS):
            for o, p, s in zip(self.observed, self.predicted, self.scales, strict=True):
                size = abs(mpmath.mpf(p))
                if size == 0:
                    continue
                allowed = mpmath.mpf(tolerance) * abs(mpmath.mpf(s))
                gap = mpmath.mpf(o) - mpmath.mpf(p)
                if not mpmath.isfinite(gap) or abs(gap) > allowed:
                    return 0.0
                signed = gap if p > 0 else -gap
                up = min(up, float((allowed + signed) / size))
                down = min(down, float((allowed - signed) / size))
        if math.isinf(up) and math.isinf(down):
            return None
        return max(up, down)

    def run(self, tolerance: float, steps: int | None = None) -> PrecisionRun:
        """The :class:`~flowcert.claims.base.PrecisionRun` of this comparison."""
        from flowcert.claims.base import PrecisionRun
        absolute, relative = self.errors()
        return PrecisionRun(self.bits, absolute, relative, float(tolerance), steps, self)


def _finite_or_inf(value) -> float:
    number = float(value)
    return number if math.isfinite(number) else math.inf


def _ratio(gap, scale) -> float:
    """|gap|/|scale| as a float; 0/0 and anything non-finite count as infinite."""
    if scale == 0:
        return 0.0 if gap == 0 else math.inf
    return _finite_or_inf(abs(gap) / abs(scale))
