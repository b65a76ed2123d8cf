"""The userspace kube-proxy's sync over its informers' caches (filled by hand, no apiserver): an
odd Service or Endpoints object must not stop the sync of the others."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from reference_impl.client.cache import ResourceEventHandler
from reference_impl.proxy.iptables import service_port_infos
from reference_impl.proxy.run import ProxyRunner

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "machinery"))
from panicking import exit_code_and_stderr  # noqa: E402


def service(name: str, **fields) -> dict:
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name, "namespace": "default"},
            "spec": {"clusterIP": "10.0.0.1", "ports": [{"port": 0}]}, **fields}


@pytest.fixture
def runner():
    r = ProxyRunner(None, "127.0.0.1", None)  # informers never started: their stores are filled here
    yield r
    r.proxier.close()


def test_null_status_and_ports_read_as_empty():
    """JSON null decodes to Go's zero value: a Service with `status: null` is served, one with
    `spec.ports: null` has no ports."""
    assert len(service_port_infos(service("a", status=None))) == 1
    assert service_port_infos(service("b", spec={"clusterIP": "10.0.0.2", "ports": None})) == []


def test_a_service_it_does_not_support_is_skipped_and_the_others_served(runner, capsys):
    """A Service the userspace proxier does not program (here with spec.externalIPs) is logged
    once; the Services after it are served."""
    runner.services.store.add(service("odd", spec={"clusterIP": "10.0.0.2", "ports": [{"port": 0}],
                                                   "externalIPs": ["192.0.2.1"]}))
    runner.services.store.add(service("good"))
    runner.sync_once()
    runner.sync_once()
    assert list(runner.serving) == ["default/good/TCP"]
    assert capsys.readouterr().err.count("default/odd") == 1


def test_a_service_whose_ports_raise_a_bug_ends_the_process_with_a_panic(runner, monkeypatch, capsys):
    """SyncLoop runs syncProxyRules on a goroutine with no recover: a Service whose ports raise
    what Go returns no error for (a bug) ends kube-proxy with Go's `panic: VALUE` (exit 2), nothing
    logged as "Observed a panic" first, instead of the Service skipped and the others served."""
    import reference_impl.proxy.run as proxy_run
    monkeypatch.setattr(proxy_run, "start_and_sync", lambda informers, stop: True)
    real = proxy_run.service_port_infos

    def infos(svc):
        if svc["metadata"]["name"] == "bad":
            raise TypeError("odd field")
        return real(svc)
    monkeypatch.setattr(proxy_run, "service_port_infos", infos)
    runner.services.store.add(service("good"))
    code, err = exit_code_and_stderr("reference kube-proxy", runner.run, runner.stop,
                                     lambda: runner.services.store.add(service("bad")))
    assert (code, err) == (2, "panic: TypeError('odd field')\n")
    log = capsys.readouterr().err
    assert "TypeError: odd field" in log and "Observed a panic" not in log


def test_an_informer_handler_that_raises_ends_the_process_with_a_panic(runner, monkeypatch, capsys):
    """kube-proxy's Service and Endpoints handlers run in client-go's processorListener under
    HandleCrash, which logs "Observed a panic" and panics on: a handler that raises ends the
    process with Go's `panic: VALUE [recovered]` (exit 2) instead of a log line."""
    import reference_impl.proxy.run as proxy_run
    monkeypatch.setattr(proxy_run, "start_and_sync", lambda informers, stop: True)

    def unreadable(obj):
        raise KeyError("spec")
    runner.endpoints.store.add_event_handler(ResourceEventHandler(on_add=unreadable))
    code, err = exit_code_and_stderr("reference kube-proxy", runner.run, runner.stop,
                                     lambda: runner.endpoints.store.add({"metadata": {"namespace": "default", "name": "web"}}))
    assert (code, err) == (2, "panic: KeyError('spec') [recovered]\n\tpanic: KeyError('spec')\n")
    assert "Observed a panic: KeyError('spec')" in capsys.readouterr().err
