"""The real 1.24 kube-apiserver and ours on client certificates issued through intermediate CAs:
each server's client CA signs intermediates (with and without KeyUsage, not a CA, limited to
server auth, limited by pathLenConstraint), which issue client certificates; each certificate is
presented with and without its chain, and the answer to one request (code, reason, message) is
compared. Prints the differences and writes benchmarks/results/client_chain_differential.json.

    python benchmarks/client_chain_differential.py /work/k8s-bin/kube-apiserver [--etcd /usr/bin/etcd]
"""
from __future__ import annotations

import argparse
import datetime
import json
import os
import ssl
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import hashes, serialization  # noqa: E402
from cryptography.hazmat.primitives.asymmetric import ec  # noqa: E402
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID  # noqa: E402

from apiserver_differential import Probe, start_ours, start_real  # noqa: E402
from reference_impl import cluster as local_cluster  # noqa: E402
from reference_impl.machinery.certutil import KeyPair  # noqa: E402

RESULTS = Path(__file__).parent / "results"
NOW = datetime.datetime.now(datetime.timezone.utc)


def _cert(subject: str, issuer: x509.Certificate | None, issuer_key, key, ca: bool | None, key_usage: bool = True,
          eku=None, path_length: int | None = None) -> x509.Certificate:
    builder = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
               .issuer_name(issuer.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(NOW - datetime.timedelta(hours=1)).not_valid_after(NOW + datetime.timedelta(days=1)))
    if ca is not None:
        builder = builder.add_extension(x509.BasicConstraints(ca=ca, path_length=path_length if ca else None),
                                        critical=True)
    if key_usage:
        builder = builder.add_extension(x509.KeyUsage(True, False, not ca, False, False, bool(ca), bool(ca), False, False),
                                        critical=True)
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _pem(*certs: x509.Certificate) -> bytes:
    return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certs)


def cases(ca: KeyPair) -> dict[str, tuple[bytes, bytes]]:
    """name: (the PEM chain the client sends, its key)."""
    root, root_key = ca.certificate, ca.private_key
    result = {}
    for name, inter_args, depth in (
            ("intermediate", {}, 1), ("intermediate-no-keyusage", {"key_usage": False}, 1),
            ("intermediate-not-ca", {"ca": False}, 1), ("intermediate-no-basicconstraints", {"ca": None}, 1),
            ("intermediate-server-auth-only", {"eku": [ExtendedKeyUsageOID.SERVER_AUTH]}, 1),
            ("intermediate-client-auth-eku", {"eku": [ExtendedKeyUsageOID.CLIENT_AUTH]}, 1),
            ("two-intermediates", {}, 2), ("two-intermediates-pathlen-0", {"path_length": 0}, 2)):
        key = ec.generate_private_key(ec.SECP256R1())
        args = {"ca": True, **inter_args}
        chain = [_cert("intermediate-1", root, root_key, key, **args)]
        signer_key = key
        for level in range(2, depth + 1):
            next_key = ec.generate_private_key(ec.SECP256R1())
            chain.insert(0, _cert(f"intermediate-{level}", chain[0], signer_key, next_key, ca=True))
            signer_key = next_key
        leaf_key = ec.generate_private_key(ec.SECP256R1())
        leaf = _cert(f"chain-{name}", chain[0], signer_key, leaf_key, ca=False,
                     eku=[ExtendedKeyUsageOID.CLIENT_AUTH])
        key_pem = leaf_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                         serialization.NoEncryption())
        result[name] = (_pem(leaf, *chain), key_pem)
        if name in ("intermediate", "two-intermediates"):
            result[f"{name}-not-sent"] = (_pem(leaf), key_pem)
            if depth == 2:
                result[f"{name}-only-lower-sent"] = (_pem(leaf, chain[0]), key_pem)
    return result


def answers(server, pki: Path, ca: KeyPair) -> dict[str, dict]:
    result = {}
    for name, (chain, key) in cases(ca).items():
        (pki / f"{name}.crt").write_bytes(chain)
        (pki / f"{name}.key").write_bytes(key)
        tls = ssl.create_default_context(cafile=str(pki / "ca.crt"))
        tls.load_cert_chain(pki / f"{name}.crt", pki / f"{name}.key")
        server.contexts[name] = tls
        answer = server.send(Probe("chain", "GET", "/api/v1/namespaces/default/configmaps", user=name))
        result[name] = {"code": answer.code, "reason": answer.reason, "message": answer.message}
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary", type=Path, help="the real kube-apiserver")
    parser.add_argument("--etcd", type=Path, default=Path("/usr/bin/etcd"))
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="client-chain-differential-"))
    runs = {}
    processes, server, _ = start_real(args.binary, args.etcd, work / "real")
    try:
        pki = work / "real" / "pki"
        runs["real"] = answers(server, pki, KeyPair((pki / "ca.crt").read_bytes(), (pki / "ca.key").read_bytes()))
    finally:
        local_cluster.stop(processes)
    processes, server = start_ours(work / "ours")
    try:
        pki = work / "ours" / "pki"
        runs["ours"] = answers(server, pki, KeyPair((pki / "ca.crt").read_bytes(), (pki / "ca.key").read_bytes()))
    finally:
        local_cluster.stop(processes)
    rows = [{"case": name, "real": runs["real"][name], "ours": runs["ours"][name]}
            for name in runs["real"] if runs["real"][name] != runs["ours"][name]]
    print(f"{len(rows)} of {len(runs['real'])} client certificate chains answered differently")
    for name, real in runs["real"].items():
        mark = "DIFF" if any(r["case"] == name for r in rows) else "same"
        print(f"  {mark} {name}: real {real['code']} {real['message'][:110]}")
        if mark == "DIFF":
            ours = runs["ours"][name]
            print(f"       ours {ours['code']} {ours['message'][:110]}")
    RESULTS.mkdir(exist_ok=True)
    out = RESULTS / "client_chain_differential.json"
    out.write_text(json.dumps({"differences": rows, "runs": runs}, indent=2) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
