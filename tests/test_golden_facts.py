"""Golden files of the facts extracted from every fixture Go file.

A change in what parsing yields shows up as a readable diff of tests/golden/facts/*.json.
Refresh them after an intended change with:

    python tests/test_golden_facts.py
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from analyzer.parse import parse_source

TREES = Path(__file__).parent / "fixtures" / "trees"
GOLDEN = Path(__file__).parent / "golden" / "facts"


def as_data(value):
    """A fact as JSON shows it: a dict of its fields, nested facts too; other tuples lists."""
    if hasattr(value, "_fields"):
        return {name: as_data(item) for name, item in zip(value._fields, value)}
    if isinstance(value, tuple):
        return [as_data(item) for item in value]
    return value


def render(tree: Path) -> str:
    facts = {
        path.relative_to(tree).as_posix(): as_data(parse_source(path.read_bytes()))
        for path in sorted(tree.rglob("*.go"))
    }
    return json.dumps(facts, indent=1, ensure_ascii=False) + "\n"


@pytest.mark.parametrize("tree", sorted(p.name for p in TREES.iterdir() if p.is_dir()))
def test_facts_match_golden_file(tree):
    golden = GOLDEN / f"{tree}.json"
    assert golden.exists(), f"no golden file: run `python {Path(__file__).name}`"
    assert render(TREES / tree) == golden.read_text(), (
        f"facts of {tree} changed; if intended, run `python tests/{Path(__file__).name}`")


if __name__ == "__main__":
    GOLDEN.mkdir(parents=True, exist_ok=True)
    for tree in sorted(p for p in TREES.iterdir() if p.is_dir()):
        (GOLDEN / f"{tree.name}.json").write_text(render(tree))
        print(f"wrote {GOLDEN / tree.name}.json")
