"""Derived expressions pinned as golden values (regression of derivations).

Each theory module lists its derived expressions in ``DERIVATIONS`` with fixed rational
points inside the formula's domain. :mod:`reports.golden` evaluates them to 50 digits and
compares by value with the stored file, so a derivation that silently changed is caught
while a change in SymPy's printing is not mistaken for one.
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp


@dataclass(frozen=True)
class Derivation:
    """A derived expression of claim ``claim_id`` and the rational points to pin it at."""

    name: str
    claim_id: str
    expression: sp.Expr
    points: tuple[dict, ...]

    def value_at(self, point: dict, digits: int) -> sp.Float:
        """The expression at ``point`` (symbol name → rational string), to ``digits`` digits."""
        symbols = {s.name: s for s in self.expression.free_symbols}
        missing = set(symbols) - set(point)
        if missing:
            raise ValueError(f"{self.name}: point {point} leaves {sorted(missing)} unset")
        substitution = {symbols[name]: sp.Rational(value) for name, value in point.items()
                        if name in symbols}
        value = sp.N(self.expression.subs(substitution), digits)
        if not value.is_real:
            raise ValueError(f"{self.name}: not a real number at {point}: {value}")
        return value


def all_derivations() -> list[Derivation]:
    """Every pinned derivation of every theory module, in a stable order."""
    from flowcert.theory import (
        classification,
        confusion,
        conservation,
        curvature,
        deep_linear,
        diagonal,
        soft_sets,
        splines,
        stability,
        starvation,
    )

    modules = (deep_linear, diagonal, starvation, classification, splines, curvature,
               stability, confusion, conservation, soft_sets)
    return [d for module in modules for d in module.DERIVATIONS]
