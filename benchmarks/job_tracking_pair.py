"""The Job controller's tracking with finalizers, the real 1.24 kube-controller-manager and ours,
paired: the sequence of states each leaves its Jobs and their pods in, as a watch sees them.

Each run starts an apiserver (the real kube-apiserver on etcd 3.4, or with --our-apiserver the
reference one) and one controller-manager (the real binary with --controllers=job,garbagecollector,
or reference_impl's in this process), and plays the same scenario with no scheduler or kubelet,
setting pod phases by hand:

  track    2 completions, 2 at a time: one pod Succeeded, one Failed (replaced), the third Succeeded
  doomed   activeDeadlineSeconds 3: its running pod deleted, the Job Failed
  dropped  deleted in the background while its pod runs (the orphan pod loses its finalizer)
  halted   suspended while its pod runs
  indexed  completionMode Indexed, 3 completions, 2 at a time: index 1 Succeeded (index 2 starts),
           index 0 Failed (started again), then both Succeeded
  refused  4 completions, 4 at a time, in the namespace after a ResourceQuota of 0 pods: every
           create refused, so no pod is ever active

Watches of the namespace's Jobs and pods record every state; each object's history (consecutive
repeats collapsed; pod uids in uncountedTerminatedPods and pod names as "<job>-#<n>" in creation
order; timestamps as <t>) is compared between the two runs. Prints the differing objects with
both histories, and the creates each controller-manager had refused for the Job `refused` over
the step (the FailedCreate events' counts: one create per sync, as the slow start stops after its
first batch, where sending every create would make it 4 each), and writes
benchmarks/results/job_tracking_pair.json.

    python benchmarks/job_tracking_pair.py [--bin /work/k8s-bin] [--etcd /usr/bin/etcd] [--our-apiserver]
"""
from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from reference_impl.client.rest import RestClient  # noqa: E402

RESULTS = Path(__file__).parent / "results"
NAMESPACE = "tracking"
SETTLE = 3.0  # seconds a step waits for the controller to act on it


# --- normalising (pure) --------------------------------------------------------------------------

def pod_name(pod: dict, names: dict[str, str]) -> str:
    """"<job>-#<n>", n counting the Job's pods in the order they are first seen."""
    uid = pod["metadata"]["uid"]
    if uid not in names:
        prefix = pod["metadata"].get("generateName") or pod["metadata"]["name"]
        names[uid] = f"{prefix}#{sum(1 for name in names.values() if name.startswith(prefix + '#'))}"
    return names[uid]


def job_state(job: dict, names: dict[str, str]) -> dict:
    status = json.loads(json.dumps(job.get("status") or {}))
    for field in ("startTime", "completionTime"):
        if field in status:
            status[field] = "<t>"
    for condition in status.get("conditions") or []:
        condition["lastProbeTime"] = condition["lastTransitionTime"] = "<t>"
    for outcome, uids in (status.get("uncountedTerminatedPods") or {}).items():
        status["uncountedTerminatedPods"][outcome] = sorted(names.get(uid, "<unknown pod>") for uid in uids)
    return status


INDEX_ANNOTATION = "batch.kubernetes.io/job-completion-index"


def pod_state(pod: dict) -> dict:
    """Finalizers, deletion and phase; for an Indexed Job's pod also its index annotation, its
    hostname and its containers' environment."""
    state = {"finalizers": pod["metadata"].get("finalizers") or [],
             "deleting": bool(pod["metadata"].get("deletionTimestamp")),
             "phase": (pod.get("status") or {}).get("phase")}
    annotations = pod["metadata"].get("annotations") or {}
    if INDEX_ANNOTATION in annotations:
        state.update(index=annotations[INDEX_ANNOTATION], hostname=(pod.get("spec") or {}).get("hostname"),
                     env=[c.get("env") for c in (pod.get("spec") or {}).get("containers") or []])
    return state


def histories(events: list[dict], names: dict[str, str]) -> dict[str, list]:
    """Per object ("job NAME", "pod NAME"), its [event type, state] sequence, repeats collapsed.
    Pods not named yet are named first, in event order, so that a Job's uncounted uids read as
    pod names."""
    for event in events:
        if event["object"].get("kind") == "Pod":
            pod_name(event["object"], names)
    found: dict[str, list] = {}
    for event in events:
        obj = event["object"]
        if obj.get("kind") == "Pod":
            key, state = f"pod {pod_name(obj, names)}", pod_state(obj)
        else:
            key, state = f"job {obj['metadata']['name']}", job_state(obj, names)
        sequence = found.setdefault(key, [])
        if not sequence or sequence[-1] != [event["type"], state]:
            sequence.append([event["type"], state])
    return found


# --- one run -------------------------------------------------------------------------------------

class Watch(threading.Thread):
    def __init__(self, client: RestClient, path: str, kind: str):
        super().__init__(daemon=True)
        self.client, self.path, self.kind = client, path, kind
        self.events: list[dict] = []
        self.stop = threading.Event()
        self.revision = client.request("GET", path)["metadata"]["resourceVersion"]

    def run(self) -> None:
        for event in self.client.watch(self.path, self.revision, self.stop, 600):
            if event.get("type") != "BOOKMARK":
                event["object"].setdefault("kind", self.kind)
                self.events.append(event)


def scenario(rest: RestClient, names: dict[str, str]) -> None:
    """The steps; the pods it acts on are named (in `names`) as it first lists them, so that the
    pod set Succeeded is track-#0 in both runs."""
    ns = f"/api/v1/namespaces/{NAMESPACE}"
    jobs = f"/apis/batch/v1/namespaces/{NAMESPACE}/jobs"

    def pods_of(job: str) -> list[dict]:
        pods = sorted((p for p in rest.request("GET", f"{ns}/pods")["items"]
                       if p["metadata"].get("generateName") == f"{job}-"),
                      key=lambda p: (p["metadata"]["creationTimestamp"], p["metadata"]["name"]))
        return sorted(pods, key=lambda p: int(pod_name(p, names).rsplit("#", 1)[1]))

    def until(probe, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while not probe() and time.monotonic() < deadline:
            time.sleep(0.3)
        time.sleep(SETTLE)

    def set_phase(pod: dict, phase: str) -> None:
        fresh = rest.request("GET", f"{ns}/pods/{pod['metadata']['name']}")
        rest.request("PUT", f"{ns}/pods/{pod['metadata']['name']}/status", dict(fresh, status={"phase": phase}))

    def of_index(job: str, index: int) -> list[dict]:
        """The Indexed Job's pods of `index`, in the order they were named."""
        pods = [p for p in rest.request("GET", f"{ns}/pods")["items"]
                if (p["metadata"].get("annotations") or {}).get(INDEX_ANNOTATION) == str(index)
                and p["metadata"].get("generateName", "").startswith(f"{job}-")]
        return sorted(pods, key=lambda p: int(pod_name(p, names).rsplit("#", 1)[1]))

    def indexed_pods(job: str) -> int:
        return sum(len(of_index(job, index)) for index in range(3))

    def create(name: str, **spec) -> None:
        template = {"spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "busybox"}]}}
        rest.request("POST", jobs, {"metadata": {"name": name}, "spec": {**spec, "template": template}})

    create("track", completions=2, parallelism=2)
    until(lambda: len(pods_of("track")) == 2)
    set_phase(pods_of("track")[0], "Succeeded")
    until(lambda: True)
    set_phase(pods_of("track")[1], "Failed")
    until(lambda: len(pods_of("track")) == 3)
    set_phase(pods_of("track")[2], "Succeeded")
    until(lambda: True)
    create("doomed", completions=1, activeDeadlineSeconds=3)
    until(lambda: pods_of("doomed"))
    until(lambda: not pods_of("doomed"), 15)
    create("dropped", completions=1)
    until(lambda: pods_of("dropped"))
    rest.request("DELETE", f"{jobs}/dropped", {"propagationPolicy": "Background"})
    until(lambda: not pods_of("dropped"), 15)
    create("halted", completions=1)
    until(lambda: pods_of("halted"))
    rest.request_patch(f"{jobs}/halted", {"spec": {"suspend": True}})
    until(lambda: not pods_of("halted"), 15)
    create("indexed", completions=3, parallelism=2, completionMode="Indexed")
    until(lambda: indexed_pods("indexed") == 2)
    set_phase(of_index("indexed", 1)[0], "Succeeded")
    until(lambda: of_index("indexed", 2))
    set_phase(of_index("indexed", 0)[0], "Failed")
    until(lambda: len(of_index("indexed", 0)) == 2)
    set_phase(of_index("indexed", 2)[0], "Succeeded")
    until(lambda: True)
    set_phase(of_index("indexed", 0)[-1], "Succeeded")
    until(lambda: True)
    # Last: a quota refuses every pod create from here on. Admission charges only what the
    # quota's status holds, and the real run has no quota controller to write it: written here,
    # unconditionally (ours may have written the same status first).
    quota = {"metadata": {"name": "none"}, "spec": {"hard": {"pods": "0"}}}
    rest.request("POST", f"{ns}/resourcequotas", quota)
    rest.request("PUT", f"{ns}/resourcequotas/none/status",
                 dict(quota, status={"hard": {"pods": "0"}, "used": {"pods": "0"}}))
    create("refused", completions=4, parallelism=4)
    until(lambda: True)


def refused_creates(rest: RestClient, job: str) -> int:
    """The pod creates refused for `job`, as the counts of its FailedCreate events."""
    events = rest.request("GET", f"/api/v1/namespaces/{NAMESPACE}/events")["items"]
    return sum(e.get("count") or 1 for e in events
               if e["involvedObject"].get("kind") == "Job" and e["involvedObject"].get("name") == job
               and e.get("reason") == "FailedCreate")


def admin_kubeconfig(work: Path, port: int, pki: Path) -> Path:
    path = work / "admin.kubeconfig"
    path.write_text(json.dumps({
        "apiVersion": "v1", "kind": "Config", "current-context": "admin",
        "clusters": [{"name": "plane", "cluster": {"server": f"https://127.0.0.1:{port}",
                                                   "certificate-authority": str(pki / "ca.crt")}}],
        "users": [{"name": "admin", "user": {"client-certificate": str(pki / "admin.crt"),
                                             "client-key": str(pki / "admin.key")}}],
        "contexts": [{"name": "admin", "context": {"cluster": "plane", "user": "admin"}}]}))
    return path


def one_run(args: argparse.Namespace, ours: bool) -> tuple[dict[str, list], int]:
    """The run's histories, and the creates refused for the Job `refused`."""
    # Imported here: the normalising above is imported by the tests, without the processes' weight.
    import apiserver_differential
    from reference_impl import cluster as local_cluster
    work = Path(tempfile.mkdtemp(prefix="job-tracking-pair-"))
    if args.our_apiserver:
        processes, _server = apiserver_differential.start_ours(work / "plane")
        kubeconfig = next((work / "plane").glob("*.kubeconfig"))
    else:
        processes, server, _ = apiserver_differential.start_real(args.bin / "kube-apiserver", args.etcd, work / "plane")
        kubeconfig = admin_kubeconfig(work, server.port, work / "plane" / "pki")
    stack = ExitStack()
    try:
        rest = RestClient(str(kubeconfig))
        rest.request("POST", "/api/v1/namespaces", {"metadata": {"name": NAMESPACE}})
        # The real apiserver's ServiceAccount admission wants the default account; no
        # serviceaccount controller runs here (the reference apiserver has made it already: 409).
        try:
            rest.request("POST", f"/api/v1/namespaces/{NAMESPACE}/serviceaccounts", {"metadata": {"name": "default"}})
        except Exception:  # noqa: BLE001
            pass
        stack.enter_context(controller_manager(ours, args.bin, kubeconfig, work, "job,garbagecollector"))
        watches = [Watch(rest, f"/apis/batch/v1/namespaces/{NAMESPACE}/jobs", "Job"),
                   Watch(rest, f"/api/v1/namespaces/{NAMESPACE}/pods", "Pod")]
        for watch in watches:
            watch.start()
        time.sleep(SETTLE)  # the controller-manager's caches synced
        names: dict[str, str] = {}
        scenario(rest, names)
        for watch in watches:
            watch.stop.set()
        events = sorted((e for w in watches for e in w.events),
                        key=lambda e: int(e["object"]["metadata"]["resourceVersion"]))
        return histories(events, names), refused_creates(rest, "refused")
    finally:
        stack.close()
        local_cluster.stop(processes)



@contextmanager
def controller_manager(ours: bool, bin_dir: Path, kubeconfig: Path, work: Path, controllers: str):
    """Our controller-manager (all its controllers) in a thread, or the real one from `bin_dir`
    running `controllers`, against the apiserver of `kubeconfig`; stopped on leaving."""
    from reference_impl import cluster as local_cluster
    from reference_impl.controller_manager.run import ControllerManager
    if ours:
        manager = ControllerManager(RestClient(str(kubeconfig)))
        threading.Thread(target=manager.run, args=(False, io.StringIO()), daemon=True).start()
        try:
            yield
        finally:
            manager.stop.set()
        return
    with open(work / "kube-controller-manager.log", "w") as log:
        real = subprocess.Popen([str(bin_dir / "kube-controller-manager"), f"--kubeconfig={kubeconfig}",
                                 "--leader-elect=false", f"--controllers={controllers}",
                                 "--bind-address=127.0.0.1", f"--secure-port={local_cluster.free_port()}",
                                 f"--cert-dir={work}"], stdout=log, stderr=subprocess.STDOUT)
    try:
        yield
    finally:
        real.terminate()
        real.wait()

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", type=Path, default=Path("/work/k8s-bin"),
                        help="a directory with kube-apiserver and kube-controller-manager")
    parser.add_argument("--etcd", type=Path, default=Path("/usr/bin/etcd"))
    parser.add_argument("--our-apiserver", action="store_true", help="the reference apiserver in both runs")
    args = parser.parse_args(argv)
    runs, refused = {}, {}
    for label, ours in (("real", False), ("ours", True)):
        runs[label], refused[label] = one_run(args, ours)
    differing = sorted(key for key in set(runs["real"]) | set(runs["ours"])
                       if runs["real"].get(key) != runs["ours"].get(key))
    for key in differing:
        print(f"{key}\n  real: {json.dumps(runs['real'].get(key))}\n  ours: {json.dumps(runs['ours'].get(key))}")
    states = sum(len(sequence) for sequence in runs["real"].values())
    print(f"{len(runs['real'])} objects, {states} states in the real run; {len(differing)} objects differ")
    print(f"creates refused for job refused: real {refused['real']}, ours {refused['ours']}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "job_tracking_pair.json").write_text(json.dumps(
        {"apiserver": "reference" if args.our_apiserver else "real", "differing": differing, "runs": runs,
         "refused_creates": refused},
        indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
