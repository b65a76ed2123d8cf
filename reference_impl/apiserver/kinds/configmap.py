"""The ConfigMap kind (core/v1): its resource facts, OpenAPI schema, printer columns and protobuf layout."""
from __future__ import annotations

from reference_impl.apiserver.core import validation as v
from reference_impl.apiserver.core.resources import Resource, UpdateMetadataChecks
from reference_impl.apiserver.core.schemas import CORE, boolean, kind, list_kind, string_map
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell
from reference_impl.mirrors import mirrors


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateConfigMapUpdate")
def validate_config_map_update(old: dict, new: dict) -> list[str]:
    """An immutable ConfigMap stays immutable and keeps its data and binaryData."""
    if not old.get("immutable"):
        return []
    problems = [] if new.get("immutable") else ["immutable: Forbidden: field is immutable when `immutable` is set"]
    return problems + [f"{field}: Forbidden: field is immutable when `immutable` is set"
                       for field in ("data", "binaryData") if (new.get(field) or {}) != (old.get(field) or {})]


RESOURCES = (
    Resource("", "v1", "ConfigMap", "configmaps", "configmap", True, ("cm",),
             validator=v.validate_config_data, update_validator=validate_config_map_update,
             update_metadata_checks=UpdateMetadataChecks(full=1, update=1)),
)


DEFINITIONS = {
    CORE + "ConfigMap": kind(
        "", "v1", "ConfigMap", "Non-confidential configuration as key/value pairs.",
        binaryData=string_map("Base64-encoded binary values by key.", "byte"),
        data=string_map("UTF-8 values by key."),
        immutable=boolean("Forbid changes to the data.")),
    CORE + "ConfigMapList": list_kind("", "v1", CORE + "ConfigMap"),
}


PRINTERS = {
    "ConfigMap": ([NAME, ("Data", "string", 0, "Number of data keys."), AGE],
                  lambda o, now: [name_cell(o), len(o.get("data") or {}) + len(o.get("binaryData") or {}),
                                  age_cell(o, now)]),
}


MESSAGES = """
core.ConfigMap: 1 metadata! meta.ObjectMeta; 4 immutable bool; 2 data? {}string; 3 binaryData? {}bytes
core.ConfigMapList: 1 metadata! meta.ListMeta; 2 items* []core.ConfigMap
"""
