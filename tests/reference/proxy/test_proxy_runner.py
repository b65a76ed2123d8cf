"""The userspace kube-proxy's sync over its informers' caches (filled by hand, no apiserver): an
odd Service or Endpoints object must not stop the sync of the others."""
from __future__ import annotations

import pytest

from reference_impl.proxy.iptables import service_port_infos
from reference_impl.proxy.run import ProxyRunner


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


def test_a_service_that_cannot_be_read_is_skipped_and_the_others_served(runner, monkeypatch, capsys):
    """A Service whose ports raise while being read is logged once; the Services after it are served."""
    import reference_impl.proxy.run as proxy_run
    real = proxy_run.service_port_infos

    def infos(svc):
        if svc["metadata"]["name"] == "bad":
            raise TypeError("odd field")
        return real(svc)
    monkeypatch.setattr(proxy_run, "service_port_infos", infos)
    runner.services.store.add(service("bad"))
    runner.services.store.add(service("good"))
    runner.sync_once()
    runner.sync_once()
    assert list(runner.serving) == ["default/good/TCP"]
    assert capsys.readouterr().err.count("default/bad") == 1
