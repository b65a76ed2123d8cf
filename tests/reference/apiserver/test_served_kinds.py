"""The kinds served for the 1.24 components (issue 12), through the handler chain on the reference
etcd: each one is discovered with its group/version, scope, short names and subresources; created,
read, listed with a label selector, watched, printed with kubectl's columns; and has an OpenAPI
definition. One rule per test; the kinds are parameters."""
from __future__ import annotations

import itertools
import json
import re

import pytest

from reference_impl.machinery.clock import ManualClock
from reference_impl.apiserver.core import openapi
from reference_impl.apiserver.storage.etcdclient import EtcdClient
from reference_impl.apiserver.core.registry import Registry
from reference_impl.apiserver.adapter.server import HandlerChain
from tests.reference.apiserver import csrs
from tests.reference.apiserver.test_handlers import TABLE, call
from tests.reference.etcd.processes import reference_server

NOW = 1_700_000_000.0
TEMPLATE = {"metadata": {"labels": {"app": "a"}},
            "spec": {"containers": [{"name": "c", "image": "busybox:1.36"}]}}
JOB_TEMPLATE = {"spec": {"containers": [{"name": "c", "image": "busybox:1.36"}], "restartPolicy": "Never"}}
SELECTOR = {"matchLabels": {"app": "a"}}
_names = itertools.count()


# (group/version, plural, namespaced, short names, subresources, body, printed columns, first cells)
KINDS = [
    ("v1", "persistentvolumes", False, ["pv"], ["status"],
     {"spec": {"capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"], "hostPath": {"path": "/x"}}},
     ["Name", "Capacity", "Access Modes", "Reclaim Policy", "Status", "Claim", "StorageClass", "Reason", "Age",
      "VolumeMode"], ["1Gi", "RWO", "Retain", "Pending"]),
    ("v1", "persistentvolumeclaims", True, ["pvc"], ["status"],
     {"spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}},
     ["Name", "Status", "Volume", "Capacity", "Access Modes", "StorageClass", "Age", "VolumeMode"], ["Pending"]),
    ("v1", "replicationcontrollers", True, ["rc"], ["status", "scale"], {"spec": {"replicas": 2, "template": TEMPLATE}},
     ["Name", "Desired", "Current", "Ready", "Age", "Containers", "Images", "Selector"], [2, 0, 0]),
    ("v1", "resourcequotas", True, ["quota"], ["status"], {"spec": {"hard": {"pods": "10"}}},
     ["Name", "Age", "Request", "Limit"], []),
    ("v1", "limitranges", True, ["limits"], [], {"spec": {"limits": [{"type": "Container"}]}},
     ["Name", "Created At"], []),
    ("v1", "podtemplates", True, [], [], {"template": TEMPLATE},
     ["Name", "Containers", "Images", "Pod Labels"], ["c", "busybox:1.36", "app=a"]),
    ("apps/v1", "daemonsets", True, ["ds"], ["status"], {"spec": {"selector": SELECTOR, "template": TEMPLATE}},
     ["Name", "Desired", "Current", "Ready", "Up-to-date", "Available", "Node Selector", "Age", "Containers",
      "Images", "Selector"], [0, 0, 0, 0, 0, "<none>"]),
    ("apps/v1", "statefulsets", True, ["sts"], ["status", "scale"],
     {"spec": {"serviceName": "s", "replicas": 3, "selector": SELECTOR, "template": TEMPLATE}},
     ["Name", "Ready", "Age", "Containers", "Images"], ["0/3"]),
    ("apps/v1", "controllerrevisions", True, [], [], {"data": {"x": 1}, "revision": 2},
     ["Name", "Controller", "Revision", "Age"], ["<none>", 2]),
    ("batch/v1", "jobs", True, [], ["status"], {"spec": {"template": JOB_TEMPLATE}},
     ["Name", "Completions", "Duration", "Age", "Containers", "Images", "Selector"], ["0/1", ""]),
    ("batch/v1", "cronjobs", True, ["cj"], ["status"],
     {"spec": {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": JOB_TEMPLATE}}}},
     ["Name", "Schedule", "Suspend", "Active", "Last Schedule", "Age", "Containers", "Images", "Selector"],
     ["*/5 * * * *", "False", 0, "<none>"]),  # printBoolPtr: a string, as kubectl get prints it
    ("policy/v1", "poddisruptionbudgets", True, ["pdb"], ["status"],
     {"spec": {"minAvailable": 1, "selector": SELECTOR}},
     ["Name", "Min Available", "Max Unavailable", "Allowed Disruptions", "Age"], ["1", "N/A", 0]),
    ("discovery.k8s.io/v1", "endpointslices", True, [], [],
     {"addressType": "IPv4", "endpoints": [{"addresses": ["10.0.0.1"]}], "ports": [{"port": 80}]},
     ["Name", "AddressType", "Ports", "Endpoints", "Age"], ["IPv4", "80", "10.0.0.1"]),
    ("node.k8s.io/v1", "runtimeclasses", False, [], [], {"handler": "runc"}, ["Name", "Handler", "Age"], ["runc"]),
    ("scheduling.k8s.io/v1", "priorityclasses", False, ["pc"], [], {"value": 1000},
     ["Name", "Value", "Global-Default", "Age"], [1000, False]),
    ("certificates.k8s.io/v1", "certificatesigningrequests", False, ["csr"], ["status", "approval"],
     {"spec": {"request": csrs.request(), "signerName": "kubernetes.io/kube-apiserver-client",
               "usages": ["client auth"], "username": "alice"}},
     ["Name", "Age", "SignerName", "Requestor", "RequestedDuration", "Condition"],
     ["90s", "kubernetes.io/kube-apiserver-client", "system:admin", "<none>", "Pending"]),  # who created it
    ("events.k8s.io/v1", "events", True, ["ev"], [],
     {"eventTime": "2023-11-14T22:13:20.000000Z", "reason": "Started", "note": "started", "type": "Normal",
      "regarding": {"kind": "Pod", "name": "p", "namespace": "kinds"}, "reportingController": "kubelet",
      "reportingInstance": "n1",
      "action": "Start"},
     ["Last Seen", "Type", "Reason", "Object", "Subobject", "Source", "Message", "First Seen", "Count", "Name"],
     []),
    ("storage.k8s.io/v1", "storageclasses", False, ["sc"], [], {"provisioner": "example.com/p"},
     ["Name", "Provisioner", "ReclaimPolicy", "VolumeBindingMode", "AllowVolumeExpansion", "Age"],
     ["example.com/p", "Delete", "Immediate", False]),
    ("storage.k8s.io/v1", "volumeattachments", False, [], ["status"],
     {"spec": {"attacher": "a", "nodeName": "n1", "source": {"persistentVolumeName": "pv1"}}},
     ["Name", "Attacher", "PV", "Node", "Attached", "Age"], ["a", "pv1", "n1", False]),
    ("storage.k8s.io/v1", "csidrivers", False, [], [], {"spec": {}},
     ["Name", "AttachRequired", "PodInfoOnMount", "StorageCapacity", "TokenRequests", "RequiresRepublish",
      "Modes", "Age"], [True, False, False, "<unset>", False, "Persistent"]),
    ("storage.k8s.io/v1", "csinodes", False, [], [], {"spec": {"drivers": [{"name": "d", "nodeID": "n1"}]}},
     ["Name", "Drivers", "Age"], [1]),
    # 1.24's registry gives it the default table convertor (the real server's columns).
    ("storage.k8s.io/v1beta1", "csistoragecapacities", True, [], [], {"storageClassName": "sc1", "capacity": "1Gi"},
     ["Name", "Created At"], []),
    ("networking.k8s.io/v1", "ingresses", True, ["ing"], ["status"],
     {"spec": {"rules": [{"host": "foo.com", "http": {"paths": [
         {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}},
     ["Name", "Class", "Hosts", "Address", "Ports", "Age"], ["<none>", "foo.com", "", "80"]),
    ("networking.k8s.io/v1", "ingressclasses", False, [], [], {"spec": {"controller": "example.com/ingress"}},
     ["Name", "Controller", "Parameters", "Age"], ["example.com/ingress", "<none>"]),
    ("networking.k8s.io/v1", "networkpolicies", True, ["netpol"], [],
     {"spec": {"podSelector": {"matchLabels": {"app": "a"}}}}, ["Name", "Pod-Selector", "Age"], ["app=a"]),
    ("autoscaling/v2", "horizontalpodautoscalers", True, ["hpa"], ["status"],
     {"spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "maxReplicas": 3}},
     ["Name", "Reference", "Targets", "MinPods", "MaxPods", "Replicas", "Age"],
     ["Deployment/web", "<unknown>/80%", "1", 3, 0]),
]
IDS = [f"{gv}/{plural}" for gv, plural, *_ in KINDS]


@pytest.fixture(scope="module")
def chain(tmp_path_factory):
    with reference_server(tmp_path_factory.mktemp("etcd")) as server:
        client = EtcdClient(server.address)
        registry = Registry(client, ManualClock(NOW))
        chain = HandlerChain(registry, now=lambda: NOW + 90)
        call(chain, "POST", "/api/v1/namespaces", {"metadata": {"name": "kinds"}})
        yield chain
        registry.close()
        client.close()


def collection(group_version: str, plural: str, namespaced: bool) -> str:
    root = "/api/v1" if group_version == "v1" else f"/apis/{group_version}"
    return f"{root}/namespaces/kinds/{plural}" if namespaced else f"{root}/{plural}"


def new_object(chain, group_version: str, plural: str, namespaced: bool, body: dict, name: str,
               labels: dict | None = None) -> tuple[int, dict]:
    _, discovery = call(chain, "GET", "/api/v1" if group_version == "v1" else f"/apis/{group_version}")
    kind = next(r["kind"] for r in discovery["resources"] if r["name"] == plural)
    obj = {"apiVersion": group_version, "kind": kind, "metadata": {"name": name, "labels": labels or {}}, **body}
    return call(chain, "POST", collection(group_version, plural, namespaced), obj)


@pytest.mark.parametrize("group_version,plural,namespaced,short_names,subresources", [k[:5] for k in KINDS], ids=IDS)
def test_each_kind_is_discovered_with_its_scope_short_names_and_subresources(
        chain, group_version, plural, namespaced, short_names, subresources):
    """Discovery lists the kind under its real group/version, with its scope, short names and
    subresources, and the group under /apis."""
    code, body = call(chain, "GET", "/api/v1" if group_version == "v1" else f"/apis/{group_version}")
    assert code == 200
    entries = {r["name"]: r for r in body["resources"]}
    entry = entries[plural]
    assert (entry["namespaced"], entry.get("shortNames", [])) == (namespaced, short_names)
    assert sorted(n.split("/")[1] for n in entries if n.startswith(plural + "/")) == sorted(subresources)
    if group_version != "v1":
        _, groups = call(chain, "GET", "/apis")
        group, version = group_version.split("/")
        assert version in [v["version"] for g in groups["groups"] if g["name"] == group for v in g["versions"]]


@pytest.mark.parametrize("group_version,plural,namespaced,short_names,subresources,body,columns,cells", KINDS, ids=IDS)
def test_each_kind_is_created_read_and_printed_with_kubectl_columns(
        chain, group_version, plural, namespaced, short_names, subresources, body, columns, cells):
    """Create answers 201 with the stored object, get reads it back, and the Table has the columns
    printers.go registers for the kind, with the cells it fills."""
    code, created = new_object(chain, group_version, plural, namespaced, body, "one")
    assert code == 201, created
    code, got = call(chain, "GET", f"{collection(group_version, plural, namespaced)}/one")
    assert code == 200 and got["metadata"]["uid"] == created["metadata"]["uid"]
    code, table = call(chain, "GET", f"{collection(group_version, plural, namespaced)}/one", accept=TABLE)
    assert code == 200
    assert [c["name"] for c in table["columnDefinitions"]] == columns
    row = table["rows"][0]["cells"]
    if columns[0] == "Name":
        assert row[0] == "one"
        assert row[1:1 + len(cells)] == cells
    assert len(row) == len(columns)


@pytest.mark.parametrize("group_version,plural,namespaced,body", [(k[0], k[1], k[2], k[5]) for k in KINDS], ids=IDS)
def test_each_kind_is_listed_with_a_label_selector_and_watched(chain, group_version, plural, namespaced, body):
    """A list with a label selector returns only the matching objects, and a watch sends them as ADDED."""
    assert new_object(chain, group_version, plural, namespaced, body, "blue", {"colour": "blue"})[0] == 201
    assert new_object(chain, group_version, plural, namespaced, body, "red", {"colour": "red"})[0] == 201
    path = collection(group_version, plural, namespaced)
    code, listed = call(chain, "GET", path, query={"labelSelector": "colour=blue"})
    assert code == 200 and [o["metadata"]["name"] for o in listed["items"]] == ["blue"]
    assert listed["kind"].endswith("List")
    code, watch = call(chain, "GET", path, query={"watch": "1", "labelSelector": "colour=red"})
    try:
        event = json.loads(next(iter(watch.chunks)))
    finally:
        watch.stop()
    assert (event["type"], event["object"]["metadata"]["name"]) == ("ADDED", "red")


@pytest.mark.parametrize("group_version,plural", [k[:2] for k in KINDS], ids=IDS)
def test_each_kind_has_an_openapi_definition_for_it_and_its_list(group_version, plural):
    """kubectl finds the kind's definition (and its List's) by x-kubernetes-group-version-kind."""
    group, _, version = group_version.rpartition("/")
    kinds = {(g["group"], g["version"], g["kind"]) for schema in openapi.definitions().values()
             for g in schema.get("x-kubernetes-group-version-kind", ())}
    served = {k for k in kinds if k[:2] == (group, version)}
    assert any((group, version, kind + "List") in served for _, _, kind in served)


def test_an_invalid_name_is_refused(chain):
    """Names are validated for the new kinds too: a DNS subdomain."""
    code, body = new_object(chain, "storage.k8s.io/v1", "storageclasses", False, {"provisioner": "p"}, "Bad_Name")
    assert code == 422 and "metadata.name" in body["message"]


def test_a_generated_job_name_is_its_pods_job_name_label(chain):
    """The job strategy generates the selector in Validate, after BeforeCreate has generated the
    name: a Job made with generateName labels its template with that name, not with ""."""
    body = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"generateName": "gen-"},
            "spec": {"template": JOB_TEMPLATE}}
    code, job = call(chain, "POST", collection("batch/v1", "jobs", True), body)
    assert code == 201, job
    assert job["spec"]["template"]["metadata"]["labels"]["job-name"] == job["metadata"]["name"]


def test_a_job_selects_its_pods_by_its_uid(chain):
    """A Job without manualSelector gets selector controller-uid=<uid>, and its template carries that
    label and job-name."""
    code, job = new_object(chain, "batch/v1", "jobs", True, {"spec": {"template": JOB_TEMPLATE}}, "selected")
    assert code == 201
    uid = job["metadata"]["uid"]
    assert job["spec"]["selector"] == {"matchLabels": {"controller-uid": uid}}
    assert job["spec"]["template"]["metadata"]["labels"] == {"controller-uid": uid, "job-name": "selected"}


def test_a_job_pod_template_must_not_restart_always(chain):
    """Job pods restart OnFailure or Never; the pod default Always counts as not given: Required."""
    code, body = new_object(chain, "batch/v1", "jobs", True, {"spec": {"template": TEMPLATE}}, "always")
    assert (code, body["message"]) == (422, 'Job.batch "always" is invalid: spec.template.spec.restartPolicy: '
                                             'Required value: valid values: "OnFailure", "Never"')


def test_a_job_without_a_spec_misses_containers_and_a_restart_policy(chain):
    """validateJobSpec checks the restart policy after the whole pod template, even one without
    containers."""
    code, body = new_object(chain, "batch/v1", "jobs", True, {}, "no-spec")
    assert (code, body["message"]) == (422, 'Job.batch "no-spec" is invalid: [spec.template.spec.containers: '
                                             'Required value, spec.template.spec.restartPolicy: Required value: '
                                             'valid values: "OnFailure", "Never"]')


def test_a_job_labelled_by_its_template_also_gets_the_generated_labels(chain):
    """SetDefaults_Job makes an unlabelled Job's labels its template's label map itself (a Go map
    alias), so the job-name and controller-uid labels generateSelector adds to the template are the
    Job's labels too."""
    template = {**JOB_TEMPLATE, "metadata": {"labels": {"app": "a"}}}
    code, job = new_object(chain, "batch/v1", "jobs", True, {"spec": {"template": template}}, "aliased")
    assert code == 201
    uid = job["metadata"]["uid"]
    assert job["metadata"]["labels"] == {"app": "a", "controller-uid": uid, "job-name": "aliased"}


def test_a_job_name_that_is_no_label_value_fails_both_label_maps(chain):
    """The job-name label, on the template and (through the alias) on the Job, is validated as a
    label value."""
    template = {**JOB_TEMPLATE, "metadata": {"labels": {"app": "a"}}}
    name = "a" * 64
    code, body = new_object(chain, "batch/v1", "jobs", True, {"spec": {"template": template}}, name)
    assert (code, body["message"]) == (422, f'Job.batch "{name}" is invalid: [metadata.labels: Invalid value: '
                                             f'"{name}": must be no more than 63 characters, spec.template.labels: '
                                             f'Invalid value: "{name}": must be no more than 63 characters]')


def test_a_job_whose_uid_is_changed_fails_its_generated_selector(chain):
    """A changed uid is not refused up front: rest.BeforeUpdate's common checks say it is immutable,
    and ValidateGeneratedSelector then compares the labels and selector with the uid sent."""
    code, job = new_object(chain, "batch/v1", "jobs", True, {"spec": {"template": JOB_TEMPLATE}}, "new-uid")
    assert code == 201
    uid = job["metadata"]["uid"]
    code, body = call(chain, "PATCH", f"{collection('batch/v1', 'jobs', True)}/new-uid", {"metadata": {"uid": "x"}},
                      content_type="application/merge-patch+json")
    assert (code, body["message"]) == (422, (
        'Job.batch "new-uid" is invalid: [metadata.uid: Invalid value: "x": field is immutable, '
        f'spec.template.metadata.labels[controller-uid]: Invalid value: map[string]string{{"controller-uid":"{uid}", '
        '"job-name":"new-uid"}: must be \'x\', spec.selector: Invalid value: v1.LabelSelector{MatchLabels:'
        f'map[string]string{{"controller-uid":"{uid}"}}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}}: '
        '`selector` not auto-generated]'))


def test_a_job_update_without_a_selector_requires_one(chain):
    """An update is checked by ValidateJob and ValidateJobUpdate, which both run ValidateJobSpec; the
    message names each error once (ToAggregate drops repeats). A nil selector matches nothing."""
    code, job = new_object(chain, "batch/v1", "jobs", True, {"spec": {"template": JOB_TEMPLATE}}, "no-selector")
    assert code == 201
    del job["spec"]["selector"]
    code, body = call(chain, "PUT", f"{collection('batch/v1', 'jobs', True)}/no-selector", job)
    labels = job["spec"]["template"]["metadata"]["labels"]
    assert (code, body["message"]) == (422, (
        'Job.batch "no-selector" is invalid: [spec.selector: Required value, spec.template.metadata.labels: '
        f'Invalid value: map[string]string{{"controller-uid":"{labels["controller-uid"]}", "job-name":"no-selector"}}: '
        '`selector` does not match template `labels`, spec.selector: Invalid value: "null": field is immutable]'))


def _job_changed(chain, name: str, change, suspend: bool = False) -> tuple[int, dict]:
    """Create a Job, then PUT it back with `change(job)` applied."""
    code, job = new_object(chain, "batch/v1", "jobs", True,
                           {"spec": {"template": JOB_TEMPLATE, "suspend": suspend, "completions": 2}}, name)
    assert code == 201, job
    change(job)
    return call(chain, "PUT", f"{collection('batch/v1', 'jobs', True)}/{name}", job)


@pytest.mark.parametrize("field,change,message", [
    ("completions", lambda job: job["spec"].update(completions=3), "spec.completions: Invalid value: 3: "),
    ("completionMode", lambda job: job["spec"].update(completionMode="Indexed"),
     'spec.completionMode: Invalid value: "Indexed": '),
    ("image", lambda job: job["spec"]["template"]["spec"]["containers"][0].update(image="busybox:1.35"),
     "spec.template: Invalid value: core.PodTemplateSpec{"),
    ("nodeSelector", lambda job: job["spec"]["template"]["spec"].update(nodeSelector={"a": "b"}),
     "spec.template: Invalid value: core.PodTemplateSpec{"),
])
def test_a_job_s_completions_mode_and_template_are_immutable(chain, field, change, message):
    """ValidateJobSpecUpdate."""
    code, body = _job_changed(chain, f"immutable-{field.lower()}", change)
    assert code == 422 and message in body["message"] and body["message"].endswith(": field is immutable"), body


# What a real 1.24 server answers for this change of JOB_TEMPLATE's image, its pointers'
# addresses at the reference's one fixed address and the Job's controller-uid as {uid}.
REAL_TEMPLATE_MESSAGE = (
    'Job.batch "template-text" is invalid: spec.template: Invalid value: core.PodTemplateSpec{ObjectMeta:v1.ObjectMeta{'
    'Name:"", GenerateName:"", Namespace:"", SelfLink:"", UID:"", ResourceVersion:"", Generation:0, '
    'CreationTimestamp:time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC), DeletionTimestamp:<nil>, '
    'DeletionGracePeriodSeconds:(*int64)(nil), Labels:map[string]string{"controller-uid":"{uid}", '
    '"job-name":"template-text"}, Annotations:map[string]string(nil), OwnerReferences:[]v1.OwnerReference(nil), '
    'Finalizers:[]string(nil), ClusterName:"", ManagedFields:[]v1.ManagedFieldsEntry(nil)}, Spec:core.PodSpec{'
    'Volumes:[]core.Volume(nil), InitContainers:[]core.Container(nil), Containers:[]core.Container{core.Container{'
    'Name:"c", Image:"busybox:1.35", Command:[]string(nil), Args:[]string(nil), WorkingDir:"", '
    'Ports:[]core.ContainerPort(nil), EnvFrom:[]core.EnvFromSource(nil), Env:[]core.EnvVar(nil), '
    'Resources:core.ResourceRequirements{Limits:core.ResourceList(nil), Requests:core.ResourceList(nil)}, '
    'VolumeMounts:[]core.VolumeMount(nil), VolumeDevices:[]core.VolumeDevice(nil), LivenessProbe:(*core.Probe)(nil), '
    'ReadinessProbe:(*core.Probe)(nil), StartupProbe:(*core.Probe)(nil), Lifecycle:(*core.Lifecycle)(nil), '
    'TerminationMessagePath:"/dev/termination-log", TerminationMessagePolicy:"File", ImagePullPolicy:"IfNotPresent", '
    'SecurityContext:(*core.SecurityContext)(nil), Stdin:false, StdinOnce:false, TTY:false}}, '
    'EphemeralContainers:[]core.EphemeralContainer(nil), RestartPolicy:"Never", '
    'TerminationGracePeriodSeconds:(*int64)(0xc000000000), ActiveDeadlineSeconds:(*int64)(nil), DNSPolicy:"ClusterFirst", '
    'NodeSelector:map[string]string(nil), ServiceAccountName:"", AutomountServiceAccountToken:(*bool)(nil), NodeName:"", '
    'SecurityContext:(*core.PodSecurityContext)(0xc000000000), ImagePullSecrets:[]core.LocalObjectReference(nil), '
    'Hostname:"", Subdomain:"", SetHostnameAsFQDN:(*bool)(nil), Affinity:(*core.Affinity)(nil), '
    'SchedulerName:"default-scheduler", Tolerations:[]core.Toleration(nil), HostAliases:[]core.HostAlias(nil), '
    'PriorityClassName:"", Priority:(*int32)(nil), PreemptionPolicy:(*core.PreemptionPolicy)(nil), '
    'DNSConfig:(*core.PodDNSConfig)(nil), ReadinessGates:[]core.PodReadinessGate(nil), RuntimeClassName:(*string)(nil), '
    'Overhead:core.ResourceList(nil), EnableServiceLinks:(*bool)(nil), '
    'TopologySpreadConstraints:[]core.TopologySpreadConstraint(nil), OS:(*core.PodOS)(nil)}}: field is immutable')


def test_a_job_s_changed_template_is_shown_as_go_prints_the_internal_template(chain):
    """field.Invalid's %#v of the new core.PodTemplateSpec: every field in the internal struct's
    order, the defaults decoding filled in, the PodSecurityContext conversion always makes."""
    code, body = _job_changed(chain, "template-text", lambda job: job["spec"]["template"]["spec"]["containers"][0].update(
        image="busybox:1.35"))
    assert code == 422
    uid = re.search(r'"controller-uid":"([^"]+)"', body["message"]).group(1)
    assert body["message"] == REAL_TEMPLATE_MESSAGE.replace("{uid}", uid)


def test_a_suspended_job_that_never_started_may_change_its_scheduling_directives(chain):
    """validatePodTemplateUpdate with JobMutableNodeSchedulingDirectives (on by default in 1.24):
    node selector, tolerations, node affinity, labels and annotations, but nothing else."""
    def schedule(job):
        template = job["spec"]["template"]
        template["metadata"]["annotations"] = {"a": "b"}
        template["spec"]["nodeSelector"] = {"zone": "z1"}
        template["spec"]["tolerations"] = [{"key": "k", "operator": "Exists"}]
        template["spec"]["affinity"] = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
            "nodeSelectorTerms": [{"matchExpressions": [{"key": "zone", "operator": "In", "values": ["z1"]}]}]}}}
    code, body = _job_changed(chain, "suspended", schedule, suspend=True)
    assert code == 200, body
    assert body["spec"]["template"]["spec"]["nodeSelector"] == {"zone": "z1"}
    code, body = _job_changed(chain, "suspended-image", lambda job: job["spec"]["template"]["spec"][
        "containers"][0].update(image="busybox:1.35"), suspend=True)
    assert code == 422 and body["message"].endswith(": field is immutable")


@pytest.mark.parametrize("group_version,plural,body", [
    ("apps/v1", "statefulsets", {"spec": {"serviceName": "s", "replicas": 1, "selector": SELECTOR,
                                          "template": TEMPLATE}}),
    ("v1", "replicationcontrollers", {"spec": {"replicas": 1, "template": TEMPLATE}})])
def test_statefulsets_and_replication_controllers_scale(chain, group_version, plural, body):
    """The scale subresource reads and sets spec.replicas, with the selector as a string."""
    assert new_object(chain, group_version, plural, True, body, "scaled")[0] == 201
    path = f"{collection(group_version, plural, True)}/scaled/scale"
    code, scale = call(chain, "GET", path)
    assert code == 200 and scale["spec"]["replicas"] == 1 and scale["status"]["selector"] == "app=a"
    code, scale = call(chain, "PUT", path, {**scale, "spec": {"replicas": 4}})
    assert code == 200 and scale["spec"]["replicas"] == 4
    assert call(chain, "GET", f"{collection(group_version, plural, True)}/scaled")[1]["spec"]["replicas"] == 4


def test_a_csr_approval_is_discovered_as_an_updatable_subresource(chain):
    """certificatesigningrequests/approval: get, patch and update, as upstream lists it."""
    _, body = call(chain, "GET", "/apis/certificates.k8s.io/v1")
    entry = next(r for r in body["resources"] if r["name"] == "certificatesigningrequests/approval")
    assert (entry["kind"], entry["verbs"]) == ("CertificateSigningRequest", ["get", "patch", "update"])


def test_a_csr_is_approved_through_its_approval_subresource(chain):
    """PUT …/approval changes the conditions (and nothing else: the requester stays the user who
    created it); the Condition column says Approved."""
    body = KINDS[IDS.index("certificates.k8s.io/v1/certificatesigningrequests")][5]
    code, _ = new_object(chain, "certificates.k8s.io/v1", "certificatesigningrequests", False, body, "approve-me")
    assert code == 201
    path = "/apis/certificates.k8s.io/v1/certificatesigningrequests/approve-me"
    _, csr = call(chain, "GET", path)
    csr["status"] = {"conditions": [{"type": "Approved", "status": "True", "reason": "ok"}]}
    csr["spec"]["username"] = "mallory"
    code, approved = call(chain, "PUT", path + "/approval", csr)
    assert code == 200 and approved["spec"]["username"] == "system:admin"
    assert call(chain, "GET", path, accept=TABLE)[1]["rows"][0]["cells"][5] == "Approved"


def test_workloads_track_generation(chain):
    """DaemonSets start at generation 1 and a spec change bumps it (the controllers compare it
    with status.observedGeneration)."""
    body = {"spec": {"selector": SELECTOR, "template": TEMPLATE}}
    code, ds = new_object(chain, "apps/v1", "daemonsets", True, body, "generations")
    assert code == 201 and ds["metadata"]["generation"] == 1
    ds["spec"]["minReadySeconds"] = 5
    code, updated = call(chain, "PUT", f"{collection('apps/v1', 'daemonsets', True)}/generations", ds)
    assert code == 200 and updated["metadata"]["generation"] == 2


def test_a_daemonset_template_generation_moves_only_with_its_template(chain):
    """daemonSetStrategy: a new DaemonSet is template generation 1, written in apps/v1 as the
    deprecated.daemonset.template.generation annotation; a template change makes it 2, any other
    spec change leaves it (daemon pods copy it into their pod-template-generation label)."""
    generation = "deprecated.daemonset.template.generation"
    body = {"spec": {"selector": SELECTOR, "template": TEMPLATE}}
    code, ds = new_object(chain, "apps/v1", "daemonsets", True, body, "template-generations")
    assert code == 201 and ds["metadata"]["annotations"][generation] == "1"
    path = f"{collection('apps/v1', 'daemonsets', True)}/template-generations"
    ds["spec"]["minReadySeconds"] = 5
    code, ds = call(chain, "PUT", path, ds)
    assert code == 200 and ds["metadata"]["annotations"][generation] == "1"
    ds["spec"]["template"]["metadata"]["labels"]["tier"] = "b"
    ds["metadata"]["annotations"][generation] = "7"  # what a client sends does not count
    code, ds = call(chain, "PUT", path, ds)
    assert code == 200 and ds["metadata"]["annotations"][generation] == "2"


def test_a_manual_job_selector_is_required(chain):
    """With manualSelector the client must give the selector; none is generated."""
    code, body = new_object(chain, "batch/v1", "jobs", True,
                            {"spec": {"manualSelector": True, "template": JOB_TEMPLATE}}, "manual")
    assert code == 422 and "spec.selector: Required value" in body["message"]


NEW_EVENT = {"eventTime": "2023-11-14T22:13:20.000000Z", "reason": "Scheduled", "note": "assigned", "type": "Normal",
             "action": "Binding", "regarding": {"kind": "Pod", "name": "p", "namespace": "kinds"},
             "reportingController": "default-scheduler", "reportingInstance": "s1"}


@pytest.mark.parametrize("change, message", [
    ({"eventTime": None}, "eventTime: Required value"),
    ({"type": "Odd"}, 'type: Invalid value: "": has invalid value: Odd'),
    ({"deprecatedCount": 3}, 'count: Invalid value: "": needs to be unset'),
    ({"deprecatedSource": {"component": "kubelet"}}, 'source: Invalid value: "": needs to be unset'),
    ({"series": {"count": 1}}, 'series.count: Invalid value: "": should be at least 2'),
    ({"regarding": {"kind": "Pod", "name": "p"}},
     'involvedObject.namespace: Invalid value: "": does not match event.namespace'),
    ({"reportingController": None}, "reportingController: Required value"),
])
def test_an_events_k8s_io_event_is_held_to_the_strict_rules(chain, change, message):
    """ValidateEventCreate: a create through events.k8s.io gets the rules core/v1 requests are
    spared, besides legacyValidateEvent's, with the internal Event's field names."""
    body = {key: value for key, value in {**NEW_EVENT, **change}.items() if value is not None}
    code, status = new_object(chain, "events.k8s.io/v1", "events", True, body, f"strict-{next(_names)}")
    assert code == 422 and message in status["message"], status


def test_events_of_both_groups_are_one_collection(chain):
    """An events.k8s.io/v1 Event is stored as a core/v1 Event (note as message, regarding as
    involvedObject, reportingController as reportingComponent) and read back in either version;
    a watch of events.k8s.io sees core Events converted."""
    body = {"eventTime": "2023-11-14T22:13:20.000000Z", "reason": "Scheduled", "note": "assigned",
            "type": "Normal", "action": "Binding", "regarding": {"kind": "Pod", "name": "p", "namespace": "kinds"},
            "reportingController": "default-scheduler", "reportingInstance": "s1"}
    assert new_object(chain, "events.k8s.io/v1", "events", True, body, "shared", {"shared": "yes"})[0] == 201
    code, core = call(chain, "GET", "/api/v1/namespaces/kinds/events/shared")
    assert code == 200 and core["apiVersion"] == "v1"
    assert (core["message"], core["involvedObject"]["name"], core["reportingComponent"]) == (
        "assigned", "p", "default-scheduler")
    core_event = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": "legacy", "labels": {"shared": "yes"}},
                  "message": "pulled", "reason": "Pulled",
                  "involvedObject": {"kind": "Pod", "name": "p", "namespace": "kinds"}}
    assert call(chain, "POST", "/api/v1/namespaces/kinds/events", core_event)[0] == 201
    code, listed = call(chain, "GET", "/apis/events.k8s.io/v1/namespaces/kinds/events",
                        query={"labelSelector": "shared=yes"})
    assert code == 200
    assert {e["metadata"]["name"]: e.get("note") for e in listed["items"]} == {"shared": "assigned",
                                                                              "legacy": "pulled"}
    code, watch = call(chain, "GET", "/apis/events.k8s.io/v1/namespaces/kinds/events",
                       query={"watch": "1", "fieldSelector": "metadata.name=legacy"})
    try:
        event = json.loads(next(iter(watch.chunks)))
    finally:
        watch.stop()
    assert event["object"]["apiVersion"] == "events.k8s.io/v1" and event["object"]["regarding"]["name"] == "p"


def test_events_v1_field_selectors_name_the_core_fields_anew(chain):
    """events.k8s.io/v1 selects stored core/v1 Events by its own labels (regarding.name for
    involvedObject.name, reportingController for reportingComponent) and refuses the core ones."""
    for name, pod in (("on-a", "a"), ("on-b", "b")):
        event = {"apiVersion": "v1", "kind": "Event", "metadata": {"name": name}, "reason": "Pulled",
                 "involvedObject": {"kind": "Pod", "name": pod, "namespace": "kinds"},
                 "reportingComponent": "kubelet"}
        assert call(chain, "POST", "/api/v1/namespaces/kinds/events", event)[0] == 201
    path = "/apis/events.k8s.io/v1/namespaces/kinds/events"
    code, listed = call(chain, "GET", path, query={"fieldSelector": "regarding.name=b,reportingController=kubelet"})
    assert code == 200 and [e["metadata"]["name"] for e in listed["items"]] == ["on-b"]
    code, status = call(chain, "GET", path, query={"fieldSelector": "involvedObject.name=b"})
    assert (code, status["message"]) == (400, "field label not supported: involvedObject.name")


def test_an_events_v1_patch_updates_the_stored_core_event(chain):
    """A merge patch through events.k8s.io/v1 changes the core Event it is stored as."""
    body = {"eventTime": "2023-11-14T22:13:20.000000Z", "reason": "Scheduled", "note": "first",
            "type": "Normal", "action": "Binding", "regarding": {"kind": "Pod", "name": "p", "namespace": "kinds"},
            "reportingController": "default-scheduler", "reportingInstance": "s1"}
    assert new_object(chain, "events.k8s.io/v1", "events", True, body, "patched")[0] == 201
    code, patched = call(chain, "PATCH", "/apis/events.k8s.io/v1/namespaces/kinds/events/patched",
                         {"note": "second"}, content_type="application/merge-patch+json")
    assert code == 200 and patched["note"] == "second", patched
    assert call(chain, "GET", "/api/v1/namespaces/kinds/events/patched")[1]["message"] == "second"


EVENTS = "/api/v1/namespaces/kinds/events"
PULLED = {"apiVersion": "v1", "kind": "Event", "reason": "Pulled", "message": "m", "type": "Normal",
          "involvedObject": {"kind": "Pod", "name": "p", "namespace": "kinds"}}


@pytest.mark.parametrize("body,message", [
    ({}, 'Event "" is invalid: involvedObject.namespace: Invalid value: "": does not match event.namespace'),
    ({**PULLED, "metadata": {"name": "e"}, "involvedObject": {"kind": "Pod", "name": "p"}},
     'Event "e" is invalid: involvedObject.namespace: Invalid value: "": does not match event.namespace'),
    ({**PULLED, "metadata": {"name": "e"}, "involvedObject": {"kind": "Pod", "name": "p", "namespace": "x"}},
     'Event "e" is invalid: involvedObject.namespace: Invalid value: "x": does not match event.namespace'),
    ({**PULLED, "metadata": {"name": "e"}, "eventTime": "2023-11-14T22:13:20.000000Z",
      "reportingComponent": "kubelet"},
     'Event "e" is invalid: [reportingInstance: Required value, action: Required value]'),
    ({**PULLED, "metadata": {}}, 'Event "" is invalid: metadata.name: Required value: name or generateName is required'),
])
def test_a_core_event_passes_legacy_event_validation(chain, body, message):
    """legacyValidateEvent, all that a core/v1 Event's create is held to: an event without eventTime
    names its own namespace in involvedObject (or is in "default"), one with eventTime reports its
    controller, instance and action. BeforeCreate's metadata check follows only when it passes."""
    code, status = call(chain, "POST", EVENTS, body)
    assert (code, status["message"]) == (422, message)


@pytest.mark.parametrize("name", ["UPPER", "a_b", "-a", "a..b", "a b", "\u00e9", "a" * 300])
def test_a_core_event_name_need_not_be_a_dns_subdomain(chain, name):
    """A core/v1 Event's strategy checks no metadata; BeforeCreate's check of the name is
    ValidatePathSegmentName, which takes any name but the few below."""
    code, created = call(chain, "POST", EVENTS, {**PULLED, "metadata": {"name": name}})
    assert code == 201, created
    assert call(chain, "GET", f"{EVENTS}/{created['metadata']['name']}")[0] == 200


@pytest.mark.parametrize("name,detail", [(".", "may not be '.'"), ("..", "may not be '..'"),
                                         ("a/b", "may not contain '/'"), ("a%b", "may not contain '%'")])
def test_a_core_event_name_must_be_a_path_segment(chain, name, detail):
    code, status = call(chain, "POST", EVENTS, {**PULLED, "metadata": {"name": name}})
    assert (code, status["message"]) == (422, f'Event "{name}" is invalid: metadata.name: Invalid value: '
                                              f'"{name}": {detail}')


CRON_TEMPLATE = {"jobTemplate": {"spec": {"template": JOB_TEMPLATE}}}


@pytest.mark.parametrize("schedule,message", [
    ("hello", 'spec.schedule: Invalid value: "hello": expected exactly 5 fields, found 1: [hello]'),
    ("61 * * * *", 'spec.schedule: Invalid value: "61 * * * *": end of range (61) above maximum (59): 61'),
    ("* * * * mon-x", 'spec.schedule: Invalid value: "* * * * mon-x": failed to parse int from x: strconv.Atoi: '
                      'parsing "x": invalid syntax'),
    ("*/0 * * * *", 'spec.schedule: Invalid value: "*/0 * * * *": step of range should be a positive number: */0'),
    ("@fortnightly", 'spec.schedule: Invalid value: "@fortnightly": unrecognized descriptor: @fortnightly'),
    # time.ParseDuration names a unit it does not know (Go 1.19's words, the Go the 1.24 tree builds with)
    ("@every 1x", 'spec.schedule: Invalid value: "@every 1x": failed to parse duration @every 1x: time: unknown '
                  'unit "x" in duration "1x"'),
    ("TZ=Mars/Olympus * * * * *", 'spec.schedule: Invalid value: "TZ=Mars/Olympus * * * * *": provided bad location '
                                  "Mars/Olympus: unknown time zone Mars/Olympus"),
])
def test_a_cron_job_schedule_must_parse(chain, schedule, message):
    """validateScheduleFormat: robfig/cron's ParseStandard accepts the schedule, in its words."""
    code, body = new_object(chain, "batch/v1", "cronjobs", True, {"spec": {"schedule": schedule, **CRON_TEMPLATE}},
                            "bad-schedule")
    assert (code, body["message"]) == (422, f'CronJob.batch "bad-schedule" is invalid: {message}')


@pytest.mark.parametrize("schedule", ["@hourly", "@every 1h30m", "0 9 * * MON-FRI", "5-59/15 * ? jan,jul *",
                                      "TZ=UTC * * * * *", "CRON_TZ=Europe/Paris 0 9 * * *"])
def test_cron_job_schedules_robfig_accepts_are_stored(chain, schedule):
    name = "ok-" + str(abs(hash(schedule)) % 10**6)
    code, body = new_object(chain, "batch/v1", "cronjobs", True, {"spec": {"schedule": schedule, **CRON_TEMPLATE}},
                            name)
    assert (code, body["spec"]["schedule"]) == (201, schedule), body


@pytest.mark.parametrize("spec,message", [
    ({"startingDeadlineSeconds": -1}, "spec.startingDeadlineSeconds: Invalid value: -1: must be greater than or equal to 0"),
    ({"successfulJobsHistoryLimit": -1, "failedJobsHistoryLimit": -1},
     "[spec.successfulJobsHistoryLimit: Invalid value: -1: must be greater than or equal to 0, "
     "spec.failedJobsHistoryLimit: Invalid value: -1: must be greater than or equal to 0]"),
    ({"jobTemplate": {"spec": {"selector": {"matchLabels": {"a": "b"}}, "template": JOB_TEMPLATE}}},
     'spec.jobTemplate.spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"a":"b"}, '
     "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: `selector` will be auto-generated"),
    ({"jobTemplate": {"spec": {"manualSelector": True, "template": JOB_TEMPLATE}}},
     'spec.jobTemplate.spec.manualSelector: Unsupported value: true: supported values: "nil", "false"'),
], ids=["deadline", "history", "selector", "manual-selector"])
def test_a_cron_job_leaves_selectors_to_the_controller_and_counts_from_zero(chain, spec, message):
    """validateCronJobSpec and ValidateJobTemplateSpec: no negative starting deadline or history
    limit, and neither a selector nor manualSelector in the job template."""
    body = {"spec": {"schedule": "*/5 * * * *", **CRON_TEMPLATE, **spec}}
    code, status = new_object(chain, "batch/v1", "cronjobs", True, body, "bad-cron")
    assert (code, status["message"]) == (422, f'CronJob.batch "bad-cron" is invalid: {message}')


def test_a_lease_lasts_a_positive_time_and_counts_transitions_from_zero(chain):
    """ValidateLeaseSpec reports both problems, the second in upstream's words (typo included)."""
    code, status = new_object(chain, "coordination.k8s.io/v1", "leases", True,
                              {"spec": {"leaseDurationSeconds": 0, "leaseTransitions": -1}}, "bad-lease")
    assert (code, status["message"]) == (422, 'Lease.coordination.k8s.io "bad-lease" is invalid: '
                                              "[spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0, "
                                              "spec.leaseTransitions: Invalid value: -1: must to greater or equal than 0]")


def test_a_cron_job_name_is_checked_after_its_spec(chain):
    """ValidateCronJob adds the 52-character name limit after the spec's problems."""
    name = "c" * 53
    code, status = new_object(chain, "batch/v1", "cronjobs", True,
                              {"spec": {"schedule": "hello", **CRON_TEMPLATE}}, name)
    assert (code, status["message"]) == (422, f'CronJob.batch "{name}" is invalid: [spec.schedule: Invalid value: '
                                              '"hello": expected exactly 5 fields, found 1: [hello], metadata.name: '
                                              f'Invalid value: "{name}": must be no more than 52 characters]')


@pytest.mark.parametrize("spec,message", [
    # The real kube-apiserver 1.24's text, its pointers' addresses as the differential normalises them.
    ({"minAvailable": 1, "maxUnavailable": 1},
     "spec: Invalid value: policy.PodDisruptionBudgetSpec{MinAvailable:(*intstr.IntOrString)(0xc000000000), "
     "Selector:(*v1.LabelSelector)(0xc000000000), MaxUnavailable:(*intstr.IntOrString)(0xc000000000)}: "
     "minAvailable and maxUnavailable cannot be both set"),
    ({"minAvailable": -1}, "spec.minAvailable: Invalid value: -1: must be greater than or equal to 0"),
    ({"maxUnavailable": "half"}, 'spec.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, '
                                 'StrVal:"half"}: a valid percent string must be a numeric string followed by an '
                                 "ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')"),
    ({"minAvailable": "150%"}, 'spec.minAvailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, '
                               'StrVal:"150%"}: must not be greater than 100%'),
])
def test_a_pod_disruption_budget_bounds_disruptions_once_and_in_range(chain, spec, message):
    """ValidatePodDisruptionBudgetSpec: one of minAvailable and maxUnavailable, each an int >= 0 or a
    percent up to 100%."""
    body = {"spec": {"selector": {"matchLabels": {"app": "a"}}, **spec}}
    code, status = new_object(chain, "policy/v1", "poddisruptionbudgets", True, body, "bad-pdb")
    assert code == 422 and message in status["message"], status


@pytest.mark.parametrize("selector,message", [
    ({"matchExpressions": [{"key": "app", "operator": "Bogus"}]},
     'spec.selector.matchExpressions[0].operator: Invalid value: "Bogus": not a valid selector operator'),
    ({"matchExpressions": [{"key": "app", "operator": "In"}]},
     "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'"),
    ({"matchExpressions": [{"key": "app", "operator": "Exists", "values": ["a"]}]},
     "spec.selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or "
     "'DoesNotExist'"),
    ({"matchExpressions": [{"key": "a b", "operator": "Exists"}]},
     'spec.selector.matchExpressions[0].key: Invalid value: "a b": name part must consist of alphanumeric'),
    ({"matchLabels": {"app": "a b"}}, 'spec.selector.matchLabels: Invalid value: "a b": a valid label must be'),
])
def test_a_pod_disruption_budget_selector_is_a_valid_label_selector(chain, selector, message):
    """ValidatePodDisruptionBudgetSpec ends with ValidateLabelSelector: known operators, values as the
    operator needs them, qualified keys and label values."""
    body = {"spec": {"selector": selector, "minAvailable": 1}}
    code, status = new_object(chain, "policy/v1", "poddisruptionbudgets", True, body, "bad-selector")
    assert code == 422 and message in status["message"], status


def test_a_pod_disruption_budget_with_a_percent_is_stored(chain):
    body = {"spec": {"selector": {"matchLabels": {"app": "a"}}, "maxUnavailable": "25%"}}
    assert new_object(chain, "policy/v1", "poddisruptionbudgets", True, body, "pdb-percent")[0] == 201


@pytest.mark.parametrize("name", ["UPPER", "a_b", "a b", "\u00e9", "a" * 254])
def test_a_pod_disruption_budget_name_is_only_a_path_segment(chain, name):
    """ValidatePodDisruptionBudget checks no name: only rest.BeforeCreate's ValidatePathSegmentName,
    so a name no DNS subdomain rule accepts is stored and read back."""
    body = {"spec": {"selector": SELECTOR, "minAvailable": 1}}
    assert new_object(chain, "policy/v1", "poddisruptionbudgets", True, body, name)[0] == 201
    code, read = call(chain, "GET", f"{collection('policy/v1', 'poddisruptionbudgets', True)}/{name}")
    assert (code, read["metadata"]["name"]) == (200, name)


@pytest.mark.parametrize("name,message", [(".", "may not be '.'"), ("a/b", "may not contain '/'"),
                                          ("a%b", "may not contain '%'")])
def test_a_pod_disruption_budget_name_may_not_be_a_relative_path(chain, name, message):
    body = {"spec": {"selector": SELECTOR, "minAvailable": 1}}
    code, status = new_object(chain, "policy/v1", "poddisruptionbudgets", True, body, name)
    assert (code, status["message"]) == (
        422, f'PodDisruptionBudget.policy "{name}" is invalid: metadata.name: Invalid value: "{name}": {message}')


def test_a_pod_disruption_budget_update_must_name_its_resource_version(chain):
    """The strategy's AllowUnconditionalUpdate is false: a PUT without a resourceVersion is refused
    before validation, with the error Store.Update writes from the resource, not the kind."""
    body = {"spec": {"selector": SELECTOR, "minAvailable": 1}}
    assert new_object(chain, "policy/v1", "poddisruptionbudgets", True, body, "conditional")[0] == 201
    obj = {"apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": {"name": "conditional"},
           "spec": {"selector": SELECTOR, "minAvailable": "x"}}
    code, status = call(chain, "PUT", f"{collection('policy/v1', 'poddisruptionbudgets', True)}/conditional", obj)
    assert (code, status["reason"], status["message"]) == (
        422, "Invalid", 'poddisruptionbudgets.policy "conditional" is invalid: metadata.resourceVersion: '
                        'Invalid value: 0x0: must be specified for an update')
    assert status["details"] == {"name": "conditional", "group": "policy", "kind": "poddisruptionbudgets", "causes": [
        {"reason": "FieldValueInvalid", "message": "Invalid value: 0x0: must be specified for an update",
         "field": "metadata.resourceVersion"}]}


@pytest.mark.parametrize("subset,message", [
    ({"addresses": [{"ip": "10.0.0.300"}]},
     'subsets[0].addresses[0].ip: Invalid value: "10.0.0.300": must be a valid IP address, (e.g. 10.9.8.7 or '
     '2001:db8::ffff), subsets[0].addresses[0].ip: Invalid value: "10.0.0.300": must be a valid IP address]'),
    ({"addresses": [{"ip": "0.0.0.0"}]}, 'subsets[0].addresses[0].ip: Invalid value: "0.0.0.0": may not be '
                                         "unspecified (0.0.0.0)"),
    ({"notReadyAddresses": [{"ip": "169.254.169.254"}]},
     'subsets[0].notReadyAddresses[0].ip: Invalid value: "169.254.169.254": may not be in the link-local range'),
    ({"ports": [{"port": 80}]}, "subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`"),
    ({"addresses": [{"ip": "10.0.0.1"}], "ports": [{"port": 80}, {"port": 81, "name": "b"}]},
     "subsets[0].ports[0].name: Required value"),
    ({"addresses": [{"ip": "10.0.0.1"}], "ports": [{"port": 0}]},
     "subsets[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive"),
    ({"addresses": [{"ip": "10.0.0.1", "nodeName": "UPPER_"}], "ports": [{"port": 80}]},
     'subsets[0].addresses[0].nodeName: Invalid value: "UPPER_": a lowercase RFC 1123 subdomain must consist of '
     "lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"),
    ({"addresses": [{"ip": "10.0.0.1"}], "ports": [{"port": 80, "appProtocol": "a b"}]},
     'subsets[0].ports[0].appProtocol: Invalid value: "a b": name part must consist of alphanumeric characters'),
])
def test_endpoints_name_usable_addresses_and_ports(chain, subset, message):
    """validateEndpointSubsets: addresses that parse and are not unspecified or link-local, on a
    node with a DNS subdomain name, ports in range, named when there are several, with a
    qualified-name appProtocol."""
    code, status = new_object(chain, "v1", "endpoints", True, {"subsets": [subset]}, "bad-endpoints")
    assert code == 422 and message in status["message"], status


def test_endpoints_with_loopback_addresses_are_stored(chain):
    """The reference cluster's nodes are 127.0.0.1 (upstream would refuse loopback here)."""
    body = {"subsets": [{"addresses": [{"ip": "127.0.0.1"}, {"ip": "fd00::1"}], "ports": [{"port": 80}]}]}
    assert new_object(chain, "v1", "endpoints", True, body, "loopback")[0] == 201


# The kinds with a status subresource, and what their 1.24 status strategy's PrepareForUpdate
# resets of the metadata a status update sends: most keep it all, deploymentStatusStrategy resets
# the labels, volumeAttachmentStatusStrategy all of ResetObjectMetaForStatus's fields.
STATUS_KINDS = [(k[0], k[1], k[2], k[5], ()) for k in KINDS if "status" in k[4] and k[1] != "volumeattachments"] + [
    ("apps/v1", "deployments", True, {"spec": {"selector": SELECTOR, "template": TEMPLATE}}, ("labels",)),
    ("apps/v1", "replicasets", True, {"spec": {"selector": SELECTOR, "template": TEMPLATE}}, ()),
    ("v1", "services", True, {"spec": {"ports": [{"port": 80}]}}, ()),
    ("v1", "namespaces", False, {}, ()),
    ("v1", "nodes", False, {}, ()),
    ("storage.k8s.io/v1", "volumeattachments", False,
     {"spec": {"attacher": "a", "nodeName": "n1", "source": {"persistentVolumeName": "pv1"}}},
     ("labels", "annotations", "finalizers")),
]


@pytest.mark.parametrize("group_version,plural,namespaced,body,reset", STATUS_KINDS,
                         ids=[f"{gv}/{plural}" for gv, plural, *_ in STATUS_KINDS])
def test_a_status_update_keeps_or_resets_the_metadata_sent_as_the_kinds_status_strategy_does(
        chain, group_version, plural, namespaced, body, reset):
    """A status PUT or patch writes the labels, annotations and finalizers it sends, except those
    the kind's status strategy resets to the stored ones; the spec is always the stored one."""
    code, created = new_object(chain, group_version, plural, namespaced, body, "status-meta", {"app": "a"})
    assert code == 201, created
    path = f"{collection(group_version, plural, namespaced)}/status-meta/status"
    sent = {**created, "metadata": {**created["metadata"], "labels": {"app": "b"}, "annotations": {"note": "1"},
                                    "finalizers": ["example.com/f"]}}
    code, updated = call(chain, "PUT", path, sent)
    assert code == 200, updated
    # A namespace's defaults and Canonicalize label it with its name, whatever labels are sent.
    own_label = {"kubernetes.io/metadata.name": "status-meta"} if plural == "namespaces" else {}
    expected = {"labels": {"app": "a"} if "labels" in reset else {"app": "b", **own_label},
                "annotations": None if "annotations" in reset else {"note": "1"},
                "finalizers": None if "finalizers" in reset else ["example.com/f"]}
    assert {name: updated["metadata"].get(name) for name in expected} == expected
    assert updated.get("spec") == created.get("spec")
    code, patched = call(chain, "PATCH", path, {"metadata": {"labels": {"app": "c"}, "annotations": {"note": "2"}},
                                                "spec": {"bogus": 1}},
                         content_type="application/merge-patch+json")
    assert code == 200, patched
    assert patched["metadata"].get("labels") == ({"app": "a"} if "labels" in reset else {"app": "c", **own_label})
    assert patched["metadata"].get("annotations") == (None if "annotations" in reset else {"note": "2"})
    stored = call(chain, "GET", f"{collection(group_version, plural, namespaced)}/status-meta")[1]
    assert stored["metadata"] == patched["metadata"] and stored.get("spec") == created.get("spec")


# What Go writes of every node status: nodeInfo's strings and the kubelet's port have no omitempty.
NODE_STATUS_ZEROS = {"daemonEndpoints": {"kubeletEndpoint": {"Port": 0}}, "nodeInfo": dict.fromkeys((
    "machineID", "systemUUID", "bootID", "kernelVersion", "osImage", "containerRuntimeVersion", "kubeletVersion",
    "kubeProxyVersion", "operatingSystem", "architecture"), "")}


def test_a_node_status_update_drops_a_kubelet_config_status_the_node_did_not_have(chain):
    """nodeStatusStrategy: with DynamicKubeletConfig off (1.24's default), status.config is written
    only when the stored node already reports one."""
    code, node = new_object(chain, "v1", "nodes", False, {}, "config-status")
    assert code == 201, node
    sent = {**node, "status": {"config": {"error": "x"}, "phase": "Running"}}
    code, updated = call(chain, "PUT", "/api/v1/nodes/config-status/status", sent)
    assert code == 200, updated
    assert updated["status"] == {"phase": "Running", **NODE_STATUS_ZEROS}



def test_a_node_create_drops_its_kubelet_config_source_and_config_status(chain):
    """nodeStrategy.PrepareForCreate: with DynamicKubeletConfig off, spec.configSource and
    status.config are dropped from a new node."""
    node = {"metadata": {"name": "config-create"}, "spec": {"configSource": {"configMap": {
        "namespace": "kube-system", "name": "kc", "kubeletConfigKey": "kubelet"}}, "unschedulable": True},
        "status": {"config": {"error": "x"}, "phase": "Running"}}
    code, created = call(chain, "POST", "/api/v1/nodes", node)
    assert code == 201, created
    stored = call(chain, "GET", "/api/v1/nodes/config-create")[1]
    for obj in (created, stored):
        assert "configSource" not in obj["spec"] and obj["spec"]["unschedulable"] is True
        assert obj["status"] == {"phase": "Running", **NODE_STATUS_ZEROS}


def test_a_node_update_drops_a_kubelet_config_source_the_node_did_not_have(chain):
    """nodeStrategy.PrepareForUpdate: spec.configSource is written only to a node that has one."""
    code, node = new_object(chain, "v1", "nodes", False, {}, "config-update")
    assert code == 201, node
    sent = {**node, "spec": {"configSource": {"configMap": {
        "namespace": "kube-system", "name": "kc", "kubeletConfigKey": "kubelet"}}}}
    code, updated = call(chain, "PUT", "/api/v1/nodes/config-update", sent)
    assert code == 200, updated
    assert "configSource" not in updated["spec"]

def test_a_claim_status_update_drops_the_expansion_recovery_fields_the_claim_did_not_have(chain):
    """persistentvolumeclaimStatusStrategy: with RecoverVolumeExpansionFailure off (1.24's
    default), status.allocatedResources and status.resizeStatus are written only when the stored
    claim already has them."""
    code, claim = new_object(chain, "v1", "persistentvolumeclaims", True,
                             {"spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}},
                             "recovery-status")
    assert code == 201, claim
    sent = {**claim, "status": {"phase": "Bound", "allocatedResources": {"storage": "2Gi"},
                                "resizeStatus": "ControllerExpansionInProgress"}}
    code, updated = call(chain, "PUT", collection("v1", "persistentvolumeclaims", True) + "/recovery-status/status",
                         sent)
    assert code == 200, updated
    assert updated["status"] == {"phase": "Bound"}


def test_a_status_update_is_defaulted_as_the_decoder_defaults_any_object(chain):
    """The body of a status update is decoded, and so defaulted, before its strategy runs: a node
    status with a capacity and no allocatable gets SetDefaults_NodeStatus's allocatable."""
    code, node = new_object(chain, "v1", "nodes", False, {}, "defaulted-status")
    assert code == 201, node
    code, updated = call(chain, "PUT", "/api/v1/nodes/defaulted-status/status",
                         {**node, "status": {"capacity": {"pods": "110"}}})
    assert code == 200, updated
    assert updated["status"] == {"capacity": {"pods": "110"}, "allocatable": {"pods": "110"}, **NODE_STATUS_ZEROS}


@pytest.mark.parametrize("body,code,message", [
    ({"handler": "runc", "overhead": {"podFixed": "x"}}, 400,
     "json: cannot unmarshal string into Go struct field"),
    ({"handler": "runc", "scheduling": {"tolerations": {"key": "k"}}}, 400,
     "json: cannot unmarshal object into Go struct field"),
    ({"handler": "runc", "overhead": {"podFixed": {"cpu": "-1"}}}, 422,
     'overhead.limits[cpu]: Invalid value: "-1": must be greater than or equal to 0'),
    ({"handler": "runc", "scheduling": {"nodeSelector": {"bad key!": "x"}}}, 422, "scheduling.nodeSelector: Invalid"),
    ({"handler": "runc", "scheduling": {"tolerations": [{"operator": "Equal", "value": "v"}]}}, 422,
     "scheduling.tolerations.tolerations[0].operator: Invalid value: \"Equal\": operator must be Exists when `key` is "
     "empty"),
    ({"handler": "runc", "scheduling": {"tolerations": [{"key": "k", "operator": "Exists"},
                                                          {"key": "k", "operator": "Exists"}]}}, 422,
     "scheduling.tolerations[1]: Duplicate value: "),
    ({"handler": "Not_A_Label"}, 422, 'handler: Invalid value: "Not_A_Label": a lowercase RFC 1123 label'),
    ({"handler": "runc", "overhead": {"podFixed": {"bogus": "1"}}}, 422,
     '[overhead.limits[bogus]: Invalid value: "bogus": must be a standard resource type or fully qualified, '
     'overhead.limits[bogus]: Invalid value: "bogus": must be a standard resource for containers]'),
])
def test_a_runtime_class_overhead_and_scheduling_are_typed_and_validated(chain, body, code, message):
    """ValidateRuntimeClass: the overhead as resource limits, the scheduling's node selector as labels and
    its tolerations as a pod's (at upstream's doubled path), and no toleration twice; the admission plugin
    then reads only well-formed classes."""
    got, status = new_object(chain, "node.k8s.io/v1", "runtimeclasses", False, body, "odd-class")
    assert got == code and message in status["message"], status


@pytest.mark.parametrize("body", [{}, {"handler": None}, {"handler": ""}])
def test_a_runtime_class_without_handler_fails_the_dns_label_rule(chain, body):
    """ValidateRuntimeClass checks the handler with NameIsDNSLabel only: an empty one is not a label
    (there is no Required error)."""
    got, status = new_object(chain, "node.k8s.io/v1", "runtimeclasses", False, body, "no-handler")
    assert (got, status["message"]) == (
        422, 'RuntimeClass.node.k8s.io "no-handler" is invalid: handler: Invalid value: "": a lowercase RFC 1123 '
             "label must consist of lower case alphanumeric characters or '-', and must start and end with an "
             "alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
             "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')")


def test_a_runtime_class_handler_is_immutable(chain):
    assert new_object(chain, "node.k8s.io/v1", "runtimeclasses", False, {"handler": "runc"}, "fixed")[0] == 201
    code, status = call(chain, "PATCH", "/apis/node.k8s.io/v1/runtimeclasses/fixed", {"handler": "crun"},
                        content_type="application/merge-patch+json")
    assert (code, status["message"]) == (422, 'RuntimeClass.node.k8s.io "fixed" is invalid: handler: Invalid value: '
                                              '"crun": field is immutable')


def test_a_runtime_class_update_is_validated_as_a_create_and_then_compared(chain):
    """The strategy's ValidateUpdate runs ValidateRuntimeClass before ValidateRuntimeClassUpdate."""
    assert new_object(chain, "node.k8s.io/v1", "runtimeclasses", False, {"handler": "runc"}, "checked")[0] == 201
    code, status = call(chain, "PATCH", "/apis/node.k8s.io/v1/runtimeclasses/checked",
                        {"overhead": {"podFixed": {"cpu": "-1"}}}, content_type="application/merge-patch+json")
    assert (code, status["message"]) == (422, 'RuntimeClass.node.k8s.io "checked" is invalid: overhead.limits[cpu]: '
                                              'Invalid value: "-1": must be greater than or equal to 0')
    code, status = call(chain, "PATCH", "/apis/node.k8s.io/v1/runtimeclasses/checked", {"handler": ""},
                        content_type="application/merge-patch+json")
    assert (code, status["message"]) == (
        422, 'RuntimeClass.node.k8s.io "checked" is invalid: [handler: Invalid value: "": a lowercase RFC 1123 label '
             "must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric "
             "character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?'), "
             'handler: Invalid value: "": field is immutable]')


@pytest.mark.parametrize("group_version,plural,body,path", [
    ("apps/v1", "deployments", {"spec": {"selector": {"matchLabels": {"app": "x"}}}}, "spec.template"),
    ("v1", "podtemplates", {}, "template")])
def test_a_pod_templates_labels_and_annotations_are_validated(chain, group_version, plural, body, path):
    """ValidatePodTemplateSpec checks the template's labels and annotations, at the template's own
    path (its ObjectMeta is embedded); an annotation key is checked lower-cased, as upstream does."""
    template = {"metadata": {"labels": {"app": "x", "bad key!": "v"},
                             "annotations": {"Example.COM/Fine": "v", "Bad Key": "v"}},
                "spec": {"containers": [{"name": "c", "image": "nginx"}]}}
    spec = {"spec": {**body["spec"], "template": template}} if body else {"template": template}
    code, status = new_object(chain, group_version, plural, True, spec, f"labelled-{plural}")
    assert code == 422, status
    assert f'{path}.labels: Invalid value: "bad key!": name part must consist of' in status["message"]
    assert f'{path}.annotations: Invalid value: "Bad Key": name part must consist of' in status["message"]
    assert "Example.COM" not in status["message"]


STS_TEMPLATE = {"metadata": {"labels": {"app": "s"}}, "spec": {"containers": [{"name": "c", "image": "nginx"}]}}


@pytest.mark.parametrize("spec,message", [
    ({"podManagementPolicy": "Random"},
     "spec.podManagementPolicy: Invalid value: \"Random\": must be 'OrderedReady' or 'Parallel'"),
    ({"updateStrategy": {"type": "Sometimes"}},
     'spec.updateStrategy: Invalid value: apps.StatefulSetUpdateStrategy{Type:"Sometimes", '
     "RollingUpdate:(*apps.RollingUpdateStatefulSetStrategy)(nil)}: must be 'RollingUpdate' or 'OnDelete'"),
    ({"updateStrategy": {"type": "OnDelete", "rollingUpdate": {"partition": 1}}},
     "spec.updateStrategy.rollingUpdate: Invalid value: apps.RollingUpdateStatefulSetStrategy{Partition:1}: "
     "only allowed for updateStrategy 'RollingUpdate'"),
    ({"updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {"partition": -1}}},
     "spec.updateStrategy.rollingUpdate.partition: Invalid value: -1: must be greater than or equal to 0"),
    ({"minReadySeconds": -5}, "spec.minReadySeconds: Invalid value: -5: must be greater than or equal to 0"),
    ({"template": {**STS_TEMPLATE, "spec": {**STS_TEMPLATE["spec"], "restartPolicy": "Never"}}},
     'spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'),
    ({"template": {**STS_TEMPLATE, "spec": {**STS_TEMPLATE["spec"], "activeDeadlineSeconds": 5}}},
     "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in StatefulSet is not Supported"),
])
def test_a_stateful_set_spec_is_validated_as_upstream_does(chain, spec, message):
    body = {"spec": {"selector": {"matchLabels": {"app": "s"}}, "serviceName": "s", "template": STS_TEMPLATE, **spec}}
    code, status = new_object(chain, "apps/v1", "statefulsets", True, body, "checked-set")
    assert code == 422 and message in status["message"], status


def test_a_stateful_set_template_pod_spec_is_not_validated_in_1_24(chain):
    """ValidatePodTemplateSpecForStatefulSet checks the template's selector match, labels and
    annotations only (its pod spec check is a TODO upstream): a container without an image is
    stored, and fails only when the controller creates the pod."""
    template = {"metadata": {"labels": {"app": "s"}}, "spec": {"containers": [{"name": "c"}]}}
    body = {"spec": {"selector": {"matchLabels": {"app": "s"}}, "serviceName": "s", "template": template}}
    assert new_object(chain, "apps/v1", "statefulsets", True, body, "lax-set")[0] == 201


def test_a_stateful_sets_pvc_retention_policy_is_dropped_while_its_gate_is_off(chain):
    """StatefulSetAutoDeletePVC is alpha and off in 1.24: the field is dropped on create."""
    body = {"spec": {"selector": {"matchLabels": {"app": "s"}}, "serviceName": "s", "template": STS_TEMPLATE,
                     "persistentVolumeClaimRetentionPolicy": {"whenDeleted": "Delete", "whenScaled": "Bogus"}}}
    code, created = new_object(chain, "apps/v1", "statefulsets", True, body, "retained-set")
    assert code == 201 and "persistentVolumeClaimRetentionPolicy" not in created["spec"]


def test_a_volume_attachments_attacher_column_is_a_name(chain):
    """printers.go gives the Attacher column the "name" format, as only Name columns have besides."""
    body = {"spec": {"attacher": "example.com", "nodeName": "n1", "source": {"persistentVolumeName": "pv"}}}
    assert new_object(chain, "storage.k8s.io/v1", "volumeattachments", False, body, "va-format")[0] == 201
    code, table = call(chain, "GET", "/apis/storage.k8s.io/v1/volumeattachments/va-format", accept=TABLE)
    assert code == 200
    assert [(c["name"], c["format"]) for c in table["columnDefinitions"]] == [
        ("Name", "name"), ("Attacher", "name"), ("PV", ""), ("Node", ""), ("Attached", ""), ("Age", "")]
