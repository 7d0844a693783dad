"""console sessions, failed-authentication counters, refusals counted per window

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "auth_failures",
        sa.Column("source", sa.String(length=80), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("source", "window_start", name=op.f("pk_auth_failures")),
    )
    op.create_table(
        "console_sessions",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("session_hash", sa.String(length=64), nullable=False),
        sa.Column("principal_id", sa.Integer(), nullable=False),
        sa.Column("token_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["principal_id"],
            ["principals.id"],
            name=op.f("fk_console_sessions_principal_id_principals"),
        ),
        sa.ForeignKeyConstraint(
            ["token_id"], ["api_tokens.id"], name=op.f("fk_console_sessions_token_id_api_tokens")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_console_sessions")),
        sa.UniqueConstraint("session_hash", name=op.f("uq_console_sessions_session_hash")),
    )
    with op.batch_alter_table("console_sessions", schema=None) as batch_op:
        for column in ("expires_at", "principal_id", "token_id"):
            batch_op.create_index(
                batch_op.f(f"ix_console_sessions_{column}"), [column], unique=False
            )

    with op.batch_alter_table("exchange_refusals", schema=None) as batch_op:
        batch_op.add_column(sa.Column("window_start", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("last_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("messages", sa.Integer(), server_default="1", nullable=False))
        batch_op.create_unique_constraint(
            "uq_exchange_refusals_window", ["remote", "code", "window_start"]
        )
    # A refusal logged before counted one message, first and last at once.
    op.execute("UPDATE exchange_refusals SET last_at = at WHERE last_at IS NULL")


def downgrade() -> None:
    with op.batch_alter_table("exchange_refusals", schema=None) as batch_op:
        batch_op.drop_constraint("uq_exchange_refusals_window", type_="unique")
        batch_op.drop_column("messages")
        batch_op.drop_column("last_at")
        batch_op.drop_column("window_start")

    with op.batch_alter_table("console_sessions", schema=None) as batch_op:
        for column in ("token_id", "principal_id", "expires_at"):
            batch_op.drop_index(batch_op.f(f"ix_console_sessions_{column}"))

    op.drop_table("console_sessions")
    op.drop_table("auth_failures")
