"""Ask TLS clients for a certificate without letting TLS judge it, as kube-apiserver does.

Go's server uses tls.RequestClientCert: any certificate is taken at the handshake and the x509
authenticator verifies it afterwards, so a self-signed, unknown-CA or expired certificate gets a
401 Unauthorized Status. Python's ssl module can only request *and verify* (CERT_OPTIONAL), which
ends such a handshake with a TLS alert the client reports as a connection error. OpenSSL itself
can do what Go does: SSL_CTX_set_verify with a callback that accepts every certificate. The ssl
module does not expose it, so this module calls it through ctypes on the SSL_CTX behind an
`ssl.SSLContext`, after checking that the pointer it found is that context (its verify mode and
options read back through OpenSSL match what Python reports); if not, the context is left as it
was and TLS keeps verifying.
"""
from __future__ import annotations

import ctypes
import ssl

from reference_impl.mirrors import mirrors

SSL_VERIFY_PEER = 0x01
_VERIFY_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int, ctypes.c_void_p)


@_VERIFY_CALLBACK
def _accept_any_certificate(preverify_ok: int, store_context: int) -> int:
    """Every certificate passes the handshake; the x509 authenticator decides on the request."""
    return 1


def _libssl() -> ctypes.CDLL:
    # The _ssl extension module's handle resolves the libssl it was linked with, not another one.
    lib = ctypes.CDLL(ssl._ssl.__file__)  # type: ignore[attr-defined]
    lib.SSL_CTX_get_verify_mode.argtypes = [ctypes.c_void_p]
    lib.SSL_CTX_get_verify_mode.restype = ctypes.c_int
    lib.SSL_CTX_get_options.argtypes = [ctypes.c_void_p]
    lib.SSL_CTX_get_options.restype = ctypes.c_uint64
    lib.SSL_CTX_set_verify.argtypes = [ctypes.c_void_p, ctypes.c_int, _VERIFY_CALLBACK]
    lib.SSL_CTX_set_verify.restype = None
    return lib


@mirrors("(*k8s.io/apiserver/pkg/server.SecureServingInfo).tlsConfig")
def request_client_certificates(context: ssl.SSLContext) -> bool:
    """Make a server `context` request but not verify client certificates; True when done."""
    if context.verify_mode != ssl.CERT_OPTIONAL:
        return False
    try:
        lib = _libssl()
        # PySSLContext starts with PyObject_HEAD and then its SSL_CTX pointer.
        pointer = ctypes.c_void_p.from_address(id(context) + object.__basicsize__).value
        if not pointer or lib.SSL_CTX_get_verify_mode(pointer) != SSL_VERIFY_PEER \
                or lib.SSL_CTX_get_options(pointer) != int(context.options):
            return False
        lib.SSL_CTX_set_verify(pointer, SSL_VERIFY_PEER, _accept_any_certificate)
    except (OSError, AttributeError, ValueError):
        return False
    return True


def peer_intermediates_der(sock: ssl.SSLSocket) -> tuple[bytes, ...]:
    """The certificates the client sent after its own (Go's PeerCertificates[1:]), which the x509
    authenticator may use as intermediates to the client CA. Python reads them only through the
    socket's private `get_unverified_chain` (public from 3.13); without it there are none."""
    sslobj = getattr(sock, "_sslobj", None)
    chain_of = getattr(sslobj, "get_unverified_chain", None)
    if chain_of is None:
        return ()
    try:
        chain = chain_of() or []
        ders = [certificate.public_bytes(ssl._ssl.ENCODING_DER) for certificate in chain]  # type: ignore[attr-defined]
    except (ssl.SSLError, ValueError, AttributeError):
        return ()
    # On the server side the list starts with the client's own certificate (CPython puts it there).
    return tuple(ders[1:])
