"""The Secret kind (core/v1): its resource facts, defaults, OpenAPI schema, printer columns and protobuf
layout."""
from __future__ import annotations

import base64

from reference_impl.apiserver.core import validation as v
from reference_impl.apiserver.core.resources import COMMON_FIELDS, FieldLabelConversion, Resource, UpdateMetadataChecks
from reference_impl.apiserver.core.schemas import CORE, boolean, kind, list_kind, string, string_map
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell
from reference_impl.machinery import gojson
from reference_impl.mirrors import mirrors


def secret(obj: dict, spec: dict) -> None:
    obj.setdefault("type", "Opaque")
    if obj.get("stringData"):
        obj["data"] = _data(obj)
    obj.pop("stringData", None)


def _data(obj: dict) -> dict:
    """data with stringData merged in, as the stored object will hold it: validation runs before
    defaulting here, upstream after the decoder folded stringData into data."""
    merged = dict(obj.get("data") or {})
    for key, value in (obj.get("stringData") or {}).items():
        merged[key] = base64.b64encode(str(value).encode("utf-8", "surrogateescape")).decode()
    return merged


DOCKER_CONFIG_KEYS = {"kubernetes.io/dockercfg": ".dockercfg", "kubernetes.io/dockerconfigjson": ".dockerconfigjson"}


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateSecret")
def validate_secret(obj: dict) -> list[str]:
    """Valid data keys, and the keys the secret's type promises its readers: a service account
    token names its account, docker configs are JSON objects, TLS secrets hold a certificate and
    a key, basic-auth a username or a password, ssh-auth a private key."""
    problems = v.validate_config_data(obj)
    data, secret_type = _data(obj), obj.get("type") or "Opaque"
    if secret_type == "kubernetes.io/service-account-token":
        if not ((obj.get("metadata") or {}).get("annotations") or {}).get("kubernetes.io/service-account.name"):
            problems.append(v.required("metadata.annotations[kubernetes.io/service-account.name]"))
    elif secret_type in DOCKER_CONFIG_KEYS:
        key = DOCKER_CONFIG_KEYS[secret_type]
        if key not in data:
            problems.append(v.required(f"data[{key}]"))
        else:
            problem = _json_object_problem(data[key])
            if problem:
                problems.append(f'data[{key}]: Invalid value: "<secret contents redacted>": {problem}')
    elif secret_type == "kubernetes.io/basic-auth" and "username" not in data and "password" not in data:
        problems += [v.required("data[username]"), v.required("data[password]")]
    elif secret_type == "kubernetes.io/ssh-auth" and not data.get("ssh-privatekey"):
        problems.append(v.required("data[ssh-privatekey]"))
    elif secret_type == "kubernetes.io/tls":
        problems += [v.required(f"data[{key}]") for key in ("tls.crt", "tls.key") if key not in data]
    return problems


def _json_object_problem(encoded: object) -> str | None:
    """Why the base64 value is no JSON object (json.Unmarshal into a map), or None."""
    try:
        value = gojson.loads(base64.b64decode(str(encoded)))
    except ValueError as err:
        return str(err)
    if value is None or isinstance(value, dict):  # null leaves the map nil, which is no error
        return None
    return gojson.type_error(gojson.type_name(value), "map[string]interface {}")


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateSecretUpdate")
def validate_secret_update(old: dict, new: dict) -> list[str]:
    """The type never changes; an immutable secret stays immutable and keeps its data; then the
    secret's own rules."""
    problems = []
    old_type, new_type = old.get("type") or "Opaque", new.get("type") or "Opaque"
    if new_type != old_type:
        problems.append(v.invalid("type", new_type, "field is immutable"))
    if old.get("immutable"):
        if not new.get("immutable"):
            problems.append("immutable: Forbidden: field is immutable when `immutable` is set")
        if _data(new) != _data(old):
            problems.append("data: Forbidden: field is immutable when `immutable` is set")
    return problems + validate_secret(new)


RESOURCES = (
    Resource("", "v1", "Secret", "secrets", "secret", True, field_selectors=(*COMMON_FIELDS, "type"),
             field_label_conversion=FieldLabelConversion((*COMMON_FIELDS, "type")),
             validator=validate_secret, validator_on_update=validate_secret_update,
             update_metadata_checks=UpdateMetadataChecks(full=1, update=1)),
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


GO_TYPES = {
    CORE + "Secret": {"type": "v1.SecretType"},
}


PRINTERS = {
    "Secret": ([NAME, ("Type", "string", 0, "Secret type."),
                ("Data", "string", 0, "Number of data keys."), AGE],
               lambda o, now: [name_cell(o), o.get("type", "Opaque"), len(o.get("data") or {}), age_cell(o, now)]),
}


MESSAGES = """
core.Secret: 1 metadata! meta.ObjectMeta; 5 immutable bool; 2 data? {}bytes; 4 stringData? {}string; 3 type? string
core.SecretList: 1 metadata! meta.ListMeta; 2 items* []core.Secret
"""
