"""What an HTTP client may reach through the preview's server, decided before anything opens.

Owns: reading a request target strictly (printable ASCII only; every `%` escape valid,
decoding to UTF-8 without control characters: anything else is a bad request, 400); the
confinement of a path (only a regular file whose resolved path is inside the resolved
folder, no dotfile on the way or at the end, a folder only through its `index.html`;
anything else is "not found", 404, whatever the reason, so a client learns nothing of what
lies outside); and the `Host` headers the server answers to (`Hosts`: DNS rebinding).

Must not know: HTTP itself (the server answers), what the files are.
"""

from __future__ import annotations

import ipaddress
import os
import re
import socket
import stat
from pathlib import Path
from urllib.parse import quote, unquote_to_bytes

#: A `%` not followed by two hex digits.
_BAD_ESCAPE = re.compile(r"%(?![0-9A-Fa-f]{2})")
#: Control characters, C0 and C1 (a decoded `%00`, `%0d%0a`, `%1b` ...).
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
#: A `Host` header: a name or an IPv4 address, or an IPv6 address in brackets; a port.
_HOST = re.compile(r"(\[[0-9A-Fa-f:.]+\]|[^\s:\[\]/@]+)(?::([0-9]{1,5}))?")
#: The names every server answers to, whatever address it listens on.
LOOPBACK = ("localhost", "127.0.0.1", "[::1]")


class BadRequest(ValueError):
    """A request target that cannot be read: the message says why, in a few words."""


def segments(target: str) -> list[str] | None:
    """The decoded path segments of a request target (`/a/b%20c.html?x` gives `["a",
    "b c.html"]`), or None when it names nothing that may be served (`..`, a dotfile);
    raises BadRequest when it cannot be read at all."""
    if not target.startswith("/"):
        raise BadRequest("the path must start with /")
    if any(not ("!" <= char <= "~") for char in target):
        raise BadRequest("a character that is not printable ASCII")
    if _BAD_ESCAPE.search(target):
        raise BadRequest("an invalid percent-escape")
    try:
        decoded = unquote_to_bytes(target).decode("utf-8")
    except UnicodeDecodeError:
        raise BadRequest("percent-escapes that are not UTF-8") from None
    if _CONTROL.search(decoded):
        raise BadRequest("a control character")
    path = unquote_to_bytes(target.split("?", 1)[0].split("#", 1)[0]).decode("utf-8")
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if any(part.startswith(".") for part in parts):
        return None  # `..` and every dotfile: the manifest, the lock, temporaries
    return parts


def locate(root: Path, parts: list[str]) -> tuple[str, bool] | None:
    """The resolved path of the regular file `parts` names in `root`, and whether it was
    reached as a folder's `index.html`; None when nothing may be served there."""
    try:
        top = os.path.realpath(root)
        real = os.path.realpath(os.path.join(top, *parts))
        folder = os.path.isdir(real)
        if folder:
            real = os.path.realpath(os.path.join(real, "index.html"))
        if not _confined(real, top) or not stat.S_ISREG(os.stat(real).st_mode):
            return None
    except (OSError, ValueError):
        return None
    return real, folder


def _confined(real: str, top: str) -> bool:
    """`real` is inside `top`, and no part of it there is a dotfile (a symlink to the
    manifest is no way round)."""
    if not real.startswith(top.rstrip(os.sep) + os.sep):
        return False
    return not any(part.startswith(".") for part in real[len(top) :].split(os.sep))


def folder_url(parts: list[str]) -> str:
    """The URL of the folder `parts`, with its trailing slash (where a redirect goes)."""
    return quote("/" + "".join(part + "/" for part in parts))


class Hosts:
    """The `Host` headers a server answers to: its loopback names and the address it was
    given (as typed and as bound), with its port. Listening on every address (`0.0.0.0`),
    also the machine's name and any IP address: a DNS-rebinding page has a name of its
    own in `Host`, never an address."""

    def __init__(self, given: str, bound: str, port: int) -> None:
        self.port = port
        self.anywhere = given in ("", "0.0.0.0", "::")
        names = {*LOOPBACK, given.lower(), _bracketed(bound.lower())}
        if self.anywhere:
            names.add(socket.gethostname().lower())
        self.names = frozenset(names)

    def allows(self, value: str) -> bool:
        found = _HOST.fullmatch(value.strip())
        if found is None:
            return False
        name, port = found[1].lower(), found[2]
        if (int(port) if port else 80) != self.port:
            return False
        return name in self.names or (self.anywhere and _is_address(name))


def _bracketed(address: str) -> str:
    return f"[{address}]" if ":" in address else address


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name[1:-1] if name.startswith("[") else name)
    except ValueError:
        return False
    return True
