"""The reverse proxy behind `pods/proxy`, `services/proxy` and `nodes/proxy`: the REST handlers
decide where a request goes (`core.resourceproxy.ProxyResponse`); this adapter sends it there and
hands the backend's answer back as it streams in.

As Go's httputil.ReverseProxy with the apiserver's rewriting transport: hop-by-hop headers are
dropped both ways (with those the Connection header names), the client's address is appended to
X-Forwarded-For, X-Forwarded-Uri tells the backend the path the client asked for, a `Location`
on the backend's own host is rewritten to go through the apiserver again, and the backend's CORS
headers are removed. A backend that cannot be reached is upstream's 503 "error trying to reach
service". A kubelet is dialled over TLS with the apiserver's kubelet client certificate; another
https backend with no verification, as the apiserver's proxy transport does.
"""
from __future__ import annotations

import gzip
import http.client
import ssl
import urllib.parse
import zlib
from dataclasses import dataclass
from typing import Callable, Iterator

from reference_impl.apiserver.core import errors
from reference_impl.apiserver.core.resourceproxy import (ProxyLocation, ProxyResponse, path_prepend,
                                                         rewrite_html, rewrite_url)
from reference_impl.machinery import gopath
from reference_impl.machinery.netdial import dial_error, tls_error
from reference_impl.mirrors import mirrors

DIAL_TIMEOUT_SECONDS = 30
HOP_BY_HOP = frozenset({"connection", "proxy-connection", "keep-alive", "proxy-authenticate", "proxy-authorization",
                        "te", "trailer", "transfer-encoding", "upgrade"})
CORS_HEADERS = frozenset({"access-control-allow-credentials", "access-control-allow-headers",
                          "access-control-allow-methods", "access-control-allow-origin"})
# The authentication filter removed the credentials (the impersonation filter took its headers
# out of the request itself).
NOT_FORWARDED = frozenset({"authorization"})
BODYLESS_CODES = (204, 304)
GO_CHUNKING_BUFFER = 2048  # net/http's bufferBeforeChunkingSize


@dataclass
class BackendAnswer:
    """The backend's status, its headers as the client gets them (Content-Length when it sent one)
    and its body as it streams in; a bodyless answer (to a HEAD, a 204, a 304) has none to send."""

    code: int
    reason: str
    headers: list[tuple[str, str]]
    bodyless: bool
    chunks: Callable[[], Iterator[bytes]]

    @property
    def chunked(self) -> bool:
        """Whether the body goes out chunked: it has one, of a length the backend did not say."""
        return not self.bodyless and not any(name.lower() == "content-length" for name, _ in self.headers)


def backend_tls(location: ProxyLocation, kubelet_tls: ssl.SSLContext | None) -> ssl.SSLContext | None:
    if location.kubelet:
        return kubelet_tls
    if location.scheme != "https":
        return None
    # The proxy transport has InsecureSkipVerify: a pod's serving certificate names no IP it has.
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    return context


@mirrors("net/http/httputil.removeConnectionHeaders")
def end_to_end(headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The headers without the hop-by-hop ones, those the Connection header names among them."""
    named = {token.strip().lower() for name, value in headers if name.lower() == "connection"
             for token in value.split(",")}
    return [(name, value) for name, value in headers if name.lower() not in HOP_BY_HOP | named]


@mirrors("(*net/http/httputil.ReverseProxy).ServeHTTP", "(*k8s.io/apimachinery/pkg/util/proxy.Transport).RoundTrip")
def request_headers(headers, client_address: str, forwarded_uri: str) -> list[tuple[str, str]]:
    """The client's headers as the backend gets them: its own Host kept, no credentials, no hop
    headers (but `TE: trailers`), X-Forwarded-For and X-Forwarded-Uri set."""
    kept = [(k, v) for k, v in end_to_end(list(headers.items()))
            if k.lower() not in NOT_FORWARDED | {"x-forwarded-for", "x-forwarded-uri", "content-length"}]
    if any(k.lower() == "te" and v.strip().lower() == "trailers" for k, v in headers.items()):
        kept.append(("Te", "trailers"))
    prior = ", ".join(v for k, v in headers.items() if k.lower() == "x-forwarded-for")
    forwarded = f"{prior}, {client_address}" if prior else client_address
    return kept + [("X-Forwarded-For", forwarded), ("X-Forwarded-Uri", forwarded_uri)]


@mirrors("(*net/http.persistConn).roundTrip")
def asks_for_gzip(method: str, headers) -> bool:
    """Whether Go's transport asks the backend for gzip itself: the client asked for no encoding
    and no range, and the request is no HEAD. It then hands the answer on uncompressed."""
    return method != "HEAD" and not headers.get("Accept-Encoding") and not headers.get("Range")


@mirrors("(*k8s.io/apimachinery/pkg/util/proxy.Transport).RoundTrip")
def forwarded_uri(prepend: str, backend_path: str) -> str:
    """path.Join(PathPrepend, the path sent), its trailing slash kept; an empty path is sent as "/"."""
    sent = backend_path or "/"
    joined = gopath.clean(f"{prepend}/{sent}")
    return joined + "/" if sent.endswith("/") and not joined.endswith("/") else joined


def response_headers(headers: list[tuple[str, str]], target: ProxyResponse, request_host: str,
                     prepend: str) -> list[tuple[str, str]]:
    """The backend's headers as the client gets them: no hop or CORS headers, `Location` rewritten."""
    kept = []
    for name, value in end_to_end(headers):
        if name.lower() in CORS_HEADERS:
            continue
        if name.lower() == "location":
            value = rewrite_url(value, target.location.netloc, request_host, prepend)
        kept.append((name, value))
    return kept


def proxy_request(target: ProxyResponse, method: str, headers, body: Iterator[bytes], length: int | None,
                  raw_query: str, client_address: str, kubelet_tls: ssl.SSLContext | None) -> BackendAnswer:
    """Send the request to the backend, its body (of the `length` the request's head declared,
    None: chunked) passed on as it arrives, framed as the client's was, and return the answer; a
    StatusError (503) when the backend cannot be reached or answers no HTTP."""
    location = target.location
    tls = backend_tls(location, kubelet_tls)
    port = _dial_port(location)
    if tls is None:
        conn = http.client.HTTPConnection(location.host, port, timeout=DIAL_TIMEOUT_SECONDS)
    else:
        conn = http.client.HTTPSConnection(location.host, port, timeout=DIAL_TIMEOUT_SECONDS, context=tls)
    prepend = path_prepend(target.request_path, target.path)
    url = escaped_path(target.path or "/") + (f"?{raw_query}" if raw_query else "")
    try:
        conn.putrequest(method, url, skip_host=True, skip_accept_encoding=True)
        conn.putheader("Host", headers.get("Host") or location.netloc)
        for name, value in request_headers(headers, client_address, forwarded_uri(prepend, target.path)):
            if name.lower() != "host":
                conn.putheader(name, value)
        gzip_asked = asks_for_gzip(method, headers)
        if gzip_asked:
            conn.putheader("Accept-Encoding", "gzip")
        if length is None:
            conn.putheader("Transfer-Encoding", "chunked")
            conn.endheaders(body, encode_chunked=True)
        else:
            if length or method in ("POST", "PUT", "PATCH"):
                conn.putheader("Content-Length", str(length))
            conn.endheaders()
            for piece in body:
                conn.send(piece)
        upstream = conn.getresponse()
    except (OSError, http.client.HTTPException) as err:
        conn.close()
        raise errors.service_unavailable(f"error trying to reach service: {_transport_error(err, location)}") from None
    bodyless = method == "HEAD" or upstream.status in BODYLESS_CODES or 100 <= upstream.status < 200
    backend_headers = list(upstream.getheaders())
    gunzip = gzip_asked and (upstream.getheader("Content-Encoding") or "") == "gzip"
    if gunzip:  # the transport's own gzip comes back uncompressed, of a length no one knows
        backend_headers = [(k, v) for k, v in backend_headers
                           if k.lower() not in ("content-encoding", "content-length")]

    def chunks() -> Iterator[bytes]:
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS) if gunzip else None
        try:
            while not bodyless and (chunk := upstream.read1(64 * 1024)):
                yield inflater.decompress(chunk) if inflater else chunk
            if inflater:
                yield inflater.flush()
        except (OSError, http.client.HTTPException, zlib.error):
            return
        finally:
            conn.close()

    answer = BackendAnswer(upstream.status, upstream.reason,
                           response_headers(backend_headers, target, headers.get("Host", ""), prepend),
                           bodyless, chunks)
    if not bodyless and _rewritable_page(answer.headers):
        return _with_links_rewritten(answer, lambda url: rewrite_url(url, location.netloc, headers.get("Host", ""),
                                                                      prepend))
    return answer


@mirrors("(*net/url.URL).EscapedPath")
def escaped_path(path: str) -> str:
    """The decoded path as Go writes it on the wire: what is not unreserved or a sub-delimiter
    allowed in a path is percent-encoded (an `%2F` the client sent is a `/` by now)."""
    return urllib.parse.quote(path, safe="/$&+,:;=@")


def _rewritable_page(headers: list[tuple[str, str]]) -> bool:
    """An HTML page whose links the transport rewrites: no redirect, an encoding it can read."""
    values = {name.lower(): value for name, value in headers}
    media_type = values.get("content-type", "").split(";", 1)[0].strip()
    return "location" not in values and media_type == "text/html" and \
        values.get("content-encoding", "") in ("", "gzip", "deflate")


@mirrors("(*k8s.io/apimachinery/pkg/util/proxy.Transport).rewriteResponse")
def _with_links_rewritten(answer: BackendAnswer, rewrite) -> BackendAnswer:
    """The whole page read, its links rewritten and encoded again as it came; Go's server sends a
    body that fits its 2 KiB buffer with a Content-Length, a longer one chunked."""
    encoding = next((v for k, v in answer.headers if k.lower() == "content-encoding"), "")
    raw = b"".join(answer.chunks())
    try:
        page = {"gzip": gzip.decompress, "deflate": _inflate}.get(encoding, bytes)(raw)
    except (OSError, EOFError, zlib.error):
        return BackendAnswer(answer.code, answer.reason, answer.headers, False, lambda: iter((raw,)))
    text = rewrite_html(page.decode("utf-8", "surrogateescape"), rewrite).encode("utf-8", "surrogateescape")
    body = {"gzip": gzip.compress, "deflate": _deflate}.get(encoding, bytes)(text)
    headers = [(k, v) for k, v in answer.headers if k.lower() != "content-length"]
    if len(body) <= GO_CHUNKING_BUFFER:
        headers.append(("Content-Length", str(len(body))))
    return BackendAnswer(answer.code, answer.reason, headers, False, lambda: iter((body,)))


def _inflate(data: bytes) -> bytes:
    return zlib.decompress(data, -zlib.MAX_WBITS)


def _deflate(data: bytes) -> bytes:
    compressor = zlib.compressobj(zlib.Z_BEST_COMPRESSION, zlib.DEFLATED, -zlib.MAX_WBITS)
    return compressor.compress(data) + compressor.flush()


def _transport_error(err: Exception, location: ProxyLocation) -> str:
    """A failed round trip as Go's transport words it: `dial tcp 10.0.0.5:80: connect: connection refused`."""
    if isinstance(err, ssl.SSLError):
        return tls_error(err)
    if isinstance(err, OSError):
        return f"dial tcp {location.dial_address}: {dial_error(err)}"
    return str(err) or type(err).__name__


def _dial_port(location: ProxyLocation) -> int | None:
    """The port to dial (None: the scheme's); past 65535 the dialer's 503, as Go's net.Dial words it."""
    if not location.port:
        return None
    if int(location.port) > 65535:
        raise errors.service_unavailable(f"error trying to reach service: dial tcp: address {location.port}: "
                                         "invalid port")
    return int(location.port)
