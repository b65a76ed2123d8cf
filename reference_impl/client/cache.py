"""A thread-safe indexed store of API objects keyed "namespace/name", with a namespace index and
ResourceEventHandler callbacks (add, update, delete) fired on every change.

A handler that raises on an object is reported (`handle_error`, a log line by default) and the
fan-out goes on: the store already holds the object, and an exception escaping into the informer
would end its watch or make it relist the same object for ever, freezing the cache. Upstream's
processorListener runs handlers under HandleCrash, which ends the process: every component passes
a `handle_error` that does so (machinery.crash.Crash.handler_error).

Once `stop` is set no handler runs: upstream's processorListener has stopped with its informer, or,
after a panic (which sets it), the process is gone; a handler raising again would log another
panic no Go process lives to log.
"""
from __future__ import annotations

import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass

from reference_impl.machinery.objects import meta_namespace_key
from reference_impl.mirrors import mirrors

IndexFunc = Callable[[dict], list[str]]
NAMESPACE_INDEX = "namespace"


@mirrors("k8s.io/client-go/tools/cache.MetaNamespaceIndexFunc")
def namespace_index(obj: dict) -> list[str]:
    return [obj.get("metadata", {}).get("namespace", "")]


@dataclass(frozen=True)
class ResourceEventHandler:
    """OnAdd(obj), OnUpdate(old, new), OnDelete(obj); any may be None."""
    on_add: Callable[[dict], None] | None = None
    on_update: Callable[[dict, dict], None] | None = None
    on_delete: Callable[[dict], None] | None = None


class Indexer:
    """client-go's threadSafeMap plus the handler fan-out of a shared informer."""

    def __init__(self, indexers: dict[str, IndexFunc] | None = None,
                 key_func: Callable[[dict], str] = meta_namespace_key,
                 handle_error: Callable[[dict, Exception], None] | None = None,
                 stop: threading.Event | None = None):
        self._lock = threading.RLock()
        self.stop = stop
        self.handle_error = handle_error or _log_handler_error
        self._items: dict[str, dict] = {}
        self._indexers = dict(indexers if indexers is not None else {NAMESPACE_INDEX: namespace_index})
        self._indices: dict[str, dict[str, set[str]]] = {name: {} for name in self._indexers}
        self._handlers: list[ResourceEventHandler] = []
        self.key_func = key_func

    def add_event_handler(self, handler: ResourceEventHandler) -> None:
        """Register a handler; it first gets an add for every object already cached."""
        with self._lock:
            self._handlers.append(handler)
            existing = list(self._items.values())
        if handler.on_add:
            for obj in existing:
                self._call(handler.on_add, obj)

    @mirrors("(*k8s.io/client-go/tools/cache.threadSafeMap).Add",
             "(*k8s.io/client-go/tools/cache.threadSafeMap).Update")
    def upsert(self, obj: dict) -> None:
        key = self.key_func(obj)
        with self._lock:
            old = self._items.get(key)
            self._items[key] = obj
            self._update_indices(old, obj, key)
        self._notify(old, obj)

    add = update = upsert

    @mirrors("(*k8s.io/client-go/tools/cache.threadSafeMap).Delete")
    def delete(self, obj: dict) -> None:
        key = self.key_func(obj)
        with self._lock:
            old = self._items.pop(key, None)
            if old is None:
                return
            self._update_indices(old, None, key)
        for handler in list(self._handlers):
            if handler.on_delete:
                self._call(handler.on_delete, old)

    @mirrors("(*k8s.io/client-go/tools/cache.threadSafeMap).Replace")
    def replace(self, objs: list[dict]) -> None:
        """Swap in a fresh list: adds/updates for what is listed, deletes for what vanished."""
        new_keys = {self.key_func(o) for o in objs}
        with self._lock:
            gone = [o for k, o in self._items.items() if k not in new_keys]
        for obj in objs:
            self.upsert(obj)
        for obj in gone:
            self.delete(obj)

    @mirrors("(*k8s.io/client-go/tools/cache.threadSafeMap).Get")
    def get(self, key: str) -> dict | None:
        with self._lock:
            return self._items.get(key)

    @mirrors("(*k8s.io/client-go/tools/cache.threadSafeMap).List")
    def list(self) -> list[dict]:
        with self._lock:
            return list(self._items.values())

    @mirrors("(*k8s.io/client-go/tools/cache.threadSafeMap).ListKeys")
    def list_keys(self) -> list[str]:
        with self._lock:
            return sorted(self._items)

    @mirrors("(*k8s.io/client-go/tools/cache.threadSafeMap).ByIndex")
    def by_index(self, index_name: str, value: str) -> list[dict]:
        with self._lock:
            keys = self._indices[index_name].get(value, set())
            return [self._items[k] for k in sorted(keys)]

    def by_namespace(self, namespace: str) -> list[dict]:
        return self.by_index(NAMESPACE_INDEX, namespace)

    @mirrors("(*k8s.io/client-go/tools/cache.threadSafeMap).updateIndices")
    def _update_indices(self, old: dict | None, new: dict | None, key: str) -> None:
        for name, func in self._indexers.items():
            index = self._indices[name]
            for value in (func(old) if old is not None else []):
                index.get(value, set()).discard(key)
                if value in index and not index[value]:
                    del index[value]
            for value in (func(new) if new is not None else []):
                index.setdefault(value, set()).add(key)

    def _notify(self, old: dict | None, new: dict) -> None:
        for handler in list(self._handlers):
            if old is None and handler.on_add:
                self._call(handler.on_add, new)
            elif old is not None and handler.on_update:
                self._call(handler.on_update, old, new)

    def _call(self, callback: Callable, *objs: dict) -> None:
        if self.stop is not None and self.stop.is_set():
            return
        try:
            callback(*objs)
        except Exception as error:  # noqa: BLE001 - see the module docstring
            self.handle_error(objs[-1], error)


@mirrors("k8s.io/apimachinery/pkg/util/runtime.HandleError")
def _log_handler_error(obj: dict, error: Exception) -> None:
    print(f"event handler failed on {meta_namespace_key(obj)}: {type(error).__name__}: {error}",
          file=sys.stderr, flush=True)
