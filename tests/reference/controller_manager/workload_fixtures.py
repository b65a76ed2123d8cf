"""Builders for the workload controllers' tests (ReplicationController, DaemonSet, StatefulSet,
Job, CronJob); pods come from cm_fixtures.pod."""
from __future__ import annotations

import time

from cm_fixtures import uid

from reference_impl.controller_manager.job import FailedPodsDetected, JobController, ManageJob
from reference_impl.machinery.objects import meta_namespace_key


def eventually(probe, timeout: float = 20.0):
    """The first truthy answer of `probe`, polled until `timeout` seconds have passed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        answer = probe()
        if answer:
            return answer
        time.sleep(0.2)
    raise AssertionError(f"not converged within {timeout:g}s")


class AnsweredJobController(JobController):
    """The Job controller's core with every request of manageJob answered as asked: a sync's
    ManageJob opened into its requests and the status writes that follow them. A sync's
    FailedPodsDetected is answered as the work queue does (AddRateLimited counts a requeue), and
    so is its forget answer, every request having succeeded."""

    def sync(self, job: dict, pods: list[dict]) -> list:
        steps = [step for action in super().sync(job, pods)
                 for step in ((*action.requests, *action.then(0, 0)) if isinstance(action, ManageJob) else (action,))]
        for failed in [step for step in steps if isinstance(step, FailedPodsDetected)]:
            self.rate_limiter.when(failed.job_key)
        key = meta_namespace_key(job)
        if self.take_forget_answer(key):
            self.rate_limiter.forget(key)
        return [step for step in steps if not isinstance(step, FailedPodsDetected)]


def _template(labels: dict, image: str = "nginx:1") -> dict:
    return {"metadata": {"labels": dict(labels)},
            "spec": {"containers": [{"name": "c", "image": image}]}}


def replicationcontroller(name="rc", replicas=3, ns="default"):
    labels = {"app": name}
    return {"apiVersion": "v1", "kind": "ReplicationController",
            "metadata": {"name": name, "namespace": ns, "uid": uid(), "generation": 1},
            "spec": {"replicas": replicas, "selector": dict(labels), "template": _template(labels)},
            "status": {}}


def node(name, labels=None, taints=None, unschedulable=False):
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "uid": uid(), "labels": {"kubernetes.io/hostname": name, **(labels or {})}},
            "spec": {"taints": list(taints or []), **({"unschedulable": True} if unschedulable else {})},
            "status": {"conditions": [{"type": "Ready", "status": "True"}]}}


def daemonset(name="ds", image="nginx:1", max_unavailable=1, ns="default", node_selector=None,
              tolerations=None):
    template = _template({"app": name}, image)
    if node_selector:
        template["spec"]["nodeSelector"] = dict(node_selector)
    if tolerations is not None:
        template["spec"]["tolerations"] = tolerations
    return {"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": name, "namespace": ns, "uid": uid(), "generation": 1},
            "spec": {"selector": {"matchLabels": {"app": name}}, "template": template,
                     "updateStrategy": {"type": "RollingUpdate",
                                        "rollingUpdate": {"maxUnavailable": max_unavailable}},
                     "revisionHistoryLimit": 10},
            "status": {}}


def statefulset(name="web", replicas=3, policy="OrderedReady", image="nginx:1", ns="default",
                claims=None):
    return {"apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": {"name": name, "namespace": ns, "uid": uid(), "generation": 1},
            "spec": {"replicas": replicas, "serviceName": name, "podManagementPolicy": policy,
                     "selector": {"matchLabels": {"app": name}}, "template": _template({"app": name}, image),
                     "volumeClaimTemplates": list(claims or []),
                     "updateStrategy": {"type": "RollingUpdate"}, "revisionHistoryLimit": 10},
            "status": {}}


def job(name="pi", completions=1, parallelism=1, backoff_limit=6, ns="default", deadline=None):
    spec = {"parallelism": parallelism, "backoffLimit": backoff_limit,
            "template": {"metadata": {"labels": {"job-name": name}},
                         "spec": {"restartPolicy": "Never", "containers": [{"name": "c", "image": "perl"}]}}}
    if completions is not None:
        spec["completions"] = completions
    if deadline is not None:
        spec["activeDeadlineSeconds"] = deadline
    return {"apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": name, "namespace": ns, "uid": uid(), "generation": 1},
            "spec": spec, "status": {}}


def cronjob(name="hello", schedule="*/5 * * * *", policy="Allow", ns="default",
            created="2026-01-01T00:00:00Z", deadline=None):
    spec = {"schedule": schedule, "concurrencyPolicy": policy, "suspend": False,
            "successfulJobsHistoryLimit": 3, "failedJobsHistoryLimit": 1,
            "jobTemplate": {"metadata": {"labels": {"cron": name}},
                            "spec": {"template": {"spec": {"restartPolicy": "OnFailure",
                                                           "containers": [{"name": "c", "image": "busybox"}]}}}}}
    if deadline is not None:
        spec["startingDeadlineSeconds"] = deadline
    return {"apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": {"name": name, "namespace": ns, "uid": uid(), "creationTimestamp": created},
            "spec": spec, "status": {}}
