"""The Event kind (events.k8s.io/v1): its resource facts, OpenAPI schema and protobuf layout."""
from __future__ import annotations

from reference_impl.apiserver.core import validation as v
from reference_impl.apiserver.core.conversion import EVENTS_V1, event_to_core
from reference_impl.apiserver.core.resources import COMMON_FIELDS, FieldLabelConversion, Resource, UpdateMetadataChecks
from reference_impl.apiserver.core.schemas import CORE, EVENTS, META, integer, kind, list_kind, obj, ref, string
from reference_impl.apiserver.kinds import event
from reference_impl.mirrors import mirrors

EVENT_TYPES = ("Normal", "Warning")


def validate_event(served: dict) -> list[str]:
    """legacyValidateEvent, on the Event as stored (errors name the internal Event's fields)."""
    return event.legacy_validate_event(event_to_core(served))


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateEventCreate",
         "k8s.io/kubernetes/pkg/apis/core/validation.validateV1EventSeries")
def validate_event_create(served: dict) -> list[str]:
    """What a create through events.k8s.io/v1 adds to legacyValidateEvent (core/v1 and v1beta1
    requests get that alone): after it, the object's metadata, then an eventTime, a series of at
    least 2 with its last time, a known type, and none of the fields kept for core/v1."""
    core = event_to_core(served)
    problems = v.metadata_problems(served, "subdomain")
    series = core.get("series")
    if series is not None:
        if (v.as_object(series).get("count") or 0) < 2:
            problems.append(v.invalid("series.count", "", "should be at least 2"))
        if not v.as_object(series).get("lastObservedTime"):
            problems.append(v.required("series.lastObservedTime"))
    if not core.get("eventTime"):
        problems.append(v.required("eventTime"))
    if core.get("type") not in EVENT_TYPES:
        problems.append(v.invalid("type", "", f"has invalid value: {core.get('type') or ''}"))
    problems += [v.invalid(field, "", "needs to be unset")
                 for field in ("firstTimestamp", "lastTimestamp", "count") if core.get(field)]
    source = v.as_object(core.get("source"))
    if source.get("component") or source.get("host"):
        problems.append(v.invalid("source", "", "needs to be unset"))
    return problems


RESOURCES = (
    # Stored as core/v1 Events, under the same keys (conversion.py), and selected by their fields:
    # the labels of events.k8s.io name the core/v1 fields they select.
    Resource("events.k8s.io", "v1", "Event", "events", "event", True, ("ev",), storage_codec=EVENTS_V1, stored_as="v1",
             field_selectors=event.FIELDS, validator=validate_event, create_validator=validate_event_create,
             name_validation=None,  # ValidateEventCreate checks the metadata after legacyValidateEvent
             field_label_conversion=FieldLabelConversion(
                 (*COMMON_FIELDS, "reason", "type"),
                 renamed=(("reportingController", "reportingComponent"),
                          *((f"regarding.{name}", f"involvedObject.{name}") for name in (
                              "kind", "namespace", "name", "uid", "apiVersion", "resourceVersion", "fieldPath")))),
             allow_create_on_update=True, kind_group="",
             update_metadata_checks=UpdateMetadataChecks(full=0, update=0)),
)


DEFINITIONS = {
    EVENTS + "Event": kind(
        "events.k8s.io", "v1", "Event", "A report of something that happened to an object.", ("eventTime",),
        action=string("What was done or failed."),
        deprecatedCount=integer("core/v1 count."),
        deprecatedFirstTimestamp=ref(META + "Time", "core/v1 firstTimestamp."),
        deprecatedLastTimestamp=ref(META + "Time", "core/v1 lastTimestamp."),
        deprecatedSource=ref(CORE + "EventSource", "core/v1 source."),
        eventTime=ref(META + "MicroTime", "When the event first happened."),
        note=string("Human-readable description."),
        reason=string("Short CamelCase reason."),
        regarding=ref(CORE + "ObjectReference", "The object the event is about."),
        related=ref(CORE + "ObjectReference", "A second object involved."),
        reportingController=string("The controller that emitted the event."),
        reportingInstance=string("The instance of that controller."),
        series=ref(EVENTS + "EventSeries", "Data on a series of repeated events."),
        type=string("Normal or Warning.")),
    EVENTS + "EventList": list_kind("events.k8s.io", "v1", EVENTS + "Event"),
    EVENTS + "EventSeries": obj("Data on a series of repeated events.", ("count", "lastObservedTime"),
                                count=integer("How many times the event occurred in the series."),
                                lastObservedTime=ref(META + "MicroTime", "When the last one happened.")),
}


MESSAGES = """
events.Event: 1 metadata! meta.ObjectMeta; 2 eventTime! meta.MicroTime; 3 series events.EventSeries;
    4 reportingController? string; 5 reportingInstance? string; 6 action? string; 7 reason? string;
    8 regarding! core.ObjectReference; 9 related core.ObjectReference; 10 note? string; 11 type? string;
    12 deprecatedSource! core.EventSource; 13 deprecatedFirstTimestamp! meta.Time;
    14 deprecatedLastTimestamp! meta.Time; 15 deprecatedCount? int32
events.EventList: 1 metadata! meta.ListMeta; 2 items* []events.Event
events.EventSeries: 1 count! int32; 2 lastObservedTime! meta.MicroTime
"""
