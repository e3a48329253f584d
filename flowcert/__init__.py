"""flowcert: check closed-form claims about neural-network learning dynamics."""

from __future__ import annotations

from importlib import metadata

try:
    __version__ = metadata.version("flowcert")
except metadata.PackageNotFoundError:  # pragma: no cover - running from an uninstalled tree
    __version__ = "0+unknown"
