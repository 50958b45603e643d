"""New process files and new process repositories, from the starters shipped with procmap.

Imports the layers below it (docs/architecture.md); nothing imports it but the CLI.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import attach

attach(
    __name__,
    {
        "DEFAULT_STARTER": "create",
        "ExistsError": "create",
        "InitResult": "create",
        "ScaffoldError": "create",
        "init_repository": "create",
        "install_requirement": "create",
        "new_process": "create",
        "starters": "create",
    },
)

if TYPE_CHECKING:
    from .create import (
        DEFAULT_STARTER,
        ExistsError,
        InitResult,
        ScaffoldError,
        init_repository,
        install_requirement,
        new_process,
        starters,
    )
