"""BPMN 2.0 in and out: `procmap render -f bpmn` and `procmap import FILE.bpmn`.

Offers the export of a process as BPMN 2.0 XML with diagram interchange (`to_bpmn`,
`process_ref`), and the import of BPMN files from the common modelers into processes
(`import_bpmn`, `ImportResult`, `write_imported`, `IMPORT_CODES`).

Imports `procmap.render` (Graphviz's layout), `procmap.git`, `procmap.lint` and
`procmap.format` (docs/architecture.md); nothing below imports it, so `procmap validate`
never pays for it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import attach

attach(
    __name__,
    {
        "process_ref": "export",
        "to_bpmn": "export",
        "IMPORT_CODES": "importer:CODES",
        "ImportResult": "importer",
        "ImportWriteError": "importer",
        "import_bpmn": "importer",
        "write_imported": "importer",
        "to_yaml": "yamlout",
    },
)

if TYPE_CHECKING:
    from .export import process_ref, to_bpmn
    from .importer import CODES as IMPORT_CODES
    from .importer import ImportResult, ImportWriteError, import_bpmn, write_imported
    from .yamlout import to_yaml
