"""The apiserver's informer caches (listers.py) against a real reference etcd: list, follow the
watch, and list again when the watch ends."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "etcd"))
import processes  # noqa: E402

from reference_impl.apiserver.storage import listers  # noqa: E402
from reference_impl.apiserver.storage.etcdclient import EtcdClient  # noqa: E402
from reference_impl.apiserver.storage.etcd3 import Storage  # noqa: E402

PREFIX = "/registry/serviceaccounts/"


@pytest.fixture
def storage(tmp_path):
    with processes.reference_server(tmp_path / "etcd") as server:
        client = EtcdClient(server.client_url)
        yield Storage(client)
        client.close()


def account(namespace: str, name: str, **extra) -> dict:
    return {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": namespace},
            **extra}


def eventually(check, timeout: float = 5.0):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "the lister did not catch up"
        time.sleep(0.02)


def test_lists_then_follows_creates_updates_and_deletes(storage):
    storage.create(PREFIX + "team/default", account("team", "default"))
    lister = listers.Lister(storage, PREFIX)
    assert lister.get("team", "default") is None  # not synced: callers read live
    lister.start()
    try:
        assert lister.wait_for_sync(5)
        assert lister.get("team", "default")["metadata"]["name"] == "default"
        storage.create(PREFIX + "team/builder", account("team", "builder"))
        eventually(lambda: lister.get("team", "builder") is not None)
        storage.guaranteed_update(PREFIX + "team/builder",
                                  lambda cur: {**cur, "imagePullSecrets": [{"name": "regcred"}]})
        eventually(lambda: (lister.get("team", "builder") or {}).get("imagePullSecrets"))
        storage.delete(PREFIX + "team/default")
        eventually(lambda: lister.get("team", "default") is None)
        assert lister.get("other", "builder") is None
    finally:
        lister.stop()


def test_list_answers_every_cached_object_once_synced(storage):
    """`list` is None until the first list is in (callers then read live), then every object under
    the prefix, following the watch (the Priority plugin looks for the default class this way)."""
    storage.create(PREFIX + "team/default", account("team", "default"))
    lister = listers.Lister(storage, PREFIX)
    assert lister.list() is None
    lister.start()
    try:
        assert lister.wait_for_sync(5)
        storage.create(PREFIX + "other/default", account("other", "default"))
        eventually(lambda: len(lister.list()) == 2)
        assert sorted(o["metadata"]["namespace"] for o in lister.list()) == ["other", "team"]
    finally:
        lister.stop()


def test_an_ended_watch_is_followed_by_a_fresh_list(storage, monkeypatch):
    """When the watch ends (here: stopped under the lister, as a compaction or an etcd restart would
    end it), what changed meanwhile is picked up by the next list."""
    monkeypatch.setattr(listers, "RELIST_PAUSE", 0.05)
    lister = listers.Lister(storage, PREFIX).start()
    try:
        assert lister.wait_for_sync(5)
        first_watch = lister._watch
        first_watch.stop()
        storage.create(PREFIX + "team/late", account("team", "late"))
        # The stopped watch may still hand over the create before it ends: wait for both.
        eventually(lambda: lister._watch is not first_watch and lister.get("team", "late") is not None)
    finally:
        lister.stop()
