"""A small, dependency-free driver for headless Chromium, for tests that need a real browser.

It speaks the Chrome DevTools Protocol over ``--remote-debugging-pipe``: Chromium reads JSON commands, each ended by a
NUL byte, from its file descriptor 3, and writes responses and events, NUL-terminated, to its file descriptor 4.
Only the standard library is used (no selenium, playwright or websockets).

    with HeadlessChromium(width=1280, height=900) as browser:
        browser.open(path.as_uri())
        assert browser.evaluate("document.title") == "Report"
        browser.screenshot(tmp_path / "shot.png", full_page=True)
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any, Callable

DEFAULT_TIMEOUT = 30.0
CHILD_COMMAND_FD = 3  # Chromium reads commands from this descriptor ...
CHILD_REPLY_FD = 4  # ... and writes responses and events to this one.
LAUNCH_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--remote-debugging-pipe",
)


class BrowserError(RuntimeError):
    """Chromium failed, answered a command with an error, or did not answer in time."""


def find_chromium() -> str | None:
    """The Chromium executable: /usr/bin/chromium, else ``chromium`` on PATH, else None."""
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


class HeadlessChromium:
    """One headless Chromium process with one page, driven over the DevTools pipe; use it as a context manager."""

    def __init__(self, width: int = 1280, height: int = 900, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.width = width
        self.height = height
        self.timeout = timeout
        self._proc: subprocess.Popen | None = None
        self._profile: str | None = None
        self._command_fd: int | None = None  # our end: we write commands here
        self._reply_fd: int | None = None  # our end: we read responses and events here
        self._buffer = bytearray()
        self._next_id = 0
        self._responses: dict[int, dict] = {}
        self._events: list[dict] = []
        self._session: str | None = None

    @staticmethod
    def available() -> bool:
        """Whether a Chromium executable is installed (tests skip with a visible reason when not)."""
        return find_chromium() is not None

    # -- lifecycle ---------------------------------------------------------------------------------------------------

    def __enter__(self) -> HeadlessChromium:
        try:
            self._launch()
            self._attach()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _launch(self) -> None:
        """Start Chromium with its fds 3 and 4 connected to two fresh pipes."""
        executable = find_chromium()
        if executable is None:
            raise BrowserError("Chromium is not installed (no /usr/bin/chromium and no `chromium` on PATH)")
        self._profile = tempfile.mkdtemp(prefix="headless-chromium-")
        child_reads, self._command_fd = os.pipe()
        self._reply_fd, child_writes = os.pipe()
        # The child gets copies of its two ends from above fd 10: no dup2 in the child (its stdio set-up, or the moves onto
        # 3 and 4) can then overwrite one of them, even if a pipe end sits on 0-4. The originals stay open until Popen has
        # returned, so fds 3 and 4 stay taken here and Popen's own error-report pipe cannot land on them.
        high = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in (child_reads, child_writes)]

        def connect_pipe() -> None:
            """Runs in the child between fork and exec: put its pipe ends on 3 and 4 (dup2 clears close-on-exec)."""
            os.dup2(high[0], CHILD_COMMAND_FD)
            os.dup2(high[1], CHILD_REPLY_FD)

        command = [
            executable,
            *LAUNCH_FLAGS,
            f"--user-data-dir={self._profile}",
            f"--window-size={self.width},{self.height}",
            "about:blank",
        ]
        try:
            self._proc = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                # Keep the child's fds 3 and 4 open across exec; every other inherited descriptor is closed.
                pass_fds=(CHILD_COMMAND_FD, CHILD_REPLY_FD),
                preexec_fn=connect_pipe,
                start_new_session=True,  # its own process group, so helpers (zygote, renderers) can be killed together
                # Crash reports and caches go under XDG dirs, not --user-data-dir: keep them in the temporary dir too.
                env={**os.environ, "XDG_CONFIG_HOME": f"{self._profile}/config", "XDG_CACHE_HOME": f"{self._profile}/cache"},
            )
        finally:
            for fd in (child_reads, child_writes, *high):
                os.close(fd)

    def _attach(self) -> None:
        """Attach to the start page (or a new one), enable Page and Runtime, and fix the viewport size."""
        targets = self.send("Target.getTargets", timeout=self.timeout)["targetInfos"]
        pages = [t["targetId"] for t in targets if t.get("type") == "page"]
        target_id = pages[0] if pages else self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        self._session = self.send("Target.attachToTarget", {"targetId": target_id, "flatten": True})["sessionId"]
        self.send("Page.enable", session=self._session)
        self.send("Runtime.enable", session=self._session)
        self.send("Page.setLifecycleEventsEnabled", {"enabled": True}, session=self._session)
        self._set_viewport(self.width, self.height)

    def close(self) -> None:
        """Ask Chromium to quit (Browser.close), then terminate or kill it, and remove the temporary profile."""
        proc, self._proc = self._proc, None
        if proc is not None:
            if proc.poll() is None and self._command_fd is not None:
                try:
                    self._write({"id": self._new_id(), "method": "Browser.close"})
                except OSError:
                    pass  # Chromium is already gone
            _stop(proc)
        for fd in (self._command_fd, self._reply_fd):
            if fd is not None:
                os.close(fd)
        self._command_fd = self._reply_fd = None
        self._session = None
        if self._profile is not None:
            shutil.rmtree(self._profile, ignore_errors=True)
            self._profile = None

    # -- page API ----------------------------------------------------------------------------------------------------

    def open(self, url: str, timeout: float | None = None) -> None:
        """Navigate the page to ``url`` and wait for the load event of that navigation."""
        timeout = self.timeout if timeout is None else timeout
        session = self._require_session()
        self._events.clear()  # the load event can arrive before the Page.navigate response: collect from here on
        result = self.send("Page.navigate", {"url": url}, session=session, timeout=timeout)
        if result.get("errorText"):
            raise BrowserError(f"could not open {url}: {result['errorText']}")
        loader = result.get("loaderId")
        if loader is None:
            return  # a same-document navigation (only the #fragment changed) loads nothing
        self.wait_for_event(
            "Page.lifecycleEvent",
            lambda event: event.get("name") == "load" and event.get("loaderId") == loader,
            timeout=timeout,
            what=f"the load event of {url}",
        )

    def evaluate(self, expression: str, timeout: float | None = None) -> Any:
        """The JSON value of a JavaScript expression (promises are awaited); a JavaScript exception raises BrowserError."""
        params = {"expression": expression, "returnByValue": True, "awaitPromise": True}
        reply = self.send("Runtime.evaluate", params, session=self._require_session(), timeout=timeout)
        details = reply.get("exceptionDetails")
        if details:
            exception = details.get("exception") or {}
            text = exception.get("description") or exception.get("value") or details.get("text", "unknown error")
            raise BrowserError(f"JavaScript error in {expression!r}: {text}")
        return reply["result"].get("value")

    def screenshot(self, path: Path | str, full_page: bool = False) -> Path:
        """Write a PNG screenshot of the viewport (or, with ``full_page``, of the whole document) to ``path``."""
        session = self._require_session()
        path = Path(path)
        height = self.height
        if full_page:
            scroll_height = self.evaluate(
                "Math.max(document.documentElement.scrollHeight, document.body ? document.body.scrollHeight : 0)"
            )
            height = max(self.height, int(scroll_height or 0))
            self._set_viewport(self.width, height)
        try:
            # Let the page lay out and paint at the new size before capturing.
            self.evaluate("new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))")
            params = {"format": "png", "captureBeyondViewport": False}
            data = self.send("Page.captureScreenshot", params, session=session)["data"]
        finally:
            if height != self.height:
                self._set_viewport(self.width, self.height)
        path.write_bytes(base64.b64decode(data))
        return path

    def _set_viewport(self, width: int, height: int) -> None:
        metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False}
        self.send("Emulation.setDeviceMetricsOverride", metrics, session=self._require_session())

    def _require_session(self) -> str:
        if self._session is None:
            raise BrowserError("the browser is not running: use HeadlessChromium as a context manager")
        return self._session

    # -- protocol ----------------------------------------------------------------------------------------------------

    def send(self, method: str, params: dict | None = None, session: str | None = None, timeout: float | None = None) -> dict:
        """Send one DevTools command and return its result; an error response raises BrowserError."""
        message: dict[str, Any] = {"id": self._new_id(), "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        self._write(message)
        reply = self._wait(
            lambda: self._responses.pop(message["id"], None),
            timeout=self.timeout if timeout is None else timeout,
            what=f"the response to {method}",
        )
        if "error" in reply:
            error = reply["error"]
            raise BrowserError(f"{method} failed: {error.get('message')} (code {error.get('code')}) {error.get('data', '')}")
        return reply.get("result", {})

    def wait_for_event(
        self,
        method: str,
        where: Callable[[dict], bool] = lambda params: True,
        timeout: float | None = None,
        what: str | None = None,
    ) -> dict:
        """The parameters of the first event ``method`` from the page whose parameters satisfy ``where``, waiting for it
        if it has not arrived yet (events are collected from the last ``open``)."""

        def pop_event() -> dict | None:
            for index, event in enumerate(self._events):
                params = event.get("params", {})
                if event.get("method") == method and event.get("sessionId") == self._session and where(params):
                    del self._events[index]
                    return params
            return None

        return self._wait(pop_event, timeout=self.timeout if timeout is None else timeout, what=what or f"event {method}")

    def _new_id(self) -> int:
        self._next_id += 1
        return self._next_id

    def _write(self, message: dict) -> None:
        if self._command_fd is None:
            raise BrowserError("the browser is not running")
        data = json.dumps(message).encode() + b"\0"
        try:
            while data:
                data = data[os.write(self._command_fd, data) :]
        except BrokenPipeError:
            code = _exit_code(self._proc)
            raise BrowserError(f"Chromium has exited (exit code {code}); could not send {message['method']}") from None

    def _wait(self, found: Callable[[], Any], timeout: float, what: str) -> Any:
        """Read messages until ``found()`` returns something other than None, or raise after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            result = found()
            if result is not None:
                return result
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BrowserError(f"timed out after {timeout:g} s waiting for {what}")
            self._read_messages(remaining, what)

    def _read_messages(self, timeout: float, what: str) -> None:
        """Read what Chromium has written (waiting at most ``timeout`` seconds) and file each complete message."""
        if self._reply_fd is None:
            raise BrowserError(f"the browser is not running (waiting for {what})")
        ready, _, _ = select.select([self._reply_fd], [], [], timeout)
        if not ready:
            return
        chunk = os.read(self._reply_fd, 1 << 20)
        if not chunk:
            code = _exit_code(self._proc)
            raise BrowserError(f"Chromium closed the DevTools pipe (exit code {code}) while waiting for {what}")
        self._buffer += chunk
        if b"\0" not in chunk:
            return  # a large message (a screenshot) arrives in many chunks: split only once one ends
        *messages, rest = self._buffer.split(b"\0")
        self._buffer = bytearray(rest)
        for raw in messages:
            message = json.loads(raw)
            if "id" in message:
                self._responses[message["id"]] = message
            else:
                self._events.append(message)


def _exit_code(proc: subprocess.Popen | None) -> int | None:
    """The exit code of a process that is closing its pipe (None if it still runs after a second)."""
    try:
        return None if proc is None else proc.wait(timeout=1)
    except subprocess.TimeoutExpired:
        return None


def _stop(proc: subprocess.Popen, grace: float = 5.0) -> None:
    """Wait for ``proc`` to exit, then terminate and finally kill its whole process group."""
    for sig in (None, signal.SIGTERM, signal.SIGKILL):
        if sig is not None:
            try:
                os.killpg(proc.pid, sig)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            proc.wait(timeout=grace)
            break
        except subprocess.TimeoutExpired:
            continue
    # Helpers (zygote, renderers) normally exit with the browser; make sure none outlives it.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
