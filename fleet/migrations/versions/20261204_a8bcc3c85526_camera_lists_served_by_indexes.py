"""Camera lists served by indexes at 50,000 cameras: (device type, name), the list by last seen, and on PostgreSQL
trigram indexes for the search when the server offers pg_trgm

Revision ID: a8bcc3c85526
Revises: 2c1e04fe1325
Create Date: 2026-12-04 21:48:09.996666+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "a8bcc3c85526"
down_revision: str | None = "2c1e04fe1325"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The search matches a substring of these, lower-cased (fleet/cameras/filters.py CameraFilter.apply). The indexes
# are not in the models (they exist only where the extension does): fleet/migrations/env.py leaves them out of the
# comparison by their prefix.
SEARCHED = ("name", "location", "host")
TRIGRAM_PREFIX = "trgm_cameras_"


def _trigrams_offered() -> bool:
    """Whether this PostgreSQL server can give the database pg_trgm (a trusted extension since PostgreSQL 13)."""
    bind = op.get_bind()
    found = bind.execute(sa.text("SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm'")).first()
    return found is not None


def upgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    # SQLite's descending order puts nulls last by itself (and refuses NULLS LAST in an index); PostgreSQL's not.
    last_seen = "last_seen_at DESC NULLS LAST" if postgresql else "last_seen_at DESC"
    last_seen_index = "ix_cameras_device_type_last_seen" + ("_nulls_last" if postgresql else "")
    with op.batch_alter_table("cameras", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cameras_device_type"))
        batch_op.create_index("ix_cameras_device_type_name", ["device_type", "name"], unique=False)
        batch_op.create_index(last_seen_index, ["device_type", sa.literal_column(last_seen), "name"], unique=False)
    if postgresql and _trigrams_offered():
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for column in SEARCHED:
            op.execute(f"CREATE INDEX {TRIGRAM_PREFIX}{column} ON cameras USING gin (lower({column}) gin_trgm_ops)")


def downgrade() -> None:
    postgresql = op.get_bind().dialect.name == "postgresql"
    if postgresql:
        for column in SEARCHED:
            op.execute(f"DROP INDEX IF EXISTS {TRIGRAM_PREFIX}{column}")
    with op.batch_alter_table("cameras", schema=None) as batch_op:
        batch_op.drop_index("ix_cameras_device_type_last_seen" + ("_nulls_last" if postgresql else ""))
        batch_op.drop_index("ix_cameras_device_type_name")
        batch_op.create_index(batch_op.f("ix_cameras_device_type"), ["device_type"], unique=False)
