"""client-go's events.k8s.io/v1 recorder (reference_impl.client.events) over a fake REST client, one
rule per test: how an Event is made, when isomorphic events become a series and how it is written,
finished and refreshed, and the fallback to core/v1 without the group."""
from __future__ import annotations

import threading

from reference_impl.client import APIStatusError
from reference_impl.client.events import FINISH_TIME, EventsRecorder, new_recorder
from reference_impl.client.record import EventRecorder
from reference_impl.machinery.actions import RecordEvent
from reference_impl.machinery.clock import ManualClock

POD = {"kind": "Pod", "namespace": "ns", "name": "p", "uid": "u-1", "apiVersion": "v1", "resourceVersion": "7"}
FAILED = RecordEvent("default-scheduler", POD, "Warning", "FailedScheduling", "0/1 nodes are available.",
                     "Scheduling")
EVENTS = "/apis/events.k8s.io/v1/namespaces/ns/events"


class FakeClient:
    timeout = 30.0  # seconds, as RestClient's

    def __init__(self, refuse: dict | None = None) -> None:
        self.requests: list[tuple] = []
        self.refuse = refuse or {}  # (method or path) -> the code it is refused with
        self.stored: dict[str, dict] = {}  # name -> Event

    def request(self, method, path, body=None, content_type="application/json"):
        self.requests.append((method, path, body, content_type))
        code = self.refuse.get(method) or self.refuse.get(path)
        if code:
            raise APIStatusError(method, path, code, {"message": "refused"})
        if method == "POST":
            self.stored[body["metadata"]["name"]] = body
            return body
        if method == "PATCH":  # the event patched, as the server answers
            return {**self.stored[path.rsplit("/", 1)[1]], **body}
        return {}


def recorder(client, start=1_700_000_000.5) -> tuple[EventsRecorder, ManualClock]:
    clock = ManualClock(start)
    return EventsRecorder(client, clock, hostname="h1"), clock


def test_an_event_carries_action_reporting_controller_and_instance():
    """makeEvent: `<regarding>.<unix nanoseconds in hex>`, eventTime a MicroTime, the reporting
    controller the recorder's name and its instance `<name>-<hostname>`, no series."""
    client = FakeClient()
    recorder(client)[0].record(FAILED)
    ((method, path, event, _),) = client.requests
    assert (method, path) == ("POST", EVENTS)
    assert event == {"apiVersion": "events.k8s.io/v1", "kind": "Event",
                     "metadata": {"name": f"p.{1_700_000_000_500_000_000:x}", "namespace": "ns"},
                     "eventTime": "2023-11-14T22:13:20.500000Z", "reportingController": "default-scheduler",
                     "reportingInstance": "default-scheduler-h1", "action": "Scheduling",
                     "reason": "FailedScheduling", "regarding": POD, "note": "0/1 nodes are available.",
                     "type": "Warning"}


def test_the_second_isomorphic_event_patches_a_series_of_count_one_the_third_only_counts():
    """recordToSink: the second starts a series (count 1) written as a strategic merge patch of the
    first; later ones only count in the cache until the series is finished or refreshed."""
    client = FakeClient()
    rec, clock = recorder(client)
    rec.record(FAILED)
    first = client.requests[0][2]["metadata"]["name"]
    clock.advance(1.0)
    rec.record(FAILED)
    clock.advance(1.0)
    rec.record(FAILED)
    assert [(m, p, b, t) for m, p, b, t in client.requests[1:]] == [
        ("PATCH", f"{EVENTS}/{first}",
         {"series": {"count": 1, "lastObservedTime": "2023-11-14T22:13:21.500000Z"}},
         "application/strategic-merge-patch+json")]


def test_an_event_about_another_resource_version_is_not_isomorphic():
    """getKey compares whole ObjectReferences: the pod changed in between, so a new Event."""
    client = FakeClient()
    rec, _ = recorder(client)
    rec.record(FAILED)
    rec.record(RecordEvent(**{**FAILED.__dict__, "involved": {**POD, "resourceVersion": "8"}}))
    assert [m for m, *_ in client.requests] == ["POST", "POST"]


def test_a_series_whose_event_is_gone_is_created_again_with_its_series():
    """recordEvent: a PATCH answered 404 becomes a POST of the event, series and all."""
    rec, _ = recorder(FakeClient())
    rec.record(FAILED)
    rec.client.refuse = {"PATCH": 404}
    rec.record(FAILED)
    assert [m for m, *_ in rec.client.requests] == ["POST", "PATCH", "POST"]
    assert rec.client.requests[-1][2]["series"]["count"] == 1


def test_finishing_writes_old_series_and_forgets_them_and_old_single_events():
    """finishSeries: a series last observed over 6 minutes ago is written with its count and
    forgotten; a single event that old is forgotten; then the same event starts over."""
    client = FakeClient()
    rec, clock = recorder(client)
    rec.record(FAILED)
    rec.record(FAILED)
    rec.record(FAILED)  # count 2, in the cache only
    rec.record(RecordEvent(**{**FAILED.__dict__, "reason": "Other"}))
    clock.advance(FINISH_TIME + 1)
    rec.finish_series()
    assert client.requests[-1][0] == "PATCH" and client.requests[-1][2]["series"]["count"] == 2
    rec.record(FAILED)
    assert client.requests[-1][0] == "POST" and "series" not in client.requests[-1][2]
    assert len(rec._cache) == 1


def test_refreshing_writes_every_open_series():
    client = FakeClient()
    rec, _ = recorder(client)
    for _ in range(3):
        rec.record(FAILED)
    rec.refresh_series()
    assert [m for m, *_ in client.requests] == ["POST", "PATCH", "PATCH"]
    assert client.requests[-1][2]["series"]["count"] == 2


def test_a_refresh_asked_for_while_its_events_post_is_on_the_wire_is_written_after_it():
    """refresh_series (and finish_series) write a series behind the writes of its Event asked for
    before: the server sees the Event created, then its series patched, never a PATCH first."""
    class HeldPost(FakeClient):
        def __init__(self) -> None:
            super().__init__()
            self.posting, self.release = threading.Event(), threading.Event()

        def request(self, method, path, body=None, content_type="application/json"):
            if method == "POST" and not self.posting.is_set():
                self.posting.set()
                self.release.wait(5)
            return super().request(method, path, body, content_type)

    client = HeldPost()
    rec, _ = recorder(client)
    first = threading.Thread(target=rec.record, args=(FAILED,))
    first.start()
    assert client.posting.wait(5)
    rec.record(FAILED)  # a series of count 1: its PATCH queued behind the POST
    refresh = threading.Thread(target=rec.refresh_series)
    refresh.start()
    refresh.join(0.3)
    client.release.set()
    for thread in (first, refresh):
        thread.join(5)
    for _ in range(100):  # the queued PATCHes go from a hand-off thread: up to 5 s
        if len(client.requests) >= 3:
            break
        threading.Event().wait(0.05)
    assert [m for m, *_ in client.requests] == ["POST", "PATCH", "PATCH"]


def test_a_server_without_events_k8s_io_v1_gets_core_v1_events():
    """NewEventBroadcasterAdapter: discovery of events.k8s.io/v1 failing means the legacy recorder."""
    assert isinstance(new_recorder(FakeClient(refuse={"/apis/events.k8s.io/v1": 404}), ManualClock()),
                      EventRecorder)
    assert isinstance(new_recorder(FakeClient(), ManualClock()), EventsRecorder)


class FlakyClient(FakeClient):
    """Its first `failures` requests fail as a cut connection does."""

    def __init__(self, failures: int) -> None:
        super().__init__()
        self.failures = failures

    def request(self, method, path, body=None, content_type="application/json"):
        if self.failures:
            self.failures -= 1
            self.requests.append((method, path, body, content_type))
            raise ConnectionResetError("connection reset by peer")
        return super().request(method, path, body, content_type)


def retried(client, sleep):
    """A recorder whose retries sleep with `sleep`, and a wait for its retry threads to end."""
    rec = EventsRecorder(client, ManualClock(1_700_000_000.5), hostname="h1", sleep=sleep)

    def settle():
        for thread in threading.enumerate():
            if thread.name == "event-retry":
                thread.join(5)
    return rec, settle


def test_a_write_cut_off_is_tried_again_after_a_jittered_sleep():
    """attemptRecording: a failure that is not the server's answer (a cut connection) is tried
    again after sleeping 10 s jittered by up to a quarter more, until written."""
    client, sleeps = FlakyClient(failures=2), []
    rec, settle = retried(client, sleeps.append)
    rec.record(FAILED)
    settle()
    assert [m for m, *_ in client.requests] == ["POST", "POST", "POST"]
    assert len(client.stored) == 1
    assert len(sleeps) == 2 and all(10.0 <= s <= 12.5 for s in sleeps)


def test_the_recording_thread_does_not_wait_for_the_retries():
    """Upstream retries on a goroutine per event: a binding cycle that records an event while the
    server is away goes on at once, and the event is written once the server is back."""
    client, back = FlakyClient(failures=1), threading.Event()
    rec, settle = retried(client, lambda _seconds: back.wait(5))
    rec.record(FAILED)  # returns while the retry sleeps
    assert len(client.requests) == 1 and not client.stored
    back.set()
    settle()
    assert len(client.stored) == 1


def test_an_event_is_tried_twelve_times_at_most_and_a_refused_one_once():
    """maxTriesPerEvent is 12 (11 sleeps); a write the server refuses (a StatusError) is dropped at once."""
    client, sleeps = FlakyClient(failures=100), []
    rec, settle = retried(client, sleeps.append)
    rec.record(FAILED)
    settle()
    assert (len(client.requests), len(sleeps)) == (12, 11)
    refused, sleeps = FakeClient(refuse={"POST": 500}), []
    EventsRecorder(refused, ManualClock(1_700_000_000.5), hostname="h1", sleep=sleeps.append).record(FAILED)
    assert (len(refused.requests), sleeps) == (1, [])


def test_a_repeat_of_an_event_being_retried_returns_at_once_and_is_written_after_it():
    """The series a repeat starts is not written while its event waits to be tried again (the
    caller does not wait either): it is written after the event is created, a PATCH of it."""
    client, back = FlakyClient(failures=1), threading.Event()
    client.timeout = 0.2
    rec, settle = retried(client, lambda _seconds: back.wait(5))
    rec.record(FAILED)
    rec.record(FAILED)
    assert len(client.requests) == 1
    back.set()
    settle()
    assert [(m, (body.get("series") or {}).get("count")) for m, _p, body, _t in client.requests] == [
        ("POST", None), ("POST", None), ("PATCH", 1)]


class ListAnsweringClient(FakeClient):
    """Its first `odd` writes answer 2xx with a JSON array, not an Event object."""

    def __init__(self, odd: int) -> None:
        super().__init__()
        self.odd = odd

    def request(self, method, path, body=None, content_type="application/json"):
        if self.odd:
            self.odd -= 1
            self.requests.append((method, path, body, content_type))
            return ["not", "an", "event"]
        return super().request(method, path, body, content_type)


def test_a_2xx_answer_that_is_not_an_object_is_a_failed_write_tried_again():
    """client-go cannot decode such a body into an Event: recordEvent logs "Unable to write event"
    and tries again after a sleep; it never reaches the caller (a binding goroutine)."""
    client, sleeps = ListAnsweringClient(odd=1), []
    rec, settle = retried(client, sleeps.append)
    rec.record(FAILED)
    settle()
    assert [m for m, *_ in client.requests] == ["POST", "POST"]
    assert len(client.stored) == 1 and len(sleeps) == 1
