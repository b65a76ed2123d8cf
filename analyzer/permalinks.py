"""Permalinks: a file of an analysed commit as a link a browser opens.

Kept apart from `sources` (which needs GitPython) so that a query, which only links, starts
without loading git.
"""
from __future__ import annotations

import re
from urllib.parse import quote

_LIBRARY_PATH = re.compile(r"(?P<version>go1[\w.+-]*)/src/(?P<rest>.+)")
_GITHUB = re.compile(
    r"^(?:[a-z+]+://)?(?:[^@/]+@)?github\.com(?::\d+)?[:/]"
    r"(?P<owner>[^/]+)/(?P<repo>[^/]+?)(?:\.git)?/*$",
    re.IGNORECASE,
)


def permalink(remote_url: str, commit: str, path: str, line: int | None = None) -> str:
    """A link to `path` (relative to the repository root) at this exact commit.

    For a GitHub remote (https, http, git, ssh or `git@github.com:` form, with or without
    `.git`) this is the github.com blob URL with a `#L<line>` anchor. Any other remote has no
    web view we can know of, so the link is `<remote_url>@<commit>:<path>#L<line>`, which still
    names the exact file version.
    """
    path = path.lstrip("/")
    anchor = f"#L{line}" if line else ""
    library = _LIBRARY_PATH.match(path)
    if library:  # a standard-library file resolved with the repository (stdlib.site_path)
        return (f"https://github.com/golang/go/blob/{library['version']}/src/"
                f"{quote(library['rest'])}{anchor}")
    github = _GITHUB.match(remote_url)
    if github:
        # Quoted: a `#`, `?` or space in a folder's name would end or break the link's path.
        return (f"https://github.com/{github['owner']}/{github['repo']}"
                f"/blob/{commit}/{quote(path)}{anchor}")
    return f"{remote_url}@{commit}:{path}{anchor}"
