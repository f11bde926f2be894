"""Ctrl-C and SIGTERM during training: finish the current step, write a checkpoint, exit 128 + signal.

A signal that arrived mid-step would leave some networks updated and others not; deferring it to the
end of the step keeps every checkpoint a state that ``--resume`` continues bit-exactly. A second signal
interrupts at once. In distributed runs the trainer has every rank agree on the step to stop at.
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class TrainingInterrupted(KeyboardInterrupt):
    """Training stopped on a signal after writing a checkpoint; ``str`` is the one line to print."""

    def __init__(self, message: str, signum: int = signal.SIGINT) -> None:
        super().__init__(message)
        self.exit_code = 128 + int(signum)


@contextmanager
def deferred_signals(request_stop: Callable[[int], None]) -> Iterator[None]:
    """Inside, the first SIGINT/SIGTERM calls ``request_stop(signum)``; the next one raises at once."""
    if threading.current_thread() is not threading.main_thread():  # signal handlers live in the main thread
        yield
        return
    previous = {signum: signal.getsignal(signum) for signum in SIGNALS}

    def handle(signum: int, frame: FrameType | None) -> None:
        for each in SIGNALS:
            signal.signal(each, signal.default_int_handler if each == signal.SIGINT else previous[each])
        request_stop(signum)

    for signum in SIGNALS:
        signal.signal(signum, handle)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler if handler is not None else signal.SIG_DFL)
