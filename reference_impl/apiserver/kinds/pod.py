"""The Pod kind (core/v1): its resource facts, validation, defaults, OpenAPI schema, printer columns and
protobuf layout."""
from __future__ import annotations

import json

from reference_impl.apiserver.core.podannotations import (allow_invalid_pod_deletion_cost,
                                                          pod_specific_annotation_problems,
                                                          pod_specific_annotation_update_problems)
from reference_impl.apiserver.core import seccomp
from reference_impl.apiserver.core.podvalidation import pod_spec_problems
from reference_impl.apiserver.core.resources import COMMON_FIELDS, FieldLabelConversion, Resource, UpdateMetadataChecks
from reference_impl.apiserver.core.schemas import CORE, META, arr, conditions, kind, list_kind, obj, ref, string
from reference_impl.apiserver.core.validation import (IP_MSG, as_list, as_object, invalid, name_problems, parse_ip,
                                                      required, toleration_problems)
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell, part
from reference_impl.apiserver.kinds._defaulting import pod_defaults, pod_spec, service_account_alias
from reference_impl.machinery import gojson
from reference_impl.machinery.labels import qualified_name_problems
from reference_impl.machinery.objects import deep_copy_json
from reference_impl.machinery.quantity import Quantity
from reference_impl.machinery.quota import resource_list
from reference_impl.mirrors import mirrors


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validatePodMetadataAndSpec")
def validate_pod(obj: dict, allow_invalid_pod_deletion_cost: bool = False) -> list[str]:
    """The annotations a pod reads, then its spec (the object metadata is the resource's)."""
    annotations, spec = as_object(obj.get("metadata")).get("annotations"), obj.get("spec")
    return pod_specific_annotation_problems(annotations, spec, "metadata.annotations",
                                            allow_invalid_pod_deletion_cost) + pod_spec_problems(spec, "spec")


def validate_pod_on_update(old: dict, new: dict) -> list[str]:
    return validate_pod(new, allow_invalid_pod_deletion_cost(old))


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidatePodCreate")
def validate_pod_create(obj: dict) -> list[str]:
    """Ephemeral containers are added only through the ephemeralcontainers subresource."""
    problems = []
    if as_list(as_object(obj.get("spec")).get("ephemeralContainers")):
        problems.append("spec.ephemeralContainers: Forbidden: cannot be set on create")
    return problems + seccomp.annotations_and_fields_problems(as_object(obj.get("metadata")), obj.get("spec"), "spec")


MAX_INT32 = 2**31 - 1
POD_UPDATABLE = ("spec: Forbidden: pod updates may not change fields other than "
                 "`spec.containers[*].image`, `spec.initContainers[*].image`, "
                 "`spec.activeDeadlineSeconds`, `spec.tolerations` (only additions to existing "
                 "tolerations) or `spec.terminationGracePeriodSeconds` (allow it to be set to 1 if "
                 "it was previously negative)")


def _without_mutable(spec: dict) -> dict:
    spec = {k: v for k, v in spec.items() if k not in ("activeDeadlineSeconds", "tolerations")}
    for field in ("containers", "initContainers"):
        if field in spec:  # a null list is Go's nil slice
            spec[field] = [{k: v for k, v in c.items() if k != "image"} if isinstance(c, dict) else c
                           for c in spec[field] or ()]
    return spec


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidatePodUpdate")
def validate_pod_update(old: dict, new: dict) -> list[str]:
    """ValidatePodUpdate: no container added or removed, each with an image; activeDeadlineSeconds
    only set or lowered; tolerations only added to; nothing else changed but images and a negative
    terminationGracePeriodSeconds raised to 1. nodeName is no exception, unset or not: only the
    binding subresource, which writes past this validation, sets it."""
    old_spec, new_spec = dict(old.get("spec") or {}), dict(new.get("spec") or {})
    problems = pod_specific_annotation_update_problems(new, old, "metadata.annotations")
    for field in ("containers", "initContainers"):
        new_containers, old_containers = as_list(new_spec.get(field)), as_list(old_spec.get(field))
        if len(new_containers) != len(old_containers):
            return problems + [f"spec.{field}: Forbidden: pod updates may not add or remove containers"]
        problems += _image_problems(new_containers, f"spec.{field}")
    deadline, old_deadline = new_spec.get("activeDeadlineSeconds"), old_spec.get("activeDeadlineSeconds")
    if isinstance(deadline, int):
        if not 0 <= deadline <= MAX_INT32:
            return problems + [invalid("spec.activeDeadlineSeconds", deadline, f"must be between 0 and {MAX_INT32}, "
                                                                              "inclusive")]
        if isinstance(old_deadline, int) and old_deadline < deadline:
            return problems + [invalid("spec.activeDeadlineSeconds", deadline, "must be less than or equal to "
                                                                               "previous value")]
    elif old_deadline is not None:
        problems.append(invalid("spec.activeDeadlineSeconds", "null", "must not update from a positive integer to "
                                                                      "nil value"))
    problems += _only_added_tolerations(as_list(new_spec.get("tolerations")), as_list(old_spec.get("tolerations")))
    old_grace = old_spec.get("terminationGracePeriodSeconds")
    if isinstance(old_grace, int) and old_grace < 0 and new_spec.get("terminationGracePeriodSeconds") == 1:
        new_spec["terminationGracePeriodSeconds"] = old_grace
    if _without_mutable(old_spec) != _without_mutable(new_spec):
        problems.append(POD_UPDATABLE)
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateContainerUpdates")
def _image_problems(containers: list, path: str) -> list[str]:
    problems = []
    for i, container in enumerate(containers):
        image = as_object(container).get("image") or ""
        if not image:
            problems.append(required(f"{path}[{i}].image"))
        elif image.strip() != image:
            problems.append(invalid(f"{path}[{i}].image", image, "must not have leading or trailing whitespace"))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateOnlyAddedTolerations")
def _only_added_tolerations(new: list, old: list) -> list[str]:
    """Every old toleration still there, but for its tolerationSeconds; then the new ones checked,
    a second time, as upstream does besides ValidatePodSpec's own check."""
    def identity(toleration: object) -> tuple:
        toleration = as_object(toleration)
        return tuple(toleration.get(field) or "" for field in ("key", "operator", "value", "effect"))
    kept = {identity(toleration) for toleration in new}
    if any(identity(toleration) not in kept for toleration in old):
        return ["spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds"]
    return toleration_problems([as_object(toleration) for toleration in new], "spec.tolerations")


@mirrors("k8s.io/kubernetes/pkg/api/pod.dropDisabledTopologySpreadConstraintsFields")
def drop_disabled_topology_spread_fields(spec: object, old_spec: object) -> None:
    """MinDomainsInPodTopologySpread is alpha and off in 1.24: minDomains is cleared, unless the
    old spec already uses it."""
    old_constraints = as_list(as_object(old_spec).get("topologySpreadConstraints"))
    if any(as_object(c).get("minDomains") is not None for c in old_constraints):
        return
    for constraint in as_list(as_object(spec).get("topologySpreadConstraints")):
        as_object(constraint).pop("minDomains", None)


def _security_contexts(spec: object) -> list[dict]:
    return [c["securityContext"] for field in ("initContainers", "containers", "ephemeralContainers")
            for c in as_list(as_object(spec).get(field))
            if isinstance(c, dict) and isinstance(c.get("securityContext"), dict)]


@mirrors("k8s.io/kubernetes/pkg/api/pod.dropDisabledProcMountField")
def drop_disabled_proc_mount_field(spec: object, old_spec: object) -> None:
    """ProcMountType is alpha and off in 1.24: a procMount sent is set to Default, unless the old
    spec already uses another."""
    if any(context.get("procMount") not in (None, "Default") for context in _security_contexts(old_spec)):
        return
    for context in _security_contexts(spec):
        if context.get("procMount") is not None:
            context["procMount"] = "Default"


def _probes_with_grace_period(spec: object) -> list[dict]:
    return [c[probe] for field in ("initContainers", "containers", "ephemeralContainers")
            for c in as_list(as_object(spec).get(field)) if isinstance(c, dict)
            for probe in ("livenessProbe", "startupProbe") if isinstance(c.get(probe), dict)]


@mirrors("k8s.io/kubernetes/pkg/api/pod.probeGracePeriodInUse")
def drop_disabled_probe_grace_period(spec: object, old_spec: object) -> None:
    """ProbeTerminationGracePeriod is beta but off in 1.24: a liveness or startup probe's
    terminationGracePeriodSeconds is cleared (before validation, so even 0 is no error), unless the
    old spec already uses one. A readiness probe's is kept, for validation to refuse."""
    if any(probe.get("terminationGracePeriodSeconds") is not None for probe in _probes_with_grace_period(old_spec)):
        return
    for probe in _probes_with_grace_period(spec):
        probe.pop("terminationGracePeriodSeconds", None)


@mirrors("k8s.io/kubernetes/pkg/api/pod.podOSInUse")
def drop_disabled_pod_os(spec: object, old_spec: object) -> None:
    """IdentifyPodOS is alpha and off in the pinned 1.24 tree: spec.os is cleared (before
    validation, so an unknown os is no error), unless the old spec already has one."""
    if as_object(old_spec).get("os") is None:
        as_object(spec).pop("os", None)


@mirrors("k8s.io/kubernetes/pkg/api/pod.dropDisabledFields")
def drop_disabled_fields(spec: object, old_spec: object) -> None:
    """What the feature gates off in 1.24 drop from a pod spec, unless the old spec uses it."""
    drop_disabled_proc_mount_field(spec, old_spec)
    drop_disabled_topology_spread_fields(spec, old_spec)
    drop_disabled_probe_grace_period(spec, old_spec)
    drop_disabled_pod_os(spec, old_spec)


# Where each kind whose strategy calls DropDisabledTemplateFields keeps its pod template.
POD_TEMPLATE_PATHS = {
    **{(group, kind): ("spec", "template") for group, kind in (
        ("apps", "Deployment"), ("apps", "ReplicaSet"), ("apps", "DaemonSet"), ("apps", "StatefulSet"),
        ("batch", "Job"), ("", "ReplicationController"))},
    ("batch", "CronJob"): ("spec", "jobTemplate", "spec", "template"), ("", "PodTemplate"): ("template",)}


def _template_spec(obj: object, path: tuple[str, ...]) -> object:
    for field in path + ("spec",):
        obj = as_object(obj).get(field)
    return obj


@mirrors("k8s.io/kubernetes/pkg/api/pod.DropDisabledTemplateFields")
def drop_disabled_template_fields(group: str, kind: str, new: dict, old: dict | None) -> None:
    """A workload's pod template loses what the disabled gates would drop from a pod (procMount,
    minDomains, a probe's grace period, the os), unless the old template already uses it."""
    path = POD_TEMPLATE_PATHS.get((group, kind))
    if path is None:
        return
    drop_disabled_fields(_template_spec(new, path), _template_spec(old, path) if old else None)


# The resources a pod's QoS class looks at (qos.supportedQoSComputeResources).
QOS_COMPUTE_RESOURCES = ("cpu", "memory")


def _qos_totals(containers: list[dict], field: str) -> dict[str, Quantity]:
    """The positive cpu and memory of `field` (requests or limits), summed over `containers`."""
    totals: dict[str, Quantity] = {}
    for container in containers:
        for name, quantity in resource_list(as_object(container.get("resources")).get(field)).items():
            if name in QOS_COMPUTE_RESOURCES and quantity.value > 0:
                totals[name] = totals[name] + quantity if name in totals else quantity
    return totals


@mirrors("k8s.io/kubernetes/pkg/apis/core/helper/qos.GetPodQOS")
def qos_class(pod: dict) -> str:
    """BestEffort with no cpu or memory asked for or limited; Guaranteed when every container
    limits both and every request equals its limit; else Burstable."""
    spec = as_object(pod.get("spec"))
    containers = [c for c in as_list(spec.get("containers")) + as_list(spec.get("initContainers"))
                  if isinstance(c, dict)]
    requests, limits = _qos_totals(containers, "requests"), _qos_totals(containers, "limits")
    if not requests and not limits:
        return "BestEffort"
    every_container_limited = all(set(_qos_totals([c], "limits")) == set(QOS_COMPUTE_RESOURCES) for c in containers)
    equal = all(name in limits and limits[name].value == request.value for name, request in requests.items())
    return "Guaranteed" if every_container_limited and equal and len(requests) == len(limits) else "Burstable"


@mirrors("(k8s.io/kubernetes/pkg/registry/core/pod.podStrategy).PrepareForCreate")
def prepare_for_create(obj: dict, user: object) -> None:
    # The registry has reset the status to phase Pending; the class is the pod's as admitted
    # (LimitRanger's defaults count).
    obj["status"]["qosClass"] = qos_class(obj)
    drop_disabled_fields(obj.get("spec"), None)
    seccomp.apply_version_skew(obj)


@mirrors("(k8s.io/kubernetes/pkg/registry/core/pod.podStrategy).PrepareForUpdate")
def prepare_for_update(new: dict, old: dict) -> None:
    drop_disabled_fields(new.get("spec"), old.get("spec"))


def pod(obj: dict, spec: dict) -> None:
    pod_spec(spec)
    pod_defaults(spec)
    service_account_alias(spec)
    if isinstance(obj.get("status"), dict):
        convert_pod_ips(obj["status"])


@mirrors("k8s.io/kubernetes/pkg/apis/core/v1.Convert_core_PodStatus_To_v1_PodStatus")
def convert_pod_ips(status: dict) -> None:
    """The round trip through the internal PodStatus, which has podIPs only (`pod_ips`): back in
    v1, podIP is podIPs[0]."""
    ips = pod_ips(status)
    if ips[:1] != _sent_pod_ips(status)[:1]:  # podIP took the place of the addresses sent
        status["podIPs"] = [{"ip": ips[0]}]
    if ips and ips[0]:
        status["podIP"] = ips[0]


@mirrors("k8s.io/kubernetes/pkg/apis/core/v1.Convert_v1_PodStatus_To_core_PodStatus")
def pod_ips(status: dict) -> list[str]:
    """The internal status.podIPs: v1's podIP, when set, is podIPs[0], and the only one when
    podIPs is empty or starts with another address (older kubelets write podIP alone)."""
    ips, ip = _sent_pod_ips(status), status.get("podIP") or ""
    return [ip] if ip and ips[:1] != [ip] else ips


def _sent_pod_ips(status: dict) -> list[str]:
    return [as_object(pod_ip).get("ip") or "" for pod_ip in as_list(status.get("podIPs"))]


@mirrors("(k8s.io/kubernetes/pkg/registry/core/pod.podStatusStrategy).PrepareForUpdate")
def prepare_for_status_update(new: dict, old: dict) -> None:
    """pods/status keeps the metadata sent (labels, annotations, finalizers) but not the
    ownerReferences, which old kubelets corrupted; the deletionTimestamp is BeforeUpdate's."""
    meta, old_meta = new["metadata"], old["metadata"]
    meta.pop("deletionTimestamp", None)
    meta.pop("ownerReferences", None)
    if "ownerReferences" in old_meta:
        meta["ownerReferences"] = old_meta["ownerReferences"]


@mirrors("(k8s.io/kubernetes/pkg/registry/core/pod.podEphemeralContainersStrategy).PrepareForUpdate",
         "k8s.io/kubernetes/pkg/registry/core/pod.dropNonEphemeralContainerUpdates")
def prepare_for_ephemeral_containers_update(new: dict, old: dict) -> None:
    """The stored pod with only the ephemeral containers sent (and the name, namespace,
    resourceVersion and uid, which the update has already checked)."""
    meta = new["metadata"]
    kept = {field: meta[field] for field in ("name", "namespace", "resourceVersion", "uid") if field in meta}
    ephemeral = as_object(new.get("spec")).get("ephemeralContainers")
    new.clear()
    new.update(deep_copy_json(old))
    new["metadata"].update(kept)
    spec = new.setdefault("spec", {})
    spec.pop("ephemeralContainers", None)
    if ephemeral is not None:
        spec["ephemeralContainers"] = ephemeral
    prepare_for_update(new, old)  # DropDisabledPodFields


def _diff(old: dict, new: dict) -> str:
    """What changed, one field a line: a stand-in for upstream's cmp.Diff, whose layout go-cmp
    varies on purpose so that no one parses it."""
    lines = []
    for field in dict.fromkeys([*old, *new]):
        if old.get(field) != new.get(field):
            lines += [f"-\t{field}: {json.dumps(old[field])}"] if field in old else []
            lines += [f"+\t{field}: {json.dumps(new[field])}"] if field in new else []
    return "\n".join(lines)


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidatePodEphemeralContainersUpdate")
def validate_ephemeral_containers_update(old: dict, new: dict) -> list[str]:
    """The pod's annotations and spec as any pod's, and every ephemeral container already there
    unchanged (by name: a patch need not keep their order)."""
    problems = validate_pod_on_update(old, new) + pod_specific_annotation_update_problems(new, old,
                                                                                         "metadata.annotations")
    sent = {c.get("name"): c for c in as_list(as_object(new.get("spec")).get("ephemeralContainers"))
            if isinstance(c, dict)}
    for container in as_list(as_object(old.get("spec")).get("ephemeralContainers")):
        name = container.get("name")
        if name not in sent:
            problems.append(f"spec.ephemeralContainers: Forbidden: existing ephemeral containers "
                            f"{gojson.quote(name)} may not be removed\n")
        elif sent[name] != container:
            problems.append(f"spec.ephemeralContainers: Forbidden: existing ephemeral containers "
                            f"{gojson.quote(name)} may not be changed\n{_diff(container, sent[name])}")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validatePodIPs")
def pod_ip_problems(status: dict) -> list[str]:
    """Each of the status's (internal) pod IPs is an IP; more than one are an IPv4 and an IPv6
    address, none repeated."""
    ips = pod_ips(status)
    addresses = [parse_ip(ip) for ip in ips]
    problems = [invalid(f"status.podIPs[{index}]", ip, IP_MSG)
                for index, (ip, address) in enumerate(zip(ips, addresses)) if address is None]
    if len(ips) < 2:
        return problems
    if None in addresses:  # netutils.IsDualStackIPStrings fails on the first address that does not parse
        problems.append("status.podIPs: Internal error: failed to check for dual stack with error:ip <nil> is invalid")
    families = {6 if address.version == 6 and not address.ipv4_mapped else 4 for address in addresses if address}
    if None in addresses or families != {4, 6} or len(ips) > 2:
        problems.append(f"status.podIPs: Invalid value: {_go_pod_ips(ips)}: "
                        "may specify no more than one IP for each IP family")
    problems += [f"status.podIPs[{index}]: Duplicate value: core.PodIP{{IP:{gojson.quote(ip)}}}"
                 for index, ip in enumerate(ips) if ip in ips[:index]]
    return problems


def _go_pod_ips(pod_ips: list[str]) -> str:
    """Go's %#v of a []core.PodIP, as an Invalid error shows it."""
    return "[]core.PodIP{" + ", ".join(f"core.PodIP{{IP:{gojson.quote(ip)}}}" for ip in pod_ips) + "}"


SYSTEM_CONDITIONS = ("PodScheduled", "Ready", "Initialized")


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validatePodConditions")
def pod_condition_problems(conditions: object) -> list[str]:
    """A condition type other than the system ones is a qualified name. ValidatePodStatusUpdate
    passes the path metadata.conditions (sic), so that is where errors point."""
    problems = []
    for index, condition in enumerate(as_list(conditions)):
        condition_type = as_object(condition).get("type") or ""
        if condition_type not in SYSTEM_CONDITIONS:
            problems += [invalid(f"metadata.conditions[{index}].Type", condition_type, problem)
                         for problem in qualified_name_problems(condition_type)]
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateContainerStateTransition")
def container_state_transition_problems(new_statuses: object, old_statuses: object, path: str,
                                        restart_policy: str) -> list[str]:
    """A terminated container stays terminated unless the pod restarts it: always, or on failure
    when its exit code is not 0."""
    if restart_policy == "Always":
        return []
    problems = []
    for index, old_status in enumerate(as_list(old_statuses)):
        terminated = as_object(as_object(old_status).get("state")).get("terminated")
        if terminated is None or (restart_policy == "OnFailure" and as_object(terminated).get("exitCode")):
            continue
        problems += [f"{path}[{index}].state: Forbidden: may not be transitioned to non-terminated state"
                     for new_status in as_list(new_statuses)
                     if as_object(new_status).get("name") == old_status.get("name")
                     and as_object(as_object(new_status).get("state")).get("terminated") is None]
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidatePodStatusUpdate")
def validate_status_update(old: dict, new: dict) -> list[str]:
    """The annotations a pod reads, custom condition types, a newly nominated node's name,
    containers that may not leave the terminated state, then the pod IPs."""
    status, old_status = as_object(new.get("status")), as_object(old.get("status"))
    problems = pod_specific_annotation_update_problems(new, old, "metadata.annotations")
    problems += pod_condition_problems(status.get("conditions"))
    nominated = status.get("nominatedNodeName") or ""
    if nominated and nominated != old_status.get("nominatedNodeName"):
        problems += name_problems(nominated, "subdomain", "status.nominatedNodeName")
    restart_policy = as_object(old.get("spec")).get("restartPolicy")
    for field in ("containerStatuses", "initContainerStatuses", "ephemeralContainerStatuses"):
        # The kubelet never restarts an ephemeral container.
        policy = "Never" if field == "ephemeralContainerStatuses" else restart_policy
        problems += container_state_transition_problems(status.get(field), old_status.get(field),
                                                        f"status.{field}", policy)
    return problems + pod_ip_problems(status)


RESOURCES = (
    Resource("", "v1", "Pod", "pods", "pod", True, ("po",), subresources=("status", "binding", "eviction", "log",
                                                                              "exec", "attach", "portforward", "proxy",
                                                                              "ephemeralcontainers"),
             categories=("all",), return_deleted_object=True, status_reset_on_update=True,
             field_selectors=(*COMMON_FIELDS, "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
                              "spec.serviceAccountName", "status.phase", "status.podIP",
                              "status.nominatedNodeName"),
             field_label_conversion=FieldLabelConversion(
                 (*COMMON_FIELDS, "spec.nodeName", "spec.restartPolicy", "spec.schedulerName",
                  "spec.serviceAccountName", "status.phase", "status.podIP", "status.podIPs",
                  "status.nominatedNodeName"),
                 renamed=(("spec.host", "spec.nodeName"),)),  # spec.host: what old v1 clients send
             watch_index="spec.nodeName",
             validator=validate_pod, create_validator=validate_pod_create, validator_on_update=validate_pod_on_update,
             update_validator=validate_pod_update,
             prepare_for_create=prepare_for_create, prepare_for_update=prepare_for_update,
             prepare_for_status_update=prepare_for_status_update, validate_status_update=validate_status_update,
             prepare_for_ephemeral_containers_update=prepare_for_ephemeral_containers_update,
             validate_ephemeral_containers_update=validate_ephemeral_containers_update,
             zero_value={"spec": {"containers": None}, "status": {}},
             update_metadata_checks=UpdateMetadataChecks(full=1, update=1)),
)


DEFAULTS = {"Pod": pod}


DEFINITIONS = {
    CORE + "Pod": kind("", "v1", "Pod", "A group of containers scheduled together on one node.",
                       spec=ref(CORE + "PodSpec", "The desired behaviour of the pod."),
                       status=ref(CORE + "PodStatus", "The observed state of the pod; set by the system.")),
    CORE + "PodStatus": obj(
        "The observed state of a pod.",
        conditions=conditions(CORE + "PodCondition"),
        containerStatuses=arr(ref(CORE + "ContainerStatus"), "One entry per container."),
        ephemeralContainerStatuses=arr(ref(CORE + "ContainerStatus"), "One entry per ephemeral container."),
        hostIP=string("IP of the node running the pod."),
        initContainerStatuses=arr(ref(CORE + "ContainerStatus"), "One entry per init container."),
        message=string("Why the pod is in its phase."),
        nominatedNodeName=string("Node the pod is expected to run on after preemption."),
        phase=string("Pending, Running, Succeeded, Failed or Unknown."),
        podIP=string("The pod's IP address."),
        podIPs=arr(ref(CORE + "PodIP"), "All of the pod's IP addresses.", merge_key="ip"),
        qosClass=string("Guaranteed, Burstable or BestEffort."),
        reason=string("CamelCase reason for the pod's state."),
        startTime=ref(META + "Time", "When the kubelet acknowledged the pod.")),
    CORE + "PodIP": obj("One IP address of a pod.", ip=string("The address.")),
    CORE + "PodList": list_kind("", "v1", CORE + "Pod"),
}


GO_TYPES = {
    CORE + "PodStatus": {"phase": "v1.PodPhase", "qosClass": "v1.PodQOSClass"},
}


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.printPod")
def _pod(pod: dict, now: float) -> list:
    spec, status = part(pod, "spec"), part(pod, "status")
    reason = status.get("reason") or status.get("phase") or ""
    restarts = ready = 0
    has_running = False
    for container in reversed(status.get("containerStatuses") or []):
        restarts += container.get("restartCount", 0)
        state = container.get("state") or {}
        waiting, terminated = state.get("waiting"), state.get("terminated")
        if waiting and waiting.get("reason"):
            reason = waiting["reason"]
        elif terminated and terminated.get("reason"):
            reason = terminated["reason"]
        elif terminated:
            reason = (f"Signal:{terminated['signal']}" if terminated.get("signal")
                      else f"ExitCode:{terminated.get('exitCode', 0)}")
        elif container.get("ready") and state.get("running") is not None:
            has_running = True
            ready += 1
    if reason == "Completed" and has_running:
        conditions = status.get("conditions") or []
        reason = "Running" if any(c.get("type") == "Ready" and c.get("status") == "True"
                                  for c in conditions) else "NotReady"
    if part(pod, "metadata").get("deletionTimestamp"):
        reason = "Unknown" if status.get("reason") == "NodeLost" else "Terminating"
    pod_ips = status.get("podIPs") or []
    gates = spec.get("readinessGates") or []
    true_conditions = {c.get("type") for c in status.get("conditions") or [] if c.get("status") == "True"}
    gate_cell = (f"{sum(g.get('conditionType') in true_conditions for g in gates)}/{len(gates)}"
                 if gates else "<none>")
    return [name_cell(pod), f"{ready}/{len(spec.get('containers') or [])}", reason, str(restarts),
            age_cell(pod, now), pod_ips[0]["ip"] if pod_ips else status.get("podIP") or "<none>",
            spec.get("nodeName") or "<none>", status.get("nominatedNodeName") or "<none>", gate_cell]


PRINTERS = {
    "Pod": ([NAME, ("Ready", "string", 0, "Ready containers out of all containers."),
             ("Status", "string", 0, "Summary of the pod's phase and container states."),
             ("Restarts", "string", 0, "Total container restarts."),
             AGE, ("IP", "string", 1, "Pod IP."),
             ("Node", "string", 1, "Node running the pod."),
             ("Nominated Node", "string", 1, "Node chosen for the pod after preemption."),
             ("Readiness Gates", "string", 1, "Readiness gates met out of all.")], _pod),
}


MESSAGES = """
core.ContainerState: 1 waiting core.ContainerStateWaiting; 2 running core.ContainerStateRunning;
    3 terminated core.ContainerStateTerminated
core.ContainerStateRunning: 1 startedAt! meta.Time
core.ContainerStateTerminated: 1 exitCode! int32; 2 signal? int32; 3 reason? string; 4 message? string;
    5 startedAt! meta.Time; 6 finishedAt! meta.Time; 7 containerID? string
core.ContainerStateWaiting: 1 reason? string; 2 message? string
core.ContainerStatus: 1 name! string; 2 state! core.ContainerState; 3 lastState! core.ContainerState; 4 ready! bool;
    5 restartCount! int32; 6 image! string; 7 imageID! string; 8 containerID? string; 9 started bool
core.Pod: 1 metadata! meta.ObjectMeta; 2 spec! core.PodSpec; 3 status! core.PodStatus
core.PodCondition: 1 type! string; 2 status! string; 3 lastProbeTime! meta.Time; 4 lastTransitionTime! meta.Time;
    5 reason? string; 6 message? string
core.PodIP: 1 ip? string
core.PodList: 1 metadata! meta.ListMeta; 2 items* []core.Pod
core.PodStatus: 1 phase? string; 2 conditions? []core.PodCondition; 3 message? string; 4 reason? string;
    11 nominatedNodeName? string; 5 hostIP? string; 6 podIP? string; 12 podIPs? []core.PodIP; 7 startTime meta.Time;
    10 initContainerStatuses? []core.ContainerStatus; 8 containerStatuses? []core.ContainerStatus; 9 qosClass? string;
    13 ephemeralContainerStatuses? []core.ContainerStatus
"""
