"""The review APIs: questions the apiserver answers from its authorizer or authenticator and never stores.

authorization.k8s.io/v1 SelfSubjectAccessReview (`kubectl auth can-i`), SubjectAccessReview (may
this other user...?), LocalSubjectAccessReview (the same, in the URL's namespace),
SelfSubjectRulesReview (`kubectl auth can-i --list`) and authentication.k8s.io/v1 TokenReview (who
does this bearer token belong to?). Each is create-only: the answer is the request with a status.
Asking about another user or a token is itself a `create` the authorizer checks first, so only
those granted it (system:auth-delegator upstream) learn other users' rights.
"""
from __future__ import annotations

from dataclasses import dataclass

from reference_impl.apiserver.core import errors, gosyntax
from reference_impl.apiserver.core.auth import API_AUDIENCES, AuthenticationFailed, UserInfo
from reference_impl.apiserver.core.rbac import AttributesRecord, Rules
from reference_impl.machinery.gojson import quote
from reference_impl.mirrors import mirrors

AUTHORIZATION = "authorization.k8s.io"
AUTHENTICATION = "authentication.k8s.io"


@mirrors("(*k8s.io/apimachinery/pkg/util/validation/field.Error).ErrorBody")
def _go_value(value: str | None) -> str:
    """How field.Invalid prints a string (%q), or a nil pointer ("null", quoted as a string)."""
    return quote("null" if value is None else value)


def _non_resource_attributes_value(attrs: dict | None) -> str:
    """How field.Invalid prints a *authorization.NonResourceAttributes: the struct it points to
    with %#v, or "null" for nil."""
    if attrs is None:
        return _go_value(None)
    return (f"authorization.NonResourceAttributes{{Path:{quote(attrs.get('path', ''))}, "
            f"Verb:{quote(attrs.get('verb', ''))}}}")


def _metadata_value(meta: dict) -> str:
    """The metadata a review must not have, as field.Invalid prints the v1.ObjectMeta: %#v, with
    the managedFields the field manager recorded (a FieldsV1 pointer prints as an address)."""
    return gosyntax.go_syntax("v1.ObjectMeta", meta)


def decode_review(review: object, kind: str) -> dict:
    """The body, decoded as a `kind` by the codec already, with a spec. The fields' types are
    checked as any kind's are, against the kind's schema (`fieldvalidation`). A body `null` is the
    empty review, as encoding/json leaves the struct it decodes null into."""
    if review is None:
        review = {}
    if not isinstance(review, dict):
        raise errors.bad_request(f"the body of the request must be a {kind} object")
    review.setdefault("spec", {})
    return review


@mirrors("k8s.io/apimachinery/pkg/runtime.DefaultUnstructuredConverter.ToUnstructured")
def without_empty_fields(review: dict) -> dict:
    """The review as its Go struct is written back (what the field manager tracks and the answer
    shows): every field of a review's spec and of its attributes is omitempty, so an empty one is
    left out; the attributes are pointers, written whenever they are set."""
    spec = {key: value for key, value in review["spec"].items()
            if value not in ("", [], {}) or key.endswith("Attributes")}
    for name in ("resourceAttributes", "nonResourceAttributes"):
        if isinstance(spec.get(name), dict):
            spec[name] = {key: value for key, value in spec[name].items() if value != ""}
    return {**review, "spec": spec}


def _metadata(review: dict) -> dict:
    """The review's ObjectMeta as Go writes it: creationTimestamp is a struct, null when zero."""
    return {"creationTimestamp": None, **(review.get("metadata") or {})}


@mirrors("k8s.io/kubernetes/pkg/apis/authorization/validation.ValidateSubjectAccessReviewSpec",
         "k8s.io/kubernetes/pkg/apis/authorization/validation.ValidateSelfSubjectAccessReviewSpec")
def access_review_spec_problems(spec: dict, needs_subject: bool) -> list[str]:
    """Exactly one of resourceAttributes and nonResourceAttributes; a SubjectAccessReview also
    names a user or a group."""
    problems = []
    resource, non_resource = spec.get("resourceAttributes"), spec.get("nonResourceAttributes")
    if resource is not None and non_resource is not None:
        problems.append(f"spec.nonResourceAttributes: Invalid value: {_non_resource_attributes_value(non_resource)}: "
                        "cannot be specified in combination with resourceAttributes")
    if resource is None and non_resource is None:
        problems.append(f"spec.resourceAttributes: Invalid value: {_non_resource_attributes_value(non_resource)}: "
                        "exactly one of nonResourceAttributes or resourceAttributes must be specified")
    if needs_subject and not spec.get("user") and not spec.get("groups"):
        problems.append(f"spec.user: Invalid value: {_go_value(spec.get('user') or '')}: at least one of user or "
                        "group must be specified")
    return problems


def _meta_problems(review: dict, allowed: tuple[str, ...] = ()) -> list[str]:
    """A review's metadata must be empty (ManagedFields and, for a local review, namespace aside)."""
    meta = review.get("metadata") or {}
    set_fields = {key: value for key, value in meta.items()
                  if value not in (None, "", {}, []) and key not in ("managedFields", *allowed)}
    if not set_fields:
        return []
    what = "must be empty except for namespace" if allowed else "must be empty"
    return [f"metadata: Invalid value: {_metadata_value(meta)}: {what}"]


def _invalid(problems: list[str]) -> errors.StatusError:
    """The REST Create's NewInvalid(Kind(review.Kind), "", errs): the decoded internal object's
    TypeMeta is empty, so the error names the group alone (`.authorization.k8s.io "" is invalid`)."""
    return errors.invalid("", "", problems, AUTHORIZATION)


@mirrors("k8s.io/kubernetes/pkg/registry/authorization/util.AuthorizationAttributesFrom",
         "k8s.io/kubernetes/pkg/registry/authorization/util.ResourceAttributesFrom",
         "k8s.io/kubernetes/pkg/registry/authorization/util.NonResourceAttributesFrom")
def attributes_from(user: object, spec: dict) -> AttributesRecord:
    """The authorizer's question for the review's resource or non-resource attributes."""
    attrs = spec.get("resourceAttributes")
    if attrs is not None:
        return AttributesRecord(user, attrs.get("verb", ""), attrs.get("namespace", ""), attrs.get("group", ""),
                                attrs.get("version", ""), attrs.get("resource", ""), attrs.get("subresource", ""),
                                attrs.get("name", ""), "", True)
    non_resource = spec.get("nonResourceAttributes") or {}
    return AttributesRecord(user, non_resource.get("verb", ""), path=non_resource.get("path", ""),
                            is_resource_request=False)


def _answer(review: dict, kind: str, authorizer, attributes: AttributesRecord) -> dict:
    allowed, reason = authorizer.authorize(attributes) if authorizer is not None else (True, "")
    status: dict = {"allowed": bool(allowed)}
    if reason:
        status["reason"] = reason
    return {"kind": kind, "apiVersion": f"{AUTHORIZATION}/v1", "metadata": _metadata(review),
            "spec": review["spec"], "status": status}


@mirrors("(*k8s.io/kubernetes/pkg/registry/authorization/selfsubjectaccessreview.REST).Create",
         "k8s.io/kubernetes/pkg/apis/authorization/validation.ValidateSelfSubjectAccessReview")
def self_subject_access_review(authorizer, user: object, review: dict) -> dict:
    """May the requesting user do this? (`kubectl auth can-i`)."""
    kind = "SelfSubjectAccessReview"
    problems = access_review_spec_problems(review["spec"], needs_subject=False) + _meta_problems(review)
    if problems:
        raise _invalid(problems)
    return _answer(review, kind, authorizer, attributes_from(user, review["spec"]))


def _subject(spec: dict) -> UserInfo:
    # An extra key given null is a nil ExtraValue upstream: the key with no values.
    extra = {key: tuple(values or ()) for key, values in (spec.get("extra") or {}).items()}
    return UserInfo(spec.get("user") or "", spec.get("uid") or "", tuple(spec.get("groups") or ()), extra)


@mirrors("(*k8s.io/kubernetes/pkg/registry/authorization/subjectaccessreview.REST).Create",
         "k8s.io/kubernetes/pkg/apis/authorization/validation.ValidateSubjectAccessReview")
def subject_access_review(authorizer, review: dict) -> dict:
    """May the user (and groups) the spec names do this?"""
    kind = "SubjectAccessReview"
    problems = access_review_spec_problems(review["spec"], needs_subject=True) + _meta_problems(review)
    if problems:
        raise _invalid(problems)
    return _answer(review, kind, authorizer, attributes_from(_subject(review["spec"]), review["spec"]))


@mirrors("(*k8s.io/kubernetes/pkg/registry/authorization/localsubjectaccessreview.REST).Create",
         "k8s.io/kubernetes/pkg/apis/authorization/validation.ValidateLocalSubjectAccessReview")
def local_subject_access_review(authorizer, namespace: str, review: dict) -> dict:
    """A SubjectAccessReview confined to the URL's namespace: resource attributes only, naming it
    as the review's metadata.namespace does, which must be the URL's (never filled in from it)."""
    kind = "LocalSubjectAccessReview"
    review_namespace = (review.get("metadata") or {}).get("namespace") or ""
    spec = review["spec"]
    problems = access_review_spec_problems(spec, needs_subject=True) + _meta_problems(review, ("namespace",))
    resource, non_resource = spec.get("resourceAttributes"), spec.get("nonResourceAttributes")
    if resource is not None and resource.get("namespace", "") != review_namespace:
        problems.append(f"spec.resourceAttributes.namespace: Invalid value: {_go_value(resource.get('namespace', ''))}"
                        ": must match metadata.namespace")
    if non_resource is not None:
        problems.append(f"spec.nonResourceAttributes: Invalid value: {_non_resource_attributes_value(non_resource)}: "
                        "disallowed on this kind of request")
    if problems:
        raise _invalid(problems)
    if not namespace:  # routed from namespaces//localsubjectaccessreviews
        raise errors.bad_request(f"namespace is required on this type: {namespace}")
    if review_namespace != namespace:
        raise errors.bad_request(f"spec.resourceAttributes.namespace must match namespace: {namespace}")
    return _answer(review, kind, authorizer, attributes_from(_subject(spec), spec))


@mirrors("(*k8s.io/kubernetes/pkg/registry/authorization/selfsubjectrulesreview.REST).Create")
def self_subject_rules_review(authorizer, user: object, review: dict) -> dict:
    """Everything the requesting user may do in spec.namespace (`kubectl auth can-i --list`). With
    no authorizer every request is allowed, so the answer is AlwaysAllow's: `*` on everything."""
    kind = "SelfSubjectRulesReview"
    namespace = review["spec"].get("namespace") or ""
    if not namespace:
        raise errors.bad_request("no namespace on request")
    if authorizer is None:
        rules = Rules([{"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"]}],
                      [{"verbs": ["*"], "nonResourceURLs": ["*"]}])
    elif hasattr(authorizer, "rules_for"):
        rules = authorizer.rules_for(user, namespace)
    else:  # an authorizer that cannot list its rules: nothing listed, and the list says so
        rules = Rules(incomplete=True)
    status: dict = {"resourceRules": rules.resource_rules, "nonResourceRules": rules.non_resource_rules,
                    "incomplete": rules.incomplete}
    if rules.evaluation_error:
        status["evaluationError"] = rules.evaluation_error
    return {"kind": kind, "apiVersion": f"{AUTHORIZATION}/v1", "metadata": {"creationTimestamp": None},
            "spec": {}, "status": status}


@dataclass(frozen=True)
class _BearerOnly:
    """The request TokenReview authenticates: nothing but the token (no client certificate), and
    the audiences it must be good for (what upstream puts in the request's context)."""

    headers: dict
    audiences: tuple[str, ...]

    def header(self, name: str) -> str:
        return self.headers.get(name, "")


@mirrors("(*k8s.io/kubernetes/pkg/registry/authentication/tokenreview.REST).Create")
def token_review(authenticator, review: dict) -> dict:
    """Who is the bearer of spec.token? The server's own token authenticators answer; a token they
    reject is `authenticated: false` with their error, never a failed request."""
    kind = "TokenReview"
    spec = review["spec"]
    if not spec.get("token"):
        raise errors.bad_request("token is required for TokenReview in authentication")
    answer = {"kind": kind, "apiVersion": f"{AUTHENTICATION}/v1", "metadata": _metadata(review),
              "spec": spec}
    if authenticator is None:
        return answer
    audiences = tuple(spec.get("audiences") or API_AUDIENCES)
    status: dict = {"user": {}}
    # Upstream hands the whole request authenticator, anonymous one included, a request holding
    # only "Bearer " + token: a token it cannot read as one (a leading space) is anonymous's.
    strict = getattr(authenticator, "authenticate_or_anonymous", authenticator.authenticate)
    try:
        user = strict(_BearerOnly({"Authorization": f"Bearer {spec['token']}"}, audiences))
    except AuthenticationFailed as err:
        user, status["error"] = None, str(err)
    if user is not None:
        status["authenticated"] = True
        info = {"username": user.name, "uid": user.uid, "groups": list(user.groups),
                "extra": {key: list(values) for key, values in (user.extra or {}).items()}}
        status["user"] = {key: value for key, value in info.items() if value}
        status["audiences"] = list(user.audiences)
    return {**answer, "status": status}
