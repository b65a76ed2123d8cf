"""One headless Chromium loading many pages, driven over the DevTools protocol on a pipe.

A Chromium process per page costs a second or more to start; hundreds of pages in one browser
take a tenth of a second each. With `--remote-debugging-pipe` the browser reads commands on its
file descriptor 3 and writes answers and events on 4, each message JSON ended by a NUL byte, so
no WebSocket client is needed.
"""
from __future__ import annotations

import json
import os
import select
import subprocess
import time
from dataclasses import dataclass


class DevToolsError(RuntimeError):
    pass


@dataclass
class LoadedPage:
    dom: str  # document.documentElement.outerHTML once the load event fired
    # The URL of every request made from navigation to the load event, in order; a request the
    # previous page made after its own load event may be among them.
    requests: list[str]


class Browser:
    """`command` is a Chromium command line without a URL; the driver adds the pipe flag."""

    def __init__(self, command: list[str], timeout: float = 60.0):
        self.timeout = timeout
        commands_read, self._commands = os.pipe()
        self._answers, answers_written = os.pipe()

        def give_pipes() -> None:  # in the child: its fd 3 and 4 are the ends the browser uses
            os.dup2(commands_read, 3)
            os.dup2(answers_written, 4)

        self._process = subprocess.Popen(
            [*command, "--remote-debugging-pipe", "about:blank"], pass_fds=(3, 4),
            preexec_fn=give_pipes, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        os.close(commands_read)
        os.close(answers_written)
        self._buffer = b""
        self._last_id = 0
        self._events: list[dict] = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self._session = self.call("Target.attachToTarget",
                                  {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Network"):
            self.call(f"{domain}.enable", session=self._session)

    def load(self, url: str) -> LoadedPage:
        """Navigate the one tab to `url` and wait for its load event."""
        self._events.clear()
        navigated = self.call("Page.navigate", {"url": url}, session=self._session)
        if "errorText" in navigated:
            raise DevToolsError(f"{url}: {navigated['errorText']}")
        self._wait_for("Page.loadEventFired")
        requests = [event["params"]["request"]["url"] for event in self._events
                    if event.get("method") == "Network.requestWillBeSent"]
        dom = self.call("Runtime.evaluate", {"expression": "document.documentElement.outerHTML",
                                             "returnByValue": True}, session=self._session)
        return LoadedPage(dom["result"]["value"], requests)

    def call(self, method: str, params: dict | None = None, session: str | None = None) -> dict:
        self._last_id += 1
        message = {"id": self._last_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        while True:
            answer = self._read()
            if answer.get("id") == self._last_id:
                if "error" in answer:
                    raise DevToolsError(f"{method}: {answer['error']}")
                return answer["result"]
            self._events.append(answer)

    def _wait_for(self, event: str) -> None:
        while not any(e.get("method") == event for e in self._events):
            self._events.append(self._read())

    def _read(self) -> dict:
        deadline = time.monotonic() + self.timeout
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._answers], [], [], left)[0]:
                raise DevToolsError(f"Chromium said nothing for {self.timeout:.0f} s")
            chunk = os.read(self._answers, 1 << 16)
            if not chunk:
                raise DevToolsError("Chromium closed its DevTools pipe "
                                    f"(exit code {self._process.wait()})")
            self._buffer += chunk
        message, _, self._buffer = self._buffer.partition(b"\0")
        return json.loads(message)

    def close(self) -> None:
        os.close(self._commands)
        os.close(self._answers)
        self._process.kill()
        self._process.wait()

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
