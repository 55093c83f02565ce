"""Every verdict in Porcupine's EXPECTED.txt (102 etcd logs + 6 kv histories).

The data lives beside the repository (``../shared/data/porcupine``) and is
not copied into it.  A missing folder is a failure, not a skip.
"""

from pathlib import Path

import pytest

from detsim.history import (UNKNOWN, cas_register, check_linearizable, kv, read_edn_kv,
                            read_jepsen_etcd_log)

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "porcupine"


def _expected():
    path = DATA / "EXPECTED.txt"
    if not path.is_file():  # fail, never skip: one entry that cannot be found
        return [(f"<missing {path}>", True)]
    out = []
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            name, verdict = line.split()
            out.append((name, {"true": True, "false": False}[verdict]))
    return out


EXPECTED = _expected()


def test_porcupine_data_present():
    assert (DATA / "EXPECTED.txt").is_file(), (
        f"Porcupine test data not found at {DATA}: expected EXPECTED.txt and test_data/ "
        "in ../shared/data/porcupine beside the repository root")
    names = [n for n, _ in EXPECTED]
    assert sum("jepsen/etcd_" in n for n in names) == 102
    assert sum("kv/" in n for n in names) == 6


@pytest.mark.parametrize("name,linearizable", EXPECTED, ids=[n for n, _ in EXPECTED])
def test_porcupine_verdict(name, linearizable):
    path = DATA / name
    if "/jepsen/" in name:
        ops, spec = read_jepsen_etcd_log(path), cas_register
    else:
        ops, spec = read_edn_kv(path), kv
    assert ops, f"{name} has no operations"
    result = check_linearizable(ops, spec)
    assert result.ok is linearizable, result.describe()
    if not linearizable:
        assert result.first_unplaceable is not None
        assert result.first_unplaceable not in result.longest_prefix
        if spec is kv:
            assert result.partition_key is not None


def test_empty_etcd_log_has_no_operations():
    assert read_jepsen_etcd_log(DATA / "test_data" / "jepsen" / "etcd_095.log") == []


def test_failure_prefix_is_a_legal_order():
    """The reported prefix replays on the spec and respects real time."""
    ops = read_jepsen_etcd_log(DATA / "test_data" / "jepsen" / "etcd_000.log")
    result = check_linearizable(ops, cas_register)
    assert result.ok is False
    state = cas_register.init()
    for op in result.longest_prefix:
        ok, state = cas_register.step(state, (op.f, op.key, op.input),
                                      op.output if op.ret is not None else UNKNOWN)
        assert ok, op
    assert state == result.state_after_prefix
    pos = {op.id: i for i, op in enumerate(result.longest_prefix)}
    for i, op in enumerate(result.longest_prefix):
        for other in ops:  # every op that precedes it in real time is placed before it
            if other.ret is not None and other.ret <= op.call:
                assert pos.get(other.id, len(ops)) < i, (other, op)


class CountingSpec:
    """Wraps a spec, counting step() calls; can hide the spec's read_only()."""

    def __init__(self, spec, read_only=True):
        self.spec, self.steps = spec, 0
        self.name, self.unknown_output = spec.name, spec.unknown_output
        if read_only:
            self.read_only = spec.read_only

    def init(self):
        return self.spec.init()

    def step(self, state, input, output):
        self.steps += 1
        return self.spec.step(state, input, output)


def test_search_work_on_etcd_logs():
    """The prunings keep the search small (the plain Wing-Gong/Lowe search took
    3.3 million steps on these logs), and a spec without read_only() gets the
    same verdicts."""
    with_hint, without_hint = CountingSpec(cas_register), CountingSpec(cas_register, False)
    checked = 0
    for name, linearizable in EXPECTED:
        if "/jepsen/" in name:
            ops = read_jepsen_etcd_log(DATA / name)
            assert check_linearizable(ops, with_hint).ok is linearizable, name
            assert check_linearizable(ops, without_hint).ok is linearizable, name
            checked += 1
    assert checked == 102
    assert with_hint.steps < 150_000, with_hint.steps
    assert without_hint.steps < 400_000, without_hint.steps
