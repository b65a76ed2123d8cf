"""After etcd has been away, the apiserver's etcd client writes again within seconds of its return
(gRPC's default reconnect backoff would wait up to two minutes). Real processes on a fixed port."""
from __future__ import annotations

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
