"""Retroactive verification of certificates of origin, and the duty it recovered

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "origin_verifications",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("side", sa.String(length=8), nullable=False),
        sa.Column("reference", sa.String(length=20), nullable=False),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("issuer", sa.String(length=2), nullable=False),
        sa.Column("requester", sa.String(length=2), nullable=False),
        sa.Column("agreement", sa.String(length=10), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("documents", sa.Text(), nullable=False),
        sa.Column("requested_on", sa.Date(), nullable=False),
        sa.Column("deadline", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("findings", sa.Text(), nullable=True),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("requested_by", sa.Text(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("answered_by", sa.Text(), nullable=True),
        sa.Column(
            "recovered", sa.Numeric(precision=18, scale=3), server_default="0", nullable=False
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_origin_verifications")),
        sa.UniqueConstraint("side", "reference", name=op.f("uq_origin_verifications_side")),
    )
    op.create_index(
        op.f("ix_origin_verifications_number"), "origin_verifications", ["number"], unique=False
    )
    op.create_table(
        "origin_verification_recoveries",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("verification_id", sa.Integer(), nullable=False),
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["declaration_id"], ["declarations.id"],
            name=op.f("fk_origin_verification_recoveries_declaration_id_declarations"),
        ),
        sa.ForeignKeyConstraint(
            ["verification_id"], ["origin_verifications.id"],
            name=op.f("fk_origin_verification_recoveries_verification_id_origin_verifications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_origin_verification_recoveries")),
    )  # fmt: skip
    op.create_index(
        op.f("ix_origin_verification_recoveries_verification_id"),
        "origin_verification_recoveries",
        ["verification_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(
        op.f("ix_origin_verification_recoveries_verification_id"),
        table_name="origin_verification_recoveries",
    )
    op.drop_table("origin_verification_recoveries")
    op.drop_index(op.f("ix_origin_verifications_number"), table_name="origin_verifications")
    op.drop_table("origin_verifications")
