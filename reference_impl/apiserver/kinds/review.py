"""The review kinds (authorization.k8s.io/v1 SelfSubjectAccessReview, SubjectAccessReview,
LocalSubjectAccessReview, SelfSubjectRulesReview; authentication.k8s.io/v1 TokenReview): their
OpenAPI schema, which a review's body is decoded against. They are served create-only by the
review handler (`discovery.REVIEWS`, `core.reviews`), never stored, so no RESOURCES; their protobuf
layout is in `core.protobuf_messages`."""
from __future__ import annotations

from reference_impl.apiserver.core.schemas import AUTHENTICATION, AUTHORIZATION, arr, boolean, kind, obj, ref, string, \
    strings

RESOURCES = ()

_EXTRA = {"type": "object", "description": "Extra attributes of the user.", "additionalProperties": strings("")}


def _review(group: str, prefix: str, name: str, spec: str, status: str, description: str) -> dict:
    return kind(group, "v1", name, description, ("spec",), spec=ref(prefix + spec, "What is asked."),
                status=ref(prefix + status, "The server's answer."))


DEFINITIONS = {
    AUTHORIZATION + "SelfSubjectAccessReview": _review(
        "authorization.k8s.io", AUTHORIZATION, "SelfSubjectAccessReview", "SelfSubjectAccessReviewSpec",
        "SubjectAccessReviewStatus", "May the requesting user perform an action?"),
    AUTHORIZATION + "SubjectAccessReview": _review(
        "authorization.k8s.io", AUTHORIZATION, "SubjectAccessReview", "SubjectAccessReviewSpec",
        "SubjectAccessReviewStatus", "May a user or group perform an action?"),
    AUTHORIZATION + "LocalSubjectAccessReview": _review(
        "authorization.k8s.io", AUTHORIZATION, "LocalSubjectAccessReview", "SubjectAccessReviewSpec",
        "SubjectAccessReviewStatus", "May a user or group perform an action in this namespace?"),
    AUTHORIZATION + "SelfSubjectRulesReview": _review(
        "authorization.k8s.io", AUTHORIZATION, "SelfSubjectRulesReview", "SelfSubjectRulesReviewSpec",
        "SubjectRulesReviewStatus", "What may the requesting user do in a namespace?"),
    AUTHORIZATION + "ResourceAttributes": obj(
        "A request for a resource, as the authorizer is asked about it.",
        namespace=string("The namespace of the action."), verb=string("The verb."), group=string("The API group."),
        version=string("The API version."), resource=string("The resource."),
        subresource=string("The subresource."), name=string("The name of the object.")),
    AUTHORIZATION + "NonResourceAttributes": obj(
        "A request for a path that is no resource.", path=string("The URL path."), verb=string("The HTTP verb.")),
    AUTHORIZATION + "SelfSubjectAccessReviewSpec": obj(
        "One question: resource or non-resource attributes.",
        resourceAttributes=ref(AUTHORIZATION + "ResourceAttributes", "A resource request."),
        nonResourceAttributes=ref(AUTHORIZATION + "NonResourceAttributes", "A non-resource request.")),
    AUTHORIZATION + "SubjectAccessReviewSpec": obj(
        "One question about a user.",
        resourceAttributes=ref(AUTHORIZATION + "ResourceAttributes", "A resource request."),
        nonResourceAttributes=ref(AUTHORIZATION + "NonResourceAttributes", "A non-resource request."),
        user=string("The user asked about."), groups=strings("The groups asked about."), extra=_EXTRA,
        uid=string("The UID of the user.")),
    AUTHORIZATION + "SubjectAccessReviewStatus": obj(
        "The answer.", ("allowed",), allowed=boolean("Whether the action is allowed."),
        denied=boolean("Whether the action is denied outright."), reason=string("Why."),
        evaluationError=string("What went wrong while deciding.")),
    AUTHORIZATION + "SelfSubjectRulesReviewSpec": obj(
        "The namespace to list the rules of.", namespace=string("The namespace.")),
    AUTHORIZATION + "ResourceRule": obj(
        "A rule about resources.", ("verbs",), verbs=strings("The verbs."), apiGroups=strings("The API groups."),
        resources=strings("The resources."), resourceNames=strings("The names.")),
    AUTHORIZATION + "NonResourceRule": obj(
        "A rule about non-resource URLs.", ("verbs",), verbs=strings("The verbs."),
        nonResourceURLs=strings("The URLs.")),
    AUTHORIZATION + "SubjectRulesReviewStatus": obj(
        "The rules.", ("resourceRules", "nonResourceRules", "incomplete"),
        resourceRules=arr(ref(AUTHORIZATION + "ResourceRule"), "The resource rules."),
        nonResourceRules=arr(ref(AUTHORIZATION + "NonResourceRule"), "The non-resource rules."),
        incomplete=boolean("Whether the authorizer could not list every rule."),
        evaluationError=string("What went wrong while listing.")),
    AUTHENTICATION + "TokenReview": _review(
        "authentication.k8s.io", AUTHENTICATION, "TokenReview", "TokenReviewSpec", "TokenReviewStatus",
        "Who does a bearer token belong to?"),
    AUTHENTICATION + "TokenReviewSpec": obj(
        "The token to review.", token=string("The bearer token."),
        audiences=strings("The audiences the token must be good for.")),
    AUTHENTICATION + "TokenReviewStatus": obj(
        "The answer.", authenticated=boolean("Whether the token is good."),
        user=ref(AUTHENTICATION + "UserInfo", "Its user."), audiences=strings("The audiences it is good for."),
        error=string("Why it is not good.")),
    AUTHENTICATION + "UserInfo": obj(
        "A user.", username=string("The name."), uid=string("The UID."), groups=strings("The groups."),
        extra=_EXTRA),
}

# The attributes are pointers: absent from the zero value a create's managedFields compare with.
GO_TYPES = {
    AUTHORIZATION + "SelfSubjectAccessReviewSpec": {"resourceAttributes": "*v1.ResourceAttributes",
                                                    "nonResourceAttributes": "*v1.NonResourceAttributes"},
    AUTHORIZATION + "SubjectAccessReviewSpec": {"resourceAttributes": "*v1.ResourceAttributes",
                                                "nonResourceAttributes": "*v1.NonResourceAttributes",
                                                "extra": "map[string]v1.ExtraValue"},
    AUTHENTICATION + "UserInfo": {"extra": "map[string]v1.ExtraValue"},
}
