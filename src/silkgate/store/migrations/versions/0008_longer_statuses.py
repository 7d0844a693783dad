"""longer status columns (conditionally_released)

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("declarations", schema=None) as batch_op:
        batch_op.alter_column(
            "status",
            existing_type=sa.String(length=20),
            type_=sa.String(length=24),
            existing_nullable=False,
        )
    with op.batch_alter_table("journal", schema=None) as batch_op:
        for column in ("from_status", "to_status"):
            batch_op.alter_column(
                column,
                existing_type=sa.String(length=20),
                type_=sa.String(length=24),
                existing_nullable=True,
            )


def downgrade() -> None:
    with op.batch_alter_table("journal", schema=None) as batch_op:
        for column in ("from_status", "to_status"):
            batch_op.alter_column(
                column,
                existing_type=sa.String(length=24),
                type_=sa.String(length=20),
                existing_nullable=True,
            )
    with op.batch_alter_table("declarations", schema=None) as batch_op:
        batch_op.alter_column(
            "status",
            existing_type=sa.String(length=24),
            type_=sa.String(length=20),
            existing_nullable=False,
        )
