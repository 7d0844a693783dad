"""Licences, permits, certificates and others (LPCO) of the single window's agencies

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lpco_requirement_sets",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("loaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("loaded_by", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lpco_requirement_sets")),
    )
    op.create_table(
        "lpcos",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("number", sa.String(length=24), nullable=False),
        sa.Column("agency", sa.String(length=10), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("holder", sa.String(length=35), nullable=False),
        sa.Column("holder_name", sa.Text(), nullable=False),
        sa.Column("hs", sa.String(length=10), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("flow", sa.String(length=8), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column("office", sa.String(length=5), nullable=True),
        sa.Column("unit", sa.String(length=3), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=24, scale=6), nullable=False),
        sa.Column("balance", sa.Numeric(precision=24, scale=6), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_until", sa.Date(), nullable=False),
        sa.Column("conditions", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("issued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("issued_by", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lpcos")),
        sa.UniqueConstraint("number", name=op.f("uq_lpcos_number")),
    )
    with op.batch_alter_table("lpcos", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lpcos_agency"), ["agency"], unique=False)
        batch_op.create_index(batch_op.f("ix_lpcos_holder"), ["holder"], unique=False)

    op.create_table(
        "lpco_checks",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("item", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("document", sa.String(length=4), nullable=False),
        sa.Column("number", sa.String(length=24), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("amount", sa.Numeric(precision=24, scale=6), nullable=True),
        sa.Column("unit", sa.String(length=3), nullable=True),
        sa.Column("held", sa.Boolean(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_lpco_checks_declaration_id_declarations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lpco_checks")),
    )
    with op.batch_alter_table("lpco_checks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lpco_checks_declaration_id"), ["declaration_id"], unique=False
        )

    op.create_table(
        "lpco_drawdowns",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("lpco_id", sa.Integer(), nullable=False),
        sa.Column("declaration_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("item", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.Numeric(precision=24, scale=6), nullable=False),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["declaration_id"],
            ["declarations.id"],
            name=op.f("fk_lpco_drawdowns_declaration_id_declarations"),
        ),
        sa.ForeignKeyConstraint(
            ["lpco_id"], ["lpcos.id"], name=op.f("fk_lpco_drawdowns_lpco_id_lpcos")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lpco_drawdowns")),
    )
    with op.batch_alter_table("lpco_drawdowns", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_lpco_drawdowns_declaration_id"), ["declaration_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_lpco_drawdowns_lpco_id"), ["lpco_id"], unique=False)

    op.create_table(
        "lpco_history",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("lpco_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("action", sa.String(length=12), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["lpco_id"], ["lpcos.id"], name=op.f("fk_lpco_history_lpco_id_lpcos")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lpco_history")),
    )
    with op.batch_alter_table("lpco_history", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lpco_history_lpco_id"), ["lpco_id"], unique=False)

    op.create_table(
        "lpco_requirements",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("set_id", sa.Integer(), nullable=False),
        sa.Column("hs_prefix", sa.String(length=10), nullable=False),
        sa.Column("flow", sa.String(length=8), nullable=False),
        sa.Column("country", sa.String(length=2), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("document", sa.String(length=4), nullable=False),
        sa.Column("agency", sa.String(length=10), nullable=False),
        sa.Column("missing", sa.String(length=8), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["set_id"],
            ["lpco_requirement_sets.id"],
            name=op.f("fk_lpco_requirements_set_id_lpco_requirement_sets"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lpco_requirements")),
    )
    with op.batch_alter_table("lpco_requirements", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_lpco_requirements_set_id"), ["set_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("lpco_requirements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lpco_requirements_set_id"))

    op.drop_table("lpco_requirements")
    with op.batch_alter_table("lpco_history", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lpco_history_lpco_id"))

    op.drop_table("lpco_history")
    with op.batch_alter_table("lpco_drawdowns", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lpco_drawdowns_lpco_id"))
        batch_op.drop_index(batch_op.f("ix_lpco_drawdowns_declaration_id"))

    op.drop_table("lpco_drawdowns")
    with op.batch_alter_table("lpco_checks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lpco_checks_declaration_id"))

    op.drop_table("lpco_checks")
    with op.batch_alter_table("lpcos", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_lpcos_holder"))
        batch_op.drop_index(batch_op.f("ix_lpcos_agency"))

    op.drop_table("lpcos")
    op.drop_table("lpco_requirement_sets")
