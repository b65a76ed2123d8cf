"""`services/NAME/proxy/PATH` (and pods/, nodes/) through the apiserver's HTTP server to a local
HTTP backend: every method with its path, query and body carried on, the headers as Go's reverse
proxy and the apiserver's transport leave them, redirects and HTML links rewritten, upgrades passed
through, and a backend that cannot be reached in upstream's words. Each expectation is what the
real 1.24 apiserver answered for the same request (a service backed by a local server)."""
from __future__ import annotations

import gzip
import http.client
import http.server
import json
import socket
import threading
import time

import pytest

from reference_impl.apiserver.adapter.server import APIServer
from reference_impl.apiserver.core.handlers import Request
from reference_impl.apiserver.core.resourceproxy import ProxyResponse
from tests.reference.apiserver.test_handlers import call, chain, etcd, registry  # noqa: F401


class Backend(http.server.BaseHTTPRequestHandler):
    """Echoes each request as JSON; some paths answer with headers the proxy must handle."""

    protocol_version = "HTTP/1.1"
    answers = {
        "/redirect": (302, [("Location", "http://{self}/target/x?q=1")]),
        "/cors": (200, [("Access-Control-Allow-Origin", "*"), ("Access-Control-Expose-Headers", "x")]),
        "/hop": (200, [("Connection", "X-Foo"), ("X-Foo", "1"), ("X-Bar", "2")]),
    }

    def log_message(self, format, *args):  # noqa: A002
        pass

    def read_body(self) -> bytes:
        """The whole body, by its length or chunk by chunk: one left unread would be taken for the
        next request, and the proxy still writing it would find the connection closed."""
        if self.headers.get("Transfer-Encoding", "").lower() != "chunked":
            return self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b""
        while size := int(self.rfile.readline().split(b";")[0], 16):
            body += self.rfile.read(size)
            self.rfile.readline()
        self.rfile.readline()
        return body

    def answer(self):
        body = self.read_body()
        path = self.path.split("?")[0]
        if path == "/ws":
            self.send_response(101)
            self.send_header("Upgrade", "websocket")
            self.end_headers()
            self.wfile.write(f"upgraded at {self.path}; ".encode() + self.rfile.read(4))
            self.close_connection = True
            return
        if path == "/chunked":
            self.send_response(200)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            self.wfile.write(b"2\r\nab\r\n2\r\ncd\r\n0\r\n\r\n")
            return
        if path == "/gz":
            out = gzip.compress(b"zipped body")
            self.send_response(200)
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Content-Length", str(len(out)))
            self.end_headers()
            self.wfile.write(out)
            return
        if path == "/big":
            self.send_response(200)
            self.send_header("Content-Length", str(len(str(len(body)))))
            self.end_headers()
            self.wfile.write(str(len(body)).encode())
            return
        if path == "/page":
            out = f'<a href="/x">x</a><img src="http://{self.headers["X-Backend"]}/i.png">'.encode()
            extra, content_type = [], "text/html; charset=utf-8"
            code = 200
        else:
            code, extra = self.answers.get(path, (200, []))
            content_type = "application/json"
            out = json.dumps({"method": self.command, "path": self.path, "body": body.decode(),
                              "headers": {k.lower(): v for k, v in self.headers.items()}}).encode()
        self.send_response(code)
        for name, value in extra:
            self.send_header(name, value.replace("{self}", self.headers.get("X-Backend", "")))
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(out)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = answer


@pytest.fixture
def served(registry, request):
    """The apiserver over plain HTTP, a backend on loopback and a service `web` whose endpoint
    (a pod's IP) is the backend; yields (server, namespace, backend address)."""
    backend = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Backend)
    threading.Thread(target=backend.serve_forever, daemon=True).start()
    server = APIServer(registry)
    server.start()
    port = backend.server_address[1]
    namespace = f"proxy-{request.node.name.replace('_', '-')[5:40].strip('-')}-{port}"
    chain = server.chain
    call(chain, "POST", "/api/v1/namespaces", {"metadata": {"name": namespace}})
    pod = call(chain, "POST", f"/api/v1/namespaces/{namespace}/pods",
               {"metadata": {"name": "backend"}, "spec": {"containers": [{"name": "c", "image": "x"}]}})[1]
    pod["status"] = {"podIP": "127.0.0.1", "podIPs": [{"ip": "127.0.0.1"}]}
    call(chain, "PUT", f"/api/v1/namespaces/{namespace}/pods/backend/status", pod)
    for name, target in (("web", port), ("down", 1)):
        call(chain, "POST", f"/api/v1/namespaces/{namespace}/services",
             {"metadata": {"name": name}, "spec": {"ports": [{"name": "http", "port": 80}]}})
        call(chain, "POST", f"/api/v1/namespaces/{namespace}/endpoints", {
            "metadata": {"name": name}, "subsets": [{
                "addresses": [{"ip": "127.0.0.1", "targetRef": {"kind": "Pod", "namespace": namespace,
                                                                "name": "backend"}}],
                "ports": [{"name": "http", "port": target}]}]})
    yield server, namespace, f"127.0.0.1:{port}"
    server.stop()
    backend.shutdown()
    backend.server_close()


def send(server, method, path, body=None, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    conn.request(method, path, body=body, headers=headers or {})
    response = conn.getresponse()
    data = response.read()
    conn.close()
    return response, data


def raw_exchange(server, request: str) -> bytes:
    """Send a raw request and read everything the server answers until it closes."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as client:
        client.sendall(request.encode())
        received = b""
        while chunk := client.recv(4096):
            received += chunk
    return received


def web(namespace: str, rest: str = "") -> str:
    return f"/api/v1/namespaces/{namespace}/services/web:http/proxy{rest}"


@pytest.mark.parametrize("method", ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_every_method_reaches_the_backend_with_its_path_query_and_body(served, method):
    server, namespace, _ = served
    body = b'{"a": 1}' if method in ("POST", "PUT", "PATCH") else None
    response, data = send(server, method, web(namespace, "/a/b?x=1&y=2"), body)
    echoed = json.loads(data)
    assert (response.status, echoed["method"], echoed["path"]) == (200, method, "/a/b?x=1&y=2")
    assert echoed["body"] == (body or b"").decode()


def test_a_head_gets_the_backends_headers_and_no_body(served):
    server, namespace, _ = served
    response, data = send(server, "HEAD", web(namespace, "/a"))
    assert (response.status, data, response.getheader("Content-Type")) == (200, b"", "application/json")


def test_the_backend_is_told_the_path_asked_for_and_the_client_address(served):
    """Transport.RoundTrip's X-Forwarded-Uri, ReverseProxy's X-Forwarded-For appended to the
    client's; credentials and hop-by-hop headers (with those Connection names) are not sent."""
    server, namespace, _ = served
    _, data = send(server, "GET", web(namespace, "/a/"), headers={
        "X-Forwarded-For": "10.9.9.9", "Connection": "X-Baz", "X-Baz": "1", "Keep-Alive": "1",
        "Authorization": "Bearer secret", "X-Kept": "yes"})
    headers = json.loads(data)["headers"]
    assert headers["x-forwarded-uri"] == web(namespace, "/a/")
    assert headers["x-forwarded-for"] == "10.9.9.9, 127.0.0.1"
    assert headers["x-kept"] == "yes"
    assert not {"x-baz", "keep-alive", "authorization"} & set(headers)


def test_hop_by_hop_and_cors_headers_of_the_answer_are_dropped(served):
    server, namespace, _ = served
    response, _ = send(server, "GET", web(namespace, "/hop"))
    assert (response.getheader("X-Foo"), response.getheader("X-Bar")) == (None, "2")
    response, _ = send(server, "GET", web(namespace, "/cors"))
    assert (response.getheader("Access-Control-Allow-Origin"), response.getheader("Access-Control-Expose-Headers")) \
        == (None, "x")


def test_a_redirect_to_the_backends_host_goes_through_the_proxy_again(served):
    server, namespace, backend = served
    response, _ = send(server, "GET", web(namespace, "/redirect"), headers={"X-Backend": backend})
    assert (response.status, response.getheader("Location")) == (302, web(namespace, "/target/x?q=1"))


def test_html_links_to_the_backend_are_rewritten(served):
    server, namespace, backend = served
    response, data = send(server, "GET", web(namespace, "/page"), headers={"X-Backend": backend})
    assert data.decode() == f'<a href="{web(namespace, "/x")}">x</a><img src="{web(namespace, "/i.png")}">'
    assert response.getheader("Content-Length") == str(len(data))


def test_an_answer_of_unknown_length_streams_chunked(served):
    server, namespace, _ = served
    response, data = send(server, "GET", web(namespace, "/chunked"))
    assert (response.status, response.getheader("Transfer-Encoding"), data) == (200, "chunked", b"abcd")


def test_a_get_of_the_bare_proxy_path_is_a_301_to_it_with_a_slash(served):
    server, namespace, _ = served
    response, _ = send(server, "GET", web(namespace) + "?a=1")
    assert (response.status, response.getheader("Location")) == (301, web(namespace, "/?a=1"))


def test_a_backend_that_cannot_be_reached_is_a_503_in_upstreams_words(served):
    server, namespace, _ = served
    response, data = send(server, "GET", f"/api/v1/namespaces/{namespace}/services/down:http/proxy/x")
    status = json.loads(data)
    assert (response.status, status["reason"], status["message"]) == (
        503, "ServiceUnavailable", "error trying to reach service: dial tcp 127.0.0.1:1: connect: connection refused")


def test_an_upgrade_is_passed_through_without_the_query(served):
    """tryUpgrade dials the handler's location, which 1.24 gives no query: the backend sees the
    path alone (the real 1.24 sent `/ws` for `.../proxy/ws?a=1`)."""
    server, namespace, _ = served
    received = raw_exchange(server, f"GET {web(namespace, '/ws?a=1')} HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\n"
                            "Upgrade: websocket\r\n\r\nping")
    assert received.startswith(b"HTTP/1.1 101 ")
    assert received.endswith(b"upgraded at /ws; ping")


def test_a_pod_proxy_is_a_connect_with_no_dry_run_and_seven_methods(chain):
    """ConnectResource refuses a dryRun; a method the proxy does not carry is go-restful's 405."""
    call(chain, "POST", f"/api/v1/namespaces/{chain.namespace}/pods",
         {"metadata": {"name": "web"}, "spec": {"containers": [{"name": "c", "image": "x"}]}})
    path = f"/api/v1/namespaces/{chain.namespace}/pods/web/proxy/a"
    assert chain.handle(Request("GET", path, {"dryRun": ["All"]}, {})).code == 400
    assert chain.handle(Request("BREW", path, {}, {})).code == 405
    refused = chain.handle(Request("OPTIONS", path, {}, {}))
    assert (refused.code, json.loads(refused.body)["message"]) == (400, "address not allowed")


def test_a_node_proxy_goes_to_its_kubelet(chain):
    node = f"n-{chain.namespace}"[:60]
    call(chain, "POST", "/api/v1/nodes", {"metadata": {"name": node}})
    created = call(chain, "GET", f"/api/v1/nodes/{node}")[1]
    created["status"] = {"addresses": [{"type": "InternalIP", "address": "10.0.0.7"}],
                         "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}}}
    call(chain, "PUT", f"/api/v1/nodes/{node}/status", created)
    response = chain.handle(Request("GET", f"/api/v1/nodes/{node}/proxy/metrics", {}, {}))
    assert isinstance(response, ProxyResponse)
    assert (response.location.kubelet, response.location.netloc, response.path) == (True, "10.0.0.7:10250",
                                                                                    "/metrics")


def test_https_to_a_backend_that_speaks_no_tls_is_a_503_in_gos_words(served):
    """The real 1.24's text for `https:NAME:PORT` of a plain HTTP backend."""
    server, namespace, _ = served
    response, data = send(server, "GET", f"/api/v1/namespaces/{namespace}/services/https:web:http/proxy/x")
    assert (response.status, json.loads(data)["message"]) == (
        503, "error trying to reach service: tls: first record does not look like a TLS handshake")


def test_the_path_goes_out_escaped_as_go_writes_it(served):
    """The real 1.24 sent `/a/b/c%20d?x=%2F` for `.../proxy/a%2Fb/c%20d?x=%2F`: the path decoded
    (%2F a separator by then) and escaped again, the query as it came."""
    server, namespace, _ = served
    _, data = send(server, "GET", web(namespace, "/a%2Fb/c%20d?x=%2F"))
    assert json.loads(data)["path"] == "/a/b/c%20d?x=%2F"


@pytest.fixture
def far_node(served):
    """A node whose address is no loopback one (nothing is dialled there in these tests)."""
    server = served[0]
    name = f"far-{served[1]}"[:60]
    call(server.chain, "POST", "/api/v1/nodes", {"metadata": {"name": name}})
    node = call(server.chain, "GET", f"/api/v1/nodes/{name}")[1]
    node["status"] = {"addresses": [{"type": "InternalIP", "address": "10.255.255.1"}],
                      "daemonEndpoints": {"kubeletEndpoint": {"Port": 10250}}}
    call(server.chain, "PUT", f"/api/v1/nodes/{name}/status", node)
    return server, name


def test_a_named_port_that_makes_no_url_drops_the_connection(far_node):
    """`nodes/NAME:abc` (or `pods/NAME:http`): 1.24's normalizeLocation cannot parse the URL and
    panics; the real server closed the connection with no answer, and so does this one."""
    server, name = far_node
    with pytest.raises(http.client.RemoteDisconnected):
        send(server, "GET", f"/api/v1/nodes/{name}:abc/proxy/x")


def test_a_port_past_65535_is_the_dialers_503(far_node):
    server, name = far_node
    response, data = send(server, "GET", f"/api/v1/nodes/{name}:99999/proxy/x")
    assert (response.status, json.loads(data)["message"]) == (
        503, "error trying to reach service: dial tcp: address 99999: invalid port")


def test_a_body_of_any_size_is_passed_on_as_it_arrives(served):
    """ConnectResource reads no body, so the 3 MiB limit of the other handlers does not apply: the
    real 1.24 passed a 4 MiB POST on. A chunked body goes on chunked."""
    server, namespace, _ = served
    big = b"x" * (4 * 1024 * 1024)
    response, data = send(server, "POST", web(namespace, "/big"), big)
    assert (response.status, int(data)) == (200, len(big))
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    conn.request("PUT", web(namespace, "/chunks"), body=iter([b"ab", b"cd"]), encode_chunked=True)
    echoed = json.loads(conn.getresponse().read())
    assert (echoed["headers"]["transfer-encoding"], echoed["body"]) == ("chunked", "abcd")
    conn.close()


def test_an_http_1_0_body_is_framed_by_its_content_length_whatever_transfer_encoding_says(served):
    """HTTP/1.0 has no Transfer-Encoding: net/http frames the body by Content-Length alone, and
    the proxy passes it on framed the same way."""
    server, namespace, _ = served
    received = raw_exchange(server, f"POST {web(namespace, '/old')} HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: gzip\r\n"
                            "Content-Length: 3\r\n\r\nabc")
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.0 200 ") and json.loads(body)["body"] == "abc"


def test_a_refused_requests_unread_body_is_read_and_the_connection_kept(served):
    """net/http reads a body under 256 KiB its handler left unread before the answer goes out,
    so the connection carries the next request: the real 1.24 answered both of these."""
    server, namespace, _ = served
    received = raw_exchange(server, f"POST /api/v1/namespaces/{namespace}/services/missing/proxy/x HTTP/1.1\r\n"
                            "Host: x\r\nContent-Length: 3\r\n\r\nabcGET /version HTTP/1.1\r\nHost: x\r\n"
                            "Connection: close\r\n\r\n")
    assert received.startswith(b"HTTP/1.1 404 ") and received.count(b"HTTP/1.1 ") == 2 and b"HTTP/1.1 200 " in received


@pytest.mark.parametrize("size, closed", [(20_000, False), (300_000, True)])
def test_a_refused_request_whose_body_comes_late_is_answered_not_reset(served, size, closed):
    """A body that arrives after the refusal (request_random_differential seed 31, case 942: a POST
    of 20,000 `[` to a proxy path under /watch/) is read, not left under a closed socket whose
    reset the sender sees; past 256 KiB the answer says Connection: close, as the real 1.24's."""
    server, namespace, _ = served
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as client:
        client.sendall(f"POST /api/v1/watch/namespaces/{namespace}/pods/x/proxy/a HTTP/1.1\r\nHost: x\r\n"
                       f"Content-Length: {size}\r\n\r\n".encode())
        time.sleep(0.1)  # the refusal is decided before the body is sent
        client.sendall(b"[" * size)
        answer = client.recv(65536)
        if not closed:  # the connection serves the next request
            client.sendall(b"GET /version HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            while data := client.recv(65536):
                answer += data
    assert answer.startswith(b"HTTP/1.1 404 ") and (b"Connection: close" in answer.split(b"\r\n\r\n")[0]) == closed
    assert (b"HTTP/1.1 200 " in answer) == (not closed)


def node_proxy(chain, status: dict, port: str = "") -> object:
    name = f"n-{chain.namespace}"[:60]
    call(chain, "POST", "/api/v1/nodes", {"metadata": {"name": name}})
    node = call(chain, "GET", f"/api/v1/nodes/{name}")[1]
    call(chain, "PUT", f"/api/v1/nodes/{name}/status", {**node, "status": status})
    return chain.handle(Request("GET", f"/api/v1/nodes/{name}{port}/proxy/x", {}, {}))


def test_a_node_with_no_preferred_address_is_a_plain_500(chain):
    """GetPreferredNodeAddress's NoMatchError, as the real 1.24 answered for a node with none."""
    response = node_proxy(chain, {})
    status = json.loads(response.body)
    assert (response.code, status.get("reason"), status["message"]) == (
        500, None, "no preferred addresses found; known addresses: []")


def test_a_node_that_reports_no_kubelet_port_is_reached_on_10250(chain):
    response = node_proxy(chain, {"addresses": [{"type": "ExternalIP", "address": "10.0.0.8"},
                                                {"type": "InternalIP", "address": "10.0.0.7"}]})
    assert response.location.netloc == "10.0.0.7:10250"


def test_the_transport_asks_for_gzip_itself_and_hands_the_answer_on_uncompressed(served):
    """As the real 1.24 did for a client that asked for no encoding: the backend got
    `Accept-Encoding: gzip`, and its gzip answer went on uncompressed and chunked; a client that
    asks for gzip gets the backend's bytes as they are."""
    server, namespace, _ = served
    received = raw_exchange(server, f"GET {web(namespace, '/gz')} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    head, _, body = received.partition(b"\r\n\r\n")
    assert b"Transfer-Encoding: chunked" in head and b"Content-Encoding" not in head
    assert body == b"b\r\nzipped body\r\n0\r\n\r\n"
    response, data = send(server, "GET", web(namespace, "/gz"), headers={"Accept-Encoding": "gzip"})
    assert (response.getheader("Content-Encoding"), gzip.decompress(data)) == ("gzip", b"zipped body")
    _, data = send(server, "GET", web(namespace, "/echo"), headers={"Accept-Encoding": ""})
    assert json.loads(data)["headers"]["accept-encoding"] == "gzip"
