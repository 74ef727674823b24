"""Uplinks: the network device each device hangs on, and the port there (network devices, issue 19)

Revision ID: 9a3c51e0b719
Revises: 32c4cfac1511
Create Date: 2026-12-04 19:20:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "9a3c51e0b719"
down_revision: str | None = "32c4cfac1511"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Plain ADD COLUMNs (no batch copy of `cameras`, see the recorders' migration); the new device types need none:
    # device_type is a VARCHAR without a constraint.
    op.add_column("cameras", sa.Column("uplink_id", sa.Integer(), nullable=True))
    op.add_column("cameras", sa.Column("uplink_port", sa.String(length=64), nullable=True))
    op.create_index("ix_cameras_uplink_id", "cameras", ["uplink_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_cameras_uplink_id", table_name="cameras")
    op.drop_column("cameras", "uplink_port")
    op.drop_column("cameras", "uplink_id")
