"""Alembic migrations of camfleet's schema (shipped in the package so an installed camfleet can migrate)."""
