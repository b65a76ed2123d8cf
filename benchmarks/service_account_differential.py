"""Who makes a namespace's `default` ServiceAccount and `kube-root-ca.crt` ConfigMap, and what a
client sees when it creates a pod right after its namespace: the real 1.24 kube-apiserver beside
ours with no controller-manager at all, then our apiserver with the real kube-controller-manager
beside ours. Each run creates namespaces and, at once, a pod in each (and one in `default`),
then deletes one namespace's `default` account and at once creates another pod there; the
answer (code, message, how long it took) and the ServiceAccounts and root CA ConfigMaps there a
few seconds later, with the manager that wrote them, are compared. Writes
benchmarks/results/service_account_differential.json.

    python benchmarks/service_account_differential.py --bin /work/k8s-bin [--etcd /usr/bin/etcd]
"""
from __future__ import annotations

import argparse
import http.client
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from aggregation_differential import Client  # noqa: E402
from apiserver_differential import start_ours, start_real  # noqa: E402
from reference_impl import cluster as local_cluster  # noqa: E402

RESULTS = Path(__file__).parent / "results"
POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"},
       "spec": {"containers": [{"name": "c", "image": "busybox"}]}}
NAMESPACES = ("sa-probe-1", "sa-probe-2")


def scenario(call) -> dict:
    """`call(method, path, body)` → (code, body): the pod answers, then what the namespaces hold."""
    result = {}
    for namespace in (*NAMESPACES, "default"):
        if namespace != "default":
            code, _ = call("POST", "/api/v1/namespaces", {"apiVersion": "v1", "kind": "Namespace",
                                                           "metadata": {"name": namespace}})
            result[f"POST namespace {namespace}"] = code
        start = time.monotonic()
        code, body = call("POST", f"/api/v1/namespaces/{namespace}/pods", POD)
        took = time.monotonic() - start
        result[f"POST pod in {namespace}"] = {"code": code, "message": body.get("message", "") if code >= 400 else "",
                                              "took": "under 0.5s" if took < 0.5 else "0.5s to 3s" if took < 3 else
                                              "over 3s", "service account": (body.get("spec") or {}).get(
                                                  "serviceAccountName")}
    # The default account deleted, and a pod at once: a controller-manager makes it again.
    namespace = NAMESPACES[0]
    if call("DELETE", f"/api/v1/namespaces/{namespace}/serviceaccounts/default", None)[0] == 200:
        start = time.monotonic()
        code, body = call("POST", f"/api/v1/namespaces/{namespace}/pods", {**POD, "metadata": {"name": "p2"}})
        took = time.monotonic() - start
        result[f"POST pod in {namespace} right after deleting its default account"] = {
            "code": code, "message": body.get("message", "") if code >= 400 else "",
            "took": "under 0.5s" if took < 0.5 else "0.5s to 3s" if took < 3 else "over 3s"}
    time.sleep(3)
    for namespace in (*NAMESPACES, "default", "kube-system", "kube-public", "kube-node-lease"):
        for what, path in (("serviceaccounts", f"/api/v1/namespaces/{namespace}/serviceaccounts"),
                           ("root CA", f"/api/v1/namespaces/{namespace}/configmaps?fieldSelector=metadata.name%3Dkube-root-ca.crt")):
            _, listing = call("GET", path, None)
            result[f"{what} in {namespace}"] = sorted(
                f"{item['metadata']['name']} by {','.join(sorted(e.get('manager', '') for e in item['metadata'].get('managedFields') or []))}"
                for item in listing.get("items", []))
    return result


def probe_call(server):
    """Requests as the benchmark's administrator of `server`."""
    def call(method: str, path: str, body: dict | None):
        connection = http.client.HTTPSConnection(server.host, server.port, context=server.contexts["admin"], timeout=30)
        try:
            connection.request(method, path, body=None if body is None else json.dumps(body),
                               headers={"Content-Type": "application/json", "Accept": "application/json"})
            response = connection.getresponse()
            return response.status, json.loads(response.read() or b"{}")
        finally:
            connection.close()
    return call


def without_controller_manager(binary: Path, etcd: Path, work: Path) -> dict:
    runs = {}
    processes, server, _ = start_real(binary, etcd, work / "real-apiserver")
    try:
        runs["real"] = scenario(probe_call(server))
    finally:
        local_cluster.stop(processes)
    processes, server = start_ours(work / "ours-apiserver")
    try:
        runs["ours"] = scenario(probe_call(server))
    finally:
        local_cluster.stop(processes)
    return runs


def with_controller_manager(bin_dir: Path, work: Path) -> dict:
    runs = {}
    for label in ("real", "ours"):
        directory = work / f"{label}-controller-manager"
        plane = local_cluster.up(directory, kubelets=0, only=("etcd", "apiserver"))
        components = []
        try:
            upstream = {} if label == "ours" else {"controller-manager": (bin_dir / "kube-controller-manager").resolve()}
            components = local_cluster.start_nodes_and_controllers(
                directory, Path(plane.kubeconfig), 0, only=("controller-manager",), upstream=upstream)
            client = Client(Path(plane.kubeconfig))
            runs[label] = scenario(lambda method, path, body: client.call(method, path, body))
        finally:
            local_cluster.stop(components)
            local_cluster.stop(list(plane.processes))
    return runs


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", type=Path, required=True)
    parser.add_argument("--etcd", type=Path, default=Path("/usr/bin/etcd"))
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="service-account-differential-"))
    report = {"no controller-manager (real vs our apiserver)": without_controller_manager(
                  args.bin / "kube-apiserver", args.etcd, work),
              "our apiserver with the real vs our controller-manager": with_controller_manager(args.bin, work)}
    total = differing = 0
    for part, runs in report.items():
        print(part)
        for key in runs["real"]:
            total += 1
            same = runs["real"][key] == runs["ours"].get(key)
            differing += not same
            print(f"  {'same' if same else 'DIFF'} {key}: real {json.dumps(runs['real'][key])[:160]}")
            if not same:
                print(f"       ours {json.dumps(runs['ours'].get(key))[:160]}")
    print(f"{differing} of {total} observations differ")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "service_account_differential.json"
    out.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
