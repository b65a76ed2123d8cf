"""The annotations 1.24 still reads from pods, pod templates and nodes are validated as
ValidatePodSpecificAnnotations, ValidatePodSpecificAnnotationUpdates and
ValidateNodeSpecificAnnotations do: each test runs the registry against a real reference etcd and
checks the causes of the 422 upstream writes, in its field paths (`.Key(k)` is `[k]`, `.Child(k)`
is `.k`) and words, encoding/json's included."""
from __future__ import annotations

import itertools
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "etcd"))
import processes  # noqa: E402

from reference_impl.apiserver.core.errors import StatusError  # noqa: E402
from reference_impl.apiserver.core.registry import Registry  # noqa: E402
from reference_impl.apiserver.storage.etcdclient import EtcdClient  # noqa: E402
from reference_impl.machinery.clock import ManualClock  # noqa: E402

NS = "annotations"
MIRROR = "kubernetes.io/config.mirror"
TOLERATIONS = "scheduler.alpha.kubernetes.io/tolerations"
COST = "controller.kubernetes.io/pod-deletion-cost"
SECCOMP = "seccomp.security.alpha.kubernetes.io/pod"
APPARMOR = "container.apparmor.security.beta.kubernetes.io/"
TAINTS = "scheduler.alpha.kubernetes.io/taints"
AVOID_PODS = "scheduler.alpha.kubernetes.io/preferAvoidPods"
SPEC = {"containers": [{"name": "c", "image": "busybox:1.36"}], "initContainers": [{"name": "i", "image": "busybox"}]}
_names = itertools.count()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with processes.reference_server(tmp_path_factory.mktemp("etcd") / "ref") as server:
        client = EtcdClient(server.client_url)
        registry = Registry(client, ManualClock(1_700_000_000))
        registry.create("namespaces", None, {"metadata": {"name": NS}})
        yield registry, client
        registry.close()
        client.close()


@pytest.fixture(scope="module")
def registry(cluster):
    return cluster[0]


def causes(call, *args, **kwargs) -> list[str]:
    """The 422's causes as `field: message`, the text of each field.Error."""
    with pytest.raises(StatusError) as raised:
        call(*args, **kwargs)
    assert raised.value.code == 422 and raised.value.reason == "Invalid", raised.value
    return [f"{cause['field']}: {cause['message']}" for cause in raised.value.details["causes"]]


def pod(annotations: dict, **spec) -> dict:
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": f"p{next(_names)}", "annotations": annotations}, "spec": {**SPEC, **spec}}


def create_pod(registry, annotations: dict, **spec) -> dict:
    return registry.create("pods", NS, pod(annotations, **spec))


def pod_errors(registry, annotations: dict, **spec) -> list[str]:
    return causes(create_pod, registry, annotations, **spec)


def annotate(registry, obj: dict, annotations: dict, subresource: str | None = None) -> dict:
    meta = obj["metadata"]
    sent = {**obj, "metadata": {**meta, "annotations": annotations}}
    return registry.update("pods", NS, meta["name"], sent, subresource=subresource)


# --- pods and templates: ValidatePodSpecificAnnotations ---------------------------------------------

def test_a_mirror_pod_is_bound_to_a_node(registry):
    """The kubelet makes a mirror pod for a static pod it already runs: spec.nodeName is set."""
    assert pod_errors(registry, {MIRROR: "x"}) == [
        f'metadata.annotations[{MIRROR}]: Invalid value: "x": must set spec.nodeName if mirror pod annotation is set']
    assert create_pod(registry, {MIRROR: "x"}, nodeName="n1")["metadata"]["annotations"] == {MIRROR: "x"}


@pytest.mark.parametrize("cost", ["+10", "abc", "008", "", "2147483648", "-2147483649", "1_0", " 1", "１"])
def test_a_deletion_cost_is_a_32bit_integer(registry, cost):
    """GetDeletionCostFromPodAnnotations: strconv.ParseInt(v, 10, 32) of a value starting with '-' or
    a digit, and only "0" starting with 0."""
    assert pod_errors(registry, {COST: cost}) == [
        f"metadata.annotations[{COST}]: Invalid value: {json.dumps(cost, ensure_ascii=False)}: must be a 32bit integer"]


@pytest.mark.parametrize("cost", ["0", "-0", "-007", "2147483647", "-2147483648"])
def test_a_deletion_cost_may_be_any_32bit_integer(registry, cost):
    assert create_pod(registry, {COST: cost})["metadata"]["annotations"] == {COST: cost}


def pod_template(annotations: dict) -> dict:
    return {"apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": f"t{next(_names)}"},
            "template": {"metadata": {"annotations": annotations}, "spec": SPEC}}


def test_a_seccomp_annotation_names_a_known_profile(registry):
    """ValidateSeccompProfile: runtime/default, docker/default, unconfined or localhost/<path>."""
    assert pod_errors(registry, {SECCOMP: "bogus"}) == [
        f'metadata.annotations.{SECCOMP}: Invalid value: "bogus": must be a valid seccomp profile']


@pytest.mark.parametrize("annotations,expected", [
    ({SECCOMP: "localhost//etc/p"},
     [f'template.annotations.{SECCOMP}: Invalid value: "/etc/p": must be a relative path']),
    ({SECCOMP: "localhost/../p"}, [f"template.annotations.{SECCOMP}: Invalid value: \"../p\": must not contain '..'"]),
    ({"container.seccomp.security.alpha.kubernetes.io/c": "localhost//a/.."},
     ['template.annotations.container.seccomp.security.alpha.kubernetes.io/c: Invalid value: "/a/..": '
      "must be a relative path",
      "template.annotations.container.seccomp.security.alpha.kubernetes.io/c: Invalid value: \"/a/..\": "
      "must not contain '..'"]),
], ids=["absolute", "backsteps", "container"])
def test_a_localhost_seccomp_profile_is_below_the_kubelets_directory(registry, annotations, expected):
    """validateLocalDescendingPath: relative and without '..'. (In a template: a pod's own
    PrepareForCreate would copy the profile into its seccompProfile field as well.)"""
    assert causes(registry.create, "podtemplates", NS, pod_template(annotations)) == expected


def test_a_seccomp_annotation_may_name_any_known_profile(registry):
    annotations = {SECCOMP: "docker/default", "container.seccomp.security.alpha.kubernetes.io/c": "localhost/p.json"}
    assert create_pod(registry, annotations)["metadata"]["annotations"] == annotations


@pytest.mark.parametrize("annotations,expected", [
    ({APPARMOR + "missing": "runtime/default"},
     [f'metadata.annotations[{APPARMOR}missing]: Invalid value: "missing": container not found']),
    ({APPARMOR + "c": "bogus"},
     [f'metadata.annotations[{APPARMOR}c]: Invalid value: "bogus": invalid AppArmor profile name: "bogus"']),
    ({APPARMOR + "x": "/p"}, [f'metadata.annotations[{APPARMOR}x]: Invalid value: "x": container not found',
                              f'metadata.annotations[{APPARMOR}x]: Invalid value: "/p": '
                              'invalid AppArmor profile name: "/p"']),
], ids=["no-container", "no-localhost-prefix", "both"])
def test_an_apparmor_annotation_names_a_container_and_a_profile(registry, annotations, expected):
    """ValidateAppArmorPodAnnotations and apparmor.ValidateProfileFormat."""
    assert pod_errors(registry, annotations) == expected


def test_an_apparmor_annotation_may_name_an_init_container(registry):
    annotations = {APPARMOR + "i": "localhost/p", APPARMOR + "c": ""}
    assert create_pod(registry, annotations)["metadata"]["annotations"] == annotations


@pytest.mark.parametrize("value,expected", [
    ("x", "invalid character 'x' looking for beginning of value"),
    ("{}", "json: cannot unmarshal object into Go value of type []core.Toleration"),
    ("[1]", "json: cannot unmarshal number into Go value of type core.Toleration"),
    ('[{"key":1}]', "json: cannot unmarshal number into Go struct field Toleration.Key of type string"),
    ('[{"key":"k","tolerationSeconds":1.5}]',
     "json: cannot unmarshal number 1.5 into Go struct field Toleration.TolerationSeconds of type int64"),
    ('[{"operator":["Exists"]}]',
     "json: cannot unmarshal array into Go struct field Toleration.Operator of type core.TolerationOperator"),
], ids=["syntax", "object", "number", "key", "seconds", "operator"])
def test_a_tolerations_annotation_is_json_tolerations(registry, value, expected):
    """GetTolerationsFromPodAnnotations: encoding/json's first error decoding []core.Toleration,
    reported at the annotations with the key as the value."""
    assert pod_errors(registry, {TOLERATIONS: value}) == [
        f'metadata.annotations: Invalid value: "{TOLERATIONS}": {expected}']


def test_a_tolerations_annotation_holds_valid_tolerations(registry):
    """ValidateTolerations at annotations.<key>[i]; core.Toleration has no json tags, so keys match
    its Go field names in any case."""
    value = '[{"KEY":"a b","effect":"NoSchedule","tolerationSeconds":5}]'
    here = f"metadata.annotations.{TOLERATIONS}"
    assert pod_errors(registry, {TOLERATIONS: value}) == [
        f'{here}[0].key: Invalid value: "a b": name part must consist of alphanumeric characters, \'-\', \'_\' or '
        "'.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
        "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
        f'{here}[0].effect: Invalid value: "NoSchedule": effect must be \'NoExecute\' when `tolerationSeconds` is set']


@pytest.mark.parametrize("plural,api_version,kind,spec,at", [
    ("deployments", "apps/v1", "Deployment", {"selector": {"matchLabels": {"a": "b"}}}, "spec.template"),
    ("jobs", "batch/v1", "Job", {}, "spec.template"),
    ("podtemplates", "v1", "PodTemplate", None, "template"),
])
def test_a_pod_template_has_the_pod_annotations_rules(registry, plural, api_version, kind, spec, at):
    """ValidatePodTemplateSpec runs ValidatePodSpecificAnnotations on the template's annotations."""
    template = {"metadata": {"labels": {"a": "b"}, "annotations": {COST: "abc", MIRROR: "x"}},
                "spec": {**SPEC, "restartPolicy": "Never" if plural == "jobs" else "Always"}}
    body = {"apiVersion": api_version, "kind": kind, "metadata": {"name": f"t{next(_names)}"}}
    body.update({"spec": {**spec, "template": template}} if spec is not None else {"template": template})
    assert causes(registry.create, plural, NS, body) == [
        f'{at}.annotations[{MIRROR}]: Invalid value: "x": must set spec.nodeName if mirror pod annotation is set',
        f'{at}.annotations[{COST}]: Invalid value: "abc": must be a 32bit integer']


# --- pod updates: ValidatePodSpecificAnnotationUpdates -------------------------------------------

@pytest.mark.parametrize("subresource", [None, "status"])
def test_no_update_adds_a_mirror_or_apparmor_annotation(registry, subresource):
    """Set when the kubelet started the pod; added later they would lie about it."""
    created = create_pod(registry, {}, nodeName="n1")
    assert causes(annotate, registry, created, {MIRROR: "x", APPARMOR + "c": "runtime/default"}, subresource) == [
        f"metadata.annotations[{MIRROR}]: Forbidden: may not add mirror pod annotation",
        f"metadata.annotations[{APPARMOR}c]: Forbidden: may not add AppArmor annotations"]


@pytest.mark.parametrize("subresource", [None, "status"])
def test_no_update_changes_or_removes_a_mirror_or_apparmor_annotation(registry, subresource):
    """Upstream walks the old annotations in Go's map order, which is random: compared as a set."""
    created = create_pod(registry, {MIRROR: "x", APPARMOR + "c": "runtime/default"}, nodeName="n1")
    assert sorted(causes(annotate, registry, created, {MIRROR: "y"}, subresource)) == [
        f"metadata.annotations[{APPARMOR}c]: Forbidden: may not remove or update AppArmor annotations",
        f"metadata.annotations[{MIRROR}]: Forbidden: may not remove or update mirror pod annotation"]


def test_a_status_update_validates_the_annotations(registry):
    """ValidatePodStatusUpdate runs ValidatePodSpecificAnnotationUpdates: the metadata a status
    update sends is kept."""
    created = create_pod(registry, {})
    assert causes(annotate, registry, created, {COST: "abc"}, "status") == [
        f'metadata.annotations[{COST}]: Invalid value: "abc": must be a 32bit integer']


def test_an_update_reports_a_new_invalid_cost_twice(registry):
    """ValidatePodUpdate validates the annotations in validatePodMetadataAndSpec and again in
    ValidatePodSpecificAnnotationUpdates: the causes list both, the message one."""
    created = create_pod(registry, {})
    assert causes(annotate, registry, created, {COST: "abc"}) == [
        f'metadata.annotations[{COST}]: Invalid value: "abc": must be a 32bit integer'] * 2


def test_an_update_keeps_a_stored_invalid_cost(cluster):
    """AllowInvalidPodDeletionCost: a pod stored with an invalid cost (before the gate) may be
    updated without fixing it."""
    registry, client = cluster
    stored = pod({COST: "abc"})
    stored["metadata"].update(namespace=NS, uid="u", creationTimestamp="2023-11-14T22:13:20Z")
    name = stored["metadata"]["name"]
    client.put_if_mod_revision(registry.key(registry.resource("pods"), NS, name), json.dumps(stored).encode(), 0)
    current = registry.get("pods", NS, name)
    updated = annotate(registry, current, {COST: "+1", "other": "x"}, "status")
    assert updated["metadata"]["annotations"] == {COST: "+1", "other": "x"}


# --- nodes: ValidateNodeSpecificAnnotations -------------------------------------------------------

def node(annotations: dict) -> dict:
    return {"apiVersion": "v1", "kind": "Node", "metadata": {"name": f"n{next(_names)}", "annotations": annotations}}


@pytest.mark.parametrize("value,expected", [
    ("x", "metadata.annotations: Invalid value: \"scheduler.alpha.kubernetes.io/taints\": "
          "invalid character 'x' looking for beginning of value"),
    ('[{"key":"k","effect":"NoSchedule","timeAdded":5}]',
     'metadata.annotations: Invalid value: "scheduler.alpha.kubernetes.io/taints": '
     "json: cannot unmarshal number into Go struct field Taint.TimeAdded of type string"),
    ('[{"key":"k","effect":"NoSchedule","timeAdded":"soon"}]',
     'metadata.annotations: Invalid value: "scheduler.alpha.kubernetes.io/taints": '
     'parsing time "soon" as "2006-01-02T15:04:05Z07:00": cannot parse "soon" as "2006"'),
    ('[{"key":"k"}]', f"metadata.annotations.{TAINTS}[0].effect: Required value"),
], ids=["syntax", "time-type", "time-format", "effect"])
def test_a_taints_annotation_holds_valid_json_taints(registry, value, expected):
    """ValidateTaintsInNodeAnnotations: []core.Taint as encoding/json decodes it (metav1.Time's
    own UnmarshalJSON ends the decoding), each taint as validateNodeTaints wants it."""
    assert causes(registry.create, "nodes", None, node({TAINTS: value})) == [expected]


@pytest.mark.parametrize("value,expected", [
    ("[]", 'metadata.annotations.AvoidPods: Invalid value: "scheduler.alpha.kubernetes.io/preferAvoidPods": '
           "json: cannot unmarshal array into Go value of type v1.AvoidPods"),
    ('{"preferAvoidPods":[{}]}', f"metadata.annotations.{AVOID_PODS}[0].PodSignature: Required value"),
    ('{"preferAvoidPods":[{"podSignature":{"podController":{"kind":"ReplicaSet","controller":false}}}]}',
     f"metadata.annotations.{AVOID_PODS}[0].PodSignature.PodController.Controller: Invalid value: false: "
     "must point to a controller"),
], ids=["not-an-object", "no-controller", "not-a-controller"])
def test_a_prefer_avoid_pods_annotation_names_controllers(registry, value, expected):
    """ValidateAvoidPodsInNodeAnnotations and validatePreferAvoidPodsEntry."""
    assert causes(registry.create, "nodes", None, node({AVOID_PODS: value})) == [expected]


@pytest.mark.parametrize("subresource", [None, "status"])
def test_a_node_update_validates_the_node_annotations(registry, subresource):
    """ValidateNodeUpdate, which the status strategy runs too, checks the annotations again; an
    update of the node runs ValidateNode first, so there the error is listed twice, as the real
    1.24 lists it."""
    created = registry.create("nodes", None, node({}))
    sent = {**created, "metadata": {**created["metadata"], "annotations": {TAINTS: "[1]"}}}
    problem = ('metadata.annotations: Invalid value: "scheduler.alpha.kubernetes.io/taints": '
               "json: cannot unmarshal number into Go value of type core.Taint")
    assert causes(registry.update, "nodes", None, created["metadata"]["name"], sent, subresource=subresource) == (
        [problem] if subresource else [problem, problem])


def test_a_node_update_lists_a_taint_problem_twice(registry):
    """nodeStrategy.ValidateUpdate runs ValidateNode and then ValidateNodeUpdate, and both validate
    spec.taints (at metadata.taints); the real 1.24 lists each problem twice in the causes."""
    created = registry.create("nodes", None, node({}))
    taints = [{"key": "k", "effect": "NoSchedule", "value": "a"}, {"key": "k", "effect": "NoSchedule", "value": "b"}]
    sent = {**created, "spec": {"taints": taints}}
    problem = ('metadata.taints[1]: Duplicate value: core.Taint{Key:"k", Value:"b", Effect:"NoSchedule", '
               "TimeAdded:<nil>}: taints must be unique by key and effect pair")
    assert causes(registry.update, "nodes", None, created["metadata"]["name"], sent) == [problem, problem]


EFFECTS = 'Unsupported value: "Bogus": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"'


def test_an_unknown_effect_lists_the_effects_in_upstreams_order(registry):
    """validateTaintEffect's NotSupported lists NoSchedule, PreferNoSchedule, NoExecute, for
    tolerations and taints alike."""
    assert pod_errors(registry, {TOLERATIONS: '[{"key":"k","effect":"Bogus"}]'}) == [
        f"metadata.annotations.{TOLERATIONS}[0].effect: {EFFECTS}"]
    assert causes(registry.create, "nodes", None, node({TAINTS: '[{"key":"k","effect":"Bogus"}]'})) == [
        f"metadata.annotations.{TAINTS}[0].effect: {EFFECTS}"]


def test_a_toleration_with_exists_and_a_value_is_shown_as_a_go_struct(registry):
    """ValidateTolerations passes the whole core.Toleration to field.Invalid, which prints it with %#v."""
    assert pod_errors(registry, {TOLERATIONS: '[{"key":"k","operator":"Exists","value":"v"}]'}) == [
        f"metadata.annotations.{TOLERATIONS}[0].operator: Invalid value: core.Toleration{{Key:\"k\", "
        'Operator:"Exists", Value:"v", Effect:"", TolerationSeconds:(*int64)(nil)}: '
        "value must be empty when `operator` is 'Exists'"]


def test_a_duplicate_taint_shows_an_unset_time_added_as_nil(registry):
    """%#v of a nil *metav1.Time calls the GoString it has from time.Time, whose panic fmt prints
    as <nil>."""
    value = '[{"key":"k","effect":"NoSchedule"},{"key":"k","effect":"NoSchedule"}]'
    assert causes(registry.create, "nodes", None, node({TAINTS: value})) == [
        f'metadata.annotations.{TAINTS}[1]: Duplicate value: core.Taint{{Key:"k", Value:"", Effect:"NoSchedule", '
        "TimeAdded:<nil>}: taints must be unique by key and effect pair"]


def test_a_stateful_set_template_has_the_pod_annotations_rules(registry):
    """ValidatePodTemplateSpecForStatefulSet skips the pod spec but not ValidatePodSpecificAnnotations."""
    template = {"metadata": {"labels": {"a": "b"}, "annotations": {APPARMOR + "c": "bogus"}}, "spec": SPEC}
    body = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": f"s{next(_names)}"},
            "spec": {"serviceName": "s", "selector": {"matchLabels": {"a": "b"}}, "template": template}}
    assert causes(registry.create, "statefulsets", NS, body) == [
        f'spec.template.annotations[{APPARMOR}c]: Invalid value: "bogus": invalid AppArmor profile name: "bogus"']


# --- seccomp: annotations and fields (applySeccompVersionSkew, validateSeccompAnnotationsAndFields) ---

def test_a_new_pods_seccomp_annotation_is_copied_into_the_field(registry):
    """A pod created with the annotation alone gets the seccompProfile it names, the pod's and a
    container's."""
    created = create_pod(registry, {SECCOMP: "runtime/default",
                                    "container.seccomp.security.alpha.kubernetes.io/c": "localhost/p.json"})
    assert created["spec"]["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert created["spec"]["containers"][0]["securityContext"]["seccompProfile"] == {
        "type": "Localhost", "localhostProfile": "p.json"}


def test_a_new_pods_seccomp_field_is_copied_into_the_annotation(registry):
    created = create_pod(registry, {}, securityContext={"seccompProfile": {"type": "Unconfined"}})
    assert created["metadata"]["annotations"][SECCOMP] == "unconfined"


def test_a_copied_profile_is_validated_in_the_field_too(registry):
    """The real server reports a bad localhost profile twice: in the annotation and in the field
    it was copied into."""
    assert pod_errors(registry, {SECCOMP: "localhost//etc/p"}) == [
        'metadata.annotations.seccomp.security.alpha.kubernetes.io/pod: Invalid value: "/etc/p": '
        "must be a relative path",
        'spec.securityContext.seccompProfile.localhostProfile: Invalid value: "/etc/p": must be a relative path']


@pytest.mark.parametrize("annotation, profile, message", [
    ("unconfined", {"type": "RuntimeDefault"},
     "spec.securityContext.seccompProfile.type: Forbidden: seccomp type in annotation and field must match"),
    ("localhost/a.json", {"type": "Localhost", "localhostProfile": "b.json"},
     "spec.securityContext.seccompProfile.localhostProfile: Forbidden: seccomp profile in annotation and "
     "field must match"),
])
def test_a_seccomp_annotation_and_field_must_agree(registry, annotation, profile, message):
    assert pod_errors(registry, {SECCOMP: annotation}, securityContext={"seccompProfile": profile}) == [message]


def test_an_annotation_key_gets_one_error_for_each_way_it_is_no_qualified_name(registry):
    """ValidateAnnotations appends a field.Invalid for each of IsQualifiedName's messages."""
    errors = pod_errors(registry, {APPARMOR: "runtime/default"})
    key = f'metadata.annotations: Invalid value: "{APPARMOR}": '
    assert errors[:2] == [key + "name part must be non-empty",
                          key + "name part must consist of alphanumeric characters, '-', '_' or '.', and must start "
                                "and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', "
                                "regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"]
