"""The beta versions 1.24 still serves (kinds/betaversions.py), through the handler chain on the
reference etcd: discovery, the deprecation warning, create in one version and read in the other,
and each version's own conversion and field labels, as the real kube-apiserver 1.24 answers them.
One rule per test, named in its docstring."""
from __future__ import annotations

from reference_impl.apiserver.core import openapi, protobuf
from reference_impl.apiserver.core.handlers import Request
from tests.reference.apiserver import test_handlers
from tests.reference.apiserver.test_handlers import call

# The handler chain on a reference etcd, fixtures shared with test_handlers.
etcd, registry, chain = test_handlers.etcd, test_handlers.registry, test_handlers.chain

CRON_JOB = {"apiVersion": "batch/v1beta1", "kind": "CronJob", "metadata": {"name": "nightly"},
            "spec": {"schedule": "*/5 * * * *", "jobTemplate": {"spec": {"template": {"spec": {
                "restartPolicy": "OnFailure", "containers": [{"name": "c", "image": "busybox"}]}}}}}}
HPA = {"apiVersion": "autoscaling/v2beta2", "kind": "HorizontalPodAutoscaler", "metadata": {"name": "web"},
       "spec": {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}, "maxReplicas": 5}}
EVENT = {"apiVersion": "events.k8s.io/v1beta1", "kind": "Event", "metadata": {"name": "seen"}, "reason": "Because",
         "type": "Odd", "note": "hello"}


def collection(chain, api_version: str, plural: str) -> str:
    return f"/apis/{api_version}/namespaces/{chain.namespace}/{plural}"


def warnings(chain, path: str) -> list[str]:
    return chain.handle(Request("GET", path, {}, {"Accept": "application/json"}, b"")).warnings


def test_discovery_lists_each_beta_version_after_the_version_that_replaced_it(chain):
    """/apis/<group> lists the versions in the aggregator's priority order, the preferred one first."""
    versions = {group: [v["version"] for v in listed["versions"]]
                for group in ("batch", "node.k8s.io", "events.k8s.io", "autoscaling")
                for code, listed in [call(chain, "GET", f"/apis/{group}")]}
    assert versions == {"batch": ["v1", "v1beta1"], "node.k8s.io": ["v1", "v1beta1"],
                        "events.k8s.io": ["v1", "v1beta1"], "autoscaling": ["v2", "v1", "v2beta1", "v2beta2"]}
    code, listed = call(chain, "GET", "/apis/batch/v1beta1")
    assert [(r["name"], r["kind"]) for r in listed["resources"]] == [("cronjobs", "CronJob"),
                                                                     ("cronjobs/status", "CronJob")]


def test_every_request_to_a_beta_version_warns_in_the_words_of_its_lifecycle(chain):
    """The Warning names the releases that deprecated and remove the version, and the replacement
    only where the type names one."""
    assert warnings(chain, collection(chain, "batch/v1beta1", "cronjobs")) == [
        "batch/v1beta1 CronJob is deprecated in v1.21+, unavailable in v1.25+; use batch/v1 CronJob"]
    assert warnings(chain, "/apis/node.k8s.io/v1beta1/runtimeclasses") == [
        "node.k8s.io/v1beta1 RuntimeClass is deprecated in v1.22+, unavailable in v1.25+"]
    assert warnings(chain, collection(chain, "storage.k8s.io/v1beta1", "csistoragecapacities")) == [
        "storage.k8s.io/v1beta1 CSIStorageCapacity is deprecated in v1.24+, unavailable in v1.27+"]
    assert warnings(chain, collection(chain, "batch/v1", "cronjobs")) == []


def test_a_cron_job_created_as_v1beta1_reads_as_v1_and_back(chain):
    """Both versions are one stored object: each read writes its own apiVersion, defaults included."""
    code, created = call(chain, "POST", collection(chain, "batch/v1beta1", "cronjobs"), CRON_JOB)
    assert (code, created["apiVersion"], created["spec"]["concurrencyPolicy"]) == (201, "batch/v1beta1", "Allow")
    code, as_v1 = call(chain, "GET", collection(chain, "batch/v1", "cronjobs") + "/nightly")
    assert (as_v1["apiVersion"], as_v1["spec"]) == ("batch/v1", created["spec"])
    code, listed = call(chain, "GET", collection(chain, "batch/v1beta1", "cronjobs"))
    assert (listed["apiVersion"], listed["kind"], [i["metadata"]["name"] for i in listed["items"]]) == (
        "batch/v1beta1", "CronJobList", ["nightly"])


def test_batch_v1beta1_selects_cron_jobs_by_status_successful_too(chain):
    """batch/v1beta1 registers a field label conversion for CronJobs that v1 does not."""
    path = collection(chain, "batch/v1beta1", "cronjobs")
    assert call(chain, "GET", path, query={"fieldSelector": "status.successful=1"})[0] == 200
    code, status = call(chain, "GET", path, query={"fieldSelector": "spec.schedule=x"})
    assert (code, status["message"]) == (400, 'field label "spec.schedule" not supported for "CronJob"')


def test_autoscaling_v2beta2_writes_the_status_fields_v2_omits_when_empty(chain):
    """v2beta2's currentReplicas and conditions have no omitempty; v2's have."""
    code, created = call(chain, "POST", collection(chain, "autoscaling/v2beta2", "horizontalpodautoscalers"), HPA)
    assert (code, created["status"]) == (201, {"currentReplicas": 0, "desiredReplicas": 0, "currentMetrics": None,
                                               "conditions": None})
    code, as_v2 = call(chain, "GET", collection(chain, "autoscaling/v2", "horizontalpodautoscalers") + "/web")
    assert as_v2["status"] == {"desiredReplicas": 0, "currentMetrics": None}


def test_an_events_v1beta1_create_is_checked_as_a_core_event(chain):
    """ValidateEventCreate gives events.k8s.io/v1beta1 legacyValidateEvent alone: no eventTime, and any type."""
    event = {**EVENT, "regarding": {"kind": "Pod", "name": "p", "namespace": chain.namespace}}
    code, created = call(chain, "POST", collection(chain, "events.k8s.io/v1beta1", "events"), event)
    assert (code, created["apiVersion"], created["note"]) == (201, "events.k8s.io/v1beta1", "hello")
    code, core = call(chain, "GET", f"/api/v1/namespaces/{chain.namespace}/events/seen")
    assert (core["apiVersion"], core["message"], core["involvedObject"]["name"]) == ("v1", "hello", "p")
    code, status = call(chain, "POST", collection(chain, "events.k8s.io/v1", "events"),
                        {**event, "apiVersion": "events.k8s.io/v1", "metadata": {"name": "strict"}})
    assert code == 422


def test_an_event_without_a_name_in_the_wrong_namespace_is_refused_in_upstreams_order(chain):
    """ValidateEventCreate runs legacyValidateEvent first, and only for events.k8s.io/v1 then the
    metadata: v1 lists the namespace mismatch before the missing name, v1beta1 (as core/v1) the
    mismatch alone (request_random_differential's left difference; the real 1.24 server's words)."""
    event = {"metadata": {}, "regarding": {"namespace": "other"}}
    code, status = call(chain, "POST", collection(chain, "events.k8s.io/v1", "events"),
                        {**event, "apiVersion": "events.k8s.io/v1", "kind": "Event"})
    assert (code, status["message"]) == (422, 'Event "" is invalid: [involvedObject.namespace: Invalid value: "other": '
                                         'does not match event.namespace, metadata.name: Required value: name or '
                                         'generateName is required, eventTime: Required value, type: Invalid value: '
                                         '"": has invalid value: ]')
    code, status = call(chain, "POST", collection(chain, "events.k8s.io/v1beta1", "events"),
                        {**event, "apiVersion": "events.k8s.io/v1beta1", "kind": "Event"})
    assert (code, status["message"]) == (422, 'Event "" is invalid: involvedObject.namespace: Invalid value: "other": '
                                         'does not match event.namespace')


def test_openapi_has_each_beta_kind_under_its_own_name():
    """kubectl validates and explains a beta kind by its own definition, referring to its own types."""
    definitions = openapi.definitions()
    cron_job = definitions["io.k8s.api.batch.v1beta1.CronJob"]
    assert cron_job["x-kubernetes-group-version-kind"] == [{"group": "batch", "kind": "CronJob", "version": "v1beta1"}]
    assert cron_job["properties"]["spec"]["$ref"] == "#/definitions/io.k8s.api.batch.v1beta1.CronJobSpec"
    template = definitions["io.k8s.api.batch.v1beta1.JobTemplateSpec"]
    assert template["properties"]["spec"]["$ref"] == "#/definitions/io.k8s.api.batch.v1.JobSpec"
    assert "io.k8s.api.autoscaling.v2beta2.MetricTarget" in definitions
    assert "io.k8s.api.node.v1beta1.RuntimeClass" in definitions


def test_a_beta_kind_round_trips_through_protobuf(chain):
    """The beta kinds have the protobuf layouts of their own package (batch.v1beta1.CronJob), the
    same as the replacement's."""
    code, created = call(chain, "POST", collection(chain, "batch/v1beta1", "cronjobs"), CRON_JOB)
    code, as_v1 = call(chain, "GET", collection(chain, "batch/v1", "cronjobs") + "/nightly")
    decoded = protobuf.decode(protobuf.encode(created))
    assert decoded["apiVersion"] == "batch/v1beta1"
    assert {**decoded, "apiVersion": "batch/v1"} == protobuf.decode(protobuf.encode(as_v1))


def slice_of(api_version: str, name: str, endpoints: list[dict]) -> dict:
    return {"apiVersion": api_version, "kind": "EndpointSlice", "metadata": {"name": name}, "addressType": "IPv4",
            "endpoints": [{"addresses": [f"10.0.0.{i + 1}"], **e} for i, e in enumerate(endpoints)]}


def test_a_v1beta1_topology_is_v1s_zone_node_name_and_deprecated_topology(chain):
    """The zone label becomes zone, a hostname label equal to nodeName goes, the rest is
    deprecatedTopology; an empty topology is none."""
    endpoints = [{"nodeName": "n1", "topology": {"kubernetes.io/hostname": "n1", "topology.kubernetes.io/zone": "z1",
                                                 "topology.kubernetes.io/region": "r1"}},
                 {"nodeName": "n2", "topology": {"kubernetes.io/hostname": "other"}},
                 {"topology": {}}]
    call(chain, "POST", collection(chain, "discovery.k8s.io/v1beta1", "endpointslices"),
         slice_of("discovery.k8s.io/v1beta1", "beta", endpoints))
    code, as_v1 = call(chain, "GET", collection(chain, "discovery.k8s.io/v1", "endpointslices") + "/beta")
    assert [{k: value for k, value in e.items() if k not in ("addresses", "conditions")}
            for e in as_v1["endpoints"]] == [
        {"deprecatedTopology": {"topology.kubernetes.io/region": "r1"}, "nodeName": "n1", "zone": "z1"},
        {"deprecatedTopology": {"kubernetes.io/hostname": "other"}, "nodeName": "n2"}, {}]


def test_a_v1_zone_and_node_name_read_as_v1beta1_topology_labels(chain):
    """Reading v1's fields as v1beta1 puts the zone and the nodeName in the topology, keys sorted."""
    endpoints = [{"nodeName": "n1", "zone": "z1"}, {"zone": "z2"}, {"hostname": "h"}]
    call(chain, "POST", collection(chain, "discovery.k8s.io/v1", "endpointslices"),
         slice_of("discovery.k8s.io/v1", "ga", endpoints))
    code, as_beta = call(chain, "GET", collection(chain, "discovery.k8s.io/v1beta1", "endpointslices") + "/ga")
    assert [list(e) for e in as_beta["endpoints"]] == [["addresses", "conditions", "topology", "nodeName"],
                                                       ["addresses", "conditions", "topology"],
                                                       ["addresses", "conditions", "hostname"]]
    assert [e.get("topology") for e in as_beta["endpoints"]] == [
        {"kubernetes.io/hostname": "n1", "topology.kubernetes.io/zone": "z1"}, {"topology.kubernetes.io/zone": "z2"},
        None]


def test_a_v1beta1_topology_is_validated_as_deprecated_topology(chain):
    """validateEndpoints allows 16 valid labels, checked after nodeName and before hostname."""
    topology = {**{f"k{i}": "v" for i in range(17)}, "bad key!": "v"}
    code, status = call(chain, "POST", collection(chain, "discovery.k8s.io/v1beta1", "endpointslices"),
                        slice_of("discovery.k8s.io/v1beta1", "bad", [{"hostname": "H_1", "topology": topology}]))
    assert code == 422
    assert [cause["message"][:30] for cause in status["details"]["causes"]] == [
        "Too many: 18: must have at mos", 'Invalid value: "bad key!": nam', 'Invalid value: "H_1": a lowerc']
    assert {cause["field"] for cause in status["details"]["causes"][:2]} == {"endpoints[0].deprecatedTopology"}


def budget(api_version: str, name: str, selector: dict) -> dict:
    return {"apiVersion": api_version, "kind": "PodDisruptionBudget", "metadata": {"name": name},
            "spec": {"minAvailable": 1, "selector": selector}}


def selector_as(chain, version: str, name: str) -> dict:
    return call(chain, "GET", collection(chain, f"policy/{version}", "poddisruptionbudgets") + f"/{name}")[1][
        "spec"]["selector"]


def test_an_empty_v1beta1_selector_selects_no_pods_in_v1_too(chain):
    """policy/v1beta1's empty selector matches nothing: v1 reads it as a selector on a label no pod
    has, and v1beta1 reads that back as empty."""
    call(chain, "POST", collection(chain, "policy/v1beta1", "poddisruptionbudgets"), budget("policy/v1beta1", "none", {}))
    assert selector_as(chain, "v1", "none") == {"matchExpressions": [
        {"key": "pdb.kubernetes.io/deprecated-v1beta1-empty-selector-match", "operator": "Exists"}]}
    assert selector_as(chain, "v1beta1", "none") == {}


def test_an_empty_v1_selector_selects_every_pod_in_v1beta1_too(chain):
    """v1's empty selector matches every pod: v1beta1 reads it as every pod lacking that label."""
    call(chain, "POST", collection(chain, "policy/v1", "poddisruptionbudgets"), budget("policy/v1", "all", {}))
    assert selector_as(chain, "v1beta1", "all") == {"matchExpressions": [
        {"key": "pdb.kubernetes.io/deprecated-v1beta1-empty-selector-match", "operator": "DoesNotExist"}]}
    assert selector_as(chain, "v1", "all") == {}


def test_a_v1beta1_selector_loses_the_reserved_label_alongside_others(chain):
    """StripPDBV1beta1Label: a user's selector never keeps the reserved label next to its own terms."""
    selector = {"matchLabels": {"app": "web"}, "matchExpressions": [
        {"key": "pdb.kubernetes.io/deprecated-v1beta1-empty-selector-match", "operator": "Exists"}]}
    call(chain, "POST", collection(chain, "policy/v1beta1", "poddisruptionbudgets"),
         budget("policy/v1beta1", "mixed", selector))
    assert selector_as(chain, "v1", "mixed") == {"matchLabels": {"app": "web"}}


V2BETA1_METRICS = [
    {"type": "Resource", "resource": {"name": "memory", "targetAverageValue": "100Mi"}},
    {"type": "Pods", "pods": {"metricName": "qps", "targetAverageValue": "10", "selector": {"matchLabels": {"a": "b"}}}},
    {"type": "Object", "object": {"target": {"kind": "Service", "name": "s"}, "metricName": "hits", "targetValue": "5",
                                  "averageValue": "2"}},
    {"type": "External", "external": {"metricName": "queue", "targetValue": "3"}},
    {"type": "Resource", "resource": {"name": "cpu", "targetAverageUtilization": 50}}]


def test_v2beta1_metric_targets_are_v2_metric_targets_of_the_type_their_fields_imply(chain):
    """targetAverageUtilization is a Utilization target, targetValue a Value one, an object's
    averageValue an AverageValue one (keeping its value); the name and selector are the metric's."""
    hpa = {**HPA, "apiVersion": "autoscaling/v2beta1", "metadata": {"name": "flat"},
           "spec": {**HPA["spec"], "metrics": V2BETA1_METRICS}}
    code, created = call(chain, "POST", collection(chain, "autoscaling/v2beta1", "horizontalpodautoscalers"), hpa)
    assert (code, created["spec"]["metrics"]) == (201, V2BETA1_METRICS)
    code, as_v2 = call(chain, "GET", collection(chain, "autoscaling/v2", "horizontalpodautoscalers") + "/flat")
    assert [metric[metric["type"][0].lower() + metric["type"][1:]] for metric in as_v2["spec"]["metrics"]] == [
        {"name": "memory", "target": {"type": "AverageValue", "averageValue": "100Mi"}},
        {"metric": {"name": "qps", "selector": {"matchLabels": {"a": "b"}}},
         "target": {"type": "AverageValue", "averageValue": "10"}},
        {"describedObject": {"kind": "Service", "name": "s"}, "target": {"type": "AverageValue", "value": "5",
                                                                          "averageValue": "2"},
         "metric": {"name": "hits"}},
        {"metric": {"name": "queue"}, "target": {"type": "Value", "value": "3"}},
        {"name": "cpu", "target": {"type": "Utilization", "averageUtilization": 50}}]


def test_a_v2beta1_autoscaler_defaults_to_a_cpu_target_in_its_own_fields(chain):
    """SetDefaults_HorizontalPodAutoscaler of v2beta1: no metrics is 80% cpu as targetAverageUtilization."""
    hpa = {**HPA, "apiVersion": "autoscaling/v2beta1", "metadata": {"name": "bare"}}
    code, created = call(chain, "POST", collection(chain, "autoscaling/v2beta1", "horizontalpodautoscalers"), hpa)
    assert created["spec"]["metrics"] == [{"type": "Resource", "resource": {"name": "cpu",
                                                                           "targetAverageUtilization": 80}}]
    assert created["status"] == {"currentReplicas": 0, "desiredReplicas": 0, "currentMetrics": None,
                                 "conditions": None}


def test_v2_metric_statuses_read_as_v2beta1_current_values(chain):
    """The Value a v2beta1 status field cannot leave out reads as 0; the others follow their source."""
    call(chain, "POST", collection(chain, "autoscaling/v2", "horizontalpodautoscalers"),
         {**HPA, "apiVersion": "autoscaling/v2", "metadata": {"name": "read"}})
    path = collection(chain, "autoscaling/v2", "horizontalpodautoscalers") + "/read"
    code, hpa = call(chain, "GET", path)
    hpa["status"] = {"currentReplicas": 2, "desiredReplicas": 3, "currentMetrics": [
        {"type": "Resource", "resource": {"name": "cpu", "current": {"averageValue": "100m", "averageUtilization": 40}}},
        {"type": "External", "external": {"metric": {"name": "q"}, "current": {"averageValue": "3"}}}]}
    assert call(chain, "PUT", path + "/status", hpa)[0] == 200
    code, as_beta = call(chain, "GET", collection(chain, "autoscaling/v2beta1", "horizontalpodautoscalers") + "/read")
    assert as_beta["status"]["currentMetrics"] == [
        {"type": "Resource", "resource": {"name": "cpu", "currentAverageUtilization": 40, "currentAverageValue": "100m"}},
        {"type": "External", "external": {"metricName": "q", "currentValue": "0", "currentAverageValue": "3"}}]


PSP = {"apiVersion": "policy/v1beta1", "kind": "PodSecurityPolicy", "metadata": {"name": "restricted"},
       "spec": {"allowedCapabilities": ["NET_ADMIN"], "volumes": ["configMap", "secret"], "seLinux": {"rule": "RunAsAny"},
                "runAsUser": {"rule": "MustRunAsNonRoot"}, "supplementalGroups": {"rule": "RunAsAny"},
                "fsGroup": {"rule": "RunAsAny"}, "readOnlyRootFilesystem": True,
                "allowedProcMountTypes": ["Default"]}}
PSPS = "/apis/policy/v1beta1/podsecuritypolicies"


def test_a_pod_security_policy_is_stored_defaulted_under_podsecuritypolicy(chain, registry):
    """allowPrivilegeEscalation defaults to true; allowedProcMountTypes go (ProcMountType is off);
    etcd holds it under the special prefix /registry/podsecuritypolicy/."""
    code, created = call(chain, "POST", PSPS, {**PSP, "metadata": {"name": chain.namespace}})
    assert (code, created["spec"]["allowPrivilegeEscalation"]) == (201, True)
    assert "allowedProcMountTypes" not in created["spec"]
    assert registry.storage.get(f"/registry/podsecuritypolicy/{chain.namespace}")["spec"]["volumes"] == [
        "configMap", "secret"]
    code, table = call(chain, "GET", f"{PSPS}/{chain.namespace}", accept=test_handlers.TABLE)
    assert table["rows"][0]["cells"] == [chain.namespace, "false", "NET_ADMIN", "RunAsAny", "MustRunAsNonRoot",
                                         "RunAsAny", "RunAsAny", True, "configMap,secret"]


def test_a_pod_security_policy_is_validated_in_the_real_servers_words(chain):
    """ValidatePodSecurityPolicySpec: strategies, ranges, capabilities (paths from the root, as
    upstream names them), host paths and RuntimeClasses."""
    spec = {"allowedCapabilities": ["*"], "requiredDropCapabilities": ["NET_ADMIN"],
            "defaultAddCapabilities": ["NET_ADMIN"], "seLinux": {"rule": "Bad"},
            "runAsUser": {"rule": "MustRunAs", "ranges": [{"min": 5, "max": 2}]},
            "runAsGroup": {"rule": "MustRunAs"}, "supplementalGroups": {"rule": "RunAsAny"},
            "fsGroup": {"rule": "RunAsAny"}, "allowedHostPaths": [{"pathPrefix": "/var/../etc"}],
            "runtimeClass": {"allowedRuntimeClassNames": ["a"], "defaultRuntimeClassName": "b"}}
    code, status = call(chain, "POST", PSPS, {**PSP, "metadata": {"name": "bad"}, "spec": spec})
    assert (code, status["message"][:45]) == (422, 'PodSecurityPolicy.extensions "bad" is invalid')
    assert [cause["field"] + ": " + cause["message"] for cause in status["details"]["causes"]] == [
        "spec.runAsUser.ranges[0].min: Invalid value: 5: min cannot be greater than max",
        "spec.runAsGroup.ranges: Invalid value: []policy.IDRange(nil): must provide at least one range",
        'spec.seLinux.rule: Unsupported value: "Bad": supported values: "MustRunAs", "RunAsAny"',
        'requiredDropCapabilities: Invalid value: []core.Capability{"NET_ADMIN"}: must be empty when all '
        "capabilities are allowed by a wildcard",
        'defaultAddCapabilities: Invalid value: "NET_ADMIN": capability is listed in defaultAddCapabilities and '
        "requiredDropCapabilities",
        "spec.allowedHostPaths[0]: Invalid value: \"/var/../etc\": must not contain '..'",
        'spec.runtimeClass.allowedRuntimeClassNames: Required value: default "b" must be allowed']


def test_an_invalid_events_k8s_io_event_is_named_as_a_core_event(chain):
    """The scheme names the internal Event in the core group first: both events.k8s.io versions'
    Invalid errors say `Event "name"`, with no group."""
    event = {**EVENT, "regarding": {"kind": "Pod", "name": "p", "namespace": "elsewhere"}}
    for version in ("v1beta1", "v1"):
        code, status = call(chain, "POST", collection(chain, f"events.k8s.io/{version}", "events"),
                            {**event, "apiVersion": f"events.k8s.io/{version}"})
        assert (code, status["message"][:21]) == (422, 'Event "seen" is inval')


def test_a_pod_security_policys_profiles_and_sysctls_are_validated(chain):
    """ValidatePodSecurityPolicySpecificAnnotations checks the profiles the annotations name;
    sysctl patterns are checked, and an allowed one may not overlap a forbidden one."""
    annotations = {"apparmor.security.beta.kubernetes.io/allowedProfileNames": "runtime/default,nope",
                   "seccomp.security.alpha.kubernetes.io/allowedProfileNames": "*,bad"}
    spec = {**PSP["spec"], "allowedUnsafeSysctls": ["kernel.msg*", "Bad.Sysctl"], "forbiddenSysctls": ["kernel.msgmax"]}
    code, status = call(chain, "POST", PSPS, {**PSP, "metadata": {"name": "sys", "annotations": annotations},
                                              "spec": spec})
    causes = status["details"]["causes"]
    assert [cause["field"] for cause in causes] == [
        "metadata.annotations[apparmor.security.beta.kubernetes.io/allowedProfileNames]",
        "metadata.annotations[seccomp.security.alpha.kubernetes.io/allowedProfileNames]",
        "spec.allowedUnsafeSysctls[1]", "spec.forbiddenSysctls[0]"]
    assert [cause["message"] for cause in causes[:2]] + [causes[3]["message"]] == [
        'Invalid value: "runtime/default,nope": invalid AppArmor profile name: "nope"',
        'Invalid value: "bad": must be a valid seccomp profile',
        'Invalid value: "kernel.msgmax": sysctl overlaps with kernel.msg*']


BEHAVIOR = "autoscaling.alpha.kubernetes.io/behavior"


def test_a_v2_behavior_reads_as_v2beta1s_annotation_in_the_internal_types_json(chain):
    """v2beta1 has no behavior field: it reads as the annotation, json.Marshal of the internal
    type (Go's field names, nil as null, the defaults v2 filled in)."""
    behavior = {"scaleDown": {"stabilizationWindowSeconds": 60, "policies": [{"type": "Pods", "value": 1,
                                                                               "periodSeconds": 30}]}}
    call(chain, "POST", collection(chain, "autoscaling/v2", "horizontalpodautoscalers"),
         {**HPA, "apiVersion": "autoscaling/v2", "metadata": {"name": "paced"}, "spec": {**HPA["spec"],
                                                                                          "behavior": behavior}})
    code, as_beta = call(chain, "GET", collection(chain, "autoscaling/v2beta1", "horizontalpodautoscalers") + "/paced")
    assert "behavior" not in as_beta["spec"]
    assert as_beta["metadata"]["annotations"] == {BEHAVIOR: (
        '{"ScaleUp":{"StabilizationWindowSeconds":0,"SelectPolicy":"Max","Policies":[{"Type":"Pods","Value":4,'
        '"PeriodSeconds":15},{"Type":"Percent","Value":100,"PeriodSeconds":15}]},"ScaleDown":{'
        '"StabilizationWindowSeconds":60,"SelectPolicy":"Max","Policies":[{"Type":"Pods","Value":1,"PeriodSeconds":30}]}}')}


def test_a_v2beta1_behavior_annotation_is_v2s_behavior_and_goes(chain):
    """Converting to v2 moves a well-formed behavior annotation to spec.behavior and drops the
    round-trip annotations; the others stay, before managedFields."""
    annotations = {"other": "x", BEHAVIOR: '{"scaleDown":{"policies":[{"type":"Percent","value":10,"periodSeconds":60}]}}'}
    call(chain, "POST", collection(chain, "autoscaling/v2beta1", "horizontalpodautoscalers"),
         {**HPA, "apiVersion": "autoscaling/v2beta1", "metadata": {"name": "noted", "annotations": annotations}})
    code, as_v2 = call(chain, "GET", collection(chain, "autoscaling/v2", "horizontalpodautoscalers") + "/noted")
    assert as_v2["spec"]["behavior"] == {"scaleDown": {"policies": [{"type": "Percent", "value": 10,
                                                                     "periodSeconds": 60}]}}
    assert as_v2["metadata"]["annotations"] == {"other": "x"}
    assert list(as_v2["metadata"]).index("annotations") < list(as_v2["metadata"]).index("managedFields")


def test_a_watch_of_a_beta_version_warns_as_well(chain):
    """A watch carries the deprecation Warning in its head, as every other request does."""
    response = chain.handle(Request("GET", collection(chain, "batch/v1beta1", "cronjobs"), {"watch": ["1"]},
                                    {"Accept": "application/json"}, b""))
    try:
        assert response.warnings == [
            "batch/v1beta1 CronJob is deprecated in v1.21+, unavailable in v1.25+; use batch/v1 CronJob"]
    finally:
        response.stop()
