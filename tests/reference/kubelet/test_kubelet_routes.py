"""How the kubelet's server routes and reads requests before any handler: Go's ServeMux, then
go-restful's router; net/http's refusals of what it cannot read; its idle and read timeouts."""
from __future__ import annotations

import socket
import time

import pytest

from reference_impl.kubelet.actions import PodKey
from reference_impl.kubelet.crilog import records
from reference_impl.kubelet.logserver import LogServer
from reference_impl.kubelet.routes import (ROUTES, Handler, Health, Match, MuxAnswer, Route, RouteError, health_report,
                                           route)
from reference_impl.kubelet.runtime import log_path

POD = {"metadata": {"name": "p", "namespace": "ns", "uid": "u1"}, "spec": {"containers": [{"name": "c"}]},
       "status": {"containerStatuses": [{"name": "c", "state": {"running": {}}, "restartCount": 0}]}}
LOGS = next(route for route in ROUTES if route.root == "containerLogs")


def test_a_route_takes_its_path_parameters_in_order():
    assert route("GET", "/containerLogs/ns/p/c") == Match(LOGS, ("ns", "p", "c"))


def test_the_uid_routes_of_exec_attach_and_port_forward_are_served():
    exec_by_uid = route("POST", "/exec/ns/p/u1/c")
    assert (exec_by_uid.param("uid"), exec_by_uid.param("containerName")) == ("u1", "c")
    assert route("GET", "/portForward/ns/p/u1").param("uid") == "u1"
    assert route("GET", "/portForward/ns/p").param("uid") == ""


def test_healthz_and_each_of_its_checks_are_paths_of_their_own():
    assert route("DELETE", "/healthz") == Health("")
    assert route("GET", "/healthz/syncloop") == Health("syncloop")
    assert route("GET", "/healthz/") == MuxAnswer(404, "404 page not found\n")
    assert route("GET", "/healthz/nope") == MuxAnswer(404, "404 page not found\n")


def test_a_verbose_healthz_lists_each_check_and_warns_of_an_exclude_that_matches_none():
    assert health_report({}) == health_report({"exclude": ["log"]}) == "ok"
    assert health_report({"verbose": [""], "exclude": ["log", "nope", "log"]}) == (
        "[+]ping ok\n[+]log excluded: ok\n[+]syncloop ok\n"
        'warn: some health checks cannot be excluded: no matches for "nope"\nhealthz check passed\n')


def test_a_path_that_is_not_clean_is_redirected_before_anything_else():
    """ServeMux cleans the decoded path: %2F is a slash, `..` climbs, `//` is one; the query stays."""
    assert route("PUT", "//containerLogs/ns/p/c", "tailLines=1") == MuxAnswer(
        301, location="/containerLogs/ns/p/c?tailLines=1")
    assert route("GET", "/containerLogs/ns/p/..%2Fc") == MuxAnswer(301, location="/containerLogs/ns/c")


def test_a_path_under_no_registered_prefix_is_the_muxs_404():
    assert route("GET", "/nowhere") == MuxAnswer(404, "404 page not found\n")
    assert route("GET", "/execs/ns/p/c") == MuxAnswer(404, "404 page not found\n")


def test_go_restful_answers_a_registered_prefix_that_no_route_takes():
    """404 when no route has the path, 405 when one has it for other methods, whatever the method."""
    assert route("GET", "/containerLogs/ns/p/c/extra") == RouteError(404, "404: Page Not Found")
    assert route("GET", "/exec") == RouteError(404, "404: Page Not Found")
    for method in ("POST", "PUT", "DELETE", "HEAD", "OPTIONS", "BREW"):
        assert route(method, "/containerLogs/ns/p/c") == RouteError(405, "405: Method Not Allowed")


def test_the_default_handlers_web_services_are_routed():
    """/pods and /runningpods/ are GET only; /stats/summary takes GET and POST; a /stats/ path 1.24
    has no route for (the legacy /stats/container) is go-restful's 404."""
    assert route("GET", "/pods") == Match(Route("pods", (), ("GET",)), ())
    assert route("GET", "/runningpods/") == Match(Route("runningpods", (), ("GET",)), ())
    assert route("POST", "/pods") == RouteError(405, "405: Method Not Allowed")
    assert route("POST", "/stats/summary").route.segments == ("summary",)
    assert route("GET", "/stats/container") == route("GET", "/stats/") == RouteError(404, "404: Page Not Found")


def test_a_subtree_root_without_its_slash_is_redirected_to_it():
    assert route("GET", "/stats", "a=1") == MuxAnswer(301, location="/stats/?a=1")
    assert route("GET", "/runningpods") == MuxAnswer(301, location="/runningpods/")
    assert route("GET", "/logs") == MuxAnswer(301, location="/logs/")
    assert route("GET", "/debug/pprof") == MuxAnswer(301, location="/debug/pprof/")


def test_the_system_logs_route_takes_the_rest_of_the_path():
    assert route("GET", "/logs/") == Match(route("GET", "/logs/").route, ())
    assert route("GET", "/logs/apt/history.log").param("logpath") == "apt/history.log"
    assert route("DELETE", "/logs/x") == RouteError(405, "405: Method Not Allowed")


def test_run_is_post_only_with_or_without_the_uid():
    assert route("POST", "/run/ns/p/c").param("containerName") == "c"
    assert route("POST", "/run/ns/p/u1/c").param("uid") == "u1"
    assert route("GET", "/run/ns/p/c") == RouteError(405, "405: Method Not Allowed")


def test_metrics_configz_and_the_debug_handlers_are_exact_paths_of_the_mux_for_any_method():
    """1.24 has no /spec/ nor /checkpoint/: those are the mux's 404, as /metrics/ and
    /metrics/nope, which no handler is registered for."""
    for path in ("/metrics", "/metrics/cadvisor", "/metrics/resource", "/metrics/probes", "/configz",
                 "/debug/flags/v"):
        assert route("DELETE", path) == Handler(path)
    assert route("GET", "/debug/pprof/heap") == route("PUT", "/debug/pprof/") == Handler("/debug/pprof/")
    for path in ("/metrics/", "/metrics/nope", "/spec/", "/checkpoint/ns/p/c", "/configz/x"):
        assert route("GET", path) == MuxAnswer(404, "404 page not found\n")


def test_the_asterisk_target_is_a_400_but_for_options():
    assert route("GET", "*") == MuxAnswer(400)
    assert route("OPTIONS", "*") == MuxAnswer(200)


@pytest.fixture
def kubelet(tmp_path):
    log = log_path(tmp_path, PodKey("ns", "p", "u1"), "c", 0)
    log.parent.mkdir(parents=True)
    log.write_bytes(records(b"hello\n", time.time_ns()))
    server = LogServer(tmp_path, lambda ns, name: POD if (ns, name) == ("ns", "p") else None,
                       lambda key, name: False, tls=None, auth=None, idle_timeout=0.5, read_timeout=1.0)
    server.start()
    yield server
    server.stop()


def exchange(server: LogServer, data: bytes, wait: float = 5.0) -> bytes:
    """Everything the server answers to `data` until it closes the connection."""
    with socket.create_connection(("127.0.0.1", server.port)) as connection:
        connection.settimeout(wait)  # a connection kept open fails the test instead of hanging it
        connection.sendall(data)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
        return answer


def status_and_body(answer: bytes) -> tuple[bytes, bytes]:
    head, _, body = answer.partition(b"\r\n\r\n")
    return head.split(b"\r\n", 1)[0], body


def test_an_answer_names_no_server_as_gos_does(kubelet):
    answer = exchange(kubelet, b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head = answer.partition(b"\r\n\r\n")[0].lower()
    assert b"\r\ndate: " in head and b"\r\nserver:" not in head


def test_a_method_without_a_route_is_405_never_a_501_page(kubelet):
    for method in (b"PUT", b"DELETE", b"OPTIONS", b"BREW"):
        answer = exchange(kubelet, method + b" /containerLogs/ns/p/c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        assert status_and_body(answer) == (b"HTTP/1.1 405 Method Not Allowed", b"405: Method Not Allowed")


@pytest.mark.parametrize("request_line, status", [
    (b"GET /containerLogs/ns/p/c HTTP/2.0", b"505 HTTP Version Not Supported: unsupported protocol version"),
    (b"GET /containerLogs/ns/p/c", b"400 Bad Request"),
    (b"GET /containerLogs/ns/p/%zz HTTP/1.1", b"400 Bad Request"),
    (b"\x16\x03\x01\x02\x00", b"400 Bad Request"),
])
def test_a_request_net_http_cannot_read_is_refused_in_its_plain_words(kubelet, request_line, status):
    answer = exchange(kubelet, request_line + b"\r\nHost: x\r\n\r\n")
    assert status_and_body(answer) == (b"HTTP/1.1 " + status, status)
    assert b"Connection: close" in answer


def test_a_bad_content_length_is_a_400_before_any_handler(kubelet):
    answer = exchange(kubelet, b"POST /exec/ns/p/c HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n")
    assert status_and_body(answer) == (b"HTTP/1.1 400 Bad Request", b"400 Bad Request")


def test_no_100_continue_is_sent_for_a_body_no_handler_reads(kubelet):
    answer = exchange(kubelet, b"POST /containerLogs/ns/p/c HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\n"
                               b"Content-Length: 3\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 405 ") and b"100 Continue" not in answer


def test_an_unread_body_is_never_taken_for_the_next_request(kubelet):
    """The connection closes after a response to a request whose body no handler read."""
    inner = b"GET /containerLogs/ns/p/c HTTP/1.1\r\nHost: x\r\n\r\n"
    answer = exchange(kubelet, b"POST /containerLogs/ns/p/c HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n%s"
                      % (len(inner), inner))
    assert answer.count(b"HTTP/1.1 ") == 1


def test_healthz_is_served_as_upstreams_handler_writes_it(kubelet):
    answer = exchange(kubelet, b"GET /healthz?verbose HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert status_and_body(answer) == (b"HTTP/1.1 200 OK",
                                       b"[+]ping ok\n[+]log ok\n[+]syncloop ok\nhealthz check passed\n")
    assert b"X-Content-Type-Options: nosniff" in answer


def test_a_port_forward_whose_uid_is_not_the_pods_is_404(kubelet):
    answer = exchange(kubelet, b"POST /portForward/ns/p/other HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert status_and_body(answer) == (b"HTTP/1.1 404 Not Found", b"pod not found")


def test_pipelined_requests_are_answered_in_order(kubelet):
    one = b"GET /containerLogs/ns/p/c HTTP/1.1\r\nHost: x\r\n\r\n"
    answer = exchange(kubelet, one + b"GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert answer.index(b"HTTP/1.1 200 ") < answer.index(b"HTTP/1.1 404 ")


def test_an_idle_kept_alive_connection_is_closed_after_the_idle_timeout(kubelet):
    started = time.monotonic()
    answer = exchange(kubelet, b"GET /containerLogs/ns/p/c HTTP/1.1\r\nHost: x\r\n\r\n")
    assert status_and_body(answer) == (b"HTTP/1.1 200 OK", b"6\r\nhello\n\r\n0\r\n\r\n")
    assert time.monotonic() - started < 4


def test_a_log_is_chunked_with_no_content_type_as_get_container_logs_writes_it(kubelet):
    """getContainerLogs sets Transfer-Encoding: chunked itself, which keeps net/http from
    sniffing a Content-Type; an HTTP/1.0 client gets the bytes until the connection ends."""
    answer = exchange(kubelet, b"GET /containerLogs/ns/p/c HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head = answer.partition(b"\r\n\r\n")[0].lower()
    assert b"\r\ntransfer-encoding: chunked" in head
    assert b"content-type" not in head and b"content-length" not in head
    old = exchange(kubelet, b"GET /containerLogs/ns/p/c HTTP/1.0\r\n\r\n")
    assert status_and_body(old) == (b"HTTP/1.0 200 OK", b"hello\n")
    assert b"transfer-encoding" not in old.lower()


def test_a_half_sent_request_is_dropped_after_the_read_timeout_without_an_answer(kubelet):
    assert exchange(kubelet, b"GET /containerLogs/ns/p/c HTTP/1.1\r\nHost") == b""


def test_a_head_sent_a_byte_at_a_time_is_dropped_at_the_read_deadline(kubelet):
    """ReadTimeout bounds the whole head, not each read: bytes trickling in do not extend it."""
    started = time.monotonic()
    with socket.create_connection(("127.0.0.1", kubelet.port)) as connection:
        connection.settimeout(5)
        try:
            for byte in b"GET /containerLogs/ns/p/c HTTP/1.1\r\nHost: x":
                connection.sendall(bytes([byte]))
                time.sleep(0.1)
            answer = connection.recv(65536)
        except OSError:  # reset: the server closed while bytes were still coming
            answer = b""
    assert answer == b"" and time.monotonic() - started < 4


@pytest.mark.parametrize("body", [b"Content-Length: 5\r\n\r\nabcde", b"Transfer-Encoding: chunked\r\n\r\n5;x=1\r\nabcde\r\n0\r\nX-T: 1\r\n\r\n",
                                  b"Content-Length: 05\r\n\r\nabcde"])
def test_a_small_unread_body_is_dropped_and_the_connection_serves_the_next_request(kubelet, body):
    """net/http reads a body no handler read (up to 256 KiB, chunked too) before it answers, so
    the connection carries on: the real kubelet (kubemark's) answered both requests; the
    reference closed after any body."""
    answer = exchange(kubelet, b"POST /healthz HTTP/1.1\r\nHost: x\r\n" + body
                      + b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert answer.count(b"HTTP/1.1 ") == 2 and answer.count(b"\r\nConnection: close\r\n") == 1


@pytest.mark.parametrize("body", [b"Transfer-Encoding: chunked\r\n\r\n5\nabcde\n0\n\n", b"Transfer-Encoding: chunked\r\n\r\n-1\r\n",
                                  b"Content-Length: 9223372036854775807\r\n\r\nabc"])
def test_a_body_that_cannot_be_dropped_ends_the_connection_with_connection_close(kubelet, body):
    """A chunked body that breaks, or one past 256 KiB: the answer says Connection: close and the
    connection ends, as the real kubelet answered (the reference sent no Connection field)."""
    answer = exchange(kubelet, b"POST /healthz HTTP/1.1\r\nHost: x\r\n" + body
                      + b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    assert answer.count(b"HTTP/1.1 ") == 1 and b"\r\nConnection: close\r\n\r\n" in answer


def test_the_muxs_404_says_nosniff_as_http_not_found_does(kubelet):
    answer = exchange(kubelet, b"GET /nowhere HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head, body = answer.partition(b"\r\n\r\n")[::2]
    assert b"\r\nX-Content-Type-Options: nosniff" in head and body == b"404 page not found\n"


def test_a_redirect_of_another_method_than_get_has_no_content_type(kubelet):
    """http.Redirect sets a type and writes its body for GET and HEAD only."""
    answer = exchange(kubelet, b"POST /runningpods HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head, body = answer.partition(b"\r\n\r\n")[::2]
    assert head.startswith(b"HTTP/1.1 301 ") and b"\r\nLocation: /runningpods/" in head
    assert b"Content-Type" not in head and body == b""


@pytest.mark.parametrize("size, answers", [(4096, 2), (4097, 1)])
def test_an_options_asterisk_body_past_4_kib_ends_the_connection(kubelet, size, answers):
    """net/http answers OPTIONS * itself and reads at most 4 KiB of its body (a MaxBytesReader):
    a byte more ends the connection, where the reference read 256 KiB as for an unread body."""
    answer = exchange(kubelet, b"OPTIONS * HTTP/1.1\r\nHost: x\r\nContent-Length: %d\r\n\r\n" % size
                      + b"x" * size + b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert answer.count(b"HTTP/1.1 200 OK") == answers
