"""The garbage collector on kinds beyond the workloads, the real 1.24 kube-controller-manager and
ours, paired against the real kube-apiserver on etcd 3.4: how long each step takes to complete
and the state it ends in.

  secret-orphan   a Secret owning a ConfigMap deleted with propagationPolicy Orphan
  secret-owned    the ConfigMap owning a Secret deleted in the background: the Secret is collected
  cr-orphan       a custom object (of a CRD made after the controller-manager started) owning a
                  ConfigMap, deleted with Orphan
  cr-foreground   the same, deleted in the foreground, the ConfigMap blocking its owner

Each step's time runs from the DELETE to the object's 404; the end state is whether the ConfigMap
(or Secret) is there and with which owner references. The CRD is created once the controller-manager
has started, so the custom-object steps include waiting for its discovery period (30 s in both).
Prints a table and writes benchmarks/results/gc_pair.json.

    python benchmarks/gc_pair.py [--bin /work/k8s-bin] [--etcd /usr/bin/etcd]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from reference_impl.client import APIStatusError  # noqa: E402
from reference_impl.client.rest import RestClient  # noqa: E402

RESULTS = Path(__file__).parent / "results"
NAMESPACE = "gcpair"
CORE = f"/api/v1/namespaces/{NAMESPACE}"
WIDGETS = f"/apis/example.com/v1/namespaces/{NAMESPACE}/widgets"
TIMEOUT = 90.0


def _status(rest: RestClient, path: str) -> dict | None:
    try:
        return rest.request("GET", path)
    except APIStatusError as error:
        if error.code == 404:
            return None
        raise


def _until_gone(rest: RestClient, path: str) -> float | None:
    """Seconds until `path` answers 404, None if it still exists after TIMEOUT."""
    start = time.monotonic()
    while time.monotonic() - start < TIMEOUT:
        if _status(rest, path) is None:
            return round(time.monotonic() - start, 1)
        time.sleep(0.1)
    return None


def _ref(owner: dict, block: bool = False) -> dict:
    return {"apiVersion": owner["apiVersion"], "kind": owner["kind"], "name": owner["metadata"]["name"],
            "uid": owner["metadata"]["uid"], "blockOwnerDeletion": block}


def _end_state(rest: RestClient, path: str) -> str:
    obj = _status(rest, path)
    if obj is None:
        return "gone"
    return "kept, owners " + json.dumps([r["kind"] for r in obj["metadata"].get("ownerReferences") or []])


def _step(rest: RestClient, owner_path: str, policy: str, dependent_path: str) -> dict:
    rest.request("DELETE", owner_path, {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": policy})
    seconds = _until_gone(rest, owner_path)
    time.sleep(1.0)  # a dependent collected after its owner went
    return {"seconds": seconds, "dependent": _end_state(rest, dependent_path)}


def scenario(rest: RestClient) -> dict[str, dict]:
    steps = {}
    secret = rest.request("POST", f"{CORE}/secrets", {"metadata": {"name": "held"}})
    secret.update(apiVersion="v1", kind="Secret")
    rest.request("POST", f"{CORE}/configmaps", {"metadata": {"name": "of-held", "ownerReferences": [_ref(secret)]}})
    steps["secret-orphan"] = _step(rest, f"{CORE}/secrets/held", "Orphan", f"{CORE}/configmaps/of-held")

    keeper = rest.request("POST", f"{CORE}/configmaps", {"metadata": {"name": "keeper"}})
    keeper.update(apiVersion="v1", kind="ConfigMap")
    rest.request("POST", f"{CORE}/secrets", {"metadata": {"name": "kept", "ownerReferences": [_ref(keeper)]}})
    rest.request("DELETE", f"{CORE}/configmaps/keeper")
    steps["secret-owned"] = {"seconds": _until_gone(rest, f"{CORE}/secrets/kept"),
                             "dependent": _end_state(rest, f"{CORE}/secrets/kept")}

    rest.request("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", {
        "metadata": {"name": "widgets.example.com"},
        "spec": {"group": "example.com", "scope": "Namespaced",
                 "names": {"plural": "widgets", "singular": "widget", "kind": "Widget"},
                 "versions": [{"name": "v1", "served": True, "storage": True, "schema": {"openAPIV3Schema": {
                     "type": "object", "x-kubernetes-preserve-unknown-fields": True}}}]}})
    for name, policy, block in (("orphaning", "Orphan", False), ("leading", "Foreground", True)):
        while True:
            try:
                widget = rest.request("POST", WIDGETS, {"apiVersion": "example.com/v1", "kind": "Widget",
                                                        "metadata": {"name": name}})
                break
            except APIStatusError:
                time.sleep(0.2)  # the CRD not yet established
        rest.request("POST", f"{CORE}/configmaps",
                     {"metadata": {"name": f"of-{name}", "ownerReferences": [_ref(widget, block)]}})
        steps[f"cr-{policy.lower()}"] = _step(rest, f"{WIDGETS}/{name}", policy, f"{CORE}/configmaps/of-{name}")
    return steps


def one_run(args: argparse.Namespace, ours: bool) -> dict[str, dict]:
    import apiserver_differential
    from job_tracking_pair import admin_kubeconfig, controller_manager
    from reference_impl import cluster as local_cluster
    work = Path(tempfile.mkdtemp(prefix="gc-pair-"))
    processes, server, _ = apiserver_differential.start_real(args.bin / "kube-apiserver", args.etcd, work / "plane")
    kubeconfig = admin_kubeconfig(work, server.port, work / "plane" / "pki")
    try:
        rest = RestClient(str(kubeconfig))
        rest.request("POST", "/api/v1/namespaces", {"metadata": {"name": NAMESPACE}})
        with controller_manager(ours, args.bin, kubeconfig, work, "garbagecollector"):
            time.sleep(3.0)  # the controller-manager's caches synced
            return scenario(rest)
    finally:
        local_cluster.stop(processes)

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", type=Path, default=Path("/work/k8s-bin"),
                        help="a directory with kube-apiserver and kube-controller-manager")
    parser.add_argument("--etcd", type=Path, default=Path("/usr/bin/etcd"))
    args = parser.parse_args(argv)
    runs = {"real": one_run(args, ours=False), "ours": one_run(args, ours=True)}
    print(f"{'step':<15} {'real s':>7} {'ours s':>7}  end state (real | ours)")
    for step in runs["real"]:
        real, ours = runs["real"][step], runs["ours"][step]
        print(f"{step:<15} {real['seconds']!s:>7} {ours['seconds']!s:>7}  {real['dependent']} | {ours['dependent']}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "gc_pair.json").write_text(json.dumps(runs, indent=1) + "\n")
    return 0 if all(runs["real"][s]["dependent"] == runs["ours"][s]["dependent"] for s in runs["real"]) else 1


if __name__ == "__main__":
    sys.exit(main())
