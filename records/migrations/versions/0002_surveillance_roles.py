"""Two staff roles for aggregate views: district surveillance officers and programme managers.

Revision ID: 0002
Revises: 0001
"""
from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

OLD = "role in ('patient','doctor','asha','pharmacist','admin')"
NEW = "role in ('patient','doctor','asha','pharmacist','admin','surveillance','programme')"


def _check(condition: str) -> None:
    with op.batch_alter_table("users") as batch:  # SQLite rebuilds the table; PostgreSQL alters it
        batch.drop_constraint("ck_users_role", type_="check")
        batch.create_check_constraint("ck_users_role", condition)


def upgrade() -> None:
    _check(NEW)


def downgrade() -> None:
    _check(OLD)
