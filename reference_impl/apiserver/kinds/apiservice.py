"""The APIService kind (apiregistration.k8s.io/v1, kube-aggregator's): its resource facts,
validation, defaults, OpenAPI schema, printer columns and protobuf layout; and the local
APIServices the real server's autoregister controller keeps, one for each group version it serves
itself, with the priorities of its table.

The reference server aggregates nothing: an APIService naming a service is stored and validated as
upstream's and listed in discovery, but requests are never proxied to it (they get the aggregator's
503 for an unavailable service) and no availability controller sets its status.
"""
from __future__ import annotations

from typing import Iterable

from reference_impl.apiserver.core.resources import Resource, UpdateMetadataChecks
from reference_impl.apiserver.core.schemas import META, arr, boolean, integer, kind, list_kind, obj, ref, string
from reference_impl.apiserver.core.validation import invalid, name_problems, required, unsupported
from reference_impl.apiserver.kinds._columns import AGE, NAME, age_cell, name_cell, part
from reference_impl.mirrors import mirrors

APIREGISTRATION = "io.k8s.kube-aggregator.pkg.apis.apiregistration.v1."
AUTOREGISTER_LABEL = "kube-aggregator.kubernetes.io/automanaged"
CONDITION_STATUSES = ("True", "False", "Unknown")

# cmd/kube-apiserver/app/aggregator.go's apiVersionPriorities for the group versions served here:
# (group, version) -> (groupPriorityMinimum, versionPriority). A group version not in the table
# gets no APIService (makeAPIService skips it).
API_VERSION_PRIORITIES = {
    ("", "v1"): (18000, 1),
    ("apps", "v1"): (17800, 15),
    ("events.k8s.io", "v1"): (17750, 15),
    ("events.k8s.io", "v1beta1"): (17750, 5),
    ("authentication.k8s.io", "v1"): (17700, 15),
    ("authorization.k8s.io", "v1"): (17600, 15),
    ("autoscaling", "v1"): (17500, 15),
    ("autoscaling", "v2"): (17500, 30),
    ("autoscaling", "v2beta1"): (17500, 9),
    ("autoscaling", "v2beta2"): (17500, 1),
    ("batch", "v1"): (17400, 15),
    ("batch", "v1beta1"): (17400, 9),
    ("certificates.k8s.io", "v1"): (17300, 15),
    ("networking.k8s.io", "v1"): (17200, 15),
    ("policy", "v1"): (17100, 15),
    ("policy", "v1beta1"): (17100, 9),
    ("rbac.authorization.k8s.io", "v1"): (17000, 15),
    ("storage.k8s.io", "v1"): (16800, 15),
    ("storage.k8s.io", "v1beta1"): (16800, 9),
    ("apiextensions.k8s.io", "v1"): (16700, 15),
    ("admissionregistration.k8s.io", "v1"): (16700, 15),
    ("scheduling.k8s.io", "v1"): (16600, 15),
    ("coordination.k8s.io", "v1"): (16500, 15),
    ("node.k8s.io", "v1"): (16300, 15),
    ("node.k8s.io", "v1beta1"): (16300, 9),
    ("discovery.k8s.io", "v1"): (16200, 15),
    ("discovery.k8s.io", "v1beta1"): (16200, 12),
    ("flowcontrol.apiserver.k8s.io", "v1beta2"): (16100, 15),
    ("flowcontrol.apiserver.k8s.io", "v1beta1"): (16100, 12),
}


@mirrors("k8s.io/kubernetes/cmd/kube-apiserver/app.makeAPIService")
def local_api_service(group: str, version: str) -> dict | None:
    """The APIService autoregister keeps for a group version this server serves, or None for one
    not in the priority table."""
    if (group, version) not in API_VERSION_PRIORITIES:
        return None
    group_priority, version_priority = API_VERSION_PRIORITIES[group, version]
    spec = {"group": group, "version": version, "groupPriorityMinimum": group_priority,
            "versionPriority": version_priority}
    return {"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
            "metadata": {"name": f"{version}.{group}", "labels": {AUTOREGISTER_LABEL: "onstart"}},
            "spec": {k: v for k, v in spec.items() if v != ""}}


@mirrors("k8s.io/kubernetes/cmd/kube-apiserver/app.apiServicesToRegister")
def local_api_services(group_versions: Iterable[tuple[str, str]]) -> list[dict]:
    """The local APIServices of the group versions served, in that order."""
    return [service for group, version in group_versions
            if (service := local_api_service(group, version)) is not None]


@mirrors("(*k8s.io/kube-aggregator/pkg/controllers/status.AvailableConditionController).sync")
def local_available_condition(now: str) -> dict:
    """What the availability controller writes of an APIService served locally."""
    return {"type": "Available", "status": "True", "lastTransitionTime": now, "reason": "Local",
            "message": "Local APIServices are always available"}


@mirrors("k8s.io/kube-aggregator/pkg/apis/apiregistration/validation.ValidateAPIService")
def validate_api_service(api_service: dict) -> list[str]:
    """The name is `spec.version + "." + spec.group`; only v1 has no group; priorities within their
    bounds; a local APIService (no service) has neither caBundle nor insecureSkipTLSVerify, a
    service is named in full with a valid port."""
    spec = part(api_service, "spec")
    group, version = spec.get("group") or "", spec.get("version") or ""
    problems = _name_problems(part(api_service, "metadata").get("name") or "", f"{version}.{group}")
    if not group and version != "v1":
        problems.append(required("spec.group", "only v1 may have an empty group and it better be legacy kube"))
    if group:
        problems += name_problems(group, "subdomain", "spec.group")
    problems += name_problems(version, "dns1035", "spec.version")
    group_priority, version_priority = spec.get("groupPriorityMinimum") or 0, spec.get("versionPriority") or 0
    if not 0 < group_priority <= 20000:
        problems.append(invalid("spec.groupPriorityMinimum", group_priority, "must be positive and less than 20000"))
    if not 0 < version_priority <= 1000:
        problems.append(invalid("spec.versionPriority", version_priority, "must be positive and less than 1000"))
    return problems + _service_problems(spec)


def _name_problems(name: str, required_name: str) -> list[str]:
    """ValidateObjectMeta's name func: a path segment first, then exactly `required_name`."""
    if not name or name_problems(name, "path"):
        return []  # the metadata's own check reports these
    if name != required_name:
        return [invalid("metadata.name", name, f'must be `spec.version+"."+spec.group`: "{required_name}"')]
    return []


def _service_problems(spec: dict) -> list[str]:
    ca_bundle, insecure = spec.get("caBundle") or "", bool(spec.get("insecureSkipTLSVerify"))
    service = spec.get("service")
    if service is None:
        problems = []
        if ca_bundle:
            problems.append(invalid("spec.caBundle", f"{_decoded_length(ca_bundle)} bytes",
                                    "local APIServices may not have a caBundle"))
        if insecure:
            problems.append(invalid("spec.insecureSkipTLSVerify", True,
                                    "local APIServices may not have insecureSkipTLSVerify"))
        return problems
    problems = [required(f"spec.service.{field}") for field in ("namespace", "name") if not service.get(field)]
    port = service.get("port")
    if port is not None and not 1 <= port <= 65535:
        problems.append(invalid("spec.service.port", port,
                                "port is not valid: must be between 1 and 65535, inclusive"))
    if insecure and ca_bundle:
        problems.append(invalid("spec.insecureSkipTLSVerify", True, "may not be true if caBundle is present"))
    return problems


def _decoded_length(ca_bundle: str) -> int:
    """The length of the []byte a base64 caBundle decodes into."""
    text = ca_bundle.rstrip("=")
    return len(text) * 3 // 4


@mirrors("k8s.io/kube-aggregator/pkg/apis/apiregistration/validation.ValidateAPIServiceStatus")
def validate_api_service_status(old: dict, new: dict) -> list[str]:
    """Each condition's status is True, False or Unknown."""
    conditions = part(new, "status").get("conditions") or []
    return [unsupported(f"status.conditions[{i}].status", condition.get("status") or "", CONDITION_STATUSES)
            for i, condition in enumerate(conditions)
            if isinstance(condition, dict) and condition.get("status") not in CONDITION_STATUSES]


@mirrors("k8s.io/kube-aggregator/pkg/apis/apiregistration/v1.SetDefaults_ServiceReference")
def api_service(obj: dict, spec: dict) -> None:
    service = spec.get("service")
    if isinstance(service, dict):
        service.setdefault("port", 443)


RESOURCES = (
    Resource("apiregistration.k8s.io", "v1", "APIService", "apiservices", "apiservice", False,
             subresources=("status",), categories=("api-extensions",), name_validation="path-name",
             storage_prefix="apiregistration.k8s.io/apiservices", status_reset_on_update=True,
             validator=validate_api_service, validate_status_update=validate_api_service_status,
             kube_finalizers=False, update_metadata_checks=UpdateMetadataChecks(full=1, update=1)),
)


DEFAULTS = {"APIService": api_service}


@mirrors("(*k8s.io/kube-aggregator/pkg/registry/apiservice/etcd.REST).ConvertToTable")
def api_service_row(service: dict, now: float) -> list:
    """SERVICE is `namespace/name` or Local; AVAILABLE the Available condition's status, with its
    reason when it is not True, Unknown without one."""
    reference = part(service, "spec").get("service")
    where = f"{reference.get('namespace', '')}/{reference.get('name', '')}" if isinstance(reference, dict) else "Local"
    available = "Unknown"
    for condition in part(service, "status").get("conditions") or []:
        if isinstance(condition, dict) and condition.get("type") == "Available":
            status, reason = condition.get("status", ""), condition.get("reason", "")
            available = f"{status} ({reason})" if status != "True" and reason else status
            break
    return [name_cell(service), where, available, age_cell(service, now)]


PRINTERS = {
    "APIService": ([NAME, ("Service", "string", 0, "The reference to the service that hosts this API endpoint."),
                    ("Available", "string", 0, "Whether this service is available."), AGE],
                   api_service_row),
}


DEFINITIONS = {
    APIREGISTRATION + "APIService": kind(
        "apiregistration.k8s.io", "v1", "APIService", "A server for a particular group version.",
        spec=ref(APIREGISTRATION + "APIServiceSpec", "Where the group version is served."),
        status=ref(APIREGISTRATION + "APIServiceStatus", "Whether it is available.")),
    APIREGISTRATION + "APIServiceSpec": obj(
        "Where a group version is served.", ("groupPriorityMinimum", "versionPriority"),
        service=ref(APIREGISTRATION + "ServiceReference", "The service behind it; none for a local one."),
        group=string("The API group."), version=string("The API version."),
        insecureSkipTLSVerify=boolean("Skip verifying the service's serving certificate."),
        caBundle=string("The CA bundle the service's serving certificate must chain to.", "byte"),
        groupPriorityMinimum=integer("The group's minimum priority among groups."),
        versionPriority=integer("The version's priority within its group.")),
    APIREGISTRATION + "ServiceReference": obj(
        "A service by namespace and name.", namespace=string("The service's namespace."),
        name=string("The service's name."), port=integer("The service's port (default 443).")),
    APIREGISTRATION + "APIServiceStatus": obj(
        "The state of an APIService.",
        conditions=arr(ref(APIREGISTRATION + "APIServiceCondition"), "Its conditions.", merge_key="type",
                       map_keys=("type",))),
    APIREGISTRATION + "APIServiceCondition": obj(
        "One condition of an APIService.", ("type", "status"), type=string("Available."),
        status=string("True, False or Unknown."),
        lastTransitionTime=ref(META + "Time", "When the status last changed."),
        reason=string("Why, in CamelCase."), message=string("Why, for people.")),
    APIREGISTRATION + "APIServiceList": list_kind("apiregistration.k8s.io", "v1", APIREGISTRATION + "APIService"),
}


GO_TYPES = {
    APIREGISTRATION + "APIServiceSpec": {"service": "*v1.ServiceReference"},
}


MESSAGES = """
apiregistration.APIService: 1 metadata! meta.ObjectMeta; 2 spec! apiregistration.APIServiceSpec;
    3 status! apiregistration.APIServiceStatus
apiregistration.APIServiceCondition: 1 type! string; 2 status! string; 3 lastTransitionTime! meta.Time;
    4 reason? string; 5 message? string
apiregistration.APIServiceList: 1 metadata! meta.ListMeta; 2 items* []apiregistration.APIService
apiregistration.APIServiceSpec: 1 service apiregistration.ServiceReference; 2 group? string; 3 version? string;
    4 insecureSkipTLSVerify? bool; 5 caBundle? bytes; 7 groupPriorityMinimum! int32; 8 versionPriority! int32
apiregistration.APIServiceStatus: 1 conditions? []apiregistration.APIServiceCondition
apiregistration.ServiceReference: 1 namespace? string; 2 name? string; 3 port int32
"""
