"""report indexes on shifts

Revision ID: f3a9c2d17b45
Revises: e7b2c9d4a1f6
Create Date: 2026-12-02 13:00:00.000000

At province scale (a million shifts) the reports and the overview sum a period's shifts of a
subtree: shift(started_at) becomes (started_at, site_id, review, credited_minutes,
volunteer_id), whose range for a period holds every column they read (an index-only scan on
PostgreSQL, a covering index on SQLite); the overview's pending reviews get a partial index.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'f3a9c2d17b45'
down_revision = 'e7b2c9d4a1f6'
branch_labels = None
depends_on = None

PENDING = sa.text("review = 'pending'")


def upgrade():
    with op.batch_alter_table('shift', schema=None) as batch_op:
        batch_op.create_index('ix_shift_started_report',
                              ['started_at', 'site_id', 'review', 'credited_minutes',
                               'volunteer_id'], unique=False)
        batch_op.create_index('ix_shift_pending_site', ['site_id'], unique=False,
                              sqlite_where=PENDING, postgresql_where=PENDING)
        batch_op.drop_index(batch_op.f('ix_shift_started_at'))


def downgrade():
    with op.batch_alter_table('shift', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_shift_started_at'), ['started_at'], unique=False)
        batch_op.drop_index('ix_shift_pending_site', sqlite_where=PENDING,
                            postgresql_where=PENDING)
        batch_op.drop_index('ix_shift_started_report')
