"""Writing a run's files all at once: into a staging folder, moved into place at the end.

So a failed run leaves nothing behind, and existing output is never silently overwritten.
"""

from __future__ import annotations

import os
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
        """Move every staged file into `out` (created if needed), all or nothing; returns
        the final paths (top-level entries).

        Only the names this run wrote are replaced: a user's own files, also those inside
        a subfolder such as `ics/`, stay. A symbolic link in the way is replaced itself,
        never written through. The old versions are moved aside first and put back if any
        move fails, so a failed commit leaves the folder as it was (InputError)."""
        if self.out.is_symlink():
            raise InputError(self.out, [SYMLINK_OUT])
        made_out = not self.out.exists()
        self.out.mkdir(parents=True, exist_ok=True)
        top = sorted(self.staging.iterdir())
        moves: list[tuple[Path, Path]] = []
        for entry in top:
            _plan_moves(entry, self.out / entry.name, moves)
        backup = self.staging / ".juwe-old"
        backup.mkdir()
        aside: list[tuple[Path, Path]] = []  # (old version's place, where it was put)
        placed: list[tuple[Path, Path]] = []  # (staged file, its final place)
        try:
            for n, (src, dst) in enumerate(moves):
                if dst.is_symlink() or dst.exists():
                    keep = backup / str(n)
                    os.rename(dst, keep)
                    aside.append((dst, keep))
                dst.parent.mkdir(exist_ok=True)
                os.rename(src, dst)
                placed.append((src, dst))
        except OSError as exc:
            problems = []
            for src, dst in reversed(placed):
                try:
                    os.rename(dst, src)
                except OSError as undo:
                    problems.append(f"{dst}: {undo.strerror or undo}")
            for dst, keep in reversed(aside):
                try:
                    os.rename(keep, dst)
                except OSError as undo:
                    problems.append(
                        f"{dst}: {undo.strerror or undo} (the old version is in {keep})"
                    )
            if problems:  # keep the staging folder: it holds what could not be put back
                raise InputError(
                    self.out,
                    [
                        f"cannot write the output folder: {exc.strerror or exc}; "
                        "could not restore: " + "; ".join(problems)
                    ],
                ) from None
            self.discard()
            if made_out:
                _remove_empty([self.out])
            raise InputError(
                self.out,
                [
                    f"cannot write the output folder ({exc.filename or self.out}): "
                    f"{exc.strerror or exc}; nothing was changed, what was there before is intact"
                ],
            ) from None
        shutil.rmtree(self.staging, ignore_errors=True)
        return [self.out / entry.name for entry in top]

    def discard(self) -> None:
        """Remove the staging folder and any parent folder this run created."""
        shutil.rmtree(self.staging, ignore_errors=True)
        _remove_empty(self.created)


SYMLINK_OUT = (
    "--out is a symbolic link; give the folder it points to (links are never written through)"
)


def _plan_moves(src: Path, dst: Path, moves: list[tuple[Path, Path]]) -> None:
    """The file moves that put `src` at `dst`: a staged folder is merged into a real folder
    of the same name (files by name); anything else, also a link, is replaced whole."""
    if src.is_dir() and not src.is_symlink() and dst.is_dir() and not dst.is_symlink():
        for child in sorted(src.iterdir()):
            _plan_moves(child, dst / child.name, moves)
    else:
        moves.append((src, dst))


def check_out_dir(out: Path, *, force: bool) -> None:
    """InputError unless `out` is new, empty, or (with force) an existing folder; never a
    symbolic link (also not a dangling one)."""
    if out.is_symlink():
        raise InputError(out, [SYMLINK_OUT])
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
