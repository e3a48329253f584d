"""Certificates of DL1, DL2, DL4, DL5, DL6 (claims.deep_linear_certificates) and the shared
helpers of claims.certification.

Default run (113 bits; ~13 s of CPU for the certifiers, ~3 s for DL1's ladder twice, measured
on the shared 2-core machine): every certifier certifies its claim, the same
enclosures refute the theory's closed form × (1 + 1e-9) (enclosures are cached per process,
so these reuse them), and certification leaves the ladder's verdict alone. Behind ``slow``:
the 256-bit acceptance (relative radius ≤ 1e-60) and the CLI's ``--certify --json``.

Radius bound at 113 bits: 1e-24 = 10^10 units of 2^-113 ≈ 9.6e-35; measured ≤ 2e-29 (DL6,
whose identity is evaluated through fractional matrix powers at the enclosed box), so a
wrapping effect 10^5 times worse than today's would still pass, one that loses a third of
the digits would not.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy as sp
from flint import arb, fmpq

from flowcert.claims import certification
from flowcert.claims import deep_linear_certificates as certificates
from flowcert.claims.registry import get_claim
from flowcert.numerics.ball_expressions import working_precision
from flowcert.numerics.certificate import decide
from flowcert.numerics.deep_linear import DeepLinearNetwork, balancedness
from flowcert.numerics.flows import Crossing
from flowcert.numerics.validated import enclose
from flowcert.reports.executors import run_claim
from flowcert.theory import deep_linear

CERTIFIED_IDS = ("DL1", "DL2", "DL4", "DL5", "DL6")
BITS = 113
RADIUS_113 = 1e-24
#: The acceptance criterion of issue 16 at 256 bits.
RADIUS_256 = 1e-60
#: Points per claim: DL1 5 cases × 41 times + 8 crossings (u = s/2 only where u0 < s/2);
#: DL2 and DL4 3 cases × 3 levels; DL5 8 times × 6 conserved entries; DL6 5 times × 4 entries.
POINTS = {"DL1": 213, "DL2": 9, "DL4": 9, "DL5": 48, "DL6": 20}
PERTURBATION = sp.Rational(1, 10**9)


def _perturb(monkeypatch: pytest.MonkeyPatch, claim_id: str) -> None:
    """Multiply the theory expression DLk's certifier reads by 1 + 1e-9."""
    if claim_id == "DL6":
        original = deep_linear.end_to_end_velocity_2x2
        monkeypatch.setattr(deep_linear, "end_to_end_velocity_2x2",
                            lambda depth: original(depth) * (1 + PERTURBATION))
        return
    name = {"DL1": "MODE_STRENGTH", "DL2": "UNBALANCED_ANTIDERIVATIVE",
            "DL4": "CHAIN_ANTIDERIVATIVE", "DL5": "CONSERVED_BALANCE"}[claim_id]
    monkeypatch.setattr(deep_linear, name, getattr(deep_linear, name) * (1 + PERTURBATION))


# ----------------------------------------------------------------------------- the claims


@pytest.mark.parametrize("claim_id", CERTIFIED_IDS)
def test_certified_at_113_bits(claim_id):
    certificate = get_claim(claim_id).certify(BITS)
    assert certificate.status == "certified", certificate.evidence
    assert certificate.precision_bits == BITS
    assert certificate.points == POINTS[claim_id]
    assert certificate.max_relative_radius <= RADIUS_113


@pytest.mark.parametrize("claim_id", CERTIFIED_IDS)
def test_closed_form_perturbed_by_1e_9_is_refuted(monkeypatch, claim_id):
    _perturb(monkeypatch, claim_id)
    certificate = get_claim(claim_id).certify(BITS)
    assert certificate.status == "refuted", certificate.evidence
    assert "separation ≥" in certificate.evidence[0]
    assert certificate.evidence[0].startswith(claim_id)


def test_dl1_refutation_names_the_case_time_and_separation(monkeypatch):
    _perturb(monkeypatch, "DL1")
    first = get_claim("DL1").certify(BITS).evidence[0]
    # u(0) = u0 exactly, so the perturbed closed form misses already at t = 0, by ≈ 1e-9·u0
    assert first.startswith("DL1 (s = 1, u0 = 0.01, tau = 1), t = 0: closed form")
    separation = float(first.rsplit("separation ≥ ", 1)[1])
    assert 0.9e-11 < separation <= 1e-11


def test_certification_leaves_the_ladder_verdict_alone():
    claim = get_claim("DL1")
    plain = claim.run((53, BITS))
    certified = run_claim(claim, (53, BITS), certify=True)
    assert plain.passed and certified.passed
    assert [r.to_json() for r in certified.runs] == [r.to_json() for r in plain.runs]
    assert certified.evidence[:len(plain.evidence)] == plain.evidence
    assert certified.evidence[-1].startswith(f"certificate at {BITS} bits: CERTIFIED (213 points")
    assert certified.certificate["status"] == "certified"


def test_dl6_initial_weights_are_exactly_balanced():
    """The DL6 identity holds for exactly balanced weights: W₂ᵀW₂ = W₁W₁ᵀ etc. in fmpq."""
    network, weights, _ = certificates._dl6_setup()
    assert all(isinstance(w, fmpq) for w in weights)
    for matrix in balancedness(network.unpack(np.array(weights, dtype=object))):
        assert all(x == 0 for x in matrix.ravel())


# ----------------------------------------------------------------------------- helpers

SCALAR = DeepLinearNetwork((1, 1, 1))


def _product(variables):
    return variables[0] * variables[1]


def test_enclose_until_crossed_stops_at_the_first_horizon_past_every_level():
    """u from 0.01 to s = 1 crosses 1/2 at ln(99)/2 ≈ 2.30: of 16/8, 16/4, … the first past it
    is 4; a level above s is never crossed, so the enclosure runs to the full horizon."""
    params = SCALAR.flow_parameters(np.array([["1"]]), "1")
    start = ["0.1", "0.1"]
    half = certification.enclose_until_crossed(
        SCALAR.vector_field, start, params, 64, [Crossing("half", _product, "0.5")], 16)
    assert half.times == [fmpq(4)] and len(half.events["half"]) == 1
    never = certification.enclose_until_crossed(
        SCALAR.vector_field, start, params, 64, [Crossing("above", _product, "2")], 2)
    assert never.times == [fmpq(2)] and never.events["above"] == []
    pairs, missing = certification.crossing_pairs(never, {"above": arb(1)}, "case")
    assert pairs == [] and missing == ["case, crossing above: 0 enclosed, 0 certified "
                                       "(need exactly one)"]
    assert decide(pairs, 64, evidence=missing).status == "inconclusive"


def test_state_pairs_label_case_time_and_quantity():
    enclosure = enclose(SCALAR.vector_field, ["0.1", "0.1"],
                        certification.rational_grid("0.5", 2),
                        SCALAR.flow_parameters(np.array([["1"]]), "1"), 64)
    pairs = certification.state_pairs(enclosure, lambda x: [x[0], x[1]],
                                      lambda t, x: [x[0], x[1]], "case", ["w1", "w2"])
    assert [p[0] for p in pairs] == ["case, t = 0, w1", "case, t = 0, w2",
                                     "case, t = 0.5, w1", "case, t = 0.5, w2"]
    assert decide(pairs, 64).status == "certified"


def test_evaluate_encloses_a_sympy_closed_form_and_names_missing_symbols():
    x, y = sp.symbols("x y", positive=True)
    with working_precision(128):
        value = certification.evaluate(sp.hyper([1, 2], [3], x / 2) + y,
                                       {x: arb(1), y: arb(fmpq(1, 3))})
        # ₂F₁(1, 2; 3; z) = −2(z + log(1 − z))/z² at z = 1/2: 8 log 2 − 4, plus 1/3
        assert value.overlaps(8 * arb(2).log() - 4 + arb(fmpq(1, 3)))
        assert float(value.rad()) < 1e-35
    with pytest.raises(ValueError, match=r"no value for \['y'\]"):
        certification.evaluate(x + y, {x: arb(1)})


# ----------------------------------------------------------------------------- slow


@pytest.mark.slow
@pytest.mark.parametrize("claim_id", CERTIFIED_IDS)
def test_certified_at_256_bits_within_the_acceptance_radius(claim_id):
    certificate = get_claim(claim_id).certify(256)
    assert certificate.status == "certified", certificate.evidence
    assert certificate.max_relative_radius <= RADIUS_256


@pytest.mark.slow
def test_cli_check_dl1_certify_json():
    flowcert = shutil.which("flowcert") or str(Path(sys.executable).with_name("flowcert"))
    result = subprocess.run([flowcert, "check", "DL1", "--certify", "--json", "--workers", "1",
                             "--quiet"], capture_output=True, text=True, timeout=600,
                            check=False)
    assert result.returncode == 0, result.stderr
    (claim,) = json.loads(result.stdout)["claims"]
    assert claim["verdict"] == "pass"
    certificate = claim["certificate"]
    assert certificate["status"] == "certified" and certificate["precision_bits"] == 256
    assert certificate["max_relative_radius"] <= RADIUS_256
