"""PodSecurity admission through the handler chain, as Kubernetes 1.24 serves it by default: the
namespace's pod-security.kubernetes.io labels pick a level per mode; enforce refuses pods, warn
answers with Warning headers, workloads are only warned about, and labelling a namespace checks the
pods already in it. Each test drives a real registry on the reference etcd, in a namespace of its own."""
from __future__ import annotations

import json
import re

import pytest

from reference_impl.apiserver.core.handlers import Request
from tests.reference.apiserver.test_namespace_lifecycle import chain  # noqa: F401 (a fixture)

ENFORCE, WARN = "pod-security.kubernetes.io/enforce", "pod-security.kubernetes.io/warn"
HOST_NETWORK_PRIVILEGED = {"hostNetwork": True, "containers": [
    {"name": "c", "image": "nginx", "securityContext": {"privileged": True}}]}
BASELINE_FORBIDDEN = ('host namespaces (hostNetwork=true), privileged (container "c" must not set '
                      'securityContext.privileged=true)')
RESTRICTED_FORBIDDEN = ('allowPrivilegeEscalation != false (container "c" must set '
                        'securityContext.allowPrivilegeEscalation=false), unrestricted capabilities '
                        '(container "c" must set securityContext.capabilities.drop=["ALL"]), runAsNonRoot '
                        '!= true (pod or container "c" must set securityContext.runAsNonRoot=true), '
                        'seccompProfile (pod or container "c" must set securityContext.seccompProfile.type '
                        'to "RuntimeDefault" or "Localhost")')



def call(chain, method: str, path: str, body=None, content_type: str = "application/json"):
    raw = json.dumps(body).encode() if body is not None else b""
    headers = {"Accept": "application/json", "Content-Type": content_type}
    response = chain.handle(Request(method, path, {}, headers, raw))
    return response.code, json.loads(response.body), response.warnings


def make_namespace(chain, request, **labels) -> str:
    name = "".join(c if c.isalnum() else "-" for c in request.node.name.lower())[-50:].strip("-")
    assert call(chain, "POST", "/api/v1/namespaces", {"metadata": {"name": name, "labels": labels}})[0] == 201
    return name


def label(chain, namespace: str, labels: dict):
    return call(chain, "PATCH", f"/api/v1/namespaces/{namespace}", {"metadata": {"labels": labels}},
                "application/merge-patch+json")


def pod(name: str = "web", spec: dict | None = None, **metadata) -> dict:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, **metadata},
            "spec": spec or {"containers": [{"name": "c", "image": "nginx"}]}}


def create_pod(chain, namespace: str, obj: dict):
    return call(chain, "POST", f"/api/v1/namespaces/{namespace}/pods", obj)


def test_an_unlabelled_namespace_is_privileged(chain, request):
    """No labels: enforce, audit and warn are privileged:latest, so any pod is admitted silently."""
    ns = make_namespace(chain, request)
    code, _, warnings = create_pod(chain, ns, pod(spec=HOST_NETWORK_PRIVILEGED))
    assert (code, warnings) == (201, [])


def test_enforce_baseline_refuses_a_violating_pod_with_every_reason(chain, request):
    """enforce=baseline: 403 `pods "x" is forbidden: violates PodSecurity "baseline:latest": ...`, the
    failed checks in upstream's order, each with its detail in parentheses."""
    ns = make_namespace(chain, request, **{ENFORCE: "baseline"})
    code, status, warnings = create_pod(chain, ns, pod(spec=HOST_NETWORK_PRIVILEGED))
    assert (code, status["reason"], warnings) == (403, "Forbidden", [])
    assert status["message"] == f'pods "web" is forbidden: violates PodSecurity "baseline:latest": {BASELINE_FORBIDDEN}'
    assert status["details"] == {"name": "web", "kind": "pods"}
    assert call(chain, "GET", f"/api/v1/namespaces/{ns}/pods/web")[0] == 404


def test_a_refused_pod_made_by_generate_name_is_named_by_its_generated_name(chain, request):
    """PodSecurity validates after BeforeCreate has generated the name (AdmissionToValidateObjectFunc
    takes it from the object): the 403 names `web-xxxxx`, not "" or the prefix."""
    ns = make_namespace(chain, request, **{ENFORCE: "baseline"})
    body = pod(spec={"hostNetwork": True, "containers": [{"name": "c", "image": "nginx"}]})
    body["metadata"] = {"generateName": "web-"}
    code, status, _ = create_pod(chain, ns, body)
    assert code == 403
    assert re.fullmatch(r'pods "web-[bcdfghjklmnpqrstvwxz2456789]{5}" is forbidden: violates PodSecurity '
                        r'"baseline:latest": host namespaces \(hostNetwork=true\)', status["message"]), status
    assert status["details"]["name"] == status["message"].split('"')[1]


def test_enforce_baseline_admits_a_pod_that_meets_it(chain, request):
    """A plain pod meets baseline (restricted's checks are not run at baseline)."""
    ns = make_namespace(chain, request, **{ENFORCE: "baseline"})
    code, _, warnings = create_pod(chain, ns, pod())
    assert (code, warnings) == (201, [])


def test_enforce_restricted_names_the_restricted_checks(chain, request):
    """restricted runs baseline's checks and then its own: a plain pod fails four of them."""
    ns = make_namespace(chain, request, **{ENFORCE: "restricted"})
    code, status, _ = create_pod(chain, ns, pod())
    assert code == 403
    assert status["message"] == (f'pods "web" is forbidden: violates PodSecurity "restricted:latest": '
                                 f'{RESTRICTED_FORBIDDEN}')


def test_enforce_version_selects_the_checks_of_that_release(chain, request):
    """enforce-version=v1.21 predates the capabilities check (1.22) and v1.18 the seccomp one (1.19)."""
    ns = make_namespace(chain, request, **{ENFORCE: "restricted", f"{ENFORCE}-version": "v1.18"})
    code, status, _ = create_pod(chain, ns, pod())
    assert code == 403
    assert status["message"] == (
        'pods "web" is forbidden: violates PodSecurity "restricted:v1.18": allowPrivilegeEscalation != false '
        '(container "c" must set securityContext.allowPrivilegeEscalation=false), runAsNonRoot != true '
        '(pod or container "c" must set securityContext.runAsNonRoot=true)')


def test_a_pod_meeting_restricted_is_admitted(chain, request):
    """Drop ALL, no privilege escalation, non-root and RuntimeDefault seccomp meet restricted."""
    ns = make_namespace(chain, request, **{ENFORCE: "restricted"})
    spec = {"securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": [{"name": "c", "image": "nginx", "securityContext": {
                "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}}]}
    assert create_pod(chain, ns, pod(spec=spec))[0] == 201


def test_warn_admits_the_pod_with_a_warning(chain, request):
    """warn=baseline: 201 and `Warning: would violate PodSecurity "baseline:latest": ...`."""
    ns = make_namespace(chain, request, **{WARN: "baseline"})
    code, _, warnings = create_pod(chain, ns, pod(spec=HOST_NETWORK_PRIVILEGED))
    assert code == 201
    assert warnings == [f'would violate PodSecurity "baseline:latest": {BASELINE_FORBIDDEN}']


def test_a_refused_pod_gets_no_warning(chain, request):
    """Warnings are left off a request PodSecurity refuses anyway."""
    ns = make_namespace(chain, request, **{ENFORCE: "baseline", WARN: "restricted"})
    code, _, warnings = create_pod(chain, ns, pod(spec=HOST_NETWORK_PRIVILEGED))
    assert (code, warnings) == (403, [])


def test_enforce_baseline_and_warn_restricted_warn_about_what_baseline_allows(chain, request):
    """A pod meeting enforce=baseline is admitted with the warning of warn=restricted."""
    ns = make_namespace(chain, request, **{ENFORCE: "baseline", WARN: "restricted"})
    code, _, warnings = create_pod(chain, ns, pod())
    assert (code, warnings) == (201, [f'would violate PodSecurity "restricted:latest": {RESTRICTED_FORBIDDEN}'])


def test_dry_run_is_refused_as_well(chain, request):
    """PodSecurity also refuses a dry run: it is a validating plugin like any other."""
    ns = make_namespace(chain, request, **{ENFORCE: "baseline"})
    body = json.dumps(pod(spec=HOST_NETWORK_PRIVILEGED)).encode()
    response = chain.handle(Request("POST", f"/api/v1/namespaces/{ns}/pods", {"dryRun": ["All"]},
                                    {"Accept": "application/json", "Content-Type": "application/json"}, body))
    assert response.code == 403


def test_kube_system_is_not_exempt(chain):
    """Upstream's default configuration exempts no namespace: kube-system is privileged only while
    it has no labels, and follows its labels like any other namespace."""
    if call(chain, "GET", "/api/v1/namespaces/kube-system")[0] == 404:
        assert call(chain, "POST", "/api/v1/namespaces", {"metadata": {"name": "kube-system"}})[0] == 201
    assert create_pod(chain, "kube-system", pod("before", HOST_NETWORK_PRIVILEGED))[0] == 201
    assert label(chain, "kube-system", {ENFORCE: "baseline"})[0] == 200
    code, status, _ = create_pod(chain, "kube-system", pod("after", HOST_NETWORK_PRIVILEGED))
    assert code == 403 and "violates PodSecurity" in status["message"]
    assert label(chain, "kube-system", {ENFORCE: None})[0] == 200


# --- pod updates ----------------------------------------------------------------------------------

def violating_pod_in_a_newly_enforcing_namespace(chain, request) -> tuple[str, dict]:
    ns = make_namespace(chain, request)
    code, created, _ = create_pod(chain, ns, pod(spec=HOST_NETWORK_PRIVILEGED))
    assert code == 201
    assert label(chain, ns, {ENFORCE: "baseline"})[0] == 200
    return ns, created


def test_an_update_that_changes_no_image_or_seccomp_annotation_is_not_checked(chain, request):
    """isSignificantPodUpdate: relabelling a pod that violates enforce is admitted."""
    ns, created = violating_pod_in_a_newly_enforcing_namespace(chain, request)
    created["metadata"]["labels"] = {"app": "web"}
    assert call(chain, "PUT", f"/api/v1/namespaces/{ns}/pods/web", created)[0] == 200


def test_an_update_that_changes_an_image_is_checked(chain, request):
    """A new image is a significant update: the pod is checked as on create, and refused."""
    ns, _ = violating_pod_in_a_newly_enforcing_namespace(chain, request)
    patch = {"spec": {"containers": [{"name": "c", "image": "nginx:2"}]}}
    code, status, _ = call(chain, "PATCH", f"/api/v1/namespaces/{ns}/pods/web", patch,
                           "application/strategic-merge-patch+json")
    assert code == 403
    assert status["message"] == f'pods "web" is forbidden: violates PodSecurity "baseline:latest": {BASELINE_FORBIDDEN}'


def test_status_updates_are_not_checked(chain, request):
    """pods/status is one of the ignored subresources."""
    ns, created = violating_pod_in_a_newly_enforcing_namespace(chain, request)
    created["status"] = {"phase": "Running"}
    assert call(chain, "PUT", f"/api/v1/namespaces/{ns}/pods/web/status", created)[0] == 200


# --- workloads ------------------------------------------------------------------------------------

TEMPLATE = {"metadata": {"labels": {"app": "web"}}, "spec": HOST_NETWORK_PRIVILEGED}
SELECTOR = {"matchLabels": {"app": "web"}}
WORKLOADS = [
    ("/apis/apps/v1", "deployments", {"kind": "Deployment", "apiVersion": "apps/v1",
                                      "spec": {"selector": SELECTOR, "template": TEMPLATE}}),
    ("/apis/apps/v1", "replicasets", {"kind": "ReplicaSet", "apiVersion": "apps/v1",
                                      "spec": {"selector": SELECTOR, "template": TEMPLATE}}),
    ("/apis/apps/v1", "statefulsets", {"kind": "StatefulSet", "apiVersion": "apps/v1",
                                       "spec": {"selector": SELECTOR, "serviceName": "web", "template": TEMPLATE}}),
    ("/apis/apps/v1", "daemonsets", {"kind": "DaemonSet", "apiVersion": "apps/v1",
                                     "spec": {"selector": SELECTOR, "template": TEMPLATE}}),
    ("/apis/batch/v1", "jobs", {"kind": "Job", "apiVersion": "batch/v1", "spec": {"template": {
        **TEMPLATE, "spec": {**HOST_NETWORK_PRIVILEGED, "restartPolicy": "Never"}}}}),
    ("/apis/batch/v1", "cronjobs", {"kind": "CronJob", "apiVersion": "batch/v1", "spec": {
        "schedule": "* * * * *", "jobTemplate": {"spec": {"template": {
            **TEMPLATE, "spec": {**HOST_NETWORK_PRIVILEGED, "restartPolicy": "Never"}}}}}}),
    ("/api/v1", "replicationcontrollers", {"kind": "ReplicationController", "apiVersion": "v1",
                                           "spec": {"selector": {"app": "web"}, "template": TEMPLATE}}),
    ("/api/v1", "podtemplates", {"kind": "PodTemplate", "apiVersion": "v1", "template": TEMPLATE}),
]


@pytest.mark.parametrize("prefix, plural, obj", WORKLOADS, ids=[w[1] for w in WORKLOADS])
def test_a_workload_is_never_refused_but_warned_about(chain, request, prefix, plural, obj):
    """enforce never applies to pod templates; warn does, with the same text as for a pod."""
    ns = make_namespace(chain, request, **{ENFORCE: "restricted", WARN: "baseline"})
    body = {**obj, "metadata": {"name": "web"}}
    code, _, warnings = call(chain, "POST", f"{prefix}/namespaces/{ns}/{plural}", body)
    assert code == 201
    assert warnings == [f'would violate PodSecurity "baseline:latest": {BASELINE_FORBIDDEN}']


def test_a_workload_in_a_namespace_enforcing_only_is_not_evaluated(chain, request):
    """With warn and audit privileged a workload is admitted silently, whatever enforce says."""
    ns = make_namespace(chain, request, **{ENFORCE: "restricted"})
    prefix, plural, obj = WORKLOADS[0]
    code, _, warnings = call(chain, "POST", f"{prefix}/namespaces/{ns}/{plural}", {**obj, "metadata": {"name": "web"}})
    assert (code, warnings) == (201, [])


# --- namespaces -----------------------------------------------------------------------------------

def test_a_namespace_with_an_unknown_level_is_invalid(chain):
    """Creating a namespace whose labels name no level or version is 422, one cause per label."""
    body = {"metadata": {"name": "bad-labels", "labels": {ENFORCE: "strict", f"{WARN}-version": "1.24"}}}
    code, status, _ = call(chain, "POST", "/api/v1/namespaces", body)
    assert (code, status["reason"]) == (422, "Invalid")
    assert status["message"] == (
        'Namespace "bad-labels" is invalid: [metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: '
        '"strict": must be one of privileged, baseline, restricted, '
        'metadata.labels[pod-security.kubernetes.io/warn-version]: Invalid value: "1.24": must be "latest" or "v1.x"]')
    assert status["details"]["causes"][0] == {
        "reason": "FieldValueInvalid", "field": "metadata.labels[pod-security.kubernetes.io/enforce]",
        "message": 'Invalid value: "strict": must be one of privileged, baseline, restricted'}


def test_labelling_a_namespace_with_an_unknown_level_is_invalid(chain, request):
    ns = make_namespace(chain, request)
    code, status, _ = label(chain, ns, {ENFORCE: "Baseline"})
    assert code == 422
    assert status["message"] == (f'Namespace "{ns}" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: '
                                 'Invalid value: "Baseline": must be one of privileged, baseline, restricted')


def test_a_stricter_enforce_level_warns_about_existing_pods(chain, request):
    """Labelling enforce=baseline answers 200 with a summary warning, then one warning per set of
    reasons naming the lexically first pod and how many others share it."""
    ns = make_namespace(chain, request)
    for name in ("web-b", "web-a"):
        assert create_pod(chain, ns, pod(name, HOST_NETWORK_PRIVILEGED))[0] == 201
    assert create_pod(chain, ns, pod("ports", {"containers": [
        {"name": "c", "image": "nginx", "ports": [{"containerPort": 80, "hostPort": 80}]}]}))[0] == 201
    assert create_pod(chain, ns, pod("fine"))[0] == 201
    code, _, warnings = label(chain, ns, {ENFORCE: "baseline"})
    assert code == 200
    assert warnings == [f'existing pods in namespace "{ns}" violate the new PodSecurity enforce level "baseline:latest"',
                        "ports: hostPort",
                        "web-a (and 1 other pod): host namespaces, privileged"]


def test_relaxing_or_keeping_the_enforce_level_checks_no_pods(chain, request):
    """Only a stricter (or re-versioned) enforce level evaluates the namespace's pods."""
    ns = make_namespace(chain, request, **{ENFORCE: "restricted"})
    assert call(chain, "POST", f"/api/v1/namespaces/{ns}/pods", pod("ok", {
        "securityContext": {"runAsNonRoot": True, "seccompProfile": {"type": "RuntimeDefault"}},
        "containers": [{"name": "c", "image": "nginx", "securityContext": {
            "allowPrivilegeEscalation": False, "capabilities": {"drop": ["ALL"]}}}]}))[0] == 201
    assert label(chain, ns, {ENFORCE: "baseline"})[::2] == (200, [])
    assert label(chain, ns, {"team": "a"})[::2] == (200, [])
