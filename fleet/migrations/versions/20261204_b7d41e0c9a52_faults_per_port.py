"""Faults per port: a network device's fault names its port; one open fault per (device, kind, port) (issue 19)

Revision ID: b7d41e0c9a52
Revises: 0f6718bccb4a
Create Date: 2026-12-04 21:40:00.000000+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "b7d41e0c9a52"
down_revision: str | None = "0f6718bccb4a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_OPEN = "closed_at IS NULL AND camera_id IS NOT NULL"


def upgrade() -> None:
    # A plain ADD COLUMN and an index swap, never a batch copy of `faults` (tickets and alerts refer to its rows).
    op.add_column("faults", sa.Column("port", sa.String(length=64), nullable=True))
    op.drop_index("uq_faults_open_camera_kind", table_name="faults")
    op.create_index(
        "uq_faults_open_camera_kind",
        "faults",
        ["camera_id", "kind", sa.text("coalesce(port, '')")],
        unique=True,
        sqlite_where=sa.text(_OPEN),
        postgresql_where=sa.text(_OPEN),
    )


def downgrade() -> None:
    # Port faults cannot keep their places under the old index: close them first, as the port is dropped.
    op.execute("UPDATE faults SET closed_at = opened_at, duration_s = 0 WHERE port IS NOT NULL AND closed_at IS NULL")
    op.drop_index("uq_faults_open_camera_kind", table_name="faults")
    op.create_index(
        "uq_faults_open_camera_kind",
        "faults",
        ["camera_id", "kind"],
        unique=True,
        sqlite_where=sa.text(_OPEN),
        postgresql_where=sa.text(_OPEN),
    )
    op.drop_column("faults", "port")
