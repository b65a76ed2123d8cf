"""kubectl with a CustomResourceDefinition: apply the CRD, apply a custom object, get it with the
CRD's printer columns and by its short name, a 422 for an object its schema refuses, and deleting
the CRD. On the reference etcd only: storage is the same for custom objects as for the rest."""
from __future__ import annotations

import json

import pytest

from cluster import Cluster, reference_control_plane  # noqa: F401  (fixture)

NS = "e2e-crd"

CRD = """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: crontabs.stable.example.com
spec:
  group: stable.example.com
  scope: Namespaced
  names: {plural: crontabs, singular: crontab, kind: CronTab, shortNames: [ct]}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              cronSpec: {type: string}
              image: {type: string}
              replicas: {type: integer, minimum: 1, default: 1}
    additionalPrinterColumns:
    - {name: Spec, type: string, jsonPath: .spec.cronSpec}
    - {name: Replicas, type: integer, jsonPath: .spec.replicas}
"""


def crontab(name: str, replicas: object = 3) -> str:
    return json.dumps({"apiVersion": "stable.example.com/v1", "kind": "CronTab",
                       "metadata": {"name": name, "namespace": NS},
                       "spec": {"cronSpec": "* * * * */5", "image": "my-cron", "replicas": replicas}})


def run(cluster: Cluster, *args: str, input: str | None = None):
    return cluster.kubectl(*args, input=input)


@pytest.fixture(scope="module")
def kube(reference_control_plane: Cluster) -> Cluster:  # noqa: F811
    result = run(reference_control_plane, "create", "namespace", NS)
    assert result.returncode == 0, result.stderr
    result = run(reference_control_plane, "apply", "-f", "-", input=CRD)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com created"
    return reference_control_plane


def test_reapplied_crd_is_unchanged(kube):
    """Applying the same CRD again changes nothing (kubectl's strategic merge patch of it is empty);
    `get crd` prints the default Name and Created At columns."""
    result = run(kube, "apply", "-f", "-", input=CRD)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "customresourcedefinition.apiextensions.k8s.io/crontabs.stable.example.com unchanged"
    header, row = run(kube, "get", "crd").stdout.splitlines()
    assert header.split() == ["NAME", "CREATED", "AT"] and row.split()[0] == "crontabs.stable.example.com"


def test_apply_and_get_with_printer_columns(kube):
    """An applied custom object is listed with Name and the CRD's columns, found by its short name."""
    result = run(kube, "apply", "-f", "-", input=crontab("every-five"))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "crontab.stable.example.com/every-five created"
    result = run(kube, "get", "ct", "-n", NS)
    assert result.returncode == 0, result.stderr
    header, row = result.stdout.splitlines()
    assert header.split() == ["NAME", "SPEC", "REPLICAS"]
    assert row.split()[:1] == ["every-five"] and row.split()[-1] == "3"
    result = run(kube, "get", "crontabs.stable.example.com", "every-five", "-n", NS, "-o", "json")
    assert json.loads(result.stdout)["spec"]["replicas"] == 3


def test_reapply_and_server_side_apply(kube):
    """A changed object applies as configured (kubectl merge-patches custom objects); a server-side
    apply of it takes the field manager's ownership."""
    assert run(kube, "apply", "-f", "-", input=crontab("reapplied")).returncode == 0
    result = run(kube, "apply", "-f", "-", input=crontab("reapplied", replicas=4))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "crontab.stable.example.com/reapplied configured"
    result = run(kube, "apply", "--server-side", "-f", "-", input=crontab("reapplied", replicas=5))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "crontab.stable.example.com/reapplied serverside-applied"
    stored = json.loads(run(kube, "get", "crontab", "reapplied", "-n", NS, "-o", "json",
                            "--show-managed-fields").stdout)
    assert stored["spec"]["replicas"] == 5
    assert "kubectl" in {entry["manager"] for entry in stored["metadata"]["managedFields"]}


def test_explain_describes_the_crds_schema(kube):
    """The CRD's schema is in /openapi/v2, so `kubectl explain` reads it as a built-in kind's."""
    result = run(kube, "explain", "crontabs.spec")
    assert result.returncode == 0, result.stderr
    assert "KIND:     CronTab" in result.stdout and "VERSION:  stable.example.com/v1" in result.stdout
    assert "replicas\t<integer>" in result.stdout and "cronSpec\t<string>" in result.stdout


def test_kubectl_refuses_a_field_of_the_wrong_type_before_sending_it(kube):
    """kubectl validates a custom object against the published schema first, as against a real
    1.24 server (which advertises no fieldValidation), in its words."""
    result = run(kube, "apply", "-f", "-", input=crontab("bad", replicas="three"))
    assert result.returncode != 0
    assert ('ValidationError(CronTab.spec.replicas): invalid type for com.example.stable.v1.CronTab.spec.replicas: '
            'got "string", expected "integer"') in result.stderr


def test_schema_violation_is_a_422(kube):
    """kubectl prints the server's Invalid error in upstream's words."""
    result = run(kube, "apply", "--validate=false", "-f", "-", input=crontab("bad", replicas="three"))
    assert result.returncode != 0
    assert ('The CronTab "bad" is invalid: spec.replicas: Invalid value: "string": spec.replicas in body must be '
            'of type integer: "string"') in result.stderr


def test_describe_and_delete(kube):
    """describe shows the object; delete removes it."""
    run(kube, "apply", "-f", "-", input=crontab("short-lived"))
    result = run(kube, "describe", "crontab", "short-lived", "-n", NS)
    assert result.returncode == 0, result.stderr
    assert "Name:         short-lived" in result.stdout and "Kind:         CronTab" in result.stdout
    result = run(kube, "delete", "crontab", "short-lived", "-n", NS)
    assert result.stdout.strip() == 'crontab.stable.example.com "short-lived" deleted'


def test_zz_delete_crd_stops_serving(kube):
    """Deleting the CRD deletes its objects and stops serving them: kubectl, which still has the
    resource in its discovery cache, gets a NotFound."""
    result = run(kube, "delete", "-f", "-", input=CRD)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == ('customresourcedefinition.apiextensions.k8s.io "crontabs.stable.example.com" '
                                     "deleted")
    result = run(kube, "get", "crontabs", "-n", NS)
    assert result.returncode != 0
    assert "the server could not find the requested resource" in result.stderr
