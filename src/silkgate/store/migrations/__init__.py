"""Alembic environment and revisions. Use :mod:`silkgate.store.migrate` to run them."""
