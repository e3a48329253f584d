"""Certificates of CL1, CL2, CL3, CL8 (claims.classification_certificates) and
claims.certification.closed_form_root.

Default run (64 bits; measured on the shared 2-core machine, ~4 s of CPU for the four
certifiers against ~12 s at 113 bits, the perturbed runs reusing their cached enclosures):
every certifier certifies its claim and the same enclosures refute the theory's closed form
× (1 + 1e-9); the hinge enclosures end at the stop. Behind ``slow``: the 256-bit acceptance
(relative radius ≤ 1e-60) with the closed form × (1 + 1e-30) refuted there, and the CLI.

Radius bound at 64 bits: 1e-10 ≈ 2·10^9 units of 2^-64 ≈ 5.4e-20 (the DL tests allow 10^10
units at 113 bits); measured ≤ 7.4e-16 (CL1), so a wrapping effect 10^5 times worse would
still pass, while the bound stays ten times below the 1e-9 perturbation refuted here.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import sympy as sp
from flint import arb, fmpq

from flowcert.claims import classification_certificates as certificates
from flowcert.claims.certification import closed_form_root
from flowcert.claims.classification import CL3_CASES
from flowcert.claims.registry import get_claim
from flowcert.numerics.ball_expressions import working_precision
from flowcert.theory import classification

CERTIFIED_IDS = ("CL1", "CL2", "CL3", "CL8")
BITS = 64
RADIUS_64 = 1e-10
#: The acceptance criterion of issue 16 at 256 bits.
RADIUS_256 = 1e-60
#: CL1: 3 cross-entropy cases × 13 times × 2 quantities, hinge cases 2 and 4 grid times
#: before their stops (≈ 0.71 and 1.60) × 2; CL2: 4 + 4 + 4 levels above u0; CL3: the grid
#: times before each stop (6, 4, 4, 5) and 4 stops; CL8: L = 2, 3 × (9 velocities + 1 stop).
POINTS = {"CL1": 90, "CL2": 12, "CL3": 23, "CL8": 20}
PERTURBATION = sp.Rational(1, 10**9)
#: The theory expression each certifier reads, perturbed (CL8: its velocity law; its hinge
#: clock separately below).
PERTURBED = {"CL1": "MARGIN_VELOCITY", "CL2": "CROSS_ENTROPY_CLOCK", "CL3": "HINGE_MARGIN"}


@pytest.mark.parametrize("claim_id", CERTIFIED_IDS)
def test_certified_at_64_bits(claim_id):
    certificate = get_claim(claim_id).certify(BITS)
    assert certificate.status == "certified", certificate.evidence
    assert certificate.precision_bits == BITS
    assert certificate.points == POINTS[claim_id]
    assert certificate.max_relative_radius <= RADIUS_64


def _perturb(monkeypatch: pytest.MonkeyPatch, claim_id: str, relative: sp.Rational) -> None:
    """Multiply the theory expression CLk's certifier reads by 1 + ``relative``."""
    if claim_id == "CL8":
        original = classification._chain_velocity
        monkeypatch.setattr(classification, "_chain_velocity",
                            lambda: original() * (1 + relative))
    else:
        name = PERTURBED[claim_id]
        monkeypatch.setattr(classification, name,
                            getattr(classification, name) * (1 + relative))


@pytest.mark.parametrize("claim_id", CERTIFIED_IDS)
def test_closed_form_perturbed_by_1e_9_is_refuted(monkeypatch, claim_id):
    _perturb(monkeypatch, claim_id, PERTURBATION)
    certificate = get_claim(claim_id).certify(BITS)
    assert certificate.status == "refuted", certificate.evidence
    assert certificate.evidence[0].startswith(claim_id)
    assert "separation ≥" in certificate.evidence[0]


def test_cl2_refutation_names_the_crossing_and_its_separation(monkeypatch):
    """A clock × (1 + 1e-9) moves the time of u = 0.5 (≈ 4.19 at r = 1, u0 = 0.01) by
    ≈ 4.19e-9, far outside both balls (radii ~1e-16)."""
    monkeypatch.setattr(classification, "CROSS_ENTROPY_CLOCK",
                        classification.CROSS_ENTROPY_CLOCK * (1 + PERTURBATION))
    first = get_claim("CL2").certify(BITS).evidence[0]
    assert first.startswith("CL2 (r = 1, u0 = 0.01, label = 1), crossing u = 0.5: closed form")
    assert 4.1e-9 < float(first.rsplit("separation ≥ ", 1)[1]) <= 4.2e-9


def test_cl8_perturbed_hinge_clock_refutes_the_stop_times(monkeypatch):
    original = classification._chain_hinge_clock
    monkeypatch.setattr(classification, "_chain_hinge_clock",
                        lambda: original() * (1 + PERTURBATION))
    certificate = get_claim("CL8").certify(BITS)
    assert certificate.status == "refuted"
    assert [line.split(":")[0] for line in certificate.evidence] == [
        "CL8 L = 2, hinge, crossing stop", "CL8 L = 3, hinge, crossing stop"]


def test_hinge_enclosures_end_at_the_stop():
    """CL3's branch enclosures report only grid times before the certified stop, one step
    past which they end (the branch, not the network, continues beyond it)."""
    for case in CL3_CASES:
        enclosure = certificates._cl3_enclosure(case["r"], case["a0"], case["b0"], BITS)
        (stop,) = enclosure.events["stop"]
        assert stop.certified and stop.direction == 1
        assert 0 < len(enclosure.times) < 9
        assert all(arb(t) < stop.time for t in enclosure.times)


def test_closed_form_root_proves_a_single_root_or_declines():
    x, a = sp.symbols("x a")
    with working_precision(128):
        root = closed_form_root(x**2 - a, x, {a: arb(2)}, fmpq(1), fmpq(2))
        assert root is not None and root.overlaps(arb(2).sqrt()) and float(root.rad()) < 1e-35
        # no sign change on [2, 3]; f′ = 2x spans 0 on [−1, 2] (two roots possible there)
        assert closed_form_root(x**2 - a, x, {a: arb(2)}, fmpq(2), fmpq(3)) is None
        assert closed_form_root(x**2 - a, x, {a: arb(2)}, fmpq(-1), fmpq(2)) is None


# ----------------------------------------------------------------------------- slow


@pytest.mark.slow
@pytest.mark.parametrize("claim_id", CERTIFIED_IDS)
def test_certified_at_256_bits_and_1e_30_refuted(monkeypatch, claim_id):
    certificate = get_claim(claim_id).certify(256)
    assert certificate.status == "certified", certificate.evidence
    assert certificate.max_relative_radius <= RADIUS_256
    _perturb(monkeypatch, claim_id, sp.Rational(1, 10**30))
    perturbed = get_claim(claim_id).certify(256)
    assert perturbed.status == "refuted", perturbed.evidence


@pytest.mark.slow
def test_cli_check_cl3_certify_json():
    flowcert = shutil.which("flowcert") or str(Path(sys.executable).with_name("flowcert"))
    result = subprocess.run([flowcert, "check", "CL3", "--certify", "--json", "--workers", "1",
                             "--quiet"], capture_output=True, text=True, timeout=900,
                            check=False)
    assert result.returncode == 0, result.stderr
    (claim,) = json.loads(result.stdout)["claims"]
    assert claim["verdict"] == "pass"
    certificate = claim["certificate"]
    assert certificate["status"] == "certified" and certificate["precision_bits"] == 256
    assert certificate["max_relative_radius"] <= RADIUS_256
