"""Jobs and CronJobs as Kubernetes 1.24's batch validation checks them (ValidateJob,
validateJobSpec through a CronJob's job template), with upstream's texts. One rule per test."""
from __future__ import annotations

import copy

import pytest

from reference_impl.apiserver import kinds

POD_SPEC = {"containers": [{"name": "c", "image": "busybox:1.36"}], "restartPolicy": "Never"}
CRONJOB = {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "nightly", "namespace": "d"},
           "spec": {"schedule": "0 0 * * *", "jobTemplate": {"spec": {"template": {"spec": POD_SPEC}}}}}


def job(name: str = "work", **spec) -> dict:
    """A Job as its create leaves it for validation: defaulted, with the selector and labels its
    uid generates."""
    obj = {"apiVersion": "batch/v1", "kind": "Job",
           "metadata": {"name": name, "namespace": "d", "uid": "00000000-0000-0000-0000-000000000001"},
           "spec": {"template": {"spec": copy.deepcopy(POD_SPEC)}, **spec}}
    kinds.set_object_defaults("Job", obj)
    labels = {"controller-uid": obj["metadata"]["uid"], "job-name": name}
    obj["spec"]["selector"] = {"matchLabels": {"controller-uid": obj["metadata"]["uid"]}}
    obj["spec"]["template"]["metadata"] = {"labels": labels}
    return obj


def job_problems(obj: dict) -> list[str]:
    return kinds.find("batch", "v1", "jobs").validate(obj)


def cronjob_problems(**job_spec) -> list[str]:
    obj = copy.deepcopy(CRONJOB)
    obj["spec"]["jobTemplate"]["spec"].update(job_spec)
    return kinds.find("batch", "v1", "cronjobs").validate(obj)


def test_a_valid_job_and_cronjob_have_no_problems():
    assert job_problems(job()) == []
    assert cronjob_problems() == []


@pytest.mark.parametrize("job_spec,expected", [
    ({"completionMode": "Indexed"}, ["spec.jobTemplate.spec.completions: Required value: when completion mode is Indexed"]),
    ({"completionMode": "Indexed", "completions": 3}, []),
    ({"completionMode": "NonIndexed"}, []),
], ids=["indexed", "indexed-with-completions", "non-indexed"])
def test_an_indexed_job_template_needs_completions(job_spec, expected):
    """validateJobSpec: an Indexed job names its completions; a CronJob's job template is not
    given any by defaults (a Job's are), so the real 1.24 refuses it there."""
    assert cronjob_problems(**job_spec) == expected


def test_an_indexed_job_runs_at_most_100000_pods_at_once():
    """maxParallelismForIndexedJob: parallelism past 100000 is refused for an Indexed job only."""
    assert job_problems(job(completionMode="Indexed", completions=100001, parallelism=100001)) == [
        "spec.parallelism: Invalid value: 100001: must be less than or equal to 100000 when completion mode is Indexed"]
    assert job_problems(job(completions=100001, parallelism=100001)) == []


@pytest.mark.parametrize("name,completions,expected", [
    ("j" * 60, 1000, "j" * 60 + "-999"), ("j" * 59, 1000, None), ("j" * 61, 1, None), ("j" * 62, 1, "j" * 62 + "-0"),
], ids=["too-long", "fits", "index-0-fits", "index-0-too-long"])
def test_an_indexed_jobs_last_pod_hostname_is_a_dns_label(name, completions, expected):
    """ValidateJob: the name, a dash and the highest index must make a DNS label (at most 63
    characters), or the job could not create its last pod."""
    obj = job(name, completionMode="Indexed", completions=completions, parallelism=1)
    assert job_problems(obj) == ([f'metadata.name: Invalid value: "{name}": will not able to create pod with invalid '
                                  f"DNS label: {expected}"] if expected else [])
