#!/bin/sh
# `make test-install`: procmap installed the four ways the README's "Install" section
# shows, each into a throwaway place, then run as a user runs it: `procmap --version`,
# `procmap init` in a new folder and `procmap validate` there.
#
#   1. pip install dist/procmap-VERSION-py3-none-any.whl     (a built wheel)
#   2. pip install "procmap @ git+URL@REV"                   (a git URL)
#   3. uv tool install "procmap @ git+URL@REV"
#   4. pipx install "procmap @ git+URL@REV"
#
# The git URL is a file:// clone of this repository's HEAD (the machine reaches no git
# host); the dependencies come from the package index, as a user's do.
# Usage: sh scripts/test-install.sh PYTHON UV      (make passes .venv's python and uv)
set -eu
PYTHON=${1:?python}
UV=${2:?uv}
REPO=$(pwd)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/procmap-install.XXXXXX")
trap 'rm -rf "$WORK"' EXIT INT TERM

VERSION=$("$PYTHON" -c 'import procmap; print(procmap.__version__)')
echo "test-install: procmap $VERSION with $("$PYTHON" --version), in $WORK"

# The wheel, built from a clean clone of HEAD (so a build never writes into the tree).
git clone --quiet --no-hardlinks "$REPO" "$WORK/clone"
REV=$(git -C "$WORK/clone" rev-parse HEAD)
GIT_URL="git+file://$WORK/clone@$REV"
"$PYTHON" -m pip --disable-pip-version-check wheel --quiet --no-deps --no-build-isolation \
	-w "$WORK/dist" "$WORK/clone"
WHEEL=$(ls "$WORK"/dist/procmap-*.whl)

# A user's first minute with the procmap at $1: version, init, validate.
try() {
	"$1" --version | grep -qx "procmap $VERSION"
	rm -rf "$WORK/repo" && mkdir "$WORK/repo"
	(cd "$WORK/repo" && "$1" init --quiet && "$1" validate) >"$WORK/out.txt"
	grep -q "Checked 1 file: no problems." "$WORK/out.txt"
	echo "test-install: $2: ok"
}

"$PYTHON" -m venv "$WORK/wheel-venv"
"$WORK/wheel-venv/bin/python" -m pip --disable-pip-version-check install --quiet "$WHEEL"
try "$WORK/wheel-venv/bin/procmap" "pip install $(basename "$WHEEL")"

# (--upgrade-deps: the pip bundled with Python 3.11 refuses a git+file:// URL, which has no
# host; a git+https:// URL it installs as it is)
"$PYTHON" -m venv --upgrade-deps "$WORK/git-venv"
"$WORK/git-venv/bin/python" -m pip --disable-pip-version-check install --quiet \
	"procmap @ $GIT_URL"
try "$WORK/git-venv/bin/procmap" "pip install \"procmap @ git+URL@REV\""

UV_TOOL_DIR="$WORK/uv-tools" UV_TOOL_BIN_DIR="$WORK/uv-bin" UV_PYTHON_DOWNLOADS=never \
	"$UV" tool install --quiet --python "$PYTHON" "procmap @ $GIT_URL"
try "$WORK/uv-bin/procmap" "uv tool install \"procmap @ git+URL@REV\""

# pipx itself, pinned and hash-checked (requirements/pipx.txt), in a venv of its own.
"$PYTHON" -m venv "$WORK/pipx-venv"
"$WORK/pipx-venv/bin/python" -m pip --disable-pip-version-check install --quiet \
	--require-hashes -r "$REPO/requirements/pipx.txt"
PIPX_HOME="$WORK/pipx-home" PIPX_BIN_DIR="$WORK/pipx-bin" PIPX_MAN_DIR="$WORK/pipx-man" \
	"$WORK/pipx-venv/bin/pipx" install --quiet --python "$PYTHON" "procmap @ $GIT_URL"
try "$WORK/pipx-bin/procmap" "pipx install \"procmap @ git+URL@REV\""
echo "test-install: the four ways install a working procmap"
