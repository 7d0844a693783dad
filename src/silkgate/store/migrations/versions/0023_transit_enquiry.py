"""transit enquiry and recovery: the enquiry's answer deadline, a reservation recovered

Revision ID: 0023
Revises: 0020
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("transit_movements") as batch:
        batch.add_column(sa.Column("enquiry_due", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("transit_reservations") as batch:
        batch.add_column(sa.Column("recovered_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("transit_reservations") as batch:
        batch.drop_column("recovered_at")
    with op.batch_alter_table("transit_movements") as batch:
        batch.drop_column("enquiry_due")
