"""machinery.pollfd: a descriptor shared by threads is closed once, by its last user."""
from __future__ import annotations

import errno
import os

import pytest

from reference_impl.machinery.pollfd import FD


def is_open(number: int) -> bool:
    try:
        os.fstat(number)
    except OSError as err:
        assert err.errno == errno.EBADF
        return False
    return True


def test_a_close_while_the_fd_is_in_use_waits_for_that_use_to_end():
    """fdMutex: Close during a Read marks the FD closing; the number is released by the Read."""
    read_end, write_end = os.pipe()
    fd = FD(write_end)
    with fd.use() as number:
        fd.close()
        assert fd.closed and is_open(number)
        assert os.write(number, b"x") == 1
    assert not is_open(write_end)
    os.close(read_end)


def test_a_use_after_close_fails_and_a_second_close_closes_nothing():
    """After Close every call is "use of closed file"; a second Close does not close the number
    again, which by then may be another file's."""
    read_end, write_end = os.pipe()
    fd = FD(write_end)
    fd.close()
    other = os.dup(read_end)  # the lowest free number: the one just closed
    try:
        with pytest.raises(OSError) as closed:
            with fd.use():
                pass
        assert closed.value.errno == errno.EBADF
        fd.close()
        assert is_open(other)
    finally:
        os.close(other)
        os.close(read_end)
