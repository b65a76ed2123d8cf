"""Label and field selectors at the apiserver's boundary: parsing and matching live in
`reference_impl.machinery` and raise a plain SelectorError; here that error becomes the 400
BadRequest a client sees, in upstream's words."""
from __future__ import annotations

from reference_impl.apiserver.core import errors
from reference_impl.machinery import fields, labels
# Re-exported for the apiserver modules that validate and match with them.
from reference_impl.machinery.fields import FieldSelector, object_fields  # noqa: F401
from reference_impl.machinery.labels import (DNS_SUBDOMAIN, LabelSelector, label_key_problem,  # noqa: F401
                                             label_value_problem, to_string)


def parse_label_selector(text: str | None) -> LabelSelector:
    """`labels.parse_label_selector`, a syntax error being a 400."""
    try:
        return labels.parse_label_selector(text)
    except labels.SelectorError as error:
        raise errors.bad_request(str(error)) from None


def from_label_selector_dict(selector: dict | None) -> LabelSelector:
    """`labels.from_label_selector_dict`, an unknown operator being a 400."""
    try:
        return labels.from_label_selector_dict(selector)
    except labels.SelectorError as error:
        raise errors.bad_request(str(error)) from None


def parse_field_selector(text: str | None, convert: fields.TransformFunc | None = None) -> FieldSelector:
    """`fields.parse_field_selector`, then each field through the kind's field label conversion
    `convert` (as ListResource transforms the decoded selector), a syntax error or a field the
    conversion refuses being a 400."""
    try:
        selector = fields.parse_field_selector(text)
        return selector.transform(convert) if convert else selector
    except ValueError as error:
        raise errors.bad_request(str(error)) from None
