"""Tests of ``detsim.search``: the strategies that decide every choice of a run."""
