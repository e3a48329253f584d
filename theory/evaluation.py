"""Shared helpers for turning derived expressions into numeric evaluators.

Evaluators accept floats or mpmath numbers. mpmath inputs are evaluated at the current
mpmath precision and returned as mpf; float inputs are evaluated at 53 + 40 bits in mpmath
and rounded once to float, so no float cancellation reaches the result.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import mpmath
import sympy as sp

FLOAT_GUARD_BITS = 40


def uses_mpmath(*values) -> bool:
    """True when any argument is an mpmath number."""
    return any(isinstance(v, mpmath.mpf | mpmath.mpc) for v in values)


def require_finite(**values) -> None:
    """ValueError naming the first argument that is not a finite real number."""
    for name, value in values.items():
        try:
            finite = mpmath.isfinite(mpmath.mpf(value))
        except (TypeError, ValueError):
            finite = False
        if not finite:
            raise ValueError(f"{name} must be a finite real number, got {value!r}")


def require_positive(**values) -> None:
    """ValueError naming the first argument that is not a finite number > 0."""
    require_finite(**values)
    for name, value in values.items():
        if not value > 0:
            raise ValueError(f"{name} must be > 0, got {value!r}")


def evaluator(expression: sp.Expr, symbols: tuple[sp.Symbol, ...]) -> Callable:
    """A function of ``symbols`` evaluating ``expression`` as described in the module doc
    (compiled by ``lambdify`` on its first call, so importing a theory stays cheap)."""
    compiled = functools.cache(lambda: sp.lambdify(symbols, expression, modules="mpmath"))

    def evaluate(*args):
        if uses_mpmath(*args):
            return compiled()(*[mpmath.mpf(a) for a in args])
        with mpmath.workprec(53 + FLOAT_GUARD_BITS):
            value = compiled()(*[mpmath.mpf(a) for a in args])
        result = float(mpmath.re(value))
        if not math.isfinite(result):
            raise ValueError(f"no finite value for arguments {args}")
        return result

    return evaluate
