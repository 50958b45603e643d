"""The site carries the business's name and leads with its processes (issue 21, item 9).

The home page said "procmap", opened with the portfolio's scoring formula, and shrank a
system map 1560 pt wide into the page, its labels 6 px tall. Now `[tool.procmap.site]
title` names the site (page titles, the header, the home page's heading); the home page
opens with the catalog, the formula is a note at the end; the system map is drawn top to
bottom and never shrunk, so its smallest label is 12 px at 1280 px.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
TITLE = "Northwind Studio"
#: The page's content width at a 1280 px window: `main` is at most 72rem (1152 px) with
#: 1rem of padding each side, and the drawing's box 0.5rem of padding and a 1 px border.
CONTENT_PX = min(1280, 72 * 16) - 2 * 16 - 2 * 8 - 2


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    import subprocess
    import sys

    from conftest import clean_env

    root = tmp_path_factory.mktemp("studio")
    shutil.copytree(REPO / "processes", root / "processes")
    (root / "pyproject.toml").write_text(f'[tool.procmap.site]\ntitle = "{TITLE}"\n')
    done = subprocess.run(
        [sys.executable, "-m", "procmap", "render", "-f", "html", "-o", "out", "-q"],
        cwd=root,
        env=clean_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return root / "out"


def test_the_site_carries_the_business_s_name(site):
    home = (site / "index.html").read_text()
    assert f"<title>{TITLE}</title>" in home
    assert f'<header class="site"><span>{TITLE}</span></header>' in home
    assert f"<h1>{TITLE}</h1>" in home
    page = (site / "client-onboarding.html").read_text()
    assert f"<title>New client onboarding · {TITLE}</title>" in page
    assert f'<a href="index.html">{TITLE}</a>' in page
    for text in (home, page):
        head = text.split("</header>", 1)[0].replace('href="procmap.css"', "")
        assert "procmap" not in head


def test_the_home_page_leads_with_the_processes_and_ends_with_the_formula(site):
    home = (site / "index.html").read_text()
    catalog = home.index('<section id="catalog"')
    system_map = home.index('<section id="system-map-section"')
    portfolio = home.index('<section id="portfolio"')
    assert catalog < system_map < portfolio
    notes = home.index('id="portfolio-how-the-figures-are-worked-out"')
    assert home.index("Score = 100 ×") > notes
    ranking = home[portfolio:notes]
    assert "Score = 100" not in ranking
    assert 'href="#portfolio-how-the-figures-are-worked-out"' in ranking


def test_the_system_map_is_legible_at_1280_px(site):
    home = (site / "index.html").read_text()
    drawing = home.split('<div class="drawing system-map">', 1)[1].split("</svg>", 1)[0]
    width_pt = float(re.search(r'<svg width="([\d.]+)pt"', drawing)[1])
    sizes = [float(s) for s in re.findall(r'font-size="([\d.]+)"', drawing)]
    css = (site / "procmap.css").read_text()
    assert ".drawing.system-map svg { max-width: none;" in css  # never shrunk to fit
    # At its own size (1 pt = 4/3 px) the smallest label is 12 px or more ...
    assert min(sizes) * 4 / 3 >= 12
    # ... and the bundled business fits the page at 1280 px without scrolling.
    assert width_pt * 4 / 3 <= CONTENT_PX


@pytest.mark.parametrize("value", ["5", '""', '"two\\nlines"', '"' + "x" * 81 + '"'])
def test_a_bad_site_title_is_one_line(tmp_path, run_procmap, value):
    (tmp_path / "processes").mkdir()
    (tmp_path / "pyproject.toml").write_text(f"[tool.procmap.site]\ntitle = {value}\n")
    done = run_procmap("render", "-f", "html", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1 and "`site.title` must be one line of text" in done.stderr
    assert "Traceback" not in done.stderr
