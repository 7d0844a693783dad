"""lpco examinations and partner LPCOs: agencies that examine the goods join the joint
inspection; LPCOs issued by a partner administration are received over the exchange

Revision ID: 0024
Revises: 0023
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A requirement, or an LPCO's condition, may say the agency examines the goods.
    with op.batch_alter_table("lpco_requirements") as batch:
        batch.add_column(
            sa.Column("examine", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        # The exporting partner's LPCO, received over the exchange, also answers it.
        batch.add_column(
            sa.Column("partner", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("lpcos") as batch:
        batch.add_column(
            sa.Column("examine", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        # A partner's LPCO: the administration that issued it, the agency here that accepts
        # it, and the importer it names.
        batch.add_column(sa.Column("administration", sa.String(2), nullable=True))
        batch.add_column(sa.Column("acceptor", sa.String(10), nullable=True))
        batch.add_column(sa.Column("consignee", sa.String(35), nullable=True))
        # A partner's number is kept with its administration first (CN-CITES-2026-000001).
        batch.alter_column("number", existing_type=sa.String(24), type_=sa.String(28))
    # The agency that examines an item's goods, as checked at lodging.
    with op.batch_alter_table("lpco_checks") as batch:
        batch.add_column(sa.Column("examiner", sa.String(10), nullable=True))
        batch.alter_column("number", existing_type=sa.String(24), type_=sa.String(28))
    # An agency's check in a joint inspection (service "agency") names the agency.
    with op.batch_alter_table("inspection_checks") as batch:
        batch.add_column(sa.Column("agency", sa.String(10), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("inspection_checks") as batch:
        batch.drop_column("agency")
    op.execute("DELETE FROM lpco_checks WHERE length(number) > 24")
    with op.batch_alter_table("lpco_checks") as batch:
        batch.alter_column("number", existing_type=sa.String(28), type_=sa.String(24))
        batch.drop_column("examiner")
    op.execute(
        "DELETE FROM lpco_drawdowns WHERE lpco_id IN "
        "(SELECT id FROM lpcos WHERE administration IS NOT NULL)"
    )
    op.execute(
        "DELETE FROM lpco_history WHERE lpco_id IN "
        "(SELECT id FROM lpcos WHERE administration IS NOT NULL)"
    )
    op.execute("DELETE FROM lpcos WHERE administration IS NOT NULL")
    with op.batch_alter_table("lpcos") as batch:
        batch.alter_column("number", existing_type=sa.String(28), type_=sa.String(24))
        batch.drop_column("consignee")
        batch.drop_column("acceptor")
        batch.drop_column("administration")
        batch.drop_column("examine")
    with op.batch_alter_table("lpco_requirements") as batch:
        batch.drop_column("partner")
        batch.drop_column("examine")
