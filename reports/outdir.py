"""Writing a run's files all at once: into a staging folder, moved into place at the end.

So a failed run leaves nothing behind, and existing output is never silently overwritten.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from models.io import InputError


@dataclass
class OutDir:
    """The output folder of a run and the staging folder its files are written to first."""

    out: Path
    staging: Path
    created: list[Path] = field(default_factory=list)  # parents this run made, deepest first

    def commit(self) -> list[Path]:
        """Move every staged file into `out` (created if needed); returns the final paths."""
        self.out.mkdir(parents=True, exist_ok=True)
        moved = []
        for f in sorted(self.staging.iterdir()):
            target = self.out / f.name
            if target.is_dir():
                shutil.rmtree(target)
            f.replace(target)
            moved.append(target)
        shutil.rmtree(self.staging, ignore_errors=True)
        return moved

    def discard(self) -> None:
        """Remove the staging folder and any parent folder this run created."""
        shutil.rmtree(self.staging, ignore_errors=True)
        _remove_empty(self.created)


def check_out_dir(out: Path, *, force: bool) -> None:
    """InputError unless `out` is new, empty, or (with force) an existing folder."""
    if out.exists() and not out.is_dir():
        raise InputError(out, ["--out must name a folder, but a file of that name exists"])
    if out.is_dir() and any(out.iterdir()) and not force:
        raise InputError(out, ["the output folder is not empty; choose a fresh one or add --force"])
    for parent in out.resolve().parents:
        if parent.exists():
            if not parent.is_dir():
                raise InputError(
                    out, [f"cannot create the output folder: {parent} is a file, not a folder"]
                )
            break


def prepare_out_dir(out: Path, *, force: bool) -> OutDir:
    """Check the output folder before solving; returns a fresh staging folder beside it."""
    check_out_dir(out, force=force)
    parent = out.resolve().parent
    missing = [p for p in [parent, *parent.parents] if not p.exists()]
    try:
        parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{out.resolve().name}.juwe-", dir=parent))
    except OSError as exc:
        _remove_empty(missing)
        reason = exc.strerror or str(exc)
        raise InputError(out, [f"cannot create the output folder: {reason}"]) from None
    return OutDir(out=out, staging=staging, created=missing)


def _remove_empty(folders: list[Path]) -> None:
    for folder in folders:  # deepest first
        try:
            folder.rmdir()
        except OSError:
            break
