"""The Status client-go makes of an error answer that carries none (an empty body, a proxy's text
page): apimachinery's NewGenericServerResponse, as the REST client calls it for the request's
resource and name, so that a component words such an answer as its Go counterpart does."""
from __future__ import annotations

import urllib.parse

from reference_impl.machinery.gojson import quote
from reference_impl.mirrors import mirrors

# NewGenericServerResponse's reason and fixed message by code; 403 and 415 keep the server's
# message, 406 keeps it when there is one, any other code of 500 or more quotes it.
_GENERIC = {
    400: ("BadRequest", "the server rejected our request for an unknown reason"),
    401: ("Unauthorized", "the server has asked for the client to provide credentials"),
    404: ("NotFound", "the server could not find the requested resource"),
    405: ("MethodNotAllowed", "the server does not allow this method on the requested resource"),
    422: ("Invalid", "the server rejected our request due to an error in our request"),
    429: ("TooManyRequests", "the server has received too many requests and has asked us to try again later"),
    503: ("ServiceUnavailable", "the server is currently unable to handle the request"),
    504: ("Timeout", "the server was unable to return a response in the time allotted, but may still be "
                     "processing the request"),
}
_NAMESPACE_SUBRESOURCES = ("finalize", "status")  # /namespaces/NS/status is the namespace's own


@mirrors("k8s.io/apimachinery/pkg/api/errors.NewGenericServerResponse")
def generic_server_response(code: int, verb: str, group: str, resource: str, name: str,
                            server_message: str) -> dict:
    """The Status of an error answer that is none, in client-go's words for `code`, the request's
    verb and its resource: `the server is currently unable to handle the request (post pods p)`."""
    reason, message = _GENERIC.get(code, ("Unknown", f"the server responded with the status code {code} but did "
                                                     "not return more information"))
    if code == 409:
        reason, message = ("AlreadyExists" if verb == "POST" else "Conflict"), "the server reported a conflict"
    elif code in (403, 415):
        reason, message = ("Forbidden" if code == 403 else "UnsupportedMediaType"), server_message
    elif code == 406:
        reason = "NotAcceptable"
        message = (server_message if server_message not in ("", "unknown")
                   else "the server was unable to respond with a content type that the client supports")
    elif code >= 500 and code not in _GENERIC:
        reason = "InternalError"
        message = f"an error on the server ({quote(server_message)}) has prevented the request from succeeding"
    if resource:
        qualified = f"{resource}.{group}" if group else resource
        message += f" ({verb.lower()} {qualified} {name})" if name else f" ({verb.lower()} {qualified})"
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
            "reason": reason, "code": code,
            "details": {"group": group, "kind": resource, "name": name,
                        "causes": [{"reason": "UnexpectedServerResponse", "message": server_message}]}}


def request_resource(path: str) -> tuple[str, str, str]:
    """(group, resource, name) of a request to `path` as a typed client makes it: the REST client's
    group, Resource() and Name(); empty for a path under neither /api nor /apis."""
    segments = [segment for segment in urllib.parse.urlsplit(path).path.split("/") if segment]
    if segments[:1] == ["api"]:
        group, rest = "", segments[2:]
    elif segments[:1] == ["apis"]:
        group, rest = (segments[1:2] or [""])[0], segments[3:]
    else:
        return "", "", ""
    if len(rest) >= 3 and rest[0] == "namespaces" and rest[2] not in _NAMESPACE_SUBRESOURCES:
        rest = rest[2:]  # Namespace(NS): the resource follows
    return group, (rest[:1] or [""])[0], (rest[1:2] or [""])[0]
