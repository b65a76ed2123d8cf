"""OpenAPI v2 definitions of the workload kinds served since issue 12: core/v1 ReplicationController,
PodTemplate, PersistentVolume(Claim), ResourceQuota and LimitRange, apps/v1 DaemonSet, StatefulSet
and ControllerRevision, batch/v1 Job and CronJob, policy/v1 PodDisruptionBudget.

Built as `schemas` builds its table. Specs are described field by field (every field of 1.24's Go
type, since kubectl refuses a field a described object lacks), so pod templates carry their merge
keys; statuses and the many volume sources are `opaque`.
"""
from __future__ import annotations

from reference_impl.apiserver.core.schemas import (APPS, CORE, INT_OR_STRING, META, arr, boolean, integer,
                                              kind, list_kind, obj, opaque, quantity_map, ref, string,
                                              string_map, strings)

BATCH = "io.k8s.api.batch.v1."
POLICY = "io.k8s.api.policy.v1."


def _workload(group: str, version: str, prefix: str, name: str, description: str) -> dict:
    """A kind with a spec and a status, as `<prefix><name>Spec` and `<prefix><name>Status`."""
    return {prefix + name: kind(group, version, name, description,
                                spec=ref(prefix + name + "Spec", f"The desired state of the {name}."),
                                status=ref(prefix + name + "Status", f"The observed state of the {name}.")),
            prefix + name + "Status": opaque(f"The observed state of a {name}; written by its controller.")}


SELECTOR = ref(META + "LabelSelector", "Selects the pods; must match the template's labels.")
TEMPLATE = ref(CORE + "PodTemplateSpec", "The pods to create.")
REVISIONS = integer("Old revisions kept for rollback; defaults to 10.")
MIN_READY = integer("Seconds a new pod must be ready to count as available.")

_CORE = {
    **_workload("", "v1", CORE, "ReplicationController", "Keeps a number of identical pods running (legacy)."),
    CORE + "ReplicationControllerSpec": obj(
        "The desired state of a ReplicationController.",
        minReadySeconds=MIN_READY,
        replicas=integer("Number of desired pods; defaults to 1."),
        selector=string_map("Labels of the pods it counts; defaults to the template's labels."),
        template=TEMPLATE),
    CORE + "PodTemplate": kind("", "v1", "PodTemplate", "A pod template kept for others to use.",
                               template=TEMPLATE),
    **_workload("", "v1", CORE, "PersistentVolume", "A piece of storage provisioned in the cluster."),
    CORE + "PersistentVolumeSpec": opaque("Capacity, access modes, reclaim policy and the volume source."),
    **_workload("", "v1", CORE, "PersistentVolumeClaim", "A request for storage by a user."),
    CORE + "PersistentVolumeClaimSpec": obj(
        "The storage a claim asks for.",
        accessModes=strings("ReadWriteOnce, ReadOnlyMany, ReadWriteMany or ReadWriteOncePod."),
        dataSource=opaque("An object to populate the volume from."),
        dataSourceRef=opaque("An object to populate the volume from, of any kind."),
        resources=ref(CORE + "ResourceRequirements", "The storage requested."),
        selector=ref(META + "LabelSelector", "Selects the volumes the claim may bind to."),
        storageClassName=string("The StorageClass the claim asks for."),
        volumeMode=string("Filesystem or Block; defaults to Filesystem."),
        volumeName=string("The volume the claim is bound to.")),
    **_workload("", "v1", CORE, "ResourceQuota", "Limits on the resources one namespace may use."),
    CORE + "ResourceQuotaSpec": obj(
        "The hard limits of a quota.",
        hard=quantity_map("The most of each resource the namespace may use."),
        scopeSelector=opaque("Which objects the quota counts, as scope expressions."),
        scopes=strings("Which objects the quota counts.")),
    CORE + "LimitRange": kind("", "v1", "LimitRange", "Default and bounding resources per object in a namespace.",
                              spec=ref(CORE + "LimitRangeSpec", "The limits.")),
    CORE + "LimitRangeSpec": obj("The limits of a LimitRange.", ("limits",),
                                 limits=arr(opaque("Limits of one kind of object."), "The limits, by kind.")),
}

_APPS = {
    **_workload("apps", "v1", APPS, "DaemonSet", "Runs one pod on each node that matches."),
    APPS + "DaemonSetSpec": obj(
        "The desired state of a DaemonSet.", ("selector", "template"),
        minReadySeconds=MIN_READY, revisionHistoryLimit=REVISIONS, selector=SELECTOR, template=TEMPLATE,
        updateStrategy=ref(APPS + "DaemonSetUpdateStrategy", "How pods are replaced on a template change.")),
    APPS + "DaemonSetUpdateStrategy": obj(
        "How a DaemonSet replaces pods.",
        rollingUpdate=opaque("maxUnavailable and maxSurge of a RollingUpdate."),
        type=string("RollingUpdate or OnDelete.")),
    **_workload("apps", "v1", APPS, "StatefulSet", "Pods with stable names and storage, started in order."),
    APPS + "StatefulSetSpec": obj(
        "The desired state of a StatefulSet.", ("selector", "template", "serviceName"),
        minReadySeconds=MIN_READY,
        persistentVolumeClaimRetentionPolicy=opaque("Whether claims are deleted with the set or on scale down."),
        podManagementPolicy=string("OrderedReady or Parallel."),
        replicas=integer("Number of desired pods; defaults to 1."),
        revisionHistoryLimit=REVISIONS, selector=SELECTOR,
        serviceName=string("The headless service that names the pods."),
        template=TEMPLATE,
        updateStrategy=ref(APPS + "StatefulSetUpdateStrategy", "How pods are replaced on a template change."),
        volumeClaimTemplates=arr(ref(CORE + "PersistentVolumeClaim"), "Claims each pod gets its own of.")),
    APPS + "StatefulSetUpdateStrategy": obj(
        "How a StatefulSet replaces pods.",
        rollingUpdate=opaque("partition and maxUnavailable of a RollingUpdate."),
        type=string("RollingUpdate or OnDelete.")),
    APPS + "ControllerRevision": kind(
        "apps", "v1", "ControllerRevision", "An immutable snapshot of a controller's template.", ("revision",),
        data=opaque("The snapshot."),
        revision=integer("The revision number.", "int64")),
}

_BATCH = {
    **_workload("batch", "v1", BATCH, "Job", "Pods run until a number of them succeed."),
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
    **_workload("batch", "v1", BATCH, "CronJob", "Jobs created on a schedule."),
    BATCH + "CronJobSpec": obj(
        "The desired state of a CronJob.", ("jobTemplate", "schedule"),
        concurrencyPolicy=string("Allow, Forbid or Replace."),
        failedJobsHistoryLimit=integer("Failed jobs kept; defaults to 1."),
        jobTemplate=ref(BATCH + "JobTemplateSpec", "The jobs to create."),
        schedule=string("The schedule, in cron format."),
        startingDeadlineSeconds=integer("Seconds a missed run may still start.", "int64"),
        successfulJobsHistoryLimit=integer("Successful jobs kept; defaults to 3."),
        suspend=boolean("Stop creating jobs."),
        timeZone=string("The time zone of the schedule.")),
    BATCH + "JobTemplateSpec": obj(
        "The jobs a CronJob creates.",
        metadata=ref(META + "ObjectMeta", "Metadata of the created jobs."),
        spec=ref(BATCH + "JobSpec", "The spec of the created jobs.")),
}

_POLICY = {
    **_workload("policy", "v1", POLICY, "PodDisruptionBudget", "How many pods of a set may be down at once."),
    POLICY + "PodDisruptionBudgetSpec": obj(
        "The bound a PodDisruptionBudget keeps.",
        maxUnavailable=ref(INT_OR_STRING, "Pods that may be unavailable after an eviction."),
        minAvailable=ref(INT_OR_STRING, "Pods that must stay available after an eviction."),
        selector=ref(META + "LabelSelector", "Selects the pods the budget covers.")),
}

_LISTED = (("", "v1", CORE, ("ReplicationController", "PodTemplate", "PersistentVolume", "PersistentVolumeClaim",
                             "ResourceQuota", "LimitRange")),
           ("apps", "v1", APPS, ("DaemonSet", "StatefulSet", "ControllerRevision")),
           ("batch", "v1", BATCH, ("Job", "CronJob")),
           ("policy", "v1", POLICY, ("PodDisruptionBudget",)))

DEFINITIONS: dict[str, dict] = {**_CORE, **_APPS, **_BATCH, **_POLICY}
DEFINITIONS.update({prefix + name + "List": list_kind(group, version, prefix + name)
                    for group, version, prefix, names in _LISTED for name in names})
