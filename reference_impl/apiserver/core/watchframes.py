"""Watch events' objects encoded once per serializer, however many watchers send them.

Mirrors upstream's `cachingObject` (k8s.io/apiserver/pkg/storage/cacher/caching_object.go): the
watch cache hands every watcher the same object for an event, and its serialization per encoder is
computed by the first watcher that needs it and reused by the rest; each watcher's encoder then
writes the WatchEvent around those bytes. So the object is encoded once whatever event type a
watcher sees it as: a pod bound to a node is MODIFIED to a watch of all pods and ADDED to its
node's. Here each serializer (JSON, protobuf) has its own memo, keyed by the object's identity; it
holds the object, so the identity cannot be reused while the entry lives. Objects from the cache
are never mutated (each revision is a new dict); a watcher whose objects are converted or filtered
into new dicts simply misses.
"""
from __future__ import annotations

import functools
import threading
from typing import Callable, NamedTuple

from reference_impl.apiserver.core import jsonserializer, protobuf
from reference_impl.mirrors import mirrors

FRAMES = 1024  # encoded objects kept: several times what watchers of a busy resource lag behind


class Encoded(NamedTuple):
    """One event object's encoding, and the frames made of it so far, by event type."""
    obj: dict
    data: bytes
    frames: dict[str, bytes]


class Frames:
    """One serializer's watch frames: `encode_object(obj)` runs once per event object, and
    `wrap(event_type, data)` once per event type it is sent as."""

    def __init__(self, encode_object: Callable[[dict], bytes], wrap: Callable[[str, bytes], bytes],
                 capacity: int = FRAMES):
        self.encode_object, self.wrap = encode_object, wrap
        self.capacity = capacity
        self._encoded: dict[int, Encoded] = {}
        self._lock = threading.Lock()

    def frame(self, event_type: str, obj: dict) -> bytes:
        """The watch event's frame; an object the serializer refuses raises its error each time
        (nothing is kept for it)."""
        encoded = self._encoded.get(id(obj))
        if encoded is None or encoded.obj is not obj:
            encoded = self._encode(obj)
        framed = encoded.frames.get(event_type)
        if framed is None:  # two watchers racing here both make the same bytes
            framed = encoded.frames[event_type] = self.wrap(event_type, encoded.data)
        return framed

    @mirrors("(*k8s.io/apiserver/pkg/storage/cacher.cachingObject).CacheEncode")
    def _encode(self, obj: dict) -> Encoded:
        encoded = Encoded(obj, self.encode_object(obj), {})
        with self._lock:
            if len(self._encoded) >= self.capacity:  # oldest first: dicts keep insertion order
                del self._encoded[next(iter(self._encoded))]
            self._encoded[id(obj)] = encoded
        return encoded


@functools.cache
def _json_frame_start(event_type: str) -> bytes:
    return b'{"type":' + jsonserializer.encode(event_type) + b',"object":'


def json_frame(event_type: str, data: bytes) -> bytes:
    """The watch event's JSON line, `{"type":...,"object":...}\\n`, around its object's JSON."""
    return _json_frame_start(event_type) + data + b"}\n"


class JSONFrames(Frames):
    def __init__(self, capacity: int = FRAMES):
        super().__init__(jsonserializer.encode, json_frame, capacity)


class ProtobufFrames(Frames):
    """A pod's protobuf body costs some eighty times its JSON, and the real scheduler and kubelet
    both watch pods this way."""

    def __init__(self, capacity: int = FRAMES):
        super().__init__(protobuf.encode, protobuf.watch_frame_of, capacity)
