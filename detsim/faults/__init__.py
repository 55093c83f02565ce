"""The fault layer: network, nodes, disks, clocks, the fault plan and the nemesis.

What lives here: ``Network`` (messages between named nodes; every latency, drop,
duplicate and partition is a decision), ``Node`` (a group of processes with an
inbox, a durable ``Disk`` and a ``NodeClock``; crash, restart, pause), the
``FaultPlan`` a model configures, ``Faults`` (``world.faults``: budget, swarm,
nemesis, crash points) and the campaign's fault coverage table.

Every fault is a decision of kind ``fault`` whose index 0 is "no fault", so a
failing fault plan shrinks with the interleaving. May import: ``detsim.engine``,
``detsim.sync``, ``detsim.trace``, ``detsim.errors``. Strategies never import this
package: they see only the kind of a decision (docs/architecture.md).
"""
from ._clock import NodeClock
from ._coverage import (FaultCoverageWarning, coverage_table, coverage_warning, fault_coverage,
                        warn_coverage)
from ._disk import Disk
from ._nemesis import Faults
from ._network import Message, Network
from ._node import CRASHED, Node
from ._plan import CRASH_POINTS, DEFAULT_FAULT_RATE, FAULT_KINDS, NODE_KINDS, FaultPlan

__all__ = ["Network", "Message", "Node", "CRASHED", "Disk", "NodeClock", "Faults", "FaultPlan",
           "FAULT_KINDS", "NODE_KINDS", "CRASH_POINTS", "DEFAULT_FAULT_RATE", "FaultCoverageWarning",
           "fault_coverage", "coverage_table", "coverage_warning", "warn_coverage"]
