"""Rules of the kubelet core's wait for volumes (WaitForAttachAndMount): deterministic, no disk.
The core asks for MountVolumes and is told the outcome; it starts containers only once every
mounted volume is set up, and says why not in FailedMount events."""
from __future__ import annotations

import pytest

from reference_impl.kubelet.actions import MountVolumes, StartContainer, UnmountVolumes
from reference_impl.kubelet.kubelet import Kubelet
from reference_impl.kubelet.volumes import VolumeSetUp
from reference_impl.machinery.actions import Patch, RecordEvent
from reference_impl.machinery.clock import ManualClock

CFG_FAILED = 'MountVolume.SetUp failed for volume "cfg" : configmap "x" not found'


def pod_with_volumes(*volumes: dict, mounts=("cfg",)) -> dict:
    container = {"name": "app", "command": ["sleep", "60"],
                 "volumeMounts": [{"name": name, "mountPath": f"/mnt/{name}"} for name in mounts]}
    return {"metadata": {"namespace": "default", "name": "p", "uid": "uid-p"},
            "spec": {"nodeName": "node-1", "containers": [container], "volumes": list(volumes)}}


CFG = {"name": "cfg", "configMap": {"name": "x"}}
DATA = {"name": "data", "persistentVolumeClaim": {"claimName": "data"}}


def of(actions, kind):
    return [a for a in actions if isinstance(a, kind)]


@pytest.fixture
def clock():
    return ManualClock(1_700_000_000.0)


@pytest.fixture
def kubelet(clock):
    return Kubelet("node-1", clock)


def test_containers_wait_for_their_volumes(kubelet):
    """A pod whose containers mount a volume gets a MountVolumes and no StartContainer; its
    container waits as ContainerCreating."""
    kubelet.set_desired_pods([pod_with_volumes(CFG)])
    actions = kubelet.sync_loop_iteration()
    assert [a.pod.name for a in of(actions, MountVolumes)] == ["p"] and not of(actions, StartContainer)
    (patch,) = of(actions, Patch)
    (status,) = patch.patch["status"]["containerStatuses"]
    assert status["state"] == {"waiting": {"reason": "ContainerCreating"}}
    assert patch.patch["status"]["phase"] == "Pending"


def test_a_failed_set_up_is_a_failed_mount_event(kubelet):
    """Each SetUp failure becomes a Warning FailedMount event in the operation executor's words."""
    kubelet.set_desired_pods([pod_with_volumes(CFG)])
    (mount,) = of(kubelet.sync_loop_iteration(), MountVolumes)
    events = kubelet.volumes_set_up(mount.pod, VolumeSetUp(failures=(("cfg", CFG_FAILED),)))
    assert [(e.type, e.reason, e.message) for e in events] == [("Warning", "FailedMount", CFG_FAILED)]
    assert not of(kubelet.sync_loop_iteration(), StartContainer)


def test_failed_set_ups_are_retried_with_exponential_back_off(kubelet, clock):
    """nestedpendingoperations: the next attempt after 0.5 s, then 1 s, 2 s, ... never sooner."""
    kubelet.set_desired_pods([pod_with_volumes(CFG)])
    gaps, last = [], clock.now()
    for _ in range(40):
        mounts = of(kubelet.sync_loop_iteration(), MountVolumes)
        if mounts:
            gaps.append(clock.now() - last)
            last = clock.now()
            kubelet.volumes_set_up(mounts[0].pod, VolumeSetUp(failures=(("cfg", CFG_FAILED),)))
        clock.advance(0.25)
    assert gaps == [0.0, 0.5, 1.0, 2.0, 4.0]


def test_the_pod_starts_once_its_config_map_exists(kubelet, clock):
    """A volume set up at a later attempt (the ConfigMap created meanwhile) lets the containers start."""
    kubelet.set_desired_pods([pod_with_volumes(CFG)])
    (mount,) = of(kubelet.sync_loop_iteration(), MountVolumes)
    kubelet.volumes_set_up(mount.pod, VolumeSetUp(failures=(("cfg", CFG_FAILED),)))
    clock.advance(0.5)
    (mount,) = of(kubelet.sync_loop_iteration(), MountVolumes)
    assert kubelet.volumes_set_up(mount.pod, VolumeSetUp(mounted=("cfg",))) == []
    assert [s.container["name"] for s in of(kubelet.sync_loop_iteration(), StartContainer)] == ["app"]


def test_an_unbound_claim_fails_the_pod_at_once(kubelet, clock):
    """A populator error (PVC not bound) is reported whole by WaitForAttachAndMount at once; the pod
    worker tries again after its 10 s back-off. Every expected volume shows as unattached."""
    kubelet.set_desired_pods([pod_with_volumes(CFG, DATA, mounts=("data", "cfg"))])
    (mount,) = of(kubelet.sync_loop_iteration(), MountVolumes)
    events = kubelet.volumes_set_up(mount.pod, VolumeSetUp(
        mounted=("cfg",), pod_errors=("error processing PVC default/data: PVC is not bound",)))
    assert [e.message for e in events] == [
        "Unable to attach or mount volumes: unmounted volumes=[data], unattached volumes=[cfg data]: "
        "error processing PVC default/data: PVC is not bound"]
    clock.advance(9.9)
    assert not of(kubelet.sync_loop_iteration(), MountVolumes)
    clock.advance(0.1)
    assert of(kubelet.sync_loop_iteration(), MountVolumes)


def test_volumes_not_mounted_in_time_are_reported_timed_out(kubelet, clock):
    """After podAttachAndMountTimeout (2m3s) of waiting, a FailedMount says the wait timed out."""
    kubelet.set_desired_pods([pod_with_volumes(CFG)])
    timeouts = []
    for _ in range(260):
        actions = kubelet.sync_loop_iteration()
        for mount in of(actions, MountVolumes):
            kubelet.volumes_set_up(mount.pod, VolumeSetUp(failures=(("cfg", CFG_FAILED),)))
        timeouts += [(clock.now(), e.message) for e in of(actions, RecordEvent)]
        clock.advance(1.0)
    start = 1_700_000_000.0
    assert timeouts == [(start + 123, "Unable to attach or mount volumes: unmounted volumes=[cfg], "
                                      "unattached volumes=[cfg]: timed out waiting for the condition"),
                        (start + 246, timeouts[0][1])]


def test_a_volume_no_container_mounts_is_not_waited_for(kubelet):
    """The populator ignores a volume no container uses: the pod starts at once."""
    kubelet.set_desired_pods([pod_with_volumes(CFG, mounts=())])
    actions = kubelet.sync_loop_iteration()
    assert not of(actions, MountVolumes) and of(actions, StartContainer)


def test_mounted_volumes_are_refreshed_every_sync_period(kubelet, clock):
    """Once mounted, the volumes are set up again each minute, so ConfigMap updates reach the files."""
    kubelet.set_desired_pods([pod_with_volumes(CFG)])
    (mount,) = of(kubelet.sync_loop_iteration(), MountVolumes)
    kubelet.volumes_set_up(mount.pod, VolumeSetUp(mounted=("cfg",)))
    clock.advance(59)
    assert not of(kubelet.sync_loop_iteration(), MountVolumes)
    clock.advance(1)
    assert of(kubelet.sync_loop_iteration(), MountVolumes)


def test_a_deleted_pod_has_its_volumes_torn_down(kubelet):
    """Once the pod is gone from the API and its containers have stopped, UnmountVolumes."""
    kubelet.set_desired_pods([pod_with_volumes(CFG)])
    kubelet.sync_loop_iteration()
    kubelet.set_desired_pods([])
    assert [a.pod.uid for a in of(kubelet.sync_loop_iteration(), UnmountVolumes)] == ["uid-p"]
    assert kubelet.pods == {}


def test_hollow_pods_mount_nothing(clock):
    """kwok-style hollow nodes run no process, so there is nothing to mount for."""
    kubelet = Kubelet("node-1", clock, hollow=True)
    kubelet.set_desired_pods([pod_with_volumes(CFG)])
    assert not of(kubelet.sync_loop_iteration(), MountVolumes)
