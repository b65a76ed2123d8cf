"""Progress lines for long work (clones, parsing), written to stderr so stdout stays parseable.

On a terminal one line is redrawn in place; elsewhere (CI logs, pipes, and a terminal that
declares itself dumb, as Emacs' shell does, which shows the redrawing's escape code as text) a line
is printed at most every few seconds, so a log shows the work moving without drowning in it.
"""
from __future__ import annotations

import os
import sys
import time
from typing import TextIO

from analyzer.errors import one_line


class Progress:
    def __init__(self, stream: TextIO | None = None, quiet: bool = False, interval: float = 5.0):
        self.stream = stream or sys.stderr
        self.quiet = quiet
        self.tty = (hasattr(self.stream, "isatty") and self.stream.isatty()
                    and os.environ.get("TERM") != "dumb")
        self.interval = 0.1 if self.tty else interval
        self._last = 0.0
        self._task = ""
        self._shown = ""  # the last line written
        self.stage = ""  # the task last updated, shown or not: what a Ctrl-C interrupted
        self._drawn = False
        self._gone = False  # the stream's reader has left

    def update(self, task: str, done: int | None, total: int | None = None, unit: str = "") -> None:
        """`task: done/total unit`; with `done` None, the task alone (a stage begun)."""
        self.stage = task
        now = time.monotonic()
        finished = bool(total) and done is not None and done >= total
        if done is None:
            text = f"{task} …"
        elif total:
            text = f"{task}: {done}/{total} {unit} ({100 * done // max(total, 1)}%)".rstrip()
        else:
            text = f"{task}: {done} {unit}".rstrip()
        # A new task is always shown, so a log names every stage however short; a line the same
        # as the last is not (git reports a finished stage twice, its last count and its end).
        if self.quiet or text == self._shown or (now - self._last < self.interval
                                                  and not finished and task == self._task):
            return
        self._last, self._task, self._shown = now, task, text
        if self.tty:
            self._write("\r\x1b[K" + text)
            self._drawn = True
            if finished:
                self.done()
        else:
            self._write(text + "\n")

    def note(self, text: str) -> None:
        """A line that stays: a warning or a finished step."""
        if self.quiet:
            return
        self._interrupt()
        self._write(text + "\n")

    def warn(self, text: str) -> None:
        """A warning: shown even when quiet, since it reports something done to the user's files
        or something they should fix."""
        self._interrupt()
        self._write(f"kubeatlas: warning: {one_line(text)}\n")

    def _interrupt(self) -> None:
        """End the drawn line for a line of another kind; the stage's next update draws its line
        again at once, even the same text, so that the progress stays below what interrupted it."""
        self.done()
        self._shown = self._task = ""

    def done(self) -> None:
        if self._drawn:
            self._write("\n")
            self._drawn = False

    def _write(self, text: str) -> None:
        """Write and flush. A reader that has left (`kubeatlas index 2>&1 | head`) ends the
        lines, not the work they report on: an index stopped by its own progress line was
        left unbuilt with exit status 0."""
        if self._gone:
            return
        try:
            self.stream.write(text)
            self.stream.flush()
        except BrokenPipeError:
            self._gone = True
            # What is left in the stream's buffer would fail again when Python exits.
            if hasattr(self.stream, "fileno"):
                os.dup2(os.open(os.devnull, os.O_WRONLY), self.stream.fileno())
