"""Run a reference component's process until it ends, as its tests of Go's panics need: the
process is stopped after five seconds, as a component that logged a raising handler and went on
would never end by itself."""
from __future__ import annotations

import io
import threading
from collections.abc import Callable

from reference_impl.machinery import process

GIVE_UP_AFTER = 5.0  # seconds; a panicking component ends well before


def exit_code_and_stderr(name: str, run: Callable[[object], object], stop: threading.Event,
                         trigger: Callable[[], object] | None = None) -> tuple[int, str]:
    """The exit code and the stderr of `process.main` running `run(out)` as component `name`,
    `trigger` called 0.2 s after it starts (an object added to a store), `stop` set if it is
    still running after GIVE_UP_AFTER."""
    component = process.Component(name, lambda argv, env: None, lambda options, proc: run(proc.out))
    if trigger is not None:
        threading.Timer(0.2, trigger).start()
    stopper = threading.Timer(GIVE_UP_AFTER, stop.set)
    stopper.start()
    err = io.StringIO()
    try:
        code = process.main(component, [], {}, out=io.StringIO(), err=err)
    finally:
        stopper.cancel()
    return code, err.getvalue()
