"""The CustomResourceDefinition kind (apiextensions.k8s.io/v1): its resource facts, defaults,
validation (ValidateCustomResourceDefinition for the common mistakes) and the status the naming and
establishing controllers give it, set here at create since this apiserver serves a CRD's resources
as soon as it is stored. Serving the custom resources themselves is `core.customresource`'s.

Left out: the v1beta1 API, a second look at the CRDs of a
group when one of them is deleted and frees its names, the KubernetesAPIApprovalPolicyConformant
condition and CEL rules.
"""
from __future__ import annotations

import urllib.parse
from typing import Callable

from reference_impl.apiserver.core import crdschema
from reference_impl.apiserver.core import validation as v
from reference_impl.apiserver.core.resources import Resource
from reference_impl.apiserver.kinds import admissionregistration
from reference_impl.apiserver.core.schemas import (META, arr, boolean, integer, kind, list_kind, obj, raw, ref,
                                                   references, string, strings)
from reference_impl.machinery.gojson import quote
from reference_impl.mirrors import mirrors

GROUP = "apiextensions.k8s.io"
APIEXTENSIONS = "io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1."
PRINTER_COLUMN_TYPES = ("boolean", "date", "integer", "number", "string")
APPROVAL_ANNOTATION = "api-approved.kubernetes.io"
APPROVAL_PROPOSAL = "see https://github.com/kubernetes/enhancements/pull/1111"
CONVERSION_STRATEGIES = ("None", "Webhook")
COLUMN_FORMATS = ("byte", "date", "date-time", "double", "float", "int32", "int64", "password")


def _names(crd: dict) -> dict:
    return v.as_object(v.as_object(crd.get("spec")).get("names"))


def storage_version(crd: dict) -> str:
    """The version marked as storage ("" when none is)."""
    versions = v.as_list(v.as_object(crd.get("spec")).get("versions"))
    return next((version.get("name", "") for version in versions if version.get("storage")), "")


@mirrors("k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1.SetDefaults_CustomResourceDefinitionSpec")
def set_defaults(crd: dict, spec: dict) -> None:
    """An empty singular is the lower-cased kind, an empty listKind the kind + "List", conversion
    strategy None, a conversion webhook's service port 443. Go tests the names' length, so a
    singular or listKind written as "" is defaulted as one left out."""
    names = spec.get("names")
    if isinstance(names, dict) and names.get("kind"):
        for name, default in (("singular", names["kind"].lower()), ("listKind", names["kind"] + "List")):
            if not names.get(name):
                names[name] = default
    spec.setdefault("conversion", {"strategy": "None"})
    service = v.as_object(v.as_object(v.as_object(spec["conversion"]).get("webhook")).get("clientConfig")).get("service")
    if isinstance(service, dict):  # SetDefaults_ServiceReference
        service.setdefault("port", 443)
    _default_stored_versions(crd, spec)


@mirrors("k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1.SetDefaults_CustomResourceDefinition")
def _default_stored_versions(crd: dict, spec: dict) -> None:
    """An empty status.storedVersions (a status write leaving none) becomes the first storage
    version."""
    status = crd.get("status")
    if not isinstance(status, dict) or v.as_list(status.get("storedVersions")):
        return
    storage = next((x.get("name") for x in v.as_list(spec.get("versions")) if isinstance(x, dict) and x.get("storage")),
                   None)
    if storage is not None:
        status["storedVersions"] = [storage]


def _go_bool(value: object) -> str:
    return "true" if value else "false"


def _versions_value(versions: list, sent: object = ()) -> str:
    """spec.versions as %#v prints the internal slice in a field.Invalid: nil when the body left
    it out or null (`sent` is what it had), else its items."""
    if sent is None:
        return "[]apiextensions.CustomResourceDefinitionVersion(nil)"
    return "[]apiextensions.CustomResourceDefinitionVersion{" + \
        ", ".join(_version_value(x, versions) for x in versions) + "}"


def _version_value(version: dict, versions: list) -> str:
    """One internal version as %#v prints it: a schema or subresources every version shares moved
    to the top of the internal spec (a nil pointer here), a set pointer as 0xc000000000."""
    def pointer(field: str, go_type: str) -> str:
        kept = version.get(field) and not _shared(versions, field)
        return f"(*apiextensions.{go_type})({'0xc000000000' if kept else 'nil'})"
    return (f"apiextensions.CustomResourceDefinitionVersion{{Name:{quote(str(version.get('name', '')))}, "
            f"Served:{_go_bool(version.get('served'))}, Storage:{_go_bool(version.get('storage'))}, "
            f"Deprecated:false, DeprecationWarning:(*string)(nil), "
            f"Schema:{pointer('schema', 'CustomResourceValidation')}, "
            f"Subresources:{pointer('subresources', 'CustomResourceSubresources')}, "
            "AdditionalPrinterColumns:[]apiextensions.CustomResourceColumnDefinition(nil)}")


@mirrors("k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation.ValidateCustomResourceDefinitionStoredVersions")
def stored_versions_problems(crd: dict) -> list[str]:
    """status.storedVersions holds at least one version, every storage version, and only versions
    of spec.versions."""
    stored = [str(name) for name in v.as_list(v.as_object(crd.get("status")).get("storedVersions"))]
    versions = [v.as_object(version) for version in v.as_list(v.as_object(crd.get("spec")).get("versions"))]
    path = "status.storedVersions"
    if not stored:
        return [f"{path}: Invalid value: []string(nil): must have at least one stored version"]
    problems = [f"{path}: Invalid value: {_version_value(version, versions)}: must have the storage version "
                f"{version.get('name', '')}" for version in versions
                if version.get("storage") and version.get("name") not in stored]
    names = {version.get("name") for version in versions}
    return problems + [v.invalid(f"{path}[{i}]", name, "must appear in spec.versions")
                       for i, name in enumerate(stored) if name not in names]


def _dns1035(value: str, path: str) -> list[str]:
    return v.name_problems(value, "dns1035", path)


@mirrors("k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation.ValidateCustomResourceDefinitionNames")
def names_problems(names: dict, path: str) -> list[str]:
    problems = []
    for field in ("plural", "singular"):
        if names.get(field):
            problems += _dns1035(names[field], f"{path}.{field}")
    for field in ("kind", "listKind"):
        if names.get(field) and v.name_problems(names[field].lower(), "dns1035"):
            problems.append(v.invalid(f"{path}.{field}", names[field],
                                      "may have mixed case, but should otherwise match: " + v.DNS1035_MSG))
    for i, short_name in enumerate(v.as_list(names.get("shortNames"))):
        problems += _dns1035(short_name, f"{path}.shortNames[{i}]")
    if names.get("kind") and names.get("kind") == names.get("listKind"):
        problems.append(v.invalid(f"{path}.listKind", names["listKind"], "kind and listKind may not be the same"))
    for i, category in enumerate(v.as_list(names.get("categories"))):
        problems += _dns1035(category, f"{path}.categories[{i}]")
    return problems


@mirrors("k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation.ValidateCustomResourceColumnDefinition")
def column_problems(column: dict, path: str) -> list[str]:
    problems = [] if column.get("name") else [v.required(f"{path}.name")]
    allowed = "must be one of " + ",".join(PRINTER_COLUMN_TYPES)
    if not column.get("type"):
        problems.append(v.required(f"{path}.type", allowed))
    elif column["type"] not in PRINTER_COLUMN_TYPES:
        problems.append(v.invalid(f"{path}.type", column["type"], allowed))
    if column.get("format") and column["format"] not in COLUMN_FORMATS:
        problems.append(v.invalid(f"{path}.format", column["format"], "must be one of " + ",".join(COLUMN_FORMATS)))
    json_path = column.get("jsonPath", "")
    if not json_path:
        problems.append(v.required(f"{path}.JSONPath"))
    elif not json_path.startswith("."):
        problems.append(v.invalid(f"{path}.JSONPath", json_path, "must be a simple json path starting with ."))
    return problems


def _simple_json_path_problems(json_path: str, path: str) -> list[str]:
    """validateSimpleJSONPath: a path that starts with a period (which `json_path` is never
    without, its emptiness checked first)."""
    return [] if json_path.startswith(".") else [v.invalid(path, json_path, "must be a simple json path starting with .")]


def _scale_path_problems(json_path: str, path: str, under: tuple[str, ...], where: str) -> list[str]:
    if not json_path:
        return [v.required(path)]
    problems = _simple_json_path_problems(json_path, path)
    if not problems and not json_path.startswith(under):
        problems.append(v.invalid(path, json_path, f"should be a json path under {where}"))
    return problems


@mirrors("k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation.ValidateCustomResourceDefinitionSubresources")
def subresources_problems(subresources: object, path: str) -> list[str]:
    """The scale paths: the spec replicas under .spec, the status replicas under .status, a label
    selector (if any) under either."""
    scale = v.as_object(subresources).get("scale")
    if not isinstance(scale, dict):
        return []
    problems = _scale_path_problems(scale.get("specReplicasPath", ""), f"{path}.scale.specReplicasPath",
                                    (".spec.",), ".spec")
    problems += _scale_path_problems(scale.get("statusReplicasPath", ""), f"{path}.scale.statusReplicasPath",
                                     (".status.",), ".status")
    if scale.get("labelSelectorPath"):
        problems += _scale_path_problems(scale["labelSelectorPath"], f"{path}.scale.labelSelectorPath",
                                         (".spec.", ".status."), "either .spec or .status")
    return problems


def _schema_problems(schema: dict, path: str, status_enabled: bool) -> list[str]:
    problems = []
    if status_enabled and schema.get("type", "object") != "object":
        problems.append(v.invalid(f"{path}.type", schema["type"], 'only "object" is allowed as the type at the root '
                                                                  "of the schema if the status subresource is enabled"))
    return problems + crdschema.structural_problems(schema, path)


def _columns_problems(columns: object, path: str) -> list[str]:
    return [problem for i, column in enumerate(v.as_list(columns))
            for problem in column_problems(v.as_object(column), f"{path}[{i}]")]


def _openapi_schema(version: object) -> object:
    return v.as_object(v.as_object(version).get("schema")).get("openAPIV3Schema")


@mirrors("k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1.Convert_v1_CustomResourceDefinitionSpec_To_apiextensions_CustomResourceDefinitionSpec")
def _shared(versions: list, field: str) -> bool:
    """Whether every version has the same `field`: the internal spec then holds it once, at the
    top (spec.validation for the schema), and validation reports it there."""
    return bool(versions) and all(v.semantically_equal(v.as_object(version).get(field),
                                                       v.as_object(versions[0]).get(field)) for version in versions)


@mirrors("k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation.validateDeprecationWarning")
def deprecation_warning_problems(deprecated: bool, warning: object) -> list[str]:
    """A warning only for a deprecated version, not empty, at most 256 bytes, printable (the first
    character that is not, by its byte offset): every request to the version carries it as a header."""
    if warning is None:
        return []
    if not deprecated:
        return ["can only be set for deprecated versions"]
    text = str(warning)
    problems = ["must be <= 256 characters long"] if len(text.encode()) > 256 else []
    if not text:
        problems.append("must not be an empty string")
    for ch_index, ch in enumerate(text):
        if not ch.isprintable():
            offset = len(text[:ch_index].encode())
            problems.append("must only contain printable UTF-8 characters; non-printable character found at "
                            f"index {offset}")
            break
    return problems


@mirrors("k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation.ValidateCustomResourceDefinition",
         "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation.validateCustomResourceDefinitionSpec",
         "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation.validateCustomResourceDefinitionVersion")
def validate_crd(crd: dict, update: bool = False) -> list[str]:
    """The name is <plural>.<group> (on create: an update checks the object meta without the name
    function, and immutable names instead); the group a domain with a dot; scope Cluster or
    Namespaced; the names valid; each version a DNS-1035 name with a structural schema; one storage
    version. A schema or columns every version shares are checked once, at spec.validation and
    spec.additionalPrinterColumns, after the versions."""
    spec, names, metadata = v.as_object(crd.get("spec")), _names(crd), v.as_object(crd.get("metadata"))
    expected = f"{names.get('plural', '')}.{spec.get('group', '')}"
    # ValidateObjectMeta asks the name function of generateName (as a prefix) before the name.
    problems = [] if update else [
        v.invalid(f"metadata.{field}", metadata[field], 'must be spec.names.plural+"."+spec.group')
        for field in ("generateName", "name") if metadata.get(field) and metadata[field] != expected]
    group = spec.get("group", "")
    if not group:
        problems.append(v.required("spec.group"))
    elif v.name_problems(group, "subdomain"):
        problems += v.name_problems(group, "subdomain", "spec.group")
    elif "." not in group:
        problems.append(v.invalid("spec.group", group, "should be a domain with at least one dot"))
    scope = spec.get("scope", "")
    if not scope:
        problems.append(v.required("spec.scope"))
    elif scope not in ("Cluster", "Namespaced"):
        problems.append(v.unsupported("spec.scope", scope, ("Cluster", "Namespaced")))
    versions = v.as_list(spec.get("versions"))
    problems += [v.required(f"spec.versions[{i}].schema.openAPIV3Schema", "schemas are required")
                 for i, version in enumerate(versions) if not isinstance(_openapi_schema(version), dict)]
    shared_schema, shared_columns = _shared(versions, "schema"), _shared(versions, "additionalPrinterColumns")
    shared_subresources = _shared(versions, "subresources")
    for i, version in enumerate(map(v.as_object, versions)):
        path = f"spec.versions[{i}]"
        problems += _dns1035(version.get("name", ""), f"{path}.name")
        warning = version.get("deprecationWarning")
        problems += [v.invalid(f"{path}.deprecationWarning", warning, problem)
                     for problem in deprecation_warning_problems(bool(version.get("deprecated")), warning)]
        schema = _openapi_schema(version)
        if isinstance(schema, dict) and not shared_schema:
            problems += _schema_problems(schema, f"{path}.schema.openAPIV3Schema",
                                         "status" in v.as_object(version.get("subresources")))
        if not shared_subresources:
            problems += subresources_problems(version.get("subresources"), f"{path}.subresources")
        if not shared_columns:
            problems += _columns_problems(version.get("additionalPrinterColumns"), f"{path}.additionalPrinterColumns")
    seen = [v.as_object(version).get("name") for version in versions]
    if len(set(seen)) != len(seen):
        problems.append(f"spec.versions: Invalid value: {_versions_value(versions)}: must contain unique version names")
    if sum(1 for version in versions if v.as_object(version).get("storage")) != 1:
        problems.append(f"spec.versions: Invalid value: {_versions_value(versions, spec.get('versions'))}: "
                        "must have exactly one version marked as storage version")
    # The internal spec.version, conversion's copy of the first version's name, is checked again,
    # its problems joined into one error.
    first = str(v.as_object(versions[0]).get("name", "")) if versions else ""
    details = [problem.split(f"{quote(first)}: ", 1)[1] for problem in _dns1035(first, "spec.version")] if first else []
    if details:
        problems.append(v.invalid("spec.version", first, ",".join(details)))
    for field in ("plural", "singular", "kind", "listKind"):
        if not names.get(field):
            problems.append(v.required(f"spec.names.{field}"))
    problems += names_problems(names, "spec.names")
    schema = _openapi_schema(versions[0]) if versions else None
    if shared_schema and isinstance(schema, dict):
        status_enabled = any("status" in v.as_object(v.as_object(version).get("subresources")) for version in versions)
        problems += _schema_problems(schema, "spec.validation.openAPIV3Schema", status_enabled)
    if shared_subresources:
        problems += subresources_problems(v.as_object(versions[0]).get("subresources"), "spec.subresources")
    if shared_columns:
        problems += _columns_problems(v.as_object(versions[0]).get("additionalPrinterColumns"),
                                      "spec.additionalPrinterColumns")
    conversion = spec.get("conversion")
    if isinstance(conversion, dict) and conversion.get("strategy") != "None" and spec.get("preserveUnknownFields"):
        problems.append(v.invalid("spec.conversion.strategy", conversion.get("strategy", ""),
                                  "must be None if spec.preserveUnknownFields is true"))
    return problems + conversion_problems(conversion, "spec.conversion") + stored_versions_problems(crd)


def _service_swapped(client_config: dict) -> dict:
    """The client config as validateCustomResourceConversion checks it: it gives ValidateWebhookService
    the service's name and namespace in each other's places, so an empty name is reported as the
    namespace and the other way round."""
    service = client_config.get("service")
    if not isinstance(service, dict):
        return client_config
    return {**client_config, "service": {**service, "name": service.get("namespace"),
                                         "namespace": service.get("name")}}


@mirrors("k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation.validateCustomResourceConversion")
def conversion_problems(conversion: object, path: str) -> list[str]:
    """strategy None or Webhook; a webhook's clientConfig and conversionReviewVersions only, and
    always, with Webhook. The paths are the internal type's, where v1's webhook.clientConfig is
    webhookClientConfig and its conversionReviewVersions sit beside the strategy."""
    if not isinstance(conversion, dict):
        return []
    strategy = conversion.get("strategy") or ""
    webhook = v.as_object(conversion.get("webhook"))
    client_config, review_versions = webhook.get("clientConfig"), webhook.get("conversionReviewVersions")
    if not strategy:
        problems = [v.required(f"{path}.strategy")]
    elif strategy not in CONVERSION_STRATEGIES:
        problems = [v.unsupported(f"{path}.strategy", strategy, CONVERSION_STRATEGIES)]
    else:
        problems = []
    if strategy != "Webhook":
        if client_config is not None:
            problems.append(v.forbidden(f"{path}.webhookClientConfig",
                                        "should not be set when strategy is not set to Webhook"))
        if review_versions:
            problems.append(v.forbidden(f"{path}.conversionReviewVersions",
                                        "should not be set when strategy is not set to Webhook"))
        return problems
    if not isinstance(client_config, dict):
        problems.append(v.required(f"{path}.webhookClientConfig", "required when strategy is set to Webhook"))
    else:
        problems += admissionregistration.client_config_problems(_service_swapped(client_config),
                                                                 f"{path}.webhookClientConfig")
    return problems + admissionregistration.review_version_problems(
        v.as_list(review_versions), True, f"{path}.conversionReviewVersions", required_detail="")


@mirrors("k8s.io/apiextensions-apiserver/pkg/apihelpers.IsProtectedCommunityGroup")
def is_protected_community_group(group: str) -> bool:
    return any(group == domain or group.endswith("." + domain) for domain in ("k8s.io", "kubernetes.io"))


@mirrors("k8s.io/apiextensions-apiserver/pkg/apihelpers.GetAPIApprovalState")
def api_approval_state(crd: dict) -> str:
    """"missing", "bypassed" (a reason starting with "unapproved"), "approved" (a URL) or "invalid"."""
    annotation = str(v.as_object(v.as_object(crd.get("metadata")).get("annotations")).get(APPROVAL_ANNOTATION) or "")
    if not annotation:
        return "missing"
    if annotation.startswith("unapproved"):
        return "bypassed"
    url = urllib.parse.urlsplit(annotation)
    if url.scheme and url.netloc and not any(c.isspace() for c in annotation):
        return "approved"
    return "invalid"


@mirrors("k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation.validateAPIApproval")
def api_approval_problems(new: dict, old: dict | None = None) -> list[str]:
    """A CRD in a protected group needs the approval annotation; an update that leaves its state
    as it was is not judged by it."""
    if not is_protected_community_group(str(v.as_object(new.get("spec")).get("group", ""))):
        return []
    state = api_approval_state(new)
    if state in ("approved", "bypassed") or (old is not None and api_approval_state(old) == state):
        return []
    path = f"metadata.annotations[{APPROVAL_ANNOTATION}]"
    if state == "missing":
        return [v.required(path, f'protected groups must have approval annotation "{APPROVAL_ANNOTATION}", '
                                 f"{APPROVAL_PROPOSAL}")]
    annotation = new["metadata"]["annotations"][APPROVAL_ANNOTATION]
    return [v.invalid(path, annotation, f'protected groups must have approval annotation "{APPROVAL_ANNOTATION}" '
                                        f'with either a URL or a reason starting with "unapproved", '
                                        f"{APPROVAL_PROPOSAL}")]


@mirrors("k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation.validatePreserveUnknownFields")
def preserve_unknown_fields_problems(new: dict, old: dict | None = None) -> list[str]:
    """v1 keeps unknown fields by the schema's x-kubernetes-preserve-unknown-fields; a CRD that
    had spec.preserveUnknownFields (from v1beta1) may keep it."""
    if old is not None and v.as_object(old.get("spec")).get("preserveUnknownFields"):
        return []
    if v.as_object(new.get("spec")).get("preserveUnknownFields"):
        return [v.invalid("spec.preserveUnknownFields", True, "cannot set to true, set x-preserve-unknown-fields "
                                                              "to true in spec.versions[*].schema instead")]
    return []


def create_problems(crd: dict) -> list[str]:
    """ValidateCustomResourceDefinition's checks after the spec's."""
    return api_approval_problems(crd) + preserve_unknown_fields_problems(crd)


@mirrors("k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/validation.validateCustomResourceDefinitionSpecUpdate")
def validate_crd_update(old: dict, new: dict) -> list[str]:
    """The group and plural name the stored resources: never changed; scope and kind neither once
    the CRD is established. And the approval of a protected group, as on create."""
    old_spec, new_spec = v.as_object(old.get("spec")), v.as_object(new.get("spec"))
    problems = []
    pairs = [("spec.scope", old_spec.get("scope"), new_spec.get("scope")),
             ("spec.names.kind", _names(old).get("kind"), _names(new).get("kind"))] if established(old) else []
    pairs += [("spec.group", old_spec.get("group"), new_spec.get("group")),
              ("spec.names.plural", _names(old).get("plural"), _names(new).get("plural"))]
    for path, before, after in pairs:
        if before != after:
            problems.append(v.invalid(path, after or "", "field is immutable"))
    return problems + api_approval_problems(new, old) + preserve_unknown_fields_problems(new, old)


def established(crd: dict) -> bool:
    conditions = v.as_list(v.as_object(crd.get("status")).get("conditions"))
    return any(c.get("type") == "Established" and c.get("status") == "True" for c in conditions)


NAME_FIELDS = ("plural", "singular", "shortNames", "kind", "listKind", "categories")


def _claimed_names(group_crds: list[dict]) -> tuple[set[str], set[str]]:
    """The resource names (plural, singular, short names) and kinds the group's CRDs have been accepted with."""
    resources, kinds = set(), set()
    for other in group_crds:
        accepted = v.as_object(v.as_object(other.get("status")).get("acceptedNames"))
        resources |= {accepted.get("plural", ""), accepted.get("singular", ""), *v.as_list(accepted.get("shortNames"))}
        kinds |= {accepted.get("kind", ""), accepted.get("listKind", "")}
    return resources, kinds


@mirrors("(*k8s.io/apiextensions-apiserver/pkg/controller/status.NamingConditionController).calculateNamesAndConditions")
def calculate_names(crd: dict, group_crds: list[dict]) -> tuple[dict, tuple[str, str] | None]:
    """The names `crd` is accepted with, each requested one that is its own already or that no CRD
    of its group (`group_crds`, as stored) holds; and the last conflict's (reason, message), if any."""
    resources, kinds = _claimed_names(group_crds)
    requested = _names(crd)
    accepted = dict(v.as_object(v.as_object(crd.get("status")).get("acceptedNames")))
    names, conflict = dict(accepted), None
    for field, used, reason in (("plural", resources, "PluralConflict"), ("singular", resources, "SingularConflict"),
                                ("shortNames", resources, "ShortNamesConflict"), ("kind", kinds, "KindConflict"),
                                ("listKind", kinds, "ListKindConflict")):
        wanted = requested.get(field) or ([] if field == "shortNames" else "")
        if field == "shortNames":
            own = set(v.as_list(accepted.get("shortNames")))
            taken = [name for name in wanted if name not in own and name in used]
        else:
            taken = [wanted] if wanted != accepted.get(field, "") and wanted in used else []
        if taken:
            errors = [f'"{name}" is already in use' for name in taken]
            conflict = (reason, errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]")
        else:
            names[field] = wanted
    names["categories"] = requested.get("categories")
    return {k: names[k] for k in NAME_FIELDS if names.get(k)}, conflict


def _set_condition(status: dict, condition: dict) -> None:
    """SetCRDCondition: replace the condition of its type, keeping its lastTransitionTime while its
    status stays; else add it."""
    conditions = status.setdefault("conditions", [])
    for i, existing in enumerate(conditions):
        if existing.get("type") == condition["type"]:
            if existing.get("status") == condition["status"]:
                condition["lastTransitionTime"] = existing.get("lastTransitionTime")
            conditions[i] = condition
            return
    conditions.append(condition)


@mirrors("(*k8s.io/apiextensions-apiserver/pkg/controller/status.NamingConditionController).sync",
         "(*k8s.io/apiextensions-apiserver/pkg/controller/establish.EstablishingController).sync")
def accept_names(crd: dict, group_crds: list[dict], now: str) -> None:
    """What the naming and establishing controllers make of a written CRD, at once: its accepted
    names and NamesAccepted; established once all its names are accepted, and from then on."""
    status = crd.setdefault("status", {})
    status["acceptedNames"], conflict = calculate_names(crd, group_crds)
    reason, message = conflict or ("NoConflicts", "no conflicts found")
    _set_condition(status, {"type": "NamesAccepted", "status": "False" if conflict else "True",
                            "lastTransitionTime": now, "reason": reason, "message": message})
    if established(crd):
        return
    _set_condition(status, {"type": "Established", "status": "False", "lastTransitionTime": now,
                            "reason": "NotAccepted", "message": "not all names are accepted"} if conflict else
                   {"type": "Established", "status": "True", "lastTransitionTime": now,
                    "reason": "InitialNamesAccepted", "message": "the initial names have been accepted"})


_SCHEMA_LISTS = ("allOf", "anyOf", "oneOf")
_SCHEMA_MAPS = ("properties", "patternProperties", "definitions", "dependencies")


def _subschemas(schema: dict) -> list[dict]:
    """The schemas directly inside `schema`, wherever JSONSchemaProps nests one."""
    found = [schema.get(key) for key in ("items", "additionalProperties", "additionalItems", "not")]
    found += [item for key in _SCHEMA_LISTS for item in v.as_list(schema.get(key))]
    found += v.as_list(schema.get("items"))
    found += [child for key in _SCHEMA_MAPS for child in v.as_object(schema.get(key)).values()]
    return [child for child in found if isinstance(child, dict)]


def _has_x_validations(schema: dict) -> bool:
    return "x-kubernetes-validations" in schema or any(_has_x_validations(c) for c in _subschemas(schema))


@mirrors("k8s.io/apiextensions-apiserver/pkg/registry/customresourcedefinition.dropXValidationsField")
def _drop_x_validations(schema: object) -> None:
    """Only where upstream looks: properties, items, additionalProperties and dependencies."""
    if not isinstance(schema, dict):
        return
    schema.pop("x-kubernetes-validations", None)
    children = [schema.get("additionalProperties"), schema.get("items"), *v.as_list(schema.get("items"))]
    children += [*v.as_object(schema.get("properties")).values(), *v.as_object(schema.get("dependencies")).values()]
    for child in children:
        _drop_x_validations(child)


def _version_schemas(crd: dict) -> list[dict]:
    return [schema for version in v.as_list(v.as_object(crd.get("spec")).get("versions"))
            if isinstance(schema := v.as_object(v.as_object(version).get("schema")).get("openAPIV3Schema"), dict)]


@mirrors("k8s.io/apiextensions-apiserver/pkg/registry/customresourcedefinition.dropDisabledFields")
def drop_disabled_fields(new: dict, old: dict | None = None) -> None:
    """CustomResourceValidationExpressions is off in 1.24: the CEL rules are dropped unless the
    stored CRD has some."""
    if old is None or not any(_has_x_validations(schema) for schema in _version_schemas(old)):
        for schema in _version_schemas(new):
            _drop_x_validations(schema)


@mirrors("(k8s.io/apiextensions-apiserver/pkg/registry/customresourcedefinition.strategy).PrepareForCreate")
def prepare_for_create(crd: dict, user: object = None) -> None:
    """A new CRD's status: its storage version stored (`accept_names` adds names and conditions)."""
    crd["status"] = {"storedVersions": [storage_version(crd)] if storage_version(crd) else []}
    drop_disabled_fields(crd)


@mirrors("(k8s.io/apiextensions-apiserver/pkg/registry/customresourcedefinition.strategy).PrepareForUpdate")
def prepare_for_update(new: dict, old: dict) -> None:
    """The status stays the server's; a new storage version joins storedVersions."""
    drop_disabled_fields(new, old)
    status = new["status"] = dict(v.as_object(old.get("status")))
    stored = list(v.as_list(status.get("storedVersions")))
    if storage_version(new) and storage_version(new) not in stored:
        stored.append(storage_version(new))
    status["storedVersions"] = stored


# An empty CustomResourceDefinition as Go writes it: the names' plural and kind and the spec's and
# status's lists have no omitempty.
ZERO_NAMES = {"plural": "", "kind": ""}
ZERO_CRD = {"spec": {"group": "", "names": ZERO_NAMES, "scope": "", "versions": None},
            "status": {"conditions": None, "acceptedNames": ZERO_NAMES, "storedVersions": None}}

CRD = Resource(GROUP, "v1", "CustomResourceDefinition", "customresourcedefinitions", "customresourcedefinition",
               False, ("crd", "crds"), subresources=("status",), categories=("api-extensions",),
               storage_prefix=f"{GROUP}/customresourcedefinitions", tracks_generation=True,
               allow_unconditional_update=False, return_deleted_object=True, validator=validate_crd,
               validator_on_update=lambda old, new: validate_crd(new, update=True), create_validator=create_problems,
               update_validator=validate_crd_update, kube_finalizers=False,
               prepare_for_create=prepare_for_create, prepare_for_update=prepare_for_update,
               zero_value=ZERO_CRD)
RESOURCES = (CRD,)

DEFAULTS = {"CustomResourceDefinition": set_defaults}

DEFINITIONS = {
    APIEXTENSIONS + "CustomResourceDefinition": kind(
        GROUP, "v1", "CustomResourceDefinition", "A resource to serve under the API server's /apis.", ("spec",),
        spec=ref(APIEXTENSIONS + "CustomResourceDefinitionSpec", "The resource's group, names, scope and versions."),
        status=ref(APIEXTENSIONS + "CustomResourceDefinitionStatus", "What the server made of the definition.")),
    APIEXTENSIONS + "CustomResourceDefinitionSpec": obj(
        "The resource a CustomResourceDefinition defines.", ("group", "names", "scope", "versions"),
        conversion=ref(APIEXTENSIONS + "CustomResourceConversion", "How objects convert between versions."),
        group=string("The API group, /apis/<group>/..."),
        names=ref(APIEXTENSIONS + "CustomResourceDefinitionNames", "The resource's names."),
        preserveUnknownFields=boolean("Keep fields the schema does not specify (v1beta1 only)."),
        scope=string("Cluster or Namespaced."),
        versions=arr(ref(APIEXTENSIONS + "CustomResourceDefinitionVersion"), "The served versions.")),
    APIEXTENSIONS + "CustomResourceDefinitionNames": obj(
        "The names a resource is served and printed under.", ("plural", "kind"),
        categories=strings("Groups of resources it belongs to (`kubectl get all`)."),
        kind=string("The CamelCase kind of its objects."),
        listKind=string("The kind of its lists."),
        plural=string("The name in URLs."),
        shortNames=strings("Short names for kubectl."),
        singular=string("The singular name.")),
    APIEXTENSIONS + "CustomResourceDefinitionVersion": obj(
        "One version of the resource.", ("name", "served", "storage"),
        additionalPrinterColumns=arr(ref(APIEXTENSIONS + "CustomResourceColumnDefinition"),
                                     "Columns `kubectl get` shows."),
        deprecated=boolean("Whether the version is deprecated."),
        deprecationWarning=string("The warning for requests to a deprecated version."),
        name=string("The version's name, as in /apis/<group>/<version>."),
        schema=ref(APIEXTENSIONS + "CustomResourceValidation",
                   "The openAPIV3Schema objects of this version are validated, pruned and defaulted by."),
        served=boolean("Whether the version is served."),
        storage=boolean("Whether objects are stored in this version."),
        subresources=ref(APIEXTENSIONS + "CustomResourceSubresources", "The status and scale subresources.")),
    APIEXTENSIONS + "CustomResourceDefinitionStatus": obj(
        "What the server made of the definition.",
        acceptedNames=ref(APIEXTENSIONS + "CustomResourceDefinitionNames", "The names actually served."),
        conditions=arr(ref(APIEXTENSIONS + "CustomResourceDefinitionCondition"), "NamesAccepted, Established, ...",
                       map_keys=("type",)),
        storedVersions=strings("Every version objects have been stored in.")),
    APIEXTENSIONS + "CustomResourceValidation": obj(
        "The schema of a version's objects.",
        openAPIV3Schema=ref(APIEXTENSIONS + "JSONSchemaProps", "An OpenAPI v3 schema, structural in v1.")),
    APIEXTENSIONS + "JSONSchemaProps": obj(
        "A JSON Schema (draft 4) with the OpenAPI v3 and Kubernetes extensions a CRD may use.",
        **{"$ref": string("A reference to another schema; not allowed in a CRD."),
           "$schema": string("The JSON Schema dialect."),
           "x-kubernetes-embedded-resource": boolean("The value is an object with apiVersion, kind and metadata."),
           "x-kubernetes-int-or-string": boolean("The value is an integer or a string."),
           "x-kubernetes-list-map-keys": strings("The keys of an associative (map) list."),
           "x-kubernetes-list-type": string("atomic, set or map: how server-side apply merges the list."),
           "x-kubernetes-map-type": string("granular or atomic: how server-side apply merges the object."),
           "x-kubernetes-preserve-unknown-fields": boolean("Keep fields the schema does not specify."),
           "x-kubernetes-validations": arr(ref(APIEXTENSIONS + "ValidationRule"), "CEL rules the value must pass.",
                                           merge_key="rule", map_keys=("rule",))},
        additionalItems=ref(APIEXTENSIONS + "JSONSchemaPropsOrBool",
                            "Whether, or with which schema, items past `items` are allowed."),
        additionalProperties=ref(APIEXTENSIONS + "JSONSchemaPropsOrBool",
                                 "Whether, or with which schema, properties not listed are allowed."),
        allOf=arr(ref(APIEXTENSIONS + "JSONSchemaProps"), "Schemas the value must all match."),
        anyOf=arr(ref(APIEXTENSIONS + "JSONSchemaProps"), "Schemas the value must match one or more of."),
        default=ref(APIEXTENSIONS + "JSON", "The value an absent field is defaulted to."),
        definitions={"type": "object", "additionalProperties": ref(APIEXTENSIONS + "JSONSchemaProps"),
                     "description": "Named schemas to refer to; not allowed in a CRD."},
        dependencies={"type": "object", "additionalProperties": ref(APIEXTENSIONS + "JSONSchemaPropsOrStringArray"),
                      "description": "Per property, the schema or the other properties its presence requires."},
        description=string("What the value is."),
        enum=arr(ref(APIEXTENSIONS + "JSON"), "The values allowed."),
        example=ref(APIEXTENSIONS + "JSON", "An example value."),
        exclusiveMaximum=boolean("Whether maximum itself is excluded."),
        exclusiveMinimum=boolean("Whether minimum itself is excluded."),
        externalDocs=ref(APIEXTENSIONS + "ExternalDocumentation", "Where more documentation is."),
        format=string("The format of a string or number, e.g. date-time, int32."),
        id=string("The schema's id."),
        items=ref(APIEXTENSIONS + "JSONSchemaPropsOrArray", "The schema of an array's items."),
        maxItems=integer("Most items of an array.", "int64"),
        maxLength=integer("Longest string.", "int64"),
        maxProperties=integer("Most properties of an object.", "int64"),
        maximum={"type": "number", "format": "double", "description": "Largest number."},
        minItems=integer("Fewest items of an array.", "int64"),
        minLength=integer("Shortest string.", "int64"),
        minProperties=integer("Fewest properties of an object.", "int64"),
        minimum={"type": "number", "format": "double", "description": "Smallest number."},
        multipleOf={"type": "number", "format": "double", "description": "What a number must be a multiple of."},
        nullable=boolean("Whether null is allowed (and kept)."),
        oneOf=arr(ref(APIEXTENSIONS + "JSONSchemaProps"), "Schemas the value must match exactly one of."),
        pattern=string("Regular expression a string must match."),
        patternProperties={"type": "object", "additionalProperties": ref(APIEXTENSIONS + "JSONSchemaProps"),
                           "description": "Schemas of the properties whose names match each pattern."},
        properties={"type": "object", "additionalProperties": ref(APIEXTENSIONS + "JSONSchemaProps"),
                    "description": "The schema of each property of an object."},
        required=strings("Properties an object must have."),
        title=string("A title."),
        type=string("object, array, string, integer, number or boolean."),
        uniqueItems=boolean("Whether an array's items must be unique; not allowed in a CRD."),
        **{"not": ref(APIEXTENSIONS + "JSONSchemaProps", "A schema the value must not match.")}),
    # Types that decode themselves from more than one JSON form, untyped in the OpenAPI document too.
    APIEXTENSIONS + "JSON": raw("Any JSON value."),
    APIEXTENSIONS + "JSONSchemaPropsOrArray": raw("A schema, or a list of schemas."),
    APIEXTENSIONS + "JSONSchemaPropsOrBool": raw("A schema, or a boolean."),
    APIEXTENSIONS + "JSONSchemaPropsOrStringArray": raw("A schema, or a list of property names."),
    APIEXTENSIONS + "ExternalDocumentation": obj(
        "Where more documentation of a schema is.",
        description=string("What the documentation is."),
        url=string("The documentation's URL.")),
    APIEXTENSIONS + "ValidationRule": obj(
        "A CEL rule a value must pass.", ("rule",),
        message=string("The message when the rule fails."),
        rule=string("The CEL expression.")),
    APIEXTENSIONS + "CustomResourceConversion": obj(
        "How objects of a resource convert between its versions.", ("strategy",),
        strategy=string("None (only apiVersion changes) or Webhook."),
        webhook=ref(APIEXTENSIONS + "WebhookConversion", "The webhook to call, for the Webhook strategy.")),
    APIEXTENSIONS + "WebhookConversion": obj(
        "A conversion webhook.", ("conversionReviewVersions",),
        clientConfig=ref(APIEXTENSIONS + "WebhookClientConfig", "How to reach the webhook."),
        conversionReviewVersions=strings("ConversionReview versions the webhook understands, preferred first.")),
    APIEXTENSIONS + "WebhookClientConfig": obj(
        "How to reach a webhook: a URL or an in-cluster service.",
        caBundle=string("PEM CA bundle to verify the webhook's serving certificate with.", format="byte"),
        service=ref(APIEXTENSIONS + "ServiceReference", "The service the webhook runs behind."),
        url=string("The webhook's https URL.")),
    APIEXTENSIONS + "ServiceReference": obj(
        "A service a webhook runs behind.", ("namespace", "name"),
        name=string("Name of the service."),
        namespace=string("Namespace of the service."),
        path=string("URL path requests are sent to."),
        port=integer("Port of the service; defaults to 443.")),
    APIEXTENSIONS + "CustomResourceColumnDefinition": obj(
        "A column `kubectl get` shows for the resource.", ("name", "type", "jsonPath"),
        description=string("What the column shows."),
        format=string("OpenAPI format of the values, e.g. date-time."),
        jsonPath=string("JSONPath, in each object, of the value shown."),
        name=string("The column's header."),
        priority=integer("0 for the default view, more for wide views only."),
        type=string("OpenAPI type of the values: integer, number, string, boolean or date.")),
    APIEXTENSIONS + "CustomResourceSubresources": obj(
        "The subresources a resource serves.",
        scale=ref(APIEXTENSIONS + "CustomResourceSubresourceScale", "Serve /scale, an autoscaling/v1 Scale."),
        status=ref(APIEXTENSIONS + "CustomResourceSubresourceStatus", "Serve /status.")),
    APIEXTENSIONS + "CustomResourceSubresourceStatus": obj(
        "The /status subresource; it has no settings."),
    APIEXTENSIONS + "CustomResourceSubresourceScale": obj(
        "Where the /scale subresource reads and writes replicas.", ("specReplicasPath", "statusReplicasPath"),
        labelSelectorPath=string("JSON path of the selector in the object, for Scale's status.selector."),
        specReplicasPath=string("JSON path of the desired replicas, under .spec."),
        statusReplicasPath=string("JSON path of the observed replicas, under .status.")),
    APIEXTENSIONS + "CustomResourceDefinitionCondition": obj(
        "One condition of a CustomResourceDefinition.", ("type", "status"),
        lastTransitionTime=ref(META + "Time", "When the condition last changed status."),
        message=string("Human-readable details."),
        reason=string("Machine-readable reason, in CamelCase."),
        status=string("True, False or Unknown."),
        type=string("Established, NamesAccepted, NonStructuralSchema, Terminating or "
                    "KubernetesAPIApprovalPolicyConformant.")),
    APIEXTENSIONS + "CustomResourceDefinitionList": list_kind(GROUP, "v1", APIEXTENSIONS + "CustomResourceDefinition"),
}


GO_TYPES = {
    APIEXTENSIONS + "CustomResourceDefinitionSpec": {"conversion": "*v1.CustomResourceConversion",
                                                     "scope": "v1.ResourceScope"},
    APIEXTENSIONS + "CustomResourceDefinitionVersion": {"schema": "*v1.CustomResourceValidation",
                                                        "subresources": "*v1.CustomResourceSubresources"},
    APIEXTENSIONS + "CustomResourceConversion": {"strategy": "v1.ConversionStrategyType",
                                                 "webhook": "*v1.WebhookConversion"},
    APIEXTENSIONS + "WebhookConversion": {"clientConfig": "*v1.WebhookClientConfig"},
    APIEXTENSIONS + "WebhookClientConfig": {"service": "*v1.ServiceReference"},
    APIEXTENSIONS + "CustomResourceSubresources": {"scale": "*v1.CustomResourceSubresourceScale",
                                                   "status": "*v1.CustomResourceSubresourceStatus"},
    APIEXTENSIONS + "CustomResourceDefinitionCondition": {"status": "v1.ConditionStatus",
                                                          "type": "v1.CustomResourceDefinitionConditionType"},
}

# The fields of the v1 structs (types.go, types_jsonschema.go) that are no pointer, map, slice or
# interface: encoding/json leaves such a field as it was when a null is decoded into it, so
# `"scope": "Namespaced", "scope": null` keeps Namespaced. apiextensions has no protobuf layout
# here to tell (fieldvalidation reads these instead); `maxLength` (*int64) is cleared by a null.
NO_POINTER_FIELDS = {
    APIEXTENSIONS + "CustomResourceDefinition": frozenset(("metadata", "spec", "status")),
    APIEXTENSIONS + "CustomResourceDefinitionSpec": frozenset(("group", "names", "scope", "preserveUnknownFields")),
    APIEXTENSIONS + "CustomResourceDefinitionNames": frozenset(("plural", "singular", "kind", "listKind")),
    APIEXTENSIONS + "CustomResourceDefinitionVersion": frozenset(("name", "served", "storage", "deprecated")),
    APIEXTENSIONS + "CustomResourceColumnDefinition": frozenset(("name", "type", "format", "description",
                                                                 "priority", "jsonPath")),
    APIEXTENSIONS + "CustomResourceConversion": frozenset(("strategy",)),
    APIEXTENSIONS + "ServiceReference": frozenset(("namespace", "name")),
    APIEXTENSIONS + "CustomResourceSubresourceScale": frozenset(("specReplicasPath", "statusReplicasPath")),
    APIEXTENSIONS + "CustomResourceDefinitionStatus": frozenset(("acceptedNames",)),
    APIEXTENSIONS + "CustomResourceDefinitionCondition": frozenset(("type", "status", "lastTransitionTime",
                                                                    "reason", "message")),
    APIEXTENSIONS + "JSONSchemaProps": frozenset((
        "id", "$schema", "description", "type", "format", "title", "exclusiveMaximum", "exclusiveMinimum",
        "pattern", "uniqueItems", "nullable", "x-kubernetes-embedded-resource", "x-kubernetes-int-or-string")),
    APIEXTENSIONS + "ExternalDocumentation": frozenset(("description", "url")),
    APIEXTENSIONS + "ValidationRule": frozenset(("rule", "message")),
}


# The JSON names of the v1 structs' fields in the Go struct's order (types.go, types_jsonschema.go),
# which encoding/json writes them in; TypeMeta is inline at the top of the kind.
FIELD_ORDER = {
    "CustomResourceDefinition": ("kind", "apiVersion", "metadata", "spec", "status"),
    "CustomResourceDefinitionSpec": ("group", "names", "scope", "versions", "conversion", "preserveUnknownFields"),
    "CustomResourceConversion": ("strategy", "webhook"),
    "WebhookConversion": ("clientConfig", "conversionReviewVersions"),
    "WebhookClientConfig": ("url", "service", "caBundle"),
    "ServiceReference": ("namespace", "name", "path", "port"),
    "CustomResourceDefinitionVersion": ("name", "served", "storage", "deprecated", "deprecationWarning", "schema",
                                        "subresources", "additionalPrinterColumns"),
    "CustomResourceColumnDefinition": ("name", "type", "format", "description", "priority", "jsonPath"),
    "CustomResourceDefinitionNames": ("plural", "singular", "shortNames", "kind", "listKind", "categories"),
    "CustomResourceDefinitionCondition": ("type", "status", "lastTransitionTime", "reason", "message"),
    "CustomResourceDefinitionStatus": ("conditions", "acceptedNames", "storedVersions"),
    "CustomResourceValidation": ("openAPIV3Schema",),
    "CustomResourceSubresources": ("status", "scale"),
    "CustomResourceSubresourceStatus": (),
    "CustomResourceSubresourceScale": ("specReplicasPath", "statusReplicasPath", "labelSelectorPath"),
    "JSONSchemaProps": (
        "id", "$schema", "$ref", "description", "type", "format", "title", "default", "maximum", "exclusiveMaximum",
        "minimum", "exclusiveMinimum", "maxLength", "minLength", "pattern", "maxItems", "minItems", "uniqueItems",
        "multipleOf", "enum", "maxProperties", "minProperties", "required", "items", "allOf", "oneOf", "anyOf", "not",
        "properties", "additionalProperties", "patternProperties", "dependencies", "additionalItems", "definitions",
        "externalDocs", "example", "nullable", "x-kubernetes-preserve-unknown-fields",
        "x-kubernetes-embedded-resource", "x-kubernetes-int-or-string", "x-kubernetes-list-map-keys",
        "x-kubernetes-list-type", "x-kubernetes-map-type", "x-kubernetes-validations"),
    "ValidationRule": ("rule", "message"),
    "ExternalDocumentation": ("description", "url"),
}
# The `omitempty` fields of the v1 structs (types.go, types_jsonschema.go) that are no pointer:
# encoding/json leaves them out when they hold their zero value (false, 0, "", an empty list or map).
OMITEMPTY_VALUES = {
    "CustomResourceDefinitionSpec": frozenset(("preserveUnknownFields",)),
    "WebhookClientConfig": frozenset(("caBundle",)),
    "CustomResourceDefinitionVersion": frozenset(("deprecated", "additionalPrinterColumns")),
    "CustomResourceColumnDefinition": frozenset(("format", "description", "priority")),
    "CustomResourceDefinitionNames": frozenset(("singular", "shortNames", "listKind", "categories")),
    "CustomResourceDefinitionCondition": frozenset(("reason", "message")),
    "JSONSchemaProps": frozenset((
        "id", "$schema", "description", "type", "format", "title", "exclusiveMaximum", "exclusiveMinimum",
        "pattern", "uniqueItems", "enum", "required", "allOf", "oneOf", "anyOf", "properties", "patternProperties",
        "dependencies", "definitions", "nullable", "x-kubernetes-embedded-resource", "x-kubernetes-int-or-string",
        "x-kubernetes-list-map-keys", "x-kubernetes-validations")),
    "ValidationRule": frozenset(("message",)),
    "ExternalDocumentation": frozenset(("description", "url")),
}
# The `omitempty` pointer fields: left out only when nil, so `"x-kubernetes-preserve-unknown-fields":
# false`, `"maxLength": 0` and `"default": {}` are written back.
OMITEMPTY_POINTERS = {
    "CustomResourceDefinitionSpec": frozenset(("conversion",)),
    "CustomResourceConversion": frozenset(("webhook",)),
    "WebhookConversion": frozenset(("clientConfig",)),
    "WebhookClientConfig": frozenset(("url", "service")),
    "ServiceReference": frozenset(("path", "port")),
    "CustomResourceDefinitionVersion": frozenset(("deprecationWarning", "schema", "subresources")),
    "CustomResourceValidation": frozenset(("openAPIV3Schema",)),
    "CustomResourceSubresources": frozenset(("status", "scale")),
    "CustomResourceSubresourceScale": frozenset(("labelSelectorPath",)),
    "JSONSchemaProps": frozenset((
        "$ref", "default", "maximum", "minimum", "maxLength", "minLength", "maxItems", "minItems", "multipleOf",
        "maxProperties", "minProperties", "items", "not", "additionalProperties", "additionalItems", "externalDocs",
        "example", "x-kubernetes-preserve-unknown-fields", "x-kubernetes-list-type", "x-kubernetes-map-type")),
}
# Types with their own MarshalJSON: a schema when they hold one, else a list or a boolean as it is.
_SCHEMA_OR_VALUE = ("JSONSchemaPropsOrArray", "JSONSchemaPropsOrBool", "JSONSchemaPropsOrStringArray")


@mirrors("encoding/json.Marshal")
def in_struct_order(crd: dict, json_value: Callable[[object], object]) -> dict:
    """`crd` as encoding/json writes a v1.CustomResourceDefinition: each struct's fields in the Go
    struct's order, each map's keys sorted, a v1.JSON value (a default, an example) as `json_value`
    writes the internal type's interface{} again. The metadata is the caller's to encode (an
    ObjectMeta, as every kind's)."""
    return _ordered(crd, "CustomResourceDefinition", json_value)


def _ordered(value: object, definition: str, json_value: Callable[[object], object]) -> object:
    """`value` of the apiextensions `definition` in encoding/json's order; what the definition does
    not describe as it is."""
    if definition in _SCHEMA_OR_VALUE:
        if isinstance(value, list):
            return [_ordered(item, "JSONSchemaProps", json_value) for item in value]
        return _ordered(value, "JSONSchemaProps", json_value)
    if definition not in FIELD_ORDER or not isinstance(value, dict):
        return value
    properties = DEFINITIONS[APIEXTENSIONS + definition].get("properties", {})
    ordered = {name: _ordered_field(value[name], properties.get(name, {}), json_value)
               for name in FIELD_ORDER[definition] if name in value and not _omitted(definition, name, value[name])}
    ordered.update((name, item) for name, item in value.items() if name not in FIELD_ORDER[definition])
    return ordered


def _omitted(definition: str, name: str, value: object) -> bool:
    """Whether encoding/json leaves the field out: an omitempty field holding its zero value."""
    if name in OMITEMPTY_POINTERS.get(definition, ()):
        return value is None
    return name in OMITEMPTY_VALUES.get(definition, ()) and not value


def _ordered_field(value: object, schema: dict, json_value: Callable[[object], object]) -> object:
    """A field's value by its schema: a struct, a list of them or a map of them (keys sorted)."""
    named = [name.removeprefix(APIEXTENSIONS) for name in references(schema) if name.startswith(APIEXTENSIONS)]
    if not named:
        return value
    if schema.get("type") == "array" and isinstance(value, list):
        return [_ordered_field(item, schema["items"], json_value) for item in value]
    if schema.get("type") == "object" and "additionalProperties" in schema and isinstance(value, dict):
        return {key: _ordered(item, named[0], json_value) for key, item in sorted(value.items())}
    return json_value(value) if named[0] == "JSON" else _ordered(value, named[0], json_value)
