"""The list options a client may combine: resourceVersion, resourceVersionMatch, continue, watch.

resourceVersionMatch says how a list's resourceVersion is read: `Exact` lists the objects as they
were at that revision (410 once etcd compacted it), `NotOlderThan` lists the current state but not
from before that revision (504 when etcd has not reached it). Combinations upstream forbids are 422
Invalid ListOptions, with metainternalversion/validation.ValidateListOptions' words.
"""
from __future__ import annotations

from reference_impl.apiserver.core import errors
from reference_impl.apiserver.core.validation import unsupported
from reference_impl.mirrors import mirrors

EXACT, NOT_OLDER_THAN = "Exact", "NotOlderThan"


@mirrors("k8s.io/apimachinery/pkg/apis/meta/internalversion/validation.ValidateListOptions")
def resource_version_match(match: str, resource_version: str, continue_token: str, watch: bool) -> str:
    """`match` once it is a value allowed with the other options; 422 otherwise."""
    if not match:
        return ""
    problems = []
    if watch:
        problems.append("resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden for watch")
    if not resource_version:
        problems.append("resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless "
                        "resourceVersion is provided")
    if continue_token:
        problems.append("resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden when continue is "
                        "provided")
    if match not in (EXACT, NOT_OLDER_THAN):
        problems.append(unsupported("resourceVersionMatch", match, ("Exact", "NotOlderThan", "")))
    elif match == EXACT and resource_version == "0":
        problems.append('resourceVersionMatch: Forbidden: resourceVersionMatch "exact" is forbidden for '
                        'resourceVersion "0"')
    if problems:
        raise errors.invalid("ListOptions", "", problems, "meta.k8s.io")
    return match
