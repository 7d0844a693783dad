"""Cross-border e-commerce: the four lists' records, parcels, consumer quotas, agents' guarantees

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "ecommerce_records",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("sender_id", sa.Integer(), nullable=False),
        sa.Column("record_id", sa.String(length=64), nullable=False),
        sa.Column("platform", sa.String(length=35), nullable=False),
        sa.Column("order_no", sa.String(length=40), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["sender_id"], ["principals.id"],
            name=op.f("fk_ecommerce_records_sender_id_principals"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ecommerce_records")),
        sa.UniqueConstraint("kind", "sender_id", "record_id", name="uq_ecommerce_records_sender"),
        sa.UniqueConstraint("platform", "order_no", "kind", name="uq_ecommerce_records_parcel"),
    )  # fmt: skip
    op.create_table(
        "ecommerce_parcels",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("platform", sa.String(length=35), nullable=False),
        sa.Column("order_no", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("reason_code", sa.String(length=32), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("agent", sa.String(length=35), nullable=True),
        sa.Column("waybill_no", sa.String(length=40), nullable=True),
        sa.Column("consumer_hash", sa.String(length=64), nullable=True),
        sa.Column("currency", sa.String(length=3), nullable=True),
        sa.Column("value", sa.Numeric(precision=18, scale=3), nullable=True),
        sa.Column("customs_value", sa.Numeric(precision=18, scale=3), nullable=True),
        sa.Column("tax", sa.Numeric(precision=18, scale=3), nullable=True),
        sa.Column("quota_year", sa.Integer(), nullable=True),
        sa.Column("selected", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ecommerce_parcels")),
        sa.UniqueConstraint("platform", "order_no", name="uq_ecommerce_parcels_platform"),
    )
    for column in ("status", "agent", "decided_at"):
        op.create_index(
            op.f(f"ix_ecommerce_parcels_{column}"), "ecommerce_parcels", [column], unique=False
        )
    op.create_table(
        "ecommerce_quotas",
        sa.Column("consumer_hash", sa.String(length=64), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("used", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.PrimaryKeyConstraint("consumer_hash", "year", name=op.f("pk_ecommerce_quotas")),
    )
    op.create_table(
        "ecommerce_guarantees",
        sa.Column("agent", sa.String(length=35), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("drawn", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("reference", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.CheckConstraint(
            "drawn >= 0 AND drawn <= amount", name=op.f("ck_ecommerce_guarantees_within_amount")
        ),
        sa.PrimaryKeyConstraint("agent", name=op.f("pk_ecommerce_guarantees")),
    )


def downgrade() -> None:
    op.drop_table("ecommerce_guarantees")
    op.drop_table("ecommerce_quotas")
    for column in ("decided_at", "agent", "status"):
        op.drop_index(op.f(f"ix_ecommerce_parcels_{column}"), table_name="ecommerce_parcels")
    op.drop_table("ecommerce_parcels")
    op.drop_table("ecommerce_records")
