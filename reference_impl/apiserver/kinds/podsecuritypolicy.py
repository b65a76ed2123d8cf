"""The PodSecurityPolicy kind (policy/v1beta1, deprecated in 1.21 and gone in 1.25): its resource
facts, defaults, validation, OpenAPI schema, printer columns and protobuf layout.

1.24 serves PodSecurityPolicies by default, but they only matter to pods with the
PodSecurityPolicy admission plugin enabled, which is off by default and which the reference server
does not have: here they are stored and validated, nothing more.
"""
from __future__ import annotations

import re

from reference_impl.apiserver.core import validation as v
from reference_impl.apiserver.core.resources import Resource
from reference_impl.apiserver.core.schemas import (CORE, arr, boolean, integer, kind, list_kind, obj, ref, string,
                                                   strings)
from reference_impl.apiserver.core.podannotations import apparmor_profile_format_problem, seccomp_profile_problems
from reference_impl.apiserver.core.volumevalidation import csi_driver_name_problems
from reference_impl.apiserver.kinds._columns import NAME, name_cell, part
from reference_impl.apiserver.kinds._defaulting import dict_items
from reference_impl.mirrors import mirrors

PSP = "io.k8s.api.policy.v1beta1."
ALL = "*"
# sets.String's List() of the strategies' rules: sorted.
SELINUX_RULES = ("MustRunAs", "RunAsAny")
RUN_AS_USER_RULES = ("MustRunAs", "MustRunAsNonRoot", "RunAsAny")
RUN_AS_GROUP_RULES = ("MustRunAs", "RunAsAny", "MayRunAs")  # a literal list upstream: not sorted
GROUP_RULES = ("MayRunAs", "MustRunAs", "RunAsAny")
# psputil.GetAllFSTypesAsSet() with `*`, sorted.
VOLUMES = tuple(sorted((ALL, "awsElasticBlockStore", "azureDisk", "azureFile", "cephFS", "cinder", "configMap", "csi",
                        "downwardAPI", "emptyDir", "ephemeral", "fc", "flexVolume", "flocker", "gcePersistentDisk",
                        "gitRepo", "glusterfs", "hostPath", "iscsi", "nfs", "persistentVolumeClaim", "photonPersistentDisk",
                        "portworxVolume", "projected", "quobyte", "rbd", "scaleIO", "secret", "storageos",
                        "vsphereVolume")))

APPARMOR_DEFAULT = "apparmor.security.beta.kubernetes.io/defaultProfileName"
APPARMOR_ALLOWED = "apparmor.security.beta.kubernetes.io/allowedProfileNames"
SECCOMP_DEFAULT = "seccomp.security.alpha.kubernetes.io/defaultProfileName"
SECCOMP_ALLOWED = "seccomp.security.alpha.kubernetes.io/allowedProfileNames"
SYSCTL_MAX_LENGTH = 253
SYSCTL_PATTERN = r"([a-z0-9]([-_a-z0-9]*[a-z0-9])?\.)*([a-z0-9][-_a-z0-9]*)?[a-z0-9*]"  # SysctlPatternFmt


@mirrors("k8s.io/kubernetes/pkg/apis/policy/v1beta1.SetDefaults_PodSecurityPolicySpec")
def pod_security_policy(psp: dict, spec: dict) -> None:
    """allowPrivilegeEscalation came later: a policy without it stays as permissive as before."""
    if spec.get("allowPrivilegeEscalation") is None:
        spec["allowPrivilegeEscalation"] = True


@mirrors("(k8s.io/kubernetes/pkg/registry/policy/podsecuritypolicy.strategy).PrepareForCreate",
         "k8s.io/kubernetes/pkg/api/podsecuritypolicy.DropDisabledFields")
def prepare_for_create(psp: dict, user: object) -> None:
    """ProcMountType is off in 1.24: a new policy's allowedProcMountTypes are dropped."""
    part(psp, "spec").pop("allowedProcMountTypes", None)


@mirrors("(k8s.io/kubernetes/pkg/registry/policy/podsecuritypolicy.strategy).PrepareForUpdate",
         "k8s.io/kubernetes/pkg/api/podsecuritypolicy.DropDisabledFields")
def prepare_for_update(new: dict, old: dict) -> None:
    """allowedProcMountTypes are kept only where the stored policy has some."""
    if part(old, "spec").get("allowedProcMountTypes") is None:
        part(new, "spec").pop("allowedProcMountTypes", None)


def _id_range_problems(ranges: object, path: str) -> list[str]:
    problems = []
    for i, rng in enumerate(dict_items(ranges)):
        at, low, high = f"{path}[{i}]", rng.get("min") or 0, rng.get("max") or 0
        if low < 0:
            problems.append(v.invalid(f"{at}.min", low, "min cannot be negative"))
        if high < 0:
            problems.append(v.invalid(f"{at}.max", high, "max cannot be negative"))
        if low > high:
            problems.append(v.invalid(f"{at}.min", low, "min cannot be greater than max"))
    return problems


def _go_id_ranges(ranges: object) -> str:
    """%#v of a []policy.IDRange, as field.Invalid prints it."""
    if not ranges:
        return "[]policy.IDRange(nil)"
    return "[]policy.IDRange{" + ", ".join(f"policy.IDRange{{Min:{r.get('min') or 0}, Max:{r.get('max') or 0}}}"
                                          for r in dict_items(ranges)) + "}"


def _strategy_problems(options: object, path: str, rules: tuple[str, ...]) -> list[str]:
    options = v.as_object(options)
    problems = [] if options.get("rule", "") in rules else [v.unsupported(f"{path}.rule", options.get("rule", ""), rules)]
    return problems + _id_range_problems(options.get("ranges"), f"{path}.ranges")


@mirrors("k8s.io/kubernetes/pkg/apis/policy/validation.validatePSPRunAsGroup")
def _run_as_group_problems(options: object, path: str) -> list[str]:
    if not isinstance(options, dict):
        return []
    rule, ranges = options.get("rule", ""), options.get("ranges")
    if rule == "RunAsAny":
        return [] if not ranges else [f"{path}.ranges: Invalid value: {_go_id_ranges(ranges)}: Ranges must be empty"]
    if rule in ("MustRunAs", "MayRunAs"):
        missing = [] if ranges else [f"{path}.ranges: Invalid value: {_go_id_ranges(ranges)}: must provide at least one range"]
        return missing + _id_range_problems(ranges, f"{path}.ranges")
    return [v.unsupported(f"{path}.rule", rule, RUN_AS_GROUP_RULES)]


@mirrors("k8s.io/kubernetes/pkg/apis/policy/validation.validatePSPCapsAgainstDrops")
def _caps_against_drops(drops: object, caps: object, path: str) -> list[str]:
    if drops is None:
        return []
    return [v.invalid(path, cap, f"capability is listed in {path} and requiredDropCapabilities")
            for cap in v.as_list(caps) if cap in v.as_list(drops)]


def _host_path_problems(paths: object, path: str) -> list[str]:
    for i, target in enumerate(dict_items(paths)):
        prefix = target.get("pathPrefix") or ""
        if not prefix:
            return [v.required(f"{path}[{i}]", "is required")]  # the first empty one ends the check
        if ".." in prefix.replace("\\", "/").split("/"):
            return [v.invalid(f"{path}[{i}]", prefix, "must not contain '..'")]
    return []


@mirrors("k8s.io/kubernetes/pkg/apis/policy/validation.validateRuntimeClassStrategy")
def _runtime_class_problems(options: object, path: str) -> list[str]:
    if not isinstance(options, dict):
        return []
    problems, allowed = [], set()
    names = v.as_list(options.get("allowedRuntimeClassNames"))
    for i, name in enumerate(names):
        if name != ALL:
            problems += v.name_problems(str(name), "subdomain", f"{path}.allowedRuntimeClassNames[{i}]")
        if name in allowed:
            problems.append(v.duplicate(f"{path}.allowedRuntimeClassNames[{i}]", str(name)))
        allowed.add(name)
    default = options.get("defaultRuntimeClassName")
    if default is not None:
        problems += v.name_problems(str(default), "subdomain", f"{path}.defaultRuntimeClassName")
        if default not in allowed and ALL not in allowed:
            problems.append(v.required(f"{path}.allowedRuntimeClassNames", f"default {v.quote(str(default))} must be allowed"))
    if ALL in allowed and len(names) > 1:
        problems.append(v.invalid(f"{path}.allowedRuntimeClassNames", names,
                                  "if '*' is present, must not specify other RuntimeClass names"))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/policy/validation.ValidatePodSecurityPolicySpecificAnnotations")
def _annotation_problems(annotations: dict) -> list[str]:
    """The default and allowed AppArmor and seccomp profiles the annotations name."""
    path, problems = "metadata.annotations", []
    if annotations.get(APPARMOR_DEFAULT):
        problem = apparmor_profile_format_problem(str(annotations[APPARMOR_DEFAULT]))
        if problem:
            problems.append(v.invalid(f"{path}[{APPARMOR_DEFAULT}]", str(annotations[APPARMOR_DEFAULT]), problem))
    allowed = str(annotations.get(APPARMOR_ALLOWED) or "")
    for profile in allowed.split(",") if allowed else ():
        problem = apparmor_profile_format_problem(profile)
        if problem:
            problems.append(v.invalid(f"{path}[{APPARMOR_ALLOWED}]", allowed, problem))
    if annotations.get(SECCOMP_DEFAULT):
        problems += seccomp_profile_problems(str(annotations[SECCOMP_DEFAULT]), f"{path}[{SECCOMP_DEFAULT}]")
    allowed = str(annotations.get(SECCOMP_ALLOWED) or "")
    for profile in allowed.split(",") if allowed else ():
        if profile != ALL:
            problems += seccomp_profile_problems(profile, f"{path}[{SECCOMP_ALLOWED}]")
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/policy/validation.validatePodSecurityPolicySysctls",
         "k8s.io/kubernetes/pkg/apis/policy/validation.IsValidSysctlPattern")
def _sysctl_problems(sysctls: object, path: str) -> list[str]:
    problems, covers_all = [], False
    sysctls = [str(s) for s in v.as_list(sysctls)]
    for i, sysctl in enumerate(sysctls):
        if not sysctl:
            problems.append(v.invalid(f"{path}[{i}]", sysctl, "empty sysctl not allowed"))
        elif len(sysctl) > SYSCTL_MAX_LENGTH or not re.fullmatch(SYSCTL_PATTERN, sysctl):
            problems.append(v.invalid(f"{path}[{i}]", sysctl, f"must have at most {SYSCTL_MAX_LENGTH} characters and "
                                                             f"match regex {SYSCTL_PATTERN}"))
        elif sysctl.startswith(ALL):
            covers_all = True
    if covers_all and len(sysctls) > 1:
        problems.append(v.forbidden(f"{path}.items", "if '*' is present, must not specify other sysctls"))
    return problems


def _overlap(allowed: str, forbidden: str) -> str:
    """Which of the two lists names an overlap of the two sysctls: "allowed", "forbidden" or ""."""
    allowed_prefix, forbidden_prefix = allowed.removesuffix("*"), forbidden.removesuffix("*")
    if allowed.endswith("*") and forbidden.endswith("*"):
        if allowed_prefix.startswith(forbidden_prefix):
            return "allowed"
        return "forbidden" if forbidden_prefix.startswith(allowed_prefix) else ""
    if allowed.endswith("*"):
        return "forbidden" if forbidden.startswith(allowed_prefix) else ""
    if forbidden.endswith("*"):
        return "allowed" if allowed.startswith(forbidden_prefix) else ""
    return "allowed" if allowed == forbidden else ""


@mirrors("k8s.io/kubernetes/pkg/apis/policy/validation.validatePodSecurityPolicySysctlListsDoNotOverlap")
def _sysctl_overlap_problems(allowed: object, forbidden: object) -> list[str]:
    problems = []
    for i, allowed_sysctl in enumerate(str(s) for s in v.as_list(allowed)):
        for j, forbidden_sysctl in enumerate(str(s) for s in v.as_list(forbidden)):
            which = _overlap(allowed_sysctl, forbidden_sysctl)
            if which == "allowed":
                problems.append(v.invalid(f"spec.allowedUnsafeSysctls[{i}]", allowed_sysctl,
                                          f"sysctl overlaps with {forbidden_sysctl}"))
            elif which == "forbidden":
                problems.append(v.invalid(f"spec.forbiddenSysctls[{j}]", forbidden_sysctl,
                                          f"sysctl overlaps with {allowed_sysctl}"))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/policy/validation.ValidatePodSecurityPolicySpec")
def validate_pod_security_policy(psp: dict) -> list[str]:
    """The annotations' profiles (ValidatePodSecurityPolicy checks them before the spec), then the spec."""
    spec = part(psp, "spec")
    problems = _annotation_problems(v.as_object(part(psp, "metadata").get("annotations")))
    problems += _strategy_problems(spec.get("runAsUser"), "spec.runAsUser", RUN_AS_USER_RULES)
    problems += _run_as_group_problems(spec.get("runAsGroup"), "spec.runAsGroup")
    selinux = v.as_object(spec.get("seLinux")).get("rule", "")
    if selinux not in SELINUX_RULES:
        problems.append(v.unsupported("spec.seLinux.rule", selinux, SELINUX_RULES))
    problems += _strategy_problems(spec.get("supplementalGroups"), "spec.supplementalGroups", GROUP_RULES)
    problems += _strategy_problems(spec.get("fsGroup"), "spec.fsGroup", GROUP_RULES)
    problems += [v.unsupported("spec.volumes", volume, VOLUMES) for volume in v.as_list(spec.get("volumes"))
                 if volume not in VOLUMES]
    drops = spec.get("requiredDropCapabilities")
    if drops and ALL in v.as_list(spec.get("allowedCapabilities")):
        shown = "[]core.Capability{" + ", ".join(v.quote(str(c)) for c in drops) + "}"
        problems.append(f"requiredDropCapabilities: Invalid value: {shown}: "
                        "must be empty when all capabilities are allowed by a wildcard")
    # Upstream names these two paths from the root, not from spec.
    problems += _caps_against_drops(drops, spec.get("defaultAddCapabilities"), "defaultAddCapabilities")
    problems += _caps_against_drops(drops, spec.get("allowedCapabilities"), "allowedCapabilities")
    if spec.get("defaultAllowPrivilegeEscalation") and not spec.get("allowPrivilegeEscalation"):
        problems.append(v.invalid("spec.defaultAllowPrivilegeEscalation", True, "Cannot set DefaultAllowPrivilegeEscalation "
                                  "to true without also setting AllowPrivilegeEscalation to true"))
    problems += _host_path_problems(spec.get("allowedHostPaths"), "spec.allowedHostPaths")
    problems += [v.required(f"spec.allowedFlexVolumes.allowedFlexVolumes[{i}].driver", "must specify a driver")
                 for i, volume in enumerate(dict_items(spec.get("allowedFlexVolumes"))) if not volume.get("driver")]
    for i, driver in enumerate(dict_items(spec.get("allowedCSIDrivers"))):
        problems += csi_driver_name_problems(str(driver.get("name") or ""),
                                             f"spec.allowedCSIDrivers.allowedCSIDriver[{i}].name")
    problems += _sysctl_problems(spec.get("allowedUnsafeSysctls"), "spec.allowedUnsafeSysctls")
    problems += _sysctl_problems(spec.get("forbiddenSysctls"), "spec.forbiddenSysctls")
    problems += _sysctl_overlap_problems(spec.get("allowedUnsafeSysctls"), spec.get("forbiddenSysctls"))
    return problems + _runtime_class_problems(spec.get("runtimeClass"), "spec.runtimeClass")


RESOURCES = (
    Resource("policy", "v1beta1", "PodSecurityPolicy", "podsecuritypolicies", "podsecuritypolicy", False, ("psp",),
             return_deleted_object=True, storage_prefix="podsecuritypolicy",
             kind_group="extensions",  # the scheme registers the internal type in extensions first
             deprecation_warning="policy/v1beta1 PodSecurityPolicy is deprecated in v1.21+, unavailable in v1.25+",
             validator=validate_pod_security_policy, prepare_for_create=prepare_for_create,
             prepare_for_update=prepare_for_update,
             zero_value={"spec": {"seLinux": {"rule": ""}, "runAsUser": {"rule": ""}, "supplementalGroups": {},
                                  "fsGroup": {}}}),
)

DEFAULTS = {"PodSecurityPolicy": pod_security_policy}


def _strategy(description: str, rules: tuple[str, ...], required: tuple[str, ...] = ("rule",)) -> dict:
    """A strategy's options; the group strategies' rule is `omitempty`, so their OpenAPI requires nothing."""
    return obj(description, required, rule=string(f"One of {', '.join(rules)}."),
               ranges=arr(ref(PSP + "IDRange"), "The ranges allowed; empty for any."))


DEFINITIONS = {
    PSP + "PodSecurityPolicy": kind(
        "policy", "v1beta1", "PodSecurityPolicy", "What a pod may ask for, checked at admission.",
        spec=ref(PSP + "PodSecurityPolicySpec", "The policy.")),
    PSP + "PodSecurityPolicyList": list_kind("policy", "v1beta1", PSP + "PodSecurityPolicy"),
    PSP + "PodSecurityPolicySpec": obj(
        "The policy's rules.", ("seLinux", "runAsUser", "supplementalGroups", "fsGroup"),
        allowPrivilegeEscalation=boolean("Whether a pod may ask for privilege escalation; defaults to true."),
        allowedCSIDrivers=arr(ref(PSP + "AllowedCSIDriver"), "The inline CSI drivers allowed."),
        allowedCapabilities=strings("Capabilities a container may add; * for all."),
        allowedFlexVolumes=arr(ref(PSP + "AllowedFlexVolume"), "The flex volume drivers allowed."),
        allowedHostPaths=arr(ref(PSP + "AllowedHostPath"), "The host paths allowed; empty for any."),
        allowedProcMountTypes=strings("Proc mount types allowed."),
        allowedUnsafeSysctls=strings("Unsafe sysctls allowed."),
        defaultAddCapabilities=strings("Capabilities added to every container."),
        defaultAllowPrivilegeEscalation=boolean("The default of allowPrivilegeEscalation."),
        forbiddenSysctls=strings("Sysctls forbidden."),
        fsGroup=ref(PSP + "FSGroupStrategyOptions", "The fsGroup strategy."),
        hostIPC=boolean("Whether the host's IPC namespace may be used."),
        hostNetwork=boolean("Whether the host's network may be used."),
        hostPID=boolean("Whether the host's PID namespace may be used."),
        hostPorts=arr(ref(PSP + "HostPortRange"), "The host ports allowed."),
        privileged=boolean("Whether privileged containers are allowed."),
        readOnlyRootFilesystem=boolean("Whether containers must run with a read-only root filesystem."),
        requiredDropCapabilities=strings("Capabilities every container drops."),
        runAsGroup=ref(PSP + "RunAsGroupStrategyOptions", "The runAsGroup strategy."),
        runAsUser=ref(PSP + "RunAsUserStrategyOptions", "The runAsUser strategy."),
        runtimeClass=ref(PSP + "RuntimeClassStrategyOptions", "The RuntimeClasses allowed."),
        seLinux=ref(PSP + "SELinuxStrategyOptions", "The SELinux strategy."),
        supplementalGroups=ref(PSP + "SupplementalGroupsStrategyOptions", "The supplemental groups strategy."),
        volumes=strings("Volume types allowed; * for all.")),
    PSP + "AllowedCSIDriver": obj("An inline CSI driver allowed.", ("name",), name=string("The driver.")),
    PSP + "AllowedFlexVolume": obj("A flex volume driver allowed.", ("driver",), driver=string("The driver.")),
    PSP + "AllowedHostPath": obj("A host path prefix allowed.", pathPrefix=string("The prefix."),
                                 readOnly=boolean("Whether it must be mounted read-only.")),
    PSP + "HostPortRange": obj("A range of host ports.", ("min", "max"), max=integer("The last port."),
                               min=integer("The first port.")),
    PSP + "IDRange": obj("A range of IDs.", ("min", "max"), max=integer("The last ID.", "int64"),
                         min=integer("The first ID.", "int64")),
    PSP + "SELinuxStrategyOptions": obj("The SELinux strategy.", ("rule",), rule=string("MustRunAs or RunAsAny."),
                                        seLinuxOptions=ref(CORE + "SELinuxOptions", "The SELinux context required.")),
    PSP + "RunAsUserStrategyOptions": _strategy("The runAsUser strategy.", RUN_AS_USER_RULES),
    PSP + "RunAsGroupStrategyOptions": _strategy("The runAsGroup strategy.", RUN_AS_GROUP_RULES),
    PSP + "FSGroupStrategyOptions": _strategy("The fsGroup strategy.", GROUP_RULES, ()),
    PSP + "SupplementalGroupsStrategyOptions": _strategy("The supplemental groups strategy.", GROUP_RULES, ()),
    PSP + "RuntimeClassStrategyOptions": obj(
        "The RuntimeClasses allowed.", ("allowedRuntimeClassNames",),
        allowedRuntimeClassNames=strings("The RuntimeClasses allowed; * for all."),
        defaultRuntimeClassName=string("The RuntimeClass a pod gets when it names none.")),
}


@mirrors("k8s.io/kubernetes/pkg/printers/internalversion.printPodSecurityPolicy")
def _pod_security_policy(psp: dict, now: float) -> list:
    spec = part(psp, "spec")
    return [name_cell(psp), "true" if spec.get("privileged") else "false",
            ",".join(map(str, v.as_list(spec.get("allowedCapabilities")))), part(spec, "seLinux").get("rule", ""),
            part(spec, "runAsUser").get("rule", ""), part(spec, "fsGroup").get("rule", ""),
            part(spec, "supplementalGroups").get("rule", ""), bool(spec.get("readOnlyRootFilesystem")),
            ",".join(map(str, v.as_list(spec.get("volumes"))))]


PRINTERS = {
    "PodSecurityPolicy": ([NAME, ("Priv", "string", 0, "Whether privileged containers are allowed."),
                           ("Caps", "string", 0, "Capabilities a container may add."),
                           ("SELinux", "string", 0, "The SELinux strategy."),
                           ("RunAsUser", "string", 0, "The runAsUser strategy."),
                           ("FsGroup", "string", 0, "The fsGroup strategy."),
                           ("SupGroup", "string", 0, "The supplemental groups strategy."),
                           ("ReadOnlyRootFs", "string", 0, "Whether the root filesystem must be read-only."),
                           ("Volumes", "string", 0, "Volume types allowed.")], _pod_security_policy),
}


MESSAGES = """
policy.v1beta1.AllowedCSIDriver: 1 name! string
policy.v1beta1.AllowedFlexVolume: 1 driver! string
policy.v1beta1.AllowedHostPath: 1 pathPrefix? string; 2 readOnly? bool
policy.v1beta1.FSGroupStrategyOptions: 1 rule? string; 2 ranges? []policy.v1beta1.IDRange
policy.v1beta1.HostPortRange: 1 min! int32; 2 max! int32
policy.v1beta1.IDRange: 1 min! int64; 2 max! int64
policy.v1beta1.PodSecurityPolicy: 1 metadata! meta.ObjectMeta; 2 spec! policy.v1beta1.PodSecurityPolicySpec
policy.v1beta1.PodSecurityPolicyList: 1 metadata! meta.ListMeta; 2 items* []policy.v1beta1.PodSecurityPolicy
policy.v1beta1.PodSecurityPolicySpec: 1 privileged? bool; 2 defaultAddCapabilities? []string;
    3 requiredDropCapabilities? []string; 4 allowedCapabilities? []string; 5 volumes? []string; 6 hostNetwork? bool;
    7 hostPorts? []policy.v1beta1.HostPortRange; 8 hostPID? bool; 9 hostIPC? bool;
    10 seLinux! policy.v1beta1.SELinuxStrategyOptions; 11 runAsUser! policy.v1beta1.RunAsUserStrategyOptions;
    22 runAsGroup policy.v1beta1.RunAsGroupStrategyOptions;
    12 supplementalGroups! policy.v1beta1.SupplementalGroupsStrategyOptions;
    13 fsGroup! policy.v1beta1.FSGroupStrategyOptions; 14 readOnlyRootFilesystem? bool;
    15 defaultAllowPrivilegeEscalation bool; 16 allowPrivilegeEscalation bool;
    17 allowedHostPaths? []policy.v1beta1.AllowedHostPath; 18 allowedFlexVolumes? []policy.v1beta1.AllowedFlexVolume;
    23 allowedCSIDrivers? []policy.v1beta1.AllowedCSIDriver; 19 allowedUnsafeSysctls? []string;
    20 forbiddenSysctls? []string; 21 allowedProcMountTypes? []string;
    24 runtimeClass policy.v1beta1.RuntimeClassStrategyOptions
policy.v1beta1.RunAsGroupStrategyOptions: 1 rule! string; 2 ranges? []policy.v1beta1.IDRange
policy.v1beta1.RunAsUserStrategyOptions: 1 rule! string; 2 ranges? []policy.v1beta1.IDRange
policy.v1beta1.RuntimeClassStrategyOptions: 1 allowedRuntimeClassNames* []string; 2 defaultRuntimeClassName string
policy.v1beta1.SELinuxStrategyOptions: 1 rule! string; 2 seLinuxOptions core.SELinuxOptions
policy.v1beta1.SupplementalGroupsStrategyOptions: 1 rule? string; 2 ranges? []policy.v1beta1.IDRange
"""
