"""A one-line progress display on stderr while CP-SAT searches (rich)."""

from __future__ import annotations

import time
from types import TracebackType

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from solver.progress import PHASE_TITLES, ProgressEvent


def describe(event: ProgressEvent) -> str:
    """`training: searching, objective 2466, bound 2400, gap 2.68 %, 12 s left`."""
    words = [f"{event.part}: {PHASE_TITLES.get(event.phase, event.phase)}"]
    if event.status is not None:
        words[0] += f" ({event.status})"
    if event.objective is not None:
        words.append(f"objective {event.objective:g}")
    if event.bound is not None:
        words.append(f"bound {event.bound:g}")
    if event.gap is not None:
        words.append(f"gap {100 * event.gap:.2f} %")
    if event.time_left is not None and event.phase != "done":
        words.append(f"{event.time_left:.0f} s left")
    return ", ".join(words)


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

    def update(self, event: ProgressEvent) -> None:
        """A ProgressHook: the phase, objective, bound, gap and time left."""
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, description=describe(event))

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
