"""A container's environment, validated as k8s.io/kubernetes/pkg/apis/core/validation does it:
each variable's name and where its value comes from (a field of the pod, a resource of the
container, a key of a ConfigMap or Secret), and the ConfigMaps and Secrets `envFrom` imports."""
from __future__ import annotations

import re

from reference_impl.apiserver.core.validation import (as_object, config_key_problems, invalid, name_problems,
                                                      required, unsupported)
from reference_impl.machinery import quantity
from reference_impl.machinery.labels import qualified_name_problems
from reference_impl.mirrors import mirrors

ENV_VAR_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*\Z")
ENV_VAR_NAME_MSG = ("a valid environment variable name must consist of alphabetic characters, digits, '_', '-', "
                    "or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or "
                    "'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')")

# The fields of a pod an environment variable may read (validEnvDownwardAPIFieldPathExpressions),
# sorted as sets.String.List() gives them.
ENV_FIELD_PATHS = ("metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName",
                   "spec.serviceAccountName", "status.hostIP", "status.podIP", "status.podIPs")
# What ConvertDownwardAPIFieldLabel accepts (v1 pods), whatever the caller then allows.
DOWNWARD_LABELS = ("metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace",
                   "metadata.uid", "spec.nodeName", "spec.restartPolicy", "spec.serviceAccountName",
                   "spec.schedulerName", "status.phase", "status.hostIP", "status.podIP", "status.podIPs")
CONTAINER_RESOURCES = ("limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu",
                       "requests.ephemeral-storage", "requests.memory")
# DownwardAPIHugePages is on by default in 1.24, so these prefixes are allowed too.
HUGEPAGES_PREFIXES = ("requests.hugepages-", "limits.hugepages-")
BYTE_DIVISORS = ("1", "1k", "1M", "1G", "1T", "1P", "1E", "1Ki", "1Mi", "1Gi", "1Ti", "1Pi", "1Ei")
BYTE_DIVISORS_MSG = "only divisor's values " + ", ".join(BYTE_DIVISORS) + " are supported with the {resource}"


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateEnv")
def env_problems(env: object, path: str) -> list[str]:
    """Every variable named, by IsEnvVarName: a C-like identifier that may hold '-' and '.'; and its
    valueFrom, when it has one."""
    problems = []
    for index, var in enumerate(env if isinstance(env, list) else []):
        here, var = f"{path}[{index}]", as_object(var)
        name = var.get("name") or ""
        if not name:
            problems.append(required(f"{here}.name"))
        else:
            problems += [invalid(f"{here}.name", name, problem) for problem in env_var_name_problems(name)]
        problems += value_from_problems(var, f"{here}.valueFrom")
    return problems


@mirrors("k8s.io/apimachinery/pkg/util/validation.IsEnvVarName")
def env_var_name_problems(name: str) -> list[str]:
    problems = [] if ENV_VAR_NAME.match(name) else [ENV_VAR_NAME_MSG]
    if name in (".", ".."):
        problems.append(f"must not be '{name}'")
    elif name.startswith(".."):
        problems.append("must not start with '..'")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateEnvVarValueFrom")
def value_from_problems(var: dict, path: str) -> list[str]:
    """Exactly one source, and none beside a literal value."""
    source = var.get("valueFrom")
    if source is None:
        return []
    source, problems = as_object(source), []
    checks = (("fieldRef", lambda ref, here: object_field_selector_problems(ref, ENV_FIELD_PATHS, here)),
              ("resourceFieldRef", resource_field_selector_problems),
              ("configMapKeyRef", key_selector_problems), ("secretKeyRef", key_selector_problems))
    sources = [(name, check) for name, check in checks if source.get(name) is not None]
    for name, check in sources:
        problems += check(as_object(source[name]), f"{path}.{name}")
    if not sources:
        problems.append(invalid(path, "", "must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` "
                                          "or `secretKeyRef`"))
    elif var.get("value"):
        problems.append(invalid(path, "", "may not be specified when `value` is not empty"))
    elif len(sources) > 1:
        problems.append(invalid(path, "", "may not have more than one field specified at a time"))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateObjectFieldSelector")
def object_field_selector_problems(selector: dict, allowed: tuple[str, ...], path: str) -> list[str]:
    """An apiVersion, and a field path the downward API knows and this caller allows; a subscript
    (`metadata.labels['x']`) only of labels and annotations, naming a qualified key."""
    api_version, field_path = selector.get("apiVersion") or "", selector.get("fieldPath") or ""
    if not api_version:
        return [required(f"{path}.apiVersion")]
    if not field_path:
        return [required(f"{path}.fieldPath")]
    internal, error = convert_downward_label(api_version, field_path)
    if error:
        return [invalid(f"{path}.fieldPath", field_path, f"error converting fieldPath: {error}")]
    field, subscript = split_subscripted_path(internal)
    if subscript is None:
        return [] if field in allowed else [unsupported(f"{path}.fieldPath", field, allowed)]
    if field == "metadata.annotations":
        return [invalid(path, subscript, problem) for problem in qualified_name_problems(subscript.lower())]
    if field == "metadata.labels":
        return [invalid(path, subscript, problem) for problem in qualified_name_problems(subscript)]
    return [invalid(path, field, "does not support subscript")]


@mirrors("k8s.io/kubernetes/pkg/apis/core/pods.ConvertDownwardAPIFieldLabel")
def convert_downward_label(api_version: str, label: str) -> tuple[str, str]:
    """The internal name of a pod field label the downward API reads (old clients' spec.host is
    spec.nodeName), and "", or "" and why it cannot be read."""
    if api_version != "v1":
        return "", f"unsupported pod version: {api_version}"
    field, subscript = split_subscripted_path(label)
    if subscript is not None:
        if field in ("metadata.annotations", "metadata.labels"):
            return label, ""
        return "", f"field label does not support subscript: {label}"
    if label == "spec.host":
        return "spec.nodeName", ""
    return (label, "") if label in DOWNWARD_LABELS else ("", f"field label not supported: {label}")


@mirrors("k8s.io/kubernetes/pkg/fieldpath.SplitMaybeSubscriptedPath")
def split_subscripted_path(field_path: str) -> tuple[str, str | None]:
    """`metadata.labels['x']` as ("metadata.labels", "x"); a path without a subscript with None."""
    if not field_path.endswith("']"):
        return field_path, None
    field, mark, subscript = field_path[:-2].partition("['")
    return (field, subscript) if mark and field else (field_path, None)


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateContainerResourceFieldSelector")
def resource_field_selector_problems(selector: dict, path: str) -> list[str]:
    """A resource of the container (hugepages by prefix), and a divisor its unit allows."""
    resource = selector.get("resource") or ""
    problems = []
    if not resource:
        problems.append(required(f"{path}.resource"))
    elif resource not in CONTAINER_RESOURCES and not resource.startswith(HUGEPAGES_PREFIXES):
        problems.append(unsupported(f"{path}.resource", resource, CONTAINER_RESOURCES))
    return problems + divisor_problems(resource, selector.get("divisor"), path)


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateContainerResourceDivisor")
def divisor_problems(resource: str, divisor: object, path: str) -> list[str]:
    parsed = quantity.parse(divisor) if divisor is not None else None
    if parsed is None or parsed.value == 0:
        return []
    written = quantity.canonical(parsed)
    if resource in ("limits.cpu", "requests.cpu"):
        allowed, message = ("1m", "1"), "only divisor's values 1m and 1 are supported with the cpu resource"
    elif resource in ("limits.memory", "requests.memory"):
        allowed, message = BYTE_DIVISORS, BYTE_DIVISORS_MSG.format(resource="memory resource")
    elif resource in ("limits.ephemeral-storage", "requests.ephemeral-storage"):
        allowed, message = BYTE_DIVISORS, BYTE_DIVISORS_MSG.format(resource="local ephemeral storage resource")
    elif resource.startswith(HUGEPAGES_PREFIXES):
        allowed, message = BYTE_DIVISORS, BYTE_DIVISORS_MSG.format(resource="hugepages resource")
    else:
        return []
    return [] if written in allowed else [invalid(f"{path}.divisor", resource, message)]


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateConfigMapKeySelector",
         "k8s.io/kubernetes/pkg/apis/core/validation.validateSecretKeySelector")
def key_selector_problems(selector: dict, path: str) -> list[str]:
    """A DNS subdomain name (an empty one too is refused by the pattern, not as missing) and a key."""
    name, key = selector.get("name") or "", selector.get("key") or ""
    problems = name_problems(name, "subdomain", f"{path}.name")
    if not key:
        return problems + [required(f"{path}.key")]
    return problems + [invalid(f"{path}.key", key, problem) for problem in config_key_problems(key)]


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateEnvFrom")
def env_from_problems(env_from: object, path: str) -> list[str]:
    """Each source a ConfigMap or a Secret, by name, with an optional prefix that is a variable name."""
    problems = []
    for index, source in enumerate(env_from if isinstance(env_from, list) else []):
        here, source = f"{path}[{index}]", as_object(source)
        prefix = source.get("prefix") or ""
        if prefix:
            problems += [invalid(f"{here}.prefix", prefix, problem) for problem in env_var_name_problems(prefix)]
        refs = [name for name in ("configMapRef", "secretRef") if source.get(name) is not None]
        for name in refs:
            ref_name = as_object(source[name]).get("name") or ""
            problems += (name_problems(ref_name, "subdomain", f"{here}.{name}.name", prefix=True) if ref_name
                         else [required(f"{here}.{name}.name")])
        if not refs:
            problems.append(invalid(path, "", "must specify one of: `configMapRef` or `secretRef`"))
        elif len(refs) > 1:
            problems.append(invalid(path, "", "may not have more than one field specified at a time"))
    return problems
