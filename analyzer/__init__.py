"""kubeatlas analyzer: sources → modules → parse → store → resolve → query → site."""
from __future__ import annotations

import sys

# A Ctrl-C while Python loads the `kubeatlas` command (finds and reads analyzer/cli.py, after
# this package) would end in a traceback before cli.py's own guard begins: in the command, and
# only there, an interrupt is held from here until cli.py lets it go (`let_interrupts_go`).
_interrupted = False


def _started_as_the_command(argv: list[str]) -> bool:
    """Whether the interpreter's command line (`sys.orig_argv`) runs the `kubeatlas` script or
    `-m analyzer.cli`: imported by anything else, the package leaves signals alone."""
    words = iter(argv[1:])
    for word in words:
        if word == "-m":
            return next(words, None) == "analyzer.cli"
        if word in ("-X", "-W"):  # an option with its own value
            next(words, None)
        elif not word.startswith("-"):
            return word.rsplit("/", 1)[-1] == "kubeatlas"
        elif word == "-c":
            return False
    return False


def _hold(signum, frame) -> None:
    global _interrupted
    _interrupted = True


def let_interrupts_go() -> None:
    """Give SIGINT back to Python's handler; raise the KeyboardInterrupt of a Ctrl-C held since
    the package was imported, if there was one."""
    if _signal.getsignal(_signal.SIGINT) is _hold:
        _signal.signal(_signal.SIGINT, _signal.default_int_handler)
    if _interrupted:
        raise KeyboardInterrupt


# The built-in half of `signal`: that module builds its enums as it is imported, itself a few
# milliseconds in which a Ctrl-C would not be held yet.
import _signal  # noqa: E402

if _started_as_the_command(getattr(sys, "orig_argv", [])):
    # Not where SIGINT was ignored when Python started (a background job): it stays ignored.
    if _signal.getsignal(_signal.SIGINT) is _signal.default_int_handler:
        _signal.signal(_signal.SIGINT, _hold)
