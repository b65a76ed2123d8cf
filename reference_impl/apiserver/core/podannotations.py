"""The annotations Kubernetes 1.24 still reads from a pod, and so validates on pods and pod templates
(k8s.io/kubernetes/pkg/apis/core/validation.ValidatePodSpecificAnnotations and its update rules): the
mirror pod's, tolerations written as JSON, the pod deletion cost, seccomp and AppArmor profiles, with
upstream's field paths (`.Key(k)` is `[k]`, `.Child(k)` is `.k`) and words."""
from __future__ import annotations

import re

from reference_impl.apiserver.core.podsecuritycontext import local_descending_path_problems
from reference_impl.apiserver.core.validation import as_list, as_object, invalid, toleration_problems
from reference_impl.machinery.gojson import GoType, quote, unmarshal
from reference_impl.mirrors import mirrors

MIRROR_POD_ANNOTATION_KEY = "kubernetes.io/config.mirror"
TOLERATIONS_ANNOTATION_KEY = "scheduler.alpha.kubernetes.io/tolerations"
POD_DELETION_COST = "controller.kubernetes.io/pod-deletion-cost"
SECCOMP_POD_ANNOTATION_KEY = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_CONTAINER_ANNOTATION_KEY_PREFIX = "container.seccomp.security.alpha.kubernetes.io/"
SECCOMP_PROFILES = ("runtime/default", "docker/default", "unconfined")  # and localhost/<path>
APPARMOR_CONTAINER_ANNOTATION_KEY_PREFIX = "container.apparmor.security.beta.kubernetes.io/"
APPARMOR_PROFILES = ("", "runtime/default", "unconfined")  # and localhost/<name>
LOCALHOST_PREFIX = "localhost/"

_STRING = GoType("string", "string")
# The internal core.Toleration, which has no json tags: its keys are the Go field names.
TOLERATIONS = GoType("[]core.Toleration", "slice", element=GoType("core.Toleration", "struct", (
    ("Key", _STRING), ("Operator", GoType("core.TolerationOperator", "string")), ("Value", _STRING),
    ("Effect", GoType("core.TaintEffect", "string")), ("TolerationSeconds", GoType("int64", "int64")))))
# strconv.ParseInt(value, 10, 32) after validFirstDigit, which refuses "+10" and "008".
DELETION_COST = re.compile(r"(0|-[0-9]+|[1-9][0-9]*)\Z")


@mirrors("k8s.io/kubernetes/pkg/apis/core/helper.GetDeletionCostFromPodAnnotations")
def pod_deletion_cost(annotations: dict) -> int:
    """The pod's deletion cost, 0 without one; a ValueError for one that is not a 32-bit integer."""
    if POD_DELETION_COST not in annotations:
        return 0
    value = str(annotations[POD_DELETION_COST])
    if not DELETION_COST.match(value) or not -2**31 <= int(value) < 2**31:
        raise ValueError(f"invalid value {quote(value)}")
    return int(value)


@mirrors("k8s.io/kubernetes/pkg/api/pod.GetValidationOptionsFromPodSpecAndMeta")
def allow_invalid_pod_deletion_cost(old: dict | None) -> bool:
    """PodDeletionCost is beta and on in 1.24: a cost must be valid, except in an update of an
    object whose stored cost is already invalid."""
    if old is None:
        return False
    try:
        pod_deletion_cost(as_object(as_object(old.get("metadata")).get("annotations")))
    except ValueError:
        return True
    return False


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidatePodSpecificAnnotations")
def pod_specific_annotation_problems(annotations: object, spec: object, path: str,
                                     allow_invalid_pod_deletion_cost: bool = False) -> list[str]:
    """A mirror pod is bound to its node, the tolerations are valid JSON tolerations, the deletion
    cost a 32-bit integer, and the seccomp and AppArmor profiles ones the kubelet can load."""
    annotations, spec = as_object(annotations), as_object(spec)
    problems = []
    if MIRROR_POD_ANNOTATION_KEY in annotations and not spec.get("nodeName"):
        problems.append(invalid(f"{path}[{MIRROR_POD_ANNOTATION_KEY}]", annotations[MIRROR_POD_ANNOTATION_KEY],
                                "must set spec.nodeName if mirror pod annotation is set"))
    if annotations.get(TOLERATIONS_ANNOTATION_KEY):
        problems += tolerations_in_pod_annotations_problems(annotations, path)
    if not allow_invalid_pod_deletion_cost:
        try:
            pod_deletion_cost(annotations)
        except ValueError:
            problems.append(invalid(f"{path}[{POD_DELETION_COST}]", str(annotations[POD_DELETION_COST]),
                                    "must be a 32bit integer"))
    problems += seccomp_pod_annotation_problems(annotations, path)
    return problems + apparmor_pod_annotation_problems(annotations, spec, path)


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateTolerationsInPodAnnotations",
         "k8s.io/kubernetes/pkg/apis/core/helper.GetTolerationsFromPodAnnotations")
def tolerations_in_pod_annotations_problems(annotations: dict, path: str) -> list[str]:
    """JSON that encoding/json decodes into []core.Toleration, each toleration as ValidateTolerations
    wants it; JSON it cannot decode is reported at the annotations, naming the key."""
    try:
        tolerations = unmarshal(str(annotations[TOLERATIONS_ANNOTATION_KEY]), TOLERATIONS) or []
    except ValueError as error:
        return [invalid(path, TOLERATIONS_ANNOTATION_KEY, str(error))]
    # The fields by their v1 names, which toleration_problems reads.
    tolerations = [{name[0].lower() + name[1:]: value for name, value in (toleration or {}).items()}
                   for toleration in tolerations]
    return toleration_problems(tolerations, f"{path}.{TOLERATIONS_ANNOTATION_KEY}")


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateSeccompPodAnnotations")
def seccomp_pod_annotation_problems(annotations: dict, path: str) -> list[str]:
    problems = []
    if SECCOMP_POD_ANNOTATION_KEY in annotations:
        problems += seccomp_profile_problems(str(annotations[SECCOMP_POD_ANNOTATION_KEY]),
                                             f"{path}.{SECCOMP_POD_ANNOTATION_KEY}")
    for key, profile in annotations.items():
        if key.startswith(SECCOMP_CONTAINER_ANNOTATION_KEY_PREFIX):
            problems += seccomp_profile_problems(str(profile), f"{path}.{key}")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateSeccompProfile")
def seccomp_profile_problems(profile: str, path: str) -> list[str]:
    """The runtime's default, unconfined, or localhost/ and a path below the kubelet's seccomp
    directory."""
    if profile in SECCOMP_PROFILES:
        return []
    if profile.startswith(LOCALHOST_PREFIX):
        return local_descending_path_problems(profile.removeprefix(LOCALHOST_PREFIX), path)
    return [invalid(path, profile, "must be a valid seccomp profile")]


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateAppArmorPodAnnotations",
         "k8s.io/kubernetes/pkg/apis/core/validation.podSpecHasContainer")
def apparmor_pod_annotation_problems(annotations: dict, spec: dict, path: str) -> list[str]:
    """Each container AppArmor annotation names a container of the pod (init and ephemeral ones
    too) and a profile of a valid format."""
    names = {as_object(container).get("name") for field in ("initContainers", "containers", "ephemeralContainers")
             for container in as_list(spec.get(field))}
    problems = []
    for key, profile in annotations.items():
        if not key.startswith(APPARMOR_CONTAINER_ANNOTATION_KEY_PREFIX):
            continue
        container = key.removeprefix(APPARMOR_CONTAINER_ANNOTATION_KEY_PREFIX)
        if container not in names:
            problems.append(invalid(f"{path}[{key}]", container, "container not found"))
        problem = apparmor_profile_format_problem(str(profile))
        if problem:
            problems.append(invalid(f"{path}[{key}]", str(profile), problem))
    return problems


@mirrors("k8s.io/kubernetes/pkg/security/apparmor.ValidateProfileFormat")
def apparmor_profile_format_problem(profile: str) -> str | None:
    if profile in APPARMOR_PROFILES or profile.startswith(LOCALHOST_PREFIX):
        return None
    return f"invalid AppArmor profile name: {quote(profile)}"


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidatePodSpecificAnnotationUpdates")
def pod_specific_annotation_update_problems(new: dict, old: dict, path: str) -> list[str]:
    """No AppArmor or mirror pod annotation added, changed or removed (the kubelet set them up when
    it started the pod), then the new annotations as on a create."""
    annotations = as_object(as_object(new.get("metadata")).get("annotations"))
    old_annotations = as_object(as_object(old.get("metadata")).get("annotations"))
    problems = []
    for key, old_value in old_annotations.items():
        if key in annotations and annotations[key] == old_value:
            continue
        if key.startswith(APPARMOR_CONTAINER_ANNOTATION_KEY_PREFIX):
            problems.append(f"{path}[{key}]: Forbidden: may not remove or update AppArmor annotations")
        if key == MIRROR_POD_ANNOTATION_KEY:
            problems.append(f"{path}[{key}]: Forbidden: may not remove or update mirror pod annotation")
    for key in annotations:
        if key in old_annotations:
            continue
        if key.startswith(APPARMOR_CONTAINER_ANNOTATION_KEY_PREFIX):
            problems.append(f"{path}[{key}]: Forbidden: may not add AppArmor annotations")
        if key == MIRROR_POD_ANNOTATION_KEY:
            problems.append(f"{path}[{key}]: Forbidden: may not add mirror pod annotation")
    return problems + pod_specific_annotation_problems(annotations, new.get("spec"), path,
                                                       allow_invalid_pod_deletion_cost(old))
