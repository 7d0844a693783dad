"""The shared kernel: what every capability speaks and none owns.

``errors`` (what can go wrong with a request, independent of HTTP), ``clock``
(the one source of "now"), ``actors`` (who acts: principals, roles, the node
itself) and ``events`` (domain events and the bus that carries them within a
unit of work). Nothing here imports a capability, a store or a framework.
"""
