"""A real HTTP server on loopback with scripted answers, and a transport that sends the clients' requests to it.

The project's clients build absolute URLs (`https://data.sec.gov/...`, `https://query2.finance.yahoo.com/...`).
`ForwardToLoopback` is a requests transport adapter mounted for `https://`: it sends each request, same path,
query and headers, to `http://127.0.0.1:<port>` over a real socket and hands the answer back as if it came from
the original URL. Everything above the adapter (the client, tenacity, requests-cache, the rate limiter,
yfinance) runs unchanged, and nothing leaves the machine.
"""

from __future__ import annotations

import contextlib
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, urlunsplit

import pytest
from requests.adapters import HTTPAdapter

FORWARDED_HOST = "X-Forwarded-Host"


@dataclass(frozen=True)
class Answer:
    """One scripted response: status, body, and how long to wait before sending anything."""

    status: int
    body: bytes = b""
    delay: float = 0.0
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})


@dataclass(frozen=True)
class Seen:
    """A request as the server received it."""

    method: str
    host: str  # the host the client meant (from the forwarding adapter), e.g. data.sec.gov
    path: str
    query: str
    headers: dict[str, str]
    at: float  # time.monotonic()


Fallback = Callable[[Seen], Answer]


class LoopbackServer:
    """`ThreadingHTTPServer` on 127.0.0.1 (port 0) in a daemon thread, answering from per-path queues.

    `script(path, *answers)` queues answers for a path (query string ignored); when a path's queue is empty
    the `fallback` answers, or a 404 naming the unscripted path. Every request is recorded in `seen`.
    """

    def __init__(self) -> None:
        self.queues: dict[str, deque[Answer]] = defaultdict(deque)
        self.fallback: Fallback | None = None
        self.seen: list[Seen] = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()  # wakes delayed answers when the server stops
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def port(self) -> int:
        return self.httpd.server_address[1]

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def script(self, path: str, *answers: Answer) -> None:
        with self.lock:
            self.queues[path].extend(answers)

    def pending(self, path: str) -> int:
        with self.lock:
            return len(self.queues[path])

    def requests_to(self, path: str) -> list[Seen]:
        with self.lock:
            return [seen for seen in self.seen if seen.path == path]

    def _answer(self, seen: Seen) -> Answer:
        with self.lock:
            self.seen.append(seen)
            queue = self.queues.get(seen.path)
            if queue:
                return queue.popleft()
        if self.fallback is not None:
            return self.fallback(seen)
        return Answer(404, f"unscripted path {seen.path}".encode(), headers={"Content-Type": "text/plain"})

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                target = urlsplit(self.path)
                seen = Seen(
                    method=self.command,
                    host=self.headers.get(FORWARDED_HOST, ""),
                    path=target.path,
                    query=target.query,
                    headers=dict(self.headers.items()),
                    at=time.monotonic(),
                )
                answer = server._answer(seen)
                if answer.delay and server.stopping.wait(answer.delay):
                    return  # the server is stopping: drop the connection
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # the client gave up (timeout)
                    self.send_response(answer.status)
                    for name, value in answer.headers.items():
                        self.send_header(name, value)
                    self.send_header("Content-Length", str(len(answer.body)))
                    self.end_headers()
                    self.wfile.write(answer.body)

            do_POST = do_GET  # yfinance's consent flow may POST

            def log_message(self, format: str, *args) -> None:  # keep test output quiet
                pass

        return Handler

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


class ForwardToLoopback(HTTPAdapter):
    """Sends every request to the loopback server (same path, query, headers), over a real socket."""

    def __init__(self, server: LoopbackServer) -> None:
        super().__init__(max_retries=0)
        self.server = server
        self.sent: list[str] = []  # the URLs the client asked for

    def send(self, request, **kwargs):
        original = request.url
        self.sent.append(original)
        parts = urlsplit(original)
        forwarded = request.copy()
        forwarded.url = urlunsplit(("http", f"127.0.0.1:{self.server.port}", parts.path or "/", parts.query, ""))
        forwarded.headers[FORWARDED_HOST] = parts.hostname or ""
        kwargs["proxies"] = {}  # straight to loopback, whatever the environment's proxy settings
        response = super().send(forwarded, **kwargs)
        response.url = original
        response.request = request
        return response


@pytest.fixture
def loopback() -> Iterator[LoopbackServer]:
    server = LoopbackServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()
