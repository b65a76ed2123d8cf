"""FlowSchemas and PriorityLevelConfigurations (flowcontrol.apiserver.k8s.io v1beta2 and v1beta1)
through the handler chain on the reference etcd: the configuration 1.24 writes at start, defaults,
pkg/apis/flowcontrol/validation's rules in the real server's words, the printers' columns and the
deprecation warnings. One rule per test, named in its docstring."""
from __future__ import annotations

import copy
import time

import pytest

from reference_impl.apiserver.adapter.apfcontroller import APFConfigController
from reference_impl.apiserver.adapter.server import HandlerChain
from reference_impl.apiserver.core import apfconfig, bootstrappolicy, flowcontrolbootstrap, protobuf
from reference_impl.apiserver.core.handlers import Request
from reference_impl.apiserver.core.registry import Registry
from reference_impl.apiserver.kinds import apiservice, flowcontrol
from reference_impl.machinery.clock import ManualClock
from tests.reference.apiserver.test_handlers import NOW, TABLE, call, etcd  # noqa: F401 (etcd: a fixture)

from cluster import Cluster, control_plane  # noqa: F401  (fixture)

V1BETA2 = "/apis/flowcontrol.apiserver.k8s.io/v1beta2"
SCHEMAS, LEVELS = f"{V1BETA2}/flowschemas", f"{V1BETA2}/prioritylevelconfigurations"


@pytest.fixture(scope="module")
def registry(etcd):
    registry = Registry(etcd, ManualClock(NOW))
    bootstrappolicy.ensure_flowcontrol_configuration(registry)
    controller = APFConfigController(registry).start()
    yield registry
    controller.stop()
    registry.close()


def eventually(check, timeout: float = 10.0):
    """`check()`'s first truthy answer within `timeout` seconds (the controller writes after a watch event)."""
    deadline = time.monotonic() + timeout
    while not (answer := check()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return answer


def dangling(chain, name: str) -> tuple[str, str, str] | None:
    code, schema = call(chain, "GET", f"{SCHEMAS}/{name}")
    conditions = [c for c in (schema.get("status") or {}).get("conditions") or [] if c["type"] == "Dangling"]
    return (conditions[0]["status"], conditions[0]["reason"], conditions[0]["message"]) if conditions else None


@pytest.fixture(scope="module")
def chain(registry):
    return HandlerChain(registry, now=lambda: NOW + 90)


def create(chain, plural: str, name: str, spec: dict) -> tuple[int, dict]:
    kind = "FlowSchema" if plural == "flowschemas" else "PriorityLevelConfiguration"
    return call(chain, "POST", f"{V1BETA2}/{plural}", {"apiVersion": "flowcontrol.apiserver.k8s.io/v1beta2",
                                                        "kind": kind, "metadata": {"name": name}, "spec": spec})


def message(chain, plural: str, name: str, spec: dict) -> str:
    code, status = create(chain, plural, name, spec)
    assert code == 422, status
    return status["message"]


def test_the_bootstrap_configuration_is_written_once_with_dangling_false(chain, registry):
    """exempt and catch-all (mandatory) and the suggested levels and schemas are there, annotated
    autoupdate-spec, each schema's Dangling condition False Found; a restart creates nothing."""
    code, levels = call(chain, "GET", LEVELS)
    assert {plc["metadata"]["name"] for plc in levels["items"]} == {
        "exempt", "catch-all", "system", "node-high", "leader-election", "workload-high", "workload-low",
        "global-default"}
    code, schemas = call(chain, "GET", SCHEMAS)
    by_name = {fs["metadata"]["name"]: fs for fs in schemas["items"]}
    assert set(by_name) == {"exempt", "catch-all", "system-nodes", "system-node-high", "probes",
                            "system-leader-election", "workload-leader-election", "kube-controller-manager",
                            "kube-scheduler", "kube-system-service-accounts", "service-accounts", "global-default"}
    probes = by_name["probes"]
    assert probes["metadata"]["annotations"] == {"apf.kubernetes.io/autoupdate-spec": "true"}
    assert probes["metadata"]["generation"] == 1
    assert eventually(lambda: dangling(chain, "probes")) == (
        "False", "Found", 'This FlowSchema references the PriorityLevelConfiguration object named "exempt" and it exists')
    assert bootstrappolicy.ensure_flowcontrol_configuration(registry) == []


def test_the_configuration_and_its_conditions_are_tracked_by_their_writers(chain, registry):
    """The producer creates the schemas, the config controller (the consumer) writes their
    Dangling conditions through the status subresource, each in managedFields as upstream's."""
    eventually(lambda: dangling(chain, "probes"))
    entries = registry.get("flowschemas", None, "probes")["metadata"]["managedFields"]
    assert sorted((e["manager"], e.get("subresource", ""), list(e["fieldsV1"])) for e in entries) == [
        ("api-priority-and-fairness-config-consumer-v1", "status", ["f:status"]),
        ("api-priority-and-fairness-config-producer-v1", "", ["f:metadata", "f:spec"])]


def test_a_schema_dangles_until_its_priority_level_exists(chain):
    """The config controller's Dangling condition: True NotFound for a level that is missing,
    False Found once it is created."""
    assert create(chain, "flowschemas", "e2e-dangling", {"priorityLevelConfiguration": {"name": "e2e-later"}})[0] == 201
    assert eventually(lambda: dangling(chain, "e2e-dangling")) == (
        "True", "NotFound", 'This FlowSchema references the PriorityLevelConfiguration object named "e2e-later" but '
                            'there is no such object')
    assert create(chain, "prioritylevelconfigurations", "e2e-later", {"type": "Limited", "limited": {
        "limitResponse": {"type": "Reject"}}})[0] == 201
    assert eventually(lambda: dangling(chain, "e2e-dangling")[0] == "False")


def test_a_changed_suggested_spec_is_put_back_at_start_while_annotated(chain, registry):
    code, level = call(chain, "GET", f"{LEVELS}/workload-low")
    level["spec"]["limited"]["assuredConcurrencyShares"] = 7
    assert call(chain, "PUT", f"{LEVELS}/workload-low", level)[0] == 200
    bootstrappolicy.ensure_flowcontrol_configuration(registry)
    assert call(chain, "GET", f"{LEVELS}/workload-low")[1]["spec"]["limited"]["assuredConcurrencyShares"] == 100


def test_defaults_fill_precedence_shares_and_queuing(chain):
    """matchingPrecedence 1000; assuredConcurrencyShares 30; queues 64, handSize 8, queueLengthLimit 50."""
    code, level = create(chain, "prioritylevelconfigurations", "e2e-queue",
                         {"type": "Limited", "limited": {"limitResponse": {"type": "Queue", "queuing": {}}}})
    assert code == 201, level
    assert level["spec"]["limited"] == {"assuredConcurrencyShares": 30, "limitResponse": {
        "type": "Queue", "queuing": {"queues": 64, "handSize": 8, "queueLengthLimit": 50}}}
    code, schema = create(chain, "flowschemas", "e2e-schema", {"priorityLevelConfiguration": {"name": "e2e-queue"}})
    assert code == 201, schema
    assert schema["spec"]["matchingPrecedence"] == 1000


def test_priority_level_rules_in_the_real_servers_words(chain):
    """Exempt exactly for the level named exempt; a Limited level's limits; queuing's bounds."""
    assert message(chain, "prioritylevelconfigurations", "p1", {"type": "Exempt", "limited": {
        "assuredConcurrencyShares": 1}}) == (
        'PriorityLevelConfiguration.flowcontrol.apiserver.k8s.io "p1" is invalid: [spec.type: Invalid value: '
        "\"Exempt\": type must be 'Exempt' if and only if name is 'exempt', spec.limited: Forbidden: must be nil "
        "if the type is not Limited]")
    assert message(chain, "prioritylevelconfigurations", "p3", {"type": "Limited", "limited": {
        "assuredConcurrencyShares": -1, "limitResponse": {"type": "Reject", "queuing": {}}}}) == (
        'PriorityLevelConfiguration.flowcontrol.apiserver.k8s.io "p3" is invalid: [spec.limited.'
        "assuredConcurrencyShares: Invalid value: -1: must be positive, spec.limited.limitResponse.queuing: "
        "Forbidden: must be nil if limited.limitResponse.type is not Limited]")
    assert message(chain, "prioritylevelconfigurations", "p5", {"type": "Limited", "limited": {"limitResponse": {
        "type": "Queue", "queuing": {"queues": -1, "handSize": -2, "queueLengthLimit": -3}}}}) == (
        'PriorityLevelConfiguration.flowcontrol.apiserver.k8s.io "p5" is invalid: [spec.limited.limitResponse.'
        "queuing.queueLengthLimit: Invalid value: -3: must be positive, spec.limited.limitResponse.queuing.queues: "
        "Invalid value: -1: must be positive, spec.limited.limitResponse.queuing.handSize: Invalid value: -2: must "
        "be positive]")
    assert message(chain, "prioritylevelconfigurations", "p6", {"type": "Limited", "limited": {"limitResponse": {
        "type": "Queue", "queuing": {"queues": 20000000, "handSize": 30}}}}) == (
        'PriorityLevelConfiguration.flowcontrol.apiserver.k8s.io "p6" is invalid: [spec.limited.limitResponse.'
        "queuing.queues: Invalid value: 20000000: must not be greater than 10000000, spec.limited.limitResponse."
        "queuing.handSize: Invalid value: 30: required entropy bits of deckSize 20000000 and handSize 30 should not "
        "be greater than 60]")
    assert message(chain, "prioritylevelconfigurations", "p7", {"type": "Limited", "limited": {"limitResponse": {
        "type": "Queue", "queuing": {"queues": 128, "handSize": 200}}}}).endswith(
        "handSize: Invalid value: 200: should not be greater than queues (128)")
    assert message(chain, "prioritylevelconfigurations", "p9", {"type": "Limited", "limited": {"limitResponse": {
        "type": "Maybe"}}}).endswith('spec.limited.limitResponse.type: Unsupported value: "Maybe": supported '
                                     'values: "Queue", "Reject"')
    assert message(chain, "prioritylevelconfigurations", "exempt2", {}).endswith(
        'spec.type: Unsupported value: "": supported values: "Exempt", "Limited"')


def test_flow_schema_rules_in_the_real_servers_words(chain):
    """Precedence bounds, the distinguisher, the priority level's name, each rule's subjects, verbs,
    groups, resources, namespaces and non-resource URLs."""
    spec = {"priorityLevelConfiguration": {"name": ""}, "matchingPrecedence": 1, "distinguisherMethod": {"type": "X"},
            "rules": [{"subjects": [], "resourceRules": [{"verbs": ["*", "get"], "apiGroups": ["*", "x"],
                                                          "resources": [], "namespaces": ["Bad_ns"]}],
                       "nonResourceRules": [{"verbs": ["frob"], "nonResourceURLs": ["a", "/b//c", "/x*", "/ y"]}]},
                      {"subjects": [{"kind": "ServiceAccount", "user": {"name": "u"}}, {"kind": "User", "user": {"name": ""}},
                                    {"kind": "Group"}, {"kind": "Robot"},
                                    {"kind": "ServiceAccount", "serviceAccount": {"name": "Bad_", "namespace": ""}}]}]}
    assert message(chain, "flowschemas", "fs1", spec) == (
        'FlowSchema.flowcontrol.apiserver.k8s.io "fs1" is invalid: [spec.matchingPrecedence: Invalid value: 1: only '
        "the schema named 'exempt' may have matchingPrecedence 1, spec.distinguisherMethod.type: Unsupported value: "
        'flowcontrol.FlowDistinguisherMethod{Type:"X"}: supported values: "ByNamespace", "ByUser", '
        "spec.priorityLevelConfiguration.name: Required value: must reference a priority level, spec.rules[0].subjects:"
        " Required value: subjects must contain at least one value, spec.rules[0].resourceRules[0].verbs: Invalid "
        "value: []string{\"*\", \"get\"}: if '*' is present, must not specify other verbs, spec.rules[0]."
        "resourceRules[0].apiGroups: Invalid value: []string{\"*\", \"x\"}: if '*' is present, must not specify other "
        "api groups, spec.rules[0].resourceRules[0].resources: Required value: resource rules must supply at least one"
        " resource, spec.rules[0].resourceRules[0].namespaces[0]: Invalid value: \"Bad_ns\": each member of this list "
        "must be '*' or a DNS-1123 label; a lowercase RFC 1123 label must consist of lower case alphanumeric "
        "characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', "
        "regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?'), spec.rules[0].nonResourceRules[0].verbs: "
        'Unsupported value: []string{"frob"}: supported values: "create", "delete", "deletecollection", "get", '
        '"list", "patch", "proxy", "update", "watch", spec.rules[0].nonResourceRules[0].nonResourceURLs[0]: Invalid '
        'value: "a": must start with slash, spec.rules[0].nonResourceRules[0].nonResourceURLs[1]: Invalid value: '
        '"/b//c": must not contain double slash, spec.rules[0].nonResourceRules[0].nonResourceURLs[2]: Invalid '
        'value: "/x*": wildcard can only do suffix matching, spec.rules[0].nonResourceRules[0].nonResourceURLs[3]: '
        'Invalid value: "/ y": must not contain white-space, spec.rules[1].subjects[0].serviceAccount: Required '
        "value: serviceAccount is required when subject kind is 'ServiceAccount', spec.rules[1].subjects[0].user: "
        "Forbidden: user is forbidden when subject kind is not 'User', spec.rules[1].subjects[1].user.name: Required "
        "value, spec.rules[1].subjects[2].group: Required value: group is required when subject kind is 'Group', "
        'spec.rules[1].subjects[3].kind: Unsupported value: "Robot": supported values: "Group", "ServiceAccount", '
        '"User", spec.rules[1].subjects[4].serviceAccount.name: Invalid value: "Bad_": a lowercase RFC 1123 '
        "subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an "
        "alphanumeric character (e.g. 'example.com', regex used for validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*'), spec.rules[1].subjects[4]."
        "serviceAccount.namespace: Required value: must specify namespace for service account, spec.rules[1]: "
        "Required value: at least one of resourceRules and nonResourceRules has to be non-empty]")


def test_a_group_subject_may_not_name_a_user_or_service_account(chain):
    spec = {"priorityLevelConfiguration": {"name": "global-default"}, "matchingPrecedence": 10001, "rules": [{
        "subjects": [{"kind": "Group", "group": {"name": "g"}, "user": {"name": "x"},
                      "serviceAccount": {"name": "*", "namespace": "ns"}}],
        "resourceRules": [{"verbs": ["get"], "apiGroups": [""], "resources": ["*", "pods"]}],
        "nonResourceRules": [{"verbs": [], "nonResourceURLs": ["*", "/x"]}]}]}
    assert message(chain, "flowschemas", "fs2", spec) == (
        'FlowSchema.flowcontrol.apiserver.k8s.io "fs2" is invalid: [spec.matchingPrecedence: Invalid value: 10001: '
        "must not be greater than 10000, spec.rules[0].subjects[0].serviceAccount: Forbidden: serviceAccount is "
        "forbidden when subject kind is not 'ServiceAccount', spec.rules[0].subjects[0].user: Forbidden: user is "
        "forbidden when subject kind is not 'User', spec.rules[0].resourceRules[0].resources: Invalid value: "
        "[]string{\"*\", \"pods\"}: if '*' is present, must not specify other resources, spec.rules[0]."
        "resourceRules[0].namespaces: Required value: resource rules that are not cluster scoped must supply at least "
        "one namespace, spec.rules[0].nonResourceRules[0].verbs: Required value: verbs must contain at least one "
        "value, spec.rules[0].nonResourceRules[0].nonResourceURLs: Invalid value: []string{\"*\", \"/x\"}: if '*' is "
        "present, must not specify other non-resource URLs]")


def test_a_mandatory_object_keeps_its_fixed_spec(chain):
    """catch-all's spec may not change; exempt's type must stay Exempt."""
    code, level = call(chain, "GET", f"{LEVELS}/catch-all")
    level["spec"]["limited"]["assuredConcurrencyShares"] = 6
    code, status = call(chain, "PUT", f"{LEVELS}/catch-all", level)
    assert code == 422 and status["message"].endswith(
        "spec: Invalid value: flowcontrol.PriorityLevelConfigurationSpec{Type:\"Limited\", Limited:(*flowcontrol."
        "LimitedPriorityLevelConfiguration)(0xc000000000)}: spec of 'catch-all' must equal the fixed value")
    code, level = call(chain, "GET", f"{LEVELS}/exempt")
    code, status = call(chain, "PUT", f"{LEVELS}/exempt", {**level, "spec": {"type": "Limited"}})
    assert status["message"] == (
        'PriorityLevelConfiguration.flowcontrol.apiserver.k8s.io "exempt" is invalid: [spec.type: Invalid value: '
        "\"Limited\": type must be 'Exempt' if and only if name is 'exempt', spec.limited: Required value: must not be "
        "empty when type is Limited, spec: Invalid value: flowcontrol.PriorityLevelConfigurationSpec{Type:\"Limited\", "
        "Limited:(*flowcontrol.LimitedPriorityLevelConfiguration)(nil)}: spec of 'exempt' must equal the fixed value]")


def test_a_mandatory_schemas_spec_is_shown_as_go_prints_it():
    """As %#v prints the internal FlowSchemaSpec (a pointer's address, which varies, at a stand-in)."""
    schema = copy.deepcopy(flowcontrolbootstrap.MANDATORY_FLOW_SCHEMAS[0])
    schema["spec"]["distinguisherMethod"] = {"type": "ByUser"}
    assert flowcontrol.validate_flow_schema(schema) == [
        'spec: Invalid value: flowcontrol.FlowSchemaSpec{PriorityLevelConfiguration:flowcontrol.'
        'PriorityLevelConfigurationReference{Name:"exempt"}, MatchingPrecedence:1, DistinguisherMethod:(*flowcontrol.'
        'FlowDistinguisherMethod)(0xc000000000), Rules:[]flowcontrol.PolicyRulesWithSubjects{flowcontrol.'
        'PolicyRulesWithSubjects{Subjects:[]flowcontrol.Subject{flowcontrol.Subject{Kind:"Group", User:(*flowcontrol.'
        'UserSubject)(nil), Group:(*flowcontrol.GroupSubject)(0xc000000000), ServiceAccount:(*flowcontrol.'
        'ServiceAccountSubject)(nil)}}, ResourceRules:[]flowcontrol.ResourcePolicyRule{flowcontrol.ResourcePolicyRule{'
        'Verbs:[]string{"*"}, APIGroups:[]string{"*"}, Resources:[]string{"*"}, ClusterScope:true, Namespaces:'
        '[]string{"*"}}}, NonResourceRules:[]flowcontrol.NonResourcePolicyRule{flowcontrol.NonResourcePolicyRule{'
        'Verbs:[]string{"*"}, NonResourceURLs:[]string{"*"}}}}}}: spec of \'exempt\' must equal the fixed value']


def test_tables_print_the_printers_columns(chain):
    eventually(lambda: dangling(chain, "probes"))  # MissingPL is "?" until the controller sets it
    code, table = call(chain, "GET", f"{SCHEMAS}/probes", accept=TABLE)
    assert [c["name"] for c in table["columnDefinitions"]] == [
        "Name", "PriorityLevel", "MatchingPrecedence", "DistinguisherMethod", "Age", "MissingPL"]
    assert table["rows"][0]["cells"][:4] + table["rows"][0]["cells"][5:] == ["probes", "exempt", 2, "<none>", "False"]
    code, table = call(chain, "GET", f"{LEVELS}/exempt", accept=TABLE)
    assert table["rows"][0]["cells"][:6] == ["exempt", "Exempt", "<none>", "<none>", "<none>", "<none>"]
    code, table = call(chain, "GET", f"{LEVELS}/system", accept=TABLE)
    assert table["rows"][0]["cells"][:6] == ["system", "Limited", 30, 64, 6, 50]


def test_a_table_of_flow_schemas_is_in_matching_order(chain):
    """printFlowSchemaList sorts by matchingPrecedence, then name; the list itself stays in key order."""
    code, table = call(chain, "GET", SCHEMAS, accept=TABLE)
    names = [row["cells"][0] for row in table["rows"]]
    assert names[:3] == ["exempt", "probes", "system-leader-election"] and names[-1] == "catch-all"
    assert names.index("kube-controller-manager") + 1 == names.index("kube-scheduler")
    code, listed = call(chain, "GET", SCHEMAS)
    assert listed["items"][0]["metadata"]["name"] == "catch-all"


def test_each_version_warns_of_its_deprecation_and_v1beta1_reads_the_same_objects(chain):
    response = chain.handle(Request("GET", f"{SCHEMAS}/probes", {}, {"Accept": "application/json"}, b""))
    assert response.warnings == [
        "flowcontrol.apiserver.k8s.io/v1beta2 FlowSchema is deprecated in v1.26+, unavailable in v1.29+"]
    path = "/apis/flowcontrol.apiserver.k8s.io/v1beta1/flowschemas/probes"
    response = chain.handle(Request("GET", path, {}, {"Accept": "application/json"}, b""))
    assert response.warnings == [
        "flowcontrol.apiserver.k8s.io/v1beta1 FlowSchema is deprecated in v1.23+, unavailable in v1.26+"]
    code, schema = call(chain, "GET", path)
    assert (schema["apiVersion"], schema["spec"]["matchingPrecedence"]) == ("flowcontrol.apiserver.k8s.io/v1beta1", 2)


def test_shuffle_sharding_entropy_is_hand_size_times_log2_of_the_deck():
    assert flowcontrol.required_entropy_bits(128, 6) == 42
    assert flowcontrol.required_entropy_bits(1000000, 10) == 200


def test_kubectl_gets_flow_schemas_and_priority_levels(control_plane: Cluster):  # noqa: F811
    """`kubectl get flowschemas` and `get prioritylevelconfigurations` with the real server's columns."""
    result = control_plane.kubectl("get", "flowschemas")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["NAME", "PRIORITYLEVEL", "MATCHINGPRECEDENCE", "DISTINGUISHERMETHOD", "AGE",
                                "MISSINGPL"]
    assert lines[1].split()[:4] == ["exempt", "exempt", "1", "<none>"]
    assert "FlowSchema is deprecated in v1.26+" in result.stderr
    result = control_plane.kubectl("get", "prioritylevelconfigurations", "workload-high", "--no-headers")
    assert result.stdout.split()[:6] == ["workload-high", "Limited", "40", "128", "6", "50"]


def _with_go_zeros(obj: dict) -> dict:
    """`obj` as Go holds it: the omitempty scalars a bootstrap object leaves out, at their zero."""
    obj = copy.deepcopy(obj)
    spec = obj["spec"]
    if obj["kind"] == "APIService":
        spec.setdefault("group", "")
        spec["insecureSkipTLSVerify"] = False
    for rule in spec.get("rules", []):
        for resource_rule in rule.get("resourceRules", []):
            resource_rule.setdefault("clusterScope", False)
    return obj


@pytest.mark.parametrize("obj", [*flowcontrolbootstrap.MANDATORY_FLOW_SCHEMAS, *flowcontrolbootstrap.SUGGESTED_FLOW_SCHEMAS,
                                 *flowcontrolbootstrap.MANDATORY_PRIORITY_LEVELS,
                                 *flowcontrolbootstrap.SUGGESTED_PRIORITY_LEVELS,
                                 *apiservice.local_api_services([("", "v1"), ("apps", "v1")])],
                         ids=lambda obj: f"{obj['kind']}/{obj['metadata']['name']}")
def test_protobuf_round_trips_the_bootstrap_objects(obj):
    """Each field at the number the real server's bytes put it (checked against its answers); an
    omitempty zero Go encodes (clusterScope false, the core group's "") is left out when decoded,
    as the real server's JSON leaves it out."""
    assert protobuf.decode(protobuf.encode(_with_go_zeros(obj))) == obj


def test_only_an_out_of_date_dangling_condition_is_written_and_other_conditions_are_kept():
    found = apfconfig.dangling_condition("a", True, "2026-01-01T00:00:00Z")
    other = {"type": "Other", "status": "True"}
    fresh = {"metadata": {"name": "fresh"}, "spec": {"priorityLevelConfiguration": {"name": "a"}},
             "status": {"conditions": [{**found, "lastTransitionTime": "2025-01-01T00:00:00Z"}]}}
    stale = {"metadata": {"name": "stale"}, "spec": {"priorityLevelConfiguration": {"name": "b"}},
             "status": {"conditions": [other, {**found, "message": "old"}]}}
    updates = apfconfig.dangling_status_updates([fresh, stale], {"a"}, "2026-01-01T00:00:00Z")
    assert [(schema["metadata"]["name"], status) for schema, status in updates] == [
        ("stale", {"conditions": [other, apfconfig.dangling_condition("b", False, "2026-01-01T00:00:00Z")]})]
