"""Kinds served in one version and stored in another: events.k8s.io/v1 Events live in etcd as
core/v1 Events, under the same keys, so `kubectl get events` sees what the scheduler reports
through events.k8s.io and the other way round (upstream stores both through the internal Event).

A `Codec` turns a served object into its stored form and back; `ConvertingStorage` puts one
around the generic `Storage`, so the registry's create, get, update, delete, list and watch read
and write the served version while etcd holds the stored one.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Callable

from reference_impl.apiserver.storage.etcd3 import ListResult, Preconditions, Storage, Watch
from reference_impl.mirrors import mirrors

# events.k8s.io/v1 field -> the core/v1 Event field it is stored as; the other fields are shared.
EVENTS_V1_TO_CORE = {"regarding": "involvedObject", "note": "message", "deprecatedSource": "source",
                     "deprecatedFirstTimestamp": "firstTimestamp", "deprecatedLastTimestamp": "lastTimestamp",
                     "deprecatedCount": "count", "reportingController": "reportingComponent"}
CORE_TO_EVENTS_V1 = {core: v1 for v1, core in EVENTS_V1_TO_CORE.items()}


@dataclass(frozen=True)
class Codec:
    to_storage: Callable[[dict], dict]
    from_storage: Callable[[dict], dict]


def _renamed(obj: dict, names: dict[str, str], api_version: str) -> dict:
    return {**{names.get(k, k): v for k, v in obj.items()}, "apiVersion": api_version, "kind": "Event"}


@mirrors("k8s.io/kubernetes/pkg/apis/events/v1.Convert_v1_Event_To_core_Event")
def event_to_core(event: dict) -> dict:
    return _renamed(event, EVENTS_V1_TO_CORE, "v1")


@mirrors("k8s.io/kubernetes/pkg/apis/events/v1.Convert_core_Event_To_v1_Event")
def event_from_core(event: dict) -> dict:
    return _renamed(event, CORE_TO_EVENTS_V1, "events.k8s.io/v1")


EVENTS_V1 = Codec(event_to_core, event_from_core)


class ConvertingStorage:
    """`Storage`'s calls the registry makes, in the served version of one kind."""

    def __init__(self, storage: Storage, codec: Codec):
        self.storage = storage
        self.codec = codec

    def create(self, key: str, obj: dict, ttl: int = 0) -> dict:
        return self.codec.from_storage(self.storage.create(key, self.codec.to_storage(obj), ttl))

    def get(self, key: str, resource_version: str = "") -> dict:
        return self.codec.from_storage(self.storage.get(key, resource_version))

    def guaranteed_update(self, key: str, update: Callable[[dict], dict], ttl: int = 0,
                          preconditions: Preconditions | None = None) -> dict:
        codec = self.codec
        stored = self.storage.guaranteed_update(
            key, lambda current: codec.to_storage(update(codec.from_storage(current))), ttl, preconditions)
        return codec.from_storage(stored)

    def delete(self, key: str, check: Callable[[dict], None] | None = None) -> dict:
        served_check = (lambda obj: check(self.codec.from_storage(obj))) if check else None
        return self.codec.from_storage(self.storage.delete(key, served_check))

    def list(self, prefix: str, **options) -> ListResult:
        result = self.storage.list(prefix, **options)
        return replace(result, items=[self.codec.from_storage(item) for item in result.items])

    def watch(self, prefix: str, **options) -> Watch:
        return self.storage.watch(prefix, convert=self.codec.from_storage, **options)
