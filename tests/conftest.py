"""Hypothesis profiles shared by the whole suite.

* ``default`` — 25 examples, no deadline (the first example of a test may compile an
  integrator; later ones reuse it, so wall-clock deadlines would only measure compilation).
* ``ci`` — the same examples, derandomized; loaded automatically when ``CI`` is set.
* ``thorough`` — 300 examples; select with ``HYPOTHESIS_PROFILE=thorough``.

An explicit ``HYPOTHESIS_PROFILE`` always wins over ``CI``.
"""

from __future__ import annotations

import os

import pytest
from hypothesis import settings

DEFAULT_EXAMPLES = 25

# derandomize is spelled out: with CI set, Hypothesis' own built-in "ci" profile is the parent
# of profiles registered here and would otherwise leak derandomize=True into them.
settings.register_profile("default", max_examples=DEFAULT_EXAMPLES, deadline=None,
                          derandomize=False)
settings.register_profile("ci", max_examples=DEFAULT_EXAMPLES, deadline=None, derandomize=True)
settings.register_profile("thorough", max_examples=300, deadline=None, derandomize=False)


def _profile_name() -> str:
    if os.environ.get("HYPOTHESIS_PROFILE"):
        return os.environ["HYPOTHESIS_PROFILE"]
    return "ci" if os.environ.get("CI") else "default"


settings.load_profile(_profile_name())


@pytest.fixture(scope="session")
def claim_outcome(flowcert_outcome):
    """claim_outcome(claim_id, precisions): the claim's Outcome, computed once per session
    (flowcert's own pytest fixture, ``flowcert_outcome``).

    Tests that replace a theory function (negative controls) call ``claim.run`` directly,
    so nothing they compute enters this cache.
    """
    return flowcert_outcome
