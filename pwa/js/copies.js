// This tablet's copies of server records, per user: a pull page applied in one transaction,
// records outside the user's scope dropped, a fresh start after `resync`, and the copies
// cleared when the user leaves the tablet. Local work not yet sent (pending records and the
// outbox) is never dropped here.
import { getDB } from './db.js';
import { WAITING } from './outbox.js';

// Record types that carry their service; notes and evidence hang off a log entry.
const SERVICE_TYPES = ['finding', 'walkaround', 'log_entry', 'conflict'];
const ENTRY_TYPES = ['note', 'evidence'];

async function waitingIds(tx, userId) {
  const items = await tx.objectStore('outbox').index('byUser').getAll(userId);
  return new Set(items.filter((i) => i.state === WAITING).map((i) => String(i.mutation.entity_id)));
}

async function userRecords(tx, userId) {
  const all = await tx.objectStore('records').getAll(
    IDBKeyRange.bound([userId], [userId, []]));
  return all;
}

/** Apply one pull page: changes in order, tombstones, the scope, then the cursor. */
export async function applyPage(userId, body) {
  const db = await getDB();
  const tx = db.transaction(['records', 'users', 'outbox', 'services'], 'readwrite');
  const records = tx.objectStore('records');
  const sending = await waitingIds(tx, userId);
  for (const change of body.changes || []) {
    const key = [userId, change.entity_type, String(change.id)];
    if (change.deleted || !change.record) {
      await records.delete(key);
    } else if (!sending.has(String(change.id))) {
      // A record with a change still waiting keeps its local copy: the user's own edit
      // stays on screen until the server has answered it.
      await records.put({ ...change.record, id: String(change.id), entityType: change.entity_type,
        userId, version: change.version, pending: false });
    }
  }
  if (body.scope && Array.isArray(body.scope.service_ids)) {
    await dropOutOfScope(tx, userId, new Set(body.scope.service_ids.map(String)));
  }
  const users = tx.objectStore('users');
  const stored = (await users.get(userId)) || { id: userId, seq: 0 };
  await users.put({ ...stored, cursor: body.next_cursor ?? stored.cursor ?? 0 });
  await tx.done;
}

/** Drop what this user may no longer hold: other services' records, and orphaned notes. */
async function dropOutOfScope(tx, userId, serviceIds) {
  const records = tx.objectStore('records');
  const all = await userRecords(tx, userId);
  const entries = new Set();
  for (const r of all) {
    if (!SERVICE_TYPES.includes(r.entityType)) continue;
    if (r.pending || !r.service_id || serviceIds.has(String(r.service_id))) {
      if (r.entityType === 'log_entry') entries.add(String(r.id));
    } else {
      await records.delete([userId, r.entityType, r.id]);
    }
  }
  for (const r of all) {
    if (ENTRY_TYPES.includes(r.entityType) && !r.pending && !entries.has(String(r.entry_id))) {
      await records.delete([userId, r.entityType, r.id]);
    }
  }
  const services = tx.objectStore('services');
  for (const s of await services.getAll()) {
    if (s.userId === userId && !serviceIds.has(String(s.id))) await services.delete([userId, s.id]);
  }
}

/**
 * Forget the copies (never the outbox, nor records with unsent changes) and set the cursor
 * to 0: after a `resync` answer, and when the user leaves a shared tablet.
 */
export async function reset(userId) {
  const db = await getDB();
  const tx = db.transaction(['records', 'users', 'outbox'], 'readwrite');
  const sending = await waitingIds(tx, userId);
  for (const r of await userRecords(tx, userId)) {
    if (!r.pending && !r.rejected && !sending.has(String(r.id))) {
      await tx.objectStore('records').delete([userId, r.entityType, r.id]);
    }
  }
  const users = tx.objectStore('users');
  const stored = (await users.get(userId)) || { id: userId, seq: 0 };
  await users.put({ ...stored, cursor: 0 });
  await tx.done;
}
