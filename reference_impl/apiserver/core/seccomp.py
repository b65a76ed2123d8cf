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


def _containers(spec: dict) -> list[dict]:
    """VisitContainers with every feature on: init containers, containers, ephemeral containers."""
    return [c for key in ("initContainers", "containers", "ephemeralContainers")
            for c in as_list(spec.get(key)) if isinstance(c, dict)]


@mirrors("k8s.io/kubernetes/pkg/registry/core/pod.applySeccompVersionSkew")
def apply_version_skew(pod: dict) -> None:
    """Give a new pod the annotation for a field it has alone, or the field for an annotation
    it has alone, for the pod and for each container."""
    meta, spec = pod.setdefault("metadata", {}), as_object(pod.get("spec"))
    places = [(SECCOMP_POD_ANNOTATION_KEY, spec, "securityContext")]
    places += [(SECCOMP_CONTAINER_ANNOTATION_KEY_PREFIX + str(c.get("name", "")), c, "securityContext")
               for c in _containers(spec)]
    for key, holder, context in places:
        annotations = as_object(meta.get("annotations"))
        profile = as_object(holder.get(context)).get("seccompProfile")
        if profile is not None and key not in annotations:
            annotation = annotation_for_field(as_object(profile))
            if annotation:
                meta["annotations"] = {**annotations, key: annotation}
        elif profile is None and key in annotations:
            field = field_for_annotation(str(annotations[key]))
            if field is not None:
                holder[context] = {**as_object(holder.get(context)), "seccompProfile": field}


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateSeccompAnnotationsAndFields")
def annotations_and_fields_problems(meta: dict, spec: object, path: str) -> list[str]:
    """Where the pod or a container has both a seccompProfile and its annotation, they agree."""
    spec, annotations = as_object(spec), as_object(as_object(meta).get("annotations"))
    places = [(SECCOMP_POD_ANNOTATION_KEY, spec, f"{path}.securityContext.seccompProfile")]
    for key in ("initContainers", "containers", "ephemeralContainers"):
        places += [(SECCOMP_CONTAINER_ANNOTATION_KEY_PREFIX + str(c.get("name", "")), c,
                    f"{path}.{key}[{i}].securityContext.seccompProfile")
                   for i, c in enumerate(as_list(spec.get(key))) if isinstance(c, dict)]
    problems = []
    for key, holder, here in places:
        profile = as_object(holder.get("securityContext")).get("seccompProfile")
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
