"""One headless Chromium loading many pages, driven over the DevTools protocol on a pipe.

A Chromium process per page costs a second or more to start; hundreds of pages in one browser
take a tenth of a second each. With `--remote-debugging-pipe` the browser reads commands on its
file descriptor 3 and writes answers and events on 4, each message JSON ended by a NUL byte, so
no WebSocket client is needed. A page's load is mostly its renderer's work, and each tab has a
renderer of its own: two tabs loading at once keep both of a 2-core machine's cores busy.
"""
from __future__ import annotations

import json
import os
import select
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from typing import Iterable, Iterator


class DevToolsError(RuntimeError):
    pass


@dataclass
class LoadedPage:
    dom: str  # document.documentElement.outerHTML once the load event fired
    # The URL of every request made from navigation to the load event, in order; a request the
    # previous page made after its own load event may be among them.
    requests: list[str]


@dataclass
class _Tab:
    session: str  # the flattened DevTools session attached to the tab's target
    events: list[dict] = field(default_factory=list)  # since its last navigation


@dataclass
class _Load:
    """A page on its way: the navigation answered, then the load event, then the DOM read."""
    tab: _Tab
    url: str
    navigate: int | None  # the id of the Page.navigate call until it is answered
    evaluate: int | None = None  # the id of the DOM's Runtime.evaluate once the page loaded
    requests: list[str] = field(default_factory=list)


class Browser:
    """`command` is a Chromium command line without a URL; the driver adds the pipe flag.
    `tabs` pages load at once in `load_all`."""

    def __init__(self, command: list[str], timeout: float = 60.0, tabs: int = 1):
        self.timeout = timeout
        commands_read, self._commands = os.pipe()
        self._answers, answers_written = os.pipe()
        # The browser reads commands on its fd 3 and answers on 4. bash (dash takes one-digit fds
        # only) moves the pipes' ends there after the exec: a preexec_fn would make subprocess
        # fork (not vfork), and in a process that has loaded grpc its fork handlers then run in
        # the child, whose poller aborted it (SIGABRT, "epoll_wait error: Bad file descriptor")
        # once dup2 took fd 3.
        moved = f'exec "$@" 3<&{commands_read} 4>&{answers_written} {commands_read}<&- {answers_written}>&-'
        self._stderr = tempfile.TemporaryFile()  # shown if Chromium dies
        self._process = subprocess.Popen(
            ["/bin/bash", "-c", moved, "bash", *command, "--remote-debugging-pipe", "about:blank"],
            pass_fds=(commands_read, answers_written), stdout=subprocess.DEVNULL, stderr=self._stderr)
        os.close(commands_read)
        os.close(answers_written)
        self._buffer = b""
        self._last_id = 0
        self._results: dict[int, dict] = {}  # answers not yet taken, by call id
        self._tabs: dict[str, _Tab] = {}
        for _ in range(tabs):
            self._open_tab()

    def _open_tab(self) -> None:
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        self._tabs[session] = _Tab(session)
        for domain in ("Page", "Network"):
            self.call(f"{domain}.enable", session=session)

    def load_all(self, urls: Iterable[str]) -> Iterator[tuple[str, LoadedPage]]:
        """Each URL with its page once loaded, in the order they finish: every tab loads one
        page at a time, the next as soon as its last one is read."""
        waiting = iter(urls)
        loads: dict[str, _Load] = {}

        def start(tab: _Tab) -> None:
            url = next(waiting, None)
            if url is not None:
                tab.events.clear()
                loads[tab.session] = _Load(tab, url, self._send("Page.navigate", {"url": url}, tab.session))

        for tab in self._tabs.values():
            start(tab)
        while loads:
            self._pump()
            for session, load in list(loads.items()):
                page = self._advance(load)
                if page is not None:
                    del loads[session]
                    start(load.tab)  # the tab works on while the caller looks at this page
                    yield load.url, page

    def _advance(self, load: _Load) -> LoadedPage | None:
        """Take `load` as far as the answers and events read so far allow; its page once done."""
        if load.navigate is not None:
            if load.navigate not in self._results:
                return None
            navigated = self._take(load.navigate, "Page.navigate")
            if "errorText" in navigated:
                raise DevToolsError(f"{load.url}: {navigated['errorText']}")
            load.navigate = None
        if load.evaluate is None:
            methods = [event.get("method") for event in load.tab.events]
            if "Page.loadEventFired" not in methods:
                return None
            load.requests = [event["params"]["request"]["url"]
                             for event in load.tab.events[:methods.index("Page.loadEventFired")]
                             if event.get("method") == "Network.requestWillBeSent"]
            load.evaluate = self._send("Runtime.evaluate", {"expression": "document.documentElement.outerHTML",
                                                            "returnByValue": True}, load.tab.session)
            return None
        if load.evaluate not in self._results:
            return None
        return LoadedPage(self._take(load.evaluate, "Runtime.evaluate")["result"]["value"], load.requests)

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        call_id = self._send(method, params, session)
        while call_id not in self._results:
            self._pump()
        return self._take(call_id, method)

    def _send(self, method: str, params: dict | None, session: str | None) -> int:
        self._last_id += 1
        message = {"id": self._last_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        try:
            os.write(self._commands, json.dumps(message).encode() + b"\0")
        except BrokenPipeError:
            raise DevToolsError(f"{method}: Chromium is gone{self._death()}") from None
        return self._last_id

    def _take(self, call_id: int, method: str) -> dict:
        answer = self._results.pop(call_id)
        if "error" in answer:
            raise DevToolsError(f"{method}: {answer['error']}")
        return answer["result"]

    def _pump(self) -> None:
        """Read one message: an answer is kept by its call id, an event goes to its tab."""
        message = self._read()
        if "id" in message:
            self._results[message["id"]] = message
        elif message.get("sessionId") in self._tabs:
            self._tabs[message["sessionId"]].events.append(message)

    def _read(self) -> dict:
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._answers], [], [], left)[0]:
                raise DevToolsError(f"Chromium said nothing for {self.timeout:.0f} s")
            chunk = os.read(self._answers, 1 << 16)
            if not chunk:
                raise DevToolsError(f"Chromium closed its DevTools pipe{self._death()}")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)

    def _death(self) -> str:
        """Chromium's exit code and the end of what it wrote to stderr."""
        self._stderr.seek(0)
        said = self._stderr.read().decode(errors="replace").strip().splitlines()[-10:]
        return f" (exit code {self._process.wait()}):\n" + "\n".join(said)

    def close(self) -> None:
        self._stderr.close()
        os.close(self._commands)
        os.close(self._answers)
        self._process.kill()
        self._process.wait()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
