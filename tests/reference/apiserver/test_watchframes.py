"""Watch events encoded once per event for every JSON watcher (upstream's cachingObject)."""
from __future__ import annotations

import json

from reference_impl.apiserver.core import watchframes


def test_the_same_event_object_is_encoded_once(monkeypatch):
    frames = watchframes.JSONFrames()
    calls = []
    real_encode = watchframes.jsonserializer.encode
    monkeypatch.setattr(watchframes.jsonserializer, "encode", lambda *a: calls.append(a) or real_encode(*a))
    pod = {"metadata": {"name": "p", "resourceVersion": "7"}}
    first = frames.frame("ADDED", pod)
    assert frames.frame("ADDED", pod) is first
    assert json.loads(first) == {"type": "ADDED", "object": pod} and first.endswith(b"\n")
    assert frames.frame("MODIFIED", pod) != first  # another event type is another frame
    assert len(calls) == 2


def test_an_equal_but_distinct_object_is_encoded_for_itself(monkeypatch):
    """A converted or filtered object is a new dict: frames are kept by object, not by value, so
    it is never answered with another's bytes."""
    frames = watchframes.JSONFrames()
    calls = []
    real_encode = watchframes.jsonserializer.encode
    monkeypatch.setattr(watchframes.jsonserializer, "encode", lambda *a: calls.append(a) or real_encode(*a))
    a = {"metadata": {"name": "p"}}
    frames.frame("ADDED", a)
    b = {"metadata": {"name": "p"}}
    assert json.loads(frames.frame("ADDED", b))["object"] == b
    assert len(calls) == 2


def test_the_oldest_frames_are_dropped_past_capacity():
    frames = watchframes.JSONFrames(capacity=2)
    objs = [{"n": i} for i in range(3)]
    for obj in objs:
        frames.frame("ADDED", obj)
    assert [entry[0] for entry in frames._frames.values()] == objs[1:]
