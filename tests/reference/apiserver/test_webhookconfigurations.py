"""ValidatingWebhookConfigurations and MutatingWebhookConfigurations (admissionregistration.k8s.io/v1)
through the handler chain on the reference etcd: upstream's defaults, the validation rules of
pkg/apis/admissionregistration/validation in upstream's words (each checked against the real 1.24
kube-apiserver), the generation the strategy keeps, and the WEBHOOKS column. One rule per test."""
from __future__ import annotations

import pytest

from reference_impl.apiserver.core.registry import Registry
from reference_impl.apiserver.kinds import admissionregistration
from reference_impl.apiserver.adapter.server import HandlerChain
from reference_impl.machinery.clock import ManualClock
from tests.reference.apiserver.test_handlers import NOW, TABLE, call, etcd  # noqa: F401 (etcd: a fixture)

GROUP = "/apis/admissionregistration.k8s.io/v1"
KINDS = [("ValidatingWebhookConfiguration", "validatingwebhookconfigurations"),
         ("MutatingWebhookConfiguration", "mutatingwebhookconfigurations")]


@pytest.fixture(scope="module")
def chain(etcd):
    registry = Registry(etcd, ManualClock(NOW))
    yield HandlerChain(registry, now=lambda: NOW + 90)
    registry.close()


def hook(**fields) -> dict:
    """A valid webhook with `fields` set; a field given as None is left out."""
    webhook = {"name": "pods.example.com", "clientConfig": {"url": "https://example.com/check"},
               "sideEffects": "None", "admissionReviewVersions": ["v1"],
               "rules": [{"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods"]}]}
    webhook.update(fields)
    return {key: value for key, value in webhook.items() if value is not None}


def create(chain, kind: str, plural: str, name: str, *webhooks: dict, dry_run: bool = False) -> tuple[int, dict]:
    return call(chain, "POST", f"{GROUP}/{plural}", {"apiVersion": "admissionregistration.k8s.io/v1", "kind": kind,
                                                     "metadata": {"name": name}, "webhooks": list(webhooks)},
                query={"dryRun": "All"} if dry_run else None)


def invalid(chain, *webhooks: dict, kind: str = "ValidatingWebhookConfiguration") -> str:
    plural = dict(KINDS)[kind]
    code, status = create(chain, kind, plural, "bad", *webhooks, dry_run=True)
    assert code == 422, status
    prefix = f'{kind}.admissionregistration.k8s.io "bad" is invalid: '
    assert status["message"].startswith(prefix)
    return status["message"].removeprefix(prefix)


@pytest.mark.parametrize("kind,plural", KINDS)
def test_webhooks_are_defaulted_as_upstream_defaults_them(chain, kind, plural):
    """SetDefaults_*Webhook: failurePolicy Fail, matchPolicy Equivalent, empty selectors, ten
    seconds; a mutating webhook is not reinvoked; a service's port is 443; a rule's scope is *."""
    code, created = create(chain, kind, plural, "defaults",
                           hook(), hook(name="svc.example.com", clientConfig={"service": {"namespace": "a", "name": "b"}}),
                           dry_run=True)
    assert code == 201, created
    first, second = created["webhooks"]
    expected = {"failurePolicy": "Fail", "matchPolicy": "Equivalent", "namespaceSelector": {}, "objectSelector": {},
                "timeoutSeconds": 10}
    if kind == "MutatingWebhookConfiguration":
        expected["reinvocationPolicy"] = "Never"
    assert {key: first[key] for key in expected} == expected
    assert "reinvocationPolicy" not in first or kind == "MutatingWebhookConfiguration"
    assert first["rules"][0]["scope"] == "*"
    assert second["clientConfig"]["service"] == {"namespace": "a", "name": "b", "port": 443}


def test_side_effects_and_review_versions_are_required_in_v1(chain):
    """v1 has no default for sideEffects or admissionReviewVersions: both are required."""
    assert invalid(chain, hook(sideEffects=None, admissionReviewVersions=None)) == (
        "[webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun, "
        "webhooks[0].admissionReviewVersions: Required value: must specify one of v1, v1beta1]")


def test_a_new_webhook_may_not_have_side_effects(chain):
    """Some and Unknown are kept for configurations stored before v1; a new one must say None or NoneOnDryRun."""
    assert invalid(chain, hook(sideEffects="Some")) == (
        'webhooks[0].sideEffects: Unsupported value: "Some": supported values: "None", "NoneOnDryRun"')


def test_webhook_names_are_fully_qualified_and_unique(chain):
    assert invalid(chain, hook(name="short"), hook(name="a.b.c"), hook(name="a.b.c")) == (
        '[webhooks[0].name: Invalid value: "short": should be a domain with at least three segments separated by '
        'dots, webhooks[2].name: Duplicate value: "a.b.c"]')


def test_client_config_is_exactly_one_of_url_and_service(chain):
    assert invalid(chain, hook(clientConfig={})) == (
        "webhooks[0].clientConfig: Required value: exactly one of url or service is required")


def test_a_url_is_https_without_user_query_or_fragment(chain):
    """ValidateWebhookURL: one error for each thing wrong with the URL."""
    form = "; desired format: https://host[/path]"
    assert invalid(chain, hook(clientConfig={"url": "http://u:p@h/p?q=1#f"})) == (
        f"[webhooks[0].clientConfig.url: Invalid value: \"http\": 'https' is the only allowed URL scheme{form}, "
        'webhooks[0].clientConfig.url: Invalid value: "u:p": user information is not permitted in the URL, '
        'webhooks[0].clientConfig.url: Invalid value: "f": fragments are not permitted in the URL, '
        'webhooks[0].clientConfig.url: Invalid value: "q=1": query parameters are not permitted in the URL]')


def test_a_service_needs_a_name_namespace_port_and_a_path_of_subdomains(chain):
    assert invalid(chain, hook(clientConfig={"service": {"port": 70000, "path": "/ok/Bad"}})) == (
        "[webhooks[0].clientConfig.service.name: Required value: service name is required, "
        "webhooks[0].clientConfig.service.namespace: Required value: service namespace is required, "
        "webhooks[0].clientConfig.service.port: Invalid value: 70000: port is not valid: must be between 1 and "
        "65535, inclusive, "
        'webhooks[0].clientConfig.service.path: Invalid value: "/ok/Bad": segment[1]: a lowercase RFC 1123 '
        "subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an "
        "alphanumeric character (e.g. 'example.com', regex used for validation is "
        r"'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')]")


def test_rules_name_known_operations_and_no_wildcard_beside_others(chain):
    rule = {"operations": ["*", "FOO"], "apiGroups": ["*", "apps"], "apiVersions": ["v1"],
            "resources": ["*/*", "pods"], "scope": "Everywhere"}
    assert invalid(chain, hook(rules=[rule])) == (
        '[webhooks[0].rules[0].operations: Invalid value: []admissionregistration.OperationType{"*", "FOO"}: '
        "if '*' is present, must not specify other operations, "
        'webhooks[0].rules[0].operations[1]: Unsupported value: "FOO": supported values: "*", "CONNECT", "CREATE", '
        '"DELETE", "UPDATE", '
        'webhooks[0].rules[0].apiGroups: Invalid value: []string{"*", "apps"}: if \'*\' is present, must not '
        "specify other API groups, "
        'webhooks[0].rules[0].resources: Invalid value: []string{"*/*", "pods"}: if \'*/*\' is present, must not '
        "specify other resources, "
        'webhooks[0].rules[0].scope: Unsupported value: "Everywhere": supported values: "*", "Cluster", '
        '"Namespaced"]')


def test_a_subresource_wildcard_covers_its_resources_subresources(chain):
    rule = {"operations": ["CREATE"], "apiGroups": [""], "apiVersions": ["v1"], "resources": ["pods/*", "pods/status"]}
    assert invalid(chain, hook(rules=[rule])) == (
        "webhooks[0].rules[0].resources[1]: Invalid value: \"pods/status\": if 'pods/*' is present, must not "
        "specify pods/status")


def test_the_timeout_is_one_to_thirty_seconds(chain):
    assert invalid(chain, hook(timeoutSeconds=31)) == (
        "webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds")


def test_a_mutating_webhooks_reinvocation_policy_is_never_or_if_needed(chain):
    assert invalid(chain, hook(reinvocationPolicy="Often"), kind="MutatingWebhookConfiguration") == (
        'webhooks[0].reinvocationPolicy: Unsupported value: "Often": supported values: "IfNeeded", "Never"')


def test_an_update_keeps_the_rules_the_stored_configuration_broke(chain):
    """ValidateValidatingWebhookConfigurationUpdate: a stored webhook with side effects (written
    before v1 required none) may keep them; one stored without may not gain them."""
    legacy = {"kind": "ValidatingWebhookConfiguration", "webhooks": [hook(sideEffects="Unknown")]}
    assert admissionregistration.validate_webhook_configuration_update(legacy, legacy, mutating=False) == []
    code, created = create(chain, *KINDS[0], "strict", hook())
    assert code == 201, created
    code, refused = call(chain, "PUT", f"{GROUP}/validatingwebhookconfigurations/strict",
                         {**created, "webhooks": [hook(sideEffects="Some")]})
    assert (code, refused["message"].split(": ", 1)[1]) == (
        422, 'webhooks[0].sideEffects: Unsupported value: "Some": supported values: "None", "NoneOnDryRun"')


def test_a_change_of_webhooks_is_a_new_generation(chain):
    """The strategy starts a configuration at generation 1 and counts every change of its webhooks,
    not of its labels."""
    kind, plural = KINDS[1]
    code, created = create(chain, kind, plural, "generations", hook())
    assert (code, created["metadata"]["generation"]) == (201, 1)
    code, relabelled = call(chain, "PUT", f"{GROUP}/{plural}/generations",
                            {**created, "metadata": {**created["metadata"], "labels": {"a": "b"}}})
    assert (code, relabelled["metadata"]["generation"]) == (200, 1)
    code, changed = call(chain, "PUT", f"{GROUP}/{plural}/generations", {**relabelled, "webhooks": [hook(timeoutSeconds=5)]})
    assert (code, changed["metadata"]["generation"]) == (200, 2)


def test_tables_count_the_webhooks(chain):
    """printValidatingWebhook: NAME WEBHOOKS AGE, the count an integer."""
    kind, plural = KINDS[0]
    create(chain, kind, plural, "counted", hook(), hook(name="two.example.com"))
    code, table = call(chain, "GET", f"{GROUP}/{plural}/counted", accept=TABLE)
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Webhooks", "Age"]
    assert table["rows"][0]["cells"] == ["counted", 2, "90s"]
