"""The real 1.24 kube-controller-manager and ours, paired on the same scenario: what each leaves
in the objects it manages, field by field.

Two runs, each on a fresh reference control plane (etcd and apiserver) with the real kube-scheduler
and 3 kubemark nodes (the real kubelet on a fake runtime): the first with the real
kube-controller-manager, the second with reference_impl's. The scenario, driven with kubectl:
a Deployment of 3 rolled out, then scaled to 1; a DaemonSet on the 3 nodes; a StatefulSet scaled
0 → 3 → 1; a Job of 2 completions (its pods never finish: kubemark's containers never exit, so
that step fails in both runs by design); a CronJob `*/1 * * * *` firing once; one
kubemark kubelet stopped, its Node going unready and its pods (tolerating that for 5 s) evicted
and replaced.

After each step the objects it concerns are snapshotted and normalised (generated name suffixes,
hashes, UIDs, resourceVersions, timestamps, IPs, node names a scheduler picked), and the two runs'
snapshots are compared. Prints every difference as (step, kind, field, real, ours), the steps
each run completed, and writes benchmarks/results/upstream_behaviour.json. A step that does not
happen in time is reported with what was seen; the scenario goes on to the next one.

With --corpus DIR, the real run's components reach the apiserver through upstream_compat's
recording proxy, and the request shapes DIR/requests.jsonl lacks (the workload kinds: DaemonSets,
StatefulSets, ControllerRevisions, Jobs, CronJobs) are added to it.

With --real-from FILE the real run is taken from an earlier results JSON (the real
controller-manager's side does not change while ours is being worked on).

    python benchmarks/upstream_behaviour.py --bin /work/k8s-bin [--step-timeout 60] [--corpus DIR]
                                            [--real-from benchmarks/results/upstream_behaviour.json]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import yaml  # noqa: E402

from reference_impl import cluster as local_cluster  # noqa: E402
from upstream_compat import (Recorder, Scenario, admin_tls, proxied_kubeconfig,  # noqa: E402
                             recording_proxy, write_corpus)

RESULTS = Path(__file__).parent / "results"
NAMESPACE = "behaviour"
IMAGE = "registry.k8s.io/pause:3.7"

# --- normalising and diffing (pure) --------------------------------------------------------------

DROPPED_METADATA = ("uid", "resourceVersion", "creationTimestamp", "managedFields", "selfLink",
                    "deletionTimestamp")
HASH_LABELS = ("pod-template-hash", "controller-revision-hash", "controller.kubernetes.io/hash")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$")
IPV4 = re.compile(r"^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$")
LONG_HEX = re.compile(r"[0-9a-f]{12,}")
SCHEDULED_SUFFIX = re.compile(r"-\d{8,}$")  # a CronJob's Job: name-<minutes since the epoch>
NODE_NAME = re.compile(r"^node-\d+$")
UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
CONTAINER_ID = re.compile(r"^[A-Za-z]+://")  # fakeRuntime://<pod>_<namespace>_<uid>…
RANDOM_SUFFIX = re.compile(r"^[bcdfghjklmnpqrstvwxz2456789]{5}$")  # utilrand.String's alphabet
# The projected token volume the ServiceAccount admission plugin adds: "kube-api-access-" and a
# random suffix (the same apiserver in both runs draws it, so it is no controller's doing).
API_ACCESS_VOLUME = re.compile(r"^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$")
PORT_KEYS = ("kubeletEndpoint",)  # a free port each run


def hashes(objects: list[dict]) -> set[str]:
    """Every pod-template-hash and controller-revision-hash value the objects carry, anywhere a
    label or selector holds one (the hash part only, as it appears in generated names)."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, dict):
            for key, item in value.items():
                if key in HASH_LABELS and isinstance(item, str) and item:
                    found.add(item.rsplit("-", 1)[-1])
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)
    walk(objects)
    return found


def normalise_name(name: str, generate_name: str = "", hash_values: frozenset[str] = frozenset()) -> str:
    """`web-5d8f7c9b4-x2k9p` → `web-<hash>-<suffix>`: a generateName's random tail becomes
    `<suffix>`, a known hash `<hash>`, a CronJob's scheduled time `<time>`."""
    if generate_name and name.startswith(generate_name) and RANDOM_SUFFIX.match(name[len(generate_name):]):
        name = generate_name + "<suffix>"
    for value in hash_values:
        name = name.replace(value, "<hash>")
    return SCHEDULED_SUFFIX.sub("-<time>", name)


def normalise(obj: object, hash_values: frozenset[str] = frozenset(), keep_nodes: bool = False) -> object:
    """One object with what differs between any two runs made uniform: dropped metadata fields,
    timestamps, IPs, long hex strings (container IDs), hashes, generated names and, unless
    `keep_nodes`, node names (the scheduler picks them, not the controller-manager)."""
    def value(item: object, key: str = "") -> object:
        if isinstance(item, dict):
            generate = item.get("generateName", "") if isinstance(item.get("generateName"), str) else ""
            out = {}
            for k, v in item.items():
                if k in DROPPED_METADATA:
                    continue
                if k in PORT_KEYS:
                    out[k] = "<port>"
                    continue
                if k in HASH_LABELS and isinstance(v, str):
                    out[k] = "<hash>"
                elif k == "name" and isinstance(v, str) and generate:
                    out[k] = normalise_name(v, generate, hash_values)
                else:
                    out[k] = value(v, k)
            return out
        if isinstance(item, list):
            return sorted((value(v, key) for v in item), key=lambda v: json.dumps(v, sort_keys=True))
        if isinstance(item, str):
            if CONTAINER_ID.match(item):
                return "<container-id>"
            if TIMESTAMP.match(item):
                return "<time>"
            if IPV4.match(item):
                return "<ip>"
            if not keep_nodes and NODE_NAME.match(item):
                return "<node>"
            if API_ACCESS_VOLUME.match(item):
                return "kube-api-access-<suffix>"
            item = LONG_HEX.sub("<hex>", UUID.sub("<uid>", item))
            return normalise_name(item, "", hash_values)
        return item
    return value(obj)


def flatten(obj: object, prefix: str = "") -> dict[str, object]:
    """`{"a": {"b": [1]}}` → `{"a.b[0]": 1}`; an empty dict or list is kept as a leaf."""
    if isinstance(obj, dict) and obj:
        out: dict[str, object] = {}
        for key, item in obj.items():
            out.update(flatten(item, f"{prefix}.{key}" if prefix else key))
        return out
    if isinstance(obj, list) and obj:
        out = {}
        for index, item in enumerate(obj):
            out.update(flatten(item, f"{prefix}[{index}]"))
        return out
    return {prefix: obj}


def diff_snapshots(real: dict[str, list], ours: dict[str, list]) -> list[tuple[str, str, object, object]]:
    """(kind, field, real, ours) for each field that differs between two snapshots of normalised
    objects by kind; objects are paired in their sorted order, `count` rows say how many there
    were, and a field one side lacks shows as None. A field that differs the same way in several
    objects of a kind is one row (the index is dropped from the field)."""
    rows: list[tuple[str, str, object, object]] = []
    for kind in sorted(set(real) | set(ours)):
        mine, theirs = real.get(kind, []), ours.get(kind, [])
        if len(mine) != len(theirs):
            rows.append((kind, "count", len(mine), len(theirs)))
        for left, right in zip(sorted(mine, key=_key), sorted(theirs, key=_key)):
            a, b = flatten(left), flatten(right)
            for field in sorted(set(a) | set(b)):
                if a.get(field) != b.get(field):
                    row = (kind, field, a.get(field), b.get(field))
                    if row not in rows:
                        rows.append(row)
    return rows


def _key(obj: object) -> str:
    return json.dumps(obj, sort_keys=True)


def snapshot(objects: dict[str, list[dict]], keep_nodes: bool = False) -> dict[str, list]:
    """Objects by kind, normalised with the hashes all of them carry."""
    found = frozenset(hashes([o for items in objects.values() for o in items]))
    return {kind: sorted((normalise(o, found, keep_nodes) for o in items), key=_key)
            for kind, items in objects.items()}


# --- the scenario ---------------------------------------------------------------------------------

def manifest(kind: str, name: str, spec: dict, api: str = "apps/v1") -> str:
    return json.dumps({"apiVersion": api, "kind": kind, "metadata": {"name": name, "namespace": NAMESPACE},
                       "spec": spec})


def pod_template(app: str, restart: str = "Always", tolerate: int | None = None) -> dict:
    spec: dict = {"containers": [{"name": "c", "image": IMAGE}], "restartPolicy": restart,
                  "terminationGracePeriodSeconds": 0}
    if tolerate is not None:
        spec["tolerations"] = [{"key": f"node.kubernetes.io/{t}", "operator": "Exists", "effect": "NoExecute",
                                "tolerationSeconds": tolerate} for t in ("not-ready", "unreachable")]
    return {"metadata": {"labels": {"app": app}}, "spec": spec}


class Run:
    """One run of the scenario: its steps, each with a note and a snapshot."""

    def __init__(self, scenario: Scenario, kubelets: list[local_cluster.Process], timeout: float) -> None:
        self.s, self.kubelets, self.timeout = scenario, kubelets, timeout
        self.steps: list[dict] = []

    def get(self, *kinds: str, selector: str = "") -> dict[str, list[dict]]:
        extra = ("-l", selector) if selector else ()
        return {kind: self.s.items("-n", NAMESPACE, kind, *extra) for kind in kinds}

    def step(self, name: str, check, objects, timeout: float | None = None, keep_nodes: bool = False,
             known_limit: str | None = None) -> bool:
        """Wait for `check()` to return a note; snapshot `objects()` either way. `known_limit`
        says why the step cannot happen on this cluster, whichever controller-manager runs."""
        started, note, limit = time.monotonic(), None, timeout or self.timeout
        while time.monotonic() - started < limit:
            try:
                note = check()
            except (OSError, ValueError, KeyError, subprocess.SubprocessError):
                note = None
            if note:
                break
            time.sleep(1)
        seen = objects()
        self.steps.append({"step": name, "ok": bool(note), "seconds": round(time.monotonic() - started, 1),
                           "note": note or f"not within {limit:.0f} s; seen: {summary(seen)}",
                           "snapshot": snapshot(seen, keep_nodes), "known_limit": known_limit})
        return bool(note)

    def apply(self, text: str) -> None:
        done = self.s.kubectl("apply", "-f", "-", stdin=text)
        if done.returncode != 0:
            print(f"  kubectl apply: {done.stderr.strip()}", file=sys.stderr)

    def pods(self, app: str, count: int, phase: str = "Running"):
        def check():
            live = self.s.items("-n", NAMESPACE, "pods", "-l", f"app={app}")
            good = [p for p in live if p.get("status", {}).get("phase") == phase]
            if len(live) == count and len(good) == count:
                return f"{count} pods {phase}"
            return None
        return check


def summary(objects: dict[str, list[dict]]) -> str:
    """`pods: 2 (Running 1, Pending 1); jobs: 1`."""
    parts = []
    for kind, items in objects.items():
        phases: dict[str, int] = {}
        for item in items:
            phase = item.get("status", {}).get("phase")
            if phase:
                phases[phase] = phases.get(phase, 0) + 1
        detail = " (" + ", ".join(f"{p} {n}" for p, n in sorted(phases.items())) + ")" if phases else ""
        parts.append(f"{kind}: {len(items)}{detail}")
    return "; ".join(parts)


NODE_HEALTH_TAINTS = ("node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable")


def nodes_ready(nodes: list[dict], count: int) -> str | None:
    """Whether `count` nodes are Ready and none still carries the node lifecycle controller's
    NoExecute health taint. A kubemark kubelet's first status says Ready=False for up to its 10 s
    status period; a monitor pass that sees it then (while another node is Ready, so the zone is
    not fully disrupted) taints it not-ready, and the pass after it turns Ready takes the taint
    off. Whether a pass falls in that window is timing, in either controller-manager; the
    snapshot is of the nodes once settled. A taint never taken off still shows: the step fails."""
    ready = [n for n in nodes if any(c.get("type") == "Ready" and c.get("status") == "True"
                                     for c in n.get("status", {}).get("conditions", []))]
    tainted = [n for n in nodes if any(t.get("key") in NODE_HEALTH_TAINTS and t.get("effect") == "NoExecute"
                                       for t in n.get("spec", {}).get("taints") or [])]
    return f"{len(ready)} Ready, none tainted NoExecute" if len(ready) >= count and not tainted else None


def evicted_and_replaced(pods: list[dict], before: set[str], count: int) -> str | None:
    """Whether the pods that ran on the silent node are deleted (or being deleted) and their
    Deployment has `count` pods Running again elsewhere. Snapshotting as soon as the eviction is
    seen caught the replacement pod Pending in some runs and Running in others, in either
    controller-manager: its kubelet's timing, not the controllers'."""
    by_name = {p["metadata"]["name"]: p for p in pods}
    gone = [n for n in before if n not in by_name or by_name[n]["metadata"].get("deletionTimestamp")]
    running = [p for p in pods if not p["metadata"].get("deletionTimestamp")
               and p.get("status", {}).get("phase") == "Running"]
    if not gone or len(running) != count:
        return None
    return f"{len(gone)} of {len(before)} pod(s) deleted or being deleted, {count} Running"


def run_scenario(run: Run) -> None:
    s, r = run.s, run
    r.step("3 nodes Ready", lambda: nodes_ready(s.items("nodes"), 3), lambda: {"nodes": s.items("nodes")},
           keep_nodes=True)
    s.kubectl("create", "namespace", NAMESPACE)

    selector = {"matchLabels": {"app": "web"}}
    r.apply(manifest("Deployment", "web", {"replicas": 3, "selector": selector, "template": pod_template("web")}))
    web = lambda: r.get("deployments", "replicasets", "pods", selector="app=web")  # noqa: E731
    r.step("Deployment rolled out (3)", r.pods("web", 3), web)
    s.kubectl("-n", NAMESPACE, "scale", "deployment", "web", "--replicas=1")
    r.step("Deployment scaled to 1", r.pods("web", 1), web)

    r.apply(manifest("DaemonSet", "agent", {"selector": {"matchLabels": {"app": "agent"}},
                                            "template": pod_template("agent")}))
    r.step("DaemonSet on 3 nodes", r.pods("agent", 3),
           lambda: r.get("daemonsets", "controllerrevisions", "pods", selector="app=agent"), keep_nodes=True)

    r.apply(manifest("StatefulSet", "db", {"replicas": 0, "serviceName": "db",
                                           "selector": {"matchLabels": {"app": "db"}}, "template": pod_template("db")}))
    db = lambda: r.get("statefulsets", "controllerrevisions", "pods", selector="app=db")  # noqa: E731

    def observed():
        sets = s.items("-n", NAMESPACE, "statefulsets")
        return "observed" if sets and sets[0].get("status", {}).get("observedGeneration") else None
    r.step("StatefulSet at 0", observed, db)
    s.kubectl("-n", NAMESPACE, "scale", "statefulset", "db", "--replicas=3")
    r.step("StatefulSet scaled to 3", r.pods("db", 3), db)
    s.kubectl("-n", NAMESPACE, "scale", "statefulset", "db", "--replicas=1")
    r.step("StatefulSet scaled to 1", r.pods("db", 1), db)

    r.apply(manifest("Job", "batch", {"completions": 2, "parallelism": 2,
                                      "template": pod_template("batch", restart="Never")}, api="batch/v1"))

    def complete():
        jobs = s.items("-n", NAMESPACE, "jobs", "-l", "app=batch")
        conditions = [c for j in jobs for c in j.get("status", {}).get("conditions") or []]
        done = [c["type"] for c in conditions if c.get("status") == "True"]
        return f"Job {', '.join(done)}" if done else None
    r.step("Job of 2 completions done", complete, lambda: r.get("jobs", "pods", selector="app=batch"),
           timeout=20, known_limit="kubemark's fake runtime never lets a container exit, so no pod "
                                   "succeeds and no Job can complete in either run; the snapshot "
                                   "compares the Job and its pods while they run")
    s.kubectl("-n", NAMESPACE, "delete", "job", "batch", "--wait=false")

    r.apply(manifest("CronJob", "tick", {"schedule": "*/1 * * * *", "concurrencyPolicy": "Forbid",
                                         "jobTemplate": {"spec": {"template": pod_template("tick", restart="Never")}}},
                     api="batch/v1"))

    def fired():
        jobs = [j for j in s.items("-n", NAMESPACE, "jobs")
                if any(o.get("kind") == "CronJob" for o in j["metadata"].get("ownerReferences", []))]
        return f"Job {jobs[0]['metadata']['name']}" if jobs else None

    def tick():
        seen = r.get("cronjobs", "jobs")
        seen["jobs"] = [j for j in seen["jobs"] if j["metadata"].get("name", "").startswith("tick-")]
        return seen
    r.step("CronJob fired once", fired, tick, timeout=75)
    s.kubectl("-n", NAMESPACE, "delete", "cronjob", "tick", "--wait=false")

    r.apply(manifest("Deployment", "tolerant", {"replicas": 3, "selector": {"matchLabels": {"app": "tolerant"}},
                                                "template": pod_template("tolerant", tolerate=5)}))
    r.step("tolerant Deployment (3) Running", r.pods("tolerant", 3),
           lambda: r.get("deployments", "pods", selector="app=tolerant"))
    on_node = {p["spec"].get("nodeName") for p in s.items("-n", NAMESPACE, "pods", "-l", "app=tolerant")}
    victim = next((k for k in run.kubelets if k.name.replace("kubelet-", "node-") in on_node), run.kubelets[-1])
    node = victim.name.replace("kubelet-", "node-")
    before = {p["metadata"]["name"] for p in s.items("-n", NAMESPACE, "pods", "-l", "app=tolerant")
              if p["spec"].get("nodeName") == node}
    local_cluster.stop([victim])

    def marked(objects: dict[str, list[dict]]) -> dict[str, list[dict]]:
        """The stopped node is `silent` in both runs, whichever node it was."""
        for item in (o for items in objects.values() for o in items):
            if item["metadata"].get("name") == node:
                item["metadata"]["name"] = "silent"
            if item.get("spec", {}).get("nodeName") == node:
                item["spec"]["nodeName"] = "silent"
        return objects

    def unready():
        got = json.loads(s.kubectl("get", "node", node, "-o", "json").stdout)
        ready = [c for c in got.get("status", {}).get("conditions", []) if c.get("type") == "Ready"]
        return f"{node} Ready={ready[0]['status']}" if ready and ready[0].get("status") != "True" else None
    silent = lambda: marked({"nodes": [n for n in s.items("nodes") if n["metadata"]["name"] == node]})  # noqa: E731
    r.step("silent node NotReady/Unknown", unready, silent, timeout=90)

    # terminationGracePeriodSeconds 0: an evicted pod may go at once rather than be Terminating.
    evicted = lambda: evicted_and_replaced(s.items("-n", NAMESPACE, "pods", "-l", "app=tolerant"), before, 3)  # noqa: E731
    r.step("pods on the silent node evicted, replaced", evicted,
           lambda: marked({"pods": s.items("-n", NAMESPACE, "pods", "-l", "app=tolerant")}), timeout=90)


def one_run(bin_dir: Path, ours: bool, timeout: float, recorder: Recorder | None = None) -> tuple[list[dict], str]:
    """The scenario on a fresh control plane; the steps and the work directory. With a recorder,
    the components' requests pass through a recording proxy (the scenario's kubectl does not)."""
    work = Path(tempfile.mkdtemp(prefix="upstream-behaviour-"))
    directory = work / "cluster"
    plane = local_cluster.up(directory, kubelets=0, only=("etcd", "apiserver"))
    components: list[local_cluster.Process] = []
    proxy = None
    try:
        kubeconfig = Path(plane.kubeconfig)
        if recorder is not None:
            client_tls, ca = admin_tls(kubeconfig)
            upstream = yaml.safe_load(kubeconfig.read_text())["clusters"][0]["cluster"]["server"]
            proxy = recording_proxy(upstream, ca, client_tls, recorder, work)
            kubeconfig = proxied_kubeconfig(kubeconfig, proxy.server_address[1], directory / "proxied.kubeconfig")
        binaries = {"scheduler": bin_dir / "kube-scheduler", "kubelet": bin_dir / "kubemark"}
        if not ours:
            binaries["controller-manager"] = bin_dir / "kube-controller-manager"
        components = local_cluster.start_nodes_and_controllers(
            directory, kubeconfig, 3, only=("controller-manager", "scheduler", "kubelet"),
            upstream={k: v.resolve() for k, v in binaries.items()})
        run = Run(Scenario(Path(plane.kubeconfig), work, timeout),
                  [p for p in components if p.name.startswith("kubelet-")], timeout)
        run_scenario(run)
    finally:
        local_cluster.stop(components)
        if proxy is not None:
            proxy.shutdown()
        local_cluster.stop(list(plane.processes))
    return run.steps, str(work)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", type=Path, required=True,
                        help="a directory with kube-scheduler, kube-controller-manager and kubemark")
    parser.add_argument("--step-timeout", type=float, default=60.0, help="seconds most steps may take")
    parser.add_argument("--corpus", type=Path, default=None,
                        help="add the real run's request shapes that DIR/requests.jsonl lacks")
    parser.add_argument("--real-from", type=Path, default=None,
                        help="take the real run from an earlier results JSON instead of running it again")
    args = parser.parse_args(argv)
    runs = {}
    recorder = None
    if args.corpus:
        recorder = Recorder(Path(tempfile.mkdtemp(prefix="upstream-behaviour-requests-")) / "requests.jsonl")
    if args.real_from:
        earlier = json.loads(args.real_from.read_text())["runs"]["real"]
        runs["real"] = earlier["steps"], earlier["work"]
    for label, ours in (("real", False), ("ours", True)):
        if label in runs:
            continue
        print(f"run: {label} kube-controller-manager", file=sys.stderr)
        runs[label] = one_run(args.bin, ours, args.step_timeout, recorder if not ours else None)
    (real, real_work), (mine, our_work) = runs["real"], runs["ours"]
    rows = []
    for left, right in zip(real, mine):
        for kind, field, a, b in diff_snapshots(left["snapshot"], right["snapshot"]):
            rows.append({"step": left["step"], "kind": kind, "field": field, "real": a, "ours": b})
    print(f"{'step':<32} {'kind':<20} {'field':<56} {'real':<24} ours")
    for row in rows:
        print(f"{row['step'][:32]:<32} {row['kind'][:20]:<20} {row['field'][:56]:<56} "
              f"{json.dumps(row['real'])[:24]:<24} {json.dumps(row['ours'])[:40]}")
    print(f"\n{len(rows)} differences\n\nsteps       real                 ours")
    for left, right in zip(real, mine):
        print(f"  {left['step']:<34} {'ok' if left['ok'] else 'NO':<3} {left['seconds']:>5} s   "
              f"{'ok' if right['ok'] else 'NO':<3} {right['seconds']:>5} s")
        for label, step in (("real", left), ("ours", right)):
            if not step["ok"]:
                print(f"      {label}: {step['note']}")
        if not (left["ok"] or right["ok"]) and left.get("known_limit"):
            print(f"      not a difference: {left['known_limit']}")
    RESULTS.mkdir(exist_ok=True)
    result = {"differences": rows, "runs": {"real": {"work": real_work, "steps": real},
                                            "ours": {"work": our_work, "steps": mine}}}
    (RESULTS / "upstream_behaviour.json").write_text(json.dumps(result, indent=2) + "\n")
    if recorder is not None:
        count = write_corpus(args.corpus / "requests.jsonl", list(recorder.records))
        print(f"\ncorpus: {count} requests in {args.corpus / 'requests.jsonl'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
