"""The warnings a create of a pod, or a create or update of a kind holding a pod template, answers
with in `Warning` headers (pkg/api/pod/warnings.go and the strategies' WarningsOn*): deprecated node labels, annotations and volume plugins,
duplicates the API keeps but a kubelet merges or drops, fractional byte quantities, and seccomp
annotations without the field that replaces them. They never refuse anything."""
from __future__ import annotations

import functools

from reference_impl.apiserver.core.validation import as_list, as_object
from reference_impl.machinery import quantity
from reference_impl.machinery.gojson import quote
from reference_impl.mirrors import mirrors

DEPRECATED_NODE_LABELS = {
    "beta.kubernetes.io/arch": 'deprecated since v1.14; use "kubernetes.io/arch" instead',
    "beta.kubernetes.io/os": 'deprecated since v1.14; use "kubernetes.io/os" instead',
    "failure-domain.beta.kubernetes.io/region": 'deprecated since v1.17; use "topology.kubernetes.io/region" instead',
    "failure-domain.beta.kubernetes.io/zone": 'deprecated since v1.17; use "topology.kubernetes.io/zone" instead',
    "beta.kubernetes.io/instance-type": 'deprecated since v1.17; use "node.kubernetes.io/instance-type" instead',
}
DEPRECATED_ANNOTATIONS = {
    "scheduler.alpha.kubernetes.io/critical-pod": 'non-functional in v1.16+; use the "priorityClassName" field instead',
    "security.alpha.kubernetes.io/sysctls": 'non-functional in v1.11+; use the "sysctls" field instead',
    "security.alpha.kubernetes.io/unsafe-sysctls": 'non-functional in v1.11+; use the "sysctls" field instead',
}
# Each deprecated volume source: its JSON field, the name upstream's warning gives it (storageOS,
# not the field's storageos) and the message.
DEPRECATED_VOLUMES = (
    ("photonPersistentDisk", "photonPersistentDisk", "deprecated in v1.11, non-functional in v1.16+"),
    ("gitRepo", "gitRepo", "deprecated in v1.11"), ("scaleIO", "scaleIO", "deprecated in v1.16, non-functional in v1.22+"),
    ("flocker", "flocker", "deprecated in v1.22, support removal is planned in v1.26"),
    ("storageos", "storageOS", "deprecated in v1.22, support removal is planned in v1.26"),
    ("quobyte", "quobyte", "deprecated in v1.22, support removal is planned in v1.26"),
)
SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_CONTAINER_PREFIX = "container.seccomp.security.alpha.kubernetes.io/"
SECCOMP_MESSAGE = 'deprecated since v1.19, non-functional in v1.25+; use the "seccompProfile" field instead'
BYTE_RESOURCES = ("memory", "ephemeral-storage")

# Where each kind keeps its pod template, and the path its warnings name.
TEMPLATES = {
    **{(group, kind): (("spec", "template"), "spec.template") for group, kind in (
        ("apps", "Deployment"), ("apps", "ReplicaSet"), ("apps", "DaemonSet"), ("apps", "StatefulSet"),
        ("batch", "Job"), ("", "ReplicationController"))},
    ("batch", "CronJob"): (("spec", "jobTemplate", "spec", "template"), "spec.jobTemplate.spec.template"),
    ("", "PodTemplate"): (("template",), "template")}
CRON_TZ_WARNING = ("CRON_TZ or TZ used in spec.spec.schedule is not officially supported, see "  # upstream's path
                   "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details")


def _child(path: str, *names: str) -> str:
    return f"{path}.{'.'.join(names)}" if path else ".".join(names)


def _node_label_warnings(spec: dict, path: str) -> list[str]:
    if not (spec.get("nodeSelector") or spec.get("affinity") or spec.get("topologySpreadConstraints")):
        return []  # most pods: nothing that could name a node label
    warnings = [f"{_child(path, 'spec', 'nodeSelector')}[{key}]: {DEPRECATED_NODE_LABELS[key]}"
                for key in as_object(spec.get("nodeSelector")) if key in DEPRECATED_NODE_LABELS]
    node_affinity = as_object(as_object(spec.get("affinity")).get("nodeAffinity"))
    here = _child(path, "spec", "affinity", "nodeAffinity")
    required = as_object(node_affinity.get("requiredDuringSchedulingIgnoredDuringExecution"))
    terms = [(f"{here}.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[{i}]", as_object(term))
             for i, term in enumerate(as_list(required.get("nodeSelectorTerms")))]
    terms += [(f"{here}.preferredDuringSchedulingIgnoredDuringExecution[{i}].preference",
               as_object(as_object(preferred).get("preference")))
              for i, preferred in enumerate(as_list(node_affinity.get("preferredDuringSchedulingIgnoredDuringExecution")))]
    for term_path, term in terms:
        for j, expression in enumerate(as_list(term.get("matchExpressions"))):
            key = as_object(expression).get("key")
            if key in DEPRECATED_NODE_LABELS:
                warnings.append(f"{term_path}.matchExpressions[{j}].key: {key} is {DEPRECATED_NODE_LABELS[key]}")
    for i, constraint in enumerate(as_list(spec.get("topologySpreadConstraints"))):
        key = as_object(constraint).get("topologyKey")
        if key in DEPRECATED_NODE_LABELS:
            warnings.append(f"{_child(path, 'spec', 'topologySpreadConstraints')}[{i}].topologyKey: {key} is "
                            f"{DEPRECATED_NODE_LABELS[key]}")
    return warnings


def _duplicates(items: list, field: str, where: str, what: str) -> list[str]:
    """`where[i].field: duplicate <what> "v"` for each item whose field an earlier one has."""
    if len(items) < 2:
        return []
    seen, warnings = set(), []
    for i, item in enumerate(items):
        value = as_object(item).get(field) or ""
        if value in seen:
            warnings.append(f"{where}[{i}].{field}: duplicate {what} {quote(value)}")
        seen.add(value)
    return warnings


def _fractional_bytes(resources: object, where: str) -> list[str]:
    """Memory and ephemeral storage are whole bytes: a value with thousandths is a warning."""
    resources = as_object(resources)
    warnings = []
    for name in BYTE_RESOURCES:
        value = resources.get(name)
        shown = None if value is None else _fractional(value)
        if shown is not None:
            warnings.append(f"{where}[{name}]: fractional byte value {quote(shown)} is invalid, must be an integer")
    return warnings


def _fractional_quantity(value: object) -> str | None:
    """The quantity `value` spells, as String writes it, when it has thousandths of a unit; None
    when it is whole or no quantity."""
    amount = quantity.parse(value)
    return str(amount) if amount is not None and amount.milli() % 1000 else None


_fractional_text = functools.lru_cache(maxsize=1024)(_fractional_quantity)


def _fractional(value: object) -> str | None:
    """`_fractional_quantity`, remembered for short texts: every container of every pod is
    checked, and a cluster writes a few quantities over and over ("128Mi")."""
    return _fractional_text(value) if type(value) is str and len(value) <= 64 else _fractional_quantity(value)


def _containers_with_paths(spec: dict, path: str) -> list[tuple[dict, str]]:
    """pods.VisitContainersWithPath's order: init, regular, then ephemeral containers."""
    return [(as_object(c), f"{_child(path, 'spec', field)}[{i}]")
            for field in ("initContainers", "containers", "ephemeralContainers")
            for i, c in enumerate(as_list(spec.get(field)))]


def _container_warnings(container: dict, where: str, annotations: dict, path: str) -> list[str]:
    warnings = []
    if as_object(container.get("securityContext")).get("seccompProfile") is None:
        key = SECCOMP_CONTAINER_PREFIX + str(container.get("name") or "")
        if key in annotations:
            warnings.append(f"{_child(path, 'metadata', 'annotations')}[{key}]: {SECCOMP_MESSAGE}")
    resources = as_object(container.get("resources"))
    limits, requests = as_object(resources.get("limits")), as_object(resources.get("requests"))
    for name in BYTE_RESOURCES:  # limits then requests of memory, then of ephemeral storage
        for field, values in (("limits", limits), ("requests", requests)):
            value = values.get(name)
            shown = None if value is None else _fractional(value)
            if shown is not None:
                warnings.append(f"{where}.resources.{field}[{name}]: fractional byte value {quote(shown)} is invalid, "
                                "must be an integer")
    return warnings + _duplicates(as_list(container.get("env")), "name", f"{where}.env", "name")


@mirrors("k8s.io/kubernetes/pkg/api/pod.warningsForPodSpecAndMeta")
def spec_and_meta_warnings(spec: dict, meta: dict, path: str = "") -> list[str]:
    """The warnings of a pod spec and its metadata, their paths below `path` (a template's)."""
    annotations = as_object(meta.get("annotations"))
    annotations_path = _child(path, "metadata", "annotations")
    warnings = _node_label_warnings(spec, path)
    warnings += [f"{annotations_path}[{key}]: {message}" for key, message in DEPRECATED_ANNOTATIONS.items()
                 if key in annotations]
    volumes = _child(path, "spec", "volumes")
    warnings += [f"{volumes}[{i}].{named}: {message}" for i, volume in enumerate(as_list(spec.get("volumes")))
                 for field, named, message in DEPRECATED_VOLUMES if as_object(volume).get(field) is not None]
    warnings += _duplicates(as_list(spec.get("hostAliases")), "ip", _child(path, "spec", "hostAliases"), "ip")
    pull_secrets = as_list(spec.get("imagePullSecrets"))
    warnings += _duplicates(pull_secrets, "name", _child(path, "spec", "imagePullSecrets"), "name")
    warnings += [f'{_child(path, "spec", "imagePullSecrets")}[{i}].name: invalid empty name ""'
                 for i, secret in enumerate(pull_secrets) if not as_object(secret).get("name")]
    warnings += _duplicates(as_list(spec.get("volumes")), "name", volumes, "name")
    warnings += _fractional_bytes(spec.get("overhead"), _child(path, "spec", "overhead"))
    if as_object(spec.get("securityContext")).get("seccompProfile") is None and SECCOMP_POD_ANNOTATION in annotations:
        warnings.append(f"{annotations_path}[{SECCOMP_POD_ANNOTATION}]: {SECCOMP_MESSAGE}")
    for container, where in _containers_with_paths(spec, path):
        warnings += _container_warnings(container, where, annotations, path)
    return warnings


def _template_warnings(obj: dict, fields: tuple[str, ...], path: str) -> list[str]:
    """GetWarningsForPodTemplate of the template at `fields`; a ReplicationController's is a
    pointer, which it skips when nil."""
    template = obj
    for field in fields:
        template = as_object(template).get(field)
    if template is None:
        return []
    template = as_object(template)
    return spec_and_meta_warnings(as_object(template.get("spec")), as_object(template.get("metadata")), path)


def _cron_tz_warnings(obj: dict) -> list[str]:
    return [CRON_TZ_WARNING] if "TZ" in str(as_object(obj.get("spec")).get("schedule") or "") else []


@mirrors("(k8s.io/kubernetes/pkg/registry/core/pod.podStrategy).WarningsOnCreate",
         "k8s.io/kubernetes/pkg/api/pod.GetWarningsForPodTemplate",
         "(k8s.io/kubernetes/pkg/registry/batch/cronjob.cronJobStrategy).WarningsOnCreate")
def warnings_on_create(group: str, kind: str, obj: dict) -> list[str]:
    """What a create of a pod, or of a kind holding a pod template, warns of."""
    if (group, kind) == ("", "Pod"):
        return spec_and_meta_warnings(as_object(obj.get("spec")), as_object(obj.get("metadata")))
    if (group, kind) not in TEMPLATES:
        return []
    fields, path = TEMPLATES[(group, kind)]
    if kind == "ReplicationController":
        path = "template"  # as upstream's WarningsOnCreate names it
    return _template_warnings(obj, fields, path) + (_cron_tz_warnings(obj) if kind == "CronJob" else [])


@mirrors("(k8s.io/kubernetes/pkg/registry/apps/deployment.deploymentStrategy).WarningsOnUpdate",
         "(k8s.io/kubernetes/pkg/registry/batch/cronjob.cronJobStrategy).WarningsOnUpdate",
         "(k8s.io/kubernetes/pkg/registry/core/replicationcontroller.rcStrategy).WarningsOnUpdate")
def warnings_on_update(group: str, kind: str, new: dict, old: dict) -> list[str]:
    """What an update of a kind holding a pod template warns of: its template's warnings when the
    generation moved (a pod's update warns of nothing). A ReplicationController's are, as
    upstream passes its arguments, those of the old template."""
    if (group, kind) not in TEMPLATES:
        return []
    fields, path = TEMPLATES[(group, kind)]
    warnings = []
    if as_object(new.get("metadata")).get("generation") != as_object(old.get("metadata")).get("generation"):
        warnings = _template_warnings(old if kind == "ReplicationController" else new, fields, path)
    return warnings + (_cron_tz_warnings(new) if kind == "CronJob" else [])
