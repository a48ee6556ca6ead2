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


def resolve_instance(path: str | Path | None) -> Path:
    """A file path, or the name of a bundled instance; the default when none is given."""
    if path is None:
        return bundled_path(DEFAULT)
    p = Path(path)
    if not p.exists() and str(path) in bundled():
        return bundled_path(str(path))
    return p


def load(path: str | Path | None = None):  # -> models.instance.Instance
    """Load and validate an instance file or a bundled instance by name (default: the
    bundled Bremen instance); `models.io.InputError` names the file, field and value."""
    from models.io import load_instance

    return load_instance(resolve_instance(path))
