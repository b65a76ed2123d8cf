"""client-go's core/v1 event recorder (tools/record), shared by the kubelet, the scheduler and the
controller-manager: an event is made as `recorderImpl.makeEvent` makes it, passed through the
correlator (machinery.eventcorrelator: aggregation, counting, the spam filter) and written as a
new Event or a PATCH of the count of the one written before.

Upstream's recorder is fire-and-forget: a failed write is logged and dropped, never retried by the
caller, so `event` reports a failure only to the log and never raises. Upstream writes a process's
events one at a time from one goroutine (recordToSink); here each caller's thread writes its own,
only the correlation under a lock, so that a scheduler's binding threads never wait on each other's
events. The writes of one Event (its POST, then the PATCHes of its count) keep the order the
correlator gave them: a write waits for the one before it of the same Event, never for another's.
"""
from __future__ import annotations

import threading

from reference_impl.client import APIStatusError
from reference_impl.client.rest import RestClient
from reference_impl.machinery.actions import RecordEvent
from reference_impl.machinery.clock import Clock
from reference_impl.machinery.eventcorrelator import EventCorrelator
from reference_impl.machinery.timefmt import rfc3339
from reference_impl.mirrors import mirrors


@mirrors("(*k8s.io/client-go/tools/record.recorderImpl).makeEvent")
def make_event(involved: dict, type_: str, reason: str, message: str, source: dict, now: float,
               nanoseconds: int) -> dict:
    """The Event named `<object>.<unix nanoseconds in hex>`; an object with no namespace (a Node)
    has its events in the default namespace. client-go 1.24 sets no reportingComponent."""
    stamp = rfc3339(now)
    return {"apiVersion": "v1", "kind": "Event",
            "metadata": {"name": f"{involved['name']}.{nanoseconds:x}",
                         "namespace": involved.get("namespace") or "default"},
            "involvedObject": involved, "type": type_, "reason": reason, "message": message,
            "source": source, "firstTimestamp": stamp, "lastTimestamp": stamp, "count": 1}


class EventRecorder:
    """One process's recorder: its sources (component, and host for a kubelet) share one
    correlator, whose keys keep them apart."""

    def __init__(self, client: RestClient, clock: Clock, log=None) -> None:
        self.client, self.clock = client, clock
        self.log = log or (lambda _message: None)
        self.correlator = EventCorrelator(clock)
        self._lock = threading.Lock()  # the correlator's caches and the last name, written from several threads
        self._last_nanoseconds = 0
        # (namespace, name) of an Event → when its last write queued is done: the next one waits for it.
        self._writing: dict[tuple[str, str], threading.Event] = {}

    @mirrors("(*k8s.io/client-go/tools/record.recorderImpl).generateEvent")
    def event(self, involved: dict, type_: str, reason: str, message: str, component: str, host: str = "") -> None:
        source = {"component": component, **({"host": host} if host else {})}
        with self._lock:
            now = self.clock.now()
            # A float clock holds ~256 ns at today's epoch: two events within that would share a name.
            self._last_nanoseconds = max(int(now * 1e9), self._last_nanoseconds + 1)
            correlation = self.correlator.correlate(
                make_event(involved, type_, reason, message, source, now, self._last_nanoseconds))
            if correlation is None:
                return
            key = (correlation.event["metadata"]["namespace"], correlation.event["metadata"]["name"])
            before, done = self._writing.get(key), threading.Event()
            self._writing[key] = done
        # Bounded by one request's timeout: a write stuck on a slow apiserver holds up only the
        # next write of its own Event, once, and never a caller for longer than a request.
        if before is not None:
            before.wait(self.client.timeout)
        try:
            self._write(correlation)
        finally:
            done.set()
            with self._lock:
                if self._writing.get(key) is done:
                    del self._writing[key]

    def record(self, event: RecordEvent, host: str = "") -> None:
        """A core's RecordEvent; `host` is the kubelet's node name, the source.host of its events."""
        self.event(event.involved, event.type, event.reason, event.message, event.component, host)

    @mirrors("k8s.io/client-go/tools/record.recordToSink")
    def _write(self, correlation) -> None:
        """A new Event, a PATCH of the count of one seen before (a new one when that has expired);
        nothing is written once the object's events are spam (no correlation)."""
        event = correlation.event
        namespace = event["metadata"]["namespace"]
        try:
            if correlation.patch is not None and self._patched(namespace, event["metadata"]["name"],
                                                               correlation.patch):
                return
            self.client.request("POST", f"/api/v1/namespaces/{namespace}/events", event)
        except Exception as error:  # noqa: BLE001 - any failure (a refusal, a cut connection) is only logged
            self.log(f"event {event['reason']} about {event['involvedObject'].get('name')}: {error}")

    def _patched(self, namespace: str, name: str, patch: dict) -> bool:
        """False when the event patched is gone (expired): then it is written anew."""
        try:
            self.client.request_patch(f"/api/v1/namespaces/{namespace}/events/{name}", patch)
            return True
        except APIStatusError as error:
            if error.code != 404:
                raise
            return False
