"""Run the reference kubelet: register the Node, renew its Lease in kube-node-lease, run the pods
bound to it as local processes (`runtime.ProcessRuntime`) and patch their status.

`python -m reference_impl.kubelet.run --kubeconfig PATH --node-name NAME --root-dir DIR
[--hollow-nodes N] [--capacity cpu=4,memory=8Gi,pods=110] [--pod-cidr 127.0.N.0/24]` prints one "ready" line once its
Node is registered and exits 0 on SIGTERM or SIGINT, stopping the containers it started (a real
kubelet leaves them to the runtime; here nothing else would reap them).

With --hollow-nodes N it is kwok-style: N nodes NAME-0 .. NAME-<N-1>, each a hollow `Kubelet`
core whose pods are reported Running and Ready with no process behind them, and each serving its
API on a port of its own with a certificate of its own, as kubemark's hollow kubelets do (one
thread accepts for all of them, `logserver.AcceptLoop`).

A node talks to the apiserver as --kubeconfig's user, or as itself (system:node:NAME in
system:nodes, which the Node authorizer and NodeRestriction judge): one node with a client
certificate the cluster CA signs at start-up (--node-ca-cert-file), hollow nodes impersonated on
the process's one connection (--impersonate-nodes).

Each pod gets its own loopback address from --pod-cidr (default 127.0.N.0/24 for a node named
…-N, N from 1 to 254), so pods on one host can all listen on the same port.

Container logs go to DIR/pods/<namespace>_<pod>_<uid>/<container>/<restartCount>.log, in the CRI
log format (each line stamped with its time, `crilog`), and are served
on a free port of the node's address (`logserver.LogServer`, `/containerLogs/...`), which also runs
`kubectl exec`'s commands in a container's environment (`/exec/...`, `execserver`); the port goes
into the Node's status.daemonEndpoints.kubeletEndpoint, where the apiserver's pods/log and pods/exec look.
The same port serves the node API (`/pods`, `/stats/summary`, `/metrics/resource`, `/configz`, ...;
`host`) and, as upstream's kubelet does, the host's /var/log under `/logs/` to users allowed
nodes/log.

That API is served as kubeadm configures the kubelet's: HTTPS with --tls-cert-file (else a
self-signed certificate in --cert-dir), client certificates of --client-ca-file and bearer tokens
(TokenReview) authenticated, no anonymous access, each request authorized by a SubjectAccessReview
(--authorization-mode=Webhook); see `auth` and `serving`.

Volumes are set up under DIR/pods/<uid>/volumes from the ConfigMaps, Secrets, PVCs and service
account tokens read here through the API (`ApiVolumeSources`); FailedMount and other events are
written as core/v1 Events, repeats counted on one Event as client-go's recorder does.
"""
from __future__ import annotations

import argparse
import ipaddress
import re
import resource
import ssl
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from reference_impl.machinery.clock import WallClock
from reference_impl.machinery.timefmt import format_duration
from reference_impl.machinery import quantity
from reference_impl.client import TRANSPORT_ERRORS, APIStatusError, ClientError, KubeconfigError
from reference_impl.client.cache import NAMESPACE_INDEX, ResourceEventHandler, namespace_index
from reference_impl.client.apply import apply
from reference_impl.client.record import EventRecorder
from reference_impl.client.rest import RestClient
from reference_impl.client.informer import Informer, load_client, log, start_and_sync, stop_informers
from reference_impl.apiserver.core.auth import AuthConfigError, BearerTokenAuthenticator, RequestAuthenticator, \
    X509Authenticator, token_authenticators
from reference_impl.kubelet.actions import PodKey, RegisterNode, SignalContainer, UpdateLease
from reference_impl.kubelet.auth import ALLOW_CACHE_TTL, DENY_CACHE_TTL, TOKEN_CACHE_TTL, KubeletAuth
from reference_impl.machinery.componentserver import review
from reference_impl.machinery.delegatedauth import AlwaysAllowAuthorizer, TokenReviewAuthenticator, WebhookAuthorizer
from reference_impl.kubelet import config
from reference_impl.kubelet.certificate import NODE_USER_PREFIX, NODES_GROUP, issue_node_client_cert
from reference_impl.kubelet.errors import KubeletError
from reference_impl.kubelet.host import KubeletHost
from reference_impl.kubelet.kubelet import LEASE_DURATION_SECONDS, NODE_IP, NODE_STATUS_REPORT_FREQUENCY, Kubelet
from reference_impl.kubelet.logserver import AcceptLoop, LogServer
from reference_impl.kubelet.runtime import ProcessRuntime, execute
from reference_impl.kubelet.serving import self_signed_pair
from reference_impl.machinery.certutil import CertError, load_pair
from reference_impl.machinery.goserver import ServingError, serving_context
from reference_impl.kubelet.volumemanager import VolumeManager
from reference_impl.kubelet.volumes import VolumeSetUpError
from reference_impl.machinery.actions import Delete, Patch, RecordEvent
from reference_impl.machinery import pflag, upstreamflags
from reference_impl.machinery.crash import Crash
from reference_impl.machinery.process import Component, Process, env_default, relax_collector
from reference_impl.machinery.process import main as machinery_main
from reference_impl.mirrors import mirrors

COMPONENT = "kubelet"
SYNC_PERIOD = 0.5
# Hollow pods run nothing to probe or reap: a full pass over every hollow node is only needed
# for Lease renewals and node status, so it runs at upstream's housekeeping period instead.
HOLLOW_SYNC_PERIOD = 2.0
NODE_NAME_INDEX = "spec.nodeName"
STOP_GRACE = 5.0
DEFAULT_CAPACITY = "cpu=4,memory=8Gi,pods=110"
AUTHORIZATION_MODES = ("Webhook", "AlwaysAllow")
# Open files the process needs beside its nodes' listeners: stdio, its connections to the
# apiserver, the accept loop's epoll, the files it reads at start.
PROCESS_OPEN_FILES = 64


def _node_name(pod: dict) -> list[str]:
    name = (pod.get("spec") or {}).get("nodeName")
    return [name] if name else []


def parse_capacity(text: str) -> dict:
    """--capacity's `name=quantity,...` as a dict; what it refuses is a flag error."""
    try:
        pairs = [item.split("=", 1) for item in text.split(",") if item.strip()]
        capacity = {k.strip(): v.strip() for k, v in pairs}
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected name=quantity,...") from None
    for name, value in capacity.items():
        amount = quantity.exact(value)
        if amount is None or amount < 0:
            raise argparse.ArgumentTypeError(
                f"{name}={value}: {'not a quantity' if amount is None else 'negative'}, "
                "expected e.g. cpu=4,memory=8Gi,pods=110")
    return capacity


# The token manager refreshes a token once 80% of its lifetime has passed, or after 24 hours.
TOKEN_REFRESH_FRACTION = 0.8
TOKEN_MAX_AGE_SECONDS = 24 * 3600


def _set_up_error(error: Exception) -> VolumeSetUpError:
    """The error a volume plugin reports: an API refusal in its Status's words, as a Go StatusError prints."""
    message = error.status.get("message") if isinstance(error, APIStatusError) else None
    return VolumeSetUpError(message or str(error))


class ApiVolumeSources:
    """`volumes.VolumeSources` over the REST API: GETs (404 is None) and TokenRequests, whose
    tokens are kept until they need refreshing, as the kubelet's token manager keeps them."""

    def __init__(self, client: RestClient, clock) -> None:
        self.client, self.clock = client, clock
        self.tokens: dict[tuple, tuple[str, float]] = {}  # request -> (token, when to refresh it)

    def _get(self, path: str) -> dict | None:
        try:
            return self.client.request("GET", path)
        except APIStatusError as error:
            if error.code == 404:
                return None
            raise _set_up_error(error) from None
        except (ClientError, OSError) as error:
            raise _set_up_error(error) from None

    def config_map(self, namespace: str, name: str) -> dict | None:
        return self._get(f"/api/v1/namespaces/{namespace}/configmaps/{name}")

    def secret(self, namespace: str, name: str) -> dict | None:
        return self._get(f"/api/v1/namespaces/{namespace}/secrets/{name}")

    def persistent_volume_claim(self, namespace: str, name: str) -> dict | None:
        return self._get(f"/api/v1/namespaces/{namespace}/persistentvolumeclaims/{name}")

    def persistent_volume(self, name: str) -> dict | None:
        return self._get(f"/api/v1/persistentvolumes/{name}")

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet/token.Manager).GetServiceAccountToken")
    def service_account_token(self, namespace: str, service_account: str, spec: dict) -> str:
        key = (namespace, service_account, tuple(spec["audiences"]), spec["expirationSeconds"],
               spec["boundObjectRef"]["uid"])
        now = self.clock.now()
        cached = self.tokens.get(key)
        if cached is not None and now < cached[1]:
            return cached[0]
        body = {"apiVersion": "authentication.k8s.io/v1", "kind": "TokenRequest", "spec": spec}
        try:
            answer = self.client.request(
                "POST", f"/api/v1/namespaces/{namespace}/serviceaccounts/{service_account}/token", body)
        except (ClientError, OSError) as error:
            raise _set_up_error(error) from None
        lifetime = answer["spec"].get("expirationSeconds") or spec["expirationSeconds"]
        self.tokens[key] = (answer["status"]["token"],
                            now + min(TOKEN_REFRESH_FRACTION * lifetime, TOKEN_MAX_AGE_SECONDS))
        return answer["status"]["token"]

    def forget_pod(self, uid: str) -> None:
        self.tokens = {key: value for key, value in self.tokens.items() if key[-1] != uid}


@dataclass(frozen=True)
class NodeServing:
    """How one node's kubelet API is served: its TLS context and auth filter (None for either: a
    test's plain HTTP, every request served) and, given the port it listens on, what /configz shows."""

    tls: ssl.SSLContext | None
    auth: KubeletAuth | None
    configuration: Callable[[int], dict] = lambda port: {}


class KubeletRunner:
    """The kubelet process's loops over its node (or hollow nodes); each node's API is served on a
    port of its own as `serving` says for that node's name."""

    def __init__(self, client: RestClient, node_name: str, root_dir: Path, hollow_nodes: int,
                 capacity: dict, pod_cidr: str | None = None,
                 lease_duration_seconds: int = LEASE_DURATION_SECONDS, stop: threading.Event | None = None, *,
                 serving: Callable[[str], NodeServing],
                 node_client: Callable[[str], RestClient] | None = None):
        self.stop, self.wake = stop or threading.Event(), threading.Event()
        clock = WallClock()
        hollow = hollow_nodes > 0
        self.sync_period = HOLLOW_SYNC_PERIOD if hollow else SYNC_PERIOD
        names = [f"{node_name}-{i}" for i in range(hollow_nodes)] if hollow else [node_name]
        self.kubelets = {name: Kubelet(name, clock, capacity=capacity, hollow=hollow,
                                       pod_cidr=None if hollow else pod_cidr,
                                       lease_duration_seconds=lease_duration_seconds) for name in names}
        # What each node writes (its Node, Lease, pods' status, events) it writes as itself, so the
        # Node authorizer judges it as that node; the shared pod watch stays the process's.
        self.clients = {name: node_client(name) if node_client else client for name in names}
        self.volume_sources = ApiVolumeSources(client, clock)
        volumes = VolumeManager(root_dir / "pods", self.volume_sources, capacity)
        self.runtime = ProcessRuntime(root_dir / "pods", volumes)
        self.recorders = {name: EventRecorder(self.clients[name], clock, lambda message: log(COMPONENT, message),
                                              sleep=self.stop.wait)
                          for name in names}
        path = "/api/v1/pods"
        if not hollow:  # one node: let the apiserver filter, as the kubelet's pod source does
            path += "?" + urllib.parse.urlencode({"fieldSelector": f"spec.nodeName={node_name}"})
        # A pod handler that raises is a panic: upstream's pod source (config.NewSourceApiserver)
        # is a Reflector pushing to an UndeltaStore, run under wait.BackoffUntil's HandleCrash.
        self.crash = Crash(lambda message: log(COMPONENT, message), self.stop, self.wake)
        self.pods = Informer(client, path, self.stop, self.wake, COMPONENT,
                             indexers={NAMESPACE_INDEX: namespace_index, NODE_NAME_INDEX: _node_name},
                             handle_error=self.crash.handler_error)
        # Nodes whose pods changed since their last sync: a pod event wakes only its own kubelet
        # (as upstream's pod config hands each kubelet its own updates); sync_period syncs all.
        self.dirty: set[str] = set()
        self.dirty_lock = threading.Lock()
        self.pods.store.add_event_handler(ResourceEventHandler(self._touch, self._touch, self._touch))
        self.rejected: set[str] = set()
        self.latest_leases: dict[str, dict] = {}  # node name -> its Lease as our last write returned it
        # Each node's API on a port of its own, as each of kubemark's hollow kubelets serves its
        # own: the port its status reports is where the apiserver's pods/log and pods/exec go.
        self.hosts = {name: KubeletHost(kubelet, None if hollow else self.runtime)
                      for name, kubelet in self.kubelets.items()}
        self.log_servers = {name: self._log_server(name, root_dir, serving(name)) for name in names}
        self.accept_loop = AcceptLoop(list(self.log_servers.values()), failed=self.stop)

    def _log_server(self, name: str, root_dir: Path, node: NodeServing) -> LogServer:
        server = LogServer(root_dir / "pods", self._pod_finder(name),
                           lambda key, container: (key, container) in self.runtime.processes,
                           host=self.kubelets[name].node_ip, exec_target=self.runtime.exec_target,
                           attach_target=self.runtime.attach_target, pod_address=self._pod_address,
                           tls=node.tls, auth=node.auth, kubelet_host=self.hosts[name])
        self.hosts[name].config = node.configuration(server.port)
        return server

    def _pod_finder(self, node_name: str) -> Callable[[str, str], dict | None]:
        """A node's lookup of a pod by name: only pods bound to it, as its pod manager knows them."""
        def find_pod(namespace: str, name: str) -> dict | None:
            pod = self.pods.store.get(f"{namespace}/{name}")
            return pod if pod is not None and _node_name(pod) == [node_name] else None
        return find_pod

    def _pod_address(self, key: PodKey) -> str | None:
        """The IP the kubelet gave the pod's sandbox; None before it has one."""
        for kubelet in self.kubelets.values():
            record = kubelet.pods.get(key.uid)
            if record is not None and record.pod_ip:
                return record.pod_ip
        return None

    def _with_endpoint(self, node_name: str, status: dict) -> dict:
        """The node status plus the port its API listens on, as the kubelet reports it."""
        return {**status, "daemonEndpoints": {"kubeletEndpoint": {"Port": self.log_servers[node_name].port}}}

    @mirrors("k8s.io/kubernetes/pkg/kubelet/server.ListenAndServeKubeletServer")
    def run(self, out) -> None:
        """The nodes' loops until the process stops; KubeletError when the nodes' API can no
        longer be served, which ends the kubelet as it ends upstream's; a Panic when any thread
        panicked (see machinery.crash), once the pod informer, whose handler may still, has stopped."""
        self.accept_loop.start()
        try:
            self._run(out)
        finally:
            self.close()
            stop_informers([self.pods], self.stop)
            self.crash.raise_panic()
        if self.accept_loop.error is not None:
            raise KubeletError(f"Failed to listen and serve: {self.accept_loop.error}")

    def close(self) -> None:
        """Close every node's listening socket, bound when the runner was made (run or not)."""
        self.accept_loop.stop()

    def _run(self, out) -> None:
        for kubelet in self.kubelets.values():
            while not kubelet.registered and not self.stop.is_set():
                self.perform(kubelet, kubelet.register_node())
                if not kubelet.registered:
                    self.stop.wait(1.0)
        if not start_and_sync([self.pods], self.stop, "pod cache"):
            return
        relax_collector()  # the registered nodes and the synced pod cache live as long as it does
        names = ", ".join(self.kubelets) if len(self.kubelets) <= 5 else f"{len(self.kubelets)} hollow nodes"
        print(f"ready: reference kubelet for node {names} "
              f"({'hollow' if next(iter(self.kubelets.values())).hollow else 'process runtime'})",
              file=out, flush=True)
        try:
            next_full_sync = 0.0
            while not self.stop.is_set():
                self.wake.clear()
                if time.monotonic() >= next_full_sync:
                    next_full_sync = time.monotonic() + self.sync_period
                    with self.dirty_lock:
                        self.dirty.clear()
                    self.sync_nodes(list(self.kubelets))
                else:
                    with self.dirty_lock:
                        names, self.dirty = self.dirty, set()
                    self.sync_nodes(sorted(names))
                self.wake.wait(max(0.0, next_full_sync - time.monotonic()))
        finally:
            self.shut_down()

    def _touch(self, *pods: dict) -> None:
        with self.dirty_lock:
            for pod in pods:
                self.dirty.update(_node_name(pod))

    def sync_nodes(self, names: list[str]) -> None:
        """One syncLoopIteration for each named kubelet of this process, over the pods bound to it.
        What Go returns as an error (a KubeletError, the runtime's OSError) is logged and that node
        synced again next time; any other exception is a panic that ends the process, as the pod
        workers, probe workers and status loops this stands for run under HandleCrash."""
        for name in names:
            kubelet = self.kubelets.get(name)
            if kubelet is None:
                continue
            try:
                kubelet.set_desired_pods([pod for pod in self.pods.store.by_index(NODE_NAME_INDEX, name)
                                          if not self._unsupported(pod)])
                self.perform(kubelet, execute(kubelet, self.runtime, kubelet.sync_loop_iteration()))
            except (KubeletError, OSError) as error:  # one node's failure must not stop the others or the loop
                log(COMPONENT, f"node {name}: sync failed: {type(error).__name__}: {error}")
            except Exception as error:  # noqa: BLE001 - logged in full and ends the kubelet, see machinery.crash
                raise self.crash.crash(error) from error
            for key, error in kubelet.sync_errors:
                log(COMPONENT, f"error syncing pod {key.namespace}/{key.name}, skipping: "
                               f"{type(error).__name__}: {error}")
            kubelet.sync_errors.clear()

    def _unsupported(self, pod: dict) -> bool:
        """Pods the core refuses (init containers) are left Pending; said once in the log."""
        if not (pod.get("spec") or {}).get("initContainers"):
            return False
        uid = pod["metadata"].get("uid", "")
        if uid not in self.rejected:
            self.rejected.add(uid)
            log(COMPONENT, f"pod {pod['metadata'].get('namespace')}/{pod['metadata']['name']}: "
                           "spec.initContainers is not supported; not running it")
        return True

    def perform(self, kubelet: Kubelet, actions: list) -> None:
        for action in actions:
            try:
                self._perform(kubelet, action)
            except APIStatusError as error:
                if error.code != 404:  # a pod deleted under us is no error
                    log(COMPONENT, f"{type(action).__name__}: {error}")
            except TRANSPORT_ERRORS as error:
                log(COMPONENT, f"{type(action).__name__}: {error}")

    def _perform(self, kubelet: Kubelet, action) -> None:
        client = self.clients[kubelet.node_name]
        if isinstance(action, RegisterNode):
            node = {**action.node, "status": self._with_endpoint(kubelet.node_name, action.node["status"])}
            existing = None
            try:
                client.request("POST", "/api/v1/nodes", node)
            except APIStatusError as error:
                if error.code != 409:
                    raise
                # Registered before (a restart): bring its status up to date from what it was.
                existing = client.request("GET", f"/api/v1/nodes/{kubelet.node_name}").get("status")
                client.request_patch(f"/api/v1/nodes/{kubelet.node_name}/status",
                                          {"status": node["status"]})
            self.perform(kubelet, kubelet.node_registered(existing))
        elif isinstance(action, Patch) and action.resource == "nodes":
            client.request_patch(f"/api/v1/nodes/{action.name}/status",
                                      {"status": self._with_endpoint(action.name, action.patch["status"])})
        elif isinstance(action, UpdateLease):
            self._update_lease(action.lease)
        elif isinstance(action, (Patch, Delete)) and action.resource == "pods":
            apply(client, action)  # a status patch, or the deletion that ends a graceful one
        elif isinstance(action, RecordEvent):
            self.recorders[kubelet.node_name].record(action, host=kubelet.node_name)
        else:
            log(COMPONENT, f"unknown action {action!r}")

    @mirrors("(*k8s.io/component-helpers/apimachinery/lease.controller).sync")
    def _update_lease(self, lease: dict) -> None:
        """Renew on top of the Lease the last renewal returned, with no GET first; only the first
        time, or when that update fails (a conflict: someone else wrote it), read it (and create it
        when missing), as upstream's lease controller keeps its latestLease."""
        meta = lease["metadata"]
        client = self.clients[meta["name"]]  # a node's Lease is named after it
        base = f"/apis/coordination.k8s.io/v1/namespaces/{meta['namespace']}/leases"
        latest = self.latest_leases.get(meta["name"])
        if latest is not None:
            try:
                self.latest_leases[meta["name"]] = client.request(
                    "PUT", f"{base}/{meta['name']}", {**lease, "metadata": {**latest["metadata"]}})
                return
            except APIStatusError:
                del self.latest_leases[meta["name"]]
        try:
            current = client.request("GET", f"{base}/{meta['name']}")
        except APIStatusError as error:
            if error.code != 404:
                raise
            self.latest_leases[meta["name"]] = client.request("POST", base, lease)
            return
        self.latest_leases[meta["name"]] = client.request(
            "PUT", f"{base}/{meta['name']}", {**lease, "metadata": {**current["metadata"]}})

    def shut_down(self) -> None:
        """SIGTERM every container started here, then SIGKILL what is left after a grace period."""
        for key, name in list(self.runtime.processes):
            self.runtime.signal(SignalContainer(key, name, "SIGTERM"))
        self.runtime.wait(STOP_GRACE)
        for key, name in list(self.runtime.processes):
            self.runtime.signal(SignalContainer(key, name, "SIGKILL"))
        self.runtime.wait(1.0)
        self.runtime.poll()


def default_pod_cidr(node_name: str) -> str | None:
    """127.0.N.0/24 for a node whose name ends in N (1..254); otherwise pods share the node's IP."""
    match = re.search(r"(\d+)$", node_name)
    if match and 1 <= int(match.group(1)) <= 254:
        return f"127.0.{int(match.group(1))}.0/24"
    return None


def parse_args(argv: list[str] | None, env: Mapping[str, str]) -> argparse.Namespace:
    parser = pflag.FlagSet("kubelet", "Run the reference kubelet (process runtime, or hollow nodes).",
                           prog="kubeatlas run kubelet")
    parser.add_argument("--kubeconfig", type=Path, **env_default(env, "KUBECONFIG"),
                        help="kubeconfig of the apiserver (default $KUBECONFIG)")
    parser.add_argument("--node-name", required=True, help="the Node to register (the prefix with --hollow-nodes)")
    parser.add_argument("--root-dir", required=True, type=Path, help="where container logs are written")
    parser.add_argument("--hollow-nodes", type=pflag.parse_int, default=0,
                        help="simulate N nodes NAME-0..NAME-<N-1> whose pods run without processes")
    parser.add_argument("--capacity", type=parse_capacity, default=DEFAULT_CAPACITY,
                        help=f"the Node's capacity and allocatable (default {DEFAULT_CAPACITY})")
    parser.add_argument("--pod-cidr", default=None,
                        help="the range pod IPs come from (default 127.0.N.0/24 for a node named ...-N)")
    parser.add_argument("--tls-cert-file", type=Path,
                        help="the API's serving certificate (default: a self-signed one in --cert-dir)")
    parser.add_argument("--tls-private-key-file", type=Path, help="the key of --tls-cert-file")
    parser.add_argument("--cert-dir", type=Path,
                        help="where the self-signed certificate is kept (default ROOT_DIR/pki)")
    parser.add_argument("--client-ca-file", type=Path,
                        help="CA bundle whose client certificates authenticate (default: none, tokens only)")
    parser.add_argument("--node-ca-cert-file", type=Path,
                        help="the cluster CA (with --node-ca-key-file): the node talks to the apiserver as "
                             "itself, system:node:NAME in system:nodes, with a client certificate signed at "
                             "start-up, as kubeadm's kubelet.conf (default: as --kubeconfig's user)")
    parser.add_argument("--node-ca-key-file", type=Path, help="the key of --node-ca-cert-file")
    pflag.add_bool_flag(parser, "--impersonate-nodes", False,
                        "each node talks to the apiserver as itself, system:node:NAME in system:nodes, "
                             "impersonated by --kubeconfig's user on its connection (how hollow nodes do it: a "
                             "certificate each would cost a connection and a handshake per node)")
    pflag.add_bool_flag(parser, "--anonymous-auth", False,
                        "serve requests without credentials as system:anonymous (default false: 401, as kubeadm "
                        "configures it)")
    parser.add_argument("--authorization-mode", choices=AUTHORIZATION_MODES, default="Webhook",
                        help="Webhook: ask the apiserver in a SubjectAccessReview (default); "
                             "AlwaysAllow: serve every authenticated request")
    parser.add_argument("--node-lease-duration-seconds", type=pflag.parse_int, default=LEASE_DURATION_SECONDS,
                        help="the Lease's duration; it is renewed every quarter of it (default "
                        f"{LEASE_DURATION_SECONDS}, kubelet's nodeLeaseDurationSeconds)")
    parser.add_argument("--config", type=Path,
                        help="a KubeletConfiguration file: its TLS, authentication, authorization, podCIDR and "
                             "nodeLeaseDurationSeconds where no flag says otherwise")
    parser.add_version_flag()
    parser.add_upstream_flags(upstreamflags.KUBELET)
    args = parser.parse_args(argv)
    problem = validate(args)
    if problem:
        parser.error(problem)
    if args.pod_cidr is None:
        args.pod_cidr = default_pod_cidr(args.node_name)
    return args


@mirrors("k8s.io/kubernetes/pkg/kubelet/apis/config/validation.ValidateKubeletConfiguration")
def validate(args: argparse.Namespace) -> str | None:
    """The first problem of the settings, from the command line or a --config file alike."""
    if args.node_lease_duration_seconds < 1:
        return "--node-lease-duration-seconds must be 1 or more"
    if args.hollow_nodes < 0:
        return "--hollow-nodes must be 0 or more"
    if (args.tls_cert_file is None) != (args.tls_private_key_file is None):
        return "--tls-cert-file and --tls-private-key-file go together"
    if (args.node_ca_cert_file is None) != (args.node_ca_key_file is None):
        return "--node-ca-cert-file and --node-ca-key-file go together"
    if args.node_ca_cert_file is not None and (args.hollow_nodes or args.impersonate_nodes):
        return "--node-ca-cert-file is one node's: hollow nodes share a connection, use --impersonate-nodes"
    if args.authorization_mode not in AUTHORIZATION_MODES:
        return (f"authorization.mode {args.authorization_mode!r} is not one the reference kubelet has: "
                f"{', '.join(AUTHORIZATION_MODES)}")
    if args.pod_cidr is not None:
        try:
            ipaddress.ip_network(args.pod_cidr)
        except ValueError as error:
            return f"--pod-cidr: {error}"
    return None


@mirrors("k8s.io/kubernetes/pkg/kubelet.(*Kubelet).setupDataDirs")
def setup_root_dir(root: Path) -> None:
    """--root-dir, made if missing; a file in its place or a folder it cannot make is the
    kubelet's start-up error, in Go's words."""
    try:
        root.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # a file in its place, which Go's MkdirAll reports as ENOTDIR
        raise KubeletError(f"error creating root directory: mkdir {root}: not a directory") from None
    except OSError as error:
        raise KubeletError(f"error creating root directory: mkdir {error.filename or root}: "
                           f"{(error.strerror or str(error)).lower()}") from None


@mirrors("k8s.io/kubernetes/cmd/kubelet/app.BuildAuth")
def build_auth(args: argparse.Namespace, client: RestClient, node_name: str) -> KubeletAuth:
    """The API's auth filter from the flags: x509 with a client CA, TokenReview for bearer
    tokens, anonymous only when asked, and the authorizer --authorization-mode names."""
    clock = WallClock().now
    authenticators: list[object] = [X509Authenticator.from_file(args.client_ca_file)] if args.client_ca_file else []
    authenticators += token_authenticators(BearerTokenAuthenticator(TokenReviewAuthenticator(
        review(client, "/apis/authentication.k8s.io/v1/tokenreviews"), clock, TOKEN_CACHE_TTL)))
    authorizer = (WebhookAuthorizer(review(client, "/apis/authorization.k8s.io/v1/subjectaccessreviews"), clock,
                                    ALLOW_CACHE_TTL, DENY_CACHE_TTL)
                  if args.authorization_mode == "Webhook" else AlwaysAllowAuthorizer())
    return KubeletAuth(RequestAuthenticator(authenticators, args.anonymous_auth), authorizer, node_name)


def serving_pair(args: argparse.Namespace, node_name: str, node_ip: str) -> tuple[Path, Path]:
    """--tls-cert-file's, else the self-signed pair (made when missing) of the node, as
    InitializeTLS makes it for the kubelet's hostname: in --cert-dir for one node, in a folder
    of its own there for each hollow node, as each of kubemark's hollow kubelets has its own."""
    if args.tls_cert_file is not None:
        return args.tls_cert_file, args.tls_private_key_file
    cert_dir = args.cert_dir or args.root_dir / "pki"
    return self_signed_pair(cert_dir / node_name if args.hollow_nodes else cert_dir, node_name, node_ip)


def _flag(value: object) -> str:
    return "" if value is None else str(value)


@mirrors("k8s.io/kubernetes/cmd/kubelet/app.setConfigz")
def kubelet_configuration(args: argparse.Namespace, cert: Path, key: Path, sync_period: float, port: int) -> dict:
    """What /configz shows: the v1beta1 KubeletConfiguration fields this kubelet has, in the
    struct's order, with the values it runs with (the serving pair it made when it made one, the
    port it listens on)."""
    config = {"enableServer": True, "syncFrequency": format_duration(sync_period), "address": NODE_IP,
              "port": port, "tlsCertFile": str(cert), "tlsPrivateKeyFile": str(key),
              "authentication": {"x509": {"clientCAFile": _flag(args.client_ca_file)},
                                 "webhook": {"enabled": True, "cacheTTL": format_duration(TOKEN_CACHE_TTL)},
                                 "anonymous": {"enabled": args.anonymous_auth}},
              "authorization": {"mode": args.authorization_mode,
                                "webhook": {"cacheAuthorizedTTL": format_duration(ALLOW_CACHE_TTL),
                                            "cacheUnauthorizedTTL": format_duration(DENY_CACHE_TTL)}},
              "enableDebuggingHandlers": True,
              "nodeStatusReportFrequency": format_duration(NODE_STATUS_REPORT_FREQUENCY),
              "nodeLeaseDurationSeconds": args.node_lease_duration_seconds,
              "maxPods": int(args.capacity.get("pods", 110)), "podCIDR": _flag(args.pod_cidr),
              "enableSystemLogHandler": True, "enableProfilingHandler": False, "enableDebugFlagsHandler": False,
              "registerNode": True}
    config["authentication"]["x509"] = {k: v for k, v in config["authentication"]["x509"].items() if v}
    return {k: v for k, v in config.items() if v != ""}


def node_credentials(args: argparse.Namespace, client: RestClient) -> Callable[[str], RestClient] | None:
    """A node's client as that node (system:node:<name> in system:nodes): `client` impersonating it
    with --impersonate-nodes, `client`'s apiserver with a client certificate of the node's own with
    --node-ca-cert-file; None with neither."""
    if args.impersonate_nodes:
        return lambda name: client.impersonating(NODE_USER_PREFIX + name, (NODES_GROUP,))
    if args.node_ca_cert_file is None:
        return None
    ca = load_pair(args.node_ca_cert_file, args.node_ca_key_file)
    if ca is None:
        missing = args.node_ca_key_file if args.node_ca_cert_file.exists() else args.node_ca_cert_file
        raise CertError(missing, "no such file")

    def node_client(name: str) -> RestClient:
        pair = issue_node_client_cert(ca, name)
        return client.with_client_certificate(pair.cert_pem, pair.key_pem)
    return node_client


def raise_open_file_limit(hollow_nodes: int) -> None:
    """Lift the soft limit on open files to the hard one when a listening socket per hollow node,
    a connection to each and the process's own may not fit, as Go programs since 1.19 do at start.
    A hard limit too low for the listeners themselves is refused at once: past it every node's
    registration, and the accept loop itself, would fail on "too many open files" while the
    process went on running."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    needed = hollow_nodes + PROCESS_OPEN_FILES
    if hollow_nodes and hard != resource.RLIM_INFINITY and hard < needed:
        raise KubeletError(f"--hollow-nodes {hollow_nodes} needs at least {needed} open files (a listening "
                           f"socket per node), more than the hard limit of {hard} (ulimit -Hn)")
    if soft != resource.RLIM_INFINITY and soft < 2 * hollow_nodes + 1024:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        except (ValueError, OSError):  # an unlimited hard limit the kernel will not grant: Go ignores it too
            pass


def apply_config_file(args: argparse.Namespace) -> None:
    """--config's values for the flags the command line did not give (flags win, as the kubelet's do)."""
    loaded = config.load(args.config)
    if loaded.lenient_because:
        log(COMPONENT, f"Using lenient decoding as strict decoding failed: {loaded.lenient_because}")
    for dest, value in loaded.values.items():
        if dest not in args.given:
            setattr(args, dest, value)
    problem = validate(args)  # the file's values pass the checks the command line's do
    if problem:  # upstream's klog.ErrorS line, "Failed to validate kubelet configuration" err=...
        raise KubeletError(f"Failed to validate kubelet configuration from {args.config}: {problem}")


def run(args: argparse.Namespace, process: Process) -> None:
    for flag in args.no_effect:
        log(COMPONENT, f"{flag} is one of the kubelet's flags the reference kubelet does not act on")
    if args.config is not None:
        apply_config_file(args)
    setup_root_dir(args.root_dir)
    raise_open_file_limit(args.hollow_nodes)
    client = load_client(args.kubeconfig)
    node_client = node_credentials(args, client)
    if node_client is not None and not args.hollow_nodes:
        # One node: everything the process asks (its pods, volumes, reviews) it asks as that node.
        client, node_client = node_client(args.node_name), None
    sync_period = HOLLOW_SYNC_PERIOD if args.hollow_nodes else SYNC_PERIOD

    def serving(node_name: str) -> NodeServing:
        cert, key = serving_pair(args, node_name, NODE_IP)
        return NodeServing(serving_context(cert, key, args.client_ca_file), build_auth(args, client, node_name),
                           lambda port: kubelet_configuration(args, cert, key, sync_period, port))
    KubeletRunner(client, args.node_name, args.root_dir, args.hollow_nodes, args.capacity,
                  args.pod_cidr, args.node_lease_duration_seconds, process.stop, serving=serving,
                  node_client=node_client).run(process.out)


COMMAND = Component("reference kubelet", parse_args, run, errors=(ClientError, KubeletError, ServingError, OSError),
                    config_errors=(KubeconfigError, AuthConfigError, CertError))


def main(argv: list[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    return machinery_main(COMMAND, argv, env)


if __name__ == "__main__":
    sys.exit(main())
