"""Watches of custom resources as Kubernetes 1.24's apiextensions apiserver serves them: when a
change of the CRD ends them, and what their BOOKMARKs and converted objects look like. Each rule
was seen against the real kube-apiserver 1.24 first."""
from __future__ import annotations

import json
import threading

from reference_impl.apiserver.core import registry as registry_module
from tests.reference.apiserver import test_customresources, test_handlers
from tests.reference.apiserver.test_customresources import CRDS, WIDGET, widgets
from tests.reference.apiserver.test_handlers import call

# The fixtures this module shares with test_customresources: its chain, on test_handlers' registry.
chain, registry, etcd = test_customresources.chain, test_handlers.registry, test_handlers.etcd

MERGE = "application/merge-patch+json"
TABLE_ACCEPT = "application/json;as=Table;v=v1;g=meta.k8s.io"


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


def _first_bookmark(chain, monkeypatch, accept: str) -> dict:
    """The first BOOKMARK of a watch of the widgets asked for with `accept`, once a widget is
    written after it started (a bookmark of the revision a watch started at is no news)."""
    registry = chain.rest.registry
    watch = registry.watch
    monkeypatch.setattr(registry, "watch", lambda *args, **kwargs: watch(*args, **kwargs, bookmark_interval=0.1))
    code, response = call(chain, "GET", widgets(chain), accept=accept,
                          query={"watch": "true", "allowWatchBookmarks": "true", "resourceVersion": "0"})
    assert code == 200
    try:
        assert call(chain, "PATCH", widgets(chain, "w1"), {"spec": {"replicas": 2}}, content_type=MERGE)[0] == 200
        for chunk in response.chunks:
            for line in chunk.splitlines():
                event = json.loads(line)
                if event["type"] == "BOOKMARK":
                    return event["object"]
    finally:
        response.stop()
    raise AssertionError("the watch ended with no bookmark")


def test_a_table_watch_gets_its_bookmarks_as_tables(chain, monkeypatch):
    """The watch's Fixup converts a BOOKMARK as it does any object: a Table watch of a custom
    resource gets a Table of one row for the bookmark's empty object, with no column definitions
    once an earlier event had them, an empty name, empty cells and the row's
    PartialObjectMetadata holding the revision (and the zero creationTimestamp ObjectMeta writes
    as null). The real 1.24 server sent exactly this shape; a Widget a Table client cannot read
    was sent before."""
    assert call(chain, "POST", widgets(chain), WIDGET)[0] == 201
    bookmark = _first_bookmark(chain, monkeypatch, TABLE_ACCEPT)
    revision = bookmark["metadata"]["resourceVersion"]
    assert bookmark == {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": {"resourceVersion": revision},
                        "columnDefinitions": None,
                        "rows": [{"cells": ["", None, None], "object": {
                            "kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                            "metadata": {"resourceVersion": revision, "creationTimestamp": None}}}]}


def test_a_metadata_watch_bookmark_writes_the_zero_creation_timestamp(chain, monkeypatch):
    """A metadata watch's BOOKMARK of a custom resource is a PartialObjectMetadata whose ObjectMeta
    struct writes its zero creationTimestamp as null, as the real 1.24 server sent it."""
    assert call(chain, "POST", widgets(chain), WIDGET)[0] == 201
    bookmark = _first_bookmark(chain, monkeypatch, "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1")
    assert list(bookmark["metadata"].items()) == [("resourceVersion", bookmark["metadata"]["resourceVersion"]),
                                                  ("creationTimestamp", None)]


def test_partial_object_metadata_of_a_custom_object_is_in_object_meta_order(chain):
    """A custom object's metadata is a map whose keys Go writes sorted; as PartialObjectMetadata
    (asked for alone, or in a Table's rows) it is the ObjectMeta struct, written in its fields'
    order: name, namespace, uid, resourceVersion, generation, creationTimestamp, ... managedFields,
    each managedFields entry in ManagedFieldsEntry's order (seen against the real 1.24 server)."""
    assert call(chain, "POST", widgets(chain), {**WIDGET, "metadata": {"name": "w1", "labels": {"a": "b"}}})[0] == 201
    expected = ["name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "labels",
                "managedFields"]
    entry = ["manager", "operation", "apiVersion", "time", "fieldsType", "fieldsV1"]
    code, partial = call(chain, "GET", widgets(chain, "w1"),
                         accept="application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1")
    assert code == 200, partial
    assert list(partial["metadata"]) == expected and list(partial["metadata"]["managedFields"][0]) == entry
    code, listed = call(chain, "GET", widgets(chain),
                        accept="application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1")
    assert code == 200 and list(listed["items"][0]["metadata"]) == expected
    code, printed = call(chain, "GET", widgets(chain), accept=TABLE_ACCEPT)
    assert code == 200 and list(printed["rows"][0]["object"]["metadata"]) == expected
