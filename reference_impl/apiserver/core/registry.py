"""The generic registry: what k8s.io/apiserver/pkg/registry/generic/registry.Store and the
per-kind strategies do between the HTTP handlers and storage, with no HTTP in sight.

`Registry(etcd_client, clock)` serves every resource in `kinds.RESOURCES`: it fills and guards
object metadata (uid, creationTimestamp, generation, generateName, resourceVersion), validates,
enforces optimistic concurrency, keeps .status and the main resource apart, deletes gracefully
(pods, finalizers, namespaces) and answers list and watch with selectors. Errors are
`errors.StatusError`s in Kubernetes' words. Time comes from the clock passed in; uids, generated
names and cluster IPs from a `random.Random` that a test may seed. Events expire `event_ttl`
seconds after their last write (--event-ttl), as etcd leases.
"""
from __future__ import annotations

import contextlib
import functools
import random
import threading
from typing import Callable

from reference_impl.machinery.objects import deep_copy_json
from reference_impl.apiserver import kinds
from reference_impl.apiserver.core import customconversion, customresource, encoding, errors, limits
from reference_impl.apiserver.core.conversion import ConvertingStorage
from reference_impl.apiserver.storage.cacher import BOOKMARK_FREQUENCY, Cacher, should_delegate_list
from reference_impl.apiserver.storage.etcdclient import EtcdClient, EtcdClientError
from reference_impl.apiserver.core.resources import Resource
from reference_impl.apiserver.fieldmanager import LOOPBACK_FIELD_MANAGER, FieldManager
from reference_impl.apiserver.kinds import customresourcedefinition as crds
from reference_impl.apiserver.kinds import namespace, pod, podwarnings, service
from reference_impl.apiserver.kinds._defaulting import default_zero, dict_items
from reference_impl.apiserver.kinds.customresourcedefinition import CRD
from reference_impl.apiserver.core.selectors import parse_field_selector, parse_label_selector
from reference_impl.apiserver.storage.etcd3 import (InvalidObj, KeyExists, KeyNotFound, Preconditions, Storage, Watch,
                                                   parse_uint_problem)
from reference_impl.apiserver.storage.predicate import SelectionPredicate
from reference_impl.apiserver.core.validation import (decode_problem, immutable_metadata_problems, metadata_problems,
                                                      metadata_update_problems, new_finalizer_problems)
from reference_impl.apiserver.core.lifecycle import LifecycleMixin, _DryRun, rfc3339
from reference_impl.apiserver.core.crdtermination import CRDTerminationMixin, refuse_create_while_terminating, terminating
from reference_impl.machinery import names
from reference_impl.machinery.clock import WallClock
from reference_impl.mirrors import mirrors

__all__ = ["Registry", "Watch"]

DEFAULT_EVENT_TTL = 3600  # kube-apiserver's --event-ttl, 1h
COUNT_METRIC_POLL_PERIOD = 60.0  # --etcd-count-metric-poll-period
RESOURCE_COUNT_POLL_PERIOD_JITTER = 1.2
# crdHandler.tearDown's pause before a deleted CRD's storage goes, for requests under way to register.
CRD_TEARDOWN_DELAY = 1.0
# The internal API package a group's objects decode into, where it is not the group's first label:
# the core group's, and events.k8s.io's Events, which the core Event storage stores.
INTERNAL_PACKAGES = {"": "core", "events.k8s.io": "core"}
# Copied from the stored object whatever an update sends (BeforeUpdate); the uid and the deletion
# fields are checked by _keep_server_metadata.
IMMUTABLE_META = ("creationTimestamp", "generation")
# What the strategies' PrepareForCreate leave in .status, whatever the client sent, as Go writes
# it: the status fields without omitempty are there as zeros (generated clients require them).
INITIAL_STATUS = {"Pod": {"phase": "Pending"}, "Service": {"loadBalancer": {}},
                  "Ingress": {"loadBalancer": {}}, "HorizontalPodAutoscaler": {"desiredReplicas": 0},
                  "ReplicaSet": {"replicas": 0}, "ReplicationController": {"replicas": 0},
                  "StatefulSet": {"replicas": 0, "availableReplicas": 0},
                  "DaemonSet": dict.fromkeys(("currentNumberScheduled", "numberMisscheduled",
                                              "desiredNumberScheduled", "numberReady"), 0),
                  "PodDisruptionBudget": dict.fromkeys(("disruptionsAllowed", "currentHealthy", "desiredHealthy",
                                                        "expectedPods"), 0),
                  **{kind: {} for kind in (
                      "Deployment", "Job", "CronJob", "CertificateSigningRequest", "ResourceQuota",
                      "PersistentVolume", "PersistentVolumeClaim", "VolumeAttachment", "APIService")}}


@mirrors("k8s.io/apiextensions-apiserver/pkg/registry/customresourcedefinition.strategy.PrepareForCreate")
def _as_created(r: Resource, obj: dict) -> dict:
    """What a create answers: for a CRD, the status its strategy wrote, before the naming and
    establishing controllers (which the registry runs at once) accepted names or set conditions."""
    if r is not CRD:
        return obj
    stored = (obj.get("status") or {}).get("storedVersions")
    return {**obj, "status": {"conditions": None, "acceptedNames": dict(crds.ZERO_NAMES), "storedVersions": stored}}


@mirrors("(*k8s.io/apiserver/pkg/registry/generic/registry.DryRunnableStorage).copyInto")
def _dry_run_copy(r: Resource, obj: dict) -> dict:
    """What a dry run answers in place of the write it skips: the object encoded as storage would
    get it and decoded again, so a kind stored in another version answers as converted there and
    back (an autoscaling/v1 HorizontalPodAutoscaler's implicit 80% cpu target made explicit)."""
    codec = r.storage_codec
    return codec.from_storage(codec.to_storage(obj)) if codec else obj


def _spec_changed(r: Resource, new: dict, old: dict) -> bool:
    """Whether an update changes the stored spec as apiequality.Semantic.DeepEqual sees it, which
    compares quantities by value ("0.5" sent for the stored "500m" is no change) and an empty
    list or map with a nil one (a CRD's `shortNames: []` sent for none)."""
    if new.get("spec") == old.get("spec"):
        return False
    type_meta = {"apiVersion": new.get("apiVersion"), "kind": new.get("kind")}
    encoded = encoding.as_encoded(r, {**type_meta, "spec": deep_copy_json(new.get("spec"))})
    return encoded.get("spec") != old.get("spec")


@mirrors("k8s.io/apiserver/pkg/storage/etcd3.getTypeName")
def go_type_name(r: Resource) -> str:
    """The type upstream's store for `r` decodes an object into, without getTypeName's `*`: the
    internal type (core.Pod, apps.Deployment), unstructured for a custom resource."""
    if r.custom:
        return "unstructured.Unstructured"
    return f"{INTERNAL_PACKAGES.get(r.group, r.group.split('.')[0])}.{r.kind}"


# The resources whose writes decide something from the other objects of their kind, read from
# storage before the write: a Service's cluster IP and node ports (upstream's allocators claim
# them in etcd with a compare-and-swap, before admission, and give them back if the write fails)
# and a CRD's accepted names (upstream's naming controller is one worker, deciding one CRD at a
# time). Each decision is taken under its resource's lock from the stored objects and those other
# writes have claimed and not yet stored; the lock is not held across admission (webhooks may
# take 30 seconds, and may write a Service themselves), the claim is, until the write is done.
SERIALISED_WRITES = (("services", ""), ("customresourcedefinitions", "apiextensions.k8s.io"))


@mirrors("k8s.io/apimachinery/pkg/util/uuid.NewUUID")
def uuid4_text(bits: int) -> str:
    """`str(uuid.UUID(int=bits, version=4))`, the new object's uid, written without making the
    UUID object (a quarter of the cost, on every create): the version and variant bits set,
    then the 32 hex digits in their five groups."""
    bits = (bits & ~(0xF000 << 64) | (4 << 76)) & ~(0xC000 << 48) | (0x8000 << 48)
    digits = "%032x" % bits
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def _claims_until_written(method: Callable) -> Callable:
    """A write of a resource of SERIALISED_WRITES: what it decides (in `Registry._deciding`) stays
    claimed for it until it returns, stored or refused."""
    @functools.wraps(method)
    def claiming(self: "Registry", resource: Resource | str, *args, **kwargs):
        r = self.resource(resource)
        key = (r.plural, r.group)
        if key not in self._in_flight:
            return method(self, resource, *args, **kwargs)
        outer = getattr(self._write_token, "value", None)
        token = self._write_token.value = object()
        try:
            return method(self, resource, *args, **kwargs)
        finally:
            self._write_token.value = outer
            with self._serialised_writes[key]:
                self._in_flight[key].pop(token, None)
    return claiming


class Registry(LifecycleMixin, CRDTerminationMixin):
    """Create/get/list/update/patch/delete/watch for every served resource."""

    def __init__(self, etcd_client: EtcdClient, clock=None, *, rng: random.Random | None = None,
                 event_ttl: int = DEFAULT_EVENT_TTL):
        self.storage = Storage(etcd_client)
        for r in kinds.RESOURCES:  # the first of a prefix's resources is the one its storage was made for
            self.storage.object_types.setdefault(self.prefix(r, None), go_type_name(r))
        self.event_ttl = event_ttl
        self.clock = clock or WallClock()
        self.random = rng or random.Random()
        self._watches: list[Watch] = []
        self._lock = threading.Lock()
        self._serialised_writes = {resource: threading.RLock() for resource in SERIALISED_WRITES}
        # The objects writes of SERIALISED_WRITES have decided on and not yet stored, by write.
        self._in_flight: dict[tuple[str, str], dict[object, dict]] = {resource: {} for resource in SERIALISED_WRITES}
        self._write_token = threading.local()
        self._cachers: dict[str, Cacher] = {}  # by resource prefix
        self._cachers_lock = threading.Lock()
        self._custom_refresh_lock = threading.RLock()
        self._closed = False
        self._custom_resources: tuple[Resource, ...] | None = None  # listed from etcd at first use
        self._terminating_crds: tuple[dict, ...] = ()  # the CRDs marked Terminating, as last listed
        # What each served CRD's storage was made from, by uid: its storage prefix, spec and accepted names.
        self._custom_storage_made_from: dict[str, tuple[str, object, object]] = {}
        # How a CRD's conversion webhook is asked, (clientConfig, ConversionReview) -> its answer:
        # the adapter's HTTPS client, set once the registry it resolves Services with exists.
        self.conversion_webhook: customconversion.Call = customconversion.no_webhook_client
        self._stop_observing_counts = threading.Event()
        self._observing_counts: threading.Thread | None = None

    def close(self) -> None:
        """Stop every watch this registry started, the watch caches and the object counts."""
        with self._lock:
            watches, self._watches = self._watches, []
        self._stop_observing_counts.set()
        if self._observing_counts is not None:
            self._observing_counts.join()  # its etcd client is closed next
        with self._cachers_lock:
            self._closed = True
            cachers, self._cachers = list(self._cachers.values()), {}
        for watch in watches:
            watch.stop()
        for cacher in cachers:
            cacher.stop()

    @mirrors("(*k8s.io/apiserver/pkg/registry/generic/registry.Store).startObservingCount")
    def observe_counts(self) -> None:
        """Set apiserver_storage_objects of each storage (one per resource prefix, named by its group
        resource; the custom resources known so far) from a count of its keys in etcd; -1 when etcd
        does not answer."""
        counted: dict[str, str] = {}
        for r in (*kinds.RESOURCES, *(self._custom_resources or ())):
            counted.setdefault(self.prefix(r, None), f"{r.plural}.{r.group}" if r.group else r.plural)
        for prefix, resource in counted.items():
            if self._stop_observing_counts.is_set():
                return  # closing: each count could wait out an absent etcd's deadline
            try:
                count = self.storage.count(prefix)
            except EtcdClientError:
                count = -1
            self.storage.metrics.update_object_count(resource, count)

    def start_observing_counts(self, period: float = COUNT_METRIC_POLL_PERIOD) -> None:
        """Count at once, then every `period` stretched by a random jitter, until close (JitterUntil)."""
        def observe() -> None:
            while True:
                self.observe_counts()
                jitter = random.random() * RESOURCE_COUNT_POLL_PERIOD_JITTER  # not self.random: a test seeds it
                if self._stop_observing_counts.wait(period * (1 + jitter)):
                    return
        self._observing_counts = threading.Thread(target=observe, daemon=True, name="object counts")
        self._observing_counts.start()

    # -- keys and lookups ------------------------------------------------------------------------

    @staticmethod
    def resource(resource: Resource | str) -> Resource:
        """`resource` itself, or the served resource with that plural (404 when none)."""
        if isinstance(resource, Resource):
            return resource
        found = kinds.by_plural(resource)
        if found is None:
            raise errors.resource_not_served()
        return found

    @staticmethod
    def prefix(r: Resource, namespace: str | None) -> str:
        base = f"/registry/{r.etcd_prefix}/"
        return f"{base}{namespace}/" if r.namespaced and namespace else base

    @mirrors("k8s.io/apiserver/pkg/registry/generic/registry.NamespaceKeyFunc")
    def key(self, r: Resource, namespace: str | None, name: str) -> str:
        if r.namespaced and not namespace:
            raise errors.bad_request("Namespace parameter required.")
        if not name:
            raise errors.bad_request("resource name may not be empty")
        limits.check_path_segment(name)
        return f"{self.prefix(r, namespace)}{name}"

    def custom_resources(self) -> tuple[Resource, ...]:
        """The resources the established CustomResourceDefinitions serve, as this server knows them:
        listed at first use and again after each write of a CRD through it (the crdHandler's informer,
        without other servers' writes)."""
        if self._custom_resources is None:
            self._refresh_custom_resources()
        return self._custom_resources

    def _refresh_custom_resources(self) -> None:
        # CRD writes run side by side (their admission is not serialised): the refresh that lists
        # last is the one whose view stays.
        with self._custom_refresh_lock:
            self._refresh_custom_resources_now()

    def _refresh_custom_resources_now(self) -> None:
        listed = self.storage.list(self.prefix(CRD, None)).items
        def call(client_config: dict, review: dict) -> dict:
            return self.conversion_webhook(client_config, review)
        served = [(crd, customresource.resources_for(crd, call)) for crd in listed]
        self._terminating_crds = tuple(crd for crd in listed if terminating(crd))
        self._custom_resources = tuple(r for _, resources in served for r in resources)
        for r in self._custom_resources:
            self.storage.object_types[self.prefix(r, None)] = go_type_name(r)
        made_from = {crd["metadata"]["uid"]: (self.prefix(resources[0], None), crd["spec"],
                                              (crd.get("status") or {}).get("acceptedNames"))
                     for crd, resources in served if resources}
        self._restart_changed_custom_storage(made_from)

    @mirrors("(*k8s.io/apiextensions-apiserver/pkg/apiserver.crdHandler).updateCustomResourceDefinition")
    def _restart_changed_custom_storage(self, made_from: dict[str, tuple[str, object, object]]) -> None:
        """Tear down the storage of every CRD whose spec or accepted names changed since its storage
        was made (a new version, a schema, a printer column: not a label or a condition), as the
        crdHandler does on the CRD's update: its open watches end a second later, and the next
        request starts a fresh watch cache."""
        before, self._custom_storage_made_from = self._custom_storage_made_from, made_from
        for uid, (prefix, spec, accepted_names) in made_from.items():
            if uid in before and before[uid] != (prefix, spec, accepted_names):
                self._tear_down_custom_storage(before[uid][0])
        for uid in before.keys() - made_from.keys():  # a CRD gone (removeDeadStorage)
            self._tear_down_custom_storage(before[uid][0])

    def _written(self, r: Resource, obj: dict) -> dict:
        """`obj` just stored; a CRD's write changes what is served, one of its objects' write may
        let a terminating CRD go."""
        if r is CRD:
            self._refresh_custom_resources()
        elif r.custom and self._terminating_crds:
            self._after_custom_write(r)
        return obj

    @mirrors("(*k8s.io/apiextensions-apiserver/pkg/controller/status.NamingConditionController).sync")
    def _accept_names(self, crd: dict) -> None:
        """The names and conditions the naming controller gives `crd`, among the CRDs of its group
        (stored, or being written with the names they were given)."""
        group, name = (crd.get("spec") or {}).get("group"), crd["metadata"].get("name")
        with self._deciding(CRD, crd) as in_flight:
            group_crds = [c for c in self.storage.list(self.prefix(CRD, None)).items if c["spec"].get("group") == group]
            group_crds += [c for c in in_flight if c["spec"].get("group") == group and c["metadata"].get("name") != name]
            written = deep_copy_json(crd)
            crds.accept_names(crd, group_crds, self.now())
        if crd.get("status") != written.get("status"):
            self._track_controller_status(crd, written)

    def _track_controller_status(self, crd: dict, written: dict) -> None:
        """The managedFields entry of the status the naming and establishing controllers write:
        upstream's controllers send it as an update of the status subresource through the loopback
        client, whose manager is Go's own User-Agent (on the real 1.24 server: `Go-http-client`,
        Update, status: the accepted names and each condition they set)."""
        # The status as Go's struct holds it before: its fields have no omitempty, an unset list is
        # there as null (a list the controller fills is not itself its field, only the items).
        live = {**written, "status": {**crds.ZERO_CRD["status"], **(written.get("status") or {})}}
        FieldManager.for_resource(CRD, "status").update(live, crd, LOOPBACK_FIELD_MANAGER, self.now(), owned=True)

    @contextlib.contextmanager
    def _deciding(self, r: Resource, obj: dict):
        """Hold `r`'s lock while a write decides `obj` from the other objects of its kind; yields
        those other writes have decided on and not yet stored. Once decided, `obj` is claimed for
        this write (replacing what an earlier attempt of it claimed) until `_claims_until_written`
        lets it go."""
        key = (r.plural, r.group)
        token = getattr(self._write_token, "value", None)
        with self._serialised_writes[key]:
            in_flight = self._in_flight[key]
            in_flight.pop(token, None)
            yield [other for other in in_flight.values()]
            if token is not None:
                in_flight[token] = obj

    @mirrors("(*k8s.io/apiextensions-apiserver/pkg/apiserver.crdHandler).removeDeadStorage",
             "(*k8s.io/apiextensions-apiserver/pkg/apiserver.crdHandler).tearDown")
    def _tear_down_custom_storage(self, prefix: str) -> None:
        """End the watches of a deleted (or changed) CRD's resources, as upstream destroys the storage
        of a CRD that is gone (its watch cache stops, and with it every watch it serves; watches, being
        long-running, do not hold that up): clients such as the garbage collector's informers then
        list again and learn the resource is no longer served. The cache leaves the registry now,
        so a CRD made again starts a fresh one, and stops a second later, once it has passed on
        the deletions of the objects."""
        with self._cachers_lock:
            cacher = self._cachers.pop(prefix, None)
        if cacher is None:
            return
        revision = int(self.storage.list(prefix).resource_version)  # read after the deletions
        timer = threading.Timer(CRD_TEARDOWN_DELAY, cacher.stop_when_fresh, (revision,))
        timer.daemon = True
        timer.start()

    def _store(self, r: Resource) -> Storage | Cacher | ConvertingStorage:
        """The storage of `r` (its watch cache once it has one), converting to and from the version
        etcd holds it in."""
        storage = self._cachers.get(self.prefix(r, None), self.storage)
        return ConvertingStorage(storage, r.storage_codec) if r.storage_codec else storage

    @mirrors("k8s.io/apiserver/pkg/registry/generic/registry.StorageWithCacher")
    def start_watch_caches(self) -> None:
        """Give every built-in resource its watch cache, listing etcd now, as upstream makes each
        resource's Cacher with its storage when the server starts: a watch from any revision since
        then is answered from the cache's buffer, even once etcd has compacted that history."""
        for r in kinds.RESOURCES:
            self._start_cacher(r)

    def _reader(self, r: Resource, from_cache: bool) -> Storage | Cacher | ConvertingStorage:
        """`_store(r)` for a read; one the watch cache answers (`from_cache`) starts `r`'s cache
        first if it has none yet (a custom resource's, as upstream's crdHandler makes it at its
        first request)."""
        if from_cache:
            self._start_cacher(r)
        return self._store(r)

    def _start_cacher(self, r: Resource) -> None:
        """Give `r` its watch cache, answering for the history since it listed. Events are not
        cached (upstream's watch cache size for them is 0): they are written far more than read."""
        prefix = self.prefix(r, None)
        if r.etcd_prefix == "events":
            return
        with self._cachers_lock:
            if prefix in self._cachers or self._closed:
                return
            try:
                self._cachers[prefix] = Cacher(self.storage, prefix, index_field=r.watch_index).start()
            except (EtcdClientError, errors.StatusError):
                pass  # this watch goes to etcd, which says what is wrong; the next one tries again

    def now(self) -> str:
        return rfc3339(self.clock.now())

    @mirrors("k8s.io/kubernetes/pkg/registry/core/event/storage.NewREST")
    def _ttl(self, r: Resource) -> int:
        """The seconds an object of `r` lives after each write: Events of both groups (one storage)
        have the server's --event-ttl; everything else lives until deleted (0)."""
        return self.event_ttl if r.etcd_prefix == "events" else 0

    @mirrors("k8s.io/apiserver/pkg/storage/errors.InterpretUpdateError")
    def _storage_call(self, r: Resource, name: str, call: Callable, *args, **kwargs):
        """Run a storage call, turning missing/existing keys into NotFound/AlreadyExists and an
        object that fails a precondition into a Conflict carrying the storage's error."""
        try:
            return call(*args, **kwargs)
        except KeyNotFound:
            raise errors.not_found(r.plural, name, r.group) from None
        except KeyExists:
            raise errors.already_exists(r.plural, name, r.group) from None
        except InvalidObj as err:
            raise errors.conflict(r.plural, name, r.group, str(err)) from None

    # -- create ----------------------------------------------------------------------------------

    def _check_type(self, r: Resource, obj: dict) -> None:
        if not isinstance(obj, dict):
            raise errors.bad_request("the request body must be a JSON object")
        api_version, kind = obj.get("apiVersion") or r.api_version, obj.get("kind") or r.kind
        if api_version != r.api_version:
            raise errors.bad_request(f"the API version in the data ({api_version}) does not match "
                                     f"the expected API version ({r.api_version})")
        if kind != r.kind and not r.custom:  # a custom object's kind is validation's (ValidateTypeMeta)
            raise errors.bad_request(f"the kind in the data ({kind}) does not match the expected "
                                     f"kind ({r.kind})")
        obj["apiVersion"], obj["kind"] = api_version, kind
        if not isinstance(obj.setdefault("metadata", {}), dict):
            raise errors.bad_request("metadata must be an object")

    def _check_namespace(self, r: Resource, namespace: str | None, meta: dict) -> None:
        if not r.namespaced:
            meta.pop("namespace", None)
            return
        if meta.get("namespace") and meta["namespace"] != namespace:
            raise errors.bad_request("the namespace of the provided object does not match the "
                                     "namespace sent on the request")
        if namespace:
            meta["namespace"] = namespace
        else:
            meta.pop("namespace", None)

    def _invalid(self, r: Resource, obj: dict, problems: list[str]) -> errors.StatusError:
        """NewInvalid, named by the object's kind: a custom object's may be another than its resource's."""
        kind = obj.get("kind") or r.kind if r.custom else r.kind
        return errors.invalid(kind, obj["metadata"].get("name", ""), problems, r.object_kind_group)

    @mirrors("(*k8s.io/apiserver/pkg/registry/generic/registry.Store).Create",
             "k8s.io/apiserver/pkg/registry/rest.BeforeCreate")
    @_claims_until_written
    def create(self, resource: Resource | str, namespace: str | None, obj: dict,
               dry_run: bool = False, user: object = None,
               create_validation: Callable[[dict], None] | None = None, warnings: list[str] | None = None,
               *, owned: bool = False, subresource: str | None = None) -> dict:
        """Store a new object; its metadata is filled here, whatever the client sent for it.
        `user` is who asks (the request context's user.Info), for strategies that record it;
        `create_validation` (validating admission) sees the object once it is fully formed: the
        object itself, as upstream's Validate gets it, so it must only read it. The strategy's
        warnings about a valid object are added to `warnings` (the request's). A caller that
        hands `obj` over (`owned`: it never reads it again) has it written into instead of
        copied, as upstream's Store.Create writes into the object it is given. A create through
        a `subresource`'s store (a PUT or an apply to a missing service's status) runs none of the
        main store's hooks."""
        r = self.resource(resource)
        if r.custom and any(self.prefix(r, None) == f"/registry/{c['spec']['group']}/{c['spec']['names']['plural']}/"
                            for c in self._terminating_crds):
            raise refuse_create_while_terminating(r)
        shares_labels = r.kind == "Job" and _job_shares_template_labels(obj)
        if not owned:
            obj = deep_copy_json(obj)
        self._check_type(r, obj)
        meta = obj["metadata"]
        self._check_namespace(r, namespace, meta)
        # etcd3's Create refuses only a resourceVersion that parses to a revision; "0" or one that
        # does not parse is dropped with the rest of the server's metadata. A dry run never gets
        # there (DryRunnableStorage returns first), nor does an object validation refuses.
        sent_rv = meta.get("resourceVersion") or "0"
        rv_refused = parse_uint_problem(sent_rv) is None and int(sent_rv) != 0
        meta["uid"] = uuid4_text(self.random.getrandbits(128))
        meta["creationTimestamp"] = self.now()
        for field in ("deletionTimestamp", "deletionGracePeriodSeconds"):
            meta.pop(field, None)
        # A strategy that tracks generations starts at 1; the others keep what the client sent
        # (BeforeCreate leaves it), which ValidateObjectMeta holds to be at least 0.
        if r.tracks_generation:
            meta["generation"] = 1
        if r.kind in INITIAL_STATUS:
            obj["status"] = deep_copy_json(INITIAL_STATUS[r.kind])
        _check_decodable(r, obj)
        if shares_labels:  # what the decoded Job's defaults made one map stays one
            obj["metadata"]["labels"] = obj["spec"]["template"]["metadata"]["labels"]
        kinds.default(r, obj)
        if r.prepare_for_create:
            r.prepare_for_create(obj, user)
        pod.drop_disabled_template_fields(r.group, r.kind, obj, None)
        if not meta.get("name") and meta.get("generateName"):  # in BeforeCreate, after PrepareForCreate
            meta["name"] = names.generate_name(meta["generateName"], self.random)
        meta.pop("clusterName", None)  # BeforeCreate: decoded (ObjectMeta declares it), never saved
        if r.kind == "Job":  # the job strategy's Validate: the generated name is the pods' job-name
            _generate_job_selector(obj)
        if r is CRD:
            self._accept_names(obj)
        # The service REST's BeginCreate, before the strategy validates; its status store is a copy
        # made before BeginCreate was set, so a create through it allocates no IP and no node port.
        if r.kind == "Service" and subresource is None:
            self._allocate_service(r, obj, None, dry_run)
        problems = r.validate_create(obj) + limits.size_problems(r.kind, obj)
        if r.namespaced and not meta.get("namespace"):
            # ValidateObjectMeta's, after the name's: only a POST to /namespaces//<resource> (a
            # namespace that is empty) comes here without one.
            at = sum(1 for problem in problems if problem.startswith(("metadata.name", "metadata.generateName")))
            problems.insert(at, "metadata.namespace: Required value")
        if problems:
            raise self._invalid(r, obj, problems)
        # BeforeCreate's own ObjectMeta check, after the strategy's so that the strategy's errors
        # come alone: it finds what a strategy checking no metadata lets through.
        problems = metadata_problems(obj, "path")
        if problems:
            raise self._invalid(r, obj, problems)
        if warnings is not None:  # the recorder keeps one of each text
            warnings += [w for w in podwarnings.warnings_on_create(r.group, r.kind, obj) if w not in warnings]
        if r.canonicalize:
            r.canonicalize(obj)
        obj = encoding.as_encoded(r, obj)  # what storage gets: the struct, encoded
        if create_validation:
            create_validation(obj)
        key = self.key(r, namespace, meta["name"])
        if dry_run:
            # DryRunnableStorage.Create: the key a dry run would write must be free.
            existing = self._stored(r, key)
            if existing is None:
                return _as_created(r, _dry_run_copy(r, obj))
        else:
            if rv_refused:
                raise errors.bad_request("resourceVersion should not be set on objects to be created")
            try:
                return _as_created(r, self._written(r, self._store(r).create(key, obj, self._ttl(r))))
            except KeyExists:
                existing = self._stored(r, key)
        error = errors.already_exists(r.plural, meta["name"], r.group)
        if ((existing or {}).get("metadata") or {}).get("deletionTimestamp"):
            error.message = f"object is being deleted: {error.message}"
        raise error

    def _stored(self, r: Resource, key: str) -> dict | None:
        try:
            return self._store(r).get(key)
        except KeyNotFound:
            return None

    @mirrors("(*k8s.io/kubernetes/pkg/registry/core/service/storage.REST).beginCreate",
             "(*k8s.io/kubernetes/pkg/registry/core/service/storage.REST).beginUpdate",
             "k8s.io/kubernetes/pkg/registry/core/service/storage.normalizeClusterIPs",
             "(*k8s.io/kubernetes/pkg/registry/core/service/storage.Allocators).allocateCreate",
             "(*k8s.io/kubernetes/pkg/registry/core/service/storage.Allocators).allocateUpdate",
             "(*k8s.io/kubernetes/pkg/registry/core/service/portallocator.PortAllocator).Allocate",
             "(*k8s.io/kubernetes/pkg/registry/core/service/ipallocator.Range).Allocate")
    def _allocate_service(self, r: Resource, obj: dict, old: dict | None, dry_run: bool) -> None:
        """The service IP and node-port allocators: a requested cluster IP must be in the service
        range and free, a requested node port in the node-port range (a dry run's allocator skips
        that check) and free; the others are picked unused at random. Free means held by no
        stored Service and claimed by no other write in flight."""
        with self._deciding(r, obj) as in_flight:
            self._allocate_service_ips_and_ports(r, obj, old, dry_run, in_flight)

    def _allocate_service_ips_and_ports(self, r: Resource, obj: dict, old: dict | None, dry_run: bool,
                                        in_flight: list[dict]) -> None:
        spec, before = obj["spec"], (old or {}).get("spec") or {}
        if old is None:
            if spec.get("clusterIP") and not spec.get("clusterIPs"):
                spec["clusterIPs"] = [spec["clusterIP"]]
        else:
            if not spec.get("clusterIP") and before.get("clusterIP") and spec["type"] != "ExternalName":
                spec["clusterIP"] = before["clusterIP"]  # patchAllocatedValues: a client may leave it out
            if service.needs_health_check(before) and service.needs_health_check(spec) and \
                    not spec.get("healthCheckNodePort"):
                spec["healthCheckNodePort"] = before.get("healthCheckNodePort")  # so may the health-check port
            if before.get("clusterIPs") and not spec.get("clusterIPs") and \
                    before.get("clusterIP") == spec.get("clusterIP"):
                spec["clusterIPs"] = before["clusterIPs"]  # an old client that knows only clusterIP
            if before.get("clusterIP") != spec.get("clusterIP") and spec.get("clusterIPs") == before.get("clusterIPs"):
                if spec.get("clusterIP"):
                    spec["clusterIPs"] = [spec["clusterIP"]]
                else:
                    spec.pop("clusterIPs", None)
        old_uid = old["metadata"].get("uid") if old else None
        others = [s.get("spec") or {} for s in self.storage.list(self.prefix(r, None)).items + in_flight
                  if old_uid is None or s["metadata"].get("uid") != old_uid]
        if spec["type"] != "ExternalName":
            problems = service.cluster_ips_problems(spec) or service.ip_family_problems(spec, before)
            if problems:
                raise self._invalid(r, obj, problems)
            used = {other.get("clusterIP") for other in others}
            if not spec.get("clusterIP"):
                while (ip := f"10.96.{self.random.randint(0, 255)}.{self.random.randint(1, 254)}") in used:
                    pass
                spec["clusterIP"], spec["clusterIPs"] = ip, [ip]
            elif spec["clusterIP"] not in ("None", before.get("clusterIP")) and \
                    (old is None or before.get("type") == "ExternalName"):
                # An update allocates only for a service that had no IP (handleClusterIPsForUpdatedService's
                # case A); any other change of the IP is left to validation's "may not change once set".
                # A dry run's allocator checks only the range (dryRunRange.Allocate): whether the IP is free
                # is left to the real create.
                problems = service.cluster_ip_allocation_problems(spec["clusterIP"], set() if dry_run else used)
                if problems:
                    raise self._invalid(r, obj, problems)
            default_zero(spec, "ipFamilies", ["IPv4"])  # len(IPFamilies) == 0: an empty list too
        if spec["type"] in ("NodePort", "LoadBalancer"):
            taken = {port.get("nodePort") for other in others for port in other.get("ports") or []}
            kept = {port.get("nodePort") for port in dict_items(before.get("ports"))}
            problems = service.allocate_node_ports(spec, taken, self._free_node_port, kept,
                                                   check_range=not dry_run)
            if problems:
                raise self._invalid(r, obj, problems)
        if spec["type"] == "LoadBalancer" and spec.get("externalTrafficPolicy") == "Local":
            spec.setdefault("healthCheckNodePort", self.random.randint(*service.NODE_PORT_RANGE))

    def _free_node_port(self, taken: set[int]) -> int:
        while (port := self.random.randint(*service.NODE_PORT_RANGE)) in taken:
            pass
        return port

    # -- read ------------------------------------------------------------------------------------

    @mirrors("(*k8s.io/apiserver/pkg/registry/generic/registry.Store).Get")
    def get(self, resource: Resource | str, namespace: str | None, name: str, resource_version: str = "") -> dict:
        """The object, at a revision no older than `resource_version` when one is given."""
        r = self.resource(resource)
        return self._storage_call(r, name, self._reader(r, bool(resource_version)).get,
                                  self.key(r, namespace, name), resource_version)

    def _predicate(self, r: Resource, label_selector: str, field_selector: str):
        """The SelectionPredicate for these selectors, None when both select everything."""
        labels = parse_label_selector(label_selector)
        fields = parse_field_selector(field_selector, r.field_label_conversion)
        if labels.empty and fields.empty:
            return None
        return SelectionPredicate(labels, fields, r.field_selectors)

    @mirrors("(*k8s.io/apiserver/pkg/registry/generic/registry.Store).List",
             "(*k8s.io/apiserver/pkg/registry/generic/registry.Store).ListPredicate")
    def list(self, resource: Resource | str, namespace: str | None = None, label_selector: str = "",
             field_selector: str = "", limit: int = 0, continue_token: str = "",
             resource_version: str = "", resource_version_match: str = "") -> dict:
        """A `<Kind>List` of the matching objects, paged by `limit` and `continue_token`."""
        r = self.resource(resource)
        limit, continue_token, resource_version = max(0, int(limit or 0)), continue_token or "", resource_version or ""
        from_cache = not should_delegate_list(resource_version, limit, continue_token, resource_version_match)
        predicate = self._predicate(r, label_selector, field_selector)
        # The one key comes first: GetToList reads it whatever the namespace (`..` too: upstream
        # cleans it to a key no object has).
        single_key = self._single_key(r, namespace, predicate, continue_token)
        if single_key is not None:
            prefix, limit = single_key, 0  # GetToList reads the one key: a limit pages nothing
        else:
            prefix = self.prefix(r, namespace) if from_cache else self._etcd_list_prefix(r, namespace)
        result = self._reader(r, from_cache).list(prefix, predicate=predicate,
                                                  limit=limit, continue_token=continue_token,
                                                  resource_version=resource_version,
                                                  resource_version_match=resource_version_match)
        metadata: dict = {"resourceVersion": result.resource_version}
        if result.continue_token:
            metadata["continue"] = result.continue_token
        if result.remaining_item_count is not None:
            metadata["remainingItemCount"] = result.remaining_item_count
        if r.custom:
            # An UnstructuredList: its items keep their apiVersion and kind, and UpdateList's
            # SetContinue writes an empty continue too.
            metadata.setdefault("continue", "")
            items = result.items
        else:
            items = [{k: v for k, v in item.items() if k not in ("apiVersion", "kind")} for item in result.items]
        return {"kind": r.list_kind, "apiVersion": r.api_version, "metadata": metadata,
                "items": items}

    @mirrors("(*k8s.io/apiserver/pkg/storage/etcd3.store).List")
    def _etcd_list_prefix(self, r: Resource, namespace: str | None) -> str:
        """The prefix a list read from etcd covers. The store cleans its key with path.Join, so a
        namespace `.` is no segment at all: 1.24 lists every namespace's objects. A namespace `..`
        climbs out of the resource: a custom resource's reaches its group's keys, which its
        unstructured codec decodes when each is in one of its CRD's versions (1.24 lists them all,
        else its converter's error); a built-in one's reaches keys of other kinds, which upstream
        fails to decode (a 500 naming whichever kind comes first), refused here with a 400. (The
        watch cache matches prefixes as given: neither holds anything there.)"""
        if namespace == ".." and r.custom:
            return f"/registry/{r.group}/"
        if namespace == "..":
            raise errors.bad_request(f'Namespace parameter invalid: "{namespace}": may not be \'..\'')
        return self.prefix(r, None if namespace == "." else namespace)

    @mirrors("(*k8s.io/apiserver/pkg/storage.SelectionPredicate).MatchesSingle")
    def _single_key(self, r: Resource, namespace: str | None, predicate, continue_token: str) -> str | None:
        """The key of the one object a list without a continue token can select, when its field
        selector pins metadata.name and the key can be made (a namespaced list needs its namespace,
        and the name must be a valid path segment); else None, for a list of the whole prefix."""
        name = predicate.matcher_index("metadata.name") if predicate is not None and not continue_token else None
        if name is None:
            return None
        try:
            return self.key(r, namespace, name)
        except errors.StatusError:
            return None

    @mirrors("(*k8s.io/apiserver/pkg/registry/generic/registry.Store).Watch",
             "(*k8s.io/apiserver/pkg/registry/generic/registry.Store).WatchPredicate")
    def watch(self, resource: Resource | str, namespace: str | None = None, label_selector: str = "",
              field_selector: str = "", resource_version: str = "", allow_bookmarks: bool = False,
              bookmark_interval: float = BOOKMARK_FREQUENCY, timeout: float | None = None) -> Watch:
        """A `Watch` of the matching objects; iterate it for (type, object), `stop()` to end.
        `timeout` is how long the client's watch will run (it is not ended here)."""
        r = self.resource(resource)
        watch = self._reader(r, True).watch(self.prefix(r, namespace), resource_version=resource_version or "",
                                            predicate=self._predicate(r, label_selector, field_selector),
                                            allow_bookmarks=allow_bookmarks, bookmark_interval=bookmark_interval,
                                            bookmark_object=r.bookmark_object, timeout=timeout)
        with self._lock:
            self._watches = [w for w in self._watches if not w.stopped] + [watch]
        return watch

    # -- update ----------------------------------------------------------------------------------

    def _prepare_update(self, r: Resource, old: dict, new: dict, subresource: str | None,
                        dry_run: bool = False) -> dict:
        """rest.BeforeUpdate and the strategies' PrepareForUpdate: the object to write instead of
        `old`, given what the client sent."""
        self._check_type(r, new)
        meta, old_meta = new["metadata"], old["metadata"]
        if meta.get("name", old_meta["name"]) != old_meta["name"]:
            raise errors.bad_request(f"the name of the object ({meta['name']}) does not match the "
                                     f"name on the URL ({old_meta['name']})")
        sent_rv = _object_resource_version(meta.get("resourceVersion") or "")
        if not sent_rv and not r.allow_unconditional_update:
            # Store.Update names the resource here, not the kind (upstream's TODO in #18526).
            raise errors.invalid(r.plural, old_meta["name"], [
                "metadata.resourceVersion: Invalid value: 0x0: must be specified for an update"], r.group)
        self._check_namespace(r, old_meta.get("namespace"), meta)
        if sent_rv and sent_rv != int(old_meta["resourceVersion"]):
            raise errors.conflict(r.plural, old_meta["name"], r.group)
        if not sent_rv:
            # An unconditional update takes the stored object's resourceVersion (Store.Update),
            # which a dry run answers with; a write gets its new one from the store.
            meta["resourceVersion"] = old_meta["resourceVersion"]
        if subresource == "status":
            # A body without status stands for Go's zero-valued status struct: stored as {}, never
            # null. A custom object is a map: one without status has none (statusStrategy deletes it).
            if not r.custom:
                new["status"] = new.get("status") or {}
            kinds.default(r, new)  # the decoder's, before the strategy runs
            # Every status strategy's PrepareForUpdate keeps the stored spec; the kind's own may
            # reset some of the metadata sent as well.
            new.pop("spec", None)
            if "spec" in old:
                new["spec"] = old["spec"]
            if r.prepare_for_status_update:
                r.prepare_for_status_update(new, old)
            self._stamp_conditions(r, new, old)
            return self._validate_subresource_update(r, old, new, r.validate_status_update)
        if subresource == "approval":  # a CSR's approval changes only its conditions
            r.prepare_for_approval_update(new, old)
            self._stamp_conditions(r, new, old)
            return self._validate_subresource_update(r, old, new, r.validate_approval_update)
        if subresource == "ephemeralcontainers":
            kinds.default(r, new)  # the decoder's, before the strategy runs
            r.prepare_for_ephemeral_containers_update(new, old)
            return self._validate_subresource_update(r, old, new, r.validate_ephemeral_containers_update)
        if subresource == "finalize" and r.plural == "namespaces":
            updated = deep_copy_json(old)
            updated.setdefault("spec", {})["finalizers"] = (new.get("spec") or {}).get("finalizers") or []
            problems = namespace.validate_finalize_update(updated)  # the metadata is the stored one
            if problems:
                raise self._invalid(r, updated, problems)
            return updated
        if subresource is not None:
            raise errors.method_not_allowed(f"{r.plural}/{subresource}", "update", r.group)
        _check_decodable(r, new)
        # rest.BeforeUpdate's validateCommonFields, reported before the strategy's ValidateUpdate.
        _keep_server_metadata(meta, old_meta)
        common_problems = metadata_problems(new, "path") + metadata_update_problems(new, old)
        if r.status_reset_on_update and "status" in old:
            new["status"] = deep_copy_json(old["status"])
        kinds.default(r, new)
        if r.tracks_generation and _spec_changed(r, new, old):
            meta["generation"] = old_meta.get("generation", 1) + 1
        if r.prepare_for_update:
            r.prepare_for_update(new, old)
        pod.drop_disabled_template_fields(r.group, r.kind, new, old)
        if r is CRD:
            self._accept_names(new)
        if r.kind == "Service":
            self._allocate_service(r, new, old, dry_run)
        problems = common_problems + r.validate_update(old, new) + limits.size_problems(r.kind, new)
        if problems:
            raise self._invalid(r, new, problems)
        if r.canonicalize:
            r.canonicalize(new)
        return new

    def _stamp_conditions(self, r: Resource, new: dict, old: dict) -> None:
        if r.stamp_conditions:
            r.stamp_conditions(new, old, self.now())

    def _validate_subresource_update(self, r: Resource, old: dict, new: dict,
                                     validate: Callable[[dict, dict], list[str]] | None) -> dict:
        """`new` once the metadata it may not change is back and it passes the subresource
        strategy's ValidateUpdate: the metadata rules, then the kind's `validate(old, new)`."""
        _keep_server_metadata(new["metadata"], old["metadata"])
        problems = new_finalizer_problems(new["metadata"], old["metadata"]) + \
            immutable_metadata_problems(new["metadata"], old["metadata"]) + \
            r.metadata_problems(new) + (validate(old, new) if validate else [])
        if problems:
            raise self._invalid(r, new, problems)
        return new

    @mirrors("(*k8s.io/apiserver/pkg/registry/generic/registry.Store).Update",
             "k8s.io/apiserver/pkg/registry/rest.BeforeUpdate")
    def update(self, resource: Resource | str, namespace: str | None, name: str, obj: dict,
               subresource: str | None = None, dry_run: bool = False) -> dict:
        """Replace the object (or only its status); a stale resourceVersion is a 409 Conflict."""
        if subresource == "scale":
            return self.update_scale(resource, namespace, name, obj, dry_run=dry_run)
        return self.patch(resource, namespace, name, lambda current: deep_copy_json(obj), subresource, dry_run)

    @_claims_until_written
    def patch(self, resource: Resource | str, namespace: str | None, name: str,
              patch_fn: Callable[[dict], dict], subresource: str | None = None,
              dry_run: bool = False, update_validation: Callable[[dict, dict], None] | None = None,
              preconditions: Preconditions | None = None, warnings: list[str] | None = None) -> dict:
        """Update with `patch_fn(current) -> new`, re-run on every lost write race. `patch_fn`
        gets its own copy of the stored object, which it may change; what it returns becomes the
        stored object, so it must not be shared with anything else (not even a later call).
        `update_validation(new, old)` (validating admission) sees the object once prepared and
        validated, on every attempt: both objects themselves, which it must only read.
        `preconditions` (an update's uid) are checked before `patch_fn` runs, on a missing object
        too (a 409, not a 404). The strategy's warnings about a valid update of the object itself
        are added to `warnings` (the request's)."""
        r = self.resource(resource)
        if subresource == "scale":
            return self._patch_scale(r, namespace, name, patch_fn, dry_run, update_validation, preconditions, warnings)
        key = self.key(r, namespace, name)
        if dry_run and preconditions:
            self._check_dry_run_preconditions(r, name, key, preconditions)

        def apply(current: dict) -> dict:
            updated = encoding.as_encoded(r, self._prepare_update(r, current, patch_fn(deep_copy_json(current)),
                                                                  subresource, dry_run))
            if warnings is not None and not subresource:  # the recorder keeps one of each text
                warnings.extend(w for w in podwarnings.warnings_on_update(r.group, r.kind, updated, current)
                                if w not in warnings)
            if update_validation:
                update_validation(updated, current)
            if _emptied_finalizers(r, current, updated):
                raise _EmptiedFinalizers(updated)
            if dry_run:
                raise _DryRun(_dry_run_copy(r, updated))
            return updated

        try:
            stored = self._storage_call(r, name, self._store(r).guaranteed_update, key, apply, self._ttl(r),
                                        None if dry_run else preconditions)
        except _DryRun as result:
            return result.obj
        except _EmptiedFinalizers as emptied:
            if not dry_run:
                self._delete_without_finalizers(r, name, key, preconditions)
            return self._written(r, emptied.obj)
        return self._written(r, stored)

    @mirrors("(*k8s.io/apiserver/pkg/registry/generic/registry.DryRunnableStorage).GuaranteedUpdate")
    def _check_dry_run_preconditions(self, r: Resource, name: str, key: str, preconditions: Preconditions) -> None:
        """A dry run checks the preconditions itself, against the object it reads (a missing one
        has no uid) and naming the store's key, below the /registry prefix the etcd3 store adds."""
        current = self._stored(r, key) or {"metadata": {}}
        self._storage_call(r, name, preconditions.check, key.removeprefix("/registry"), current)

    @mirrors("(*k8s.io/apiserver/pkg/registry/generic/registry.Store).deleteWithoutFinalizers")
    def _delete_without_finalizers(self, r: Resource, name: str, key: str, preconditions: Preconditions | None) -> None:
        """Delete what an update emptied the last finalizers of, the stored object as it was (its
        watchers see it DELETED with the finalizers it still had, never a MODIFIED without them).
        Only the update's uid is checked: it is gone either way, and another update racing to
        remove the same finalizers may have deleted it already."""
        check = None if preconditions is None else (
            lambda current: preconditions.check(key.removeprefix("/registry"), current))
        try:
            deleted = self._storage_call(r, name, self._store(r).delete, key, check)
        except errors.StatusError as error:
            if error.code == 404:
                return
            raise
        self._after_delete(r, deleted)


class _EmptiedFinalizers(Exception):
    """Store.Update's errEmptiedFinalizers: carries an update that leaves an object being deleted
    with no finalizers out of GuaranteedUpdate, unwritten, to be deleted instead."""

    def __init__(self, obj: dict):
        super().__init__("emptied finalizers")
        self.obj = obj


@mirrors("(*k8s.io/apiserver/pkg/registry/generic/registry.Store).shouldDeleteDuringUpdate")
def _emptied_finalizers(r: Resource, old: dict, new: dict) -> bool:
    """Whether an update removes the last finalizers of an object already being deleted with no
    grace period left; a namespace also waits for its spec.finalizers (the namespace
    controller's "kubernetes", removed by /finalize)."""
    old_meta = old["metadata"]
    if new["metadata"].get("finalizers") or not old_meta.get("deletionTimestamp"):
        return False
    if r.plural == "namespaces" and not r.group and (new.get("spec") or {}).get("finalizers"):
        return False
    return not old_meta.get("deletionGracePeriodSeconds")


@mirrors("k8s.io/apiserver/pkg/registry/rest.BeforeUpdate")
def _keep_server_metadata(meta: dict, old_meta: dict) -> None:
    """An update drops clusterName and keeps the stored IMMUTABLE_META, the stored uid,
    deletionTimestamp and deletionGracePeriodSeconds when it sends none; changing the uid, or
    setting or changing either deletion field otherwise, is left for `metadata_update_problems` to
    refuse as "field is immutable" (see `immutable_metadata_problems`)."""
    for field in IMMUTABLE_META:
        if field in old_meta:
            meta[field] = old_meta[field]
        else:
            meta.pop(field, None)
    meta.pop("clusterName", None)  # decoded (ObjectMeta declares it), never saved
    if not meta.get("uid") and "uid" in old_meta:
        meta["uid"] = old_meta["uid"]
    for field in ("deletionTimestamp", "deletionGracePeriodSeconds"):
        if meta.get(field) is None:
            meta.pop(field, None)
    if "deletionTimestamp" in old_meta:
        meta["deletionTimestamp"] = old_meta["deletionTimestamp"]
    if "deletionGracePeriodSeconds" in old_meta:
        meta.setdefault("deletionGracePeriodSeconds", old_meta["deletionGracePeriodSeconds"])


@mirrors("(k8s.io/apiserver/pkg/storage/etcd3.APIObjectVersioner).ObjectResourceVersion")
def _object_resource_version(resource_version: str) -> int:
    """The revision an update is conditional on, 0 (none) for "" and "0". One that is no uint64
    is strconv.ParseUint's error, which upstream answers as a 500; a client's mistake is a 400
    here, in the same words."""
    if not resource_version:
        return 0
    problem = parse_uint_problem(resource_version)
    if problem:
        raise errors.bad_request(problem)
    return int(resource_version)


def _check_decodable(r: Resource, obj: dict) -> None:
    """400 for what the decoder refuses; a null label or annotation becomes the "" that decoding
    it into ObjectMeta's map[string]string leaves (a custom object's metadata is decoded so too)."""
    problem = decode_problem(r.kind, obj)
    if problem:
        raise errors.bad_request(problem)
    meta = obj.get("metadata") or {}
    for field in ("labels", "annotations"):
        if isinstance(meta.get(field), dict):
            meta[field] = {key: "" if value is None else value for key, value in meta[field].items()}


def _dict_field(obj: dict, field: str) -> dict:
    """`obj[field]` as an object, replacing a null or malformed one that an older write left."""
    if not isinstance(obj.get(field), dict):
        obj[field] = {}
    return obj[field]


def _job_shares_template_labels(job: dict) -> bool:
    """The Job's labels are its template's very map, as SetDefaults_Job assigns it when decoding
    (before admission): what generateSelector adds to the template, the Job has too."""
    template = (job.get("spec") or {}).get("template")
    labels = (template.get("metadata") or {}).get("labels") if isinstance(template, dict) else None
    return isinstance(labels, dict) and (job.get("metadata") or {}).get("labels") is labels


@mirrors("k8s.io/kubernetes/pkg/registry/batch/job.generateSelector")
def _generate_job_selector(job: dict) -> None:
    """A Job without manualSelector selects its pods by its own uid, which its template labels carry
    together with the job's name."""
    spec = _dict_field(job, "spec")
    if spec.get("manualSelector"):
        return
    # A nameless job still gets its labels here, before validation refuses it (as upstream does).
    uid, name = job["metadata"]["uid"], job["metadata"].get("name", "")
    labels = _dict_field(_dict_field(_dict_field(spec, "template"), "metadata"), "labels")
    labels.setdefault("controller-uid", uid)
    labels.setdefault("job-name", name)
    _dict_field(_dict_field(spec, "selector"), "matchLabels").setdefault("controller-uid", uid)
    if not job["metadata"].get("labels"):
        # SetDefaults_Job once more, as every decode of the stored job runs it: a job sent without
        # labels (nor template labels to share) reads back with the template's generated ones.
        job["metadata"]["labels"] = dict(labels)
