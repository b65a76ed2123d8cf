"""A failed TCP dial in Go's words, for the components that dial on a client's behalf (the
apiserver's upgrade proxy to a kubelet, the kubelet's port forward to a pod)."""
from __future__ import annotations

import os


def dial_error(err: OSError) -> str:
    """A failed dial as Go's net.OpError ends its text: `connect: connection refused`, `i/o timeout`."""
    if isinstance(err, TimeoutError):
        return "i/o timeout"
    if err.errno and err.errno > 0:  # not a resolver's (negative) code
        return f"connect: {os.strerror(err.errno).lower()}"
    return str(err)
