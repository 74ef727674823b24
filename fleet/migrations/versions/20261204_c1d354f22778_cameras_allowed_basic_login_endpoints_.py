"""Cameras allowed Basic; login endpoints remembered per camera (auth_downgrade)

Revision ID: c1d354f22778
Revises: eb388c9c74b6
Create Date: 2026-12-04 15:43:04.369042+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "c1d354f22778"
down_revision: str | None = "eb388c9c74b6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "endpoint_auth",
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("endpoint", sa.String(length=16), nullable=False),
        sa.Column("uri", sa.String(length=500), nullable=True),
        sa.Column("offered", sa.String(length=100), nullable=False),
        sa.Column("challenges", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("digest_seen_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["cameras.id"], name=op.f("fk_endpoint_auth_camera_id_cameras"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("camera_id", "endpoint", name=op.f("pk_endpoint_auth")),
    )
    with op.batch_alter_table("cameras", schema=None) as batch_op:
        batch_op.add_column(sa.Column("allow_basic", sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table("cameras", schema=None) as batch_op:
        batch_op.drop_column("allow_basic")

    op.drop_table("endpoint_auth")
