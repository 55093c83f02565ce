"""Tests of ``detsim.campaign``: one run, campaigns (check), replay, shrinking,
the model loader and saved failures."""
