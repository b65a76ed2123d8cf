"""Watch events encoded once per serializer, however many watchers send them.

Mirrors upstream's `cachingObject` (k8s.io/apiserver/pkg/storage/cacher/caching_object.go): the
watch cache hands every watcher the same object for an event, and its serialization per encoder is
computed by the first watcher that needs it and reused by the rest. Here each serializer (JSON,
protobuf) has its own memo, keyed by the object's identity and the event type; it holds the object,
so the identity cannot be reused while the entry lives. Objects from the cache are never mutated
(each revision is a new dict); a watcher whose objects are converted or filtered into new dicts
simply misses.
"""
from __future__ import annotations

import threading
from typing import Callable

from reference_impl.apiserver.core import jsonserializer, protobuf
from reference_impl.mirrors import mirrors

FRAMES = 1024  # encoded events kept: several times what watchers of a busy resource lag behind


class Frames:
    """One serializer's watch frames: `encode(event_type, obj)` runs once per event object."""

    def __init__(self, encode: Callable[[str, dict], bytes], capacity: int = FRAMES):
        self.encode = encode
        self.capacity = capacity
        self._frames: dict[tuple[int, str], tuple[dict, bytes]] = {}
        self._lock = threading.Lock()

    @mirrors("(*k8s.io/apiserver/pkg/storage/cacher.cachingObject).CacheEncode")
    def frame(self, event_type: str, obj: dict) -> bytes:
        """The watch event's frame; an object the serializer refuses raises its error each time
        (nothing is kept for it)."""
        key = (id(obj), event_type)
        hit = self._frames.get(key)
        if hit is not None and hit[0] is obj:
            return hit[1]
        data = self.encode(event_type, obj)
        with self._lock:
            if len(self._frames) >= self.capacity:  # oldest first: dicts keep insertion order
                del self._frames[next(iter(self._frames))]
            self._frames[key] = (obj, data)
        return data


def json_frame(event_type: str, obj: dict) -> bytes:
    """The watch event's JSON line, `{"type":...,"object":...}\\n`."""
    return jsonserializer.encode({"type": event_type, "object": obj}) + b"\n"


def protobuf_frame(event_type: str, obj: dict) -> bytes:
    """The watch event as a length-prefixed protobuf WatchEvent (`;stream=watch`): a pod's costs
    some eighty times its JSON line, and the real scheduler and kubelet both watch pods this way."""
    return protobuf.watch_frame(event_type, obj)


class JSONFrames(Frames):
    def __init__(self, capacity: int = FRAMES):
        super().__init__(json_frame, capacity)


class ProtobufFrames(Frames):
    def __init__(self, capacity: int = FRAMES):
        super().__init__(protobuf_frame, capacity)
