"""Seccomp as both the annotations and the securityContext fields say it (Kubernetes 1.24 still
honours the annotations): a new pod gets each one the other side has (the pod strategy's
applySeccompVersionSkew), and where a pod or pod template has both, they must agree."""
from __future__ import annotations

from reference_impl.apiserver.core.podannotations import (LOCALHOST_PREFIX, SECCOMP_CONTAINER_ANNOTATION_KEY_PREFIX,
                                                          SECCOMP_POD_ANNOTATION_KEY)
from reference_impl.apiserver.core.validation import as_list, as_object
from reference_impl.mirrors import mirrors

UNCONFINED, RUNTIME_DEFAULT, DOCKER_DEFAULT = "unconfined", "runtime/default", "docker/default"


@mirrors("k8s.io/kubernetes/pkg/api/pod.SeccompAnnotationForField")
def annotation_for_field(profile: dict) -> str:
    """The annotation value of a seccompProfile; "" for Localhost without a profile or a type
    there is none for."""
    kind = profile.get("type")
    if kind == "Unconfined":
        return UNCONFINED
    if kind == "RuntimeDefault":
        return RUNTIME_DEFAULT
    if kind == "Localhost" and profile.get("localhostProfile") is not None:
        return LOCALHOST_PREFIX + profile["localhostProfile"]
    return ""


@mirrors("k8s.io/kubernetes/pkg/api/pod.SeccompFieldForAnnotation")
def field_for_annotation(annotation: str) -> dict | None:
    """The seccompProfile an annotation value names; None for one it does not."""
    if annotation == UNCONFINED:
        return {"type": "Unconfined"}
    if annotation in (RUNTIME_DEFAULT, DOCKER_DEFAULT):
        return {"type": "RuntimeDefault"}
    if annotation.startswith(LOCALHOST_PREFIX) and annotation != LOCALHOST_PREFIX:
        return {"type": "Localhost", "localhostProfile": annotation.removeprefix(LOCALHOST_PREFIX)}
    return None


def _holders(spec: dict, path: str) -> list[tuple[str, dict, str]]:
    """Each place a seccompProfile can be set, as (its annotation key, the object holding its
    securityContext, the profile's field path): the pod, then every container VisitContainers
    visits with every feature on (init containers, containers, ephemeral containers)."""
    holders = [(SECCOMP_POD_ANNOTATION_KEY, spec, f"{path}.securityContext.seccompProfile")]
    for key in ("initContainers", "containers", "ephemeralContainers"):
        holders += [(SECCOMP_CONTAINER_ANNOTATION_KEY_PREFIX + str(c.get("name", "")), c,
                     f"{path}.{key}[{i}].securityContext.seccompProfile")
                    for i, c in enumerate(as_list(spec.get(key))) if isinstance(c, dict)]
    return holders


def _profile(holder: dict) -> object:
    return as_object(holder.get("securityContext")).get("seccompProfile")


@mirrors("k8s.io/kubernetes/pkg/registry/core/pod.applySeccompVersionSkew")
def apply_version_skew(pod: dict) -> None:
    """Give a new pod the annotation for a field it has alone, or the field for an annotation
    it has alone, for the pod and for each container."""
    meta = pod.setdefault("metadata", {})
    for key, holder, _ in _holders(as_object(pod.get("spec")), "spec"):
        annotations, profile = as_object(meta.get("annotations")), _profile(holder)
        if profile is not None and key not in annotations:
            annotation = annotation_for_field(as_object(profile))
            if annotation:
                meta["annotations"] = {**annotations, key: annotation}
        elif profile is None and key in annotations:
            field = field_for_annotation(str(annotations[key]))
            if field is not None:
                holder["securityContext"] = {**as_object(holder.get("securityContext")), "seccompProfile": field}


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateSeccompAnnotationsAndFields")
def annotations_and_fields_problems(meta: dict, spec: object, path: str) -> list[str]:
    """Where the pod or a container has both a seccompProfile and its annotation, they agree."""
    annotations = as_object(as_object(meta).get("annotations"))
    problems = []
    for key, holder, here in _holders(as_object(spec), path):
        profile = _profile(holder)
        if profile is not None and key in annotations:
            problem = _mismatch(str(annotations[key]), as_object(profile), here)
            if problem:
                problems.append(problem)
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateSeccompAnnotationsAndFieldsMatch")
def _mismatch(annotation: str, profile: dict, path: str) -> str | None:
    kind = profile.get("type")
    if kind == "Unconfined" and annotation != UNCONFINED or \
            kind == "RuntimeDefault" and annotation not in (RUNTIME_DEFAULT, DOCKER_DEFAULT) or \
            kind == "Localhost" and not annotation.startswith(LOCALHOST_PREFIX):
        return f"{path}.type: Forbidden: seccomp type in annotation and field must match"
    if kind == "Localhost" and annotation.removeprefix(LOCALHOST_PREFIX) != profile.get("localhostProfile"):
        return f"{path}.localhostProfile: Forbidden: seccomp profile in annotation and field must match"
    return None
