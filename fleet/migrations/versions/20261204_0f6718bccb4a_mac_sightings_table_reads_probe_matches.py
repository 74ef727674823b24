"""MAC sightings, network table reads and WS-Discovery matches: finding what nobody registered (issue 19)

Revision ID: 0f6718bccb4a
Revises: 9a3c51e0b719
Create Date: 2026-12-04 21:31:05.560272+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0f6718bccb4a"
down_revision: str | None = "9a3c51e0b719"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ws_discovery_matches",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("endpoint", sa.String(length=255), nullable=False),
        sa.Column("address", sa.String(length=45), nullable=False),
        sa.Column("xaddrs", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("scopes", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("types", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ws_discovery_matches")),
        sa.UniqueConstraint("endpoint", name=op.f("uq_ws_discovery_matches_endpoint")),
    )
    op.create_table(
        "mac_sightings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column(
            "source",
            sa.Enum("forwarding", "neighbour", name="sightingsource", native_enum=False, length=16),
            nullable=False,
        ),
        sa.Column("mac", sa.String(length=17), nullable=False),
        sa.Column("if_index", sa.Integer(), nullable=True),
        sa.Column("port", sa.String(length=64), nullable=True),
        sa.Column("vlan", sa.Integer(), nullable=True),
        sa.Column("ip", sa.String(length=45), nullable=True),
        sa.Column("first_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["device_id"], ["cameras.id"], name=op.f("fk_mac_sightings_device_id_cameras"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mac_sightings")),
    )
    with op.batch_alter_table("mac_sightings", schema=None) as batch_op:
        batch_op.create_index("ix_mac_sightings_device_last_seen", ["device_id", "last_seen_at"], unique=False)
        batch_op.create_index("ix_mac_sightings_mac", ["mac"], unique=False)

    op.create_table(
        "network_table_reads",
        sa.Column("device_id", sa.Integer(), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("read_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("forwarding_entries", sa.Integer(), nullable=False),
        sa.Column("neighbour_entries", sa.Integer(), nullable=False),
        sa.Column("problem", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["device_id"], ["cameras.id"], name=op.f("fk_network_table_reads_device_id_cameras"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("device_id", name=op.f("pk_network_table_reads")),
    )


def downgrade() -> None:
    op.drop_table("network_table_reads")
    with op.batch_alter_table("mac_sightings", schema=None) as batch_op:
        batch_op.drop_index("ix_mac_sightings_mac")
        batch_op.drop_index("ix_mac_sightings_device_last_seen")

    op.drop_table("mac_sightings")
    op.drop_table("ws_discovery_matches")
