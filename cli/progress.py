"""A one-line progress display on stderr while a programme is planned (rich).

It consumes the pipeline's `ProgressEvent`s: part k of n, the phase (LP bound, search near
the LP, CP-SAT search, ...), objective, bound, gap and the time left of the part."""

from __future__ import annotations

from types import TracebackType

from rich.console import Console
from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

from models.history import PHASE_TITLES, ProgressEvent


def describe(event: ProgressEvent) -> str:
    """`training (1/3): searching · objective 2466, bound 2400, gap 2.68 % · 41 s left`."""
    head = event.part if event.total <= 1 else f"{event.part} ({event.index}/{event.total})"
    text = f"{head}: {PHASE_TITLES.get(event.phase, event.phase)}"
    figures = []
    if event.objective is not None:
        figures.append(f"objective {event.objective:g}")
    if event.bound is not None:
        figures.append(f"bound {event.bound:g}")
    if event.gap is not None:
        figures.append(f"gap {100 * event.gap:.2f} %")
    if figures:
        text += " · " + ", ".join(figures)
    if event.time_left is not None and event.phase not in ("done",):
        text += f" · {event.time_left:.0f} s left"
    return text


class ProgressLine:
    """`with ProgressLine() as line: plan_programme(..., progress=line.update)`."""

    def __init__(self, *, quiet: bool = False, first: str = "starting"):
        self.quiet = quiet
        self.first = first
        self._progress: Progress | None = None
        self._task = None

    def __enter__(self) -> ProgressLine:
        if not self.quiet:
            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("{task.description}"),
                TimeElapsedColumn(),
                console=Console(stderr=True),
                transient=True,
            )
            self._progress.start()
            self._task = self._progress.add_task(self.first, total=None)
        return self

    def update(self, event: ProgressEvent) -> None:
        self.show(describe(event))

    def show(self, text: str) -> None:
        if self._progress is not None and self._task is not None:
            self._progress.update(self._task, description=text)

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()
