"""The map read as a workflow net, and each distinct variant replayed on it (the token game).

Owns: the net (`Net`): a token waits in front of a step (a join has one place per strand of
its split, which a token reaches by whichever arrow of that strand it comes); a step fires
by taking its token (a join: one from each strand) and putting one on one of its arrows (a
decision: the branch taken; a task, start or end likewise, an end on none) or, a parallel
split, one on each strand's arrow. The steps of `silent` (the steps no event of the log
stands for: decisions, splits, joins, and any step the log never has) fire by themselves;
every other step fires only by an event of it. A case fits when its events, in order, fire
one after another with silent firings between them, and the last leaves no token (every
strand joined, an end reached); it is incomplete when they fire but some token is left
whatever the silent steps do; else it deviates at its first event that cannot fire.

`classify` tells which (with the sets of markings reachable, so decisions and loops are
tried every way at once, each silent closure and each step worked out once for all the
variants); `links` finds one way the events fire and says, for each event, which earlier
events' tokens it took and by which arrows (a split's arrows before it go with its first
strand, a join's arrow after it with its last strand to arrive): the arrows a variant's
events count on, strand by strand. `concurrent`: the pairs of steps in different strands
of one block, which follow each other in a log without being an arrow of the map.

Must not know: SQL, the log, how figures are shown.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..format import Block, Flow, StepLike

#: A place: a step id and the slot in front of it (a join's strand; 0 for other steps;
#: -1, a join's arrow from outside its block, which never fires).
Place = tuple[str, int]
#: A marking: its places, sorted (a place may hold several tokens).
Marking = tuple[Place, ...]
Arrow = tuple[str, str]
#: Where a token's way began (the event's index in the variant; -1: the case's start)
#: and the arrows it has taken since.
Entry = tuple[int, tuple[Arrow, ...]]
#: A token with the ways it holds; a marking of them, sorted.
Token = tuple[Place, tuple[Entry, ...]]
Trailed = tuple[Token, ...]
#: An event's index taking tokens from an earlier one's (-1: the start) by `arrows`;
#: `to` None: a silent end took them after the last event.
Link = tuple[int, int | None, tuple[Arrow, ...]]

#: Markings a silent closure may reach, tokens a marking may hold: beyond them a map that
#: is not a workflow net (a valid process is one) stops being explored.
MAX_MARKINGS = 5000
MAX_TOKENS = 64


@dataclass(frozen=True, slots=True)
class Verdict:
    """A variant on the net: `fits`; else `at`, the index of its first event that cannot
    fire (None: every event fired, but the case is incomplete)."""

    fits: bool
    at: int | None


class Net:
    """The workflow net of `flow`, with the steps of `silent` firing without events."""

    def __init__(self, flow: Flow[StepLike], silent: set[str]) -> None:
        self.flow = flow
        self.silent = frozenset(silent)
        joins = {b.join: b for b in reversed(flow.blocks.values()) if b.join is not None}
        self.needs: dict[str, tuple[Place, ...]] = {}
        self.ways: dict[str, list[tuple[tuple[Place, ...], tuple[Arrow, ...]]]] = {}
        for sid, step in flow.steps.items():
            block = joins.get(sid)
            if step.kind == "join" and block is not None:
                self.needs[sid] = tuple((sid, i) for i in range(len(block.strands)))
            else:
                self.needs[sid] = ((sid, 0),)
            puts = [(self._place(sid, t, joins), (sid, t)) for t in flow.succ[sid]]
            if step.kind == "parallel":
                self.ways[sid] = [(tuple(p for p, _ in puts), tuple(a for _, a in puts))]
            else:
                self.ways[sid] = [((p,), (a,)) for p, a in puts] or [((), ())]
        self.start: frozenset[Marking] = frozenset(((s, 0),) for s in flow.starts)
        self._closures: dict[Marking, frozenset[Marking]] = {}
        self._steps: dict[tuple[frozenset[Marking], str], frozenset[Marking]] = {}

    def _place(self, source: str, target: str, joins: dict[str, Block]) -> Place:
        """The place an arrow source -> target puts its token on."""
        block = joins.get(target)
        if block is None:
            return (target, 0)
        for i, strand in enumerate(block.strands):
            if source in strand.steps or (source == block.split and strand.head == target):
                return (target, i)
        return (target, -1)

    # -- the sets of markings -------------------------------------------------------------

    def closure(self, marking: Marking) -> frozenset[Marking]:
        """The markings `marking` reaches by silent firings (itself included)."""
        known = self._closures.get(marking)
        if known is not None:
            return known
        seen = {marking}
        queue = deque([marking])
        while queue and len(seen) < MAX_MARKINGS:
            here = queue.popleft()
            for sid in dict.fromkeys(place[0] for place in here):
                if sid not in self.silent:
                    continue
                for after in self.fire(here, sid):
                    if after not in seen and len(after) <= MAX_TOKENS:
                        seen.add(after)
                        queue.append(after)
        found = frozenset(seen)
        self._closures[marking] = found
        return found

    def fire(self, marking: Marking, sid: str) -> list[Marking]:
        """The markings after `sid` fires in `marking` (none: it cannot)."""
        left = _take(marking, self.needs[sid])
        if left is None:
            return []
        return [tuple(sorted(left + puts)) for puts, _ in self.ways[sid]]

    def step(self, state: frozenset[Marking], sid: str) -> frozenset[Marking]:
        """The markings after an event of `sid` from any of `state` (with silent firings
        before it); empty when it cannot fire."""
        key = (state, sid)
        known = self._steps.get(key)
        if known is not None:
            return known
        found: set[Marking] = set()
        if sid in self.needs:
            for marking in state:
                for reached in self.closure(marking):
                    found.update(self.fire(reached, sid))
        result = frozenset(found)
        self._steps[key] = result
        return result

    def can_end(self, state: frozenset[Marking]) -> bool:
        """Some marking of `state` is emptied by silent firings: the case is complete."""
        return any(() in self.closure(marking) for marking in state)

    def classify(self, steps: Sequence[str]) -> Verdict:
        """Whether the events `steps` fit, and where they stop fitting."""
        state = self.start
        for i, sid in enumerate(steps):
            state = self.step(state, sid)
            if not state:
                return Verdict(False, i)
        return Verdict(True, None) if self.can_end(state) else Verdict(False, None)

    # -- one way through, with the arrows taken ------------------------------------------------

    def links(self, steps: Sequence[str]) -> tuple[list[Link], int]:
        """One way the events `steps` fire (complete when the variant fits), as links,
        and how many events it fires (the rest do not): depth first, each event's
        choices in turn, a marking known to lead nowhere from an event not tried again."""
        failed: set[tuple[int, Marking]] = set()
        best: tuple[list[Link], int] = ([], 0)
        stack: list[tuple[int, Trailed, list[Link], Iterator[tuple[Trailed, list[Link]]]]] = []

        def push(i: int, marking: Trailed, made: list[Link]) -> None:
            stack.append((i, marking, made, self._choices(steps, i, marking)))

        for s in reversed(self.flow.starts):
            push(0, (((s, 0), ((-1, ()),)),), [])
        while stack:
            i, marking, made, choices = stack[-1]
            if i > best[1]:
                best = (made, i)
            after = next(choices, None)
            if after is None:
                failed.add((i, _places(marking)))
                stack.pop()
                continue
            reached, fired = after
            if i == len(steps):
                return made + fired, i
            if (i + 1, _places(reached)) not in failed:
                push(i + 1, reached, made + fired)
        return best

    def _choices(
        self, steps: Sequence[str], i: int, marking: Trailed
    ) -> Iterator[tuple[Trailed, list[Link]]]:
        """From `marking` before event `i`: each marking after it fires (silent firings
        first), with the links made; past the last event, the empty markings reached."""
        for reached, silent in self._trailed_closure(marking):
            if i == len(steps):
                if not reached:
                    yield reached, silent
                continue
            for after, fired in self._fire_trailed(reached, steps[i], i):
                yield after, silent + fired

    def _trailed_closure(self, marking: Trailed) -> list[tuple[Trailed, list[Link]]]:
        """The markings `marking` reaches by silent firings, each the first way found
        (fewest firings), with the links of silent ends on the way."""
        seen = {_places(marking)}
        found: list[tuple[Trailed, list[Link]]] = [(marking, [])]
        queue = deque(found)
        while queue and len(seen) < MAX_MARKINGS:
            here, made = queue.popleft()
            for sid in dict.fromkeys(token[0][0] for token in here):
                if sid not in self.silent:
                    continue
                for after, fired in self._fire_trailed(here, sid, None):
                    places = _places(after)
                    if places not in seen and len(after) <= MAX_TOKENS:
                        seen.add(places)
                        queue.append((after, made + fired))
                        found.append((after, made + fired))
        return found

    def _fire_trailed(
        self, marking: Trailed, sid: str, event: int | None
    ) -> list[tuple[Trailed, list[Link]]]:
        """`sid` fired in `marking`, by the event of index `event` (None: silently): the
        markings after it, each with the links it makes."""
        if sid not in self.needs:
            return []
        rest = list(marking)
        ways: list[Entry] = []
        for need in self.needs[sid]:
            index = next((k for k, token in enumerate(rest) if token[0] == need), None)
            if index is None:
                return []
            ways.extend(rest.pop(index)[1])
        made: list[tuple[Trailed, list[Link]]] = []
        for puts, arrows in self.ways[sid]:
            links: list[Link]
            tokens: list[Token]
            if event is not None:
                links = [(j, event, taken) for j, taken in ways]
                tokens = [(p, ((event, (a,)),)) for p, a in zip(puts, arrows, strict=True)]
            elif not puts:  # a silent end: the ways end here
                links = [(j, None, taken) for j, taken in ways]
                tokens = []
            else:
                links = []
                tokens = _carried(ways, puts, arrows)
            made.append((tuple(sorted(rest + tokens)), links))
        return made


def _carried(ways: list[Entry], puts: tuple[Place, ...], arrows: tuple[Arrow, ...]) -> list[Token]:
    """The tokens a silent step puts on its arrows, carrying the ways it took: the latest
    way (the last strand to arrive at a join) goes on along the first arrow, the others
    with it unchanged; the other arrows (a split's other strands) begin from the same
    event with their own arrow only."""
    last = max(range(len(ways)), key=lambda k: ways[k][0]) if ways else None
    tokens: list[Token] = []
    for n, (place, arrow) in enumerate(zip(puts, arrows, strict=True)):
        if n == 0:
            entries = tuple(
                (j, (*taken, arrow)) if k == last else (j, taken)
                for k, (j, taken) in enumerate(ways)
            )
        else:
            origin = ways[last][0] if last is not None else -1
            entries = ((origin, (arrow,)),)
        tokens.append((place, entries))
    return tokens


def _take(marking: Marking, needs: tuple[Place, ...]) -> Marking | None:
    """`marking` without one token on each of `needs` (None: one is missing)."""
    rest = list(marking)
    for need in needs:
        try:
            rest.remove(need)
        except ValueError:
            return None
    return tuple(rest)


def _places(marking: Trailed) -> Marking:
    return tuple(token[0] for token in marking)


def concurrent(flow: Flow[StepLike]) -> set[tuple[str, str]]:
    """The pairs (a, b) of steps in different strands of one parallel block, both ways."""
    pairs: set[tuple[str, str]] = set()
    for block in flow.blocks.values():
        strands = [strand.steps for strand in block.strands]
        for i, one in enumerate(strands):
            for other in strands[i + 1 :]:
                for a in one - other:
                    for b in other - one:
                        pairs.add((a, b))
                        pairs.add((b, a))
    return pairs
