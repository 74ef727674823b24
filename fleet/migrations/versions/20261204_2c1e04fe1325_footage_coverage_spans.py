"""Footage coverage: the spans of each camera's time that recording checks saw, with footage or without

Revision ID: 2c1e04fe1325
Revises: 0ca77ed1b28c
Create Date: 2026-12-04 21:32:58.066679+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "2c1e04fe1325"
down_revision: str | None = "0ca77ed1b28c"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "footage_spans",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("footage", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["cameras.id"], name=op.f("fk_footage_spans_camera_id_cameras"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_footage_spans")),
    )
    with op.batch_alter_table("footage_spans", schema=None) as batch_op:
        batch_op.create_index("ix_footage_spans_camera_ends", ["camera_id", "ends_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("footage_spans", schema=None) as batch_op:
        batch_op.drop_index("ix_footage_spans_camera_ends")
    op.drop_table("footage_spans")
