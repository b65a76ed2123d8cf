"""An opt-in trace of what each component process decides, for the site's request journeys.

With `KUBEATLAS_TRACE=FILE` in its environment, a component process appends one JSON line per
event to FILE: the apiserver a request's verb and resource, its authentication, authorization,
admission and the etcd write it ends in; a reflector the watch events it receives; a controller,
the scheduler, the kubelet or kube-proxy each decision that asks for something (a sync's actions,
a bind, a status patch). Every line names the reference function that made it
(`module.qualname`), whose `@mirrors` names the Go function it stands for, and the process id, which
`kubeatlas cluster` records against the component's name.

Without the variable, `record` returns at once and `decision` leaves the function undecorated, so
a core pays nothing. The trace is an observation of the cores, not an input to them: time is the
wall clock's here because lines from several processes are ordered by it.
"""
from __future__ import annotations

import dataclasses
import functools
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar

from reference_impl.machinery.actions import requests_of

ENV = "KUBEATLAS_TRACE"
F = TypeVar("F", bound=Callable)

_path = os.environ.get(ENV) or None
_fd: int | None = None


def enabled() -> bool:
    return _path is not None


def record(event: str, **fields: Any) -> None:
    """Append `event` with `fields`, named after the calling function; nothing when tracing is off."""
    if _path is None:
        return
    caller = sys._getframe(1)
    _write(event, f"{_module(caller.f_globals)}.{caller.f_code.co_qualname}", fields)


def decision(fn: F) -> F:
    """Trace each call of `fn` (a core's sync or cycle) that returns requests for the apiserver:
    the object it was about (its first argument with metadata) and a summary of each request."""
    if _path is None:
        return fn

    @functools.wraps(fn)
    def traced(*args: Any, **kwargs: Any) -> Any:
        result = fn(*args, **kwargs)
        # Requests sent together (a controller's pod creates or deletes) are traced one by one.
        requests = [summary for step in requests_of(result if isinstance(result, list) else ())
                    if (summary := request_summary(step))]
        if requests:
            fields: dict[str, Any] = {"requests": requests}
            subject = next((s for arg in args if (s := object_ref(arg))), None)
            if subject:
                fields["object"] = subject
            _write("decision", f"{_module(fn.__globals__)}.{fn.__qualname__}", fields)
        return result

    return traced  # type: ignore[return-value]


def _module(namespace: dict) -> str:
    """The module's importable name, also for the one run as `python -m` (`__main__`)."""
    name = namespace.get("__name__", "?")
    spec = namespace.get("__spec__")
    return spec.name if name == "__main__" and spec is not None else name


def object_ref(value: Any) -> dict | None:
    """kind, namespace and name of an API object (or of a record holding one as `.pod`)."""
    obj = getattr(value, "pod", value)
    if not isinstance(obj, dict) or not isinstance(obj.get("metadata"), dict):
        return None
    meta = obj["metadata"]
    ref = {"kind": obj.get("kind", ""), "name": meta.get("name") or meta.get("generateName", "")}
    if meta.get("namespace"):
        ref["namespace"] = meta["namespace"]
    return ref


def request_summary(action: Any) -> dict | None:
    """A core's action (machinery.actions, the scheduler's and kubelet's own) as plain fields:
    its verb (the class's `verb`, else its name), and the resource, namespace, name and node it
    names."""
    if not dataclasses.is_dataclass(action) or isinstance(action, type):
        return None
    summary: dict[str, Any] = {"verb": getattr(type(action), "verb", type(action).__name__)}
    for field in ("resource", "subresource", "namespace", "name", "pod", "node", "reason"):
        value = getattr(action, field, None)
        if isinstance(value, str) and value:
            summary[field] = value
        elif value is not None and hasattr(value, "name") and hasattr(value, "namespace"):
            summary[field] = f"{value.namespace}/{value.name}"  # a kubelet PodKey
    obj = getattr(action, "obj", None)
    if "name" not in summary and isinstance(obj, dict):
        meta = obj.get("metadata") or {}
        if meta.get("name") or meta.get("generateName"):
            summary["name"] = meta.get("name") or meta["generateName"]
    return summary


def _write(event: str, function: str, fields: dict) -> None:
    global _fd
    # The thread tells apart the requests an apiserver serves at once.
    line = {"t": round(time.time(), 6), "pid": os.getpid(), "thread": threading.get_ident(),
            "event": event, "function": function, **fields}
    data = (json.dumps(line, separators=(",", ":"), default=str) + "\n").encode()
    if _fd is None:
        _fd = os.open(_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    # One write per line on an O_APPEND descriptor: lines of concurrent processes never interleave.
    os.write(_fd, data)
