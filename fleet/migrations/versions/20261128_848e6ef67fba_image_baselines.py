"""image baselines: per camera the reference view signature and the last snapshot digest (no pictures)

Revision ID: 848e6ef67fba
Revises: 7e0e601dce35
Create Date: 2026-11-28 10:58:06.543880+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "848e6ef67fba"
down_revision: str | None = "7e0e601dce35"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "image_baselines",
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("reference_signature", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
        sa.Column("reference_taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reference_requested_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reference_requested_by", sa.String(length=100), nullable=True),
        sa.Column("reference_thumbnail", sa.LargeBinary(), nullable=True),
        sa.Column("last_digest", sa.String(length=64), nullable=True),
        sa.Column("last_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["cameras.id"], name=op.f("fk_image_baselines_camera_id_cameras"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("camera_id", name=op.f("pk_image_baselines")),
    )


def downgrade() -> None:
    op.drop_table("image_baselines")
