"""Camera list filters indexed with the name: filtered pages and cursors read in index order

Revision ID: 5d0c2a17f3b1
Revises: 28d76e0d0f51
Create Date: 2026-12-04 18:47:17.573328+00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "5d0c2a17f3b1"
down_revision: str | None = "28d76e0d0f51"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


_FILTERS = ("status", "area", "site", "poller_group", "risk_level")


def upgrade() -> None:
    with op.batch_alter_table("cameras", schema=None) as batch_op:
        for column in _FILTERS:
            batch_op.drop_index(f"ix_cameras_{column}")
            batch_op.create_index(f"ix_cameras_{column}_name", [column, "name"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cameras", schema=None) as batch_op:
        for column in _FILTERS:
            batch_op.drop_index(f"ix_cameras_{column}_name")
            batch_op.create_index(f"ix_cameras_{column}", [column], unique=False)
