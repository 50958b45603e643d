"""The preview's HTTP server: the site's files from one folder, on localhost.

Owns: serving files (never outside the folder), the event stream that tells open pages to
reload (`/_procmap/events`, server-sent events), and what the preview adds to each HTML
page as it is served, never to the files: a few lines of script that reload the page on
an event, and a banner with the current problems.

Must not know: processes, rendering, what the problems are about.
"""

from __future__ import annotations

import errno
import html
import http.server
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

EVENTS = "/_procmap/events"
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


def make_server(
    root: Path, host: str, port: int, broadcast: Broadcast, problems: Callable[[], str]
) -> http.server.ThreadingHTTPServer:
    """A server of `root` on `host`:`port`, not yet serving (call `serve_forever`)."""

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, directory=str(root), **kwargs)

        def log_message(self, format: str, *args: Any) -> None:
            pass  # a quiet terminal: the preview prints its own rebuild lines

        def do_GET(self) -> None:
            if self.path.split("?", 1)[0] == EVENTS:
                self._events()
                return
            target = Path(self.translate_path(self.path))
            if target.is_dir():
                target = target / "index.html"
            if target.suffix == ".html" and target.is_file():
                self._page(target)
                return
            super().do_GET()

        def _page(self, target: Path) -> None:
            try:
                text = target.read_text(encoding="utf-8")
            except OSError:
                self.send_error(404)
                return
            body = inject(text, problems()).encode("utf-8")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

        def _events(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
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
            except (BrokenPipeError, ConnectionResetError, OSError):
                return

    try:
        server = http.server.ThreadingHTTPServer((host, port), Handler)
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            raise ServeError(
                f"{host}:{port} is in use (another procmap serve?); try --port {port + 1}"
            ) from None
        raise ServeError(f"cannot listen on {host}:{port}: {error.strerror or error}") from None
    server.daemon_threads = True
    return server
