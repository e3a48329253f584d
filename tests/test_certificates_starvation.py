"""Certificates of GS1 and GS6 (claims.starvation_certificates) and
claims.certification.reduced_field.

Default run (64 bits): the certifier certifies GS1, the same network enclosures (cached per
process) with the theory's ż × (1 + 1e-9) refute it, and the exact instance is what the
module says. Measured on the shared 2-core machine: ~5 s of CPU for the certificate (six
enclosures; ~12 s at 113 bits), ~1 s more for the perturbed theory's own ż-ODE enclosures.
Behind ``slow``: the 256-bit acceptance (relative radius ≤ 1e-60) with ż × (1 + 1e-30)
refuted there, and the CLI. GS6 (three 2-dimensional flows, ~1 s at 64 bits): certified,
SINGLE_MODE_RESPONSE × (1 + 1e-9) refuted; at 256 bits (~9 s) behind ``slow``.

Radius bound at 64 bits: 1e-10 ≈ 2·10^9 units of 2^-64 ≈ 5.4e-20 (the DL tests allow 10^10
units at 113 bits); measured ≤ 8.5e-12 (SD's ż₁ at t = 10, a value ≈ 1e-5 from the
cancellation of O(1) terms; 2e-26 at 113 bits), so a wrapping effect 10 times worse would
still pass, and the bound stays ten times below the 1e-9 perturbation refuted here.
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

from flowcert.claims import starvation_certificates as certificates
from flowcert.claims.certification import reduced_field
from flowcert.claims.registry import get_claim
from flowcert.numerics.ball_expressions import working_precision
from flowcert.numerics.validated import enclose
from flowcert.theory import starvation

BITS = 64
RADIUS_64 = 1e-10
#: The acceptance criterion of issue 16 at 256 bits.
RADIUS_256 = 1e-60
#: 2 regularisers × 2 V × 7 times × (2 velocity components + 2 trajectory components).
POINTS = 112
PERTURBATION = sp.Rational(1, 10**9)


def _perturb(monkeypatch: pytest.MonkeyPatch, relative: sp.Rational) -> None:
    """The theory's toy ż × (1 + ``relative``) (read by the velocity identity and the
    reduced ODE alike)."""
    original = starvation._toy_response_velocity
    monkeypatch.setattr(starvation, "_toy_response_velocity",
                        lambda regulariser: original(regulariser) * (1 + relative))


def test_gs1_certified_at_64_bits():
    certificate = get_claim("GS1").certify(BITS)
    assert certificate.status == "certified", certificate.evidence
    assert certificate.precision_bits == BITS
    assert certificate.points == POINTS
    assert certificate.max_relative_radius <= RADIUS_64


def test_gs1_perturbed_response_velocity_is_refuted_at_the_first_state(monkeypatch):
    """ż × (1 + 1e-9): at θ = 0 the velocity identity already misses, by ≈ 1e-9·ż₁(0)
    (ż₁(0) = η s₁²(c + δ)/2 = 4.41 exactly for weight decay)."""
    _perturb(monkeypatch, PERTURBATION)
    certificate = get_claim("GS1").certify(BITS)
    assert certificate.status == "refuted", certificate.evidence
    first = certificate.evidence[0]
    assert first.startswith("GS1 weight_decay, V1, velocity, t = 0, ż_1: closed form")
    separation = float(first.rsplit("separation ≥ ", 1)[1])
    assert 4.4e-9 < separation <= 4.41e-9
    # the perturbed ODE's own trajectory is refuted as well (t > 0: it moves z)
    trajectory = certificates._trajectory_pairs(
        certificates._network_enclosure("weight_decay", 0, BITS),
        certificates._reduced_enclosure(
            tuple(starvation._toy_response_velocity("weight_decay")), BITS), 0, "z")
    assert any(not enclosed.overlaps(expected) for _, enclosed, expected in trajectory)


def test_gs1_instance_is_exact():
    """c² + δ² = 1, VᵀV = I in exact rationals, so Φ = YUSVᵀ has YΦ = USVᵀ with U
    orthogonal, as GS1's set-up requires; θ(0) = 0 gives z(0) = 0 exactly."""
    assert certificates.GS1_COSINE**2 + certificates.GS1_DELTA**2 == 1
    for v in certificates.GS1_V:
        gram = v.T @ v
        assert all(gram[i, j] == (1 if i == j else 0) for i in range(2) for j in range(2))
        assert all(isinstance(x, fmpq) for x in v.ravel())
    rotation = certificates._rotation()
    product = rotation.T @ rotation
    assert all(product[i, j] == (1 if i == j else 0) for i in range(2) for j in range(2))


def test_reduced_field_keeps_inexact_numbers_exact():
    """1/3 and 1 + 1e-9 are no doubles: lifted to runtime parameters with their exact
    values, so ẋ = x/3 encloses e^{1/3}; an exponent 1/3 is refused."""
    x, k = sp.symbols("x k")
    field, constants = reduced_field("test:third", [k * x / 3], [x], [k])
    assert constants == [fmpq(1, 3)] and field.n_params == 2
    enclosure = enclose(field, [1], [1], [1, *constants], 128)
    with working_precision(128):
        assert enclosure.states[0][0].overlaps(arb(fmpq(1, 3)).exp())
        assert float(enclosure.states[0][0].rad()) < 1e-35
    same, _ = reduced_field("test:third", [k * x / 3], [x], [k])
    other, _ = reduced_field("test:third", [k * x / 3 * (1 + PERTURBATION)], [x], [k])
    assert same.key == field.key != other.key
    with pytest.raises(ValueError, match="exponent"):
        reduced_field("test:cube-root", [x ** sp.Rational(1, 3)], [x], [])


def test_gs1_trajectories_of_both_v_meet_one_reduced_enclosure():
    """V-independence: the two V's z(t) and the reduced ODE's z(t) pairwise intersect."""
    reduced = certificates._reduced_enclosure(
        tuple(starvation._toy_response_velocity("spectral_decoupling")), BITS)
    curves = [[certificates._responses(v, state) for state in
               certificates._network_enclosure("spectral_decoupling", v, BITS).states]
              for v in range(2)]
    with working_precision(BITS):
        for first, second, expected in zip(*curves, reduced.states, strict=True):
            for a, b, c in zip(first, second, expected, strict=True):
                assert a.overlaps(b) and a.overlaps(c)


def _perturb_gs6(monkeypatch: pytest.MonkeyPatch, relative: sp.Rational) -> None:
    monkeypatch.setattr(starvation, "SINGLE_MODE_RESPONSE",
                        starvation.SINGLE_MODE_RESPONSE * (1 + relative))


def test_gs6_certified_and_perturbed_response_refuted(monkeypatch):
    """3 cases × 8 grid times t > 0; z × (1 + 1e-9) misses at the first of them."""
    certificate = get_claim("GS6").certify(BITS)
    assert certificate.status == "certified", certificate.evidence
    assert certificate.points == 24
    assert certificate.max_relative_radius <= RADIUS_64
    _perturb_gs6(monkeypatch, PERTURBATION)
    refuted = get_claim("GS6").certify(BITS)
    assert refuted.status == "refuted", refuted.evidence
    assert refuted.evidence[0].startswith("GS6 (s = 1.7, z0 = 0, eta = 0.8), z, t = ")


# ----------------------------------------------------------------------------- slow


@pytest.mark.slow
def test_gs6_certified_at_256_bits_and_1e_30_refuted(monkeypatch):
    certificate = get_claim("GS6").certify(256)
    assert certificate.status == "certified", certificate.evidence
    assert certificate.max_relative_radius <= RADIUS_256
    _perturb_gs6(monkeypatch, sp.Rational(1, 10**30))
    assert get_claim("GS6").certify(256).status == "refuted"


@pytest.mark.slow
def test_gs1_certified_at_256_bits_and_1e_30_refuted(monkeypatch):
    certificate = get_claim("GS1").certify(256)
    assert certificate.status == "certified", certificate.evidence
    assert certificate.max_relative_radius <= RADIUS_256
    _perturb(monkeypatch, sp.Rational(1, 10**30))
    perturbed = get_claim("GS1").certify(256)
    assert perturbed.status == "refuted", perturbed.evidence


@pytest.mark.slow
def test_cli_check_gs1_certify_json():
    flowcert = shutil.which("flowcert") or str(Path(sys.executable).with_name("flowcert"))
    result = subprocess.run([flowcert, "check", "GS1", "--certify", "--json", "--workers", "1",
                             "--quiet"], capture_output=True, text=True, timeout=900,
                            check=False)
    assert result.returncode == 0, result.stderr
    (claim,) = json.loads(result.stdout)["claims"]
    assert claim["verdict"] == "pass"
    certificate = claim["certificate"]
    assert certificate["status"] == "certified" and certificate["precision_bits"] == 256
    assert certificate["max_relative_radius"] <= RADIUS_256
