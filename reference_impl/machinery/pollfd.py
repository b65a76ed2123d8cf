"""A raw descriptor several threads use, closed as Go's internal/poll.FD closes one.

A descriptor number is reused: once it is closed, the next open, pipe or accept in the process
may get it. A thread that still holds the number (a late read, write, ioctl, or a second close)
then acts on that other file, say the socket of the next connection, whose client sees its
handshake cut short. Go counts the calls using an FD (fdMutex): Close marks it closing, later
calls fail with "use of closed file", and the number is released by the last call to return.
`FD` does the same for the few descriptors here that are not in a Python file or socket object.
"""
from __future__ import annotations

import errno
import os
import threading
from contextlib import contextmanager
from typing import Iterator

from reference_impl.mirrors import mirrors


class FD:
    """One descriptor `number`, owned from now on: `use()` it for each call, `close()` it once
    (more closes do nothing)."""

    def __init__(self, number: int) -> None:
        self._number = number
        self._lock = threading.Lock()
        self._users = 0
        self._closing = False

    @property
    def closed(self) -> bool:
        return self._closing

    @mirrors("(*internal/poll.FD).incref", "(*internal/poll.FD).decref")
    @contextmanager
    def use(self) -> Iterator[int]:
        """The number, held open until the block ends; OSError EBADF once the FD is closing."""
        with self._lock:
            if self._closing:
                raise OSError(errno.EBADF, "use of closed file")
            self._users += 1
        try:
            yield self._number
        finally:
            with self._lock:
                self._users -= 1
                last = self._closing and not self._users
            if last:
                os.close(self._number)

    @mirrors("(*internal/poll.FD).Close", "(*internal/poll.FD).destroy")
    def close(self) -> None:
        """Mark it closing; the number is closed now, or by the last call still using it."""
        with self._lock:
            if self._closing:
                return
            self._closing = True
            idle = not self._users
        if idle:
            os.close(self._number)
