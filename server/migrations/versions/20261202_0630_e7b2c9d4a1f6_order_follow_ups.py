"""Order follow-ups (回访)

Revision ID: e7b2c9d4a1f6
Revises: d4a5e1b7c3f0
Create Date: 2026-12-02 06:30:00

order_follow_up: one per order (unique order_id), the admin's note of the call and who made it.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'e7b2c9d4a1f6'
down_revision = 'd4a5e1b7c3f0'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('order_follow_up',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('done_by_user_id', sa.Integer(), nullable=True),
    sa.Column('done_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['done_by_user_id'], ['admin_user.id'], name=op.f('fk_order_follow_up_done_by_user_id_admin_user')),
    sa.ForeignKeyConstraint(['order_id'], ['service_order.id'], name=op.f('fk_order_follow_up_order_id_service_order')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_follow_up')),
    sa.UniqueConstraint('order_id', name=op.f('uq_order_follow_up_order_id'))
    )


def downgrade():
    op.drop_table('order_follow_up')
