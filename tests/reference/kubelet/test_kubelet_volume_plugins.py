"""What the volume plugins put in a pod's volumes (configMap, secret, downwardAPI, projected,
emptyDir, hostPath, PVC), how AtomicWriter writes it, and how a container process sees it."""
from __future__ import annotations

import base64
import os
import stat
import sys

import pytest

from reference_impl.kubelet.actions import MountVolumes, PodKey, StartContainer, UnmountVolumes
from reference_impl.kubelet.kubelet import Kubelet
from reference_impl.kubelet.runtime import ProcessRuntime, execute, output_path
from reference_impl.kubelet.volumemanager import AtomicWriter, VolumeManager, check_host_path
from reference_impl.kubelet.volumes import (FileProjection, VolumeSetUpError, claimed_volume,
                                            downward_api_payload, format_map, volume_payload)
from reference_impl.machinery.clock import ManualClock

ALLOCATABLE = {"cpu": "4", "memory": "8Gi"}


class Sources:
    """VolumeSources from dicts; token requests are recorded and answered with a fixed token."""

    def __init__(self, config_maps=None, secrets=None, claims=None, volumes=None):
        self.config_maps, self.secrets = config_maps or {}, secrets or {}
        self.claims, self.volumes = claims or {}, volumes or {}
        self.token_requests: list[tuple] = []

    def config_map(self, namespace, name):
        return self.config_maps.get(name)

    def secret(self, namespace, name):
        return self.secrets.get(name)

    def persistent_volume_claim(self, namespace, name):
        return self.claims.get(name)

    def persistent_volume(self, name):
        return self.volumes.get(name)

    def service_account_token(self, namespace, service_account, spec):
        self.token_requests.append((namespace, service_account, spec))
        return "the-token"

    def forget_pod(self, uid):
        pass


def pod(*volumes, containers=None) -> dict:
    containers = containers or [{"name": "app", "command": ["true"], "resources": {"limits": {"memory": "64Mi"}},
                                 "volumeMounts": [{"name": v["name"], "mountPath": f"/mnt/{v['name']}"}
                                                  for v in volumes]}]
    return {"metadata": {"namespace": "ns", "name": "p", "uid": "uid-p", "labels": {"b": "2", "a": 'say "hi"'}},
            "spec": {"nodeName": "node-1", "serviceAccountName": "robot", "containers": containers,
                     "volumes": list(volumes)}}


def texts(payload: dict) -> dict:
    return {path: (p.data.decode(), oct(p.mode)) for path, p in payload.items()}


CM = {"metadata": {"name": "cfg"}, "data": {"greeting": "hello", "other": "x"}}


def test_config_map_volume_holds_every_key_with_the_default_mode():
    volume = {"name": "cfg", "configMap": {"name": "cfg"}}
    assert texts(volume_payload(volume, pod(volume), Sources({"cfg": CM}), ALLOCATABLE)) == {
        "greeting": ("hello", "0o644"), "other": ("x", "0o644")}


def test_items_choose_keys_paths_and_modes():
    volume = {"name": "cfg", "configMap": {"name": "cfg", "defaultMode": 0o600,
                                           "items": [{"key": "greeting", "path": "dir/hello.txt", "mode": 0o400}]}}
    assert texts(volume_payload(volume, pod(volume), Sources({"cfg": CM}), ALLOCATABLE)) == {
        "dir/hello.txt": ("hello", "0o400")}


def test_a_missing_config_map_is_not_found_in_the_managers_words():
    volume = {"name": "cfg", "configMap": {"name": "x"}}
    with pytest.raises(VolumeSetUpError, match='^configmap "x" not found$'):
        volume_payload(volume, pod(volume), Sources(), ALLOCATABLE)


def test_an_optional_missing_config_map_is_an_empty_volume():
    volume = {"name": "cfg", "configMap": {"name": "x", "optional": True}}
    assert volume_payload(volume, pod(volume), Sources(), ALLOCATABLE) == {}


def test_an_item_naming_a_missing_key_fails_unless_optional():
    volume = {"name": "cfg", "configMap": {"name": "cfg", "items": [{"key": "nope", "path": "n"}]}}
    with pytest.raises(VolumeSetUpError, match="^configmap references non-existent config key: nope$"):
        volume_payload(volume, pod(volume), Sources({"cfg": CM}), ALLOCATABLE)
    volume["configMap"]["optional"] = True
    assert volume_payload(volume, pod(volume), Sources({"cfg": CM}), ALLOCATABLE) == {}


def test_secret_volume_holds_the_decoded_keys():
    secret = {"metadata": {"name": "s"}, "data": {"password": base64.b64encode(b"p4ss").decode()}}
    volume = {"name": "s", "secret": {"secretName": "s", "defaultMode": 0o400}}
    assert texts(volume_payload(volume, pod(volume), Sources(secrets={"s": secret}), ALLOCATABLE)) == {
        "password": ("p4ss", "0o400")}
    with pytest.raises(VolumeSetUpError, match='^secret "gone" not found$'):
        volume_payload({"name": "s", "secret": {"secretName": "gone"}}, pod(volume), Sources(), ALLOCATABLE)


def test_downward_api_writes_labels_as_quoted_lines_and_resources_divided_up():
    """Labels sorted, `k="v"` with Go quoting, no final newline; a limit not set is the node's
    allocatable; values are divided by the divisor and rounded up."""
    items = [{"path": "labels", "fieldRef": {"fieldPath": "metadata.labels"}},
             {"path": "mem", "resourceFieldRef": {"containerName": "app", "resource": "limits.memory",
                                                  "divisor": "1Mi"}},
             {"path": "cpu", "resourceFieldRef": {"containerName": "app", "resource": "limits.cpu",
                                                  "divisor": "300m"}}]
    payload = downward_api_payload(items, pod(), 0o644, ALLOCATABLE)
    assert texts(payload) == {"labels": ('a="say \\"hi\\""\nb="2"', "0o644"), "mem": ("64", "0o644"),
                              "cpu": ("14", "0o644")}
    assert format_map({}) == ""


def test_downward_api_reports_unsupported_field_paths():
    with pytest.raises(VolumeSetUpError, match="^unsupported fieldPath: spec.nodeName$"):
        downward_api_payload([{"path": "n", "fieldRef": {"fieldPath": "spec.nodeName"}}], pod(), 0o644, ALLOCATABLE)


def test_projected_volume_asks_a_token_bound_to_the_pod():
    """serviceAccountToken: a TokenRequest for the pod's service account, with the audience and
    expiry asked, bound to the pod by name and uid."""
    volume = {"name": "api", "projected": {"defaultMode": 0o644, "sources": [
        {"serviceAccountToken": {"audience": "vault", "expirationSeconds": 7200, "path": "token"}},
        {"configMap": {"name": "cfg", "items": [{"key": "greeting", "path": "greeting"}]}},
        {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"fieldPath": "metadata.namespace"}}]}}]}}
    sources = Sources({"cfg": CM})
    assert texts(volume_payload(volume, pod(volume), sources, ALLOCATABLE)) == {
        "token": ("the-token", "0o644"), "greeting": ("hello", "0o644"), "namespace": ("ns", "0o644")}
    assert sources.token_requests == [("ns", "robot", {
        "audiences": ["vault"], "expirationSeconds": 7200,
        "boundObjectRef": {"apiVersion": "v1", "kind": "Pod", "name": "p", "uid": "uid-p"}})]


def test_projected_volume_reports_every_failing_source_at_once():
    volume = {"name": "api", "projected": {"sources": [{"configMap": {"name": "a"}}, {"secret": {"name": "b"}}]}}
    with pytest.raises(VolumeSetUpError, match=r'^\[configmap "a" not found, secret "b" not found\]$'):
        volume_payload(volume, pod(volume), Sources(), ALLOCATABLE)


CLAIM = {"metadata": {"name": "data", "uid": "c1"}, "spec": {"volumeName": "pv1"}, "status": {"phase": "Bound"}}


@pytest.mark.parametrize("claim, message", [
    (None, 'failed to fetch PVC from API server: persistentvolumeclaims "data" not found'),
    ({**CLAIM, "metadata": {**CLAIM["metadata"], "deletionTimestamp": "2024-01-01T00:00:00Z"}},
     "PVC is being deleted"),
    ({**CLAIM, "status": {"phase": "Pending"}}, "PVC is not bound"),
])
def test_a_claim_that_cannot_be_used_is_a_populator_error(claim, message):
    claims = {"data": claim} if claim else {}
    with pytest.raises(VolumeSetUpError) as caught:
        claimed_volume("ns", "data", Sources(claims=claims))
    assert str(caught.value) == f"error processing PVC ns/data: {message}"


def test_atomic_writer_switches_data_whole(tmp_path):
    """Files are reached through `..data`, a symlink to a timestamped directory; an update writes a
    new directory, switches `..data` and removes the old one and names no longer in the payload."""
    target = tmp_path / "vol"
    writer = AtomicWriter(target)
    assert writer.write({"a": FileProjection(b"1", 0o644), "b": FileProjection(b"2", 0o600)})
    first = os.readlink(target / "..data")
    assert first.startswith("..20") and os.readlink(target / "a") == "..data/a"
    assert (target / "b").read_bytes() == b"2" and stat.S_IMODE((target / "b").stat().st_mode) == 0o600
    assert not writer.write({"a": FileProjection(b"1", 0o644), "b": FileProjection(b"2", 0o600)})
    assert writer.write({"a": FileProjection(b"new", 0o644)})
    second = os.readlink(target / "..data")
    assert second != first and not (target / first).exists()
    assert (target / "a").read_bytes() == b"new" and not os.path.lexists(target / "b")


def test_atomic_writer_refuses_paths_out_of_the_volume(tmp_path):
    with pytest.raises(VolumeSetUpError):
        AtomicWriter(tmp_path).write({"../escape": FileProjection(b"", 0o644)})


def test_host_path_type_is_checked(tmp_path):
    """DirectoryOrCreate makes the directory; Directory on a file is upstream's type-check failure."""
    check_host_path(str(tmp_path / "made"), "DirectoryOrCreate")
    assert (tmp_path / "made").is_dir()
    (tmp_path / "f").write_text("")
    with pytest.raises(VolumeSetUpError, match=f"^hostPath type check failed: {tmp_path}/f is not a directory$"):
        check_host_path(str(tmp_path / "f"), "Directory")
    with pytest.raises(VolumeSetUpError, match="^Pipe is an invalid volume type$"):
        check_host_path(str(tmp_path / "f"), "Pipe")


def test_volumes_are_set_up_under_the_pod_dir_with_upstream_plugin_names(tmp_path):
    volumes = [{"name": "cfg", "configMap": {"name": "cfg"}}, {"name": "scratch", "emptyDir": {}},
               {"name": "host", "hostPath": {"path": str(tmp_path / "host"), "type": "DirectoryOrCreate"}}]
    manager = VolumeManager(tmp_path / "pods", Sources({"cfg": CM}), ALLOCATABLE)
    key = PodKey("ns", "p", "uid-p")
    outcome = manager.set_up(MountVolumes(key, pod(*volumes)))
    assert (set(outcome.mounted), outcome.failures, outcome.pod_errors) == ({"cfg", "scratch", "host"}, (), ())
    volumes_dir = tmp_path / "pods" / "uid-p" / "volumes"
    assert (volumes_dir / "kubernetes.io~configmap" / "cfg" / "greeting").read_text() == "hello"
    assert (volumes_dir / "kubernetes.io~empty-dir" / "scratch").is_dir()
    manager.tear_down(key)
    assert not (tmp_path / "pods" / "uid-p").exists() and (tmp_path / "host").is_dir()


def test_a_failed_set_up_names_the_volume(tmp_path):
    manager = VolumeManager(tmp_path, Sources(), ALLOCATABLE)
    outcome = manager.set_up(MountVolumes(PodKey("ns", "p", "u"), pod({"name": "cfg", "configMap": {"name": "x"}})))
    assert outcome.failures == (("cfg", 'MountVolume.SetUp failed for volume "cfg" : configmap "x" not found'),)
    assert outcome.mounted == ()


def test_a_claim_bound_to_a_host_path_volume_is_that_path(tmp_path):
    pv = {"metadata": {"name": "pv1"}, "spec": {"hostPath": {"path": str(tmp_path)}, "claimRef": {"uid": "c1"}}}
    manager = VolumeManager(tmp_path / "pods", Sources(claims={"data": CLAIM}, volumes={"pv1": pv}), ALLOCATABLE)
    volume = {"name": "data", "persistentVolumeClaim": {"claimName": "data"}}
    assert manager.set_up(MountVolumes(PodKey("ns", "p", "u"), pod(volume))).mounted == ("data",)
    assert manager.mounted["u"]["data"] == tmp_path


def test_a_container_reads_a_config_map_key_at_its_mount_path(tmp_path):
    """End to end without the API: the core waits for the volume, the volume manager writes it,
    and the container's process reads `$CONTAINER_ROOT/etc/config/greeting`."""
    container = {"name": "app", "command": [sys.executable, "-c",
                                            "import os; print(open(os.environ['CONTAINER_ROOT']"
                                            " + '/etc/config/greeting').read())"],
                 "volumeMounts": [{"name": "cfg", "mountPath": "/etc/config", "readOnly": True}]}
    manifest = pod({"name": "cfg", "configMap": {"name": "cfg"}}, containers=[container])
    kubelet = Kubelet("node-1", ManualClock(1_700_000_000.0))
    runtime = ProcessRuntime(tmp_path / "pods", VolumeManager(tmp_path / "pods", Sources({"cfg": CM}), ALLOCATABLE))
    kubelet.set_desired_pods([manifest])
    execute(kubelet, runtime, kubelet.sync_loop_iteration())  # MountVolumes
    actions = kubelet.sync_loop_iteration()
    assert [a.container["name"] for a in actions if isinstance(a, StartContainer)] == ["app"]
    execute(kubelet, runtime, actions)
    runtime.wait(10)
    execute(kubelet, runtime, [])
    assert output_path(tmp_path / "pods", PodKey("ns", "p", "uid-p"), "app", 0).read_text() == "hello\n"
    kubelet.set_desired_pods([])
    actions = kubelet.sync_loop_iteration()
    assert UnmountVolumes(PodKey("ns", "p", "uid-p")) in actions
    execute(kubelet, runtime, actions)
    assert not (tmp_path / "pods" / "uid-p").exists()
