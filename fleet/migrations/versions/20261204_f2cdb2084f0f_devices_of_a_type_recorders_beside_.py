"""Devices of a type: recorders beside cameras; where a camera's footage is kept and for how long

Revision ID: f2cdb2084f0f
Revises: f32e316b3387
Create Date: 2026-12-04 18:35:44.802491+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "f2cdb2084f0f"
down_revision: str | None = "f32e316b3387"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMNs, never a batch copy of `cameras`: on SQLite with foreign keys on, dropping the old table
    # would cascade to every row that refers to a camera. So recorder_id has no foreign key (see Camera).
    op.add_column(
        "cameras",
        sa.Column(
            "device_type",
            sa.Enum("camera", "recorder", name="devicetype", native_enum=False, length=24),
            server_default="camera",
            nullable=False,
        ),
    )
    op.add_column(
        "cameras",
        sa.Column(
            "recorded_by",
            sa.Enum("recorder", "edge", "none", name="recordedby", native_enum=False, length=24),
            nullable=True,
        ),
    )
    op.add_column("cameras", sa.Column("recorder_id", sa.Integer(), nullable=True))
    op.add_column("cameras", sa.Column("retention_min_days", sa.Integer(), nullable=True))
    op.add_column("cameras", sa.Column("retention_max_days", sa.Integer(), nullable=True))
    op.create_index("ix_cameras_device_type", "cameras", ["device_type"], unique=False)
    op.create_index("ix_cameras_recorder_id", "cameras", ["recorder_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_cameras_recorder_id", table_name="cameras")
    op.drop_index("ix_cameras_device_type", table_name="cameras")
    for column in ("retention_max_days", "retention_min_days", "recorder_id", "recorded_by", "device_type"):
        op.drop_column("cameras", column)
