"""The preview's HTTP server: the site's files from one folder, on localhost.

Owns: what a request may reach, decided before anything opens (`segments`: the target
read strictly, 400 for anything but printable ASCII with valid %-escapes decoding to UTF-8
without control characters; `locate`: only a regular file whose resolved path is inside
the resolved folder, no dotfile on the way or at the end, a folder only through its
`index.html`, 404 for anything else, never 403, so a client learns nothing of what lies
outside); the `Host` headers it answers to (`Hosts`; 403 for any other: DNS rebinding);
its bounds (a connection silent for IDLE_SECONDS is closed, at most MAX_CONNECTIONS at
once and a 503 at once past them, a request line of at most MAX_LINE bytes; never a
traceback, whatever arrives); the event stream that tells open pages to reload
(`/_procmap/events`, server-sent events); and what the preview adds to each HTML page as
it is served, never to the files: a few lines of script that reload the page on an
event, and a banner with the current problems.

Must not know: processes, rendering, what the problems are about.
"""

from __future__ import annotations

import contextlib
import errno
import html
import http.server
import ipaddress
import mimetypes
import os
import re
import socket
import stat
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import quote, unquote_to_bytes

EVENTS = "/_procmap/events"
EVENTS_PARTS = ["_procmap", "events"]
#: Seconds a connection may stay silent (no byte read or written) before it is closed.
IDLE_SECONDS = 15.0
#: Connections served at once (each has a thread; an open page's event stream is one).
MAX_CONNECTIONS = 64
#: Bytes in a request line (as most servers: the site's URLs are short); longer is 414.
MAX_LINE = 8192
BUSY = (
    b"HTTP/1.0 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n"
    b"Content-Length: 44\r\nRetry-After: 5\r\nConnection: close\r\n\r\n"
    b"procmap serve: too many connections at once\n"
)
#: Seconds between keep-alive comments on an idle event stream (a closed tab shows up as
#: a failed write within this time, and its thread ends).
PING_SECONDS = 10.0
RELOAD = (
    "<script>(() => { const s = new EventSource('" + EVENTS + "');"
    " s.onmessage = () => location.reload(); })();</script>"
)
BANNER_STYLE = (
    "position:sticky;top:0;z-index:10;margin:0;padding:0.6rem 1rem;background:#fff8c5;"
    "border-bottom:2px solid #d4a72c;color:#1f2328;font:14px/1.4 ui-monospace,monospace;"
    "white-space:pre-wrap"
)


class ServeError(Exception):
    """The server cannot start: the message is one line for the user."""


class Broadcast:
    """A counter that open pages wait on: each rebuild bumps it, and every waiting
    event stream sends one `reload`."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self.generation = 0
        self.closed = False

    def bump(self) -> None:
        with self._changed:
            self.generation += 1
            self._changed.notify_all()

    def close(self) -> None:
        with self._changed:
            self.closed = True
            self._changed.notify_all()

    def wait(self, seen: int, timeout: float) -> int:
        with self._changed:
            self._changed.wait_for(lambda: self.generation != seen or self.closed, timeout)
            return self.generation


def inject(page: str, problems: str) -> str:
    """`page` with the reload script before `</body>`, and the problems (as `procmap
    validate` prints them) in a banner after `<body>`."""
    if problems:
        banner = (
            f'<div id="procmap-problems" role="alert" style="{BANNER_STYLE}">'
            "<strong>Not rebuilt: fix these problems; the pages show the last good version."
            f"</strong>\n{html.escape(problems.rstrip())}</div>"
        )
        at = page.find("<body>")
        if at >= 0:
            at += len("<body>")
            page = page[:at] + "\n" + banner + page[at:]
        else:
            page = banner + page
    at = page.rfind("</body>")
    return page[:at] + RELOAD + "\n" + page[at:] if at >= 0 else page + RELOAD


# --- what a request may reach, decided before anything opens ---------------------------
#: A `%` not followed by two hex digits.
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
#: Control characters, C0 and C1 (a decoded `%00`, `%0d%0a`, `%1b` ...).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
#: A `Host` header: a name or an IPv4 address, or an IPv6 address in brackets; a port.
_HOST = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[^\s:\[\]/@]+)(?::([0-9]{1,5}))?")
#: The names every server answers to, whatever address it listens on.
LOOPBACK = ("localhost", "127.0.0.1", "[::1]")


class BadRequest(ValueError):
    """A request target that cannot be read: the message says why, in a few words."""


def segments(target: str) -> list[str] | None:
    """The decoded path segments of a request target (`/a/b%20c.html?x` gives `["a",
    "b c.html"]`), or None when it names nothing that may be served (`..`, a dotfile);
    raises BadRequest when it cannot be read at all."""
    if not target.startswith("/"):
        raise BadRequest("the path must start with /")
    if any(not ("!" <= char <= "~") for char in target):
        raise BadRequest("a character that is not printable ASCII")
    if _BAD_ESCAPE.search(target):
        raise BadRequest("an invalid percent-escape")
    try:
        decoded = unquote_to_bytes(target).decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("percent-escapes that are not UTF-8") from None
    if _CONTROL.search(decoded):
        raise BadRequest("a control character")
    path = unquote_to_bytes(target.split("?", 1)[0].split("#", 1)[0]).decode("utf-8")
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if any(part.startswith(".") for part in parts):
        return None  # `..` and every dotfile: the manifest, the lock, temporaries
    return parts


def locate(root: Path, parts: list[str]) -> tuple[str, bool] | None:
    """The resolved path of the regular file `parts` names in `root`, and whether it was
    reached as a folder's `index.html`; None when nothing may be served there."""
    try:
        top = os.path.realpath(root)
        real = os.path.realpath(os.path.join(top, *parts))
        folder = os.path.isdir(real)
        if folder:
            real = os.path.realpath(os.path.join(real, "index.html"))
        if not _confined(real, top) or not stat.S_ISREG(os.stat(real).st_mode):
            return None
    except (OSError, ValueError):
        return None
    return real, folder


def _confined(real: str, top: str) -> bool:
    """`real` is inside `top`, and no part of it there is a dotfile (a symlink to the
    manifest is no way round)."""
    if not real.startswith(top.rstrip(os.sep) + os.sep):
        return False
    return not any(part.startswith(".") for part in real[len(top) :].split(os.sep))


def folder_url(parts: list[str]) -> str:
    """The URL of the folder `parts`, with its trailing slash (where a redirect goes)."""
    return quote("/" + "".join(part + "/" for part in parts))


class Hosts:
    """The `Host` headers a server answers to: its loopback names and the address it was
    given (as typed and as bound), with its port. Listening on every address (`0.0.0.0`),
    also the machine's name and any IP address: a DNS-rebinding page has a name of its
    own in `Host`, never an address."""

    def __init__(self, given: str, bound: str, port: int) -> None:
        self.port = port
        self.anywhere = given in ("", "0.0.0.0", "::")
        names = {*LOOPBACK, given.lower(), _bracketed(bound.lower())}
        if self.anywhere:
            names.add(socket.gethostname().lower())
        self.names = frozenset(names)

    def allows(self, value: str) -> bool:
        found = _HOST.fullmatch(value.strip())
        if found is None:
            return False
        name, port = found[1].lower(), found[2]
        if (int(port) if port else 80) != self.port:
            return False
        return name in self.names or (self.anywhere and _is_address(name))


def _bracketed(address: str) -> str:
    return f"[{address}]" if ":" in address else address


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name[1:-1] if name.startswith("[") else name)
    except ValueError:
        return False
    return True


# --- the server ------------------------------------------------------------------------
@dataclass(frozen=True)
class _Site:
    """What the server shows: the folder, the reload counter, the current problems."""

    root: Path
    broadcast: Broadcast
    problems: Callable[[], str]


class _Server(http.server.ThreadingHTTPServer):
    """A thread per connection, at most `max_connections` at once: past the cap a new
    connection is answered 503 and closed at once, in the accepting thread."""

    daemon_threads = True
    block_on_close = False  # `stop` does not wait for a silent connection's timeout
    request_queue_size = 128

    def __init__(self, host: str, port: int, site: _Site, idle: float, most: int) -> None:
        super().__init__((host, port), _Handler)
        self.site = site
        self.idle_seconds = idle
        self.slots = threading.BoundedSemaphore(most)
        self.hosts = Hosts(host, str(self.server_address[0]), self.server_port)

    def process_request(self, request: Any, client_address: Any) -> None:
        if not self.slots.acquire(blocking=False):
            _refuse(request)
            self.shutdown_request(request)
            return
        try:
            super().process_request(request, client_address)
        except BaseException:
            self.slots.release()  # no thread started: the slot is free again
            raise

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def handle_error(self, request: Any, client_address: Any) -> None:
        """One line, never a traceback; nothing for a client that went away."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            return
        sys.stderr.write(
            f"procmap serve: could not answer {client_address[0]}: "
            f"{type(error).__name__}: {error}\n"
        )


def _refuse(request: socket.socket) -> None:
    """Answer 503 without waiting: the answer fits in the socket's buffer, or is lost."""
    with contextlib.suppress(OSError):
        request.setblocking(False)
        request.send(BUSY)
        request.recv(65536)  # what the client sent already: closing on it would reset


class _Handler(http.server.BaseHTTPRequestHandler):
    """The site's files (as `locate` confines them), its pages with the preview's
    additions, and the event stream; HTTP/1.0, one request per connection."""

    server: _Server
    raw_requestline: bytes  # set by the stdlib's handle_one_request, which typeshed omits
    default_request_version = "HTTP/1.0"  # every answer, even to garbage, has a status

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.idle_seconds)  # every read and write

    def version_string(self) -> str:
        return "procmap serve"  # the `Server` header: no Python version for a client

    def log_message(self, format: str, *args: Any) -> None:
        pass  # a quiet terminal: the preview prints its own rebuild lines

    def parse_request(self) -> bool:
        """The stdlib's checks (400, 414, 431, 505), then: no HTTP/0.9, exactly one `Host`
        (none only on HTTP/1.0, which no browser sends) and one this server answers to."""
        if len(self.raw_requestline) > MAX_LINE:
            self.requestline = self.request_version = self.command = ""
            self.send_error(414, f"Request line longer than {MAX_LINE} bytes")
            return False
        if not super().parse_request():
            return False
        hosts = self.headers.get_all("Host") or []
        if len(self.requestline.split()) != 3:
            self.send_error(400, "HTTP/0.9 is not served")
        elif len(hosts) > 1 or (not hosts and self.request_version != "HTTP/1.0"):
            self.send_error(400, "One Host header is required")
        elif hosts and not self.server.hosts.allows(hosts[0]):
            self.send_error(403, "Host not allowed: open the address procmap serve printed")
        else:
            return True
        return False

    def do_GET(self) -> None:
        self._answer(body=True)

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def _answer(self, body: bool) -> None:
        try:
            parts = segments(self.path)
        except BadRequest as error:
            self.send_error(400, f"Bad request: {error}")
            return
        if parts == EVENTS_PARTS and body:
            self._events()
            return
        found = locate(self.server.site.root, parts) if parts is not None else None
        if found is None:
            self.send_error(404, "File not found")
        elif found[1] and not self.path.split("?", 1)[0].endswith("/"):
            self.send_response(301)
            self.send_header("Location", folder_url(parts or []))
            self.send_header("Content-Length", "0")
            self.end_headers()
        else:
            self._file(found[0], body)

    def _file(self, real: str, body: bool) -> None:
        try:
            handle = _open(real)
        except OSError:
            self.send_error(404, "File not found")
            return
        with handle:
            if real.endswith(".html"):
                text = handle.read().decode("utf-8", errors="replace")
                self._send(inject(text, self.server.site.problems()).encode("utf-8"), real, body)
            else:
                self._send(handle.read(), real, body)

    def _send(self, data: bytes, real: str, body: bool) -> None:
        kind = mimetypes.guess_type(real)[0] or "application/octet-stream"
        if kind.startswith("text/") or kind.endswith(("+xml", "/javascript")):
            kind += "; charset=utf-8"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _events(self) -> None:
        """The reload stream: `data: reload` after each rebuild, a comment every
        PING_SECONDS between (the idle timeout is per read or write, never reached)."""
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        broadcast = self.server.site.broadcast
        seen = broadcast.generation
        try:
            self.wfile.write(b": connected\n\n")
            self.wfile.flush()
            while not broadcast.closed:
                now = broadcast.wait(seen, PING_SECONDS)
                if broadcast.closed:
                    break
                if now != seen:
                    seen = now
                    self.wfile.write(b"data: reload\n\n")
                else:
                    self.wfile.write(b": ping\n\n")
                self.wfile.flush()
        except OSError:
            return


def _open(real: str) -> BinaryIO:
    """Open the file `locate` found, if it is still a regular file: never through
    a symlink put there since (O_NOFOLLOW), never blocking on a FIFO (O_NONBLOCK)."""
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0)
    fd = os.open(real, flags)
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "not a regular file", real)
    return os.fdopen(fd, "rb")


def make_server(
    root: Path,
    host: str,
    port: int,
    broadcast: Broadcast,
    problems: Callable[[], str],
    *,
    idle_seconds: float = IDLE_SECONDS,
    max_connections: int = MAX_CONNECTIONS,
) -> http.server.ThreadingHTTPServer:
    """A server of `root` on `host`:`port`, not yet serving (call `serve_forever`)."""
    site = _Site(root, broadcast, problems)
    try:
        return _Server(host, port, site, idle_seconds, max_connections)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise ServeError(
                f"{host}:{port} is in use (another procmap serve?); try --port {port + 1}"
            ) from None
        raise ServeError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
