"""Collector heartbeats: each collector says every third of a lease that it is alive, so a silent poller group shows

Revision ID: 7a4537c0316a
Revises: c1d354f22778
Create Date: 2026-12-04 15:53:21.608625+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "7a4537c0316a"
down_revision: str | None = "c1d354f22778"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "collector_heartbeats",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("poller_group", sa.String(length=100), nullable=True),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_collector_heartbeats")),
    )
    with op.batch_alter_table("collector_heartbeats", schema=None) as batch_op:
        batch_op.create_index("ix_collector_heartbeats_group_seen", ["poller_group", "last_seen_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("collector_heartbeats", schema=None) as batch_op:
        batch_op.drop_index("ix_collector_heartbeats_group_seen")

    op.drop_table("collector_heartbeats")
