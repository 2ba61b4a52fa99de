"""monthly shift rollup kept by triggers

Revision ID: a7c31e5d9b82
Revises: f3a9c2d17b45
Create Date: 2026-12-03 16:00:00.000000

A year of a province's reports summed a million shifts on every load. report_shift_month holds
each site's sign-ins and counted minutes per local month; triggers on shift keep it in step with
every write, and the upgrade fills it from the shifts already there. This revision keeps its own
copy of the trigger DDL (reports.models.ROLLUP_DDL); tests/test_migrations.py compares them.
"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = 'a7c31e5d9b82'
down_revision = 'f3a9c2d17b45'
branch_labels = None
depends_on = None

COUNTED = "('none', 'approved')"
MONTH = {
    "sqlite": "strftime('%Y-%m', {row}.started_at, '+8 hours')",
    "postgresql": "to_char(({row}.started_at AT TIME ZONE 'UTC') + interval '8 hours', "
                  "'YYYY-MM')",
}
DEPENDS_ON = "site_id, started_at, review, credited_minutes"


def _counted(row):
    return (f"CASE WHEN {row}.review IN {COUNTED} "
            f"THEN coalesce({row}.credited_minutes, 0) ELSE 0 END")


def _add(dialect, row):
    prefix = "" if dialect == "sqlite" else "report_shift_month."
    return ("INSERT INTO report_shift_month (site_id, month, sign_ins, minutes) "
            f"VALUES ({row}.site_id, {MONTH[dialect].format(row=row)}, 1, {_counted(row)}) "
            "ON CONFLICT (site_id, month) DO UPDATE SET "
            f"sign_ins = {prefix}sign_ins + excluded.sign_ins, "
            f"minutes = {prefix}minutes + excluded.minutes")


def _take(dialect, row):
    return ("UPDATE report_shift_month SET sign_ins = sign_ins - 1, "
            f"minutes = minutes - {_counted(row)} "
            f"WHERE site_id = {row}.site_id AND month = {MONTH[dialect].format(row=row)}")


DDL = {
    "sqlite": (
        f"CREATE TRIGGER shift_month_insert AFTER INSERT ON shift BEGIN "
        f"{_add('sqlite', 'NEW')}; END",
        f"CREATE TRIGGER shift_month_update AFTER UPDATE OF {DEPENDS_ON} ON shift BEGIN "
        f"{_take('sqlite', 'OLD')}; {_add('sqlite', 'NEW')}; END",
        f"CREATE TRIGGER shift_month_delete AFTER DELETE ON shift BEGIN "
        f"{_take('sqlite', 'OLD')}; END",
    ),
    "postgresql": (
        "CREATE OR REPLACE FUNCTION shift_month_rollup() RETURNS trigger LANGUAGE plpgsql AS $$ "
        "BEGIN "
        f"IF TG_OP <> 'INSERT' THEN {_take('postgresql', 'OLD')}; END IF; "
        f"IF TG_OP <> 'DELETE' THEN {_add('postgresql', 'NEW')}; END IF; "
        "RETURN NULL; END $$",
        f"CREATE TRIGGER shift_month_rollup AFTER INSERT OR DELETE OR UPDATE OF {DEPENDS_ON} "
        "ON shift FOR EACH ROW EXECUTE FUNCTION shift_month_rollup()",
    ),
}
DROP = {
    "sqlite": tuple(f"DROP TRIGGER IF EXISTS shift_month_{what}"
                    for what in ("insert", "update", "delete")),
    "postgresql": ("DROP TRIGGER IF EXISTS shift_month_rollup ON shift",
                   "DROP FUNCTION IF EXISTS shift_month_rollup()"),
}


def upgrade():
    op.create_table(
        'report_shift_month',
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('month', sa.String(length=7), nullable=False),
        sa.Column('sign_ins', sa.Integer(), nullable=False),
        sa.Column('minutes', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['site_id'], ['site.id'],
                                name=op.f('fk_report_shift_month_site_id_site')),
        sa.PrimaryKeyConstraint('site_id', 'month', name=op.f('pk_report_shift_month')),
    )
    dialect = op.get_bind().dialect.name
    month = MONTH[dialect].format(row="shift")
    op.execute(
        "INSERT INTO report_shift_month (site_id, month, sign_ins, minutes) "
        f"SELECT shift.site_id, {month}, count(*), sum({_counted('shift')}) FROM shift "
        f"GROUP BY shift.site_id, {month}")
    for statement in DDL[dialect]:
        op.execute(statement)


def downgrade():
    for statement in DROP[op.get_bind().dialect.name]:
        op.execute(statement)
    op.drop_table('report_shift_month')
