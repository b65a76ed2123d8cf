"""Links from the reference implementations to the Go code they mirror, checked against the index.

Every reference function decorated `@mirrors("(*go.etcd.io/etcd/server/v3/mvcc.store).Range")`
names Go symbols in their go/ssa spelling. `check_links` looks each one up in the newest index of
its repository, so a link that went stale with a new analysed version, or never existed, shows.
"""
from __future__ import annotations

import importlib
import pkgutil
import sqlite3
from dataclasses import dataclass

from analyzer import store
from analyzer.query import package_of

# etcd's own packages are in the etcd repository; everything else a reference names is in
# kubernetes, its own code or what it vendors (github.com/evanphx/json-patch, say).
ETCD_PREFIX = "go.etcd.io/etcd/"


@dataclass(frozen=True, slots=True, order=True)
class Link:
    python: str  # module.qualname of the reference function
    go_symbol: str


@dataclass(frozen=True, slots=True)
class LinkRow:
    python: str
    go_symbol: str
    repo: str
    ref: str
    status: str  # "found", "missing", or "not indexed" (its repository is not in the index)


def reference_links(package: str = "reference_impl") -> list[Link]:
    """Every @mirrors link of the reference implementations (their modules are imported)."""
    from reference_impl import mirrors

    root = importlib.import_module(package)
    for module in pkgutil.walk_packages(root.__path__, prefix=f"{package}."):
        importlib.import_module(module.name)
    return sorted(Link(python, symbol) for python, symbols in mirrors.REGISTRY.items()
                  if python.startswith(package) for symbol in symbols)


def repo_of(go_symbol: str) -> str:
    return "etcd" if package_of(go_symbol).startswith(ETCD_PREFIX) else "kubernetes"


def check_links(db: sqlite3.Connection, links: list[Link]) -> list[LinkRow]:
    latest = store.latest_commits(db)
    rows = []
    for link in links:
        repo = repo_of(link.go_symbol)
        commit = latest.get(repo)
        if commit is None:
            rows.append(LinkRow(link.python, link.go_symbol, repo, "", "not indexed"))
            continue
        found = db.execute(
            "SELECT 1 FROM symbols s JOIN names n ON n.id = s.name WHERE n.name = ? "
            "AND s.commit_id = ? LIMIT 1", (link.go_symbol, commit.id)).fetchone()
        rows.append(LinkRow(link.python, link.go_symbol, repo, commit.ref,
                            "found" if found else "missing"))
    return rows


def render(rows: list[LinkRow]) -> str:
    counts = {status: sum(r.status == status for r in rows) for status in ("found", "missing", "not indexed")}
    lines = [f"reference links: {len(rows)} @mirrors names, {counts['found']} found, "
             f"{counts['missing']} missing, {counts['not indexed']} in repositories not indexed"]
    lines.extend(f"  {r.status:<11} {r.go_symbol}  ← {r.python}" for r in rows if r.status != "found")
    return "\n".join(lines)
