"""kubectl against the reference kube-apiserver, once on the reference etcd and once on real
etcd 3.4 (the `control_plane` fixture is parametrised over both storages).

Each test works on objects of its own names in the namespace the module creates first, so the
tests do not depend on each other's order. kubectl's messages are upstream's: the expected texts
are what kubectl prints against a real kube-apiserver.
"""
from __future__ import annotations

import json
import re
import time

import pytest
import yaml

from cluster import Cluster, control_plane, kubectl_stream  # noqa: F401  (fixture)

NS = "e2e"

NAMESPACE = f"apiVersion: v1\nkind: Namespace\nmetadata:\n  name: {NS}\n"

MANIFEST = f"""\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: {NS}
  labels: {{app: web}}
spec:
  replicas: 2
  selector:
    matchLabels: {{app: web}}
  template:
    metadata:
      labels: {{app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.25
        ports:
        - containerPort: 80
      - name: sidecar
        image: busybox:1.36
        command: ["sleep", "3600"]
---
apiVersion: v1
kind: Service
metadata:
  name: web
  namespace: {NS}
spec:
  selector: {{app: web}}
  ports:
  - name: http
    port: 80
    targetPort: 80
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: web-config
  namespace: {NS}
data:
  greeting: hello
  colour: blue
"""


def pod_manifest(name: str, labels: dict | None = None) -> str:
    return yaml.safe_dump({
        "apiVersion": "v1", "kind": "Pod",
        "metadata": {"name": name, "namespace": NS, "labels": labels or {"app": "e2e"}},
        "spec": {"containers": [{"name": "main", "image": "busybox:1.36",
                                 "command": ["sleep", "3600"]}]},
    })


def ok(cluster: Cluster, *args: str, input: str | None = None, user: str = "admin") -> str:
    """kubectl's stdout, failing the test with its stderr if it exited non-zero."""
    result = cluster.kubectl(*args, input=input, user=user)
    assert result.returncode == 0, (
        f"kubectl {' '.join(args)} exited {result.returncode}\nstdout: {result.stdout}\n"
        f"stderr: {result.stderr}\nserver log tail:\n{cluster.log.read_text(errors='replace')[-2000:]}")
    return result.stdout


def fails(cluster: Cluster, *args: str, input: str | None = None, user: str = "admin") -> str:
    """kubectl's stderr; the test fails if kubectl exited zero."""
    result = cluster.kubectl(*args, input=input, user=user)
    assert result.returncode != 0, f"kubectl {' '.join(args)} unexpectedly succeeded: {result.stdout}"
    return result.stderr


def get_json(cluster: Cluster, *args: str, user: str = "admin") -> dict:
    return json.loads(ok(cluster, "get", *args, "-o", "json", user=user))


@pytest.fixture(scope="module")
def kube(control_plane: Cluster) -> Cluster:  # noqa: F811
    """The cluster with the test namespace and the manifest applied (both with `kubectl apply`,
    so that a failure of a typed `kubectl create` shows in its own test, not in every test)."""
    out = ok(control_plane, "apply", "-f", "-", input=NAMESPACE)
    assert out.strip() == f"namespace/{NS} created"
    out = ok(control_plane, "apply", "-f", "-", input=MANIFEST)
    assert out.splitlines() == ["deployment.apps/web created", "service/web created",
                                "configmap/web-config created"]
    return control_plane


def test_create_namespace(kube):
    assert ok(kube, "create", "namespace", "e2e-created").strip() == "namespace/e2e-created created"
    assert get_json(kube, "namespace", "e2e-created")["status"]["phase"] == "Active"
    err = fails(kube, "create", "namespace", "e2e-created")
    assert 'Error from server (AlreadyExists): namespaces "e2e-created" already exists' in err
    ok(kube, "delete", "namespace", "e2e-created", "--wait=false")


def test_namespace_is_active(kube):
    namespace = get_json(kube, "namespace", NS)
    assert namespace["metadata"]["name"] == NS
    assert namespace["status"]["phase"] == "Active"
    assert f"namespace/{NS}" in ok(kube, "get", "namespaces", "-o", "name").split()
    # The ServiceAccount admission plugin needs the namespace's default service account.
    assert ok(kube, "get", "serviceaccount", "default", "-n", NS, "-o", "name").strip() == \
        "serviceaccount/default"


def test_applied_objects_are_stored(kube):
    deployment = get_json(kube, "deployment", "web", "-n", NS)
    assert deployment["spec"]["replicas"] == 2
    assert deployment["metadata"]["generation"] == 1
    assert deployment["metadata"]["uid"]
    assert "kubectl.kubernetes.io/last-applied-configuration" in deployment["metadata"]["annotations"]
    service = get_json(kube, "service", "web", "-n", NS)
    assert service["spec"]["ports"][0]["port"] == 80
    configmap = get_json(kube, "configmap", "web-config", "-n", NS)
    assert configmap["data"] == {"greeting": "hello", "colour": "blue"}


def test_reapply_is_unchanged_then_configured(kube):
    out = ok(kube, "apply", "-f", "-", input=MANIFEST)
    assert out.splitlines() == ["deployment.apps/web unchanged", "service/web unchanged",
                                "configmap/web-config unchanged"]
    changed = MANIFEST.replace("colour: blue", "colour: green")
    out = ok(kube, "apply", "-f", "-", input=changed)
    assert "configmap/web-config configured" in out.splitlines()
    assert get_json(kube, "configmap", "web-config", "-n", NS)["data"]["colour"] == "green"
    ok(kube, "apply", "-f", "-", input=MANIFEST)


def test_get_table_and_wide(kube):
    out = ok(kube, "get", "deployments", "-n", NS)
    header, *rows = out.splitlines()
    assert header.split()[:2] == ["NAME", "READY"]
    assert rows[0].split()[0] == "web"
    wide = ok(kube, "get", "deployments", "-n", NS, "-o", "wide")
    header, *rows = wide.splitlines()
    for column in ("CONTAINERS", "IMAGES", "SELECTOR"):
        assert column in header.split()
    assert "web,sidecar" in rows[0] and "nginx:1.25,busybox:1.36" in rows[0] and "app=web" in rows[0]
    services = ok(kube, "get", "svc", "-n", NS, "-o", "wide").splitlines()
    assert services[0].split()[:3] == ["NAME", "TYPE", "CLUSTER-IP"]
    assert "SELECTOR" in services[0] and "app=web" in services[1]
    assert ok(kube, "get", "cm", "-n", NS).splitlines()[0].split() == ["NAME", "DATA", "AGE"]


def test_get_yaml_and_json(kube):
    as_yaml = yaml.safe_load(ok(kube, "get", "configmap", "web-config", "-n", NS, "-o", "yaml"))
    as_json = get_json(kube, "configmap", "web-config", "-n", NS)
    assert as_yaml["kind"] == as_json["kind"] == "ConfigMap"
    assert as_yaml["apiVersion"] == "v1"
    assert as_yaml["metadata"]["resourceVersion"] == as_json["metadata"]["resourceVersion"]
    listed = get_json(kube, "configmaps", "-n", NS)
    assert listed["kind"] == "List"
    assert "web-config" in [item["metadata"]["name"] for item in listed["items"]]
    jsonpath = ok(kube, "get", "deployment", "web", "-n", NS, "-o",
                  "jsonpath={.spec.template.spec.containers[*].name}")
    assert jsonpath == "web sidecar"


def test_get_missing_object_prints_server_error(kube):
    err = fails(kube, "get", "configmap", "no-such-map", "-n", NS)
    assert 'Error from server (NotFound): configmaps "no-such-map" not found' in err


def read_until(stream, prefix: str, timeout: float = 15.0) -> list[str]:
    """Lines of a running kubectl up to and including the first that starts with `prefix`."""
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while not any(line.startswith(prefix) for line in lines) and time.monotonic() < deadline:
        lines += stream.read(1, timeout=max(0.1, deadline - time.monotonic()))
    return lines


def test_get_watch_sees_a_change(kube):
    ok(kube, "apply", "-f", "-", input=pod_manifest("watched-1"))
    with kubectl_stream(kube, "get", "pods", "-n", NS, "-w") as watch:
        lines = read_until(watch, "watched-1")
        assert lines and lines[0].split()[:2] == ["NAME", "READY"], lines
        assert lines[-1].startswith("watched-1"), lines
        ok(kube, "apply", "-f", "-", input=pod_manifest("watched-2"))
        arrived = read_until(watch, "watched-2")
        assert arrived and arrived[-1].startswith("watched-2"), \
            f"no watch line for watched-2 within 15 s; got {arrived}"
        ok(kube, "label", "pod", "watched-1", "-n", NS, "changed=yes")
        assert read_until(watch, "watched-1")[-1].startswith("watched-1")
    ok(kube, "delete", "pod", "watched-1", "watched-2", "-n", NS, "--grace-period=0", "--wait=false")


def test_label(kube):
    ok(kube, "apply", "-f", "-", input=pod_manifest("labelled"))
    assert ok(kube, "label", "pod", "labelled", "-n", NS, "tier=frontend").strip() == \
        "pod/labelled labeled"
    assert ok(kube, "get", "pods", "-n", NS, "-l", "tier=frontend", "-o", "name").split() == \
        ["pod/labelled"]
    err = fails(kube, "label", "pod", "labelled", "-n", NS, "tier=backend")
    assert "already has a value (frontend)" in err
    ok(kube, "label", "pod", "labelled", "-n", NS, "tier=backend", "--overwrite")
    assert ok(kube, "get", "pods", "-n", NS, "-l", "tier in (backend)", "-o", "name").split() == \
        ["pod/labelled"]
    assert ok(kube, "label", "pod", "labelled", "-n", NS, "tier-").strip() == "pod/labelled unlabeled"
    assert "tier" not in get_json(kube, "pod", "labelled", "-n", NS)["metadata"]["labels"]
    assert ok(kube, "get", "pods", "-n", NS, "-l", "!tier,app=e2e", "-o", "name").split() == \
        ["pod/labelled"]


def test_scale(kube):
    before = get_json(kube, "deployment", "web", "-n", NS)
    assert ok(kube, "scale", "deployment", "web", "-n", NS, "--replicas=5").strip() == \
        "deployment.apps/web scaled"
    after = get_json(kube, "deployment", "web", "-n", NS)
    assert after["spec"]["replicas"] == 5
    assert after["metadata"]["generation"] == before["metadata"]["generation"] + 1
    err = fails(kube, "scale", "deployment", "web", "-n", NS, "--replicas=1",
                "--current-replicas=3")
    assert "Expected replicas to be 3, was 5" in err, err
    assert get_json(kube, "deployment", "web", "-n", NS)["spec"]["replicas"] == 5
    ok(kube, "scale", "deployment", "web", "-n", NS, "--replicas=2")


def test_patch_strategic_merges_containers_by_name(kube):
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "web", "image": "nginx:1.26"}]}}}}
    assert ok(kube, "patch", "deployment", "web", "-n", NS, "-p", json.dumps(patch)).strip() == \
        "deployment.apps/web patched"
    containers = get_json(kube, "deployment", "web", "-n", NS)["spec"]["template"]["spec"]["containers"]
    assert [(c["name"], c["image"]) for c in containers] == [("web", "nginx:1.26"),
                                                             ("sidecar", "busybox:1.36")]
    assert containers[0]["ports"] == [{"containerPort": 80, "protocol": "TCP"}] or \
        containers[0]["ports"][0]["containerPort"] == 80
    delete = {"spec": {"template": {"spec": {"containers": [{"name": "sidecar", "$patch": "delete"}]}}}}
    ok(kube, "patch", "deployment", "web", "-n", NS, "--type", "strategic", "-p", json.dumps(delete))
    containers = get_json(kube, "deployment", "web", "-n", NS)["spec"]["template"]["spec"]["containers"]
    assert [c["name"] for c in containers] == ["web"]
    ok(kube, "apply", "-f", "-", input=MANIFEST)


def test_patch_merge_and_json(kube):
    ok(kube, "create", "configmap", "patched", "-n", NS, "--from-literal=a=1", "--from-literal=b=2")
    merge = {"data": {"a": "10", "b": None, "c": "3"}, "metadata": {"annotations": {"note": "x"}}}
    assert ok(kube, "patch", "configmap", "patched", "-n", NS, "--type", "merge",
              "-p", json.dumps(merge)).strip() == "configmap/patched patched"
    configmap = get_json(kube, "configmap", "patched", "-n", NS)
    assert configmap["data"] == {"a": "10", "c": "3"}
    assert configmap["metadata"]["annotations"]["note"] == "x"
    ops = [{"op": "replace", "path": "/data/a", "value": "11"},
           {"op": "add", "path": "/data/d", "value": "4"},
           {"op": "remove", "path": "/data/c"},
           {"op": "test", "path": "/data/d", "value": "4"}]
    ok(kube, "patch", "configmap", "patched", "-n", NS, "--type", "json", "-p", json.dumps(ops))
    assert get_json(kube, "configmap", "patched", "-n", NS)["data"] == {"a": "11", "d": "4"}
    # A failing "test" op rejects the whole patch: nothing changes.
    bad = [{"op": "replace", "path": "/data/a", "value": "99"},
           {"op": "test", "path": "/data/d", "value": "not-4"}]
    fails(kube, "patch", "configmap", "patched", "-n", NS, "--type", "json", "-p", json.dumps(bad))
    assert get_json(kube, "configmap", "patched", "-n", NS)["data"] == {"a": "11", "d": "4"}
    # A merge patch replaces lists whole (unlike the strategic patch above).
    ok(kube, "patch", "service", "web", "-n", NS, "--type", "merge",
       "-p", json.dumps({"spec": {"ports": [{"name": "https", "port": 443, "targetPort": 443}]}}))
    assert [p["port"] for p in get_json(kube, "service", "web", "-n", NS)["spec"]["ports"]] == [443]
    ok(kube, "apply", "-f", "-", input=MANIFEST)


def test_delete(kube):
    ok(kube, "create", "configmap", "doomed", "-n", NS, "--from-literal=k=v")
    assert ok(kube, "delete", "configmap", "doomed", "-n", NS).strip() == 'configmap "doomed" deleted'
    err = fails(kube, "get", "configmap", "doomed", "-n", NS)
    assert 'configmaps "doomed" not found' in err
    err = fails(kube, "delete", "configmap", "doomed", "-n", NS)
    assert 'Error from server (NotFound): configmaps "doomed" not found' in err
    ok(kube, "apply", "-f", "-", input=pod_manifest("by-label-1", {"app": "sweep"}))
    ok(kube, "apply", "-f", "-", input=pod_manifest("by-label-2", {"app": "sweep"}))
    ok(kube, "delete", "pods", "-n", NS, "-l", "app=sweep", "--grace-period=0", "--force")
    deadline = time.monotonic() + 10
    while ok(kube, "get", "pods", "-n", NS, "-l", "app=sweep", "-o", "name").strip() and \
            time.monotonic() < deadline:
        time.sleep(0.2)
    assert ok(kube, "get", "pods", "-n", NS, "-l", "app=sweep", "-o", "name").strip() == ""


def test_explain(kube):
    out = ok(kube, "explain", "deployment.spec.replicas")
    assert re.search(r"KIND:\s+Deployment", out), out
    assert re.search(r"VERSION:\s+apps/v1", out), out
    assert re.search(r"(FIELD|RESOURCE):\s+replicas\s+<integer>", out), out
    assert "desired pods" in out.lower() or "DESCRIPTION" in out
    out = ok(kube, "explain", "pods.spec.containers")
    # kubectl prints "FIELD: … <[]Container>" from OpenAPI v3, "RESOURCE: … <[]Object>" from v2.
    assert re.search(r"(FIELD|RESOURCE):\s+containers\s+<\[\](Container|Object)>", out), out
    assert re.search(r"\bimage\b", out)
    fails(kube, "explain", "deployment.spec.nosuchfield")


def test_auth_can_i_for_limited_user(kube):
    assert ok(kube, "auth", "can-i", "delete", "pods", "-n", NS).strip() == "yes"
    denied = kube.kubectl("auth", "can-i", "get", "pods", "-n", NS, user="alice")
    assert (denied.returncode, denied.stdout.strip()) == (1, "no"), denied
    err = fails(kube, "get", "pods", "-n", NS, user="alice")
    assert ('Error from server (Forbidden): pods is forbidden: User "alice" cannot list resource '
            f'"pods" in API group "" in the namespace "{NS}"') in err

    ok(kube, "create", "role", "pod-reader", "-n", NS, "--verb=get,list,watch", "--resource=pods")
    ok(kube, "create", "rolebinding", "viewers-read-pods", "-n", NS, "--role=pod-reader",
       "--group=viewers")
    assert ok(kube, "auth", "can-i", "get", "pods", "-n", NS, user="alice").strip() == "yes"
    assert ok(kube, "auth", "can-i", "list", "pods", "-n", NS, user="alice").strip() == "yes"
    for verb, resource, namespace in [("delete", "pods", NS), ("get", "configmaps", NS),
                                      ("get", "pods", "default")]:
        result = kube.kubectl("auth", "can-i", verb, resource, "-n", namespace, user="alice")
        assert (result.returncode, result.stdout.strip()) == (1, "no"), (verb, resource, result)
    # The RBAC decision holds for real requests too, not only for the review.
    ok(kube, "apply", "-f", "-", input=pod_manifest("alice-sees"))
    assert "pod/alice-sees" in ok(kube, "get", "pods", "-n", NS, "-o", "name", user="alice").split()
    err = fails(kube, "delete", "pod", "alice-sees", "-n", NS, user="alice")
    assert ('pods "alice-sees" is forbidden: User "alice" cannot delete resource "pods" in API group '
            f'"" in the namespace "{NS}"') in err
    assert get_json(kube, "pod", "alice-sees", "-n", NS)["metadata"]["name"] == "alice-sees"


def names(cluster: Cluster, resource: str) -> list[str]:
    return ok(cluster, "get", resource, "-n", NS, "-o", "name").split()


def test_malformed_yaml_is_rejected_and_nothing_stored(kube):
    before = names(kube, "configmaps")
    bad = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: broken\n data: [unclosed\n"
    err = fails(kube, "apply", "-n", NS, "-f", "-", input=bad)
    assert "error" in err.lower() and "yaml" in err.lower(), err
    assert names(kube, "configmaps") == before


def test_raw_body_is_decoded_by_the_server(kube):
    """`kubectl create --raw -f -` streams stdin as a chunked request body (Transfer-Encoding:
    chunked); the server must read it, and answer a malformed one with its own 400 Status."""
    before = names(kube, "configmaps")
    err = fails(kube, "create", "--raw", f"/api/v1/namespaces/{NS}/configmaps", "-f", "-",
                input='{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {')
    assert "Error from server (BadRequest)" in err and "<html" not in err.lower(), err
    assert names(kube, "configmaps") == before
    out = ok(kube, "create", "--raw", f"/api/v1/namespaces/{NS}/configmaps", "-f", "-",
             input=json.dumps({"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "raw"}}))
    assert json.loads(out)["metadata"]["name"] == "raw"
    ok(kube, "delete", "configmap", "raw", "-n", NS)


def test_wrongly_typed_field_is_rejected(kube):
    """A number where the schema says string: upstream's JSON decoding refuses it with 400."""
    before = names(kube, "configmaps")
    try:
        err = fails(kube, "create", "-n", NS, "-f", "-",
                    input="apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: typed\ndata: {k: 1}\n")
        assert "cannot be handled as a ConfigMap" in err or "BadRequest" in err, err
        assert names(kube, "configmaps") == before
    finally:
        kube.kubectl("delete", "configmap", "typed", "-n", NS, "--ignore-not-found")


def test_unknown_kind_is_rejected(kube):
    before = names(kube, "configmaps")
    manifest = ("apiVersion: example.com/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: "
                f"{NS}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: after-widget\n")
    err = fails(kube, "create", "-n", NS, "-f", "-", input=manifest)
    assert 'no matches for kind "Widget" in version "example.com/v1"' in err, err
    # kubectl goes on with the other documents, as it does against a real cluster.
    assert "configmap/after-widget" in names(kube, "configmaps")
    ok(kube, "delete", "configmap", "after-widget", "-n", NS)
    assert names(kube, "configmaps") == before
    err = fails(kube, "get", "widgets")
    assert 'the server doesn\'t have a resource type "widgets"' in err, err


def test_invalid_name_is_rejected_and_nothing_stored(kube):
    before = names(kube, "configmaps")
    err = fails(kube, "create", "configmap", "Bad_Name", "-n", NS, "--from-literal=k=v")
    assert 'ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"' in err, err
    assert "RFC 1123" in err
    err = fails(kube, "apply", "-n", NS, "-f", "-",
                input="apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: -leading-dash\n")
    assert 'is invalid' in err and "metadata.name" in err, err
    assert names(kube, "configmaps") == before
    # A create in a namespace that does not exist: NamespaceLifecycle admission refuses it.
    err = fails(kube, "create", "configmap", "orphan", "-n", "no-such-namespace",
                "--from-literal=k=v")
    assert 'namespaces "no-such-namespace" not found' in err, err


def test_zz_delete_namespace(kube):
    """Last (by name): deleting a namespace marks it Terminating; with no namespace controller
    running, it stays until a finalize empties its finalizers (what `kubectl replace --raw` of
    .../finalize, the way out of a stuck namespace, does)."""
    ok(kube, "delete", "-f", "-", input=MANIFEST)
    assert fails(kube, "get", "deployment", "web", "-n", NS)
    out = ok(kube, "delete", "namespace", NS, "--wait=false")
    assert out.strip() == f'namespace "{NS}" deleted'
    namespace = json.loads(ok(kube, "get", "namespace", NS, "-o", "json"))
    assert namespace["status"]["phase"] == "Terminating"
    namespace["spec"]["finalizers"] = []
    ok(kube, "replace", "--raw", f"/api/v1/namespaces/{NS}/finalize", "-f", "-", input=json.dumps(namespace))
    err = fails(kube, "get", "namespace", NS)
    assert f'namespaces "{NS}" not found' in err


def test_pod_security_labels_warn_and_enforce(kube):
    """kubectl prints PodSecurity's warnings as `Warning: ...` lines and its refusal as a Forbidden
    error: warn=baseline admits a hostNetwork pod with a warning, then labelling enforce=baseline
    warns about that pod, and a second such pod is refused."""
    ns = "e2e-pod-security"
    ok(kube, "create", "namespace", ns)
    ok(kube, "label", "namespace", ns, "pod-security.kubernetes.io/warn=baseline")
    host_network = yaml.safe_load(pod_manifest("host-a"))
    host_network["metadata"]["namespace"] = ns
    host_network["spec"]["hostNetwork"] = True
    result = kube.kubectl("apply", "-f", "-", input=yaml.safe_dump(host_network))
    assert result.returncode == 0 and result.stdout.strip() == "pod/host-a created"
    assert result.stderr == 'Warning: would violate PodSecurity "baseline:latest": host namespaces (hostNetwork=true)\n'
    result = kube.kubectl("label", "namespace", ns, "pod-security.kubernetes.io/enforce=baseline")
    assert result.returncode == 0
    assert result.stderr == (f'Warning: existing pods in namespace "{ns}" violate the new PodSecurity enforce level '
                             '"baseline:latest"\nWarning: host-a: host namespaces\n')
    host_network["metadata"]["name"] = "host-b"
    err = fails(kube, "apply", "-f", "-", input=yaml.safe_dump(host_network))
    assert ('pods "host-b" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true)'
            in err)
    ok(kube, "delete", "namespace", ns, "--wait=false")


def test_get_raw_metrics(kube):
    """`kubectl get --raw /metrics` prints the Prometheus text, kubectl's own LIST of configmaps
    counted in it; a user without system:monitoring is forbidden it with upstream's message."""
    names(kube, "configmaps")
    out = ok(kube, "get", "--raw", "/metrics")
    assert "# TYPE apiserver_request_total counter" in out
    assert 'resource="configmaps",scope="namespace",subresource="",verb="LIST",version="v1"}' in out
    err = fails(kube, "get", "--raw", "/metrics", user="alice")
    assert err.strip() == 'Error from server (Forbidden): forbidden: User "alice" cannot get path "/metrics"', err
