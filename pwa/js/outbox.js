// The outbox: every change made here, kept until the server acknowledges it.
// An edit and its outbox entry are written in ONE transaction, so neither exists without
// the other. Entries never expire; a rejected one stays, with its reason, until the user
// has read it and dismisses it.
import { getDB, uuid } from './db.js';

export const WAITING = 'waiting';
export const REJECTED = 'rejected';

/**
 * Record a local change and queue its mutation.
 * ``record`` (optional) is the local copy to store: {entityType, id, ...fields}.
 * ``draftForm`` (optional) is the draft this save completes, cleared in the same transaction.
 */
export async function queueChange(user, mutation, { record = null, draftForm = null } = {}) {
  const db = await getDB();
  const tx = db.transaction(['users', 'outbox', 'records', 'drafts'], 'readwrite');
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
  await tx.objectStore('outbox').add(item);
  if (record) {
    await tx.objectStore('records').put({ ...record, userId: user.id, pending: true });
  }
  if (draftForm) await tx.objectStore('drafts').delete([user.id, draftForm]);
  await tx.done;
  return item;
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
 */
export async function acknowledge(userId, items, results) {
  const db = await getDB();
  const tx = db.transaction(['outbox', 'attention', 'records'], 'readwrite');
  const outbox = tx.objectStore('outbox');
  const attention = tx.objectStore('attention');
  const byId = new Map(results.filter((r) => r && r.mutation_id).map((r) => [r.mutation_id, r]));
  for (const item of items) {
    let result = byId.get(item.mutation.mutation_id);
    if (!result) continue; // no answer for it: keep it and send it again
    if (result.status === 'duplicate' && result.first) result = { ...result.first };
    if (result.status === 'rejected') {
      if (result.retry) continue;
      await outbox.put({ ...item, state: REJECTED, result });
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
  await tx.done;
}

/** Remove a rejected item the user has read (the only deletion not made by the server). */
export async function dismissRejected(userId, key) {
  const db = await getDB();
  const tx = db.transaction('outbox', 'readwrite');
  const item = await tx.store.get(key);
  if (item && item.userId === userId && item.state === REJECTED) await tx.store.delete(key);
  await tx.done;
}
