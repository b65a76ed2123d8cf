"""A container's environment and command line as the kubelet resolves them before starting it.

`env[].valueFrom.fieldRef` reads the pod (`metadata.name`, `status.podIP`, ...), each `value` may
refer to variables defined before it as `$(NAME)`, and `command`/`args` are expanded against the
finished environment. An unknown `$(NAME)` stays as written and `$$` escapes a `$`, as in Kubernetes.
"""
from __future__ import annotations

from reference_impl.mirrors import mirrors

from .errors import KubeletError


class EnvVarError(KubeletError):
    """An env var the process runtime cannot resolve (a fieldRef path or a source it does not support)."""

    def __init__(self, container: str, name: str, reason: str):
        self.container, self.name, self.reason = container, name, reason
        super().__init__(f"container {container!r} env {name!r}: {reason}")


@mirrors("k8s.io/kubernetes/third_party/forked/golang/expansion.Expand")
def expand(text: str, env: dict[str, str]) -> str:
    """Replace `$(NAME)` with env[NAME]; `$$` is a literal `$`; anything else is kept as written."""
    out: list[str] = []
    checkpoint = cursor = 0
    while cursor < len(text):
        if text[cursor] == "$" and cursor + 1 < len(text):
            out.append(text[checkpoint:cursor])
            following = text[cursor + 1]
            advance = 1
            if following == "$":
                out.append("$")
            elif following == "(":
                close = text.find(")", cursor + 2)
                if close == -1:
                    out.append("$(")
                else:
                    name = text[cursor + 2:close]
                    out.append(env[name] if name in env else f"$({name})")
                    advance = close - cursor
            else:
                out.append("$" + following)
            cursor += advance
            checkpoint = cursor + 1
        cursor += 1
    return "".join(out) + text[checkpoint:]


@mirrors("(*k8s.io/kubernetes/pkg/kubelet.Kubelet).podFieldSelectorRuntimeValue")
def field_value(pod: dict, pod_ip: str, field_path: str) -> str | None:
    """The value a fieldRef names, or None for a path not supported here."""
    meta, spec = pod.get("metadata", {}), pod.get("spec", {})
    values = {
        "metadata.name": meta.get("name", ""),
        "metadata.namespace": meta.get("namespace", "default"),
        "metadata.uid": meta.get("uid", ""),
        "spec.nodeName": spec.get("nodeName", ""),
        "spec.serviceAccountName": spec.get("serviceAccountName", ""),
        "status.podIP": pod_ip,
        "status.podIPs": pod_ip,
    }
    return values.get(field_path)


@mirrors("(*k8s.io/kubernetes/pkg/kubelet.Kubelet).makeEnvironmentVariables")
def make_environment(pod: dict, container: dict, pod_ip: str) -> dict[str, str]:
    """The container's env in order, each value expanded against the ones defined before it."""
    env: dict[str, str] = {}
    for var in container.get("env") or []:
        name = var["name"]
        source = var.get("valueFrom")
        if source is None:
            env[name] = expand(var.get("value", ""), env)
        elif "fieldRef" in source:
            path = source["fieldRef"].get("fieldPath", "")
            value = field_value(pod, pod_ip, path)
            if value is None:
                raise EnvVarError(container["name"], name, f"fieldRef {path!r} is not supported")
            env[name] = value
        else:
            raise EnvVarError(container["name"], name, f"valueFrom {sorted(source)} is not supported")
    return env


@mirrors("k8s.io/kubernetes/pkg/kubelet/container.ExpandContainerCommandAndArgs")
def resolve_container(pod: dict, container: dict, pod_ip: str) -> dict:
    """The container spec with a literal env (name/value pairs) and its command and args expanded."""
    env = make_environment(pod, container, pod_ip)
    resolved = {**container, "env": [{"name": k, "value": v} for k, v in env.items()]}
    for key in ("command", "args"):
        if container.get(key):
            resolved[key] = [expand(item, env) for item in container[key]]
    return resolved
