"""Where the parse stage's CPU goes, file by file, measured in one process against a bare parse.

For the indexed Go files of a tree under the given folders, in CPU seconds: reading the blobs
from git (this process and git's), tree-sitter's parse (the bare parse), the facts query's
captures, the classification of the captures by kind (each `_FileParser.on_<kind>`), the rest of
building a file's facts (scope table, sorting, header), encoding them, handing them to the writer
as the pool does (pickled in chunks), and the writer's share: unpickling, decoding and saving
them. The classification is what handlers that do nothing save, shared out by kind in proportion
to the time each handler takes in a pass that times them (timing a capture costs about as much
as a cheap handler, so that pass is kept for the shares alone). A last pass times
`indexer.blob_record` whole, a parser process's work per file, to check the sum.
Prints a table and writes JSON to benchmarks/results/parse_stages.json.

    python benchmarks/parse_stages.py /path/to/k8s.git@e5f3f020 \\
        --under pkg/scheduler --under pkg/kubelet --under staging/src/k8s.io/client-go
"""
from __future__ import annotations

import argparse
import gc
import json
import pickle
import resource
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import tree_sitter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from analyzer import indexer, parse, store  # noqa: E402
from analyzer.facts import decode, encode_row  # noqa: E402
from analyzer.gitobjects import BlobReader, list_tree  # noqa: E402

RESULTS = Path(__file__).parent / "results"
clock = time.process_time


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def handlers() -> dict:
    """The capture handlers of `_FileParser`, by name (`on_call`, ...)."""
    return {name: method for name, method in vars(parse._FileParser).items() if name.startswith("on_")}


def timed_parser(spent: Counter) -> type:
    """`_FileParser` with each capture handler timed into `spent`, in wall seconds: the CPU
    clock is a system call, dearer than most handlers."""
    def timed(name: str, method):
        def call(self, *args):
            started = time.perf_counter()
            try:
                return method(self, *args)
            finally:
                spent[name] += time.perf_counter() - started
        return call

    return type("TimedParser", (parse._FileParser,),
                {name: timed(name, method) for name, method in handlers().items()})


def idle_parser() -> type:
    """`_FileParser` whose capture handlers do nothing: what is left of building the facts."""
    return type("IdleParser", (parse._FileParser,),
                dict.fromkeys(handlers(), lambda self, node, scope: None))


def facts_cpu(blobs: list[tuple[str, bytes]], parser_class: type) -> float:
    """CPU seconds `parser_class(...).run` spends on the blobs, their parse not counted."""
    parser = tree_sitter.Parser(parse.GO_LANGUAGE)
    spent = 0.0
    for _, source in blobs:
        tree = parser.parse(source)
        started = clock()
        parser_class(source).run(tree)
        spent += clock() - started
    return spent


def read_blobs(git_dir: str, commit: str, folders: list[str]) -> tuple[list[tuple[str, bytes]], float, float]:
    """The blobs `index` would parse under `folders`, one by one as a parser process reads them:
    (sha, source) in SHA order, this process's and git's CPU seconds."""
    prefixes = tuple(folder.rstrip("/") + "/" for folder in folders)
    shas = sorted({e.blob_sha for e in list_tree(git_dir, commit)
                   if indexer.is_indexed_go_file(e, False) and not e.symlink
                   and e.path.startswith(prefixes)})
    own, git = clock(), children_cpu()
    with BlobReader(git_dir) as reader:
        blobs = [(sha, source) for sha in shas if (source := reader.read(sha)) is not None]
    return blobs, clock() - own, children_cpu() - git


def worker_stages(blobs: list[tuple[str, bytes]], spent: Counter) -> None:
    parser = tree_sitter.Parser(parse.GO_LANGUAGE)
    for _, source in blobs:
        started = clock()
        tree = parser.parse(source)
        parsed = clock()
        tree_sitter.QueryCursor(parse.FACTS_QUERY).captures(tree.root_node)
        captured = clock()
        row = parse._FileParser(source).run(tree)
        built = clock()
        encode_row(row)
        spent["parse (bare)"] += parsed - started
        spent["facts: query captures"] += captured - parsed
        spent["encode (marshal, zlib)"] += clock() - built
    # The facts beyond the captures: the classification, measured as what idle handlers save
    # and shared out by kind as the timed handlers spend, and the rest.
    idle = facts_cpu(blobs, idle_parser())
    classification = facts_cpu(blobs, parse._FileParser) - idle
    spent["facts: scope table, sorting, header"] = idle - spent["facts: query captures"]
    shares: Counter = Counter()
    facts_cpu(blobs, timed_parser(shares))
    total = sum(shares.values())
    for name, seconds in shares.most_common():
        spent[f"facts: {name}"] = classification * seconds / total


def writer_stages(records: list[store.BlobRecord], spent: Counter) -> None:
    started = clock()
    chunks = [pickle.dumps(records[i:i + indexer.CHUNK]) for i in range(0, len(records), indexer.CHUNK)]
    spent["hand-off: pickle chunks (parser)"] = clock() - started
    gc.disable()  # as the writer runs (indexer._without_gc)
    try:
        started = clock()
        received = [record for chunk in chunks for record in pickle.loads(chunk)]
        unpickled = clock()
        kept = [decode(record.facts) for record in received]
        decoded = clock()
        with tempfile.TemporaryDirectory() as tmp:
            db = store.connect(Path(tmp) / "index.sqlite", create=True)
            for i in range(0, len(received), indexer.SAVE_EVERY):
                store.save_blobs(db, store.PARSER_VERSION, received[i:i + indexer.SAVE_EVERY])
            db.close()
        spent["writer: unpickle chunks"] = unpickled - started
        spent["writer: decode facts"] = decoded - unpickled
        spent["writer: save blobs"] = clock() - decoded
        del kept
    finally:
        gc.enable()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("tree", help="GIT_DIR@COMMIT")
    parser.add_argument("--under", action="append", required=True, help="a folder of the tree (repeat)")
    args = parser.parse_args()
    git_dir, _, commit = args.tree.rpartition("@")

    spent: Counter = Counter()
    blobs, own, git = read_blobs(git_dir, commit, args.under)
    spent["read blobs (this process)"], spent["read blobs (git cat-file)"] = own, git
    worker_stages(blobs, spent)
    started = clock()
    records = [indexer.blob_record(sha, source) for sha, source in blobs]
    whole = clock() - started
    writer_stages(records, spent)

    bare = spent["parse (bare)"]
    size = sum(len(source) for _, source in blobs)
    print(f"{len(blobs):,} files, {size / 1e6:.1f} MB under {', '.join(args.under)}")
    width = max(map(len, spent)) + 2
    print(f"{'stage':<{width}} {'CPU s':>7} {'ms/file':>8} {'x bare':>7}")
    for name, seconds in spent.items():
        print(f"{name:<{width}} {seconds:7.3f} {1000 * seconds / len(blobs):8.3f} {seconds / bare:7.2f}")
    print(f"{'(check) blob_record whole':<{width}} {whole:7.3f} {1000 * whole / len(blobs):8.3f} "
          f"{whole / bare:7.2f}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "parse_stages.json").write_text(json.dumps({
        "tree": args.tree, "under": args.under, "files": len(blobs), "bytes": size,
        "cpu_seconds": dict(spent), "blob_record_seconds": whole}, indent=2) + "\n")


if __name__ == "__main__":
    main()
