"""One `main(argv, env)` for every reference component process.

A component hands in its name, its argparse-based parse function (given the environment, so
`KUBECONFIG` or `ETCD_DATA_DIR` fill in a missing flag as they do upstream), the function that runs
it, and its package's error roots. `main` parses, runs with SIGTERM and SIGINT turned into a stop
event, and maps every failure a user can cause to an exit code and one line on stderr, never a
traceback:

  0  stopped by SIGTERM/SIGINT (or the run returned); --help, and --version where it is a flag
  1  the component failed at run time (its error roots: a port in use, an apiserver that refuses);
     and a command line a Kubernetes component refuses (`pflag.FlagSet`): "Error: <pflag's words>",
     as cobra prints it and exits
  2  the command line (argparse's), the environment or a configuration file is wrong; and a
     panic (`Panic`), as Go's runtime exits
  255  an error the upstream command ends on with klog.Fatal

With $KUBEATLAS_EXIT_STATUS_FILE set, the exit code is also written to that file as `main`
returns: the local cluster's processes outlive the `kubeatlas cluster up` that started them, so no
parent is left to wait for their status, and `cluster status` reads it there.
"""
from __future__ import annotations

import argparse
import contextlib
import gc
import io
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from reference_impl.machinery import pflag
from reference_impl.machinery.runtimestats import track_gc_pauses
from reference_impl.mirrors import mirrors

EXIT_OK, EXIT_ERROR, EXIT_USAGE = 0, 1, 2
EXIT_FATAL = 255  # klog.Fatal's os.Exit(255)
EXIT_PANIC = 2  # Go's runtime ends a process with a panic no one recovered so
EXIT_STATUS_FILE = "KUBEATLAS_EXIT_STATUS_FILE"  # the environment variable naming where main writes its code
GC_THRESHOLD = 20_000  # allocations between young-generation collections (Python's default is 700)

# Each component process: the module whose main(argv, env) -> int runs it.
COMPONENT_MODULES = {"etcd": "reference_impl.etcd.run", "apiserver": "reference_impl.apiserver.adapter.run",
                     "controller-manager": "reference_impl.controller_manager.run",
                     "scheduler": "reference_impl.scheduler.run", "kubelet": "reference_impl.kubelet.run",
                     "proxy": "reference_impl.proxy.run"}


@dataclass(frozen=True)
class Process:
    """What a component's run function gets: its environment, the stop event SIGTERM and SIGINT
    set, and where its ready line goes."""

    env: Mapping[str, str]
    stop: threading.Event
    out: TextIO


@dataclass(frozen=True)
class Component:
    name: str  # "reference kube-scheduler": starts each error line
    # (argv, env) -> the options `run` takes; argparse's errors and --help exit as usual.
    parse: Callable[[list[str] | None, Mapping[str, str]], Any]
    run: Callable[[Any, Process], None]
    # Package error roots: a failure at run time, exit 1.
    errors: tuple[type[Exception], ...] = ()
    # Errors that mean the user's configuration is wrong (an unreadable kubeconfig), exit 2; they
    # are matched before `errors`, so they may be subclasses of those roots.
    config_errors: tuple[type[Exception], ...] = ()
    # Errors the upstream command ends on with klog.Fatal, exit 255; matched before the others.
    fatal_errors: tuple[type[Exception], ...] = ()


class Panic(Exception):
    """What the upstream component does not recover from: the process ends as Go's runtime ends
    it, exit 2, for its supervisor to start it afresh. A panic that a loop's HandleCrash logged
    and panicked on again is `recovered` (`panic: VALUE [recovered]`, then the second panic
    indented); one in a goroutine with no recover is not (`panic: VALUE`). The component logs
    the traceback before raising it."""

    def __init__(self, value: str, recovered: bool = True) -> None:
        super().__init__(value)
        self.recovered = recovered


def relax_collector() -> None:
    """For a server that has started: what it holds now (caches, the state it recovered) lives
    as long as it does, so the cyclic collector stops rescanning it, and young objects are
    collected every GC_THRESHOLD allocations, not every 700 of a request that allocates hundreds."""
    gc.freeze()
    gc.set_threshold(GC_THRESHOLD, 20, 20)


def main(component: Component, argv: list[str] | None = None, env: Mapping[str, str] | None = None,
         *, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run `component` as a process would: parse `argv` (default sys.argv[1:]) with defaults from
    `env` (default os.environ), run until stopped, and return the exit code, written to
    $KUBEATLAS_EXIT_STATUS_FILE too when that is set (an exception no error root maps is 1, as
    Python exits on it)."""
    env = os.environ if env is None else env
    code = EXIT_ERROR
    try:
        code = _run_main(component, argv, env, out or sys.stdout, err or sys.stderr)
        return code
    finally:
        if env.get(EXIT_STATUS_FILE):
            with contextlib.suppress(OSError):  # a cluster directory removed under it: nobody to tell
                Path(env[EXIT_STATUS_FILE]).write_text(f"{code}\n")


def _run_main(component: Component, argv: list[str] | None, env: Mapping[str, str],
              out: TextIO, err: TextIO) -> int:
    # argparse prints its usage and then one line, "PROG: error: MESSAGE", before exiting 2; keep
    # only that line. --help goes to stdout and exits 0, untouched.
    usage = io.StringIO()
    try:
        with contextlib.redirect_stderr(usage):
            options = component.parse(argv, env)
    except pflag.VersionRequested as request:
        print(request.text, file=out)
        return EXIT_OK
    except pflag.FlagError as error:
        print(error if isinstance(error, pflag.OptionsError) else f"Error: {error}", file=err)
        return EXIT_ERROR
    except SystemExit as exit_:
        if not exit_.code:
            return EXIT_OK
        lines = usage.getvalue().strip().splitlines() or [f"{component.name}: error: {exit_.code}"]
        print(_with_near_option(lines[-1], sys.argv[1:] if argv is None else argv), file=err)
        return EXIT_USAGE
    stop = threading.Event()
    track_gc_pauses()  # go_gc_duration_seconds and /debug/vars' memstats report the collector's runs
    try:
        with stop_on_signals(stop):
            component.run(options, Process(env, stop, out))
    except Panic as panic:
        # Go's runtime prints a value panicked on again after a recover as both panics.
        print(f"panic: {panic} [recovered]\n\tpanic: {panic}" if panic.recovered else f"panic: {panic}", file=err)
        return EXIT_PANIC
    except component.fatal_errors as error:
        print(f"{component.name}: error: {error}", file=err)
        return EXIT_FATAL
    except component.config_errors as error:
        print(f"{component.name}: error: {error}", file=err)
        return EXIT_USAGE
    except component.errors as error:
        print(f"{component.name}: error: {error}", file=err)
        return EXIT_ERROR
    return EXIT_OK


def _with_near_option(line: str, argv: list[str]) -> str:
    """argparse names a required option that is missing before an unknown one that was given:
    `--data-dri DIR` is most likely the missing `--data-dir`, and the line says so."""
    import difflib

    required = line.partition("the following arguments are required: ")[2].split(", ")
    for word in (word.split("=", 1)[0] for word in argv if word.startswith("--")):
        near = difflib.get_close_matches(word, required, n=1, cutoff=0.8)
        if near and word not in required:
            return f"{line} ({word} given: did you mean {near[0]}?)"
    return line


@mirrors("strconv.ParseBool")
def go_bool(text: str) -> bool:
    """A boolean flag's value as pflag reads it: 1, t, true (and T, TRUE, True), or their opposites."""
    try:
        return pflag.parse_bool(text)
    except ValueError as reason:
        raise argparse.ArgumentTypeError(f'invalid argument "{text}": {reason}') from None


def env_default(env: Mapping[str, str], name: str) -> dict:
    """argparse keywords for a flag the environment variable `name` may stand in for: its value
    as the default, and the flag required only when the variable is unset."""
    return {"default": env[name], "required": False} if name in env else {"required": True}


@contextlib.contextmanager
def stop_on_signals(stop: threading.Event) -> Iterator[None]:
    """While inside, SIGTERM and SIGINT set `stop` instead of ending the process; the previous
    handlers come back on the way out. Handlers can only be set from the main thread: a component
    run in another thread (as tests do) keeps the process's handlers and is stopped through `stop`."""
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
