"""lpco examinations: agencies that examine the goods join the joint inspection

Revision ID: 0024
Revises: 0020
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A requirement, or an LPCO's condition, may say the agency examines the goods.
    with op.batch_alter_table("lpco_requirements") as batch:
        batch.add_column(
            sa.Column("examine", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("lpcos") as batch:
        batch.add_column(
            sa.Column("examine", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    # The agency that examines an item's goods, as checked at lodging.
    with op.batch_alter_table("lpco_checks") as batch:
        batch.add_column(sa.Column("examiner", sa.String(10), nullable=True))
    # An agency's check in a joint inspection (service "agency") names the agency.
    with op.batch_alter_table("inspection_checks") as batch:
        batch.add_column(sa.Column("agency", sa.String(10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inspection_checks") as batch:
        batch.drop_column("agency")
    with op.batch_alter_table("lpco_checks") as batch:
        batch.drop_column("examiner")
    with op.batch_alter_table("lpcos") as batch:
        batch.drop_column("examine")
    with op.batch_alter_table("lpco_requirements") as batch:
        batch.drop_column("examine")
