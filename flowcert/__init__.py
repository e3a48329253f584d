"""flowcert: check closed-form claims about neural-network learning dynamics.

The stable API (names are imported on first use, so ``import flowcert`` is instant):

Declaring claims — :mod:`flowcert.claims.builders`, :mod:`flowcert.claims.trajectory`
    ``trajectory_claim`` (a SymPy loss, initial state and closed form → an EXACT claim),
    ``exact_claim`` (any ladder comparison: a ``measure(bits, series)`` filling a
    ``Comparison``), ``qualitative_claim`` / ``statistical_claim`` (``observe`` + ``check`` +
    ``NullModel`` s), ``Finding``, ``CrossingTime``, ``Comparison``, ``ClaimClass``.
Building experiments — :mod:`flowcert.numerics`
    ``gradient_flow`` (a loss's flow by automatic differentiation), ``Crossing``,
    ``integrate`` (SciPy DOP853 at 53 bits, heyoka's Taylor method in MPFR above),
    ``trajectory_tolerance`` (the n·ε·A budget), ``fit_rate`` (a rate with its 99 % interval).
Running them — ``get_claim(id, sources)``, ``Source`` (a ``--claims`` file or module),
    ``run_claims``; ``Outcome`` is what a check returns.
Testing — :mod:`flowcert.testing` (a pytest plugin: ``assert_claim``, the ``flowcert_outcome``
    fixture, ``claim_domain`` for hypothesis).
"""

from __future__ import annotations

import importlib
from importlib import metadata

try:
    __version__ = metadata.version("flowcert")
except metadata.PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
    __version__ = "0+unknown"

_API = {
    "Claim": "flowcert.claims.base", "ClaimClass": "flowcert.claims.base",
    "Outcome": "flowcert.claims.base", "PrecisionRun": "flowcert.claims.base",
    "RateFit": "flowcert.claims.base",
    "Comparison": "flowcert.claims.comparison",
    "exact_claim": "flowcert.claims.builders", "qualitative_claim": "flowcert.claims.builders",
    "statistical_claim": "flowcert.claims.builders", "Finding": "flowcert.claims.builders",
    "NullModel": "flowcert.claims.builders",
    "ClaimDefinitionError": "flowcert.claims.builders",
    "trajectory_claim": "flowcert.claims.trajectory",
    "CrossingTime": "flowcert.claims.trajectory",
    "fit_rate": "flowcert.claims.rates",
    "trajectory_tolerance": "flowcert.claims.tolerances",
    "theory_precision": "flowcert.claims.tolerances",
    "Source": "flowcert.claims.registry", "get_claim": "flowcert.claims.registry",
    "ClaimSourceError": "flowcert.claims.registry",
    "gradient_flow": "flowcert.numerics.flows", "Crossing": "flowcert.numerics.flows",
    "integrate": "flowcert.numerics.integrate",
    "run_claims": "flowcert.reports.runner",
}
__all__ = sorted(_API) + ["__version__"]


def __getattr__(name: str):
    if name in _API:
        return getattr(importlib.import_module(_API[name]), name)
    raise AttributeError(f"module 'flowcert' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
