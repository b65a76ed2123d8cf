"""The Event kind (core/v1): its resource facts, OpenAPI schema, printer columns and protobuf layout."""
from __future__ import annotations

from reference_impl.apiserver.core import validation as v
from reference_impl.apiserver.core.conversion import EVENTS_V1_TO_CORE
from reference_impl.apiserver.core.resources import COMMON_FIELDS, FieldLabelConversion, Resource, UpdateMetadataChecks
from reference_impl.apiserver.core.schemas import CORE, META, integer, kind, list_kind, obj, ref, string
from reference_impl.apiserver.kinds._columns import name_cell, since
from reference_impl.machinery.labels import dns_subdomain_problems, qualified_name_problems
from reference_impl.mirrors import mirrors

# A stored Event's selectable fields, all of which core/v1 lets a field selector name.
FIELDS = (*COMMON_FIELDS, "involvedObject.kind", "involvedObject.namespace", "involvedObject.name",
          "involvedObject.uid", "involvedObject.apiVersion", "involvedObject.resourceVersion",
          "involvedObject.fieldPath", "reason", "reportingComponent", "source", "type")

# legacyValidateEvent's limits on a byte count.
REPORTING_INSTANCE_LENGTH_LIMIT = ACTION_LENGTH_LIMIT = REASON_LENGTH_LIMIT = 128
NOTE_LENGTH_LIMIT = 1024


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.legacyValidateEvent")
def legacy_validate_event(event: dict) -> list[str]:
    """All that ValidateEventCreate and ValidateEventUpdate hold a core/v1 Event to. Without an
    eventTime, the event's namespace matches involvedObject's (or, with none there, is "default");
    with one, involvedObject has a namespace (but in default and kube-system) and the event says who
    reported it, how and why."""
    namespace = event["metadata"].get("namespace", "")
    involved_namespace = v.as_object(event.get("involvedObject")).get("namespace") or ""
    mismatch = v.invalid("involvedObject.namespace", involved_namespace, "does not match event.namespace")
    problems = []
    if not event.get("eventTime"):
        matches = involved_namespace == namespace if involved_namespace else namespace in ("", "default")
        return ([] if matches else [mismatch]) + _namespace_problems(namespace)
    if not involved_namespace and namespace not in ("default", "kube-system"):
        problems.append(mismatch)
    controller = event.get("reportingComponent") or ""
    if not controller:
        problems.append(v.required("reportingController"))
    problems += [v.invalid("reportingController", controller, why) for why in qualified_name_problems(controller)]
    for field, limit in (("reportingInstance", REPORTING_INSTANCE_LENGTH_LIMIT), ("action", ACTION_LENGTH_LIMIT),
                         ("reason", REASON_LENGTH_LIMIT)):
        value = event.get(field) or ""
        if not value:
            problems.append(v.required(field))
        if len(value.encode("utf-8", "surrogateescape")) > limit:
            problems.append(v.invalid(field, "", f"can have at most {limit} characters"))
    if len((event.get("message") or "").encode("utf-8", "surrogateescape")) > NOTE_LENGTH_LIMIT:
        problems.append(v.invalid("message", "", f"can have at most {NOTE_LENGTH_LIMIT} characters"))
    return problems + _namespace_problems(namespace)


def _namespace_problems(namespace: str) -> list[str]:
    return [v.invalid("namespace", namespace, problem) for problem in dns_subdomain_problems(namespace)]


RESOURCES = (
    # Requests through core/v1 get legacy validation only, for backwards compatibility.
    Resource("", "v1", "Event", "events", "event", True, ("ev",), name_validation=None,
             field_selectors=FIELDS, field_label_conversion=FieldLabelConversion(FIELDS),
             validator=legacy_validate_event,
             allow_create_on_update=True,
             update_metadata_checks=UpdateMetadataChecks(full=0, update=0)),
)


DEFINITIONS = {
    CORE + "Event": kind(
        "", "v1", "Event", "A report of something that happened to an object.", ("involvedObject", "metadata"),
        action=string("What was done or failed."),
        count=integer("How many times the event occurred."),
        eventTime=ref(META + "MicroTime", "When the event first happened."),
        firstTimestamp=ref(META + "Time", "First time the event happened."),
        involvedObject=ref(CORE + "ObjectReference", "Involved object."),
        lastTimestamp=ref(META + "Time", "When the event was last recorded."),
        message=string("Human-readable description."),
        reason=string("Short CamelCase reason."),
        related=ref(CORE + "ObjectReference", "A second object involved."),
        reportingComponent=string("The controller that emitted the event."),
        reportingInstance=string("The instance of that controller."),
        series=ref(CORE + "EventSeries", "Data on a series of repeated events."),
        source=ref(CORE + "EventSource", "The component and host that reported the event."),
        type=string("Normal or Warning.")),
    CORE + "EventList": list_kind("", "v1", CORE + "Event"),
    CORE + "EventSeries": obj("Data on a series of repeated events.",
                              count=integer("How many times the event occurred in the series."),
                              lastObservedTime=ref(META + "MicroTime", "When the last one happened.")),
    CORE + "EventSource": obj("The component and host that reported an event.",
                              component=string("The component."), host=string("The node.")),
}


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.printEvent")
def _event(event: dict, now: float) -> list:
    event = {EVENTS_V1_TO_CORE.get(k, k): v for k, v in event.items()}  # both versions print alike
    first = (since(event["firstTimestamp"], now) if event.get("firstTimestamp")
             else since(event.get("eventTime"), now))
    last = since(event["lastTimestamp"], now) if event.get("lastTimestamp") else first
    count = event.get("count") or 1
    if event.get("series"):
        last, count = since(event["series"].get("lastObservedTime"), now), event["series"].get("count", count)
    involved = event.get("involvedObject") or {}
    target = involved.get("kind", "").lower() + (f"/{involved['name']}" if involved.get("name") else "")
    source = event.get("source") or {}
    source_cell = ", ".join(filter(None, [source.get("component") or event.get("reportingComponent", ""),
                                          source.get("host") or event.get("reportingInstance", "")]))
    return [last, event.get("type", ""), event.get("reason", ""), target, involved.get("fieldPath", ""),
            source_cell, (event.get("message") or "").strip(), first, count, name_cell(event)]


PRINTERS = {
    "Event": ([("Last Seen", "string", 0, "Time since last seen."),
               ("Type", "string", 0, "Normal or Warning."),
               ("Reason", "string", 0, "Short reason code."),
               ("Object", "string", 0, "Object involved."),
               ("Subobject", "string", 1, "Part of the object involved."),
               ("Source", "string", 1, "Reporting component."),
               ("Message", "string", 0, "Event message."),
               ("First Seen", "string", 1, "Time since first seen."),
               ("Count", "string", 1, "Times seen."),
               ("Name", "string", 1, "Object name.")], _event),
}


MESSAGES = """
core.Event: 1 metadata! meta.ObjectMeta; 2 involvedObject! core.ObjectReference; 3 reason? string; 4 message? string;
    5 source! core.EventSource; 6 firstTimestamp! meta.Time; 7 lastTimestamp! meta.Time; 8 count? int32;
    9 type? string; 10 eventTime! meta.MicroTime; 11 series core.EventSeries; 12 action? string;
    13 related core.ObjectReference; 14 reportingComponent! string; 15 reportingInstance! string
core.EventList: 1 metadata! meta.ListMeta; 2 items* []core.Event
core.EventSeries: 1 count? int32; 2 lastObservedTime! meta.MicroTime
"""
