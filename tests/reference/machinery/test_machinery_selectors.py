"""Label and field selectors below the apiserver: errors are plain SelectorErrors, not HTTP."""
from __future__ import annotations

import pytest

from reference_impl.machinery.fields import parse_field_selector
from reference_impl.machinery.labels import (SelectorError, compile_selector, from_label_selector_dict,
                                             map_selector_matches, parse_label_selector, selector_matches)
from reference_impl.machinery.scheduling import (find_untolerated_taint, node_selector_term_label_matcher,
                                                 node_selector_term_matches)


@pytest.mark.parametrize("bad", ["a=b=c=d!", "x in a", "=v", "a b", "n>x"])
def test_malformed_label_selector_is_a_plain_value_error_carrying_the_text(bad):
    """A label selector that does not parse raises SelectorError (a ValueError, no HTTP status)
    carrying the text it refused and upstream's message."""
    with pytest.raises(SelectorError) as raised:
        parse_label_selector(bad)
    assert isinstance(raised.value, ValueError)
    assert raised.value.selector == bad
    assert not hasattr(raised.value, "code")


LABEL_VALUE_MSG = ("a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', "
                   "and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or "
                   "'12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')")
NAME_PART_MSG = ("name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with "
                 "an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation "
                 "is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')")


@pytest.mark.parametrize(("bad", "message"), [
    ("a in (", "unable to parse requirement: found '', expected: ',', ')' or identifier"),
    ("x in a", "unable to parse requirement: found 'a' expected: '('"),
    ("x in (,a,,)", "unable to parse requirement: found ')', expected: ',', or identifier"),
    ("!!", "unable to parse requirement: found '!', expected: identifier"),
    ("x,", "found '', expected: identifier after ','"),
    ("a,,b", "found ',', expected: identifier after ','"),
    ("=v", "found '=', expected: !, identifier, or 'end of string'"),
    ("a=b=c=d!", "found '=', expected: ',' or 'end of string'"),
    ("!a=b", "found '=', expected: ',' or 'end of string'"),
    ("a b", "unable to parse requirement: found 'b', expected: in, notin, =, ==, !=, gt, lt"),
    ("n>x", "unable to parse requirement: values[0]: Invalid value: \"x\": for 'Gt', 'Lt' operators, "
            "the value must be an integer"),
    ("a=-b", f'unable to parse requirement: values[0][a]: Invalid value: "-b": {LABEL_VALUE_MSG}'),
    ("x in (ok,-b)", f'unable to parse requirement: values[0][x]: Invalid value: "-b": {LABEL_VALUE_MSG}'),
    ("x>a.", "unable to parse requirement: [values[0]: Invalid value: \"a.\": for 'Gt', 'Lt' operators, the "
             f'value must be an integer, values[0][x]: Invalid value: "a.": {LABEL_VALUE_MSG}]'),
    ("-a", f'unable to parse requirement: <nil>: Invalid value: "-a": {NAME_PART_MSG}'),
    ("/a=b", 'unable to parse requirement: <nil>: Invalid value: "/a": prefix part must be non-empty'),
])
def test_malformed_label_selector_says_what_upstreams_parser_says(bad, message):
    """labels.Parse's lexer and parser: syntax errors name the token found and what was expected
    (wrapped in "unable to parse requirement" only inside a requirement), and keys and values
    are refused with IsQualifiedName's and IsValidLabelValue's words under NewRequirement's
    field paths (values sorted, so "-b" sorts before "ok"; the key's path is Go's nil path)."""
    with pytest.raises(SelectorError) as raised:
        parse_label_selector(bad)
    assert str(raised.value) == message


@pytest.mark.parametrize(("text", "requirements"), [
    ("a in(b)", [("a", "in", ("b",))]),
    ("a notin(b,c)", [("a", "notin", ("b", "c"))]),
    ("in in (in,notin)", [("in", "in", ("in", "notin"))]),
    ("x in (foo,,baz)", [("x", "in", ("", "baz", "foo"))]),
    ("z notin (),a==", [("a", "=", ("",)), ("z", "notin", ("",))]),
    ("b!=c,!a", [("a", "!", ()), ("b", "!=", ("c",))]),
])
def test_label_selector_syntax_upstream_accepts(text, requirements):
    """What labels.Parse accepts: no space needed before `(`, `in`/`notin` as keys and values,
    empty values, requirements sorted by key and values sorted."""
    parsed = parse_label_selector(text)
    assert [(r.key, r.operator, r.values) for r in parsed.requirements] == requirements


def test_gt_compares_only_what_parse_int_reads():
    """A label value Go's strconv.ParseInt refuses ("1_0") is no number for `>`."""
    assert not parse_label_selector("n>1").matches({"n": "1_0"})
    assert parse_label_selector("n>1").matches({"n": "10"})


def test_malformed_field_selector_is_a_selector_error():
    """A field selector term without an operator is a SelectorError naming the term."""
    with pytest.raises(SelectorError) as raised:
        parse_field_selector("metadata.name")
    assert raised.value.selector == "metadata.name"
    assert "can't understand 'metadata.name'" in str(raised.value)


def test_transform_raises_what_the_conversion_raises():
    """Selector.Transform hands each field to the conversion and returns its error as it is."""
    def convert(field: str, value: str) -> tuple[str, str]:
        raise ValueError(f"field label not supported: {field}")
    with pytest.raises(ValueError, match="field label not supported: spec.foo"):
        parse_field_selector("spec.foo=bar").transform(convert)


def test_unknown_metav1_selector_operator_is_a_selector_error():
    """A metav1.LabelSelector with an operator upstream does not know is a SelectorError."""
    with pytest.raises(SelectorError, match='"Near" is not a valid pod selector operator'):
        from_label_selector_dict({"matchExpressions": [{"key": "a", "operator": "Near", "values": ["b"]}]})


def test_string_and_json_selectors_agree():
    """The query-string form and the metav1.LabelSelector JSON of one selector select the same labels."""
    json_form = {"matchLabels": {"app": "web"},
                 "matchExpressions": [{"key": "tier", "operator": "In", "values": ["a", "b"]},
                                      {"key": "x", "operator": "DoesNotExist"}]}
    parsed = parse_label_selector("app=web,tier in (a,b),!x")
    compiled = compile_selector(json_form)
    for labels in ({"app": "web", "tier": "a"}, {"app": "web", "tier": "c"}, {"app": "web", "tier": "b", "x": "1"},
                   {"tier": "a"}):
        assert parsed.matches(labels) == selector_matches(json_form, labels) == compiled(labels)


def test_nil_metav1_selector_matches_nothing_and_empty_matches_everything():
    """A missing selector selects no pod, `{}` selects every pod (LabelSelectorAsSelector)."""
    assert not selector_matches(None, {"a": "b"}) and compile_selector(None) is None
    assert selector_matches({}, {}) and selector_matches({}, {"a": "b"})


def test_empty_service_selector_selects_nothing():
    """A Service's map selector that is empty selects no pod (unlike an empty LabelSelector)."""
    assert not map_selector_matches({}, {"a": "b"})
    assert map_selector_matches({"a": "b"}, {"a": "b", "c": "d"})


def test_node_selector_term_compares_gt_as_integers():
    """A NodeSelectorRequirement's Gt compares the label and the value as integers."""
    node = {"metadata": {"name": "n1", "labels": {"cores": "16"}}}
    assert node_selector_term_matches({"matchExpressions": [{"key": "cores", "operator": "Gt", "values": ["8"]}]}, node)
    assert not node_selector_term_matches(
        {"matchExpressions": [{"key": "cores", "operator": "Gt", "values": ["32"]}]}, node)


def test_untolerated_taint_is_the_first_without_a_toleration():
    """FindMatchingUntoleratedTaint: the first NoSchedule/NoExecute taint no toleration covers."""
    taints = [{"key": "a", "effect": "NoSchedule"}, {"key": "b", "value": "1", "effect": "NoExecute"}]
    assert find_untolerated_taint(taints, [{"key": "a", "operator": "Exists"}]) == taints[1]
    assert find_untolerated_taint(taints, [{"operator": "Exists"}]) is None


def test_a_term_compiled_for_labels_answers_as_node_selector_term_matches():
    """node_selector_term_label_matcher(term)(labels) is node_selector_term_matches(term, node) for
    every operator, several requirements, values that are not strings and an empty term; a term
    with matchFields is left to the node-level check."""
    import itertools

    requirements = [
        {"key": "zone", "operator": "In", "values": ["a", "b"]},
        {"key": "zone", "operator": "NotIn", "values": ["a"]},
        {"key": "disk", "operator": "Exists"},
        {"key": "disk", "operator": "DoesNotExist"},
        {"key": "cores", "operator": "Gt", "values": ["4"]},
        {"key": "cores", "operator": "Lt", "values": ["8"]},
        {"key": "zone", "operator": "In", "values": [1, "a"]},
        {"key": "zone", "operator": "In"},
        {"key": "zone", "operator": "Bogus", "values": ["a"]},
    ]
    label_sets = [{}, {"zone": "a"}, {"zone": "b", "disk": "ssd"}, {"zone": "c", "cores": "6"},
                  {"cores": "16", "disk": ""}, {"cores": "x"}]
    terms = [{"matchExpressions": list(pair)} for pair in itertools.combinations(requirements, 2)]
    terms += [{"matchExpressions": [r]} for r in requirements] + [{}, {"matchExpressions": []}]
    checked = 0
    for term in terms:
        matcher = node_selector_term_label_matcher(term)
        for labels in label_sets:
            node = {"metadata": {"name": "n", "labels": labels}}
            assert matcher(labels) == node_selector_term_matches(term, node), (term, labels)
            checked += 1
    assert checked > 200
    assert node_selector_term_label_matcher({"matchFields": [
        {"key": "metadata.name", "operator": "In", "values": ["n"]}]}) is None


def test_a_trailing_newline_is_no_part_of_a_valid_key_value_or_subdomain():
    """Go's regexp `$` is the end of the text, so "b\\n" is no label value, key or subdomain
    (Python's `$` also matches before a final newline)."""
    from reference_impl.machinery.labels import DNS_SUBDOMAIN, label_key_problem, label_value_problem

    assert label_value_problem("b\n") and label_key_problem("b\n") and not DNS_SUBDOMAIN.match("b\n")
    assert not parse_label_selector("n>1").matches({"n": "5\n"})
