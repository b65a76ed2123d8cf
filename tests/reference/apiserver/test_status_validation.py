"""Status subresources validate the status itself, as 1.24's status strategies do: a CSR's
conditions and certificate (ValidateCertificateSigningRequestStatusUpdate / ...ApprovalUpdate),
the workloads' counts (Validate<Kind>StatusUpdate).
Each test runs the registry against a real reference etcd and checks the 422 Status upstream
writes, or what the strategy's PrepareForUpdate keeps."""
from __future__ import annotations

import base64
import itertools
import random
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "etcd"))
import processes  # noqa: E402

from reference_impl.machinery.certutil import new_ca  # noqa: E402
from reference_impl.apiserver.core.errors import StatusError  # noqa: E402
from reference_impl.apiserver.core.validation import IP_MSG, SUBDOMAIN_MSG  # noqa: E402
from reference_impl.apiserver.core.registry import Registry  # noqa: E402
from reference_impl.apiserver.storage.etcdclient import EtcdClient  # noqa: E402
from reference_impl.machinery.clock import ManualClock  # noqa: E402
from reference_impl.machinery.labels import qualified_name_problems  # noqa: E402
from tests.reference.apiserver import csrs  # noqa: E402

_names = itertools.count()
CSRS = "certificatesigningrequests"
APPROVED = {"type": "Approved", "status": "True", "reason": "AutoApproved"}
DENIED = {"type": "Denied", "status": "True", "reason": "NotMine"}


@pytest.fixture(scope="module")
def registry(tmp_path_factory):
    with processes.reference_server(tmp_path_factory.mktemp("etcd") / "ref") as server:
        client = EtcdClient(server.client_url)
        registry = Registry(client, ManualClock(1_700_000_000), rng=random.Random(6))
        yield registry
        registry.close()
        client.close()


def invalid(call, *args, **kwargs) -> StatusError:
    with pytest.raises(StatusError) as raised:
        call(*args, **kwargs)
    assert raised.value.code == 422 and raised.value.reason == "Invalid"
    return raised.value


def causes(error: StatusError) -> list[tuple[str, str, str]]:
    return [(c["reason"], c["field"], c["message"]) for c in error.details["causes"]]


def pem(block_type: str, data: bytes) -> str:
    body = base64.encodebytes(data).decode()
    return f"-----BEGIN {block_type}-----\n{body}-----END {block_type}-----\n"


def b64(text: str) -> str:
    return base64.b64encode(text.encode()).decode()


def new_csr(registry, conditions: list | None = None) -> dict:
    """A stored CSR, approved or denied through /approval when `conditions` are given."""
    name = f"csr{next(_names)}"
    csr = registry.create(CSRS, None, {
        "apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest", "metadata": {"name": name},
        "spec": {"request": csrs.request(), "signerName": "kubernetes.io/kube-apiserver-client",
                 "usages": ["client auth"]}})
    if conditions:
        csr = registry.update(CSRS, None, name, {**csr, "status": {"conditions": conditions}}, subresource="approval")
    return csr


def test_a_status_update_keeps_the_stored_approved_condition(registry):
    """csrStatusStrategy.PrepareForUpdate puts the stored Approved/Denied conditions back in place
    of the ones sent, as long as the update keeps their number."""
    csr = new_csr(registry, [APPROVED])
    sent = {**csr, "status": {"conditions": [{**APPROVED, "reason": "Changed"}]}}
    updated = registry.update(CSRS, None, csr["metadata"]["name"], sent, subresource="status")
    assert updated["status"]["conditions"][0]["reason"] == "AutoApproved"


def test_a_status_update_may_not_add_an_approved_condition(registry):
    """Only /approval approves: a status update adding Approved is Forbidden."""
    csr = new_csr(registry)
    error = invalid(registry.update, CSRS, None, csr["metadata"]["name"],
                    {**csr, "status": {"conditions": [APPROVED]}}, subresource="status")
    assert error.message == (f'CertificateSigningRequest.certificates.k8s.io "{csr["metadata"]["name"]}" is invalid: '
                             'status.conditions: Forbidden: updates may not add a condition of type "Approved"')


def test_a_status_update_may_not_remove_a_denied_condition(registry):
    csr = new_csr(registry, [DENIED])
    error = invalid(registry.update, CSRS, None, csr["metadata"]["name"], {**csr, "status": {}}, subresource="status")
    assert causes(error) == [("FieldValueForbidden", "status.conditions",
                              'Forbidden: updates may not remove a condition of type "Denied"')]


def test_an_approval_may_not_both_approve_and_deny(registry):
    csr = new_csr(registry)
    error = invalid(registry.update, CSRS, None, csr["metadata"]["name"],
                    {**csr, "status": {"conditions": [APPROVED, DENIED]}}, subresource="approval")
    assert causes(error) == [("FieldValueInvalid", "status.conditions[1].type",
                              'Invalid value: "Denied": Approved and Denied conditions are mutually exclusive')]


def test_an_approval_may_not_repeat_a_condition_type(registry):
    csr = new_csr(registry)
    error = invalid(registry.update, CSRS, None, csr["metadata"]["name"],
                    {**csr, "status": {"conditions": [APPROVED, APPROVED]}}, subresource="approval")
    assert causes(error) == [("FieldValueDuplicate", "status.conditions[1].type", 'Duplicate value: "Approved"')]


def test_an_approval_condition_is_true_and_typed(registry):
    """Approved, Denied and Failed may only be True; any condition needs a type and a status."""
    csr = new_csr(registry)
    error = invalid(registry.update, CSRS, None, csr["metadata"]["name"],
                    {**csr, "status": {"conditions": [{**APPROVED, "status": "False"}, {"status": "True"},
                                                      {"type": "Custom"}]}}, subresource="approval")
    assert causes(error) == [
        ("FieldValueNotSupported", "status.conditions[0].status",
         'Unsupported value: "False": supported values: "True"'),
        ("FieldValueRequired", "status.conditions[1].type", "Required value"),
        ("FieldValueRequired", "status.conditions[2].status", "Required value")]


def test_an_approval_may_not_remove_an_approved_condition(registry):
    csr = new_csr(registry, [APPROVED])
    error = invalid(registry.update, CSRS, None, csr["metadata"]["name"],
                    {**csr, "status": {"conditions": []}}, subresource="approval")
    assert causes(error) == [("FieldValueForbidden", "status.conditions",
                              'Forbidden: updates may not remove a condition of type "Approved"')]


def test_an_approval_keeps_the_stored_certificate(registry):
    """csrApprovalStrategy changes only the conditions: a certificate sent with them is dropped,
    while the metadata sent is kept."""
    csr = new_csr(registry)
    csr["metadata"]["labels"] = {"approved-by": "me"}
    sent = {**csr, "status": {"conditions": [APPROVED], "certificate": b64(pem("CERTIFICATE", b"x"))}}
    approved = registry.update(CSRS, None, csr["metadata"]["name"], sent, subresource="approval")
    assert "certificate" not in approved["status"] and approved["metadata"]["labels"] == {"approved-by": "me"}


def test_a_certificate_is_set_once(registry):
    """The signer sets status.certificate through /status; changing it afterwards is Forbidden."""
    csr = new_csr(registry, [APPROVED])
    name = csr["metadata"]["name"]
    first, second = (b64(new_ca(f"signer-{n}").cert_pem.decode()) for n in (1, 2))
    issued = registry.update(CSRS, None, name, {**csr, "status": {**csr["status"], "certificate": first}},
                             subresource="status")
    assert issued["status"]["certificate"] == first
    changed = {**issued, "status": {**issued["status"], "certificate": second}}
    error = invalid(registry.update, CSRS, None, name, changed, subresource="status")
    assert causes(error) == [("FieldValueForbidden", "status.certificate",
                              "Forbidden: updates may not modify existing certificate content")]


@pytest.mark.parametrize("certificate,problem", [
    (pem("RSA PRIVATE KEY", b"key"), 'only CERTIFICATE PEM blocks are allowed, found "RSA PRIVATE KEY"'),
    ("not pem at all", "must contain at least one CERTIFICATE PEM block"),
    (pem("CERTIFICATE", b"key").replace("\n", "\nProc-Type: 4,ENCRYPTED\n\n", 1), "no PEM block headers are permitted"),
    (pem("CERTIFICATE", b"not DER"), "x509: malformed certificate"),
    (pem("CERTIFICATE", b""), "found CERTIFICATE PEM block containing 0 certificates"),
], ids=["other-block", "no-block", "headers", "not-der", "empty"])
def test_a_certificate_is_pem_certificate_blocks(registry, certificate, problem):
    """validateCertificate: only CERTIFICATE blocks, without headers, each holding certificates."""
    csr = new_csr(registry, [APPROVED])
    error = invalid(registry.update, CSRS, None, csr["metadata"]["name"],
                    {**csr, "status": {**csr["status"], "certificate": b64(certificate)}}, subresource="status")
    assert causes(error) == [("FieldValueInvalid", "status.certificate",
                              f'Invalid value: "<certificate data>": {problem}')]


def test_an_update_of_the_csr_keeps_its_spec_and_status(registry):
    """csrStrategy.PrepareForUpdate: a CSR is immutable after creation but through its subresources."""
    csr = new_csr(registry)
    sent = {**csr, "spec": {**csr["spec"], "usages": ["server auth"]}, "status": {"conditions": [APPROVED]}}
    updated = registry.update(CSRS, None, csr["metadata"]["name"], sent)
    assert updated["spec"]["usages"] == ["client auth"] and updated["status"] == csr["status"]


SELECTOR = {"matchLabels": {"app": "a"}}
TEMPLATE = {"metadata": {"labels": {"app": "a"}}, "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]}}
WORKLOADS = {
    "deployments": ("apps/v1", "Deployment", {"selector": SELECTOR, "template": TEMPLATE}),
    "replicasets": ("apps/v1", "ReplicaSet", {"selector": SELECTOR, "template": TEMPLATE}),
    "statefulsets": ("apps/v1", "StatefulSet", {"serviceName": "s", "selector": SELECTOR, "template": TEMPLATE}),
    "daemonsets": ("apps/v1", "DaemonSet", {"selector": SELECTOR, "template": TEMPLATE}),
    "jobs": ("batch/v1", "Job", {"template": {"spec": {**TEMPLATE["spec"], "restartPolicy": "Never"}}}),
    "replicationcontrollers": ("v1", "ReplicationController", {"selector": {"app": "a"}, "template": TEMPLATE}),
}


@pytest.fixture(scope="module")
def ns(registry):
    registry.create("namespaces", None, {"metadata": {"name": "status"}})
    return "status"


def new_workload(registry, ns: str, plural: str) -> dict:
    api_version, kind, spec = WORKLOADS[plural]
    return registry.create(plural, ns, {"apiVersion": api_version, "kind": kind,
                                        "metadata": {"name": f"w{next(_names)}"}, "spec": spec})


def update_status(registry, ns: str, obj: dict, plural: str, status: dict) -> dict:
    return registry.update(plural, ns, obj["metadata"]["name"], {**obj, "status": status}, subresource="status")


NEGATIVE = "must be greater than or equal to 0"
ABOVE_REPLICAS = "cannot be greater than status.replicas"


@pytest.mark.parametrize("plural,status,expected", [
    ("deployments", {"observedGeneration": -1, "replicas": 1, "updatedReplicas": 2, "readyReplicas": 2,
                     "availableReplicas": 3, "unavailableReplicas": -1, "collisionCount": -1},
     [("status.observedGeneration", -1, NEGATIVE), ("status.unavailableReplicas", -1, NEGATIVE),
      ("status.collisionCount", -1, NEGATIVE), ("status.updatedReplicas", 2, ABOVE_REPLICAS),
      ("status.readyReplicas", 2, ABOVE_REPLICAS), ("status.availableReplicas", 3, ABOVE_REPLICAS),
      ("status.availableReplicas", 3, "cannot be greater than readyReplicas")]),
    ("replicasets", {"replicas": -1, "fullyLabeledReplicas": 1, "readyReplicas": 0, "availableReplicas": 1,
                     "observedGeneration": -2},
     [("status.replicas", -1, NEGATIVE), ("status.observedGeneration", -2, NEGATIVE),
      ("status.fullyLabeledReplicas", 1, ABOVE_REPLICAS), ("status.readyReplicas", 0, ABOVE_REPLICAS),
      ("status.availableReplicas", 1, ABOVE_REPLICAS),
      ("status.availableReplicas", 1, "cannot be greater than readyReplicas")]),
    ("statefulsets", {"replicas": 1, "readyReplicas": 1, "currentReplicas": -1, "updatedReplicas": 2,
                      "availableReplicas": 2, "observedGeneration": -1},
     [("status.currentReplicas", -1, NEGATIVE), ("status.observedGeneration", -1, NEGATIVE),
      ("status.updatedReplicas", 2, ABOVE_REPLICAS), ("status.availableReplicas", 2, ABOVE_REPLICAS),
      ("status.availableReplicas", 2, "cannot be greater than readyReplicas")]),
    ("daemonsets", {"currentNumberScheduled": 0, "numberMisscheduled": -1, "desiredNumberScheduled": 0,
                    "numberReady": -2, "observedGeneration": -3, "numberUnavailable": -4, "collisionCount": -5},
     [("status.numberMisscheduled", -1, NEGATIVE), ("status.numberReady", -2, NEGATIVE),
      ("status.observedGeneration", -3, NEGATIVE), ("status.numberUnavailable", -4, NEGATIVE),
      ("status.collisionCount", -5, NEGATIVE)]),
    ("jobs", {"active": -1, "succeeded": -2, "failed": -3, "ready": -4},
     [("status.active", -1, NEGATIVE), ("status.succeeded", -2, NEGATIVE), ("status.failed", -3, NEGATIVE),
      ("status.ready", -4, NEGATIVE)]),
    ("replicationcontrollers", {"replicas": -1, "fullyLabeledReplicas": 1, "readyReplicas": 0,
                                "availableReplicas": 1, "observedGeneration": -2},
     [("status.replicas", -1, NEGATIVE), ("status.observedGeneration", -2, NEGATIVE),
      ("status.fullyLabeledReplicas", 1, ABOVE_REPLICAS), ("status.readyReplicas", 0, ABOVE_REPLICAS),
      ("status.availableReplicas", 1, ABOVE_REPLICAS),
      ("status.availableReplicas", 1, "cannot be greater than readyReplicas")]),
], ids=["deployments", "replicasets", "statefulsets", "daemonsets", "jobs", "replicationcontrollers"])
def test_a_workload_status_has_sane_counts(registry, ns, plural, status, expected):
    """Validate<Kind>Status: no negative count, none above status.replicas, no more available
    than ready pods; each error in upstream's order."""
    obj = new_workload(registry, ns, plural)
    error = invalid(update_status, registry, ns, obj, plural, status)
    assert causes(error) == [("FieldValueInvalid", path, f"Invalid value: {value}: {detail}")
                             for path, value, detail in expected]


def test_a_workload_status_error_is_a_422_naming_the_object(registry, ns):
    obj = new_workload(registry, ns, "replicasets")
    error = invalid(update_status, registry, ns, obj, "replicasets", {"replicas": 1, "readyReplicas": 2})
    assert error.message == (f'ReplicaSet.apps "{obj["metadata"]["name"]}" is invalid: '
                             "status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas")


@pytest.mark.parametrize("plural", ["deployments", "statefulsets", "daemonsets"])
@pytest.mark.parametrize("collision_count,shown", [(1, 1), (None, 0)], ids=["lowered", "dropped"])
def test_a_collision_count_is_never_decremented(registry, ns, plural, collision_count, shown):
    """IsDecremented: a collisionCount may grow, never shrink nor go away once set."""
    obj = new_workload(registry, ns, plural)
    obj = update_status(registry, ns, obj, plural, {**obj["status"], "collisionCount": 2})
    status = {key: value for key, value in obj["status"].items() if key != "collisionCount"}
    if collision_count is not None:
        status["collisionCount"] = collision_count
    error = invalid(update_status, registry, ns, obj, plural, status)
    assert causes(error) == [("FieldValueInvalid", "status.collisionCount",
                              f"Invalid value: {shown}: cannot be decremented")]


def test_a_job_counts_each_uncounted_pod_once(registry, ns):
    """validateJobStatus: uncountedTerminatedPods hold non-empty uids, none listed twice
    (succeeded and failed together)."""
    obj = new_workload(registry, ns, "jobs")
    error = invalid(update_status, registry, ns, obj, "jobs",
                    {"uncountedTerminatedPods": {"succeeded": ["a", ""], "failed": ["b", "a"]}})
    assert causes(error) == [
        ("FieldValueInvalid", "status.uncountedTerminatedPods.succeeded[1]", 'Invalid value: "": must not be empty'),
        ("FieldValueDuplicate", "status.uncountedTerminatedPods.failed[1]", 'Duplicate value: "a"')]


@pytest.mark.parametrize("point,expected", [
    ({"ip": "bogus"}, ("status.loadBalancer.ingress[0].ip", 'Invalid value: "bogus": must be a valid IP address')),
    ({"hostname": "1.2.3.4"}, ("status.loadBalancer.ingress[0].hostname",
                               'Invalid value: "1.2.3.4": must be a DNS name, not an IP address')),
])
def test_a_service_status_load_balancer_ingress_is_validated(registry, ns, point, expected):
    """ValidateServiceStatusUpdate runs ValidateLoadBalancerStatus on status.loadBalancer."""
    service = registry.create("services", ns, {"apiVersion": "v1", "kind": "Service",
                                               "metadata": {"name": f"s{next(_names)}"},
                                               "spec": {"ports": [{"port": 80}]}})
    error = invalid(update_status, registry, ns, service, "services", {"loadBalancer": {"ingress": [point]}})
    assert causes(error) == [("FieldValueInvalid", *expected)]


def new_pod(registry, ns: str) -> dict:
    return registry.create("pods", ns, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"p{next(_names)}"},
                                        "spec": TEMPLATE["spec"]})


@pytest.mark.parametrize("status,expected", [
    ({"podIP": "bogus"}, [("FieldValueInvalid", "status.podIPs[0]", f'Invalid value: "bogus": {IP_MSG}')]),
    ({"podIPs": [{"ip": "x"}]}, [("FieldValueInvalid", "status.podIPs[0]", f'Invalid value: "x": {IP_MSG}')]),
    ({"podIP": "bogus", "podIPs": [{"ip": "10.0.0.1"}]},
     [("FieldValueInvalid", "status.podIPs[0]", f'Invalid value: "bogus": {IP_MSG}')]),
], ids=["podIP", "podIPs", "podIP-wins"])
def test_a_pod_status_holds_valid_pod_ips(registry, ns, status, expected):
    """ValidatePodStatusUpdate's validatePodIPs: each IP valid. v1's podIP is podIPs[0]
    once converted, replacing podIPs when their first differs."""
    pod = new_pod(registry, ns)
    assert causes(invalid(update_status, registry, ns, pod, "pods", status)) == expected


def test_a_node_status_has_no_negative_resources(registry):
    """ValidateNodeUpdate's ValidateNodeResources: capacity and allocatable quantities not negative."""
    node = registry.create("nodes", None, {"apiVersion": "v1", "kind": "Node",
                                           "metadata": {"name": f"n{next(_names)}"}})
    error = invalid(update_status, registry, None, node, "nodes",
                    {"capacity": {"cpu": "2"}, "allocatable": {"cpu": "-1"}})
    assert causes(error) == [("FieldValueInvalid", "status.allocatable.cpu", f'Invalid value: "-1": {NEGATIVE}')]


def test_a_node_is_created_with_whole_extended_resources_only(registry):
    """ValidateNode's ValidateNodeResources, on create too: an extended resource of 1.5 in the
    capacity (and so in the allocatable it defaults) is refused, as kube-apiserver 1.24 refuses it."""
    node = {"apiVersion": "v1", "kind": "Node", "metadata": {"name": f"n{next(_names)}"},
            "status": {"capacity": {"example.com/x": "1.5", "cpu": "1.5"}}}
    error = invalid(registry.create, "nodes", None, node)
    shown = ('Invalid value: resource.Quantity{i:resource.int64Amount{value:15, scale:-1}, '
             'd:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"", Format:"DecimalSI"}: must be an integer')
    assert causes(error) == [("FieldValueInvalid", "status.capacity.example.com/x", shown),
                             ("FieldValueInvalid", "status.allocatable.example.com/x", shown)]


def test_a_namespace_phase_is_active_until_it_is_deleted(registry):
    """ValidateNamespaceStatusUpdate: with no deletionTimestamp the phase may only be Active."""
    namespace = registry.create("namespaces", None, {"metadata": {"name": f"n{next(_names)}"}})
    error = invalid(update_status, registry, None, namespace, "namespaces", {"phase": "Bogus"})
    assert causes(error) == [("FieldValueInvalid", "status.Phase",
                              "Invalid value: \"Bogus\": may only be 'Active' if `deletionTimestamp` is empty")]


FAMILIES = "may specify no more than one IP for each IP family"


def go_pod_ips(ips: list[str]) -> str:
    return "[]core.PodIP{" + ", ".join(f'core.PodIP{{IP:"{ip}"}}' for ip in ips) + "}"


@pytest.mark.parametrize("ips,expected", [
    (["10.0.0.1", "10.0.0.2"], [("FieldValueInvalid", "status.podIPs",
                                 f"Invalid value: {go_pod_ips(['10.0.0.1', '10.0.0.2'])}: {FAMILIES}")]),
    (["10.0.0.1", "fd00::1", "10.0.0.1"],
     [("FieldValueInvalid", "status.podIPs", f"Invalid value: {go_pod_ips(['10.0.0.1', 'fd00::1', '10.0.0.1'])}: "
                                             f"{FAMILIES}"),
      ("FieldValueDuplicate", "status.podIPs[2]", 'Duplicate value: core.PodIP{IP:"10.0.0.1"}')]),
    (["10.0.0.1", "x"],
     [("FieldValueInvalid", "status.podIPs[1]", f'Invalid value: "x": {IP_MSG}'),
      ("InternalError", "status.podIPs",
       "Internal error: failed to check for dual stack with error:ip <nil> is invalid"),
      ("FieldValueInvalid", "status.podIPs", f"Invalid value: {go_pod_ips(['10.0.0.1', 'x'])}: {FAMILIES}")]),
], ids=["one-family", "three", "invalid"])
def test_a_pod_status_holds_at_most_one_ip_per_family(registry, ns, ips, expected):
    """validatePodIPs: more than one pod IP must be one IPv4 and one IPv6 address, none repeated;
    an address that is no IP also fails IsDualStackIPStrings, reported as an internal error."""
    pod = new_pod(registry, ns)
    status = {"podIPs": [{"ip": ip} for ip in ips]}
    assert causes(invalid(update_status, registry, ns, pod, "pods", status)) == expected


def test_a_pod_status_may_hold_one_ip_of_each_family(registry, ns):
    pod = new_pod(registry, ns)
    updated = update_status(registry, ns, pod, "pods", {"podIPs": [{"ip": "fd00::1"}, {"ip": "10.0.0.1"}]})
    assert updated["status"]["podIPs"] == [{"ip": "fd00::1"}, {"ip": "10.0.0.1"}]


def test_a_pod_condition_type_is_a_qualified_name(registry, ns):
    """validatePodConditions: a condition type other than the system ones (PodScheduled, Ready,
    Initialized) is a qualified name; upstream reports it under metadata.conditions[i].Type."""
    pod = new_pod(registry, ns)
    types = ["PodScheduled", "a b", "example.com/Custom", "a/b/c"]
    status = {"conditions": [{"type": condition_type, "status": "True"} for condition_type in types]}
    error = invalid(update_status, registry, ns, pod, "pods", status)
    assert causes(error) == [
        ("FieldValueInvalid", "metadata.conditions[1].Type",
         f'Invalid value: "a b": {qualified_name_problems("a b")[0]}'),
        ("FieldValueInvalid", "metadata.conditions[3].Type",
         'Invalid value: "a/b/c": a qualified name must consist of alphanumeric characters, \'-\', \'_\' or \'.\', '
         "and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', "
         "regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain "
         "prefix and '/' (e.g. 'example.com/MyName')")]


@pytest.mark.parametrize("name,detail", [
    ("UPPER", SUBDOMAIN_MSG), ("n" * 254, "must be no more than 253 characters")], ids=["upper", "long"])
def test_a_pod_nominated_node_name_is_a_subdomain(registry, ns, name, detail):
    """ValidatePodStatusUpdate: a changed status.nominatedNodeName is a node name (a DNS subdomain)."""
    pod = new_pod(registry, ns)
    error = invalid(update_status, registry, ns, pod, "pods", {"nominatedNodeName": name})
    assert causes(error) == [("FieldValueInvalid", "status.nominatedNodeName", f'Invalid value: "{name}": {detail}')]


def terminated(name: str, exit_code: int) -> dict:
    return {"name": name, "ready": False, "restartCount": 0, "image": "busybox:1.36", "imageID": "",
            "state": {"terminated": {"exitCode": exit_code}}}


RUNNING = {"running": {"startedAt": "2024-01-01T00:00:00Z"}}
STUCK = "Forbidden: may not be transitioned to non-terminated state"


def finished_pod(registry, ns: str, restart_policy: str) -> dict:
    """A pod whose containers have all terminated: c and i with exit code 0, d and e with 1."""
    spec = {**TEMPLATE["spec"], "restartPolicy": restart_policy,
            "containers": [*TEMPLATE["spec"]["containers"], {"name": "d", "image": "busybox:1.36"}],
            "initContainers": [{"name": "i", "image": "busybox:1.36"}]}
    pod = registry.create("pods", ns, {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": f"p{next(_names)}"},
                                       "spec": spec})
    return update_status(registry, ns, pod, "pods", {
        "phase": "Failed", "containerStatuses": [terminated("c", 0), terminated("d", 1)],
        "initContainerStatuses": [terminated("i", 0)], "ephemeralContainerStatuses": [terminated("e", 1)]})


def restarted(pod: dict, field: str, name: str) -> dict:
    """The pod's status with container `name` of `field` running again."""
    statuses = [{**status, "state": RUNNING} if status["name"] == name else status for status in pod["status"][field]]
    return {**pod["status"], field: statuses}


@pytest.mark.parametrize("field,name,restart_policy,index", [
    ("containerStatuses", "c", "Never", 0), ("containerStatuses", "d", "Never", 1),
    ("containerStatuses", "c", "OnFailure", 0), ("initContainerStatuses", "i", "OnFailure", 0),
    ("ephemeralContainerStatuses", "e", "OnFailure", 0),
], ids=["succeeded", "failed", "succeeded-on-failure", "init", "ephemeral-never-restarts"])
def test_a_terminated_container_stays_terminated(registry, ns, field, name, restart_policy, index):
    """ValidateContainerStateTransition: unless the pod restarts it, a terminated container's status
    may not leave the terminated state. OnFailure restarts only failed containers; the kubelet
    restarts no ephemeral container."""
    pod = finished_pod(registry, ns, restart_policy)
    error = invalid(update_status, registry, ns, pod, "pods", restarted(pod, field, name))
    assert causes(error) == [("FieldValueForbidden", f"status.{field}[{index}].state", STUCK)]


@pytest.mark.parametrize("restart_policy,name", [("Always", "c"), ("OnFailure", "d")])
def test_a_restarted_container_may_run_again(registry, ns, restart_policy, name):
    pod = finished_pod(registry, ns, restart_policy)
    updated = update_status(registry, ns, pod, "pods", restarted(pod, "containerStatuses", name))
    assert [status["state"] for status in updated["status"]["containerStatuses"] if status["name"] == name] == [RUNNING]


def test_a_node_status_lists_each_address_once(registry):
    """ValidateNodeUpdate: no address (type and address together) twice in status.addresses."""
    node = registry.create("nodes", None, {"apiVersion": "v1", "kind": "Node",
                                           "metadata": {"name": f"n{next(_names)}"}})
    internal = {"type": "InternalIP", "address": "10.0.0.1"}
    error = invalid(update_status, registry, None, node, "nodes",
                    {"addresses": [internal, {**internal, "type": "ExternalIP"}, internal, internal]})
    shown = 'core.NodeAddress{Type:"InternalIP", Address:"10.0.0.1"}'
    assert causes(error) == [("FieldValueDuplicate", f"status.addresses[{index}]", f"Duplicate value: {shown}")
                             for index in (2, 3)]


def new_claim(registry, ns: str) -> dict:
    return registry.create("persistentvolumeclaims", ns, {
        "apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": {"name": f"c{next(_names)}"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}})


@pytest.mark.parametrize("storage,value", [("-1Gi", -1073741824), ("-1m", -1)])
def test_a_claim_status_capacity_is_not_negative(registry, ns, storage, value):
    """ValidatePersistentVolumeClaimStatusUpdate's validateBasicResource: each status.capacity
    quantity's Value() is not negative. Value() rounds away from zero, so -1m is -1."""
    claim = new_claim(registry, ns)
    error = invalid(update_status, registry, ns, claim, "persistentvolumeclaims", {"capacity": {"storage": storage}})
    assert causes(error) == [("FieldValueInvalid", "status.capacity[storage]",
                              f"Invalid value: {value}: must be a valid resource quantity")]
