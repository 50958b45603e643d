"""The live preview (`procmap serve`): the site on localhost, rebuilt on every save.

Offers `Preview` (the processes, their site and the watcher: validate what changed,
render what changed, tell the open pages to reload) and `ServeError` (an unusable host
or port, one line).

Imports `procmap.measure`, `procmap.portfolio`, `procmap.render`, `procmap.lint` and `procmap.format` at most
(docs/architecture.md); watchfiles only when the watcher starts.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import attach

attach(
    __name__,
    {
        "Preview": "preview",
        "ServeError": "server",
    },
)

if TYPE_CHECKING:
    from .preview import Preview
    from .server import ServeError
