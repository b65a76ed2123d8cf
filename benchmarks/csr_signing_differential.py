"""The real 1.24 kube-controller-manager's CSR approving and signing controllers and ours, on the
same CertificateSigningRequests: which requests each approves, issues or fails (with what
message), what the certificates it issues hold, and whether the apiserver takes the kubelet
client certificate a bootstrap user obtained as the node.

Two runs, each on a fresh reference control plane (etcd and apiserver) whose controller-manager
signs with the cluster CA: the first with the real kube-controller-manager, the second with
reference_impl's. A bootstrap user (group system:bootstrappers, bound to nodeclient as kubeadm
binds it) asks for a kubelet client certificate, which the approver must approve and the signer
issue; then the admin creates and approves requests of every kubernetes.io signer, good ones and
ones each signer's checks refuse, with and without spec.expirationSeconds. Each issued
certificate is compared by its subject, issuer, lifetime, extensions and signature algorithm
(not its key or serial). Prints each difference and writes
benchmarks/results/csr_signing_differential.json.

    python benchmarks/csr_signing_differential.py --bin /work/k8s-bin [--settle 3]
"""
from __future__ import annotations

import argparse
import base64
import datetime
import ipaddress
import json
import os
import ssl
import sys
import tempfile
import time
import http.client
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import NameOID  # noqa: E402

from aggregation_differential import CSRS, NODECLIENT, Client  # noqa: E402
from reference_impl import cluster as local_cluster  # noqa: E402

RESULTS = Path(__file__).parent / "results"
KEY = ec.generate_private_key(ec.SECP256R1())
CLIENT = ["digital signature", "key encipherment", "client auth"]
SERVING = ["digital signature", "key encipherment", "server auth"]
KUBELET_CLIENT = "kubernetes.io/kube-apiserver-client-kubelet"
KUBELET_SERVING = "kubernetes.io/kubelet-serving"
APISERVER_CLIENT = "kubernetes.io/kube-apiserver-client"
# name: (CN, O, SANs, signer, usages, expirationSeconds); created by a user who may create CSRs
# but holds no nodeclient grant (so neither approver approves them first) and approved by the admin.
REQUESTER = {"Impersonate-User": "requester"}
CASES = {
    "client": ("system:node:n2", ["system:nodes"], [], KUBELET_CLIENT, CLIENT, None),
    "client-short": ("system:node:n3", ["system:nodes"], [], KUBELET_CLIENT, CLIENT, 60),
    "client-hour": ("system:node:n3", ["system:nodes"], [], KUBELET_CLIENT, CLIENT, 3600),
    "client-long": ("system:node:n3", ["system:nodes"], [], KUBELET_CLIENT, CLIENT, 3600 * 24 * 400),
    "client-org": ("system:node:n4", ["system:nodes", "x"], [], KUBELET_CLIENT, CLIENT, None),
    "client-dns": ("system:node:n4", ["system:nodes"], ["dns:n4"], KUBELET_CLIENT, CLIENT, None),
    "client-ip": ("system:node:n4", ["system:nodes"], ["ip:10.0.0.4"], KUBELET_CLIENT, CLIENT, None),
    "client-cn": ("n4", ["system:nodes"], [], KUBELET_CLIENT, CLIENT, None),
    "client-usages": ("system:node:n4", ["system:nodes"], [], KUBELET_CLIENT, ["client auth"], None),
    "serving": ("system:node:n5", ["system:nodes"], ["dns:n5", "ip:10.0.0.5"], KUBELET_SERVING, SERVING, None),
    "serving-ip": ("system:node:n5", ["system:nodes"], ["ip:10.0.0.5"], KUBELET_SERVING, SERVING, 7200),
    "serving-nosan": ("system:node:n6", ["system:nodes"], [], KUBELET_SERVING, SERVING, None),
    "serving-email": ("system:node:n6", ["system:nodes"], ["dns:n6", "email:a@b.c"], KUBELET_SERVING, SERVING, None),
    "serving-usages": ("system:node:n6", ["system:nodes"], ["dns:n6"], KUBELET_SERVING, CLIENT, None),
    "serving-cn": ("n6", ["system:nodes"], ["dns:n6"], KUBELET_SERVING, SERVING, None),
    "serving-org": ("system:node:n6", [], ["dns:n6"], KUBELET_SERVING, SERVING, None),
    "apiclient": ("alice", ["dev"], [], APISERVER_CLIENT, CLIENT, None),
    "apiclient-san": ("bob", [], ["dns:bob.example", "uri:spiffe://x/bob"], APISERVER_CLIENT, ["client auth"], 900),
    "apiclient-usages": ("carol", [], [], APISERVER_CLIENT, ["client auth", "server auth"], None),
    "apiclient-noclient": ("carol", [], [], APISERVER_CLIENT, ["digital signature"], None),
}


def certificate_request(common_name: str, organizations: list[str], sans: list[str]) -> str:
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name),
                         *(x509.NameAttribute(NameOID.ORGANIZATION_NAME, o) for o in organizations)])
    builder = x509.CertificateSigningRequestBuilder().subject_name(subject)
    names = []
    for san in sans:
        kind, _, value = san.partition(":")
        names.append({"dns": lambda v: x509.DNSName(v), "ip": lambda v: x509.IPAddress(ipaddress.ip_address(v)),
                      "email": lambda v: x509.RFC822Name(v),
                      "uri": lambda v: x509.UniformResourceIdentifier(v)}[kind](value))
    if names:
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    pem = builder.sign(KEY, hashes.SHA256()).public_bytes(serialization.Encoding.PEM)
    return base64.b64encode(pem).decode()


def describe(certificate_b64: str, ca: x509.Certificate) -> dict:
    """What an issued certificate says, without what differs every time (key, serial, dates)."""
    cert = x509.load_pem_x509_certificate(base64.b64decode(certificate_b64))
    extensions = []
    for extension in cert.extensions:
        value = extension.value
        if isinstance(value, x509.AuthorityKeyIdentifier):
            shown = "ca's key id" if value.key_identifier == _ski(ca) else repr(value)
        else:
            shown = repr(value)
        extensions.append([extension.oid._name, extension.critical, shown])
    return {"subject": cert.subject.rfc4514_string(), "subject_der": cert.subject.public_bytes().hex(), "issuer": cert.issuer.rfc4514_string(),
            "lifetime_seconds": (cert.not_valid_after_utc - cert.not_valid_before_utc).total_seconds(),
            "version": cert.version.name, "signature": cert.signature_algorithm_oid._name,
            "extensions": extensions}


def _ski(ca: x509.Certificate) -> bytes | None:
    try:
        return ca.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    except x509.ExtensionNotFound:
        return None


def approve(client: Client, name: str) -> int:
    for _ in range(5):
        _, csr = client.call("GET", f"{CSRS}/{name}")
        conditions = (csr.get("status") or {}).get("conditions") or []
        if any(c["type"] == "Approved" for c in conditions):
            return 200
        csr.setdefault("status", {})["conditions"] = [*conditions, {
            "type": "Approved", "status": "True", "reason": "Probe", "message": "approved by the probe"}]
        code, _ = client.call("PUT", f"{CSRS}/{name}/approval", csr)
        if code != 409:
            return code
    return 409


def outcome(client: Client, ca: x509.Certificate) -> dict[str, dict]:
    _, listing = client.call("GET", CSRS)
    result = {}
    for item in listing.get("items", []):
        status = item.get("status") or {}
        result[item["metadata"]["name"]] = {
            "conditions": [{k: c.get(k) for k in ("type", "reason", "message")} for c in status.get("conditions") or []],
            "certificate": describe(status["certificate"], ca) if status.get("certificate") else None}
    return result


def as_node(host: str, port: int, ca_file: Path, cert_b64: str, work: Path) -> str:
    """The apiserver's answer to the bootstrap kubelet's new certificate: who it says we are."""
    (work / "node.crt").write_bytes(base64.b64decode(cert_b64))
    (work / "node.key").write_bytes(KEY.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                                      serialization.NoEncryption()))
    context = ssl.create_default_context(cafile=str(ca_file))
    context.load_cert_chain(work / "node.crt", work / "node.key")
    connection = http.client.HTTPSConnection(host, port, context=context, timeout=10)
    connection.request("GET", "/api/v1/namespaces/default/secrets", headers={"Accept": "application/json"})
    response = connection.getresponse()
    return f"{response.status} {json.loads(response.read()).get('message')}"


def one_run(bin_dir: Path, ours: bool, settle: float) -> tuple[dict, str]:
    work = Path(tempfile.mkdtemp(prefix="csr-signing-differential-"))
    directory = work / "cluster"
    plane = local_cluster.up(directory, kubelets=0, only=("etcd", "apiserver"))
    components: list[local_cluster.Process] = []
    try:
        upstream = {} if ours else {"controller-manager": (bin_dir / "kube-controller-manager").resolve()}
        components = local_cluster.start_nodes_and_controllers(
            directory, Path(plane.kubeconfig), 0, only=("controller-manager",), upstream=upstream)
        client = Client(Path(plane.kubeconfig))
        ca = x509.load_pem_x509_certificate((directory / "pki" / "ca.crt").read_bytes())
        answers = []
        for name, role, group in (("probe-bootstrap", NODECLIENT, "system:bootstrappers"),
                                  ("probe-create", "system:node-bootstrapper", "system:bootstrappers"),
                                  ("probe-requester", "system:node-bootstrapper", "requester")):
            code, _ = client.call("POST", "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings", {
                "metadata": {"name": name},
                "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": role},
                "subjects": [{"kind": "Group" if group.startswith("system:") else "User", "name": group,
                              "apiGroup": "rbac.authorization.k8s.io"}]})
            answers.append(f"POST {name}: {code}")
        code, _ = client.call("POST", CSRS, {"metadata": {"name": "bootstrap"}, "spec": {
            "request": certificate_request("system:node:n1", ["system:nodes"], []), "signerName": KUBELET_CLIENT,
            "usages": CLIENT}}, {"Impersonate-User": "system:bootstrap:abcdef", "Impersonate-Group": "system:bootstrappers"})
        answers.append(f"POST bootstrap: {code}")
        for name, (cn, orgs, sans, signer, usages, seconds) in CASES.items():
            spec = {"request": certificate_request(cn, orgs, sans), "signerName": signer, "usages": usages}
            if seconds is not None:
                spec["expirationSeconds"] = seconds
            code, body = client.call("POST", CSRS, {"metadata": {"name": name}, "spec": spec}, REQUESTER)
            answers.append(f"POST {name}: {code} {body.get('message', '') if code >= 400 else ''}".strip())
            if code == 201:
                answers.append(f"approve {name}: {approve(client, name)}")
        deadline = time.monotonic() + 60
        last, since = outcome(client, ca), time.monotonic()
        while time.monotonic() < deadline and time.monotonic() - since < settle:
            time.sleep(0.5)
            now = outcome(client, ca)
            if now != last:
                last, since = now, time.monotonic()
        _, bootstrap = client.call("GET", f"{CSRS}/bootstrap")
        certificate = (bootstrap.get("status") or {}).get("certificate")
        node = as_node(client.host, client.port, directory / "pki" / "ca.crt", certificate, work) if certificate else "(no certificate)"
        return {"answers": answers, "csrs": last, "as node": node}, str(work)
    finally:
        local_cluster.stop(components)
        local_cluster.stop(list(plane.processes))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", type=Path, required=True, help="a directory with kube-controller-manager")
    parser.add_argument("--settle", type=float, default=3.0, help="seconds the CSRs must stay the same")
    args = parser.parse_args(argv)
    runs = {label: one_run(args.bin, label == "ours", args.settle) for label in ("real", "ours")}
    real, ours = runs["real"][0], runs["ours"][0]
    rows = []
    if real["answers"] != ours["answers"]:
        rows.append({"csr": "(writes)", "real": real["answers"], "ours": ours["answers"]})
    for name in sorted(set(real["csrs"]) | set(ours["csrs"])):
        if real["csrs"].get(name) != ours["csrs"].get(name):
            rows.append({"csr": name, "real": real["csrs"].get(name), "ours": ours["csrs"].get(name)})
    if real["as node"] != ours["as node"]:
        rows.append({"csr": "(bootstrap certificate as the node)", "real": real["as node"], "ours": ours["as node"]})
    print(f"{len(rows)} differences over {len(real['csrs'])} CSRs; as the node: real {real['as node']!r}")
    for row in rows:
        print(f"[{row['csr']}]\n    real: {json.dumps(row['real'])[:900]}\n    ours: {json.dumps(row['ours'])[:900]}")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "csr_signing_differential.json"
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    out.write_text(json.dumps({"when": stamp, "differences": rows,
                               "runs": {k: {"result": v[0], "work": v[1]} for k, v in runs.items()}}, indent=2) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
