"""Parameter sweeps split between the default run and the ``slow`` one."""

from __future__ import annotations

from collections.abc import Sequence

import pytest


def sweep(cases: Sequence, default: Sequence[int]) -> list:
    """``cases`` as pytest parameters: those at the ``default`` indices run by default (one
    per regime a case list exists to cover), the others are marked ``slow``."""
    if not set(default) <= set(range(len(cases))):
        raise ValueError(f"default indices {default} outside the {len(cases)} cases")
    return [case if index in default else pytest.param(*_values(case), marks=pytest.mark.slow)
            for index, case in enumerate(cases)]


def _values(case) -> tuple:
    return tuple(case) if isinstance(case, tuple) else (case,)
