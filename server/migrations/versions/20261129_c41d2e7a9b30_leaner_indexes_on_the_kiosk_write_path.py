"""leaner indexes on the kiosk write path

Revision ID: c41d2e7a9b30
Revises: 9a850e7fcb6e
Create Date: 2026-11-29 14:40:00.000000

kiosk_action(device_id) duplicated the leading column of uq_kiosk_action_key, and every upload
kept both; shift(volunteer_id) becomes (volunteer_id, started_at), which also finds a
volunteer's shifts of one day (read on every sign-out) without scanning all of them.
"""
from alembic import op


# revision identifiers, used by Alembic.
revision = 'c41d2e7a9b30'
down_revision = '9a850e7fcb6e'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('kiosk_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kiosk_action_device_id'))
    with op.batch_alter_table('shift', schema=None) as batch_op:
        batch_op.create_index('ix_shift_volunteer_started', ['volunteer_id', 'started_at'],
                              unique=False)
        batch_op.drop_index(batch_op.f('ix_shift_volunteer_id'))


def downgrade():
    with op.batch_alter_table('shift', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shift_volunteer_id'), ['volunteer_id'],
                              unique=False)
        batch_op.drop_index('ix_shift_volunteer_started')
    with op.batch_alter_table('kiosk_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kiosk_action_device_id'), ['device_id'],
                              unique=False)
