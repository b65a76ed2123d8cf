"""User impersonation (`kubectl --as`, `--as-group`): the Impersonate-* headers, each authorized
with the `impersonate` verb, then the request runs as the impersonated user.

Mirrors k8s.io/apiserver/pkg/endpoints/filters/impersonation.go: Impersonate-User names a user
(`users`) or a valid service account `system:serviceaccount:NS:NAME` (`serviceaccounts` in NS);
Impersonate-Group (repeatable) `groups`; Impersonate-Uid `uids` and Impersonate-Extra-KEY
`userextras/KEY`, these two in API group authentication.k8s.io. Groups, a uid or extras without a
user are refused as upstream refuses them: an ImpersonationRequestError, which the adapter answers
with the filter's plain-text 500 (responsewriters.InternalError), as the real 1.24 server does.
"""
from __future__ import annotations

import re
import urllib.parse

from reference_impl.apiserver.core import errors
from reference_impl.apiserver.core.auth import ALL_AUTHENTICATED, ALL_UNAUTHENTICATED, ANONYMOUS_USER, UserInfo
from reference_impl.machinery.httpheaders import header_values
from reference_impl.apiserver.core.rbac import SERVICE_ACCOUNT_PREFIX, AttributesRecord
from reference_impl.apiserver.core.validation import name_problems
from reference_impl.mirrors import mirrors

USER_HEADER, GROUP_HEADER, UID_HEADER, EXTRA_PREFIX = ("Impersonate-User", "Impersonate-Group",
                                                       "Impersonate-Uid", "Impersonate-Extra-")
AUTHENTICATION_GROUP = "authentication.k8s.io"
AUTHENTICATION_VERSION = AUTHENTICATION_GROUP + "/v1"


def _values(headers, name: str) -> list[str]:
    """A header's values as Go holds them: strings of the bytes sent, which print (in a 403, a
    review, a managed field) as UTF-8. The adapter reads header bytes as ISO-8859-1, one
    character a byte; a byte that is no UTF-8 prints as U+FFFD, as encoding/json writes it."""
    return [value.encode("latin-1").decode("utf-8", errors="replace") for value in header_values(headers, name)]


# A `%` that does not start an escape: url.PathUnescape fails on the whole key.
_BAD_ESCAPE = re.compile(r"%(?![0-9a-fA-F]{2})")


@mirrors("k8s.io/apiserver/pkg/endpoints/filters.unescapeExtraKey")
def unescape_extra_key(encoded: str) -> str:
    """The key percent-decoded, or kept as sent when any escape in it is malformed (Go decodes
    all or nothing, so `a%2Fb%zz` stays whole)."""
    if _BAD_ESCAPE.search(encoded):
        return encoded
    return urllib.parse.unquote(encoded)


def _extra_headers(headers) -> dict[str, list[str]]:
    """Impersonate-Extra-KEY headers by KEY (percent-decoded, lower case as Go's canonical form
    leaves it), each header read once even when it repeats."""
    extra: dict[str, list[str]] = {}
    names = {name.lower(): name for name in headers.keys() if name.lower().startswith(EXTRA_PREFIX.lower())}
    for lowered, name in names.items():
        key = unescape_extra_key(lowered[len(EXTRA_PREFIX):])
        extra.setdefault(key, []).extend(_values(headers, name))
    return extra


def _clear_impersonation_headers(headers) -> None:
    """Once the request runs as the impersonated user, its Impersonate-* headers go, so nothing
    it is proxied to sees them (a request that impersonates no one keeps, say, an empty one)."""
    names = {name for name in headers.keys()
             if name.lower() in (USER_HEADER.lower(), GROUP_HEADER.lower(), UID_HEADER.lower())
             or name.lower().startswith(EXTRA_PREFIX.lower())}
    for name in names:
        del headers[name]


@mirrors("k8s.io/apiserver/pkg/authentication/serviceaccount.SplitUsername")
def split_username(name: str) -> tuple[str, str] | None:
    """(namespace, name) of `system:serviceaccount:NS:NAME` when both validate, else None."""
    if not name.startswith(SERVICE_ACCOUNT_PREFIX):
        return None
    parts = name[len(SERVICE_ACCOUNT_PREFIX):].split(":")
    if len(parts) != 2 or name_problems(parts[0], "label") or name_problems(parts[1], "subdomain"):
        return None
    return parts[0], parts[1]


class ImpersonationRequestError(Exception):
    """Impersonate-* headers that make no request (groups, extras or a uid without a user):
    buildImpersonationRequests' error, which WithImpersonation answers with InternalError."""


def _go_reference(kind: str, name: str, api_version: str = "", field_path: str = "") -> str:
    """A v1.ObjectReference as %v prints it: Kind, Namespace, Name, UID, APIVersion,
    ResourceVersion and FieldPath, space-separated in braces."""
    return "{" + " ".join((kind, "", name, "", api_version, "", field_path)) + "}"


@mirrors("k8s.io/apiserver/pkg/endpoints/filters.buildImpersonationRequests")
def _without_user(groups: list[str], extra: dict[str, list[str]], uid: str) -> ImpersonationRequestError:
    """The refusal of groups, extras or a uid asked for with no user, naming them as upstream's
    error prints its impersonation requests."""
    requests = [_go_reference("Group", group) for group in groups]
    requests += [_go_reference("UserExtra", value, AUTHENTICATION_VERSION, key)
                 for key, values in extra.items() for value in values]
    if uid:
        requests.append(_go_reference("UID", uid, AUTHENTICATION_VERSION))
    return ImpersonationRequestError(f"requested [{' '.join(requests)}] without impersonating a user")


@mirrors("k8s.io/apiserver/pkg/endpoints/filters.WithImpersonation",
         "k8s.io/apiserver/pkg/endpoints/filters.buildImpersonationRequests")
def impersonate(user, headers, authorizer) -> object:
    """The user the request runs as: `user` itself without Impersonate-* headers, else the
    impersonated one once every part is allowed; 403 for a part that is not, and
    ImpersonationRequestError for headers that make no request."""
    # User and Uid are read with headers.Get: the first value, and an empty one is no request.
    name = next(iter(_values(headers, USER_HEADER)), "")
    uid = next(iter(_values(headers, UID_HEADER)), "")
    groups = _values(headers, GROUP_HEADER)
    extra = _extra_headers(headers)
    if not name:
        if groups or uid or extra:
            raise _without_user(groups, extra, uid)
        return user
    checks: list[tuple[str, str, str, str, str]] = []  # group, resource, subresource, namespace, name
    impersonated_groups: list[str] = []
    service_account = split_username(name)
    if service_account is not None:
        namespace, account = service_account
        checks.append(("", "serviceaccounts", "", namespace, account))
        if not groups:
            impersonated_groups = ["system:serviceaccounts", f"system:serviceaccounts:{namespace}"]
    else:
        checks.append(("", "users", "", "", name))
    checks += [("", "groups", "", "", group) for group in groups]
    # UserExtra and UID are authentication.k8s.io kinds; User, Group and ServiceAccount core ones.
    checks += [(AUTHENTICATION_GROUP, "userextras", key, "", value)
               for key, values in extra.items() for value in values]
    if uid:
        checks.append((AUTHENTICATION_GROUP, "uids", "", "", uid))
    for group, resource, subresource, namespace, target in checks:
        if authorizer is None:
            break
        attributes = AttributesRecord(user, "impersonate", namespace, group, "v1", resource, subresource, target)
        allowed, reason = authorizer.authorize(attributes)
        if not allowed:
            raise errors.forbidden(user.name, "impersonate", resource, namespace, target, group, subresource,
                                   reason=reason)
    _clear_impersonation_headers(headers)
    impersonated_groups += groups
    if name == ANONYMOUS_USER:
        if ALL_UNAUTHENTICATED not in impersonated_groups:
            impersonated_groups.append(ALL_UNAUTHENTICATED)
    elif not {ALL_AUTHENTICATED, ALL_UNAUTHENTICATED} & set(impersonated_groups):
        impersonated_groups.append(ALL_AUTHENTICATED)
    return UserInfo(name, uid, tuple(impersonated_groups),
                    {key: tuple(values) for key, values in extra.items()})
