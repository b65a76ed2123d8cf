"""The Pod Security Standards as k8s.io/pod-security-admission/policy checks them in 1.24.

One function per upstream check file, each taking the pod's (or template's) metadata and spec as
the v1 JSON holds them and returning a `CheckResult` whose reason and detail are upstream's words.
`DEFAULT_CHECKS` lists them in upstream's registration order (its files' order), which is the order
the reasons of a refusal appear in; a check applies from its minimum version on.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterator

from reference_impl.apiserver.core.podsecurity.api import BASELINE, PRIVILEGED, RESTRICTED, LevelVersion, Version
from reference_impl.machinery.gojson import quote
from reference_impl.mirrors import mirrors

SECCOMP_POD_ANNOTATION = "seccomp.security.alpha.kubernetes.io/pod"
SECCOMP_CONTAINER_ANNOTATION_PREFIX = "container.seccomp.security.alpha.kubernetes.io/"
APPARMOR_CONTAINER_ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/"


@dataclass(frozen=True)
class CheckResult:
    allowed: bool = True
    forbidden_reason: str = ""
    forbidden_detail: str = ""


ALLOWED = CheckResult()


@dataclass(frozen=True)
class AggregateCheckResult:
    allowed: bool
    forbidden_reasons: tuple[str, ...]
    forbidden_details: tuple[str, ...]

    @mirrors("(*k8s.io/pod-security-admission/policy.AggregateCheckResult).ForbiddenReason")
    def forbidden_reason(self) -> str:
        return ", ".join(self.forbidden_reasons)

    @mirrors("(*k8s.io/pod-security-admission/policy.AggregateCheckResult).ForbiddenDetail")
    def forbidden_detail(self) -> str:
        """`reason (detail), reason, ...`: each reason with its detail, when it has one."""
        return ", ".join(f"{reason} ({detail})" if detail else reason
                         for reason, detail in zip(self.forbidden_reasons, self.forbidden_details))


@mirrors("k8s.io/pod-security-admission/policy.AggregateCheckResults")
def aggregate_check_results(results: list[CheckResult]) -> AggregateCheckResult:
    failed = [r for r in results if not r.allowed]
    return AggregateCheckResult(not failed, tuple(r.forbidden_reason or "unknown forbidden reason" for r in failed),
                                tuple(r.forbidden_detail for r in failed))


def _join_quote(items: list[str]) -> str:
    return ", ".join(f'"{item}"' for item in items)


def _pluralize(singular: str, plural: str, count: int) -> str:
    return singular if count == 1 else plural


def _containers_named(names: list[str]) -> str:
    return f'{_pluralize("container", "containers", len(names))} {_join_quote(names)}'


@mirrors("k8s.io/pod-security-admission/policy.visitContainers")
def _containers(spec: dict) -> Iterator[dict]:
    """Init containers, containers, then ephemeral containers."""
    for key in ("initContainers", "containers", "ephemeralContainers"):
        yield from spec.get(key) or ()


def _security_context(holder: dict) -> dict:
    return holder.get("securityContext") or {}


@mirrors("k8s.io/pod-security-admission/policy.allowPrivilegeEscalation_1_8")
def allow_privilege_escalation_1_8(metadata: dict, spec: dict) -> CheckResult:
    bad = [c["name"] for c in _containers(spec) if _security_context(c).get("allowPrivilegeEscalation") is not False]
    if bad:
        return CheckResult(False, "allowPrivilegeEscalation != false",
                           f"{_containers_named(bad)} must set securityContext.allowPrivilegeEscalation=false")
    return ALLOWED


@mirrors("k8s.io/pod-security-admission/policy.appArmorProfile_1_0")
def app_armor_profile_1_0(metadata: dict, spec: dict) -> CheckResult:
    forbidden = sorted(f"{key}={quote(value)}" for key, value in (metadata.get("annotations") or {}).items()
                       if key.startswith(APPARMOR_CONTAINER_ANNOTATION_PREFIX)
                       and value and value != "runtime/default" and not value.startswith("localhost/"))
    if forbidden:
        return CheckResult(False, _pluralize("forbidden AppArmor profile", "forbidden AppArmor profiles",
                                             len(forbidden)), ", ".join(forbidden))
    return ALLOWED


CAPABILITIES_ALLOWED_1_0 = frozenset({"AUDIT_WRITE", "CHOWN", "DAC_OVERRIDE", "FOWNER", "FSETID", "KILL", "MKNOD",
                                      "NET_BIND_SERVICE", "SETFCAP", "SETGID", "SETPCAP", "SETUID", "SYS_CHROOT"})


def _added_capabilities(container: dict) -> list[str]:
    return (_security_context(container).get("capabilities") or {}).get("add") or []


@mirrors("k8s.io/pod-security-admission/policy.capabilitiesBaseline_1_0")
def capabilities_baseline_1_0(metadata: dict, spec: dict) -> CheckResult:
    bad, forbidden = [], set()
    for container in _containers(spec):
        added = set(_added_capabilities(container)) - CAPABILITIES_ALLOWED_1_0
        if added:
            bad.append(container["name"])
            forbidden |= added
    if bad:
        return CheckResult(False, "non-default capabilities", f"{_containers_named(bad)} must not include "
                                                              f"{_join_quote(sorted(forbidden))} in "
                                                              "securityContext.capabilities.add")
    return ALLOWED


@mirrors("k8s.io/pod-security-admission/policy.capabilitiesRestricted_1_22")
def capabilities_restricted_1_22(metadata: dict, spec: dict) -> CheckResult:
    missing_drop_all, adding_forbidden, forbidden = [], [], set()
    for container in _containers(spec):
        capabilities = _security_context(container).get("capabilities")
        if capabilities is None:
            missing_drop_all.append(container["name"])
            continue
        if "ALL" not in (capabilities.get("drop") or []):
            missing_drop_all.append(container["name"])
        added = set(capabilities.get("add") or []) - {"NET_BIND_SERVICE"}
        if added:
            adding_forbidden.append(container["name"])
            forbidden |= added
    details = []
    if missing_drop_all:
        details.append(f'{_containers_named(missing_drop_all)} must set securityContext.capabilities.drop=["ALL"]')
    if adding_forbidden:
        details.append(f"{_containers_named(adding_forbidden)} must not include {_join_quote(sorted(forbidden))} "
                       "in securityContext.capabilities.add")
    if details:
        return CheckResult(False, "unrestricted capabilities", "; ".join(details))
    return ALLOWED


@mirrors("k8s.io/pod-security-admission/policy.hostNamespaces_1_0")
def host_namespaces_1_0(metadata: dict, spec: dict) -> CheckResult:
    shared = [f"{field}=true" for field in ("hostNetwork", "hostPID", "hostIPC") if spec.get(field)]
    if shared:
        return CheckResult(False, "host namespaces", ", ".join(shared))
    return ALLOWED


@mirrors("k8s.io/pod-security-admission/policy.hostPathVolumes_1_0")
def host_path_volumes_1_0(metadata: dict, spec: dict) -> CheckResult:
    host = [v["name"] for v in spec.get("volumes") or () if v.get("hostPath") is not None]
    if host:
        return CheckResult(False, "hostPath volumes", f'{_pluralize("volume", "volumes", len(host))} '
                                                      f"{_join_quote(host)}")
    return ALLOWED


@mirrors("k8s.io/pod-security-admission/policy.hostPorts_1_0")
def host_ports_1_0(metadata: dict, spec: dict) -> CheckResult:
    bad, ports = [], set()
    for container in _containers(spec):
        used = {str(p["hostPort"]) for p in container.get("ports") or () if p.get("hostPort")}
        if used:
            bad.append(container["name"])
            ports |= used
    if bad:
        # sets.String sorts the ports as strings: "10", "20", "8080", "9".
        return CheckResult(False, "hostPort", f'{_containers_named(bad)} {_pluralize("uses", "use", len(bad))} '
                                              f'{_pluralize("hostPort", "hostPorts", len(ports))} '
                                              f'{", ".join(sorted(ports))}')
    return ALLOWED


@mirrors("k8s.io/pod-security-admission/policy.privileged_1_0")
def privileged_1_0(metadata: dict, spec: dict) -> CheckResult:
    bad = [c["name"] for c in _containers(spec) if _security_context(c).get("privileged")]
    if bad:
        return CheckResult(False, "privileged", f"{_containers_named(bad)} must not set securityContext.privileged=true")
    return ALLOWED


@mirrors("k8s.io/pod-security-admission/policy.procMount_1_0")
def proc_mount_1_0(metadata: dict, spec: dict) -> CheckResult:
    bad, types = [], set()
    for container in _containers(spec):
        proc_mount = _security_context(container).get("procMount")
        if proc_mount is not None and proc_mount != "Default":
            bad.append(container["name"])
            types.add(proc_mount)
    if bad:
        return CheckResult(False, "procMount", f"{_containers_named(bad)} must not set securityContext.procMount to "
                                               f"{_join_quote(sorted(types))}")
    return ALLOWED


ALLOWED_VOLUME_SOURCES = ("configMap", "csi", "downwardAPI", "emptyDir", "ephemeral", "persistentVolumeClaim",
                          "projected", "secret")
# The restricted sources, in the order upstream's switch names the first one a volume sets.
RESTRICTED_VOLUME_SOURCES = ("hostPath", "gcePersistentDisk", "awsElasticBlockStore", "gitRepo", "nfs", "iscsi",
                             "glusterfs", "rbd", "flexVolume", "cinder", "cephfs", "flocker", "fc", "azureFile",
                             "vsphereVolume", "quobyte", "azureDisk", "photonPersistentDisk", "portworxVolume",
                             "scaleIO", "storageos")


@mirrors("k8s.io/pod-security-admission/policy.restrictedVolumes_1_0")
def restricted_volumes_1_0(metadata: dict, spec: dict) -> CheckResult:
    bad, types = [], set()
    for volume in spec.get("volumes") or ():
        if any(volume.get(source) is not None for source in ALLOWED_VOLUME_SOURCES):
            continue
        bad.append(volume["name"])
        types.add(next((s for s in RESTRICTED_VOLUME_SOURCES if volume.get(s) is not None), "unknown"))
    if bad:
        return CheckResult(False, "restricted volume types", (
            f'{_pluralize("volume", "volumes", len(bad))} {_join_quote(bad)} {_pluralize("uses", "use", len(bad))} '
            f'{_pluralize("restricted volume type", "restricted volume types", len(types))} '
            f"{_join_quote(sorted(types))}"))
    return ALLOWED


@mirrors("k8s.io/pod-security-admission/policy.runAsNonRoot_1_0")
def run_as_non_root_1_0(metadata: dict, spec: dict) -> CheckResult:
    bad_setters, explicitly_bad, implicitly_bad = [], [], []
    pod_run_as_non_root = _security_context(spec).get("runAsNonRoot")
    if pod_run_as_non_root is False:
        bad_setters.append("pod")
    for container in _containers(spec):
        run_as_non_root = _security_context(container).get("runAsNonRoot")
        if run_as_non_root is False:
            explicitly_bad.append(container["name"])
        elif run_as_non_root is None and pod_run_as_non_root is not True:
            implicitly_bad.append(container["name"])
    if explicitly_bad:
        bad_setters.append(_containers_named(explicitly_bad))
    if bad_setters:
        return CheckResult(False, "runAsNonRoot != true",
                           f"{' and '.join(bad_setters)} must not set securityContext.runAsNonRoot=false")
    if implicitly_bad:
        return CheckResult(False, "runAsNonRoot != true",
                           f"pod or {_containers_named(implicitly_bad)} must set securityContext.runAsNonRoot=true")
    return ALLOWED


@mirrors("k8s.io/pod-security-admission/policy.runAsUser_1_23")
def run_as_user_1_23(metadata: dict, spec: dict) -> CheckResult:
    bad_setters = ["pod"] if _security_context(spec).get("runAsUser") == 0 else []
    bad = [c["name"] for c in _containers(spec) if _security_context(c).get("runAsUser") == 0]
    if bad:
        bad_setters.append(_containers_named(bad))
    if bad_setters:
        return CheckResult(False, "runAsUser=0", f"{' and '.join(bad_setters)} must not set runAsUser=0")
    return ALLOWED


SELINUX_ALLOWED_TYPES_1_0 = frozenset({"", "container_t", "container_init_t", "container_kvm_t"})


@mirrors("k8s.io/pod-security-admission/policy.seLinuxOptions_1_0")
def selinux_options_1_0(metadata: dict, spec: dict) -> CheckResult:
    bad_types: set[str] = set()
    set_fields: set[str] = set()

    def valid(options: dict) -> bool:
        ok = True
        if options.get("type", "") not in SELINUX_ALLOWED_TYPES_1_0:
            bad_types.add(options["type"])
            ok = False
        for field in ("user", "role"):
            if options.get(field):
                set_fields.add(field)
                ok = False
        return ok

    pod_options = _security_context(spec).get("seLinuxOptions")
    bad_setters = ["pod"] if pod_options is not None and not valid(pod_options) else []
    bad = [c["name"] for c in _containers(spec)
           if _security_context(c).get("seLinuxOptions") is not None and not valid(_security_context(c)["seLinuxOptions"])]
    if bad:
        bad_setters.append(_containers_named(bad))
    if not bad_setters:
        return ALLOWED
    bad_data = []
    if bad_types:  # 1.24 names a user or role only along with a forbidden type
        bad_data.append(f'{_pluralize("type", "types", len(bad_types))} {_join_quote(sorted(bad_types))}')
        bad_data += [f"{field} may not be set" for field in ("user", "role") if field in set_fields]
    return CheckResult(False, "seLinuxOptions", f"{' and '.join(bad_setters)} set forbidden "
                                                f"securityContext.seLinuxOptions: {'; '.join(bad_data)}")


def _valid_seccomp_annotation(value: str) -> bool:
    return value in ("runtime/default", "docker/default") or value.startswith("localhost/")


@mirrors("k8s.io/pod-security-admission/policy.seccompProfileBaseline_1_0")
def seccomp_profile_baseline_1_0(metadata: dict, spec: dict) -> CheckResult:
    annotations = metadata.get("annotations") or {}
    keys = [SECCOMP_POD_ANNOTATION, *(SECCOMP_CONTAINER_ANNOTATION_PREFIX + c["name"] for c in _containers(spec))]
    forbidden = sorted({f"{key}={quote(annotations[key])}" for key in keys
                        if key in annotations and not _valid_seccomp_annotation(annotations[key])})
    if forbidden:
        return CheckResult(False, "seccompProfile", f'forbidden {_pluralize("annotation", "annotations", len(forbidden))} '
                                                    f'{", ".join(forbidden)}')
    return ALLOWED


def _seccomp_type(holder: dict) -> str | None:
    """The seccompProfile.type a pod or container sets; None when it sets no seccompProfile."""
    profile = _security_context(holder).get("seccompProfile")
    return None if profile is None else profile.get("type", "")


def _valid_seccomp(profile_type: str | None) -> bool:
    return profile_type in ("Localhost", "RuntimeDefault")


def _seccomp_profile(spec: dict, required: bool) -> CheckResult:
    """Both seccomp checks from 1.19: no type but RuntimeDefault or Localhost and, when `required`,
    a valid type on the pod or on every container."""
    bad_setters, bad_values, explicitly_bad, implicitly_bad = [], set(), [], []
    pod_type = _seccomp_type(spec)
    if pod_type is not None and not _valid_seccomp(pod_type):
        bad_setters.append("pod")
        bad_values.add(pod_type)
    for container in _containers(spec):
        container_type = _seccomp_type(container)
        if container_type is None:
            if required and not _valid_seccomp(pod_type):
                implicitly_bad.append(container["name"])
        elif not _valid_seccomp(container_type):
            explicitly_bad.append(container["name"])
            bad_values.add(container_type)
    if explicitly_bad:
        bad_setters.append(_containers_named(explicitly_bad))
    if bad_setters:
        return CheckResult(False, "seccompProfile", f"{' and '.join(bad_setters)} must not set "
                                                    f"securityContext.seccompProfile.type to "
                                                    f"{_join_quote(sorted(bad_values))}")
    if implicitly_bad:
        return CheckResult(False, "seccompProfile", f"pod or {_containers_named(implicitly_bad)} must set "
                                                    'securityContext.seccompProfile.type to "RuntimeDefault" '
                                                    'or "Localhost"')
    return ALLOWED


@mirrors("k8s.io/pod-security-admission/policy.seccompProfileBaseline_1_19")
def seccomp_profile_baseline_1_19(metadata: dict, spec: dict) -> CheckResult:
    return _seccomp_profile(spec, required=False)


@mirrors("k8s.io/pod-security-admission/policy.seccompProfileRestricted_1_19")
def seccomp_profile_restricted_1_19(metadata: dict, spec: dict) -> CheckResult:
    return _seccomp_profile(spec, required=True)


SYSCTLS_ALLOWED_1_0 = frozenset({"kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
                                 "net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start"})


@mirrors("k8s.io/pod-security-admission/policy.sysctls_1_0")
def sysctls_1_0(metadata: dict, spec: dict) -> CheckResult:
    forbidden = [s["name"] for s in _security_context(spec).get("sysctls") or () if s.get("name") not in SYSCTLS_ALLOWED_1_0]
    if forbidden:
        return CheckResult(False, "forbidden sysctls", ", ".join(forbidden))
    return ALLOWED


def _host_process(holder: dict) -> bool:
    return bool((_security_context(holder).get("windowsOptions") or {}).get("hostProcess"))


@mirrors("k8s.io/pod-security-admission/policy.windowsHostProcess_1_0")
def windows_host_process_1_0(metadata: dict, spec: dict) -> CheckResult:
    setters = ["pod"] if _host_process(spec) else []
    bad = [c["name"] for c in _containers(spec) if _host_process(c)]
    if bad:
        setters.append(_containers_named(bad))
    if setters:
        return CheckResult(False, "hostProcess", f"{' and '.join(setters)} must not set "
                                                 "securityContext.windowsOptions.hostProcess=true")
    return ALLOWED


CheckPod = Callable[[dict, dict], CheckResult]


@dataclass(frozen=True)
class Check:
    """One check: its level, and the function that applies from each minimum version on."""

    id: str
    level: str
    versions: tuple[tuple[Version, CheckPod], ...]

    def for_version(self, version: Version) -> CheckPod | None:
        applicable = [check for minimum, check in self.versions if not version.older(minimum)]
        return applicable[-1] if applicable else None


def _v(minor: int) -> Version:
    return Version(1, minor)


DEFAULT_CHECKS = (
    Check("allowPrivilegeEscalation", RESTRICTED, ((_v(8), allow_privilege_escalation_1_8),)),
    Check("appArmorProfile", BASELINE, ((_v(0), app_armor_profile_1_0),)),
    Check("capabilities_baseline", BASELINE, ((_v(0), capabilities_baseline_1_0),)),
    Check("capabilities_restricted", RESTRICTED, ((_v(22), capabilities_restricted_1_22),)),
    Check("hostNamespaces", BASELINE, ((_v(0), host_namespaces_1_0),)),
    Check("hostPathVolumes", BASELINE, ((_v(0), host_path_volumes_1_0),)),
    Check("hostPorts", BASELINE, ((_v(0), host_ports_1_0),)),
    Check("privileged", BASELINE, ((_v(0), privileged_1_0),)),
    Check("procMount", BASELINE, ((_v(0), proc_mount_1_0),)),
    Check("restrictedVolumes", RESTRICTED, ((_v(0), restricted_volumes_1_0),)),
    Check("runAsNonRoot", RESTRICTED, ((_v(0), run_as_non_root_1_0),)),
    Check("runAsUser", RESTRICTED, ((_v(23), run_as_user_1_23),)),
    Check("seLinuxOptions", BASELINE, ((_v(0), selinux_options_1_0),)),
    Check("seccompProfile_baseline", BASELINE, ((_v(0), seccomp_profile_baseline_1_0),
                                                (_v(19), seccomp_profile_baseline_1_19))),
    Check("seccompProfile_restricted", RESTRICTED, ((_v(19), seccomp_profile_restricted_1_19),)),
    Check("sysctls", BASELINE, ((_v(0), sysctls_1_0),)),
    Check("windowsHostProcess", BASELINE, ((_v(0), windows_host_process_1_0),)),
)
# The newest version any check names: later versions and latest evaluate as this one.
MAX_VERSION = max((minimum for check in DEFAULT_CHECKS for minimum, _ in check.versions), key=lambda v: (v.major, v.minor))


@mirrors("(*k8s.io/pod-security-admission/policy.checkRegistry).EvaluatePod")
def evaluate_pod(level_version: LevelVersion, metadata: dict, spec: dict) -> list[CheckResult]:
    """The results of the level's checks at its version: baseline's, then (for restricted) restricted's."""
    if level_version.level == PRIVILEGED:
        return []
    version = MAX_VERSION if MAX_VERSION.older(level_version.version) else level_version.version
    levels = (BASELINE,) if level_version.level == BASELINE else (BASELINE, RESTRICTED)
    results = []
    for level in levels:
        for check in DEFAULT_CHECKS:
            check_pod = check.for_version(version) if check.level == level else None
            if check_pod is not None:
                results.append(check_pod(metadata, spec))
    return results
