"""machinery.gosort: Go's sort.Sort, equal elements left where Go leaves them."""
from __future__ import annotations

import pytest

from reference_impl.machinery.gosort import go_sort

# (values, reversed, the indexes in the order Go 1.19's sort.Sort, or sort.Sort(sort.Reverse),
# leaves a slice of those values compared by value): recorded by a Go program. 120 values of
# 4 kinds take the ninther pivot, partitions of equal elements and insertion sorts; a repeated
# descending run takes the reversed-range path.
RECORDED = [
    ("1123003211333111300102023333312001312323323120212012200330203102330003221020000132210222"
     "13333023123222032031023222300022", False,
     "31 117 116 115 4 5 108 105 102 93 84 78 77 76 75 73 68 17 18 67 20 66 22 62 59 57 54 53 "
     "49 45 32 61 0 33 1 35 107 8 96 9 88 83 79 43 13 29 14 47 15 72 50 19 99 101 119 118 2 "
     "113 58 112 111 52 23 63 109 36 21 51 7 104 70 71 100 48 74 46 44 30 97 38 94 81 82 41 87"
     " 85 86 103 80 89 10 91 92 39 69 95 42 11 98 12 16 27 37 90 40 28 106 65 6 64 110 60 24 "
     "25 114 3 56 34 55 26"),
    ("3221212222300121212130022131021321001212202132232323303110331032210201001300301210300212"
     "30211001121033021230320010000300", True,
     "88 59 54 117 0 52 51 49 47 44 10 108 106 62 73 76 31 101 82 100 20 58 26 85 40 23 90 87 "
     "97 29 18 16 32 79 103 14 67 37 64 39 24 63 42 105 9 45 46 8 48 7 50 6 109 4 2 1 60 15 56"
     " 55 3 112 43 5 38 65 13 36 104 69 17 19 72 98 96 95 92 91 78 33 80 25 30 27 86 70 81 83 "
     "102 89 57 77 34 93 94 75 74 21 35 99 71 118 84 22 68 66 12 107 11 41 110 111 61 113 114 "
     "115 116 53 28 119"),
    ("543215432154321543215432154321543215432154321543215432154321", False,
     "14 59 34 39 4 29 44 24 19 9 54 49 18 28 38 33 53 3 58 8 48 13 43 23 7 57 22 27 47 37 42 "
     "17 32 52 2 12 31 16 1 6 56 41 36 26 11 51 46 21 30 20 50 45 15 25 10 55 40 0 5 35"),
]


@pytest.mark.parametrize("values, descending, order", RECORDED)
def test_equal_elements_come_out_in_gos_order(values, descending, order):
    items = list(enumerate(int(v) for v in values))
    if descending:
        go_sort(items, lambda a, b: b[1] < a[1])
    else:
        go_sort(items, lambda a, b: a[1] < b[1])
    assert [str(i) for i, _ in items] == order.split()
    assert [v for _, v in items] == sorted((int(v) for v in values), reverse=descending)


def test_short_and_sorted_inputs():
    for values in ([], [1], [2, 1], list(range(100))):
        items = list(values)
        go_sort(items, lambda a, b: a < b)
        assert items == sorted(values)
