"""A minimal reader and writer of bbolt database files (go.etcd.io/bbolt, file format version 2),
enough for etcd's snapshot files: top-level buckets of byte keys and values, no nested buckets.

Why hand-written: `etcdctl snapshot save/status/restore` and etcd itself open a snapshot with
bbolt, so the reference must produce a real bbolt file; no maintained Python package reads or
writes the format, and what etcd needs of it is small.

The format, as bbolt lays it out (little-endian, page size 4096):
  page header   id u64, flags u16, count u16, overflow u32 (extra pages the page runs over)
  meta page     (pages 0 and 1) magic, version, page size, flags, root bucket (root page,
                sequence), freelist page, page count, txid, FNV-64a checksum of all of that
  freelist      the ids of free pages (none here: every page is in use)
  leaf page     `count` elements of (flags u32, pos u32, ksize u32, vsize u32), pos counted from
                the element itself; flag 1 marks a bucket, whose value is (root page u64,
                sequence u64) followed, when the root page is 0, by the bucket's own page inline
  branch page   `count` elements of (pos u32, ksize u32, child page u64), each key the first key
                of its child
The writer fills leaves up to a page, builds branch levels above them, and keeps a bucket that
fits a quarter page inline in its parent, as bbolt does (so a small store takes a few pages, as a
defragmented etcd's does), any other bucket in a tree of its own; `bolt check` (and etcdctl's
`snapshot status`, which runs it) finds every page either reachable or free. layout_size counts
the length of that layout without writing a page (Status and /metrics report it, while writes
wait), splitting elements among pages by the writer's own rule (_PageFiller). No function here
carries @mirrors: bbolt is its own repository, not one the analyzer indexes.
"""
from __future__ import annotations

import struct
from collections.abc import Iterable, Mapping

from reference_impl.etcd.errors import EtcdError

PAGE_SIZE = 4096
MAGIC = 0xED0CDAED
VERSION = 2
BRANCH_PAGE, LEAF_PAGE, META_PAGE, FREELIST_PAGE = 0x01, 0x02, 0x04, 0x10
BUCKET_LEAF_FLAG = 0x01
MAX_INLINE_BUCKET_SIZE = PAGE_SIZE // 4  # bbolt's maxInlineBucketSize
MIN_KEYS_PER_PAGE = 2  # bbolt's minKeysPerPage

_PAGE_HEADER = struct.Struct("<QHHI")
_META = struct.Struct("<IIIIQQQQQ")  # without the checksum that follows it
_CHECKSUM = struct.Struct("<Q")
_LEAF_ELEMENT = struct.Struct("<IIII")
_BRANCH_ELEMENT = struct.Struct("<IIQ")
_BUCKET = struct.Struct("<QQ")


class BoltError(EtcdError):
    """A file that is not a bbolt database this reader understands."""

    message = "bbolt: invalid database"

    def __str__(self) -> str:
        return f"{self.details.get('path', 'bbolt database')}: {self.details.get('problem')}"


def _fnv64a(data: bytes) -> int:
    h = 0xCBF29CE484222325
    for byte in data:
        h = ((h ^ byte) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def _span(used: int) -> int:
    """How many pages a page whose header and body take `used` bytes runs over."""
    return max(1, -(-used // PAGE_SIZE))


class _PageFiller:
    """How the writer splits a level's elements among pages: each goes on the current page
    unless it would run over it, and then begins the next (an element larger than a page
    gets a page of its own, with overflow). A branch page takes at least `least` elements, as
    bbolt splits no page below minKeysPerPage (2): with keys over half a page, one child per
    branch would never make a level shorter than the one below it."""

    def __init__(self, least: int = 1) -> None:
        self.least = least
        self.used = 0  # bytes of the current page, its header included; 0 before the first
        self.count = 0  # elements on the current page

    def add(self, size: int) -> bool:
        """Count an element of `size` bytes; whether it begins a new page."""
        if self.used and (self.used + size <= PAGE_SIZE or self.count < self.least):
            self.used += size
            self.count += 1
            return False
        self.used, self.count = _PAGE_HEADER.size + size, 1
        return True


class TreeSizer:
    """The pages write_db lays one bucket out in, counted without writing them: fed the bucket's
    (key, value) sizes in key order, one at a time, so a caller that only appends (etcd's `key`
    bucket, keyed by revision) can keep one and feed it each new record. The branch levels are
    counted again at each `pages()`, from the first key of each leaf (a leaf holds a dozen or
    more records, so that is a small pass)."""

    def __init__(self) -> None:
        self._leaves = _PageFiller()
        self._first_keys: list[int] = []  # the length of each leaf's first key
        self._closed_pages = 0  # the pages of every leaf but the last
        self.count = 0
        self.body = 0  # the leaf elements, keys and values of every item: an inline bucket's page

    def add(self, key_size: int, value_size: int) -> None:
        size = _LEAF_ELEMENT.size + key_size + value_size
        used = self._leaves.used
        if self._leaves.add(size):
            if self._first_keys:
                self._closed_pages += _span(used)
            self._first_keys.append(key_size)
        self.count += 1
        self.body += size

    def inline(self) -> bool:
        """Whether bbolt (and write_db) keeps this bucket inline in its parent's leaf."""
        return _PAGE_HEADER.size + self.body <= MAX_INLINE_BUCKET_SIZE

    def value_size(self) -> int:
        """The size of the bucket's value in its parent: its header, and its page if inline."""
        return _BUCKET.size + (_PAGE_HEADER.size + self.body if self.inline() else 0)

    def pages(self) -> int:
        """The pages of the bucket's own tree: its leaves and the branch levels above them."""
        pages = self._closed_pages + _span(self._leaves.used or _PAGE_HEADER.size)
        level = self._first_keys
        while len(level) > 1:
            filler, firsts = _PageFiller(MIN_KEYS_PER_PAGE), []
            for key_size in level:
                before = filler.used
                if filler.add(_BRANCH_ELEMENT.size + key_size):
                    if firsts:
                        pages += _span(before)
                    firsts.append(key_size)
            pages += _span(filler.used)
            level = firsts
        return pages


def layout_size(buckets: Mapping[bytes, Iterable[tuple[bytes, bytes]] | TreeSizer]) -> int:
    """len(write_db(buckets)), counted without writing a page. A bucket may be given as the
    TreeSizer already fed its items."""
    root = TreeSizer()
    pages = 3  # the two metas and the freelist
    for name in sorted(buckets):
        sizer = buckets[name]
        if not isinstance(sizer, TreeSizer):
            items = sorted(sizer)
            sizer = TreeSizer()
            for key, value in items:
                sizer.add(len(key), len(value))
        if not sizer.inline():
            pages += sizer.pages()
        root.add(len(name), sizer.value_size())
    return (pages + root.pages()) * PAGE_SIZE


class _Writer:
    def __init__(self) -> None:
        self.pages: list[bytes] = []  # whole pages (with their overflow), in id order
        self.next_id = 3  # 0 and 1 are the metas, 2 the freelist

    def _page(self, flags: int, count: int, body: bytes) -> int:
        span = _span(_PAGE_HEADER.size + len(body))
        page_id = self.next_id
        self.next_id += span
        header = _PAGE_HEADER.pack(page_id, flags, count, span - 1)
        self.pages.append((header + body).ljust(span * PAGE_SIZE, b"\0"))
        return page_id

    def _leaf(self, items: list[tuple[bytes, bytes, int]]) -> int:
        return self._page(LEAF_PAGE, len(items), _leaf_body(items))

    def bucket(self, items: list[tuple[bytes, bytes, int]]) -> bytes:
        """A bucket's value in its parent: its header and, for a small bucket, its one leaf
        inline (root page 0), as bbolt writes a bucket that fits a quarter page; else the
        header naming the root page of its own tree."""
        body = _leaf_body(items)
        if _PAGE_HEADER.size + len(body) <= MAX_INLINE_BUCKET_SIZE:
            return _BUCKET.pack(0, 0) + _PAGE_HEADER.pack(0, LEAF_PAGE, len(items), 0) + body
        return _BUCKET.pack(self.tree(items), 0)

    def _branch(self, children: list[tuple[bytes, int]]) -> int:
        elements, data = bytearray(), bytearray()
        table = _BRANCH_ELEMENT.size * len(children)
        for i, (key, child) in enumerate(children):
            pos = table - i * _BRANCH_ELEMENT.size + len(data)
            elements += _BRANCH_ELEMENT.pack(pos, len(key), child)
            data += key
        return self._page(BRANCH_PAGE, len(children), bytes(elements + data))

    @staticmethod
    def _chunks(items: list, size_of, least: int = 1) -> list[list]:
        """Split into runs that fit one page (a single larger item gets overflow pages)."""
        chunks: list[list] = []
        filler = _PageFiller(least)
        for item in items:
            if filler.add(size_of(item)):
                chunks.append([])
            chunks[-1].append(item)
        return chunks or [[]]

    def tree(self, items: list[tuple[bytes, bytes, int]]) -> int:
        """Write a B+tree of sorted (key, value, flags); the id of its root page."""
        leaves = self._chunks(items, lambda it: _LEAF_ELEMENT.size + len(it[0]) + len(it[1]))
        level = [(chunk[0][0] if chunk else b"", self._leaf(chunk)) for chunk in leaves]
        while len(level) > 1:
            groups = self._chunks(level, lambda child: _BRANCH_ELEMENT.size + len(child[0]), MIN_KEYS_PER_PAGE)
            level = [(group[0][0], self._branch(group)) for group in groups]
        return level[0][1]


def _leaf_body(items: list[tuple[bytes, bytes, int]]) -> bytes:
    """A leaf page's elements and their keys and values, without the page header."""
    elements, data = bytearray(), bytearray()
    table = _LEAF_ELEMENT.size * len(items)
    for i, (key, value, flags) in enumerate(items):
        pos = table - i * _LEAF_ELEMENT.size + len(data)
        elements += _LEAF_ELEMENT.pack(flags, pos, len(key), len(value))
        data += key + value
    return bytes(elements + data)


def _meta_page(page_id: int, root: int, page_count: int, txid: int) -> bytes:
    meta = _META.pack(MAGIC, VERSION, PAGE_SIZE, 0, root, 0, 2, page_count, txid)
    body = meta + _CHECKSUM.pack(_fnv64a(meta))
    return (_PAGE_HEADER.pack(page_id, META_PAGE, 0, 0) + body).ljust(PAGE_SIZE, b"\0")


def write_db(buckets: Mapping[bytes, Iterable[tuple[bytes, bytes]]]) -> bytes:
    """A bbolt database file holding `buckets` (name -> (key, value) pairs, any order)."""
    writer = _Writer()
    headers = []
    for name in sorted(buckets):
        items = sorted((key, value, 0) for key, value in buckets[name])
        headers.append((name, writer.bucket(items), BUCKET_LEAF_FLAG))
    root = writer.tree(headers)
    page_count = writer.next_id
    freelist = _PAGE_HEADER.pack(2, FREELIST_PAGE, 0, 0).ljust(PAGE_SIZE, b"\0")
    return b"".join([_meta_page(0, root, page_count, 1), _meta_page(1, root, page_count, 2),
                     freelist, *writer.pages])


def read_db(data: bytes, path: str = "") -> dict[bytes, list[tuple[bytes, bytes]]]:
    """Every top-level bucket of a bbolt file and its (key, value) pairs in key order."""

    def fail(problem: str) -> BoltError:
        return BoltError(path=path, problem=problem)

    # bbolt's Open reads a whole first 4 KiB to find the page size, whatever that size is.
    if len(data) < 0x1000:
        raise fail("invalid database (shorter than the 4 KiB bbolt reads first)")
    # bbolt takes the page size from meta page 0; when that page is damaged it assumes the OS's
    # (4 KiB here, as the file was made with) and still finds meta page 1 there. Every page is
    # then addressed with that size, whichever meta is used.
    meta0 = _valid_meta(data, 0)
    page_size = meta0[2] if meta0 else PAGE_SIZE
    if len(data) < 2 * page_size:
        raise fail("file size too small")  # bbolt's mmap
    metas = [meta for meta in (meta0, _valid_meta(data, page_size)) if meta]
    if not metas:
        raise fail("no valid meta page (not a bbolt file, or damaged)")
    root = max(metas, key=lambda fields: fields[8])[4]

    def bucket(value_start: int) -> list[tuple[bytes, bytes]]:
        bucket_root, _ = _BUCKET.unpack_from(data, value_start)
        # An inline bucket (root 0) keeps its one leaf page right after the bucket header.
        start = value_start + _BUCKET.size if bucket_root == 0 else bucket_root * page_size
        items = []
        for key, (lo, hi), flags in _walk(data, start, page_size, fail):
            if flags & BUCKET_LEAF_FLAG:
                raise fail(f"nested bucket {key!r}: not used by etcd, not read here")
            items.append((key, data[lo:hi]))
        return items

    out = {}
    for name, (value_start, _), flags in _walk(data, root * page_size, page_size, fail):
        if not flags & BUCKET_LEAF_FLAG:
            raise fail(f"top-level key {name!r} is not a bucket")
        out[name] = bucket(value_start)
    return out


def _valid_meta(data: bytes, offset: int) -> tuple | None:
    """The fields of the meta page at `offset` if its magic and version hold and so does its
    checksum, unless that is 0: bbolt's meta.validate checks only a checksum that was written."""
    start = offset + _PAGE_HEADER.size
    if start + _META.size + _CHECKSUM.size > len(data):
        return None
    fields = _META.unpack_from(data, start)
    checksum = _CHECKSUM.unpack_from(data, start + _META.size)[0]
    if (fields[0], fields[1]) != (MAGIC, VERSION):
        return None
    if checksum != 0 and checksum != _fnv64a(data[start:start + _META.size]):
        return None
    return fields


def _walk(data: bytes, offset: int, page_size: int, fail):
    """(key, (value start, value end), flags) of each element under the page at `offset`, in
    key order; offsets, not bytes, because an inline bucket's page lies inside its value."""
    if offset + _PAGE_HEADER.size > len(data):
        raise fail(f"page at offset {offset} is past the end of the file")
    _, flags, count, _ = _PAGE_HEADER.unpack_from(data, offset)
    base = offset + _PAGE_HEADER.size
    if flags == BRANCH_PAGE:
        for i in range(count):
            _, _, child = _BRANCH_ELEMENT.unpack_from(data, base + i * _BRANCH_ELEMENT.size)
            yield from _walk(data, child * page_size, page_size, fail)
    elif flags == LEAF_PAGE:
        for i in range(count):
            element = base + i * _LEAF_ELEMENT.size
            item_flags, pos, ksize, vsize = _LEAF_ELEMENT.unpack_from(data, element)
            start = element + pos + ksize
            if start + vsize > len(data):  # bbolt would read past its mapping of the file
                raise fail(f"element {i} of the page at offset {offset} runs past the end of the file")
            yield data[element + pos:start], (start, start + vsize), item_flags
    else:
        raise fail(f"page at offset {offset} has type {flags:#x}, not a branch or leaf")
