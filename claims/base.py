"""What a claim is and what checking it produces."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from enum import StrEnum


class ClaimClass(StrEnum):
    """How a claim is checked (THEORY.md, "Classes")."""

    EXACT = "EXACT"
    ASYMPTOTIC = "ASYMPTOTIC"
    STATISTICAL = "STATISTICAL"
    QUALITATIVE = "QUALITATIVE"


@dataclass
class PrecisionRun:
    """One comparison of theory and numerics at one precision.

    ``max_rel_error`` is compared with ``tolerance``; how each claim scales its errors is
    stated in the claim's ``comparison`` text.
    """

    precision_bits: int
    max_abs_error: float
    max_rel_error: float
    tolerance: float
    steps: int | None = None

    @property
    def passed(self) -> bool:
        return math.isfinite(self.max_rel_error) and self.max_rel_error <= self.tolerance


@dataclass
class RateFit:
    """A least-squares slope of log(error) against log(parameter) with its interval."""

    name: str
    parameter: str
    slope: float
    low: float
    high: float
    predicted: float
    x: list[float]
    y: list[float]
    fitted_points: int
    model: str

    @property
    def passed(self) -> bool:
        return self.low <= self.predicted <= self.high


@dataclass
class Outcome:
    """The result of checking one claim: verdict, evidence and the data a figure needs."""

    claim_id: str
    passed: bool
    runs: list[PrecisionRun] = field(default_factory=list)
    fits: list[RateFit] = field(default_factory=list)
    evidence: list[str] = field(default_factory=list)
    series: dict[str, dict] = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def verdict(self) -> str:
        return "pass" if self.passed else "fail"

    def to_json(self) -> dict:
        """The JSON form documented in the README (schema ``flowcert-results/1``)."""
        return {
            "id": self.claim_id,
            "verdict": self.verdict,
            "runs": [asdict(r) | {"passed": bool(r.passed)} for r in self.runs],
            "fits": [asdict(f) | {"passed": bool(f.passed)} for f in self.fits],
            "evidence": self.evidence,
            "seconds": round(self.seconds, 3),
        }


@dataclass(frozen=True)
class Claim:
    """One entry of the catalogue.

    ``run(precisions)`` performs the experiment and the comparison; ``domain()`` returns a
    hypothesis strategy over the claim's parameters (used by the property tests).
    ``statement`` is typst math markup for the report.
    """

    id: str
    family: str
    title: str
    claim_class: str
    provenance: str
    source: str
    statement: str
    theory: str
    experiment: str
    comparison: str
    parameters: dict
    run: Callable[[tuple[int, ...]], Outcome]
    domain: Callable[[], object]
