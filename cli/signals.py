"""Ctrl-C, SIGTERM and SIGHUP during a run: stop the searches at once, write nothing.

`with RunSignals() as sig:` installs handlers for the three signals. A signal sets
`sig.stop` (a `threading.Event`, the `stop=` token of the solves) right away, even while
CP-SAT searches in C++: the interpreter writes the signal number to a wakeup socket and a
helper thread sets the event, so every search ends within a tenth of a second (CP-SAT's
own SIGINT handling is switched off in `SolveParams.apply`, it would swallow Ctrl-C).

The command then calls `sig.check()` where it can leave cleanly (after the solves, before
the commit): that raises `Interrupted`, the staging folder is discarded and `guarded`
exits with 128 + the signal number (130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP).
A second signal leaves at once. With `--keep-on-interrupt` a Ctrl-C keeps the best plans so
far instead (`sig.keep`): they are written, marked as interrupted, and the exit code is 130.
"""

from __future__ import annotations

import signal
import socket
import threading
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

SIGNALS = tuple(
    s
    for s in (signal.SIGINT, getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None))
    if s is not None
)
NAMES = {signal.SIGINT: "Ctrl-C (SIGINT)"} | {s: s.name for s in SIGNALS if s != signal.SIGINT}


class Interrupted(BaseException):  # noqa: N818 - not an error of the run, a request to stop
    """The run was stopped by a signal; exit code 128 + signum."""

    def __init__(self, signum: int, message: str = ""):
        self.signum = signum
        self.code = 128 + signum
        super().__init__(message or f"interrupted by {NAMES.get(signum, signum)}")


class RunSignals:
    def __init__(self, *, keep_on_interrupt: bool = False):
        self.stop = threading.Event()
        self.signum: int | None = None
        self.keep_on_interrupt = keep_on_interrupt
        self._old: dict[int, object] = {}
        self._old_fd = -1
        self._pair: tuple[socket.socket, socket.socket] | None = None
        self._thread: threading.Thread | None = None
        self._count = 0

    # ------------------------------------------------------------------ state
    @property
    def keep(self) -> bool:
        """A Ctrl-C asked to keep the best plans so far (--keep-on-interrupt)."""
        return self.signum == signal.SIGINT and self.keep_on_interrupt

    def check(self) -> None:
        """Raise Interrupted when a signal came (unless the plans are to be kept)."""
        if self.signum is not None and not self.keep:
            raise Interrupted(self.signum)

    def commit(self, target: Any) -> list[Path]:
        """Commit a staged output folder (`reports.outdir.OutDir`) with the signals held off
        (the commit is fast and all-or-nothing); a signal that came before ends the run."""
        with Deferred(self):
            self.check()
            return target.commit()

    # ------------------------------------------------------------------ handlers
    def _note(self, signum: int) -> None:
        if self.signum is None:
            self.signum = signum
        self.stop.set()

    def _handler(self, signum: int, frame: FrameType | None) -> None:
        self._count += 1
        self._note(signum)
        if self._count > 1 or (signum != signal.SIGINT and self._pair is None):
            raise Interrupted(self.signum or signum)  # asked twice: leave now

    def _watch(self, sock: socket.socket) -> None:
        while True:
            try:
                data = sock.recv(16)
            except OSError:
                return
            if not data:
                return
            for b in data:
                if b in SIGNALS:
                    self._note(b)

    def __enter__(self) -> RunSignals:
        if threading.current_thread() is not threading.main_thread():
            return self  # signals are only handled in the main thread (e.g. tests)
        for s in SIGNALS:
            self._old[s] = signal.signal(s, self._handler)
        try:
            pair = socket.socketpair()
            pair[1].setblocking(False)
            self._old_fd = signal.set_wakeup_fd(pair[1].fileno(), warn_on_full_buffer=False)
            self._pair = pair
            self._thread = threading.Thread(
                target=self._watch, args=(pair[0],), name="juwe-signals", daemon=True
            )
            self._thread.start()
        except (OSError, ValueError):
            self._pair = None  # no wakeup socket: the handlers alone (in Python code)
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._pair is not None:
            signal.set_wakeup_fd(self._old_fd)
            self._pair[1].close()
            self._pair[0].shutdown(socket.SHUT_RDWR)
            self._pair[0].close()
            self._pair = None
        for s, old in self._old.items():
            signal.signal(s, old)  # type: ignore[arg-type]
        self._old.clear()


class Deferred:
    """`with Deferred(sig):` holds signals off while the output is committed (a commit is
    fast and all-or-nothing), then `sig.check()` decides."""

    def __init__(self, sig: RunSignals):
        self.sig = sig
        self._old: dict[int, object] = {}

    def __enter__(self) -> Deferred:
        if threading.current_thread() is threading.main_thread():
            for s in SIGNALS:
                self._old[s] = signal.signal(s, lambda signum, frame: self.sig._note(signum))
        return self

    def __exit__(self, *exc: object) -> None:
        for s, old in self._old.items():
            signal.signal(s, old)  # type: ignore[arg-type]
