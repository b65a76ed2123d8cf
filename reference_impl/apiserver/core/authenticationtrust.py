"""The kube-system/extension-apiserver-authentication ConfigMap, as 1.24's cluster authentication
trust controller writes it when the apiserver starts.

Delegated authentication upstream (the scheduler's and controller-manager's secure ports, an
aggregated apiserver) reads the client CA it should trust from this ConfigMap. The apiserver
writes its own `client-ca-file` there, merged with what the map already holds: the certificates
of both, expired ones dropped, each once, PEM-encoded again. The `requestheader-*` keys come with a
front-proxy CA, for which the reference apiserver has no flag; a map that has them keeps them.
"""
from __future__ import annotations

import datetime
import sys

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding

from reference_impl.apiserver.core.errors import StatusError
from reference_impl.apiserver.fieldmanager import LOOPBACK_FIELD_MANAGER, FieldManager
from reference_impl.mirrors import mirrors

CONFIGMAP_NAMESPACE = "kube-system"
CONFIGMAP_NAME = "extension-apiserver-authentication"
CLIENT_CA_KEY = "client-ca-file"
EXPIRY_SLACK = datetime.timedelta(minutes=5)


@mirrors("k8s.io/kubernetes/pkg/controlplane/controller/clusterauthenticationtrust.combineCertLists",
         "k8s.io/kubernetes/pkg/controlplane/controller/clusterauthenticationtrust.filterExpiredCerts")
def combine_cert_lists(existing: str, required: str, now: datetime.datetime) -> str:
    """The certificates of `existing` then `required` (PEM bundles), those expired for over five
    minutes left out and each kept once, encoded again."""
    certificates = [certificate for bundle in (existing, required) if bundle.strip()
                    for certificate in x509.load_pem_x509_certificates(bundle.encode())]
    kept: dict[bytes, x509.Certificate] = {}
    for certificate in certificates:
        if certificate.not_valid_after_utc > now - EXPIRY_SLACK:
            kept.setdefault(certificate.public_bytes(Encoding.DER), certificate)
    return "".join(certificate.public_bytes(Encoding.PEM).decode() for certificate in kept.values())


@mirrors("(*k8s.io/kubernetes/pkg/controlplane/controller/clusterauthenticationtrust.Controller).syncConfigMap",
         "k8s.io/kubernetes/pkg/controlplane/controller/clusterauthenticationtrust.writeConfigMap")
def sync_config_map(registry, client_ca_pem: str) -> bool:
    """Write the client CA into the ConfigMap (as the loopback client, creating it if missing);
    True when something was written. A stored bundle that is no PEM is left as it is and logged,
    as upstream's sync returns the parse error: the apiserver serves on."""
    now = datetime.datetime.fromtimestamp(registry.clock.now(), datetime.timezone.utc)
    try:
        stored = registry.get("configmaps", CONFIGMAP_NAMESPACE, CONFIGMAP_NAME)
    except StatusError as err:
        if err.code != 404:
            raise
        stored = None
    data = dict((stored or {}).get("data") or {})
    try:
        combined = combine_cert_lists(data.get(CLIENT_CA_KEY, ""), client_ca_pem, now)
    except ValueError as err:
        print(f"reference kube-apiserver: {CONFIGMAP_NAMESPACE}/{CONFIGMAP_NAME} {CLIENT_CA_KEY}: {err}",
              file=sys.stderr, flush=True)
        return False
    if combined == data.get(CLIENT_CA_KEY, "") and stored is not None:
        return False
    if combined:
        data[CLIENT_CA_KEY] = combined
    if stored is not None:
        registry.update("configmaps", CONFIGMAP_NAMESPACE, CONFIGMAP_NAME, {**stored, "data": data})
        return True
    config_map = {"apiVersion": "v1", "kind": "ConfigMap",
                  "metadata": {"name": CONFIGMAP_NAME, "namespace": CONFIGMAP_NAMESPACE}, "data": data}
    tracked = FieldManager.for_resource(registry.resource("configmaps")).update(None, config_map, LOOPBACK_FIELD_MANAGER, registry.now())
    registry.create("configmaps", CONFIGMAP_NAMESPACE, tracked)
    return True
