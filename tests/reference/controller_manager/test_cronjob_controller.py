"""The CronJob controller's sync, one rule per test."""
from __future__ import annotations

import datetime

import pytest

from cm_fixtures import uid
from workload_fixtures import cronjob

from reference_impl.machinery.actions import Create, Delete, RecordEvent, Update
from reference_impl.machinery.clock import ManualClock
from reference_impl.controller_manager.cronjob import CronJobController
from reference_impl.machinery.timefmt import rfc3339


def at(text: str) -> float:
    return datetime.datetime.fromisoformat(text).replace(tzinfo=datetime.timezone.utc).timestamp()


def clock_at(text: str) -> ManualClock:
    return ManualClock(at(text))


def creates(actions):
    return [a for a in actions if isinstance(a, Create)]


def deletes(actions):
    return [a for a in actions if isinstance(a, Delete)]


def status_of(actions):
    (update,) = [a for a in actions if isinstance(a, Update)]
    assert (update.resource, update.subresource) == ("cronjobs", "status")
    return update.obj["status"]


def child(cj, name, finished=None, start="2026-01-01T00:00:00Z", completed=None):
    status = {"startTime": start}
    if finished:
        status["conditions"] = [{"type": finished, "status": "True"}]
    if completed:
        status["completionTime"] = completed
    return {"apiVersion": "batch/v1", "kind": "Job",
            "metadata": {"name": name, "namespace": cj["metadata"]["namespace"], "uid": uid(),
                         "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "controller": True,
                                              "name": cj["metadata"]["name"], "uid": cj["metadata"]["uid"]}]},
            "spec": {}, "status": status}


def started_at_five(cj):
    """The Job the CronJob started at its lastScheduleTime, 00:05, still running."""
    cj["status"]["lastScheduleTime"] = "2026-01-01T00:05:00Z"
    return child(cj, f"{cj['metadata']['name']}-{int(at('2026-01-01T00:05:00')) // 60}")


def test_nothing_is_created_before_the_first_scheduled_time():
    """A CronJob created at 00:00 with `*/5` creates nothing at 00:04."""
    assert creates(CronJobController(clock_at("2026-01-01T00:04:00")).sync(cronjob(), [])) == []


def test_a_job_named_after_the_scheduled_minute_is_created():
    """At 00:05:10 the Job `<cronjob>-<unix minutes of 00:05>` is created from the jobTemplate."""
    (create,) = creates(CronJobController(clock_at("2026-01-01T00:05:10")).sync(cronjob(), []))
    assert create.obj["metadata"]["name"] == f"hello-{int(at('2026-01-01T00:05:00')) // 60}"
    assert create.obj["metadata"]["labels"] == {"cron": "hello"}
    assert create.obj["metadata"]["ownerReferences"][0]["kind"] == "CronJob"


def test_last_schedule_time_records_the_scheduled_time_not_now():
    """lastScheduleTime is the schedule's time (00:05), not the clock's."""
    actions = CronJobController(clock_at("2026-01-01T00:05:10")).sync(cronjob(), [])
    assert status_of(actions)["lastScheduleTime"] == rfc3339(at("2026-01-01T00:05:00"))


def test_only_the_most_recent_missed_time_is_started():
    """After missing several start times, one Job is created, for the latest of them."""
    (create,) = creates(CronJobController(clock_at("2026-01-01T00:17:00")).sync(cronjob(), []))
    assert create.obj["metadata"]["name"].endswith(str(int(at("2026-01-01T00:15:00")) // 60))


def test_a_scheduled_time_already_started_is_not_started_again():
    """With lastScheduleTime at the current scheduled time, nothing is created."""
    cj = cronjob()
    cj["status"]["lastScheduleTime"] = "2026-01-01T00:05:00Z"
    assert CronJobController(clock_at("2026-01-01T00:06:00")).sync(cj, []) == []


def test_starting_deadline_skips_a_start_that_is_too_late():
    """A start time more than startingDeadlineSeconds ago is missed, not started."""
    cj = cronjob(schedule="0 * * * *", deadline=60)
    assert creates(CronJobController(clock_at("2026-01-01T01:02:00")).sync(cj, [])) == []


def test_starting_deadline_still_allows_a_recent_start():
    """A start time within startingDeadlineSeconds is started."""
    cj = cronjob(schedule="0 * * * *", deadline=300)
    assert len(creates(CronJobController(clock_at("2026-01-01T01:02:00")).sync(cj, []))) == 1


def test_unfinished_jobs_it_controls_are_listed_as_active():
    """The running Job the CronJob started last appears in status.active once it is cached."""
    cj = cronjob()
    running = started_at_five(cj)
    status = status_of(CronJobController(clock_at("2026-01-01T00:06:00")).sync(cj, [running]))
    assert [r["uid"] for r in status["active"]] == [running["metadata"]["uid"]]


def test_forbid_skips_a_start_while_a_job_is_active():
    """concurrencyPolicy Forbid creates nothing while a Job is active."""
    cj = cronjob(policy="Forbid")
    assert creates(CronJobController(clock_at("2026-01-01T00:10:00")).sync(cj, [started_at_five(cj)])) == []


def test_allow_starts_beside_an_active_job():
    """concurrencyPolicy Allow creates the next Job while one is active."""
    cj = cronjob(policy="Allow")
    assert len(creates(CronJobController(clock_at("2026-01-01T00:10:00")).sync(cj, [started_at_five(cj)]))) == 1


def test_replace_deletes_the_active_job_and_starts_the_new_one():
    """concurrencyPolicy Replace deletes the active Jobs (in the background) and creates the next one."""
    cj = cronjob(policy="Replace")
    running = started_at_five(cj)
    actions = CronJobController(clock_at("2026-01-01T00:10:00")).sync(cj, [running])
    (delete,) = deletes(actions)
    assert (delete.name, delete.propagation_policy) == (running["metadata"]["name"], "Background")
    assert len(creates(actions)) == 1 and "active" not in status_of(actions)


def test_suspended_cronjob_starts_nothing():
    """spec.suspend stops new Jobs."""
    cj = cronjob()
    cj["spec"]["suspend"] = True
    assert creates(CronJobController(clock_at("2026-01-01T00:05:10")).sync(cj, [])) == []


def test_a_completed_job_sets_last_successful_time_and_leaves_active():
    """A Job that completed leaves status.active and its completionTime becomes lastSuccessfulTime."""
    cj = cronjob()
    done = child(cj, "hello-1", finished="Complete", completed="2026-01-01T00:06:00Z")
    cj["status"] = {"lastScheduleTime": "2026-01-01T00:05:00Z",
                    "active": [{"kind": "Job", "name": "hello-1", "namespace": "default",
                                "uid": done["metadata"]["uid"]}]}
    status = status_of(CronJobController(clock_at("2026-01-01T00:07:00")).sync(cj, [done]))
    assert "active" not in status and status["lastSuccessfulTime"] == "2026-01-01T00:06:00Z"


def test_finished_jobs_beyond_the_history_limits_are_deleted_oldest_first():
    """With successfulJobsHistoryLimit 3, the oldest of 4 completed Jobs is deleted."""
    cj = cronjob()
    cj["status"]["lastScheduleTime"] = "2026-01-01T00:05:00Z"
    jobs = [child(cj, f"hello-{i}", finished="Complete", start=f"2026-01-01T00:0{i}:00Z") for i in range(4)]
    actions = CronJobController(clock_at("2026-01-01T00:06:00")).sync(cj, jobs)
    assert [a.name for a in deletes(actions)] == ["hello-0"]


def test_failed_jobs_have_their_own_history_limit():
    """With failedJobsHistoryLimit 1, of two failed Jobs the older is deleted."""
    cj = cronjob()
    cj["status"]["lastScheduleTime"] = "2026-01-01T00:05:00Z"
    jobs = [child(cj, "old", finished="Failed", start="2026-01-01T00:01:00Z"),
            child(cj, "new", finished="Failed", start="2026-01-01T00:02:00Z")]
    assert [a.name for a in deletes(CronJobController(clock_at("2026-01-01T00:06:00")).sync(cj, jobs))] == ["old"]


def test_an_unparseable_schedule_creates_nothing():
    """A schedule that does not parse makes no Job (upstream only records an event)."""
    assert creates(CronJobController(clock_at("2026-01-01T00:05:10")).sync(cronjob(schedule="bad"), [])) == []


def test_a_job_template_without_annotations_gives_a_job_without_them():
    """getJobFromTemplate2's copyAnnotations makes an empty map for a template without
    annotations, which omitempty drops: the Job has no metadata.annotations."""
    (create,) = creates(CronJobController(clock_at("2026-01-01T00:05:10")).sync(cronjob(), []))
    assert "annotations" not in create.obj["metadata"]


def test_an_every_schedule_starts_jobs():
    """`@every 1m` (accepted by upstream's validation, robfig's ParseStandard) starts a Job one
    minute after the CronJob's creation."""
    (create,) = creates(CronJobController(clock_at("2026-01-01T00:01:10")).sync(cronjob(schedule="@every 1m"), []))
    assert create.obj["metadata"]["name"] == f"hello-{int(at('2026-01-01T00:01:00')) // 60}"


def events(actions):
    return [(a.type, a.reason, a.message) for a in actions if isinstance(a, RecordEvent)]


def test_the_status_is_written_before_old_jobs_are_deleted():
    """syncCronJob's UpdateStatus comes before cleanupFinishedJobs' deletes, so the sync that a
    deleted Job's event starts sees the completed Job gone from status.active (one SawCompletedJob)."""
    cj = cronjob()
    cj["spec"]["successfulJobsHistoryLimit"] = 1
    old = child(cj, "hello-1", finished="Complete", start="2026-01-01T00:01:00Z")
    done = started_at_five(cj)
    done["status"]["conditions"] = [{"type": "Complete", "status": "True"}]
    cj["status"]["active"] = [{"kind": "Job", "name": done["metadata"]["name"], "namespace": "default",
                               "uid": done["metadata"]["uid"]}]
    actions = CronJobController(clock_at("2026-01-01T00:06:00")).sync(cj, [old, done])
    writes = [(type(a).__name__, a.resource) for a in actions if isinstance(a, (Update, Delete))]
    assert writes == [("Update", "cronjobs"), ("Delete", "jobs")]


def test_an_unfinished_job_it_did_not_start_is_unexpected():
    """A running Job the CronJob controls but did not start last (`kubectl create job --from`)
    stays out of status.active: Warning UnexpectedJob."""
    cj = cronjob()
    cj["status"]["lastScheduleTime"] = "2026-01-01T00:05:00Z"
    actions = CronJobController(clock_at("2026-01-01T00:06:00")).sync(cj, [child(cj, "manual")])
    assert events(actions) == [("Warning", "UnexpectedJob",
                                "Saw a job that the controller did not create or forgot: manual")]
    assert creates(actions) == [] and not [a for a in actions if isinstance(a, Update)]


def test_forbid_says_why_it_starts_nothing():
    """Forbid with a Job active: Normal JobAlreadyActive."""
    cj = cronjob(policy="Forbid")
    actions = CronJobController(clock_at("2026-01-01T00:10:00")).sync(cj, [started_at_five(cj)])
    assert events(actions) == [("Normal", "JobAlreadyActive",
                                "Not starting job because prior execution is running and concurrency policy is Forbid")]


def test_more_than_100_missed_start_times_are_a_warning():
    """A minutely CronJob last started 200 minutes ago: TooManyMissedTimes, and the latest still starts."""
    cj = cronjob(schedule="* * * * *")
    actions = CronJobController(clock_at("2026-01-01T03:20:30")).sync(cj, [])
    assert events(actions) == [("Warning", "TooManyMissedTimes", "too many missed start times: 200. Set or "
                                "decrease .spec.startingDeadlineSeconds or check clock skew")]
    assert len(creates(actions)) == 1


def test_an_unparseable_schedule_is_a_warning():
    """UnparseableSchedule with robfig/cron's reason."""
    actions = CronJobController(clock_at("2026-01-01T00:05:10")).sync(cronjob(schedule="61 * * * *"), [])
    assert events(actions) == [("Warning", "UnparseableSchedule", 'unparseable schedule: "61 * * * *" : '
                                "end of range (61) above maximum (59): 61")]


def test_a_job_it_started_is_not_unexpected_before_its_start_is_cached():
    """The Job created for 00:10 cached before the status write that records lastScheduleTime
    00:10: it is listed as active, not an UnexpectedJob (upstream rereads the CronJob first)."""
    cj = cronjob()
    cj["status"]["lastScheduleTime"] = "2026-01-01T00:05:00Z"
    running = child(cj, f"hello-{int(at('2026-01-01T00:10:00')) // 60}")
    actions = CronJobController(clock_at("2026-01-01T00:10:01")).sync(cj, [running])
    assert events(actions) == [] and creates(actions) == []
    assert [r["uid"] for r in status_of(actions)["active"]] == [running["metadata"]["uid"]]


def test_a_cronjob_comes_back_just_after_its_next_scheduled_time():
    """syncCronJob's requeueAfter: 100 ms past the next scheduled time (00:10 seen at 00:05:10);
    a suspended CronJob is not requeued."""
    ctl = CronJobController(clock_at("2026-01-01T00:05:10"))
    ctl.sync(cronjob(), [])
    assert ctl.requeue_after == pytest.approx(290.1)  # 00:10:00.1 - 00:05:10
    suspended = cronjob()
    suspended["spec"]["suspend"] = True
    ctl.sync(suspended, [])
    assert ctl.requeue_after is None
