"""Rules for pod IPs, fieldRef env vars and $(VAR) expansion: deterministic, no processes."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[3]))

from reference_impl.machinery.clock import ManualClock  # noqa: E402
from reference_impl.kubelet.actions import RunProbe, StartContainer  # noqa: E402
from reference_impl.machinery.actions import Patch, RecordEvent  # noqa: E402
from reference_impl.kubelet.envvars import expand  # noqa: E402
from reference_impl.kubelet.kubelet import Kubelet  # noqa: E402
from reference_impl.kubelet.run import default_pod_cidr  # noqa: E402


NOW = 1_700_000_000.0  # the kubelet's clock; these rules never move it


def make_pod(name="p", env=None, command=None, args=None, node="node-1", **spec):
    container = {"name": "app", "image": "busybox", "command": command or ["sleep", "60"], "env": env or []}
    if args is not None:
        container["args"] = args
    return {"metadata": {"namespace": "shop", "name": name, "uid": f"uid-{name}"},
            "spec": {"nodeName": node, "containers": [container], **spec}}


def start(kubelet: Kubelet, *pods: dict) -> list:
    kubelet.set_desired_pods(list(pods))
    return kubelet.sync_loop_iteration()


def started(actions: list) -> dict:
    return next(a for a in actions if isinstance(a, StartContainer)).container


def statuses(actions: list) -> dict:
    return {a.name: a.patch["status"] for a in actions if isinstance(a, Patch) and a.resource == "pods"}


def test_each_pod_gets_its_own_ip_from_the_pod_cidr_after_the_gateway():
    """Pods get the lowest free addresses of pod_cidr, skipping the first (the gateway's)."""
    kubelet = Kubelet("node-1", ManualClock(NOW), pod_cidr="127.0.1.0/24")
    status = statuses(start(kubelet, make_pod("a"), make_pod("b")))
    assert status["a"]["podIP"] == "127.0.1.2" and status["a"]["podIPs"] == [{"ip": "127.0.1.2"}]
    assert status["b"]["podIP"] == "127.0.1.3"
    assert status["a"]["hostIP"] == "127.0.0.1"


def test_a_removed_pods_ip_is_reused_once_its_containers_stopped():
    """An address returns to the pool when the pod's record is gone, and the next pod takes it."""
    kubelet = Kubelet("node-1", ManualClock(NOW), pod_cidr="127.0.1.0/24", hollow=True)
    start(kubelet, make_pod("a"), make_pod("b"))
    start(kubelet, make_pod("b"))
    assert statuses(start(kubelet, make_pod("b"), make_pod("c")))["c"]["podIP"] == "127.0.1.2"


def test_without_a_pod_cidr_pods_share_the_node_ip():
    """With no pod_cidr (hollow nodes) every pod reports the node's IP."""
    kubelet = Kubelet("node-1", ManualClock(NOW))
    assert statuses(start(kubelet, make_pod("a")))["a"]["podIP"] == "127.0.0.1"


def test_a_host_network_pod_uses_the_node_ip():
    """hostNetwork pods take no address from the pod CIDR."""
    kubelet = Kubelet("node-1", ManualClock(NOW), pod_cidr="127.0.1.0/24")
    assert statuses(start(kubelet, make_pod("a", hostNetwork=True)))["a"]["podIP"] == "127.0.0.1"


def test_a_full_pod_cidr_leaves_the_pod_creating():
    """With no free address the container is not started and waits in ContainerCreating."""
    kubelet = Kubelet("node-1", ManualClock(NOW), pod_cidr="127.0.1.0/30")  # hosts .1 (gateway) and .2
    actions = start(kubelet, make_pod("a"), make_pod("b"))
    assert [a.pod.name for a in actions if isinstance(a, StartContainer)] == ["a"]
    assert "podIP" not in statuses(actions)["b"]
    assert statuses(actions)["b"]["containerStatuses"][0]["state"]["waiting"]["reason"] == "ContainerCreating"


def test_field_refs_resolve_from_the_pod():
    """fieldRef env vars read metadata.name, metadata.namespace, spec.nodeName and status.podIP."""
    env = [{"name": n, "valueFrom": {"fieldRef": {"fieldPath": p}}}
           for n, p in (("NAME", "metadata.name"), ("NS", "metadata.namespace"), ("NODE", "spec.nodeName"),
                        ("IP", "status.podIP"))]
    kubelet = Kubelet("node-1", ManualClock(NOW), pod_cidr="127.0.1.0/24")
    container = started(start(kubelet, make_pod("a", env=env)))
    assert container["env"] == [{"name": "NAME", "value": "a"}, {"name": "NS", "value": "shop"},
                                {"name": "NODE", "value": "node-1"}, {"name": "IP", "value": "127.0.1.2"}]


def test_an_unsupported_field_ref_is_a_create_container_config_error():
    """A fieldRef path the kubelet cannot resolve keeps the container waiting with CreateContainerConfigError."""
    env = [{"name": "X", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['x']"}}}]
    kubelet = Kubelet("node-1", ManualClock(NOW), pod_cidr="127.0.1.0/24")
    actions = start(kubelet, make_pod("a", env=env))
    assert not [a for a in actions if isinstance(a, StartContainer)]
    waiting = statuses(actions)["a"]["containerStatuses"][0]["state"]["waiting"]
    assert waiting["reason"] == "CreateContainerConfigError" and "metadata.labels" in waiting["message"]


def test_a_create_container_config_error_is_a_failed_event_each_pod_worker_back_off():
    """startContainer: the image is ensured (Pulled) before the config fails, then the Warning
    `Failed` with `Error: <why>`, the waiting message; written again once the pod worker's 10 s
    back-off has passed, not at each sync."""
    env = [{"name": "X", "valueFrom": {"fieldRef": {"fieldPath": "metadata.labels['x']"}}}]
    clock = ManualClock(NOW)
    kubelet = Kubelet("node-1", clock, pod_cidr="127.0.1.0/24")
    actions = start(kubelet, make_pod("a", env=env))
    waiting = statuses(actions)["a"]["containerStatuses"][0]["state"]["waiting"]
    events = [a for a in actions if isinstance(a, RecordEvent)]
    assert [(e.type, e.reason, e.message) for e in events] == [
        ("Normal", "Pulled", 'Container image "busybox" already present on machine'),
        ("Warning", "Failed", f"Error: {waiting['message']}")]
    clock.advance(9)
    assert not [a for a in kubelet.sync_loop_iteration() if isinstance(a, RecordEvent)]
    clock.advance(1)
    assert [a.reason for a in kubelet.sync_loop_iteration() if isinstance(a, RecordEvent)] == ["Pulled", "Failed"]


def test_command_and_args_expand_env_vars():
    """$(VAR) in command and args is replaced with the container's env var."""
    env = [{"name": "IP", "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}}, {"name": "PORT", "value": "80"}]
    kubelet = Kubelet("node-1", ManualClock(NOW), pod_cidr="127.0.1.0/24")
    container = started(start(kubelet, make_pod("a", env=env, command=["serve", "$(IP)"], args=["--port=$(PORT)"])))
    assert container["command"] == ["serve", "127.0.1.2"] and container["args"] == ["--port=80"]


def test_an_env_value_expands_vars_defined_before_it_only():
    """A value may refer to earlier env vars; a later or unknown one stays as written."""
    env = [{"name": "A", "value": "x"}, {"name": "B", "value": "$(A)-$(C)"}, {"name": "C", "value": "z"}]
    container = started(start(Kubelet("node-1", ManualClock(NOW)), make_pod("a", env=env)))
    assert container["env"][1] == {"name": "B", "value": "x-$(C)"}


def test_double_dollar_escapes_a_reference():
    """$$ is a literal $, so $$(VAR) is not expanded."""
    assert expand("$$(A) $(A) $$ $x", {"A": "1"}) == "$(A) 1 $ $x"


def test_unknown_and_unclosed_references_are_kept():
    """An unknown $(VAR), an unclosed $( and a trailing $ stay as written."""
    assert expand("$(NOPE) $(A $", {"A": "1"}) == "$(NOPE) $(A $"


def test_probes_connect_to_the_pod_ip():
    """httpGet and tcpSocket probes without a host go to the pod's IP."""
    pod = make_pod("a")
    pod["spec"]["containers"][0]["readinessProbe"] = {"tcpSocket": {"port": 80}}
    kubelet = Kubelet("node-1", ManualClock(NOW), pod_cidr="127.0.1.0/24")
    start(kubelet, pod)
    kubelet.container_started(kubelet.pods["uid-a"].key, "app", "process://1")
    probe = next(a for a in kubelet.sync_loop_iteration() if isinstance(a, RunProbe))
    assert probe.pod_ip == "127.0.1.2"


def test_a_numbered_node_gets_its_own_loopback_subnet():
    """The run adapter's default pod CIDR for node-N is 127.0.N.0/24; other names share the node IP."""
    assert default_pod_cidr("node-3") == "127.0.3.0/24"
    assert default_pod_cidr("worker") is None and default_pod_cidr("node-300") is None
