#!/bin/sh
# Make sure a Chromium is installed for the site's browser tests (tests/test_site_browser.py):
# Debian's `chromium` package, or whatever $PROCMAP_CHROMIUM names. Installs it with the
# system package manager when that is possible; otherwise says how, and exits 0: the
# browser tests then skip, saying why. Playwright drives it (`executable_path`); it never
# downloads a browser of its own.
if [ -n "${PROCMAP_CHROMIUM:-}" ] && [ -x "$PROCMAP_CHROMIUM" ]; then
  exit 0
fi
for name in chromium chromium-browser google-chrome; do
  if command -v "$name" >/dev/null 2>&1; then
    exit 0
  fi
done
echo "Chromium is missing (for the browser tests of the HTML site); trying to install it..." >&2
SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
fi
if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" = "0" ] || [ -n "$SUDO" ]; }; then
  $SUDO apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >&2
elif command -v dnf >/dev/null 2>&1 && { [ "$(id -u)" = "0" ] || [ -n "$SUDO" ]; }; then
  $SUDO dnf install -y chromium >&2
elif command -v apk >/dev/null 2>&1 && { [ "$(id -u)" = "0" ] || [ -n "$SUDO" ]; }; then
  $SUDO apk add chromium >&2
fi
for name in chromium chromium-browser; do
  if command -v "$name" >/dev/null 2>&1; then
    exit 0
  fi
done
cat >&2 <<'MSG'
Could not install Chromium; the browser tests of the HTML site will be skipped.
Install it, then run make test again:
  Debian/Ubuntu:  sudo apt-get install chromium
  Fedora:         sudo dnf install chromium
  or set PROCMAP_CHROMIUM to a Chrome or Chromium executable.
MSG
exit 0
