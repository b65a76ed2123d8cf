"""The resource quota controller's sync, one rule per test."""
from __future__ import annotations

from reference_impl.controller_manager.resourcequota import sync_resource_quota
from reference_impl.machinery.actions import Update
from reference_impl.machinery.timefmt import rfc3339

NOW = 1_700_000_000.0


def resource_quota(hard: dict, status: dict | None = None, scopes: list | None = None) -> dict:
    spec = {"hard": hard, **({"scopes": scopes} if scopes else {})}
    return {"metadata": {"name": "compute", "namespace": "team", "resourceVersion": "7"}, "spec": spec,
            **({"status": status} if status is not None else {})}


def pod(name: str, cpu: str | None = None, phase: str = "Running", **meta) -> dict:
    container = {"name": "c", "image": "i", **({"resources": {"requests": {"cpu": cpu}}} if cpu else {})}
    return {"metadata": {"name": name, "namespace": "team", **meta}, "spec": {"containers": [container]},
            "status": {"phase": phase}}


def objects(**by_resource):
    return lambda group, resource: by_resource.get(resource, [])


def test_a_new_quota_gets_hard_and_computed_usage():
    """syncResourceQuota copies spec.hard to status.hard and sums the namespace's usage of each."""
    [action] = sync_resource_quota(resource_quota({"pods": "5", "requests.cpu": "2", "configmaps": "3"}),
                                   objects(pods=[pod("a", "250m"), pod("b", "1")], configmaps=[{}, {}]), NOW)
    assert isinstance(action, Update) and action.subresource == "status"
    assert action.obj["status"] == {"hard": {"pods": "5", "requests.cpu": "2", "configmaps": "3"},
                                    "used": {"pods": "2", "requests.cpu": "1250m", "configmaps": "2"}}
    assert action.obj["metadata"]["resourceVersion"] == "7"


def test_deleted_and_finished_pods_release_their_usage():
    """Usage is recalculated, not kept: a finished pod or one past its deletion grace period no
    longer counts against `pods` (count/pods still counts every pod stored)."""
    status = {"hard": {"pods": "5", "count/pods": "5"}, "used": {"pods": "4", "count/pods": "4"}}
    gone = pod("c", deletionTimestamp=rfc3339(NOW - 60), deletionGracePeriodSeconds=30)
    [action] = sync_resource_quota(resource_quota({"pods": "5", "count/pods": "5"}, status),
                                   objects(pods=[pod("a"), pod("b", phase="Succeeded"), gone]), NOW)
    assert action.obj["status"]["used"] == {"pods": "1", "count/pods": "3"}


def test_an_up_to_date_quota_is_left_alone():
    """No update when status.hard equals spec.hard and the usage has not changed."""
    status = {"hard": {"pods": "5"}, "used": {"pods": "1"}}
    assert sync_resource_quota(resource_quota({"pods": "5"}, status), objects(pods=[pod("a")]), NOW) == []


def test_a_scoped_quota_counts_only_pods_in_its_scope():
    """A BestEffort quota counts pods that request nothing."""
    [action] = sync_resource_quota(resource_quota({"pods": "5"}, scopes=["BestEffort"]),
                                   objects(pods=[pod("a"), pod("b", "1")]), NOW)
    assert action.obj["status"]["used"] == {"pods": "1"}
