"""Indexed Jobs (`completionMode: Indexed`): each pod runs one completion index from 0 to
`completions - 1`, carried in its `batch.kubernetes.io/job-completion-index` annotation (and, from
there, the JOB_COMPLETION_INDEX variable of every container), with hostname `<job>-<index>`. The Job
is done once every index has a succeeded pod; the succeeded indexes are kept in
`status.completedIndexes` as ordered intervals ("1,3-5,7"). A second active pod of one index, and
a pod with no index or one out of range, are deleted.

Intervals are (first, last) pairs, ordered and never adjacent: what upstream's orderedIntervals
holds (pkg/controller/job/indexed_job_utils.go).
"""
from __future__ import annotations

from reference_impl.mirrors import mirrors

COMPLETION_INDEX_ANNOTATION = "batch.kubernetes.io/job-completion-index"
COMPLETION_INDEX_ENV_NAME = "JOB_COMPLETION_INDEX"
UNKNOWN_COMPLETION_INDEX = -1
# names.MaxGeneratedNameLength: a name's 63 characters less the 5 the apiserver appends.
MAX_GENERATED_NAME_LENGTH = 63 - 5

Intervals = list[tuple[int, int]]


@mirrors("k8s.io/kubernetes/pkg/controller/job.isIndexedJob")
def is_indexed_job(job: dict) -> bool:
    return job["spec"].get("completionMode") == "Indexed"


@mirrors("k8s.io/kubernetes/pkg/controller/job.getCompletionIndex")
def get_completion_index(pod: dict) -> int:
    """The pod's index, or UNKNOWN_COMPLETION_INDEX when its annotation is missing, not a base-10
    integer (as strconv.Atoi reads one: an optional sign, digits only) or negative."""
    value = (pod["metadata"].get("annotations") or {}).get(COMPLETION_INDEX_ANNOTATION)
    if value is None:
        return UNKNOWN_COMPLETION_INDEX
    digits = value[1:] if value[:1] in ("+", "-") else value
    if not digits or not digits.isascii() or not digits.isdigit():
        return UNKNOWN_COMPLETION_INDEX
    index = int(value)
    return index if index >= 0 else UNKNOWN_COMPLETION_INDEX


def valid_completion_index(job: dict, pod: dict) -> bool:
    """The pod has an index below the Job's completions."""
    index = get_completion_index(pod)
    return index != UNKNOWN_COMPLETION_INDEX and index < (job["spec"].get("completions") or 0)


@mirrors("(k8s.io/kubernetes/pkg/controller/job.orderedIntervals).withOrderedIndexes")
def with_ordered_indexes(intervals: Intervals, new_indexes: list[int]) -> Intervals:
    """The intervals with `new_indexes` (increasing) merged in."""
    result: Intervals = []

    def append_or_merge(first: int, last: int) -> None:
        if not result or first > result[-1][1] + 1:
            result.append((first, last))
        elif result[-1][1] < last:
            result[-1] = (result[-1][0], last)
    i = j = 0
    while i < len(intervals) and j < len(new_indexes):
        if intervals[i][0] < new_indexes[j]:
            append_or_merge(*intervals[i])
            i += 1
        else:
            append_or_merge(new_indexes[j], new_indexes[j])
            j += 1
    for first, last in intervals[i:]:
        append_or_merge(first, last)
    for index in new_indexes[j:]:
        append_or_merge(index, index)
    return result


@mirrors("(k8s.io/kubernetes/pkg/controller/job.orderedIntervals).total")
def total(intervals: Intervals) -> int:
    return sum(last - first + 1 for first, last in intervals)


@mirrors("(k8s.io/kubernetes/pkg/controller/job.orderedIntervals).String")
def intervals_string(intervals: Intervals) -> str:
    """"0-2,4,6,7": a range of two is written as two numbers."""
    parts = []
    for first, last in intervals:
        if last == first:
            parts.append(str(first))
        else:
            parts.append(f"{first}{',' if last == first + 1 else '-'}{last}")
    return ",".join(parts)


@mirrors("(k8s.io/kubernetes/pkg/controller/job.orderedIntervals).has")
def has(intervals: Intervals, index: int) -> bool:
    return any(first <= index <= last for first, last in intervals)


@mirrors("k8s.io/kubernetes/pkg/controller/job.succeededIndexesFromJob")
def succeeded_indexes_from_job(job: dict) -> Intervals:
    """status.completedIndexes read back, cut to the Job's completions; an interval that does not
    parse is skipped, as upstream logs and skips it."""
    text = (job.get("status") or {}).get("completedIndexes") or ""
    if not text:
        return []
    completions = job["spec"].get("completions") or 0
    result: Intervals = []
    for part in text.split(","):
        limits = part.split("-")
        first = _atoi(limits[0])
        if first is None:
            continue
        if first >= completions:
            break
        last = first
        if len(limits) > 1:
            last = _atoi(limits[1])
            if last is None:
                continue
            last = min(last, completions - 1)
        if result and result[-1][1] == first - 1:
            result[-1] = (result[-1][0], last)
        else:
            result.append((first, last))
    return result


def _atoi(text: str) -> int | None:
    digits = text[1:] if text[:1] in ("+", "-") else text
    return int(text) if digits and digits.isascii() and digits.isdigit() else None


@mirrors("k8s.io/kubernetes/pkg/controller/job.calculateSucceededIndexes")
def calculate_succeeded_indexes(job: dict, pods: list[dict], tracking: bool,
                                has_finalizer) -> tuple[Intervals, Intervals]:
    """(the indexes the status already counts, those and the ones succeeded since). A Job tracked
    with finalizers starts from completedIndexes and adds the succeeded pods still carrying their
    finalizer (`has_finalizer`); a legacy Job counts the succeeded pods alone."""
    previous = succeeded_indexes_from_job(job) if tracking else []
    new = sorted({get_completion_index(p) for p in pods
                  if (p.get("status") or {}).get("phase") == "Succeeded" and valid_completion_index(job, p)
                  and (not tracking or has_finalizer(p))})
    return previous, with_ordered_indexes(previous, new)


@mirrors("k8s.io/kubernetes/pkg/controller/job.firstPendingIndexes")
def first_pending_indexes(active_pods: list[dict], succeeded: Intervals, count: int, completions: int) -> list[int]:
    """The `count` lowest indexes below `completions` that no active pod runs and none succeeded."""
    taken = with_ordered_indexes(succeeded, sorted({get_completion_index(p) for p in active_pods}
                                                   - {UNKNOWN_COMPLETION_INDEX}))
    result: list[int] = []
    candidate = 0
    for first, last in taken:
        while candidate < completions and len(result) < count and candidate < first:
            result.append(candidate)
            candidate += 1
        candidate = max(candidate, last + 1)
    while candidate < completions and len(result) < count:
        result.append(candidate)
        candidate += 1
    return result


@mirrors("k8s.io/kubernetes/pkg/controller/job.appendDuplicatedIndexPodsForRemoval",
         "k8s.io/kubernetes/pkg/controller/job.appendPodsWithSameIndexForRemovalAndRemaining")
def duplicated_index_pods_for_removal(pods: list[dict], completions: int, rank) -> tuple[list[dict], list[dict]]:
    """(the pods to remove, those left): every pod without an index or with one out of range, and
    of the pods sharing an index all but the one `rank` (controller.ActivePods' order, cheapest
    to lose first) puts last."""
    remove: list[dict] = []
    left: list[dict] = []
    by_index: dict[int, list[dict]] = {}
    for pod in pods:
        index = get_completion_index(pod)
        if index == UNKNOWN_COMPLETION_INDEX or index >= completions:
            remove.append(pod)
        else:
            by_index.setdefault(index, []).append(pod)
    for index in sorted(by_index):
        same = sorted(by_index[index], key=rank)
        remove += same[:-1]
        left.append(same[-1])
    return remove, left


@mirrors("k8s.io/kubernetes/pkg/controller/job.addCompletionIndexEnvVariables",
         "k8s.io/kubernetes/pkg/controller/job.addCompletionIndexEnvVariable")
def add_completion_index_env_variables(pod_spec: dict) -> None:
    """Each init container and container gets JOB_COMPLETION_INDEX from the pod's annotation,
    unless it sets a variable of that name itself."""
    for kind in ("initContainers", "containers"):
        for container in pod_spec.get(kind) or []:
            env = container.setdefault("env", [])
            if not any(v.get("name") == COMPLETION_INDEX_ENV_NAME for v in env):
                env.append({"name": COMPLETION_INDEX_ENV_NAME, "valueFrom": {"fieldRef": {
                    "fieldPath": f"metadata.annotations['{COMPLETION_INDEX_ANNOTATION}']"}}})


@mirrors("k8s.io/kubernetes/pkg/controller/job.podGenerateNameWithIndex")
def pod_generate_name_with_index(job_name: str, index: int) -> str:
    """"<job>-<index>-", the Job's name cut so that the generated name stays within 63 characters."""
    suffix = f"-{index}-"
    prefix = job_name + suffix
    if len(prefix) > MAX_GENERATED_NAME_LENGTH:
        prefix = prefix[:MAX_GENERATED_NAME_LENGTH - len(suffix)] + suffix
    return prefix
