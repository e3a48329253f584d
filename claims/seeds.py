"""The Monte Carlo base seed: ``$FLOWCERT_SEED``, or :data:`DEFAULT_SEED`.

Every randomised claim derives all its draws from this one number (e.g. through
``numerics.monte_carlo.generator(base_seed(), claim_id, …)``), so a run is reproducible and
another base seed is an independent repetition. The runner records the seed in the results
file and sends it with every task, so each executor draws the same numbers.
"""

from __future__ import annotations

import os

DEFAULT_SEED = 20240601
SEED_VARIABLE = "FLOWCERT_SEED"


def base_seed() -> int:
    """The base seed: ``$FLOWCERT_SEED`` if set (a non-negative integer), else DEFAULT_SEED."""
    text = os.environ.get(SEED_VARIABLE, "").strip()
    if not text:
        return DEFAULT_SEED
    if not text.isdigit():
        raise ValueError(f"{SEED_VARIABLE} must be a non-negative integer, got {text!r}")
    return int(text)
