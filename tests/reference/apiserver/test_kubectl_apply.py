"""`kubectl apply --server-side` against the reference kube-apiserver: creates, updates, conflicts
with the manager a `kubectl scale` recorded and wins with `--force-conflicts`; the managedFields
show with `--show-managed-fields`. Each test works on a Deployment of its own name; the expected
texts are what kubectl prints against a real kube-apiserver 1.24."""
from __future__ import annotations

import json

import pytest
import yaml

from cluster import Cluster, reference_control_plane  # noqa: F401  (fixture)

NS = "e2e-ssa"
CONFLICT = ('error: Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: '
            ".spec.replicas")


def manifest(name: str, replicas: int = 2, image: str = "nginx:1.25") -> str:
    return yaml.safe_dump({
        "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": name, "namespace": NS},
        "spec": {"replicas": replicas, "selector": {"matchLabels": {"app": name}},
                 "template": {"metadata": {"labels": {"app": name}},
                              "spec": {"containers": [{"name": "web", "image": image}]}}}})


def run(kube: Cluster, *args: str, input: str | None = None) -> tuple[int, str, str]:
    result = kube.kubectl(*args, input=input)
    return result.returncode, result.stdout, result.stderr


def ok(kube: Cluster, *args: str, input: str | None = None) -> str:
    code, out, err = run(kube, *args, input=input)
    assert code == 0, f"kubectl {' '.join(args)} exited {code}\n{err}"
    return out


def deployment(kube: Cluster, name: str, *flags: str) -> dict:
    return yaml.safe_load(ok(kube, "get", "deployment", name, "-n", NS, "-o", "yaml", *flags))


@pytest.fixture(scope="module")
def kube(reference_control_plane: Cluster) -> Cluster:  # noqa: F811
    ok(reference_control_plane, "create", "namespace", NS)
    return reference_control_plane


def test_server_side_apply_creates_the_object(kube):
    assert ok(kube, "apply", "--server-side", "-f", "-", input=manifest("created")).strip() == \
        "deployment.apps/created serverside-applied"
    created = deployment(kube, "created")
    assert created["spec"]["replicas"] == 2 and created["metadata"]["generation"] == 1


def test_a_second_apply_with_a_changed_field_updates_it(kube):
    ok(kube, "apply", "--server-side", "-f", "-", input=manifest("updated"))
    assert ok(kube, "apply", "--server-side", "-f", "-", input=manifest("updated", image="nginx:1.26")).strip() == \
        "deployment.apps/updated serverside-applied"
    updated = deployment(kube, "updated")
    assert updated["spec"]["template"]["spec"]["containers"][0]["image"] == "nginx:1.26"
    assert updated["metadata"]["generation"] == 2


def test_reapplying_replicas_after_kubectl_scale_conflicts_until_forced(kube):
    """`kubectl scale` takes .spec.replicas over through the scale subresource; an apply of
    another count fails naming it, and --force-conflicts takes the field back."""
    ok(kube, "apply", "--server-side", "-f", "-", input=manifest("scaled"))
    assert ok(kube, "scale", "deployment", "scaled", "-n", NS, "--replicas=5").strip() == \
        "deployment.apps/scaled scaled"
    code, _, err = run(kube, "apply", "--server-side", "-f", "-", input=manifest("scaled"))
    assert code == 1 and err.splitlines()[0] == CONFLICT
    assert deployment(kube, "scaled")["spec"]["replicas"] == 5
    ok(kube, "apply", "--server-side", "--force-conflicts", "-f", "-", input=manifest("scaled"))
    assert deployment(kube, "scaled")["spec"]["replicas"] == 2


def test_show_managed_fields_shows_the_entries(kube):
    """kubectl hides metadata.managedFields unless asked; the applier's entry owns what it applied."""
    ok(kube, "apply", "--server-side", "--field-manager=deployer", "-f", "-", input=manifest("shown"))
    assert "managedFields" not in deployment(kube, "shown")["metadata"]
    [entry] = deployment(kube, "shown", "--show-managed-fields")["metadata"]["managedFields"]
    assert (entry["manager"], entry["operation"], entry["apiVersion"], entry["fieldsType"]) == \
        ("deployer", "Apply", "apps/v1", "FieldsV1")
    assert entry["fieldsV1"]["f:spec"]["f:template"]["f:spec"]["f:containers"] == \
        {'k:{"name":"web"}': {".": {}, "f:image": {}, "f:name": {}}}
    assert entry["fieldsV1"]["f:spec"]["f:selector"] == {} and "f:replicas" in entry["fieldsV1"]["f:spec"]


def test_server_side_apply_after_a_client_side_apply_takes_its_fields_over(kube):
    """`kubectl apply` then `kubectl apply --server-side` of a changed count: no conflict (kubectl
    moves the kubectl-client-side-apply entry to its own by a patch of managedFields, which the
    server keeps), and the last-applied annotation follows the new configuration."""
    ok(kube, "apply", "-f", "-", input=manifest("upgraded"))
    ok(kube, "apply", "--server-side", "-f", "-", input=manifest("upgraded", replicas=3))
    upgraded = deployment(kube, "upgraded", "--show-managed-fields")
    assert upgraded["spec"]["replicas"] == 3
    annotation = upgraded["metadata"]["annotations"]["kubectl.kubernetes.io/last-applied-configuration"]
    assert json.loads(annotation)["spec"]["replicas"] == 3
    owners = [(e["manager"], e["operation"]) for e in upgraded["metadata"]["managedFields"]
              if "f:replicas" in e["fieldsV1"].get("f:spec", {})]
    assert owners == [("kubectl", "Apply")]


def test_a_changed_image_conflicts_under_the_name_of_the_env_walked_after_it(kube):
    """Client-side applies that drop replicas, an env var and a container and change the image
    and B's value, then a server-side apply of the first manifest by another manager: the real
    1.24 server lists the image's conflict as `.env` (Set.Iterate's paths share their array)."""
    def manifest_with(image: str, env: list[dict], containers: list[dict], **spec) -> str:
        return yaml.safe_dump({
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "aliased", "namespace": NS},
            "spec": {**spec, "selector": {"matchLabels": {"app": "aliased"}},
                     "template": {"metadata": {"labels": {"app": "aliased"}},
                                  "spec": {"containers": [{"name": "c1", "image": image, "env": env}, *containers]}}}})

    first = manifest_with("nginx:1.1", [{"name": "A", "value": "a"}, {"name": "B", "value": "b"}],
                          [{"name": "c2", "image": "busybox"}], replicas=3)
    ok(kube, "apply", "-f", "-", input=first)
    ok(kube, "apply", "-f", "-", input=manifest_with("nginx:1.2", [{"name": "B", "value": "b2"}], []))
    code, _, err = run(kube, "apply", "--server-side", "--field-manager=ssa2", "-f", "-", input=first)
    container = '.spec.template.spec.containers[name="c1"]'
    assert code == 1 and err.splitlines()[:4] == [
        'error: Apply failed with 3 conflicts: conflicts with "kubectl-client-side-apply" using apps/v1:',
        "- .spec.replicas", f"- {container}.env", f'- {container}.env[name="B"].value']
