"""Certificates of KR1 and KR6 (claims.diagonal_certificates).

Default run (64 bits, cheaper than the other certificate tests' 113 because the 10- and
18-dimensional enclosures cost ~10 s of CPU each there): KR1 on two of its three cases
(D = 2, 3: both forms of h_D) and KR6 on a 1 × 2 instance (state 8) certify, and the theory's
h_D × (1 + 1e-9) is refuted by the same network enclosures (cached per process; only the
reduced ODE is enclosed again). Measured on the shared 2-core machine: ~8 s of CPU. Behind
``slow``: the certifiers as the claims run them (all three KR1 cases, KR6's 2 × 3 instance)
at 256 bits — relative radius ≤ 1e-60 and h_D × (1 + 1e-30) refuted — and the CLI.

Radius bound at 64 bits: 1e-10 ≈ 2·10^9 units of 2^-64 ≈ 5.4e-20 (the DL tests allow 10^10
units at 113 bits); measured ≤ 1.1e-14 (KR1 at D = 4, the longest flow), so the bound is far
from the measured widths yet ten times below the 1e-9 perturbation the refutations resolve.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp

from flowcert.claims import diagonal_certificates as certificates
from flowcert.claims.diagonal import KR1_CASES
from flowcert.claims.registry import get_claim
from flowcert.theory import diagonal

BITS = 64
RADIUS_64 = 1e-10
#: The acceptance criterion of issue 16 at 256 bits.
RADIUS_256 = 1e-60
#: KR1's default cases: D = 2 (2 sinh) and D = 3 (the power form).
KR1_DEFAULT = KR1_CASES[:2]
#: KR1: 2 cases × 10 times (t > 0) × (4 β + 2 R); KR6 on 1 × 2: 6 times × 2 × 2 W_ii pairs.
POINTS = {"KR1": 120, "KR6": 24}
SMALL_SHAPE = (1, 2)


def _perturb(monkeypatch: pytest.MonkeyPatch, relative: sp.Rational) -> None:
    """h_D × (1 + relative): both the closed form and the reduced ODE read it."""
    original = diagonal.h_expression
    monkeypatch.setattr(diagonal, "h_expression",
                        lambda depth=2, variable=diagonal.s: original(depth, variable)
                        * (1 + relative))


def _default(claim_id: str, bits: int = BITS):
    if claim_id == "KR1":
        return certificates.certify_kr1(bits, KR1_DEFAULT)
    return certificates.certify_kr6(bits, SMALL_SHAPE)


@pytest.mark.parametrize("claim_id", ("KR1", "KR6"))
def test_certified_at_64_bits(claim_id):
    certificate = _default(claim_id)
    assert certificate.status == "certified", certificate.evidence
    assert certificate.precision_bits == BITS
    assert certificate.points == POINTS[claim_id]
    assert certificate.max_relative_radius <= RADIUS_64


@pytest.mark.parametrize("claim_id", ("KR1", "KR6"))
def test_h_perturbed_by_1e_9_is_refuted(monkeypatch, claim_id):
    _perturb(monkeypatch, sp.Rational(1, 10**9))
    certificate = _default(claim_id)
    assert certificate.status == "refuted", certificate.evidence
    assert certificate.evidence[0].startswith(claim_id)
    assert "separation ≥" in certificate.evidence[0]


def test_kr1_refutation_names_the_first_state_and_quantity(monkeypatch):
    """At t = 0.2 (the first grid time > 0) β₀ = α²·2 sinh(·) is already off by ≈ 1e-9·|β₀|."""
    _perturb(monkeypatch, sp.Rational(1, 10**9))
    first = certificates.certify_kr1(BITS, KR1_DEFAULT[:1]).evidence[0]
    assert first.startswith("KR1 (D = 2, alpha = 0.5), β, t = 0.2, β_0: closed form")


def test_kr6_off_diagonal_entries_are_enclosed_around_zero():
    certificate = _default("KR6")
    assert certificate.evidence[-1].startswith("off-diagonal W_ij: every enclosure contains 0")


# ----------------------------------------------------------------------------- slow


@pytest.mark.slow
@pytest.mark.parametrize("claim_id", ("KR1", "KR6"))
def test_certified_at_256_bits_and_1e_30_refuted(monkeypatch, claim_id):
    certificate = get_claim(claim_id).certify(256)
    assert certificate.status == "certified", certificate.evidence
    assert certificate.max_relative_radius <= RADIUS_256
    _perturb(monkeypatch, sp.Rational(1, 10**30))
    perturbed = get_claim(claim_id).certify(256)
    assert perturbed.status == "refuted", perturbed.evidence


@pytest.mark.slow
def test_cli_check_kr6_certify_json():
    flowcert = shutil.which("flowcert") or str(Path(sys.executable).with_name("flowcert"))
    result = subprocess.run([flowcert, "check", "KR6", "--certify", "--json", "--workers", "1",
                             "--quiet"], capture_output=True, text=True, timeout=900,
                            check=False)
    assert result.returncode == 0, result.stderr
    (claim,) = json.loads(result.stdout)["claims"]
    assert claim["verdict"] == "pass"
    certificate = claim["certificate"]
    assert certificate["status"] == "certified" and certificate["precision_bits"] == 256
    assert certificate["max_relative_radius"] <= RADIUS_256
