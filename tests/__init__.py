"""detsim's test suite, laid out like the package: one folder per subpackage
(``tests/engine`` for ``detsim.engine``, ...), top-level modules for top-level
modules, and ``tests/integration`` for the example models in ``models/``.

Every folder is a package, so test modules with the same name in different
folders do not clash; shared inline models and strategies live in
``tests/support.py``.
"""
