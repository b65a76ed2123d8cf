"""The API Priority and Fairness configuration a 1.24 kube-apiserver writes at start
(k8s.io/apiserver/pkg/apis/flowcontrol/bootstrap): the mandatory PriorityLevelConfigurations and
FlowSchemas (exempt, catch-all), which validation holds to their fixed specs, and the suggested
ones (system, node-high, leader-election, workload-high, workload-low, global-default and the
schemas that use them). Each carries `apf.kubernetes.io/autoupdate-spec: "true"`: the server puts
its spec back at start while that annotation says so.

The objects are flowcontrol.apiserver.k8s.io/v1beta2, the version 1.24 prefers (it stores v1beta1).
"""
from __future__ import annotations

API_VERSION = "flowcontrol.apiserver.k8s.io/v1beta2"
AUTO_UPDATE_ANNOTATION = "apf.kubernetes.io/autoupdate-spec"

EVERYTHING_RESOURCES = {"verbs": ["*"], "apiGroups": ["*"], "resources": ["*"], "clusterScope": True,
                        "namespaces": ["*"]}
EVERYTHING_NON_RESOURCES = {"verbs": ["*"], "nonResourceURLs": ["*"]}
LEADER_ELECTION_VERBS = ["get", "create", "update"]


def _queue(shares: int, queues: int, hand_size: int, queue_length_limit: int = 50) -> dict:
    return {"type": "Limited", "limited": {"assuredConcurrencyShares": shares, "limitResponse": {
        "type": "Queue", "queuing": {"queues": queues, "handSize": hand_size, "queueLengthLimit": queue_length_limit}}}}


def _priority_level(name: str, spec: dict) -> dict:
    return {"apiVersion": API_VERSION, "kind": "PriorityLevelConfiguration",
            "metadata": {"name": name, "annotations": {AUTO_UPDATE_ANNOTATION: "true"}}, "spec": spec}


def _group(name: str) -> dict:
    return {"kind": "Group", "group": {"name": name}}


def _user(name: str) -> dict:
    return {"kind": "User", "user": {"name": name}}


def _service_accounts(namespace: str) -> dict:
    return {"kind": "ServiceAccount", "serviceAccount": {"namespace": namespace, "name": "*"}}


def _flow_schema(name: str, priority_level: str, precedence: int, distinguisher: str | None,
                 subjects: list[dict], resource_rules: list[dict] | None = None,
                 non_resource_rules: list[dict] | None = None) -> dict:
    spec: dict = {"priorityLevelConfiguration": {"name": priority_level}, "matchingPrecedence": precedence}
    if distinguisher:
        spec["distinguisherMethod"] = {"type": distinguisher}
    rule: dict = {"subjects": subjects}
    if resource_rules:
        rule["resourceRules"] = resource_rules
    if non_resource_rules:
        rule["nonResourceRules"] = non_resource_rules
    spec["rules"] = [rule]
    return {"apiVersion": API_VERSION, "kind": "FlowSchema",
            "metadata": {"name": name, "annotations": {AUTO_UPDATE_ANNOTATION: "true"}}, "spec": spec}


def _everything(name: str, priority_level: str, precedence: int, distinguisher: str | None,
                *subjects: dict) -> dict:
    """A schema that matches every request of its subjects."""
    return _flow_schema(name, priority_level, precedence, distinguisher, list(subjects), [EVERYTHING_RESOURCES],
                        [EVERYTHING_NON_RESOURCES])


def _leader_election_rules(namespace: str) -> list[dict]:
    return [{"verbs": LEADER_ELECTION_VERBS, "apiGroups": [""], "resources": ["endpoints", "configmaps"],
             "namespaces": [namespace]},
            {"verbs": LEADER_ELECTION_VERBS, "apiGroups": ["coordination.k8s.io"], "resources": ["leases"],
             "namespaces": ["*"]}]


ALL_USERS = (_group("system:unauthenticated"), _group("system:authenticated"))

MANDATORY_PRIORITY_LEVELS = (
    _priority_level("exempt", {"type": "Exempt"}),
    _priority_level("catch-all", {"type": "Limited", "limited": {"assuredConcurrencyShares": 5,
                                                                 "limitResponse": {"type": "Reject"}}}),
)

SUGGESTED_PRIORITY_LEVELS = (
    _priority_level("system", _queue(30, 64, 6)),
    _priority_level("node-high", _queue(40, 64, 6)),
    _priority_level("leader-election", _queue(10, 16, 4)),
    _priority_level("workload-high", _queue(40, 128, 6)),
    _priority_level("workload-low", _queue(100, 128, 6)),
    _priority_level("global-default", _queue(20, 128, 6)),
)

MANDATORY_FLOW_SCHEMAS = (
    _everything("exempt", "exempt", 1, None, _group("system:masters")),
    _everything("catch-all", "catch-all", 10000, "ByUser", *ALL_USERS),
)

SUGGESTED_FLOW_SCHEMAS = (
    _everything("system-nodes", "system", 500, "ByUser", _group("system:nodes")),
    _flow_schema("system-node-high", "node-high", 400, "ByUser", [_group("system:nodes")], [
        {"verbs": ["*"], "apiGroups": [""], "resources": ["nodes", "nodes/status"], "clusterScope": True,
         "namespaces": ["*"]},
        {"verbs": ["*"], "apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "namespaces": ["*"]}]),
    _flow_schema("probes", "exempt", 2, None, list(ALL_USERS),
                 non_resource_rules=[{"verbs": ["get"], "nonResourceURLs": ["/healthz", "/readyz", "/livez"]}]),
    _flow_schema("system-leader-election", "leader-election", 100, "ByUser",
                 [_user("system:kube-controller-manager"), _user("system:kube-scheduler"),
                  _service_accounts("kube-system")], _leader_election_rules("kube-system")),
    _flow_schema("workload-leader-election", "leader-election", 200, "ByUser",
                 [_service_accounts("kube-system")], _leader_election_rules("*")),
    _everything("kube-controller-manager", "workload-high", 800, "ByNamespace", _user("system:kube-controller-manager")),
    _everything("kube-scheduler", "workload-high", 800, "ByNamespace", _user("system:kube-scheduler")),
    _everything("kube-system-service-accounts", "workload-high", 900, "ByNamespace", _service_accounts("kube-system")),
    _everything("service-accounts", "workload-low", 9000, "ByUser", _group("system:serviceaccounts")),
    _everything("global-default", "global-default", 9900, "ByUser", *ALL_USERS),
)

MANDATORY_PRIORITY_LEVEL_SPECS = {plc["metadata"]["name"]: plc["spec"] for plc in MANDATORY_PRIORITY_LEVELS}
MANDATORY_FLOW_SCHEMA_SPECS = {fs["metadata"]["name"]: fs["spec"] for fs in MANDATORY_FLOW_SCHEMAS}

