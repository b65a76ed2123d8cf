"""A component's panics: what 1.24 does not recover from ends the process.

client-go's processorListener runs every informer handler under wait.Until, whose HandleCrash
logs a panic ("Observed a panic") and panics on, as utilruntime.ReallyCrash is true; a
controller's worker loop and kube-scheduler's scheduleOne run under it too. A goroutine with no
recover (a scheduler's binding cycle) ends the process with nothing logged first. Either way the
process exits 2 for its supervisor to start it afresh, whose informers list everything again.

`Crash` is that for a component's threads: the first exception any of them hands it becomes the
component's `Panic`, its stop event is set, and the thread running the component's loop raises it
(`raise_panic`) once the loop and the threads that may still crash are done.
"""
from __future__ import annotations

import threading
import traceback
from collections.abc import Callable

from reference_impl.machinery.process import Panic
from reference_impl.mirrors import mirrors


class Crash:
    def __init__(self, log: Callable[[str], None], stop: threading.Event, wake: threading.Event | None = None):
        self.log, self.stop, self.wake = log, stop, wake
        self.panic: Panic | None = None  # the first exception any thread handed over
        self._lock = threading.Lock()  # two threads may crash at once: the first panic is kept

    @mirrors("k8s.io/apimachinery/pkg/util/runtime.HandleCrash")
    def crash(self, error: Exception, recovered: bool = True) -> Panic:
        """`error` as a panic: logged with its traceback, after "Observed a panic" when a
        HandleCrash `recovered` it to panic on; the first is kept and the component stopped.
        Returns the kept panic, for a caller on the loop's own thread to raise. Safe on any thread."""
        trace_lines = "".join(traceback.format_exception(error)).rstrip()
        self.log((f"Observed a panic: {error!r} ({error})\n" if recovered else "") + trace_lines)
        with self._lock:
            if self.panic is None:
                self.panic = Panic(repr(error), recovered)
                self.panic.__cause__ = error
            panic = self.panic
        self.stop.set()
        if self.wake is not None:
            self.wake.set()
        return panic

    def handle_crash(self, fn: Callable[[], None]) -> None:
        """`fn` as wait.Until runs it: under HandleCrash, whose "Observed a panic" comes before
        the process ends (`[recovered]`)."""
        try:
            fn()
        except Exception as error:  # noqa: BLE001 - a panic HandleCrash logs, see crash
            self.crash(error)

    def handler_error(self, _obj: dict, error: Exception) -> None:
        """An informer handler's exception (an Indexer's `handle_error`): its processorListener's
        HandleCrash panics on."""
        self.crash(error)

    def raise_panic(self) -> None:
        """Raise the first panic any thread handed over, if one did."""
        with self._lock:
            panic = self.panic
        if panic is not None:
            raise panic
