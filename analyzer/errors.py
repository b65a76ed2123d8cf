"""The analyzer's one error root.

Every error a user can cause (a wrong ref, a path that is not a repository, an index that does not
exist) is an `AnalyzerError` subclass that carries its data and formats its own one-line message;
the CLI prints that line and exits non-zero, with no traceback.
"""
from __future__ import annotations


class AnalyzerError(Exception):
    """Root of every error the analyzer reports to a user."""

    exit_code = 1


class SourceError(AnalyzerError):
    """A repository could not be fetched or read (bad URL, unknown ref, not a git repository)."""

    def __init__(self, name: str, source: str, reason: str):
        self.name, self.source, self.reason = name, source, reason
        super().__init__(f"{name}: {source}: {reason}")


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
