"""A container's env and envFrom, validated as ValidateEnv and ValidateEnvFrom do it, through the
handler chain: each message is the one the real kube-apiserver 1.24 gives for the same pod. One rule
per test, named in its docstring."""
from __future__ import annotations

import pytest

from reference_impl.apiserver.adapter.server import HandlerChain
from reference_impl.apiserver.core.admission import new_admission_chain
from reference_impl.apiserver.core.registry import Registry
from reference_impl.machinery.clock import ManualClock
from tests.reference.apiserver.test_handlers import NOW, call, etcd, ns_path  # noqa: F401 (etcd: a fixture)

ENV = "spec.containers[0].env[0]"
ENV_FROM = "spec.containers[0].envFrom"
ENV_FIELDS = ('"metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", '
              '"status.hostIP", "status.podIP", "status.podIPs"')
BYTE_DIVISORS = "1, 1k, 1M, 1G, 1T, 1P, 1E, 1Ki, 1Mi, 1Gi, 1Ti, 1Pi, 1Ei"


@pytest.fixture(scope="module")
def chain(etcd):
    registry = Registry(etcd, ManualClock(NOW))
    chain = HandlerChain(registry, admission=new_admission_chain(registry), now=lambda: NOW + 90)
    chain.namespace = "envvalidation"
    call(chain, "POST", "/api/v1/namespaces", {"metadata": {"name": chain.namespace}})
    yield chain
    registry.close()


def create(chain, **container) -> tuple[int, dict]:
    body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"generateName": "env-"},
            "spec": {"containers": [{"name": "c", "image": "nginx:1.21", **container}]}}
    return call(chain, "POST", ns_path(chain, "pods"), body)


def causes(chain, **container) -> list[str]:
    code, status = create(chain, **container)
    assert code == 422, status
    return [f"{cause['field']}: {cause['message']}" for cause in status["details"]["causes"]]


def value_from(**source) -> dict:
    return {"env": [{"name": "X", "valueFrom": source}]}


def test_a_field_the_downward_api_does_not_know_is_refused_as_not_convertible(chain):
    """validateObjectFieldSelector: ConvertDownwardAPIFieldLabel's error, quoted."""
    assert causes(chain, **value_from(fieldRef={"fieldPath": "bogus"})) == [
        f'{ENV}.valueFrom.fieldRef.fieldPath: Invalid value: "bogus": error converting fieldPath: '
        "field label not supported: bogus"]


def test_a_downward_field_env_may_not_read_is_unsupported(chain):
    """status.phase is a downward field (volumes may read it) but not one an env var may."""
    assert causes(chain, **value_from(fieldRef={"fieldPath": "status.phase"})) == [
        f'{ENV}.valueFrom.fieldRef.fieldPath: Unsupported value: "status.phase": supported values: {ENV_FIELDS}']


def test_a_subscript_is_only_for_labels_and_annotations(chain):
    """metadata.name['x'] fails the conversion; a label subscript must be a qualified name."""
    assert causes(chain, **value_from(fieldRef={"fieldPath": "metadata.name['x']"})) == [
        f"{ENV}.valueFrom.fieldRef.fieldPath: Invalid value: \"metadata.name['x']\": error converting fieldPath: "
        "field label does not support subscript: metadata.name['x']"]
    [problem] = causes(chain, **value_from(fieldRef={"fieldPath": "metadata.labels['a b']"}))
    assert problem.startswith(f'{ENV}.valueFrom.fieldRef: Invalid value: "a b": name part must consist of')


def test_a_pod_version_other_than_v1_is_refused(chain):
    """fieldRef.apiVersion is defaulted to v1; any other is not a pod version the conversion knows."""
    assert causes(chain, **value_from(fieldRef={"apiVersion": "v2", "fieldPath": "metadata.name"})) == [
        f'{ENV}.valueFrom.fieldRef.fieldPath: Invalid value: "metadata.name": error converting fieldPath: '
        "unsupported pod version: v2"]


def test_the_fields_env_may_read_and_the_old_spec_host_are_accepted(chain):
    """spec.host (old clients') converts to spec.nodeName; label and annotation subscripts too."""
    for path in ("metadata.name", "spec.host", "metadata.labels['ok']", "metadata.annotations['A/B']"):
        code, status = create(chain, **value_from(fieldRef={"fieldPath": path}))
        assert code == 201, (path, status)


def test_value_from_needs_exactly_one_source_and_no_value(chain):
    """None, two, or one beside a literal value: each its own Invalid on valueFrom."""
    assert causes(chain, **value_from()) == [
        f'{ENV}.valueFrom: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, '
        "`configMapKeyRef` or `secretKeyRef`"]
    both = value_from(fieldRef={"fieldPath": "metadata.name"}, secretKeyRef={"name": "s", "key": "k"})
    assert causes(chain, **both) == [
        f'{ENV}.valueFrom: Invalid value: "": may not have more than one field specified at a time']
    literal = {"env": [{"name": "X", "value": "v", "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}}]}
    assert causes(chain, **literal) == [
        f'{ENV}.valueFrom: Invalid value: "": may not be specified when `value` is not empty']


def test_a_nameless_variable_still_has_its_source_checked(chain):
    """ValidateEnv reports the missing name and goes on to valueFrom."""
    env = {"env": [{"name": "", "valueFrom": {"fieldRef": {"fieldPath": "bogus"}}}]}
    assert causes(chain, **env) == [
        f"{ENV}.name: Required value",
        f'{ENV}.valueFrom.fieldRef.fieldPath: Invalid value: "bogus": error converting fieldPath: '
        "field label not supported: bogus"]


def test_resource_field_ref_names_a_container_resource_and_a_divisor_of_its_unit(chain):
    """validateContainerResourceFieldSelector and validateContainerResourceDivisor; a divisor is
    compared in its canonical form (1000 is 1k, 1000m is 1)."""
    assert causes(chain, **value_from(resourceFieldRef={"resource": "limits.gpu"})) == [
        f'{ENV}.valueFrom.resourceFieldRef.resource: Unsupported value: "limits.gpu": supported values: '
        '"limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu", "requests.ephemeral-storage", '
        '"requests.memory"']
    assert causes(chain, **value_from(resourceFieldRef={"resource": "limits.cpu", "divisor": "2"})) == [
        f'{ENV}.valueFrom.resourceFieldRef.divisor: Invalid value: "limits.cpu": only divisor\'s values 1m and 1 '
        "are supported with the cpu resource"]
    assert causes(chain, **value_from(resourceFieldRef={"resource": "limits.hugepages-2Mi", "divisor": "7"})) == [
        f'{ENV}.valueFrom.resourceFieldRef.divisor: Invalid value: "limits.hugepages-2Mi": only divisor\'s values '
        f"{BYTE_DIVISORS} are supported with the hugepages resource"]
    for resource, divisor in (("requests.ephemeral-storage", "1000"), ("limits.cpu", "1000m")):
        code, status = create(chain, **value_from(resourceFieldRef={"resource": resource, "divisor": divisor}))
        assert code == 201, status


def test_key_selectors_need_a_subdomain_name_and_a_config_key(chain):
    """An empty name fails the subdomain pattern (it is not reported as missing); an empty key is."""
    problems = causes(chain, **value_from(configMapKeyRef={"name": "", "key": ""}))
    assert [p.split(":")[0] for p in problems] == [f"{ENV}.valueFrom.configMapKeyRef.name",
                                                   f"{ENV}.valueFrom.configMapKeyRef.key"]
    assert problems[1].endswith("Required value")
    assert causes(chain, **value_from(secretKeyRef={"name": "s", "key": ".."})) == [
        f"{ENV}.valueFrom.secretKeyRef.key: Invalid value: \"..\": must not be '..'"]


def test_env_from_names_one_config_map_or_secret(chain):
    """ValidateEnvFrom: the missing or doubled source on the list's path; a name that may be a prefix."""
    assert causes(chain, envFrom=[{}]) == [
        f'{ENV_FROM}: Invalid value: "": must specify one of: `configMapRef` or `secretRef`']
    assert causes(chain, envFrom=[{"configMapRef": {"name": "a"}, "secretRef": {"name": "b"}}]) == [
        f'{ENV_FROM}: Invalid value: "": may not have more than one field specified at a time']
    assert causes(chain, envFrom=[{"configMapRef": {"name": ""}}]) == [
        f"{ENV_FROM}[0].configMapRef.name: Required value"]
    assert causes(chain, envFrom=[{"prefix": "..", "secretRef": {"name": "b"}}]) == [
        f"{ENV_FROM}[0].prefix: Invalid value: \"..\": must not be '..'"]
    code, status = create(chain, envFrom=[{"configMapRef": {"name": "a-"}}])
    assert code == 201, status
