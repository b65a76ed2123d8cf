"""Where function values go: a flow graph from the places that hold them to the calls of them.

A *place* is anything a function value can be kept in, named so that every mention of it in any
file meets the same key:

    ("field", package, struct, field)     a struct field, whatever value holds the struct
    ("functype", package, type)           anywhere a value of a named func type is kept
    ("param", function, index)            a parameter of a function, method or literal
    ("result", function, index)           what a function returns
    ("var", package, name)                a package-level variable
    ("local", file, scope, name, line)    a local variable assigned after its declaration
    ("elem", place)                       the elements of the map, slice or channel at place
    ("returned", place, index)            what calls of the functions at place return

The resolver adds what it reads: a function stored into a place (`AddFunc: c.addPod`,
`return handler`, `wait.Until(s.scheduleOne, …)` storing into Until's first parameter) and one
place flowing into another (an argument that is itself a parameter, `c.handler = h`). `solve`
propagates functions along the flows until nothing changes; a call of a place is then a call of
every function that reached it. The analysis is field-based and insensitive to context and order,
as go/callgraph's VTA is in spirit: a function stored anywhere in a field reaches every call of
that field.
"""
from __future__ import annotations

from collections import deque

Place = tuple

# `Inferrer.place_of` names no element place nested deeper than this; element flows derive none
# deeper either, or a container that flows into its own element (`ch <- ch`, `s = append(s, s)`,
# a recursive map walker) would derive elem(elem(…)) without end.
MAX_ELEMENT_NESTING = 5


class FlowGraph:
    def __init__(self) -> None:
        self.functions: dict[Place, set[str]] = {}
        self.flows: dict[Place, set[Place]] = {}
        # The places of calls with a named func type to fall back on, and those of them that
        # only element flows reach (see `solve`).
        self.fallbacks: set[Place] = set()
        self.reached_by_elements_only: set[Place] = set()
        self._solved: dict[Place, set[str]] | None = None

    def store(self, place: Place, function: str) -> None:
        self.functions.setdefault(place, set()).add(function)
        self._solved = None

    def flow(self, source: Place, target: Place) -> bool:
        """Whatever reaches `source` reaches `target` too; False if that was already known."""
        if source == target:
            return False
        targets = self.flows.setdefault(source, set())
        if target in targets:
            return False
        targets.add(target)
        self._solved = None
        return True

    def note_fallbacks(self, places) -> None:
        """The places of calls that fall back on a named func type (see `solve`)."""
        self.fallbacks = set(places)
        self._solved = None

    def absorb(self, functions: dict[Place, set[str]], flows: dict[Place, set[Place]]) -> None:
        """Add another graph's stores and flows (see `Resolver.absorb`)."""
        for place, stored in functions.items():
            self.functions.setdefault(place, set()).update(stored)
        for source, targets in flows.items():
            self.flows.setdefault(source, set()).update(targets)
        self._solved = None

    def solve(self) -> dict[Place, set[str]]:
        """Every place → the functions that can reach it."""
        if self._solved is not None:
            return self._solved
        reached: dict[Place, set[str]] = {place: set(fs) for place, fs in self.functions.items()}
        _propagate(reached, self.flows, list(reached))
        # Element flows are followed last, and the places they alone reach are noted: a call
        # of one falls back on its named func type as it did when nothing reached it (the
        # elements of a literal passed as an argument are not followed), then gains these.
        unreached = {place for place in self.fallbacks if not reached.get(place)}
        elements = self._element_flows()
        _propagate(reached, [self.flows, elements], list(elements))
        self.reached_by_elements_only = {place for place in unreached if reached.get(place)}
        self._solved = reached
        return reached

    def _element_flows(self) -> dict[Place, set[Place]]:
        """Where a map, slice or channel flows into another place, its elements flow into that
        place's elements: `run(fs)` then `for _, f := range fs` in run calls what fs holds.
        Only the element places that are stored into or flowed into are followed, and none
        nested deeper than `MAX_ELEMENT_NESTING`."""
        pending = [place for place in self.functions if place[0] == "elem"]
        pending += [target for targets in self.flows.values() for target in targets
                    if target[0] == "elem"]
        seen = set(pending)
        derived: dict[Place, set[Place]] = {}
        while pending:
            element = pending.pop()
            for target in (*self.flows.get(element[1], ()), *derived.get(element[1], ())):
                inner = ("elem", target)
                if _element_nesting(inner) > MAX_ELEMENT_NESTING:
                    continue
                derived.setdefault(element, set()).add(inner)
                if inner not in seen:
                    seen.add(inner)
                    pending.append(inner)
        return derived

    def reaching(self, place: Place) -> set[str]:
        return self.solve().get(place, set())


def _element_nesting(place: Place) -> int:
    """How many element places `place` is nested in: 2 for ("elem", ("elem", p))."""
    nesting = 0
    while place[0] == "elem":
        nesting += 1
        place = place[1]
    return nesting


def _propagate(reached: dict[Place, set[str]], flows, work: list[Place]) -> None:
    """Push the functions at each place of `work` along `flows` (a dict of flows, or several)
    until nothing changes."""
    flow_maps = flows if isinstance(flows, list) else [flows]
    work = deque(work)
    queued = set(work)
    while work:
        place = work.popleft()
        queued.discard(place)
        functions = reached.get(place)
        if not functions:
            continue
        for targets in flow_maps:
            for target in targets.get(place, ()):
                known = reached.setdefault(target, set())
                if not functions <= known:
                    known |= functions
                    if target not in queued:
                        queued.add(target)
                        work.append(target)
