"""The checks of parallel blocks (G015-G020): a split's strands meet at one join.

Owns: turning the flow's blocks (`procmap.format`'s `Flow.blocks`: each split's strands,
the joins they reach and where they leave) into problems in the author's terms: strands
that do not meet at one join, a strand that leaves its block, an arrow into a join from
outside its split (a deadlock), a split with one strand, a join that closes no split, and
blocks that do not nest. Registered with `rules.check` when `rules` is imported.

Must not know: YAML, pydantic, output formats; how blocks are found (the flow knows).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .rules import Context, check

if TYPE_CHECKING:
    from collections.abc import Iterator

    from ..format import Block, Problem


def _names(ids: list[str] | tuple[str, ...]) -> str:
    return ", ".join(repr(i) for i in ids)


@check("G015")
def strands_not_joined(ctx: Context) -> Iterator[Problem]:
    flow = ctx.flow
    for split, block in flow.blocks.items():
        if block.join is not None or block.shared or len(block.strands) < 2:
            continue
        reached = [s for s in block.strands if s.joins]
        joins = sorted({j for s in reached for j in s.joins})
        if len(joins) > 1:
            said = "; ".join(f"{s.head!r} at {_names(sorted(s.joins))}" for s in reached)
            message = (
                f"the strands of parallel split {split!r} meet at different joins ({said});"
                " lead every strand to one join"
            )
        else:
            lost = [s.head for s in block.strands if not s.joins and not s.leaves]
            if not lost or not joins:
                continue
            message = (
                f"strand {_names(lost)} of parallel split {split!r} never reaches"
                f" join {joins[0]!r}, where its other strands meet"
            )
        yield ctx.problem("G015", ctx.step_loc(split), message)
    for join, blocks in _closing(ctx).items():
        if len(blocks) > 1:
            splits = _names([b.split for b in blocks])
            yield ctx.problem(
                "G015",
                ctx.step_loc(join),
                f"parallel splits {splits} all end at join {join!r}; each split needs its own join",
            )


@check("G016")
def strand_leaves_block(ctx: Context) -> Iterator[Problem]:
    flow = ctx.flow
    for split, block in flow.blocks.items():
        if block.shared:
            continue  # G020 says what is wrong; the strands are not walked to one join
        for strand in block.strands:
            for target in strand.leaves:
                where = [p for p in flow.pred[target] if p in strand.steps] or [split]
                what = (
                    f"end {target!r}"
                    if flow.steps[target].kind == "end"
                    else f"{target!r}, before the split"
                )
                yield ctx.problem(
                    "G016",
                    ctx.step_loc(where[0]),
                    f"strand {strand.head!r} of parallel split {split!r} leads to {what}"
                    " while the other strands still run; lead it to the join",
                )
        seen: dict[str, str] = {}
        for strand in block.strands:
            for sid in sorted(strand.steps):
                if sid in seen and seen[sid] != strand.head:
                    yield ctx.problem(
                        "G016",
                        ctx.step_loc(sid),
                        f"step {sid!r} is in strands {seen[sid]!r} and {strand.head!r} of"
                        f" parallel split {split!r}; a step belongs to one strand",
                    )
                seen.setdefault(sid, strand.head)


@check("G017")
def join_entered_from_outside(ctx: Context) -> Iterator[Problem]:
    flow = ctx.flow
    for join, blocks in _closing(ctx).items():
        if len(blocks) != 1:
            continue
        block = blocks[0]
        inside = block.steps | {block.split}
        reached = flow.reachable(flow.starts)
        for source in flow.pred[join]:
            if source not in inside and source in reached:
                yield ctx.problem(
                    "G017",
                    ctx.step_loc(source),
                    f"step {source!r} leads into join {join!r} from outside parallel split"
                    f" {block.split!r}: the join waits for the strands of {block.split!r}"
                    " and would wait for this case forever; lead it past the join",
                )


@check("G018")
def split_one_strand(ctx: Context) -> Iterator[Problem]:
    for i, step in enumerate(ctx.process.steps):
        strands = step.following()
        if step.kind != "parallel":
            continue
        for k, target in enumerate(strands):
            if target in strands[:k]:
                yield ctx.problem(
                    "G018",
                    ("steps", i, "next", k),
                    f"parallel split {step.id!r} lists strand {target!r} twice; each strand"
                    " is listed once",
                )
        if len(set(strands)) == 1:
            yield ctx.problem(
                "G018",
                ("steps", i, "next"),
                f"parallel split {step.id!r} has one strand ({strands[0]!r}); list two or"
                " more steps under `next:` to run side by side",
            )


@check("G019")
def join_without_split(ctx: Context) -> Iterator[Problem]:
    flow = ctx.flow
    closing = _closing(ctx)
    reached = {j for b in flow.blocks.values() for s in b.strands for j in s.joins}
    for join, step in flow.steps.items():
        if step.kind != "join" or join in closing or join in reached:
            continue
        sources = flow.pred[join]
        came = f"from {_names(sources)}" if sources else "from no step"
        yield ctx.problem(
            "G019",
            ctx.step_loc(join),
            f"join {join!r} closes no parallel split (its arrows come {came}); a join waits"
            " for the strands of a `kind: parallel` step: add the split, or make it a task",
        )


@check("G020")
def blocks_not_nested(ctx: Context) -> Iterator[Problem]:
    flow = ctx.flow
    for split, block in flow.blocks.items():
        for inner in block.shared:
            join = flow.blocks[inner].join
            yield ctx.problem(
                "G020",
                ctx.step_loc(inner),
                f"parallel split {inner!r}, inside a strand of {split!r}, ends at join"
                f" {join!r}, which its outer split's strands reach too; give {inner!r}"
                " its own join inside the strand",
            )


def _closing(ctx: Context) -> dict[str, list[Block]]:
    """Each join with the well-formed blocks that end at it (a block nested in a strand
    but ending at its outer split's join is not well formed: G020)."""
    blocks = ctx.flow.blocks
    misnested = {inner for block in blocks.values() for inner in block.shared}
    found: dict[str, list[Block]] = {}
    for block in blocks.values():
        if block.join is not None and block.split not in misnested:
            found.setdefault(block.join, []).append(block)
    return found
