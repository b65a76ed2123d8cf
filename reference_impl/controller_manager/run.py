"""Run the reference kube-controller-manager: informers (reference_impl.client) keep caches of the
objects the controllers read, and every time a cache changes (or at least every second) each
controller's sans-IO sync runs over the caches and its actions go to the apiserver through
`apply`. As upstream's by default (--leader-elect=true), only the holder of the
kube-system/kube-controller-manager Lease acts; a leader that loses it exits 255 (klog.Fatalf's
"leaderelection lost"; kube-scheduler's exit is 1) for its supervisor to restart it as a candidate.

`python -m reference_impl.controller_manager.run --kubeconfig PATH [--leader-elect=false]
[--node-monitor-grace-period 40s] [--root-ca-file PATH]` prints one "ready" line once its caches
are synced and exits 0 on SIGTERM or SIGINT.

Each controller runs as upstream's do (`queued.QueuedController`): informer events enqueue the
keys they concern (a pod → its owning ReplicaSet, Job, …; a service's pods → the service), and one
worker loop syncs each queued key alone, so a change to one object costs the sync of its own key,
not a pass over every cache. A key whose requests failed is synced again after an exponential
backoff; keys are resynced periodically too, every second for what only time changes (node
health, a namespace waiting on kinds not watched here). A Job's deadline and a CronJob's next
scheduled time bring their keys back at that time instead (AddAfter), as upstream's do.

The Events a sync returns (a RecordEvent, or the Outcome a request records once it is answered:
"Created pod: web-7d9f-x2k4p", "Error creating: ...") go through one event recorder
(`client.record`, with client-go's correlator), each under its controller's source component.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import datetime
import functools
import socket
import sys
import threading
import time
import urllib.parse
import uuid
from dataclasses import dataclass, replace
from collections.abc import Callable, Mapping
from pathlib import Path

from reference_impl.machinery.clock import WallClock
from reference_impl.machinery import timefmt
from reference_impl.client import flowcontrol
from reference_impl.client import REQUEST_ERRORS, TRANSPORT_ERRORS, APIStatusError, ClientError, KubeconfigError, LeaderElectionLost
from reference_impl.client.cache import Indexer, ResourceEventHandler
from reference_impl.client.informer import Informer, load_client, log, start_and_sync, stop_informers
from reference_impl.client.leaderelection import LeaderElector
from reference_impl.client.apply import RESOURCES as API_PATHS
from reference_impl.client.apply import apply, get
from reference_impl.client.record import EventRecorder
from reference_impl.client.rest import RequestResults, RestClient, lease_step
from reference_impl.client.workqueue import ItemExponentialFailureRateLimiter, QueueMetrics, RateLimitingQueue
from reference_impl.controller_manager import (clusterroleaggregation, endpoints, endpointslice, garbagecollector,
                                              namespace, resourcequota, rootcacertpublisher, serviceaccount,
                                              volumeprotection)
from reference_impl.controller_manager import csrapproving, csrsigning, podautoscaler, ttlafterfinished
from reference_impl.controller_manager.cronjob import CronJobController
from reference_impl.controller_manager.csrsigning import SigningCA
from reference_impl.controller_manager.daemonset import DaemonSetsController
from reference_impl.controller_manager.deployment import DeploymentController
from reference_impl.controller_manager.disruption import DisruptionController, FailSafeStatusUpdate
from reference_impl.controller_manager.job import (DEFAULT_JOB_BACKOFF, MAX_JOB_BACKOFF, POD_UPDATE_BATCH_PERIOD,
                                                   DeleteJobPod, FailedPodsDetected, JobController, ManageJob,
                                                   RemoveTrackingFinalizers, UpdateAfterWrite,
                                                   deadline_remaining as job_deadline_remaining,
                                                   has_job_tracking_finalizer, remove_tracking_finalizer_patch)
from reference_impl.machinery.objects import controller_ref, meta_namespace_key
from reference_impl.controller_manager.nodelifecycle import GRACE_PERIOD, NodeLifecycleController
from reference_impl.controller_manager.podcontrol import DeletePods, SlowStartCreates, slow_start_batches
from reference_impl.controller_manager.queued import CONFLICT, Conflict, QueuedController, SyncError, Trigger
from reference_impl.controller_manager.replicaset import BURST_REPLICAS, ReplicaSetController
from reference_impl.controller_manager.replicationcontroller import ReplicationManager
from reference_impl.controller_manager.statefulset import StatefulSetController
from reference_impl.machinery.actions import Create, Delete, InOrder, Patch, RecordEvent, RetriedStatusUpdate, Update
from reference_impl.machinery.crash import Crash
from reference_impl.machinery.process import Component, Process, env_default
from reference_impl.machinery.process import main as machinery_main
from reference_impl.machinery.labels import selector_matches
from reference_impl.machinery.timefmt import rfc3339
from reference_impl.machinery.volume import PV_PROTECTION_FINALIZER, PVC_PROTECTION_FINALIZER
from reference_impl.controller_manager.ttl import TTLController
from reference_impl.apiserver.core.auth import AuthConfigError
from reference_impl.apiserver.core.errors import aggregate
from reference_impl.controller_manager import serving
from reference_impl.machinery import componentserver, pflag, upstreamflags
from reference_impl.machinery.goserver import ServingError
from reference_impl.machinery.prometheus import Registry
from reference_impl.mirrors import mirrors

SYNC_PERIOD = 1.0
# --kube-api-qps and --kube-api-burst's defaults (pkg/controller/apis/config/v1alpha1/defaults.go).
KUBE_API_QPS = 20.0
KUBE_API_BURST = 30
CONTROLLERS = ("replicaset", "deployment", "endpoint", "endpointslice", "serviceaccount", "namespace", "nodelifecycle",
               "garbagecollector", "replicationcontroller", "daemonset", "statefulset", "job", "cronjob", "ttl",
               "ttl-after-finished", "disruption", "horizontalpodautoscaling", "root-ca-cert-publisher",
               "clusterrole-aggregation", "pvc-protection", "pv-protection", "csrapproving")
# The names upstream's controllers give their work queues, where they differ from the controller's.
QUEUE_NAMES = {"endpointslice": "endpoint_slice", "replicationcontroller": "replicationmanager",
               "ttl": "ttlcontroller", "resourcequota": "resourcequota_primary",
               "ttl-after-finished": "ttl_jobs_to_delete", "root-ca-cert-publisher": "root_ca_cert_publisher",
               "pvc-protection": "pvcprotection", "pv-protection": "pvprotection",
               "clusterrole-aggregation": "ClusterRoleAggregator", "nodelifecycle": "node_lifecycle_controller_pods",
               "garbagecollector": "garbage_collector_attempt_to_delete",
               "horizontalpodautoscaling": "horizontalpodautoscaler", "csrsigning": "certificate",
               "csrapproving": "certificate", "job-orphan-pod": "job_orphan_pod"}
# The name of the clientset each controller's requests go through (ClientBuilder.ClientOrDie in
# cmd/kube-controller-manager/app): each is built from its own copy of the rest.Config, so each has
# its own --kube-api-qps/--kube-api-burst token bucket; the Job controller's two queues share one.
CLIENT_NAMES = {"replicaset": "replicaset-controller", "deployment": "deployment-controller",
                "replicationcontroller": "replication-controller", "daemonset": "daemon-set-controller",
                "statefulset": "statefulset-controller", "job": "job-controller", "job-orphan-pod": "job-controller",
                "ttl-after-finished": "ttl-after-finished-controller", "cronjob": "cronjob-controller",
                "horizontalpodautoscaler": "horizontal-pod-autoscaler", "disruption": "disruption-controller",
                "endpoint": "endpoint-controller", "endpointslice": "endpointslice-controller",
                "namespace": "namespace-controller", "nodelifecycle": "node-controller",
                "resourcequota": "resourcequota-controller", "ttl": "ttl-controller",
                "garbagecollector": "generic-garbage-collector", "root-ca-cert-publisher": "root-ca-cert-publisher",
                "pvc-protection": "pvc-protection-controller", "pv-protection": "pv-protection-controller",
                "clusterrole-aggregation": "clusterrole-aggregation-controller",
                "csrapproving": "certificate-controller", "csrsigning": "certificate-controller"}
RESYNC_PERIOD = 30.0  # every key of an event-driven controller is synced again this often, as a safety net
KEYS_PER_TURN = 100  # keys one controller syncs before the others get a turn
LEASE_RETRY_PERIOD = 2.0
# retry.DefaultRetry's step (10 ms, jitter left out): the StatefulSet's status write after a conflict.
STATUS_CONFLICT_RETRY_INTERVAL = 0.01
ALL = "*"  # the one key of a controller that works on whole caches (node lifecycle, garbage collector)


# --- the controller manager ------------------------------------------------------------------------

# The collections the controllers read; the GC and namespace controllers act only on these kinds.
WATCHED = {
    "pods": "/api/v1/pods", "replicasets": "/apis/apps/v1/replicasets",
    "deployments": "/apis/apps/v1/deployments", "services": "/api/v1/services",
    "endpoints": "/api/v1/endpoints", "serviceaccounts": "/api/v1/serviceaccounts",
    "namespaces": "/api/v1/namespaces", "nodes": "/api/v1/nodes",
    "leases": "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
    "endpointslices": "/apis/discovery.k8s.io/v1/endpointslices", "configmaps": "/api/v1/configmaps",
    "clusterroles": "/apis/rbac.authorization.k8s.io/v1/clusterroles",
    "certificatesigningrequests": "/apis/certificates.k8s.io/v1/certificatesigningrequests",
}
# What the garbage collector's monitors watch: every resource discovery finds that can be listed,
# watched and deleted (GetDeletableResources), but for core Events (DefaultIgnoredResources);
# discovery is read again every period (startGarbageCollectorController's 30 s), so that the
# custom resources of a CRD made since are watched too.
GC_VERBS = frozenset({"delete", "list", "watch"})
GC_IGNORED_RESOURCES = frozenset({("", "events")})
GC_DISCOVERY_PERIOD = 30.0
NAMESPACED_CONTENTS = ("pods", "replicasets", "deployments", "services", "endpoints", "serviceaccounts",
                       "endpointslices")
# The workload kinds' collections. Their informers are not waited for, so the manager starts
# against an apiserver that does not serve them; a controller runs once every cache it reads has
# listed, and only then do the GC and namespace controllers count those kinds.
WORKLOAD_WATCHED = {
    "replicationcontrollers": "/api/v1/replicationcontrollers", "daemonsets": "/apis/apps/v1/daemonsets",
    "statefulsets": "/apis/apps/v1/statefulsets", "controllerrevisions": "/apis/apps/v1/controllerrevisions",
    "persistentvolumeclaims": "/api/v1/persistentvolumeclaims",
    "persistentvolumes": "/api/v1/persistentvolumes", "jobs": "/apis/batch/v1/jobs",
    "cronjobs": "/apis/batch/v1/cronjobs", "poddisruptionbudgets": "/apis/policy/v1/poddisruptionbudgets",
    "resourcequotas": "/api/v1/resourcequotas",
    "horizontalpodautoscalers": "/apis/autoscaling/v2/horizontalpodautoscalers",
}
POD_METRICS = "/apis/metrics.k8s.io/v1beta1/namespaces/{namespace}/pods"
# The kinds whose changes (a delete, a pod ending) can release quota usage.
QUOTA_REPLENISHED = ("pods", "services", "persistentvolumeclaims", "replicationcontrollers")
# The workloads whose scale the disruption controller reads.
DISRUPTION_SCALED = ("replicationcontrollers", "replicasets", "deployments", "statefulsets")


def _api_group(prefix: str) -> str:
    """The group of an API prefix: "" for /api/v1, "apps" for /apis/apps/v1."""
    parts = prefix.strip("/").split("/")
    return parts[1] if parts[0] == "apis" else ""


@dataclass(frozen=True)
class APIResource:
    """One top-level resource of discovery (metav1.APIResource), under its group version's prefix."""
    name: str  # the plural
    prefix: str  # /api/v1, /apis/apps/v1
    namespaced: bool
    kind: str
    verbs: frozenset[str]

    @property
    def group(self) -> str:
        return _api_group(self.prefix)

    @property
    def group_version(self) -> str:
        """What an ownerReference's apiVersion says: v1, apps/v1."""
        return self.prefix.split("/", 2)[2]

    @property
    def path(self) -> str:
        """The collection across namespaces, as an informer lists and watches it."""
        return f"{self.prefix}/{self.name}"


class GroupDiscoveryFailed(Exception):
    """discovery.ErrGroupDiscoveryFailed: the group versions whose resources could not be read
    (group version → error), with the resources of those that could."""

    def __init__(self, groups: dict[str, Exception], resources: list[APIResource]):
        super().__init__("unable to retrieve the complete list of server APIs: "
                         + ", ".join(f"{gv}: {error}" for gv, error in groups.items()))
        self.groups, self.resources = groups, resources


@mirrors("(*k8s.io/client-go/discovery.DiscoveryClient).ServerPreferredResources")
def server_preferred_resources(client: RestClient) -> list[APIResource]:
    """The top-level resources (no subresources) of the core group and of each group's preferred
    version, core first."""
    return _top_level_resources(client, ["/api/v1"] + [f"/apis/{group['preferredVersion']['groupVersion']}"
                                                       for group in client.request("GET", "/apis").get("groups") or []])


@mirrors("(*k8s.io/client-go/discovery.DiscoveryClient).ServerGroupsAndResources")
def server_resources(client: RestClient) -> list[APIResource]:
    """The top-level resources of the core group and of every version each group serves, core
    first and each group's preferred version before its others."""
    prefixes = ["/api/v1"]
    for group in client.request("GET", "/apis").get("groups") or []:
        preferred = group["preferredVersion"]["groupVersion"]
        versions = [v["groupVersion"] for v in group.get("versions") or [] if v["groupVersion"] != preferred]
        prefixes += [f"/apis/{version}" for version in (preferred, *versions)]
    return _top_level_resources(client, prefixes)


def _top_level_resources(client: RestClient, prefixes: list[str]) -> list[APIResource]:
    """The resources served under `prefixes`, no subresources. A group version that cannot be read
    (an aggregated API that is down) raises GroupDiscoveryFailed, which carries the others'."""
    resources: list[APIResource] = []
    failed: dict[str, Exception] = {}
    for prefix in prefixes:
        try:
            served = client.request("GET", prefix).get("resources", [])
        except REQUEST_ERRORS as error:
            failed[prefix.split("/", 2)[2]] = error
            continue
        resources += [APIResource(resource["name"], prefix, bool(resource.get("namespaced")),
                                  resource.get("kind", ""), frozenset(resource.get("verbs") or ()))
                      for resource in served if "/" not in resource["name"]]
    if failed:
        raise GroupDiscoveryFailed(failed, resources)
    return resources


class ControllerManager:
    def __init__(self, client: RestClient, grace_period: float = GRACE_PERIOD,
                 stop: threading.Event | None = None, root_ca: str = "", signing_cas: dict[str, SigningCA] | None = None,
                 registry: Registry | None = None, cert_ttl: datetime.timedelta = csrsigning.DEFAULT_DURATION,
                 clock=None, gc_discovery_period: float = GC_DISCOVERY_PERIOD,
                 new_rate_limiter: Callable[[], flowcontrol.TokenBucketRateLimiter | None] = lambda: None):
        # Each controller's requests wait on its own limiter from `new_rate_limiter`
        # (--kube-api-qps/--kube-api-burst), made when it first sends (see client); the informers,
        # the event recorder and leader election, which upstream builds each their own client with
        # its own limiter, do not wait behind a sync's burst of pod requests.
        self._unlimited_client, self._new_rate_limiter = client, new_rate_limiter
        self._clients: dict[str, RestClient] = {}  # client name → that controller's clientset
        self._syncing: str | None = None  # the controller whose key is being synced, see syncing
        self.lease_client = client
        # The CA of each signer that runs (csrsigning.signer_files): none, and csrsigning is off.
        self.root_ca, self.signing_cas = root_ca, signing_cas or {}
        self.clock = clock or WallClock()  # a test's ManualClock: the syncs' and queues' time, not the loop's waits
        self.cert_ttl = cert_ttl  # --cluster-signing-duration
        self.queue_metrics = QueueMetrics(registry or Registry())
        self.started: tuple[str, ...] = ()  # the controllers running, once synced and leading
        self.elector: LeaderElector | None = None  # with --leader-elect, once the caches have synced
        self._discovered: dict[str, str] | None = None  # see _namespaced_kinds
        self.stop, self.wake = stop or threading.Event(), threading.Event()
        # An event being tried again sleeps on the stop event: stopping does not wait out its tries.
        self.recorder = EventRecorder(client, self.clock, lambda message: log("kube-controller-manager", message),
                                      sleep=self.stop.wait)
        # An informer handler that raises is a panic, as its processorListener's HandleCrash panics on.
        self.crash = Crash(lambda message: log("kube-controller-manager", message), self.stop, self.wake)
        self.informers = {name: Informer(client, path, self.stop, self.wake, "kube-controller-manager",
                                         handle_error=self.crash.handler_error)
                          for name, path in {**WATCHED, **WORKLOAD_WATCHED}.items()}
        # The GC's monitors (GraphBuilder.monitors): plural → the informer it reads, one of the
        # above where it watches the same collection, else one of its own, stopped by its own event.
        self.gc_monitors: dict[str, Informer] = {}
        self.gc_monitor_stops: dict[str, threading.Event] = {}
        # plural → (API prefix, namespaced) of what the GC monitors, this manager's own: a CRD
        # deleted frees its plural for another group's.
        self.gc_paths: dict[str, tuple[str, bool]] = {}
        # (apiVersion, kind) → (plural, namespaced) of what is monitored: the GC's REST mapping
        self.gc_mapping: garbagecollector.RESTMapping = {}
        # (dependent uid, message) of each invalid owner reference the GC has reported
        self.gc_reported: set[tuple[str, str]] = set()
        self.gc_absent_owners = garbagecollector.AbsentOwnerCache()
        self.gc_discovery_period = gc_discovery_period
        # The monitors change on the GC's sync thread while the GC's worker reads them.
        self.gc_lock = threading.Lock()
        self._gc_sync_thread = threading.Thread(target=self.crash.handle_crash, args=(self._gc_sync_loop,),
                                                daemon=True, name="garbagecollector sync")
        self.replicaset = ReplicaSetController(self.clock)
        self.deployment = DeploymentController(self.clock)
        self.nodelifecycle = NodeLifecycleController(self.clock, grace_period)
        self.replication = ReplicationManager(self.clock)
        self.daemonset = DaemonSetsController(self.clock)
        self.statefulset = StatefulSetController(self.clock)
        self.job = JobController(self.clock)
        self.cronjob = CronJobController(self.clock)
        self.ttl = TTLController()
        self.disruption = DisruptionController(self.clock)
        self.endpoints_trigger_times = endpoints.TriggerTimeTracker()
        pods = self.informers["pods"].store
        for controller in (self.replicaset, self.replication, self.daemonset):
            pods.add_event_handler(ResourceEventHandler(on_add=controller.add_pod,
                                                        on_delete=controller.delete_pod))
        pods.add_event_handler(ResourceEventHandler(on_add=self.job.add_pod, on_update=self.job.update_pod,
                                                    on_delete=self.job.delete_pod))
        for resource, on_delete in (("replicasets", self.replicaset.delete_rs),
                                    ("replicationcontrollers", self.replication.delete_rc),
                                    ("daemonsets", self.daemonset.delete_ds)):
            self.informers[resource].store.add_event_handler(ResourceEventHandler(on_delete=on_delete))
        self.queue_lock = threading.Lock()  # the controllers' queues, fed from the informers' threads
        self.controllers = self._controllers()
        self._watch_for(self.controllers)

    def _unwatched_content(self, namespace_name: str, watched: set[str]) -> dict[str, list[dict]]:
        """What a terminating namespace still holds of the kinds no informer here watches
        (config maps, secrets, roles, …), listed live: the namespace deleter finds every
        namespaced kind through discovery, as upstream's discoverResourcesFn does."""
        held = {}
        for plural, prefix in self._namespaced_kinds(rediscover=True).items():
            if plural in watched:
                continue
            try:
                listed = self.client.request("GET", f"{prefix}/namespaces/{namespace_name}/{plural}")
            except APIStatusError:
                continue  # the next sync lists it again; the namespace waits until it is empty
            held[plural] = listed.get("items") or []
        return held

    def _namespaced_kinds(self, rediscover: bool = False) -> dict[str, str]:
        """plural → API prefix of every namespaced resource that can be listed and deleted, from
        discovery: read once, and again when `rediscover`ing (the namespace deleter does at each
        sync, so it also finds the custom resources of CRDs made since); `apply` learns their paths."""
        if self._discovered is None or rediscover:
            try:
                served = server_preferred_resources(self.client)
            except GroupDiscoveryFailed as failure:
                # A namespace is not taken for empty while a group's kinds are unknown: retried.
                raise SyncError(str(failure)) from failure
            found: dict[str, str] = {}
            for resource in served:
                if resource.namespaced and {"list", "delete"} <= resource.verbs:
                    found.setdefault(resource.name, resource.prefix)
            for plural, prefix in found.items():
                API_PATHS.setdefault(plural, (prefix, True))
            self._discovered = found
        return self._discovered

    @property
    def client(self) -> RestClient:
        """The client of the controller whose key is being synced (the unlimited one outside a
        sync): all the requests of a sync, from every thread it starts, share its token bucket."""
        if self._syncing is None:
            return self._unlimited_client
        name = CLIENT_NAMES.get(self._syncing, self._syncing)
        if name not in self._clients:
            self._clients[name] = self._unlimited_client.with_rate_limiter(self._new_rate_limiter())
        return self._clients[name]

    @contextlib.contextmanager
    def syncing(self, controller: str):
        """Send the requests made inside on `controller`'s client."""
        self._syncing = controller
        try:
            yield
        finally:
            self._syncing = None

    def cache(self, name: str) -> Indexer:
        return self.informers[name].store

    def synced(self, *names: str) -> bool:
        return all(self.informers[name].has_synced for name in names)

    # -- keys: which objects a change concerns ---------------------------------------------------

    def _in_namespace(self, resource: str, namespace: str) -> list[str]:
        return [meta_namespace_key(obj) for obj in self.cache(resource).by_namespace(namespace)]

    def _owner(self, kind: str, resource: str):
        """An object's key → its controller of `kind`; an object without a controller → every
        `resource` in its namespace (one of them may adopt it)."""
        def keys(obj: dict) -> list[str]:
            ref = controller_ref(obj)
            if ref is None:
                return self._in_namespace(resource, obj["metadata"].get("namespace", ""))
            if ref.get("kind") != kind:
                return []
            return [f"{obj['metadata'].get('namespace', '')}/{ref['name']}"]
        return keys

    def _services_of(self, obj: dict) -> list[str]:
        return self._in_namespace("services", obj["metadata"].get("namespace", ""))

    def _namespace_of(self, obj: dict) -> list[str]:
        return [obj["metadata"].get("namespace", "")]

    def _terminating_namespace_of(self, obj: dict) -> list[str]:
        """A namespace being emptied hears of every change of what it holds; others need not."""
        namespace = self.cache("namespaces").get(obj["metadata"].get("namespace", ""))
        return [namespace["metadata"]["name"]] if namespace and namespace["metadata"].get("deletionTimestamp") else []

    @staticmethod
    def _everything(_obj: dict) -> list[str]:
        return [ALL]

    def _keys_of(self, resource: str):
        return lambda: [meta_namespace_key(obj) for obj in self.cache(resource).list()]

    def _controllers(self) -> list[QueuedController]:
        """Every controller as upstream drives it: a work queue of keys, fed by the informers of
        what it reads, and the sync of one key."""
        def queued(name, sync, triggers, all_keys, informers, resync=RESYNC_PERIOD, rate_limiter=None, **options):
            return QueuedController(name, RateLimitingQueue(self.clock, rate_limiter, self.queue_metrics.named(
                QUEUE_NAMES.get(name, name))), sync, triggers, all_keys, resync, informers, **options)

        workloads = [
            queued("replicaset", self._sync_replicaset,
                   [Trigger("replicasets", _own_key), Trigger("pods", self._owner("ReplicaSet", "replicasets"))],
                   self._keys_of("replicasets"), ("replicasets", "pods")),
            queued("deployment", self._sync_deployment,
                   [Trigger("deployments", _own_key), Trigger("replicasets", self._owner("Deployment", "deployments"))],
                   self._keys_of("deployments"), ("deployments", "replicasets")),
            queued("replicationcontroller", self._sync_replicationcontroller,
                   [Trigger("replicationcontrollers", _own_key),
                    Trigger("pods", self._owner("ReplicationController", "replicationcontrollers"))],
                   self._keys_of("replicationcontrollers"), ("replicationcontrollers", "pods")),
            queued("daemonset", self._sync_daemonset,
                   [Trigger("daemonsets", _own_key), Trigger("pods", self._owner("DaemonSet", "daemonsets")),
                    Trigger("controllerrevisions", self._owner("DaemonSet", "daemonsets")),
                    Trigger("nodes", lambda _node: self._keys_of("daemonsets")())],
                   self._keys_of("daemonsets"), ("daemonsets", "controllerrevisions", "nodes", "pods")),
            queued("statefulset", self._sync_statefulset,
                   [Trigger("statefulsets", _own_key), Trigger("pods", self._owner("StatefulSet", "statefulsets")),
                    Trigger("controllerrevisions", self._owner("StatefulSet", "statefulsets")),
                    Trigger("persistentvolumeclaims",
                            lambda claim: self._in_namespace("statefulsets", claim["metadata"].get("namespace", "")))],
                   self._keys_of("statefulsets"),
                   ("statefulsets", "controllerrevisions", "persistentvolumeclaims", "pods")),
            # A Job's deadline and backoff bring its key back (AddAfter in the sync), as upstream's:
            # no resync every second, which would sync a Job from a cache that has yet to see the
            # status its last sync wrote, and record that sync's event again.
            # A status write that met a conflict is not retried: the Job's update event brings it back.
            # Both Job queues retry a failed key 10 s later, doubling up to 6 min (NewController's
            # ItemExponentialFailureRateLimiter(DefaultJobBackOff, MaxJobBackOff)), not 5 ms later;
            # the Job queue's is the core's, whose count of a key is the pod-failure backoff's too.
            queued("job", self._sync_job,
                   [Trigger("jobs", _own_key),
                    Trigger("pods", self._owner("Job", "jobs"), delay=POD_UPDATE_BATCH_PERIOD)],
                   self._keys_of("jobs"), ("jobs", "pods"), requeue_conflicts=False,
                   forget_on_success=self.job.take_forget_answer,
                   rate_limiter=self.job.rate_limiter),
            # The Job controller's second queue: a deleted pod whose Job is gone loses its finalizer.
            queued("job-orphan-pod", self._sync_orphan_pod, [Trigger("pods", self._orphan_pod_key, new_only=True)],
                   lambda: [], ("jobs", "pods"),
                   rate_limiter=ItemExponentialFailureRateLimiter(DEFAULT_JOB_BACKOFF, MAX_JOB_BACKOFF)),
            # A finished Job's key comes back once its TTL has run out (AddAfter in the sync).
            queued("ttl-after-finished", self._sync_ttl_after_finished, [Trigger("jobs", _own_key)],
                   self._keys_of("jobs"), ("jobs",)),
            # A CronJob's key comes back at its next scheduled time (AddAfter in the sync).
            queued("cronjob", self._sync_cronjob,
                   [Trigger("cronjobs", _own_key), Trigger("jobs", self._owner("CronJob", "cronjobs"))],
                   self._keys_of("cronjobs"), ("cronjobs", "jobs")),
            # An HPA is synced once per sync period, whatever changed: a change waits out the period.
            QueuedController("horizontalpodautoscaler",
                             RateLimitingQueue(self.clock, podautoscaler.FixedItemIntervalRateLimiter(
                                 podautoscaler.SYNC_PERIOD), self.queue_metrics.named("horizontalpodautoscaler")),
                             self._sync_hpa, [Trigger("horizontalpodautoscalers", _own_key)],
                             self._keys_of("horizontalpodautoscalers"), podautoscaler.SYNC_PERIOD,
                             ("horizontalpodautoscalers",), rate_limited_adds=True),
            queued("disruption", self._sync_disruption,
                   [Trigger("poddisruptionbudgets", _own_key), Trigger("pods", self._pdbs_of)],
                   self._keys_of("poddisruptionbudgets"), ("poddisruptionbudgets", *DISRUPTION_SCALED, "pods")),
        ]
        return workloads + [
            queued("endpoint", self._sync_endpoints,
                   [Trigger("services", _own_key), Trigger("endpoints", _own_key), Trigger("pods", self._services_of)],
                   lambda: sorted(set(self._keys_of("services")()) | set(self._keys_of("endpoints")())),
                   ("services", "endpoints", "pods")),
            queued("endpointslice", self._sync_endpoint_slices,
                   [Trigger("services", _own_key), Trigger("endpointslices", _slice_service_key),
                    Trigger("pods", self._services_of), Trigger("nodes", lambda _node: self._keys_of("services")())],
                   lambda: sorted(set(self._keys_of("services")())
                                  | {k for s in self.cache("endpointslices").list() for k in _slice_service_key(s)}),
                   ("services", "endpointslices", "pods", "nodes")),
            # A terminating namespace waits on kinds no informer here watches: resynced every period.
            queued("namespace", self._sync_namespace,
                   [Trigger("namespaces", _own_key), Trigger("serviceaccounts", self._namespace_of),
                    *(Trigger(r, self._terminating_namespace_of) for r in (*NAMESPACED_CONTENTS, *WORKLOAD_WATCHED))],
                   self._keys_of("namespaces"), ("namespaces", "serviceaccounts"), SYNC_PERIOD),
            # Node health is a matter of time passing (a lease not renewed): one key, every period.
            queued("nodelifecycle", lambda _key: self.nodelifecycle.sync(
                       self.cache("nodes").list(), self.cache("leases").list(), self.cache("pods").list()),
                   [Trigger("nodes", self._everything), Trigger("leases", self._everything)],
                   lambda: [ALL], ("nodes", "leases", "pods"), SYNC_PERIOD),
            # The TTL annotation follows the cluster's size: any node change may move every node's.
            queued("resourcequota", self._sync_resource_quota,
                   [Trigger("resourcequotas", _own_key), *(Trigger(r, self._quotas_of) for r in QUOTA_REPLENISHED)],
                   self._keys_of("resourcequotas"), ("resourcequotas",)),
            queued("ttl", lambda _key: self.ttl.sync(self.cache("nodes").list()),
                   [Trigger("nodes", self._everything)], lambda: [ALL], ("nodes",)),
            # Fed by its monitors' handlers (_sync_gc_monitors), not by triggers on the caches above.
            queued("garbagecollector", lambda _key: self._garbage_collect(), [], lambda: [ALL], ()),
            queued("root-ca-cert-publisher", self._sync_root_ca_cert,
                   [Trigger("namespaces", rootcacertpublisher.namespace_keys, new_only=True),
                    Trigger("configmaps", rootcacertpublisher.config_map_keys)],
                   self._keys_of("namespaces"), ("configmaps", "namespaces")),
            queued("pvc-protection", self._sync_claim_protection,
                   [Trigger("persistentvolumeclaims", volumeprotection.protection_keys(PVC_PROTECTION_FINALIZER),
                            new_only=True),
                    Trigger("pods", volumeprotection.claim_keys)],
                   self._keys_of("persistentvolumeclaims"), ("persistentvolumeclaims", "pods")),
            queued("pv-protection", self._sync_volume_protection,
                   [Trigger("persistentvolumes", volumeprotection.protection_keys(PV_PROTECTION_FINALIZER),
                            new_only=True)],
                   self._keys_of("persistentvolumes"), ("persistentvolumes",)),
            # Any ClusterRole's change may change what any aggregated role gathers: all are enqueued.
            queued("clusterrole-aggregation",
                   lambda name: clusterroleaggregation.sync_cluster_role(name, self.cache("clusterroles").list()),
                   [Trigger("clusterroles", lambda _role: clusterroleaggregation.aggregated_role_names(
                       self.cache("clusterroles").list()))],
                   lambda: clusterroleaggregation.aggregated_role_names(self.cache("clusterroles").list()),
                   ("clusterroles",)),
            queued("csrapproving", self._approve_csr, [Trigger("certificatesigningrequests", _own_key)],
                   self._keys_of("certificatesigningrequests"), ("certificatesigningrequests",)),
        ] + ([queued("csrsigning", self._sync_csr, [Trigger("certificatesigningrequests", _own_key)],
                     self._keys_of("certificatesigningrequests"), ("certificatesigningrequests",))]
             if self.signing_cas else [])

    def _watch_for(self, controllers: list[QueuedController]) -> None:
        """Register each controller's triggers on the informers; the queue lock guards the queues."""
        for resource, informer in self.informers.items():
            concerned = [c for c in controllers if any(t.resource == resource for t in c.triggers)]
            if not concerned:
                continue

            def changed(*objs: dict, resource=resource, concerned=concerned) -> None:
                with self.queue_lock:
                    for controller in concerned:
                        controller.on_change(resource, *objs)
            informer.store.add_event_handler(ResourceEventHandler(changed, changed, changed))

    # -- the sync of one key ----------------------------------------------------------------------

    def _get(self, resource: str, key: str) -> tuple[dict | None, str]:
        return self.cache(resource).get(key), key.split("/", 1)[0]

    def _sync_replicaset(self, key: str) -> list:
        """A set whose ready pods are not yet available comes back after its minReadySeconds."""
        rs, ns = self._get("replicasets", key)
        if rs is None:
            return []
        actions = self.replicaset.sync(rs, self.cache("pods").by_namespace(ns))
        self._requeue("replicaset", key, self.replicaset.requeue_after)
        return actions

    def _sync_deployment(self, key: str) -> list:
        """A rollout making no progress comes back when its progress deadline passes."""
        d, ns = self._get("deployments", key)
        if d is None:
            return []
        actions = self.deployment.sync(d, self.cache("replicasets").by_namespace(ns))
        after = self.deployment.progress_check
        if after is not None:
            with self.queue_lock:
                self._controller("deployment").queue.add_after(key, after)
        return actions

    def _sync_replicationcontroller(self, key: str) -> list:
        rc, ns = self._get("replicationcontrollers", key)
        if rc is None:
            return []
        actions = self.replication.sync(rc, self.cache("pods").by_namespace(ns))
        self._requeue("replicationcontroller", key, self.replication.core.requeue_after)
        return actions

    def _requeue(self, controller: str, key: str, after: float | None) -> None:
        if after is not None:
            with self.queue_lock:
                self._controller(controller).queue.add_after(key, after)

    def _sync_daemonset(self, key: str) -> list:
        ds, ns = self._get("daemonsets", key)
        if ds is None:
            return []
        actions = self.daemonset.sync(ds, self.cache("nodes").list(), self.cache("pods").by_namespace(ns),
                                      self.cache("controllerrevisions").by_namespace(ns))
        self._requeue("daemonset", key, self.daemonset.requeue_after)
        return actions

    def _sync_statefulset(self, key: str) -> list:
        set_, ns = self._get("statefulsets", key)
        if set_ is None:
            return []
        actions = self.statefulset.sync(set_, self.cache("pods").by_namespace(ns),
                                        self.cache("controllerrevisions").by_namespace(ns),
                                        self.cache("persistentvolumeclaims").by_namespace(ns))
        self._requeue("statefulset", key, self.statefulset.requeue_after)
        return actions

    def _sync_job(self, key: str) -> list:
        """A Job waiting out its backoff after a pod failure comes back when it has, and one
        with activeDeadlineSeconds when the deadline runs out (the earlier of the two)."""
        job, ns = self._get("jobs", key)
        if job is None:
            return self.job.sync_deleted(key)
        actions = self.job.sync(job, self.cache("pods").by_namespace(ns))
        backoff = self.job.backoff_remaining(key)
        if backoff is not None:
            with self.queue_lock:
                self._controller("job").queue.add_after(key, backoff)
        if not any(isinstance(action, ManageJob) for action in actions):  # else once its requests are answered
            self._requeue_job_at_deadline(key, job, actions)
        return actions

    def _requeue_job_at_deadline(self, key: str, job: dict, actions: list) -> None:
        """The Job's key back when the deadline of the Job as its sync leaves it (started, resumed
        or finished by it: its last status write) runs out; one already reached was judged by
        that sync."""
        sent = [step for a in actions for step in (a.actions if isinstance(a, InOrder) else (a,))]
        written = next((a.obj for a in reversed(sent) if isinstance(a, Update) and a.resource == "jobs"), job)
        wait = job_deadline_remaining(written, self.clock.now())
        if wait:
            with self.queue_lock:
                self._controller("job").queue.add_after(key, wait)

    def _orphan_pod_key(self, pod: dict) -> list[str]:
        """A pod being deleted whose Job is gone, the tracking finalizer still on it (the Job
        controller's deletePod enqueues it in its orphan queue)."""
        ref = controller_ref(pod) or {}
        if (ref.get("kind") != "Job" or not pod["metadata"].get("deletionTimestamp")
                or not has_job_tracking_finalizer(pod)):
            return []
        job = self.cache("jobs").get(f"{pod['metadata']['namespace']}/{ref.get('name')}")
        return [] if job and job["metadata"]["uid"] == ref.get("uid") else [meta_namespace_key(pod)]

    @mirrors("(k8s.io/kubernetes/pkg/controller/job.Controller).syncOrphanPod")
    def _sync_orphan_pod(self, key: str) -> list:
        pod, ns = self._get("pods", key)
        if pod is None or not has_job_tracking_finalizer(pod):
            return []
        return [RemoveTrackingFinalizers(ns, ((pod["metadata"]["name"], pod["metadata"]["uid"]),))]

    @mirrors("(*k8s.io/kubernetes/pkg/controller/job.Controller).removeTrackingFinalizerFromPods")
    def _remove_tracking_finalizers(self, action: RemoveTrackingFinalizers) -> bool:
        """Each pod patched, even after one fails; a pod already gone has lost it too. An expected
        removal that failed is expected no longer."""
        if action.job_key:
            self.job.expect_finalizers_removed(action.job_key, [uid for _name, uid in action.pods])
        done = True
        for name, uid in action.pods:
            try:
                self.client.request("PATCH", f"/api/v1/namespaces/{action.namespace}/pods/{name}",
                                    remove_tracking_finalizer_patch(), "application/strategic-merge-patch+json")
            except REQUEST_ERRORS as error:
                if action.job_key:
                    self.job.finalizer_removal_observed(action.job_key, uid)
                if not (isinstance(error, APIStatusError) and error.code == 404):
                    log("kube-controller-manager", f"removing tracking finalizer of pod {action.namespace}/{name}: {error}")
                    done = False
        return done

    @mirrors("(*k8s.io/kubernetes/pkg/controller/ttlafterfinished.Controller).processJob")
    def _sync_ttl_after_finished(self, key: str) -> list:
        """The delete of an expired Job, judged again on a fresh read of it (its TTL may have been
        changed since the cache saw it); a Job whose TTL runs on comes back when it runs out."""
        job, ns = self._get("jobs", key)
        decision = ttlafterfinished.process_job(job, self.clock.now()) if job else ttlafterfinished.TTLDecision()
        if decision.delete is not None:
            try:
                fresh = self.client.request("GET", f"/apis/batch/v1/namespaces/{ns}/jobs/{job['metadata']['name']}")
            except APIStatusError as error:
                if error.code == 404:
                    return []
                raise
            decision = ttlafterfinished.process_job(fresh, self.clock.now())
        if decision.wait is not None:
            with self.queue_lock:
                self._controller("ttl-after-finished").queue.add_after(key, decision.wait)
        return [decision.delete] if decision.delete else []

    def _controller(self, name: str) -> QueuedController:
        return next(c for c in self.controllers if c.name == name)

    def _sync_cronjob(self, key: str) -> list:
        cj, ns = self._get("cronjobs", key)
        if cj is None:
            return []
        actions = self.cronjob.sync(cj, self.cache("jobs").by_namespace(ns))
        after = self.cronjob.requeue_after
        if after is not None:
            with self.queue_lock:
                self._controller("cronjob").queue.add_after(key, after)
        return actions

    @mirrors("(*k8s.io/kubernetes/pkg/controller/disruption.DisruptionController).getPdbForPod")
    def _pdbs_of(self, pod: dict) -> list[str]:
        """The budgets in the pod's namespace whose selector matches it (an empty one matches nothing)."""
        budgets = self.cache("poddisruptionbudgets").by_namespace(pod["metadata"].get("namespace", ""))
        return [meta_namespace_key(pdb) for pdb in budgets
                if (selector := (pdb.get("spec") or {}).get("selector"))
                and selector_matches(selector, pod["metadata"].get("labels"))]

    def _sync_disruption(self, key: str) -> list:
        pdb, ns = self._get("poddisruptionbudgets", key)
        if pdb is None:
            return []
        return self.disruption.sync(pdb, self.cache("pods").by_namespace(ns),
                                    {r: self.cache(r).by_namespace(ns) for r in DISRUPTION_SCALED})

    def _sync_endpoints(self, key: str) -> list:
        ns, name = key.split("/", 1)
        service, pods = self.cache("services").get(key), self.cache("pods").by_namespace(ns)
        trigger_time = None
        if service is None:
            self.endpoints_trigger_times.delete(ns, name)
        elif service["spec"].get("selector") is not None:
            trigger_time = self.endpoints_trigger_times.compute(ns, service, endpoints.selected_pods(service, pods))
        return endpoints.sync_service(ns, name, service, pods, self.cache("endpoints").get(key), trigger_time)

    def _sync_endpoint_slices(self, key: str) -> list:
        """The reconciler's writes in order, up to the first refused: upstream's finalize returns
        its error there, so one sync records one FailedToUpdateEndpointSlices."""
        ns, name = key.split("/", 1)
        nodes = {n["metadata"]["name"]: n for n in self.cache("nodes").list()}
        return [InOrder(tuple(endpointslice.sync_service(ns, name, self.cache("services").get(key),
                                                         self.cache("pods").by_namespace(ns),
                                                         self.cache("endpointslices").by_namespace(ns), nodes)))]

    def _sync_hpa(self, key: str) -> list:
        hpa, ns = self._get("horizontalpodautoscalers", key)
        if hpa is None:
            return []
        if not podautoscaler.resource_metrics_only(hpa):
            log("kube-controller-manager", f"horizontal-pod-autoscaler: {key}: only resource metrics are modelled")
            return []
        target = self._scale_target(ns, hpa["spec"]["scaleTargetRef"])
        selector = ((target.scale or {}).get("status") or {}).get("selector", "")
        metrics_error = self._pod_metrics_error(ns, selector)
        if metrics_error is None:
            log("kube-controller-manager", f"horizontal-pod-autoscaler: {key}: scaling on metrics is not modelled")
            return []
        decision = podautoscaler.reconcile(hpa, target, metrics_error, self.clock.now())
        if isinstance(decision, podautoscaler.Rescale):
            return decision.finish(self._update_scale(decision.update))
        return decision

    def _update_scale(self, update: Update) -> str | None:
        """The error the Scale's update answered, as client-go's error prints it; None when taken."""
        try:
            apply(self.client, update)
        except APIStatusError as error:
            return error.status.get("message", "")
        except TRANSPORT_ERRORS as error:
            return str(error)
        return None

    @mirrors("(*k8s.io/kubernetes/pkg/controller/podautoscaler.HorizontalController).scaleForResourceMappings")
    def _scale_target(self, namespace_name: str, ref: dict) -> podautoscaler.ScaleTarget:
        """The Scale of the HPA's target, its kind found through discovery (the REST mapper)."""
        group, _, version = ref.get("apiVersion", "").rpartition("/")
        prefix = f"/apis/{group}/{version}" if group else f"/api/{version}"
        try:
            listed = self.client.request("GET", prefix).get("resources") or []
        except APIStatusError:
            listed = []
        plural = next((r["name"] for r in listed if r.get("kind") == ref.get("kind") and "/" not in r["name"]), None)
        if plural is None:
            return podautoscaler.ScaleTarget(error=f'no matches for kind "{ref.get("kind")}" in group "{group}"')
        try:
            scale = self.client.request("GET", f"{prefix}/namespaces/{namespace_name}/{plural}/{ref['name']}/scale")
        except APIStatusError as error:
            return podautoscaler.ScaleTarget(error=error.status.get("message", ""))
        return podautoscaler.ScaleTarget(scale, f"{prefix}/{plural}")

    @mirrors("(*k8s.io/kubernetes/pkg/controller/podautoscaler/metrics.resourceMetricsClient).GetResourceMetric")
    def _pod_metrics_error(self, namespace_name: str, selector: str) -> str | None:
        """Why the pods' metrics could not be listed; None when the resource metrics API answered.
        A 404 from a group not served is client-go's generic NotFound, naming the resource."""
        path = POD_METRICS.format(namespace=namespace_name) + "?" + urllib.parse.urlencode({"labelSelector": selector})
        try:
            self.client.request("GET", path)
        except APIStatusError as error:
            if error.code == 404:
                return "the server could not find the requested resource (get pods.metrics.k8s.io)"
            return error.status.get("message", "")
        return None

    def _quotas_of(self, obj: dict) -> list[str]:
        return self._in_namespace("resourcequotas", obj["metadata"].get("namespace", ""))

    def _sync_resource_quota(self, key: str) -> list:
        rq, ns = self._get("resourcequotas", key)
        if rq is None:
            return []
        return resourcequota.sync_resource_quota(rq, lambda group, plural: self._objects_in(ns, group, plural),
                                                 self.clock.now())

    def _objects_in(self, namespace_name: str, group: str, plural: str) -> list[dict]:
        """One namespace's objects of a resource: from its informer when one here has synced,
        else listed live (upstream's quota monitors watch every quotable resource)."""
        prefix = "/api/v1" if not group else next(
            (p for r, p in self._namespaced_kinds().items() if r == plural and p.startswith(f"/apis/{group}/")), None)
        if prefix is None:
            return []
        if plural in self.informers and self.synced(plural) and self.informers[plural].path == f"{prefix}/{plural}":
            return self.cache(plural).by_namespace(namespace_name)
        try:
            return self.client.request("GET", f"{prefix}/namespaces/{namespace_name}/{plural}").get("items") or []
        except APIStatusError:
            return []  # not served: nothing of it to count

    def _sync_namespace(self, name: str) -> list:
        ns = self.cache("namespaces").get(name)
        if ns is None:
            return []
        actions = serviceaccount.sync_namespace(ns, self.cache("serviceaccounts").by_namespace(name))
        contents = NAMESPACED_CONTENTS + tuple(r for r in WORKLOAD_WATCHED if self.synced(r))
        held = {r: self.cache(r).by_namespace(name) for r in contents}
        if ns["metadata"].get("deletionTimestamp"):
            held.update(self._unwatched_content(name, set(contents)))
        groups = {plural: _api_group(prefix) for plural, prefix in (self._discovered or {}).items()}
        return actions + namespace.sync_namespace(ns, held, rfc3339(self.clock.now()), groups)

    def _sync_claim_protection(self, key: str) -> list:
        claim, ns = self._get("persistentvolumeclaims", key)
        if claim is None:
            return []
        return volumeprotection.sync_claim(claim, self.cache("pods").by_namespace(ns),
                                           lambda: self.client.request("GET", f"/api/v1/namespaces/{ns}/pods")["items"])

    def _sync_volume_protection(self, name: str) -> list:
        volume = self.cache("persistentvolumes").get(name)
        return volumeprotection.sync_volume(volume) if volume else []

    def _sync_root_ca_cert(self, namespace_name: str) -> list:
        name = rootcacertpublisher.ROOT_CA_CERT_CONFIG_MAP_NAME
        config_map = self.cache("configmaps").get(f"{namespace_name}/{name}")
        return rootcacertpublisher.sync_namespace(namespace_name, config_map, self.root_ca)

    def _sync_csr(self, name: str) -> list:
        csr = self.cache("certificatesigningrequests").get(name)
        if csr is None:
            return []
        ca = self.signing_cas.get((csr.get("spec") or {}).get("signerName", ""))
        if ca is None:  # no signer of its name runs
            return []
        return csrsigning.sync(csr, ca, datetime.datetime.now(datetime.timezone.utc), self.cert_ttl)

    def _approve_csr(self, name: str) -> list:
        csr = self.cache("certificatesigningrequests").get(name)
        if csr is None:
            return []
        return csrapproving.sync(csr, self._subject_access_allowed)

    def _subject_access_allowed(self, spec: dict) -> bool:
        """The apiserver's answer to a SubjectAccessReview of `spec`."""
        review = self.client.request("POST", "/apis/authorization.k8s.io/v1/subjectaccessreviews", {
            "apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview", "spec": spec})
        return bool((review.get("status") or {}).get("allowed"))

    @mirrors("(*k8s.io/kubernetes/pkg/controller/garbagecollector.GraphBuilder).syncMonitors")
    def _sync_gc_monitors(self) -> None:
        """Monitor every deletable resource discovery serves now and stop monitoring those it no
        longer does (a CRD deleted). A group that fails discovery (an aggregated API that is down)
        keeps its monitors as they are while the others are synced, as GetDeletableResources uses
        the partial list; a discovery that fails as a whole leaves every monitor as it is."""
        failed_groups: set[str] = set()
        try:
            resources = server_resources(self.client)
        except GroupDiscoveryFailed as failure:
            log("kube-controller-manager", f"garbage collector: failed to discover some groups: {failure}")
            resources, failed_groups = failure.resources, {gv.split("/")[0] for gv in failure.groups}
        except REQUEST_ERRORS as error:
            log("kube-controller-manager", f"garbage collector: discovery failed: {error}")
            return
        deletable = {}
        for resource in resources:
            if GC_VERBS <= resource.verbs and (resource.group, resource.name) not in GC_IGNORED_RESOURCES:
                # A plural two groups serve (events.k8s.io's Events) is watched once, under the first.
                deletable.setdefault(resource.name, resource)
        # The manager's own informers run whatever discovery says: only the GC's own monitors stop.
        with self.gc_lock:
            stopped = [self._stop_gc_monitor(plural) for plural in set(self.gc_monitor_stops) - set(deletable)
                       if _api_group(self.gc_paths[plural][0]) not in failed_groups]
            for plural, resource in deletable.items():
                # A plural the manager knows under another group (Knative's services) is not monitored.
                if plural not in self.gc_monitors and API_PATHS.get(plural, self.gc_paths.get(plural)) in (
                        None, (resource.prefix, resource.namespaced)):
                    self._start_gc_monitor(resource)
            self._map_served_versions(resources, deletable)
        for informer in stopped:
            informer.wait_stopped()  # outside the lock: the GC's worker does not wait for a watch to end

    @mirrors("(*k8s.io/kubernetes/pkg/controller/garbagecollector.GarbageCollector).Sync")
    def _gc_sync_loop(self) -> None:
        """Discovery and the monitors' resync every gc_discovery_period until stopped, on a thread
        of its own as gc.Sync's goroutine: a slow aggregated API holds up the GC's monitors, not
        every controller's queue."""
        while True:
            self._sync_gc_monitors()
            if self.stop.wait(self.gc_discovery_period):
                return

    def _map_served_versions(self, resources: list[APIResource], deletable: dict[str, APIResource]) -> None:
        """An owner is resolved in the version its reference names (RESTMapping(GroupKind,
        version)): a Job's batch/v1beta1 CronJob is the monitored cronjobs, which 1.24 still
        serves in v1beta1 too."""
        for resource in resources:
            monitored = deletable.get(resource.name)
            if resource.name in self.gc_monitors and monitored is not None and monitored.group == resource.group:
                self.gc_mapping[(resource.group_version, resource.kind)] = (resource.name, resource.namespaced)

    def _start_gc_monitor(self, resource: APIResource) -> None:
        informer = self.informers.get(resource.name)
        if informer is None or informer.path != resource.path:
            stop = self.gc_monitor_stops[resource.name] = threading.Event()
            informer = Informer(self._unlimited_client, resource.path, stop, self.wake, "kube-controller-manager",
                                handle_error=self.crash.handler_error).start()
        informer.store.add_event_handler(ResourceEventHandler(self._gc_enqueue, self._gc_updated, self._gc_enqueue))
        self.gc_monitors[resource.name] = informer
        self.gc_paths[resource.name] = (resource.prefix, resource.namespaced)
        self.gc_mapping[(resource.group_version, resource.kind)] = (resource.name, resource.namespaced)

    def _stop_gc_monitor(self, plural: str) -> Informer:
        """Stop the GC's own monitor of `plural`; returns its informer, to wait until it has stopped."""
        self.gc_monitor_stops.pop(plural).set()
        del self.gc_paths[plural]
        self.gc_mapping = {k: m for k, m in self.gc_mapping.items() if m[0] != plural}
        return self.gc_monitors.pop(plural)

    def _gc_enqueue(self, _obj: dict | None = None) -> None:
        with self.queue_lock:
            self._controller("garbagecollector").queue.add(ALL)

    @mirrors("(*k8s.io/kubernetes/pkg/controller/garbagecollector.GraphBuilder).processGraphChanges")
    def _gc_updated(self, old: dict, new: dict) -> None:
        """Only an update of what the graph holds (owners, deletion, finalizers) concerns the GC:
        a Lease renewed or a Node's status written costs nothing."""
        if any(old["metadata"].get(field) != new["metadata"].get(field)
               for field in ("ownerReferences", "deletionTimestamp", "finalizers")):
            self._gc_enqueue()

    def _garbage_collect(self) -> list:
        """The GC over the monitors that have synced."""
        with self.gc_lock:
            listed = {plural: informer.store.list() for plural, informer in self.gc_monitors.items()
                      if informer.has_synced}
            mapping = dict(self.gc_mapping)
        return [replace(action, resource=self._gc_resource(action.resource))
                if isinstance(action, (Delete, Patch)) else action
                for action in garbagecollector.sync(listed, mapping, self._owner_gone)
                if not self._gc_reported_before(action)]

    def _gc_resource(self, plural: str) -> str:
        """What apply addresses a monitored resource by: its plural where the manager knows it,
        else the collection's whole path, from this manager's discovery (a custom resource)."""
        if plural in API_PATHS:
            return plural
        return f"{self.gc_paths[plural][0]}/{plural}"

    def _gc_reported_before(self, action) -> bool:
        """Whether `action` is an event the GC recorded already. Upstream's graph builder reports an
        invalid owner reference once, when it links the dependent; our sync sees the whole graph at
        each change, so it reports again until the dependent's delete is observed."""
        if not isinstance(action, RecordEvent):
            return False
        key = (action.involved.get("uid", ""), action.message)
        if key in self.gc_reported:
            return True
        self.gc_reported.add(key)
        return False

    def _owner_gone(self, resource: str, namespace: str | None, reference: dict) -> bool:
        """Whether an owner our caches lack is gone as the apiserver answers now: not found, or
        another object (another uid) under its name: the GET of garbagecollector._is_dangling,
        asked once of an owner the absent-owner cache already holds as gone. Any other failure
        is an OwnerLookupError: that dependent alone is retried."""
        key = (resource, namespace, reference["name"], reference["uid"])
        if self.gc_absent_owners.has(key):
            return True
        try:
            owner = get(self.client, self._gc_resource(resource), namespace, reference["name"])
        except APIStatusError as error:
            if error.code != 404:  # a StatusError's text is its message
                raise garbagecollector.OwnerLookupError(error.status.get("message") or error) from error
            owner = None
        except TRANSPORT_ERRORS as error:
            raise garbagecollector.OwnerLookupError(error) from error
        # An answer without metadata decodes in Go to an object of no uid: not the owner.
        if owner is not None and (owner.get("metadata") or {}).get("uid") == reference["uid"]:
            return False
        self.gc_absent_owners.add(key)
        return True

    def perform(self, action) -> bool:
        """Send one action, and record the events its answer calls for; False when it failed (the
        key is synced again after a backoff). An event is never retried, as upstream's is not."""
        if isinstance(action, RecordEvent):
            self._record(action)
            return True
        if isinstance(action, InOrder):
            return self._perform_in_order(action)
        if isinstance(action, RemoveTrackingFinalizers):
            return self._remove_tracking_finalizers(action)
        if isinstance(action, DeleteJobPod):
            return self._delete_job_pod(action)
        if isinstance(action, RetriedStatusUpdate):
            return self._retried_status_update(action)
        if isinstance(action, SlowStartCreates):
            return self._slow_start_creates(action) == 0
        if isinstance(action, ManageJob):
            return self._perform_manage_job(action)
        if isinstance(action, FailedPodsDetected):
            log("kube-controller-manager", f'syncing job: failed pod(s) detected for job key "{action.job_key}"')
            return False
        if isinstance(action, garbagecollector.AttemptToDeleteFailed):
            log("kube-controller-manager", f"error syncing item {action.item}: {action.error}")
            return False
        if isinstance(action, FailSafeStatusUpdate):
            return self._pdb_status_update(action)
        if isinstance(action, DeletePods):
            return all(_sent_together(self._pod_deleted, action.deletes))  # every one sent, at once
        return _done(*self._send(action)[1:])

    @mirrors("k8s.io/kubernetes/pkg/controller/replicaset.slowStartBatch")
    def _slow_start_creates(self, action: SlowStartCreates) -> int:
        """The creates of a batch sent at once, each from its own thread, and the next batch once
        all of them are answered and worked (a failed create lowers its own expectation in
        _send); the creates of the batches never sent are no longer expected. The number of pods
        not created: those refused and those never sent."""
        pending = [replace(create, done_if_refused_for=(*create.done_if_refused_for, "NamespaceTerminating"))
                   for create in action.creates]
        for size in slow_start_batches(len(pending)):
            batch, pending = pending[:size], pending[size:]
            answers = _sent_together(self._send, batch)
            refused = sum(1 for _answer, code, _reason in answers if code is not None)
            if refused:
                for skipped in pending:
                    self._creation_skipped(skipped)
                return refused + len(pending)
        return 0

    def _perform_manage_job(self, action: ManageJob) -> bool | Conflict:
        """The Job's pod creates or deletes, then its status writes for the pods they left
        uncreated or undeleted, and its key back at the deadline those writes give it. The deletes
        go out at once, as deleteJobPods' goroutines. As syncJob returns it, a write's failure (a
        Conflict stays one) is the sync's answer before the requests' own."""
        creates = [request for request in action.requests if isinstance(request, SlowStartCreates)]
        deletes = [request for request in action.requests if isinstance(request, DeleteJobPod)]
        uncreated = sum(self._slow_start_creates(request) for request in creates)
        undeleted = sum(not deleted for deleted in _sent_together(self._delete_job_pod, deletes))
        steps = action.then(uncreated, undeleted)
        self._requeue_job_at_deadline(meta_namespace_key(action.job), action.job, steps)
        done = [self.perform(step) for step in steps]
        return next((answer for answer in done if not answer), uncreated + undeleted == 0)

    @mirrors("(*k8s.io/kubernetes/pkg/controller/disruption.DisruptionController).sync")
    def _pdb_status_update(self, action: FailSafeStatusUpdate) -> bool | Conflict:
        """A budget's status write; a refusal other than a Conflict (left to the requeue) ends in
        failSafe, the error as its message, and the sync's answer is that write's."""
        try:
            apply(self.client, action)
            return True
        except APIStatusError as error:
            if error.status.get("reason") == "Conflict":
                return CONFLICT
            why = error.status.get("message", "")
        except TRANSPORT_ERRORS as error:
            why = str(error)
        name = action.obj["metadata"]["name"]
        log("kube-controller-manager", f"Failed to sync pdb {action.namespace}/{name}: {why}")
        return _done(*self._send(self.disruption.fail_safe(action.budget, why))[1:])

    def _perform_in_order(self, action: InOrder) -> bool:
        """Each step once the one before it worked; an UpdateAfterWrite carries the resourceVersion
        of the last answer to an Update of the same object."""
        versions: dict = {}  # (resource, namespace, name) → the resourceVersion an Update was answered with
        for step in action.actions:
            if isinstance(step, Update):
                where = (step.resource, step.namespace, step.obj["metadata"]["name"])
                if isinstance(step, UpdateAfterWrite) and where in versions:
                    meta = {**step.obj["metadata"], "resourceVersion": versions[where]}
                    step = Update(step.resource, step.namespace, {**step.obj, "metadata": meta},
                                  step.subresource, step.outcome)
                answer, code, reason = self._send(step)
                if code is not None:
                    return _done(code, reason)
                version = ((answer or {}).get("metadata") or {}).get("resourceVersion")
                if version:
                    versions[where] = version
            elif not self.perform(step):
                return False
        return True

    @mirrors("k8s.io/kubernetes/pkg/controller/replicaset.updateReplicaSetStatus",
             "k8s.io/kubernetes/pkg/controller/daemon.storeDaemonSetStatus",
             "(*k8s.io/kubernetes/pkg/controller/statefulset.realStatefulSetStatusUpdater).UpdateStatefulSetStatus")
    def _retried_status_update(self, action: RetriedStatusUpdate) -> bool | Conflict:
        """The status write, and on its refusal the same status on a fresher copy of the object;
        a read from the server that fails ends it, as its error would."""
        from_server = action.fresh_from == "server"
        name = action.obj["metadata"]["name"]
        for tries_left in range(1 if from_server else 4, -1, -1):
            _answer, code, reason = self._send(action)
            if code is None:
                return True
            if not tries_left or not (from_server or reason == "Conflict"):
                break
            if from_server:
                try:
                    fresh = get(self.client, action.resource, action.namespace, name)
                except REQUEST_ERRORS as error:
                    log("kube-controller-manager", f"Get {action.resource}: {error}")
                    return False
            else:
                self.stop.wait(STATUS_CONFLICT_RETRY_INTERVAL)
                fresh = self.cache(action.resource).get(f"{action.namespace}/{name}") or action.obj
            action = action.on(fresh)
        return _done(code, reason)

    @mirrors("(*k8s.io/kubernetes/pkg/controller/replicaset.ReplicaSetController).manageReplicas",
             "(*k8s.io/kubernetes/pkg/controller/daemon.DaemonSetsController).syncNodes",
             "(*k8s.io/kubernetes/pkg/controller/job.Controller).deleteActivePods")
    def _pod_deleted(self, delete: Delete) -> bool:
        """A pod delete sent; whether the pod is going or already gone."""
        return self._send(delete)[1] in (None, 404)

    @mirrors("(*k8s.io/kubernetes/pkg/controller/job.Controller).deleteJobPods")
    def _delete_job_pod(self, action: DeleteJobPod) -> bool:
        """failDelete: a removal or delete that failed releases the deletion the Job expects; a pod
        already gone is deleted."""
        code = 0 if action.removal and not self._remove_tracking_finalizers(action.removal) \
            else self._send(action.delete)[1]
        if code is not None:
            self.job.expectations.deletion_observed(action.job_key)
        return code in (None, 404)

    def _send(self, action) -> tuple[dict | None, int | None, str]:
        """One request, the event its answer calls for recorded: (the answer, None, ""), or (None,
        the refusal's HTTP code, 0 when no answer came, and its Status reason)."""
        outcome = getattr(action, "outcome", None)
        try:
            answer = apply(self.client, action)
            if outcome is not None:
                self._record(outcome.event_for(answer=answer))
            return answer, None, ""
        except APIStatusError as error:
            if outcome is not None:
                self._record(outcome.event_for(refusal=error.status))
            if isinstance(action, Create) and error.refused_for(action.done_if_refused_for):
                return None, None, ""
            if isinstance(action, Create) and not error.refused_for(("NamespaceTerminating",)):
                self._creation_failed(action, error.status.get("message", ""))
            if isinstance(action, Delete) and action.resource == "pods":
                self._deletion_failed(action, None if error.code == 404 else error.status.get("message", ""))
            if error.code not in (404, 409):  # gone or raced: the informer brings the new state
                log("kube-controller-manager", f"{type(action).__name__} {action.resource}: {error}")
            return None, error.code, error.status.get("reason", "")
        except TRANSPORT_ERRORS as error:
            if isinstance(action, Create):
                self._creation_failed(action, str(error))
            if isinstance(action, Delete) and action.resource == "pods":
                self._deletion_failed(action, str(error))
            log("kube-controller-manager", f"{type(action).__name__} {action.resource}: {error}")
        return None, 0, ""

    @mirrors("(*k8s.io/kubernetes/pkg/controller.ControllerExpectations).CreationObserved")
    def _creation_failed(self, create: Create, error: str) -> None:
        """A pod its controller will never see created: the expectation of it is lowered at once,
        as the ReplicaSet, ReplicationController, DaemonSet and Job controllers do on a failed
        create, so that the key's retry creates again instead of waiting for the expectations to
        expire (a create refused in a terminating namespace is left expected, as upstream does);
        a ReplicaSet's (or RC's) status then says ReplicaFailure with the error."""
        ref = (controller_ref(create.obj) if create.resource == "pods" else None) or {}
        key = f"{create.namespace}/{ref.get('name')}"
        if ref.get("kind") in ("ReplicaSet", "ReplicationController"):
            core = self.replicaset if ref["kind"] == "ReplicaSet" else self.replication.core
            core.creation_failed(key, error)
        else:
            self._creation_skipped(create)

    @mirrors("(*k8s.io/kubernetes/pkg/controller.ControllerExpectations).CreationObserved")
    def _creation_skipped(self, create: Create) -> None:
        """A pod create never sent (or failed): its owner no longer expects to see the pod."""
        ref = (controller_ref(create.obj) if create.resource == "pods" else None) or {}
        key = f"{create.namespace}/{ref.get('name')}"
        if ref.get("kind") in ("ReplicaSet", "ReplicationController"):
            core = self.replicaset if ref["kind"] == "ReplicaSet" else self.replication.core
            core.expectations.creation_observed(key)
        elif ref.get("kind") in ("DaemonSet", "Job"):
            (self.daemonset if ref["kind"] == "DaemonSet" else self.job).expectations.creation_observed(key)

    @mirrors("(*k8s.io/kubernetes/pkg/controller.UIDTrackingControllerExpectations).DeletionObserved")
    def _deletion_failed(self, delete: Delete, error: str | None) -> None:
        """A pod delete that failed (`error` None: the pod was already gone), sent by the pod
        control of a ReplicaSet, ReplicationController or DaemonSet (the object its events are
        about): the informer will never see the deletion, so it is no longer expected, as
        manageReplicas and syncNodes lower it, and the key's retry acts at once instead of waiting
        five minutes for the expectations to expire. The Job controller's deletes lower their own
        (DeleteJobPod); a Job that failed expects none."""
        owner = delete.outcome.failed.involved if delete.outcome and delete.outcome.failed else {}
        key = f"{owner.get('namespace')}/{owner.get('name')}"
        if owner.get("kind") in ("ReplicaSet", "ReplicationController"):
            core = self.replicaset if owner["kind"] == "ReplicaSet" else self.replication.core
            core.deletion_failed(key, f"{delete.namespace}/{delete.name}", error)
        elif owner.get("kind") == "DaemonSet":
            self.daemonset.expectations.deletion_observed(key)

    def _record(self, event: RecordEvent | None) -> None:
        if event is not None:
            self.recorder.record(event)

    def process_queues(self) -> bool:
        """Resync what is due, then sync up to KEYS_PER_TURN keys of each controller whose caches
        have synced; True when any key was synced."""
        worked = False
        for controller in self.controllers:
            if not self.synced(*controller.informers):
                continue
            with self.queue_lock:
                controller.resync_if_due()
            with self.syncing(controller.name):
                for _ in range(KEYS_PER_TURN):
                    if not self._process_next_work_item(controller):
                        break
                    worked = True
        return worked

    @mirrors("k8s.io/apimachinery/pkg/util/wait.BackoffUntil")
    def _process_next_work_item(self, controller: QueuedController) -> bool:
        """One key of `controller`: the generic worker loop every controller's worker runs in
        (wait.Until's BackoffUntil, f() under a deferred HandleCrash), so a sync that raises what
        Go would not return as an error is a panic that HandleCrash logs and ends the process with."""
        try:
            return controller.process_next_work_item(self.perform, self.queue_lock)
        except Exception as error:  # noqa: BLE001 - logged in full and ends the manager, see machinery.crash
            raise self.crash.crash(error) from error

    def _next_ready_in(self) -> float:
        """Seconds until a key waiting out its backoff, or a resync, is due (at most SYNC_PERIOD)."""
        now = self.clock.now()
        with self.queue_lock:
            due = [t for c in self.controllers for t in (c.queue.next_ready_at(), c.next_resync) if t is not None]
        return max(0.0, min([SYNC_PERIOD, *(t - now for t in due)]))

    def run(self, leader_elect: bool, out) -> None:
        """Sync until stopped; a Panic when any thread panicked (see machinery.crash), once the
        informers, whose handlers may still panic, have stopped."""
        try:
            self._run(leader_elect, out)
        finally:
            self.stop.set()
            if self._gc_sync_thread.is_alive():
                self._gc_sync_thread.join()  # it starts no monitor after this
            for stop in self.gc_monitor_stops.values():
                stop.set()
            stop_informers([*self.informers.values(), *self.gc_monitors.values()], self.stop)
            self.crash.raise_panic()

    def _run(self, leader_elect: bool, out) -> None:
        for name in WORKLOAD_WATCHED:
            self.informers[name].start()
        if not start_and_sync([self.informers[name] for name in WATCHED], self.stop):
            return
        elector = self.elector = (LeaderElector(f"{socket.gethostname()}_{uuid.uuid4()}", self.clock)
                                  if leader_elect else None)
        controllers = CONTROLLERS + (("csrsigning",) if self.signing_cas else ())
        print(f"ready: reference kube-controller-manager (leader-elect {'on' if leader_elect else 'off'}, "
              f"controllers {','.join(controllers)})", file=out, flush=True)
        next_lease = 0.0
        leading = not leader_elect
        while not self.stop.is_set():
            if elector is not None and time.monotonic() >= next_lease:
                next_lease = time.monotonic() + LEASE_RETRY_PERIOD
                leading = self._lease_step(elector, leading)
            if leading and not self.started:
                # As OnStartedLeading's StartControllers: a candidate runs (and reports) none.
                self.started = controllers
                self._gc_sync_thread.start()
            if leading and self.process_queues():
                continue
            self.wake.wait(self._next_ready_in() if leading else min(SYNC_PERIOD, LEASE_RETRY_PERIOD))
            self.wake.clear()

    def _lease_step(self, elector: LeaderElector, leading: bool) -> bool:
        """One acquire-or-renew of the Lease; whether we lead after it. A leader that no longer
        does raises LeaderElectionLost, as Run's OnStoppedLeading ends the process (klog.Fatalf)."""
        try:
            now_leading = lease_step(self.lease_client, elector)
        except REQUEST_ERRORS as error:
            log("kube-controller-manager", f"leader election: {error}")
            now_leading = elector.is_leader()
        if leading and not now_leading:
            raise LeaderElectionLost("leaderelection lost")
        if now_leading and not leading:
            log("kube-controller-manager", "became leader")
        return now_leading


def _sent_together(send, requests) -> list:
    """`send` of each of a sync's pod requests, each from its own thread as upstream's goroutine
    per request, and their answers in order once all are in (an exception once every request is
    answered). Each request first waits on the client's rate limiter (--kube-api-burst at once,
    then --kube-api-qps a second), so of a ReplicaSet's 500 deletes about 30 are in flight at a
    time, as upstream's goroutines each wait in tryThrottle. The threads end with the batch; the
    connections they took from the client's idle ones go back to it for the next batch, as the
    goroutines share their client's transport. At most the most a sync sends together, a
    ReplicaSet's burstReplicas or a Job's MaxPodCreateDeletePerSync (both 500): a failed Job's
    deleteActivePods, not capped upstream, waits for a free thread past that."""
    if not requests:
        return []
    with concurrent.futures.ThreadPoolExecutor(min(len(requests), BURST_REPLICAS), "pod-control") as threads:
        answers = [threads.submit(send, request) for request in requests]
    return [answer.result() for answer in answers]


def _done(code: int | None, reason: str) -> bool | Conflict:
    """What perform answers for a request `_send` answered with `code` and `reason`: True for
    none, CONFLICT for a Conflict (apierrors.IsConflict: the reason, not an AlreadyExists 409),
    else False."""
    return True if code is None else CONFLICT if reason == "Conflict" else False


def _own_key(obj: dict) -> list[str]:
    return [meta_namespace_key(obj)]


def _slice_service_key(endpoint_slice: dict) -> list[str]:
    meta = endpoint_slice["metadata"]
    service = (meta.get("labels") or {}).get(endpointslice.LABEL_SERVICE_NAME)
    return [f"{meta.get('namespace', '')}/{service}"] if service else []


def grace_period(text: str) -> float:
    """--node-monitor-grace-period as upstream's flag takes it ("40s", "1m"), in seconds."""
    try:
        seconds = timefmt.parse_duration(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None
    if seconds <= 0:
        raise argparse.ArgumentTypeError(f"{text!r}: must be longer than 0")
    return seconds


def signing_duration(text: str) -> datetime.timedelta:
    """--cluster-signing-duration as a Go duration."""
    try:
        return datetime.timedelta(seconds=timefmt.parse_duration(text))
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def parse_args(argv: list[str] | None, env: Mapping[str, str]) -> argparse.Namespace:
    parser = pflag.FlagSet("kube-controller-manager", "Run the reference kube-controller-manager.",
                           prog="kubeatlas run controller-manager")
    parser.add_argument("--kubeconfig", type=Path, **env_default(env, "KUBECONFIG"),
                        help="kubeconfig of the apiserver (default $KUBECONFIG)")
    pflag.add_bool_flag(parser, "--leader-elect", True,
                        "act only while holding the kube-system/kube-controller-manager Lease (default true)")
    parser.add_argument("--node-monitor-grace-period", type=grace_period, default=GRACE_PERIOD,
                        metavar="DURATION",
                        help="how long without a node Lease renewal before the node is Unknown, "
                             "a Go duration (default 40s)")
    parser.add_argument("--cluster-signing-cert-file", type=Path,
                        help="the CA certificate the csrsigning controller issues kubernetes.io certificates "
                             "with (with --cluster-signing-key-file; without them the controller is off)")
    parser.add_argument("--cluster-signing-key-file", type=Path, help="the private key of that CA")
    for signer, name in csrsigning.SIGNER_FLAG_NAMES.items():
        parser.add_argument(f"--cluster-signing-{name}-cert-file", default="", metavar="FILE",
                            help=f"the CA certificate {signer} signs with; given for any signer, only the "
                                 "signers given one run, and --cluster-signing-cert-file may not be given")
        parser.add_argument(f"--cluster-signing-{name}-key-file", default="", metavar="FILE",
                            help="the private key of that CA")
    for flag in ("--cluster-signing-duration", "--experimental-cluster-signing-duration"):
        # One duration under two names, as upstream's two flags share one variable (the second deprecated).
        parser.add_argument(flag, dest="cluster_signing_duration", type=signing_duration,
                            default=csrsigning.DEFAULT_DURATION, metavar="DURATION",
                            help="the longest life an issued certificate gets; spec.expirationSeconds may "
                                 "ask for less (default 8760h0m0s)" if "experimental" not in flag
                            else argparse.SUPPRESS)
    # The controllers' client's rate limit: kube-controller-manager's own defaults (its
    # ClientConnection defaults, apis/config/v1alpha1/defaults.go), not component-base's 50 and 100.
    parser.add_argument("--kube-api-qps", type=pflag.VALUE_TYPES["float32"], default=KUBE_API_QPS,
                        help="QPS to use while talking with kubernetes apiserver. (default 20)")
    parser.add_argument("--kube-api-burst", type=pflag.VALUE_TYPES["int32"], default=KUBE_API_BURST,
                        help="Burst to use while talking with kubernetes apiserver. (default 30)")
    parser.add_argument("--root-ca-file", type=Path,
                        help="the root CA published in every namespace's kube-root-ca.crt ConfigMap "
                             "(default: the CA of --kubeconfig)")
    componentserver.add_secure_serving_flags(parser, serving.SECURE_PORT)
    parser.add_version_flag()
    parser.add_upstream_flags(upstreamflags.KUBE_CONTROLLER_MANAGER)
    args = parser.parse_args(argv)
    # KubeControllerManagerOptions.Validate: the signing controller's options, then secure serving's.
    problems = csrsigning.flag_problems(*_signing_files(args)) + [componentserver.secure_serving_problem(args) or ""]
    if any(problems):
        raise pflag.OptionsError(aggregate([problem for problem in problems if problem]))
    return args


@mirrors("k8s.io/kubernetes/cmd/kube-controller-manager/app.startRootCACertPublisher")
def root_ca(root_ca_file: Path | None, client: RestClient) -> str:
    """--root-ca-file's bundle, or else the CA the controller-manager's kubeconfig trusts."""
    return rootcacertpublisher.read_ca(root_ca_file) if root_ca_file else client.ca_data


def _signing_files(args: argparse.Namespace) -> tuple[tuple[str, str], dict[str, tuple[str, str]]]:
    """The cluster CA's files and each signer's own, "" where a flag is not given."""
    specific = {signer: (getattr(args, f"cluster_signing_{name.replace('-', '_')}_cert_file"),
                         getattr(args, f"cluster_signing_{name.replace('-', '_')}_key_file"))
                for signer, name in csrsigning.SIGNER_FLAG_NAMES.items()}
    return (str(args.cluster_signing_cert_file or ""), str(args.cluster_signing_key_file or "")), specific


def signing_cas(args: argparse.Namespace) -> dict[str, SigningCA]:
    """The CA of each CSR signer the --cluster-signing-*-file flags start."""
    return csrsigning.load_signers(csrsigning.signer_files(*_signing_files(args)))


def run(args: argparse.Namespace, process: Process) -> None:
    for flag in args.no_effect:
        log("kube-controller-manager", f"{flag} is one of kube-controller-manager's flags the reference "
                                       "controller-manager does not act on")
    client = load_client(args.kubeconfig)
    registry = Registry()
    # What kube-controller-manager's main registers by importing component-base's restclient and
    # version metrics.
    client.results = RequestResults(registry)
    componentserver.register_build_info(registry)
    manager = ControllerManager(client, args.node_monitor_grace_period, process.stop,
                                root_ca(args.root_ca_file, client), signing_cas(args), registry,
                                args.cluster_signing_duration,
                                new_rate_limiter=functools.partial(flowcontrol.rate_limiter_for,
                                                                   args.kube_api_qps, args.kube_api_burst))
    leader_election = componentserver.leader_election_check(lambda: manager.elector) if args.leader_elect else None
    mux = serving.secure_mux(lambda: manager.started, registry, serving.component_config(args, CONTROLLERS),
                             leader_election)
    server = componentserver.serve_secure(args, mux, "kube-controller-manager", manager.clock.now)
    if server is not None:
        log("kube-controller-manager", f"Serving securely on {args.bind_address}:{server.port}")
    try:
        manager.run(args.leader_elect, process.out)
    finally:
        if server is not None:
            server.stop()
        client.close_idle_connections()


COMMAND = Component("reference kube-controller-manager", parse_args, run, errors=(ClientError, ServingError),
                    config_errors=(KubeconfigError, rootcacertpublisher.RootCAFileError, csrsigning.SigningCAError,
                                   csrsigning.SignerFilesError,
                                   AuthConfigError),
                    fatal_errors=(LeaderElectionLost,))


def main(argv: list[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    return machinery_main(COMMAND, argv, env)


if __name__ == "__main__":
    sys.exit(main())
