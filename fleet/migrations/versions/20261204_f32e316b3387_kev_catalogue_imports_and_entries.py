"""KEV catalogue imports (provenance) and the entries of the catalogue in force

Revision ID: f32e316b3387
Revises: 7a4537c0316a
Create Date: 2026-12-04 18:37:43.601033+00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "f32e316b3387"
down_revision: str | None = "7a4537c0316a"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kev_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("catalog_version", sa.String(length=40), nullable=False),
        sa.Column("date_released", sa.DateTime(timezone=True), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("imported_by", sa.String(length=200), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kev_imports")),
    )
    op.create_table(
        "kev_vulnerabilities",
        sa.Column("cve_id", sa.String(length=30), nullable=False),
        sa.Column("import_id", sa.Integer(), nullable=False),
        sa.Column("vendor_project", sa.String(length=200), nullable=False),
        sa.Column("product", sa.String(length=200), nullable=False),
        sa.Column("vulnerability_name", sa.Text(), nullable=False),
        sa.Column("date_added", sa.Date(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=False),
        sa.Column("short_description", sa.Text(), nullable=False),
        sa.Column("required_action", sa.Text(), nullable=False),
        sa.Column("known_ransomware_campaign_use", sa.String(length=20), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("cwes", sa.JSON().with_variant(postgresql.JSONB(), "postgresql"), nullable=False),
        sa.ForeignKeyConstraint(
            ["import_id"],
            ["kev_imports.id"],
            name=op.f("fk_kev_vulnerabilities_import_id_kev_imports"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("cve_id", name=op.f("pk_kev_vulnerabilities")),
    )
    with op.batch_alter_table("kev_vulnerabilities", schema=None) as batch_op:
        batch_op.create_index("ix_kev_vulnerabilities_vendor_project", ["vendor_project"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("kev_vulnerabilities", schema=None) as batch_op:
        batch_op.drop_index("ix_kev_vulnerabilities_vendor_project")

    op.drop_table("kev_vulnerabilities")
    op.drop_table("kev_imports")
