"""metadata.managedFields on every write, and PATCH with application/apply-patch+yaml, through the
REST handlers, as kube-apiserver 1.24 answers them."""
from __future__ import annotations

import json

import pytest
import yaml

from reference_impl.apiserver.adapter.server import HandlerChain
from reference_impl.apiserver.core.admission import new_admission_chain
from reference_impl.apiserver.core.handlers import Request
from reference_impl.apiserver.core.lifecycle import rfc3339
from reference_impl.apiserver.fieldmanager import fieldmanager
from reference_impl.machinery.objects import deep_copy_json
from tests.reference.apiserver.test_handlers import DEPLOYMENT, NOW, call, chain, etcd, ns_path, registry  # noqa: F401

APPLY = "application/apply-patch+yaml"
USER_AGENT = "kubectl/v1.24.0 (linux/amd64) kubernetes/4ce5a89"


def send(chain, method: str, path: str, body=None, *, content_type: str = "application/json",
         query: dict | None = None, user_agent: str = USER_AGENT):
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    headers = {"Accept": "application/json", "Content-Type": content_type, "User-Agent": user_agent}
    response = chain.handle(Request(method, path, {k: [v] for k, v in (query or {}).items()}, headers, raw))
    return response.code, json.loads(response.body)


def deployment_path(chain, name: str = "") -> str:
    return ns_path(chain, "deployments", name, "apps/v1")


def managers(obj: dict) -> list[tuple]:
    return [(e["manager"], e["operation"], e["apiVersion"], e.get("subresource", ""))
            for e in obj["metadata"].get("managedFields", [])]


# --- Update entries ---

def test_a_create_records_the_user_agents_manager_and_the_time(chain):
    """Without ?fieldManager the manager is the User-Agent's first token."""
    code, created = send(chain, "POST", deployment_path(chain), DEPLOYMENT)
    assert code == 201, created
    [entry] = created["metadata"]["managedFields"]
    assert (entry["manager"], entry["operation"], entry["apiVersion"]) == ("kubectl", "Update", "apps/v1")
    assert entry["time"] == rfc3339(NOW + 90) and entry["fieldsType"] == "FieldsV1"
    assert "f:replicas" in entry["fieldsV1"]["f:spec"]
    stored = call(chain, "GET", deployment_path(chain, "web"))[1]
    assert stored["metadata"]["managedFields"] == created["metadata"]["managedFields"]


def test_update_and_patch_record_their_own_managers(chain):
    send(chain, "POST", deployment_path(chain), DEPLOYMENT, query={"fieldManager": "creator"})
    live = call(chain, "GET", deployment_path(chain, "web"))[1]
    code, updated = send(chain, "PUT", deployment_path(chain, "web"), {**live, "spec": {**live["spec"], "replicas": 3}},
                         query={"fieldManager": "updater"})
    assert code == 200, updated
    code, patched = send(chain, "PATCH", deployment_path(chain, "web"), {"metadata": {"labels": {"x": "y"}}},
                         content_type="application/merge-patch+json", user_agent="patcher/1.0")
    assert code == 200, patched
    fields = {e["manager"]: e["fieldsV1"] for e in patched["metadata"]["managedFields"]}
    assert fields["updater"] == {"f:spec": {"f:replicas": {}}}
    assert fields["patcher"] == {"f:metadata": {"f:labels": {".": {}, "f:x": {}}}}
    assert "f:replicas" not in fields["creator"]["f:spec"]


def test_a_status_update_records_the_status_subresource(chain):
    send(chain, "POST", deployment_path(chain), DEPLOYMENT)
    live = call(chain, "GET", deployment_path(chain, "web"))[1]
    code, updated = send(chain, "PUT", deployment_path(chain, "web") + "/status",
                         {**live, "status": {"replicas": 2}}, user_agent="kube-controller-manager/v1.24.0")
    assert code == 200, updated
    assert ("kube-controller-manager", "Update", "apps/v1", "status") in managers(updated)


@pytest.mark.parametrize("content_type", ["application/json-patch+json", "application/merge-patch+json",
                                          "application/strategic-merge-patch+json"])
def test_a_patch_hands_its_patched_copy_to_the_field_manager(chain, monkeypatch, content_type):
    """Each patcher patches a copy of its own, so the field manager writes the managedFields into
    it as Go's Update writes them into newObj rather than into a copy of the whole object (a
    kubelet's status patch copies the pod once less); the entries it records are the same."""
    name = content_type.split("/")[1].split("+")[0]  # the chain's namespace is the same for each
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name},
           "spec": {"containers": [{"name": "c", "image": "pause"}]}}
    assert send(chain, "POST", ns_path(chain, "pods"), pod)[0] == 201
    copies = []
    monkeypatch.setattr(fieldmanager, "deep_copy_json", lambda value: copies.append(value) or deep_copy_json(value))
    body = ([{"op": "add", "path": "/status/phase", "value": "Running"}] if content_type.startswith("application/json")
            else {"status": {"phase": "Running"}})
    code, patched = send(chain, "PATCH", ns_path(chain, "pods", name) + "/status", body, content_type=content_type,
                         user_agent="kubelet/v1.24.0")
    assert code == 200, patched
    assert patched["status"]["phase"] == "Running"
    assert managers(patched)[-1] == ("kubelet", "Update", "v1", "status")
    assert not [copy for copy in copies if isinstance(copy, dict) and "managedFields" in copy.get("metadata", {})]


def test_a_scale_write_takes_replicas_for_its_manager_with_the_scale_subresource(chain):
    """ScaleHandler: the Scale's manager owns the parent's .spec.replicas, recorded in the
    parent's apiVersion with subresource scale (and no time, as upstream records it)."""
    send(chain, "POST", deployment_path(chain), DEPLOYMENT, query={"fieldManager": "creator"})
    code, scale = send(chain, "PATCH", deployment_path(chain, "web") + "/scale", {"spec": {"replicas": 5}},
                       content_type="application/merge-patch+json")
    assert code == 200 and scale["spec"]["replicas"] == 5
    stored = call(chain, "GET", deployment_path(chain, "web"))[1]
    entries = {e["manager"]: e for e in stored["metadata"]["managedFields"]}
    assert entries["kubectl"] == {"manager": "kubectl", "operation": "Update", "apiVersion": "apps/v1",
                                  "fieldsType": "FieldsV1", "fieldsV1": {"f:spec": {"f:replicas": {}}},
                                  "subresource": "scale"}
    assert "f:replicas" not in entries["creator"]["fieldsV1"]["f:spec"]


def test_a_field_manager_past_128_bytes_is_422(chain):
    code, status = send(chain, "POST", deployment_path(chain), DEPLOYMENT, query={"fieldManager": "m" * 129})
    assert (code, status["message"]) == (422, 'CreateOptions.meta.k8s.io "" is invalid: fieldManager: Too long: '
                                              "must have at most 128 bytes")


# --- Apply ---

def test_apply_creates_a_missing_object_with_201(chain):
    code, created = send(chain, "PATCH", deployment_path(chain, "web"), yaml.safe_dump(DEPLOYMENT).encode(),
                         content_type=APPLY, query={"fieldManager": "kubectl"})
    assert code == 201, created
    assert managers(created) == [("kubectl", "Apply", "apps/v1", "")]
    assert created["metadata"]["uid"] and created["spec"]["strategy"]["type"] == "RollingUpdate"


def test_an_apply_that_would_create_may_not_name_a_uid(chain):
    """patcher.applyPatch: an apply that finds no object, whose object names a uid, is a 409 uid
    mismatch (before its name is checked against the path), and nothing is created."""
    body = {**DEPLOYMENT, "metadata": {"name": "other", "uid": "u-1"}}
    code, status = send(chain, "PATCH", deployment_path(chain, "web"), body, content_type=APPLY,
                        query={"fieldManager": "kubectl"})
    assert (code, status["reason"], status["message"]) == (
        409, "Conflict", 'Operation cannot be fulfilled on deployments.apps "web": uid mismatch: the provided '
                         "object specified uid u-1, and no existing object was found")
    assert send(chain, "GET", deployment_path(chain, "web"))[0] == 404


def test_a_list_item_that_omits_its_key_is_keyed_by_the_keys_zero_value(chain):
    """1.24's field manager schema gives a key field without omitempty openapi-gen's zero default
    (Container.name "", ContainerPort.containerPort 0): an apply whose container has no name is
    merged as the container named "", which validation then refuses, not the typed patch."""
    send(chain, "PATCH", deployment_path(chain, "web"), DEPLOYMENT, content_type=APPLY, query={"fieldManager": "a"})
    nameless = {**DEPLOYMENT, "spec": {**DEPLOYMENT["spec"], "template": {**DEPLOYMENT["spec"]["template"], "spec": {
        "containers": [{"image": "x", "ports": [{"name": "p"}]}]}}}}
    code, status = send(chain, "PATCH", deployment_path(chain, "web"), nameless, content_type=APPLY,
                        query={"fieldManager": "b"})
    assert (code, status["reason"]) == (422, "Invalid"), status
    assert status["message"] == ('Deployment.apps "web" is invalid: [spec.template.spec.containers[1].name: Required '
                                 "value, spec.template.spec.containers[1].ports[0].containerPort: Required value]")


@pytest.mark.parametrize("field,value,problem", [
    (("metadata", "creationTimestamp"), "bogus",
     'parsing time "bogus" as "2006-01-02T15:04:05Z07:00": cannot parse "bogus" as "2006"'),
    (("spec", "template", "spec", "containers", 0, "resources"), {"limits": {"cpu": "bogus"}},
     "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),
])
def test_an_applied_object_the_kind_cannot_hold_is_refused_in_the_converters_words(chain, field, value, problem):
    """structuredMergeManager.Apply types the merged object, then converts it back into the kind:
    a value that types (a string) but does not convert is upstream's 'failed to convert new object'
    (a plain 500 there, the client's 400 here), naming the applied object and the kind."""
    body = json.loads(json.dumps(DEPLOYMENT))
    parent = body
    for step in field[:-1]:
        parent = parent[step]
    parent[field[-1]] = value
    code, status = send(chain, "PATCH", deployment_path(chain, "web"), body, content_type=APPLY,
                        query={"fieldManager": "kubectl"})
    assert (code, status["message"]) == (400, "failed to convert new object (/web; apps/v1, Kind=Deployment) to proper "
                                              "version: unable to convert unstructured object to apps/v1, "
                                              f"Kind=Deployment: {problem}")


def test_apply_updates_what_it_applies_and_keeps_the_rest(chain):
    send(chain, "PATCH", deployment_path(chain, "web"), DEPLOYMENT, content_type=APPLY,
         query={"fieldManager": "kubectl"})
    changed = {**DEPLOYMENT, "spec": {**DEPLOYMENT["spec"], "replicas": 4}}
    code, applied = send(chain, "PATCH", deployment_path(chain, "web"), changed, content_type=APPLY,
                         query={"fieldManager": "kubectl"})
    assert code == 200, applied
    assert applied["spec"]["replicas"] == 4 and applied["metadata"]["generation"] == 2
    assert applied["spec"]["template"]["spec"]["containers"][0]["env"] == [{"name": "A", "value": "1"}]


def test_apply_conflicts_with_the_scale_subresource_unless_forced(chain):
    """A `kubectl scale` takes .spec.replicas; re-applying another count is a 409 naming it, and
    force=true takes the field back."""
    send(chain, "PATCH", deployment_path(chain, "web"), DEPLOYMENT, content_type=APPLY,
         query={"fieldManager": "kubectl"})
    code, scaled = send(chain, "PATCH", deployment_path(chain, "web") + "/scale", {"spec": {"replicas": 5}},
                        content_type="application/merge-patch+json")
    assert code == 200, scaled
    assert ("kubectl", "Update", "apps/v1", "scale") in managers(call(chain, "GET", deployment_path(chain, "web"))[1])
    code, status = send(chain, "PATCH", deployment_path(chain, "web"), DEPLOYMENT, content_type=APPLY,
                        query={"fieldManager": "kubectl"})
    assert code == 409, status
    assert status["reason"] == "Conflict"
    assert status["message"] == ('Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" '
                                 "using apps/v1: .spec.replicas")
    assert status["details"] == {"causes": [{"reason": "FieldManagerConflict", "message":
                                             'conflict with "kubectl" with subresource "scale" using apps/v1',
                                             "field": ".spec.replicas"}]}
    code, forced = send(chain, "PATCH", deployment_path(chain, "web"), DEPLOYMENT, content_type=APPLY,
                        query={"fieldManager": "kubectl", "force": "true"})
    assert code == 200 and forced["spec"]["replicas"] == 2
    assert managers(forced) == [("kubectl", "Apply", "apps/v1", "")]


def test_apply_without_a_field_manager_is_422(chain):
    code, status = send(chain, "PATCH", deployment_path(chain, "web"), DEPLOYMENT, content_type=APPLY)
    assert (code, status["message"]) == (422, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: '
                                              "is required for apply patch")


def test_force_is_refused_on_other_patches(chain):
    send(chain, "POST", deployment_path(chain), DEPLOYMENT)
    code, status = send(chain, "PATCH", deployment_path(chain, "web"), {}, content_type="application/merge-patch+json",
                        query={"force": "true"})
    assert (code, status["message"]) == (422, 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be '
                                              "specified for non-apply patch")


def test_an_apply_body_that_is_no_yaml_is_400_in_go_yamls_words(chain):
    """sigs.k8s.io/yaml's conversion fails with go-yaml's error, which the applier wraps."""
    code, status = send(chain, "PATCH", deployment_path(chain, "web"), b"{", content_type=APPLY,
                        query={"fieldManager": "kubectl"})
    assert (code, status["reason"], status["message"]) == (
        400, "BadRequest", "error decoding YAML: error converting YAML to JSON: yaml: line 1: did not find expected "
                           "node content")


def test_an_apply_to_the_status_of_a_missing_service_creates_it(chain):
    """A service's status strategy embeds the service's, which creates on update, so Store.Update
    creates through the status subresource too (real 1.24: 201, and a GET then finds it)."""
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s1"}, "spec": {"ports": [{"port": 80}]}}
    path = ns_path(chain, "services", "s1")
    code, created = send(chain, "PATCH", path + "/status", service, content_type=APPLY, query={"fieldManager": "m"})
    assert (code, created["kind"], created["spec"]["ports"][0]["port"]) == (201, "Service", 80)
    assert send(chain, "GET", path)[0] == 200


def test_an_apply_to_the_status_of_a_missing_service_decodes_its_body_before_the_404(chain):
    """A service's status strategy creates on update, so Store.Update runs the applier on the
    missing object: a body that is no object is its 400, as the real 1.24 server answers, not a 404."""
    code, status = send(chain, "PATCH", ns_path(chain, "services", "absent") + "/status", b"- 1", content_type=APPLY,
                        query={"fieldManager": "m"})
    assert (code, status["message"]) == (400, "error decoding YAML: error unmarshaling JSON: while decoding JSON: "
                                              "json: cannot unmarshal array into Go value of type "
                                              "map[string]interface {}")


def test_an_apply_body_that_is_no_yaml_object_is_400(chain):
    code, status = send(chain, "PATCH", deployment_path(chain, "web"), b"[1, 2]", content_type=APPLY,
                        query={"fieldManager": "kubectl"})
    assert (code, status["message"]) == (400, "error decoding YAML: error unmarshaling JSON: while decoding JSON: "
                                              "json: cannot unmarshal array into Go value of type "
                                              "map[string]interface {}")


def test_an_apply_with_duplicate_list_keys_is_400_not_500(chain):
    """Two env entries of one name cannot be typed: upstream 1.24's plain error (a 500, a bug it
    since fixed as kubernetes#139253) is a 400 here, with upstream's message."""
    container = {"name": "app", "image": "nginx", "env": [{"name": "foo", "value": "x"}, {"name": "foo", "value": "y"}]}
    body = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "dup-env"},
            "spec": {"selector": {"matchLabels": {"app": "d"}}, "template": {
                "metadata": {"labels": {"app": "d"}}, "spec": {"containers": [container]}}}}
    code, status = send(chain, "PATCH", deployment_path(chain, "dup-env"), body, content_type=APPLY,
                        query={"fieldManager": "kubectl"})
    assert (code, status["reason"]) == (400, "BadRequest"), status
    assert status["message"].startswith("failed to create typed patch object"), status


@pytest.mark.parametrize("kind,shown", [(None, ""), ("Bogus", "Bogus"), ({"a": 1}, ""), ([1], ""), (1, "")])
def test_an_apply_of_no_kind_the_type_converter_knows_is_400(chain, kind, shown):
    """structuredMergeManager.Apply types the applied configuration by its own group, version and
    kind: one with no kind, or a kind the group/version has no type for, has no type; a kind that
    is no string is none (Unstructured's GetKind). Upstream's plain error (a 500) is a 400 here,
    with its message (the real 1.24 server's)."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "c"}})
    body = {"apiVersion": "v1", "metadata": {"name": "c"}, **({"kind": kind} if kind else {})}
    code, status = send(chain, "PATCH", ns_path(chain, "configmaps", "c"), body, content_type=APPLY,
                        query={"fieldManager": "a", "dryRun": "All"})
    assert (code, status["reason"], status["message"]) == (400, "BadRequest", (
        f"failed to create typed patch object (/c; /v1, Kind={shown}): no corresponding type for /v1, Kind={shown}"))


@pytest.mark.parametrize("name, kind", [("c", "Secret"), ("c", "Namespace"), ("absent", "Pod")])
def test_an_apply_of_another_kind_of_the_group_version_does_not_merge(chain, name, kind):
    """A kind the group/version has types for, but not the object's: the live value and the
    configuration are typed differently and do not merge, an object to create included. The real
    1.24 server's plain error (a 500) prints the two typed values' addresses; a 400 here, its words
    with one address for both."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "c"}})
    body = {"apiVersion": "v1", "kind": kind, "metadata": {"name": name}}
    code, status = send(chain, "PATCH", ns_path(chain, "configmaps", name), body, content_type=APPLY,
                        query={"fieldManager": "a", "dryRun": "All"})
    assert (code, status["message"]) == (400, "failed to merge config: expected objects of the same type, but got "
                                              "{0xc000000000 {<nil> <nil> <nil>}} and {0xc000000000 {<nil> <nil> <nil>}}")


@pytest.mark.parametrize("extra,path", [
    ({"x": 1}, ".x"),
    ({"metadata": {"name": "c", "bogus": 1}}, ".metadata.bogus"),
    ({"data": {"k": "v"}, "metadata": {"name": "c", "ownerReferences": [
        {"apiVersion": "v1", "kind": "Pod", "name": "p", "uid": "u", "bogus": 1}]}},
     '.metadata.ownerReferences[uid="u"].bogus'),
])
def test_an_apply_setting_a_field_the_kind_does_not_declare_is_400(chain, extra, path):
    """structuredMergeManager.Apply types the applied configuration against the kind's schema: a
    field it does not declare does not type. Upstream's plain error (a 500) is a 400 here, with
    its message."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "c"}})
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, **extra}
    code, status = send(chain, "PATCH", ns_path(chain, "configmaps", "c"), body, content_type=APPLY,
                        query={"fieldManager": "a", "dryRun": "All"})
    assert (code, status["reason"], status["message"]) == (400, "BadRequest", (
        f"failed to create typed patch object (/c; /v1, Kind=ConfigMap): {path}: field not declared in schema"))


@pytest.mark.parametrize("extra,problem", [
    ({"metadata": {"name": "c", "labels": {"a": 1}}}, ".metadata.labels.a: expected string, got &value.valueUnstructured{Value:1}"),
    ({"metadata": {"name": "c", "labels": [1]}}, ".metadata.labels: expected map, got &{[1]}"),
    ({"metadata": {"name": "c", "labels": [1234567.5]}}, ".metadata.labels: expected map, got &{[1.2345675e+06]}"),
    ({"metadata": {"name": "c", "annotations": {"a": 1.5}}},
     ".metadata.annotations.a: expected string, got &value.valueUnstructured{Value:1.5}"),
    ({"metadata": {"name": "c", "annotations": {"a": 10**29 + 1}}},
     ".metadata.annotations.a: expected string, got &value.valueUnstructured{Value:1e+29}"),
    ({"metadata": {"name": "c", "finalizers": "a"}}, ".metadata.finalizers: expected list, got &{a}"),
    ({"metadata": {"name": "c", "finalizers": ["a/b", 1]}},
     ".metadata.finalizers[=1]: expected string, got &value.valueUnstructured{Value:1}"),
    ({"metadata": {"name": "c", "managedFields": "x"}}, ".metadata.managedFields: expected list, got &{x}"),
    ({"immutable": "yes"}, ".immutable: expected boolean, got &{yes}"),
    ({"data": ["a", {"b": True}]}, ".data: expected map, got &{[a map[b:true]]}"),
    ({"data": {"k": ["a", 1.5, True, {"b": "c"}]}}, '.data.k: expected string, got &value.valueUnstructured{'
     'Value:[]interface {}{"a", 1.5, true, map[string]interface {}{"b":"c"}}}'),
    ({"metadata": {"name": "c", "labels": {"a": 1, "b": True}}}, "errors:\n  "
     ".metadata.labels.a: expected string, got &value.valueUnstructured{Value:1}\n  "
     ".metadata.labels.b: expected string, got &value.valueUnstructured{Value:true}"),
])
def test_an_apply_with_a_value_of_another_type_than_its_field_is_400(chain, extra, problem):
    """Typing the applied configuration checks each value against its field's type (map, list,
    string, number, boolean), in structured-merge-diff's words, every problem listed (checked
    against kube-apiserver 1.24). Upstream's plain error (a 500) is a 400 here, as for the others."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "c"}})
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c"}, **extra}
    code, status = send(chain, "PATCH", ns_path(chain, "configmaps", "c"), body, content_type=APPLY,
                        query={"fieldManager": "a", "dryRun": "All"})
    assert (code, status["reason"], status["message"]) == (
        400, "BadRequest", f"failed to create typed patch object (/c; /v1, Kind=ConfigMap): {problem}")


def test_an_applied_quantity_may_be_a_number(chain):
    """A Quantity is untyped to structured-merge-diff: `cpu: 1` types (and is a quantity)."""
    body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "q"}, "spec": {"containers": [
        {"name": "c", "image": "x", "resources": {"limits": {"cpu": 1}}}]}}
    code, status = send(chain, "PATCH", ns_path(chain, "pods", "q"), body, content_type=APPLY,
                        query={"fieldManager": "a", "dryRun": "All"})
    assert code == 201, status


def test_an_apply_naming_another_object_is_400(chain):
    code, status = send(chain, "PATCH", deployment_path(chain, "other"), DEPLOYMENT, content_type=APPLY,
                        query={"fieldManager": "kubectl"})
    assert (code, status["message"]) == (400, "the name of the object (web) does not match the name on the URL "
                                              "(other)")


def test_a_dry_run_apply_stores_nothing(chain):
    code, created = send(chain, "PATCH", deployment_path(chain, "web"), DEPLOYMENT, content_type=APPLY,
                         query={"fieldManager": "kubectl", "dryRun": "All"})
    assert code == 201 and managers(created) == [("kubectl", "Apply", "apps/v1", "")]
    assert call(chain, "GET", deployment_path(chain, "web"))[0] == 404


def test_reapplying_the_same_configuration_writes_nothing(chain):
    """An apply that changes no field and no owner leaves the stored object, and its
    resourceVersion, as they were."""
    first = send(chain, "PATCH", deployment_path(chain, "web"), DEPLOYMENT, content_type=APPLY,
                 query={"fieldManager": "kubectl"})[1]
    code, again = send(chain, "PATCH", deployment_path(chain, "web"), DEPLOYMENT, content_type=APPLY,
                       query={"fieldManager": "kubectl"})
    assert code == 200 and again["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]


def test_what_mutating_admission_adds_on_update_belongs_to_no_manager(registry, chain):
    """UpdateResource runs the field manager before mutating admission: the tolerations
    DefaultTolerationSeconds adds to a pod on update are not the updating manager's."""
    admitted = HandlerChain(registry, admission=new_admission_chain(registry), now=lambda: NOW + 90)
    code, live = send(chain, "POST", ns_path(chain, "pods"), {  # `chain` admits nothing: no tolerations yet
        "apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
        "spec": {"containers": [{"name": "c", "image": "nginx"}]}}, query={"fieldManager": "creator"})
    assert code == 201, live
    code, updated = send(admitted, "PUT", ns_path(chain, "pods", "web"), live, query={"fieldManager": "updater"})
    assert code == 200, updated
    assert [t["key"] for t in updated["spec"]["tolerations"]] == ["node.kubernetes.io/not-ready",
                                                                  "node.kubernetes.io/unreachable"]
    assert "updater" not in [e["manager"] for e in updated["metadata"].get("managedFields", [])]


def test_metadata_that_is_no_object_is_400_on_apply_and_422_on_a_merge_patch(chain):
    """An applied configuration or merge patch whose metadata is a number, a string or a list is
    the client's mistake, where the field manager met it as an object (500): 400 for the apply, and
    jsonPatcher's 422 for the merge patch whose result does not decode."""
    name = "meta-kinds"
    assert send(chain, "PATCH", deployment_path(chain, name), DEPLOYMENT | {"metadata": {"name": name}},
                content_type=APPLY, query={"fieldManager": "kubectl"})[0] == 201
    for metadata in (1.5, "x", [], True):
        body = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": metadata}
        code, status = send(chain, "PATCH", deployment_path(chain, name), body, content_type=APPLY,
                            query={"fieldManager": "kubectl"})
        assert (code, status["reason"]) == (400, "BadRequest"), status
        assert ".metadata: expected map" in status["message"], status
        code, status = send(chain, "PATCH", deployment_path(chain, name), {"metadata": metadata},
                            content_type="application/merge-patch+json")
        assert (code, status["reason"]) == (422, "Invalid"), status


def test_an_applied_null_metadata_is_no_500(chain):
    """`metadata: null` in an applied configuration names no object: the name check refuses it."""
    body = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": None, "spec": DEPLOYMENT["spec"]}
    code, status = send(chain, "PATCH", deployment_path(chain, "null-meta"), body, content_type=APPLY,
                        query={"fieldManager": "kubectl"})
    assert code == 400 and status["reason"] == "BadRequest", status


def test_a_pods_node_selector_is_atomic_and_its_spread_constraints_keyed_on_key_and_action(chain):
    """PodSpec's nodeSelector is `+mapType=atomic` (one field, no per-label entries) and its
    topologySpreadConstraints a map list keyed on topologyKey and whenUnsatisfiable, as the real
    1.24 server records them."""
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "spread"}, "spec": {
        "containers": [{"name": "c", "image": "i"}], "nodeSelector": {"zone": "a"},
        "topologySpreadConstraints": [{"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule"}]}}
    code, applied = send(chain, "PATCH", ns_path(chain, "pods", "spread"), pod, content_type=APPLY,
                         query={"fieldManager": "me"})
    assert code == 201, applied
    spec = applied["metadata"]["managedFields"][0]["fieldsV1"]["f:spec"]
    assert spec["f:nodeSelector"] == {}
    assert spec["f:topologySpreadConstraints"] == {'k:{"topologyKey":"zone","whenUnsatisfiable":"DoNotSchedule"}': {
        ".": {}, "f:maxSkew": {}, "f:topologyKey": {}, "f:whenUnsatisfiable": {}}}


# What the real 1.24 server records for an apply of each object by manager "me": a struct or map
# marked `x-kubernetes-map-type: atomic` (and a list marked atomic) is one field, nothing below it.
ATOMIC_APPLIES = [
    ("pods", "", {"apiVersion": "v1", "kind": "Pod", "metadata": {
        "name": "refs", "ownerReferences": [{"apiVersion": "v1", "kind": "ConfigMap", "name": "cm", "uid": "0-1"}]},
        "spec": {"containers": [{"name": "c", "image": "i"}], "imagePullSecrets": [{"name": "s1"}],
                 "volumes": [{"name": "v", "csi": {"driver": "d", "nodePublishSecretRef": {"name": "s2"}}}]}},
     {"f:metadata": {"f:ownerReferences": {'k:{"uid":"0-1"}': {}}},
      "f:spec": {"f:containers": {'k:{"name":"c"}': {".": {}, "f:image": {}, "f:name": {}}},
                 "f:imagePullSecrets": {'k:{"name":"s1"}': {}},
                 "f:volumes": {'k:{"name":"v"}': {".": {}, "f:csi": {"f:driver": {}, "f:nodePublishSecretRef": {}},
                                                   "f:name": {}}}}}),
    ("rolebindings", "rbac.authorization.k8s.io/v1", {
        "apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "rb"},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "r"},
        "subjects": [{"kind": "User", "name": "alice", "apiGroup": "rbac.authorization.k8s.io"}]},
     {"f:roleRef": {}, "f:subjects": {}}),
    ("resourcequotas", "", {"apiVersion": "v1", "kind": "ResourceQuota", "metadata": {"name": "rq"}, "spec": {
        "hard": {"pods": "2"},
        "scopeSelector": {"matchExpressions": [{"scopeName": "PriorityClass", "operator": "In", "values": ["high"]}]}}},
     {"f:spec": {"f:hard": {"f:pods": {}}, "f:scopeSelector": {}}}),
    ("horizontalpodautoscalers", "autoscaling/v1", {
        "apiVersion": "autoscaling/v1", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "h1"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "maxReplicas": 3}},
     {"f:spec": {"f:maxReplicas": {}, "f:scaleTargetRef": {}}}),
    ("horizontalpodautoscalers", "autoscaling/v2", {
        "apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "h2"},
        "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "maxReplicas": 3}},
     {"f:spec": {"f:maxReplicas": {}, "f:scaleTargetRef": {"f:apiVersion": {}, "f:kind": {}, "f:name": {}}}}),
    ("replicationcontrollers", "", {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "rc"},
                                    "spec": {"selector": {"app": "a"}, "template": {
                                        "metadata": {"labels": {"app": "a"}},
                                        "spec": {"containers": [{"name": "c", "image": "i"}]}}}},
     {"f:spec": {"f:selector": {}, "f:template": {"f:metadata": {"f:labels": {"f:app": {}}}, "f:spec": {
         "f:containers": {'k:{"name":"c"}': {".": {}, "f:image": {}, "f:name": {}}}}}}}),
    ("services", "", {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc"},
                      "spec": {"selector": {"app": "a"}, "ports": [{"port": 80}]}},
     {"f:spec": {"f:ports": {'k:{"port":80,"protocol":"TCP"}': {".": {}, "f:port": {}}}, "f:selector": {}}}),
]


@pytest.mark.parametrize("plural,group_version,body,fields", ATOMIC_APPLIES,
                         ids=[f"{body['kind']}-{body['metadata']['name']}" for _, _, body, _ in ATOMIC_APPLIES])
def test_atomic_structs_and_maps_are_owned_as_one_field(chain, plural, group_version, body, fields):
    """OwnerReference, LocalObjectReference, RoleRef, Subject, ScopeSelector and autoscaling/v1's
    CrossVersionObjectReference are `+structType=atomic`, a ReplicationController's and a Service's
    selector `+mapType=atomic`: the applier owns each as a whole, as the real 1.24 server records
    (autoscaling/v2's CrossVersionObjectReference is no atomic struct: its fields are owned one by one)."""
    code, applied = send(chain, "PATCH", ns_path(chain, plural, body["metadata"]["name"], group_version), body,
                         content_type=APPLY, query={"fieldManager": "me"})
    assert code == 201, applied
    [entry] = applied["metadata"]["managedFields"]
    assert entry["fieldsV1"] == fields


def test_a_second_manager_applying_another_service_selector_conflicts_on_the_whole_selector(chain):
    """An atomic map is not merged label by label: another value for it conflicts with its owner."""
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "svc"},
               "spec": {"selector": {"app": "a"}, "ports": [{"port": 80}]}}
    path = ns_path(chain, "services", "svc")
    assert send(chain, "PATCH", path, service, content_type=APPLY, query={"fieldManager": "me"})[0] == 201
    other = {**service, "spec": {"selector": {"b": "c"}}}
    code, status = send(chain, "PATCH", path, other, content_type=APPLY, query={"fieldManager": "other"})
    assert code == 409, status
    assert status["message"] == 'Apply failed with 1 conflict: conflict with "me": .spec.selector'


def test_job_status_conditions_are_atomic_and_uncounted_pods_are_sets(chain):
    """JobStatus.conditions is `+listType=atomic` (despite its merge key) and the lists of
    uncountedTerminatedPods `+listType=set`: a second manager adds its uids beside the first's."""
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "spec": {"template": {"spec": {
        "restartPolicy": "Never", "containers": [{"name": "c", "image": "i"}]}}}}
    path = ns_path(chain, "jobs", "j", "batch/v1")
    assert send(chain, "PATCH", path, job, content_type=APPLY, query={"fieldManager": "me"})[0] == 201
    status = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "status": {
        "conditions": [{"type": "Failed", "status": "True", "lastProbeTime": "2026-12-05T10:00:00Z",
                        "lastTransitionTime": "2026-12-05T10:00:00Z"}],
        "uncountedTerminatedPods": {"succeeded": ["a1", "a2"], "failed": ["b1"]}}}
    code, applied = send(chain, "PATCH", path + "/status", status, content_type=APPLY, query={"fieldManager": "st"})
    assert code == 200, applied
    fields = {e["manager"]: e["fieldsV1"] for e in applied["metadata"]["managedFields"]}
    assert fields["st"] == {"f:status": {"f:conditions": {}, "f:uncountedTerminatedPods": {
        "f:failed": {'v:"b1"': {}}, "f:succeeded": {'v:"a1"': {}, 'v:"a2"': {}}}}}
    more = {**status, "status": {"uncountedTerminatedPods": {"succeeded": ["a3"]}}}
    code, applied = send(chain, "PATCH", path + "/status", more, content_type=APPLY, query={"fieldManager": "other"})
    assert code == 200, applied
    assert applied["status"]["uncountedTerminatedPods"] == {"failed": ["b1"], "succeeded": ["a1", "a2", "a3"]}


def test_an_apply_that_loses_its_create_to_another_client_applies_to_that_object(registry, chain):
    """GuaranteedUpdate creates with a ModRevision==0 transaction; when another client created the
    object between the apply finding none and writing it, the loop runs again on the object it
    got back: the apply merges into it (200), never a 409 AlreadyExists (real 1.24: 12 managers
    applying their own keys to one new configmap at once, one 201 and eleven 200)."""
    path = ns_path(chain, "configmaps", "raced")
    create, rival = registry.create, {"metadata": {"name": "raced", "namespace": chain.namespace}, "data": {"b": "2"}}

    def create_after_a_rival(resource, namespace, obj, **kwargs):
        registry.create = create  # only the first create loses
        create(resource, namespace, rival)
        return create(resource, namespace, obj, **kwargs)

    registry.create = create_after_a_rival
    applied = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "raced"}, "data": {"a": "1"}}
    code, body = send(chain, "PATCH", path, applied, content_type=APPLY, query={"fieldManager": "second"})
    assert code == 200, body
    assert body["data"] == {"a": "1", "b": "2"}
    assert "second" in [manager for manager, *_ in managers(body)]
