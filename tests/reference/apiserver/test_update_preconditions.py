"""The uid an update's body names is a precondition, and a Scale is validated as a Scale.

DefaultUpdatedObjectInfo.Preconditions makes a PUT's metadata.uid a storage precondition that the
etcd3 store checks before anything else in GuaranteedUpdate (a 409 carrying the StorageError); a
scale subresource's ScaleREST validates the Scale it is given (ValidateScale) and then checks
its uid against the parent's itself. Expected answers are the real 1.24 kube-apiserver's."""
from __future__ import annotations

import pytest

from tests.reference.apiserver.test_handlers import DEPLOYMENT, call, chain, etcd, ns_path, registry  # noqa: F401

MERGE_PATCH = "application/merge-patch+json"
LABELS = {"app": "web"}
TEMPLATE = {"metadata": {"labels": LABELS}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
WORKLOADS = {
    "deployments": ("apps/v1", DEPLOYMENT),
    "replicasets": ("apps/v1", {"apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": {"name": "web"},
                                "spec": {"replicas": 2, "selector": {"matchLabels": LABELS}, "template": TEMPLATE}}),
    "statefulsets": ("apps/v1", {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "web"},
                                 "spec": {"replicas": 2, "serviceName": "web", "selector": {"matchLabels": LABELS},
                                          "template": TEMPLATE}}),
    "replicationcontrollers": ("", {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "web"},
                                    "spec": {"replicas": 2, "selector": LABELS, "template": TEMPLATE}}),
}
DRY_RUN = {"dryRun": "All"}


def precondition_failed(qualified: str, name: str, key: str, uid: str) -> str:
    """The Conflict that Store.Update makes of the etcd3 store's failed uid precondition."""
    return (f'Operation cannot be fulfilled on {qualified} "{name}": StorageError: invalid object, Code: 4, '
            f"Key: {key}, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: "
            f"UID in precondition: x, UID in object meta: {uid}")


def test_an_update_naming_another_uid_is_409_with_the_storage_error(chain):
    """A PUT whose metadata.uid is not the stored object's fails the storage's uid precondition:
    409 naming the resource, with the StorageError. A dry run's DryRunnableStorage checks it
    itself and names the key below /registry; a write's etcd3 store names the whole key."""
    created = call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "c"}})[1]
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", "uid": "x"}}
    code, status = call(chain, "PUT", ns_path(chain, "configmaps", "c"), body, query=DRY_RUN)
    assert (code, status["reason"], status["message"]) == (409, "Conflict", precondition_failed(
        "configmaps", "c", f"/configmaps/{chain.namespace}/c", created["metadata"]["uid"]))
    assert status["details"] == {"name": "c", "kind": "configmaps"}
    code, status = call(chain, "PUT", ns_path(chain, "configmaps", "c"), body)
    assert (code, status["message"]) == (409, precondition_failed(
        "configmaps", "c", f"/registry/configmaps/{chain.namespace}/c", created["metadata"]["uid"]))


def test_the_uid_precondition_is_checked_before_the_update_is_validated(chain):
    """The store checks the precondition before the update function runs: a body that validation
    would refuse (no resourceVersion on a node, a status of another pod) is still a 409."""
    node = call(chain, "POST", "/api/v1/nodes", {"metadata": {"name": chain.namespace}})[1]
    body = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": chain.namespace, "uid": "x"}}
    code, status = call(chain, "PUT", f"/api/v1/nodes/{chain.namespace}", body, query=DRY_RUN)
    call(chain, "DELETE", f"/api/v1/nodes/{chain.namespace}")
    assert (code, status["message"]) == (409, precondition_failed(
        "nodes", chain.namespace, f"/minions/{chain.namespace}", node["metadata"]["uid"]))
    pod = call(chain, "POST", ns_path(chain, "pods"), {"metadata": {"name": "p"}, "spec": TEMPLATE["spec"]})[1]
    body = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "uid": "x"}}
    code, status = call(chain, "PUT", ns_path(chain, "pods", "p") + "/status", body, query=DRY_RUN)
    assert (code, status["message"]) == (409, precondition_failed(
        "pods", "p", f"/pods/{chain.namespace}/p", pod["metadata"]["uid"]))


def test_an_update_of_a_missing_object_naming_a_uid_is_409_not_404(chain):
    """The store checks the precondition against the zero object it reads for a missing key, whose
    uid is empty; so does a dry run."""
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "absent", "uid": "x"}}
    code, status = call(chain, "PUT", ns_path(chain, "configmaps", "absent"), body)
    assert (code, status["message"]) == (409, precondition_failed(
        "configmaps", "absent", f"/registry/configmaps/{chain.namespace}/absent", ""))
    code, status = call(chain, "PUT", ns_path(chain, "pods", "absent") + "/status",
                        {**body, "kind": "Pod"}, query=DRY_RUN)
    assert (code, status["message"]) == (409, precondition_failed(
        "pods", "absent", f"/pods/{chain.namespace}/absent", ""))


def test_an_update_naming_its_own_uid_succeeds(chain):
    """The precondition holds when the body names the stored uid."""
    created = call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "c"}})[1]
    body = {"metadata": {"name": "c", "uid": created["metadata"]["uid"]}, "data": {"a": "1"}}
    code, updated = call(chain, "PUT", ns_path(chain, "configmaps", "c"), body)
    assert (code, updated["data"]) == (200, {"a": "1"})


def _scale_path(chain, plural: str) -> str:
    group, workload = WORKLOADS[plural]
    call(chain, "POST", ns_path(chain, plural, group=group), workload)
    return ns_path(chain, plural, "web", group) + "/scale"


@pytest.mark.parametrize("plural", sorted(WORKLOADS))
def test_a_scale_without_a_namespace_is_invalid(chain, plural):
    """ScaleREST validates the Scale it is given with ValidateScale, whose ValidateObjectMeta
    requires a namespace: neither UpdateResource nor the patcher fills in the request's."""
    path = _scale_path(chain, plural)
    message = 'Scale.autoscaling "web" is invalid: metadata.namespace: Required value'
    body = {"kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": {"name": "web"}, "spec": {"replicas": 3}}
    code, status = call(chain, "PUT", path, body, query=DRY_RUN)
    assert (code, status["reason"], status["message"]) == (422, "Invalid", message)
    code, status = call(chain, "PATCH", path, {"metadata": {"namespace": None}}, content_type=MERGE_PATCH)
    assert (code, status["reason"], status["message"]) == (422, "Invalid", message)
    assert call(chain, "GET", path)[1]["spec"]["replicas"] == 2


@pytest.mark.parametrize("plural", sorted(WORKLOADS))
def test_a_scale_update_naming_another_uid_is_409_with_the_storage_error(chain, plural):
    """A scale PUT's uid is the parent's update precondition (scaleUpdatedObjectInfo passes the
    request's on): the store's 409, naming the parent resource and its key."""
    path = _scale_path(chain, plural)
    parent = call(chain, "GET", path.removesuffix("/scale"))[1]
    group = "apps" if WORKLOADS[plural][0] else ""
    body = {"kind": "Scale", "apiVersion": "autoscaling/v1",
            "metadata": {"name": "web", "namespace": chain.namespace, "uid": "x"}, "spec": {"replicas": 3}}
    code, status = call(chain, "PUT", path, body, query=DRY_RUN)
    prefix = "controllers" if plural == "replicationcontrollers" else plural
    assert (code, status["message"]) == (409, precondition_failed(
        f"{plural}.{group}" if group else plural, "web", f"/{prefix}/{chain.namespace}/web",
        parent["metadata"]["uid"]))


@pytest.mark.parametrize("plural", sorted(WORKLOADS))
def test_a_scale_patch_to_another_uid_is_409_from_the_scale_rest(chain, plural):
    """A patch leaves no precondition, but ScaleREST refuses a Scale whose uid is not the parent's:
    a 409 on `<plural>/scale` in the parent's group."""
    path = _scale_path(chain, plural)
    parent = call(chain, "GET", path.removesuffix("/scale"))[1]
    group = "apps" if WORKLOADS[plural][0] else ""
    code, status = call(chain, "PATCH", path, {"metadata": {"uid": "x"}}, content_type=MERGE_PATCH, query=DRY_RUN)
    qualified = f"{plural}/scale.{group}" if group else f"{plural}/scale"
    assert (code, status["reason"], status["message"]) == (409, "Conflict", (
        f'Operation cannot be fulfilled on {qualified} "web": Precondition failed: UID in precondition: x, '
        f'UID in object meta: {parent["metadata"]["uid"]}'))
    assert status["details"] == {"name": "web", "kind": f"{plural}/scale", **({"group": group} if group else {})}


def test_a_dry_run_update_without_resource_version_answers_the_stored_one(chain):
    """Store.Update gives an unconditional update the stored object's resourceVersion, so a dry
    run of one (which writes nothing) answers with it, as the real 1.24 server does; a real write
    answers with its new one."""
    created = call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "unconditional"}})[1]
    body = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "unconditional"}, "data": {"a": "b"}}
    code, dry = call(chain, "PUT", ns_path(chain, "configmaps", "unconditional"), body, query=DRY_RUN)
    assert (code, dry["metadata"]["resourceVersion"]) == (200, created["metadata"]["resourceVersion"])
    assert list(dry["metadata"]) == ["name", "namespace", "uid", "resourceVersion", "creationTimestamp"]
    code, written = call(chain, "PUT", ns_path(chain, "configmaps", "unconditional"), body)
    assert code == 200 and int(written["metadata"]["resourceVersion"]) > int(created["metadata"]["resourceVersion"])


def test_a_put_to_the_status_of_a_missing_service_creates_it(chain):
    """A service's status strategy embeds the service's, which creates on update: Store.Update
    creates through the status subresource (real 1.24: 201, then a GET answers 200), not a 404."""
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s2"}, "spec": {"ports": [{"port": 80}]}}
    path = ns_path(chain, "services", "s2")
    code, created = call(chain, "PUT", path + "/status", service)
    assert (code, created["metadata"]["name"]) == (201, "s2"), created
    assert call(chain, "GET", path)[0] == 200


def test_a_put_to_the_status_of_a_missing_service_is_managed_as_a_status_write(chain):
    """The create goes through the status endpoint's field manager: its managedFields entry names
    the status subresource and owns no spec field (the status strategy resets spec), as an apply
    to the status that creates the service records it."""
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s3"}, "spec": {"ports": [{"port": 80}]},
               "status": {"loadBalancer": {"ingress": [{"ip": "1.2.3.4"}]}}}
    code, created = call(chain, "PUT", ns_path(chain, "services", "s3") + "/status", service,
                         query={"fieldManager": "m"})
    assert code == 201, created
    [entry] = created["metadata"]["managedFields"]
    assert (entry["manager"], entry["operation"], entry.get("subresource")) == ("m", "Update", "status")
    assert "f:spec" not in entry["fieldsV1"]


@pytest.mark.parametrize("spec,expected", [
    ({"ports": [{"port": 80}]},
     {"ports": [{"protocol": "TCP", "port": 80, "targetPort": 80}], "type": "ClusterIP", "sessionAffinity": "None",
      "internalTrafficPolicy": "Cluster"}),
    ({"type": "NodePort", "ports": [{"port": 80}]},
     {"ports": [{"protocol": "TCP", "port": 80, "targetPort": 80}], "type": "NodePort", "sessionAffinity": "None",
      "externalTrafficPolicy": "Cluster", "internalTrafficPolicy": "Cluster"}),
], ids=["cluster-ip", "node-port"])
def test_a_service_created_through_its_status_allocates_nothing(chain, spec, expected):
    """The service's status store is a copy of its store made before BeginCreate is set, so a
    create through it allocates no cluster IP, IP families or node port: the spec the real 1.24
    server stored for these PUTs to services/NAME/status (and its status cleared)."""
    name = "s-" + spec.get("type", "clusterip").lower()
    service = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name}, "spec": spec,
               "status": {"loadBalancer": {"ingress": [{"ip": "1.2.3.4"}]}}}
    code, created = call(chain, "PUT", ns_path(chain, "services", name) + "/status", service)
    assert (code, created["spec"], created["status"]) == (201, expected, {"loadBalancer": {}}), created
    assert call(chain, "GET", ns_path(chain, "services", name))[1]["spec"] == expected


def test_a_put_that_loses_its_create_on_update_to_another_client_is_an_update_of_that_object(registry, chain):
    """A PUT of a missing object of a kind that creates on update (a Lease), whose create loses to
    another client's, is retried by GuaranteedUpdate as an update of the object now there: without
    a resourceVersion that is the update's 422 for a kind that needs one, never a 409
    AlreadyExists (real 1.24: 16 PUTs of one new lease at once, one 201 and fifteen of these)."""
    path = ns_path(chain, "leases", "l", "coordination.k8s.io/v1")
    create = registry.create
    rival = {"metadata": {"name": "l", "namespace": chain.namespace}, "spec": {"holderIdentity": "rival"}}

    def create_after_a_rival(resource, namespace, obj, **kwargs):
        registry.create = create
        create(resource, namespace, rival)
        return create(resource, namespace, obj, **kwargs)

    registry.create = create_after_a_rival
    lease = {"apiVersion": "coordination.k8s.io/v1", "kind": "Lease", "metadata": {"name": "l"},
             "spec": {"holderIdentity": "mine"}}
    code, body = call(chain, "PUT", path, lease)
    assert (code, body["reason"]) == (422, "Invalid"), body
    assert body["message"] == ('leases.coordination.k8s.io "l" is invalid: metadata.resourceVersion: '
                               'Invalid value: 0x0: must be specified for an update')
    assert call(chain, "GET", path)[1]["spec"]["holderIdentity"] == "rival"


@pytest.mark.parametrize("finalizers", [[], ["example.com/hold"]])
def test_a_delete_whose_object_changes_after_its_precondition_passed_is_409_with_the_storage_error(
        registry, chain, finalizers):
    """BeforeDelete checks a delete's resourceVersion precondition on the object Store.Delete read;
    when a write lands before the storage deletes (or marks) it, the storage's own check fails: a
    409 carrying the StorageError, as the real 1.24 kube-apiserver answers such a race (8 deletes
    with preconditions racing 8 updates: some of each wording)."""
    name = f"raced{len(finalizers)}"  # the two cases share a namespace (its name is cut short)
    path = ns_path(chain, "configmaps", name)
    created = call(chain, "POST", ns_path(chain, "configmaps"),
                   {"metadata": {"name": name, "finalizers": finalizers}, "data": {"a": "1"}})[1]
    rv = created["metadata"]["resourceVersion"]
    get, reads = registry.get, []

    def get_then_another_write(*args, **kwargs):
        found = get(*args, **kwargs)
        reads.append(found)
        if len(reads) == 2:  # the handler's read for admission, then Store.Delete's
            registry.get = get
            assert call(chain, "PATCH", path, {"data": {"a": "2"}}, content_type=MERGE_PATCH)[0] == 200
        return found

    registry.get = get_then_another_write
    code, status = call(chain, "DELETE", path, {"preconditions": {"resourceVersion": rv}})
    current = call(chain, "GET", path)[1]["metadata"]["resourceVersion"]
    key = f"/registry/configmaps/{chain.namespace}/{name}"
    assert (code, status["reason"]) == (409, "Conflict"), status
    assert status["message"] == (f'Operation cannot be fulfilled on configmaps "{name}": StorageError: invalid object, '
                                 f"Code: 4, Key: {key}, ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: "
                                 f"ResourceVersion in precondition: {rv}, ResourceVersion in object meta: {current}")
    call(chain, "PATCH", path, {"metadata": {"finalizers": None}}, content_type=MERGE_PATCH)
