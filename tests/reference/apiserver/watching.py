"""A helper the storage and registry tests share for reading watches with a bound."""
from __future__ import annotations

import threading


def collect(watch, count: int, timeout: float = 10.0) -> list:
    events: list = []

    def run():
        for event in watch:
            events.append(event)
            if len(events) == count:
                return

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(timeout)
    watch.stop()
    return events
