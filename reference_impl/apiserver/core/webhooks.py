"""Admission webhooks: the MutatingAdmissionWebhook and ValidatingAdmissionWebhook plugins.

For a write, each plugin reads the webhook configurations of its kind (sorted by name, webhooks in
the order written), keeps the webhooks whose namespaceSelector, objectSelector and rules match the
request, and calls each with an AdmissionReview v1. A mutating webhook's JSONPatch is applied to the
object the next one is sent; a refusal or a failure to call a webhook (unless its failurePolicy is
Ignore) ends the request with upstream's Status. The plugins never call webhooks about webhook
configurations themselves, so that a broken webhook cannot lock its own configuration.

This module decides and builds; it does no I/O. The call itself goes through `call(webhook, review,
timeout)`, given by the adapter (`adapter.webhookclient`), which returns the decoded response
review or raises `CallFailed` with the transport's error in Go's words.
"""
from __future__ import annotations

import base64
import json
import uuid
from dataclasses import dataclass
from typing import Callable

from reference_impl.apiserver import kinds
from reference_impl.apiserver.core import errors, gostruct
from reference_impl.apiserver.core.discovery import SUBRESOURCES
from reference_impl.apiserver.core.errors import StatusError
from reference_impl.apiserver.core.patch import PatchError, apply_json_patch
from reference_impl.machinery import labels
from reference_impl.machinery.gojson import quote
from reference_impl.machinery.objects import deep_copy_json
from reference_impl.mirrors import mirrors

ADMISSION_REGISTRATION = "admissionregistration.k8s.io"
WEBHOOK_CONFIGURATION_KINDS = ("ValidatingWebhookConfiguration", "MutatingWebhookConfiguration")
REVIEW_API_VERSION = "admission.k8s.io/v1"
NO_SIDE_EFFECTS = ("None", "NoneOnDryRun")
OPTIONS_KINDS = {"CREATE": "CreateOptions", "UPDATE": "UpdateOptions", "DELETE": "DeleteOptions"}


class CallFailed(Exception):
    """The webhook could not be asked or did not answer: the transport's error, as Go's HTTP client
    words it (`Post "https://...": context deadline exceeded`)."""


@dataclass(frozen=True)
class Webhook:
    """One webhook of a configuration (webhook.WebhookAccessor): its spec and where it is from."""

    configuration: str
    index: int
    spec: dict
    mutating: bool

    @property
    def name(self) -> str:
        return self.spec.get("name", "")

    @property
    def ignores_failures(self) -> bool:
        return self.spec.get("failurePolicy") == "Ignore"


class CallingError(Exception):
    """webhookutil.ErrCallingWebhook: the webhook was not asked, or its answer made no sense."""

    def __init__(self, webhook: str, reason: str) -> None:
        super().__init__(f"failed calling webhook {quote(webhook)}: {reason}")


def webhooks_of(configurations: list[dict], mutating: bool) -> list[Webhook]:
    """The webhooks of `configurations` in the order they are called: configurations by name,
    each one's webhooks as written (the configuration manager sorts by name)."""
    ordered = sorted(configurations, key=lambda c: (c.get("metadata") or {}).get("name", ""))
    return [Webhook(config["metadata"]["name"], i, hook, mutating) for config in ordered
            for i, hook in enumerate(config.get("webhooks") or ())]


@mirrors("k8s.io/apiserver/pkg/admission/plugin/webhook/rules.IsWebhookConfigurationResource")
def is_webhook_configuration(request: object) -> bool:
    return request.resource.group == ADMISSION_REGISTRATION and request.resource.kind in WEBHOOK_CONFIGURATION_KINDS


@mirrors("(*k8s.io/apiserver/pkg/admission/plugin/webhook/rules.Matcher).Matches")
def rule_matches(rule: dict, request: object) -> bool:
    """The rule's scope, operations, group, version and resource (`resource/subresource`, either
    part a wildcard) all cover the request."""
    resource = request.resource
    return (_scope_matches(rule.get("scope") or "*", request)
            and _one_of(rule.get("operations"), request.operation)
            and _one_of(rule.get("apiGroups"), resource.group)
            and _one_of(rule.get("apiVersions"), resource.version)
            and any(_resource_matches(entry, resource.plural, request.subresource)
                    for entry in rule.get("resources") or ()))


def _one_of(allowed: list | None, value: str) -> bool:
    return any(entry in ("*", value) for entry in allowed or ())


def _resource_matches(entry: str, plural: str, subresource: str) -> bool:
    resource, _, sub = entry.partition("/")
    return resource in ("*", plural) and sub in ("*", subresource)


def _is_namespace(request: object) -> bool:
    return request.resource.group == "" and request.resource.plural == "namespaces"


def _scope_matches(scope: str, request: object) -> bool:
    """A namespace object is cluster-scoped, although its requests carry its own name as namespace."""
    if scope == "Namespaced":
        return not _is_namespace(request) and bool(request.namespace)
    if scope == "Cluster":
        return _is_namespace(request) or not request.namespace
    return scope == "*"


@mirrors("(*k8s.io/apiserver/pkg/admission/plugin/webhook/namespace.Matcher).MatchNamespaceSelector",
         "(*k8s.io/apiserver/pkg/admission/plugin/webhook/object.Matcher).MatchObjectSelector")
def selectors_match(hook: dict, request: object, obj: dict | None, old: dict | None,
                    namespace_labels: Callable[[], dict]) -> bool:
    """A cluster-scoped object passes any namespaceSelector; an empty selector passes everything;
    the objectSelector matches the new object's labels or the old one's. The namespace's labels
    are read only when a selector needs them."""
    namespace_selector = hook.get("namespaceSelector") or {}
    if (request.namespace or _is_namespace(request)) and namespace_selector:
        if not labels.selector_matches(namespace_selector, namespace_labels()):
            return False
    object_selector = hook.get("objectSelector") or {}
    return not object_selector or any(
        labels.selector_matches(object_selector, ((o or {}).get("metadata") or {}).get("labels") or {})
        for o in (obj, old) if o is not None)


@mirrors("k8s.io/apiserver/pkg/admission/plugin/webhook/request.CreateV1AdmissionReview")
def admission_review(uid: str, request: object, obj: dict | None, old: dict | None) -> dict:
    """The AdmissionReview v1 a webhook is sent: the request's kind, resource and subresource (the
    same as requested: no other version is served to convert to), who asks, the objects and the
    operation's options."""
    resource, user = request.resource, request.user
    group, version, kind = SUBRESOURCES.get(request.subresource, (None, None, None))[:3]
    gvk = {"group": resource.group if group is None else group, "version": version or resource.version,
           "kind": kind or resource.kind}
    gvr = {"group": resource.group, "version": resource.version, "resource": resource.plural}
    # A namespace's own requests carry its name as their namespace, a create's too.
    namespace = request.namespace or (request.name if _is_namespace(request) else "")
    return {"kind": "AdmissionReview", "apiVersion": REVIEW_API_VERSION, "request": {
        "uid": uid, "kind": gvk, "resource": gvr,
        **({"subResource": request.subresource} if request.subresource else {}),
        "requestKind": gvk, "requestResource": gvr,
        **({"requestSubResource": request.subresource} if request.subresource else {}),
        **({"name": request.name} if request.name else {}),
        **({"namespace": namespace} if namespace else {}),
        "operation": request.operation,
        "userInfo": _user_info(user),
        "object": _as_encoded(obj), "oldObject": _as_encoded(old), "dryRun": request.dry_run,
        "options": _options(request)}}


@mirrors("encoding/json.Marshal")
def _as_encoded(obj: dict | None) -> dict | None:
    """The object as Go encodes it: a built-in kind as its struct (fields in the struct's order,
    a map's keys sorted), whatever order a mutating webhook or the client left it in; a custom
    resource as the unstructured map it is, every object's keys sorted. A creationTimestamp not
    yet set is written as null."""
    if obj is None:
        return None
    encoded = gostruct.as_encoded(obj)
    if encoded is not obj:
        return encoded
    meta = obj.get("metadata")
    if isinstance(meta, dict) and "creationTimestamp" not in meta:
        obj = {**obj, "metadata": {**meta, "creationTimestamp": None}}
    return _with_sorted_keys(obj)


def _with_sorted_keys(value: object) -> object:
    if isinstance(value, dict):
        return {key: _with_sorted_keys(value[key]) for key in sorted(value)}
    if isinstance(value, list):
        return [_with_sorted_keys(item) for item in value]
    return value


def _user_info(user: object) -> dict:
    if user is None:
        return {}
    info = {"username": user.name}
    if user.uid:
        info["uid"] = user.uid
    if user.groups:
        info["groups"] = list(user.groups)
    if user.extra:
        info["extra"] = {key: list(values) for key, values in user.extra.items()}
    return info


def _options(request: object) -> dict | None:
    kind = OPTIONS_KINDS.get(request.operation)
    if kind is None:
        return None
    # The client's own kind and apiVersion are not sent: the options are converted to meta.k8s.io/v1.
    options = {key: value for key, value in request.options.items() if key not in ("kind", "apiVersion")}
    if kind == "DeleteOptions":  # decoded from a body in any order, written in the struct's
        options = gostruct.as_encoded_message(options, "meta.DeleteOptions")
    return {"kind": kind, "apiVersion": "meta.k8s.io/v1", **options}


@dataclass(frozen=True)
class Verdict:
    """request.AdmissionResponse: a webhook's answer once checked."""

    allowed: bool
    result: dict | None
    patch: list | None
    patch_type: str
    warnings: tuple[str, ...]


@mirrors("k8s.io/apiserver/pkg/admission/plugin/webhook/request.VerifyAdmissionResponse")
def verify_response(uid: str, mutating: bool, review: object) -> Verdict:
    """The answer of a v1 review, or ValueError saying what is wrong with it: no response, another
    uid or kind, a patch without its type (or the other way round), a patch from a validating
    webhook, or a patch that is no base64 JSONPatch."""
    if not isinstance(review, dict) or not isinstance(review.get("response"), dict):
        raise ValueError("webhook response was absent")
    response = review["response"]
    if response.get("uid", "") != uid:
        raise ValueError(f"expected response.uid={quote(uid)}, got {quote(response.get('uid', ''))}")
    api_version, kind = review.get("apiVersion", ""), review.get("kind", "")
    if (api_version, kind) != (REVIEW_API_VERSION, "AdmissionReview"):
        got_group, _, got_version = api_version.rpartition("/")
        raise ValueError(f"expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got "
                         f"{got_group}/{got_version}, Kind={kind}")
    patch, patch_type = response.get("patch") or "", response.get("patchType")
    if not mutating:
        if patch:
            raise ValueError("validating webhook may not return response.patch")
        if patch_type is not None:
            raise ValueError("validating webhook may not return response.patchType")
    elif patch and patch_type is None:
        raise ValueError("webhook returned response.patch but not response.patchType")
    elif not patch and patch_type is not None:
        raise ValueError("webhook returned response.patchType but not response.patch")
    elif patch_type == "":
        raise ValueError('webhook returned invalid response.patchType of ""')
    return Verdict(bool(response.get("allowed")), response.get("status"),
                   json.loads(base64.b64decode(patch, validate=True)) if patch else None, patch_type or "",
                   tuple(response.get("warnings") or ()))


@mirrors("k8s.io/apiserver/pkg/admission/plugin/webhook/errors.ToStatusErr")
def denied(webhook: str, result: dict | None) -> StatusError:
    """A refusal as the request's error: the webhook's code (at least 400), reason and details, its
    message after `admission webhook "NAME" denied the request`."""
    result = result or {}
    denied_by = f"admission webhook {quote(webhook)} denied the request"
    if result.get("message"):
        message = f"{denied_by}: {result['message']}"
    elif result.get("reason"):
        message = f"{denied_by}: {result['reason']}"
    else:
        message = f"{denied_by} without explanation"
    code = result.get("code") or 0
    return StatusError(code if code >= 400 else 400, result.get("reason", ""), message, result.get("details"))


class _WebhookPlugin:
    """What both plugins share: the hooks that match a request, and asking one of them."""

    mutating: bool
    plural: str

    def __init__(self, registry: object, call: Callable[[Webhook, dict, float], dict],
                 configurations: object | None = None, namespaces: object | None = None,
                 new_uid: Callable[[], str] = lambda: str(uuid.uuid4())) -> None:
        self.registry = registry
        self.call = call
        self.configurations = configurations  # a Lister of the configurations, else read live
        self.namespaces = namespaces
        self.new_uid = new_uid

    def _webhooks(self) -> list[Webhook]:
        configurations = self.configurations.list() if self.configurations is not None else None
        if configurations is None:
            configurations = self.registry.list(self.plural)["items"]
        return webhooks_of(configurations, self.mutating)

    @mirrors("(*k8s.io/apiserver/pkg/admission/plugin/webhook/generic.Webhook).ShouldCallHook")
    def _matching(self, request: object, obj: dict | None, old: dict | None) -> list[Webhook]:
        """The webhooks to call, in order. Every version of a resource is served as one (no
        matchPolicy Equivalent finds another)."""
        if is_webhook_configuration(request):
            return []
        labels_of_namespace = _Once(lambda: self._namespace_labels(request, obj))
        return [hook for hook in self._webhooks()
                if any(rule_matches(rule, request) for rule in hook.spec.get("rules") or ())
                and selectors_match(hook.spec, request, obj, old, labels_of_namespace)]

    @mirrors("(*k8s.io/apiserver/pkg/admission/plugin/webhook/namespace.Matcher).GetNamespaceLabels")
    def _namespace_labels(self, request: object, obj: dict | None) -> dict:
        """A namespace being written has its own labels; any other object its namespace's (404 when
        the namespace does not exist)."""
        if _is_namespace(request) and not request.subresource and request.operation in ("CREATE", "UPDATE"):
            return ((obj or {}).get("metadata") or {}).get("labels") or {}
        name = request.namespace or request.name
        namespace = self.namespaces.get(None, name) if self.namespaces is not None else None
        if namespace is None:
            namespace = self.registry.get("namespaces", None, name)
        return (namespace.get("metadata") or {}).get("labels") or {}

    def _ask(self, hook: Webhook, request: object, obj: dict | None, old: dict | None) -> Verdict:
        """One call of `hook`; a webhook with side effects is not called in a dry run."""
        if request.dry_run and hook.spec.get("sideEffects") not in NO_SIDE_EFFECTS:
            raise errors.bad_request(f"admission webhook {quote(hook.name)} does not support dry run")
        uid = self.new_uid()
        review = admission_review(uid, request, obj, old)
        try:
            answer = self.call(hook, review, float(hook.spec.get("timeoutSeconds") or 10))
        except CallFailed as err:
            raise CallingError(hook.name, f"failed to call webhook: {err}") from None
        try:
            verdict = verify_response(uid, self.mutating, answer)
        except (ValueError, TypeError) as err:  # TypeError, binascii.Error: a patch that is not base64 JSON
            raise CallingError(hook.name, f"received invalid webhook response: {err}") from None
        request.warnings.extend(verdict.warnings)
        if not verdict.allowed:
            raise denied(hook.name, verdict.result)
        if verdict.patch and verdict.patch_type != "JSONPatch":
            raise CallingError(hook.name, f"unsupported patch type {quote(verdict.patch_type)}")
        return verdict


class _Once:
    """A value computed at the first call and kept."""

    def __init__(self, compute: Callable[[], dict]) -> None:
        self.compute, self.value = compute, None

    def __call__(self) -> dict:
        if self.value is None:
            self.value = self.compute()
        return self.value


class MutatingWebhooks(_WebhookPlugin):
    """MutatingAdmissionWebhook: each matching webhook in turn, sent the object as the last one
    left it; a failure to call one fails the request unless the webhook's failurePolicy is Ignore.
    A webhook with reinvocationPolicy IfNeeded whose output a later webhook changed is called once
    more, after the others (upstream also runs its in-tree mutating plugins again then; this
    chain does not)."""

    mutating, plural = True, "mutatingwebhookconfigurations"

    @mirrors("(*k8s.io/apiserver/pkg/admission/plugin/webhook/mutating.mutatingDispatcher).Dispatch")
    def admit(self, request: object, obj: dict | None) -> dict | None:
        # A delete has no new object; the stored one is the old one.
        new, old = (None, request.old_obj) if request.operation == "DELETE" else (obj, request.old_obj)
        matching = self._matching(request, new, old)
        if matching and new is not None and not request.subresource:
            # Upstream decodes with defaults before admission: a webhook sees, and patches, the defaulted object.
            new = deep_copy_json(new)
            kinds.default(request.resource, new)
        new, reinvoke = self._round(request, matching, new, old)
        if reinvoke:
            new, _ = self._round(request, [hook for hook in self._matching(request, new, old)
                                           if (hook.configuration, hook.index) in reinvoke], new, old)
        return obj if request.operation == "DELETE" else new

    @mirrors("(*k8s.io/apiserver/pkg/admission/plugin/webhook/mutating.webhookReinvokeContext)."
             "RequireReinvokingPreviouslyInvokedPlugins")
    def _round(self, request: object, hooks: list[Webhook], new: dict | None,
               old: dict | None) -> tuple[dict | None, set[tuple[str, int]]]:
        """`hooks` called in order: the object they leave, and the IfNeeded webhooks called
        before one that changed it, which are to be called again."""
        called_if_needed, reinvoke = [], set()
        for hook in hooks:
            patched = self._call(hook, request, new, old)
            if patched != new:
                reinvoke.update(called_if_needed)
                new = patched
            if hook.spec.get("reinvocationPolicy") == "IfNeeded":
                called_if_needed.append((hook.configuration, hook.index))
        return new, reinvoke

    @mirrors("(*k8s.io/apiserver/pkg/admission/plugin/webhook/mutating.mutatingDispatcher).callAttrMutatingHook")
    def _call(self, hook: Webhook, request: object, new: dict | None, old: dict | None) -> dict | None:
        """The object as `hook` leaves it: patched, or as it was."""
        try:
            verdict = self._ask(hook, request, new, old)
        except CallingError as err:
            if hook.ignores_failures:
                return new
            raise errors.internal_error(str(err)) from None
        return self._patched(hook, request, new, verdict.patch) if verdict.patch else new

    def _patched(self, hook: Webhook, request: object, obj: dict | None, patch: list) -> dict:
        """The object with the webhook's patch applied, then defaulted as decoding defaults it."""
        if obj is None:
            raise errors.internal_error(f"admission webhook {quote(hook.name)} attempted to modify the object, "
                                        "which is not supported for this operation")
        try:
            patched = apply_json_patch(obj, patch)
        except PatchError as err:
            raise errors.internal_error(err.message) from None
        if not request.subresource:  # a subresource's object (a Scale) is no instance of the resource's kind
            kinds.default(request.resource, patched)
        return patched


class ValidatingWebhooks(_WebhookPlugin):
    """ValidatingAdmissionWebhook: every matching webhook asked about the object as it will be
    stored. Upstream asks them all at once and reports the first error to arrive; here they are
    asked in order and the first error ends the request."""

    mutating, plural = False, "validatingwebhookconfigurations"

    @mirrors("(*k8s.io/apiserver/pkg/admission/plugin/webhook/validating.validatingDispatcher).Dispatch",
             "(*k8s.io/apiserver/pkg/admission/plugin/webhook/validating.validatingDispatcher).callHook")
    def validate(self, request: object, obj: dict | None) -> None:
        new, old = (None, request.old_obj) if request.operation == "DELETE" else (obj, request.old_obj)
        for hook in self._matching(request, new, old):
            try:
                self._ask(hook, request, new, old)
            except CallingError as err:
                if not hook.ignores_failures:
                    raise errors.internal_error(str(err)) from None
