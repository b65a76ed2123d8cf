"""Namespace deletion as pkg/registry/core/namespace/storage serves it: DELETE only marks a
namespace Terminating, and the namespace controller's PUT .../finalize ends it. Each test drives the
handler chain over a real registry on the reference etcd, in a namespace of its own."""
from __future__ import annotations

import json

import pytest

from reference_impl.machinery.clock import ManualClock
from reference_impl.apiserver.core.admission import new_admission_chain
from reference_impl.apiserver.storage.etcdclient import EtcdClient
from reference_impl.apiserver.core.handlers import Request
from reference_impl.apiserver.core.registry import Registry
from reference_impl.apiserver.adapter.server import HandlerChain
from tests.reference.etcd.processes import reference_server

NOW = 1_700_000_000.0
POD = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "web"},
       "spec": {"nodeName": "node-1", "containers": [{"name": "nginx", "image": "nginx:1.21"}]}}


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    with reference_server(tmp_path_factory.mktemp("etcd")) as server:
        client = EtcdClient(server.address)
        registry = Registry(client, ManualClock(NOW))
        yield HandlerChain(registry, admission=new_admission_chain(registry), now=lambda: NOW)
        registry.close()
        client.close()


@pytest.fixture
def ns(chain, request) -> str:
    name = "".join(c if c.isalnum() else "-" for c in request.node.name.lower())[:50].strip("-")
    assert call(chain, "POST", "/api/v1/namespaces", {"metadata": {"name": name}})[0] == 201
    return name


def call(chain, method: str, path: str, body=None):
    raw = json.dumps(body).encode() if body is not None else b""
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    response = chain.handle(Request(method, path, {}, headers, raw))
    return response.code, json.loads(response.body)


def finalize(chain, name: str, finalizers: list[str]):
    _, namespace = call(chain, "GET", f"/api/v1/namespaces/{name}")
    return call(chain, "PUT", f"/api/v1/namespaces/{name}/finalize",
                {**namespace, "spec": {"finalizers": finalizers}})


def test_new_namespace_carries_the_kubernetes_finalizer(chain, ns):
    """namespaceStrategy.PrepareForCreate: every namespace starts with spec.finalizers ["kubernetes"]."""
    _, namespace = call(chain, "GET", f"/api/v1/namespaces/{ns}")
    assert namespace["spec"]["finalizers"] == ["kubernetes"]


def test_a_created_namespace_is_active_with_the_kubernetes_finalizer_after_its_own(chain):
    """namespaceStrategy.PrepareForCreate: whatever status is sent, a new namespace is Active, and
    the kubernetes finalizer follows those it was given. It is set after the field manager ran, so
    no manager owns spec.finalizers unless it sent some (what the real kube-apiserver 1.24 answers)."""
    code, created = call(chain, "POST", "/api/v1/namespaces", {"metadata": {"name": "prepared"},
                                                              "spec": {"finalizers": ["example.com/x"]},
                                                              "status": {"phase": "Terminating"}})
    assert (code, created["spec"], created["status"]) == (
        201, {"finalizers": ["example.com/x", "kubernetes"]}, {"phase": "Active"})
    _, plain = call(chain, "POST", "/api/v1/namespaces", {"metadata": {"name": "plain"}})
    assert plain["spec"] == {"finalizers": ["kubernetes"]}
    assert plain["metadata"]["managedFields"][0]["fieldsV1"] == {
        "f:metadata": {"f:labels": {".": {}, "f:kubernetes.io/metadata.name": {}}}}


def test_an_update_keeps_the_stored_finalizers(chain, ns):
    """namespaceStrategy.PrepareForUpdate: only /finalize changes spec.finalizers; a PUT that sends
    others, or none, leaves them."""
    _, current = call(chain, "GET", f"/api/v1/namespaces/{ns}")
    for spec in ({"finalizers": ["other.io/y"]}, {}):
        code, updated = call(chain, "PUT", f"/api/v1/namespaces/{ns}", {**current, "spec": spec})
        assert (code, updated["spec"]) == (200, {"finalizers": ["kubernetes"]})
        current = updated


def test_delete_only_marks_the_namespace_terminating(chain, ns):
    """DELETE of a namespace with finalizers answers 200 with the namespace, now carrying a
    deletionTimestamp and phase Terminating; it and its pods stay."""
    call(chain, "POST", f"/api/v1/namespaces/{ns}/pods", POD)
    code, namespace = call(chain, "DELETE", f"/api/v1/namespaces/{ns}")
    assert code == 200 and namespace["kind"] == "Namespace"
    assert namespace["metadata"]["deletionTimestamp"] and namespace["status"]["phase"] == "Terminating"
    assert call(chain, "GET", f"/api/v1/namespaces/{ns}")[0] == 200
    pod = call(chain, "GET", f"/api/v1/namespaces/{ns}/pods/web")[1]
    assert not pod["metadata"].get("deletionTimestamp")


@pytest.mark.parametrize("field,label", [("uid", "UID"), ("resourceVersion", "ResourceVersion")])
def test_namespace_delete_precondition_conflict(chain, ns, field, label):
    """The namespace storage's Delete checks the uid and resourceVersion preconditions itself, before
    the generic store, with its own words and the resource (namespaces) as the 409's name."""
    _, namespace = call(chain, "GET", f"/api/v1/namespaces/{ns}")
    code, status = call(chain, "DELETE", f"/api/v1/namespaces/{ns}", {"preconditions": {field: "1"}})
    assert (code, status["reason"]) == (409, "Conflict")
    assert status["message"] == (f'Operation cannot be fulfilled on namespaces "{ns}": Precondition failed: '
                                 f'{label} in precondition: 1, {label} in object meta: {namespace["metadata"][field]}')
    assert not call(chain, "GET", f"/api/v1/namespaces/{ns}")[1]["metadata"].get("deletionTimestamp")


def test_second_delete_leaves_a_terminating_namespace_as_it_is(chain, ns):
    """A DELETE of a namespace already terminating changes nothing (not even its resourceVersion)."""
    _, first = call(chain, "DELETE", f"/api/v1/namespaces/{ns}")
    code, second = call(chain, "DELETE", f"/api/v1/namespaces/{ns}")
    assert code == 200 and second["metadata"] == first["metadata"]


def test_create_in_a_terminating_namespace_is_forbidden(chain, ns):
    """NamespaceLifecycle admission refuses creates in a Terminating namespace with 403."""
    call(chain, "DELETE", f"/api/v1/namespaces/{ns}")
    code, status = call(chain, "POST", f"/api/v1/namespaces/{ns}/pods", POD)
    assert code == 403 and status["details"]["causes"][0]["reason"] == "NamespaceTerminating"


def test_a_create_naming_another_namespace_is_forbidden_first_in_a_terminating_one(chain, ns):
    """In 1.24 rest.BeforeCreate compares the object's namespace with the request's, after
    admission: NamespaceLifecycle refuses a create in a terminating namespace first."""
    assert call(chain, "DELETE", f"/api/v1/namespaces/{ns}")[0] == 200
    code, status = call(chain, "POST", f"/api/v1/namespaces/{ns}/configmaps",
                        {"metadata": {"name": "c", "namespace": "other"}})
    assert (code, status["reason"]) == (403, "Forbidden"), status
    assert status["message"].endswith(f"unable to create new content in namespace {ns} because it is being terminated")


def test_a_create_naming_another_namespace_is_400_in_an_active_one(chain, ns):
    code, status = call(chain, "POST", f"/api/v1/namespaces/{ns}/configmaps",
                        {"metadata": {"name": "c", "namespace": "other"}})
    assert (code, status["message"]) == (
        400, "the namespace of the provided object does not match the namespace sent on the request")


def test_finalize_that_leaves_finalizers_keeps_the_namespace(chain, ns):
    """A finalize on a terminating namespace that leaves a spec finalizer keeps it, Terminating."""
    call(chain, "DELETE", f"/api/v1/namespaces/{ns}")
    code, namespace = finalize(chain, ns, ["example.com/other"])
    assert code == 200 and namespace["spec"]["finalizers"] == ["example.com/other"]
    assert call(chain, "GET", f"/api/v1/namespaces/{ns}")[1]["status"]["phase"] == "Terminating"


def test_finalize_that_empties_finalizers_removes_a_terminating_namespace(chain, ns):
    """ShouldDeleteNamespaceDuringUpdate: a finalize leaving spec.finalizers and
    metadata.finalizers empty on a namespace with a deletionTimestamp deletes it."""
    call(chain, "DELETE", f"/api/v1/namespaces/{ns}")
    assert finalize(chain, ns, [])[0] == 200
    assert call(chain, "GET", f"/api/v1/namespaces/{ns}")[0] == 404


def test_finalize_keeps_a_namespace_that_waits_on_metadata_finalizers(chain, ns):
    """Emptying spec.finalizers is not enough while metadata.finalizers remain."""
    _, namespace = call(chain, "GET", f"/api/v1/namespaces/{ns}")
    namespace["metadata"]["finalizers"] = ["example.com/hold"]
    call(chain, "PUT", f"/api/v1/namespaces/{ns}", namespace)
    call(chain, "DELETE", f"/api/v1/namespaces/{ns}")
    finalize(chain, ns, [])
    assert call(chain, "GET", f"/api/v1/namespaces/{ns}")[0] == 200


def test_finalize_of_a_namespace_not_being_deleted_only_updates_finalizers(chain, ns):
    """A finalize on an Active namespace changes spec.finalizers and nothing else; an empty list
    is omitempty, so the spec is left empty."""
    _, before = call(chain, "GET", f"/api/v1/namespaces/{ns}")
    code, after = finalize(chain, ns, [])
    assert code == 200 and after["spec"] == {}
    assert after["status"] == before["status"] and not after["metadata"].get("deletionTimestamp")
    assert call(chain, "GET", f"/api/v1/namespaces/{ns}")[0] == 200


def test_finalize_changes_nothing_but_spec_finalizers(chain, ns):
    """The finalize subresource ignores labels and status sent with it."""
    _, namespace = call(chain, "GET", f"/api/v1/namespaces/{ns}")
    namespace["metadata"]["labels"] = {"sneaked": "in"}
    namespace["status"] = {"phase": "Terminating"}
    _, after = call(chain, "PUT", f"/api/v1/namespaces/{ns}/finalize", namespace)
    assert "sneaked" not in (after["metadata"].get("labels") or {})
    assert after["status"]["phase"] == "Active"


QUALIFIED = ("must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
             "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation "
             "is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")


@pytest.mark.parametrize("finalizer,errors", [
    ("example.com/", ['spec.finalizers[0]: Invalid value: "example.com/": name part must be non-empty',
                      f'spec.finalizers[0]: Invalid value: "example.com/": name part {QUALIFIED}']),
    ("", ['spec.finalizers[0]: Invalid value: "": name part must be non-empty',
          f'spec.finalizers[0]: Invalid value: "": name part {QUALIFIED}',
          'spec.finalizers[0]: Invalid value: "": name is neither a standard finalizer name nor is it fully '
          'qualified']),
], ids=["no-name-part", "empty"])
def test_finalize_reports_problems_at_their_index(chain, ns, finalizer, errors):
    """ValidateNamespaceFinalizeUpdate: validateFinalizerName at spec.finalizers[i], one error per
    problem IsQualifiedName finds, then the standard-name check."""
    code, status = finalize(chain, ns, [finalizer])
    assert (code, status["message"]) == (422, f'Namespace "{ns}" is invalid: [{", ".join(errors)}]')


def test_a_namespace_s_finalizers_are_checked_at_spec_finalizers_one_problem_each(chain, ns):
    """ValidateNamespace (a create or update) names spec.finalizers without an index."""
    code, status = call(chain, "POST", "/api/v1/namespaces",
                        {"metadata": {"name": f"{ns}-bad"}, "spec": {"finalizers": ["example.com/"]}})
    assert (code, status["message"]) == (
        422, f'Namespace "{ns}-bad" is invalid: [spec.finalizers: Invalid value: "example.com/": name part must '
             f'be non-empty, spec.finalizers: Invalid value: "example.com/": name part {QUALIFIED}]')


@pytest.mark.parametrize("path", ["/api/v1/namespaces/nowhere/bindings", "/api/v1/namespaces/nowhere/pods/p/binding"])
def test_a_binding_in_a_namespace_that_does_not_exist_is_admissions_404_before_its_checks(chain, path):
    """Mutating admission (NamespaceLifecycle) runs before BindingREST's Create checks the target:
    the real 1.24 server answers a Binding without target.name in a missing namespace with 404."""
    code, status = call(chain, "POST", path, {"kind": "Binding", "metadata": {"name": "p"}, "target": {"kind": "Node"}})
    assert (code, status["reason"], status["message"]) == (404, "NotFound", 'namespaces "nowhere" not found')
