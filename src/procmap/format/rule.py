"""What a rule is: its code, name, default severity, rationale and fix, and its family.

Owns: `Rule`, the families by code letter (`FAMILIES`), and the two severities as typed
constants (`E`, `W`) the rule tables use. Must not know: any rule (the tables are in
`registry` and, for the BPMN import's codes, `importcodes`).
"""

from __future__ import annotations

from dataclasses import dataclass

from .problems import Severity

FAMILIES: dict[str, str] = {
    "Y": "YAML and file",
    "S": "Schema",
    "G": "Flow graph",
    "R": "References",
    "P": "Practice",
    "X": "Across files",
    "I": "BPMN import",
}


@dataclass(frozen=True, slots=True)
class Rule:
    code: str
    name: str
    severity: Severity
    rationale: str
    fix: str

    @property
    def family(self) -> str:
        return FAMILIES[self.code[0]]


def _r(code: str, name: str, severity: Severity, rationale: str, fix: str) -> Rule:
    return Rule(code, name, severity, rationale, fix)


# Typed as `Severity`: a bare string would be `str`, and a rule's severity could be any word.
E: Severity = "error"
W: Severity = "warning"
