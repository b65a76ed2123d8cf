"""Record the site's request journeys from a traced run of the reference cluster.

Starts `kubeatlas cluster up` with KUBEATLAS_TRACE set (every component process appends what it
decides, see reference_impl/machinery/trace.py), drives four scenarios with kubectl, and writes
each one's trace, ordered and normalised into steps, to analyzer/journeys/<name>.json:

    create-deployment   a Deployment of 2 replicas behind an existing Service
    scale-deployment    the same Deployment scaled to 3
    node-silent         the kubelet of a node running a replica stops (SIGSTOP): its Lease is no
                        longer renewed, the node goes Unknown, is tainted, its pod evicted and
                        replaced elsewhere; then it runs again (SIGCONT) and removes the pod
    delete-namespace    the namespace deleted: its content removed, then the namespace itself

The files are committed, so `kubeatlas site` draws the journeys with no cluster. Re-record after a
change to the components with:

    python benchmarks/record_journeys.py [--out analyzer/journeys] [--replicas 2] [--only NAME,…]

Normalising keeps what a reader follows: writes (create, update, patch, delete) with their
authentication, authorization, admission and etcd transaction; the watch events that reach the
components; each decision a controller, the scheduler, a kubelet or kube-proxy made. Reads, Events
and what concerns other namespaces and nodes are left out; timestamps, uids and revisions are
dropped so that two recordings differ only where the cluster did something different.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from reference_impl import cluster as cluster_mod  # noqa: E402
from reference_impl.machinery.trace import ENV  # noqa: E402

OUT = ROOT / "analyzer" / "journeys"
NAMESPACE = "journeys"
WRITES = ("create", "update", "patch", "delete", "deletecollection")
GRACE = 6.0  # seconds before a silent node is marked Unknown (upstream's default is 40)
# The pods tolerate an unreachable node for 2 s instead of DefaultTolerationSeconds' 300, so the
# node-silent journey reaches the eviction within a short recording.
FAST_EVICTION = [{"key": f"node.kubernetes.io/{taint}", "operator": "Exists", "effect": "NoExecute",
                  "tolerationSeconds": 2} for taint in ("not-ready", "unreachable")]
SCENARIOS = ("create-deployment", "scale-deployment", "node-silent", "delete-namespace")


class RecorderError(Exception):
    """A scenario that did not reach its end state, or a cluster that would not start."""


# --- normalising a trace -------------------------------------------------------------------------

@dataclass(frozen=True)
class Scope:
    """What a journey is about: objects in `namespace`, and the node `node` when one is named."""
    namespace: str
    node: str | None = None

    def concerns(self, step: dict) -> bool:
        refs = [step.get("object") or {}, *step.get("requests", ())]
        if step["kind"] == "request":
            refs.append(step)
        for ref in refs:
            if ref.get("namespace") == self.namespace:
                return True
            if ref.get("resource", ref.get("kind", "")).lower() in ("namespaces", "namespace") \
                    and ref.get("name") == self.namespace:
                return True
            if self.node and ref.get("name") == self.node and ref.get("namespace") in (None, "", "kube-node-lease"):
                return True
            if self.node and ref.get("node") == self.node:
                return True
        if step["kind"] == "rules":
            return any(name.startswith(f"{self.namespace}/") for name in step["endpoints"])
        return False


def component_of(process: str) -> str:
    """kubelet-2 → kubelet: diagrams draw one lifeline per component, steps name the process."""
    return re.sub(r"-\d+$", "", process)


# The user agents' commands (the upstream binaries the reference components stand in for) by the
# lifeline each is drawn on.
_LIFELINES_OF_AGENTS = {"kube-controller-manager": "controller-manager", "kube-scheduler": "scheduler",
                        "kube-proxy": "proxy", "controller_manager": "controller-manager"}


def _agent(user_agent: str) -> str:
    return _LIFELINES_OF_AGENTS.get(user_agent, user_agent or "unknown")


def _object_of_key(key: str) -> tuple[str, str]:
    """/registry/<resource>/<namespace>/<name> or /registry/<resource>/<name> → (namespace, name)."""
    parts = key.removeprefix("/registry/").split("/")
    return (parts[-2], parts[-1]) if len(parts) >= 3 else ("", parts[-1])


def normalise(lines: list[dict], processes: dict[int, str], scope: Scope) -> list[dict]:
    """Trace lines of every process (any order) → the journey's steps, in time order."""
    steps: list[dict] = []
    open_requests: dict[tuple[int, int], dict | None] = {}  # (pid, thread) → the write being served
    last_watch: dict[tuple, dict] = {}
    last_decision: dict[tuple, str] = {}
    heard: set[str] = set()  # processes a watch event reached since their last rules sync
    scheduled: dict[int, dict] = {}  # pid → the scheduling cycle whose Bind comes next
    for line in sorted(lines, key=lambda l: l["t"]):
        process = processes.get(line["pid"], f"pid {line['pid']}")
        thread = (line["pid"], line.get("thread", 0))
        event, function = line["event"], line["function"]
        if event == "request":
            # Events are the components' commentary, Leases their heartbeat: only a silent node's counts.
            if line["verb"] not in WRITES or line["resource"] == "events" \
                    or line["resource"] == "leases" and not scope.node:
                open_requests[thread] = None
                continue
            step = {"kind": "request", "from": _agent(line.get("agent", "")), "component": "apiserver",
                    "verb": line["verb"], "resource": line["resource"], "subresource": line["subresource"],
                    "namespace": line["namespace"], "name": line["name"], "functions": [function]}
            open_requests[thread] = step
            steps.append(step)
        elif event in ("authenticated", "authorized", "admitted", "validated", "etcd txn"):
            step = open_requests.get(thread)
            if step is None:
                continue
            step["functions"].append(function)
            if event == "authenticated":
                step["user"] = line["user"]
            elif event == "authorized":
                step["authorized"] = line["allowed"]
            elif event == "admitted":
                step["admission"] = line["plugins"]
            elif event == "validated":
                step["validation"] = line["plugins"]
            else:
                step["etcd"] = {"op": line["op"], "key": line["key"]}
                if not step["name"]:  # a create by generateName: etcd's key has the name given
                    step["name"] = _object_of_key(line["key"])[1]
        elif event == "watch event":
            obj = line.get("object") or {}
            if line["type"] == "BOOKMARK" or obj.get("kind") == "Event" \
                    or obj.get("kind") == "Lease" and not scope.node:
                continue
            key = (line["type"], obj.get("kind"), obj.get("namespace"), obj.get("name"))
            step = last_watch.get(key)
            heard.add(process)
            if step is not None and step in steps[-12:] and process not in step["to"]:
                step["to"].append(process)
                continue
            step = {"kind": "watch", "component": "apiserver", "type": line["type"], "object": obj,
                    "to": [process], "functions": [function]}
            last_watch[key] = step
            steps.append(step)
        elif event == "scheduled":
            scheduled[line["pid"]] = line
        elif event == "decision":
            requests = [r for r in line["requests"] if r["verb"] != "RecordEvent"]
            if not requests:
                continue
            step = {"kind": "decision", "component": process, "functions": [function],
                    "object": line.get("object") or {}, "requests": requests}
            cycle = scheduled.pop(line["pid"], None)
            if cycle is not None:  # the filter and score results behind this Bind
                step["functions"].append(cycle["function"])
                step["scheduling"] = {key: cycle[key] for key in ("feasible", "scores", "host")}
            signature = json.dumps([step["object"], requests], sort_keys=True)
            if last_decision.get((line["pid"], function)) == signature:
                continue  # the same verdict on the next pass: the cluster has not caught up yet
            last_decision[(line["pid"], function)] = signature
            steps.append(step)
        elif event == "rules synced":
            # kube-proxy also syncs on a timer: a sync is a step only after a change reached it.
            signature = json.dumps(line["endpoints"], sort_keys=True)
            if process not in heard or last_decision.get((line["pid"], function)) == signature:
                continue
            heard.discard(process)
            last_decision[(line["pid"], function)] = signature
            steps.append({"kind": "rules", "component": process, "functions": [function],
                          "endpoints": line["endpoints"]})
    return [s for s in steps if scope.concerns(s)]


def signature(step: dict) -> tuple:
    """What a step is, without which object or process: used to compare two recordings' shape."""
    if step["kind"] == "request":
        return ("request", step["from"], step["verb"], step["resource"], step["subresource"])
    if step["kind"] == "watch":
        return ("watch", step["type"], step["object"].get("kind", ""))
    return (step["kind"], component_of(step["component"]), step["functions"][0])


# --- running the scenarios -----------------------------------------------------------------------

class Recorder:
    def __init__(self, directory: Path, kubelets: int = 2, replicas: int = 2, timeout: float = 90.0):
        self.directory, self.kubelets, self.replicas, self.timeout = directory, kubelets, replicas, timeout
        self.trace = directory / "trace.jsonl"
        self.kubeconfig = directory / "cluster" / "admin.kubeconfig"
        self.cluster: cluster_mod.Cluster | None = None

    def kubectl(self, *args: str, stdin: str | None = None) -> str:
        done = subprocess.run(["kubectl", "--kubeconfig", str(self.kubeconfig), *args], input=stdin,
                              capture_output=True, text=True, timeout=60)
        if done.returncode != 0:
            raise RecorderError(f"kubectl {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    def get(self, *args: str) -> dict:
        return json.loads(self.kubectl("get", "-o", "json", *args))

    def wait(self, what: str, predicate: Callable[[], object]) -> object:
        deadline = time.monotonic() + self.timeout
        while time.monotonic() < deadline:
            value = predicate()
            if value:
                return value
            time.sleep(0.3)
        raise RecorderError(f"timed out after {self.timeout:.0f} s waiting for {what}")

    def ready_pods(self) -> list[dict]:
        return [p for p in self.get("pods", "-n", NAMESPACE)["items"]
                if not p["metadata"].get("deletionTimestamp")
                and any(c["type"] == "Ready" and c["status"] == "True"
                        for c in p.get("status", {}).get("conditions", []))]

    def endpoints(self) -> int:
        subsets = self.get("endpoints", "-n", NAMESPACE, "web").get("subsets") or []
        return sum(len(s.get("addresses") or []) for s in subsets)

    def node_ready(self, node: str) -> str:
        conditions = self.get("node", node).get("status", {}).get("conditions", [])
        return next((c["status"] for c in conditions if c["type"] == "Ready"), "")

    def settle(self) -> None:
        """Let the periodic loops (kube-proxy's sync, the controllers' passes) see the end state."""
        time.sleep(2.5)

    def start(self) -> None:
        before = os.environ.get(ENV)
        os.environ[ENV] = str(self.trace)  # the component processes inherit it
        try:
            self.cluster = cluster_mod.up(self.directory / "cluster", kubelets=self.kubelets,
                                          node_monitor_grace_period=GRACE)
        finally:
            if before is None:
                del os.environ[ENV]
            else:
                os.environ[ENV] = before
        self.wait("every node Ready", lambda: all(self.node_ready(f"node-{i}") == "True"
                                                  for i in range(1, self.kubelets + 1)))

    def stop(self) -> None:
        if self.cluster is not None:
            for process in self.cluster.processes:  # a stopped kubelet cannot act on SIGTERM
                cluster_mod._signal(process, signal.SIGCONT)
            cluster_mod.down(self.directory / "cluster")
            self.cluster = None

    def manifest(self) -> str:
        container = {"name": "web", "image": "python", "resources": {"requests": {"cpu": "1"}},
                     "command": [sys.executable, "-c", "import time; time.sleep(100000)"]}
        deployment = {
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "namespace": NAMESPACE},
            "spec": {"replicas": self.replicas, "selector": {"matchLabels": {"app": "web"}},
                     "template": {"metadata": {"labels": {"app": "web"}},
                                  "spec": {"containers": [container], "terminationGracePeriodSeconds": 1,
                                           "tolerations": FAST_EVICTION}}}}
        return json.dumps(deployment)

    def scenario(self, name: str) -> Scope:
        """Run one scenario to its end state; return what its journey is about."""
        if name == "create-deployment":
            self.kubectl("create", "namespace", NAMESPACE)
            self.kubectl("-n", NAMESPACE, "create", "service", "clusterip", "web", "--tcp=80:8080")
            self.settle()
            self.mark()
            self.kubectl("apply", "-f", "-", stdin=self.manifest())
            self.wait(f"{self.replicas} ready replicas behind the Service",
                      lambda: len(self.ready_pods()) == self.replicas and self.endpoints() == self.replicas)
        elif name == "scale-deployment":
            self.mark()
            self.kubectl("-n", NAMESPACE, "scale", "deployment/web", f"--replicas={self.replicas + 1}")
            self.wait(f"{self.replicas + 1} ready replicas behind the Service",
                      lambda: len(self.ready_pods()) == self.replicas + 1 and self.endpoints() == self.replicas + 1)
        elif name == "node-silent":
            pods = self.ready_pods()
            node = pods[0]["spec"]["nodeName"]
            kubelet = next(p for p in self.cluster.processes if p.name == f"kubelet-{node.removeprefix('node-')}")
            self.mark()
            cluster_mod._signal(kubelet, signal.SIGSTOP)
            self.wait(f"{node} marked not ready", lambda: self.node_ready(node) not in ("True", ""))
            self.wait("its pods replaced on another node", lambda: sum(
                p["spec"]["nodeName"] != node for p in self.ready_pods()) == len(pods))
            cluster_mod._signal(kubelet, signal.SIGCONT)
            # The kubelet, running again, stops the evicted pod and confirms its deletion.
            self.wait(f"the evicted pods gone from {node}", lambda: not any(
                p["spec"].get("nodeName") == node for p in self.get("pods", "-n", NAMESPACE)["items"]))
            self.settle()
            return Scope(NAMESPACE, node)
        elif name == "delete-namespace":
            self.mark()
            self.kubectl("delete", "namespace", NAMESPACE, "--wait=false")
            self.wait("the namespace gone", lambda: NAMESPACE not in self.kubectl("get", "namespaces", "-o", "name")
                      .split("namespace/"))
        else:
            raise RecorderError(f"unknown scenario {name!r}: choose from {', '.join(SCENARIOS)}")
        self.settle()
        return Scope(NAMESPACE)

    def mark(self) -> None:
        self._offset = self.trace.stat().st_size if self.trace.exists() else 0

    def lines_since_mark(self) -> list[dict]:
        with open(self.trace, "rb") as trace:
            trace.seek(self._offset)
            return [json.loads(line) for line in trace.read().splitlines() if line.strip()]

    def record(self, names: tuple[str, ...] = SCENARIOS) -> dict[str, dict]:
        """Run `names` in order (each leaves the state the next starts from) on a fresh cluster."""
        journeys = {}
        self.start()
        try:
            processes = {p.pid: p.name for p in self.cluster.processes}
            for name in names:
                scope = self.scenario(name)
                steps = normalise(self.lines_since_mark(), processes, scope)
                journeys[name] = {"journey": name, "namespace": scope.namespace,
                                  "kubelets": self.kubelets, "replicas": self.replicas, "steps": steps}
        finally:
            self.stop()
        return journeys


def write(journeys: dict[str, dict], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, journey in journeys.items():
        path = out / f"{name}.json"
        path.write_text(json.dumps(journey, indent=1, sort_keys=True) + "\n")
        paths.append(path)
    return paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--replicas", type=int, default=2)
    parser.add_argument("--kubelets", type=int, default=2)
    parser.add_argument("--only", default=",".join(SCENARIOS),
                        help="scenarios, in order; each starts from the state the one before left")
    args = parser.parse_args(argv)
    names = tuple(n for n in args.only.split(",") if n)
    unknown = [n for n in names if n not in SCENARIOS]
    if unknown:
        parser.error(f"unknown scenario {unknown[0]!r}: choose from {', '.join(SCENARIOS)}")
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="journeys-") as scratch:
        try:
            journeys = Recorder(Path(scratch), args.kubelets, args.replicas).record(names)
        except (RecorderError, cluster_mod.ClusterError) as error:
            print(f"record_journeys: {error}", file=sys.stderr)
            return 1
    print(f"{'journey':<20} {'steps':>5}  requests  watch  decisions")
    for path in write(journeys, args.out):
        steps = journeys[path.stem]["steps"]
        count = {kind: sum(s["kind"] == kind for s in steps) for kind in ("request", "watch", "decision", "rules")}
        print(f"{path.stem:<20} {len(steps):>5}  {count['request']:>8}  {count['watch']:>5}  "
              f"{count['decision'] + count['rules']:>9}   {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    print(f"recorded in {time.monotonic() - started:.0f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
