"""The Secret kind (core/v1): its resource facts, defaults, OpenAPI schema, printer columns and protobuf
layout."""
from __future__ import annotations

import base64

from reference_impl.apiserver.core import validation as v
from reference_impl.apiserver.core.resources import COMMON_FIELDS, Resource
from reference_impl.apiserver.core.schemas import CORE, boolean, kind, list_kind, string, string_map
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell


def secret(obj: dict, spec: dict) -> None:
    obj.setdefault("type", "Opaque")
    for key, value in (obj.pop("stringData", None) or {}).items():
        obj.setdefault("data", {})[key] = base64.b64encode(str(value).encode()).decode()


RESOURCES = (
    Resource("", "v1", "Secret", "secrets", "secret", True,
             field_selectors=(*COMMON_FIELDS, "type"), validator=v.validate_config_data),
)


DEFAULTS = {"Secret": secret}
NO_SPEC = ("Secret",)


DEFINITIONS = {
    CORE + "Secret": kind(
        "", "v1", "Secret", "A small amount of sensitive data.",
        data=string_map("Base64-encoded values by key.", "byte"),
        immutable=boolean("Forbid changes to the data."),
        stringData=string_map("Plain-text values merged into `data` on write."),
        type=string("How the data is used, e.g. Opaque.")),
    CORE + "SecretList": list_kind("", "v1", CORE + "Secret"),
}


PRINTERS = {
    "Secret": ([NAME, ("Type", "string", 0, "Secret type."),
                ("Data", "string", 0, "Number of data keys."), AGE],
               lambda o, now: [name_cell(o), o.get("type", "Opaque"), len(o.get("data") or {}), age_cell(o, now)]),
}


MESSAGES = """
core.Secret: 1 metadata meta.ObjectMeta; 2 data {}bytes; 3 type? string; 4 stringData {}string; 5 immutable bool
core.SecretList: 1 metadata meta.ListMeta; 2 items []core.Secret
"""
