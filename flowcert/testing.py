"""pytest integration (a plugin, loaded through the ``pytest11`` entry point ``flowcert``).

In a test file::

    from flowcert.testing import assert_claim

    def test_my_claim():
        assert_claim("MY1", claims="my_claims.py")     # fails with the claim's evidence

or with the session-scoped fixture, which runs each (claim, precisions) once per session::

    def test_my_claim_passes(flowcert_outcome):
        assert flowcert_outcome("MY1").passed

(the fixture loads the sources given by ``--flowcert-claims FILE|MODULE`` on the pytest
command line or ``flowcert_claims = ...`` in the ini file). For property tests,
``claim_domain("MY1", claims=...)`` is the claim's hypothesis strategy over its parameters.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # pragma: no cover - typing only
    from flowcert.claims.base import Claim, Outcome

#: The default ladder of a test: float64 and one MPFR rung (the 256-bit rung is `flowcert
#: report`'s); an error that does not shrink from 53 to 113 bits already fails.
TEST_PRECISIONS = (53, 113)


def _sources(claims: str | Sequence[str]) -> tuple:
    from flowcert.claims.registry import Source
    specs = [claims] if isinstance(claims, str) else list(claims)
    return tuple(Source.parse(spec) for spec in specs)


def get_test_claim(claim: str | Claim, claims: str | Sequence[str] = ()) -> Claim:
    """The claim itself, or the claim with this id among the built-in, installed and
    ``claims`` sources (files or module names)."""
    from flowcert.claims.base import Claim
    from flowcert.claims.registry import get_claim
    return claim if isinstance(claim, Claim) else get_claim(claim, _sources(claims))


def assert_claim(claim: str | Claim, precisions: Sequence[int] = TEST_PRECISIONS, *,
                 claims: str | Sequence[str] = ()) -> Outcome:
    """Run the claim (an experiment that raises is a failure) and return its Outcome;
    AssertionError with every evidence line when it fails."""
    from flowcert.reports.executors import run_claim
    chosen = get_test_claim(claim, claims)
    outcome = run_claim(chosen, tuple(precisions))
    if not outcome.passed:
        raise AssertionError(f"claim {chosen.id} fails:\n  " + "\n  ".join(outcome.evidence))
    return outcome


def claim_domain(claim: str | Claim, claims: str | Sequence[str] = ()):
    """The claim's hypothesis strategy over its parameters (ValueError if it has none)."""
    chosen = get_test_claim(claim, claims)
    if chosen.domain is None:
        raise ValueError(f"claim {chosen.id} declares no parameter domain")
    return chosen.domain()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("flowcert")
    group.addoption("--flowcert-claims", action="append", default=[], metavar="SOURCE",
                    help="claim file or module the flowcert_outcome fixture loads "
                         "(repeatable)")
    parser.addini("flowcert_claims", type="linelist", default=[],
                  help="claim files or modules the flowcert_outcome fixture loads")


def _from_root(config: pytest.Config, spec: str) -> str:
    """An ini file's claim file is relative to the rootdir (a module name is kept)."""
    path = config.rootpath / spec
    return str(path) if spec.endswith(".py") or path.is_file() else spec


@pytest.fixture(scope="session")
def flowcert_outcome(pytestconfig: pytest.Config):
    """flowcert_outcome(claim_id, precisions=(53, 113)) → Outcome, computed once per session.

    Claims come from the built-in and installed sources plus ``--flowcert-claims`` /
    the ``flowcert_claims`` ini option. The outcome is returned whether it passed or not.
    """
    from flowcert.reports.executors import run_claim
    specs = [_from_root(pytestconfig, spec) for spec in pytestconfig.getini("flowcert_claims")]
    specs += pytestconfig.getoption("flowcert_claims")
    cache: dict[tuple, Outcome] = {}

    def outcome(claim_id: str, precisions: Sequence[int] = TEST_PRECISIONS) -> Outcome:
        key = (claim_id.upper(), tuple(precisions))
        if key not in cache:
            cache[key] = run_claim(get_test_claim(claim_id, specs), key[1])
        return cache[key]

    return outcome
