"""The volume manager's I/O half: carries out MountVolumes and UnmountVolumes on disk.

A pod's volumes live where the real kubelet keeps them, `<root-dir>/pods/<uid>/volumes/<plugin>/<name>`
(`kubernetes.io~configmap`, `kubernetes.io~secret`, ...). configMap, secret, downwardAPI and
projected volumes are written by `AtomicWriter` as upstream's is: the files go into a fresh
`..<timestamp>` directory, `..data` is switched to it by one rename, and each top-level name is a
symlink through `..data`, so a reader sees the old files or the new ones, never a mix. emptyDir is a
directory; hostPath (and a PVC bound to a hostPath or local PV) is the host's own path, checked
against its `type`. What goes in the files is decided in `volumes` (sans-IO).

Processes cannot be given mounts, so containers see volumes through a root directory of their
own, `<root-dir>/pods/<uid>/containers/<name>/rootfs`, where each volumeMount's mountPath is a
symlink to the volume (or its subPath); see `runtime.ProcessRuntime`.
"""
from __future__ import annotations

import datetime
import os
import shutil
import stat
import tempfile
from pathlib import Path

from reference_impl.mirrors import mirrors

from .actions import MountVolumes, PodKey
from .volumes import (HOST_PATH_TYPES, PLUGIN_DIRS, FileProjection, VolumeSetUp, VolumeSetUpError, VolumeSources,
                      claimed_volume, expected_volumes, plugin_of, set_up_failed, volume_payload)

DATA_DIR = "..data"
NEW_DATA_DIR = "..data_tmp"


@mirrors("k8s.io/kubernetes/pkg/volume/util.AtomicWriter")
class AtomicWriter:
    """Writes a volume's payload so that readers never see it half updated."""

    def __init__(self, target: Path) -> None:
        self.target = target

    @mirrors("(*k8s.io/kubernetes/pkg/volume/util.AtomicWriter).Write")
    def write(self, payload: dict[str, FileProjection]) -> bool:
        """Put `payload` in place; False when it is what is there already (nothing is written)."""
        for path in payload:
            _validate_path(path)
        self.target.mkdir(parents=True, exist_ok=True)
        data_link = self.target / DATA_DIR
        old = os.readlink(data_link) if data_link.is_symlink() else None
        if old is not None and self._current(old) == payload:
            return False
        stamp = datetime.datetime.now(datetime.timezone.utc).strftime("..%Y_%m_%d_%H_%M_%S.")
        new = Path(tempfile.mkdtemp(prefix=stamp, dir=self.target))
        new.chmod(0o755)
        for path, projection in payload.items():
            file = new / path
            file.parent.mkdir(parents=True, exist_ok=True)
            file.write_bytes(projection.data)
            file.chmod(projection.mode)
        tops = {path.split("/", 1)[0] for path in payload}
        for top in tops:
            link = self.target / top
            if not link.is_symlink():
                link.symlink_to(Path(DATA_DIR) / top)
        tmp_link = self.target / NEW_DATA_DIR
        tmp_link.unlink(missing_ok=True)
        tmp_link.symlink_to(new.name)
        tmp_link.replace(data_link)  # rename(2): the switch readers see at once
        for entry in self.target.iterdir():
            if not entry.name.startswith("..") and entry.name not in tops:
                entry.unlink()
        if old is not None:
            shutil.rmtree(self.target / old, ignore_errors=True)
        return True

    def _current(self, data_dir: str) -> dict[str, FileProjection]:
        root = self.target / data_dir
        return {str(file.relative_to(root)): FileProjection(file.read_bytes(), stat.S_IMODE(file.stat().st_mode))
                for file in root.rglob("*") if file.is_file()}


def _validate_path(path: str) -> None:
    """validatePath: relative, no ".." element, not starting with ".."."""
    if not path or path.startswith("/") or path.startswith("..") or ".." in path.split("/"):
        raise VolumeSetUpError(f"invalid path: {path!r}")


@mirrors("k8s.io/kubernetes/pkg/volume/hostpath.checkType")
def check_host_path(path: str, path_type: str) -> None:
    """Make a missing DirectoryOrCreate/FileOrCreate path; refuse a path of another kind."""
    target = Path(path)
    if path_type == "":
        return
    if path_type not in HOST_PATH_TYPES:
        raise VolumeSetUpError(f"{path_type} is an invalid volume type")
    if path_type == "DirectoryOrCreate" and not target.exists():
        target.mkdir(mode=0o755, parents=True)
    if path_type == "FileOrCreate" and not target.exists():
        target.touch(mode=0o644)
    mode = target.stat().st_mode if target.exists() else 0
    checks = {"Directory": (stat.S_ISDIR, "a directory"), "File": (stat.S_ISREG, "a file"),
              "Socket": (stat.S_ISSOCK, "a socket file"), "CharDevice": (stat.S_ISCHR, "a character device"),
              "BlockDevice": (stat.S_ISBLK, "a block device")}
    is_kind, what = checks[path_type.removesuffix("OrCreate")]
    if not is_kind(mode):
        raise VolumeSetUpError(f"hostPath type check failed: {path} is not {what}")


class VolumeManager:
    """Sets up and tears down pods' volumes under `pods_dir`, reading API objects from `sources`."""

    def __init__(self, pods_dir: Path, sources: VolumeSources, allocatable: dict) -> None:
        self.pods_dir = pods_dir
        self.sources = sources
        self.allocatable = allocatable
        self.mounted: dict[str, dict[str, Path]] = {}  # pod uid -> volume name -> its directory

    def pod_dir(self, key: PodKey) -> Path:
        return self.pods_dir / key.uid

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet/volumemanager/reconciler.reconciler).mountAttachVolumes")
    def set_up(self, action: MountVolumes) -> VolumeSetUp:
        """Set up (again: contents are refreshed) every volume a container mounts."""
        pod = action.manifest
        volumes = {v["name"]: v for v in pod["spec"].get("volumes") or []}
        # A volume mounted before stays mounted when refreshing it fails, as upstream keeps it.
        mounted = self.mounted.setdefault(action.pod.uid, {})
        failures, pod_errors = [], []
        for name in expected_volumes(pod):
            if name not in volumes:  # validation forbids a mount of no volume
                continue
            try:
                mounted[name] = self._set_up_volume(action.pod, volumes[name], pod)
            except _PopulatorError as error:
                pod_errors.append(str(error))
            except VolumeSetUpError as error:
                failures.append((name, set_up_failed(name, str(error))))
            except OSError as error:
                failures.append((name, set_up_failed(name, f"{error.strerror}: {error.filename}")))
        return VolumeSetUp(tuple(mounted), tuple(failures), tuple(pod_errors))

    def _set_up_volume(self, key: PodKey, volume: dict, pod: dict) -> Path:
        plugin = plugin_of(volume)
        if plugin is None:
            raise _PopulatorError(f'failed to get Plugin from volumeSpec for volume "{volume["name"]}" '
                                  "err=no volume plugin matched")
        if plugin == "persistentVolumeClaim":
            return self._claimed(volume, pod)
        if plugin == "hostPath":
            check_host_path(volume["hostPath"]["path"], volume["hostPath"].get("type", ""))
            return Path(volume["hostPath"]["path"])
        target = self.pod_dir(key) / "volumes" / PLUGIN_DIRS[plugin] / volume["name"]
        if plugin == "emptyDir":
            target.mkdir(parents=True, exist_ok=True)
            target.chmod(0o777)
        else:
            AtomicWriter(target).write(volume_payload(volume, pod, self.sources, self.allocatable))
        return target

    def _claimed(self, volume: dict, pod: dict) -> Path:
        namespace = pod["metadata"].get("namespace", "default")
        try:
            pv = claimed_volume(namespace, volume["persistentVolumeClaim"]["claimName"], self.sources)
        except VolumeSetUpError as error:
            raise _PopulatorError(str(error)) from None
        source = pv["spec"].get("hostPath") or pv["spec"].get("local")
        if source is None:
            raise _PopulatorError(f'failed to get Plugin from volumeSpec for volume "{pv["metadata"]["name"]}" '
                                  "err=no volume plugin matched")
        check_host_path(source["path"], source.get("type", ""))
        return Path(source["path"])

    def container_root(self, key: PodKey, container: dict) -> Path:
        """The container's root directory with each of its volumeMounts as a symlink at mountPath."""
        root = self.pod_dir(key) / "containers" / container["name"] / "rootfs"
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        volumes = self.mounted.get(key.uid, {})
        for mount in container.get("volumeMounts") or []:
            if mount["name"] not in volumes:
                continue
            link = root / mount["mountPath"].lstrip("/")
            link.parent.mkdir(parents=True, exist_ok=True)
            link.symlink_to(volumes[mount["name"]] / mount.get("subPath", ""))
        return root

    @mirrors("(*k8s.io/kubernetes/pkg/kubelet.Kubelet).cleanupOrphanedPodDirs")
    def tear_down(self, key: PodKey) -> None:
        """Remove the pod's directory; hostPath and PV directories are the host's and stay."""
        self.mounted.pop(key.uid, None)
        self.sources.forget_pod(key.uid)
        shutil.rmtree(self.pod_dir(key), ignore_errors=True)


class _PopulatorError(VolumeSetUpError):
    """An error before any SetUp (the volume cannot even be described yet): a pod-level error."""
