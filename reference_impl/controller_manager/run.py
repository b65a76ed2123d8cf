"""Run the reference kube-controller-manager: informers (reference_impl.client) keep caches of the
objects the controllers read, and every time a cache changes (or at least every second) each
controller's sans-IO sync runs over the caches and its actions go to the apiserver through
`apply`. With --leader-elect only the holder of the kube-system/kube-controller-manager Lease acts.

`python -m reference_impl.controller_manager.run --kubeconfig PATH [--leader-elect]
[--node-monitor-grace-period 40]` prints one "ready" line once its caches are synced and exits 0
on SIGTERM or SIGINT.

The syncs are level-triggered passes over whole caches rather than per-key work queues: every
controller here is written to converge from any state (expectations stop the ReplicaSet
controller from creating twice on a stale cache), so a failed request is simply retried by the
next pass.
"""
from __future__ import annotations

import argparse
import socket
import sys
import threading
import time
import uuid
from collections.abc import Mapping
from pathlib import Path

from reference_impl.machinery.clock import WallClock
from reference_impl.client import APIStatusError, ClientError, KubeconfigError
from reference_impl.client.cache import Indexer, ResourceEventHandler
from reference_impl.client.informer import Informer, load_client, log, start_and_sync
from reference_impl.client.leaderelection import LeaderElector
from reference_impl.client.rest import RestClient, lease_step
from reference_impl.controller_manager import endpoints, endpointslice, garbagecollector, namespace, serviceaccount
from reference_impl.controller_manager.apply import RESOURCES as API_PATHS
from reference_impl.controller_manager.apply import apply
from reference_impl.controller_manager.cronjob import CronJobController
from reference_impl.controller_manager.daemonset import DaemonSetsController
from reference_impl.controller_manager.deployment import DeploymentController
from reference_impl.controller_manager.job import JobController
from reference_impl.controller_manager.nodelifecycle import GRACE_PERIOD, NodeLifecycleController
from reference_impl.controller_manager.replicaset import ReplicaSetController
from reference_impl.controller_manager.replicationcontroller import ReplicationManager
from reference_impl.controller_manager.statefulset import StatefulSetController
from reference_impl.machinery.process import Component, Process, env_default
from reference_impl.machinery.process import main as machinery_main
from reference_impl.machinery.timefmt import rfc3339
from reference_impl.controller_manager.ttl import TTLController

SYNC_PERIOD = 1.0
LEASE_RETRY_PERIOD = 2.0


# --- the controller manager ------------------------------------------------------------------------

# The collections the controllers read; the GC and namespace controllers act only on these kinds.
WATCHED = {
    "pods": "/api/v1/pods", "replicasets": "/apis/apps/v1/replicasets",
    "deployments": "/apis/apps/v1/deployments", "services": "/api/v1/services",
    "endpoints": "/api/v1/endpoints", "serviceaccounts": "/api/v1/serviceaccounts",
    "namespaces": "/api/v1/namespaces", "nodes": "/api/v1/nodes",
    "leases": "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases",
    "endpointslices": "/apis/discovery.k8s.io/v1/endpointslices",
}
GC_KINDS = {"Pod": "pods", "ReplicaSet": "replicasets", "Deployment": "deployments"}
NAMESPACED_CONTENTS = ("pods", "replicasets", "deployments", "services", "endpoints", "serviceaccounts",
                       "endpointslices")
# The workload kinds' collections. Their informers are not waited for, so the manager starts
# against an apiserver that does not serve them; a controller runs once every cache it reads has
# listed, and only then do the GC and namespace controllers count those kinds.
WORKLOAD_WATCHED = {
    "replicationcontrollers": "/api/v1/replicationcontrollers", "daemonsets": "/apis/apps/v1/daemonsets",
    "statefulsets": "/apis/apps/v1/statefulsets", "controllerrevisions": "/apis/apps/v1/controllerrevisions",
    "persistentvolumeclaims": "/api/v1/persistentvolumeclaims", "jobs": "/apis/batch/v1/jobs",
    "cronjobs": "/apis/batch/v1/cronjobs",
}
WORKLOAD_GC_KINDS = {"ReplicationController": "replicationcontrollers", "DaemonSet": "daemonsets",
                     "StatefulSet": "statefulsets", "ControllerRevision": "controllerrevisions",
                     "Job": "jobs", "CronJob": "cronjobs"}


class ControllerManager:
    def __init__(self, client: RestClient, grace_period: float = GRACE_PERIOD,
                 stop: threading.Event | None = None):
        self.client, self.clock = client, WallClock()
        self._discovered: dict[str, str] | None = None  # see _namespaced_kinds
        self.stop, self.wake = stop or threading.Event(), threading.Event()
        self.informers = {name: Informer(client, path, self.stop, self.wake, "kube-controller-manager")
                          for name, path in {**WATCHED, **WORKLOAD_WATCHED}.items()}
        self.replicaset = ReplicaSetController(self.clock)
        self.deployment = DeploymentController()
        self.nodelifecycle = NodeLifecycleController(self.clock, grace_period)
        self.replication = ReplicationManager(self.clock)
        self.daemonset = DaemonSetsController(self.clock)
        self.statefulset = StatefulSetController()
        self.job = JobController(self.clock)
        self.cronjob = CronJobController(self.clock)
        self.ttl = TTLController()
        pods = self.informers["pods"].store
        for controller in (self.replicaset, self.replication, self.daemonset, self.job):
            pods.add_event_handler(ResourceEventHandler(on_add=controller.add_pod,
                                                        on_delete=controller.delete_pod))
        for resource, on_delete in (("replicasets", self.replicaset.delete_rs),
                                    ("replicationcontrollers", self.replication.delete_rc),
                                    ("daemonsets", self.daemonset.delete_ds), ("jobs", self.job.delete_job)):
            self.informers[resource].store.add_event_handler(ResourceEventHandler(on_delete=on_delete))

    def _unwatched_content(self, namespace_name: str, watched: set[str]) -> dict[str, list[dict]]:
        """What a terminating namespace still holds of the kinds no informer here watches
        (config maps, secrets, roles, …), listed live: the namespace deleter finds every
        namespaced kind through discovery, as upstream's discoverResourcesFn does."""
        held = {}
        for plural, prefix in self._namespaced_kinds().items():
            if plural in watched:
                continue
            try:
                listed = self.client.request("GET", f"{prefix}/namespaces/{namespace_name}/{plural}")
            except APIStatusError:
                continue  # the next sync lists it again; the namespace waits until it is empty
            held[plural] = listed.get("items") or []
        return held

    def _namespaced_kinds(self) -> dict[str, str]:
        """plural → API prefix of every namespaced resource that can be listed and deleted,
        from discovery (read once); `apply` learns their paths."""
        if self._discovered is None:
            found: dict[str, str] = {}
            prefixes = ["/api/v1"] + [f"/apis/{group['preferredVersion']['groupVersion']}"
                                      for group in self.client.request("GET", "/apis")["groups"]]
            for prefix in prefixes:
                for resource in self.client.request("GET", prefix).get("resources", []):
                    verbs = set(resource.get("verbs") or ())
                    if (resource.get("namespaced") and "/" not in resource["name"]
                            and {"list", "delete"} <= verbs):
                        found.setdefault(resource["name"], prefix)
            for plural, prefix in found.items():
                API_PATHS.setdefault(plural, (prefix, True))
            self._discovered = found
        return self._discovered

    def cache(self, name: str) -> Indexer:
        return self.informers[name].store

    def synced(self, *names: str) -> bool:
        return all(self.informers[name].has_synced for name in names)

    def sync_all(self) -> list:
        """One pass of every controller over the caches: the actions to send."""
        pods, rss = self.cache("pods"), self.cache("replicasets")
        actions: list = []
        for rs in rss.list():
            actions += self.replicaset.sync(rs, pods.by_namespace(rs["metadata"]["namespace"]))
        for d in self.cache("deployments").list():
            actions += self.deployment.sync(d, rss.by_namespace(d["metadata"]["namespace"]))
        actions += self._workloads()
        actions += self._endpoints()
        actions += self._endpoint_slices()
        contents = NAMESPACED_CONTENTS + tuple(r for r in WORKLOAD_WATCHED if self.synced(r))
        for ns in self.cache("namespaces").list():
            name = ns["metadata"]["name"]
            actions += serviceaccount.sync_namespace(ns, self.cache("serviceaccounts").by_namespace(name))
            held = {r: self.cache(r).by_namespace(name) for r in contents}
            if ns["metadata"].get("deletionTimestamp"):
                held.update(self._unwatched_content(name, set(contents)))
            actions += namespace.sync_namespace(ns, held, rfc3339(self.clock.now()))
        actions += self.nodelifecycle.sync(self.cache("nodes").list(), self.cache("leases").list(), pods.list())
        actions += self.ttl.sync(self.cache("nodes").list())
        actions += self._garbage_collect()
        return actions

    def _workloads(self) -> list:
        """The ReplicationController, DaemonSet, StatefulSet, Job and CronJob controllers, each
        once the caches it reads have synced."""
        actions: list = []

        def in_namespace(resource: str, obj: dict) -> list[dict]:
            return self.cache(resource).by_namespace(obj["metadata"]["namespace"])

        if self.synced("replicationcontrollers"):
            for rc in self.cache("replicationcontrollers").list():
                actions += self.replication.sync(rc, in_namespace("pods", rc))
        if self.synced("daemonsets", "controllerrevisions"):
            nodes = self.cache("nodes").list()
            for ds in self.cache("daemonsets").list():
                actions += self.daemonset.sync(ds, nodes, in_namespace("pods", ds),
                                               in_namespace("controllerrevisions", ds))
        if self.synced("statefulsets", "controllerrevisions", "persistentvolumeclaims"):
            for set_ in self.cache("statefulsets").list():
                actions += self.statefulset.sync(set_, in_namespace("pods", set_),
                                                 in_namespace("controllerrevisions", set_),
                                                 in_namespace("persistentvolumeclaims", set_))
        if self.synced("jobs"):
            for job in self.cache("jobs").list():
                actions += self.job.sync(job, in_namespace("pods", job))
        if self.synced("cronjobs", "jobs"):
            for cj in self.cache("cronjobs").list():
                actions += self.cronjob.sync(cj, in_namespace("jobs", cj))
        return actions

    def _endpoints(self) -> list:
        services = {f"{s['metadata']['namespace']}/{s['metadata']['name']}": s
                    for s in self.cache("services").list()}
        eps = {f"{e['metadata']['namespace']}/{e['metadata']['name']}": e
               for e in self.cache("endpoints").list()}
        actions: list = []
        for key in sorted(set(services) | set(eps)):
            ns, name = key.split("/", 1)
            actions += endpoints.sync_service(ns, name, services.get(key),
                                              self.cache("pods").by_namespace(ns), eps.get(key))
        return actions

    def _endpoint_slices(self) -> list:
        nodes = {n["metadata"]["name"]: n for n in self.cache("nodes").list()}
        services = {(s["metadata"]["namespace"], s["metadata"]["name"]): s for s in self.cache("services").list()}
        slices = self.cache("endpointslices")
        owners = {(s["metadata"]["namespace"], name) for s in slices.list()
                  if (name := (s["metadata"].get("labels") or {}).get(endpointslice.LABEL_SERVICE_NAME))}
        actions: list = []
        for ns, name in sorted(set(services) | owners):
            actions += endpointslice.sync_service(ns, name, services.get((ns, name)),
                                                  self.cache("pods").by_namespace(ns),
                                                  slices.by_namespace(ns), nodes)
        return actions

    def _garbage_collect(self) -> list:
        """The GC over the kinds watched here; an object with an owner of another kind is left alone,
        since its owner's absence from our caches proves nothing."""
        kinds = {**GC_KINDS, **{k: r for k, r in WORKLOAD_GC_KINDS.items() if self.synced(r)}}
        graph = {resource: self.cache(resource).list() for resource in kinds.values()}
        foreign = {(r, o["metadata"].get("namespace"), o["metadata"]["name"])
                   for r, objs in graph.items() for o in objs
                   if any(ref.get("kind") not in kinds for ref in o["metadata"].get("ownerReferences") or [])}
        return [a for a in garbagecollector.sync(graph)
                if (a.resource, a.namespace, a.name) not in foreign]

    def apply_all(self, actions: list) -> None:
        for action in actions:
            try:
                apply(self.client, action)
            except APIStatusError as error:
                if error.code not in (404, 409):  # gone or raced: the next pass sees the new state
                    log("kube-controller-manager", f"{type(action).__name__} {action.resource}: {error}")
            except (OSError, ValueError) as error:
                log("kube-controller-manager", f"{type(action).__name__} {action.resource}: {error}")

    def run(self, leader_elect: bool, out) -> None:
        for name in WORKLOAD_WATCHED:
            self.informers[name].start()
        if not start_and_sync([self.informers[name] for name in WATCHED], self.stop):
            return
        elector = (LeaderElector(f"{socket.gethostname()}_{uuid.uuid4()}", self.clock)
                   if leader_elect else None)
        print(f"ready: reference kube-controller-manager (leader-elect {'on' if leader_elect else 'off'}, "
              f"controllers replicaset,deployment,endpoint,endpointslice,serviceaccount,namespace,nodelifecycle,"
              f"garbagecollector,replicationcontroller,daemonset,statefulset,job,cronjob,ttl)", file=out, flush=True)
        next_lease = 0.0
        leading = not leader_elect
        while not self.stop.is_set():
            if elector is not None and time.monotonic() >= next_lease:
                next_lease = time.monotonic() + LEASE_RETRY_PERIOD
                try:
                    was, leading = leading, lease_step(self.client, elector)
                    if leading != was:
                        log("kube-controller-manager", "became leader" if leading else "lost the lease")
                except (APIStatusError, OSError, ValueError) as error:
                    leading = elector.is_leader()
                    log("kube-controller-manager", f"leader election: {error}")
            if leading:
                self.apply_all(self.sync_all())
            self.wake.wait(SYNC_PERIOD if elector is None else min(SYNC_PERIOD, LEASE_RETRY_PERIOD))
            self.wake.clear()


def parse_args(argv: list[str] | None, env: Mapping[str, str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m reference_impl.controller_manager.run",
                                     description="Run the reference kube-controller-manager.")
    parser.add_argument("--kubeconfig", type=Path, **env_default(env, "KUBECONFIG"),
                        help="kubeconfig of the apiserver (default $KUBECONFIG)")
    parser.add_argument("--leader-elect", action="store_true",
                        help="act only while holding the kube-system/kube-controller-manager Lease")
    parser.add_argument("--node-monitor-grace-period", type=float, default=GRACE_PERIOD,
                        help="seconds without a node Lease renewal before the node is Unknown")
    return parser.parse_args(argv)


def run(args: argparse.Namespace, process: Process) -> None:
    ControllerManager(load_client(args.kubeconfig), args.node_monitor_grace_period,
                      process.stop).run(args.leader_elect, process.out)


COMMAND = Component("reference kube-controller-manager", parse_args, run, errors=(ClientError,),
                    config_errors=(KubeconfigError,))


def main(argv: list[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    return machinery_main(COMMAND, argv, env)


if __name__ == "__main__":
    sys.exit(main())
