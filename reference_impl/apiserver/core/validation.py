"""Validation with the field paths and messages of k8s.io/kubernetes/pkg/apis/*/validation: the rules
every object meets (names, metadata) and the checks several kinds share (labels, selectors, conditions,
status counts); pod specs and templates are `podvalidation`'s, each kind's own validators are in its
module (`kinds`).

Each validator takes an object dict and returns `field: Type: detail` strings (the text of a
field.Error), empty when the object is valid; `errors.invalid` turns them into a 422. Only the
rules clients trip over in practice are checked: names, required fields, ports, selectors.
"""
from __future__ import annotations

import ipaddress
import re

from reference_impl.apiserver.core.selectors import DNS_SUBDOMAIN, label_value_problem
from reference_impl.machinery import gojson, quantity
from reference_impl.machinery.gojson import quote
from reference_impl.machinery.labels import label_value_problems, qualified_name_problems, regex_error
from reference_impl.machinery.timefmt import go_time_string
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


def forbidden(path: str, detail: str) -> str:
    return f"{path}: Forbidden: {detail}"


@mirrors("(*k8s.io/apimachinery/pkg/util/validation/field.Error).ErrorBody")
def invalid(path: str, value: object, detail: str) -> str:
    """field.Invalid's text: a string value as %q quotes it (strconv.Quote), others as go_value."""
    shown = quote(value) if isinstance(value, str) else go_value(value)
    return f"{path}: Invalid value: {shown}: {detail}"


@mirrors("k8s.io/apimachinery/pkg/api/equality.Semantic")
def semantically_equal(a: object, b: object) -> bool:
    """Semantic.DeepEqual of two decoded objects: a field left out, a null and its zero value (0,
    "", false, an empty list or map) are one, as they are in the Go structs it compares."""
    return _without_zeros(a) == _without_zeros(b)


def _without_zeros(value: object) -> object:
    if isinstance(value, dict):
        kept = {key: _without_zeros(item) for key, item in value.items()}
        return {key: item for key, item in kept.items() if item not in (None, "", 0, {}, [])}
    if isinstance(value, list):
        return [_without_zeros(item) for item in value]
    return value


def duplicate(path: str, value: str) -> str:
    return f"{path}: Duplicate value: {quote(value)}"


def unsupported(path: str, value: object, supported: tuple[str, ...]) -> str:
    choices = ", ".join(quote(s) for s in supported)
    return f"{path}: Unsupported value: {quote(str(value))}: supported values: {choices}"


def go_string_map(value: dict | None) -> str:
    """Go's %#v of a map[string]string field, which tells a nil map from an empty one."""
    return "map[string]string(nil)" if value is None else go_value(value)


def go_value(value: object) -> str:
    """How Go's %#v prints the few value types errors show (ints, bools, string maps, string slices)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict):
        return "map[string]string{" + ", ".join(f"{quote(k)}:{quote(str(v))}" for k, v in sorted(value.items())) + "}"
    if isinstance(value, list):
        return "[]string{" + ", ".join(quote(str(v)) for v in value) + "}"
    return str(value)


@mirrors("k8s.io/apimachinery/pkg/util/validation.IsDNS1123Subdomain",
         "k8s.io/apimachinery/pkg/util/validation.IsDNS1123Label",
         "k8s.io/apimachinery/pkg/api/validation.maskTrailingDash")
def name_problems(name: str, rule: str, path: str = "metadata.name", prefix: bool = False) -> list[str]:
    """Errors for `name` under `rule`: "subdomain", "label" (RFC 1123), "dns1035", "path" or
    "path-name". A `prefix` (a generateName) is checked as if its trailing dash were a letter; the
    message still shows it as written. "path-name" is "path" with the prefix checked as a whole
    name, as ValidateRBACName and APIService's name func (which ignore `prefix`) check it."""
    if rule == "path-name":
        return name_problems(name, "path", path)
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


def metadata_problems(obj: dict, rule: str, core: bool = False, requires_namespace: bool = False) -> list[str]:
    """ValidateObjectMeta: a valid name, a generation not below 0, valid label and annotation keys
    and values, owner references and finalizers (a `core` kind's also standard or domain-qualified). The registry
    gives a stored object its namespace; an object it does not store (a Scale) `requires_namespace`."""
    meta = obj.get("metadata") or {}
    problems = []
    if meta.get("generateName"):
        problems += name_problems(meta["generateName"], rule, "metadata.generateName", prefix=True)
    if not meta.get("name"):
        if not meta.get("generateName"):
            problems.append("metadata.name: Required value: name or generateName is required")
    else:
        problems += name_problems(meta["name"], rule)
    if requires_namespace and not meta.get("namespace"):
        problems.append(required("metadata.namespace"))
    generation = meta.get("generation")
    if isinstance(generation, int) and generation < 0:
        problems.append(invalid("metadata.generation", generation, NEGATIVE_MSG))
    problems += label_problems(meta.get("labels"), "metadata.labels")
    problems += annotation_problems(meta.get("annotations"), "metadata.annotations")
    problems += owner_reference_problems(meta.get("ownerReferences") or [])
    problems += finalizer_problems(meta.get("finalizers") or [], core)
    return problems


@mirrors("k8s.io/apimachinery/pkg/api/validation.ValidateObjectMetaAccessorUpdate",
         "k8s.io/kubernetes/pkg/apis/core/validation.ValidateObjectMetaUpdate")
def metadata_update_problems(new: dict, old: dict, kube_finalizers: bool = False) -> list[str]:
    """ValidateObjectMetaUpdate of `new` against the stored `old`, once the registry has put back
    what an update may not send: `immutable_metadata_problems`, then the labels, annotations and
    owner references again; core's version also every finalizer name without a domain."""
    meta = new["metadata"]
    problems = new_finalizer_problems(meta, old["metadata"])
    problems += immutable_metadata_problems(meta, old["metadata"])
    problems += label_problems(meta.get("labels"), "metadata.labels")
    problems += annotation_problems(meta.get("annotations"), "metadata.annotations")
    problems += owner_reference_problems(meta.get("ownerReferences") or [])
    if kube_finalizers:
        problems += [problem for index, finalizer in enumerate(meta.get("finalizers") or [])
                     for problem in _kube_finalizer_problems(finalizer, f"metadata.finalizers[{index}]")]
    return problems


@mirrors("k8s.io/apimachinery/pkg/api/validation.ValidateNoNewFinalizers")
def new_finalizer_problems(meta: dict, old_meta: dict) -> list[str]:
    """An object being deleted may lose finalizers but gain none (named sorted, once each)."""
    if old_meta.get("deletionTimestamp") is None:
        return []
    added = sorted({str(f) for f in meta.get("finalizers") or []} - {str(f) for f in old_meta.get("finalizers") or []})
    return [forbidden("metadata.finalizers", "no new finalizers can be added if the object is being deleted, "
                      f"found new finalizers {go_value(added)}")] if added else []


@mirrors("k8s.io/apimachinery/pkg/api/validation.ValidateImmutableField")
def immutable_metadata_problems(meta: dict, old_meta: dict) -> list[str]:
    """A changed uid, or a deletion field set or changed by the client (so that no client starts
    a deletion by update)."""
    problems = []
    if meta.get("uid") != old_meta.get("uid"):
        problems.append(invalid("metadata.uid", meta["uid"], "field is immutable"))
    if meta.get("deletionTimestamp") != old_meta.get("deletionTimestamp"):
        problems.append(f"metadata.deletionTimestamp: Invalid value: {go_time_string(meta['deletionTimestamp'])}: "
                        "field is immutable")
    if meta.get("deletionGracePeriodSeconds") != old_meta.get("deletionGracePeriodSeconds"):
        problems.append(f"metadata.deletionGracePeriodSeconds: Invalid value: {meta['deletionGracePeriodSeconds']}: "
                        "field is immutable")
    return problems


# apimachinery's TotalAnnotationSizeLimitB: the keys and values of one object's annotations.
TOTAL_ANNOTATION_SIZE = 256 * 1024


@mirrors("k8s.io/apimachinery/pkg/api/validation.ValidateAnnotations",
         "k8s.io/apimachinery/pkg/api/validation.ValidateAnnotationsSize")
def annotation_problems(annotations: object, path: str) -> list[str]:
    """Every key a qualified name once lower-cased (upper case is allowed in annotation keys): one
    error for each way a key is not; then the keys and values together at most 256 KiB. Each
    metadata check reports both again."""
    annotations = annotations if isinstance(annotations, dict) else {}
    problems = [invalid(path, key, problem) for key in annotations for problem in qualified_name_problems(key.lower())]
    if sum(len(key.encode("utf-8", "surrogateescape")) + len(str(value).encode("utf-8", "surrogateescape"))
           for key, value in annotations.items()) > TOTAL_ANNOTATION_SIZE:
        problems.append(f"{path}: Too long: must have at most {TOTAL_ANNOTATION_SIZE} bytes")
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
            problems.append(f"{path}: Invalid value: {go_owner_reference(ref)}: /v1, Kind=Event is disallowed "
                            "from being an owner")
        if ref.get("controller"):
            current = ref.get("name") or ""  # 1.24 names the references by name alone
            if controller:
                shown = "[]v1.OwnerReference{" + ", ".join(go_owner_reference(r) for r in references) + "}"
                problems.append(f"{path}: Invalid value: {shown}: Only one reference can have Controller "
                                f'set to true. Found "true" in references for {controller} and {current}')
            else:
                controller = current
    return problems


def go_owner_reference(ref: dict) -> str:
    """A v1.OwnerReference as %#v prints it in a field.Invalid: a pointer that is set as an address
    (0xc000000000 here; Go's differs from run to run)."""
    def pointer(field: str) -> str:
        return "(*bool)(nil)" if ref.get(field) is None else "(*bool)(0xc000000000)"
    named = (("APIVersion", "apiVersion"), ("Kind", "kind"), ("Name", "name"), ("UID", "uid"))
    fields = ", ".join(f"{name}:{quote(str(ref.get(key) or ''))}" for name, key in named)
    return f"v1.OwnerReference{{{fields}, Controller:{pointer('controller')}, " \
           f"BlockOwnerDeletion:{pointer('blockOwnerDeletion')}}}"


@mirrors("k8s.io/apimachinery/pkg/api/validation.ValidateFinalizers",
         "k8s.io/kubernetes/pkg/apis/core/validation.validateKubeFinalizerName")
@mirrors("k8s.io/apimachinery/pkg/api/validation.ValidateFinalizers",
         "k8s.io/kubernetes/pkg/apis/core/validation.ValidateObjectMeta")
def finalizer_problems(finalizers: list[str], core: bool) -> list[str]:
    """metadata.finalizers: each a qualified name (one error per problem), not both `orphan` and
    `foregroundDeletion`; then, of a core kind, each one without a domain a standard one."""
    path = "metadata.finalizers"
    problems = [invalid(path, finalizer, problem)
                for finalizer in finalizers for problem in qualified_name_problems(finalizer)]
    if "orphan" in finalizers and "foregroundDeletion" in finalizers:
        problems.append(invalid(path, finalizers, "finalizer orphan and foregroundDeletion cannot be both set"))
    if core:
        problems += [problem for index, finalizer in enumerate(finalizers)
                     for problem in _kube_finalizer_problems(finalizer, f"{path}[{index}]")]
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateFinalizerName")
def finalizer_name_problems(finalizer: str, path: str) -> list[str]:
    """A core finalizer name: a qualified name (one error per problem), and a standard one when it
    has no domain."""
    return ([invalid(path, finalizer, problem) for problem in qualified_name_problems(finalizer)]
            + _kube_finalizer_problems(finalizer, path))


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateKubeFinalizerName")
def _kube_finalizer_problems(finalizer: str, path: str) -> list[str]:
    if "/" not in finalizer and finalizer not in STANDARD_FINALIZERS:
        return [invalid(path, finalizer, "name is neither a standard finalizer name nor is it fully qualified")]
    return []


PORT_RANGE_MSG = "must be between 1 and 65535, inclusive"
IP_MSG = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
NEGATIVE_MSG = "must be greater than or equal to 0"
PROTOCOLS = ("SCTP", "TCP", "UDP")


@mirrors("k8s.io/utils/net.ParseIPSloppy")
def parse_ip(ip: object) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The address `ip` spells as netutils.ParseIPSloppy (Go 1.16's net.ParseIP) reads it, or None:
    IPv4 octets are decimals that may have leading zeros ("010.1.2.3" is 10.1.2.3, never octal),
    also after an IPv6 prefix ("::ffff:010.1.2.3"); an IPv6 zone ("fe80::1%eth0") is no address."""
    if not isinstance(ip, str) or "%" in ip:
        return None
    head, colon, dotted = ip.rpartition(":")
    if "." in dotted:
        octets = dotted.split(".")
        # Go's dtoi takes any number of leading zeros; stripping them first keeps a long octet from
        # reaching int() (Python refuses to parse over 4,300 digits).
        values = [o.lstrip("0") or "0" for o in octets]
        if len(octets) != 4 or not all(o.isascii() and o.isdigit() for o in octets) \
                or not all(len(v) <= 3 and int(v) <= 255 for v in values):
            return None
        ip = head + colon + ".".join(str(int(v)) for v in values)
    try:
        return ipaddress.ip_address(ip)
    except ValueError:
        return None


def go_ip(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> ipaddress.IPv4Address | ipaddress.IPv6Address:
    """The address as Go's net.IP methods classify it: an IPv4-mapped IPv6 address (::ffff:a.b.c.d)
    is its IPv4 address, as To4 makes it."""
    return getattr(address, "ipv4_mapped", None) or address


@mirrors("k8s.io/utils/net.ParseCIDRSloppy")
def parse_cidr(cidr: object) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """The network `cidr` spells as Go's net.ParseCIDR reads it (an address, "/", a prefix length
    in decimal digits; host bits may be set), or None for anything else."""
    if not isinstance(cidr, str) or "/" not in cidr or "%" in cidr:
        return None
    address, _, length = cidr.partition("/")
    ip = parse_ip(address)
    if ip is None or not (length.isascii() and length.isdigit()) or int(length) > ip.max_prefixlen:
        return None
    return ipaddress.ip_network(f"{ip}/{int(length)}", strict=False)


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateTolerations")
def toleration_problems(tolerations: list[dict], path: str) -> list[str]:
    """Operators Equal (or empty) and Exists, known effects, an empty key only with Exists,
    tolerationSeconds only with NoExecute: the scheduler and the taint manager read nothing else."""
    problems = []
    for index, toleration in enumerate(tolerations):
        here, key = f"{path}[{index}]", toleration.get("key") or ""
        operator, effect = toleration.get("operator") or "", toleration.get("effect") or ""
        if key:
            problems += label_name_problems(key, f"{here}.key")
        if not key and operator != "Exists":
            problems.append(invalid(f"{here}.operator", operator, 'operator must be Exists when `key` is empty, '
                                    'which means "match all values and all keys"'))
        if toleration.get("tolerationSeconds") is not None and effect != "NoExecute":
            problems.append(invalid(f"{here}.effect", effect,
                                    "effect must be 'NoExecute' when `tolerationSeconds` is set"))
        if operator not in ("", "Equal", "Exists"):
            problems.append(unsupported(f"{here}.operator", operator, ("Equal", "Exists")))
        elif operator == "Exists" and toleration.get("value"):
            problems.append(f"{here}.operator: Invalid value: {go_toleration(toleration)}: value must be empty when "
                            "`operator` is 'Exists'")
        if effect and effect not in TAINT_EFFECTS:
            problems.append(unsupported(f"{here}.effect", effect, TAINT_EFFECTS))
    return problems


def go_toleration(toleration: dict) -> str:
    """%#v of a core.Toleration (a set tolerationSeconds prints as a pointer, whose address stands in)."""
    fields = ", ".join(f"{go_name}:{quote(toleration.get(name) or '')}" for go_name, name in (
        ("Key", "key"), ("Operator", "operator"), ("Value", "value"), ("Effect", "effect")))
    seconds = "(*int64)(nil)" if toleration.get("tolerationSeconds") is None else "(*int64)(0xc000000000)"
    return f"core.Toleration{{{fields}, TolerationSeconds:{seconds}}}"


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateLoadBalancerStatus")
def load_balancer_status_problems(load_balancer: dict, path: str) -> list[str]:
    """Each ingress point's ip must be an IP, its hostname a DNS subdomain that is no IP."""
    problems = []
    for i, point in enumerate(as_list(load_balancer.get("ingress"))):
        point, here = as_object(point), f"{path}.ingress[{i}]"
        if point.get("ip") and parse_ip(point["ip"]) is None:
            problems.append(invalid(f"{here}.ip", point["ip"], "must be a valid IP address"))
        if point.get("hostname"):
            problems += name_problems(point["hostname"], "subdomain", f"{here}.hostname")
            if parse_ip(point["hostname"]) is not None:
                problems.append(invalid(f"{here}.hostname", point["hostname"], "must be a DNS name, not an IP address"))
    return problems


@mirrors("k8s.io/apimachinery/pkg/apis/meta/v1/validation.ValidateLabels")
def label_problems(labels: object, path: str) -> list[str]:
    """Every key a qualified name and every value a label value: one error for each way either is not."""
    problems = []
    for key, value in (labels.items() if isinstance(labels, dict) else ()):
        problems += label_name_problems(key, path)
        problems += [invalid(path, value, problem) for problem in label_value_problems(str(value))]
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
        here, requirement = f"{path}.matchExpressions[{i}]", as_object(requirement)
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


@mirrors("k8s.io/apimachinery/pkg/apis/meta/v1.LabelSelectorAsSelector",
         "k8s.io/apimachinery/pkg/labels.NewRequirement")
def converts_to_selector(selector: object) -> bool:
    """Whether a metav1.LabelSelector converts to a labels.Selector: one with no problems that
    ValidateLabelSelector reports, and label values in its expressions too. A missing selector
    converts (to one that matches nothing)."""
    if selector is None:
        return True
    expressions = as_list(as_object(selector).get("matchExpressions"))
    return not label_selector_problems(selector, "") and not any(
        label_value_problem(value) for requirement in expressions
        for value in as_list(as_object(requirement).get("values")))


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
        here, condition = f"{path}[{i}]", as_object(condition)
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
            if len(reason.encode("utf-8", "surrogateescape")) > MAX_CONDITION_REASON_LEN:
                problems.append(f"{here}.reason: Too long: must have at most {MAX_CONDITION_REASON_LEN} bytes")
        if len((condition.get("message") or "").encode("utf-8", "surrogateescape")) > MAX_CONDITION_MESSAGE_LEN:
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
    return problems + dry_run_problems(options.get("dryRun"))


@mirrors("k8s.io/apimachinery/pkg/apis/meta/v1/validation.ValidateDryRun")
def dry_run_problems(dry_run: object) -> list[str]:
    """A write's dryRun values: All, or none."""
    if dry_run is not None and (not isinstance(dry_run, list) or any(value != "All" for value in dry_run)):
        return [f'dryRun: Unsupported value: {go_value(dry_run)}: supported values: "All"']
    return []


TAINT_EFFECTS = ("NoSchedule", "PreferNoSchedule", "NoExecute")  # validateTaintEffect's order


def as_object(value: object) -> dict:
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list:
    """A list field as the code reads it: the decoder does not type Affinity, security contexts and
    other parts of a pod spec (the schema says any object), so any level may be a string or a
    number, read as empty."""
    return value if isinstance(value, list) else []


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
            if value is not None and not isinstance(value, str):  # a null decodes as ""
                return (f"{kind} in version \"v1\" cannot be handled as a {kind}: "
                        + gojson.type_error(gojson.type_name(value), "string", f"{kind}.{field}"))
    return None


def validate_config_data(obj: dict) -> list[str]:
    """ConfigMaps and Secrets: every data key a valid config key, none of data's also in binaryData
    (1.24 reports the duplicate once, at data)."""
    data, binary = obj.get("data") or {}, obj.get("binaryData") or {}
    problems = []
    for key in data:
        problems += [invalid(f"data[{key}]", key, problem) for problem in config_key_problems(key)]
        if key in binary:
            problems.append(invalid(f"data[{key}]", key, "duplicate of key present in binaryData"))
    return problems + [invalid(f"binaryData[{key}]", key, problem) for key in binary
                       for problem in config_key_problems(key)]


@mirrors("k8s.io/apimachinery/pkg/util/validation.IsConfigMapKey",
         "k8s.io/apimachinery/pkg/util/validation.hasChDirPrefix")
def config_key_problems(key: str) -> list[str]:
    """At most 253 characters of letters, digits, '-', '_' and '.', and no name that would climb out of
    the directory a volume writes the keys as files into ('.', '..', or starting with '..')."""
    problems = ["must be no more than 253 characters"] if len(key) > 253 else []
    if not CONFIG_KEY.match(key):
        problems.append(CONFIG_KEY_MSG)
    if key in (".", ".."):
        problems.append(f"must not be '{key}'")
    elif key.startswith(".."):
        problems.append("must not start with '..'")
    return problems


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


def go_label_selector(selector: dict) -> str:
    """Go's %#v of a metav1.LabelSelector, as field errors show one."""
    labels, expressions = selector.get("matchLabels"), selector.get("matchExpressions")
    requirements = "[]v1.LabelSelectorRequirement(nil)" if expressions is None else \
        "[]v1.LabelSelectorRequirement{" + ", ".join(
            f"v1.LabelSelectorRequirement{{Key:{quote(r.get('key') or '')}, Operator:{quote(r.get('operator') or '')}, "
            f"Values:{'[]string(nil)' if r.get('values') is None else go_value(r['values'])}}}"
            for r in map(as_object, expressions)) + "}"
    return (f"v1.LabelSelector{{MatchLabels:{'map[string]string(nil)' if labels is None else go_value(labels)}, "
            f"MatchExpressions:{requirements}}}")


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateImmutableField")
def validate_selector_immutable(old: dict, new: dict) -> list[str]:
    """apps/v1 workloads and Jobs may not change their selector; a missing one shows as Go's nil
    pointer does, "null"."""
    old_selector = (old.get("spec") or {}).get("selector")
    new_selector = (new.get("spec") or {}).get("selector")
    if old_selector == new_selector:
        return []
    if not isinstance(new_selector, dict):
        return [invalid("spec.selector", "null", "field is immutable")]
    return [f"spec.selector: Invalid value: {go_label_selector(new_selector)}: field is immutable"]




# Resource names (pkg/apis/core/helper): what a container may ask for, what a quota may count.
STANDARD_CONTAINER_RESOURCES = ("cpu", "memory", "ephemeral-storage")
STANDARD_QUOTA_RESOURCES = (
    *STANDARD_CONTAINER_RESOURCES, "requests.cpu", "requests.memory", "requests.storage",
    "requests.ephemeral-storage", "limits.cpu", "limits.memory", "limits.ephemeral-storage", "pods",
    "resourcequotas", "services", "replicationcontrollers", "secrets", "persistentvolumeclaims", "configmaps",
    "services.nodeports", "services.loadbalancers")
STANDARD_RESOURCES = (*STANDARD_QUOTA_RESOURCES, "storage")
INTEGER_RESOURCES = ("pods", "resourcequotas", "services", "replicationcontrollers", "secrets", "configmaps",
                     "persistentvolumeclaims", "services.nodeports", "services.loadbalancers")
INVALID_QUOTA_RESOURCE_MSG = "must be a standard resource for quota"


@mirrors("k8s.io/kubernetes/pkg/apis/core/helper.IsNativeResource")
def is_native_resource(name: str) -> bool:
    """An unprefixed name, or one in the kubernetes.io/ namespace."""
    return "/" not in name or "kubernetes.io/" in name


@mirrors("k8s.io/kubernetes/pkg/apis/core/helper.IsExtendedResourceName")
def is_extended_resource_name(name: str) -> bool:
    return (not is_native_resource(name) and not name.startswith("requests.")
            and not qualified_name_problems("requests." + name))


@mirrors("k8s.io/kubernetes/pkg/apis/core/helper.IsOvercommitAllowed")
def is_overcommit_allowed(name: str) -> bool:
    return is_native_resource(name) and not name.startswith("hugepages-")


@mirrors("k8s.io/kubernetes/pkg/apis/core/helper.IsStandardQuotaResourceName")
def is_standard_quota_resource_name(name: str) -> bool:
    return name in STANDARD_QUOTA_RESOURCES or name.startswith(("hugepages-", "requests.hugepages-"))


@mirrors("k8s.io/kubernetes/pkg/apis/core/helper.IsIntegerResourceName")
def is_integer_resource_name(name: str) -> bool:
    return name in INTEGER_RESOURCES or is_extended_resource_name(name)


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateResourceName")
def resource_name_problems(name: str, path: str) -> list[str]:
    """A qualified name, and without a domain one of the standard resources."""
    problems = label_name_problems(name, path)
    if not problems and "/" not in name and not (name in STANDARD_RESOURCES
                                                 or name.startswith(("hugepages-", "requests.hugepages-"))):
        problems.append(invalid(path, name, "must be a standard resource type or fully qualified"))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateContainerResourceName")
def container_resource_name_problems(name: str, path: str) -> list[str]:
    """A resource name a container may ask for: cpu, memory, ephemeral-storage, hugepages or an
    extended resource."""
    problems = resource_name_problems(name, path)
    if "/" not in name:
        if not (name in STANDARD_CONTAINER_RESOURCES or name.startswith("hugepages-")):
            problems.append(invalid(path, name, "must be a standard resource for containers"))
    elif not is_native_resource(name) and not is_extended_resource_name(name):
        problems.append(invalid(path, name, "doesn't follow extended resource name standard"))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateResourceQuotaResourceName")
def quota_resource_name_problems(name: str, path: str) -> list[str]:
    problems = resource_name_problems(name, path)
    if "/" not in name and not is_standard_quota_resource_name(name):
        problems.append(invalid(path, name, INVALID_QUOTA_RESOURCE_MSG))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateResourceQuantityValue")
def resource_quantity_problems(name: str, written: object, path: str) -> list[str]:
    """Not negative, and a whole number for a resource counted in units (pods, services, ...)."""
    value = quantity.parse(written)
    problems = [invalid(path, str(value), NEGATIVE_MSG)] if value.value < 0 else []
    if is_integer_resource_name(name) and quantity.scaled_value(written, -3) % 1000:  # MilliValue, overflow and all
        problems.append(f"{path}: Invalid value: {quantity.go_syntax(written)}: must be an integer")
    return problems
