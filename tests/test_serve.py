"""`procmap serve`: the preview's server, its rebuilds and its watcher, on a free port.

Each test serves a copy of three bundled processes from a temporary folder. The watcher
test saves a file as an editor would and waits (at most 10 s) for the reload event; the
one-second budget from save to redrawn map is measured by `make bench`, not here.
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from conftest import REPO, procmap
from procmap.config import Config
from procmap.render import Options
from procmap.serve import Preview, ServeError
from procmap.serve.server import inject


@pytest.fixture
def preview(tmp_path: Path):
    folder = tmp_path / "processes"
    folder.mkdir()
    for name in ("lead-handoff.yaml", "lead-scoring.yaml", "client-onboarding.yaml"):
        shutil.copy(REPO / "processes" / name, folder / name)
    lines: list[str] = []
    options = Options(out_dir=tmp_path / "site", formats=("html",))
    found = Preview([str(folder)], Config(root=tmp_path), options, say=lines.append)
    found.lines = lines  # type: ignore[attr-defined]
    yield found
    found.stop()


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, ""


def test_serves_the_site_with_the_reload_script_and_nothing_outside_it(preview):
    preview.build()
    url = preview.start("127.0.0.1", 0)
    status, home = get(url)
    assert status == 200 and "<h1>Processes</h1>" in home and "EventSource" in home
    status, page = get(url + "lead-handoff.html")
    assert status == 200 and "Marketing-to-sales lead handoff" in page
    assert get(url + "procmap.css")[0] == 200
    assert get(url + "nothing.html")[0] == 404
    assert get(url + "../processes/lead-handoff.yaml")[0] == 404
    # The files themselves stay as `procmap render` writes them: no script in them.
    assert "<script" not in (preview.options.out_dir / "lead-handoff.html").read_text()


def test_a_save_redraws_the_page_and_a_broken_file_keeps_its_last_good_page(preview):
    preview.build()
    url = preview.start("127.0.0.1", 0)
    source = Path(preview.paths[0]) / "lead-scoring.yaml"
    before = preview.broadcast.generation
    source.write_text(
        source.read_text().replace("means sales-ready.", "means ready for sales."),
        encoding="utf-8",
    )
    written = preview.build([str(source)])
    # Only its page (and the catalog) is redrawn: the other page shows nothing of it
    # but its name, which did not change.
    assert "lead-scoring.html" in written and "lead-handoff.html" not in written
    assert preview.broadcast.generation == before + 1
    assert "means ready for sales." in get(url + "lead-scoring.html")[1]
    # A mistake: the page stays, under a banner with the problem as validate prints it.
    source.write_text(source.read_text() + "steps: [\n", encoding="utf-8")
    preview.build([str(source)])
    status, page = get(url + "lead-scoring.html")
    assert status == 200 and "means ready for sales." in page
    assert 'id="procmap-problems"' in page and "lead-scoring.yaml:" in page and "Y00" in page
    # ... over every page, and the other pages still link to it
    status, other = get(url + "lead-handoff.html")
    assert 'id="procmap-problems"' in other and 'href="lead-scoring.html"' in other
    # Fixed: the banner goes.
    source.write_text(source.read_text().replace("steps: [\n", ""), encoding="utf-8")
    preview.build([str(source)])
    assert 'id="procmap-problems"' not in get(url + "lead-scoring.html")[1]


def test_the_event_stream_says_reload_after_a_rebuild(preview):
    preview.build()
    url = preview.start("127.0.0.1", 0)
    got: list[bytes] = []

    def listen() -> None:
        with urllib.request.urlopen(url + "_procmap/events", timeout=10) as stream:
            got.append(stream.readline())  # ": connected"
            stream.readline()
            got.append(stream.readline())

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    time.sleep(0.3)
    preview.build()
    thread.join(10)
    assert got == [b": connected\n", b"data: reload\n"]


def test_the_watcher_rebuilds_on_save(preview):
    preview.build()
    preview.start("127.0.0.1", 0)
    watcher = threading.Thread(target=preview.watch, daemon=True)
    watcher.start()
    time.sleep(0.5)  # let the watcher start
    seen = preview.broadcast.generation
    source = Path(preview.paths[0]) / "lead-handoff.yaml"
    source.write_text(source.read_text().replace("Sales-ready?", "Ready for sales?"))
    assert preview.broadcast.wait(seen, 10) > seen
    page = (preview.options.out_dir / "lead-handoff.html").read_text(encoding="utf-8")
    assert "Ready for sales?" in page
    preview.stop()
    watcher.join(5)
    assert not watcher.is_alive()
    assert any(line.startswith("Rebuilt in ") for line in preview.lines)


def test_a_port_in_use_is_one_line_with_another_to_try(preview, capsys, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ServeError, match=f"127.0.0.1:{port} is in use.*--port {port + 1}"):
            preview.start("127.0.0.1", port)
        status, out, err = procmap(
            capsys, "serve", str(REPO / "processes"), "--port", str(port), "--no-measure"
        )
    assert status == 2 and out == ""
    assert (
        err
        == f"procmap: 127.0.0.1:{port} is in use (another procmap serve?); try --port {port + 1}\n"
    )


def test_the_banner_escapes_the_problems():
    page = inject("<html><body><p>x</p></body></html>", "a.yaml:1:1: Y001 <b>bad</b>\n")
    assert "&lt;b&gt;bad&lt;/b&gt;" in page and "<b>bad</b>" not in page
    assert page.index("procmap-problems") < page.index("<p>x</p>") < page.index("EventSource")
    assert "procmap-problems" not in inject("<body></body>", "")


def test_a_folder_that_cannot_be_read_is_on_the_banner_not_left_out(preview, monkeypatch):
    """Item 3 of issue 15 for the preview: an unreadable folder is a Y013 problem shown on
    the pages' banner, never a site silently missing its processes. (Root reads every
    folder, so the refusal is the OS's answer, simulated; tests/test_unreadable.py runs
    the commands without root's override.)"""
    import os

    secret = Path(preview.paths[0]) / "secret"
    secret.mkdir()
    shutil.copy(REPO / "processes" / "webinar-funnel.yaml", secret / "webinar-funnel.yaml")
    scandir = os.scandir

    def refusing(path=".", *args, **kwargs):
        if os.fspath(path) == str(secret):
            raise PermissionError(13, "Permission denied", os.fspath(path))
        return scandir(path, *args, **kwargs)

    monkeypatch.setattr(os, "scandir", refusing)
    preview.build()
    found = [p for problems in preview.problems.values() for p in problems]
    assert [(p.path, p.code) for p in found if p.code == "Y013"] == [(str(secret), "Y013")]
