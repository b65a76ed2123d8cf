"""A container's probes, lifecycle hooks, pull policy and termination message policy through the
handler chain, with the causes the real kube-apiserver 1.24 gives for the same pod. One rule per
test, named in its docstring."""
from __future__ import annotations

import pytest

from reference_impl.apiserver.adapter.server import HandlerChain
from reference_impl.apiserver.core.admission import new_admission_chain
from reference_impl.apiserver.core.registry import Registry
from reference_impl.machinery.clock import ManualClock
from tests.reference.apiserver.test_env_validation import causes, create
from tests.reference.apiserver.test_handlers import NOW, call, etcd, ns_path  # noqa: F401 (etcd: a fixture)

C = "spec.containers[0]"
PORT_NAME_MSGS = ("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
                  "must contain at least one letter or number (a-z, 0-9)")


@pytest.fixture(scope="module")
def chain(etcd):
    registry = Registry(etcd, ManualClock(NOW))
    chain = HandlerChain(registry, admission=new_admission_chain(registry), now=lambda: NOW + 90)
    chain.namespace = "handlervalidation"
    call(chain, "POST", "/api/v1/namespaces", {"metadata": {"name": chain.namespace}})
    yield chain
    registry.close()


def test_pull_and_termination_message_policies_are_known_values(chain):
    """validatePullPolicy (NotSupported) and the terminationMessagePolicy switch (Invalid), in
    validateContainers' order: the message policy first."""
    assert causes(chain, imagePullPolicy="Bogus", terminationMessagePolicy="Bogus") == [
        f"{C}.terminationMessagePolicy: Invalid value: \"Bogus\": must be 'File' or 'FallbackToLogsOnError'",
        f'{C}.imagePullPolicy: Unsupported value: "Bogus": supported values: "Always", "IfNotPresent", "Never"']


def test_a_lifecycle_hook_needs_exactly_one_well_formed_handler(chain):
    """validateLifecycle and validateHandler: none is required, a second is forbidden, and the
    first one's own fields are checked."""
    assert causes(chain, lifecycle={"postStart": {}}) == [
        f"{C}.lifecycle.postStart: Required value: must specify a handler type"]
    assert causes(chain, lifecycle={"preStop": {"exec": {}}}) == [f"{C}.lifecycle.preStop.exec.command: Required value"]
    assert causes(chain, lifecycle={"preStop": {"exec": {"command": ["a"]}, "httpGet": {"port": 80}}}) == [
        f"{C}.lifecycle.preStop.httpGet: Forbidden: may not specify more than 1 handler type"]


def test_http_get_and_tcp_socket_ports_schemes_and_header_names(chain):
    """validateHTTPGetAction and ValidatePortNumOrName: a port number in range or an IANA name, HTTP
    or HTTPS, header names of letters, digits and dashes."""
    assert causes(chain, lifecycle={"preStop": {"httpGet": {"port": 0}}}) == [
        f"{C}.lifecycle.preStop.httpGet.port: Invalid value: 0: must be between 1 and 65535, inclusive"]
    assert causes(chain, lifecycle={"preStop": {"tcpSocket": {"port": "UPPER"}}}) == [
        f'{C}.lifecycle.preStop.tcpSocket.port: Invalid value: "UPPER": {message}' for message in PORT_NAME_MSGS]
    assert causes(chain, lifecycle={"preStop": {"httpGet": {"port": 80, "scheme": "FTP"}}}) == [
        f'{C}.lifecycle.preStop.httpGet.scheme: Unsupported value: "FTP": supported values: "HTTP", "HTTPS"']
    assert causes(chain, lifecycle={"preStop": {"httpGet": {"port": 80, "httpHeaders": [{"name": "bad name"}]}}}) == [
        f'{C}.lifecycle.preStop.httpGet.httpHeaders: Invalid value: "bad name": a valid HTTP header must consist '
        "of alphanumeric characters or '-' (e.g. 'X-Header-Name', regex used for validation is '[-A-Za-z0-9]+')"]


def test_a_startup_probe_is_validated_twice(chain):
    """validateContainers calls validateProbe on the startup probe twice, so the real 1.24 lists its
    errors twice; a liveness probe's once."""
    startup = [f"{C}.startupProbe.exec.command: Required value",
               f"{C}.startupProbe.periodSeconds: Invalid value: -1: must be greater than or equal to 0"]
    assert causes(chain, startupProbe={"exec": {}, "periodSeconds": -1}, livenessProbe={"httpGet": {"port": 0}}) == [
        f"{C}.livenessProbe.httpGet.port: Invalid value: 0: must be between 1 and 65535, inclusive",
        *startup, *startup]


def test_http_get_is_defaulted_and_a_probe_grace_period_dropped(chain):
    """SetDefaults_HTTPGetAction gives path / and scheme HTTP; ProbeTerminationGracePeriod is off in
    1.24, so a liveness probe's grace period is cleared before validation (even 0 is no error)."""
    code, pod = create(chain, livenessProbe={"exec": {"command": ["a"]}, "terminationGracePeriodSeconds": 0},
                       lifecycle={"preStop": {"httpGet": {"port": 80}}})
    assert code == 201, pod
    container = pod["spec"]["containers"][0]
    assert "terminationGracePeriodSeconds" not in container["livenessProbe"]
    assert container["lifecycle"]["preStop"]["httpGet"] == {"path": "/", "port": 80, "scheme": "HTTP"}


@pytest.mark.parametrize("plural,group,body", [
    ("deployments", "apps", {"apiVersion": "apps/v1", "kind": "Deployment", "spec": {
        "selector": {"matchLabels": {"a": "b"}}, "template": {"metadata": {"labels": {"a": "b"}}, "spec": {}}}}),
    ("podtemplates", "", {"apiVersion": "v1", "kind": "PodTemplate", "template": {"spec": {}}}),
])
def test_a_templates_disabled_probe_grace_period_is_dropped_too(chain, plural, group, body):
    """DropDisabledTemplateFields: the strategies of the workload kinds and PodTemplate clear what a
    pod's would (here a liveness probe's grace period, even 0, which validation would refuse), as
    the real 1.24 stores them."""
    template = body["spec"]["template"] if "spec" in body else body["template"]
    template["spec"] = {"containers": [{"name": "c", "image": "nginx:1.21", "livenessProbe": {
        "exec": {"command": ["a"]}, "terminationGracePeriodSeconds": 0}}]}
    body = {**body, "metadata": {"name": f"tpl-{plural}"}}
    code, created = call(chain, "POST", ns_path(chain, plural, group=f"{group}/v1" if group else ""), body)
    assert code == 201, created
    stored = created["spec"]["template"] if "spec" in created else created["template"]
    assert "terminationGracePeriodSeconds" not in stored["spec"]["containers"][0]["livenessProbe"]
