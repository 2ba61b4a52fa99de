"""Order history says to whom

Revision ID: d4a5e1b7c3f0
Revises: dece31ce6e7b
Create Date: 2026-12-02 06:00:00

order_status_change gets team_id, volunteer_id (to whom a dispatch went) and unit_site_id
(where an escalation moved the order), each a nullable foreign key.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'd4a5e1b7c3f0'
down_revision = 'dece31ce6e7b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('order_status_change', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('volunteer_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('unit_site_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_order_status_change_team_id_team'),
                                    'team', ['team_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_order_status_change_volunteer_id_volunteer'),
                                    'volunteer', ['volunteer_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_order_status_change_unit_site_id_site'),
                                    'site', ['unit_site_id'], ['id'])


def downgrade():
    with op.batch_alter_table('order_status_change', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_order_status_change_unit_site_id_site'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_order_status_change_volunteer_id_volunteer'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_order_status_change_team_id_team'),
                                 type_='foreignkey')
        batch_op.drop_column('unit_site_id')
        batch_op.drop_column('volunteer_id')
        batch_op.drop_column('team_id')
