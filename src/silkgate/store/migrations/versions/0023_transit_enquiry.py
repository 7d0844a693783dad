"""transit enquiry, recovery and incidents: the enquiry's answer deadline, a reservation
recovered, the seals and means of transport after an incident, TIR carnets

Revision ID: 0023
Revises: 0022
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("transit_movements") as batch:
        batch.add_column(sa.Column("enquiry_due", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("incidents", sa.Integer(), server_default="0", nullable=False))
        batch.add_column(sa.Column("seals", sa.Text(), nullable=True))
        batch.add_column(sa.Column("transport", sa.Text(), nullable=True))
    with op.batch_alter_table("transit_reservations") as batch:
        batch.add_column(sa.Column("recovered_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("transit_guarantees") as batch:
        batch.add_column(sa.Column("carnet", sa.String(length=10), nullable=True))
        batch.add_column(sa.Column("vouchers", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("transit_guarantees") as batch:
        batch.drop_column("vouchers")
        batch.drop_column("carnet")
    with op.batch_alter_table("transit_reservations") as batch:
        batch.drop_column("recovered_at")
    with op.batch_alter_table("transit_movements") as batch:
        for column in ("transport", "seals", "incidents", "enquiry_due"):
            batch.drop_column(column)
