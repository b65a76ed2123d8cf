"""The PodSecurity admission plugin (plugin/pkg/admission/security/podsecurity over
k8s.io/pod-security-admission/admission), on by default in Kubernetes 1.24.

It validates creates and updates of three sorts of resource:
- pods: refused (403) when they violate the namespace's enforce level, else warned about at its
  warn level; an update only when it changes what the checks read (isSignificantPodUpdate);
- workloads with a pod template: never refused, only warned about at the warn level;
- namespaces: labels naming no level or version are refused (422), and a stricter enforce level
  warns about the pods already in the namespace that it would refuse.
Warnings go to `request.warnings`, which the server sends as `Warning:` headers. Audit annotations
are left out: the reference writes no audit log.
"""
from __future__ import annotations

from dataclasses import dataclass

from reference_impl.apiserver.core import errors
from reference_impl.apiserver.core.errors import StatusError
from reference_impl.apiserver.core.podsecurity.api import (DEFAULT_POLICY, PRIVILEGED, LevelVersion, Policy,
                                                           compare_levels, policy_to_evaluate)
from reference_impl.apiserver.core.podsecurity.policy import (SECCOMP_CONTAINER_ANNOTATION_PREFIX,
                                                              SECCOMP_POD_ANNOTATION, aggregate_check_results,
                                                              evaluate_pod)
from reference_impl.mirrors import mirrors

# Where each workload keeps its pod template (DefaultPodSpecExtractor), by (group, resource).
POD_TEMPLATE_PATHS = {
    ("", "replicationcontrollers"): ("spec", "template"),
    ("", "podtemplates"): ("template",),
    ("apps", "replicasets"): ("spec", "template"),
    ("apps", "deployments"): ("spec", "template"),
    ("apps", "statefulsets"): ("spec", "template"),
    ("apps", "daemonsets"): ("spec", "template"),
    ("batch", "jobs"): ("spec", "template"),
    ("batch", "cronjobs"): ("spec", "jobTemplate", "spec", "template"),
}
# Pod subresources that cannot change the pod spec; any other is evaluated.
IGNORED_POD_SUBRESOURCES = frozenset({"exec", "attach", "binding", "eviction", "log", "portforward", "proxy",
                                      "status"})
NAMESPACE_MAX_PODS_TO_CHECK = 3000


@dataclass(frozen=True)
class Exemptions:
    """PodSecurityConfiguration's exemptions; upstream's default configuration has none."""

    usernames: frozenset[str] = frozenset()
    namespaces: frozenset[str] = frozenset()
    runtime_classes: frozenset[str] = frozenset()


def _add_warning(request: object, text: str) -> None:
    # The server's warning recorder keeps each text once (a patch may be admitted again on conflict).
    if text not in request.warnings:
        request.warnings.append(text)


@mirrors("k8s.io/pod-security-admission/admission.forbiddenResponse")
def _forbidden(request: object, why: str) -> StatusError:
    return errors.object_forbidden(request.resource.plural, request.resource.group, request.name, why)


class PodSecurity:
    """Checks pods and pod templates against the Pod Security Standards level their namespace's
    labels choose (privileged when unlabelled)."""

    def __init__(self, registry: object, namespaces: object | None = None,
                 exemptions: Exemptions = Exemptions(), defaults: Policy = DEFAULT_POLICY) -> None:
        self.registry = registry
        self.namespaces = namespaces
        self.exemptions = exemptions
        self.defaults = defaults

    @mirrors("(*k8s.io/kubernetes/plugin/pkg/admission/security/podsecurity.Plugin).Validate",
             "(*k8s.io/pod-security-admission/admission.Admission).Validate")
    def validate(self, request: object, obj: dict | None) -> None:
        if request.operation not in ("CREATE", "UPDATE") or obj is None:
            return
        group_resource = (request.resource.group, request.resource.plural)
        if group_resource == ("", "namespaces"):
            self.validate_namespace(request, obj)
        elif group_resource == ("", "pods"):
            self.validate_pod(request, obj)
        elif group_resource in POD_TEMPLATE_PATHS:
            self.validate_pod_controller(request, obj)

    @mirrors("(*k8s.io/pod-security-admission/admission.namespaceGetter).GetNamespace")
    def _namespace(self, name: str) -> dict:
        cached = self.namespaces.get(None, name) if self.namespaces is not None else None
        return cached if cached is not None else self.registry.get("namespaces", None, name)

    def _policy(self, namespace: dict) -> tuple[Policy, list[str]]:
        return policy_to_evaluate((namespace.get("metadata") or {}).get("labels"), self.defaults)

    def _exempt(self, request: object) -> bool:
        user = getattr(request.user, "name", "")
        return request.namespace in self.exemptions.namespaces or user in self.exemptions.usernames

    @mirrors("(*k8s.io/pod-security-admission/admission.Admission).ValidateNamespace")
    def validate_namespace(self, request: object, namespace: dict) -> None:
        if request.subresource:
            return
        new_policy, new_errs = self._policy(namespace)
        if request.operation == "CREATE":
            if new_errs:
                raise errors.invalid("Namespace", request.name, new_errs)
            return
        old_policy, old_errs = self._policy(request.old_obj or {})
        if new_errs and (not old_errs or new_errs != old_errs):
            raise errors.invalid("Namespace", request.name, new_errs)
        new, old = new_policy.enforce, old_policy.enforce
        # Nothing to dry-run when enforce did not change, became privileged, or only relaxed.
        if new == old or new.level == PRIVILEGED or (new.version == old.version
                                                    and compare_levels(new.level, old.level) < 1):
            return
        if request.name in self.exemptions.namespaces:
            return
        for warning in self.evaluate_pods_in_namespace(request.name, new):
            _add_warning(request, warning)

    @mirrors("(*k8s.io/pod-security-admission/admission.Admission).ValidatePod")
    def validate_pod(self, request: object, pod: dict) -> None:
        if request.subresource in IGNORED_POD_SUBRESOURCES or self._exempt(request):
            return
        try:
            namespace = self._namespace(request.namespace)
        except StatusError:
            raise errors.internal_error(f"failed to lookup namespace {request.namespace}") from None
        policy, policy_errs = self._policy(namespace)
        if not policy_errs and policy.enforce.level == policy.warn.level == policy.audit.level == PRIVILEGED:
            return
        if request.operation == "UPDATE" and not is_significant_pod_update(pod, request.old_obj or {}):
            return
        self._evaluate_pod(request, policy, pod.get("metadata") or {}, pod.get("spec") or {}, enforce=True)

    @mirrors("(*k8s.io/pod-security-admission/admission.Admission).ValidatePodController")
    def validate_pod_controller(self, request: object, obj: dict) -> None:
        if request.subresource or self._exempt(request):
            return
        try:
            namespace = self._namespace(request.namespace)
        except StatusError:
            return  # upstream admits it, noting the error only in the audit log
        policy, policy_errs = self._policy(namespace)
        if not policy_errs and policy.warn.level == policy.audit.level == PRIVILEGED:
            return
        template = obj
        for key in POD_TEMPLATE_PATHS[(request.resource.group, request.resource.plural)]:
            template = template.get(key) if isinstance(template, dict) else None
        if template is None:
            return  # a ReplicationController may have no template
        self._evaluate_pod(request, policy, template.get("metadata") or {}, template.get("spec") or {},
                           enforce=False)

    @mirrors("(*k8s.io/pod-security-admission/admission.Admission).EvaluatePod")
    def _evaluate_pod(self, request: object, policy: Policy, metadata: dict, spec: dict, enforce: bool) -> None:
        """Refuse what violates the enforce level (pods only); warn about what violates the warn level."""
        if spec.get("runtimeClassName") in self.exemptions.runtime_classes:
            return
        if enforce:
            result = aggregate_check_results(evaluate_pod(policy.enforce, metadata, spec))
            if not result.allowed:
                raise _forbidden(request, f'violates PodSecurity "{policy.enforce}": {result.forbidden_detail()}')
        result = aggregate_check_results(evaluate_pod(policy.warn, metadata, spec))
        if not result.allowed:
            _add_warning(request, f'would violate PodSecurity "{policy.warn}": {result.forbidden_detail()}')

    @mirrors("(*k8s.io/pod-security-admission/admission.Admission).EvaluatePodsInNamespace")
    def evaluate_pods_in_namespace(self, namespace: str, enforce: LevelVersion) -> list[str]:
        """Warnings for the pods a new enforce level would refuse: one per distinct set of reasons,
        naming the lexically first pod and how many others share it, after a summary line."""
        pods = prioritize_pods(self.registry.list("pods", namespace)["items"], self.exemptions.runtime_classes)
        checked = pods[:NAMESPACE_MAX_PODS_TO_CHECK]
        first_pod: dict[str, str] = {}
        count: dict[str, int] = {}
        for pod in checked:
            result = aggregate_check_results(evaluate_pod(enforce, pod.get("metadata") or {}, pod.get("spec") or {}))
            if not result.allowed:
                reason, name = result.forbidden_reason(), pod["metadata"]["name"]
                first_pod[reason] = min(first_pod.get(reason, name), name)
                count[reason] = count.get(reason, 0) + 1
        warnings = []
        if len(checked) < len(pods):
            warnings.append(f"new PodSecurity enforce level only checked against the first {len(checked)} of "
                            f"{len(pods)} existing pods")
        if count:
            warnings.append(f'existing pods in namespace "{namespace}" violate the new PodSecurity enforce level '
                            f'"{enforce}"')
        return warnings + sorted(_decorate_pod_warning(first_pod[reason], count[reason], reason) for reason in count)


@mirrors("k8s.io/pod-security-admission/admission.decoratePodWarnings")
def _decorate_pod_warning(pod_name: str, pod_count: int, warning: str) -> str:
    if pod_count == 1:
        return f"{pod_name}: {warning}"
    if pod_count == 2:
        return f"{pod_name} (and 1 other pod): {warning}"
    return f"{pod_name} (and {pod_count - 1} other pods): {warning}"


@mirrors("(*k8s.io/pod-security-admission/admission.Admission).prioritizePods")
def prioritize_pods(pods: list[dict], exempt_runtime_classes: frozenset[str]) -> list[dict]:
    """Pods of exempt runtime classes left out; one pod per controller first, its siblings last."""
    first, duplicates, controllers = [], [], set()
    for pod in pods:
        if (pod.get("spec") or {}).get("runtimeClassName") in exempt_runtime_classes:
            continue
        controller = next((ref.get("uid") for ref in (pod.get("metadata") or {}).get("ownerReferences") or ()
                           if ref.get("controller")), None)
        if controller is not None and controller in controllers:
            duplicates.append(pod)
            continue
        first.append(pod)
        if controller is not None:
            controllers.add(controller)
    return first + duplicates


@mirrors("k8s.io/pod-security-admission/admission.isSignificantPodUpdate")
def is_significant_pod_update(pod: dict, old_pod: dict) -> bool:
    """Whether an update changes what the checks read of a running pod: the seccomp annotations,
    the number of (init) containers, an image, or an ephemeral container added or changed."""
    annotations = (pod.get("metadata") or {}).get("annotations") or {}
    old_annotations = (old_pod.get("metadata") or {}).get("annotations") or {}
    spec, old_spec = pod.get("spec") or {}, old_pod.get("spec") or {}
    if annotations.get(SECCOMP_POD_ANNOTATION, "") != old_annotations.get(SECCOMP_POD_ANNOTATION, ""):
        return True

    def significant(container: dict, old_container: dict) -> bool:
        key = SECCOMP_CONTAINER_ANNOTATION_PREFIX + container.get("name", "")
        return (container.get("image", "") != old_container.get("image", "")
                or annotations.get(key, "") != old_annotations.get(key, ""))

    for key in ("containers", "initContainers"):
        containers, old_containers = spec.get(key) or [], old_spec.get(key) or []
        if len(containers) != len(old_containers) or any(map(significant, containers, old_containers)):
            return True
    old_ephemeral = {c.get("name"): c for c in old_spec.get("ephemeralContainers") or ()}
    return any(c.get("name") not in old_ephemeral or significant(c, old_ephemeral[c.get("name")])
               for c in spec.get("ephemeralContainers") or ())
