"""A per-server timeline of one Raft run, for ``detsim show`` (see models/raft.py), and
the Observer that notes crashes, restarts, pauses and partitions in it.

One column per server, one row per instant: role and term changes, votes, crashes and
restarts, entries appended, truncated and committed, and the RequestVote and
AppendEntries-with-entries messages sent, each marked delivered or lost. Clients'
operations go in the last column. Heartbeats (empty AppendEntries) are left out.
"""
from __future__ import annotations

import textwrap

import detsim
from detsim.history import NIL

WIDTH = 30  # characters per server column


def _when(stamp):
    return stamp[0] if isinstance(stamp, tuple) else stamp


def client_events(model) -> list:
    """(time, text) for each client operation's invocation and outcome."""
    history = model.history
    described = {op.id: op for op in history.operations()}
    out = []
    for kind, oid, stamp, payload in history.events:
        op = described[oid]
        what = f"{op.f} {op.key}" + (f" {op.input}" if op.input is not None else "")
        if kind == "invoke":
            text = f"{op.client} {what}"
        elif kind == "ok":
            result = "" if payload is None else " = nil" if payload is NIL else f" = {payload!r}"
            text = f"{op.client} ok{result}"
        else:  # info: the client gave up, or crashed while waiting
            text = f"{op.client} {kind} ({what})"
        out.append((_when(stamp), text))
    return out


def message_lines(model) -> list:
    """(time, server, text) per group of tracked messages sent together."""
    groups: dict = {}
    order = []
    for when, src, dst, number, text in model.sends:
        key = (when, src, text)
        if key not in groups:
            groups[key] = []
            order.append(key)
        groups[key].append((dst, (src, dst, number) in model.received))
    lines = []
    for key in order:
        when, src, text = key
        targets = " ".join(dst + ("" if arrived else " LOST") for dst, arrived in groups[key])
        lines.append((when, src, f"{text.replace('re-RequestVote', 'RequestVote (again)')} -> {targets}"))
    return lines


def render(model, result) -> str:
    servers = list(model.names)
    columns = servers + ["clients / net"]
    rows: dict = {}  # time -> column -> [texts]
    seq = []
    for when, who, text in model.events:
        column = who if who in servers else "clients / net"
        seq.append((when, column, text))
    for when, who, text in message_lines(model):
        seq.append((when, who, text))
    for when, text in client_events(model):
        seq.append((when, "clients / net", text))
    # stable: within one instant, server events keep their order; messages follow them
    seq.sort(key=lambda row: row[0])
    for when, column, text in seq:
        rows.setdefault(when, {}).setdefault(column, []).append(text)

    v = result.violation if result is not None else None
    out = [f"Raft timeline: {len(servers)} servers, bug={model.bug!r}; "
           f"faults until t={model.heal_at}; LOST = dropped, cut by a partition, or sent to a down server"]
    if v is not None:
        out.append(f'violation of "{v.property}" at t={v.time}: {v.message}')
    head = f"{'t':>5} | " + " | ".join(f"{c:<{WIDTH}}" for c in columns)
    out += [head, "-" * len(head)]
    for when in sorted(rows):
        cells = {c: [] for c in columns}
        for column, texts in rows[when].items():
            for text in texts:
                cells[column].extend(textwrap.wrap(text, WIDTH, subsequent_indent="  ") or [""])
        height = max(len(lines) for lines in cells.values())
        for i in range(height):
            stamp = f"{when:>5}" if i == 0 else " " * 5
            out.append(f"{stamp} | " + " | ".join(
                f"{(cells[c][i] if i < len(cells[c]) else ''):<{WIDTH}}" for c in columns))
    out.append("")
    out.append("end state (per server: term, role, log as the term of each entry, commit index):")
    for name in servers:
        s = model.live[name]
        state = "down" if not s.node.up else s.role
        out.append(f"  {name}: t{s.term} {state:<9} log [{' '.join(str(t) for t, _ in s.log)}] commit {s.commit}")
    leaders = ", ".join(f"t{term}: {'+'.join(names)}" for term, names in sorted(model.leaders.items()))
    out.append(f"leaders per term: {leaders or 'none'}")
    committed = ", ".join(f"{i}: t{entry[0]} (in t{term})" for i, (entry, term) in sorted(model.committed.items()))
    out.append(f"committed (index: entry term (term of the leader that committed it)): {committed or 'none'}")
    return "\n".join(out)


class TimelineObserver(detsim.Observer):
    """Not a property: records crashes, restarts, pauses and partitions in the timeline,
    and the ghost fact that a leader crashed after replicating an entry of its term."""

    name = "raft timeline"
    reads_decisions = False  # it reads the nodes and the network: campaigns keep lean records

    def attach(self, model, world):
        self.up = {}
        self.paused = {}
        self.cut = None

    def after_step(self, model, world):
        net = world.network
        for name, node in net.nodes.items():
            if node.up != self.up.get(name, True):
                self.up[name] = node.up
                server = model.live.get(name)
                if node.up:
                    continue  # a server's boot notes its own restart
                if server is None:
                    model.note(name, "CRASH")
                    continue
                model.note(name, f"CRASH ({server.summary()})")
                if server.leads_with_replicated_entry:
                    model.leader_crashed_after_replicating = True
            if node.paused != self.paused.get(name, False):
                self.paused[name] = node.paused
                model.note(name, "PAUSE" if node.paused else "resumes")
        if net.cut_name != self.cut:
            self.cut = net.cut_name
            model.note("net", f"partition {self.cut}" if self.cut else "partition healed")
