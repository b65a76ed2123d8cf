"""A CRD schema's `pattern` compiles and matches as Go's regexp (RE2) does. Each expected answer
is what Go 1.19's regexp.Compile and MatchString gave for the same pattern and value."""
from __future__ import annotations

import subprocess
import sys

import pytest

from reference_impl.apiserver.core.goregexp import GoRegexpError, compile_go

MATCHES = [
    ("^a+$", "aa\n", False),  # `$` is the end of the text, not before a final newline
    ("^a+\\z", "aa", True),
    ("^\\d$", "٣", False), ("^\\w$", "é", False), ("^\\s$", "\u00a0", False),  # Perl classes are ASCII
    ("^[[:alpha:]]+$", "abc", True), ("^[[:alpha:]]+$", "é", False),
    ("^\\pL$", "é", True), ("^\\p{Greek}$", "α", True),
    ("^\\12$", "\n", True),  # octal, not a backreference
    ("(?U)^a+", "aa", True), ("(?i)k", "\u212a", True), ("^\\Q.*\\E$", ".*", True),
    ("^[(?<]$", "<", True), ("^[[:alpha:](?<]$", "<", True),  # in a class `(?<` is text
]

REFUSED = [
    ("\\Z", "invalid escape sequence: `\\Z`"),
    ("(?=a)a", "invalid or unsupported Perl syntax: `(?=`"),
    ("(?<=a)b", "invalid or unsupported Perl syntax: `(?<`"),
    ("(?<n>a)", "invalid or unsupported Perl syntax: `(?<`"),
    ("\\C", "invalid escape sequence: `\\C`"),
    ("\\1", "invalid escape sequence: `\\1`"),
    ("ab[a-", "missing closing ]: `[a-`"),
    ("ab(cd", "missing closing ): `ab(cd`"),
    ("ab)", "unexpected ): `ab)`"),
    ("a|*", "missing argument to repetition operator: `*`"),
    ("a**", "invalid nested repetition operator: `**`"),
    ("a{1001}", "invalid repeat count: `{1001}`"),
    ("[z-a]", "invalid character class range: `z-a`"),
    ("\\p{Foo}", "invalid character class range: `\\p{Foo}`"),
    ("a\\", "trailing backslash at end of expression: ``"),
    ("(?P<>a)", "invalid named capture: `(?P<>`"),
]


@pytest.mark.parametrize("pattern,value,matched", MATCHES)
def test_a_value_matches_as_go_matches_it(pattern, value, matched):
    """MatchString's answer, RE2's meaning of each construct."""
    assert bool(compile_go(pattern).search(value)) is matched


@pytest.mark.parametrize("pattern,error", REFUSED)
def test_go_refuses_the_pattern_in_its_words(pattern, error):
    """regexp.Compile's *syntax.Error: `error parsing regexp: <code>: `<expr>``."""
    with pytest.raises(GoRegexpError) as refused:
        compile_go(pattern)
    assert str(refused.value) == f"error parsing regexp: {error}"


def test_a_quoted_literal_is_no_syntax():
    """Inside `\\Q...\\E` a `\\C` or `(?<` is text Go takes."""
    assert compile_go("^\\Q\\C(?<\\E$").search("\\C(?<")


def test_a_value_cannot_make_a_pattern_backtrack():
    """RE2 matches in linear time: `(a+)+$` against 40 a's and a `!` answers at once, where a
    backtracking engine takes 2^40 steps. Run apart so a regression fails, not hangs."""
    script = ("from reference_impl.apiserver.core.goregexp import compile_go\n"
              "assert not compile_go('^(a+)+$').search('a' * 40 + '!')\n")
    done = subprocess.run([sys.executable, "-c", script], timeout=10, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
