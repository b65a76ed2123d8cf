"""The RuntimeClass admission plugin without a network: a pod's runtimeClassName must name a
RuntimeClass, whose overhead and scheduling constraints the pod takes; each test states the
upstream rule it checks."""
from __future__ import annotations

import pytest

from reference_impl.apiserver.core.admission import RuntimeClass
from reference_impl.apiserver.core.errors import StatusError
from reference_impl.machinery.scheduling import merge_tolerations
from tests.reference.apiserver.test_admission import PODS, DictLister, FakeRegistry, Request, pod

KATA = ("runtimeclasses", None, {"metadata": {"name": "kata"}, "handler": "kata",
                                 "overhead": {"podFixed": {"cpu": "250m", "memory": "120Mi"}},
                                 "scheduling": {"nodeSelector": {"runtime": "kata"},
                                                "tolerations": [{"key": "kata", "operator": "Exists",
                                                                 "effect": "NoSchedule"}]}})
RUNC = ("runtimeclasses", None, {"metadata": {"name": "runc"}, "handler": "runc"})
REGISTRY = FakeRegistry(KATA, RUNC)


def admit(plugin, **spec) -> dict:
    obj = pod(**spec)
    return plugin.admit(Request("CREATE", PODS, obj=obj), obj)["spec"]


def refusal(call, **spec) -> StatusError:
    obj = pod(**spec)
    with pytest.raises(StatusError) as err:
        call(Request("CREATE", PODS, obj=obj), obj)
    return err.value


def test_a_missing_runtime_class_is_forbidden():
    """The class a pod names must exist (looked up live when the cache lacks it): 403."""
    err = refusal(RuntimeClass(REGISTRY, DictLister()).admit, runtimeClassName="gvisor")
    assert (err.code, err.message) == (403, 'pods "web" is forbidden: pod rejected: RuntimeClass "gvisor" not found')


def test_the_class_overhead_becomes_the_pods():
    spec = admit(RuntimeClass(REGISTRY), runtimeClassName="kata")
    assert spec["overhead"] == {"cpu": "250m", "memory": "120Mi"}


def test_a_pod_may_set_the_same_overhead_but_not_another():
    """setOverhead compares quantities semantically (0.25 is 250m); another overhead is a 403."""
    assert admit(RuntimeClass(REGISTRY), runtimeClassName="kata",
                 overhead={"cpu": "0.25", "memory": "120Mi"})["overhead"] == {"cpu": "250m", "memory": "120Mi"}
    err = refusal(RuntimeClass(REGISTRY).admit, runtimeClassName="kata", overhead={"cpu": "1"})
    assert (err.code, err.message) == (
        403, "pods \"web\" is forbidden: pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead")


def test_an_overhead_without_a_class_overhead_is_refused_on_validation():
    """validateOverhead: a pod with an overhead but no class (or a class without one) is refused."""
    for spec in ({}, {"runtimeClassName": "runc"}):
        err = refusal(RuntimeClass(REGISTRY).validate, overhead={"cpu": "1"}, **spec)
        assert (err.code, err.message) == (
            403, 'pods "web" is forbidden: pod rejected: Pod Overhead set without corresponding RuntimeClass '
                 'defined Overhead')
    RuntimeClass(REGISTRY).validate(Request("CREATE", PODS), pod(runtimeClassName="kata",
                                                                 overhead={"cpu": "250m", "memory": "120Mi"}))


def test_the_class_scheduling_joins_the_pods():
    """The class's nodeSelector is added to the pod's, its tolerations merged with the pod's."""
    spec = admit(RuntimeClass(REGISTRY), runtimeClassName="kata", nodeSelector={"disk": "ssd"},
                 tolerations=[{"key": "other", "operator": "Exists"}])
    assert spec["nodeSelector"] == {"disk": "ssd", "runtime": "kata"}
    assert spec["tolerations"] == [{"key": "other", "operator": "Exists"},
                                   {"key": "kata", "operator": "Exists", "effect": "NoSchedule"}]


def test_a_conflicting_node_selector_is_forbidden():
    err = refusal(RuntimeClass(REGISTRY).admit, runtimeClassName="kata", nodeSelector={"runtime": "runc"})
    assert (err.code, err.message) == (
        403, 'pods "web" is forbidden: conflict: runtimeClass.scheduling.nodeSelector[runtime] = kata; '
             'pod.spec.nodeSelector[runtime] = runc')


def test_merged_tolerations_keep_only_the_broader_of_two():
    """MergeTolerations: a toleration another one covers is dropped; of two equal ones the first stays."""
    exists_all = {"key": "kata", "operator": "Exists"}
    no_schedule = {"key": "kata", "operator": "Exists", "effect": "NoSchedule"}
    assert merge_tolerations([no_schedule], [exists_all]) == [exists_all]
    assert merge_tolerations([exists_all, dict(exists_all)], []) == [exists_all]
    equal = {"key": "a", "operator": "Equal", "value": "1", "effect": "NoExecute", "tolerationSeconds": 10}
    longer = dict(equal, tolerationSeconds=20)
    assert merge_tolerations([equal], [longer]) == [longer]


def test_pods_without_a_class_and_updates_are_left_alone():
    plugin = RuntimeClass(FakeRegistry())
    assert admit(plugin) == pod()["spec"]
    obj = pod(runtimeClassName="gvisor")
    assert plugin.admit(Request("UPDATE", PODS, name="web", obj=obj), obj) == pod(runtimeClassName="gvisor")
