"""All claims by id, in catalogue order."""

from __future__ import annotations

from flowcert.claims import (
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
from flowcert.claims.base import Claim

FAMILIES = (deep_linear, diagonal, starvation, classification, splines, curvature, stability,
            confusion, conservation, soft_sets)
CLAIMS: dict[str, Claim] = {claim.id: claim for module in FAMILIES for claim in module.CLAIMS}


class UnknownClaimError(ValueError):
    """A claim id that is not in the catalogue."""


def get_claim(claim_id: str) -> Claim:
    """The claim with this id (case-insensitive); UnknownClaimError lists the known ids."""
    key = claim_id.strip().upper()
    if key not in CLAIMS:
        raise UnknownClaimError(f"unknown claim id {claim_id!r}; known ids: "
                                f"{', '.join(CLAIMS)}")
    return CLAIMS[key]
