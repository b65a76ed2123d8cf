"""client-go's event recorder (reference_impl.client.record) over a fake REST client, one rule per
test: how an Event is made, counted, re-created when its predecessor has expired, dropped on a
refusal and tried again when cut off."""
from __future__ import annotations

import http.client
import random
import threading

from reference_impl.client import APIStatusError
from reference_impl.client.record import EventRecorder
from reference_impl.machinery.clock import ManualClock

DEPLOYMENT = {"kind": "Deployment", "namespace": "ns", "name": "web", "uid": "u-1", "apiVersion": "apps/v1"}


class FakeClient:
    timeout = 30.0  # seconds, as RestClient's

    def __init__(self, refuse: dict | None = None) -> None:
        self.requests: list[tuple] = []
        self.refuse = refuse or {}  # method -> the code it is refused with

    def _answer(self, method: str, path: str, body: dict | None) -> dict:
        self.requests.append((method, path, body))
        if method in self.refuse:
            raise APIStatusError(method, path, self.refuse[method], {"message": "refused"})
        return body or {}

    def request(self, method, path, body=None):
        return self._answer(method, path, body)

    def request_patch(self, path, patch):
        return self._answer("PATCH", path, patch)


def test_an_event_is_named_after_its_object_and_the_time_in_hex_nanoseconds():
    """makeEvent: `<name>.<unix nanoseconds in hex>`, in the object's namespace, count 1, the
    source's component and no reportingComponent (client-go 1.24 sets none)."""
    client = FakeClient()
    EventRecorder(client, ManualClock(1_700_000_000.5)).event(
        DEPLOYMENT, "Normal", "ScalingReplicaSet", "Scaled up replica set web-1 to 1", "deployment-controller")
    ((method, path, event),) = client.requests
    assert (method, path) == ("POST", "/api/v1/namespaces/ns/events")
    assert event["metadata"] == {"name": f"web.{1_700_000_000_500_000_000:x}", "namespace": "ns"}
    assert (event["source"], event["count"], event["firstTimestamp"]) == (
        {"component": "deployment-controller"}, 1, "2023-11-14T22:13:20Z")
    assert "reportingComponent" not in event


def test_an_object_without_a_namespace_has_its_events_in_default():
    client = FakeClient()
    EventRecorder(client, ManualClock()).event({"kind": "Node", "name": "n1", "uid": "u-n1", "apiVersion": "v1"},
                                               "Normal", "RegisteredNode", "m", "node-controller")
    assert client.requests[0][1] == "/api/v1/namespaces/default/events"


def test_the_same_event_again_patches_the_count_of_the_first():
    client = FakeClient()
    clock = ManualClock(100.0)
    recorder = EventRecorder(client, clock)
    recorder.event(DEPLOYMENT, "Normal", "R", "m", "c")
    clock.advance(1)
    recorder.event(DEPLOYMENT, "Normal", "R", "m", "c")
    first_name = client.requests[0][2]["metadata"]["name"]
    method, path, patch = client.requests[1]
    assert (method, path, patch["count"]) == ("PATCH", f"/api/v1/namespaces/ns/events/{first_name}", 2)


def test_a_patch_of_an_expired_event_writes_it_anew():
    client = FakeClient(refuse={"PATCH": 404})
    recorder = EventRecorder(client, ManualClock())
    recorder.event(DEPLOYMENT, "Normal", "R", "m", "c")
    recorder.event(DEPLOYMENT, "Normal", "R", "m", "c")
    assert [(m, body.get("count")) for m, _, body in client.requests] == [("POST", 1), ("PATCH", 2), ("POST", 2)]


def test_a_refused_event_is_logged_and_dropped_not_raised():
    """Upstream's recorder is fire-and-forget: the caller never sees an event's failure."""
    logged = []
    EventRecorder(FakeClient(refuse={"POST": 403}), ManualClock(), logged.append).event(
        DEPLOYMENT, "Warning", "FailedCreate", "m", "c")
    assert len(logged) == 1 and "FailedCreate" in logged[0]


def test_a_cut_connection_while_writing_is_logged_not_raised():
    """http.client's errors (IncompleteRead, BadStatusLine) are no OSError: they must not reach the
    controller whose sync asked for the event."""
    class CutClient(FakeClient):
        def request(self, method, path, body=None):
            raise http.client.IncompleteRead(b"")

    logged, stopped = [], threading.Event()
    EventRecorder(CutClient(), ManualClock(), logged.append, sleep=lambda _seconds: stopped.wait(5)).event(
        DEPLOYMENT, "Normal", "R", "m", "c")
    assert len(logged) == 1 and "IncompleteRead" in logged[0]
    stopped.set()


class FlakyClient(FakeClient):
    """Its first `failures` requests fail as a cut connection does; then a PATCH finds no event
    when `expired`."""

    def __init__(self, failures: int, expired: bool = False) -> None:
        super().__init__(refuse={"PATCH": 404} if expired else None)
        self.failures = failures

    def _answer(self, method, path, body):
        if self.failures:
            self.failures -= 1
            self.requests.append((method, path, body))
            raise ConnectionResetError("connection reset by peer")
        return super()._answer(method, path, body)


def retried(client, sleep, log=None, seed=7):
    """A recorder whose retries sleep with `sleep` (its random source seeded), and a wait for its
    retry threads to end."""
    recorder = EventRecorder(client, ManualClock(100.0), log, sleep=sleep, rng=random.Random(seed))

    def settle():
        for thread in threading.enumerate():
            if thread.name == "event-retry":
                thread.join(5)
    return recorder, settle


def test_a_write_cut_off_is_tried_again_first_after_a_random_sleep_then_after_ten_seconds():
    """recordToSink: a failure that is not the server's answer (a cut connection) is tried again;
    the first sleep is a random part of 10 s, so that clients do not come back in step, each later
    one 10 s (not jittered, unlike tools/events)."""
    client, sleeps = FlakyClient(failures=3), []
    recorder, settle = retried(client, sleeps.append, seed=7)
    recorder.event(DEPLOYMENT, "Normal", "R", "m", "c")
    settle()
    assert [method for method, _path, _body in client.requests] == ["POST"] * 4
    assert sleeps == [10.0 * random.Random(7).random(), 10.0, 10.0]


def test_an_event_is_tried_twelve_times_at_most_and_a_refused_one_once():
    """maxTriesPerEvent is 12 (11 sleeps), then the event is dropped with a log line; a write the
    server refuses (a StatusError, a 500 too) is dropped at once."""
    client, sleeps, logged = FlakyClient(failures=100), [], []
    recorder, settle = retried(client, sleeps.append, logged.append)
    recorder.event(DEPLOYMENT, "Normal", "R", "m", "c")
    settle()
    assert (len(client.requests), len(sleeps)) == (12, 11)
    assert "retry limit exceeded" in logged[-1]
    refused, sleeps = FakeClient(refuse={"POST": 500}), []
    EventRecorder(refused, ManualClock(), sleep=sleeps.append).event(DEPLOYMENT, "Normal", "R", "m", "c")
    assert (len(refused.requests), sleeps) == (1, [])


def test_a_count_patch_retried_after_its_event_expired_becomes_a_create():
    """recordEvent: an aggregated event's PATCH that is cut off is tried again; when the event
    it patches is gone by then (404) the retry creates it, with the count reached."""
    client = FlakyClient(failures=0, expired=True)
    recorder, settle = retried(client, lambda _seconds: None)
    recorder.event(DEPLOYMENT, "Normal", "R", "m", "c")
    client.failures = 1
    recorder.event(DEPLOYMENT, "Normal", "R", "m", "c")
    settle()
    assert [(method, body.get("count")) for method, _path, body in client.requests] == [
        ("POST", 1), ("PATCH", 2), ("PATCH", 2), ("POST", 2)]


def test_the_caller_does_not_wait_for_the_retries():
    """A controller's sync that records an event while the server is away goes on at once; the
    event is written once the server is back, and a repeat of it only after that write."""
    client, back = FlakyClient(failures=1), threading.Event()
    recorder, settle = retried(client, lambda _seconds: back.wait(5))
    recorder.event(DEPLOYMENT, "Normal", "R", "m", "c")  # returns while the retry sleeps
    assert len(client.requests) == 1
    back.set()
    settle()
    assert [method for method, _path, _body in client.requests] == ["POST", "POST"]


def test_two_events_at_the_same_clock_reading_get_different_names():
    client = FakeClient()
    recorder = EventRecorder(client, ManualClock(1_700_000_000.0))
    recorder.event(DEPLOYMENT, "Normal", "A", "m", "c")
    recorder.event(DEPLOYMENT, "Normal", "B", "m", "c")
    names = [body["metadata"]["name"] for _, _, body in client.requests]
    assert names == [f"web.{1_700_000_000_000_000_000:x}", f"web.{1_700_000_000_000_000_001:x}"]



class SlowPostClient(FakeClient):
    """The first POST waits for `release`, as one held up on the wire; the rest answer at once.
    `patched` is set once a PATCH has been answered."""

    def __init__(self) -> None:
        super().__init__()
        self.posting, self.release, self.patched = threading.Event(), threading.Event(), threading.Event()

    def request(self, method, path, body=None):
        if not self.posting.is_set():
            self.posting.set()
            self.release.wait(5)
        return super().request(method, path, body)

    def request_patch(self, path, patch):
        answer = super().request_patch(path, patch)
        self.patched.set()
        return answer


def post_then_repeat(client: SlowPostClient) -> tuple[threading.Thread, threading.Thread]:
    """An event recorded from one thread, its POST held on the wire, and its repeat a second later
    from another thread: both threads started."""
    clock = ManualClock(100.0)
    recorder = EventRecorder(client, clock)
    first = threading.Thread(target=recorder.event, args=(DEPLOYMENT, "Normal", "R", "m", "c"))
    first.start()
    assert client.posting.wait(5)
    clock.advance(1)
    repeat = threading.Thread(target=recorder.event, args=(DEPLOYMENT, "Normal", "R", "m", "c"))
    repeat.start()
    return first, repeat


def test_a_repeats_count_patch_waits_for_the_post_of_its_event():
    """A repeat recorded from another thread while its event's POST is still on the wire sends its
    PATCH only after that POST: the server sees the event created, then counted."""
    client = SlowPostClient()
    first, repeat = post_then_repeat(client)
    repeat.join(0.3)
    client.release.set()
    first.join(5)
    repeat.join(5)
    assert [method for method, _path, _body in client.requests] == ["POST", "PATCH"]


def test_events_of_other_objects_do_not_wait_for_each_other():
    """Only the writes of one Event are ordered: another object's event is written while the
    first one's POST is still on the wire."""
    client = SlowPostClient()
    recorder = EventRecorder(client, ManualClock(100.0))
    first = threading.Thread(target=recorder.event, args=(DEPLOYMENT, "Normal", "R", "m", "c"))
    first.start()
    assert client.posting.wait(5)
    other = threading.Thread(target=recorder.event, args=({**DEPLOYMENT, "name": "api", "uid": "u-2"},
                                                          "Normal", "R", "m", "c"))
    other.start()
    other.join(5)
    assert not other.is_alive() and [body["involvedObject"]["name"] for _m, _p, body in client.requests] == ["api"]
    client.release.set()
    first.join(5)


def test_a_repeat_of_an_event_on_the_wire_returns_at_once_and_is_written_after_it():
    """The caller of a repeat never waits for its event's POST, however slow the apiserver: the
    repeat is queued, and its PATCH goes once that POST is answered, by the thread that sent it."""
    client = SlowPostClient()
    client.timeout = 0.2
    first, repeat = post_then_repeat(client)
    repeat.join(3)
    assert not repeat.is_alive() and client.requests == []
    client.release.set()
    first.join(5)
    client.patched.wait(5)
    assert [method for method, _path, _body in client.requests] == ["POST", "PATCH"]


class HeldPatchClient(SlowPostClient):
    """As SlowPostClient, and every PATCH waits for `patch_release`."""

    def __init__(self) -> None:
        super().__init__()
        self.patch_release = threading.Event()

    def request_patch(self, path, patch):
        self.patch_release.wait(5)
        return super().request_patch(path, patch)


def test_a_caller_returns_once_its_own_write_is_answered_not_the_repeats_queued_behind_it():
    """No caller writes another's: the writes queued behind a caller's while it was on the wire
    are made by a thread of their own, so a controller repeating an event cannot keep the first
    caller inside event() (upstream's callers only hand their events over)."""
    client = HeldPatchClient()
    first, repeat = post_then_repeat(client)
    repeat.join(5)
    client.release.set()
    first.join(2)
    alive = first.is_alive()
    client.patch_release.set()
    first.join(5)
    assert not alive


def test_a_repeat_of_an_event_being_retried_returns_at_once_and_is_written_after_it():
    """A repeat of an event whose POST was cut off and waits to be tried again does not wait for
    the retry, and is written after it, as upstream's one writing goroutine orders them: created
    with count 1, then counted 2."""
    client, back = FlakyClient(failures=1), threading.Event()
    client.timeout = 0.2
    recorder, settle = retried(client, lambda _seconds: back.wait(5))
    recorder.event(DEPLOYMENT, "Normal", "R", "m", "c")
    recorder.event(DEPLOYMENT, "Normal", "R", "m", "c")
    assert len(client.requests) == 1
    back.set()
    settle()
    assert [(method, body.get("count")) for method, _path, body in client.requests] == [
        ("POST", 1), ("POST", 1), ("PATCH", 2)]


def test_a_2xx_answer_that_is_not_an_object_is_logged_as_a_failed_write():
    """A body that does not decode into an Event is a failed write, logged, not the server's answer."""
    class ListClient(FakeClient):
        def request(self, method, path, body=None):
            super().request(method, path, body)
            return ["not", "an", "event"]

    logged, stopped = [], threading.Event()
    EventRecorder(ListClient(), ManualClock(), logged.append, sleep=lambda _seconds: stopped.wait(5)).event(
        DEPLOYMENT, "Normal", "R", "m", "c")
    assert len(logged) == 1 and "not an Event object" in logged[0] and "may retry" in logged[0]
    stopped.set()
