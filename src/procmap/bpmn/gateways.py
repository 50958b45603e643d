"""Gateways and the flows between steps: parallel work, joins and branch labels.

Owns: parallel, inclusive and complex splits (`settle_parallel`: the branches one after
another, or a decision, I010 and I011), the flows out of each item with the joins
stepped over (`link_flows`; a join that leads nowhere is an end, I021), and the labels
of a decision's branches (`label_decisions`: the flow's name, else its condition, else
invented and reported, I018).

Must not know: what the other elements become (`kinds`), steps' fields, files.
"""

from __future__ import annotations

import itertools

from .elements import GATEWAYS, Item, Report, Wiring, label, name_of
from .xmltext import BPMN, Node

SPLITS = ("parallelGateway", "inclusiveGateway", "complexGateway")


def _branch_end(target: str, items: dict[str, Item], wiring: Wiring) -> tuple[str, Node | None]:
    """Where the branch from `target` meets other flows (a gateway that joins) and its
    flow into it (None: the branch goes straight there); "" when it splits or stops."""
    current, last, steps = target, None, 0
    while steps < 10_000:
        steps += 1
        it = items.get(current)
        if it is None:
            break
        if (
            it.node.name in GATEWAYS
            and it.node.name != "exclusiveGateway"
            and len(wiring.ins[current]) > 1
        ):
            break
        if len(wiring.outs[current]) != 1:
            current = ""
            break
        last = wiring.outs[current][0]
        current = last.get("targetRef") or ""
    return current, last


def _join(
    targets: list[str], items: dict[str, Item], wiring: Wiring
) -> tuple[str | None, list[Node | None]]:
    """The one join all branches meet at, with each branch's flow into it; else None."""
    ends: list[Node | None] = []  # each branch's flow into the join (None: empty)
    join: str | None = None
    for target in targets:
        current, last = _branch_end(target, items, wiring)
        if current and current in items and (join is None or join == current):
            join = current
            ends.append(last)
        else:
            return None, ends
    return join, ends


def _in_sequence(
    iid: str,
    item: Item,
    join: str,
    branches: list[tuple[str, Node]],
    names: list[str],
    items: dict[str, Item],
    wiring: Wiring,
) -> None:
    """Parallel work as a task "Do in parallel: A, B" followed by the branches one after
    another: branch i's last flow now leads to branch i+1's first node; a branch that
    goes straight to the join adds nothing."""
    item.kind = "task"
    item.name = item.name or "Do in parallel: " + ", ".join(names)
    item.notes.append(
        "In the BPMN file these branches run at the same time: "
        + ", ".join(names)
        + ". Here they are listed one after another."
    )
    for (_, last), (following, _) in itertools.pairwise(branches):
        last.attrib["targetRef"] = following
        wiring.ins[join] = [f for f in wiring.ins[join] if f is not last]
        wiring.ins[following].append(last)
    first = branches[0][0] if branches else join
    wiring.outs[iid] = [f for f in wiring.outs[iid] if f.get("targetRef") == first][:1]
    items[join].kind = "join"


def _split(iid: str, item: Item, items: dict[str, Item], wiring: Wiring, report: Report) -> None:
    node = item.node
    code = "I010" if item.kind == "parallelGateway" else "I011"
    targets = [f.get("targetRef") or "" for f in wiring.outs[iid]]
    names = [items[t].name or t for t in targets if t in items]
    join, ends = _join(targets, items, wiring)
    # only parallel work is all done: an inclusive split's branches are optional, so it
    # stays a choice
    if code == "I010" and join is not None and len(ends) == len(targets):
        branches = [(t, last) for t, last in zip(targets, ends, strict=True) if last]
        names = [items[t].name or t for t, _ in branches] or names
        _in_sequence(iid, item, join, branches, names, items, wiring)
        report.add(
            code,
            node,
            f"{label(node)}: the branches {', '.join(repr(n) for n in names)} run at the same time in BPMN; listed one after another",
        )
        return
    item.kind = "decision"
    item.name = item.name or ("In parallel: " if code == "I010" else "Any of: ") + ", ".join(names)
    item.event_labels = True
    report.add(
        code,
        node,
        f"{label(node)}: "
        + (
            "its branches do not meet again in one join"
            if code == "I010"
            else "any of its branches may run"
        )
        + f"; read as a decision between {', '.join(repr(n) for n in names)}",
    )


def settle_parallel(items: dict[str, Item], wiring: Wiring, report: Report) -> None:
    """Parallel splits: the branches one after another when they meet again in one
    join (a branch straight to the join adds nothing), else a decision; inclusive and
    complex splits: a decision ("Any of: A, B")."""
    for iid, item in items.items():
        if item.kind in SPLITS:
            _split(iid, item, items, wiring, report)
    for item in items.values():  # joins of parallel work
        if item.kind in SPLITS:
            item.kind = "join"


def _through_joins(target: str, items: dict[str, Item], wiring: Wiring, report: Report) -> str:
    """The element a flow to `target` reaches past the joins; a join that leads nowhere
    becomes an end (I021)."""
    seen: set[str] = set()
    while target in items and items[target].kind == "join" and target not in seen:
        seen.add(target)
        following = wiring.outs[target]
        if not following:
            items[target].kind = "end"
            items[target].name = items[target].name or "End"
            report.add(
                "I021",
                items[target].node,
                f"{label(items[target].node)} joins flows that stop there: read as an end",
            )
            return target
        target = following[0].get("targetRef") or ""
    return target


def _flow_label(flow: Node) -> str | None:
    name = name_of(flow.get("name"))
    if name:
        return name
    for condition in flow.find(BPMN, "conditionExpression"):
        if condition.text.strip():
            return " ".join(condition.text.split())
    return None


def link_flows(items: dict[str, Item], wiring: Wiring, report: Report) -> None:
    """Each item's `out`: the element each flow reaches past the joins, with its label."""
    for iid, item in items.items():
        if item.kind == "join":
            continue
        for flow in wiring.outs[iid]:
            target = _through_joins(flow.get("targetRef") or "", items, wiring, report)
            item.out.append((target, _flow_label(flow), flow))


def label_decisions(items: dict[str, Item], report: Report) -> None:
    """Every branch of a decision labelled, the labels distinct; invented ones reported
    (I018) unless the gateway's problem already says how they were named."""
    for item in items.values():
        if item.kind != "decision":
            continue
        labels: list[str] = []
        default = item.node.get("default")
        missing = [i for i, (_, text, _) in enumerate(item.out) if text is None]
        invented = ["yes", "no"] if len(item.out) == 2 and len(missing) == 2 else None
        for index, (target, text, flow) in enumerate(item.out):
            if text is None:
                if item.event_labels and target in items:
                    text = items[target].name  # reported with the gateway (I010 to I012)
                elif flow.get("id") == default:
                    text = "otherwise"
                elif invented is not None:
                    text = invented[index]
                else:
                    text = f"option {index + 1}"
                if not item.event_labels:
                    report.add(
                        "I018",
                        flow,
                        f"sequence flow {flow.get('id')!r} out of {label(item.node)} has"
                        f" no name or condition: labelled {text!r}",
                    )
            base, number = text, 1
            while text in labels:
                number += 1
                text = f"{base} ({number})"
            labels.append(text)
            item.out[index] = (target, text, flow)
