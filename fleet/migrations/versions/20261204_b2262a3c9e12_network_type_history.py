"""Network type history: each device's network type kept with the time it was set (seeded from the registry)

Revision ID: b2262a3c9e12
Revises: 3f4535805f81
Create Date: 2026-12-04 22:01:10.837007+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b2262a3c9e12"
down_revision: str | None = "3f4535805f81"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "network_changes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("camera_id", sa.Integer(), nullable=False),
        sa.Column(
            "network",
            sa.Enum("fiber", "copper", "4g", "radio", "wifi", "other", name="network", native_enum=False, length=24),
            nullable=True,
        ),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("changed_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["camera_id"], ["cameras.id"], name=op.f("fk_network_changes_camera_id_cameras"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_network_changes")),
    )
    with op.batch_alter_table("network_changes", schema=None) as batch_op:
        batch_op.create_index("ix_network_changes_camera_changed", ["camera_id", "changed_at"], unique=False)
    # Every device registered so far has had its present type since it was registered: that is all that is known.
    op.execute(
        "INSERT INTO network_changes (camera_id, network, changed_at, changed_by) "
        "SELECT id, network, created_at, 'system:migration' FROM cameras"
    )


def downgrade() -> None:
    with op.batch_alter_table("network_changes", schema=None) as batch_op:
        batch_op.drop_index("ix_network_changes_camera_changed")
    op.drop_table("network_changes")
