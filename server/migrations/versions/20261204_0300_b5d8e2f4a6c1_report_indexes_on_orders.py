"""report indexes on orders

Revision ID: b5d8e2f4a6c1
Revises: a7c31e5d9b82
Create Date: 2026-12-04 03:00:00.000000

At province scale the reports count a period's 180,000 orders by status, brand, area and
stars and rank their response times: service_order(placed_at) becomes (placed_at, site_id,
item_id, status, accepted_at, completed_at), whose range holds every column they read, and
the stars are read from (order_id, stars). On SQLite the province's year of order figures
went from 2.4 s to 0.6 s with them (and an institute's, scoped by IN, from 1.6 s to 9 ms).
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'b5d8e2f4a6c1'
down_revision = 'a7c31e5d9b82'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('service_order', schema=None) as batch_op:
        batch_op.create_index('ix_service_order_placed_report',
                              ['placed_at', 'site_id', 'item_id', 'status', 'accepted_at',
                               'completed_at'], unique=False)
        batch_op.drop_index(batch_op.f('ix_service_order_placed_at'))
    with op.batch_alter_table('order_rating', schema=None) as batch_op:
        batch_op.create_index('ix_order_rating_order_stars', ['order_id', 'stars'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('order_rating', schema=None) as batch_op:
        batch_op.drop_index('ix_order_rating_order_stars')
    with op.batch_alter_table('service_order', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_service_order_placed_at'), ['placed_at'],
                              unique=False)
        batch_op.drop_index('ix_service_order_placed_report')
