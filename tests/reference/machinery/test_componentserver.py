"""A component's secure port and plain ports (machinery.componentserver): the healthz, configz
and metrics handlers with no sockets, then the secure chain over TLS, each answer compared with
what a real kube-scheduler 1.24 wrote for the same request (bytes recorded from it, the Date aside)."""
from __future__ import annotations

import argparse
import base64
import logging
import re
import socket
import ssl
import time
from pathlib import Path

import pytest

from reference_impl.machinery.certutil import KeyPair, issue_client_cert, new_ca
from reference_impl.machinery import componentserver as cs, goserver
from reference_impl.machinery.delegatedauth import ReviewError
from reference_impl.machinery.prometheus import Family, Registry

FORBIDDEN_METRICS = (b'{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"forbidden: '
                     b'User \\"system:anonymous\\" cannot get path \\"/metrics\\"","reason":"Forbidden",'
                     b'"details":{},"code":403}\n')
UNAUTHORIZED = (b'{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"Unauthorized",'
                b'"reason":"Unauthorized","code":401}\n')


def test_healthz_answers_ok_and_verbose_lists_each_check_and_unmatched_excludes():
    """handleRootHealth: "ok"; with verbose each check, an excluded one marked, and a warning
    quoting excludes that match no check, sorted."""
    checks = (cs.PING, cs.HealthCheck("log"))
    assert cs.health_report("healthz", checks, {}).body == b"ok"
    verbose = cs.health_report("healthz", checks, {"verbose": [""], "exclude": ["log", "zz", "aa"]})
    assert verbose.body == (b'[+]ping ok\n[+]log excluded: ok\nwarn: some health checks cannot be excluded: '
                            b'no matches for "aa","zz"\nhealthz check passed\n')
    assert ("X-Content-Type-Options", "nosniff") in verbose.headers


def test_a_failing_check_is_a_500_that_withholds_its_reason():
    checks = (cs.PING, cs.HealthCheck("sync", lambda: "stuck for 3m"))
    reply = cs.health_report("healthz", checks, {})
    assert reply.code == 500
    assert reply.body == b"[+]ping ok\n[-]sync failed: reason withheld\nhealthz check failed\n"
    one = cs.check_reply(checks[1])
    assert (one.code, one.body) == (500, b"internal server error: stuck for 3m\n")


def test_path_recorder_mux_matches_exact_paths_then_prefixes_and_cleans_nothing():
    mux = cs.PathRecorderMux()
    cs.install_healthz(mux, lambda: ())
    mux.handle_prefix("/debug/", lambda request: cs.Reply(200, b"debug"))
    assert mux(cs.Request("GET", "/healthz/ping")).body == b"ok"
    assert mux(cs.Request("GET", "/debug/x")).body == b"debug"
    for path in ("/healthz/", "/livez", "/healthz/../healthz", "//healthz"):
        assert mux(cs.Request("GET", path)).body == b"404 page not found\n", path


def test_the_scheduler_metrics_handler_resets_on_delete():
    """HandlerWithReset: DELETE empties the registry and says so; GET is the text format."""
    registry = Registry()
    attempts = registry.register(Family("scheduler_schedule_attempts_total", "[STABLE] n", "counter",
                                        ("result", "profile")))
    attempts.inc("scheduled", "default-scheduler")
    mux = cs.PathRecorderMux()
    cs.install_metrics(mux, registry, resettable=True)
    text = mux(cs.Request("GET", "/metrics")).body.decode()
    assert 'scheduler_schedule_attempts_total{profile="default-scheduler",result="scheduled"} 1\n' in text
    assert mux(cs.Request("DELETE", "/metrics")).body == b"metrics reset\n"
    assert "scheduler_schedule_attempts_total" not in mux(cs.Request("GET", "/metrics")).body.decode()


# --- the secure port over TLS -------------------------------------------------------------------

class Apiserver:
    """Answers TokenReviews (`tokens`: token -> user) and SubjectAccessReviews (`allowed`: user ->
    paths), and keeps what it was asked."""

    def __init__(self) -> None:
        self.tokens = {"admin-token": "admin", "viewer-token": "viewer"}
        self.allowed = {"admin": {"/metrics", "/configz", "/nope"}}
        self.asked: list[dict] = []
        self.down = False

    def reviews(self, kubeconfig: Path, path: str):
        def review(body: dict) -> dict:
            self.asked.append(body)
            if self.down:
                raise ReviewError(f"{path}: connection refused")
            if body["kind"] == "TokenReview":
                user = self.tokens.get(body["spec"]["token"])
                return {"status": {"authenticated": True, "user": {"username": user, "groups": ["g"]}}
                        if user else {"authenticated": False}}
            spec = body["spec"]
            return {"status": {"allowed": spec["nonResourceAttributes"]["path"] in self.allowed.get(spec["user"], ())}}
        return review


@pytest.fixture(scope="module")
def ca() -> KeyPair:
    return new_ca()


@pytest.fixture
def apiserver() -> Apiserver:
    return Apiserver()


def secure_args(tmp_path: Path, ca: KeyPair, *argv: str) -> argparse.Namespace:
    (tmp_path / "ca.crt").write_bytes(ca.cert_pem)
    parser = argparse.ArgumentParser()
    cs.add_secure_serving_flags(parser, 10259)
    return parser.parse_args(["--bind-address", "127.0.0.1", "--secure-port", "0", "--cert-dir", str(tmp_path / "pki"),
                              "--client-ca-file", str(tmp_path / "ca.crt"), "--authentication-kubeconfig", "k",
                              "--authorization-kubeconfig", "k", *argv])


@pytest.fixture
def port(request, tmp_path, ca, apiserver):
    """The secure port, its ReadHeaderTimeout 5 s unless a test asks for another (indirect
    parametrization): short enough for the tests, long enough for a handshake on a loaded machine."""
    args = secure_args(tmp_path, ca)
    mux = cs.PathRecorderMux()
    cs.install_healthz(mux, lambda: ())
    cs.install_metrics(mux, Registry())
    cs.install_configz(mux, lambda: {"componentconfig": {"Parallelism": 16, "Kubeconfig": "<a&b>"}})
    auth = cs.delegating_auth(args, time.monotonic, apiserver.reviews)
    server = cs.serve(("127.0.0.1", 0), cs.secure_handler(mux, auth), cs.tls_context(args, "kube-scheduler"),
                      "test", read_timeout=getattr(request, "param", 5.0))
    yield server.port
    server.stop()


def exchange(port: int, raw: bytes, tls: bool = True, cert: tuple[Path, Path] | None = None) -> bytes:
    """What the server writes for `raw` until it closes the connection (or 2 s pass)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=2)
    if tls:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        if cert:
            context.load_cert_chain(*cert)
        sock = context.wrap_socket(sock)
    with sock:
        sock.sendall(raw)
        out = b""
        try:
            while chunk := sock.recv(65536):
                out += chunk
        except (TimeoutError, ssl.SSLError, ConnectionResetError):
            pass
    return re.sub(rb"Date: [^\r]*\r\n", b"", out)


def get(port: int, path: str, *headers: str, method: str = "GET", **kw) -> bytes:
    head = "".join(f"{header}\r\n" for header in headers)
    return exchange(port, f"{method} {path} HTTP/1.1\r\nHost: x\r\n{head}Connection: close\r\n\r\n".encode(), **kw)


def test_anyone_gets_healthz_with_no_cache(port):
    assert get(port, "/healthz") == (b"HTTP/1.1 200 OK\r\nCache-Control: no-cache, private\r\nContent-Type: text/plain; "
                                     b"charset=utf-8\r\nX-Content-Type-Options: nosniff\r\nContent-Length: 2\r\n"
                                     b"Connection: close\r\n\r\nok")


def test_an_anonymous_metrics_request_is_forbidden_as_system_anonymous(port, apiserver):
    """No credentials: system:anonymous, which the SubjectAccessReview does not allow: 403 naming
    the verb and the path; the review asked about the non-resource path."""
    assert get(port, "/metrics") == (b"HTTP/1.1 403 Forbidden\r\nCache-Control: no-cache, private\r\nContent-Type: "
                                     b"application/json\r\nX-Content-Type-Options: nosniff\r\nContent-Length: 192\r\n"
                                     b"Connection: close\r\n\r\n" + FORBIDDEN_METRICS)
    assert apiserver.asked[-1]["spec"] == {"nonResourceAttributes": {"path": "/metrics", "verb": "get"},
                                           "user": "system:anonymous", "groups": ["system:unauthenticated"]}


def test_only_the_always_allowed_paths_skip_authorization(port):
    """/healthz/ping is no /healthz: anonymous is forbidden there, as upstream's path authorizer
    matches whole paths."""
    assert b"cannot get path \\\"/healthz/ping\\\"" in get(port, "/healthz/ping")
    assert b"cannot delete path \\\"/metrics\\\"" in get(port, "/metrics", method="DELETE")


def test_a_token_the_apiserver_does_not_know_is_a_401(port):
    answer = get(port, "/healthz", "Authorization: Bearer wrong")
    assert answer.startswith(b"HTTP/1.1 401 Unauthorized\r\nCache-Control: no-cache, private\r\n")
    assert answer.endswith(b"\r\n\r\n" + UNAUTHORIZED)


def test_an_allowed_user_gets_metrics_configz_and_a_404_for_unknown_paths(port):
    metrics = get(port, "/metrics", "Authorization: Bearer admin-token")
    assert b"Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n" in metrics
    # The Go collector's families sort first (past a chunk-size line once the page outgrows
    # Go's 2 KiB buffer, as it does when the GC hook adds its families).
    assert re.search(rb"\r\n\r\n(?:[0-9a-f]+\r\n)?# HELP go_", metrics)
    assert b"\n# HELP process_start_time_seconds" in metrics
    configz = get(port, "/configz", "Authorization: Bearer admin-token")
    assert configz.endswith(b'\r\n\r\n{"componentconfig":{"Parallelism":16,"Kubeconfig":"\\u003ca\\u0026b\\u003e"}}')
    assert get(port, "/nope", "Authorization: Bearer admin-token").endswith(b"\r\n\r\n404 page not found\n")
    assert b"403 Forbidden" in get(port, "/metrics", "Authorization: Bearer viewer-token")


def test_a_websocket_client_may_offer_its_token_as_a_subprotocol(port, apiserver):
    """The delegating authenticator has the WebSocket protocol authenticator beside the bearer one
    (authenticatorfactory's New): the token in base64url.bearer.authorization.k8s.io.<token> is
    reviewed like a bearer token, and one no review vouches for is a 401."""
    def offering(token: str) -> tuple[str, ...]:
        encoded = base64.urlsafe_b64encode(token.encode()).decode().rstrip("=")
        return ("Connection: Upgrade", "Upgrade: websocket", "Sec-WebSocket-Protocol: base64url.bearer.authorization.k8s.io."
                f"{encoded}, v4.channel.k8s.io")
    assert b"# HELP process_start_time_seconds" in get(port, "/metrics", *offering("admin-token"))
    assert apiserver.asked[0]["spec"]["token"] == "admin-token"
    assert get(port, "/metrics", *offering("wrong")).startswith(b"HTTP/1.1 401 Unauthorized\r\n")


def test_system_masters_needs_no_review(port, tmp_path, ca, apiserver):
    pair = issue_client_cert(ca, "root", ("system:masters",))
    cert, key = tmp_path / "c.crt", tmp_path / "c.key"
    cert.write_bytes(pair.cert_pem)
    key.write_bytes(pair.key_pem)
    asked = len(apiserver.asked)
    assert get(port, "/configz", cert=(cert, key)).startswith(b"HTTP/1.1 200 OK")
    assert len(apiserver.asked) == asked


def test_an_apiserver_that_cannot_be_asked_is_a_500(port, apiserver):
    apiserver.down = True
    answer = get(port, "/metrics")
    assert answer.startswith(b"HTTP/1.1 500 Internal Server Error\r\nCache-Control: no-cache, private\r\n")
    assert b'\r\n\r\nInternal Server Error: "/metrics": ' in answer


def test_plain_http_on_the_tls_port_is_answered_in_net_http_words(port):
    assert exchange(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", tls=False) == (
        b"HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n")


def test_a_failed_handshake_is_dropped_and_says_why_at_debug(port, caplog):
    """A TLS record that is no ClientHello ends the connection with a fatal alert and no answer;
    the debug log keeps the handshake's error (quiet by default: the component's stderr is for
    its own messages)."""
    caplog.set_level(logging.DEBUG, logger="reference_impl.machinery.goserver")
    assert exchange(port, b"\x16\x03\x01\x00\x05hello", tls=False).startswith(b"\x15\x03")  # an alert record
    (record,) = [r for r in caplog.records if r.name == "reference_impl.machinery.goserver"]
    assert record.levelno == logging.DEBUG and issubclass(record.exc_info[0], ssl.SSLError)


@pytest.mark.parametrize("error, level", [(ConnectionResetError(104, "reset"), logging.DEBUG),
                                          (KeyError("/var/log/pods"), logging.ERROR)])
def test_a_handler_error_is_logged_as_a_panic_and_a_socket_error_at_debug(caplog, error, level):
    """A handler that raised left only a debug line, as a client that hung up does, so the
    kubelet's /stats/summary failing on a missing log folder looked like dropped connections;
    net/http logs a recovered panic ("http: panic serving ADDR: ERR")."""
    caplog.set_level(logging.DEBUG, logger="reference_impl.machinery.goserver")
    try:
        raise error
    except Exception:
        goserver.log_dropped_connection(("127.0.0.1", 4321))
    (record,) = [r for r in caplog.records if r.name == "reference_impl.machinery.goserver"]
    assert record.levelno == level and record.exc_info[1] is error
    if level == logging.ERROR:
        assert record.getMessage() == "http: panic serving 127.0.0.1:4321: '/var/log/pods'"


@pytest.mark.parametrize("raw, answer", [
    (b"GET /healthz HTTP/1.1\r\nHost: x\r\nHost: y\r\n\r\n",
     b"HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n\r\n400 Bad Request"),
    (b"GET /healthz HTTP/1.1\r\nHost: x y\r\n\r\n",
     b"HTTP/1.1 400 Bad Request: malformed Host header\r\nContent-Type: text/plain; charset=utf-8\r\n"
     b"Connection: close\r\n\r\n400 Bad Request: malformed Host header"),
    (b"OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
     b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
    (b"BREW /heal%74hz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
     b"HTTP/1.1 200 OK\r\nCache-Control: no-cache, private\r\nContent-Type: text/plain; charset=utf-8\r\n"
     b"X-Content-Type-Options: nosniff\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"),
    (b"GET /healthz/../metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
     b"HTTP/1.1 403 Forbidden\r\nCache-Control: no-cache, private\r\nContent-Type: application/json\r\n"
     b"X-Content-Type-Options: nosniff\r\nContent-Length: 203\r\nConnection: close\r\n\r\n"
     b'{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"forbidden: User '
     b'\\"system:anonymous\\" cannot get path \\"/healthz/../metrics\\"","reason":"Forbidden","details":{},'
     b'"code":403}\n'),
    (b"GET /healthz HTTP/1.0\r\n\r\n",
     b"HTTP/1.0 200 OK\r\nCache-Control: no-cache, private\r\nContent-Type: text/plain; charset=utf-8\r\n"
     b"X-Content-Type-Options: nosniff\r\nContent-Length: 2\r\n\r\nok"),
])
def test_requests_net_http_answers_itself(port, raw, answer):
    """Each as the real kube-scheduler answered it (a second Host, a malformed Host, OPTIONS *, any
    method and an escaped path on /healthz, a `..` path authorized as sent, HTTP/1.0)."""
    assert exchange(port, raw) == answer


@pytest.mark.parametrize("port", [0.5], indirect=True)
def test_a_client_that_sends_its_head_too_slowly_is_dropped_unanswered(port):
    """ReadHeaderTimeout bounds the whole head: a byte now and then does not stretch it."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    with context.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=3)) as sock:
        started = time.monotonic()
        sock.sendall(b"GET /healthz HTTP/1.1\r\n")
        try:
            for _ in range(10):
                time.sleep(0.2)
                sock.sendall(b"X-A: b\r\n")
        except OSError:
            pass
        assert sock.recv(100) == b""
        assert time.monotonic() - started < 2.5


def test_a_small_body_no_handler_reads_is_dropped_and_the_connection_kept(port):
    """Go's finishRequest reads up to 256 KiB of an unread body, so the next request on the
    connection is answered; a body awaiting 100 Continue ends the connection instead."""
    answers = exchange(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc"
                             b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert answers.count(b"HTTP/1.1 200 OK") == 2
    expecting = exchange(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: 3\r\n\r\n"
                               b"abcGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    assert expecting.count(b"HTTP/1.1 200 OK") == 1 and b"Connection: close\r\n" in expecting


def test_an_options_asterisk_body_is_read_up_to_4_kib_and_a_longer_one_ends_the_connection(port):
    """net/http answers OPTIONS * itself, reading its body through a 4 KiB MaxBytesReader: 4 KiB
    keeps the connection for the next request; a byte more is requestTooLarge, whose
    `Connection: close` is among the handler's headers (the reference read 256 KiB and kept it)."""
    def options(size: int) -> bytes:
        return exchange(port, b"OPTIONS * HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % size
                        + b"x" * size + b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")

    assert options(4096).count(b"HTTP/1.1 200 OK") == 2
    assert options(4097) == b"HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"


def test_an_expectation_other_than_100_continue_is_a_bare_417_as_the_apiservers(port):
    """conn.serve is the same for every Go server: any Expect but 100-continue is
    sendExpectationFailed's 417, before routing and authorization, and the connection closes."""
    answer = exchange(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nExpect: bogus\r\n\r\n"
                            b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer == b"HTTP/1.1 417 Expectation Failed\r\nConnection: close\r\nContent-Length: 0\r\n\r\n"


def test_connection_close_is_a_token_among_others(port):
    """shouldClose looks for the token in every Connection header: `keep-alive, close` ends
    the connection after its answer (Go 1.19's server answered only the first request too)."""
    answers = exchange(port, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: keep-alive, close\r\n\r\n"
                             b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answers.count(b"HTTP/1.1 200 OK") == 1 and b"Connection: close\r\n" in answers


def test_a_burst_of_connections_waits_in_the_kernels_backlog_not_for_a_retransmit():
    """Go listens with somaxconn's backlog: 50 clients connecting while the accept thread is busy
    are all queued at once, where socketserver's backlog of 5 dropped the rest's SYNs."""
    server = goserver.GoServer(("127.0.0.1", 0), goserver.GoConnectionHandler, None, 1.0, 1.0)
    clients = []
    try:
        for _ in range(50):
            clients.append(socket.create_connection(("127.0.0.1", server.port), timeout=0.5))
    finally:
        for client in clients:
            client.close()
        server.server_close()
    assert len(clients) == 50
