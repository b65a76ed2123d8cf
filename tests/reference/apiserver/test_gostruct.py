"""Built-in objects as the real apiserver writes them: Go's encoding of the kind's struct, with the
zero values of `omitempty` fields that are no pointers left out and the fields in struct order;
each rule checked against what kube-apiserver 1.24 answers for the same requests."""
from __future__ import annotations

import copy

import pytest

from reference_impl.apiserver.core import gostruct, protobuf
from reference_impl.apiserver.storage.etcd3 import decode, encode, read_back
from tests.reference.apiserver.test_handlers import call, chain, etcd, ns_path, registry  # noqa: F401

ZEROS_POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "zeros"},
             "spec": {"nodeName": "", "hostNetwork": False, "tolerations": [], "automountServiceAccountToken": False,
                      "containers": [{"name": "c", "image": "nginx", "stdin": False, "args": [],
                                      "ports": [{"containerPort": 80, "hostPort": 0, "name": ""}],
                                      "securityContext": {"privileged": False}}]}}


def fields_of(managed_fields: list[dict]) -> dict:
    return managed_fields[0]["fieldsV1"]


def test_omitempty_zero_values_are_left_out():
    """hostNetwork false, nodeName "", stdin false, hostPort 0, name "" and empty lists are
    `omitempty` and no pointers: Go writes nothing for them (but `resources: {}`, a struct)."""
    spec = gostruct.as_encoded(copy.deepcopy(ZEROS_POD))["spec"]
    assert "nodeName" not in spec and "hostNetwork" not in spec and "tolerations" not in spec
    assert spec["containers"][0] == {"name": "c", "image": "nginx", "ports": [{"containerPort": 80}],
                                     "resources": {}, "securityContext": {"privileged": False}}


def test_an_event_carries_the_zeros_go_always_writes():
    """A struct value is written even with omitempty (`source: {}`), a zero Time as null, and a
    scalar without omitempty as its zero (`reportingComponent: ""`), as the real server answers
    for an Event sent with none of them."""
    event = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e", "namespace": "n"},
             "involvedObject": {"kind": "Pod", "name": "p", "namespace": "n"}, "reason": "R"}
    assert gostruct.as_encoded(event) == {
        "kind": "Event", "apiVersion": "v1", "metadata": {"name": "e", "namespace": "n", "creationTimestamp": None},
        "involvedObject": {"kind": "Pod", "namespace": "n", "name": "p"}, "reason": "R", "source": {},
        "firstTimestamp": None, "lastTimestamp": None, "eventTime": None, "reportingComponent": "",
        "reportingInstance": ""}


def test_structs_left_out_are_written_as_their_own_zero():
    """A Deployment sent without status has `status: {}`, without strategy `strategy: {}`, and its
    template's ObjectMeta a null creationTimestamp."""
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                  "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "i"}]}}}}
    encoded = gostruct.as_encoded(deployment)
    assert encoded["status"] == {} and encoded["spec"]["strategy"] == {}
    assert encoded["spec"]["template"]["metadata"] == {"creationTimestamp": None}


@pytest.mark.parametrize("kind", ["FlowSchema", "PriorityLevelConfiguration"])
def test_a_flowcontrol_object_carries_its_empty_status(kind):
    """The flowcontrol layouts (one template for v1beta1 and v1beta2) know their struct values too:
    a FlowSchema or PriorityLevelConfiguration created without status has `status: {}`, as on
    the real server."""
    obj = {"apiVersion": "flowcontrol.apiserver.k8s.io/v1beta2", "kind": kind, "metadata": {"name": "f"}}
    assert gostruct.as_encoded(obj)["status"] == {}


def test_nil_pointers_and_lists_without_omitempty_are_null():
    """A ClusterRole's rules ([]PolicyRule, no omitempty) and a Deployment's selector
    (*LabelSelector, no omitempty) are null when left out; a pointer with omitempty is left out."""
    role = gostruct.as_encoded({"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole",
                                "metadata": {"name": "r"}})
    assert role["rules"] is None and "aggregationRule" not in role
    spec = gostruct.as_encoded({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}})["spec"]
    assert spec["selector"] is None and "replicas" not in spec


def test_a_null_decodes_as_the_fields_zero():
    """null for a struct value is its zero (written), for a pointer with omitempty nil (left out)."""
    deployment = gostruct.as_encoded({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"},
                                      "spec": {"replicas": None, "strategy": None}, "status": None})
    assert deployment["status"] == {} and deployment["spec"]["strategy"] == {}
    assert "replicas" not in deployment["spec"]


def test_decoding_keeps_empty_lists_and_maps_for_validation_to_see():
    """A decoded struct cannot tell a zero scalar from an absent one, but holds an empty list or
    map (non-nil) until it is encoded: validation sees `capacity: {}` as ResourceList{}."""
    spec = gostruct.as_decoded(copy.deepcopy(ZEROS_POD))["spec"]
    assert "hostNetwork" not in spec and spec["tolerations"] == [] and spec["containers"][0]["args"] == []


def test_a_pointers_zero_value_is_kept():
    """automountServiceAccountToken (*bool) and privileged (*bool) false are values, as a non-nil
    pointer is."""
    spec = gostruct.as_encoded(copy.deepcopy(ZEROS_POD))["spec"]
    assert spec["automountServiceAccountToken"] is False
    assert spec["containers"][0]["securityContext"] == {"privileged": False}


def test_a_priority_class_drops_global_default_false_and_an_empty_description():
    """PriorityClass's globalDefault and description are `omitempty`; value is not (and
    ObjectMeta's creationTimestamp, a struct, is written null until it is set)."""
    pc = {"apiVersion": "scheduling.k8s.io/v1", "kind": "PriorityClass", "metadata": {"name": "p"},
          "description": "", "globalDefault": False, "value": 0}
    assert gostruct.as_encoded(pc) == {"kind": "PriorityClass", "apiVersion": "scheduling.k8s.io/v1",
                                       "metadata": {"name": "p", "creationTimestamp": None}, "value": 0}


def test_fields_are_in_struct_order_with_kind_first():
    """TypeMeta's kind before apiVersion, then the struct's fields in their declared order (a
    Container's envFrom before env, its inline ProbeHandler's fields where it is embedded)."""
    pod = {"spec": {"containers": [{"env": [], "envFrom": [{"prefix": "P_"}], "name": "c",
                                    "livenessProbe": {"periodSeconds": 5, "exec": {"command": ["true"]}},
                                    "image": "i"}]},
           "metadata": {"name": "p"}, "apiVersion": "v1", "kind": "Pod"}
    encoded = gostruct.as_encoded(pod)
    assert list(encoded) == ["kind", "apiVersion", "metadata", "spec", "status"]
    container = encoded["spec"]["containers"][0]
    assert list(container) == ["name", "image", "envFrom", "resources", "livenessProbe"]
    assert list(container["livenessProbe"]) == ["exec", "periodSeconds"]


def test_the_layouts_list_fields_in_struct_order():
    """The protobuf layout lines are in Go's order; the field numbers keep the wire order."""
    assert list(gostruct.struct_fields("core.PodSpec"))[:4] == ["volumes", "initContainers", "containers",
                                                               "ephemeralContainers"]
    assert [n for n, _ in sorted(protobuf.MESSAGES["core.PodSpec"].items())][:3] == [1, 2, 3]


def test_a_kind_without_a_struct_is_left_alone():
    """A custom resource is unstructured: its zeros and its order are the client's."""
    obj = {"apiVersion": "example.com/v1", "kind": "Widget", "spec": {"on": False}, "metadata": {"name": "w"}}
    assert gostruct.as_encoded(obj) is obj


def test_each_struct_zero_written_is_an_object_of_its_own():
    """Two objects encoded without `source` get two `source: {}`: changing one leaves the other
    (and every later encoding) as it was."""
    event = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e"}}
    first, second = gostruct.as_encoded(event), gostruct.as_encoded(event)
    first["source"]["component"] = "changed"
    assert second["source"] == {} and gostruct.as_encoded(event)["source"] == {}


def test_only_a_struct_zero_is_copied(monkeypatch):
    """Encoding writes a null or a scalar zero as it is: an Event sent with none of the fields Go
    always writes copies two zeros, its `involvedObject` and `source` structs, not the nulls and
    empty strings (a copy of each zero cost an encoding a third of its time)."""
    copies, deep_copy_json = [], gostruct.deep_copy_json
    monkeypatch.setattr(gostruct, "deep_copy_json", lambda value: copies.append(value) or deep_copy_json(value))
    encoded = gostruct.as_encoded({"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e"}})
    assert encoded["firstTimestamp"] is None and encoded["reportingComponent"] == ""
    assert copies == [{}, {}] and encoded["involvedObject"] == encoded["source"] == {}


def test_a_struct_zero_is_copied_as_plain_json(monkeypatch):
    """A struct's zero is JSON (nulls, empty strings, empty structs), so it is copied as JSON is,
    not by copy.deepcopy, whose memo and dispatch made a Pod's zero object (a field manager's
    first compare on every create) cost twenty times as much."""
    def refuse(value, memo=None):
        raise AssertionError(f"copy.deepcopy({value!r})")
    monkeypatch.setattr(copy, "deepcopy", refuse)
    assert gostruct.zero_object({"apiVersion": "v1", "kind": "Pod"}) == {
        "kind": "Pod", "apiVersion": "v1", "metadata": {"creationTimestamp": None}, "spec": {"containers": None},
        "status": {}}


def test_stored_metadata_has_the_resource_version_after_the_uid():
    """ObjectMeta's struct has resourceVersion between uid and generation."""
    obj = {"kind": "ConfigMap", "apiVersion": "v1",
           "metadata": {"name": "c", "namespace": "n", "uid": "u", "generation": 1, "creationTimestamp": "t"}}
    for read in (read_back(obj, 7), decode(encode(obj), 7)):
        assert list(read["metadata"]) == ["name", "namespace", "uid", "resourceVersion", "generation",
                                          "creationTimestamp"]


def test_create_stores_and_returns_the_struct_and_manages_only_what_it_holds(chain):
    """A create's answer and the object read back are the struct encoded; managedFields are computed
    from the decoded struct, so they name none of the zero values sent."""
    code, created = call(chain, "POST", ns_path(chain, "pods"), ZEROS_POD)
    assert code == 201
    _, read = call(chain, "GET", ns_path(chain, "pods", "zeros"))
    for obj in (created, read):
        assert list(obj) == ["kind", "apiVersion", "metadata", "spec", "status"]
        assert list(obj["metadata"])[:4] == ["name", "namespace", "uid", "resourceVersion"]
        assert "hostNetwork" not in obj["spec"] and "nodeName" not in obj["spec"]
    spec_fields = fields_of(created["metadata"]["managedFields"])["f:spec"]
    assert "f:hostNetwork" not in spec_fields and "f:nodeName" not in spec_fields
    assert "f:stdin" not in spec_fields["f:containers"]['k:{"name":"c"}']
    assert "f:args" not in spec_fields["f:containers"]['k:{"name":"c"}']  # an empty list, left out
    assert "f:automountServiceAccountToken" in spec_fields


def test_apply_manages_the_zero_values_it_sent_but_does_not_store_them(chain):
    """Server-side apply records the applied configuration as sent (hostNetwork: false is the
    manager's), while the object stored is the struct, without it."""
    code, applied = call(chain, "PATCH", ns_path(chain, "pods", "zeros"), ZEROS_POD,
                         content_type="application/apply-patch+yaml", query={"fieldManager": "me"})
    assert code == 201
    assert "hostNetwork" not in applied["spec"]
    assert "f:hostNetwork" in fields_of(applied["metadata"]["managedFields"])["f:spec"]


def test_a_strategic_merge_patch_of_zero_values_changes_nothing_stored(chain):
    """A patch setting omitempty fields to their zero values leaves the struct as it was."""
    call(chain, "POST", ns_path(chain, "pods"), ZEROS_POD)
    _, before = call(chain, "GET", ns_path(chain, "pods", "zeros"))
    code, patched = call(chain, "PATCH", ns_path(chain, "pods", "zeros"),
                         {"spec": {"hostPID": False, "containers": [{"name": "c", "tty": False}]}},
                         content_type="application/strategic-merge-patch+json")
    assert code == 200
    assert patched["spec"] == before["spec"]


def test_a_service_sent_with_empty_ip_families_gets_the_default_family(chain):
    """The allocator fills ipFamilies when the decoded struct's list is empty, not only when absent."""
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
               "spec": {"ports": [{"port": 80}], "ipFamilies": []}}
    code, created = call(chain, "POST", ns_path(chain, "services"), service)
    assert code == 201 and created["spec"]["ipFamilies"] == ["IPv4"]


def test_a_create_manages_none_of_the_zeros_go_writes(chain):
    """A create's managed fields are what differs from the kind's zero object, which holds the
    zeros Go always writes: an Event sent without them names none (as the real server's), while
    a ReplicationController's template (a pointer, absent from the zero) names its null
    creationTimestamp."""
    event = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e"}, "reason": "R",
             "involvedObject": {"kind": "Pod", "name": "p", "namespace": chain.namespace}}
    code, created = call(chain, "POST", ns_path(chain, "events"), event)
    assert code == 201 and created["reportingComponent"] == "" and created["source"] == {}
    assert set(fields_of(created["metadata"]["managedFields"])) == {"f:involvedObject", "f:reason"}
    controller = {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "rc"},
                  "spec": {"selector": {"a": "b"}, "template": {"metadata": {"labels": {"a": "b"}}, "spec": {
                      "containers": [{"name": "c", "image": "i"}]}}}}
    code, created = call(chain, "POST", ns_path(chain, "replicationcontrollers"), controller)
    assert code == 201
    template = fields_of(created["metadata"]["managedFields"])["f:spec"]["f:template"]
    assert "f:creationTimestamp" in template["f:metadata"]


def test_a_pointer_struct_the_layouts_know_is_managed_itself(chain):
    """A ReplicationController's template is a *PodTemplateSpec (no '!' in its layout), absent
    from the zero object: a create adds it, so its managed fields hold its own '.', as the real
    server's do."""
    controller = {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "rc"},
                  "spec": {"selector": {"a": "b"}, "template": {"metadata": {"labels": {"a": "b"}}, "spec": {
                      "containers": [{"name": "c", "image": "i"}]}}}}
    code, created = call(chain, "POST", ns_path(chain, "replicationcontrollers"), controller)
    assert code == 201
    assert "." in fields_of(created["metadata"]["managedFields"])["f:spec"]["f:template"]


UNSORTED_POD = {"apiVersion": "v1", "kind": "Pod",
                "metadata": {"name": "unsorted", "labels": {"z": "1", "a": "2"}, "annotations": {"zz": "1", "aa": "2"}},
                "spec": {"nodeSelector": {"zz": "a", "aa": "b"}, "overhead": {"memory": "1.5Gi", "cpu": "0.5"},
                         "containers": [{"name": "c", "image": "nginx",
                                         "resources": {"limits": {"memory": "1.5Gi", "cpu": "1000m"}}}],
                         "volumes": [{"name": "v", "emptyDir": {"sizeLimit": "1.5k"}}]}}


def test_maps_are_written_with_their_keys_sorted():
    """encoding/json writes every Go map (labels, annotations, nodeSelector, a ResourceList) with
    its keys sorted, whatever order they were sent in."""
    encoded = gostruct.as_encoded(copy.deepcopy(UNSORTED_POD))
    assert list(encoded["metadata"]["labels"]) == ["a", "z"]
    assert list(encoded["metadata"]["annotations"]) == ["aa", "zz"]
    assert list(encoded["spec"]["nodeSelector"]) == ["aa", "zz"]
    assert list(encoded["spec"]["overhead"]) == ["cpu", "memory"]


def test_quantities_are_written_canonical():
    """A Quantity, alone or in a ResourceList, is written as Quantity.MarshalJSON writes it, as
    kube-apiserver 1.24 answered for this pod: 0.5 is 500m, 1.5Gi 1536Mi, 1000m 1, 1.5k 1500."""
    spec = gostruct.as_encoded(copy.deepcopy(UNSORTED_POD))["spec"]
    assert spec["overhead"] == {"cpu": "500m", "memory": "1536Mi"}
    assert spec["containers"][0]["resources"]["limits"] == {"cpu": "1", "memory": "1536Mi"}
    assert spec["volumes"][0]["emptyDir"] == {"sizeLimit": "1500"}


def test_decoding_keeps_the_quantities_and_map_order_sent():
    """The decoded object is what validation quotes: the texts sent, in the order sent."""
    decoded = gostruct.as_decoded(copy.deepcopy(UNSORTED_POD))
    assert decoded["metadata"]["labels"] == {"z": "1", "a": "2"} and list(decoded["spec"]["nodeSelector"]) == ["zz", "aa"]
    assert decoded["spec"]["containers"][0]["resources"]["limits"] == {"memory": "1.5Gi", "cpu": "1000m"}


def test_a_created_pod_is_stored_and_returned_canonical(chain):
    """What the create answers and what a get reads back have sorted maps and canonical quantities."""
    pod = {**copy.deepcopy(UNSORTED_POD), "metadata": {"name": "canonical", "labels": {"z": "1", "a": "2"}}}
    code, created = call(chain, "POST", ns_path(chain, "pods"), pod)
    assert code == 201
    _, read = call(chain, "GET", ns_path(chain, "pods", "canonical"))
    for answer in (created, read):
        assert list(answer["metadata"]["labels"]) == ["a", "z"]
        assert answer["spec"]["containers"][0]["resources"] == {"limits": {"cpu": "1", "memory": "1536Mi"},
                                                                "requests": {"cpu": "1", "memory": "1536Mi"}}


def test_an_embedded_objects_type_meta_comes_first():
    """A StatefulSet's claim template is a whole PersistentVolumeClaim, TypeMeta inline at the top
    of its struct: kube-apiserver 1.24 writes its kind and apiVersion before its metadata."""
    stateful_set = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "s"},
                    "spec": {"volumeClaimTemplates": [{"metadata": {"name": "data"}, "spec": {},
                                                       "apiVersion": "v1", "kind": "PersistentVolumeClaim"}]}}
    claim = gostruct.as_encoded(stateful_set)["spec"]["volumeClaimTemplates"][0]
    assert list(claim) == ["kind", "apiVersion", "metadata", "spec", "status"]


def test_an_update_writing_a_quantity_another_way_changes_nothing(chain):
    """A Deployment put back with its limits as first sent (0.5, 1.5Gi, for the stored 500m and
    1536Mi) and its labels in another order is the stored object: kube-apiserver 1.24 keeps its
    resourceVersion and generation (Semantic.DeepEqual compares quantities by value)."""
    deployment = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "same", "labels": {"z": "1", "a": "2"}},
                  "spec": {"selector": {"matchLabels": {"a": "1"}}, "template": {
                      "metadata": {"labels": {"a": "1"}},
                      "spec": {"containers": [{"name": "c", "image": "i",
                                               "resources": {"limits": {"memory": "1.5Gi", "cpu": "0.5"}}}]}}}}
    path = f"/apis/apps/v1/namespaces/{chain.namespace}/deployments"
    code, created = call(chain, "POST", path, deployment)
    assert code == 201
    again = copy.deepcopy(created)
    again["metadata"]["labels"] = {"z": "1", "a": "2"}
    again["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"] = {"memory": "1.5Gi", "cpu": "0.5"}
    code, updated = call(chain, "PUT", f"{path}/same", again)
    assert code == 200
    assert updated["metadata"]["resourceVersion"] == created["metadata"]["resourceVersion"]
    assert updated["metadata"]["generation"] == 1


@pytest.mark.parametrize("text", ["0001-01-01T00:00:00Z", "0001-01-01T00:00:00.000000Z", "0000-12-31T23:00:00-01:00"])
def test_a_time_naming_the_zero_instant_is_written_as_null(text):
    """metav1.Time and MicroTime marshal IsZero as null however the zero instant was written, in a
    pointer field (a Lease's acquireTime: kube-apiserver 1.24 answers `"acquireTime": null`) as in
    a struct one; decoding keeps the text, for validation to see it set."""
    lease = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "l"},
             "spec": {"acquireTime": text, "renewTime": "2024-05-01T10:00:00.000000Z"}}
    assert gostruct.as_encoded(lease)["spec"] == {"acquireTime": None, "renewTime": "2024-05-01T10:00:00.000000Z"}
    assert gostruct.as_decoded(lease)["spec"]["acquireTime"] == text
    event = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "e"}, "firstTimestamp": text,
             "lastTimestamp": "0001-01-01T00:00:01Z"}
    encoded = gostruct.as_encoded(event)
    assert (encoded["firstTimestamp"], encoded["lastTimestamp"]) == (None, "0001-01-01T00:00:01Z")
