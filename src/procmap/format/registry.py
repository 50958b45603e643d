"""The rule registry: every problem code procmap can report, with its name and rationale.

Owns: the stable codes (a letter for the family, three digits), their kebab-case names,
default severities and one-line rationales (the BPMN import's I0xx in `importcodes`), and
selecting rules by code, prefix, name or `ALL`. The rules reference (`docs/rules.md`,
`procmap rules`) is generated from this table.

Must not know: how a rule is checked (loader, schema and `rules` do that) or printed.
"""

from __future__ import annotations

from .importcodes import IMPORT_RULES
from .rule import FAMILIES, E, Rule, W, _r

__all__ = ["FAMILIES", "RULES", "Rule", "SelectorError", "expand"]

RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in [
        # YAML and file: the file must be read exactly as its author wrote it.
        _r(
            "Y001",
            "yaml-syntax",
            E,
            "A file that does not parse cannot be checked at all.",
            "Fix the YAML at the position given; quote values that contain ': ' or start with a symbol.",
        ),
        _r(
            "Y002",
            "duplicate-key",
            E,
            "YAML keeps only one of two equal keys, silently dropping the author's data.",
            "Merge the two entries or rename one of them.",
        ),
        _r(
            "Y003",
            "tab-indentation",
            E,
            "YAML forbids tabs in indentation, and editors show them at different widths.",
            "Indent with spaces.",
        ),
        _r(
            "Y004",
            "empty-file",
            E,
            "An empty file documents no process.",
            "Write the process, or delete the file.",
        ),
        _r(
            "Y005",
            "not-utf8",
            E,
            "Process files are text in UTF-8, the encoding git and YAML expect.",
            "Re-save the file as UTF-8.",
        ),
        _r(
            "Y006",
            "not-a-mapping",
            E,
            "A process is a mapping of keys (id, name, steps, ...), not a list or a single value.",
            "Start the file with `procmap: 1` and the process keys.",
        ),
        _r(
            "Y007",
            "multiple-documents",
            E,
            "One file holds one process, so a diff or a review is about one thing.",
            "Split the documents (`---`) into files of their own.",
        ),
        _r(
            "Y008",
            "forbidden-tag",
            E,
            "YAML tags can construct arbitrary objects; a process file holds only plain data.",
            "Remove the `!tag`; write the value as plain text, number, list or mapping.",
        ),
        _r(
            "Y009",
            "too-deep",
            E,
            "Nesting far deeper than any process needs is a mistake or an attack on the parser.",
            "Flatten the structure; a process needs only a few levels.",
        ),
        _r(
            "Y010",
            "alias-expansion",
            E,
            "Anchors and aliases that expand to a huge or recursive tree exhaust time and memory.",
            "Write the values out, or use fewer nested aliases.",
        ),
        _r(
            "Y011",
            "file-too-large",
            E,
            "A process file over the size limit is almost certainly not a process file.",
            "Split the process into subprocesses.",
        ),
        _r(
            "Y012",
            "unreadable-file",
            E,
            "A file that cannot be read cannot be checked.",
            "Check the path and its permissions.",
        ),
        _r(
            "Y013",
            "unreadable-folder",
            E,
            "The process files in a folder that cannot be read would be left out unseen,"
            " and the run would pass without them.",
            "Make the folder readable (and searchable) by the user running procmap, or"
            " exclude it in [tool.procmap].",
        ),
        _r(
            "Y014",
            "no-process-files",
            E,
            "A path named on the command line with no process file under it checks nothing,"
            " which a passing run would hide (a typo, the wrong folder).",
            "Name the folder that holds the *.yaml process files.",
        ),
        # Schema: the keys and values the format defines.
        _r(
            "S001",
            "unknown-key",
            E,
            "A misspelt key is silently ignored by every reader, so its data is lost.",
            "Use one of the keys the format defines (see the suggestion).",
        ),
        _r(
            "S002",
            "wrong-type",
            E,
            "A value of the wrong type (a list for a name, text for a number) cannot be used.",
            "Write the value with the type the message names.",
        ),
        _r(
            "S003",
            "missing-field",
            E,
            "Some fields (procmap, id, name, steps; a step's id and name) are what a process is.",
            "Add the field.",
        ),
        _r(
            "S004",
            "bad-id",
            E,
            "Ids are used in links, file names and git history; slugs keep them stable and portable.",
            "Use lowercase letters, digits and single hyphens.",
        ),
        _r(
            "S005",
            "bad-duration",
            E,
            "Durations are added up along the flow; they need a number and a unit.",
            "Write a number and a unit: 45m, 1.5h, 2d, 1w.",
        ),
        _r(
            "S006",
            "bad-date",
            E,
            "Review due dates are computed from dates; they must be real dates.",
            "Write the date as YYYY-MM-DD.",
        ),
        _r(
            "S007",
            "unknown-kind",
            E,
            "The kind decides the shape on the map and how the flow is checked.",
            "Use start, task, decision, end, subprocess, parallel or join.",
        ),
        _r(
            "S008",
            "unsupported-version",
            E,
            "The `procmap` key says which format the file follows; this procmap reads version 1.",
            "Write `procmap: 1`.",
        ),
        _r(
            "S009",
            "invalid-choice",
            E,
            "Fields with a fixed vocabulary (system, hourglass stage, direction, cadence, status)"
            " are compared and grouped by value.",
            "Use one of the values the message lists.",
        ),
        _r(
            "S010",
            "field-not-for-kind",
            E,
            "Branches and their shares belong to decisions, `process` to subprocesses, `next` to"
            " steps that go on (a list of strands to a parallel split only), work (`duration`,"
            " `activity`) to steps that are work, not a split or join, and `wait` to steps that"
            " come after another; anything else is ignored by the map.",
            "Move the field to a step of the right kind, or change the kind.",
        ),
        _r(
            "S011",
            "measure-shape",
            E,
            "A metric is computed from a log in one way: a rate, a time or a count, each with its"
            " own options.",
            "Give exactly one of `rate`, `time` or `count`; `stat` only with `time`, `per` only"
            " with `count`.",
        ),
        _r(
            "S012",
            "bad-runs",
            E,
            "How often a process runs is multiplied by its step times and its value to rank"
            " processes and size each role's workload; it needs a number and a period.",
            "Write a number of runs per day, week, month, quarter or year: 20/month, 3/week.",
        ),
        _r(
            "S013",
            "date-out-of-range",
            E,
            "A year like 9999 or 0026 is a typo, and due dates computed from it run past the"
            " end of the calendar; dates are kept to the years 1900 to 2999.",
            "Write the date with its real year, from 1900 to 2999.",
        ),
        _r(
            "S014",
            "blank-name",
            E,
            "A name that is empty or only spaces, controls or invisible characters (a"
            " zero-width space) gives the runbook empty headings and the map empty boxes.",
            "Write a name a reader can see: the process, a step, a metric, a role, a tool, a"
            " branch label.",
        ),
        _r(
            "S015",
            "measure-unit",
            E,
            "A measured figure is computed in its metric's unit and compared with the target in"
            " it: a time in a unit procmap does not know was read as hours (27 days for 1.1),"
            " and a percent or a time on a count misreads it.",
            "A time: m, min, minute(s), h, hour(s), d, day(s), w or week(s); a rate: `%` or no"
            " unit; a count: what is counted (leads, calls), not a time or `%`.",
        ),
        _r(
            "S016",
            "link-scheme",
            E,
            "The runbook, the worksheet and the site make links of Markdown links and bare"
            " addresses in descriptions, checklists, exceptions and the worksheet's problem, root"
            " causes and changes: a `javascript:` link would"
            " run code in the reader's browser, a `file:` or `data:` link open what the reader"
            " did not choose, and a relative link points nowhere once the documents move.",
            "Link to a full web or mail address: `[the welcome template](https://...)`,"
            " `https://...` or `mailto:...`; write any other address as plain text without"
            " the link brackets.",
        ),
        # Flow graph: the checks a BPMN linter makes, in procmap's notation.
        _r(
            "G001",
            "no-start",
            E,
            "A process needs a trigger on the map: a step of kind start.",
            "Add a step with `kind: start`.",
        ),
        _r(
            "G002",
            "no-end",
            E,
            "A process needs a visible finish: a step of kind end.",
            "Add a step with `kind: end`.",
        ),
        _r(
            "G003",
            "unknown-target",
            E,
            "An arrow that points to no step cannot be followed.",
            "Point `next` or the branch at an existing step id.",
        ),
        _r(
            "G004",
            "duplicate-step-id",
            E,
            "Arrows name steps by id; two steps with one id are ambiguous.",
            "Give each step its own id.",
        ),
        _r(
            "G005",
            "duplicate-branch-label",
            E,
            "Two answers that read the same leave the person at the diamond unsure which way to go.",
            "Make the branch labels distinct.",
        ),
        _r(
            "G006",
            "unreachable-step",
            E,
            "A step no path from a start reaches is never done: it is dead documentation.",
            "Add an arrow to it, or remove it.",
        ),
        _r(
            "G007",
            "dead-end",
            E,
            "From every step some path must reach an end; otherwise the process never finishes"
            " (a dead end, or a loop without an exit).",
            "Give the step a way on to an end step.",
        ),
        _r(
            "G008",
            "decision-branches",
            E,
            "A decision with fewer than two answers decides nothing.",
            "Give the decision at least two branches, or make it a task.",
        ),
        _r(
            "G009",
            "start-has-incoming",
            E,
            "A start is where the process begins; an arrow into it means it is not the start.",
            "Point the arrow at the first task instead.",
        ),
        _r(
            "G010",
            "end-has-outgoing",
            E,
            "An end is where the process finishes; it has nowhere to go.",
            "Remove `next`/`branches` from the end step, or make it a task.",
        ),
        _r(
            "G011",
            "missing-next",
            E,
            "Every step that is not an end must say what happens next.",
            "Add `next` (or `branches` for a decision).",
        ),
        _r(
            "G012",
            "unknown-process",
            E,
            "A subprocess stands for another process, and `feeds` names the processes that pick"
            " up the output; they must exist beside it.",
            "Point `process` or the `feeds` entry at the id of a process file in the same folder.",
        ),
        _r(
            "G013",
            "unknown-share-label",
            E,
            "An expected share is for a branch; a label the decision does not have is a typo.",
            "Use the decision's branch labels as written (see the suggestion).",
        ),
        _r(
            "G014",
            "shares-not-100",
            E,
            "The expected shares of a decision split every case among its branches, so they"
            " add up to 100 percent.",
            "Correct the shares so that they add up to 100 (within 0.5).",
        ),
        # Parallel blocks: a split's strands all run, and meet at one join.
        _r(
            "G015",
            "strands-not-joined",
            E,
            "The strands of a parallel split all run; the flow goes on only when every one is"
            " done, which a single join says. Strands that end at different joins, or at none,"
            " leave the work after them undefined.",
            "Lead the last step of every strand to the same `kind: join` step.",
        ),
        _r(
            "G016",
            "strand-leaves-block",
            E,
            "A strand runs beside the others until their join; a strand that reaches an end or"
            " loops back before its split finishes the case while the other strands still run.",
            "Keep each strand's arrows inside the block: lead it to the join, not past it.",
        ),
        _r(
            "G017",
            "join-entered-from-outside",
            E,
            "A join waits for every strand of its split; an arrow into it from outside the split"
            " brings a case the join would wait for forever (a deadlock).",
            "Lead that arrow to the step after the join, or into a strand of the split.",
        ),
        _r(
            "G018",
            "split-one-strand",
            E,
            "A parallel split with one strand runs nothing side by side; it is a plain step"
            " drawn as a parallel gateway.",
            "List two or more strands under `next:`, or remove the split.",
        ),
        _r(
            "G019",
            "join-without-split",
            E,
            "A join waits for the strands of one parallel split; a join that closes none waits"
            " for strands that were never started, or for one only.",
            "Add the `kind: parallel` split whose strands meet here, or make it a plain step.",
        ),
        _r(
            "G020",
            "blocks-not-nested",
            E,
            "Parallel blocks nest like brackets: a split inside a strand is joined inside that"
            " strand, so each join knows which strands it waits for.",
            "Give the inner split its own join inside the strand, before the outer join.",
        ),
        # References: ids declared in roles, tools and metrics.
        _r(
            "R001",
            "unknown-role",
            E,
            "Owners and approvers are roles; an undeclared one has no display name and no accountability.",
            "Declare the role under `roles:` or fix the id.",
        ),
        _r(
            "R002",
            "unknown-tool",
            E,
            "Tools are declared once so the tool stack stays known and costed.",
            "Declare the tool under `tools:` or fix the id.",
        ),
        _r(
            "R003",
            "unknown-metric",
            E,
            "A metric named on a step must be defined with its baseline and target.",
            "Declare the metric under `metrics:` or fix the id.",
        ),
        _r(
            "R004",
            "unused-role",
            W,
            "A declared role that owns nothing is either missing from a step or stale.",
            "Assign it to a step, or remove it.",
        ),
        _r(
            "R005",
            "unused-tool",
            W,
            "A tool nothing uses is overlap in the stack that may cost money.",
            "Name it on the step that uses it, or remove it.",
        ),
        _r(
            "R006",
            "unused-metric",
            W,
            "A metric recorded at no step, watched by no control and computed from no log"
            " (`measure:`) is never measured.",
            "Name it on the step where it is recorded, give it a `measure:`, or remove it.",
        ),
        _r(
            "R007",
            "unknown-measure-step",
            E,
            "A metric measured from a step that does not exist cannot be computed from a log.",
            "Name an existing step id in `measure:`, or fix the id.",
        ),
        # Practice: the method in shared/DOMAIN.md.
        _r(
            "P001",
            "critical-without-metric",
            W,
            "Track a metric for every critical step of the system, or you cannot tell it works.",
            "Add `metrics: [...]` to the critical step.",
        ),
        _r(
            "P002",
            "task-without-owner",
            W,
            "A task nobody owns is a task nobody does; an automated one is owned through the"
            " tool that runs it.",
            "Add `owner:` with a role id (or, on an automated step, `tools:` naming what runs it).",
        ),
        _r(
            "P003",
            "missing-goal",
            W,
            "Without a goal you cannot tell whether a change is an improvement.",
            "Add `goal:`, one sentence on what the process achieves.",
        ),
        _r(
            "P004",
            "missing-trigger",
            W,
            "The boundaries of a process start with what triggers it.",
            "Add `trigger:`, the event that starts the process.",
        ),
        _r(
            "P005",
            "missing-outcome",
            W,
            "The boundaries of a process end with how you know it is complete.",
            "Add `outcome:`, how you know the process is done.",
        ),
        _r(
            "P006",
            "metric-without-baseline",
            W,
            "Measure before you change anything, so that before and after can be compared.",
            "Add `baseline:`, the figure today.",
        ),
        _r(
            "P007",
            "metric-without-target",
            W,
            "A metric with no target cannot tell success from failure.",
            "Add `target:`, the figure you aim for.",
        ),
        _r(
            "P008",
            "vanity-metric",
            W,
            "Page views, video views, open rates, likes and followers mislead; track what drives results.",
            "Track the better metric the message names.",
        ),
        _r(
            "P009",
            "no-review-cadence",
            W,
            "Processes are reviewed regularly (weekly, quarterly) or they drift from what people do.",
            "Add `review: {every: quarterly, approver: <role>}`.",
        ),
        _r(
            "P010",
            "target-behind-baseline",
            W,
            "A target on the wrong side of the baseline (given the direction) is a typo or a plan to get worse.",
            "Swap baseline and target, or set `direction: down`.",
        ),
        # Across files.
        _r(
            "X001",
            "duplicate-process-id",
            E,
            "Process ids name files, links and subprocesses; two processes with one id are ambiguous.",
            "Give each process its own id.",
        ),
        # BPMN import (`procmap import`): each loss of meaning, reported and replaced.
        *IMPORT_RULES,
    ]
}


class SelectorError(ValueError):
    """A rule selector that matches no rule."""


def expand(selector: str) -> list[str]:
    """Codes matched by a selector: a code (G003), a prefix (G, G0), a name, or ALL."""
    text = selector.strip()
    upper = text.upper()
    if upper == "ALL":
        return list(RULES)
    if upper in RULES:
        return [upper]
    by_name = [code for code, rule in RULES.items() if rule.name == text.lower()]
    if by_name:
        return by_name
    prefixed = [code for code in RULES if code.startswith(upper)] if upper else []
    if prefixed:
        return prefixed
    import difflib

    names = list(RULES) + [r.name for r in RULES.values()]
    close = difflib.get_close_matches(text, names, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    raise SelectorError(f"unknown rule {selector!r}{hint} (see `procmap rules`)")
