"""control outcome corrections: one outcome per control, corrections explicit

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

# Outcomes recorded again before a correction needed a reason become corrections of
# the one before them, so that the rule "one first outcome per control" holds.
_CHAIN = """
UPDATE control_outcomes
SET replaces = (
        SELECT max(earlier.id) FROM control_outcomes AS earlier
        WHERE earlier.declaration_id = control_outcomes.declaration_id
          AND earlier.id < control_outcomes.id
    ),
    reason = 'recorded again before corrections needed a reason'
WHERE EXISTS (
    SELECT 1 FROM control_outcomes AS earlier
    WHERE earlier.declaration_id = control_outcomes.declaration_id
      AND earlier.id < control_outcomes.id
)
"""


def upgrade() -> None:
    # Plain ADD COLUMN and CREATE INDEX: no table copy, which on SQLite would trip over
    # the outcomes that replace others while the old table is dropped.
    op.add_column("control_outcomes", sa.Column("replaces", sa.Integer(), nullable=True))
    op.add_column("control_outcomes", sa.Column("reason", sa.Text(), nullable=True))
    op.execute(_CHAIN)
    op.create_index("ux_control_outcomes_replaces", "control_outcomes", ["replaces"], unique=True)
    op.create_index(
        "ux_control_outcomes_first",
        "control_outcomes",
        ["declaration_id"],
        unique=True,
        sqlite_where=sa.text("replaces IS NULL"),
        postgresql_where=sa.text("replaces IS NULL"),
    )


def downgrade() -> None:
    op.drop_index("ux_control_outcomes_first", table_name="control_outcomes")
    op.drop_index("ux_control_outcomes_replaces", table_name="control_outcomes")
    with op.batch_alter_table("control_outcomes", schema=None) as batch_op:
        batch_op.drop_column("reason")
        batch_op.drop_column("replaces")
