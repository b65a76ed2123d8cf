"""The fixture the apiserver's storage-level tests share: a reference etcd of the test module's own."""
from __future__ import annotations

import pytest

from reference_impl.apiserver.storage.etcdclient import EtcdClient
from tests.reference.etcd.processes import reference_server


@pytest.fixture(scope="module")
def etcd(tmp_path_factory):
    """A client of a reference etcd started for the module, stopped after its last test."""
    with reference_server(tmp_path_factory.mktemp("etcd")) as server:
        client = EtcdClient(server.address)
        yield client
        client.close()
