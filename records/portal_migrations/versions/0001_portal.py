"""Portal tables: staff accounts, API refresh tokens, handoff cases, availability slots,
de-identified diagnosis labels. Sealed columns are plain binary here.

Revision ID: portal_0001
Revises: (none)
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "portal_0001"
down_revision = None
branch_labels = ("portal",)
depends_on = "0001"  # its tables point at records' users


def _users_fk(name: str = "user_id", ondelete: str = "CASCADE") -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint([name], ["users.id"], ondelete=ondelete)


def upgrade() -> None:
    ts = sa.DateTime(timezone=True)
    op.create_table(
        "portal_accounts",
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("password_hash", sa.String(255), nullable=False),
        sa.Column("totp_secret_enc", sa.LargeBinary(), nullable=True),
        sa.Column("totp_enabled", sa.Boolean(), nullable=False),
        sa.Column("totp_last_step", sa.Integer(), nullable=False),
        sa.Column("failed_logins", sa.Integer(), nullable=False),
        sa.Column("locked_until", ts, nullable=True),
        sa.Column("contact_enc", sa.LargeBinary(), nullable=True),
        sa.Column("reset_code_hash", sa.String(255), nullable=True),
        sa.Column("reset_expires_at", ts, nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("on_duty", sa.Boolean(), nullable=False),
        sa.Column("created_at", ts, nullable=False),
        _users_fk(),
        sa.PrimaryKeyConstraint("user_id"),
        sa.UniqueConstraint("username"),
    )
    op.create_table(
        "portal_refresh_tokens",
        sa.Column("jti", sa.String(64), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("expires_at", ts, nullable=False),
        sa.Column("used_at", ts, nullable=True),
        _users_fk(),
        sa.PrimaryKeyConstraint("jti"),
    )
    op.create_index("ix_portal_refresh_tokens_user_id", "portal_refresh_tokens", ["user_id"])
    op.create_table(
        "handoff_cases",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", ts, nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("priority", sa.SmallInteger(), nullable=False),
        sa.Column("specialty", sa.String(32), nullable=False),
        sa.Column("language", sa.String(8), nullable=False),
        sa.Column("channel", sa.String(16), nullable=False),
        sa.Column("doctor_id", sa.Uuid(), nullable=True),
        sa.Column("consultation_id", sa.Uuid(), nullable=True),
        sa.Column("scheduled_at", ts, nullable=True),
        sa.Column("offered", sa.JSON(), nullable=False),
        sa.Column("details_enc", sa.LargeBinary(), nullable=False),
        sa.Column("meeting_enc", sa.LargeBinary(), nullable=True),
        sa.Column("notes_enc", sa.LargeBinary(), nullable=True),
        _users_fk("patient_id"),
        _users_fk("doctor_id", "SET NULL"),
        sa.ForeignKeyConstraint(["consultation_id"], ["consultations.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    for col in ("patient_id", "status", "doctor_id", "consultation_id"):
        op.create_index(f"ix_handoff_cases_{col}", "handoff_cases", [col])
    op.create_table(
        "availability_slots",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("doctor_id", sa.Uuid(), nullable=False),
        sa.Column("starts_at", ts, nullable=False),
        sa.Column("ends_at", ts, nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        _users_fk("doctor_id"),
        sa.ForeignKeyConstraint(["case_id"], ["handoff_cases.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_availability_slots_doctor_id", "availability_slots", ["doctor_id"])
    op.create_index("ix_availability_slots_case_id", "availability_slots", ["case_id"])
    op.create_table(
        "diagnosis_labels",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("model_version", sa.String(64), nullable=False),
        sa.Column("features", sa.JSON(), nullable=False),
        sa.Column("confirmed_icd10", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )


def downgrade() -> None:
    for table in ("diagnosis_labels", "availability_slots", "handoff_cases", "portal_refresh_tokens",
                  "portal_accounts"):
        op.drop_table(table)
