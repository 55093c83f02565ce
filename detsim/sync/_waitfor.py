"""The wait-for graph: edges run waiter → resource → holder.

Wait queues call ``wait``/``unwait`` and primitives ``hold``/``unhold``. A cycle is
reported the moment the edge that closes it is added, as a ``no_deadlock``
violation. ``forget(task)`` drops a task that no longer exists (a crashed node's).
"""
from __future__ import annotations

import networkx as nx

from ..trace import Violation


def _task(name: str) -> tuple:
    return ("task", name)


def _res(name: str) -> tuple:
    return ("resource", name)


class WaitForGraph:
    def __init__(self, world):
        self.world = world
        self.graph = nx.DiGraph()

    def hold(self, resource, task) -> None:
        self.graph.add_edge(_res(resource.name), _task(task.name))

    def unhold(self, resource, task) -> None:
        edge = (_res(resource.name), _task(task.name))
        if self.graph.has_edge(*edge):
            self.graph.remove_edge(*edge)

    def wait(self, task, resource) -> None:
        task.waiting_for = resource
        node = _task(task.name)
        self.graph.add_edge(node, _res(resource.name))
        try:
            cycle = nx.find_cycle(self.graph, source=node)
        except nx.NetworkXNoCycle:
            return
        self._report([u for u, _ in cycle])

    def unwait(self, task, resource) -> None:
        task.waiting_for = None
        edge = (_task(task.name), _res(resource.name))
        if self.graph.has_edge(*edge):
            self.graph.remove_edge(*edge)

    def forget(self, task) -> None:
        """Remove ``task`` and every edge to or from it (it was killed by a crash)."""
        node = _task(task.name)
        if self.graph.has_node(node):
            self.graph.remove_node(node)

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
