"""What the live cluster tests share: kubectl against a cluster's kubeconfig, and polling."""
from __future__ import annotations

import subprocess
import time

import pytest


def kubectl(kubeconfig, *args: str, stdin: str | None = None) -> str:
    """kubectl's output; a failing command fails the test with kubectl's error."""
    result = subprocess.run(["kubectl", "--kubeconfig", str(kubeconfig), *args], capture_output=True, text=True,
                            timeout=60, input=stdin)
    assert result.returncode == 0, f"kubectl {' '.join(args)}: {result.stderr}"
    return result.stdout


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
