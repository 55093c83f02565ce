"""Verdicts you can trust: one module per requirement, each driving detsim the way a
careless or hostile user would (a throwaway project in a temporary folder, the
real command line) and asserting the exit code, that no traceback reaches the
user, and the words of the message."""
