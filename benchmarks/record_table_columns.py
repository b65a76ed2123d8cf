"""Record the real kube-apiserver's Table columns, one list per kind, as test data.

Starts the real kube-apiserver (the binary given by path, never fetched or built here) on Debian's
etcd as `apiserver_differential.start_real` does, lists every resource of every served group
version as a meta.k8s.io/v1 Table (`?limit=1`, so no rows are needed), and writes each kind's
column names, types, formats and priorities, in order, to
tests/reference/apiserver/data/table_columns_1_24.json, which test_kinds.py holds the reference
apiserver's tables to. The descriptions are left out: they are upstream's API documentation, and
the reference apiserver writes its own. Stops with an error when two resources of one kind answer
with different columns (the file is keyed by kind, as the printers are).

    python benchmarks/record_table_columns.py /work/k8s-bin/kube-apiserver [--etcd /usr/bin/etcd]
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))

from benchmarks.apiserver_differential import start_real  # noqa: E402
from reference_impl import cluster as local_cluster  # noqa: E402

OUT = Path(__file__).parent.parent / "tests" / "reference" / "apiserver" / "data" / "table_columns_1_24.json"
FACTS = ("name", "type", "format", "priority")  # of a TableColumnDefinition; not its description
TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io"


def get(server, path: str, accept: str = "application/json") -> dict:
    connection = server.connection("admin")
    connection.request("GET", path, headers={"Accept": accept})
    response = connection.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: {response.status} {body[:200]!r}")
    return json.loads(body)


def group_versions(server) -> list[str]:
    roots = ["/api/v1"]
    for group in get(server, "/apis")["groups"]:
        roots += [f"/apis/{version['groupVersion']}" for version in group["versions"]]
    return roots


def record(server) -> dict[str, list[dict]]:
    columns: dict[str, list[dict]] = {}
    for root in group_versions(server):
        for resource in get(server, root)["resources"]:
            if "/" in resource["name"] or "list" not in resource["verbs"]:
                continue
            table = get(server, f"{root}/{resource['name']}?limit=1", TABLE)
            kind = resource["kind"]
            found = [{fact: column[fact] for fact in FACTS} for column in table["columnDefinitions"]]
            if columns.setdefault(kind, found) != found:
                raise RuntimeError(f"{kind}: {root}/{resource['name']} has other columns than another resource of it")
    return dict(sorted(columns.items()))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("binary", type=Path, help="the real kube-apiserver (1.24), already built")
    parser.add_argument("--etcd", type=Path, default=Path("/usr/bin/etcd"), help="the real etcd 3.4 binary")
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="record-table-columns-"))
    processes, server, _ = start_real(args.binary.resolve(), args.etcd.resolve(), work)
    try:
        columns = record(server)
    finally:
        local_cluster.stop(processes)
    OUT.write_text(json.dumps(columns, indent=1) + "\n")
    print(f"{len(columns)} kinds, {sum(map(len, columns.values()))} columns: wrote {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
