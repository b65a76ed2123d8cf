"""A request's Content-Type read as the real kube-apiserver 1.24 reads it: mime.ParseMediaType for a
body the serializers decode, go-restful's exact match and PatchResource's cut at ';' for a patch.
Each expectation was seen on the real server."""
from __future__ import annotations

import pytest

from reference_impl.apiserver.core.mediatype import MediaTypeError, parse_media_type, route_consumes
from tests.reference.apiserver.test_handlers import call, chain, etcd, registry  # noqa: F401 (fixtures)

PATCH_TYPES = ("application/json-patch+json", "application/merge-patch+json",
               "application/strategic-merge-patch+json", "application/apply-patch+yaml")
CONFIG_MAPS = "/api/v1/namespaces/default/configmaps"


@pytest.mark.parametrize("header,parsed", [
    ("application/json", ("application/json", {})),
    (" APPLICATION/JSON ; Charset=UTF-8", ("application/json", {"charset": "UTF-8"})),
    ("application/json;", ("application/json", {})),
    ('application/json; a="q\\"d"', ("application/json", {"a": 'q"d'})),
    ("application/*", ("application/*", {})),
    ("text", ("text", {})),
])
def test_parse_media_type_lowers_the_type_and_keeps_parameter_values(header, parsed):
    assert parse_media_type(header) == parsed


@pytest.mark.parametrize("header", ["application/json;;", "application/json; charset=", "application/json; a",
                                    "application/json; a=1; a=2", "application/", "/json", "application/json x",
                                    "application/json, application/yaml", 'application/json; a="open'])
def test_parse_media_type_refuses_empty_doubled_and_unterminated_parameters(header):
    with pytest.raises(MediaTypeError):
        parse_media_type(header)


@pytest.mark.parametrize("header,consumed", [
    ("application/merge-patch+json", True), ("application/merge-patch+json ; charset=utf-8", True),
    ("text/plain, application/merge-patch+json", True), ("Application/Merge-Patch+JSON", False),
    ("application/merge-patch+json\t", False), ("", False)])
def test_a_patch_route_consumes_a_type_of_the_list_as_written(header, consumed):
    assert route_consumes(header, PATCH_TYPES) is consumed


@pytest.mark.parametrize("content_type", ["application/json;;", "application/json; charset="])
def test_a_body_whose_content_type_mime_refuses_is_a_415(chain, content_type):  # noqa: F811
    code, status = call(chain, "POST", CONFIG_MAPS, b'{"metadata":{"name":"m"}}', content_type=content_type,
                        query={"dryRun": "All"})
    assert (code, status["reason"]) == (415, "UnsupportedMediaType")
    assert status["message"].startswith("the body of the request was in an unknown format - accepted media types "
                                        "include: application/json, application/yaml")


def test_a_patch_type_in_another_case_is_refused_by_the_route(chain):  # noqa: F811
    code, status = call(chain, "PATCH", CONFIG_MAPS + "/absent", b"{}",
                        content_type="Application/Merge-Patch+JSON")
    assert (code, status["message"]) == (415, "415: Unsupported Media Type")


def test_a_list_of_patch_types_passes_the_route_but_is_no_patch_type(chain):  # noqa: F811
    code, status = call(chain, "PATCH", CONFIG_MAPS + "/absent", b"{}",
                        content_type="application/merge-patch+json, application/json-patch+json")
    assert code == 415
    assert status["message"] == ("the body of the request was in an unknown format - accepted media types include: "
                                 + ", ".join(PATCH_TYPES))
