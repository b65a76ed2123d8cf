"""The Pod Security Standards' checks of pod-security-admission 1.24's policy/ directory, without a
server: each check's forbidden reason and detail as upstream's check_*_test.go expect them, the
evaluator's levels and versions, the namespace labels that select a policy, and exemptions."""
from __future__ import annotations

from types import SimpleNamespace

import pytest

from reference_impl.apiserver.core.errors import StatusError
from reference_impl.apiserver.core.podsecurity import Exemptions, PodSecurity, api, policy
from reference_impl.apiserver.core.podsecurity.api import LevelVersion, Version


def containers(*names: str, **security_context) -> list[dict]:
    return [{"name": name, "image": "nginx", **({"securityContext": security_context} if security_context else {})}
            for name in names]


def failed(check, spec: dict, annotations: dict | None = None) -> tuple[str, str]:
    result = check({"annotations": annotations or {}}, spec)
    assert not result.allowed
    return result.forbidden_reason, result.forbidden_detail


def test_allow_privilege_escalation_must_be_false():
    """Unset or true allowPrivilegeEscalation fails restricted, per container."""
    spec = {"initContainers": containers("a"), "containers": [*containers("b", allowPrivilegeEscalation=True),
                                                               *containers("c")],
            "ephemeralContainers": containers("d", allowPrivilegeEscalation=False)}
    assert failed(policy.allow_privilege_escalation_1_8, spec) == (
        "allowPrivilegeEscalation != false",
        'containers "a", "b", "c" must set securityContext.allowPrivilegeEscalation=false')


def test_app_armor_profiles_other_than_runtime_default_or_localhost_are_forbidden():
    """Container AppArmor annotations may name runtime/default or localhost/*, sorted in the detail."""
    prefix = "container.apparmor.security.beta.kubernetes.io/"
    annotations = {f"{prefix}b": "unconfined", f"{prefix}a": "foo", f"{prefix}c": "runtime/default",
                   f"{prefix}d": "localhost/x", f"{prefix}e": ""}
    assert failed(policy.app_armor_profile_1_0, {"containers": []}, annotations) == (
        "forbidden AppArmor profiles",
        f'{prefix}a="foo", {prefix}b="unconfined"')


def test_capabilities_beyond_the_default_set_are_forbidden_at_baseline():
    """Adding capabilities outside Docker's default set fails baseline; the names are sorted."""
    spec = {"containers": [*containers("a", capabilities={"add": ["FOO", "BAR"]}),
                           *containers("b", capabilities={"add": ["BAZ", "CHOWN"]}),
                           *containers("c", capabilities={"add": ["CHOWN"]})]}
    assert failed(policy.capabilities_baseline_1_0, spec) == (
        "non-default capabilities",
        'containers "a", "b" must not include "BAR", "BAZ", "FOO" in securityContext.capabilities.add')


def test_restricted_capabilities_drop_all_and_add_only_net_bind_service():
    """restricted: every container drops ALL and adds nothing but NET_BIND_SERVICE."""
    spec = {"containers": [*containers("a", capabilities={"add": ["FOO", "BAR"]}),
                           *containers("b", capabilities={"add": ["BAZ"], "drop": ["NET_RAW"]}),
                           *containers("c", capabilities={"add": ["CHOWN", "NET_BIND_SERVICE"], "drop": ["ALL"]}),
                           *containers("d", capabilities={"add": ["NET_BIND_SERVICE"], "drop": ["ALL"]})]}
    assert failed(policy.capabilities_restricted_1_22, spec) == (
        "unrestricted capabilities",
        'containers "a", "b" must set securityContext.capabilities.drop=["ALL"]; containers "a", "b", "c" '
        'must not include "BAR", "BAZ", "CHOWN", "FOO" in securityContext.capabilities.add')


def test_host_namespaces_are_forbidden():
    """hostNetwork, hostPID and hostIPC, in that order."""
    spec = {"hostIPC": True, "hostPID": True, "hostNetwork": True, "containers": []}
    assert failed(policy.host_namespaces_1_0, spec) == ("host namespaces", "hostNetwork=true, hostPID=true, hostIPC=true")


def test_host_path_volumes_are_forbidden():
    spec = {"containers": [], "volumes": [{"name": "a", "hostPath": {"path": "/a"}}, {"name": "x", "emptyDir": {}},
                                          {"name": "b", "hostPath": {"path": "/b"}}]}
    assert failed(policy.host_path_volumes_1_0, spec) == ("hostPath volumes", 'volumes "a", "b"')


@pytest.mark.parametrize("spec, detail", [
    ({"containers": [{"name": "a", "ports": [{"containerPort": 80}]},
                     {"name": "b", "ports": [{"containerPort": 80, "hostPort": 20}]}]},
     'container "b" uses hostPort 20'),
    ({"initContainers": [{"name": "b", "ports": [{"hostPort": 20}, {"hostPort": 10}]}],
      "containers": [{"name": "c", "ports": [{"hostPort": 30}, {"hostPort": 0}]}]},
     'containers "b", "c" use hostPorts 10, 20, 30')])
def test_host_ports_are_forbidden(spec, detail):
    assert failed(policy.host_ports_1_0, spec) == ("hostPort", detail)


def test_privileged_containers_are_forbidden():
    spec = {"containers": [*containers("a"), *containers("b", privileged=False), *containers("d", privileged=True),
                           *containers("e", privileged=True)]}
    assert failed(policy.privileged_1_0, spec) == ("privileged", 'containers "d", "e" must not set '
                                                                 'securityContext.privileged=true')


def test_proc_mount_must_be_default():
    spec = {"containers": [*containers("a", procMount="Default"), *containers("d", procMount="Unmasked"),
                           *containers("e", procMount="other")]}
    assert failed(policy.proc_mount_1_0, spec) == (
        "procMount", 'containers "d", "e" must not set securityContext.procMount to "Unmasked", "other"')


def test_restricted_volume_types():
    """Only configMap, csi, downwardAPI, emptyDir, ephemeral, persistentVolumeClaim, projected and
    secret volumes meet restricted; the others are named by type, sorted, unknown ones as unknown."""
    spec = {"containers": [], "volumes": [{"name": "a", "configMap": {}}, {"name": "b", "hostPath": {}},
                                          {"name": "c", "nfs": {}}, {"name": "d", "gitRepo": {}},
                                          {"name": "e", "nfs": {}}, {"name": "f"}]}
    assert failed(policy.restricted_volumes_1_0, spec) == (
        "restricted volume types",
        'volumes "b", "c", "d", "e", "f" use restricted volume types "gitRepo", "hostPath", "nfs", "unknown"')


@pytest.mark.parametrize("spec, detail", [
    ({"containers": containers("a")}, 'pod or container "a" must set securityContext.runAsNonRoot=true'),
    ({"securityContext": {"runAsNonRoot": False}, "containers": containers("a")},
     "pod must not set securityContext.runAsNonRoot=false"),
    ({"securityContext": {"runAsNonRoot": True},
      "containers": [*containers("a"), *containers("b", runAsNonRoot=True), *containers("c", runAsNonRoot=False),
                     *containers("d", runAsNonRoot=False)]},
     'containers "c", "d" must not set securityContext.runAsNonRoot=false'),
    ({"containers": [*containers("a"), *containers("b"), *containers("c", runAsNonRoot=True)]},
     'pod or containers "a", "b" must set securityContext.runAsNonRoot=true')])
def test_run_as_non_root_must_be_true(spec, detail):
    assert failed(policy.run_as_non_root_1_0, spec) == ("runAsNonRoot != true", detail)


@pytest.mark.parametrize("spec, detail", [
    ({"securityContext": {"runAsUser": 0}, "containers": containers("a")}, "pod must not set runAsUser=0"),
    ({"securityContext": {"runAsUser": 1000},
      "containers": [*containers("a", runAsUser=1), *containers("c", runAsUser=0), *containers("d", runAsUser=0)]},
     'containers "c", "d" must not set runAsUser=0'),
    ({"securityContext": {"runAsUser": 0}, "containers": containers("c", runAsUser=0)},
     'pod and container "c" must not set runAsUser=0')])
def test_run_as_user_must_not_be_root(spec, detail):
    assert failed(policy.run_as_user_1_23, spec) == ("runAsUser=0", detail)


def test_selinux_options_limit_type_user_and_role():
    """Types other than container_t, container_init_t, container_kvm_t are forbidden, and user and
    role may not be set (1.24 reports user and role only along with a bad type)."""
    options = {"type": "foo", "user": "u", "role": "r"}
    spec = {"securityContext": {"seLinuxOptions": options},
            "containers": [*containers("a", seLinuxOptions={"type": "container_t"}),
                           *containers("d", seLinuxOptions={"type": "bar"}),
                           *containers("e", seLinuxOptions={"user": "u"})]}
    assert failed(policy.selinux_options_1_0, spec) == (
        "seLinuxOptions", 'pod and containers "d", "e" set forbidden securityContext.seLinuxOptions: '
                          'types "bar", "foo"; user may not be set; role may not be set')
    only_user = {"containers": containers("e", seLinuxOptions={"user": "u"})}
    assert failed(policy.selinux_options_1_0, only_user) == (
        "seLinuxOptions", 'container "e" set forbidden securityContext.seLinuxOptions: ')


def test_seccomp_annotations_before_1_19():
    """Up to v1.18 the seccomp alpha annotations are checked: runtime/default, docker/default, localhost/*."""
    annotations = {"seccomp.security.alpha.kubernetes.io/pod": "unconfined",
                   "container.seccomp.security.alpha.kubernetes.io/a": "unconfined",
                   "container.seccomp.security.alpha.kubernetes.io/b": "unknown",
                   "container.seccomp.security.alpha.kubernetes.io/c": "docker/default"}
    spec = {"containers": containers("a", "b", "c")}
    assert failed(policy.seccomp_profile_baseline_1_0, spec, annotations) == (
        "seccompProfile", 'forbidden annotations container.seccomp.security.alpha.kubernetes.io/a="unconfined", '
                          'container.seccomp.security.alpha.kubernetes.io/b="unknown", '
                          'seccomp.security.alpha.kubernetes.io/pod="unconfined"')


def test_seccomp_profile_type_at_baseline():
    """From v1.19 baseline forbids a seccompProfile.type other than RuntimeDefault or Localhost."""
    unconfined = {"seccompProfile": {"type": "Unconfined"}}
    spec = {"securityContext": unconfined, "containers": [*containers("a"), *containers("c", **unconfined),
                                                          *containers("d", **unconfined)]}
    assert failed(policy.seccomp_profile_baseline_1_19, spec) == (
        "seccompProfile", 'pod and containers "c", "d" must not set securityContext.seccompProfile.type to "Unconfined"')


@pytest.mark.parametrize("spec, detail", [
    ({"containers": containers("a")},
     'pod or container "a" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"'),
    ({"securityContext": {"seccompProfile": {"type": "Unconfined"}}, "containers": containers("a")},
     'pod must not set securityContext.seccompProfile.type to "Unconfined"'),
    ({"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}},
      "containers": [*containers("c", seccompProfile={"type": "Unconfined"}),
                     *containers("d", seccompProfile={"type": "Unconfined"})]},
     'containers "c", "d" must not set securityContext.seccompProfile.type to "Unconfined"')])
def test_seccomp_profile_is_required_at_restricted(spec, detail):
    assert failed(policy.seccomp_profile_restricted_1_19, spec) == ("seccompProfile", detail)


def test_only_safe_sysctls_are_allowed():
    spec = {"securityContext": {"sysctls": [{"name": "a"}, {"name": "kernel.shm_rmid_forced"}, {"name": "b"}]},
            "containers": []}
    assert failed(policy.sysctls_1_0, spec) == ("forbidden sysctls", "a, b")


def test_windows_host_process_is_forbidden():
    host_process = {"windowsOptions": {"hostProcess": True}}
    spec = {"securityContext": host_process, "containers": [*containers("a", windowsOptions={"hostProcess": False}),
                                                            *containers("e", **host_process),
                                                            *containers("f", **host_process)]}
    assert failed(policy.windows_host_process_1_0, spec) == (
        "hostProcess", 'pod and containers "e", "f" must not set securityContext.windowsOptions.hostProcess=true')


# --- the evaluator --------------------------------------------------------------------------------

def detail(level: str, version: Version, spec: dict, annotations: dict | None = None) -> str:
    results = policy.evaluate_pod(LevelVersion(level, version), {"annotations": annotations or {}}, spec)
    return policy.aggregate_check_results(results).forbidden_detail()


def test_privileged_runs_no_check():
    assert detail(api.PRIVILEGED, api.LATEST, {"hostPID": True, "containers": []}) == ""


def test_a_version_newer_than_every_check_is_latest():
    """v1.30 evaluates as the newest checks do, as latest does."""
    spec = {"containers": containers("a")}
    assert detail(api.RESTRICTED, Version(1, 30), spec) == detail(api.RESTRICTED, api.LATEST, spec) != ""


def test_versions_before_1_19_check_seccomp_annotations_not_fields():
    annotations = {"seccomp.security.alpha.kubernetes.io/pod": "unconfined"}
    spec = {"securityContext": {"seccompProfile": {"type": "Unconfined"}}, "containers": []}
    assert detail(api.BASELINE, Version(1, 18), spec, annotations) == (
        'seccompProfile (forbidden annotation seccomp.security.alpha.kubernetes.io/pod="unconfined")')
    assert detail(api.BASELINE, Version(1, 19), spec, annotations) == (
        'seccompProfile (pod must not set securityContext.seccompProfile.type to "Unconfined")')


def test_run_as_user_is_checked_from_1_23():
    spec = {"securityContext": {"runAsNonRoot": True, "runAsUser": 0, "seccompProfile": {"type": "RuntimeDefault"}},
            "containers": containers("a", allowPrivilegeEscalation=False, capabilities={"drop": ["ALL"]})}
    assert detail(api.RESTRICTED, Version(1, 22), spec) == ""
    assert detail(api.RESTRICTED, Version(1, 23), spec) == "runAsUser=0 (pod must not set runAsUser=0)"


# --- namespace labels -----------------------------------------------------------------------------

def test_labels_select_level_and_version_per_mode():
    labels = {api.ENFORCE_LEVEL_LABEL: "baseline", api.ENFORCE_VERSION_LABEL: "v1.22",
              api.WARN_LEVEL_LABEL: "restricted"}
    chosen, errs = api.policy_to_evaluate(labels, api.DEFAULT_POLICY)
    assert errs == []
    assert (str(chosen.enforce), str(chosen.audit), str(chosen.warn)) == (
        "baseline:v1.22", "privileged:latest", "restricted:latest")


def test_invalid_labels_fail_closed_for_enforce_and_open_for_warn_and_audit():
    """A bad enforce level means restricted, a bad audit or warn level privileged, a bad version latest;
    each is a field error on metadata.labels."""
    labels = {api.ENFORCE_LEVEL_LABEL: "foo", api.ENFORCE_VERSION_LABEL: "v2.0", api.WARN_LEVEL_LABEL: "bar",
              api.AUDIT_VERSION_LABEL: "v1.01"}
    chosen, errs = api.policy_to_evaluate(labels, api.DEFAULT_POLICY)
    assert (str(chosen.enforce), str(chosen.warn)) == ("restricted:latest", "privileged:latest")
    assert errs == [
        'metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "foo": must be one of privileged, '
        'baseline, restricted',
        'metadata.labels[pod-security.kubernetes.io/enforce-version]: Invalid value: "v2.0": must be "latest" or "v1.x"',
        'metadata.labels[pod-security.kubernetes.io/audit-version]: Invalid value: "v1.01": must be "latest" or "v1.x"',
        'metadata.labels[pod-security.kubernetes.io/warn]: Invalid value: "bar": must be one of privileged, '
        'baseline, restricted']


# --- exemptions -----------------------------------------------------------------------------------

class _Resource:
    group, plural = "", "pods"


class _Registry:
    def get(self, plural, namespace, name):
        return {"metadata": {"name": name, "labels": {api.ENFORCE_LEVEL_LABEL: "baseline"}}}


def _validate(plugin, namespace="team", user="alice", runtime_class=None):
    spec = {"hostPID": True, "containers": containers("c"),
            **({"runtimeClassName": runtime_class} if runtime_class else {})}
    request = SimpleNamespace(operation="CREATE", resource=_Resource(), subresource="", namespace=namespace,
                              name="web", old_obj=None, user=SimpleNamespace(name=user), warnings=[])
    plugin.validate(request, {"metadata": {"name": "web"}, "spec": spec})


def test_exempt_namespaces_users_and_runtime_classes_are_not_checked():
    """Configured exemptions let a violating pod in; nothing is exempt by default."""
    with pytest.raises(StatusError):
        _validate(PodSecurity(_Registry()))
    exempt = PodSecurity(_Registry(), exemptions=Exemptions(usernames=frozenset({"alice"}),
                                                            namespaces=frozenset({"kube-system"}),
                                                            runtime_classes=frozenset({"kata"})))
    _validate(exempt)
    _validate(exempt, "kube-system", "bob")
    _validate(exempt, user="bob", runtime_class="kata")
    with pytest.raises(StatusError):
        _validate(exempt, user="bob")
