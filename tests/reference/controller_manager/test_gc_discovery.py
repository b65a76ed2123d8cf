"""The garbage collector's discovery (GetDeletableResources, GraphBuilder.syncMonitors, gc.Sync):
which resources it monitors as groups come, go and fail, and on which thread it asks."""
from __future__ import annotations

import io
import threading
import time

from reference_impl.client import APIStatusError
from reference_impl.client.apply import _path
from reference_impl.controller_manager import run
from reference_impl.controller_manager.run import ControllerManager

CORE = [{"name": name, "namespaced": True, "kind": kind, "verbs": ["delete", "get", "list", "watch"]}
        for name, kind in (("pods", "Pod"), ("configmaps", "ConfigMap"))]
WIDGETS = [{"name": "widgets", "namespaced": True, "kind": "Widget", "verbs": ["delete", "list", "watch"]}]


class Discovery:
    """A client serving the core group and a `widgets` resource in each of `groups`; the groups in
    `down` answer 503, as an aggregated API whose server is down (metrics-server) does. Its
    watches end a moment after their stop, as a real watch notices within half a second."""

    def __init__(self, groups: list[str], down: tuple[str, ...] = ()):
        self.groups, self.down = groups, set(down)

    def request(self, method: str, path: str, body=None):
        if path == "/apis":
            return {"groups": [{"name": g, "preferredVersion": {"groupVersion": f"{g}/v1"}}
                               for g in [*self.groups, *self.down]]}
        if path == "/api/v1":
            return {"resources": CORE}
        group = path.split("/")[2]
        if group in self.down:
            raise APIStatusError("GET", path, 503, {"message": "service unavailable"})
        if path.startswith(f"/apis/{group}/v1/widgets"):
            return {"items": [], "metadata": {"resourceVersion": "1"}}
        if path.startswith(f"/apis/{group}/v1/namespaces/"):
            raise APIStatusError("GET", path, 404, {"message": "not found"})
        return {"resources": WIDGETS}

    def watch(self, path: str, resource_version: str, stop: threading.Event):
        stop.wait()
        time.sleep(0.3)
        yield from ()


def test_a_group_that_fails_discovery_leaves_the_others_monitored():
    """GetDeletableResources logs ErrGroupDiscoveryFailed and uses the partial list: with
    metrics.k8s.io answering 503, the core kinds and a CRD's widgets are still monitored."""
    manager = ControllerManager(client=Discovery(["a.example.com"], down=("metrics.k8s.io",)))
    manager._sync_gc_monitors()
    assert sorted(manager.gc_monitors) == ["configmaps", "pods", "widgets"]
    assert manager.gc_mapping[("a.example.com/v1", "Widget")] == ("widgets", True)


def test_a_group_that_fails_discovery_keeps_its_monitors():
    """The monitors of a group that fails discovery are kept as they are, not stopped as though
    its kinds were gone (and restarted, relisting everything, when it answers again)."""
    client = Discovery(["a.example.com"])
    manager = ControllerManager(client=client)
    manager._sync_gc_monitors()
    widgets = manager.gc_monitors["widgets"]
    client.groups, client.down = [], {"a.example.com"}
    manager._sync_gc_monitors()
    assert manager.gc_monitors["widgets"] is widgets and not widgets.stop.is_set()
    manager.stop.set()
    widgets.stop.set()


def test_a_plural_freed_by_a_deleted_crd_is_monitored_in_another_group():
    """The GC's discovered paths are the manager's own: once a.example.com's widgets CRD is
    deleted, b.example.com's widgets are monitored, and no other manager learns either path."""
    client = Discovery(["a.example.com"])
    manager = ControllerManager(client=client)
    manager._sync_gc_monitors()
    client.groups = []
    manager._sync_gc_monitors()
    assert "widgets" not in manager.gc_monitors
    client.groups = ["b.example.com"]
    manager._sync_gc_monitors()
    assert manager.gc_monitors["widgets"].path == "/apis/b.example.com/v1/widgets"
    assert "widgets" not in run.API_PATHS
    manager.stop.set()
    manager.gc_monitor_stops["widgets"].set()


def test_a_stopped_monitor_has_stopped_when_discovery_returns():
    """A monitor stopped because its resource is gone has ended its informer thread by the time
    the sync returns: none of its handlers runs any more."""
    client = Discovery(["a.example.com"])
    manager = ControllerManager(client=client)
    manager._sync_gc_monitors()
    widgets = manager.gc_monitors["widgets"]
    client.groups = []
    manager._sync_gc_monitors()
    assert not widgets._thread.is_alive()


def test_a_custom_resource_whose_owner_is_gone_is_deleted_at_its_group_path():
    """The GC addresses a custom resource by the path its own discovery found: a widget whose
    owning widget is gone is deleted at /apis/a.example.com/v1/namespaces/ns/widgets/..."""
    manager = ControllerManager(client=Discovery(["a.example.com"]))
    manager._sync_gc_monitors()
    manager.gc_monitors["widgets"]._synced.set()
    manager.gc_monitors["widgets"].store.upsert({"metadata": {
        "name": "dep", "namespace": "ns", "uid": "u-dep", "ownerReferences": [
            {"apiVersion": "a.example.com/v1", "kind": "Widget", "name": "owner", "uid": "u-owner"}]}})
    [delete] = manager._garbage_collect()
    assert _path(delete.resource, delete.namespace, delete.name) == "/apis/a.example.com/v1/namespaces/ns/widgets/dep"
    manager.stop.set()
    manager.gc_monitor_stops["widgets"].set()


class SlowDiscovery(Discovery):
    """Discovery whose slow.example.com group answers only once `released` (or after 10 s)."""

    def __init__(self):
        super().__init__(["slow.example.com"])
        self.released = threading.Event()

    def request(self, method: str, path: str, body=None):
        if path == "/apis/slow.example.com/v1":
            self.released.wait(10)
        return super().request(method, path, body)


def test_a_slow_discovery_does_not_hold_up_the_controllers(monkeypatch):
    """The GC's discovery runs on its own thread, as gc.Sync's goroutine: while one group's
    discovery hangs, the manager's loop still works its controllers' queues; at shutdown the
    discovery thread is joined."""
    monkeypatch.setattr(run, "start_and_sync", lambda informers, stop: True)
    client = SlowDiscovery()
    manager = ControllerManager(client=client)
    worked = threading.Event()

    def process_queues() -> bool:
        worked.set()
        return False

    manager.process_queues = process_queues
    runner = threading.Thread(target=manager.run, args=(False, io.StringIO()), daemon=True)
    runner.start()
    try:
        assert worked.wait(5) and not client.released.is_set()
    finally:
        client.released.set()
        manager.stop.set()
        manager.wake.set()
        runner.join(15)
    assert not runner.is_alive() and not manager._gc_sync_thread.is_alive()
