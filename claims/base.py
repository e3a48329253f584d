"""What a claim is and what checking it produces.

A :class:`Claim` is a catalogue entry: its mathematics (statement, theory), its experiment,
how the two are compared, and a ``run`` that performs the check. Claims are normally made by
the builders of :mod:`flowcert.claims.builders`, which add the precision ladder, the error
budget, the null models and the perturbation test; ``run`` may also be written by hand.

Checking a claim produces an :class:`Outcome`: the verdict, the evidence (sentences with
numbers), one :class:`PrecisionRun` per precision for EXACT comparisons, fitted rates, the
verdicts of the claim's null models, and the arrays a figure needs.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover - typing only
    from flowcert.claims.comparison import Comparison


class ClaimClass(StrEnum):
    """How a claim is checked.

    EXACT: the gap to an independent computation shrinks with the precision. ASYMPTOTIC: the
    gap follows a predicted rate. STATISTICAL: Monte Carlo within standard-error bounds.
    QUALITATIVE: a sign, an ordering, a count.
    """

    EXACT = "EXACT"
    ASYMPTOTIC = "ASYMPTOTIC"
    STATISTICAL = "STATISTICAL"
    QUALITATIVE = "QUALITATIVE"


@dataclass
class PrecisionRun:
    """One comparison of theory and numerics at one precision.

    ``max_rel_error`` is compared with ``tolerance``; how each claim scales its errors is
    stated in the claim's ``comparison`` text. ``comparison`` (not serialised) keeps the
    observed and predicted values, from which ``detects`` — the smallest relative
    perturbation of the closed form that this run would reject — is computed.
    """

    precision_bits: int
    max_abs_error: float
    max_rel_error: float
    tolerance: float
    steps: int | None = None
    comparison: Comparison | None = field(default=None, repr=False, compare=False)

    @property
    def passed(self) -> bool:
        return math.isfinite(self.max_rel_error) and self.max_rel_error <= self.tolerance

    @property
    def detects(self) -> float | None:
        """Smallest ε such that predictions × (1 ± ε) both fail this run's budget (None: the
        run recorded no comparison, or every prediction is zero)."""
        if self.comparison is None:
            return None
        return self.comparison.detectable_perturbation(self.tolerance)

    def perturbed(self, epsilon: float) -> PrecisionRun:
        """The same run with every prediction multiplied by 1 + ε (needs a comparison)."""
        if self.comparison is None:
            raise ValueError("this run recorded no comparison to perturb")
        absolute, relative = self.comparison.errors(epsilon)
        return PrecisionRun(self.precision_bits, absolute, relative, self.tolerance, self.steps,
                            self.comparison)

    def to_json(self) -> dict:
        entry = {k: v for k, v in asdict(self).items() if k != "comparison"}
        return entry | {"passed": bool(self.passed), "detects": self.detects}


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

    @property
    def resolution(self) -> float:
        """The smallest error in the predicted exponent this fit rejects: a predicted slope
        further than this from the fitted one falls outside the interval."""
        return max(self.high - self.slope, self.slope - self.low)

    def to_json(self) -> dict:
        return asdict(self) | {"passed": bool(self.passed), "resolution": self.resolution}


@dataclass
class NullModelResult:
    """The claim's check run on a null model (the effect removed); ``passed`` should be
    False — a null model that passes makes the check vacuous."""

    name: str
    description: str
    passed: bool
    evidence: list[str] = field(default_factory=list)

    @property
    def verdict(self) -> str:
        return "pass" if self.passed else "fail"

    def to_json(self) -> dict:
        return {"name": self.name, "description": self.description, "verdict": self.verdict,
                "evidence": self.evidence}


@dataclass
class Sharpness:
    """The perturbation test of an EXACT comparison: the ladder re-judged with every
    prediction multiplied by 1 + ``perturbation`` must fail."""

    perturbation: float
    perturbed_passed: bool
    evidence: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        return {"perturbation": self.perturbation,
                "perturbed_verdict": "pass" if self.perturbed_passed else "fail",
                "evidence": self.evidence}


#: Words an evidence line uses when a criterion is not met: a tolerance exceeded, a bound
#: violated, a criterion answered "NO"/"NOT", a vacuous or raising check, a null model or a
#: perturbed closed form that passes, a refuted certificate.
_ALARM = re.compile(r"EXCEEDED|VIOLATED|\bNOT?\b|MISMATCH|did not shrink|vacuous|raised"
                    r"|PASSES|REFUTED|fails:|no growth|could not")


def failing_line(evidence: Sequence[str]) -> str:
    """The evidence line that says why a claim failed: the first alarming one, else the last."""
    lines = list(evidence) or ["no evidence recorded"]
    return next((line for line in lines if _ALARM.search(line)), lines[-1])


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
    null_models: list[NullModelResult] = field(default_factory=list)
    sharpness: Sharpness | None = None
    certificate: dict | None = None

    @property
    def verdict(self) -> str:
        return "pass" if self.passed else "fail"

    def to_json(self) -> dict:
        """The JSON form documented in the README (schema ``flowcert-results/1``)."""
        document = {
            "id": self.claim_id,
            "verdict": self.verdict,
            "runs": [r.to_json() for r in self.runs],
            "fits": [f.to_json() for f in self.fits],
            "null_models": [n.to_json() for n in self.null_models],
            "sharpness": None if self.sharpness is None else self.sharpness.to_json(),
            "evidence": self.evidence,
            "seconds": round(self.seconds, 3),
        }
        if self.certificate is not None:
            document["certificate"] = self.certificate
        return document


@dataclass(frozen=True)
class Claim:
    """One entry of the catalogue.

    ``run(precisions)`` performs the experiment and the comparison; ``domain()`` returns a
    hypothesis strategy over the claim's parameters (used by property tests).
    ``statement`` is typst math markup (the report typesets it between ``$ … $``; see the
    README's "Writing a claim" for the syntax). ``null_models`` names the claim's negative
    controls (their verdicts come back in the Outcome); ``figures`` are optional callables
    ``Outcome -> matplotlib Figure | None`` drawn on the claim's report page, besides the
    standard ones; ``derivations`` are SymPy expressions pinned as golden values;
    ``certify(bits)`` returns a :class:`~flowcert.numerics.certificate.Certificate`: the closed
    form against a validated (ball-arithmetic) enclosure of the network's flow.
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
    domain: Callable[[], object] | None = None
    null_models: tuple[str, ...] = ()
    figures: tuple[Callable, ...] = ()
    derivations: Callable[[], Sequence] | None = None
    certify: Callable[[int], object] | None = None
