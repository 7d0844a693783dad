"""Run and check the Alembic migrations without an ``alembic.ini`` on disk."""

from __future__ import annotations

from importlib.resources import files

from alembic import command
from alembic.config import Config


def alembic_config(database_url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(files("silkgate.store") / "migrations"))
    cfg.set_main_option("sqlalchemy.url", database_url)
    return cfg


def upgrade(
    database_url: str, revision: str = "head", *, journal_key: tuple[str, bytes] | None = None
) -> None:
    """Bring the database at ``database_url`` to ``revision`` (idempotent).

    ``journal_key`` (id and key, :meth:`JournalKeys.sealing`) is what revision
    0010 seals the existing journal entries with; an empty journal needs none.
    """
    cfg = alembic_config(database_url)
    if journal_key is not None:
        cfg.attributes["journal_key"] = journal_key
    command.upgrade(cfg, revision)


def downgrade(database_url: str, revision: str) -> None:
    command.downgrade(alembic_config(database_url), revision)


def check(database_url: str) -> None:
    """Raise if the tables in ``tables.py`` and the migrations have drifted apart."""
    command.check(alembic_config(database_url))


def revision(database_url: str, message: str) -> None:
    """Autogenerate a new revision from the difference (a developer's tool)."""
    command.revision(alembic_config(database_url), message=message, autogenerate=True)
