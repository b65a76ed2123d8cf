"""Preemption (DefaultPreemption) by the real 1.24 kube-scheduler and by ours, paired on the same
reference control plane (etcd and apiserver, no kubelet, no controller-manager).

Each run starts a fresh plane, one scheduler (the real binary, or reference_impl's) and plays the
same scenarios, one after another, each on its own nodes (plain Node objects with capacity, a
label the scenario's pods select) and in its own namespace. The pods already running are created
bound (spec.nodeName) and with terminationGracePeriodSeconds 0, so a deletion by the scheduler
removes them at once, with no kubelet to confirm it; then the preemptor is created and the run
waits for it to be bound (or a fixed time when nothing should happen):

  one-node   a node full of a low- and a mid-priority pod; a high-priority pod needing one's room
  ties       a node full of two low-priority pods not started; which one goes
  priority   two nodes: one victim of mid priority, or two of low priority (the lower one wins)
  victims    two nodes: two low victims or one (the fewer, by the sum of priorities)
  pdb        two nodes: a low victim a PodDisruptionBudget protects (no disruption allowed: no
             disruption controller runs) or a mid one it does not
  never      a high-priority pod with preemptionPolicy Never: nothing evicted
  equal      a pod of the same priority as the running one: nothing evicted
  refused    a node full of a low-priority pod whose deletion an admission webhook refuses (403):
             the preemption fails, nothing evicted, the preemptor never nominated

Compared per scenario: the pods the scheduler deleted, the nominatedNodeName values the preemptor
carried (in order), the node it was bound to, and the scheduler's events (reason, type, action,
regarding, related, note; FailedScheduling repeats collapsed). Prints the differences and writes
benchmarks/results/scheduler_preemption_pair.json.

    python benchmarks/scheduler_preemption_pair.py [--bin /work/k8s-bin]
"""
from __future__ import annotations

import argparse
import base64
import json
import os
import ssl
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from reference_impl.client.rest import APIStatusError, RestClient  # noqa: E402
from reference_impl.machinery.certutil import issue_serving_cert, new_ca  # noqa: E402

RESULTS = Path(__file__).parent / "results"
PRIORITY_CLASSES = {"low": (100, "PreemptLowerPriority"), "mid": (500, "PreemptLowerPriority"),
                    "high": (1000, "PreemptLowerPriority"), "high-never": (1000, "Never")}
BIND_TIMEOUT = 25.0  # seconds the preemptor may take to land (a backoff of 1-2 s after the deletions)
QUIET_WAIT = 6.0  # seconds a scenario where nothing should happen is watched
REFUSE_LABEL = "preemption-pair-refuse"  # a pod with it may not be deleted (RefusingWebhook)


# (nodes {name: cpu}, running pods (name, node, class, cpu, labels), preemptor (class, cpu), pdb selector, lands)
SCENARIOS = {
    "one-node": ({"a1": "2"}, [("lo", "a1", "low", "1", {}), ("md", "a1", "mid", "1", {})], ("high", "1"), None, True),
    "ties": ({"t1": "2"}, [("first", "t1", "low", "1", {}), ("second", "t1", "low", "1", {})], ("high", "1"), None,
             True),
    "priority": ({"b1": "2", "b2": "2"}, [("md", "b1", "mid", "2", {}), ("lo1", "b2", "low", "1", {}),
                                          ("lo2", "b2", "low", "1", {})], ("high", "2"), None, True),
    "victims": ({"c1": "2", "c2": "2"}, [("lo1", "c1", "low", "1", {}), ("lo2", "c1", "low", "1", {}),
                                         ("lo3", "c2", "low", "2", {})], ("high", "2"), None, True),
    "pdb": ({"d1": "1", "d2": "1"}, [("guarded", "d1", "low", "1", {"app": "guarded"}),
                                     ("md", "d2", "mid", "1", {})], ("high", "1"), {"app": "guarded"}, True),
    "never": ({"e1": "1"}, [("lo", "e1", "low", "1", {})], ("high-never", "1"), None, False),
    "equal": ({"f1": "1"}, [("peer", "f1", "high", "1", {})], ("high", "1"), None, False),
    "refused": ({"g1": "1"}, [("kept", "g1", "low", "1", {REFUSE_LABEL: "delete"})], ("high", "1"), None, False),
}


class RefusingWebhook:
    """A validating admission webhook (HTTPS on loopback) that refuses every request it is sent
    with a 403: registered for the DELETE of pods labelled REFUSE_LABEL."""

    def __init__(self, directory: Path) -> None:
        ca = new_ca("preemption pair webhook CA")
        serving = issue_serving_cert(ca, dns_names=("localhost",), ips=("127.0.0.1",))
        (directory / "hook.crt").write_bytes(serving.cert_pem)
        (directory / "hook.key").write_bytes(serving.key_pem)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(directory / "hook.crt", directory / "hook.key")
        self.ca_pem = ca.cert_pem

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                review = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                data = json.dumps({"apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "response": {
                    "uid": review["request"]["uid"], "allowed": False,
                    "status": {"code": 403, "message": "this pod may not be deleted"}}}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def register(self, rest: RestClient) -> None:
        rest.request("POST", "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations", {
            "metadata": {"name": "preemption-pair-refuse"},
            "webhooks": [{"name": "refuse.preemption-pair.example.com", "sideEffects": "None",
                          "admissionReviewVersions": ["v1"],
                          "clientConfig": {"url": f"https://127.0.0.1:{self.httpd.server_address[1]}/refuse",
                                           "caBundle": base64.b64encode(self.ca_pem).decode()},
                          "objectSelector": {"matchExpressions": [{"key": REFUSE_LABEL, "operator": "Exists"}]},
                          "rules": [{"operations": ["DELETE"], "apiGroups": [""], "apiVersions": ["v1"],
                                     "resources": ["pods"]}]}]})

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def node_object(name: str, scenario: str, cpu: str) -> dict:
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": {"kubernetes.io/hostname": name, "preemption-pair": scenario}},
            "status": {"capacity": {"cpu": cpu, "memory": "8Gi", "pods": "110"},
                       "allocatable": {"cpu": cpu, "memory": "8Gi", "pods": "110"}}}


def pod_object(name: str, scenario: str, priority_class: str, cpu: str, labels: dict, node: str | None) -> dict:
    spec = {"priorityClassName": priority_class, "terminationGracePeriodSeconds": 0,
            "nodeSelector": {"preemption-pair": scenario},
            # The not-ready taint a new Node gets (TaintNodesByCondition): no controller removes it here.
            "tolerations": [{"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoSchedule"}],
            "containers": [{"name": "c", "image": "pause", "resources": {"requests": {"cpu": cpu}}}]}
    if node:
        spec["nodeName"] = node
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels}, "spec": spec}


class PodWatch(threading.Thread):
    """Every state of the namespace's pods, in order."""

    def __init__(self, client: RestClient, namespace: str):
        super().__init__(daemon=True)
        self.client, self.path = client, f"/api/v1/namespaces/{namespace}/pods"
        self.events: list[dict] = []
        self.stop = threading.Event()
        self.revision = client.request("GET", self.path)["metadata"]["resourceVersion"]

    def run(self) -> None:
        for event in self.client.watch(self.path, self.revision, self.stop, 300):
            if event.get("type") != "BOOKMARK":
                self.events.append(event)


def outcome(watch_events: list[dict], events: list[dict], running: list[str]) -> dict:
    """What is compared: deletions among the running pods, the preemptor's nominations and node,
    and the events (pure: tested without processes)."""
    deleted = sorted({e["object"]["metadata"]["name"] for e in watch_events
                      if e["type"] == "DELETED" and e["object"]["metadata"]["name"] in running})
    nominations: list[str] = []
    node = ""
    for e in watch_events:
        obj = e["object"]
        if obj["metadata"]["name"] != "preemptor":
            continue
        nominated = (obj.get("status") or {}).get("nominatedNodeName") or ""
        if not nominations or nominations[-1] != nominated:
            nominations.append(nominated)
        node = (obj.get("spec") or {}).get("nodeName") or node
    seen = []
    for event in sorted(events, key=lambda ev: ev.get("eventTime") or ev["metadata"].get("creationTimestamp") or ""):
        row = {"reason": event.get("reason"), "type": event.get("type"), "action": event.get("action"),
               "regarding": (event.get("regarding") or {}).get("name"),
               "related": (event.get("related") or {}).get("name"), "note": event.get("note")}
        if row not in seen:
            seen.append(row)
    return {"deleted": deleted, "nominatedNodeName": [n for n in nominations if n] or [""], "node": node,
            "events": seen}


def play(rest: RestClient, scenario: str) -> dict:
    nodes, running, (preemptor_class, preemptor_cpu), pdb_selector, lands = SCENARIOS[scenario]
    namespace = f"pair-{scenario}"
    ns = f"/api/v1/namespaces/{namespace}"
    rest.request("POST", "/api/v1/namespaces", {"metadata": {"name": namespace}})
    try:  # the real apiserver's ServiceAccount admission wants the default account
        rest.request("POST", f"{ns}/serviceaccounts", {"metadata": {"name": "default"}})
    except APIStatusError:
        pass
    for name, cpu in nodes.items():
        rest.request("POST", "/api/v1/nodes", node_object(name, scenario, cpu))
    if pdb_selector:
        rest.request("POST", f"/apis/policy/v1/namespaces/{namespace}/poddisruptionbudgets",
                     {"metadata": {"name": "guard"}, "spec": {"minAvailable": 1, "selector": {"matchLabels": pdb_selector}}})
    for name, node, priority_class, cpu, labels in running:
        rest.request("POST", f"{ns}/pods", pod_object(name, scenario, priority_class, cpu, labels, node))
    time.sleep(2.0)  # the scheduler's caches have the pods and the budget
    watch = PodWatch(rest, namespace)
    watch.start()
    rest.request("POST", f"{ns}/pods", pod_object("preemptor", scenario, preemptor_class, preemptor_cpu, {}, None))
    deadline = time.monotonic() + (BIND_TIMEOUT if lands else QUIET_WAIT)
    while time.monotonic() < deadline:
        if lands and (rest.request("GET", f"{ns}/pods/preemptor").get("spec") or {}).get("nodeName"):
            break
        time.sleep(0.3)
    time.sleep(1.0)
    watch.stop.set()
    events = rest.request("GET", f"/apis/events.k8s.io/v1/namespaces/{namespace}/events")["items"]
    for name in nodes:
        rest.request("DELETE", f"/api/v1/nodes/{name}")
    return outcome(watch.events, events, [r[0] for r in running])


def one_run(bin_dir: Path, ours: bool) -> dict:
    from reference_impl import cluster as local_cluster
    work = Path(tempfile.mkdtemp(prefix="preemption-pair-"))
    directory = work / "cluster"
    plane = local_cluster.up(directory, kubelets=0, only=("etcd", "apiserver"))
    components = []
    webhook = RefusingWebhook(work)
    try:
        kubeconfig = Path(plane.kubeconfig)
        rest = RestClient(str(kubeconfig))
        webhook.register(rest)
        for name, (value, policy) in PRIORITY_CLASSES.items():
            rest.request("POST", "/apis/scheduling.k8s.io/v1/priorityclasses", {
                "metadata": {"name": name}, "value": value, "preemptionPolicy": policy})
        upstream = {} if ours else {"scheduler": (bin_dir / "kube-scheduler").resolve()}
        components = local_cluster.start_nodes_and_controllers(directory, kubeconfig, 0, only=("scheduler",),
                                                               upstream=upstream)
        time.sleep(3.0)
        return {scenario: play(rest, scenario) for scenario in SCENARIOS}
    finally:
        local_cluster.stop(components)
        local_cluster.stop(list(plane.processes))
        webhook.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", type=Path, default=Path("/work/k8s-bin"), help="a directory with kube-scheduler")
    args = parser.parse_args(argv)
    runs = {label: one_run(args.bin, ours) for label, ours in (("real", False), ("ours", True))}
    differing = []
    for scenario in SCENARIOS:
        real, ours = runs["real"][scenario], runs["ours"][scenario]
        for key in real:
            if real[key] != ours[key]:
                differing.append(f"{scenario}.{key}")
                print(f"{scenario}.{key}\n  real: {json.dumps(real[key])}\n  ours: {json.dumps(ours[key])}")
    for scenario in SCENARIOS:
        real = runs["real"][scenario]
        print(f"{scenario:9} deleted {real['deleted']} nominated {real['nominatedNodeName']} node {real['node']!r}")
    print(f"{len(SCENARIOS)} scenarios; {len(differing)} fields differ")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "scheduler_preemption_pair.json").write_text(json.dumps(
        {"differing": differing, "runs": runs}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
