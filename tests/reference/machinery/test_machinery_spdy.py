"""SPDY/3.1 framing: the header dictionary both ends must share, header blocks through one
compression context per direction, frames cut anywhere by the network."""
from __future__ import annotations

import zlib

from reference_impl.machinery import spdy


def test_the_header_dictionary_is_spdy3s_byte_for_byte():
    """A zlib stream names its dictionary by Adler-32; Go's spdy package and every peer use SPDY/3's
    (1423 bytes, Adler-32 0xe3c6a7c2), and any other one fails the peer's first header block."""
    assert len(spdy.HEADER_DICTIONARY) == 1423
    assert zlib.adler32(spdy.HEADER_DICTIONARY) == 0xE3C6A7C2


def test_a_syn_stream_reads_back_with_lower_case_names():
    writer, reader = spdy.FrameWriter(), spdy.FrameReader()
    frame = writer.syn_stream(1, {"streamType": "error", "port": "80", "requestID": "0"}, fin=True)
    assert reader.feed(frame) == [spdy.SynStream(1, {"streamtype": "error", "port": "80", "requestid": "0"}, True)]


def test_header_blocks_share_one_compression_context_per_direction():
    """The second block is compressed against the first: a reader that started afresh could not
    read it, the connection's own reader can."""
    writer, reader = spdy.FrameWriter(), spdy.FrameReader()
    first = writer.syn_stream(1, {"streamtype": "error", "port": "8080"})
    second = writer.syn_stream(3, {"streamtype": "data", "port": "8080"})
    assert reader.feed(first + second)[1].headers == {"streamtype": "data", "port": "8080"}


def test_frames_cut_anywhere_come_out_whole_and_in_order():
    writer = spdy.FrameWriter()
    wire = (writer.syn_reply(1, {}) + writer.data(3, b"hello") + writer.data(3, b"", fin=True)
            + writer.rst_stream(5) + writer.ping(7) + writer.go_away(5))
    reader = spdy.FrameReader()
    frames = [frame for i in range(0, len(wire), 3) for frame in reader.feed(wire[i:i + 3])]
    assert frames == [spdy.SynReply(1, {}), spdy.Data(3, b"hello"), spdy.Data(3, b"", True),
                      spdy.RstStream(5, spdy.CANCEL), spdy.Ping(7), spdy.GoAway(5)]


def test_settings_and_window_updates_are_read_and_dropped():
    """spdystream does no flow control; a peer's SETTINGS or WINDOW_UPDATE changes nothing."""
    settings = spdy._control(spdy.SETTINGS, 0, b"\0\0\0\0")
    window = spdy._control(spdy.WINDOW_UPDATE, 0, b"\0\0\0\1\0\0\1\0")
    assert spdy.FrameReader().feed(settings + window + spdy.FrameWriter.ping(1)) == [spdy.Ping(1)]
