"""pods/ephemeralcontainers: GET, PUT and PATCH of a pod through podEphemeralContainersStrategy,
which writes only spec.ephemeralContainers, validated as ValidatePodEphemeralContainersUpdate."""
from __future__ import annotations

import pytest

from reference_impl.apiserver.core.errors import StatusError
from reference_impl.apiserver.core.handlers import log_container
from tests.reference.apiserver.test_handlers import NOW, POD, call, chain, etcd, ns_path, registry  # noqa: F401

SMP = "application/strategic-merge-patch+json"
DEBUGGER = {"name": "debugger", "image": "busybox", "command": ["sleep", "5"], "targetContainerName": "nginx"}


def ephemeral_path(chain) -> str:
    return ns_path(chain, "pods", "web") + "/ephemeralcontainers"


def add(chain, *containers: dict, content_type: str = SMP):
    return call(chain, "PATCH", ephemeral_path(chain), {"spec": {"ephemeralContainers": list(containers)}},
                content_type=content_type)


@pytest.fixture
def web(chain):
    code, pod = call(chain, "POST", ns_path(chain, "pods"), POD)
    assert code == 201, pod
    return pod


def test_get_returns_the_pod(chain, web):
    """EphemeralContainersREST.Get reads the pod itself."""
    code, pod = call(chain, "GET", ephemeral_path(chain))
    assert (code, pod["kind"], pod["metadata"]["uid"]) == (200, "Pod", web["metadata"]["uid"])


def test_a_strategic_merge_patch_adds_a_defaulted_ephemeral_container(chain, web):
    """The patch kubectl debug sends: the container is added with SetDefaults_Container's
    defaults, the containers already there are left as they are."""
    code, pod = add(chain, DEBUGGER)
    assert code == 200, pod
    assert pod["spec"]["ephemeralContainers"] == [{
        **DEBUGGER, "resources": {}, "imagePullPolicy": "Always",
        "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File"}]
    assert pod["spec"]["containers"] == web["spec"]["containers"]
    assert call(chain, "GET", ns_path(chain, "pods", "web"))[1]["spec"]["ephemeralContainers"][0]["name"] == "debugger"


@pytest.mark.parametrize("content_type,body", [
    ("application/merge-patch+json", {"spec": {"ephemeralContainers": [DEBUGGER]}}),
    ("application/json-patch+json", [{"op": "add", "path": "/spec/ephemeralContainers", "value": [DEBUGGER]}]),
], ids=["merge", "json"])
def test_merge_and_json_patches_add_one_too(chain, web, content_type, body):
    code, pod = call(chain, "PATCH", ephemeral_path(chain), body, content_type=content_type)
    assert code == 200, pod
    assert [c["name"] for c in pod["spec"]["ephemeralContainers"]] == ["debugger"]


def test_everything_but_the_ephemeral_containers_is_kept_from_the_stored_pod(chain, web):
    """dropNonEphemeralContainerUpdates: labels, images and status sent with the update are
    dropped, not written and not refused."""
    sent = {**web, "metadata": {**web["metadata"], "labels": {"app": "changed"}},
            "spec": {**web["spec"], "containers": [{"name": "nginx", "image": "nginx:1.22"}],
                     "ephemeralContainers": [DEBUGGER]},
            "status": {"phase": "Running"}}
    code, pod = call(chain, "PUT", ephemeral_path(chain), sent)
    assert code == 200, pod
    assert pod["metadata"]["labels"] == {"app": "web"}
    assert pod["spec"]["containers"][0]["image"] == "nginx:1.21"
    assert pod["status"]["phase"] == "Pending"
    assert [c["name"] for c in pod["spec"]["ephemeralContainers"]] == ["debugger"]


def test_an_update_with_a_stale_resource_version_conflicts(chain, web):
    add(chain, DEBUGGER)
    code, status = call(chain, "PUT", ephemeral_path(chain), {**web, "spec": {**web["spec"], "ephemeralContainers": [
        DEBUGGER, {**DEBUGGER, "name": "second"}]}})
    assert (code, status["reason"]) == (409, "Conflict")


def test_existing_ephemeral_containers_may_not_be_removed(chain, web):
    add(chain, DEBUGGER)
    code, status = call(chain, "PATCH", ephemeral_path(chain), {"spec": {"ephemeralContainers": []}},
                        content_type="application/merge-patch+json")
    assert (code, status["reason"]) == (422, "Invalid")
    assert status["message"] == ('Pod "web" is invalid: spec.ephemeralContainers: Forbidden: existing ephemeral '
                                 'containers "debugger" may not be removed\n')


def test_existing_ephemeral_containers_may_not_be_changed(chain, web):
    """The message goes on with a diff of the two, whose layout (go-cmp's) is not stable upstream."""
    add(chain, DEBUGGER)
    code, status = add(chain, {**DEBUGGER, "image": "alpine"})
    assert (code, status["reason"]) == (422, "Invalid")
    assert status["message"].startswith('Pod "web" is invalid: spec.ephemeralContainers: Forbidden: existing '
                                        'ephemeral containers "debugger" may not be changed\n')
    assert '"alpine"' in status["message"]


def test_another_ephemeral_container_may_be_added_beside_the_first(chain, web):
    """Before it, as strategic merge orders a list (the real 1.24 server gives the same order for
    this patch; `kubectl debug` sends a $setElementOrder that keeps the first first)."""
    add(chain, DEBUGGER)
    code, pod = add(chain, {**DEBUGGER, "name": "second"})
    assert code == 200, pod
    assert [c["name"] for c in pod["spec"]["ephemeralContainers"]] == ["second", "debugger"]


@pytest.mark.parametrize("container,problems", [
    ({"name": "nginx", "image": "busybox"}, ['spec.ephemeralContainers[0].name: Duplicate value: "nginx"']),
    ({"name": "debugger"}, ["spec.ephemeralContainers[0][0].image: Required value"]),
    ({"image": "busybox"}, ["spec.ephemeralContainers[0]: Required value: ephemeralContainer requires a name"]),
    ({**DEBUGGER, "targetContainerName": "sidecar"},
     ['spec.ephemeralContainers[0].targetContainerName: Not found: "sidecar"']),
    ({**DEBUGGER, "ports": [{"containerPort": 80}], "resources": {"limits": {"cpu": "1"}},
      "readinessProbe": {"exec": {"command": ["true"]}}, "lifecycle": {}},
     [f"spec.ephemeralContainers[0].{field}: Forbidden: cannot be set for an Ephemeral Container"
      for field in ("ports", "resources", "readinessProbe", "lifecycle")]),
    ({**DEBUGGER, "volumeMounts": [{"name": "v", "mountPath": "/v", "subPath": "s"}]},
     ['spec.ephemeralContainers[0][0].volumeMounts[0].name: Not found: "v"',
      "spec.ephemeralContainers[0].volumeMounts[0].subPath: Forbidden: cannot be set for an Ephemeral Container"]),
], ids=["duplicate", "image", "name", "target", "forbidden", "subpath"])
def test_validated_as_upstream_validates_them(chain, web, container, problems):
    """validateEphemeralContainers: a unique name, an image, a target that is a container of the
    pod, none of the fields a debugging container may not set; validateContainers' paths carry a
    second index, as upstream's do."""
    code, status = add(chain, container, content_type="application/merge-patch+json")
    assert (code, status["reason"]) == (422, "Invalid")
    assert [f"{c['field']}: {c['message']}" for c in status["details"]["causes"]] == problems


def test_ephemeral_containers_cannot_be_set_on_create(chain):
    code, status = call(chain, "POST", ns_path(chain, "pods"),
                        {**POD, "spec": {**POD["spec"], "ephemeralContainers": [DEBUGGER]}})
    assert (code, status["message"]) == (422, 'Pod "web" is invalid: spec.ephemeralContainers: Forbidden: '
                                              'cannot be set on create')


def test_a_pod_update_cannot_add_ephemeral_containers(chain, web):
    """Only the subresource writes them: through the pod itself the spec is immutable."""
    code, status = call(chain, "PATCH", ns_path(chain, "pods", "web"), {"spec": {"ephemeralContainers": [DEBUGGER]}},
                        content_type=SMP)
    assert (code, status["reason"]) == (422, "Invalid")
    assert "spec: Forbidden: pod updates may not change fields other than" in status["message"]


@pytest.mark.parametrize("method", ["DELETE", "POST"])
def test_only_get_update_patch(chain, web, method):
    code, status = call(chain, method, ephemeral_path(chain), {})
    assert (code, status["reason"]) == (405, "MethodNotAllowed")


def test_the_log_of_an_ephemeral_container_may_be_asked_for():
    """LogLocation's podHasContainerWithName visits every kind of container, ephemeral ones too."""
    pod = {**POD, "spec": {**POD["spec"], "ephemeralContainers": [DEBUGGER]}}
    assert log_container(pod, "debugger") == "debugger"
    with pytest.raises(StatusError) as caught:
        log_container(pod, "other")
    assert (caught.value.code, caught.value.message) == (400, "container other is not valid for pod web")


@pytest.mark.parametrize("plural,group,spec", [
    ("deployments", "apps/v1", {"selector": {"matchLabels": {"app": "x"}}}),
    ("jobs", "batch/v1", {}),
    ("replicationcontrollers", "", {"selector": {"app": "x"}})])
def test_pod_templates_may_not_hold_ephemeral_containers(chain, plural, group, spec):
    """ValidatePodTemplateSpec: a template is no place for them, whatever the workload."""
    template = {"metadata": {"labels": {"app": "x"}}, "spec": {
        "restartPolicy": "Never" if plural == "jobs" else "Always",
        "containers": [{"name": "c", "image": "nginx"}],
        "ephemeralContainers": [{"name": "debugger", "image": "busybox"}]}}
    code, status = call(chain, "POST", ns_path(chain, plural, group=group),
                        {"metadata": {"name": "templated"}, "spec": {**spec, "template": template}})
    assert code == 422
    assert "spec.template.spec.ephemeralContainers: Forbidden: ephemeral containers not allowed in pod template" \
        in status["message"]
