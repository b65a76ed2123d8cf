"""The Reflector core: list, then watch from the list's resourceVersion, feeding a store; a 410
Gone (as an HTTP answer or a watch ERROR event) sends it back to a full relist.

Sans-IO in h11's shape: `next_request()` says what to ask the apiserver next (a `ListRequest` or a
`WatchRequest`), and the adapter reports what came back through `on_list`, `on_event`,
`on_watch_closed` and `on_gone`.
"""
from __future__ import annotations

from dataclasses import dataclass

from reference_impl.client import ClientError
from reference_impl.client.cache import Indexer
from reference_impl.machinery import trace
from reference_impl.mirrors import mirrors


@dataclass(frozen=True)
class ListRequest:
    # "" lists from etcd (a quorum read); after a Gone client-go relists with "" too.
    resource_version: str


@dataclass(frozen=True)
class WatchRequest:
    resource_version: str


class Reflector:
    def __init__(self, store: Indexer):
        self.store = store
        self.last_sync_resource_version = ""
        self._listed = False
        self.relists = 0

    @mirrors("(*k8s.io/client-go/tools/cache.Reflector).ListAndWatch")
    def next_request(self) -> ListRequest | WatchRequest:
        if not self._listed:
            return ListRequest(self._relist_resource_version())
        return WatchRequest(self.last_sync_resource_version)

    @mirrors("(*k8s.io/client-go/tools/cache.Reflector).relistResourceVersion")
    def _relist_resource_version(self) -> str:
        return ""

    @mirrors("(*k8s.io/client-go/tools/cache.Reflector).syncWith")
    def on_list(self, list_obj: dict) -> None:
        """A List answer: replace the store and remember the list's resourceVersion."""
        self.store.replace(list(list_obj.get("items") or []))
        self.last_sync_resource_version = list_obj.get("metadata", {}).get("resourceVersion", "")
        self._listed = True

    @mirrors("(*k8s.io/client-go/tools/cache.Reflector).watchHandler")
    def on_event(self, event: dict) -> None:
        """One watch event: apply it to the store and advance the resourceVersion."""
        kind, obj = event.get("type"), event.get("object") or {}
        if trace.enabled():  # the object's reference is worked out only for the trace
            trace.record("watch event", type=kind, object=trace.object_ref(obj))
        if kind == "ERROR":
            if obj.get("code") == 410:
                self.on_gone()
                return
            raise ClientError(f"watch error: {obj.get('message', obj)}")
        if kind == "ADDED" or kind == "MODIFIED":
            self.store.upsert(obj)
        elif kind == "DELETED":
            self.store.delete(obj)
        elif kind != "BOOKMARK":
            raise ClientError(f"unknown watch event type {kind!r}")
        rv = obj.get("metadata", {}).get("resourceVersion")
        if rv:
            self.last_sync_resource_version = rv

    def on_watch_closed(self) -> None:
        """The server ended the watch normally; the next request resumes from the last RV."""

    def on_gone(self) -> None:
        """410 Gone: the RV was compacted; the next request is a full relist."""
        self._listed = False
        self.relists += 1
