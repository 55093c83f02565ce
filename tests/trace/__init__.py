"""Tests of ``detsim.trace``: the trace file format, loading and rejecting traces."""
