"""What client-go gives the Go components, in Python: a Reflector that lists then watches, an
indexed cache with event handlers, a rate-limited work queue and Lease-based leader election.

Every core is sans-IO (time comes from an injected clock); `rest.py` is the thin HTTP adapter
that drives them against a real apiserver.
"""
from __future__ import annotations

import http.client
import json


class ClientError(Exception):
    """Root of this package's errors."""


class KubeconfigError(ClientError):
    """The kubeconfig a component was given cannot be read or lacks an entry: the user's mistake."""


class InClusterConfigError(ClientError):
    """No kubeconfig was given: where upstream's component falls back to the in-cluster
    configuration (which the reference does not have) and fails, at run time, in its words."""


class LeaderElectionLost(ClientError):
    """A leader that could not renew its Lease in time, or saw another take it: upstream's
    components exit then (OnStoppedLeading) for their supervisor to restart them as candidates."""


class Gone(ClientError):
    """410 Gone: the resourceVersion a watch asked for was compacted away; relist."""

    def __init__(self, resource_version: str | None, message: str = ""):
        super().__init__(resource_version, message)
        self.resource_version, self.message = resource_version, message

    def __str__(self) -> str:
        return f"resourceVersion {self.resource_version} is gone: {self.message}"


class APIStatusError(ClientError):
    """A non-2xx answer from the apiserver, carrying its metav1 Status."""

    def __init__(self, method: str, path: str, code: int, status: dict):
        super().__init__(method, path, code)
        self.method, self.path, self.code, self.status = method, path, code, status

    def __str__(self) -> str:
        return f"{self.method} {self.path}: {self.code} {self.status.get('message', '')}"

    def refused_for(self, reasons: tuple[str, ...]) -> bool:
        """The Status's reason, or the type of one of its causes, is one of `reasons`: what
        apierrors.ReasonForError and HasStatusCause tell a Go controller."""
        causes = (self.status.get("details") or {}).get("causes") or []
        return self.status.get("reason") in reasons or any(c.get("reason") in reasons for c in causes)


# What a request to the apiserver may raise besides its refusal: the connection's failure, an
# answer cut off or not HTTP (http.client's errors, which are no OSError), a body that is no JSON,
# or text that does not encode or decode. Not every ValueError: that of a bug is no transport's.
TRANSPORT_ERRORS = (OSError, http.client.HTTPException, json.JSONDecodeError, UnicodeError)
REQUEST_ERRORS = (APIStatusError, *TRANSPORT_ERRORS)
