"""The kubelet's --config: a KubeletConfiguration v1beta1 file, read and refused as the 1.24 kubelet
does (its loadConfigFile and codec.DecodeKubeletConfiguration).

The file is decoded strictly first; when only the strict checks fail (unknown fields) it is
decoded leniently and the kubelet says so in its log; any other error ends the start, one line:

  failed to load Kubelet config file /etc/kubelet.yaml, error failed to decode: json: cannot ...

Its values stand where the command line says nothing: a flag given overrides the file, as the
kubelet's own flag precedence has it. The fields the reference acts on are those `FLAGS` maps.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from reference_impl.kubelet.errors import KubeletError
from reference_impl.machinery.strictjson import ANY, DecodeError, Map, Named, Slice, Struct, decode_file
from reference_impl.mirrors import mirrors

API_VERSION, KIND = "kubelet.config.k8s.io/v1beta1", "KubeletConfiguration"
SCHEME = "k8s.io/kubernetes/pkg/kubelet/apis/config/scheme/scheme.go:32"


def _struct(name: str, fields: Mapping[str, object]) -> Struct:
    return Struct(name, fields, "v1beta1")


_X509Authentication = _struct("KubeletX509Authentication", {
    "clientCAFile": "string"})
_WebhookAuthentication = _struct("KubeletWebhookAuthentication", {
    "enabled": "bool", "cacheTTL": "duration"})
_AnonymousAuthentication = _struct("KubeletAnonymousAuthentication", {
    "enabled": "bool"})
_Authentication = _struct("KubeletAuthentication", {
    "x509": _X509Authentication, "webhook": _WebhookAuthentication, "anonymous": _AnonymousAuthentication})
_WebhookAuthorization = _struct("KubeletWebhookAuthorization", {
    "cacheAuthorizedTTL": "duration", "cacheUnauthorizedTTL": "duration"})
_Authorization = _struct("KubeletAuthorization", {
    "mode": Named("v1beta1.KubeletAuthorizationMode", "string"), "webhook": _WebhookAuthorization})
_MemorySwapConfiguration = _struct("MemorySwapConfiguration", {
    "swapBehavior": "string"})
_ShutdownGracePeriodByPodPriority = _struct("ShutdownGracePeriodByPodPriority", {
    "priority": "int32", "shutdownGracePeriodSeconds": "int64"})
_MemoryReservation = _struct("MemoryReservation", {
    "numaNode": "int32", "limits": ANY})
KUBELET_CONFIGURATION = _struct("KubeletConfiguration", {
    "apiVersion": "string", "kind": "string", "enableServer": "bool", "staticPodPath": "string",
    "syncFrequency": "duration", "fileCheckFrequency": "duration", "httpCheckFrequency": "duration",
    "staticPodURL": "string", "staticPodURLHeader": Map(Slice("string")), "address": "string", "port": "int32",
    "readOnlyPort": "int32", "tlsCertFile": "string", "tlsPrivateKeyFile": "string",
    "tlsCipherSuites": Slice("string"), "tlsMinVersion": "string", "rotateCertificates": "bool",
    "serverTLSBootstrap": "bool", "authentication": _Authentication, "authorization": _Authorization,
    "registryPullQPS": "int32", "registryBurst": "int32", "eventRecordQPS": "int32", "eventBurst": "int32",
    "enableDebuggingHandlers": "bool", "enableContentionProfiling": "bool", "healthzPort": "int32",
    "healthzBindAddress": "string", "oomScoreAdj": "int32", "clusterDomain": "string",
    "clusterDNS": Slice("string"), "streamingConnectionIdleTimeout": "duration",
    "nodeStatusUpdateFrequency": "duration", "nodeStatusReportFrequency": "duration",
    "nodeLeaseDurationSeconds": "int32", "imageMinimumGCAge": "duration",
    "imageGCHighThresholdPercent": "int32", "imageGCLowThresholdPercent": "int32",
    "volumeStatsAggPeriod": "duration", "kubeletCgroups": "string", "systemCgroups": "string",
    "cgroupRoot": "string", "cgroupsPerQOS": "bool", "cgroupDriver": "string", "cpuManagerPolicy": "string",
    "cpuManagerPolicyOptions": Map("string"), "cpuManagerReconcilePeriod": "duration",
    "memoryManagerPolicy": "string", "topologyManagerPolicy": "string", "topologyManagerScope": "string",
    "qosReserved": Map("string"), "runtimeRequestTimeout": "duration", "hairpinMode": "string",
    "maxPods": "int32", "podCIDR": "string", "podPidsLimit": "int64", "resolvConf": "string",
    "runOnce": "bool", "cpuCFSQuota": "bool", "cpuCFSQuotaPeriod": "duration", "nodeStatusMaxImages": "int32",
    "maxOpenFiles": "int64", "contentType": "string", "kubeAPIQPS": "int32", "kubeAPIBurst": "int32",
    "serializeImagePulls": "bool", "evictionHard": Map("string"), "evictionSoft": Map("string"),
    "evictionSoftGracePeriod": Map("string"), "evictionPressureTransitionPeriod": "duration",
    "evictionMaxPodGracePeriod": "int32", "evictionMinimumReclaim": Map("string"), "podsPerCore": "int32",
    "enableControllerAttachDetach": "bool", "protectKernelDefaults": "bool", "makeIPTablesUtilChains": "bool",
    "iptablesMasqueradeBit": "int32", "iptablesDropBit": "int32", "featureGates": Map("bool"),
    "failSwapOn": "bool", "memorySwap": _MemorySwapConfiguration, "containerLogMaxSize": "string",
    "containerLogMaxFiles": "int32",
    "configMapAndSecretChangeDetectionStrategy": Named("v1beta1.ResourceChangeDetectionStrategy", "string"),
    "systemReserved": Map("string"), "kubeReserved": Map("string"), "reservedSystemCPUs": "string",
    "showHiddenMetricsForVersion": "string", "systemReservedCgroup": "string", "kubeReservedCgroup": "string",
    "enforceNodeAllocatable": Slice("string"), "allowedUnsafeSysctls": Slice("string"),
    "volumePluginDir": "string", "providerID": "string", "kernelMemcgNotification": "bool",
    "logging": Struct("LoggingConfiguration", None, "v1alpha1"), "enableSystemLogHandler": "bool",
    "shutdownGracePeriod": "duration", "shutdownGracePeriodCriticalPods": "duration",
    "shutdownGracePeriodByPodPriority": Slice(_ShutdownGracePeriodByPodPriority),
    "reservedMemory": Slice(_MemoryReservation), "enableProfilingHandler": "bool",
    "enableDebugFlagsHandler": "bool", "seccompDefault": "bool", "memoryThrottlingFactor": "float64",
    "registerWithTaints": Slice(Struct("Taint", None, "v1")), "registerNode": "bool"})

# The fields the reference acts on: their path in the file, and the flag they stand in for.
FLAGS = {("tlsCertFile",): "tls_cert_file", ("tlsPrivateKeyFile",): "tls_private_key_file",
         ("authentication", "x509", "clientCAFile"): "client_ca_file",
         ("authentication", "anonymous", "enabled"): "anonymous_auth",
         ("authorization", "mode"): "authorization_mode", ("podCIDR",): "pod_cidr",
         ("nodeLeaseDurationSeconds",): "node_lease_duration_seconds"}
# The file's paths that name files: a relative one is relative to the file's own folder.
PATH_FLAGS = ("tls_cert_file", "tls_private_key_file", "client_ca_file")
# SetDefaults_KubeletConfiguration's: a lease duration left at zero is 40 seconds.
DEFAULT_NODE_LEASE_DURATION_SECONDS = 40


class KubeletConfigError(KubeletError):
    """A --config file the kubelet refuses, in its words."""

    def __init__(self, path: Path, reason: str) -> None:
        super().__init__(f"failed to load Kubelet config file {path}, error {reason}")


@dataclass(frozen=True)
class KubeletConfigFile:
    """The values the file sets for the flags in FLAGS (by the flag's dest), and the lenient
    decoding's reason to log (None when the strict one passed)."""

    values: Mapping[str, object]
    lenient_because: str | None = None


@mirrors("k8s.io/kubernetes/cmd/kubelet/app.loadConfigFile")
def load(name: Path) -> KubeletConfigFile:
    path = Path(os.path.abspath(name))
    try:
        data = path.read_text()
    except OSError as error:
        raise KubeletConfigError(path, f'failed to read kubelet config file "{path}", error: open {path}: '
                                       f"{(error.strerror or str(error)).lower()}") from None
    if not data:
        raise KubeletConfigError(path, f'kubelet config file "{path}" was empty')
    config, lenient_because = _decode(path, data)
    values = {}
    for field_path, dest in FLAGS.items():
        value = config
        for key in field_path:
            value = value.get(key) if isinstance(value, Mapping) else None
        if value is not None:
            values[dest] = value
    if values.get("node_lease_duration_seconds") == 0:
        values["node_lease_duration_seconds"] = DEFAULT_NODE_LEASE_DURATION_SECONDS
    return KubeletConfigFile(_resolve_relative_paths(values, path.parent), lenient_because)


@mirrors("k8s.io/kubernetes/pkg/kubelet/kubeletconfig/configfiles.resolveRelativePaths")
def _resolve_relative_paths(values: Mapping[str, object], root: Path) -> dict[str, object]:
    """The file's paths as Paths, a relative one joined to `root`; an empty one is no path."""
    resolved = dict(values)
    for dest in PATH_FLAGS:
        if resolved.get(dest):
            resolved[dest] = root / resolved[dest]  # an absolute path stays as it is
        else:
            resolved.pop(dest, None)
    return resolved


@mirrors("k8s.io/kubernetes/pkg/kubelet/kubeletconfig/util/codec.DecodeKubeletConfiguration")
def _decode(path: Path, data: str) -> tuple[dict, str | None]:
    try:
        return decode_file(data, {(API_VERSION, KIND): KUBELET_CONFIGURATION}, SCHEME)
    except DecodeError as error:
        raise KubeletConfigError(path, f"failed to decode: {error}") from None
