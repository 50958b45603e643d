"""The HTML site in a real browser: headless Chromium from the system, driven by Playwright.

`make test` installs Chromium (scripts/ensure-chromium.sh) and Playwright (the lock);
these tests skip, saying why, only when no Chromium can be found (set PROCMAP_CHROMIUM
to use another). The site is procmap's own processes/ rendered as `make demo` renders
it, with the webinar funnel measured from its declared log.

Every page is opened from disk (file://): no console error, no failed request, no script,
nothing from the network; every link and anchor is followed (the file exists, the anchor
is an id on its page). Then a reader's clicks: from the system map and from the catalog
to a process, from a step of the map to its section of the runbook, from a subprocess box
to its process.

PROCMAP_UPDATE_SCREENSHOTS=1 (`make screenshots`) saves the README's screenshots.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import pytest

from conftest import REPO, clean_env

SCREENSHOTS = REPO / "docs" / "site"
LINKS = """() => Array.from(document.querySelectorAll('a')).map(
  a => a.getAttribute('href') ?? a.getAttribute('xlink:href'))"""
IDS = "() => Array.from(document.querySelectorAll('[id]')).map(e => e.id)"
RESOURCES = """() => [
  ...Array.from(document.querySelectorAll('link[href]')).map(e => e.getAttribute('href')),
  ...Array.from(document.querySelectorAll('img[src], script[src], iframe[src]'))
    .map(e => e.getAttribute('src')),
]"""


def _chromium() -> str | None:
    given = os.environ.get("PROCMAP_CHROMIUM")
    if given:
        return given if os.access(given, os.X_OK) else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "procmap",
            "render",
            "processes/",
            "-o",
            str(out),
            "-q",
            "-f",
            "svg,runbook,dmaic,html",
        ],
        cwd=REPO,  # the repository's configuration declares the webinar funnel's log
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return out


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    chromium = _chromium()
    if chromium is None:
        pytest.skip(
            "no Chromium found: make test installs Debian's chromium"
            " (scripts/ensure-chromium.sh), or set PROCMAP_CHROMIUM"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=["--no-sandbox"]
        )
        try:
            yield browser
        finally:
            browser.close()


class Visit:
    """A page opened in a new tab, with every console error and failed request noted."""

    def __init__(self, browser: Any, url: str, width: int = 1280) -> None:
        self.page = browser.new_page(viewport={"width": width, "height": 900})
        self.problems: list[str] = []
        self.page.on(
            "console",
            lambda m: (
                self.problems.append(f"console {m.type}: {m.text}")
                if m.type in ("error", "warning")
                else None
            ),
        )
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("requestfailed", lambda r: self.problems.append(f"request failed: {r.url}"))
        self.page.goto(url)

    def __enter__(self) -> Visit:
        return self

    def __exit__(self, *exc: object) -> None:
        self.page.close()


def _pages(site: Path) -> list[Path]:
    pages = sorted(site.glob("*.html"))
    assert [p.name for p in pages if p.name == "index.html"] == ["index.html"]
    return pages


def test_every_page_loads_clean_and_every_link_and_anchor_resolves(browser, site):
    ids: dict[str, set[str]] = {}
    links: dict[str, list[str]] = {}
    for path in _pages(site):
        with Visit(browser, path.as_uri()) as visit:
            assert visit.page.evaluate("() => document.scripts.length") == 0, path.name
            for resource in visit.page.evaluate(RESOURCES):
                assert urlsplit(urljoin(path.as_uri(), resource)).scheme == "file", resource
            ids[path.name] = set(visit.page.evaluate(IDS))
            links[path.name] = visit.page.evaluate(LINKS)
            assert visit.problems == [], (path.name, visit.problems)
    checked = 0
    for name, hrefs in links.items():
        for href in hrefs:
            assert href, f"{name}: a link without a target"
            target = urlsplit(urljoin((site / name).as_uri(), href))
            assert target.scheme == "file", f"{name}: {href} leaves the site"
            file = Path(unquote(target.path))
            assert file.is_file(), f"{name}: {href}: no such file"
            if target.fragment:
                if file.name not in ids:  # an SVG or Markdown file: no anchors in it
                    pytest.fail(f"{name}: {href}: an anchor into a file that is not a page")
                assert target.fragment in ids[file.name], f"{name}: {href}: no such anchor"
            checked += 1
    assert checked > 100  # every step of every map, the tables of contents, the catalog


def test_the_pages_have_headings_in_order_and_labelled_maps(browser, site):
    for path in _pages(site):
        with Visit(browser, path.as_uri()) as visit:
            levels = visit.page.evaluate(
                "() => Array.from(document.querySelectorAll('h1,h2,h3,h4,h5,h6'))"
                ".map(h => Number(h.tagName[1]))"
            )
            assert levels[0] == 1 and levels.count(1) == 1, path.name
            for before, after in itertools.pairwise(levels):
                assert after <= before + 1, (path.name, levels)
            for label in visit.page.evaluate(
                "() => Array.from(document.querySelectorAll('svg')).map(s =>"
                " s.getAttribute('aria-labelledby').split(' ').map("
                " i => (document.getElementById(i) || {}).textContent))"
            ):
                assert all(label), (path.name, label)
            texts = visit.page.evaluate(
                "() => Array.from(document.querySelectorAll('a')).map(a => a.textContent.trim())"
            )
            assert all(texts), (path.name, "a link without text")


def test_from_the_catalog_to_a_process_and_from_a_step_to_its_runbook_section(browser, site):
    with Visit(browser, (site / "index.html").as_uri()) as visit:
        page = visit.page
        page.get_by_role("link", name="Lead handoff").first.click()
        page.wait_for_load_state()
        assert page.url.endswith("lead-handoff.html#runbook")
        node = page.locator("#map").locator(
            "xpath=.//*[local-name()='a'][@*[local-name()='href']='#step-call']"
        )
        node.click()
        assert page.url.endswith("#step-call")
        heading = page.locator("#step-call")
        assert heading.inner_text().startswith("5. First call with the lead")
        box = heading.bounding_box()
        assert box is not None and 0 <= box["y"] < 900  # scrolled into view
        # The subprocess box opens the process it runs.
        page.locator("#map").locator(
            "xpath=.//*[local-name()='a'][@*[local-name()='href']='lead-scoring.html']"
        ).click()
        page.wait_for_load_state()
        assert page.url.endswith("/lead-scoring.html")
        assert page.locator("h1").inner_text() == "Lead scoring"
        assert visit.problems == []


def test_from_the_system_map_to_a_process(browser, site):
    with Visit(browser, (site / "index.html").as_uri()) as visit:
        page = visit.page
        assert "Where to start" in page.locator("#portfolio").inner_text()
        page.locator("#system-map-section").locator(
            "xpath=.//*[local-name()='a'][@*[local-name()='href']='client-onboarding.html']"
        ).click()
        page.wait_for_load_state()
        assert page.url.endswith("/client-onboarding.html")
        assert page.locator("h1").inner_text() == "New client onboarding"
        assert visit.problems == []


def test_the_measured_process_shows_its_measured_map_and_figures(browser, site):
    with Visit(browser, (site / "webinar-funnel.html").as_uri()) as visit:
        page = visit.page
        assert page.locator("#measured svg").count() == 1
        assert "300 cases" in page.locator("#measured").inner_text()
        assert "Measured from the event log" in page.locator("#dmaic").inner_text()
        if os.environ.get("PROCMAP_UPDATE_SCREENSHOTS") == "1":
            SCREENSHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SCREENSHOTS / "process.png"))
    if os.environ.get("PROCMAP_UPDATE_SCREENSHOTS") == "1":
        with Visit(browser, (site / "index.html").as_uri()) as visit:
            visit.page.screenshot(path=str(SCREENSHOTS / "home.png"))


def test_a_phone_reads_the_page_without_sideways_scrolling(browser, site):
    with Visit(browser, (site / "lead-handoff.html").as_uri(), width=390) as visit:
        overflow = visit.page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0  # wide maps and tables scroll inside their own box


def test_the_system_map_reads_at_its_default_size_on_a_laptop(browser, site):
    """Issue 21: at 1280 px every label of the home page's system map is at least 12 px
    tall as drawn, and the map fits its box (no sideways scrolling for this business)."""
    with Visit(browser, (site / "index.html").as_uri(), width=1280) as visit:
        sizes = visit.page.evaluate(
            """() => Array.from(document.querySelectorAll('#system-map-section svg text'))
              .map(t => t.getScreenCTM().a * parseFloat(getComputedStyle(t).fontSize))"""
        )
        box = visit.page.evaluate(
            """() => { const d = document.querySelector('#system-map-section .drawing');
              return d.scrollWidth - d.clientWidth; }"""
        )
        assert sizes and min(sizes) >= 12 - 0.01, sorted(sizes)[:5]
        assert box <= 0
        assert visit.problems == []
