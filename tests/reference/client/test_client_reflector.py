"""The Reflector core: list, watch from the list's RV, relist on 410 Gone."""
from __future__ import annotations

import pytest

from reference_impl.client import ClientError
from reference_impl.client.cache import Indexer
from reference_impl.client.reflector import ListRequest, Reflector, WatchRequest


def obj(name, rv):
    return {"metadata": {"name": name, "namespace": "d", "resourceVersion": rv}}


def listed(*items, rv="10"):
    return {"items": list(items), "metadata": {"resourceVersion": rv}}


def test_first_request_is_a_list():
    """A fresh reflector lists first."""
    assert isinstance(Reflector(Indexer()).next_request(), ListRequest)


def test_watch_starts_at_the_lists_resource_version():
    """After a list, the reflector watches from the list's resourceVersion."""
    r = Reflector(Indexer())
    r.on_list(listed(obj("a", "5"), rv="10"))
    assert r.next_request() == WatchRequest("10")
    assert r.store.list_keys() == ["d/a"]


def test_events_apply_to_the_store_and_advance_the_rv():
    """ADDED/MODIFIED/DELETED change the store; the next watch resumes after the last event."""
    r = Reflector(Indexer())
    r.on_list(listed(rv="10"))
    r.on_event({"type": "ADDED", "object": obj("a", "11")})
    r.on_event({"type": "MODIFIED", "object": obj("a", "12")})
    r.on_event({"type": "ADDED", "object": obj("b", "13")})
    r.on_event({"type": "DELETED", "object": obj("a", "14")})
    assert r.store.list_keys() == ["d/b"]
    r.on_watch_closed()
    assert r.next_request() == WatchRequest("14")


def test_bookmark_only_moves_the_rv():
    """A BOOKMARK advances the resourceVersion without touching the store."""
    r = Reflector(Indexer())
    r.on_list(listed(rv="10"))
    r.on_event({"type": "BOOKMARK", "object": {"metadata": {"resourceVersion": "20"}}})
    assert r.store.list() == [] and r.next_request() == WatchRequest("20")


def test_gone_error_event_relists():
    """A watch ERROR event with code 410 sends the reflector back to a full list."""
    r = Reflector(Indexer())
    r.on_list(listed(rv="10"))
    r.on_event({"type": "ERROR", "object": {"kind": "Status", "code": 410}})
    assert r.next_request() == ListRequest("") and r.relists == 1


def test_relist_drops_objects_deleted_while_disconnected():
    """After a Gone, the relist removes objects that vanished meanwhile."""
    r = Reflector(Indexer())
    r.on_list(listed(obj("a", "1"), obj("b", "2"), rv="10"))
    r.on_gone()
    r.on_list(listed(obj("b", "2"), rv="50"))
    assert r.store.list_keys() == ["d/b"] and r.next_request() == WatchRequest("50")


def test_other_error_events_raise():
    """A watch ERROR that is not 410 is an error for the adapter to back off on."""
    r = Reflector(Indexer())
    r.on_list(listed())
    with pytest.raises(ClientError):
        r.on_event({"type": "ERROR", "object": {"code": 500, "message": "boom"}})
