"""flowcert's disk cache: pickled results that are expensive to recompute.

Two kinds of entries live under ``$FLOWCERT_CACHE`` (default ``~/.cache/flowcert``;
``FLOWCERT_CACHE=off`` disables the cache): SymPy derivations (folder named by a hash of
the theory sources, see :mod:`flowcert.theory.cache`) and compiled heyoka integrators and
functions (folder named by the heyoka version and the machine, keyed by the expressions,
see :mod:`flowcert.numerics.integrate`). An entry is only ever used for the exact inputs its
key hashes; a damaged or unreadable entry is ignored and recomputed, and an unwritable cache
only costs the recomputation.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import pickle
import tempfile
from pathlib import Path

CACHE_VARIABLE = "FLOWCERT_CACHE"


def cache_root() -> Path | None:
    """The cache folder, or None when ``FLOWCERT_CACHE`` is off/0/none."""
    setting = os.environ.get(CACHE_VARIABLE, "").strip()
    if setting.lower() in ("off", "0", "none"):
        return None
    return Path(setting).expanduser() if setting else Path.home() / ".cache" / "flowcert"


def digest(*parts: object) -> str:
    """A short stable hash of the parts' text."""
    hasher = hashlib.sha256()
    for part in parts:
        hasher.update(str(part).encode() + b"\0")
    return hasher.hexdigest()[:24]


def load(folder: str, name: str):
    """The entry ``folder/name``, or None if absent, unreadable or the cache is off."""
    root = cache_root()
    if root is None:
        return None
    path = root / folder / f"{name}.pickle"
    try:
        return pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError,
            ValueError, TypeError):
        return None


def store(folder: str, name: str, value) -> None:
    """Pickle ``value`` to ``folder/name`` atomically (silently skipped if impossible)."""
    root = cache_root()
    if root is None:
        return
    path = root / folder / f"{name}.pickle"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            pickle.dump(value, handle)
        os.replace(handle.name, path)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(handle.name)
