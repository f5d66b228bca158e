"""who marked an entry done, who checked it, who signed it off; safeguarding follow-through

Revision ID: 0012_sign_off
Revises: 0011_device_credentials
Create Date: 2026-12-08 02:20:00.000000

A log entry records each step separately: ``done_by``/``done_at`` (the owner marked it
done), ``checked_by``/``checked_at`` (a manager checked the evidence: the "close" that
closes a routine entry or sends a high-risk one to sign-off) and ``signed_off_at`` beside
the existing ``signed_off_by``. Before, ``closed_by`` was overwritten by the signer, so the
manager's check vanished from the record.

The escalation decision gains the safeguarding follow-through: the local-authority
referral (``referral_made_on`` or ``referral_not_needed``) and the CQC notification
(``cqc_notified_on`` or ``cqc_not_needed``).

The steps are filled in from the audit trail, which is never edited (see _backfill).
"""
import uuid
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op

from server.common.types import UTCDateTime

# revision identifiers, used by Alembic.
revision = '0012_sign_off'
down_revision = '0011_device_credentials'
branch_labels = None
depends_on = None

PEOPLE = ('done_by', 'checked_by')
STEPS = ('mark_done', 'close', 'sign_off')


def upgrade():
    # Plain ALTER TABLE ADD COLUMN, never a batch copy: on SQLite a copy of log_entry drops
    # the search index's triggers (migration 0005).
    for name in ('referral_made_on', 'cqc_notified_on'):
        op.add_column('log_entry', sa.Column(name, sa.Date(), nullable=True))
    for name in ('referral_not_needed', 'cqc_not_needed'):
        op.add_column('log_entry', sa.Column(name, sa.Text(), nullable=True))
    for name in PEOPLE:
        if op.get_bind().dialect.name == 'sqlite':  # its ALTER adds no constraint, but this
            op.execute(f'ALTER TABLE log_entry ADD COLUMN {name} CHAR(32) REFERENCES user_account (id)')
        else:
            op.add_column(
                'log_entry', sa.Column(name, sa.Uuid(), sa.ForeignKey('user_account.id'), nullable=True)
            )
    for name in ('done_at', 'checked_at', 'signed_off_at'):
        op.add_column('log_entry', sa.Column(name, UTCDateTime(), nullable=True))
    _backfill()


def _tables():
    entry = sa.table(
        'log_entry',
        sa.column('id', sa.Uuid()),
        sa.column('status', sa.String()),
        *(sa.column(c, sa.Uuid()) for c in ('done_by', 'checked_by', 'closed_by', 'signed_off_by')),
        *(sa.column(c, UTCDateTime()) for c in ('done_at', 'checked_at', 'closed_at', 'signed_off_at')),
    )
    event = sa.table(
        'audit_event',
        sa.column('id', sa.Integer()),
        sa.column('entity_type', sa.String()),
        sa.column('entity_id', sa.String()),
        sa.column('action', sa.String()),
        sa.column('actor_id', sa.Uuid()),
        sa.column('at', UTCDateTime()),
    )
    return entry, event


def _backfill():
    """Replay each entry's steps from the audit trail, as the log now records them: a
    ``mark_done`` names who marked it done and clears the check, a ``close`` names who
    checked it, and a ``sign_off`` dates the sign-off of an entry still signed off. An
    entry closed with no audit event of it (an import) takes its closure's: a routine
    entry's closer checked it, a high-risk one was signed off when it closed."""
    bind = op.get_bind()
    entry, event = _tables()
    steps: dict[str, dict] = {}
    rows = bind.execute(
        sa.select(event.c.entity_id, event.c.action, event.c.actor_id, event.c.at)
        .where(event.c.entity_type == 'log_entry', event.c.action.in_(STEPS))
        .order_by(event.c.id)
    )
    for entity_id, action, actor_id, at in rows:
        step = steps.setdefault(entity_id, {})
        if action == 'mark_done':
            step.update(done_by=actor_id, done_at=at, checked_by=None, checked_at=None)
        elif action == 'close':
            step.update(checked_by=actor_id, checked_at=at)
        else:
            step.update(signed_at=at)
    params = [
        {
            'entry_id': uuid.UUID(entity_id),
            'new_done_by': step.get('done_by'),
            'new_done_at': step.get('done_at'),
            'new_checked_by': step.get('checked_by'),
            'new_checked_at': step.get('checked_at'),
            'signed_at': step.get('signed_at'),
        }
        for entity_id, step in steps.items()
    ]
    if params:
        bind.execute(
            sa.update(entry)
            .where(entry.c.id == sa.bindparam('entry_id', type_=sa.Uuid()))
            .values(
                done_by=sa.bindparam('new_done_by', type_=sa.Uuid()),
                done_at=sa.bindparam('new_done_at', type_=UTCDateTime()),
                checked_by=sa.bindparam('new_checked_by', type_=sa.Uuid()),
                checked_at=sa.bindparam('new_checked_at', type_=UTCDateTime()),
                signed_off_at=sa.case(
                    (entry.c.signed_off_by.is_(None), None),
                    else_=sa.bindparam('signed_at', type_=UTCDateTime()),
                ),
            ),
            params,
        )
    closed = entry.c.status == 'closed'
    bind.execute(
        sa.update(entry)
        .where(closed, entry.c.signed_off_by.is_not(None), entry.c.signed_off_at.is_(None))
        .values(signed_off_at=entry.c.closed_at)
    )
    bind.execute(
        sa.update(entry)
        .where(closed, entry.c.signed_off_by.is_(None), entry.c.checked_by.is_(None))
        .values(checked_by=entry.c.closed_by, checked_at=entry.c.closed_at)
    )


NEW_COLUMNS = (
    'signed_off_at', 'checked_at', 'checked_by', 'done_at', 'done_by',
    'cqc_not_needed', 'cqc_notified_on', 'referral_not_needed', 'referral_made_on',
)


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        for name in NEW_COLUMNS:
            op.drop_column('log_entry', name)  # and its foreign key with it
        return
    # SQLite drops a column in a foreign key only by copying the table: with foreign keys
    # off (the copy drops the table others refer to), then the search index's triggers
    # made again and the index rebuilt, since the copy may renumber rowids (0005).
    with _foreign_keys_off():
        with op.batch_alter_table('log_entry', recreate='always') as batch:
            for name in NEW_COLUMNS:
                batch.drop_column(name)
        for statement in SEARCH_TRIGGERS:
            op.execute(statement)


FTS = 'log_entry_fts'
SEARCH_TRIGGERS = [  # as migration 0005 made them
    f'DROP TRIGGER IF EXISTS {FTS}_update',
    f'DROP TRIGGER IF EXISTS {FTS}_delete',
    f'DROP TRIGGER IF EXISTS {FTS}_insert',
    f'CREATE TRIGGER {FTS}_insert AFTER INSERT ON log_entry BEGIN '
    f'INSERT INTO {FTS}(rowid, concern, decision) '
    'VALUES (new.rowid, new.concern, new.decision); END',
    f'CREATE TRIGGER {FTS}_delete AFTER DELETE ON log_entry BEGIN '
    f"INSERT INTO {FTS}({FTS}, rowid, concern, decision) "
    "VALUES ('delete', old.rowid, old.concern, old.decision); END",
    f'CREATE TRIGGER {FTS}_update AFTER UPDATE OF concern, decision ON log_entry BEGIN '
    f"INSERT INTO {FTS}({FTS}, rowid, concern, decision) "
    "VALUES ('delete', old.rowid, old.concern, old.decision); "
    f'INSERT INTO {FTS}(rowid, concern, decision) '
    'VALUES (new.rowid, new.concern, new.decision); END',
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
]


@contextmanager
def _foreign_keys_off():
    """As migration 0009: foreign keys off between transactions, the copy in a transaction
    of its own, every reference checked, foreign keys on again."""
    bind = op.get_bind()
    raw = bind.connection.driver_connection  # isolation_level None: we say where BEGIN is
    if raw.in_transaction:
        raw.execute('COMMIT')
    raw.execute('PRAGMA foreign_keys = OFF')
    raw.execute('BEGIN IMMEDIATE')
    try:
        yield
        broken = raw.execute('PRAGMA foreign_key_check').fetchall()
        if broken:
            raise RuntimeError(f'References broken by the copy of log_entry: {broken}')
        raw.execute('COMMIT')
    except BaseException:
        raw.execute('ROLLBACK')
        raise
    finally:
        raw.execute('PRAGMA foreign_keys = ON')
    raw.execute('BEGIN')  # alembic records the new revision in a transaction of its own
