"""Alembic revisions, named by date."""
