"""The garbage collector: an object all of whose owners (by ownerReference uid) are gone is
deleted; one with some owners gone loses just the dangling references. An owner deleted with
propagationPolicy Foreground (finalizer `foregroundDeletion`) has its blocking dependents deleted
first and its finalizer removed when none remain; with Orphan (finalizer `orphan`) its dependents
lose their reference to it and then the finalizer goes.

State in is the whole graph as the GC's monitors see it, resource (plural) -> objects; the REST
mapping of the kinds it monitors, (apiVersion, kind) -> (resource, namespaced), through which an
owner is resolved as upstream's isDangling does through apiResource; and `is_gone(resource,
namespace, reference)`, asked of an owner the graph lacks whether the apiserver still has it: the
monitors' caches may not have seen an owner made just before its dependent.
"""
from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from reference_impl.machinery.actions import Delete, Patch, RecordEvent
from reference_impl.machinery import trace
from reference_impl.mirrors import mirrors

EVENT_SOURCE = "garbage-collector-controller"
FOREGROUND = "foregroundDeletion"
ORPHAN = "orphan"

RESTMapping = dict[tuple[str, str], tuple[str, bool]]
ABSENT_OWNER_CACHE_SIZE = 500  # NewReferenceCache(500)


class OwnerUnresolved(Exception):
    """An owner reference the GC cannot decide on: its apiVersion/kind maps to no resource watched
    here (upstream's restMappingError, retried), or a cluster-scoped object names a namespaced owner
    (namespacedOwnerOfClusterScopedObjectErr, never retried). Either way the object is not touched."""


class OwnerLookupError(Exception):
    """What `is_gone` raises when the GET of an owner failed otherwise than NotFound: the
    dependent is left for a later pass, the others' actions still go out."""


@dataclass(frozen=True)
class AttemptToDeleteFailed:
    """An item whose owners could not be looked up: logged and retried with backoff, as
    attemptToDeleteWorker does with AddRateLimited."""
    item: str
    error: str


@mirrors("k8s.io/kubernetes/pkg/controller/garbagecollector.ReferenceCache")
class AbsentOwnerCache:
    """The owners a GET found gone, (resource, namespace, name, uid), the least recently used
    dropped past `size`: a thousand pods of one deleted ReplicaSet cost one GET, not a thousand."""

    def __init__(self, size: int = ABSENT_OWNER_CACHE_SIZE) -> None:
        self.size = size
        self._entries: OrderedDict[tuple, None] = OrderedDict()

    def has(self, key: tuple) -> bool:
        if key in self._entries:
            self._entries.move_to_end(key)
            return True
        return False

    def add(self, key: tuple) -> None:
        self._entries[key] = None
        self._entries.move_to_end(key)
        if len(self._entries) > self.size:
            self._entries.popitem(last=False)


def _ref(resource: str, obj: dict) -> tuple[str, str | None, str]:
    return resource, obj["metadata"].get("namespace"), obj["metadata"]["name"]


@mirrors("(*k8s.io/kubernetes/pkg/controller/garbagecollector.GarbageCollector).attemptToDeleteItem")
@trace.decision
def sync(graph: dict[str, list[dict]], rest_mapping: RESTMapping,
         is_gone: Callable[[str, str | None, dict], bool] = lambda _resource, _namespace, _ref: True) -> list:
    by_uid: dict[str, tuple[str, dict]] = {o["metadata"]["uid"]: (r, o)
                                           for r, objs in graph.items() for o in objs}
    dependents: dict[str, list[tuple[str, dict]]] = {}
    for resource, objs in graph.items():
        for obj in objs:
            for ref in obj["metadata"].get("ownerReferences") or []:
                dependents.setdefault(ref["uid"], []).append((resource, obj))
    actions: list = []
    for uid, (resource, obj) in sorted(by_uid.items()):
        meta = obj["metadata"]
        finalizers = meta.get("finalizers") or []
        if meta.get("deletionTimestamp") and ORPHAN in finalizers:
            actions += _orphan_dependents(uid, dependents.get(uid, []))
            actions.append(_remove_finalizer(resource, obj, ORPHAN))
            continue
        if meta.get("deletionTimestamp") and FOREGROUND in finalizers:
            actions += _process_deleting_dependents(resource, obj, dependents.get(uid, []))
            continue
        refs = meta.get("ownerReferences") or []
        if not refs or meta.get("deletionTimestamp"):
            continue
        try:
            dangling = [r for r in refs if _is_dangling(r, meta.get("namespace"), by_uid, rest_mapping, is_gone)]
        except OwnerUnresolved:
            continue
        except OwnerLookupError as error:
            actions.append(AttemptToDeleteFailed(_item(resource, obj, rest_mapping), str(error)))
            continue
        if dangling:
            actions += _invalid_namespace_owner_ref_events(resource, obj, dangling, by_uid, rest_mapping)
        if len(dangling) == len(refs):
            actions.append(Delete(*_ref(resource, obj), propagation_policy="Background"))
        elif dangling:
            solid = [r for r in refs if r not in dangling]
            actions.append(Patch(resource, meta.get("namespace"), meta["name"],
                                 {"metadata": {"ownerReferences": solid}}))
    return actions


@mirrors("(*k8s.io/kubernetes/pkg/controller/garbagecollector.GarbageCollector).isDangling")
def _is_dangling(ref: dict, namespace: str | None, by_uid: dict[str, tuple[str, dict]],
                 rest_mapping: RESTMapping, is_gone: Callable[[str, str | None, dict], bool]) -> bool:
    """Whether the owner `ref` names is gone: upstream GETs resource/name in the dependent's
    namespace (none for a cluster-scoped owner) and compares uids, so an object of that uid of
    another kind, in another namespace or under another name is no owner. The graph answers for an owner it holds
    where the GET would find it; `is_gone` for any other."""
    mapped = rest_mapping.get((ref.get("apiVersion", ""), ref.get("kind", "")))
    if mapped is None:
        raise OwnerUnresolved(f"no resource for {ref.get('apiVersion')}, Kind={ref.get('kind')}")
    resource, namespaced = mapped
    if namespaced and not namespace:
        raise OwnerUnresolved("cluster-scoped objects cannot refer to namespaced owners")
    found = by_uid.get(ref["uid"])
    if found is not None:
        owner_resource, owner = found
        meta = owner["metadata"]
        if owner_resource == resource and meta["name"] == ref["name"] \
                and (not namespaced or meta.get("namespace") == namespace):
            return False
    return is_gone(resource, namespace if namespaced else None, ref)


@mirrors("(*k8s.io/kubernetes/pkg/controller/garbagecollector.GraphBuilder).reportInvalidNamespaceOwnerRef")
def _invalid_namespace_owner_ref_events(resource: str, obj: dict, refs: list[dict],
                                        by_uid: dict[str, tuple[str, dict]], rest_mapping: RESTMapping) -> list:
    """A Warning OwnerRefInvalidNamespace on the dependent for each of `refs` whose uid the monitors
    saw as a namespaced object of another namespace, as upstream's graph builder reports it when it
    links the dependent to that observed owner. It goes with the sync that acts on the reference,
    which always dangles: the GET in the dependent's namespace cannot find that uid."""
    meta = obj["metadata"]
    namespace = meta.get("namespace") or ""
    api_version, kind = next((gv_kind for gv_kind, (r, _) in rest_mapping.items() if r == resource), ("", ""))
    involved = {key: value for key, value in (("kind", kind), ("apiVersion", api_version), ("namespace", namespace),
                                              ("name", meta["name"]), ("uid", meta["uid"])) if value}
    events = []
    for ref in refs:
        found = by_uid.get(ref["uid"])
        owner_namespace = found[1]["metadata"].get("namespace") if found else None
        if owner_namespace and owner_namespace != namespace:
            identity = (f"[{ref.get('apiVersion', '')}/{ref.get('kind', '')}, namespace: {namespace}, "
                        f"name: {ref.get('name', '')}, uid: {ref['uid']}]")
            events.append(RecordEvent(EVENT_SOURCE, involved, "Warning",
                                      "OwnerRefInvalidNamespace",
                                      f'ownerRef {identity} does not exist in namespace "{namespace}"'))
    return events


@mirrors("(k8s.io/kubernetes/pkg/controller/garbagecollector.objectReference).String")
def _item(resource: str, obj: dict, rest_mapping: RESTMapping) -> str:
    api_version, kind = next((key for key, (plural, _) in rest_mapping.items() if plural == resource), ("", ""))
    meta = obj["metadata"]
    return (f"[{api_version}/{kind}, namespace: {meta.get('namespace', '')}, name: {meta['name']}, "
            f"uid: {meta['uid']}]")


@mirrors("(*k8s.io/kubernetes/pkg/controller/garbagecollector.GarbageCollector).processDeletingDependentsItem")
def _process_deleting_dependents(resource: str, owner: dict, deps: list[tuple[str, dict]]) -> list:
    uid = owner["metadata"]["uid"]
    blocking = [(r, d) for r, d in deps
                if any(ref["uid"] == uid and ref.get("blockOwnerDeletion")
                       for ref in d["metadata"].get("ownerReferences") or [])]
    if not blocking:
        return [_remove_finalizer(resource, owner, FOREGROUND)]
    return [Delete(*_ref(r, d), propagation_policy="Foreground")
            for r, d in blocking if not d["metadata"].get("deletionTimestamp")]


@mirrors("(*k8s.io/kubernetes/pkg/controller/garbagecollector.GarbageCollector).orphanDependents")
def _orphan_dependents(uid: str, deps: list[tuple[str, dict]]) -> list:
    return [Patch(r, d["metadata"].get("namespace"), d["metadata"]["name"],
                  {"metadata": {"ownerReferences": [ref for ref in d["metadata"]["ownerReferences"]
                                                    if ref["uid"] != uid]}})
            for r, d in deps]


@mirrors("(*k8s.io/kubernetes/pkg/controller/garbagecollector.GarbageCollector).removeFinalizer")
def _remove_finalizer(resource: str, obj: dict, finalizer: str) -> Patch:
    meta = obj["metadata"]
    return Patch(resource, meta.get("namespace"), meta["name"],
                 {"metadata": {"finalizers": [f for f in meta.get("finalizers") or [] if f != finalizer]}})
