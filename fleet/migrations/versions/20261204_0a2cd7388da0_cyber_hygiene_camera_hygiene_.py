"""Cyber hygiene: camera_hygiene (certificates, services, configuration baseline); cameras.observed_time_zone

Revision ID: 0a2cd7388da0
Revises: f2cdb2084f0f
Create Date: 2026-12-04 18:41:58.228146+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0a2cd7388da0"
down_revision: str | None = "f2cdb2084f0f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "camera_hygiene",
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("endpoints", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("protocols", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
        sa.Column("discoverable", sa.Boolean(), nullable=True),
        sa.Column("ntp_from_dhcp", sa.Boolean(), nullable=True),
        sa.Column("ntp_servers", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
        sa.Column("snmp_version", sa.String(length=4), nullable=True),
        sa.Column("configuration", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
        sa.Column("baseline", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=True),
        sa.Column("baseline_taken_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("baseline_taken_by", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["cameras.id"], name=op.f("fk_camera_hygiene_camera_id_cameras"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("camera_id", name=op.f("pk_camera_hygiene")),
    )
    with op.batch_alter_table("cameras", schema=None) as batch_op:
        batch_op.add_column(sa.Column("observed_time_zone", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("cameras", schema=None) as batch_op:
        batch_op.drop_column("observed_time_zone")

    op.drop_table("camera_hygiene")
