"""Go's regexp as a CRD schema's `pattern` needs it: which patterns regexp.Compile refuses, in its
error's words, and a compiled pattern that matches as the Go one does.

Go's regexp is RE2, so patterns compile with RE2 itself (the google-re2 binding) rather than
Python's `re`: the same syntax (no lookaround or backreferences, `\\z`, `(?U)`, `[[:alpha:]]`),
the same meaning (`$` is the end of the text, `\\d\\w\\s` are ASCII) and matching in linear time,
so a value cannot make a schema like `(a+)+$` backtrack for ever. Where the C++ library and Go
1.19 (what kube-apiserver 1.24 is built with) differ, Go's answer is kept: Go has no `\\C` and no
`(?<name>`, and writes its errors in other words.
"""
from __future__ import annotations

import functools

import re2

from reference_impl.mirrors import mirrors

# RE2's error codes in regexp/syntax's words (re2.cc's CodeText against Go's ErrorCode).
_GO_ERROR_CODES = {
    "missing ]": "missing closing ]",
    "missing )": "missing closing )",
    "trailing \\": "trailing backslash at end of expression",
    "no argument for repetition operator": "missing argument to repetition operator",
    "invalid repetition size": "invalid repeat count",
    "bad repetition operator": "invalid nested repetition operator",
    "invalid perl operator": "invalid or unsupported Perl syntax",
    "invalid named capture group": "invalid named capture",
    "pattern too large - compile failed": "expression too large",
}


class GoRegexpError(ValueError):
    """regexp.Compile's error: its code and the expression it names, written as *syntax.Error writes them."""

    def __init__(self, code: str, expr: str) -> None:
        super().__init__(f"error parsing regexp: {code}: `{expr}`")


def _options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False  # a refused pattern is an answer to the user, not a log line
    return options


def _go_only_refusal(pattern: str) -> GoRegexpError | None:
    """What Go 1.19 refuses and RE2 takes: the one-byte `\\C`, and `(?<` (a named group without
    the P; Go stops there, lookbehind included). Escapes, `\\Q...\\E` and classes are skipped
    over, where a `(?<` is literal text."""
    i, in_class = 0, False
    while i < len(pattern):
        char, following = pattern[i], pattern[i + 1:i + 2]
        if char == "\\" and following == "C":
            return GoRegexpError("invalid escape sequence", "\\C")
        if char == "\\" and following == "Q" and not in_class:
            end = pattern.find("\\E", i + 2)
            i = len(pattern) if end < 0 else end + 2
        elif char == "\\":
            i += 2
        elif in_class:
            in_class, i = _class_step(pattern, i)
        elif char == "[":
            in_class = True
            i += 3 if pattern.startswith("[^]", i) else 2 if pattern.startswith("[]", i) else 1  # a leading ] is text
        elif pattern.startswith("(?<", i):
            return GoRegexpError("invalid or unsupported Perl syntax", "(?<")
        else:
            i += 1
    return None


def _class_step(pattern: str, i: int) -> tuple[bool, int]:
    """One step inside a character class: past a `[:name:]`, out at its `]`, or one character on."""
    if pattern.startswith("[:", i):
        end = pattern.find(":]", i + 2)
        if end >= 0:
            return True, end + 2
    return pattern[i] != "]", i + 1


def _go_error(err: re2.error) -> GoRegexpError:
    """RE2's `code: expr` message as Go's *syntax.Error."""
    message = err.args[0].decode() if isinstance(err.args[0], bytes) else str(err.args[0])
    code, _, expr = message.partition(": ")
    return GoRegexpError(_GO_ERROR_CODES.get(code, code), expr)


@functools.lru_cache(maxsize=256)
@mirrors("regexp.Compile")
def compile_go(pattern: str) -> re2._Regexp:
    """`pattern` compiled with RE2; raises GoRegexpError where regexp.Compile fails."""
    refused = _go_only_refusal(pattern)
    if refused:
        raise refused
    try:
        return re2.compile(pattern, _options())
    except re2.error as err:
        raise _go_error(err) from None
