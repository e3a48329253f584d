"""Error budgets: where every tolerance of an EXACT comparison comes from.

An integration of n steps whose local error per step is at most ε (relative) has a global
error of at most n·ε·A, where A bounds how much the flow amplifies an earlier error (the
claim states its A and why). ε is DOP853's rtol (2.5e-14) at 53 bits and heyoka's Taylor
tolerance, the unit roundoff 2^(1−bits), above that. Theory is evaluated with 32 guard bits,
so its own rounding is negligible in this budget.
"""

from __future__ import annotations

import mpmath

from flowcert.numerics.integrate import DOP853_RTOL
from flowcert.numerics.precision import FLOAT64_BITS, unit_roundoff

THEORY_GUARD_BITS = 32


def local_error(bits: int) -> float:
    """ε: per-step relative error target of the engine used at ``bits``."""
    return DOP853_RTOL if bits == FLOAT64_BITS else unit_roundoff(bits)


def trajectory_tolerance(bits: int, steps: int, amplification: float) -> float:
    """n·ε·A, the global relative error budget of an ``steps``-step integration."""
    return max(steps, 1) * local_error(bits) * amplification


def theory_precision(bits: int) -> mpmath.workprec:
    """Context in which to evaluate theory for a comparison at ``bits``."""
    return mpmath.workprec(bits + THEORY_GUARD_BITS)
