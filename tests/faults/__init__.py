"""Tests of ``detsim.faults``: the network, nodes (crash, restart, pause), disks,
clocks, the nemesis and its budget, fault plans and fault coverage."""
