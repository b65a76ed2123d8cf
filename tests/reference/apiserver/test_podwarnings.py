"""The warnings a create of a pod, or a create or update of a pod template's owner, answers with (pkg/api/pod/warnings.go),
each text as the real 1.24 apiserver writes it: one rule per test, on plain dicts, then once
through the handler chain."""
from __future__ import annotations

import json

from tests.reference.apiserver.test_handlers import chain, etcd, ns_path, registry  # noqa: F401
from reference_impl.apiserver.core.handlers import Request
from reference_impl.apiserver.kinds.podwarnings import spec_and_meta_warnings, warnings_on_create, warnings_on_update

CONTAINER = {"name": "c", "image": "nginx:1.21"}


def pod_warnings(meta: dict | None = None, **spec) -> list[str]:
    return warnings_on_create("", "Pod", {"metadata": meta or {}, "spec": {"containers": [CONTAINER], **spec}})


def test_deprecated_node_labels_in_selectors_affinity_and_spread_constraints():
    expression = {"key": "beta.kubernetes.io/arch", "operator": "In", "values": ["a"]}
    assert pod_warnings(
        nodeSelector={"beta.kubernetes.io/os": "linux", "kubernetes.io/os": "linux"},
        affinity={"nodeAffinity": {
            "requiredDuringSchedulingIgnoredDuringExecution": {"nodeSelectorTerms": [{"matchExpressions": [expression]}]},
            "preferredDuringSchedulingIgnoredDuringExecution": [{"weight": 1, "preference": {"matchExpressions": [
                {"key": "failure-domain.beta.kubernetes.io/region", "operator": "Exists"}]}}]}},
        topologySpreadConstraints=[{"maxSkew": 1, "topologyKey": "failure-domain.beta.kubernetes.io/zone",
                                    "whenUnsatisfiable": "DoNotSchedule"}]) == [
        'spec.nodeSelector[beta.kubernetes.io/os]: deprecated since v1.14; use "kubernetes.io/os" instead',
        "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0]"
        '.matchExpressions[0].key: beta.kubernetes.io/arch is deprecated since v1.14; use "kubernetes.io/arch" '
        "instead",
        "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions[0]"
        ".key: failure-domain.beta.kubernetes.io/region is deprecated since v1.17; use "
        '"topology.kubernetes.io/region" instead',
        "spec.topologySpreadConstraints[0].topologyKey: failure-domain.beta.kubernetes.io/zone is deprecated since "
        'v1.17; use "topology.kubernetes.io/zone" instead']


def test_deprecated_volume_plugins_and_annotations():
    """A storageos volume is named storageOS, as upstream's warning names it."""
    volumes = [{"name": "g", "gitRepo": {"repository": "r"}}, {"name": "f", "flocker": {"datasetName": "d"}},
               {"name": "s", "storageos": {"volumeName": "v"}}]
    assert pod_warnings({"annotations": {"scheduler.alpha.kubernetes.io/critical-pod": ""}}, volumes=volumes) == [
        'metadata.annotations[scheduler.alpha.kubernetes.io/critical-pod]: non-functional in v1.16+; use the '
        '"priorityClassName" field instead',
        "spec.volumes[0].gitRepo: deprecated in v1.11",
        "spec.volumes[1].flocker: deprecated in v1.22, support removal is planned in v1.26",
        "spec.volumes[2].storageOS: deprecated in v1.22, support removal is planned in v1.26"]


def test_duplicates_a_kubelet_merges_or_drops():
    """Host alias IPs, image pull secret names (and an empty one), volume names and env names seen
    before, each at the index of the repeat."""
    assert pod_warnings(hostAliases=[{"ip": "1.1.1.1"}, {"ip": "1.1.1.1"}],
                        imagePullSecrets=[{"name": "a"}, {"name": "a"}, {"name": ""}],
                        volumes=[{"name": "v", "emptyDir": {}}, {"name": "v", "emptyDir": {}}],
                        containers=[{**CONTAINER, "env": [{"name": "A"}, {"name": "A"}]}]) == [
        'spec.hostAliases[1].ip: duplicate ip "1.1.1.1"', 'spec.imagePullSecrets[1].name: duplicate name "a"',
        'spec.imagePullSecrets[2].name: invalid empty name ""', 'spec.volumes[1].name: duplicate name "v"',
        'spec.containers[0].env[1].name: duplicate name "A"']


def test_fractional_bytes_are_named_in_their_canonical_form():
    """Memory and ephemeral storage with thousandths, limits before requests, as Quantity.String
    writes them (0.5 is 500m)."""
    resources = {"limits": {"memory": "1.5", "cpu": "0.5"}, "requests": {"memory": "0.5", "ephemeral-storage": "1"}}
    assert pod_warnings(overhead={"memory": "0.1"}, initContainers=[{**CONTAINER, "name": "i", "resources": resources}]) == [
        'spec.overhead[memory]: fractional byte value "100m" is invalid, must be an integer',
        'spec.initContainers[0].resources.limits[memory]: fractional byte value "1500m" is invalid, must be an integer',
        'spec.initContainers[0].resources.requests[memory]: fractional byte value "500m" is invalid, must be an '
        "integer"]


def test_only_byte_quantities_a_pod_sets_are_read_and_each_text_once(monkeypatch):
    """Every pod create is checked for fractional bytes: a memory or ephemeral-storage value the
    pod does not set is not parsed at all, and a text seen before is not parsed again."""
    from reference_impl.machinery import quantity
    parsed = []
    parse = quantity.parse
    monkeypatch.setattr(quantity, "parse", lambda value: parsed.append(value) or parse(value))
    container = {**CONTAINER, "resources": {"requests": {"cpu": "1", "memory": "128.5m"}}}
    for _ in range(3):
        assert pod_warnings(containers=[container]) == [
            'spec.containers[0].resources.requests[memory]: fractional byte value "128500u" is invalid, '
            'must be an integer']
    assert None not in parsed
    assert parsed.count("128.5m") <= 1


def test_seccomp_annotations_without_the_field_are_deprecated():
    annotations = {"seccomp.security.alpha.kubernetes.io/pod": "runtime/default",
                   "container.seccomp.security.alpha.kubernetes.io/c": "runtime/default",
                   "container.seccomp.security.alpha.kubernetes.io/d": "runtime/default"}
    profiled = {**CONTAINER, "name": "d", "securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}}
    message = 'deprecated since v1.19, non-functional in v1.25+; use the "seccompProfile" field instead'
    assert pod_warnings({"annotations": annotations}, containers=[CONTAINER, profiled]) == [
        f"metadata.annotations[seccomp.security.alpha.kubernetes.io/pod]: {message}",
        f"metadata.annotations[container.seccomp.security.alpha.kubernetes.io/c]: {message}"]
    assert spec_and_meta_warnings({"securityContext": {"seccompProfile": {"type": "RuntimeDefault"}}},
                                  {"annotations": annotations}) == []


def test_a_template_s_warnings_are_named_below_its_path():
    """spec.template for the apps kinds and Jobs, spec.jobTemplate.spec.template for CronJobs (with
    the time zone warning, at upstream's path), and `template` for PodTemplates and, as upstream
    writes it, ReplicationControllers."""
    template = {"spec": {"containers": [CONTAINER], "volumes": [{"name": "g", "gitRepo": {"repository": "r"}}]}}
    assert warnings_on_create("apps", "Deployment", {"spec": {"template": template}}) == [
        "spec.template.spec.volumes[0].gitRepo: deprecated in v1.11"]
    assert warnings_on_create("", "ReplicationController", {"spec": {"template": template}}) == [
        "template.spec.volumes[0].gitRepo: deprecated in v1.11"]
    assert warnings_on_create("", "ReplicationController", {"spec": {}}) == []
    cron_job = {"spec": {"schedule": "CRON_TZ=UTC * * * * *", "jobTemplate": {"spec": {"template": template}}}}
    assert warnings_on_create("batch", "CronJob", cron_job) == [
        "spec.jobTemplate.spec.template.spec.volumes[0].gitRepo: deprecated in v1.11",
        "CRON_TZ or TZ used in spec.spec.schedule is not officially supported, see "
        "https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details"]
    assert warnings_on_create("", "ConfigMap", {"metadata": {}}) == []


def test_an_update_warns_of_the_template_only_when_the_generation_moves():
    """A workload's update warns of its template when its generation changed; a pod's update of
    nothing; a ReplicationController's, as upstream passes its arguments, of the old template."""
    old_template = {"spec": {"containers": [CONTAINER], "volumes": [{"name": "g", "gitRepo": {"repository": "r"}}]}}
    new_template = {"spec": {"containers": [CONTAINER], "nodeSelector": {"beta.kubernetes.io/os": "linux"}}}
    old = {"metadata": {"generation": 1}, "spec": {"template": old_template}}
    new = {"metadata": {"generation": 2}, "spec": {"template": new_template}}
    assert warnings_on_update("apps", "Deployment", new, old) == [
        'spec.template.spec.nodeSelector[beta.kubernetes.io/os]: deprecated since v1.14; use "kubernetes.io/os" '
        "instead"]
    assert warnings_on_update("apps", "Deployment", {**new, "metadata": {"generation": 1}}, old) == []
    assert warnings_on_update("", "ReplicationController", new, old) == [
        "spec.template.spec.volumes[0].gitRepo: deprecated in v1.11"]
    assert warnings_on_update("", "Pod", {"metadata": {}, "spec": new_template["spec"]}, {"metadata": {}}) == []


def test_a_pod_create_answers_with_its_warnings(chain):
    """Through the handler chain: a dry-run create of a pod with a deprecated node selector is
    stored (201) and answers with the warning."""
    body = {"metadata": {"name": "warned"}, "spec": {"containers": [CONTAINER],
                                                     "nodeSelector": {"beta.kubernetes.io/arch": "amd64"}}}
    response = chain.handle(Request("POST", ns_path(chain, "pods"), {"dryRun": ["All"]},
                                    {"Content-Type": "application/json"}, json.dumps(body).encode()))
    assert (response.code, response.warnings) == (201, [
        'spec.nodeSelector[beta.kubernetes.io/arch]: deprecated since v1.14; use "kubernetes.io/arch" instead'])


def test_a_deployment_update_answers_with_its_templates_warnings(chain):
    """Through the handler chain: a patch of the template (a new generation) warns, a patch of the
    labels alone does not."""
    template = {"metadata": {"labels": {"app": "w"}}, "spec": {"containers": [CONTAINER]}}
    body = {"metadata": {"name": "warned"}, "spec": {"selector": {"matchLabels": {"app": "w"}}, "template": template}}
    path = ns_path(chain, "deployments", group="apps/v1")
    assert chain.handle(Request("POST", path, {}, {"Content-Type": "application/json"},
                                json.dumps(body).encode())).code == 201

    def patched(patch: dict):
        response = chain.handle(Request("PATCH", path + "/warned", {}, {
            "Content-Type": "application/merge-patch+json"}, json.dumps(patch).encode()))
        return response.code, response.warnings
    assert patched({"spec": {"template": {"spec": {"nodeSelector": {"beta.kubernetes.io/os": "linux"}}}}}) == (200, [
        'spec.template.spec.nodeSelector[beta.kubernetes.io/os]: deprecated since v1.14; use "kubernetes.io/os" '
        "instead"])
    assert patched({"metadata": {"labels": {"a": "b"}}}) == (200, [])
    # A Scale is written through the Deployment's own strategy: a new generation, so its warnings.
    response = chain.handle(Request("PATCH", path + "/warned/scale", {}, {
        "Content-Type": "application/merge-patch+json"}, b'{"spec":{"replicas":3}}'))
    assert (response.code, response.warnings) == (200, [
        'spec.template.spec.nodeSelector[beta.kubernetes.io/os]: deprecated since v1.14; use "kubernetes.io/os" '
        "instead"])
