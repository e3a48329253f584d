"""Certificates: closed-form values (Arb balls) against a validated enclosure.

Method. At every output time (and every named crossing) the closed form's ball C and the
enclosure's ball E of the same quantity are compared:

* disjoint (C ∩ E = ∅): the closed form is **refuted** — E contains the exact solution and C
  the exact closed-form value, so they differ by at least the separation
  |mid E − mid C| − rad E − rad C > 0, which the evidence reports with the time;
* intersecting, and the wider of the two balls has relative radius ≤ ``threshold``: agreement
  to that many digits at that point;
* intersecting but wider than that: the point decides nothing.

Any refuted point makes the certificate "refuted"; otherwise any undecided point (or a crossing
that is not certified once) makes it "inconclusive"; otherwise it is "certified".

:data:`INCONCLUSIVE_RELATIVE_RADIUS` = 1e-6 is a policy choice: agreement of the closed form
within balls of relative radius > 1e-6 would not separate it from a perturbation of a part in
a million, coarser than what the float64 checks of the suite already resolve (~1e-12), so
such an "agreement" proves little. Enclosures at ≥ 53 bits are normally far tighter.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Literal

from flint import arb

from flowcert.numerics.ball_expressions import relative_radius, upper_float, working_precision
from flowcert.numerics.validated import Enclosure

INCONCLUSIVE_RELATIVE_RADIUS = 1e-6

Status = Literal["certified", "refuted", "inconclusive"]
ClosedForm = Sequence[arb] | Callable[[arb], arb]
#: One comparison: where (e.g. "t = 0.5"), the enclosure's ball, the closed form's ball.
Pair = tuple[str, arb, arb]


@dataclass
class Certificate:
    """Outcome of :func:`certify`: status, the enclosure's precision and widths, evidence.

    ``max_radius`` / ``max_relative_radius`` are the largest radius and radius/|midpoint| of
    the compared enclosure balls (floats rounded up; ∞ if a midpoint is 0); ``points`` is
    the number of comparisons.
    """

    status: Status
    precision_bits: int
    max_radius: float
    max_relative_radius: float
    points: int
    evidence: list[str] = field(default_factory=list)

    def to_json(self) -> dict:
        """A JSON-ready dict; a non-finite radius is written as the string "inf"."""
        data = asdict(self)
        for key in ("max_radius", "max_relative_radius"):
            if not math.isfinite(data[key]):
                data[key] = "inf"
        return data


def combine(certificates: Sequence[Certificate]) -> Certificate:
    """One certificate for several (e.g. one per case): refuted if any is, else inconclusive
    if any is, else certified; the widest radii, all points, every evidence line."""
    if not certificates:
        raise ValueError("nothing to combine")
    statuses = {c.status for c in certificates}
    status: Status = next(s for s in ("refuted", "inconclusive", "certified") if s in statuses)
    return Certificate(status, min(c.precision_bits for c in certificates),
                       max(c.max_radius for c in certificates),
                       max(c.max_relative_radius for c in certificates),
                       sum(c.points for c in certificates),
                       [line for c in certificates for line in c.evidence])


def certify(enclosure: Enclosure, closed_form: ClosedForm, *,
            observable: Callable[[Sequence[arb]], arb] | int = 0,
            crossings: Mapping[str, arb | Callable[[], arb]] | None = None,
            threshold: float = INCONCLUSIVE_RELATIVE_RADIUS) -> Certificate:
    """Compare a closed form with ``enclosure`` at every output time and named crossing.

    ``closed_form``: one ball per output time, or a function of the time (an exact ball)
    returning a ball; it is called at the enclosure's precision. ``observable`` maps the
    state balls to the compared quantity (an int selects a component). ``crossings`` maps
    an event name of the enclosure to the closed-form crossing time (ball, or a function
    returning one); it must have exactly one certified crossing. Closed-form values must be
    ``flint.arb`` balls: a rounded number would pretend to be exact.
    """
    select = (lambda state: state[observable]) if isinstance(observable, int) else observable
    with working_precision(enclosure.precision_bits):
        pairs = [(f"t = {float(t):.6g}", select(state), value) for t, state, value in zip(
            enclosure.times, enclosure.states, _values(closed_form, enclosure), strict=True)]
        evidence = []
        for name, expected in (crossings or {}).items():
            found = enclosure.events.get(name)
            if found is None:
                raise ValueError(f"the enclosure has no event named {name!r}")
            value = _ball(expected() if callable(expected) else expected, f"crossing {name}")
            if len(found) != 1 or not found[0].certified:
                evidence.append(f"crossing {name}: {len(found)} enclosed, "
                                f"{sum(c.certified for c in found)} certified (need exactly one)")
                continue
            pairs.append((f"crossing {name}", found[0].time, value))
        return decide(pairs, enclosure.precision_bits, evidence=evidence, threshold=threshold)


def _values(closed_form: ClosedForm, enclosure: Enclosure) -> list[arb]:
    if callable(closed_form):
        return [_ball(closed_form(arb(t)), f"closed form at t = {float(t):.6g}")
                for t in enclosure.times]
    if len(closed_form) != len(enclosure.times):
        raise ValueError(f"{len(closed_form)} closed-form values for "
                         f"{len(enclosure.times)} output times")
    return [_ball(v, "closed form") for v in closed_form]


def _ball(value, name: str) -> arb:
    if not isinstance(value, arb):
        raise ValueError(f"{name} must be a flint.arb ball, got {type(value).__name__}")
    return value


def decide(pairs: Sequence[Pair], bits: int, *, evidence: Sequence[str] = (),
           threshold: float = INCONCLUSIVE_RELATIVE_RADIUS) -> Certificate:
    """The certificate of ``pairs`` (where, enclosed ball, closed-form ball), by the rule of
    the module doc; ``evidence``: lines on what could not be compared (each makes the
    certificate inconclusive unless a pair refutes). :func:`certify` builds its pairs from
    one observable; callers comparing several quantities build their own and decide here."""
    if not threshold > 0:
        raise ValueError(f"threshold must be positive, got {threshold!r}")
    if not pairs and not evidence:
        raise ValueError("nothing to decide: no pairs and no evidence")
    evidence = list(evidence)
    refuted, undecided = [], []
    radius = relative = 0.0
    for where, enclosed, expected in pairs:
        radius = max(radius, upper_float(enclosed.rad()))
        width = relative_radius(enclosed)
        relative = max(relative, width)
        if not enclosed.overlaps(expected):
            gap = abs(enclosed.mid() - expected.mid()) - enclosed.rad() - expected.rad()
            refuted.append(f"{where}: closed form {expected.str(12, radius=False)} lies outside "
                           f"the enclosure {enclosed.str(12, radius=False)} ± "
                           f"{upper_float(enclosed.rad()):.3g}; separation ≥ "
                           f"{float(gap.lower()):.3g}")
            continue
        decisive = max(width, relative_radius(expected))
        if decisive > threshold:
            undecided.append(f"{where}: balls intersect but relative radius {decisive:.3g} > "
                             f"{threshold:.3g}")
    if refuted:
        status: Status = "refuted"
        evidence = _first(refuted, len(pairs)) + evidence
    elif undecided or evidence:
        status = "inconclusive"
        evidence = _first(undecided, len(pairs)) + evidence
    else:
        status = "certified"
        evidence = [f"{len(pairs)} points: every closed-form ball meets the enclosure; largest "
                    f"relative radius {relative:.3g} ≤ {threshold:.3g}"]
    return Certificate(status, bits, radius, relative, len(pairs), evidence)




#: Points of a refuted or undecided certificate quoted in its evidence (the rest counted).
QUOTED_POINTS = 3


def _first(lines: list[str], total: int) -> list[str]:
    """The first QUOTED_POINTS lines, and how many more of the ``total`` points there are."""
    more = len(lines) - QUOTED_POINTS
    return lines[:QUOTED_POINTS] + ([f"… and {more} more of the {total} points"]
                                    if more > 0 else [])
