"""Transit movements across partner administrations, and the guarantee register

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "transit_movements",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("mrn", sa.String(length=18), nullable=False),
        sa.Column("role", sa.String(length=12), nullable=False),
        sa.Column("departure", sa.String(length=2), nullable=False),
        sa.Column("lrn", sa.String(length=24), nullable=False),
        sa.Column("holder", sa.String(length=35), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("channel", sa.String(length=8), nullable=True),
        sa.Column("departure_office", sa.String(length=5), nullable=False),
        sa.Column("destination_office", sa.String(length=5), nullable=False),
        sa.Column("transit_offices", sa.Text(), nullable=False),
        sa.Column("routing", sa.Text(), nullable=False),
        sa.Column("time_limit", sa.Date(), nullable=False),
        sa.Column("guarantee", sa.String(length=24), nullable=True),
        sa.Column(
            "reserved", sa.Numeric(precision=18, scale=3), server_default="0", nullable=False
        ),
        sa.Column("stake", sa.Text(), nullable=True),
        sa.Column("document", sa.Text(), nullable=False),
        sa.Column("lodged_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("released_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("arrival_office", sa.String(length=5), nullable=True),
        sa.Column("arrived_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("diverted", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("diversion_accepted", sa.Boolean(), nullable=True),
        sa.Column("control_result", sa.String(length=16), nullable=True),
        sa.Column("ended_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transit_movements")),
        sa.UniqueConstraint("mrn", name=op.f("uq_transit_movements_mrn")),
    )
    for column in ("holder", "status", "departure_office", "destination_office"):
        op.create_index(
            op.f(f"ix_transit_movements_{column}"), "transit_movements", [column], unique=False
        )
    op.create_table(
        "transit_steps",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("movement_id", sa.Integer(), nullable=False),
        sa.Column("step", sa.String(length=16), nullable=False),
        sa.Column("office", sa.String(length=5), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["movement_id"], ["transit_movements.id"],
            name=op.f("fk_transit_steps_movement_id_transit_movements"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transit_steps")),
        sa.UniqueConstraint(
            "movement_id", "step", "office", name=op.f("uq_transit_steps_movement_id")
        ),
    )  # fmt: skip
    op.create_index(
        op.f("ix_transit_steps_movement_id"), "transit_steps", ["movement_id"], unique=False
    )
    op.create_table(
        "transit_guarantees",
        sa.Column("reference", sa.String(length=24), nullable=False),
        sa.Column("holder", sa.String(length=35), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("reference_amount", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("balance", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("uses", sa.Integer(), server_default="0", nullable=False),
        sa.Column("registered_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("registered_by", sa.Text(), nullable=False),
        sa.CheckConstraint("balance >= 0", name=op.f("ck_transit_guarantees_balance_not_negative")),
        sa.PrimaryKeyConstraint("reference", name=op.f("pk_transit_guarantees")),
    )
    op.create_index(
        op.f("ix_transit_guarantees_holder"), "transit_guarantees", ["holder"], unique=False
    )
    op.create_table(
        "transit_reservations",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("guarantee", sa.String(length=24), nullable=False),
        sa.Column("mrn", sa.String(length=18), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("reserved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("freed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["guarantee"], ["transit_guarantees.reference"],
            name=op.f("fk_transit_reservations_guarantee_transit_guarantees"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transit_reservations")),
        sa.UniqueConstraint("mrn", name=op.f("uq_transit_reservations_mrn")),
    )  # fmt: skip
    op.create_index(
        op.f("ix_transit_reservations_guarantee"),
        "transit_reservations",
        ["guarantee"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_transit_reservations_guarantee"), table_name="transit_reservations")
    op.drop_table("transit_reservations")
    op.drop_index(op.f("ix_transit_guarantees_holder"), table_name="transit_guarantees")
    op.drop_table("transit_guarantees")
    op.drop_index(op.f("ix_transit_steps_movement_id"), table_name="transit_steps")
    op.drop_table("transit_steps")
    for column in ("holder", "status", "departure_office", "destination_office"):
        op.drop_index(op.f(f"ix_transit_movements_{column}"), table_name="transit_movements")
    op.drop_table("transit_movements")
