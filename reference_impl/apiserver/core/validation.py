"""Validation of the served kinds, with the field paths and messages of k8s.io/kubernetes/pkg/apis/*/validation.

Each validator takes an object dict and returns `field: Type: detail` strings (the text of a
field.Error), empty when the object is valid; `errors.invalid` turns them into a 422. Only the
rules clients trip over in practice are checked: names, required fields, ports, selectors.
"""
from __future__ import annotations

import re

from reference_impl.apiserver.core.selectors import (DNS_SUBDOMAIN, from_label_selector_dict,
                                                label_key_problem, label_value_problem)
from reference_impl.mirrors import mirrors

LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")

SUBDOMAIN_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, "
                 "'-' or '.', and must start and end with an alphanumeric character (e.g. "
                 "'example.com', regex used for validation is "
                 r"'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
LABEL_MSG = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', "
             "and must start and end with an alphanumeric character (e.g. 'my-name',  or "
             "'123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
DNS1035_MSG = ("a DNS-1035 label must consist of lower case alphanumeric characters or '-', start "
               "with an alphabetic character, and end with an alphanumeric character (e.g. "
               "'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')")
CONFIG_KEY_MSG = ("a valid config key must consist of alphanumeric characters, '-', '_' or '.' "
                  "(e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is "
                  "'[-._a-zA-Z0-9]+')")


def required(path: str) -> str:
    return f"{path}: Required value"


def invalid(path: str, value: object, detail: str) -> str:
    shown = f'"{value}"' if isinstance(value, str) else go_value(value)
    return f"{path}: Invalid value: {shown}: {detail}"


def unsupported(path: str, value: object, supported: tuple[str, ...]) -> str:
    choices = ", ".join(f'"{s}"' for s in supported)
    return f'{path}: Unsupported value: "{value}": supported values: {choices}'


def go_value(value: object) -> str:
    """How Go's %#v prints the few value types errors show (ints, string maps, string slices)."""
    if isinstance(value, dict):
        return "map[string]string{" + ", ".join(f'"{k}":"{v}"' for k, v in sorted(value.items())) + "}"
    if isinstance(value, list):
        return "[]string{" + ", ".join(f'"{v}"' for v in value) + "}"
    return str(value)


@mirrors("k8s.io/apimachinery/pkg/util/validation.IsDNS1123Subdomain",
         "k8s.io/apimachinery/pkg/util/validation.IsDNS1123Label")
def name_problems(name: str, rule: str, path: str = "metadata.name") -> list[str]:
    """Errors for `name` under `rule`: "subdomain", "label" (RFC 1123), "dns1035" or "path"."""
    if rule == "path":
        for bad in (".", ".."):
            if name == bad:
                return [invalid(path, name, f"may not be '{bad}'")]
        return [invalid(path, name, f"may not contain '{c}'") for c in "/%" if c in name]
    pattern, message, limit = {"subdomain": (DNS_SUBDOMAIN, SUBDOMAIN_MSG, 253),
                               "label": (LABEL, LABEL_MSG, 63),
                               "dns1035": (DNS1035, DNS1035_MSG, 63)}[rule]
    problems = []
    if len(name) > limit:
        problems.append(invalid(path, name, f"must be no more than {limit} characters"))
    if not pattern.match(name):
        problems.append(invalid(path, name, message))
    return problems


def metadata_problems(obj: dict, rule: str) -> list[str]:
    """ValidateObjectMeta: a valid name, and valid label and annotation keys and values."""
    meta = obj.get("metadata") or {}
    problems = []
    if not meta.get("name"):
        if not meta.get("generateName"):
            problems.append("metadata.name: Required value: name or generateName is required")
    else:
        problems += name_problems(meta["name"], rule)
    for key, value in (meta.get("labels") or {}).items():
        if label_key_problem(key):
            problems.append(invalid("metadata.labels", key, label_key_problem(key)))
        elif not isinstance(value, str) or label_value_problem(value):
            problems.append(invalid("metadata.labels", value, label_value_problem(str(value)) or ""))
    for key in meta.get("annotations") or {}:
        if label_key_problem(key):
            problems.append(invalid("metadata.annotations", key, label_key_problem(key)))
    return problems


def _containers(containers: object, path: str, seen: set[str]) -> list[str]:
    problems = []
    for i, container in enumerate(containers if isinstance(containers, list) else []):
        here = f"{path}[{i}]"
        name = container.get("name") if isinstance(container, dict) else None
        if not name:
            problems.append(required(f"{here}.name"))
        elif name in seen:
            problems.append(f'{here}.name: Duplicate value: "{name}"')
        else:
            problems += name_problems(name, "label", f"{here}.name")
            seen.add(name)
        if not (container or {}).get("image"):
            problems.append(required(f"{here}.image"))
        for j, port in enumerate((container or {}).get("ports") or []):
            number = port.get("containerPort", 0)
            if not isinstance(number, int) or not 1 <= number <= 65535:
                problems.append(invalid(f"{here}.ports[{j}].containerPort", number,
                                        "must be between 1 and 65535, inclusive"))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidatePodSpec")
def pod_spec_problems(spec: object, path: str, restart_policies=("Always", "OnFailure", "Never")) -> list[str]:
    """ValidatePodSpec: named containers with images (unique names), a known restart policy."""
    spec = spec if isinstance(spec, dict) else {}
    if not spec.get("containers"):
        return [required(f"{path}.containers")]
    seen: set[str] = set()
    problems = _containers(spec["containers"], f"{path}.containers", seen)
    problems += _containers(spec.get("initContainers") or [], f"{path}.initContainers", seen)
    policy = spec.get("restartPolicy", restart_policies[0])
    if policy not in restart_policies:
        problems.append(unsupported(f"{path}.restartPolicy", policy, restart_policies))
    return problems


def validate_pod(obj: dict) -> list[str]:
    return pod_spec_problems(obj.get("spec"), "spec")


def _selected_template(spec: dict, noun: str, restart_policies: tuple[str, ...],
                       path: str = "spec") -> list[str]:
    """A non-empty label selector that matches the pod template's labels, and a valid template."""
    problems = []
    replicas = spec.get("replicas", 1)
    if not isinstance(replicas, int) or replicas < 0:
        problems.append(invalid(f"{path}.replicas", replicas, "must be greater than or equal to 0"))
    template = spec.get("template") or {}
    labels = (template.get("metadata") or {}).get("labels") or {}
    selector = spec.get("selector")
    if selector is None:
        problems.append(required(f"{path}.selector"))
    elif not isinstance(selector, dict) or not (selector.get("matchLabels") or selector.get("matchExpressions")):
        problems.append(f"{path}.selector: Invalid value: v1.LabelSelector{{MatchLabels:map[string]string(nil), "
                        "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is "
                        f"invalid for {noun}")
    elif not from_label_selector_dict(selector).matches(labels):
        problems.append(invalid(f"{path}.template.metadata.labels", labels,
                                "`selector` does not match template `labels`"))
    return problems + pod_spec_problems(template.get("spec"), f"{path}.template.spec", restart_policies)


def validate_workload(obj: dict) -> list[str]:
    """Deployments and ReplicaSets (whose message says deployment too, as upstream's does)."""
    return _selected_template(obj.get("spec") or {}, "deployment", ("Always",))


@mirrors("k8s.io/kubernetes/pkg/apis/apps/validation.ValidateDaemonSetSpec")
def validate_daemon_set(obj: dict) -> list[str]:
    return _selected_template(obj.get("spec") or {}, "daemonset", ("Always",))


@mirrors("k8s.io/kubernetes/pkg/apis/apps/validation.ValidateStatefulSetSpec")
def validate_stateful_set(obj: dict) -> list[str]:
    spec = obj.get("spec") or {}
    problems = _selected_template(spec, "statefulset", ("Always",))
    policy = spec.get("podManagementPolicy", "OrderedReady")
    if policy not in ("OrderedReady", "Parallel"):
        problems.append(unsupported("spec.podManagementPolicy", policy, ("OrderedReady", "Parallel")))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateReplicationControllerSpec")
def validate_replication_controller(obj: dict) -> list[str]:
    """A non-empty selector map the template's labels match (the template is required)."""
    spec = obj.get("spec") or {}
    problems = []
    replicas = spec.get("replicas", 1)
    if not isinstance(replicas, int) or replicas < 0:
        problems.append(invalid("spec.replicas", replicas, "must be greater than or equal to 0"))
    selector = spec.get("selector")
    if not selector or not isinstance(selector, dict):
        problems.append(required("spec.selector"))
    template = spec.get("template")
    if not isinstance(template, dict):
        return problems + [required("spec.template")]
    labels = (template.get("metadata") or {}).get("labels") or {}
    if isinstance(selector, dict) and any(labels.get(k) != v for k, v in selector.items()):
        problems.append(invalid("spec.template.metadata.labels", labels,
                                "`selector` does not match template `labels`"))
    return problems + pod_spec_problems(template.get("spec"), "spec.template.spec", ("Always",))


JOB_RESTART_POLICIES = ("OnFailure", "Never")


def _job_spec(spec: dict, path: str) -> list[str]:
    problems = []
    for field in ("parallelism", "completions", "backoffLimit", "activeDeadlineSeconds"):
        value = spec.get(field)
        if value is not None and (not isinstance(value, int) or value < 0):
            problems.append(invalid(f"{path}.{field}", value, "must be greater than or equal to 0"))
    mode = spec.get("completionMode", "NonIndexed")
    if mode not in ("NonIndexed", "Indexed"):
        problems.append(unsupported(f"{path}.completionMode", mode, ("NonIndexed", "Indexed")))
    template = spec.get("template")
    if not isinstance(template, dict):
        return problems + [required(f"{path}.template")]
    return problems + pod_spec_problems(template.get("spec"), f"{path}.template.spec", JOB_RESTART_POLICIES)


@mirrors("k8s.io/kubernetes/pkg/apis/batch/validation.ValidateJob")
def validate_job(obj: dict) -> list[str]:
    """A Job's pods restart OnFailure or Never; its selector matches their labels. Without
    manualSelector the registry generates the selector at create, after admission has validated
    the object once, so only a manual selector is required here."""
    spec = obj.get("spec") or {}
    problems = _job_spec(spec, "spec")
    selector = spec.get("selector")
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels") or {}
    if not isinstance(selector, dict):
        if spec.get("manualSelector"):
            problems.append(required("spec.selector"))
    elif not from_label_selector_dict(selector).matches(labels):
        problems.append(invalid("spec.template.metadata.labels", labels,
                                "`selector` does not match template `labels`"))
    return problems


CONCURRENCY_POLICIES = ("Allow", "Forbid", "Replace")


@mirrors("k8s.io/kubernetes/pkg/apis/batch/validation.ValidateCronJob")
def validate_cron_job(obj: dict) -> list[str]:
    """A schedule, a known concurrency policy, a valid job template, and a name short enough for the
    11 characters the controller appends to name each Job."""
    spec = obj.get("spec") or {}
    name = (obj.get("metadata") or {}).get("name") or ""
    problems = []
    if len(name) > 52:
        problems.append(invalid("metadata.name", name, "must be no more than 52 characters"))
    if not spec.get("schedule"):
        problems.append(required("spec.schedule"))
    policy = spec.get("concurrencyPolicy", "Allow")
    if policy not in CONCURRENCY_POLICIES:
        problems.append(unsupported("spec.concurrencyPolicy", policy, CONCURRENCY_POLICIES))
    job_spec = (spec.get("jobTemplate") or {}).get("spec")
    return problems + _job_spec(job_spec if isinstance(job_spec, dict) else {}, "spec.jobTemplate.spec")


def validate_controller_revision(obj: dict) -> list[str]:
    revision = obj.get("revision", 0)
    if not isinstance(revision, int) or revision < 0:
        return [invalid("revision", revision, "must be greater than or equal to 0")]
    return []


ADDRESS_TYPES = ("IPv4", "IPv6", "FQDN")


@mirrors("k8s.io/kubernetes/pkg/apis/discovery/validation.ValidateEndpointSlice")
def validate_endpoint_slice(obj: dict) -> list[str]:
    address_type = obj.get("addressType")
    if not address_type:
        return [required("addressType")]
    if address_type not in ADDRESS_TYPES:
        return [unsupported("addressType", address_type, ADDRESS_TYPES)]
    return [required(f"endpoints[{i}].addresses") for i, endpoint in enumerate(obj.get("endpoints") or [])
            if not (endpoint or {}).get("addresses")]


def validate_runtime_class(obj: dict) -> list[str]:
    handler = obj.get("handler")
    if not handler:
        return [required("handler")]
    return name_problems(handler, "label", "handler")


RECLAIM_POLICIES = ("Delete", "Retain")
BINDING_MODES = ("Immediate", "WaitForFirstConsumer")


@mirrors("k8s.io/kubernetes/pkg/apis/storage/validation.ValidateStorageClass")
def validate_storage_class(obj: dict) -> list[str]:
    problems = [] if obj.get("provisioner") else [required("provisioner")]
    if obj.get("reclaimPolicy", "Delete") not in RECLAIM_POLICIES:
        problems.append(unsupported("reclaimPolicy", obj["reclaimPolicy"], RECLAIM_POLICIES))
    if obj.get("volumeBindingMode", "Immediate") not in BINDING_MODES:
        problems.append(unsupported("volumeBindingMode", obj["volumeBindingMode"], BINDING_MODES))
    return problems


def validate_csi_storage_capacity(obj: dict) -> list[str]:
    return [] if obj.get("storageClassName") else [required("storageClassName")]


SERVICE_TYPES = ("ClusterIP", "ExternalName", "LoadBalancer", "NodePort")
PROTOCOLS = ("SCTP", "TCP", "UDP")


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateService")
def validate_service(obj: dict) -> list[str]:
    """Ports 1-65535 with unique names (required when there are several), a known type."""
    spec = obj.get("spec") or {}
    kind = spec.get("type", "ClusterIP")
    if kind not in SERVICE_TYPES:
        return [unsupported("spec.type", kind, SERVICE_TYPES)]
    if kind == "ExternalName":
        return [] if spec.get("externalName") else [required("spec.externalName")]
    ports = spec.get("ports") or []
    if not ports and spec.get("clusterIP") != "None":
        return [required("spec.ports")]
    problems, names = [], set()
    for i, port in enumerate(ports):
        here = f"spec.ports[{i}]"
        name = port.get("name", "")
        if len(ports) > 1 and not name:
            problems.append(required(f"{here}.name"))
        elif name in names:
            problems.append(f'{here}.name: Duplicate value: "{name}"')
        names.add(name)
        number = port.get("port", 0)
        if not isinstance(number, int) or not 1 <= number <= 65535:
            problems.append(invalid(f"{here}.port", number, "must be between 1 and 65535, inclusive"))
        if port.get("protocol", "TCP") not in PROTOCOLS:
            problems.append(unsupported(f"{here}.protocol", port.get("protocol"), PROTOCOLS))
    return problems


def decode_problem(kind: str, obj: dict) -> str | None:
    """What Go's JSON decoding would refuse before any validation runs: string maps holding
    something else. The apiserver answers that with 400 BadRequest, not 422 Invalid."""
    maps = [("metadata.labels", (obj.get("metadata") or {}).get("labels")),
            ("metadata.annotations", (obj.get("metadata") or {}).get("annotations"))]
    if kind in ("ConfigMap", "Secret"):
        maps += [("data", obj.get("data")), ("stringData", obj.get("stringData"))]
    for field, values in maps:
        if values is None:
            continue
        if not isinstance(values, dict):
            return f"{kind} in version \"v1\" cannot be handled as a {kind}: {field} must be an object"
        for key, value in values.items():
            if not isinstance(value, str):
                return (f"{kind} in version \"v1\" cannot be handled as a {kind}: json: cannot "
                        f"unmarshal {type(value).__name__} into Go struct field {kind}.{field} "
                        f"of type string")
    return None


def validate_config_data(obj: dict) -> list[str]:
    """ConfigMaps and Secrets: every data key a valid config key."""
    return [invalid(f"{field}[{key}]", key, CONFIG_KEY_MSG)
            for field in ("data", "binaryData") for key in (obj.get(field) or {})
            if not CONFIG_KEY.match(key)]


def _role_rules(obj: dict, namespaced: bool) -> list[str]:
    problems = []
    for i, rule in enumerate(obj.get("rules") or []):
        here = f"rules[{i}]"
        if not rule.get("verbs"):
            problems.append(required(f"{here}.verbs"))
        if rule.get("nonResourceURLs") and namespaced:
            problems.append(invalid(f"{here}.nonResourceURLs", rule["nonResourceURLs"],
                                    "namespaced rules cannot apply to non-resource URLs"))
        if rule.get("resources") and rule.get("apiGroups") is None:
            problems.append(required(f"{here}.apiGroups"))
        if not rule.get("resources") and not rule.get("nonResourceURLs"):
            problems.append(required(f"{here}.resources"))
    return problems


def validate_role(obj: dict) -> list[str]:
    return _role_rules(obj, namespaced=True)


def validate_cluster_role(obj: dict) -> list[str]:
    return _role_rules(obj, namespaced=False)


def _binding(obj: dict, role_kinds: tuple[str, ...]) -> list[str]:
    ref = obj.get("roleRef") or {}
    problems = []
    if ref.get("apiGroup") != "rbac.authorization.k8s.io":
        problems.append(unsupported("roleRef.apiGroup", ref.get("apiGroup", ""),
                                    ("rbac.authorization.k8s.io",)))
    if ref.get("kind") not in role_kinds:
        problems.append(unsupported("roleRef.kind", ref.get("kind", ""), role_kinds))
    if not ref.get("name"):
        problems.append(required("roleRef.name"))
    for i, subject in enumerate(obj.get("subjects") or []):
        if subject.get("kind") not in ("Group", "ServiceAccount", "User"):
            problems.append(unsupported(f"subjects[{i}].kind", subject.get("kind", ""),
                                        ("ServiceAccount", "User", "Group")))
        if not subject.get("name"):
            problems.append(required(f"subjects[{i}].name"))
    return problems


def validate_role_binding(obj: dict) -> list[str]:
    return _binding(obj, ("Role", "ClusterRole"))


def validate_cluster_role_binding(obj: dict) -> list[str]:
    return _binding(obj, ("ClusterRole",))


def validate_lease(obj: dict) -> list[str]:
    duration = (obj.get("spec") or {}).get("leaseDurationSeconds")
    if duration is not None and (not isinstance(duration, int) or duration <= 0):
        return [invalid("spec.leaseDurationSeconds", duration, "must be greater than 0")]
    return []


POD_UPDATABLE = ("spec: Forbidden: pod updates may not change fields other than "
                 "`spec.containers[*].image`, `spec.initContainers[*].image`, "
                 "`spec.activeDeadlineSeconds`, `spec.tolerations` (only additions to existing "
                 "tolerations) or `spec.terminationGracePeriodSeconds` (allow it to be set to 1 if "
                 "it was previously negative)")


def _without_mutable(spec: dict) -> dict:
    spec = {k: v for k, v in spec.items() if k not in ("activeDeadlineSeconds", "tolerations")}
    for field in ("containers", "initContainers"):
        if field in spec:
            spec[field] = [{k: v for k, v in c.items() if k != "image"} for c in spec[field]]
    return spec


def validate_pod_update(old: dict, new: dict) -> list[str]:
    """ValidatePodUpdate: only images, activeDeadlineSeconds and tolerations may change; the
    binding subresource sets nodeName, so it is compared only once set."""
    old_spec, new_spec = dict(old.get("spec") or {}), dict(new.get("spec") or {})
    if not old_spec.get("nodeName"):
        new_spec.pop("nodeName", None)
    if _without_mutable(old_spec) != _without_mutable(new_spec):
        return [POD_UPDATABLE]
    return []


def validate_selector_immutable(old: dict, new: dict) -> list[str]:
    """apps/v1 workloads may not change their selector."""
    old_selector = (old.get("spec") or {}).get("selector")
    new_selector = (new.get("spec") or {}).get("selector")
    if old_selector != new_selector:
        return [f"spec.selector: Invalid value: {new_selector}: field is immutable"]
    return []


def validate_role_ref_immutable(old: dict, new: dict) -> list[str]:
    if old.get("roleRef") != new.get("roleRef"):
        return [f"roleRef: Invalid value: {new.get('roleRef')}: cannot change roleRef"]
    return []
