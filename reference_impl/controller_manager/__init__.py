"""Sans-IO controller sync functions after Kubernetes 1.24's pkg/controller: each takes the state
its informer caches hold and returns the API requests to make, and the Events to record about
them (see `machinery/actions.py`).
"""
from __future__ import annotations


class ControllerError(Exception):
    """Root of this package's errors."""
