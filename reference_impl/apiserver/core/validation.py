"""Validation with the field paths and messages of k8s.io/kubernetes/pkg/apis/*/validation: the rules
every object meets (names, metadata) and the checks several kinds share (pod specs, selected pod
templates, selectors); each kind's own validators are in its module (`kinds`).

Each validator takes an object dict and returns `field: Type: detail` strings (the text of a
field.Error), empty when the object is valid; `errors.invalid` turns them into a 422. Only the
rules clients trip over in practice are checked: names, required fields, ports, selectors.
"""
from __future__ import annotations

import ipaddress
import re
from fractions import Fraction

from reference_impl.apiserver.core.selectors import (DNS_SUBDOMAIN, from_label_selector_dict, label_key_problem,
                                                     label_value_problem)
from reference_impl.machinery.gojson import quote
from reference_impl.machinery.labels import qualified_name_problems, regex_error
from reference_impl.mirrors import mirrors

# Anchored with \Z, not $: Go's $ does not match before a trailing newline.
LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?\Z")
DNS1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?\Z")
CONFIG_KEY = re.compile(r"^[-._a-zA-Z0-9]+\Z")
STANDARD_FINALIZERS = ("kubernetes", "orphan", "foregroundDeletion")

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


def required(path: str, detail: str = "") -> str:
    return f"{path}: Required value: {detail}" if detail else f"{path}: Required value"


@mirrors("(*k8s.io/apimachinery/pkg/util/validation/field.Error).ErrorBody")
def invalid(path: str, value: object, detail: str) -> str:
    """field.Invalid's text: a string value as %q quotes it (strconv.Quote), others as go_value."""
    shown = quote(value) if isinstance(value, str) else go_value(value)
    return f"{path}: Invalid value: {shown}: {detail}"


def duplicate(path: str, value: str) -> str:
    return f"{path}: Duplicate value: {quote(value)}"


def unsupported(path: str, value: object, supported: tuple[str, ...]) -> str:
    choices = ", ".join(quote(s) for s in supported)
    return f"{path}: Unsupported value: {quote(str(value))}: supported values: {choices}"


def go_value(value: object) -> str:
    """How Go's %#v prints the few value types errors show (ints, string maps, string slices)."""
    if isinstance(value, dict):
        return "map[string]string{" + ", ".join(f"{quote(k)}:{quote(str(v))}" for k, v in sorted(value.items())) + "}"
    if isinstance(value, list):
        return "[]string{" + ", ".join(quote(str(v)) for v in value) + "}"
    return str(value)


@mirrors("k8s.io/apimachinery/pkg/util/validation.IsDNS1123Subdomain",
         "k8s.io/apimachinery/pkg/util/validation.IsDNS1123Label",
         "k8s.io/apimachinery/pkg/api/validation.maskTrailingDash")
def name_problems(name: str, rule: str, path: str = "metadata.name", prefix: bool = False) -> list[str]:
    """Errors for `name` under `rule`: "subdomain", "label" (RFC 1123), "dns1035" or "path". A
    `prefix` (a generateName) is checked as if its trailing dash were a letter; the message
    still shows it as written."""
    if rule == "path":
        if name in (".", "..") and not prefix:  # IsValidPathSegmentPrefix checks only the characters
            return [invalid(path, name, f"may not be '{name}'")]
        return [invalid(path, name, f"may not contain '{c}'") for c in "/%" if c in name]
    pattern, message, limit = {"subdomain": (DNS_SUBDOMAIN, SUBDOMAIN_MSG, 253),
                               "label": (LABEL, LABEL_MSG, 63),
                               "dns1035": (DNS1035, DNS1035_MSG, 63)}[rule]
    # Upstream's mask drops the last two characters and appends one, so a prefix is measured one shorter.
    checked = name[:-2] + "a" if prefix and len(name) > 1 and name.endswith("-") else name
    problems = []
    if len(checked) > limit:
        problems.append(invalid(path, name, f"must be no more than {limit} characters"))
    if not pattern.match(checked):
        problems.append(invalid(path, name, message))
    return problems


def metadata_problems(obj: dict, rule: str, core: bool = False) -> list[str]:
    """ValidateObjectMeta: a valid name, valid label and annotation keys and values, owner
    references and finalizers (a `core` kind's also standard or domain-qualified)."""
    meta = obj.get("metadata") or {}
    problems = []
    if meta.get("generateName"):
        problems += name_problems(meta["generateName"], rule, "metadata.generateName", prefix=True)
    if not meta.get("name"):
        if not meta.get("generateName"):
            problems.append("metadata.name: Required value: name or generateName is required")
    else:
        problems += name_problems(meta["name"], rule)
    problems += label_problems(meta.get("labels"), "metadata.labels")
    for key in meta.get("annotations") or {}:
        if label_key_problem(key):
            problems.append(invalid("metadata.annotations", key, label_key_problem(key)))
    problems += owner_reference_problems(meta.get("ownerReferences") or [])
    problems += finalizer_problems(meta.get("finalizers") or [], core)
    return problems


@mirrors("k8s.io/apimachinery/pkg/api/validation.ValidateOwnerReferences")
def owner_reference_problems(references: list[dict]) -> list[str]:
    """Every reference names an apiVersion with a version, a kind, a name and a uid, no Event
    owns anything, and at most one reference is the controller."""
    path, problems, controller = "metadata.ownerReferences", [], ""
    for ref in references:
        api_version = ref.get("apiVersion") or ""
        # schema.ParseGroupVersion: "v1" or "group/version"; anything else has no version.
        if api_version.count("/") > 1 or not api_version.rsplit("/", 1)[-1]:
            problems.append(invalid(f"{path}.apiVersion", api_version, "version must not be empty"))
        for field in ("kind", "name", "uid"):
            if not ref.get(field):
                problems.append(invalid(f"{path}.{field}", ref.get(field) or "", f"{field} must not be empty"))
        if (api_version, ref.get("kind")) == ("v1", "Event"):
            problems.append(f"{path}: Invalid value: {ref}: /v1, Kind=Event is disallowed from being an owner")
        if ref.get("controller"):
            current = f"{ref.get('kind') or ''}/{ref.get('name') or ''}"
            if controller:
                problems.append(f"{path}: Invalid value: {references}: Only one reference can have Controller "
                                f'set to true. Found "true" in references for {controller} and {current}')
            else:
                controller = current
    return problems


@mirrors("k8s.io/apimachinery/pkg/api/validation.ValidateFinalizers",
         "k8s.io/kubernetes/pkg/apis/core/validation.validateKubeFinalizerName")
def finalizer_problems(finalizers: list[str], core: bool, path: str = "metadata.finalizers") -> list[str]:
    """Each finalizer a qualified name (a core kind's, without a domain, one of the standard ones),
    and not both `orphan` and `foregroundDeletion`."""
    problems = []
    for index, finalizer in enumerate(finalizers):
        if label_key_problem(finalizer):
            problems.append(invalid(path, finalizer, label_key_problem(finalizer)))
        elif core and "/" not in finalizer and finalizer not in STANDARD_FINALIZERS:
            problems.append(invalid(f"{path}[{index}]", finalizer,
                                    "name is neither a standard finalizer name nor is it fully qualified"))
    if "orphan" in finalizers and "foregroundDeletion" in finalizers:
        problems.append(invalid(path, finalizers, "finalizer orphan and foregroundDeletion cannot be both set"))
    return problems


# VolumeSource's members in the order validateVolumeSource checks them, each with the field name its
# "more than 1 volume type" error carries (Go's, typo included: downwarAPI).
VOLUME_SOURCES = (("emptyDir", "emptyDir"), ("hostPath", "hostPath"), ("gitRepo", "gitRepo"),
                  ("gcePersistentDisk", "gcePersistentDisk"), ("awsElasticBlockStore", "awsElasticBlockStore"),
                  ("secret", "secret"), ("nfs", "nfs"), ("iscsi", "iscsi"), ("glusterfs", "glusterfs"),
                  ("flocker", "flocker"), ("persistentVolumeClaim", "persistentVolumeClaim"), ("rbd", "rbd"),
                  ("cinder", "cinder"), ("cephfs", "cephFS"), ("quobyte", "quobyte"), ("downwardAPI", "downwarAPI"),
                  ("fc", "fc"), ("flexVolume", "flexVolume"), ("configMap", "configMap"), ("azureFile", "azureFile"),
                  ("vsphereVolume", "vsphereVolume"), ("photonPersistentDisk", "photonPersistentDisk"),
                  ("portworxVolume", "portworxVolume"), ("azureDisk", "azureDisk"), ("storageos", "storageos"),
                  ("projected", "projected"), ("scaleIO", "scaleIO"), ("csi", "csi"), ("ephemeral", "ephemeral"))
ENV_VAR_NAME = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*\Z")
ENV_VAR_NAME_MSG = ("a valid environment variable name must consist of alphabetic characters, digits, '_', '-', "
                    "or '.', and must not start with a digit (e.g. 'my.env-name',  or 'MY_ENV.NAME',  or "
                    "'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')")
PORT_RANGE_MSG = "must be between 1 and 65535, inclusive"
IP_MSG = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
NEGATIVE_MSG = "must be greater than or equal to 0"
PROTOCOLS = ("SCTP", "TCP", "UDP")
# resource.ParseQuantity's grammar: a signed decimal and a binary SI, decimal SI or exponent suffix.
QUANTITY = re.compile(r"^([+-]?)([0-9]*\.?[0-9]*)(?:([eE][+-]?[0-9]+)|([KMGTPE]i|[numkMGTPE]|))$")
QUANTITY_SCALE = {"": 1, "n": Fraction(1, 10**9), "u": Fraction(1, 10**6), "m": Fraction(1, 1000),
                  "k": 10**3, "M": 10**6, "G": 10**9, "T": 10**12, "P": 10**15, "E": 10**18,
                  "Ki": 2**10, "Mi": 2**20, "Gi": 2**30, "Ti": 2**40, "Pi": 2**50, "Ei": 2**60}


def parse_ip(ip: object) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address `ip` spells (netutils.ParseIPSloppy), or None for anything else."""
    try:
        return ipaddress.ip_address(ip) if isinstance(ip, str) else None
    except ValueError:
        return None


def quantity_value(value: object) -> Fraction | None:
    """A resource.Quantity's exact value, or None for text that is no quantity (the decoder reports it)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return Fraction(value)
    match = QUANTITY.match(str(value).strip())
    if not match or not match.group(2).strip("."):
        return None
    sign, number, exponent, suffix = match.groups()
    scale = Fraction(10) ** int(exponent[1:]) if exponent else QUANTITY_SCALE[suffix or ""]
    return (-1 if sign == "-" else 1) * Fraction(number) * scale


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateVolumes")
def volume_problems(volumes: object, path: str) -> tuple[set[str], list[str]]:
    """Each volume a valid, unique name and exactly one source; returns the names that passed,
    which are the only ones a volumeMount may name."""
    names: set[str] = set()
    problems = []
    for index, volume in enumerate(volumes if isinstance(volumes, list) else []):
        volume = volume if isinstance(volume, dict) else {}
        here, name, found = f"{path}[{index}]", volume.get("name") or "", []
        sources = [(key, go_name) for key, go_name in VOLUME_SOURCES if volume.get(key) is not None]
        found += [f"{here}.{go_name}: Forbidden: may not specify more than 1 volume type" for _, go_name in sources[1:]]
        if not sources:
            found.append(f"{here}: Required value: must specify a volume type")
        found += name_problems(name, "label", f"{here}.name") if name else [required(f"{here}.name")]
        if name in names:
            found.append(duplicate(f"{here}.name", name))
        if found:
            problems += found
        else:
            names.add(name)
    return names, problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateHandler")
def handler_problems(handler: dict, path: str) -> list[str]:
    """Exactly one way to probe: exec, httpGet, tcpSocket or grpc."""
    given = [name for name in ("exec", "httpGet", "tcpSocket", "grpc") if handler.get(name) is not None]
    if not given:
        return [f"{path}: Required value: must specify a handler type"]
    return [f"{path}.{name}: Forbidden: may not specify more than 1 handler type" for name in given[1:]]


def _probe_problems(probe: object, path: str, kind: str) -> list[str]:
    """validateProbe: no negative timing; a liveness or startup probe succeeds once (successThreshold
    1 when set: unset is defaulted to 1 after this runs)."""
    if not isinstance(probe, dict):
        return []
    problems = handler_problems(probe, path)
    for field in ("initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"):
        value = probe.get(field)
        if isinstance(value, int) and value < 0:
            problems.append(invalid(f"{path}.{field}", value, NEGATIVE_MSG))
    grace = probe.get("terminationGracePeriodSeconds")
    if kind == "readinessProbe" and grace is not None:
        problems.append(invalid(f"{path}.terminationGracePeriodSeconds", grace, "must not be set for readinessProbes"))
    elif isinstance(grace, int) and grace <= 0:
        problems.append(invalid(f"{path}.terminationGracePeriodSeconds", grace, "must be greater than 0"))
    threshold = probe.get("successThreshold")
    if kind != "readinessProbe" and threshold not in (None, 1):
        problems.append(invalid(f"{path}.successThreshold", threshold, "must be 1"))
    return problems


def _port_problems(ports: object, path: str) -> list[str]:
    """validateContainerPorts: port numbers in range (containerPort required), names IANA_SVC_NAMEs
    unique in the container, a known protocol (an unset one is defaulted to TCP later)."""
    problems, names = [], set()
    for index, port in enumerate(ports if isinstance(ports, list) else []):
        here, port = f"{path}[{index}]", port if isinstance(port, dict) else {}
        name = port.get("name") or ""
        if name:
            messages = port_name_problems(name)
            problems += [invalid(f"{here}.name", name, message) for message in messages]
            if not messages and name in names:
                problems.append(duplicate(f"{here}.name", name))
            names.add(name)
        number = port.get("containerPort") or 0
        if number == 0:
            problems.append(required(f"{here}.containerPort"))
        elif not isinstance(number, int) or not 1 <= number <= 65535:
            problems.append(invalid(f"{here}.containerPort", number, PORT_RANGE_MSG))
        host = port.get("hostPort") or 0
        if host and (not isinstance(host, int) or not 1 <= host <= 65535):
            problems.append(invalid(f"{here}.hostPort", host, PORT_RANGE_MSG))
        if port.get("protocol") and port["protocol"] not in PROTOCOLS:
            problems.append(unsupported(f"{here}.protocol", port["protocol"], PROTOCOLS))
    return problems


@mirrors("k8s.io/apimachinery/pkg/util/validation.IsValidPortName")
def port_name_problems(name: str) -> list[str]:
    """An IANA_SVC_NAME: at most 15 of [-a-z0-9], a letter among them, hyphens inside and single."""
    checks = ((len(name) > 15, "must be no more than 15 characters"),
              (not re.fullmatch(r"[-a-z0-9]+", name),
               "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"),
              (not re.search(r"[a-z]", name), "must contain at least one letter or number (a-z, 0-9)"),
              ("--" in name, "must not contain consecutive hyphens"),
              (name[:1] == "-" or name[-1:] == "-", "must not begin or end with a hyphen"))
    return [message for failed, message in checks if failed]


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateEnv")
def env_problems(env: object, path: str) -> list[str]:
    """Every variable named, by IsEnvVarName: a C-like identifier that may hold '-' and '.'."""
    problems = []
    for index, var in enumerate(env if isinstance(env, list) else []):
        name = (var.get("name") or "") if isinstance(var, dict) else ""
        if not name:
            problems.append(required(f"{path}[{index}].name"))
            continue
        if not ENV_VAR_NAME.match(name):
            problems.append(invalid(f"{path}[{index}].name", name, ENV_VAR_NAME_MSG))
        if name == "." or name == ".." or name.startswith(".."):
            detail = f"must not be '{name}'" if name in (".", "..") else "must not start with '..'"
            problems.append(invalid(f"{path}[{index}].name", name, detail))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateVolumeMounts")
def volume_mount_problems(mounts: object, volumes: set[str], path: str) -> list[str]:
    """Each mount names a volume of the pod and a mount path, no path twice."""
    problems, paths = [], set()
    for index, mount in enumerate(mounts if isinstance(mounts, list) else []):
        here, mount = f"{path}[{index}]", mount if isinstance(mount, dict) else {}
        name, mount_path = mount.get("name") or "", mount.get("mountPath") or ""
        if not name:
            problems.append(required(f"{here}.name"))
        if name not in volumes:
            problems.append(f'{here}.name: Not found: "{name}"')
        if not mount_path:
            problems.append(required(f"{here}.mountPath"))
        if mount_path in paths:
            problems.append(invalid(f"{here}.mountPath", mount_path, "must be unique"))
        paths.add(mount_path)
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateResourceRequirements")
def resource_problems(resources: object, path: str) -> list[str]:
    """No negative quantity, and no request above its limit (for hugepages and extended resources,
    which cannot be overcommitted, none other than the limit)."""
    resources = resources if isinstance(resources, dict) else {}
    limits, requests = resources.get("limits") or {}, resources.get("requests") or {}
    problems = []
    for group, values in (("limits", limits), ("requests", requests)):
        for name, quantity in (values.items() if isinstance(values, dict) else ()):
            value = quantity_value(quantity)
            if value is not None and value < 0:
                problems.append(invalid(f"{path}.{group}[{name}]", str(quantity), NEGATIVE_MSG))
            if group == "limits" or value is None:
                continue
            overcommit = ("/" not in name or name.endswith(".kubernetes.io") or "kubernetes.io/" in name) \
                and not name.startswith("hugepages-")
            limit = quantity_value(limits.get(name)) if isinstance(limits, dict) and name in limits else None
            if limit is None:
                if not overcommit and not (isinstance(limits, dict) and name in limits):
                    problems.append(f"{path}.limits: Required value: Limit must be set for non overcommitable "
                                    "resources")
            elif value != limit and not overcommit:
                problems.append(invalid(f"{path}.requests", str(quantity), f"must be equal to {name} limit"))
            elif value > limit:
                problems.append(invalid(f"{path}.requests", str(quantity),
                                        f"must be less than or equal to {name} limit"))
    return problems


def _containers(containers: object, path: str, seen: set[str], volumes: set[str]) -> list[str]:
    """validateContainers, in upstream's order of checks within each container."""
    problems = []
    for i, container in enumerate(containers if isinstance(containers, list) else []):
        here = f"{path}[{i}]"
        container = container if isinstance(container, dict) else {}
        name = container.get("name")
        if not name:
            problems.append(required(f"{here}.name"))
        elif name in seen:
            problems.append(duplicate(f"{here}.name", name))
        else:
            problems += name_problems(name, "label", f"{here}.name")
            seen.add(name)
        if not container.get("image"):
            problems.append(required(f"{here}.image"))
        for kind in ("livenessProbe", "startupProbe", "readinessProbe"):
            problems += _probe_problems(container.get(kind), f"{here}.{kind}", kind)
        problems += _port_problems(container.get("ports"), f"{here}.ports")
        problems += env_problems(container.get("env"), f"{here}.env")
        problems += volume_mount_problems(container.get("volumeMounts"), volumes, f"{here}.volumeMounts")
        problems += resource_problems(container.get("resources"), f"{here}.resources")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidatePodSpec")
def pod_spec_problems(spec: object, path: str, restart_policies=("Always", "OnFailure", "Never")) -> list[str]:
    """ValidatePodSpec: volumes with one source each, named containers with images (unique names)
    whose probes, ports, env, mounts and resources hold, a known restart policy, a node selector
    of valid labels, tolerations and required node affinity."""
    spec = spec if isinstance(spec, dict) else {}
    volumes, problems = volume_problems(spec.get("volumes"), f"{path}.volumes")
    if not spec.get("containers"):
        return problems + [required(f"{path}.containers")]
    seen: set[str] = set()
    problems += _containers(spec["containers"], f"{path}.containers", seen, volumes)
    problems += _containers(spec.get("initContainers") or [], f"{path}.initContainers", seen, volumes)
    policy = spec.get("restartPolicy", restart_policies[0])
    if policy not in restart_policies:
        problems.append(unsupported(f"{path}.restartPolicy", policy, restart_policies))
    problems += label_problems(spec.get("nodeSelector"), f"{path}.nodeSelector")
    return problems + toleration_problems(spec.get("tolerations") or [], f"{path}.tolerations") + \
        node_affinity_problems(spec, f"{path}.affinity.nodeAffinity")


@mirrors("k8s.io/apimachinery/pkg/apis/meta/v1/validation.ValidateLabels")
def label_problems(labels: object, path: str) -> list[str]:
    """Every key a qualified name and every value a label value."""
    problems = []
    for key, value in (labels.items() if isinstance(labels, dict) else ()):
        if label_key_problem(key):
            problems.append(invalid(path, key, label_key_problem(key)))
        elif not isinstance(value, str) or label_value_problem(value):
            problems.append(invalid(path, value, label_value_problem(str(value)) or ""))
    return problems



@mirrors("k8s.io/apimachinery/pkg/apis/meta/v1/validation.ValidateLabelSelector",
         "k8s.io/apimachinery/pkg/apis/meta/v1/validation.ValidateLabelSelectorRequirement")
def label_selector_problems(selector: object, path: str) -> list[str]:
    """Valid matchLabels, and each requirement with a known operator, values as it needs them and
    a qualified key."""
    if not isinstance(selector, dict):
        return []
    problems = label_problems(selector.get("matchLabels"), f"{path}.matchLabels")
    for i, requirement in enumerate(selector.get("matchExpressions") or []):
        here, requirement = f"{path}.matchExpressions[{i}]", _object(requirement)
        operator, values = requirement.get("operator") or "", requirement.get("values") or []
        if operator in ("In", "NotIn") and not values:
            problems.append(required(f"{here}.values", "must be specified when `operator` is 'In' or 'NotIn'"))
        elif operator in ("Exists", "DoesNotExist") and values:
            problems.append(f"{here}.values: Forbidden: may not be specified when `operator` is 'Exists' or "
                            "'DoesNotExist'")
        elif operator not in ("In", "NotIn", "Exists", "DoesNotExist"):
            problems.append(invalid(f"{here}.operator", operator, "not a valid selector operator"))
        problems += label_name_problems(requirement.get("key") or "", f"{here}.key")
    return problems


@mirrors("k8s.io/apimachinery/pkg/apis/meta/v1/validation.ValidateLabelName")
def label_name_problems(name: str, path: str) -> list[str]:
    """One problem for each way `name` is not a qualified name."""
    return [invalid(path, name, problem) for problem in qualified_name_problems(name)]


CONDITION_STATUSES = ("False", "True", "Unknown")  # sorted, as validConditionStatuses.List() gives them
CONDITION_REASON_FMT = "[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?"
CONDITION_REASON = re.compile(f"^{CONDITION_REASON_FMT}\\Z")
CONDITION_REASON_MSG = ("a condition reason must start with alphabetic character, optionally followed by a string of "
                        "alphanumeric characters or '_,:', and must end with an alphanumeric character or '_'")
MAX_CONDITION_REASON_LEN, MAX_CONDITION_MESSAGE_LEN = 1024, 32 * 1024


@mirrors("k8s.io/apimachinery/pkg/apis/meta/v1/validation.ValidateConditions",
         "k8s.io/apimachinery/pkg/apis/meta/v1/validation.ValidateCondition")
def condition_problems(conditions: object, path: str) -> list[str]:
    """metav1.Conditions: each type a qualified name and there once, a known status, a transition
    time, a CamelCase reason; reason and message within their lengths."""
    problems, seen = [], set()
    for i, condition in enumerate(conditions if isinstance(conditions, list) else []):
        here, condition = f"{path}[{i}]", _object(condition)
        kind, status, reason = condition.get("type") or "", condition.get("status") or "", condition.get("reason") or ""
        if kind in seen:
            problems.append(duplicate(f"{here}.type", kind))
        seen.add(kind)
        problems += label_name_problems(kind, f"{here}.type")
        if status not in CONDITION_STATUSES:
            problems.append(unsupported(f"{here}.status", status, CONDITION_STATUSES))
        if (condition.get("observedGeneration") or 0) < 0:
            problems.append(invalid(f"{here}.observedGeneration", condition["observedGeneration"],
                                    "must be greater than or equal to zero"))
        if not condition.get("lastTransitionTime"):
            problems.append(required(f"{here}.lastTransitionTime", "must be set"))
        if not reason:
            problems.append(required(f"{here}.reason", "must be set"))
        else:
            if not CONDITION_REASON.match(reason):
                problems.append(invalid(f"{here}.reason", reason, regex_error(
                    CONDITION_REASON_MSG, CONDITION_REASON_FMT, "my_name", "MY_NAME", "MyName", "ReasonA,ReasonB",
                    "ReasonA:ReasonB")))
            if len(reason.encode()) > MAX_CONDITION_REASON_LEN:
                problems.append(f"{here}.reason: Too long: must have at most {MAX_CONDITION_REASON_LEN} bytes")
        if len((condition.get("message") or "").encode()) > MAX_CONDITION_MESSAGE_LEN:
            problems.append(f"{here}.message: Too long: must have at most {MAX_CONDITION_MESSAGE_LEN} bytes")
    return problems


PROPAGATION_POLICIES = ("Foreground", "Background", "Orphan")


@mirrors("k8s.io/apimachinery/pkg/apis/meta/v1/validation.ValidateDeleteOptions")
def delete_options_problems(options: dict) -> list[str]:
    """An unknown propagationPolicy, or one given beside orphanDependents, is refused before
    anything is deleted."""
    policy = options.get("propagationPolicy")
    problems = []
    if options.get("orphanDependents") is not None and policy is not None:
        problems.append(invalid("propagationPolicy", policy,
                                "orphanDependents and deletionPropagation cannot be both set"))
    if policy is not None and policy not in PROPAGATION_POLICIES:
        problems.append(unsupported("propagationPolicy", policy, (*PROPAGATION_POLICIES, "nil")))
    dry = options.get("dryRun")
    if dry is not None and (not isinstance(dry, list) or any(value != "All" for value in dry)):
        problems.append(f'dryRun: Unsupported value: {go_value(dry)}: supported values: "All"')
    return problems


TAINT_EFFECTS = ("NoExecute", "NoSchedule", "PreferNoSchedule")


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateTolerations")
def toleration_problems(tolerations: list[dict], path: str) -> list[str]:
    """Operators Equal (or empty) and Exists, known effects, an empty key only with Exists,
    tolerationSeconds only with NoExecute: the scheduler and the taint manager read nothing else."""
    problems = []
    for index, toleration in enumerate(tolerations):
        here, key = f"{path}[{index}]", toleration.get("key") or ""
        operator, effect = toleration.get("operator") or "", toleration.get("effect") or ""
        if key and label_key_problem(key):
            problems.append(invalid(f"{here}.key", key, label_key_problem(key)))
        if not key and operator != "Exists":
            problems.append(invalid(f"{here}.operator", operator, 'operator must be Exists when `key` is empty, '
                                    'which means "match all values and all keys"'))
        if toleration.get("tolerationSeconds") is not None and effect != "NoExecute":
            problems.append(invalid(f"{here}.effect", effect,
                                    "effect must be 'NoExecute' when `tolerationSeconds` is set"))
        if operator not in ("", "Equal", "Exists"):
            problems.append(unsupported(f"{here}.operator", operator, ("Equal", "Exists")))
        elif operator == "Exists" and toleration.get("value"):
            problems.append(f"{here}.operator: Invalid value: {toleration}: value must be empty when `operator` "
                            "is 'Exists'")
        if effect and effect not in TAINT_EFFECTS:
            problems.append(unsupported(f"{here}.effect", effect, TAINT_EFFECTS))
    return problems


def _object(value: object) -> dict:
    return value if isinstance(value, dict) else {}


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateNodeSelectorRequirement")
def node_affinity_problems(spec: dict, path: str) -> list[str]:
    """Every required node selector term's expressions: a valid key, a known operator, and the
    values that operator takes (a term without a key stopped the scheduler's filter)."""
    # The decoder does not type Affinity: any level may be a string or a list, read as empty.
    affinity = _object(spec.get("affinity"))
    required_terms = _object(affinity.get("nodeAffinity")).get("requiredDuringSchedulingIgnoredDuringExecution")
    if required_terms is None:
        return []
    path += ".requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"
    terms = _object(required_terms).get("nodeSelectorTerms")
    if not terms or not isinstance(terms, list):
        return [f"{path}: Required value: must have at least one node selector term"]
    problems = []
    for t, term in enumerate(terms):
        for field in ("matchExpressions", "matchFields"):
            requirements = _object(term).get(field)
            for e, requirement in enumerate(requirements if isinstance(requirements, list) else []):
                here, requirement = f"{path}[{t}].{field}[{e}]", _object(requirement)
                operator, values = requirement.get("operator"), requirement.get("values") or []
                if operator in ("In", "NotIn") and not values:
                    problems.append(f"{here}.values: Required value: must be specified when `operator` is 'In' "
                                    "or 'NotIn'")
                elif operator in ("Exists", "DoesNotExist") and values:
                    problems.append(f"{here}.values: Forbidden: may not be specified when `operator` is 'Exists' "
                                    "or 'DoesNotExist'")
                elif operator in ("Gt", "Lt") and len(values) != 1:
                    problems.append(f"{here}.values: Required value: must be specified single value when "
                                    "`operator` is 'Lt' or 'Gt'")
                elif operator not in ("In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"):
                    problems.append(invalid(f"{here}.operator", operator or "", "not a valid selector operator"))
                key = requirement.get("key") or ""
                if label_key_problem(key):
                    problems.append(invalid(f"{here}.key", key, label_key_problem(key)))
    return problems


def selected_template_problems(spec: dict, noun: str, restart_policies: tuple[str, ...],
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
    return selected_template_problems(obj.get("spec") or {}, "deployment", ("Always",))


JOB_RESTART_POLICIES = ("OnFailure", "Never")


def job_spec_problems(spec: dict, path: str) -> list[str]:
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
    """ConfigMaps and Secrets: every data key a valid config key, none both in data and binaryData."""
    data = obj.get("data") or {}
    return [invalid(f"{field}[{key}]", key, CONFIG_KEY_MSG)
            for field in ("data", "binaryData") for key in (obj.get(field) or {})
            if not CONFIG_KEY.match(key)] + \
        [invalid(f"binaryData[{key}]", key, "duplicate of key present in data")
         for key in obj.get("binaryData") or {} if key in data]


PERCENT_MSG = ("a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or "
               "'93%', regex used for validation is '[0-9]+%')")


def int_or_string(value: object) -> str:
    """How field.Invalid prints an intstr.IntOrString (a struct without a value String method)."""
    if isinstance(value, str):
        return f"intstr.IntOrString{{Type:1, IntVal:0, StrVal:{quote(value)}}}"
    return f'intstr.IntOrString{{Type:0, IntVal:{value}, StrVal:""}}'


@mirrors("k8s.io/kubernetes/pkg/apis/apps/validation.ValidatePositiveIntOrPercent")
def positive_int_or_percent(value: object, path: str) -> tuple[list[str], int | None]:
    """ValidatePositiveIntOrPercent's errors and the value getIntOrPercentValue reads (None if bad)."""
    if isinstance(value, str):
        if not re.fullmatch(r"[0-9]+%", value):
            return [f"{path}: Invalid value: {int_or_string(value)}: {PERCENT_MSG}"], None
        return [], int(value[:-1])
    if value < 0:
        return [invalid(path, value, "must be greater than or equal to 0")], None
    return [], value


@mirrors("k8s.io/kubernetes/pkg/apis/apps/validation.IsNotMoreThan100Percent")
def not_more_than_100_percent(value: object, path: str) -> list[str]:
    if isinstance(value, str) and re.fullmatch(r"[0-9]+%", value) and int(value[:-1]) > 100:
        return [f"{path}: Invalid value: {int_or_string(value)}: must not be greater than 100%"]
    return []


ABOVE_REPLICAS_MSG = "cannot be greater than status.replicas"
ABOVE_READY_MSG = "cannot be greater than readyReplicas"


def _count(status: dict, field: str) -> int:
    """A status count as Go holds it: 0 when unset (the decoder refuses anything but a number)."""
    value = status.get(field)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


@mirrors("k8s.io/apimachinery/pkg/api/validation.ValidateNonnegativeField")
def nonnegative_counts(status: dict, fields: tuple[str, ...], path: str = "status") -> list[str]:
    """Each of the status's `fields` not negative, in the order given."""
    return [invalid(f"{path}.{field}", _count(status, field), NEGATIVE_MSG) for field in fields
            if _count(status, field) < 0]


def counts_not_above(status: dict, fields: tuple[str, ...], bound: str, detail: str,
                     path: str = "status") -> list[str]:
    """Each of the status's `fields` at most its `bound` field (readyReplicas <= replicas, ...)."""
    return [invalid(f"{path}.{field}", _count(status, field), detail) for field in fields
            if _count(status, field) > _count(status, bound)]


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.IsDecremented")
def collision_count_decremented(old: dict, new: dict) -> list[str]:
    """A status.collisionCount, once set, may only grow: lowering or dropping it is invalid."""
    old_count = (old.get("status") or {}).get("collisionCount")
    new_count = (new.get("status") or {}).get("collisionCount")
    if old_count is not None and (new_count is None or new_count < old_count):
        return [invalid("status.collisionCount", new_count or 0, "cannot be decremented")]
    return []


def validate_selector_immutable(old: dict, new: dict) -> list[str]:
    """apps/v1 workloads may not change their selector."""
    old_selector = (old.get("spec") or {}).get("selector")
    new_selector = (new.get("spec") or {}).get("selector")
    if old_selector != new_selector:
        return [f"spec.selector: Invalid value: {new_selector}: field is immutable"]
    return []


