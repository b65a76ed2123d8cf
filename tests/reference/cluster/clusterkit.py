"""What the live cluster tests share: a one-kubelet cluster, kubectl against its kubeconfig, and polling."""
from __future__ import annotations

import shutil
import subprocess
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import pytest

from analyzer.cli import main


def kubectl(kubeconfig, *args: str, stdin: str | None = None) -> str:
    """kubectl's output; a failing command fails the test with kubectl's error."""
    result = run_kubectl(kubeconfig, *args, stdin=stdin)
    assert result.returncode == 0, f"kubectl {' '.join(args)}: {result.stderr}"
    return result.stdout


def run_kubectl(kubeconfig, *args: str, stdin: str | None = None,
                binary: str = "kubectl") -> subprocess.CompletedProcess:
    """kubectl's exit code, stdout and stderr, whatever they are."""
    return subprocess.run([binary, "--kubeconfig", str(kubeconfig), *args], capture_output=True, text=True,
                          timeout=60, input=stdin)


def newest_kubectl() -> str:
    """The newest of the versioned kubectls installed beside `kubectl` (kubectl.1.33, ...), else kubectl."""
    found = shutil.which("kubectl")
    if found is None:
        return "kubectl"
    versions = [(tuple(int(n) for n in p.name.split(".")[1:]), p) for p in Path(found).resolve().parent.glob("kubectl.1.*")
                if all(n.isdigit() for n in p.name.split(".")[1:])]
    return str(max(versions)[1]) if versions else "kubectl"


def wait_for(predicate, timeout: float, what: str, interval: float = 0.2):
    """`predicate()`'s first truthy value, polled every `interval` s; fails after `timeout` s."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


@contextmanager
def one_kubelet_cluster(tmp_path_factory, name: str):
    """`kubeatlas cluster up --kubelets 1` in a fresh folder; yields the folder, then `cluster down`."""
    directory: Path = tmp_path_factory.mktemp(name) / "cluster"
    assert main(["cluster", "up", "--dir", str(directory), "--kubelets", "1"]) == 0
    try:
        yield directory
    finally:
        main(["cluster", "down", "--dir", str(directory)])


# The test modules that call shared_one_kubelet_cluster work each in a namespace of its own, so
# those that run one after another share one cluster instead of each waiting for its own `cluster
# up`. tests/conftest.py stops it before a test of any other module, so that it never idles beside
# another module's cluster.
_shared: tuple[ExitStack, Path] | None = None


def shared_one_kubelet_cluster(tmp_path_factory) -> Path:
    """The folder of the shared one-kubelet cluster, brought up if it is not running."""
    global _shared
    if _shared is None:
        stack = ExitStack()
        _shared = stack, stack.enter_context(one_kubelet_cluster(tmp_path_factory, "one-kubelet"))
    return _shared[1]


def uses_shared_cluster(module) -> bool:
    return getattr(module, "shared_one_kubelet_cluster", None) is shared_one_kubelet_cluster


def stop_shared_cluster() -> None:
    """`cluster down` the shared cluster, if it runs."""
    global _shared
    if _shared is not None:
        stack, _shared = _shared[0], None
        stack.close()
