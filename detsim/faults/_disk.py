"""A node's durable key-value storage, with buffered writes a crash may lose."""
from __future__ import annotations

import copy


class Disk:
    """Durable key-value storage of one node. Values are deep-copied in and out."""

    def __init__(self, node):
        self.node = node
        self._durable: dict = {}
        self._buffer: list = []  # (key, value) in write order, not yet durable

    @property
    def name(self) -> str:
        return f"{self.node.name}/disk"

    def write(self, key, value, *, sync: bool = True) -> None:
        node = self.node
        node._require_up("write to disk")
        recorder = node.world.recorder
        if node.crashing:  # the node crashed earlier in this step: the write never happens
            if recorder is not None:
                recorder.note(self, "lost-write", f"{key}: {node.name} crashed before it")
            return
        if recorder is not None:
            recorder.note(self, "write", f"{key}" + ("" if sync else " (buffered)"))
        value = copy.deepcopy(value)
        if sync:
            self.flush()
            self._durable[key] = value
        else:
            self._buffer.append((key, value))
        node.world.faults.after_write(node, key)

    def read(self, key, default=None):
        for k, v in reversed(self._buffer):
            if k == key:
                return copy.deepcopy(v)
        return copy.deepcopy(self._durable.get(key, default))

    def flush(self) -> None:
        for k, v in self._buffer:
            self._durable[k] = v
        self._buffer.clear()

    @property
    def pending(self) -> int:
        """Buffered writes a crash could lose."""
        return len(self._buffer)

    def __contains__(self, key) -> bool:
        return any(k == key for k, _ in self._buffer) or key in self._durable

    def _crash(self, kept: int) -> None:
        self._buffer[kept:] = []
        self.flush()
