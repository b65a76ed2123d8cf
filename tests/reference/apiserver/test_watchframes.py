"""Watch events' objects encoded once for every watcher, whatever event type each sees them as
(upstream's cachingObject)."""
from __future__ import annotations

import json

from reference_impl.apiserver.core import protobuf, watchframes


def counting(monkeypatch, module, name="encode"):
    """Calls of `module.<name>`, recorded as they pass through."""
    calls = []
    real = getattr(module, name)
    monkeypatch.setattr(module, name, lambda *a: calls.append(a) or real(*a))
    return calls


def test_the_same_event_object_is_encoded_once(monkeypatch):
    frames = watchframes.JSONFrames()
    pod = {"metadata": {"name": "p", "resourceVersion": "7"}}
    calls = counting(monkeypatch, frames, "encode_object")
    first = frames.frame("ADDED", pod)
    assert frames.frame("ADDED", pod) == first
    assert json.loads(first) == {"type": "ADDED", "object": pod} and first.endswith(b"\n")
    assert len(calls) == 1


def test_an_object_sent_as_two_event_types_is_encoded_once(monkeypatch):
    """A pod bound to a node is MODIFIED to a watch of every pod and ADDED to its node's watch: one
    encoding of the pod serves both frames, each the JSON line of its own event."""
    frames = watchframes.JSONFrames()
    pod = {"metadata": {"name": "p", "resourceVersion": "8"}, "spec": {"nodeName": "n<1>"}}
    calls = counting(monkeypatch, frames, "encode_object")
    modified, added = frames.frame("MODIFIED", pod), frames.frame("ADDED", pod)
    assert len(calls) == 1
    assert modified == watchframes.jsonserializer.encode({"type": "MODIFIED", "object": pod}) + b"\n"
    assert added == watchframes.jsonserializer.encode({"type": "ADDED", "object": pod}) + b"\n"


def test_a_protobuf_object_sent_as_two_event_types_is_encoded_once(monkeypatch):
    frames = watchframes.ProtobufFrames()
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "resourceVersion": "8"},
           "spec": {"nodeName": "n1"}}
    calls = counting(monkeypatch, frames, "encode_object")
    modified, added = frames.frame("MODIFIED", pod), frames.frame("ADDED", pod)
    assert len(calls) == 1
    assert (modified, added) == (protobuf.watch_frame("MODIFIED", pod), protobuf.watch_frame("ADDED", pod))


def test_an_equal_but_distinct_object_is_encoded_for_itself(monkeypatch):
    """A converted or filtered object is a new dict: encodings are kept by object, not by value,
    so it is never answered with another's bytes."""
    frames = watchframes.JSONFrames()
    calls = counting(monkeypatch, frames, "encode_object")
    a = {"metadata": {"name": "p"}}
    frames.frame("ADDED", a)
    b = {"metadata": {"name": "p"}}
    assert json.loads(frames.frame("ADDED", b))["object"] == b
    assert len(calls) == 2


def test_the_oldest_encodings_are_dropped_past_capacity():
    frames = watchframes.JSONFrames(capacity=2)
    objs = [{"n": i} for i in range(3)]
    for obj in objs:
        frames.frame("ADDED", obj)
    assert [entry[0] for entry in frames._encoded.values()] == objs[1:]
