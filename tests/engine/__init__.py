"""Tests of ``detsim.engine``: the control point (ties as recorded decisions,
budgets, horizon), tasks, fast paths, determinism and fairness bookkeeping."""
