"""Builders for nodes, pods and a fake clock, shared by the scheduler tests."""
from __future__ import annotations

import random

from reference_impl.machinery.clock import ManualClock  # noqa: E402
from reference_impl.scheduler import Scheduler
from reference_impl.scheduler.cache import Cache
from reference_impl.scheduler.framework import Framework
from reference_impl.scheduler.types import CycleState


def fake_clock() -> ManualClock:
    return ManualClock(1000.0)


def node(name, cpu="4", memory="8Gi", pods=110, labels=None, taints=None, unschedulable=False):
    n = {"apiVersion": "v1", "kind": "Node",
         "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, **(labels or {})}},
         "spec": {},
         "status": {"allocatable": {"cpu": cpu, "memory": memory, "pods": str(pods)}}}
    if taints:
        n["spec"]["taints"] = taints
    if unschedulable:
        n["spec"]["unschedulable"] = True
    return n


def pod(name, cpu=None, memory=None, namespace="default", labels=None, node_name=None, priority=None,
        affinity=None, tolerations=None, node_selector=None, spread=None, host_ports=(), **spec):
    requests = {}
    if cpu is not None:
        requests["cpu"] = cpu
    if memory is not None:
        requests["memory"] = memory
    container = {"name": "c", "image": "pause", "resources": {"requests": requests} if requests else {}}
    if host_ports:
        container["ports"] = [{"containerPort": p, "hostPort": p, "protocol": "TCP"} for p in host_ports]
    p = {"apiVersion": "v1", "kind": "Pod",
         "metadata": {"name": name, "namespace": namespace, "labels": dict(labels or {})},
         "spec": {"containers": [container], **spec}}
    for key, value in (("nodeName", node_name), ("priority", priority), ("affinity", affinity),
                       ("tolerations", tolerations), ("nodeSelector", node_selector),
                       ("topologySpreadConstraints", spread)):
        if value is not None:
            p["spec"][key] = value
    return p


def scheduler(nodes=(), pods=(), clock=None, profile=None, seed=0) -> Scheduler:
    s = Scheduler(clock or fake_clock(), random.Random(seed), profile)
    for n in nodes:
        s.on_node_add(n)
    for p in pods:
        s.on_pod_add(p)
    return s


def plugin_env(plugin_name, nodes=(), pods=()):
    """A framework with a snapshot of `nodes`/bound `pods`, and its plugin named `plugin_name`."""
    cache = Cache()
    for n in nodes:
        cache.add_node(n)
    for p in pods:
        cache.add_pod(p)
    fwk = Framework()
    fwk.snapshot = cache.update_snapshot()
    return fwk.plugins[plugin_name], fwk.snapshot


def run_filter(plugin_name, the_pod, nodes=(), pods=()):
    """{node name: Status} after PreFilter + Filter of one plugin."""
    plugin, snapshot = plugin_env(plugin_name, nodes, pods)
    state = CycleState()
    if hasattr(type(plugin), "pre_filter") and type(plugin).pre_filter is not type(plugin).__mro__[-2].pre_filter:
        plugin.pre_filter(state, the_pod)
    return {n.name: plugin.filter(state, the_pod, n) for n in snapshot.node_info_list}


def run_score(plugin_name, the_pod, nodes=(), pods=()):
    """{node name: normalized score} after PreScore + Score + NormalizeScore of one plugin (unweighted)."""
    plugin, snapshot = plugin_env(plugin_name, nodes, pods)
    state = CycleState()
    infos = snapshot.node_info_list
    from reference_impl.scheduler.framework import implements
    if implements(plugin, "pre_filter"):
        plugin.pre_filter(state, the_pod)
    if implements(plugin, "pre_score"):
        plugin.pre_score(state, the_pod, infos)
    scores = [plugin.score(state, the_pod, n) for n in infos]
    if hasattr(plugin, "normalize_score"):
        plugin.normalize_score(state, the_pod, infos, scores)
    return {n.name: s for n, s in zip(infos, scores)}


# ---- out-of-tree plugins, loaded by import path in the configuration tests ----------------------

from reference_impl.scheduler.framework import Plugin  # noqa: E402
from reference_impl.scheduler.types import SUCCESS, Code, Status, unschedulable  # noqa: E402


class OnlyLabelled(Plugin):
    """Filter: only nodes labelled `allowed=true`."""

    name = "OnlyLabelled"

    def filter(self, state, pod, node_info):
        return SUCCESS if node_info.labels.get("allowed") == "true" else unschedulable("node(s) not allowed")


class RaisingFilter(Plugin):
    """Filter: raises for pods named in args.pods (a plugin bug, or a field it cannot read)."""

    name = "RaisingFilter"

    def filter(self, state, pod, node_info):
        if pod["metadata"]["name"] in self.args.get("pods", ()):
            raise KeyError("spec")
        return SUCCESS


class PreferNamed(Plugin):
    """Score: 100 for the node named in args.node, else 0."""

    name = "PreferNamed"

    def score(self, state, pod, node_info):
        return 100 if node_info.name == self.args.get("node") else 0


class OutOfRangeScore(Plugin):
    """Score: 101 (above MaxNodeScore) for the node named in args.node, else 0."""

    name = "OutOfRangeScore"

    def score(self, state, pod, node_info):
        return 101 if node_info.name == self.args.get("node") else 0


class RaisingReserve(Plugin):
    """Reserve with a bug: it raises (a Go plugin's panic)."""

    name = "RaisingReserve"

    def reserve(self, state, pod, node_name):
        raise KeyError("spec")


class RaisingPostBind(Plugin):
    """PostBind with a bug: it raises (a panic in the binding goroutine, after the bind)."""

    name = "RaisingPostBind"

    def post_bind(self, state, pod, node_name):
        raise KeyError("spec")


class RecordingReserve(Plugin):
    """Reserve/Unreserve that records calls; rejects reservation on nodes in args.reject."""

    name = "RecordingReserve"
    calls: list = []

    def reserve(self, state, pod, node_name):
        RecordingReserve.calls.append(("reserve", node_name))
        if node_name in self.args.get("reject", ()):
            return Status(Code.UNSCHEDULABLE, ("reserve rejected",))
        return SUCCESS

    def unreserve(self, state, pod, node_name):
        RecordingReserve.calls.append(("unreserve", node_name))


class WaitingPermit(Plugin):
    """Permit: always Wait, for args.timeout seconds (default 15 minutes, the most upstream allows)."""

    name = "WaitingPermit"

    def permit(self, state, pod, node_name):
        return Status(Code.WAIT), self.args.get("timeout", 15 * 60.0)


class BarePermit(Plugin):
    """Permit in this framework's earlier contract: a Status alone, no timeout."""

    name = "BarePermit"

    def permit(self, state, pod, node_name):
        return Status(Code.SUCCESS)


class FailingPermit(Plugin):
    """Permit: an Error (a service it asks is down)."""

    name = "FailingPermit"

    def permit(self, state, pod, node_name):
        return Status(Code.ERROR, ("quota service down",)), 0.0


class SkippingBinder(Plugin):
    """Bind: Skip for every pod, with a message."""

    name = "SkippingBinder"

    def bind(self, state, pod, node_name):
        return Status(Code.SKIP, ("not my pod",))


class RecordingPostBind(Plugin):
    """PostBind that records the pods it is told were bound, by key."""

    name = "RecordingPostBind"
    calls: list = []

    def post_bind(self, state, pod, node_name):
        RecordingPostBind.calls.append((f"{pod['metadata']['namespace']}/{pod['metadata']['name']}", node_name))


class RefusingPreBind(Plugin):
    """PreBind: an error for every pod."""

    name = "RefusingPreBind"

    def pre_bind(self, state, pod, node_name):
        return Status(Code.ERROR, ("volume not ready",))
