"""The API errors the reference kube-apiserver returns, as Kubernetes spells them.

Every failure a client can see is a `StatusError`: an HTTP code, a machine-readable reason and the
human message k8s.io/apimachinery/pkg/api/errors would write, word for word (kubectl and client-go
match on reason and code, people on the message). `StatusError.status()` is the metav1 Status body
the HTTP layer sends; a watch sends the same dict inside an ERROR event.
"""
from __future__ import annotations

from typing import Sequence

from reference_impl.machinery.gofmt import errorf_without_operands
from reference_impl.machinery.gojson import quote
from reference_impl.mirrors import mirrors


class StatusError(Exception):
    """The root of the apiserver's errors: a failed metav1 Status."""

    def __init__(self, code: int, reason: str, message: str, details: dict | None = None,
                 empty_details_shown: bool = False, list_meta: dict | None = None):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details or {}
        # Upstream's constructors that always set Details show even an empty one as "details": {}.
        self.empty_details_shown = empty_details_shown
        self.list_meta = list_meta or {}  # the Status's ListMeta (a continue token, once)

    def status(self) -> dict:
        """The metav1 Status dict for this error."""
        body = {"kind": "Status", "apiVersion": "v1", "metadata": dict(self.list_meta), "status": "Failure",
                "message": self.message}
        if self.reason:  # a plain error's Status has StatusReasonUnknown, which is "" and omitted
            body["reason"] = self.reason
        if self.details or self.empty_details_shown:
            body["details"] = self.details
        body["code"] = self.code
        return body

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"StatusError({self.code}, {self.reason!r}, {self.message!r})"


def qualified(resource: str, group: str = "") -> str:
    """schema.GroupResource.String(): `deployments.apps`, or just `pods` for the core group."""
    return f"{resource}.{group}" if group else resource


def status_details(resource: str, group: str, name: str) -> dict:
    """A Status's details naming the object; empty fields (the core group's "") are left out."""
    details = {"name": name, "group": group, "kind": resource}
    return {key: value for key, value in details.items() if value}


@mirrors("k8s.io/apimachinery/pkg/api/errors.NewNotFound")
def not_found(resource: str, name: str, group: str = "") -> StatusError:
    """404: `pods "x" not found`."""
    return StatusError(404, "NotFound", f"{qualified(resource, group)} {quote(name)} not found",
                       status_details(resource, group, name))


def resource_not_served() -> StatusError:
    """404 for a resource or subresource a served group version has no route for: go-restful's
    miss, which serviceErrorHandler writes as NewGenericServerResponse (details shown empty, which
    kubectl debug reads)."""
    return generic_server_response(404)


@mirrors("k8s.io/apimachinery/pkg/api/errors.NewAlreadyExists")
def already_exists(resource: str, name: str, group: str = "") -> StatusError:
    """409: `pods "x" already exists`."""
    return StatusError(409, "AlreadyExists", f"{qualified(resource, group)} {quote(name)} already exists",
                       status_details(resource, group, name))


CONFLICT_MODIFIED = ("the object has been modified; please apply your changes to the latest "
                     "version and try again")


@mirrors("k8s.io/apimachinery/pkg/api/errors.NewConflict")
def conflict(resource: str, name: str, group: str = "", why: str = CONFLICT_MODIFIED) -> StatusError:
    """409: `Operation cannot be fulfilled on pods "x": <why>`."""
    return StatusError(409, "Conflict",
                       f"Operation cannot be fulfilled on {qualified(resource, group)} {quote(name)}: {why}",
                       status_details(resource, group, name))


# The field.ErrorType strings a validation message starts with, and the CauseType each reports.
_CAUSE_TYPES = (("Required value", "FieldValueRequired"), ("Invalid value", "FieldValueInvalid"),
                ("Unsupported value", "FieldValueNotSupported"),
                ("Duplicate value", "FieldValueDuplicate"), ("Forbidden", "FieldValueForbidden"),
                ("Too long", "FieldValueTooLong"), ("Not found", "FieldValueNotFound"),
                ("Internal error", "InternalError"))


def _cause(error: str) -> dict:
    """A StatusCause from one `field: Type: detail` validation message."""
    field, _, body = error.partition(": ")
    reason = next((cause for prefix, cause in _CAUSE_TYPES if body.startswith(prefix)),
                  "FieldValueInvalid")
    return {"reason": reason, "message": body, "field": field}


@mirrors("k8s.io/apimachinery/pkg/api/errors.NewInvalid",
         "(k8s.io/apimachinery/pkg/util/validation/field.ErrorList).ToAggregate")
def invalid(kind: str, name: str, causes: list[str], group: str = "") -> StatusError:
    """422: `Pod "x" is invalid: spec.containers: Required value` (several errors in [a, b]). The
    message names each error once, the causes list every one (a strategy's checks can repeat one)."""
    distinct = list(dict.fromkeys(causes))
    summary = distinct[0] if len(distinct) == 1 else "[" + ", ".join(distinct) + "]"
    details = {**status_details(kind, group, name), "causes": [_cause(error) for error in causes]}
    return StatusError(422, "Invalid", f"{qualified(kind, group)} {quote(name)} is invalid: {summary}",
                       details)


_GENERIC_RESPONSES = {404: ("NotFound", "the server could not find the requested resource"),
                      405: ("MethodNotAllowed", "the server does not allow this method on the requested resource"),
                      422: ("Invalid", "the server rejected our request due to an error in our request")}


@mirrors("k8s.io/apimachinery/pkg/api/errors.NewGenericServerResponse")
def generic_server_response(code: int) -> StatusError:
    """`code` as NewGenericServerResponse writes it for no resource: the code's fixed reason and
    message, which leave out the cause, and empty details. A JSON patch that does not apply gets
    the 422, a method no route serves at a path go-restful's 405, a path it has no route for its 404."""
    reason, message = _GENERIC_RESPONSES[code]
    return StatusError(code, reason, message, empty_details_shown=True)


def api_version_mismatch(data: str, expected: str) -> StatusError:
    """400 for a body that decodes as its kind in a version the endpoint does not accept, as
    createHandler checks it after decoding (scope.AcceptsGroupVersion)."""
    return bad_request(f"the API version in the data ({data}) does not match the expected API version ({expected})")


@mirrors("k8s.io/apimachinery/pkg/api/errors.NewBadRequest")
def bad_request(message: str) -> StatusError:
    """400 BadRequest with `message` as is."""
    return StatusError(400, "BadRequest", message)


@mirrors("k8s.io/apimachinery/pkg/api/errors.NewServiceUnavailable")
def service_unavailable(message: str) -> StatusError:
    """503 ServiceUnavailable with `message` as is: a proxy with no backend to reach."""
    return StatusError(503, "ServiceUnavailable", message)


@mirrors("k8s.io/apimachinery/pkg/api/errors.NewResourceExpired")
def gone(message: str) -> StatusError:
    """410 Expired, e.g. `too old resource version: 5 (9)`."""
    return StatusError(410, "Expired", message)


def too_old_resource_version(requested: int, compacted: int) -> StatusError:
    """410 for a watch from a revision the watch cache no longer holds, in its words."""
    return gone(f"too old resource version: {requested} ({compacted})")


@mirrors("k8s.io/apimachinery/pkg/api/errors.NewForbidden")
def object_forbidden(resource: str, group: str, name: str, why: str) -> StatusError:
    """403 `<resource>.<group> "<name>" is forbidden: <why>`, a refusal that names the object;
    without a name (a create by generateName) `<resource>.<group> is forbidden: <why>`."""
    named = f"{qualified(resource, group)} {quote(name)}" if name else qualified(resource, group)
    return StatusError(403, "Forbidden", f"{named} is forbidden: {why}", status_details(resource, group, name))


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers/responsewriters.Forbidden",
         "k8s.io/apiserver/pkg/endpoints/handlers/responsewriters.forbiddenMessage",
         "k8s.io/apimachinery/pkg/api/errors.NewForbidden")
def forbidden(user: str, verb: str, resource: str = "", namespace: str = "", name: str = "",
              group: str = "", subresource: str = "", path: str = "", reason: str = "") -> StatusError:
    """403 with the message responsewriters.Forbidden writes for an authorizer's denial.

    A resource request names the resource (`pods/status` for a subresource; an empty one, as
    `/api/v1//watch` asks for, too) and the namespace or the cluster scope; a non-resource request
    (`path` given) names its path. Upstream
    HTML-escapes that sentence and then hands it, the reason appended, to fmt.Errorf as the
    format: a `%` in a user name or a path comes out as one of fmt's complaints.
    """
    if path:
        why = f"User {quote(user)} cannot {verb} path {quote(path)}"
    else:
        full = f"{resource}/{subresource}" if subresource else resource
        scope = f"in the namespace {quote(namespace)}" if namespace else "at the cluster scope"
        why = f"User {quote(user)} cannot {verb} resource {quote(full)} in API group {quote(group)} {scope}"
    why = html_escaped(why)
    if reason:
        why = f"{why}: {reason}"
    why = errorf_without_operands(why)
    subject = qualified(resource, group)
    if subject and name:
        message = f"{subject} {quote(name)} is forbidden: {why}"
    elif subject:
        message = f"{subject} is forbidden: {why}"
    else:
        message = f"forbidden: {why}"
    return StatusError(403, "Forbidden", message, status_details(resource, group, name), empty_details_shown=True)


def html_escaped(text: str) -> str:
    """responsewriters' sanitizer: &, < and > as HTML entities."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


@mirrors("k8s.io/apimachinery/pkg/api/errors.NewUnauthorized")
def unauthorized() -> StatusError:
    """401 for a request no authenticator accepted."""
    return StatusError(401, "Unauthorized", "Unauthorized")


@mirrors("k8s.io/apimachinery/pkg/api/errors.NewMethodNotSupported")
def method_not_allowed(resource: str, action: str, group: str = "") -> StatusError:
    """405: `create is not supported on resources of kind "nodes/proxy"`-style refusals."""
    return StatusError(405, "MethodNotAllowed",
                       f"{action} is not supported on resources of kind {quote(qualified(resource, group))}",
                       status_details(resource, group, ""))


@mirrors("k8s.io/apiserver/pkg/endpoints/handlers/negotiation.NewUnsupportedMediaTypeError")
def unsupported_media_type(accepted: tuple[str, ...]) -> StatusError:
    """415 for a request body in a format the server does not decode, listing the ones it does."""
    return StatusError(415, "UnsupportedMediaType",
                       f'the body of the request was in an unknown format - accepted media types '
                       f'include: {", ".join(accepted)}')


def unsupported_route_media_type() -> StatusError:
    """415 for a body type no go-restful route consumes (a built-in kind's PATCH): the container's
    own message, as serviceErrorHandler writes it with NewGenericServerResponse."""
    return StatusError(415, "UnsupportedMediaType", "415: Unsupported Media Type", empty_details_shown=True)


@mirrors("k8s.io/apimachinery/pkg/api/errors.NewRequestEntityTooLargeError")
def unacceptable_route() -> StatusError:
    """406 for an Accept no go-restful route produces: the container's own message, as
    serviceErrorHandler writes it with NewGenericServerResponse."""
    return StatusError(406, "NotAcceptable", "406: Not Acceptable", empty_details_shown=True)


def request_entity_too_large(message: str) -> StatusError:
    """413: `Request entity too large: <message>`."""
    return StatusError(413, "RequestEntityTooLarge", f"Request entity too large: {message}")


@mirrors("k8s.io/apimachinery/pkg/api/errors.NewTimeoutError")
def timeout(message: str, retry_after: int = 0) -> StatusError:
    """504: `Timeout: <message>`, what a request whose deadline passed gets (finishRequest)."""
    return StatusError(504, "Timeout", f"Timeout: {message}",
                       {"retryAfterSeconds": retry_after} if retry_after else {})


@mirrors("k8s.io/apiserver/pkg/storage.NewTooLargeResourceVersionError")
def too_large_resource_version(requested: int, current: int, retry_after: int) -> StatusError:
    """504 for a read at a revision the storage has not reached, with the cause clients retry on
    and the seconds to wait: the watch cache asks for 1, etcd3's store for none."""
    error = timeout(f"Too large resource version: {requested}, current: {current}", retry_after)
    error.details["causes"] = [{"reason": "ResourceVersionTooLarge", "message": "Too large resource version"}]
    return error


@mirrors("k8s.io/apimachinery/pkg/api/errors.NewTooManyRequests")
def too_many_requests(message: str, retry_after_seconds: int) -> StatusError:
    """429 with the message as given; details always shown, retryAfterSeconds when above 0."""
    return StatusError(429, "TooManyRequests", message,
                       {"retryAfterSeconds": retry_after_seconds} if retry_after_seconds else {},
                       empty_details_shown=True)


@mirrors("k8s.io/apimachinery/pkg/api/errors.NewInternalError")
def internal_error(message: str) -> StatusError:
    """500: `Internal error occurred: <message>`."""
    return StatusError(500, "InternalError", f"Internal error occurred: {message}",
                       {"causes": [{"message": message}]})


@mirrors("k8s.io/apimachinery/pkg/util/errors.NewAggregate")
def aggregate(messages: Sequence[str]) -> str:
    """utilerrors.NewAggregate(...).Error(): nothing, one message as is, or several (each once) in
    brackets."""
    unique = list(dict.fromkeys(messages))
    return "" if not unique else unique[0] if len(unique) == 1 else f"[{', '.join(unique)}]"
