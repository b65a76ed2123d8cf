"""The pods/eviction subresource (EvictionREST.Create): an Eviction deletes its pod unless a
PodDisruptionBudget selecting the pod has no disruption left, in which case it is a 429 the client
retries. Sans-IO through the handler chain over the reference etcd."""
from __future__ import annotations

import json

import pytest

from reference_impl.apiserver.adapter.server import HandlerChain
from reference_impl.apiserver.core.auth import (BearerTokenAuthenticator, RequestAuthenticator, TokenFileAuthenticator,
                                                UserInfo)
from reference_impl.apiserver.core.handlers import Request
from reference_impl.apiserver.core.lifecycle import rfc3339
from reference_impl.apiserver.core.rbac import RegistrySource, new_authorizer
from tests.reference.apiserver.test_decoding import deep_object
from tests.reference.apiserver.test_handlers import NOW, POD, call, chain, etcd, ns_path, registry  # noqa: F401

SUCCESS = {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success", "code": 201}
VIOLATION = "Cannot evict pod as it would violate the pod's disruption budget."
PDB = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "budget"},
       "spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "web"}}}}


def eviction(name: str = "web", api_version: str = "policy/v1", **delete_options) -> dict:
    body = {"apiVersion": api_version, "kind": "Eviction", "metadata": {"name": name}}
    if delete_options:
        body["deleteOptions"] = delete_options
    return body


def evict(chain, body: dict, name: str = "web", query: dict | None = None):
    return call(chain, "POST", ns_path(chain, "pods", name) + "/eviction", body, query=query)


def pod_path(chain, name: str = "web") -> str:
    return ns_path(chain, "pods", name)


def running_pod(chain, name: str = "web", ready: bool = True, phase: str = "Running") -> dict:
    """A pod bound to node n1 whose kubelet reports it `phase` (and Ready or not)."""
    call(chain, "POST", ns_path(chain, "pods"), {**POD, "metadata": {**POD["metadata"], "name": name}})
    call(chain, "POST", pod_path(chain, name) + "/binding",
         {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": name}, "target": {"name": "n1"}})
    pod = call(chain, "GET", pod_path(chain, name))[1]
    status = {"phase": phase, "conditions": [{"type": "Ready", "status": "True" if ready else "False"}]}
    code, pod = call(chain, "PUT", pod_path(chain, name) + "/status", {**pod, "status": status})
    assert code == 200, pod
    return pod


def budget(chain, allowed: int, current: int = 2, desired: int = 1, name: str = "budget",
           observed_generation: int = 1, selector: dict | None = None) -> dict:
    """A PodDisruptionBudget on app=web whose status the disruption controller computed."""
    spec = {**PDB["spec"], "selector": PDB["spec"]["selector"] if selector is None else selector}
    code, pdb = call(chain, "POST", ns_path(chain, "poddisruptionbudgets", group="policy/v1"),
                     {**PDB, "metadata": {"name": name}, "spec": spec})
    assert code == 201, pdb
    pdb["status"] = {"observedGeneration": observed_generation, "disruptionsAllowed": allowed,
                     "currentHealthy": current, "desiredHealthy": desired, "expectedPods": current}
    code, pdb = call(chain, "PUT", ns_path(chain, "poddisruptionbudgets", name, "policy/v1") + "/status", pdb)
    assert code == 200, pdb
    return pdb


def get_budget(chain, name: str = "budget") -> dict:
    return call(chain, "GET", ns_path(chain, "poddisruptionbudgets", name, "policy/v1"))[1]


# --- without a budget ---

@pytest.mark.parametrize("api_version", ["policy/v1", "policy/v1beta1"])
def test_an_eviction_deletes_a_pod_no_budget_covers(chain, api_version):
    """With no PodDisruptionBudget selecting it, the pod is deleted and the answer is a 201 Status
    Success (createHandler fills in the code); 1.24 takes both policy/v1 and policy/v1beta1."""
    running_pod(chain)
    assert evict(chain, eviction(api_version=api_version)) == (201, SUCCESS)
    pod = call(chain, "GET", pod_path(chain))[1]
    assert pod["metadata"]["deletionTimestamp"] == rfc3339(NOW + 30)


def test_an_eviction_of_a_pending_pod_removes_it_at_once(chain):
    """A pod no kubelet runs yet has no grace period: evicted, it is gone."""
    call(chain, "POST", ns_path(chain, "pods"), POD)
    assert evict(chain, eviction()) == (201, SUCCESS)
    assert call(chain, "GET", pod_path(chain))[0] == 404


def test_an_empty_resource_version_precondition_is_one_the_pod_fails(chain):
    """resourceVersionIsUnset looks for a nil pointer: a precondition of "" is set, so the eviction
    does not put the pod's own resourceVersion in its place, and the delete finds it does not
    match (409); the pod stays."""
    call(chain, "POST", ns_path(chain, "pods"), POD)
    code, status = evict(chain, eviction(preconditions={"resourceVersion": ""}))
    assert (code, status["reason"]) == (409, "Conflict")
    assert "the ResourceVersion in the precondition () does not match" in status["message"]
    assert call(chain, "GET", pod_path(chain))[0] == 200


def test_an_eviction_naming_another_pod_is_400(chain):
    """The Eviction's name must be the URL's pod."""
    running_pod(chain)
    code, status = evict(chain, eviction("other"))
    assert (code, status["reason"], status["message"]) == (
        400, "BadRequest", "name in URL does not match name in Eviction object")


SCHEME = 'in scheme "pkg/api/legacyscheme/scheme.go:30"'


@pytest.mark.parametrize("body,message", [
    (eviction(api_version="policy/v9"),
     f'Eviction in version "v9" cannot be handled as a Eviction: no kind "Eviction" is registered for version '
     f'"policy/v9" {SCHEME}'),
    ({**eviction(), "kind": "DeleteOptions"},
     'DeleteOptions in version "v1" cannot be handled as a Eviction: converting (v1.DeleteOptions) to '
     "(policy.Eviction): unknown conversion"),
    ({**eviction(), "deleteOptions": "x"},
     'Eviction in version "v1" cannot be handled as a Eviction: json: cannot unmarshal string into Go struct '
     "field Eviction.deleteOptions of type v1.DeleteOptions"),
], ids=["unknown-version", "other-kind", "options-not-an-object"])
def test_an_eviction_body_the_codec_refuses_is_400(chain, body, message):
    """createHandler decodes the body into an Eviction; what the codec refuses is
    transformDecodeError's 400, naming what the body said it was."""
    running_pod(chain)
    code, status = evict(chain, body)
    assert (code, status["reason"], status["message"]) == (400, "BadRequest", message)


def test_an_eviction_of_a_missing_pod_is_404(chain):
    code, status = evict(chain, eviction("ghost"), name="ghost")
    assert (code, status["reason"], status["message"]) == (404, "NotFound", 'pods "ghost" not found')


def test_an_eviction_honours_its_uid_precondition(chain):
    """deleteOptions.preconditions are the delete's: a uid that is not the pod's is a 409 and the
    pod stays."""
    running_pod(chain)
    uid = call(chain, "GET", pod_path(chain))[1]["metadata"]["uid"]
    code, status = evict(chain, eviction(preconditions={"uid": "not-it"}))
    assert (code, status["reason"]) == (409, "Conflict")
    assert status["message"] == ('Operation cannot be fulfilled on Pod "web": the UID in the precondition (not-it) '
                                 f"does not match the UID in record ({uid}). The object might have been deleted and "
                                 "then recreated")
    assert "deletionTimestamp" not in call(chain, "GET", pod_path(chain))[1]["metadata"]


def test_an_eviction_takes_its_grace_period(chain):
    """deleteOptions.gracePeriodSeconds shortens the pod's own grace period."""
    running_pod(chain)
    assert evict(chain, eviction(gracePeriodSeconds=5)) == (201, SUCCESS)
    meta = call(chain, "GET", pod_path(chain))[1]["metadata"]
    assert (meta["deletionTimestamp"], meta["deletionGracePeriodSeconds"]) == (rfc3339(NOW + 5), 5)


@pytest.mark.parametrize("query,options", [({"dryRun": "All"}, {}), ({}, {"dryRun": ["All"]})])
def test_dry_run_evictions_change_nothing(chain, query, options):
    """dryRun, on the request or in deleteOptions, answers Success and changes nothing: not even the
    budget is decremented."""
    running_pod(chain)
    budget(chain, allowed=1)
    assert evict(chain, eviction(**options), query=query) == (201, SUCCESS)
    assert "deletionTimestamp" not in call(chain, "GET", pod_path(chain))[1]["metadata"]
    assert get_budget(chain)["status"]["disruptionsAllowed"] == 1


def test_dry_run_options_that_differ_between_request_and_body_are_400(chain):
    """propagateDryRun's words, but a 400: the client's mistake is no server error (1.24's plain
    error would be written as a 500)."""
    running_pod(chain)
    code, status = evict(chain, eviction(dryRun=["All", "All"]), query={"dryRun": "All"})
    assert (code, status["reason"], status["message"]) == (
        400, "BadRequest", "Non-matching dry-run options in request and content: [All] and [All All]")



@pytest.mark.parametrize("options,problem", [
    ({"propagationPolicy": "Bogus"},
     'propagationPolicy: Unsupported value: "Bogus": supported values: "Foreground", "Background", "Orphan", "nil"'),
    ({"dryRun": ["Bogus"]}, 'dryRun: Unsupported value: []string{"Bogus"}: supported values: "All"'),
], ids=["propagation", "dry-run"])
def test_eviction_delete_options_are_validated(chain, options, problem):
    """The pod's delete runs BeforeDelete, which validates the eviction's deleteOptions: an
    unknown propagationPolicy or dryRun value is a 422 and the pod stays."""
    running_pod(chain)
    code, status = evict(chain, eviction(**options))
    assert (code, status["reason"], status["message"]) == (
        422, "Invalid", f'DeleteOptions.meta.k8s.io "" is invalid: {problem}')
    assert "deletionTimestamp" not in call(chain, "GET", pod_path(chain))[1]["metadata"]

# --- under a budget ---

def test_an_eviction_a_budget_allows_is_recorded_in_its_status_before_the_delete(chain):
    """checkAndDecrement: disruptionsAllowed goes down by one, the pod is listed in disruptedPods
    with the time of the eviction, and DisruptionAllowed turns False once nothing is left."""
    running_pod(chain)
    budget(chain, allowed=1)
    assert evict(chain, eviction()) == (201, SUCCESS)
    status = get_budget(chain)["status"]
    assert status["disruptionsAllowed"] == 0
    assert status["disruptedPods"] == {"web": rfc3339(NOW)}
    assert [(c["type"], c["status"], c["reason"]) for c in status["conditions"]] == [
        ("DisruptionAllowed", "False", "InsufficientPods")]
    assert call(chain, "GET", pod_path(chain))[1]["metadata"]["deletionTimestamp"] == rfc3339(NOW + 30)


def test_an_eviction_the_budget_forbids_is_429_with_the_disruption_budget_cause(chain):
    """No disruption allowed: upstream's TooManyRequests Status, its cause saying how many pods the
    budget needs, and the pod stays."""
    running_pod(chain)
    budget(chain, allowed=0, current=1, desired=1)
    code, status = evict(chain, eviction())
    assert (code, status) == (429, {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": VIOLATION,
        "reason": "TooManyRequests", "code": 429,
        "details": {"causes": [{"reason": "DisruptionBudget",
                                "message": "The disruption budget budget needs 1 healthy pods and has 1 currently"}]}})
    assert "deletionTimestamp" not in call(chain, "GET", pod_path(chain))[1]["metadata"]


def test_a_budget_whose_status_lags_its_generation_is_429_with_retry_after(chain):
    """A status the disruption controller computed for an older spec cannot allow anything yet."""
    running_pod(chain)
    budget(chain, allowed=1, observed_generation=0)
    code, status = evict(chain, eviction())
    assert (code, status["reason"], status["message"]) == (429, "TooManyRequests", VIOLATION)
    assert status["details"] == {"causes": [{"reason": "DisruptionBudget",
                                             "message": "The disruption budget budget is still being processed "
                                                        "by the server."}],
                                 "retryAfterSeconds": 10}


def test_a_pod_under_two_budgets_is_not_evicted(chain):
    """More than one budget is the eviction's own Failure Status (code 500, no reason), which
    createHandler sends with its 201 as it sends any Status the storage returns; the pod stays."""
    running_pod(chain)
    budget(chain, allowed=1)
    budget(chain, allowed=1, name="second")
    code, status = evict(chain, eviction())
    assert (code, status) == (201, {
        "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "code": 500,
        "message": "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support."})
    assert "deletionTimestamp" not in call(chain, "GET", pod_path(chain))[1]["metadata"]


@pytest.mark.parametrize("phase", ["Pending", "Succeeded", "Failed"])
def test_pods_that_are_not_running_bypass_the_budget(chain, phase):
    """canIgnorePDB: a pending or finished pod is evicted whatever the budget says, and the budget
    is left as it was."""
    running_pod(chain, phase=phase)
    budget(chain, allowed=0, current=1, desired=1)
    assert evict(chain, eviction()) == (201, SUCCESS)
    assert get_budget(chain)["status"]["disruptionsAllowed"] == 0
    assert call(chain, "GET", pod_path(chain))[0] == (200 if phase == "Pending" else 404)


def test_an_unready_pod_is_evicted_without_spending_the_budget_while_enough_are_healthy(chain):
    """A pod that is not ready does not count as healthy: while the budget has its desired healthy
    pods, evicting it spends no disruption."""
    running_pod(chain, ready=False)
    budget(chain, allowed=0, current=1, desired=1)
    assert evict(chain, eviction()) == (201, SUCCESS)
    assert "disruptedPods" not in get_budget(chain)["status"]
    assert "deletionTimestamp" in call(chain, "GET", pod_path(chain))[1]["metadata"]


def test_a_budget_with_an_empty_selector_covers_no_pod(chain):
    """A nil or empty selector matches nothing, not everything."""
    running_pod(chain)
    budget(chain, allowed=0, current=1, desired=1, selector={})
    assert evict(chain, eviction()) == (201, SUCCESS)



# --- the budget's status ---

def put_budget_status(chain, **status):
    pdb = budget(chain, allowed=1)
    return call(chain, "PUT", ns_path(chain, "poddisruptionbudgets", "budget", "policy/v1") + "/status",
                {**pdb, "status": {**pdb["status"], **status}})


@pytest.mark.parametrize("status,problem", [
    ({"disruptionsAllowed": "abc"}, "cannot unmarshal string into Go struct field"),
    ({"disruptedPods": "web"}, "cannot unmarshal string into Go struct field"),
    ({"conditions": "web"}, "cannot unmarshal string into Go struct field"),
], ids=["count", "disrupted", "conditions"])
def test_undecodable_budget_status_is_400(chain, status, problem):
    """A budget's status decodes into PodDisruptionBudgetStatus like any body: a count that is a
    string was stored, and every eviction under the budget then answered 500."""
    running_pod(chain)
    code, answer = put_budget_status(chain, **status)
    assert (code, answer["reason"]) == (400, "BadRequest")
    assert answer["message"].startswith('PodDisruptionBudget in version "v1" cannot be handled as a '
                                        f"PodDisruptionBudget: json: {problem}")
    assert evict(chain, eviction()) == (201, SUCCESS)


@pytest.mark.parametrize("status,message", [
    ({"disruptionsAllowed": -1}, "status.disruptionsAllowed: Invalid value: -1: must be greater than or equal to 0"),
    ({"currentHealthy": -1, "expectedPods": -2},
     "[status.currentHealthy: Invalid value: -1: must be greater than or equal to 0, "
     "status.expectedPods: Invalid value: -2: must be greater than or equal to 0]"),
    ({"conditions": [{"type": "DisruptionAllowed", "status": "Maybe", "reason": "Because",
                      "lastTransitionTime": "2023-11-14T22:13:20Z", "message": ""}]},
     'status.conditions[0].status: Unsupported value: "Maybe": supported values: "False", "True", "Unknown"'),
    ({"conditions": [{"type": "DisruptionAllowed", "status": "True", "reason": "",
                      "lastTransitionTime": "2023-11-14T22:13:20Z", "message": ""}]},
     "status.conditions[0].reason: Required value: must be set"),
], ids=["allowed", "counts", "condition-status", "condition-reason"])
def test_invalid_budget_status_is_422(chain, status, message):
    """ValidatePodDisruptionBudgetStatusUpdate: policy/v1 budget counts are never negative and the
    conditions are valid metav1.Conditions (a negative disruptionsAllowed made every eviction a 403)."""
    code, answer = put_budget_status(chain, **status)
    assert (code, answer["reason"]) == (422, "Invalid")
    assert answer["message"] == f'PodDisruptionBudget.policy "budget" is invalid: {message}'


def test_discovery_lists_pods_eviction_as_a_policy_v1_eviction(chain):
    resources = {r["name"]: r for r in call(chain, "GET", "/api/v1")[1]["resources"]}
    assert resources["pods/eviction"] == {"name": "pods/eviction", "singularName": "", "namespaced": True,
                                          "group": "policy", "version": "v1", "kind": "Eviction",
                                          "verbs": ["create"]}


# --- authorization ---

@pytest.mark.parametrize("rule,allowed", [
    ({"verbs": ["create"], "apiGroups": [""], "resources": ["pods/eviction"]}, True),
    ({"verbs": ["delete", "create"], "apiGroups": [""], "resources": ["pods"]}, False),
])
def test_evicting_is_create_on_pods_eviction(registry, rule, allowed):
    """RBAC sees an eviction as the `create` verb on `pods/eviction`: rights on pods themselves,
    even to delete them, do not cover it."""
    admin, bob = UserInfo("admin", groups=("system:masters",)), UserInfo("bob", groups=("system:authenticated",))
    tokens = TokenFileAuthenticator({"admin": admin, "bob": bob})
    chain = HandlerChain(registry, RequestAuthenticator([BearerTokenAuthenticator(tokens)]),
                         new_authorizer(RegistrySource(registry)), now=lambda: NOW)
    ns = "rbac-" + ("allowed" if allowed else "refused")
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": {"name": "evictor"},
            "rules": [rule]}
    binding = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "evictor"},
               "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "evictor"},
               "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "bob"}]}
    for path, body in (("/api/v1/namespaces", {"metadata": {"name": ns}}),
                       (f"/api/v1/namespaces/{ns}/pods", POD),
                       (f"/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/roles", role),
                       (f"/apis/rbac.authorization.k8s.io/v1/namespaces/{ns}/rolebindings", binding)):
        assert send(chain, "admin", path, body).code == 201
    response = send(chain, "bob", f"/api/v1/namespaces/{ns}/pods/web/eviction", eviction())
    if allowed:
        assert (response.code, json.loads(response.body)) == (201, SUCCESS)
        return
    assert response.code == 403
    assert json.loads(response.body)["message"] == (
        f'pods "web" is forbidden: User "bob" cannot create resource "pods/eviction" in API group "" '
        f'in the namespace "{ns}"')


def send(chain, token: str, path: str, body: dict):
    return chain.handle(Request("POST", path, {}, {"Authorization": f"Bearer {token}",
                                                   "Content-Type": "application/json"}, json.dumps(body).encode()))


@pytest.mark.parametrize("options,message", [
    ({"gracePeriodSeconds": "x"},
     "json: cannot unmarshal string into Go struct field DeleteOptions.deleteOptions.gracePeriodSeconds of type int64"),
    ({"preconditions": {"uid": 5}},
     "json: cannot unmarshal number into Go struct field Preconditions.deleteOptions.preconditions.uid of type "
     "types.UID"),
    ({"gracePeriodSeconds": -2 ** 63 - 1},
     "json: cannot unmarshal number -9223372036854775809 into Go struct field "
     "DeleteOptions.deleteOptions.gracePeriodSeconds of type int64"),
])
def test_an_evictions_delete_options_of_the_wrong_type_name_their_path_in_the_eviction(chain, options, message):
    """encoding/json's field path runs from the Eviction: deleteOptions comes first."""
    running_pod(chain)
    code, status = evict(chain, eviction(**options))
    assert (code, status["message"]) == (400, f'Eviction in version "v1" cannot be handled as a Eviction: {message}')


# What the real 1.24 server answered each (fixapi29b, /work/k8s-bin/kube-apiserver on etcd 3.4),
# for a pod that does not exist: the typed decode refuses the body before the pod is looked up.
WRONGLY_TYPED_METADATA = [
    ('{"name":"web","labels":"x"}', "string into Go struct field ObjectMeta.metadata.labels of type "
                                    "map[string]string"),
    ('{"name":"web","labels":{"a":1}}', "number into Go struct field ObjectMeta.metadata.labels of type string"),
    ('{"name":"web","labels":DEEP}', "object into Go struct field ObjectMeta.metadata.labels of type string"),
    ('{"name":"web","labels":{"a":DEEP}}', "object into Go struct field ObjectMeta.metadata.labels of type string"),
    ('{"name":"web","annotations":{"a":1}}', "number into Go struct field ObjectMeta.metadata.annotations of type "
                                             "string"),
    ('{"name":5}', "number into Go struct field ObjectMeta.metadata.name of type string"),
    ('{"name":"web","generation":"1"}', "string into Go struct field ObjectMeta.metadata.generation of type int64"),
    ("[]", "array into Go struct field Eviction.metadata of type v1.ObjectMeta"),
]


@pytest.mark.parametrize("metadata,message", WRONGLY_TYPED_METADATA,
                         ids=["labels-string", "label-number", "labels-5000-deep", "label-5000-deep",
                              "annotation-number", "name-number", "generation-string", "metadata-list"])
@pytest.mark.parametrize("api_version", ["policy/v1", "policy/v1beta1"])
def test_an_evictions_metadata_of_the_wrong_type_is_400_naming_its_path_in_the_eviction(chain, metadata, message,
                                                                                         api_version):
    """The Eviction's ObjectMeta is decoded with the rest of it: a value of the wrong JSON type is
    the decoder's 400, its field path starting at the Eviction's `metadata` field (as deep as 5,000
    levels, which the decoder skips after noting its type), before the pod is looked up."""
    body = ('{"apiVersion":"%s","kind":"Eviction","metadata":%s}'
            % (api_version, metadata.replace("DEEP", deep_object(5_000)))).encode()
    code, status = call(chain, "POST", ns_path(chain, "pods", "web") + "/eviction", body)
    version = api_version.partition("/")[2]
    assert (code, status["message"]) == (400, f'Eviction in version "{version}" cannot be handled as a Eviction: '
                                              f"json: cannot unmarshal {message}")


def test_the_first_wrongly_typed_field_of_an_eviction_is_the_one_reported(chain):
    """encoding/json notes the first value of the wrong type in the body's order (saveError), and
    goes on: metadata written before wrong deleteOptions is the one named, and after them is not."""
    metadata, options = b'"metadata":{"labels":"x"}', b'"deleteOptions":{"gracePeriodSeconds":"x"}'
    answers = []
    for first, second in ((metadata, options), (options, metadata)):
        body = b'{"apiVersion":"policy/v1","kind":"Eviction",' + first + b"," + second + b"}"
        code, status = call(chain, "POST", ns_path(chain, "pods", "web") + "/eviction", body)
        answers.append((code, status["message"].rpartition("Go struct field ")[2]))
    assert answers == [(400, "ObjectMeta.metadata.labels of type map[string]string"),
                       (400, "DeleteOptions.deleteOptions.gracePeriodSeconds of type int64")]


def test_metadata_written_again_as_null_keeps_the_first_metadata(chain):
    """ObjectMeta is a struct held by value: encoding/json ignores a null written into it, so the
    first metadata stays and the eviction goes on. The real 1.24 server answers this body, for a
    pod that does not exist, 404 pods "web" not found (not 400 for a name that does not match)."""
    body = b'{"apiVersion":"policy/v1","kind":"Eviction","metadata":{"name":"web"},"metadata":null}'
    code, status = call(chain, "POST", ns_path(chain, "pods", "web") + "/eviction", body)
    assert (code, status["message"]) == (404, 'pods "web" not found')
