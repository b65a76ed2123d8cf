"""ValidatePodSpec's pod-level rules through the handler chain and the server's admission chain: a pod
the real apiserver refuses is a 422 whose causes carry upstream's field paths and messages, and a
well-formed one is stored. One rule per test, named in its docstring."""
from __future__ import annotations

import pytest

from reference_impl.apiserver.adapter.server import HandlerChain
from reference_impl.apiserver.core.admission import new_admission_chain
from reference_impl.apiserver.core.podsecuritycontext import os_problems
from reference_impl.apiserver.core.registry import Registry
from reference_impl.machinery.clock import ManualClock
from tests.reference.apiserver.test_handlers import NOW, call, etcd, ns_path  # noqa: F401 (etcd: a fixture)

SUBDOMAIN_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
                 "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
                 r"validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
QUALIFIED_NAME_MSG = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end "
                      "with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for "
                      "validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")


@pytest.fixture(scope="module")
def chain(etcd):
    registry = Registry(etcd, ManualClock(NOW))
    chain = HandlerChain(registry, admission=new_admission_chain(registry), now=lambda: NOW + 90)
    chain.namespace = "podvalidation"
    call(chain, "POST", "/api/v1/namespaces", {"metadata": {"name": chain.namespace}})
    yield chain
    registry.close()


def container(**fields) -> dict:
    return {"name": "c", "image": "nginx:1.21", **fields}


def create_pod(chain, name: str, **spec) -> tuple[int, dict]:
    """Creates the pod `name`, or one generated from it when it ends in a dash."""
    metadata = {"generateName": name} if name.endswith("-") else {"name": name}
    body = {"apiVersion": "v1", "kind": "Pod", "metadata": metadata,
            "spec": {"containers": [container()], **spec}}
    return call(chain, "POST", ns_path(chain, "pods"), body)


def field_errors(chain, **spec) -> list[str]:
    """The 422's causes as `field: message`, the text of each field.Error."""
    code, status = create_pod(chain, "invalid-", **spec)
    assert code == 422, status
    assert status["reason"] == "Invalid"
    return [f"{cause['field']}: {cause['message']}" for cause in status["details"]["causes"]]


def node_affinity(**fields) -> dict:
    return {"nodeAffinity": fields}


def required_node_term(term: dict) -> dict:
    return node_affinity(requiredDuringSchedulingIgnoredDuringExecution={"nodeSelectorTerms": [term]})


REQUIRED_TERMS = "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms"
POD_AFFINITY = "spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0]"
ANTI_AFFINITY = "spec.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0]"


# --- validateAffinity ---

@pytest.mark.parametrize("affinity,expected", [
    ({"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{"labelSelector": {}}]}},
     f"{POD_AFFINITY}.topologyKey: Required value: can not be empty"),
    ({"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [{"topologyKey": "bad key"}]}},
     f'{POD_AFFINITY}.topologyKey: Invalid value: "bad key": {QUALIFIED_NAME_MSG}'),
    ({"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"topologyKey": "zone", "labelSelector": {"matchExpressions": [{"key": "app", "operator": "Bogus"}]}}]}},
     f'{POD_AFFINITY}.labelSelector.matchExpressions[0].operator: Invalid value: "Bogus": '
     "not a valid selector operator"),
    ({"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"topologyKey": "zone", "namespaceSelector": {"matchLabels": {"team": "a b"}}}]}},
     f'{POD_AFFINITY}.namespaceSelector.matchLabels: Invalid value: "a b": a valid label must be an empty string '
     "or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric "
     "character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is "
     "'(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"),
    ({"podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
        {"topologyKey": "zone", "namespaces": ["Team_A"]}]}},
     f'{POD_AFFINITY}.namespace: Invalid value: "Team_A": a lowercase RFC 1123 label must consist of lower case '
     "alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  "
     "or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"),
    ({"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 0, "podAffinityTerm": {"topologyKey": "zone"}}]}},
     f"{ANTI_AFFINITY}.weight: Invalid value: 0: must be in the range 1-100"),
    ({"podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
        {"weight": 10, "podAffinityTerm": {}}]}},
     f"{ANTI_AFFINITY}.podAffinityTerm.topologyKey: Required value: can not be empty"),
    (node_affinity(preferredDuringSchedulingIgnoredDuringExecution=[{"weight": 101, "preference": {}}]),
     "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 101: "
     "must be in the range 1-100"),
    (node_affinity(preferredDuringSchedulingIgnoredDuringExecution=[
        {"weight": 1, "preference": {"matchExpressions": [{"key": "zone", "operator": "Exists", "values": ["a"]}]}}]),
     "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions[0]"
     ".values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'"),
    (node_affinity(requiredDuringSchedulingIgnoredDuringExecution={"nodeSelectorTerms": []}),
     f"{REQUIRED_TERMS}: Required value: must have at least one node selector term"),
    (required_node_term({"matchFields": [{"key": "metadata.labels", "operator": "In", "values": ["a"]}]}),
     f'{REQUIRED_TERMS}[0].matchFields[0].key: Invalid value: "metadata.labels": not a valid field selector key'),
    (required_node_term({"matchFields": [{"key": "metadata.name", "operator": "Exists"}]}),
     f'{REQUIRED_TERMS}[0].matchFields[0].operator: Invalid value: "Exists": not a valid selector operator'),
    (required_node_term({"matchFields": [{"key": "metadata.name", "operator": "NotIn", "values": ["a", "b"]}]}),
     f"{REQUIRED_TERMS}[0].matchFields[0].values: Required value: must be only one value when `operator` is "
     "'In' or 'NotIn' for node field selector"),
    (required_node_term({"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["Node_1"]}]}),
     f'{REQUIRED_TERMS}[0].matchFields[0].values[0]: Invalid value: "Node_1": {SUBDOMAIN_MSG}'),
])
def test_affinity_is_validated_as_validate_affinity_does(chain, affinity, expected):
    """validateAffinity: pod (anti-)affinity terms need a qualified topologyKey, valid label and
    namespace selectors and namespaces, preferred terms a weight of 1-100; node affinity's
    preferred terms too, required terms at least one term, and a matchFields requirement only
    metadata.name with In or NotIn and one node name."""
    assert expected in field_errors(chain, affinity=affinity)


def test_a_well_formed_affinity_is_stored(chain):
    term = {"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": {"app": "web"}},
            "namespaceSelector": {}, "namespaces": ["default"]}
    in_zone_a = {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["a"]}]}
    affinity = {
        "nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [
                {"matchFields": [{"key": "metadata.name", "operator": "In", "values": ["node-1"]}]}]},
            "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 100, "preference": in_zone_a}]},
        "podAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [term]},
        "podAntiAffinity": {"preferredDuringSchedulingIgnoredDuringExecution": [
            {"weight": 1, "podAffinityTerm": term}]}}
    code, stored = create_pod(chain, "affinity", affinity=affinity)
    assert code == 201, stored
    assert stored["spec"]["affinity"] == affinity


# --- validateTopologySpreadConstraints ---

def spread(**fields) -> dict:
    return {"maxSkew": 1, "topologyKey": "zone", "whenUnsatisfiable": "DoNotSchedule", **fields}


SPREAD = "spec.topologySpreadConstraints"


@pytest.mark.parametrize("constraints,expected", [
    ([spread(maxSkew=0)], f"{SPREAD}[0].maxSkew: Invalid value: 0: must be greater than zero"),
    ([spread(topologyKey="")], f"{SPREAD}[0].topologyKey: Required value: can not be empty"),
    ([spread(whenUnsatisfiable="Sometimes")],
     f'{SPREAD}[0].whenUnsatisfiable: Unsupported value: "Sometimes": supported values: "DoNotSchedule", '
     '"ScheduleAnyway"'),
    ([spread(), spread(maxSkew=2, labelSelector={"matchLabels": {"app": "web"}})],
     f'{SPREAD}[0].{{topologyKey, whenUnsatisfiable}}: Duplicate value: "{{zone, DoNotSchedule}}"'),
])
def test_topology_spread_constraints_are_validated(chain, constraints, expected):
    """validateTopologySpreadConstraints: a positive maxSkew, a topologyKey, a known
    whenUnsatisfiable, and each {topologyKey, whenUnsatisfiable} pair once (reported at the first)."""
    assert expected in field_errors(chain, topologySpreadConstraints=constraints)


def test_min_domains_is_dropped_while_its_feature_gate_is_off(chain):
    """MinDomainsInPodTopologySpread is alpha and off in 1.24: dropDisabledPodFields clears
    minDomains before validation, so even a value the gate's rules refuse is no error, and it is
    not stored."""
    code, stored = create_pod(chain, "min-domains",
                              topologySpreadConstraints=[spread(whenUnsatisfiable="ScheduleAnyway", minDomains=0)])
    assert code == 201, stored
    assert stored["spec"]["topologySpreadConstraints"] == [spread(whenUnsatisfiable="ScheduleAnyway")]


# --- ValidatePodSecurityContext, ValidateSecurityContext, validateWindowsHostProcessPod, validateOS ---

RANGE_MSG = "must be between 0 and 2147483647, inclusive"
POD_SC = "spec.securityContext"
SYSCTL_FMT = r"([a-z0-9]([-_a-z0-9]*[a-z0-9])?\.)*[a-z0-9]([-_a-z0-9]*[a-z0-9])?"


@pytest.mark.parametrize("spec,expected", [
    ({"securityContext": {"runAsUser": -1}}, f"{POD_SC}.runAsUser: Invalid value: -1: {RANGE_MSG}"),
    ({"securityContext": {"runAsGroup": 2147483648}}, f"{POD_SC}.runAsGroup: Invalid value: 2147483648: {RANGE_MSG}"),
    ({"securityContext": {"fsGroup": -5}}, f"{POD_SC}.fsGroup: Invalid value: -5: {RANGE_MSG}"),
    ({"securityContext": {"supplementalGroups": [1, -2]}},
     f"{POD_SC}.supplementalGroups[1]: Invalid value: -2: {RANGE_MSG}"),
    ({"hostPID": True, "shareProcessNamespace": True},
     f"{POD_SC}.shareProcessNamespace: Invalid value: true: ShareProcessNamespace and HostPID cannot both be enabled"),
    ({"securityContext": {"sysctls": [{"name": "", "value": "1"}]}}, f"{POD_SC}.sysctls[0].name: Required value"),
    ({"securityContext": {"sysctls": [{"name": "Kernel.SHM", "value": "1"}]}},
     f'{POD_SC}.sysctls[0].name: Invalid value: "Kernel.SHM": must have at most 253 characters and match regex '
     f"{SYSCTL_FMT}"),
    ({"securityContext": {"sysctls": [{"name": "kernel.shm_rmid_forced", "value": "1"},
                                      {"name": "kernel.shm_rmid_forced", "value": "0"}]}},
     f'{POD_SC}.sysctls[1].name: Duplicate value: "kernel.shm_rmid_forced"'),
    ({"securityContext": {"fsGroupChangePolicy": "Sometimes"}},
     f'{POD_SC}.fsGroupChangePolicy: Unsupported value: "Sometimes": supported values: "Always", "OnRootMismatch"'),
    ({"securityContext": {"seccompProfile": {}}},
     f"{POD_SC}.seccompProfile.type: Required value: type is required when seccompProfile is set"),
    ({"securityContext": {"seccompProfile": {"type": "Bogus"}}},
     f'{POD_SC}.seccompProfile.type: Unsupported value: "Bogus": supported values: "Localhost", "RuntimeDefault", '
     '"Unconfined"'),
    ({"securityContext": {"seccompProfile": {"type": "Localhost"}}},
     f"{POD_SC}.seccompProfile.localhostProfile: Required value: must be set when seccomp type is Localhost"),
    ({"securityContext": {"seccompProfile": {"type": "Localhost", "localhostProfile": "/etc/profile.json"}}},
     f'{POD_SC}.seccompProfile.localhostProfile: Invalid value: "/etc/profile.json": must be a relative path'),
    ({"securityContext": {"seccompProfile": {"type": "Localhost", "localhostProfile": "a/../../b.json"}}},
     f"{POD_SC}.seccompProfile.localhostProfile: Invalid value: \"a/../../b.json\": must not contain '..'"),
    ({"securityContext": {"windowsOptions": {"runAsUserName": ""}}},
     f'{POD_SC}.windowsOptions.runAsUserName: Invalid value: "": runAsUserName cannot be an empty string'),
    ({"securityContext": {"windowsOptions": {"runAsUserName": "a\\b\\c"}}},
     f'{POD_SC}.windowsOptions.runAsUserName: Invalid value: "a\\\\b\\\\c": runAsUserName cannot contain more '
     "than one backslash"),
    ({"securityContext": {"windowsOptions": {"runAsUserName": "domain\\us:er"}}},
     f'{POD_SC}.windowsOptions.runAsUserName: Invalid value: "domain\\\\us:er": runAsUserName\'s User cannot '
     'contain the following characters: "/\\:;|=,+*?<>@[]'),
    ({"securityContext": {"windowsOptions": {"gmsaCredentialSpecName": "Spec_1"}}},
     f'{POD_SC}.windowsOptions.gmsaCredentialSpecName: Invalid value: "Spec_1": {SUBDOMAIN_MSG}'),
    ({"securityContext": {"windowsOptions": {"gmsaCredentialSpec": ""}}},
     f'{POD_SC}.windowsOptions.gmsaCredentialSpec: Invalid value: "": gmsaCredentialSpec cannot be an empty string'),
    ({"containers": [container(securityContext={"runAsUser": -1})]},
     f"spec.containers[0].securityContext.runAsUser: Invalid value: -1: {RANGE_MSG}"),
    ({"initContainers": [container(name="init", securityContext={"seccompProfile": {"type": "Bogus"}})]},
     'spec.initContainers[0].securityContext.seccompProfile.type: Unsupported value: "Bogus": supported values: '
     '"Localhost", "RuntimeDefault", "Unconfined"'),
    ({"hostNetwork": True, "containers": [container(ports=[{"containerPort": 80, "hostPort": 8080}])]},
     "spec.containers[0].ports[0].containerPort: Invalid value: 80: must match `hostPort` when `hostNetwork` is true"),
    ({"securityContext": {"windowsOptions": {"hostProcess": True}},
      "containers": [container(securityContext={"windowsOptions": {"hostProcess": False}})]},
     "spec.containers[0].securityContext.windowsOptions.hostProcess: Invalid value: false: pod hostProcess value "
     "must be identical if both are specified, was true"),
    ({"containers": [container(securityContext={"windowsOptions": {"hostProcess": True}}), container(name="d")]},
     'spec: Invalid value: "": If pod contains any hostProcess containers then all containers must be HostProcess '
     "containers"),
    ({"containers": [container(securityContext={"windowsOptions": {"hostProcess": True}})]},
     "spec.hostNetwork: Invalid value: false: hostNetwork must be true if pod contains any hostProcess containers"),
])
def test_security_contexts_are_validated(chain, spec, expected):
    """ValidatePodSecurityContext and ValidateSecurityContext: ids in 0..2^31-1, sysctl names
    named, well formed and once, a known fsGroupChangePolicy, a seccomp profile of a known type
    with a relative localhostProfile exactly for Localhost, well-formed Windows options, container
    ports equal to host ports on the host network; hostProcess consistent across the pod, which
    then runs on the host network."""
    assert expected in field_errors(chain, **spec)


@pytest.mark.parametrize("spec,expected", [
    ({"os": {}}, "spec.os.name: Required value: cannot be empty"),
    ({"os": {"name": "plan9"}}, 'spec.os: Unsupported value: "plan9": supported values: "linux", "windows"'),
    ({"os": {"name": "linux"}, "securityContext": {"windowsOptions": {}}},
     f"{POD_SC}.windowsOptions: Forbidden: windows options cannot be set for a linux pod"),
    ({"os": {"name": "linux"}, "containers": [container(securityContext={"windowsOptions": {}})]},
     "spec.containers[0].securityContext.windowsOptions: Forbidden: windows options cannot be set for a linux pod"),
    ({"os": {"name": "windows"}, "securityContext": {"runAsUser": 1}},
     f"{POD_SC}.runAsUser: Forbidden: cannot be set for a windows pod"),
    ({"os": {"name": "windows"}, "hostPID": True}, "spec.hostPID: Forbidden: cannot be set for a windows pod"),
    ({"os": {"name": "windows"}, "containers": [container(securityContext={"privileged": False})]},
     "spec.containers[0].securityContext.privileged: Forbidden: cannot be set for a windows pod"),
])
def test_an_os_is_linux_or_windows_and_the_pod_sets_nothing_the_other_runtime_ignores(spec, expected):
    """validateOS (asked only once IdentifyPodOS is on or the old pod has an os): an os of linux or
    windows whose pod sets nothing the other system's runtime would ignore."""
    assert expected in os_problems({"containers": [container()], **spec}, "spec")


@pytest.mark.parametrize("os_", [{"name": "plan9"}, {}, {"name": "windows"}])
def test_the_os_is_dropped_while_its_feature_gate_is_off(chain, os_):
    """IdentifyPodOS is alpha and off in the pinned 1.24 tree: dropDisabledFields clears
    spec.os before validation, so the real apiserver stores a pod of any os, without it, and a
    windows pod's hostPID is no error."""
    code, stored = create_pod(chain, "os-" + (os_.get("name") or "empty"), os=os_, hostPID=True)
    assert code == 201, stored
    assert "os" not in stored["spec"]


def test_a_pod_templates_os_is_dropped_too(chain):
    """DropDisabledTemplateFields: a Deployment's pod template loses its os as a pod does."""
    template = {"metadata": {"labels": {"app": "os"}}, "spec": {"os": {"name": "plan9"}, "containers": [container()]}}
    body = {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "os"},
            "spec": {"selector": {"matchLabels": {"app": "os"}}, "template": template}}
    code, stored = call(chain, "POST", ns_path(chain, "deployments", group="apps/v1"), body)
    assert code == 201, stored
    assert "os" not in stored["spec"]["template"]["spec"]


@pytest.mark.parametrize("security_context,detail", [
    ({"allowPrivilegeEscalation": False, "privileged": True},
     "cannot set `allowPrivilegeEscalation` to false and `privileged` to true"),
    ({"allowPrivilegeEscalation": False, "capabilities": {"add": ["NET_ADMIN", "CAP_SYS_ADMIN"]}},
     "cannot set `allowPrivilegeEscalation` to false and `capabilities.Add` CAP_SYS_ADMIN"),
])
def test_no_privilege_escalation_contradicts_privileges(chain, security_context, detail):
    """ValidateSecurityContext: allowPrivilegeEscalation false cannot hold for a privileged
    container or one adding CAP_SYS_ADMIN. Go prints the whole context as the value, every field a
    pointer (shown at one stand-in address, as the differential normalises the real 1.24's)."""
    def pointer(kind, field):
        return f"(*{kind})({'0xc000000000' if field in security_context else 'nil'})"
    value = ("core.SecurityContext{"
             f"Capabilities:{pointer('core.Capabilities', 'capabilities')}, Privileged:{pointer('bool', 'privileged')}, "
             "SELinuxOptions:(*core.SELinuxOptions)(nil), WindowsOptions:(*core.WindowsSecurityContextOptions)(nil), "
             "RunAsUser:(*int64)(nil), RunAsGroup:(*int64)(nil), RunAsNonRoot:(*bool)(nil), "
             "ReadOnlyRootFilesystem:(*bool)(nil), AllowPrivilegeEscalation:(*bool)(0xc000000000), "
             "ProcMount:(*core.ProcMountType)(nil), SeccompProfile:(*core.SeccompProfile)(nil)}")
    errors = field_errors(chain, containers=[container(securityContext=security_context)])
    assert f"spec.containers[0].securityContext: Invalid value: {value}: {detail}" in errors, errors


def test_a_localhost_profile_for_another_seccomp_type_is_invalid(chain):
    """validateSeccompProfileField: localhostProfile only with type Localhost (the value shown is
    the whole profile, as a Go struct with a pointer)."""
    errors = field_errors(chain, securityContext={"seccompProfile": {"type": "RuntimeDefault",
                                                                     "localhostProfile": "p.json"}})
    assert (f'{POD_SC}.seccompProfile.localhostProfile: Invalid value: core.SeccompProfile{{Type:"RuntimeDefault", '
            "LocalhostProfile:(*string)(0xc000000000)}: can only be set when seccomp type is Localhost") in errors, errors


def test_well_formed_security_contexts_are_stored(chain):
    """Valid ids, sysctls, seccomp profiles and Windows options, and a host-network pod whose ports
    leave hostPort unset (defaulted to the container port, as SetDefaults_PodSpec does)."""
    spec = {"hostNetwork": True, "os": {"name": "linux"},
            "securityContext": {"runAsUser": 1000, "runAsGroup": 0, "fsGroup": 2000, "supplementalGroups": [0, 5],
                                "fsGroupChangePolicy": "OnRootMismatch",
                                "sysctls": [{"name": "kernel.shm_rmid_forced", "value": "1"}],
                                "seccompProfile": {"type": "Localhost", "localhostProfile": "profiles/audit.json"}},
            "containers": [container(ports=[{"containerPort": 80}], securityContext={
                "allowPrivilegeEscalation": False, "capabilities": {"add": ["NET_BIND_SERVICE"]},
                "seccompProfile": {"type": "RuntimeDefault"}})]}
    code, stored = create_pod(chain, "secure", **spec)
    assert code == 201, stored
    assert stored["spec"]["containers"][0]["ports"] == [{"containerPort": 80, "hostPort": 80, "protocol": "TCP"}]


def test_a_windows_pod_with_host_process_containers_is_stored(chain):
    spec = {"os": {"name": "windows"}, "hostNetwork": True,
            "securityContext": {"windowsOptions": {"hostProcess": True, "runAsUserName": "NT AUTHORITY\\SYSTEM"}},
            "containers": [container(securityContext={"windowsOptions": {"hostProcess": True}})]}
    code, stored = create_pod(chain, "windows", **spec)
    assert code == 201, stored


def test_proc_mount_is_the_default_while_its_feature_gate_is_off(chain):
    """ProcMountType is alpha and off in 1.24: dropDisabledProcMountField sets any procMount sent
    to Default before validation, so an unknown one is no error either."""
    code, stored = create_pod(chain, "proc-mount", containers=[
        container(securityContext={"procMount": "Unmasked"}), container(name="d", securityContext={"procMount": "X"})])
    assert code == 201, stored
    assert [c["securityContext"] for c in stored["spec"]["containers"]] == [{"procMount": "Default"}] * 2


# --- validateDNSPolicy, validatePodDNSConfig, ValidateHostAliases and the pod's other fields ---

LABEL_MSG = ("a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must "
             "start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for "
             "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
SEARCHES = [f"s{i}.example" for i in range(7)]
LONG_SEARCHES = [f"{c * 63}.{c * 63}" for c in "abc"]  # 3 * 127 characters and 2 spaces


@pytest.mark.parametrize("spec,expected", [
    ({"dnsPolicy": "Bogus"},
     'spec.dnsPolicy: Unsupported value: "Bogus": supported values: "ClusterFirstWithHostNet", "ClusterFirst", '
     '"Default", "None"'),
    ({"dnsPolicy": "None"}, "spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None"),
    ({"dnsPolicy": "None", "dnsConfig": {"searches": ["svc.example"]}},
     "spec.dnsConfig.nameservers: Required value: must provide at least one DNS nameserver when `dnsPolicy` is None"),
    ({"dnsConfig": {"nameservers": ["1.1.1.1", "1.0.0.1", "8.8.8.8", "8.8.4.4"]}},
     'spec.dnsConfig.nameservers: Invalid value: []string{"1.1.1.1", "1.0.0.1", "8.8.8.8", "8.8.4.4"}: must not '
     "have more than 3 nameservers"),
    ({"dnsConfig": {"nameservers": ["dns.example"]}},
     'spec.dnsConfig.nameservers[0]: Invalid value: "dns.example": must be valid IP address'),
    ({"dnsConfig": {"searches": SEARCHES}},
     "spec.dnsConfig.searches: Invalid value: []string{" + ", ".join(f'"{s}"' for s in SEARCHES) +
     "}: must not have more than 6 search paths"),
    ({"dnsConfig": {"searches": LONG_SEARCHES}},
     "spec.dnsConfig.searches: Invalid value: []string{" + ", ".join(f'"{s}"' for s in LONG_SEARCHES) +
     "}: must not have more than 256 characters (including spaces) in the search list"),
    ({"dnsConfig": {"searches": ["Cluster_Local."]}},
     f'spec.dnsConfig.searches[0]: Invalid value: "Cluster_Local": {SUBDOMAIN_MSG}'),
    ({"dnsConfig": {"options": [{"value": "2"}]}}, "spec.dnsConfig.options[0]: Required value: must not be empty"),
    ({"hostAliases": [{"ip": "localhost", "hostnames": ["db"]}]},
     'spec.hostAliases.ip: Invalid value: "localhost": must be valid IP address'),
    ({"hostAliases": [{"ip": "10.0.0.1", "hostnames": ["DB_1"]}]},
     f'spec.hostAliases.hostnames: Invalid value: "DB_1": {SUBDOMAIN_MSG}'),
    ({"readinessGates": [{"conditionType": "feature ready"}]},
     f'spec.readinessGates[0].conditionType: Invalid value: "feature ready": {QUALIFIED_NAME_MSG}'),
    ({"activeDeadlineSeconds": 0},
     "spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive"),
    ({"activeDeadlineSeconds": 2**31},
     "spec.activeDeadlineSeconds: Invalid value: 2147483648: must be between 1 and 2147483647, inclusive"),
    ({"nodeName": "Node_1"}, f'spec.nodeName: Invalid value: "Node_1": {SUBDOMAIN_MSG}'),
    ({"hostname": "web.1"}, f'spec.hostname: Invalid value: "web.1": {LABEL_MSG}'),
    ({"subdomain": "Backends"}, f'spec.subdomain: Invalid value: "Backends": {LABEL_MSG}'),
])
def test_dns_host_aliases_and_scalar_fields_are_validated(chain, spec, expected):
    """validateDNSPolicy and validatePodDNSConfig (with ExpandedDNSConfig off: at most 3
    nameservers that are IPs, 6 searches of 256 characters, each a subdomain, named options; None
    needs a config with a nameserver), ValidateHostAliases (reported without an index, as upstream
    does), validateReadinessGates, and activeDeadlineSeconds, nodeName, hostname and subdomain."""
    assert expected in field_errors(chain, **spec)


def test_well_formed_dns_settings_and_host_aliases_are_stored(chain):
    spec = {"dnsPolicy": "None", "hostname": "web-0", "subdomain": "web", "activeDeadlineSeconds": 60,
            "dnsConfig": {"nameservers": ["10.96.0.10", "fd00::10"], "searches": ["svc.cluster.local."],
                          "options": [{"name": "ndots", "value": "2"}]},
            "hostAliases": [{"ip": "127.0.0.1", "hostnames": ["foo.local", "bar.local"]}],
            "readinessGates": [{"conditionType": "example.com/feature-1"}]}
    code, stored = create_pod(chain, "dns", **spec)
    assert code == 201, stored


def test_a_pod_template_is_validated_as_validatepodtemplatespec_does(chain):
    """ValidatePodTemplate: a PodTemplate's template is checked on create and on update, under
    `template`; it may not hold ephemeral containers."""
    path = ns_path(chain, "podtemplates")
    body = {"apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": "empty"}, "template": {"spec": {}}}
    code, status = call(chain, "POST", path, body)
    assert (code, status["message"]) == (422, 'PodTemplate "empty" is invalid: template.spec.containers: Required value')
    body = {**body, "metadata": {"name": "t"}, "template": {"spec": {"containers": [container()]}}}
    assert call(chain, "POST", path, body)[0] == 201
    code, status = call(chain, "PATCH", f"{path}/t", {"template": {"spec": {"ephemeralContainers": [container(name="debug")]}}},
                        content_type="application/strategic-merge-patch+json")
    assert (code, status["message"]) == (
        422, 'PodTemplate "t" is invalid: template.spec.ephemeralContainers: Forbidden: ephemeral containers not '
             "allowed in pod template")


# --- projected volumes ---

def projected(*sources: dict) -> list[dict]:
    return [{"name": "p", "projected": {"sources": list(sources)}}]


TOKEN_SECONDS = "spec.volumes[0].projected.sources[0].serviceAccountToken.expirationSeconds"


@pytest.mark.parametrize(("seconds", "message"), [
    (100, "Invalid value: 100: may not specify a duration less than 10 minutes"),
    (0, "Invalid value: 0: may not specify a duration less than 10 minutes"),
    ((1 << 32) + 1, "Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds"),
])
def test_a_projected_token_lives_ten_minutes_to_two_to_the_32_seconds(chain, seconds, message):
    """validateProjectionSources: a projected service account token's expirationSeconds is at least
    600 and at most 2^32 (the real kube-apiserver 1.24 refuses 100 with this 422; the token a
    kubelet then asks for would outlive no rotation)."""
    token = {"serviceAccountToken": {"path": "t", "audience": "vault", "expirationSeconds": seconds}}
    assert field_errors(chain, volumes=projected(token)) == [f"{TOKEN_SECONDS}: {message}"]


def test_a_projected_source_names_its_object_has_a_token_path_and_one_kind(chain):
    """A secret or configMap source names its object; a token without a path is reported on the
    volume (upstream's fldPath); a source of two kinds is refused."""
    errors = field_errors(chain, volumes=projected(
        {"secret": {}}, {"configMap": {"name": ""}},
        {"serviceAccountToken": {"path": "", "expirationSeconds": 600}, "secret": {"name": "s"}}))
    assert errors == ["spec.volumes[0].projected.sources[0].secret.name: Required value",
                      "spec.volumes[0].projected.sources[1].configMap.name: Required value",
                      "spec.volumes[0].projected.path: Required value",
                      "spec.volumes[0].projected.sources[2]: Forbidden: may not specify more than 1 volume type"]


def test_a_projected_token_of_ten_minutes_is_valid(chain):
    token = {"serviceAccountToken": {"path": "t", "expirationSeconds": 600}}
    code, created = create_pod(chain, "token-600", volumes=projected(token))
    assert code == 201, created


# --- the ServiceAccount token volume, on create and on update ---

POD_UPDATABLE = ("spec: Forbidden: pod updates may not change fields other than `spec.containers[*].image`, "
                 "`spec.initContainers[*].image`, `spec.activeDeadlineSeconds`, `spec.tolerations` (only additions "
                 "to existing tolerations) or `spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it "
                 "was previously negative)")


def test_a_created_pod_is_stored_with_its_token_volume_as_a_1_24_server_shows_it(chain):
    """The ServiceAccount plugin's projected volume and mount, as `kubectl get pod -o json`
    shows them from a 1.24 server."""
    code, stored = create_pod(chain, "token")
    assert code == 201, stored
    spec = call(chain, "GET", ns_path(chain, "pods", "token"))[1]["spec"]
    [volume] = spec["volumes"]
    assert volume == {"name": volume["name"], "projected": {"defaultMode": 420, "sources": [
        {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
        {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
        {"downwardAPI": {"items": [{"path": "namespace",
                                    "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}]}}
    assert spec["containers"][0]["volumeMounts"] == [
        {"name": volume["name"], "readOnly": True, "mountPath": "/var/run/secrets/kubernetes.io/serviceaccount"}]


def test_an_update_that_drops_the_token_volume_is_refused(chain):
    """ValidatePodUpdate: volumes and volume mounts are not among what a pod update may change, so
    a PUT of the stored pod without its token volume and mount is a 422. (Upstream's message goes
    on with a go-cmp diff of the specs, whose spacing go-cmp randomises; ours ends before it.)"""
    code, created = create_pod(chain, "put-token")
    assert code == 201, created
    del created["spec"]["volumes"]
    del created["spec"]["containers"][0]["volumeMounts"]
    code, status = call(chain, "PUT", ns_path(chain, "pods", "put-token"), created)
    assert (code, status["reason"]) == (422, "Invalid")
    assert status["message"] == f'Pod "put-token" is invalid: {POD_UPDATABLE}'


def test_an_update_may_not_set_the_node_name(chain):
    """ValidatePodUpdate has no exception for nodeName, unset before or not: a patch setting it is
    a 422, as the real 1.24 answered (only pods/binding assigns a node)."""
    code, created = create_pod(chain, "patch-node")
    assert code == 201, created
    code, status = call(chain, "PATCH", ns_path(chain, "pods", "patch-node"), {"spec": {"nodeName": "n2"}},
                        content_type="application/merge-patch+json")
    assert (code, status.get("message")) == (422, f'Pod "patch-node" is invalid: {POD_UPDATABLE}')


def test_a_pod_templates_class_and_account_names_are_validated(chain):
    """ValidatePodSpec checks serviceAccountName, priorityClassName and runtimeClassName as DNS
    subdomains, the preemption policy and the overhead (as a container's limits); a template has no
    admission plugin that would look the names up first, so these are its errors, as the real 1.24
    gives them."""
    spec = {"containers": [container()], "serviceAccountName": "Bad_SA", "priorityClassName": "Bad_PC",
            "runtimeClassName": "Bad_RC", "preemptionPolicy": "Bogus", "overhead": {"cpu": "-1"}}
    body = {"apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": "names"},
            "template": {"metadata": {"labels": {"a": "b"}}, "spec": spec}}
    code, status = call(chain, "POST", ns_path(chain, "podtemplates"), body)
    assert code == 422, status
    assert [f"{cause['field']}: {cause['message']}" for cause in status["details"]["causes"]] == [
        f'template.spec.serviceAccountName: Invalid value: "Bad_SA": {SUBDOMAIN_MSG}',
        f'template.spec.priorityClassName: Invalid value: "Bad_PC": {SUBDOMAIN_MSG}',
        f'template.spec.runtimeClassName: Invalid value: "Bad_RC": {SUBDOMAIN_MSG}',
        'template.spec.preemptionPolicy: Unsupported value: "Bogus": supported values: "PreemptLowerPriority", "Never"',
        'template.spec.overhead.limits[cpu]: Invalid value: "-1": must be greater than or equal to 0']


def test_a_pods_service_account_is_looked_up_before_its_name_is_validated(chain):
    """For a pod, ServiceAccount admission answers first: the account does not exist."""
    code, status = create_pod(chain, "badsa-", serviceAccountName="Bad_SA")
    assert code == 403, status
    assert "Bad_SA" in status["message"]


def test_host_ports_are_unique_across_containers_and_within_each_init_container(chain):
    """AccumulateUniqueHostPorts keys protocol/hostIP/hostPort; the containers are checked together,
    each init container alone, and so always at index 0 (as the real 1.24 reports it)."""
    def ports(*numbers, protocol="TCP"):
        return [{"containerPort": 1 + i, "hostPort": n, "protocol": protocol} for i, n in enumerate(numbers)]
    problems = field_errors(chain, initContainers=[container(name="i", ports=ports(80, 80)),
                                                   container(name="j", ports=ports(81, 81))],
                            containers=[container(ports=ports(80)),
                                        container(name="d", ports=ports(80, protocol="UDP") + ports(0, 80)[1:])])
    assert problems == ['spec.containers[1].ports[1].hostPort: Duplicate value: "TCP//80"',
                        'spec.initContainers[0].ports[1].hostPort: Duplicate value: "TCP//80"',
                        'spec.initContainers[0].ports[1].hostPort: Duplicate value: "TCP//81"']


def test_hugepages_come_in_whole_pages_and_beside_cpu_or_memory(chain):
    """validateResourceQuantityHugePageValue (the quantity in canonical form) and the check that a
    container asking for hugepages asks for cpu or memory too, as the real 1.24 reports them."""
    resources = "spec.containers[0].resources"
    assert field_errors(chain, containers=[container(resources={"requests": {"hugepages-2Mi": "1Mi"}})]) == [
        f"{resources}.limits: Required value: Limit must be set for non overcommitable resources",
        f'{resources}.requests[hugepages-2Mi]: Invalid value: "1Mi": 1Mi is not positive integer multiple of '
        "hugepages-2Mi",
        f"{resources}: Forbidden: HugePages require cpu or memory"]
    # A pod's requests default to its limits, so the request is refused too.
    assert field_errors(chain, containers=[container(resources={"limits": {"hugepages-2Mi": "1.5Mi", "cpu": "1"}})]) == [
        f'{resources}.{group}[hugepages-2Mi]: Invalid value: "1536Ki": 1536Ki is not positive integer multiple of '
        "hugepages-2Mi" for group in ("limits", "requests")]


def test_init_containers_names_twice_and_no_lifecycle_or_probes(chain):
    """validateInitContainers runs validateContainers on the init containers alone, then checks each
    name against the app containers and the earlier init containers, so a name repeated among init
    containers is reported twice; a lifecycle or probe is refused with its Go value (as the real
    1.24 words it, pointers at one stand-in address)."""
    problems = field_errors(chain, initContainers=[
        container(lifecycle={"preStop": {"exec": {"command": ["a"]}}},
                  readinessProbe={"httpGet": {"port": 80}, "initialDelaySeconds": 3}),
        container()])
    assert problems == [
        'spec.initContainers[1].name: Duplicate value: "c"',
        'spec.initContainers[0].name: Duplicate value: "c"',
        "spec.initContainers[0].lifecycle: Invalid value: core.Lifecycle{PostStart:(*core.LifecycleHandler)(nil), "
        "PreStop:(*core.LifecycleHandler)(0xc000000000)}: must not be set for init containers",
        "spec.initContainers[0].readinessProbe: Invalid value: core.Probe{ProbeHandler:core.ProbeHandler{"
        "Exec:(*core.ExecAction)(nil), HTTPGet:(*core.HTTPGetAction)(0xc000000000), TCPSocket:(*core.TCPSocketAction)(nil), "
        "GRPC:(*core.GRPCAction)(nil)}, InitialDelaySeconds:3, TimeoutSeconds:1, PeriodSeconds:10, SuccessThreshold:1, "
        "FailureThreshold:3, TerminationGracePeriodSeconds:(*int64)(nil)}: must not be set for init containers",
        'spec.initContainers[1].name: Duplicate value: "c"']


def test_a_repeated_container_name_is_validated_again_and_reported_duplicate(chain):
    """validateContainers checks every container's name (Required when empty, else a DNS-1123
    label) before it looks for the name among the earlier ones: a bad name written twice is
    Invalid twice and Duplicate once, two empty names Required twice and Duplicate once, and an
    unnamed init container is Duplicate of an unnamed app container (the real 1.24 server's
    answer, `kubectl create -f --dry-run=server`; seed 16 of the kubectl random differential,
    `create deployment --image='Bad Image' --image='Bad Image'`)."""
    bad = ("Invalid value: \"Bad Image\": a lowercase RFC 1123 label must consist of lower case alphanumeric "
           "characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or "
           "'123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
    problems = field_errors(chain, containers=[container(name=""), container(name=""), container(name="Bad Image"),
                                               container(name="Bad Image")],
                            initContainers=[container(name="")])
    assert problems == ["spec.containers[0].name: Required value",
                        "spec.containers[1].name: Required value",
                        'spec.containers[1].name: Duplicate value: ""',
                        f"spec.containers[2].name: {bad}",
                        f"spec.containers[3].name: {bad}",
                        'spec.containers[3].name: Duplicate value: "Bad Image"',
                        "spec.initContainers[0].name: Required value",
                        'spec.initContainers[0].name: Duplicate value: ""']


def test_an_extended_resource_is_a_whole_number_and_a_negative_quantity_shown_canonical(chain):
    """ValidateResourceQuantityValue: an extended resource must be an integer (the Quantity shown as
    Go's %#v of it), a negative quantity is shown in canonical form (-1000m is -1)."""
    resources = "spec.containers[0].resources"
    assert field_errors(chain, containers=[container(resources={"limits": {"cpu": "-1000m"},
                                                                "requests": {"example.com/foo": "1500m"}})]) == [
        f'{resources}.limits[cpu]: Invalid value: "-1": must be greater than or equal to 0',
        f"{resources}.requests[example.com/foo]: Invalid value: resource.Quantity{{i:resource.int64Amount{{value:1500, "
        'scale:-3}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"1500m", Format:"DecimalSI"}: must be an integer',
        f"{resources}.limits: Required value: Limit must be set for non overcommitable resources",
        f'{resources}.requests[cpu]: Invalid value: "-1": must be greater than or equal to 0']


def test_a_request_above_its_limit_is_shown_as_quantity_string_writes_it(chain):
    """ValidateResourceRequirements prints a request above its limit with Quantity.String: the
    canonical text (1.5 is 1500m, 1.5Gi 1536Mi, 1e19 10e18), the text as sent where it is canonical
    already ("1E", exa); real kube-apiserver 1.24 answered these (fuzz20)."""
    def refused(request):
        return field_errors(chain, containers=[container(resources={"limits": {"memory": "1"},
                                                                    "requests": {"memory": request}})])
    shown = {1.5: "1500m", "1.5Gi": "1536Mi", "1e19": "10e18", "1E": "1E", " 2 ": "2", 1e308: "100e306"}
    for request, text in shown.items():
        assert refused(request) == [f'spec.containers[0].resources.requests: Invalid value: "{text}": '
                                    "must be less than or equal to memory limit"], request


def test_huge_pages_are_divided_as_quantity_value_overflows_and_shown_as_sent(chain):
    """IsHugePageResourceValueDivisible divides Quantity.Value, which is 0 for an int64Amount past
    int64 (so 10E is whole pages), and the refusal shows Quantity.String ("+1" as sent); as the real
    kube-apiserver 1.24 answers (fuzz20)."""
    assert create_pod(chain, "huge", containers=[container(resources={"limits": {"hugepages-2Mi": "10E",
                                                                                 "memory": "1Gi"}})])[0] == 201
    resources = "spec.containers[0].resources"
    assert field_errors(chain, containers=[container(resources={"limits": {"hugepages-2Mi": "+1", "memory": "1Gi"}})]) == [
        f'{resources}.{group}[hugepages-2Mi]: Invalid value: "+1": +1 is not positive integer multiple of hugepages-2Mi'
        for group in ("limits", "requests")]


def test_a_whole_resource_past_int64_is_no_integer_as_milli_value_overflows(chain):
    """ValidateResourceQuantityValue's MilliValue()%1000 overflows for a quantity kept as an inf.Dec
    (1Ei, 30 nines): such an extended resource is "must be an integer", as the real kube-apiserver
    1.24 answers (fuzz20: it was accepted)."""
    problems = field_errors(chain, containers=[container(resources={"limits": {"example.com/gpu": "1Ei"}})])
    assert [problem.split(": Invalid value: ")[0] for problem in problems] == [
        f"spec.containers[0].resources.{group}[example.com/gpu]" for group in ("limits", "requests")]
    assert all(problem.endswith(": must be an integer") for problem in problems)


@pytest.mark.parametrize("written,shown", [
    ("0.5m", 'resource.Quantity{i:resource.int64Amount{value:1, scale:-3}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, '
             's:"", Format:"DecimalSI"}'),
    ("1e-1000", 'resource.Quantity{i:resource.int64Amount{value:0, scale:0}, '
                'd:resource.infDecAmount{Dec:(*inf.Dec)(0xc000000000)}, s:"", Format:"DecimalExponent"}'),
])
def test_a_quantity_rounded_up_to_thousandths_is_shown_as_round_up_left_it(chain, written, shown):
    """SetDefaults_ResourceList's RoundUp clears the Quantity's cached text and keeps an inf.Dec an
    inf.Dec: %#v of the rounded quantity shows both, as the real kube-apiserver 1.24 answers (fuzz20)."""
    problems = field_errors(chain, containers=[container(resources={"limits": {"example.com/gpu": written}})])
    assert problems == [f"spec.containers[0].resources.{group}[example.com/gpu]: Invalid value: {shown}: "
                        "must be an integer" for group in ("limits", "requests")]
