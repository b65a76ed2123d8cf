"""Build constraints and file-name suffixes, decided as go/build decides them; one rule per test."""
from __future__ import annotations

import pytest

from analyzer.buildtags import (
    DEFAULT, BuildContext, file_constraint, filename_constraint, matches, satisfied_tags)
from analyzer.errors import UsageError
from analyzer.parse import parse_source

LINUX_AMD64 = BuildContext("linux", "amd64")
LINUX_ARM64 = BuildContext("linux", "arm64")
LINUX_386 = BuildContext("linux", "386")
WINDOWS = BuildContext("windows", "amd64")
DARWIN = BuildContext("darwin", "arm64")


def stored_constraint(header: str) -> str | None:
    """The constraint as the parser stores it for a file that opens with `header`."""
    return parse_source(f"{header}\n\npackage p\n".encode()).build_constraint


def test_default_context_is_linux_amd64_cgo_go1_24():
    assert DEFAULT == BuildContext("linux", "amd64", frozenset(), "1.24", True)


def test_no_constraint_matches():
    assert matches("pkg/a.go", None)


@pytest.mark.parametrize("ctx, expected", [
    (LINUX_AMD64, True), (LINUX_ARM64, True), (LINUX_386, False), (WINDOWS, False)])
def test_go_build_and_of_parenthesised_or(ctx, expected):
    assert matches("a.go", "linux && (amd64 || arm64)", ctx) is expected


def test_negation():
    assert matches("a.go", "!windows", LINUX_AMD64)
    assert not matches("a.go", "!windows", WINDOWS)
    assert matches("a.go", "!(windows || darwin)", LINUX_AMD64)


def test_plus_build_spaces_or_and_commas_and():
    """In one +build line, `linux,386 darwin,!cgo` is (linux AND 386) OR (darwin AND NOT cgo)."""
    constraint = stored_constraint("// +build linux,386 darwin,!cgo")
    assert constraint == "(linux,386 darwin,!cgo)"
    assert matches("a.go", constraint, LINUX_386)
    assert not matches("a.go", constraint, LINUX_AMD64)
    assert not matches("a.go", constraint, DARWIN)
    assert matches("a.go", constraint, BuildContext("darwin", "arm64", cgo=False))


def test_plus_build_lines_are_anded():
    """Several +build lines must all be satisfied."""
    constraint = stored_constraint("// +build linux darwin\n// +build amd64")
    assert constraint == "(linux darwin) && amd64"
    assert matches("a.go", constraint, LINUX_AMD64)
    assert matches("a.go", constraint, BuildContext("darwin", "amd64"))
    assert not matches("a.go", constraint, LINUX_ARM64)
    assert not matches("a.go", constraint, WINDOWS)


def test_plus_build_single_line_with_comma_only():
    constraint = stored_constraint("// +build linux,!arm64")
    assert matches("a.go", constraint, LINUX_AMD64)
    assert not matches("a.go", constraint, LINUX_ARM64)


def test_unix_tag_is_satisfied_by_unix_like_goos():
    assert matches("a.go", "unix", LINUX_AMD64)
    assert matches("a.go", "unix", DARWIN)
    assert matches("a.go", "unix", BuildContext("freebsd", "amd64"))
    assert not matches("a.go", "unix", WINDOWS)
    assert not matches("a.go", "unix", BuildContext("plan9", "amd64"))
    assert not matches("a.go", "unix", BuildContext("js", "wasm"))


def test_unix_is_not_a_file_name_suffix():
    assert filename_constraint("exec_unix.go") == (None, None)
    assert matches("exec_unix.go", None, WINDOWS)


@pytest.mark.parametrize("version, tag, expected", [
    ("1.24", "go1.18", True), ("1.24", "go1.24", True), ("1.24", "go1.25", False),
    ("1.17", "go1.18", False), ("1.24", "go1.1", True), ("go1.21.3", "go1.21", True)])
def test_release_tags_up_to_go_version(version, tag, expected):
    assert matches("a.go", tag, BuildContext(go_version=version)) is expected


def test_ignore_tag_is_never_satisfied_unless_asked_for():
    assert not matches("tools.go", "ignore")
    assert not matches("gen.go", stored_constraint("// +build ignore"))
    assert matches("tools.go", "ignore", BuildContext(tags=frozenset({"ignore"})))


def test_custom_tags_and_their_negation():
    assert not matches("a.go", "providerless")
    assert matches("a.go", "!providerless")
    assert matches("a.go", "providerless", BuildContext(tags=frozenset({"providerless"})))


def test_cgo_and_compiler_tags():
    assert matches("a.go", "cgo && gc")
    assert not matches("a.go", "cgo", BuildContext(cgo=False))
    assert not matches("a.go", "gccgo")


@pytest.mark.parametrize("goos, implied", [
    ("android", "linux"), ("ios", "darwin"), ("illumos", "solaris")])
def test_goos_variants_satisfy_their_parent_os(goos, implied):
    ctx = BuildContext(goos, "arm64")
    assert matches("a.go", implied, ctx)
    assert matches(f"a_{implied}.go", None, ctx)
    assert not matches("a.go", goos, BuildContext(implied, "arm64"))


@pytest.mark.parametrize("path, expected", [
    ("foo_linux.go", ("linux", None)),
    ("foo_windows_amd64.go", ("windows", "amd64")),
    ("foo_arm64.go", (None, "arm64")),
    ("foo_linux_test.go", ("linux", None)),
    ("foo_windows_amd64_test.go", ("windows", "amd64")),
    ("foo_test.go", (None, None)),
    ("linux.go", (None, None)),
    ("linux_amd64.go", (None, "amd64")),
    ("foo_amd64_linux.go", ("linux", None)),
    ("foo_bar.go", (None, None)),
    ("pkg/kubelet/cm/container_manager_linux.go", ("linux", None)),
    ("zz_generated.deepcopy.go", (None, None)),
])
def test_filename_constraint(path, expected):
    assert filename_constraint(path) == expected


@pytest.mark.parametrize("path, ctx, expected", [
    ("foo_linux.go", LINUX_AMD64, True),
    ("foo_linux.go", WINDOWS, False),
    ("foo_windows_amd64.go", WINDOWS, True),
    ("foo_windows_amd64.go", BuildContext("windows", "arm64"), False),
    ("foo_windows_amd64.go", LINUX_AMD64, False),
    ("foo_test.go", WINDOWS, True),
    ("foo_linux_test.go", WINDOWS, False),
    ("linux.go", WINDOWS, True),
])
def test_filename_suffixes_decide_membership(path, ctx, expected):
    assert matches(path, None, ctx) is expected


def test_filename_and_constraint_must_both_hold():
    assert not matches("foo_linux.go", "!linux", LINUX_AMD64)
    assert not matches("foo_windows.go", "amd64", LINUX_AMD64)


def test_files_starting_with_underscore_or_dot_are_ignored():
    assert not matches("pkg/_old.go", None)
    assert not matches("pkg/.hidden.go", None)


@pytest.mark.parametrize("constraint", [
    "linux &&", "(linux", "linux)", "linux | amd64", "&& linux", "", "linux && $x", "!"])
def test_malformed_constraint_matches_so_no_file_is_lost(constraint):
    assert matches("a.go", constraint, WINDOWS)


def test_tags_with_dots_and_underscores():
    ctx = BuildContext(tags=frozenset({"goexperiment.rangefunc", "my_tag"}))
    assert matches("a.go", "goexperiment.rangefunc && my_tag", ctx)
    assert not matches("a.go", "goexperiment.rangefunc")


def test_satisfied_tags_lists_goos_goarch_unix_cgo_gc_and_releases():
    tags = satisfied_tags(BuildContext("linux", "arm64", frozenset({"x"}), "1.3"))
    assert tags == {"linux", "arm64", "unix", "cgo", "gc", "x", "go1.1", "go1.2", "go1.3"}


def test_bad_go_version_is_a_usage_error():
    with pytest.raises(UsageError):
        BuildContext(go_version="latest")


@pytest.mark.parametrize("flag", ["a,b", "a b", "'a' b", " a  b ", "a,,b,"])
def test_tags_are_read_as_go_build_reads_them(flag):
    """`--tags 'a b'`, which `go build -tags` still takes (Go 1.12 and earlier wrote tags so),
    was refused as the one tag 'a b'. (`go list -tags 'a b'`, `-tags "'a' b"` and `-tags a,b`
    all select a file built `a && b`, checked with go 1.19.)"""
    from analyzer.buildtags import command_build

    assert command_build(tags=flag).tags == frozenset({"a", "b"})


@pytest.mark.parametrize("path, constraint, expected", [
    ("pkg/x_linux_amd64.go", "linux && amd64", "linux && amd64"),
    ("pkg/x_linux_amd64.go", "(linux && amd64) && cgo", "linux && amd64 && cgo"),
    ("pkg/x_linux.go", "linux,cgo", "linux && cgo"),
    ("pkg/cm_linux.go", "linux", "linux"),
    ("pkg/cm_windows.go", None, "windows"),
    ("pkg/x_windows.go", "a || b", "windows && (a || b)"),
    ("pkg/x.go", "(a,b c) && d", "((a && b) || c) && d"),
    ("pkg/x.go", "!(a || b)", "!(a || b)"),
    ("pkg/_x.go", None, "ignored"),
    ("pkg/.x_linux.go", "linux", "ignored"),
    ("pkg/x.go", None, None),
])
def test_file_constraint_says_each_requirement_once_in_go_build_syntax(path, constraint, expected):
    """The [build: …] mark of a call site's file: the name's GOOS/GOARCH and the stored line
    joined, a name part the line already requires said once, `+build` lines written as
    `//go:build` writes them (go/build/constraint's Expr.String), and a file go/build never
    reads said to be ignored."""
    assert file_constraint(path, constraint) == expected
