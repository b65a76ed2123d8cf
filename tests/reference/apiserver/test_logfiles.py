"""The `/logs` route: the host's log directory served as Go's http.ServeFile serves it behind
go-restful's GET-only route, each rule checked against a directory the test makes (the real 1.24
answered the same requests side by side on /var/log)."""
from __future__ import annotations

import os
import re

import pytest

from reference_impl.apiserver.adapter import logfiles
from reference_impl.apiserver.adapter.server import APIServer
from reference_impl.apiserver.core.errors import StatusError
from reference_impl.apiserver.core.handlers import Request
from reference_impl.machinery import gofileserver
from tests.reference.machinery.test_httpheaders import exchange

MTIME = 1_700_000_000  # Tue, 14 Nov 2023 22:13:20 GMT
LAST_MODIFIED = ("Last-Modified", "Tue, 14 Nov 2023 22:13:20 GMT")


@pytest.fixture
def log_dir(tmp_path):
    (tmp_path / "apt").mkdir()
    (tmp_path / "a b&c.log").write_text("x")
    (tmp_path / "with:colon").write_bytes(b"")
    (tmp_path / "notes").write_text("0123456789")
    (tmp_path / "data.json").write_text("{}")
    (tmp_path / "blob").write_bytes(b"\x00\x01\x02")
    for entry in tmp_path.iterdir():
        os.utime(entry, (MTIME, MTIME))
    os.utime(tmp_path, (MTIME, MTIME))
    return str(tmp_path)


def get(log_dir, target, method="GET", **headers):
    path, _, _ = target.partition("?")
    return logfiles.serve(Request(method, path, headers=headers, request_uri=target), log_dir)


def test_a_directory_lists_its_entries_sorted_with_links_escaped(log_dir):
    """dirList: names by byte order, a directory's with a slash, hrefs escaped as a URL path
    (and `./` before a name with a colon), the text HTML-escaped."""
    response = get(log_dir, "/logs/")
    assert (response.code, response.content_type) == (200, "text/html; charset=utf-8")
    assert response.body.decode() == (
        '<pre>\n<a href="a%20b&c.log">a b&amp;c.log</a>\n<a href="apt/">apt/</a>\n<a href="blob">blob</a>\n'
        '<a href="data.json">data.json</a>\n<a href="notes">notes</a>\n<a href="./with:colon">with:colon</a>\n</pre>\n')
    assert response.headers == (LAST_MODIFIED,)


@pytest.mark.parametrize("target, location", [("/logs", "logs/"), ("/logs/apt?x=1", "apt/?x=1"),
                                              ("/logs/apt/index.html", "./")])
def test_a_directory_without_its_slash_and_an_index_page_are_redirected(log_dir, target, location):
    response = get(log_dir, target)
    assert (response.code, response.body, response.content_type) == (301, b"", "")
    assert response.headers == (("Location", location),)


@pytest.mark.parametrize("target, code, text", [
    ("/logs/../etc/passwd", 400, "invalid URL path"), ("/logs/apt/../", 400, "invalid URL path"),
    ("/logs/apt\\..\\x", 400, "invalid URL path"),
    ("/logs/absent", 404, "404 page not found"), ("/logs/notes/x", 404, "404 page not found"),
    ("/logs/a\x00b", 500, "500 Internal Server Error")])
def test_what_serve_file_refuses_is_plain_text(log_dir, target, code, text):
    response = get(log_dir, target)
    assert (response.code, response.body, response.content_type) == (code, f"{text}\n".encode(),
                                                                      "text/plain; charset=utf-8")
    assert ("X-Content-Type-Options", "nosniff") in response.headers


@pytest.mark.parametrize("name, content_type", [
    ("data.json", "application/json"), ("notes", "text/plain; charset=utf-8"), ("blob", "application/octet-stream")])
def test_a_file_is_typed_by_its_extension_else_sniffed(log_dir, name, content_type):
    response = get(log_dir, f"/logs/{name}")
    assert (response.code, response.content_type) == (200, content_type)
    assert response.headers == (LAST_MODIFIED, ("Accept-Ranges", "bytes"))


def test_a_trailing_slash_after_a_file_still_serves_it(log_dir):
    """path.Join drops the slash; ServeFile redirects only directories."""
    assert get(log_dir, "/logs/notes/").body == b"0123456789"


@pytest.mark.parametrize("header, code, body, extra", [
    ("bytes=0-3", 206, b"0123", ("Content-Range", "bytes 0-3/10")),
    ("bytes=-2", 206, b"89", ("Content-Range", "bytes 8-9/10")),
    ("bytes=7-", 206, b"789", ("Content-Range", "bytes 7-9/10")),
    ("bytes=5-100", 206, b"56789", ("Content-Range", "bytes 5-9/10")),
    ("bytes=0-9,0-9", 200, b"0123456789", None),  # more than the file: the ranges are ignored
])
def test_one_byte_range_is_a_partial_answer(log_dir, header, code, body, extra):
    response = get(log_dir, "/logs/notes", Range=header)
    assert (response.code, response.body) == (code, body)
    assert extra is None or extra in response.headers


def test_several_ranges_are_a_multipart_answer(log_dir):
    response = get(log_dir, "/logs/notes", Range="bytes=0-1,3-4")
    boundary = re.fullmatch(r"multipart/byteranges; boundary=([0-9a-f]{60})", response.content_type).group(1)
    assert response.code == 206
    assert response.body.decode() == (
        f"--{boundary}\r\nContent-Range: bytes 0-1/10\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n01"
        f"\r\n--{boundary}\r\nContent-Range: bytes 3-4/10\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n34"
        f"\r\n--{boundary}--\r\n")


@pytest.mark.parametrize("header, text, content_range", [
    ("bytes=50-", "invalid range: failed to overlap", "bytes */10"), ("bytes=3-1", "invalid range", None),
    ("items=0-1", "invalid range", None), ("bytes=--1", "invalid range", None),
    ("bytes=0-" + "9" * 5000, "invalid range", None)])  # past int64 (and int()'s digit limit)
def test_an_unsatisfiable_range_is_416(log_dir, header, text, content_range):
    response = get(log_dir, "/logs/notes", Range=header)
    assert (response.code, response.body) == (416, f"{text}\n".encode())
    assert (("Content-Range", content_range) in response.headers) == (content_range is not None)


@pytest.mark.parametrize("headers, code", [
    ({"If-Modified-Since": "Tue, 14 Nov 2023 22:13:20 GMT"}, 304),
    ({"If-Modified-Since": "Tue, 14 Nov 2023 22:13:19 GMT"}, 200),
    ({"If-Modified-Since": "yesterday"}, 200),
    ({"If-None-Match": "*"}, 304), ({"If-None-Match": '"abc"'}, 200),
    ({"If-Match": '"abc"'}, 412), ({"If-Match": '"abc", *'}, 200),
    ({"If-Unmodified-Since": "Mon, 13 Nov 2023 00:00:00 GMT"}, 412),
])
def test_conditional_requests_are_judged_by_the_modification_time_alone(log_dir, headers, code):
    """No file has an ETag: only `*` matches one; a 304 keeps Last-Modified and has no type."""
    response = get(log_dir, "/logs/notes", **headers)
    assert response.code == code
    if code == 304:
        assert (response.body, response.content_type, response.headers) == (b"", "", (LAST_MODIFIED,))


def test_a_range_is_honoured_only_for_the_date_if_range_names(log_dir):
    assert get(log_dir, "/logs/notes", Range="bytes=0-0", **{"If-Range": LAST_MODIFIED[1]}).code == 206
    assert get(log_dir, "/logs/notes", Range="bytes=0-0", **{"If-Range": '"etag"'}).code == 200


@pytest.mark.parametrize("method, accept, code", [("POST", "*/*", 405), ("HEAD", "*/*", 405),
                                                  ("GET", "text/plain", 406), ("GET", "application/json", 406)])
def test_the_route_takes_only_get_and_an_accept_with_any_type(log_dir, method, accept, code):
    """go-restful: the routes name no Produces, so only */* (or no Accept) finds them."""
    with pytest.raises(StatusError) as err:
        get(log_dir, "/logs/", method, Accept=accept)
    assert err.value.code == code


def test_the_host_mime_tables_are_read_as_go_reads_them():
    """globs2 is in weight order: an extension keeps its first type, Go's own table wins, a
    text type gets charset=utf-8, a glob that is no bare extension is skipped."""
    exact, lower = dict(gofileserver.BUILTIN_TYPES), dict(gofileserver.BUILTIN_TYPES)
    gofileserver.load_globs("# comment\n50:text/x-log:*.log\n40:application/x-other:*.log\n50:text/plain:*.json\n"
                        "50:image/x-a:*.[ab]\n50:application/x-xz:*.XZ\n", exact, lower)
    assert exact[".log"] == "text/x-log; charset=utf-8" and exact[".json"] == "application/json"
    assert ".[ab]" not in exact and lower[".xz"] == "application/x-xz" and ".xz" not in exact


@pytest.fixture
def server(log_dir):
    server = APIServer(None)
    server._httpd.chain.log_dir = log_dir
    server.start()
    yield server
    server.stop()


def test_the_server_writes_a_redirect_without_a_type_and_a_304_without_a_length(server):
    redirect = exchange(server, b"GET /logs HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert redirect.startswith(b"HTTP/1.1 301 ") and b"\r\nLocation: logs/\r\n" in redirect
    assert b"Content-Type" not in redirect and b"\r\nContent-Length: 0\r\n" in redirect
    not_modified = exchange(server, b"GET /logs/notes HTTP/1.1\r\nHost: x\r\nIf-None-Match: *\r\n"
                                    b"Connection: close\r\n\r\n")
    assert not_modified.startswith(b"HTTP/1.1 304 ") and b"Content-Length" not in not_modified
    assert b"\r\nLast-Modified: Tue, 14 Nov 2023 22:13:20 GMT\r\n" in not_modified
