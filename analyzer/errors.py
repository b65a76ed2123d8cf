"""The analyzer's one error root.

Every error a user can cause (a wrong ref, a path that is not a repository, an index that does not
exist) is an `AnalyzerError` subclass that carries its data and formats its own one-line message;
the CLI prints that line and exits non-zero, with no traceback.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def one_line(text: str) -> str:
    """`text` with each control character written as its escape (a line break pasted into
    --home, a path given by `$(...)`): an error or warning stays one line, and its reader sees
    what the path holds."""
    return CONTROL.sub(lambda character: repr(character[0])[1:-1], text)


class AnalyzerError(Exception):
    """Root of every error the analyzer reports to a user."""

    exit_code = 1


class SourceError(AnalyzerError):
    """A repository could not be fetched or read (bad URL, unknown ref, not a git repository)."""

    def __init__(self, name: str, source: str, reason: str):
        self.name, self.source, self.reason = name, source, reason
        super().__init__(f"{name}: {source}: {reason}")


class GitNotFound(AnalyzerError):
    """No git executable: GitPython will not even load without one."""

    def __init__(self):
        super().__init__("git is not installed, or not on $PATH: fetch, index and site read the "
                         "repositories with it; install git")


class IndexError_(AnalyzerError):
    """The index is missing, from another kubeatlas version, or does not hold what was asked."""

    def __init__(self, path: str, reason: str):
        self.path, self.reason = path, reason
        super().__init__(f"index {path}: {reason}")


class DamagedIndex(IndexError_):
    """The index file is not a whole kubeatlas index: empty, truncated, or another kind of file.
    `kubeatlas index` moves it aside and builds a new one."""

    def __init__(self, path: str, damage: str):
        self.damage = damage
        super().__init__(path, f"damaged ({damage}); `kubeatlas index` moves it aside and "
                         "builds a new one")


class OutdatedIndex(IndexError_):
    """The index was made by an older kubeatlas. `kubeatlas index` upgrades it in place when this
    one knows how (`upgradable`), and otherwise moves it aside and builds a new one."""

    def __init__(self, path: str, schema: int, reads: int, upgradable: bool):
        self.schema = schema
        self.damage = f"schema {schema}, this one reads {reads}"
        cure = "upgrades it in place" if upgradable else "moves it aside and builds a new one"
        super().__init__(path, f"made by an older kubeatlas ({self.damage}): `kubeatlas index` "
                         f"{cure}")


class UsageError(AnalyzerError):
    """The command line asks for something that cannot be done as asked."""

    exit_code = 2


class UnknownName(UsageError):
    """A name that is none of a fixed set (a repository, a component, an edge kind, a GOOS):
    the nearest one, if any is near, is suggested before the whole set."""

    def __init__(self, what: str, name: str, choices: Iterable[str]):
        self.what, self.name, self.choices = what, name, list(choices)
        near = nearest(name, self.choices)
        listed = ", ".join(self.choices)
        super().__init__(f"unknown {what} {name!r}: "
                         + (f"did you mean {near!r}? (choose from {listed})" if near
                            else f"choose from {listed}"))


def nearest(name: str, choices: Iterable[str]) -> str | None:
    """The choice a mistyped `name` most likely meant (`kubernets` → `kubernetes`), if one is
    near enough to say so."""
    import difflib  # only a mistake pays for loading it

    by_lower = {choice.lower(): choice for choice in choices}
    near = difflib.get_close_matches(name.lower(), list(by_lower), n=1, cutoff=0.6)
    return by_lower[near[0]] if near else None
