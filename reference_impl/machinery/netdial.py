"""A failed TCP dial or TLS handshake in Go's words, for the components that dial on a client's
behalf (the apiserver's proxies to a kubelet, the kubelet's port forward to a pod), and the splice
that carries an upgraded connection's bytes both ways once dialled."""
from __future__ import annotations

import os
import select
import socket
import ssl

# OpenSSL's verify results for a chain that reaches no trusted CA (X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT,
# DEPTH_ZERO_SELF_SIGNED_CERT, SELF_SIGNED_CERT_IN_CHAIN, ..._LOCALLY, UNABLE_TO_VERIFY_LEAF_SIGNATURE).
UNKNOWN_AUTHORITY = frozenset({2, 18, 19, 20, 21})


def dial_error(err: OSError) -> str:
    """A failed dial as Go's net.OpError ends its text: `connect: connection refused`, `i/o timeout`."""
    if isinstance(err, TimeoutError):
        return "i/o timeout"
    if err.errno and err.errno > 0:  # not a resolver's (negative) code
        return f"connect: {os.strerror(err.errno).lower()}"
    return str(err)


def tls_error(err: OSError) -> str:
    """A failed handshake as Go's crypto/x509 ends its text when no trusted CA signed the peer's
    certificate (`x509: certificate signed by unknown authority`), or crypto/tls when the peer
    answered no TLS; any other in OpenSSL's words."""
    if isinstance(err, ssl.SSLCertVerificationError) and err.verify_code in UNKNOWN_AUTHORITY:
        return "x509: certificate signed by unknown authority"
    if getattr(err, "reason", None) == "WRONG_VERSION_NUMBER":
        return "tls: first record does not look like a TLS handshake"
    return getattr(err, "verify_message", None) or str(err)


# OpenSSL's SSL3_RT_HEADER: the content type its message callback gives a record's 5-byte header.
_RECORD_HEADER = 0x100
# What crypto/tls's RecordHeaderError holds when the peer answered a client hello in HTTP.
HTTP_RECORD_HEADER = b"HTTP/"


def _keep_first_record_header(conn, direction, version, content_type, msg_type, data) -> None:
    if direction == "read" and content_type == _RECORD_HEADER and not hasattr(conn, "first_record_header"):
        conn.first_record_header = bytes(data)


def client_handshake(sock: socket.socket, context: ssl.SSLContext, server_hostname: str) -> ssl.SSLSocket:
    """TLS as a client over the dialled `sock`. A failed handshake raises `TLSHandshakeError`, which
    keeps the first record header the peer sent, as crypto/tls's RecordHeaderError does."""
    context._msg_callback = _keep_first_record_header  # OpenSSL's message callback: sees every record header
    tls = context.wrap_socket(sock, server_hostname=server_hostname, do_handshake_on_connect=False)
    try:
        tls.do_handshake()
    except ssl.SSLError as err:
        tls.close()
        raise TLSHandshakeError(err, getattr(tls, "first_record_header", b"")) from err
    return tls


class TLSHandshakeError(OSError):
    """A client handshake that failed: OpenSSL's error and the first record header read (if any)."""

    def __init__(self, error: ssl.SSLError, record_header: bytes):
        super().__init__(str(error))
        self.error, self.record_header = error, record_header


def http_client_tls_error(err: TLSHandshakeError) -> str:
    """A failed handshake as Go's http.Client.Do words it: a peer that answered the client hello
    in HTTP (its first record header "HTTP/") is named so, as Client.send does for a
    RecordHeaderError; any other failure as the transport's `tls_error`."""
    if getattr(err.error, "reason", None) == "WRONG_VERSION_NUMBER" and err.record_header == HTTP_RECORD_HEADER:
        return "http: server gave HTTP response to HTTPS client"
    return tls_error(err.error)


def splice(one: socket.socket, other: socket.socket) -> None:
    """Copy bytes both ways until either side ends or fails; either may be an SSL socket."""
    try:
        while True:
            # Bytes an SSL socket has decrypted but not handed out yet are no news to select.
            readable = [s for s in (one, other) if _pending(s)] or select.select([one, other], [], [])[0]
            for source, sink in ((one, other), (other, one)):
                if source in readable:
                    data = source.recv(65536)
                    if not data:
                        return
                    sink.sendall(data)
    except OSError:
        return


def _pending(sock: socket.socket) -> int:
    return sock.pending() if isinstance(sock, ssl.SSLSocket) else 0
