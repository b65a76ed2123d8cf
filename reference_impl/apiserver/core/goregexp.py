"""Go's regexp (RE2 syntax) as far as a CRD schema's `pattern` needs it: which patterns
regexp.Compile refuses, in its error's words, and a Python pattern matching as the Go one does.

RE2 has no lookaround, atomic groups or backreferences, which Python's `re` takes; Python has no
`\\z`, which RE2 writes for the end of text. A pattern Go takes that `re` cannot compile (`\\p{L}`
classes) has no Python equivalent here: `compile_go` answers None and the caller skips the rule.
"""
from __future__ import annotations

import functools
import re

from reference_impl.mirrors import mirrors

# Perl group syntax RE2 refuses; regexp/syntax reports the text up to the first flag it does not know.
_PERL_GROUPS = re.compile(r"\(\?(?:<[=!]|[=!>#]|P=)")
_BACKREFERENCE = re.compile(r"\\[1-9]")


class GoRegexpError(ValueError):
    """regexp.Compile's error: its code and the expression it names, written as *syntax.Error writes them."""

    def __init__(self, code: str, expr: str) -> None:
        super().__init__(f"error parsing regexp: {code}: `{expr}`")


def _unescaped(pattern: str, found: re.Match) -> bool:
    backslashes = len(pattern[:found.start()]) - len(pattern[:found.start()].rstrip("\\"))
    return backslashes % 2 == 0


def _perl_syntax_error(pattern: str) -> GoRegexpError | None:
    for found in _PERL_GROUPS.finditer(pattern):
        if _unescaped(pattern, found):
            return GoRegexpError("invalid or unsupported Perl syntax", found.group()[:3])
    for found in _BACKREFERENCE.finditer(pattern):
        if _unescaped(pattern, found):
            return GoRegexpError("invalid escape sequence", found.group())
    return None


def _go_error(pattern: str, err: re.error) -> GoRegexpError | None:
    """The error Go reports for a pattern `re` refused with `err`; None when Go takes the pattern."""
    message, position = err.msg, err.pos or 0
    if message.startswith("unterminated character set"):
        return GoRegexpError("missing closing ]", pattern[position:])
    if message.startswith("missing ), unterminated subpattern"):
        return GoRegexpError("missing closing )", pattern)
    if message.startswith("unbalanced parenthesis"):
        return GoRegexpError("unexpected )", pattern)
    if message.startswith("nothing to repeat"):
        return GoRegexpError("missing argument to repetition operator", pattern[position:position + 1])
    if message.startswith("multiple repeat"):
        return GoRegexpError("invalid nested repetition operator", pattern[position - 1:position + 1])
    if message.startswith("bad escape"):
        escape = pattern[position:position + 2]
        return None if escape in ("\\p", "\\P") else GoRegexpError("invalid escape sequence", escape)
    return GoRegexpError(message, pattern)


@functools.lru_cache(maxsize=256)
@mirrors("regexp.Compile")
def compile_go(pattern: str) -> re.Pattern | None:
    """`pattern` compiled as Python matching it as Go would, None if Go takes it but Python cannot;
    raises GoRegexpError where regexp.Compile fails."""
    refused = _perl_syntax_error(pattern)
    if refused:
        raise refused
    try:
        return re.compile(re.sub(r"(?<!\\)((?:\\\\)*)\\z", r"\1\\Z", pattern))
    except re.error as err:
        refused = _go_error(pattern, err)
        if refused:
            raise refused from None
        return None
