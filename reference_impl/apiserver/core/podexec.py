"""`pods/exec`, `pods/attach` and `pods/portforward`: where an exec, an attach or a port forward
goes, decided with every check the apiserver makes before it proxies the connection to the kubelet
of the pod's node (`kubectl exec`, `kubectl attach`, `kubectl port-forward`).

Upstream the REST handler is a Connecter: ExecREST.Connect asks the authorizer for `create` (a
WebSocket client reaches it with GET, authorized as `get`), ExecLocation picks the container and the
node and writes the kubelet's `/exec/...` URL, and an UpgradeAwareHandler proxies the upgraded
connection there. Here the core returns an `UpgradeResponse` naming that location; the HTTP adapter
(`adapter/upgradeproxy`) dials the kubelet and moves the bytes. The apiserver does not check the
command, nor whether the container runs: the kubelet answers those.
"""
from __future__ import annotations

import urllib.parse
from dataclasses import dataclass

from reference_impl.apiserver.core import errors
from reference_impl.machinery import gojson
from reference_impl.machinery.params import KUBELET_STREAM_PARAMS, query_bool
from reference_impl.mirrors import mirrors

STREAMS = ("stdin", "stdout", "stderr", "tty")


@dataclass(frozen=True)
class PodExecOptions:
    """core.PodExecOptions as the query carries them (booleans as the parameter codec reads them)."""

    container: str = ""
    command: tuple[str, ...] = ()
    stdin: bool = False
    stdout: bool = False
    stderr: bool = False
    tty: bool = False


@dataclass
class UpgradeResponse:
    """Proxy this request's upgrade to `host:port` + `path` (with its query); the kubelet's answer,
    a 101 or a refusal, goes back to the client as it is."""

    host: str
    port: int
    path: str
    code: int = 101  # what the metrics record for a connection handed over


def exec_options(query: dict) -> PodExecOptions:
    return PodExecOptions(container=(query.get("container") or [""])[0], command=tuple(query.get("command") or ()),
                          **{name: query_bool(query.get(name)) for name in STREAMS})


def attach_options(query: dict) -> PodExecOptions:
    """core.PodAttachOptions: exec's options without a command."""
    return PodExecOptions(container=(query.get("container") or [""])[0],
                          **{name: query_bool(query.get(name)) for name in STREAMS})


@mirrors("k8s.io/kubernetes/pkg/registry/core/pod.validateContainer")
def stream_container(pod: dict, container: str) -> str:
    """The container named (any kind), or the pod's only container; 400 in upstream's words when
    there is none, several and none named, or the name is not the pod's."""
    spec = pod.get("spec") or {}
    name = pod["metadata"]["name"]
    every = [c["name"] for kind in ("initContainers", "containers", "ephemeralContainers")
             for c in spec.get(kind) or []]
    if container:
        if container not in every:
            raise errors.bad_request(f"container {container} is not valid for pod {name}")
        return container
    containers = spec.get("containers") or []
    if len(containers) == 1:
        return containers[0]["name"]
    if not containers:
        raise errors.bad_request(f"a container name must be specified for pod {name}")
    raise errors.bad_request(f"a container name must be specified for pod {name}, "
                             f"choose one of: [{' '.join(every)}]")


@mirrors("k8s.io/kubernetes/pkg/registry/core/pod.streamParams")
def stream_query(options: PodExecOptions) -> str:
    """The kubelet's query: each requested stream as "1" under its kubelet name (`output` for
    stdout, ...), then the command's words."""
    params = [(KUBELET_STREAM_PARAMS[name], "1") for name in STREAMS if getattr(options, name)]
    return urllib.parse.urlencode(params + [("command", word) for word in options.command])


@mirrors("k8s.io/kubernetes/pkg/registry/core/pod.ExecLocation", "k8s.io/kubernetes/pkg/registry/core/pod.AttachLocation",
         "k8s.io/kubernetes/pkg/registry/core/pod.streamLocation")
def exec_path(pod: dict, options: PodExecOptions, kind: str = "exec") -> str:
    """The kubelet's `/<kind>/<namespace>/<pod>/<container>?...` for this exec or attach; 400 for
    a pod not scheduled yet."""
    container = stream_container(pod, options.container)
    meta = pod["metadata"]
    if not (pod.get("spec") or {}).get("nodeName"):
        raise errors.bad_request(f"pod {meta['name']} does not have a host assigned")
    path = f"/{kind}/" + "/".join(urllib.parse.quote(p, safe="") for p in (meta["namespace"], meta["name"], container))
    return f"{path}?{stream_query(options)}"


@mirrors("k8s.io/apimachinery/pkg/apis/meta/v1.Convert_Slice_string_To_Slice_int32")
def port_forward_ports(query: dict) -> tuple[int, ...]:
    """core.PodPortForwardOptions' ports: every comma-separated piece of every `ports` value read
    as a 16-bit unsigned number; 400 with strconv's words for one that is not (an empty piece too)."""
    ports = []
    for value in query.get("ports") or ():
        for piece in value.split(","):
            ports.append(_parse_uint16(piece))
    return tuple(ports)


def _parse_uint16(text: str) -> int:
    """strconv.ParseUint(text, 10, 16), its error in the apiserver's BadRequest (quoted with %q)."""
    if not (text.isascii() and text.isdigit()):  # no sign, no underscore: base 10 is given
        raise errors.bad_request(f"cannot convert to []int32: strconv.ParseUint: parsing {gojson.quote(text)}: "
                                 "invalid syntax")
    if int(text) > 0xFFFF:
        raise errors.bad_request(f'cannot convert to []int32: strconv.ParseUint: parsing "{text}": value out of range')
    return int(text)


@mirrors("k8s.io/kubernetes/pkg/registry/core/pod.PortForwardLocation")
def port_forward_path(pod: dict, ports: tuple[int, ...]) -> str:
    """The kubelet's `/portForward/<namespace>/<pod>`, with the ports asked for in the query (a
    WebSocket client names them there, SPDY ones per stream); 400 for a pod not scheduled yet."""
    meta = pod["metadata"]
    if not (pod.get("spec") or {}).get("nodeName"):
        raise errors.bad_request(f"pod {meta['name']} does not have a host assigned")
    path = "/portForward/" + "/".join(urllib.parse.quote(p, safe="") for p in (meta["namespace"], meta["name"]))
    return f"{path}?{urllib.parse.urlencode({'port': ','.join(map(str, ports))})}" if ports else path


# Headers the proxied request does not carry on: the authentication filter has removed
# Authorization (the impersonation filter its own, from the request itself), and the kubelet's
# Host is its own.
_NOT_FORWARDED = frozenset({"authorization", "host"})


@mirrors("k8s.io/apimachinery/pkg/util/net.CloneRequest", "k8s.io/apimachinery/pkg/util/net.AppendForwardedForHeader")
def forwarded_headers(headers, host: str, port: int, client_address: str) -> list[tuple[str, str]]:
    """The client's headers as the kubelet gets them: its own Host, no credentials, and the
    client's address appended to X-Forwarded-For."""
    kept = [(k, v) for k, v in headers.items() if k.lower() not in _NOT_FORWARDED | {"x-forwarded-for"}]
    prior = headers.get("X-Forwarded-For")
    forwarded = f"{prior}, {client_address}" if prior and client_address else prior or client_address
    return [("Host", f"{host}:{port}"), *kept] + ([("X-Forwarded-For", forwarded)] if forwarded else [])
