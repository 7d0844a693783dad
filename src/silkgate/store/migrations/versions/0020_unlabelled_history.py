"""unlabelled history: a declaration that was not controlled has no outcome (NULL)

Revision ID: 0020
Revises: 0019
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Not controlled is not "compliant": the outcome columns hold NULL for such rows.
    with op.batch_alter_table("risk_history") as batch:
        batch.alter_column("fraud", existing_type=sa.Boolean(), nullable=True)
        batch.alter_column("critical", existing_type=sa.Boolean(), nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM risk_history WHERE fraud IS NULL OR critical IS NULL")
    with op.batch_alter_table("risk_history") as batch:
        batch.alter_column("fraud", existing_type=sa.Boolean(), nullable=False)
        batch.alter_column("critical", existing_type=sa.Boolean(), nullable=False)
