"""Derivations computed on first use and cached, in memory and on disk.

Nothing symbolic runs when a theory module is imported: a derivation is a function decorated
with :func:`derived`, computed the first time it is asked for. Its result is kept in memory
and in flowcert's disk cache (:mod:`flowcert.cache`) in a folder named by a hash of every
theory source file and the SymPy version — so another process reuses it, and any edit of the
theory (or a SymPy upgrade) makes every derivation be computed afresh.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from flowcert import cache

_THEORY = Path(__file__).resolve().parent
T = TypeVar("T")


@functools.cache
def _folder() -> str:
    """``derivations-<hash of the theory sources and the SymPy version>``."""
    from importlib import metadata
    sources = [path.name + "\0" + path.read_text() for path in sorted(_THEORY.glob("*.py"))]
    return f"derivations-{cache.digest(metadata.version('sympy'), *sources)}"


def derived(function: Callable[[], T]) -> Callable[[], T]:
    """Compute ``function()`` once: from memory, else from the disk cache, else afresh (and
    store it). The function takes no arguments; its module and qualified name name the entry.
    """
    name = f"{function.__module__}.{function.__qualname__}"

    @functools.cache
    def cached() -> T:
        value = cache.load(_folder(), name)
        if value is None:
            value = function()
            cache.store(_folder(), name, value)
        return value

    cached.__doc__ = function.__doc__
    cached.__wrapped__ = function
    return cached
