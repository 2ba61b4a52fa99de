"""Open311 reports remember the key that posted them

Revision ID: ce749c1aef66
Revises: c41d2e7a9b30
Create Date: 2026-12-01 23:42:42.232096

open311_submission links an order to the SHA-256 of the API key that posted it, so that key
reads the order back with the reporter's own description and location.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ce749c1aef66'
down_revision = 'c41d2e7a9b30'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('open311_submission',
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('key_digest', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['service_order.id'], name=op.f('fk_open311_submission_order_id_service_order')),
    sa.PrimaryKeyConstraint('order_id', name=op.f('pk_open311_submission'))
    )


def downgrade():
    op.drop_table('open311_submission')
