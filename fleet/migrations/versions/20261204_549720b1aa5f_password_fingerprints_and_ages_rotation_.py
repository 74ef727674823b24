"""Device passwords: keyed fingerprints and the date each ONVIF login last changed; password rotation runs

Revision ID: 549720b1aa5f
Revises: 5d0c2a17f3b1
Create Date: 2026-12-04 18:52:42.893589+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "549720b1aa5f"
down_revision: str | None = "5d0c2a17f3b1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "password_rotations",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "status",
            sa.Enum("pending", "running", "done", "stopped", name="rotationstatus", native_enum=False, length=24),
            nullable=False,
        ),
        sa.Column("batch_size", sa.Integer(), nullable=False),
        sa.Column("camera_ids", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("outcomes", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.Column("stop_reason", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_password_rotations")),
    )
    with op.batch_alter_table("password_rotations", schema=None) as batch_op:
        batch_op.create_index("ix_password_rotations_status", ["status"], unique=False)

    with op.batch_alter_table("camera_credentials", schema=None) as batch_op:
        batch_op.add_column(sa.Column("password_fingerprint", sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True))

    # The best date known for a stored login: when its credentials were last written. Fingerprints need the key,
    # which a migration does not have: the password report fills them in on its first run.
    op.execute("UPDATE camera_credentials SET password_changed_at = updated_at WHERE has_onvif")


def downgrade() -> None:
    with op.batch_alter_table("camera_credentials", schema=None) as batch_op:
        batch_op.drop_column("password_changed_at")
        batch_op.drop_column("password_fingerprint")

    with op.batch_alter_table("password_rotations", schema=None) as batch_op:
        batch_op.drop_index("ix_password_rotations_status")

    op.drop_table("password_rotations")
