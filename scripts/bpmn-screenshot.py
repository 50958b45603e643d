#!/usr/bin/env python3
"""Draw a .bpmn file as bpmn.io draws it: bpmn-js (npm, pinned in interop/) in headless
Chromium, screenshot to PNG. Used for the README's picture of an exported process.

    python3 scripts/bpmn-screenshot.py out/webinar-funnel.bpmn docs/example/webinar-funnel.bpmn.png

Needs `npm ci` in interop/ (make test-interop does it) and Chromium (Debian: apt-get
install chromium). The page is written to a temporary folder with the viewer, its CSS and
the diagram inlined, so Chromium loads nothing from the network or other files.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DIST = ROOT / "interop" / "node_modules" / "bpmn-js" / "dist"

PAGE = """<!doctype html>
<html><head><meta charset="utf-8">
<style>{css}
html, body {{ margin: 0; background: white; overflow: hidden; }}
#canvas {{ width: {width}px; height: {height}px; }}
</style></head>
<body><div id="canvas"></div>
<script>{viewer}</script>
<script>
const viewer = new BpmnJS({{ container: '#canvas' }});
viewer.importXML({xml}).then(() => {{
  const canvas = viewer.get('canvas');
  canvas.zoom('fit-viewport', 'auto');
  // the diagram with a margin around it, in the proportions of the window
  const box = canvas.viewbox().inner;
  const size = canvas.getSize();
  let width = box.width + 60, height = box.height + 60;
  if (width / height < size.width / size.height) width = height * size.width / size.height;
  else height = width * size.height / size.width;
  canvas.viewbox({{
    x: box.x + box.width / 2 - width / 2, y: box.y + box.height / 2 - height / 2, width, height
  }});
  document.title = 'drawn';
}}).catch((error) => {{ document.body.textContent = 'bpmn-js: ' + error.message; }});
</script></body></html>
"""


def _size(xml: str) -> tuple[int, int]:
    """A window a little larger than the diagram's bounds, so it is drawn at about 1:1."""
    boxes = [
        [float(v) for v in found]
        for found in re.findall(
            r'<dc:Bounds x="([-\d.]+)" y="([-\d.]+)" width="([\d.]+)" height="([\d.]+)"', xml
        )
    ]
    if not boxes:
        return 1600, 700
    left = min(b[0] for b in boxes)
    top = min(b[1] for b in boxes)
    right = max(b[0] + b[2] for b in boxes)
    bottom = max(b[1] + b[3] for b in boxes)
    return max(600, int(right - left) + 60), max(300, int(bottom - top) + 60)


def main(source: str, target: str, width: int = 0, height: int = 0) -> int:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        sys.stderr.write("chromium is missing: apt-get install chromium\n")
        return 2
    css = "\n".join(
        (DIST / "assets" / name).read_text(encoding="utf-8")
        for name in ("diagram-js.css", "bpmn-js.css")
    )
    viewer = (DIST / "bpmn-viewer.production.min.js").read_text(encoding="utf-8")
    text = Path(source).read_text(encoding="utf-8")
    if not width or not height:
        width, height = _size(text)
    xml = json.dumps(text)
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "page.html"
        page.write_text(
            PAGE.format(
                css=css,
                viewer=viewer.replace("</script>", "<\\/script>"),
                xml=xml,
                width=width,
                height=height,
            ),
            encoding="utf-8",
        )
        done = subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--hide-scrollbars",
                f"--window-size={width},{height}",
                "--virtual-time-budget=5000",
                f"--user-data-dir={folder}/profile",
                f"--screenshot={os.path.abspath(target)}",
                page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    if done.returncode != 0 or not Path(target).is_file():
        sys.stderr.write(done.stderr)
        return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) not in (3, 5):
        sys.stderr.write(__doc__ or "")
        sys.exit(2)
    sizes = [int(v) for v in sys.argv[3:5]]
    sys.exit(main(sys.argv[1], sys.argv[2], *sizes))
