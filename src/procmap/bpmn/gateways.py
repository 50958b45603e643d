"""The flows between steps and the labels of a decision's branches.

Owns: the flows out of each item with the merges stepped over (`link_flows`: gateways
that only merge, and the timers `waits` moved onto a step; a merge that leads nowhere is
an end, I021), and the labels of a decision's branches (`label_decisions`: the flow's
name, else its condition, else `otherwise` for the default flow or "to" and the name
of the step it leads to, reported, I018). Parallel and inclusive
splits are `parallel`'s.

Must not know: what the other elements become (`kinds`), steps' fields, files.
"""

from __future__ import annotations

from .elements import Item, Report, Wiring, label, name_of, procmap_element
from .xmltext import BPMN, Node


def _through_merges(target: str, items: dict[str, Item], wiring: Wiring, report: Report) -> str:
    """The element a flow to `target` reaches past the merges; a merge that leads nowhere
    becomes an end (I021)."""
    seen: set[str] = set()
    while target in items and items[target].kind == "merge" and target not in seen:
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


def condition_of(flow: Node) -> str | None:
    """The flow's condition, on one line, or None."""
    for condition in flow.find(BPMN, "conditionExpression"):
        if condition.text.strip():
            return " ".join(condition.text.split())
    return None


def _flow_label(flow: Node) -> str | None:
    return name_of(flow.get("name")) or condition_of(flow)


def _notes(item: Item) -> None:
    """What a named branch's flow says beyond its name, in the decision's description:
    its condition, and which branch is the default."""
    if procmap_element(item.node, "step") is not None:
        return  # procmap's own export: its conditions are the answers to the question
    default = item.node.get("default")
    said: list[str] = []
    for _, text, flow in item.out:
        condition = condition_of(flow)
        if condition is not None and text != condition:
            said.append(f"{text!r} when {condition}")
        if flow.get("id") == default and text != "otherwise":
            said.append(f"{text!r} by default (when no other is taken)")
    if said:
        item.notes.append("In the BPMN file the branches are taken: " + "; ".join(said) + ".")


def link_flows(items: dict[str, Item], wiring: Wiring, report: Report) -> None:
    """Each item's `out`: the element each flow reaches past the joins, with its label."""
    for iid, item in items.items():
        if item.kind == "merge":
            continue
        for flow in wiring.outs[iid]:
            target = _through_merges(flow.get("targetRef") or "", items, wiring, report)
            item.out.append((target, _flow_label(flow), flow))


def label_decisions(items: dict[str, Item], report: Report) -> None:
    """Every branch of a decision labelled, the labels distinct; invented ones reported
    (I018) unless the gateway's problem already says how they were named."""
    for item in items.values():
        if item.kind != "decision":
            continue
        labels: list[str] = []
        default = item.node.get("default")
        for index, (target, text, flow) in enumerate(item.out):
            if text is None:
                if item.event_labels and target in items:
                    text = items[target].name  # reported with the gateway (I010 to I012)
                elif flow.get("id") == default:
                    text = "otherwise"
                else:  # named after where it goes: the same whatever the XML order
                    text = f"to {items[target].name or target}" if target in items else "other"
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
        _notes(item)
