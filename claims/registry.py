"""Where claims come from: one discovery path for built-in, installed and user claims.

A **claim source** is a Python module name (``package.module``) or a file (``my_claims.py``)
that defines claims: its ``CLAIMS`` (an iterable of :class:`~flowcert.claims.base.Claim`) or,
without one, every module-level Claim in definition order. Sources are, in this order:

1. the built-in families (:data:`BUILTIN_SOURCES`), imported only when one of their claims is
   asked for — their ids, titles and classes are read from the generated index
   ``claims/index.json`` (``python -m flowcert.reports.catalogue --write`` regenerates it, a
   test checks it is current), so listing claims imports nothing heavy;
2. modules registered by installed packages under the entry-point group ``flowcert.claims``;
3. sources named on the command line (``--claims``) or passed to :class:`Registry`.

A file source is read once and executed from its text, so the process pool and Dask workers
load exactly the same claims from the :class:`Source` records the tasks carry.

Any problem — a source that raises on import, defines no claim, a duplicate id, an object
that is not a Claim — is a :class:`ClaimSourceError` with a one-line message.
"""

from __future__ import annotations

import functools
import hashlib
import importlib
import json
import sys
import types
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

from flowcert.claims.base import Claim

ENTRY_POINT_GROUP = "flowcert.claims"
BUILTIN_SOURCES = tuple(f"flowcert.claims.{name}" for name in (
    "deep_linear", "diagonal", "starvation", "classification", "splines", "curvature",
    "stability", "confusion", "conservation", "soft_sets"))
INDEX_PATH = Path(__file__).resolve().with_name("index.json")


class ClaimSourceError(ValueError):
    """A claim source that cannot be used (one line, shown with exit status 2)."""


class UnknownClaimError(ValueError):
    """A claim id that no source defines."""


@dataclass(frozen=True)
class Source:
    """A claim source as a task carries it: a module name, or a file's path and text."""

    name: str
    text: str | None = None

    @classmethod
    def parse(cls, spec: str) -> Source:
        """A ``--claims`` argument: an existing ``.py`` file (read now) or a module name."""
        path = Path(spec)
        if spec.endswith(".py") or path.is_file():
            try:
                return cls(str(path.resolve()), path.read_text())
            except OSError as error:
                raise ClaimSourceError(f"cannot read claim file {spec}: "
                                       f"{error.strerror or error}") from None
        if not all(part.isidentifier() for part in spec.split(".")):
            raise ClaimSourceError(f"--claims {spec!r} is neither a .py file nor a module name")
        return cls(spec)


def load_source(source: Source) -> list[Claim]:
    """The claims a source defines, in order (ClaimSourceError on any problem)."""
    try:
        module = _import(source)
    except ClaimSourceError:
        raise
    except BaseException as error:  # noqa: BLE001 - a user's module may raise anything
        if isinstance(error, KeyboardInterrupt):
            raise
        raise ClaimSourceError(f"claim source {source.name} raised on import: "
                               f"{type(error).__name__}: {_first_line(error)}") from None
    found = getattr(module, "CLAIMS", None)
    if found is None:
        found = [value for value in vars(module).values() if isinstance(value, Claim)]
    try:
        claims = list(found)
    except TypeError:
        raise ClaimSourceError(f"{source.name}: CLAIMS must be a list or tuple of claims") \
            from None
    if not claims:
        raise ClaimSourceError(f"claim source {source.name} defines no claim (give it a "
                               "CLAIMS list, or module-level claims)")
    for claim in claims:
        if not isinstance(claim, Claim):
            raise ClaimSourceError(f"{source.name}: {claim!r} is not a Claim (build claims "
                                   "with flowcert's builders)")
    return claims


def _import(source: Source) -> types.ModuleType:
    if source.text is None:
        return importlib.import_module(source.name)
    digest = hashlib.sha256(f"{source.name}\0{source.text}".encode()).hexdigest()[:12]
    name = f"flowcert_user_claims.{Path(source.name).stem}_{digest}"
    if name in sys.modules:
        return sys.modules[name]
    module = types.ModuleType(name)
    module.__file__ = source.name
    folder = str(Path(source.name).parent)
    if Path(folder).is_dir() and folder not in sys.path:
        sys.path.insert(0, folder)  # a claim file may import its neighbours
    sys.modules.setdefault("flowcert_user_claims", types.ModuleType("flowcert_user_claims"))
    sys.modules[name] = module
    try:
        exec(compile(source.text, source.name, "exec"), module.__dict__)  # noqa: S102
    except BaseException:
        del sys.modules[name]
        raise
    return module


def _first_line(error: BaseException) -> str:
    text = str(error).strip().splitlines()
    return text[0] if text else "(no message)"


def entry_point_sources() -> tuple[Source, ...]:
    """Modules that installed packages register under :data:`ENTRY_POINT_GROUP`."""
    return tuple(Source(point.module) for point in
                 metadata.entry_points(group=ENTRY_POINT_GROUP))


@functools.cache
def builtin_index() -> dict[str, dict]:
    """id → {"source", "family", "class", "provenance", "title"} of the built-in claims."""
    try:
        return json.loads(INDEX_PATH.read_text())["claims"]
    except (OSError, ValueError, KeyError):
        return {}  # no index (a fresh tree): the built-in families are imported instead


class Registry:
    """The claims of the built-in families, the installed entry points and ``sources``.

    Built-in families are imported lazily (by id through the index); every other source is
    loaded when the registry is made, so a broken source fails before any claim runs.
    """

    def __init__(self, sources: Sequence[Source] = (), *, entry_points: bool = True):
        self.sources = tuple(sources)
        self._extra: dict[str, Claim] = {}
        self._origin: dict[str, str] = {}
        self._index = builtin_index()
        self._loaded: dict[str, Claim] = {}
        if not self._index:
            for name in BUILTIN_SOURCES:
                self._add(load_source(Source(name)), name, self._loaded)
        for source in (entry_point_sources() if entry_points else ()) + self.sources:
            self._add(load_source(source), source.name, self._extra)

    def _add(self, claims: Iterable[Claim], origin: str, into: dict) -> None:
        for claim in claims:
            key = claim.id.upper()
            previous = self._origin.get(key) or (self._index.get(key) or {}).get("source")
            if previous is not None and not (previous == origin and key not in into):
                raise ClaimSourceError(f"duplicate claim id {claim.id} in {origin} (already "
                                       f"defined by {previous})")
            self._origin[key] = origin
            into[key] = claim

    def ids(self) -> list[str]:
        """Every claim id, built-in ones first in catalogue order."""
        builtin = list(self._index) or list(self._loaded)
        return builtin + [key for key in self._extra if key not in builtin]

    def summary(self, claim_id: str) -> dict:
        """{"id", "class", "provenance", "title", "family"} without importing built-ins."""
        key = claim_id.upper()
        if key in self._index:
            return {"id": key} | self._index[key]
        claim = self.get(key)
        return {"id": claim.id, "class": str(claim.claim_class), "provenance":
                claim.provenance, "title": claim.title, "family": claim.family}

    def get(self, claim_id: str) -> Claim:
        """The claim with this id (case-insensitive); UnknownClaimError lists known ids."""
        key = claim_id.strip().upper()
        if key in self._extra:
            return self._extra[key]
        if key in self._index and key not in self._loaded:
            module = self._index[key]["source"]
            self._add(load_source(Source(module)), module, self._loaded)
        if key not in self._loaded:
            raise UnknownClaimError(f"unknown claim id {claim_id!r}; known ids: "
                                    f"{', '.join(self.ids())}")
        return self._loaded[key]

    def claims(self, ids: Sequence[str] = ()) -> list[Claim]:
        """Claims for ``ids`` in the order given, without duplicates (all when empty)."""
        chosen: dict[str, Claim] = {}
        for claim_id in ids or self.ids():
            claim = self.get(claim_id)
            chosen.setdefault(claim.id, claim)
        return list(chosen.values())


@functools.lru_cache(maxsize=8)
def registry(sources: tuple[Source, ...] = ()) -> Registry:
    """The registry of these sources, made once per process (workers call this too)."""
    return Registry(sources)


def get_claim(claim_id: str, sources: tuple[Source, ...] = ()) -> Claim:
    """The claim with this id among the built-in, installed and given sources."""
    return registry(tuple(sources)).get(claim_id)


def __getattr__(name: str):
    """``CLAIMS``: every built-in and installed claim by id, in catalogue order (imports
    every family; prefer :func:`get_claim` for one claim)."""
    if name == "CLAIMS":
        everything = registry()
        return {claim.id: claim for claim in everything.claims()}
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
