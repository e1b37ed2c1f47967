"""Pharmacy tables as ``create_all`` made them before this history (shops, stock, reservations and
their lines). A database that already has them is stamped here instead (engine.schema.adopt).

Revision ID: pharmacy_0001
Revises: (none)
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "pharmacy_0001"
down_revision = None
branch_labels = ("pharmacy",)
depends_on = None


def upgrade() -> None:
    op.create_table('pharmacies',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('chain', sa.String(length=60), nullable=True),
    sa.Column('jan_aushadhi', sa.Boolean(), nullable=False),
    sa.Column('lat', sa.Float(), nullable=False),
    sa.Column('lon', sa.Float(), nullable=False),
    sa.Column('pin', sa.String(length=6), nullable=False),
    sa.Column('place', sa.String(length=80), nullable=False),
    sa.Column('district', sa.String(length=60), nullable=False),
    sa.Column('hours', sa.String(length=60), nullable=False),
    sa.Column('contact', sa.String(length=20), nullable=False),
    sa.Column('sms_phone_hash', sa.String(length=64), nullable=True),
    sa.Column('manager_user_id', sa.Uuid(), nullable=True),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('external_id', sa.String(length=60), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('sms_phone_hash')
    )
    op.create_index('ix_pharmacies_lat_lon', 'pharmacies', ['lat', 'lon'], unique=False)
    op.create_index(op.f('ix_pharmacies_manager_user_id'), 'pharmacies', ['manager_user_id'], unique=False)
    op.create_index(op.f('ix_pharmacies_pin'), 'pharmacies', ['pin'], unique=False)
    op.create_table('pharmacy_reservations',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('pharmacy_id', sa.Uuid(), nullable=False),
    sa.Column('patient_id', sa.Uuid(), nullable=False),
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['pharmacy_id'], ['pharmacies.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_pharmacy_reservations_code'), 'pharmacy_reservations', ['code'], unique=False)
    op.create_index(op.f('ix_pharmacy_reservations_patient_id'), 'pharmacy_reservations', ['patient_id'], unique=False)
    op.create_index(op.f('ix_pharmacy_reservations_pharmacy_id'), 'pharmacy_reservations', ['pharmacy_id'], unique=False)
    op.create_index('ix_reservations_status_expiry', 'pharmacy_reservations', ['status', 'expires_at'], unique=False)
    op.create_table('pharmacy_stock',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('pharmacy_id', sa.Uuid(), nullable=False),
    sa.Column('generic', sa.String(length=120), nullable=False),
    sa.Column('strength', sa.String(length=40), nullable=False),
    sa.Column('form', sa.String(length=30), nullable=False),
    sa.Column('brand', sa.String(length=80), nullable=False),
    sa.Column('price_paise', sa.Integer(), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('quantity >= 0', name='ck_stock_quantity'),
    sa.ForeignKeyConstraint(['pharmacy_id'], ['pharmacies.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('pharmacy_id', 'generic', 'strength', 'form', 'brand', name='uq_stock_product')
    )
    op.create_index('ix_stock_product_pharmacy', 'pharmacy_stock', ['generic', 'strength', 'pharmacy_id'], unique=False, postgresql_include=['quantity', 'price_paise', 'form'])
    op.create_table('pharmacy_reservation_lines',
    sa.Column('id', sa.Integer(), autoincrement=True, nullable=False),
    sa.Column('reservation_id', sa.Uuid(), nullable=False),
    sa.Column('stock_id', sa.Integer(), nullable=False),
    sa.Column('generic', sa.String(length=120), nullable=False),
    sa.Column('strength', sa.String(length=40), nullable=False),
    sa.Column('brand', sa.String(length=80), nullable=False),
    sa.Column('quantity', sa.Integer(), nullable=False),
    sa.Column('price_paise', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['reservation_id'], ['pharmacy_reservations.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['stock_id'], ['pharmacy_stock.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index(op.f('ix_pharmacy_reservation_lines_reservation_id'), 'pharmacy_reservation_lines', ['reservation_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_pharmacy_reservation_lines_reservation_id'), table_name='pharmacy_reservation_lines')
    op.drop_table('pharmacy_reservation_lines')
    op.drop_index('ix_stock_product_pharmacy', table_name='pharmacy_stock', postgresql_include=['quantity', 'price_paise', 'form'])
    op.drop_table('pharmacy_stock')
    op.drop_index('ix_reservations_status_expiry', table_name='pharmacy_reservations')
    op.drop_index(op.f('ix_pharmacy_reservations_pharmacy_id'), table_name='pharmacy_reservations')
    op.drop_index(op.f('ix_pharmacy_reservations_patient_id'), table_name='pharmacy_reservations')
    op.drop_index(op.f('ix_pharmacy_reservations_code'), table_name='pharmacy_reservations')
    op.drop_table('pharmacy_reservations')
    op.drop_index(op.f('ix_pharmacies_pin'), table_name='pharmacies')
    op.drop_index(op.f('ix_pharmacies_manager_user_id'), table_name='pharmacies')
    op.drop_index('ix_pharmacies_lat_lon', table_name='pharmacies')
    op.drop_table('pharmacies')
