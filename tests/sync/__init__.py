"""Tests of ``detsim.sync``: the wait queue, the wait-for graph and every blocking
primitive built on them (mutex, semaphore, rwlock, notify, channels, select)."""
