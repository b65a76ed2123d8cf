"""Watch events encoded once, however many watchers send them.

Mirrors upstream's `cachingObject` (k8s.io/apiserver/pkg/storage/cacher/caching_object.go): the
watch cache hands every watcher the same object for an event, and its serialization per encoder is
computed by the first watcher that needs it and reused by the rest. Here the memo is keyed by the
object's identity and the event type; it holds the object, so the identity cannot be reused while
the entry lives. Objects from the cache are never mutated (each revision is a new dict); a watcher
whose objects are converted or filtered into new dicts simply misses.
"""
from __future__ import annotations

import threading

from reference_impl.apiserver.core import jsonserializer
from reference_impl.mirrors import mirrors

FRAMES = 1024  # encoded events kept: several times what watchers of a busy resource lag behind


class JSONFrames:
    def __init__(self, capacity: int = FRAMES):
        self.capacity = capacity
        self._frames: dict[tuple[int, str], tuple[dict, bytes]] = {}
        self._lock = threading.Lock()

    @mirrors("(*k8s.io/apiserver/pkg/storage/cacher.cachingObject).CacheEncode")
    def frame(self, event_type: str, obj: dict) -> bytes:
        """The watch event's JSON line, `{"type":...,"object":...}\\n`."""
        key = (id(obj), event_type)
        hit = self._frames.get(key)
        if hit is not None and hit[0] is obj:
            return hit[1]
        data = jsonserializer.encode({"type": event_type, "object": obj}) + b"\n"
        with self._lock:
            if len(self._frames) >= self.capacity:  # oldest first: dicts keep insertion order
                del self._frames[next(iter(self._frames))]
            self._frames[key] = (obj, data)
        return data
