"""Licences, permits, certificates and others (LPCO) of the single window's other agencies.

Core: licence (an LPCO, its kinds, units and amounts), requirements (which goods need
which LPCO, as data), check (the check of a declaration at lodging), commands (what an
agency sends). services/: the requirements in force, the agencies' register, the check
and draw-down at lodging (``docs/lpco.md``).
"""
