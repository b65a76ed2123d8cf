"""The reference kubelet's API port against the real kubelet's, as an attacker and a careless client use it.

Starts the reference apiserver on the reference etcd, a recording proxy in front of it, and per
anonymous setting (on, off) one real hollow kubelet (kubemark, rebuilt here with a `go build
-overlay` that gives its server TLS, the client CA and webhook authentication and authorization,
which kubemark leaves out) and one reference kubelet. Then sends the same requests to both
kubelets' HTTPS ports: every path the kubelet serves with each method, as anonymous, with a bad
token, a valid token of a user bound to nothing, client certificates of users bound to
nodes/proxy, nodes/stats, nodes/log or nodes/metrics only, impersonation headers, a certificate of
another CA, and odd paths. It compares status, body (node names masked; 2xx bodies by status
only) and headers, and the SubjectAccessReviews each kubelet sent the apiserver.

    python3 benchmarks/kubelet_api_differential.py [--tree /work/k8s-src] [--show 40]
"""
from __future__ import annotations

import argparse
import base64
import collections
import http.client
import json
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import yaml  # noqa: E402

from benchmarks.upstream_compat import Recorder, admin_tls, protobuf_fields, proxied_kubeconfig, recording_proxy  # noqa: E402
from reference_impl import cluster as local_cluster  # noqa: E402
from reference_impl.machinery.certutil import KeyPair, issue_client_cert, new_ca  # noqa: E402

RESULTS = Path(__file__).parent / "results"
HOLLOW_FILE = "pkg/kubemark/hollow_kubelet.go"
# What the overlay adds at the top of HollowKubelet.Run: cmd/kubelet/app.run's TLS and auth, which
# kubemark's RunKubelet call skips, switched on by the environment.
AUTH_PATCH = """	if ca := os.Getenv("KUBEMARK_CLIENT_CA"); ca != "" {
		c := hk.KubeletConfiguration
		c.Authentication.X509.ClientCAFile = ca
		c.Authentication.Webhook.Enabled = true
		c.Authentication.Anonymous.Enabled = os.Getenv("KUBEMARK_ANONYMOUS") == "true"
		c.Authorization.Mode = kubeletconfig.KubeletAuthorizationModeWebhook
		hk.KubeletFlags.CertDirectory = os.Getenv("KUBEMARK_CERT_DIR")
		tlsOptions, err := kubeletapp.InitializeTLS(hk.KubeletFlags, c)
		if err != nil {
			klog.Fatalf("tls: %v", err)
		}
		hk.KubeletDeps.TLSOptions = tlsOptions
		auth, runCA, err := kubeletapp.BuildAuth(types.NodeName(hk.KubeletFlags.HostnameOverride), hk.KubeletDeps.KubeClient, *c)
		if err != nil {
			klog.Fatalf("auth: %v", err)
		}
		hk.KubeletDeps.Auth = auth
		runCA(wait.NeverStop)
	}
"""
SUBRESOURCES = ("proxy", "stats", "log", "metrics")
USER_PREFIX = "kubeletapi-"
READY = "Starting kubelet main sync loop"


def build_kubemark(tree: Path, out: Path) -> Path:
    """kubemark with the auth patch, built from `tree` through an overlay (the tree is left as is)."""
    source = (tree / HOLLOW_FILE).read_text()
    run = "func (hk *HollowKubelet) Run() {\n"
    if run not in source:
        raise SystemExit(f"{HOLLOW_FILE}: no HollowKubelet.Run to patch")
    patched = source.replace(run, run + AUTH_PATCH).replace(
        "import (\n", 'import (\n\t"os"\n\t"k8s.io/apimachinery/pkg/types"\n\t"k8s.io/apimachinery/pkg/util/wait"\n', 1)
    out.mkdir(parents=True, exist_ok=True)
    (out / "hollow_kubelet.go").write_text(patched)
    (out / "overlay.json").write_text(json.dumps({"Replace": {str(tree / HOLLOW_FILE): str(out / "hollow_kubelet.go")}}))
    binary = out / "kubemark-auth"
    env = {**os.environ, "GOFLAGS": "-mod=vendor", "GOPROXY": "off", "CGO_ENABLED": "0"}
    subprocess.run(["go", "build", "-overlay", str(out / "overlay.json"), "-tags", "providerless", "-o", str(binary),
                    "./cmd/kubemark"], cwd=tree, env=env, check=True)
    return binary


@dataclass(frozen=True)
class Identity:
    """Who a request is sent as: a client certificate, headers, or nothing."""

    name: str
    cert: KeyPair | None = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Request:
    family: str
    method: str
    path: str
    identity: Identity

    def describe(self) -> str:
        path = self.path if len(self.path) < 90 else f"{self.path[:60]}...({len(self.path)} bytes)"
        return f"{self.identity.name} {self.method} {path}"


@dataclass
class Kubelet:
    name: str  # the node's name
    host: str
    port: int


def paths() -> list[tuple[str, str]]:
    """(family, path) for each path probed."""
    pod = "default/nopod"
    plain = [
        ("pods", "/pods"), ("pods", "/pods/"), ("pods", "/runningpods/"), ("pods", "/runningpods"),
        ("healthz", "/healthz"), ("healthz", "/healthz/ping"), ("healthz", "/healthz/log"),
        ("healthz", "/healthz/syncloop"), ("healthz", "/healthz/nope"), ("healthz", "/healthz?verbose=1"),
        ("metrics", "/metrics"), ("metrics", "/metrics/cadvisor"), ("metrics", "/metrics/probes"),
        ("metrics", "/metrics/resource"), ("metrics", "/metrics/"), ("metrics", "/metrics/nope"),
        ("stats", "/stats/summary"), ("stats", "/stats/"), ("stats", "/stats"), ("stats", "/stats/container"),
        ("stats", "/stats/summary?only_cpu_and_memory=true"), ("spec", "/spec/"), ("spec", "/spec"),
        ("configz", "/configz"), ("configz", "/configz/"),
        ("logs", "/logs/"), ("logs", "/logs"), ("logs", "/logs/nosuchfile"), ("logs", "/logs/../etc/passwd"),
        ("logs", "/logs/%2e%2e/etc/passwd"), ("logs", "/logs/..%2Fetc%2Fpasswd"), ("logs", "/logs//etc/passwd"),
        ("debug", "/debug/pprof/"), ("debug", "/debug/pprof"), ("debug", "/debug/pprof/cmdline"),
        ("debug", "/debug/pprof/symbol"), ("debug", "/debug/pprof/nope"), ("debug", "/debug/flags/v"),
        ("debug", "/debug/flags/v/"), ("debug", "/debug/"),
        ("streams", f"/containerLogs/{pod}/c"), ("streams", f"/containerLogs/{pod}/c?follow=true&tailLines=1"),
        ("streams", f"/containerLogs/{pod}"), ("streams", f"/exec/{pod}/c?command=id&output=1"),
        ("streams", f"/exec/{pod}/uid/c?command=id&output=1"), ("streams", f"/attach/{pod}/c?output=1"),
        ("streams", f"/portForward/{pod}"), ("streams", f"/portForward/{pod}/uid"),
        ("streams", f"/run/{pod}/c?cmd=id"), ("streams", f"/run/{pod}/uid/c?cmd=id"),
        ("streams", "/exec/"), ("streams", "/exec"), ("streams", "/run/"),
        ("removed", f"/checkpoint/{pod}/c"), ("removed", "/cri/exec/abc"), ("removed", "/cri/"),
        ("odd", "/"), ("odd", "/nope"), ("odd", "//pods"), ("odd", "/pods//"), ("odd", "/./pods"),
        ("odd", "/stats/../pods"), ("odd", "/%70ods"), ("odd", "/pods%2F"), ("odd", "/stats%2Fsummary"),
        ("odd", "/metrics%2Fcadvisor"), ("odd", "/METRICS"), ("odd", "/pods?x=%zz"), ("odd", "/pods?" + "a=b&" * 200),
        ("odd", "/healthz/../pods"), ("odd", "/logs/%00"), ("odd", "/containerLogs/../../etc/passwd"),
        ("odd", "/" + "a" * 5000), ("odd", "/pods/" + "a" * 20000), ("odd", "/stats/" + "x/" * 3000),
    ]
    return plain


METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "FOO")


UPGRADE = (("Connection", "Upgrade"), ("Upgrade", "SPDY/3.1"), ("X-Stream-Protocol-Version", "v4.channel.k8s.io"))


def identities(ca: KeyPair, token: str) -> list[Identity]:
    stranger = new_ca()
    users = [Identity("anonymous"), Identity("bad-token", headers=(("Authorization", "Bearer not-a-token"),)),
             Identity("empty-bearer", headers=(("Authorization", "Bearer "),)),
             Identity("basic-auth", headers=(("Authorization", "Basic YWRtaW46YWRtaW4="),)),
             Identity("nobody-token", headers=(("Authorization", f"Bearer {token}"),)),
             Identity("foreign-ca", cert=issue_client_cert(stranger, "admin", ("system:masters",))),
             Identity("none", cert=issue_client_cert(ca, USER_PREFIX + "none"))]
    users += [Identity(sub, cert=issue_client_cert(ca, USER_PREFIX + sub)) for sub in SUBRESOURCES]
    users += [Identity("none-as-admin", cert=users[6].cert,
                       headers=(("Impersonate-User", "admin"), ("Impersonate-Group", "system:masters"))),
              Identity("anon-as-admin", headers=(("Impersonate-User", "admin"), ("Impersonate-Group", "system:masters"))),
              Identity("token-and-cert", cert=users[6].cert, headers=(("Authorization", "Bearer not-a-token"),)),
              Identity("remote-user-header", headers=(("X-Remote-User", "admin"), ("X-Remote-Group", "system:masters"))),
              Identity("anon-upgrade", headers=UPGRADE),
              Identity("proxy-upgrade", cert=users[7].cert, headers=UPGRADE)]
    return users


def requests(ca: KeyPair, token: str) -> list[Request]:
    users = identities(ca, token)
    out = []
    for family, path in paths():
        for user in users:
            # every method for the users that matter most; GET and POST for the rest
            methods = METHODS if user.name in ("anonymous", "none", "proxy") else ("GET", "POST")
            out += [Request(family, method, path, user) for method in methods]
    huge = "/pods/" + "a" * (1 << 20)
    out += [Request("huge", "GET", huge, users[0]), Request("huge", "GET", huge, users[6])]
    return out


def client_context(identity: Identity, work: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    if identity.cert is not None:
        cert, key = work / f"client-{identity.name}.crt", work / f"client-{identity.name}.key"
        cert.write_bytes(identity.cert.cert_pem)
        key.write_bytes(identity.cert.key_pem)
        context.load_cert_chain(cert, key)
    return context


IGNORED_HEADERS = {"date", "content-length"}


def send(kubelet: Kubelet, request: Request, context: ssl.SSLContext) -> dict:
    """status, headers and body of one request, or the error that ended it."""
    connection = http.client.HTTPSConnection(kubelet.host, kubelet.port, context=context, timeout=15)
    try:
        connection.putrequest(request.method, request.path, skip_accept_encoding=True)
        for key, value in request.identity.headers:
            connection.putheader(key, value)
        connection.endheaders()
        answer = connection.getresponse()
        body = b"" if request.method == "HEAD" else answer.read(1 << 16)
        headers = {k.lower(): v for k, v in answer.getheaders() if k.lower() not in IGNORED_HEADERS}
        return {"code": answer.status, "headers": headers, "body": body.decode("utf-8", "replace")}
    except (OSError, http.client.HTTPException) as err:
        return {"code": 0, "headers": {}, "body": f"{type(err).__name__}"}
    finally:
        connection.close()


def normalized(answer: dict, kubelet: Kubelet) -> tuple:
    body = answer["body"].replace(kubelet.name, "NODE")
    headers = dict(answer["headers"])
    if 200 <= answer["code"] < 300:
        body = ""  # each kubelet's own pods, logs and numbers
        headers = {k: v for k, v in headers.items() if k == "content-type"}
    if "location" in headers:
        headers["location"] = headers["location"].replace(str(kubelet.port), "PORT")
    return answer["code"], body, tuple(sorted(headers.items()))


RESOURCE_FIELDS = {1: "namespace", 2: "verb", 3: "group", 4: "version", 5: "resource", 6: "subresource", 7: "name"}


def protobuf_spec(body: bytes) -> dict:
    """A SubjectAccessReview's spec from its protobuf envelope, as its JSON would read (repeated
    groups and extra left out)."""
    review = protobuf_fields(protobuf_fields(body.removeprefix(b"k8s\x00")).get(2, b""))
    spec = protobuf_fields(review.get(2, b""))
    out: dict = {}
    if 1 in spec:
        out["resourceAttributes"] = {RESOURCE_FIELDS[n]: v.decode() for n, v in protobuf_fields(spec[1]).items()
                                     if n in RESOURCE_FIELDS and v}
    if 2 in spec:
        fields = protobuf_fields(spec[2])
        out["nonResourceAttributes"] = {"path": fields.get(1, b"").decode(), "verb": fields.get(2, b"").decode()}
    if 3 in spec:
        out["user"] = spec[3].decode()
    return out


def review_specs(recorder: Recorder, kind: str, since: int) -> list[dict]:
    """The specs of the reviews of `kind` recorded since the `since`th record."""
    out = []
    for record in recorder.records[since:]:
        if record["method"] == "POST" and record["path"].endswith(kind):
            body = base64.b64decode(record["body"])
            out.append(json.loads(body).get("spec", {}) if body[:1] == b"{" else protobuf_spec(body))
    return out


def node_endpoint(kubeconfig: Path, name: str, timeout: float = 60.0) -> tuple[str, int]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = subprocess.run(["kubectl", f"--kubeconfig={kubeconfig}", "get", "node", name, "-o", "json"],
                              capture_output=True, text=True)
        if done.returncode == 0:
            status = json.loads(done.stdout)["status"]
            port = status.get("daemonEndpoints", {}).get("kubeletEndpoint", {}).get("Port")
            addresses = [a["address"] for a in status.get("addresses", []) if a["type"] == "InternalIP"]
            if port:
                return (addresses[0] if addresses else "127.0.0.1"), port
        time.sleep(0.5)
    raise SystemExit(f"node {name} did not register")


def kubectl(kubeconfig: Path, *args: str, stdin: str | None = None) -> str:
    return subprocess.run(["kubectl", f"--kubeconfig={kubeconfig}", *args], input=stdin, capture_output=True,
                          text=True, check=True).stdout


def grant(kubeconfig: Path) -> str:
    """ClusterRoles on each nodes subresource, bound to one user each; a service account bound to
    nothing, and its token."""
    documents = []
    for sub in SUBRESOURCES:
        documents.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                          "metadata": {"name": f"{USER_PREFIX}{sub}"},
                          "rules": [{"apiGroups": [""], "resources": [f"nodes/{sub}"], "verbs": ["*"]}]})
        documents.append({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding",
                          "metadata": {"name": f"{USER_PREFIX}{sub}"},
                          "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole",
                                      "name": f"{USER_PREFIX}{sub}"},
                          "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User",
                                        "name": f"{USER_PREFIX}{sub}"}]})
    kubectl(kubeconfig, "apply", "-f", "-", stdin=json.dumps({"apiVersion": "v1", "kind": "List", "items": documents}))
    kubectl(kubeconfig, "create", "serviceaccount", "kubeletapi-nobody")
    return kubectl(kubeconfig, "create", "token", "kubeletapi-nobody").strip()


def start_pair(directory: Path, kubeconfig: Path, binary: Path, anonymous: bool) -> list:
    """The real hollow kubelet and the reference one, both with webhook auth and the cluster CA."""
    pki = directory / "pki"
    tag = "on" if anonymous else "off"
    real_name, ours_name = f"real-anon-{tag}", f"ours-anon-{tag}"
    argv, ready = local_cluster.upstream_argv("kubelet", binary, directory, real_name, kubeconfig, real_name)
    port = int(next(a for a in argv if a.startswith("--kubelet-port=")).split("=")[1])
    scratch = directory / real_name / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    real = local_cluster.start_process(directory, real_name, argv, ready, env={
        "TMPDIR": str(scratch), "KUBEMARK_CLIENT_CA": str(pki / "ca.crt"),
        "KUBEMARK_ANONYMOUS": str(anonymous).lower(), "KUBEMARK_CERT_DIR": str(directory / real_name)})[0]
    ours = local_cluster.start(directory, ours_name, "kubelet", [
        "--kubeconfig", str(kubeconfig), "--node-name", ours_name, "--root-dir", str(directory / ours_name),
        "--pod-cidr", "127.0.9.0/24" if anonymous else "127.0.8.0/24", "--client-ca-file", str(pki / "ca.crt"),
        f"--anonymous-auth={str(anonymous).lower()}", "--authorization-mode", "Webhook"])[0]
    host, ours_port = node_endpoint(kubeconfig, ours_name)
    return [real, ours, Kubelet(real_name, "127.0.0.1", port), Kubelet(ours_name, host, ours_port)]


def comparable(spec: dict) -> dict:
    """What both encodings carry: the attributes and the user."""
    return {key: spec[key] for key in ("resourceAttributes", "nonResourceAttributes", "user") if key in spec}


def spec_key(spec: dict, node: str) -> str:
    return json.dumps(spec, sort_keys=True).replace(node, "NODE")


def compare(pair: tuple[Kubelet, Kubelet], batch: list[Request], work: Path, recorder: Recorder) -> dict:
    real, ours = pair
    contexts: dict[str, ssl.SSLContext] = {}
    rows = []
    for request in batch:
        context = contexts.setdefault(request.identity.name, client_context(request.identity, work))
        answers = {}
        for kubelet in pair:
            since = len(recorder.records)
            answer = send(kubelet, request, context)
            reviews = [spec_key(comparable(spec), kubelet.name) for spec in review_specs(recorder, "subjectaccessreviews", since)
                       if kubelet.name in json.dumps(spec)]
            answers[kubelet is real] = (answer, reviews)
        (real_answer, real_reviews), (our_answer, our_reviews) = answers[True], answers[False]
        a, b = normalized(real_answer, real), normalized(our_answer, ours)
        # A review the apiserver answered from each kubelet's cache is not sent again: compare the
        # reviews only when both sent one.
        reviews_differ = bool(real_reviews and our_reviews and sorted(set(real_reviews)) != sorted(set(our_reviews)))
        rows.append({"family": request.family, "request": request.describe(), "real": a, "ours": b,
                     "real_reviews": real_reviews, "our_reviews": our_reviews,
                     "differs": a != b or reviews_differ,
                     "past_authorization": request.identity.name in PAST_NOTHING and 200 <= b[0] < 300})
    return {"rows": rows}


# Identities the apiserver allows nothing on nodes: any 2xx they get was served past authorization
# (the mux's own answers, 301s and 404s, never reach it).
PAST_NOTHING = {"anonymous", "bad-token", "empty-bearer", "basic-auth", "nobody-token", "foreign-ca", "none",
                "none-as-admin", "anon-as-admin", "token-and-cert", "remote-user-header", "anon-upgrade"}


def print_report(label: str, rows: list[dict], show: int) -> None:
    differing = [row for row in rows if row["differs"]]
    families = collections.Counter(row["family"] for row in rows)
    equal = collections.Counter(row["family"] for row in rows if not row["differs"])
    print(f"\n== anonymous {label}: {len(rows) - len(differing)} of {len(rows)} requests answered alike")
    print("   " + ", ".join(f"{family} {equal[family]}/{count}" for family, count in sorted(families.items())))
    for row in differing[:show]:
        print(f"  {row['request'][:140]}\n    real {row['real'][0]} {row['real'][1][:160]!r} {row['real'][2]}"
              f"\n    ours {row['ours'][0]} {row['ours'][1][:160]!r} {row['ours'][2]}")
        if row["real_reviews"] != row["our_reviews"]:
            print(f"    reviews real {row['real_reviews']}\n            ours {row['our_reviews']}")
    past = [row for row in rows if row["past_authorization"]]
    served_real = [row for row in rows if row["request"].split()[0] in PAST_NOTHING and 200 <= row["real"][0] < 300]
    print(f"   served past authorization: ours {len(past)}, real {len(served_real)}")
    for row in past[:10]:
        print(f"    ours served {row['request'][:140]} -> {row['ours'][0]}")
    for row in served_real[:10]:
        print(f"    real served {row['request'][:140]} -> {row['real'][0]}")
    crashes = [row for row in rows if row["ours"][0] >= 500 or row["ours"][0] == 0]
    print(f"   ours 5xx or dropped: {len(crashes)}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", type=Path, default=Path("/work/k8s-src"), help="a Kubernetes 1.24-era vendored tree")
    parser.add_argument("--kubemark", type=Path, default=None, help="an already patched kubemark (skips the build)")
    parser.add_argument("--show", type=int, default=40, help="differences printed per pair")
    parser.add_argument("--family", default="", help="only these path families, comma-separated")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="kubelet-api-differential-"))
    binary = args.kubemark or build_kubemark(args.tree.resolve(), work / "build")
    directory = work / "cluster"
    plane = local_cluster.up(directory, kubelets=0, only=("etcd", "apiserver"))
    processes: list = []
    proxy = None
    recorder = Recorder(work / "requests.jsonl")
    results = {}
    try:
        client_tls, ca = admin_tls(Path(plane.kubeconfig))
        upstream = yaml.safe_load(Path(plane.kubeconfig).read_text())["clusters"][0]["cluster"]["server"]
        proxy = recording_proxy(upstream, ca, client_tls, recorder, work)
        kubeconfig = proxied_kubeconfig(Path(plane.kubeconfig), proxy.server_address[1], directory / "proxied.kubeconfig")
        token = grant(Path(plane.kubeconfig))
        batch = requests(ca, token)
        if args.family:
            batch = [r for r in batch if r.family in args.family.split(",")]
        for anonymous in (True, False):
            real_process, our_process, real, ours = start_pair(directory, kubeconfig, binary, anonymous)
            processes += [real_process, our_process]
            label = "on" if anonymous else "off"
            results[label] = compare((real, ours), batch, work, recorder)
            print_report(label, results[label]["rows"], args.show)
    finally:
        local_cluster.stop(processes)
        if proxy is not None:
            proxy.shutdown()
        local_cluster.stop(list(plane.processes))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "kubelet_api_differential.json").write_text(json.dumps(results, indent=1, default=list) + "\n")
    print(f"logs: {directory / 'logs'}")
    return 0


if __name__ == "__main__":
    socket.setdefaulttimeout(30)
    sys.exit(main())
