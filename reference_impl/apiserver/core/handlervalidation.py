"""What a container runs around its process, validated as k8s.io/kubernetes/pkg/apis/core/validation
does it: the handlers of its probes and lifecycle hooks (exec, httpGet, tcpSocket, grpc), its image
pull policy and its termination message policy."""
from __future__ import annotations

import re

from reference_impl.apiserver.core.validation import PORT_RANGE_MSG, as_object, invalid, required, unsupported
from reference_impl.machinery.gofmt import go_pointer
from reference_impl.mirrors import mirrors

HANDLERS = ("exec", "httpGet", "tcpSocket", "grpc")
HTTP_SCHEMES = ("HTTP", "HTTPS")
PULL_POLICIES = ("Always", "IfNotPresent", "Never")  # sorted, as sets.String.List() gives them
TERMINATION_MESSAGE_MSG = "must be 'File' or 'FallbackToLogsOnError'"
HTTP_HEADER_NAME = re.compile(r"^[-A-Za-z0-9]+\Z")
HTTP_HEADER_NAME_MSG = ("a valid HTTP header must consist of alphanumeric characters or '-' (e.g. 'X-Header-Name', "
                        "regex used for validation is '[-A-Za-z0-9]+')")


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateHandler")
def handler_problems(handler: dict, path: str) -> list[str]:
    """Exactly one way to act: exec, httpGet, tcpSocket or grpc, each well-formed; a second one is
    forbidden (and not looked into)."""
    given = [name for name in HANDLERS if handler.get(name) is not None]
    if not given:
        return [required(path, "must specify a handler type")]
    first, action = given[0], handler[given[0]]
    action = action if isinstance(action, dict) else {}
    problems = ACTIONS[first](action, f"{path}.{first}")
    return problems + [f"{path}.{name}: Forbidden: may not specify more than 1 handler type" for name in given[1:]]


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateExecAction")
def exec_problems(action: dict, path: str) -> list[str]:
    return [] if action.get("command") else [required(f"{path}.command")]


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateHTTPGetAction")
def http_get_problems(action: dict, path: str) -> list[str]:
    """A path (defaulted to /), a port, HTTP or HTTPS (defaulted to HTTP) and header names that are
    tokens of letters, digits and dashes."""
    problems = [] if action.get("path") else [required(f"{path}.path")]
    problems += port_num_or_name_problems(action.get("port"), f"{path}.port")
    scheme = action.get("scheme") or ""
    if scheme not in HTTP_SCHEMES:
        problems.append(unsupported(f"{path}.scheme", scheme, HTTP_SCHEMES))
    for header in action.get("httpHeaders") or []:
        name = (header.get("name") if isinstance(header, dict) else "") or ""
        if not HTTP_HEADER_NAME.match(name):
            problems.append(invalid(f"{path}.httpHeaders", name, HTTP_HEADER_NAME_MSG))
    return problems


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateTCPSocketAction")
def tcp_socket_problems(action: dict, path: str) -> list[str]:
    return port_num_or_name_problems(action.get("port"), f"{path}.port")


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateGRPCAction")
def grpc_problems(action: dict, path: str) -> list[str]:
    return port_num_or_name_problems(action.get("port") or 0, f"{path}.port")


ACTIONS = {"exec": exec_problems, "httpGet": http_get_problems, "tcpSocket": tcp_socket_problems,
           "grpc": grpc_problems}


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.ValidatePortNumOrName")
def port_num_or_name_problems(port: object, path: str) -> list[str]:
    """An IntOrString port: a number in range, or an IANA service name (an unset port is 0)."""
    if isinstance(port, str):
        return [invalid(path, port, message) for message in port_name_problems(port)]
    number = port if isinstance(port, int) else 0
    return [] if 1 <= number <= 65535 else [invalid(path, number, PORT_RANGE_MSG)]


@mirrors("k8s.io/apimachinery/pkg/util/validation.IsValidPortName")
def port_name_problems(name: str) -> list[str]:
    """An IANA_SVC_NAME: at most 15 of [-a-z0-9], a letter among them, hyphens inside and single."""
    checks = ((len(name) > 15, "must be no more than 15 characters"),
              (not re.fullmatch(r"[-a-z0-9]+", name),
               "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"),
              (not re.search(r"[a-z]", name), "must contain at least one letter or number (a-z, 0-9)"),
              ("--" in name, "must not contain consecutive hyphens"),
              (name[:1] == "-" or name[-1:] == "-", "must not begin or end with a hyphen"))
    return [message for failed, message in checks if failed]


@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validateLifecycle")
def lifecycle_problems(lifecycle: object, path: str) -> list[str]:
    lifecycle = lifecycle if isinstance(lifecycle, dict) else {}
    return [problem for hook in ("postStart", "preStop") if isinstance(lifecycle.get(hook), dict)
            for problem in handler_problems(lifecycle[hook], f"{path}.{hook}")]


# An empty pull policy or termination message policy is never seen: SetDefaults_Container fills
# both in before validation runs.
@mirrors("k8s.io/kubernetes/pkg/apis/core/validation.validatePullPolicy")
def pull_policy_problems(policy: object, path: str) -> list[str]:
    return [unsupported(path, policy, PULL_POLICIES)] if policy and policy not in PULL_POLICIES else []


def termination_message_policy_problems(policy: object, path: str) -> list[str]:
    """validateContainers' check of terminationMessagePolicy."""
    if policy and policy not in ("File", "FallbackToLogsOnError"):
        return [invalid(path, policy, TERMINATION_MESSAGE_MSG)]
    return []


def go_lifecycle(lifecycle: object) -> str:
    """core.Lifecycle as %#v prints it in a field error: two handler pointers."""
    lifecycle = as_object(lifecycle)
    return (f"core.Lifecycle{{PostStart:{go_pointer('core.LifecycleHandler', lifecycle.get('postStart'))}, "
            f"PreStop:{go_pointer('core.LifecycleHandler', lifecycle.get('preStop'))}}}")


def go_probe(probe: object) -> str:
    """core.Probe as %#v prints it in a field error (after defaulting), its handler's pointers."""
    probe = as_object(probe)
    handler = ", ".join(f"{go}:{go_pointer(f'core.{kind}', probe.get(name))}" for name, go, kind in (
        ("exec", "Exec", "ExecAction"), ("httpGet", "HTTPGet", "HTTPGetAction"),
        ("tcpSocket", "TCPSocket", "TCPSocketAction"), ("grpc", "GRPC", "GRPCAction")))
    counts = ", ".join(f"{field[0].upper()}{field[1:]}:{probe.get(field) or 0}" for field in (
        "initialDelaySeconds", "timeoutSeconds", "periodSeconds", "successThreshold", "failureThreshold"))
    grace = go_pointer("int64", probe.get("terminationGracePeriodSeconds"))
    return f"core.Probe{{ProbeHandler:core.ProbeHandler{{{handler}}}, {counts}, TerminationGracePeriodSeconds:{grace}}}"
