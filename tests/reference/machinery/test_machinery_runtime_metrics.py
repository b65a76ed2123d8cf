"""The process and Go collectors' families every component's /metrics and etcd's carry, measured
for this process (machinery.runtimestats) and written as client_golang writes them
(machinery.prometheus). Names, help texts and types are those a real kube-scheduler 1.24 and etcd
3.4 export."""
from __future__ import annotations

import gc
import os
import resource
import threading
import time

import pytest

from reference_impl.machinery import process, runtimestats
from reference_impl.machinery.prometheus import Registry, Summary, go_families, process_families
from reference_impl.machinery.runtimestats import UNLIMITED, GCPauses, open_fds, read_soft_limits, read_stat

# As kube-scheduler 1.24 and etcd 3.4 write them (the families the reference can measure).
PROCESS_FAMILIES = {
    "process_cpu_seconds_total": ("Total user and system CPU time spent in seconds.", "counter"),
    "process_max_fds": ("Maximum number of open file descriptors.", "gauge"),
    "process_open_fds": ("Number of open file descriptors.", "gauge"),
    "process_resident_memory_bytes": ("Resident memory size in bytes.", "gauge"),
    "process_start_time_seconds": ("Start time of the process since unix epoch in seconds.", "gauge"),
    "process_virtual_memory_bytes": ("Virtual memory size in bytes.", "gauge"),
    "process_virtual_memory_max_bytes": ("Maximum amount of virtual memory available in bytes.", "gauge"),
}
GO_FAMILIES = {
    "go_goroutines": ("Number of goroutines that currently exist.", "gauge"),
    "go_memstats_alloc_bytes": ("Number of bytes allocated and still in use.", "gauge"),
    "go_memstats_heap_alloc_bytes": ("Number of heap bytes allocated and still in use.", "gauge"),
    "go_memstats_heap_idle_bytes": ("Number of heap bytes waiting to be used.", "gauge"),
    "go_memstats_heap_inuse_bytes": ("Number of heap bytes that are in use.", "gauge"),
    "go_memstats_heap_objects": ("Number of allocated objects.", "gauge"),
    "go_memstats_heap_sys_bytes": ("Number of heap bytes obtained from system.", "gauge"),
    "go_memstats_sys_bytes": ("Number of bytes obtained from system.", "gauge"),
    "go_threads": ("Number of OS threads created.", "gauge"),
}
GC_FAMILIES = {
    "go_gc_duration_seconds": ("A summary of the pause duration of garbage collection cycles.", "summary"),
    "go_memstats_gc_cpu_fraction": ("The fraction of this program's available CPU time used by the GC since the "
                                    "program started.", "gauge"),
    "go_memstats_last_gc_time_seconds": ("Number of seconds since 1970 of last garbage collection.", "gauge"),
}


@pytest.fixture
def untracked(monkeypatch):
    """The collector's runs as if no `main` had hooked it in this test process."""
    monkeypatch.setattr(runtimestats, "_gc_pauses", None)


@pytest.fixture
def tracked(monkeypatch):
    pauses = GCPauses()
    monkeypatch.setattr(runtimestats, "_gc_pauses", pauses)
    gc.callbacks.append(pauses)
    yield pauses
    gc.callbacks.remove(pauses)


def samples(text: str) -> dict[str, float]:
    return {line.rpartition(" ")[0]: float(line.rpartition(" ")[2])
            for line in text.splitlines() if not line.startswith("#")}


def test_start_time_is_this_process_start():
    started = read_stat().start_time
    assert started <= time.time()
    assert started == read_stat(os.getpid()).start_time
    assert read_stat(1).start_time <= started  # init started first


def test_memory_is_what_proc_status_calls_vmrss_and_vmsize():
    """Read a moment apart, so within a margin."""
    with open("/proc/self/status") as status:
        kib = {line.split(":")[0]: int(line.split()[1]) for line in status if line.startswith(("VmRSS:", "VmSize:"))}
    stat = read_stat()
    assert abs(stat.resident_memory - kib["VmRSS"] * 1024) < 4 * 1024 * 1024
    assert abs(stat.virtual_memory - kib["VmSize"] * 1024) < 64 * 1024 * 1024


def test_heap_bytes_follow_what_the_process_allocates(untracked):
    """The memstats byte gauges are measured, not zeros: 8 MB held more shows in alloc and inuse
    bytes (and in what the heap got from the system), and is gone from them once freed."""
    def heap() -> dict[str, float]:
        return {name: value for name, value in samples("".join(f.text() for f in go_families())).items()
                if name.endswith("_bytes")}

    before = heap()
    held = [bytearray(8 * 1024 * 1024)]
    during = heap()
    del held[:]
    after = heap()
    for name in ("go_memstats_alloc_bytes", "go_memstats_heap_alloc_bytes", "go_memstats_heap_inuse_bytes"):
        assert during[name] - before[name] >= 7.5 * 1024 * 1024
        assert during[name] - after[name] >= 7.5 * 1024 * 1024
    assert during["go_memstats_heap_sys_bytes"] >= during["go_memstats_heap_inuse_bytes"] > 0
    assert during["go_memstats_sys_bytes"] == pytest.approx(read_stat().resident_memory, abs=16 * 1024 * 1024)


def test_cpu_seconds_are_user_plus_system_time():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    assert abs(read_stat().cpu_seconds - (usage.ru_utime + usage.ru_stime)) < 0.05


def test_threads_count_the_os_threads():
    before = read_stat().num_threads
    release = threading.Event()
    worker = threading.Thread(target=release.wait)
    worker.start()
    try:
        assert read_stat().num_threads == before + 1
    finally:
        release.set()
        worker.join()


def test_open_fds_count_each_descriptor_opened():
    before = open_fds()
    with open(__file__):
        assert open_fds() == before + 1


def test_limits_are_the_soft_limits_with_unlimited_as_the_largest_uint64():
    """procfs reads "unlimited" as ^uint64(0), which Prometheus writes 1.8446744073709552e+19."""
    limits = read_soft_limits()
    assert limits["Max open files"] == resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    address_space = resource.getrlimit(resource.RLIMIT_AS)[0]
    assert limits["Max address space"] == (UNLIMITED if address_space == resource.RLIM_INFINITY else address_space)


def test_pause_quantiles_are_picked_from_the_sorted_pauses_as_read_gc_stats_picks_them():
    """The minimum and quartiles, sorted[n*i/4] for i in 0..3, then the maximum."""
    pauses = GCPauses()
    pauses.num_gc = 6
    pauses.pause_ns[:6] = [6000, 1000, 5000, 2000, 4000, 3000]
    assert pauses.pause_quantiles() == (1e-06, 2e-06, 4e-06, 5e-06, 6e-06)  # sorted[0, 1, 3, 4, 5]
    assert GCPauses().pause_quantiles() == (0.0,) * 5


def test_a_summary_is_written_as_client_golang_writes_one():
    summary = Summary("go_gc_duration_seconds", "A summary of the pause duration of garbage collection cycles.",
                      ((0.0, 7.5443e-05), (0.25, 7.5443e-05), (0.5, 0.000661463), (0.75, 0.000661463),
                       (1.0, 0.000661463)), 0.000736906, 2)
    assert summary.text() == (  # etcd 3.4's, as it wrote it
        "# HELP go_gc_duration_seconds A summary of the pause duration of garbage collection cycles.\n"
        "# TYPE go_gc_duration_seconds summary\n"
        'go_gc_duration_seconds{quantile="0"} 7.5443e-05\n'
        'go_gc_duration_seconds{quantile="0.25"} 7.5443e-05\n'
        'go_gc_duration_seconds{quantile="0.5"} 0.000661463\n'
        'go_gc_duration_seconds{quantile="0.75"} 0.000661463\n'
        'go_gc_duration_seconds{quantile="1"} 0.000661463\n'
        "go_gc_duration_seconds_sum 0.000736906\n"
        "go_gc_duration_seconds_count 2\n")


def test_every_registry_writes_the_process_and_go_families_with_upstream_help_and_types(untracked):
    """What legacyregistry registers for every component; the collector's runs only once tracked,
    and never go_info (there is no Go version to report) or zeros for what is not measured."""
    text = Registry().text().decode()
    expected = {**GO_FAMILIES, **PROCESS_FAMILIES}
    for name, (help_text, kind) in expected.items():
        assert f"# HELP {name} {help_text}\n# TYPE {name} {kind}\n" in text
    names = [line.split()[2] for line in text.splitlines() if line.startswith("# TYPE")]
    assert names == sorted(expected)


def test_the_families_are_this_process_readings():
    values = samples(Registry().text().decode())
    assert values["process_open_fds"] == open_fds()
    assert values["process_max_fds"] == resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    assert values["process_start_time_seconds"] == read_stat().start_time
    assert values["go_goroutines"] == threading.active_count()
    assert values["go_threads"] >= threading.active_count()
    assert values["process_cpu_seconds_total"] > 0 and values["process_resident_memory_bytes"] > 0


def test_a_collection_shows_in_the_gc_duration_summary_and_the_last_gc_time(tracked):
    ended_after = time.time()
    gc.collect()
    families = {family.name: family for family in go_families()}
    assert GC_FAMILIES.keys() <= families.keys()
    for name, (help_text, kind) in GC_FAMILIES.items():
        assert f"# HELP {name} {help_text}\n# TYPE {name} {kind}\n" in families[name].text()
    summary = samples(families["go_gc_duration_seconds"].text())
    assert summary["go_gc_duration_seconds_count"] == tracked.num_gc >= 1
    assert 0 < summary['go_gc_duration_seconds{quantile="1"}'] <= summary["go_gc_duration_seconds_sum"]
    assert samples(families["go_memstats_last_gc_time_seconds"].text())[
        "go_memstats_last_gc_time_seconds"] >= ended_after
    assert 0 < samples(families["go_memstats_gc_cpu_fraction"].text())["go_memstats_gc_cpu_fraction"] < 1


def test_etcds_go_collector_writes_no_gc_cpu_fraction(tracked):
    """etcd 3.4's client_golang has no go_memstats_gc_cpu_fraction; Kubernetes 1.24's has."""
    assert "go_memstats_gc_cpu_fraction" not in [family.name for family in go_families(gc_cpu_fraction=False)]


def test_the_kubelets_start_time_carries_its_stability_prefix():
    (start,) = [family for family in process_families("[ALPHA] Start time") if family.name.startswith("process_start")]
    assert start.text().startswith("# HELP process_start_time_seconds [ALPHA] Start time\n")


def test_a_components_main_tracks_the_collector(untracked):
    component = process.Component("reference test", lambda argv, env: None, lambda options, proc: None)
    try:
        assert process.main(component, [], {}) == process.EXIT_OK
        assert runtimestats.gc_pauses() is not None
    finally:
        gc.callbacks.remove(runtimestats.gc_pauses())
