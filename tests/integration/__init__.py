"""End-to-end runs of the example models in ``models/``.

This folder, and only this folder, imports ``models``: here the point of a test is
the example models themselves (the README's example, fault determinism across
Raft, the CRDTs and the lease). Every other test builds small inline models
(``tests/support.py`` or the test module itself), so a change to an example model
never breaks an engine test.
"""
