"""After etcd has been away, the apiserver's etcd client writes again within seconds of its return
(gRPC's default reconnect backoff would wait up to two minutes). Real processes on a fixed port."""
from __future__ import annotations

import threading
import time

from reference_impl.apiserver.storage.etcdclient import EtcdClient, EtcdClientError
from tests.reference.etcd.processes import free_port, reference_server

DOWN_SECONDS = 20


def test_writes_resume_within_seconds_after_etcd_returns(tmp_path):
    port = free_port()
    flags = ("--listen-client-urls", f"http://127.0.0.1:{port}")
    client = EtcdClient(f"http://127.0.0.1:{port}", timeout=1.0)
    try:
        with reference_server(tmp_path / "etcd", *flags):
            client.put_if_mod_revision("/registry/x", b"1", 0)
        deadline = time.monotonic() + DOWN_SECONDS
        while time.monotonic() < deadline:  # the client keeps trying while etcd is away
            try:
                client.range("/registry/", prefix=True, count_only=True)
            except EtcdClientError:
                pass
            time.sleep(0.5)
        with reference_server(tmp_path / "etcd", *flags):
            back = time.monotonic()  # etcd answers from here on
            while True:
                try:
                    client.range("/registry/", prefix=True, count_only=True)
                    break
                except EtcdClientError:
                    assert time.monotonic() - back < 2.5, "no reconnect within 2.5 s of etcd's return"
                    time.sleep(0.1)
    finally:
        client.close()


def test_a_watch_lives_through_an_etcd_restart(tmp_path):
    """The watch cache's etcd watch (the pods prefix from the revision after its list, no previous
    values) is opened again when etcd comes back, from the revision after its last event, as
    clientv3's watcher resumes: it goes on with the next change instead of ending. Ending made the
    cache end every client watch of the resource with 'Internal error occurred: etcd: UNAVAILABLE',
    and the real kubelets and controllers listed again, timing out; the real kube-apiserver's
    clients see nothing of a 3-second etcd restart (seen side by side)."""
    port = free_port()
    flags = ("--listen-client-urls", f"http://127.0.0.1:{port}")
    client = EtcdClient(f"http://127.0.0.1:{port}", timeout=1.0)
    batches: list = []
    try:
        with reference_server(tmp_path / "etcd", *flags):
            listed = client.put_if_mod_revision("/registry/pods/a/one", b"1", 0).revision
            watch = client.watch("/registry/pods/", start_revision=listed + 1, prev_kv=False)
            failures: list = []

            def read() -> None:
                try:
                    batches.extend(watch)
                except Exception as err:  # noqa: BLE001 - the test shows what ended the watch
                    failures.append(err)
            reader = threading.Thread(target=read, daemon=True)
            reader.start()
            client.put_if_mod_revision("/registry/pods/a/two", b"2", 0)
        with reference_server(tmp_path / "etcd", *flags):
            deadline = time.monotonic() + 10
            while True:
                try:
                    client.put_if_mod_revision("/registry/pods/a/three", b"3", 0)
                    break
                except EtcdClientError:
                    assert time.monotonic() < deadline, "etcd did not come back"
                    time.sleep(0.1)
            while len([b for b in batches if b.events]) < 2 and time.monotonic() < deadline:
                time.sleep(0.05)
            watch.cancel()
            reader.join(5)
        keys = [event.kv.key for batch in batches for event in batch.events]
        assert failures == []
        assert keys == ["/registry/pods/a/two", "/registry/pods/a/three"]
        assert not reader.is_alive()
    finally:
        client.close()


def test_closing_the_client_ends_its_watches_quietly(tmp_path):
    """A stopping apiserver closes its etcd client under the watch cache's watches: each ends,
    instead of raising grpcio's 'Cannot invoke RPC: Channel closed!' from its reader thread as
    it tried to open the stream again."""
    port = free_port()
    client = EtcdClient(f"http://127.0.0.1:{port}", timeout=1.0)
    outcome: list = []
    with reference_server(tmp_path / "etcd", "--listen-client-urls", f"http://127.0.0.1:{port}"):
        watch = client.watch("/registry/pods/", prev_kv=False)

        def read() -> None:
            try:
                outcome.append(list(watch))
            except Exception as err:  # noqa: BLE001 - the test shows what ended the watch
                outcome.append(err)
        reader = threading.Thread(target=read, daemon=True)
        reader.start()
        client.close()
        reader.join(10)
    assert outcome == [[]]
