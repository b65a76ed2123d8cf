"""The thin I/O adapter: HTTPS to an apiserver with a kubeconfig's client certificate, driving the
sans-IO cores (a Reflector's list/watch loop, a LeaderElector's GET/PUT of its Lease).
"""
from __future__ import annotations

import base64
import copy
import http.client
import platform
import re
import socket
import ssl
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

import yaml

from reference_impl.client import APIStatusError, Gone, KubeconfigError, flowcontrol, http1
from reference_impl.client.apierrors import generic_server_response, request_resource
from reference_impl.client.leaderelection import LeaderElector
from reference_impl.client.reflector import ListRequest, Reflector
from reference_impl.machinery import jsonbytes
from reference_impl.machinery.prometheus import Family, Registry, exponential_buckets
from reference_impl.mirrors import mirrors


_UNSAFE_IN_PATH = re.compile(r"[\x00-\x20\x7f]")
# client-go's transport keeps this many idle connections to its apiserver (idleConnsPerHost,
# transport/cache.go, as the Transport's MaxIdleConnsPerHost); more may be open at once.
IDLE_CONNS_PER_HOST = 25
# The requests Go's transport sends again when a kept-alive connection fails under them
# (Request.isReplayable): those that change nothing on the server.
REPLAYABLE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# How a kept-alive connection the server closed fails a request sent on it: a TLS connection
# reset while idle ends in an unexpected EOF.
_CLOSED_BY_SERVER = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError, ssl.SSLEOFError)
# component-base's restclient metrics: ExponentialBuckets(0.001, 2, 10), 1 ms to 512 ms.
REQUEST_LATENCY_BUCKETS = exponential_buckets(0.001, 2, 10)
# A subresource whose name is kept where finalURLTemplate replaces the object's name.
_KEPT_SUBRESOURCES = ("finalize", "status")
# A path that urlsplit, unquote and quote all leave as it is: one slash first, then only letters,
# digits and `-._~/` (so no query, no escapes; `{}` of the names put in are escaped by hand).
_PLAIN_PATH = re.compile(r"/(?!/)[A-Za-z0-9._~/-]*")


def _pem(entry: dict, key: str, base: Path) -> bytes:
    if entry.get(f"{key}-data"):
        return base64.b64decode(entry[f"{key}-data"])
    path = Path(entry[key])
    return (path if path.is_absolute() else base / path).read_bytes()


def _load_client_pair(tls: ssl.SSLContext, cert_pem: bytes, key_pem: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:  # ssl loads a cert chain only from files
        cert, key = Path(tmp, "c.crt"), Path(tmp, "c.key")
        cert.write_bytes(cert_pem)
        key.write_bytes(key_pem)
        tls.load_cert_chain(cert, key)


# The reference component packages by the upstream binary each stands in for.
UPSTREAM_COMMANDS = {"controller_manager": "kube-controller-manager", "scheduler": "kube-scheduler",
                     "proxy": "kube-proxy", "kubelet": "kubelet"}


@mirrors("k8s.io/client-go/rest.DefaultKubernetesUserAgent", "k8s.io/client-go/rest.adjustCommand")
def default_user_agent() -> str:
    """`COMMAND/VERSION (OS/ARCH) kubernetes/COMMIT` as client-go sends it; the command is the
    upstream binary of the component the process runs (`python -m reference_impl.scheduler.run`
    is "kube-scheduler"), so the apiserver tells its clients apart as it tells kube-scheduler from
    kubectl, and names their field managers as upstream's (the part before the first slash)."""
    spec = getattr(sys.modules.get("__main__"), "__spec__", None)
    parts = spec.name.split(".") if spec is not None else []
    command = parts[1] if len(parts) == 3 and parts[0] == "reference_impl" else Path(sys.argv[0]).name
    command = UPSTREAM_COMMANDS.get(command, command)
    return f"{command or 'unknown'}/v0.0.0 ({platform.system().lower()}/{platform.machine()}) kubernetes/reference"


# Python's reason for bytes that are not UTF-8 → go-yaml's words for them (yaml.v2 readerc.go).
UTF8_PROBLEMS = {"invalid start byte": "invalid leading UTF-8 octet",
                 "invalid continuation byte": "invalid trailing UTF-8 octet",
                 "unexpected end of data": "incomplete UTF-8 octet sequence"}


@mirrors("k8s.io/client-go/tools/clientcmd.LoadFromFile",
         "k8s.io/client-go/tools/clientcmd.DirectClientConfig.ConfirmUsable")
def current_context(kubeconfig: Path) -> tuple[dict, dict]:
    """The cluster and user entries of a kubeconfig's current context (its first context when it
    names none). A file that is not a usable kubeconfig is a KubeconfigError saying why, worded
    as clientcmd words it."""
    try:
        config = yaml.safe_load(kubeconfig.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as error:
        problem = UTF8_PROBLEMS.get(error.reason, UTF8_PROBLEMS["invalid start byte"])
        raise KubeconfigError(f"yaml: {problem}") from None
    except yaml.MarkedYAMLError as error:
        where = error.problem_mark or error.context_mark
        raise KubeconfigError(f"yaml: line {where.line + 1}: {error.problem}") from None
    except yaml.reader.ReaderError:  # a NUL or another character YAML does not print
        raise KubeconfigError("yaml: control characters are not allowed") from None
    if config is None:
        config = {}
    if not isinstance(config, dict):
        raise KubeconfigError("not a kubeconfig: its top level is not a mapping")
    contexts = _named(config, "contexts", "context")
    name = config.get("current-context") or next(iter(contexts), None)
    if name is None:
        raise KubeconfigError("invalid configuration: no configuration has been provided")
    if name not in contexts:
        raise KubeconfigError(f"invalid configuration: context was not found for specified "
                              f"context: {name}")
    context = contexts[name]
    cluster = _named(config, "clusters", "cluster").get(context.get("cluster"))
    if cluster is None:
        raise KubeconfigError(f'invalid configuration: cluster "{context.get("cluster", "")}" '
                              f'was not found for context "{name}"')
    if not isinstance(cluster.get("server"), str) or not cluster["server"]:
        raise KubeconfigError(f'invalid configuration: no server found for cluster "{context["cluster"]}"')
    users = _named(config, "users", "user")
    if context.get("user") not in users:
        raise KubeconfigError(f'invalid configuration: user "{context.get("user", "")}" '
                              f'was not found for context "{name}"')
    return cluster, users[context["user"]]


def _named(config: dict, key: str, field: str) -> dict[str, dict]:
    """A kubeconfig's named list (`contexts: [{name, context}]`) as name → entry."""
    items = config.get(key) or []
    if not isinstance(items, list) or not all(
            isinstance(item, dict) and isinstance(item.get(field) or {}, dict) for item in items):
        raise KubeconfigError(f"{key} must be a list of {{name, {field}}} mappings")
    return {item.get("name"): item.get(field) or {} for item in items}


@mirrors("(k8s.io/client-go/rest.Result).Error", "(*k8s.io/client-go/rest.Request).newUnstructuredResponseError")
def _error_status(method: str, path: str, code: int, raw: bytes) -> dict:
    """The Status of an error answer: the body when it is a failed Status, else client-go's
    generic one for the code (an empty body, a `404 page not found` page). The Content-Type is not
    read here: a JSON body counts as not text (its server message "unknown"), any other as text."""
    try:
        status = jsonbytes.loads(raw) if raw else None
    except ValueError:
        status, server_message = None, raw.decode(errors="replace").strip()
    else:
        server_message = "" if status is None else "unknown"
    if isinstance(status, dict) and status.get("kind") == "Status" and status.get("status") == "Failure":
        return status
    return generic_server_response(code, method, *request_resource(path), server_message)


@mirrors("(k8s.io/client-go/rest.Request).finalURLTemplate")
def final_url_template(path: str) -> str:
    """A request's path and query with what varies between objects taken out, so that the
    latency's url label has few values: every query value is `{value}` but the timeout's (which
    client-go keeps apart from the parameters), and the namespace and object name under /api/v1 or
    /apis/GROUP/VERSION are `{namespace}` and `{name}` (a status or finalize subresource keeps its
    name). A path under neither prefix is `/{prefix}`."""
    plain = _PLAIN_PATH.fullmatch(path) is not None  # a bind's, an event's: nothing to parse or quote
    if plain:
        raw_path, query = path, ""
    else:
        url = urllib.parse.urlsplit(path)
        query = urllib.parse.urlencode(sorted((key, values[0] if key == "timeout" else "{value}")
                                              for key, values in urllib.parse.parse_qs(url.query, True).items()))
        raw_path = urllib.parse.unquote(url.path)
    segments = raw_path.split("/")
    if len(segments) > 2 and segments[1] not in ("api", "apis"):
        return "/%7Bprefix%7D"
    if len(segments) > 2:
        _template_names(segments, 3 if segments[1] == "api" else 4)  # the resource's (or "namespaces") index
    # As url.URL's String writes it: the braces escaped in the path as in the query.
    joined = "/".join(segment for segment in segments if segment)
    templated = (joined.replace("{", "%7B").replace("}", "%7D") if plain
                 else urllib.parse.quote(joined, safe="/$&+,:;=@"))
    return f"/{templated}?{query}" if query else f"/{templated}"


def _template_names(segments: list[str], index: int) -> None:
    """In place: /RESOURCE/NAME, /RESOURCE/NAME/status, /namespaces/NS/RESOURCE and
    /namespaces/NS/RESOURCE/NAME[/SUBRESOURCE] from `index` on, as finalURLTemplate counts them."""
    after = len(segments) - index
    if after == 2:
        segments[index + 1] = "{name}"
    elif after == 3:
        segments[index + 1] = "{name}" if segments[index + 2] in _KEPT_SUBRESOURCES else "{namespace}"
    elif after >= 4:
        segments[index + 1] = "{namespace}"
        if segments[index + 3] not in _KEPT_SUBRESOURCES:
            segments[index + 3] = "{name}"


class RequestResults:
    """rest_client_requests_total: each answer a client got by status code (`<error>` for none),
    method and the apiserver's host, as client-go's updateURLMetrics counts them; and
    rest_client_request_duration_seconds: how long each request took, answered or not, by verb
    and its URL's template (watches are not timed, as client-go times only Do's requests)."""

    def __init__(self, registry: Registry) -> None:
        self.family = registry.register(Family(
            "rest_client_requests_total", "[ALPHA] Number of HTTP requests, partitioned by status code, method, "
            "and host.", "counter", ("code", "method", "host")))
        self.latency = registry.register(Family(
            "rest_client_request_duration_seconds", "[ALPHA] Request latency in seconds. Broken down by verb and URL.",
            "histogram", ("verb", "url"), REQUEST_LATENCY_BUCKETS))

    @mirrors("k8s.io/client-go/rest.updateURLMetrics")
    def increment(self, code: int | None, method: str, host: str) -> None:
        self.family.inc("<error>" if code is None else str(code), method, host)

    @mirrors("(*k8s.io/component-base/metrics/prometheus/restclient.latencyAdapter).Observe")
    def observe(self, verb: str, url: str, seconds: float) -> None:
        self.latency.observe(verb, url, value=seconds)


class RestClient:
    results: RequestResults | None = None  # what a component's /metrics counts of this client's requests
    # Every request but a watch waits on it first (Request.tryThrottle); None: as many as asked.
    rate_limiter: flowcontrol.TokenBucketRateLimiter | None = None

    def __init__(self, kubeconfig: Path, timeout: float = 30.0):
        kubeconfig = Path(kubeconfig)
        cluster, user = current_context(kubeconfig)
        url = urllib.parse.urlsplit(cluster["server"])
        self.host, self.port, self.timeout = url.hostname, url.port or 443, timeout
        self.url_host = url.netloc  # the server URL's Host, port as written: the metrics' host label
        self.user_agent = default_user_agent()  # fixed for the process: worked out once, not per request
        self._idle = http1.IdleConnections(IDLE_CONNS_PER_HOST)
        self.ca_data = _pem(cluster, "certificate-authority", kubeconfig.parent).decode()  # rest.Config's CAData
        self.tls = ssl.create_default_context(cadata=self.ca_data)
        self.token = user.get("token")
        self._fixed_headers = self._headers()
        if user.get("client-certificate") or user.get("client-certificate-data"):
            _load_client_pair(self.tls, _pem(user, "client-certificate", kubeconfig.parent),
                              _pem(user, "client-key", kubeconfig.parent))

    def _headers(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host  # an IPv6 literal, as http.client writes it
        host = host if self.port == 443 else f"{host}:{self.port}"
        return (f"Host: {host}\r\nAccept-Encoding: identity\r\nAccept: application/json\r\n"
                f"User-Agent: {self.user_agent}\r\n"
                + (f"Authorization: Bearer {self.token}\r\n" if self.token else ""))

    @mirrors("k8s.io/client-go/rest.ImpersonationConfig")
    def impersonating(self, user: str, groups: tuple[str, ...] = ()) -> "RestClient":
        """This client acting as `user` in `groups` (Impersonate-User, Impersonate-Group), on the
        same connections: the apiserver authorizes each request as that user."""
        other = copy.copy(self)
        other._fixed_headers = self._fixed_headers + "".join(
            f"{name}: {value}\r\n" for name, value in (("Impersonate-User", user),
                                                          *(("Impersonate-Group", group) for group in groups)))
        return other

    def with_client_certificate(self, cert_pem: bytes, key_pem: bytes) -> "RestClient":
        """A client of the same apiserver, trusting the same CA, that authenticates with this
        certificate alone (a kubeconfig user with only client-certificate-data and client-key-data)."""
        other = copy.copy(self)
        other._idle, other.token = http1.IdleConnections(IDLE_CONNS_PER_HOST), None
        other._fixed_headers = other._headers()
        other.tls = ssl.create_default_context(cadata=self.ca_data)
        _load_client_pair(other.tls, cert_pem, key_pem)
        return other

    def with_rate_limiter(self, limiter: flowcontrol.TokenBucketRateLimiter | None) -> "RestClient":
        """This client on the same connections, its requests waiting on `limiter`: as a clientset
        built from a rest.Config with its own QPS and Burst, which shares the transport (and so the
        kept-alive connections) of every client of the same apiserver and credentials."""
        other = copy.copy(self)
        other.rate_limiter = limiter
        return other

    def _count(self, code: int | None, method: str) -> None:
        if self.results is not None:
            self.results.increment(code, method, self.url_host)

    def close_idle_connections(self) -> None:
        """Close the kept-alive connections no request is using (Go's CloseIdleConnections)."""
        self._idle.close()

    def _request_head(self, method: str, path: str, content_type: str | None, length: int) -> bytes:
        """The request line and headers of one call, as http.client would send them (which, like
        here, refuses a path with whitespace or control characters: they would split the request)."""
        if _UNSAFE_IN_PATH.search(path):
            raise http.client.InvalidURL(f"URL can't contain control characters. {path!r}")
        head = f"{method} {path} HTTP/1.1\r\n{self._fixed_headers}"
        if content_type is not None:
            head += f"Content-Type: {content_type}\r\nContent-Length: {length}\r\n"
        return (head + "\r\n").encode()

    def request_patch(self, path: str, patch: dict) -> dict:
        """A JSON merge patch."""
        return self.request("PATCH", path, patch, "application/merge-patch+json")

    @mirrors("(*k8s.io/client-go/rest.Request).request")
    def request(self, method: str, path: str, body: dict | None = None,
                content_type: str = "application/json") -> dict:
        """One request and its answer's JSON; an error answer raises APIStatusError."""
        if self.rate_limiter is not None:
            self.rate_limiter.wait()
        if self.results is None:
            return self._round_trip(method, path, body, content_type)
        started = time.monotonic()
        try:
            return self._round_trip(method, path, body, content_type)
        finally:
            self.results.observe(method, f"https://{self.url_host}{final_url_template(path)}",
                                 time.monotonic() - started)

    def _round_trip(self, method: str, path: str, body: dict | None, content_type: str) -> dict:
        data = jsonbytes.dumps(body) if body is not None else None
        head = self._request_head(method, path, content_type if data is not None else None,
                                  len(data) if data is not None else 0)
        # Kept-alive connections, shared by the client's threads: a TLS handshake with a client
        # certificate per request cost ~50 ms, which made one scheduler bind plus its event take 100 ms.
        conn = self._idle.take()
        reused = conn is not None
        if not reused:
            try:
                conn = http1.connect(self.host, self.port, self.tls, self.timeout)
            except OSError:
                self._count(None, method)
                raise
        try:
            status, raw, will_close = conn.round_trip(head, data)
        except _CLOSED_BY_SERVER:
            conn.close()
            if not (reused and (method in REPLAYABLE_METHODS or conn.written == 0)):
                self._count(None, method)
                raise
            # The server closed the kept-alive connection as our request went out: once more, on
            # another one (as Go's transport's shouldRetryRequest, unseen by the metrics). Only a
            # request that cannot have changed anything, being replayable or not having left at
            # all: a create the server stored before closing would be made twice.
            return self._round_trip(method, path, body, content_type)
        except BaseException:
            conn.close()
            self._count(None, method)
            raise
        self._count(status, method)
        if will_close:
            conn.close()
        else:
            self._idle.give_back(conn)
        if status >= 300:
            raise APIStatusError(method, path, status, _error_status(method, path, status, raw))
        return jsonbytes.loads(raw) if raw else {}

    def watch(self, path: str, resource_version: str, stop: threading.Event,
              timeout_seconds: int = 60):
        """Yield watch events from `resource_version` until the server closes or `stop` is set;
        raises Gone on a 410 answer. A watch does not wait on the rate limiter (1.24's
        Request.Watch: "We specifically don't want to rate limit watches")."""
        sep = "&" if "?" in path else "?"
        query = urllib.parse.urlencode({"watch": "1", "resourceVersion": resource_version,
                                        "allowWatchBookmarks": "true",
                                        "timeoutSeconds": str(timeout_seconds)})
        conn = http1.connect(self.host, self.port, self.tls, 1.0)
        try:
            conn.send(self._request_head("GET", f"{path}{sep}{query}", None, 0))
            response = conn.read_head()
            self._count(response.status, "GET")
            if response.status == 410:
                raise Gone(resource_version, conn.read_body(response).decode(errors="replace"))
            if response.status >= 300:
                raise APIStatusError("WATCH", path, response.status, jsonbytes.loads(conn.read_body(response) or b"{}"))
            # A read timeout would leave the stream mid-chunk and every quiet second would open a
            # new watch, so the stream blocks and a helper thread honours `stop` by shutting the
            # socket down.
            conn.sock.settimeout(None)
            done = threading.Event()
            threading.Thread(target=_shut_down_on_stop, args=(conn.sock, stop, done), daemon=True).start()
            lines = conn.iter_lines(response)
            try:
                while not stop.is_set():
                    try:
                        line = next(lines, None)
                    except OSError:
                        if stop.is_set():
                            return
                        raise
                    except http.client.IncompleteRead:
                        # Cut off between chunks (we or the server shut the socket): a closed
                        # watch, as client-go's stream decoder takes an unexpected EOF.
                        return
                    if line is None:
                        return
                    if line.strip():
                        yield jsonbytes.loads(line)
            finally:
                done.set()
        finally:
            conn.close()


def _shut_down_on_stop(sock: socket.socket, stop: threading.Event, done: threading.Event) -> None:
    while not done.wait(0.5):
        if stop.is_set():
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return


def run_reflector(client: RestClient, path: str, reflector: Reflector, stop: threading.Event) -> None:
    """Drive `reflector` against `path` (a collection URL) until `stop` is set."""
    while not stop.is_set():
        request = reflector.next_request()
        if isinstance(request, ListRequest):
            sep = "&" if "?" in path else "?"  # a path may carry its own selectors
            query = f"{sep}resourceVersion={request.resource_version}" if request.resource_version else ""
            reflector.on_list(client.request("GET", path + query))
            continue
        try:
            for event in client.watch(path, request.resource_version, stop):
                reflector.on_event(event)
                if isinstance(reflector.next_request(), ListRequest):
                    break  # an ERROR 410 event
            else:
                reflector.on_watch_closed()
        except Gone:
            reflector.on_gone()


def lease_step(client: RestClient, elector: LeaderElector) -> bool:
    """One acquire-or-renew round trip (GET, then POST or PUT with the read resourceVersion);
    True when we hold the lease afterwards."""
    base = f"/apis/coordination.k8s.io/v1/namespaces/{elector.namespace}/leases"
    try:
        current = client.request("GET", f"{base}/{elector.name}")
    except APIStatusError as error:
        if error.code != 404:
            raise
        current = None
    desired = elector.try_acquire_or_renew(current)
    if desired is None:
        return elector.is_leader()
    try:
        written = (client.request("POST", base, desired) if current is None
                   else client.request("PUT", f"{base}/{elector.name}", desired))
    except APIStatusError as error:
        if error.code in (409, 422):  # lost a race: someone else created/updated it first
            return elector.is_leader()
        raise
    elector.on_written(written)
    return elector.is_leader()


def release_lease(client: RestClient, elector: LeaderElector) -> None:
    """Give the Lease up if we hold it, as a leader with ReleaseOnCancel does when it stops; a
    failure is only logged upstream, and the Lease then expires on its own."""
    released = elector.release()
    if released is not None:
        client.request("PUT", f"/apis/coordination.k8s.io/v1/namespaces/{elector.namespace}/leases/{elector.name}",
                       released)
