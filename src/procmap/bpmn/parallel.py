"""Parallel work: BPMN's parallel gateways and implicit parallel splits as parallel blocks.

Owns: the implicit parallel split (`implicit_splits`: a task or event with several
unconditional flows out, which BPMN runs all at once, gets a parallel split after it,
I019; when they never meet again, or some have conditions, `steps` adds a decision
instead) and the settling of every split (`settle_parallel`):

- a parallel gateway that splits is a `kind: parallel` step; its join is where its
  branches first all meet (the meeting point nearest to the split, by the longest of the
  branches' ways there): a converging parallel gateway is the `kind: join` step;
- when the branches meet at anything else, a plain task or an exclusive gateway (BPMN's
  implicit merge, where each token goes on, so the step after runs once per branch), a
  join is inserted before it and reported (I028) with the element's id and line. procmap
  has no step that runs once per branch, and a decision would drop the work of every
  branch but one; a join keeps all the work and runs the step once, which is what a
  modeler who draws branches meeting at a task almost always means (bpmnlint's
  `fake-join` flags the drawing). Branches that meet at an end event are joined without
  a report: the process ends when every token is consumed, which is what a join says;
- branches that never meet (each to its own end), or that do not make a block closed
  at their meeting point (one ends or stops before it, one leads back to the split, a
  flow enters from outside), cannot be a block: the split is read as a decision between
  them (I010), so that what is made passes `procmap validate` (G015 to G017);
- inclusive and complex splits are a decision ("Any of: A, B", I011).

A converging parallel gateway no split claims is a merge (dropped).

Must not know: what the other elements become (`kinds`), steps' fields, files.
"""

from __future__ import annotations

from collections import deque

from .elements import GATEWAYS, Item, Report, Wiring, label, name_of
from .xmltext import BPMN, Node

#: Elements after which several plain flows run all at once (a gateway says its own).
_ACTIVITIES = ("task", "start", "subprocess")


def _synthetic(name: str, iid: str, near: Node) -> Node:
    """An element the import adds, at the position of the one it comes from."""
    return Node(BPMN, name, {"id": iid}, near.line, near.column)


def _flow(source: str, target: str, near: Node) -> Node:
    flow = _synthetic("sequenceFlow", f"{source}__to__{target}", near)
    flow.attrib.update(sourceRef=source, targetRef=target)
    return flow


def _insert(
    items: dict[str, Item], beside: str, iid: str, item: Item, wiring: Wiring, after: bool
) -> None:
    """Add `item` to `items` just before (or `after`) `beside`, so that the steps keep the
    file's order, with no flows yet."""
    kept = list(items.items())
    items.clear()
    for key, value in kept:
        if key == beside and not after:
            items[iid] = item
        items[key] = value
        if key == beside and after:
            items[iid] = item
    wiring.ins[iid], wiring.outs[iid] = [], []


def _unconditional(flow: Node) -> bool:
    return not any(c.text.strip() for c in flow.find(BPMN, "conditionExpression"))


def implicit_splits(items: dict[str, Item], wiring: Wiring, report: Report) -> None:
    """A parallel split after each task or event whose several flows out are all plain
    (no condition, none the default) and meet again: in BPMN they all run (I019). Flows
    with conditions, or that never meet, stay a choice: `steps` adds a decision (I019)."""
    for iid, item in list(items.items()):
        outs = wiring.outs[iid]
        if item.kind not in _ACTIVITIES or len(outs) < 2 or item.node.get("default"):
            continue
        heads = [f.get("targetRef") or "" for f in outs]
        if not all(_unconditional(f) for f in outs) or _meeting(iid, heads, items, wiring) is None:
            continue  # a choice, or branches that never meet: a decision (`steps`, I019)
        sid = f"{iid}__parallel"
        names = _names(heads, items, wiring)
        split = Item(_synthetic("parallelGateway", sid, item.node), "parallelGateway", "")
        split.name = f"After {item.name}, in parallel"
        _insert(items, iid, sid, split, wiring, after=True)
        for flow in outs:
            flow.attrib["sourceRef"] = sid
        link = _flow(iid, sid, item.node)
        wiring.outs[sid], wiring.outs[iid], wiring.ins[sid] = outs, [link], [link]
        report.add(
            "I019",
            item.node,
            f"{label(item.node)} has {len(outs)} plain flows going out, which all run in"
            f" BPMN: a parallel split added after it ({', '.join(repr(n) for n in names)})",
        )


def _reach(
    head: str, split: str, items: dict[str, Item], wiring: Wiring, stop: str | None = None
) -> dict[str, int]:
    """Element -> the fewest flows from `head` to it (`head` 0), never through `split`
    (nor past `stop`)."""
    found = {head: 0}
    queue = deque([head] if head != stop else [])
    while queue:
        current = queue.popleft()
        for flow in wiring.outs.get(current, []):
            target = flow.get("targetRef") or ""
            if target in items and target != split and target not in found:
                found[target] = found[current] + 1
                if target != stop:
                    queue.append(target)
    return found


def _inside(
    split: str, heads: list[str], meet: str, items: dict[str, Item], wiring: Wiring
) -> set[str]:
    """The elements between the split and where its branches meet."""
    inside: set[str] = set()
    for head in heads:
        inside |= set(_reach(head, split, items, wiring, stop=meet))
    inside.discard(meet)
    return inside


def _well_formed(
    split: str, heads: list[str], meet: str, items: dict[str, Item], wiring: Wiring
) -> bool:
    """Whether the branches make a block that closes at `meet`: no end, no element that
    stops or leads back to the split before it, no flow into it from outside, and every
    element on the way reaches `meet` (the rules G015 to G017 hold for what is made)."""
    inside = _inside(split, heads, meet, items, wiring)
    for iid in inside:
        targets = [f.get("targetRef") for f in wiring.outs[iid]]
        sources = [f.get("sourceRef") for f in wiring.ins[iid]]
        if items[iid].kind == "end" or not targets or split in targets:
            return False
        if any(s not in inside and s != split for s in sources):
            return False
    back, queue = {meet}, deque([meet])
    while queue:
        for flow in wiring.ins[queue.popleft()]:
            source = flow.get("sourceRef") or ""
            if source in inside and source not in back:
                back.add(source)
                queue.append(source)
    return inside <= back


def _meeting(split: str, heads: list[str], items: dict[str, Item], wiring: Wiring) -> str | None:
    """Where the branches from `heads` first all meet: of the elements every branch
    reaches, the one whose longest way from a branch is shortest (a parallel join first,
    then the file's order); None when they never meet."""
    reached = [_reach(h, split, items, wiring) for h in heads if h in items]
    if not reached or len(reached) < len(heads):
        return None
    common = set(reached[0]).intersection(*reached[1:])
    if not common:
        return None
    order = {iid: index for index, iid in enumerate(items)}
    meet = min(
        common,
        key=lambda i: (max(r[i] for r in reached), items[i].kind != "join", order[i]),
    )
    return meet if _well_formed(split, heads, meet, items, wiring) else None


def _join_before(
    meet: str, split: str, heads: list[str], items: dict[str, Item], wiring: Wiring
) -> str:
    """A join inserted before `meet`: the flows into it from the block now go to the join."""
    inside = {split} | _inside(split, heads, meet, items, wiring)
    jid = f"{meet}__join"
    node = items[meet].node
    join = Item(_synthetic("parallelGateway", jid, node), "join", "")
    _insert(items, meet, jid, join, wiring, after=False)
    kept: list[Node] = []
    for flow in wiring.ins[meet]:
        if (flow.get("sourceRef") or "") in inside:
            flow.attrib["targetRef"] = jid
            wiring.ins[jid].append(flow)
        else:
            kept.append(flow)
    link = _flow(jid, meet, node)
    wiring.outs[jid] = [link]
    wiring.ins[meet] = [*kept, link]
    return jid


def _names(heads: list[str], items: dict[str, Item], wiring: Wiring) -> list[str]:
    """The names of the steps the branches start with (past merges and waits)."""
    names = []
    for head in heads:
        current, seen = head, set()
        while current in items and items[current].kind == "merge" and current not in seen:
            seen.add(current)
            following = wiring.outs[current]
            current = (following[0].get("targetRef") or "") if len(following) == 1 else ""
        names.append(items[current].name or current if current in items else head)
    return names


def _parallel(
    iid: str, item: Item, items: dict[str, Item], wiring: Wiring, report: Report, claimed: set[str]
) -> None:
    node = item.node
    heads = [f.get("targetRef") or "" for f in wiring.outs[iid]]
    names = _names(heads, items, wiring)
    meet = _meeting(iid, heads, items, wiring)
    if meet is None:
        item.kind = "decision"
        item.name = item.name or "In parallel: " + ", ".join(names)
        item.event_labels = True
        report.add(
            "I010",
            node,
            f"{label(node)}: its branches do not meet again in one join; read as a decision between"
            f" {', '.join(repr(n) for n in names)}",
        )
        return
    item.kind = "parallel"
    item.name = item.name or "In parallel: " + ", ".join(names)
    inside = {iid} | _inside(iid, heads, meet, items, wiring)
    foreign = any((f.get("sourceRef") or "") not in inside for f in wiring.ins[meet])
    if items[meet].kind != "join" or meet in claimed or foreign:
        target = items[meet]
        meet = _join_before(meet, iid, heads, items, wiring)
        if target.kind != "end":
            origin = items.get(iid.removesuffix("__parallel"), item).node
            split = (
                f"the plain flows out of {label(origin)}"
                if origin is not node
                else f"the branches of {label(node)}"
            )
            report.add(
                "I028",
                target.node,
                f"{split} meet at {label(target.node)} without a"
                " parallel join (in BPMN it would run once per branch): a join added before it",
            )
    claimed.add(meet)
    items[meet].name = items[meet].name or (
        f"{name_of(node.get('name'))}: all done" if name_of(node.get("name")) else "All done"
    )


def settle_parallel(items: dict[str, Item], wiring: Wiring, report: Report) -> None:
    """Parallel splits as parallel blocks (else decisions, I010), inclusive and complex
    splits as decisions (I011); a converging parallel gateway no split claims is a merge."""
    claimed: set[str] = set()
    for iid in list(items):
        item = items[iid]
        if item.kind == "parallelGateway":
            _parallel(iid, item, items, wiring, report, claimed)
        elif item.kind in GATEWAYS:  # inclusive, complex
            heads = [f.get("targetRef") or "" for f in wiring.outs[iid]]
            names = [items[t].name or t for t in heads if t in items]
            item.kind = "decision"
            item.name = item.name or "Any of: " + ", ".join(names)
            item.event_labels = True
            report.add(
                "I011",
                item.node,
                f"{label(item.node)}: any of its branches may run; read as a decision"
                f" between {', '.join(repr(n) for n in names)}",
            )
    for iid, item in items.items():
        if item.kind == "join" and iid not in claimed:
            item.kind = "merge"
