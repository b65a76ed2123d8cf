"""The kubelet package's one error root."""
from __future__ import annotations


class KubeletError(Exception):
    """Root of every error the reference kubelet raises."""


class UnsupportedPodError(KubeletError):
    """A pod uses a feature the reference kubelet does not run."""

    def __init__(self, pod: str, feature: str) -> None:
        self.pod = pod
        self.feature = feature
        super().__init__(f"pod {pod}: {feature} is not supported by the reference kubelet")


class ContainerStartError(KubeletError):
    """The runtime could not start a container's process."""

    def __init__(self, pod: str, container: str, reason: str) -> None:
        self.pod = pod
        self.container = container
        self.reason = reason
        super().__init__(f"pod {pod} container {container}: {reason}")


class ProbePortError(KubeletError):
    """A probe's port that names no port of the container, or is no port number."""
