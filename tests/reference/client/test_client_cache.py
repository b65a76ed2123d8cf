"""The indexed cache: keys, the namespace index, and handler callbacks."""
from __future__ import annotations

import threading

from reference_impl.client.cache import Indexer, ResourceEventHandler


def pod(name, ns="default", rv="1"):
    return {"metadata": {"name": name, "namespace": ns, "resourceVersion": rv}}


def recording():
    events = []
    return events, ResourceEventHandler(lambda o: events.append(("add", o["metadata"]["name"])),
                                        lambda a, b: events.append(("update", b["metadata"]["name"])),
                                        lambda o: events.append(("delete", o["metadata"]["name"])))


def test_objects_are_keyed_namespace_slash_name():
    """An object is stored under "namespace/name"."""
    store = Indexer()
    store.add(pod("a", "ns1"))
    assert store.list_keys() == ["ns1/a"] and store.get("ns1/a")["metadata"]["name"] == "a"


def test_namespace_index_follows_adds_and_deletes():
    """by_namespace returns exactly the objects currently in that namespace."""
    store = Indexer()
    store.add(pod("a", "ns1")); store.add(pod("b", "ns2")); store.add(pod("c", "ns1"))
    store.delete(pod("a", "ns1"))
    assert [p["metadata"]["name"] for p in store.by_namespace("ns1")] == ["c"]
    assert store.by_namespace("nope") == []


def test_handlers_get_add_update_delete():
    """A new key fires add, an existing key update, a removal delete."""
    store = Indexer()
    events, handler = recording()
    store.add_event_handler(handler)
    store.upsert(pod("a")); store.upsert(pod("a", rv="2")); store.delete(pod("a"))
    assert events == [("add", "a"), ("update", "a"), ("delete", "a")]


def test_late_handler_is_replayed_existing_objects():
    """A handler registered late first gets an add for each cached object."""
    store = Indexer()
    store.add(pod("a"))
    events, handler = recording()
    store.add_event_handler(handler)
    assert events == [("add", "a")]


def test_replace_deletes_what_the_new_list_lacks():
    """Replace (a relist) fires delete for objects missing from the new list."""
    store = Indexer()
    store.add(pod("a")); store.add(pod("b"))
    events, handler = recording()
    store.add_event_handler(handler)
    events.clear()
    store.replace([pod("b", rv="2")])
    assert events == [("update", "b"), ("delete", "a")]
    assert store.list_keys() == ["default/b"]


def test_concurrent_writers_lose_nothing():
    """Writes from many threads all land in the store and its index."""
    store = Indexer()
    threads = [threading.Thread(target=lambda i=i: [store.add(pod(f"p{i}-{j}", f"ns{i % 3}"))
                                                   for j in range(200)]) for i in range(6)]
    for t in threads: t.start()
    for t in threads: t.join()
    assert len(store.list()) == 1200
    assert sum(len(store.by_namespace(f"ns{k}")) for k in range(3)) == 1200


def test_a_handler_that_raises_does_not_stop_the_store_or_other_handlers():
    """A handler failing on one object (a component that cannot read it) is reported and skipped:
    the object is stored, the other handlers hear of it, and later objects reach every handler —
    an exception escaping here would end the informer's watch or make it relist for ever."""
    errors, heard = [], []

    def picky(obj):
        if obj["metadata"]["name"] == "bad":
            raise OverflowError("cannot convert float infinity to integer")
        heard.append(("picky", obj["metadata"]["name"]))
    store = Indexer(handle_error=lambda obj, error: errors.append((obj["metadata"]["name"], type(error))))
    store.add_event_handler(ResourceEventHandler(on_add=picky, on_update=lambda old, new: picky(new),
                                                 on_delete=picky))
    store.add_event_handler(ResourceEventHandler(on_add=lambda obj: heard.append(("other", obj["metadata"]["name"]))))
    bad = {"metadata": {"name": "bad", "namespace": "ns"}}
    store.upsert(bad)
    store.upsert({"metadata": {"name": "good", "namespace": "ns"}})
    store.upsert(bad)
    store.delete(bad)
    assert heard == [("other", "bad"), ("picky", "good"), ("other", "good")]
    assert errors == [("bad", OverflowError)] * 3
    assert store.get("ns/good") is not None and store.get("ns/bad") is None
