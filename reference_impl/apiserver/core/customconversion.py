"""Converting custom objects between the versions of a CRD whose spec.conversion.strategy is
Webhook: a ConversionReview POSTed to the CRD's webhook, its answer checked (the uid, the number of
objects, their apiVersion and kind, the metadata left as it was but for labels and annotations) as
apiextensions-apiserver's webhookConverter does, with its error texts.

The webhook is called through `call(client_config, review) -> dict`, which the adapter gives (the
admission webhooks' HTTPS client); a failure of the call is a `webhooks.CallFailed` in the words
of Go's REST client. Every failure here is a `ConversionError`, which the storage answers as a
plain (500) error, as upstream's codec returns it.
"""
from __future__ import annotations

import uuid
from typing import Callable

from reference_impl.apiserver.core.errors import aggregate
from reference_impl.apiserver.core.validation import annotation_problems, as_object, label_problems
from reference_impl.apiserver.core.webhooks import CallFailed
from reference_impl.machinery.gofmt import type_of
from reference_impl.machinery.gojson import quote
from reference_impl.mirrors import mirrors

GROUP = "apiextensions.k8s.io"
REVIEW_VERSIONS = ("v1", "v1beta1")  # the ConversionReview versions this server speaks
Call = Callable[[dict, dict], dict]  # (clientConfig, ConversionReview) -> the webhook's answer


def no_webhook_client(client_config: dict, review: dict) -> dict:
    """The Call of a server that was given no webhook client."""
    raise CallFailed("no webhook client to call the conversion webhook with")


class ConversionError(Exception):
    """A conversion that failed: upstream's message."""


def _gvk(obj: dict) -> str:
    """schema.GroupVersionKind.String(): `example.com/v1, Kind=Gizmo` (`/v1, Kind=...` for the core group)."""
    group, _, version = str(obj.get("apiVersion") or "").rpartition("/")
    return f"{group}/{version}, Kind={obj.get('kind') or ''}"


@mirrors("k8s.io/apiextensions-apiserver/pkg/apiserver/conversion.createConversionReviewObjects")
def conversion_review(review_versions: list[str], objects: list[dict], api_version: str, uid: str) -> dict:
    """The ConversionReview of the first version in conversionReviewVersions this server speaks,
    with the empty response Go's encoder writes beside the request."""
    version = next((v for v in review_versions if v in REVIEW_VERSIONS), None)
    if version is None:
        raise ConversionError("no supported conversion review versions")
    return {"kind": "ConversionReview", "apiVersion": f"{GROUP}/{version}",
            "request": {"uid": uid, "desiredAPIVersion": api_version, "objects": objects},
            "response": {"uid": "", "convertedObjects": None, "result": {"metadata": {}}}}


@mirrors("k8s.io/apiextensions-apiserver/pkg/apiserver/conversion.getConvertedObjectsFromResponse")
def converted_objects(review: dict, expected_uid: str, version: str) -> list:
    """The converted objects of a successful answer. A v1 answer must be a v1 ConversionReview for
    this request's uid; v1beta1 was never checked for either."""
    group, _, answered = str(review.get("apiVersion") or "").rpartition("/")
    if review.get("kind") == "ConversionReview" and group == GROUP and answered in REVIEW_VERSIONS and \
            answered != version:
        # The REST client decodes the answer as the version it names, then converts it into the one
        # asked for, which the scheme cannot.
        raise ConversionError(f"converting ({answered}.ConversionReview) to ({version}.ConversionReview): "
                              "unknown conversion")
    expected = f"{GROUP}/v1, Kind=ConversionReview"
    if version == "v1" and _gvk(review) != expected:
        raise ConversionError(f"expected webhook response of {expected}, got {_gvk(review)}")
    response = review.get("response")
    if not isinstance(response, dict):
        raise ConversionError("no response provided")
    if version == "v1" and response.get("uid", "") != expected_uid:
        raise ConversionError(f"expected response.uid={quote(expected_uid)}, got {quote(str(response.get('uid', '')))}")
    result = as_object(response.get("result"))
    if result.get("status") != "Success":
        raise ConversionError(result.get("message") or
                              f"response.result.status was '{result.get('status', '')}', not 'Success'")
    return list(response.get("convertedObjects") or [])


@mirrors("k8s.io/apiextensions-apiserver/pkg/apiserver/conversion.validateConvertedObject")
def _identity_problem(original: dict, converted: dict) -> str | None:
    """The converted object must be the same object: name, namespace and uid unchanged (the kind
    was checked before)."""
    before, after = as_object(original.get("metadata")), as_object(converted.get("metadata"))
    for label, old, new in (("name", before.get("name"), after.get("name")),
                            ("namespace", before.get("namespace"), after.get("namespace")),
                            ("UID", before.get("uid"), after.get("uid"))):
        if (old or "") != (new or ""):
            return f"must have the same {label}: {old or ''} != {new or ''}"
    return None


@mirrors("k8s.io/apiextensions-apiserver/pkg/apiserver/conversion.restoreObjectMeta")
def restore_object_meta(original: dict, converted: dict) -> None:
    """The converted object gets the original's metadata back, but for the labels and annotations
    the webhook answered with, valid ones only."""
    if "metadata" not in converted:
        raise ConversionError("missing metadata in converted object")
    answered = converted["metadata"]
    if not isinstance(answered, dict):
        raise ConversionError(f"invalid metadata of type {type_of(answered)} in converted object")
    restored = dict(as_object(original.get("metadata")))
    for field, path, problems_of in (("labels", "metadata.labels", label_problems),
                                     ("annotations", "metadata.annotation", annotation_problems)):
        value = answered.get(field)
        if value is None:
            restored.pop(field, None)
            continue
        if not isinstance(value, dict):
            raise ConversionError(f"invalid metadata.{field} of type {type_of(value)} in converted object")
        for key, item in value.items():
            if not isinstance(item, str):
                raise ConversionError(f"metadata.{field}[{key}] must be a string, but is {type_of(item)} in "
                                      "converted object")
        if value != restored.get(field):
            problems = problems_of(value, path)
            if problems:
                raise ConversionError(aggregate(problems))
        restored[field] = value
    converted["metadata"] = restored


class WebhookConverter:
    """webhookConverter: one CRD's conversion through its webhook."""

    def __init__(self, conversion: dict, call: Call, new_uid: Callable[[], str] = lambda: str(uuid.uuid4())):
        webhook = as_object(conversion.get("webhook"))
        self.client_config = as_object(webhook.get("clientConfig"))
        self.review_versions = list(webhook.get("conversionReviewVersions") or ())
        self.call = call
        self.new_uid = new_uid

    @mirrors("(*k8s.io/apiextensions-apiserver/pkg/apiserver/conversion.webhookConverter).Convert")
    def convert(self, obj: dict, api_version: str) -> dict:
        """`obj` in `api_version`: as it is when it is in that version already, else as the
        webhook converts it, checked and with its own metadata."""
        if obj.get("apiVersion") == api_version:
            return obj
        uid = self.new_uid()
        review = conversion_review(self.review_versions, [obj], api_version, uid)
        version = review["apiVersion"].rpartition("/")[2]
        failed = f"conversion webhook for {_gvk(obj)} failed"
        try:
            answer = self.call(self.client_config, review)
        except CallFailed as err:
            raise ConversionError(f"{failed}: {err}") from None
        try:
            objects = converted_objects(answer, uid, version)
        except ConversionError as err:
            raise ConversionError(f"{failed}: {err}") from None
        if len(objects) != 1:
            raise ConversionError(f"conversion webhook for {_gvk(obj)} returned {len(objects)} objects, expected 1")
        return self._checked(obj, objects[0], api_version)

    def _checked(self, obj: dict, converted: object, api_version: str) -> dict:
        invalid = f"conversion webhook for {_gvk(obj)} returned invalid object"
        converted = as_object(converted)
        received = str(converted.get("apiVersion") or "")
        if received != api_version:
            raise ConversionError(f"{invalid} at index 0: invalid groupVersion (expected {api_version}, "
                                  f"received {received})")
        if converted.get("kind") != obj.get("kind"):
            raise ConversionError(f"{invalid} at index 0: invalid kind (expected {obj.get('kind')}, "
                                  f"received {converted.get('kind') or ''})")
        problem = _identity_problem(obj, converted)
        if problem:
            raise ConversionError(f"{invalid}: {problem}")
        try:
            restore_object_meta(obj, converted)
        except ConversionError as err:
            raise ConversionError(f"conversion webhook for {_gvk(obj)} returned invalid metadata: {err}") from None
        return converted
