"""A request body read as Go 1.19's net/http reads it: chunk sizes, the trailer, what a handler
left unread."""
from __future__ import annotations

import io

from reference_impl.machinery.httpbody import RequestBody, chunk_size


def test_an_empty_chunk_size_line_is_the_last_chunk():
    """parseHexUint of no digits is 0: real etcd read `...\\r\\n\\r\\n\\r\\n` as the body's end and
    answered the request pipelined after it (the reference refused the body and closed)."""
    assert chunk_size(b"\r\n") == chunk_size(b";ext\r\n") == 0
    rfile = io.BufferedReader(io.BytesIO(b'2\r\n{}\r\n\r\n\r\nGET /version'))
    body = RequestBody(rfile, None)
    assert body.read() == b"{}" and body.done
    assert rfile.read() == b"GET /version"
