"""PriorityClasses (scheduling.k8s.io/v1) through the handler chain and the server's admission chain
on the reference etcd: the system classes written at start, the validation rules of
pkg/apis/scheduling/validation, the REST rule that keeps system classes, and the Priority admission
plugin's one-default rule. One rule per test, named in its docstring."""
from __future__ import annotations

import pytest

from reference_impl.apiserver.adapter.server import HandlerChain
from reference_impl.apiserver.core import bootstrappolicy
from reference_impl.apiserver.core.admission import new_admission_chain
from reference_impl.apiserver.core.registry import Registry
from reference_impl.machinery.clock import ManualClock
from tests.reference.apiserver.test_handlers import NOW, TABLE, call, etcd  # noqa: F401 (etcd: a fixture)

CLASSES = "/apis/scheduling.k8s.io/v1/priorityclasses"


@pytest.fixture(scope="module")
def registry(etcd):
    registry = Registry(etcd, ManualClock(NOW))
    bootstrappolicy.ensure_system_priority_classes(registry)
    yield registry
    registry.close()


@pytest.fixture(scope="module")
def chain(registry):
    return HandlerChain(registry, admission=new_admission_chain(registry), now=lambda: NOW + 90)


def create(chain, name: str, **fields) -> tuple[int, dict]:
    return call(chain, "POST", CLASSES, {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass",
                                         "metadata": {"name": name}, **fields})


def test_the_system_classes_are_created_at_start_and_only_once(chain, registry):
    """The scheduling/bootstrap-system-priority-classes hook creates system-node-critical
    (2000001000) and system-cluster-critical (2000000000); a restart finds them and leaves them."""
    code, listed = call(chain, "GET", CLASSES)
    assert code == 200
    assert {pc["metadata"]["name"]: pc["value"] for pc in listed["items"]} == {
        "system-node-critical": 2000001000, "system-cluster-critical": 2000000000}
    assert bootstrappolicy.ensure_system_priority_classes(registry) == []


def test_a_class_is_defaulted_and_printed_with_upstreams_columns(chain):
    """A new class preempts lower priorities by default, starts at generation 1, and kubectl
    prints NAME VALUE GLOBAL-DEFAULT AGE."""
    code, created = create(chain, "batch-low", value=100)
    assert code == 201, created
    assert (created["preemptionPolicy"], created["metadata"]["generation"]) == ("PreemptLowerPriority", 1)
    code, table = call(chain, "GET", f"{CLASSES}/batch-low", accept=TABLE)
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Value", "Global-Default", "Age"]
    assert table["rows"][0]["cells"] == ["batch-low", 100, False, "90s"]


def test_a_value_above_one_billion_is_reserved_for_system_classes(chain):
    """ValidatePriorityClass: a user class's value is at most HighestUserDefinablePriority."""
    code, status = create(chain, "too-high", value=1_000_000_001)
    assert (code, status["message"]) == (
        422, 'PriorityClass.scheduling.k8s.io "too-high" is invalid: value: Forbidden: maximum allowed value of a '
             'user defined priority is 1000000000')


@pytest.mark.parametrize("name,fields,error", [
    ("system-mine", {"value": 10}, "system-mine is not a known system priority class"),
    ("system-node-critical", {"value": 10}, "value of system-node-critical PriorityClass must be 2000001000"),
])
def test_the_system_prefix_is_reserved(chain, name, fields, error):
    """Names starting with system- must be one of the system classes, with its value."""
    code, status = create(chain, name, **fields)
    assert (code, status["message"]) == (
        422, f'PriorityClass.scheduling.k8s.io "{name}" is invalid: metadata.name: Forbidden: priority class '
             f"names with 'system-' prefix are reserved for system use only. error: {error}")


def test_an_unknown_preemption_policy_is_refused(chain):
    code, status = create(chain, "odd-policy", value=1, preemptionPolicy="Sometimes")
    assert (code, status["message"]) == (
        422, 'PriorityClass.scheduling.k8s.io "odd-policy" is invalid: preemptionPolicy: Unsupported value: '
             '"Sometimes": supported values: "PreemptLowerPriority", "Never"')


def test_the_value_and_preemption_policy_may_not_change(chain):
    """ValidatePriorityClassUpdate: Value (so spelled) and preemptionPolicy are immutable; the
    description may change."""
    assert create(chain, "fixed", value=7)[0] == 201
    path = f"{CLASSES}/fixed"
    code, status = call(chain, "PATCH", path, {"value": 8}, content_type="application/merge-patch+json")
    assert (code, status["message"]) == (
        422, 'PriorityClass.scheduling.k8s.io "fixed" is invalid: Value: Forbidden: may not be changed in an update.')
    code, status = call(chain, "PATCH", path, {"preemptionPolicy": "Never"},
                        content_type="application/merge-patch+json")
    assert (code, status["message"]) == (
        422, 'PriorityClass.scheduling.k8s.io "fixed" is invalid: preemptionPolicy: Invalid value: "Never": '
             'field is immutable')
    code, patched = call(chain, "PATCH", path, {"description": "seven"}, content_type="application/merge-patch+json")
    assert (code, patched["description"]) == (200, "seven")


@pytest.mark.parametrize("name", ["system-node-critical", "system-cluster-critical"])
def test_a_system_class_cannot_be_deleted(chain, name):
    """The PriorityClass REST's Delete refuses the system classes with a 403."""
    code, status = call(chain, "DELETE", f"{CLASSES}/{name}")
    assert (code, status["reason"], status["message"]) == (
        403, "Forbidden",
        f'priorityclasses.scheduling.k8s.io "{name}" is forbidden: this is a system priority class and cannot '
        'be deleted')
    assert call(chain, "GET", f"{CLASSES}/{name}")[0] == 200


def test_only_one_class_may_be_the_global_default(chain):
    """The Priority plugin refuses a second globalDefault class, by create or by update, naming the
    one there is; that one may still be updated."""
    assert create(chain, "the-default", value=5, globalDefault=True)[0] == 201
    code, status = create(chain, "another-default", value=6, globalDefault=True)
    assert (code, status["message"]) == (
        403, 'priorityclasses.scheduling.k8s.io "another-default" is forbidden: PriorityClass the-default is '
             'already marked as default. Only one default can exist')
    assert create(chain, "not-yet-default", value=6)[0] == 201
    code, status = call(chain, "PATCH", f"{CLASSES}/not-yet-default", {"globalDefault": True},
                        content_type="application/merge-patch+json")
    assert code == 403 and status["message"].endswith("PriorityClass the-default is already marked as default. "
                                                      "Only one default can exist")
    code, _ = call(chain, "PATCH", f"{CLASSES}/the-default", {"description": "d"},
                   content_type="application/merge-patch+json")
    assert code == 200
    assert call(chain, "DELETE", f"{CLASSES}/the-default")[0] == 200


def test_an_update_checks_only_what_may_not_change(chain):
    """ValidatePriorityClassUpdate replaces ValidatePriorityClass on update: a system class may
    become the global default, which a create of it may not ask for."""
    path = f"{CLASSES}/system-cluster-critical"
    code, patched = call(chain, "PATCH", path, {"globalDefault": True}, content_type="application/merge-patch+json")
    assert (code, patched.get("globalDefault")) == (200, True), patched
    code, patched = call(chain, "PATCH", path, {"globalDefault": None}, content_type="application/merge-patch+json")
    assert (code, patched.get("globalDefault")) == (200, None)
