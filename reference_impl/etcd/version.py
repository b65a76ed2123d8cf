"""Which etcd the reference answers as: one release, read by Status, the metrics and the snapshot.

The server speaks etcd 3.4's v3 API: 3.4's methods (no AuthStatus or Downgrade), its errors and the
backend layout its `snapshot restore` and server read, all checked against Debian's etcd 3.4.23.
The Go symbols the code names come from etcd v3.5.1's tree, the one the analyzer indexes, where
these parts read the same; a client asking the version is told the release it is talking to.
"""
from __future__ import annotations

from reference_impl.mirrors import mirrors

VERSION = "3.4.23"


@mirrors("go.etcd.io/etcd/api/v3/version.Cluster")
def cluster_version(version: str) -> str:
    """The cluster version of a server at `version`, as etcd saves it in the backend's cluster
    bucket: major.minor, written out as a full semver (`3.4.0`)."""
    major, minor, *_ = version.split(".")
    return f"{major}.{minor}.0"


CLUSTER_VERSION = cluster_version(VERSION)


def version_text() -> str:
    """What `--version` prints: etcdmain's four lines, the version first (the build lines say
    what the reference is built from)."""
    import platform

    return (f"etcd Version: {VERSION}\nGit SHA: Not provided (kubeatlas reference)\n"
            f"Go Version: none (Python {platform.python_version()})\n"
            f"Go OS/Arch: {platform.system().lower()}/{platform.machine()}")
