"""SIGTERM and SIGINT as a stop event: how every reference component's process is told to end."""
from __future__ import annotations

import contextlib
import signal
import threading
from typing import Iterator


@contextlib.contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """While inside, SIGTERM and SIGINT set `stop` instead of ending the process; the previous
    handlers come back on the way out. Handlers can only be set from the main thread: a component
    run in another thread (as tests do) keeps the process's handlers and is stopped through `stop`."""
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
