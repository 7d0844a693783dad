"""silkgate: an open smart-customs node.

One package per capability (``declarations``, ``access``, ``refdata``) with a
pure core, and thin edges around it (``store``, ``api``, ``web``, ``cli``).
``app.py`` is the one place that wires them together.
"""

__version__ = "0.1.0"
