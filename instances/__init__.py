"""Bundled instances (bremen-2016 is the default)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

DEFAULT = "bremen-2016"


def bundled() -> dict[str, Path]:
    """Name -> path of every bundled instance file."""
    root = resources.files(__name__)
    return {Path(str(f)).stem: Path(str(f)) for f in root.iterdir() if str(f).endswith(".yaml")}


def bundled_path(name: str = DEFAULT) -> Path:
    found = bundled()
    if name not in found:
        raise KeyError(f"no bundled instance {name!r}; bundled: {', '.join(sorted(found))}")
    return found[name]
