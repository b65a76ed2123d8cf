"""How benchmarks/kubectl_random_differential.py tells a deliberate difference from a fault (no
servers started)."""
from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from kubectl_random_differential import known  # noqa: E402

PVC_DIFF = """core.PersistentVolumeClaimSpec{
-  AccessModes: []core.PersistentVolumeAccessMode{"ReadWriteOnce"},
+  AccessModes: []core.PersistentVolumeAccessMode{"ReadOnlyMany"},
Selector:  nil,
... // 3 identical fields
}
"""
IMMUTABLE = "spec: Forbidden: spec is immutable after creation except resources.requests for bound claims"
SMALLER = "spec.resources.requests.storage: Forbidden: field can not be less than previous value"


def answer(stderr: str) -> dict:
    return {"code": 1, "stdout": "", "stderr": stderr}


def test_a_go_cmp_diff_inside_an_aggregate_is_the_known_difference():
    """Upstream's immutable-spec message ends in go-cmp's diff and its newline, so the aggregate's
    next error starts a line with ", "; the reference writes the same errors on one line."""
    real = answer(f'PersistentVolumeClaim "pvc-0" is invalid: [{IMMUTABLE}\n{PVC_DIFF}, {SMALLER}]')
    ours = answer(f'PersistentVolumeClaim "pvc-0" is invalid: [{IMMUTABLE}, {SMALLER}]')
    assert known(real, ours) == "go-cmp diff of an immutable spec"


def test_errors_that_differ_beside_the_diff_are_not_known():
    """Only the diff is forgiven: a second error the reference lacks is still a difference."""
    real = answer(f'PersistentVolumeClaim "pvc-0" is invalid: [{IMMUTABLE}\n{PVC_DIFF}, {SMALLER}]')
    ours = answer(f'PersistentVolumeClaim "pvc-0" is invalid: {IMMUTABLE}')
    assert known(real, ours) is None


def test_a_watch_failed_at_the_wait_deadline_is_the_known_difference():
    """client-go's reflector logs "Failed to watch" with the ended context over HTTP/1.1 as the
    race at a wait's deadline goes; the same timeout without that line is the known difference."""
    timed_out = "error: timed out waiting for the condition on jobs/job-2"
    failed = ('E reflector.go:200] "Failed to watch" err="context deadline exceeded" '
              'reflector="k8s.io/client-go/tools/watch/informerwatcher.go:162" type="*unstructured.Unstructured"')
    assert known(answer(timed_out), answer(f"{failed}\n{timed_out}")) == \
        "client-go's watch failure at the deadline over HTTP/1.1"


def test_a_watch_failed_for_another_reason_is_not_known():
    """Only the ended context's failure is forgiven: a watch that failed otherwise is a fault."""
    timed_out = "error: timed out waiting for the condition on jobs/job-2"
    failed = 'E reflector.go:200] "Failed to watch" err="the server could not find the requested resource"'
    assert known(answer(timed_out), answer(f"{failed}\n{timed_out}")) is None
