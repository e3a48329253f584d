"""Derivations computed on first use and cached, in memory and on disk.

Nothing symbolic runs when a theory module is imported: a derivation is a function decorated
with :func:`derived`, computed the first time it is asked for. Its result is kept in memory
and pickled under ``$FLOWCERT_CACHE`` (default ``~/.cache/flowcert``) in a folder named by a
hash of every theory source file and the SymPy version — so another process reuses it, and
any edit of the theory (or a SymPy upgrade) makes every derivation be computed afresh.
``FLOWCERT_CACHE=off`` disables the disk cache.
"""

from __future__ import annotations

import functools
import hashlib
import os
import pickle
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

CACHE_VARIABLE = "FLOWCERT_CACHE"
_THEORY = Path(__file__).resolve().parent
T = TypeVar("T")


@functools.cache
def _source_key() -> str:
    """Hash of the theory sources and the SymPy version (the cache folder's name)."""
    from importlib import metadata
    digest = hashlib.sha256(metadata.version("sympy").encode())
    for path in sorted(_THEORY.glob("*.py")):
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def cache_directory() -> Path | None:
    """The folder of this theory version's cached derivations (None: disk cache off)."""
    setting = os.environ.get(CACHE_VARIABLE, "").strip()
    if setting.lower() in ("off", "0", "none"):
        return None
    base = Path(setting).expanduser() if setting else Path.home() / ".cache" / "flowcert"
    return base / f"derivations-{_source_key()}"


def derived(function: Callable[[], T]) -> Callable[[], T]:
    """Compute ``function()`` once: from memory, else from the disk cache, else afresh (and
    store it). The function takes no arguments; its qualified name and module name the entry.
    """
    name = f"{function.__module__}.{function.__qualname__}"

    @functools.cache
    def cached() -> T:
        directory = cache_directory()
        path = None if directory is None else directory / f"{name}.pickle"
        if path is not None and path.exists():
            try:
                return pickle.loads(path.read_bytes())
            except (pickle.UnpicklingError, EOFError, AttributeError, ImportError):
                pass  # a damaged or stale entry is computed again below
        value = function()
        if path is not None:
            _store(path, value)
        return value

    cached.__doc__ = function.__doc__
    cached.__wrapped__ = function
    return cached


def _store(path: Path, value) -> None:
    """Pickle ``value`` to ``path`` atomically; an unwritable cache is silently skipped
    (the derivation is then recomputed by the next process)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            pickle.dump(value, handle)
        os.replace(handle.name, path)
    except OSError:
        return
