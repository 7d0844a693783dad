"""statistics: stage times, daily sums, the study's sums and sketch, trade facts, releases

Revision ID: 0021
Revises: 0020
Create Date: 2026-11-29

The tables start empty: ``silkgate statistics rebuild`` fills them from the journal
and the declarations already stored (a node upgraded with history runs it once).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None

_DAILY_SUMS = (
    "declarations",
    "released",
    "release_ms",
    "within_1h",
    "within_6h",
    "within_24h",
    "assessed_n",
    "assessed_ms",
    "channel_n",
    "channel_ms",
    "inspection_started_n",
    "inspection_started_ms",
    "inspection_finished_n",
    "inspection_finished_ms",
    "paid_n",
    "paid_ms",
    "arrival_n",
    "arrival_days",
)


def _at(name: str, nullable: bool = True) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "stat_stages",
        sa.Column("declaration_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("type", sa.String(length=2), nullable=False),
        sa.Column("office", sa.String(length=5), nullable=False),
        sa.Column("channel", sa.String(length=6), nullable=True),
        sa.Column("mode", sa.String(length=2), nullable=False),
        sa.Column("chapter", sa.String(length=2), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("arrival_date", sa.Date(), nullable=True),
        _at("lodged_at", nullable=False),
        _at("assessed_at"),
        _at("channel_at"),
        _at("inspection_started_at"),
        _at("inspection_finished_at"),
        _at("paid_at"),
        _at("released_at"),
        sa.Column("release_ms", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("declaration_id", name=op.f("pk_stat_stages")),
    )
    op.create_index("ix_stat_stages_day_type", "stat_stages", ["day", "type"], unique=False)
    op.create_table(
        "stat_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("type", sa.String(length=2), nullable=False),
        sa.Column("office", sa.String(length=5), nullable=False),
        sa.Column("channel", sa.String(length=6), nullable=False),
        sa.Column("mode", sa.String(length=2), nullable=False),
        sa.Column("chapter", sa.String(length=2), nullable=False),
        *(
            sa.Column(name, sa.BigInteger(), server_default="0", nullable=False)
            for name in _DAILY_SUMS
        ),
        sa.PrimaryKeyConstraint(
            "day", "type", "office", "channel", "mode", "chapter", name=op.f("pk_stat_daily")
        ),
    )
    op.create_table(
        "stat_study",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("type", sa.String(length=2), nullable=False),
        sa.Column("dimension", sa.String(length=8), nullable=False),
        sa.Column("value", sa.String(length=6), nullable=False),
        *(
            sa.Column(name, sa.BigInteger(), server_default="0", nullable=False)
            for name in _DAILY_SUMS
        ),
        sa.PrimaryKeyConstraint("day", "type", "dimension", "value", name=op.f("pk_stat_study")),
    )
    op.create_table(
        "stat_sketch",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("type", sa.String(length=2), nullable=False),
        sa.Column("dimension", sa.String(length=8), nullable=False),
        sa.Column("value", sa.String(length=6), nullable=False),
        sa.Column("bucket", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("count", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "type", "dimension", "value", "bucket", name=op.f("pk_stat_sketch")
        ),
    )
    op.create_table(
        "stat_trade",
        sa.Column("source", sa.String(length=2), nullable=False),
        sa.Column("ref_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("flow", sa.String(length=1), nullable=False),
        sa.Column("hs6", sa.String(length=6), nullable=False),
        sa.Column("partner", sa.String(length=2), nullable=False),
        sa.Column("procedure", sa.String(length=4), nullable=False),
        sa.Column("mode", sa.String(length=2), nullable=False),
        sa.Column("trader", sa.String(length=35), nullable=False),
        sa.Column("value", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("value_usd", sa.Numeric(precision=18, scale=3), nullable=True),
        sa.Column("quantity", sa.Numeric(precision=18, scale=3), nullable=True),
        sa.Column("unit", sa.String(length=3), nullable=True),
        sa.Column("net_mass_kg", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.Column("duties", sa.Numeric(precision=18, scale=3), nullable=False),
        sa.PrimaryKeyConstraint("source", "ref_id", "seq", name=op.f("pk_stat_trade")),
    )
    op.create_index("ix_stat_trade_month_flow", "stat_trade", ["month", "flow"], unique=False)
    op.create_table(
        "stat_releases",
        sa.Column("month", sa.String(length=7), nullable=False),
        sa.Column("version", sa.Integer(), autoincrement=False, nullable=False),
        _at("closed_at", nullable=False),
        sa.Column("closed_by", sa.Text(), nullable=False),
        sa.Column("cells", sa.Text(), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("month", "version", name=op.f("pk_stat_releases")),
    )


def downgrade() -> None:
    op.drop_table("stat_releases")
    op.drop_index("ix_stat_trade_month_flow", table_name="stat_trade")
    op.drop_table("stat_trade")
    op.drop_table("stat_sketch")
    op.drop_table("stat_study")
    op.drop_table("stat_daily")
    op.drop_index("ix_stat_stages_day_type", table_name="stat_stages")
    op.drop_table("stat_stages")
