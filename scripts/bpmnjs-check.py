#!/usr/bin/env python3
"""Open .bpmn files in bpmn-js's modeler (the editor of bpmn.io and Camunda Modeler) in
headless Chromium and fail on any import warning or error (unresolved references,
elements without a shape, flows drawn before their ends, ...). With `--resave DIR`, also
write what the modeler saves (`saveXML`) to DIR/<name>: the file as a user who opened it
in bpmn.io and saved it would have it. Part of `make test-interop`.

    python3 scripts/bpmnjs-check.py [--resave DIR] out/interop/processes/*.bpmn

Needs `npm ci` in interop/ and Chromium. Each page is a local file with the modeler and
the diagram inlined; nothing is fetched.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELER = ROOT / "interop" / "node_modules" / "bpmn-js" / "dist" / "bpmn-modeler.production.min.js"

PAGE = """<!doctype html>
<html><body><div id="canvas" style="width: 1200px; height: 800px"></div>
<script>{modeler}</script>
<script>
const modeler = new BpmnJS({{ container: '#canvas' }});
const show = (text) => document.getElementById('canvas').setAttribute('data-result', text);
modeler.importXML({xml})
  .then((done) => {{
    show(done.warnings.length + ' ' + done.warnings.map((w) => w.message).join(' | '));
    return modeler.saveXML({{ format: true }});
  }})
  .then((saved) => {{
    const out = document.createElement('textarea');
    out.id = 'saved';
    out.textContent = saved.xml;
    document.body.appendChild(out);
  }})
  .catch((error) => show('error ' + error.message));
</script></body></html>
"""


def check(browser: str, modeler: str, path: Path, resave: Path | None) -> str | None:
    """None when bpmn-js imports `path` without a warning, else what it said; what the
    modeler saves goes to `resave`/<name> when given."""
    xml = json.dumps(path.read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "page.html"
        page.write_text(PAGE.format(modeler=modeler, xml=xml), encoding="utf-8")
        done = subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--virtual-time-budget=5000",
                f"--user-data-dir={folder}/profile",
                "--dump-dom",
                page.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
        )
    found = re.search(r'data-result="([^"]*)"', done.stdout)
    if found is None:
        return "bpmn-js did not finish the import"
    result = html.unescape(found.group(1))
    saved = re.search(r'<textarea id="saved">(.*?)</textarea>', done.stdout, re.S)
    if resave is not None:
        if saved is None:
            return "bpmn-js did not save the diagram"
        resave.mkdir(parents=True, exist_ok=True)
        (resave / path.name).write_text(html.unescape(saved.group(1)), encoding="utf-8")
    return None if result.startswith("0 ") else result


def main(paths: list[str]) -> int:
    resave = None
    if paths[:1] == ["--resave"] and len(paths) >= 2:
        resave, paths = Path(paths[1]), paths[2:]
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        sys.stderr.write("chromium is missing: apt-get install chromium\n")
        return 2
    modeler = MODELER.read_text(encoding="utf-8").replace("</script>", "<\\/script>")
    failed = 0
    for name in paths:
        problem = check(browser, modeler, Path(name), resave)
        if problem is not None:
            failed += 1
            sys.stdout.write(f"{name}: bpmn-js: {problem}\n")
    sys.stdout.write(f"bpmn-js: {len(paths) - failed} of {len(paths)} files import cleanly\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
