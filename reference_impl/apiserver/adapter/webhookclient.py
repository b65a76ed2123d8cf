"""Calling an admission or conversion webhook: one AdmissionReview (ConversionReview) POSTed over
HTTPS, the serving certificate verified against the webhook's caBundle (the system's roots without
one), within the webhook's timeout (a conversion webhook has none). Transport failures raise `webhooks.CallFailed` in the words Go's HTTP and REST clients use,
since they end up in the Status a client sees.

A webhook behind a Service is reached at `https://NAME.NAMESPACE.SVC:PORT/PATH`, as upstream's
default service resolver writes it, and its certificate must be valid for that name; but no cluster
DNS or Service proxy runs beside this apiserver, so the connection goes to the first ready address
of the Service's Endpoints, on the endpoint port the Service port targets.
"""
from __future__ import annotations

import base64
import http.client
import json
import socket
import ssl
from urllib.parse import urlsplit

from reference_impl.apiserver.core import jsonserializer
from reference_impl.apiserver.core.errors import StatusError
from reference_impl.apiserver.core.webhooks import CallFailed, Webhook
from reference_impl.machinery.gojson import quote
from reference_impl.mirrors import mirrors

# NewGenericServerResponse's reasons for an answer that is no Status, by code; others >= 500 name the body.
GENERIC_MESSAGES = {
    400: "the server rejected our request for an unknown reason",
    401: "the server has asked for the client to provide credentials",
    404: "the server could not find the requested resource",
    405: "the server does not allow this method on the requested resource",
    409: "the server reported a conflict",
    422: "the server rejected our request due to an error in our request",
    429: "the server has received too many requests and has asked us to try again later",
    503: "the server is currently unable to handle the request",
    504: "the server was unable to return a response in the time allotted, but may still be processing the request",
}


CONVERSION_TIMEOUT = 30.0  # seconds


class WebhookClient:
    """`call(webhook, review, timeout)` for the webhook plugins; `registry` resolves Services."""

    def __init__(self, registry: object) -> None:
        self.registry = registry

    def __call__(self, hook: Webhook, review: dict, timeout: float) -> dict:
        return self.post(hook.spec.get("clientConfig") or {}, review, timeout)

    def conversion(self, client_config: dict, review: dict) -> dict:
        """A CRD's conversion webhook: the client manager's REST client has a timeout of 30s."""
        return self.post(client_config, review, CONVERSION_TIMEOUT)

    @mirrors("(*k8s.io/apiserver/pkg/util/webhook.ClientManager).HookClient")
    def post(self, client_config: dict, review: dict, timeout: float | None) -> dict:
        """POST `review` to the webhook `client_config` names; its decoded answer."""
        url = self._url(client_config)
        if timeout is not None:  # the REST client tells the server its deadline, in whole seconds rounded up
            url += f"?timeout={int(-(-timeout // 1))}s"
        target = urlsplit(url)
        try:
            host, port = self._address(client_config, target)
            code, content_type, body = self._post(target, host, port, _tls_context(client_config), review, timeout)
        except CallFailed as err:  # what url.Error says: the method and URL, then the cause
            raise CallFailed(f"Post {quote(url)}: {err}") from None
        return _decoded(code, content_type, body)

    @staticmethod
    def _url(client_config: dict) -> str:
        if client_config.get("url") is not None:
            return client_config["url"]
        service = client_config["service"]
        return (f"https://{service['name']}.{service['namespace']}.svc:{service.get('port', 443)}"
                f"{service.get('path') or ''}")

    def _address(self, client_config: dict, target) -> tuple[str, int]:
        service = client_config.get("service")
        if service is None:
            return target.hostname, target.port or 443
        return self._endpoint(service["namespace"], service["name"], service.get("port", 443))

    @mirrors("k8s.io/apiserver/pkg/util/proxy.ResolveEndpoint")
    def _endpoint(self, namespace: str, name: str, port: int) -> tuple[str, int]:
        """The first ready address of the Service's Endpoints and the endpoint port named as the
        Service port `port` is."""
        try:
            svc = self.registry.get("services", namespace, name)
        except StatusError as err:
            # A lister's NotFound names the resource in the singular.
            raise CallFailed(f"service {quote(name)} not found" if err.code == 404 else err.message) from None
        try:
            endpoints = self.registry.get("endpoints", namespace, name)
        except StatusError as err:
            raise CallFailed(err.message) from None
        service_port = next((p for p in (svc.get("spec") or {}).get("ports") or () if p.get("port") == port), None)
        if service_port is None:
            raise CallFailed(f"no service port {port} found for service {quote(name)}")
        for subset in endpoints.get("subsets") or ():
            target = next((p for p in subset.get("ports") or () if p.get("name", "") == service_port.get("name", "")),
                          None)
            if target is not None and subset.get("addresses"):
                return subset["addresses"][0]["ip"], target["port"]
        raise CallFailed(f"no endpoints available for service {quote(name)}")

    @staticmethod
    def _post(target, host: str, port: int, context: ssl.SSLContext, review: dict,
              timeout: float | None) -> tuple[int, str, bytes]:
        connection = _Connection(host, port, target.hostname, context, timeout)
        try:
            path = f"{target.path or '/'}?{target.query}" if target.query else target.path or "/"
            # The REST client's body: the JSON serializer's, whose json.Encoder ends it with a newline.
            connection.request("POST", path, body=jsonserializer.encode_response(review),
                               headers={"Content-Type": "application/json", "Accept": "application/json"})
            response = connection.getresponse()
            body = response.read()
        except (socket.timeout, TimeoutError):
            raise CallFailed("context deadline exceeded") from None
        except ssl.SSLCertVerificationError as err:
            raise CallFailed(_x509_error(err)) from None
        except ConnectionRefusedError:
            raise CallFailed(f"dial tcp {host}:{port}: connect: connection refused") from None
        except (OSError, http.client.HTTPException) as err:
            raise CallFailed(str(err)) from None
        finally:
            connection.close()
        return response.status, response.getheader("Content-Type", ""), body


class _Connection(http.client.HTTPSConnection):
    """HTTPS to `host`:`port` that checks the certificate for `server_name`, which may be another
    name than the address dialled (a Service's DNS name, dialled at an endpoint)."""

    def __init__(self, host: str, port: int, server_name: str, context: ssl.SSLContext,
                 timeout: float | None) -> None:
        super().__init__(host, port, context=context, timeout=timeout)
        self.server_name = server_name

    def connect(self) -> None:
        sock = socket.create_connection((self.host, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.server_name)


def _tls_context(client_config: dict) -> ssl.SSLContext:
    bundle = client_config.get("caBundle")
    if not bundle:
        return ssl.create_default_context()
    try:
        return ssl.create_default_context(cadata=base64.b64decode(bundle).decode())
    except (ssl.SSLError, ValueError) as err:
        raise CallFailed(f"unable to load root certificates: {err}") from None


def _x509_error(err: ssl.SSLCertVerificationError) -> str:
    """Go's crypto/x509 words for the two failures a webhook's certificate usually has."""
    if "unable to get local issuer" in err.verify_message or "self-signed" in err.verify_message:
        return "x509: certificate signed by unknown authority"
    return f"x509: {err.verify_message}"


@mirrors("(*k8s.io/client-go/rest.Request).transformResponse",
         "(*k8s.io/client-go/rest.Request).newUnstructuredResponseError")
def _decoded(code: int, content_type: str, body: bytes) -> dict:
    """A 2xx answer decoded; any other answer as the REST client words it: a Status's message, or
    NewGenericServerResponse's for the code, which quotes only a text/* body (else "unknown")."""
    try:
        decoded = json.loads(body) if body else None
    except ValueError:
        decoded = None
    if 200 <= code < 300:
        if not isinstance(decoded, dict):
            raise CallFailed(f"couldn't get version/kind; json parse error: {body[:100]!r}")
        return decoded
    if isinstance(decoded, dict) and decoded.get("kind") == "Status" and decoded.get("message"):
        raise CallFailed(decoded["message"])
    message = GENERIC_MESSAGES.get(code, f"the server responded with the status code {code} but did not return more "
                                         "information")
    server_message = body.decode(errors="replace").strip() if content_type.startswith("text/") else "unknown"
    if code == 403:
        message = server_message
    elif code >= 500 and code not in GENERIC_MESSAGES:
        message = f"an error on the server ({quote(server_message)}) has prevented the request from succeeding"
    raise CallFailed(message)
