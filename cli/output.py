"""Writing a run's files all at once: into a staging folder, moved into place at the end.

So a failed run leaves nothing behind, and existing output is never silently overwritten.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from models.io import InputError


def prepare_out_dir(out: Path, *, force: bool) -> Path:
    """Check the output folder before solving; returns a fresh staging folder beside it."""
    if out.exists() and not out.is_dir():
        raise InputError(out, ["--out must name a folder, but a file of that name exists"])
    if out.is_dir() and any(out.iterdir()) and not force:
        raise InputError(out, ["the output folder is not empty; choose a fresh one or add --force"])
    parent = out.parent
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.juwe-", dir=parent))
    except OSError as exc:
        raise InputError(out, [f"cannot write the output folder: {exc.strerror or exc}"]) from None
    return staging


def commit_out_dir(staging: Path, out: Path) -> list[Path]:
    """Move every staged file into `out` (created if needed); returns the final paths."""
    out.mkdir(parents=True, exist_ok=True)
    moved = []
    for f in sorted(staging.iterdir()):
        target = out / f.name
        if target.is_dir():
            shutil.rmtree(target)
        f.replace(target)
        moved.append(target)
    shutil.rmtree(staging, ignore_errors=True)
    return moved


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)
