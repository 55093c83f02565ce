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
