// The outbox: every change made here, kept until the server acknowledges it.
// An edit and its outbox entry are written in ONE transaction, so neither exists without
// the other. Entries never expire; a rejected one stays, with its reason, until the user
// sends it again corrected (the same record, a new mutation) or discards it, which is recorded.
import { getDB, uuid } from './db.js';

export const WAITING = 'waiting';
export const REJECTED = 'rejected';

/**
 * Record a local change and queue its mutation.
 * ``record`` (optional) is the local copy to store: {entityType, id, ...fields}.
 * ``draftForm`` (optional) is the draft this save completes, cleared in the same transaction.
 * ``replaces`` (optional) is the key of a refused item this one corrects: the same record
 * (entity id), sent again as a new mutation; the refused item goes in the same transaction.
 * A mutation whose ``mutation_id`` is already queued is a repeat of the same save: the queued
 * item is returned and nothing is written.
 */
export async function queueChange(user, mutation, { record = null, draftForm = null, replaces = null } = {}) {
  const db = await getDB();
  const tx = db.transaction(['users', 'outbox', 'records', 'drafts'], 'readwrite');
  const queued = tx.objectStore('outbox');
  if (mutation.mutation_id) {
    const mine = await queued.index('byUser').getAll(user.id);
    const same = mine.find((i) => i.mutation.mutation_id === mutation.mutation_id);
    if (same) { await tx.done; return same; }
  }
  if (replaces !== null) {
    const refused = await queued.get(replaces);
    if (!refused || refused.userId !== user.id || refused.state !== REJECTED
        || String(refused.mutation.entity_id) !== String(mutation.entity_id)) {
      tx.done.catch(() => {});
      tx.abort();
      throw new Gone('The refused item to correct is no longer here.');
    }
    await queued.delete(replaces);
  }
  const users = tx.objectStore('users');
  const stored = (await users.get(user.id)) || { id: user.id, seq: 0, cursor: 0 };
  stored.seq = (stored.seq || 0) + 1;
  await users.put(stored);
  const item = {
    userId: user.id,
    state: WAITING,
    queuedAt: new Date().toISOString(),
    mutation: {
      mutation_id: uuid(),
      seq: stored.seq,
      author_id: user.id,
      device_time: new Date().toISOString(),
      base_version: null,
      changes: {},
      base_values: {},
      transition: null,
      ...mutation,
    },
  };
  await queued.add(item);
  if (record) {
    await tx.objectStore('records').put({ ...record, userId: user.id, pending: true });
  }
  if (draftForm) await tx.objectStore('drafts').delete([user.id, draftForm]);
  await tx.done;
  return item;
}

/** The refused item a correction replaces is no longer here. */
export class Gone extends Error {}

/**
 * Send a refused item (``key``) again, corrected: ``mutation`` is a new mutation for the same
 * record. False when the refused item is no longer here (sent again or discarded meanwhile).
 */
export async function resend(user, mutation, record, key) {
  try {
    await queueChange(user, mutation, { record, replaces: key });
    return true;
  } catch (err) {
    if (err instanceof Gone) return false;
    throw err;
  }
}

/** This user's outbox, oldest first. */
export async function listOutbox(userId) {
  const db = await getDB();
  const items = await db.getAllFromIndex('outbox', 'byUser', userId);
  return items.sort((a, b) => a.key - b.key);
}

export async function waiting(userId) {
  return (await listOutbox(userId)).filter((i) => i.state === WAITING);
}

export async function counts(userId) {
  const items = await listOutbox(userId);
  return {
    waiting: items.filter((i) => i.state === WAITING).length,
    rejected: items.filter((i) => i.state === REJECTED).length,
  };
}

/**
 * Apply the server's per-mutation results. Acknowledged items (applied, merged, duplicate,
 * conflict) are deleted; a conflict is also kept in ``attention``; a rejection stays in the
 * outbox marked rejected with its reason, unless the server says it may be retried.
 * The local copies follow: a record nothing waits for any more is no longer "waiting"; a
 * refused create is marked refused; a refused or clashing edit shows the server's copy again.
 */
export async function acknowledge(userId, items, results) {
  const db = await getDB();
  const tx = db.transaction(['outbox', 'attention', 'records'], 'readwrite');
  const outbox = tx.objectStore('outbox');
  const attention = tx.objectStore('attention');
  const byId = new Map(results.filter((r) => r && r.mutation_id).map((r) => [r.mutation_id, r]));
  const touched = new Map();
  for (const item of items) {
    let result = byId.get(item.mutation.mutation_id);
    if (!result) continue; // no answer for it: keep it and send it again
    if (result.status === 'duplicate' && result.first) result = { ...result.first };
    if (result.status === 'rejected' && result.retry) continue;
    touched.set(recordKey(userId, item.mutation), { item, result });
    if (result.status === 'rejected') {
      await outbox.put({ ...item, state: REJECTED, result, refusedAt: new Date().toISOString() });
      continue;
    }
    await outbox.delete(item.key);
    if (result.status === 'conflict') {
      await attention.put({
        userId, mutationId: item.mutation.mutation_id, kind: 'conflict', result,
        mutation: item.mutation, at: new Date().toISOString(),
      });
    }
  }
  const still = new Set((await outbox.index('byUser').getAll(userId))
    .filter((i) => i.state === WAITING).map((i) => String(i.mutation.entity_id)));
  for (const [key, { item, result }] of touched) {
    if (!still.has(String(item.mutation.entity_id))) await settle(tx.objectStore('records'), key, item.mutation, result);
  }
  await tx.done;
}

function recordKey(userId, mutation) {
  return JSON.stringify([userId, mutation.entity_type, String(mutation.entity_id)]);
}

async function settle(records, key, mutation, result) {
  const record = await records.get(JSON.parse(key));
  if (!record) return;
  const created = ['create', 'append'].includes(mutation.op);
  if (result.status === 'rejected' && created) {
    await records.put({ ...record, pending: false, rejected: result.reason || 'Not accepted.' });
  } else if (['rejected', 'conflict'].includes(result.status) && record._server) {
    // The office kept its own version: show it (the next pull brings anything newer).
    await records.put({ ...record._server, pending: false });
  } else {
    const { _server: _dropped, ...rest } = record;
    await records.put({ ...rest, pending: false });
  }
}

/** The user's refused item ``key``, or null. */
export async function getRejected(userId, key) {
  const item = await (await getDB()).get('outbox', key);
  return item && item.userId === userId && item.state === REJECTED ? item : null;
}

/**
 * Discard a refused item the user has confirmed they do not want sent (the only deletion not
 * made by the server). What was discarded, why it was refused and when it was discarded are
 * kept in ``attention`` (kind 'discarded', with ``summary``, one line), not the values: the
 * protocol has no message for it, so the server is not told.
 */
export async function discardRejected(userId, key, summary = '') {
  const db = await getDB();
  const tx = db.transaction(['outbox', 'records', 'attention'], 'readwrite');
  const item = await tx.objectStore('outbox').get(key);
  if (item && item.userId === userId && item.state === REJECTED) {
    await tx.objectStore('outbox').delete(key);
    const m = item.mutation;
    await tx.objectStore('attention').put({
      userId, mutationId: m.mutation_id, kind: 'discarded', entityType: m.entity_type, entityId: m.entity_id,
      summary, reason: item.result?.reason || null, refusedAt: item.refusedAt || null, at: new Date().toISOString(),
    });
    // A refused new record never reached the office: its local copy goes with it.
    if (['create', 'append'].includes(m.op)) {
      const recordKeyParts = [userId, m.entity_type, String(m.entity_id)];
      const record = await tx.objectStore('records').get(recordKeyParts);
      if (record && record.rejected) await tx.objectStore('records').delete(recordKeyParts);
    }
  }
  await tx.done;
}
