"""Every command's JSON answer, checked against a JSON Schema written for it here: what a script
reading `kubeatlas … --json` (or `-f json`) may count on, whatever the question. Each command is
asked several questions of a small index of both repositories, the empty answers among them."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import jsonschema
import pytest

from analyzer import graph, sources
from analyzer.cli import main
from analyzer.indexer import index_checkout
from analyzer.workspace import Workspace

GOROOT = Path(__file__).parent / "fixtures" / "goroot"
COUNT = {"type": "integer", "minimum": 0}
NAME = {"type": "string", "minLength": 1}
EDGE = {
    "type": "object",
    "required": ["caller", "callee", "kind", "path", "line", "col", "confidence", "via"],
    "additionalProperties": False,
    "properties": {
        "caller": NAME, "callee": NAME, "kind": {"enum": sorted(graph.EDGE_KINDS)},
        "path": {"type": "string"}, "line": COUNT, "col": COUNT,
        "confidence": {"type": "number", "minimum": 0, "maximum": 1}, "via": {"type": "string"},
    },
}
TREE = {
    "type": "object",
    "required": ["root", "direction", "depth", "truncated", "left_out", "unresolved_left_out",
                 "build", "build_constraints", "declared_in", "not_built", "nodes", "edges"],
    "additionalProperties": False,
    "properties": {
        "root": NAME, "direction": {"enum": ["callees", "callers"]},
        "depth": {"type": "integer", "minimum": 1}, "truncated": {"type": "boolean"},
        "left_out": COUNT, "unresolved_left_out": COUNT, "not_built": COUNT,
        # The build `not_built` counts against (linux/amd64), null when no count was made.
        "build": {"type": ["string", "null"], "minLength": 1},
        "build_constraints": {"type": "object", "additionalProperties": NAME},
        "declared_in": {"type": "object", "additionalProperties": NAME},
        "nodes": {"type": "array", "items": NAME, "uniqueItems": True, "minItems": 1},
        "edges": {"type": "array", "items": EDGE},
    },
}
COMPONENT = {**TREE, "required": [*TREE["required"][:6], "roots", "nodes", "edges"],
             "properties": {**TREE["properties"], "direction": {"const": "callees"},
                            "roots": {"type": "array", "items": NAME, "minItems": 1}}}
SCHEMAS = {
    "find": {"type": "array", "items": NAME, "uniqueItems": True},
    "show": {
        "type": "object",
        "required": ["name", "kind", "package", "path", "line", "end_line", "doc", "signature",
                     "permalink", "callers", "callees", "annotations", "also_declared"],
        "additionalProperties": False,
        "properties": {
            "name": NAME, "kind": NAME, "package": {"type": "string"}, "path": {"type": "string"},
            "line": COUNT, "end_line": COUNT, "doc": {"type": "string"},
            "signature": {"type": "string"}, "permalink": {"type": "string"},
            "callers": COUNT, "callees": COUNT,
            "annotations": {"type": "array", "items": {"type": "object"}},
            "also_declared": {"type": "array", "items": {
                "type": "object", "additionalProperties": False,
                "required": ["path", "line", "end_line", "build", "callees"],
                "properties": {"path": NAME, "line": COUNT, "end_line": COUNT,
                               "build": {"type": "string"}, "callees": COUNT}}},
        },
    },
    "callees": TREE,
    "callers": TREE,
    "path": {"type": "array", "minItems": 1,
             "items": {"type": "array", "items": EDGE, "minItems": 1}},
    "component": COMPONENT,
}
QUESTIONS = [
    ["find", "New", "--json"],
    ["find", "zzzq", "--json"],  # nothing found: an empty list, status 1
    ["find", "Start", "--json", "--repo", "etcd", "--limit", "3"],
    ["show", "kube-scheduler.main", "--json"],
    ["show", "os.Exit", "--json"],
    ["callees", "kube-scheduler.main", "-d", "3", "-f", "json"],
    ["callees", "kube-scheduler.main", "-f", "json", "--program", "all"],
    ["callees", "kube-scheduler.main", "-f", "json", "--kinds", "unresolved"],
    ["callers", "os.Exit", "-d", "2", "-f", "json"],
    ["callers", "kube-scheduler.main", "-f", "json"],  # called by nothing
    ["path", "kube-scheduler.main", "os.Exit", "-f", "json"],
    ["path", "kube-scheduler.main", "os.Exit", "-f", "json", "--count", "3"],
    ["component", "kube-scheduler", "-d", "2", "-f", "json"],
    ["component", "etcd", "-d", "1", "-f", "json"],
]


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    sys.path.insert(0, str(Path(__file__).parent))
    from conftest import TREES, make_git_tree

    root = tmp_path_factory.mktemp("schemas")
    ws = Workspace(root / "home")
    for repo, tree in (("kubernetes", "kube"), ("etcd", "etcdish")):
        git = make_git_tree(TREES / tree, root / repo)
        index_checkout(ws.index_path, sources.fetch(ws, repo, source=str(git), ref="HEAD"),
                       goroot=GOROOT)
    return ws.home


@pytest.mark.parametrize("argv", QUESTIONS, ids=" ".join)
def test_a_json_answer_matches_its_commands_schema(home, argv, capsys):
    """The answer is one JSON document of its command's schema, whatever was asked (an empty
    answer is an empty list, never nothing); a graph's nodes hold its root and both ends of
    every edge."""
    code = main([*argv, "--home", str(home)])
    answer = json.loads(capsys.readouterr().out)
    assert code == (1 if answer == [] else 0)
    jsonschema.validate(answer, SCHEMAS[argv[0]])
    if isinstance(answer, dict) and "nodes" in answer:
        ends = {end for edge in answer["edges"] for end in (edge["caller"], edge["callee"])}
        assert {answer["root"], *answer.get("roots", ()), *ends} <= set(answer["nodes"])
