"""The real 1.24 components on the reference control plane: every request they make that fails,
and how far a Deployment scenario gets.

Builds kube-scheduler, kube-controller-manager and kubemark (the real kubelet and kube-proxy on a
fake runtime and a fake iptables) from a local Kubernetes tree given by path, offline with its
vendor/ directory and the `providerless` tag (or reuses them from --bin), then starts the reference
etcd and apiserver with `kubeatlas cluster`'s own code and the real components in place of ours, in
their default (protobuf) encoding. Between them and the apiserver sits a recording proxy: it
terminates TLS with a certificate the cluster's CA signs, forwards each request with the admin
client certificate, and logs method, path, query, content type, body, status and, for a failure,
the Status message.

The scenario, driven with kubectl straight to the apiserver, stops at its first step that does not
happen within --step-timeout: 3 kubemark nodes registered and Ready → a Deployment of 3 replicas
and a Service → a ReplicaSet made by the real controller-manager → 3 pods bound by the real
scheduler → Running → an EndpointSlice with 3 endpoints, and the kubemark proxy's iptables sync
logged (its iptables is a fake, so its log is the only evidence) → scaled to 1 → the namespace
deleted.

Prints the failed requests grouped by (component, method, path pattern, status, message) and the
scenario's steps, and writes benchmarks/results/upstream_compat.json; with --corpus DIR it adds
the request shapes DIR/requests.jsonl lacks (one body per method, path pattern, kind and content
type), the corpus tests/reference/cluster/test_upstream_corpus.py replays.

    python benchmarks/upstream_compat.py --tree K8S_TREE_DIR [--bin DIR] [--corpus DIR]
        [--ours scheduler,controller-manager]
"""
from __future__ import annotations

import argparse
import base64
import collections
import http.client
import http.server
import json
import os
import re
import ssl
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

import yaml  # noqa: E402

from reference_impl import cluster as local_cluster  # noqa: E402
from reference_impl.apiserver.core import protobuf  # noqa: E402
from reference_impl.apiserver.adapter.certs import issue_apiserver_serving_cert  # noqa: E402
from reference_impl.machinery.certutil import KeyPair  # noqa: E402

RESULTS = Path(__file__).parent / "results"
COMMANDS = {"kube-scheduler": "cmd/kube-scheduler", "kube-controller-manager": "cmd/kube-controller-manager",
            "kubemark": "cmd/kubemark"}
GO_ENV = {"GOFLAGS": "-mod=vendor", "GOPROXY": "off", "CGO_ENABLED": "0", "GOTOOLCHAIN": "local"}
NAMESPACE = "compat"
PROTOBUF = "application/vnd.kubernetes.protobuf"
MAX_CORPUS_ENTRIES = 300


def build(tree: Path, bin_dir: Path) -> dict[str, float | None]:
    """Each command built into bin_dir unless already there; seconds per build (None: reused)."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    times: dict[str, float | None] = {}
    for name, package in COMMANDS.items():
        if (bin_dir / name).exists():
            times[name] = None
            continue
        started = time.monotonic()
        done = subprocess.run(["go", "build", "-tags", "providerless", "-o", str(bin_dir / name), f"./{package}"],
                              cwd=tree, env={**os.environ, **GO_ENV}, capture_output=True, text=True)
        if done.returncode != 0:
            raise SystemExit(f"go build {package} failed:\n{done.stderr[-3000:]}")
        times[name] = time.monotonic() - started
    return times


# --- the recording proxy -------------------------------------------------------------------------

def protobuf_fields(data: bytes) -> dict[int, bytes]:
    """The length-delimited fields of one protobuf message (the last of each number); enough to
    read the envelope's TypeMeta and a Status's message, no more. A body cut short gives what
    came before the cut."""
    found: dict[int, bytes] = {}
    try:
        for number, wire, value in protobuf.fields(data):
            if wire == 2:
                found[number] = value
    except protobuf.ProtobufError:
        pass
    return found


def body_kind(content_type: str, body: bytes) -> tuple[str, str]:
    """(apiVersion, kind) a request body declares: the protobuf envelope's TypeMeta or the JSON's."""
    if body.startswith(b"k8s\x00"):  # runtime.Unknown{typeMeta=1{apiVersion=1, kind=2}, raw=2}
        type_meta = protobuf_fields(protobuf_fields(body[4:]).get(1, b""))
        return type_meta.get(1, b"").decode(errors="replace"), type_meta.get(2, b"").decode(errors="replace")
    if "patch" in content_type:
        return "", "patch"
    try:
        data = json.loads(body)
        return str(data.get("apiVersion", "")), str(data.get("kind", ""))
    except (ValueError, AttributeError):
        return "", ""


def status_message(content_type: str, body: bytes) -> str:
    """The message of a failure's Status, JSON or protobuf (Status.message is field 3)."""
    if body.startswith(b"k8s\x00"):
        raw = protobuf_fields(body[4:]).get(2, b"")
        return protobuf_fields(raw).get(3, b"").decode(errors="replace")
    try:
        return str(json.loads(body).get("message", ""))
    except (ValueError, AttributeError):
        return body[:200].decode(errors="replace")


class Recorder:
    """The requests seen so far, appended as JSON lines to a file and kept in memory."""

    def __init__(self, path: Path) -> None:
        self.path, self.records, self.lock = path, [], threading.Lock()

    def add(self, record: dict) -> None:
        with self.lock:
            self.records.append(record)
            with open(self.path, "a") as out:
                out.write(json.dumps(record) + "\n")


def recording_proxy(upstream: str, ca: KeyPair, client_tls: ssl.SSLContext, recorder: Recorder,
                    work: Path) -> http.server.ThreadingHTTPServer:
    """An HTTPS server on a free loopback port that forwards to `upstream` and records each exchange.
    Responses without a length (watches) are relayed chunk by chunk as they arrive."""
    host, port = upstream.removeprefix("https://").rsplit(":", 1)
    serving = issue_apiserver_serving_cert(ca)
    (work / "proxy.crt").write_bytes(serving.cert_pem)
    (work / "proxy.key").write_bytes(serving.key_pem)
    server_tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_tls.load_cert_chain(work / "proxy.crt", work / "proxy.key")
    server_tls.set_alpn_protocols(["http/1.1"])  # Go's client would otherwise try HTTP/2

    class Forward(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: object) -> None:
            pass

        def relay(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host", "connection")}
            path, _, query = self.path.partition("?")
            record = {"time": time.time(), "agent": self.headers.get("User-Agent", ""), "method": self.command,
                      "path": path, "query": query, "content_type": self.headers.get("Content-Type", ""),
                      "accept": self.headers.get("Accept", ""), "body": base64.b64encode(body).decode(),
                      "status": 0, "message": ""}
            connection = http.client.HTTPSConnection(host, int(port), context=client_tls, timeout=600)
            try:
                connection.request(self.command, self.path, body=body or None, headers=headers)
                answer = connection.getresponse()
            except (OSError, http.client.HTTPException) as err:
                recorder.add({**record, "status": 502, "message": f"proxy: apiserver unreachable: {err}"})
                self.send_error(502)
                return
            record["status"] = answer.status
            self.send_response(answer.status)
            for key, value in answer.getheaders():
                if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                    self.send_header(key, value)
            if answer.getheader("Content-Length") is not None:
                data = answer.read()
                if answer.status >= 400:
                    record["message"] = status_message(answer.getheader("Content-Type", ""), data)
                elif self.command == "POST":  # the name a generateName create was given
                    record["created"] = object_name(data)
                recorder.add(record)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            else:
                recorder.add(record)
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                try:
                    while chunk := answer.read1(65536):
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                        self.wfile.flush()
                    self.wfile.write(b"0\r\n\r\n")
                except (OSError, http.client.HTTPException):
                    self.close_connection = True  # a watcher went away, or the apiserver did
            connection.close()

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = relay

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Forward)
    server.daemon_threads = True
    server.socket = server_tls.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def proxied_kubeconfig(admin: Path, port: int, path: Path) -> Path:
    config = yaml.safe_load(admin.read_text())
    config["clusters"][0]["cluster"]["server"] = f"https://127.0.0.1:{port}"
    path.write_text(yaml.safe_dump(config))
    path.chmod(0o600)
    return path


def admin_tls(admin: Path) -> tuple[ssl.SSLContext, KeyPair]:
    """TLS to the apiserver as the admin, and the cluster's CA (from the apiserver's cert dir)."""
    config = yaml.safe_load(admin.read_text())
    pki = admin.parent / "pki"
    user = config["users"][0]["user"]
    (pki / "proxy-client.crt").write_bytes(base64.b64decode(user["client-certificate-data"]))
    (pki / "proxy-client.key").write_bytes(base64.b64decode(user["client-key-data"]))
    context = ssl.create_default_context(cafile=str(pki / "ca.crt"))
    context.load_cert_chain(pki / "proxy-client.crt", pki / "proxy-client.key")
    return context, KeyPair((pki / "ca.crt").read_bytes(), (pki / "ca.key").read_bytes())


# --- what the records say --------------------------------------------------------------------------

def path_pattern(path: str) -> str:
    """/api/v1/namespaces/compat/pods/web-x/status → /api/v1/namespaces/{namespace}/pods/{name}/status."""
    parts = path.strip("/").split("/")
    start = 2 if parts[:1] == ["api"] else 3 if parts[:1] == ["apis"] else len(parts)
    rest = parts[start:]
    if len(rest) >= 2 and rest[0] == "namespaces":
        rest[1] = "{namespace}" if len(rest) > 2 else "{name}"
    resource_at = 2 if rest[:1] == ["namespaces"] and len(rest) > 2 else 0
    if len(rest) > resource_at + 1:
        rest[resource_at + 1] = "{name}"
    return "/" + "/".join(parts[:start] + rest)


def component(agent: str) -> str:
    return agent.split("/", 1)[0] or "(no User-Agent)"


def why(status: int, message: str) -> str:
    """What a failed answer means: what clients expect of any apiserver (an object not there yet, a
    write that lost a race, a create in a namespace being deleted), a resource the reference does
    not serve, or a request it refused."""
    if status == 409:
        return "conflict"
    if status == 403 and message.endswith("because it is being terminated"):
        return "terminating"
    if status == 404:
        return "object absent" if re.search(r'"[^"]*" not found$', message) else "NOT SERVED"
    return "REFUSED"


def failures(records: list[dict]) -> list[tuple[tuple[str, str, str, str, int, str], int]]:
    """Failed requests grouped by (why, component, method, path pattern, status, message), the
    groups that are the reference's fault first, then by count."""
    groups = collections.Counter(
        (why(r["status"], r["message"]), component(r["agent"]), r["method"], path_pattern(r["path"]),
         r["status"], r["message"][:160])
        for r in records if r["status"] >= 400)
    return sorted(groups.items(), key=lambda item: (item[0][0].islower(), -item[1], item[0]))


def entry_key(entry: dict) -> tuple[str, str, str, str]:
    """What makes two recorded bodies the same shape: method, path pattern, kind, media type."""
    return entry["method"], entry["pattern"], entry["kind"], entry["content_type"].split(";")[0]


def corpus(records: list[dict], existing: list[dict] = ()) -> list[dict]:
    """`existing` followed by one body per (method, path pattern, kind, content type) it lacks, in
    the order first seen; the POST that created the object of a kept PUT, PATCH or DELETE is kept
    before it, so a replay finds it."""
    entries, creates = list(existing), {}
    seen = {entry_key(entry) for entry in entries}
    for record in records:
        if not record["body"]:
            continue
        body = base64.b64decode(record["body"])
        api_version, kind = body_kind(record["content_type"], body)
        entry = {"method": record["method"], "path": record["path"], "query": record["query"],
                 "pattern": path_pattern(record["path"]), "content_type": record["content_type"],
                 "api_version": api_version, "kind": kind, "component": component(record["agent"]),
                 "body": record["body"]}
        if record["method"] == "POST" and record.get("created"):
            entry["created"] = record["created"]
            creates[record["path"].rstrip("/") + "/" + record["created"]] = entry
        key = entry_key(entry)
        if key in seen or len(entries) >= MAX_CORPUS_ENTRIES:
            continue
        seen.add(key)
        if record["method"] in ("PUT", "PATCH", "DELETE"):
            object_path = re.sub(r"/(status|scale|binding|finalize)$", "", record["path"])
            setup = creates.get(object_path)
            if setup is not None and setup not in entries:
                entries.append(setup)
        entries.append(entry)
    return entries


def write_corpus(path: Path, records: list[dict]) -> int:
    """Add the shapes `records` has and the corpus at `path` lacks; how many entries it now holds."""
    existing = [json.loads(line) for line in path.read_text().splitlines() if line.strip()] if path.exists() else []
    entries = corpus(records, existing)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as out:
        for entry in entries:
            out.write(json.dumps(entry, sort_keys=True) + "\n")
    return len(entries)


def object_name(data: bytes) -> str:
    """metadata.name of an object, JSON or protobuf (Unknown.raw=2 → ObjectMeta=1 → name=1)."""
    if data.startswith(b"k8s\x00"):
        raw = protobuf_fields(data[4:]).get(2, b"")
        return protobuf_fields(protobuf_fields(raw).get(1, b"")).get(1, b"").decode(errors="replace")
    try:
        return str(json.loads(data).get("metadata", {}).get("name", ""))
    except (ValueError, AttributeError):
        return ""


# --- the scenario ---------------------------------------------------------------------------------

class Scenario:
    """kubectl against the apiserver itself (not through the proxy), each step waited for."""

    def __init__(self, kubeconfig: Path, work: Path, timeout: float) -> None:
        self.kubeconfig, self.timeout = kubeconfig, timeout
        self.env = {**{k: v for k, v in os.environ.items() if not k.startswith("KUBE")}, "HOME": str(work)}
        self.steps: list[dict] = []

    def kubectl(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run(["kubectl", f"--kubeconfig={self.kubeconfig}", "--request-timeout=20s", *args],
                              input=stdin, capture_output=True, text=True, env=self.env, timeout=60)

    def items(self, *args: str) -> list[dict]:
        done = self.kubectl("get", *args, "-o", "json")
        return json.loads(done.stdout).get("items", []) if done.returncode == 0 else []

    def step(self, name: str, check) -> bool:
        """Wait until `check()` returns a true note; record the step either way."""
        started = time.monotonic()
        note = None
        while time.monotonic() - started < self.timeout:
            try:
                note = check()
            except (subprocess.SubprocessError, ValueError):
                note = None
            if note:
                break
            time.sleep(1)
        self.steps.append({"step": name, "ok": bool(note), "seconds": round(time.monotonic() - started, 1),
                           "note": note if note else f"not within {self.timeout:.0f} s"})
        return bool(note)


def run_scenario(scenario: Scenario, proxy_log: Path, recorder: Recorder) -> None:
    s, ns = scenario, NAMESPACE

    def nodes_ready():
        ready = [n["metadata"]["name"] for n in s.items("nodes") if any(
            c.get("type") == "Ready" and c.get("status") == "True" for c in n.get("status", {}).get("conditions", []))]
        return f"Ready: {', '.join(sorted(ready))}" if len(ready) >= 3 else None

    def created():
        s.kubectl("create", "namespace", ns)
        s.kubectl("-n", ns, "create", "deployment", "web", "--image=registry.k8s.io/pause:3.7", "--replicas=3")
        s.kubectl("-n", ns, "expose", "deployment", "web", "--port=80", "--target-port=8080")
        return "deployment and service created" if s.items("-n", ns, "deployment") else None

    def replica_set():
        owned = [r["metadata"]["name"] for r in s.items("-n", ns, "replicasets")
                 if any(o.get("kind") == "Deployment" for o in r["metadata"].get("ownerReferences", []))]
        return f"ReplicaSet {owned[0]}" if owned else None

    def pods(predicate, count):
        def check():
            # Terminating pods count too: a pod is gone only once its kubelet has confirmed it.
            live = s.items("-n", ns, "pods")
            chosen = [p for p in live if predicate(p)]
            if len(chosen) == count and len(live) == count:
                return ", ".join(sorted(f"{p['metadata']['name']}@{p['spec'].get('nodeName')}" for p in chosen))
            return None
        return check

    def endpoints():
        # kubemark's fake runtime gives every pod 192.168.192.168, and the EndpointSlice controller
        # keeps one endpoint per address, so one ready endpoint is all 3 pods can make.
        slices = s.items("-n", ns, "endpointslices", "-l", "kubernetes.io/service-name=web")
        ready = [e for sl in slices for e in sl.get("endpoints") or [] if e.get("conditions", {}).get("ready")]
        if not ready:
            return None
        synced = [line for line in proxy_log.read_text(errors="replace").splitlines()
                  if "SyncProxyRules complete" in line]
        addresses = sorted({a for e in ready for a in e.get("addresses", [])})
        return (f"{len(ready)} ready endpoint(s) at {', '.join(addresses)}; "
                f"proxy logged {len(synced)} iptables syncs") if synced else None

    def scaled():
        s.kubectl("-n", ns, "scale", "deployment", "web", "--replicas=1")
        return pods(lambda p: True, 1)()

    def namespace_gone():
        s.kubectl("delete", "namespace", ns, "--wait=false")
        done = s.kubectl("get", "namespace", ns)
        if done.returncode == 0 or "NotFound" not in done.stderr:
            return None
        # Upstream, the namespace controller empties a Terminating namespace and then finalizes it.
        finalized = any(r["method"] == "PUT" and r["path"] == f"/api/v1/namespaces/{ns}/finalize"
                        for r in recorder.records)
        return "namespace gone" + ("; finalized by the namespace controller" if finalized else
                                   "; not by the namespace controller (it never called finalize)")

    steps = [("3 kubemark nodes Ready", nodes_ready), ("Deployment (3) and Service created", created),
             ("ReplicaSet by the controller-manager", replica_set),
             ("3 pods bound by the scheduler", pods(lambda p: p["spec"].get("nodeName"), 3)),
             ("3 pods Running", pods(lambda p: p.get("status", {}).get("phase") == "Running", 3)),
             ("EndpointSlice and proxy rules", endpoints), ("scaled to 1", scaled),
             ("namespace deleted", namespace_gone)]
    for name, check in steps:
        if not s.step(name, check):
            break
    for name, _ in steps[len(s.steps):]:
        s.steps.append({"step": name, "ok": False, "seconds": 0, "note": "not reached"})


# --- main -----------------------------------------------------------------------------------------

def print_report(builds: dict, failed: list, total: int, steps: list[dict], top: int) -> None:
    print("builds: " + ", ".join(f"{n} {'reused' if t is None else f'{t:.0f} s'}" for n, t in builds.items()))
    print(f"\n{sum(c for _, c in failed)} of {total} requests failed, in {len(failed)} groups\n")
    print(f"{'count':>5}  {'why':<13} {'component':<24} {'method':<6} {'status':>6}  path / message")
    for (reason, who, method, pattern, status, message), count in failed[:top]:
        print(f"{count:>5}  {reason:<13} {who[:24]:<24} {method:<6} {status:>6}  {pattern}\n{'':>59}{message}")
    if len(failed) > top:
        print(f"  … {len(failed) - top} more groups in the JSON")
    print("\nscenario")
    for step in steps:
        print(f"  {'ok ' if step['ok'] else 'NO '} {step['step']:<38} {step['seconds']:>6} s  {step['note']}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tree", type=Path, required=True, help="a Kubernetes work tree (1.24-era, vendored)")
    parser.add_argument("--bin", type=Path, default=None,
                        help="where the binaries are built, or reused from (default: a temporary directory)")
    parser.add_argument("--corpus", type=Path, default=None,
                        help="add the request shapes the corpus in this directory lacks (requests.jsonl)")
    parser.add_argument("--step-timeout", type=float, default=90.0, help="seconds each scenario step may take")
    parser.add_argument("--settle", type=float, default=20.0,
                        help="seconds to keep recording after the scenario (later retries and resyncs)")
    parser.add_argument("--top", type=int, default=40, help="failure groups printed")
    parser.add_argument("--ours", default="", metavar="COMPONENTS",
                        help="run these reference components instead of the real ones, e.g. "
                        "scheduler,controller-manager (the issue's target holds for both)")
    args = parser.parse_args(argv)
    if not (args.tree / "cmd" / "kubemark").is_dir():
        parser.error(f"{args.tree} is not a Kubernetes tree with cmd/kubemark")
    unknown = set(filter(None, args.ours.split(","))) - set(local_cluster.UPSTREAM)
    if unknown:
        parser.error(f"--ours: unknown component {sorted(unknown)[0]!r}: choose from {', '.join(local_cluster.UPSTREAM)}")
    work = Path(tempfile.mkdtemp(prefix="upstream-compat-"))
    bin_dir = args.bin or work / "bin"
    builds = build(args.tree.resolve(), bin_dir.resolve())
    directory = work / "cluster"
    plane = local_cluster.up(directory, kubelets=0, only=("etcd", "apiserver"))
    components: list[local_cluster.Process] = []
    proxy = None
    recorder = Recorder(work / "requests.jsonl")
    try:
        client_tls, ca = admin_tls(Path(plane.kubeconfig))
        upstream = yaml.safe_load(Path(plane.kubeconfig).read_text())["clusters"][0]["cluster"]["server"]
        proxy = recording_proxy(upstream, ca, client_tls, recorder, work)
        kubeconfig = proxied_kubeconfig(Path(plane.kubeconfig), proxy.server_address[1], directory / "proxied.kubeconfig")
        binaries = {"controller-manager": bin_dir / "kube-controller-manager", "scheduler": bin_dir / "kube-scheduler",
                    "kubelet": bin_dir / "kubemark", "proxy": bin_dir / "kubemark"}
        for name in filter(None, args.ours.split(",")):
            binaries.pop(name)
        components = local_cluster.start_nodes_and_controllers(
            directory, kubeconfig, 3, upstream={k: v.resolve() for k, v in binaries.items()})
        scenario = Scenario(Path(plane.kubeconfig), work, args.step_timeout)
        run_scenario(scenario, directory / "logs" / "proxy.log", recorder)
        time.sleep(args.settle)
        exited = [p.name for p in (*plane.processes, *components) if not p.running()]
        records = list(recorder.records)  # what components retry while they are stopped is not theirs
    finally:
        local_cluster.stop(components)
        if proxy is not None:
            proxy.shutdown()
        local_cluster.stop(list(plane.processes))
    failed = failures(records)
    print_report(builds, failed, len(records), scenario.steps, args.top)
    if exited:
        print(f"\nexited before the end: {', '.join(exited)} (logs in {directory / 'logs'})")
    RESULTS.mkdir(exist_ok=True)
    result = {"tree": str(args.tree), "builds_seconds": builds, "ours": args.ours, "requests": len(records),
              "failed_requests": sum(c for _, c in failed), "exited": exited,
              "failures": [{"why": k[0], "component": k[1], "method": k[2], "path": k[3], "status": k[4],
                            "message": k[5], "count": c} for k, c in failed],
              "scenario": scenario.steps, "work": str(work)}
    suffix = "_ours_" + args.ours.replace(",", "_") if args.ours else ""
    (RESULTS / f"upstream_compat{suffix}.json").write_text(json.dumps(result, indent=2) + "\n")
    if args.corpus:
        count = write_corpus(args.corpus / "requests.jsonl", records)
        print(f"\ncorpus: {count} requests in {args.corpus / 'requests.jsonl'}")
    print(f"records and logs: {work}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
