"""The kubernetes Service's endpoints, as 1.24's default lease reconciler keeps them
(--endpoint-reconciler-type=lease, pkg/controlplane/reconcilers/lease.go).

Every apiserver refreshes a lease of its own, /registry/masterleases/<advertised IP> (an Endpoints
holding that IP, stored with a 15 s TTL), then makes default/kubernetes's Endpoints list the IPs
of all leases still alive and writes the EndpointSlice of the same name from them. The bootstrap
controller runs this every 10 s (EndpointInterval), after making sure default and the Service
exist, so an Endpoints or EndpointSlice deleted or edited is back within 10 s, and an apiserver
gone for 15 s drops out. Only the addresses are reconciled: the controller passes
reconcilePorts=false, so an edited port stays (and the slice follows it), as on the real 1.24.

`update_kubernetes_service` is one such round: no threads here; the adapter runs it periodically.
"""
from __future__ import annotations

import ipaddress
from collections.abc import Callable
from typing import TextIO

from reference_impl.apiserver.core import bootstrappolicy
from reference_impl.apiserver.core.errors import StatusError
from reference_impl.apiserver.kinds import endpoints as endpoints_kind
from reference_impl.apiserver.storage.etcd3 import KeyExists, KeyNotFound
from reference_impl.apiserver.storage.etcdclient import EtcdClientError
from reference_impl.mirrors import mirrors

RECONCILERS = "k8s.io/kubernetes/pkg/controlplane/reconcilers"
ENDPOINT_INTERVAL = 10.0  # controlplane.DefaultEndpointReconcilerInterval
MASTER_LEASE_TTL = 15  # controlplane.DefaultEndpointReconcilerTTL, seconds
MASTER_LEASES_PREFIX = "/registry/masterleases/"
SERVICE_NAME = "kubernetes"
SKIP_MIRROR = "endpointslice.kubernetes.io/skip-mirror"


class NoMasterIPs(Exception):
    def __str__(self) -> str:
        return ("no master IPs were listed in storage, refusing to erase all endpoints for the "
                "kubernetes service")


class MasterLeases:
    """The apiservers' leases in etcd: one Endpoints per advertised IP, each with a TTL."""

    def __init__(self, storage, ttl: int = MASTER_LEASE_TTL, prefix: str = MASTER_LEASES_PREFIX) -> None:
        self.storage, self.ttl, self.prefix = storage, ttl, prefix

    @mirrors(f"(*{RECONCILERS}.storageLeases).UpdateLease")
    def update_lease(self, ip: str) -> None:
        """Write this IP's lease, starting its TTL again (the generation is bumped so that the
        write is never a no-op, as upstream's is)."""
        def refreshed(existing: dict) -> dict:
            meta = existing.get("metadata") or {}
            return {**existing, "metadata": {**meta, "generation": meta.get("generation", 0) + 1},
                    "subsets": [{"addresses": [{"ip": ip}]}]}
        key = self.prefix + ip
        try:
            self.storage.guaranteed_update(key, refreshed, self.ttl)
        except KeyNotFound:
            try:
                self.storage.create(key, refreshed({"kind": "Endpoints", "apiVersion": "v1", "metadata": {}}),
                                    self.ttl)
            except KeyExists:
                self.storage.guaranteed_update(key, refreshed, self.ttl)

    @mirrors(f"(*{RECONCILERS}.storageLeases).ListLeases")
    def list_leases(self) -> list[str]:
        """The IPs of the live leases, in key order."""
        ips = []
        for lease in self.storage.list(self.prefix).items:
            subsets = lease.get("subsets") or []
            addresses = subsets[0].get("addresses") or [] if subsets else []
            if addresses and addresses[0].get("ip"):
                ips.append(addresses[0]["ip"])
        return ips

    @mirrors(f"(*{RECONCILERS}.storageLeases).RemoveLease")
    def remove_lease(self, ip: str) -> None:
        """Delete this IP's lease; KeyNotFound when there is none (Controller.Start counts on it
        to tell a lease a crash left behind from none)."""
        self.storage.delete(self.prefix + ip)


@mirrors(f"{RECONCILERS}.checkEndpointSubsetFormatWithLease")
def check_endpoint_subset_format(endpoints: dict, expected_ips: list[str], ports: list[dict],
                                 reconcile_ports: bool) -> tuple[bool, bool, bool]:
    """(one subset, its addresses exactly the expected IPs in any order, its ports exactly
    `ports` when they are reconciled)."""
    subsets = endpoints.get("subsets") or []
    if len(subsets) != 1:
        return False, False, False
    subset = subsets[0]
    ports_correct = True
    if reconcile_ports:
        ports_correct = subset.get("ports") == ports
    addresses = [a.get("ip") for a in subset.get("addresses") or []]
    ips_correct = len(addresses) == len(expected_ips) and set(addresses) == set(expected_ips)
    return True, ips_correct, ports_correct


class LeaseEndpointReconciler:
    """The lease reconciler over a registry; `log` gets upstream's warning lines."""

    def __init__(self, registry, leases: MasterLeases, log: Callable[[str], None]) -> None:
        self.registry, self.leases, self.log = registry, leases, log

    @mirrors(f"(*{RECONCILERS}.leaseEndpointReconciler).ReconcileEndpoints")
    def reconcile_endpoints(self, ip: str, ports: list[dict], reconcile_ports: bool) -> None:
        self.leases.update_lease(ip)
        self.do_reconcile(ports, reconcile_ports)

    @mirrors(f"(*{RECONCILERS}.leaseEndpointReconciler).RemoveEndpoints")
    def remove_endpoints(self, ip: str, ports: list[dict]) -> None:
        self.leases.remove_lease(ip)
        self.do_reconcile(ports, True)

    @mirrors(f"(*{RECONCILERS}.leaseEndpointReconciler).doReconcile")
    def do_reconcile(self, ports: list[dict], reconcile_ports: bool) -> None:
        try:
            endpoints = self.registry.get("endpoints", "default", SERVICE_NAME)
            create = False
        except StatusError as err:
            if err.code != 404:
                raise
            endpoints = {"apiVersion": "v1", "kind": "Endpoints",
                         "metadata": {"name": SERVICE_NAME, "namespace": "default"}}
            create = True
        master_ips = self.leases.list_leases()
        if not master_ips:
            raise NoMasterIPs()
        labels = endpoints["metadata"].get("labels") or {}
        skip_mirror_changed = labels.get(SKIP_MIRROR) != "true"
        endpoints["metadata"]["labels"] = {**labels, SKIP_MIRROR: "true"}
        format_ok, ips_ok, ports_ok = check_endpoint_subset_format(endpoints, master_ips, ports, reconcile_ports)
        if not skip_mirror_changed and format_ok and ips_ok and ports_ok:
            ensure_endpoint_slice_from_endpoints(self.registry, endpoints)
            return
        if not format_ok:
            endpoints["subsets"] = [{"addresses": [], "ports": ports}]
        if not format_ok or not ips_ok:
            # RepackSubsets keeps the addresses sorted
            endpoints["subsets"][0]["addresses"] = [{"ip": ip} for ip in sorted(master_ips)]
        if not ports_ok:
            endpoints["subsets"][0]["ports"] = ports
        self.log(f'Resetting endpoints for master service "{SERVICE_NAME}" to [{" ".join(master_ips)}]')
        # The reference's Endpoints validation lets loopback addresses through (its cluster lives
        # on 127.0.0.1); upstream's refuses them, so this write is refused as there.
        for i, address in enumerate(endpoints["subsets"][0]["addresses"]):
            loopback = endpoints_kind.loopback_problems(address["ip"], f"subsets[0].addresses[{i}].ip")
            if loopback:
                raise StatusError(422, "Invalid", f'Endpoints "{SERVICE_NAME}" is invalid: {loopback[0]}')
        if create:
            bootstrappolicy.create_if_absent(self.registry, "endpoints", "default", endpoints,
                                             bootstrappolicy.APISERVER_MANAGER)
        else:
            self.registry.update("endpoints", "default", SERVICE_NAME, endpoints)
        ensure_endpoint_slice_from_endpoints(self.registry, endpoints)


def endpoint_ports(secure_port: int) -> list[dict]:
    """createEndpointPortSpec with no extra ports: the one port the kubernetes Service's
    endpoints publish."""
    return [{"name": "https", "port": secure_port, "protocol": "TCP"}]


def _is_ipv6(ip: str) -> bool:
    """utilnet.IsIPv6String: an IPv6 address that is not IPv4-mapped (Go's To4 is nil)."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return False
    return address.version == 6 and address.ipv4_mapped is None


@mirrors(f"{RECONCILERS}.endpointFromAddress")
def _endpoint_from_address(address: dict, ready: bool) -> dict:
    endpoint = {"addresses": [address.get("ip", "")], "conditions": {"ready": ready}}
    for field in ("targetRef", "nodeName"):
        if address.get(field) is not None:
            endpoint[field] = address[field]
    return endpoint


@mirrors(f"(*{RECONCILERS}.EndpointsAdapter).EnsureEndpointSliceFromEndpoints",
         f"{RECONCILERS}.endpointSliceFromEndpoints")
def ensure_endpoint_slice_from_endpoints(registry, endpoints: dict) -> None:
    """The EndpointSlice of the same name from the Endpoints' first subset, its addresses ready
    endpoints and its notReadyAddresses not-ready ones (those of the slice's family only):
    created when missing, written when its endpoints, ports or labels differ (nil and empty
    alike, as Semantic.DeepEqual has them), made again when its address type does. A port's
    name, protocol and port point at the Endpoints port's own fields, so an unnamed port is ""."""
    subset = (endpoints.get("subsets") or [{}])[0]
    ready, not_ready = subset.get("addresses") or [], subset.get("notReadyAddresses") or []
    both = ready + not_ready
    ipv6 = bool(both) and all(_is_ipv6(a.get("ip", "")) for a in both)  # allAddressesIPv6
    desired = {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice", "metadata": {
        "name": SERVICE_NAME, "namespace": "default", "labels": {"kubernetes.io/service-name": SERVICE_NAME}},
        "addressType": "IPv6" if ipv6 else "IPv4",
        "endpoints": [_endpoint_from_address(address, is_ready)
                      for addresses, is_ready in ((ready, True), (not_ready, False))
                      for address in addresses if _is_ipv6(address.get("ip", "")) == ipv6],
        "ports": [{"name": p.get("name") or "", "protocol": p.get("protocol") or "", "port": p.get("port") or 0}
                  for p in subset.get("ports") or []]}
    address_type = desired["addressType"]
    if bootstrappolicy.create_if_absent(registry, "endpointslices", "default", desired,
                                        bootstrappolicy.APISERVER_MANAGER):
        return
    stored = registry.get("endpointslices", "default", SERVICE_NAME)
    if stored.get("addressType") != address_type:
        registry.delete("endpointslices", "default", SERVICE_NAME)
        bootstrappolicy.create_if_absent(registry, "endpointslices", "default", desired,
                                         bootstrappolicy.APISERVER_MANAGER)
        return
    labels = stored["metadata"].get("labels") or {}
    if all((stored.get(f) or []) == desired[f] for f in ("endpoints", "ports")) and (
            labels == desired["metadata"]["labels"]):
        return
    registry.update("endpointslices", "default", SERVICE_NAME, {
        **stored, "endpoints": desired["endpoints"], "ports": desired["ports"],
        "metadata": {**stored["metadata"], "labels": desired["metadata"]["labels"]}})


@mirrors("(*k8s.io/kubernetes/pkg/controlplane.Controller).UpdateKubernetesService")
def update_kubernetes_service(registry, reconciler: LeaseEndpointReconciler, ip: str | None,
                              secure_port: int) -> None:
    """One round of the bootstrap controller: the default namespace and the Service when missing
    (never updated: reconcile=false), then the endpoints. Raises what failed."""
    try:  # createNamespaceIfNeeded: a read first, so that a round writes nothing when all is there
        registry.get("namespaces", None, "default")
    except StatusError as err:
        if err.code != 404:
            raise
        bootstrappolicy.create_if_absent(registry, "namespaces", None, {
            "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "default"}}, bootstrappolicy.APISERVER_MANAGER)
    bootstrappolicy.ensure_kubernetes_service(registry, secure_port)
    if ip:
        reconciler.reconcile_endpoints(ip, endpoint_ports(secure_port), False)


def _storage_error_text(err: KeyNotFound) -> str:
    """storage.StorageError's Error() for a key not found, as RemoveLease returns it."""
    return f"StorageError: key not found, Code: 1, Key: {err.key}, ResourceVersion: 0, AdditionalErrorMsg: "


@mirrors("(*k8s.io/kubernetes/pkg/controlplane.Controller).Start")
def remove_stale_endpoints(reconciler: LeaseEndpointReconciler, ip: str, secure_port: int, out: TextIO) -> None:
    """What Controller.Start does before the first round: remove this apiserver's endpoints
    (RemoveEndpoints, ports reconciled), so that a lease a crash left behind is gone until the
    rounds publish this apiserver again. Silent when there was no lease."""
    try:
        reconciler.remove_endpoints(ip, endpoint_ports(secure_port))
    except KeyNotFound:
        return
    except (StatusError, NoMasterIPs, EtcdClientError) as err:
        print(f"Error removing old endpoints from kubernetes service: {getattr(err, 'message', None) or err}",
              file=out, flush=True)
        return
    print("Found stale data, removed previous endpoints on kubernetes service, apiserver didn't exit "
          "successfully previously", file=out, flush=True)


@mirrors("(*k8s.io/kubernetes/pkg/controlplane.Controller).Stop")
def remove_endpoints_at_stop(reconciler: LeaseEndpointReconciler, ip: str, secure_port: int, out: TextIO) -> None:
    """Controller.Stop's RemoveEndpoints, a failure logged (a lease already gone included, in
    the storage error's words)."""
    print("Shutting down kubernetes service endpoint reconciler", file=out, flush=True)
    try:
        reconciler.remove_endpoints(ip, endpoint_ports(secure_port))
    except (KeyNotFound, StatusError, EtcdClientError, NoMasterIPs) as err:
        message = _storage_error_text(err) if isinstance(err, KeyNotFound) else getattr(err, "message", None) or err
        print(f"Unable to remove endpoints from kubernetes service: {message}", file=out, flush=True)


@mirrors("(*k8s.io/kubernetes/pkg/controlplane.Controller).RunKubernetesService")
def run_kubernetes_service(registry, reconciler: LeaseEndpointReconciler, ip: str | None, secure_port: int,
                           out: TextIO) -> None:
    """One round, a failure logged in upstream's words (the next round tries again)."""
    try:
        update_kubernetes_service(registry, reconciler, ip, secure_port)
    except (StatusError, NoMasterIPs, EtcdClientError) as err:
        print(f"unable to sync kubernetes service: {getattr(err, 'message', None) or err}", file=out, flush=True)
