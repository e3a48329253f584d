"""The tutorial claim under pytest, through flowcert's plugin (loaded automatically)."""

from pathlib import Path

from hypothesis import given, settings

from flowcert.testing import assert_claim, claim_domain

CLAIMS = str(Path(__file__).with_name("one_neuron.py"))


def test_one_neuron_claim_holds():
    assert_claim("ONE1", claims=CLAIMS)


@settings(max_examples=5, deadline=None)
@given(case=claim_domain("ONE1", claims=CLAIMS))
def test_the_domain_draws_valid_cases(case):
    assert 0.5 <= case["x1"] <= 2
