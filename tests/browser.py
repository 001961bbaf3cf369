"""Headless Chromium driven over the DevTools protocol: open a page, read its console, screenshot it.

Debian's `chromium` package, started here with a new empty profile; a tiny client over the
`websockets` package speaks the protocol (no browser download, no driver).
"""
from __future__ import annotations

import base64
import dataclasses
import itertools
import json
import os
import shutil
import subprocess
import tempfile
import time
import urllib.request
from typing import Any, Optional

from websockets.sync.client import connect

FLAGS = ("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--remote-debugging-port=0", "--remote-allow-origins=*")


def chromium_path() -> Optional[str]:
    return shutil.which("chromium") or shutil.which("chromium-browser")


@dataclasses.dataclass
class PageVisit:
    console_errors: list[str]
    values: dict[str, Any]          # the results of the expressions asked for
    screenshot_png: bytes


class _Session:
    def __init__(self, ws_url: str):
        self._ws = connect(ws_url, max_size=None, open_timeout=30)
        self._ids = itertools.count(1)
        self.events: list[dict] = []

    def call(self, method: str, timeout: float = 60.0, **params) -> dict:
        call_id = next(self._ids)
        self._ws.send(json.dumps({"id": call_id, "method": method, "params": params}))
        deadline = time.monotonic() + timeout
        while True:
            message = json.loads(self._ws.recv(timeout=max(deadline - time.monotonic(), 0.1)))
            if message.get("id") == call_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self.events.append(message)

    def wait_for(self, event: str, timeout: float = 60.0) -> dict:
        for seen in self.events:
            if seen.get("method") == event:
                return seen
        deadline = time.monotonic() + timeout
        while True:
            message = json.loads(self._ws.recv(timeout=max(deadline - time.monotonic(), 0.1)))
            self.events.append(message)
            if message.get("method") == event:
                return message

    def close(self):
        self._ws.close()


def _console_errors(events: list[dict]) -> list[str]:
    errors = []
    for e in events:
        method, params = e.get("method"), e.get("params", {})
        if method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            errors.append(" ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", [])))
        elif method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            errors.append(f"{details.get('text', 'exception')} {details.get('exception', {}).get('description', '')}")
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            errors.append(params["entry"].get("text", ""))
    return errors


def visit(path: str, expressions: dict[str, str], width: int = 1280, height: int = 900,
          full_page: bool = False) -> PageVisit:
    """Open the local file `path`, evaluate `expressions` once it has loaded, screenshot it."""
    exe = chromium_path()
    if exe is None:
        raise FileNotFoundError("chromium")
    profile = tempfile.mkdtemp(prefix="chromium-profile-")
    process = subprocess.Popen([exe, *FLAGS, f"--user-data-dir={profile}", f"--window-size={width},{height}",
                                "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        port_file = os.path.join(profile, "DevToolsActivePort")
        deadline = time.monotonic() + 60
        while not (os.path.exists(port_file) and open(port_file).read().strip()):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"chromium did not start (exit {process.poll()})")
            time.sleep(0.1)
        port = int(open(port_file).read().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30) as answer:
            page = next(t for t in json.load(answer) if t["type"] == "page")
        session = _Session(page["webSocketDebuggerUrl"])
        try:
            for domain in ("Runtime", "Log", "Page"):
                session.call(f"{domain}.enable")
            session.call("Emulation.setDeviceMetricsOverride", width=width, height=height,
                         deviceScaleFactor=1, mobile=False)
            session.call("Page.navigate", url="file://" + os.path.abspath(path))
            session.wait_for("Page.loadEventFired")
            values = {}
            for name, expression in expressions.items():
                result = session.call("Runtime.evaluate", expression=expression, returnByValue=True)
                if "exceptionDetails" in result:
                    raise RuntimeError(f"{name}: {result['exceptionDetails']}")
                values[name] = result["result"].get("value")
            time.sleep(0.3)  # let late console messages (a blocked load) arrive
            session.call("Runtime.evaluate", expression="1")
            shot = session.call("Page.captureScreenshot", format="png", captureBeyondViewport=full_page)
            return PageVisit(console_errors=_console_errors(session.events), values=values,
                             screenshot_png=base64.b64decode(shot["data"]))
        finally:
            session.close()
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        shutil.rmtree(profile, ignore_errors=True)
