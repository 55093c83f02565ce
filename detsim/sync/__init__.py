"""Blocking primitives, all on one wait queue, and the wait-for graph.

What lives here: ``WaitQueue`` and the ``Blocking`` base (park, wake, wait-for
edges, the wait log, statistics), the primitives built on them (mutex, semaphore,
rwlock, notify, bounded channel, oneshot, broadcast, watch, select, task
groups with cancellation), the
``WaitForGraph`` that reports deadlock cycles, and the ``WaitLog`` that
``no_starvation`` judges.

May import: ``detsim.engine``, ``detsim.trace``, ``detsim.errors``. A new
primitive subclasses ``Blocking`` and parks its waiters on a ``WaitQueue``
(docs/architecture.md, "Adding a primitive").
"""
from ._channel import CLOSED, Channel, ChannelStatistics
from ._channel_kinds import (Broadcast, BroadcastReceiver, BroadcastStatistics, Lagged, Oneshot,
                             OneshotStatistics, Watch, WatchReceiver, WatchStatistics)
from ._mutex import LockStatistics, Mutex
from ._notify import Notify, NotifyStatistics
from ._rwlock import RwLock, RwLockStatistics
from ._select import Select, Selected, SelectStatistics, default_name
from ._semaphore import Semaphore, SemaphoreStatistics
from ._task_group import CANCELLED, Joined, ScopeTimeout, TaskGroup, TaskGroupStatistics
from ._waitfor import WaitForGraph
from ._waitlog import WaitLog, WaitRecord
from ._waitqueue import Blocking, Waiter, WaitQueue

__all__ = ["Blocking", "WaitQueue", "Waiter", "WaitForGraph", "WaitLog", "WaitRecord",
           "Mutex", "LockStatistics", "Semaphore", "SemaphoreStatistics", "RwLock", "RwLockStatistics",
           "Notify", "NotifyStatistics", "Channel", "ChannelStatistics", "CLOSED",
           "Oneshot", "OneshotStatistics", "Broadcast", "BroadcastReceiver", "BroadcastStatistics",
           "Watch", "WatchReceiver", "WatchStatistics", "Lagged",
           "Select", "Selected", "SelectStatistics", "default_name",
           "TaskGroup", "TaskGroupStatistics", "Joined", "ScopeTimeout", "CANCELLED"]
