"""client-go's core/v1 event recorder (tools/record), shared by the kubelet, the scheduler and the
controller-manager: an event is made as `recorderImpl.makeEvent` makes it, passed through the
correlator (machinery.eventcorrelator: aggregation, counting, the spam filter) and written as a
new Event or a PATCH of the count of the one written before.

Upstream's recorder is fire-and-forget: `event` reports a failure only to the log and never
raises. A write the server refuses (an API status) is dropped; any other failure (a cut
connection, an answer that is not an Event) is tried again, up to 12 tries in all, the first sleep
a random part of 10 s (so that clients do not come back in step) and the others 10 s
(recordToSink). Upstream's core/v1 broadcaster writes a process's events one at a time from one
goroutine, so a retried event holds up the ones after it (events.k8s.io's recordToSink instead
starts a goroutine per event); here each caller's thread writes its own, only the correlation
under a lock, and an event tried again waits on a thread of its own (`Retries`, shared with the
events.k8s.io recorder), so that neither a controller's sync nor another object's event sleeps
out the server's absence. The writes of one Event (its POST, then the PATCHes of its count) keep
the order the correlator gave them, as core/v1's one goroutine keeps them, and no caller makes
another's write (`WritesInOrder`).
"""
from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable

from reference_impl.client import APIStatusError
from reference_impl.client.rest import RestClient
from reference_impl.machinery.actions import RecordEvent
from reference_impl.machinery.clock import Clock
from reference_impl.machinery.eventcorrelator import EventCorrelator
from reference_impl.machinery.timefmt import rfc3339
from reference_impl.mirrors import mirrors

MAX_TRIES_PER_EVENT = 12  # maxTriesPerEvent, of both recorders
SLEEP_DURATION = 10.0  # seconds: defaultSleepDuration, of both recorders
MAX_RETRYING = 1000  # events waiting to be tried again at once: the broadcaster's queue length


class Retries:
    """The events of one recorder whose write is being tried again, each on a thread of its own
    (upstream's tools/events starts a goroutine per event; tools/record's one goroutine is not
    copied, see the module's docstring)."""

    def __init__(self, sleep: Callable[[float], object], log: Callable[[str], None]) -> None:
        self.sleep, self.log = sleep, log
        self._lock = threading.Lock()
        self._running = 0

    def start(self, about: str, write: Callable[[], tuple[dict | None, bool]], pause: Callable[[int], float],
              finish: Callable[[dict | None], None]) -> bool:
        """Try `write` (answering what was written and whether a failure is worth another try)
        again on a thread, `pause(tries failed)` seconds after each failure, the one before this
        call counted; `finish` gets what was written, or None. False, the event dropped and
        `finish` not called, when MAX_RETRYING events are already waiting (upstream's
        broadcaster drops events when its queue is full)."""
        with self._lock:
            if self._running >= MAX_RETRYING:
                self.log(f"event {about}: dropped, {MAX_RETRYING} events are already being retried")
                return False
            self._running += 1

        def retry() -> None:
            written = None
            try:
                written = self._attempt(about, write, pause)
            finally:
                with self._lock:
                    self._running -= 1
                finish(written)
        threading.Thread(target=retry, name="event-retry", daemon=True).start()
        return True

    @mirrors("(*k8s.io/client-go/tools/events.eventBroadcasterImpl).attemptRecording")
    def _attempt(self, about: str, write, pause) -> dict | None:
        """What was written, or None once the server refused it or the tries ran out."""
        tries = 1
        while True:
            self.sleep(pause(tries))
            written, retry = write()
            if not retry:
                return written
            tries += 1
            if tries >= MAX_TRIES_PER_EVENT:
                self.log(f"event {about}: retry limit exceeded")
                return None


class WritesInOrder:
    """The writes of each Event (by namespace and name) in the order they were asked for, no
    caller making another's: a write asked for while one of its Event is on the wire or being
    tried again is queued, and made next by a thread handed the queue (or by the retry thread of
    the write before it)."""

    def __init__(self, retries: Retries, pause: Callable[[int], float]) -> None:
        self.retries, self.pause = retries, pause
        self._lock = threading.Lock()
        self._queued: dict[tuple[str, str], deque] = {}  # an Event being written → the writes behind it

    def queue(self, key: tuple[str, str], about: str, write: Callable[[], tuple[dict | None, bool]],
              finish: Callable[[dict | None], None]) -> tuple | None:
        """Queue `write` (as `Retries.start` takes it) behind the writes of `key` asked for before
        it, `finish` to get what it wrote (None when dropped). Called in the order the writes are
        made up; answers the write for the caller to make at once with `write_from` when none of
        its Event is under way, else None."""
        item = (about, write, finish)
        with self._lock:
            if key in self._queued:
                self._queued[key].append(item)
                return None
            self._queued[key] = deque()
        return item

    def write_from(self, key: tuple[str, str], item: tuple) -> None:
        """Make `item`, the caller's own write; the writes of `key` queued behind it meanwhile are
        made by a thread of their own (or by its retry thread, when it is cut off), so that the
        caller returns without writing another's."""
        if not self._make(key, item):
            self._hand_off(key)

    def _make(self, key: tuple[str, str], item: tuple) -> bool:
        """Make one write; True when it was cut off and is being tried again, its retry thread
        going on with the writes behind it once done."""
        about, write, finish = item

        def retried(written) -> None:
            finish(written)
            self._drain(key, self._next(key))
        written, retry = write()
        if retry and self.retries.start(about, write, self.pause, retried):
            return True
        finish(written)
        return False

    def _hand_off(self, key: tuple[str, str]) -> None:
        item = self._next(key)
        if item is not None:
            threading.Thread(target=self._drain, args=(key, item), name="event-writes", daemon=True).start()

    def _drain(self, key: tuple[str, str], item: tuple | None) -> None:
        """Make `item` and the writes of `key` queued behind it, until one is cut off."""
        while item is not None and not self._make(key, item):
            item = self._next(key)

    def _next(self, key: tuple[str, str]) -> tuple | None:
        """The write queued next behind `key`'s, or None (the Event no longer being written)."""
        with self._lock:
            queued = self._queued[key]
            if queued:
                return queued.popleft()
            del self._queued[key]
            return None


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

    def __init__(self, client: RestClient, clock: Clock, log=None, sleep=time.sleep,
                 rng: random.Random | None = None) -> None:
        self.client, self.clock = client, clock
        self.log = log or (lambda _message: None)
        self.rng = rng or random.Random()
        self.retries = Retries(sleep, self.log)
        self.correlator = EventCorrelator(clock)
        self._lock = threading.Lock()  # the correlator's caches and the last name, written from several threads
        self._last_nanoseconds = 0
        self._in_order = WritesInOrder(self.retries, self._pause)

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
            now_write = self._in_order.queue(key, event_about(correlation.event), lambda: self._write(correlation),
                                             lambda _written: None)
        if now_write is not None:
            self._in_order.write_from(key, now_write)

    @mirrors("k8s.io/client-go/tools/record.recordToSink")
    def _pause(self, tries: int) -> float:
        """The sleep after the `tries`th failure: the first a random part of SLEEP_DURATION."""
        return SLEEP_DURATION * self.rng.random() if tries == 1 else SLEEP_DURATION

    def record(self, event: RecordEvent, host: str = "") -> None:
        """A core's RecordEvent; `host` is the kubelet's node name, the source.host of its events."""
        self.event(event.involved, event.type, event.reason, event.message, event.component, host)

    @mirrors("k8s.io/client-go/tools/record.recordEvent")
    def _write(self, correlation) -> tuple[dict | None, bool]:
        """A new Event, or a PATCH of the count of one seen before (a new one when that has
        expired): (what the server answered or None, whether a failure is worth trying again:
        not when the server refused it)."""
        event = correlation.event
        namespace = event["metadata"]["namespace"]

        def send() -> dict:
            if correlation.patch is not None:
                patched = self._patched(namespace, event["metadata"]["name"], correlation.patch)
                if patched is not None:
                    return patched
            return self.client.request("POST", f"/api/v1/namespaces/{namespace}/events", event) or event
        return write_outcome(send, event, self.log)

    def _patched(self, namespace: str, name: str, patch: dict) -> dict | None:
        """The Event patched; None when it is gone (expired): then it is written anew."""
        try:
            return self.client.request_patch(f"/api/v1/namespaces/{namespace}/events/{name}", patch) or patch
        except APIStatusError as error:
            if error.code != 404:
                raise
            return None


def write_outcome(send: Callable[[], dict], event: dict, log: Callable[[str], None]) -> tuple[dict | None, bool]:
    """`send()`, one write of `event`, as both recorders judge it: (what the server answered,
    False); a refusal (an API status) logged and not tried again, (None, False); any other
    failure (a cut connection, a malformed answer) logged and worth another try, (None, True)."""
    try:
        written = send()
        if not isinstance(written, dict):
            # client-go fails to decode such a 2xx body into an Event: "Unable to write event".
            raise ValueError(f"the server answered a {type(written).__name__}, not an Event object")
        return written, False
    except APIStatusError as error:
        log(f"event {event_about(event)}: {error} (will not retry)")
        return None, False
    except Exception as error:  # noqa: BLE001 - a cut connection or a malformed answer: tried again
        log(f"event {event_about(event)}: {error} (may retry)")
        return None, True


def event_about(event: dict) -> str:
    """An event as the log names it: its reason and the object it is about."""
    involved = event.get("involvedObject") or event.get("regarding") or {}
    return f"{event['reason']} about {involved.get('name')}"
