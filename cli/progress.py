"""A one-line progress display on stderr while CP-SAT searches (rich)."""

from __future__ import annotations

import time
from types import TracebackType

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn


class SolveProgress:
    """`with SolveProgress("training") as p: solve(..., progress=p.update)`."""

    def __init__(self, part: str, *, quiet: bool = False):
        self.part = part
        self.quiet = quiet
        self._progress: Progress | None = None
        self._task = None
        self._t0 = time.perf_counter()

    def __enter__(self) -> SolveProgress:
        if not self.quiet:
            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task(f"{self.part}: searching", total=None)
        return self

    def update(self, seconds: float, objective: float, bound: float) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(
                self._task,
                description=f"{self.part}: objective {objective:g}, bound {bound:g}",
            )

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
