"""resourceVersionMatch on lists: Exact reads the objects as they were at that revision (410 once
compacted), NotOlderThan the current state (504 for a revision etcd has not reached), and the
combinations upstream forbids are 422 Invalid ListOptions. Sans-IO through the handler chain."""
from __future__ import annotations

import pytest

from reference_impl.apiserver.storage import cacher as cacher_module
from tests.reference.apiserver.test_handlers import call, chain, etcd, ns_path, registry  # noqa: F401


@pytest.fixture
def short_fresh_timeout(monkeypatch):
    """A revision etcd has not reached is waited for FRESH_TIMEOUT, 3 s, before the 504: the tests
    that expect that 504 wait a tenth of it."""
    monkeypatch.setattr(cacher_module, "FRESH_TIMEOUT", 0.3)


def write_twice(chain):
    path = ns_path(chain, "configmaps")
    _, first = call(chain, "POST", path, {"metadata": {"name": "c"}, "data": {"v": "1"}})
    _, second = call(chain, "PUT", ns_path(chain, "configmaps", "c"), {"metadata": {"name": "c"}, "data": {"v": "2"}})
    return path, first["metadata"]["resourceVersion"], second["metadata"]["resourceVersion"]


def test_exact_lists_the_objects_at_that_revision(chain):
    path, first, _ = write_twice(chain)
    code, listed = call(chain, "GET", path, query={"resourceVersion": first, "resourceVersionMatch": "Exact"})
    assert code == 200 and listed["metadata"]["resourceVersion"] == first
    assert [item["data"]["v"] for item in listed["items"]] == ["1"]


def test_not_older_than_lists_the_current_state(chain):
    path, first, second = write_twice(chain)
    code, listed = call(chain, "GET", path, query={"resourceVersion": first, "resourceVersionMatch": "NotOlderThan"})
    assert code == 200 and [item["data"]["v"] for item in listed["items"]] == ["2"]
    assert int(listed["metadata"]["resourceVersion"]) >= int(second)


def test_exact_at_a_compacted_revision_is_410(chain, etcd):
    path, first, second = write_twice(chain)
    etcd.compact(int(second))
    code, status = call(chain, "GET", path, query={"resourceVersion": first, "resourceVersionMatch": "Exact"})
    assert (code, status["reason"], status["message"]) == (
        410, "Expired", "The resourceVersion for the provided list is too old.")


def test_a_continue_after_compaction_answers_with_a_token_for_the_rest(chain, etcd):
    """The 410 for a compacted continue token carries, in the Status's metadata, a token that
    lists the remaining objects at the latest revision."""
    path = ns_path(chain, "configmaps")
    for name in ("a", "b"):
        call(chain, "POST", path, {"metadata": {"name": name}})
    _, first = call(chain, "GET", path, query={"limit": "1"})
    _, created = call(chain, "POST", path, {"metadata": {"name": "c"}})
    etcd.compact(int(created["metadata"]["resourceVersion"]))
    code, status = call(chain, "GET", path, query={"limit": "1", "continue": first["metadata"]["continue"]})
    assert (code, status["reason"]) == (410, "Expired") and status["metadata"]["continue"]
    code, rest = call(chain, "GET", path, query={"continue": status["metadata"]["continue"]})
    assert code == 200 and [item["metadata"]["name"] for item in rest["items"]] == ["b", "c"]


def test_not_older_than_a_future_revision_is_504(chain, short_fresh_timeout):
    code, status = call(chain, "GET", ns_path(chain, "configmaps"),
                        query={"resourceVersion": "99999999", "resourceVersionMatch": "NotOlderThan"})
    assert (code, status["reason"]) == (504, "Timeout")


@pytest.mark.parametrize("query,words", [
    ({"resourceVersionMatch": "Exact"}, "forbidden unless resourceVersion is provided"),
    ({"resourceVersionMatch": "Exact", "resourceVersion": "0"}, 'resourceVersionMatch "exact" is forbidden'),
    ({"resourceVersionMatch": "Sometimes", "resourceVersion": "1"}, 'Unsupported value: "Sometimes"'),
    ({"resourceVersionMatch": "Exact", "resourceVersion": "1", "watch": "1"}, "forbidden for watch"),
])
def test_forbidden_combinations_are_422(chain, query, words):
    code, status = call(chain, "GET", ns_path(chain, "configmaps"), query=query)
    assert (code, status["reason"]) == (422, "Invalid")
    assert status["message"].startswith('ListOptions.meta.k8s.io "" is invalid: ') and words in status["message"]


def test_a_watch_by_its_path_prefix_may_name_a_resource_version_match(chain):
    """ValidateListOptions forbids resourceVersionMatch for a watch asked with ?watch= only: the
    /watch/ prefix makes the request a watch after the options were validated."""
    path = ns_path(chain, "configmaps").replace("/api/v1/", "/api/v1/watch/", 1)
    code, response = call(chain, "GET", path, query={"resourceVersion": "1", "resourceVersionMatch": "NotOlderThan",
                                                     "timeoutSeconds": "1"})
    response.stop()
    assert code == 200
    code, status = call(chain, "GET", path, query={"resourceVersion": "0", "resourceVersionMatch": "Exact"})
    assert (code, status["message"]) == (422, 'ListOptions.meta.k8s.io "" is invalid: resourceVersionMatch: '
                                              'Forbidden: resourceVersionMatch "exact" is forbidden for resourceVersion "0"')


@pytest.mark.parametrize("watch", [{"watch": "true"}, {}])
def test_a_watch_limit_is_an_int64_decoded_before_the_options_are_validated(chain, watch):
    """DecodeParameters reads every ListOptions parameter, limit too, before a watch starts (which
    then ignores the limit), and reads timeoutSeconds before limit."""
    path = ns_path(chain, "configmaps")
    if not watch:
        path = path.replace("/api/v1/", "/api/v1/watch/", 1)
    code, status = call(chain, "GET", path, query={**watch, "limit": "x", "resourceVersionMatch": "Bogus"})
    assert (code, status["message"]) == (400, 'strconv.ParseInt: parsing "x": invalid syntax')
    code, status = call(chain, "GET", path, query={**watch, "limit": "x", "timeoutSeconds": "y"})
    assert (code, status["message"]) == (400, 'strconv.ParseInt: parsing "y": invalid syntax')
    code, status = call(chain, "GET", ns_path(chain, "configmaps"), query={"limit": "x", "timeoutSeconds": "y"})
    assert (code, status["message"]) == (400, 'strconv.ParseInt: parsing "y": invalid syntax')


@pytest.mark.parametrize("name", ["", "c"])
@pytest.mark.parametrize(("version", "why"), [
    ("abc", 'parsing "abc": invalid syntax'), ("-1", 'parsing "-1": invalid syntax'),
    ("+1", 'parsing "+1": invalid syntax'), ("1_0", 'parsing "1_0": invalid syntax'),
    ("18446744073709551616", 'parsing "18446744073709551616": value out of range'),
])
def test_a_resource_version_that_is_no_uint64_is_400_in_the_cachers_words(chain, name, version, why):
    """APIObjectVersioner.ParseResourceVersion refuses what strconv.ParseUint does, on a list and on a
    get. The real server answers its InvalidError as a 500; a client's mistake stays a 400 here."""
    path = ns_path(chain, "configmaps", name) if name else ns_path(chain, "configmaps")
    if name:
        call(chain, "POST", ns_path(chain, "configmaps"), {"metadata": {"name": name}})
    code, status = call(chain, "GET", path, query={"resourceVersion": version})
    assert (code, status["reason"]) == (400, "BadRequest")
    assert status["message"] == f'resourceVersion: Invalid value: "{version}": strconv.ParseUint: {why}'


@pytest.mark.parametrize(("resource", "name", "query"), [
    ("events", "", {}), ("events", "e", {}), ("configmaps", "", {"limit": "5"}),
])
def test_a_resource_version_that_is_no_uint64_read_from_etcd_is_invalid_resource_version(chain, resource, name,
                                                                                         query):
    """A read the watch cache does not answer (Events have none; a paged list is delegated) goes to
    etcd3's store, whose GetList and Get wrap ParseResourceVersion's error: "invalid resource
    version: …", a 400 on the real server too."""
    path = ns_path(chain, resource, name) if name else ns_path(chain, resource)
    code, status = call(chain, "GET", path, query={"resourceVersion": "abc", **query})
    assert (code, status["reason"]) == (400, "BadRequest")
    assert status["message"] == ('invalid resource version: resourceVersion: Invalid value: "abc": '
                                 'strconv.ParseUint: parsing "abc": invalid syntax')


def test_a_list_at_a_future_resource_version_is_a_timeout(chain, short_fresh_timeout):
    """storage.NewTooLargeResourceVersionError: errors.NewTimeoutError's "Timeout: " message, with
    the ResourceVersionTooLarge cause clients retry on."""
    code, status = call(chain, "GET", ns_path(chain, "configmaps"), query={"resourceVersion": "99999999"})
    assert (code, status["reason"]) == (504, "Timeout")
    assert status["message"].startswith("Timeout: Too large resource version: 99999999, current: ")
    assert status["details"]["causes"] == [{"reason": "ResourceVersionTooLarge",
                                            "message": "Too large resource version"}]


def test_a_get_at_a_future_resource_version_is_a_timeout(chain, short_fresh_timeout):
    """A get's resourceVersion is the least revision its answer may be at: one etcd has not
    reached is the same 504 as a list's."""
    path = ns_path(chain, "configmaps")
    call(chain, "POST", path, {"metadata": {"name": "c"}})
    code, status = call(chain, "GET", ns_path(chain, "configmaps", "c"), query={"resourceVersion": "99999999"})
    assert (code, status["reason"]) == (504, "Timeout")
    assert status["message"].startswith("Timeout: Too large resource version: 99999999, current: ")


def test_a_get_at_a_reached_resource_version_reads_the_object(chain):
    path, first, second = write_twice(chain)
    for version in ("0", first, second):
        code, got = call(chain, "GET", ns_path(chain, "configmaps", "c"), query={"resourceVersion": version})
        assert code == 200 and got["data"]["v"] == "2"


@pytest.mark.parametrize("query", [{"resourceVersionMatch": "Exact"}, {"limit": "1"}])
def test_a_read_at_exactly_a_future_revision_is_etcds_500(chain, query):
    """Exact, or a legacy resourceVersion with a limit, reads etcd at exactly that revision (never
    the watch cache); etcd's ErrFutureRev is no API error and reaches the client as a 500 of
    unknown reason in etcd's words, not the cache's 504."""
    code, status = call(chain, "GET", ns_path(chain, "configmaps"), query={"resourceVersion": "99999999", **query})
    assert code == 500 and "reason" not in status
    assert status["message"] == "etcdserver: mvcc: required revision is a future revision"
