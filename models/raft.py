"""Raft (Ongaro & Ousterhout, "In Search of an Understandable Consensus Algorithm", §5)
with a linearizable key-value store on top, over a faulty network.

Nodes ``s1..sN`` are servers, ``c1..cK`` clients. Each server runs two processes:
a receiver that handles one message per step, and a timer (election timeout for a
follower or candidate, heartbeats for a leader) that is respawned on each role change.

* Election timeouts are choices (``timeout sI``), drawn at boot and at the start of each
  election (§5.2), and measured on the node's own clock (skew, drift and jumps are
  faults). Index 0 is staggered by server number, so the default run is calm.
* RequestVote carries (lastLogIndex, lastLogTerm) and is granted only to a candidate
  whose log is at least as up-to-date (§5.4.1); a candidate re-sends it to servers
  that have not answered.
* AppendEntries has the consistency check on (prevLogIndex, prevLogTerm) and truncates
  conflicting suffixes; the leader backs off nextIndex on a rejection. A leader
  replicates on its heartbeat tick (every ``HEARTBEAT``), not on each client request.
* Commit: the leader counts replicas only of entries from its current term (§5.4.2).
* ``currentTerm``, ``votedFor`` and the log are written to disk (sync) before the
  server answers; a crash loses the rest (role, commit index, the state machine),
  and a restarted server rebuilds its state machine by re-applying committed entries.
* Any message with a higher term makes the receiver adopt it and step down.
* Clients run ``ops`` operations each (appends and gets on two keys), one at a time,
  ``think`` apart, through the log. A client retries on a timeout or a redirect with the same
  sequence number; the state machine keeps each client's last (seq, result), so a
  retried command takes effect once (§8). An operation the client gives up on, or
  that is still running when the run ends, is recorded as ``info`` (unknown outcome).

Faults: ``faults`` is a detsim fault plan (``budget`` and ``heal_at`` override its own).
The model asks no fault of its own: besides the nemesis' ticks, the default plan has the
engine's crash points (``crash_points``), a crash decision right after every durable
write (``crash s1 after disk write 'log'``): a leader that appends a client command and
goes down before replicating it is what Figure 8 is made of. Plans: DEFAULT_FAULTS
(every kind, swarm, crash points), CRASH_FAULTS and REPLY_CRASH_FAULTS (crash points
only: after writes; after writes and sends) and PAUSE_FAULTS (long pauses).
Clients are nodes too, so the nemesis may also crash, pause or isolate them.

Properties (ghost state: leaders per term, entries committed by a leader, entries applied):
Election Safety, Log Matching, Leader Completeness and State Machine Safety after every
step (``checked`` may narrow them); "a leader is elected after heal" within ``within`` of
``heal_at``; the KV history is linearizable; sometimes-guards for a leader, a commit, a leader that crashes after
replicating an entry of its term, and a term of 4 or more.

Planted bugs:
* ``figure8``: the leader commits an entry as soon as a majority stores it, whatever
  its term (Figure 8 of the paper; CATALOGUE.md).
* ``vote-not-durable``: votedFor is not written to disk, so a server that crashes and
  restarts may vote twice in one term.
* ``no-term-check``: AppendEntries from a stale leader (a lower term) is accepted.
* ``stale-read`` (not in CATALOGUE.md; it shows that the linearizability property can
  fail): a leader answers a get from its own state machine without a log entry, so a
  leader that was deposed without knowing it, or that has not applied every committed
  entry yet, returns a stale value.
"""
from __future__ import annotations

from dataclasses import dataclass, field

import detsim
from detsim.history import kv
from models.raft_timeline import TimelineObserver, render

FOLLOWER, CANDIDATE, LEADER = "follower", "candidate", "leader"
HEARTBEAT = 2  # leader tick (node time)
VOTE_RETRY = 4  # a candidate re-sends RequestVote to silent servers this often
ELECTION_TIMEOUTS = (10, 12, 14, 16, 18, 20, 22)
CLIENT_TIMEOUT = 10
CLIENT_ATTEMPTS = 8
KEYS = ("x", "y")

# Every kind, swarm, and the engine's crash points after durable writes: a crash point
# fires often (crash_rate) but, with swarm, each site ("after disk write 'log'") only in
# some runs, so a leader can go down right after appending, three times in one run
# (Figure 8), while drops and nemesis ticks stay sparse (rate) and leave budget for it.
DEFAULT_FAULTS = {"kinds": ["drop", "duplicate", "partition", "crash", "pause", "clock"],
                  "swarm": True, "rate": 0.01, "every": 8, "durations": [10, 30],
                  "skew": 1, "drift": "1/10", "jump": 3, "crash_points": ["write"], "crash_rate": 0.5}
# Crashes only, at the engine's crash points after durable writes: Figure 8's faults.
CRASH_FAULTS = {"kinds": ["crash"], "swarm": True, "every": 1000, "durations": [10, 30],
                "crash_points": ["write"], "crash_rate": 0.5}
# Crashes only, after durable writes and after sends: a server that replied with its vote
# and then crashed forgets it (vote-not-durable).
REPLY_CRASH_FAULTS = dict(CRASH_FAULTS, crash_points=["write", "send"])
# Long pauses: a paused leader wakes up in an old term with client requests queued.
PAUSE_FAULTS = {"kinds": ["pause"], "rate": 0.05, "every": 4, "durations": [10, 30]}


def timeouts_of(index: int) -> tuple:
    """Election timeouts of server ``index`` (0-based): all of them, the default first.
    Defaults are staggered so that, without deviations, s1 times out first."""
    k = index % len(ELECTION_TIMEOUTS)
    return ELECTION_TIMEOUTS[k:] + ELECTION_TIMEOUTS[:k]


def terms_of(log) -> str:
    """A log as the terms of its entries, as drawn in the paper's figures."""
    return "[" + " ".join(str(term) for term, _ in log) + "]"


def command_text(cmd) -> str:
    client, seq, f, key, value = cmd
    return f"{client}#{seq} {key}+={value}" if f == "append" else f"{client}#{seq} get {key}"


class Server:
    """One incarnation of a Raft server: volatile state plus copies of what is on disk."""

    def __init__(self, model, node, index: int):
        self.model, self.node, self.name, self.index = model, node, node.name, index
        disk = node.disk
        self.term, self.voted = disk.read("term", (0, None))  # currentTerm and votedFor
        self.log = disk.read("log", ())  # tuple of (term, command)
        self.role = FOLLOWER
        self.leader = None  # whom this server believes leads its term
        self.commit = 0
        self.applied = 0
        self.kv: dict = {}
        self.sessions: dict = {}  # client -> (last seq applied, its result)
        self.votes: set = set()  # servers that answered this candidacy
        self.granted: set = set()  # servers that granted their vote (self included)
        self.next_index: dict = {}
        self.match: dict = {}
        self.waiting: set = set()  # (client, seq) this leader must answer once applied
        self.replicated_own = False  # ghost: some follower stores an entry of this leader's term
        self.episode = 0
        self.vote_due = 0
        self.deadline = 0
        self.peers = [p for p in model.names if p != self.name]
        self.majority = len(model.names) // 2 + 1

    def summary(self) -> str:
        """Role, term, log (as the term of each entry) and commit index, for timelines."""
        return f"{self.role} t{self.term}, log {terms_of(self.log)}, commit {self.commit}"

    @property
    def leads_with_replicated_entry(self) -> bool:
        """A leader some follower already holds an entry of this leader's term from."""
        return self.role == LEADER and self.replicated_own

    # ---- durable state --------------------------------------------------------------------
    def save_term(self) -> None:
        # One write for both (one crash point): the bug forgets the vote on the way to disk.
        vote = self.voted if self.model.bug != "vote-not-durable" else None
        self.node.disk.write("term", (self.term, vote))

    def save_log(self) -> None:
        self.node.disk.write("log", self.log)
        self.model.log_version += 1

    # ---- roles and timers -------------------------------------------------------------------
    def start(self) -> None:
        self.reset_election(redraw=True)
        self.spawn_timer()
        self.node.spawn(f"receiver{self.node.incarnation}", self.receiver(), daemon=True)

    def spawn_timer(self) -> None:
        self.episode += 1
        self.node.spawn(f"timer{self.node.incarnation}.{self.episode}", self.timer(self.episode), daemon=True)

    def reset_election(self, redraw: bool = False) -> None:
        if redraw or not hasattr(self, "timeout"):
            self.timeout = self.model.world.choose(f"timeout {self.name}", timeouts_of(self.index))
        self.deadline = self.node.clock() + self.timeout

    def become(self, role: str) -> None:
        old = self.role
        self.role = role
        if role != LEADER:
            self.waiting.clear()
        if old != role:
            self.model.role_version += 1
            self.model.note(self.name, f"{role} t{self.term}" + (f" log {terms_of(self.log)}" if role == LEADER else ""))
            if old == LEADER or role == LEADER or (old == FOLLOWER and role == CANDIDATE):
                self.spawn_timer()

    def adopt_term(self, term: int, save: bool = True) -> None:
        """A message from a higher term: adopt it and step down (§5.1). ``save=False``: the
        caller writes term and vote once, before it replies."""
        self.term, self.voted = term, None
        if save:
            self.save_term()
        self.leader = None
        was_leader = self.role == LEADER
        if self.role != FOLLOWER:
            self.become(FOLLOWER)
        # The running deadline stays: only a leader's AppendEntries or a granted vote defer
        # an election (Figure 2). Else a candidate that can never win (its log is behind)
        # would keep everyone else from timing out.
        if was_leader:
            self.reset_election()

    def timer(self, episode: int):
        node = self.node
        while self.episode == episode:
            now = node.clock()
            if self.role == LEADER:
                self.replicate()
                wait = HEARTBEAT
            elif now >= self.deadline:
                self.start_election()
                wait = min(self.deadline, self.vote_due) - node.clock()
            else:
                if self.role == CANDIDATE and now >= self.vote_due:
                    self.request_votes(retry=True)
                due = min(self.deadline, self.vote_due) if self.role == CANDIDATE else self.deadline
                wait = due - now
            if self.episode != episode:
                return
            yield node.sleep(max(wait, 0))

    # ---- elections ------------------------------------------------------------------------------
    def start_election(self) -> None:
        self.term += 1
        self.voted = self.name
        self.save_term()
        self.votes = {self.name}
        self.granted = {self.name}
        self.leader = None
        self.model.max_term = max(self.model.max_term, self.term)
        self.model.world.count("raft:elections")
        self.reset_election(redraw=True)
        if self.role != CANDIDATE:
            self.become(CANDIDATE)
        else:
            self.model.note(self.name, f"candidate t{self.term}")
        self.request_votes(retry=False)

    def request_votes(self, retry: bool) -> None:
        last = len(self.log)
        last_term = self.log[-1][0] if last else 0
        body = ("RV", self.term, last, last_term)
        sent = []
        for peer in self.peers:
            if peer not in self.votes:
                sent.append((peer, self.node.send(peer, body).number))
        self.vote_due = self.node.clock() + VOTE_RETRY
        self.model.note_sent(self.name, f"{'re-' if retry else ''}RequestVote t{self.term}", sent)

    def on_request_vote(self, src, term, last, last_term) -> None:
        adopted = term > self.term
        if adopted:
            self.adopt_term(term, save=False)
        my_last = len(self.log)
        my_last_term = self.log[-1][0] if my_last else 0
        up_to_date = last_term > my_last_term or (last_term == my_last_term and last >= my_last)
        granted = term == self.term and self.voted in (None, src) and up_to_date
        if not granted and term == self.term:
            why = f"voted {self.voted}" if self.voted not in (None, src) else f"log {terms_of(self.log)} is ahead"
            self.model.note(self.name, f"refuses {src} t{term}: {why}")
        if granted and self.voted is None:
            self.voted = src
            self.model.note(self.name, f"votes {src} t{term}")
            self.save_term()
        elif adopted:
            self.save_term()
        if granted:
            self.reset_election()
        self.node.send(src, ("RVR", self.term, granted))

    def on_vote(self, src, term, granted) -> None:
        if term > self.term:
            self.adopt_term(term)
            return
        if self.role != CANDIDATE or term != self.term:
            return
        self.votes.add(src)  # answered: no need to ask again
        if granted:
            self.granted.add(src)
            if len(self.granted) >= self.majority:
                self.become_leader()

    def become_leader(self) -> None:
        model = self.model
        self.leader = self.name
        self.next_index = {p: len(self.log) + 1 for p in self.peers}
        self.match = {p: 0 for p in self.peers}
        self.replicated_own = False
        model.elected(self)
        self.become(LEADER)

    # ---- log replication ----------------------------------------------------------------------------
    def replicate(self, only=None) -> None:
        """AppendEntries to every peer (or one): the entries from its nextIndex on."""
        log = self.log
        for peer in (self.peers if only is None else (only,)):
            nxt = self.next_index[peer]
            prev = nxt - 1
            prev_term = log[prev - 1][0] if prev else 0
            entries = log[prev:]
            msg = self.node.send(peer, ("AE", self.term, prev, prev_term, entries, self.commit))
            if entries:
                self.model.note_sent(self.name, f"AppendEntries t{self.term} [{prev + 1}..{len(log)}] "
                                     f"terms {terms_of(entries)}", [(peer, msg.number)])

    def on_append(self, src, term, prev, prev_term, entries, leader_commit) -> None:
        model = self.model
        if term < self.term and model.bug != "no-term-check":
            self.node.send(src, ("AER", self.term, False, 0))
            return
        if term > self.term:
            self.adopt_term(term)
        if term < self.term:
            model.note(self.name, f"accepts stale AppendEntries t{term} from {src} (own term {self.term})")
        self.leader = src
        if self.role != FOLLOWER:
            self.become(FOLLOWER)
        self.reset_election()
        log = self.log
        if prev > len(log) or (prev and log[prev - 1][0] != prev_term):
            self.node.send(src, ("AER", self.term, False, min(len(log), prev - 1)))
            return
        index, changed = prev, False
        for entry in entries:
            index += 1
            if index <= len(log):
                if log[index - 1][0] == entry[0]:
                    continue
                model.note(self.name, f"truncates [{index}..{len(log)}] terms {terms_of(log[index - 1:])}")
                log = log[:index - 1]
            log = log + (entry,)
            changed = True
        if changed:
            self.log = log
            self.save_log()
            model.note(self.name, f"log {terms_of(log)}")
        last_new = prev + len(entries)
        if leader_commit > self.commit:
            self.advance_commit(min(leader_commit, last_new), by_leader=False)
        self.node.send(src, ("AER", self.term, True, last_new))

    def on_append_reply(self, src, term, success, index) -> None:
        if term > self.term:
            self.adopt_term(term)
            return
        if self.role != LEADER or term != self.term:
            return
        if success:
            if index > self.match[src]:
                self.match[src] = index
                if index and self.log[index - 1][0] == self.term:
                    self.replicated_own = True
            self.next_index[src] = max(self.next_index[src], index + 1)
            self.leader_commit()
        else:
            self.next_index[src] = max(1, self.match[src] + 1, min(self.next_index[src] - 1, index + 1))
            self.replicate(only=src)

    def leader_commit(self) -> None:
        log, figure8 = self.log, self.model.bug == "figure8"
        for n in range(len(log), self.commit, -1):
            if log[n - 1][0] != self.term and not figure8:
                break  # only entries of the current term are counted (§5.4.2)
            if 1 + sum(1 for p in self.peers if self.match[p] >= n) >= self.majority:
                self.advance_commit(n, by_leader=True)
                return

    def advance_commit(self, n: int, by_leader: bool) -> None:
        if n <= self.commit:
            return
        model = self.model
        if by_leader:
            model.committed_by(self, self.commit, n)
        self.commit = n
        if by_leader:
            term = self.log[n - 1][0]
            older = f", counted by replicas in t{self.term}" if term != self.term else ""
            model.note(self.name, f"commits {n} (a t{term} entry{older})")
        else:
            model.note(self.name, f"commit {n}")
        while self.applied < self.commit:
            self.applied += 1
            self.apply(self.applied, self.log[self.applied - 1])

    # ---- the state machine -------------------------------------------------------------------------
    def apply(self, index: int, entry) -> None:
        self.model.applied_by(self, index, entry)
        client, seq, f, key, value = entry[1]
        last = self.sessions.get(client)
        if last is not None and seq <= last[0]:
            result = last[1] if seq == last[0] else None
        else:
            if f == "append":
                self.kv[key] = self.kv.get(key, "") + value
                result = None
            else:
                result = self.kv.get(key, "")
            self.sessions[client] = (seq, result)
        if self.role == LEADER and (client, seq) in self.waiting:
            self.waiting.discard((client, seq))
            self.node.send(client, ("OK", seq, result))

    def on_request(self, src, seq, f, key, value) -> None:
        if self.role != LEADER:
            self.node.send(src, ("REDIRECT", seq, self.leader))
            return
        last = self.sessions.get(src)
        if last is not None and last[0] == seq:
            self.node.send(src, ("OK", seq, last[1]))
            return
        if f == "get" and self.model.bug == "stale-read":
            self.node.send(src, ("OK", seq, self.kv.get(key, "")))  # no log entry: maybe no longer leader
            return
        self.waiting.add((src, seq))
        cmd = (src, seq, f, key, value)
        if any(entry[1] == cmd for entry in self.log[self.commit:]):
            return  # a retry of an entry not yet committed: wait for it
        self.log = self.log + ((self.term, cmd),)
        self.save_log()
        self.model.note(self.name, f"append {len(self.log)}: t{self.term} {command_text(cmd)}")

    # ---- the receiver ------------------------------------------------------------------------------
    def receiver(self):
        node = self.node
        while True:
            msg = yield node.recv()
            body = msg.body
            kind = body[0]
            if kind == "RV" or kind == "AE" and body[4]:
                self.model.received.add((msg.src, msg.dst, msg.number))
            if kind == "AE":
                self.on_append(msg.src, *body[1:])
            elif kind == "AER":
                self.on_append_reply(msg.src, *body[1:])
            elif kind == "RV":
                self.on_request_vote(msg.src, *body[1:])
            elif kind == "RVR":
                self.on_vote(msg.src, *body[1:])
            else:
                self.on_request(msg.src, *body[1:])


@dataclass
class Raft(detsim.Model):
    servers: int = 3
    clients: int = 2
    ops: int = 10  # operations per client
    think: int = 12  # client pause between operations (node time)
    budget: int = 10  # faults per run
    heal_at: int = 140  # faults stop, every node is restarted, the partition heals
    within: int = 60  # "a leader is elected after heal" must hold this long after heal_at
    horizon: int = 210
    latency: list = field(default_factory=lambda: [1, 1])  # [lo, hi]: a choice per message if lo < hi
    faults: dict = field(default_factory=lambda: dict(DEFAULT_FAULTS))  # budget and heal_at above win
    checked: list | None = None  # names of the safety properties to check (None: all four)
    bug: str | None = None

    BUGS = ("figure8", "vote-not-durable", "no-term-check", "stale-read")
    SAFETY = ("Election Safety", "Log Matching", "Leader Completeness", "State Machine Safety")

    def setup(self, world):
        if self.bug is not None and self.bug not in self.BUGS:
            raise detsim.ModelError(f"Raft has no planted bug {self.bug!r} (known: {', '.join(self.BUGS)})")
        unknown = [name for name in self.checked or () if name not in self.SAFETY]
        if unknown:
            raise detsim.ModelError(f"unknown safety property {unknown[0]!r} (known: {', '.join(self.SAFETY)})")
        if self.servers < 1 or self.clients < 0:
            raise detsim.ModelError("Raft needs at least one server and no negative client count")
        if self.horizon <= self.heal_at + self.within:
            raise detsim.ModelError(f"horizon {self.horizon} must exceed heal_at + within "
                                    f"({self.heal_at} + {self.within}), else liveness is never judged")
        self.world = world
        self.names = [f"s{i + 1}" for i in range(self.servers)]
        self.live: dict = {}  # server name -> Server of its latest incarnation
        # ghost state
        self.leaders: dict = {}  # term -> [server names elected in it]
        self.committed: dict = {}  # index -> (entry, term of the leader that committed it)
        self.applied: dict = {}  # index -> (entry, first server that applied it)
        self.problems: dict = {}  # property name -> first explanation
        self.log_version = 0
        self.role_version = 0
        self.max_term = 0
        self.leader_crashed_after_replicating = False
        self._log_matching_seen, self._log_matching = -1, None  # cache of log_matching_problem
        self._completeness_seen, self._completeness = None, None  # cache of leader_completeness_problem
        self.events: list = []  # (time, who, text) for show()
        self.sends: list = []  # (time, src, dst, number, text): RequestVote, AppendEntries with entries
        self.received: set = set()  # (src, dst, number) of those that arrived
        self.history = world.history("kv")
        plan = dict(self.faults, budget=self.budget, heal_at=self.heal_at)
        world.faults.configure(plan)
        world.network.configure(tuple(self.latency))
        for i, name in enumerate(self.names):
            world.node(name, boot=lambda node, i=i: self.boot_server(node, i))
        for i in range(self.clients):
            world.node(f"c{i + 1}", boot=lambda node, i=i: self.boot_client(node, i))

    def boot_server(self, node, index: int) -> None:
        if node.incarnation > 1:
            self.note(node.name, f"restarts t{node.disk.read('term', (0, None))[0]} log {terms_of(node.disk.read('log', ()))}")
        server = Server(self, node, index)
        self.live[node.name] = server
        server.start()

    # ---- ghost state (called by servers) ---------------------------------------------------------
    def note(self, who: str, text: str) -> None:
        self.events.append((self.world.now, who, text))

    def note_sent(self, who: str, text: str, sent) -> None:
        now = self.world.now
        for dst, number in sent:
            self.sends.append((now, who, dst, number, text))

    def elected(self, server) -> None:
        term = server.term
        self.max_term = max(self.max_term, term)
        winners = self.leaders.setdefault(term, [])
        winners.append(server.name)
        if len(winners) > 1 and "Election Safety" not in self.problems:
            self.problems["Election Safety"] = f"term {term} has two leaders: {' and '.join(winners)}"

    def committed_by(self, server, old: int, new: int) -> None:
        for index in range(old + 1, new + 1):
            entry = server.log[index - 1]
            if index not in self.committed:
                self.committed[index] = (entry, server.term)

    def applied_by(self, server, index: int, entry) -> None:
        first = self.applied.get(index)
        if first is None:
            self.applied[index] = (entry, server.name)
        elif first[0] != entry and "State Machine Safety" not in self.problems:
            self.problems["State Machine Safety"] = (
                f"index {index}: {first[1]} applied t{first[0][0]} {command_text(first[0][1])}, "
                f"{server.name} applied t{entry[0]} {command_text(entry[1])}")

    # ---- clients ---------------------------------------------------------------------------------------
    def boot_client(self, node, index: int) -> None:
        if node.incarnation > 1:
            self.note(node.name, "restarts")
        node.spawn(f"client{node.incarnation}", self.client(node, index))

    def workload(self, index: int, k: int) -> tuple:
        key = KEYS[(index + k) % len(KEYS)]
        if k % 3 == 2:
            return "get", key, None
        return "append", key, f"{index + 1}.{k};"

    def client(self, node, index: int):
        history, name = self.history, node.name
        for op in history.outstanding():
            if op.client == name:
                history.info(op)  # the client crashed while waiting: outcome unknown
        first = node.disk.read("next-op", 0)
        target = self.names[index % len(self.names)]
        for k in range(first, self.ops):
            if k and self.think:
                yield node.sleep(self.think)
            node.disk.write("next-op", k + 1)
            f, key, value = self.workload(index, k)
            op = history.invoke(name, f, key, value)
            seq = k + 1
            done = False
            for _ in range(CLIENT_ATTEMPTS):
                node.send(target, ("REQ", seq, f, key, value))
                reply = yield from self.await_reply(node, seq)
                if reply is None:
                    target = self.names[(self.names.index(target) + 1) % len(self.names)]
                    continue
                if reply[0] == "OK":
                    history.ok(op, reply[2] if f == "get" else None)
                    done = True
                    break
                hint = reply[2]
                if hint is None or hint == target:
                    hint = self.names[(self.names.index(target) + 1) % len(self.names)]
                    yield node.sleep(HEARTBEAT)
                target = hint
            if not done:
                history.info(op)
                self.world.count("raft:client-gave-up")

    def await_reply(self, node, seq):
        deadline = node.clock() + CLIENT_TIMEOUT
        while True:
            left = deadline - node.clock()
            if left <= 0:
                return None
            msg = yield node.recv(timeout=left)
            if msg is None:
                return None
            if msg.body[1] == seq:
                return msg.body

    # ---- properties ---------------------------------------------------------------------------------------
    def running_leaders(self):
        return [s for s in self.live.values() if s.role == LEADER and s.node.up]

    def leader_after_heal(self) -> bool:
        if self.world.now < self.heal_at:
            return False
        for s in self.live.values():
            if s.role == LEADER and s.node.up and not s.node.paused:
                followers = sum(1 for o in self.live.values()
                                if o.node.up and o.term == s.term and o.leader == s.name)
                if followers >= s.majority:
                    return True
        return False

    # ---- safety: each is a problem description, or None --------------------------------------------------
    def problem(self, name: str) -> str | None:
        """Election Safety and State Machine Safety are noted the moment they break."""
        return self.problems.get(name)

    def log_matching_problem(self) -> str | None:
        """Two logs with an entry of the same index and term are identical up to it (§5.3).
        Re-checked only when some log changed."""
        if self.log_version != self._log_matching_seen:
            self._log_matching_seen, self._log_matching = self.log_version, None
            servers = list(self.live.values())
            for i, a in enumerate(servers):
                for b in servers[i + 1:]:
                    la, lb = a.log, b.log
                    k = min(len(la), len(lb))
                    while k and la[k - 1][0] != lb[k - 1][0]:
                        k -= 1
                    if la[:k] != lb[:k]:
                        j = next(j for j in range(k) if la[j] != lb[j])
                        self._log_matching = (
                            f"{a.name} and {b.name} both hold a t{la[k - 1][0]} entry at index {k}, "
                            f"but differ at index {j + 1}: {terms_of(la)} vs {terms_of(lb)}")
                        return self._log_matching
        return self._log_matching

    def leader_completeness_problem(self) -> str | None:
        """A running leader of term T holds every entry committed in a term before T (§5.4)."""
        committed = self.committed
        if not committed:
            return None
        key = (self.log_version, len(committed), self.role_version)
        if key == self._completeness_seen:
            return self._completeness
        self._completeness_seen, self._completeness = key, None
        for s in self.live.values():
            if s.role != LEADER or not s.node.up:
                continue
            log = s.log
            for index, (entry, term) in committed.items():
                if term < s.term and (index > len(log) or log[index - 1] != entry):
                    have = f"t{log[index - 1][0]} {command_text(log[index - 1][1])}" if index <= len(log) else "nothing"
                    self._completeness = (
                        f"{s.name}, leader of term {s.term} with log {terms_of(log)}, lacks index {index} "
                        f"(t{entry[0]} {command_text(entry[1])}, committed in term {term}); it has {have}")
                    return self._completeness
        return None

    def safety(self) -> list:
        """The four safety properties of the Raft paper (Figure 3), checked after every step."""
        problems = {
            "Election Safety": lambda m: m.problem("Election Safety"),  # §5.2: one leader per term
            "Log Matching": Raft.log_matching_problem,
            "Leader Completeness": Raft.leader_completeness_problem,
            "State Machine Safety": lambda m: m.problem("State Machine Safety"),  # §5.4.3
        }
        return [detsim.always(name, lambda m, p=problem: p(m) is None, explain=problem)
                for name, problem in problems.items() if self.checked is None or name in self.checked]

    def properties(self):
        return [*self.safety(),
                detsim.eventually("a leader is elected after heal", Raft.leader_after_heal, within=self.within),
                detsim.linearizable("kv", spec=kv, name="the KV history is linearizable"),
                detsim.sometimes("a leader is elected", lambda m: bool(m.leaders)),
                detsim.sometimes("an entry is committed", lambda m: bool(m.committed)),
                detsim.sometimes("a leader crashes after replicating", lambda m: m.leader_crashed_after_replicating),
                detsim.sometimes("a term of 4 or more is seen", lambda m: m.max_term >= 4)]

    def state(self) -> tuple:
        """The abstract state the campaign counts (coverage): per server, up or down, role,
        term, vote, log (as terms) and commit index; clients and message queues left out."""
        return tuple((s.node.up, s.role, s.term, s.voted, tuple(t for t, _ in s.log), s.commit)
                     for s in (self.live[name] for name in self.names))

    def observers(self):
        return [TimelineObserver()]

    def show(self, result) -> str:
        return render(self, result)
