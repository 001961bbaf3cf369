"""A fault-injecting HTTP proxy for the GCS emulator: a store that fails like a real one, seeded.

Point STORAGE_EMULATOR_HOST at it instead of at the emulator. Each request draws, from one
seeded generator, whether it fails (`rate`, or every request during a burst) and how:

  429 / 503         answered at once, the server never sees the request
  503-after         sent to the server, which does it; the client is told it failed
  reset             the connection is closed before the request is sent on
  reset-after       sent to the server; the connection is closed before the answer
  stall             the answer is held back `stall_seconds`, then sent whole
  truncate          the answer's headers promise the whole body; half of it comes, then the close

"-after" faults are the ones that test idempotency: a retry repeats something already done.
The emulator forgets a resumable upload session once it completes (404 to a retry), where GCS
answers a retry on a completed session with the object; the proxy answers such a retry with
the completion it forwarded, as GCS would, so that what is tested is our client, not the emulator.
Counts of requests, faults and requests per object are kept for the report. Test helper only:
nothing in the product knows about it.
"""
from __future__ import annotations

import collections
import http.client
import http.server
import json
import random
import re
import socket
import threading
import time
import urllib.parse
from typing import Optional

FAULTS = ("429", "503", "503-after", "reset", "reset-after", "stall", "truncate")
_HOP = {"connection", "keep-alive", "transfer-encoding", "proxy-connection", "te", "trailer", "upgrade"}


def object_of(method: str, target: str) -> str:
    """The object a request is about (`bucket/name`), or what it is (`list bucket`, `batch`)."""
    url = urllib.parse.urlsplit(target)
    query = urllib.parse.parse_qs(url.query)
    path = urllib.parse.unquote(url.path)
    match = re.match(r"^(?:/download)?/storage/v1/b/([^/]+)/o/(.+?)(?:/(?:compose|rewriteTo/b/.+|copyTo/b/.+))?$", path)
    if match:
        if "/compose" in url.path or "/rewriteTo/" in url.path:
            tail = re.search(r"(?:/rewriteTo/b/([^/]+)/o/(.+))$", path)
            if tail:
                return f"{tail.group(1)}/{tail.group(2)}"
        return f"{match.group(1)}/{match.group(2)}"
    match = re.match(r"^/upload/storage/v1/b/([^/]+)/o$", path)
    if match:
        name = query.get("name", [""])[0]
        return f"{match.group(1)}/{name}" if name else f"upload session {query.get('upload_id', ['?'])[0][:12]}"
    match = re.match(r"^/storage/v1/b/([^/]+)/o$", path)
    if match:
        return f"list {match.group(1)}"
    return path


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.requests = 0
        self.faults = collections.Counter()
        self.per_object = collections.Counter()
        self.methods = collections.Counter()
        self.seen: list[tuple[str, str]] = []  # (method, path with query) of every request

    def as_dict(self) -> dict:
        with self.lock:
            objects = [k for k in self.per_object if not k.startswith(("list ", "upload session", "/"))]
            per = [self.per_object[k] for k in objects]
            return {"requests": self.requests, "faults": dict(self.faults), "faults_total": sum(self.faults.values()),
                    "objects": len(objects), "requests_per_object": round(sum(per) / len(per), 2) if per else 0,
                    "max_requests_per_object": max(per, default=0), "methods": dict(self.methods)}


class _QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        """A client that gave up on a stalled answer resets its side: expected here, not news."""
        import sys
        if not isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            super().handle_error(request, client_address)


class FlakyProxy:
    def __init__(self, upstream: str, rate: float, seed: int, stall_seconds: float = 2.0,
                 faults: tuple[str, ...] = FAULTS):
        url = urllib.parse.urlsplit(upstream)
        self.upstream = (url.hostname, url.port)
        self.rate = rate
        self.stall_seconds = stall_seconds
        self.faults = faults
        self.stats = Stats()
        self._rng = random.Random(seed)
        self._burst_until = 0.0
        self._completed_sessions: dict[str, tuple] = {}
        self._burst_at: Optional[tuple[int, float]] = None
        self._server = _QuietServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> "FlakyProxy":
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def burst(self, seconds: float) -> None:
        """Every request fails for the next `seconds`."""
        self._burst_until = time.monotonic() + seconds

    def burst_at_request(self, number: int, seconds: float) -> None:
        """Every request fails for `seconds` from the `number`-th request on (the run is busy then)."""
        self._burst_at = (number, seconds)

    def _draw(self) -> Optional[str]:
        with self.stats.lock:
            if self._burst_at and self.stats.requests + 1 >= self._burst_at[0]:
                self._burst_until, self._burst_at = time.monotonic() + self._burst_at[1], None
            roll, kind = self._rng.random(), self._rng.choice(self.faults)
        if time.monotonic() < self._burst_until or roll < self.rate:
            return kind
        return None

    def _handler(self):
        proxy = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _body(self) -> bytes:
                if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
                    data = b""
                    while True:
                        size = int(self.rfile.readline().split(b";")[0], 16)
                        if size == 0:
                            self.rfile.readline()
                            return data
                        data += self.rfile.read(size)
                        self.rfile.readline()
                return self.rfile.read(int(self.headers.get("Content-Length") or 0))

            def _forward(self, body: bytes):
                connection = http.client.HTTPConnection(*proxy.upstream, timeout=120)
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP}
                headers["Content-Length"] = str(len(body))
                connection.request(self.command, self.path, body=body, headers=headers)
                answer = connection.getresponse()
                data = answer.read()
                connection.close()
                return answer.status, answer.reason, [(k, v) for k, v in answer.getheaders()
                                                      if k.lower() not in _HOP | {"content-length"}], data

            def _send(self, status: int, reason: str, headers, data: bytes, truncate: bool = False) -> None:
                self.send_response(status, reason)
                for key, value in headers:
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(data[:len(data) // 2] if truncate else data)
                if truncate:
                    self._reset()

            def _reset(self) -> None:
                self.close_connection = True
                try:
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

            def _error(self, status: int) -> None:
                body = json.dumps({"error": {"code": status, "message": "injected by the flaky proxy"}}).encode()
                self._send(status, "Injected", [("Content-Type", "application/json")], body)

            def _handle(self) -> None:
                body = self._body()
                fault = proxy._draw()
                with proxy.stats.lock:
                    proxy.stats.requests += 1
                    proxy.stats.per_object[object_of(self.command, self.path)] += 1
                    proxy.stats.methods[self.command] += 1
                    proxy.stats.seen.append((self.command, self.path))
                    if fault:
                        proxy.stats.faults[fault] += 1
                if fault in ("429", "503"):
                    return self._error(int(fault))
                if fault == "reset":
                    return self._reset()
                session = urllib.parse.parse_qs(urllib.parse.urlsplit(self.path).query).get("upload_id", [None])[0]
                if session and session in proxy._completed_sessions:
                    status, reason, headers, data = proxy._completed_sessions[session]
                else:
                    status, reason, headers, data = self._forward(body)
                    if session and self.command == "PUT" and status in (200, 201):
                        proxy._completed_sessions[session] = (status, reason, headers, data)
                if fault == "503-after":
                    return self._error(503)
                if fault == "reset-after":
                    return self._reset()
                if fault == "stall":
                    time.sleep(proxy.stall_seconds)
                self._send(status, reason, headers, data, truncate=fault == "truncate" and len(data) > 1)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = do_HEAD = _handle

        return Handler
