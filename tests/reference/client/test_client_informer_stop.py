"""Stopping a component's informers, as Go's stop channel does: no handler runs after the stop
(a SIGTERM, or a panic, which sets it), and a list or watch the apiserver leaves unanswered is
not waited for."""
from __future__ import annotations

import threading

import tls_apiserver as stand_in
from tls_apiserver import CountingServer, JsonAnswers

from reference_impl.client.cache import Indexer, ResourceEventHandler
from reference_impl.client.informer import Informer, stop_informers
from reference_impl.machinery.crash import Crash


class HungApiserver(CountingServer):
    """Reads each request and answers none until `release` is set (a SIGSTOPped apiserver)."""

    def __init__(self, tls) -> None:
        super().__init__(tls, NeverAnswers)
        self.release = threading.Event()
        self.request_read = threading.Event()


class NeverAnswers(JsonAnswers):
    def do_GET(self) -> None:
        self.server.request_read.set()
        self.server.release.wait(60)
        self.send_json(503, {})


tls_apiserver = stand_in.tls_apiserver  # the fixture


def test_stopping_does_not_wait_for_a_hung_list(tls_apiserver):
    """An informer whose list the apiserver never answers stops at once: stop_informers returns
    while the request still hangs (the client's timeout is 30s), and its store runs no handler."""
    server, client = tls_apiserver(HungApiserver)
    stop = threading.Event()
    heard = []
    informer = Informer(client, "/api/v1/pods", stop)
    informer.store.add_event_handler(ResourceEventHandler(on_add=heard.append))
    informer.start()
    try:
        assert server.request_read.wait(30)
        stop_informers([informer], stop)
        assert informer._thread.is_alive()  # still in its request: not waited for
    finally:
        server.release.set()
    informer.store.upsert({"metadata": {"name": "late", "namespace": "ns"}})
    assert heard == []


def test_after_a_panic_no_handler_runs():
    """A handler's panic stops the component (Crash sets its stop event): later events reach no
    handler, so none raises again and "Observed a panic" is logged once, as Go's process, gone
    after the first, would."""
    stop, logged, heard = threading.Event(), [], []
    crash = Crash(logged.append, stop)
    store = Indexer(handle_error=crash.handler_error, stop=stop)

    def raising(obj):
        heard.append(("raising", obj["metadata"]["name"]))
        raise KeyError("spec")
    store.add_event_handler(ResourceEventHandler(on_add=raising))
    store.add_event_handler(ResourceEventHandler(on_add=lambda obj: heard.append(("other", obj["metadata"]["name"]))))
    store.upsert({"metadata": {"name": "a", "namespace": "ns"}})
    store.upsert({"metadata": {"name": "b", "namespace": "ns"}})
    assert heard == [("raising", "a")]
    assert sum(line.startswith("Observed a panic") for line in logged) == 1
    assert store.get("ns/b") is not None  # the store itself still holds what it is given
