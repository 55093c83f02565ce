"""The story of a run (StoryRecorder): every step with who ran, the line it ran to and
what it did; decisions on the steps they belong to, deviations and preemptions
marked; messages, bands, the wait-for graph, the lasso and histories at the end."""
import json
from dataclasses import dataclass

import pytest

import detsim
from detsim.campaign import execute, story
from detsim.search import Replay
from detsim.trace import SCHEDULE, count_preemptions
from detsim.view import StoryRecorder, phrases
from tests.campaign.peterson import Peterson
from tests.monitor.test_livelock import Cycler
from tests.support import Pick, Scenario, scripted
from tests.view.models import StaleCache, Tellers


@pytest.fixture(scope="module")
def peterson():
    result = detsim.check(Peterson(), detsim.Random(1), runs=200)
    return result, story(result.trace, Peterson())[1]


@pytest.fixture(scope="module")
def tellers():
    result = detsim.check(Tellers(), detsim.Random(0), runs=50)
    return result, story(result.trace, Tellers())[1]


def test_every_step_is_told_with_who_ran_and_where(peterson):
    result, told = peterson
    steps = told["steps"]
    assert [s["i"] for s in steps] == list(range(result.trace.outcome["steps"] + 1))  # 0 is the setup
    assert all(s["p"] in ("t0", "t1") and s["task"] for s in steps[1:])
    assert all(told["files"][s["at"][0]].endswith("peterson.py") and s["at"][2] == "thread" for s in steps[1:])
    codes = " | ".join(s["code"] for s in steps)
    assert "self.turn = other" in codes and "self.flag[i] = True" in codes
    assert json.loads(json.dumps(told)) == told  # plain data, ready for the page


def test_decisions_sit_on_the_steps_they_chose_and_deviations_are_the_trace_s(peterson):
    result, told = peterson
    positions = [pos for pos, _ in result.trace.deviations()]
    assert [d["pos"] for d in told["decisions"] if d["dev"]] == positions
    for d in told["decisions"]:
        assert d["kind"] == SCHEDULE
        step = told["steps"][d["step"]]
        assert step["p"] == d["candidates"][d["chosen"]]  # the schedule decision chose who ran that step
    assert sum(d["pre"] for d in told["decisions"]) == result.trace.strategy["preemptions"]


def test_preemptions_are_marked_where_the_previous_process_could_have_gone_on(peterson):
    _, told = peterson
    schedule = []
    for d in told["decisions"]:
        previous = told["steps"][d["step"] - 1]["p"] if d["step"] > 1 else "-"
        schedule.append((previous, tuple(d["candidates"]), d["chosen"]))
        assert d["pre"] == (d["candidates"][d["chosen"]] != previous and previous in d["candidates"])
    assert count_preemptions(schedule) == sum(d["pre"] for d in told["decisions"])


def test_the_state_after_each_step_is_kept_as_changes(peterson):
    result, told = peterson
    rows = {}
    for change in told["state"]:
        rows.update({k: v for k, v in change.items() if v is not None})
    final = execute(Peterson(), Replay(result.trace), {}).model
    assert rows["state()"] == detsim.monitor.canonical(final.state())
    assert rows["flag"] == repr(final.flag) and rows["turn"] == repr(final.turn)
    assert "rounds" not in rows and "bug" not in rows  # parameters are in the header, not the state
    assert all(len(change) <= 4 for change in told["state"][1:])  # a step changes little


def test_a_deadlock_keeps_the_wait_for_graph_and_its_cycle(tellers):
    result, told = tellers
    assert told["waitfor"]["cycle"] == result.violation.cycle
    edges = {tuple(e) for e in told["waitfor"]["edges"]}
    assert ("task", "teller-0", "resource", "account-b") in edges
    assert ("resource", "account-b", "task", "teller-1") in edges
    said = [p for s in told["steps"] for p in s["said"]]
    assert "acquired account-a" in said and "blocked on account-b" in said


def test_histories_are_drawn_with_the_linearizable_prefix_and_the_first_unplaceable_op():
    result = detsim.check(StaleCache(), detsim.Random(0), runs=300)
    _, told = story(result.trace, StaleCache())
    (h,) = told["histories"]
    assert h["name"] == "kv" and h["checked"] and h["verdict"] == "not linearizable"
    ids = {op["id"] for op in h["ops"]}
    assert h["bad"] in ids and set(h["prefix"]) <= ids and h["bad"] not in h["prefix"]
    assert all(op["ret"] is None or op["ret"][2] >= op["call"][2] for op in h["ops"])  # steps on the axis


def test_tellers_history_has_pending_operations_at_the_deadlock(tellers):
    _, told = tellers
    (h,) = told["histories"]
    assert h["verdict"] == "linearizable" and any(op["ret"] is None for op in h["ops"])


def test_a_livelock_keeps_its_lasso():
    result = detsim.check(Cycler(), detsim.Random(0), runs=20)
    _, told = story(result.trace, Cycler())
    lasso = told["lasso"]
    assert lasso["states"] == 3
    a, b = lasso["cycle"]
    assert b == result.violation.step and b - a == 3  # one turn of the three-state cycle
    assert lasso["prefix"][1] <= a


def test_messages_are_paired_and_faults_become_bands():
    plan = {"kinds": ["drop", "duplicate", "partition", "crash"], "budget": 10, "rate": 1.0, "every": 1,
            "durations": [1, 2]}
    recorder = StoryRecorder()
    picks = {"drop a->b #2": 1, "duplicate a->b #1": 1}
    execute(Scenario("gossip", plan), Pick(picks), {"horizon": 12}, recorder=recorder)
    told = recorder.story
    by = {(m["src"], m["dst"], m["n"]): m for m in told["messages"]}
    assert by[("a", "b", 1)]["fate"] == "duplicated" and len(by[("a", "b", 1)]["arrived"]) == 2
    assert by[("a", "b", 2)]["fate"] == "dropped" and "dropped by the network" in by[("a", "b", 2)]["why"]
    assert by[("a", "b", 3)]["fate"] == "delivered" and by[("b", "a", 1)]["body"] == "ack"
    sent = {m["sent"][0] for m in told["messages"]}
    assert all(told["steps"][k]["p"] in ("a/talk", "b/answer") for k in sent)
    assert told["groups"] == ["a", "b"]


def test_partitions_and_crashes_are_bands():
    def make(m, world):
        world.network.configure(1)
        m.nodes = [world.node("n1"), world.node("n2")]

    def chaos(m, world):
        yield world.timeout(1)
        world.network.partition("n1|n2")
        yield world.timeout(2)
        world.network.heal()
        m.nodes[1].crash()
        yield world.timeout(1)
        m.nodes[1].restart()

    recorder = StoryRecorder()
    execute(scripted(make, chaos=chaos), detsim.Fifo(), {}, recorder=recorder)
    bands = [(b["kind"], b["node"], b["label"], b["from"][1], b["to"][1]) for b in recorder.story["bands"]]
    assert bands == [("partition", "network", "n1|n2", 1, 3), ("crash", "n2", "incarnation 1", 3, 4)]


def test_a_step_that_raises_is_still_told():
    def boom(m, world):
        yield world.checkpoint()
        raise ValueError("broken")

    recorder = StoryRecorder()
    result = execute(scripted(boom=boom), detsim.Fifo(), {}, recorder=recorder)
    assert result.violation.property == "ValueError"
    steps = recorder.story["steps"]
    assert steps[-1]["i"] == result.steps  # the step where the failure surfaced
    assert [s["code"] for s in steps if s["p"] == "boom"][-1] == "(finished)"


@dataclass
class Stuffed(detsim.Model):
    """Fields of every shape the state panel must show without id() or huge texts."""

    def setup(self, world):
        self.world = world
        self.big = list(range(5000))
        self.seen = set(range(200))
        self.lock = world.mutex("lock")
        self.event = world.event()
        self.nested = {"x": {"deep": [1, 2, 3]}, "y": object()}
        world.spawn("w", self.w(world))

    def w(self, world):
        yield self.lock.acquire()
        self.big.append(-1)
        yield world.checkpoint()


def test_state_rows_are_short_and_never_show_addresses():
    recorder = StoryRecorder()
    execute(Stuffed(), detsim.Fifo(), {}, recorder=recorder)
    rows = {}
    for change in recorder.story["state"]:
        rows.update(change)
    assert all(len(text) <= 170 and "0x" not in text for text in rows.values())
    assert rows["big"].startswith("[5001 items: …") and rows["big"].endswith("-1]")
    assert rows["seen"] == "{200 items}"
    assert rows["lock"] == "mutex lock held by w" and rows["event"] == "event (pending)"
    assert rows["nested.y"] == "object"


def test_phrases_say_each_action_once():
    notes = [("fork-1", "mutex", "use", "acquire()"), ("fork-1", "mutex", "hold", "p0"),
             ("fork-1", "mutex", "get", "p0"), ("fork-2", "mutex", "use", "acquire()"),
             ("fork-2", "mutex", "block", "p0"), ("n1", "node", "block", "p0"),
             ("fork-1", "mutex", "release", "p0"), ("fork-1", "mutex", "hold", "p1")]
    assert phrases(notes, "p0") == ["acquired fork-1", "blocked on fork-2", "waits for a message",
                                    "released fork-1", "fork-1 handed to p1"]
