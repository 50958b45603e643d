#!/bin/sh
# Make sure Graphviz's `dot` is on PATH: install it with the system package manager when
# that is possible, otherwise print the exact command to run. Exit 0 either way unless
# PROCMAP_REQUIRE_DOT=1 (CI), where a missing dot is an error.
if command -v dot >/dev/null 2>&1; then
  exit 0
fi
echo "Graphviz (dot) is missing; trying to install it..." >&2
SUDO=""
if [ "$(id -u)" != "0" ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO="sudo -n"
fi
if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" = "0" ] || [ -n "$SUDO" ]; }; then
  $SUDO apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq graphviz >&2
elif command -v dnf >/dev/null 2>&1 && { [ "$(id -u)" = "0" ] || [ -n "$SUDO" ]; }; then
  $SUDO dnf install -y graphviz >&2
elif command -v apk >/dev/null 2>&1 && { [ "$(id -u)" = "0" ] || [ -n "$SUDO" ]; }; then
  $SUDO apk add graphviz >&2
elif command -v brew >/dev/null 2>&1; then
  brew install graphviz >&2
fi
if command -v dot >/dev/null 2>&1; then
  exit 0
fi
cat >&2 <<'MSG'
procmap needs Graphviz's `dot` to draw SVG, PNG and PDF maps, and could not install it.
Install it, then run make again:
  Debian/Ubuntu:  sudo apt-get install graphviz
  Fedora:         sudo dnf install graphviz
  macOS:          brew install graphviz
  Windows:        winget install graphviz
Validation, runbooks, worksheets, DOT and Mermaid output work without it.
MSG
[ "${PROCMAP_REQUIRE_DOT:-0}" = "1" ] && exit 1
exit 0
