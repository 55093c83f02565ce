"""Tests of ``detsim.monitor``: property kinds, the per-run monitor, and liveness
(no_starvation, no_livelock, select fairness) with its fairness witness."""
