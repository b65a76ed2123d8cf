"""How etcd's bbolt file grows past its live pages when large values are written (sans-IO).

bbolt never writes a page in place: each commit writes the leaf a put changed to newly
allocated pages and frees the old copy, which it can hand out again only from the next commit
on (etcd 3.4 closes its read transaction on the old state as the commit ends; recorded: the
copy freed by one put was reused by the put after it). A leaf of large values spans many pages
(overflow), and its new copy needs that many *contiguous* free pages; none being free, the
file's high-water mark (what Status's dbSize and the space quota read: tx.Size(), the meta's
page id times the page size) grows by the whole leaf. So every put into a leaf of large values
costs the leaf again, once.

This models just that: the `key` bucket's last leaf as bbolt lays out etcd's sequential puts
(FillPercent 0.9; a node of at most 2 * minKeysPerPage keys is never split), and the free pages
its earlier copies left, taken as one run: the copies of one growing leaf lie side by side,
and bbolt's freelist joins adjacent free pages. Nodes of one page come and go at every commit
and are found free again at once, so they are left to the live layout (bolt.layout_size).
Recorded from etcd 3.4.23, one `etcdctl put` at a time, (dbSize, dbSizeInUse) in pages after
puts of 500,000, 100, 100, 100, 100 and five of 500,000 bytes: (128, 127), (251, 250) three
times, (252, 252), (253, 253), (498, 498), (865, 742), (1232, 987), (1232, 1109); the
reference with this model: (128, 127), (253, 252) five times, (499, 498), (867, 743),
(1234, 988), (1235, 1111). With --quota-backend-bytes 2000000 both take two puts of 500,000
bytes and refuse the third (the reference took three before).
"""
from __future__ import annotations

from reference_impl.etcd.bolt import MIN_KEYS_PER_PAGE, PAGE_SIZE, _LEAF_ELEMENT, _PAGE_HEADER, _span

SEQ_FILL_PERCENT = 0.9  # etcd's batchTx.UnsafeSeqPut sets it on the `key` bucket


def split_leaf(sizes: list[int]) -> list[list[int]]:
    """The pages bbolt's node.split makes of a leaf whose elements take `sizes` bytes (element
    header, key and value): splitTwo leaves a node of at most 4 keys, or one fitting a page,
    whole; else splitIndex cuts where the first part would pass the fill threshold, keeping
    at least minKeysPerPage keys on each side."""
    parts = []
    threshold = int(PAGE_SIZE * SEQ_FILL_PERCENT)
    while len(sizes) > 2 * MIN_KEYS_PER_PAGE and _PAGE_HEADER.size + sum(sizes) >= PAGE_SIZE:
        used, index = _PAGE_HEADER.size, 0
        for i in range(len(sizes) - MIN_KEYS_PER_PAGE):
            index = i
            if index >= MIN_KEYS_PER_PAGE and used + sizes[i] > threshold:
                break
            used += sizes[i]
        parts.append(sizes[:index])
        sizes = sizes[index:]
    return parts + [sizes]


class LeafGrowth:
    """The pages past the live layout that large leaves' copies hold: `pending` (freed by the
    last commit, still counted in use) and `free`."""

    def __init__(self) -> None:
        self.last_leaf: list[int] = []  # the element sizes of the `key` bucket's last leaf
        self.last_leaf_bytes = _PAGE_HEADER.size  # its page header and elements
        self.free = 0
        self.pending = 0

    def commit(self, record_sizes: list[tuple[int, int]]) -> None:
        """One bbolt commit that appends (key size, value size) records to the `key` bucket."""
        self.free += self.pending  # released as the next transaction begins
        self.pending = 0
        if not record_sizes:
            return
        old_span = _span(self.last_leaf_bytes) if self.last_leaf else 0
        for key, value in record_sizes:
            self.last_leaf.append(_LEAF_ELEMENT.size + key + value)
            self.last_leaf_bytes += self.last_leaf[-1]
        if self.last_leaf_bytes < PAGE_SIZE:
            return  # a leaf of one page, written anew as every commit's
        parts = split_leaf(self.last_leaf)
        for part in parts:
            self._allocate(_span(_PAGE_HEADER.size + sum(part)))
        if old_span > 1:
            self.pending = old_span
        self.last_leaf = parts[-1]
        self.last_leaf_bytes = _PAGE_HEADER.size + sum(self.last_leaf)

    def _allocate(self, pages: int) -> None:
        """A run of `pages` from the free run if it is long enough, else from the end of the
        file (pages the live layout counts). A single page is always found (see the module doc)."""
        if 1 < pages <= self.free:
            self.free -= pages

    def extra_pages(self) -> tuple[int, int]:
        """(pages of the file beyond the live ones, of which still in use): the free pages
        and the pending copy."""
        return self.free + self.pending, self.pending

    def forget_leaf(self) -> None:
        """A compaction took records out of the middle: the next put begins a leaf anew."""
        self.last_leaf, self.last_leaf_bytes = [], _PAGE_HEADER.size
