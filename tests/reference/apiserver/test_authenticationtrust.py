"""The kube-system/extension-apiserver-authentication ConfigMap the apiserver writes at start, as
the real 1.24 wrote it (its client CA under `client-ca-file`, as the loopback client
Go-http-client), merged with what the map already holds."""
from __future__ import annotations

import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding

from reference_impl.apiserver.core import authenticationtrust
from reference_impl.apiserver.core.authenticationtrust import CONFIGMAP_NAME, CONFIGMAP_NAMESPACE, sync_config_map
from reference_impl.machinery.certutil import new_ca
from tests.reference.apiserver.test_handlers import NOW, etcd, registry  # noqa: F401

NOW_UTC = datetime.datetime.fromtimestamp(NOW, datetime.timezone.utc)


@pytest.fixture
def trust(registry):  # noqa: F811
    """The registry, with no ConfigMap yet (the module's etcd keeps what a test wrote)."""
    yield registry
    registry.delete("configmaps", CONFIGMAP_NAMESPACE, CONFIGMAP_NAME)


def stored(registry) -> dict:
    return registry.get("configmaps", CONFIGMAP_NAMESPACE, CONFIGMAP_NAME)


def certificate_ending(not_after: datetime.datetime) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, f"ends-{not_after:%Y}")])
    certificate = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
                   .serial_number(x509.random_serial_number()).not_valid_before(not_after - datetime.timedelta(days=9))
                   .not_valid_after(not_after).sign(key, hashes.SHA256()))
    return certificate.public_bytes(Encoding.PEM).decode()


def test_the_client_ca_is_written_once_under_client_ca_file(trust):
    ca = new_ca().cert_pem.decode()
    assert sync_config_map(trust, ca) is True
    config_map = stored(trust)
    assert config_map["data"] == {"client-ca-file": ca}
    assert [entry["manager"] for entry in config_map["metadata"]["managedFields"]] == ["Go-http-client"]
    assert sync_config_map(trust, ca) is False  # nothing changed, nothing written


def test_a_stored_map_keeps_its_certificates_and_other_keys_and_loses_expired_ones():
    """combineCertLists: the stored certificates first, then the server's, each once, those that
    expired over five minutes ago dropped."""
    old, ours = new_ca().cert_pem.decode(), new_ca().cert_pem.decode()
    expired = certificate_ending(NOW_UTC - datetime.timedelta(minutes=6))
    just_expired = certificate_ending(NOW_UTC - datetime.timedelta(minutes=4))
    combined = authenticationtrust.combine_cert_lists(old + expired + just_expired + ours, ours, NOW_UTC)
    assert combined == old + just_expired + ours


def test_an_existing_map_is_updated_in_place(trust):
    old, ours = new_ca().cert_pem.decode(), new_ca().cert_pem.decode()
    trust.create("configmaps", CONFIGMAP_NAMESPACE, {
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": CONFIGMAP_NAME, "namespace": CONFIGMAP_NAMESPACE},
        "data": {"client-ca-file": old, "requestheader-allowed-names": '["front-proxy"]'}})
    assert sync_config_map(trust, ours) is True
    assert stored(trust)["data"] == {"client-ca-file": old + ours, "requestheader-allowed-names": '["front-proxy"]'}


def test_a_stored_bundle_that_is_no_pem_is_left_and_logged_not_fatal(trust, capsys):
    """Upstream's sync returns the parse error and retries later; the apiserver starts and serves."""
    trust.create("configmaps", CONFIGMAP_NAMESPACE, {
        "apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": CONFIGMAP_NAME, "namespace": CONFIGMAP_NAMESPACE},
        "data": {"client-ca-file": "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"}})
    assert sync_config_map(trust, new_ca().cert_pem.decode()) is False
    assert "not base64" in stored(trust)["data"]["client-ca-file"]
    assert "extension-apiserver-authentication client-ca-file:" in capsys.readouterr().err
