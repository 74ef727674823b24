"""Password rotation runs get an owner and a lease; a camera's new password is kept (encrypted) while in flight

A run left running before this revision has no lease: the next collector takes it over as one whose lease ran out.

Revision ID: 0ca77ed1b28c
Revises: b7d41e0c9a52
Create Date: 2026-12-04 21:32:31.508231+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0ca77ed1b28c"
down_revision: str | None = "b7d41e0c9a52"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("camera_credentials", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pending_ciphertext", sa.LargeBinary(), nullable=True))

    with op.batch_alter_table("password_rotations", schema=None) as batch_op:
        batch_op.add_column(sa.Column("owner", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("password_rotations", schema=None) as batch_op:
        batch_op.drop_column("lease_until")
        batch_op.drop_column("owner")

    with op.batch_alter_table("camera_credentials", schema=None) as batch_op:
        batch_op.drop_column("pending_ciphertext")
