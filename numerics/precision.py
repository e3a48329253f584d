"""Precision ladder and conversions between mpmath, heyoka ``real`` and float64.

A precision is a number of significand bits: 53 is IEEE float64, anything larger is an
MPFR number of that many bits (heyoka ``real``). Values cross the boundary of the
package as ``float`` (53 bits) or ``mpmath.mpf`` (more bits).
"""

from __future__ import annotations

import math
from collections.abc import Iterable

import heyoka as hy
import mpmath
import numpy as np

FLOAT64_BITS = 53
MIN_BITS = 53
MAX_BITS = 4096


def check_bits(bits: int) -> int:
    """Return ``bits`` if it is a supported precision, else raise ValueError."""
    if isinstance(bits, bool) or not isinstance(bits, int | np.integer):
        raise ValueError(f"precision must be an integer number of bits, got {bits!r}")
    if not MIN_BITS <= bits <= MAX_BITS:
        raise ValueError(f"precision must be between {MIN_BITS} and {MAX_BITS} bits, got {bits}")
    return int(bits)


def unit_roundoff(bits: int) -> float:
    """u = 2^(1-bits): the spacing of numbers near 1 at this precision."""
    return math.ldexp(1.0, 1 - check_bits(bits))


def decimal_digits(bits: int) -> int:
    """Decimal digits that round-trip a ``bits``-bit binary number."""
    return math.ceil(bits * math.log10(2)) + 3


def to_real(value, bits: int) -> hy.real:
    """Convert a float, int, str or mpf to a heyoka ``real`` of ``bits`` bits.

    Floats are converted exactly (a binary double is representable at ≥ 53 bits; going
    through its shortest decimal repr would change it, e.g. 0.1). Strings and ints are
    parsed as decimals; mpf values go through a decimal string with enough digits to
    round-trip.
    """
    if isinstance(value, float | np.floating):
        return hy.real(float(value), bits)
    if isinstance(value, mpmath.mpf):
        text = mpmath.libmp.to_str(value._mpf_, decimal_digits(bits))
    else:
        text = str(value)
    return hy.real(text, bits)


def to_mpf(value, bits: int) -> mpmath.mpf:
    """Convert a heyoka ``real`` (or float) to an mpmath number carrying ``bits`` bits."""
    with mpmath.workprec(bits + 8):
        return mpmath.mpf(str(value))


def real_array(values: Iterable, bits: int) -> np.ndarray:
    """A NumPy array of heyoka ``real`` numbers."""
    return np.array([to_real(v, bits) for v in values])


def mpf_array(values: Iterable, bits: int) -> np.ndarray:
    """A NumPy object array of mpmath numbers."""
    return np.array([to_mpf(v, bits) for v in values], dtype=object)


def is_finite(value) -> bool:
    """True when ``value`` (float or mpf) is a finite number."""
    if isinstance(value, mpmath.mpf):
        return bool(mpmath.isfinite(value))
    return math.isfinite(float(value))
