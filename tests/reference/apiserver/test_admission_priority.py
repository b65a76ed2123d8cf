"""The Priority admission plugin without a network: a pod's priority resolved from its
PriorityClass, each test stating the upstream rule it checks."""
from __future__ import annotations

import pytest

from reference_impl.apiserver.core.admission import Priority
from reference_impl.apiserver.core.errors import StatusError
from tests.reference.apiserver.test_admission import PODS, DictLister, FakeRegistry, FakeResource, Request, pod

PRIORITY_CLASSES = FakeResource("priorityclasses", "PriorityClass", "scheduling.k8s.io", namespaced=False)


def priority_class(name, value, global_default=False, policy="PreemptLowerPriority"):
    obj = {"metadata": {"name": name}, "value": value, "preemptionPolicy": policy}
    if global_default:
        obj["globalDefault"] = True
    return ("priorityclasses", None, obj)


CLASSES = (priority_class("high", 1000), priority_class("never", 500, policy="Never"),
           priority_class("system-node-critical", 2000001000))


def admitted(plugin, **spec) -> dict:
    obj = pod(**spec)
    return plugin.admit(Request("CREATE", PODS, obj=obj), obj)["spec"]


def refused(plugin, **spec) -> StatusError:
    obj = pod(**spec)
    with pytest.raises(StatusError) as err:
        plugin.admit(Request("CREATE", PODS, obj=obj), obj)
    return err.value


def test_a_named_class_sets_priority_and_preemption_policy():
    """priorityClassName resolves to the class's value and preemptionPolicy."""
    spec = admitted(Priority(FakeRegistry(*CLASSES)), priorityClassName="never")
    assert (spec["priorityClassName"], spec["priority"], spec["preemptionPolicy"]) == ("never", 500, "Never")


def test_without_a_class_or_a_default_the_priority_is_zero():
    """No class named and no global default: priority 0, PreemptLowerPriority, no class name."""
    spec = admitted(Priority(FakeRegistry(*CLASSES)))
    assert (spec["priority"], spec["preemptionPolicy"]) == (0, "PreemptLowerPriority")
    assert "priorityClassName" not in spec


def test_the_global_default_class_is_given_to_pods_naming_none():
    """A pod naming no class gets the globalDefault one, its name included; should several be
    marked default, the one of lowest value."""
    registry = FakeRegistry(*CLASSES, priority_class("default-a", 300, True), priority_class("default-b", 200, True))
    spec = admitted(Priority(registry))
    assert (spec["priorityClassName"], spec["priority"]) == ("default-b", 200)


def test_a_missing_class_is_forbidden():
    """A class that does not exist is a 403 with upstream's words."""
    err = refused(Priority(FakeRegistry(*CLASSES)), priorityClassName="ghost")
    assert (err.code, err.message) == (403, 'pods "web" is forbidden: no PriorityClass with name ghost was found')


def test_a_pod_may_not_set_another_priority():
    """A pod's own spec.priority must be what its class gives, else 403; the same value passes."""
    err = refused(Priority(FakeRegistry(*CLASSES)), priorityClassName="high", priority=7)
    assert (err.code, err.message) == (
        403, 'pods "web" is forbidden: the integer value of priority (7) must not be provided in pod spec; '
             'priority admission controller computed 1000 from the given PriorityClass name')
    assert admitted(Priority(FakeRegistry(*CLASSES)), priorityClassName="high", priority=1000)["priority"] == 1000
    assert refused(Priority(FakeRegistry(*CLASSES)), priority=5).message.endswith("computed 0 from the given "
                                                                                  "PriorityClass name")


def test_a_pod_may_not_set_another_preemption_policy():
    err = refused(Priority(FakeRegistry(*CLASSES)), priorityClassName="never", preemptionPolicy="PreemptLowerPriority")
    assert (err.code, err.message) == (
        403, 'pods "web" is forbidden: the string value of PreemptionPolicy (PreemptLowerPriority) must not be '
             'provided in pod spec; priority admission controller computed Never from the given PriorityClass name')


def test_the_cache_answers_and_a_miss_is_read_live():
    """Classes come from the lister (the default class too, with no live list); a class it does
    not hold yet is read live before the pod is refused."""
    lister = DictLister(priority_class("cached-default", 42, True))
    assert admitted(Priority(FakeRegistry(), lister))["priority"] == 42
    late = Priority(FakeRegistry(*CLASSES), DictLister())
    assert admitted(late, priorityClassName="high")["priority"] == 1000


def test_an_update_keeps_the_priority_resolved_at_create():
    """An update that leaves out priority and preemptionPolicy gets the stored pod's, with no
    class lookup (validation refuses any change of them)."""
    old = pod(priorityClassName="ghost", priority=9, preemptionPolicy="Never")
    new = pod(priorityClassName="ghost")
    spec = Priority(FakeRegistry()).admit(Request("UPDATE", PODS, name="web", obj=new, old_obj=old), new)["spec"]
    assert (spec["priority"], spec["preemptionPolicy"]) == (9, "Never")


def test_subresources_and_other_kinds_are_not_touched():
    plugin = Priority(FakeRegistry())
    for request in (Request("CREATE", PODS, subresource="binding"), Request("CREATE", PRIORITY_CLASSES, "")):
        obj = pod(priorityClassName="ghost")
        assert plugin.admit(request, obj) == pod(priorityClassName="ghost")


def test_a_second_global_default_class_is_forbidden():
    """validatePriorityClass: while one class is the default, no other may be created or updated
    into one; the default itself may be updated."""
    plugin = Priority(FakeRegistry(*CLASSES, priority_class("the-default", 1, True)))
    new = priority_class("other", 2, True)[2]
    with pytest.raises(StatusError) as err:
        plugin.validate(Request("CREATE", PRIORITY_CLASSES, "", obj=new), new)
    assert (err.value.code, err.value.message) == (
        403, 'priorityclasses.scheduling.k8s.io "other" is forbidden: PriorityClass the-default is already marked '
             'as default. Only one default can exist')
    with pytest.raises(StatusError):
        plugin.validate(Request("UPDATE", PRIORITY_CLASSES, "", "other", obj=new), new)
    same = priority_class("the-default", 1, True)[2]
    plugin.validate(Request("UPDATE", PRIORITY_CLASSES, "", "the-default", obj=same), same)
