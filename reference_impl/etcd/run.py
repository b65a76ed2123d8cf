"""Run the reference etcd as a server: `run(data_dir, listen_client_urls)` serves the etcd v3 gRPC
API on each listen URL until SIGTERM or SIGINT, printing one "ready" line with the addresses it
bound once clients can connect. As etcd's, a client URL also answers HTTP/1 (cmux.py): /version,
/health, /metrics and the JSON gateway (clienthttp.py), unless --listen-client-http-urls gives
HTTP listeners of its own (as etcd 3.4.27 and 3.5.9 have it): then the client URLs serve gRPC
alone, with nothing between the gRPC server and its clients.

`kubeatlas run etcd --data-dir DIR --listen-client-urls URL` calls `run`; so does
`python -m reference_impl.etcd.run` (the same flags), which the integration tests start. A port
of 0 asks the system for a free port, and the ready line tells which one it chose.

--listen-metrics-urls adds HTTP listeners answering GET /health and /metrics (etcdhttp.py), as
etcd's do, from the start: a probe can ask a member that has no leader yet.

The process is always one member of a Raft cluster (member.py). Without --initial-cluster it is
etcd's default, the only member of a new cluster (default=http://localhost:2380, listening for
peers there unless --listen-peer-urls says where), which elects itself at once and commits a
write as soon as it is on its disk. The clustering flags are etcd's: --name, --initial-cluster,
--initial-cluster-state new|existing, --initial-cluster-token, --listen-peer-urls,
--initial-advertise-peer-urls (checked against --initial-cluster when a new cluster is
bootstrapped, as etcd checks them), --advertise-client-urls, --heartbeat-interval and --election-timeout (milliseconds).
Its ready line comes once the member has joined and published itself, when etcd too starts
answering clients.
"""
from __future__ import annotations

import argparse
import errno
import ipaddress
import os
import socket
import sys
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence, TextIO
from urllib.parse import urlsplit

from reference_impl.etcd.alarm import backend_quota
from reference_impl.etcd.auth import SIMPLE_TOKEN_TTL
from reference_impl.etcd.backend import BackendState, SnapshotHashError, read_snapshot
from reference_impl.etcd.clienthttp import ClientHTTP
from reference_impl.etcd import cmux
from reference_impl.etcd.cmux import ClientListener
from reference_impl.etcd.errors import (
    ErrBadCluster, ErrBadFlags, ErrEnvConflict, ErrInvalidAuthOpts, ErrStopped, ErrUnknownLogLevel, ErrWALWrite,
    EtcdError)
from reference_impl.etcd.etcdhttp import MetricsListener
from reference_impl.etcd.messages import Member
from reference_impl.etcd.member import (
    DEFAULT_CATCH_UP_ENTRIES, DEFAULT_ELECTION_MS, DEFAULT_HEARTBEAT_MS, DEFAULT_PEER_URLS,
    DEFAULT_SNAPSHOT_COUNT, ClusterMember)
from reference_impl.etcd.raftnode import (
    DEFAULT_CLUSTER_TOKEN, check_advertised_peer_urls, default_initial_cluster, parse_initial_cluster,
    url_flag_problem)
from reference_impl.etcd.grpc_adapter import Ticker, WatchRouter, add_etcd_servicers, new_grpc_server
from reference_impl.etcd.grpc_concurrency import add_concurrency_servicers
from reference_impl.etcd.server import MAX_REQUEST_BYTES, MAX_TXN_OPS
from reference_impl.etcd.upstreamflags import add_no_effect_flags, check_logging, not_served, set_flags_from_env
from reference_impl.etcd.version import version_text
from reference_impl.etcd.wal import wal_exists
from reference_impl.etcd.watch import DEFAULT_PROGRESS_INTERVAL, MIN_PROGRESS_INTERVAL
from reference_impl.machinery.clock import WallClock
from reference_impl.machinery import pflag
from reference_impl.machinery.goflag import GoFlagSet, go_duration, go_int, go_uint
from reference_impl.mirrors import mirrors
from reference_impl.machinery.process import (
    Component, Process, go_bool, relax_collector, stop_on_signals)
from reference_impl.machinery.process import main as machinery_main

DEFAULT_LISTEN_CLIENT_URLS = "http://localhost:2379"
DEFAULT_LISTEN_PEER_URLS = "http://localhost:2380"
STOP_GRACE = 2.0  # seconds in-flight calls get to finish on shutdown
LOCK_WARN_AFTER = 10.0  # seconds etcd waits on a held data dir before saying so (openBackend)
LOCK_POLL = 0.1  # seconds between tries of a held lock


class BadListenURL(EtcdError):
    """A --listen-*-urls entry the reference cannot listen on."""

    message = "invalid listen URL"

    def __str__(self) -> str:
        return f"{self.flag}: {self.url!r} {self.problem}"


class CannotListen(EtcdError):
    """Binding a listen address failed: the port is taken, or not this user's to take."""

    message = "cannot listen"

    def __str__(self) -> str:
        return f"cannot listen on {self.address}: {self.problem}"


class DataDirUnusable(EtcdError):
    """The data directory cannot be created, or another process is serving it."""

    message = "cannot use the data directory"

    def __str__(self) -> str:
        return f"--data-dir {self.data_dir}: {self.problem}"


class DiskFailed(EtcdError):
    """The disk refused a write of the log (full, I/O error): as etcd ends on a failed save of its
    Raft state, the process ends (exit 1) rather than serve what it can no longer keep."""

    message = "failed to save state and entries error"

    def __str__(self) -> str:
        return f"{self.message}: {self.problem}"


class SnapshotUnreadable(EtcdError):
    """--restore-from-snapshot names a file that cannot be read."""

    message = "cannot read the snapshot"

    def __str__(self) -> str:
        return f"--restore-from-snapshot {self.path}: {self.problem}"


@dataclass(frozen=True)
class ListenURL:
    host: str  # an IP address or "localhost"
    port: int

    @property
    def address(self) -> str:
        """host:port as gRPC and etcdctl write it (IPv6 in brackets)."""
        return f"[{self.host}]:{self.port}" if ":" in self.host else f"{self.host}:{self.port}"

    @property
    def url(self) -> str:
        return f"http://{self.address}"


@mirrors("go.etcd.io/etcd/client/pkg/v3/types.NewURLs", "go.etcd.io/etcd/server/v3/embed.checkBindURLs")
def parse_listen_urls(urls: str | Sequence[str], flag: str = "--listen-client-urls") -> list[ListenURL]:
    """Comma-separated (or listed) `http://HOST:PORT` URLs; HOST an IP address or localhost.
    An error names `flag`, the option the URLs came from."""
    items = urls.split(",") if isinstance(urls, str) else list(urls)
    parsed = [_parse_listen_url(item.strip(), flag) for item in items if item.strip()]
    if not parsed:
        raise BadListenURL(flag=flag, url=str(urls), problem="names no URL")
    return parsed


def _parse_listen_url(url: str, flag: str) -> ListenURL:
    def bad(problem: str) -> BadListenURL:
        return BadListenURL(flag=flag, url=url, problem=problem)

    parts = urlsplit(url)
    if parts.scheme == "https":
        raise bad("uses TLS, which the reference does not serve; use http://")
    if parts.scheme != "http" or not parts.netloc:
        raise bad("is not of the form http://HOST:PORT")
    if parts.path not in ("", "/") or parts.query or parts.fragment:
        raise bad("must not have a path")
    try:
        port = parts.port
    except ValueError:
        raise bad("has a port that is not a number from 0 to 65535") from None
    if port is None:
        raise bad("has no port (http://HOST:PORT)")
    host = parts.hostname or ""
    if host != "localhost":
        try:
            ipaddress.ip_address(host)
        except ValueError:
            raise bad("must name an IP address or localhost, as etcd's listen URLs do") from None
    return ListenURL(host, port)


def _check_free(listen: ListenURL) -> None:
    """Bind the address once with a plain socket, to report why it cannot be used (gRPC's own
    bind error says only that it failed)."""
    if listen.port == 0:
        return
    family = socket.AF_INET6 if ":" in listen.host else socket.AF_INET
    try:
        with socket.socket(family, socket.SOCK_STREAM) as probe:
            # As gRPC's own listener (and Go's net.Listen) set it: connections of a process that
            # was just killed linger in TIME_WAIT, and must not keep a restart off its port.
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((listen.host, listen.port))
    except PermissionError:
        raise CannotListen(address=listen.address, problem="permission denied (a port below 1024 "
                                                           "needs privileges)") from None
    except OSError as err:
        problem = "the port is already in use" if err.errno == errno.EADDRINUSE else err.strerror
        raise CannotListen(address=listen.address, problem=problem) from None


def _listen_metrics(listen: ListenURL) -> tuple[MetricsListener, ListenURL]:
    _check_free(listen)
    try:
        metrics = MetricsListener(listen.host, listen.port)
    except OSError as err:
        raise CannotListen(address=listen.address, problem=err.strerror or str(err)) from None
    return metrics, ListenURL(listen.host, metrics.port)


def _listen_client(listen: ListenURL, http_only: bool = False) -> tuple[ClientListener, ListenURL]:
    _check_free(listen)
    try:
        listener = ClientListener(listen.host, listen.port, http_only)
    except OSError as err:
        problem = "the port is already in use" if err.errno == errno.EADDRINUSE else err.strerror
        raise CannotListen(address=listen.address, problem=problem or str(err)) from None
    return listener, ListenURL(listen.host, listener.port)


def _listen_grpc(grpc_server, listen: ListenURL) -> ListenURL:
    """A client URL the gRPC server binds itself, with --listen-client-http-urls given."""
    _check_free(listen)
    port = grpc_server.add_insecure_port(listen.address)
    if port == 0:
        raise CannotListen(address=listen.address, problem="gRPC could not bind it")
    return ListenURL(listen.host, port)


def _split_http(listens: list[ListenURL], http_listens: list[ListenURL]) -> None:
    """Refuse a URL given to both flags, as etcd does (a port of 0 is a new port each time)."""
    for listen in http_listens:
        if listen.port and listen in listens:
            raise BadListenURL(flag="--listen-client-http-urls", url=listen.url,
                               problem="is in --listen-client-urls too: one URL cannot be both")


def _bind_grpc(grpc_server) -> str:
    """The address the client listeners relay gRPC connections to: a Unix socket in the abstract
    namespace, so the relay takes no TCP port (an ephemeral loopback port could be one another
    member of a local cluster has been told to listen on) and leaves no file behind."""
    address = f"unix-abstract:{cmux.GRPC_SOCKET_PREFIX}{os.getpid()}-{id(grpc_server):x}"
    if grpc_server.add_insecure_port(address) == 0:
        raise CannotListen(address=address, problem="gRPC could not bind it")
    return address


def default_listen_peer_urls(members: Mapping[int, Member], name: str) -> str:
    """--listen-peer-urls when --initial-cluster is given and this flag is not: the member's own
    peer URLs there (where etcd would listen on its default, the reference listens where its
    peers are told to reach it), or etcd's default where --initial-cluster gives `name` none (a
    member restarted under another --name, or with an --initial-cluster it no longer parses):
    etcd 3.4 listens on 127.0.0.1:2380 then, as it does for any member without the flag."""
    own = [url for member in members.values() if member.name == name for url in member.peer_urls]
    return ",".join(own) or DEFAULT_LISTEN_PEER_URLS


MAX_ELECTION_MS = 50000  # embed's maxElectionMs


@mirrors("(*go.etcd.io/etcd/server/v3/embed.Config).Validate")
def check_timeouts(heartbeat_ms: int, election_ms: int) -> None:
    """The heartbeat and election timeouts as etcd's Config.Validate checks them, in its words:
    both positive, the election timeout at least five heartbeats and at most 50 s."""
    if heartbeat_ms <= 0:
        raise ErrBadFlags(problem=f"--heartbeat-interval must be >0 (set to {heartbeat_ms}ms)")
    if election_ms <= 0:
        raise ErrBadFlags(problem=f"--election-timeout must be >0 (set to {election_ms}ms)")
    if 5 * heartbeat_ms > election_ms:
        raise ErrBadFlags(problem=f"--election-timeout[{election_ms}ms] should be at least as 5 times "
                                  f"as --heartbeat-interval[{heartbeat_ms}ms]")
    if election_ms > MAX_ELECTION_MS:
        raise ErrBadFlags(problem=f"--election-timeout[{election_ms}ms] is too long, and should be "
                                  f"set less than {MAX_ELECTION_MS}ms")


@mirrors("go.etcd.io/etcd/server/v3/etcdmain.startEtcd", "go.etcd.io/etcd/server/v3/embed.StartEtcd",
         "go.etcd.io/etcd/server/v3/embed.configurePeerListeners",
         "(*go.etcd.io/etcd/server/v3/embed.Etcd).serveMetrics",
         "go.etcd.io/etcd/pkg/v3/osutil.HandleInterrupts")
def run(data_dir: str | Path, listen_client_urls: str | Sequence[str] = DEFAULT_LISTEN_CLIENT_URLS,
        *, listen_client_http_urls: str | Sequence[str] | None = None,
        listen_metrics_urls: str | Sequence[str] | None = None, name: str = "default",
        initial_cluster: str | None = None,
        initial_cluster_state: str = "new", initial_cluster_token: str = DEFAULT_CLUSTER_TOKEN,
        listen_peer_urls: str | None = None, advertise_client_urls: str | None = None,
        initial_advertise_peer_urls: str | None = None, heartbeat_ms: int = DEFAULT_HEARTBEAT_MS, election_ms: int = DEFAULT_ELECTION_MS,
        snapshot_count: int = DEFAULT_SNAPSHOT_COUNT, catch_up_entries: int = DEFAULT_CATCH_UP_ENTRIES,
        restore_from: str | Path | None = None, skip_hash_check: bool = False, quota_backend_bytes: int = 0,
        max_txn_ops: int = MAX_TXN_OPS, max_request_bytes: int = MAX_REQUEST_BYTES,
        auth_token: str = "simple", auth_token_ttl: int = int(SIMPLE_TOKEN_TTL),
        lease_checkpoints: bool = False, persist_lease_checkpoints: bool = False,
        watch_progress_notify_interval: float = DEFAULT_PROGRESS_INTERVAL,
        out: TextIO | None = None, stop: threading.Event | None = None) -> None:
    """Serve one member of a Raft cluster until SIGTERM/SIGINT, `stop` (for callers in another
    thread), or this member's removal.

    Without `initial_cluster`, etcd's default: NAME at its advertised peer URLs
    (http://localhost:2380 unless given; default=http://localhost:2380 for the name "default"),
    the only member of a new cluster, listening for peers on `listen_peer_urls`, by default
    etcd's http://localhost:2380. With it, the member listens on `listen_peer_urls`, by default
    its own peer URLs in `initial_cluster` (etcd's http://localhost:2380 where that names none
    under `name`).
    `listen_client_http_urls`, if given, serve HTTP/1 alone and leave `listen_client_urls` to gRPC.
    `listen_metrics_urls`, if given, answer GET /health and /metrics over HTTP from the start,
    before the member is ready, as etcd's do.
    Raises EtcdError subclasses whose str is one line (BadListenURL, CannotListen,
    DataDirUnusable, ErrBadCluster, ErrCorruptWAL, ErrOldDataDir...) before anything is served.
    """
    out = out or sys.stdout
    if initial_cluster_state not in ("new", "existing"):
        raise ErrBadCluster(problem=f"--initial-cluster-state must be new or existing, not "
                                    f"{initial_cluster_state!r}")
    check_timeouts(heartbeat_ms, election_ms)
    listens = parse_listen_urls(listen_client_urls)
    http_listens = (parse_listen_urls(listen_client_http_urls, "--listen-client-http-urls")
                    if listen_client_http_urls else [])
    _split_http(listens, http_listens)
    metrics_listens = (parse_listen_urls(listen_metrics_urls, "--listen-metrics-urls")
                       if listen_metrics_urls else [])
    lone = initial_cluster is None
    advertised_peer_urls = ([u.strip() for u in initial_advertise_peer_urls.split(",")]
                            if initial_advertise_peer_urls else list(DEFAULT_PEER_URLS))
    initialized = wal_exists(Path(data_dir))
    try:
        members = parse_initial_cluster(default_initial_cluster(name, initial_cluster, advertised_peer_urls),
                                        initial_cluster_token)
    except ErrBadCluster:
        if not initialized:
            raise
        # etcd's embed parses --initial-cluster only for a member not yet initialized: a
        # restart takes its members from the log (ClusterMember), whatever the flag says.
        members = {}
    if initial_cluster_state == "new" and not initialized:
        check_advertised_peer_urls(members, name, advertised_peer_urls)
    if listen_peer_urls is None:
        listen_peer_urls = DEFAULT_LISTEN_PEER_URLS if lone else default_listen_peer_urls(members, name)
    peer_listen = (parse_listen_urls(listen_peer_urls, "--listen-peer-urls")[0]
                   if listen_peer_urls else None)
    restore = read_restore_from(restore_from, skip_hash_check=skip_hash_check)
    quota, warning = backend_quota(quota_backend_bytes)
    if warning:
        print(f"reference etcd: --quota-backend-bytes {quota_backend_bytes}: {warning}",
              file=sys.stderr, flush=True)
    stop = stop or threading.Event()
    grpc_server = new_grpc_server(max_request_bytes)
    metrics: list[tuple[MetricsListener, ListenURL]] = []
    clients: list[tuple[ClientListener, ListenURL]] = []
    try:
        grpc_address = _bind_grpc(grpc_server)
        if http_listens:
            bound = [_listen_grpc(grpc_server, listen) for listen in listens]
            for listen in http_listens:
                clients.append(_listen_client(listen, http_only=True))
        else:
            for listen in listens:
                clients.append(_listen_client(listen))
            bound = [url for _, url in clients]
        for listen in metrics_listens:
            metrics.append(_listen_metrics(listen))
        advertised = (tuple(u.strip() for u in advertise_client_urls.split(",") if u.strip())
                      if advertise_client_urls else tuple(b.url for b in bound))
        if peer_listen is not None:
            _check_free(peer_listen)
        etcd = _open(Path(data_dir), WallClock(), name=name,
                     wait_for_lock=lambda try_lock, path: wait_for_lock(try_lock, path, stop), initial_cluster=members,
                     initial_cluster_state=initial_cluster_state,
                     listen_peer=(peer_listen.host, peer_listen.port) if peer_listen else None,
                     client_urls=advertised, heartbeat_ms=heartbeat_ms, election_ms=election_ms,
                     snapshot_count=snapshot_count, catch_up_entries=catch_up_entries,
                     restore=restore, on_stop=stop.set, quota_backend_bytes=quota,
                     server_options={
                         "max_txn_ops": max_txn_ops, "max_request_bytes": max_request_bytes,
                         "token_ttl": auth_token_ttl or SIMPLE_TOKEN_TTL, "token_type": auth_token,
                         "lease_checkpoints": lease_checkpoints,
                         "persist_lease_checkpoints": persist_lease_checkpoints,
                         "progress_interval": progress_notify_interval(watch_progress_notify_interval)})
    except BaseException as err:
        grpc_server.stop(None)
        for listener, _ in [*metrics, *clients]:
            listener.stop()
        if isinstance(err, ErrStopped) and stop.is_set():
            return  # told to stop while waiting for the data dir's lock: a stop, as when serving
        raise
    for listener, listen in metrics:
        listener.start(etcd, listen.url)
    urls = ", ".join(b.url for b in bound)
    if http_listens:
        urls += " (gRPC only), HTTP on " + ", ".join(url.url for _, url in clients)
    if peer_listen is None:
        what = f"reference etcd serving the v3 API on {urls}"
    else:
        # the port bound, where the URL asked for any (0)
        peers = ListenURL(peer_listen.host, etcd.transport.listener.getsockname()[1])
        what = (f"reference etcd member {name} ({etcd.id:x}) serving the v3 API on {urls}, "
                f"peers on {peers.url}")
    _serve(grpc_server, grpc_address, etcd, [listener for listener, _ in clients], stop, out, what,
           ready=etcd.ready, metrics=[listener for listener, _ in metrics])


@mirrors("(*go.etcd.io/etcd/server/v3/etcdserver.EtcdServer).ReadyNotify",
         "(*go.etcd.io/etcd/server/v3/embed.Etcd).Close")
def _serve(grpc_server, grpc_address: str, etcd, clients: Sequence[ClientListener],
           stop: threading.Event, out: TextIO, what: str, ready: threading.Event | None = None,
           metrics: Sequence[MetricsListener] = ()) -> None:
    """Serve `etcd` on the `clients` listeners once `ready` is set (a Raft member: once it has
    joined and published itself, as etcd serves clients only then) until `stop`; the `metrics`
    listeners, serving already, stop with it."""
    http = ClientHTTP(etcd, grpc_address)
    try:
        ticker = Ticker(etcd)
        router = WatchRouter()
        streams = add_etcd_servicers(grpc_server, etcd, router)
        add_concurrency_servicers(grpc_server, etcd, router, streams)
    except BaseException:
        grpc_server.stop(None)
        for listener in [*metrics, *clients]:
            listener.stop()
        http.close()
        etcd.close()  # releases the data directory's lock
        raise
    with stop_on_signals(stop):
        try:
            while ready is not None and not ready.wait(0.2):
                if stop.is_set():
                    return
            grpc_server.start()
            for listener in clients:
                listener.start(grpc_address, http.serve_connection)
            ticker.start()
            relax_collector()
            print(f"ready: {what}", file=out, flush=True)
            while not stop.wait(0.5):  # a timed wait keeps the main thread responsive to signals
                pass
        finally:
            stopped = grpc_server.stop(STOP_GRACE)  # no new calls; unary calls get the grace period
            streams.cancel_all()
            stopped.wait()
            if ticker.is_alive():
                ticker.stop()
            for listener in [*metrics, *clients]:
                listener.stop()
            http.close()
            etcd.close()
    failure = etcd.failure
    if isinstance(failure, ErrWALWrite):
        raise DiskFailed(problem=f"write {failure.path}: {failure.problem}")
    if isinstance(failure, OSError):
        raise DiskFailed(problem=_os_problem(failure))
    if failure is not None:
        raise failure


@mirrors("go.etcd.io/etcd/server/v3/etcdserver.openBackend")
def wait_for_lock(try_lock: Callable[[], bool], path: str, stop: threading.Event,
                  err: TextIO | None = None, warn_after: float = LOCK_WARN_AFTER) -> None:
    """Wait while another process holds the data dir's lock, as etcd waits on its backend's
    flock: silently for `warn_after` seconds, then saying so once, until the lock is ours (or
    the process is told to stop, which ends the wait with ErrStopped)."""
    waited = 0.0
    warned = False
    while not try_lock():
        if waited >= warn_after and not warned:
            print(f'reference etcd: another etcd process is using "{path}" and holds the file lock, '
                  "or loading backend file is taking >10 seconds\n"
                  "reference etcd: waiting for it to exit before starting...",
                  file=err or sys.stderr, flush=True)
            warned = True
        if stop.wait(LOCK_POLL):
            raise ErrStopped()
        waited += LOCK_POLL


def _open(data_dir: Path, clock, **options) -> ClusterMember:
    """Recover the member from `data_dir`, turning the OS's complaints into one-line errors."""
    try:
        return ClusterMember(data_dir, clock, **options)
    except (FileExistsError, NotADirectoryError) as err:  # the OS says "File exists"
        where = "it is" if isinstance(err, FileExistsError) else "a folder above it is"
        raise DataDirUnusable(data_dir=str(data_dir), problem=f"{where} a file: give a folder") from None
    except OSError as err:
        raise DataDirUnusable(data_dir=str(data_dir), problem=_os_problem(err)) from None


def _os_problem(err: OSError) -> str:
    """What the OS refused, naming the file as etcd does ("open .../member/snap/.touch:
    read-only file system"): on a read-only mount that file, not the folder, says what to fix."""
    if err.filename is None:
        return err.strerror or str(err)
    return f"{err.filename}: {err.strerror}"


def read_restore_from(path: str | Path | None, *, skip_hash_check: bool = False) -> BackendState | None:
    """What --restore-from-snapshot names: a snapshot file, or an etcd data dir (or the path of
    its member/snap/db). `skip_hash_check` as etcdctl snapshot restore's --skip-hash-check, for
    a copy of a data dir's db, which carries no SHA-256."""
    if path is None:
        return None
    path = Path(path)
    if (path / "member" / "snap" / "db").is_file():
        path = path / "member" / "snap" / "db"
    own_db = path.parts[-3:] == ("member", "snap", "db")  # etcd's own database: never a SHA-256
    try:
        data = path.read_bytes()
    except OSError as err:
        raise SnapshotUnreadable(path=str(path), problem=err.strerror or str(err)) from None
    try:
        return read_snapshot(data, str(path), sha256=not own_db, skip_hash_check=skip_hash_check)
    except SnapshotHashError as err:
        raise SnapshotUnreadable(path=str(path), problem=err.details["problem"]) from None


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive whole number")
    return value


def _urls(text: str) -> str:
    """A URL flag's value as types.NewURLs takes it (flags.UniqueURLs' Set), kept as given."""
    problem = url_flag_problem(text.split(","))
    if problem:
        raise ValueError(problem)
    return text


def _cluster_state(text: str) -> str:
    """--initial-cluster-state, a flags.SelectiveStringValue of new and existing."""
    if text not in ("new", "existing"):
        raise ValueError("invalid value")
    return text


@mirrors("go.etcd.io/etcd/server/v3/etcdserver/api/v3rpc.NewWatchServer")
def progress_notify_interval(flag: float) -> float:
    """The interval the watch server uses: etcd's 10 minutes unless the flag is positive, and no
    less than 100 ms (minWatchProgressInterval)."""
    return max(flag, MIN_PROGRESS_INTERVAL) if flag > 0 else DEFAULT_PROGRESS_INTERVAL


def parse_args(argv: list[str] | None, env: Mapping[str, str]) -> argparse.Namespace:
    """etcd's flags; as upstream, each the command line leaves unset may come from its ETCD_*
    environment variable instead (set_flags_from_env; its refusals wait for `_run`)."""
    parser = GoFlagSet(prog="kubeatlas run etcd", description="Serve the reference etcd's v3 gRPC API.")
    parser.add_argument("--data-dir", default=None,
                        help="where the write-ahead log and snapshots live (default NAME.etcd)")
    parser.add_argument("--listen-client-urls", type=_urls,
                        default=DEFAULT_LISTEN_CLIENT_URLS,
                        help="comma-separated http://HOST:PORT URLs (port 0: any free port)")
    parser.add_argument("--listen-client-http-urls", type=_urls, default=None,
                        help="comma-separated http://HOST:PORT URLs serving HTTP alone (/version, "
                             "/health, /metrics, the JSON gateway); the client URLs then serve "
                             "gRPC alone")
    parser.add_argument("--listen-metrics-urls", type=_urls, default=None,
                        help="comma-separated http://HOST:PORT URLs answering GET /health and "
                             "/metrics over HTTP (the client URLs answer them too)")
    parser.add_argument("--name", default="default",
                        help="the member name member list shows")
    parser.add_argument("--restore-from-snapshot", metavar="PATH",
                        help="start an empty --data-dir from an etcd snapshot: a file `etcdctl "
                             "snapshot save` wrote, an etcd data dir or its member/snap/db; a "
                             "copy of that db under another name needs --skip-hash-check")
    parser.add_argument("--skip-hash-check", type=go_bool, nargs="?", const=True, default=False,
                        help="as etcdctl snapshot restore's: read the snapshot without checking "
                             "its SHA-256 (required if copied from a data directory)")
    parser.add_argument("--snapshot-count", type=go_uint(64),
                        default=str(DEFAULT_SNAPSHOT_COUNT),
                        help="committed writes between snapshots (which release the log behind "
                             "them; 0: etcd's default)")
    parser.add_argument("--quota-backend-bytes", type=go_int(64),
                        default="0",
                        help="the backend size that raises the NOSPACE alarm (0: 2 GiB; negative: "
                             "no quota)")
    parser.add_argument("--max-txn-ops", type=go_uint(64),
                        default=str(MAX_TXN_OPS),
                        help="the most operations one txn may hold")
    parser.add_argument("--max-request-bytes", type=go_uint(64),
                        default=str(MAX_REQUEST_BYTES),
                        help="the largest client request, in bytes, the server accepts")
    parser.add_argument("--auth-token", default="simple",
                        help="the auth token type: simple, or '' for none (jwt is not served)")
    parser.add_argument("--auth-token-ttl", type=go_uint(64),
                        default=str(int(SIMPLE_TOKEN_TTL)),
                        help="seconds a simple auth token lives after its last use (0: 300)")
    parser.add_argument("--experimental-watch-progress-notify-interval", type=go_duration,
                        default="10m",
                        help="how often idle watches that asked for it get a progress notify "
                             "(a Go duration: 5s, 10m)")
    parser.add_argument("--experimental-enable-lease-checkpoint", type=go_bool, nargs="?", const=True,
                        default="false",
                        metavar="BOOL", help="the leader records the remaining TTL of long leases "
                                             "every 5 minutes, for a later leader to start them from")
    parser.add_argument("--experimental-enable-lease-checkpoint-persist", type=go_bool, nargs="?",
                        const=True, metavar="BOOL",
                        default="false",
                        help="keep those remaining TTLs in the backend too, so a restart starts "
                             "from them")
    cluster = parser.add_argument_group("clustering (without --initial-cluster: the only member of "
                                        "a new cluster, NAME=http://localhost:2380, as etcd)")
    cluster.add_argument("--initial-cluster", default=None,
                         help="NAME=PEER_URL,... of every member at bootstrap")
    cluster.add_argument("--initial-cluster-state", type=_cluster_state, default="new",
                         help="new (bootstrap) or existing (join a cluster that added this member)")
    cluster.add_argument("--initial-cluster-token",
                         default=DEFAULT_CLUSTER_TOKEN)
    cluster.add_argument("--listen-peer-urls", type=_urls, default=None,
                         help="where this member listens for its peers (default: its own URL in "
                              "--initial-cluster; without that flag, http://localhost:2380)")
    cluster.add_argument("--initial-advertise-peer-urls", type=_urls,
                         default=None,
                         help="the peer URLs this member advertises; bootstrapping a new "
                              "cluster they must be those --initial-cluster gives it")
    cluster.add_argument("--advertise-client-urls", type=_urls, default=None)
    cluster.add_argument("--heartbeat-interval", type=go_uint(64),
                         default=str(DEFAULT_HEARTBEAT_MS),
                         help="milliseconds between heartbeats (one Raft tick)")
    cluster.add_argument("--election-timeout", type=go_uint(64),
                         default=str(DEFAULT_ELECTION_MS),
                         help="milliseconds without a leader before an election")
    cluster.add_argument("--snapshot-catchup-entries", type=_positive, default=DEFAULT_CATCH_UP_ENTRIES,
                         help="log entries kept after a snapshot for slow followers")
    parser.add_argument("--version", type=go_bool, nargs="?", const=True, default=False,
                        help="print the version and exit")
    add_no_effect_flags(parser)
    args = parser.parse_args(argv)
    if args.version and not args.args:  # etcdmain's parse: arguments are refused first
        raise pflag.VersionRequested(version_text())
    args.env_warnings, args.env_error, args.env_problem = [], None, None
    if not args.args:  # etcdmain reads the environment only once the arguments passed
        try:
            args.env_problem = set_flags_from_env(parser, args, env, args.env_warnings.append)
        except ErrEnvConflict as conflict:
            args.env_error = conflict
    if not args.data_dir:  # etcdmain's startEtcdOrProxyV2: not the working directory itself
        args.data_dir = f"{args.name}.etcd"
    if args.experimental_enable_lease_checkpoint_persist and not args.experimental_enable_lease_checkpoint:
        parser.error("setting experimental-enable-lease-checkpoint-persist requires "
                     "experimental-enable-lease-checkpoint")
    return args


@mirrors("go.etcd.io/etcd/server/v3/auth.NewTokenProvider")
def check_auth_token(option: str) -> str:
    """The token type --auth-token names ("simple", its options split off as decomposeOpts
    splits them), or "": etcd's tokenNop, which gives no token and takes none. ErrInvalidAuthOpts
    for options that do not parse or a type etcd does not know, as etcd refuses them; jwt, which
    needs signing keys the reference does not use, is refused too."""
    token_type, *options = option.split(",")
    names = [pair.split("=")[0] for pair in options]
    if any(len(pair.split("=")) != 2 for pair in options) or len(set(names)) != len(names):
        raise ErrInvalidAuthOpts()
    if token_type not in ("simple", ""):
        raise ErrInvalidAuthOpts(token_type=token_type)
    return token_type


def _run(args: argparse.Namespace, process: Process) -> None:
    if args.args:
        raise ErrBadFlags(problem=f"error verifying flags, '{args.args[0]}' is not a valid flag. "
                                  f"See 'etcd --help'.")
    for warning in args.env_warnings:
        print(f"reference etcd: {warning}", file=sys.stderr, flush=True)
    if args.env_error:
        raise args.env_error
    if args.env_problem:
        raise ErrBadFlags(problem=f"error verifying flags, {args.env_problem}. See 'etcd --help'.")
    refused = not_served(args)
    if refused:
        raise ErrBadFlags(problem=refused)
    logging_problem = check_logging(args)
    if logging_problem:
        raise ErrBadFlags(problem=f"error verifying flags, {logging_problem}. See 'etcd --help'.")
    if args.no_effect:
        print(f"reference etcd: flags with no effect here: {', '.join(args.no_effect)}",
              file=sys.stderr, flush=True)
    run(args.data_dir, args.listen_client_urls, listen_client_http_urls=args.listen_client_http_urls,
        listen_metrics_urls=args.listen_metrics_urls,
        name=args.name, initial_cluster=args.initial_cluster,
        initial_cluster_state=args.initial_cluster_state,
        initial_cluster_token=args.initial_cluster_token, listen_peer_urls=args.listen_peer_urls,
        advertise_client_urls=args.advertise_client_urls,
        initial_advertise_peer_urls=args.initial_advertise_peer_urls, heartbeat_ms=args.heartbeat_interval,
        election_ms=args.election_timeout, snapshot_count=args.snapshot_count or DEFAULT_SNAPSHOT_COUNT,
        catch_up_entries=args.snapshot_catchup_entries, restore_from=args.restore_from_snapshot,
        skip_hash_check=args.skip_hash_check,
        quota_backend_bytes=args.quota_backend_bytes, max_txn_ops=args.max_txn_ops,
        max_request_bytes=args.max_request_bytes,
        auth_token=check_auth_token(args.auth_token), auth_token_ttl=args.auth_token_ttl,
        lease_checkpoints=args.experimental_enable_lease_checkpoint,
        persist_lease_checkpoints=args.experimental_enable_lease_checkpoint_persist,
        watch_progress_notify_interval=args.experimental_watch_progress_notify_interval,
        out=process.out, stop=process.stop)


COMMAND = Component("reference etcd", parse_args, _run, errors=(EtcdError,), config_errors=(ErrUnknownLogLevel,))


def main(argv: list[str] | None = None, env: Mapping[str, str] | None = None) -> int:
    return machinery_main(COMMAND, argv, env)


if __name__ == "__main__":
    sys.exit(main())
