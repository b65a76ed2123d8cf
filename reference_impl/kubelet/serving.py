"""The kubelet API's TLS: the serving certificate, client certificates asked for, and upgraded
connections handed to the streaming sessions as plain sockets.

As upstream's kubelet (cmd/kubelet/app.InitializeTLS) it serves --tls-cert-file, or without one a
self-signed certificate kept as kubelet.crt and kubelet.key in its certificate directory. With a
--client-ca-file it asks clients for a certificate and takes any at the handshake
(tls.RequestClientCert): the x509 authenticator judges it afterwards, so a certificate of another
CA is a 401, not a failed handshake.

An exec, attach or port-forward session reads the client in one thread and writes to it from
others, which an SSL socket does not allow (one SSL object, one thread at a time); `plain_streams`
gives such a session one end of a socket pair and moves the bytes between the other end and the
TLS connection in a single thread.
"""
from __future__ import annotations

import datetime
import socket
import ssl
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator

from reference_impl.apiserver.adapter.certs import issue_serving_cert, new_ca
from reference_impl.apiserver.adapter.tlsclientauth import request_client_certificates
from reference_impl.machinery.netdial import splice
from reference_impl.mirrors import mirrors

from .errors import KubeletError

DRAIN_SECONDS = 5.0  # how long a finished session's last bytes get to reach the client
HANDSHAKE_TIMEOUT_SECONDS = 30.0
# net/http's answer, on the connection under TLS, to a client that speaks plain HTTP to it.
HTTP_ON_TLS_ANSWER = b"HTTP/1.0 400 Bad Request\r\n\r\nClient sent an HTTP request to an HTTPS server.\n"


class ServingError(KubeletError):
    """A certificate, key or CA file the kubelet cannot serve with."""

    def __init__(self, path: Path | str, problem: str) -> None:
        self.path, self.problem = str(path), problem
        super().__init__(f"{path}: {problem}")


@mirrors("k8s.io/client-go/util/cert.GenerateSelfSignedCertKey")
def self_signed_pair(cert_dir: Path, host: str, address: str) -> tuple[Path, Path]:
    """kubelet.crt and kubelet.key in `cert_dir`, made (the certificate and the CA that signed
    it, as one chain) when either is missing; a restarted kubelet keeps serving the same one."""
    cert_path, key_path = cert_dir / "kubelet.crt", cert_dir / "kubelet.key"
    if cert_path.exists() and key_path.exists():
        return cert_path, key_path
    ca = new_ca(f"{host}-ca@{int(datetime.datetime.now().timestamp())}")
    pair = issue_serving_cert(ca, dns_names=(host,), ips=(address,))
    try:
        cert_dir.mkdir(parents=True, exist_ok=True)
        cert_path.write_bytes(pair.cert_pem + ca.cert_pem)
        key_path.touch(mode=0o600)
        key_path.write_bytes(pair.key_pem)
    except OSError as err:
        raise ServingError(err.filename or cert_path, err.strerror or str(err)) from None
    return cert_path, key_path


@mirrors("k8s.io/kubernetes/cmd/kubelet/app.InitializeTLS")
def serving_context(cert_file: Path, key_file: Path, client_ca_file: Path | None) -> ssl.SSLContext:
    """Serve the certificate; with a client CA, ask for client certificates without letting the
    handshake refuse one."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    try:
        context.load_cert_chain(cert_file, key_file)
    except (OSError, ssl.SSLError) as err:
        raise ServingError(f"{cert_file}, {key_file}", str(err)) from None
    if client_ca_file is not None:
        context.verify_mode = ssl.CERT_OPTIONAL
        try:
            context.load_verify_locations(cafile=str(client_ca_file))
        except (OSError, ssl.SSLError) as err:
            raise ServingError(client_ca_file, str(err)) from None
        request_client_certificates(context)
    return context


@mirrors("net/http.tlsRecordHeaderLooksLikeHTTP")
def looks_like_http(record_header: bytes) -> bool:
    """Whether the first five bytes of what should be a TLS record start an HTTP request instead."""
    return record_header in (b"GET /", b"HEAD ", b"POST ", b"PUT /", b"OPTIO")


@mirrors("(*net/http.conn).serve")
def handshake(connection: ssl.SSLSocket, timeout: float = HANDSHAKE_TIMEOUT_SECONDS) -> bool:
    """Run the server's side of the handshake within `timeout`; False when the client spoke plain
    HTTP instead, after answering it as net/http does. The record header is peeked at on the
    socket under TLS, as Go reads it from the RecordHeaderError."""
    connection.settimeout(timeout)
    if looks_like_http(socket.socket.recv(connection, 5, socket.MSG_PEEK | socket.MSG_WAITALL)):
        socket.socket.sendall(connection, HTTP_ON_TLS_ANSWER)
        return False
    connection.do_handshake()
    connection.settimeout(None)
    return True


def _buffered(connection: ssl.SSLSocket, rfile: BinaryIO) -> bytes:
    """What the client sent past its request head that `rfile` has read already, without
    waiting for more."""
    connection.settimeout(0.0)
    try:
        return rfile.read1(65536) or b""
    except (BlockingIOError, ssl.SSLWantReadError):
        return b""
    finally:
        connection.settimeout(None)


@contextmanager
def plain_streams(connection, rfile: BinaryIO) -> Iterator[tuple[BinaryIO, socket.socket]]:
    """The (reader, socket) a streaming session uses: the connection itself when it is plain,
    else a socket pair spliced to the TLS connection until the session is done and its last
    bytes are sent, or the client leaves."""
    if not isinstance(connection, ssl.SSLSocket):
        try:
            yield rfile, connection
        finally:
            _stop_reading(connection)
        return
    ours, theirs = socket.socketpair()
    try:
        theirs.sendall(_buffered(connection, rfile))
    except OSError:
        ours.close()
        theirs.close()
        raise
    pump = threading.Thread(target=_splice, args=(connection, theirs), name="kubelet-tls", daemon=True)
    pump.start()
    reader = ours.makefile("rb")
    try:
        yield reader, ours
    finally:
        try:
            ours.shutdown(socket.SHUT_WR)  # the pump sends what is left, then sees the end
        except OSError:
            pass
        pump.join(DRAIN_SECONDS)
        _stop_reading(ours)
        reader.close()
        ours.close()


def _stop_reading(sock: socket.socket) -> None:
    """End the session's reads of `sock`: a thread still waiting for the client (which need not
    answer a close) holds the reader's lock, and closing the reader would wait for it for ever,
    keeping the connection open after the session is done (upstream closes it at once)."""
    try:
        sock.shutdown(socket.SHUT_RD)
    except OSError:
        pass


def _splice(connection: ssl.SSLSocket, theirs: socket.socket) -> None:
    """Both directions until either side ends; the pair's end closes with it, so that the
    session's reads end and its writes fail once the client has gone."""
    try:
        splice(connection, theirs)
    finally:
        theirs.close()

