"""Security context validation with the field paths and messages of k8s.io/kubernetes/pkg/apis/core/validation:
the pod's and each container's security context, Windows options and host-process pods, and what
a pod's os forbids. The paths are the internal type's, which keeps hostNetwork, hostPID and
shareProcessNamespace in the pod's security context.

The cluster is taken to allow privileged containers (kube-apiserver --allow-privileged, which
kubeadm and kind set), so `privileged` and hostProcess are never "disallowed by cluster policy".
"""
from __future__ import annotations

import posixpath
import re

from reference_impl.apiserver.core.validation import (as_list, as_object, duplicate, invalid, name_problems, required,
                                                      unsupported)
from reference_impl.machinery.gofmt import go_pointer
from reference_impl.machinery.gojson import quote
from reference_impl.mirrors import mirrors

MAX_ID = 2**31 - 1
ID_RANGE_MSG = f"must be between 0 and {MAX_ID}, inclusive"
SYSCTL_SEGMENT_FMT = "[a-z0-9]([-_a-z0-9]*[a-z0-9])?"
SYSCTL_FMT = f"({SYSCTL_SEGMENT_FMT}\\.)*{SYSCTL_SEGMENT_FMT}"
SYSCTL = re.compile(f"^{SYSCTL_FMT}\\Z")
SYSCTL_MAX_LENGTH = 253
FS_GROUP_CHANGE_POLICIES = ("Always", "OnRootMismatch")
SECCOMP_PROFILE_TYPES = ("Localhost", "RuntimeDefault", "Unconfined")
OPERATING_SYSTEMS = ("linux", "windows")

MAX_GMSA_CREDENTIAL_SPEC_KIB = 64
MAX_RUN_AS_USER_NAME_DOMAIN_LENGTH, MAX_RUN_AS_USER_NAME_USER_LENGTH = 256, 104
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")
NETBIOS_DOMAIN = re.compile(r'^[^\\/:*?"<>|.][^\\/:*?"<>|]{0,14}\Z')
DNS_LABEL_FMT = "[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?"
DNS_DOMAIN = re.compile(f"^{DNS_LABEL_FMT}(?:\\.{DNS_LABEL_FMT})*\\Z")
USER_NAME_INVALID_CHARACTERS = re.compile(r'["/\\:;|=,+*?<>@\[\]]')
USER_NAME_ONLY_DOTS_OR_SPACES = re.compile(r"^[. ]+\Z")


def containers_with_paths(spec: dict, path: str) -> list[tuple[dict, str]]:
    """podshelper.VisitContainersWithPath's order: init containers, then containers."""
    return [(as_object(c), f"{path}.{field}[{i}]") for field in ("initContainers", "containers")
            for i, c in enumerate(as_list(spec.get(field)))]


def _id_problems(context: dict, field: str, path: str) -> list[str]:
    """validation.IsValidUserID and IsValidGroupID: 0 up to 2^31-1."""
    value = context.get(field)
    if isinstance(value, int) and not 0 <= value <= MAX_ID:
        return [invalid(f"{path}.{field}", value, ID_RANGE_MSG)]
    return []


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidatePodSecurityContext")
def pod_security_context_problems(spec: dict, path: str) -> list[str]:
    """Valid ids and supplemental groups, not both hostPID and a shared process namespace, valid
    sysctls, a known fsGroupChangePolicy, a valid seccomp profile and Windows options."""
    context, here = as_object(spec.get("securityContext")), f"{path}.securityContext"
    problems = host_network_problems(spec, f"{path}.containers")
    for field in ("fsGroup", "runAsUser", "runAsGroup"):
        problems += _id_problems(context, field, here)
    for g, gid in enumerate(as_list(context.get("supplementalGroups"))):
        if isinstance(gid, int) and not 0 <= gid <= MAX_ID:
            problems.append(invalid(f"{here}.supplementalGroups[{g}]", gid, ID_RANGE_MSG))
    if spec.get("hostPID") and spec.get("shareProcessNamespace"):
        problems.append(f"{here}.shareProcessNamespace: Invalid value: true: ShareProcessNamespace and HostPID cannot "
                        "both be enabled")
    problems += sysctl_problems(as_list(context.get("sysctls")), f"{here}.sysctls")
    policy = context.get("fsGroupChangePolicy")
    if policy is not None and policy not in FS_GROUP_CHANGE_POLICIES:
        problems.append(unsupported(f"{here}.fsGroupChangePolicy", policy, FS_GROUP_CHANGE_POLICIES))
    problems += seccomp_profile_problems(context.get("seccompProfile"), f"{here}.seccompProfile")
    return problems + windows_options_problems(context.get("windowsOptions"), f"{here}.windowsOptions")


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateHostNetwork")
def host_network_problems(spec: dict, path: str) -> list[str]:
    """On the host network a container port is the host port. An unset hostPort is the port:
    SetDefaults_PodSpec sets it so before any validation."""
    if not spec.get("hostNetwork"):
        return []
    return [invalid(f"{path}[{i}].ports[{j}].containerPort", port.get("containerPort") or 0,
                    "must match `hostPort` when `hostNetwork` is true")
            for i, c in enumerate(as_list(spec.get("containers")))
            for j, port in enumerate(as_object(p) for p in as_list(as_object(c).get("ports")))
            if port.get("hostPort") and port["hostPort"] != port.get("containerPort")]


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateSysctls",
         "k8s.io/kubernetes/pkg/apis/core/validation.IsValidSysctlName")
def sysctl_problems(sysctls: list, path: str) -> list[str]:
    """Each sysctl named, by a dotted name of at most 253 characters, and named once."""
    problems, names = [], set()
    for i, sysctl in enumerate(sysctls):
        name = str(as_object(sysctl).get("name") or "")
        if not name:
            problems.append(required(f"{path}[{i}].name"))
        elif len(name) > SYSCTL_MAX_LENGTH or not SYSCTL.match(name):
            problems.append(invalid(f"{path}[{i}].name", name, f"must have at most {SYSCTL_MAX_LENGTH} characters "
                                                               f"and match regex {SYSCTL_FMT}"))
        elif name in names:
            problems.append(duplicate(f"{path}[{i}].name", name))
        names.add(name)
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateSeccompProfileField",
         "k8s.io/kubernetes/pkg/apis/core/validation.validateSeccompProfileType")
def seccomp_profile_problems(profile: object, path: str) -> list[str]:
    """A known type, and a localhostProfile exactly for Localhost: a path below the kubelet's
    seccomp directory, so relative and without '..'."""
    if profile is None:
        return []
    profile = as_object(profile)
    kind, localhost = profile.get("type") or "", profile.get("localhostProfile")
    problems = []
    if not kind:
        problems.append(required(f"{path}.type", "type is required when seccompProfile is set"))
    elif kind not in SECCOMP_PROFILE_TYPES:
        problems.append(unsupported(f"{path}.type", kind, SECCOMP_PROFILE_TYPES))
    if kind != "Localhost":
        if localhost is not None:
            # Go shows the profile struct, whose pointer field prints as an address.
            shown = f"core.SeccompProfile{{Type:{quote(kind)}, LocalhostProfile:{go_pointer('string', localhost)}}}"
            problems.append(f"{path}.localhostProfile: Invalid value: {shown}: can only be set when seccomp type "
                            "is Localhost")
        return problems
    if localhost is None:
        return problems + [required(f"{path}.localhostProfile", "must be set when seccomp type is Localhost")]
    return problems + local_descending_path_problems(str(localhost), f"{path}.localhostProfile")


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateLocalDescendingPath",
         "k8s.io/kubernetes/pkg/apis/core/validation.validatePathNoBacksteps")
def local_descending_path_problems(target: str, path: str) -> list[str]:
    """A path the kubelet joins below one of its directories: relative, and without '..'."""
    problems = []
    if posixpath.isabs(target):
        problems.append(invalid(path, target, "must be a relative path"))
    if ".." in target.split("/"):
        problems.append(invalid(path, target, "must not contain '..'"))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidateSecurityContext")
def security_context_problems(context: object, path: str) -> list[str]:
    """A container's: valid ids and seccomp profile, no privilege escalation refused to a privileged
    container or one adding CAP_SYS_ADMIN (which imply it), valid Windows options."""
    if context is None:
        return []
    context = as_object(context)
    problems = _id_problems(context, "runAsUser", path) + _id_problems(context, "runAsGroup", path)
    problems += seccomp_profile_problems(context.get("seccompProfile"), f"{path}.seccompProfile")
    if context.get("allowPrivilegeEscalation") is False:
        if context.get("privileged") is True:
            problems.append(f"{path}: Invalid value: {go_security_context(context)}: cannot set "
                            "`allowPrivilegeEscalation` to false and `privileged` to true")
        for capability in as_list(as_object(context.get("capabilities")).get("add")):
            if capability == "CAP_SYS_ADMIN":
                problems.append(f"{path}: Invalid value: {go_security_context(context)}: cannot set "
                                "`allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN")
    return problems + windows_options_problems(context.get("windowsOptions"), f"{path}.windowsOptions")


# core.SecurityContext's fields in declaration order, each a pointer, with the type %#v names.
_SECURITY_CONTEXT_FIELDS = (("capabilities", "core.Capabilities"), ("privileged", "bool"),
                            ("seLinuxOptions", "core.SELinuxOptions"),
                            ("windowsOptions", "core.WindowsSecurityContextOptions"), ("runAsUser", "int64"),
                            ("runAsGroup", "int64"), ("runAsNonRoot", "bool"), ("readOnlyRootFilesystem", "bool"),
                            ("allowPrivilegeEscalation", "bool"), ("procMount", "core.ProcMountType"),
                            ("seccompProfile", "core.SeccompProfile"))


def go_security_context(context: dict) -> str:
    """core.SecurityContext as %#v prints it in a field error: every field a pointer."""
    fields = ", ".join(f"{name[0].upper()}{name[1:]}:{go_pointer(kind, context.get(name))}"
                       for name, kind in _SECURITY_CONTEXT_FIELDS)
    return ("core.SecurityContext{" + fields + "}").replace("SeLinuxOptions:", "SELinuxOptions:")


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateWindowsSecurityContextOptions")
def windows_options_problems(options: object, path: str) -> list[str]:
    """A GMSA credential spec name that names a resource, a credential spec neither empty nor over
    64 KiB, and a runAsUserName of an optional NetBIOS or DNS domain and a user Windows accepts."""
    options, problems = as_object(options), []
    spec_name = options.get("gmsaCredentialSpecName")
    if spec_name is not None:
        problems += name_problems(str(spec_name), "subdomain", f"{path}.gmsaCredentialSpecName")
    spec = options.get("gmsaCredentialSpec")
    if spec is not None and not spec:
        problems.append(invalid(f"{path}.gmsaCredentialSpec", spec, "gmsaCredentialSpec cannot be an empty string"))
    elif spec is not None and len(str(spec).encode("utf-8", "surrogateescape")) > MAX_GMSA_CREDENTIAL_SPEC_KIB * 1024:
        problems.append(invalid(f"{path}.gmsaCredentialSpec", spec,
                                f"gmsaCredentialSpec size must be under {MAX_GMSA_CREDENTIAL_SPEC_KIB} KiB"))
    user_name = options.get("runAsUserName")
    if user_name is not None:
        problems += [invalid(f"{path}.runAsUserName", str(user_name), detail)
                     for detail in _run_as_user_name_problems(str(user_name))]
    return problems


def _run_as_user_name_problems(user_name: str) -> list[str]:
    if not user_name:
        return ["runAsUserName cannot be an empty string"]
    if CONTROL_CHARACTERS.search(user_name):
        return ["runAsUserName cannot contain control characters"]
    parts = user_name.split("\\")
    if len(parts) > 2:
        return ["runAsUserName cannot contain more than one backslash"]
    domain, user = parts if len(parts) == 2 else ("", parts[0])
    problems = []
    if len(domain.encode("utf-8", "surrogateescape")) >= MAX_RUN_AS_USER_NAME_DOMAIN_LENGTH:
        problems.append(f"runAsUserName's Domain length must be under {MAX_RUN_AS_USER_NAME_DOMAIN_LENGTH} characters")
    if len(parts) == 2 and not (NETBIOS_DOMAIN.match(domain) or DNS_DOMAIN.match(domain)):
        problems.append("runAsUserName's Domain doesn't match the NetBios nor the DNS format")
    if not user:
        problems.append("runAsUserName's User cannot be empty")
    elif len(user.encode("utf-8", "surrogateescape")) > MAX_RUN_AS_USER_NAME_USER_LENGTH:
        problems.append(f"runAsUserName's User length must not be longer than {MAX_RUN_AS_USER_NAME_USER_LENGTH} "
                        "characters")
    if USER_NAME_ONLY_DOTS_OR_SPACES.match(user):
        problems.append("runAsUserName's User cannot contain only periods or spaces")
    if USER_NAME_INVALID_CHARACTERS.search(user):
        problems.append('runAsUserName\'s User cannot contain the following characters: "/\\:;|=,+*?<>@[]')
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateWindowsHostProcessPod")
def windows_host_process_problems(spec: dict, path: str) -> list[str]:
    """A container's hostProcess agrees with the pod's; a pod with any host-process container has
    only such containers and runs on the host network."""
    pod_host_process = as_object(as_object(spec.get("securityContext")).get("windowsOptions")).get("hostProcess")
    problems, count, host_process_count = [], 0, 0
    for container, here in containers_with_paths(spec, path):
        count += 1
        options = as_object(as_object(container.get("securityContext")).get("windowsOptions"))
        host_process = options.get("hostProcess")
        if pod_host_process is not None and host_process is not None and host_process != pod_host_process:
            problems.append(f"{here}.securityContext.windowsOptions.hostProcess: Invalid value: "
                            f"{str(host_process).lower()}: pod hostProcess value must be identical if both are "
                            f"specified, was {str(pod_host_process).lower()}")
        if host_process is True or (host_process is None and pod_host_process is True):
            host_process_count += 1
    if host_process_count:
        if host_process_count != count:
            problems.append(invalid(path, "", "If pod contains any hostProcess containers then all containers must "
                                              "be HostProcess containers"))
        if spec.get("hostNetwork") is not True:
            problems.append(f"{path}.hostNetwork: Invalid value: false: hostNetwork must be true if pod contains any "
                            "hostProcess containers")
    return problems


# What validateWindows forbids, in its order: the pod security context's fields (hostPID, hostIPC
# and shareProcessNamespace are PodSpec fields in v1, reported at the spec's path), then each
# container's.
WINDOWS_FORBIDDEN_POD_FIELDS = ("seLinuxOptions", "hostPID", "hostIPC", "seccompProfile", "fsGroup",
                                "fsGroupChangePolicy", "sysctls", "shareProcessNamespace", "runAsUser", "runAsGroup",
                                "supplementalGroups")
WINDOWS_FORBIDDEN_CONTAINER_FIELDS = ("seLinuxOptions", "seccompProfile", "capabilities", "readOnlyRootFilesystem",
                                      "privileged", "allowPrivilegeEscalation", "procMount", "runAsUser", "runAsGroup")


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateOS",
         "k8s.io/kubernetes/pkg/apis/core/validation.validateLinux",
         "k8s.io/kubernetes/pkg/apis/core/validation.validateWindows")
def os_problems(spec: dict, path: str) -> list[str]:
    """An os named linux or windows; a linux pod sets no Windows options, a windows pod none of
    the Linux-only security settings."""
    if spec.get("os") is None:
        return []
    name = as_object(spec["os"]).get("name") or ""
    if not name:
        return [required(f"{path}.os.name", "cannot be empty")]
    if name not in OPERATING_SYSTEMS:
        return [unsupported(f"{path}.os", name, OPERATING_SYSTEMS)]
    context = as_object(spec.get("securityContext"))
    containers = [(as_object(c.get("securityContext")), f"{here}.securityContext")
                  for c, here in containers_with_paths(spec, path) if c.get("securityContext") is not None]
    if name == "linux":
        message = "Forbidden: windows options cannot be set for a linux pod"
        return [f"{here}.windowsOptions: {message}" for sc, here in [(context, f"{path}.securityContext")] + containers
                if sc.get("windowsOptions") is not None]
    message = "Forbidden: cannot be set for a windows pod"
    problems = []
    for field in WINDOWS_FORBIDDEN_POD_FIELDS:
        if field in ("hostPID", "hostIPC"):  # plain bools in Go: set means true
            if spec.get(field):
                problems.append(f"{path}.{field}: {message}")
        elif field == "shareProcessNamespace":
            if spec.get(field) is not None:
                problems.append(f"{path}.{field}: {message}")
        elif context.get(field) is not None:
            problems.append(f"{path}.securityContext.{field}: {message}")
    for sc, here in containers:
        problems += [f"{here}.{field}: {message}" for field in WINDOWS_FORBIDDEN_CONTAINER_FIELDS
                     if sc.get(field) is not None]
    return problems
