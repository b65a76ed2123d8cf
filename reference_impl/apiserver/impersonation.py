"""User impersonation (`kubectl --as`, `--as-group`): the Impersonate-* headers, each authorized
with the `impersonate` verb, then the request runs as the impersonated user.

Mirrors k8s.io/apiserver/pkg/endpoints/filters/impersonation.go: Impersonate-User names a user
(`users`) or a service account `system:serviceaccount:NS:NAME` (`serviceaccounts` in NS);
Impersonate-Group (repeatable) `groups`; Impersonate-Uid `uids`; Impersonate-Extra-KEY
`userextras/KEY`. Groups or extras without a user are refused (upstream answers 500; a client's
mistake here is a 400).
"""
from __future__ import annotations

import urllib.parse

from reference_impl.apiserver import errors
from reference_impl.apiserver.auth import ALL_AUTHENTICATED, ALL_UNAUTHENTICATED, ANONYMOUS_USER, UserInfo
from reference_impl.apiserver.rbac import SERVICE_ACCOUNT_PREFIX, AttributesRecord
from reference_impl.mirrors import mirrors

USER_HEADER, GROUP_HEADER, UID_HEADER, EXTRA_PREFIX = ("Impersonate-User", "Impersonate-Group",
                                                       "Impersonate-Uid", "Impersonate-Extra-")


def _all(headers, name: str) -> list[str]:
    if hasattr(headers, "get_all"):
        return list(headers.get_all(name) or [])
    value = headers.get(name)
    return [value] if value is not None else []


def _extra_headers(headers) -> dict[str, list[str]]:
    extra: dict[str, list[str]] = {}
    for name in list(headers.keys()):
        if name.lower().startswith(EXTRA_PREFIX.lower()):
            key = urllib.parse.unquote(name[len(EXTRA_PREFIX):]).lower()
            extra.setdefault(key, []).extend(_all(headers, name))
    return extra


@mirrors("k8s.io/apiserver/pkg/endpoints/filters.WithImpersonation",
         "k8s.io/apiserver/pkg/endpoints/filters.buildImpersonationRequests")
def impersonate(user, headers, authorizer) -> object:
    """The user the request runs as: `user` itself without Impersonate-* headers, else the
    impersonated one once every part is allowed; 403 for a part that is not, 400 for bad headers."""
    names = _all(headers, USER_HEADER)
    groups = _all(headers, GROUP_HEADER)
    uids = _all(headers, UID_HEADER)
    extra = _extra_headers(headers)
    if not names and not groups and not uids and not extra:
        return user
    if not names or not names[0]:
        raise errors.bad_request(f"requested impersonation of groups, uid or extra without impersonating a user")
    if len(names) > 1 or len(uids) > 1:
        raise errors.bad_request("only one Impersonate-User and one Impersonate-Uid may be given")
    name = names[0]
    checks: list[tuple[str, str, str, str]] = []  # resource, subresource, namespace, name
    impersonated_groups: list[str] = []
    if name.startswith(SERVICE_ACCOUNT_PREFIX):
        namespace, _, account = name[len(SERVICE_ACCOUNT_PREFIX):].partition(":")
        if not namespace or not account or ":" in account:
            raise errors.bad_request(f"invalid service account name {name!r}")
        checks.append(("serviceaccounts", "", namespace, account))
        if not groups:
            impersonated_groups = ["system:serviceaccounts", f"system:serviceaccounts:{namespace}"]
    else:
        checks.append(("users", "", "", name))
    checks += [("groups", "", "", group) for group in groups]
    checks += [("uids", "", "", uid) for uid in uids]
    checks += [("userextras", key, "", value) for key, values in extra.items() for value in values]
    for resource, subresource, namespace, target in checks:
        if authorizer is None:
            break
        attributes = AttributesRecord(user, "impersonate", namespace, "", "", resource, subresource, target)
        allowed, reason = authorizer.authorize(attributes)
        if not allowed:
            raise errors.forbidden(user.name, "impersonate", resource, namespace, target, "", subresource,
                                   reason=reason)
    impersonated_groups += groups
    if name == ANONYMOUS_USER:
        impersonated_groups.append(ALL_UNAUTHENTICATED)
    elif ALL_AUTHENTICATED not in impersonated_groups:
        impersonated_groups.append(ALL_AUTHENTICATED)
    return UserInfo(name, uids[0] if uids else "", tuple(impersonated_groups),
                    {key: tuple(values) for key, values in extra.items()})
