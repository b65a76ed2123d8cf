"""The field manager (reference_impl/apiserver/fieldmanager), one rule per test, against what
k8s.io/apiserver's fieldmanager and structured-merge-diff v4 write into metadata.managedFields."""
from __future__ import annotations

import dataclasses
import json
import random

import pytest

from reference_impl.apiserver import kinds
from reference_impl.apiserver.core import crdopenapi
from reference_impl.apiserver.core.errors import StatusError
from reference_impl.apiserver.fieldmanager import FieldManager, fieldmanager, manager_or_user_agent, typed, updater
from reference_impl.apiserver.fieldmanager.fieldpath import (FieldPathError, PathElement, decode_fields_v1,
                                                             encode_fields_v1, path_string)

T1, T2, T3 = "2026-12-05T10:00:00Z", "2026-12-05T10:01:00Z", "2026-12-05T10:02:00Z"
DEPLOYMENT = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "web", "labels": {"app": "web"}},
              "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                       "template": {"metadata": {"labels": {"app": "web"}},
                                    "spec": {"containers": [{"name": "nginx", "image": "nginx:1.21"}]}}}}


def deployments(subresource: str = "") -> FieldManager:
    return FieldManager.for_resource(kinds.by_plural("deployments"), subresource)


def stored(obj: dict, uid: str = "u1") -> dict:
    """What the registry would hold: a uid, and the kind's defaults."""
    obj = {**obj, "metadata": {**obj["metadata"], "uid": uid}}
    kinds.set_object_defaults(obj["kind"], obj)
    return obj


def entries(obj: dict) -> dict:
    return {(e["manager"], e["operation"], e.get("subresource", "")): e for e in obj["metadata"]["managedFields"]}


# --- fieldsV1 ---

def test_fields_v1_round_trip_marks_members_that_have_children_with_a_dot():
    """A member with children carries `.`; key, value and index elements keep their prefixes."""
    tree = {"f:metadata": {"f:labels": {".": {}, "f:app": {}}},
            "f:spec": {"f:containers": {'k:{"name":"nginx"}': {".": {}, "f:image": {}}},
                       "f:finalizers": {'v:"a"': {}}, "f:args": {"i:0": {}}}}
    assert encode_fields_v1(decode_fields_v1(tree)) == tree


def test_fields_v1_keys_are_ordered_as_path_elements_compare():
    """Field names sort before keys, keys before values, values before indices."""
    paths = {(PathElement("i", 1),), (PathElement.of_value("x"),), (PathElement.key({"name": "a"}),),
             (PathElement.field("z"),)}
    assert list(encode_fields_v1(paths)) == ["f:z", 'k:{"name":"a"}', 'v:"x"', "i:1"]


def test_fields_v1_with_an_unknown_prefix_does_not_decode():
    with pytest.raises(FieldPathError):
        decode_fields_v1({"x:spec": {}})


def test_a_key_is_written_as_compact_json_dumps_writes_it_with_no_encoder_built_per_key(monkeypatch):
    """A list item's key is its values' compact JSON (`k:{"name":"nginx"}`), non-ASCII kept as it is;
    every write names each item so, and an encoder is not built again for each of them."""
    values = ["nginx", "caf\u00e9", 'a"b\\c', "line\u2028sep\x01", 80, 1.5, True, None]
    expected = [json.dumps(value, separators=(",", ":"), ensure_ascii=False) for value in values]
    built = []
    original_init = json.JSONEncoder.__init__
    monkeypatch.setattr(json.JSONEncoder, "__init__", lambda self, *a, **k: built.append(k) or original_init(self, *a, **k))
    elements = [PathElement.key({"name": value}) for value in values]
    assert [element.value[0][1] for element in elements] == expected
    assert built == []


def test_a_path_prints_as_upstreams_path_string():
    """fieldpath.Path.String: `.spec.containers[name="nginx"].image`."""
    path = (PathElement.field("spec"), PathElement.field("containers"), PathElement.key({"name": "nginx"}),
            PathElement.field("image"))
    assert path_string(path) == '.spec.containers[name="nginx"].image'


# --- the manager's name ---

@pytest.mark.parametrize("manager,user_agent,expected", [
    ("mine", "kubectl/v1.24.0 (linux/amd64) kubernetes/abc", "mine"),
    ("", "kubectl/v1.24.0 (linux/amd64) kubernetes/abc", "kubectl"),
    ("", "kube-controller-manager/v1.24.0 (linux/amd64) kubernetes/abc/system:serviceaccount:kube-system:x",
     "kube-controller-manager"),
    ("", "", ""),
    ("", "a\x00b/1", "ab"),
    ("", "x" * 200, "x" * 128),
])
def test_the_manager_is_the_field_manager_else_the_user_agents_first_token(manager, user_agent, expected):
    """managerOrUserAgent: unprintable characters dropped, cut to 128 bytes."""
    assert manager_or_user_agent(manager, user_agent) == expected


# --- Update ---

def test_a_create_records_an_update_entry_with_the_fields_it_set_and_their_defaults():
    """Every field the object sets once decoded (defaults included), the object's identity and
    status left out; an atomic label selector is one field, a new label map a member of its own."""
    created = deployments().update(None, DEPLOYMENT, "kubectl-create", T1)
    [entry] = created["metadata"]["managedFields"]
    assert {k: v for k, v in entry.items() if k != "fieldsV1"} == {
        "manager": "kubectl-create", "operation": "Update", "apiVersion": "apps/v1", "time": T1,
        "fieldsType": "FieldsV1"}
    fields = entry["fieldsV1"]
    assert fields["f:metadata"] == {"f:labels": {".": {}, "f:app": {}}}
    assert fields["f:spec"]["f:selector"] == {}
    assert {"f:replicas", "f:revisionHistoryLimit", "f:progressDeadlineSeconds"} <= set(fields["f:spec"])
    container = fields["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"nginx"}']
    assert {".", "f:name", "f:image", "f:imagePullPolicy"} <= set(container)
    assert set(fields) == {"f:metadata", "f:spec"}


def test_an_object_handed_over_gets_its_entries_written_into_it_and_any_other_a_copy():
    """As Go's Update writes the entries into newObj, an object its caller hands over (`owned`,
    the create handler's decoded body) comes back itself with them; any other caller's object is
    left as it was, and both get the same entries."""
    sent = json.loads(json.dumps(DEPLOYMENT))
    copied = deployments().update(None, sent, "kubectl-create", T1)
    assert sent == DEPLOYMENT and copied is not sent
    handed = deployments().update(None, sent, "kubectl-create", T1, owned=True)
    assert handed is sent and handed == copied


def test_a_defaulted_object_is_compared_uncopied_and_gets_the_entries_its_defaulting_would(monkeypatch):
    """The create handler defaults the object it hands over, as upstream's decoder does; the field
    manager then converts that object itself (encoding builds new maps and only reads the old),
    copying nothing, and records the same entries as when it defaults a copy of an undefaulted one."""
    defaulted = stored(json.loads(json.dumps(DEPLOYMENT)))
    del defaulted["metadata"]["uid"]
    copies = []
    deep_copy_json = fieldmanager.deep_copy_json
    monkeypatch.setattr(fieldmanager, "deep_copy_json", lambda value: copies.append(value) or deep_copy_json(value))
    before = json.loads(json.dumps(defaulted))
    created = deployments().update(None, defaulted, "kubectl-create", T1, owned=True, defaulted=True)
    assert copies == []
    assert {**created, "metadata": {k: v for k, v in created["metadata"].items() if k != "managedFields"}} == before
    assert entries(created) == entries(deployments().update(None, DEPLOYMENT, "kubectl-create", T1))


def test_a_create_compares_with_the_kinds_zero_value_whose_required_lists_are_null():
    """Go's zero Deployment has `containers: null` (no omitempty): a created list of containers
    is not a member of its own, its items are."""
    created = deployments().update(None, DEPLOYMENT, "kubectl-create", T1)
    containers = created["metadata"]["managedFields"][0]["fieldsV1"]["f:spec"]["f:template"]["f:spec"]["f:containers"]
    assert list(containers) == ['k:{"name":"nginx"}'] and "." in containers['k:{"name":"nginx"}']


def test_what_only_the_new_object_holds_is_added_without_comparing_it(monkeypatch):
    """A create compares the object with the kind's zero, which holds almost nothing: a field the
    left side lacks, and everything inside it, is added with no question of the left side asked
    at each of its members. Only the members of maps and lists both sides hold are compared one
    by one."""
    schema = typed.Schema.for_kind("apps/v1", "Deployment")
    zero = {"kind": "Deployment", "apiVersion": "apps/v1", "metadata": {"creationTimestamp": None},
            "spec": {"selector": None, "template": {"metadata": {"creationTimestamp": None},
                                                    "spec": {"containers": None}}, "strategy": {}}}
    compared = []
    compare_one = typed._compare
    monkeypatch.setattr(typed, "_compare", lambda lhs, rhs, *rest: compared.append(rest[1]) or
                        compare_one(lhs, rhs, *rest))
    comparison = typed.compare(zero, DEPLOYMENT, schema)
    containers = (PathElement.field("spec"), PathElement.field("template"), PathElement.field("spec"),
                  PathElement.field("containers"))
    nginx = containers + (PathElement.key({"name": "nginx"}),)
    labels = (PathElement.field("metadata"), PathElement.field("labels"))
    assert labels in compared and containers in compared  # members of maps both sides hold
    inside_only_the_new = [path for path in compared
                           if (path[:2] == labels and len(path) > 2) or (path[:5] == nginx and len(path) > 5)]
    assert inside_only_the_new == []
    assert {nginx, nginx + (PathElement.field("image"),), (PathElement.field("metadata"), PathElement.field("labels"),
            PathElement.field("app"))} <= comparison.added


def test_the_kinds_zero_is_encoded_once_for_all_its_creates(monkeypatch):
    """Every create of a kind compares with the same zero value, which the compare only reads: it
    is encoded once, not at each create."""
    encoded = []
    zero_object = fieldmanager.gostruct.zero_object
    monkeypatch.setattr(fieldmanager.gostruct, "zero_object", lambda obj: encoded.append(obj) or zero_object(obj))
    fieldmanager._zero_object.cache_clear()
    first = deployments().update(None, DEPLOYMENT, "kubectl-create", T1)
    second = deployments().update(None, {**DEPLOYMENT, "metadata": {**DEPLOYMENT["metadata"], "name": "other"}},
                                  "kubectl-create", T1)
    assert len(encoded) == 1
    assert first["metadata"]["managedFields"] == second["metadata"]["managedFields"]


def test_an_update_skips_the_ignored_fields_once(monkeypatch):
    """The fields a strategy resets (a Deployment's status) are skipped by the compare itself; its
    result is not filtered again (upstream's FilterFields), only the manager's whole set is."""
    filtered = []
    difference = typed.recursive_difference

    def recursive_difference(paths, removed):
        filtered.append(removed)
        return difference(paths, removed)
    monkeypatch.setattr(typed, "recursive_difference", recursive_difference)
    monkeypatch.setattr(updater, "recursive_difference", recursive_difference)
    created = deployments().update(None, {**DEPLOYMENT, "status": {"replicas": 2}}, "kubectl-create", T1)
    assert filtered == [frozenset({(PathElement.field("status"),)})]
    assert "f:status" not in created["metadata"]["managedFields"][0]["fieldsV1"]


def test_a_struct_inside_a_new_list_item_is_a_member_of_its_own_as_a_rollingupdate_is():
    """Compare's postItemHook adds every map the live object lacks: a pointer struct such as
    rollingUpdate, and in a container that did not exist before even a struct Go always holds
    (resources), so both are written with "." (checked against the real 1.24 server)."""
    containers = [{"name": "nginx", "image": "nginx:1.21", "resources": {"limits": {"cpu": "1"}}}]
    spec = {**DEPLOYMENT["spec"], "template": {**DEPLOYMENT["spec"]["template"], "spec": {"containers": containers}}}
    created = deployments().update(None, {**DEPLOYMENT, "spec": spec}, "kubectl-create", T1)
    fields = created["metadata"]["managedFields"][0]["fieldsV1"]["f:spec"]
    assert fields["f:strategy"]["f:rollingUpdate"] == {".": {}, "f:maxSurge": {}, "f:maxUnavailable": {}}
    container = fields["f:template"]["f:spec"]["f:containers"]['k:{"name":"nginx"}']
    assert container["f:resources"] == {".": {}, "f:limits": {".": {}, "f:cpu": {}}}


def test_a_struct_go_always_holds_is_no_member_where_its_parent_was_there():
    """An update that sets limits in an existing container adds resources.limits, not resources:
    the live container already held the struct, if empty."""
    live = stored(deployments().update(None, DEPLOYMENT, "creator", T1))
    [container] = live["spec"]["template"]["spec"]["containers"]
    spec = {**live["spec"], "template": {**live["spec"]["template"], "spec": {
        **live["spec"]["template"]["spec"], "containers": [{**container, "resources": {"limits": {"cpu": "1"}}}]}}}
    updated = deployments().update(live, {**live, "spec": spec}, "ed", T2)
    fields = entries(updated)["ed", "Update", ""]["fieldsV1"]
    assert fields == {"f:spec": {"f:template": {"f:spec": {"f:containers": {'k:{"name":"nginx"}': {
        "f:resources": {"f:limits": {".": {}, "f:cpu": {}}}}}}}}}


def test_a_created_service_owns_its_defaulted_internal_traffic_policy():
    """internalTrafficPolicy is SetDefaults_Service's, so a create's entry owns it as it owns type."""
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {"ports": [{"port": 80}]}}
    created = FieldManager.for_resource(kinds.by_plural("services")).update(None, service, "unknown", T1)
    assert {"f:internalTrafficPolicy", "f:type", "f:sessionAffinity"} <= set(
        created["metadata"]["managedFields"][0]["fieldsV1"]["f:spec"])


@pytest.mark.parametrize(("rules", "owned"), [(None, False), ([], True)])
def test_a_non_omitempty_nil_list_is_no_field_of_a_create(rules, owned):
    """Go's zero ClusterRole already writes `rules: null` (no omitempty): a role with only an
    aggregationRule does not set rules, while an empty list does."""
    role = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": {"name": "r"},
            "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"a": "b"}}]}, "rules": rules}
    created = FieldManager.for_resource(kinds.by_plural("clusterroles")).update(None, role, "unknown", T1)
    assert ("f:rules" in created["metadata"]["managedFields"][0]["fieldsV1"]) is owned


def test_an_update_gives_the_changed_fields_to_its_manager_and_takes_them_from_the_others():
    """The updater owns what it changed; the creator keeps the rest."""
    live = stored(deployments().update(None, DEPLOYMENT, "creator", T1))
    changed = {**live, "spec": {**live["spec"], "replicas": 5}}
    updated = deployments().update(live, changed, "scaler", T2)
    by_manager = entries(updated)
    assert by_manager["scaler", "Update", ""]["fieldsV1"] == {"f:spec": {"f:replicas": {}}}
    assert by_manager["scaler", "Update", ""]["time"] == T2
    assert "f:replicas" not in by_manager["creator", "Update", ""]["fieldsV1"]["f:spec"]
    assert by_manager["creator", "Update", ""]["time"] == T1


def test_an_update_that_changes_nothing_adds_no_entry():
    """A write that sets no field anew gives its manager nothing to own."""
    live = stored(deployments().update(None, DEPLOYMENT, "creator", T1))
    updated = deployments().update(live, live, "other", T2)
    assert list(entries(updated)) == [("creator", "Update", "")]


def test_updates_by_one_manager_merge_into_one_entry():
    """Entries are keyed by manager, operation, apiVersion and subresource: a second update by
    the same manager unions its fields and moves its time."""
    live = stored(deployments().update(None, DEPLOYMENT, "creator", T1))
    once = stored(deployments().update(live, {**live, "spec": {**live["spec"], "replicas": 3}}, "ed", T2))
    labels = {**once["metadata"], "labels": {"app": "web", "tier": "front"}}
    twice = deployments().update(once, {**once, "metadata": labels}, "ed", T3)
    entry = entries(twice)["ed", "Update", ""]
    assert entry["fieldsV1"] == {"f:metadata": {"f:labels": {"f:tier": {}}}, "f:spec": {"f:replicas": {}}}
    assert entry["time"] == T3


def test_a_removed_field_is_owned_by_nobody():
    live = stored(deployments().update(None, DEPLOYMENT, "creator", T1))
    metadata = {k: v for k, v in live["metadata"].items() if k != "labels"}
    updated = deployments().update(live, {**live, "metadata": metadata}, "ed", T2)
    assert "f:labels" not in entries(updated)["creator", "Update", ""]["fieldsV1"].get("f:metadata", {})


def test_managed_fields_sent_by_the_client_are_kept_when_they_decode():
    """A client may set managedFields itself; the write's own fields are added to them."""
    live = stored(deployments().update(None, DEPLOYMENT, "creator", T1))
    sent = [{"manager": "someone", "operation": "Apply", "apiVersion": "apps/v1", "fieldsType": "FieldsV1",
             "fieldsV1": {"f:spec": {"f:replicas": {}}}}]
    updated = deployments().update(live, {**live, "metadata": {**live["metadata"], "managedFields": sent}}, "x", T2)
    assert list(entries(updated)) == [("someone", "Apply", "")]


def test_an_empty_managed_fields_list_resets_them():
    """`managedFields: []` drops every entry (the write itself is then not tracked either, as the
    object already exists)."""
    live = stored(deployments().update(None, DEPLOYMENT, "creator", T1))
    updated = deployments().update(live, {**live, "metadata": {**live["metadata"], "managedFields": []}}, "x", T2)
    assert "managedFields" not in updated["metadata"]


def test_managed_fields_that_do_not_decode_are_replaced_by_the_live_ones():
    live = stored(deployments().update(None, DEPLOYMENT, "creator", T1))
    bad = [{"manager": "x", "operation": "Sideways", "apiVersion": "apps/v1", "fieldsType": "FieldsV1"}]
    updated = deployments().update(live, {**live, "metadata": {**live["metadata"], "managedFields": bad}}, "x", T2)
    assert list(entries(updated)) == [("creator", "Update", "")]


def test_a_status_write_records_its_subresource_and_only_status_fields():
    """ManagedFieldsEntry.subresource (1.22+) names the status subresource; a main-resource write
    owns no status, a status write no spec."""
    live = stored(deployments().update(None, {**DEPLOYMENT, "status": {"replicas": 9}}, "creator", T1))
    assert "f:status" not in entries(live)["creator", "Update", ""]["fieldsV1"]
    status = {**live, "status": {"replicas": 2}, "spec": {**live["spec"], "replicas": 7}}
    updated = deployments("status").update(live, status, "controller", T2)
    entry = entries(updated)["controller", "Update", "status"]
    assert entry["fieldsV1"] == {"f:status": {"f:replicas": {}}}
    assert entry["subresource"] == "status" and list(entry)[-1] == "subresource"


# --- Apply ---

def test_apply_to_a_missing_object_creates_it_with_an_apply_entry():
    created = deployments().apply(None, DEPLOYMENT, "kubectl", False, T1)
    assert created["spec"]["replicas"] == 2
    [entry] = created["metadata"]["managedFields"]
    assert {k: v for k, v in entry.items() if k != "fieldsV1"} == {
        "manager": "kubectl", "operation": "Apply", "apiVersion": "apps/v1", "time": T1, "fieldsType": "FieldsV1"}
    # Applied fields only (no defaults), and struct fields are no members of their own.
    assert entry["fieldsV1"]["f:metadata"] == {"f:labels": {"f:app": {}}}
    assert set(entry["fieldsV1"]["f:spec"]) == {"f:replicas", "f:selector", "f:template"}


def test_apply_merges_list_items_by_their_merge_key():
    """Containers merge by name: a container another manager added stays."""
    live = stored(deployments().apply(None, DEPLOYMENT, "kubectl", False, T1))
    containers = live["spec"]["template"]["spec"]["containers"]
    with_sidecar = {**live, "spec": {**live["spec"], "template": {**live["spec"]["template"], "spec": {
        **live["spec"]["template"]["spec"], "containers": containers + [{"name": "sidecar", "image": "envoy"}]}}}}
    live = stored(deployments().update(live, with_sidecar, "injector", T2))
    reapplied = {**DEPLOYMENT, "spec": {**DEPLOYMENT["spec"], "template": {
        **DEPLOYMENT["spec"]["template"], "spec": {"containers": [{"name": "nginx", "image": "nginx:1.22"}]}}}}
    merged = deployments().apply(live, reapplied, "kubectl", False, T3)
    assert [(c["name"], c["image"]) for c in merged["spec"]["template"]["spec"]["containers"]] == [
        ("nginx", "nginx:1.22"), ("sidecar", "envoy")]


def test_apply_removes_the_fields_its_manager_no_longer_applies():
    """A label applied before and left out now is removed, unless another manager owns it."""
    applied = {**DEPLOYMENT, "metadata": {"name": "web", "labels": {"app": "web", "tier": "front", "team": "a"}}}
    live = stored(deployments().apply(None, applied, "kubectl", False, T1))
    shared = {**live, "metadata": {**live["metadata"], "labels": {"app": "web", "tier": "front", "team": "b"}}}
    live = stored(deployments().update(live, shared, "labeller", T2))
    result = deployments().apply(live, DEPLOYMENT, "kubectl", False, T3)
    assert result["metadata"]["labels"] == {"app": "web", "team": "b"}


def test_apply_conflicts_with_another_managers_field_of_a_different_value():
    """409 naming the manager (an updater with its apiVersion) and the field, one cause per field."""
    live = stored(deployments().apply(None, DEPLOYMENT, "kubectl", False, T1))
    live = stored(deployments().update(live, {**live, "spec": {**live["spec"], "replicas": 5}},
                                       "kubectl-client-side-apply", T2))
    with pytest.raises(StatusError) as err:
        deployments().apply(live, DEPLOYMENT, "kubectl", False, T3)
    assert err.value.code == 409 and err.value.reason == "Conflict"
    assert err.value.message == ('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" '
                                 "using apps/v1: .spec.replicas")
    assert err.value.details == {"causes": [{"reason": "FieldManagerConflict", "message":
                                             'conflict with "kubectl-client-side-apply" using apps/v1',
                                             "field": ".spec.replicas"}]}


def test_apply_of_the_same_value_shares_the_field_without_conflict():
    live = stored(deployments().update(None, DEPLOYMENT, "creator", T1))
    result = deployments().apply(live, DEPLOYMENT, "kubectl", False, T2)
    by_manager = entries(result)
    assert "f:replicas" in by_manager["kubectl", "Apply", ""]["fieldsV1"]["f:spec"]
    assert "f:replicas" in by_manager["creator", "Update", ""]["fieldsV1"]["f:spec"]


def test_forced_apply_takes_the_conflicting_fields_over():
    live = stored(deployments().apply(None, DEPLOYMENT, "kubectl", False, T1))
    live = stored(deployments().update(live, {**live, "spec": {**live["spec"], "replicas": 5}}, "scaler", T2))
    result = deployments().apply(live, DEPLOYMENT, "kubectl", True, T3)
    assert result["spec"]["replicas"] == 2
    assert ("scaler", "Update", "") not in entries(result)


def test_conflicts_with_several_fields_are_listed_by_manager():
    live = stored(deployments().apply(None, DEPLOYMENT, "kubectl", False, T1))
    changed = {**live, "metadata": {**live["metadata"], "labels": {"app": "other"}},
               "spec": {**live["spec"], "replicas": 5}}
    live = stored(deployments().update(live, changed, "ed", T2))
    with pytest.raises(StatusError) as err:
        deployments().apply(live, DEPLOYMENT, "kubectl", False, T3)
    assert err.value.message == ('Apply failed with 2 conflicts: conflicts with "ed" using apps/v1:\n'
                                 "- .metadata.labels.app\n- .spec.replicas")


def test_a_conflicting_field_listed_before_a_sibling_with_children_takes_that_siblings_name():
    """Set.Iterate appends each path to its parent's prefix and ConflictsFromManagers keeps the
    path without copying it: descending into env writes over the slot that held image, so the
    real 1.24 server lists `.env` for the conflicting image (checked live with kubectl)."""
    def with_container(obj: dict, image: str, value: str) -> dict:
        container = {"name": "nginx", "image": image, "env": [{"name": "B", "value": value}]}
        template = {**obj["spec"]["template"], "spec": {"containers": [container]}}
        return {**obj, "spec": {**obj["spec"], "template": template}}

    live = stored(deployments().update(None, with_container(DEPLOYMENT, "nginx:1.1", "b"), "csa", T1))
    live = stored(deployments().update(live, with_container(live, "nginx:1.2", "b2"), "csa", T2))
    with pytest.raises(StatusError) as err:
        deployments().apply(live, with_container(DEPLOYMENT, "nginx:1.1", "b"), "ssa2", False, T3)
    container = '.spec.template.spec.containers[name="nginx"]'
    assert err.value.message == ('Apply failed with 2 conflicts: conflicts with "csa" using apps/v1:\n'
                                 f'- {container}.env\n- {container}.env[name="B"].value')


@pytest.mark.parametrize("applied,message", [
    ({**DEPLOYMENT, "apiVersion": "apps/v1beta1"},
     "Incorrect version specified in apply patch. Specified patch version: apps/v1beta1, expected: apps/v1"),
    # The patch's version is its apiVersion as ParseGroupVersion reads it: none for more than one `/`.
    ({**DEPLOYMENT, "apiVersion": "a/b/c"},
     "Incorrect version specified in apply patch. Specified patch version: , expected: apps/v1"),
    ({**DEPLOYMENT, "apiVersion": "apps/v1/"},
     "Incorrect version specified in apply patch. Specified patch version: , expected: apps/v1"),
    ({**DEPLOYMENT, "apiVersion": 1},
     "Incorrect version specified in apply patch. Specified patch version: , expected: apps/v1"),
    ({**DEPLOYMENT, "metadata": {"name": "web", "managedFields": []}}, "metadata.managedFields must be nil"),
])
def test_an_apply_that_cannot_be_applied_is_400(applied, message):
    with pytest.raises(StatusError) as err:
        deployments().apply(None, applied, "kubectl", False, T1)
    assert (err.value.code, err.value.message) == (400, message)


def test_an_apply_whose_apiversion_parses_to_the_core_v1_is_of_the_core_v1():
    """`/v1` parses as group "" and version v1: the patch version of a core kind (the real 1.24
    server applies it)."""
    applied = {"apiVersion": "/v1", "kind": "ConfigMap", "metadata": {"name": "c"}, "data": {"a": "b"}}
    configmaps = FieldManager.for_resource(kinds.by_plural("configmaps"))
    assert configmaps.apply(None, applied, "kubectl", False, T1)["data"] == {"a": "b"}


def test_apply_to_an_untracked_object_first_gives_its_fields_to_before_first_apply():
    """skipNonAppliedManager: fields set before tracking began belong to `before-first-apply`."""
    live = stored(DEPLOYMENT)
    result = deployments().apply(live, {**DEPLOYMENT, "spec": {**DEPLOYMENT["spec"], "replicas": 3}}, "kubectl",
                                 True, T2)
    assert set(entries(result)) == {("kubectl", "Apply", ""), ("before-first-apply", "Update", "")}


def test_an_applied_list_item_without_a_key_that_has_no_default_is_a_400():
    """The applied configuration is typed before anything merges: a host alias without its ip
    (omitempty, so openapi-gen gives it no default) has no key. Upstream 1.24 answers with a
    plain error, a 500, which it counts as a bug (kubernetes #139253); the reference answers 400
    BadRequest with upstream's message, as the fix does. A container without a name is keyed by
    the name's zero default "" instead (the real 1.24 server then refuses it in validation)."""
    def with_pod_spec(pod_spec):
        return {**DEPLOYMENT, "spec": {**DEPLOYMENT["spec"], "template": {
            **DEPLOYMENT["spec"]["template"], "spec": pod_spec}}}
    aliasless = with_pod_spec({"containers": [{"name": "c", "image": "nginx"}], "hostAliases": [{"hostnames": ["a"]}]})
    with pytest.raises(StatusError) as err:
        deployments().apply(None, aliasless, "kubectl", False, T1)
    assert (err.value.code, err.value.reason) == (400, "BadRequest")
    assert err.value.message == (
        "failed to create typed patch object (/web; apps/v1, Kind=Deployment): .spec.template.spec.hostAliases: "
        "element 0: associative list with keys has an element that omits key field \"ip\" (and doesn't have "
        "default value)")
    applied = deployments().apply(None, with_pod_spec({"containers": [{"image": "nginx"}]}), "kubectl", False, T1)
    assert applied["spec"]["template"]["spec"]["containers"] == [{"image": "nginx"}]


# --- from client-side to server-side apply ---

LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration"


def client_side_applied(replicas_live: int) -> dict:
    """A Deployment as `kubectl apply` (client-side) leaves it, with 2 replicas in its
    last-applied configuration and `replicas_live` in its spec."""
    annotation = json.dumps(DEPLOYMENT, separators=(",", ":"), sort_keys=True) + "\n"
    obj = {**DEPLOYMENT, "metadata": {**DEPLOYMENT["metadata"], "annotations": {LAST_APPLIED: annotation}},
           "spec": {**DEPLOYMENT["spec"], "replicas": replicas_live}}
    return stored(deployments().update(None, obj, "kubectl-client-side-apply", T1))


def test_kubectl_server_side_apply_takes_over_fields_its_client_side_apply_left():
    """lastAppliedManager: for the manager "kubectl", a conflict on a field the last-applied
    configuration still holds is no conflict."""
    applied = {**DEPLOYMENT, "spec": {**DEPLOYMENT["spec"], "replicas": 3}}
    result = deployments().apply(client_side_applied(2), applied, "kubectl", False, T2)
    assert result["spec"]["replicas"] == 3
    assert "f:replicas" not in entries(result)["kubectl-client-side-apply", "Update", ""]["fieldsV1"]["f:spec"]


def test_a_field_changed_since_the_client_side_apply_still_conflicts():
    """A field whose live value is no longer the last-applied one is a conflict as usual."""
    applied = {**DEPLOYMENT, "spec": {**DEPLOYMENT["spec"], "replicas": 3}}
    with pytest.raises(StatusError) as err:
        deployments().apply(client_side_applied(5), applied, "kubectl", False, T2)
    assert err.value.message == ('Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" '
                                 "using apps/v1: .spec.replicas")


def test_another_manager_gets_no_allowance_from_the_last_applied_configuration():
    applied = {**DEPLOYMENT, "spec": {**DEPLOYMENT["spec"], "replicas": 3}}
    with pytest.raises(StatusError) as err:
        deployments().apply(client_side_applied(2), applied, "deployer", False, T2)
    assert err.value.code == 409


def test_kubectl_server_side_apply_keeps_the_last_applied_annotation_current():
    """lastAppliedUpdater: the annotation becomes the applied configuration, as Go encodes it."""
    applied = {**DEPLOYMENT, "spec": {**DEPLOYMENT["spec"], "replicas": 3}}
    result = deployments().apply(client_side_applied(2), applied, "kubectl", False, T2)
    assert result["metadata"]["annotations"][LAST_APPLIED] == \
        json.dumps(applied, separators=(",", ":"), sort_keys=True) + "\n"


def test_past_ten_update_managers_the_oldest_merge_into_ancient_changes():
    """capManagersManager: at most ten Update entries; the oldest are merged, per apiVersion,
    into one of the manager "ancient-changes" with the time of the last merged."""
    live = stored(deployments().update(None, DEPLOYMENT, "creator", "2026-12-05T09:00:00Z"))
    for minute in range(10):
        labels = {**live["metadata"]["labels"], f"l{minute}": "x"}
        live = stored(deployments().update(live, {**live, "metadata": {**live["metadata"], "labels": labels}},
                                           f"m{minute}", f"2026-12-05T10:0{minute}:00Z"))
    by_manager = entries(live)
    assert len(by_manager) == 10 and ("creator", "Update", "") not in by_manager
    ancient = by_manager["ancient-changes", "Update", ""]
    assert ancient["time"] == "2026-12-05T10:00:00Z"
    assert "f:l0" in ancient["fieldsV1"]["f:metadata"]["f:labels"] and "f:replicas" in ancient["fieldsV1"]["f:spec"]


def test_ports_are_keyed_by_port_and_protocol_whose_default_stands_in_when_absent():
    """Container and service ports are list-maps on two keys (x-kubernetes-list-map-keys); an
    applied port without a protocol is keyed by the schema's default, TCP."""
    with_ports = {**DEPLOYMENT, "spec": {**DEPLOYMENT["spec"], "template": {
        **DEPLOYMENT["spec"]["template"], "spec": {"containers": [{"name": "nginx", "image": "nginx",
                                                                   "ports": [{"containerPort": 80}]}]}}}}
    [entry] = deployments().apply(None, with_ports, "kubectl", False, T1)["metadata"]["managedFields"]
    container = entry["fieldsV1"]["f:spec"]["f:template"]["f:spec"]["f:containers"]['k:{"name":"nginx"}']
    assert container["f:ports"] == {'k:{"containerPort":80,"protocol":"TCP"}': {".": {}, "f:containerPort": {}}}
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
               "spec": {"ports": [{"port": 80, "protocol": "UDP"}]}}
    [entry] = FieldManager.for_resource(kinds.by_plural("services")).apply(
        None, service, "kubectl", False, T1)["metadata"]["managedFields"]
    assert list(entry["fieldsV1"]["f:spec"]["f:ports"]) == ['k:{"port":80,"protocol":"UDP"}']


def test_recursive_difference_drops_the_paths_at_or_below_a_removed_one():
    """RecursiveDifference as its definition says, on seeded random sets of paths (the fast loop
    tries only the prefix lengths the removed set has)."""
    rng = random.Random(7)
    for _ in range(2000):
        paths = {tuple(rng.choice("abc") for _ in range(rng.randrange(4))) for _ in range(rng.randrange(6))}
        removed = frozenset(tuple(rng.choice("abc") for _ in range(rng.randrange(3))) for _ in range(rng.randrange(3)))
        expected = {p for p in paths if not any(p[:i] in removed for i in range(len(p) + 1))}
        assert typed.recursive_difference(paths, removed) == expected, (paths, removed)


def test_a_comparison_asks_the_schema_for_a_declared_field_once(monkeypatch):
    """Every write compares the live object with the new one field by field; what each declared
    field is (its schema, its path element, whether Go's zero value holds it) is worked out once,
    so comparing again asks the schema only for map keys (labels) and for each side's list item keys
    (a container's name, with its default), and finds the same changes."""
    schema = typed.Schema.for_kind("apps/v1", "Deployment")
    live = stored(DEPLOYMENT)
    new = {**live, "spec": {**live["spec"], "replicas": 3, "paused": True}}
    first = typed.compare(live, new, schema)
    asked = []
    original_field = typed.Schema.field
    monkeypatch.setattr(typed.Schema, "field", lambda self, name: asked.append(name) or original_field(self, name))
    again = typed.compare(live, new, schema)
    assert sorted(asked) == ["app", "app", "name", "name"]  # the selector's labels are atomic: one field
    assert (again.added, again.modified, again.removed) == (first.added, first.modified, first.removed)
    assert again.added == {(PathElement.field("spec"), PathElement.field("paused"))}
    assert again.modified == {(PathElement.field("spec"), PathElement.field("replicas"))}


def test_an_entry_the_write_left_as_it_was_is_not_decoded_or_encoded_again(monkeypatch):
    """managedFields decode into sets and encode back at every write; an entry whose fieldsV1 was
    seen before is turned into its set, and a set into its fieldsV1, once, and the object written
    is the same as when both are done every time."""
    from reference_impl.apiserver.fieldmanager import managedfields

    for remembered in (getattr(managedfields, "_paths_of", None), getattr(managedfields, "_fields_v1_of", None)):
        if remembered is not None:
            remembered.cache_clear()  # what earlier tests wrote is not this test's to reuse
    decoded, encoded = [], []
    monkeypatch.setattr(managedfields, "decode_fields_v1", lambda tree: decoded.append(tree) or decode_fields_v1(tree))
    monkeypatch.setattr(managedfields, "encode_fields_v1", lambda paths: encoded.append(paths) or encode_fields_v1(paths))
    live = stored(deployments().update(None, {**DEPLOYMENT, "metadata": {"name": "once-only", "labels": {"x": "y"}}},
                                       "kubectl", T1))
    first, second = [deployments("status").update(live, {**live, "status": {"replicas": 1}}, "kubelet", T2)
                     for _ in range(2)]
    assert first == second
    assert first["metadata"]["managedFields"][0] == live["metadata"]["managedFields"][0]
    assert len(decoded) == 1 and len(encoded) == 2  # kubectl's set once each way; kubelet's encoded once


# --- a kind whose strategies reset more than the generic fields ---

CSR = {"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest", "metadata": {"name": "c"},
       "spec": {"request": "Zm9v", "signerName": "example.com/x", "usages": ["client auth"]}}
APPROVED = {"type": "Approved", "status": "True", "reason": "r", "lastUpdateTime": T1, "lastTransitionTime": T1}


def csrs(subresource: str = "") -> FieldManager:
    return FieldManager.for_resource(kinds.by_plural("certificatesigningrequests"), subresource)


def test_a_csr_created_without_labels_has_no_managed_fields():
    """The CSR strategy's GetResetFields resets spec and status, so a create owns only what it
    sets in metadata: nothing at all here (the real kube-apiserver 1.24 answers with no
    managedFields), and the labels when it sets them."""
    assert "managedFields" not in csrs().update(None, CSR, "kubectl", T1)["metadata"]
    labelled = {**CSR, "metadata": {**CSR["metadata"], "labels": {"a": "b"}}}
    [entry] = csrs().update(None, labelled, "kubectl", T1)["metadata"]["managedFields"]
    assert entry["fieldsV1"] == {"f:metadata": {"f:labels": {".": {}, "f:a": {}}}}


def test_a_csr_approval_owns_the_conditions_and_its_status_write_does_not():
    """/approval resets spec and the certificate, so it owns the conditions it sets; /status
    resets spec and the conditions, so changing only those records nothing (as the real server)."""
    live = stored({**CSR, "metadata": {**CSR["metadata"], "labels": {"a": "b"}}})
    live = csrs().update(None, live, "kubectl", T1)
    approved = csrs("approval").update(live, {**live, "status": {"conditions": [APPROVED]}}, "kubectl", T2)
    by_subresource = {e.get("subresource", ""): e["fieldsV1"] for e in approved["metadata"]["managedFields"]}
    assert by_subresource["approval"] == {"f:status": {"f:conditions": {".": {}, 'k:{"type":"Approved"}': {
        ".": {}, "f:lastTransitionTime": {}, "f:lastUpdateTime": {}, "f:reason": {}, "f:status": {}, "f:type": {}}}}}
    failed = {"type": "Failed", "status": "True", "reason": "f", "lastUpdateTime": T3, "lastTransitionTime": T3}
    written = csrs("status").update(approved, {**approved, "status": {"conditions": [APPROVED, failed]}},
                                    "kubectl", T3)
    assert {e.get("subresource", "") for e in written["metadata"]["managedFields"]} == {"", "approval"}


def test_a_resources_field_manager_is_made_once_per_resource_object_and_subresource():
    """Every write asks for its resource's field manager: the same one comes back for the same
    Resource object and subresource, a new one for another object (a CRD changed: its Resource
    is made again), however equal."""
    pods = kinds.find("", "v1", "pods")
    made = FieldManager.for_resource(pods)
    assert FieldManager.for_resource(pods) is made
    assert FieldManager.for_resource(pods, "status") is FieldManager.for_resource(pods, "status") is not made
    assert FieldManager.for_resource(pods, "status").subresource == "status"
    again = dataclasses.replace(pods)
    assert again == pods and FieldManager.for_resource(again) is not made


def test_a_dropped_resource_takes_its_field_managers_with_it():
    """A custom resource's Resource is made again on every CRD write: once the old one is dropped,
    nothing the field managers keep holds it (or its schemas and conversion closures) alive."""
    import gc
    import weakref
    dropped = dataclasses.replace(kinds.find("", "v1", "pods"))
    FieldManager.for_resource(dropped)
    FieldManager.for_resource(dropped, "status")
    held = weakref.ref(dropped)
    del dropped
    gc.collect()
    assert held() is None


def test_a_managers_identifier_is_written_once(monkeypatch):
    """build_manager_identifier's JSON is written once for each manager, operation, version and
    subresource, not on every write."""
    from reference_impl.apiserver.fieldmanager import managedfields
    written = []
    dumps = managedfields.json.dumps
    monkeypatch.setattr(managedfields.json, "dumps", lambda *args, **kwargs: written.append(1) or dumps(*args, **kwargs))
    identifiers = {managedfields.build_manager_identifier("once-only", "Update", "v1", "status") for _ in range(3)}
    assert identifiers == {'{"manager":"once-only","operation":"Update","apiVersion":"v1","subresource":"status"}'}
    assert len(written) == 1


def test_a_custom_resources_apply_schema_built_again_is_not_kept_by_the_typed_caches():
    """A CRD's apply schema is built anew each time the CRD is written: walking objects with
    1,000 such builds leaves the typed caches their size, not six entries more per build."""
    spec = {"group": "cache.example.com", "names": {"kind": "Widget", "plural": "widgets"},
            "versions": [{"name": "v1", "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                "spec": {"type": "object", "properties": {"size": {"type": "integer"}}}}}}}]}
    obj = {"apiVersion": "cache.example.com/v1", "kind": "Widget", "metadata": {"name": "w"}, "spec": {"size": 1}}
    changed = {**obj, "spec": {"size": 2}}

    def walk() -> None:
        schema = typed.Schema(crdopenapi.apply_schema(spec, spec["versions"][0]))
        typed.to_field_set(obj, schema)
        typed.compare(obj, changed, schema)

    walk()
    sizes = len(typed._RESOLVED), len(typed._FIELDS), len(typed._MEMBERS)
    for _ in range(1_000):
        walk()
    assert (len(typed._RESOLVED), len(typed._FIELDS), len(typed._MEMBERS)) == sizes


def test_a_custom_objects_metadata_is_added_with_the_object_not_held_as_a_structs_field():
    """A custom object is a map: its metadata, a reference to ObjectMeta, is a field there only
    once written, not one Go's zero value of a struct holds (a built-in kind's is held)."""
    spec = {"group": "held.example.com", "names": {"kind": "Widget", "plural": "widgets"},
            "versions": [{"name": "v1", "schema": {"openAPIV3Schema": {"type": "object"}}}]}
    custom = typed.Schema(crdopenapi.apply_schema(spec, spec["versions"][0]))
    assert not custom.field("metadata")[0].always_there
    assert typed.Schema.for_kind("v1", "ConfigMap").field("metadata")[0].always_there
