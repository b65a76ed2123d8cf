"""The beta versions kube-apiserver 1.24 still serves by default (DefaultAPIResourceConfigSource
enables them), each deprecated: batch/v1beta1 CronJobs, node.k8s.io/v1beta1 RuntimeClasses,
autoscaling/v2beta1 and v2beta2 HorizontalPodAutoscalers, events.k8s.io/v1beta1 Events,
discovery.k8s.io/v1beta1 EndpointSlices and policy/v1beta1 PodDisruptionBudgets.

Each is served from the resource of the version that replaced it, which stands in for upstream's
internal version: the same strategy (defaults, validation, printer), with a `Codec` converting to
it and on through its own codec to the version stored (1.24 stores batch/v1, node.k8s.io/v1,
autoscaling/v1, core/v1 Events, but discovery.k8s.io/v1beta1 and policy/v1beta1, whose
replacements convert back to them), the installer's deprecation `Warning` on every request, and
OpenAPI definitions and protobuf layouts copied from the replacement's under the beta version's
name. Most have the replacement's fields, so their conversion only rewrites apiVersion; a version
whose fields differ brings its own conversion functions, as upstream's conversion.go does:
v2beta1's metric targets (in `_autoscaling_v2beta1`, with its own definitions and layouts), an
EndpointSlice's topology and a PodDisruptionBudget's empty selector (beside their kinds), the beta
autoscaling status written without omitempty.
"""
from __future__ import annotations

import copy
import re
from dataclasses import replace
from typing import Callable

from reference_impl.apiserver.core.conversion import Codec
from reference_impl.apiserver.core.resources import COMMON_FIELDS, FieldLabelConversion, Resource
from reference_impl.apiserver.core.schemas import (AUTOSCALING_V2, BATCH, DISCOVERY, EVENTS, NODE, POLICY, REF_PREFIX,
                                                   string_map)
from reference_impl.apiserver.kinds import _autoscaling_v2beta1
from reference_impl.apiserver.kinds import (cronjob, endpointslice, events, horizontalpodautoscaler, poddisruptionbudget,
                                             runtimeclass)
from reference_impl.apiserver.kinds.endpointslice import endpoint_to_v1, endpoint_to_v1beta1, endpoints_converted
from reference_impl.apiserver.kinds.poddisruptionbudget import pdb_to_v1, pdb_to_v1beta1
from reference_impl.mirrors import mirrors


def _same_fields(obj: dict) -> dict:
    return obj


@mirrors("(*k8s.io/apiserver/pkg/endpoints.APIInstaller).registerResourceHandlers")
def deprecation_warning(api_version: str, kind: str, deprecated: str, removed: str, replacement: str = "") -> str:
    """The Warning the installer adds to every request of a deprecated version, in the words of the
    type's generated APILifecycleDeprecated/Removed/Replacement (the replacement only where the
    type names one)."""
    warning = f"{api_version} {kind} is deprecated in v{deprecated}+, unavailable in v{removed}+"
    return f"{warning}; use {replacement} {kind}" if replacement else warning


def older_version(current: Resource, version: str, warning: str,
                  to_current: Callable[[dict], dict] = _same_fields,
                  from_current: Callable[[dict], dict] = _same_fields, **changes) -> Resource:
    """`current` served as the older `version`: objects converted to `current`'s version on their
    way to storage (and through `current`'s own codec where it has one), and back."""
    served, stored = f"{current.group}/{version}", current.api_version
    outer = current.storage_codec or Codec(_same_fields, _same_fields)
    codec = Codec(lambda obj: outer.to_storage({**to_current(obj), "apiVersion": stored}),
                  lambda obj: {**from_current(outer.from_storage(obj)), "apiVersion": served})
    return replace(current, version=version, deprecation_warning=warning, storage_codec=codec,
                   stored_as=current.storage_api_version, **changes)


def definitions_as(definitions: dict, prefix: str, version_prefix: str, version: str) -> dict:
    """`definitions` (named `prefix` + type) renamed `version_prefix` + type for `version`: the
    references between them follow, the group-version-kind names `version`."""
    renamed = {REF_PREFIX + name: REF_PREFIX + version_prefix + name[len(prefix):] for name in definitions}

    def rewrite(node):
        if isinstance(node, dict):
            return {key: (renamed.get(value, value) if key == "$ref" else
                          [{**gvk, "version": version} for gvk in value] if key == "x-kubernetes-group-version-kind"
                          else rewrite(value)) for key, value in node.items()}
        if isinstance(node, list):
            return [rewrite(item) for item in node]
        return node

    return {version_prefix + name[len(prefix):]: rewrite(copy.deepcopy(schema)) for name, schema in definitions.items()}


def messages_as(messages: str, package: str, names: tuple[str, ...], versioned: str) -> str:
    """The protobuf layouts of the types `names` of `package` (as `core.protobuf_messages` writes
    them) under the `versioned` package, their references to each other following."""
    blocks = re.split(r"\n(?=\S)", messages.strip())
    own = re.compile(rf"\b{re.escape(package)}\.({'|'.join(map(re.escape, names))})\b")
    return "\n".join(own.sub(lambda m: f"{versioned}.{m.group(1)}", block) for block in blocks
                     if block.split(":", 1)[0] in {f"{package}.{name}" for name in names})


def go_types_as(go_types: dict, prefix: str, version_prefix: str, go_package: str, version: str,
                own: tuple[str, ...] | None = None) -> dict:
    """`go_types` of the definitions named `prefix` + type, for the same types of `version`: the
    types of `go_package` (`v2.MetricSourceType`), or only those named in `own` where the package
    name is ambiguous (v1 is also core/v1's and meta/v1's), are `version`'s."""
    names = r"\w+" if own is None else "|".join(map(re.escape, own)) or "(?!)"
    ours = re.compile(rf"(?<![\w.]){re.escape(go_package)}\.(?=(?:{names})\b)")
    return {version_prefix + name[len(prefix):]: {field: ours.sub(f"{version}.", go_type) for field, go_type in fields.items()}
            for name, fields in go_types.items() if name.startswith(prefix)}


# The beta autoscaling versions' status writes currentReplicas and conditions even when empty; v2's omits them.
V2BETA2_STATUS_ORDER = ("observedGeneration", "lastScaleTime", "currentReplicas", "desiredReplicas",
                        "currentMetrics", "conditions")
V2BETA2_STATUS_ZERO = {"currentReplicas": 0, "desiredReplicas": 0, "currentMetrics": None, "conditions": None}


@mirrors("k8s.io/kubernetes/pkg/apis/autoscaling/v2beta2.Convert_v2beta2_HorizontalPodAutoscalerStatus_To_autoscaling_HorizontalPodAutoscalerStatus")
def hpa_beta_status_to_v2(hpa: dict) -> dict:
    status = hpa.get("status")
    if not isinstance(status, dict):
        return hpa
    kept = {k: value for k, value in status.items()
            if not (k == "currentReplicas" and value == 0 or k == "conditions" and not value)}
    return {**hpa, "status": kept}


@mirrors("k8s.io/kubernetes/pkg/apis/autoscaling/v2beta2.Convert_autoscaling_HorizontalPodAutoscalerStatus_To_v2beta2_HorizontalPodAutoscalerStatus")
def hpa_beta_status_from_v2(hpa: dict) -> dict:
    status = hpa.get("status")
    if not isinstance(status, dict):
        return hpa
    filled = {**V2BETA2_STATUS_ZERO, **status}
    return {**hpa, "status": {k: filled[k] for k in V2BETA2_STATUS_ORDER if k in filled}}


def validate_endpoint_slice_v1beta1(served: dict) -> list[str]:
    """ValidateEndpointSliceCreate checks the slice as converted: the topology as deprecatedTopology."""
    return endpointslice.validate_endpoint_slice(endpoints_converted(endpoint_to_v1)(served))


def _named(definitions: dict, prefix: str, names: tuple[str, ...]) -> dict:
    return {prefix + name: definitions[prefix + name] for name in names}


CRON_JOB_TYPES = ("CronJob", "CronJobList", "CronJobSpec", "CronJobStatus", "JobTemplateSpec")
RUNTIME_CLASS_TYPES = ("RuntimeClass", "RuntimeClassList", "Overhead", "Scheduling")
EVENT_TYPES = ("Event", "EventList", "EventSeries")
ENDPOINT_SLICE_TYPES = ("EndpointSlice", "EndpointSliceList", "Endpoint", "EndpointConditions", "EndpointHints",
                        "ForZone", "EndpointPort")
DISCOVERY_V1BETA1 = "io.k8s.api.discovery.v1beta1."
PDB_TYPES = ("PodDisruptionBudget", "PodDisruptionBudgetList", "PodDisruptionBudgetSpec", "PodDisruptionBudgetStatus")
HPA_TYPES = tuple(name[len(AUTOSCALING_V2):] for name in horizontalpodautoscaler.DEFINITIONS
                  if name.startswith(AUTOSCALING_V2))


def _only(module, kind: str) -> Resource:
    return next(r for r in module.RESOURCES if r.kind == kind and r.version in ("v1", "v2"))


# batch/v1beta1 registers its own field label conversion for CronJobs (v1 registers none).
CRON_JOB_FIELD_LABELS = FieldLabelConversion((*COMMON_FIELDS, "status.successful"),
                                             unsupported='field label {quoted} not supported for "CronJob"')

RESOURCES = (
    older_version(_only(cronjob, "CronJob"), "v1beta1",
                  deprecation_warning("batch/v1beta1", "CronJob", "1.21", "1.25", "batch/v1"),
                  field_label_conversion=CRON_JOB_FIELD_LABELS),
    older_version(_only(runtimeclass, "RuntimeClass"), "v1beta1",
                  deprecation_warning("node.k8s.io/v1beta1", "RuntimeClass", "1.22", "1.25")),
    # Before v2beta2, as the aggregator's version priorities list them (v2beta1's is higher).
    older_version(_only(horizontalpodautoscaler, "HorizontalPodAutoscaler"), "v2beta1",
                  deprecation_warning("autoscaling/v2beta1", "HorizontalPodAutoscaler", "1.22", "1.25",
                                      "autoscaling/v2beta2"),
                  lambda hpa: hpa_beta_status_to_v2(_autoscaling_v2beta1.to_v2(hpa)),
                  lambda hpa: hpa_beta_status_from_v2(_autoscaling_v2beta1.from_v2(hpa)),
                  zero_value={"spec": horizontalpodautoscaler.ZERO_SPEC, "status": V2BETA2_STATUS_ZERO}),
    older_version(_only(horizontalpodautoscaler, "HorizontalPodAutoscaler"), "v2beta2",
                  deprecation_warning("autoscaling/v2beta2", "HorizontalPodAutoscaler", "1.23", "1.26"),
                  hpa_beta_status_to_v2, hpa_beta_status_from_v2,
                  zero_value={"spec": horizontalpodautoscaler.ZERO_SPEC, "status": V2BETA2_STATUS_ZERO}),
    # dropTopologyOnV1 keeps a v1beta1 request's topology; the strategy's other work is the same.
    older_version(_only(endpointslice, "EndpointSlice"), "v1beta1",
                  deprecation_warning("discovery.k8s.io/v1beta1", "EndpointSlice", "1.21", "1.25",
                                      "discovery.k8s.io/v1"),
                  endpoints_converted(endpoint_to_v1), endpoints_converted(endpoint_to_v1beta1),
                  validator=validate_endpoint_slice_v1beta1),
    older_version(_only(poddisruptionbudget, "PodDisruptionBudget"), "v1beta1",
                  deprecation_warning("policy/v1beta1", "PodDisruptionBudget", "1.21", "1.25", "policy/v1"),
                  pdb_to_v1, pdb_to_v1beta1),
    # ValidateEventCreate checks a v1beta1 Event as a core/v1 one: legacyValidateEvent alone.
    older_version(_only(events, "Event"), "v1beta1",
                  deprecation_warning("events.k8s.io/v1beta1", "Event", "1.22", "1.25"), create_validator=None),
)

DEFINITIONS = {
    **definitions_as(_named(cronjob.DEFINITIONS, BATCH, CRON_JOB_TYPES), BATCH, "io.k8s.api.batch.v1beta1.", "v1beta1"),
    **definitions_as(_named(runtimeclass.DEFINITIONS, NODE, RUNTIME_CLASS_TYPES), NODE, "io.k8s.api.node.v1beta1.",
                     "v1beta1"),
    **definitions_as(_named(horizontalpodautoscaler.DEFINITIONS, AUTOSCALING_V2, HPA_TYPES), AUTOSCALING_V2,
                     "io.k8s.api.autoscaling.v2beta2.", "v2beta2"),
    **_autoscaling_v2beta1.DEFINITIONS,
    **definitions_as(_named(poddisruptionbudget.DEFINITIONS, POLICY, PDB_TYPES), POLICY, "io.k8s.api.policy.v1beta1.",
                     "v1beta1"),
    **definitions_as(_named(events.DEFINITIONS, EVENTS, EVENT_TYPES), EVENTS, "io.k8s.api.events.v1beta1.", "v1beta1"),
}
# v2beta2's status requires currentReplicas (no omitempty), which autoscaling/v2 made optional.
DEFINITIONS["io.k8s.api.autoscaling.v2beta2.HorizontalPodAutoscalerStatus"]["required"] = ["currentReplicas",
                                                                                         "desiredReplicas"]


def _v1beta1_endpoint(definitions: dict) -> dict:
    """v1's Endpoint definition with topology where v1 has deprecatedTopology and zone."""
    endpoint = definitions[DISCOVERY_V1BETA1 + "Endpoint"]
    properties = {k: value for k, value in endpoint["properties"].items() if k not in ("deprecatedTopology", "zone")}
    properties["topology"] = string_map("Topology labels: kubernetes.io/hostname, topology.kubernetes.io/zone, "
                                        "topology.kubernetes.io/region.")
    return {**definitions, DISCOVERY_V1BETA1 + "Endpoint": {**endpoint, "properties": dict(sorted(properties.items()))}}


DEFINITIONS.update(_v1beta1_endpoint(definitions_as(_named(endpointslice.DEFINITIONS, DISCOVERY, ENDPOINT_SLICE_TYPES),
                                                    DISCOVERY, DISCOVERY_V1BETA1, "v1beta1")))

GO_TYPES = {
    **go_types_as(cronjob.GO_TYPES, BATCH, "io.k8s.api.batch.v1beta1.", "v1", "v1beta1", ("ConcurrencyPolicy",)),
    **go_types_as(poddisruptionbudget.GO_TYPES, POLICY, "io.k8s.api.policy.v1beta1.", "v1", "v1beta1", ()),
    **go_types_as(endpointslice.GO_TYPES, DISCOVERY, DISCOVERY_V1BETA1, "v1", "v1beta1",
                 ("AddressType", "Endpoint", "EndpointPort", "EndpointHints")),
    **go_types_as(horizontalpodautoscaler.GO_TYPES, AUTOSCALING_V2, "io.k8s.api.autoscaling.v2beta2.", "v2", "v2beta2"),
}

MESSAGES = "\n".join((
    _autoscaling_v2beta1.MESSAGES.strip(),
    messages_as(cronjob.MESSAGES, "batch", CRON_JOB_TYPES, "batch.v1beta1"),
    messages_as(runtimeclass.MESSAGES, "node", RUNTIME_CLASS_TYPES, "node.v1beta1"),
    messages_as(horizontalpodautoscaler.MESSAGES, "autoscaling.v2", HPA_TYPES, "autoscaling.v2beta2"),
    messages_as(events.MESSAGES, "events", EVENT_TYPES, "events.v1beta1"),
    messages_as(poddisruptionbudget.MESSAGES, "policy", PDB_TYPES, "policy.v1beta1"),
    # v1beta1's Endpoint has field 5 as its topology and no zone; field 7 is its hints.
    messages_as(endpointslice.MESSAGES, "discovery", ENDPOINT_SLICE_TYPES, "discovery.v1beta1").replace(
        "5 deprecatedTopology? {}string; 6 nodeName string; 7 zone string;\n    8 hints",
        "5 topology? {}string; 6 nodeName string;\n    7 hints"),
))
