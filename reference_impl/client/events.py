"""client-go's events.k8s.io/v1 recorder (tools/events), the one kube-scheduler makes with
NewEventBroadcasterAdapter: each event is an eventsv1.Event with an action, a reporting
controller and instance, about `regarding` (and `related`); an event isomorphic to one in the
cache (same action, reason, reporting controller, regarding and related) makes that one a series,
whose count and lastObservedTime are written by a strategic merge PATCH (a new Event when the one
patched is gone), once when the series starts and then only when the series is refreshed (every
30 minutes) or finished (every 6 minutes, when last observed over 6 minutes ago); later repeats
only count in the cache.

A server without events.k8s.io/v1 (discovery fails) gets core/v1 Events from the record module's
recorder, as the adapter falls back to its legacy recorder, which drops the action and related.

A write the server refuses (an API status) is logged and dropped; any other failure (a cut
connection, an answer that is not an Event) is tried again on a thread of its own (the record
module's `Retries`), up to 12 tries in all, sleeping 10 s plus up to a quarter more between tries
(attemptRecording); finishing and refreshing try once and keep a series whose write may be
retried. The writes of one Event keep their order.
"""
from __future__ import annotations

import random
import socket
import threading
import time
from collections.abc import Callable

from reference_impl.client import APIStatusError
from reference_impl.client.record import (SLEEP_DURATION, EventRecorder, Retries, WritesInOrder, event_about,
                                          write_outcome)
from reference_impl.machinery.actions import RecordEvent
from reference_impl.machinery.clock import Clock
from reference_impl.machinery.timefmt import micro_time
from reference_impl.mirrors import mirrors

GROUP_VERSION = "events.k8s.io/v1"
FINISH_TIME = 6 * 60.0  # seconds: how often series are finished, and how old a finished one is
REFRESH_TIME = 30 * 60.0  # seconds: how often every open series is written again


@mirrors("(*k8s.io/client-go/tools/events.recorderImpl).makeEvent")
def make_event(regarding: dict, related: dict | None, now: float, nanoseconds: int, type_: str, reason: str,
               note: str, reporting_controller: str, reporting_instance: str, action: str) -> dict:
    """The Event named `<regarding>.<unix nanoseconds in hex>`, in the default namespace when the
    object it is about has none (a Node)."""
    event = {"apiVersion": GROUP_VERSION, "kind": "Event",
             "metadata": {"name": f"{regarding['name']}.{nanoseconds:x}",
                          "namespace": regarding.get("namespace") or "default"},
             "eventTime": micro_time(now), "reportingController": reporting_controller,
             "reportingInstance": reporting_instance, "action": action, "reason": reason,
             "regarding": regarding, "note": note, "type": type_}
    if related is not None:
        event["related"] = related
    return event


@mirrors("k8s.io/client-go/tools/events.getKey")
def event_key(event: dict) -> tuple:
    """What makes two events isomorphic: the ObjectReferences compared field by field (their
    resourceVersion too, so an object changed in between starts a new event)."""
    return (event.get("action", ""), event.get("reason", ""), event.get("reportingController", ""),
            tuple(sorted(event["regarding"].items())), tuple(sorted((event.get("related") or {}).items())))


@mirrors("k8s.io/client-go/tools/events.createPatchBytesForSeries")
def series_patch(event: dict) -> dict:
    """The two-way strategic merge patch from the event without its series to the event: the
    series alone (EventSeries has no patch strategy, so it is written whole)."""
    return {"series": event["series"]}


class EventsRecorder:
    """One process's events.k8s.io/v1 broadcaster and its recorder; `record` takes a core's
    RecordEvent, whose component is the reporting controller (a scheduler profile's name)."""

    def __init__(self, client, clock: Clock, hostname: str | None = None, log=None, sleep=time.sleep,
                 rng: random.Random | None = None) -> None:
        self.client, self.clock = client, clock
        self.rng = rng or random.Random()
        self.hostname = socket.gethostname() if hostname is None else hostname
        self.log = log or (lambda _message: None)
        self.retries = Retries(sleep, self.log)
        self._lock = threading.Lock()
        self._cache: dict[tuple, dict] = {}  # eventKey → the Event last written (or being written)
        self._last_nanoseconds = 0
        self._in_order = WritesInOrder(self.retries, self._pause)

    @mirrors("(*k8s.io/client-go/tools/events.recorderImpl).Eventf")
    def record(self, event: RecordEvent, host: str = "") -> None:
        with self._lock:
            now = self.clock.now()
            # A float clock holds ~256 ns at today's epoch: two events within that would share a name.
            self._last_nanoseconds = max(int(now * 1e9), self._last_nanoseconds + 1)
            made = make_event(event.involved, event.related, now, self._last_nanoseconds, event.type,
                              event.reason, event.message, event.component,
                              f"{event.component}-{self.hostname}", event.action)
            to_write = self._observe(made, now)
            now_write = self._queue_write(to_write) if to_write is not None else None
        if now_write is not None:
            self._in_order.write_from(now_write[0], now_write[1])

    @mirrors("(*k8s.io/client-go/tools/events.eventBroadcasterImpl).recordToSink")
    def _observe(self, event: dict, now: float) -> dict | None:
        """The event to write for one observed (None: only counted in its series)."""
        key = event_key(event)
        isomorphic = self._cache.get(key)
        if isomorphic is None:
            self._cache[key] = event
            return event
        if isomorphic.get("series") is not None:
            isomorphic["series"] = {"count": isomorphic["series"]["count"] + 1, "lastObservedTime": micro_time(now)}
            return None
        # Upstream starts a series at count 1, whatever the events seen before it.
        isomorphic["series"] = {"count": 1, "lastObservedTime": micro_time(now)}
        return isomorphic

    def _queue_write(self, event: dict) -> tuple | None:
        """Queue the write of what `event` is now behind the writes of its Event before it; the
        Event's key and the write to make at once, when none of it is under way."""
        key = (event["metadata"]["namespace"], event["metadata"]["name"])
        snapshot = {**event, "metadata": dict(event["metadata"])}
        item = self._in_order.queue(key, event_about(snapshot), lambda: self._write(snapshot), self._written)
        return (key, item) if item is not None else None

    def _written(self, written: dict | None) -> None:
        """One write of an Event is over: the server's answer replaces the cached one, as upstream's."""
        if written is not None:
            with self._lock:
                self._cache[event_key(written)] = written

    def _pause(self, _tries: int) -> float:
        """The sleep after a failure: wait.Jitter(SLEEP_DURATION, 0.25)."""
        return SLEEP_DURATION * (1 + 0.25 * self.rng.random())

    @mirrors("k8s.io/client-go/tools/events.recordEvent")
    def _write(self, event: dict) -> tuple[dict | None, bool]:
        """A series as a PATCH (a POST when the event patched is gone), else a POST: (what the
        server answered or None, whether a failed write is worth trying again: not when the
        server refused it)."""
        namespace, name = event["metadata"]["namespace"], event["metadata"]["name"]

        def send() -> dict:
            if event.get("series") is not None:
                try:
                    return self.client.request(
                        "PATCH", f"/apis/{GROUP_VERSION}/namespaces/{namespace}/events/{name}",
                        series_patch(event), "application/strategic-merge-patch+json") or event
                except APIStatusError as error:
                    if error.code != 404:
                        raise
            created = {**event, "metadata": {k: v for k, v in event["metadata"].items() if k != "resourceVersion"}}
            return self.client.request("POST", f"/apis/{GROUP_VERSION}/namespaces/{namespace}/events",
                                       created) or created
        return write_outcome(send, event, self.log)

    @mirrors("(*k8s.io/client-go/tools/events.eventBroadcasterImpl).finishSeries")
    def finish_series(self) -> None:
        """Write, and forget, each series last observed over FINISH_TIME ago; forget each single
        event made that long ago."""
        cutoff = micro_time(self.clock.now() - FINISH_TIME)
        with self._lock:
            old = [(key, event) for key, event in self._cache.items()
                   if (event["series"]["lastObservedTime"] if event.get("series") else event["eventTime"]) < cutoff]
            for key, event in old:
                if not event.get("series"):
                    del self._cache[key]
        for key, event in old:
            if event.get("series"):
                self._write_once_in_order(event, lambda _written, retry, key=key: retry or self._forget(key))

    def _forget(self, key: tuple) -> None:
        with self._lock:
            self._cache.pop(key, None)

    @mirrors("(*k8s.io/client-go/tools/events.eventBroadcasterImpl).refreshExistingEventSeries")
    def refresh_series(self) -> None:
        """Write every open series again, so that it outlives the events' TTL on the server."""
        with self._lock:
            series = [(key, event) for key, event in self._cache.items() if event.get("series")]
        for key, event in series:
            self._write_once_in_order(event, lambda written, _retry, key=key: self._cache_written(key, written))

    def _cache_written(self, key: tuple, written: dict | None) -> None:
        if written is not None:
            with self._lock:
                self._cache[key] = written

    def _write_once_in_order(self, event: dict, finish: Callable[[dict | None, bool], object]) -> None:
        """Write `event` once (finishSeries and refreshExistingEventSeries do not try again),
        behind the writes of its Event asked for before, so that a series is not counted on the
        server before its Event is created; `finish(written, worth_retrying)` after."""
        key = (event["metadata"]["namespace"], event["metadata"]["name"])
        snapshot = {**event, "metadata": dict(event["metadata"])}
        outcome: list = []

        def write() -> tuple[dict | None, bool]:
            outcome[:] = self._write(snapshot)
            return outcome[0], False
        with self._lock:
            item = self._in_order.queue(key, event_about(snapshot), write, lambda _written: finish(*outcome))
        if item is not None:
            self._in_order.write_from(key, item)


@mirrors("k8s.io/client-go/tools/events.NewEventBroadcasterAdapter")
def new_recorder(client, clock: Clock, log=None, sleep=time.sleep):
    """An EventsRecorder when discovery finds events.k8s.io/v1 on the server, else the core/v1
    recorder (both take a RecordEvent through `record`). `sleep` waits between an event's tries
    (a stop event's `wait`, so that stopping does not wait out the tries)."""
    try:
        client.request("GET", f"/apis/{GROUP_VERSION}")
    except Exception:  # noqa: BLE001 - any discovery failure means the legacy recorder, as upstream
        return EventRecorder(client, clock, log, sleep=sleep)
    return EventsRecorder(client, clock, log=log, sleep=sleep)
