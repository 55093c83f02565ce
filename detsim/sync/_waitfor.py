"""The wait-for graph: edges run waiter → resource → holder.

Wait queues call ``wait``/``unwait`` and primitives ``hold``/``unhold``. A cycle is
reported the moment the edge that closes it is added, as a ``no_deadlock``
violation. ``forget(task)`` drops a task that no longer exists (a crashed node's).

The edges live in plain ordered dicts, and a new wait edge is checked by a
depth-first search from its waiter over what it can reach (usually a resource,
its holder and what that holder waits on), not by a networkx search over the
whole graph per block. The search finds exactly the cycle ``networkx.find_cycle``
finds from the same source (tests/sync/test_waitfor.py compares them on random
graphs); ``graph`` still gives a networkx DiGraph for reports.
"""
from __future__ import annotations

import networkx as nx

from ..trace import Violation


def _task(name: str) -> tuple:
    return ("task", name)


def first_cycle(succ: dict, source):
    """The nodes of the first cycle a depth-first search from ``source`` closes
    (successors in insertion order), starting at the node the closing edge returns
    to; None if no cycle is reachable. ``succ``: node -> ordered successors."""
    path, at, node = [source], {source: 0}, source
    while True:  # a chain (one successor each: the usual case) is walked, not searched
        out = succ.get(node)
        if not out:
            return None  # the chain ends: nothing else is reachable
        if len(out) > 1:
            break
        for node in out:
            pass
        if node in at:
            return path[at[node]:]
        at[node] = len(path)
        path.append(node)
    path, at, todo, finished = [source], {source: 0}, [iter(succ.get(source, ()))], set()
    while todo:
        for node in todo[-1]:
            if node in at:  # an edge back into the current path closes a cycle
                return path[at[node]:]
            if node not in finished:
                at[node] = len(path)
                path.append(node)
                todo.append(iter(succ.get(node, ())))
                break
        else:
            done = path.pop()
            del at[done]
            finished.add(done)
            todo.pop()
    return None


class WaitForGraph:
    def __init__(self, world):
        self.world = world
        self._succ: dict = {}  # node -> {successor: None}, in insertion order (as networkx keeps it)

    @property
    def graph(self) -> nx.DiGraph:
        """The edges now, as a networkx DiGraph (built on demand, for reports)."""
        graph = nx.DiGraph()
        for node, succ in self._succ.items():
            graph.add_node(node)
            for other in succ:
                graph.add_edge(node, other)
        return graph

    def _add(self, a, b) -> None:
        succ = self._succ
        out = succ.get(a)
        if out is None:
            out = succ[a] = {}
        out[b] = None
        if b not in succ:
            succ[b] = {}

    def hold(self, resource, task) -> None:
        self._add(("resource", resource.name), ("task", task.name))

    def unhold(self, resource, task) -> None:
        out = self._succ.get(("resource", resource.name))
        if out:
            out.pop(("task", task.name), None)

    def wait(self, task, resource) -> None:
        task.waiting_for = resource
        node, res = ("task", task.name), ("resource", resource.name)
        self._add(node, res)
        succ = self._succ
        if not succ[res] and len(succ[node]) == 1:
            return  # nothing reachable beyond an unheld resource: no cycle
        cycle = first_cycle(succ, node)
        if cycle is not None:
            self._report(cycle)

    def unwait(self, task, resource) -> None:
        task.waiting_for = None
        out = self._succ.get(("task", task.name))
        if out:
            out.pop(("resource", resource.name), None)

    def forget(self, task) -> None:
        """Remove ``task`` and every edge to or from it (it was killed by a crash)."""
        node = _task(task.name)
        if self._succ.pop(node, None) is not None:
            for out in self._succ.values():
                out.pop(node, None)

    def _report(self, nodes: list) -> None:
        # Rotate so the cycle starts at its smallest task name: stable across runs.
        tasks = [i for i, (kind, _) in enumerate(nodes) if kind == "task"]
        start = min(tasks, key=lambda i: nodes[i][1])
        nodes = nodes[start:] + nodes[:start]
        parts = []
        for i, (kind, name) in enumerate(nodes):
            if kind == "task":
                parts.append(name)
            else:
                holder = nodes[(i + 1) % len(nodes)][1]
                parts.append(f"{name} (held by {holder})")
        parts.append(nodes[0][1])
        text = " → ".join(parts)
        world = self.world
        if world.alarm is None:
            world.alarm = Violation(
                "no deadlock", f"wait-for cycle: {text}", world.now, world.steps,
                world.current_name, cycle=[name for _, name in nodes])

    def blocked_report(self) -> list[str]:
        """Each live non-daemon task and what it waits on now (for a global stall)."""
        out = []
        for task in self.world.tasks.values():
            if task.is_alive and not task.daemon:
                out.append(f"{task.name} (waits on {task.waiting_on or 'an event nobody will trigger'})")
        return out
