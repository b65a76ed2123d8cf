"""Informer caches inside the apiserver, for what admission reads on every write.

Upstream's admission plugins read namespaces and ServiceAccounts from informers fed by the
apiserver's own loopback client, and fall back to a live read when the cache misses. A `Lister`
is that informer without the loopback: it lists one resource's etcd prefix, then follows an etcd
watch from the list's revision, and lists again when the watch ends (compaction, etcd restart).
Objects it returns are shared: callers read them and never change them.
"""
from __future__ import annotations

import threading

from typing import Callable

from reference_impl.apiserver.storage.etcdclient import EtcdClientError
from reference_impl.apiserver.core.errors import StatusError
from reference_impl.apiserver.storage.etcd3 import Storage
from reference_impl.mirrors import mirrors

RELIST_PAUSE = 1.0  # seconds between a failed list or an ended watch and the next list


def _name(obj: dict) -> tuple[str, str]:
    meta = obj.get("metadata") or {}
    return meta.get("namespace", ""), meta.get("name", "")


class Lister:
    """The objects under one etcd prefix, by (namespace, name); cluster-scoped ones have namespace "".
    `on_change` is called (in the lister's thread) after each list and each event it applies, as an
    informer's event handlers are."""

    def __init__(self, storage: Storage, prefix: str, on_change: Callable[[], None] | None = None):
        self.storage, self.prefix, self.on_change = storage, prefix, on_change
        self._objects: dict[tuple[str, str], dict] = {}
        self._synced = threading.Event()
        self._stopped = threading.Event()
        self._watch = None
        self._thread = threading.Thread(target=self._run, daemon=True, name=f"lister {prefix}")

    def start(self) -> "Lister":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopped.set()
        watch = self._watch
        if watch is not None:
            watch.stop()
        self._thread.join(timeout=5)

    def wait_for_sync(self, timeout: float) -> bool:
        return self._synced.wait(timeout)

    def get(self, namespace: str | None, name: str) -> dict | None:
        """The cached object, or None when it is absent or the first list has not finished."""
        if not self._synced.is_set():
            return None
        return self._objects.get((namespace or "", name))

    def list(self, namespace: str | None = None) -> list[dict] | None:
        """The cached objects (of one namespace, if given), or None when the first list has not finished."""
        if not self._synced.is_set():
            return None
        return [obj for (ns, _), obj in list(self._objects.items()) if namespace is None or ns == namespace]

    @mirrors("(*k8s.io/client-go/tools/cache.Reflector).ListAndWatch")
    def _run(self) -> None:
        while not self._stopped.is_set():
            try:
                listed = self.storage.list(self.prefix)
                self._objects = {_name(obj): obj for obj in listed.items}
                self._watch = self.storage.watch(self.prefix, resource_version=listed.resource_version)
                if self._stopped.is_set():
                    self._watch.stop()
                self._synced.set()
                self._changed()
                for event_type, obj in self._watch:
                    if event_type == "ERROR":
                        break
                    if event_type == "DELETED":
                        self._objects.pop(_name(obj), None)
                    elif event_type in ("ADDED", "MODIFIED"):
                        self._objects[_name(obj)] = obj
                    self._changed()
            except (EtcdClientError, StatusError):
                pass  # etcd is away or compacted past us: list again after a pause
            self._stopped.wait(RELIST_PAUSE)

    def _changed(self) -> None:
        if self.on_change is not None:
            self.on_change()
