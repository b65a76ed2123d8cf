"""A list worked out in a forked process while this one goes on.

The resolver's last stage (each command's program) reads the whole call graph but yields little;
the indexer meanwhile writes that graph into SQLite. A forked child shares the graph copy-on-write,
so the two run on two cores without handing the graph over; only the small result comes back.
"""
from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator


class ForkedList:
    """`compute()` run in a forked child at once; iterating waits for its list."""

    def __init__(self, compute: Callable[[], list]):
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        # Daemonic: a parent that stops early (an error, Ctrl-C) takes the child with it.
        self._process = context.Process(target=_run, args=(compute, send), daemon=True)
        self._process.start()
        send.close()
        self._items: list | None = None

    def __iter__(self) -> Iterator:
        if self._items is None:
            try:
                ok, value = self._receive.recv()
            except EOFError:
                self._process.join()
                raise RuntimeError(f"the process resolving command programs ended with exit "
                                    f"code {self._process.exitcode}") from None
            self._receive.close()
            self._process.join()
            if not ok:
                raise value
            self._items = value
        return iter(self._items)


def _run(compute: Callable[[], list], send) -> None:
    try:
        result = (True, compute())
    except BaseException as err:  # noqa: BLE001 - handed to the parent, which raises it
        result = (False, err)
    send.send(result)
    send.close()
