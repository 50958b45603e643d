"""`procmap serve` under attack (issue 15, item 5): real servers on 127.0.0.1, real requests.

What an HTTP client may reach: only regular files inside the output folder (a symlink out
of it, a listing, a dotfile such as the manifest: 404); only with a `Host` this server
answers to (DNS rebinding: 403); malformed requests: 4xx, never a traceback; idle
connections time out and connections are capped, so held sockets never cost a thread each.

Most tests run the server of `procmap.serve.server` in this process (its idle timeout set
short, so they are fast); one runs `procmap serve` itself. Every socket has a timeout, and
every loop waits a bounded time.
"""

from __future__ import annotations

import contextlib
import os
import re
import select
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import REPO, clean_env
from procmap.serve import server as serve_server
from procmap.serve.server import Broadcast, make_server

SECRET = "outside-the-folder-secret"


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """An output folder with pages, a folder without index.html, the dotfiles procmap
    leaves (manifest, lock, temporaries) and symlinks inside and out."""
    root = tmp_path / "site"
    (root / "guide").mkdir(parents=True)
    (root / "empty").mkdir()
    (root / "index.html").write_text("<html><body><h1>Processes</h1></body></html>")
    (root / "page.html").write_text("<html><body><p>a page</p></body></html>")
    (root / "guide" / "index.html").write_text("<html><body><p>the guide</p></body></html>")
    (root / "map.svg").write_text("<svg/>")
    (root / ".procmap-manifest.json").write_text('{"files": {}}')
    (root / ".procmap.lock").write_text("")
    (root / ".page.html.tmp").write_text("half")
    (tmp_path / "outside.html").write_text(SECRET)
    (root / "etc").symlink_to("/etc")
    (root / "leak.html").symlink_to("../outside.html")
    (root / "alias.html").symlink_to("page.html")
    (root / "manifest.html").symlink_to(".procmap-manifest.json")
    os.mkfifo(root / "pipe.html")
    return root


@contextlib.contextmanager
def serving(root: Path, **limits: float) -> Iterator[tuple[object, int]]:
    """The preview's server of `root` on 127.0.0.1 (a free port), in a thread."""
    server = make_server(root, "127.0.0.1", 0, Broadcast(), lambda: "", **limits)  # type: ignore[arg-type]
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def raw(port: int, data: bytes, timeout: float = 5.0) -> bytes:
    """Send `data` as it is and read the answer until the server closes (HTTP/1.0)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(data)
        chunks = []
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def get(port: int, path: str, host: str | None = None) -> tuple[int, bytes]:
    """GET `path` with `Host: host` (default 127.0.0.1:port): status and body."""
    host = f"127.0.0.1:{port}" if host is None else host
    answer = raw(port, f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode("latin-1"))
    return status_of(answer), answer.partition(b"\r\n\r\n")[2]


def status_of(answer: bytes) -> int:
    found = re.match(rb"HTTP/1\.[01] (\d{3}) ", answer)
    return int(found[1]) if found else 0


def test_only_regular_files_inside_the_folder_are_served(site: Path) -> None:
    with serving(site) as (_, port):
        assert get(port, "/page.html")[0] == 200
        assert get(port, "/map.svg") == (200, b"<svg/>")
        # a symlink inside the folder to a page inside it is fine
        status, body = get(port, "/alias.html")
        assert status == 200 and b"a page" in body
        # a symlink out of the folder reveals nothing: 404, as for a missing file
        for path in ("/etc/passwd", "/etc/hostname", "/etc/", "/leak.html"):
            status, body = get(port, path)
            assert status == 404, path
            assert b"root:" not in body and SECRET.encode() not in body
        assert get(port, "/../outside.html")[0] == 404
        assert get(port, "/%2e%2e/outside.html")[0] == 404
        assert get(port, "/pipe.html")[0] == 404  # a FIFO is never opened


def test_no_listings_and_no_dotfiles(site: Path) -> None:
    with serving(site) as (_, port):
        status, body = get(port, "/")
        assert status == 200 and b"<h1>Processes</h1>" in body
        assert b"page.html" not in body  # the index page, not a listing
        status, body = get(port, "/guide/")
        assert status == 200 and b"the guide" in body
        answer = raw(port, f"GET /guide HTTP/1.0\r\nHost: localhost:{port}\r\n\r\n".encode())
        assert status_of(answer) == 301 and b"\r\nLocation: /guide/\r\n" in answer
        # a folder without index.html: 404, never a listing
        for path in ("/empty/", "/empty", "/etc/"):
            status, body = get(port, path)
            assert status == 404 and b"Directory listing" not in body, path
        for path in (
            "/.procmap-manifest.json",
            "/.procmap.lock",
            "/.page.html.tmp",
            "/%2eprocmap-manifest.json",
            "/manifest.html",  # a symlink to a dotfile
            "/guide/../.procmap-manifest.json",
        ):
            status, body = get(port, path)
            assert status == 404 and b"files" not in body, path


def test_a_host_it_does_not_answer_to_is_403(site: Path) -> None:
    with serving(site) as (_, port):
        for host in (f"localhost:{port}", f"127.0.0.1:{port}", f"[::1]:{port}", "LOCALHOST:%d"):
            assert get(port, "/page.html", host=host.replace("%d", str(port)))[0] == 200, host
        for host in ("evil.example", f"evil.example:{port}", f"localhost:{port + 1}", "localhost"):
            status, body = get(port, "/page.html", host=host)
            assert status == 403 and len(body) < 1000 and b"a page" not in body, host
        # the event stream too: a page elsewhere learns nothing from it
        assert get(port, "/_procmap/events", host="evil.example")[0] == 403
        # HTTP/1.1 requires Host; HTTP/1.0 without one cannot come from a browser
        assert status_of(raw(port, b"GET /page.html HTTP/1.1\r\n\r\n")) == 400
        assert status_of(raw(port, b"GET /page.html HTTP/1.0\r\n\r\n")) == 200
        two = f"GET / HTTP/1.1\r\nHost: localhost:{port}\r\nHost: evil.example\r\n\r\n"
        assert status_of(raw(port, two.encode())) == 400


MALFORMED = [
    b"GET /%00 HTTP/1.1",
    b"GET /page.html%00.svg HTTP/1.1",
    b"GET /%0d%0aSet-Cookie:x HTTP/1.1",
    b"GET /%1b[31m HTTP/1.1",
    b"GET /%7f HTTP/1.1",
    b"GET /% HTTP/1.1",
    b"GET /%zz HTTP/1.1",
    b"GET /%2 HTTP/1.1",
    b"GET /%ff%fe HTTP/1.1",
    b"GET /\xff\xfe HTTP/1.1",
    b"GET /\x00 HTTP/1.1",
    b"GET /a\x01b HTTP/1.1",
    b"GET page.html HTTP/1.1",
    b"GET http://evil.example/ HTTP/1.1",
    b"GET * HTTP/1.1",
    b"GET //evil.example/ HTTP/1.1",
    b"GET / HTTP/9.9",
    b"GET / HTTP/1.1.1",
    b"GET / HTTP/x",
    b"GET / FTP/1.0",
    b"GET / HTTP/1.1 extra",
    b"GET",
    b"GET /",
    b"",
    b"   ",
    b"\x00\x00\x00",
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  # a TLS hello
    b"PUT /page.html HTTP/1.1",
    b"DELETE / HTTP/1.1",
    b"BREW /pot HTTP/1.1",
    b"get / HTTP/1.1",
    b"GET /" + b"a" * 70000 + b" HTTP/1.1",
    b"GET /" + b"%41" * 5000 + b" HTTP/1.1",
    b"GET /?" + b"q" * 60000 + b" HTTP/1.1",
    b"GET /page.html?%00 HTTP/1.1",
    b"GET /page.html#%zz HTTP/1.1",
]


@pytest.mark.parametrize("line", MALFORMED, ids=range(len(MALFORMED)))
def test_a_malformed_request_is_4xx_never_a_traceback(
    site: Path, line: bytes, capfd: pytest.CaptureFixture[str]
) -> None:
    with serving(site) as (_, port):
        answer = raw(port, line + f"\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        status = status_of(answer)
        # nothing at all is answered only to a line with no request in it
        assert (400 <= status < 500 or status in (501, 505)) or (not answer and not line.strip())
        assert b"Traceback" not in answer
        # and the server still answers
        assert get(port, "/page.html")[0] == 200
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err and "Error" not in err


def test_control_bytes_and_bad_escapes_are_400(site: Path) -> None:
    with serving(site) as (_, port):
        for path in ("/%00", "/a%0ab", "/%zz", "/%", "/%ff", "/%c3%28"):
            assert get(port, path)[0] == 400, path
        assert get(port, "/%70age.html")[0] == 200  # a valid escape is decoded


def until_closed(socks: list[socket.socket], deadline: float) -> list[tuple[bytes, float]]:
    """For each socket, what the server sent before closing it and when it closed it
    (monotonic seconds), all watched at once; fails if one is still open at `deadline`."""
    answers = {sock: b"" for sock in socks}
    closed: dict[socket.socket, float] = {}
    while len(closed) < len(socks) and time.monotonic() < deadline:
        for sock in select.select([s for s in socks if s not in closed], [], [], 0.1)[0]:
            try:
                chunk = sock.recv(4096)
            except ConnectionResetError:
                chunk = b""
            answers[sock] += chunk
            if not chunk:
                closed[sock] = time.monotonic()
    assert len(closed) == len(socks), "a held socket was not closed by the server"
    return [(answers[sock], closed[sock]) for sock in socks]


def test_idle_sockets_hold_no_thread_each_and_are_closed_after_the_timeout(site: Path) -> None:
    before = threading.active_count()
    with serving(site, idle_seconds=2.0, max_connections=16) as (_, port):
        opened = time.monotonic()
        held = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(200)]
        try:
            time.sleep(0.5)
            # the server's thread and at most one thread per allowed connection
            assert threading.active_count() <= before + 1 + 16
            started = time.monotonic()
            assert get(port, "/page.html")[0] in (200, 503)
            assert time.monotonic() - started < 3
            # Every held socket is closed by the server: past the cap at once with a
            # 503, within it after the idle timeout, silently.
            closed = until_closed(held, opened + 10)
            busy = [when - opened for answer, when in closed if status_of(answer) == 503]
            idle = [when - opened for answer, when in closed if not answer]
            assert len(busy) + len(idle) == 200 and 1 <= len(idle) <= 16
            assert max(busy) < 2.0 <= min(idle) < 6
        finally:
            for sock in held:
                sock.close()
        assert get(port, "/page.html")[0] == 200
        deadline = time.monotonic() + 5
        while threading.active_count() > before + 1 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert threading.active_count() <= before + 1


def test_head_answers_without_a_body(site: Path) -> None:
    with serving(site) as (_, port):
        answer = raw(port, f"HEAD /page.html HTTP/1.0\r\nHost: localhost:{port}\r\n\r\n".encode())
        head, _, body = answer.partition(b"\r\n\r\n")
        assert status_of(answer) == 200 and body == b"" and b"Content-Length: " in head


def test_the_hosts_a_server_answers_to() -> None:
    loopback = serve_server.Hosts("127.0.0.1", "127.0.0.1", 8000)
    assert loopback.allows("localhost:8000") and loopback.allows("[::1]:8000")
    assert not loopback.allows("192.168.1.5:8000") and not loopback.allows("localhost")
    assert not loopback.allows("localhost:8000@evil.example") and not loopback.allows("")
    assert serve_server.Hosts("127.0.0.1", "127.0.0.1", 80).allows("localhost")
    # everywhere: any address and the machine's name, still no other name
    anywhere = serve_server.Hosts("0.0.0.0", "0.0.0.0", 8000)
    assert anywhere.allows("192.168.1.5:8000") and anywhere.allows("[fe80::1]:8000")
    assert anywhere.allows(f"{socket.gethostname()}:8000")
    assert not anywhere.allows("evil.example:8000") and not anywhere.allows("192.168.1.5:80")
    # a name given to --host is answered to as typed
    assert serve_server.Hosts("preview.lan", "10.0.0.2", 8000).allows("preview.lan:8000")


def test_the_event_stream_outlives_the_idle_timeout(site: Path, monkeypatch) -> None:
    """Pings further apart than the idle timeout: the stream waits, it is not idle."""
    monkeypatch.setattr(serve_server, "PING_SECONDS", 0.8)
    broadcast = Broadcast()
    server = make_server(site, "127.0.0.1", 0, broadcast, lambda: "", idle_seconds=0.3)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    port = server.server_address[1]
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            request = f"GET /_procmap/events HTTP/1.1\r\nHost: localhost:{port}\r\n\r\n"
            sock.sendall(request.encode())
            stream = sock.makefile("rb")
            assert stream.readline().startswith(b"HTTP/1.0 200")
            while stream.readline() != b"\r\n":
                pass
            assert [stream.readline(), stream.readline()] == [b": connected\n", b"\n"]
            assert [stream.readline() for _ in range(4)] == [b": ping\n", b"\n"] * 2
            broadcast.bump()
            assert [stream.readline(), stream.readline()] == [b"data: reload\n", b"\n"]
    finally:
        broadcast.close()
        server.shutdown()
        server.server_close()
        thread.join(5)


def _serve(tmp_path: Path) -> tuple[subprocess.Popen[str], int, Path]:
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "procmap",
            "serve",
            str(REPO / "processes" / "lead-handoff.yaml"),
            "--port",
            "0",
            "--no-measure",
            "-o",
            str(out),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=clean_env(),
    )
    assert proc.stderr is not None
    line = proc.stderr.readline()
    while line and "Serving" not in line:
        line = proc.stderr.readline()
    found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    assert found, line
    return proc, int(found[1]), out


@pytest.mark.skipif(
    not Path("/proc/self/task").is_dir(), reason="counts the server's threads in /proc (Linux)"
)
def test_procmap_serve_refuses_what_it_must(tmp_path: Path) -> None:
    proc, port, out = _serve(tmp_path)
    try:
        (out / "etc").symlink_to("/etc")
        assert get(port, "/lead-handoff.html")[0] == 200
        status, body = get(port, "/etc/passwd")
        assert status == 404 and b"root:" not in body
        assert get(port, "/.procmap-manifest.json")[0] == 404
        assert get(port, "/etc/")[0] == 404
        assert get(port, "/", host="evil.example")[0] == 403
        assert get(port, "/", host=f"localhost:{port}")[0] == 200
        assert get(port, "/%00")[0] == 400
        for line in MALFORMED:
            raw(port, line + b"\r\n\r\n")
        # 200 idle sockets: the server's threads stay bounded, and it still answers
        held = [socket.create_connection(("127.0.0.1", port), timeout=5) for _ in range(200)]
        try:
            time.sleep(0.5)
            threads = len(os.listdir(f"/proc/{proc.pid}/task"))
            assert threads <= serve_server.MAX_CONNECTIONS + 8
            started = time.monotonic()
            assert get(port, "/lead-handoff.html")[0] in (200, 503)
            assert time.monotonic() - started < 3
        finally:
            for sock in held:
                sock.close()
    finally:
        proc.terminate()
        _, err = proc.communicate(timeout=10)
    assert "Traceback" not in err and "Error" not in err, err
