"""ValidatePodSpec's pod-level rules through the handler chain: a pod the real apiserver refuses is a
422 whose causes carry upstream's field paths and messages, and a well-formed one is stored. One
rule per test, named in its docstring."""
from __future__ import annotations

import pytest

from reference_impl.apiserver.adapter.server import HandlerChain
from reference_impl.apiserver.core.registry import Registry
from reference_impl.apiserver.storage.etcdclient import EtcdClient
from reference_impl.machinery.clock import ManualClock
from tests.reference.apiserver.test_handlers import NOW, call, ns_path
from tests.reference.etcd.processes import reference_server

SUBDOMAIN_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                 "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
                 r"validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
QUALIFIED_NAME_MSG = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
                      "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
                      "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")


@pytest.fixture(scope="module")
def etcd(tmp_path_factory):
    with reference_server(tmp_path_factory.mktemp("etcd")) as server:
        client = EtcdClient(server.address)
        yield client
        client.close()


@pytest.fixture(scope="module")
def chain(etcd):
    registry = Registry(etcd, ManualClock(NOW))
    chain = HandlerChain(registry, now=lambda: NOW + 90)
    chain.namespace = "podvalidation"
    call(chain, "POST", "/api/v1/namespaces", {"metadata": {"name": chain.namespace}})
    yield chain
    registry.close()


def container(**fields) -> dict:
    return {"name": "c", "image": "nginx:1.21", **fields}


def create_pod(chain, name: str, **spec) -> tuple[int, dict]:
    """Creates the pod `name`, or one generated from it when it ends in a dash."""
    metadata = {"generateName": name} if name.endswith("-") else {"name": name}
    body = {"apiVersion": "v1", "kind": "Pod", "metadata": metadata,
            "spec": {"containers": [container()], **spec}}
    return call(chain, "POST", ns_path(chain, "pods"), body)


def field_errors(chain, **spec) -> list[str]:
    """The 422's causes as `field: message`, the text of each field.Error."""
    code, status = create_pod(chain, "invalid-", **spec)
    assert code == 422, status
    assert status["reason"] == "Invalid"
    return [f"{cause['field']}: {cause['message']}" for cause in status["details"]["causes"]]


def node_affinity(**fields) -> dict:
    return {"nodeAffinity": fields}


def required_node_term(term: dict) -> dict:
    return node_affinity(requiredDuringSchedulingIgnoredDuringExecution={"nodeSelectorTerms": [term]})


REQUIRED_TERMS = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"
POD_AFFINITY = "spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]"
ANTI_AFFINITY = "spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]"


# --- validateAffinity ---

@pytest.mark.parametrize("affinity,expected", [
    ({"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{"labelSelector": {}}]}},
     f"{POD_AFFINITY}.topologyKey: Required value: can not be empty"),
    ({"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{"topologyKey": "bad key"}]}},
     f'{POD_AFFINITY}.topologyKey: Invalid value: "bad key": {QUALIFIED_NAME_MSG}'),
    ({"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"topologyKey": "zone", "labelSelector": {"matchExpressions": [{"key": "app", "operator": "Bogus"}]}}]}},
     f'{POD_AFFINITY}.labelSelector.matchExpressions[0].operator: Invalid value: "Bogus": '
     "not a valid selector operator"),
    ({"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"topologyKey": "zone", "namespaceSelector": {"matchLabels": {"team": "a b"}}}]}},
     f'{POD_AFFINITY}.namespaceSelector.matchLabels: Invalid value: "a b": a valid label must be an empty string '
     "or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
     "character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
     "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"),
    ({"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"topologyKey": "zone", "namespaces": ["Team_A"]}]}},
     f'{POD_AFFINITY}.namespace: Invalid value: "Team_A": a lowercase RFC 1123 label must consist of lower case '
     "alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  "
     "or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"),
    ({"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 0, "podAffinityTerm": {"topologyKey": "zone"}}]}},
     f"{ANTI_AFFINITY}.weight: Invalid value: 0: must be in the range 1-100"),
    ({"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 10, "podAffinityTerm": {}}]}},
     f"{ANTI_AFFINITY}.podAffinityTerm.topologyKey: Required value: can not be empty"),
    (node_affinity(preferredDuringSchedulingIgnoredDuringExecution=[{"weight": 101, "preference": {}}]),
     "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 101: "
     "must be in the range 1-100"),
    (node_affinity(preferredDuringSchedulingIgnoredDuringExecution=[
        {"weight": 1, "preference": {"matchExpressions": [{"key": "zone", "operator": "Exists", "values": ["a"]}]}}]),
     "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions[0]"
     ".values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"),
    (node_affinity(requiredDuringSchedulingIgnoredDuringExecution={"nodeSelectorTerms": []}),
     f"{REQUIRED_TERMS}: Required value: must have at least one node selector term"),
    (required_node_term({"matchFields": [{"key": "metadata.labels", "operator": "In", "values": ["a"]}]}),
     f'{REQUIRED_TERMS}[0].matchFields[0].key: Invalid value: "metadata.labels": not a valid field selector key'),
    (required_node_term({"matchFields": [{"key": "metadata.name", "operator": "Exists"}]}),
     f'{REQUIRED_TERMS}[0].matchFields[0].operator: Invalid value: "Exists": not a valid selector operator'),
    (required_node_term({"matchFields": [{"key": "metadata.name", "operator": "NotIn", "values": ["a", "b"]}]}),
     f"{REQUIRED_TERMS}[0].matchFields[0].values: Required value: must be only one value when `operator` is "
     "'In' or 'NotIn' for node field selector"),
    (required_node_term({"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["Node_1"]}]}),
     f'{REQUIRED_TERMS}[0].matchFields[0].values[0]: Invalid value: "Node_1": {SUBDOMAIN_MSG}'),
])
def test_affinity_is_validated_as_validate_affinity_does(chain, affinity, expected):
    """validateAffinity: pod (anti-)affinity terms need a qualified topologyKey, valid label and
    namespace selectors and namespaces, preferred terms a weight of 1-100; node affinity's
    preferred terms too, required terms at least one term, and a matchFields requirement only
    metadata.name with In or NotIn and one node name."""
    assert expected in field_errors(chain, affinity=affinity)


def test_a_well_formed_affinity_is_stored(chain):
    term = {"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": {"app": "web"}},
            "namespaceSelector": {}, "namespaces": ["default"]}
    affinity = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node-1"]}]}]},
            "preferredDuringSchedulingIgnoredDuringExecution": [
                {"weight": 100, "preference": {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}}]},
        "podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]},
        "podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 1, "podAffinityTerm": term}]}}
    code, stored = create_pod(chain, "affinity", affinity=affinity)
    assert code == 201, stored
    assert stored["spec"]["affinity"] == affinity


# --- validateTopologySpreadConstraints ---

def spread(**fields) -> dict:
    return {"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule", **fields}


SPREAD = "spec.topologySpreadConstraints"


@pytest.mark.parametrize("constraints,expected", [
    ([spread(maxSkew=0)], f"{SPREAD}[0].maxSkew: Invalid value: 0: must be greater than zero"),
    ([spread(topologyKey="")], f"{SPREAD}[0].topologyKey: Required value: can not be empty"),
    ([spread(whenUnsatisfiable="Sometimes")],
     f'{SPREAD}[0].whenUnsatisfiable: Unsupported value: "Sometimes": supported values: "DoNotSchedule", '
     '"ScheduleAnyway"'),
    ([spread(), spread(maxSkew=2, labelSelector={"matchLabels": {"app": "web"}})],
     f'{SPREAD}[0].{{topologyKey, whenUnsatisfiable}}: Duplicate value: "{{zone, DoNotSchedule}}"'),
])
def test_topology_spread_constraints_are_validated(chain, constraints, expected):
    """validateTopologySpreadConstraints: a positive maxSkew, a topologyKey, a known
    whenUnsatisfiable, and each {topologyKey, whenUnsatisfiable} pair once (reported at the first)."""
    assert expected in field_errors(chain, topologySpreadConstraints=constraints)


def test_min_domains_is_dropped_while_its_feature_gate_is_off(chain):
    """MinDomainsInPodTopologySpread is alpha and off in 1.24: dropDisabledPodFields clears
    minDomains before validation, so even a value the gate's rules refuse is no error, and it is
    not stored."""
    code, stored = create_pod(chain, "min-domains",
                              topologySpreadConstraints=[spread(whenUnsatisfiable="ScheduleAnyway", minDomains=0)])
    assert code == 201, stored
    assert stored["spec"]["topologySpreadConstraints"] == [spread(whenUnsatisfiable="ScheduleAnyway")]
