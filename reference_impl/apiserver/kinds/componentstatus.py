"""The ComponentStatus kind (v1, deprecated): its OpenAPI schema and printer columns. It is served
list and get only by `core.componentstatus`, probed on each request and never stored, so no
RESOURCES (its discovery entry is `discovery.COMPONENT_STATUSES`)."""
from __future__ import annotations

from reference_impl.apiserver.core.schemas import CORE, arr, kind, list_kind, obj, ref, string
from reference_impl.apiserver.kinds._columns import NAME, name_cell
from reference_impl.mirrors import mirrors

RESOURCES = ()


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.printComponentStatus")
def component_status_row(status: dict, now: float) -> list:
    """The Healthy condition's status (Healthy when True, else Unhealthy; Unknown without one),
    message and error."""
    for condition in status.get("conditions") or []:
        if condition.get("type") == "Healthy":
            health = "Healthy" if condition.get("status") == "True" else "Unhealthy"
            return [name_cell(status), health, condition.get("message", ""), condition.get("error", "")]
    return [name_cell(status), "Unknown", "", ""]


DEFINITIONS = {
    CORE + "ComponentStatus": kind(
        "", "v1", "ComponentStatus", "The health of a control-plane component (deprecated in v1.19+).",
        conditions=arr(ref(CORE + "ComponentCondition"), "The component's conditions.", merge_key="type")),
    CORE + "ComponentCondition": obj(
        "One condition of a component.", ("type", "status"),
        type=string("The condition's type: Healthy."), status=string("True, False or Unknown."),
        message=string("The probe's output."), error=string("Why the probe's output is not healthy.")),
    CORE + "ComponentStatusList": list_kind("", "v1", CORE + "ComponentStatus"),
}


PRINTERS = {
    "ComponentStatus": ([NAME, ("Status", "string", 0, "Status of the component conditions"),
                         ("Message", "string", 0, "Message of the component conditions"),
                         ("Error", "string", 0, "Error of the component conditions")],
                        component_status_row),
}
