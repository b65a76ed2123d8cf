"""Label and field selectors: one test per parsing or matching rule (no etcd needed)."""
from __future__ import annotations

import pytest

from reference_impl.apiserver import kinds
from reference_impl.apiserver.core.errors import StatusError
from reference_impl.apiserver.core.selectors import (from_label_selector_dict, object_fields,
                                                parse_field_selector, parse_label_selector, to_string)


def matches(selector: str, labels: dict) -> bool:
    return parse_label_selector(selector).matches(labels)


def test_empty_label_selector_matches_everything():
    """An empty selector selects every object, also one without labels."""
    assert matches("", {}) and matches("  ", {"a": "b"})


@pytest.mark.parametrize("selector", ["app=web", "app==web"])
def test_equality_needs_the_label_with_that_value(selector):
    """`=` and `==` mean the same: the label is present with exactly that value."""
    assert matches(selector, {"app": "web"})
    assert not matches(selector, {"app": "db"})
    assert not matches(selector, {})


def test_inequality_also_matches_a_missing_label():
    """`a!=b` holds when the label is absent, like upstream's NotEquals."""
    assert matches("app!=web", {}) and matches("app!=web", {"app": "db"})
    assert not matches("app!=web", {"app": "web"})


def test_set_based_in_and_notin():
    """`in` needs one of the values; `notin` holds for other values and for absence."""
    assert matches("tier in (a, b)", {"tier": "b"})
    assert not matches("tier in (a,b)", {})
    assert matches("tier notin (a,b)", {}) and not matches("tier notin (a,b)", {"tier": "a"})


def test_exists_and_does_not_exist():
    """A bare key needs the label; `!key` needs its absence."""
    assert matches("app", {"app": ""}) and not matches("app", {})
    assert matches("!app", {}) and not matches("!app", {"app": "x"})


def test_comma_is_and():
    """Requirements separated by commas must all hold; commas inside `( )` separate values."""
    assert matches("a=1,b in (2,3),!c", {"a": "1", "b": "3"})
    assert not matches("a=1,b in (2,3),!c", {"a": "1", "b": "3", "c": "x"})


def test_greater_and_less_than_compare_integers():
    assert matches("n>3", {"n": "4"}) and not matches("n<3", {"n": "4"})


@pytest.mark.parametrize("bad", ["a=b=c=d!", "x in a", "=v", "a b"])
def test_malformed_label_selector_is_400(bad):
    """A selector that does not parse is a 400 BadRequest, not a crash."""
    with pytest.raises(StatusError) as raised:
        parse_label_selector(bad)
    assert raised.value.code == 400 and raised.value.reason == "BadRequest"


def test_unclosed_value_set_is_400_in_upstreams_words():
    """`a in (` is refused with labels.Parse's message as the 400's text."""
    with pytest.raises(StatusError) as raised:
        parse_label_selector("a in (")
    assert raised.value.code == 400
    assert raised.value.message == "unable to parse requirement: found '', expected: ',', ')' or identifier"


def test_invalid_label_value_is_refused():
    with pytest.raises(StatusError) as raised:
        parse_label_selector("app=-bad-")
    assert "a valid label must be an empty string" in raised.value.message


def test_label_selector_dict_and_its_string_form():
    """A metav1.LabelSelector converts to requirements and back to the query form Scale shows."""
    selector = from_label_selector_dict({"matchLabels": {"app": "web"}, "matchExpressions": [
        {"key": "tier", "operator": "In", "values": ["b", "a"]}, {"key": "x", "operator": "DoesNotExist"}]})
    assert selector.matches({"app": "web", "tier": "a"})
    assert to_string(selector) == "app=web,tier in (a,b),!x"


def test_field_selector_equality_and_inequality():
    selector = parse_field_selector("metadata.name=p1,status.phase!=Failed")
    assert selector.matches({"metadata.name": "p1", "status.phase": "Running"})
    assert not selector.matches({"metadata.name": "p1", "status.phase": "Failed"})


def test_field_selector_empty_value_matches_an_absent_field():
    """`spec.nodeName=` selects unscheduled pods: absent fields read as ""."""
    assert parse_field_selector("spec.nodeName=").matches({})


def test_field_selector_escapes():
    """A backslash escapes `,` and `=` inside a value."""
    selector = parse_field_selector(r"metadata.name=a\,b\=c")
    assert selector.requirements[0].value == "a,b=c"


def test_unsupported_field_is_400_with_upstreams_message():
    with pytest.raises(StatusError) as raised:
        parse_field_selector("spec.foo=bar", kinds.find("", "v1", "pods").field_label_conversion)
    assert raised.value.code == 400
    assert raised.value.message == "field label not supported: spec.foo"


NOT_KNOWN = '{} is not a known field selector: only "metadata.name", "metadata.namespace"'


@pytest.mark.parametrize(("group", "plural", "selector", "message"), [
    ("apps", "deployments", "x=y", NOT_KNOWN.format('"x"')),
    ("apps", "deployments", "status.phase==Running", NOT_KNOWN.format('"status.phase"')),
    ("apps", "replicasets", "status.replicas=1", NOT_KNOWN.format('"status.replicas"')),
    ("", "configmaps", 'a"b=1', NOT_KNOWN.format('"a\\"b"')),
    ("batch", "jobs", "spec.nodeName=a", 'field label "spec.nodeName" not supported for Job'),
    ("", "namespaces", "metadata.namespace!=x", "field label not supported: metadata.namespace"),
    ("", "nodes", "metadata.namespace=x", "field label not supported: metadata.namespace"),
    ("certificates.k8s.io", "certificatesigningrequests", "metadata.namespace=x",
     "field label not supported: metadata.namespace"),
    ("events.k8s.io", "events", "involvedObject.name=x", "field label not supported: involvedObject.name"),
])
def test_a_label_the_kinds_field_label_conversion_refuses_is_400_in_its_words(group, plural, selector, message):
    """ListResource runs each field through the conversion func the kind's version registers,
    runtime.DefaultMetaV1FieldSelectorConversion for a kind that registers none."""
    resource = kinds.find(group, "v1", plural)
    with pytest.raises(StatusError) as raised:
        parse_field_selector(selector, resource.field_label_conversion)
    assert (raised.value.code, raised.value.message) == (400, message)


@pytest.mark.parametrize(("group", "plural", "selector", "selected"), [
    ("", "pods", "spec.host=n1", ("spec.nodeName", "n1")),
    ("", "pods", "status.podIPs=", ("status.podIPs", "")),
    ("", "persistentvolumes", "metadata.namespace=", ("metadata.namespace", "")),
    ("events.k8s.io", "events", "regarding.name=p", ("involvedObject.name", "p")),
    ("events.k8s.io", "events", "reportingController=c", ("reportingComponent", "c")),
])
def test_a_field_label_selects_the_field_its_conversion_names(group, plural, selector, selected):
    """A conversion accepts some labels the kind's fields do not spell that way: spec.host is an
    old client's spec.nodeName, events.k8s.io names the core/v1 Event's fields anew."""
    requirement, = parse_field_selector(selector, kinds.find(group, "v1", plural).field_label_conversion).requirements
    assert (requirement.field, requirement.value) == selected


def test_a_term_without_field_and_value_never_reaches_the_conversion():
    """`metadata.name=a,=` is dropped while parsing, so no conversion refuses its empty label."""
    selector = parse_field_selector("metadata.name=a,=", kinds.find("", "v1", "pods").field_label_conversion)
    assert [r.field for r in selector.requirements] == ["metadata.name"]


def test_field_selector_without_operator_is_400():
    with pytest.raises(StatusError) as raised:
        parse_field_selector("metadata.name")
    assert raised.value.code == 400


@pytest.mark.parametrize(("text", "code"), [("metadata.name=a=b", 61), ("metadata.name==a=b", 61),
                                           ("metadata.name=a!=b", 61)])
def test_field_selector_value_with_an_unescaped_equals_sign_is_400(text, code):
    """fields.UnescapeValue: an unescaped `=` or `,` in a value is refused, the rune shown as its
    code point; the term splits at its first operator, so `a=b!=c` has the value `b!=c`."""
    with pytest.raises(StatusError) as raised:
        parse_field_selector(text)
    assert (raised.value.code, raised.value.message) == (
        400, f"invalid field selector: unescaped character in value: {code}")


@pytest.mark.parametrize("text", ["metadata.name=a,=", "=,metadata.name=a", "metadata.name=a,,", "metadata.name=a,!="])
def test_field_selector_term_without_field_and_value_is_dropped(text):
    """A term that is only an operator, or empty, selects everything (hasTerm.Transform drops a
    requirement whose field and value are both empty)."""
    assert [(r.field, r.operator, r.value) for r in parse_field_selector(text).requirements] == [
        ("metadata.name", "=", "a")]


def test_field_selector_terms_are_checked_in_sorted_order():
    """parseSelector sorts the terms first: the first bad term in that order is the one reported."""
    with pytest.raises(StatusError) as raised:
        parse_field_selector("b,a=x=y")
    assert raised.value.message == "invalid field selector: unescaped character in value: 61"


def test_field_selector_field_keeps_its_spaces():
    """splitTerm does not trim: ` metadata.name` is another field than `metadata.name`, and a
    selector of spaces is a term without an operator."""
    assert parse_field_selector(" metadata.name=a").requirements[0].field == " metadata.name"
    with pytest.raises(StatusError) as raised:
        parse_field_selector(" ")
    assert raised.value.message == "invalid selector: ' '; can't understand ' '"


def test_field_selector_ending_in_a_backslash_is_400():
    with pytest.raises(StatusError) as raised:
        parse_field_selector("metadata.name=a\\")
    assert raised.value.message == "invalid field selector: invalid escape sequence: \\"


def test_object_fields_reads_dotted_paths_as_strings():
    """GetAttrs: nested values as strings, booleans as true/false, missing as ""."""
    obj = {"metadata": {"name": "n"}, "spec": {"unschedulable": True}}
    assert object_fields(obj, ("metadata.name", "spec.unschedulable", "status.phase")) == {
        "metadata.name": "n", "spec.unschedulable": "true", "status.phase": ""}


def test_a_predicate_reads_only_the_fields_its_selector_names(monkeypatch):
    """A watch's predicate runs on every event twice (the object and its previous state): it reads
    the fields its selector names, not every selectable field of the kind, and a named field the
    kind cannot select still reads as empty."""
    from reference_impl.apiserver.storage import predicate as predicate_module
    read: list[tuple[str, ...]] = []
    fields_of = predicate_module.object_fields
    monkeypatch.setattr(predicate_module, "object_fields", lambda obj, paths: read.append(paths) or fields_of(obj, paths))
    pods = kinds.find("", "v1", "pods")
    pod = {"metadata": {"name": "p", "namespace": "ns"}, "spec": {"nodeName": "n1"}, "status": {"phase": "Running"}}
    running = predicate_module.SelectionPredicate(
        parse_label_selector(""), parse_field_selector("status.phase!=Succeeded,spec.nodeName=n1"),
        pods.field_selectors)
    assert running(pod) and not running({**pod, "status": {"phase": "Succeeded"}})
    assert read and all(sorted(paths) == ["spec.nodeName", "status.phase"] for paths in read)
    unselectable = predicate_module.SelectionPredicate(parse_label_selector(""), parse_field_selector("spec.hostname="),
                                                       pods.field_selectors)
    assert unselectable({**pod, "spec": {"hostname": "h"}})
