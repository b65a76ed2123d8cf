"""The Job kind (batch/v1): its resource facts, validation, defaults, OpenAPI schema, printer columns
and protobuf layout."""
from __future__ import annotations

from reference_impl.apiserver.core import gosyntax, validation as v
from reference_impl.apiserver.core.resources import COMMON_FIELDS, FieldLabelConversion, Resource, UpdateMetadataChecks
from reference_impl.apiserver.core.schemas import (BATCH, META, arr, boolean, conditions, integer, list_kind, obj, ref,
                                                   string, workload)
from reference_impl.apiserver.kinds._podspec import TEMPLATE, ZERO_TEMPLATE
from reference_impl.apiserver.core.podvalidation import job_spec_problems
from reference_impl.apiserver.core.validation import invalid, required
from reference_impl.machinery.labels import selector_matches
from reference_impl.apiserver.kinds._columns import (AGE, NAME, WIDE_TEMPLATE, age_cell, elapsed, epoch, human_duration,
                                                     name_cell, part, selector_cell, since, template_containers)
from reference_impl.apiserver.kinds._defaulting import template_defaults
from reference_impl.mirrors import mirrors


@mirrors("k8s.io/kubernetes/pkg/apis/batch/validation.ValidateJob")
def validate_job(obj: dict) -> list[str]:
    """The generated selector and labels still name this Job, the spec is valid, and an Indexed
    Job's last pod hostname (its name, a dash and the highest index) is a DNS label."""
    spec, name = v.as_object(obj.get("spec")), v.as_object(obj.get("metadata")).get("name") or ""
    problems = generated_selector_problems(obj) + job_spec_problems_with_selector(spec)
    completions = spec.get("completions")
    if spec.get("completionMode") == "Indexed" and isinstance(completions, int) and completions > 0:
        hostname = f"{name}-{completions - 1}"
        if v.name_problems(hostname, "label"):
            problems.append(invalid("metadata.name", name,
                                    f"will not able to create pod with invalid DNS label: {hostname}"))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/batch/validation.ValidateJobSpec")
def job_spec_problems_with_selector(spec: dict) -> list[str]:
    """A valid spec (pods restart OnFailure or Never) with a selector that matches the template's
    labels: a missing one matches nothing, one that does not convert to a selector is not compared."""
    problems = job_spec_problems(spec, "spec")
    selector = spec.get("selector")
    if selector is None:
        problems.append(required("spec.selector"))
    else:
        problems += v.label_selector_problems(selector, "spec.selector")
    labels = v.as_object(v.as_object(spec.get("template")).get("metadata")).get("labels")
    if v.converts_to_selector(selector) and not selector_matches(selector, labels):
        problems.append(f"spec.template.metadata.labels: Invalid value: {v.go_string_map(labels)}: "
                        "`selector` does not match template `labels`")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/batch/validation.ValidateGeneratedSelector",
         "k8s.io/kubernetes/pkg/apis/core/validation.ValidateHasLabel")
def generated_selector_problems(obj: dict) -> list[str]:
    """Without manualSelector, the template carries the controller-uid and job-name labels of this
    Job's uid and name, and the selector matches them (checked against the uid an update sends)."""
    spec, meta = v.as_object(obj.get("spec")), v.as_object(obj.get("metadata"))
    selector = spec.get("selector")
    if spec.get("manualSelector") or not isinstance(selector, dict):
        return []
    uid, name = meta.get("uid") or "", meta.get("name") or ""
    problems = [] if uid else [required("metadata.uid")]
    labels = v.as_object(v.as_object(spec.get("template")).get("metadata")).get("labels")
    for key, expected in (("controller-uid", uid), ("job-name", name)):
        here = f"spec.template.metadata.labels[{key}]"
        if key not in (labels or {}):
            problems.append(required(here, expected))
        elif labels[key] != expected:
            problems.append(f"{here}: Invalid value: {v.go_string_map(labels)}: must be '{expected}'")
    expected_labels = {"controller-uid": uid, "job-name": name}
    if v.converts_to_selector(selector) and not selector_matches(selector, expected_labels):
        problems.append(f"spec.selector: Invalid value: {v.go_label_selector(selector)}: `selector` not auto-generated")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/batch/validation.ValidateJobUpdate",
         "k8s.io/kubernetes/pkg/apis/batch/validation.ValidateJobSpecUpdate")
def validate_job_update(old: dict, new: dict) -> list[str]:
    """After ValidateJob, the strategy's ValidateUpdate checks the spec again; completions, the
    selector, the pod template and the completion mode may not change."""
    spec, old_spec = v.as_object(new.get("spec")), v.as_object(old.get("spec"))
    problems = job_spec_problems_with_selector(spec) + _immutable(spec, old_spec, "completions")
    problems += v.validate_selector_immutable(old, new)
    old_template = old_spec.get("template")
    if _scheduling_may_change(old):
        old_template = _with_scheduling_directives(old_template, spec.get("template"))
    if not v.semantically_equal(spec.get("template"), old_template):
        shown = gosyntax.go_syntax("core.PodTemplateSpec", gosyntax.internal_pod_template(spec.get("template")))
        problems.append(f"spec.template: Invalid value: {shown}: field is immutable")
    return problems + _immutable(spec, old_spec, "completionMode")


def _immutable(spec: dict, old_spec: dict, field: str) -> list[str]:
    """ValidateImmutableField of a pointer field: a nil one shows as null."""
    value = spec.get(field)
    if value == old_spec.get(field):
        return []
    return [v.invalid(f"spec.{field}", value, "field is immutable") if value is not None
            else f"spec.{field}: Invalid value: \"null\": field is immutable"]


def _scheduling_may_change(old: dict) -> bool:
    """The strategy's AllowMutableSchedulingDirectives: JobMutableNodeSchedulingDirectives (on by
    default in 1.24), for a Job that is suspended and never started."""
    return bool(v.as_object(old.get("spec")).get("suspend")) and not v.as_object(old.get("status")).get("startTime")


@mirrors("k8s.io/kubernetes/pkg/apis/batch/validation.validatePodTemplateUpdate")
def _with_scheduling_directives(old_template: object, template: object) -> object:
    """The old template with the new one's node affinity, node selector, tolerations, labels and
    annotations: what the new one is compared with when those may change."""
    if not isinstance(old_template, dict) or not isinstance(template, dict):
        return old_template
    spec, old_spec = v.as_object(template.get("spec")), dict(v.as_object(old_template.get("spec")))
    affinity, old_affinity = spec.get("affinity"), old_spec.get("affinity")
    if affinity is None and old_affinity is not None:  # cleared: fine if node affinity was all it had
        rest = {key: value for key, value in old_affinity.items() if key != "nodeAffinity"}
        old_spec["affinity"] = rest or None
    elif affinity is not None:
        old_spec["affinity"] = {**(old_affinity or {}), "nodeAffinity": affinity.get("nodeAffinity")}
    old_spec["nodeSelector"], old_spec["tolerations"] = spec.get("nodeSelector"), spec.get("tolerations")
    metadata = v.as_object(template.get("metadata"))
    old_metadata = {**v.as_object(old_template.get("metadata")),
                    "labels": metadata.get("labels"), "annotations": metadata.get("annotations")}
    return {**old_template, "metadata": old_metadata, "spec": old_spec}


# What 1.24's job strategy marks a new job with while JobTrackingWithFinalizers (beta) is on: the
# job controller then tracks its pods with finalizers.
JOB_TRACKING_ANNOTATION = "batch.kubernetes.io/job-tracking"


@mirrors("(k8s.io/kubernetes/pkg/registry/batch/job.jobStrategy).PrepareForCreate")
def prepare_for_create(obj: dict, user: object) -> None:
    meta = obj["metadata"]
    meta["annotations"] = {**(meta.get("annotations") or {}), JOB_TRACKING_ANNOTATION: ""}


@mirrors("k8s.io/kubernetes/pkg/apis/batch/v1.SetDefaults_Job")
def job(obj: dict, spec: dict) -> None:
    if spec.get("completions") is None and spec.get("parallelism") is None:
        spec["completions"] = 1
    spec.setdefault("parallelism", 1)
    spec.setdefault("backoffLimit", 6)
    labels = ((spec.get("template") or {}).get("metadata") or {}).get("labels")
    if isinstance(labels, dict) and not obj["metadata"].get("labels"):
        # The template's map itself, as Go assigns it: the labels generateSelector adds to the
        # template later (job-name, controller-uid) are the Job's labels too.
        obj["metadata"]["labels"] = labels
    spec.setdefault("completionMode", "NonIndexed")
    spec.setdefault("suspend", False)
    template_defaults(spec)


@mirrors("k8s.io/kubernetes/pkg/apis/batch/validation.ValidateJobUpdateStatus",
         "k8s.io/kubernetes/pkg/apis/batch/validation.validateJobStatus")
def validate_status_update(old: dict, new: dict) -> list[str]:
    """No negative counts; the uids in uncountedTerminatedPods non-empty, none listed twice."""
    status = new.get("status") or {}
    problems = v.nonnegative_counts(status, ("active", "succeeded", "failed", "ready"))
    uncounted, seen = status.get("uncountedTerminatedPods") or {}, set()
    for outcome in ("succeeded", "failed"):
        for index, uid in enumerate(uncounted.get(outcome) or []):
            here = f"status.uncountedTerminatedPods.{outcome}[{index}]"
            if not uid:
                problems.append(invalid(here, "", "must not be empty"))
            elif uid in seen:
                problems.append(v.duplicate(here, uid))
            seen.add(uid)
    return problems


RESOURCES = (
    Resource("batch", "v1", "Job", "jobs", "job", True, subresources=("status",), categories=("all",),
             status_reset_on_update=True, validator=validate_job, update_validator=validate_job_update,
             field_selectors=(*COMMON_FIELDS, "status.successful"), tracks_generation=True,
             field_label_conversion=FieldLabelConversion((*COMMON_FIELDS, "status.successful"),
                                                         "field label {quoted} not supported for Job"),
             validate_status_update=validate_status_update, prepare_for_create=prepare_for_create,
             zero_value={"spec": {"template": ZERO_TEMPLATE}, "status": {}},
             update_metadata_checks=UpdateMetadataChecks(full=1, update=1)),
)


DEFAULTS = {"Job": job}


DEFINITIONS = {
    BATCH + "JobSpec": obj(
        "The desired state of a Job.", ("template",),
        activeDeadlineSeconds=integer("Seconds the job may run before it is failed.", "int64"),
        backoffLimit=integer("Retries before the job is failed; defaults to 6."),
        completionMode=string("NonIndexed or Indexed."),
        completions=integer("Successful pods needed."),
        manualSelector=boolean("Use the given selector instead of a generated one."),
        parallelism=integer("Pods running at once."),
        selector=ref(META + "LabelSelector", "Selects the job's pods; generated unless manualSelector."),
        suspend=boolean("Stop creating pods."),
        template=TEMPLATE,
        ttlSecondsAfterFinished=integer("Seconds a finished job is kept.")),
    **workload("batch", "v1", BATCH, "Job", "Pods run until a number of them succeed."),
    BATCH + "JobStatus": obj(
        "The observed state of a Job; written by its controller.",
        active=integer("Pods running."),
        completedIndexes=string("The completed indexes of an Indexed job, as text (1,3-5,7)."),
        completionTime=ref(META + "Time", "When the job completed."),
        conditions=conditions(BATCH + "JobCondition", list_type="atomic"),
        failed=integer("Pods that failed."),
        ready=integer("Pods that are ready."),
        startTime=ref(META + "Time", "When the controller started the job."),
        succeeded=integer("Pods that succeeded."),
        uncountedTerminatedPods=ref(BATCH + "UncountedTerminatedPods",
                                    "Finished pods the status does not count yet.")),
    BATCH + "JobCondition": obj(
        "One condition of a job: Complete, Failed or Suspended.", ("status", "type"),
        lastProbeTime=ref(META + "Time", "When the condition was last probed."),
        lastTransitionTime=ref(META + "Time", "When the condition last changed."),
        message=string("Human-readable details."),
        reason=string("Why the condition last changed, in CamelCase."),
        status=string("True, False or Unknown."),
        type=string("Complete, Failed or Suspended.")),
    BATCH + "UncountedTerminatedPods": obj(
        "UIDs of finished pods whose finalizer the controller still has to remove.",
        failed=arr(string(""), "Failed pods.", list_type="set"),
        succeeded=arr(string(""), "Succeeded pods.", list_type="set")),
    BATCH + "JobList": list_kind("batch", "v1", BATCH + "Job"),
}


GO_TYPES = {
    BATCH + "JobSpec": {"completionMode": "v1.CompletionMode"},
    BATCH + "JobCondition": {"status": "v1.ConditionStatus", "type": "v1.JobConditionType"},
    BATCH + "UncountedTerminatedPods": {"failed": "[]types.UID", "succeeded": "[]types.UID"},
}


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.printJob")
def _job(obj: dict, now: float) -> list:
    spec, status = part(obj, "spec"), part(obj, "status")
    succeeded = status.get("succeeded", 0)
    if spec.get("completions") is not None:
        completions = f"{succeeded}/{spec['completions']}"
    elif (spec.get("parallelism") or 0) > 1:
        completions = f"{succeeded}/1 of {spec['parallelism']}"
    else:
        completions = f"{succeeded}/1"
    start, end = status.get("startTime"), status.get("completionTime")
    if not start:
        duration = ""
    elif not end:
        duration = since(start, now)
    else:
        duration = human_duration(elapsed(epoch(end), epoch(start)))
    names, images = template_containers(part(spec, "template", "spec"))
    return [name_cell(obj), completions, duration, age_cell(obj, now), names, images,
            selector_cell(spec.get("selector"))]


PRINTERS = {
    "Job": ([NAME, ("Completions", "string", 0, "Succeeded pods out of the completions wanted."),
             ("Duration", "string", 0, "Time required to complete the job."), AGE, *WIDE_TEMPLATE], _job),
}


MESSAGES = """
batch.Job: 1 metadata! meta.ObjectMeta; 2 spec! batch.JobSpec; 3 status! batch.JobStatus
batch.JobCondition: 1 type! string; 2 status! string; 3 lastProbeTime! meta.Time; 4 lastTransitionTime! meta.Time;
    5 reason? string; 6 message? string
batch.JobList: 1 metadata! meta.ListMeta; 2 items* []batch.Job
batch.JobSpec: 1 parallelism int32; 2 completions int32; 3 activeDeadlineSeconds int64; 7 backoffLimit int32;
    4 selector meta.LabelSelector; 5 manualSelector bool; 6 template! core.PodTemplateSpec;
    8 ttlSecondsAfterFinished int32; 9 completionMode string; 10 suspend bool
batch.JobStatus: 1 conditions? []batch.JobCondition; 2 startTime meta.Time; 3 completionTime meta.Time; 4 active? int32;
    5 succeeded? int32; 6 failed? int32; 7 completedIndexes? string;
    8 uncountedTerminatedPods batch.UncountedTerminatedPods; 9 ready int32
batch.UncountedTerminatedPods: 1 succeeded? []string; 2 failed? []string
"""
