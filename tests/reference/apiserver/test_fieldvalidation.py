"""A body is decoded as the kind's Go struct would decode it: wrong JSON types are 400, unknown
fields are dropped (Strict: 400, Warn: a Warning header); sizes past upstream's limits are 422
(ConfigMap/Secret data 1 MiB, annotations 256 KiB) or 413 when etcd refuses the write; a name of
`.` or `..` is 400. Sans-IO through the handler chain over the reference etcd."""
from __future__ import annotations

import pytest

from tests.reference.apiserver.test_handlers import call, chain, etcd, ns_path, registry  # noqa: F401
from reference_impl.apiserver import kinds
from reference_impl.apiserver.core import fieldvalidation, openapi
from reference_impl.apiserver.core.handlers import Request


def test_labels_given_as_a_string_are_400(chain):
    """metadata.labels must be an object: a string is a decoding error, not a 500."""
    for body in ({"metadata": {"name": "a", "labels": "x=y"}}, {"metadata": {"name": 5}},
                 {"metadata": {"name": "b"}, "data": ["x"]}):
        code, status = call(chain, "POST", ns_path(chain, "configmaps"), body)
        assert (code, status["reason"]) == (400, "BadRequest"), status
        assert "cannot be handled as a ConfigMap" in status["message"]


def test_pod_fields_of_the_wrong_type_are_400(chain):
    body = {"metadata": {"name": "p"}, "spec": {"containers": [{"name": "c", "image": "i", "ports": "80"}]}}
    code, status = call(chain, "POST", ns_path(chain, "pods"), body)
    assert (code, status["reason"]) == (400, "BadRequest")
    assert status["message"] == ('Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal string '
                                 "into Go struct field Container.spec.containers.ports of type []v1.ContainerPort")


def test_unknown_fields_are_dropped(chain):
    """Kubernetes 1.24 decodes into the struct: what it does not know is not stored."""
    body = {"metadata": {"name": "u", "bogus": 1}, "data": {"a": "b"}, "extra": {"x": 1}}
    code, created = call(chain, "POST", ns_path(chain, "configmaps"), body)
    assert code == 201 and "extra" not in created and "bogus" not in created["metadata"]
    assert "extra" not in call(chain, "GET", ns_path(chain, "configmaps", "u"))[1]


@pytest.fixture
def field_validation_gate(monkeypatch):
    """The ServerSideFieldValidation feature gate turned on (1.24 has it off by default)."""
    monkeypatch.setattr(fieldvalidation, "SERVER_SIDE_FIELD_VALIDATION", True)


@pytest.mark.parametrize("directive", ["Strict", "Warn", "Ignore"])
def test_without_the_feature_gate_every_directive_drops_unknown_fields(chain, directive):
    """1.24's ServerSideFieldValidation gate is alpha and off: fieldValidation is validated with the
    options but ignored, so an unknown field is dropped without an error or a warning, as the
    real 1.24 kube-apiserver answers `?fieldValidation=Strict`."""
    request = Request("POST", ns_path(chain, "configmaps"), {"fieldValidation": [directive], "dryRun": ["All"]},
                      {"Content-Type": "application/json"}, b'{"metadata":{"name":"g"},"extra":1}')
    response = chain.handle(request)
    assert (response.code, response.warnings) == (201, [])


def test_field_validation_strict_refuses_unknown_fields(chain, field_validation_gate):
    code, status = call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "s"}, "extra": 1},
                        query={"fieldValidation": "Strict"})
    assert (code, status["reason"]) == (400, "BadRequest")
    assert status["message"] == 'strict decoding error: unknown field "extra"'


def test_field_validation_warn_answers_with_a_warning(chain, field_validation_gate):
    request = Request("POST", ns_path(chain, "configmaps"), {"fieldValidation": ["Warn"]},
                      {"Content-Type": "application/json"}, b'{"metadata":{"name":"w"},"extra":1}')
    response = chain.handle(request)
    assert response.code == 201 and response.warnings == ['unknown field "extra"']


@pytest.mark.parametrize("method,name,options,content_type", [
    ("POST", "", "CreateOptions", "application/json"),
    ("PUT", "d", "UpdateOptions", "application/json"),
    ("PATCH", "d", "PatchOptions", "application/merge-patch+json"),
])
def test_an_unknown_field_validation_directive_is_an_invalid_options_422(chain, method, name, options, content_type):
    """ValidateCreateOptions/UpdateOptions/PatchOptions: fieldValidation is "", Ignore, Strict or
    Warn (case matters), else NotSupported on the options, before the body is read."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "d"}})
    code, status = call(chain, method, ns_path(chain, "configmaps", name), {"metadata": {"name": "d"}},
                        query={"fieldValidation": "strict"}, content_type=content_type)
    problem = 'fieldValidation: Unsupported value: "strict": supported values: "", "Ignore", "Strict", "Warn"'
    assert (code, status["reason"], status["message"]) == (
        422, "Invalid", f'{options}.meta.k8s.io "" is invalid: {problem}')
    assert status["details"] == {"group": "meta.k8s.io", "kind": options, "causes": [
        {"reason": "FieldValueNotSupported", "field": "fieldValidation", "message": problem.split(": ", 1)[1]}]}


def test_an_empty_field_validation_directive_is_the_default(chain):
    """An empty fieldValidation is as if none were given: unknown fields are dropped."""
    code, created = call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "e"}, "extra": 1},
                         query={"fieldValidation": ""})
    assert code == 201 and "extra" not in created


@pytest.mark.parametrize("size", [1024 * 1024 + 1, 2 * 1024 * 1024])
def test_a_configmap_over_1_mib_is_422(chain, size):
    body = {"metadata": {"name": "big"}, "data": {"a": "x" * size}}
    code, status = call(chain, "POST", ns_path(chain, "configmaps"), body)
    assert (code, status["reason"]) == (422, "Invalid")
    assert status["message"] == 'ConfigMap "big" is invalid: []: Too long: must have at most 1048576 bytes'


def test_annotations_over_256_kib_are_422(chain):
    body = {"metadata": {"name": "a", "annotations": {"a": "x" * (256 * 1024)}}}
    code, status = call(chain, "POST", ns_path(chain, "configmaps"), body)
    assert (code, status["reason"]) == (422, "Invalid") and "metadata.annotations: Too long" in status["message"]


def test_etcd_refusing_a_large_write_is_413(chain):
    """An object etcd will not take (the 2 MiB gRPC limit) is the client's: 413, not a 500."""
    labels = {f"k{i}": "v" * 60 for i in range(30000)}
    code, status = call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "huge", "labels": labels}})
    assert (code, status["reason"]) == (413, "RequestEntityTooLarge")


@pytest.mark.parametrize("name", [".", ".."])
def test_dot_names_are_400(chain, name):
    """GET .../configmaps/.. is not the list: `.` and `..` are not path segment names."""
    code, status = call(chain, "GET", ns_path(chain, "configmaps") + "/" + name)
    assert (code, status["reason"]) == (400, "BadRequest")
    assert status["message"] == f'Name parameter invalid: "{name}": may not be \'{name}\''


@pytest.mark.parametrize("content_type,problem", [
    ("application/merge-patch+json", "json: cannot unmarshal string into Go struct field ObjectMeta.metadata.labels "
                                     "of type map[string]string"),
    ("application/strategic-merge-patch+json", "cannot restore map from string")])
def test_a_patch_that_makes_labels_a_string_is_refused(chain, content_type, problem):
    """The patched object is decoded as the kind too: labels patched to a string are invalid (in the
    decoder's words for a merge patch, the unstructured converter's for a strategic one; see
    test_handlers)."""
    call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": "p"}})
    got, status = call(chain, "PATCH", ns_path(chain, "configmaps", "p"), {"metadata": {"labels": "x=y"}},
                       content_type=content_type)
    assert (got, status["reason"]) == (422, "Invalid")
    assert status["message"].endswith(problem)


def test_the_warning_header_reaches_the_client(registry, field_validation_gate):
    """Over HTTP, Warn's messages are `Warning: 299 - "..."` headers, as kubectl prints them."""
    import http.client
    import json as json_

    from reference_impl.apiserver.adapter.server import APIServer

    server = APIServer(registry)
    server.start()
    try:
        connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        connection.request("POST", "/api/v1/namespaces/default/configmaps?fieldValidation=Warn",
                           json_.dumps({"metadata": {"generateName": "w-"}, "extra": 1}),
                           {"Content-Type": "application/json"})
        response = connection.getresponse()
        response.read()
        assert response.status == 201
        assert response.getheader("Warning") == '299 - "unknown field \\"extra\\""'
    finally:
        server.stop()


def test_the_walk_measures_the_depth_of_what_it_keeps():
    """decode_into_kind's depth is nesting_of of the pruned object: unknown fields do not count,
    content kept as it is (a ConfigMap's data, a field of any content) counts to its full depth."""
    from reference_impl.apiserver.core import decoding, fieldvalidation

    deep = [[[[["x"]]]]]
    objects = [
        ("", "v1", "Pod", {"metadata": {"name": "p", "labels": {"a": "b"}, "junk": deep},
                           "spec": {"containers": [{"name": "c", "ports": [{"containerPort": 80}],
                                                    "resources": {"requests": {"cpu": 1}}}],
                                    "affinity": {"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
                                        {"weight": 1, "podAffinityTerm": {"topologyKey": "k", "labelSelector": {
                                            "matchExpressions": [{"key": "a", "operator": "In", "values": ["b"]}]}}}]}}},
                           "status": {"conditions": [{"type": "Ready", "status": "True"}]}}),
        ("", "v1", "ConfigMap", {"metadata": {"name": "c"}, "data": {"k": "v"}, "x": deep}),
        ("", "v1", "PersistentVolume", {"metadata": {"name": "v"}, "spec": {"csi": {"volumeAttributes": {"a": "b"}}}}),
        ("apps", "v1", "Deployment", {"metadata": {"name": "d"}, "spec": {"template": {"metadata": {"annotations": {}},
                                                                                       "spec": {"containers": []}}}}),
    ]
    for group, version, kind, obj in objects:
        decoded = fieldvalidation.decode_into_kind(group, version, kind, obj)
        assert decoded.depth == decoding.nesting_of(decoded.obj), kind
    assert fieldvalidation.decode_into_kind("", "v1", "ConfigMap", {"x": deep}).unknown == ("x",)


def _running_pod(time: str) -> dict:
    return {"metadata": {"name": "p", "creationTimestamp": time},
            "spec": {"containers": [{"name": "c", "image": "i", "resources": {"requests": {"cpu": "1"}}}]},
            "status": {"phase": "Running", "startTime": time,
                       "conditions": [{"type": kind, "status": "True", "lastTransitionTime": time}
                                      for kind in ("Initialized", "Ready", "ContainersReady", "PodScheduled")]}}


def test_the_walk_reads_the_schema_definitions_once_not_at_every_value(monkeypatch):
    """Decoding resolves each schema node once: a second pod's walk looks up no definition,
    where it once did at every value a definition describes (a hundred times a pod)."""
    from reference_impl.apiserver.core import fieldvalidation

    fieldvalidation.decode_into_kind("", "v1", "Pod", _running_pod("2031-02-03T04:05:06Z"))
    lookups = []
    definitions = openapi.definitions
    monkeypatch.setattr(openapi, "definitions", lambda: lookups.append(1) or definitions())
    decoded = fieldvalidation.decode_into_kind("", "v1", "Pod", _running_pod("2031-02-03T04:05:07Z"))
    assert decoded.obj == _running_pod("2031-02-03T04:05:07Z") and lookups == []


def test_a_time_repeated_in_a_body_is_parsed_once(monkeypatch):
    """A body's times repeat (creation, start, every condition's transition): each distinct text
    is checked as RFC 3339 once, and a bad one is still refused."""
    from reference_impl.apiserver.core import fieldvalidation
    from reference_impl.machinery import timefmt

    parsed = []
    parse = timefmt.rfc3339_parse_error
    monkeypatch.setattr(timefmt, "rfc3339_parse_error",
                        lambda text, micro=False: parsed.append(text) or parse(text, micro))
    time = "2032-03-04T05:06:07Z"  # a time no other test decodes, so none has parsed it before
    fieldvalidation.decode_into_kind("", "v1", "Pod", _running_pod(time))
    assert parsed.count(time) == 1
    with pytest.raises(fieldvalidation.UndecodableError, match="month out of range"):
        fieldvalidation.decode_into_kind("", "v1", "Pod", {"metadata": {"creationTimestamp": "2031-13-03T04:05:06Z"}})


def test_a_plain_string_or_boolean_member_is_taken_without_walking_into_it(monkeypatch):
    """Most of a body is strings of plain string types (names, images, labels, a condition's
    status) and booleans, which nothing can refuse: once their schema node is known they are taken
    as they are. The walk still enters everything else: times, quantities, numbers, a string where
    a boolean belongs, which stays a 400."""
    from reference_impl.apiserver.core import fieldvalidation

    def pod() -> dict:
        running = _running_pod("2031-02-03T04:05:06Z")
        running["metadata"]["labels"] = {"app": "web"}
        running["spec"]["containers"][0].update(args=["a", "b"], stdin=True)
        return running

    fieldvalidation.decode_into_kind("", "v1", "Pod", pod())
    walked = []
    walk = fieldvalidation._walk
    monkeypatch.setattr(fieldvalidation, "_walk", lambda value, *rest: walked.append(value) or walk(value, *rest))
    decoded = fieldvalidation.decode_into_kind("", "v1", "Pod", pod())
    assert decoded.unknown == () and decoded.obj == pod()
    assert sorted(value for value in walked if isinstance(value, (str, bool))) == \
        ["1"] + ["2031-02-03T04:05:06Z"] * 6  # the cpu request, and the times
    with pytest.raises(fieldvalidation.UndecodableError, match="cannot unmarshal string into Go struct field "
                                                               "Container.spec.containers.stdin of type bool"):
        fieldvalidation.decode_into_kind("", "v1", "Pod", _pod("s", {"stdin": "yes"}))


def _pod(name: str, container: dict | None = None, **spec) -> dict:
    return {"metadata": {"name": name}, "spec": {"containers": [{"name": "c", "image": "i", **(container or {})}],
                                                 **spec}}


@pytest.mark.parametrize("plural,body,message", [
    ("pods", _pod("q1", {"resources": {"limits": {"cpu": "1ki"}}}), "unable to parse quantity's suffix"),
    ("pods", _pod("q2", {"resources": {"requests": {"memory": "lots"}}}),
     "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"),
    ("pods", _pod("i1", terminationGracePeriodSeconds=2**64),
     f"json: cannot unmarshal number {2**64} into Go struct field PodSpec.spec.terminationGracePeriodSeconds "
     "of type int64"),
    ("pods", _pod("i2", {"ports": [{"containerPort": 2**31}]}),
     f"json: cannot unmarshal number {2**31} into Go struct field ContainerPort.spec.containers.ports.containerPort "
     "of type int32"),
    ("secrets", {"metadata": {"name": "b1"}, "data": {"a": "!!!"}}, "illegal base64 data at input byte 0"),
    ("configmaps", {"metadata": {"name": "b2"}, "binaryData": {"a": "YQ"}}, "illegal base64 data at input byte 0"),
    ("configmaps", {"metadata": {"name": "t1", "creationTimestamp": "yesterday"}},
     'parsing time "yesterday" as "2006-01-02T15:04:05Z07:00": cannot parse "yesterday" as "2006"'),
    ("configmaps", {"metadata": {"name": "t2", "creationTimestamp": "2024-13-01T00:00:00Z"}},
     'parsing time "2024-13-01T00:00:00Z": month out of range'),
])
def test_values_the_go_type_cannot_hold_are_400(chain, plural, body, message):
    """Decoding refuses what the field's Go type cannot hold: a resource.Quantity that does not
    parse, an integer past int32/int64, base64 that does not decode, a time that is not RFC 3339.
    Stored, a bad quantity would reach the scheduler and bad base64 the kubelet."""
    code, status = call(chain, "POST", ns_path(chain, plural), body)
    assert (code, status["reason"]) == (400, "BadRequest"), status
    assert message in status["message"]


@pytest.mark.parametrize("before,metadata", [
    ({"data": {"a": 5}}, {"creationTimestamp": "bad"}),
    ({"data": {"a": 5}}, {"deletionTimestamp": "bad"}),
    ({"data": {"a": 5}}, {"managedFields": [{"time": "bad"}]}),
    ({"binaryData": {"a": [300]}}, {"creationTimestamp": "bad"}),
    ({"binaryData": {"a": "!!"}}, {"creationTimestamp": "bad"}),
], ids=["creation", "deletion", "managed-fields", "byte-type", "base64"])
def test_a_time_that_does_not_parse_wins_over_a_type_error_before_it(chain, before, metadata):
    """encoding/json saves a type error (or base64 that does not decode) and decodes on; a
    metav1.Time's UnmarshalJSON error ends the decoding, so it is the one reported (real 1.24:
    the parse-time error for each)."""
    body = {**before, "metadata": {"name": "late-time", **metadata}}
    code, status = call(chain, "POST", ns_path(chain, "configmaps"), body)
    assert (code, status["message"]) == (400, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: parsing '
                                              'time "bad" as "2006-01-02T15:04:05Z07:00": cannot parse "bad" as "2006"')


@pytest.mark.parametrize("metadata,where", [
    ({"labels": 5}, "ConfigMap.data of type string"),
    ({"creationTimestamp": 5}, "ObjectMeta.metadata.creationTimestamp of type string"),
], ids=["saved", "time"])
def test_of_two_type_errors_the_first_is_reported_unless_a_time_decodes_the_second(chain, metadata, where):
    """Type errors are saved and the first is reported; a Time decoding a number fails in its
    own UnmarshalJSON, which ends the decoding (real 1.24: the messages here)."""
    body = {"data": {"a": 5}, "metadata": {"name": "two-errors", **metadata}}
    code, status = call(chain, "POST", ns_path(chain, "configmaps"), body)
    assert (code, status["message"]) == (400, 'ConfigMap in version "v1" cannot be handled as a ConfigMap: json: '
                                              f"cannot unmarshal number into Go struct field {where}")


@pytest.mark.parametrize("field,time,problem", [
    ("acquireTime", "2024-01-01T00:00:00Z", 'cannot parse "Z" as ".000000"'),
    ("renewTime", "2024-01-01T00:00:00.5Z", 'cannot parse ".5Z" as ".000000"'),
    ("renewTime", "2024-01-01T00:00:00.000001Z", None),
])
def test_a_micro_time_has_six_digits_of_fraction(chain, field, time, problem):
    """metav1.MicroTime decodes with time.Parse(RFC3339Micro): the seconds and exactly six digits
    of fraction; a plain RFC 3339 time (what a Time takes) is a 400, as the real 1.24 answers it."""
    body = {"metadata": {"name": f"m-{len(time)}"}, "spec": {field: time}}
    code, status = call(chain, "POST", ns_path(chain, "leases", group="coordination.k8s.io/v1"), body)
    if problem is None:
        assert code == 201, status
        return
    assert (code, status["message"]) == (400, 'Lease in version "v1" cannot be handled as a Lease: parsing time '
                                              f'"{time}" as "2006-01-02T15:04:05.000000Z07:00": {problem}')


_POD_CANNOT = 'Pod in version "v1" cannot be handled as a Pod: json: cannot unmarshal '


@pytest.mark.parametrize("body,message", [
    ({"metadata": {"name": "m", "labels": 5}, "spec": {}},
     "number into Go struct field ObjectMeta.metadata.labels of type map[string]string"),
    ({"metadata": {"name": "m", "labels": {"a": True}}, "spec": {}},
     "bool into Go struct field ObjectMeta.metadata.labels of type string"),
    (_pod("q", {"resources": {"limits": "1"}}),
     "string into Go struct field ResourceRequirements.spec.containers.resources.limits of type v1.ResourceList"),
    ({"metadata": {"name": "s"}, "spec": "x"}, "string into Go struct field Pod.spec of type v1.PodSpec"),
    (_pod("r", {"resources": []}),
     "array into Go struct field Container.spec.containers.resources of type v1.ResourceRequirements"),
    (_pod("p", {"ports": [{"containerPort": "80"}]}),
     "string into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32"),
    ({"metadata": {"name": "c"}, "spec": {"containers": ["c"]}},
     "string into Go struct field PodSpec.spec.containers of type v1.Container"),
    (_pod("l", {"livenessProbe": "x"}), "string into Go struct field Container.spec.containers.livenessProbe "
                                        "of type v1.Probe"),
    (_pod("g", terminationGracePeriodSeconds="30"),
     "string into Go struct field PodSpec.spec.terminationGracePeriodSeconds of type int64"),
    (_pod("f", {"ports": [{"containerPort": 80.5}]}),
     "number 80.5 into Go struct field ContainerPort.spec.containers.ports.containerPort of type int32"),
    (_pod("h", hostNetwork="yes"), "string into Go struct field PodSpec.spec.hostNetwork of type bool"),
    (_pod("i", {"image": 5}), "number into Go struct field Container.spec.containers.image of type string"),
    (_pod("a", {"command": "sh"}), "string into Go struct field Container.spec.containers.command of type []string"),
    ({"metadata": {"name": "t", "creationTimestamp": 5}, "spec": {}},
     "number into Go struct field ObjectMeta.metadata.creationTimestamp of type string"),
])
def test_a_wrong_json_type_names_the_innermost_struct_and_the_go_type(chain, body, message):
    """encoding/json's UnmarshalTypeError names the innermost struct holding the field, the JSON
    path from the top without list indices or map keys, and the Go type decoded into (a pointer's
    element, a list's element, a map's value; v1.Time decodes a string first). Only a number an
    integer type cannot hold is quoted."""
    code, status = call(chain, "POST", ns_path(chain, "pods"), body)
    assert (code, status["message"]) == (400, _POD_CANNOT + message), status


_CONTAINER = {"name": "c", "image": "i"}


@pytest.mark.parametrize("path,kind,body,message", [
    ("services", "Service", {"spec": {"ports": [{"port": 80, "protocol": 6}]}},
     "number into Go struct field ServicePort.spec.ports.protocol of type v1.Protocol"),
    ("secrets", "Secret", {"type": 1}, "number into Go struct field Secret.type of type v1.SecretType"),
    ("apis/batch/v1/jobs", "Job", {"spec": {"template": {"spec": {"containers": [_CONTAINER], "restartPolicy": 1}}}},
     "number into Go struct field PodSpec.spec.template.spec.restartPolicy of type v1.RestartPolicy"),
    ("/api/v1/nodes", "Node", {"spec": {"taints": [{"key": "k", "effect": 1}]}},
     "number into Go struct field Taint.spec.taints.effect of type v1.TaintEffect"),
    ("apis/networking.k8s.io/v1/ingresses", "Ingress",
     {"spec": {"rules": [{"http": {"paths": [{"path": "/", "pathType": 1}]}}]}},
     "number into Go struct field HTTPIngressPath.spec.rules.http.paths.pathType of type v1.PathType"),
    ("/api/v1/namespaces", "Namespace", {"spec": {"finalizers": "kubernetes"}},
     "string into Go struct field NamespaceSpec.spec.finalizers of type []v1.FinalizerName"),
    ("/api/v1/namespaces", "Namespace", {"spec": {"finalizers": [1]}},
     "number into Go struct field NamespaceSpec.spec.finalizers of type v1.FinalizerName"),
    ("configmaps", "ConfigMap", {"metadata": {"name": "u", "uid": 1}},
     "number into Go struct field ObjectMeta.metadata.uid of type types.UID"),
    ("/apis/scheduling.k8s.io/v1/priorityclasses", "PriorityClass", {"value": 1, "preemptionPolicy": 1},
     "number into Go struct field PriorityClass.preemptionPolicy of type v1.PreemptionPolicy"),
    ("apis/apps/v1/daemonsets", "DaemonSet", {"spec": {"updateStrategy": {"rollingUpdate": "x"}}},
     "string into Go struct field DaemonSetUpdateStrategy.spec.updateStrategy.rollingUpdate "
     "of type v1.RollingUpdateDaemonSet"),
    ("apis/policy/v1/poddisruptionbudgets", "PodDisruptionBudget", {"status": {"disruptedPods": "p"}},
     "string into Go struct field PodDisruptionBudgetStatus.status.disruptedPods of type map[string]v1.Time"),
    ("apis/policy/v1/poddisruptionbudgets", "PodDisruptionBudget", {"status": {"disruptedPods": {"p": 1}}},
     "number into Go struct field PodDisruptionBudgetStatus.status.disruptedPods of type string"),
])
def test_a_wrong_json_type_names_the_fields_named_go_type(chain, path, kind, body, message):
    """A field of a named type (`type Protocol string`, a struct we describe only as an object) is
    reported by the name reflect prints for it, `v1.Protocol`, not by the JSON type the schema has;
    a list or map spells its element's name, and v1.Time decodes a string first."""
    if not path.startswith("/"):
        group, _, plural = path.removeprefix("apis/").rpartition("/")
        path = ns_path(chain, plural, group=group)
    code, status = call(chain, "POST", path, {**body, "metadata": {"name": "wt", **body.get("metadata", {})}})
    assert (code, status["message"]) == (400, f'{kind} in version "v1" cannot be handled as a {kind}: '
                                              f"json: cannot unmarshal {message}"), status


@pytest.mark.parametrize("plural,kind,body,message", [
    ("prioritylevelconfigurations", "PriorityLevelConfiguration", {"spec": {"type": 1}},
     "number into Go struct field PriorityLevelConfigurationSpec.spec.type of type v1beta2.PriorityLevelEnablement"),
    ("prioritylevelconfigurations", "PriorityLevelConfiguration",
     {"spec": {"type": "Limited", "limited": {"limitResponse": {"type": []}}}},
     "array into Go struct field LimitResponse.spec.limited.limitResponse.type of type v1beta2.LimitResponseType"),
    ("flowschemas", "FlowSchema", {"spec": {"distinguisherMethod": {"type": True}}},
     "bool into Go struct field FlowDistinguisherMethod.spec.distinguisherMethod.type "
     "of type v1beta2.FlowDistinguisherMethodType"),
    ("flowschemas", "FlowSchema", {"spec": {"rules": [{"subjects": [{"kind": 1}]}]}},
     "number into Go struct field Subject.spec.rules.subjects.kind of type v1beta2.SubjectKind"),
])
def test_a_wrong_json_type_names_the_flowcontrol_named_string_types(chain, plural, kind, body, message):
    """flowcontrol's enums are named string types (`type SubjectKind string`): reflect prints them
    with their package, `v1beta2.SubjectKind`, not as `string`."""
    code, status = call(chain, "POST", f"/apis/flowcontrol.apiserver.k8s.io/v1beta2/{plural}",
                        {**body, "metadata": {"name": "wt"}})
    assert (code, status["message"]) == (400, f'{kind} in version "v1beta2" cannot be handled as a {kind}: '
                                              f"json: cannot unmarshal {message}"), status


def test_every_named_go_type_is_a_field_the_schema_describes():
    """A Go type given for a field the definition does not have would never be reported."""
    for name, fields in kinds.GO_TYPES.items():
        properties = openapi.definitions()[name]["properties"]
        assert set(fields) <= set(properties), name


def test_a_wrong_json_type_in_a_limit_range_names_its_resource_list(chain):
    body = {"metadata": {"name": "lr"}, "spec": {"limits": [{"type": "Container", "default": "1"}]}}
    code, status = call(chain, "POST", ns_path(chain, "limitranges"), body)
    assert (code, status["message"]) == (400, 'LimitRange in version "v1" cannot be handled as a LimitRange: json: '
                                              "cannot unmarshal string into Go struct field LimitRangeItem.spec.limits"
                                              ".default of type v1.ResourceList"), status


@pytest.mark.parametrize("target_port,shown", [(True, "bool"), ({"port": 80}, "object"), (8.5, "number 8.5"),
                                               (2**40, "number 1099511627776"), (-2**31 - 1, "number -2147483649")])
def test_an_int_or_string_of_the_wrong_type_is_named_as_its_int32(chain, target_port, shown):
    """intstr.IntOrString decodes anything but a string into its int32, and encoding/json adds the
    field the error happened in."""
    body = {"metadata": {"name": "svc"}, "spec": {"ports": [{"port": 80, "targetPort": target_port}]}}
    code, status = call(chain, "POST", ns_path(chain, "services"), body)
    assert (code, status["message"]) == (400, 'Service in version "v1" cannot be handled as a Service: json: cannot '
                                              f"unmarshal {shown} into Go struct field ServicePort.spec.ports"
                                              ".targetPort of type int32"), status


@pytest.mark.parametrize("cpu", [True, {"m": 1}, ["1"]])
def test_a_quantity_that_is_no_string_or_number_is_a_format_error(chain, cpu):
    """resource.Quantity parses whatever JSON it is given as text: a bool, an object or a list is
    ErrFormatWrong, not a type error."""
    code, status = call(chain, "POST", ns_path(chain, "pods"), _pod("q", {"resources": {"limits": {"cpu": cpu}}}))
    assert (code, status["message"]) == (400, 'Pod in version "v1" cannot be handled as a Pod: quantities must '
                                              "match the regular expression "
                                              "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'"), status


def test_values_the_go_type_holds_are_accepted(chain):
    """Quantities as numbers or with any valid suffix, int32 bounds, padded base64, RFC 3339 with
    fractional seconds all pass."""
    pod = _pod("ok", {"resources": {"limits": {"cpu": "1.5", "memory": "1e3", "ephemeral-storage": "5u"},
                                    "requests": {"cpu": 0.5, "memory": "100n"}},
                      "ports": [{"containerPort": 80}]}, terminationGracePeriodSeconds=2**63 - 1)
    assert call(chain, "POST", ns_path(chain, "pods"), pod)[0] == 201
    secret = {"metadata": {"name": "ok", "creationTimestamp": "2020-01-01T00:00:00.5+02:00"}, "data": {"a": "YQ=="}}
    assert call(chain, "POST", ns_path(chain, "secrets"), secret)[0] == 201


def test_a_null_in_a_string_map_is_the_empty_string(chain):
    """encoding/json decodes `{"a": null}` into a map[string]string as "a": "" (a valid label
    value), where a null was refused as `Invalid value: None`."""
    code, created = call(chain, "POST", ns_path(chain, "configmaps"),
                         {"metadata": {"name": "n", "labels": {"a": None}}, "data": {"k": None}})
    assert code == 201, created
    assert (created["metadata"]["labels"], created["data"]) == ({"a": ""}, {"k": ""})


def test_a_json_array_of_bytes_decodes_into_a_byte_field(chain):
    """encoding/json decodes a JSON array into a []byte element by element (only a string is read as
    base64), so `[]` is empty data and `[104, 105]` is "hi", written back as base64."""
    code, created = call(chain, "POST", ns_path(chain, "secrets"),
                         {"metadata": {"name": "bytes"}, "data": {"k": [], "h": [104, 105]}, "stringData": {"s": "t"}})
    assert code == 201, created
    assert created["data"] == {"k": "", "h": "aGk=", "s": "dA=="}


@pytest.mark.parametrize("element,shown", [("x", "string"), (256, "number 256"), (1.5, "number 1.5")])
def test_an_array_element_that_is_no_byte_is_400(chain, element, shown):
    """Each element of an array decoded into a []byte must fit a uint8."""
    code, status = call(chain, "POST", ns_path(chain, "secrets"), {"metadata": {"name": "b"}, "data": {"k": [element]}})
    assert (code, status["message"]) == (400, 'Secret in version "v1" cannot be handled as a Secret: json: cannot '
                                              f'unmarshal {shown} into Go struct field Secret.data of type uint8')


def test_a_null_in_a_list_of_structs_is_the_zero_struct(chain):
    """encoding/json decodes `rules: [null]` into []PolicyRule as one empty rule, which validation
    then refuses (a 422), where the null reached validation and failed there as a 500; a null in a
    []string is the empty string."""
    code, status = call(chain, "POST", "/apis/rbac.authorization.k8s.io/v1/clusterroles",
                        {"metadata": {"name": "nulls"}, "rules": [None]})
    assert code == 422, status
    assert [c["field"] for c in status["details"]["causes"]] == [
        "rules[0].verbs", "rules[0].apiGroups", "rules[0].resources"]
    code, created = call(chain, "POST", ns_path(chain, "configmaps"),
                         {"metadata": {"name": "n", "finalizers": ["a/b", None]}})
    assert code == 422 and 'metadata.finalizers: Invalid value: "": name part must be non-empty' in \
        created["message"], created


def test_an_empty_list_of_rules_reads_back_as_null(chain):
    """Roles are stored as protobuf, where an empty list is no field at all: `rules: []` reads back
    as a nil slice, which Go writes as null (rules has no omitempty), in the create's answer and
    after."""
    roles = "/apis/rbac.authorization.k8s.io/v1/clusterroles"
    code, created = call(chain, "POST", roles, {"metadata": {"name": "gathers"}, "rules": [],
                                                "aggregationRule": {"clusterRoleSelectors": [{"matchLabels": {"a": "b"}}]}})
    assert (code, "rules" in created, created.get("rules")) == (201, True, None)
    read = call(chain, "GET", f"{roles}/gathers")[1]
    assert ("rules" in read, read.get("rules")) == (True, None)
    code, created = call(chain, "POST", ns_path(chain, "roles", group="rbac.authorization.k8s.io/v1"),
                         {"metadata": {"name": "none"}, "rules": []})
    assert (code, "rules" in created, created.get("rules")) == (201, True, None)


def test_a_job_without_a_name_is_422(chain):
    """Job's PrepareForCreate labels the template with the job's name before validation runs: a
    job with no name is refused by validation, not a 500 from the labelling."""
    code, status = call(chain, "POST", "/apis/batch/v1/namespaces/" + chain.namespace + "/jobs", {"a": 1})
    assert code == 422, status
    assert "metadata.name: Required value: name or generateName is required" in status["message"]


@pytest.mark.parametrize("plural, group, body", [
    ("events", "events.k8s.io/v1", {"eventTime": "2020-01-01T00:00:00.000000Z", "deprecatedSource": 1}),
    ("events", "", {"involvedObject": {"kind": "Pod"}, "series": "x"}),
    ("pods", "", {"spec": {"containers": [{"name": "c", "image": "i"}], "affinity": 5}}),
])
def test_a_scalar_where_go_has_a_struct_is_400(chain, plural, group, body):
    """Parts of a kind described loosely (any content) must still be objects, as the Go structs
    behind them are: a number as an Event's source was stored and then broke its printer (500)."""
    code, status = call(chain, "POST", ns_path(chain, plural, group=group), {"metadata": {"name": "e"}, **body})
    assert code == 400 and "json: cannot unmarshal" in status["message"], status


def test_a_null_string_field_is_its_zero_value(chain):
    """`"kind": null` in an ObjectReference leaves Go's string empty: the Event is stored without it
    and prints as a table, where the null reached the printer (500)."""
    event = {"metadata": {"name": "e"}, "involvedObject": {"kind": None, "name": "web", "namespace": chain.namespace},
             "reason": "R"}
    code, created = call(chain, "POST", ns_path(chain, "events"), event)
    assert code == 201 and "kind" not in created["involvedObject"], created
    code, table = call(chain, "GET", ns_path(chain, "events"), accept="application/json;as=Table;v=v1;g=meta.k8s.io")
    assert code == 200 and table["rows"][0]["cells"][3] == "/web", table


def test_a_null_struct_field_is_as_if_absent(chain):
    """`"spec": null` leaves Go's struct its zero value: a CertificateSigningRequest with a null
    spec is refused by validation (422), where the null reached PrepareForCreate (500)."""
    code, status = call(chain, "POST", "/apis/certificates.k8s.io/v1/certificatesigningrequests",
                        {"metadata": {"name": "csr"}, "spec": None})
    assert code == 422 and "spec.signerName: Required value: signerName must be provided" in status["message"], status
