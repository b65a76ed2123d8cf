"""The real 1.24 kube-controller-manager's clusterrole-aggregation and csrapproving controllers and
ours, paired on the same ClusterRoles and CertificateSigningRequests: the rules each leaves in
every aggregated role, step by step, and which requests each approves.

Two runs, each on a fresh reference control plane (etcd and apiserver): the first with the real
kube-controller-manager, the second with reference_impl's. The scenario, written over HTTPS as the
admin: ClusterRoles with an aggregationRule (matchLabels, matchExpressions, two overlapping
selectors, one selecting itself, one selecting another aggregated role) and source roles that
share rules, gain and lose the selected labels, change their rules and are deleted; a role whose
aggregationRule is removed; and the bootstrap admin, edit and view once a source role is labelled
aggregate-to-view. After each step (once both controllers have had time to settle: the rules are
read until they stop changing) every aggregated role's rules, and the field manager that wrote
them, are compared. Then kubelet client CSRs are created (by impersonation) by a bootstrap user
whose group holds nodeclient, by nodes (selfnodeclient) for their own name and another's, by a
user with neither, and with the wrong usages, signer, organization or SANs; the conditions each
controller leaves are compared. Prints each difference and writes
benchmarks/results/aggregation_differential.json.

    python benchmarks/aggregation_differential.py --bin /work/k8s-bin [--settle 3]
"""
from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import yaml  # noqa: E402
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

from reference_impl import cluster as local_cluster  # noqa: E402
from upstream_compat import admin_tls  # noqa: E402

RESULTS = Path(__file__).parent / "results"
KEY = ec.generate_private_key(ec.SECP256R1())
ROLES = "/apis/rbac.authorization.k8s.io/v1/clusterroles"
GET_PODS = {"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}
LIST_SECRETS = {"apiGroups": [""], "resources": ["secrets"], "verbs": ["list"]}
WATCH_NODES = {"apiGroups": [""], "resources": ["nodes"], "verbs": ["watch"], "resourceNames": ["n1"]}
METRICS = {"nonResourceURLs": ["/metrics"], "verbs": ["get"]}


def role(name: str, rules: list[dict] | None = None, labels: dict | None = None, aggregation: dict | None = None) -> dict:
    body = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
            "metadata": {"name": name, **({"labels": labels} if labels else {})}}
    if rules is not None:
        body["rules"] = rules
    if aggregation is not None:
        body["aggregationRule"] = aggregation
    return body


def selecting(*selectors: dict) -> dict:
    return {"clusterRoleSelectors": list(selectors)}


# Each step: a name and the writes it makes, (method, name, body or None); a PATCH is a merge patch.
STEPS = [
    ("sources and aggregates", [
        ("POST", "", role("agg-src-b", [GET_PODS, LIST_SECRETS], {"agg": "one"})),
        ("POST", "", role("agg-src-a", [GET_PODS, METRICS], {"agg": "one", "tier": "x"})),
        ("POST", "", role("agg-src-c", [WATCH_NODES], {"tier": "y"})),
        ("POST", "", role("agg-one", aggregation=selecting({"matchLabels": {"agg": "one"}}))),
        ("POST", "", role("agg-expr", aggregation=selecting(
            {"matchExpressions": [{"key": "tier", "operator": "In", "values": ["x", "y"]}]}))),
        ("POST", "", role("agg-two", aggregation=selecting({"matchLabels": {"tier": "y"}},
                                                          {"matchLabels": {"agg": "one"}}, {"matchLabels": {"tier": "y"}}))),
        ("POST", "", role("agg-self", [LIST_SECRETS], {"self": "yes"},
                          aggregation=selecting({"matchLabels": {"self": "yes"}}))),
        ("POST", "", role("agg-chain", aggregation=selecting({"matchLabels": {"chain": "yes"}}))),
        ("PATCH", "agg-one", {"metadata": {"labels": {"chain": "yes"}}}),
        ("POST", "", role("agg-stale", [WATCH_NODES], aggregation=selecting({"matchLabels": {"nothing": "here"}}))),
    ]),
    ("labels gained and lost", [
        ("PATCH", "agg-src-c", {"metadata": {"labels": {"agg": "one"}}}),
        ("PATCH", "agg-src-b", {"metadata": {"labels": {"agg": None}}}),
        ("PATCH", "agg-src-a", {"metadata": {"labels": {"rbac.authorization.k8s.io/aggregate-to-view": "true"}}}),
    ]),
    ("rules changed", [
        ("PATCH", "agg-src-a", {"rules": [LIST_SECRETS, GET_PODS]}),
        ("PATCH", "agg-src-c", {"rules": [WATCH_NODES, WATCH_NODES]}),
        ("PATCH", "agg-one", {"rules": [METRICS]}),
    ]),
    ("sources deleted, a rule removed", [
        ("DELETE", "agg-src-c", None),
        ("PATCH", "agg-expr", {"aggregationRule": None}),
        ("PATCH", "agg-two", {"aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"tier": "none"}}]}}),
    ]),
]


CSRS = "/apis/certificates.k8s.io/v1/certificatesigningrequests"
KUBELET_SIGNER = "kubernetes.io/kube-apiserver-client-kubelet"
KUBELET_USAGES = ["digital signature", "key encipherment", "client auth"]
NODECLIENT = "system:certificates.k8s.io:certificatesigningrequests:nodeclient"
SELFNODECLIENT = "system:certificates.k8s.io:certificatesigningrequests:selfnodeclient"
# name: (requester, its groups, the request's CN, its O, its SAN DNS names, usages, signer)
CSR_CASES = {
    "bootstrap": ("bootstrap20", ["system:bootstrappers"], "system:node:n1", ["system:nodes"], [], KUBELET_USAGES, KUBELET_SIGNER),
    "self": ("system:node:n2", ["system:nodes"], "system:node:n2", ["system:nodes"], [], KUBELET_USAGES, KUBELET_SIGNER),
    "other-node": ("system:node:n2", ["system:nodes"], "system:node:n3", ["system:nodes"], [], KUBELET_USAGES, KUBELET_SIGNER),
    "nobody": ("nobody20", [], "system:node:n4", ["system:nodes"], [], KUBELET_USAGES, KUBELET_SIGNER),
    "usages": ("bootstrap20", ["system:bootstrappers"], "system:node:n5", ["system:nodes"], [], ["client auth"], KUBELET_SIGNER),
    "signer": ("bootstrap20", ["system:bootstrappers"], "system:node:n6", ["system:nodes"], [], KUBELET_USAGES[2:],
               "kubernetes.io/kube-apiserver-client"),
    "organization": ("bootstrap20", ["system:bootstrappers"], "system:node:n7", ["system:nodes", "x"], [], KUBELET_USAGES,
                     KUBELET_SIGNER),
    "sans": ("bootstrap20", ["system:bootstrappers"], "system:node:n8", ["system:nodes"], ["n8"], KUBELET_USAGES, KUBELET_SIGNER),
    "cn": ("bootstrap20", ["system:bootstrappers"], "n9", ["system:nodes"], [], KUBELET_USAGES, KUBELET_SIGNER),
}


def certificate_request(common_name: str, organizations: list[str], dns_names: list[str]) -> str:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                         *(x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in organizations)])
    builder = x509.CertificateSigningRequestBuilder().subject_name(subject)
    if dns_names:
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in dns_names]), critical=False)
    pem = builder.sign(KEY, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)
    return base64.b64encode(pem).decode()


class Client:
    def __init__(self, kubeconfig: Path) -> None:
        self.context, _ = admin_tls(kubeconfig)
        server = urllib.parse.urlsplit(yaml.safe_load(kubeconfig.read_text())["clusters"][0]["cluster"]["server"])
        self.host, self.port = server.hostname, server.port

    def call(self, method: str, path: str, body: object = None, headers: dict | None = None) -> tuple[int, dict]:
        connection = http.client.HTTPSConnection(self.host, self.port, context=self.context, timeout=10)
        try:
            media = "application/merge-patch+json" if method == "PATCH" else "application/json"
            connection.request(method, path, body=None if body is None else json.dumps(body),
                               headers={"Content-Type": media, "Accept": "application/json", **(headers or {})})
            response = connection.getresponse()
            return response.status, json.loads(response.read() or b"{}")
        finally:
            connection.close()


def aggregated(client: Client) -> dict[str, dict]:
    """Every ClusterRole that has (or had, in this scenario) an aggregationRule: its rules and the
    managers and operations of the managedFields entries that own them."""
    _, listing = client.call("GET", ROLES)
    result = {}
    for item in listing.get("items", []):
        name = item["metadata"]["name"]
        if item.get("aggregationRule") is None and not name.startswith("agg-"):
            continue
        managers = sorted(f"{entry.get('manager')}/{entry.get('operation')}"
                          for entry in item["metadata"].get("managedFields") or []
                          if "f:rules" in json.dumps(entry.get("fieldsV1", {})))
        result[name] = {"rules": item.get("rules") or [], "managers": managers}
    return result


def settled(client: Client, settle: float, timeout: float = 60.0) -> dict[str, dict]:
    """The aggregated roles once they have stayed the same for `settle` seconds."""
    deadline = time.monotonic() + timeout
    last, since = aggregated(client), time.monotonic()
    while time.monotonic() < deadline:
        time.sleep(0.5)
        now = aggregated(client)
        if now != last:
            last, since = now, time.monotonic()
        elif time.monotonic() - since >= settle:
            break
    return last


def csr_conditions(client: Client) -> dict[str, dict]:
    """Each CSR of this scenario: its conditions (type, status, reason, message) and requester."""
    _, listing = client.call("GET", CSRS)
    return {item["metadata"]["name"]: {
        "username": item["spec"].get("username"),
        "conditions": [{key: c.get(key) for key in ("type", "status", "reason", "message")}
                       for c in (item.get("status") or {}).get("conditions") or []]}
        for item in listing.get("items", []) if item["metadata"]["name"].startswith("csr20-")}


def csr_step(client: Client, settle: float) -> dict:
    """The bootstrap grants bound as kubeadm binds them (and CSR creation to every user), the CSRs
    created as their requesters,
    and what the controllers made of them once settled."""
    answers = []
    for name, role, group in (("csr20-bootstrap", NODECLIENT, "system:bootstrappers"),
                              ("csr20-nodes", SELFNODECLIENT, "system:nodes"),
                              ("csr20-create", "system:node-bootstrapper", "system:authenticated")):
        code, _ = client.call("POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", {
            "metadata": {"name": name}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
            "subjects": [{"kind": "Group", "name": group, "apiGroup": "rbac.authorization.k8s.io"}]})
        answers.append(f"POST {name}: {code}")
    for name, (user, groups, common_name, organizations, dns_names, usages, signer) in CSR_CASES.items():
        assert len(groups) <= 1, "client.call sends one header of a name: give each case one group"
        headers = {"Impersonate-User": user, **({"Impersonate-Group": groups[0]} if groups else {})}
        code, _ = client.call("POST", CSRS, {"metadata": {"name": f"csr20-{name}"}, "spec": {
            "request": certificate_request(common_name, organizations, dns_names), "signerName": signer,
            "usages": usages}}, headers)
        answers.append(f"POST csr20-{name}: {code}")
    deadline = time.monotonic() + 60
    last, since = csr_conditions(client), time.monotonic()
    while time.monotonic() < deadline and time.monotonic() - since < settle:
        time.sleep(0.5)
        now = csr_conditions(client)
        if now != last:
            last, since = now, time.monotonic()
    return {"step": "kubelet client CSRs", "answers": answers, "roles": last}


def one_run(bin_dir: Path, ours: bool, settle: float) -> tuple[list[dict], str]:
    work = Path(tempfile.mkdtemp(prefix="aggregation-differential-"))
    directory = work / "cluster"
    plane = local_cluster.up(directory, kubelets=0, only=("etcd", "apiserver"))
    components: list[local_cluster.Process] = []
    snapshots = []
    try:
        upstream = {} if ours else {"controller-manager": (bin_dir / "kube-controller-manager").resolve()}
        components = local_cluster.start_nodes_and_controllers(
            directory, Path(plane.kubeconfig), 0, only=("controller-manager",), upstream=upstream)
        client = Client(Path(plane.kubeconfig))
        snapshots.append({"step": "bootstrap", "answers": [], "roles": settled(client, settle)})
        for step, writes in STEPS:
            answers = []
            for method, name, body in writes:
                path = f"{ROLES}/{name}" if name else ROLES
                code, _ = client.call(method, path, body)
                answers.append(f"{method} {name or body['metadata']['name']}: {code}")
            snapshots.append({"step": step, "answers": answers, "roles": settled(client, settle)})
        snapshots.append(csr_step(client, settle))
    finally:
        local_cluster.stop(components)
        local_cluster.stop(list(plane.processes))
    return snapshots, str(work)


def differences(real: list[dict], mine: list[dict]) -> list[dict]:
    rows = []
    for real_step, our_step in zip(real, mine):
        if real_step["answers"] != our_step["answers"]:
            rows.append({"step": real_step["step"], "role": "(writes)", "real": real_step["answers"],
                         "ours": our_step["answers"]})
        for name in sorted(set(real_step["roles"]) | set(our_step["roles"])):
            a, b = real_step["roles"].get(name), our_step["roles"].get(name)
            if a != b:
                rows.append({"step": real_step["step"], "role": name, "real": a, "ours": b})
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", type=Path, required=True, help="a directory with kube-controller-manager")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds the roles must stay the same")
    args = parser.parse_args(argv)
    runs = {label: one_run(args.bin, label == "ours", args.settle) for label in ("real", "ours")}
    rows = differences(runs["real"][0], runs["ours"][0])
    steps = len(runs["real"][0])
    roles = sum(len(step["roles"]) for step in runs["real"][0])
    print(f"{len(rows)} differences over {steps} steps ({roles} role snapshots)")
    for row in rows:
        print(f"[{row['step']}] {row['role']}\n    real: {json.dumps(row['real'])[:600]}\n    ours: {json.dumps(row['ours'])[:600]}")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "aggregation_differential.json"
    out.write_text(json.dumps({"differences": rows, "runs": {k: {"snapshots": v[0], "work": v[1]}
                                                             for k, v in runs.items()}}, indent=2) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
