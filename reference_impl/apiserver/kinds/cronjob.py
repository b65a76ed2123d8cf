"""The CronJob kind (batch/v1): its resource facts, validation, defaults, OpenAPI schema, printer
columns and protobuf layout."""
from __future__ import annotations

from reference_impl.apiserver.core.resources import Resource
from reference_impl.apiserver.core.schemas import (BATCH, CORE, META, arr, boolean, integer, list_kind, obj, ref,
                                                   string, workload)
from reference_impl.apiserver.core.podvalidation import job_spec_problems
from reference_impl.apiserver.core.validation import go_label_selector, invalid, required, unsupported
from reference_impl.apiserver.kinds._columns import (AGE, NAME, WIDE_TEMPLATE, age_cell, name_cell, part,
                                                     selector_cell, since, template_containers)
from reference_impl.apiserver.kinds._defaulting import embedded_object_meta, template_defaults
from reference_impl.apiserver.kinds._podspec import ZERO_TEMPLATE
from reference_impl.machinery.cron import CronError, parse_standard
from reference_impl.mirrors import mirrors

CONCURRENCY_POLICIES = ("Allow", "Forbid", "Replace")


@mirrors("k8s.io/kubernetes/pkg/apis/batch/validation.ValidateCronJob",
         "k8s.io/kubernetes/pkg/apis/batch/validation.validateCronJobSpec")
def validate_cron_job(obj: dict) -> list[str]:
    """A schedule, no negative deadline or history limit, a known concurrency policy, a valid job
    template, and a name short enough for the 11 characters the controller appends to name each Job."""
    spec = obj.get("spec") or {}
    problems = []
    schedule = spec.get("schedule")
    if not schedule:
        problems.append(required("spec.schedule"))
    elif isinstance(schedule, str):
        problems += schedule_problems(schedule)
    problems += nonnegative(spec, ("startingDeadlineSeconds",))
    policy = spec.get("concurrencyPolicy", "Allow")
    if policy not in CONCURRENCY_POLICIES:
        problems.append(unsupported("spec.concurrencyPolicy", policy, CONCURRENCY_POLICIES))
    job_spec = (spec.get("jobTemplate") or {}).get("spec")
    problems += job_template_problems(job_spec if isinstance(job_spec, dict) else {})
    problems += nonnegative(spec, ("successfulJobsHistoryLimit", "failedJobsHistoryLimit"))
    name = (obj.get("metadata") or {}).get("name") or ""
    if len(name) > 52:
        problems.append(invalid("metadata.name", name, "must be no more than 52 characters"))
    return problems


def nonnegative(spec: dict, fields: tuple[str, ...]) -> list[str]:
    return [invalid(f"spec.{field}", spec[field], "must be greater than or equal to 0")
            for field in fields if isinstance(spec.get(field), int) and spec[field] < 0]


@mirrors("k8s.io/kubernetes/pkg/apis/batch/validation.ValidateJobTemplateSpec")
def job_template_problems(job_spec: dict) -> list[str]:
    """A valid job spec with neither a selector nor manualSelector: the controller generates them."""
    path = "spec.jobTemplate.spec"
    problems = job_spec_problems(job_spec, path)
    if isinstance(job_spec.get("selector"), dict):
        problems.append(f"{path}.selector: Invalid value: {go_label_selector(job_spec['selector'])}: "
                        "`selector` will be auto-generated")
    if job_spec.get("manualSelector") is True:
        problems.append(f'{path}.manualSelector: Unsupported value: true: supported values: "nil", "false"')
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/batch/validation.validateScheduleFormat")
def schedule_problems(schedule: str) -> list[str]:
    """The schedule parses as robfig/cron's ParseStandard does (5 fields or a descriptor)."""
    try:
        parse_standard(schedule)
    except CronError as err:
        return [invalid("spec.schedule", schedule, err.reason)]
    return []


@mirrors("k8s.io/kubernetes/pkg/apis/batch/v1.SetDefaults_CronJob")
def cron_job(obj: dict, spec: dict) -> None:
    spec.setdefault("concurrencyPolicy", "Allow")
    spec.setdefault("suspend", False)
    spec.setdefault("successfulJobsHistoryLimit", 3)
    spec.setdefault("failedJobsHistoryLimit", 1)
    job_template = spec.get("jobTemplate")
    if isinstance(job_template, dict):
        embedded_object_meta(job_template)
        if isinstance(job_template.get("spec"), dict):
            template_defaults(job_template["spec"])


RESOURCES = (
    Resource("batch", "v1", "CronJob", "cronjobs", "cronjob", True, ("cj",), subresources=("status",),
             categories=("all",), status_reset_on_update=True, validator=validate_cron_job,
             tracks_generation=True,
             zero_value={"spec": {"schedule": "", "jobTemplate": {"metadata": {"creationTimestamp": None},
                                                                   "spec": {"template": ZERO_TEMPLATE}}},
                         "status": {}}),
)


DEFAULTS = {"CronJob": cron_job}


DEFINITIONS = {
    **workload("batch", "v1", BATCH, "CronJob", "Jobs created on a schedule."),
    BATCH + "CronJobStatus": obj(
        "The jobs a CronJob is running and when it last ran them.",
        active={**arr(ref(CORE + "ObjectReference"), "The jobs currently running."),
                "x-kubernetes-list-type": "atomic"},
        lastScheduleTime=ref(META + "Time", "When a job was last scheduled."),
        lastSuccessfulTime=ref(META + "Time", "When a job last completed successfully.")),
    BATCH + "CronJobSpec": obj(
        "The desired state of a CronJob.", ("jobTemplate", "schedule"),
        concurrencyPolicy=string("Allow, Forbid or Replace."),
        failedJobsHistoryLimit=integer("Failed jobs kept; defaults to 1."),
        jobTemplate=ref(BATCH + "JobTemplateSpec", "The jobs to create."),
        schedule=string("The schedule, in cron format."),
        startingDeadlineSeconds=integer("Seconds a missed run may still start.", "int64"),
        successfulJobsHistoryLimit=integer("Successful jobs kept; defaults to 3."),
        suspend=boolean("Stop creating jobs.")),
    BATCH + "JobTemplateSpec": obj(
        "The jobs a CronJob creates.",
        metadata=ref(META + "ObjectMeta", "Metadata of the created jobs."),
        spec=ref(BATCH + "JobSpec", "The spec of the created jobs.")),
    BATCH + "CronJobList": list_kind("batch", "v1", BATCH + "CronJob"),
}


GO_TYPES = {
    BATCH + "CronJobSpec": {"concurrencyPolicy": "v1.ConcurrencyPolicy"},
}


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.printCronJob")
def _cron_job(obj: dict, now: float) -> list:
    spec, status = part(obj, "spec"), part(obj, "status")
    job_spec = part(spec, "jobTemplate", "spec")
    names, images = template_containers(part(job_spec, "template", "spec"))
    last = since(status["lastScheduleTime"], now) if status.get("lastScheduleTime") else "<none>"
    # printBoolPtr: the printer writes the bool as a string, "<unset>" when nil.
    suspend = "<unset>" if spec.get("suspend") is None else str(bool(spec["suspend"]))
    return [name_cell(obj), spec.get("schedule", ""), suspend,
            len(status.get("active") or []), last, age_cell(obj, now), names, images,
            selector_cell(job_spec.get("selector"))]


PRINTERS = {
    "CronJob": ([NAME, ("Schedule", "string", 0, "The cron schedule."),
                 ("Suspend", "boolean", 0, "Whether new jobs are suspended."),
                 ("Active", "integer", 0, "Running jobs."),
                 ("Last Schedule", "string", 0, "Time since a job was last scheduled."),
                 AGE, *WIDE_TEMPLATE], _cron_job),
}


MESSAGES = """
batch.CronJob: 1 metadata! meta.ObjectMeta; 2 spec! batch.CronJobSpec; 3 status! batch.CronJobStatus
batch.CronJobList: 1 metadata! meta.ListMeta; 2 items* []batch.CronJob
batch.CronJobSpec: 1 schedule! string; 2 startingDeadlineSeconds int64; 3 concurrencyPolicy? string; 4 suspend bool;
    5 jobTemplate! batch.JobTemplateSpec; 6 successfulJobsHistoryLimit int32; 7 failedJobsHistoryLimit int32
batch.CronJobStatus: 1 active? []core.ObjectReference; 4 lastScheduleTime meta.Time; 5 lastSuccessfulTime meta.Time
batch.JobTemplateSpec: 1 metadata! meta.ObjectMeta; 2 spec! batch.JobSpec
"""
