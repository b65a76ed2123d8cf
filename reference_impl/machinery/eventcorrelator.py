"""What client-go's event recorder does with each core/v1 Event before it writes it
(tools/record/events_cache.go), as plain code with the clock passed in:

- aggregate: the 10th event in 10 minutes that differs from the others about the same object only
  by its message becomes one event `(combined from similar events): <message>`;
- observe: an event seen before (same source, object, reason, message) is a PATCH of the one
  written then, its count and lastTimestamp bumped, not a new object;
- filter spam: a source may write 25 events about one object, then one more each 5 minutes.

`correlate` answers what to write; the adapter writes it. (client-go then keeps the server's
resourceVersion with `UpdateState`; these events are patched without one, and named here, so
there is nothing of the answer to keep.)
"""
from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field

from reference_impl.client.flowcontrol import TokenBucketRateLimiter
from reference_impl.machinery.clock import Clock
from reference_impl.machinery.timefmt import rfc3339
from reference_impl.mirrors import mirrors

MAX_LRU_CACHE_ENTRIES = 4096
AGGREGATE_MAX_EVENTS = 10
AGGREGATE_INTERVAL_SECONDS = 600
SPAM_BURST = 25
SPAM_QPS = 1.0 / 300.0


@dataclass(frozen=True)
class Correlation:
    """The event to write and, for one seen before, the merge patch of the one written then."""

    event: dict
    patch: dict | None = None


class _LRU(OrderedDict):
    """golang-lru's Cache: the least recently used entry goes when it is full."""

    def get_recent(self, key):
        if key in self:
            self.move_to_end(key)
            return self[key]
        return None

    def put(self, key, value) -> None:
        self[key] = value
        self.move_to_end(key)
        if len(self) > MAX_LRU_CACHE_ENTRIES:
            self.popitem(last=False)


@dataclass
class _Aggregate:
    local_keys: set = field(default_factory=set)
    last: float = 0.0


def _involved(event: dict, *fields: str) -> list[str]:
    involved = event.get("involvedObject") or {}
    return [str(involved.get(name, "")) for name in fields]


def event_key(event: dict) -> str:
    source = event.get("source") or {}
    return "".join([source.get("component", ""), source.get("host", ""),
                    *_involved(event, "kind", "namespace", "name", "fieldPath", "uid", "apiVersion"),
                    event.get("type", ""), event.get("reason", ""), event.get("message", "")])


def _aggregate_key(event: dict) -> tuple[str, str]:
    """EventAggregatorByReasonFunc: the key without the message, and the message."""
    source = event.get("source") or {}
    return "".join([source.get("component", ""), source.get("host", ""),
                    *_involved(event, "kind", "namespace", "name", "uid", "apiVersion"),
                    event.get("type", ""), event.get("reason", "")]), event.get("message", "")


def _spam_key(event: dict) -> str:
    source = event.get("source") or {}
    return "".join([source.get("component", ""), source.get("host", ""),
                    *_involved(event, "kind", "namespace", "name", "uid", "apiVersion")])


class EventCorrelator:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self._aggregates = _LRU()
        self._seen = _LRU()  # event key -> the last written Event's count, firstTimestamp, name
        self._spam = _LRU()

    @mirrors("(*k8s.io/client-go/tools/record.EventCorrelator).EventCorrelate")
    def correlate(self, event: dict) -> Correlation | None:
        """What to write for `event` (a new Event, or a PATCH of the one before); None when the
        spam filter drops it."""
        event, key = self._aggregate(event)
        correlation = self._observe(event, key)
        return None if self._spam_filtered(correlation.event) else correlation

    @mirrors("(*k8s.io/client-go/tools/record.EventAggregator).EventAggregate")
    def _aggregate(self, event: dict) -> tuple[dict, str]:
        now = self.clock.now()
        aggregate_key, local_key = _aggregate_key(event)
        record = self._aggregates.get_recent(aggregate_key)
        if record is None or now - record.last > AGGREGATE_INTERVAL_SECONDS:
            record = _Aggregate()
        record.local_keys.add(local_key)
        record.last = now
        self._aggregates.put(aggregate_key, record)
        if len(record.local_keys) < AGGREGATE_MAX_EVENTS:
            return event, event_key(event)
        record.local_keys.pop()
        stamp = rfc3339(now)
        combined = {**event, "message": "(combined from similar events): " + event.get("message", ""),
                    "metadata": {"name": f"{event['involvedObject']['name']}.{int(now * 1e9):x}",
                                 "namespace": event["metadata"]["namespace"]},
                    "count": 1, "firstTimestamp": stamp, "lastTimestamp": stamp}
        return combined, aggregate_key

    @mirrors("(*k8s.io/client-go/tools/record.eventLogger).eventObserve")
    def _observe(self, event: dict, key: str) -> Correlation:
        seen = self._seen.get_recent(key)
        if seen is None:
            self._seen.put(key, {"count": event.get("count", 1), "firstTimestamp": event.get("firstTimestamp"),
                                 "name": event["metadata"]["name"]})
            return Correlation(event)
        count = seen["count"] + 1
        event = {**event, "count": count, "firstTimestamp": seen["firstTimestamp"],
                 "metadata": {**event["metadata"], "name": seen["name"]}}
        self._seen.put(key, {**seen, "count": count})
        return Correlation(event, {"count": count, "lastTimestamp": event.get("lastTimestamp"),
                                   "message": event.get("message", "")})

    @mirrors("(*k8s.io/client-go/tools/record.EventSourceObjectSpamFilter).Filter")
    def _spam_filtered(self, event: dict) -> bool:
        key = _spam_key(event)
        bucket = self._spam.get_recent(key) or TokenBucketRateLimiter(SPAM_QPS, SPAM_BURST, self.clock.now)
        accepted = bucket.try_accept()
        self._spam.put(key, bucket)
        return not accepted
