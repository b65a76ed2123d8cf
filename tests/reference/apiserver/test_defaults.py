"""Defaulting as upstream's SetObjectDefaults_<Kind> funcs do it, and the DefaultTolerationSeconds
admission plugin: one rule per test, on plain dicts (no server)."""
from __future__ import annotations

import copy
from dataclasses import dataclass

import pytest

from reference_impl.apiserver import kinds
from reference_impl.apiserver.core.admission import CREATE, DefaultTolerationSeconds
from reference_impl.apiserver.kinds import set_object_defaults

POD_SPEC = {"containers": [{"name": "c", "image": "nginx:1.21"}]}
TEMPLATE = {"metadata": {"labels": {"app": "a"}}, "spec": POD_SPEC}


def defaulted(kind: str, obj: dict) -> dict:
    obj = {"metadata": {"name": "x"}, **copy.deepcopy(obj)}
    set_object_defaults(kind, obj)
    return obj


def workload(kind: str, **spec) -> dict:
    return defaulted(kind, {"spec": {"selector": {"matchLabels": {"app": "a"}}, "template": TEMPLATE, **spec}})


# --- Deployment ---

@pytest.mark.parametrize("strategy", [None, {}, {"type": "RollingUpdate"}, {"type": "RollingUpdate",
                                                                           "rollingUpdate": {}}])
def test_deployment_strategy_defaults_to_a_rolling_update_of_25_percent(strategy):
    """A missing, empty or type-only strategy becomes RollingUpdate with maxUnavailable and maxSurge
    25% (the real deployment controller loops on an empty type and crashes on a nil rollingUpdate)."""
    spec = {} if strategy is None else {"strategy": strategy}
    assert workload("Deployment", **spec)["spec"]["strategy"] == {
        "type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": "25%"}}


def test_deployment_rolling_update_keeps_what_was_set():
    """Only the missing bound of a rolling update is filled."""
    strategy = workload("Deployment", strategy={"rollingUpdate": {"maxSurge": 1}})["spec"]["strategy"]
    assert strategy == {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": "25%"}}


def test_a_recreate_deployment_gets_no_rolling_update():
    """Recreate has no rollingUpdate to fill."""
    assert workload("Deployment", strategy={"type": "Recreate"})["spec"]["strategy"] == {"type": "Recreate"}


def test_deployment_defaults_replicas_history_and_progress_deadline():
    """replicas 1, revisionHistoryLimit 10, progressDeadlineSeconds 600."""
    spec = workload("Deployment")["spec"]
    assert (spec["replicas"], spec["revisionHistoryLimit"], spec["progressDeadlineSeconds"]) == (1, 10, 600)


# --- DaemonSet, StatefulSet, ReplicaSet, ReplicationController ---

@pytest.mark.parametrize("strategy", [None, {}, {"type": "RollingUpdate"}])
def test_daemon_set_rolls_one_node_at_a_time_without_surge(strategy):
    """updateStrategy RollingUpdate, maxUnavailable 1, maxSurge 0; revisionHistoryLimit 10."""
    spec = workload("DaemonSet", **({} if strategy is None else {"updateStrategy": strategy}))["spec"]
    assert spec["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": 0}}
    assert spec["revisionHistoryLimit"] == 10


def test_daemon_set_on_delete_gets_no_rolling_update():
    """OnDelete has no rollingUpdate to fill."""
    assert workload("DaemonSet", updateStrategy={"type": "OnDelete"})["spec"]["updateStrategy"] == {
        "type": "OnDelete"}


def test_stateful_set_defaults_ordered_ready_and_partition_zero():
    """podManagementPolicy OrderedReady, updateStrategy RollingUpdate with partition 0, replicas 1,
    revisionHistoryLimit 10, and its claim templates' volumeMode Filesystem."""
    spec = workload("StatefulSet", volumeClaimTemplates=[{"metadata": {"name": "data"}, "spec": {}}])["spec"]
    assert spec["podManagementPolicy"] == "OrderedReady"
    assert spec["updateStrategy"] == {"type": "RollingUpdate", "rollingUpdate": {"partition": 0}}
    assert (spec["replicas"], spec["revisionHistoryLimit"]) == (1, 10)
    assert spec["volumeClaimTemplates"][0]["spec"]["volumeMode"] == "Filesystem"


def test_replication_controller_selects_and_labels_by_its_template():
    """An RC without a selector or labels takes the template's labels for both; replicas 1."""
    rc = defaulted("ReplicationController", {"spec": {"template": TEMPLATE}})
    assert rc["spec"]["selector"] == {"app": "a"} and rc["metadata"]["labels"] == {"app": "a"}
    assert rc["spec"]["replicas"] == 1


def test_workload_templates_get_pod_defaults():
    """Every kind with a pod template defaults it as a pod (here restartPolicy and dnsPolicy)."""
    for kind in ("Deployment", "ReplicaSet", "DaemonSet", "StatefulSet", "Job", "ReplicationController"):
        pod_spec = workload(kind)["spec"]["template"]["spec"]
        assert (pod_spec["restartPolicy"], pod_spec["dnsPolicy"]) == ("Always", "ClusterFirst"), kind


# --- Job and CronJob ---

def test_job_defaults_one_completion_one_pod_six_retries():
    """completions and parallelism 1 when neither is set, backoffLimit 6, completionMode NonIndexed,
    suspend false."""
    spec = defaulted("Job", {"spec": {"template": TEMPLATE}})["spec"]
    assert (spec["completions"], spec["parallelism"], spec["backoffLimit"]) == (1, 1, 6)
    assert (spec["completionMode"], spec["suspend"]) == ("NonIndexed", False)


def test_a_job_with_parallelism_only_keeps_completions_unset():
    """A work-queue job (parallelism set, completions not) keeps completions nil."""
    spec = defaulted("Job", {"spec": {"parallelism": 3, "template": TEMPLATE}})["spec"]
    assert "completions" not in spec and spec["parallelism"] == 3


def test_job_takes_its_template_labels_when_it_has_none():
    """A Job without labels is labelled as its pod template."""
    assert defaulted("Job", {"spec": {"template": TEMPLATE}})["metadata"]["labels"] == {"app": "a"}


def test_cron_job_defaults_allow_not_suspended_three_and_one_kept():
    """concurrencyPolicy Allow, suspend false, successful/failed history limits 3 and 1, and its
    job template's pods get pod defaults (but not Job defaults, as upstream)."""
    spec = defaulted("CronJob", {"spec": {"schedule": "* * * * *",
                                          "jobTemplate": {"spec": {"template": TEMPLATE}}}})["spec"]
    assert (spec["concurrencyPolicy"], spec["suspend"]) == ("Allow", False)
    assert (spec["successfulJobsHistoryLimit"], spec["failedJobsHistoryLimit"]) == (3, 1)
    assert spec["jobTemplate"]["spec"]["template"]["spec"]["restartPolicy"] == "Always"
    assert "backoffLimit" not in spec["jobTemplate"]["spec"]


# --- pods ---

def test_pod_spec_defaults():
    """terminationGracePeriodSeconds 30, dnsPolicy ClusterFirst, restartPolicy Always, schedulerName
    default-scheduler, securityContext {}, enableServiceLinks true."""
    spec = defaulted("Pod", {"spec": POD_SPEC})["spec"]
    assert {k: spec[k] for k in ("terminationGracePeriodSeconds", "dnsPolicy", "restartPolicy", "schedulerName",
                                 "securityContext", "enableServiceLinks")} == {
        "terminationGracePeriodSeconds": 30, "dnsPolicy": "ClusterFirst", "restartPolicy": "Always",
        "schedulerName": "default-scheduler", "securityContext": {}, "enableServiceLinks": True}


def test_container_defaults_termination_message_and_port_protocol():
    """terminationMessagePath /dev/termination-log, terminationMessagePolicy File, ports TCP."""
    c = defaulted("Pod", {"spec": {"containers": [{"name": "c", "image": "x:1", "ports": [
        {"containerPort": 80}]}]}})["spec"]["containers"][0]
    assert (c["terminationMessagePath"], c["terminationMessagePolicy"]) == ("/dev/termination-log", "File")
    assert c["ports"][0]["protocol"] == "TCP"


def test_zero_values_are_defaulted_as_go_sees_them():
    """SetDefaults_PodSpec, _Container and _Probe test Go's zero values: an empty string, a 0 or a
    null is defaulted as a missing field is (`restartPolicy: ""` becomes Always)."""
    container = {"name": "c", "image": "x:1", "imagePullPolicy": "", "terminationMessagePath": "",
                 "terminationMessagePolicy": None, "ports": [{"containerPort": 80, "protocol": ""}],
                 "livenessProbe": {"tcpSocket": {"port": 80}, "timeoutSeconds": 0, "periodSeconds": None,
                                   "successThreshold": 0, "failureThreshold": 0}}
    spec = defaulted("Pod", {"spec": {"containers": [container], "restartPolicy": "", "dnsPolicy": "",
                                      "schedulerName": "", "terminationGracePeriodSeconds": None,
                                      "securityContext": None, "enableServiceLinks": None}})["spec"]
    assert {k: spec[k] for k in ("restartPolicy", "dnsPolicy", "schedulerName", "terminationGracePeriodSeconds",
                                 "securityContext", "enableServiceLinks")} == {
        "restartPolicy": "Always", "dnsPolicy": "ClusterFirst", "schedulerName": "default-scheduler",
        "terminationGracePeriodSeconds": 30, "securityContext": {}, "enableServiceLinks": True}
    c = spec["containers"][0]
    assert (c["imagePullPolicy"], c["terminationMessagePath"], c["terminationMessagePolicy"]) == (
        "IfNotPresent", "/dev/termination-log", "File")
    assert c["ports"][0]["protocol"] == "TCP"
    assert {k: c["livenessProbe"][k] for k in ("timeoutSeconds", "periodSeconds", "successThreshold",
                                               "failureThreshold")} == {
        "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3}


@pytest.mark.parametrize("image,policy", [("nginx", "Always"), ("nginx:latest", "Always"),
                                          ("registry:5000/nginx", "Always"), ("nginx:1.21", "IfNotPresent"),
                                          ("registry:5000/nginx:1.21", "IfNotPresent"),
                                          ("nginx@sha256:" + "a" * 64, "IfNotPresent"),
                                          ("nginx:latest@sha256:" + "a" * 64, "Always")])
def test_image_pull_policy_is_always_for_latest_or_no_tag(image, policy):
    """imagePullPolicy Always when the image has no tag or the tag latest, else IfNotPresent (a
    registry port is not a tag; a digest pins the image)."""
    pod = defaulted("Pod", {"spec": {"containers": [{"name": "c", "image": image}]}})
    assert pod["spec"]["containers"][0]["imagePullPolicy"] == policy


def test_probes_get_timing_defaults():
    """A probe's timeoutSeconds 1, periodSeconds 10, successThreshold 1, failureThreshold 3."""
    c = defaulted("Pod", {"spec": {"containers": [{"name": "c", "image": "x:1", "readinessProbe": {
        "tcpSocket": {"port": 80}}}]}})["spec"]["containers"][0]
    assert c["readinessProbe"] == {"tcpSocket": {"port": 80}, "timeoutSeconds": 1, "periodSeconds": 10,
                                   "successThreshold": 1, "failureThreshold": 3}


@pytest.mark.parametrize("source", ["configMap", "secret", "downwardAPI", "projected"])
def test_volume_sources_get_default_mode_420(source):
    """configMap, secret, downwardAPI and projected volumes get defaultMode 420 (0644)."""
    volumes = defaulted("Pod", {"spec": {**POD_SPEC, "volumes": [{"name": "v", source: {}}]}})["spec"]["volumes"]
    assert volumes[0][source]["defaultMode"] == 420


def test_a_volume_without_a_source_is_an_empty_dir():
    """SetDefaults_Volume: a volume naming no source is an emptyDir."""
    volumes = defaulted("Pod", {"spec": {**POD_SPEC, "volumes": [{"name": "v"}]}})["spec"]["volumes"]
    assert volumes == [{"name": "v", "emptyDir": {}}]


def test_a_projected_token_lives_an_hour_unless_told():
    """SetDefaults_ServiceAccountTokenProjection: a serviceAccountToken projection without
    expirationSeconds asks for 3600."""
    volume = {"name": "v", "projected": {"sources": [{"serviceAccountToken": {"path": "token"}}]}}
    volumes = defaulted("Pod", {"spec": {**POD_SPEC, "volumes": [volume]}})["spec"]["volumes"]
    assert volumes[0]["projected"]["sources"] == [{"serviceAccountToken": {"path": "token", "expirationSeconds": 3600}}]


@pytest.mark.parametrize("kind", ["Pod", "Deployment"])
def test_an_ephemeral_volumes_claim_template_is_a_filesystem(kind):
    """SetObjectDefaults_Pod (and every pod template's) runs SetDefaults_PersistentVolumeClaimSpec
    on an ephemeral volume's claim template: volumeMode Filesystem."""
    claim = {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}
    volumes = [{"name": "v", "ephemeral": {"volumeClaimTemplate": {"spec": claim}}}]
    obj = (defaulted("Pod", {"spec": {**POD_SPEC, "volumes": volumes}}) if kind == "Pod" else
           workload(kind, template={**TEMPLATE, "spec": {**POD_SPEC, "volumes": volumes}}))
    pod_spec = obj["spec"] if kind == "Pod" else obj["spec"]["template"]["spec"]
    assert pod_spec["volumes"][0]["ephemeral"]["volumeClaimTemplate"]["spec"] == {**claim, "volumeMode": "Filesystem"}


@pytest.mark.parametrize("volume", [
    {"downwardAPI": {"items": [{"path": "ns", "fieldRef": {"fieldPath": "metadata.namespace"}}]}},
    {"projected": {"sources": [{"downwardAPI": {"items": [{"path": "ns",
                                                           "fieldRef": {"fieldPath": "metadata.namespace"}}]}}]}}])
def test_a_volumes_field_ref_is_to_v1(volume):
    """SetDefaults_ObjectFieldSelector: a downwardAPI item's fieldRef, in a downwardAPI volume or a
    projected one, names apiVersion v1 when it names none."""
    [volume] = defaulted("Pod", {"spec": {**POD_SPEC, "volumes": [{"name": "v", **volume}]}})["spec"]["volumes"]
    downward_api = volume.get("downwardAPI") or volume["projected"]["sources"][0]["downwardAPI"]
    assert downward_api["items"][0]["fieldRef"] == {"fieldPath": "metadata.namespace", "apiVersion": "v1"}


def test_requests_default_to_limits():
    """A container that sets only limits requests the same amounts."""
    c = defaulted("Pod", {"spec": {"containers": [{"name": "c", "image": "x:1", "resources": {
        "limits": {"cpu": "1"}}}]}})["spec"]["containers"][0]
    assert c["resources"]["requests"] == {"cpu": "1"}


@pytest.mark.parametrize("kind", ["Deployment", "DaemonSet", "ReplicaSet"])
def test_a_pod_template_gets_no_requests_from_limits_and_no_service_links(kind):
    """Requests from limits and enableServiceLinks are SetDefaults_Pod's, which only a Pod gets:
    a template's pod spec keeps limits alone and no enableServiceLinks."""
    template = {"metadata": {"labels": {"app": "a"}}, "spec": {"containers": [
        {"name": "c", "image": "x:1", "resources": {"limits": {"cpu": "1"}}}]}}
    spec = defaulted(kind, {"spec": {"selector": {"matchLabels": {"app": "a"}}, "template": template}})["spec"]
    pod_spec = spec["template"]["spec"]
    assert pod_spec["containers"][0]["resources"] == {"limits": {"cpu": "1"}}
    assert "enableServiceLinks" not in pod_spec


def test_an_embedded_object_meta_has_a_null_creation_timestamp():
    """A template's ObjectMeta is a struct Go always writes, its zero creationTimestamp as null:
    pod templates (sent without metadata too), a CronJob's job template and a StatefulSet's
    volume claim templates."""
    template = {"spec": POD_SPEC}
    assert workload("Deployment", template=template)["spec"]["template"]["metadata"] == {"creationTimestamp": None}
    cron = defaulted("CronJob", {"spec": {"schedule": "* * * * *", "jobTemplate": {"spec": {"template": TEMPLATE}}}})
    job_template = cron["spec"]["jobTemplate"]
    assert job_template["metadata"] == {"creationTimestamp": None}
    assert job_template["spec"]["template"]["metadata"] == {"creationTimestamp": None, "labels": {"app": "a"}}
    claim = {"metadata": {"name": "data"}, "spec": {"accessModes": ["ReadWriteOnce"]}}
    stateful = workload("StatefulSet", serviceName="s", volumeClaimTemplates=[claim])
    assert stateful["spec"]["volumeClaimTemplates"][0]["metadata"] == {"name": "data", "creationTimestamp": None}


def test_a_volume_claim_template_is_a_defaulted_v1_claim():
    """A StatefulSet's claim templates come back from conversion as v1 PersistentVolumeClaims
    (apiVersion and kind set over whatever was sent) with the claim's defaults: volumeMode
    Filesystem and status.phase Pending unless one was sent."""
    claims = [{"metadata": {"name": "a"}, "spec": {"accessModes": ["ReadWriteOnce"]}},
              {"apiVersion": "v9", "kind": "X", "metadata": {"name": "b"}, "spec": {}, "status": {"phase": "Bound"}}]
    first, second = workload("StatefulSet", serviceName="s", volumeClaimTemplates=claims)["spec"]["volumeClaimTemplates"]
    assert (first["apiVersion"], first["kind"], second["apiVersion"], second["kind"]) == (
        "v1", "PersistentVolumeClaim", "v1", "PersistentVolumeClaim")
    assert (first["spec"]["volumeMode"], first["status"], second["status"]) == (
        "Filesystem", {"phase": "Pending"}, {"phase": "Bound"})


# --- services, claims, volumes, storage ---

def test_service_defaults():
    """type ClusterIP, sessionAffinity None, ports TCP with targetPort = port."""
    spec = defaulted("Service", {"spec": {"ports": [{"port": 80}]}})["spec"]
    assert (spec["type"], spec["sessionAffinity"]) == ("ClusterIP", "None")
    assert spec["ports"] == [{"port": 80, "protocol": "TCP", "targetPort": 80}]


@pytest.mark.parametrize("service_type", ["ClusterIP", "NodePort", "LoadBalancer", "ExternalName"])
def test_every_service_routes_internal_traffic_cluster_wide(service_type):
    """SetDefaults_Service gives every type internalTrafficPolicy Cluster (the feature is on in
    1.24), so that the field counts as sent for the field manager."""
    assert defaulted("Service", {"spec": {"type": service_type}})["spec"]["internalTrafficPolicy"] == "Cluster"


def test_node_port_service_routes_external_traffic_cluster_wide():
    """NodePort and LoadBalancer services get externalTrafficPolicy Cluster."""
    assert defaulted("Service", {"spec": {"type": "NodePort", "ports": [{"port": 80}]}})["spec"][
        "externalTrafficPolicy"] == "Cluster"


def test_claims_and_volumes_are_filesystems_pending():
    """PVCs and PVs: volumeMode Filesystem, status.phase Pending; PVs reclaim Retain."""
    claim = defaulted("PersistentVolumeClaim", {"spec": {}})
    volume = defaulted("PersistentVolume", {"spec": {}})
    assert (claim["spec"]["volumeMode"], claim["status"]["phase"]) == ("Filesystem", "Pending")
    assert (volume["spec"]["volumeMode"], volume["spec"]["persistentVolumeReclaimPolicy"],
            volume["status"]["phase"]) == ("Filesystem", "Retain", "Pending")


def test_a_volume_attachment_is_written_not_attached():
    """VolumeAttachmentStatus.attached has no omitempty: Go writes false for a new attachment."""
    attachment = defaulted("VolumeAttachment", {"spec": {"attacher": "a.csi", "nodeName": "n1"}, "status": {}})
    assert attachment["status"] == {"attached": False}


def test_storage_class_deletes_and_binds_immediately():
    """StorageClass reclaimPolicy Delete, volumeBindingMode Immediate."""
    sc = defaulted("StorageClass", {"provisioner": "p"})
    assert (sc["reclaimPolicy"], sc["volumeBindingMode"]) == ("Delete", "Immediate")


def test_csi_driver_defaults():
    """CSIDriver: attachRequired true, podInfoOnMount false, fsGroupPolicy ReadWriteOnceWithFSType,
    volumeLifecycleModes [Persistent]."""
    spec = defaulted("CSIDriver", {"spec": {}})["spec"]
    assert (spec["attachRequired"], spec["podInfoOnMount"], spec["fsGroupPolicy"],
            spec["volumeLifecycleModes"]) == (True, False, "ReadWriteOnceWithFSType", ["Persistent"])


def test_endpoint_slice_ports_are_tcp():
    """EndpointSlice ports: protocol TCP, name empty."""
    assert defaulted("EndpointSlice", {"addressType": "IPv4", "ports": [{"port": 80}]})["ports"] == [
        {"port": 80, "protocol": "TCP", "name": ""}]


def test_defaults_leave_a_null_spec_alone_when_it_is_not_an_object():
    """A spec of the wrong type is not defaulted (validation or decoding refuses it), never a crash."""
    assert defaulted("Deployment", {"spec": ["x"]})["spec"] == ["x"]


# --- RBAC bindings ---

@pytest.mark.parametrize("kind", ["RoleBinding", "ClusterRoleBinding"])
def test_a_binding_role_ref_and_user_and_group_subjects_default_to_the_rbac_group(kind):
    """SetDefaults_RoleBinding and SetDefaults_ClusterRoleBinding fill an empty roleRef.apiGroup
    (a missing roleRef is Go's zero struct, so it gets one too); SetDefaults_Subject fills a User's
    or Group's apiGroup, and leaves a ServiceAccount's empty."""
    subjects = [{"kind": "User", "name": "u"}, {"kind": "Group", "name": "g"},
                {"kind": "ServiceAccount", "name": "s", "namespace": "n"}]
    binding = defaulted(kind, {"roleRef": {"kind": "ClusterRole", "name": "view"}, "subjects": subjects})
    assert binding["roleRef"]["apiGroup"] == "rbac.authorization.k8s.io"
    assert [s.get("apiGroup") for s in binding["subjects"]] == ["rbac.authorization.k8s.io"] * 2 + [None]
    assert defaulted(kind, {})["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io"}


# --- DefaultTolerationSeconds ---

@dataclass
class _Request:
    operation: str = CREATE
    resource: object = kinds.by_plural("pods")
    subresource: str = ""


NOT_READY = {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute",
             "tolerationSeconds": 300}
UNREACHABLE = {**NOT_READY, "key": "node.kubernetes.io/unreachable"}


def admitted(tolerations: list | None) -> list:
    pod = {"metadata": {"name": "p"}, "spec": {**POD_SPEC, **({"tolerations": tolerations} if tolerations
                                                              is not None else {})}}
    return DefaultTolerationSeconds().admit(_Request(), pod)["spec"]["tolerations"]


def test_pods_tolerate_not_ready_and_unreachable_for_300_seconds():
    """A pod without tolerations gets NoExecute not-ready and unreachable tolerations of 300 s."""
    assert admitted(None) == [NOT_READY, UNREACHABLE]


def test_a_pod_that_tolerates_not_ready_keeps_its_own_toleration():
    """Only the taint a pod does not already tolerate is added."""
    own = {"key": "node.kubernetes.io/not-ready", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 5}
    assert admitted([own]) == [own, UNREACHABLE]


def test_a_toleration_of_every_taint_needs_no_defaults():
    """An empty key with operator Exists tolerates both taints."""
    assert admitted([{"operator": "Exists"}]) == [{"operator": "Exists"}]


def test_default_toleration_seconds_ignores_other_resources():
    """Only pods are changed."""
    obj = {"metadata": {"name": "d"}, "spec": {}}
    assert DefaultTolerationSeconds().admit(_Request(resource=kinds.by_plural("deployments")), obj) == obj
    assert "tolerations" not in obj["spec"]


# --- v1 <-> internal conversion of the plural fields (pkg/apis/core/v1/conversion.go) ---

@pytest.mark.parametrize(("status", "converted"), [
    ({"podIP": "10.0.0.3", "podIPs": [{"ip": "10.0.0.1"}, {"ip": "fd00::1"}]},
     {"podIP": "10.0.0.3", "podIPs": [{"ip": "10.0.0.3"}]}),
    ({"podIP": "10.0.0.5"}, {"podIP": "10.0.0.5", "podIPs": [{"ip": "10.0.0.5"}]}),
    ({"podIPs": [{"ip": "10.0.0.1"}, {"ip": "fd00::1"}]},
     {"podIP": "10.0.0.1", "podIPs": [{"ip": "10.0.0.1"}, {"ip": "fd00::1"}]}),
    ({"podIP": "10.0.0.1", "podIPs": [{"ip": "10.0.0.1"}, {"ip": "fd00::1"}]},
     {"podIP": "10.0.0.1", "podIPs": [{"ip": "10.0.0.1"}, {"ip": "fd00::1"}]}),
    ({"phase": "Pending"}, {"phase": "Pending"}),
])
def test_a_pods_ip_is_authoritative_over_its_ips_as_the_conversion_makes_it(status, converted):
    """v1 PodIP, when set, is internal PodIPs[0]: the only one when PodIPs is empty or starts with
    another address (older kubelets set only podIP); back in v1, podIP is PodIPs[0]."""
    assert defaulted("Pod", {"spec": POD_SPEC, "status": status})["status"] == converted


@pytest.mark.parametrize(("spec", "converted"), [
    ({"podCIDR": "10.1.0.0/24", "podCIDRs": ["10.2.0.0/24"]}, {"podCIDR": "10.1.0.0/24", "podCIDRs": ["10.1.0.0/24"]}),
    ({"podCIDR": "10.1.0.0/24"}, {"podCIDR": "10.1.0.0/24", "podCIDRs": ["10.1.0.0/24"]}),
    ({"podCIDRs": ["10.1.0.0/24", "fd00::/64"]}, {"podCIDR": "10.1.0.0/24", "podCIDRs": ["10.1.0.0/24", "fd00::/64"]}),
    ({}, {}),
])
def test_a_nodes_pod_cidr_is_authoritative_over_its_cidrs_as_the_conversion_makes_it(spec, converted):
    assert defaulted("Node", {"spec": spec})["spec"] == converted


@pytest.mark.parametrize(("accounts", "converted"), [
    ({"serviceAccountName": "a"}, {"serviceAccountName": "a", "serviceAccount": "a"}),
    ({"serviceAccount": "a"}, {"serviceAccountName": "a", "serviceAccount": "a"}),
    ({"serviceAccountName": "a", "serviceAccount": "b"}, {"serviceAccountName": "a", "serviceAccount": "a"}),
    ({"serviceAccountName": "", "serviceAccount": ""}, {"serviceAccountName": ""}),
    ({}, {}),
])
@pytest.mark.parametrize("kind", ["Pod", "Deployment", "Job", "ReplicationController"])
def test_the_deprecated_service_account_follows_service_account_name_as_the_conversion_makes_it(
        kind, accounts, converted):
    """Internal PodSpec has ServiceAccountName only: v1 serviceAccount fills it when it is empty and
    is otherwise ignored, and comes back as a copy of it, in a pod and in every pod template (the
    real kube-apiserver 1.24 answers a Deployment naming serviceAccountName with both)."""
    spec = {**POD_SPEC, **accounts}
    if kind == "Pod":
        obj = defaulted(kind, {"spec": spec})["spec"]
    elif kind == "ReplicationController":
        obj = defaulted(kind, {"spec": {"selector": {"app": "a"}, "template": {**TEMPLATE, "spec": spec}}})
        obj = obj["spec"]["template"]["spec"]
    else:
        obj = defaulted(kind, {"spec": {"selector": {"matchLabels": {"app": "a"}},
                                        "template": {**TEMPLATE, "spec": spec}}})["spec"]["template"]["spec"]
    assert {key: obj[key] for key in ("serviceAccountName", "serviceAccount") if key in obj} == converted


def test_a_nodes_status_holds_every_system_info_field_and_the_kubelet_port():
    """NodeSystemInfo's strings and DaemonEndpoint.Port have no omitempty, and the structs holding
    them are no pointers: Go writes them all, empty or zero."""
    status = defaulted("Node", {"status": {"nodeInfo": {"kubeletVersion": "v1.24.0"}}})["status"]
    assert status == {
        "daemonEndpoints": {"kubeletEndpoint": {"Port": 0}},
        "nodeInfo": {"architecture": "", "bootID": "", "containerRuntimeVersion": "", "kernelVersion": "",
                     "kubeProxyVersion": "", "kubeletVersion": "v1.24.0", "machineID": "", "operatingSystem": "",
                     "osImage": "", "systemUUID": ""}}


def test_a_host_path_without_a_type_gets_the_empty_type():
    """SetDefaults_HostPathVolumeSource: a nil type is HostPathUnset (""), in a pod's volume and a
    PersistentVolume's source alike; a type given is kept (what the real kube-apiserver 1.24 writes)."""
    pod = defaulted("Pod", {"spec": {"containers": [{"name": "c", "image": "i"}],
                                     "volumes": [{"name": "h", "hostPath": {"path": "/x"}},
                                                 {"name": "d", "hostPath": {"path": "/y", "type": "Directory"}}]}})
    assert [v["hostPath"].get("type") for v in pod["spec"]["volumes"]] == ["", "Directory"]
    volume = defaulted("PersistentVolume", {"spec": {"hostPath": {"path": "/x"}}})
    assert volume["spec"]["hostPath"] == {"path": "/x", "type": ""}


PLUGIN_SOURCES = {"rbd": {"monitors": ["m"], "image": "i"}, "iscsi": {"targetPortal": "t", "iqn": "q", "lun": 0},
                  "scaleIO": {"gateway": "g", "system": "s"}, "azureDisk": {"diskName": "d", "diskURI": "u"}}
PLUGIN_DEFAULTS = {"rbd": {"pool": "rbd", "user": "admin", "keyring": "/etc/ceph/keyring"},
                   "iscsi": {"iscsiInterface": "default"},
                   "scaleIO": {"storageMode": "ThinProvisioned", "fsType": "xfs"},
                   "azureDisk": {"cachingMode": "ReadWrite", "kind": "Shared", "fsType": "ext4", "readOnly": False}}


@pytest.mark.parametrize("source", sorted(PLUGIN_SOURCES))
def test_plugin_volume_sources_get_their_drivers_defaults_in_pods_and_persistent_volumes(source):
    """rbd, iscsi, scaleIO and azureDisk sources are filled in with what their driver assumes (the
    real 1.24 apiserver returns them so), in a pod's volume and in a PersistentVolume alike."""
    pod = defaulted("Pod", {"spec": {**POD_SPEC, "volumes": [{"name": "v", source: PLUGIN_SOURCES[source]}]}})
    volume = defaulted("PersistentVolume", {"spec": {source: PLUGIN_SOURCES[source]}})
    expected = {**PLUGIN_SOURCES[source], **PLUGIN_DEFAULTS[source]}
    assert pod["spec"]["volumes"][0][source] == expected
    assert volume["spec"][source] == expected


def test_plugin_volume_source_defaults_keep_what_was_set():
    """A field given a value keeps it; an empty string is Go's zero value and is defaulted, a false
    readOnly is a set pointer and is kept."""
    pod = defaulted("Pod", {"spec": {**POD_SPEC, "volumes": [
        {"name": "r", "rbd": {"monitors": ["m"], "image": "i", "pool": "p", "user": ""}},
        {"name": "a", "azureDisk": {"diskName": "d", "diskURI": "u", "kind": "Managed", "readOnly": True}}]}})
    rbd, azure = pod["spec"]["volumes"][0]["rbd"], pod["spec"]["volumes"][1]["azureDisk"]
    assert (rbd["pool"], rbd["user"]) == ("p", "admin")
    assert (azure["kind"], azure["readOnly"], azure["cachingMode"]) == ("Managed", True, "ReadWrite")


# --- ResourceLists ---

FINE = {"cpu": "1n", "memory": "1.5Gi"}  # 1n rounds up to 1m; 1.5Gi is left as sent
ROUNDED = {"cpu": "1m", "memory": "1.5Gi"}


def test_every_resource_list_of_a_pod_is_rounded_up_to_thousandths():
    """SetDefaults_ResourceList on each container's limits and requests, an ephemeral volume's
    claim and the overhead (kube-apiserver 1.24 answers 1m for 1n in each)."""
    claim = {"volumeClaimTemplate": {"spec": {"resources": {"requests": dict(FINE)}}}}
    spec = defaulted("Pod", {"spec": {"containers": [{"name": "c", "resources": {"limits": dict(FINE)}}],
                                      "initContainers": [{"name": "i", "resources": {"requests": dict(FINE)}}],
                                      "overhead": dict(FINE), "volumes": [{"name": "v", "ephemeral": claim}]}})["spec"]
    assert spec["containers"][0]["resources"] == {"limits": ROUNDED, "requests": ROUNDED}
    assert spec["initContainers"][0]["resources"] == {"requests": ROUNDED}
    assert spec["overhead"] == ROUNDED
    assert spec["volumes"][0]["ephemeral"]["volumeClaimTemplate"]["spec"]["resources"] == {"requests": ROUNDED}


def test_a_workload_template_rounds_its_resource_lists():
    template = {"metadata": {"labels": {"app": "a"}},
                "spec": {"containers": [{"name": "c", "resources": {"limits": dict(FINE)}}]}}
    spec = defaulted("Deployment", {"spec": {"selector": {"matchLabels": {"app": "a"}}, "template": template}})["spec"]
    assert spec["template"]["spec"]["containers"][0]["resources"]["limits"] == ROUNDED


@pytest.mark.parametrize("kind, obj, paths", [
    ("Node", {"status": {"capacity": FINE}}, [("status", "capacity"), ("status", "allocatable")]),
    ("PersistentVolume", {"spec": {"capacity": FINE}}, [("spec", "capacity")]),
    ("PersistentVolumeClaim", {"spec": {"resources": {"limits": FINE, "requests": FINE}},
                               "status": {"capacity": FINE, "allocatedResources": FINE}},
     [("spec", "resources", "limits"), ("spec", "resources", "requests"), ("status", "capacity"),
      ("status", "allocatedResources")]),
    ("ResourceQuota", {"spec": {"hard": FINE}, "status": {"hard": FINE, "used": FINE}},
     [("spec", "hard"), ("status", "hard"), ("status", "used")]),
    ("LimitRange", {"spec": {"limits": [{"type": "Pod", "max": FINE, "min": FINE, "maxLimitRequestRatio": FINE}]}},
     [("spec", "limits", 0, "max"), ("spec", "limits", 0, "min"), ("spec", "limits", 0, "maxLimitRequestRatio")]),
    ("StatefulSet", {"spec": {"volumeClaimTemplates": [{"spec": {"resources": {"requests": FINE}}}]}},
     [("spec", "volumeClaimTemplates", 0, "spec", "resources", "requests")]),
    ("VolumeAttachment", {"spec": {"source": {"inlineVolumeSpec": {"capacity": FINE}}}},
     [("spec", "source", "inlineVolumeSpec", "capacity")]),
])
def test_each_kinds_resource_lists_are_rounded_up_to_thousandths(kind, obj, paths):
    """The ResourceLists the generated SetObjectDefaults funcs of core, apps and storage reach."""
    found = defaulted(kind, obj)
    for path in paths:
        value = found
        for step in path:
            value = value[step]
        assert value == ROUNDED, path


def test_a_runtime_class_overhead_is_not_rounded():
    """node.k8s.io has no defaulter calling SetDefaults_ResourceList."""
    runtime_class = defaulted("RuntimeClass", {"handler": "h", "overhead": {"podFixed": dict(FINE)}})
    assert runtime_class["overhead"]["podFixed"] == FINE
