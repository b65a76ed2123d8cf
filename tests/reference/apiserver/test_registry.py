"""The generic registry against a real reference etcd process: one test per API rule. Each test
works in its own namespace (or with its own cluster-scoped names), so they share one server."""
from __future__ import annotations

import itertools
import random
import sys
import threading
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "etcd"))
from watching import collect  # noqa: E402

from reference_impl.machinery.clock import ManualClock  # noqa: E402
from reference_impl.apiserver import kinds  # noqa: E402
from reference_impl.apiserver.core import errors  # noqa: E402
from reference_impl.apiserver.core.errors import StatusError  # noqa: E402
from reference_impl.apiserver.core.registry import Registry  # noqa: E402
from tests.reference.apiserver.test_handlers import etcd  # noqa: E402,F401  (a fixture)

START = 1_700_000_000  # 2023-11-14T22:13:20Z
_namespaces = itertools.count()



@pytest.fixture
def clock():
    return ManualClock(START)


@pytest.fixture
def registry(etcd, clock):
    registry = Registry(etcd, clock, rng=random.Random(6))
    yield registry
    registry.close()


@pytest.fixture
def ns(registry):
    name = f"ns{next(_namespaces)}"
    registry.create("namespaces", None, {"metadata": {"name": name}})
    return name


def pod(name: str, labels: dict | None = None, **spec) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "labels": labels or {}},
            "spec": {"containers": [{"name": "c", "image": "nginx:1.21"}], **spec}}


def deployment(name: str, labels: dict | None = None, template_labels: dict | None = None) -> dict:
    labels = labels or {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name},
            "spec": {"selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": template_labels or labels},
                                  "spec": {"containers": [{"name": "c", "image": "nginx"}]}}}}


def status_error(call, *args, **kwargs) -> StatusError:
    with pytest.raises(StatusError) as raised:
        call(*args, **kwargs)
    return raised.value


def test_create_fills_metadata(registry, ns, etcd):
    """uid, creationTimestamp from the clock, resourceVersion = the key's etcd mod revision."""
    created = registry.create("pods", ns, pod("p"))
    meta = created["metadata"]
    assert meta["creationTimestamp"] == "2023-11-14T22:13:20Z" and len(meta["uid"]) == 36
    assert meta["namespace"] == ns
    assert meta["resourceVersion"] == str(etcd.range(f"/registry/pods/{ns}/p").kvs[0].mod_revision)
    assert created["status"]["phase"] == "Pending"


def test_a_create_copies_its_object_unless_the_caller_hands_it_over(registry, ns):
    """Registry.create leaves a caller's object as it was; one handed over (`owned`, as the create
    handler hands over the body it decoded) is written into instead of copied first, as upstream's
    Store.Create fills the object it is given, and stored the same."""
    kept = pod("kept")
    registry.create("pods", ns, kept)
    assert kept == pod("kept")
    handed = pod("handed")
    created = registry.create("pods", ns, handed, owned=True)
    assert handed["metadata"]["uid"] == created["metadata"]["uid"]
    assert handed["spec"]["containers"][0]["imagePullPolicy"] == "IfNotPresent"  # defaulted in place
    assert registry.get("pods", ns, "handed") == created


@pytest.mark.parametrize("write", ["create", "update"])
def test_empty_labels_annotations_finalizers_and_owners_are_not_stored(registry, ns, write):
    """ObjectMeta's maps and lists are all omitempty: an empty one is written as nothing, so the
    stored object has no `labels: {}` (kubectl label then sees the change an added map makes)."""
    empty = {"labels": {}, "annotations": {}, "finalizers": [], "ownerReferences": []}
    cm = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "c", **empty}}
    stored = registry.create("configmaps", ns, cm if write == "create" else {**cm, "metadata": {"name": "c"}})
    if write == "update":
        stored = registry.update("configmaps", ns, "c", {**stored, "metadata": {**stored["metadata"], **empty}})
    assert not set(empty) & set(stored["metadata"])
    assert not set(empty) & set(registry.get("configmaps", ns, "c")["metadata"])


def test_generate_name_appends_five_characters(registry, ns):
    created = registry.create("configmaps", ns, {"metadata": {"generateName": "cfg-"}})
    name = created["metadata"]["name"]
    assert name.startswith("cfg-") and len(name) == 9


def test_a_long_generate_name_is_cut_to_58_characters_before_the_five(registry, ns):
    """SimpleNameGenerator keeps at most 58 characters of the prefix, so a 250-character
    generateName (a valid subdomain) makes a 63-character name instead of one past 253."""
    created = registry.create("configmaps", ns, {"metadata": {"generateName": "a" * 250}})
    name = created["metadata"]["name"]
    assert name.startswith("a" * 58) and len(name) == 63 and created["metadata"]["generateName"] == "a" * 250


@pytest.mark.parametrize("generate_name,message", [
    ("a.", 'metadata.generateName: Invalid value: "a.": a lowercase RFC 1123 subdomain must consist of'),
    ("a" * 254, 'metadata.generateName: Invalid value: "' + "a" * 254 + '": must be no more than 253 characters'),
])
def test_generate_name_is_validated_as_a_name_prefix(registry, ns, generate_name, message):
    """ValidateObjectMeta checks generateName with the kind's name rule as a prefix (a trailing
    dash masked); "a." made the stored name "a.xxxxx" although upstream refuses the prefix."""
    error = status_error(registry.create, "configmaps", ns, {"metadata": {"generateName": generate_name}})
    assert error.code == 422 and message in error.message
    assert registry.list("configmaps", ns)["items"] == []


@pytest.mark.parametrize("kind,generate_name", [("configmaps", "web-"), ("namespaces", "team-"),
                                                ("services", "svc-")])
def test_a_generate_name_ending_in_a_dash_is_a_valid_prefix(registry, ns, kind, generate_name):
    """maskTrailingDash: the dash a prefix ends with is not held against it."""
    obj = {"metadata": {"generateName": generate_name}}
    if kind == "services":
        obj["spec"] = {"ports": [{"port": 80}]}
    created = registry.create(kind, ns if kind != "namespaces" else None, obj)
    assert created["metadata"]["name"].startswith(generate_name)


def test_deployments_start_at_generation_one_and_bump_on_spec_change(registry, ns):
    created = registry.create("deployments", ns, deployment("d"))
    assert created["metadata"]["generation"] == 1
    relabelled = registry.patch("deployments", ns, "d", lambda o: {
        **o, "metadata": {**o["metadata"], "labels": {"x": "y"}}})
    assert relabelled["metadata"]["generation"] == 1
    scaled = registry.patch("deployments", ns, "d", lambda o: {**o, "spec": {**o["spec"], "replicas": 4}})
    assert scaled["metadata"]["generation"] == 2


def test_a_deployments_annotations_bump_its_generation(registry, ns):
    """The deployment strategy's PrepareForUpdate bumps the generation on an annotation change
    too (they are copied to its replica sets); labels do not."""
    registry.create("deployments", ns, deployment("d"))
    annotated = registry.patch("deployments", ns, "d", lambda o: {
        **o, "metadata": {**o["metadata"], "annotations": {"note": "x"}}})
    assert annotated["metadata"]["generation"] == 2


def test_a_pod_template_tracks_the_generation_of_its_template(registry, ns):
    """The pod template strategy starts at generation 1 and bumps it when the template changes,
    not when only the metadata does."""
    created = registry.create("podtemplates", ns, {"metadata": {"name": "t"}, "template": {
        "spec": {"containers": [{"name": "c", "image": "nginx"}]}}})
    assert created["metadata"]["generation"] == 1
    annotated = registry.patch("podtemplates", ns, "t", lambda o: {
        **o, "metadata": {**o["metadata"], "annotations": {"note": "x"}}})
    assert annotated["metadata"]["generation"] == 1
    relabelled = registry.patch("podtemplates", ns, "t", lambda o: {
        **o, "template": {**o["template"], "metadata": {"labels": {"a": "b"}}}})
    assert relabelled["metadata"]["generation"] == 2


def test_changing_only_a_pods_deprecated_service_account_changes_nothing(registry, ns):
    """An update that sets spec.serviceAccount alone is no pod update the validation refuses: the
    conversion keeps serviceAccountName and copies it back (the real kube-apiserver 1.24 answers
    200 and the pod still runs as its own account)."""
    registry.create("serviceaccounts", ns, {"metadata": {"name": "default"}})
    registry.create("pods", ns, pod("p", serviceAccountName="default"))
    updated = registry.patch("pods", ns, "p", lambda o: {**o, "spec": {**o["spec"], "serviceAccount": "admin"}})
    assert (updated["spec"]["serviceAccountName"], updated["spec"]["serviceAccount"]) == ("default", "default")


def test_a_new_job_is_marked_for_tracking_with_finalizers(registry, ns):
    """With JobTrackingWithFinalizers on (beta in 1.24), the job strategy marks a new job with the
    batch.kubernetes.io/job-tracking annotation, beside the annotations it was sent with."""
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j", "annotations": {"a": "b"}},
           "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "busybox"}],
                                          "restartPolicy": "Never"}}}}
    created = registry.create("jobs", ns, job)
    assert created["metadata"]["annotations"] == {"a": "b", "batch.kubernetes.io/job-tracking": ""}


@pytest.mark.parametrize("dry_run", [False, True])
def test_a_job_sent_without_labels_reads_back_with_its_generated_template_labels(registry, ns, dry_run):
    """generateSelector gives the template job-name and controller-uid; the real kube-apiserver
    1.24 decodes the stored (or dry-run) job through SetDefaults_Job again, which copies them to
    the job's empty labels, so `-l job-name=j` finds it."""
    job = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"},
           "spec": {"template": {"spec": {"containers": [{"name": "c", "image": "busybox"}],
                                          "restartPolicy": "Never"}}}}
    created = registry.create("jobs", ns, job, dry_run=dry_run)
    uid = created["metadata"]["uid"]
    assert created["metadata"]["labels"] == {"controller-uid": uid, "job-name": "j"}
    if not dry_run:
        assert [j["metadata"]["name"] for j in registry.list("jobs", ns, label_selector="job-name=j")["items"]] == ["j"]


def test_a_dry_run_create_of_an_existing_name_is_409_already_exists(registry, ns):
    """DryRunnableStorage.Create reads the key a dry run would write: taken, it is the store's
    KeyExists, so the dry run fails as the create would."""
    registry.create("configmaps", ns, {"metadata": {"name": "c"}})
    error = status_error(registry.create, "configmaps", ns, {"metadata": {"name": "c"}}, dry_run=True)
    assert (error.code, error.reason, error.message) == (409, "AlreadyExists", 'configmaps "c" already exists')


@pytest.mark.parametrize("dry_run", [False, True])
def test_creating_over_an_object_being_deleted_says_so(registry, ns, dry_run):
    """Store.Create: when the name is taken by an object with a deletionTimestamp, the
    AlreadyExists message starts with "object is being deleted: "."""
    registry.create("configmaps", ns, {"metadata": {"name": "c", "finalizers": ["example.com/hold"]}})
    registry.delete("configmaps", ns, "c")
    error = status_error(registry.create, "configmaps", ns, {"metadata": {"name": "c"}}, dry_run=dry_run)
    assert (error.code, error.reason, error.message) == (
        409, "AlreadyExists", 'object is being deleted: configmaps "c" already exists')


def test_duplicate_create_is_409_already_exists(registry, ns):
    registry.create("pods", ns, pod("p"))
    error = status_error(registry.create, "pods", ns, pod("p"))
    assert (error.code, error.reason, error.message) == (409, "AlreadyExists", 'pods "p" already exists')


def test_invalid_name_is_422_and_nothing_is_stored(registry, ns):
    error = status_error(registry.create, "configmaps", ns, {"metadata": {"name": "Bad_Name"}})
    assert (error.code, error.reason) == (422, "Invalid")
    assert error.message.startswith('ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: '
                                    '"Bad_Name": a lowercase RFC 1123 subdomain must consist of')
    assert registry.list("configmaps", ns)["items"] == []


# A quote, a backslash, a newline, a tab, a letter outside ASCII and a control byte; Go's %q
# escapes all but the letter (strconv.Quote keeps printable Unicode as is).
ODD = 'k"\\\n\té\x01'
ODD_QUOTED = r'"k\"\\\n\té\x01"'


@pytest.mark.parametrize(("generation", "refused"), [(-5, True), (0, False), (7, False)])
def test_a_negative_generation_is_refused_on_create(registry, ns, generation, refused):
    """ValidateObjectMeta checks metadata.generation with ValidateNonnegativeField; a kind whose
    strategy does not set it on create (a ConfigMap) keeps what the client sent."""
    obj = {"metadata": {"name": "g", "generation": generation}}
    if refused:
        error = status_error(registry.create, "configmaps", ns, obj)
        assert error.message == 'ConfigMap "g" is invalid: metadata.generation: Invalid value: -5: ' \
                                "must be greater than or equal to 0"
    else:
        assert registry.create("configmaps", ns, obj)["metadata"].get("generation", 0) == generation


def test_a_string_value_in_an_error_is_quoted_as_go_quotes_it(registry, ns):
    """field.Invalid prints a string with %q: the config key shows as Go's strconv.Quote writes it."""
    error = status_error(registry.create, "configmaps", ns, {"metadata": {"name": "c"}, "data": {ODD: "v"}})
    assert error.details["causes"][0]["message"].startswith(f"Invalid value: {ODD_QUOTED}: a valid config key")


def test_unsupported_and_duplicate_values_are_quoted_as_go_quotes_them(registry, ns):
    """field.NotSupported and field.Duplicate print a string value with %q too."""
    container = {"name": ODD, "image": "nginx"}
    error = status_error(registry.create, "pods", ns, {"metadata": {"name": "p"},
                                                       "spec": {"containers": [container, container],
                                                                "restartPolicy": ODD}})
    messages = [cause["message"] for cause in error.details["causes"]]
    assert f"Duplicate value: {ODD_QUOTED}" in messages
    assert f'Unsupported value: {ODD_QUOTED}: supported values: "Always", "OnFailure", "Never"' in messages


@pytest.mark.parametrize(("resource", "obj", "field"), [
    ("namespaces", {"metadata": {"name": "team\n"}}, "metadata.name"),
    ("services", {"metadata": {"name": "web\n"}, "spec": {"ports": [{"port": 80}]}}, "metadata.name"),
    ("configmaps", {"metadata": {"name": "c"}, "data": {"key\n": "v"}}, "data[key\n]"),
])
def test_a_name_or_key_with_a_trailing_newline_is_invalid(registry, ns, resource, obj, field):
    """Go's regexp `$` is the end of the text: a DNS label, a DNS-1035 label or a config key
    followed by a newline does not match (Python's `$` matched before it)."""
    error = status_error(registry.create, resource, None if resource == "namespaces" else ns, obj)
    assert (error.code, error.reason) == (422, "Invalid")
    assert error.details["causes"][0]["field"] == field


def test_namespace_names_must_be_dns_labels(registry):
    error = status_error(registry.create, "namespaces", None, {"metadata": {"name": "a.b"}})
    assert error.code == 422 and "RFC 1123 label" in error.message


LABEL_VALUE_MSG = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
                   "and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
                   "'12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")


def test_an_invalid_message_names_a_repeated_error_once():
    """NewInvalid writes its message from ErrorList.ToAggregate, which drops a repeated error (an
    update's ValidateJob and ValidateJobUpdate both check the spec); the causes keep every one."""
    error = errors.invalid("Job", "j", ["spec.selector: Required value", "a: Required value",
                                        "spec.selector: Required value"], "batch")
    assert error.message == 'Job.batch "j" is invalid: [spec.selector: Required value, a: Required value]'
    assert len(error.details["causes"]) == 3
    error = errors.invalid("Job", "j", ["spec.selector: Required value"] * 2, "batch")
    assert error.message == 'Job.batch "j" is invalid: spec.selector: Required value'


@pytest.mark.parametrize(("plural", "obj", "reports"), [
    ("configmaps", {"metadata": {"name": "c"}}, 4),  # ValidateConfigMap(new) and ValidateConfigMapUpdate
    ("deployments", deployment("d"), 3),  # ValidateDeploymentUpdate only
    ("roles", {"metadata": {"name": "r"}}, 5),  # ValidateRole(new), then ValidateRoleUpdate runs it again
    ("poddisruptionbudgets", {"metadata": {"name": "p"}, "spec": {"minAvailable": 1}}, 2),  # no metadata check
])
def test_an_update_reports_a_bad_label_once_for_each_metadata_check(registry, ns, plural, obj, reports):
    """rest.BeforeUpdate checks the metadata twice (ValidateObjectMetaAccessor and
    ValidateObjectMetaAccessorUpdate), then the kind's strategy as often as its ValidateUpdate
    calls ValidateObjectMeta or ValidateObjectMetaUpdate: the causes list every report."""
    created = registry.create(plural, ns, obj)
    created["metadata"]["labels"] = {"-": "x"}
    error = status_error(registry.update, plural, ns, obj["metadata"]["name"], created)
    assert [cause["field"] for cause in error.details["causes"]] == ["metadata.labels"] * reports
    assert error.message.count("metadata.labels") == 1


@pytest.mark.parametrize(("annotation", "refused"), [("x" * (256 * 1024 - 1), False), ("x" * (256 * 1024), True),
                                                    ("é" * (128 * 1024), True)],
                         ids=["under", "over", "multibyte"])
def test_annotations_over_256_kib_are_reported_by_each_metadata_check(registry, ns, annotation, refused):
    """ValidateAnnotations ends with ValidateAnnotationsSize: keys and values, in bytes, at most
    256 KiB. Every metadata check runs it, so an update of a ConfigMap reports it four times."""
    created = registry.create("configmaps", ns, {"metadata": {"name": "c"}})
    created["metadata"]["annotations"] = {"a": annotation}
    if not refused:
        assert registry.update("configmaps", ns, "c", created)["metadata"]["annotations"] == {"a": annotation}
        return
    error = status_error(registry.update, "configmaps", ns, "c", created)
    assert [f"{c['field']}: {c['message']}" for c in error.details["causes"]] == [
        "metadata.annotations: Too long: must have at most 262144 bytes"] * 4


def replica_set(name: str) -> dict:
    return {**deployment(name), "apiVersion": "apps/v1", "kind": "ReplicaSet"}


@pytest.mark.parametrize(("plural", "obj", "change", "field", "reports"), [
    # ValidateReplicaSet(new), then ValidateReplicaSetUpdate checks the spec again
    ("replicasets", replica_set("rs"), {"spec": {"replicas": -1}}, "spec.replicas", 2),
    ("deployments", deployment("d"), {"spec": {"replicas": -1}}, "spec.replicas", 1),  # ValidateDeploymentUpdate only
    # ValidateStatefulSet(new), then ValidateStatefulSetUpdate checks replicas and minReadySeconds again
    ("statefulsets", {**deployment("ss"), "kind": "StatefulSet"}, {"spec": {"minReadySeconds": -1}},
     "spec.minReadySeconds", 2),
    ("roles", {"metadata": {"name": "r"}}, {"rules": [{"verbs": ["get"], "resources": ["pods"]}]}, "rules[0].apiGroups", 2),
    ("rolebindings", {"metadata": {"name": "rb"}, "roleRef": {"apiGroup": "rbac.authorization.k8s.io",
                                                              "kind": "ClusterRole", "name": "view"}},
     {"subjects": [{"kind": "User", "name": ""}]}, "subjects[0].name", 2),
    ("persistentvolumes", {"metadata": {"name": "pv"}, "spec": {
        "capacity": {"storage": "1Gi"}, "accessModes": ["ReadWriteOnce"], "hostPath": {"path": "/tmp/pv"}}},
     {"spec": {"persistentVolumeReclaimPolicy": "Bogus"}}, "spec.persistentVolumeReclaimPolicy", 2),
])
def test_an_update_reports_a_spec_error_once_for_each_time_the_strategy_validates_the_spec(
        registry, ns, plural, obj, change, field, reports):
    """A strategy whose ValidateUpdate calls Validate<Kind>(new) and then Validate<Kind>Update,
    which validates the whole object again, reports each error of the new object twice: the causes
    list both, the message names it once."""
    created = registry.create(plural, ns, obj)
    for key, value in change.items():
        created[key] = {**created[key], **value} if isinstance(value, dict) else value
    error = status_error(registry.update, plural, ns, obj["metadata"]["name"], created)
    assert [cause["field"] for cause in error.details["causes"]] == [field] * reports
    assert error.message.count(field) == 1


@pytest.mark.parametrize(("plural", "obj", "refused"), [
    ("deployments", deployment("d"), True),
    ("roles", {"metadata": {"name": "r"}}, True),
    ("leases", {"metadata": {"name": "l"}, "spec": {}}, False),  # apimachinery's ValidateObjectMeta
])
def test_a_finalizer_without_a_domain_must_be_standard_where_core_validation_checks_metadata(
        registry, ns, plural, obj, refused):
    """pkg/apis/core/validation.ValidateObjectMeta, which apps, rbac and most other groups call,
    refuses a finalizer that is neither fully qualified nor a standard one; apimachinery's, which
    leases (and custom resources) use, does not."""
    obj = {**obj, "metadata": {**obj["metadata"], "finalizers": ["abc"]}}
    if not refused:
        assert registry.create(plural, ns, obj)["metadata"]["finalizers"] == ["abc"]
        return
    error = status_error(registry.create, plural, ns, obj)
    assert [cause["field"] for cause in error.details["causes"]] == ["metadata.finalizers[0]"]


def test_a_namespace_is_labelled_with_its_name(registry):
    """SetDefaults_Namespace adds kubernetes.io/metadata.name; Canonicalize adds it after validation
    to a namespace named from generateName, and an update cannot take it away."""
    created = registry.create("namespaces", None, {"metadata": {"name": "labelled", "labels": {"a": "b"}}})
    assert created["metadata"]["labels"] == {"a": "b", "kubernetes.io/metadata.name": "labelled"}
    generated = registry.create("namespaces", None, {"metadata": {"generateName": "gen-"}})
    assert generated["metadata"]["labels"] == {"kubernetes.io/metadata.name": generated["metadata"]["name"]}
    created["metadata"]["labels"] = {}
    updated = registry.update("namespaces", None, "labelled", created)
    assert updated["metadata"]["labels"] == {"kubernetes.io/metadata.name": "labelled"}


@pytest.mark.parametrize("name,detail", [
    ("..", LABEL_VALUE_MSG),
    ("a" * 64, "must be no more than 63 characters"),
])
def test_a_namespace_name_is_validated_again_as_its_label(registry, name, detail):
    """The kubernetes.io/metadata.name label the defaults add is validated with the other labels."""
    error = status_error(registry.create, "namespaces", None, {"metadata": {"name": name, "labels": {"a": "b"}}})
    assert error.message.startswith(f'Namespace "{name}" is invalid: [metadata.name: Invalid value: "{name}": ')
    assert error.message.endswith(f', metadata.labels: Invalid value: "{name}": {detail}]')


def test_a_generated_namespace_name_is_not_validated_as_a_label(registry):
    """The name is generated after defaulting, so its label is only added after validation."""
    error = status_error(registry.create, "namespaces", None, {"metadata": {"generateName": "UPPER-"}})
    assert [cause["field"] for cause in error.details["causes"]] == ["metadata.generateName", "metadata.name"]


def test_pod_without_containers_is_invalid(registry, ns):
    error = status_error(registry.create, "pods", ns, {"metadata": {"name": "p"}, "spec": {}})
    assert error.message == 'Pod "p" is invalid: spec.containers: Required value'
    assert error.details["causes"] == [{"reason": "FieldValueRequired", "message": "Required value",
                                        "field": "spec.containers"}]


def test_container_needs_name_and_image(registry, ns):
    error = status_error(registry.create, "pods", ns,
                         {"metadata": {"name": "p"}, "spec": {"containers": [{}]}})
    assert error.message == ('Pod "p" is invalid: [spec.containers[0].name: Required value, '
                             'spec.containers[0].image: Required value]')


def test_deployment_selector_must_match_template(registry, ns):
    error = status_error(registry.create, "deployments", ns,
                         deployment("d", {"app": "a"}, template_labels={"app": "b"}))
    assert error.message == ('Deployment.apps "d" is invalid: spec.template.metadata.labels: Invalid value: '
                             'map[string]string{"app":"b"}: `selector` does not match template `labels`')


@pytest.mark.parametrize("spec,errors", [
    ({"template": {"metadata": {"labels": {"app": "a"}}, "spec": {"containers": [{"name": "c", "image": "i"}]}}},
     ['spec.selector: Required value',
      'spec.template.metadata.labels: Invalid value: map[string]string{"app":"a"}: `selector` does not match '
      'template `labels`']),
    ({"selector": {"matchLabels": {"app": "a"}}},
     ['spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not match template '
      '`labels`', 'spec.template.spec.containers: Required value']),
    ({"selector": {"matchLabels": {}}, "template": {"metadata": {"labels": {}}, "spec": {
        "containers": [{"name": "c", "image": "i"}]}}},
     ['spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{}, '
      'MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: empty selector is invalid for deployment']),
    ({"selector": {"matchLabels": {"app": ".."}}, "template": {"metadata": {"labels": {"app": "a"}}, "spec": {
        "containers": [{"name": "c", "image": "i"}]}}},
     [f'spec.selector.matchLabels: Invalid value: "..": {LABEL_VALUE_MSG}',
      'spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"app":".."}, '
      'MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: invalid label selector']),
])
def test_deployment_selector_rules_come_in_validate_deployment_spec_order(registry, ns, spec, errors):
    """ValidateDeploymentSpec: a missing selector is required and (a nil selector selecting nothing)
    does not match the template; an empty one is invalid as sent ({} is not nil); one that does
    not convert to a selector is an "invalid label selector" and the template is not checked
    against it. A template without labels shows Go's nil map."""
    obj = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "d"}, "spec": spec}
    error = status_error(registry.create, "deployments", ns, obj)
    message = errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]"
    assert error.message == f'Deployment.apps "d" is invalid: {message}'


CONTAINERS = {"containers": [{"name": "c", "image": "i"}]}
NIL_LABELS_MISMATCH = ('spec.template.metadata.labels: Invalid value: map[string]string(nil): `selector` does not '
                       'match template `labels`')


def empty_selector(noun: str) -> str:
    return ('spec.selector: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{}, '
            f'MatchExpressions:[]v1.LabelSelectorRequirement(nil)}}: empty selector is invalid for {noun}')


def workload_error(registry, ns, plural: str, api_version: str, kind: str, spec: dict | None) -> str:
    obj = {"apiVersion": api_version, "kind": kind, "metadata": {"name": "w"}}
    if spec is not None:
        obj["spec"] = spec
    return status_error(registry.create, plural, ns, obj).message


@pytest.mark.parametrize("spec,errors", [
    (None, ["spec.selector: Required value", NIL_LABELS_MISMATCH]),
    ({"serviceName": "s", "template": {"metadata": {"labels": {"app": "a"}}}},
     ["spec.selector: Required value", 'spec.template.metadata.labels: Invalid value: map[string]string{"app":"a"}: '
      '`selector` does not match template `labels`']),
    ({"serviceName": "s", "selector": {"matchLabels": {"app": "a"}}}, [NIL_LABELS_MISMATCH]),
    ({"serviceName": "s", "selector": {"matchLabels": {"app": "a"}}, "template": {"metadata": {}}},
     [NIL_LABELS_MISMATCH]),
    ({"serviceName": "s", "selector": {"matchLabels": {}}, "template": {"metadata": {"labels": {}}}},
     [empty_selector("statefulset")]),
])
def test_stateful_set_selector_rules_come_in_validate_stateful_set_spec_order(registry, ns, spec, errors):
    """ValidateStatefulSetSpec: a missing selector is required and, selecting nothing, matches no
    template; an empty one is invalid as sent ({} is not nil). Its template always has a pod spec
    whose restartPolicy SetDefaults_PodSpec makes Always, even when none was sent."""
    message = errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]"
    assert workload_error(registry, ns, "statefulsets", "apps/v1", "StatefulSet", spec) == \
        f'StatefulSet.apps "w" is invalid: {message}'


def test_a_stateful_set_template_without_a_pod_spec_is_stored(registry, ns):
    """1.24 does not validate a StatefulSet's pod spec, and the defaults give it restartPolicy Always."""
    obj = {"apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": {"name": "w"}, "spec": {
        "serviceName": "s", "selector": {"matchLabels": {"app": "a"}}, "template": {"metadata": {"labels": {"app": "a"}}}}}
    created = registry.create("statefulsets", ns, obj)
    assert created["spec"]["template"]["spec"]["restartPolicy"] == "Always"


@pytest.mark.parametrize("spec,errors", [
    (None, [NIL_LABELS_MISMATCH, "spec.template.spec.containers: Required value"]),
    ({"template": {"metadata": {"labels": {"app": "a"}}, "spec": CONTAINERS}},
     ['spec.template.metadata.labels: Invalid value: map[string]string{"app":"a"}: `selector` does not match '
      'template `labels`']),
    ({"selector": {"matchLabels": {"app": "a"}}, "template": {"spec": CONTAINERS}}, [NIL_LABELS_MISMATCH]),
    ({"selector": {"matchLabels": {}}, "template": {"metadata": {"labels": {}}, "spec": CONTAINERS}},
     [empty_selector("daemonset")]),
])
def test_daemon_set_selector_rules_come_in_validate_daemon_set_spec_order(registry, ns, spec, errors):
    """ValidateDaemonSetSpec does not require a selector: a missing one (selecting nothing) fails
    only to match the template's labels; an empty one is invalid as sent ({} is not nil)."""
    message = errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]"
    assert workload_error(registry, ns, "daemonsets", "apps/v1", "DaemonSet", spec) == \
        f'DaemonSet.apps "w" is invalid: {message}'


@pytest.mark.parametrize("template", [{"spec": CONTAINERS}, {"metadata": {}, "spec": CONTAINERS}])
def test_a_replication_controller_template_without_labels_shows_a_nil_map(registry, ns, template):
    """ValidateReplicationControllerSpec shows the template's labels as Go's nil map when none were sent."""
    spec = {"replicas": 1, "selector": {"app": "a"}, "template": template}
    assert workload_error(registry, ns, "replicationcontrollers", "v1", "ReplicationController", spec) == \
        f'ReplicationController "w" is invalid: {NIL_LABELS_MISMATCH}'


def test_a_replication_controller_min_ready_seconds_is_not_negative(registry, ns):
    """ValidateReplicationControllerSpec checks minReadySeconds first."""
    spec = {"minReadySeconds": -1, "selector": {"app": "a"},
            "template": {"metadata": {"labels": {"app": "a"}}, "spec": CONTAINERS}}
    assert workload_error(registry, ns, "replicationcontrollers", "v1", "ReplicationController", spec) == \
        'ReplicationController "w" is invalid: spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0'


def test_an_empty_replication_controller_selector_takes_the_template_labels(registry, ns):
    """SetDefaults_ReplicationController fills a selector of length 0, {} as well as a missing one."""
    obj = {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "w"}, "spec": {
        "selector": {}, "template": {"metadata": {"labels": {"app": "a"}}, "spec": CONTAINERS}}}
    assert registry.create("replicationcontrollers", ns, obj)["spec"]["selector"] == {"app": "a"}


def test_a_job_ttl_after_finished_is_not_negative(registry, ns):
    """validateJobSpec: ttlSecondsAfterFinished, like the job's other counts, is not negative."""
    obj = {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "ttl"}, "spec": {
        "ttlSecondsAfterFinished": -1, "template": {"spec": {**CONTAINERS, "restartPolicy": "Never"}}}}
    error = status_error(registry.create, "jobs", ns, obj)
    assert error.message == ('Job.batch "ttl" is invalid: spec.ttlSecondsAfterFinished: Invalid value: -1: '
                             "must be greater than or equal to 0")


def test_a_role_binding_without_a_role_ref_misses_its_kind_and_name(registry, ns):
    """The defaults give a missing roleRef its apiGroup, so only its kind and name are wrong."""
    obj = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "b"},
           "subjects": [{"kind": "User", "name": "u", "apiGroup": "rbac.authorization.k8s.io"}]}
    error = status_error(registry.create, "rolebindings", ns, obj)
    assert error.message == ('RoleBinding.rbac.authorization.k8s.io "b" is invalid: [roleRef.kind: Unsupported '
                             'value: "": supported values: "Role", "ClusterRole", roleRef.name: Required value]')


def test_a_changed_role_ref_is_shown_as_go_prints_an_rbac_role_ref(registry, ns):
    """ValidateRoleBindingUpdate compares the RoleRef structs and shows the new one with %#v."""
    obj = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "b"},
           "roleRef": {"kind": "ClusterRole", "name": "view"}}
    created = registry.create("rolebindings", ns, obj)
    error = status_error(registry.update, "rolebindings", ns, "b", {**created, "roleRef": {"name": "edit"}})
    assert error.message.endswith(', roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", '
                                  'Kind:"", Name:"edit"}: cannot change roleRef]')


@pytest.mark.parametrize("subject, errors", [
    ({"kind": "ServiceAccount", "name": "robot"}, ["subjects[0].namespace: Required value"]),
    ({"kind": "ServiceAccount", "name": "Robot_1", "namespace": "default", "apiGroup": "rbac.authorization.k8s.io"},
     ['subjects[0].name: Invalid value: "Robot_1": a lowercase RFC 1123 subdomain must consist of lower case '
      "alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. "
      "'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
      'subjects[0].apiGroup: Unsupported value: "rbac.authorization.k8s.io": supported values: ""']),
    ({"kind": "User", "name": "alice", "apiGroup": "example.com"},
     ['subjects[0].apiGroup: Unsupported value: "example.com": supported values: "rbac.authorization.k8s.io"']),
    ({"kind": "Robot"}, ["subjects[0].name: Required value",
                         'subjects[0].kind: Unsupported value: "Robot": supported values: "ServiceAccount", "User", '
                         '"Group"']),
])
def test_a_cluster_role_binding_subject_is_validated_as_validate_role_binding_subject_does(registry, subject, errors):
    """A ServiceAccount subject of a ClusterRoleBinding names its namespace (there is no binding
    namespace to default to), a valid account name and the core group; a User or Group subject
    the rbac group; the name is checked before the kind."""
    obj = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": {"name": "b"},
           "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
           "subjects": [subject]}
    error = status_error(registry.create, "clusterrolebindings", None, obj)
    message = errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]"
    assert (error.code, error.message) == (422, f'ClusterRoleBinding.rbac.authorization.k8s.io "b" is invalid: {message}')


@pytest.mark.parametrize("name, detail", [("a/b", "may not contain '/'"), ("..", "may not be '..'")])
def test_a_role_ref_name_is_a_path_segment(registry, ns, name, detail):
    """ValidateRoleBinding checks roleRef.name with ValidateRBACName, as role names themselves are."""
    obj = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "b"},
           "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": name}}
    error = status_error(registry.create, "rolebindings", ns, obj)
    assert (error.code, error.message) == (422, f'RoleBinding.rbac.authorization.k8s.io "b" is invalid: '
                                                f'roleRef.name: Invalid value: "{name}": {detail}')


@pytest.mark.parametrize("generate_name", [".", ".."])
def test_an_rbac_generate_name_is_checked_as_a_whole_path_segment_name(registry, ns, generate_name):
    """ValidateRBACName ignores ValidateObjectMeta's prefix flag: a generateName of "." or ".."
    (which IsValidPathSegmentPrefix would let through) is refused as a name would be."""
    obj = {"metadata": {"generateName": generate_name}, "rules": []}
    error = status_error(registry.create, "roles", ns, obj)
    assert error.details["causes"] == [{"reason": "FieldValueInvalid", "field": "metadata.generateName",
                                        "message": f'Invalid value: "{generate_name}": may not be '
                                                   f"'{generate_name}'"}]


def test_a_role_binding_service_account_subject_defaults_to_the_bindings_namespace(registry, ns):
    """In a RoleBinding a ServiceAccount subject without a namespace is valid: it means the binding's."""
    obj = {"apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": {"name": "sa"},
           "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "view"},
           "subjects": [{"kind": "ServiceAccount", "name": "robot"}]}
    assert registry.create("rolebindings", ns, obj)["subjects"] == [{"kind": "ServiceAccount", "name": "robot"}]


def test_service_needs_ports(registry, ns):
    error = status_error(registry.create, "services", ns, {"metadata": {"name": "s"}, "spec": {}})
    assert error.message == 'Service "s" is invalid: spec.ports: Required value'


INGRESS_SPEC = {"rules": [{"host": "a.example.com", "http": {"paths": [
    {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}


def test_ingress_errors_built_from_the_object_name_its_kind_in_the_extensions_group(registry, ns):
    """The internal networking.Ingress type is registered in the extensions group before networking,
    so errors written from the object's kind (NewInvalid, BeforeDelete's preconditions) say
    Ingress.extensions; those written from the resource keep ingresses.networking.k8s.io."""
    error = status_error(registry.create, "ingresses", ns, {"metadata": {"name": "UPPER"}, "spec": INGRESS_SPEC})
    assert error.message.startswith('Ingress.extensions "UPPER" is invalid: metadata.name: Invalid value: "UPPER"')
    assert (error.details["group"], error.details["kind"]) == ("extensions", "Ingress")
    registry.create("ingresses", ns, {"metadata": {"name": "web"}, "spec": INGRESS_SPEC})
    error = status_error(registry.delete, "ingresses", ns, "web", preconditions={"uid": "not-the-uid"})
    assert error.message.startswith('Operation cannot be fulfilled on Ingress.extensions "web": the UID in the '
                                    "precondition (not-the-uid) does not match")
    assert status_error(registry.get, "ingresses", ns, "nope").message == \
        'ingresses.networking.k8s.io "nope" not found'


def test_network_policy_invalid_names_its_kind_in_the_extensions_group(registry, ns):
    """NetworkPolicy is registered in the extensions internal group beside Ingress, before networking."""
    error = status_error(registry.create, "networkpolicies", ns, {"metadata": {"name": "UPPER"}, "spec": {}})
    assert error.message.startswith('NetworkPolicy.extensions "UPPER" is invalid: ')


def test_unknown_resource_is_404(registry):
    error = status_error(registry.get, "widgets", "default", "w")
    assert (error.code, error.message) == (404, "the server could not find the requested resource")


def test_kind_mismatch_is_400(registry, ns):
    error = status_error(registry.create, "configmaps", ns, {"kind": "Secret", "metadata": {"name": "c"}})
    assert error.code == 400


def test_get_missing_is_404_with_upstreams_message(registry, ns):
    error = status_error(registry.get, "deployments", ns, "nope")
    assert (error.code, error.message) == (404, 'deployments.apps "nope" not found')


def test_update_with_stale_resource_version_is_409_conflict(registry, ns):
    created = registry.create("configmaps", ns, {"metadata": {"name": "c"}})
    registry.update("configmaps", ns, "c", {**created, "data": {"a": "1"}})
    error = status_error(registry.update, "configmaps", ns, "c", {**created, "data": {"a": "2"}})
    assert (error.code, error.reason) == (409, "Conflict")
    assert error.message == ('Operation cannot be fulfilled on configmaps "c": the object has been modified; '
                             'please apply your changes to the latest version and try again')


@pytest.mark.parametrize("resource_version", ["0", "00"])
def test_an_update_at_resource_version_zero_is_unconditional(registry, ns, resource_version):
    """ObjectResourceVersion parses "0" as no resourceVersion at all: for a kind that allows it,
    the update applies whatever the stored revision is."""
    created = registry.create("configmaps", ns, {"metadata": {"name": "c"}})
    updated = registry.update("configmaps", ns, "c", {
        **created, "metadata": {**created["metadata"], "resourceVersion": resource_version}, "data": {"a": "1"}})
    assert updated["data"] == {"a": "1"}


def test_an_update_at_a_resource_version_with_leading_zeros_is_that_revision(registry, ns):
    """The sent resourceVersion is compared as a number with the stored one."""
    created = registry.create("configmaps", ns, {"metadata": {"name": "c"}})
    padded = "0" + created["metadata"]["resourceVersion"]
    updated = registry.update("configmaps", ns, "c", {
        **created, "metadata": {**created["metadata"], "resourceVersion": padded}, "data": {"a": "1"}})
    assert updated["data"] == {"a": "1"}


@pytest.mark.parametrize("resource_version,why", [("abc", "invalid syntax"), ("+5", "invalid syntax"),
                                                  ("99999999999999999999", "value out of range")])
def test_an_update_at_a_resource_version_that_is_no_number_is_400_in_parseuints_words(
        registry, ns, resource_version, why):
    """ObjectResourceVersion's strconv.ParseUint error, not a conflict (upstream answers it 500)."""
    created = registry.create("configmaps", ns, {"metadata": {"name": "c"}})
    error = status_error(registry.update, "configmaps", ns, "c", {
        **created, "metadata": {**created["metadata"], "resourceVersion": resource_version}})
    assert (error.code, error.reason, error.message) == (
        400, "BadRequest", f'strconv.ParseUint: parsing "{resource_version}": {why}')


@pytest.mark.parametrize("resource_version", ["0", "abc"])
def test_a_create_drops_a_resource_version_that_is_no_revision(registry, ns, resource_version):
    """etcd3's Create refuses only a resourceVersion that parses to a revision other than 0."""
    created = registry.create("configmaps", ns, {"metadata": {"name": "c", "resourceVersion": resource_version}})
    assert created["metadata"]["resourceVersion"] not in ("0", "abc")


def test_a_create_with_a_revision_is_refused(registry, ns):
    error = status_error(registry.create, "configmaps", ns, {"metadata": {"name": "c", "resourceVersion": "5"}})
    assert (error.code, error.message) == (400, "resourceVersion should not be set on objects to be created")


def test_a_create_with_a_revision_is_refused_only_when_it_would_be_stored(registry, ns):
    """The refusal is etcd3's Create's: a dry run (DryRunnableStorage answers first) is accepted
    and an object validation refuses is refused for that, as kube-apiserver 1.24 answers."""
    dry = registry.create("configmaps", ns, {"metadata": {"name": "c", "resourceVersion": "5"}}, dry_run=True)
    assert dry["metadata"]["name"] == "c"
    error = status_error(registry.create, "configmaps", ns, {"metadata": {"name": "C", "resourceVersion": "5"}})
    assert (error.code, error.reason) == (422, "Invalid")


NO_UNCONDITIONAL_UPDATE = [
    ("leases", lambda ns: {"metadata": {"name": "l"}, "spec": {}}),
    ("runtimeclasses", lambda ns: {"metadata": {"name": ns}, "handler": "runc"}),
    ("poddisruptionbudgets", lambda ns: {"metadata": {"name": "p"}, "spec": {"minAvailable": 1}}),
    ("csidrivers", lambda ns: {"metadata": {"name": f"{ns}.csi.example.com"}, "spec": {}}),
    ("csinodes", lambda ns: {"metadata": {"name": ns}, "spec": {"drivers": []}}),
    ("csistoragecapacities", lambda ns: {"metadata": {"name": "c"}, "storageClassName": "sc"}),
    ("volumeattachments", lambda ns: {"metadata": {"name": ns}, "spec": {
        "attacher": "csi.example.com", "nodeName": "n", "source": {"persistentVolumeName": "pv"}}}),
]


@pytest.mark.parametrize("plural, new", NO_UNCONDITIONAL_UPDATE, ids=[p for p, _ in NO_UNCONDITIONAL_UPDATE])
def test_an_update_without_resource_version_is_422_where_the_strategy_forbids_it(registry, ns, plural, new):
    """Store.Update: where the strategy's AllowUnconditionalUpdate is false, an update whose object
    has no resourceVersion is Invalid, named by the resource, not the kind (also in a dry run and on
    /status, whose strategy embeds the main one)."""
    r = registry.resource(plural)
    created = registry.create(plural, ns if r.namespaced else None, new(ns))
    name, namespace = created["metadata"]["name"], ns if r.namespaced else None
    unversioned = {**created, "metadata": {k: v for k, v in created["metadata"].items() if k != "resourceVersion"}}
    for subresource in (None, "status") if "status" in r.subresources else (None,):
        error = status_error(registry.update, plural, namespace, name, unversioned, subresource, dry_run=True)
        assert (error.code, error.reason) == (422, "Invalid")
        assert error.message == (f'{plural}.{r.group} "{name}" is invalid: metadata.resourceVersion: '
                                 'Invalid value: 0x0: must be specified for an update')
        assert (error.details["kind"], error.details["group"]) == (plural, r.group)
    assert registry.update(plural, namespace, name, created)["metadata"]["resourceVersion"]


def test_an_update_without_resource_version_is_unconditional_where_the_strategy_allows_it(registry, ns):
    """Store.Update: where AllowUnconditionalUpdate is true, an object without a resourceVersion
    replaces whatever version is stored."""
    created = registry.create("configmaps", ns, {"metadata": {"name": "c"}})
    registry.update("configmaps", ns, "c", {**created, "data": {"a": "1"}})
    updated = registry.update("configmaps", ns, "c", {"metadata": {"name": "c"}, "data": {"a": "2"}})
    assert updated["data"] == {"a": "2"}


def test_concurrent_updates_from_one_version_have_one_winner(registry, ns):
    created = registry.create("configmaps", ns, {"metadata": {"name": "c"}})
    barrier, outcomes = threading.Barrier(2), []

    def writer(value: str) -> None:
        barrier.wait()
        try:
            registry.update("configmaps", ns, "c", {**created, "data": {"w": value}})
            outcomes.append("won")
        except StatusError as error:
            outcomes.append(error.reason)

    threads = [threading.Thread(target=writer, args=(v,)) for v in "ab"]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert sorted(outcomes) == ["Conflict", "won"]


def test_main_update_keeps_status_and_status_update_keeps_spec(registry, ns):
    created = registry.create("pods", ns, pod("p"))
    changed = {**created, "status": {"phase": "Running"}, "metadata": {**created["metadata"], "labels": {"a": "b"}}}
    updated = registry.update("pods", ns, "p", changed)
    assert updated["status"]["phase"] == "Pending" and updated["metadata"]["labels"] == {"a": "b"}
    new_spec = {**updated, "spec": {"containers": []}, "status": {"phase": "Running"}}
    status_updated = registry.update("pods", ns, "p", new_spec, subresource="status")
    assert status_updated["status"] == {"phase": "Running"}
    assert status_updated["spec"] == updated["spec"]


def test_pod_spec_is_immutable_but_image(registry, ns):
    created = registry.create("pods", ns, pod("p"))
    spec = created["spec"]
    retagged = registry.update("pods", ns, "p", {**created, "spec": {
        **spec, "containers": [{**spec["containers"][0], "image": "nginx:1.22"}]}})
    assert retagged["spec"]["containers"][0]["image"] == "nginx:1.22"
    error = status_error(registry.update, "pods", ns, "p", {**retagged, "spec": {**spec, "hostNetwork": True}})
    assert error.code == 422 and "pod updates may not change fields" in error.message


@pytest.mark.parametrize("change", [{"priorityClassName": "high"}, {"priority": 7}])
def test_a_pods_priority_may_not_change(registry, ns, change):
    """ValidatePodUpdate: spec.priority and spec.priorityClassName are not among the fields a pod
    update may change. (Upstream's message goes on with a go-cmp diff of the specs, whose spacing
    go-cmp randomises; ours ends before it.)"""
    created = registry.create("pods", ns, pod("p", priorityClassName="low", priority=5))
    error = status_error(registry.update, "pods", ns, "p", {**created, "spec": {**created["spec"], **change}})
    assert (error.code, error.message) == (
        422, 'Pod "p" is invalid: spec: Forbidden: pod updates may not change fields other than '
             "`spec.containers[*].image`, `spec.initContainers[*].image`, `spec.activeDeadlineSeconds`, "
             "`spec.tolerations` (only additions to existing tolerations) or `spec.terminationGracePeriodSeconds` "
             "(allow it to be set to 1 if it was previously negative)")


def test_list_with_label_selector(registry, ns):
    registry.create("pods", ns, pod("a", {"app": "web", "tier": "front"}))
    registry.create("pods", ns, pod("b", {"app": "web"}))
    registry.create("pods", ns, pod("c", {"app": "db"}))
    listed = registry.list("pods", ns, "app=web,tier notin (front)")
    assert listed["kind"] == "PodList" and [p["metadata"]["name"] for p in listed["items"]] == ["b"]


def test_list_with_field_selector(registry, ns):
    registry.create("pods", ns, pod("a", nodeName="n1"))
    registry.create("pods", ns, pod("b"))
    listed = registry.list("pods", None, field_selector=f"spec.nodeName=n1,metadata.namespace={ns}")
    assert [p["metadata"]["name"] for p in listed["items"]] == ["a"]


def test_unsupported_field_selector_is_400(registry, ns):
    error = status_error(registry.list, "configmaps", ns, field_selector="spec.nodeName=x")
    assert (error.code, error.message) == (
        400, '"spec.nodeName" is not a known field selector: only "metadata.name", "metadata.namespace"')


def test_list_limit_and_continue(registry, ns):
    for i in range(5):
        registry.create("configmaps", ns, {"metadata": {"name": f"c{i}"}})
    first = registry.list("configmaps", ns, limit=3)
    assert len(first["items"]) == 3 and first["metadata"]["remainingItemCount"] == 2
    rest = registry.list("configmaps", ns, limit=3, continue_token=first["metadata"]["continue"])
    assert [c["metadata"]["name"] for c in rest["items"]] == ["c3", "c4"]
    assert "continue" not in rest["metadata"]
    assert rest["metadata"]["resourceVersion"] == first["metadata"]["resourceVersion"]


def test_a_list_pinned_to_one_name_reads_that_key_unpaged(registry, ns):
    """SelectionPredicate.MatchesSingle: without a continue token, a field selector requiring
    metadata.name makes the list GetToList of that one key, which ignores the limit: no continue
    token even with limit=1 (the real 1.24 server's answer); across namespaces no key can be made,
    so that list pages as any other."""
    for name in ("s1", "s10", "s2"):
        registry.create("configmaps", ns, {"metadata": {"name": name}})
    pinned = registry.list("configmaps", ns, field_selector="metadata.name=s1", limit=1)
    assert [c["metadata"]["name"] for c in pinned["items"]] == ["s1"] and "continue" not in pinned["metadata"]
    assert registry.list("configmaps", ns, field_selector="metadata.name==gone", limit=1)["items"] == []
    everywhere = registry.list("configmaps", None, field_selector=f"metadata.name=s1,metadata.namespace={ns}", limit=1)
    assert [c["metadata"]["name"] for c in everywhere["items"]] == ["s1"]
    unpinned = registry.list("configmaps", ns, field_selector="metadata.name!=s2", limit=1)
    assert len(unpinned["items"]) == 1 and unpinned["metadata"]["continue"]


def test_watch_resumes_from_a_resource_version(registry, ns):
    registry.start_watch_caches()  # as the server starts them: the cache holds what comes after
    created = registry.create("configmaps", ns, {"metadata": {"name": "c"}})
    registry.patch("configmaps", ns, "c", lambda o: {**o, "data": {"a": "1"}})
    registry.delete("configmaps", ns, "c")
    events = collect(registry.watch("configmaps", ns, resource_version=created["metadata"]["resourceVersion"]), 2)
    assert [t for t, _ in events] == ["MODIFIED", "DELETED"]
    assert events[0][1]["kind"] == "ConfigMap"


def test_watch_selector_reports_leaving_as_deleted(registry, ns):
    """An object whose labels stop matching comes as DELETED, one that starts matching as ADDED."""
    registry.start_watch_caches()
    created = registry.create("configmaps", ns, {"metadata": {"name": "c", "labels": {"a": "1"}}})
    rv = created["metadata"]["resourceVersion"]
    registry.patch("configmaps", ns, "c", lambda o: {**o, "metadata": {**o["metadata"], "labels": {"a": "2"}}})
    registry.patch("configmaps", ns, "c", lambda o: {**o, "metadata": {**o["metadata"], "labels": {"a": "1"}}})
    events = collect(registry.watch("configmaps", ns, "a=1", resource_version=rv), 2)
    assert [t for t, _ in events] == ["DELETED", "ADDED"]


def test_watch_of_a_compacted_version_is_410_gone(registry, ns, etcd):
    created = registry.create("configmaps", ns, {"metadata": {"name": "c"}})
    for value in "12":
        latest = registry.patch("configmaps", ns, "c", lambda o, v=value: {**o, "data": {"v": v}})
    etcd.compact(int(latest["metadata"]["resourceVersion"]))
    events = collect(registry.watch("configmaps", ns, resource_version=created["metadata"]["resourceVersion"]), 1)
    assert events[0][0] == "ERROR" and events[0][1]["code"] == 410


def test_unscheduled_pod_is_deleted_at_once(registry, ns):
    registry.create("pods", ns, pod("p"))
    deleted = registry.delete("pods", ns, "p")
    assert deleted["metadata"]["name"] == "p"
    assert status_error(registry.get, "pods", ns, "p").code == 404


def test_a_pod_deleted_at_once_is_first_written_as_deleting(registry, ns):
    """Store.Delete: podStrategy's graceful delete with a grace period of 0 writes deletionTimestamp
    (now) and deletionGracePeriodSeconds 0 before removing the pod, so the answer and the watch
    show them (the real 1.24 answered so side by side)."""
    registry.start_watch_caches()
    created = registry.create("pods", ns, pod("p"))
    deleted = registry.delete("pods", ns, "p")
    assert (deleted["metadata"]["deletionTimestamp"], deleted["metadata"]["deletionGracePeriodSeconds"]) == \
        ("2023-11-14T22:13:20Z", 0)
    events = collect(registry.watch("pods", ns, resource_version=created["metadata"]["resourceVersion"]), 2)
    assert [(t, o["metadata"].get("deletionGracePeriodSeconds")) for t, o in events] == [("MODIFIED", 0), ("DELETED", 0)]


def test_removing_the_last_finalizer_deletes_without_writing_the_update(registry, ns):
    """Store.Update's errEmptiedFinalizers: an update that leaves an object being deleted with no
    finalizers is never written; watchers see one DELETED carrying the finalizers it still had,
    as the real 1.24 sent it (job25's pairing of the Job controllers), and the answer is the
    update as sent."""
    registry.start_watch_caches()
    created = registry.create("configmaps", ns, {"metadata": {"name": "held", "finalizers": ["x.io/f"]}})
    marked = registry.delete("configmaps", ns, "held")
    answer = registry.patch("configmaps", ns, "held", lambda o: {**o, "metadata": {**o["metadata"], "finalizers": []}})
    assert not answer["metadata"].get("finalizers")
    assert answer["metadata"]["resourceVersion"] == marked["metadata"]["resourceVersion"]
    events = collect(registry.watch("configmaps", ns, resource_version=created["metadata"]["resourceVersion"]), 3, 2)
    assert [(t, o["metadata"].get("finalizers")) for t, o in events] == [("MODIFIED", ["x.io/f"]),
                                                                         ("DELETED", ["x.io/f"])]
    assert status_error(registry.get, "configmaps", ns, "held").code == 404


@pytest.mark.parametrize("dry_run", [True, False])
def test_a_pod_deleted_at_once_keeps_its_resource_version_precondition(registry, ns, dry_run):
    """The graceful write moves the version on; the delete after it checks that one, not the sent one."""
    created = registry.create("pods", ns, pod("p"))
    deleted = registry.delete("pods", ns, "p", preconditions={"resourceVersion": created["metadata"]["resourceVersion"]},
                              dry_run=dry_run)
    assert deleted["metadata"]["deletionGracePeriodSeconds"] == 0
    if dry_run:
        assert "deletionTimestamp" not in registry.get("pods", ns, "p")["metadata"]
    else:
        assert status_error(registry.get, "pods", ns, "p").code == 404


def test_scheduled_pod_is_deleted_gracefully(registry, ns, clock):
    """A pod a kubelet runs gets deletionTimestamp = now + grace and stays until deleted with 0."""
    registry.create("pods", ns, pod("p", nodeName="n1"))
    marked, gone_now = registry.delete_with_outcome("pods", ns, "p")
    assert not gone_now
    assert marked["metadata"]["deletionTimestamp"] == "2023-11-14T22:13:50Z"
    assert marked["metadata"]["deletionGracePeriodSeconds"] == 30
    assert registry.get("pods", ns, "p")["metadata"]["deletionTimestamp"]
    _, gone_now = registry.delete_with_outcome("pods", ns, "p", grace_period_seconds=0)
    assert gone_now and status_error(registry.get, "pods", ns, "p").code == 404


def test_finalizers_hold_an_object_until_removed(registry, ns):
    registry.create("configmaps", ns, {"metadata": {"name": "c", "finalizers": ["example.com/hold"]}})
    marked = registry.delete("configmaps", ns, "c")
    assert marked["metadata"]["deletionTimestamp"]
    registry.patch("configmaps", ns, "c", lambda o: {**o, "metadata": {**o["metadata"], "finalizers": []}})
    assert status_error(registry.get, "configmaps", ns, "c").code == 404


def test_delete_of_most_kinds_answers_a_success_status(registry, ns):
    registry.create("configmaps", ns, {"metadata": {"name": "c"}})
    answer = registry.delete("configmaps", ns, "c")
    assert answer["kind"] == "Status" and answer["status"] == "Success"
    assert answer["details"]["name"] == "c" and answer["details"]["kind"] == "configmaps"


@pytest.mark.parametrize("plural,obj", [
    ("services", {"metadata": {"name": "x"}, "spec": {"ports": [{"port": 80}]}}),
    ("serviceaccounts", {"metadata": {"name": "x"}}),
    ("podtemplates", {"metadata": {"name": "x"}, "template": {"spec": {"containers": [{"name": "c", "image": "i"}]}}}),
    ("resourcequotas", {"metadata": {"name": "x"}, "spec": {"hard": {"pods": "1"}}}),
    ("storageclasses", {"metadata": {"name": "x"}, "provisioner": "example.com/p"}),
    ("csidrivers", {"metadata": {"name": "x"}, "spec": {}}),
])
def test_delete_of_some_kinds_answers_the_deleted_object(registry, ns, plural, obj):
    """The stores of Services, ServiceAccounts, PodTemplates, ResourceQuotas and the storage kinds
    set ReturnDeletedObject: a delete answers with the object as it was, not a Success Status."""
    kind = registry.resource(plural)
    registry.create(plural, ns if kind.namespaced else None, {"apiVersion": kind.api_version, "kind": kind.kind, **obj})
    answer = registry.delete(plural, ns if kind.namespaced else None, "x")
    assert (answer["kind"], answer["metadata"]["name"]) == (kind.kind, "x")


@pytest.mark.parametrize("options,finalizers", [
    ({"propagation_policy": "Foreground"}, ["foregroundDeletion"]),
    ({"propagation_policy": "Orphan"}, ["orphan"]),
    ({"orphan_dependents": True}, ["orphan"]),
])
def test_delete_for_the_garbage_collector_leaves_a_finalizer(registry, ns, options, finalizers):
    """Store.Delete's deletionFinalizersForGarbageCollection: a Foreground or Orphan deletion
    marks the object deleted and gives it the finalizer the garbage collector removes, so the
    object stays until then."""
    registry.create("configmaps", ns, {"metadata": {"name": "c", "finalizers": ["example.com/hold"]}})
    marked, gone = registry.delete_with_outcome("configmaps", ns, "c", **options)
    assert not gone and marked["metadata"]["deletionTimestamp"]
    assert registry.get("configmaps", ns, "c")["metadata"]["finalizers"] == ["example.com/hold", *finalizers]


@pytest.mark.parametrize("resource,obj,gone", [
    ("jobs", {"apiVersion": "batch/v1", "kind": "Job", "metadata": {"name": "j"}, "spec": {"template": {
        "spec": {"containers": [{"name": "c", "image": "busybox"}], "restartPolicy": "Never"}}}}, False),
    ("replicationcontrollers", {"apiVersion": "v1", "kind": "ReplicationController", "metadata": {"name": "rc"},
                                "spec": {"selector": {"a": "b"}, "template": {"metadata": {"labels": {"a": "b"}},
                                         "spec": {"containers": [{"name": "c", "image": "x"}]}}}}, False),
    ("deployments", deployment("d"), True),
])
def test_jobs_and_replication_controllers_orphan_their_pods_by_default(registry, ns, resource, obj, gone):
    """batch/v1 Jobs and v1 ReplicationControllers keep OrphanDependents as their default garbage
    collection policy (backwards compatibility): deleted with no policy they get the orphan
    finalizer; a Deployment is deleted at once."""
    registry.create(resource, ns, obj)
    answer, deleted = registry.delete_with_outcome(resource, ns, obj["metadata"]["name"])
    assert deleted is gone
    if not gone:
        assert answer["metadata"]["finalizers"] == ["orphan"]


def test_a_background_delete_takes_back_the_orphan_finalizer(registry, ns):
    """A later Background deletion removes the orphan finalizer; with no other finalizer left
    the object is deleted."""
    registry.create("configmaps", ns, {"metadata": {"name": "c"}})
    registry.delete("configmaps", ns, "c", propagation_policy="Orphan")
    assert registry.delete_with_outcome("configmaps", ns, "c", propagation_policy="Background")[1]
    assert status_error(registry.get, "configmaps", ns, "c").code == 404


def service_and_endpoints(registry, ns: str, name: str, finalizers: list[str] | None = None) -> None:
    registry.create("services", ns, {"apiVersion": "v1", "kind": "Service",
                                     "metadata": {"name": name, "finalizers": finalizers or []},
                                     "spec": {"ports": [{"port": 80}]}})
    registry.create("endpoints", ns, {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": name},
                                      "subsets": [{"addresses": [{"ip": "10.1.2.3"}], "ports": [{"port": 80}]}]})


@pytest.mark.parametrize("dry_run,endpoints_left", [(False, False), (True, True)])
def test_deleting_a_service_deletes_its_endpoints(registry, ns, dry_run, endpoints_left):
    """The service REST's afterDelete: a Service deleted (not in a dry run) takes the Endpoints
    of its name with it; the endpoints controller may lag, and a service made again under the name
    must not start with the old endpoints."""
    service_and_endpoints(registry, ns, "s")
    registry.create("endpoints", ns, {"apiVersion": "v1", "kind": "Endpoints", "metadata": {"name": "other"}})
    registry.delete("services", ns, "s", dry_run=dry_run)
    names = [e["metadata"]["name"] for e in registry.list("endpoints", ns)["items"]]
    assert names == (["other", "s"] if endpoints_left else ["other"])


def test_a_service_gone_when_its_last_finalizer_goes_takes_its_endpoints(registry, ns):
    """Store.Update deletes an object being deleted once its finalizers are emptied, running the
    same AfterDelete hook: the service's endpoints go with it."""
    service_and_endpoints(registry, ns, "s", finalizers=["example.com/hold"])
    registry.delete("services", ns, "s")
    assert registry.get("endpoints", ns, "s")
    registry.patch("services", ns, "s", lambda o: {**o, "metadata": {**o["metadata"], "finalizers": []}})
    assert status_error(registry.get, "endpoints", ns, "s").code == 404


def test_a_service_delete_succeeds_when_deleting_its_endpoints_fails(registry, ns, monkeypatch, capsys):
    """afterDelete runs once the Service is gone: upstream only logs a failure to delete the
    Endpoints, so the client still hears that its delete succeeded."""
    service_and_endpoints(registry, ns, "s")
    delete = registry.delete

    def failing_delete(resource, *args, **kwargs):
        if resource == "endpoints":
            raise errors.internal_error("etcd is down")
        return delete(resource, *args, **kwargs)

    monkeypatch.setattr(registry, "delete", failing_delete)
    assert registry.delete_with_outcome("services", ns, "s")[1]
    assert status_error(registry.get, "services", ns, "s").code == 404
    assert "delete service endpoints s/" in capsys.readouterr().err


def test_delete_precondition_mismatch_is_409(registry, ns):
    registry.create("configmaps", ns, {"metadata": {"name": "c"}})
    error = status_error(registry.delete, "configmaps", ns, "c", preconditions={"uid": "other"})
    assert error.code == 409 and error.message.startswith(
        'Operation cannot be fulfilled on ConfigMap "c": the UID in the precondition (other) does not match the UID in '
        "record (")
    assert registry.get("configmaps", ns, "c")


@pytest.mark.parametrize("field,label,why", [("uid", "UID", "deleted and then recreated"),
                                            ("resourceVersion", "ResourceVersion", "modified")])
def test_an_empty_delete_precondition_is_still_a_precondition(registry, ns, field, label, why):
    """Preconditions' fields are pointers: an empty uid or resourceVersion is set, matches no
    stored object and is a 409; only a null one is no precondition."""
    registry.create("configmaps", ns, {"metadata": {"name": "c"}})
    error = status_error(registry.delete, "configmaps", ns, "c", preconditions={field: ""})
    assert (error.code, error.reason) == (409, "Conflict")
    assert error.message.startswith(f'Operation cannot be fulfilled on ConfigMap "c": the {label} in the '
                                    f"precondition () does not match the {label} in record (")
    assert error.message.endswith(f"The object might have been {why}")
    assert registry.delete("configmaps", ns, "c", preconditions={field: None})["status"] == "Success"


def test_delete_collection_by_label(registry, ns):
    registry.create("configmaps", ns, {"metadata": {"name": "a", "labels": {"x": "1"}}})
    registry.create("configmaps", ns, {"metadata": {"name": "b"}})
    deleted = registry.delete_collection("configmaps", ns, label_selector="x=1")
    assert [c["metadata"]["name"] for c in deleted["items"]] == ["a"]
    assert [c["metadata"]["name"] for c in registry.list("configmaps", ns)["items"]] == ["b"]


def test_bind_sets_node_name_once(registry, ns):
    registry.create("pods", ns, pod("p"))
    binding = {"apiVersion": "v1", "kind": "Binding", "metadata": {"name": "p"},
               "target": {"kind": "Node", "name": "n1"}}
    assert registry.bind(ns, "p", binding)["status"] == "Success"
    bound = registry.get("pods", ns, "p")
    assert bound["spec"]["nodeName"] == "n1"
    assert any(c["type"] == "PodScheduled" for c in bound["status"]["conditions"])
    error = status_error(registry.bind, ns, "p", binding)
    assert error.code == 409 and 'is already assigned to node "n1"' in error.message


def test_scale_subresource(registry, ns):
    registry.create("deployments", ns, deployment("d"))
    scale = registry.get_scale("deployments", ns, "d")
    assert scale["spec"]["replicas"] == 1 and scale["status"]["selector"] == "app=d"
    metadata = {"name": "d", "namespace": ns}
    scaled = registry.update_scale("deployments", ns, "d", {"metadata": metadata, "spec": {"replicas": 3}})
    assert scaled["spec"]["replicas"] == 3
    assert registry.get("deployments", ns, "d")["spec"]["replicas"] == 3
    assert status_error(registry.update_scale, "deployments", ns, "d",
                        {"metadata": metadata, "spec": {"replicas": -1}}).code == 422


def test_default_service_account_is_created_once(registry, ns):
    first = registry.ensure_default_service_account(ns)
    again = registry.ensure_default_service_account(ns)
    assert first["metadata"]["name"] == "default" and again["metadata"]["uid"] == first["metadata"]["uid"]


def test_dry_run_create_stores_nothing(registry, ns):
    answer = registry.create("configmaps", ns, {"metadata": {"name": "c"}}, dry_run=True)
    assert answer["metadata"]["uid"]
    assert status_error(registry.get, "configmaps", ns, "c").code == 404


@pytest.mark.parametrize("target_port,errors", [
    ("1", ['spec.ports[0].targetPort: Invalid value: "1": must contain at least one letter or number (a-z, 0-9)']),
    ("Web--", ['spec.ports[0].targetPort: Invalid value: "Web--": must contain only alpha-numeric characters '
               '(a-z, 0-9), and hyphens (-)', 'spec.ports[0].targetPort: Invalid value: "Web--": must not contain '
               'consecutive hyphens', 'spec.ports[0].targetPort: Invalid value: "Web--": must not begin or end with '
               'a hyphen']),
    (70000, ["spec.ports[0].targetPort: Invalid value: 70000: must be between 1 and 65535, inclusive"]),
])
def test_a_service_target_port_is_a_port_number_or_name(registry, ns, target_port, errors):
    """ValidatePortNumOrName: a number is a port number, a string an IANA service name (so a string of
    digits only is refused), each problem an error of its own."""
    obj = {"metadata": {"name": "s"}, "spec": {"ports": [{"port": 80, "targetPort": target_port}]}}
    error = status_error(registry.create, "services", ns, obj)
    message = errors[0] if len(errors) == 1 else "[" + ", ".join(errors) + "]"
    assert error.message == f'Service "s" is invalid: {message}'


@pytest.mark.parametrize("target_port", [0, ""])
def test_a_zero_or_empty_service_target_port_is_the_port(registry, ns, target_port):
    """SetDefaults_ServicePort takes the port for a targetPort that is 0 or "" as well as a missing one."""
    obj = {"metadata": {"name": f"zero{target_port!r}".replace("'", "").lower()},
           "spec": {"ports": [{"port": 80, "targetPort": target_port}]}}
    assert registry.create("services", ns, obj, dry_run=True)["spec"]["ports"][0]["targetPort"] == 80


def test_services_get_a_cluster_ip(registry, ns):
    created = registry.create("services", ns, {"metadata": {"name": "s"},
                                               "spec": {"ports": [{"port": 80}]}})
    assert created["spec"]["clusterIP"].startswith("10.96.")
    assert created["spec"]["ports"][0]["targetPort"] == 80


OWNER = {"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": "u-1"}


@pytest.mark.parametrize("resource,metadata,message", [
    ("configmaps", {"ownerReferences": [{}]},
     'metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty'),
    ("configmaps", {"ownerReferences": [{**OWNER, "uid": ""}]},
     'metadata.ownerReferences.uid: Invalid value: "": uid must not be empty'),
    ("configmaps", {"ownerReferences": [{**OWNER, "apiVersion": "a/b/c"}]},
     'metadata.ownerReferences.apiVersion: Invalid value: "a/b/c": version must not be empty'),
    ("configmaps", {"ownerReferences": [{**OWNER, "controller": True}, {**OWNER, "name": "b", "controller": True}]},
     'metadata.ownerReferences: Invalid value: []v1.OwnerReference{v1.OwnerReference{APIVersion:"apps/v1", '
     'Kind:"ReplicaSet", Name:"rs", UID:"u-1", Controller:(*bool)(0xc000000000), BlockOwnerDeletion:(*bool)(nil)}, '
     'v1.OwnerReference{APIVersion:"apps/v1", Kind:"ReplicaSet", Name:"b", UID:"u-1", '
     'Controller:(*bool)(0xc000000000), BlockOwnerDeletion:(*bool)(nil)}}: Only one reference can have Controller '
     'set to true. Found "true" in references for rs and b'),
    ("configmaps", {"ownerReferences": [{**OWNER, "apiVersion": "v1", "kind": "Event", "blockOwnerDeletion": False}]},
     'metadata.ownerReferences: Invalid value: v1.OwnerReference{APIVersion:"v1", Kind:"Event", Name:"rs", '
     'UID:"u-1", Controller:(*bool)(nil), BlockOwnerDeletion:(*bool)(0xc000000000)}: '
     "/v1, Kind=Event is disallowed from being an owner"),
    ("configmaps", {"finalizers": ["bad finalizer"]}, 'metadata.finalizers: Invalid value: "bad finalizer": '),
    ("configmaps", {"finalizers": ["example.com/a", "mine"]},
     'metadata.finalizers[1]: Invalid value: "mine": name is neither a standard finalizer name nor is it '
     'fully qualified'),
    ("configmaps", {"finalizers": ["orphan", "foregroundDeletion"]},
     "finalizer orphan and foregroundDeletion cannot be both set"),
])
def test_owner_references_and_finalizers_are_validated(registry, ns, resource, metadata, message):
    """ValidateObjectMeta checks owner references (all four fields, one controller, no Event owner,
    the references shown as %#v prints them) and finalizers (qualified names; a core kind's also
    standard or domain-qualified); a garbage reference stored would reach the garbage collector."""
    error = status_error(registry.create, resource, ns, {"metadata": {"name": "x", **metadata}})
    assert (error.code, error.reason) == (422, "Invalid")
    assert message in error.message


def test_valid_owner_references_and_finalizers_are_stored(registry, ns):
    """Standard and fully qualified finalizers, one controller, and a domain-free finalizer where
    apimachinery's ValidateObjectMeta checks the metadata (a Lease's) pass."""
    registry.create("configmaps", ns, {"metadata": {"name": "a", "finalizers": ["kubernetes", "a.io/b"],
                                                    "ownerReferences": [{**OWNER, "controller": True}]}})
    lease = {"metadata": {"name": "l", "finalizers": ["mine"]}, "spec": {}}
    assert registry.create("leases", ns, lease)["metadata"]["finalizers"] == ["mine"]


def test_a_configmap_key_in_both_data_and_binary_data_is_422(registry, ns):
    """ValidateConfigMap: a data key may not be repeated in binaryData (which value would a volume
    hold?); 1.24 checks it only while it walks data, so it is reported once, there."""
    error = status_error(registry.create, "configmaps", ns,
                         {"metadata": {"name": "dup"}, "data": {"a": "x"}, "binaryData": {"a": "eA=="}})
    assert error.message == 'ConfigMap "dup" is invalid: data[a]: Invalid value: "a": duplicate of key present in binaryData'


@pytest.mark.parametrize("key,problems", [
    (".", ["must not be '.'"]), ("..", ["must not be '..'"]), ("..a", ["must not start with '..'"]),
    ("." * 254, ["must be no more than 253 characters", "must not start with '..'"]), ("a..b", []),
])
def test_a_config_key_may_not_climb_out_of_its_volume_directory(registry, ns, key, problems):
    """IsConfigMapKey: at most 253 characters, and no key a volume would write as '.', '..' or a
    name starting with '..' (the atomic writer's own directories)."""
    obj = {"metadata": {"name": "k"}, "data": {key: "x"}}
    if not problems:
        assert registry.create("configmaps", ns, obj)["data"] == {key: "x"}
        return
    error = status_error(registry.create, "configmaps", ns, obj)
    assert [cause["message"] for cause in error.details["causes"]] == [
        f'Invalid value: "{key}": {problem}' for problem in problems]


@pytest.mark.parametrize("strategy,message", [
    ({"type": "Bogus"}, 'spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:"Bogus", '
                        'RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "Recreate", "RollingUpdate"'),
    ({"type": "Bogus", "rollingUpdate": {}}, 'spec.strategy: Unsupported value: apps.DeploymentStrategy{Type:"Bogus", '
                                             "RollingUpdate:(*apps.RollingUpdateDeployment)(0xc000000000)}"),
    ({"type": "Recreate", "rollingUpdate": {}}, "spec.strategy.rollingUpdate: Forbidden: may not be specified"),
    ({"type": "RollingUpdate", "rollingUpdate": {"maxSurge": "abc"}},
     'spec.strategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"abc"}: '
     "a valid percent string must be a numeric string followed by an ending '%'"),
    ({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": -1}},
     "spec.strategy.rollingUpdate.maxUnavailable: Invalid value: -1: must be greater than or equal to 0"),
    ({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 0, "maxSurge": "0%"}},
     "may not be 0 when `maxSurge` is 0"),
    ({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": "150%"}}, "must not be greater than 100%"),
])
def test_a_deployment_strategy_the_controller_cannot_follow_is_422(registry, ns, strategy, message):
    """ValidateDeploymentStrategy: a maxSurge of "abc" stored would make the deployment controller
    fail on every sync of it. An unknown type shows the whole strategy, as %#v prints it."""
    dep = deployment("s")
    dep["spec"]["strategy"] = strategy
    error = status_error(registry.create, "deployments", ns, dep)
    assert (error.code, error.reason) == (422, "Invalid")
    assert message in error.message


def daemon_set(name: str) -> dict:
    return {**deployment(name), "apiVersion": "apps/v1", "kind": "DaemonSet"}


NEGATIVE = "Invalid value: -1: must be greater than or equal to 0"


@pytest.mark.parametrize("plural,make,spec,message", [
    ("deployments", deployment, {"revisionHistoryLimit": -1}, f"spec.revisionHistoryLimit: {NEGATIVE}"),
    ("deployments", deployment, {"minReadySeconds": -1}, f"spec.minReadySeconds: {NEGATIVE}"),
    ("deployments", deployment, {"minReadySeconds": 10, "progressDeadlineSeconds": 5},
     "spec.progressDeadlineSeconds: Invalid value: 5: must be greater than minReadySeconds"),
    ("deployments", deployment, {"template": {"metadata": {"labels": {"app": "w"}}, "spec": {
        "containers": [{"name": "c", "image": "nginx"}], "activeDeadlineSeconds": 5}}},
     "spec.template.spec.activeDeadlineSeconds: Forbidden: activeDeadlineSeconds in ReplicaSet is not Supported"),
    ("replicasets", replica_set, {"minReadySeconds": -1}, f"spec.minReadySeconds: {NEGATIVE}"),
    ("daemonsets", daemon_set, {"minReadySeconds": -1}, f"spec.minReadySeconds: {NEGATIVE}"),
    ("daemonsets", daemon_set, {"revisionHistoryLimit": -1}, f"spec.revisionHistoryLimit: {NEGATIVE}"),
    ("daemonsets", daemon_set, {"updateStrategy": {"type": "Bogus"}},
     "spec.updateStrategy: Unsupported value: apps.DaemonSetUpdateStrategy{Type:\"Bogus\", "
     'RollingUpdate:(*apps.RollingUpdateDaemonSet)(nil)}: supported values: "RollingUpdate", "OnDelete"'),
    ("daemonsets", daemon_set, {"updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {
        "maxUnavailable": 0, "maxSurge": 0}}},
     "spec.updateStrategy.rollingUpdate.maxUnavailable: Required value: cannot be 0 when maxSurge is 0"),
    ("daemonsets", daemon_set, {"updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {
        "maxUnavailable": "120%"}}},
     'spec.updateStrategy.rollingUpdate.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, '
     'StrVal:"120%"}: must not be greater than 100%'),
    ("daemonsets", daemon_set, {"updateStrategy": {"type": "RollingUpdate", "rollingUpdate": {
        "maxUnavailable": 1, "maxSurge": 1}}},
     "spec.updateStrategy.rollingUpdate.maxSurge: Invalid value: intstr.IntOrString{Type:0, IntVal:1, "
     'StrVal:""}: may not be set when maxUnavailable is non-zero'),
], ids=["history", "min-ready", "deadline", "active-deadline", "rs-min-ready", "ds-min-ready", "ds-history",
        "ds-strategy", "ds-both-zero", "ds-over-100", "ds-both-set"])
def test_a_workload_count_or_strategy_the_controller_cannot_follow_is_422(registry, ns, plural, make, spec, message):
    """ValidateDeploymentSpec, ValidateReplicaSetSpec and ValidateDaemonSetSpec: counts not
    negative, a progress deadline past minReadySeconds, no active deadline for pods that must keep
    running, a DaemonSet update strategy its controller knows (one of maxUnavailable and maxSurge)."""
    obj = make("w")
    obj["spec"].update(spec)
    error = status_error(registry.create, plural, ns, obj)
    assert error.message.split(" is invalid: ", 1)[1] == message


def test_a_deployment_without_or_with_a_valid_strategy_is_stored(registry, ns):
    assert registry.create("deployments", ns, deployment("plain"))["spec"]["strategy"]["type"] == "RollingUpdate"
    dep = deployment("r")
    dep["spec"]["strategy"] = {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 0, "maxUnavailable": "100%"}}
    registry.create("deployments", ns, dep)


@pytest.mark.parametrize("spec,message", [
    ({"type": "NodePort", "ports": [{"port": 80, "nodePort": 22}]},
     "spec.ports[0].nodePort: Invalid value: 22: provided port is not in the valid range. The range of valid "
     "ports is 30000-32767"),
    ({"clusterIP": "abc", "ports": [{"port": 80}]},
     'spec.clusterIPs[0]: Invalid value: "abc": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'),
])
def test_a_service_node_port_outside_the_range_or_a_cluster_ip_that_is_no_ip_is_422(registry, ns, spec, message):
    """The node-port allocator takes only 30000-32767 (the proxy listens on it on every node: 22
    would be the host's ssh port), and a cluster IP must be an IP."""
    error = status_error(registry.create, "services", ns, {"metadata": {"name": "s"}, "spec": spec})
    assert (error.code, error.reason) == (422, "Invalid")
    assert message in error.message


def test_a_service_with_a_node_port_in_range_and_an_ip_is_stored(registry, ns):
    spec = {"type": "NodePort", "clusterIP": "10.96.0.99", "ports": [{"port": 80, "nodePort": 30080}]}
    assert registry.create("services", ns, {"metadata": {"name": "s"}, "spec": spec})["spec"]["clusterIP"] == "10.96.0.99"


@pytest.mark.parametrize("cluster_ip,why", [
    ("1.2.3.4", "the provided IP (1.2.3.4) is not in the valid range. The range of valid IPs is 10.96.0.0/12"),
    ("10.96.0.0", "the provided IP (10.96.0.0) is not in the valid range. The range of valid IPs is 10.96.0.0/12"),
    ("10.111.255.255",
     "the provided IP (10.111.255.255) is not in the valid range. The range of valid IPs is 10.96.0.0/12"),
    ("taken", "provided IP is already allocated"),
])
def test_a_requested_cluster_ip_must_be_in_the_range_and_free(registry, ns, cluster_ip, why):
    """The cluster IP allocator takes a requested IP only inside --service-cluster-ip-range (not its
    network or broadcast address) and only once; it runs in BeginCreate, before validation, so its
    error comes alone."""
    if cluster_ip == "taken":
        cluster_ip = registry.create("services", ns, {"metadata": {"name": "taken"},
                                                      "spec": {"ports": [{"port": 80}]}})["spec"]["clusterIP"]
    error = status_error(registry.create, "services", ns, {"metadata": {"name": "s"}, "spec": {
        "clusterIP": cluster_ip, "ports": [{"port": 80, "protocol": "BAD"}]}})
    assert (error.code, error.message) == (422, f'Service "s" is invalid: spec.clusterIPs: Invalid value: '
                                                f'[]string{{"{cluster_ip}"}}: failed to allocate IP {cluster_ip}: {why}')


@pytest.mark.parametrize("two_port_numbers", [False, True])
def test_a_requested_node_port_must_be_free(registry, ns, two_port_numbers):
    """The node-port allocator gives a port once, to one service port number: taken by another
    service, or by another port number of the same service, it is refused."""
    if two_port_numbers:
        node_port = 31000 + int(ns[2:])  # free: no other test asks for it
        ports = [{"name": "a", "port": 80, "nodePort": node_port}, {"name": "b", "port": 81, "nodePort": node_port}]
    else:
        node_port = registry.create("services", ns, {"metadata": {"name": "taken"}, "spec": {
            "type": "NodePort", "ports": [{"port": 80}]}})["spec"]["ports"][0]["nodePort"]
        ports = [{"name": "a", "port": 80, "nodePort": node_port}]
    error = status_error(registry.create, "services", ns, {"metadata": {"name": "s"}, "spec": {
        "type": "NodePort", "ports": ports}})
    assert (error.code, error.message) == (422, f'Service "s" is invalid: spec.ports[{len(ports) - 1}].nodePort: '
                                                f"Invalid value: {node_port}: provided port is already allocated")


def test_one_port_number_over_two_protocols_shares_its_node_port(registry, ns):
    """initNodePorts allocates per service port number: 53/TCP and 53/UDP get the same node port."""
    created = registry.create("services", ns, {"metadata": {"name": "dns"}, "spec": {"type": "NodePort", "ports": [
        {"name": "tcp", "port": 53}, {"name": "udp", "port": 53, "protocol": "UDP"}]}})
    first, second = created["spec"]["ports"]
    assert first["nodePort"] == second["nodePort"]


@pytest.mark.parametrize("finalizers", [["bad finalizer!"], ["mine"]])
def test_namespace_spec_finalizers_are_finalizer_names_also_through_finalize(registry, finalizers):
    """ValidateNamespace and ValidateNamespaceFinalizeUpdate check spec.finalizers as finalizer names."""
    error = status_error(registry.create, "namespaces", None,
                         {"metadata": {"name": "fin-a"}, "spec": {"finalizers": finalizers}})
    assert (error.code, error.reason) == (422, "Invalid") and "spec.finalizers" in error.message
    name = f"fin-{len(finalizers[0])}"
    registry.create("namespaces", None, {"metadata": {"name": name}})
    namespace = registry.get("namespaces", None, name)
    namespace["spec"]["finalizers"] = finalizers
    error = status_error(registry.update, "namespaces", None, name, namespace, subresource="finalize")
    assert (error.code, error.reason) == (422, "Invalid")
    assert registry.get("namespaces", None, name)["spec"]["finalizers"] == ["kubernetes"]


@pytest.mark.parametrize("spec,message", [
    ({"tolerations": [{"key": "a", "operator": "Bogus"}]},
     'spec.tolerations[0].operator: Unsupported value: "Bogus": supported values: "Equal", "Exists"'),
    ({"tolerations": [{"operator": "Equal", "value": "x"}]}, "operator must be Exists when `key` is empty"),
    ({"tolerations": [{"key": "a", "effect": "Sometimes"}]}, 'spec.tolerations[0].effect: Unsupported value: "Sometimes"'),
    ({"tolerations": [{"key": "a", "effect": "NoSchedule", "tolerationSeconds": 5}]},
     "effect must be 'NoExecute' when `tolerationSeconds` is set"),
    ({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"operator": "Exists"}]}]}}}},
     "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]."
     'matchExpressions[0].key: Invalid value: ""'),
    ({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "zone", "operator": "Bogus"}]}]}}}}, "not a valid selector operator"),
    ({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": [{"key": "zone", "operator": "In"}]}]}}}}, "must be specified when `operator` is 'In'"),
    ({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": []}}}},
     "must have at least one node selector term"),
    ({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": "x"}}}},
     "must have at least one node selector term"),
    ({"affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
        {"matchExpressions": ["x"]}]}}}}, "not a valid selector operator"),
])
def test_tolerations_and_required_node_affinity_the_scheduler_reads_are_validated(registry, ns, spec, message):
    """ValidateTolerations and ValidateNodeSelectorRequirement: what the scheduler's filters read
    is well formed before it is stored."""
    error = status_error(registry.create, "pods", ns, pod("p", **spec))
    assert (error.code, error.reason) == (422, "Invalid")
    assert message in error.message


def test_well_formed_tolerations_and_node_affinity_are_stored(registry, ns):
    spec = {"tolerations": [{"operator": "Exists"}, {"key": "a", "operator": "Equal", "value": "b",
                                                     "effect": "NoExecute", "tolerationSeconds": 5}],
            "affinity": {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]},
                                      {"key": "gpu", "operator": "Gt", "values": ["1"]}]}]}}}}
    registry.create("pods", ns, pod("ok", **spec))


@pytest.mark.parametrize("taints,message", [
    ([{"key": "a", "effect": "Bogus"}], 'metadata.taints[0].effect: Unsupported value: "Bogus": supported values: '),
    ([{"key": "a"}], "metadata.taints[0].effect: Required value"),
    ([{"key": "a b", "effect": "NoSchedule"}], 'metadata.taints[0].key: Invalid value: "a b"'),
    ([{"key": "a", "effect": "NoSchedule"}, {"key": "a", "value": "x", "effect": "NoSchedule"}],
     'metadata.taints[1]: Duplicate value: core.Taint{Key:"a", Value:"x", Effect:"NoSchedule", '
     "TimeAdded:<nil>}: taints must be unique by key and effect pair"),
])
def test_node_taints_are_validated(registry, taints, message):
    """validateNodeTaints: what TaintToleration and the taint manager read is well formed. ValidateNode
    roots the taints' path at metadata, not spec (as upstream writes it)."""
    error = status_error(registry.create, "nodes", None, {"metadata": {"name": "tainted"}, "spec": {"taints": taints}})
    assert (error.code, error.reason) == (422, "Invalid")
    assert message in error.message


@pytest.mark.parametrize("cidrs,message", [
    (["bogus"], 'Node "cidrs" is invalid: spec.podCIDRs[0]: Invalid value: []string{"bogus"}: must be valid CIDR'),
    (["10.0.0.0"], 'Node "cidrs" is invalid: spec.podCIDRs[0]: Invalid value: []string{"10.0.0.0"}: must be valid CIDR'),
    (["10.0.0.0/33"], 'Node "cidrs" is invalid: spec.podCIDRs[0]: Invalid value: []string{"10.0.0.0/33"}: '
                      'must be valid CIDR'),
    (["10.0.0.0/24", "10.1.0.0/24"], 'Node "cidrs" is invalid: spec.podCIDRs: Invalid value: '
                                     '[]string{"10.0.0.0/24", "10.1.0.0/24"}: may specify no more than one CIDR for '
                                     'each IP family'),
    (["10.0.0.0/24", "10.0.0.0/24"], 'Node "cidrs" is invalid: [spec.podCIDRs: Invalid value: '
                                     '[]string{"10.0.0.0/24", "10.0.0.0/24"}: may specify no more than one CIDR for '
                                     'each IP family, spec.podCIDRs[1]: Duplicate value: "10.0.0.0/24"]'),
    (["10.0.0.0/24", "x"], 'Node "cidrs" is invalid: [spec.podCIDRs[1]: Invalid value: []string{"10.0.0.0/24", "x"}: '
                           'must be valid CIDR, spec.podCIDRs: Internal error: invalid PodCIDRs. failed to check with '
                           'dual stack with error:failed to parse cidr value:"x" with error:invalid CIDR address: x, '
                           'spec.podCIDRs: Invalid value: []string{"10.0.0.0/24", "x"}: may specify no more than one '
                           'CIDR for each IP family]'),
])
def test_a_new_nodes_pod_cidrs_are_cidrs_one_per_family(registry, cidrs, message):
    """ValidateNode: each of spec.podCIDRs parses as a CIDR (the whole list shown), and several
    are one IPv4 and one IPv6 range, none repeated."""
    error = status_error(registry.create, "nodes", None, {"metadata": {"name": "cidrs"}, "spec": {"podCIDRs": cidrs}})
    assert (error.code, error.message) == (422, message)


def test_a_new_node_may_have_one_pod_cidr_of_each_family(registry):
    created = registry.create("nodes", None, {"metadata": {"name": "dual"},
                                              "spec": {"podCIDRs": ["10.0.0.0/24", "fd00::/64"]}})
    assert created["spec"]["podCIDRs"] == ["10.0.0.0/24", "fd00::/64"]
    registry.delete("nodes", None, "dual")


def test_a_taint_key_reports_each_way_it_is_no_qualified_name(registry):
    """ValidateLabelName gives one error per problem of the key: an empty one is both empty and
    not matching the name pattern."""
    error = status_error(registry.create, "nodes", None, {"metadata": {"name": "tainted"}, "spec": {"taints": [
        {"value": "v", "effect": "NoSchedule"}]}})
    assert error.message == (
        'Node "tainted" is invalid: [metadata.taints[0].key: Invalid value: "": name part must be non-empty, '
        'metadata.taints[0].key: Invalid value: "": name part must consist of alphanumeric characters, \'-\', '
        "'_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
        "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')]")



@pytest.mark.parametrize("field,stored,sent", [
    ("podCIDRs", ["10.244.0.0/24"], ["10.244.1.0/24"]),
    ("podCIDRs", ["10.244.0.0/24"], []),
    ("podCIDRs", ["10.244.0.0/24"], ["10.244.0.0/24", "fd00:10:244::/64"]),
    ("providerID", "example:///a", "example:///b"),
], ids=["changed", "removed", "added-family", "provider-id"])
def test_a_node_pod_cidrs_and_provider_id_are_set_once(registry, field, stored, sent):
    """ValidateNodeUpdate: the node IPAM controller may set spec.podCIDRs, and the cloud node
    controller spec.providerID, on a node that has none; once set, they stay."""
    name = f"set-once-{next(_namespaces)}"
    node = registry.create("nodes", None, {"metadata": {"name": name}, "spec": {field: stored}})
    node["spec"][field] = sent
    if field == "podCIDRs":  # else the conversion makes the podCIDR read back authoritative again
        node["spec"]["podCIDR"] = sent[0] if sent else ""
    error = status_error(registry.update, "nodes", None, name, node)
    assert error.message == (f'Node "{name}" is invalid: spec.{field}: Forbidden: node updates may not change '
                             f'{field.removesuffix("s")} except from "" to valid')


def test_a_node_external_id_is_never_updated(registry):
    node = registry.create("nodes", None, {"metadata": {"name": "external"}, "spec": {"externalID": "a"}})
    node["spec"]["externalID"] = "b"
    error = status_error(registry.update, "nodes", None, "external", node)
    assert error.message == 'Node "external" is invalid: spec.externalID: Forbidden: may not be updated'


def test_a_node_gets_its_pod_cidrs_once(registry):
    node = registry.create("nodes", None, {"metadata": {"name": "unset"}})
    node["spec"]["podCIDRs"] = ["10.244.0.0/24"]
    assert registry.update("nodes", None, "unset", node)["spec"]["podCIDRs"] == ["10.244.0.0/24"]


def container(**fields) -> dict:
    return {"name": "c", "image": "nginx:1.21", **fields}


@pytest.mark.parametrize("spec,message", [
    ({"volumes": [{"name": "v", "emptyDir": {}, "configMap": {"name": "x"}}]},
     "spec.volumes[0].configMap: Forbidden: may not specify more than 1 volume type"),
    ({"volumes": [{"name": "v", "emptyDir": {}}, {"name": "v", "emptyDir": {}}]},
     'spec.volumes[1].name: Duplicate value: "v"'),
    ({"volumes": [{"name": "V_1", "emptyDir": {}}]}, 'spec.volumes[0].name: Invalid value: "V_1": a lowercase RFC 1123'),
    ({"containers": [container(volumeMounts=[{"name": "missing", "mountPath": "/m"}])]},
     'spec.containers[0].volumeMounts[0].name: Not found: "missing"'),
    ({"containers": [container(env=[{"value": "x"}])]}, "spec.containers[0].env[0].name: Required value"),
    ({"containers": [container(env=[{"name": "1ST"}])]},
     'spec.containers[0].env[0].name: Invalid value: "1ST": a valid environment variable name must consist of '
     "alphabetic characters, digits, '_', '-', or '.', and must not start with a digit (e.g. 'my.env-name',  or "
     "'MY_ENV.NAME',  or 'MyEnvName1', regex used for validation is '[-._a-zA-Z][-._a-zA-Z0-9]*')"),
    ({"nodeSelector": {"disk": "fast ssd"}}, 'spec.nodeSelector: Invalid value: "fast ssd": a valid label must be'),
    ({"nodeSelector": {"-disk": "ssd"}}, 'spec.nodeSelector: Invalid value: "-disk": name part must consist of'),
    ({"containers": [container(resources={"requests": {"cpu": "2"}, "limits": {"cpu": "1500m"}})]},
     'spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit'),
    # Past 10**400, sharing the first 24 digits: the real 1.24 apiserver's words.
    ({"containers": [container(resources={"requests": {"cpu": "1" * 24 + "2e500"}, "limits": {"cpu": "1" * 25 + "e500"}})]},
     'spec.containers[0].resources.requests: Invalid value: "111111111111111111111111200e498": must be less than or '
     'equal to cpu limit'),
    ({"containers": [container(resources={"requests": {"memory": "-1Gi"}})]},
     'spec.containers[0].resources.requests[memory]: Invalid value: "-1Gi": must be greater than or equal to 0'),
    ({"containers": [container(livenessProbe={"exec": {"command": ["true"]}, "periodSeconds": -5})]},
     "spec.containers[0].livenessProbe.periodSeconds: Invalid value: -5: must be greater than or equal to 0"),
    ({"containers": [container(readinessProbe={"exec": {"command": ["true"]}, "failureThreshold": -1})]},
     "spec.containers[0].readinessProbe.failureThreshold: Invalid value: -1: must be greater than or equal to 0"),
    ({"containers": [container(livenessProbe={"exec": {"command": ["true"]}, "successThreshold": 3})]},
     "spec.containers[0].livenessProbe.successThreshold: Invalid value: 3: must be 1"),
    ({"containers": [container(readinessProbe={"periodSeconds": 5})]},
     "spec.containers[0].readinessProbe: Required value: must specify a handler type"),
    ({"containers": [container(livenessProbe={"exec": {"command": ["true"]}, "tcpSocket": {"port": 80}})]},
     "spec.containers[0].livenessProbe.tcpSocket: Forbidden: may not specify more than 1 handler type"),
    ({"containers": [container(), container()]}, 'spec.containers[1].name: Duplicate value: "c"'),
    ({"containers": [container(name="Web_1")]}, 'spec.containers[0].name: Invalid value: "Web_1": a lowercase RFC'),
    ({"containers": [container(ports=[{"containerPort": 70000}])]},
     "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive"),
    ({"containers": [container(ports=[{"containerPort": 80, "hostPort": 0}, {"name": "h", "containerPort": 0}])]},
     "spec.containers[0].ports[1].containerPort: Required value"),
    ({"containers": [container(ports=[{"containerPort": 80, "name": "web--1"}])]},
     'spec.containers[0].ports[0].name: Invalid value: "web--1": must not contain consecutive hyphens'),
    ({"containers": [container(ports=[{"containerPort": 80, "protocol": "HTTP"}])]},
     'spec.containers[0].ports[0].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"'),
])
def test_a_pod_spec_is_validated_as_validate_pod_spec_does(registry, ns, spec, message):
    """ValidatePodSpec's volume, container, env, mount, probe, port, resource and node selector rules,
    in its field paths and words, on an object admission has not yet defaulted."""
    error = status_error(registry.create, "pods", ns, pod("p", **spec))
    assert (error.code, error.reason) == (422, "Invalid")
    assert message in error.message


def test_a_full_undefaulted_pod_spec_is_stored(registry, ns):
    """Fields defaulting fills later (protocol, successThreshold, terminationMessagePolicy) may be
    absent; a volume with no source is decoded as an emptyDir, as upstream's defaulting does."""
    spec = {"volumes": [{"name": "data"}, {"name": "conf", "configMap": {"name": "c"}}],
            "nodeSelector": {"kubernetes.io/os": "linux"},
            "containers": [container(
                env=[{"name": "MY_ENV.NAME", "value": "1"}], volumeMounts=[{"name": "data", "mountPath": "/d"}],
                ports=[{"containerPort": 80, "name": "http"}],
                resources={"requests": {"cpu": "500m", "memory": "1Gi"}, "limits": {"cpu": "1", "memory": "1Gi"}},
                livenessProbe={"httpGet": {"path": "/", "port": 80}, "periodSeconds": 5})]}
    stored = registry.create("pods", ns, pod("ok", **spec))
    assert stored["spec"]["volumes"][0] == {"name": "data", "emptyDir": {}}  # SetDefaults_Volume, not an error


def secret(name: str, secret_type: str | None = None, **fields) -> dict:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name},
            **({"type": secret_type} if secret_type else {}), **fields}


@pytest.mark.parametrize("obj,message", [
    (secret("s", "kubernetes.io/tls", data={"tls.crt": "Y2VydA=="}), "data[tls.key]: Required value"),
    (secret("s", "kubernetes.io/tls"), "[data[tls.crt]: Required value, data[tls.key]: Required value]"),
    (secret("s", "kubernetes.io/dockerconfigjson", data={}), "data[.dockerconfigjson]: Required value"),
    (secret("s", "kubernetes.io/dockerconfigjson", stringData={".dockerconfigjson": "[]"}),
     'data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": json: cannot unmarshal array '
     "into Go value of type map[string]interface {}"),
    (secret("s", "kubernetes.io/dockerconfigjson", stringData={".dockerconfigjson": "{x"}),
     'data[.dockerconfigjson]: Invalid value: "<secret contents redacted>": invalid character \'x\' '
     "looking for beginning of object key string"),
    (secret("s", "kubernetes.io/basic-auth"), "[data[username]: Required value, data[password]: Required value]"),
    (secret("s", "kubernetes.io/service-account-token"),
     "metadata.annotations[kubernetes.io/service-account.name]: Required value"),
])
def test_a_secret_holds_the_keys_its_type_promises(registry, ns, obj, message):
    """ValidateSecret: each built-in type's required data keys (stringData counts: it becomes data)."""
    error = status_error(registry.create, "secrets", ns, obj)
    assert (error.code, error.message) == (422, f'Secret "s" is invalid: {message}')


def test_a_docker_config_of_null_is_a_nil_map_and_valid(registry, ns):
    """json.Unmarshal of `null` into the map leaves it nil: no error, so the Secret is stored."""
    registry.create("secrets", ns, secret("s", "kubernetes.io/dockerconfigjson",
                                          stringData={".dockerconfigjson": "null"}))
    assert registry.get("secrets", ns, "s")["data"] == {".dockerconfigjson": "bnVsbA=="}


def test_a_tls_secret_given_as_string_data_is_stored(registry, ns):
    stored = registry.create("secrets", ns, secret("tls", "kubernetes.io/tls",
                                                   stringData={"tls.crt": "cert", "tls.key": "key"}))
    assert sorted(stored["data"]) == ["tls.crt", "tls.key"]


def test_a_secrets_type_and_an_immutable_secrets_data_never_change(registry, ns):
    """ValidateSecretUpdate: type is immutable; so are `immutable: true` and the data it froze."""
    stored = registry.create("secrets", ns, secret("frozen", data={"a": "YQ=="}, immutable=True))
    retyped = {**stored, "type": "kubernetes.io/basic-auth", "data": {"username": "dQ=="}, "immutable": True}
    error = status_error(registry.update, "secrets", ns, "frozen", retyped)
    assert error.code == 422 and 'type: Invalid value: "kubernetes.io/basic-auth": field is immutable' in error.message
    thawed = {**stored, "immutable": False}
    error = status_error(registry.update, "secrets", ns, "frozen", thawed)
    assert "immutable: Forbidden: field is immutable when `immutable` is set" in error.message
    changed = {**stored, "data": {"a": "Yg=="}}
    error = status_error(registry.update, "secrets", ns, "frozen", changed)
    assert error.message == 'Secret "frozen" is invalid: data: Forbidden: field is immutable when `immutable` is set'
    untyped = {key: value for key, value in stored.items() if key != "type"}
    assert registry.update("secrets", ns, "frozen", untyped)["type"] == "Opaque"


def test_a_changed_secret_type_is_reported_before_what_the_new_type_requires(registry, ns):
    """ValidateSecretUpdate checks the type's immutability first, then ValidateSecret."""
    stored = registry.create("secrets", ns, secret("retyped", data={"a": "YQ=="}))
    error = status_error(registry.update, "secrets", ns, "retyped", {**stored, "type": "kubernetes.io/ssh-auth"})
    assert error.message == ('Secret "retyped" is invalid: [type: Invalid value: "kubernetes.io/ssh-auth": field is '
                             "immutable, data[ssh-privatekey]: Required value]")


def test_an_immutable_config_maps_data_never_changes(registry, ns):
    """ValidateConfigMapUpdate: `immutable: true` freezes data, binaryData and itself; labels may change."""
    stored = registry.create("configmaps", ns, {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "cm"},
                                                "data": {"a": "1"}, "immutable": True})
    error = status_error(registry.update, "configmaps", ns, "cm", {**stored, "data": {"a": "2"}})
    assert error.message == ('ConfigMap "cm" is invalid: data: Forbidden: field is immutable when `immutable` is '
                             "set")
    error = status_error(registry.update, "configmaps", ns, "cm", {**stored, "immutable": False})
    assert "immutable: Forbidden: field is immutable when `immutable` is set" in error.message
    relabelled = {**stored, "metadata": {**stored["metadata"], "labels": {"x": "y"}}}
    assert registry.update("configmaps", ns, "cm", relabelled)["metadata"]["labels"] == {"x": "y"}


@pytest.mark.parametrize("old,new,message", [
    ({"tolerations": [{"key": "k", "operator": "Exists"}]},
     {"tolerations": [{"key": "k", "operator": "Exists"}, {"key": "j", "operator": "Exists"}]}, None),
    ({"tolerations": [{"key": "k", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 30}]},
     {"tolerations": [{"key": "k", "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 10}]}, None),
    ({"tolerations": [{"key": "k", "operator": "Exists"}]}, {"tolerations": [{"key": "k2", "operator": "Exists"}]},
     "spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds"),
    ({"tolerations": [{"key": "k", "operator": "Exists"}]}, {"tolerations": []},
     "spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds"),
    ({}, {"activeDeadlineSeconds": 30}, None),
    ({"activeDeadlineSeconds": 30}, {"activeDeadlineSeconds": 60},
     "spec.activeDeadlineSeconds: Invalid value: 60: must be less than or equal to previous value"),
    ({"activeDeadlineSeconds": 30}, {},
     "spec.activeDeadlineSeconds: Invalid value: \"null\": must not update from a positive integer to nil value"),
    ({}, {"containers": [{"name": "c", "image": "nginx"}, {"name": "two", "image": "nginx"}]},
     "spec.containers: Forbidden: pod updates may not add or remove containers"),
    ({}, {"image": " nginx:1.21"},
     "spec.containers[0].image: Invalid value: \" nginx:1.21\": must not have leading or trailing whitespace"),
])
def test_a_pod_update_changes_only_what_validate_pod_update_allows(registry, ns, old, new, message):
    """ValidatePodUpdate: tolerations may only be added to (tolerationSeconds may change),
    activeDeadlineSeconds only set or lowered, and containers neither added nor removed."""
    created = registry.create("pods", ns, pod("p", **old))
    spec = {**created["spec"], **new}
    if "image" in new:  # the stored container with only its image changed
        spec["containers"] = [{**created["spec"]["containers"][0], "image": spec.pop("image")}]
    if "activeDeadlineSeconds" not in new:
        spec.pop("activeDeadlineSeconds", None)
    if message is None:
        registry.update("pods", ns, "p", {**created, "spec": spec})
        return
    error = status_error(registry.update, "pods", ns, "p", {**created, "spec": spec})
    assert (error.code, error.message) == (422, f'Pod "p" is invalid: {message}')


def test_a_label_gets_one_error_for_each_way_its_key_or_value_is_wrong(registry, ns):
    """ValidateLabels appends a field.Invalid per message of IsQualifiedName (the key) and of
    IsValidLabelValue (the value), the value checked even when the key is wrong."""
    value = "x" * 63 + "!"
    error = status_error(registry.create, "configmaps", ns, {"metadata": {"name": "l", "labels": {"": value}}})
    key, bad_value = 'Invalid value: "": ', f'Invalid value: "{value}": '
    assert [cause["message"] for cause in error.details["causes"]] == [
        key + "name part must be non-empty",
        key + "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
              "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
              "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
        bad_value + "must be no more than 63 characters",
        bad_value + "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
                    "and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
                    "'12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"]


def test_events_of_both_groups_expire_after_the_event_ttl(etcd, clock):
    """The event storage's TTLFunc: every write of an Event (core/v1 or events.k8s.io/v1, one
    storage) gives it --event-ttl more seconds in etcd, after which etcd deletes it. Other kinds
    are kept until deleted."""
    registry = Registry(etcd, clock, event_ttl=2)
    try:
        registry.create("namespaces", None, {"metadata": {"name": "ttl"}})
        registry.create("configmaps", "ttl", {"metadata": {"name": "kept"}})
        registry.create("events", "ttl", {
            "metadata": {"name": "core"}, "involvedObject": {"kind": "Pod", "name": "p", "namespace": "ttl"},
            "reason": "Tested", "type": "Normal"})
        registry.create(kinds.find("events.k8s.io", "v1", "events"), "ttl", {
            "metadata": {"name": "new"}, "regarding": {"kind": "Pod", "name": "p", "namespace": "ttl"},
            "reason": "Tested", "type": "Normal", "action": "Test", "reportingController": "tests/x",
            "reportingInstance": "x", "eventTime": "2026-01-01T00:00:00.000000Z"})
        assert len(registry.list("events", "ttl")["items"]) == 2
        deadline = time.monotonic() + 15
        while registry.list("events", "ttl")["items"] and time.monotonic() < deadline:
            time.sleep(0.2)
        assert registry.list("events", "ttl")["items"] == []
        assert [cm["metadata"]["name"] for cm in registry.list("configmaps", "ttl")["items"]] == ["kept"]
    finally:
        registry.close()


def test_a_new_uid_is_the_random_bits_as_a_version_4_uuid():
    """A create's uid is its 128 random bits written as uuid.New().String() writes a version 4
    UUID (version and variant bits set), the same text Python's UUID gives, without making one."""
    import uuid
    from reference_impl.apiserver.core.registry import uuid4_text
    rng = random.Random(7)
    for bits in (0, (1 << 128) - 1, *(rng.getrandbits(128) for _ in range(2000))):
        assert uuid4_text(bits) == str(uuid.UUID(int=bits, version=4))
