"""The `modules` stage: Go import paths ↔ repository directories, without a Go toolchain.

It reads every `go.mod`, `go.work` and `vendor/modules.txt` of a tree and answers two questions
the later stages ask for every file and every import: which package is this file in
(`import_path_of`), and where does the package behind this import path live (`dir_of`).

Kubernetes is the demanding case: its root module `replace`s each `k8s.io/<repo>` with
`./staging/src/k8s.io/<repo>`, which has a `go.mod` of its own, and `vendor/k8s.io/<repo>` is a
symlink back to staging, so an import of `k8s.io/api/core/v1` must land in staging. etcd is
several modules bound together by local `replace`s and, at newer tags, a `go.work`.
"""
from __future__ import annotations

import dataclasses
import posixpath
import re
from dataclasses import dataclass, field
from typing import Callable, Iterable, Iterator

VENDOR = "vendor"


@dataclass(frozen=True)
class Replace:
    """One `replace old [version] => new [version]` directive."""

    old_path: str
    old_version: str | None
    new_path: str
    new_version: str | None

    @property
    def is_local(self) -> bool:
        """A directory replacement (`=> ./staging/src/k8s.io/api`) rather than another module."""
        return self.new_path.startswith(("./", "../", "/"))


@dataclass(frozen=True)
class Module:
    """A module defined by a `go.mod` in the tree; `path` is "" when it names no module."""

    path: str
    dir: str
    go_version: str | None
    requires: tuple[tuple[str, str], ...]
    replaces: tuple[Replace, ...]


@dataclass(frozen=True)
class VendoredModule:
    """One `# path version [=> replacement]` record of a `vendor/modules.txt`."""

    path: str
    version: str | None
    replacement: str | None
    explicit: bool
    packages: tuple[str, ...]
    vendor_dir: str
    go_version: str | None = None


@dataclass(frozen=True)
class ModuleMap:
    """Every module, vendored module and workspace `use` of one tree, with fast lookups.

    A path ending in `.go` names a file and stands for its directory; any other path names a
    directory. `package_dirs` holds the directories with at least one `.go` file: `dir_of`
    answers only with those, so an import path it cannot place gives None.
    """

    modules: tuple[Module, ...]
    vendored: tuple[VendoredModule, ...]
    workspace_uses: tuple[str, ...]
    package_dirs: frozenset[str] = field(repr=False)
    _module_by_dir: dict[str, Module] = field(init=False, repr=False, compare=False)
    _root_by_path: dict[str, str] = field(init=False, repr=False, compare=False)
    _vendor_dir_by_package: dict[str, str] = field(init=False, repr=False, compare=False)
    _vendored_by_path: dict[tuple[str, str], VendoredModule] = field(
        init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "_module_by_dir", {m.dir: m for m in self.modules})
        set_(self, "_root_by_path", _module_roots(self.modules))
        set_(self, "_vendor_dir_by_package", _vendor_packages(self.package_dirs))
        set_(self, "_vendored_by_path", {(v.vendor_dir, v.path): v for v in self.vendored})

    def module_of(self, file_or_dir: str) -> Module | None:
        """The module whose `go.mod` is nearest above the path; None inside a vendor dir."""
        directory = _directory(file_or_dir)
        if _vendor_split(directory) is not None:
            return None
        return self._enclosing_module(directory)

    def import_path_of(self, file_or_dir: str) -> str | None:
        """The import path of the package in that directory, as Go spells it in an import."""
        directory = _directory(file_or_dir)
        vendored = _vendor_split(directory)
        if vendored is not None:
            return vendored[1] or None
        module = self._enclosing_module(directory)
        if module is None or not module.path:
            return None
        return _join(module.path, directory[len(module.dir):].lstrip("/"))

    def dir_of(self, import_path: str) -> str | None:
        """The directory holding the package: a module of the tree (longest module path wins,
        local `replace` targets included), else a vendor dir, else None."""
        for prefix in _ancestors(import_path):
            root = self._root_by_path.get(prefix)
            if root is None:
                continue
            candidate = _join(root, import_path[len(prefix):].lstrip("/"))
            module = self._enclosing_module(candidate)
            if candidate in self.package_dirs and module is not None and module.dir == root:
                return candidate
        return self._vendor_dir_by_package.get(import_path)

    def vendored_module_of(self, file_or_dir: str) -> VendoredModule | None:
        """The `modules.txt` record of the vendored module a vendor path belongs to."""
        vendored = _vendor_split(_directory(file_or_dir))
        if vendored is None:
            return None
        vendor_dir, import_path = vendored
        for prefix in _ancestors(import_path):
            record = self._vendored_by_path.get((vendor_dir, prefix))
            if record is not None:
                return record
        return None

    def _enclosing_module(self, directory: str) -> Module | None:
        for candidate in _ancestors(directory):
            module = self._module_by_dir.get(candidate)
            if module is not None:
                return module
        return None


def is_ignored_by_go(path: str) -> bool:
    """Whether the go command skips this path: a `testdata` dir, or a name starting `.` or `_`."""
    return any(part == "testdata" or part[:1] in ("_", ".") for part in path.split("/") if part)


def parse_go_mod(text: str, dir: str) -> Module:
    """A `go.mod` read tolerantly: a line it cannot make sense of is skipped, not an error."""
    path, go_version = "", None
    requires: list[tuple[str, str]] = []
    replaces: list[Replace] = []
    for verb, args in _directives(text):
        if verb == "module" and args:
            path = args[0]
        elif verb == "go" and args:
            go_version = args[0]
        elif verb == "require" and len(args) >= 2:
            requires.append((args[0], args[1]))
        elif verb == "replace":
            replace = _replace(args)
            if replace is not None:
                replaces.append(replace)
    return Module(path, dir, go_version, tuple(requires), tuple(replaces))


def parse_go_work(text: str, dir: str) -> tuple[str, ...]:
    """The `use` directories of a `go.work`, relative to the repository root."""
    return tuple(_normalise(dir, args[0]) for verb, args in _directives(text)
                 if verb == "use" and args)


def parse_modules_txt(text: str, vendor_dir: str) -> tuple[VendoredModule, ...]:
    """The records of a `vendor/modules.txt`.

    A module replaced for every version is listed a second time, as a bare
    `# path => replacement` line: Go 1.14–1.16 put its packages under that line, Go 1.17 and
    later put the line at the end with none. Either way it continues the versioned record.
    """
    records: dict[str, _Record] = {}
    current: _Record | None = None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("##"):
            if current is not None:
                current.annotate(line[2:])
        elif line.startswith("#"):
            current = _Record.from_header(line[1:])
            if current is not None:
                if current.version is None and current.path in records:
                    current = records[current.path]
                else:
                    records[current.path] = current
        elif line and current is not None:
            current.packages.append(line)
    return tuple(record.freeze(vendor_dir) for record in records.values())


def build_module_map(paths: Iterable[str], read: Callable[[str], bytes | None]) -> ModuleMap:
    """Read every `go.mod`, `go.work` and `vendor/modules.txt` among `paths` into a ModuleMap.

    `read` gives a file's bytes, or None when its blob is missing. A `go.mod` that cannot be
    read, or names no module, still bounds a module: its path is taken from a local `replace`
    that points at it, or left "" (its files then have no import path) when none does.
    """
    go_mods, go_works, modules_txts, package_dirs = [], [], [], set()
    for path in paths:
        directory, _, name = path.rpartition("/")
        if name.endswith(".go"):
            package_dirs.add(directory)
        elif name == "modules.txt" and directory.rpartition("/")[2] == VENDOR:
            modules_txts.append(path)
        elif name in ("go.mod", "go.work") and _vendor_split(directory) is None:
            (go_mods if name == "go.mod" else go_works).append(path)

    modules = {_directory_of_file(p): _read_go_mod(p, read) for p in sorted(go_mods)}
    for directory, module in list(modules.items()):
        if not module.path:
            path = _local_replace_of(directory, modules.values()) or ""
            modules[directory] = dataclasses.replace(module, path=path)
    uses: dict[str, None] = {}
    for path in sorted(go_works):
        text = _text(read(path))
        if text is not None:
            uses.update(dict.fromkeys(parse_go_work(text, _directory_of_file(path))))
    vendored: list[VendoredModule] = []
    for path in sorted(modules_txts):
        text = _text(read(path))
        if text is not None:
            vendored.extend(parse_modules_txt(text, _directory_of_file(path)))
    return ModuleMap(tuple(modules.values()), tuple(vendored), tuple(uses),
                     frozenset(package_dirs))


# --- go.mod and go.work syntax -------------------------------------------------------------

# One token of the go.mod lexical syntax: a quoted string, a comment, `=>`, punctuation, or an
# identifier (any run of printable characters that are none of those).
_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|`[^`]*`|//.*|=>|[()\[\]{},]|[^\s()\[\]{},"`]+')
_ESCAPE = re.compile(r"\\(.)")


def _directives(text: str) -> Iterator[tuple[str, list[str]]]:
    """(verb, arguments) per directive, with `verb ( ... )` blocks unfolded line by line."""
    block: str | None = None
    for line in text.splitlines():
        tokens = [t for t in _TOKEN.findall(line) if not t.startswith("//")]
        if not tokens:
            continue
        if block is not None:
            if tokens == [")"]:
                block = None
            else:
                yield block, [_unquote(t) for t in tokens]
        elif tokens[1:] == ["("]:
            block = tokens[0]
        elif tokens[1:] != ["(", ")"]:
            yield tokens[0], [_unquote(t) for t in tokens[1:]]


def _unquote(token: str) -> str:
    if token[:1] == "`":
        return token[1:-1]
    if token[:1] == '"':
        return _ESCAPE.sub(lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), token[1:-1])
    return token


def _replace(args: list[str]) -> Replace | None:
    if "=>" not in args:
        return None
    arrow = args.index("=>")
    old, new = args[:arrow], args[arrow + 1:]
    if not 1 <= len(old) <= 2 or not 1 <= len(new) <= 2:
        return None
    return Replace(old[0], old[1] if len(old) == 2 else None,
                   new[0], new[1] if len(new) == 2 else None)


def _read_go_mod(path: str, read: Callable[[str], bytes | None]) -> Module:
    directory = _directory_of_file(path)
    text = _text(read(path))
    return parse_go_mod(text, directory) if text is not None else Module("", directory, None, (), ())


def _local_replace_of(directory: str, modules: Iterable[Module]) -> str | None:
    """The module path that a local `replace` of some module in the tree points at `directory`."""
    for module in modules:
        for replace in module.replaces:
            if replace.is_local and _normalise(module.dir, replace.new_path) == directory:
                return replace.old_path
    return None


# --- vendor/modules.txt --------------------------------------------------------------------

@dataclass
class _Record:
    path: str
    version: str | None
    replacement: str | None
    explicit: bool = False
    go_version: str | None = None
    packages: list[str] = field(default_factory=list)

    @classmethod
    def from_header(cls, header: str) -> _Record | None:
        """`path version`, `path version => replacement` or `path => replacement`."""
        old, arrow, new = header.partition("=>")
        words = old.split()
        if not 1 <= len(words) <= 2 or (arrow and not new.strip()):
            return None
        version = words[1] if len(words) == 2 else None
        return cls(words[0], version, " ".join(new.split()) or None)

    def annotate(self, annotations: str) -> None:
        """`explicit` and `go 1.16`, separated by `;`."""
        for annotation in annotations.split(";"):
            words = annotation.split()
            if words == ["explicit"]:
                self.explicit = True
            elif len(words) == 2 and words[0] == "go":
                self.go_version = words[1]

    def freeze(self, vendor_dir: str) -> VendoredModule:
        return VendoredModule(self.path, self.version, self.replacement, self.explicit,
                              tuple(self.packages), vendor_dir, self.go_version)


# --- paths ---------------------------------------------------------------------------------

def _module_roots(modules: Iterable[Module]) -> dict[str, str]:
    """Module path → directory: each module of the tree, then local `replace` targets.

    When two go.mod files claim one path (copies under testdata), the one Go builds wins, then
    the shallower one.
    """
    roots: dict[str, str] = {}
    for module in sorted(modules, key=lambda m: (is_ignored_by_go(m.dir), m.dir.count("/"), m.dir)):
        if module.path:
            roots.setdefault(module.path, module.dir)
    for module in modules:
        for replace in module.replaces:
            target = _normalise(module.dir, replace.new_path) if replace.is_local else None
            if target is not None and _inside_repository(target):
                roots.setdefault(replace.old_path, target)
    return roots


def _vendor_packages(package_dirs: Iterable[str]) -> dict[str, str]:
    """Import path → vendor directory, the shallowest vendor dir first (the root module's)."""
    packages: dict[str, str] = {}
    for directory in sorted(package_dirs, key=lambda d: (d.count("/"), d)):
        vendored = _vendor_split(directory)
        if vendored is not None and vendored[1]:
            packages.setdefault(vendored[1], directory)
    return packages


def _vendor_split(directory: str) -> tuple[str, str] | None:
    """(vendor dir, import path below it) for a path inside a vendor dir, else None."""
    parts = directory.split("/")
    if VENDOR not in parts:
        return None
    last = len(parts) - 1 - parts[::-1].index(VENDOR)
    return "/".join(parts[:last + 1]), "/".join(parts[last + 1:])


def _ancestors(path: str) -> Iterator[str]:
    """`a/b/c`, `a/b`, `a`, then "" (the repository root)."""
    while path:
        yield path
        path = path.rpartition("/")[0]
    yield ""


def _directory(file_or_dir: str) -> str:
    path = file_or_dir.strip("/")
    return _directory_of_file(path) if path.endswith(".go") else path


def _directory_of_file(path: str) -> str:
    return path.rpartition("/")[0]


def _join(base: str, rel: str) -> str:
    return f"{base}/{rel}" if base and rel else base or rel


def _normalise(base: str, rel: str) -> str:
    """`rel` (as written in a go.mod or go.work in `base`) relative to the repository root."""
    joined = posixpath.normpath(posixpath.join(base, rel))
    return "" if joined == "." else joined


def _inside_repository(path: str) -> bool:
    return path != ".." and not path.startswith(("../", "/"))


def _text(data: bytes | None) -> str | None:
    return data.decode("utf-8", errors="replace") if data is not None else None
