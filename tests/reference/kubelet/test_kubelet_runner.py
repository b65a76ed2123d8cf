"""The kubelet process's adapter (run.py) in hollow mode without sockets: a fake REST client, the pod
informer's store filled by hand. A pod event marks only its own node for the next sync."""
from __future__ import annotations

from reference_impl.kubelet.run import KubeletRunner


class FakeClient:
    def __init__(self) -> None:
        self.patches: list[str] = []

    def request(self, method, path, body=None):
        return {"metadata": {"name": path.rsplit("/", 1)[1]}}  # a Lease GET finds one to renew

    def request_patch(self, path, patch):
        self.patches.append(path)
        return {}


def bound_pod(name: str, node: str) -> dict:
    return {"metadata": {"name": name, "namespace": "default", "uid": f"uid-{name}"},
            "spec": {"nodeName": node, "containers": [{"name": "c", "image": "pause"}]}}


def hollow_runner(tmp_path, nodes: int = 3) -> tuple[KubeletRunner, FakeClient]:
    client = FakeClient()
    runner = KubeletRunner(client, "hollow", tmp_path, nodes, {"cpu": "4", "memory": "8Gi", "pods": "110"})
    for kubelet in runner.kubelets.values():
        kubelet.node_registered()
    return runner, client


def test_a_pod_event_marks_only_its_node(tmp_path):
    runner, _ = hollow_runner(tmp_path)
    runner.pods.store.add(bound_pod("web", "hollow-1"))
    runner.pods.store.add({**bound_pod("pending", ""), "spec": {"containers": []}})
    assert runner.dirty == {"hollow-1"}
    moved = bound_pod("web", "hollow-2")
    runner.pods.store.update(moved)
    assert runner.dirty == {"hollow-1", "hollow-2"}


def test_syncing_a_node_reports_only_its_pods(tmp_path):
    runner, client = hollow_runner(tmp_path)
    runner.pods.store.add(bound_pod("a", "hollow-0"))
    runner.pods.store.add(bound_pod("b", "hollow-2"))
    runner.sync_nodes(["hollow-2"])
    assert [p for p in client.patches if "/pods/" in p] == ["/api/v1/namespaces/default/pods/b/status"]
    runner.sync_nodes(["hollow-0", "no-such-node"])
    assert [p for p in client.patches if "/pods/" in p][-1] == "/api/v1/namespaces/default/pods/a/status"
