"""`componentstatuses` (v1 ComponentStatus, deprecated in 1.19, list and get only): the health of the
control plane's other processes, probed on every request and never stored.

Upstream probes each etcd server of --etcd-servers at `/health` and kube-scheduler and
kube-controller-manager at their fixed 1.24 addresses, https://127.0.0.1:10259/healthz and
:10257/healthz, skipping TLS verification. The reference server probes the same addresses under
the same names (`etcd-0`, `scheduler`, `controller-manager`). `kubeatlas cluster` runs no process
there: its reference scheduler and controller-manager serve no /healthz (their readiness is their
"ready" line), a real one in a mixed cluster gets a free --secure-port, and the reference etcd
answers /health only on --listen-metrics-urls, not on its gRPC client URL. So what
`kubectl get cs` shows of a reference cluster is what the real 1.24 server shows of it: the
probe's failure, worded as Go's HTTP client words it. Real etcd 3.4 answers /health on its client
URL and reads Healthy.

This module is the decision: which servers, and what a probe's outcome makes of a ComponentStatus.
The probe itself (`adapter.probe`) is passed in.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable, Iterable

from reference_impl.mirrors import mirrors

DEPRECATION_WARNING = "v1 ComponentStatus is deprecated in v1.19+"
KUBE_SCHEDULER_PORT = 10259  # kubeschedulerconfig.DefaultKubeSchedulerPort
KUBE_CONTROLLER_MANAGER_PORT = 10257  # ports.KubeControllerManagerPort

# probe.Result
SUCCESS, FAILURE, WARNING, UNKNOWN = "success", "failure", "warning", "unknown"


@dataclass(frozen=True)
class ProbeOutcome:
    """What httpprober's Probe returns: the result, the output (the body, or the client's error
    text for a failed request) and an error (a body that could not be read)."""

    result: str
    output: str
    error: str = ""


Prober = Callable[[str], ProbeOutcome]  # url -> outcome


@dataclass(frozen=True)
class Server:
    """One componentstatus.HttpServer: where to probe, and how to validate the body."""

    url: str
    validate: Callable[[str], str | None] | None = None  # body -> why it is unhealthy, or None


@mirrors("k8s.io/apiserver/pkg/storage/etcd3.EtcdHealthCheck")
def etcd_health_problem(body: str) -> str | None:
    """etcd's /health body must be JSON whose `health` is "true"."""
    try:
        health = json.loads(body)
    except ValueError as err:
        return _go_json_error(body, err)
    value = health.get("health", "") if isinstance(health, dict) else ""
    if value != "true":
        return f"Unhealthy status: {value if isinstance(value, str) else ''}"
    return None


def _go_json_error(body: str, err: ValueError) -> str:
    """encoding/json's error for an undecodable body, in its words for the two common cases."""
    rest = body[getattr(err, "pos", 0):]
    if not rest.strip():
        return "unexpected end of JSON input"
    return f"invalid character '{rest[0]}' looking for beginning of value"


@mirrors("(k8s.io/kubernetes/pkg/registry/core/rest.componentStatusStorage).serversToValidate")
def servers_to_validate(etcd_urls: Iterable[str]) -> dict[str, Server]:
    """The scheduler and the controller-manager at their fixed ports, and `etcd-<i>` for each etcd
    server in --etcd-servers order."""
    servers = {
        "controller-manager": Server(f"https://127.0.0.1:{KUBE_CONTROLLER_MANAGER_PORT}/healthz"),
        "scheduler": Server(f"https://127.0.0.1:{KUBE_SCHEDULER_PORT}/healthz"),
    }
    for i, url in enumerate(etcd_urls):
        servers[f"etcd-{i}"] = Server(url.rstrip("/") + "/health", etcd_health_problem)
    return servers


@mirrors("(*k8s.io/kubernetes/pkg/registry/core/componentstatus.HttpServer).DoServerCheck")
def do_server_check(server: Server, outcome: ProbeOutcome) -> ProbeOutcome:
    """The probe's outcome, a Failure when the body of a successful probe does not validate."""
    if outcome.error or outcome.result == FAILURE or server.validate is None:
        return outcome
    problem = server.validate(outcome.output)
    if problem is not None:
        return ProbeOutcome(FAILURE, outcome.output, problem)
    return outcome


@mirrors("k8s.io/kubernetes/pkg/registry/core/componentstatus.ToConditionStatus")
def to_condition_status(result: str) -> str:
    return {SUCCESS: "True", FAILURE: "False"}.get(result, "Unknown")


@mirrors("(*k8s.io/kubernetes/pkg/registry/core/componentstatus.REST).getComponentStatus")
def component_status(name: str, server: Server, probe: Prober) -> dict:
    """The ComponentStatus of `name`: one Healthy condition from a probe made now. Its metadata
    holds only the name, as upstream's: no uid, no resourceVersion, and a null creation time (a zero
    metav1.Time, which omitempty cannot leave out)."""
    outcome = do_server_check(server, probe(server.url))
    condition = {"type": "Healthy", "status": to_condition_status(outcome.result)}
    if outcome.output:
        condition["message"] = outcome.output
    if outcome.error:
        condition["error"] = outcome.error
    return {"kind": "ComponentStatus", "apiVersion": "v1", "metadata": {"name": name, "creationTimestamp": None},
            "conditions": [condition]}


class ComponentNotFound(Exception):
    """Get of a name that is not one of the servers: upstream's plain error, a 500 to the client."""

    def __init__(self, name: str) -> None:
        self.name = name
        super().__init__(f"Component not found: {name}")


@mirrors("(*k8s.io/kubernetes/pkg/registry/core/componentstatus.REST).Get")
def get(servers: dict[str, Server], name: str, probe: Prober) -> dict:
    if name not in servers:
        raise ComponentNotFound(name)
    return component_status(name, servers[name], probe)


@mirrors("(*k8s.io/kubernetes/pkg/registry/core/componentstatus.REST).List")
def list_statuses(servers: dict[str, Server], probe: Prober, matches: Callable[[dict], bool]) -> dict:
    """Every server's status that `matches` the list's selectors, without kind and apiVersion as a
    list's items are encoded. Upstream probes them all at once and collects them in the order the
    probes finish; here they come in the servers' order."""
    statuses = (component_status(name, server, probe) for name, server in servers.items())
    items = [{"metadata": status["metadata"], "conditions": status["conditions"]}
             for status in statuses if matches(status)]
    return {"kind": "ComponentStatusList", "apiVersion": "v1", "metadata": {}, "items": items}
