"""client-go's EventCorrelator as the recorders use it: one rule per test, a ManualClock for time."""
from __future__ import annotations

from reference_impl.machinery.clock import ManualClock
from reference_impl.machinery.eventcorrelator import Correlation, EventCorrelator

NOW = 1_767_323_045.0


def event(message: str = "Started container c", reason: str = "Started", pod: str = "web", seq: int = 0) -> dict:
    return {"apiVersion": "v1", "kind": "Event", "metadata": {"name": f"{pod}.{seq:x}", "namespace": "ns"},
            "involvedObject": {"apiVersion": "v1", "kind": "Pod", "namespace": "ns", "name": pod, "uid": f"u-{pod}"},
            "type": "Normal", "reason": reason, "message": message,
            "source": {"component": "kubelet", "host": "node-1"},
            "firstTimestamp": f"t{seq}", "lastTimestamp": f"t{seq}", "count": 1}


def test_a_new_event_is_written_as_it_is():
    correlator = EventCorrelator(ManualClock(NOW))
    assert correlator.correlate(event()) == Correlation(event())


def test_the_same_event_again_patches_the_count_of_the_one_written_first():
    """eventObserve: same source, object, reason and message: the first one's name and
    firstTimestamp, the count one higher, a patch of count, lastTimestamp and message."""
    correlator = EventCorrelator(ManualClock(NOW))
    correlator.correlate(event(seq=1))
    for count, seq in ((2, 2), (3, 3)):
        correlation = correlator.correlate(event(seq=seq))
        assert (correlation.event["metadata"]["name"], correlation.event["firstTimestamp"]) == ("web.1", "t1")
        assert correlation.patch == {"count": count, "lastTimestamp": f"t{seq}", "message": "Started container c"}


def test_the_tenth_message_of_one_reason_in_ten_minutes_is_combined():
    """EventAggregate: events about one object that differ only by message are combined from the
    10th on: `(combined from similar events): <message>`, one new event, then patched."""
    clock = ManualClock(NOW)
    correlator = EventCorrelator(clock)
    written = [correlator.correlate(event(f"probe failed: {i}", reason="Unhealthy", seq=i)) for i in range(11)]
    assert [c.patch for c in written[:9]] == [None] * 9
    tenth, eleventh = written[9], written[10]
    assert (tenth.patch, tenth.event["message"]) == (None, "(combined from similar events): probe failed: 9")
    assert tenth.event["metadata"]["name"] == f"web.{int(NOW * 1e9):x}"
    assert eleventh.event["metadata"]["name"] == tenth.event["metadata"]["name"]
    assert eleventh.patch["count"] == 2 and eleventh.patch["message"] == "(combined from similar events): probe failed: 10"


def test_similar_messages_more_than_ten_minutes_apart_are_not_combined():
    clock = ManualClock(NOW)
    correlator = EventCorrelator(clock)
    for i in range(9):
        correlator.correlate(event(f"m{i}", reason="Unhealthy", seq=i))
    clock.advance(601)
    assert correlator.correlate(event("m9", reason="Unhealthy", seq=9)).event["message"] == "m9"


def test_after_25_events_about_an_object_only_one_each_five_minutes_is_written():
    """EventSourceObjectSpamFilter: a token bucket per source and object, 25 deep, one token
    back each 300 s; repeats count against it too."""
    clock = ManualClock(NOW)
    correlator = EventCorrelator(clock)
    assert all(correlator.correlate(event(seq=i)) is not None for i in range(25))
    assert correlator.correlate(event(seq=25)) is None
    assert correlator.correlate(event(pod="other")) is not None  # another object has its own bucket
    clock.advance(299)
    assert correlator.correlate(event(seq=26)) is None
    clock.advance(1)
    assert correlator.correlate(event(seq=27)) is not None
    assert correlator.correlate(event(seq=28)) is None
