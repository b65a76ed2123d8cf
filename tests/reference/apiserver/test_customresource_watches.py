"""Watches of custom resources as Kubernetes 1.24's apiextensions apiserver serves them: when a
change of the CRD ends them, and what their BOOKMARKs and converted objects look like. Each rule
was seen against the real kube-apiserver 1.24 first."""
from __future__ import annotations

import threading

from reference_impl.apiserver.core import registry as registry_module
from tests.reference.apiserver import test_customresources, test_handlers
from tests.reference.apiserver.test_customresources import CRDS, WIDGET, widgets
from tests.reference.apiserver.test_handlers import call

# The fixtures this module shares with test_customresources: its chain, on test_handlers' registry.
chain, registry, etcd = test_customresources.chain, test_handlers.registry, test_handlers.etcd

MERGE = "application/merge-patch+json"


def _open_watch(chain, **query):
    code, response = call(chain, "GET", widgets(chain), query={"watch": "true", **query})
    assert code == 200
    reader = threading.Thread(target=lambda: list(response.chunks), daemon=True)
    reader.start()
    return response, reader


def test_a_crd_spec_change_ends_the_watches_of_its_resource(chain, monkeypatch):
    """A change of the CRD's spec (here a printer column) makes the crdHandler tear the resource's
    storage down, a second later, which ends its open watches (the real 1.24 server ended them
    1.05 s after the update); a change of its metadata alone (a label) leaves them open."""
    monkeypatch.setattr(registry_module, "CRD_TEARDOWN_DELAY", 0.05)
    response, reader = _open_watch(chain)
    try:
        code, _ = call(chain, "PATCH", f"{CRDS}/widgets.example.com", {"metadata": {"labels": {"a": "b"}}},
                       content_type=MERGE)
        assert code == 200
        reader.join(0.5)
        assert reader.is_alive(), "a label change ended the watch"
        column = {"name": "Colour", "type": "string", "jsonPath": ".spec.colour"}
        code, crd = call(chain, "GET", f"{CRDS}/widgets.example.com")
        crd["spec"]["versions"][0]["additionalPrinterColumns"].append(column)
        assert call(chain, "PUT", f"{CRDS}/widgets.example.com", crd)[0] == 200
        reader.join(5)
        assert not reader.is_alive(), "the watch is still open after the CRD's spec changed"
    finally:
        response.stop()
    # The resource is served on, from a fresh watch cache that sees new writes.
    assert call(chain, "POST", widgets(chain), WIDGET)[0] == 201
    code, response = call(chain, "GET", widgets(chain), query={"watch": "true", "resourceVersion": "0"})
    assert code == 200
    try:
        first = next(iter(response.chunks))
    finally:
        response.stop()
    assert b'"ADDED"' in first and b'"name":"w1"' in first
